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
}

impl Integrator {
    pub const ALL: [Integrator; 2] = [Integrator::Euler, Integrator::Rk4];

    pub fn name(self) -> &'static str {
        match self {
            Integrator::Euler => "Euler",
            Integrator::Rk4 => "RK4",
        }
    }

    /// Advances `x` by `h` ms under a current `i` held constant over the step.
    #[inline]
    pub fn advance<M: Dynamics>(self, model: &M, x: &State, i: f64, h: f64) -> State {
        match self {
            Integrator::Euler => axpy(x, h, &model.derivatives(x, i)),
            Integrator::Rk4 => {
                let k1 = model.derivatives(x, i);
                let k2 = model.derivatives(&axpy(x, 0.5 * h, &k1), i);
                let k3 = model.derivatives(&axpy(x, 0.5 * h, &k2), i);
                let k4 = model.derivatives(&axpy(x, h, &k3), i);
                let mut out = *x;
                for j in 0..MAX_VARS {
                    out[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
                }
                out
            }
        }
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
