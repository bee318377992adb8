//! STDP: each rule's window measured by running a pairing in the engine against its analytic
//! form, the bounds, the Song-Abbott weight distribution, and the CLI's weight files.

use crate::common;

use spikelab::network::Spike;
use spikelab::preset::Preset;
use spikelab::synapse::plasticity::StdpRule;

const W_MAX: f64 = 1.0;

/// One pre spike (a source at `t_pre`) and one post spike (the LIF kicked at `t_kick`), through
/// one plastic synapse starting at `w0`; returns (Δt = t_post - t_arrival, Δw).
fn pairing(rule: &str, t_pre: f64, t_kick: f64, w0: f64) -> (f64, f64) {
    pairing_through(rule, t_pre, t_kick, w0, &format!("OneToOne, weight: Constant({w0}), delay_ms: Constant(1.0)"))
}

/// The same through `connection` (the projection's rule, weight and delay).
pub(crate) fn pairing_through(rule: &str, t_pre: f64, t_kick: f64, w0: f64, connection: &str) -> (f64, f64) {
    let text = format!(
        r#"(version: 1, name: "pairing", description: "one pairing",
        run: (dt_ms: 0.1, duration_ms: 200.0, integrator: ExponentialEuler),
        network: (
            populations: [
                (name: "pre", size: 1, source: Times(times_ms: [{t_pre}])),
                (name: "post", size: 1, neuron: Lif(c_pf: 200.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -65.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 synapses: {{"s": (kernel: Exponential(tau_ms: 5.0))}}),
            ],
            projections: [(from: "pre", to: "post", synapse: "s", rule: {connection}, plasticity: {rule})],
            inputs: [(population: "post", stimulus: (components: [Pulse(start_ms: {t_kick}, duration_ms: 0.5, amplitude: 20000.0)]))],
            record: [1],
        ))"#
    );
    let preset = Preset::from_ron(&text, "pairing").unwrap_or_else(|e| panic!("{e}"));
    let mut sim = spikelab::engine::Simulation::from_preset(&preset, 1).unwrap();
    let mut rec = common::Recorder::default();
    sim.step(2000, &mut rec).unwrap();
    let time = |n: u32| rec.spikes.iter().find(|s: &&Spike| s.neuron == n).map(|s| s.t_ms).unwrap();
    assert_eq!(rec.spikes.iter().filter(|s| s.neuron == 1).count(), 1, "one post spike");
    let t_arrival = time(0) + 1.0; // the source fires at its step's start; delay 1 ms = 10 steps
    let mut w = Vec::new();
    sim.net().plastic_weights(&mut w);
    (time(1) - t_arrival, w[0] * W_MAX - w0)
}

fn rules() -> Vec<(&'static str, StdpRule, f64)> {
    // (RON, the same rule, the amplitude the 1 % tolerance refers to)
    vec![
        (
            "Additive(a_plus: 0.01, a_minus: 0.0105, tau_plus_ms: 20.0, tau_minus_ms: 20.0, w_max: 1.0, nearest: false)",
            StdpRule::Additive {
                a_plus: 0.01,
                a_minus: 0.0105,
                tau_plus_ms: 20.0,
                tau_minus_ms: 20.0,
                w_max: W_MAX,
                nearest: false,
            },
            0.01,
        ),
        (
            "Multiplicative(lambda: 0.01, alpha: 1.05, mu_plus: 1.0, mu_minus: 1.0, tau_plus_ms: 20.0, tau_minus_ms: 20.0, w_max: 1.0)",
            StdpRule::Multiplicative {
                lambda: 0.01,
                alpha: 1.05,
                mu_plus: 1.0,
                mu_minus: 1.0,
                tau_plus_ms: 20.0,
                tau_minus_ms: 20.0,
                w_max: W_MAX,
            },
            0.01,
        ),
        (
            "Triplet(a2_plus: 0.005, a3_plus: 0.0062, a2_minus: 0.007, a3_minus: 0.00023, tau_plus_ms: 16.8, tau_minus_ms: 33.7, tau_x_ms: 101.0, tau_y_ms: 125.0, w_max: 1.0)",
            StdpRule::Triplet {
                a2_plus: 0.005,
                a3_plus: 0.0062,
                a2_minus: 0.007,
                a3_minus: 0.00023,
                tau_plus_ms: 16.8,
                tau_minus_ms: 33.7,
                tau_x_ms: 101.0,
                tau_y_ms: 125.0,
                w_max: W_MAX,
            },
            0.005,
        ),
        (
            "Ee746(a_up: 0.01, a_down: -0.02, gamma: 1.0, tau_ms: 20.0, w_max: 1.0)",
            StdpRule::Ee746 { a_up: 0.01, a_down: -0.02, gamma: 1.0, tau_ms: 20.0, w_max: W_MAX },
            0.01 * 0.4,
        ),
    ]
}

