//! The encoding playground: a digit (picked from the test set, or drawn with the mouse), its spike
//! trains under the chosen code, and the image read back from the spikes.

use super::ViewPanel;
use crate::preset::views::View;

use std::sync::Arc;

use egui::Color32;
use egui_plot::{MarkerShape, Plot, Points};

use crate::app::Lab;
use crate::app::widgets::{choice, grey_cells};
use crate::dataset::{Dataset, Source};
use crate::preset::learning::{EncodingTask, Learning};
use crate::random::stream;
use crate::stimulus::encode::Encoder;

/// The test images, loaded once per source and shared, not copied, by each frame.
#[derive(Default)]
pub struct Images {
    loaded: Option<(Source, Result<Arc<Dataset>, String>)>,
}

impl Images {
    /// The test set of `source` (loaded on first use).
    pub fn test(&mut self, source: &Source) -> Result<Arc<Dataset>, String> {
        if self.loaded.as_ref().is_none_or(|(s, _)| s != source) {
            self.loaded = Some((source.clone(), source.load().map(|split| Arc::new(split.test))));
        }
        self.loaded.as_ref().expect("loaded").1.clone()
    }
}

#[derive(Default)]
pub struct EncodingPanel {
    images: Images,
    /// A drawn image replaces the picked one until cleared.
    pub drawn: Option<Vec<f32>>,
    /// Another draw of the random codes.
    pub draw: u64,
    /// Spikes in the raster now (for tests).
    pub spike_count: usize,
    /// The trains drawn last, and the image they encode (the figure's).
    trains: Vec<Vec<f64>>,
    image: Vec<f32>,
}

impl ViewPanel for EncodingPanel {
    fn view(&self) -> View {
        View::Encoding
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The pixels' spikes, and the image they encode.
    fn figure(&self, _lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Series};
        let spikes: Vec<(f64, usize)> =
            self.trains.iter().enumerate().flat_map(|(i, t)| t.iter().map(move |&t| (t, i))).collect();
        let mut figure = crate::figure::of::trains("an image as spike trains", &spikes, Axis::new("pixel", ""));
        let side = (self.image.len() as f64).sqrt().round() as usize;
        let cells = self
            .image
            .iter()
            .enumerate()
            .map(|(k, &x)| [(k % side) as f64, (side - 1 - k / side) as f64, x as f64])
            .collect();
        let mut image =
            crate::figure::Panel::new("image", Axis::new("column", ""), Axis::new("row from the bottom", ""))
                .with(Series::cells("intensity", (1.0, 1.0), cells));
        image.z = Some(Axis::new("intensity", ""));
        figure.panels.push(image);
        (!self.trains.is_empty()).then_some(figure)
    }
}

impl EncodingPanel {
    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(Learning::Encoding(task)) = lab.preset().learning.clone() else { return };
        let test = match self.images.test(&task.source) {
            Ok(test) => test,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
        };
        let mut edited = task.clone();
        controls(ui, &mut edited, test.len(), test.pixels(), &mut self.drawn, &mut self.draw);
        if edited != task {
            // A value the task does not take is not applied; the control shows the lab's.
            let _ = lab.edit(|p| p.learning = Some(Learning::Encoding(edited.clone())));
        }
        let index = (edited.image as usize).min(test.len() - 1);
        let image = self.drawn.clone().unwrap_or_else(|| test.images[index].clone());
        let trains = edited.encoder.encode(
            &image,
            edited.duration_ms,
            &mut stream(lab.preset().run.seed + self.draw, index as u64),
        );
        let decoded = edited.encoder.decode(&trains, edited.duration_ms);
        self.spike_count = trains.iter().map(Vec::len).sum();
        (self.trains, self.image) = (trains.clone(), image.clone());

        let (w, h) = (test.width, test.height);
        let raster_h = (ui.available_height() - 40.0).clamp(240.0, 600.0);
        ui.horizontal(|ui| {
            let side = 220.0;
            ui.vertical(|ui| {
                let caption = match &self.drawn {
                    Some(_) => "drawn (drag to paint, right-drag to erase)".to_string(),
                    None => format!("test image {index}: a {}  (drag on it to draw your own)", test.labels[index]),
                };
                if let Some(drawn) = paint_ui(ui, &image, w, h, side) {
                    self.drawn = Some(drawn);
                }
                ui.label(caption);
            });
            raster_ui(ui, &trains, edited.duration_ms, ui.available_width() - side - 20.0, raster_h);
            let error = image.iter().zip(&decoded).map(|(a, b)| (a - b).abs()).sum::<f32>() / image.len() as f32;
            let caption = format!("read back from the spikes\nmean error {error:.3}\n{} spikes", self.spike_count);
            ui.vertical(|ui| {
                grey_cells(ui, &decoded, w, side, egui::Sense::hover());
                ui.label(caption);
            });
        });
        ui.label(explain(&edited.encoder));
    }
}

