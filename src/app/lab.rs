//! The state the panels share: the lab as the user set it, what the engine sent, the commands
//! to send, and a lesson's locks. Every edit passes through [`Lab::edit`].

use super::Perf;
use super::history::History;
use crate::engine::{Command, Simulation};
use crate::neuron::NeuronModel;
use crate::preset::views::View;
use crate::preset::{Preset, Valid};

/// A line for the status bar: errors in red, stay until replaced or dismissed.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// The state panels share: the lab as the user set it, what the engine sent, commands to send.
pub struct Lab {
    /// The lab state as the user set it (what a save writes), changed only through
    /// [`Lab::edit`], [`Lab::change_to`] and [`Lab::load`].
    preset: Valid,
    pub history: History,
    pub commands: Vec<Command>,
    pub message: Option<Message>,
    pub perf: Perf,
    /// A view asks to open another (the raster opens the traces of the neuron clicked).
    pub goto: Option<&'static str>,
    /// What a lesson's step lets the student change and see.
    pub locks: Locks,
    /// Why the engine thread ended, when it has (a defect): the status bar says so and offers
    /// a new engine on the lab as it is.
    pub engine_stopped: Option<String>,
    /// The status bar's *Restart the engine* was clicked.
    pub restart_engine: bool,
}

/// A lesson step's limits on the controls; the default limits nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locks {
    /// The only preset paths the controls may change (`neuron.g_l_ns`, or a parent such as
    /// `network.projections.2`); `None`: all of them.
    pub unlocked: Option<Vec<String>>,
    /// Paths whose values are hidden (a mystery neuron's).
    pub hidden: Vec<String>,
    /// The model itself is hidden (a mystery drawn among models).
    pub hide_model: bool,
    /// Experiments are counted (a mystery's budget of stimuli).
    pub budgeted: bool,
}

impl Locks {
    /// Whether a control of `path` may change it.
    pub fn allows(&self, path: &str) -> bool {
        self.unlocked.as_ref().is_none_or(|free| free.iter().any(|p| under(path, p)))
    }
    pub fn hides(&self, path: &str) -> bool {
        self.hide_model || self.hidden.iter().any(|p| under(path, p))
    }
    /// Why `view` is closed during a mystery: one drawn from the equations would show the
    /// hidden values, and under a budget one that runs experiments of its own would spend none.
    pub fn closes(&self, view: View) -> Option<&'static str> {
        let mystery = self.hide_model || !self.hidden.is_empty();
        if mystery && view.draws_the_equations() {
            return Some("Closed for the mystery: it is drawn from the hidden parameters. Measure instead.");
        }
        (self.budgeted && view.runs_experiments())
            .then_some("Closed for the mystery: its runs would not count against your budget of stimuli.")
    }
}

/// `path` is `parent` or lies under it.
fn under(path: &str, parent: &str) -> bool {
    path.strip_prefix(parent).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

impl Lab {
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), is_error: true });
    }
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), is_error: false });
    }

    /// A lab on `preset`, with nothing received from the engine yet.
    pub fn new(preset: Valid) -> Self {
        Self {
            preset,
            history: History::default(),
            commands: Vec::new(),
            message: None,
            perf: Perf::default(),
            goto: None,
            locks: Locks::default(),
            engine_stopped: None,
            restart_engine: false,
        }
    }

    /// The lab state as the user set it.
    pub fn preset(&self) -> &Valid {
        &self.preset
    }

    /// Replaces the whole lab with a preset and starts a new run; an invalid one changes
    /// nothing, and the error says which field and why.
    pub fn load(&mut self, preset: Preset) -> Result<(), String> {
        let preset = Valid::new(preset).map_err(|inv| inv.to_string())?;
        self.info(format!("loaded {}", preset.name));
        self.start(preset, Command::Load);
        Ok(())
    }

    /// Sends `preset` to the engine as a new run.
    fn start(&mut self, preset: Valid, command: fn(Box<Valid>) -> Command) {
        let learning = preset.learning.is_some();
        self.commands.push(command(Box::new(preset.clone())));
        if learning {
            // A learning task runs on its own job; nothing should run on the engine's clock.
            self.commands.push(Command::Pause);
        }
        self.preset = preset;
        self.history.expect_new_run();
    }

    /// The one way an edit reaches the lab and the engine: `change` is made on a copy of the
    /// lab, which is validated once, here. A valid edit moves the lab and the run (live where
    /// [`Simulation::live`] allows; `Ok(true)` when it starts a new run); an invalid one changes
    /// nothing, and the error says which field and why.
    pub fn edit(&mut self, change: impl FnOnce(&mut Preset)) -> Result<bool, String> {
        let mut draft = Preset::clone(&self.preset);
        change(&mut draft);
        let valid = Valid::new(draft).map_err(|inv| inv.to_string())?;
        Ok(self.change_to(valid))
    }

    /// [`Lab::edit`] for a control with nowhere else to say why: a refused edit is said in the
    /// status bar. `true` when it was applied.
    pub fn apply(&mut self, change: impl FnOnce(&mut Preset)) -> bool {
        let refused = self.edit(change).err();
        if let Some(why) = &refused {
            self.error(format!("not applied: {why}"));
        }
        refused.is_none()
    }

    /// Moves the lab and its run to `target` (an edit, an undo); `true` when that is a new run.
    pub fn change_to(&mut self, target: Valid) -> bool {
        if target == self.preset {
            return false;
        }
        if Simulation::live(&self.preset, &target) {
            self.commands.push(Command::Edit(Box::new(target.clone())));
            self.preset = target;
            false
        } else {
            self.start(target, Command::Edit);
            true
        }
    }

    /// The model of the neuron the traces show: the bench's neuron, or in a network the
    /// parameters the engine reports for the traced neuron.
    pub fn traced_model(&self) -> NeuronModel {
        match (&self.preset.network, self.history.engine_model) {
            (Some(_), Some(model)) => model,
            _ => self.preset.neuron,
        }
    }

    /// What determines a network's synapses (its description, dt and seed), for views that
    /// rebuild it on a background job; `None` without a network.
    pub fn network_key(&self) -> Option<String> {
        let network = self.preset.network.as_ref()?;
        Some(format!("{} {} {}", self.preset.run.seed, self.preset.run.dt_ms, crate::ron_file::write_ron(network)))
    }

    pub fn reset(&mut self) {
        self.commands.push(Command::Reset);
        self.history.expect_new_run();
    }
}
