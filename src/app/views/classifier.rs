//! The spiking classifier: a ReLU network trained on a background job (with its training curve),
//! converted to integrate-and-fire layers and run on every test digit; then accuracy against
//! simulated time, the confusion matrix, and one digit's layers spiking with the outputs racing.

use super::ViewPanel;
use crate::preset::views::View;

use egui::Color32;
use egui_plot::{HLine, Legend, Line, MarkerShape, Plot, Points};

use crate::app::Lab;
use crate::app::job::Job;
use crate::app::widgets::grey_cells;
use crate::learning::classifier::{self, Classifier, Epoch};
use crate::learning::convert::Response;
use crate::preset::learning::{ConversionTask, Learning};
use crate::random::stream;

/// Distinct colours for the ten classes.
pub const CLASS_COLORS: [Color32; 10] = [
    Color32::from_rgb(90, 170, 255),
    Color32::from_rgb(255, 170, 60),
    Color32::from_rgb(110, 200, 110),
    Color32::from_rgb(230, 90, 80),
    Color32::from_rgb(180, 130, 230),
    Color32::from_rgb(170, 120, 90),
    Color32::from_rgb(240, 140, 200),
    Color32::from_rgb(160, 160, 160),
    Color32::from_rgb(200, 200, 80),
    Color32::from_rgb(80, 210, 210),
];

enum Msg {
    Epoch(Epoch),
    Ready(Box<Classifier>),
    Failed(String),
}

#[derive(Default)]
pub struct ClassifierPanel {
    key: String,
    job: Option<Job<Msg>>,
    pub epochs: Vec<Epoch>,
    pub trained: Option<Classifier>,
    error: Option<String>,
    /// The test digit shown, and its run through the spiking network (run again only when
    /// another digit is picked).
    pub digit: usize,
    shown: Option<(usize, Result<Response, String>)>,
}

impl ViewPanel for ClassifierPanel {
    fn view(&self) -> View {
        View::Classifier
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The network's training curve and, once converted, the spiking network's accuracy over
    /// simulated time.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, of};
        let by_epoch = |value: fn(&Epoch) -> f64| {
            self.epochs.iter().enumerate().map(|(e, v)| [(e + 1) as f64, value(v)]).collect()
        };
        let mut figure = of::curves(
            "training the network that is converted",
            Axis::new("epoch", ""),
            vec![(
                "accuracy",
                Axis::new("accuracy", ""),
                vec![("train", by_epoch(|e| e.train_accuracy)), ("test", by_epoch(|e| e.test_accuracy))],
            )],
        );
        if let (Some(t), Some(Learning::Conversion(task))) = (&self.trained, &lab.preset().learning) {
            let dt = task.simulation.dt_ms;
            let points =
                t.evaluation.accuracy_by_step.iter().enumerate().map(|(n, &a)| [(n + 1) as f64 * dt, a]).collect();
            let snn = of::curves(
                "",
                Axis::new("simulated time", "ms"),
                vec![("spiking network", Axis::new("test accuracy", ""), vec![("SNN", points)])],
            );
            figure.panels.extend(snn.panels);
        }
        (!self.epochs.is_empty()).then_some(figure)
    }
}

impl ClassifierPanel {
    pub fn finished(&self) -> bool {
        self.trained.is_some()
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(Learning::Conversion(task)) = lab.preset().learning.clone() else { return };
        let seed = lab.preset().run.seed;
        let key = format!("{seed} {}", crate::ron_file::write_ron(&task));
        if key != self.key {
            self.key = key;
            (self.epochs, self.trained, self.error, self.shown) = (Vec::new(), None, None, None);
            let job_task = task.clone();
            self.job = Some(Job::spawn(task.training.epochs as usize + 1, Some(ui.ctx().clone()), move |report| {
                match classifier::run(&job_task, seed, |e| report.send(Msg::Epoch(*e))) {
                    Ok(Some(trained)) => report.send(Msg::Ready(Box::new(trained))),
                    Ok(None) => true,
                    Err(e) => report.send(Msg::Failed(e)),
                };
            }));
        }
        if let Some(job) = &self.job {
            for msg in job.drain() {
                match msg {
                    Msg::Epoch(e) => self.epochs.push(e),
                    Msg::Ready(t) => (self.trained, self.shown) = (Some(*t), None),
                    Msg::Failed(e) => self.error = Some(e),
                }
            }
        }
        controls(ui, lab, &task);
        ui.horizontal(|ui| match (&self.error, &self.trained) {
            (Some(e), _) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            (None, None) => {
                let done = self.epochs.len();
                let text = if done < task.training.epochs as usize {
                    format!("training the ANN: epoch {done} of {}", task.training.epochs)
                } else {
                    "converting, then running every test digit through the spiking network".to_string()
                };
                ui.add(egui::ProgressBar::new(done as f32 / (task.training.epochs + 1) as f32).text(text).desired_width(500.0));
            }
            (None, Some(t)) => {
                ui.strong(format!(
                    "ANN {:.1}%   ·   SNN {:.1}% after {} ms   ·   same answer on {:.1}% of {} test digits   ·   λ = {:?}",
                    100.0 * t.ann_accuracy,
                    100.0 * t.evaluation.accuracy(),
                    task.simulation.duration_ms,
                    100.0 * t.agreement(),
                    t.test.len(),
                    t.snn.lambdas.iter().map(|l| (l * 100.0).round() / 100.0).collect::<Vec<_>>()
                ));
            }
        });
        let third = (ui.available_width() - 24.0) / 3.0;
        let h = (ui.available_height() * 0.42).max(160.0);
        ui.horizontal(|ui| {
            self.curve_ui(ui, third, h);
            if let Some(t) = &self.trained {
                accuracy_ui(ui, t, task.simulation.dt_ms, third, h);
                confusion_ui(ui, &t.evaluation.confusion, third.min(h + 40.0));
            }
        });
        if let Some(t) = &self.trained {
            ui.separator();
            digit_ui(ui, t, &task, seed, &mut self.digit, &mut self.shown);
        }
    }

