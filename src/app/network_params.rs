//! A network's own parameters in the side panel: each projection's weight, delay, connection
//! rule and plasticity, each input's stimulus, as controls with their units, ranges and
//! tooltips (described once: in [`META`], a plasticity rule's in its own table). An edit is
//! validated as `--set` validates, then applied to the running network when it can take it
//! keeping its state (weights, plasticity parameters, stimuli), or loaded as a new run with the
//! same seed (the window says so).

use std::collections::BTreeMap;

use egui::DragValue;

use super::Lab;
use crate::preset::Preset;

/// A network parameter by the last key of its path: unit, range, what it does.
struct Meta {
    key: &'static str,
    unit: &'static str,
    range: (f64, f64),
    tip: &'static str,
}

/// The network parameters' descriptions. A weight's unit depends on its synapse (see
/// [`weight_unit`]); a key not listed gets a plain control.
const META: &[Meta] = &[
    Meta { key: "p", unit: "", range: (0.0, 1.0), tip: "connection probability of each pair" },
    Meta {
        key: "k",
        unit: "synapses",
        range: (1.0, 1e6),
        tip: "synapses per target (in-degree) or per source (out-degree)",
    },
    Meta { key: "n", unit: "synapses", range: (1.0, 1e10), tip: "synapses in all, each pair drawn independently" },
    Meta { key: "delay_ms", unit: "ms", range: (0.0, 1000.0), tip: "axonal delay, rounded to the step" },
    Meta {
        key: "every_ms",
        unit: "ms",
        range: (0.1, 1e6),
        tip: "how often the weights into each target are normalised",
    },
    Meta { key: "rate_hz", unit: "Hz", range: (0.0, 1e6), tip: "rate of the spike train (per neuron)" },
    Meta { key: "amplitude", unit: "pA", range: (-1e5, 1e5), tip: "amplitude of the injected current" },
    Meta { key: "start_ms", unit: "ms", range: (0.0, 1e7), tip: "when it starts" },
    Meta { key: "duration_ms", unit: "ms", range: (0.0, 1e9), tip: "how long it lasts" },
    Meta { key: "sigma", unit: "pA", range: (0.0, 1e5), tip: "standard deviation of the noise" },
    Meta { key: "mean", unit: "", range: (-1e6, 1e6), tip: "mean of the distribution" },
    Meta { key: "sd", unit: "", range: (0.0, 1e6), tip: "standard deviation of the distribution" },
    Meta { key: "low", unit: "", range: (-1e6, 1e6), tip: "lower end of the uniform distribution" },
    Meta { key: "high", unit: "", range: (-1e6, 1e6), tip: "upper end of the uniform distribution" },
];

/// A plasticity parameter's description from its rule (`network.projections.K.plasticity.*`).
fn rule_spec(preset: &Preset, key: &str) -> Option<crate::param::ParamSpec> {
    let mut parts = key.split('.');
    let k: usize = parts.by_ref().skip_while(|p| *p != "projections").nth(1)?.parse().ok()?;
    let rule = preset.network.as_ref()?.projections.get(k)?.plasticity?;
    let last = key.rsplit('.').next()?;
    key.contains(".plasticity.").then(|| rule.specs().iter().find(|s| s.key == last).copied())?
}

/// The unit of a projection's weight: a conductance for a synapse with a reversal potential,
/// else a current in the target model's unit (times ms for a delta synapse's charge).
pub(super) fn weight_unit(preset: &Preset, k: usize) -> String {
    let Some(net) = &preset.network else { return String::new() };
    let proj = &net.projections[k];
    let Some(to) = net.population(&proj.to) else { return String::new() };
    let current = net.populations[to].neuron.current_unit();
    match net.populations[to].synapses.get(&proj.synapse) {
        Some(s) if s.reversal_mv.is_some() => "nS".into(),
        Some(s) if s.kernel == crate::synapse::Kernel::Delta && current.ends_with('A') => format!("{current} ms"),
        _ => current.into(),
    }
}

