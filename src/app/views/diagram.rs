//! The network as a diagram, and its editor: populations are nodes sized by their count,
//! projections arrows coloured by sign and thickened by their total weight. Click a node or an
//! arrow to edit it beside the diagram; add, remove and rename populations, projections and
//! inputs. A change of structure rebuilds the network with the same seed; numbers that a
//! running network takes (weights, rates, plasticity) apply live.

use super::ViewPanel;
use crate::preset::views::View;

use std::collections::BTreeMap;

use egui::{Color32, Pos2, Sense, Stroke, Vec2};

use super::raster::population_color;
use crate::app::Lab;
use crate::app::network_params::NetworkParams;
use crate::network::spec::{Connectivity, Dist, Input, NetworkSpec, PopulationSpec, Projection, Role, SynapseType};
use crate::neuron::ModelKind;
use crate::stimulus::{Component, SpikeSource, Stimulus};
use crate::synapse::Kernel;
use crate::synapse::plasticity::StdpRule;

/// What is picked in the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    Population(usize),
    Projection(usize),
    Input(usize),
}

#[derive(Default)]
pub struct DiagramPanel {
    pub picked: Option<Picked>,
    params: NetworkParams,
    /// A name being typed (applied on Enter or when the field is left).
    name: Option<String>,
    /// A size being dragged.
    size: Option<u32>,
}

impl ViewPanel for DiagramPanel {
    fn view(&self) -> View {
        View::Diagram
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// What the arrows draw, as a block matrix: each projection's total weight (expected
    /// synapses x mean weight, signed) from its source population to its target.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Panel, Series};
        let spec = lab.preset().network.as_ref()?;
        let index = |name: &str| spec.populations.iter().position(|p| p.name == name).unwrap_or(0) as f64;
        let names: Vec<&str> = spec.populations.iter().map(|p| p.name.as_str()).collect();
        let axis = |role: &str| Axis::new(format!("{role} population ({})", names.join(", ")), "");
        let mut panel = Panel::new("projections", axis("source"), axis("target"));
        for p in &spec.projections {
            let total = spec.expected_synapses(p) * p.weight.mean();
            let cell = [index(&p.from), index(&p.to), total];
            panel = panel.with(Series::cells(format!("{} -> {}", p.from, p.to), (1.0, 1.0), vec![cell]));
        }
        panel.z = Some(Axis::new("expected synapses x mean weight", ""));
        Some(Figure::new(format!("{}: total weight of each projection", lab.preset().name), vec![panel]))
    }
}

/// Node centres on a circle (one population: the middle), and their radii by count.
fn layout(spec: &NetworkSpec, rect: egui::Rect) -> Vec<(Pos2, f32)> {
    let n = spec.populations.len();
    let largest = spec.populations.iter().map(|p| p.size).max().unwrap_or(1).max(1) as f32;
    let ring = 0.32 * rect.width().min(rect.height());
    spec.populations
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let angle = std::f32::consts::TAU * k as f32 / n.max(1) as f32 - std::f32::consts::FRAC_PI_2;
            let centre = if n == 1 { rect.center() } else { rect.center() + ring * Vec2::angled(angle) };
            (centre, 14.0 + 36.0 * (p.size as f32 / largest).sqrt())
        })
        .collect()
}

/// Distance from `p` to the segment `a`-`b`.
fn to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(1e-6)).clamp(0.0, 1.0);
    (a + t * ab).distance(p)
}

impl DiagramPanel {
    fn show(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(spec) = lab.preset().network.clone() else {
            ui.label("This preset has no network.");
            return;
        };
        // The picked population (or the first) is where new projections start and inputs go.
        let at = match self.picked {
            Some(Picked::Population(p)) => p,
            _ => 0,
        };
        let mut new = spec.clone();
        let added = ui
            .horizontal(|ui| {
                let add = |label: &str, tip: &str, ui: &mut egui::Ui| ui.button(label).on_hover_text(tip).clicked();
                if add("Add population", "a population of 100 LIF cells", ui) {
                    new.populations.push(new_population(&spec));
                    return Some(Picked::Population(spec.populations.len()));
                }
                if add("Add projection", "from the picked population (or the first) to the last", ui) {
                    new.projections.push(new_projection(&spec, at, spec.populations.len() - 1));
                    return Some(Picked::Projection(spec.projections.len()));
                }
                if add("Add input", "Poisson spikes into the picked population (or the first)", ui) {
                    new.inputs.push(new_input(&spec, at));
                    return Some(Picked::Input(spec.inputs.len()));
                }
                None
            })
            .inner;
        if let Some(picked) = added {
            self.commit(lab, new, Some(picked));
        }
        ui.columns(2, |columns| {
            if let Some(picked) = self.draw(&mut columns[0], &spec) {
                self.picked = Some(picked);
                self.name = None;
            }
            egui::ScrollArea::vertical().show(&mut columns[1], |ui| self.editor(ui, lab, &spec));
        });
    }

