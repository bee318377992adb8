//! The memory device under the plastic synapses: conductance against pulse number for three
//! devices (their spread is the device-to-device variation), up then down for two cycles, over
//! the nominal device, and the step map (ΔG against G, up and down). Its sliders edit the
//! preset, so the network runs on the device as drawn.

use super::ViewPanel;
use crate::preset::views::View;

use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::app::Lab;
use crate::app::widgets::described;
use crate::param::Described;
use crate::synapse::device::mapping::{PulseRow, pulse_response};
use crate::synapse::device::{Curve, Device, Nonlinearity, label_of_a};

/// Devices drawn in the pulse response.
const DEVICES: u32 = 3;
const CYCLES: u32 = 2;
/// Most pulses drawn each way (Querlioz's memristor spans its range in 3741).
const MAX_PULSES: f64 = 5000.0;
/// Fractions of the range the step map samples.
const STEP_POINTS: usize = 101;
/// Sliders per row.
const SLIDER_COLUMNS: usize = 3;
const COLORS: [Color32; 3] =
    [Color32::from_rgb(90, 160, 255), Color32::from_rgb(255, 170, 60), Color32::from_rgb(120, 210, 120)];

/// What the view draws of one device.
pub struct Drawn {
    /// Conductance (µS) against the pulse count from the start, per drawn device.
    pub devices: Vec<Vec<[f64; 2]>>,
    /// The same for the nominal device (no variation).
    pub nominal: Vec<[f64; 2]>,
    /// ΔG (µS) against G (µS), potentiating and depressing.
    pub up: Vec<[f64; 2]>,
    pub down: Vec<[f64; 2]>,
    pub pulses: u32,
}

impl Drawn {
    pub fn of(device: &Device, seed: u64) -> Drawn {
        let pulses = device.span_pulses().round().clamp(1.0, MAX_PULSES) as u32;
        // Conductance against the pulse count from the start, for drawn device `d`.
        let series = |rows: &[PulseRow], d: u32| -> Vec<[f64; 2]> {
            rows.iter().filter(|r| r.device == d).enumerate().map(|(k, r)| [k as f64, r.g_us]).collect()
        };
        let drawn = pulse_response(device, pulses, CYCLES, DEVICES, seed);
        let nominal = Device { variation: Default::default(), ..device.clone() };
        let range = device.g_max_us - device.g_min_us;
        let map = |up: bool| {
            (0..STEP_POINTS)
                .map(|k| {
                    let x = k as f64 / (STEP_POINTS - 1) as f64;
                    [device.g_min_us + x * range, device.step_us(x, up)]
                })
                .collect()
        };
        Drawn {
            devices: (0..DEVICES).map(|d| series(&drawn, d)).collect(),
            nominal: series(&pulse_response(&nominal, pulses, CYCLES, 1, seed), 0),
            up: map(true),
            down: map(false),
            pulses,
        }
    }
}

#[derive(Default)]
pub struct DevicePanel {
    /// The device last drawn and what was drawn of it.
    pub drawn: Option<(Device, Drawn)>,
}

