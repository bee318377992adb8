//! Live traces: membrane potential with spike marks, the hidden variable, and the injected
//! current, on one shared time axis. Drawn from per-pixel min/max decimation, cached until the
//! data or the view changes.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, Id, Slider};
use egui_plot::{Line, MarkerShape, Plot, PlotPoint, PlotPoints, Points};

use crate::app::Lab;
use crate::app::history::decimate;

pub struct TracePanel {
    /// Scroll with the simulation; off: free zoom and pan.
    follow: bool,
    /// Time range the plots showed last frame (used when not following).
    shown: (f64, f64),
    cache_key: Option<(u64, u64, u64, usize)>,
    cache: Vec<Vec<PlotPoint>>,
    /// Firing-pattern label and the history version it was read from.
    label: (u64, String),
    /// The time range drawn last (the figure's).
    drawn: (f64, f64),
}

impl Default for TracePanel {
    fn default() -> Self {
        Self {
            follow: true,
            shown: (0.0, 500.0),
            cache_key: None,
            cache: Vec::new(),
            label: (u64::MAX, String::new()),
            drawn: (0.0, 500.0),
        }
    }
}

const V_COLOR: Color32 = Color32::from_rgb(90, 170, 255);
const HIDDEN_COLORS: [Color32; 3] =
    [Color32::from_rgb(255, 170, 60), Color32::from_rgb(200, 120, 255), Color32::from_rgb(120, 210, 120)];
const INPUT_COLOR: Color32 = Color32::from_rgb(120, 210, 120);
const SPIKE_COLOR: Color32 = Color32::from_rgb(240, 80, 80);

impl ViewPanel for TracePanel {
    fn view(&self) -> View {
        View::Traces
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// Every sample in the time range shown (not the drawing's decimation).
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        let (t0, t1) = self.drawn;
        let h = &lab.history;
        let model = lab.traced_model();
        let shown = if lab.preset().view.show_hidden { model.vars().len() } else { 1 };
        let vars: Vec<Vec<[f64; 2]>> =
            (0..shown.min(h.series.len())).map(|c| h.points_in(c, t0, t1).collect()).collect();
        let spikes: Vec<f64> = h.spike_times_in(t0, t1).collect();
        let input = h.input.iter().filter(|p| p[0] >= t0 && p[0] <= t1).copied().collect();
        (!vars.is_empty()).then(|| crate::figure::of::traces(&model, &vars, &spikes, input, (t0, t1)))
    }
}

