//! The neuron bench: model, simulation settings, a slider per parameter, and the stimulus.
//!
//! Edits go to a draft; a valid draft becomes the lab's model and is sent whole to the engine,
//! an invalid one shows its message in red and sends nothing.

use egui::{Slider, SliderClamping};

use super::Lab;
use super::stimulus_editor::{Scale, component_ui};
use super::widgets::choice;
use crate::integrate::{Integrator, SpikeTiming};
use crate::neuron::{ModelKind, NeuronModel};
use crate::param::ParamSpec;
use crate::preset::learning::Learning;
use crate::stimulus::{Component, Stimulus};

#[derive(Default)]
pub struct NeuronPanel {
    /// A model edit that failed validation, shown until fixed.
    draft: Option<(NeuronModel, String)>,
    /// Conductances saved while a channel blocker is applied (TTX: g_Na, TEA: g_K).
    blocked: [Option<f64>; 2],
    /// The network population whose parameters are shown.
    population: usize,
    /// The network's projections and inputs.
    pub network: super::network_params::NetworkParams,
}

/// Tooltip of a parameter slider, from its metadata.
fn tooltip(spec: &ParamSpec) -> String {
    format!(
        "{}\n\nrange {} … {} {} · default {} · preset key neuron.{}",
        spec.doc, spec.min, spec.max, spec.unit, spec.default, spec.key
    )
}

impl NeuronPanel {
    /// `designer_open`: the Stimulus tab shows the full editor, so the bench only points to it.
    pub fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab, designer_open: bool) {
        ui.spacing_mut().slider_width = 170.0;
        egui::ScrollArea::vertical().show(ui, |ui| {
            if lab.preset().network.is_some() {
                network_ui(ui, lab, &mut self.population, &mut self.draft, &mut self.network);
                ui.separator();
                ui.strong("Projections and inputs");
                self.network.ui(ui, lab);
                return;
            }
            if lab.preset().learning.as_ref().is_some_and(|l| !matches!(l, Learning::Tempotron(_))) {
                // The learning lab has no bench neuron: say what the preset does instead.
                ui.strong(&lab.preset().name);
                ui.label(&lab.preset().description);
                ui.separator();
                ui.label("Data: the UCI handwritten digits (Alpaydin and Kaynak 1998, CC BY 4.0), 8x8 pixels; see assets/digits.");
                return;
            }
            self.model_ui(ui, lab);
            ui.separator();
            settings_ui(ui, lab);
            ui.separator();
            self.parameters_ui(ui, lab);
            ui.separator();
            if lab.preset().learning.is_some() {
                ui.strong("Input");
                ui.label("The task's input patterns drive the neuron (Tempotron view).");
            } else if designer_open {
                ui.strong("Stimulus");
                let n = lab.preset().stimulus.components.len();
                ui.label(format!("{n} component{}: edit in the Stimulus tab.", if n == 1 { "" } else { "s" }));
            } else {
                stimulus_ui(ui, lab);
            }
        });
    }

    fn model_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let tip = "The neuron model; switching starts a new run with its default parameters";
        let kind = lab.preset().neuron.kind();
        if lab.locks.hide_model {
            ui.label("Model: hidden (a mystery neuron: measure it)");
            return;
        }
        if !lab.locks.allows("neuron") {
            ui.label(format!("Model: {}", kind.name())).on_hover_text("The lesson's step fixes the model");
            return;
        }
        if let Some(picked) = choice(ui, "Model", kind, &ModelKind::ALL, |k| k.name().into(), tip) {
            // Another model: its defaults and a step that makes it fire, as a new run.
            let mut preset = lab.preset().draft();
            preset.neuron = picked.default_model();
            preset.stimulus = Stimulus::of(vec![Component::Step { start_ms: 50.0, amplitude: picked.demo_step() }]);
            preset.name = format!("{} (defaults)", picked.name());
            preset.description = String::new();
            self.draft = None;
            if let Err(why) = lab.load(preset) {
                lab.error(why);
            }
        }
    }

    fn parameters_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        ui.horizontal(|ui| {
            ui.strong("Parameters");
            if ui.small_button("defaults").on_hover_text("Set every parameter to the model's default").clicked() {
                self.commit(lab, lab.preset().neuron.kind().default_model());
            }
        });
        let mut model = self.draft.as_ref().map_or(lab.preset().neuron, |d| d.0);
        let mut changed = sliders_ui(ui, &mut model, &[], &lab.locks, "neuron");
        if matches!(model, NeuronModel::HodgkinHuxley(_))
            && lab.locks.allows("neuron.g_na")
            && lab.locks.allows("neuron.g_k")
        {
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
        self.draft = lab.edit(|p| p.neuron = model).err().map(|why| (model, why));
    }
}

