//! A population: one model, per-variable state arrays, refractory clocks.

use crate::integrate::{Drive, Integrator};
use crate::neuron::{Dynamics, MAX_VARS, NeuronModel, State, with_model};

/// One spike: its time (interpolated inside the step) and the global neuron index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub t_ms: f64,
    pub neuron: u32,
}

/// A neuron whose state stopped being a finite number: the run must pause with this message.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub neuron: usize,
    pub var: &'static str,
    pub value: f64,
    pub t_ms: f64,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "neuron {} variable {} became {} at t = {:.3} ms: the integration blew up. \
             Reduce dt, switch to RK4, or bring the parameters back into a stable range.",
            self.neuron, self.var, self.value, self.t_ms
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
    /// Per-neuron parameters of the same kind as `model` (empty: every neuron runs `model`).
    models: Vec<NeuronModel>,
    /// `vars[j][i]`: variable `j` of neuron `i`.
    vars: Vec<Vec<f64>>,
    refractory_until_ms: Vec<f64>,
}

impl Population {
    pub fn new(model: NeuronModel, n: usize) -> Self {
        let init = model.initial_state();
        let vars = (0..model.vars().len()).map(|j| vec![init[j]; n]).collect();
        Self { model, models: Vec::new(), vars, refractory_until_ms: vec![f64::NEG_INFINITY; n] }
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
        self.models = models;
    }

    /// The parameters neuron `i` runs.
    pub fn model_of(&self, i: usize) -> &NeuronModel {
        self.models.get(i).unwrap_or(&self.model)
    }

    /// New base parameters of the same kind for a population with per-neuron values: every
    /// parameter except those in `spread` takes the new value; the spread ones keep their own.
    pub fn set_base_model(&mut self, model: NeuronModel, spread: &[&str]) {
        for neuron in &mut self.models {
            for spec in model.specs().iter().filter(|s| !spread.contains(&s.key)) {
                neuron.set(spec.key, model.get(spec.key).expect("spec keys are fields"));
            }
        }
        self.model = model;
    }

    /// Sets variable `var` of neuron `i` (initial conditions).
    pub fn set_var(&mut self, var: usize, i: usize, value: f64) {
        self.vars[var][i] = value;
    }

    /// Value of variable `var` of neuron `i`.
    pub fn var(&self, var: usize, i: usize) -> f64 {
        self.vars[var][i]
    }

    /// Advances every neuron from `t_ms` to `t_ms + dt_ms` with `input(i)` held over the step.
    /// Spikes are appended to `spikes` with their crossing time interpolated inside the step
    /// (global index = `offset + i`), in neuron order; the first non-finite state is returned
    /// as a [`Fault`]. With `threads > 1` large populations are split into that many chunks
    /// stepped in parallel: neurons are independent within a step, so the result is the same.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        t_ms: f64,
        dt_ms: f64,
        integrator: Integrator,
        input: impl Fn(usize) -> Drive + Sync,
        offset: u32,
        spikes: &mut Vec<Spike>,
        threads: usize,
    ) -> Result<(), Fault> {
        let model = self.model;
        let ctx = StepContext { t_ms, dt_ms, integrator, offset };
        let n = self.len();
        let models = &self.models;
        if threads <= 1 || n < MIN_PARALLEL {
            // The variables' slices on the stack: nothing is allocated per step.
            let mut vars: [&mut [f64]; MAX_VARS] = [&mut [], &mut [], &mut [], &mut []];
            for (slot, var) in vars.iter_mut().zip(self.vars.iter_mut()) {
                *slot = var.as_mut_slice();
            }
            let refractory = &mut self.refractory_until_ms;
            return with_model!(&model, p => step_chunk(p, models, &mut vars, refractory, 0, &ctx, &input, spikes));
        }
        let chunk = n.div_ceil(threads);
        // Per chunk: its slice of every variable, of the refractory clocks, its spikes, its result.
        type Chunk<'a> = (Vec<&'a mut [f64]>, &'a mut [f64], Vec<Spike>, Result<(), Fault>);
        let mut chunks: Vec<Chunk> =
            self.refractory_until_ms.chunks_mut(chunk).map(|r| (Vec::new(), r, Vec::new(), Ok(()))).collect();
        for var in self.vars.iter_mut() {
            for (c, part) in var.chunks_mut(chunk).enumerate() {
                chunks[c].0.push(part);
            }
        }
        rayon::scope(|scope| {
            for (c, (vars, refractory, found, result)) in chunks.iter_mut().enumerate() {
                let (ctx, input) = (&ctx, &input);
                scope.spawn(move |_| {
                    *result = with_model!(&model, p => step_chunk(p, models, vars, refractory, c * chunk, ctx, input, found));
                });
            }
        });
        for (_, _, found, result) in chunks {
            spikes.extend(found);
            result?;
        }
        Ok(())
    }
}

