//! The Traub-Miles Hodgkin-Huxley cell of Brette et al. (2007)'s COBAHH benchmark (after Traub &
//! Miles 1991), as NEST's `hh_cond_exp_traub` and Brian2's `HHNeuronsOnly` speed test have it.
//!
//! `C V' = -g_L (V - E_L) - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) + I_e + I`, and
//! `x' = alpha_x (1 - x) - beta_x x` for `x = m, h, n` with, in mV and 1/ms (`u = V - V_T`):
//! `alpha_m = 0.32 (13 - u) / (exp((13 - u)/4) - 1)`, `beta_m = 0.28 (u - 40) / (exp((u - 40)/5) - 1)`,
//! `alpha_h = 0.128 exp((17 - u)/18)`, `beta_h = 4 / (1 + exp((40 - u)/5))`,
//! `alpha_n = 0.032 (15 - u) / (exp((15 - u)/5) - 1)`, `beta_n = 0.5 exp((10 - u)/40)`.
//! Units: pF, nS, mV, ms, pA. The spike is part of the dynamics: no reset; a spike is an upward
//! crossing of `V_spike`.

use super::{Dynamics, State};
use crate::fastmath::exp;
use crate::param::{GATE, MEMBRANE_MV, VarSpec, params};

params! {
    /// Parameters of the Traub-Miles cell (Brette et al. 2007, COBAHH).
    pub struct TraubMiles {
        c_pf: "C" "pF" [10.0, 1000.0] = 200.0,
            "Membrane capacitance (a 20,000 um^2 patch at 1 uF/cm^2).";
        g_l_ns: "g_L" "nS" [0.0, 100.0] = 10.0,
            "Leak conductance.";
        e_l_mv: "E_L" "mV" [-90.0, -40.0] = -65.0,
            "Leak reversal potential: rest without input.";
        g_na_ns: "g_Na" "nS" [0.0, 100000.0] = 20000.0,
            "Peak sodium conductance (20 uS): the upstroke. 0 blocks every spike.";
        e_na_mv: "E_Na" "mV" [0.0, 100.0] = 50.0,
            "Sodium reversal potential.";
        g_k_ns: "g_K" "nS" [0.0, 50000.0] = 6000.0,
            "Peak delayed-rectifier potassium conductance (6 uS): the downstroke.";
        e_k_mv: "E_K" "mV" [-120.0, -50.0] = -90.0,
            "Potassium reversal potential.";
        v_t_mv: "V_T" "mV" [-80.0, -40.0] = -63.0,
            "Shifts every rate function along V: a higher V_T needs more depolarisation to fire.";
        i_e_pa: "I_e" "pA" [-1000.0, 5000.0] = 0.0,
            "A constant current into the cell (NEST's I_e), beside any stimulus.";
        v_spike_mv: "V_spike" "mV" [-60.0, 40.0] = -40.0,
            "Spike detection level: an upward crossing counts as a spike (it does not change the dynamics).";
        v0_mv: "V_0" "mV" [-100.0, 50.0] = -65.0,
            "Initial V; the gates start closed (m = h = n = 0), as in the benchmark.";
    }
}

/// `x / (exp(x / y) - 1)`, continuous at `x = 0` (a select, so the loop over neurons stays
/// straight-line code).
#[inline(always)]
fn exprel(x: f64, y: f64) -> f64 {
    let z = x / y;
    let far = x / (exp(z) - 1.0);
    if z.abs() < 1e-6 { y * (1.0 - 0.5 * z) } else { far }
}

impl TraubMiles {
    /// `(alpha, beta)` of m, h and n at `v`, in 1/ms.
    #[inline(always)]
    pub fn rates(&self, v: f64) -> [(f64, f64); 3] {
        let u = v - self.v_t_mv;
        [
            (0.32 * exprel(13.0 - u, 4.0), 0.28 * exprel(u - 40.0, 5.0)),
            (0.128 * exp((17.0 - u) / 18.0), 4.0 / (1.0 + exp((40.0 - u) / 5.0))),
            (0.032 * exprel(15.0 - u, 5.0), 0.5 * exp((10.0 - u) / 40.0)),
        ]
    }
}

