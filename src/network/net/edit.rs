//! Changing a running network: live edits that keep every neuron's state, and what the learning
//! tasks do between trials (play trains, rest, freeze learning).

use super::build::{input_run, project, writes_charge};
use super::*;

impl Net {
    /// Applies a live change of the network built from `old` (seed `seed`) to `new`
    /// ([`NetworkSpec::live_change`]): new neuron parameters or spike trains, a projection's weights drawn
    /// again from its own stream (the same connections; learned weights start again from the
    /// new ones), a plasticity rule's new parameters (weights kept, traces cleared), an input's
    /// new stimulus. Every neuron keeps its state and every spike in flight arrives.
    pub fn apply_live(&mut self, old: &NetworkSpec, new: &NetworkSpec, dt_ms: f64, seed: u64) -> Result<(), String> {
        debug_assert!(old.live_change(new));
        self.flush(); // what is in flight, with the weights it left with
        for (p, (a, b)) in old.populations.iter().zip(&new.populations).enumerate() {
            if a.neuron != b.neuron {
                self.set_model(p, b.neuron);
            }
            // A source's new train from the next step; its random stream goes on.
            if let (Some(source), Some(train)) = (&mut self.pops[p].source, &b.source) {
                source.train = train.clone();
            }
        }
        for (k, (a, b)) in old.projections.iter().zip(&new.projections).enumerate() {
            if a.weight != b.weight {
                let fresh = project(new, k, dt_ms, seed)?;
                let proj = &mut self.projections[k];
                let old_plastic = proj.plastic.take();
                (proj.connections, proj.plastic) = (fresh.connections, fresh.plastic);
                // The same connections: what is in flight still arrives.
                if let (Some(plastic), Some(before)) = (&mut proj.plastic, old_plastic) {
                    (plastic.learning, plastic.pending, plastic.now) = (before.learning, before.pending, before.now);
                }
            } else if let Some(plastic) = &mut self.projections[k].plastic {
                if let Some(rule) = b.plasticity.filter(|&r| Some(r) != a.plasticity) {
                    plastic.set_rule(rule);
                }
                plastic.normalise = b.normalise.map(|n| (n.total, ((n.every_ms / dt_ms).round() as u64).max(1)));
            }
        }
        for (k, (a, b)) in old.inputs.iter().zip(&new.inputs).enumerate() {
            if a.stimulus != b.stimulus {
                self.inputs[k] = input_run(new, k, dt_ms, seed);
                let pop = &mut self.pops[self.inputs[k].pop];
                pop.inputs.set_writes_charge(writes_charge(new, self.inputs[k].pop, &pop.receptors));
            }
        }
        Ok(())
    }

    /// Live edit of a population's parameters (same kind); per-neuron values stay.
    pub fn set_model(&mut self, p: usize, model: NeuronModel) {
        let pop = &mut self.pops[p];
        let spread: Vec<&str> = pop.spread.iter().map(String::as_str).collect();
        pop.population.set_base_model(model, &spread);
    }
    /// A new stimulus for input `k` (the bench's single neuron: the run's own seed).
    pub fn set_single_stimulus(&mut self, stimulus: &Stimulus, dt_ms: f64, seed: u64) {
        self.inputs[0].runner = Runner::new(stimulus, dt_ms, seed, 1);
        let inputs = &mut self.pops[0].inputs;
        inputs.clear();
        inputs.set_writes_charge(stimulus.injects_charge());
    }

    /// Plays `trains` (per neuron, ms from now) into spike-source population `p` from the next
    /// step on, in place of its own train: the spike of time `t` fires in the step that
    /// contains it.
    pub fn play(&mut self, p: usize, trains: &[Vec<f64>], dt_ms: f64) {
        let Some(source) = self.pops[p].source.as_mut() else { return };
        let played = &mut source.played;
        let events = &mut played.scratch;
        events.clear();
        for (i, times) in trains.iter().enumerate() {
            events.extend(times.iter().map(|&t| ((t / dt_ms).floor().max(0.0) as u32, i as u32)));
        }
        let steps = events.iter().map(|e| e.0 + 1).max().unwrap_or(0);
        group_by_key_into(steps as usize, events.iter().copied(), &mut played.offsets, &mut played.neurons);
        played.from = Some(self.tick);
    }

    /// Back to rest: every neuron's variables at their initial values, no refractory clock,
    /// no synaptic current or spike in flight, no STDP trace, played trains dropped. What was
    /// learned stays: weights and adaptive thresholds.
    pub fn rest(&mut self) {
        self.pending = Default::default();
        for pop in &mut self.pops {
            pop.population.rest();
            for r in &mut pop.receptors {
                r.states.clear();
                r.ring.fill(0.0);
            }
            if let Some(source) = &mut pop.source {
                source.played.from = None;
            }
        }
        for plastic in self.projections.iter_mut().filter_map(|p| p.plastic.as_mut()) {
            plastic.rest();
        }
    }

    /// Switches learning on or off: plastic weights, their normalisation and adaptive
    /// thresholds all freeze (to test what a network has learned) or resume.
    pub fn set_learning(&mut self, on: bool) {
        for plastic in self.projections.iter_mut().filter_map(|p| p.plastic.as_mut()) {
            plastic.learning = on;
        }
        for pop in &mut self.pops {
            pop.population.set_adapting(on);
        }
    }
}
