//! The memory device under the plastic synapses ([`crate::figure::of::device`]): conductance
//! against pulse number for three devices (their spread is the device-to-device variation), up
//! then down for two cycles, over the nominal device, and the step map (ΔG against G, up and
//! down). Its sliders edit the preset, so the network runs on the device as drawn.

use super::ViewPanel;
use crate::preset::views::View;

use egui::Color32;
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints};

use crate::app::Lab;
use crate::app::widgets::described;
use crate::figure::{Figure, Panel};
use crate::param::Described;
use crate::synapse::device::{Curve, Device};

/// The width a slider with its value and name takes, in points: as many per row as fit.
const SLIDER_WIDTH: f32 = 270.0;
const COLORS: [Color32; 5] = [
    Color32::from_rgb(90, 160, 255),
    Color32::from_rgb(255, 170, 60),
    Color32::from_rgb(120, 210, 120),
    Color32::GRAY,
    Color32::from_rgb(230, 90, 90),
];

#[derive(Default)]
pub struct DevicePanel {
    /// The device last drawn and its figure.
    pub drawn: Option<(Device, Figure)>,
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
            let figure = crate::figure::of::device(&device, lab.preset().run.seed);
            self.drawn = Some((device.clone(), figure));
        }
        ui.horizontal_wrapped(|ui| {
            ui.strong(&device.name);
            ui.label(device.readout());
        });
        ui.small(&device.source);
        let mut edited = device.clone();
        let columns = ((ui.available_width() / SLIDER_WIDTH) as usize).clamp(1, 3);
        let changed = egui::Grid::new("device_sliders")
            .num_columns(columns)
            .show(ui, |ui| {
                ui.spacing_mut().slider_width = 100.0;
                sliders(ui, &mut edited, columns)
            })
            .inner;
        if changed {
            lab.apply(|p| *p.device_mut().expect("the preset has a device") = edited);
        }
        let Some((_, figure)) = &self.drawn else { return };
        let (w, h) = (ui.available_width() / 2.0 - 6.0, ui.available_height() - 4.0);
        ui.horizontal(|ui| {
            for (k, panel) in figure.panels.iter().enumerate() {
                plot(ui, k, panel, w, h);
            }
        });
    }
    /// The pulse response and the step map.
    fn figure(&self, lab: &Lab) -> Option<Figure> {
        let (device, figure) = self.drawn.as_ref()?;
        (lab.preset().device() == Some(device)).then(|| figure.clone())
    }
}

/// One panel of the figure as a plot: the drawn devices in colour, the nominal one dashed grey;
/// up green, down red.
fn plot(ui: &mut egui::Ui, k: usize, panel: &Panel, w: f32, h: f32) {
    Plot::new(("device", k))
        .width(w)
        .height(h)
        .legend(Legend::default())
        .x_axis_label(panel.x.label())
        .y_axis_label(panel.y.label())
        .show(ui, |p| {
            for (j, series) in panel.series.iter().enumerate() {
                let color = match series.name.as_str() {
                    "up" => COLORS[2],
                    "down" => COLORS[4],
                    _ => COLORS[j.min(3)],
                };
                let line = Line::new(series.name.clone(), PlotPoints::from(series.points.clone())).color(color);
                p.line(if series.name == "nominal" { line.style(LineStyle::dashed_dense()) } else { line });
            }
        });
}

/// The device's own parameters and its variability, in rows of `columns`; `true` when one moved.
fn sliders(ui: &mut egui::Ui, device: &mut Device, columns: usize) -> bool {
    let mut placed = 0;
    let binary = device.curve.binary().is_some();
    let curve = match &mut device.curve {
        Curve::Linear(c) => some(ui, c, &[], (&mut placed, columns)),
        Curve::SaturatingExp(c) => some(ui, c, &[], (&mut placed, columns)),
        Curve::QuerliozExp(c) => some(ui, c, &[], (&mut placed, columns)),
        Curve::TwoPcm(c) => some(ui, c, &[], (&mut placed, columns)),
        Curve::StochasticBinary(c) => some(ui, c, &[], (&mut placed, columns)),
        Curve::SttMtj(c) => some(ui, c, &["devices", "i_set_ua", "i_reset_ua"], (&mut placed, columns)),
        Curve::Measured(_) => false,
    };
    let variation: &[&str] = if binary { &["d2d"] } else { &["d2d", "c2c", "asymmetry"] };
    curve | some(ui, &mut device.variation, variation, (&mut placed, columns))
}

/// Sliders for the fields `keys` of `value` (all of them if empty), `placed` counting the cells
/// of the grid, `columns` to a row.
fn some<T: Described>(ui: &mut egui::Ui, value: &mut T, keys: &[&str], (placed, columns): (&mut usize, usize)) -> bool {
    let mut changed = false;
    for spec in T::specs().iter().filter(|s| keys.is_empty() || keys.contains(&s.key)) {
        changed |= described(ui, value, spec.key).changed();
        *placed += 1;
        if (*placed).is_multiple_of(columns) {
            ui.end_row();
        }
    }
    changed
}