impl Dynamics for TraubMiles {
    const VARS: &'static [VarSpec] = &[
        VarSpec { key: "v", label: "V", unit: "mV", envelope: MEMBRANE_MV },
        VarSpec { key: "m", label: "m", unit: "", envelope: GATE },
        VarSpec { key: "h", label: "h", unit: "", envelope: GATE },
        VarSpec { key: "n", label: "n", unit: "", envelope: GATE },
    ];
    const CURRENT_UNIT: &'static str = "pA";
    const NAME: &'static str = "Traub-Miles HH (cortical, Brette 2007)";
    const CURRENT_RANGE: (f64, f64) = (-200.0, 1500.0);
    const DEMO_STEP: f64 = 500.0;

    fn initial_state(&self) -> State {
        [self.v0_mv, 0.0, 0.0, 0.0]
    }
    #[inline(always)]
    fn derivatives(&self, x: &State, i: f64) -> State {
        self.derivatives_and_jacobian(x, i).0
    }
    #[inline(always)]
    fn diagonal_jacobian(&self, x: &State, i: f64) -> State {
        self.derivatives_and_jacobian(x, i).1
    }
    /// The six rate functions (the cost of a step) are evaluated once for both.
    #[inline(always)]
    fn derivatives_and_jacobian(&self, x: &State, i: f64) -> (State, State) {
        let (v, m, h, n) = (x[0], x[1], x[2], x[3]);
        let [(am, bm), (ah, bh), (an, bn)] = self.rates(v);
        let (g_na, g_k) = (self.g_na_ns * m * m * m * h, self.g_k_ns * n * n * n * n);
        let ionic = g_na * (v - self.e_na_mv) + g_k * (v - self.e_k_mv) + self.g_l_ns * (v - self.e_l_mv);
        let derivatives = [
            (self.i_e_pa + i - ionic) / self.c_pf,
            am * (1.0 - m) - bm * m,
            ah * (1.0 - h) - bh * h,
            an * (1.0 - n) - bn * n,
        ];
        let jacobian = [-(g_na + g_k + self.g_l_ns) / self.c_pf, -(am + bm), -(ah + bh), -(an + bn)];
        (derivatives, jacobian)
    }
    fn threshold(&self) -> f64 {
        self.v_spike_mv
    }
    fn resets(&self) -> bool {
        false
    }
    fn reset(&self, _: &mut State) {}
    fn current_gain(&self) -> f64 {
        1.0 / self.c_pf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_match_the_benchmark_formulas() {
        // SPEC's rate functions written out at V = -50 mV (V_T = -63: 13 - V + V_T = 0 is the
        // removable singularity of alpha_m, met exactly here).
        let cell = TraubMiles::default();
        let v = -50.0;
        let [(am, bm), (ah, bh), (an, bn)] = cell.rates(v);
        assert!((am - 0.32 * 4.0).abs() < 1e-12, "alpha_m at the singularity is 0.32 x 4");
        let bm_ref = 0.28 * (v + 63.0 - 40.0) / (((v + 63.0 - 40.0) / 5.0_f64).exp() - 1.0);
        assert!((bm - bm_ref).abs() < 1e-13);
        assert!((ah - 0.128 * ((17.0 - v - 63.0) / 18.0_f64).exp()).abs() < 1e-13);
        assert!((bh - 4.0 / (1.0 + ((40.0 - v - 63.0) / 5.0_f64).exp())).abs() < 1e-13);
        let an_ref = 0.032 * (15.0 - v - 63.0) / (((15.0 - v - 63.0) / 5.0_f64).exp() - 1.0);
        assert!((an - an_ref).abs() < 1e-13);
        assert!((bn - 0.5 * ((10.0 - v - 63.0) / 40.0_f64).exp()).abs() < 1e-13);
    }
}