    /// Validates `new` as the lab's network and loads it (a new run, the same seed).
    fn commit(&mut self, lab: &mut Lab, new: NetworkSpec, picked: Option<Picked>) {
        let mut preset = lab.preset().draft();
        let n = new.n_neurons();
        preset.network =
            Some(NetworkSpec { record: new.record.iter().copied().filter(|&r| u64::from(r) < n).collect(), ..new });
        if preset.network.as_ref().is_some_and(|net| net.record.is_empty()) {
            preset.network.as_mut().expect("set").record = vec![0];
        }
        match lab.load(preset) {
            Ok(()) => {
                lab.info("the network's structure changed: rebuilt with the same seed, from t = 0");
                self.picked = picked;
                self.name = None;
            }
            Err(why) => lab.error(format!("not applied: {why}")),
        }
    }

    /// Draws the diagram; returns what was clicked.
    fn draw(&self, ui: &mut egui::Ui, spec: &NetworkSpec) -> Option<Picked> {
        let size = Vec2::new(ui.available_width(), ui.available_height().max(300.0));
        let (response, painter) = ui.allocate_painter(size, Sense::click());
        let rect = response.rect;
        painter.rect_filled(rect, 4.0, Color32::from_gray(18));
        let nodes = layout(spec, rect);
        let totals: Vec<f64> =
            spec.projections.iter().map(|p| spec.expected_synapses(p) * p.weight.mean().abs()).collect();
        let largest = totals.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        let mut arrows = Vec::new();
        for (k, proj) in spec.projections.iter().enumerate() {
            let (Some(a), Some(b)) = (spec.population(&proj.from), spec.population(&proj.to)) else { continue };
            let inhibitory = proj.weight.mean() < 0.0;
            let color = if inhibitory { Color32::from_rgb(230, 90, 80) } else { Color32::from_rgb(90, 160, 240) };
            let picked = self.picked == Some(Picked::Projection(k));
            let width = 1.0 + 7.0 * (totals[k] / largest).sqrt() as f32 + if picked { 2.0 } else { 0.0 };
            let stroke = Stroke::new(width, if picked { Color32::WHITE } else { color });
            let ((pa, ra), (pb, rb)) = (nodes[a], nodes[b]);
            let points = if a == b {
                // A loop on the node's outer side.
                let out = (pa - rect.center()).normalized();
                let out = if out.is_finite() && out != Vec2::ZERO { out } else { -Vec2::Y };
                let across = Vec2::new(-out.y, out.x);
                let at = |along: f32, side: f32| pa + out * (ra * along) + across * (ra * side);
                vec![at(0.8, -0.6), at(2.0, -0.8), at(2.0, 0.8), at(0.8, 0.6)]
            } else {
                // Two arrows between a pair are drawn side by side.
                let dir = (pb - pa).normalized();
                let side = 6.0 * Vec2::new(-dir.y, dir.x);
                vec![pa + dir * ra + side, pb - dir * (rb + 4.0) + side]
            };
            painter.add(egui::Shape::line(points.clone(), stroke));
            let (tip, from) = (points[points.len() - 1], points[points.len() - 2]);
            let back = (from - tip).normalized() * 10.0;
            let wing = Vec2::new(-back.y, back.x) * 0.5;
            painter.add(egui::Shape::convex_polygon(
                vec![tip, tip + back + wing, tip + back - wing],
                stroke.color,
                Stroke::NONE,
            ));
            arrows.push((k, points));
        }
        for (k, pop) in spec.populations.iter().enumerate() {
            let (centre, radius) = nodes[k];
            let picked = self.picked == Some(Picked::Population(k));
            painter.circle(
                centre,
                radius,
                population_color(pop).gamma_multiply(0.8),
                Stroke::new(if picked { 3.0 } else { 1.0 }, Color32::WHITE),
            );
            painter.text(
                centre,
                egui::Align2::CENTER_CENTER,
                format!("{}\n{}", pop.name, pop.size),
                egui::FontId::proportional(13.0),
                Color32::WHITE,
            );
        }
        for (k, input) in spec.inputs.iter().enumerate() {
            let Some(p) = spec.population(&input.population) else { continue };
            let (centre, radius) = nodes[p];
            let at = centre + Vec2::new(-radius - 26.0, 12.0 * k as f32);
            painter.text(
                at,
                egui::Align2::RIGHT_CENTER,
                format!("input {k} ->"),
                egui::FontId::proportional(12.0),
                Color32::LIGHT_GRAY,
            );
        }
        let click = response.interact_pointer_pos().filter(|_| response.clicked())?;
        if let Some(k) = nodes.iter().position(|&(c, r)| c.distance(click) <= r) {
            return Some(Picked::Population(k));
        }
        arrows
            .iter()
            .map(|(k, pts)| (*k, pts.windows(2).map(|w| to_segment(click, w[0], w[1])).fold(f32::INFINITY, f32::min)))
            .filter(|&(_, d)| d <= 8.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| Picked::Projection(k))
    }

