//! The native window around [`SpikelabApp`], with scripted screenshots and frame statistics
//! for CI, README pictures and BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Session, SpikelabApp};
use crate::engine::Command;
use crate::library;
use crate::neuron::ModelKind;
use crate::preset::Preset;
use crate::stimulus::{Component, Stimulus};

/// What the window opens on without a preset argument or a session.
pub(super) fn default_preset() -> Preset {
    library::bundled("izhikevich-2003/rs").and_then(Result::ok).unwrap_or_else(|| {
        let mut p = Preset::with_model("Izhikevich RS", ModelKind::Izhikevich.default_model());
        p.stimulus = Stimulus::of(vec![Component::Step { start_ms: 50.0, amplitude: 10.0 }]);
        p
    })
}

/// What `spikelab gui` (or `spikelab` alone) opens the window with.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct GuiArgs {
    /// Preset file or bundled name to open.
    pub preset: Option<String>,
    /// Save a PNG of the window after it has drawn for `--screenshot-after-ms`, then quit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    #[arg(long, default_value_t = 2500)]
    pub screenshot_after_ms: u64,
    /// Start the simulation running.
    #[arg(long)]
    pub run: bool,
    /// Open on a view (fi starts a sweep, regimes a map); a view the preset does not offer
    /// opens the preset's first.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(super::SpikelabApp::view_ids()))]
    pub view: Option<String>,
    /// After this many frames print UI frame-time statistics as JSON and quit.
    #[arg(long)]
    pub frame_stats: Option<usize>,
    /// A folder with MNIST's IDX files for a learning preset (as `run --mnist`).
    #[arg(long)]
    pub mnist: Option<PathBuf>,
    /// Open on the default preset instead of the last session (which is then replaced).
    #[arg(long)]
    pub fresh: bool,
    /// Open a lesson (a bundled id such as `01-membrane`, or a lesson folder) where the student
    /// left it.
    #[arg(long)]
    pub lesson: Option<String>,
}

struct Window {
    app: SpikelabApp,
    args: GuiArgs,
    started: Instant,
    /// Screenshot outcome, filled by egui's callback.
    shot: Arc<Mutex<Option<Result<(), String>>>>,
    shot_requested: bool,
    frame_cpu_ms: Vec<f32>,
    /// Wall clock and simulated time at the first frame measured, and at the last frame the
    /// simulated time moved (a run that pauses at its end is measured while it ran).
    measured_from: Option<(Instant, f64)>,
    last_moved: Option<(Instant, f64)>,
    result: Arc<Mutex<Result<(), String>>>,
}

impl eframe::App for Window {
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.save_session();
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let cpu = frame.info().cpu_usage;
        self.app.lab.perf.ui_cpu_ms = cpu.map(|s| s * 1000.0);
        self.app.ui(ui);
        let ctx = ui.ctx().clone();

