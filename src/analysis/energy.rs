//! Power and energy of the Hodgkin-Huxley currents (the EE746 homework's question).
//!
//! Each ionic current dissipates `P_x = I_x (V - E_x) = g_x (V - E_x)^2 >= 0` (uA/cm^2 x mV =
//! nW/cm^2); the capacitor takes `P_C = C V dV/dt`, the rate of change of its stored energy
//! `C V^2 / 2`. Energy per action potential is the dissipated energy in a window around each
//! spike (2 ms before to 8 ms after), in nJ/cm^2 (nW/cm^2 x ms = pJ/cm^2, / 1000), and the Na+
//! charge that entered in it, in nC/cm^2 (uA/cm^2 x ms = nC/cm^2).

use crate::neuron::HodgkinHuxley;

/// Powers at one sample, nW/cm^2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Powers {
    pub na: f64,
    pub k: f64,
    pub leak: f64,
    pub capacitor: f64,
}

/// Powers along a recorded trace of `(t_ms, [V, m, h, n])`; `P_C` from central differences.
pub fn powers(model: &HodgkinHuxley, samples: &[(f64, [f64; 4])]) -> Vec<(f64, Powers)> {
    let n = samples.len();
    (0..n)
        .map(|k| {
            let (t, x) = samples[k];
            let currents = model.currents(&x);
            let [na, kk, leak] = [0, 1, 2].map(|j| currents[j] * (x[0] - model.reversals()[j]));
            let (a, b) = (samples[k.saturating_sub(1)], samples[(k + 1).min(n - 1)]);
            let dv_dt = if b.0 > a.0 { (b.1[0] - a.1[0]) / (b.0 - a.0) } else { 0.0 };
            (t, Powers { na, k: kk, leak, capacitor: model.c_uf * x[0] * dv_dt })
        })
        .collect()
}

/// Mean dissipated energy (nJ/cm^2) and Na+ charge (nC/cm^2) per action potential.
pub fn per_spike(model: &HodgkinHuxley, samples: &[(f64, [f64; 4])], spikes_ms: &[f64]) -> Option<(f64, f64)> {
    let mut totals = Vec::new();
    for &ts in spikes_ms {
        let window: Vec<&(f64, [f64; 4])> = samples.iter().filter(|s| s.0 >= ts - 2.0 && s.0 <= ts + 8.0).collect();
        if window.len() < 2 || window[0].0 > ts - 1.9 || window[window.len() - 1].0 < ts + 7.9 {
            continue; // the window is not fully recorded
        }
        let (mut energy, mut charge) = (0.0, 0.0);
        for pair in window.windows(2) {
            let dt = pair[1].0 - pair[0].0;
            let at = |s: &(f64, [f64; 4])| {
                let c = model.currents(&s.1);
                let e = model.reversals();
                ((0..3).map(|j| c[j] * (s.1[0] - e[j])).sum::<f64>(), -c[0])
            };
            let (p0, q0) = at(pair[0]);
            let (p1, q1) = at(pair[1]);
            energy += 0.5 * (p0 + p1) * dt;
            charge += 0.5 * (q0 + q1) * dt;
        }
        totals.push((energy * 1e-3, charge));
    }
    (!totals.is_empty()).then(|| {
        let n = totals.len() as f64;
        (totals.iter().map(|t| t.0).sum::<f64>() / n, totals.iter().map(|t| t.1).sum::<f64>() / n)
    })
}