    /// The picked element's controls.
    fn editor(&mut self, ui: &mut egui::Ui, lab: &mut Lab, spec: &NetworkSpec) {
        let names: Vec<String> = spec.populations.iter().map(|p| p.name.clone()).collect();
        match self.picked {
            Some(Picked::Population(p)) if p < spec.populations.len() => {
                let pop = &spec.populations[p];
                ui.strong(format!("Population {}", pop.name));
                let mut name = self.name.clone().unwrap_or_else(|| pop.name.clone());
                let label = ui.label("name");
                let field = ui.text_edit_singleline(&mut name).labelled_by(label.id);
                if field.changed() {
                    self.name = Some(name.clone());
                }
                if field.lost_focus() && name != pop.name && !name.trim().is_empty() {
                    self.commit(lab, renamed(spec, p, name.trim()), Some(Picked::Population(p)));
                }
                let mut size = pop.size;
                let label = ui.label("size");
                let field = ui.add(egui::DragValue::new(&mut size).range(1..=200_000)).labelled_by(label.id);
                // Applied when the drag ends or the typed value is entered: each change rebuilds.
                if !field.dragged() && field.changed() || field.drag_stopped() {
                    self.size = Some(size);
                }
                if let Some(size) = self.size.filter(|&s| s != pop.size && !field.dragged()) {
                    self.size = None;
                    let mut new = spec.clone();
                    new.populations[p].size = size;
                    self.commit(lab, new, self.picked);
                }
                let mut role = pop.role;
                egui::ComboBox::from_label("role").selected_text(format!("{role:?}")).show_ui(ui, |ui| {
                    ui.selectable_value(&mut role, Role::Excitatory, "Excitatory");
                    ui.selectable_value(&mut role, Role::Inhibitory, "Inhibitory");
                });
                if role != pop.role {
                    let mut new = spec.clone();
                    new.populations[p].role = role;
                    self.commit(lab, new, self.picked);
                }
                if pop.source.is_none() {
                    let mut kind = pop.neuron.kind();
                    egui::ComboBox::from_label("model").selected_text(kind.name()).show_ui(ui, |ui| {
                        for k in ModelKind::ALL {
                            ui.selectable_value(&mut kind, k, k.name());
                        }
                    });
                    if kind != pop.neuron.kind() {
                        let mut new = spec.clone();
                        new.populations[p].neuron = kind.default_model();
                        new.populations[p].spread.clear();
                        new.populations[p].initial.clear();
                        self.commit(lab, new, self.picked);
                    }
                    ui.label("Its parameters: pick it in the side panel.");
                } else {
                    self.params.numbers(ui, lab, &format!("network.populations.{p}.source"), "");
                }
                if ui.button("Remove population").on_hover_text("with its projections and inputs").clicked() {
                    self.commit(lab, removed(spec, p), None);
                }
            }
            Some(Picked::Projection(k)) if k < spec.projections.len() => {
                let proj = &spec.projections[k];
                ui.strong(format!("Projection {} -> {}", proj.from, proj.to));
                let mut new = spec.clone();
                let edited = &mut new.projections[k];
                pick(ui, "from", &mut edited.from, &names);
                pick(ui, "to", &mut edited.to, &names);
                let synapses: Vec<String> =
                    spec.population(&edited.to).map_or(Vec::new(), |p| new_synapse_names(&spec.populations[p]));
                pick(ui, "synapse", &mut edited.synapse, &synapses);
                if matches!(edited.rule, Connectivity::Explicit { .. }) {
                    ui.label(edited.rule.name());
                } else {
                    let current = edited.rule.clone();
                    egui::ComboBox::from_label("connection").selected_text(current.name()).show_ui(ui, |ui| {
                        for choice in Connectivity::choices() {
                            let same = std::mem::discriminant(&choice) == std::mem::discriminant(&current);
                            if ui.selectable_label(same, choice.name()).clicked() && !same {
                                // A fixed total number draws pairs independently: multapses come with it.
                                edited.multapses |= matches!(choice, Connectivity::FixedTotalNumber { .. });
                                edited.rule = choice;
                            }
                        }
                    });
                }
                let plastic = edited.plasticity.map(|r| r.kind());
                let mut kind = plastic;
                let name = |k: Option<usize>| k.and_then(|k| StdpRule::kinds().nth(k)).unwrap_or("static");
                egui::ComboBox::from_label("plasticity").selected_text(name(kind)).show_ui(ui, |ui| {
                    ui.selectable_value(&mut kind, None, "static");
                    for (i, n) in StdpRule::kinds().enumerate() {
                        ui.selectable_value(&mut kind, Some(i), n);
                    }
                });
                if kind != plastic {
                    let w_max = 2.0 * edited.weight.mean().abs().max(1e-9);
                    edited.plasticity = kind.map(|k| StdpRule::published(k, w_max));
                }
                if new != *spec {
                    self.commit(lab, new, self.picked);
                    return;
                }
                ui.separator();
                let unit = crate::app::network_params::weight_unit(lab.preset(), k);
                self.params.numbers(ui, lab, &format!("network.projections.{k}"), &unit);
                if ui.button("Remove projection").clicked() {
                    let mut new = spec.clone();
                    new.projections.remove(k);
                    self.commit(lab, new, None);
                }
            }
            Some(Picked::Input(k)) if k < spec.inputs.len() => {
                ui.strong(format!("Input {k} into {}", spec.inputs[k].population));
                self.params.numbers(ui, lab, &format!("network.inputs.{k}"), "pA ms");
                if ui.button("Remove input").clicked() {
                    let mut new = spec.clone();
                    new.inputs.remove(k);
                    self.commit(lab, new, None);
                }
            }
            _ => {
                ui.label("Click a population or a projection to edit it.");
                for k in 0..spec.inputs.len() {
                    if ui.link(format!("input {k} into {}", spec.inputs[k].population)).clicked() {
                        self.picked = Some(Picked::Input(k));
                    }
                }
            }
        }
    }
}

