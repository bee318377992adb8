use super::*;
use crate::synapse::Kernel;

/// The current of every step of `stimulus` for `steps` steps.
fn run(stimulus: &Stimulus, dt: f64, steps: u64, seed: u64) -> Vec<f64> {
    let mut runner = Runner::new(stimulus, dt, seed, 1);
    (0..steps).map(|n| runner.current(n)).collect()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}
fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

#[test]
fn pulse_edges_are_exact_for_several_dt() {
    let s = Stimulus {
        components: vec![Component::Pulse { start_ms: 60.0, duration_ms: 30.0, amplitude: 15.0 }],
        muted: vec![],
    };
    for (dt, expected) in [(0.01, 3000), (0.025, 1200), (0.1, 300), (0.05, 600), (0.001, 30_000)] {
        let currents = run(&s, dt, (200.0_f64 / dt).round() as u64, 1);
        assert_eq!(currents.iter().filter(|&&c| c != 0.0).count(), expected, "dt {dt}");
        let first = currents.iter().position(|&c| c != 0.0).unwrap();
        assert!((first as f64 * dt - 60.0).abs() < 1e-9, "dt {dt}: first on step {first}");
    }
}

#[test]
fn pulse_train_has_exactly_its_pulses() {
    let s = Stimulus {
        components: vec![Component::PulseTrain {
            start_ms: 10.0,
            count: 4,
            period_ms: 25.0,
            width_ms: 5.0,
            amplitude: 2.0,
        }],
        muted: vec![],
    };
    for dt in [0.01, 0.1, 0.25] {
        let currents = run(&s, dt, (200.0_f64 / dt).round() as u64, 1);
        assert_eq!(currents.iter().filter(|&&c| c == 2.0).count(), (4.0 * 5.0 / dt).round() as usize, "dt {dt}");
        let rising = currents.windows(2).filter(|w| w[0] == 0.0 && w[1] == 2.0).count();
        assert_eq!(rising, 4, "dt {dt}");
    }
    assert_eq!(s.value_at(36.0), 2.0);
    assert_eq!(s.value_at(42.0), 0.0);
}

#[test]
fn deterministic_components_match_value_at_on_the_grid() {
    let s = Stimulus {
        components: vec![
            Component::Dc { amplitude: 1.0 },
            Component::Sine {
                start_ms: 5.0,
                duration_ms: 100.0,
                amplitude: 2.0,
                frequency_hz: 20.0,
                phase_deg: 30.0,
                offset: 0.5,
            },
            Component::Chirp { start_ms: 0.0, duration_ms: 200.0, amplitude: 1.0, f0_hz: 1.0, f1_hz: 50.0 },
            Component::Ramp { start_ms: 50.0, duration_ms: 50.0, from: 1.0, slope_per_ms: 0.1 },
        ],
        muted: vec![],
    };
    let dt = 0.1;
    for (n, c) in run(&s, dt, 2500, 7).iter().enumerate() {
        assert!((c - s.value_at(n as f64 * dt)).abs() < 1e-12, "step {n}");
    }
    // A chirp's instantaneous frequency runs from f0 to f1: count zero crossings per half.
    let chirp = Stimulus { components: vec![s.components[2].clone()], muted: vec![] };
    let c = run(&chirp, 0.01, 20_000, 1);
    let crossings = |part: &[f64]| part.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!(crossings(&c[10_000..]) > 3 * crossings(&c[..10_000]));
}

#[test]
fn curve_follows_its_points_with_jumps() {
    // Izhikevich (2004) row R: t/25 below 200 ms, 0 until 300 ms, (t - 300)/12.5 * 4 until
    // 312.5 ms, then 0 (SCIENCE.md 1a).
    let r = Stimulus {
        components: vec![Component::Curve {
            points: vec![(0.0, 0.0), (200.0, 8.0), (200.0, 0.0), (300.0, 0.0), (312.5, 4.0), (312.5, 0.0)],
        }],
        muted: vec![],
    };
    let dt = 0.5;
    for (n, got) in run(&r, dt, 800, 1).into_iter().enumerate() {
        let t = n as f64 * dt;
        let want = if t < 200.0 {
            t / 25.0
        } else if t < 300.0 {
            0.0
        } else if t < 312.5 {
            (t - 300.0) / 12.5 * 4.0
        } else {
            0.0
        };
        assert!((got - want).abs() < 1e-12, "t = {t}: {got} vs {want}");
    }
}

