//! `brunel`: Brunel (2000) model A, g = 5, eta = 2 (SPEC.md 2). 12,500 LIF neurons, each with
//! exactly 1000 E and 250 I sources drawn with replacement (15.6 M synapses); delta synapses
//! J = 0.1 mV and -0.5 mV with a 1.5 ms (15-step) delay through a ring of per-neuron inputs;
//! external Poisson drive of 2 events of J per step on average; refractory 2 ms during which
//! inputs are discarded.

use rand::RngExt;

use super::{Outcome, Timer};
use crate::network::csr::Csr;
use crate::random::seeded;

const N_E: usize = 10_000;
const N: usize = 12_500;
const DT: f64 = 0.1;
const TAU: f64 = 20.0;
const THETA: f64 = 20.0;
const V_RESET: f64 = 10.0;
const J: f64 = 0.1;
const G: f64 = 5.0;
const DELAY_STEPS: usize = 15;
/// Slots in the input ring: a power of two above the delay, so the slot is a mask.
const SLOTS: usize = 16;
/// round(2 ms / dt) - 1 steps clamped after the spike step.
const REFRACTORY_STEPS: u16 = 19;
/// Mean external events per neuron per step: C_E nu_ext dt = 1000 x 20 Hz x 0.1 ms.
const EXTERNAL_MEAN: f64 = 2.0;

/// Cumulative Poisson(lambda) probabilities, for counts by inversion.
fn poisson_cdf(lambda: f64) -> Vec<f64> {
    let mut cdf = Vec::new();
    let (mut p, mut total) = ((-lambda).exp(), 0.0);
    for k in 0..64 {
        total += p;
        cdf.push(total);
        p *= lambda / (k + 1) as f64;
        if 1.0 - total < 1e-16 {
            break;
        }
    }
    cdf
}

pub fn run(bio_s: f64, seed: u64) -> Outcome {
    let build = std::time::Instant::now();
    let mut rng = seeded(seed);
    let csr = Csr::fixed_in_degree(N, N, &[(0..N_E as u32, 1000), (N_E as u32..N as u32, 250)], &mut rng);
    let mut v: Vec<f64> = (0..N).map(|_| rng.random::<f64>() * THETA).collect();
    let mut refractory = vec![0u16; N];
    let mut ring = vec![0.0f64; SLOTS * N];
    let cdf = poisson_cdf(EXTERNAL_MEAN);
    let mut spiked: Vec<u32> = Vec::with_capacity(N);
    let build_s = build.elapsed().as_secs_f64();

    let decay = (-DT / TAU).exp();
    let steps = (bio_s * 1000.0 / DT).round() as usize;
    let mut spikes = 0u64;
    let timer = Timer::start();
    for n in 0..steps {
        let slot = &mut ring[(n % SLOTS) * N..(n % SLOTS + 1) * N];
        for i in 0..N {
            // 1-2. integrate and threshold.
            if refractory[i] > 0 {
                refractory[i] -= 1;
            } else {
                v[i] *= decay;
                if v[i] > THETA {
                    spiked.push(i as u32);
                }
            }
            // 3. deliver what is due now and the external drive, unless refractory.
            let u: f64 = rng.random();
            let external = cdf.iter().position(|&c| u < c).unwrap_or(cdf.len()) as f64;
            if refractory[i] == 0 {
                v[i] += slot[i] + J * external;
            }
            slot[i] = 0.0;
        }
        // 4. reset, and schedule this step's spikes DELAY_STEPS ahead.
        let later = &mut ring[((n + DELAY_STEPS) % SLOTS) * N..((n + DELAY_STEPS) % SLOTS + 1) * N];
        for &i in &spiked {
            let i = i as usize;
            v[i] = V_RESET;
            refractory[i] = REFRACTORY_STEPS;
            let w = if i < N_E { J } else { -G * J };
            for &t in csr.row(i) {
                later[t as usize] += w;
            }
        }
        spikes += spiked.len() as u64;
        spiked.clear();
    }
    let (wall_s, cpu_s) = timer.stop();
    let bytes = csr.targets.len() * 4 + csr.offsets.len() * 4;
    let extra = serde_json::json!({ "bytes_per_synapse": bytes as f64 / csr.n_synapses() as f64 });
    Outcome { n_neurons: N, n_synapses: csr.n_synapses(), build_s, wall_s, cpu_s, spikes, extra }
}
