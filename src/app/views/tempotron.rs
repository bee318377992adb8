//! The tempotron task (EE746 STDP-A): each pattern's inputs and V, iteration by iteration, and
//! the weights the rule changed. The task runs on a background job and streams its iterations;
//! any change to the neuron or the task runs it again.

use super::ViewPanel;
use crate::preset::views::View;

use egui::Color32;
use egui_plot::{Bar, BarChart, Line, LineStyle, MarkerShape, Plot, Points, VLine};

use crate::app::Lab;
use crate::app::job::Job;
use crate::app::widgets::described;
use crate::learning::tempotron::{Iteration, SpikeTrains};
use crate::preset::learning::Learning;
use crate::preset::learning::Task;

const RAISED: Color32 = Color32::from_rgb(110, 200, 110);
const LOWERED: Color32 = Color32::from_rgb(230, 90, 80);
const UNCHANGED: Color32 = Color32::from_gray(150);
const TARGET: Color32 = Color32::from_rgb(255, 170, 60);
/// Seconds per iteration when replaying.
const REPLAY_S: f64 = 0.8;

type Streamed = Result<Iteration, String>;

#[derive(Default)]
pub struct TempotronPanel {
    /// What the current run was made from (neuron, run settings, task).
    key: String,
    job: Option<Job<Streamed>>,
    pub iterations: Vec<Iteration>,
    patterns: Vec<SpikeTrains>,
    error: Option<String>,
    /// The iteration shown; `None` follows the latest.
    pub shown: Option<usize>,
    /// Replay: the time the shown iteration appeared.
    replay_since: Option<f64>,
}

impl ViewPanel for TempotronPanel {
    fn view(&self) -> View {
        View::Tempotron
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The iteration shown: each pattern's membrane potential, and the weights against their
    /// initial values.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let Some(crate::preset::learning::Learning::Tempotron(task)) = &lab.preset().learning else { return None };
        let k = self.shown.unwrap_or(self.iterations.len().checked_sub(1)?);
        let (first, it) = (self.iterations.first()?, self.iterations.get(k)?);
        let dt = lab.preset().run.dt_ms;
        let mut v = Panel::new("membrane potential per pattern", Axis::new("t", "ms"), Axis::new("V", "mV"));
        for (pattern, trial) in task.patterns.iter().zip(&it.trials) {
            let points = trial.v.iter().enumerate().map(|(k, &v)| [(k + 1) as f64 * dt, v]).collect();
            v = v.with(Series::new(&pattern.name, Mark::Line, points));
        }
        let by_synapse = |w: &[f64]| w.iter().enumerate().map(|(k, &w)| [k as f64, w]).collect();
        let w = Panel::new("weights", Axis::new("synapse", ""), Axis::new("w", ""))
            .with(Series::new("weight now", Mark::Bars(0.7), by_synapse(&it.weights)))
            .with(Series::new("initial", Mark::Dots, by_synapse(&first.weights)));
        Some(Figure::new(format!("tempotron, iteration {k}"), vec![v, w]))
    }
}

