//! The controls of one stimulus component, for every kind: shared by the bench and the designer.

use egui::{DragValue, Slider};

use crate::stimulus::{Component, SpikeSource};
use crate::synapse::Kernel;

/// Units and ranges of the model the stimulus drives.
pub struct Scale {
    pub unit: &'static str,
    pub range: (f64, f64),
}

fn amplitude(ui: &mut egui::Ui, value: &mut f64, label: &str, scale: &Scale) -> bool {
    ui.add(Slider::new(value, scale.range.0..=scale.range.1).text(format!("{label} [{}]", scale.unit))).changed()
}

fn time(ui: &mut egui::Ui, value: &mut f64, label: &str, min: f64) -> bool {
    ui.add(Slider::new(value, min..=5000.0).logarithmic(true).max_decimals(3).text(format!("{label} [ms]"))).changed()
}

fn number(ui: &mut egui::Ui, value: &mut f64, label: &str, range: std::ops::RangeInclusive<f64>) -> bool {
    ui.add(Slider::new(value, range).text(label)).changed()
}

/// Edits `component` in place; `true` if anything changed.
pub fn component_ui(ui: &mut egui::Ui, component: &mut Component, scale: &Scale) -> bool {
    match component {
        Component::Dc { amplitude: a } => amplitude(ui, a, "amplitude", scale),
        Component::Step { start_ms, amplitude: a } => {
            amplitude(ui, a, "amplitude", scale) | time(ui, start_ms, "start", 0.0)
        }
        Component::Pulse { start_ms, duration_ms, amplitude: a } => {
            amplitude(ui, a, "amplitude", scale)
                | time(ui, start_ms, "start", 0.0)
                | time(ui, duration_ms, "duration", 0.01)
        }
        Component::PulseTrain { start_ms, count, period_ms, width_ms, amplitude: a } => {
            let c = ui.add(Slider::new(count, 1..=200).text("pulses")).changed();
            c | amplitude(ui, a, "amplitude", scale)
                | time(ui, start_ms, "start", 0.0)
                | time(ui, period_ms, "period", 0.1)
                | time(ui, width_ms, "width", 0.01)
        }
        Component::Ramp { start_ms, duration_ms, from, slope_per_ms } => {
            let rate = (scale.range.1 - scale.range.0) / 100.0;
            let s =
                ui.add(Slider::new(slope_per_ms, -rate..=rate).text(format!("slope [{}/ms]", scale.unit))).changed();
            amplitude(ui, from, "from", scale)
                | s
                | time(ui, start_ms, "start", 0.0)
                | time(ui, duration_ms, "duration", 0.01)
        }
        Component::Sine { start_ms, duration_ms, amplitude: a, frequency_hz, phase_deg, offset } => {
            amplitude(ui, a, "amplitude", scale)
                | amplitude(ui, offset, "offset", scale)
                | ui.add(Slider::new(frequency_hz, 0.0..=500.0).logarithmic(true).text("frequency [Hz]")).changed()
                | number(ui, phase_deg, "phase [deg]", -180.0..=180.0)
                | time(ui, start_ms, "start", 0.0)
                | time(ui, duration_ms, "duration", 0.01)
        }
        Component::Chirp { start_ms, duration_ms, amplitude: a, f0_hz, f1_hz } => {
            amplitude(ui, a, "amplitude", scale)
                | ui.add(Slider::new(f0_hz, 0.0..=500.0).logarithmic(true).text("from [Hz]")).changed()
                | ui.add(Slider::new(f1_hz, 0.0..=500.0).logarithmic(true).text("to [Hz]")).changed()
                | time(ui, start_ms, "start", 0.0)
                | time(ui, duration_ms, "duration", 0.01)
        }
        Component::Curve { points } => curve_ui(ui, points, scale),
        Component::Noise { start_ms, duration_ms, mean, sigma, tau_ms, seed } => {
            let spread = (scale.range.1 - scale.range.0) / 4.0;
            let changed = amplitude(ui, mean, "mean", scale)
                | ui.add(Slider::new(sigma, 0.0..=spread).text(format!("sigma [{}]", scale.unit))).changed()
                | time(ui, tau_ms, "tau", 0.01)
                | time(ui, start_ms, "start", 0.0)
                | time(ui, duration_ms, "duration", 0.01);
            changed | seed_ui(ui, seed)
        }
        Component::Spikes { source, kernel, weight, seed } => {
            let mut changed = source_ui(ui, source);
            let mut index = kernel.index();
            let tau = kernel.tau_ms().unwrap_or(5.0);
            if let Some(picked) = super::widgets::choice(
                ui,
                "synapse",
                index,
                &[0, 1, 2, 3],
                |k| Kernel::NAMES[k].into(),
                "Kernel of the synaptic current",
            ) {
                index = picked;
                *kernel = Kernel::from_index(index, tau);
                changed = true;
            }
            if let Kernel::Exponential { tau_ms } | Kernel::Alpha { tau_ms } | Kernel::DoubleExponential { tau_ms } =
                kernel
            {
                changed |= time(ui, tau_ms, "synaptic tau", 0.1);
            }
            let label = if index == 0 { "charge per spike [x 1 ms]" } else { "weight" };
            changed |= amplitude(ui, weight, label, scale);
            changed | seed_ui(ui, seed)
        }
    }
}

