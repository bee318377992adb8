//! Hodgkin-Huxley (1952) squid axon in the modern convention (rest near -65 mV).
//!
//! `C V' = I - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)`,
//! `x' = phi (alpha_x(V) (1 - x) - beta_x(V) x)` for `x = m, h, n`, with the rate functions of
//! Dayan & Abbott (2001) section 5.6 and NEURON's `hh.mod`, and `phi = 3^((T - 6.3)/10)`.
//! Units: uF/cm^2, mS/cm^2, mV, ms, uA/cm^2. The spike is part of the dynamics: no reset;
//! a spike is an upward crossing of `V_spike`.

use super::{Dynamics, Plane, State};
use crate::param::{GATE, MEMBRANE_MV, VarSpec, params};

params! {
    /// Parameters of the Hodgkin-Huxley squid axon (Dayan & Abbott 2001).
    pub struct HodgkinHuxley {
        c_uf: "C" "µF/cm²" [0.1, 10.0] = 1.0,
            "Membrane capacitance per area: how much charge moves V by 1 mV.";
        g_na: "g_Na" "mS/cm²" [0.0, 240.0] = 120.0,
            "Peak sodium conductance: drives the upstroke. 0 is a TTX block: no action potentials.";
        g_k: "g_K" "mS/cm²" [0.0, 100.0] = 36.0,
            "Peak delayed-rectifier potassium conductance: repolarises. 0 is a TEA block: the spike cannot come down properly.";
        g_l: "g_L" "mS/cm²" [0.0, 3.0] = 0.3,
            "Leak conductance: sets the passive membrane time constant C/g_L with the channels closed.";
        e_na: "E_Na" "mV" [0.0, 100.0] = 50.0,
            "Sodium reversal potential: the ceiling the upstroke heads for.";
        e_k: "E_K" "mV" [-110.0, -50.0] = -77.0,
            "Potassium reversal potential: the floor of the after-hyperpolarisation.";
        e_l: "E_L" "mV" [-80.0, -30.0] = -54.387,
            "Leak reversal potential; -54.387 mV gives rest at -65.0 mV (Dayan & Abbott). NEURON uses -54.3, the EE746 course -55.";
        celsius: "T" "°C" [0.0, 40.0] = 6.3,
            "Temperature: every rate is scaled by 3^((T - 6.3)/10). Warmer is faster: narrower spikes, higher rates, and above about 30 °C no spikes at all.";
        v_spike_mv: "V_spike" "mV" [-40.0, 40.0] = 0.0,
            "Spike detection level: an upward crossing counts as a spike (it does not change the dynamics).";
        v0_mv: "V_0" "mV" [-100.0, 50.0] = -65.0,
            "Initial V; the gates start at their steady-state values for it.";
    }
}

/// `x / (1 - exp(-x / y))`, with its removable singularity at `x = 0` handled.
#[inline]
fn vtrap(x: f64, y: f64) -> f64 {
    if (x / y).abs() < 1e-6 { y * (1.0 + x / (2.0 * y)) } else { x / (1.0 - (-x / y).exp()) }
}

impl HodgkinHuxley {
    /// `(alpha, beta)` of m, h and n at `v`, in 1/ms at the model's temperature.
    pub fn rates(&self, v: f64) -> [(f64, f64); 3] {
        let q = 3f64.powf((self.celsius - 6.3) / 10.0);
        [
            (0.1 * vtrap(v + 40.0, 10.0), 4.0 * (-(v + 65.0) / 18.0).exp()),
            (0.07 * (-(v + 65.0) / 20.0).exp(), 1.0 / (1.0 + (-(v + 35.0) / 10.0).exp())),
            (0.01 * vtrap(v + 55.0, 10.0), 0.125 * (-(v + 65.0) / 80.0).exp()),
        ]
        .map(|(a, b)| (q * a, q * b))
    }

    /// Steady-state gate values `[m, h, n]` at `v`.
    pub fn gates_at_rest(&self, v: f64) -> [f64; 3] {
        self.rates(v).map(|(a, b)| a / (a + b))
    }

    /// Ionic currents `[I_Na, I_K, I_L]` in uA/cm^2 (outward positive).
    pub fn currents(&self, x: &State) -> [f64; 3] {
        let (v, m, h, n) = (x[0], x[1], x[2], x[3]);
        [
            self.g_na * m * m * m * h * (v - self.e_na),
            self.g_k * n * n * n * n * (v - self.e_k),
            self.g_l * (v - self.e_l),
        ]
    }

    /// Reversal potentials in the order of [`HodgkinHuxley::currents`].
    pub fn reversals(&self) -> [f64; 3] {
        [self.e_na, self.e_k, self.e_l]
    }
}

impl Dynamics for HodgkinHuxley {
    const VARS: &'static [VarSpec] = &[
        VarSpec { key: "v", label: "V", unit: "mV", envelope: MEMBRANE_MV },
        VarSpec { key: "m", label: "m", unit: "", envelope: GATE },
        VarSpec { key: "h", label: "h", unit: "", envelope: GATE },
        VarSpec { key: "n", label: "n", unit: "", envelope: GATE },
    ];
    const CURRENT_UNIT: &'static str = "µA/cm²";
    const NAME: &'static str = "Hodgkin-Huxley (squid axon)";
    const CURRENT_RANGE: (f64, f64) = (-20.0, 100.0);
    const DEMO_STEP: f64 = 10.0;

    fn initial_state(&self) -> State {
        let [m, h, n] = self.gates_at_rest(self.v0_mv);
        [self.v0_mv, m, h, n]
    }
    fn derivatives(&self, x: &State, i: f64) -> State {
        self.derivatives_and_jacobian(x, i).0
    }
    fn diagonal_jacobian(&self, x: &State, i: f64) -> State {
        self.derivatives_and_jacobian(x, i).1
    }
    /// The six rate functions (the cost of a step) are evaluated once for both.
    fn derivatives_and_jacobian(&self, x: &State, i: f64) -> (State, State) {
        let (v, m, h, n) = (x[0], x[1], x[2], x[3]);
        let [(am, bm), (ah, bh), (an, bn)] = self.rates(v);
        let (g_na, g_k) = (self.g_na * m * m * m * h, self.g_k * n * n * n * n);
        let ionic = g_na * (v - self.e_na) + g_k * (v - self.e_k) + self.g_l * (v - self.e_l);
        let derivatives =
            [(i - ionic) / self.c_uf, am * (1.0 - m) - bm * m, ah * (1.0 - h) - bh * h, an * (1.0 - n) - bn * n];
        let jacobian = [-(g_na + g_k + self.g_l) / self.c_uf, -(am + bm), -(ah + bh), -(an + bn)];
        (derivatives, jacobian)
    }
    fn threshold(&self) -> f64 {
        self.v_spike_mv
    }
    fn resets(&self) -> bool {
        false
    }
    fn current_gain(&self) -> f64 {
        1.0 / self.c_uf
    }
    fn reset(&self, _: &mut State) {}
    fn plane(&self) -> Option<Plane> {
        Some(Plane { y_var: 3, v_range: (-85.0, 50.0), y_range: Some((0.0, 1.0)) })
    }
    /// Rinzel's (1985) reduction to (V, n): m follows V at once (`m = m_inf(V)`) and
    /// `h = 0.89 - 1.1 n`, the linear relation between h and n along the spike (Izhikevich
    /// 2007, section 5.1).
    fn on_plane(&self, v: f64, n: f64) -> State {
        let [m, _, _] = self.gates_at_rest(v);
        [v, m, (0.89 - 1.1 * n).clamp(0.0, 1.0), n]
    }
}
