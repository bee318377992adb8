//! Quadratic integrate-and-fire (Latham et al. 2000; Neuronal Dynamics 5.3).
//!
//! `tau v' = a_0 (v - v_rest)(v - v_c) + R I`; at `v >= v_peak`: `v <- v_reset`.
//! Units: ms, mV, MOhm, pA (R I in mV: 1 MOhm x 1 pA = 1e-3 mV).

use super::{Dynamics, State};
use crate::param::{MEMBRANE_MV, VarSpec, params};

params! {
    /// Parameters of the quadratic integrate-and-fire neuron.
    pub struct Qif {
        tau_ms: "τ" "ms" [1.0, 100.0] = 10.0,
            "Membrane time constant.";
        a0: "a_0" "1/mV" [0.01, 1.0] = 0.2,
            "Curvature of the quadratic: sets how fast v runs away above v_c, and the rheobase a_0 (v_c - v_rest)^2 / (4 R).";
        v_rest_mv: "v_rest" "mV" [-90.0, -40.0] = -65.0,
            "Resting potential (the stable fixed point without input).";
        v_c_mv: "v_c" "mV" [-70.0, -20.0] = -50.0,
            "Critical voltage (the unstable fixed point): above it v runs away into a spike.";
        r_mohm: "R" "MΩ" [10.0, 1000.0] = 100.0,
            "Input resistance: R I is the drive in mV.";
        v_peak_mv: "v_peak" "mV" [-40.0, 50.0] = 0.0,
            "Spike cutoff: v is reset when it reaches this value.";
        v_reset_mv: "v_reset" "mV" [-90.0, -30.0] = -70.0,
            "Reset potential after a spike.";
        v0_mv: "v_0" "mV" [-90.0, 0.0] = -65.0,
            "Initial v.";
    }
}

impl Dynamics for Qif {
    const VARS: &'static [VarSpec] = &[VarSpec { key: "v", label: "v", unit: "mV", envelope: MEMBRANE_MV }];
    const CURRENT_UNIT: &'static str = "pA";
    const NAME: &'static str = "Quadratic integrate-and-fire";
    const CURRENT_RANGE: (f64, f64) = (-200.0, 1000.0);
    const DEMO_STEP: f64 = 200.0;

    fn initial_state(&self) -> State {
        [self.v0_mv, 0.0, 0.0, 0.0]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        let v = x[0];
        [(self.a0 * (v - self.v_rest_mv) * (v - self.v_c_mv) + self.r_mohm * i * 1e-3) / self.tau_ms, 0.0, 0.0, 0.0]
    }
    fn diagonal_jacobian(&self, x: &State, _: f64) -> State {
        [self.a0 * (2.0 * x[0] - self.v_rest_mv - self.v_c_mv) / self.tau_ms, 0.0, 0.0, 0.0]
    }
    fn threshold(&self) -> f64 {
        self.v_peak_mv
    }
    fn reset(&self, x: &mut State) {
        x[0] = self.v_reset_mv;
    }
    fn check_relations(&self) -> Result<(), String> {
        if self.v_c_mv <= self.v_rest_mv {
            return Err(format!("v_c_mv ({}) must be above v_rest_mv ({})", self.v_c_mv, self.v_rest_mv));
        }
        if self.v_reset_mv >= self.v_peak_mv {
            return Err(format!("v_reset_mv ({}) must be below v_peak_mv ({})", self.v_reset_mv, self.v_peak_mv));
        }
        Ok(())
    }
}
