//! Fixed-step integrators for a model's state.

use serde::{Deserialize, Serialize};

use crate::neuron::{Dynamics, MAX_VARS, State};

/// The scheme that advances a neuron's state over one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Integrator {
    /// Forward Euler: first order, cheapest; the scheme of most published scripts.
    Euler,
    /// Classic fourth-order Runge-Kutta: four evaluations a step, error ~ dt^4.
    #[default]
    Rk4,
    /// Exponential Euler: each variable relaxes exponentially with its own rate
    /// (`x += h phi(J h) f`, `J = df/dx` on the diagonal, `phi(z) = (e^z - 1)/z`). Exact for the
    /// gates of Hodgkin-Huxley and for conductance-based V with the others frozen (Rush-Larsen);
    /// stable for stiff gates at steps where Euler explodes.
    ExponentialEuler,
    /// The scheme of Izhikevich's (2004) figure script: forward Euler for v, then u from the
    /// *new* v, the spike test `v > v_peak` after the update, the spike stamped at the step's
    /// start and no interpolation. Reproduces the published figure to the step.
    Izhikevich2004,
    /// The scheme of Izhikevich's (2003) network script `net.m`: v in two Euler half steps
    /// with the input held, then the other variables from the new v over the whole step; the
    /// spike test after the update, no interpolation. At dt = 1 ms it is the script itself.
    Izhikevich2003,
}

impl Integrator {
    pub const ALL: [Integrator; 5] = [
        Integrator::Euler,
        Integrator::Rk4,
        Integrator::ExponentialEuler,
        Integrator::Izhikevich2004,
        Integrator::Izhikevich2003,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Integrator::Euler => "Euler",
            Integrator::Rk4 => "RK4",
            Integrator::ExponentialEuler => "Exponential Euler",
            Integrator::Izhikevich2004 => "Izhikevich 2004 figure",
            Integrator::Izhikevich2003 => "Izhikevich 2003 network (v half steps)",
        }
    }

    /// Schemes that locate the spike inside the step; the figure scheme stamps the step start.
    pub fn interpolates_spikes(self) -> bool {
        !matches!(self, Integrator::Izhikevich2004 | Integrator::Izhikevich2003)
    }

    /// Advances `x` by `h` ms under a current `i` held constant over the step.
    #[inline]
    pub fn advance<M: Dynamics>(self, model: &M, x: &State, i: f64, h: f64) -> State {
        self.advance_driven(model, x, Drive::current(i), h)
    }

    /// Advances `x` by `h` ms under a drive held constant over the step; a conductance part is
    /// re-evaluated at every stage's membrane potential.
    #[inline]
    pub fn advance_driven<M: Dynamics>(self, model: &M, x: &State, drive: Drive, h: f64) -> State {
        let f = |x: &State| model.derivatives(x, drive.at(x[0]));
        match self {
            Integrator::Euler => axpy(x, h, &f(x)),
            Integrator::Rk4 => {
                let k1 = f(x);
                let k2 = f(&axpy(x, 0.5 * h, &k1));
                let k3 = f(&axpy(x, 0.5 * h, &k2));
                let k4 = f(&axpy(x, h, &k3));
                let mut out = *x;
                for j in 0..MAX_VARS {
                    out[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
                }
                out
            }
            Integrator::ExponentialEuler => {
                let i = drive.at(x[0]);
                let (f, mut jac) = model.derivatives_and_jacobian(x, i);
                if drive.conductance != 0.0 {
                    // d/dV of the conductance current, through dV/dt's (linear) dependence on I.
                    let gain = model.derivatives(x, i + 1.0)[0] - f[0];
                    jac[0] -= drive.conductance * gain;
                }
                let mut out = *x;
                for j in 0..MAX_VARS {
                    out[j] += h * phi(jac[j] * h) * f[j];
                }
                out
            }
            Integrator::Izhikevich2004 => {
                // Variables in order, each from the already-updated ones (u sees the new v).
                let mut out = *x;
                for j in 0..M::VARS.len() {
                    out[j] = x[j] + h * f(&out)[j];
                }
                out
            }
            Integrator::Izhikevich2003 => {
                let mut out = *x;
                for _ in 0..2 {
                    out[0] += 0.5 * h * f(&out)[0];
                }
                let f_new = f(&out);
                for j in 1..M::VARS.len() {
                    out[j] = x[j] + h * f_new[j];
                }
                out
            }
        }
    }
}

/// The input of a neuron over one step: `I(V) = current - conductance V`. Conductance-based
/// synapses contribute `g` to `conductance` and `g E` to `current`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Drive {
    pub current: f64,
    pub conductance: f64,
}

impl Drive {
    pub fn current(i: f64) -> Self {
        Self { current: i, conductance: 0.0 }
    }
    #[inline]
    pub fn at(&self, v: f64) -> f64 {
        self.current - self.conductance * v
    }
}

/// `(e^z - 1) / z`, continuous at 0.
#[inline]
fn phi(z: f64) -> f64 {
    if z.abs() < 1e-6 { 1.0 + 0.5 * z } else { z.exp_m1() / z }
}

/// `x + h * d`
#[inline]
fn axpy(x: &State, h: f64, d: &State) -> State {
    let mut out = *x;
    for j in 0..MAX_VARS {
        out[j] += h * d[j];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::{Izhikevich, Lif};

    #[test]
    fn exponential_euler_is_exact_for_the_linear_lif() {
        let lif = Lif { v0_mv: -75.0, ..Lif::default() };
        let x = lif.initial_state();
        let next = Integrator::ExponentialEuler.advance(&lif, &x, 150.0, 7.0);
        let v_inf = lif.e_l_mv + 150.0 / lif.g_l_ns;
        let exact = v_inf + (x[0] - v_inf) * (-7.0 / lif.tau_m_ms()).exp();
        assert!((next[0] - exact).abs() < 1e-12);
    }

    #[test]
    fn figure_scheme_updates_u_from_the_new_v() {
        let izh = Izhikevich::default();
        let x = [-70.0, -14.0, 0.0, 0.0];
        let next = Integrator::Izhikevich2004.advance(&izh, &x, 10.0, 0.25);
        let v = -70.0 + 0.25 * (0.04 * 4900.0 - 350.0 + 140.0 + 14.0 + 10.0);
        assert_eq!(next[0], v);
        assert_eq!(next[1], -14.0 + 0.25 * 0.02 * (0.2 * v + 14.0));
    }
}
