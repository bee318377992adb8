//! The stimulus designer: compose the injected current from components, see it (the actual
//! current, one realisation for random parts) above the membrane trace on a shared time axis,
//! drag a component's start on the plot, reorder, mute, duplicate, undo and redo, and save or
//! load it alone as a stimulus file, or import a trace from CSV.

use super::ViewPanel;
use crate::preset::views::View;

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use egui::{Color32, Id};
use egui_plot::{Line, MarkerShape, Plot, PlotPoint, Points};

use crate::app::Lab;
use crate::app::stimulus_editor::{Scale, component_ui};
use crate::engine::Series;
use crate::stimulus::{Component, KINDS, Runner, Stimulus, curve_from_csv};

const PREVIEW: Color32 = Color32::from_rgb(120, 210, 120);
const HANDLE: Color32 = Color32::from_rgb(255, 210, 90);

#[derive(Default)]
pub struct DesignerPanel {
    undo: Vec<Stimulus>,
    redo: Vec<Stimulus>,
    kind: usize,
    /// A stimulus file or CSV trace to load or save.
    path: String,
    browse: Option<Receiver<Option<PathBuf>>>,
    /// The component whose start handle is being dragged, and the stimulus before the drag.
    dragging: Option<(usize, Stimulus)>,
    preview_key: Option<(Stimulus, u64, u64, u64)>,
    /// The previewed current over the protocol (min/max-decimated).
    pub preview: Vec<[f64; 2]>,
    /// Where the preview was last drawn: plot to screen coordinates.
    pub preview_transform: Option<egui_plot::PlotTransform>,
    /// Draw mode: dragging across the preview records a new curve.
    pub drawing: bool,
    /// The curve being drawn (time-ordered points).
    stroke: Vec<(f64, f64)>,
}

impl ViewPanel for DesignerPanel {
    fn view(&self) -> View {
        View::Stimulus
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The injected current over the protocol as previewed, and the membrane potential.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let end = self.preview.last()?[0];
        let v = lab.preset().neuron.vars()[0];
        let trace = lab.history.column("v").map_or_else(Vec::new, |c| lab.history.points_in(c, 0.0, end).collect());
        let current = Panel::new("stimulus", Axis::new("t", "ms"), Axis::new("I", lab.preset().neuron.current_unit()))
            .with(Series::new("injected current", Mark::Line, self.preview.clone()))
            .x_range((0.0, end));
        let membrane = Panel::new("response", Axis::new("t", "ms"), Axis::new(v.label, v.unit))
            .with(Series::new("membrane potential", Mark::Line, trace))
            .x_range((0.0, end));
        Some(Figure::new("stimulus protocol", vec![current, membrane]))
    }
}

impl DesignerPanel {
    /// Validate-then-commit: a valid stimulus goes to the lab and the engine, the previous one
    /// onto the undo stack; an invalid one is reported and nothing changes.
    pub fn commit(&mut self, lab: &mut Lab, stimulus: Stimulus) -> bool {
        let before = lab.preset().stimulus.clone();
        let applied = lab.apply(|p| p.stimulus = stimulus);
        if applied {
            self.undo.push(before);
            self.redo.clear();
        }
        applied
    }

    /// The previewed current at the sample nearest to `t_ms`.
    pub fn preview_at(&self, t_ms: f64) -> Option<f64> {
        self.preview.iter().min_by(|a, b| (a[0] - t_ms).abs().total_cmp(&(b[0] - t_ms).abs())).map(|p| p[1])
    }

    pub fn undo(&mut self, lab: &mut Lab) {
        if let Some(previous) = self.undo.pop() {
            self.redo.push(lab.preset().stimulus.clone());
            lab.apply(|p| p.stimulus = previous);
        }
    }

