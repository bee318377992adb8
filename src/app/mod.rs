//! The eframe GUI. The whole UI is [`SpikelabApp::ui`] on a plain struct built around an engine
//! handle, so tests drive it headless with egui_kittest; [`run_window`] puts it in a window.
//!
//! Panels own view state only: they read [`Lab`], change it through [`Lab::edit`] and push
//! transport [`Command`]s into `lab.commands`; the app sends them after the UI pass.

mod figure_menu;
mod files;
pub mod history;
mod job;
mod lab;
pub mod lesson_panel;
mod markdown;
mod network_params;
mod neuron_panel;
mod stimulus_editor;
mod transport;
mod undo;
pub mod views;
mod widgets;
mod window;

use std::time::{Duration, Instant};

use crate::engine::{Command, EngineHandle};
use crate::preset::learning::Learning;
use crate::preset::{Preset, Valid};

pub use crate::preset::session::Session;
pub use history::History;
pub use lab::{Lab, Locks, Message};
pub use views::ViewPanel;
pub use window::{GuiArgs, run_window};

/// Time the UI spends draining frames per repaint; the rest waits for the next repaint.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);

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

pub struct SpikelabApp {
    engine: EngineHandle,
    pub lab: Lab,
    /// Every view ([`views::registry`]) and the one open.
    views: Vec<Box<dyn ViewPanel>>,
    view: usize,
    neuron_panel: neuron_panel::NeuronPanel,
    files: files::Files,
    figures: figure_menu::FigureMenu,
    /// The lesson beside the lab, when one is open.
    pub lessons: lesson_panel::LessonPanel,
    pub undo: undo::Undo,
    /// Where the session is saved every few seconds (`None`: not saved, as in tests).
    autosave: Option<Autosave>,
    /// The UI's zoom factor as last drawn.
    zoom: f32,
    /// The window title as last sent.
    title: String,
    /// A lesson step's picture being drawn off the UI thread.
    picture: Option<Picture>,
}

/// A lesson step's picture: the step, the file, the job writing it.
struct Picture {
    step: usize,
    path: std::path::PathBuf,
    job: job::Job<Result<(), String>>,
}

/// The session file and what was last written to it.
struct Autosave {
    path: std::path::PathBuf,
    written: String,
    at: Instant,
}

/// How often the session is saved while the window is open.
const AUTOSAVE: Duration = Duration::from_secs(3);

impl SpikelabApp {
    /// Starts the engine on `preset`. `ctx` lets the engine wake the UI when a frame is sent.
    pub fn new(preset: Preset, ctx: Option<egui::Context>) -> Result<Self, String> {
        let waker = ctx.map(|ctx| Box::new(move || ctx.request_repaint()) as crate::engine::thread::Waker);
        let engine = EngineHandle::spawn(&preset, waker)?;
        let preset = Valid::new(preset).map_err(|inv| inv.to_string())?;
        Ok(Self {
            engine,
            undo: undo::Undo::new(&preset),
            lab: Lab::new(preset),
            views: views::registry(),
            view: 0,
            neuron_panel: neuron_panel::NeuronPanel::default(),
            files: files::Files::default(),
            figures: figure_menu::FigureMenu::default(),
            lessons: lesson_panel::LessonPanel::default(),
            autosave: None,
            zoom: 1.0,
            title: String::new(),
            picture: None,
        })
        .map(|mut app| {
            app.view = app.first_view();
            app.files.baseline = Some(app.lab.preset().draft());
            app
        })
    }

    /// Reopens the window as a session left it: the lab with its edits, the view, the file and
    /// whether it had unsaved edits, the recent files (the zoom is the window's to set).
    pub fn restore(session: Session, ctx: Option<egui::Context>) -> Result<Self, String> {
        let preset = session.preset.clone().unwrap_or_else(window::default_preset);
        let mut app = Self::new(preset, ctx)?;
        if let Some(k) = app.views.iter().position(|v| v.id() == session.view && v.offered(app.lab.preset())) {
            app.view = k;
        }
        app.files.current = session.file.clone();
        app.files.recent = session.recent;
        if session.unsaved {
            app.files.baseline = session.file.as_deref().and_then(|f| Preset::load(f).ok());
        }
        app.zoom = session.zoom;
        // Reopened once the data folder (with the lesson's progress) is known: `autosave_to`.
        app.lessons.pending = session.lesson.clone();
        Ok(app)
    }

