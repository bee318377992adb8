//! Generated presets: a seeded generator of *valid* single-neuron and network presets over the
//! whole space (every model, integrator, spike timing, dt, kernel, current and conductance
//! synapses, connection rule, weight and delay distribution, plasticity rule, memory device,
//! input and spike source, sizes from 1). Each runs briefly; the only allowed outcomes are a run whose recorded
//! values stay in their model's physical envelope, or a clean error or fault with a message.
//! `SPIKELAB_FUZZ=N` runs N cases instead of the default (`SPIKELAB_FUZZ_SHOW=1` prints every
//! refusal and fault, not the first 12); a failing case prints its preset, to be kept under
//! `tests/regressions/` with a name that says what it tried.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rand::RngExt;
use spikelab::engine::Simulation;
use spikelab::integrate::{Integrator, SpikeTiming};
use spikelab::network::population::{Adaptation, Reset};
use spikelab::network::spec::{
    Connectivity, Dist, Input, NetworkSpec, Normalise, PopulationSpec, Projection, Role, Spread, SynapseType,
};
use spikelab::neuron::{ModelKind, NeuronModel};
use spikelab::preset::Preset;
use spikelab::random::{Rng, seeded};
use spikelab::stimulus::{Component, SpikeSource, Stimulus};
use spikelab::synapse::Kernel;
use spikelab::synapse::device::{DeviceSynapse, Mapping, Rounding};
use spikelab::synapse::plasticity;

use crate::common::Recorder;

/// Cases CI runs (in well under a minute).
const CASES: usize = 1000;

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A model of `kind`: its defaults, or with some parameters drawn across their whole ranges
/// (kept only if the relations between them hold).
fn model(rng: &mut Rng, kind: ModelKind) -> NeuronModel {
    let base = kind.default_model();
    let share: f64 = *pick(rng, &[0.0, 0.2, 0.5, 1.0]);
    for _ in 0..20 {
        let mut m = base;
        for spec in base.specs() {
            if rng.random::<f64>() < share {
                m.set(spec.key, spec.min + (spec.max - spec.min) * rng.random::<f64>());
            }
        }
        if m.validate().is_ok() {
            return m;
        }
    }
    base
}

/// A current of the model's typical size, now and then three times past its slider.
fn current(rng: &mut Rng, kind: ModelKind) -> f64 {
    let (lo, hi) = kind.current_range();
    let scale = if rng.random::<f64>() < 0.15 { 3.0 } else { 1.0 };
    scale * (lo + (hi - lo) * rng.random::<f64>())
}

fn kernel(rng: &mut Rng) -> Kernel {
    let tau_ms = *pick(rng, &[0.5, 2.0, 5.0, 20.0]);
    match rng.random_range(0..4) {
        0 => Kernel::Delta,
        1 => Kernel::Exponential { tau_ms },
        2 => Kernel::Alpha { tau_ms },
        _ => Kernel::DoubleExponential { tau_ms },
    }
}

fn source(rng: &mut Rng) -> SpikeSource {
    let rate_hz = *pick(rng, &[5.0, 50.0, 500.0, 3000.0]);
    match rng.random_range(0..4) {
        0 => SpikeSource::Poisson { rate_hz, start_ms: 0.0, duration_ms: 1e9 },
        1 => SpikeSource::ModulatedPoisson {
            rate_hz,
            depth_hz: rate_hz,
            frequency_hz: 10.0,
            start_ms: 0.0,
            duration_ms: 1e9,
        },
        2 => SpikeSource::Regular { rate_hz, start_ms: 1.0, duration_ms: 1e9 },
        _ => SpikeSource::Times { times_ms: vec![1.0, 2.0, 5.0, 5.0, 30.0] },
    }
}

/// One to three components of input current.
fn stimulus(rng: &mut Rng, kind: ModelKind) -> Stimulus {
    let components = (0..rng.random_range(1..=3))
        .map(|_| {
            let amplitude = current(rng, kind);
            match rng.random_range(0..9) {
                7 => Component::Chirp { start_ms: 0.0, duration_ms: 50.0, amplitude, f0_hz: 1.0, f1_hz: 200.0 },
                8 => Component::Curve { points: vec![(0.0, 0.0), (10.0, amplitude), (10.0, -amplitude), (40.0, 0.0)] },
                0 => Component::Dc { amplitude },
                1 => Component::Step { start_ms: 5.0, amplitude },
                2 => Component::Pulse { start_ms: 2.0, duration_ms: 10.0, amplitude },
                3 => Component::Sine {
                    start_ms: 0.0,
                    duration_ms: 1e3,
                    amplitude,
                    frequency_hz: 40.0,
                    phase_deg: 0.0,
                    offset: 0.0,
                },
                4 => Component::Noise {
                    start_ms: 0.0,
                    duration_ms: 1e3,
                    mean: amplitude,
                    sigma: amplitude.abs(),
                    tau_ms: 2.0,
                    seed: rng.random(),
                },
                5 => Component::Ramp { start_ms: 0.0, duration_ms: 50.0, from: 0.0, slope_per_ms: amplitude / 20.0 },
                _ => Component::Spikes {
                    source: source(rng),
                    kernel: kernel(rng),
                    weight: amplitude,
                    seed: rng.random(),
                },
            }
        })
        .collect();
    Stimulus { components, ..Stimulus::default() }
}

