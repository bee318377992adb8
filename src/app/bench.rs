//! The neuron bench: model, simulation settings, a slider per parameter, and the stimulus.
//!
//! Edits go to a draft; a valid draft becomes the lab's model and is sent whole to the engine,
//! an invalid one shows its message in red and sends nothing.

use egui::{Slider, SliderClamping};

use super::Lab;
use super::widgets::choice;
use crate::engine::Command;
use crate::integrate::Integrator;
use crate::neuron::{ModelKind, NeuronModel, ParamSpec};
use crate::stimulus::{Component, Stimulus};

#[derive(Default)]
pub struct BenchPanel {
    /// A model edit that failed validation, shown until fixed.
    draft: Option<(NeuronModel, String)>,
    /// Conductances saved while a channel blocker is applied (TTX: g_Na, TEA: g_K).
    blocked: [Option<f64>; 2],
}

/// Tooltip of a parameter slider, from its metadata.
fn tooltip(spec: &ParamSpec) -> String {
    format!(
        "{}\n\nrange {} … {} {} · default {} · preset key neuron.{}",
        spec.doc, spec.min, spec.max, spec.unit, spec.default, spec.key
    )
}

impl BenchPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        ui.spacing_mut().slider_width = 170.0;
        egui::ScrollArea::vertical().show(ui, |ui| {
            self.model_ui(ui, lab);
            ui.separator();
            settings_ui(ui, lab);
            ui.separator();
            self.parameters_ui(ui, lab);
            ui.separator();
            stimulus_ui(ui, lab);
        });
    }

    fn model_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let tip = "The neuron model; switching starts a new run with its default parameters";
        let kind = lab.preset.neuron.kind();
        if let Some(picked) = choice(ui, "Model", kind, &ModelKind::ALL, |k| k.name().into(), tip) {
            // Another model: its defaults and a step that makes it fire, as a new run.
            let mut preset = lab.preset.clone();
            preset.neuron = picked.default_model();
            preset.stimulus =
                Stimulus { components: vec![Component::Step { start_ms: 50.0, amplitude: picked.demo_step() }] };
            preset.name = format!("{} (defaults)", picked.name());
            preset.description = String::new();
            self.draft = None;
            lab.load(preset);
        }
    }

    fn parameters_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        ui.horizontal(|ui| {
            ui.strong("Parameters");
            if ui.small_button("defaults").on_hover_text("Set every parameter to the model's default").clicked() {
                self.commit(lab, lab.preset.neuron.kind().default_model());
            }
        });
        let mut model = self.draft.as_ref().map_or(lab.preset.neuron, |d| d.0);
        let mut changed = false;
        let advanced = model.advanced_keys();
        let slider_for = |ui: &mut egui::Ui, model: &mut NeuronModel, spec: &ParamSpec| {
            let mut value = model.get(spec.key).expect("spec keys are fields");
            let slider = Slider::new(&mut value, spec.min..=spec.max)
                .text(spec.label())
                .clamping(SliderClamping::Always)
                .max_decimals(4);
            let moved = ui.add(slider).on_hover_text(tooltip(spec)).changed();
            if moved {
                model.set(spec.key, value);
            }
            moved
        };
        for spec in model.specs().iter().filter(|s| !advanced.contains(&s.key)) {
            changed |= slider_for(ui, &mut model, spec);
        }
        if !advanced.is_empty() {
            egui::CollapsingHeader::new("model variant (Izhikevich 2004 rows G, L, R)").show(ui, |ui| {
                for spec in model.specs().iter().filter(|s| advanced.contains(&s.key)) {
                    changed |= slider_for(ui, &mut model, spec);
                }
            });
        }
        if matches!(model, NeuronModel::HodgkinHuxley(_)) {
            ui.horizontal(|ui| {
                let blockers = [
                    ("g_na", "TTX (block Na+)", "Tetrodotoxin: sets g_Na to 0. No action potentials.", 120.0),
                    ("g_k", "TEA (block K+)", "Tetraethylammonium: sets g_K to 0. No repolarisation.", 36.0),
                ];
                for (slot, (key, label, tip, fallback)) in blockers.into_iter().enumerate() {
                    let mut on = model.get(key) == Some(0.0);
                    if ui.checkbox(&mut on, label).on_hover_text(tip).changed() {
                        if on {
                            self.blocked[slot] = model.get(key);
                            model.set(key, 0.0);
                        } else {
                            model.set(key, self.blocked[slot].take().filter(|g| *g > 0.0).unwrap_or(fallback));
                        }
                        changed = true;
                    }
                }
            });
        }
        if changed {
            self.commit(lab, model);
        }
        if let Some((_, why)) = &self.draft {
            ui.colored_label(ui.visuals().error_fg_color, format!("not applied: {why}"));
        }
    }

    /// Validate-then-commit: a valid model goes to the lab and the engine; an invalid one stays a draft.
    fn commit(&mut self, lab: &mut Lab, model: NeuronModel) {
        match model.validate() {
            Ok(()) => {
                self.draft = None;
                lab.preset.neuron = model;
                lab.commands.push(Command::SetModel(model));
            }
            Err(why) => self.draft = Some((model, why)),
        }
    }
}

