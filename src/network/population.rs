//! A population: one model, per-variable state arrays, refractory clocks, and its step.
//!
//! The step is chosen once per population and step, not per neuron: `with_model!` and
//! `with_integrator!` turn the model and the integrator into type and constant parameters of
//! a monomorphised loop. On the step grid a population takes two passes, an integrate pass
//! without branches or early exits (it vectorises where the model's arithmetic allows), then a
//! threshold scan whose rare hits take the cold path (spike, reset, refractory clock). Models
//! linear in V under the exact or exponential-Euler scheme step by their closed form with the
//! membrane's decay prepared once. Interpolated spike times take the per-neuron path that
//! locates each crossing inside its step.

use crate::integrate::{Drive, Integrator, SpikeTiming};
use crate::neuron::{Dynamics, MAX_VARS, NeuronModel, State, with_model};
use crate::param::{ParamSet, VarSpec};
use crate::synapse::HeldCurrent;
use crate::team::{SHARE_ALIGN, Team, cut, share};
use std::ops::Range;

/// One spike: its time (interpolated inside the step) and the global neuron index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub t_ms: f64,
    pub neuron: u32,
}

/// A neuron whose state left its model's physical envelope (or stopped being a number): the
/// run must pause with this message.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub neuron: usize,
    pub var: VarSpec,
    pub value: f64,
    pub t_ms: f64,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (neuron, var, value, t) = (self.neuron, self.var.key, self.value, self.t_ms);
        let unit = if self.var.unit.is_empty() { String::new() } else { format!(" {}", self.var.unit) };
        if value.is_finite() {
            let (lo, hi) = self.var.envelope;
            write!(
                f,
                "neuron {neuron} variable {var} reached {value:.4e}{unit} at t = {t:.3} ms, outside its physical \
                 range [{lo}, {hi}]{unit}: the integration ran away."
            )?;
        } else {
            write!(f, "neuron {neuron} variable {var} became {value} at t = {t:.3} ms: the integration blew up.")?;
        }
        write!(
            f,
            " Reduce dt or choose another integrator (exponential Euler keeps stiff gates stable), or \
             bring the parameters and inputs back into a stable range."
        )
    }
}

/// The most spikes one neuron may emit within one step; more means the reset lands above
/// threshold, which validation rules out, so this only guards against an endless loop.
const MAX_SPIKES_PER_STEP: usize = 8;

/// Where inside a step of length `h` from `x0` the membrane potential reached `threshold`: the
/// fraction of the step and the state there.
///
/// Bisection on the length of a partial step taken with the same integrator from `x0`, so the
/// crossing is as accurate as the integrator itself (O(h^5) locally for RK4), whatever the
/// shape of the upstroke. Linear interpolation would put every spike of a convex upstroke early
/// by about h^2 v''/(8 v') (0.01 ms per Izhikevich spike at h = 0.1 ms), an error that
/// accumulates from spike to spike; interpolating with end-point derivatives breaks down when an
/// exponential upswing (AdEx) overshoots to huge values within the step.
fn crossing<M: Dynamics>(
    model: &M,
    integrator: Integrator,
    x0: &State,
    next: &State,
    drive: Drive,
    h: f64,
    threshold: f64,
) -> (f64, State) {
    if x0[0] >= threshold {
        return (0.0, *x0);
    }
    let (mut lo, mut hi, mut at) = (0.0, 1.0, *next);
    // 32 halvings locate the crossing to h / 4e9.
    for _ in 0..32 {
        let mid = 0.5 * (lo + hi);
        let x = integrator.advance_driven(model, x0, drive, mid * h);
        if x[0] < threshold {
            lo = mid;
        } else {
            hi = mid;
            at = x;
        }
    }
    (hi, at)
}

#[derive(Debug, Clone)]
pub struct Population {
    model: NeuronModel,
    /// Per-neuron parameters, a column per entry of the model's parameter table (empty: every
    /// neuron runs `model`). Columns, not a vector of models: the update loop reads each
    /// parameter as one contiguous array.
    columns: Vec<Vec<f64>>,
    /// `vars[j][i]`: variable `j` of neuron `i`.
    vars: Vec<Vec<f64>>,
    /// When each neuron's refractory period ends (ms).
    refractory_until_ms: Vec<f64>,
    /// V before the step (upward-crossing tests of models without a reset); scratch.
    v_before: Vec<f64>,
    /// How V is reset after a spike.
    reset: Reset,
    /// The adaptive threshold's rule, and each neuron's present threshold increment θ (mV; 0
    /// without adaptation).
    adaptation: Option<Adaptation>,
    theta: Vec<f64>,
    /// Whether θ adapts (a learning task freezes it to test what was learned).
    adapting: bool,
    /// Constants prepared for a step of `dt` with the present parameters (NEST's
    /// `Variables_`): recomputed only when dt or the parameters change.
    prepared: Prepared,
    /// With per-neuron parameters of a linear model whose membranes (C, g_L) are all alike,
    /// so that one decay serves them all: each neuron's own resting drive `g_L E_L + I_e`,
    /// prepared when the parameters change. Empty otherwise.
    rest_drive: Vec<f64>,
}

/// What a step of `dt_ms` needs that depends only on the parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Prepared {
    dt_ms: f64,
    model: Option<NeuronModel>,
    adaptation: Option<Adaptation>,
    /// The membrane's propagators `(P, Γ)` of a linear model.
    linear: Option<(f64, f64)>,
    /// θ's decay over the step.
    theta_decay: f64,
}

