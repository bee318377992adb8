//! The STDP panel: the rule's window (analytic curve and pairings measured in the engine), the
//! weight distribution evolving as a time x weight heat map with its mean, and the traces of a
//! few synapses, all streaming from the running simulation.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, ColorImage, TextureHandle};
use egui_plot::{FilledArea, HLine, Line, MarkerShape, Plot, PlotImage, PlotPoint, Points};

use crate::analysis::stdp::measured_window;
use crate::app::Lab;
use crate::app::job::Keyed;
use crate::app::widgets::{choice, store_image};
use crate::engine::frame::WEIGHT_BINS;
use crate::synapse::device::DeviceSynapse;
use crate::synapse::device::mapping::{WINDOW_STARTS, WindowPoint, window, window_dts};
use crate::synapse::plasticity::StdpRule;

/// Δt of the measured pairings, ms.
const PAIRINGS: [f64; 14] = [-80.0, -50.0, -30.0, -20.0, -10.0, -5.0, -2.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 80.0];
/// Most columns of the heat map (older samples are merged).
const MAX_COLUMNS: usize = 600;

fn equations(rule: &StdpRule) -> &'static str {
    match rule {
        StdpRule::Additive { .. } => {
            "Δw = w_max A+ exp(-Δt/τ+) for Δt > 0, Δw = -w_max A- exp(Δt/τ-) for Δt < 0; weights clipped to [0, w_max]"
        }
        StdpRule::Multiplicative { .. } => {
            "Δw = w_max λ (1 - w/w_max)^μ+ exp(-Δt/τ+) for Δt > 0, Δw = -w_max λ α (w/w_max)^μ- exp(Δt/τ-) for Δt < 0"
        }
        StdpRule::Triplet { .. } => {
            "pre: Δw = -w_max o1 (A2- + A3- r2); post: Δw = w_max r1 (A2+ + A3+ o2); traces r1 (τ+), r2 (τx), o1 (τ-), o2 (τy)"
        }
        StdpRule::Ee746 { .. } => {
            "post: Δw = w γ A_up exp(-(t_post - t_last arrival)/τ); arrival: Δw = w γ A_down exp(-(t_arrival - t_last post)/τ)"
        }
    }
}

/// `(pre, post)` of every plastic synapse, global indices.
type Pairs = Vec<(u32, u32)>;

/// `(Δt, Δw)` points of the pairings, or why they could not be measured.
type Measured = Result<Vec<[f64; 2]>, String>;

#[derive(Default)]
pub struct StdpPanel {
    /// The window measured in the engine, by rule.
    window: Keyed<StdpRule, Measured>,
    heat: Option<(u64, TextureHandle)>,
    /// Times drawn in the heat map, for tests.
    pub heat_columns: usize,
    /// `(pre, post)` of every plastic synapse, from the network rebuilt with the run's seed.
    pairs: Keyed<String, Pairs>,
    matrix: Option<(u64, TextureHandle)>,
    /// The window through the projection's devices, from 10, 50 and 90 % of their range, for
    /// the devices and rule it was drawn for.
    pub through_device: Option<((DeviceSynapse, StdpRule), Vec<WindowPoint>)>,
    /// The weights of those devices' states (the weight panel's lines), drawn with the window.
    levels: Vec<f64>,
}

/// Devices per point of that window.
const DEVICE_TRIALS: usize = 200;

impl ViewPanel for StdpPanel {
    fn view(&self) -> View {
        View::Stdp
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The weights' distribution over the run with their mean, and the latest weights.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        let h = &lab.history;
        let samples: Vec<(f64, [f64; 4], Vec<u32>)> =
            h.weights.iter().map(|s| (s.t_ms, s.stats, s.bins.to_vec())).collect();
        (!samples.is_empty())
            .then(|| crate::figure::of::weights(&samples, &h.all_weights.iter().map(|&w| w as f64).collect::<Vec<_>>()))
    }
}

