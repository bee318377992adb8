//! Undo and redo for every edit of the lab, neuron and network alike: the lab's state is
//! watched after each frame, and a change that has settled (no drag under way) becomes a step
//! back. Going back or forward moves the running engine as [`Lab::change_to`] does.

use super::Lab;
use crate::preset::{Preset, Valid};

/// Steps kept each way.
const DEPTH: usize = 100;

pub struct Undo {
    back: Vec<Valid>,
    forward: Vec<Valid>,
    /// The lab as of the last settled edit.
    settled: Valid,
}

impl Undo {
    pub fn new(preset: &Valid) -> Self {
        Self { back: Vec::new(), forward: Vec::new(), settled: preset.clone() }
    }

    /// After a frame: an edit that has settled (`busy`: a drag still under way) becomes a
    /// step back, and what was undone can no longer be redone.
    pub fn track(&mut self, lab: &Lab, busy: bool) {
        if busy || *lab.preset() == self.settled {
            return;
        }
        self.back.push(std::mem::replace(&mut self.settled, lab.preset().clone()));
        if self.back.len() > DEPTH {
            self.back.remove(0);
        }
        self.forward.clear();
    }

    pub fn undo(&mut self, lab: &mut Lab) {
        if let Some(earlier) = self.back.pop() {
            self.forward.push(lab.preset().clone());
            self.go(lab, earlier);
        }
    }

    pub fn redo(&mut self, lab: &mut Lab) {
        if let Some(later) = self.forward.pop() {
            self.back.push(lab.preset().clone());
            self.go(lab, later);
        }
    }

    fn go(&mut self, lab: &mut Lab, target: Valid) {
        self.settled = target.clone();
        lab.change_to(target);
    }

    /// The edit undo would take back, e.g. "neuron.d 2 -> 8" (`None`: nothing to undo).
    pub fn undo_label(&self, now: &Preset) -> Option<String> {
        self.back.last().map(|earlier| describe(earlier, now))
    }
    /// The edit redo would make again.
    pub fn redo_label(&self, now: &Preset) -> Option<String> {
        self.forward.last().map(|later| describe(now, later))
    }
}

/// The change from `from` to `to` in a few words: the number that changes, or the part.
fn describe(from: &Preset, to: &Preset) -> String {
    let (a, b) = (from.numbers_under("network"), to.numbers_under("network"));
    let (c, d) = (from.numbers_under("neuron"), to.numbers_under("neuron"));
    let changed: Vec<String> = a
        .iter()
        .zip(&b)
        .chain(c.iter().zip(&d))
        .filter(|(x, y)| x.0 == y.0 && x.1 != y.1)
        .map(|(x, y)| format!("{} {} -> {}", x.0, x.1, y.1))
        .collect();
    match changed.as_slice() {
        [one] if a.len() == b.len() && c.len() == d.len() => one.clone(),
        _ if from.name != to.name => format!("the preset ({})", to.name),
        _ if from.network != to.network => "the network".into(),
        _ if from.stimulus != to.stimulus => "the stimulus".into(),
        _ if from.neuron != to.neuron => "the neuron".into(),
        _ if from.run != to.run => "the simulation settings".into(),
        _ => "the view".into(),
    }
}