/// How V is reset after a spike of a model with a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Reset {
    /// To the model's reset value.
    #[default]
    ToValue,
    /// Lowered by the threshold's distance to the reset value, keeping the charge above
    /// threshold (integrate-and-fire neurons that stand for ReLU units: Rueckauer et al. 2017).
    Subtract,
}

/// An adaptive threshold (Diehl & Cook 2015's homeostasis): every spike raises the neuron's
/// threshold by `theta_plus_mv`; the increment decays with `tau_theta_ms`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adaptation {
    pub theta_plus_mv: f64,
    pub tau_theta_ms: f64,
}

impl Adaptation {
    pub fn validate(&self) -> Result<(), String> {
        if !(self.theta_plus_mv >= 0.0 && self.theta_plus_mv.is_finite()) {
            return Err(format!("theta_plus_mv must be a finite number >= 0, got {}", self.theta_plus_mv));
        }
        if self.tau_theta_ms.is_nan() || self.tau_theta_ms <= 0.0 {
            return Err(format!("tau_theta_ms must be > 0, got {}", self.tau_theta_ms));
        }
        Ok(())
    }
}

/// What every neuron of a population receives during one step, as arrays over the neurons: a
/// current held over the step (conductance synapses add `g E`), a conductance (`I(V) =
/// current - conductance V`), and a charge delivered at the step's start (delta synapses).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub current: Vec<f64>,
    pub conductance: Vec<f64>,
    pub charge: Vec<f64>,
    /// Whether anything writes conductances or charges: arrays nothing writes stay 0 and are
    /// not cleared every step.
    pub writes_conductance: bool,
    pub writes_charge: bool,
    /// Whether a stimulus wrote into the arrays since they were last cleared (else arrays no
    /// synapse fills are still 0).
    pub stimulated: bool,
    /// Whether a stimulus wrote currents since they were last cleared (Brunel's drive writes
    /// charges only: its currents stay 0 and are not cleared every step).
    pub stimulated_current: bool,
    /// Whether synapses were summed into the arrays since they were last cleared whole: a
    /// step whose membrane's loop sums them itself must clear what they left first.
    pub summed: bool,
}

impl Inputs {
    pub fn new(n: usize) -> Self {
        Self {
            current: vec![0.0; n],
            conductance: vec![0.0; n],
            charge: vec![0.0; n],
            writes_conductance: true,
            writes_charge: true,
            stimulated: true,
            stimulated_current: false,
            summed: false,
        }
    }
    /// The current, conductance and charge of neurons `range`.
    pub fn parts(&self, range: Range<usize>) -> (&[f64], &[f64], &[f64]) {
        (&self.current[range.clone()], &self.conductance[range.clone()], &self.charge[range])
    }
    pub fn clear(&mut self) {
        self.clear_unfilled(true, true, true);
    }
    /// Clears the arrays named (those no synapse filled this step), where anything writes them.
    pub fn clear_unfilled(&mut self, current: bool, conductance: bool, charge: bool) {
        let clear = self.writes().unfilled(current, conductance, charge);
        self.collected(clear);
        let n = self.current.len();
        clear_part(clear, self.parts_mut(0..n));
    }
    /// Clears every array, whatever wrote it (for a step whose membrane's loop sums the
    /// synapses, after steps that summed them here).
    pub fn clear_all(&mut self) {
        for part in [&mut self.current, &mut self.conductance, &mut self.charge] {
            part.fill(0.0);
        }
        (self.stimulated, self.stimulated_current, self.summed) = (false, false, false);
    }
    /// What writes the arrays: for [`Writes::unfilled`].
    pub fn writes(&self) -> Writes {
        Writes { current: self.stimulated_current, conductance: self.writes_conductance, charge: self.writes_charge }
    }
    /// Notes that this step's synapses were summed and the arrays `clear` cleared (by share,
    /// [`clear_part`]).
    pub fn collected(&mut self, clear: [bool; 3]) {
        self.stimulated = false;
        if clear[0] {
            self.stimulated_current = false;
        }
    }
    /// Notes that a stimulus wrote into the arrays this step (currents: `current`).
    pub fn stimulate(&mut self, current: bool) {
        self.stimulated = true;
        self.stimulated_current |= current;
    }
    /// The current, conductance and charge of neurons `range`, to write.
    pub fn parts_mut(&mut self, range: Range<usize>) -> (&mut [f64], &mut [f64], &mut [f64]) {
        (&mut self.current[range.clone()], &mut self.conductance[range.clone()], &mut self.charge[range])
    }
    /// Whether delta charges arrive from now on; without them the charges stay 0 (and the
    /// closed-form step skips them).
    pub fn set_writes_charge(&mut self, on: bool) {
        if !on {
            self.charge.fill(0.0);
        }
        self.writes_charge = on;
    }
    /// Neuron `i`'s drive with a delta charge spread over the step as a current (the schemes
    /// that integrate a held drive).
    #[inline(always)]
    pub fn spread(&self, i: usize, dt_ms: f64) -> Drive {
        Drive::spread(self.current[i], self.conductance[i], self.charge[i], dt_ms)
    }
}

/// What writes a population's input arrays (a stimulus's currents; any conductance; any charge).
#[derive(Debug, Clone, Copy)]
pub struct Writes {
    current: bool,
    conductance: bool,
    charge: bool,
}

