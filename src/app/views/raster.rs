//! The streaming raster with the population rate under it on the same time axis.
//!
//! Few spikes in view are drawn as dots; many (a large network) are binned per screen pixel into
//! an image, redrawn only when the data or the view changes, so the cost per frame does not grow
//! with the number of spikes shown. Clicking a spike traces its neuron in the Traces view.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, ColorImage, Id, Slider, TextureHandle};
use egui_plot::{GridMark, Line, MarkerShape, Plot, PlotImage, PlotPoint, Points};

use crate::analysis::activity::population_rate;
use crate::app::Lab;
use crate::engine::Command;
use crate::network::Spike;
use crate::network::spec::{NetworkSpec, PopulationSpec, Role};

/// Above this many spikes in view the raster is drawn as a per-pixel image.
const MAX_DOTS: usize = 20_000;

pub const E_COLOR: Color32 = Color32::from_rgb(90, 170, 255);
pub const I_COLOR: Color32 = Color32::from_rgb(240, 90, 90);

pub const SOURCE_COLOR: Color32 = Color32::from_rgb(120, 210, 120);

/// Excitatory blue, inhibitory red, spike sources green.
pub fn population_color(p: &PopulationSpec) -> Color32 {
    match (p.source.is_some(), p.role) {
        (true, _) => SOURCE_COLOR,
        (false, Role::Excitatory) => E_COLOR,
        (false, Role::Inhibitory) => I_COLOR,
    }
}

/// What the raster image was drawn from: data version, time range, size in pixels.
type ImageKey = (u64, u64, u64, usize, usize);

pub struct RasterPanel {
    follow: bool,
    /// Bin width of the population rate.
    pub bin_ms: f64,
    shown: (f64, f64),
    /// Where the raster was drawn last frame (tests click on spikes through it).
    pub transform: Option<egui_plot::PlotTransform>,
    image: Option<(ImageKey, TextureHandle)>,
    /// The time range drawn last (the figure's).
    drawn: (f64, f64),
}

impl Default for RasterPanel {
    fn default() -> Self {
        Self { follow: true, bin_ms: 5.0, shown: (0.0, 1000.0), transform: None, image: None, drawn: (0.0, 1000.0) }
    }
}

/// Population of every global neuron range, with its colour.
fn ranges(spec: &NetworkSpec) -> Vec<(std::ops::Range<u32>, String, Color32)> {
    spec.offsets()
        .iter()
        .zip(&spec.populations)
        .map(|(&start, p)| (start..start + p.size, p.name.clone(), population_color(p)))
        .collect()
}

impl ViewPanel for RasterPanel {
    fn view(&self) -> View {
        View::Raster
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        if self.show(ui, lab) {
            lab.goto = Some("traces");
        }
    }
    /// Every spike in the time range shown, and the population rates below it.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        let spec = lab.preset().network.as_ref()?;
        let (t0, t1) = self.drawn;
        let spikes: Vec<Spike> = lab.history.spikes_in(t0, t1).copied().collect();
        Some(crate::figure::of::raster(spec, &spikes, (t0, t1), self.bin_ms, u32::MAX))
    }
}

