//! The benchmark workloads of shared/bench/SPEC.md are presets (`presets/bench/`) run by the one
//! engine: each produces the rate the specification expects (its peers' figures) and its exact
//! synapse count, the same spikes on any number of threads; and the engine features they need
//! (exact propagation, spikes on the step grid) are checked against closed forms. Timings are
//! never asserted here.

use crate::common;

use crate::common::{Recorder, bundled};
use spikelab::engine::Simulation;
use spikelab::integrate::Integrator;
use spikelab::workload::workload;

fn rate(id: &str, bio_s: f64, seed: u64) -> (f64, usize) {
    let out = workload(id, bio_s, seed, 1).expect("runs");
    (out.spikes as f64 / (out.n_neurons as f64 * bio_s), out.n_synapses)
}

#[test]
fn every_spec_workload_is_a_bundled_preset() {
    let have: Vec<&str> = spikelab::workload::workloads().collect();
    for id in ["cuba", "coba", "izhnet_n1000", "izhnet_n10000", "hh", "stdp_single", "stdp_net", "brunel"] {
        assert!(have.contains(&id), "presets/bench/{id}.ron is missing; have {have:?}");
    }
}

#[test]
fn cuba_fires_at_the_benchmark_rate() {
    // Expected 5.1-5.7 Hz (Brian2 5.66, NEST 5.12); p = 0.02 of 4000^2 pairs = 320,000 +- 560.
    let (hz, synapses) = rate("cuba", 1.0, 12345);
    assert!((5.0..6.0).contains(&hz), "{hz} Hz");
    assert!((318_000..322_000).contains(&synapses), "{synapses}");
}

#[test]
fn coba_fires_at_the_benchmark_rate_or_falls_silent() {
    // Expected 17-22 Hz over 10 s (Brian2 21.0, NEST 17.7). From Brette et al.'s random initial
    // state some realisations fall silent within the first 100 ms and stay there (the engine
    // before this one did so for 2 of 8 seeds too): the network is bistable. Those that sustain
    // fire at the benchmark's rate.
    let rates: Vec<f64> = (1..=6).map(|s| rate("coba", 1.0, s).0).collect();
    let active: Vec<f64> = rates.iter().copied().filter(|&r| r > 1.0).collect();
    assert!(active.len() >= 4, "most realisations sustain their activity: {rates:?}");
    assert!(rates.iter().all(|r| !(0.5..=1.0).contains(r)), "silent means silent: {rates:?}");
    let mean = active.iter().sum::<f64>() / active.len() as f64;
    assert!((15.5..22.5).contains(&mean), "{rates:?}");
}

#[test]
fn izhikevich_network_fires_at_the_published_rate() {
    // net.m, 1000 neurons all-to-all: 7.5-7.9 Hz.
    let (hz, synapses) = rate("izhnet_n1000", 1.0, 12345);
    assert!((7.2..8.2).contains(&hz), "{hz} Hz");
    assert_eq!(synapses, 1_000_000);
}

#[test]
fn izhikevich_network_at_ten_thousand_cells_fires_at_the_peers_rate() {
    // p = 0.1 of 10^8 pairs; Brian2 7.54 Hz, NEST 7.38 Hz over 1 s.
    let (hz, synapses) = rate("izhnet_n10000", 0.5, 12345);
    assert!((7.0..8.0).contains(&hz), "{hz} Hz");
    assert!((9_990_000..10_010_000).contains(&synapses), "{synapses}");
}

#[test]
fn brunel_sparse_network_is_asynchronous_irregular_at_37_hz() {
    // Brian2 37.2 Hz, NEST 37.4 Hz over the first 0.2 s; exactly 1250 inputs per neuron.
    let (hz, synapses) = rate("brunel", 0.2, 12345);
    assert!((35.0..39.5).contains(&hz), "{hz} Hz");
    assert_eq!(synapses, 12_500 * 1250);
}

#[test]
fn traub_miles_neurons_fire_at_the_reference_rate() {
    // Mean over 1000 uncoupled cells with currents 0 .. 0.7 nA: Brian2 56.15 Hz, NEST 56.69 Hz.
    let (hz, _) = rate("hh", 0.2, 1);
    assert!((54.0..59.0).contains(&hz), "{hz} Hz");
}