impl StdpPanel {
    /// The rule whose window has been measured in the engine.
    pub fn measured_rule(&self) -> Option<StdpRule> {
        self.window.latest().filter(|w| w.1.is_ok()).map(|w| w.0)
    }

    /// The rule of the first plastic projection, and that projection's index.
    fn rule(lab: &Lab) -> Option<(usize, StdpRule)> {
        let network = lab.preset().network.as_ref()?;
        network.projections.iter().enumerate().find_map(|(k, p)| p.plasticity.map(|r| (k, r)))
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some((k, rule)) = Self::rule(lab) else {
            ui.label("No projection of this network is plastic. Open presets/plasticity, or add `plasticity` to a projection.");
            return;
        };
        ui.horizontal(|ui| {
            let tip = "The learning rule of the plastic synapses; switching restarts the run with the rule's published defaults";
            let kinds: Vec<usize> = (0..StdpRule::kinds().count()).collect();
            let name = |k: usize| StdpRule::kinds().nth(k).unwrap_or_default().to_string();
            if let Some(kind) = choice(ui, "rule", rule.kind(), &kinds, name, tip) {
                let rule = Some(StdpRule::published(kind, rule.w_max()));
                lab.apply(|p| p.network.as_mut().expect("has a rule").projections[k].plasticity = rule);
            }
            ui.label(rule.name());
        });
        ui.label(equations(&rule)).on_hover_text(
            "Δt = t_post - t_pre. t_pre is when the presynaptic spike arrives at the synapse (delays are axonal: \
             emitted in step n with D steps of delay, it arrives at (n + D) dt); the postsynaptic spike counts at its \
             own time (no dendritic delay). Pre before post (Δt > 0) potentiates.",
        );
        egui::CollapsingHeader::new("timing: where Δt is measured").show(ui, timing_diagram);
        self.window.get(&rule, ui.ctx(), move || measured_window(rule, &PAIRINGS));

        if let Some(synapse) = lab.preset().device_synapse()
            && self.through_device.as_ref().is_none_or(|(key, _)| *key != (synapse.clone(), rule))
        {
            let (device, mapping, seed) = (&synapse.device, synapse.mapping, lab.preset().run.seed);
            let points = window(device, &rule, mapping, &window_dts(), &WINDOW_STARTS, DEVICE_TRIALS, seed);
            self.through_device = Some(((synapse.clone(), rule), points));
            self.levels = device.level_weights(MAX_LEVELS_DRAWN).unwrap_or_default();
        }
        let h = (ui.available_height() - 8.0) / 2.0;
        let w = ui.available_width() / 2.0 - 6.0;
        ui.horizontal(|ui| {
            self.window_ui(ui, lab, &rule, w, h);
            selected_ui(ui, lab, w, h);
        });
        ui.horizontal(|ui| {
            let small = !lab.history.all_weights.is_empty();
            ui.vertical(|ui| {
                ui.set_width(if small { 1.4 * w } else { 2.0 * w });
                self.heat_ui(ui, lab, h);
            });
            if small {
                self.matrix_ui(ui, lab, h);
            }
        });
    }