fn seed_ui(ui: &mut egui::Ui, seed: &mut u64) -> bool {
    ui.horizontal(|ui| {
        let label = ui.label("seed");
        ui.add(DragValue::new(seed)).labelled_by(label.id).on_hover_text("This component's own random stream").changed()
    })
    .inner
}

fn source_ui(ui: &mut egui::Ui, source: &mut SpikeSource) -> bool {
    let kinds = ["Poisson", "modulated Poisson", "regular", "spike times"];
    let current = kinds.iter().position(|k| *k == source.name()).unwrap_or(0);
    let mut changed = false;
    if let Some(picked) = super::widgets::choice(
        ui,
        "spikes",
        current,
        &[0, 1, 2, 3],
        |k| kinds[k].into(),
        "Where the input spikes come from",
    ) {
        *source = match picked {
            0 => SpikeSource::Poisson { rate_hz: 100.0, start_ms: 0.0, duration_ms: 1000.0 },
            1 => SpikeSource::ModulatedPoisson {
                rate_hz: 100.0,
                depth_hz: 80.0,
                frequency_hz: 5.0,
                start_ms: 0.0,
                duration_ms: 1000.0,
            },
            2 => SpikeSource::Regular { rate_hz: 50.0, start_ms: 0.0, duration_ms: 1000.0 },
            _ => SpikeSource::Times { times_ms: vec![10.0, 20.0, 30.0] },
        };
        changed = true;
    }
    let rate = |ui: &mut egui::Ui, v: &mut f64, label: &str| {
        ui.add(Slider::new(v, 0.0..=5000.0).logarithmic(true).text(format!("{label} [Hz]"))).changed()
    };
    changed
        | match source {
            SpikeSource::Poisson { rate_hz, start_ms, duration_ms }
            | SpikeSource::Regular { rate_hz, start_ms, duration_ms } => {
                rate(ui, rate_hz, "rate") | time(ui, start_ms, "start", 0.0) | time(ui, duration_ms, "duration", 0.01)
            }
            SpikeSource::ModulatedPoisson { rate_hz, depth_hz, frequency_hz, start_ms, duration_ms } => {
                rate(ui, rate_hz, "mean rate")
                    | rate(ui, depth_hz, "modulation depth")
                    | ui.add(Slider::new(frequency_hz, 0.0..=200.0).text("modulation [Hz]")).changed()
                    | time(ui, start_ms, "start", 0.0)
                    | time(ui, duration_ms, "duration", 0.01)
            }
            SpikeSource::Digits { .. } => {
                ui.label("the bundled digits (a spike-source population)");
                false
            }
            SpikeSource::Times { times_ms } => {
                let mut text = times_ms.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
                let label = ui.label("spike times [ms]");
                let edited = ui.add(egui::TextEdit::singleline(&mut text)).labelled_by(label.id).changed();
                if edited {
                    // Keep what parses; validation reports disorder.
                    *times_ms = text.split(',').filter_map(|s| s.trim().parse().ok()).collect();
                }
                edited
            }
        }
}

fn curve_ui(ui: &mut egui::Ui, points: &mut Vec<(f64, f64)>, scale: &Scale) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (k, (t, value)) in points.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = ui.label(format!("point {}: t [ms]", k + 1));
            changed |= ui.add(DragValue::new(t).speed(1.0).range(0.0..=1e6)).labelled_by(label.id).changed();
            let label = ui.label(format!("I [{}]", scale.unit));
            changed |= ui.add(DragValue::new(value).speed(0.1)).labelled_by(label.id).changed();
            if ui.small_button("x").on_hover_text("Remove this point").clicked() {
                remove = Some(k);
            }
        });
    }
    if let Some(k) = remove.filter(|_| points.len() > 2) {
        points.remove(k);
        changed = true;
    }
    if ui.small_button("+ point").on_hover_text("Add a point 10 ms after the last").clicked() {
        let last = points.last().copied().unwrap_or((0.0, 0.0));
        points.push((last.0 + 10.0, last.1));
        changed = true;
    }
    changed
}
