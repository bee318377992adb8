//! Synaptic current kernels, current-based: a spike at `t_k` injects `w K(t - t_k)`.
//!
//! - `Delta`: each spike injects the charge `w x 1 ms` within its step (a current `w / dt`).
//! - `Exponential`: `K(t) = exp(-t/tau)`.
//! - `Alpha`: `K(t) = (t/tau) exp(1 - t/tau)`, peak 1 at `t = tau`.
//! - `DoubleExponential`: `K(t) = exp(-t/tau) - exp(-4t/tau)`, the EE746 course's kernel
//!   (`tau_s = tau/4`, unnormalised, peak 0.47 at `t = 0.46 tau`).
//!
//! Each is advanced exactly per step (its traces decay by `exp(-dt/tau)`), so the current does
//! not depend on how spikes fall relative to the step grid beyond the step they arrive in.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Kernel {
    Delta,
    Exponential { tau_ms: f64 },
    Alpha { tau_ms: f64 },
    DoubleExponential { tau_ms: f64 },
}

impl Kernel {
    pub const NAMES: [&'static str; 4] = ["delta", "exponential", "alpha", "double exponential (tau, tau/4)"];

    pub fn name(&self) -> &'static str {
        Self::NAMES[self.index()]
    }
    pub fn index(&self) -> usize {
        match self {
            Kernel::Delta => 0,
            Kernel::Exponential { .. } => 1,
            Kernel::Alpha { .. } => 2,
            Kernel::DoubleExponential { .. } => 3,
        }
    }
    /// The kernel of the given index with time constant `tau_ms` (ignored by delta).
    pub fn from_index(index: usize, tau_ms: f64) -> Kernel {
        match index {
            0 => Kernel::Delta,
            1 => Kernel::Exponential { tau_ms },
            2 => Kernel::Alpha { tau_ms },
            _ => Kernel::DoubleExponential { tau_ms },
        }
    }
    pub fn tau_ms(&self) -> Option<f64> {
        match *self {
            Kernel::Delta => None,
            Kernel::Exponential { tau_ms } | Kernel::Alpha { tau_ms } | Kernel::DoubleExponential { tau_ms } => {
                Some(tau_ms)
            }
        }
    }

    /// `K(t)` for `t >= 0` (delta: 0 away from the spike).
    pub fn at(&self, t_ms: f64) -> f64 {
        match *self {
            Kernel::Delta => 0.0,
            Kernel::Exponential { tau_ms } => (-t_ms / tau_ms).exp(),
            Kernel::Alpha { tau_ms } => t_ms / tau_ms * (1.0 - t_ms / tau_ms).exp(),
            Kernel::DoubleExponential { tau_ms } => (-t_ms / tau_ms).exp() - (-4.0 * t_ms / tau_ms).exp(),
        }
    }
}

/// A kernel's per-step decay factors for one `dt`, computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Propagator {
    kernel: Kernel,
    dt_ms: f64,
    /// `exp(-dt/tau)` and the second trace's factor (alpha: `exp(-dt/tau)`, double
    /// exponential: `exp(-4 dt/tau)`).
    d1: f64,
    d2: f64,
}

impl Propagator {
    pub fn new(kernel: Kernel, dt_ms: f64) -> Self {
        let (d1, d2) = match kernel {
            Kernel::Delta => (0.0, 0.0),
            Kernel::Exponential { tau_ms } | Kernel::Alpha { tau_ms } => {
                let d = (-dt_ms / tau_ms).exp();
                (d, d)
            }
            Kernel::DoubleExponential { tau_ms } => ((-dt_ms / tau_ms).exp(), (-4.0 * dt_ms / tau_ms).exp()),
        };
        Self { kernel, dt_ms, d1, d2 }
    }
}

/// The running state of one kernel: two traces suffice for all four.
#[derive(Debug, Clone, Copy, Default)]
pub struct KernelState {
    pub x: f64,
    pub y: f64,
}

impl KernelState {
    /// Adds `spikes` arriving in this step, returns `K`-weighted sum for the step, then decays
    /// the traces over `dt_ms`.
    pub fn step(&mut self, kernel: &Kernel, spikes: f64, dt_ms: f64) -> f64 {
        self.advance(&Propagator::new(*kernel, dt_ms), spikes)
    }

    /// [`KernelState::step`] with the decay factors computed beforehand (networks).
    #[inline]
    pub fn advance(&mut self, p: &Propagator, spikes: f64) -> f64 {
        match p.kernel {
            Kernel::Delta => spikes / p.dt_ms,
            Kernel::Exponential { .. } => {
                self.x += spikes;
                let out = self.x;
                self.x *= p.d1;
                out
            }
            Kernel::Alpha { tau_ms } => {
                // x: exp(-t/tau) per spike; y' = (x - y)/tau gives y = (t/tau) exp(-t/tau).
                self.x += spikes;
                let out = std::f64::consts::E * self.y;
                self.y = p.d1 * (self.y + p.dt_ms / tau_ms * self.x);
                self.x *= p.d1;
                out
            }
            Kernel::DoubleExponential { .. } => {
                self.x += spikes;
                self.y += spikes;
                let out = self.x - self.y;
                self.x *= p.d1;
                self.y *= p.d2;
                out
            }
        }
    }

    /// Starts the kernel's output at `value` (a network's initial conductance or current).
    pub fn start_at(kernel: &Kernel, value: f64) -> Self {
        match kernel {
            Kernel::Alpha { .. } => Self { x: 0.0, y: value / std::f64::consts::E },
            _ => Self { x: value, y: 0.0 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepped_kernels_follow_their_closed_forms() {
        let dt = 0.01;
        for kernel in [
            Kernel::Exponential { tau_ms: 5.0 },
            Kernel::Alpha { tau_ms: 5.0 },
            Kernel::DoubleExponential { tau_ms: 15.0 },
        ] {
            let mut state = KernelState::default();
            for n in 0..5000 {
                let value = state.step(&kernel, if n == 0 { 1.0 } else { 0.0 }, dt);
                let exact = kernel.at(n as f64 * dt);
                assert!((value - exact).abs() < 1e-9, "{kernel:?} at step {n}: {value} vs {exact}");
            }
        }
        let mut delta = KernelState::default();
        assert_eq!(delta.step(&Kernel::Delta, 2.0, 0.1), 20.0, "charge 2 x 1 ms in one 0.1 ms step");
        assert!((Kernel::Alpha { tau_ms: 3.0 }.at(3.0) - 1.0).abs() < 1e-12, "alpha peaks at 1");
    }
}