    /// Writes the open lesson's lab book (HTML if `path` ends so, else Markdown).
    pub fn export_lab_book(&mut self, path: &std::path::Path) {
        self.lessons.export_book(&mut self.lab, path);
    }

    /// Opens a lesson where the student left it: its step's preset, view and locks.
    pub fn open_lesson(&mut self, lesson: crate::lesson::Lesson, ctx: Option<egui::Context>) {
        self.lessons.open(&mut self.lab, lesson, true, ctx);
    }

    /// Keeps the recent files and zoom of a session while opening another preset.
    pub fn keep_from(&mut self, last: Session) {
        self.files.recent = last.recent;
        self.zoom = last.zoom;
    }

    /// The session as it stands.
    pub fn session(&self) -> Session {
        Session {
            preset: Some(self.lab.preset().draft()),
            view: self.view_id().to_string(),
            zoom: self.zoom,
            file: self.files.current.clone(),
            unsaved: self.files.unsaved(&self.lab),
            recent: self.files.recent.clone(),
            lesson: self.lessons.lesson().map(|l| match l.origin.folder() {
                Some(dir) => dir.display().to_string(),
                None => l.id.clone(),
            }),
        }
    }

    /// Saves the session to `path` every few seconds while the window is open, and now; lesson
    /// progress goes beside it. A lesson the session had open reopens where it was left.
    pub fn autosave_to(&mut self, path: std::path::PathBuf) {
        self.lessons.data = path.parent().map(std::path::Path::to_path_buf);
        if let Some(id) = self.lessons.pending.take() {
            match crate::lesson::Lesson::resolve(&id) {
                Ok(lesson) => self.lessons.open(&mut self.lab, lesson, false, None),
                Err(e) => self.lab.error(format!("lesson not reopened: {e}")),
            }
        }
        self.autosave = Some(Autosave { path, written: String::new(), at: Instant::now() - AUTOSAVE });
        self.save_session();
    }

    /// Writes the session if it changed since it was last written.
    pub fn save_session(&mut self) {
        let session = self.session();
        let Some(auto) = &mut self.autosave else { return };
        auto.at = Instant::now();
        let text = session.to_ron();
        if text != auto.written {
            match session.save(&auto.path) {
                Ok(()) => auto.written = text,
                Err(e) => self.lab.error(e),
            }
        }
    }

    /// The zoom factor to restore.
    pub fn zoom(&self) -> f32 {
        self.zoom
    }

    /// The window's title: the preset, its file, and a mark for unsaved edits.
    pub fn title(&self) -> String {
        let mark = if self.files.unsaved(&self.lab) { "*" } else { "" };
        match &self.files.current {
            Some(file) => format!("{mark}{} ({}) - spikelab", self.lab.preset().name, file.display()),
            None => format!("{mark}{} - spikelab", self.lab.preset().name),
        }
    }

    /// Records that the lab was opened from `path` (the window's preset argument).
    pub fn opened_from(&mut self, path: &std::path::Path) {
        self.files.current = Some(path.to_path_buf());
        Session::remember(&mut self.files.recent, path);
    }

    /// A file dropped on the window (tests drop through this too): a lesson folder (or its
    /// `lesson.ron`) opens the lesson; anything else goes to [`files::Files::drop_file`].
    pub fn drop_file(&mut self, path: &std::path::Path) {
        let lesson_ron = if path.is_dir() { path.join("lesson.ron") } else { path.to_path_buf() };
        if lesson_ron.file_name().is_some_and(|f| f == "lesson.ron") && lesson_ron.is_file() {
            match crate::lesson::Lesson::resolve(&path.display().to_string()) {
                Ok(lesson) => self.open_lesson(lesson, None),
                Err(e) => self.lab.error(format!("lesson not opened: {e}")),
            }
            return;
        }
        self.files.drop_file(&mut self.lab, path);
    }

    /// The panel of type `T` (tests look into panels through it).
    pub fn panel<T: ViewPanel>(&self) -> &T {
        views::find(&self.views)
    }
    pub fn panel_mut<T: ViewPanel>(&mut self) -> &mut T {
        views::find_mut(&mut self.views)
    }
    /// What the open view shows, as its figure (what Figure > Save writes).
    pub fn figure(&self) -> Option<crate::figure::Figure> {
        self.views[self.view].figure(&self.lab)
    }

