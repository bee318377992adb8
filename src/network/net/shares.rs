//! A whole step on a team in one hand-over. Each member owns a share of every population's
//! neurons and the same share of every delay ring's targets. In its part of the step it adds
//! the last step's spikes into its share of the rings, then sums its neurons' synaptic input,
//! adds their stimuli and steps them. Nothing a share needs is written by another member within
//! the step, so a ring's lines stay on one core, and the numbers are those of one thread
//! whatever the team's size.
//!
//! A step's spikes are thus delivered at the start of the next step's hand-over: before
//! anything else reads the rings (another kind of step, a live edit) they are delivered on
//! their own ([`Net::flush`]).

use std::ops::Range;

use super::deliver::{SharedRing, deliver_runs};
use super::{InputRun, Lane, Links, Net, Pop, Proj, Receptor, Run, Stepping, collect, held_current_factor};
use crate::network::population::{MIN_PARALLEL, Share, StepContext, Writes, clear_part};
use crate::network::{Fault, Spike};
use crate::stimulus::runner::Adds;
use crate::synapse::{KernelPart, Propagator};
use crate::team::{SHARE_ALIGN, share};

/// Spikes stepped but not yet added into the delay rings, in runs of one population.
#[derive(Debug, Clone, Default)]
pub(super) struct Pending {
    spikes: Vec<Spike>,
    runs: Vec<Run>,
}

/// One member of a team of `size` and its work on each population in a step.
struct Member<'a> {
    k: usize,
    size: usize,
    pops: Vec<Work<'a>>,
}

/// A synapse type as a member sums its input: its kernel, what turns the kernel's output into
/// input, and the traces of the member's neurons.
struct Synapse<'a> {
    propagator: &'a Propagator,
    reversal_mv: Option<f64>,
    factor: f64,
    states: KernelPart<'a>,
}

/// One member's work on one population in a step.
struct Work<'a> {
    ctx: StepContext,
    synapses: Vec<Synapse<'a>>,
    /// The share's current, conductance and charge.
    inputs: (&'a mut [f64], &'a mut [f64], &'a mut [f64]),
    writes: Writes,
    charged: bool,
    /// What each stimulus adds, and to which of the share's neurons.
    stimuli: Vec<(Adds<'a>, Range<usize>)>,
    /// Whether stimuli write into the population, and whether any writes currents.
    stimulated: Option<bool>,
    neurons: Share<'a>,
    /// What the member found: the arrays it cleared, its spikes, its result.
    cleared: [bool; 3],
    spikes: Vec<Spike>,
    result: Result<(), Fault>,
}

impl Work<'_> {
    /// Sums the input of the member's neurons from their share of `rings` (the population's,
    /// one per synapse type, as of the last step) and steps them.
    fn run(&mut self, rings: &[SharedRing], member: (usize, usize)) {
        // SAFETY: one part per ring, all dropped at the end of this call; the other members'
        // parts are their own shares of the targets.
        let mut parts: Vec<_> = rings.iter().map(|ring| unsafe { ring.part(Some(member)) }).collect();
        let mut lanes: Vec<Lane> = self
            .synapses
            .iter_mut()
            .zip(&mut parts)
            .map(|(s, ring)| Lane {
                states: s.states.reborrow(),
                propagator: s.propagator,
                arrivals: ring.slot(1), // this step's slot, one after the last
                reversal_mv: s.reversal_mv,
                factor: s.factor,
            })
            .collect();
        let (current, conductance, charge) = &mut self.inputs;
        let fresh = collect(&mut lanes, (current, conductance, charge), self.ctx.dt_ms);
        self.cleared = self.writes.unfilled(fresh.current, fresh.conductance, fresh.charge);
        clear_part(self.cleared, (current, conductance, charge));
        for (adds, own) in &mut self.stimuli {
            adds.inject(&mut current[own.clone()], &mut charge[own.clone()]);
        }
        let inputs = (&**current, &**conductance, &**charge);
        self.result = self.neurons.step(inputs, self.charged, true, &self.ctx, &mut self.spikes, &mut ());
    }
}