impl Writes {
    /// Which of the arrays (current, conductance, charge) to clear when no synapse filled those
    /// named: those something writes.
    pub fn unfilled(self, current: bool, conductance: bool, charge: bool) -> [bool; 3] {
        [current && self.current, conductance && self.conductance, charge && self.charge]
    }
}

/// Clears the arrays `clear` names of a share's `(current, conductance, charge)`.
pub fn clear_part(clear: [bool; 3], (current, conductance, charge): (&mut [f64], &mut [f64], &mut [f64])) {
    for (on, part) in clear.into_iter().zip([current, conductance, charge]) {
        if on {
            part.fill(0.0);
        }
    }
}

/// What every neuron of a step shares.
#[derive(Debug, Clone, Copy)]
pub struct StepContext {
    pub t_ms: f64,
    pub dt_ms: f64,
    pub integrator: Integrator,
    pub timing: SpikeTiming,
    /// Global index of the population's first neuron.
    pub offset: u32,
    /// Whether any conductance synapse feeds the population.
    pub conductance: bool,
}

impl StepContext {
    /// Whether spikes fall on the step grid: asked for, or the scheme does not locate them.
    pub fn on_grid(&self) -> bool {
        self.timing == SpikeTiming::Grid || !self.integrator.interpolates_spikes()
    }
}

/// Runs `$body` with `$code` a `const u8` naming the integrator `$i`: the one place that turns
/// the integrator into a constant parameter of the neuron loops.
macro_rules! with_integrator {
    ($i:expr, $code:ident => $body:expr) => {
        match $i {
            Integrator::Euler => {
                const $code: u8 = Integrator::Euler.code();
                $body
            }
            Integrator::Rk4 => {
                const $code: u8 = Integrator::Rk4.code();
                $body
            }
            Integrator::ExponentialEuler => {
                const $code: u8 = Integrator::ExponentialEuler.code();
                $body
            }
            Integrator::Izhikevich2004 => {
                const $code: u8 = Integrator::Izhikevich2004.code();
                $body
            }
            Integrator::Izhikevich2003 => {
                const $code: u8 = Integrator::Izhikevich2003.code();
                $body
            }
            Integrator::Exact => {
                const $code: u8 = Integrator::Exact.code();
                $body
            }
        }
    };
}

/// What happens at a spike, beyond the model's own reset.
#[derive(Debug, Clone, Copy)]
struct Spiking {
    reset: Reset,
    /// The uniform membrane's prepared propagators (linear models).
    linear: Option<(f64, f64)>,
    /// θ's increment per spike and its decay over one step (1 and 0 when it does not adapt).
    theta_plus: f64,
    theta_decay: f64,
    /// No adaptive threshold: every θ is 0.
    fixed_threshold: bool,
}

/// The neurons `first..first + len` of a population: their slice of every array.
struct Chunk<'a> {
    first: usize,
    spiking: Spiking,
    vars: [&'a mut [f64]; MAX_VARS],
    refractory: &'a mut [f64],
    v_before: &'a mut [f64],
    theta: &'a mut [f64],
    /// The neurons' resting drives (see `Population::rest_drive`), or empty.
    rest_drive: &'a [f64],
    /// Whether any delta charge can arrive (else `charge` stays 0).
    charged: bool,
    /// Whether `current` may be other than 0 (a synapse or a stimulus wrote it).
    driven: bool,
    current: &'a [f64],
    conductance: &'a [f64],
    charge: &'a [f64],
}

