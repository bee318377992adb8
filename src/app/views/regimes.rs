//! The regime explorer: a network run briefly at every point of a grid over one or two of its
//! parameters, in the background (the live run goes on), each point's state drawn on a map as
//! it arrives. Click a cell to load the network at its values.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, DragValue, ProgressBar, Stroke};
use egui_plot::{Plot, PlotPoint, Polygon};
use rayon::prelude::*;

use crate::analysis::regime::{Measures, Regime};
use crate::app::Lab;
use crate::app::job::Job;
use crate::preset::Preset;
use crate::preset::sweep::{Axis, Timing};
use crate::sweep::{Grid, Point};

/// What the map colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Regime,
    Rate,
    Cv,
    Synchrony,
    Peak,
}

impl Shown {
    const ALL: [Shown; 5] = [Shown::Regime, Shown::Rate, Shown::Cv, Shown::Synchrony, Shown::Peak];
    fn name(self) -> &'static str {
        match self {
            Shown::Regime => "state",
            Shown::Rate => "rate [Hz]",
            Shown::Cv => "CV of the intervals",
            Shown::Synchrony => "synchrony chi",
            Shown::Peak => "spectral peak [Hz]",
        }
    }
    fn value(self, m: &Measures) -> Option<f64> {
        match self {
            Shown::Regime => None,
            Shown::Rate => Some(m.rate_hz),
            Shown::Cv => m.cv_isi,
            Shown::Synchrony => Some(m.synchrony),
            Shown::Peak => m.peak_hz,
        }
    }
}

pub fn regime_color(regime: Regime) -> Color32 {
    match regime {
        Regime::Quiescent => Color32::from_gray(90),
        Regime::SynchronousRegular => Color32::from_rgb(214, 96, 77),
        Regime::AsynchronousIrregular => Color32::from_rgb(67, 147, 195),
        Regime::SynchronousIrregularFast => Color32::from_rgb(244, 165, 60),
        Regime::SynchronousIrregularSlow => Color32::from_rgb(120, 190, 110),
    }
}

const REGIMES: [Regime; 5] = [
    Regime::SynchronousRegular,
    Regime::AsynchronousIrregular,
    Regime::SynchronousIrregularFast,
    Regime::SynchronousIrregularSlow,
    Regime::Quiescent,
];

/// A finished or running map: its grid (the presets to load on a click) and the points so far.
struct Map {
    scale: f64,
    x: Axis,
    y: Option<Axis>,
    grid: Grid,
    points: Vec<Option<Point>>,
    job: Option<Job<(usize, Result<Point, String>)>>,
}

pub struct RegimePanel {
    pub x: Axis,
    pub y: Axis,
    pub two_axes: bool,
    pub duration_ms: f64,
    pub warmup_ms: f64,
    /// The fraction of the network's size each point runs at.
    pub scale: f64,
    pub shown: Shown,
    /// The preset the axes were set up for (by name): another preset resets them.
    set_up_for: Option<String>,
    map: Option<Map>,
    error: Option<String>,
}

impl Default for RegimePanel {
    fn default() -> Self {
        let axis = Axis { label: String::new(), keys: Vec::new(), ..Axis::on("", 0.0, 1.0, 5) };
        Self {
            x: axis.clone(),
            y: axis,
            two_axes: true,
            duration_ms: Timing::default().duration_ms,
            warmup_ms: Timing::default().warmup_ms,
            scale: 1.0,
            shown: Shown::Regime,
            set_up_for: None,
            map: None,
            error: None,
        }
    }
}

impl ViewPanel for RegimePanel {
    fn view(&self) -> View {
        View::Regimes
    }
    fn open(&mut self, lab: &Lab, ctx: Option<egui::Context>) {
        self.set_up(lab.preset());
        self.start(lab.preset(), ctx);
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The map's finished cells: by state (one series per state, numbered as listed in the
    /// colour axis) or by the measure shown.
    fn figure(&self, _lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis as FigureAxis, Figure, Panel, Series};
        let map = self.map.as_ref()?;
        let size = (map.x.cell(), map.y.as_ref().map_or(1.0, Axis::cell));
        let done: Vec<&Point> = map.points.iter().flatten().collect();
        let cell = |p: &Point, v: f64| [p.x, p.y.unwrap_or(0.0), v];
        let y_axis = FigureAxis::new(map.y.as_ref().map_or("", |y| y.label.as_str()), "");
        let mut panel = Panel::new(
            format!("states of {}", self.set_up_for.as_deref().unwrap_or("")),
            FigureAxis::new(&map.x.label, ""),
            y_axis,
        );
        if self.shown == Shown::Regime {
            for (k, regime) in REGIMES.iter().enumerate() {
                let cells: Vec<[f64; 3]> =
                    done.iter().filter(|p| p.regime == *regime).map(|p| cell(p, k as f64)).collect();
                if !cells.is_empty() {
                    panel = panel.with(Series::cells(regime.label(), size, cells));
                }
            }
            let states: Vec<String> = REGIMES.iter().enumerate().map(|(k, r)| format!("{k} {}", r.label())).collect();
            panel.z = Some(FigureAxis::new(format!("state ({})", states.join(", ")), ""));
        } else {
            let cells = done.iter().filter_map(|p| Some(cell(p, self.shown.value(&p.measures)?))).collect();
            panel = panel.with(Series::cells(self.shown.name(), size, cells));
            panel.z = Some(FigureAxis::new(self.shown.name(), ""));
        }
        (!done.is_empty()).then(|| Figure::new("regime map", vec![panel]))
    }
}