impl TempotronPanel {
    /// Starts the task again when the lab changed what it depends on.
    fn refresh(&mut self, lab: &Lab, task: &Task, ctx: &egui::Context) {
        let p = lab.preset();
        let key = format!(
            "{} {} {:?} {} {}",
            p.run.seed,
            p.run.dt_ms,
            p.run.integrator,
            crate::ron_file::write_ron(&p.neuron),
            crate::ron_file::write_ron(task)
        );
        if key == self.key {
            return;
        }
        self.key = key;
        self.iterations.clear();
        self.error = None;
        self.shown = None;
        self.patterns = task.patterns(p.run.seed, p.run.dt_ms);
        let (bench, task) = (p.draft(), task.clone());
        self.job = Some(Job::spawn(task.max_iterations as usize + 1, Some(ctx.clone()), move |report| {
            if let Err(e) = task.run(&bench, |it| report.send(Ok(it.clone()))) {
                report.send(Err(e));
            }
        }));
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(Learning::Tempotron(task)) = lab.preset().learning.clone() else {
            ui.label("This preset has no tempotron task.");
            return;
        };
        self.refresh(lab, &task, ui.ctx());
        if let Some(job) = &self.job {
            for result in job.drain() {
                match result {
                    Ok(iteration) => self.iterations.push(iteration),
                    Err(e) => self.error = Some(e),
                }
            }
        }
        task_controls(ui, lab, &task);
        ui.separator();
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, format!("the task stopped: {e}"));
        }
        if self.iterations.is_empty() {
            ui.spinner();
            return;
        }
        self.iteration_controls(ui, &task);
        let k = self.shown_index();
        let iteration = &self.iterations[k];
        let initial = &self.iterations[0].weights;
        let h = (ui.available_height() - 40.0).max(300.0);
        let n = task.patterns.len() as f32;
        let w = (ui.available_width() - 8.0 * n) / n;
        ui.horizontal(|ui| {
            for (p, pattern) in task.patterns.iter().enumerate() {
                let trial = &iteration.trials[p];
                ui.vertical(|ui| {
                    ui.set_width(w);
                    let verdict = match (pattern.fire, trial.spikes.len()) {
                        (true, 0) => "should fire, silent: raise the weights before V's peak".to_string(),
                        (true, n) => format!("should fire, fired {n}: right"),
                        (false, 0) => "should stay silent, silent: right".to_string(),
                        (false, n) => format!("should stay silent, fired {n}: lower the weights before each spike"),
                    };
                    let color = if trial.correct { RAISED } else { LOWERED };
                    ui.colored_label(color, format!("{}: {verdict}", pattern.name));
                    inputs_plot(ui, &format!("inputs_{p}"), &self.patterns[p], initial, &iteration.weights, w, 0.3 * h);
                    voltage_plot(ui, &format!("v_{p}"), lab.preset().run.dt_ms, trial, w, 0.3 * h);
                });
            }
        });
        weights_plot(ui, &task, initial, &iteration.weights, 0.3 * h);
    }

    /// The task has run to its end (learned, or out of updates).
    pub fn finished(&self) -> bool {
        self.job.as_ref().is_some_and(|j| j.is_finished())
    }

    fn shown_index(&self) -> usize {
        self.shown.unwrap_or(usize::MAX).min(self.iterations.len() - 1)
    }

    fn iteration_controls(&mut self, ui: &mut egui::Ui, task: &Task) {
        let last = self.iterations.len() - 1;
        let finished = self.job.as_ref().is_none_or(|j| j.is_finished());
        let now = ui.input(|i| i.time);
        if let Some(since) = self.replay_since {
            let k = self.shown_index();
            if k >= last {
                self.replay_since = None;
            } else if now - since >= REPLAY_S {
                self.shown = Some(k + 1);
                self.replay_since = Some(now);
            }
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        }
        ui.horizontal(|ui| {
            let done = self.iterations[last].all_correct();
            let status = match (finished, done) {
                (false, _) => format!("learning: {} updates so far", last),
                (true, true) => format!("learned after {last} updates"),
                (true, false) => format!("not learned in {} updates (the limit)", task.max_iterations),
            };
            ui.label(status);
            ui.separator();
            let mut k = self.shown_index();
            let slider = egui::Slider::new(&mut k, 0..=last).text("iteration");
            let changed = ui
                .add_enabled(last > 0, slider)
                .on_hover_text("0 is the initial weights; each iteration presents every pattern, then updates")
                .changed();
            for (label, to) in [("first", 0), ("previous", k.saturating_sub(1)), ("next", (k + 1).min(last))] {
                if ui.button(label).clicked() {
                    self.shown = Some(to);
                    self.replay_since = None;
                }
            }
            if ui.button("latest").clicked() {
                self.shown = None;
                self.replay_since = None;
            }
            if ui.button("replay").on_hover_text("step through the iterations from the initial weights").clicked() {
                self.shown = Some(0);
                self.replay_since = Some(now);
            }
            if changed {
                self.shown = Some(k);
                self.replay_since = None;
            }
        });
    }
}

