//! Accuracy against a parameter: a learning task trained and tested from several seeds at every
//! point of an axis (a second axis draws a line per value), in the background, while the window
//! goes on. The mean over seeds with their range, each seed's result, and the preset's published
//! results as labelled markers. Click a point to load the task at its value.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Align2, Color32, DragValue, ProgressBar};
use egui_plot::{FilledArea, Legend, Line, MarkerShape, Plot, PlotPoint, Points, Text};
use rayon::prelude::*;

use super::classifier::CLASS_COLORS as COLORS;
use super::regimes::axis_ui;
use crate::app::Lab;
use crate::app::job::Job;
use crate::figure::{Axis as FigureAxis, Figure, Mark, Panel, Series};
use crate::preset::Preset;
use crate::preset::sweep::{Axis, MAX_SEEDS, Published};
use crate::sweep::{Grid, Score, Summary, summarise};

const PUBLISHED: Color32 = Color32::from_rgb(250, 220, 90);

/// A finished or running sweep: its grid (the presets to load on a click) and the scores so far.
struct Trained {
    x: Axis,
    y: Option<Axis>,
    grid: Grid,
    published: Vec<Published>,
    scores: Vec<Score>,
    job: Option<Job<Result<Score, String>>>,
}

impl Trained {
    /// The x values drawn: their logarithm when the points span more than a factor of 16.
    fn log_x(&self) -> bool {
        let v = self.x.values();
        let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        lo > 0.0 && hi / lo > 16.0
    }
}

pub struct AccuracyPanel {
    pub x: Axis,
    pub y: Axis,
    pub two_axes: bool,
    pub seeds: u32,
    /// The preset the axes were set up for (by name): another preset resets them.
    set_up_for: Option<String>,
    trained: Option<Trained>,
    error: Option<String>,
}

impl Default for AccuracyPanel {
    fn default() -> Self {
        let axis = Axis { keys: Vec::new(), ..Axis::on("", 0.0, 1.0, 5) };
        Self { x: axis.clone(), y: axis, two_axes: false, seeds: 2, set_up_for: None, trained: None, error: None }
    }
}

impl ViewPanel for AccuracyPanel {
    fn view(&self) -> View {
        View::Accuracy
    }
    fn open(&mut self, lab: &Lab, ctx: Option<egui::Context>) {
        self.set_up(lab.preset());
        self.start(lab.preset(), ctx);
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The mean, lowest and highest accuracy over seeds per line, each seed's result, and the
    /// published results.
    fn figure(&self, _lab: &Lab) -> Option<Figure> {
        let trained = self.trained.as_ref().filter(|t| !t.scores.is_empty())?;
        let mut panel = Panel::new(
            format!("test accuracy of {}", self.set_up_for.as_deref().unwrap_or("")),
            FigureAxis::new(&trained.x.label, ""),
            FigureAxis::new("test accuracy", ""),
        );
        for (name, line) in lines(trained) {
            let series = |what: &str, f: fn(&Summary) -> f64| -> Series {
                let points = line.iter().map(|p| [p.x, f(p)]).collect();
                Series::new(format!("{name}{what}").trim(), Mark::Line, points)
            };
            panel = panel.with(series(" mean", |p| p.mean)).with(series(" lowest", |p| p.lowest));
            panel = panel.with(series(" highest", |p| p.highest));
        }
        let seeds = trained.scores.iter().map(|s| [s.x, s.test_accuracy]).collect();
        panel = panel.with(Series::new("each seed", Mark::Dots, seeds));
        for p in &trained.published {
            panel = panel.with(Series::new(&p.label, Mark::Dots, vec![[p.x, p.test_accuracy]]));
        }
        Some(Figure::new("test accuracy", vec![panel]))
    }
}

/// The points summarised over seeds, one line per value of the second axis (named by it),
/// each in x order.
fn lines(trained: &Trained) -> Vec<(String, Vec<Summary>)> {
    let mut lines: Vec<(Option<f64>, Vec<Summary>)> = Vec::new();
    for point in summarise(&trained.scores) {
        match lines.iter_mut().find(|(y, _)| *y == point.y) {
            Some((_, line)) => line.push(point),
            None => lines.push((point.y, vec![point])),
        }
    }
    lines.sort_by(|a, b| a.0.unwrap_or(0.0).total_cmp(&b.0.unwrap_or(0.0)));
    let label = trained.y.as_ref().map_or("", |a| a.label.as_str());
    lines
        .into_iter()
        .map(|(y, mut line)| {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            (y.map_or(String::new(), |y| format!("{label} = {y}")), line)
        })
        .collect()
}

/// Every number of a learning task a sweep can move, with its `--set` path.
fn numbers(preset: &Preset) -> Vec<(String, f64)> {
    preset.numbers_under("learning")
}

impl AccuracyPanel {
    /// Axes, seeds and published results from the preset's own sweep; without one, the
    /// device-to-device spread of its devices (or its first number) over five points.
    pub fn set_up(&mut self, preset: &Preset) {
        self.set_up_for = Some(preset.name.clone());
        self.trained = None;
        self.error = None;
        if let Some(sweep) = preset.sweep.as_ref().filter(|_| preset.learning.is_some()) {
            self.x = sweep.x.clone();
            self.two_axes = sweep.y.is_some();
            if let Some(y) = &sweep.y {
                self.y = y.clone();
            }
            self.seeds = sweep.seeds;
            return;
        }
        let all = numbers(preset);
        let spread = all.iter().find(|(k, _)| k.ends_with("variation.d2d"));
        self.x = match spread.or(all.first()) {
            Some((key, _)) if key.ends_with("variation.d2d") => Axis::on(key, 0.0, 0.5, 5),
            Some((key, value)) => Axis::on(key, 0.5 * value, 1.5 * value, 5),
            None => Axis::on("", 0.0, 1.0, 5),
        };
        self.two_axes = false;
        self.seeds = 2;
    }

