//! The phase plane, live: both nullclines for the present input current, the vector field, the
//! fixed points with their stability, and the running neuron's trajectory on top (reset jumps
//! dashed). One-dimensional models get their phase line, dV/dt against V.

use super::ViewPanel;
use crate::preset::views::View;

use egui::Color32;
use egui_plot::{Arrows, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points};

use crate::analysis::phase_plane::{
    FixedPoint, Polyline, field, fixed_points, nullclines, phase_line, plane, y_range_for, zero_crossings,
};
use crate::app::Lab;
use crate::app::job::Job;
use crate::neuron::NeuronModel;

const X_NULLCLINE: Color32 = Color32::from_rgb(90, 170, 255);
const Y_NULLCLINE: Color32 = Color32::from_rgb(255, 170, 60);
const TRAJECTORY: Color32 = Color32::from_rgb(230, 230, 230);
const FIELD: Color32 = Color32::from_rgb(110, 110, 120);

/// What the plane shows for one model and current; recomputed on a background thread when
/// they change (up to ~30 ms for HH), while the trajectory is drawn live on top.
struct Geometry {
    x_nullclines: Vec<Polyline>,
    y_nullclines: Vec<Polyline>,
    fixed: Vec<FixedPoint>,
    arrows: (Vec<[f64; 2]>, Vec<[f64; 2]>),
    y_range: (f64, f64),
}

#[derive(Default)]
pub struct PhasePanel {
    /// The geometry drawn, and the model and current it was computed for.
    geometry: Option<(Key, Geometry)>,
    /// A computation under way; when it ends the newest wanted key starts next (latest wins).
    job: Option<(Key, Job<Geometry>)>,
    /// The present input current.
    pub current: f64,
    /// The trajectory drawn last, broken at resets by non-finite points (the figure's).
    drawn: Vec<[f64; 2]>,
}

/// Model, current (bits) and whether a trajectory shaped the window.
type Key = (NeuronModel, u64, bool);

impl ViewPanel for PhasePanel {
    fn view(&self) -> View {
        View::PhasePlane
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The plane as drawn (nullclines, fixed points, the trajectory in view), or the phase line.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        let model = &lab.preset().neuron;
        match (&self.geometry, plane(model)) {
            (Some(((drawn, current, _), g)), Some(plane)) if drawn == model => {
                let fixed: Vec<[f64; 2]> = g.fixed.iter().map(|f| [f.x, f.y]).collect();
                let lines = (&g.x_nullclines[..], &g.y_nullclines[..]);
                let i = f64::from_bits(*current);
                Some(crate::figure::of::phase_plane(model, i, &plane, lines, &fixed, &self.drawn))
            }
            (_, None) => crate::figure::of::phase(model, self.current, &[]),
            _ => None,
        }
    }
}

impl PhasePanel {
    fn show(&mut self, ui: &mut egui::Ui, lab: &Lab) {
        let model = lab.preset().neuron;
        let h = &lab.history;
        self.current = lab.preset().stimulus.value_at(h.t_ms);
        let Some(plane) = plane(&model) else {
            if model.vars().len() > 1 {
                ui.label(format!(
                    "The {} model has {} variables and no two-dimensional reduction here: see its traces.",
                    model.kind().name(),
                    model.vars().len()
                ));
                return;
            }
            phase_line_ui(ui, &model, self.current);
            return;
        };
        let window = lab.preset().view.window_ms;
        let states = h.states_in(h.t_ms - window, h.t_ms);
        let (xv, yv) = (plane.x_var, plane.y_var);
        let trajectory: Vec<[f64; 2]> = states.iter().map(|(_, x)| [x[xv], x[yv]]).collect();

        let extra: Vec<f64> = trajectory.iter().map(|p| p[1]).collect();
        let key: Key = (model, self.current.to_bits(), !extra.is_empty());
        self.refresh(key, plane.x_range, extra, ui.ctx());
        let Some((_, g)) = &self.geometry else {
            ui.add(egui::Spinner::new());
            return;
        };

        ui.horizontal_wrapped(|ui| {
            ui.label(format!("I = {:.3} {}", self.current, model.current_unit()));
            ui.separator();
            if g.fixed.is_empty() {
                ui.label("no fixed point in view: the neuron cannot rest at this current");
            }
            for fp in &g.fixed {
                ui.label(format!("{} at ({:.2}, {:.3})", fp.stability.name(), fp.x, fp.y));
            }
            if matches!(model, NeuronModel::HodgkinHuxley(_)) {
                ui.separator();
                ui.label("HH reduced to (V, n): m = m_inf(V), h = 0.89 - 1.1 n");
            }
        });

        // Reset jumps: consecutive samples around a spike of a resetting model.
        let mut segments: Vec<Polyline> = vec![Vec::new()];
        let mut jumps: Vec<Polyline> = Vec::new();
        let mut spikes = h.spike_times_in(h.t_ms - window, h.t_ms).peekable();
        for (k, (t, _)) in states.iter().enumerate() {
            while spikes.peek().is_some_and(|&s| s < *t) {
                spikes.next();
                if model.resets() && k > 0 {
                    jumps.push(vec![trajectory[k - 1], trajectory[k]]);
                    segments.push(Vec::new());
                }
            }
            segments.last_mut().expect("never empty").push(trajectory[k]);
        }

        self.drawn = segments.iter().flat_map(|s| s.iter().copied().chain([[f64::NAN; 2]])).collect();
        Plot::new("phase_plane")
            .legend(Legend::default())
            .x_axis_label(plane.x_label.clone())
            .y_axis_label(plane.y_label.clone())
            .include_x(plane.x_range.0)
            .include_x(plane.x_range.1)
            .include_y(g.y_range.0)
            .include_y(g.y_range.1)
            .show(ui, |p| {
                p.add(Arrows::new("vector field", g.arrows.0.clone(), g.arrows.1.clone()).color(FIELD).tip_length(5.0));
                for (k, line) in g.x_nullclines.iter().enumerate() {
                    let name = format!("{}-nullcline", model.vars()[0].label);
                    p.line(Line::new(name, line.clone()).color(X_NULLCLINE).width(2.0).id(("xn", k)));
                }
                for (k, line) in g.y_nullclines.iter().enumerate() {
                    let name = format!("{}-nullcline", model.vars()[plane.y_var].label);
                    p.line(Line::new(name, line.clone()).color(Y_NULLCLINE).width(2.0).id(("yn", k)));
                }
                for (k, segment) in segments.into_iter().enumerate() {
                    p.line(Line::new("trajectory", segment).color(TRAJECTORY).id(("tr", k)));
                }
                for (k, jump) in jumps.into_iter().enumerate() {
                    p.line(Line::new("reset", jump).color(TRAJECTORY).style(LineStyle::dashed_dense()).id(("rs", k)));
                }
                if let Some(last) = trajectory.last() {
                    p.points(Points::new("now", vec![*last]).radius(5.0).color(Color32::WHITE));
                }
                for fp in &g.fixed {
                    let (color, filled, shape) = match fp.stability.is_stable() {
                        true => (Color32::from_rgb(80, 220, 120), true, MarkerShape::Circle),
                        false if fp.stability == crate::analysis::phase_plane::Stability::Saddle => {
                            (Color32::from_rgb(240, 200, 60), true, MarkerShape::Diamond)
                        }
                        false => (Color32::from_rgb(240, 80, 80), false, MarkerShape::Circle),
                    };
                    let points = Points::new(fp.stability.name(), vec![[fp.x, fp.y]]);
                    p.points(points.radius(6.0).filled(filled).shape(shape).color(color));
                }
            });
    }