impl ViewPanel for DevicePanel {
    fn view(&self) -> View {
        View::Device
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        let Some(device) = lab.preset().device().cloned() else {
            ui.label("No synapse of this preset is held by a memory device: add `device` to a plastic projection.");
            return;
        };
        if self.drawn.as_ref().is_none_or(|(d, _)| *d != device) {
            self.drawn = Some((device.clone(), Drawn::of(&device, lab.preset().run.seed)));
        }
        ui.horizontal_wrapped(|ui| {
            ui.strong(&device.name);
            ui.label(readout(&device));
        });
        ui.small(&device.source);
        let mut edited = device.clone();
        let changed = egui::Grid::new("device_sliders")
            .num_columns(SLIDER_COLUMNS)
            .show(ui, |ui| {
                ui.spacing_mut().slider_width = 100.0;
                sliders(ui, &mut edited)
            })
            .inner;
        if changed {
            lab.apply(|p| *p.device_mut().expect("the preset has a device") = edited);
        }
        let Some((_, drawn)) = &self.drawn else { return };
        let (w, h) = (ui.available_width() / 2.0 - 6.0, ui.available_height() - 4.0);
        ui.horizontal(|ui| {
            Plot::new("device_pulses")
                .width(w)
                .height(h)
                .legend(Legend::default())
                .x_axis_label(format!("pulse ({CYCLES} cycles of {} up, then {} down)", drawn.pulses, drawn.pulses))
                .y_axis_label("G [µS]")
                .show(ui, |p| {
                    for (d, points) in drawn.devices.iter().enumerate() {
                        let line = Line::new(format!("device {}", d + 1), PlotPoints::from(points.clone()));
                        p.line(line.color(COLORS[d % COLORS.len()]));
                    }
                    let nominal = Line::new("nominal", PlotPoints::from(drawn.nominal.clone()));
                    p.line(nominal.color(Color32::GRAY).style(egui_plot::LineStyle::dashed_dense()));
                });
            Plot::new("device_steps")
                .width(w)
                .height(h)
                .legend(Legend::default())
                .x_axis_label("G [µS]")
                .y_axis_label("ΔG per pulse [µS]")
                .show(ui, |p| {
                    p.line(Line::new("up", PlotPoints::from(drawn.up.clone())).color(Color32::from_rgb(90, 200, 120)));
                    p.line(
                        Line::new("down", PlotPoints::from(drawn.down.clone())).color(Color32::from_rgb(230, 90, 90)),
                    );
                });
        });
    }
    /// The pulse response and the step map.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let (device, drawn) = self.drawn.as_ref()?;
        if lab.preset().device() != Some(device) {
            return None;
        }
        let mut pulses = Panel::new("pulse response", Axis::new("pulse", ""), Axis::new("G", "µS"));
        for (d, points) in drawn.devices.iter().enumerate() {
            pulses = pulses.with(Series::new(format!("device {}", d + 1), Mark::Line, points.clone()));
        }
        pulses = pulses.with(Series::new("nominal", Mark::Line, drawn.nominal.clone()));
        let steps = Panel::new("step map", Axis::new("G", "µS"), Axis::new("ΔG per pulse", "µS"))
            .with(Series::new("up", Mark::Line, drawn.up.clone()))
            .with(Series::new("down", Mark::Line, drawn.down.clone()));
        Some(Figure::new(format!("{}: {}", device.name, readout(device)), vec![pulses, steps]))
    }
}

/// The numbers a device is known by: pulses across the range, nonlinearity, ON/OFF ratio.
fn readout(device: &Device) -> String {
    let mut text = format!("{:.0} pulses span the range", device.span_pulses());
    if let Curve::SaturatingExp(c) = &device.curve {
        let nl = |n: Nonlinearity| format!("NL {:.2} (A/P_max {:.4})", label_of_a(n.a()), n.a());
        text += &format!(" · up {} · down {}", nl(c.up), nl(c.down));
    }
    if let Some((m, p_set, p_reset)) = device.curve.binary() {
        text += &format!(" · {m} binary devices, p+ {p_set:.3e}, p- {p_reset:.3e}");
    }
    text + &format!(" · ON/OFF {:.3}", device.on_off_ratio())
}

/// The device's own parameters and its variability, in rows of [`SLIDER_COLUMNS`]; `true` when
/// one moved.
fn sliders(ui: &mut egui::Ui, device: &mut Device) -> bool {
    let mut placed = 0;
    let binary = device.curve.binary().is_some();
    let curve = match &mut device.curve {
        Curve::Linear(c) => some(ui, c, &[], &mut placed),
        Curve::SaturatingExp(c) => some(ui, c, &[], &mut placed),
        Curve::QuerliozExp(c) => some(ui, c, &[], &mut placed),
        Curve::TwoPcm(c) => some(ui, c, &[], &mut placed),
        Curve::StochasticBinary(c) => some(ui, c, &[], &mut placed),
        Curve::SttMtj(c) => some(ui, c, &["devices", "i_set_ua", "i_reset_ua"], &mut placed),
        Curve::Measured(_) => false,
    };
    let variation: &[&str] = if binary { &["d2d"] } else { &["d2d", "c2c", "asymmetry"] };
    curve | some(ui, &mut device.variation, variation, &mut placed)
}

/// Sliders for the fields `keys` of `value` (all of them if empty), `placed` counting the cells
/// of the grid.
fn some<T: Described>(ui: &mut egui::Ui, value: &mut T, keys: &[&str], placed: &mut usize) -> bool {
    let mut changed = false;
    for spec in T::specs().iter().filter(|s| keys.is_empty() || keys.contains(&s.key)) {
        changed |= described(ui, value, spec.key).changed();
        *placed += 1;
        if (*placed).is_multiple_of(SLIDER_COLUMNS) {
            ui.end_row();
        }
    }
    changed
}