#[test]
fn each_rules_measured_window_equals_its_analytic_form() {
    for (ron, rule, amplitude) in rules() {
        for (t_pre, t_kick) in [(50.0, 55.0), (50.0, 80.0), (50.0, 52.0), (60.0, 50.0), (80.0, 50.0), (100.0, 40.0)] {
            let w0 = 0.4;
            let (dt, dw) = pairing(ron, t_pre, t_kick, w0);
            let expected = rule.window(dt, w0);
            assert!(
                (dw - expected).abs() < 0.01 * amplitude * W_MAX,
                "{}: at Δt = {dt:.3} ms measured {dw:.3e}, analytic {expected:.3e}",
                rule.name()
            );
            assert_eq!(dw > 0.0, dt > 0.0, "{}: pre before post potentiates (Δt = {dt})", rule.name());
            // Per-synapse delays (an explicit list) keep a trace per synapse: the same result.
            let listed = format!("Explicit(synapses: [(0, 0, {w0}, 1.0)])");
            let (dt_listed, dw_listed) = pairing_through(ron, t_pre, t_kick, w0, &listed);
            // (listed weights are stored as f32: equal to 1e-7 of w_max)
            let same = (dt_listed - dt).abs() < 1e-9 && (dw_listed - dw).abs() < 1e-7;
            assert!(same, "{}: ({dt_listed}, {dw_listed}) vs ({dt}, {dw})", rule.name());
        }
    }
}

#[test]
fn bounds_hold_at_the_edges() {
    let additive = rules()[0].0;
    let (_, up) = pairing(additive, 50.0, 52.0, 0.999);
    assert!((0.999 + up - 1.0).abs() < 1e-12, "potentiation stops at w_max: {}", 0.999 + up);
    let (_, down) = pairing(additive, 52.0, 50.0, 0.001);
    assert!((0.001 + down).abs() < 1e-12, "depression stops at 0: {}", 0.001 + down);
    let multiplicative = rules()[1].0;
    let (_, up) = pairing(multiplicative, 50.0, 52.0, 1.0);
    assert_eq!(up, 0.0, "a multiplicative step vanishes at the bound");
}