impl TracePanel {
    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let mut view = lab.preset().view;
        let history = &lab.history;
        let lab_stimulus = &lab.preset().stimulus;
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.follow, "follow")
                .on_hover_text("Scroll with the simulation. Untick to zoom (scroll wheel) and pan (drag) freely.");
            ui.add(Slider::new(&mut view.window_ms, 10.0..=20_000.0).logarithmic(true).text("window [ms]"))
                .on_hover_text("Width of the scrolling time window");
            ui.checkbox(&mut view.show_hidden, "hidden variables").on_hover_text("Plot u (recovery) under V");
            let recent = history.spike_times_in(history.t_ms - 1000.0, history.t_ms).count();
            ui.label(format!("spikes: {} · last second: {recent} Hz", history.spike_count));
            ui.separator();
            ui.label(format!("pattern: {}", self.pattern(lab_stimulus, history)))
                .on_hover_text("Firing-pattern label of the response to the main input, from its inter-spike intervals (Naud et al. 2008 categories)");
        });

        let (window, show_hidden) = (view.window_ms, view.show_hidden);
        if view != lab.preset().view {
            // The slider keeps the window in range.
            let _ = lab.edit(|p| p.view = view);
        }
        let protocol_ms = lab.preset().run.duration_ms;
        let sweeping =
            view.at_end != crate::preset::settings::AtEnd::Continue && lab.history.t_ms <= protocol_ms + 1e-9;
        let (t0, t1) = if !self.follow {
            self.shown
        } else if sweeping {
            // A protocol that loops or pauses: a fixed sweep over the whole protocol.
            (0.0, protocol_ms)
        } else {
            let t1 = lab.history.t_ms.max(window);
            (t1 - window, t1)
        };
        let width = ui.available_width().max(100.0) as usize;
        self.refresh(lab, t0, t1, width);
        self.drawn = (t0, t1);

        let model = &lab.traced_model();
        let vars = model.vars();
        let hidden: Vec<usize> = if show_hidden { (1..vars.len()).collect() } else { Vec::new() };
        let height = ui.available_height();
        let (h_v, h_hidden, h_input) = if hidden.is_empty() {
            (height * 0.68, 0.0, height * 0.28)
        } else {
            (height * 0.48, height * 0.24, height * 0.22)
        };
        let link = Id::unique("spikelab-time-axis");
        let follow = self.follow;
        let plot = |id: &str, height: f32, y_label: String| {
            Plot::new(id)
                .height(height)
                .link_axis(link, [true, false])
                .link_cursor(link, [true, false])
                .y_axis_label(y_label)
                .y_axis_min_width(48.0)
                .allow_drag(!follow)
                .allow_zoom(!follow)
                .allow_scroll(!follow)
                .allow_double_click_reset(!follow)
        };

        let threshold = model.threshold();
        let spikes: Vec<[f64; 2]> = lab.history.spike_times_in(t0, t1).map(|t| [t, threshold]).collect();
        let v_points = self.cache.first().map(Vec::as_slice).unwrap_or_default();
        let response =
            plot("v_plot", h_v, format!("{} [{}]", vars[0].label, vars[0].unit)).include_y(threshold).show(ui, |p| {
                if follow {
                    p.set_plot_bounds_x(t0..=t1);
                }
                p.line(Line::new(vars[0].label, PlotPoints::Borrowed(v_points)).color(V_COLOR));
                p.points(Points::new("spike", spikes).shape(MarkerShape::Circle).radius(3.0).color(SPIKE_COLOR));
            });
        if !follow {
            let b = response.transform.bounds();
            self.shown = (b.min()[0], b.max()[0]);
        }
        if !hidden.is_empty() {
            // All hidden variables share one plot (HH: m, h, n).
            let names: Vec<&str> = hidden.iter().map(|&j| vars[j].label).collect();
            let unit = vars[hidden[0]].unit;
            let label = if unit.is_empty() { names.join(", ") } else { format!("{} [{unit}]", names.join(", ")) };
            let cache = &self.cache;
            plot("hidden_plot", h_hidden, label).legend(egui_plot::Legend::default()).show(ui, |p| {
                if follow {
                    p.set_plot_bounds_x(t0..=t1);
                }
                for (k, &j) in hidden.iter().enumerate() {
                    let points = cache.get(j).map(Vec::as_slice).unwrap_or_default();
                    let color = HIDDEN_COLORS[k % HIDDEN_COLORS.len()];
                    p.line(Line::new(vars[j].label, PlotPoints::Borrowed(points)).color(color));
                }
            });
        }
        // The current the engine injected (noise and synaptic input included); before the
        // first frame, the stimulus's deterministic shape.
        let mut input = Vec::new();
        if lab.history.input.is_empty() {
            let stimulus = &lab.preset().stimulus;
            input.extend((0..=width).map(|k| {
                let t = t0 + (t1 - t0) * k as f64 / width as f64;
                PlotPoint::new(t, stimulus.value_at(t))
            }));
        } else {
            decimate(&lab.history.input, t0, t1, width, &mut input);
        }
        plot("input_plot", h_input, format!("I [{}]", model.current_unit()))
            .x_axis_label("t [ms]")
            .include_y(0.0)
            .show(ui, |p| {
                if follow {
                    p.set_plot_bounds_x(t0..=t1);
                }
                p.line(Line::new("I", PlotPoints::Owned(input)).color(INPUT_COLOR));
            });
    }

    /// The pattern label of the response since the stimulus's main input began (cached per
    /// frame): responses to brief pulses come after them, so the window runs up to now.
    fn pattern(&mut self, stimulus: &crate::stimulus::Stimulus, history: &crate::app::History) -> String {
        if self.label.0 != history.version {
            let (onset, _) = stimulus.main_window(f64::INFINITY);
            let now = history.t_ms;
            let times: Vec<f64> = history.spike_times_in(onset, now).collect();
            let text = if now < onset + 20.0 {
                "(waiting for the input)".to_string()
            } else {
                crate::analysis::classify(&times, onset, now).label()
            };
            self.label = (history.version, text);
        }
        self.label.1.clone()
    }

    /// Re-decimates the recorded series when the data or the view changed.
    fn refresh(&mut self, lab: &Lab, t0: f64, t1: f64, width: usize) {
        let key = (lab.history.version, t0.to_bits(), t1.to_bits(), width);
        if self.cache_key == Some(key) {
            return;
        }
        self.cache_key = Some(key);
        let history = &lab.history;
        let vars = lab.traced_model().vars();
        self.cache.resize_with(vars.len(), Vec::new);
        for (j, var) in vars.iter().enumerate() {
            match history.column(var.key) {
                Some(c) => decimate(&history.series[c], t0, t1, width, &mut self.cache[j]),
                None => self.cache[j].clear(),
            }
        }
    }
}
