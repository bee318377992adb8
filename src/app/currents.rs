//! Hodgkin-Huxley's ionic currents, the power each dissipates and the capacitor takes, and the
//! energy and Na+ charge per action potential, over the trace window.

use egui::Color32;
use egui_plot::{Legend, Line, Plot};

use super::Lab;
use crate::analysis::energy::{per_spike, powers};
use crate::neuron::NeuronModel;

const NA: Color32 = Color32::from_rgb(240, 80, 80);
const K: Color32 = Color32::from_rgb(90, 170, 255);
const LEAK: Color32 = Color32::from_rgb(120, 210, 120);
const CAP: Color32 = Color32::from_rgb(200, 200, 200);

pub fn ui(ui: &mut egui::Ui, lab: &Lab) {
    let NeuronModel::HodgkinHuxley(hh) = lab.preset.neuron else {
        ui.label("Currents and energy are shown for the Hodgkin-Huxley model: pick it in the bench.");
        return;
    };
    let h = &lab.history;
    let window = lab.preset.view.window_ms;
    let states = h.states_in(h.t_ms - window, h.t_ms);
    let spikes: Vec<f64> = h.spike_times_in(h.t_ms - window, h.t_ms).collect();
    match per_spike(&hh, &states, &spikes) {
        // nC/cm^2 over Faraday's constant (96485 C/mol) is 1e-9/96485 mol: pmol = nC / 96.485.
        Some((energy, charge)) => ui.label(format!(
            "per action potential (mean of {} in view): {energy:.1} nJ/cm² dissipated by the channels, \
             {:.3} µC/cm² of Na+ entry ({:.1} pmol/cm²)",
            spikes.len(),
            charge / 1000.0,
            charge / 96.485
        )),
        None => ui.label("No complete action potential in view yet: energy per spike appears after one fires."),
    };
    // At most a few points per pixel column: spikes stay sharp, drawing stays cheap.
    let stride = (states.len() / (3 * ui.available_width() as usize).max(1)).max(1);
    let samples: Vec<(f64, [f64; 4])> = states.iter().step_by(stride).copied().collect();
    let currents: Vec<(f64, [f64; 3])> = samples.iter().map(|(t, x)| (*t, hh.currents(x))).collect();
    let power = powers(&hh, &samples);
    let series =
        |f: &dyn Fn(usize) -> f64| -> Vec<[f64; 2]> { (0..samples.len()).map(|k| [samples[k].0, f(k)]).collect() };
    let half = (ui.available_height() - 8.0) / 2.0;
    let link = egui::Id::unique("spikelab-time-axis");
    Plot::new("currents")
        .height(half)
        .legend(Legend::default())
        .link_axis(link, [true, false])
        .y_axis_label("I [µA/cm²] (outward +)")
        .show(ui, |p| {
            p.line(Line::new("I_Na", series(&|k| currents[k].1[0])).color(NA));
            p.line(Line::new("I_K", series(&|k| currents[k].1[1])).color(K));
            p.line(Line::new("I_L", series(&|k| currents[k].1[2])).color(LEAK));
        });
    Plot::new("powers")
        .height(half)
        .legend(Legend::default())
        .link_axis(link, [true, false])
        .x_axis_label("t [ms]")
        .y_axis_label("P [nW/cm²]")
        .show(ui, |p| {
            p.line(Line::new("P_Na = I_Na (V - E_Na)", series(&|k| power[k].1.na)).color(NA));
            p.line(Line::new("P_K", series(&|k| power[k].1.k)).color(K));
            p.line(Line::new("P_L", series(&|k| power[k].1.leak)).color(LEAK));
            p.line(Line::new("P_C = C V dV/dt", series(&|k| power[k].1.capacitor)).color(CAP));
        });
}
