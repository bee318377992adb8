//! FitzHugh-Nagumo: the textbook two-variable excitable system.
//!
//! `v' = v - v^3/3 - w + I`, `tau w' = v + a - b w`. Dimensionless: time in model units (shown
//! as ms), v and I in model units. No reset: a spike is an upward crossing of `v_spike`.

use super::{Dynamics, Plane, State};
use crate::param::{VarSpec, params};

params! {
    /// Parameters of FitzHugh-Nagumo (FitzHugh 1961's values).
    pub struct FitzHughNagumo {
        a: "a" "" [-1.0, 2.0] = 0.7,
            "Offset of the w-nullcline w = (v + a)/b: moves the resting state along the cubic.";
        b: "b" "" [0.0, 2.0] = 0.8,
            "Slope factor of the w-nullcline: with b < 1 the system has one fixed point for every I.";
        tau: "τ" "ms" [1.0, 100.0] = 12.5,
            "Time scale of the recovery variable w relative to v (1/ε): large τ gives relaxation oscillations.";
        v_spike: "v_spike" "" [-1.0, 2.0] = 1.0,
            "Spike detection level: an upward crossing counts as a spike.";
        v0: "v_0" "" [-3.0, 3.0] = -1.2,
            "Initial v.";
        w0: "w_0" "" [-2.0, 2.0] = -0.625,
            "Initial w.";
    }
}

impl Dynamics for FitzHughNagumo {
    const VARS: &'static [VarSpec] = &[
        // Dimensionless, of order 1: the cubic keeps them within a few units for any input in
        // range, so a hundred is a run-away.
        VarSpec { key: "v", label: "v", unit: "", envelope: (-100.0, 100.0) },
        VarSpec { key: "w", label: "w", unit: "", envelope: (-100.0, 100.0) },
    ];
    const CURRENT_UNIT: &'static str = "model units";
    const NAME: &'static str = "FitzHugh-Nagumo";
    const CURRENT_RANGE: (f64, f64) = (-1.0, 2.0);
    const DEMO_STEP: f64 = 0.5;

    fn initial_state(&self) -> State {
        [self.v0, self.w0, 0.0, 0.0]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        let (v, w) = (x[0], x[1]);
        [v - v * v * v / 3.0 - w + i, (v + self.a - self.b * w) / self.tau, 0.0, 0.0]
    }
    fn diagonal_jacobian(&self, x: &State, _: f64) -> State {
        [1.0 - x[0] * x[0], -self.b / self.tau, 0.0, 0.0]
    }
    fn threshold(&self) -> f64 {
        self.v_spike
    }
    fn resets(&self) -> bool {
        false
    }
    fn reset(&self, _: &mut State) {}
    fn plane(&self) -> Option<Plane> {
        Some(Plane { y_var: 1, v_range: (-2.5, 2.5), y_range: None })
    }
}