        if let Some(frames) = self.args.frame_stats {
            if let Some(c) = cpu {
                self.frame_cpu_ms.push(c * 1000.0);
            }
            let t_ms = self.app.lab.history.t_ms;
            let (since, t0) = *self.measured_from.get_or_insert((Instant::now(), t_ms));
            if t_ms > self.last_moved.map_or(t0, |(_, t)| t) {
                self.last_moved = Some((Instant::now(), t_ms));
            }
            // Frames come as the engine sends them (as in use); a paused preset still redraws.
            ctx.request_repaint_after(Duration::from_millis(50));
            if self.frame_cpu_ms.len() >= frames {
                let rate = self.last_moved.map_or(0.0, |(at, t)| (t - t0) / at.duration_since(since).as_secs_f64());
                print_frame_stats(&mut self.frame_cpu_ms, self.started.elapsed(), rate);
                self.args.frame_stats = None;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }

        if let Some(path) = self.args.screenshot.clone() {
            ctx.request_repaint_after(Duration::from_millis(50));
            if !self.shot_requested && self.started.elapsed() >= Duration::from_millis(self.args.screenshot_after_ms) {
                self.shot_requested = true;
                let slot = self.shot.clone();
                let waker = ctx.clone();
                ctx.request_screenshot(move |image| {
                    *slot.lock().unwrap() = Some(save_png(&path, &image));
                    waker.request_repaint();
                });
            }
            if let Some(outcome) = self.shot.lock().unwrap().take() {
                *self.result.lock().unwrap() = outcome;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }
}

fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, image.as_raw().to_vec())
        .ok_or("screenshot has an unexpected size")?;
    let mut png = Vec::new();
    buffer
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode PNG: {e}"))?;
    crate::fsio::write_atomic(path, &png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("screenshot saved to {} ({w}x{h})", path.display());
    Ok(())
}

/// Prints UI CPU time per frame (ms): mean, median, 95th percentile, and the simulated
/// milliseconds per wall second over the frames measured, as one JSON line.
fn print_frame_stats(ms: &mut [f32], wall: Duration, sim_ms_per_wall_s: f64) {
    ms.sort_by(f32::total_cmp);
    let n = ms.len().max(1);
    let mean = ms.iter().sum::<f32>() / n as f32;
    let pct = |q: f64| ms.get(((n as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    println!(
        "{}",
        serde_json::json!({"frames": ms.len(), "ui_cpu_ms_mean": mean, "ui_cpu_ms_median": pct(0.5),
            "ui_cpu_ms_p95": pct(0.95), "wall_seconds": wall.as_secs_f64(),
            "simulated_ms_per_wall_second": sim_ms_per_wall_s})
    );
}

/// Opens the spikelab window; returns when it is closed. Without a preset it reopens the last
/// session (unless `--fresh`); the session is saved every few seconds and on close.
pub fn run_window(args: GuiArgs) -> Result<(), String> {
    let session_path = Session::default_path();
    let (mut session, mut restore_error) = (None, None);
    let mut opened_file = None;
    let mut preset = match &args.preset {
        Some(arg) => {
            opened_file = Path::new(arg).is_file().then(|| PathBuf::from(arg));
            Some(library::resolve(arg).map_err(|e| e.to_string())?)
        }
        None => {
            match session_path.as_deref().filter(|_| !args.fresh).map(Session::restore).transpose() {
                Ok(restored) => session = restored.flatten(),
                Err(why) => restore_error = Some(why),
            }
            session.is_none().then(default_preset)
        }
    };
    if let (Some(dir), Some(p)) = (&args.mnist, preset.as_mut()) {
        p.use_mnist(dir)?;
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("spikelab").with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let result = Arc::new(Mutex::new(Ok(())));
    let outcome = result.clone();
    eframe::run_native(
        "spikelab",
        options,
        Box::new(move |cc| {
            let ctx = Some(cc.egui_ctx.clone());
            let mut app = match (preset, session) {
                (Some(preset), _) => {
                    // The recent files and zoom of the last session stay.
                    let last = session_path.as_deref().and_then(|p| Session::restore(p).ok().flatten());
                    let mut app = SpikelabApp::new(preset, ctx)?;
                    if let Some(last) = last {
                        app.keep_from(last);
                    }
                    app
                }
                (None, Some(session)) => SpikelabApp::restore(session, ctx)?,
                (None, None) => unreachable!("a preset or a session"),
            };
            if let Some(file) = &opened_file {
                app.opened_from(file);
            }
            cc.egui_ctx.set_zoom_factor(app.zoom());
            if let Some(why) = restore_error {
                app.lab.error(why);
            }
            let free_run = app.lab.preset().learning.is_none();
            if free_run && (args.run || args.screenshot.is_some() || args.frame_stats.is_some()) {
                app.send(Command::Run);
            }
            if args.run {
                app.start_learning(&cc.egui_ctx);
            }
            if let Some(view) = &args.view {
                app.open_view(view, Some(cc.egui_ctx.clone()));
            }
            if let Some(path) = session_path {
                app.autosave_to(path);
            }
            if let Some(id) = &args.lesson {
                match crate::lesson::Lesson::resolve(id) {
                    Ok(lesson) => app.open_lesson(lesson, Some(cc.egui_ctx.clone())),
                    Err(e) => app.lab.error(format!("lesson not opened: {e}")),
                }
            }
            Ok(Box::new(Window {
                app,
                args,
                started: Instant::now(),
                shot: Arc::default(),
                shot_requested: false,
                frame_cpu_ms: Vec::new(),
                measured_from: None,
                last_moved: None,
                result: outcome,
            }))
        }),
    )
    .map_err(|e| format!("cannot open the window: {e}"))?;
    result.lock().unwrap().clone()
}
