//! f-I curve and rheobase as a background job: rate against current (mean and steady), first-spike
//! latency, and adaptation (initial against steady rate), then the rheobase by bisection between
//! the last silent and the first firing current of the sweep.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, DragValue};
use egui_plot::{Legend, Line, Plot, Points};

use crate::analysis::{FiPoint, fi_point, rheobase};
use crate::app::Lab;
use crate::app::job::Job;
use crate::preset::Preset;

/// What the sweep's thread sends back.
pub enum FiResult {
    Point(FiPoint),
    Rheobase(Option<f64>),
    Failed(String),
}

pub struct FiPanel {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    pub duration_ms: f64,
    job: Option<Job<FiResult>>,
    /// For the model the sweep ran on.
    pub points: Vec<FiPoint>,
    pub rheobase: Option<Option<f64>>,
    /// Precision the rheobase is reported to.
    pub precision: f64,
    pub error: Option<String>,
    ran_for: Option<String>,
    range_for: Option<crate::neuron::ModelKind>,
}

impl Default for FiPanel {
    fn default() -> Self {
        Self {
            from: 0.0,
            to: 20.0,
            steps: 21,
            duration_ms: 500.0,
            job: None,
            points: Vec::new(),
            rheobase: None,
            precision: 0.0,
            error: None,
            ran_for: None,
            range_for: None,
        }
    }
}

impl ViewPanel for FiPanel {
    fn view(&self) -> View {
        View::Fi
    }
    fn open(&mut self, lab: &Lab, ctx: Option<egui::Context>) {
        let kind = lab.preset().neuron.kind();
        (self.from, self.to) = (0.0, 2.0 * kind.demo_step());
        self.start(lab.preset(), ctx);
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        (!self.points.is_empty()).then(|| crate::figure::of::fi(&self.points, lab.preset().neuron.current_unit()))
    }
}

impl FiPanel {
    /// Starts a sweep of `preset` in the background (cancelling one that runs).
    pub fn start(&mut self, preset: &Preset, ctx: Option<egui::Context>) {
        let (from, to, steps, duration) = (self.from, self.to, self.steps.max(2), self.duration_ms);
        let currents = crate::analysis::evenly_spaced(from, to, steps);
        self.precision = ((to - from).abs() * 1e-3).max(1e-6);
        let precision = self.precision;
        let preset = preset.clone();
        self.points.clear();
        self.rheobase = None;
        self.error = None;
        self.ran_for = Some(preset.neuron.kind().name().to_string());
        self.job = Some(Job::spawn(steps + 1, ctx, move |report| {
            let mut silent_below = None;
            let mut firing_at = None;
            for &current in &currents {
                match fi_point(&preset, current, duration) {
                    Ok(point) => {
                        if point.first_spike_ms.is_none() {
                            silent_below = Some(current);
                        } else if firing_at.is_none() {
                            firing_at = Some(current);
                        }
                        if !report.send(FiResult::Point(point)) {
                            return;
                        }
                    }
                    Err(e) => {
                        report.send(FiResult::Failed(e));
                        return;
                    }
                }
            }
            let bracket = (silent_below.unwrap_or(from), firing_at.unwrap_or(to));
            let found = match firing_at {
                Some(_) => rheobase(&preset, bracket, duration, 1, precision),
                None => Ok(None),
            };
            report.send(found.map_or_else(FiResult::Failed, FiResult::Rheobase));
        }));
    }

