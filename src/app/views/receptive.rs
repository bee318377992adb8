//! Unsupervised STDP learning of digits, live: every neuron's input weights as a small image
//! (its receptive field) while it learns, the weight histogram, and accuracy as training goes.
//! On memory devices the fields are the devices' conductance maps, all on the device's range.

use super::ViewPanel;
use crate::preset::views::View;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use egui::{Color32, ColorImage, TextureHandle};
use egui_plot::{Bar, BarChart, Legend, Line, MarkerShape, Plot, Points};

use super::classifier::CLASS_COLORS;
use crate::app::Lab;
use crate::app::job::Job;
use crate::app::widgets::store_image;
use crate::learning::unsupervised::{self, Network};
use crate::preset::learning::{Learning, UnsupervisedTask};
use crate::random::stream;
use crate::synapse::device::Device;

/// Images shown between accuracy checkpoints: quick estimates on part of the data.
const CHECKPOINTS: usize = 4;
const QUICK_IMAGES: usize = 200;
/// Least time between two snapshots of the weights sent to the UI.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(100);

enum Msg {
    Snapshot { done: usize, weights: Vec<Vec<f64>> },
    Checkpoint { done: usize, accuracy: f64 },
    Done { done: usize, accuracy: f64, assignments: Vec<u8> },
}

#[derive(Default)]
pub struct ReceptivePanel {
    job: Option<Job<Msg>>,
    /// Images per second the job may show (0: as fast as it can).
    pace: Arc<AtomicU32>,
    pub images_seen: usize,
    total: usize,
    pub weights: Vec<Vec<f64>>,
    /// `(images seen, test accuracy)`.
    pub accuracy: Vec<[f64; 2]>,
    pub assignments: Option<Vec<u8>>,
    error: Option<String>,
    /// Snapshots drawn so far (for tests).
    pub snapshots: usize,
    texture: Option<(usize, TextureHandle)>,
    w_max: f64,
    /// The devices holding the weights, if any.
    device: Option<Device>,
}

/// What the fields show: the input weights, or on devices the conductances that hold them.
struct Shown {
    values: Vec<Vec<f64>>,
    name: &'static str,
    unit: &'static str,
    range: (f64, f64),
    /// The highest value now.
    top: f64,
}

impl ViewPanel for ReceptivePanel {
    fn view(&self) -> View {
        View::ReceptiveFields
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// Each neuron's input weights as a tile of the image (neuron k at row k / side, column
    /// k % side from the top left), the weights' histogram and the accuracy so far.
    fn figure(&self, _lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let shown = self.shown();
        let pixels = shown.values.first()?.len();
        let (px, tiles) = ((pixels as f64).sqrt().round() as usize, (shown.values.len() as f64).sqrt().ceil() as usize);
        let mut cells = Vec::new();
        for (k, row) in shown.values.iter().enumerate() {
            let (tile_x, tile_y) = ((k % tiles) * (px + 1), (tiles - 1 - k / tiles) * (px + 1));
            cells.extend(
                row.iter().enumerate().map(|(i, &w)| [(tile_x + i % px) as f64, (tile_y + px - 1 - i / px) as f64, w]),
            );
        }
        let mut fields = Panel::new(
            "receptive fields",
            Axis::new("pixel column (tiles of neurons)", ""),
            Axis::new("pixel row", ""),
        )
        .with(Series::cells(shown.name, (1.0, 1.0), cells))
        .height(2.0);
        fields.z = Some(Axis::new(shown.name, shown.unit));
        let (lo, hi) = shown.range;
        let bins = crate::analysis::activity::histogram(shown.values.iter().flatten().copied(), lo, hi * 1.0001, 20);
        let histogram =
            Panel::new(format!("{}s", shown.name), Axis::new(shown.name, shown.unit), Axis::new("synapses", ""))
                .with(Series::new(shown.name, Mark::Bars((hi - lo) / 20.0), bins));
        let accuracy =
            Panel::new("test accuracy", Axis::new("training digits shown", ""), Axis::new("test accuracy", ""))
                .with(Series::new("accuracy", Mark::Line, self.accuracy.clone()));
        Some(Figure::new(format!("after {} training digits", self.images_seen), vec![fields, histogram, accuracy]))
    }
}

impl ReceptivePanel {
    pub fn running(&self) -> bool {
        self.job.as_ref().is_some_and(|j| !j.is_finished())
    }