    pub fn redo(&mut self, lab: &mut Lab) {
        if let Some(next) = self.redo.pop() {
            self.undo.push(lab.preset().stimulus.clone());
            lab.apply(|p| p.stimulus = next);
        }
    }

    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        if let Some(rx) = &self.browse
            && let Ok(answer) = rx.try_recv()
        {
            if let Some(path) = answer {
                self.path = path.display().to_string();
            }
            self.browse = None;
        }
        self.toolbar_ui(ui, lab);
        ui.separator();
        egui::Panel::left("designer_list").resizable(true).default_size(420.0).show(ui, |ui| {
            ui.spacing_mut().slider_width = 150.0;
            egui::ScrollArea::vertical().id_salt("designer_list").show(ui, |ui| self.list_ui(ui, lab));
        });
        egui::CentralPanel::default().show(ui, |ui| self.plots_ui(ui, lab));
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        ui.horizontal_wrapped(|ui| {
            let tip = "The kind of component to add";
            if let Some(k) = crate::app::widgets::choice(
                ui,
                "kind",
                self.kind,
                &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                |k| KINDS[k].into(),
                tip,
            ) {
                self.kind = k;
            }
            if ui.button("Add component").on_hover_text("Add a component of this kind, starting now").clicked() {
                let mut s = lab.preset().stimulus.clone();
                let t = lab.history.t_ms.max(0.0).round();
                s.add(Component::example(self.kind, t, lab.preset().neuron.kind().demo_step(), 0));
                self.commit(lab, s);
            }
            ui.toggle_value(&mut self.drawing, "draw curve")
                .on_hover_text("Then drag across the preview, left to right, to draw a current as a curve");
            ui.separator();
            if ui.add_enabled(!self.undo.is_empty(), egui::Button::new("Undo")).clicked() {
                self.undo(lab);
            }
            if ui.add_enabled(!self.redo.is_empty(), egui::Button::new("Redo")).clicked() {
                self.redo(lab);
            }
            ui.separator();
            let label = ui.label("file");
            ui.add(
                egui::TextEdit::singleline(&mut self.path)
                    .hint_text("my_stimulus.ron or trace.csv")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            if ui.button("Browse…").clicked() && self.browse.is_none() {
                self.browse = Some(crate::app::files::pick_path(
                    ui.ctx(),
                    false,
                    ("stimulus or CSV trace", &["ron", "csv"]),
                    None,
                ));
            }
            let path = PathBuf::from(self.path.trim());
            let has = !self.path.trim().is_empty();
            if ui
                .add_enabled(has, egui::Button::new("Save stimulus"))
                .on_hover_text("Save this stimulus alone, to reuse on another neuron")
                .clicked()
            {
                match crate::fsio::write_atomic(&path, lab.preset().stimulus.to_ron().as_bytes()) {
                    Ok(()) => lab.info(format!("saved stimulus to {}", path.display())),
                    Err(e) => lab.error(format!("cannot save {}: {e}", path.display())),
                }
            }
            if ui.add_enabled(has, egui::Button::new("Load stimulus")).clicked() {
                self.load(lab, &path);
            }
            if ui
                .add_enabled(has, egui::Button::new("Import CSV"))
                .on_hover_text("Add a current trace (t_ms,value rows) as a curve")
                .clicked()
            {
                self.import_csv(lab, &path);
            }
        });
    }

