//! The eframe GUI. The whole UI is [`SpikelabApp::ui`] on a plain struct built around an engine
//! handle, so tests drive it headless with egui_kittest; [`run_window`] puts it in a window.
//!
//! Panels own view state only: they read [`Lab`] and push [`Command`]s into `lab.commands`;
//! the app sends them after the UI pass.

mod activity;
mod bench;
mod classifier;
mod compare;
mod connectivity;
mod currents;
mod designer;
mod diagram;
mod encoding;
mod fi_panel;
mod files;
pub mod history;
mod job;
mod network_params;
mod phase_plane;
mod raster;
mod receptive;
mod regimes;
mod stdp;
mod stimulus_editor;
mod tempotron;
mod traces;
mod transport;
mod undo;
mod widgets;
mod window;

use std::time::{Duration, Instant};

use crate::engine::{Command, EngineHandle};
use crate::learning::Learning;
use crate::neuron::NeuronModel;
use crate::preset::Preset;

pub use history::History;
pub use window::{GuiArgs, run_window};

/// Time the UI spends draining frames per repaint; the rest waits for the next repaint.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);

/// A line for the status bar: errors in red, stay until replaced or dismissed.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// The state panels share: the lab as the user set it, what the engine sent, commands to send.
pub struct Lab {
    /// The current, valid lab state (what a save writes).
    pub preset: Preset,
    pub history: History,
    pub commands: Vec<Command>,
    pub message: Option<Message>,
    pub perf: Perf,
}

impl Lab {
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), is_error: true });
    }
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), is_error: false });
    }

    /// Replaces the whole lab with a preset and starts a new run.
    pub fn load(&mut self, preset: Preset) {
        self.info(format!("loaded {}", preset.name));
        self.commands.push(Command::Load(Box::new(preset.clone())));
        if preset.learning.is_some() {
            // A learning task runs on its own job; nothing should run on the engine's clock.
            self.commands.push(Command::Pause);
        }
        self.preset = preset;
        self.history.expect_new_run();
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

    /// Moves the lab and its engine to `target` (an edit, an undo): each part that differs by a
    /// live command, or a new run when some part cannot change live (then `true`).
    pub fn change_to(&mut self, target: Preset) -> bool {
        let mut reached = self.preset.clone();
        let mut commands = Vec::new();
        if target.neuron != reached.neuron && target.neuron.kind() == reached.neuron.kind() {
            reached.neuron = target.neuron;
            commands.push(Command::SetModel(target.neuron));
        }
        if target.stimulus != reached.stimulus {
            reached.stimulus = target.stimulus.clone();
            commands.push(Command::SetStimulus(target.stimulus.clone()));
        }
        if target.run.integrator != reached.run.integrator {
            reached.run.integrator = target.run.integrator;
            commands.push(Command::SetIntegrator(target.run.integrator));
        }
        if target.run.spike_timing != reached.run.spike_timing {
            reached.run.spike_timing = target.run.spike_timing;
            commands.push(Command::SetSpikeTiming(target.run.spike_timing));
        }
        if target.run.dt_ms != reached.run.dt_ms {
            reached.run.dt_ms = target.run.dt_ms;
            commands.push(Command::SetDt(target.run.dt_ms));
        }
        if target.view.speed != reached.view.speed {
            commands.push(Command::SetSpeed(target.view.speed));
        }
        if target.view.at_end != reached.view.at_end {
            commands.push(Command::SetAtEnd(target.view.at_end));
        }
        reached.view = target.view;
        if let (Some(now), Some(then)) = (&reached.network, &target.network)
            && now != then
            && now.live_change(then)
        {
            commands.push(Command::SetNetwork(Box::new(then.clone())));
            reached.network = target.network.clone();
        }
        if reached == target {
            self.commands.extend(commands);
            self.preset = target;
            false
        } else {
            self.load(target);
            true
        }
    }
}

/// UI frame timing for the readout.
#[derive(Debug, Default, Clone)]
pub struct Perf {
    last_frame: Option<Instant>,
    /// Smoothed frames per second.
    pub fps: f64,
    /// CPU time of the last UI pass in ms (from eframe; `None` headless).
    pub ui_cpu_ms: Option<f32>,
}