impl Member<'_> {
    /// Adds the pending spikes into the member's share of `rings` (`[population][synapse
    /// type]`), then steps its share of every population.
    fn run(&mut self, projections: &[Proj], links: &[Links], pending: &Pending, rings: &[Vec<SharedRing>]) {
        let member = (self.k, self.size);
        deliver_runs(projections, links, &pending.runs, &pending.spikes, rings, Some(member));
        for (work, rings) in self.pops.iter_mut().zip(rings) {
            work.run(rings, member);
        }
    }
}

impl Net {
    /// Whether a step can be taken in shares: a team and enough neurons for it; no spike
    /// sources, plastic projections, synapses held in the membrane's loop or spike times off
    /// the grid (each needs the population whole); stimuli drawn neuron by neuron from streams
    /// of whole shares.
    pub fn steps_in_shares(&self, run: &Stepping) -> bool {
        let pop_fits = |pop: &Pop| {
            let ctx = pop.context(0.0, run);
            pop.source.is_none() && ctx.on_grid() && !pop.held_synapses(&ctx)
        };
        run.threads > 1
            && self.n_neurons() >= MIN_PARALLEL
            && self.projections.iter().all(|p| p.plastic.is_none())
            && self.pops.iter().all(pop_fits)
            && self.inputs.iter().all(|i| i.first.is_multiple_of(SHARE_ALIGN) && i.runner.divisible())
    }

