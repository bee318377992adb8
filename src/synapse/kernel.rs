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
use std::ops::Range;

use crate::team::cut;

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

impl Propagator {
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }
    /// `exp(-dt/tau)`: how much of a current kernel's value is left after one step.
    pub fn decay(&self) -> f64 {
        self.d1
    }
}

/// One kernel's running state for a whole population (struct of arrays: two traces suffice
/// for all four kernels), advanced by loops with the kernel chosen once, not per neuron.
#[derive(Debug, Clone, Default)]
pub struct KernelStates {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl KernelStates {
    pub fn new(n: usize) -> Self {
        Self { x: vec![0.0; n], y: vec![0.0; n] }
    }

    /// Every trace back to 0 (the network at rest).
    pub fn clear(&mut self) {
        self.x.fill(0.0);
        self.y.fill(0.0);
    }

    /// Starts neuron `i`'s kernel output at `value` (a network's initial conductance or current).
    pub fn start_at(&mut self, kernel: &Kernel, i: usize, value: f64) {
        match kernel {
            Kernel::Alpha { .. } => self.y[i] = value / std::f64::consts::E,
            _ => self.x[i] = value,
        }
    }

    /// Adds arrivals into the traces, leaving them 0: what [`KernelPart::advance`] does first
    /// with an exponential kernel's.
    pub fn absorb(&mut self, arrivals: &mut [f32]) {
        for (x, a) in self.x.iter_mut().zip(arrivals) {
            *x += std::mem::take(a) as f64;
        }
    }

    /// The first trace of every neuron: an exponential kernel's value, which spikes add into.
    pub fn first_trace(&mut self) -> &mut [f64] {
        &mut self.x
    }

    /// The traces of neurons `range`.
    pub fn part(&mut self, range: Range<usize>) -> KernelPart<'_> {
        KernelPart { x: &mut self.x[range.clone()], y: &mut self.y[range] }
    }

    /// The traces cut into the consecutive `shares` (covering every neuron).
    pub fn shares(&mut self, shares: &[Range<usize>]) -> Vec<KernelPart<'_>> {
        let (xs, ys) = (cut(&mut self.x, shares), cut(&mut self.y, shares));
        xs.into_iter().zip(ys).map(|(x, y)| KernelPart { x, y }).collect()
    }

    /// [`KernelPart::advance`] for the first `arrivals.len()` neurons.
    #[inline(always)]
    pub fn advance<A: Copy + Default + Into<f64>>(
        &mut self,
        p: &Propagator,
        arrivals: &mut [A],
        out: impl FnMut(usize, f64),
    ) {
        self.part(0..arrivals.len()).advance(p, arrivals, out)
    }
}

/// One kernel's traces for a stretch of a population's neurons (a team member's share, or all).
pub struct KernelPart<'a> {
    x: &'a mut [f64],
    y: &'a mut [f64],
}

