//! `cuba` and `coba`: the Vogels & Abbott (2005) / Brette et al. (2007) benchmark networks
//! (SPEC.md 2). 4000 LIF neurons (3200 E, 800 I), every ordered pair connected with p = 0.02,
//! 0.1 ms delays. Step n: integrate (refractory neurons keep v = V_reset, synapses decay);
//! threshold `v > V_th`; deliver the spikes of step n - 1; reset and start 5 ms refractoriness
//! (clamped for steps m+1 .. m+49).

use rand::RngExt;

use super::{Outcome, Timer};
use crate::network::csr::Csr;
use crate::random::{normal, seeded};

const N: usize = 4000;
const N_E: usize = 3200;
const DT: f64 = 0.1;
const TAU_M: f64 = 20.0;
const TAU_E: f64 = 5.0;
const TAU_I: f64 = 10.0;
const V_TH: f64 = -50.0;
const V_RESET: f64 = -60.0;
/// Steps a neuron stays clamped after its spike step: round(5 ms / dt) - 1.
const REFRACTORY_STEPS: u16 = 49;

/// Which membrane equation: current-based (exact propagator) or conductance-based (exponential
/// Euler), with their weights (E, I) and resting potential.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Cuba,
    Coba,
}

pub fn run(kind: Kind, bio_s: f64, seed: u64) -> Outcome {
    let build = std::time::Instant::now();
    let mut rng = seeded(seed);
    let csr = Csr::fixed_probability(N, N, 0.02, &mut rng);
    let (mut v, mut ge, mut gi) = (vec![0.0; N], vec![0.0; N], vec![0.0; N]);
    for i in 0..N {
        match kind {
            Kind::Cuba => v[i] = V_RESET + rng.random::<f64>() * (V_TH - V_RESET),
            Kind::Coba => {
                v[i] = -65.0 + 5.0 * normal(&mut rng);
                ge[i] = 4.0 + 1.5 * normal(&mut rng);
                gi[i] = 20.0 + 12.0 * normal(&mut rng);
            }
        }
    }
    let (w_e, w_i) = match kind {
        Kind::Cuba => (1.62, -9.0),
        Kind::Coba => (0.6, 6.7),
    };
    let mut refractory = vec![0u16; N];
    let (mut spiked, mut due) = (Vec::with_capacity(N), Vec::with_capacity(N));
    let build_s = build.elapsed().as_secs_f64();

    // Propagators over one step.
    let (p_m, p_e, p_i) = ((-DT / TAU_M).exp(), (-DT / TAU_E).exp(), (-DT / TAU_I).exp());
    let (cuba_e, cuba_i) = (TAU_E / (TAU_E - TAU_M) * (p_e - p_m), TAU_I / (TAU_I - TAU_M) * (p_i - p_m));
    let steps = (bio_s * 1000.0 / DT).round() as u64;
    let mut spikes = 0u64;
    let timer = Timer::start();
    for _ in 0..steps {
        // 1. integrate, one pass per kind so the loop has no branch (the CUBA pass vectorises);
        //    a refractory neuron keeps its v (= V_reset) while its synapses decay.
        match kind {
            Kind::Cuba => {
                for i in 0..N {
                    let integrated = -49.0 + (v[i] + 49.0) * p_m + ge[i] * cuba_e + gi[i] * cuba_i;
                    v[i] = if refractory[i] == 0 { integrated } else { v[i] };
                }
            }
            Kind::Coba => {
                for i in 0..N {
                    if refractory[i] == 0 {
                        // (E_L + ge E_e + gi E_i) / tau_m with E_L = -60, E_e = 0, E_i = -80 mV.
                        let a = (1.0 + ge[i] + gi[i]) / TAU_M;
                        let b = (-60.0 - 80.0 * gi[i]) / TAU_M;
                        v[i] = b / a + (v[i] - b / a) * (-a * DT).exp();
                    }
                }
            }
        }
        for i in 0..N {
            refractory[i] = refractory[i].saturating_sub(1);
            ge[i] *= p_e;
            gi[i] *= p_i;
        }
        // 2. threshold (refractory neurons sit at V_reset, below it).
        spiked.extend((0..N as u32).filter(|&i| v[i as usize] > V_TH));
        // 3. deliver the previous step's spikes (delay one step).
        for &pre in &due {
            let pre = pre as usize;
            let (g, w) = if pre < N_E { (&mut ge, w_e) } else { (&mut gi, w_i) };
            for &t in csr.row(pre) {
                g[t as usize] += w;
            }
        }
        // 4. reset.
        for &i in &spiked {
            v[i as usize] = V_RESET;
            refractory[i as usize] = REFRACTORY_STEPS;
        }
        spikes += spiked.len() as u64;
        std::mem::swap(&mut due, &mut spiked);
        spiked.clear();
    }
    let (wall_s, cpu_s) = timer.stop();
    Outcome { n_neurons: N, n_synapses: csr.n_synapses(), build_s, wall_s, cpu_s, spikes, extra: serde_json::json!({}) }
}