    /// The plastic weights as a source x target matrix (networks small enough to send them all).
    fn matrix_ui(&mut self, ui: &mut egui::Ui, lab: &Lab, side: f32) {
        let (Some(network), Some(key)) = (lab.preset().network.clone(), lab.network_key()) else { return };
        let (dt, seed) = (lab.preset().run.dt_ms, lab.preset().run.seed);
        let weights = &lab.history.all_weights;
        let pairs = self.pairs.get(&key, ui.ctx(), move || match crate::network::Net::build(&network, dt, seed) {
            Ok(net) => net.plastic_synapses().map(|(a, b, _)| (a, b)).collect(),
            Err(_) => Vec::new(),
        });
        let Some(pairs) = pairs.filter(|p| p.len() == weights.len()) else {
            ui.spinner();
            return;
        };
        let n = lab.preset().network.as_ref().map_or(1, |n| n.n_neurons() as usize);
        let cells = n.min(300);
        let block = n.div_ceil(cells);
        if self.matrix.as_ref().is_none_or(|(v, _)| *v != lab.history.version) {
            let (mut sum, mut count) = (vec![0.0f32; cells * cells], vec![0u32; cells * cells]);
            for (&(pre, post), &w) in pairs.iter().zip(weights) {
                // Row 0 of the image is the top: the highest target index.
                let at = (cells - 1 - post as usize / block) * cells + pre as usize / block;
                sum[at] += w;
                count[at] += 1;
            }
            let pixels = sum
                .iter()
                .zip(&count)
                .map(|(&s, &c)| match c {
                    0 => Color32::from_gray(16),
                    _ => Color32::from_rgb(255, 170, 60).gamma_multiply((0.15 + 0.85 * s / c as f32).min(1.0)),
                })
                .collect();
            let image = ColorImage { size: [cells, cells], pixels, source_size: egui::Vec2::splat(cells as f32) };
            store_image(&mut self.matrix, ui.ctx(), "matrix", lab.history.version, image);
        }
        let texture = self.matrix.as_ref().expect("drawn").1.id();
        let n = n as f64;
        Plot::new("plastic_matrix")
            .height(side)
            .data_aspect(1.0)
            .x_axis_label("source neuron")
            .y_axis_label("target (mean w / w_max)")
            .show(ui, |p| {
                p.image(PlotImage::new("weights", texture, PlotPoint::new(n / 2.0, n / 2.0), [n as f32, n as f32]));
            });
    }

    fn window_ui(&self, ui: &mut egui::Ui, lab: &Lab, rule: &StdpRule, w: f32, h: f32) {
        let w_max = rule.w_max();
        let analytic: Vec<[f64; 2]> = (-1000..=1000)
            .filter(|k| *k != 0)
            .map(|k| {
                let dt = k as f64 * 0.1;
                [dt, rule.window(dt, 0.5 * w_max) / w_max]
            })
            .collect();
        let measured: Vec<[f64; 2]> = match self.window.latest() {
            Some((r, Ok(points))) if r == rule => points.iter().map(|p| [p[0], p[1] / w_max]).collect(),
            _ => Vec::new(),
        };
        Plot::new("stdp_window")
            .width(w)
            .height(h)
            .x_axis_label("Δt = t_post - t_pre [ms]")
            .y_axis_label("Δw / w_max (one pairing, from w_max/2)")
            .legend(egui_plot::Legend::default().position(egui_plot::Corner::LeftBottom))
            .show(ui, |p| {
                p.line(Line::new("analytic", analytic).color(Color32::from_rgb(90, 170, 255)));
                p.points(
                    Points::new("measured in the engine", measured)
                        .shape(MarkerShape::Circle)
                        .radius(4.0)
                        .color(Color32::from_rgb(255, 170, 60)),
                );
                // Through the devices: the mean change of one pairing from each start (a
                // staircase when rounded to the nearest pulse, a rectangle under Querlioz's rule).
                let Some(((synapse, _), points)) = &self.through_device else { return };
                if lab.preset().device_synapse() != Some(synapse) {
                    return;
                }
                let shade = [
                    Color32::from_rgb(120, 230, 140),
                    Color32::from_rgb(230, 200, 90),
                    Color32::from_rgb(240, 110, 110),
                ];
                for (k, g0) in WINDOW_STARTS.into_iter().enumerate() {
                    let from: Vec<&WindowPoint> = points.iter().filter(|p| p.g0 == g0).collect();
                    let name = format!("{}: from {:.0} % of G", synapse.device.name, g0 * 100.0);
                    // Stochastic rounding and noisy devices spread the change: the mean ± sd.
                    if from.iter().any(|p| p.dw_sd > 0.0) {
                        let dts: Vec<f64> = from.iter().map(|p| p.dt_ms).collect();
                        let low: Vec<f64> = from.iter().map(|p| p.dw_mean - p.dw_sd).collect();
                        let high: Vec<f64> = from.iter().map(|p| p.dw_mean + p.dw_sd).collect();
                        let band = FilledArea::new(format!("{name} ± sd"), &dts, &low, &high);
                        p.add(band.fill_color(shade[k].gamma_multiply(0.2)));
                    }
                    let mean: Vec<[f64; 2]> = from.iter().map(|p| [p.dt_ms, p.dw_mean]).collect();
                    p.line(Line::new(name, mean).color(shade[k]));
                }
            });
    }

