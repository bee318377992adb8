//! The membrane of the models linear in V, for the integrators' exact step.

/// The closed form of a leaky membrane `C dV/dt = -g_L (V - E_L) + I_e + I - g V` over one
/// step with `I` and `g` held: the exact scheme of the models linear in V (NEST's propagators).
/// `g_L = 0` is the perfect integrator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    pub e_l: f64,
    pub g_l: f64,
    pub c: f64,
    /// A constant current into the cell, beside any input.
    pub i_e: f64,
}

impl Linear {
    /// `(P, Γ)` for a total conductance `g_total`: over a step V goes to
    /// `(V + q/C) P + (g_L E_L + I_e + I) Γ`, with `P = exp(-g_total dt / C)` and
    /// `Γ = (1 - P) / g_total` (`dt / C` without any conductance).
    #[inline(always)]
    pub fn propagators(&self, g_total: f64, dt_ms: f64, p: f64) -> (f64, f64) {
        let x = g_total * dt_ms / self.c;
        let gain = if x < 1e-9 { dt_ms / self.c * (1.0 - 0.5 * x) } else { (1.0 - p) / g_total };
        (p, gain)
    }
    /// `(P, Γ)` of the membrane alone, prepared once per population and step.
    pub fn prepare(&self, dt_ms: f64) -> (f64, f64) {
        self.propagators(self.g_l, dt_ms, (-self.g_l * dt_ms / self.c).exp())
    }
    /// V just after the step's delta charge arrives: a jump of `charge / C` (none without one).
    #[inline(always)]
    pub fn jump(&self, v: f64, charge: Option<f64>) -> f64 {
        charge.map_or(v, |q| v + q / self.c)
    }
    /// V after a step of a current `current` held from `v` (after any jump), with the
    /// membrane's prepared propagators.
    #[inline(always)]
    pub fn held(&self, v: f64, current: f64, prepared: (f64, f64)) -> f64 {
        self.held_from(v, current, prepared, self.rest_drive())
    }
    /// The same for a neuron of this membrane with its own resting drive.
    #[inline(always)]
    pub fn held_from(&self, v: f64, current: f64, (p, gain): (f64, f64), rest_drive: f64) -> f64 {
        v * p + (rest_drive + current) * gain
    }
    /// `g_L E_L + I_e`: what holds V at rest, besides any input.
    #[inline(always)]
    pub fn rest_drive(&self) -> f64 {
        self.g_l * self.e_l + self.i_e
    }
    /// The same with a conductance `g` held as well (`current` carries its `g E`): the decay
    /// then depends on the neuron's total conductance.
    #[inline(always)]
    pub fn conductance(&self, v: f64, current: f64, g: f64, dt_ms: f64) -> f64 {
        let total = self.g_l + g;
        // `dt / C` is the same for every neuron of a loop (hoisted out of it): one division a
        // neuron, for Γ, instead of three.
        let dt_over_c = dt_ms / self.c;
        let x = total * dt_over_c;
        let p = crate::fastmath::exp(-x);
        let gain = if x < 1e-9 { dt_over_c * (1.0 - 0.5 * x) } else { (1.0 - p) / total };
        self.held(v, current, (p, gain))
    }
    /// The held current equivalent over one step to an exponentially decaying current of time
    /// constant `tau_s` that starts the step at 1: the V it gives at the step's end is the
    /// exact solution (`tau_s (P_s - P_m) / ((tau_s - tau_m)(1 - P_m))`; for the perfect
    /// integrator the current's mean over the step, `tau_s (1 - P_s) / dt`).
    pub fn exponential_current_factor(&self, tau_s: f64, dt_ms: f64) -> f64 {
        let p_s = (-dt_ms / tau_s).exp();
        if self.g_l == 0.0 {
            return tau_s * (1.0 - p_s) / dt_ms;
        }
        let tau_m = self.c / self.g_l;
        let p_m = (-dt_ms / tau_m).exp();
        if ((tau_s - tau_m) / tau_m).abs() < 1e-9 {
            dt_ms * p_m / (tau_m * (1.0 - p_m))
        } else {
            tau_s * (p_s - p_m) / ((tau_s - tau_m) * (1.0 - p_m))
        }
    }
}