/// A combo box choosing one of `options` for `value`.
fn pick(ui: &mut egui::Ui, label: &str, value: &mut String, options: &[String]) {
    egui::ComboBox::from_label(label).selected_text(value.as_str()).show_ui(ui, |ui| {
        for o in options {
            ui.selectable_value(value, o.clone(), o);
        }
    });
}

fn new_synapse_names(pop: &PopulationSpec) -> Vec<String> {
    pop.synapses.keys().cloned().collect()
}

fn new_population(spec: &NetworkSpec) -> PopulationSpec {
    let name = (spec.populations.len() + 1..)
        .map(|k| format!("P{k}"))
        .find(|n| spec.population(n).is_none())
        .expect("a free name");
    let current = |tau_ms| SynapseType { kernel: Kernel::Exponential { tau_ms }, reversal_mv: None };
    PopulationSpec {
        name,
        size: 100,
        role: Role::Excitatory,
        neuron: ModelKind::Lif.default_model(),
        source: None,
        spread: Vec::new(),
        reset: Default::default(),
        adaptation: None,
        initial: BTreeMap::new(),
        synapses: BTreeMap::from([("exc".to_string(), current(5.0)), ("inh".to_string(), current(10.0))]),
    }
}

fn new_projection(spec: &NetworkSpec, from: usize, to: usize) -> Projection {
    let target = &spec.populations[to];
    let synapse = target.synapses.keys().next().cloned().unwrap_or_default();
    let inhibitory = spec.populations[from].role == Role::Inhibitory;
    Projection {
        from: spec.populations[from].name.clone(),
        to: target.name.clone(),
        synapse,
        rule: Connectivity::FixedProbability { p: 0.1 },
        weight: Dist::Constant(if inhibitory { -20.0 } else { 10.0 }),
        delay_ms: Dist::Constant(1.0),
        autapses: false,
        multapses: false,
        plasticity: None,
        normalise: None,
        device: None,
    }
}

fn new_input(spec: &NetworkSpec, to: usize) -> Input {
    let source = SpikeSource::Poisson { rate_hz: 1000.0, start_ms: 0.0, duration_ms: 1e9 };
    let component =
        Component::Spikes { source, kernel: Kernel::Delta, weight: 25.0, seed: spec.inputs.len() as u64 + 1 };
    Input {
        population: spec.populations[to].name.clone(),
        neurons: None,
        stimulus: Stimulus { components: vec![component], ..Stimulus::default() },
    }
}

/// `spec` with population `p` renamed, and every reference to it.
fn renamed(spec: &NetworkSpec, p: usize, name: &str) -> NetworkSpec {
    let mut new = spec.clone();
    let old = std::mem::replace(&mut new.populations[p].name, name.to_string());
    for proj in &mut new.projections {
        for end in [&mut proj.from, &mut proj.to] {
            if *end == old {
                *end = name.to_string();
            }
        }
    }
    for input in new.inputs.iter_mut().filter(|i| i.population == old) {
        input.population = name.to_string();
    }
    new
}

/// `spec` without population `p`, its projections and its inputs.
fn removed(spec: &NetworkSpec, p: usize) -> NetworkSpec {
    let mut new = spec.clone();
    let gone = new.populations.remove(p).name;
    new.projections.retain(|proj| proj.from != gone && proj.to != gone);
    new.inputs.retain(|i| i.population != gone);
    new
}