    /// Takes a finished computation, and starts one for `key` if it is not drawn or under way.
    fn refresh(&mut self, key: Key, x_range: (f64, f64), extra: Vec<f64>, ctx: &egui::Context) {
        if let Some((done_key, job)) = &self.job
            && job.is_finished()
        {
            let done_key = *done_key;
            if let Some(geometry) = job.drain().pop() {
                self.geometry = Some((done_key, geometry));
            }
            self.job = None;
        }
        let drawn = self.geometry.as_ref().is_some_and(|(k, _)| *k == key);
        if drawn || self.job.is_some() {
            return;
        }
        let (model, current) = (key.0, f64::from_bits(key.1));
        let job = Job::spawn(1, Some(ctx.clone()), move |report| {
            let y_range = y_range_for(&model, current, x_range, &extra);
            report.send(compute(&model, current, x_range, y_range));
        });
        self.job = Some((key, job));
    }

    /// The current the drawn geometry belongs to (for tests).
    pub fn drawn_for(&self) -> Option<f64> {
        self.geometry.as_ref().map(|(k, _)| f64::from_bits(k.1))
    }

    /// The nullclines of the geometry last drawn (for tests).
    pub fn x_nullclines(&self) -> Option<&[Polyline]> {
        self.geometry.as_ref().map(|(_, g)| g.x_nullclines.as_slice())
    }
}

fn compute(model: &NeuronModel, current: f64, x_range: (f64, f64), y_range: (f64, f64)) -> Geometry {
    let (x_nullclines, y_nullclines) = nullclines(model, current, x_range, y_range, 300);
    let fixed = fixed_points(model, current, x_range, y_range);
    // Arrows of equal length on screen, pointing along the flow.
    let (nx, ny) = (22, 16);
    let (wx, wy) = (x_range.1 - x_range.0, y_range.1 - y_range.0);
    let (mut origins, mut tips) = (Vec::new(), Vec::new());
    for a in 0..nx {
        for b in 0..ny {
            let x = x_range.0 + wx * (a as f64 + 0.5) / nx as f64;
            let y = y_range.0 + wy * (b as f64 + 0.5) / ny as f64;
            let (dx, dy) = field(model, x, y, current);
            let (sx, sy) = (dx / wx, dy / wy);
            let norm = (sx * sx + sy * sy).sqrt();
            if norm.is_finite() && norm > 0.0 {
                let len = 0.4 / nx as f64;
                origins.push([x, y]);
                tips.push([x + sx / norm * len * wx, y + sy / norm * len * wy]);
            }
        }
    }
    Geometry { x_nullclines, y_nullclines, fixed, arrows: (origins, tips), y_range }
}

/// dV/dt against V for one-dimensional models, with the rest and threshold points.
fn phase_line_ui(ui: &mut egui::Ui, model: &NeuronModel, current: f64) {
    let threshold = model.threshold();
    let curve = phase_line(model, current);
    let zeros = zero_crossings(&curve);
    ui.label(format!(
        "A one-dimensional model: its phase line. V rises where dV/dt > 0 and falls where it is < 0; \
         fixed points sit where the curve crosses zero. I = {current:.3} {}; threshold {threshold} mV.",
        model.current_unit()
    ));
    Plot::new("phase_line").legend(Legend::default()).x_axis_label("V [mV]").y_axis_label("dV/dt [mV/ms]").show(
        ui,
        |p| {
            p.line(Line::new("dV/dt", PlotPoints::from(curve)).color(X_NULLCLINE).width(2.0));
            p.hline(egui_plot::HLine::new("zero", 0.0).color(FIELD));
            p.vline(egui_plot::VLine::new("threshold", threshold).color(Color32::from_rgb(240, 80, 80)));
            p.points(Points::new("fixed points", zeros).radius(5.0).color(Color32::from_rgb(80, 220, 120)));
        },
    );
}