fn settings_ui(ui: &mut egui::Ui, lab: &mut Lab) {
    ui.strong("Simulation");
    let tip = "Euler: one evaluation per step, error ~ dt. RK4: four evaluations, error ~ dt^4.";
    let current = lab.preset.run.integrator;
    if let Some(integrator) = choice(ui, "Integrator", current, &Integrator::ALL, |i| i.name().into(), tip) {
        lab.preset.run.integrator = integrator;
        lab.commands.push(Command::SetIntegrator(integrator));
    }
    let mut dt = lab.preset.run.dt_ms;
    let slider = Slider::new(&mut dt, 0.001..=1.0).logarithmic(true).text("dt [ms]").clamping(SliderClamping::Always);
    if ui.add(slider).on_hover_text("Integration time step. Smaller is more accurate and slower.").changed() {
        lab.preset.run.dt_ms = dt;
        lab.commands.push(Command::SetDt(dt));
    }
}

fn stimulus_ui(ui: &mut egui::Ui, lab: &mut Lab) {
    let kind = lab.preset.neuron.kind();
    let unit = lab.preset.neuron.current_unit();
    let (i_min, i_max) = kind.current_range();
    ui.strong(format!("Stimulus (current in {unit})"));
    let mut stimulus = lab.preset.stimulus.clone();
    let mut changed = false;
    let mut remove = None;
    for (index, component) in stimulus.components.iter_mut().enumerate() {
        ui.push_id(index, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("{}. {}", index + 1, component.name()));
                if ui.small_button("remove").on_hover_text("Remove this component").clicked() {
                    remove = Some(index);
                }
            });
            let amplitude_label = format!("amplitude [{unit}]");
            let time_slider = |ui: &mut egui::Ui, value: &mut f64, label: &str, min: f64| {
                ui.add(Slider::new(value, min..=5000.0).logarithmic(true).text(label)).changed()
            };
            changed |= match component {
                Component::Dc { amplitude } => {
                    ui.add(Slider::new(amplitude, i_min..=i_max).text(&amplitude_label)).changed()
                }
                Component::Step { start_ms, amplitude } => {
                    let a = ui.add(Slider::new(amplitude, i_min..=i_max).text(&amplitude_label)).changed();
                    a | time_slider(ui, start_ms, "start [ms]", 0.0)
                }
                Component::Pulse { start_ms, duration_ms, amplitude } => {
                    let a = ui.add(Slider::new(amplitude, i_min..=i_max).text(&amplitude_label)).changed();
                    let s = time_slider(ui, start_ms, "start [ms]", 0.0);
                    a | s | time_slider(ui, duration_ms, "duration [ms]", 0.1)
                }
                Component::Ramp { start_ms, duration_ms, from, slope_per_ms } => {
                    let f = ui.add(Slider::new(from, i_min..=i_max).text(format!("from [{unit}]"))).changed();
                    let rate = (i_max - i_min) / 100.0;
                    let slope = Slider::new(slope_per_ms, -rate..=rate).text(format!("slope [{unit}/ms]"));
                    let t = ui.add(slope).changed();
                    let s = time_slider(ui, start_ms, "start [ms]", 0.0);
                    f | t | s | time_slider(ui, duration_ms, "duration [ms]", 0.1)
                }
                Component::Curve { points } => {
                    let mut changed = false;
                    for (k, (t, value)) in points.iter_mut().enumerate() {
                        ui.horizontal(|ui| {
                            let label = ui.label(format!("point {}: t [ms]", k + 1));
                            changed |= ui.add(egui::DragValue::new(t).speed(1.0)).labelled_by(label.id).changed();
                            let label = ui.label(format!("I [{unit}]"));
                            changed |= ui.add(egui::DragValue::new(value).speed(0.1)).labelled_by(label.id).changed();
                        });
                    }
                    changed
                }
            };
        });
    }
    if let Some(index) = remove {
        stimulus.components.remove(index);
        changed = true;
    }
    ui.horizontal(|ui| {
        let demo = kind.demo_step();
        let t = lab.history.t_ms.max(0.0).round();
        let add: [(&str, &str, Component); 3] = [
            ("+ DC", "A constant current for the whole run", Component::Dc { amplitude: demo }),
            ("+ Step", "A current switched on now and left on", Component::Step { start_ms: t, amplitude: demo }),
            (
                "+ Pulse",
                "A square pulse of 20 ms starting now",
                Component::Pulse { start_ms: t, duration_ms: 20.0, amplitude: demo },
            ),
        ];
        for (label, tip, component) in add.into_iter().chain([(
            "+ Ramp",
            "A ramp from 0 to this amplitude over 100 ms, starting now",
            Component::Ramp { start_ms: t, duration_ms: 100.0, from: 0.0, slope_per_ms: demo / 100.0 },
        )]) {
            if ui.button(label).on_hover_text(tip).clicked() {
                stimulus.components.push(component);
                changed = true;
            }
        }
    });
    if changed {
        match stimulus.validate() {
            Ok(()) => {
                lab.preset.stimulus = stimulus.clone();
                lab.commands.push(Command::SetStimulus(stimulus));
            }
            Err((_, _, why)) => lab.error(why),
        }
    }
}