#[test]
fn stdp_single_learns_as_brian2s_example_does() {
    // Brian2's run of its STDP example over 100 s (tests/reference/song_abbott_brian2.csv):
    // mean w/g_max 0.434-0.438, 41-43 % of the weights above g_max / 2. The engine delivers
    // after one step (as NEST, whose figures are 0.426 and 24.5 Hz), not in the same step.
    let out = workload("stdp_single", 100.0, 7, 1).unwrap();
    let mean = out.extra["mean_w_over_wmax"].as_f64().unwrap();
    let above = out.extra["frac_w_above_half"].as_f64().unwrap();
    let hz = out.spikes as f64 / 100.0;
    assert!((0.40..0.46).contains(&mean) && (0.37..0.46).contains(&above), "mean {mean}, above half {above}");
    assert!((20.0..36.0).contains(&hz), "{hz} Hz");
    let inputs = out.extra["input_spikes"].as_u64().unwrap() as f64;
    assert!((inputs / 1.5e6 - 1.0).abs() < 0.01, "1000 inputs at 15 Hz for 100 s: {inputs}");
    let net = workload("stdp_net", 0.05, 7, 1).unwrap();
    assert_eq!((net.n_neurons, net.n_synapses), (10_000, 1_000_000));
}

#[test]
fn one_and_two_threads_give_the_same_spikes() {
    // Izhikevich's network at 10,000 cells (sparser, to build quickly): its 8000 E cells are
    // split over the threads.
    let mut preset = bundled("bench/izhnet_n10000");
    let network = preset.network.as_mut().unwrap();
    for projection in &mut network.projections {
        projection.rule = spikelab::network::spec::Connectivity::FixedInDegree { k: 100 };
        projection.multapses = true;
    }
    preset.run.duration_ms = 100.0;
    let one = common::run(&preset);
    preset.run.threads = 2;
    let two = common::run(&preset);
    assert!(one.spikes.len() > 1000, "{} spikes", one.spikes.len());
    assert_eq!(one.spikes, two.spikes);
    assert_eq!(one.samples, two.samples);
}

