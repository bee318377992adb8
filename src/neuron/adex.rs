//! Adaptive exponential integrate-and-fire (Brette & Gerstner 2005).
//!
//! `C V' = -g_L (V - E_L) + g_L D_T exp((V - V_T)/D_T) - w + I`, `tau_w w' = a (V - E_L) - w`;
//! at `V >= V_peak`: `V <- V_r`, `w <- w + b`. Units: pF, nS, mV, ms, pA. Inside a step the
//! right-hand side sees V bounded at `V_peak` ([`Dynamics::v_bound`]), as NEST's `aeif` models
//! do; the exponent is capped at [`EXP_CAP`] for evaluations past it (the phase plane, the
//! Brian2 export), and validation makes sure the cap is never reached below `V_peak`.

use super::{Dynamics, Plane, State};
use crate::param::{ADAPTATION_PA, MEMBRANE_MV, VarSpec, params};

/// Largest exponent evaluated: e^40 ~ 2e17, far past any physiological run-away.
pub const EXP_CAP: f64 = 40.0;

params! {
    /// Parameters of AdEx; defaults are Brette & Gerstner's (2005) regular-spiking cell.
    pub struct AdEx {
        c_pf: "C" "pF" [10.0, 1000.0] = 281.0,
            "Membrane capacitance.";
        g_l_ns: "g_L" "nS" [1.0, 100.0] = 30.0,
            "Leak conductance; tau_m = C/g_L.";
        e_l_mv: "E_L" "mV" [-90.0, -40.0] = -70.6,
            "Leak reversal (resting) potential.";
        v_t_mv: "V_T" "mV" [-70.0, -20.0] = -50.4,
            "Threshold of the exponential run-away: above it the exponential current beats the leak.";
        delta_t_mv: "Δ_T" "mV" [0.01, 10.0] = 2.0,
            "Slope factor: how sharp spike initiation is. Small Δ_T is a hard threshold (the LIF limit Δ_T -> 0); large Δ_T a soft, slow upswing.";
        a_ns: "a" "nS" [-20.0, 50.0] = 4.0,
            "Subthreshold adaptation: how strongly w follows V - E_L. Negative a gives delayed, accelerating firing.";
        tau_w_ms: "τ_w" "ms" [1.0, 1000.0] = 144.0,
            "Adaptation time constant.";
        b_pa: "b" "pA" [0.0, 500.0] = 80.5,
            "Spike-triggered adaptation: w jumps by b at each spike. Large b with a high reset makes bursts.";
        v_r_mv: "V_r" "mV" [-90.0, -30.0] = -70.6,
            "Reset potential. A reset above V_T (with b > 0) gives bursts.";
        v_peak_mv: "V_peak" "mV" [-60.0, 40.0] = 0.0,
            "Spike cutoff: V is reset when it reaches this value; the spike itself is the exponential run-away.";
        t_ref_ms: "t_ref" "ms" [0.0, 10.0] = 0.0,
            "Absolute refractory period: V is held at V_r.";
        v0_mv: "V_0" "mV" [-90.0, 0.0] = -70.6,
            "Initial V (w starts at 0).";
    }
}

impl AdEx {
    #[inline]
    fn exp_term(&self, v: f64) -> f64 {
        ((v - self.v_t_mv) / self.delta_t_mv).min(EXP_CAP).exp()
    }
}

impl Dynamics for AdEx {
    const VARS: &'static [VarSpec] = &[
        VarSpec { key: "v", label: "V", unit: "mV", envelope: MEMBRANE_MV },
        VarSpec { key: "w", label: "w", unit: "pA", envelope: ADAPTATION_PA },
    ];
    const CURRENT_UNIT: &'static str = "pA";
    const NAME: &'static str = "Adaptive exponential IF (AdEx)";
    const CURRENT_RANGE: (f64, f64) = (-500.0, 2000.0);
    const DEMO_STEP: f64 = 1000.0;

    fn initial_state(&self) -> State {
        [self.v0_mv, 0.0, 0.0, 0.0]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        let (v, w) = (x[0], x[1]);
        let leak = -self.g_l_ns * (v - self.e_l_mv);
        let spike = self.g_l_ns * self.delta_t_mv * self.exp_term(v);
        [(leak + spike - w + i) / self.c_pf, (self.a_ns * (v - self.e_l_mv) - w) / self.tau_w_ms, 0.0, 0.0]
    }
    fn diagonal_jacobian(&self, x: &State, _: f64) -> State {
        [self.g_l_ns * (self.exp_term(x[0]) - 1.0) / self.c_pf, -1.0 / self.tau_w_ms, 0.0, 0.0]
    }
    fn threshold(&self) -> f64 {
        self.v_peak_mv
    }
    fn reset(&self, x: &mut State) {
        x[0] = self.v_r_mv;
        x[1] += self.b_pa;
    }
    fn current_gain(&self) -> f64 {
        1.0 / self.c_pf
    }
    fn refractory_ms(&self) -> f64 {
        self.t_ref_ms
    }
    fn check_relations(&self) -> Result<(), String> {
        if self.v_r_mv >= self.v_peak_mv {
            return Err(format!(
                "v_r_mv ({}) must be below v_peak_mv ({}): the reset would fire again at once",
                self.v_r_mv, self.v_peak_mv
            ));
        }
        if self.v_t_mv >= self.v_peak_mv {
            return Err(format!(
                "v_t_mv ({}) must be below v_peak_mv ({}): the spike is the run-away above V_T, which V_peak only ends",
                self.v_t_mv, self.v_peak_mv
            ));
        }
        let exponent = (self.v_peak_mv - self.v_t_mv) / self.delta_t_mv;
        if exponent > EXP_CAP {
            return Err(format!(
                "delta_t_mv ({}) is too small for V_peak - V_T = {} mV: the exponential current would reach e^{exponent:.0} \
                 before V gets to V_peak, far beyond what the run-away needs, and the integration blows up. \
                 Raise Δ_T or bring V_peak closer to V_T (at most {} Δ_T above it).",
                self.delta_t_mv,
                self.v_peak_mv - self.v_t_mv,
                EXP_CAP
            ));
        }
        Ok(())
    }
    fn plane(&self) -> Option<Plane> {
        Some(Plane { y_var: 1, v_range: (self.e_l_mv.min(self.v_r_mv) - 15.0, self.v_peak_mv + 5.0), y_range: None })
    }
}