fn run_settings(rng: &mut Rng, preset: &mut Preset) {
    preset.run.integrator = *pick(rng, &Integrator::ALL);
    preset.run.spike_timing = *pick(rng, &SpikeTiming::ALL);
    preset.run.dt_ms = *pick(rng, &[0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0]);
    preset.run.duration_ms = 60.0;
    preset.run.record_every = 1;
    preset.run.seed = rng.random_range(0..1000);
    preset.run.threads = *pick(rng, &[1, 1, 2]);
}

fn single_neuron(rng: &mut Rng) -> Preset {
    let kind = *pick(rng, &ModelKind::ALL);
    let mut preset = Preset::with_model("generated neuron", model(rng, kind));
    preset.stimulus = stimulus(rng, kind);
    run_settings(rng, &mut preset);
    preset
}

fn dist(rng: &mut Rng, centre: f64) -> Dist {
    match rng.random_range(0..3) {
        0 => Dist::Constant(centre),
        1 => Dist::Uniform { low: 0.5 * centre, high: 1.5 * centre },
        _ => Dist::Normal { mean: centre, sd: 0.3 * centre.abs() },
    }
}

fn network(rng: &mut Rng) -> Preset {
    let n_pops = rng.random_range(1..=3);
    let mut populations = Vec::new();
    for p in 0..n_pops {
        let kind = *pick(rng, &ModelKind::ALL);
        let mut synapses = BTreeMap::new();
        for name in ["a", "b"] {
            let reversal_mv = match rng.random_range(0..3) {
                0 => None,
                1 => Some(0.0),
                _ => Some(-80.0),
            };
            synapses.insert(name.to_string(), SynapseType { kernel: kernel(rng), reversal_mv });
        }
        let source = (p > 0 && rng.random::<f64>() < 0.3).then(|| match rng.random_range(0..5) {
            0 => SpikeSource::Digits { max_rate_hz: 100.0, present_ms: 20.0, rest_ms: 5.0 },
            _ => source(rng),
        });
        let neuron = model(rng, kind);
        // The digits are 8x8 images: a population of 64 sources shows them.
        let digits = matches!(source, Some(SpikeSource::Digits { .. }));
        let size = if digits { 64 } else { *pick(rng, &[1, 2, 7, 20, 50]) };
        // Now and then a parameter that varies from cell to cell, by each kind of spread.
        let mut spread = Vec::new();
        if rng.random::<f64>() < 0.3 {
            let spec = *pick(rng, neuron.specs());
            let (param, base) = (spec.key.to_string(), neuron.get(spec.key).expect("a key"));
            let (low, high) =
                (spec.min.max(base - 0.1 * (spec.max - spec.min)), spec.max.min(base + 0.1 * (spec.max - spec.min)));
            spread.push(match rng.random_range(0..5) {
                0 => Spread::Uniform { param, low, high },
                1 => Spread::Normal { param, sd: 0.02 * (spec.max - spec.min) },
                2 => Spread::Ramp { param, low, high },
                3 => Spread::Shared { param, scale: 0.5 * (high - base), power: 2.0 },
                _ => Spread::Values {
                    param,
                    values: (0..size).map(|i| low + (high - low) * i as f64 / size as f64).collect(),
                },
            });
        }
        let mut initial = BTreeMap::new();
        if rng.random::<f64>() < 0.3 {
            let v0 = neuron.initial_state()[0];
            initial.insert("v".to_string(), Dist::Uniform { low: v0 - 10.0 * v0.abs().min(1.0), high: v0 });
        }
        populations.push(PopulationSpec {
            name: format!("P{p}"),
            size,
            role: if rng.random() { Role::Excitatory } else { Role::Inhibitory },
            neuron,
            source,
            spread,
            reset: if rng.random::<f64>() < 0.2 { Reset::Subtract } else { Reset::ToValue },
            adaptation: (rng.random::<f64>() < 0.2).then_some(Adaptation { theta_plus_mv: 0.5, tau_theta_ms: 50.0 }),
            initial,
            synapses,
        });
    }
    let mut projections = Vec::new();
    for _ in 0..rng.random_range(0..=4) {
        let from = rng.random_range(0..n_pops);
        let to = rng.random_range(0..n_pops);
        let target = &populations[to];
        if target.source.is_some() {
            continue;
        }
        let synapse = *pick(rng, &["a", "b"]);
        let conductance = target.synapses[synapse].reversal_mv.is_some();
        let scale = current(rng, target.neuron.kind()).abs() / 10.0;
        let centre = if conductance { rng.random::<f64>() * 20.0 } else { scale * (2.0 * rng.random::<f64>() - 1.0) };
        let rule = match rng.random_range(0..6) {
            5 => Connectivity::Explicit { synapses: vec![(0, 0, centre, 1.0), (0, 0, centre, 0.5)] },
            0 => Connectivity::AllToAll,
            1 => Connectivity::OneToOne,
            2 => Connectivity::FixedProbability { p: *pick(rng, &[0.0, 0.1, 0.5, 1.0]) },
            3 => Connectivity::FixedInDegree { k: rng.random_range(0..=5) },
            _ => Connectivity::FixedOutDegree { k: rng.random_range(0..=5) },
        };
        let plastic = rng.random::<f64>() < 0.3;
        let kinds = plasticity::StdpRule::kinds().count();
        projections.push(Projection {
            from: format!("P{from}"),
            to: format!("P{to}"),
            synapse: synapse.into(),
            rule,
            weight: dist(rng, if plastic { centre.abs() } else { centre }),
            delay_ms: {
                let delay = *pick(rng, &[0.0, 0.1, 1.0, 5.0]);
                dist(rng, delay)
            },
            autapses: rng.random(),
            multapses: rng.random(),
            plasticity: plastic
                .then(|| plasticity::StdpRule::published(rng.random_range(0..kinds), 2.0 * centre.abs())),
            normalise: (plastic && rng.random::<f64>() < 0.3)
                .then(|| Normalise { total: 5.0 * centre.abs(), every_ms: *pick(rng, &[1.0, 10.0]) }),
            device: (plastic && rng.random::<f64>() < 0.3).then(|| device(rng)),
        });
    }
    let mut inputs = Vec::new();
    for (p, pop) in populations.iter().enumerate() {
        if pop.source.is_none() && rng.random::<f64>() < 0.8 {
            inputs.push(Input {
                population: format!("P{p}"),
                neurons: None,
                stimulus: stimulus(rng, pop.neuron.kind()),
            });
        }
    }
    let total: u32 = populations.iter().map(|p| p.size).sum();
    // The first cells (population 0 is never a source) and the last, unless it is a source.
    let mut record: Vec<u32> = (0..populations[0].size.min(5)).collect();
    if populations.last().is_some_and(|p| p.source.is_none()) && total > 5 {
        record.push(total - 1);
    }
    let mut preset = Preset::with_model("generated network", populations[0].neuron);
    preset.network = Some(NetworkSpec { populations, projections, inputs, record });
    run_settings(rng, &mut preset);
    preset
}

