use super::mapping::{pulse_response, window};
use super::*;
use crate::synapse::plasticity::StdpRule;

fn device(curve: Curve) -> Device {
    Device {
        name: "test".into(),
        source: String::new(),
        g_min_us: 0.1,
        g_max_us: 1.1,
        read: Read::Differential,
        curve,
        variation: Variation::default(),
    }
}

fn saturating(levels: u32, up: f64, down: f64) -> Device {
    device(Curve::SaturatingExp(SaturatingExp { levels, up: Nonlinearity::A(up), down: Nonlinearity::A(down) }))
}

#[test]
fn saturating_exp_follows_neurosims_closed_form_up_and_down() {
    for a in [0.2, 0.5, 1.0, 2.0] {
        let d = saturating(65, a, a / 2.0);
        let (p_max, range) = (64.0, d.g_max_us - d.g_min_us);
        let mut cells = Cells::new(&d, 1, 1);
        // G(P) = B (1 - e^(-P/A)) + G_min with A = a P_max and B = range / (1 - e^(-P_max/A)).
        let (big_a, b) = (a * p_max, range / (1.0 - (-1.0 / a).exp()));
        for p in 1..=64 {
            cells.pulse(0, true, 0.0);
            let expected = b * (1.0 - (-p as f64 / big_a).exp()) + d.g_min_us;
            assert!((cells.conductance_us(0, 0.0) - expected).abs() < 1e-12 * range, "a {a}, pulse {p}");
        }
        assert!((cells.conductance_us(0, 0.0) - d.g_max_us).abs() < 1e-12 * range, "G_max at P_max");
        // Depression mirrors it with its own A: G_max - B- (1 - e^(-P/A-)).
        let (big_a, b) = (a / 2.0 * p_max, range / (1.0 - (-2.0 / a).exp()));
        for p in 1..=64 {
            cells.pulse(0, false, 0.0);
            let expected = d.g_max_us - b * (1.0 - (-p as f64 / big_a).exp());
            assert!((cells.conductance_us(0, 0.0) - expected).abs() < 1e-12 * range, "a {a}, down {p}");
        }
    }
}

#[test]
fn neurosims_nonlinearity_labels_map_to_its_a() {
    // NeuroSim's device table: Ag:a-Si's 2.40 and -4.88 are A/P_max 0.4992 and 0.2003.
    assert!((a_of_label(2.40) - 0.4992).abs() < 1e-4, "{}", a_of_label(2.40));
    assert!((Nonlinearity::Label(-4.88).a() - 0.2003).abs() < 1e-4, "{}", a_of_label(4.88));
    for label in [0.04, 0.5, 1.94, 3.68, 6.76] {
        assert!((label_of_a(a_of_label(label)) - label).abs() < 1e-9, "{label}");
    }
    assert_eq!(a_of_label(0.0), f64::INFINITY);
    // A label of zero is a straight line: every pulse the same step.
    let d = device(Curve::SaturatingExp(SaturatingExp {
        levels: 11,
        up: Nonlinearity::Label(0.0),
        down: Nonlinearity::Label(0.0),
    }));
    let mut cells = Cells::new(&d, 1, 1);
    for p in 1..=10 {
        cells.pulse(0, true, 0.0);
        assert!((cells.fraction(0) - p as f64 / 10.0).abs() < 1e-12);
    }
}