/// Every number of a network preset a sweep can move, with its `--set` path.
fn numbers(preset: &Preset) -> Vec<(String, f64)> {
    let mut numbers = preset.numbers_under("network");
    numbers.retain(|(k, _)| !k.starts_with("network.record"));
    numbers
}

impl RegimePanel {
    /// Axes from the preset's own sweep, or the first parameters it has.
    pub fn set_up(&mut self, preset: &Preset) {
        self.set_up_for = Some(preset.name.clone());
        self.map = None;
        self.error = None;
        if let Some(sweep) = &preset.sweep {
            self.x = sweep.x.clone();
            self.two_axes = sweep.y.is_some();
            if let Some(y) = &sweep.y {
                self.y = y.clone();
            }
            (self.duration_ms, self.warmup_ms, self.scale) = (sweep.duration_ms, sweep.warmup_ms, sweep.scale);
            return;
        }
        // Without a sweep of its own: the excitatory weight against the input rate, or else the
        // inhibitory weight, from half to one and a half times their values.
        let all = numbers(preset);
        let find = |want: &dyn Fn(&str, f64) -> bool| all.iter().find(|(k, v)| want(k, *v)).cloned();
        let axis_on = |(key, value): (String, f64)| {
            let (from, to) = if value == 0.0 { (0.0, 1.0) } else { (0.5 * value, 1.5 * value) };
            Axis::on(&key, from, to, 5)
        };
        let excitatory = find(&|k, v| k.contains(".weight.") && v > 0.0);
        let other =
            find(&|k, v| k.ends_with("rate_hz") && v > 0.0).or_else(|| find(&|k, v| k.contains(".weight.") && v < 0.0));
        self.x = axis_on(excitatory.or_else(|| all.first().cloned()).unwrap_or_default());
        self.two_axes = other.is_some();
        if let Some(y) = other {
            self.y = axis_on(y);
        }
        self.scale = 1.0;
    }