impl Population {
    pub fn new(model: NeuronModel, n: usize) -> Self {
        let init = model.initial_state();
        let vars = (0..model.vars().len()).map(|j| vec![init[j]; n]).collect();
        Self {
            model,
            columns: Vec::new(),
            vars,
            refractory_until_ms: vec![f64::NEG_INFINITY; n],
            v_before: vec![0.0; n],
            reset: Reset::ToValue,
            adaptation: None,
            theta: vec![0.0; n],
            adapting: true,
            prepared: Prepared::default(),
            rest_drive: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.refractory_until_ms.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn model(&self) -> &NeuronModel {
        &self.model
    }
    /// How V is reset, and the adaptive threshold (none: a fixed threshold).
    pub fn set_spiking(&mut self, reset: Reset, adaptation: Option<Adaptation>) {
        (self.reset, self.adaptation) = (reset, adaptation);
        if adaptation.is_none() {
            self.theta.fill(0.0);
        }
    }
    /// Each neuron's threshold increment θ (mV).
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }
    /// Freezes (or lets adapt again) the adaptive threshold.
    pub fn set_adapting(&mut self, adapting: bool) {
        self.adapting = adapting;
    }
    /// Back to rest: every variable at the model's initial value, no refractory clock running;
    /// the adaptive threshold, which stands for what was learned, stays.
    pub fn rest(&mut self) {
        for i in 0..self.len() {
            let init = self.model_of(i).initial_state();
            for (j, var) in self.vars.iter_mut().enumerate() {
                var[i] = init[j];
            }
        }
        self.refractory_until_ms.fill(f64::NEG_INFINITY);
    }

    /// Swaps in new parameters of the same model and keeps the state (live slider edits).
    /// A different model restarts the state from the new model's initial condition.
    pub fn set_model(&mut self, model: NeuronModel) {
        if model.kind() == self.model.kind() {
            self.set_base_model(model, &[]);
        } else {
            *self = Population::new(model, self.len());
        }
    }

    /// Gives every neuron its own parameters (same kind as the population's model).
    pub fn set_neuron_models(&mut self, models: Vec<NeuronModel>) {
        assert!(models.len() == self.len() && models.iter().all(|m| m.kind() == self.model.kind()));
        for (i, model) in models.iter().enumerate() {
            let init = model.initial_state();
            for (j, vars) in self.vars.iter_mut().enumerate() {
                vars[i] = init[j];
            }
        }
        let specs = self.model.specs();
        self.columns =
            specs.iter().map(|spec| models.iter().map(|m| m.get(spec.key).expect("same kind")).collect()).collect();
        self.prepare_rest_drives();
    }

    /// The membrane the prepared propagators are of: neuron 0's when per-neuron parameters
    /// leave the membranes alike, else the base model's.
    fn membrane(&self) -> Option<crate::neuron::Linear> {
        if self.rest_drive.is_empty() { self.model.linear() } else { self.model_of(0).linear() }
    }

    /// Whether the step takes synaptic currents inside its own loop (see [`Population::step`]):
    /// the closed form of a membrane linear in V, spikes on the grid.
    pub fn takes_held_current(&self, ctx: &StepContext) -> bool {
        self.membrane().is_some()
            && matches!(ctx.integrator, Integrator::Exact | Integrator::ExponentialEuler)
            && ctx.on_grid()
    }

    /// Each neuron's resting drive when the membranes are alike (see `rest_drive`).
    fn prepare_rest_drives(&mut self) {
        self.prepared = Prepared::default();
        let linear = |i: usize| self.model_of(i).linear();
        let membrane = |i: usize| linear(i).map(|l| (l.g_l, l.c));
        let alike = !self.is_empty() && membrane(0).is_some() && (1..self.len()).all(|i| membrane(i) == membrane(0));
        self.rest_drive =
            if alike { (0..self.len()).map(|i| linear(i).expect("linear").rest_drive()).collect() } else { Vec::new() };
    }

    /// The parameters neuron `i` runs.
    pub fn model_of(&self, i: usize) -> NeuronModel {
        if self.columns.is_empty() {
            return self.model;
        }
        let mut model = self.model;
        for (spec, column) in self.model.specs().iter().zip(&self.columns) {
            model.set(spec.key, column[i]);
        }
        model
    }

    /// New base parameters of the same kind for a population with per-neuron values: every
    /// parameter except those in `spread` takes the new value; the spread ones keep their own.
    pub fn set_base_model(&mut self, model: NeuronModel, spread: &[&str]) {
        for (spec, column) in model.specs().iter().zip(&mut self.columns) {
            if !spread.contains(&spec.key) {
                column.fill(model.get(spec.key).expect("spec keys are fields"));
            }
        }
        self.model = model;
        if !self.columns.is_empty() {
            self.prepare_rest_drives();
        }
    }

    /// Sets variable `var` of neuron `i` (initial conditions).
    pub fn set_var(&mut self, var: usize, i: usize, value: f64) {
        self.vars[var][i] = value;
    }

    /// Value of variable `var` of neuron `i`.
    pub fn var(&self, var: usize, i: usize) -> f64 {
        self.vars[var][i]
    }

    /// Advances every neuron from `ctx.t_ms` by `ctx.dt_ms` under `inputs`. Spikes are appended
    /// to `spikes` (global index = `offset + i`) in neuron order; the first non-finite state is
    /// returned as a [`Fault`]. On a `team` of more than one thread large populations are split
    /// into that many shares stepped in parallel: neurons are independent within a step, so the
    /// result is the same. `syn` adds the current of synapses stepped inside the membrane's own
    /// loop (the closed form only, see [`Population::takes_held_current`]).
    pub fn step<S: HeldCurrent>(
        &mut self,
        ctx: &StepContext,
        inputs: &Inputs,
        spikes: &mut Vec<Spike>,
        team: &Team,
        syn: &mut S,
    ) -> Result<(), Fault> {
        let (n, threads) = (self.len(), team.size());
        if threads <= 1 || n < MIN_PARALLEL || S::ACTIVE {
            let driven = inputs.stimulated || !S::ACTIVE;
            let mut whole = self.whole(ctx);
            return whole.step(inputs.parts(0..n), inputs.writes_charge, driven, ctx, spikes, syn);
        }
        let bounds: Vec<_> = (0..threads).map(|k| share(n, k, threads, SHARE_ALIGN)).collect();
        // Per share: its arrays, its spikes, its result.
        let mut work: Vec<_> = self
            .shares(ctx, &bounds)
            .into_iter()
            .zip(&bounds)
            .map(|(s, b)| (s, b.clone(), Vec::new(), Ok(())))
            .collect();
        team.shares_mut(&mut work, |shares| {
            for (own, range, found, result) in shares {
                *result = own.step(inputs.parts(range.clone()), inputs.writes_charge, true, ctx, found, &mut ());
            }
        });
        for (_, _, found, result) in work {
            spikes.extend(found);
            result?;
        }
        Ok(())
    }

    /// The population cut into the consecutive `bounds` (covering every neuron), each to be
    /// stepped on its own ([`Share::step`]) with the step's parameters prepared for `ctx`.
    pub fn shares(&mut self, ctx: &StepContext, bounds: &[Range<usize>]) -> Vec<Share<'_>> {
        let spiking = self.spiking(ctx);
        let mut vars: Vec<_> = self.vars.iter_mut().map(|v| cut(v, bounds).into_iter()).collect();
        let rest_drive = |b: &Range<usize>| self.rest_drive.get(b.clone()).unwrap_or(&[]);
        let parts = cut(&mut self.refractory_until_ms, bounds)
            .into_iter()
            .zip(cut(&mut self.v_before, bounds))
            .zip(cut(&mut self.theta, bounds))
            .zip(bounds);
        parts
            .map(|(((refractory, v_before), theta), b)| {
                let mut slices: [&mut [f64]; MAX_VARS] = [&mut [], &mut [], &mut [], &mut []];
                for (slot, var) in slices.iter_mut().zip(vars.iter_mut()) {
                    *slot = var.next().expect("every variable has every share");
                }
                Share {
                    model: &self.model,
                    columns: &self.columns,
                    first: b.start,
                    spiking,
                    vars: slices,
                    refractory,
                    v_before,
                    theta,
                    rest_drive: rest_drive(b),
                }
            })
            .collect()
    }