    /// Adds the spikes of the last step still pending into the delay rings.
    pub(super) fn flush(&mut self) {
        if !self.pending.runs.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.deliver(&pending.runs, &pending.spikes);
            self.pending = pending;
            self.pending.clear();
        }
    }

    /// Keeps `runs` of `spikes` to be delivered at the start of the next step.
    pub(super) fn defer(&mut self, runs: &[Run], spikes: &[Spike]) {
        self.pending.clear();
        let from = runs.first().map_or(0, |r| r.spikes.start);
        let to = runs.last().map_or(0, |r| r.spikes.end);
        self.pending.spikes.extend_from_slice(&spikes[from..to]);
        self.pending
            .runs
            .extend(runs.iter().map(|r| Run { spikes: r.spikes.start - from..r.spikes.end - from, ..r.clone() }));
    }

    /// Delivers the pending spikes, sums the inputs of step `stimulus_step` from `t_ms` and steps
    /// every population, each member of the team on its own shares; spikes are appended in
    /// neuron order. Only where [`Net::steps_in_shares`].
    pub(super) fn step_in_shares(
        &mut self,
        t_ms: f64,
        stimulus_step: u64,
        run: &Stepping,
        spikes: &mut Vec<Spike>,
    ) -> Result<(), Fault> {
        let size = self.team.size();
        self.split_rows(size);
        let Net { pops, projections, links, inputs, team, tick, pending, .. } = self;
        let n_pops = pops.len();
        let mut runs_of: Vec<Vec<&mut InputRun>> = pops.iter().map(|_| Vec::new()).collect();
        for input in inputs.iter_mut() {
            runs_of[input.pop].push(input);
        }
        let mut members: Vec<Member> =
            (0..size).map(|k| Member { k, size, pops: Vec::with_capacity(n_pops) }).collect();
        let mut rings: Vec<Vec<SharedRing>> = Vec::with_capacity(n_pops);
        for (pop, runs) in pops.iter_mut().zip(runs_of) {
            let ctx = pop.context(t_ms, run);
            pop.start_step(*tick, &ctx);
            let n = pop.population.len();
            let bounds: Vec<_> = (0..size).map(|k| share(n, k, size, SHARE_ALIGN)).collect();
            let membrane = pop.population.model().linear();
            let held = |kernel| held_current_factor(kernel, membrane, run.integrator, run.dt_ms);
            // Each stimulus's shares: the neurons `first..first + len` it drives, cut at the
            // members' bounds.
            let mut stimuli: Vec<Vec<(Adds, Range<usize>)>> = bounds.iter().map(|_| Vec::new()).collect();
            let (writes, charged) = (pop.inputs.writes(), pop.inputs.writes_charge);
            let stimulated = (!runs.is_empty()).then(|| runs.iter().any(|i| i.runner.writes_current()));
            for input in runs {
                let (first, len) = (input.first, input.runner.neurons());
                let clip = |b: &Range<usize>| b.start.clamp(first, first + len)..b.end.clamp(first, first + len);
                let own: Vec<_> = bounds.iter().map(clip).collect();
                let local: Vec<_> = own.iter().map(|r| r.start - first..r.end - first).collect();
                let adds = input.runner.shares(stimulus_step, held, &local);
                // Within the share (an empty part anywhere in it).
                let within = |r: Range<usize>, b: &Range<usize>| {
                    let at = |i: usize| i.clamp(b.start, b.end) - b.start;
                    at(r.start)..at(r.end)
                };
                for (((to, adds), r), b) in stimuli.iter_mut().zip(adds).zip(own).zip(&bounds) {
                    to.push((adds, within(r, b)));
                }
            }
            // Each synapse type's traces, cut at the members' bounds, and its ring as of the last
            // step, whose spikes the members deliver first.
            let mut synapses: Vec<Vec<Synapse>> = bounds.iter().map(|_| Vec::new()).collect();
            let mut pop_rings = Vec::with_capacity(pop.receptors.len());
            for r in pop.receptors.iter_mut() {
                let factor = r.current_factor(membrane, ctx.integrator, ctx.dt_ms);
                let Receptor { propagator, reversal_mv, states, ring, n, now, slots, .. } = r;
                pop_rings.push(SharedRing::new(ring, *n, (*now + *slots - 1) % *slots));
                for (own, states) in synapses.iter_mut().zip(states.shares(&bounds)) {
                    own.push(Synapse { propagator, reversal_mv: *reversal_mv, factor, states });
                }
            }
            rings.push(pop_rings);
            let inputs = &mut pop.inputs;
            let parts = synapses
                .into_iter()
                .zip(crate::team::cut(&mut inputs.current, &bounds))
                .zip(crate::team::cut(&mut inputs.conductance, &bounds))
                .zip(crate::team::cut(&mut inputs.charge, &bounds))
                .zip(stimuli)
                .zip(pop.population.shares(&ctx, &bounds));
            for (member, (((((synapses, current), conductance), charge), stimuli), neurons)) in
                members.iter_mut().zip(parts)
            {
                member.pops.push(Work {
                    ctx,
                    synapses,
                    inputs: (current, conductance, charge),
                    writes,
                    charged,
                    stimuli,
                    stimulated,
                    neurons,
                    cleared: [false; 3],
                    spikes: Vec::new(),
                    result: Ok(()),
                });
            }
        }
        let (projections, links, pending_now, rings) = (&*projections, &*links, &*pending, &rings);
        team.shares_mut(&mut members, |own| own.iter_mut().for_each(|m| m.run(projections, links, pending_now, rings)));
        // Spikes in population order, then member (neuron) order; the first fault in that order.
        let mut result = Ok(());
        for p in 0..n_pops {
            for member in &mut members {
                let work = &mut member.pops[p];
                spikes.append(&mut work.spikes);
                if result.is_ok() {
                    result = std::mem::replace(&mut work.result, Ok(()));
                }
            }
        }
        // The arrays' flags as the one-thread step leaves them (every member cleared the same).
        let flags: Vec<_> = members[0].pops.iter().map(|w| (w.cleared, w.stimulated)).collect();
        drop((members, rings));
        pending.clear();
        for (pop, (cleared, stimulated)) in pops.iter_mut().zip(flags) {
            pop.inputs.collected(cleared);
            pop.inputs.summed = true;
            if let Some(current) = stimulated {
                pop.inputs.stimulate(current);
            }
        }
        result
    }
}

impl Pending {
    fn clear(&mut self) {
        self.spikes.clear();
        self.runs.clear();
    }
}
