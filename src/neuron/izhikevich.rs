//! Izhikevich (2003, 2004) simple model in its `a, b, c, d` form.
//!
//! `v' = 0.04 v^2 + k1 v + k0 - u + I`, `u' = a (b (v - v_b) - u_leak u)`; at `v >= v_peak`:
//! `v <- c`, `u <- u + d`. With the defaults `k1 = 5, k0 = 140, v_b = 0, u_leak = 1` this is the
//! 2003 model; the 2004 figure's rows G and L use `k1 = 4.1, k0 = 108`, row R
//! `u' = a b (v + 65)` (`v_b = -65, u_leak = 0`). Units: the model's own (v in mV-like units,
//! t in ms, I in model units).

use super::{Dynamics, Plane, State};
use crate::param::{MEMBRANE_MV, VarSpec, params};

params! {
    /// Parameters of the Izhikevich (2003) model.
    pub struct Izhikevich {
        a: "a" "1/ms" [-0.1, 1.5] = 0.02,
            "Time scale of the recovery variable u: small a means slow recovery (regular spiking 0.02, fast spiking 0.1).";
        b: "b" "" [-1.5, 1.5] = 0.2,
            "Sensitivity of u to subthreshold v: larger b couples them more strongly, giving resonance and low-threshold spiking.";
        c: "c" "mV" [-90.0, -30.0] = -65.0,
            "After-spike reset of v: a high reset (-50) gives bursts, a low one (-65) single spikes.";
        d: "d" "" [-25.0, 25.0] = 8.0,
            "After-spike jump of u: large d gives strong spike-frequency adaptation.";
        v_peak: "v_peak" "mV" [0.0, 60.0] = 30.0,
            "Spike cutoff: v is reset when it reaches this value (the spike apex, not a threshold).";
        v0: "v_0" "mV" [-90.0, 30.0] = -65.0,
            "Initial v; u starts at b (v_0 - v_b) as in Izhikevich's scripts.";
        k1: "k_1" "" [3.0, 6.0] = 5.0,
            "Linear coefficient of v' = 0.04 v^2 + k_1 v + k_0 - u + I: 5 in the 2003 model, 4.1 in the 2004 figure's class 1 and integrator rows.";
        k0: "k_0" "" [80.0, 160.0] = 140.0,
            "Constant term of v': 140 in the 2003 model, 108 in the 2004 figure's class 1 and integrator rows.";
        v_b: "v_b" "mV" [-90.0, 0.0] = 0.0,
            "Offset of the v-dependence of u: u' = a (b (v - v_b) - u_leak u). 0 normally; -65 in the accommodation row.";
        u_leak: "u_leak" "" [0.0, 1.0] = 1.0,
            "Decay of u on its own: 1 normally; 0 in the accommodation row (u' = a b (v + 65)).";
    }
}

impl Dynamics for Izhikevich {
    const VARS: &'static [VarSpec] = &[
        VarSpec { key: "v", label: "v", unit: "mV", envelope: MEMBRANE_MV },
        // u is in v's units per ms; Izhikevich's own inhibition-induced bursting drives it to
        // -1e4 (its a < 0 lets u drift), so a run-away is a hundred times that.
        VarSpec { key: "u", label: "u", unit: "", envelope: (-1e6, 1e6) },
    ];
    const CURRENT_UNIT: &'static str = "model units";
    const NAME: &'static str = "Izhikevich (2003, a b c d)";
    const CURRENT_RANGE: (f64, f64) = (-30.0, 90.0);
    const DEMO_STEP: f64 = 10.0;
    const ADVANCED: &'static [&'static str] = &["k1", "k0", "v_b", "u_leak"];
    const SCRIPTED: bool = true;

    fn initial_state(&self) -> State {
        [self.v0, self.b * (self.v0 - self.v_b), 0.0, 0.0]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        let (v, u) = (x[0], x[1]);
        [0.04 * v * v + self.k1 * v + self.k0 - u + i, self.a * (self.b * (v - self.v_b) - self.u_leak * u), 0.0, 0.0]
    }
    fn diagonal_jacobian(&self, x: &State, _: f64) -> State {
        [0.08 * x[0] + self.k1, -self.a * self.u_leak, 0.0, 0.0]
    }
    fn threshold(&self) -> f64 {
        self.v_peak
    }
    fn reset(&self, x: &mut State) {
        x[0] = self.c;
        x[1] += self.d;
    }
    fn check_relations(&self) -> Result<(), String> {
        if self.c >= self.v_peak {
            return Err(format!(
                "c ({}) must be below v_peak ({}): the reset would trigger another spike at once",
                self.c, self.v_peak
            ));
        }
        Ok(())
    }
    fn plane(&self) -> Option<Plane> {
        Some(Plane { y_var: 1, v_range: (self.c.min(-70.0) - 15.0, self.v_peak + 5.0), y_range: None })
    }
}