#[test]
fn querlioz_exp_needs_the_pulses_its_integral_says_and_settles_where_events_balance() {
    let q = QuerliozExp::default();
    let d = device(Curve::QuerliozExp(q));
    let mut cells = Cells::new(&d, 1, 1);
    // An independent loop of the published update.
    let (mut x, mut n) = (0.0f64, 0u32);
    while x < 1.0 {
        x = (x + q.a_plus * (q.b_plus * x).exp()).min(1.0);
        cells.pulse(0, true, 0.0);
        n += 1;
        assert!((cells.fraction(0) - x).abs() < 1e-12, "pulse {n}");
    }
    // dx/dP = a+ e^(-3x): (e^3 - 1) / (3 a+) pulses from the bottom to the top.
    let expected = (3f64.exp() - 1.0) / (3.0 * q.a_plus);
    assert!((n as f64 / expected - 1.0).abs() < 0.01, "{n} pulses, integral {expected}");
    assert_eq!(d.span_pulses(), n as f64);

    // Random events, potentiating with probability p, balance where p a+ e^(-3x) = (1-p) a-.
    use rand::RngExt;
    let mut rng = crate::random::seeded(3);
    for p in [0.3, 0.5, 0.7] {
        let mut cells = Cells::new(&d, 1, 1);
        let (mut sum, mut count) = (0.0, 0);
        for event in 0..200_000 {
            cells.pulse(0, rng.random::<f64>() < p, 0.0);
            if event >= 50_000 {
                sum += cells.fraction(0);
                count += 1;
            }
        }
        let settle = (p * q.a_plus / ((1.0 - p) * q.a_minus)).ln() / 3.0;
        assert!((sum / count as f64 - settle).abs() < 0.01, "p {p}: {} vs {settle}", sum / count as f64);
    }
}

#[test]
fn stochastic_binary_devices_switch_with_their_probabilities() {
    let b = Binary { devices: 16, p_set: 0.05, p_reset: 0.03 };
    let d = device(Curve::StochasticBinary(b));
    let trials = 10_000;
    let mut cells = Cells::new(&d, trials, 7);
    // After n potentiating pulses from all OFF, each device is ON with 1 - (1 - p+)^n.
    for n in 1..=10 {
        let on: Vec<f64> = (0..trials)
            .map(|i| {
                cells.pulse(i, true, 0.0);
                cells.cell(i).on.count_ones() as f64
            })
            .collect();
        let expected = 16.0 * (1.0 - (1.0f64 - 0.05).powi(n));
        let (mean, se) = mean_se(&on);
        assert!((mean - expected).abs() < 4.0 * se, "n {n}: {mean} vs {expected} (se {se})");
    }
    // Events potentiating with probability p: each device ON with p p+ / (p p+ + (1-p) p-).
    use rand::RngExt;
    let mut rng = crate::random::seeded(11);
    let p = 0.4;
    for _ in 0..600 {
        for i in 0..trials {
            cells.pulse(i, rng.random::<f64>() < p, 0.0);
        }
    }
    let on: Vec<f64> = (0..trials).map(|i| cells.cell(i).on.count_ones() as f64).collect();
    let expected = 16.0 * p * 0.05 / (p * 0.05 + (1.0 - p) * 0.03);
    let (mean, se) = mean_se(&on);
    assert!((mean - expected).abs() < 4.0 * se, "stationary {mean} vs {expected} (se {se})");
}

fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn stt_mtj_switches_with_the_thermal_probability() {
    let m = SttMtj::default();
    // τ = 1 ns e^(40 (1 - 85/100)) = e^6 ns; p = 1 - e^(-10 ns / τ).
    let expected = 1.0 - (-10.0 / 6f64.exp()).exp();
    assert!((m.probability(85.0) - expected).abs() < 1e-15);
    assert!(m.probability(80.0) < m.probability(85.0), "less current, fewer switches");
    assert_eq!(Curve::SttMtj(m).binary().unwrap().0, 16);
}

#[test]
fn a_linear_device_visits_exactly_its_levels() {
    for levels in [2, 7, 64, 97] {
        let d = device(Curve::Linear(Linear { levels }));
        let mut seen = std::collections::BTreeSet::new();
        for row in pulse_response(&d, levels + 5, 2, 1, 1) {
            seen.insert(row.g_us.to_bits());
        }
        assert_eq!(seen.len(), levels as usize, "{levels} levels");
    }
}

