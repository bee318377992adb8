//! Izhikevich (2007) model in its `C, k, v_r, v_t, v_peak` form (Dynamical Systems in
//! Neuroscience, ch. 8; the EE746 course tables, SCIENCE.md section 6.3).
//!
//! `C v' = k (v - v_r)(v - v_t) - u + I`, `u' = a (b (v - v_r) - u)`; at `v >= v_peak`:
//! `v <- c`, `u <- u + d`. Units: pF, nS/mV, mV, 1/ms, nS, pA.

use super::{Dynamics, Plane, State};
use crate::param::{ADAPTATION_PA, MEMBRANE_MV, VarSpec, params};

params! {
    /// Parameters of the Izhikevich (2007) model, EE746 RS cell by default.
    pub struct Izhikevich2007 {
        c_pf: "C" "pF" [10.0, 1000.0] = 100.0,
            "Membrane capacitance: scales how fast v moves for a given current.";
        k: "k" "nS/mV" [0.05, 5.0] = 0.7,
            "Gain of the quadratic current k (v - v_r)(v - v_t): sets the steepness of spike upstroke and the f-I slope.";
        v_r_mv: "v_r" "mV" [-90.0, -40.0] = -60.0,
            "Resting potential.";
        v_t_mv: "v_t" "mV" [-70.0, -10.0] = -40.0,
            "Instantaneous threshold potential: above it, v runs away into a spike.";
        v_peak_mv: "v_peak" "mV" [0.0, 60.0] = 35.0,
            "Spike cutoff: v is reset when it reaches this value.";
        a_per_ms: "a" "1/ms" [0.0, 1.0] = 0.03,
            "Recovery rate of u: 1/a is the time constant of adaptation.";
        b_ns: "b" "nS" [-20.0, 20.0] = -2.0,
            "Coupling of u to v - v_r: negative b gives amplifying (regenerative) recovery, positive b resonance.";
        c_mv: "c" "mV" [-90.0, -20.0] = -50.0,
            "Reset potential after a spike.";
        d_pa: "d" "pA" [-100.0, 500.0] = 100.0,
            "After-spike jump of u, i.e. the net outward current that builds up per spike: sets adaptation.";
        v0_mv: "v_0" "mV" [-90.0, 30.0] = -60.0,
            "Initial v (u starts at b (v_0 - v_r)). Rest is v_r; starting at the saddle near v_t spikes at once.";
    }
}

impl Dynamics for Izhikevich2007 {
    const VARS: &'static [VarSpec] = &[
        VarSpec { key: "v", label: "v", unit: "mV", envelope: MEMBRANE_MV },
        VarSpec { key: "u", label: "u", unit: "pA", envelope: ADAPTATION_PA },
    ];
    const CURRENT_UNIT: &'static str = "pA";
    const NAME: &'static str = "Izhikevich (2007, C k v_r v_t)";
    const CURRENT_RANGE: (f64, f64) = (-500.0, 2000.0);
    const DEMO_STEP: f64 = 400.0;

    fn initial_state(&self) -> State {
        [self.v0_mv, self.b_ns * (self.v0_mv - self.v_r_mv), 0.0, 0.0]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        let (v, u) = (x[0], x[1]);
        [
            (self.k * (v - self.v_r_mv) * (v - self.v_t_mv) - u + i) / self.c_pf,
            self.a_per_ms * (self.b_ns * (v - self.v_r_mv) - u),
            0.0,
            0.0,
        ]
    }
    fn diagonal_jacobian(&self, x: &State, _: f64) -> State {
        [self.k * (2.0 * x[0] - self.v_r_mv - self.v_t_mv) / self.c_pf, -self.a_per_ms, 0.0, 0.0]
    }
    fn threshold(&self) -> f64 {
        self.v_peak_mv
    }
    fn reset(&self, x: &mut State) {
        x[0] = self.c_mv;
        x[1] += self.d_pa;
    }
    fn check_relations(&self) -> Result<(), String> {
        if self.v_t_mv <= self.v_r_mv {
            return Err(format!(
                "v_t_mv ({}) must be above v_r_mv ({}): threshold below rest has no stable resting state",
                self.v_t_mv, self.v_r_mv
            ));
        }
        if self.c_mv >= self.v_peak_mv {
            return Err(format!(
                "c_mv ({}) must be below v_peak_mv ({}): the reset would trigger another spike at once",
                self.c_mv, self.v_peak_mv
            ));
        }
        Ok(())
    }
    fn plane(&self) -> Option<Plane> {
        Some(Plane { y_var: 1, v_range: (self.v_r_mv.min(self.c_mv) - 20.0, self.v_peak_mv + 5.0), y_range: None })
    }
}