    fn curve_ui(&self, ui: &mut egui::Ui, w: f32, h: f32) {
        let line = |value: fn(&Epoch) -> Option<f64>| -> Vec<[f64; 2]> {
            self.epochs.iter().enumerate().filter_map(|(e, v)| Some([(e + 1) as f64, value(v)?])).collect()
        };
        let bootstrap = self.epochs.iter().any(|e| e.plain_test_accuracy.is_some());
        Plot::new("ann_training")
            .width(w)
            .height(h)
            .x_axis_label("epoch")
            .y_axis_label("ANN accuracy")
            .include_y(1.0)
            .legend(Legend::default())
            .show(ui, |p| {
                p.line(Line::new("train", line(|e| Some(e.train_accuracy))).color(CLASS_COLORS[7]));
                let test = if bootstrap { "test (bootstrap)" } else { "test" };
                p.line(Line::new(test, line(|e| Some(e.test_accuracy))).color(CLASS_COLORS[0]).width(2.0));
                if bootstrap {
                    p.line(Line::new("test (plain ANN)", line(|e| e.plain_test_accuracy)).color(CLASS_COLORS[1]));
                    let spiking = line(|e| e.spiking.then_some(e.test_accuracy));
                    p.points(Points::new("epochs on SNN rates", spiking).radius(3.0).color(CLASS_COLORS[0]));
                }
            });
    }
}

/// Sliders that retrain when changed.
fn controls(ui: &mut egui::Ui, lab: &mut Lab, task: &ConversionTask) {
    let mut edited = task.clone();
    ui.horizontal(|ui| {
        crate::app::widgets::described(ui, &mut edited.training, "hidden");
        crate::app::widgets::described(ui, &mut edited.training, "epochs");
        crate::app::widgets::described(ui, &mut edited.simulation, "duration_ms");
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut edited.bootstrap, "bootstrap").on_hover_text(
            "alternate ordinary epochs with epochs on the spiking network's measured hidden rates; \
             the plain ANN trains beside it for comparison",
        );
        if let crate::stimulus::encode::Encoder::Poisson { max_rate_hz } = &mut edited.simulation.encoder {
            ui.add(egui::Slider::new(max_rate_hz, 50.0..=1000.0).logarithmic(true).text("input rate [Hz]"))
                .on_hover_text("Poisson rate of a white pixel; lower rates need longer to decide");
        }
    });
    if edited != *task {
        // A value the task does not take is not applied; the control shows the lab's.
        let _ = lab.edit(|p| p.learning = Some(Learning::Conversion(edited)));
    }
}

/// Accuracy over the test set after each step, against the ANN's.
fn accuracy_ui(ui: &mut egui::Ui, t: &Classifier, dt_ms: f64, w: f32, h: f32) {
    let points: Vec<[f64; 2]> =
        t.evaluation.accuracy_by_step.iter().enumerate().map(|(n, &a)| [(n + 1) as f64 * dt_ms, a]).collect();
    Plot::new("snn_accuracy")
        .width(w)
        .height(h)
        .x_axis_label("simulated time [ms]")
        .y_axis_label("test accuracy")
        .include_y(0.0)
        .include_y(1.0)
        .legend(Legend::default())
        .show(ui, |p| {
            p.line(Line::new("SNN", points).color(CLASS_COLORS[1]).width(2.0));
            p.hline(HLine::new("ANN", t.ann_accuracy).color(CLASS_COLORS[0]));
        });
}