#[test]
fn the_window_through_a_device_keeps_the_ideal_window_on_average_or_rounds_small_requests_away() {
    let d = device(Curve::Linear(Linear { levels: 101 }));
    let rule = StdpRule::published(0, 1.0); // Song et al.: A+ 0.01, A- 0.0105, 20 ms
    let dts: Vec<f64> = (-8..=8).map(|k| k as f64 * 10.0).collect();
    let trials = 4000;
    let stochastic = window(&d, &rule, Mapping::Pulses { rounding: Rounding::Stochastic }, &dts, &[0.5], trials, 5);
    for p in &stochastic {
        let ideal = rule.additive_window(p.dt_ms);
        let se = p.dw_sd / (trials as f64).sqrt();
        assert!((p.dw_mean - ideal).abs() <= 3.0 * se + 1e-15, "Δt {}: {} vs {ideal} (se {se})", p.dt_ms, p.dw_mean);
    }
    // Nearest: a request below half a step (0.005 of w_max) changes nothing.
    let nearest = window(&d, &rule, Mapping::Pulses { rounding: Rounding::Nearest }, &dts, &[0.5], 10, 5);
    for p in &nearest {
        let request = rule.additive_window(p.dt_ms) / 0.01;
        if request.abs() < 0.5 {
            assert_eq!((p.dw_mean, p.dw_sd), (0.0, 0.0), "Δt {}", p.dt_ms);
        } else {
            assert!((p.dw_mean - request.round() * 0.01).abs() < 1e-12, "Δt {}", p.dt_ms);
        }
    }
    // Querlioz's rule: one step up within T_LTP after the input, one step down everywhere else.
    let querlioz = window(&d, &rule, Mapping::Querlioz { t_ltp_ms: 20.0 }, &dts, &[0.5], 10, 5);
    for p in &querlioz {
        let step = if p.dt_ms >= 0.0 && p.dt_ms <= 20.0 { 0.01 } else { -0.01 };
        assert!((p.dw_mean - step).abs() < 1e-12, "Δt {}", p.dt_ms);
    }
}

#[test]
fn drift_follows_its_power_law_and_programming_restarts_it() {
    let mut d = device(Curve::Linear(Linear { levels: 11 }));
    d.variation.drift_nu = 0.1;
    d.variation.drift_t0_s = 1.0;
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulses(0, 5, 0.0);
    let g0 = cells.conductance_us(0, 0.0);
    assert!((g0 - 0.6).abs() < 1e-12);
    for t_s in [0.5, 1.0, 2.0, 10.0, 1000.0] {
        let expected = g0 * (t_s / 1.0f64).max(1.0).powf(-0.1);
        assert!((cells.conductance_us(0, t_s * 1e3) - expected).abs() < 1e-12, "t {t_s} s");
    }
    // A pulse at 100 s starts from the drifted conductance, one level up, and the clock restarts.
    let drifted = cells.conductance_us(0, 1e5);
    cells.pulse(0, true, 1e5);
    assert!((cells.conductance_us(0, 1e5) - (drifted + 0.1)).abs() < 1e-12);
}

#[test]
fn endurance_read_noise_and_asymmetry_act_as_described() {
    let mut d = device(Curve::Linear(Linear { levels: 11 }));
    d.variation.endurance = 3;
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulses(0, 10, 0.0);
    assert_eq!((cells.fraction(0), cells.cell(0).pulses), (0.3, 3), "stuck after three pulses");

    let mut d = device(Curve::Linear(Linear { levels: 11 }));
    d.variation.read_noise = 0.1;
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulses(0, 10, 0.0);
    let reads: Vec<f64> = (0..20_000).map(|_| cells.read_us(0, 0.0)).collect();
    let (mean, se) = mean_se(&reads);
    let sd = se * (reads.len() as f64).sqrt();
    assert!((mean - 1.1).abs() < 4.0 * se && (sd / 0.11 - 1.0).abs() < 0.05, "{mean} {sd}");
    assert_eq!(cells.conductance_us(0, 0.0), 1.1, "a read does not change the device");

    let mut d = device(Curve::Linear(Linear { levels: 101 }));
    d.variation.asymmetry = 0.5;
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulses(0, 10, 0.0);
    cells.pulses(0, -10, 0.0);
    assert!((cells.fraction(0) - 0.1).abs() < 1e-12, "up steps 1.5, down 0.5");
}

