//! Science checks: analytic LIF results, integrator order, Izhikevich against an independent
//! reference (tests/reference/izhikevich_2003.py).

use crate::common::{bundled, run};
use spikelab::analysis::{fi_curve, lif_latency_ms, lif_rate_hz};
use spikelab::integrate::Integrator;
use spikelab::neuron::{Dynamics, Lif, NeuronModel};
use spikelab::preset::Preset;
use spikelab::stimulus::Stimulus;

fn lif_preset(lif: Lif, current_pa: f64, integrator: Integrator, dt_ms: f64, duration_ms: f64) -> Preset {
    let mut p = Preset::with_model("lif test", NeuronModel::Lif(lif));
    p.stimulus = Stimulus::dc(current_pa);
    p.run.integrator = integrator;
    p.run.dt_ms = dt_ms;
    p.run.duration_ms = duration_ms;
    p
}

#[test]
fn lif_subthreshold_relaxation_matches_closed_form() {
    let lif = Lif { v0_mv: -75.0, ..Lif::default() };
    let current = 150.0; // R I = 15 mV: settles at -55 mV, below threshold
    let tau = lif.tau_m_ms();
    let v_inf = lif.e_l_mv + current / lif.g_l_ns;
    for (integrator, tolerance_mv) in [(Integrator::Rk4, 1e-7), (Integrator::Euler, 0.06)] {
        let rec = run(&lif_preset(lif, current, integrator, 0.1, 200.0));
        assert!(rec.spikes.is_empty());
        assert_eq!(rec.samples.len(), 2001);
        let worst = rec
            .samples
            .iter()
            .map(|(t, v)| (v[0] - (v_inf + (lif.v0_mv - v_inf) * (-t / tau).exp())).abs())
            .fold(0.0, f64::max);
        assert!(worst < tolerance_mv, "{integrator:?}: worst error {worst} mV");
    }
}

#[test]
fn lif_f_i_curve_matches_analytic_formula_with_refractory_period() {
    let lif = Lif::default();
    let rheobase = lif.g_l_ns * (lif.v_th_mv - lif.e_l_mv);
    let currents: Vec<f64> = (0..12).map(|k| rheobase * (1.1 + 0.35 * k as f64)).collect();
    let preset = lif_preset(lif, 0.0, Integrator::Rk4, 0.01, 1000.0);
    let curve = fi_curve(&preset, &currents, 1000.0).unwrap();
    for point in &curve {
        let expected = lif_rate_hz(&lif, point.current);
        let rel = (point.steady_rate_hz - expected).abs() / expected;
        assert!(rel < 0.005, "I = {} pA: {} Hz vs analytic {expected} Hz", point.current, point.steady_rate_hz);
        let latency = lif_latency_ms(&lif, point.current).unwrap();
        assert!((point.first_spike_ms.unwrap() - latency).abs() < 0.01, "latency at {} pA", point.current);
    }
    // Below rheobase it never fires; the curve rises monotonically above it.
    assert_eq!(fi_curve(&preset, &[0.95 * rheobase], 500.0).unwrap()[0].rate_hz, 0.0);
    assert!(curve.windows(2).all(|w| w[1].steady_rate_hz > w[0].steady_rate_hz));
}

/// Error at t = 40 ms of the LIF relaxation integrated with step `h`.
fn relaxation_error(integrator: Integrator, h: f64) -> f64 {
    let lif = Lif { v0_mv: -75.0, ..Lif::default() };
    let current = 150.0;
    let mut x = lif.initial_state();
    let steps = (40.0 / h).round() as usize;
    for _ in 0..steps {
        x = integrator.advance(&lif, &x, current, h);
    }
    let v_inf = lif.e_l_mv + current / lif.g_l_ns;
    (x[0] - (v_inf + (lif.v0_mv - v_inf) * (-40.0 / lif.tau_m_ms()).exp())).abs()
}

#[test]
fn halving_dt_cuts_euler_error_2x_and_rk4_error_16x() {
    let euler = relaxation_error(Integrator::Euler, 1.0) / relaxation_error(Integrator::Euler, 0.5);
    let rk4 = relaxation_error(Integrator::Rk4, 2.0) / relaxation_error(Integrator::Rk4, 1.0);
    assert!((1.85..2.15).contains(&euler), "Euler ratio {euler}");
    assert!((14.5..17.5).contains(&rk4), "RK4 ratio {rk4}");
}

#[test]
fn izhikevich_2003_cells_match_independent_reference() {
    let text = include_str!("../reference/izhikevich_2003.csv");
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let cell = fields[0];
        let count: usize = fields[1].parse().unwrap();
        let reference: Vec<f64> = fields[2..].iter().filter(|f| !f.is_empty()).map(|f| f.parse().unwrap()).collect();
        let ours = run(&bundled(&format!("izhikevich-2003/{cell}"))).spike_times();
        assert_eq!(ours.len(), count, "{cell}: spike count");
        for (k, (a, b)) in ours.iter().zip(&reference).enumerate() {
            assert!((a - b).abs() < 0.01, "{cell}: spike {k} at {a} ms, reference {b} ms");
        }
        let (isi, isi_ref) = (ours[1] - ours[0], reference[1] - reference[0]);
        assert!((isi - isi_ref).abs() < 0.01, "{cell}: first ISI {isi} vs {isi_ref}");
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn izhikevich_2003_classes_show_their_documented_behaviour() {
    let isis = |name: &str| {
        let t = run(&bundled(name)).spike_times();
        t.windows(2).map(|w| w[1] - w[0]).collect::<Vec<f64>>()
    };
    // RS: tonic with adaptation, the late interval several times the first.
    let rs = isis("izhikevich-2003/rs");
    assert!(rs.last().unwrap() > &(4.0 * rs[0]));
    // IB: a burst of short intervals, then regular intervals ten times longer.
    let ib = isis("izhikevich-2003/ib");
    assert!(ib[0] < 3.0 && ib[1] < 3.5 && ib[2..].iter().all(|&i| i > 25.0), "{ib:?}");
    // CH: bursts: both very short (< 5 ms) and long (> 30 ms) intervals recur.
    let ch = isis("izhikevich-2003/ch");
    assert!(ch.iter().filter(|&&i| i > 30.0).count() >= 2 && ch.iter().filter(|&&i| i < 5.0).count() >= 8, "{ch:?}");
    // FS: fast tonic firing with little adaptation (steady rate above 100 Hz).
    let fs = isis("izhikevich-2003/fs");
    let last = fs.last().unwrap();
    assert!(*last < 10.0 && *last < 2.5 * fs[0], "{fs:?}");
}