    /// The pixel size of a PNG saved from the open view.
    pub fn figure_pixels(&self) -> (u32, u32) {
        self.figures.pixels
    }
    /// The name of the open view (as `--view` takes it).
    pub fn view_id(&self) -> &'static str {
        self.views[self.view].id()
    }

    /// The first view this preset offers.
    fn first_view(&self) -> usize {
        self.views.iter().position(|v| v.offered(self.lab.preset())).expect("every preset has a view")
    }

    /// Sends a command now (used by the window for `--run`, and by tests).
    pub fn send(&mut self, command: Command) {
        self.engine.send(command);
    }

    /// Starts the learning a preset's view waits for a click to start (`gui --run`).
    pub fn start_learning(&mut self, ctx: &egui::Context) {
        if let Some(Learning::Unsupervised(task)) = self.lab.preset().learning.clone() {
            let seed = self.lab.preset().run.seed;
            self.panel_mut::<views::receptive::ReceptivePanel>().start(task, seed, ctx);
        }
    }

    /// Switches to a view by its command-line name and starts what it shows (the f-I view its
    /// sweep, the regime map its points); an unknown name opens the first view.
    pub fn open_view(&mut self, name: &str, ctx: Option<egui::Context>) {
        self.view = self.views.iter().position(|v| v.id() == name).unwrap_or_else(|| self.first_view());
        self.views[self.view].open(&self.lab, ctx);
    }

    /// The names `--view` takes.
    pub fn view_ids() -> Vec<&'static str> {
        crate::preset::views::View::ALL.iter().map(|v| v.id()).collect()
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
        if self.lab.engine_stopped.is_none() {
            self.lab.engine_stopped = self.engine.stopped().map(str::to_string);
        }
    }

    /// A new engine on the lab as it is, after the old one's thread ended; the lab, its undo
    /// steps and the session are untouched.
    fn restart_engine(&mut self, ctx: &egui::Context) {
        let ctx = ctx.clone();
        let waker = Box::new(move || ctx.request_repaint()) as crate::engine::thread::Waker;
        match EngineHandle::spawn(self.lab.preset(), Some(waker)) {
            Ok(engine) => {
                self.engine = engine;
                self.lab.history = History::default();
                self.lab.engine_stopped = None;
            }
            Err(e) => {
                self.lab.message = Some(Message { text: format!("cannot restart the engine: {e}"), is_error: true })
            }
        }
    }

    /// The whole UI, one pass.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.lab.perf.tick();
        self.drain_frames();
        self.files.poll(&mut self.lab);
        self.lessons.poll_dialog(&mut self.lab, Some(ui.ctx().clone()));
        let dropped: Vec<std::path::PathBuf> =
            ui.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect());
        for path in dropped {
            self.drop_file(&path);
        }
        self.zoom = ui.ctx().zoom_factor();

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
                if let Some(lesson) = lessons_menu(ui, &mut self.lessons, &mut self.lab) {
                    self.open_lesson(lesson, Some(ui.ctx().clone()));
                }
            });
        });
        if self.lab.preset().learning.is_none() {
            // A learning task runs trial by trial on its own job, not on the engine's clock.
            egui::Panel::top("transport").show(ui, |ui| transport::ui(ui, &mut self.lab));
        }
        egui::Panel::bottom("status").show(ui, |ui| status_ui(ui, &mut self.lab));
        let designer_open = self.view_id() == "stimulus";
        egui::Panel::left("neuron")
            .default_size(340.0)
            .show(ui, |ui| self.neuron_panel.ui(ui, &mut self.lab, designer_open));
        if self.lessons.is_open() {
            let width = if self.lessons.lecture { 520.0 } else { 380.0 };
            egui::Panel::right("lesson").default_size(width).show(ui, |ui| self.lessons.ui(ui, &mut self.lab));
        }
        // Each kind of preset has its own views; a load may switch kinds.
        if !self.views[self.view].offered(self.lab.preset())
            || self.lab.locks.closes(self.views[self.view].view()).is_some()
        {
            self.view = self.first_view();
        }
        egui::CentralPanel::default().show(ui, |ui| {
            let (area, ppp) = (ui.available_rect_before_wrap(), ui.ctx().pixels_per_point());
            self.figures.pixels = ((area.width() * ppp) as u32, (area.height() * ppp) as u32);
            ui.horizontal(|ui| {
                let preset = self.lab.preset();
                for (k, view) in self.views.iter().enumerate().filter(|(_, v)| v.offered(preset)) {
                    let disabled = view.view().disabled(preset).or_else(|| self.lab.locks.closes(view.view()));
                    let tab = ui
                        .add_enabled_ui(disabled.is_none(), |ui| ui.selectable_value(&mut self.view, k, view.title()));
                    if let Some(why) = disabled {
                        tab.response.on_disabled_hover_text(why);
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    self.figures.ui(ui, &mut self.lab, self.views[self.view].as_ref());
                });
            });
            ui.separator();
            self.views[self.view].ui(ui, &mut self.lab);
        });
        if let Some(id) = self.lab.goto.take() {
            self.open_view(id, None);
        }
        // A step's picture waits for the one before it, and for the view to have something to draw
        // (the engine's first frame may still be on its way).
        if self.picture.is_none()
            && self.lessons.wants_picture()
            && let Some(figure) = self.figure()
            && let Some((k, path)) = self.lessons.take_picture_request()
        {
            self.save_picture(k, path, figure, ui.ctx());
        }
        self.poll_picture();

        if ui.input(|i| !i.raw.hovered_files.is_empty()) {
            let screen = ui.ctx().content_rect();
            let painter =
                ui.ctx().layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("spikelab-drop")));
            painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
            let text = "Drop a preset to open it, or a stimulus file to drive the neuron";
            painter.text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                text,
                egui::FontId::proportional(22.0),
                egui::Color32::WHITE,
            );
        }

        // An edit becomes a step back once its drag has ended.
        let busy = ui.ctx().dragged_id().is_some();
        self.undo.track(&self.lab, busy);
        let title = self.title();
        if title != self.title {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        if let Some(auto) = &self.autosave {
            if auto.at.elapsed() >= AUTOSAVE {
                self.save_session();
            }
            // A paused lab draws no frames of its own: wake up for the next save.
            ui.ctx().request_repaint_after(AUTOSAVE);
        }
        if std::mem::take(&mut self.lab.restart_engine) {
            self.restart_engine(ui.ctx());
        }
        for command in self.lab.commands.drain(..) {
            self.engine.send(command);
        }
        if matches!(self.lab.history.status, crate::engine::frame::Status::Running) {
            // Frames wake us; this keeps the readouts alive if the engine is paced slowly.
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
    }
}