    /// Time x weight heat map of the distribution, with the mean over it.
    fn heat_ui(&mut self, ui: &mut egui::Ui, lab: &Lab, h: f32) {
        let samples = &lab.history.weights;
        if samples.is_empty() {
            ui.label("The weight distribution appears here as the run goes.");
            return;
        }
        let (t0, t1) = (samples[0].t_ms / 1000.0, samples[samples.len() - 1].t_ms / 1000.0);
        let stride = samples.len().div_ceil(MAX_COLUMNS);
        let columns = samples.len().div_ceil(stride);
        self.heat_columns = columns;
        if self.heat.as_ref().is_none_or(|(v, _)| *v != lab.history.version) {
            let mut pixels = vec![Color32::BLACK; columns * WEIGHT_BINS];
            for (c, chunk) in samples.iter().collect::<Vec<_>>().chunks(stride).enumerate() {
                let last = chunk[chunk.len() - 1];
                let total = last.bins.iter().sum::<u32>().max(1) as f32;
                for (b, &count) in last.bins.iter().enumerate() {
                    // Row 0 of the image is the top: the highest weights.
                    // Brightness: the bin's share against a uniform spread (1/3), saturating at 3x.
                    let share = (count as f32 / total * WEIGHT_BINS as f32 / 3.0).min(1.0);
                    pixels[(WEIGHT_BINS - 1 - b) * columns + c] = Color32::from_rgb(90, 170, 255).gamma_multiply(share);
                }
            }
            let image = ColorImage {
                size: [columns, WEIGHT_BINS],
                pixels,
                source_size: egui::Vec2::new(columns as f32, WEIGHT_BINS as f32),
            };
            store_image(&mut self.heat, ui.ctx(), "weights", lab.history.version, image);
        }
        let texture = self.heat.as_ref().expect("drawn").1.id();
        let mean: Vec<[f64; 2]> = samples.iter().map(|s| [s.t_ms / 1000.0, s.stats[0]]).collect();
        let last = &samples[samples.len() - 1];
        let span = (t1 - t0).max(1e-3);
        // A device's states as lines, and how many of them the weights occupy now.
        let on_devices = lab.preset().device_synapse().is_some();
        let levels: &[f64] = if on_devices { &self.levels } else { &[] };
        let occupied = match crate::synapse::device::occupied(levels, &lab.history.all_weights) {
            Some(n) => format!(", {n} of {} device levels occupied", levels.len()),
            None => String::new(),
        };
        Plot::new("weight_heat")
            .height(h)
            .x_axis_label(format!(
                "t [s]   ·   now: mean {:.3}, sd {:.3} of w_max, {} synapses{occupied}",
                last.stats[0],
                last.stats[1],
                last.bins.iter().sum::<u32>()
            ))
            .y_axis_label("w / w_max")
            .include_y(0.0)
            .include_y(1.0)
            .legend(egui_plot::Legend::default())
            .show(ui, |p| {
                p.image(PlotImage::new(
                    "distribution",
                    texture,
                    PlotPoint::new(t0 + span / 2.0, 0.5),
                    [span as f32, 1.0],
                ));
                for &level in levels {
                    p.hline(HLine::new("device levels", level).color(Color32::from_gray(110)).width(0.5));
                }
                p.line(Line::new("mean", mean).color(Color32::from_rgb(255, 170, 60)).width(2.0));
            });
    }
}