    /// Starts mapping `preset` in the background (dropping a map under way).
    pub fn start(&mut self, preset: &Preset, ctx: Option<egui::Context>) {
        self.error = None;
        let y = self.two_axes.then(|| self.y.clone());
        let timing = Timing { duration_ms: self.duration_ms, warmup_ms: self.warmup_ms };
        let checked = timing.validate().and_then(|()| Grid::new(preset, &self.x, y.as_ref(), self.scale));
        let grid = match checked {
            Ok(grid) => grid,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        let n = grid.presets.len();
        let work = std::sync::Arc::new(grid.clone());
        let job = Job::spawn(n, ctx, move |report| {
            (0..n).into_par_iter().for_each(|k| {
                if !report.cancelled() {
                    report.send((k, work.run_point(k, timing)));
                }
            });
        });
        self.map = Some(Map { scale: self.scale, x: self.x.clone(), y, grid, points: vec![None; n], job: Some(job) });
    }

    /// Until `poll` has folded in the finished job's last results (a finished job may still
    /// hold some).
    pub fn is_running(&self) -> bool {
        self.map.as_ref().is_some_and(|m| m.job.is_some())
    }

    /// Folds in the points that have arrived.
    pub fn poll(&mut self) {
        let Some(map) = &mut self.map else { return };
        let Some(job) = &map.job else { return };
        let finished = job.is_finished();
        for (k, result) in job.drain() {
            match result {
                Ok(point) => map.points[k] = Some(point),
                Err(e) => self.error = Some(e),
            }
        }
        if finished {
            map.job = None;
        }
    }

    /// The points mapped so far, in grid order (`None`: not yet run).
    pub fn points(&self) -> Vec<Option<Point>> {
        self.map.as_ref().map_or_else(Vec::new, |m| m.points.clone())
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        if lab.preset().network.is_none() {
            ui.label("This preset has no network.");
            return;
        }
        if self.set_up_for.as_deref() != Some(lab.preset().name.as_str()) {
            self.set_up(lab.preset());
        }
        self.poll();
        let numbers = numbers(lab.preset());
        ui.horizontal(|ui| axis_ui(ui, "regime x", &mut self.x, &numbers));
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.two_axes, "").on_hover_text("a second axis (a map instead of a line)");
            ui.add_enabled_ui(self.two_axes, |ui| axis_ui(ui, "regime y", &mut self.y, &numbers));
        });
        ui.horizontal(|ui| {
            ui.add(DragValue::new(&mut self.duration_ms).range(10.0..=100_000.0).suffix(" ms").speed(10.0))
                .on_hover_text("simulated time per point");
            ui.label("per point, measured after");
            ui.add(DragValue::new(&mut self.warmup_ms).range(0.0..=100_000.0).suffix(" ms").speed(10.0))
                .on_hover_text("the transient left out of each point's measures");
            ui.label("at size x");
            ui.add(DragValue::new(&mut self.scale).range(0.01..=1.0).speed(0.01)).on_hover_text(
                "Run each point on a smaller network: populations and fixed in- and out-degrees times this, weights divided by it, so the mean input stays; the fluctuations grow and a small network synchronises more readily",
            );
            if self.is_running() {
                if ui.button("Cancel").clicked() {
                    self.map = None;
                }
            } else if ui.button("Map").on_hover_text("run the network at every point, in the background").clicked() {
                self.start(lab.preset(), Some(ui.ctx().clone()));
            }
            egui::ComboBox::from_id_salt("regime-shown").selected_text(self.shown.name()).show_ui(ui, |ui| {
                for s in Shown::ALL {
                    ui.selectable_value(&mut self.shown, s, s.name());
                }
            });
        });
        if let Some(map) = self.map.as_ref().filter(|m| m.scale != 1.0) {
            let s = map.scale;
            ui.label(format!(
                "Scaled: the network at {s} of its size (sizes and fixed degrees x {s}, weights / {s}: the mean input kept, its fluctuations x {:.2}).",
                1.0 / s.sqrt()
            ));
        }
        if let Some(job) = self.map.as_ref().and_then(|m| m.job.as_ref()) {
            ui.add(ProgressBar::new(job.progress()).show_percentage());
        }
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(220, 80, 80), e);
        }
        let Some(map) = &self.map else {
            ui.label("Choose the parameters and their ranges, then Map: each point runs the network briefly from the preset's seed and is named by its state (Brunel 2000): SR, AI, SI fast, SI slow or quiescent.");
            return;
        };
        if self.shown == Shown::Regime {
            ui.horizontal(|ui| {
                for r in REGIMES {
                    ui.colored_label(regime_color(r), r.label());
                }
            });
        }
        if let Some(k) = draw_map(ui, map, self.shown) {
            let mut preset = map.grid.presets[k].clone();
            preset.run.threads = lab.preset().run.threads;
            // Grid values to 6 significant digits (12.15, not 12.149999999999999).
            let tidy = |v: f64| format!("{}", format!("{v:.6e}").parse::<f64>().unwrap_or(v));
            let (x, y) = map.grid.coords[k];
            let (x, y) = (tidy(x), y.map(tidy));
            let at = match y {
                Some(y) => format!("{} = {x}, {} = {y}", map.x.label, map.y.as_ref().map_or("", |a| a.label.as_str())),
                None => format!("{} = {x}", map.x.label),
            };
            let scaled = if map.scale == 1.0 { String::new() } else { format!(" (at {} of its size)", map.scale) };
            match lab.load(preset) {
                Ok(()) => lab.info(format!("loaded the network at {at}{scaled}")),
                Err(why) => lab.error(why),
            }
        }
    }
}

/// An axis's parameter (one of `numbers`, listed when the box opens; a new one spans half to
/// one and a half times its value), range and points. `name` ends in the axis's letter.
pub fn axis_ui(ui: &mut egui::Ui, name: &str, axis: &mut Axis, numbers: &[(String, f64)]) {
    ui.label(format!("{}:", name.rsplit(' ').next().unwrap_or(name)));
    egui::ComboBox::from_id_salt(name)
        .width(300.0)
        .selected_text(if axis.label.is_empty() { "choose a parameter" } else { axis.label.as_str() })
        .show_ui(ui, |ui| {
            for (key, value) in numbers {
                if ui.selectable_label(axis.keys == [key.clone()] && axis.scale == 1.0, key).clicked() {
                    let (from, to) = if *value == 0.0 { (0.0, 1.0) } else { (0.5 * value, 1.5 * value) };
                    *axis = Axis::on(key, from, to, axis.count().max(2));
                }
            }
        })
        .response
        .on_hover_text(axis.keys.join("\n"));
    range_ui(ui, axis);
}

