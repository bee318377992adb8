//! Network statistics over the most recent stretch of the run: per population the rate, CV
//! and synchrony, the ISI and CV histograms, the power spectrum of the population rate (the
//! rhythms) and the single-cell rates as box plots (Potjans & Diesmann 2014, Fig. 6).

use super::ViewPanel;
use crate::preset::views::View;

use std::time::{Duration, Instant};

use egui::Slider;
use egui_plot::{Bar, BarChart, BoxElem, BoxPlot, BoxSpread, Line, Plot};

use super::raster::population_color;
use crate::analysis::activity::{cv, histogram, intervals_by_neuron, peak_frequency, population_rate, power_spectrum};
use crate::analysis::populations::{PopulationActivity, population_activity};
use crate::app::Lab;
use crate::network::Spike;

/// Statistics are recomputed at most this often while the run goes on.
const REFRESH: Duration = Duration::from_millis(300);

struct PopStats {
    name: String,
    color: egui::Color32,
    /// Rate, mean CV, synchrony and single-cell rates.
    activity: PopulationActivity,
    isi: Vec<[f64; 2]>,
    cv: Vec<[f64; 2]>,
    spectrum: Vec<[f64; 2]>,
    peak_hz: Option<f64>,
}

pub struct ActivityPanel {
    /// Length of the analysed stretch, ending now.
    pub span_ms: f64,
    stats: Vec<PopStats>,
    /// The stretch the statistics were computed over.
    span: (f64, f64),
    computed: Option<(u64, Instant)>,
}

impl Default for ActivityPanel {
    fn default() -> Self {
        Self { span_ms: 2000.0, stats: Vec::new(), span: (0.0, 0.0), computed: None }
    }
}

impl ViewPanel for ActivityPanel {
    fn view(&self) -> View {
        View::Activity
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The histograms and spectra as last computed.
    fn figure(&self, _lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let panel = |name: &str, x: Axis, y: Axis, of: &dyn Fn(&PopStats) -> Series| {
            self.stats.iter().fold(Panel::new(name, x.clone(), y.clone()), |panel, s| panel.with(of(s)))
        };
        let bars = |s: &PopStats, data: &Vec<[f64; 2]>| {
            let width = data.get(1).map_or(1.0, |b| b[0] - data[0][0]);
            Series::new(&s.name, Mark::Bars(width), data.clone())
        };
        let title = format!("the last {:.0} ms", self.span_ms);
        (!self.stats.is_empty()).then(|| {
            let mut figure = Figure::new(
                title,
                vec![
                    panel("inter-spike intervals", Axis::new("ISI", "ms"), Axis::new("count", ""), &|s| {
                        bars(s, &s.isi)
                    }),
                    panel("irregularity", Axis::new("CV of the intervals", ""), Axis::new("neurons", ""), &|s| {
                        bars(s, &s.cv)
                    }),
                    panel(
                        "population rate spectrum (1 ms bins)",
                        Axis::new("frequency", "Hz"),
                        Axis::new("power", ""),
                        &|s| Series::new(&s.name, Mark::Line, s.spectrum.clone()),
                    ),
                ],
            );
            figure.panels.extend(crate::figure::of::rate_boxes(&self.activities(), self.span).panels);
            figure
        })
    }
}

impl ActivityPanel {
    fn show(&mut self, ui: &mut egui::Ui, lab: &Lab) {
        let Some(spec) = lab.preset().network.as_ref() else {
            ui.label("This preset has no network.");
            return;
        };
        ui.horizontal(|ui| {
            ui.add(Slider::new(&mut self.span_ms, 100.0..=20_000.0).logarithmic(true).text("analyse the last [ms]"));
        });
        let version = lab.history.version;
        let stale = self.computed.is_none_or(|(v, at)| v != version && at.elapsed() >= REFRESH);
        if stale {
            let (t1, t0) = (lab.history.t_ms, (lab.history.t_ms - self.span_ms).max(0.0));
            let spikes: Vec<Spike> = lab.history.spikes_in(t0, t1).copied().collect();
            let activity = population_activity(spec, spikes.iter(), (t0, t1));
            self.stats = spec
                .offsets()
                .iter()
                .zip(&spec.populations)
                .zip(activity)
                .map(|((&first, p), a)| stats(&spikes, first, p.size, a, population_color(p), (t0, t1)))
                .collect();
            self.span = (t0, t1);
            self.computed = Some((version, Instant::now()));
        }
        let w = ui.available_width() / 2.0 - 8.0;
        ui.horizontal_wrapped(|ui| {
            for s in &self.stats {
                let a = &s.activity;
                let cv = a.cv_isi.map_or("-".into(), |c| format!("{c:.2}"));
                let peak = s.peak_hz.map_or("-".into(), |f| format!("{f:.1} Hz"));
                ui.colored_label(
                    s.color,
                    format!("{}: {:.2} Hz · CV {cv} · synchrony {:.3} · peak {peak}", s.name, a.rate_hz, a.synchrony),
                )
                .on_hover_text(
                    "Rate: spikes per neuron and second. CV: the mean over neurons with 3 or more intervals of their \
                     intervals' coefficient of variation (1 for a Poisson train). Synchrony: Golomb's chi on 2 ms bins, \
                     about 1/sqrt(N) for independent neurons and 1 for identical ones. Peak: the population rate's \
                     strongest rhythm.",
                );
            }
        });
        let h = (ui.available_height() - 10.0) / 2.0;
        ui.horizontal(|ui| {
            bars(ui, "isi_histogram", "inter-spike interval [ms]", "count", w, h, &self.stats, |s| &s.isi);
            bars(ui, "cv_histogram", "CV of the intervals (per neuron)", "neurons", w, h, &self.stats, |s| &s.cv);
        });
        ui.horizontal(|ui| {
            Plot::new("rate_spectrum")
                .width(w)
                .height(h)
                .x_axis_label("frequency [Hz] (population rate, 1 ms bins)")
                .y_axis_label("power")
                .legend(egui_plot::Legend::default())
                .show(ui, |p| {
                    for s in &self.stats {
                        p.line(Line::new(s.name.clone(), s.spectrum.clone()).color(s.color));
                    }
                });
            self.rate_boxes(ui, w, h);
        });
    }