    /// Starts training every point in the background (dropping a sweep under way).
    pub fn start(&mut self, preset: &Preset, ctx: Option<egui::Context>) {
        self.error = None;
        let y = self.two_axes.then(|| self.y.clone());
        let grid = match Grid::new(preset, &self.x, y.as_ref(), 1.0) {
            Ok(grid) => grid,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        let trainings = grid.trainings(self.seeds);
        let work = std::sync::Arc::new(grid.clone());
        let job = Job::spawn(trainings.len(), ctx, move |report| {
            trainings.into_par_iter().for_each(|(k, s)| {
                if !report.cancelled() {
                    report.send(work.run_score(k, s));
                }
            });
        });
        let published = preset.sweep.as_ref().map_or_else(Vec::new, |s| s.published.clone());
        self.trained = Some(Trained { x: self.x.clone(), y, grid, published, scores: Vec::new(), job: Some(job) });
    }

    /// Until `poll` has folded in the finished job's last results (a finished job may still
    /// hold some).
    pub fn is_running(&self) -> bool {
        self.trained.as_ref().is_some_and(|t| t.job.is_some())
    }

    /// Folds in the scores that have arrived.
    pub fn poll(&mut self) {
        let Some(trained) = &mut self.trained else { return };
        let Some(job) = &trained.job else { return };
        let finished = job.is_finished();
        for result in job.drain() {
            match result {
                Ok(score) => trained.scores.push(score),
                Err(e) => self.error = Some(e),
            }
        }
        if finished {
            trained.job = None;
        }
    }

    /// The scores so far.
    pub fn scores(&self) -> Vec<Score> {
        self.trained.as_ref().map_or_else(Vec::new, |t| t.scores.clone())
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        if self.set_up_for.as_deref() != Some(lab.preset().name.as_str()) {
            self.set_up(lab.preset());
        }
        self.poll();
        let numbers = numbers(lab.preset());
        ui.horizontal(|ui| axis_ui(ui, "accuracy x", &mut self.x, &numbers));
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.two_axes, "").on_hover_text("a second axis: a line for each of its values");
            ui.add_enabled_ui(self.two_axes, |ui| axis_ui(ui, "accuracy y", &mut self.y, &numbers));
        });
        ui.horizontal(|ui| {
            ui.label("seeds");
            ui.add(DragValue::new(&mut self.seeds).range(1..=MAX_SEEDS))
                .on_hover_text("each point is trained and tested from this many seeds, from the preset's seed on");
            if self.is_running() {
                if ui.button("Cancel").clicked() {
                    self.trained = None;
                }
            } else if ui.button("Train").on_hover_text("train and test every point, in the background").clicked() {
                self.start(lab.preset(), Some(ui.ctx().clone()));
            }
            if let Some(job) = self.trained.as_ref().and_then(|t| t.job.as_ref()) {
                ui.add(ProgressBar::new(job.progress()).show_percentage());
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(220, 80, 80), e);
        }
        let Some(trained) = &self.trained else {
            ui.label("Choose a parameter of the task and its values, then Train: each point is trained and tested from every seed, and its test accuracy drawn as the mean with the range over seeds.");
            return;
        };
        if let Some(k) = draw(ui, trained) {
            let mut preset = trained.grid.presets[k].clone();
            preset.run.threads = lab.preset().run.threads;
            let at = match trained.grid.coords[k] {
                (x, Some(y)) => {
                    format!("{} = {x}, {} = {y}", trained.x.label, trained.y.as_ref().map_or("", |a| a.label.as_str()))
                }
                (x, None) => format!("{} = {x}", trained.x.label),
            };
            match lab.load(preset) {
                Ok(()) => lab.info(format!("loaded the task at {at}")),
                Err(why) => lab.error(why),
            }
        }
    }
}