    /// [`Population::shares`] for one share of every neuron (nothing allocated).
    pub fn whole(&mut self, ctx: &StepContext) -> Share<'_> {
        let spiking = self.spiking(ctx);
        let mut vars: [&mut [f64]; MAX_VARS] = [&mut [], &mut [], &mut [], &mut []];
        for (slot, var) in vars.iter_mut().zip(self.vars.iter_mut()) {
            *slot = var.as_mut_slice();
        }
        Share {
            model: &self.model,
            columns: &self.columns,
            first: 0,
            spiking,
            vars,
            refractory: &mut self.refractory_until_ms,
            v_before: &mut self.v_before,
            theta: &mut self.theta,
            rest_drive: &self.rest_drive,
        }
    }

    /// What happens at a spike this step, with the membrane's propagators prepared for `ctx`.
    fn spiking(&mut self, ctx: &StepContext) -> Spiking {
        let model = self.model;
        let p = &self.prepared;
        if (p.dt_ms, p.model, p.adaptation) != (ctx.dt_ms, Some(model), self.adaptation) {
            let membrane = self.membrane();
            self.prepared = Prepared {
                dt_ms: ctx.dt_ms,
                model: Some(model),
                adaptation: self.adaptation,
                linear: membrane.map(|lin| lin.prepare(ctx.dt_ms)),
                theta_decay: self.adaptation.map_or(1.0, |a| (-ctx.dt_ms / a.tau_theta_ms).exp()),
            };
        }
        let p = self.prepared;
        match self.adaptation.filter(|_| self.adapting) {
            Some(a) => Spiking {
                reset: self.reset,
                linear: p.linear,
                theta_plus: a.theta_plus_mv,
                theta_decay: p.theta_decay,
                fixed_threshold: false,
            },
            None => Spiking {
                reset: self.reset,
                linear: p.linear,
                theta_plus: 0.0,
                theta_decay: 1.0,
                fixed_threshold: self.adaptation.is_none(),
            },
        }
    }
}

/// The neurons `first..first + len` of a population, stepped apart from the rest (a member of
/// a team steps its own share).
pub struct Share<'a> {
    model: &'a NeuronModel,
    columns: &'a [Vec<f64>],
    first: usize,
    spiking: Spiking,
    vars: [&'a mut [f64]; MAX_VARS],
    refractory: &'a mut [f64],
    v_before: &'a mut [f64],
    theta: &'a mut [f64],
    rest_drive: &'a [f64],
}

impl Share<'_> {
    /// [`Population::step`] for these neurons under their `inputs` (current, conductance,
    /// charge). `charged`: any delta charge can arrive; `driven`: the current may be other
    /// than 0. Spikes are appended to `spikes` in neuron order.
    pub fn step<S: HeldCurrent>(
        &mut self,
        (current, conductance, charge): (&[f64], &[f64], &[f64]),
        charged: bool,
        driven: bool,
        ctx: &StepContext,
        spikes: &mut Vec<Spike>,
        syn: &mut S,
    ) -> Result<(), Fault> {
        let mut part = Chunk {
            first: self.first,
            spiking: self.spiking,
            vars: self.vars.each_mut().map(|v| &mut **v),
            refractory: &mut *self.refractory,
            v_before: &mut *self.v_before,
            theta: &mut *self.theta,
            rest_drive: self.rest_drive,
            charged,
            driven,
            current,
            conductance,
            charge,
        };
        step_chunk(self.model, self.columns, &mut part, ctx, spikes, syn)
    }
}

/// Populations smaller than this are stepped on one thread: below it each chunk's work is
/// no more than a few hand-overs to the team cost.
pub const MIN_PARALLEL: usize = 2000;

/// Steps one chunk with the model and integrator resolved to static types. On a CPU with
/// AVX-512 (or AVX2 and FMA) the same code runs compiled for it (8 or 4 lanes of f64 instead of
/// 2); the arithmetic is the same operations in the same order (no fused multiply-adds are
/// introduced), so the results are identical either way.
fn step_chunk<S: HeldCurrent>(
    model: &NeuronModel,
    columns: &[Vec<f64>],
    part: &mut Chunk,
    ctx: &StepContext,
    spikes: &mut Vec<Spike>,
    syn: &mut S,
) -> Result<(), Fault> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512dq") {
        // SAFETY: the CPU has AVX-512 F and DQ, checked just above.
        return unsafe { step_chunk_avx512(model, columns, part, ctx, spikes, syn) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { step_chunk_avx2(model, columns, part, ctx, spikes, syn) };
    }
    step_chunk_any(model, columns, part, ctx, spikes, syn)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