impl Perf {
    fn tick(&mut self) {
        let now = Instant::now();
        if let Some(last) = self.last_frame.replace(now) {
            let dt = now.duration_since(last).as_secs_f64();
            if dt > 0.0 {
                self.fps = if self.fps == 0.0 { 1.0 / dt } else { 0.9 * self.fps + 0.1 / dt };
            }
        }
    }
}

/// The views of the central area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Raster,
    Stdp,
    Tempotron,
    Encoding,
    Classifier,
    ReceptiveFields,
    Activity,
    Diagram,
    Regimes,
    Connectivity,
    Traces,
    Stimulus,
    PhasePlane,
    FiCurve,
    Currents,
    Compare,
}

impl View {
    const BENCH: [View; 6] =
        [View::Traces, View::Stimulus, View::PhasePlane, View::FiCurve, View::Currents, View::Compare];
    const NETWORK: [View; 7] =
        [View::Raster, View::Stdp, View::Activity, View::Diagram, View::Regimes, View::Connectivity, View::Traces];
    /// The views of a preset, the one it opens on first: a network has its own, and a learning
    /// network opens on its STDP panel, a learning task has its own view.
    fn of(preset: &Preset) -> Vec<View> {
        if let Some(learning) = &preset.learning {
            return vec![match learning {
                Learning::Tempotron(_) => View::Tempotron,
                Learning::Encoding(_) => View::Encoding,
                Learning::Conversion(_) => View::Classifier,
                Learning::Unsupervised(_) => View::ReceptiveFields,
            }];
        }
        let Some(network) = &preset.network else { return View::BENCH.to_vec() };
        let plastic = network.projections.iter().any(|p| p.plasticity.is_some());
        let rest = View::NETWORK.into_iter().filter(|v| *v != View::Stdp);
        if plastic { std::iter::once(View::Stdp).chain(rest).collect() } else { rest.collect() }
    }

    fn name(self) -> &'static str {
        match self {
            View::Raster => "Raster",
            View::Stdp => "STDP",
            View::Tempotron => "Tempotron",
            View::Encoding => "Encoding",
            View::Classifier => "Spiking classifier",
            View::ReceptiveFields => "Receptive fields",
            View::Activity => "Activity",
            View::Diagram => "Diagram",
            View::Regimes => "Regimes",
            View::Connectivity => "Connectivity",
            View::Traces => "Traces",
            View::Stimulus => "Stimulus",
            View::PhasePlane => "Phase plane",
            View::FiCurve => "f-I curve",
            View::Currents => "Currents & energy",
            View::Compare => "Compare",
        }
    }
}

pub struct SpikelabApp {
    engine: EngineHandle,
    pub lab: Lab,
    pub view: View,
    /// The views offered (a load may change them; then the first opens).
    views: Vec<View>,
    bench: bench::BenchPanel,
    traces: traces::TracePanel,
    pub phase: phase_plane::PhasePanel,
    pub fi: fi_panel::FiPanel,
    pub compare: compare::ComparePanel,
    pub designer: designer::DesignerPanel,
    pub raster: raster::RasterPanel,
    activity: activity::ActivityPanel,
    pub diagram: diagram::DiagramPanel,
    pub regimes: regimes::RegimePanel,
    connectivity: connectivity::ConnectivityPanel,
    pub stdp: stdp::StdpPanel,
    pub tempotron: tempotron::TempotronPanel,
    pub encoding: encoding::EncodingPanel,
    pub classifier: classifier::ClassifierPanel,
    pub receptive: receptive::ReceptivePanel,
    files: files::Files,
    pub undo: undo::Undo,
}