/// Populations smaller than this are stepped on one thread: below it the cost of splitting
/// the work (about 10 us a step) outweighs the gain (measured on CUBA's 3200 and Brunel's 10,000).
pub const MIN_PARALLEL: usize = 8000;

/// What every neuron of a step shares.
struct StepContext {
    t_ms: f64,
    dt_ms: f64,
    integrator: Integrator,
    offset: u32,
}

/// Steps neurons `first..first + refractory.len()`: `vars[j]` and `refractory` hold just them.
#[allow(clippy::too_many_arguments)]
fn step_chunk<M: Dynamics + 'static>(
    base: &M,
    models: &[NeuronModel],
    vars: &mut [&mut [f64]],
    refractory: &mut [f64],
    first: usize,
    ctx: &StepContext,
    input: &impl Fn(usize) -> Drive,
    spikes: &mut Vec<Spike>,
) -> Result<(), Fault> {
    let nv = M::VARS.len();
    let integrator = ctx.integrator;
    let interpolate = integrator.interpolates_spikes();
    let t_end = ctx.t_ms + ctx.dt_ms;
    for k in 0..refractory.len() {
        let i = first + k;
        let model: &M = match models.get(i) {
            Some(own) => own.as_any().downcast_ref().expect("per-neuron models share the population's kind"),
            None => base,
        };
        let (threshold, t_ref, resets) = (model.threshold(), model.refractory_ms(), model.resets());
        let mut x: State = [0.0; MAX_VARS];
        for (j, xj) in x.iter_mut().enumerate().take(nv) {
            *xj = vars[j][k];
        }
        let drive = input(i);
        let mut t0 = ctx.t_ms;
        for _ in 0..MAX_SPIKES_PER_STEP {
            // Refractory: v stays clamped at its reset value until the clock runs out,
            // which may happen inside this step; then integrate the rest of the step.
            let refractory_end = refractory[k];
            if refractory_end >= t_end {
                break;
            }
            t0 = t0.max(refractory_end);
            let h = t_end - t0;
            if h <= 0.0 {
                break;
            }
            let next = integrator.advance_driven(model, &x, drive, h);
            let crossed = if interpolate { next[0] >= threshold } else { next[0] > threshold };
            // Without a reset, only an upward crossing is a spike.
            if !crossed || (!resets && x[0] >= threshold) {
                x = next;
                break;
            }
            let (frac, at) =
                if interpolate { crossing(model, integrator, &x, &next, drive, h, threshold) } else { (0.0, next) };
            let t_spike = t0 + frac * h;
            spikes.push(Spike { t_ms: t_spike, neuron: ctx.offset + i as u32 });
            if !resets {
                x = next;
                break;
            }
            // Reset the state as it was at the crossing, then integrate what is left
            // (the figure scheme resets at the end of the step and stops there).
            x = at;
            model.reset(&mut x);
            refractory[k] = t_spike + t_ref;
            if !interpolate {
                break;
            }
            t0 = t_spike;
        }
        if let Some(j) = x[..nv].iter().position(|v| !v.is_finite()) {
            return Err(Fault { neuron: ctx.offset as usize + i, var: M::VARS[j].key, value: x[j], t_ms: t_end });
        }
        for (j, &xj) in x.iter().enumerate().take(nv) {
            vars[j][k] = xj;
        }
    }
    Ok(())
}