/// A bundled memory device, now and then varied, under one of the mappings.
fn device(rng: &mut Rng) -> DeviceSynapse {
    let names: Vec<&str> = spikelab::library::device_names().collect();
    let name = *pick::<&str>(rng, &names);
    let mut device = spikelab::library::resolve_device(name).expect("bundled devices are valid");
    if rng.random::<f64>() < 0.5 {
        let v = &mut device.variation;
        v.d2d = *pick(rng, &[0.0, 0.1, 0.5, 1.5]);
        v.read_noise = *pick(rng, &[0.0, 0.05]);
        v.endurance = *pick(rng, &[0, 5, 1000]);
        v.asymmetry = *pick(rng, &[0.0, -0.5, 0.9]);
        if device.curve.binary().is_none() {
            v.c2c = *pick(rng, &[0.0, 0.05, 1.0]);
            v.drift_nu = *pick(rng, &[0.0, 0.1]);
            v.drift_t0_s = *pick(rng, &[1e-3, 1.0]);
        }
    }
    let mapping = match rng.random_range(0..3) {
        0 => Mapping::Pulses { rounding: Rounding::Nearest },
        1 => Mapping::Pulses { rounding: Rounding::Stochastic },
        _ => Mapping::Querlioz { t_ltp_ms: *pick(rng, &[1.0, 20.0]) },
    };
    DeviceSynapse { device, mapping }
}

/// What one case did.
enum Outcome {
    /// Ran to the end with every recorded value in its envelope.
    Ran,
    /// Refused at build, with this message.
    Refused(String),
    /// Paused at a fault with a clear message, every value recorded before it in its envelope.
    Paused(String),
    /// Not a valid preset: not a case.
    Invalid,
    Failed(String),
}