/// Rows are the true digit, columns the SNN's answer; brightness is the share of the row.
fn confusion_ui(ui: &mut egui::Ui, confusion: &[[u32; 10]; 10], side: f32) {
    let (response, painter) = ui.allocate_painter(egui::vec2(side, side), egui::Sense::hover());
    // Room for the column numbers above, the row numbers left and the caption below.
    let room = response.rect;
    let cell = ((room.width() - 24.0).min(room.height() - 40.0) / 10.0).max(1.0);
    let rect = egui::Rect::from_min_size(room.min + egui::vec2(20.0, 18.0), egui::vec2(10.0 * cell, 10.0 * cell));
    let font = egui::FontId::proportional((cell * 0.38).clamp(8.0, 13.0));
    let text = ui.visuals().text_color();
    for (t, row) in confusion.iter().enumerate() {
        let total = row.iter().sum::<u32>().max(1) as f32;
        for (p, &n) in row.iter().enumerate() {
            let min = rect.min + egui::vec2(p as f32 * cell, t as f32 * cell);
            let r = egui::Rect::from_min_size(min, egui::vec2(cell - 1.0, cell - 1.0));
            let color = if t == p { CLASS_COLORS[2] } else { CLASS_COLORS[3] };
            painter.rect_filled(r, 1.0, color.gamma_multiply((n as f32 / total).sqrt()));
            if n > 0 {
                painter.text(r.center(), egui::Align2::CENTER_CENTER, n.to_string(), font.clone(), text);
            }
        }
        let y = rect.min.y + (t as f32 + 0.5) * cell;
        painter.text(egui::pos2(rect.min.x - 4.0, y), egui::Align2::RIGHT_CENTER, t.to_string(), font.clone(), text);
        let x = rect.min.x + (t as f32 + 0.5) * cell;
        painter.text(egui::pos2(x, rect.min.y - 2.0), egui::Align2::CENTER_BOTTOM, t.to_string(), font.clone(), text);
    }
    painter.text(
        egui::pos2(rect.center().x, rect.max.y + 2.0),
        egui::Align2::CENTER_TOP,
        "answer (rows: true digit)",
        font,
        text,
    );
}

/// One test digit: its image, every layer's spikes, and the output counts racing to a decision.
fn digit_ui(
    ui: &mut egui::Ui,
    t: &Classifier,
    task: &ConversionTask,
    seed: u64,
    digit: &mut usize,
    shown: &mut Option<(usize, Result<Response, String>)>,
) {
    let sim = &task.simulation;
    ui.horizontal(|ui| {
        ui.add(egui::Slider::new(digit, 0..=t.test.len() - 1).text("test digit"));
        if ui.button("next mistake").on_hover_text("the next test digit the SNN gets wrong").clicked() {
            let n = t.test.len();
            if let Some(k) =
                (1..=n).map(|k| (*digit + k) % n).find(|&k| t.evaluation.predictions[k] != t.test.labels[k])
            {
                *digit = k;
            }
        }
    });
    let k = *digit;
    if shown.as_ref().is_none_or(|(d, _)| *d != k) {
        // The same input spikes as the evaluation (seeded per image).
        let trains = sim.encoder.encode(&t.test.images[k], sim.duration_ms, &mut stream(seed, k as u64));
        let gain = sim.input_gain().unwrap_or(1.0);
        *shown = Some((k, t.snn.run(&trains, gain, sim.steps(), sim.dt_ms, true)));
    }
    let response = match &shown.as_ref().expect("just set").1 {
        Ok(response) => response,
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
    };
    let raster = response.raster.as_ref().expect("asked for");
    let decision = *response.decisions.last().unwrap_or(&0);
    let h = (ui.available_height() - 30.0).max(140.0);
    let w = ui.available_width();
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            grey_cells(ui, &t.test.images[k], t.test.width, 110.0, egui::Sense::hover());
            let verdict = if decision == t.test.labels[k] { "right" } else { "wrong" };
            ui.label(format!("a {}\nSNN says {decision}: {verdict}", t.test.labels[k]));
        });
        let sizes = t.snn.sizes();
        let names = ["input", "hidden", "output"];
        Plot::new("layers_raster")
            .width(0.5 * w - 70.0)
            .height(h)
            .x_axis_label("t [ms]")
            .y_axis_label("unit (input, hidden, output from the bottom)")
            .legend(Legend::default())
            .show(ui, |p| {
                let mut offset = 0.0;
                for (l, spikes) in raster.iter().enumerate() {
                    let points: Vec<[f64; 2]> =
                        spikes.iter().map(|&(n, u)| [(n + 1) as f64 * sim.dt_ms, offset + u as f64]).collect();
                    let name = names.get(l).copied().unwrap_or("layer");
                    p.points(
                        Points::new(name, points).shape(MarkerShape::Circle).radius(1.2).color(CLASS_COLORS[l % 10]),
                    );
                    offset += sizes[l] as f64 + 4.0;
                }
            });
        let last = raster.last().expect("layers");
        Plot::new("output_race")
            .width(0.5 * w - 70.0)
            .height(h)
            .x_axis_label("t [ms]")
            .y_axis_label("output spikes so far")
            .legend(Legend::default())
            .show(ui, |p| {
                for class in 0..10u32 {
                    let mut count = 0.0;
                    let mut points = vec![[0.0, 0.0]];
                    for &(n, _) in last.iter().filter(|s| s.1 == class) {
                        count += 1.0;
                        points.push([(n + 1) as f64 * sim.dt_ms, count - 1.0]);
                        points.push([(n + 1) as f64 * sim.dt_ms, count]);
                    }
                    points.push([sim.duration_ms, count]);
                    let line = Line::new(format!("{class}"), points).color(CLASS_COLORS[class as usize]);
                    p.line(if class as u8 == decision { line.width(3.0) } else { line });
                }
            });
    });
}