    /// Single-cell rates per population as box plots, the populations named on the x axis.
    fn rate_boxes(&self, ui: &mut egui::Ui, w: f32, h: f32) {
        let names: Vec<String> = self.stats.iter().map(|s| s.name.clone()).collect();
        let count = names.len();
        Plot::new("rate_boxes")
            .width(w)
            .height(h)
            .x_axis_label("single-cell rates per population")
            .y_axis_label("rate [Hz]")
            .include_y(0.0)
            // Tick labels need 60 points between marks, about two boxes here: each mark claims two.
            .x_grid_spacer(move |_| {
                (0..count).map(|k| egui_plot::GridMark { value: k as f64, step_size: 2.0 }).collect()
            })
            .x_axis_formatter(move |mark, _| crate::figure::Panel::x_name(&names, mark.value))
            .show(ui, |p| {
                for (k, s) in self.stats.iter().enumerate() {
                    let b = s.activity.rates;
                    let spread = BoxSpread::new(b.low, b.q1, b.median, b.q3, b.high);
                    let elem = BoxElem::new(k as f64, spread)
                        .box_width(0.6)
                        .whisker_width(0.3)
                        .fill(s.color.gamma_multiply(0.4))
                        .stroke(egui::Stroke::new(1.5, s.color));
                    p.box_plot(BoxPlot::new(s.name.clone(), vec![elem]).color(s.color));
                }
            });
    }

    fn activities(&self) -> Vec<PopulationActivity> {
        self.stats.iter().map(|s| s.activity.clone()).collect()
    }
}

#[allow(clippy::too_many_arguments)]
fn bars(
    ui: &mut egui::Ui,
    id: &str,
    x_label: &str,
    y_label: &str,
    w: f32,
    h: f32,
    stats: &[PopStats],
    of: impl Fn(&PopStats) -> &Vec<[f64; 2]>,
) {
    ui.vertical(|ui| {
        Plot::new(id)
            .width(w)
            .height(h)
            .x_axis_label(x_label.to_string())
            .y_axis_label(y_label.to_string())
            .legend(egui_plot::Legend::default())
            .show(ui, |p| {
                for s in stats {
                    let data = of(s);
                    let width = data.get(1).map_or(1.0, |b| b[0] - data[0][0]);
                    let chart = data.iter().map(|b| Bar::new(b[0], b[1]).width(width * 0.9)).collect();
                    p.bar_chart(BarChart::new(s.name.clone(), chart).color(s.color));
                }
            });
    });
}

fn stats(
    spikes: &[Spike],
    first: u32,
    size: u32,
    activity: PopulationActivity,
    color: egui::Color32,
    (t0, t1): (f64, f64),
) -> PopStats {
    let range = first..first + size;
    let isis = intervals_by_neuron(spikes, first, size as usize);
    // The histogram spans up to the 98th percentile: a few long pauses would squash the rest.
    let mut all: Vec<f64> = isis.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let max_isi = all.get(all.len() * 98 / 100).copied().unwrap_or(0.0).clamp(10.0, 1000.0);
    let cvs: Vec<f64> = isis.iter().filter_map(|i| cv(i)).collect();
    let rate: Vec<f64> = population_rate(spikes, range, t0, t1, 1.0).iter().map(|p| p[1]).collect();
    let spectrum = power_spectrum(&rate, 1.0, 150.0);
    PopStats {
        name: activity.name.clone(),
        color,
        activity,
        isi: histogram(isis.iter().flatten().copied(), 0.0, max_isi, 40),
        cv: histogram(cvs.iter().copied(), 0.0, 2.0, 40),
        peak_hz: peak_frequency(&spectrum, 4.0, 150.0),
        spectrum,
    }
}