/// A step shared out over a team of threads (delivery by target, the Poisson counts by block,
/// the neuron update by chunk) gives the same spikes and traces for 1, 2 and 3 threads, through
/// every delivery path: constant rows (fixed in-degree), rows with their own weights and delays
/// (fixed total number, whose rows are sorted by target at build), dense rows (all-to-all), and
/// two projections into one ring.
#[test]
fn every_delivery_path_gives_the_same_spikes_on_one_two_and_three_threads() {
    let text = r#"(
        version: 1, name: "shared steps", description: "",
        run: (dt_ms: 0.1, duration_ms: 150.0, integrator: Exact, spike_timing: Grid, seed: 3, record_every: 1),
        network: (
            populations: [
                (name: "E", size: 4000, role: Excitatory,
                 neuron: Lif(c_pf: 250.0, g_l_ns: 12.5, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -60.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 initial: {"v": Uniform(low: -70.0, high: -50.0)}, synapses: {"d": (kernel: Delta)}),
                (name: "I", size: 1000, role: Inhibitory,
                 neuron: Lif(c_pf: 250.0, g_l_ns: 12.5, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -60.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 initial: {"v": Uniform(low: -70.0, high: -50.0)}, synapses: {"d": (kernel: Delta)}),
                (name: "R", size: 203, role: Excitatory,
                 neuron: Lif(c_pf: 250.0, g_l_ns: 12.5, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -60.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 synapses: {"e": (kernel: Exponential(tau_ms: 2.0))}),
            ],
            projections: [
                (from: "E", to: "E", synapse: "d", rule: FixedInDegree(k: 400), weight: Constant(25.0), delay_ms: Constant(1.5), multapses: true),
                (from: "E", to: "I", synapse: "d", rule: FixedTotalNumber(n: 400000), weight: Normal(mean: 25.0, sd: 5.0), delay_ms: Normal(mean: 1.5, sd: 0.5), multapses: true),
                (from: "I", to: "E", synapse: "d", rule: FixedInDegree(k: 100), weight: Constant(-125.0), delay_ms: Constant(1.5), multapses: true),
                (from: "I", to: "I", synapse: "d", rule: FixedProbability(p: 0.1), weight: Uniform(low: -150.0, high: -100.0), delay_ms: Constant(1.5)),
                (from: "E", to: "R", synapse: "e", rule: AllToAll, weight: Uniform(low: 0.0, high: 2.0), delay_ms: Constant(1.0)),
                (from: "E", to: "R", synapse: "e", rule: FixedInDegree(k: 50), weight: Constant(3.0), delay_ms: Constant(2.0), multapses: true),
                (from: "I", to: "R", synapse: "e", rule: FixedOutDegree(k: 150), weight: Constant(-2.0), delay_ms: Constant(1.0), multapses: true),
            ],
            inputs: [
                (population: "E", stimulus: (components: [Spikes(source: Poisson(rate_hz: 20000.0, start_ms: 0.0, duration_ms: 1e9), kernel: Delta, weight: 25.0, seed: 1)])),
                (population: "I", stimulus: (components: [Spikes(source: Poisson(rate_hz: 20000.0, start_ms: 0.0, duration_ms: 1e9), kernel: Delta, weight: 25.0, seed: 2)])),
            ],
            record: [0, 4000, 5000, 5202],
        ),
    )"#;
    let mut preset = spikelab::preset::Preset::from_ron(text, "shared.ron").unwrap();
    let one = common::run(&preset);
    // About 560 targets a spike; delivery is shared out from 8,000 additions a step.
    let added_per_step = one.spikes.len() as f64 * 560.0 / 1500.0;
    assert!(added_per_step > 16_000.0, "{added_per_step:.0} synapses a step: too few to be shared out");
    for threads in [2, 3] {
        preset.run.threads = threads;
        let many = common::run(&preset);
        assert_eq!(one.spikes, many.spikes, "{threads} threads");
        assert_eq!(one.samples, many.samples, "{threads} threads");
    }
}

/// A network whose whole step the team takes in shares (delta, alpha current and alpha
/// conductance synapses, Poisson counts, a pulse and a regular train into parts of populations
/// whose sizes are not whole shares, one part within the first member's share) gives the same
/// spikes and traces on one, two and three threads.
#[test]
fn a_network_stepped_in_shares_gives_the_same_spikes_on_one_two_and_three_threads() {
    let text = r#"(
        version: 1, name: "in shares", description: "",
        run: (dt_ms: 0.1, duration_ms: 150.0, integrator: ExponentialEuler, spike_timing: Grid, seed: 4, record_every: 1),
        network: (
            populations: [
                (name: "E", size: 3001, role: Excitatory,
                 neuron: Lif(c_pf: 250.0, g_l_ns: 12.5, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -60.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 initial: {"v": Uniform(low: -70.0, high: -50.0)},
                 synapses: {"d": (kernel: Delta), "a": (kernel: Alpha(tau_ms: 1.0))}),
                (name: "I", size: 777, role: Inhibitory,
                 neuron: Lif(c_pf: 250.0, g_l_ns: 12.5, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -60.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 initial: {"v": Uniform(low: -70.0, high: -50.0)},
                 synapses: {"d": (kernel: Delta), "g": (kernel: Alpha(tau_ms: 2.0), reversal_mv: Some(-80.0))}),
            ],
            projections: [
                (from: "E", to: "E", synapse: "d", rule: FixedInDegree(k: 300), weight: Constant(25.0), delay_ms: Constant(1.5), multapses: true),
                (from: "E", to: "E", synapse: "a", rule: FixedProbability(p: 0.02), weight: Normal(mean: 20.0, sd: 4.0), delay_ms: Normal(mean: 1.5, sd: 0.5)),
                (from: "E", to: "I", synapse: "d", rule: FixedTotalNumber(n: 200000), weight: Constant(25.0), delay_ms: Constant(1.0), multapses: true),
                (from: "I", to: "E", synapse: "d", rule: FixedInDegree(k: 80), weight: Constant(-125.0), delay_ms: Constant(1.5), multapses: true),
                (from: "I", to: "I", synapse: "g", rule: FixedOutDegree(k: 60), weight: Uniform(low: 0.5, high: 1.5), delay_ms: Constant(2.0), multapses: true),
            ],
            inputs: [
                (population: "E", stimulus: (components: [Spikes(source: Poisson(rate_hz: 20000.0, start_ms: 0.0, duration_ms: 1e9), kernel: Delta, weight: 25.0, seed: 1)])),
                (population: "E", neurons: (0, 100), stimulus: (components: [Spikes(source: Poisson(rate_hz: 5000.0, start_ms: 0.0, duration_ms: 1e9), kernel: Delta, weight: 10.0, seed: 5)])),
                (population: "I", neurons: (64, 764), stimulus: (components: [
                    Spikes(source: Poisson(rate_hz: 18000.0, start_ms: 10.0, duration_ms: 100.0), kernel: Delta, weight: 25.0, seed: 2),
                    Pulse(start_ms: 20.0, duration_ms: 50.0, amplitude: 150.0),
                    Spikes(source: Regular(rate_hz: 200.0, start_ms: 0.0, duration_ms: 1e9), kernel: Delta, weight: 40.0, seed: 3),
                ])),
            ],
            record: [0, 1500, 3000, 3001, 3065, 3777],
        ),
    )"#;
    let mut preset = spikelab::preset::Preset::from_ron(text, "shares.ron").unwrap();
    let spec = preset.network.as_ref().unwrap();
    let net = spikelab::network::Net::build(spec, preset.run.dt_ms, preset.run.seed).unwrap();
    let stepping = |threads| spikelab::network::Stepping {
        dt_ms: preset.run.dt_ms,
        integrator: preset.run.integrator,
        timing: preset.run.spike_timing,
        threads,
    };
    assert!(!net.steps_in_shares(&stepping(1)) && net.steps_in_shares(&stepping(2)), "the whole step in shares");
    let one = common::run(&preset);
    assert!(one.spikes.len() > 5_000, "{} spikes: a network that fires", one.spikes.len());
    for threads in [2, 3] {
        preset.run.threads = threads;
        let many = common::run(&preset);
        assert_eq!(one.spikes, many.spikes, "{threads} threads");
        assert_eq!(one.samples, many.samples, "{threads} threads");
    }
}

/// A LIF cell (tau_m = 20 ms, C = 200 pF) with one exponential current synapse (tau_s = 5 ms)
/// that receives a single input spike of weight `w` at step 0: V under the exact scheme is
/// the closed form `V(t) = E_L + (w R tau_s / (tau_s - tau_m)) (e^(-t/tau_s) - e^(-t/tau_m))`
/// at every step, to rounding.
#[test]
fn exact_integration_of_lif_with_an_exponential_synapse_is_the_closed_form() {
    let text = r#"(
        version: 1, name: "exact", description: "",
        run: (dt_ms: 0.1, duration_ms: 60.0, integrator: Exact, spike_timing: Grid, seed: 1, record_every: 1),
        network: (
            populations: [
                (name: "in", size: 1, source: Times(times_ms: [0.0])),
                (name: "cell", size: 1, neuron: Lif(c_pf: 200.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -65.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 synapses: {"s": (kernel: Exponential(tau_ms: 5.0))}),
            ],
            projections: [(from: "in", to: "cell", synapse: "s", rule: AllToAll, weight: Constant(100.0), delay_ms: Constant(0.1))],
            record: [1],
        ),
    )"#;
    let preset = spikelab::preset::Preset::from_ron(text, "exact.ron").unwrap();
    let rec = common::run(&preset);
    let (tau_m, tau_s, r, w) = (20.0, 5.0, 0.1, 100.0); // R = 1/g_L in mV per pA
    // The spike of step 0 arrives at the start of step 1 (t = 0.1 ms) at the full weight.
    let mut worst: f64 = 0.0;
    for (t, values) in &rec.samples {
        let s = t - 0.1;
        let exact = if s <= 0.0 {
            -70.0
        } else {
            -70.0 + w * r * tau_s / (tau_s - tau_m) * ((-s / tau_s).exp() - (-s / tau_m).exp())
        };
        worst = worst.max((values[0] - exact).abs());
    }
    assert!(worst < 1e-12, "largest deviation from the closed form {worst:e} mV");
    assert!(rec.samples.iter().any(|(_, v)| v[0] > -69.0), "the PSP is visible");
}

/// Per-neuron parameters under the closed-form step: bias currents that leave the membranes
/// alike (one decay for all), capacitances that differ (a decay each), and capacitances alike
/// but unlike the base model's. Every cell relaxes along its own closed form
/// `V(t) = V_inf + (V_0 - V_inf) e^(-t g_L / C)`, `V_inf = E_L + I_e / g_L`, to rounding: under
/// the Exact scheme (which takes per-neuron currents, not membranes) and exponential Euler
/// (exact too for a held current).
#[test]
fn per_neuron_parameters_under_the_closed_form_step_follow_each_cells_closed_form() {
    let cell = "Lif(c_pf: 200.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -65.0, t_ref_ms: 2.0, i_e_pa: 120.0, v0_mv: -70.0)";
    let biases = format!(
        r#"(name: "biases", size: 3, neuron: {cell}, spread: [Values(param: "i_e_pa", values: [50.0, 100.0, 150.0])])"#
    );
    let membranes = format!(
        r#"(name: "membranes", size: 2, neuron: {cell}, spread: [Values(param: "c_pf", values: [100.0, 400.0])]),
           (name: "alike", size: 2, neuron: {cell},
            spread: [Values(param: "c_pf", values: [100.0, 100.0]), Values(param: "i_e_pa", values: [60.0, 140.0])])"#
    );
    let cells =
        [(200.0, 50.0), (200.0, 100.0), (200.0, 150.0), (100.0, 120.0), (400.0, 120.0), (100.0, 60.0), (100.0, 140.0)];
    for (integrator, populations, n) in
        [("Exact", biases.clone(), 3), ("ExponentialEuler", format!("{biases}, {membranes}"), 7)]
    {
        let text = format!(
            r#"(version: 1, name: "spread", description: "",
                run: (dt_ms: 0.1, duration_ms: 100.0, integrator: {integrator}, spike_timing: Grid, seed: 1, record_every: 1),
                network: (populations: [{populations}], record: {:?}))"#,
            (0..n).collect::<Vec<u32>>()
        );
        let preset = spikelab::preset::Preset::from_ron(&text, "spread.ron").unwrap();
        let rec = common::run(&preset);
        let mut worst: f64 = 0.0;
        for (t, values) in &rec.samples {
            assert_eq!(values.len(), n as usize);
            for (&(c, i_e), &v) in cells.iter().zip(values) {
                let v_inf = -70.0 + i_e / 10.0;
                worst = worst.max((v - (v_inf + (-70.0 - v_inf) * (-t * 10.0 / c).exp())).abs());
            }
        }
        assert_eq!(rec.samples.len(), 1001);
        assert!(rec.spikes.is_empty(), "every cell stays below threshold");
        assert!(worst < 1e-9, "{integrator}: largest deviation from the closed forms {worst:e} mV");
    }
}

/// Two neurons on the step grid (dt = 0.1 ms): A is driven above threshold and fires; B gets
/// A's spikes through a 1 ms delta synapse. Grid schedule: A's spike carries the time of the
/// end of the step it crossed in, A is clamped for round(t_ref / dt) whole steps, and B's jump
/// of w/C = 30 mV lands at the start of the step D = 10 steps after A's, so B fires at the end
/// of that step, 1 ms after A.
#[test]
fn grid_spike_timing_follows_the_step_schedule() {
    let text = r#"(
        version: 1, name: "grid", description: "",
        run: (dt_ms: 0.1, duration_ms: 30.0, integrator: Exact, spike_timing: Grid, seed: 1, record_every: 1),
        network: (
            populations: [
                (name: "A", size: 1, neuron: Lif(c_pf: 100.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -70.0, t_ref_ms: 4.0, v0_mv: -50.1),
                 synapses: {"d": (kernel: Delta)}),
                (name: "B", size: 1, neuron: Lif(c_pf: 100.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -70.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 synapses: {"d": (kernel: Delta)}),
            ],
            projections: [(from: "A", to: "B", synapse: "d", rule: AllToAll, weight: Constant(3000.0), delay_ms: Constant(1.0))],
            inputs: [(population: "A", stimulus: (components: [Dc(amplitude: 400.0)]))],
            record: [0, 1],
        ),
    )"#;
    let preset = spikelab::preset::Preset::from_ron(text, "grid.ron").unwrap();
    let rec = common::run(&preset);
    let times = |n: u32| -> Vec<f64> { rec.spikes.iter().filter(|s| s.neuron == n).map(|s| s.t_ms).collect() };
    let (a, b) = (times(0), times(1));
    // A: V_inf = -70 + 400/10 = -30 mV; from -50.1 it crosses -50 within the first step.
    assert!((a[0] - 0.1).abs() < 1e-9, "A's first spike at the end of step 0: {a:?}");
    // Clamped for 40 steps (0.1 .. 4.1 ms), then from -70 mV it takes
    // tau ln((V_inf - V_reset)/(V_inf - V_th)) = 10 ln 2 = 6.93 ms: 70 steps, ending at 11.1 ms.
    let tau = 10.0_f64;
    let steps = (tau * 2f64.ln() / 0.1).ceil();
    assert!((a[1] - (0.1 + 4.0 + steps * 0.1)).abs() < 1e-9, "A's second spike: {a:?}");
    // B: the 30 mV jump arrives at the start of step 0 + 10 and decays over it by e^(-0.01)
    // (29.7 mV above -70: over threshold), so B fires at the end of step 10.
    assert!((b[0] - 1.1).abs() < 1e-9, "B fires 1 ms after A: {b:?}");
    assert_eq!(b.len(), a.len(), "every spike of A makes B fire: A {a:?}, B {b:?}");
    for (ta, tb) in a.iter().zip(&b) {
        assert!((tb - ta - 1.0).abs() < 1e-9, "A {ta} -> B {tb}");
    }
    let mut sim = Simulation::from_preset(&preset, 1).unwrap();
    assert_eq!(sim.integrator(), Integrator::Exact);
    let mut rec = Recorder::default();
    sim.step(1, &mut rec).unwrap();
    assert_eq!(rec.spikes.len(), 1);
}

/// Input arriving during the refractory period is discarded under the exact scheme (Brunel's
/// rule): a jump that lands while the target is clamped changes nothing.
#[test]
fn delta_input_during_refractoriness_is_lost() {
    let text = r#"(
        version: 1, name: "refractory", description: "",
        run: (dt_ms: 0.1, duration_ms: 10.0, integrator: Exact, spike_timing: Grid, seed: 1, record_every: 1),
        network: (
            populations: [
                (name: "in", size: 1, source: Times(times_ms: [0.0, 0.5])),
                (name: "cell", size: 1, neuron: Lif(c_pf: 100.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -70.0, t_ref_ms: 2.0, v0_mv: -70.0),
                 synapses: {"d": (kernel: Delta)}),
            ],
            projections: [(from: "in", to: "cell", synapse: "d", rule: AllToAll, weight: Constant(3000.0), delay_ms: Constant(0.1))],
            record: [1],
        ),
    )"#;
    let preset = spikelab::preset::Preset::from_ron(text, "refractory.ron").unwrap();
    let rec = common::run(&preset);
    let cell: Vec<f64> = rec.spikes.iter().filter(|s| s.neuron == 1).map(|s| s.t_ms).collect();
    // The first input (arriving at 0.1 ms) fires the cell at 0.2 ms; the second (0.6 ms) lands
    // in its 2 ms refractory period and is lost: one spike, and V at rest afterwards.
    assert_eq!(cell.len(), 1, "{cell:?}");
    assert!((cell[0] - 0.2).abs() < 1e-9, "{cell:?}");
    let last = rec.samples.last().unwrap().1[0];
    assert!((last + 70.0).abs() < 1e-9, "V back at rest: {last}");
}

/// The learning lab's cells are engine options: a perfect integrator (g_L = 0) with a bias and
/// reset by subtraction counts charge exactly (0.25 mV a step against a 1 mV threshold: a spike
/// every fourth step, nothing lost), and an adaptive threshold rises by θ+ with every spike.
#[test]
fn perfect_integrator_with_subtraction_and_adaptive_threshold() {
    let text = r#"(
        version: 1, name: "cells", description: "",
        run: (dt_ms: 0.1, duration_ms: 10.0, integrator: Exact, spike_timing: Grid, seed: 1, record_every: 1),
        network: (
            populations: [
                (name: "if", size: 1, reset: Subtract,
                 neuron: Lif(c_pf: 100.0, g_l_ns: 0.0, e_l_mv: -70.0, v_th_mv: -69.0, v_reset_mv: -70.0, t_ref_ms: 0.0, i_e_pa: 250.0, v0_mv: -70.0)),
                (name: "adaptive", size: 1, adaptation: (theta_plus_mv: 0.5, tau_theta_ms: 1e9),
                 neuron: Lif(c_pf: 100.0, g_l_ns: 10.0, e_l_mv: -70.0, v_th_mv: -50.0, v_reset_mv: -70.0, t_ref_ms: 0.0, i_e_pa: 400.0, v0_mv: -70.0)),
            ],
            record: [0],
        ),
    )"#;
    let preset = spikelab::preset::Preset::from_ron(text, "cells.ron").unwrap();
    let mut sim = Simulation::from_preset(&preset, 1).unwrap();
    let mut rec = Recorder::default();
    sim.step(400, &mut rec).unwrap();
    let count = |n: u32| rec.spikes.iter().filter(|s| s.neuron == n).count();
    assert_eq!(count(0), 100, "one spike per 1 mV of charge");
    assert!((rec.samples.last().unwrap().1[0] + 70.0).abs() < 1e-9, "no charge lost");
    let adaptive = count(1);
    assert!(adaptive >= 3, "{adaptive} spikes");
    let theta = sim.net().population(1).theta()[0];
    assert!((theta - 0.5 * adaptive as f64).abs() < 1e-6, "theta {theta} after {adaptive} spikes");
    let times: Vec<f64> = rec.spikes.iter().filter(|s| s.neuron == 1).map(|s| s.t_ms).collect();
    let intervals: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(intervals.windows(2).all(|w| w[1] > w[0]), "the intervals lengthen: {intervals:?}");
}