impl KernelPart<'_> {
    /// The same traces, borrowed for a while.
    pub fn reborrow(&mut self) -> KernelPart<'_> {
        KernelPart { x: &mut *self.x, y: &mut *self.y }
    }

    /// For each neuron `i`: takes `arrivals[i]` (the weights of the spikes arriving in this
    /// step, leaving 0), hands the kernel's output over the step to `out(i, value)`, then
    /// decays the traces over `dt`. A delta kernel's output is the charge `w x 1 ms` delivered
    /// within the step (model current unit x ms); the others' is a current. The kernel is
    /// matched once; each loop is straight-line code over one length. Arrivals are `f64` from a
    /// stimulus, `f32` from a network's delay ring.
    #[inline(always)]
    pub fn advance<A: Copy + Default + Into<f64>>(
        &mut self,
        p: &Propagator,
        arrivals: &mut [A],
        mut out: impl FnMut(usize, f64),
    ) {
        let n = arrivals.len();
        let (x, y) = (&mut self.x[..n], &mut self.y[..n]);
        match p.kernel {
            Kernel::Delta => {
                for (i, a) in arrivals.iter_mut().enumerate() {
                    out(i, std::mem::take(a).into());
                }
            }
            Kernel::Exponential { .. } => {
                for (i, (a, x)) in arrivals.iter_mut().zip(x).enumerate() {
                    *x += std::mem::take(a).into();
                    out(i, *x);
                    *x *= p.d1;
                }
            }
            Kernel::Alpha { tau_ms } => {
                // x: exp(-t/tau) per spike; y' = (x - y)/tau gives y = (t/tau) exp(-t/tau).
                let rise = p.dt_ms / tau_ms;
                for (i, ((a, x), y)) in arrivals.iter_mut().zip(x).zip(y).enumerate() {
                    *x += std::mem::take(a).into();
                    out(i, std::f64::consts::E * *y);
                    *y = p.d1 * (*y + rise * *x);
                    *x *= p.d1;
                }
            }
            Kernel::DoubleExponential { .. } => {
                for (i, ((a, x), y)) in arrivals.iter_mut().zip(x).zip(y).enumerate() {
                    let a: f64 = std::mem::take(a).into();
                    *x += a;
                    *y += a;
                    out(i, *x - *y);
                    *x *= p.d1;
                    *y *= p.d2;
                }
            }
        }
    }

    /// [`KernelPart::advance`] for two exponential kernels of one population in one pass
    /// (excitation and inhibition): `out(i, a, b)` gets both outputs, so the population's
    /// input is summed without a pass per synapse type. The same operations per kernel, so
    /// the same values.
    #[inline(always)]
    pub fn advance_pair(
        (sa, pa, arrivals_a): (&mut Self, &Propagator, &mut [f32]),
        (sb, pb, arrivals_b): (&mut Self, &Propagator, &mut [f32]),
        mut out: impl FnMut(usize, f64, f64),
    ) {
        debug_assert!(matches!((pa.kernel, pb.kernel), (Kernel::Exponential { .. }, Kernel::Exponential { .. })));
        let n = arrivals_a.len();
        let (xa, xb, arrivals_b) = (&mut sa.x[..n], &mut sb.x[..n], &mut arrivals_b[..n]);
        let (da, db) = (pa.d1, pb.d1);
        for i in 0..n {
            xa[i] += std::mem::take(&mut arrivals_a[i]) as f64;
            xb[i] += std::mem::take(&mut arrivals_b[i]) as f64;
            out(i, xa[i], xb[i]);
            xa[i] *= da;
            xb[i] *= db;
        }
    }
}

/// What a population's synapses hold over a step, neuron by neuron, for a membrane step that
/// takes it inside its own loop: one pass over the neurons instead of one per synapse type and
/// one for the membrane.
pub trait HeldCurrent {
    /// Whether it carries any synapses (`()` carries none).
    const ACTIVE: bool;
    /// The neurons it holds synapses for.
    fn neurons(&self) -> usize;
    /// Neuron `k`'s current and conductance over this step (`I(V) = current - conductance V`),
    /// taking its arrivals and advancing its kernels.
    ///
    /// # Safety
    /// `k < self.neurons()`.
    unsafe fn take_unchecked(&mut self, k: usize) -> (f64, f64);
}

impl HeldCurrent for () {
    const ACTIVE: bool = false;
    fn neurons(&self) -> usize {
        0
    }
    #[inline(always)]
    unsafe fn take_unchecked(&mut self, _: usize) -> (f64, f64) {
        (0.0, 0.0)
    }
}

/// `T` exponential synapse types of one population, all current or all conductance synapses
/// (`CONDUCTANCE`):
/// each type's traces and arrivals of this step, its decay over a step, and what turns its
/// value into the held input (a current synapse's factor: the exact scheme's, else 1; a
/// conductance synapse's reversal potential). Without a `RING` the step's spikes are already
/// in the traces and there are no arrivals to take.
pub struct HeldExponentials<'a, const T: usize, const CONDUCTANCE: bool, const RING: bool> {
    n: usize,
    /// Per type: its traces and this step's arrivals, both `n` long (arrivals empty without
    /// a ring).
    lanes: [(&'a mut [f64], &'a mut [f32]); T],
    decay: [f64; T],
    factor: [f64; T],
}

impl<'a, const T: usize, const CONDUCTANCE: bool, const RING: bool> HeldExponentials<'a, T, CONDUCTANCE, RING> {
    /// The types as `(states, propagator, arrivals of this step, factor or reversal
    /// potential)`, each for the same neurons.
    pub fn new(types: [(&'a mut KernelStates, &Propagator, &'a mut [f32], f64); T]) -> Self {
        let n = types.first().map_or(0, |t| t.0.x.len());
        let (mut decay, mut factor) = ([0.0; T], [0.0; T]);
        for (j, (states, p, arrivals, f)) in types.iter().enumerate() {
            assert!(matches!(p.kernel, Kernel::Exponential { .. }) && states.x.len() == n);
            assert_eq!(arrivals.len(), if RING { n } else { 0 });
            (decay[j], factor[j]) = (p.d1, *f);
        }
        let lanes = types.map(|(states, _, arrivals, _)| (&mut states.x[..n], arrivals));
        Self { n, lanes, decay, factor }
    }
}

