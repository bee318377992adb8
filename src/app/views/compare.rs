//! Compare: the bench's preset run from t = 0 with its own scheme (A) and with another
//! integrator or dt (B), side by side with the spike-time differences; the previous A stays as a
//! ghost when a parameter changes.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, Slider};
use egui_plot::{Legend, Line, LineStyle, Plot};

use crate::app::Lab;
use crate::app::job::Job;
use crate::engine::{Observer, Simulation};
use crate::integrate::Integrator;
use crate::network::Spike;
use crate::preset::Preset;

/// Most steps a comparison run may take (keeps a run under a second).
const MAX_STEPS: u64 = 400_000;

/// One run's trace (decimated) and spike times.
#[derive(Clone, Default)]
pub struct Run {
    pub trace: Vec<[f64; 2]>,
    pub spikes: Vec<f64>,
    pub fault: Option<String>,
}

struct Collect {
    run: Run,
    every: u64,
    n: u64,
}

impl Observer for Collect {
    fn spike(&mut self, spike: Spike) {
        self.run.spikes.push(spike.t_ms);
    }
    fn sample(&mut self, t_ms: f64, values: &[f64]) {
        if self.n.is_multiple_of(self.every) {
            self.run.trace.push([t_ms, values[0]]);
        }
        self.n += 1;
    }
}

/// Runs `preset` for its duration (capped at [`MAX_STEPS`]), keeping about 4000 trace points.
pub fn run_once(preset: &Preset) -> Run {
    let mut p = preset.clone();
    p.run.record_every = 1;
    let steps = ((p.run.duration_ms / p.run.dt_ms).round() as u64).min(MAX_STEPS);
    let mut collect = Collect { run: Run::default(), every: (steps / 4000).max(1), n: 0 };
    match Simulation::from_preset(&p, p.run.seed) {
        Ok(mut sim) => {
            sim.sample(&mut collect);
            if let Err(f) = sim.step(steps, &mut collect) {
                collect.run.fault = Some(f.to_string());
            }
        }
        Err(e) => collect.run.fault = Some(e),
    }
    collect.run
}

pub struct ComparePanel {
    pub integrator_b: Integrator,
    pub dt_b: f64,
    key: Option<(Preset, Integrator, u64)>,
    job: Option<Job<(Run, Run)>>,
    pub a: Option<Run>,
    pub b: Option<Run>,
    pub ghost: Option<Run>,
}

impl Default for ComparePanel {
    fn default() -> Self {
        Self { integrator_b: Integrator::Euler, dt_b: 0.1, key: None, job: None, a: None, b: None, ghost: None }
    }
}

impl ViewPanel for ComparePanel {
    fn view(&self) -> View {
        View::Compare
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// Both runs' membrane potential (and the ghost of the previous A).
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let (a, b) = (self.a.as_ref()?, self.b.as_ref()?);
        let run = lab.preset().run;
        let v = lab.preset().neuron.vars()[0];
        let mut panel = Panel::new(
            format!(
                "A: {} at dt = {} ms, B: {} at dt = {} ms",
                run.integrator.name(),
                run.dt_ms,
                self.integrator_b.name(),
                self.dt_b
            ),
            Axis::new("t", "ms"),
            Axis::new(v.label, v.unit),
        );
        if let Some(ghost) = &self.ghost {
            panel = panel.with(Series::new("previous A (ghost)", Mark::Line, ghost.trace.clone()));
        }
        panel = panel.with(Series::new("A", Mark::Line, a.trace.clone())).with(Series::new(
            "B",
            Mark::Line,
            b.trace.clone(),
        ));
        Some(Figure::new("two integrations of one neuron", vec![panel]))
    }
}

impl ComparePanel {
    /// Starts the two runs if the bench or the B settings changed since the last ones. While a
    /// run is under way nothing new starts: the latest settings are picked up when it ends, so
    /// dragging a slider never piles up threads.
    pub fn refresh(&mut self, preset: &Preset, ctx: Option<egui::Context>) {
        if self.job.is_some() {
            return;
        }
        let mut view_free = preset.clone();
        view_free.view = Default::default();
        let key = (view_free, self.integrator_b, self.dt_b.to_bits());
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.key = Some(key);
        let a_preset = preset.clone();
        let mut b_preset = preset.clone();
        b_preset.run.integrator = self.integrator_b;
        b_preset.run.dt_ms = self.dt_b;
        self.job = Some(Job::spawn(1, ctx, move |report| {
            report.send((run_once(&a_preset), run_once(&b_preset)));
        }));
    }

    pub fn poll(&mut self) {
        let Some(job) = &self.job else { return };
        if let Some((a, b)) = job.drain().pop() {
            if let Some(previous) = self.a.take() {
                self.ghost = Some(previous);
            }
            self.a = Some(a);
            self.b = Some(b);
            self.job = None;
        }
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &Lab) {
        self.poll();
        let preset = lab.preset();
        ui.horizontal(|ui| {
            ui.label(format!("A: {} at dt = {} ms  vs  B:", preset.run.integrator.name(), preset.run.dt_ms));
            let tip = "The scheme to compare against";
            if let Some(i) = crate::app::widgets::choice(
                ui,
                "B integrator",
                self.integrator_b,
                &Integrator::ALL,
                |i| i.name().into(),
                tip,
            ) {
                self.integrator_b = i;
            }
            ui.add(Slider::new(&mut self.dt_b, 0.001..=1.0).logarithmic(true).text("B dt [ms]"));
            if ui.button("clear ghost").clicked() {
                self.ghost = None;
            }
        });
        self.refresh(preset, Some(ui.ctx().clone()));
        if self.job.is_some() {
            ui.add(egui::ProgressBar::new(0.0).animate(true).text("running A and B"));
        }
        let (Some(a), Some(b)) = (&self.a, &self.b) else { return };
        for (name, run) in [("A", a), ("B", b)] {
            if let Some(f) = &run.fault {
                ui.colored_label(ui.visuals().error_fg_color, format!("{name}: {f}"));
            }
        }
        let diffs: Vec<f64> = a.spikes.iter().zip(&b.spikes).map(|(x, y)| y - x).collect();
        let worst = diffs.iter().map(|d| d.abs()).fold(0.0, f64::max);
        ui.label(format!(
            "spikes: A {} · B {} · largest |t_B - t_A| over the first {} pairs: {worst:.4} ms",
            a.spikes.len(),
            b.spikes.len(),
            diffs.len()
        ));
        let shown: Vec<String> = diffs.iter().take(12).map(|d| format!("{d:+.3}")).collect();
        if !shown.is_empty() {
            ui.label(format!("t_B - t_A per spike [ms]: {}", shown.join("  ")));
        }
        Plot::new("compare")
            .legend(Legend::default())
            .x_axis_label("t [ms]")
            .y_axis_label(format!("{} [{}]", preset.neuron.vars()[0].label, preset.neuron.vars()[0].unit))
            .show(ui, |p| {
                if let Some(ghost) = &self.ghost {
                    p.line(
                        Line::new("previous A (ghost)", ghost.trace.clone())
                            .color(Color32::from_gray(110))
                            .style(LineStyle::dashed_dense()),
                    );
                }
                p.line(Line::new("A", a.trace.clone()).color(Color32::from_rgb(90, 170, 255)));
                p.line(Line::new("B", b.trace.clone()).color(Color32::from_rgb(255, 170, 60)));
            });
    }
}