fn step_chunk_avx512<S: HeldCurrent>(
    model: &NeuronModel,
    columns: &[Vec<f64>],
    part: &mut Chunk,
    ctx: &StepContext,
    spikes: &mut Vec<Spike>,
    syn: &mut S,
) -> Result<(), Fault> {
    step_chunk_any(model, columns, part, ctx, spikes, syn)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn step_chunk_avx2<S: HeldCurrent>(
    model: &NeuronModel,
    columns: &[Vec<f64>],
    part: &mut Chunk,
    ctx: &StepContext,
    spikes: &mut Vec<Spike>,
    syn: &mut S,
) -> Result<(), Fault> {
    step_chunk_any(model, columns, part, ctx, spikes, syn)
}

#[inline(always)]
fn step_chunk_any<'c, S: HeldCurrent>(
    model: &NeuronModel,
    columns: &'c [Vec<f64>],
    part: &mut Chunk,
    ctx: &StepContext,
    spikes: &mut Vec<Spike>,
    syn: &mut S,
) -> Result<(), Fault> {
    let on_grid = ctx.on_grid();
    let len = part.refractory.len();
    with_model!(model, p => with_integrator!(ctx.integrator, CODE => {
        if columns.is_empty() {
            return match on_grid {
                false => interpolated::<_, CODE>(#[inline(always)] |_| *p, part, ctx, spikes),
                true => grid::<_, CODE, _>(#[inline(always)] |_| *p, false, part, ctx, spikes, syn),
            };
        }
        // The chunk's stretch of every column, each of the chunk's length (so that
        // `own_parameters` reads them all with one check a neuron); at most one per parameter,
        // the slots past the model's last repeating the first.
        let stretch = |column: &'c Vec<f64>| &column[part.first..part.first + len];
        let mut own: [&[f64]; MAX_PARAMS] = [stretch(&columns[0]); MAX_PARAMS];
        for (slot, column) in own.iter_mut().zip(columns) {
            *slot = stretch(column);
        }
        let own = own_parameters(p, own, len);
        match on_grid {
            false => interpolated::<_, CODE>(own, part, ctx, spikes),
            true => grid::<_, CODE, _>(own, true, part, ctx, spikes, syn),
        }
    }))
}

/// The most parameters a model has (Traub-Miles: 11).
const MAX_PARAMS: usize = 16;

/// The parameters of the chunk's neuron `k < len`, read from the chunk's stretch of each column;
/// `_kind` names the parameter type.
#[inline(always)]
fn own_parameters<'c, M: ParamSet>(
    _kind: &M,
    columns: [&'c [f64]; MAX_PARAMS],
    len: usize,
) -> impl Fn(usize) -> M + 'c {
    let columns = columns.map(|c| &c[..len]);
    #[inline(always)]
    move |k| {
        // One check for all the columns: a checked index per column would keep every column's
        // check, used or not (a panic is a side effect), eight or more a neuron.
        assert!(k < len);
        M::from_fn(
            #[inline(always)]
            // SAFETY: every column was sliced to `len` values just above, and `k < len`.
            |j| unsafe { *columns[j].get_unchecked(k) },
        )
    }
}

/// The step on the grid (`model_of(k)`: the parameters of the chunk's neuron `k`, the same for
/// all unless `varies`): integrate every free neuron (a select, not a branch, keeps the
/// refractory ones as they are), then scan for threshold crossings.
#[inline(always)]
fn grid<M: Dynamics + Copy, const CODE: u8, S: HeldCurrent>(
    model_of: impl Fn(usize) -> M,
    varies: bool,
    part: &mut Chunk,
    ctx: &StepContext,
    spikes: &mut Vec<Spike>,
    syn: &mut S,
) -> Result<(), Fault> {
    let integrator = Integrator::from_code(CODE);
    let nv = M::VARS.len();
    let len = part.refractory.len();
    let (dt, t_end) = (ctx.dt_ms, ctx.t_ms + ctx.dt_ms);
    // A neuron integrates this step if its refractory period ends by the step's middle (whole
    // steps: the period is a whole number of steps from a grid time).
    let free_after = ctx.t_ms + 0.5 * dt;
    let (current, conductance, charge) = (&part.current[..len], &part.conductance[..len], &part.charge[..len]);
    let refractory = &mut part.refractory[..len];
    let v_before = &mut part.v_before[..len];
    let linear =
        matches!(integrator, Integrator::Exact | Integrator::ExponentialEuler).then(|| model_of(0).linear()).flatten();
    // Synapses stepped in the membrane's loop: only the closed form takes them, for all `len`.
    assert!(!S::ACTIVE || (linear.is_some() && nv == 1 && syn.neurons() == len), "held currents need the closed form");
    match linear {
        // The closed form: one variable, the decay prepared once unless it varies.
        Some(uniform) if nv == 1 => {
            let exact = integrator == Integrator::Exact;
            let [v, ..] = &mut part.vars;
            let v = &mut v[..len];
            // The population's constants, prepared once per dt (per step when the membranes
            // differ: the first neuron's are the reference).
            let prepared = match part.spiking.linear {
                Some(prepared) if !varies || !part.rest_drive.is_empty() => prepared,
                _ => uniform.prepare(dt),
            };
            // Exponential Euler spreads a delta charge over the step; Exact jumps. Without delta
            // inputs neither, and no division for them.
            let spread = if exact { 0.0 } else { 1.0 / dt };
            // Every free neuron takes the new V, a refractory one keeps its own; written out
            // per case (a macro, not a closure), so that each loop is one inlined body. Linear
            // models reset, so the scan needs no V from before the step.
            macro_rules! sweep {
                (|$k:ident, $v:ident, $i:ident, $q:ident, $g:ident| $next:expr) => {
                    match (part.charged, exact) {
                        (true, true) => sweep!(@ $k, $v, $i, $q, $g, current[$k] + charge[$k] * spread, Some(charge[$k]), $next),
                        (true, false) => sweep!(@ $k, $v, $i, $q, $g, current[$k] + charge[$k] * spread, None, $next),
                        // The synapses' own current alone: `current` is all 0.
                        (false, _) if !part.driven => sweep!(@ $k, $v, $i, $q, $g, 0.0, None, $next),
                        (false, _) => sweep!(@ $k, $v, $i, $q, $g, current[$k], None, $next),
                    }
                };
                (@ $k:ident, $v:ident, $i:ident, $q:ident, $g:ident, $drive:expr, $charge:expr, $next:expr) => {
                    for $k in 0..len {
                        let $v = v[$k];
                        let ($i, $q): (f64, Option<f64>) = ($drive, $charge);
                        // SAFETY: `$k < len == syn.neurons()`, asserted above.
                        let (held, $g) = if S::ACTIVE { unsafe { syn.take_unchecked($k) } } else { (0.0, conductance[$k]) };
                        let $i = if S::ACTIVE { $i + held } else { $i };
                        v[$k] = if refractory[$k] <= free_after { $next } else { $v };
                    }
                };
            }
            match (ctx.conductance, varies) {
                (false, false) => sweep!(|k, old, i, q, _g| uniform.held(uniform.jump(old, q), i, prepared)),
                (true, false) => sweep!(|k, old, i, q, g| uniform.conductance(uniform.jump(old, q), i, g, dt)),
                // Per-neuron parameters that leave the membrane alike (a bias current, a
                // threshold): one decay, each neuron's prepared drive, a loop without a branch.
                (false, true) if !part.rest_drive.is_empty() => {
                    let drive = &part.rest_drive[..len];
                    sweep!(|k, old, i, q, _g| uniform.held_from(uniform.jump(old, q), i, prepared, drive[k]))
                }
                (false, true) => sweep!(|k, old, i, q, _g| {
                    let own = model_of(k).linear().expect("one kind");
                    // Only a neuron with its own C or g_L needs its own decay.
                    let same = own.g_l == uniform.g_l && own.c == uniform.c;
                    own.held(own.jump(old, q), i, if same { prepared } else { own.prepare(dt) })
                }),
                (true, true) => sweep!(|k, old, i, q, g| {
                    let own = model_of(k).linear().expect("one kind");
                    own.conductance(own.jump(old, q), i, g, dt)
                }),
            }
        }
        _ => {
            for k in 0..len {
                let model = model_of(k);
                let mut x: State = [0.0; MAX_VARS];
                for (j, xj) in x.iter_mut().enumerate().take(nv) {
                    *xj = part.vars[j][k];
                }
                let drive = Drive::spread(current[k], conductance[k], charge[k], dt);
                let next = integrator.advance_driven(&model, &x, drive, dt);
                let free = refractory[k] <= free_after;
                v_before[k] = x[0];
                for j in 0..nv {
                    part.vars[j][k] = if free { next[j] } else { x[j] };
                }
            }
        }
    }
    // Threshold scan, 64 neurons at a time into a bit mask (compares without branches); the
    // cold path for the few that crossed. V's envelope is checked here too: a neuron that
    // resets is checked after its reset, in the cold path, and one that does not is below its
    // threshold, far below the envelope's top, so only the bottom needs a compare (which NaN
    // fails).
    let stamp = if integrator.stamps_step_start() { ctx.t_ms } else { t_end };
    let strict = integrator.stamps_step_start();
    let v_spec = M::VARS[0];
    let mut inside = true;
    // One threshold for all that resets: whether a block has a crossing at all is a pair of
    // reductions, cheaper than building its mask.
    let fixed = !varies && part.spiking.fixed_threshold && model_of(0).resets();
    for block in (0..len).step_by(64) {
        let end = (block + 64).min(len);
        if fixed {
            let (threshold, vs) = (model_of(0).threshold(), &part.vars[0][block..end]);
            // Counts, not flags: integer sums vectorise without a chain of masks.
            let (mut crossing, mut above_floor) = (0u32, 0u32);
            for &v in vs {
                crossing += (if strict { v > threshold } else { v >= threshold }) as u32;
                above_floor += (v >= v_spec.envelope.0) as u32;
            }
            inside &= above_floor as usize == vs.len();
            if crossing == 0 {
                continue;
            }
        }
        let mut mask = 0u64;
        #[allow(clippy::needless_range_loop)] // k indexes three arrays and the model
        for k in block..end {
            let (v, model) = (part.vars[0][k], model_of(k));
            let threshold = model.threshold() + part.theta[k];
            let above = if strict { v > threshold } else { v >= threshold };
            // Without a reset, only an upward crossing is a spike.
            let crossed = above & (model.resets() | (v_before[k] < threshold));
            mask |= (crossed as u64) << (k - block);
            inside &= (v >= v_spec.envelope.0) & (model.resets() | (v <= v_spec.envelope.1));
        }
        while mask != 0 {
            let k = block + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let model = model_of(k);
            spikes.push(Spike { t_ms: stamp, neuron: ctx.offset + (part.first + k) as u32 });
            if model.resets() {
                let mut x: State = [0.0; MAX_VARS];
                for (j, xj) in x.iter_mut().enumerate().take(nv) {
                    *xj = part.vars[j][k];
                }
                reset(&model, &mut x, model.threshold() + part.theta[k], part.spiking.reset);
                for (j, &xj) in x.iter().enumerate().take(nv) {
                    part.vars[j][k] = xj;
                }
                inside &= v_spec.holds(x[0]);
                refractory[k] = t_end + (model.refractory_ms() / dt).round() * dt;
                part.theta[k] += part.spiking.theta_plus;
            }
        }
    }
    decay_theta(part);
    check_envelope::<M>(part, inside, ctx, t_end)
}

/// The model's reset of `x` after a spike at `threshold`; by subtraction, V instead loses the
/// threshold's distance to the reset value.
#[inline]
fn reset<M: Dynamics>(model: &M, x: &mut State, threshold: f64, how: Reset) {
    let v = x[0];
    model.reset(x);
    if how == Reset::Subtract {
        x[0] = v - (threshold - x[0]);
    }
}

/// The adaptive threshold's decay over the step.
#[inline]
fn decay_theta(part: &mut Chunk) {
    if part.spiking.theta_decay != 1.0 {
        let decay = part.spiking.theta_decay;
        part.theta.iter_mut().for_each(|t| *t *= decay);
    }
}

/// The step's fault check, after resets: every variable of the chunk inside its envelope, else
/// the first neuron that left it. V's check comes from the threshold scan (`v_inside`); the
/// hidden variables take a pass of compares without branches.
#[inline(always)]
fn check_envelope<M: Dynamics>(part: &Chunk, v_inside: bool, ctx: &StepContext, t_end: f64) -> Result<(), Fault> {
    let len = part.refractory.len();
    let mut inside = v_inside;
    for (spec, var) in M::VARS.iter().zip(&part.vars).skip(1) {
        for &value in &var[..len] {
            inside &= spec.holds(value);
        }
    }
    if inside { Ok(()) } else { first_fault::<M>(part, ctx, t_end).map_or(Ok(()), Err) }
}

/// The first variable of a chunk outside its envelope, as a [`Fault`].
#[cold]
fn first_fault<M: Dynamics>(part: &Chunk, ctx: &StepContext, t_end: f64) -> Option<Fault> {
    let neuron = |k: usize| ctx.offset as usize + part.first + k;
    (0..part.refractory.len()).find_map(|k| {
        let outside = M::VARS.iter().zip(&part.vars).find(|(spec, var)| !spec.holds(var[k]));
        outside.map(|(&var, values)| Fault { neuron: neuron(k), var, value: values[k], t_ms: t_end })
    })
}

/// The step with interpolated spike times, neuron by neuron: integrate, and where V crosses
/// the threshold, locate the crossing, reset there, and integrate the rest of the step once
/// the refractory clock (which may end mid-step) allows.
fn interpolated<M: Dynamics + Copy, const CODE: u8>(
    model_of: impl Fn(usize) -> M,
    part: &mut Chunk,
    ctx: &StepContext,
    spikes: &mut Vec<Spike>,
) -> Result<(), Fault> {
    let nv = M::VARS.len();
    let integrator = Integrator::from_code(CODE);
    let t_end = ctx.t_ms + ctx.dt_ms;
    for k in 0..part.refractory.len() {
        let i = part.first + k;
        let model = &model_of(k);
        let (threshold, t_ref, resets) = (model.threshold() + part.theta[k], model.refractory_ms(), model.resets());
        let mut x: State = [0.0; MAX_VARS];
        for (j, xj) in x.iter_mut().enumerate().take(nv) {
            *xj = part.vars[j][k];
        }
        let drive = Drive::spread(part.current[k], part.conductance[k], part.charge[k], ctx.dt_ms);
        let mut t0 = ctx.t_ms;
        for _ in 0..MAX_SPIKES_PER_STEP {
            // Refractory: v stays clamped at its reset value until the clock runs out,
            // which may happen inside this step; then integrate the rest of the step.
            let refractory_end = part.refractory[k];
            if refractory_end >= t_end {
                break;
            }
            t0 = t0.max(refractory_end);
            let h = t_end - t0;
            if h <= 0.0 {
                break;
            }
            let next = integrator.advance_driven(model, &x, drive, h);
            // Without a reset, only an upward crossing is a spike.
            if next[0] < threshold || (!resets && x[0] >= threshold) {
                x = next;
                break;
            }
            let (frac, at) = crossing(model, integrator, &x, &next, drive, h, threshold);
            let t_spike = t0 + frac * h;
            spikes.push(Spike { t_ms: t_spike, neuron: ctx.offset + i as u32 });
            if !resets {
                x = next;
                break;
            }
            // Reset the state as it was at the crossing, then integrate what is left.
            x = at;
            reset(model, &mut x, threshold, part.spiking.reset);
            part.refractory[k] = t_spike + t_ref;
            part.theta[k] += part.spiking.theta_plus;
            t0 = t_spike;
        }
        if let Some((&var, &value)) = M::VARS.iter().zip(&x).find(|(spec, v)| !spec.holds(**v)) {
            return Err(Fault { neuron: ctx.offset as usize + i, var, value, t_ms: t_end });
        }
        for (j, &xj) in x.iter().enumerate().take(nv) {
            part.vars[j][k] = xj;
        }
    }
    decay_theta(part);
    Ok(())
}