impl RasterPanel {
    /// Returns `true` when a spike was clicked (its neuron is then being traced).
    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) -> bool {
        let Some(spec) = lab.preset().network.as_ref() else {
            ui.label("This preset has no network. Open one from File > Presets > networks.");
            return false;
        };
        let n = spec.n_neurons() as f64;
        let pops = ranges(spec);
        let history = &lab.history;
        let window = lab.preset().view.window_ms;
        let mut edited_window = None;
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.follow, "follow")
                .on_hover_text("Scroll with the simulation. Untick to zoom (scroll wheel) and pan (drag) freely.");
            let mut window_ms = window;
            if ui.add(Slider::new(&mut window_ms, 10.0..=20_000.0).logarithmic(true).text("window [ms]")).changed() {
                edited_window = Some(window_ms);
            }
            ui.add(Slider::new(&mut self.bin_ms, 0.1..=50.0).logarithmic(true).text("rate bin [ms]"))
                .on_hover_text("Bin width of the population rate below the raster");
            ui.label(format!(
                "{} spikes · traced neuron {} (click a dot to trace another)",
                history.spike_count, history.traced
            ));
        });
        let (t0, t1) = if self.follow {
            let t1 = history.t_ms.max(window);
            (t1 - window, t1)
        } else {
            self.shown
        };
        self.drawn = (t0, t1);
        let visible: Vec<Spike> = history.spikes_in(t0, t1).copied().collect();
        let height = ui.available_height();
        let link = Id::unique("spikelab-raster-axis");
        let follow = self.follow;
        let plot = |id: &str, height: f32, y_label: &str| {
            Plot::new(id)
                .height(height)
                .link_axis(link, [true, false])
                .link_cursor(link, [true, false])
                .y_axis_label(y_label.to_string())
                .y_axis_min_width(48.0)
                .allow_drag(!follow)
                .allow_zoom(!follow)
                .allow_scroll(!follow)
        };
        let width_px = ui.available_width().max(100.0) as usize;
        let raster_h = height * 0.66;
        if visible.len() > MAX_DOTS {
            self.refresh_image(ui.ctx(), history.version, &visible, &pops, (t0, t1), n, width_px, raster_h as usize);
        }
        let image = self.image.as_ref().filter(|_| visible.len() > MAX_DOTS).map(|(_, tex)| tex.id());
        // Each population's name at its middle, its first neuron a strong line (layers of a
        // cortical column read as bands).
        let marks: Vec<(f64, f64, String)> = pops
            .iter()
            .flat_map(|(range, name, _)| {
                let (lo, size) = (range.start as f64, range.len() as f64);
                [(lo, n, String::new()), (lo + 0.5 * size, size, name.clone())]
            })
            .collect();
        let spacer = marks.clone();
        let labelled = plot("raster", raster_h, "neuron")
            .y_grid_spacer(move |_| spacer.iter().map(|&(value, step_size, _)| GridMark { value, step_size }).collect())
            .y_axis_formatter(move |mark, _| {
                marks.iter().find(|m| m.0 == mark.value).map_or_else(|| format!("{:.0}", mark.value), |m| m.2.clone())
            })
            .y_axis_min_width(56.0);
        let response = labelled.include_y(0.0).include_y(n).show(ui, |p| {
            if follow {
                p.set_plot_bounds_x(t0..=t1);
            }
            if let Some(texture) = image {
                let centre = PlotPoint::new(0.5 * (t0 + t1), 0.5 * n);
                p.image(PlotImage::new("spikes", texture, centre, [(t1 - t0) as f32, n as f32]));
            } else {
                for (range, name, color) in &pops {
                    let dots: Vec<[f64; 2]> = visible
                        .iter()
                        .filter(|s| range.contains(&s.neuron))
                        .map(|s| [s.t_ms, s.neuron as f64 + 0.5])
                        .collect();
                    let radius = if n <= 50.0 { 3.5 } else { 1.2 };
                    p.points(
                        Points::new(name.as_str(), dots)
                            .shape(MarkerShape::Circle)
                            .radius(radius)
                            .color(*color)
                            .filled(true),
                    );
                }
            }
        });
        if !follow {
            let b = response.transform.bounds();
            self.shown = (b.min()[0], b.max()[0]);
        }
        self.transform = Some(response.transform);
        if let Some(window_ms) = edited_window {
            // The slider keeps the window in range.
            let _ = lab.edit(|p| p.view.window_ms = window_ms);
        }
        let mut clicked = false;
        if response.response.clicked()
            && let Some(pos) = response.response.interact_pointer_pos()
        {
            let at = response.transform.value_from_position(pos);
            let px_ms = (t1 - t0) / width_px as f64;
            let rows = (n / raster_h as f64).max(1.0);
            let near = visible.iter().filter(|s| (s.t_ms - at.x).abs() <= 4.0 * px_ms).min_by(|a, b| {
                let d = |s: &Spike| ((s.t_ms - at.x) / px_ms).powi(2) + ((s.neuron as f64 + 0.5 - at.y) / rows).powi(2);
                d(a).total_cmp(&d(b))
            });
            let is_source = |g: u32| lab.preset().network.as_ref().is_some_and(|n| n.is_source(g));
            if let Some(spike) = near.filter(|s| (s.neuron as f64 + 0.5 - at.y).abs() <= 4.0 * rows) {
                if is_source(spike.neuron) {
                    lab.info(format!("neuron {} is a spike source: it has no membrane to trace", spike.neuron));
                    return false;
                }
                lab.commands.push(Command::Record(spike.neuron));
                lab.info(format!("tracing neuron {} (from now on)", spike.neuron));
                clicked = true;
            }
        }
        let bin = self.bin_ms;
        let start = (t0 / bin).floor() * bin;
        let now = lab.history.t_ms.min(t1); // no bins for time not simulated yet
        let rates: Vec<_> = pops
            .iter()
            .map(|(range, name, color)| {
                (population_rate(&visible, range.clone(), start, now, bin), name.as_str(), *color)
            })
            .collect();
        plot("population_rate", height - raster_h - 24.0, "rate [Hz]")
            .x_axis_label("t [ms]")
            .include_y(0.0)
            .legend(egui_plot::Legend::default())
            .show(ui, |p| {
                if follow {
                    p.set_plot_bounds_x(t0..=t1);
                }
                for (points, name, color) in rates {
                    p.line(Line::new(name, points).color(color));
                }
            });
        clicked
    }

    /// Bins the visible spikes per pixel into the raster image (kept while nothing changes).
    #[allow(clippy::too_many_arguments)]
    fn refresh_image(
        &mut self,
        ctx: &egui::Context,
        version: u64,
        spikes: &[Spike],
        pops: &[(std::ops::Range<u32>, String, Color32)],
        (t0, t1): (f64, f64),
        n: f64,
        w: usize,
        h: usize,
    ) {
        let (w, h) = (w.max(1), h.max(1).min(n as usize).max(1));
        let key = (version, t0.to_bits(), t1.to_bits(), w, h);
        if self.image.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let mut counts = vec![0u16; w * h];
        let mut colour_of = vec![0u8; w * h];
        for s in spikes {
            let x = ((s.t_ms - t0) / (t1 - t0) * w as f64) as usize;
            let y = h - 1 - ((s.neuron as f64 / n) * h as f64).min(h as f64 - 1.0) as usize;
            if x < w {
                counts[y * w + x] = counts[y * w + x].saturating_add(1);
                colour_of[y * w + x] = pops.iter().position(|p| p.0.contains(&s.neuron)).unwrap_or(0) as u8;
            }
        }
        let rows_per_px = (n / h as f64).max(1.0);
        let pixels = counts
            .iter()
            .zip(&colour_of)
            .map(|(&c, &p)| {
                if c == 0 {
                    return Color32::TRANSPARENT;
                }
                // Opacity grows with the fraction of the pixel's neurons that fired.
                let alpha = (0.35 + 0.65 * (c as f64 / rows_per_px).min(1.0)) as f32;
                pops[p as usize].2.gamma_multiply(alpha)
            })
            .collect();
        let image = ColorImage { size: [w, h], pixels, source_size: egui::Vec2::new(w as f32, h as f32) };
        crate::app::widgets::store_image(&mut self.image, ctx, "raster", key, image);
    }
}