impl SpikelabApp {
    /// Draws the open view's figure as the picture of lesson step `k` (for the lab book), on a
    /// job: a raster of thousands of neurons takes longer than a frame.
    fn save_picture(&mut self, k: usize, path: std::path::PathBuf, figure: crate::figure::Figure, ctx: &egui::Context) {
        let (w, h) = self.figures.pixels;
        let file = path.clone();
        let job = job::Job::spawn(1, Some(ctx.clone()), move |report| {
            let created = file.parent().map_or(Ok(()), std::fs::create_dir_all).map_err(|e| e.to_string());
            report.send(created.and_then(|()| figure.save(&file, (w.clamp(320, 1600), h.clamp(240, 1200)))));
        });
        self.picture = Some(Picture { step: k, path, job });
    }

    /// Records a step's picture once its job has written it.
    fn poll_picture(&mut self) {
        let Some(picture) = &self.picture else { return };
        let Some(result) = picture.job.drain().pop() else { return };
        match result {
            Ok(()) => self.lessons.pictured(&mut self.lab, picture.step, &picture.path),
            Err(e) => self.lab.error(format!("the step's picture was not saved: {e}")),
        }
        self.picture = None;
    }
}

/// Lessons: the bundled ones, a lesson folder, lecture mode, closing; the lesson picked.
fn lessons_menu(
    ui: &mut egui::Ui,
    panel: &mut lesson_panel::LessonPanel,
    lab: &mut Lab,
) -> Option<crate::lesson::Lesson> {
    let mut picked = None;
    ui.menu_button("Lessons", |ui| {
        for (id, lesson) in crate::lesson::bundled() {
            match lesson {
                Ok(lesson) => {
                    let n = lesson.steps().len();
                    let saved = panel.data.as_ref().and_then(|d| {
                        crate::lesson::Progress::load(&crate::lesson::Progress::folder(d, id), n).ok().flatten()
                    });
                    let done = saved
                        .map_or(String::new(), |p| format!("  ({}/{} answered)", p.answered(), lesson.questions()));
                    let title = format!("{}. {}{done}", ui_number(id), lesson.manifest.title);
                    if ui.button(title).on_hover_text(&lesson.manifest.summary).clicked() {
                        picked = Some(lesson.clone());
                        ui.close();
                    }
                }
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
            }
        }
        ui.separator();
        if ui
            .button("Open lesson…")
            .on_hover_text("A lesson folder's lesson.ron (or drop the folder on the window)")
            .clicked()
        {
            panel.ask_open(ui.ctx());
            ui.close();
        }
        let mut lecture = panel.lecture;
        if ui
            .checkbox(&mut lecture, "Lecture mode")
            .on_hover_text("Larger text, checks hidden: for a projector")
            .changed()
        {
            panel.lecture = lecture;
            ui.ctx().set_zoom_factor(if lecture { 1.5 } else { 1.0 });
        }
        if panel.is_open()
            && ui
                .button("Start this lesson over")
                .on_hover_text("Clears its answers; your mystery neurons stay the same")
                .clicked()
        {
            panel.restart(lab);
            ui.close();
        }
        if panel.is_open() && ui.button("Close the lesson").clicked() {
            panel.close(lab);
            ui.close();
        }
    });
    picked
}