impl<const T: usize, const CONDUCTANCE: bool, const RING: bool> HeldExponentials<'_, T, CONDUCTANCE, RING> {
    /// Neuron `k`'s current and conductance over this step, as [`HeldCurrent::take_unchecked`]
    /// will give them, taking nothing (what a traced neuron's input shows).
    pub fn peek(&self, k: usize) -> (f64, f64) {
        let mut held = (0.0, 0.0);
        for (j, (traces, arrivals)) in self.lanes.iter().enumerate() {
            let arrived = if RING { arrivals[k] as f64 } else { 0.0 };
            self.add(j, traces[k] + arrived, &mut held);
        }
        held
    }

    /// Adds type `j`'s value `x` over the step into the `(current, conductance)` held.
    #[inline(always)]
    fn add(&self, j: usize, x: f64, (current, conductance): &mut (f64, f64)) {
        if CONDUCTANCE {
            *conductance += x;
        }
        *current += self.factor[j] * x;
    }
}

impl<const T: usize, const CONDUCTANCE: bool, const RING: bool> HeldCurrent
    for HeldExponentials<'_, T, CONDUCTANCE, RING>
{
    const ACTIVE: bool = true;
    fn neurons(&self) -> usize {
        self.n
    }
    #[inline(always)]
    unsafe fn take_unchecked(&mut self, k: usize) -> (f64, f64) {
        let mut held = (0.0, 0.0);
        for j in 0..T {
            let (traces, arrivals) = &mut self.lanes[j];
            // SAFETY: the traces are `n` long (checked in `new`), and `k < n` (the caller's promise).
            let x = unsafe { traces.get_unchecked_mut(k) };
            // As `advance`: the arrivals join the trace, its value is the step's, then it decays.
            if RING {
                // SAFETY: with a ring the arrivals are `n` long too (checked in `new`).
                *x += std::mem::take(unsafe { arrivals.get_unchecked_mut(k) }) as f64;
            }
            let value = *x;
            *x *= self.decay[j];
            self.add(j, value, &mut held);
        }
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_exponentials_give_what_advance_gives() {
        let (pa, pb) = (
            Propagator::new(Kernel::Exponential { tau_ms: 5.0 }, 0.1),
            Propagator::new(Kernel::Exponential { tau_ms: 10.0 }, 0.1),
        );
        let (mut a, mut b, mut a2, mut b2) =
            (KernelStates::new(3), KernelStates::new(3), KernelStates::new(3), KernelStates::new(3));
        for step in 0..50 {
            let arrivals = |s: f32| [s * (step % 7) as f32, 0.0, -s * (step % 3) as f32];
            let (mut ra, mut rb) = (arrivals(1.5), arrivals(-0.25));
            let mut expected = [(0.0, 0.0); 3];
            a.advance(&pa, &mut ra.clone(), |i, x| expected[i] = (2.0 * x, x));
            b.advance(&pb, &mut rb.clone(), |i, x| expected[i] = (expected[i].0 + 3.0 * x, expected[i].1 + x));
            let mut held =
                HeldExponentials::<2, true, true>::new([(&mut a2, &pa, &mut ra, 2.0), (&mut b2, &pb, &mut rb, 3.0)]);
            for (k, want) in expected.iter().enumerate() {
                // SAFETY: k < 3, the neurons held.
                assert_eq!(unsafe { held.take_unchecked(k) }, *want, "step {step}, neuron {k}");
            }
            assert_eq!((ra, rb), ([0.0; 3], [0.0; 3]), "the arrivals are taken");
        }
    }

    #[test]
    fn stepped_kernels_follow_their_closed_forms() {
        let dt = 0.01;
        for kernel in [
            Kernel::Exponential { tau_ms: 5.0 },
            Kernel::Alpha { tau_ms: 5.0 },
            Kernel::DoubleExponential { tau_ms: 15.0 },
        ] {
            let (mut states, p) = (KernelStates::new(1), Propagator::new(kernel, dt));
            for n in 0..5000 {
                let mut value = 0.0;
                states.advance(&p, &mut [if n == 0 { 1.0 } else { 0.0 }], |_, v| value = v);
                let exact = kernel.at(n as f64 * dt);
                assert!((value - exact).abs() < 1e-9, "{kernel:?} at step {n}: {value} vs {exact}");
            }
        }
        let mut charge = 0.0;
        KernelStates::new(1).advance(&Propagator::new(Kernel::Delta, 0.1), &mut [2.0], |_, v| charge = v);
        assert_eq!(charge, 2.0, "two unit spikes through a delta kernel deliver 2 x 1 ms of charge");
        assert!((Kernel::Alpha { tau_ms: 3.0 }.at(3.0) - 1.0).abs() < 1e-12, "alpha peaks at 1");
    }
}