/// Weight normalisation (a projection option) keeps the weights into each neuron at their sum,
/// and a frozen network (learning off) keeps its weights while its inputs play.
#[test]
fn normalised_weights_and_frozen_learning() {
    let text = r#"(
        version: 1, name: "normalise", description: "",
        run: (dt_ms: 0.5, duration_ms: 100.0, integrator: Exact, spike_timing: Grid, seed: 3, record_every: 1000),
        network: (
            populations: [
                (name: "in", size: 20, source: Poisson(rate_hz: 50.0, start_ms: 0.0, duration_ms: 1e9)),
                (name: "out", size: 5, neuron: Lif(c_pf: 100.0, g_l_ns: 1.0, e_l_mv: -65.0, v_th_mv: -60.0, v_reset_mv: -65.0, t_ref_ms: 2.0, v0_mv: -65.0),
                 synapses: {"s": (kernel: Delta)}),
            ],
            projections: [(from: "in", to: "out", synapse: "s", rule: AllToAll, weight: Uniform(low: 10.0, high: 30.0), delay_ms: Constant(0.5),
                plasticity: Multiplicative(lambda: 0.01, alpha: 0.5, mu_plus: 1.0, mu_minus: 1.0, tau_plus_ms: 20.0, tau_minus_ms: 20.0, w_max: 100.0),
                normalise: (total: 1000.0, every_ms: 50.0))],
            record: [20],
        ),
    )"#;
    let preset = spikelab::preset::Preset::from_ron(text, "normalise.ron").unwrap();
    let mut sim = Simulation::from_preset(&preset, 3).unwrap();
    let sums = |sim: &Simulation| {
        let mut sums = [0.0; 5];
        for (_, post, w) in sim.net().plastic_synapses() {
            sums[post as usize - 20] += w;
        }
        sums
    };
    assert!(sums(&sim).iter().all(|s| (s - 1000.0).abs() < 1e-9), "normalised when built: {:?}", sums(&sim));
    let mut rec = Recorder::default();
    sim.step(99, &mut rec).unwrap();
    assert!(sums(&sim).iter().any(|s| (s - 1000.0).abs() > 1e-6), "STDP moved them: {:?}", sums(&sim));
    sim.step(1, &mut rec).unwrap(); // the 100th step ends at 50 ms
    assert!(sums(&sim).iter().all(|s| (s - 1000.0).abs() < 1e-9), "normalised every 50 ms: {:?}", sums(&sim));
    assert!(rec.spikes.iter().any(|s| s.neuron >= 20), "the outputs fire");

    let before: Vec<f64> = sim.net().plastic_synapses().map(|(_, _, w)| w).collect();
    sim.set_learning(false);
    sim.rest();
    sim.play(0, &vec![vec![1.0, 2.0, 3.0]; 20]);
    let mut frozen = Recorder::default();
    sim.step(200, &mut frozen).unwrap();
    let after: Vec<f64> = sim.net().plastic_synapses().map(|(_, _, w)| w).collect();
    assert_eq!(before, after, "frozen weights do not learn");
    let played = frozen.spikes.iter().filter(|s| s.neuron < 20).count();
    assert_eq!(played, 60, "the played trains replace the Poisson inputs: 3 spikes from each of 20");
}