    /// Until `poll` has folded in the finished job's last results (a finished job may still
    /// hold some).
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Folds in what the job has sent; forgets the job once it has finished and been drained.
    pub fn poll(&mut self) {
        let Some(job) = &self.job else { return };
        // Read the flag first: everything sent before it was set is in the channel now.
        let finished = job.is_finished();
        for result in job.drain() {
            match result {
                FiResult::Point(p) => self.points.push(p),
                FiResult::Rheobase(r) => self.rheobase = Some(r),
                FiResult::Failed(e) => self.error = Some(e),
            }
        }
        if finished {
            self.job = None;
        }
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &Lab) {
        self.poll();
        let kind = lab.preset().neuron.kind();
        if self.range_for != Some(kind) {
            // A range that shows this model's threshold and its firing above it.
            self.range_for = Some(kind);
            (self.from, self.to) = (0.0, 2.0 * kind.demo_step());
        }
        let unit = lab.preset().neuron.current_unit();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("from [{unit}]"));
            ui.add(DragValue::new(&mut self.from).speed(0.1)).labelled_by(label.id);
            let label = ui.label(format!("to [{unit}]"));
            ui.add(DragValue::new(&mut self.to).speed(0.1)).labelled_by(label.id);
            let label = ui.label("currents");
            ui.add(DragValue::new(&mut self.steps).range(2..=400)).labelled_by(label.id);
            let label = ui.label("each [ms]");
            ui.add(DragValue::new(&mut self.duration_ms).range(10.0..=20_000.0).speed(10.0)).labelled_by(label.id);
            if self.is_running() {
                if ui.button("Cancel").clicked() {
                    self.job = None;
                }
            } else if ui
                .button("Run sweep")
                .on_hover_text("Drive the model from rest with DC at each current")
                .clicked()
            {
                self.start(lab.preset(), Some(ui.ctx().clone()));
            }
        });
        if let Some(job) = &self.job {
            ui.add(egui::ProgressBar::new(job.progress()).show_percentage().text("sweeping"));
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let summary = match (&self.ran_for, self.rheobase) {
            (Some(model), Some(Some(r))) => {
                format!(
                    "{model}: rheobase {r:.4} ± {:.4} {unit} (smallest DC that fires within {} ms)",
                    self.precision, self.duration_ms
                )
            }
            (Some(model), Some(None)) => format!("{model}: no spike up to {} {unit}", self.to),
            (Some(model), None) => format!("{model}: {} of {} currents done", self.points.len(), self.steps),
            (None, _) => "Run a sweep to see the f-I curve of the model on the bench.".into(),
        };
        ui.label(summary);

        let rate = |f: fn(&FiPoint) -> Option<f64>| -> Vec<[f64; 2]> {
            self.points.iter().filter_map(|p| f(p).map(|y| [p.current, y])).collect()
        };
        let mean: Vec<[f64; 2]> = self.points.iter().map(|p| [p.current, p.rate_hz]).collect();
        let steady = rate(|p| (p.steady_rate_hz > 0.0).then_some(p.steady_rate_hz));
        let initial = rate(|p| p.first_isi_ms.map(|isi| 1000.0 / isi));
        let last = rate(|p| p.last_isi_ms.map(|isi| 1000.0 / isi));
        let latency = rate(|p| p.first_spike_ms);
        let height = (ui.available_height() - 10.0) / 2.0;
        let width = ui.available_width() / 2.0 - 6.0;
        Plot::new("fi_rate")
            .height(height)
            .legend(Legend::default())
            .x_axis_label(format!("I [{unit}]"))
            .y_axis_label("rate [Hz]")
            .show(ui, |p| {
                p.line(Line::new("mean rate (spikes / duration)", mean.clone()).color(Color32::from_rgb(90, 170, 255)));
                p.points(
                    Points::new("mean rate (spikes / duration)", mean)
                        .radius(3.0)
                        .color(Color32::from_rgb(90, 170, 255)),
                );
                p.line(Line::new("steady rate (1 / mean ISI)", steady).color(Color32::from_rgb(120, 210, 120)));
                if let Some(Some(r)) = self.rheobase {
                    p.vline(egui_plot::VLine::new("rheobase", r).color(Color32::from_rgb(240, 80, 80)));
                }
            });
        ui.horizontal(|ui| {
            ui.allocate_ui(egui::vec2(width, height), |ui| {
                Plot::new("fi_latency")
                    .legend(Legend::default())
                    .x_axis_label(format!("I [{unit}]"))
                    .y_axis_label("first spike [ms]")
                    .show(ui, |p| {
                        p.line(
                            Line::new("first-spike latency", latency.clone()).color(Color32::from_rgb(255, 170, 60)),
                        );
                        p.points(
                            Points::new("first-spike latency", latency)
                                .radius(3.0)
                                .color(Color32::from_rgb(255, 170, 60)),
                        );
                    });
            });
            ui.allocate_ui(egui::vec2(width, height), |ui| {
                Plot::new("fi_adaptation")
                    .legend(Legend::default())
                    .x_axis_label(format!("I [{unit}]"))
                    .y_axis_label("instantaneous rate [Hz]")
                    .show(ui, |p| {
                        p.line(Line::new("initial (1 / first ISI)", initial).color(Color32::from_rgb(240, 80, 80)));
                        p.line(Line::new("final (1 / last ISI)", last).color(Color32::from_rgb(200, 120, 255)));
                    });
            });
        });
    }
}