#[test]
fn song_abbott_weights_go_bimodal_and_stay_in_bounds() {
    let preset = common::bundled("plasticity/song_abbott");
    let mut sim = spikelab::engine::Simulation::from_preset(&preset, preset.run.seed).unwrap();
    let steps = (preset.run.duration_ms / preset.run.dt_ms).round() as u64;
    let mut rec = common::Recorder::default();
    sim.step(steps, &mut rec).unwrap();
    let mut w = Vec::new();
    sim.net().plastic_weights(&mut w);
    assert_eq!(w.len(), 1000);
    assert!(w.iter().all(|&x| (0.0..=1.0).contains(&x)), "bounds never exceeded");
    let (stats, bins) = spikelab::engine::frame::weight_stats(&w);
    let edge_low = (bins[0] + bins[1]) as f64;
    let edge_high = (bins[18] + bins[19]) as f64;
    let middle = bins[5..15].iter().sum::<u32>() as f64 / 5.0; // per two bins
    assert!(edge_low > 3.0 * middle && edge_high > 1.5 * middle, "not bimodal: {bins:?}");
    assert!(edge_low > edge_high, "more weights near 0 than near w_max: {bins:?}");
    assert!(stats[0] < 0.47, "the mean weight drifts down from 0.5: {}", stats[0]);
    // Against Brian2's own run of its STDP example (tests/reference/song_abbott_brian2.md).
    let reference = std::fs::read_to_string("tests/reference/song_abbott_brian2.csv").unwrap();
    let rows: Vec<Vec<f64>> =
        reference.lines().skip(1).map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    let within = |value: f64, col: usize, margin: f64| {
        let (lo, hi) = rows.iter().fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(r[col]), hi.max(r[col])));
        value >= lo - margin && value <= hi + margin
    };
    let above_half = w.iter().filter(|&&x| x > 0.5).count() as f64 / w.len() as f64;
    assert!(within(stats[0], 2, 0.02), "mean weight {} against Brian2", stats[0]);
    assert!(within(above_half, 3, 0.02), "fraction above half {above_half} against Brian2");
    let output_hz = rec.spikes.iter().filter(|s| s.neuron == 1000).count() as f64 / 100.0;
    assert!(within(output_hz, 1, 8.0), "output rate {output_hz} Hz against Brian2");
    // The output rate falls as the weights compete: last 10 s against the first 10 s.
    let rate =
        |t0: f64| rec.spikes.iter().filter(|s| s.neuron == 1000 && s.t_ms >= t0 && s.t_ms < t0 + 10_000.0).count();
    let (early, late) = (rate(0.0), rate(90_000.0));
    assert!(late < early, "output {early} -> {late} spikes per 10 s");
}

#[test]
fn the_pairing_presets_follow_their_rules_over_60_pairings() {
    let step = 0.01 * (-10.0_f64 / 20.0).exp(); // one pairing at Δt = +10 ms, in units of w_max
    let expected = [
        ("plasticity/pairing_additive", 0.5 + 60.0 * step),
        ("plasticity/pairing_weight_dependent", 1.0 - 0.5 * (1.0 - step).powi(60)),
        ("plasticity/pairing_triplet", 0.5),
    ];
    for (name, w_end) in expected {
        let preset = common::bundled(name);
        let mut sim = spikelab::engine::Simulation::from_preset(&preset, 1).unwrap();
        let mut rec = common::Recorder::default();
        sim.step(600_000, &mut rec).unwrap();
        assert_eq!(rec.spikes.iter().filter(|s| s.neuron == 1).count(), 60, "{name}: one post spike per pairing");
        let mut w = Vec::new();
        sim.net().plastic_weights(&mut w);
        assert!((w[0] - w_end).abs() < 2e-3, "{name}: w = {} w_max, expected {w_end}", w[0]);
    }
}

#[test]
fn the_plastic_drn_learns_on_its_excitatory_synapses_only() {
    let mut preset = common::bundled("plasticity/ee746_drn_plastic");
    preset.run.duration_ms = 500.0;
    let mut sim = spikelab::engine::Simulation::from_preset(&preset, 1).unwrap();
    sim.step(5000, &mut ()).unwrap();
    assert_eq!(sim.net().n_plastic(), 400 * 50, "E->E and E->I learn; I->E stays fixed");
    let mut w = Vec::new();
    sim.net().plastic_weights(&mut w);
    let (lo, hi) = w.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    assert!(lo < 0.099 && hi > 0.101, "the weights moved away from w_e = 0.1 w_max: {lo}..{hi}");
    assert!(sim.net().plastic_synapses().all(|(pre, _, _)| pre < 400), "only excitatory sources");
}

#[test]
fn the_panels_measured_window_matches_the_analytic_one_at_any_scale() {
    for (_, rule, amplitude) in rules() {
        let rule = rule.with_w_max(3000.0); // a weight that alone would make the neuron fire
        let points = spikelab::analysis::stdp::measured_window(rule, &[-20.0, -5.0, 5.0, 20.0]).unwrap();
        for [dt, dw] in points {
            let expected = rule.window(dt, 1500.0);
            assert!((dw - expected).abs() < 0.01 * amplitude * 3000.0, "{}: Δt {dt}: {dw} vs {expected}", rule.name());
        }
    }
}
