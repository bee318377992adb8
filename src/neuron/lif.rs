//! Leaky integrate-and-fire with an absolute refractory period.
//!
//! `C dV/dt = -g_L (V - E_L) + I`; at `V >= V_th` a spike, `V <- V_reset`, clamped for `t_ref`.
//! Units: pF, nS, mV, ms, pA (pA/pF = mV/ms). Analytic f-I curve: `analysis::lif_rate_hz`.

use super::{Dynamics, State};
use crate::param::{MEMBRANE_MV, VarSpec, params};

params! {
    /// Parameters of the leaky integrate-and-fire neuron.
    pub struct Lif {
        c_pf: "C" "pF" [10.0, 1000.0] = 200.0,
            "Membrane capacitance. With g_L it sets the membrane time constant tau_m = C/g_L: a larger C integrates input more slowly.";
        g_l_ns: "g_L" "nS" [0.0, 100.0] = 10.0,
            "Leak conductance. Pulls V back to E_L; the current needed to reach threshold (rheobase) is g_L (V_th - E_L). 0 is the perfect (non-leaky) integrator.";
        e_l_mv: "E_L" "mV" [-90.0, -40.0] = -70.0,
            "Leak reversal (resting) potential: where V settles without input.";
        v_th_mv: "V_th" "mV" [-70.0, 40.0] = -50.0,
            "Spike threshold: when V reaches it, a spike is emitted and V is reset.";
        v_reset_mv: "V_reset" "mV" [-90.0, -30.0] = -65.0,
            "Reset potential after a spike. Closer to V_th means a shorter interval to the next spike.";
        t_ref_ms: "t_ref" "ms" [0.0, 20.0] = 2.0,
            "Absolute refractory period: V is held at V_reset this long after each spike, capping the rate at 1/t_ref.";
        i_e_pa: "I_e" "pA" [-10000.0, 10000.0] = 0.0,
            "A constant current into the cell (NEST's I_e), beside any stimulus or synapse: a bias.";
        v0_mv: "V_0" "mV" [-90.0, 40.0] = -70.0,
            "Initial membrane potential at the start of a run and after reset.";
    }
}

impl Dynamics for Lif {
    const VARS: &'static [VarSpec] = &[VarSpec { key: "v", label: "V", unit: "mV", envelope: MEMBRANE_MV }];
    const CURRENT_UNIT: &'static str = "pA";
    const NAME: &'static str = "Leaky integrate-and-fire";
    const CURRENT_RANGE: (f64, f64) = (-1000.0, 6000.0);
    const DEMO_STEP: f64 = 300.0;

    fn initial_state(&self) -> State {
        [self.v0_mv, 0.0, 0.0, 0.0]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        [(-self.g_l_ns * (x[0] - self.e_l_mv) + self.i_e_pa + i) / self.c_pf, 0.0, 0.0, 0.0]
    }
    fn diagonal_jacobian(&self, _: &State, _: f64) -> State {
        [-self.g_l_ns / self.c_pf, 0.0, 0.0, 0.0]
    }
    fn threshold(&self) -> f64 {
        self.v_th_mv
    }
    fn reset(&self, x: &mut State) {
        x[0] = self.v_reset_mv;
    }
    fn refractory_ms(&self) -> f64 {
        self.t_ref_ms
    }
    fn current_gain(&self) -> f64 {
        1.0 / self.c_pf
    }
    /// Linear in V, nothing runs away: unbounded, so that V between v_th and an adaptive
    /// threshold above it (Diehl & Cook's θ) follows the membrane's own equation.
    fn v_bound(&self) -> f64 {
        f64::INFINITY
    }
    fn linear(&self) -> Option<crate::neuron::Linear> {
        Some(crate::neuron::Linear { e_l: self.e_l_mv, g_l: self.g_l_ns, c: self.c_pf, i_e: self.i_e_pa })
    }
    fn check_relations(&self) -> Result<(), String> {
        if self.v_reset_mv >= self.v_th_mv {
            return Err(format!(
                "v_reset_mv ({}) must be below v_th_mv ({}): a reset above threshold would fire again at once",
                self.v_reset_mv, self.v_th_mv
            ));
        }
        Ok(())
    }
}

impl Lif {
    pub fn tau_m_ms(&self) -> f64 {
        self.c_pf / self.g_l_ns
    }
}
