//! `stdp_single` and `stdp_net`: Song, Miller & Abbott (2000) additive STDP as in Brian2's
//! example (SPEC.md 2): Poisson inputs at 15 Hz onto LIF neurons with a linearised synaptic
//! current, all-to-all traces, hard bounds. Per step: integrate -> threshold -> pre pathway ->
//! post pathway -> reset.
//!
//! The traces of all synapses from one input are equal (they see the same spikes with no
//! delay), so they are kept per input and per output neuron, as `a exp(-(t - t_ref)/tau)`: one
//! exponential per step for all of them, rescaled every few seconds so it never overflows.
//! Input spikes come from geometric skipping over the (step, input) lattice: exact Bernoulli
//! trials at a cost proportional to the spikes. Weights are stored by output neuron (the post
//! pathway scans them in order), with an index by input for the pre pathway.

use rand::RngExt;

use super::{Outcome, Timer};
use crate::network::connect::sample;
use crate::network::csr::group_by_key;
use crate::random::seeded;

const DT: f64 = 0.1;
const RATE_HZ: f64 = 15.0;
const TAU_M: f64 = 10.0;
const TAU_E: f64 = 5.0;
const TAU_TRACE: f64 = 20.0;
const E_L: f64 = -74.0;
const V_TH: f64 = -54.0;
const V_RESET: f64 = -60.0;
/// `E_e - v_r`, the linearised driving force (mV).
const DRIVE: f64 = 60.0;
/// Traces are rescaled when their reference time is this far behind.
const RESCALE_MS: f64 = 2000.0;

pub fn run(n_in: usize, n_out: usize, in_degree: Option<usize>, g_max: f64, bio_s: f64, seed: u64) -> Outcome {
    let build = std::time::Instant::now();
    let mut rng = seeded(seed);
    // Synapse s = j * k + slot: weights by output neuron; `by_input[i]` lists the synapses of input i.
    let k = in_degree.unwrap_or(n_in);
    let mut sources = Vec::with_capacity(n_out * k);
    let (mut picked, mut marks) = (Vec::new(), Vec::new());
    for _ in 0..n_out {
        match in_degree {
            None => sources.extend(0..n_in as u32),
            Some(k) => {
                sample(n_in, k, None, false, &mut rng, &mut picked, &mut marks);
                sources.extend_from_slice(&picked);
            }
        }
    }
    let (offsets, by_input) = group_by_key(n_in, sources.iter().enumerate().map(|(s, &i)| (i, s as u32)));
    let mut w: Vec<f64> = (0..sources.len()).map(|_| rng.random::<f64>() * g_max).collect();
    let (mut v, mut ge) = (vec![V_RESET; n_out], vec![0.0; n_out]);
    // Traces as a exp(-(t - t_ref)/tau): pre (+dA_pre per spike) and post (+dA_post).
    let (mut pre, mut post) = (vec![0.0; n_in], vec![0.0; n_out]);
    let (d_pre, d_post) = (0.01 * g_max, -0.0105 * g_max);
    let build_s = build.elapsed().as_secs_f64();

    let (p_m, p_e) = ((-DT / TAU_M).exp(), (-DT / TAU_E).exp());
    let ge_to_v = DRIVE * TAU_E / (TAU_E - TAU_M) * (p_e - p_m);
    let steps = (bio_s * 1000.0 / DT).round() as u64;
    let log_q = (1.0 - RATE_HZ * DT * 1e-3).ln();
    let skip = |rng: &mut crate::random::Rng| ((1.0 - rng.random::<f64>()).ln() / log_q).floor() as u64;
    let lattice = steps * n_in as u64;
    let mut next = skip(&mut rng);
    let (mut t_ref, mut spikes, mut input_spikes) = (0.0, 0u64, 0u64);
    let mut fired: Vec<u32> = Vec::new();
    let timer = Timer::start();
    for n in 0..steps {
        let t = n as f64 * DT;
        if t - t_ref > RESCALE_MS {
            let scale = (-(t - t_ref) / TAU_TRACE).exp();
            pre.iter_mut().chain(post.iter_mut()).for_each(|a| *a *= scale);
            t_ref = t;
        }
        let decay = (-(t - t_ref) / TAU_TRACE).exp();
        // integrate (exact), threshold
        for j in 0..n_out {
            v[j] = E_L + (v[j] - E_L) * p_m + ge[j] * ge_to_v;
            ge[j] *= p_e;
        }
        fired.extend((0..n_out as u32).filter(|&j| v[j as usize] > V_TH));
        // pre pathway: the inputs spiking in this step
        while next < lattice && next / n_in as u64 == n {
            let i = (next % n_in as u64) as usize;
            input_spikes += 1;
            pre[i] += d_pre / decay;
            for &s in &by_input[offsets[i] as usize..offsets[i + 1] as usize] {
                let j = s as usize / k;
                ge[j] += w[s as usize];
                w[s as usize] = (w[s as usize] + post[j] * decay).clamp(0.0, g_max);
            }
            next += 1 + skip(&mut rng);
        }
        // post pathway, reset
        for &j in &fired {
            let j = j as usize;
            post[j] += d_post / decay;
            let row = &mut w[j * k..(j + 1) * k];
            for (wj, &i) in row.iter_mut().zip(&sources[j * k..(j + 1) * k]) {
                *wj = (*wj + pre[i as usize] * decay).min(g_max);
            }
            v[j] = V_RESET;
        }
        spikes += fired.len() as u64;
        fired.clear();
    }
    let (wall_s, cpu_s) = timer.stop();
    let mean = w.iter().sum::<f64>() / w.len() as f64 / g_max;
    let above = w.iter().filter(|&&x| x > 0.5 * g_max).count() as f64 / w.len() as f64;
    Outcome {
        n_neurons: n_out,
        n_synapses: w.len(),
        build_s,
        wall_s,
        cpu_s,
        spikes,
        extra: serde_json::json!({ "input_spikes": input_spikes, "mean_w_over_wmax": mean, "frac_w_above_half": above }),
    }
}