#[test]
fn device_variability_is_drawn_from_streams_of_its_own() {
    let mut d = device(Curve::QuerliozExp(QuerliozExp::default()));
    d.variation.c2c = 0.3;
    let run = |d: &Device| {
        let mut cells = Cells::new(d, 3, 9);
        (0..3).for_each(|i| cells.pulses(i, 200, 0.0));
        (0..3).map(|i| cells.fraction(i)).collect::<Vec<_>>()
    };
    let base = run(&d);
    assert!(base[0] != base[1], "c2c noise differs between devices");
    let mut spread = d.clone();
    spread.variation.d2d = 0.5;
    let with_d2d = run(&spread);
    assert!(with_d2d.iter().zip(&base).all(|(a, b)| a != b), "d2d changes the devices");
    // Devices drawn from their own streams: the second synapse's device is the same whether
    // there are 3 synapses or 300.
    let few = Cells::new(&spread, 3, 9);
    let many = Cells::new(&spread, 300, 9);
    assert_eq!(few.draw(1), many.draw(1));
    assert!(few.draw(0) != few.draw(1));
    // And the spread is what was asked: the relative sd of G_max over many devices.
    let g: Vec<f64> = (0..300).map(|i| many.draw(i).g_max_us).collect();
    let (mean, se) = mean_se(&g);
    let sd = se * (g.len() as f64).sqrt();
    assert!((mean / 1.1 - 1.0).abs() < 0.1 && (sd / (0.5 * 1.1) - 1.0).abs() < 0.15, "{mean} {sd}");
}

#[test]
fn program_and_verify_lands_on_the_nearest_reachable_state() {
    let d = device(Curve::Linear(Linear { levels: 11 }));
    let mut cells = Cells::new(&d, 1, 1);
    assert_eq!(cells.program(0, cells.nominal_us(0.33), 0.0), 3);
    assert!((cells.fraction(0) - 0.3).abs() < 1e-12);
    assert_eq!(cells.program(0, cells.nominal_us(0.06), 0.0), 2);
    assert!((cells.fraction(0) - 0.1).abs() < 1e-12);

    let b = device(Curve::StochasticBinary(Binary { devices: 8, p_set: 0.1, p_reset: 0.1 }));
    let mut cells = Cells::new(&b, 1, 1);
    assert_eq!(cells.program(0, cells.nominal_us(0.5), 0.0), 4);
    assert_eq!(cells.fraction(0), 0.5);

    let s = saturating(97, 0.4992, 0.2003);
    let mut cells = Cells::new(&s, 1, 1);
    cells.program(0, cells.nominal_us(0.7), 0.0);
    let got = cells.fraction(0);
    let mut one_more = cells.clone();
    one_more.pulse(0, got < 0.7, 0.0);
    assert!((got - 0.7).abs() <= (one_more.fraction(0) - 0.7).abs(), "{got}");
}

#[test]
fn two_pcm_synapses_move_both_ways_with_set_pulses_and_keep_their_weight_through_a_refresh() {
    let c = TwoPcm { a_set: 0.01, b_set: 0.0, beta: 1.0, refresh_every: 0 };
    let d = device(Curve::TwoPcm(c));
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulses(0, 30, 0.0);
    assert!((cells.fraction(0) - 0.3).abs() < 1e-12);
    cells.pulses(0, -10, 0.0);
    assert!((cells.fraction(0) - 0.2).abs() < 1e-12, "the depressing device SET");
    assert!((cells.cell(0).y - 0.1).abs() < 1e-12);
    // The LTP device saturates: both reset, the weight (0.9) held by one device again.
    cells.pulses(0, 70, 0.0);
    let cell = *cells.cell(0);
    assert!(cell.y == 0.0 && (cell.x - 0.9).abs() < 1e-9, "{cell:?}");
    // At the top with nothing to free, no refresh.
    cells.pulses(0, 20, 0.0);
    assert_eq!((cells.cell(0).x, cells.cell(0).y), (1.0, 0.0));
    let periodic = device(Curve::TwoPcm(TwoPcm { refresh_every: 20, ..c }));
    let mut cells = Cells::new(&periodic, 1, 1);
    cells.pulses(0, 15, 0.0);
    cells.pulses(0, -5, 0.0);
    assert_eq!(cells.cell(0).y, 0.0, "refreshed after 20 pulses");
    assert!((cells.fraction(0) - 0.1).abs() < 1e-12);
}