    /// Replaces the stimulus with a stimulus file; errors name the line and field.
    pub fn load(&mut self, lab: &mut Lab, path: &Path) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return lab.error(format!("cannot read {}: {e}", path.display())),
        };
        match Stimulus::from_ron(&text, &path.display().to_string()) {
            Ok(s) => {
                if self.commit(lab, s) {
                    lab.info(format!("loaded stimulus {}", path.display()));
                }
            }
            Err(e) => lab.error(format!("not loaded: {e}")),
        }
    }

    /// Adds a CSV current trace as a curve component.
    pub fn import_csv(&mut self, lab: &mut Lab, path: &Path) {
        let parsed = std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| curve_from_csv(&t));
        match parsed {
            Ok(curve) => {
                let mut s = lab.preset().stimulus.clone();
                s.add(curve);
                self.commit(lab, s);
            }
            Err(e) => lab.error(format!("{}: {e}", path.display())),
        }
    }

    fn list_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let scale =
            Scale { unit: lab.preset().neuron.current_unit(), range: lab.preset().neuron.kind().current_range() };
        let mut draft = lab.preset().stimulus.clone();
        let count = draft.components.len();
        let (mut edited, mut op) = (false, None);
        if count == 0 {
            ui.label("No input yet: add a component.");
        }
        for i in 0..count {
            ui.push_id(i, |ui| {
                ui.horizontal(|ui| {
                    let mut on = !draft.is_muted(i);
                    let name = format!("{}. {}", i + 1, draft.components[i].name());
                    if ui
                        .checkbox(&mut on, name)
                        .on_hover_text("Untick to mute: kept, but contributing nothing")
                        .changed()
                    {
                        op = Some(("mute", i, !on));
                    }
                    if ui.add_enabled(i > 0, egui::Button::new("up").small()).clicked() {
                        op = Some(("up", i, false));
                    }
                    if ui.add_enabled(i + 1 < count, egui::Button::new("down").small()).clicked() {
                        op = Some(("down", i, false));
                    }
                    if ui.small_button("copy").on_hover_text("Duplicate (with its own random stream)").clicked() {
                        op = Some(("copy", i, false));
                    }
                    if ui.small_button("remove").clicked() {
                        op = Some(("remove", i, false));
                    }
                });
                edited |= component_ui(ui, &mut draft.components[i], &scale);
                ui.separator();
            });
        }
        if let Some((what, i, flag)) = op {
            match what {
                "mute" => draft.set_muted(i, flag),
                "up" => draft.swap_with_next(i - 1),
                "down" => draft.swap_with_next(i),
                "copy" => draft.duplicate(i),
                _ => draft.remove(i),
            }
            edited = true;
        }
        if edited {
            self.commit(lab, draft);
        }
    }

    fn plots_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let stimulus = lab.preset().stimulus.clone();
        let dt = lab.preset().run.dt_ms;
        let end = stimulus
            .active()
            .map(|(_, c)| c.window_ms().1)
            .filter(|e| e.is_finite())
            .fold(lab.preset().run.duration_ms, f64::max);
        let key = (stimulus.clone(), dt.to_bits(), end.to_bits(), lab.preset().run.seed);
        if self.preview_key.as_ref() != Some(&key) {
            // The engine's own runner, so the preview is exactly what a run injects.
            let mut runner = Runner::new(&stimulus, dt, lab.preset().run.seed, 1);
            let mut series = Series::default();
            for n in 0..((end / dt).round() as u64).min(2_000_000) {
                series.push(n as f64 * dt, runner.current(n), 4096);
            }
            self.preview = series.points;
            self.preview_key = Some(key);
        }
        if stimulus.is_random() {
            ui.label("Noise and Poisson inputs are drawn from the preset's seed and each component's own seed: this is the realisation a run injects.");
        }
        let link = Id::unique("spikelab-time-axis");
        let height = ui.available_height();
        let handles: Vec<(usize, [f64; 2])> = stimulus
            .active()
            .filter_map(|(i, c)| c.start_ms().map(|t| (i, [t, stimulus.value_at(t + dt * 0.5)])))
            .collect();
        let unit = lab.preset().neuron.current_unit();
        let response = Plot::new("designer_preview")
            .height(height * 0.55)
            .link_axis(link, [true, false])
            .allow_drag(false)
            .allow_boxed_zoom(false)
            .y_axis_label(format!("I [{unit}]"))
            .include_x(0.0)
            .include_x(end)
            .include_y(0.0)
            .show(ui, |p| {
                p.line(Line::new("injected current", self.preview.clone()).color(PREVIEW));
                let points: Vec<[f64; 2]> = handles.iter().map(|h| h.1).collect();
                p.points(
                    Points::new("start (drag to move)", points).shape(MarkerShape::Square).radius(6.0).color(HANDLE),
                );
                if !self.stroke.is_empty() {
                    let drawn: Vec<[f64; 2]> = self.stroke.iter().map(|&(t, v)| [t, v]).collect();
                    p.line(Line::new("drawing", drawn).color(HANDLE));
                }
                p.pointer_coordinate()
            });
        if self.drawing {
            self.draw_curve(&response, lab);
        } else {
            self.drag_handles(&response, &handles, lab);
        }
        self.preview_transform = Some(response.transform);

        let v_label = {
            let v = lab.preset().neuron.vars()[0];
            format!("{} [{}]", v.label, v.unit)
        };
        let trace: Vec<[f64; 2]> = match lab.history.column("v") {
            Some(c) => lab.history.points_in(c, 0.0, end).collect(),
            None => Vec::new(),
        };
        Plot::new("designer_trace")
            .height(height * 0.4)
            .link_axis(link, [true, false])
            .include_x(0.0)
            .include_x(end)
            .x_axis_label("t [ms]")
            .y_axis_label(v_label)
            .show(ui, |p| {
                p.line(Line::new("membrane potential", trace).color(Color32::from_rgb(90, 170, 255)));
            });
    }

    /// In draw mode a drag records `(t, I)` points (forward in time, at least 0.5 ms apart); on
    /// release they become a curve component (one undo step).
    fn draw_curve(&mut self, response: &egui_plot::PlotResponse<Option<PlotPoint>>, lab: &mut Lab) {
        let r = &response.response;
        if let Some(p) = response.inner
            && (r.dragged() || r.drag_stopped())
            && p.x >= 0.0
            && self.stroke.last().is_none_or(|last| p.x >= last.0 + 0.5)
        {
            self.stroke.push((p.x, p.y));
        }
        if r.drag_stopped() {
            let points = std::mem::take(&mut self.stroke);
            if points.len() >= 2 {
                let mut s = lab.preset().stimulus.clone();
                s.add(Component::Curve { points });
                self.commit(lab, s);
            }
        }
    }

    /// Dragging a start handle moves that component along the timeline (one undo step per drag).
    fn drag_handles(
        &mut self,
        response: &egui_plot::PlotResponse<Option<PlotPoint>>,
        handles: &[(usize, [f64; 2])],
        lab: &mut Lab,
    ) {
        let r = &response.response;
        // A drag is reported once the pointer has moved: pick the handle where the press began.
        if r.drag_started()
            && let Some(pos) = r.ctx.input(|i| i.pointer.press_origin())
        {
            let nearest = handles
                .iter()
                .map(|(i, p)| (*i, response.transform.position_from_point(&PlotPoint::new(p[0], p[1])).distance(pos)))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((i, _)) = nearest.filter(|n| n.1 < 14.0) {
                self.dragging = Some((i, lab.preset().stimulus.clone()));
            }
        }
        // The release frame carries the final position: apply it too.
        if let (Some((i, _)), Some(pointer)) = (&self.dragging, response.inner)
            && (r.dragged() || r.drag_stopped())
        {
            let dt = lab.preset().run.dt_ms;
            let mut s = lab.preset().stimulus.clone();
            s.components[*i].set_start_ms((pointer.x / dt).round() * dt);
            if s != lab.preset().stimulus {
                // A position the stimulus does not allow is not taken; the drag goes on.
                let _ = lab.edit(|p| p.stimulus = s);
            }
        }
        if r.drag_stopped()
            && let Some((_, before)) = self.dragging.take()
            && before != lab.preset().stimulus
        {
            self.undo.push(before);
            self.redo.clear();
        }
    }
}