#[test]
fn ou_noise_has_its_mean_variance_and_correlation_time() {
    let (mean_i, sigma, tau) = (5.0, 2.0, 10.0);
    let s = Stimulus {
        components: vec![Component::Noise {
            start_ms: 0.0,
            duration_ms: 1e7,
            mean: mean_i,
            sigma,
            tau_ms: tau,
            seed: 3,
        }],
        muted: vec![],
    };
    let dt = 0.5;
    let x = run(&s, dt, 400_000, 11); // 200 s = 20,000 correlation times
    assert!((mean(&x) - mean_i).abs() < 0.05, "mean {}", mean(&x));
    assert!((variance(&x).sqrt() / sigma - 1.0).abs() < 0.03, "sd {}", variance(&x).sqrt());
    // Autocorrelation at lag tau is 1/e for OU.
    let lag = (tau / dt) as usize;
    let m = mean(&x);
    let cov = x.windows(lag + 1).map(|w| (w[0] - m) * (w[lag] - m)).sum::<f64>() / (x.len() - lag) as f64;
    let rho = cov / variance(&x);
    assert!((rho - (-1.0f64).exp()).abs() < 0.03, "autocorrelation at tau: {rho}");
}

fn poisson_counts(source: SpikeSource, seed: u64, trials: u64, window_steps: u64, dt: f64) -> Vec<f64> {
    // A delta kernel with weight dt turns each spike into exactly 1 in its step.
    let s = Stimulus {
        components: vec![Component::Spikes { source, kernel: Kernel::Delta, weight: dt, seed }],
        muted: vec![],
    };
    let x = run(&s, dt, trials * window_steps, 5);
    x.chunks(window_steps as usize).map(|c| c.iter().sum::<f64>().round()).collect()
}

#[test]
fn poisson_counts_have_the_right_mean_and_a_fano_factor_of_one() {
    let (rate, dt) = (40.0, 0.1);
    let counts =
        poisson_counts(SpikeSource::Poisson { rate_hz: rate, start_ms: 0.0, duration_ms: 1e9 }, 2, 4000, 2500, dt);
    let expected = rate * 0.25; // 250 ms windows
    assert!((mean(&counts) / expected - 1.0).abs() < 0.02, "mean count {}", mean(&counts));
    let fano = variance(&counts) / mean(&counts);
    assert!((fano - 1.0).abs() < 0.06, "Fano factor {fano}");
}

#[test]
fn modulated_poisson_rate_follows_its_waveform() {
    let (rate, depth, f, dt) = (50.0, 40.0, 5.0, 0.1);
    let source = SpikeSource::ModulatedPoisson {
        rate_hz: rate,
        depth_hz: depth,
        frequency_hz: f,
        start_ms: 0.0,
        duration_ms: 1e9,
    };
    // Fold 400 s of spikes onto one 200 ms cycle in 10 bins: the rate follows rate + depth sin.
    let counts = poisson_counts(source, 9, 4_000_000, 1, dt);
    let cycle_steps = (1000.0 / f / dt) as usize;
    let mut bins = [0.0f64; 10];
    for (n, c) in counts.iter().enumerate() {
        bins[(n % cycle_steps) * 10 / cycle_steps] += c;
    }
    let cycles = counts.len() as f64 / cycle_steps as f64;
    for (b, &count) in bins.iter().enumerate() {
        let t0 = b as f64 * 20.0;
        // Mean of rate + depth sin(2 pi f t) over the bin.
        let w = 2.0 * std::f64::consts::PI * f * 1e-3;
        let expected_rate = rate + depth * ((w * t0).cos() - (w * (t0 + 20.0)).cos()) / (w * 20.0);
        let measured = count / cycles / 0.020;
        assert!((measured - expected_rate).abs() < 0.05 * rate, "bin {b}: {measured} Hz vs {expected_rate} Hz");
    }
}

#[test]
fn random_streams_are_reproducible_and_independent_per_component() {
    let noise = Component::Noise { start_ms: 0.0, duration_ms: 1e6, mean: 0.0, sigma: 1.0, tau_ms: 2.0, seed: 4 };
    let one = Stimulus { components: vec![noise.clone()], muted: vec![] };
    let a = run(&one, 0.1, 5000, 42);
    assert_eq!(a, run(&one, 0.1, 5000, 42), "same seed, same noise");
    assert_ne!(a, run(&one, 0.1, 5000, 43), "the preset's seed matters");
    // Adding a Poisson input before it, and muting it, leaves the noise stream untouched.
    let mut more = Stimulus::default();
    more.add(Component::example(9, 0.0, 1.0, 0));
    more.components.push(noise);
    more.set_muted(0, true);
    assert_eq!(run(&more, 0.1, 5000, 42), a);
    more.set_muted(0, false);
    let both = run(&more, 0.1, 5000, 42);
    let spikes_only = {
        let mut s = more.clone();
        s.set_muted(1, true);
        run(&s, 0.1, 5000, 42)
    };
    for ((b, s), n) in both.iter().zip(&spikes_only).zip(&a) {
        assert!((b - s - n).abs() < 1e-12, "the sum is the parts");
    }
}