/// A slider per parameter of `model` (variant parameters folded); `fixed` ones are shown
/// disabled (they vary per neuron), and so are those a lesson's `locks` keep (by their path
/// under `at`), or hide. `true` if one moved.
fn sliders_ui(ui: &mut egui::Ui, model: &mut NeuronModel, fixed: &[&str], locks: &super::Locks, at: &str) -> bool {
    let mut changed = false;
    let advanced = model.advanced_keys();
    let slider_for = |ui: &mut egui::Ui, model: &mut NeuronModel, spec: &ParamSpec| {
        let path = format!("{at}.{}", spec.key);
        if locks.hides(&path) {
            ui.label(format!("{}: hidden", spec.label())).on_hover_text("A mystery: measure it");
            return false;
        }
        if !locks.allows(&path) {
            let value = model.get(spec.key).expect("spec keys are fields");
            let mut shown = value;
            let slider = Slider::new(&mut shown, spec.min..=spec.max).text(spec.label());
            ui.add_enabled(false, slider).on_disabled_hover_text("Locked by the lesson's step");
            return false;
        }
        let mut value = model.get(spec.key).expect("spec keys are fields");
        let slider = Slider::new(&mut value, spec.min..=spec.max)
            .text(spec.label())
            .clamping(SliderClamping::Always)
            .max_decimals(4);
        let enabled = !fixed.contains(&spec.key);
        let moved = ui
            .add_enabled(enabled, slider)
            .on_hover_text(tooltip(spec))
            .on_disabled_hover_text("This parameter varies from neuron to neuron (the preset's spread).")
            .changed();
        if moved {
            model.set(spec.key, value);
        }
        moved
    };
    for spec in model.specs().iter().filter(|s| !advanced.contains(&s.key)) {
        changed |= slider_for(ui, model, spec);
    }
    if !advanced.is_empty() {
        egui::CollapsingHeader::new("model variant (Izhikevich 2004 rows G, L, R)").show(ui, |ui| {
            for spec in model.specs().iter().filter(|s| advanced.contains(&s.key)) {
                changed |= slider_for(ui, model, spec);
            }
        });
    }
    changed
}

/// The network's side panel: its populations, and the parameters of the one picked, live.
fn network_ui(
    ui: &mut egui::Ui,
    lab: &mut Lab,
    picked: &mut usize,
    draft: &mut Option<(NeuronModel, String)>,
    params: &mut super::network_params::NetworkParams,
) {
    let Some(spec) = lab.preset().network.as_ref() else { return };
    ui.strong("Network");
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    ui.label(format!(
        "{} in {}, {}",
        plural(spec.n_neurons() as usize, "neuron"),
        plural(spec.populations.len(), "population"),
        plural(spec.projections.len(), "projection")
    ));
    *picked = (*picked).min(spec.populations.len() - 1);
    for (k, pop) in spec.populations.iter().enumerate() {
        let kind = match &pop.source {
            Some(source) => format!("{} source", source.name()),
            None => pop.neuron.kind().name().to_string(),
        };
        let text = egui::RichText::new(format!("{} · {} · {kind}", pop.name, pop.size))
            .color(super::views::raster::population_color(pop));
        ui.radio_value(picked, k, text)
            .on_hover_text(format!("{:?} population; pick it to edit its parameters", pop.role));
    }
    ui.separator();
    settings_ui(ui, lab);
    ui.separator();
    let Some(spec) = lab.preset().network.as_ref() else { return };
    let pop = &spec.populations[*picked];
    if let Some(source) = &pop.source {
        ui.strong(format!("{} sends {} spike trains, one per source", pop.name, source.name()));
        params.numbers(ui, lab, &format!("network.populations.{picked}.source"), "");
        return;
    }
    ui.strong(format!("Parameters of {}", pop.name));
    let fixed: Vec<&str> = pop.spread.iter().map(|s| s.param()).collect();
    let mut model = draft.as_ref().map_or(pop.neuron, |d| d.0);
    if sliders_ui(ui, &mut model, &fixed, &lab.locks, &format!("network.populations.{picked}.neuron")) {
        let edit = lab.edit(|p| p.network.as_mut().expect("checked").populations[*picked].neuron = model);
        *draft = edit.err().map(|why| (model, why));
    }
    if let Some((_, why)) = draft {
        ui.colored_label(ui.visuals().error_fg_color, format!("not applied: {why}"));
    }
}

