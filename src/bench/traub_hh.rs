//! `hh`: 1000 uncoupled Hodgkin-Huxley neurons (Traub-Miles, Brette et al. 2007's COBAHH cell;
//! SPEC.md 2), I_i = 0.7 nA i/N, exponential Euler at dt = 0.01 ms with every right-hand side
//! from the state at t_n; a spike is an upward crossing of -40 mV.

use super::{Outcome, Timer};

const N: usize = 1000;
const DT: f64 = 0.01;
const C: f64 = 200.0; // pF
const G_L: f64 = 10.0; // nS
const E_L: f64 = -65.0;
const G_NA: f64 = 20_000.0; // 20 uS
const E_NA: f64 = 50.0;
const G_K: f64 = 6_000.0; // 6 uS
const E_K: f64 = -90.0;
const V_T: f64 = -63.0;

/// `x / (exp(x / y) - 1)`, continuous at `x = 0` (a select, not a branch: the loop vectorises).
#[inline(always)]
fn exprel(x: f64, y: f64) -> f64 {
    let z = x / y;
    let far = x / (z.exp() - 1.0);
    let near = y * (1.0 - 0.5 * z);
    if z.abs() < 1e-6 { near } else { far }
}

/// `(x_inf, decay over dt)` of a gate with rates `alpha`, `beta`.
#[inline(always)]
fn gate(alpha: f64, beta: f64) -> (f64, f64) {
    (alpha / (alpha + beta), (-(alpha + beta) * DT).exp())
}

pub fn run(bio_s: f64) -> Outcome {
    let build = std::time::Instant::now();
    let current: Vec<f64> = (0..N).map(|i| 700.0 * i as f64 / N as f64).collect(); // pA
    let (mut v, mut m, mut h, mut n) = (vec![E_L; N], vec![0.0; N], vec![0.0; N], vec![0.0; N]);
    let mut above = vec![false; N];
    let build_s = build.elapsed().as_secs_f64();
    let steps = (bio_s * 1000.0 / DT).round() as usize;
    let mut spikes = 0u64;
    let timer = Timer::start();
    for _ in 0..steps {
        for i in 0..N {
            let vi = v[i];
            let (m_inf, m_decay) = gate(0.32 * exprel(13.0 - vi + V_T, 4.0), 0.28 * exprel(vi - V_T - 40.0, 5.0));
            let (h_inf, h_decay) =
                gate(0.128 * ((17.0 - vi + V_T) / 18.0).exp(), 4.0 / (1.0 + ((40.0 - vi + V_T) / 5.0).exp()));
            let (n_inf, n_decay) = gate(0.032 * exprel(15.0 - vi + V_T, 5.0), 0.5 * ((10.0 - vi + V_T) / 40.0).exp());
            let g_na = G_NA * m[i] * m[i] * m[i] * h[i];
            let g_k = G_K * n[i] * n[i] * n[i] * n[i];
            let a = (G_L + g_na + g_k) / C;
            let b = (G_L * E_L + g_na * E_NA + g_k * E_K + current[i]) / C;
            v[i] = b / a + (vi - b / a) * (-a * DT).exp();
            m[i] = m_inf + (m[i] - m_inf) * m_decay;
            h[i] = h_inf + (h[i] - h_inf) * h_decay;
            n[i] = n_inf + (n[i] - n_inf) * n_decay;
        }
        // Upward crossings of -40 mV, in a separate pass so the update above stays branch-free.
        for i in 0..N {
            let is_above = v[i] > -40.0;
            spikes += (is_above && !above[i]) as u64;
            above[i] = is_above;
        }
    }
    let (wall_s, cpu_s) = timer.stop();
    Outcome { n_neurons: N, n_synapses: 0, build_s, wall_s, cpu_s, spikes, extra: serde_json::json!({}) }
}