/// The number a bundled lesson's id starts with (`01-membrane` → `1`).
fn ui_number(id: &str) -> String {
    id.split('-').next().and_then(|n| n.parse::<u32>().ok()).map_or(id.to_string(), |n| n.to_string())
}

/// Edit > Undo / Redo, each naming what it changes.
fn edit_menu(ui: &mut egui::Ui, undo: &mut undo::Undo, lab: &mut Lab) {
    ui.menu_button("Edit", |ui| {
        let (back, forward) = (undo.undo_label(lab.preset()), undo.redo_label(lab.preset()));
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
    // Wrapped: a fault's message says what to change, and must be read whole.
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("preset: {}", lab.preset().name));
        ui.separator();
        if let Some(why) = &lab.engine_stopped {
            let text = format!("the engine stopped: {why}. The lab and its session are kept.");
            ui.colored_label(ui.visuals().error_fg_color, text);
            lab.restart_engine |= ui.button("Restart the engine").clicked();
        } else if let crate::engine::frame::Status::Faulted(why) = &lab.history.status {
            ui.colored_label(ui.visuals().error_fg_color, format!("paused: {why}"));
            let over = ui.small_button("start over").on_hover_text("The run again from t = 0 with the lab as it is");
            if over.clicked() {
                lab.commands.push(Command::Reset);
            }
        } else if let Some(message) = &lab.message {
            let color = if message.is_error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
            ui.colored_label(color, &message.text);
            if ui.small_button("dismiss").clicked() {
                lab.message = None;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn a_dead_engine_is_shown_and_restarted_with_the_lab_as_it_was() {
        let mut preset = window::default_preset();
        preset.neuron.set("d", 3.0);
        let mut app = SpikelabApp::new(preset, None).expect("an app");
        app.engine = EngineHandle::crashing("a defect in the engine");
        let mut h =
            Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut SpikelabApp| app.ui(ui), app);
        let start = Instant::now();
        while h.state().lab.engine_stopped.is_none() {
            assert!(start.elapsed() < Duration::from_secs(20), "the dead engine was never noticed");
            std::thread::sleep(Duration::from_millis(10));
            h.step();
        }
        h.step();
        h.get_by_label_contains("the engine stopped: a defect in the engine");
        h.get_by_label("Restart the engine").click();
        h.step();
        assert!(h.state().lab.engine_stopped.is_none());
        assert_eq!(h.state().lab.preset().neuron.get("d"), Some(3.0), "the lab is kept");
        // The new engine runs the lab's model.
        h.state_mut().send(Command::Step(10));
        let start = Instant::now();
        while h.state().lab.history.engine_model.and_then(|m| m.get("d")) != Some(3.0) {
            assert!(start.elapsed() < Duration::from_secs(20), "the new engine sent nothing");
            std::thread::sleep(Duration::from_millis(10));
            h.step();
        }
    }
}