/// Sliders for the task; an edit reruns it.
fn task_controls(ui: &mut egui::Ui, lab: &mut Lab, task: &Task) {
    let mut edited = task.clone();
    ui.horizontal(|ui| {
        for key in ["gamma", "i0", "tau_ms"] {
            described(ui, &mut edited, key);
        }
    });
    ui.horizontal(|ui| {
        for key in ["rate_hz", "max_iterations"] {
            described(ui, &mut edited, key);
        }
        if ui.button("new patterns").on_hover_text("draw new patterns and weights (the run's seed + 1)").clicked() {
            let seed = lab.preset().run.seed + 1;
            lab.apply(|p| p.run.seed = seed);
        }
    });
    if edited != *task {
        // A value the task does not take is not applied; the control shows the lab's.
        let _ = lab.edit(|p| p.learning = Some(Learning::Tempotron(edited)));
    }
}

/// Each synapse's input spikes, coloured by how learning has changed its weight so far.
fn inputs_plot(ui: &mut egui::Ui, id: &str, trains: &SpikeTrains, initial: &[f64], now: &[f64], w: f32, h: f32) {
    let mut groups: [Vec<[f64; 2]>; 3] = Default::default();
    for (k, times) in trains.iter().enumerate() {
        let change = now[k] / initial[k] - 1.0;
        let group = if change > 0.01 {
            0
        } else if change < -0.01 {
            1
        } else {
            2
        };
        groups[group].extend(times.iter().map(|&t| [t, k as f64]));
    }
    Plot::new(id.to_string()).width(w).height(h).y_axis_label("synapse").show_x(false).legend(Default::default()).show(
        ui,
        |p| {
            let names = ["weight raised", "weight lowered", "unchanged"];
            for ((points, name), color) in groups.into_iter().zip(names).zip([RAISED, LOWERED, UNCHANGED]) {
                p.points(Points::new(name, points).shape(MarkerShape::Circle).radius(2.5).color(color));
            }
        },
    );
}

/// V of one trial, its output spikes and the times the rule measured Δt to.
fn voltage_plot(ui: &mut egui::Ui, id: &str, dt_ms: f64, trial: &crate::learning::tempotron::Trial, w: f32, h: f32) {
    let v: Vec<[f64; 2]> = trial.v.iter().enumerate().map(|(k, &v)| [(k + 1) as f64 * dt_ms, v]).collect();
    Plot::new(id.to_string())
        .width(w)
        .height(h)
        .x_axis_label("t [ms]")
        .y_axis_label("V [mV]")
        .legend(Default::default())
        .show(ui, |p| {
            p.line(Line::new("V", v).color(Color32::from_rgb(90, 170, 255)));
            // One legend entry per kind: the same name, distinct ids.
            for (k, &t) in trial.spikes.iter().enumerate() {
                p.vline(VLine::new("output spike", t).id(("spike", k)).color(Color32::from_gray(200)).width(1.0));
            }
            for (k, &t) in trial.targets.iter().enumerate() {
                let target = VLine::new("Δt measured to", t).id(("target", k));
                p.vline(target.color(TARGET).width(2.0).style(LineStyle::dashed_dense()));
            }
        });
}

/// Every weight now (bars, coloured by the change) against its initial value (points).
fn weights_plot(ui: &mut egui::Ui, task: &Task, initial: &[f64], now: &[f64], h: f32) {
    let bars: Vec<Bar> = now
        .iter()
        .zip(initial)
        .enumerate()
        .map(|(k, (&w, &w0))| {
            let color = if w > 1.01 * w0 {
                RAISED
            } else if w < 0.99 * w0 {
                LOWERED
            } else {
                UNCHANGED
            };
            Bar::new(k as f64, w).width(0.7).fill(color)
        })
        .collect();
    let first: Vec<[f64; 2]> = initial.iter().enumerate().map(|(k, &w)| [k as f64, w]).collect();
    let mean = now.iter().sum::<f64>() / now.len() as f64;
    Plot::new("tempotron_weights")
        .height(h)
        .x_axis_label(format!("synapse   ·   mean weight {mean:.1}, bounds [{}, {}]", task.w_min, task.w_max))
        .y_axis_label("w")
        .include_y(0.0)
        .legend(Default::default())
        .show(ui, |p| {
            p.bar_chart(BarChart::new("weight now", bars));
            p.points(Points::new("initial", first).shape(MarkerShape::Circle).radius(2.0).color(Color32::WHITE));
        });
}