/// Draws the lines, the seeds and the published results; returns the grid point clicked.
fn draw(ui: &mut egui::Ui, trained: &Trained) -> Option<usize> {
    let log = trained.log_x();
    let at = |x: f64| if log { x.log10() } else { x };
    let response = Plot::new("accuracy")
        .height((ui.available_height() - 28.0).max(120.0))
        .legend(Legend::default())
        .x_axis_label(if log { format!("{} (log scale)", trained.x.label) } else { trained.x.label.clone() })
        .y_axis_label("test accuracy [%]")
        .x_axis_formatter(move |mark, _| {
            let v = if log { 10f64.powf(mark.value) } else { mark.value };
            format!("{}", format!("{v:.3e}").parse::<f64>().unwrap_or(v))
        })
        .include_y(0.0)
        .include_y(100.0)
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |p| {
            for (j, (name, line)) in lines(trained).iter().enumerate() {
                let color = COLORS[j % COLORS.len()];
                let xs: Vec<f64> = line.iter().map(|s| at(s.x)).collect();
                let lowest: Vec<f64> = line.iter().map(|s| 100.0 * s.lowest).collect();
                let highest: Vec<f64> = line.iter().map(|s| 100.0 * s.highest).collect();
                let name = if name.is_empty() { "mean over seeds".to_string() } else { name.clone() };
                p.add(
                    FilledArea::new(format!("{name}: range"), &xs, &lowest, &highest)
                        .fill_color(color.gamma_multiply(0.25)),
                );
                let mean: Vec<[f64; 2]> = line.iter().map(|s| [at(s.x), 100.0 * s.mean]).collect();
                p.line(Line::new(name.clone(), mean.clone()).color(color).width(2.0));
                p.points(Points::new(name, mean).color(color).radius(3.5));
            }
            let seeds: Vec<[f64; 2]> = trained.scores.iter().map(|s| [at(s.x), 100.0 * s.test_accuracy]).collect();
            p.points(Points::new("each seed", seeds).color(Color32::from_gray(170)).radius(1.8));
            // Labels below their markers, pointing into the plot: left of a marker in the right half.
            let xs: Vec<f64> = trained.x.values().into_iter().map(at).collect();
            let middle = (xs.iter().fold(f64::INFINITY, |a, &b| a.min(b))
                + xs.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)))
                / 2.0;
            for published in &trained.published {
                let point = [at(published.x), 100.0 * published.test_accuracy];
                p.points(
                    Points::new("published", vec![point]).shape(MarkerShape::Diamond).radius(6.0).color(PUBLISHED),
                );
                let (anchor, label) = if point[0] > middle {
                    (Align2::RIGHT_TOP, format!("{}  ", published.label))
                } else {
                    (Align2::LEFT_TOP, format!("  {}", published.label))
                };
                p.text(
                    Text::new("published", PlotPoint::new(point[0], point[1]), label).anchor(anchor).color(PUBLISHED),
                );
            }
            p.pointer_coordinate()
        });
    // The drawn point nearest the pointer, distances relative to the axes' spans.
    let summaries = summarise(&trained.scores);
    let xs: Vec<f64> = trained.x.values().into_iter().map(at).collect();
    let span = xs.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) - xs.iter().fold(f64::INFINITY, |a, &b| a.min(b));
    let span = if span > 0.0 { span } else { 1.0 };
    let distance =
        |s: &Summary, to: PlotPoint| ((at(s.x) - to.x) / span).powi(2) + ((100.0 * s.mean - to.y) / 100.0).powi(2);
    let hovered =
        response.inner.and_then(|to| summaries.iter().min_by(|a, b| distance(a, to).total_cmp(&distance(b, to))));
    ui.label(hovered.map_or_else(
        || "Hover a point for its accuracy over seeds, click it to load the task there.".to_string(),
        |s| {
            let y = s.y.map_or(String::new(), |y| format!(", {} = {y}", trained.y.as_ref().map_or("", |a| &a.label)));
            let (m, lo, hi) = (100.0 * s.mean, 100.0 * s.lowest, 100.0 * s.highest);
            format!(
                "{} = {}{y}: {m:.1} % mean, {lo:.1} to {hi:.1} % over {} seeds; click to load the task there",
                trained.x.label, s.x, s.seeds
            )
        },
    ));
    let clicked = response.response.clicked().then_some(hovered).flatten()?;
    trained.grid.coords.iter().position(|&c| c == (clicked.x, clicked.y))
}
