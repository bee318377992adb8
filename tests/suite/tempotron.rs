//! EE746 STDP-A, the supervised tempotron-like task (SCIENCE.md 6.6): the shipped presets learn
//! their labelling, and every weight update equals the rule's closed form.

use spikelab::learning::tempotron::Outcome;
use spikelab::network::spec::Dist;
use spikelab::preset::Preset;
use spikelab::preset::learning::Learning;
use spikelab::preset::learning::Task;

fn load(name: &str) -> (Preset, Task) {
    let preset = Preset::load(std::path::Path::new(&format!("presets/plasticity/{name}.ron"))).expect("valid preset");
    let Some(Learning::Tempotron(task)) = preset.learning.clone() else { panic!("{name} is a tempotron task") };
    (preset, task)
}

/// The course kernel, written out: e^(-t/tau) - e^(-t/tau_s), tau_s = tau/4.
fn window(dt: f64, tau: f64) -> f64 {
    (-dt / tau).exp() - (-dt / (tau / 4.0)).exp()
}

#[test]
fn the_shipped_tasks_learn_their_labelling_within_fifteen_updates() {
    for name in ["ee746_tempotron", "ee746_tempotron_vice_versa"] {
        let (preset, task) = load(name);
        let outcome = task.run(&preset, |_| true).unwrap();
        assert!(outcome.converged(), "{name}: not learned in {} updates", outcome.updates());
        assert!(outcome.updates() >= 1 && outcome.updates() <= 15, "{name}: {} updates", outcome.updates());
        assert!(!outcome.iterations[0].all_correct(), "{name}: the initial weights already answer right");
        let last = outcome.iterations.last().unwrap();
        for (pattern, trial) in task.patterns.iter().zip(&last.trials) {
            assert_eq!(!trial.spikes.is_empty(), pattern.fire, "{name}: {} fires {:?}", pattern.name, trial.spikes);
        }
        for iteration in &outcome.iterations {
            assert!(iteration.weights.iter().all(|&w| (10.0..=500.0).contains(&w)), "{name}: weights leave [10, 500]");
        }
    }
}

/// Checks iteration `k + 1`'s weights against the rule applied by hand to iteration `k`.
fn check_update(task: &Task, outcome: &Outcome, k: usize, dt_ms: f64) {
    let (before, after) = (&outcome.iterations[k], &outcome.iterations[k + 1]);
    let mut expected = before.weights.clone();
    for ((pattern, trains), trial) in task.patterns.iter().zip(&outcome.patterns).zip(&before.trials) {
        let targets: Vec<f64> = match (pattern.fire, trial.spikes.is_empty()) {
            (true, true) => {
                // The time of the highest V; v[j] is at (j + 1) dt.
                let j = (0..trial.v.len()).max_by(|&a, &b| trial.v[a].total_cmp(&trial.v[b])).unwrap();
                vec![(j + 1) as f64 * dt_ms]
            }
            (false, false) => trial.spikes.clone(),
            _ => continue,
        };
        let sign = if pattern.fire { 1.0 } else { -1.0 };
        for (s, times) in trains.iter().enumerate() {
            for &t in &targets {
                if let Some(&tk) = times.iter().rfind(|&&tk| tk < t) {
                    expected[s] += sign * task.gamma * before.weights[s] * window(t - tk, task.tau_ms);
                }
            }
        }
    }
    for (s, (&got, want)) in after.weights.iter().zip(expected).enumerate() {
        let want = want.clamp(task.w_min, task.w_max);
        assert!((got - want).abs() < 1e-9 * want, "iteration {k} synapse {s}: {got} vs {want}");
    }
}

#[test]
fn each_update_is_the_rule_in_closed_form_for_eliciting_and_removing_spikes() {
    // Weaker weights and seed 3: S1 (fire) starts silent and S2 (silent) fires, so the first
    // update both elicits and removes.
    let (mut preset, mut task) = load("ee746_tempotron");
    task.weights = Dist::Normal { mean: 150.0, sd: 15.0 };
    preset.run.seed = 3;
    let outcome = task.run(&preset, |_| true).unwrap();
    let first = &outcome.iterations[0];
    assert!(first.trials[0].spikes.is_empty() && !first.trials[1].spikes.is_empty(), "both rules act");
    assert_eq!(first.trials[1].targets, first.trials[1].spikes, "removal aims at every output spike");
    for k in 0..outcome.updates() {
        check_update(&task, &outcome, k, preset.run.dt_ms);
    }
    // Eliciting raised S1's highest V until it fired.
    let peak = |k: usize| outcome.iterations[k].trials[0].v.iter().copied().fold(f64::MIN, f64::max);
    assert!(peak(1) > peak(0), "S1's peak {} -> {}", peak(0), peak(1));
    assert!(outcome.converged());

    // The shipped task's updates too (a removal with many output spikes).
    let (preset, task) = load("ee746_tempotron");
    let outcome = task.run(&preset, |_| true).unwrap();
    for k in 0..outcome.updates() {
        check_update(&task, &outcome, k, preset.run.dt_ms);
    }
}

#[test]
fn patterns_are_poisson_trains_on_the_grid_and_reproducible() {
    let (preset, mut task) = load("ee746_tempotron");
    task.synapses = 4000;
    task.rate_hz = 10.0;
    let dt = preset.run.dt_ms;
    let patterns = task.patterns(preset.run.seed, dt);
    assert_eq!(patterns, task.patterns(preset.run.seed, dt), "same seed, same patterns");
    assert_ne!(patterns[0], patterns[1], "each pattern has its own stream");
    for trains in &patterns {
        let counts: Vec<f64> = trains.iter().map(|t| t.len() as f64).collect();
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (counts.len() - 1) as f64;
        // Poisson with mean 10 Hz x 0.5 s = 5: mean and variance 5 (se of the mean 0.035).
        assert!((mean - 5.0).abs() < 0.15, "mean count {mean}");
        assert!((var / mean - 1.0).abs() < 0.1, "Fano factor {}", var / mean);
        for times in trains {
            assert!(times.windows(2).all(|w| w[0] <= w[1]));
            assert!(times.iter().all(|&t| (0.0..500.0).contains(&t) && ((t / dt).round() * dt - t).abs() < 1e-9));
        }
    }
    let weights = task.initial_weights(preset.run.seed);
    let mean = weights.iter().sum::<f64>() / weights.len() as f64;
    assert!((mean - 200.0).abs() < 1.5, "initial weights N(200, 20): mean {mean}");
}

#[test]
fn a_bad_task_names_its_line_and_field() {
    let text =
        std::fs::read_to_string("presets/plasticity/ee746_tempotron.ron").unwrap().replace("gamma: 1.0", "gamma: -1.0");
    let err = Preset::from_ron(&text, "task.ron").unwrap_err();
    let line = text.lines().position(|l| l.contains("gamma: -1.0")).unwrap() + 1;
    assert_eq!((err.line, err.field.as_deref()), (Some(line), Some("learning.gamma")), "{err}");
}