    pub fn start(&mut self, task: UnsupervisedTask, seed: u64, ctx: &egui::Context) {
        let (train, test) = match unsupervised::images(&task) {
            Ok(images) => images,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        self.total = train.len() * task.network.epochs as usize;
        (self.images_seen, self.accuracy, self.assignments, self.error) = (0, Vec::new(), None, None);
        self.w_max = task.network.w_max;
        self.device = task.device.as_ref().map(|d| d.device.clone());
        let pace = self.pace.clone();
        let total = self.total;
        self.job = Some(Job::spawn(total + CHECKPOINTS + 1, Some(ctx.clone()), move |report| {
            let mut last = Instant::now() - SNAPSHOT_EVERY;
            let started = Instant::now();
            let mut quick_rng = stream(seed, 1);
            let (quick_train, quick_test) = (train.head(QUICK_IMAGES), test.head(QUICK_IMAGES));
            let outcome = unsupervised::train_and_test(
                task.network,
                task.device.as_deref().cloned(),
                &train,
                &test,
                seed,
                |done, net: &Network| {
                    let per_second = pace.load(Ordering::Relaxed);
                    if per_second > 0 {
                        let due = started + Duration::from_secs_f64(done as f64 / per_second as f64);
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    }
                    let mut alive = true;
                    if last.elapsed() >= SNAPSHOT_EVERY || done == total {
                        last = Instant::now();
                        alive = report.send(Msg::Snapshot { done, weights: net.weights() });
                    }
                    if done % (total / CHECKPOINTS).max(1) == 0 && done < total {
                        let (_, _, accuracy) = unsupervised::evaluate(net, &quick_train, &quick_test, &mut quick_rng);
                        alive &= report.send(Msg::Checkpoint { done, accuracy });
                    }
                    alive && !report.cancelled()
                },
            );
            report.send(Msg::Done { done: total, accuracy: outcome.test_accuracy, assignments: outcome.assignments });
        }));
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(Learning::Unsupervised(task)) = lab.preset().learning.clone() else { return };
        if let Some(job) = &self.job {
            for msg in job.drain() {
                match msg {
                    Msg::Snapshot { done, weights } => {
                        (self.images_seen, self.weights) = (done, weights);
                        self.snapshots += 1;
                    }
                    Msg::Checkpoint { done, accuracy } => self.accuracy.push([done as f64, accuracy]),
                    Msg::Done { done, accuracy, assignments } => {
                        self.accuracy.push([done as f64, accuracy]);
                        self.assignments = Some(assignments);
                    }
                }
            }
        }
        ui.horizontal(|ui| {
            if self.running() {
                if ui.button("stop").clicked() {
                    self.job = None;
                }
            } else if ui.button("start learning").on_hover_text("train from fresh random weights").clicked() {
                self.start(task.clone(), lab.preset().run.seed, ui.ctx());
            }
            let mut pace = self.pace.load(Ordering::Relaxed);
            let slider = egui::Slider::new(&mut pace, 0..=500).text("images per second (0: as fast as it goes)");
            if ui.add(slider).changed() {
                self.pace.store(pace, Ordering::Relaxed);
            }
            let mut edited = task.clone();
            crate::app::widgets::described(ui, &mut edited.network, "neurons");
            crate::app::widgets::described(ui, &mut edited.network, "theta_plus_mv");
            if edited != task {
                // A value the task does not take is not applied; the control shows the lab's.
                let _ = lab.edit(|p| p.learning = Some(Learning::Unsupervised(edited)));
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let status = match (&self.assignments, self.accuracy.last()) {
            (Some(_), Some(a)) => format!(
                "learned from {} digits without their labels; labelled afterwards, the neurons' vote gets {:.1}% of the test digits",
                self.images_seen,
                100.0 * a[1]
            ),
            _ if self.total > 0 => format!("{} of {} training digits shown", self.images_seen, self.total),
            _ => "Press start: the receptive fields begin as noise and turn into digits.".to_string(),
        };
        let fraction = if self.total > 0 { self.images_seen as f32 / self.total as f32 } else { 0.0 };
        ui.add(egui::ProgressBar::new(fraction).text(status));
        if self.weights.is_empty() {
            return;
        }
        let shown = self.shown();
        if let Some(device) = &self.device {
            ui.label(format!(
                "Conductance maps of the {}, all on one scale: from G_min = {:.4} µS (black) to the highest conductance now, {:.4} µS of G_max = {:.4} µS (white).",
                device.name, shown.range.0, shown.top, device.g_max_us
            ));
        }
        let h = ui.available_height() - 8.0;
        ui.horizontal(|ui| {
            self.fields_ui(ui, &shown, h);
            ui.vertical(|ui| {
                let w = ui.available_width();
                histogram_ui(ui, &shown, w, 0.5 * h - 6.0);
                accuracy_ui(ui, &self.accuracy, self.total, w, 0.5 * h - 6.0);
            });
        });
    }

    /// The weights in mV, or on devices the conductances (µS) that read as them.
    fn shown(&self) -> Shown {
        let (values, name, unit, range) = match &self.device {
            Some(d) => {
                let g = |row: &Vec<f64>| row.iter().map(|&w| d.conductance_of(w, self.w_max)).collect();
                (self.weights.iter().map(g).collect(), "device conductance", "µS", (d.g_min_us, d.g_max_us))
            }
            None => (self.weights.clone(), "input weight", "mV", (0.0, self.w_max)),
        };
        let top = values.iter().flatten().copied().fold(range.0, f64::max);
        Shown { values, name, unit, range, top }
    }

    /// Every neuron's weights as an 8x8 tile on a grid, each scaled to its own strongest weight;
    /// on devices all tiles on one scale from G_min, so that they are comparable conductance maps.
    fn fields_ui(&mut self, ui: &mut egui::Ui, shown: &Shown, side: f32) {
        let n = shown.values.len();
        let pixels = shown.values[0].len();
        let edge = (pixels as f64).sqrt().round() as usize;
        let columns = (n as f64).sqrt().ceil() as usize;
        let rows = n.div_ceil(columns);
        let tile = edge + 1;
        let (width, height) = (columns * tile + 1, rows * tile + 1);
        if self.texture.as_ref().is_none_or(|(k, _)| *k != self.snapshots) {
            let mut image = ColorImage::filled([width, height], Color32::from_gray(40));
            for (j, row) in shown.values.iter().enumerate() {
                let (lo, hi) = match self.device {
                    Some(_) => (shown.range.0, shown.top.max(shown.range.0 + 1e-12)),
                    None => (0.0, row.iter().copied().fold(1e-12, f64::max)),
                };
                let (x0, y0) = (1 + (j % columns) * tile, 1 + (j / columns) * tile);
                for (i, &w) in row.iter().enumerate() {
                    let v = (255.0 * ((w - lo) / (hi - lo)).clamp(0.0, 1.0)) as u8;
                    image.pixels[(y0 + i / edge) * width + x0 + i % edge] = Color32::from_gray(v);
                }
            }
            store_image(&mut self.texture, ui.ctx(), "receptive_fields", self.snapshots, image);
        }
        let scale = (side / height as f32).min(ui.available_width() * 0.55 / width as f32);
        let size = egui::vec2(width as f32 * scale, height as f32 * scale);
        let response = ui.image(egui::load::SizedTexture::new(self.texture.as_ref().expect("drawn").1.id(), size));
        if let Some(labels) = &self.assignments {
            // Each neuron's label in its tile's corner.
            let painter = ui.painter_at(response.rect);
            let font = egui::FontId::proportional((scale * 3.0).clamp(8.0, 14.0));
            for (j, &label) in labels.iter().enumerate() {
                let corner = response.rect.min
                    + egui::vec2(((j % columns) * tile + 2) as f32 * scale, ((j / columns) * tile + 1) as f32 * scale);
                painter.text(
                    corner,
                    egui::Align2::LEFT_TOP,
                    label.to_string(),
                    font.clone(),
                    CLASS_COLORS[label as usize],
                );
            }
        }
    }
}

/// All input weights (or conductances) in 20 bins over their range.
fn histogram_ui(ui: &mut egui::Ui, shown: &Shown, w: f32, h: f32) {
    let (lo, hi) = shown.range;
    let bins = crate::analysis::activity::histogram(shown.values.iter().flatten().copied(), lo, hi * 1.0001, 20);
    let width = (hi - lo) / 20.0;
    let bars: Vec<Bar> = bins.iter().map(|b| Bar::new(b[0], b[1]).width(0.9 * width)).collect();
    Plot::new("input_weights")
        .width(w)
        .height(h)
        .x_axis_label(format!("{} [{}]", shown.name, shown.unit))
        .y_axis_label("synapses")
        .show(ui, |p| p.bar_chart(BarChart::new("weights", bars).color(Color32::from_rgb(90, 170, 255))));
}

/// Test accuracy as training proceeds: quick estimates, then the full test at the end.
fn accuracy_ui(ui: &mut egui::Ui, points: &[[f64; 2]], total: usize, w: f32, h: f32) {
    Plot::new("unsupervised_accuracy")
        .width(w)
        .height(h)
        .x_axis_label("training digits shown")
        .y_axis_label("test accuracy")
        .include_x(0.0)
        .include_x(total as f64)
        .include_y(0.0)
        .include_y(1.0)
        .legend(Legend::default().position(egui_plot::Corner::RightBottom))
        .show(ui, |p| {
            p.line(Line::new("accuracy", points.to_vec()).color(CLASS_COLORS[1]));
            p.points(
                Points::new("measured", points.to_vec()).shape(MarkerShape::Circle).radius(4.0).color(CLASS_COLORS[1]),
            );
            p.hline(egui_plot::HLine::new("chance", 0.1).color(Color32::from_gray(120)));
        });
}
