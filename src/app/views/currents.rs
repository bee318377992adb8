//! Hodgkin-Huxley's ionic currents, the power each dissipates and the capacitor takes, and the
//! energy and Na+ charge per action potential, over the trace window.

use super::ViewPanel;
use crate::preset::views::View;

use egui::Color32;
use egui_plot::{Legend, Line, Plot};

use crate::analysis::energy::{per_spike, powers};
use crate::app::Lab;
use crate::neuron::{HodgkinHuxley, NeuronModel};

const NA: Color32 = Color32::from_rgb(240, 80, 80);
const K: Color32 = Color32::from_rgb(90, 170, 255);
const LEAK: Color32 = Color32::from_rgb(120, 210, 120);
const CAP: Color32 = Color32::from_rgb(200, 200, 200);

/// The three ionic currents (first three) and the four powers, named, over `samples`.
fn curves(hh: &HodgkinHuxley, samples: &[(f64, [f64; 4])]) -> [(&'static str, Vec<[f64; 2]>); 7] {
    let currents: Vec<[f64; 3]> = samples.iter().map(|(_, x)| hh.currents(x)).collect();
    let power = powers(hh, samples);
    let series = |f: &dyn Fn(usize) -> f64| (0..samples.len()).map(|k| [samples[k].0, f(k)]).collect();
    [
        ("I_Na", series(&|k| currents[k][0])),
        ("I_K", series(&|k| currents[k][1])),
        ("I_L", series(&|k| currents[k][2])),
        ("P_Na = I_Na (V - E_Na)", series(&|k| power[k].1.na)),
        ("P_K", series(&|k| power[k].1.k)),
        ("P_L", series(&|k| power[k].1.leak)),
        ("P_C = C V dV/dt", series(&|k| power[k].1.capacitor)),
    ]
}

/// The Hodgkin-Huxley currents and powers over the trace window.
pub struct CurrentsPanel;

impl ViewPanel for CurrentsPanel {
    fn view(&self) -> View {
        View::Currents
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        show(ui, lab);
    }
    /// Every sample of the window (not the drawing's stride).
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let NeuronModel::HodgkinHuxley(hh) = lab.preset().neuron else { return None };
        let h = &lab.history;
        let samples = h.states_in(h.t_ms - lab.preset().view.window_ms, h.t_ms);
        let [i_na, i_k, i_l, p_na, p_k, p_l, p_c] = curves(&hh, &samples);
        let panel = |name: &str, y: Axis, lines: Vec<(&str, Vec<[f64; 2]>)>| {
            lines
                .into_iter()
                .fold(Panel::new(name, Axis::new("t", "ms"), y), |p, (n, pts)| p.with(Series::new(n, Mark::Line, pts)))
        };
        Some(Figure::new(
            "Hodgkin-Huxley currents and energy",
            vec![
                panel("ionic currents (outward +)", Axis::new("I", "µA/cm²"), vec![i_na, i_k, i_l]),
                panel("power", Axis::new("P", "nW/cm²"), vec![p_na, p_k, p_l, p_c]),
            ],
        ))
    }
}

fn show(ui: &mut egui::Ui, lab: &Lab) {
    let NeuronModel::HodgkinHuxley(hh) = lab.preset().neuron else {
        ui.label("Currents and energy are shown for the Hodgkin-Huxley model: pick it in the bench.");
        return;
    };
    let h = &lab.history;
    let window = lab.preset().view.window_ms;
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
    let [i_na, i_k, i_l, p_na, p_k, p_l, p_c] = curves(&hh, &samples);
    let half = (ui.available_height() - 8.0) / 2.0;
    let link = egui::Id::unique("spikelab-time-axis");
    Plot::new("currents")
        .height(half)
        .legend(Legend::default())
        .link_axis(link, [true, false])
        .y_axis_label("I [µA/cm²] (outward +)")
        .show(ui, |p| {
            p.line(Line::new(i_na.0, i_na.1).color(NA));
            p.line(Line::new(i_k.0, i_k.1).color(K));
            p.line(Line::new(i_l.0, i_l.1).color(LEAK));
        });
    Plot::new("powers")
        .height(half)
        .legend(Legend::default())
        .link_axis(link, [true, false])
        .x_axis_label("t [ms]")
        .y_axis_label("P [nW/cm²]")
        .show(ui, |p| {
            p.line(Line::new(p_na.0, p_na.1).color(NA));
            p.line(Line::new(p_k.0, p_k.1).color(K));
            p.line(Line::new(p_l.0, p_l.1).color(LEAK));
            p.line(Line::new(p_c.0, p_c.1).color(CAP));
        });
}