/// The model of global neuron `g` (the single neuron's, or its population's).
fn model_of(preset: &Preset, g: usize) -> NeuronModel {
    let Some(net) = &preset.network else { return preset.neuron };
    let mut first = 0;
    for pop in &net.populations {
        if g < first + pop.size as usize {
            return pop.neuron;
        }
        first += pop.size as usize;
    }
    preset.neuron
}

fn run_case(preset: &Preset) -> Outcome {
    if preset.validate().is_err() {
        return Outcome::Invalid;
    }
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<Outcome, String> {
        let mut sim = match Simulation::from_preset(preset, preset.run.seed) {
            Ok(sim) => sim,
            Err(message) => return Ok(Outcome::Refused(message)),
        };
        let columns = sim.columns();
        let mut rec = Recorder::default();
        sim.sample(&mut rec);
        let steps = (preset.run.duration_ms / preset.run.dt_ms).round() as u64;
        let fault = sim.step(steps, &mut rec).err();
        if let Some(fault) = &fault {
            let message = fault.to_string();
            if message.len() < 40 || !message.contains(&format!("neuron {}", fault.neuron)) {
                return Err(format!("a fault without a clear message: {message}"));
            }
        }
        for (t, values) in &rec.samples {
            for (name, &value) in columns.iter().zip(values) {
                let (g, key) = name.split_once('.').expect("columns are <neuron>.<var>");
                let model = model_of(preset, g.parse().expect("a neuron index"));
                let Some(var) = model.vars().iter().find(|v| v.key == key) else { continue };
                if !var.holds(value) {
                    return Err(format!(
                        "{name} = {value} at t = {t} ms, outside {:?} (fault: {fault:?})",
                        var.envelope
                    ));
                }
            }
        }
        Ok(fault.map_or(Outcome::Ran, |f| Outcome::Paused(format!("{:?}: {f}", model_of(preset, f.neuron).kind()))))
    }));
    match result {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(why)) => Outcome::Failed(why),
        Err(panic) => Outcome::Failed(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

#[test]
fn every_generated_valid_preset_runs_in_its_envelope_or_says_why() {
    let cases: usize = std::env::var("SPIKELAB_FUZZ").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES);
    let mut rng = seeded(2026);
    let (mut run, mut failures) = (0, Vec::new());
    let (mut tried, mut ran, mut refused, mut paused) = (0, 0, Vec::new(), Vec::new());
    while run < cases {
        tried += 1;
        assert!(tried < 50 * cases, "the generator makes too few valid presets ({run} of {tried})");
        let preset = if rng.random::<f64>() < 0.4 { single_neuron(&mut rng) } else { network(&mut rng) };
        match run_case(&preset) {
            Outcome::Invalid => continue,
            Outcome::Ran => ran += 1,
            Outcome::Refused(why) => refused.push(why),
            Outcome::Paused(why) => paused.push(format!("{:?} dt {} {why}", preset.run.integrator, preset.run.dt_ms)),
            Outcome::Failed(why) => failures.push(format!("case {run}: {why}\n{}", preset.to_ron())),
        }
        run += 1;
    }
    eprintln!(
        "{run} generated presets ({tried} drawn): {ran} ran to the end, {} refused, {} paused at a fault",
        refused.len(),
        paused.len()
    );
    for why in refused.iter().chain(&paused).take(if std::env::var_os("SPIKELAB_FUZZ_SHOW").is_some() {
        usize::MAX
    } else {
        12
    }) {
        eprintln!("  {}", why.chars().take(300).collect::<String>());
    }
    // Most cases must really run, or the generator tests nothing.
    assert!(ran * 10 >= run * 7, "only {ran} of {run} generated presets ran to the end");
    assert!(
        failures.is_empty(),
        "{} of {run} generated presets went wrong:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every case the generator ever failed on, kept with a name that says what it tried.
#[test]
fn every_regression_preset_runs_in_its_envelope_or_says_why() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("the regressions folder") {
        let path = entry.expect("an entry").path();
        let preset = Preset::load(&path).unwrap_or_else(|e| panic!("{e}"));
        // A kept case is a valid run that went wrong: it must now run to its end.
        match run_case(&preset) {
            Outcome::Ran => {}
            Outcome::Refused(why) | Outcome::Paused(why) => panic!("{}: {why}", path.display()),
            Outcome::Invalid => panic!("{}: no longer valid", path.display()),
            Outcome::Failed(why) => panic!("{}: {why}", path.display()),
        }
        count += 1;
    }
    assert!(count > 0);
}