#[test]
fn measured_curves_interpolate_and_their_csv_must_be_a_function_of_g() {
    let text = "g_us,dg_up_us,dg_down_us\n0.0,0.2,0.0\n# a comment\n1.0,0.0,0.2\n";
    let m = Measured::from_csv(text).unwrap();
    let (up, down) = m.steps(0.25);
    assert!((up - 0.15).abs() < 1e-15 && (down - 0.05).abs() < 1e-15);
    assert_eq!(m.steps(5.0), (0.0, 0.2), "flat past the end");
    let err = Measured::from_csv("g_us,up,down\n0.5,1,1\n0.2,1,1\n").unwrap_err();
    assert_eq!(err.0, 3, "{err:?}");
    assert!(err.1.contains("function of G"), "{}", err.1);
    assert_eq!(Measured::from_csv("0,1\n").unwrap_err().0, 1);

    let mut d = device(Curve::Measured(m));
    d.g_min_us = 0.0;
    d.g_max_us = 1.0;
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulse(0, true, 0.0);
    assert!((cells.fraction(0) - 0.2).abs() < 1e-12);
    cells.pulse(0, true, 0.0);
    assert!((cells.fraction(0) - (0.2 + 0.2 * 0.8)).abs() < 1e-12);
}

#[test]
fn bad_devices_name_the_field_and_the_reason() {
    let err = |d: &Device| d.validate().unwrap_err();
    let mut d = device(Curve::Linear(Linear { levels: 1 }));
    assert_eq!(err(&d).0, "curve.levels");
    d.curve = Curve::Linear(Linear { levels: 4 });
    d.g_min_us = 2.0;
    assert!(err(&d).0 == "g_min_us" && err(&d).1.contains("below G_max"), "{:?}", err(&d));
    d.g_min_us = 0.0;
    d.variation.d2d = -0.1;
    assert_eq!(err(&d).0, "variation.d2d");
    d.variation.d2d = 0.0;
    d.curve = Curve::StochasticBinary(Binary { devices: 4, p_set: 1.5, p_reset: 0.1 });
    assert_eq!(err(&d).0, "curve.p_set");
    d.curve = Curve::StochasticBinary(Binary { devices: 4, p_set: 0.5, p_reset: 0.1 });
    d.variation.c2c = 0.1;
    assert_eq!(err(&d).0, "variation.c2c");
    d.variation.c2c = 0.0;
    d.curve = Curve::Measured(Measured { points: vec![[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]] });
    assert_eq!(err(&d).0, "curve.points.1");

    let text = "(\n    name: \"x\",\n    g_min_us: 1.0,\n    g_max_us: 0.5,\n    curve: Linear(levels: 8),\n)\n";
    let e = Device::from_ron(text, "dev.ron").unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("g_min_us")), "{e}");
    let mut ok = device(Curve::Linear(Linear { levels: 8 }));
    ok.set_path("curve.levels", "16").unwrap();
    assert_eq!(ok.curve, Curve::Linear(Linear { levels: 16 }));
    assert!(ok.set_path("variation.c2c", "-1").unwrap_err().contains("variation.c2c"));
    assert!(ok.set_path("curve.nope", "1").unwrap_err().contains("levels"));
    let back = Device::from_ron(&ok.to_ron(), "x").unwrap();
    assert_eq!(back, ok);
}