/// Most device states the weight panel draws as lines.
const MAX_LEVELS_DRAWN: usize = 256;

/// The first few synapses' weights over time.
fn selected_ui(ui: &mut egui::Ui, lab: &Lab, w: f32, h: f32) {
    let samples = &lab.history.weights;
    let n = samples.back().map_or(0, |s| s.selected.len());
    Plot::new("stdp_synapses")
        .width(w)
        .height(h)
        .x_axis_label("t [s]")
        .y_axis_label("w / w_max (synapses 0-5)")
        .include_y(0.0)
        .include_y(1.0)
        .show(ui, |p| {
            for k in 0..n {
                let points: Vec<[f64; 2]> =
                    samples.iter().filter_map(|s| s.selected.get(k).map(|w| [s.t_ms / 1000.0, *w])).collect();
                p.line(Line::new(format!("synapse {k}"), points));
            }
        });
}

/// The timing convention as a picture: the axon carries the delay, Δt runs from the spike's
/// arrival at the synapse to the postsynaptic spike.
fn timing_diagram(ui: &mut egui::Ui) {
    use egui::{Align2, FontId, Pos2, Stroke, vec2};
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width().min(640.0), 110.0), egui::Sense::hover());
    let p = ui.painter_at(rect);
    let text = ui.visuals().text_color();
    let font = FontId::proportional(13.0);
    let (pre_c, post_c) = (Color32::from_rgb(120, 210, 120), Color32::from_rgb(90, 170, 255));
    let at = |x: f32, y: f32| Pos2::new(rect.left() + x, rect.top() + y);
    // The cells: pre -> axon (delay D) -> synapse -> post (no dendritic delay).
    p.circle_filled(at(30.0, 22.0), 14.0, pre_c);
    p.text(at(30.0, 22.0), Align2::CENTER_CENTER, "pre", font.clone(), Color32::BLACK);
    p.line_segment([at(44.0, 22.0), at(250.0, 22.0)], Stroke::new(2.0, pre_c));
    p.text(at(147.0, 10.0), Align2::CENTER_CENTER, "axon: delay D steps", font.clone(), text);
    p.circle_filled(at(256.0, 22.0), 6.0, Color32::from_rgb(255, 170, 60));
    p.text(at(256.0, 46.0), Align2::CENTER_CENTER, "synapse (w)", font.clone(), text);
    p.circle_filled(at(290.0, 22.0), 14.0, post_c);
    p.text(at(290.0, 22.0), Align2::CENTER_CENTER, "post", font.clone(), Color32::BLACK);
    // The time line.
    let y = 88.0;
    let end = rect.width() - 20.0;
    p.line_segment([at(20.0, y), at(end, y)], Stroke::new(1.5, text));
    p.line_segment([at(end - 8.0, y - 4.0), at(end, y)], Stroke::new(1.5, text));
    p.line_segment([at(end - 8.0, y + 4.0), at(end, y)], Stroke::new(1.5, text));
    p.text(at(end, y - 10.0), Align2::RIGHT_CENTER, "t", font.clone(), text);
    let tick = |x: f32, label: &str, color: Color32| {
        p.line_segment([at(x, y - 6.0), at(x, y + 6.0)], Stroke::new(2.0, color));
        p.text(at(x, y + 16.0), Align2::CENTER_CENTER, label, font.clone(), color);
    };
    tick(60.0, "pre fires (step n)", pre_c);
    tick(250.0, "arrives: t_pre = (n + D) dt", Color32::from_rgb(255, 170, 60));
    tick(480.0, "post fires: t_post", post_c);
    p.line_segment([at(250.0, y - 12.0), at(480.0, y - 12.0)], Stroke::new(1.0, text));
    p.text(
        at(365.0, y - 22.0),
        Align2::CENTER_CENTER,
        "Δt = t_post - t_pre > 0: potentiation (< 0: depression)",
        font,
        text,
    );
}