/// An axis's range and number of points, or its listed values (which a click turns into a range).
pub fn range_ui(ui: &mut egui::Ui, axis: &mut Axis) {
    if !axis.values.is_empty() {
        let listed: Vec<String> = axis.values.iter().map(|v| v.to_string()).collect();
        ui.label(format!("at {}", listed.join(", ")));
        if ui.small_button("as a range").on_hover_text("evenly spaced points from the first to the last").clicked() {
            let v = std::mem::take(&mut axis.values);
            (axis.from, axis.to, axis.n) = (v[0], v[v.len() - 1], v.len());
        }
        return;
    }
    ui.label("from");
    ui.add(DragValue::new(&mut axis.from).speed(0.1));
    ui.label("to");
    ui.add(DragValue::new(&mut axis.to).speed(0.1));
    ui.label("points");
    ui.add(DragValue::new(&mut axis.n).range(1..=40));
}

/// Draws the map; returns the cell clicked.
fn draw_map(ui: &mut egui::Ui, map: &Map, shown: Shown) -> Option<usize> {
    let (dx, dy) = (map.x.cell(), map.y.as_ref().map_or(1.0, Axis::cell));
    let values: Vec<f64> =
        map.points.iter().flatten().filter_map(|p| shown.value(&p.measures)).filter(|v| v.is_finite()).collect();
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let color_of = |p: &Point| match shown {
        Shown::Regime => regime_color(p.regime),
        _ => shown
            .value(&p.measures)
            .map_or(Color32::from_gray(60), |v| ramp(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 })),
    };
    // Room below for the hovered cell's measures.
    let response = Plot::new("regime-map")
        .height((ui.available_height() - 28.0).max(120.0))
        .x_axis_label(map.x.label.clone())
        .y_axis_label(map.y.as_ref().map_or(String::new(), |y| y.label.clone()))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_grid(false)
        .show(ui, |p| {
            for (k, &(x, y)) in map.grid.coords.iter().enumerate() {
                let y = y.unwrap_or(0.0);
                let (hx, hy) = (dx.abs() * 0.5, dy.abs() * 0.5);
                let corners = vec![[x - hx, y - hy], [x + hx, y - hy], [x + hx, y + hy], [x - hx, y + hy]];
                let fill = map.points[k].as_ref().map_or(Color32::from_gray(35), color_of);
                p.polygon(
                    Polygon::new(format!("cell {k}"), corners)
                        .fill_color(fill)
                        .stroke(Stroke::new(1.0, Color32::from_gray(20))),
                );
            }
            p.pointer_coordinate()
        });
    let nearest = |at: PlotPoint| {
        map.grid.coords.iter().enumerate().min_by(|(_, a), (_, b)| {
            let d = |c: &(f64, Option<f64>)| ((c.0 - at.x) / dx).powi(2) + ((c.1.unwrap_or(0.0) - at.y) / dy).powi(2);
            d(a).total_cmp(&d(b))
        })
    };
    let hovered = response.inner.and_then(nearest);
    if let Some((k, _)) = hovered {
        let text = match &map.points[k] {
            Some(p) => describe(p),
            None => "not run yet".into(),
        };
        ui.label(text);
    } else {
        let shown_range = if shown == Shown::Regime || values.is_empty() {
            String::new()
        } else {
            format!(" ({}: {lo:.3} dark to {hi:.3} light)", shown.name())
        };
        ui.label(format!("Hover a cell for its measures, click it to load the network there{shown_range}."));
    }
    let clicked = response.response.clicked().then_some(hovered).flatten();
    clicked.filter(|(k, _)| map.points[*k].is_some()).map(|(k, _)| k)
}

fn describe(p: &Point) -> String {
    let m = &p.measures;
    let at = match p.y {
        Some(y) => format!("x = {:.4}, y = {:.4}", p.x, y),
        None => format!("x = {:.4}", p.x),
    };
    let opt = |v: Option<f64>, unit: &str| v.map_or("none".into(), |v| format!("{v:.3}{unit}"));
    format!(
        "{at}: {}; rate {:.2} Hz, CV {}, synchrony {:.3}, peak {}",
        p.regime.label(),
        m.rate_hz,
        opt(m.cv_isi, ""),
        m.synchrony,
        opt(m.peak_hz, " Hz")
    )
}

/// Dark blue to light yellow.
fn ramp(t: f64) -> Color32 {
    let t = t.clamp(0.0, 1.0) as f32;
    let lerp = |a: f32, b: f32| (a + (b - a) * t) as u8;
    Color32::from_rgb(lerp(40.0, 250.0), lerp(30.0, 230.0), lerp(110.0, 90.0))
}