fn controls(
    ui: &mut egui::Ui,
    task: &mut EncodingTask,
    images: usize,
    pixels: usize,
    drawn: &mut Option<Vec<f32>>,
    draw: &mut u64,
) {
    ui.horizontal(|ui| {
        let kinds = [0, 1, 2, 3, 4];
        let tip = "How pixel intensity becomes spikes";
        if let Some(k) = choice(ui, "code", task.encoder.index(), &kinds, |k| Encoder::NAMES[k].into(), tip) {
            task.encoder = Encoder::default_of(k);
        }
        ui.add(egui::Slider::new(&mut task.image, 0..=images as u32 - 1).text("test image"));
        if ui.button("previous").clicked() {
            task.image = task.image.saturating_sub(1);
            *drawn = None;
        }
        if ui.button("next").clicked() {
            task.image = (task.image + 1).min(images as u32 - 1);
            *drawn = None;
        }
        if ui.add_enabled(drawn.is_some(), egui::Button::new("clear drawing")).clicked() {
            *drawn = None;
        }
        if ui.button("blank canvas").on_hover_text("start a drawing from an empty image").clicked() {
            *drawn = Some(vec![0.0; pixels]);
        }
        if ui.button("new spikes").on_hover_text("another draw of the random codes").clicked() {
            *draw += 1;
        }
    });
    ui.horizontal(|ui| {
        crate::app::widgets::described(ui, task, "duration_ms");
        for spec in task.encoder.specs() {
            let mut value = task.encoder.get(spec.key).expect("a described field");
            if crate::app::widgets::spec_slider(ui, spec, &mut value, false).changed() {
                task.encoder.set(spec.key, value);
            }
        }
    });
}

fn explain(encoder: &Encoder) -> &'static str {
    match encoder {
        Encoder::Poisson { .. } => {
            "Poisson: each pixel fires at random at a rate proportional to its intensity; read back: count / (duration x top rate)."
        }
        Encoder::Bernoulli { .. } => {
            "Bernoulli: at every step each pixel fires with probability proportional to its intensity; read back: count / (steps x p)."
        }
        Encoder::Regular { .. } => {
            "Regular: a clock at a rate proportional to intensity; read back: count / (duration x top rate), exact up to one spike."
        }
        Encoder::Latency { .. } => {
            "Latency: one spike at t_max (1 - x), bright pixels first; pixels at or below the threshold stay silent; read back: 1 - t / t_max."
        }
        Encoder::RankOrder { .. } => {
            "Rank order: one spike per pixel above the threshold, brightest first, evenly spaced; only the order survives, so the read-back is the rank."
        }
    }
}

/// The image as a grid of cells the mouse paints (left) or erases (right); returns the new
/// image when a drag changed it.
fn paint_ui(ui: &mut egui::Ui, image: &[f32], w: usize, h: usize, side: f32) -> Option<Vec<f32>> {
    let response = grey_cells(ui, image, w, side, egui::Sense::drag());
    let rect = response.rect;
    let cell = egui::vec2(rect.width() / w as f32, rect.height() / h as f32);
    let pos = response.interact_pointer_pos().filter(|_| response.dragged())?;
    let (col, row) = (((pos.x - rect.min.x) / cell.x).floor(), ((pos.y - rect.min.y) / cell.y).floor());
    if col < 0.0 || row < 0.0 || col >= w as f32 || row >= h as f32 {
        return None;
    }
    let erase = response.dragged_by(egui::PointerButton::Secondary);
    let mut out = image.to_vec();
    let (col, row) = (col as usize, row as usize);
    out[row * w + col] = if erase { 0.0 } else { 1.0 };
    if !erase {
        // A soft brush: the four neighbours brighten a little.
        for (dc, dr) in [(-1i32, 0i32), (1, 0), (0, -1), (0, 1)] {
            let (c, r) = (col as i32 + dc, row as i32 + dr);
            if c >= 0 && r >= 0 && (c as usize) < w && (r as usize) < h {
                let p = &mut out[r as usize * w + c as usize];
                *p = p.max(0.4);
            }
        }
    }
    (out != image).then_some(out)
}

/// Spikes of every pixel against time.
fn raster_ui(ui: &mut egui::Ui, trains: &[Vec<f64>], duration_ms: f64, w: f32, h: f32) {
    // The top row of the image at the top.
    let top = trains.len() as f64 - 1.0;
    let points: Vec<[f64; 2]> =
        trains.iter().enumerate().flat_map(|(i, t)| t.iter().map(move |&t| [t, top - i as f64])).collect();
    Plot::new("encoding_raster")
        .width(w.max(200.0))
        .height(h)
        .x_axis_label("t [ms]")
        .y_axis_label("pixel (0 is the top left; rows from the top)")
        .y_axis_formatter(move |mark, _| format!("{}", (top - mark.value).round()))
        .include_x(0.0)
        .include_x(duration_ms)
        .include_y(0.0)
        .include_y(trains.len() as f64)
        .show(ui, |p| {
            p.points(
                Points::new("spikes", points)
                    .shape(MarkerShape::Circle)
                    .radius(1.5)
                    .color(Color32::from_rgb(90, 170, 255)),
            );
        });
}