/// Edits waiting for a drag to end, and the last refusal.
#[derive(Default)]
pub struct NetworkParams {
    drafts: BTreeMap<String, f64>,
    error: Option<String>,
}

impl NetworkParams {
    pub fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(net) = lab.preset().network.clone() else { return };
        for (k, proj) in net.projections.iter().enumerate() {
            let title = format!("{} -> {} ({})", proj.from, proj.to, proj.synapse);
            egui::CollapsingHeader::new(title).id_salt(("projection", k)).show(ui, |ui| {
                let plastic = proj.plasticity.map_or("static".to_string(), |r| r.name().to_string());
                ui.label(format!("{}; {plastic}", proj.rule.name()));
                let unit = weight_unit(lab.preset(), k);
                self.numbers(ui, lab, &format!("network.projections.{k}"), &unit);
            });
        }
        for (k, input) in net.inputs.iter().enumerate() {
            egui::CollapsingHeader::new(format!("input {k} -> {}", input.population)).id_salt(("input", k)).show(
                ui,
                |ui| {
                    self.numbers(ui, lab, &format!("network.inputs.{k}"), "pA ms");
                },
            );
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, format!("not applied: {e}"));
        }
    }

    /// A control for every number under `path`.
    pub fn numbers(&mut self, ui: &mut egui::Ui, lab: &mut Lab, path: &str, weight_unit: &str) {
        egui::Grid::new(path).num_columns(2).show(ui, |ui| {
            for (key, value) in lab.preset().numbers_under(path) {
                let name = key[path.len() + 1..].to_string();
                let last = name.rsplit('.').find(|part| part.parse::<usize>().is_err()).unwrap_or(&name);
                let under_weight = name.starts_with("weight.") || last == "w_max" || last == "total";
                let rule = rule_spec(lab.preset(), &key).map(|r| Meta {
                    key: r.key,
                    unit: r.unit,
                    range: (r.min, r.max),
                    tip: r.doc,
                });
                let meta = rule.as_ref().or_else(|| META.iter().find(|m| m.key == last));
                let (unit, tip) = if under_weight {
                    (weight_unit, "weight of each synapse (negative: inhibitory)")
                } else if name.starts_with("delay_ms.") {
                    ("ms", "axonal delay, rounded to the step")
                } else {
                    meta.map_or(("", ""), |m| (m.unit, m.tip))
                };
                let range = meta.filter(|_| !under_weight).map_or((-1e9, 1e9), |m| m.range);
                let mut shown = self.drafts.get(&key).copied().unwrap_or(value);
                let label = ui.label(&name).on_hover_text(format!("{tip}\n{key}"));
                let speed = (shown.abs() * 0.01).max(1e-3);
                let drag = DragValue::new(&mut shown).range(range.0..=range.1).speed(speed).suffix(format!(" {unit}"));
                let response = ui
                    .add_enabled(lab.locks.allows(&key), drag)
                    .labelled_by(label.id)
                    .on_disabled_hover_text("Locked by the lesson's step")
                    .on_hover_text(format!("{tip}\n{key}"));
                if response.changed() {
                    self.drafts.insert(key.clone(), shown);
                }
                // Applied when the drag ends (or a typed value is entered), so that a change of
                // structure rebuilds once.
                if !response.dragged() && self.drafts.contains_key(&key) {
                    let v = self.drafts.remove(&key).expect("checked");
                    if v != value {
                        self.apply(lab, &key, v);
                    }
                }
                ui.end_row();
            }
        });
    }

    /// Sets `key` to `value`: live when the network can take it, else a new run.
    pub fn apply(&mut self, lab: &mut Lab, key: &str, value: f64) {
        let edited = match lab.preset().with_path(key, &value.to_string()) {
            Ok(edited) => edited,
            Err(e) => return self.error = Some(e),
        };
        self.error = None;
        if lab.change_to(edited) {
            lab.info(format!("{key} changes the network's structure: rebuilt with the same seed, from t = 0"));
        }
    }
}