#[test]
fn list_operations_keep_mutes_and_seeds_straight() {
    let mut s = Stimulus::default();
    s.add(Component::example(2, 0.0, 1.0, 0));
    s.add(Component::example(8, 0.0, 1.0, 0));
    s.add(Component::example(9, 0.0, 1.0, 0));
    assert_eq!(s.components.iter().filter_map(Component::seed).collect::<Vec<_>>(), vec![1, 2]);
    s.set_muted(1, true);
    s.duplicate(1);
    assert_eq!((s.components.len(), s.muted.clone()), (4, vec![1, 2]));
    assert_eq!(s.components[2].seed(), Some(3), "a duplicate draws its own stream");
    s.swap_with_next(0);
    assert_eq!(s.muted, vec![0, 2]);
    s.remove(0);
    assert_eq!(s.muted, vec![1]);
    s.validate().unwrap();
}

#[test]
fn invalid_values_name_the_component_and_field() {
    let cases: Vec<(Component, &str)> = vec![
        (Component::Pulse { start_ms: 1.0, duration_ms: -2.0, amplitude: 1.0 }, "duration_ms"),
        (Component::Noise { start_ms: 0.0, duration_ms: 10.0, mean: 0.0, sigma: -1.0, tau_ms: 5.0, seed: 1 }, "sigma"),
        (
            Component::Spikes {
                source: SpikeSource::Poisson { rate_hz: -5.0, start_ms: 0.0, duration_ms: 10.0 },
                kernel: Kernel::Delta,
                weight: 1.0,
                seed: 1,
            },
            "rate_hz",
        ),
        (Component::PulseTrain { start_ms: 0.0, count: 3, period_ms: 2.0, width_ms: 5.0, amplitude: 1.0 }, "period_ms"),
        (Component::Step { start_ms: -1.0, amplitude: 1.0 }, "start_ms"),
    ];
    for (component, field) in cases {
        let name = component.name();
        let s = Stimulus { components: vec![Component::Dc { amplitude: 1.0 }, component], muted: vec![] };
        let (index, f, message) = s.validate().unwrap_err();
        assert_eq!((index, f), (1, field));
        assert!(message.contains(&format!("component 1 ({name}): {field}")), "{message}");
    }
}

#[test]
fn csv_import_reads_a_trace_and_names_a_bad_row() {
    let curve = curve_from_csv("t_ms,current\n0,0\n10,5\n20,5\n30,0\n").unwrap();
    let s = Stimulus { components: vec![curve], muted: vec![] };
    assert_eq!(s.value_at(5.0), 2.5);
    assert_eq!(s.value_at(15.0), 5.0);
    let err = curve_from_csv("t_ms,current\n0,0\n10,five\n").unwrap_err();
    assert!(err.starts_with("line 3:") && err.contains("10,five"), "{err}");
    let err = curve_from_csv("0,0\n10,1\n5,2\n").unwrap_err();
    assert!(err.starts_with("line 3:") && err.contains("before"), "{err}");
}

#[test]
fn stimulus_files_round_trip_and_report_lines() {
    let mut s = Stimulus::default();
    s.add(Component::example(3, 10.0, 2.0, 0));
    s.add(Component::example(9, 0.0, 1.0, 0));
    s.set_muted(0, true);
    let back = Stimulus::from_ron(&s.to_ron(), "s.ron").unwrap();
    assert_eq!(back, s);
    let broken = s.to_ron().replace("count: 5", "count: 0");
    let err = Stimulus::from_ron(&broken, "s.ron").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("components.0.count"));
    assert!(broken.lines().nth(err.line.unwrap() - 1).unwrap().contains("count: 0"), "{err}");
}

#[test]
fn the_main_input_is_the_earliest_of_the_largest() {
    let s = Stimulus {
        components: vec![
            Component::Dc { amplitude: 0.24 },
            Component::Pulse { start_ms: 37.75, duration_ms: 4.75, amplitude: 1.0 },
            Component::Pulse { start_ms: 216.25, duration_ms: 4.75, amplitude: 1.0 },
        ],
        muted: vec![],
    };
    assert_eq!(s.main_window(300.0), (37.75, 42.5));
    assert_eq!(Stimulus::dc(3.0).main_window(300.0), (0.0, 300.0));
}