fn settings_ui(ui: &mut egui::Ui, lab: &mut Lab) {
    ui.strong("Simulation");
    let tip = "Euler: one evaluation per step, error ~ dt. RK4: four evaluations, error ~ dt^4.";
    let current = lab.preset().run.integrator;
    if let Some(integrator) = choice(ui, "Integrator", current, &Integrator::ALL, |i| i.name().into(), tip) {
        edit_run(lab, |run| run.integrator = integrator);
    }
    let tip = "Interpolated: a spike at the threshold crossing inside the step, refractoriness from there. \
               On the grid: the threshold tested at each step's end, refractoriness in whole steps \
               (as Brian2 and NEST's grid models, and the benchmarks). Faster for large networks.";
    let current = lab.preset().run.spike_timing;
    if let Some(timing) = choice(ui, "Spike times", current, &SpikeTiming::ALL, |t| t.name().into(), tip) {
        edit_run(lab, |run| run.spike_timing = timing);
    }
    let mut dt = lab.preset().run.dt_ms;
    let slider = Slider::new(&mut dt, 0.001..=1.0).logarithmic(true).text("dt [ms]").clamping(SliderClamping::Always);
    if ui.add(slider).on_hover_text("Integration time step. Smaller is more accurate and slower.").changed() {
        edit_run(lab, |run| run.dt_ms = dt);
    }
}

/// Applies a run-setting edit if the whole preset stays valid (the exact scheme, say, needs a
/// linear model); otherwise says why and changes nothing.
fn edit_run(lab: &mut Lab, apply: impl FnOnce(&mut crate::preset::settings::RunSettings)) {
    lab.apply(|p| apply(&mut p.run));
}

fn stimulus_ui(ui: &mut egui::Ui, lab: &mut Lab) {
    let kind = lab.preset().neuron.kind();
    let scale = Scale { unit: lab.preset().neuron.current_unit(), range: kind.current_range() };
    ui.strong(format!("Stimulus (current in {})", scale.unit))
        .on_hover_text("The components add up. The Stimulus tab has every kind, a preview, undo and files.");
    let mut stimulus = lab.preset().stimulus.clone();
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
            changed |= component_ui(ui, component, &scale);
        });
    }
    if let Some(index) = remove {
        stimulus.remove(index);
        changed = true;
    }
    ui.horizontal(|ui| {
        let t = lab.history.t_ms.max(0.0).round();
        for (label, kind_index, tip) in [
            ("+ DC", 0, "A constant current for the whole run"),
            ("+ Step", 1, "A current switched on now and left on"),
            ("+ Pulse", 2, "A square pulse of 20 ms starting now"),
            ("+ Ramp", 4, "A ramp over 100 ms starting now"),
        ] {
            if ui.button(label).on_hover_text(tip).clicked() {
                stimulus.add(Component::example(kind_index, t, kind.demo_step(), 0));
                changed = true;
            }
        }
    });
    if changed {
        lab.apply(|p| p.stimulus = stimulus);
    }
}