#[test]
fn weights_read_from_conductance_against_a_reference_or_zero() {
    let mut d = device(Curve::Linear(Linear { levels: 3 }));
    assert_eq!((d.weight(0.1, 2.0), d.weight(1.1, 2.0), d.weight(0.6, 2.0)), (0.0, 2.0, 1.0));
    d.read = Read::Absolute;
    assert!((d.weight(0.1, 2.0) - 2.0 * 0.1 / 1.1).abs() < 1e-15, "the ON/OFF ratio sets a floor");
    assert!((d.pulse_weight(2.0) - (2.0 - 2.0 * 0.1 / 1.1) / 2.0).abs() < 1e-15);
    assert_eq!(d.conductance_of(d.weight(0.6, 2.0), 2.0), 0.6);
}

#[test]
fn a_train_longer_than_the_range_stops_moving_at_the_bound_and_is_counted() {
    let mut d = device(Curve::QuerliozExp(QuerliozExp::default()));
    d.variation.c2c = 0.2;
    let mut cells = Cells::new(&d, 1, 1);
    cells.pulses(0, 1_000_000_000_000, 0.0);
    assert_eq!((cells.fraction(0), cells.cell(0).pulses), (1.0, 1_000_000_000_000));
    d.variation.endurance = 100;
    let mut worn = Cells::new(&d, 1, 1);
    worn.pulses(0, i64::MAX, 0.0);
    assert_eq!(worn.cell(0).pulses, 100, "no pulse past its endurance");
    // A binary synapse's train: each device switches with 1 - (1 - p)^k.
    let b = device(Curve::StochasticBinary(Binary { devices: 64, p_set: 1e-6, p_reset: 1e-6 }));
    let mut cells = Cells::new(&b, 200, 1);
    (0..200).for_each(|i| cells.pulses(i, 693_147, 0.0)); // (1 - 1e-6)^693147 = 1/2
    let on: Vec<f64> = (0..200).map(|i| cells.cell(i).on.count_ones() as f64).collect();
    let (mean, se) = mean_se(&on);
    assert!((mean - 32.0).abs() < 4.0 * se, "{mean} (se {se})");
}

#[test]
fn a_devices_levels_are_the_states_its_pulses_visit_and_weights_occupy_the_nearest() {
    let quarters = |levels: Vec<f64>| {
        levels.len() == 5 && levels.iter().enumerate().all(|(k, w)| (w - k as f64 / 4.0).abs() < 1e-12)
    };
    let linear = device(Curve::Linear(Linear { levels: 5 }));
    assert!(quarters(linear.level_weights(10).unwrap()));
    assert_eq!(linear.pulses_to_saturate(), Some(4));
    assert_eq!(linear.level_weights(4), None, "more states than asked for");
    // NeuroSim's curve: P_max = levels - 1 pulses, steps shrinking towards G_max.
    let ag = saturating(97, 0.4992, -0.2003);
    let levels = ag.level_weights(256).unwrap();
    assert_eq!((levels.len(), ag.pulses_to_saturate()), (97, Some(96)));
    assert!((levels[96] - 1.0).abs() < 1e-9 && levels[1] - levels[0] > 3.0 * (levels[96] - levels[95]));
    // M binary devices: M + 1 levels, and no pulse count is sure to saturate them.
    let binary = device(Curve::StochasticBinary(Binary { devices: 4, p_set: 0.1, p_reset: 0.1 }));
    assert!(quarters(binary.level_weights(10).unwrap()));
    assert_eq!(binary.pulses_to_saturate(), None);
    // Each weight at its nearest level: 0.1 and 0.2 at 0 and 0.25, 0.9 at 1.
    assert_eq!(occupied(&[0.0, 0.25, 0.5, 0.75, 1.0], &[0.1, 0.2, 0.9, 0.95]), Some(3));
    assert_eq!(occupied(&[], &[0.5]), None);
}