impl SpikelabApp {
    /// Starts the engine on `preset`. `ctx` lets the engine wake the UI when a frame is sent.
    pub fn new(preset: Preset, ctx: Option<egui::Context>) -> Result<Self, String> {
        let waker = ctx.map(|ctx| Box::new(move || ctx.request_repaint()) as crate::engine::thread::Waker);
        let engine = EngineHandle::spawn(&preset, waker)?;
        let views = View::of(&preset);
        let view = views[0];
        let preset_for_undo = preset.clone();
        Ok(Self {
            engine,
            lab: Lab {
                preset,
                history: History::default(),
                commands: Vec::new(),
                message: None,
                perf: Perf::default(),
            },
            view,
            views,
            bench: bench::BenchPanel::default(),
            traces: traces::TracePanel::default(),
            phase: phase_plane::PhasePanel::default(),
            fi: fi_panel::FiPanel::default(),
            compare: compare::ComparePanel::default(),
            designer: designer::DesignerPanel::default(),
            raster: raster::RasterPanel::default(),
            activity: activity::ActivityPanel::default(),
            diagram: diagram::DiagramPanel::default(),
            regimes: regimes::RegimePanel::default(),
            connectivity: connectivity::ConnectivityPanel::default(),
            stdp: stdp::StdpPanel::default(),
            tempotron: tempotron::TempotronPanel::default(),
            encoding: encoding::EncodingPanel::default(),
            classifier: classifier::ClassifierPanel::default(),
            receptive: receptive::ReceptivePanel::default(),
            files: files::Files::default(),
            undo: undo::Undo::new(&preset_for_undo),
        })
    }

    /// Sends a command now (used by the window for `--run`, and by tests).
    pub fn send(&mut self, command: Command) {
        self.engine.send(command);
    }

    /// Starts the learning a preset's view waits for a click to start (`gui --run`).
    pub fn start_learning(&mut self, ctx: &egui::Context) {
        if let Some(Learning::Unsupervised(task)) = &self.lab.preset.learning {
            self.receptive.start(task.clone(), self.lab.preset.run.seed, ctx);
        }
    }

    /// Switches to a view by its command-line name; the f-I view starts a sweep.
    pub fn open_view(&mut self, name: &str, ctx: Option<egui::Context>) {
        self.view = match name {
            "phase-plane" => View::PhasePlane,
            "stimulus" => View::Stimulus,
            "fi" => View::FiCurve,
            "currents" => View::Currents,
            "compare" => View::Compare,
            "raster" => View::Raster,
            "activity" => View::Activity,
            "diagram" => View::Diagram,
            "regimes" => View::Regimes,
            "connectivity" => View::Connectivity,
            "stdp" => View::Stdp,
            "tempotron" => View::Tempotron,
            "encoding" => View::Encoding,
            "classifier" => View::Classifier,
            "receptive-fields" => View::ReceptiveFields,
            _ => View::Traces,
        };
        if self.view == View::Regimes {
            self.regimes.set_up(&self.lab.preset);
            self.regimes.start(&self.lab.preset, ctx.clone());
        }
        if self.view == View::FiCurve {
            let kind = self.lab.preset.neuron.kind();
            (self.fi.from, self.fi.to) = (0.0, 2.0 * kind.demo_step());
            self.fi.start(&self.lab.preset, ctx);
        }
    }

    /// Opens a preset file as File > Open does; a broken file leaves the lab as it was.
    pub fn open_preset(&mut self, path: &std::path::Path) {
        self.files.open(&mut self.lab, path);
    }

    /// Folds in the frames that have arrived, within a time budget.
    pub fn drain_frames(&mut self) {
        let start = Instant::now();
        while start.elapsed() < DRAIN_BUDGET {
            let Some(frame) = self.engine.try_recv() else { break };
            self.lab.history.apply(frame);
        }
    }

    /// The whole UI, one pass.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.lab.perf.tick();
        self.drain_frames();
        self.files.poll(&mut self.lab);

