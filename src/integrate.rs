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
    /// The exact propagator of a model linear in V (leaky integrate-and-fire), as NEST's
    /// `iaf_psc_*` and Brian2's `exact` method: V over the step in closed form with the
    /// stimulus held, each exponential current synapse decaying inside the step as it really
    /// does, and a delta synapse's charge `q` as a jump `q / C` at the step's start (input
    /// arriving while the neuron is refractory is lost). Conductance synapses are held over
    /// the step (exponential Euler). Spikes fall on the step grid, at its end.
    Exact,
}

impl Integrator {
    pub const ALL: [Integrator; 6] = [
        Integrator::Euler,
        Integrator::Rk4,
        Integrator::ExponentialEuler,
        Integrator::Exact,
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
            Integrator::Exact => "Exact (linear models)",
        }
    }

    /// Schemes that locate the spike inside the step (unless the run puts spikes on the grid);
    /// the others test the threshold at the step's end.
    pub fn interpolates_spikes(self) -> bool {
        !matches!(self, Integrator::Izhikevich2004 | Integrator::Izhikevich2003 | Integrator::Exact)
    }

    /// Schemes that stamp a spike found at the step's end with the step's start time, as the
    /// published scripts they reproduce do.
    pub fn stamps_step_start(self) -> bool {
        matches!(self, Integrator::Izhikevich2004 | Integrator::Izhikevich2003)
    }

    /// A small code for monomorphised loops (`const` generic parameters).
    pub const fn code(self) -> u8 {
        self as u8
    }
    /// The integrator of [`Integrator::code`].
    #[inline(always)]
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Integrator::Euler,
            1 => Integrator::Rk4,
            2 => Integrator::ExponentialEuler,
            3 => Integrator::Izhikevich2004,
            4 => Integrator::Izhikevich2003,
            _ => Integrator::Exact,
        }
    }

    /// Advances `x` by `h` ms under a current `i` held constant over the step.
    #[inline]
    pub fn advance<M: Dynamics>(self, model: &M, x: &State, i: f64, h: f64) -> State {
        self.advance_driven(model, x, Drive::current(i), h)
    }

    /// Advances `x` by `h` ms under a drive held constant over the step; a conductance part is
    /// re-evaluated at every stage's membrane potential, bounded by [`Dynamics::v_bound`] as
    /// the model's own terms are (the published scripts' schemes see V as the scripts do, for
    /// the model they were written for).
    #[inline(always)]
    pub fn advance_driven<M: Dynamics>(self, model: &M, x: &State, drive: Drive, h: f64) -> State {
        let ceiling = model.v_bound();
        let bounded = |x: &State| {
            let mut y = *x;
            y[0] = y[0].min(ceiling);
            y
        };
        let f = |x: &State| {
            let y = bounded(x);
            model.derivatives(&y, drive.at(y[0]))
        };
        let script = |x: &State| if M::SCRIPTED { model.derivatives(x, drive.at(x[0])) } else { f(x) };
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
            // Exact is exponential Euler for the linear models it accepts (the population's
            // step takes their closed form directly; this serves single evaluations).
            Integrator::ExponentialEuler | Integrator::Exact => {
                let y = bounded(x);
                let (f, mut jac) = model.derivatives_and_jacobian(&y, drive.at(y[0]));
                // d/dV of the conductance current, through dV/dt's (linear) dependence on I.
                jac[0] -= drive.conductance * model.current_gain();
                let mut out = *x;
                for j in 0..MAX_VARS {
                    out[j] += h * crate::fastmath::phi(jac[j] * h) * f[j];
                }
                out
            }
            Integrator::Izhikevich2004 => {
                // Variables in order, each from the already-updated ones (u sees the new v).
                let mut out = *x;
                for j in 0..M::VARS.len() {
                    out[j] = x[j] + h * script(&out)[j];
                }
                out
            }
            Integrator::Izhikevich2003 => {
                let mut out = *x;
                for _ in 0..2 {
                    out[0] += 0.5 * h * script(&out)[0];
                }
                let f_new = script(&out);
                for j in 1..M::VARS.len() {
                    out[j] = x[j] + h * f_new[j];
                }
                out
            }
        }
    }
}

/// When a spike happens within its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SpikeTiming {
    /// At the threshold crossing inside the step, located to the integrator's accuracy (the
    /// neuron is reset there and integrated for the rest of the step).
    #[default]
    Interpolated,
    /// On the step grid, as Brian2 and NEST's grid models do: the threshold is tested at the
    /// step's end, the spike carries that time, and refractoriness lasts `round(t_ref / dt)`
    /// whole steps. Cheaper, and what the benchmark workloads specify.
    Grid,
}

impl SpikeTiming {
    pub const ALL: [SpikeTiming; 2] = [SpikeTiming::Interpolated, SpikeTiming::Grid];
    pub fn name(self) -> &'static str {
        match self {
            SpikeTiming::Interpolated => "interpolated",
            SpikeTiming::Grid => "on the step grid",
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
    /// A current and a conductance held over a step of `dt_ms`, with a delta input's `charge`
    /// spread over it as a current (what schemes that integrate a held drive see).
    #[inline(always)]
    pub fn spread(current: f64, conductance: f64, charge: f64, dt_ms: f64) -> Self {
        Self { current: current + charge / dt_ms, conductance }
    }
    #[inline]
    pub fn at(&self, v: f64) -> f64 {
        self.current - self.conductance * v
    }
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
    fn lif_above_its_threshold_follows_its_own_equation() {
        // Between v_th and an adaptive threshold above it, V relaxes as the membrane says: the
        // bound at the threshold is for models that run away, which LIF does not.
        let lif = Lif::default();
        let x = [lif.v_th_mv + 3.0, 0.0, 0.0, 0.0];
        let (i, h) = (400.0, 0.1);
        let v_inf = lif.e_l_mv + i / lif.g_l_ns;
        let exact = v_inf + (x[0] - v_inf) * (-h / lif.tau_m_ms()).exp();
        assert!((Integrator::Rk4.advance(&lif, &x, i, h)[0] - exact).abs() < 1e-9);
    }

    #[test]
    fn adex_sees_v_bounded_at_v_peak_inside_a_step() {
        // A stage past V_peak feeds w with V_peak's drive, not with the overshoot.
        use crate::neuron::AdEx;
        let adex = AdEx::default();
        let x = [adex.v_peak_mv + 500.0, 0.0, 0.0, 0.0];
        let at_peak = [adex.v_peak_mv, 0.0, 0.0, 0.0];
        let next = Integrator::Euler.advance(&adex, &x, 0.0, 0.1);
        let bounded = Integrator::Euler.advance(&adex, &at_peak, 0.0, 0.1);
        assert_eq!(next[1], bounded[1]);
        assert_eq!(next[0] - x[0], bounded[0] - at_peak[0]);
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