        // Ctrl+Z and Ctrl+Shift+Z, unless a text field has the keyboard (it undoes its own text).
        if !ui.ctx().egui_wants_keyboard_input() {
            let shortcut = |shift| egui::Modifiers { shift, ..egui::Modifiers::COMMAND };
            if ui.input_mut(|i| i.consume_key(shortcut(true), egui::Key::Z)) {
                self.undo.redo(&mut self.lab);
            } else if ui.input_mut(|i| i.consume_key(shortcut(false), egui::Key::Z)) {
                self.undo.undo(&mut self.lab);
            }
        }
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                self.files.menu_ui(ui, &mut self.lab);
                edit_menu(ui, &mut self.undo, &mut self.lab);
            });
        });
        if self.lab.preset.learning.is_none() {
            // A learning task runs trial by trial on its own job, not on the engine's clock.
            egui::Panel::top("transport").show(ui, |ui| transport::ui(ui, &mut self.lab));
        }
        egui::Panel::bottom("status").show(ui, |ui| status_ui(ui, &mut self.lab));
        egui::Panel::left("bench")
            .default_size(340.0)
            .show(ui, |ui| self.bench.ui(ui, &mut self.lab, self.view == View::Stimulus));
        // Each kind of preset has its own views; a load may switch kinds.
        let views = View::of(&self.lab.preset);
        if views != self.views || !views.contains(&self.view) {
            self.views = views.clone();
            self.view = views[0];
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                let hh = matches!(self.lab.preset.neuron, NeuronModel::HodgkinHuxley(_));
                for &view in &views {
                    let enabled = hh || view != View::Currents;
                    ui.add_enabled_ui(enabled, |ui| ui.selectable_value(&mut self.view, view, view.name()))
                        .response
                        .on_disabled_hover_text("for the Hodgkin-Huxley model");
                }
            });
            ui.separator();
            match self.view {
                View::Raster => {
                    if self.raster.ui(ui, &mut self.lab) {
                        self.view = View::Traces;
                    }
                }
                View::Activity => self.activity.ui(ui, &self.lab),
                View::Diagram => self.diagram.ui(ui, &mut self.lab),
                View::Regimes => self.regimes.ui(ui, &mut self.lab),
                View::Stdp => self.stdp.ui(ui, &mut self.lab),
                View::Tempotron => self.tempotron.ui(ui, &mut self.lab),
                View::Encoding => self.encoding.ui(ui, &mut self.lab),
                View::Classifier => self.classifier.ui(ui, &mut self.lab),
                View::ReceptiveFields => self.receptive.ui(ui, &mut self.lab),
                View::Connectivity => self.connectivity.ui(ui, &self.lab),
                View::Traces => self.traces.ui(ui, &mut self.lab),
                View::Stimulus => self.designer.ui(ui, &mut self.lab),
                View::PhasePlane => self.phase.ui(ui, &self.lab),
                View::FiCurve => self.fi.ui(ui, &self.lab),
                View::Currents => currents::ui(ui, &self.lab),
                View::Compare => self.compare.ui(ui, &self.lab),
            }
        });

        // An edit becomes a step back once its drag has ended.
        let busy = ui.ctx().dragged_id().is_some();
        self.undo.track(&self.lab, busy);
        for command in self.lab.commands.drain(..) {
            self.engine.send(command);
        }
        if matches!(self.lab.history.status, crate::engine::frame::Status::Running) {
            // Frames wake us; this keeps the readouts alive if the engine is paced slowly.
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
    }
}

/// Edit > Undo / Redo, each naming what it changes.
fn edit_menu(ui: &mut egui::Ui, undo: &mut undo::Undo, lab: &mut Lab) {
    ui.menu_button("Edit", |ui| {
        let (back, forward) = (undo.undo_label(&lab.preset), undo.redo_label(&lab.preset));
        let undo_text = back.as_ref().map_or("Undo".to_string(), |what| format!("Undo {what}"));
        let button = egui::Button::new(undo_text).shortcut_text(
            ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z)),
        );
        if ui.add_enabled(back.is_some(), button).clicked() {
            undo.undo(lab);
            ui.close();
        }
        let redo_text = forward.as_ref().map_or("Redo".to_string(), |what| format!("Redo {what}"));
        let button = egui::Button::new(redo_text).shortcut_text(ui.ctx().format_shortcut(
            &egui::KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::Z),
        ));
        if ui.add_enabled(forward.is_some(), button).clicked() {
            undo.redo(lab);
            ui.close();
        }
    });
}

fn status_ui(ui: &mut egui::Ui, lab: &mut Lab) {
    ui.horizontal(|ui| {
        ui.label(format!("preset: {}", lab.preset.name));
        ui.separator();
        if let crate::engine::frame::Status::Faulted(why) = &lab.history.status {
            ui.colored_label(ui.visuals().error_fg_color, format!("paused: {why}"));
        } else if let Some(message) = &lab.message {
            let color = if message.is_error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
            ui.colored_label(color, &message.text);
            if ui.small_button("dismiss").clicked() {
                lab.message = None;
            }
        }
    });
}
