//! The neuron lab's science: Hodgkin-Huxley against published values and an independent
//! reference, AdEx (Naud 2008 labels, the LIF limit), the 20 Izhikevich (2004) behaviours, and
//! the phase plane.

use crate::common::{Recorder, bundled, run};
use spikelab::analysis::phase_plane::{Stability, fixed_points, nullclines, plane};
use spikelab::analysis::{classify, rheobase};
use spikelab::engine::Simulation;
use spikelab::integrate::Integrator;
use spikelab::neuron::{AdEx, HodgkinHuxley, Lif, NeuronModel};
use spikelab::preset::Preset;
use spikelab::stimulus::{Component, Stimulus};

fn hh_step(amp: f64, integrator: Integrator) -> Preset {
    let mut p = bundled("hodgkin-huxley/rest");
    p.stimulus = Stimulus::of(vec![Component::Step { start_ms: 10.0, amplitude: amp }]);
    p.run.integrator = integrator;
    p.run.duration_ms = 100.0;
    p
}

#[test]
fn hh_rests_at_the_published_state() {
    // Dayan & Abbott: rest -64.996 mV; gates 0.0530, 0.5960, 0.3177 (also the reference's line 1).
    let header = include_str!("../reference/hodgkin_huxley.csv").lines().next().unwrap();
    assert!(header.contains("v=-64.996379"), "{header}");
    let mut p = bundled("hodgkin-huxley/rest");
    p.neuron.set("v0_mv", -60.0); // start off rest: it must find it
    p.run.duration_ms = 300.0;
    let rec = run(&p);
    let last = &rec.samples.last().unwrap().1;
    assert!(rec.spikes.is_empty());
    assert!((last[0] + 64.996).abs() < 0.005, "V = {}", last[0]);
    for (value, published) in last[1..].iter().zip([0.0530, 0.5960, 0.3177]) {
        assert!((value - published).abs() < 5e-4, "gate {value} vs {published}");
    }
}

#[test]
fn hh_spike_times_match_the_independent_reference() {
    let text = include_str!("../reference/hodgkin_huxley.csv");
    for line in text.lines().skip(2) {
        let f: Vec<&str> = line.split(',').collect();
        let amp: f64 = f[0].parse().unwrap();
        let count: usize = f[1].parse().unwrap();
        let reference: Vec<f64> = f[2..].iter().filter(|x| !x.is_empty()).map(|x| x.parse().unwrap()).collect();
        for (integrator, tolerance) in
            [(Integrator::Rk4, 0.01), (Integrator::ExponentialEuler, 0.2), (Integrator::Euler, 0.2)]
        {
            let ours = run(&hh_step(amp, integrator)).spike_times();
            assert_eq!(ours.len(), count, "{integrator:?} at {amp} uA/cm^2");
            if let (Some(a), Some(b)) = (ours.first(), reference.first()) {
                assert!((a - b).abs() < tolerance, "{integrator:?} at {amp}: first spike {a} vs {b}");
            }
            if integrator == Integrator::Rk4 {
                for (a, b) in ours.iter().zip(&reference) {
                    assert!((a - b).abs() < tolerance, "RK4 at {amp}: {a} vs {b}");
                }
            }
        }
    }
}

#[test]
fn hh_thresholds_are_in_the_published_ranges() {
    let rest = bundled("hodgkin-huxley/rest");
    // A single spike from rest needs a step of about 2.2 uA/cm^2 ...
    let single = rheobase(&rest, (0.0, 20.0), 200.0, 1, 0.01).unwrap().unwrap();
    assert!((2.1..2.5).contains(&single), "rheobase {single}");
    // ... repetitive firing appears near 6.3 (saddle-node of limit cycles) ...
    let repetitive = rheobase(&rest, (0.0, 20.0), 200.0, 5, 0.01).unwrap().unwrap();
    assert!((5.9..6.7).contains(&repetitive), "repetitive from {repetitive}");
    // ... and it starts near 50 Hz, not from zero: Class 2.
    let times = spikelab::analysis::spike_times_at(&rest, repetitive + 0.05, 500.0).unwrap();
    let rate = spikelab::analysis::steady_rate_hz(&times[2..]);
    assert!(rate > 40.0, "onset rate {rate} Hz");
}

#[test]
fn hh_protocols_behave_as_described() {
    let count = |name: &str| run(&bundled(name)).spikes.len();
    assert_eq!(count("hodgkin-huxley/single_spike"), 1);
    assert_eq!(count("hodgkin-huxley/anode_break"), 1, "spike on release from hyperpolarisation");
    assert_eq!(count("hodgkin-huxley/refractoriness"), 1, "second pulse falls in the refractory period");
    assert_eq!(count("hodgkin-huxley/ttx"), 0);
    let mut later = bundled("hodgkin-huxley/refractoriness");
    if let Component::Pulse { start_ms, .. } = &mut later.stimulus.components[1] {
        *start_ms = 30.0;
    }
    assert_eq!(run(&later).spikes.len(), 2, "20 ms later the second pulse fires again");
    // EE746 homework: three action potentials peaking near +41 mV.
    let rec = run(&bundled("ee746/hh_15ua_pulse"));
    assert_eq!(rec.spikes.len(), 3);
    let peak = rec.samples.iter().map(|s| s.1[0]).fold(f64::MIN, f64::max);
    assert!((39.0..43.0).contains(&peak), "peak {peak}");
    assert!(rec.spike_times().iter().all(|&t| (60.0..90.0).contains(&t)));
}

#[test]
fn hh_energy_per_spike_is_positive_and_dominated_by_sodium_entry() {
    let p = bundled("hodgkin-huxley/single_spike");
    let NeuronModel::HodgkinHuxley(hh) = p.neuron else { unreachable!() };
    let rec = run(&p);
    let samples: Vec<(f64, [f64; 4])> = rec.samples.iter().map(|(t, v)| (*t, [v[0], v[1], v[2], v[3]])).collect();
    let (energy, charge) = spikelab::analysis::energy::per_spike(&hh, &samples, &rec.spike_times()).unwrap();
    // The HH model lets about 1.2 uC/cm^2 of Na+ in per spike (~12 pmol/cm^2): several times
    // the minimum C dV = 1 uF/cm^2 x 100 mV = 0.1 uC/cm^2, because Na+ and K+ currents overlap.
    assert!((800.0..2000.0).contains(&charge), "Na charge {charge} nC/cm^2");
    assert!(charge > 5.0 * 100.0, "well above the capacitive minimum");
    assert!((20.0..2000.0).contains(&energy), "energy {energy} nJ/cm^2");
    let powers = spikelab::analysis::energy::powers(&hh, &samples);
    assert!(powers.iter().all(|(_, p)| p.na >= 0.0 && p.k >= 0.0 && p.leak >= 0.0), "dissipation is never negative");
}

#[test]
fn naud_2008_presets_get_their_published_labels() {
    for (name, label) in [
        ("tonic", "tonic"),
        ("adapting", "adapting"),
        ("initial_burst", "initial burst"),
        ("regular_bursting", "regular bursting"),
        ("delayed_accelerating", "delayed accelerating"),
        ("delayed_regular_bursting", "delayed regular bursting"),
        ("transient", "transient"),
        ("irregular", "irregular"),
    ] {
        let p = bundled(&format!("adex-naud-2008/{name}"));
        let (onset, end) = p.stimulus.main_window(p.run.duration_ms);
        let c = classify(&run(&p).spike_times(), onset, end);
        assert_eq!(c.label(), label, "{name}: {c:?}");
    }
}

#[test]
fn adex_with_vanishing_delta_t_and_no_adaptation_is_lif() {
    let lif = Lif {
        c_pf: 200.0,
        g_l_ns: 10.0,
        e_l_mv: -70.0,
        v_th_mv: -50.0,
        v_reset_mv: -65.0,
        t_ref_ms: 0.0,
        i_e_pa: 0.0,
        v0_mv: -70.0,
    };
    let adex = AdEx {
        c_pf: 200.0,
        g_l_ns: 10.0,
        e_l_mv: -70.0,
        v_t_mv: -50.0,
        delta_t_mv: 0.01,
        a_ns: 0.0,
        tau_w_ms: 100.0,
        b_pa: 0.0,
        v_r_mv: -65.0,
        v_peak_mv: -49.7,
        t_ref_ms: 0.0,
        v0_mv: -70.0,
    };
    let go = |neuron| {
        let mut p = Preset::with_model("limit", neuron);
        p.stimulus = Stimulus::dc(300.0);
        p.run.dt_ms = 0.01;
        p.run.duration_ms = 300.0;
        run(&p)
    };
    let (a, b) = (go(NeuronModel::Lif(lif)), go(NeuronModel::AdEx(adex)));
    let (ta, tb) = (a.spike_times(), b.spike_times());
    assert!(ta.len() >= 10 && tb.len() + 1 >= ta.len(), "{} vs {} spikes", ta.len(), tb.len());
    // The run-away from V_T to V_peak adds about Delta_T / V' ln(...) ~ 0.1 ms per spike: the
    // first spike and every interval agree to that, and converge as Delta_T -> 0.
    assert!((ta[0] - tb[0]).abs() < 0.15, "first spike {} vs {}", ta[0], tb[0]);
    for (x, y) in ta.windows(2).zip(tb.windows(2)) {
        assert!(((x[1] - x[0]) - (y[1] - y[0])).abs() < 0.15, "ISI {} vs {}", x[1] - x[0], y[1] - y[0]);
    }
    // Before the first spike the traces coincide.
    let before = a.samples.iter().zip(&b.samples).take_while(|(s, _)| s.0 < ta[0] - 0.5);
    let worst = before.map(|(s, r)| (s.1[0] - r.1[0]).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-3, "subthreshold difference {worst} mV");
}

#[test]
fn izhikevich_2004_presets_reproduce_the_figure_script_to_the_step() {
    let text = include_str!("../reference/izhikevich_2004.csv");
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (feature, tau): (&str, f64) = (f[1], f[2].parse().unwrap());
        let steps: u64 = f[3].parse().unwrap();
        let expected: Vec<u64> = f[4].split(';').filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
        let p = bundled(&format!("izhikevich-2004/{feature}"));
        assert_eq!(p.run.integrator, Integrator::Izhikevich2004);
        assert_eq!((p.run.duration_ms / p.run.dt_ms).round() as u64, steps, "{feature}: the script's samples");
        let ours: Vec<u64> = run(&p).spike_times().iter().map(|t| (t / tau).round() as u64).collect();
        assert_eq!(ours, expected, "{feature}");
        // The same preset runs with RK4: the scheme matters, but nothing blows up.
        let mut rk4 = p.clone();
        rk4.run.integrator = Integrator::Rk4;
        Simulation::from_preset(&rk4, 1).unwrap().step(steps, &mut ()).unwrap_or_else(|e| panic!("{feature}: {e}"));
        rows += 1;
    }
    assert_eq!(rows, 20);
}

/// Spike times and the v trace of a 2004 preset.
fn izh(feature: &str) -> (Vec<f64>, Vec<(f64, f64)>) {
    let rec: Recorder = run(&bundled(&format!("izhikevich-2004/{feature}")));
    (rec.spike_times(), rec.samples.iter().map(|(t, v)| (*t, v[0])).collect())
}

fn isis(t: &[f64]) -> Vec<f64> {
    t.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn izhikevich_2004_behaviours_match_the_paper() {
    // A: a train for as long as the input lasts, settling to a regular interval.
    let (t, _) = izh("tonic_spiking");
    let i = isis(&t);
    assert!(t.len() >= 4 && t[0] > 10.0 && *t.last().unwrap() > 80.0);
    assert!((i[i.len() - 1] / i[i.len() - 2] - 1.0).abs() < 0.05, "{i:?}");
    // B: a single spike at onset.
    let (t, _) = izh("phasic_spiking");
    assert!(t.len() == 1 && t[0] > 20.0 && t[0] < 60.0, "{t:?}");
    // C: repeated bursts: short intervals inside, long between, at least three bursts.
    let (t, _) = izh("tonic_bursting");
    let i = isis(&t);
    assert!(i.iter().filter(|&&x| x > 25.0).count() >= 3 && i.iter().filter(|&&x| x < 5.0).count() >= 10, "{i:?}");
    // D: one burst at onset, then silence.
    let (t, _) = izh("phasic_bursting");
    assert!(t.len() >= 3 && t.iter().all(|&x| x < 80.0), "{t:?}");
    // E: a burst at onset, then single spikes at long intervals.
    let (t, _) = izh("mixed_mode");
    let i = isis(&t);
    assert!(i[0] < 5.0 && i[2..].iter().all(|&x| x > 25.0), "{i:?}");
    // F: intervals lengthen.
    let (t, _) = izh("spike_frequency_adaptation");
    let i = isis(&t);
    assert!(i.windows(2).all(|w| w[1] > w[0]) && i[i.len() - 1] > 3.0 * i[0], "{i:?}");
    // G: class 1: the rate rises from near zero along the ramp (first interval long).
    let (t, _) = izh("class_1_excitable");
    let i = isis(&t);
    assert!(i[0] > 30.0 && i.windows(2).all(|w| w[1] < w[0]) && i[i.len() - 1] < 0.5 * i[0], "{i:?}");
    // H: class 2: it starts at a high rate (first interval short), unlike class 1.
    let (t, _) = izh("class_2_excitable");
    let i = isis(&t);
    assert!(i[0] < 25.0 && t[0] > 90.0, "{t:?}");
    // I: the spike comes long after the brief pulse ends (13 ms).
    let (t, _) = izh("spike_latency");
    assert!(t.len() == 1 && t[0] > 20.0, "{t:?}");
    // J: one spike, then damped subthreshold oscillations.
    let (t, v) = izh("subthreshold_oscillations");
    assert_eq!(t.len(), 1);
    let after: Vec<(f64, f64)> = v.into_iter().filter(|s| s.0 > t[0] + 10.0).collect();
    let peaks: Vec<f64> = after.windows(3).filter(|w| w[1].1 > w[0].1 && w[1].1 >= w[2].1).map(|w| w[1].1).collect();
    assert!(peaks.len() >= 2 && peaks[1] < peaks[0], "oscillation peaks {peaks:?}");
    // K: only the pulse pair at the resonant interval (the second pair) fires it.
    let (t, _) = izh("resonator");
    assert!(t.len() == 1 && t[0] > 320.0, "{t:?}");
    // L: close pulses add up to a spike, distant ones do not.
    let (t, _) = izh("integrator");
    assert!(t.len() == 1 && t[0] > 14.0 && t[0] < 30.0, "{t:?}");
    // M, N: release from inhibition (25 ms) fires a spike, or a burst.
    let (t, _) = izh("rebound_spike");
    assert!(t.len() == 1 && t[0] > 25.0, "{t:?}");
    let (t, _) = izh("rebound_burst");
    assert!(t.len() >= 3 && t[0] > 25.0 && isis(&t)[0] < 5.0, "{t:?}");
    // O: the weak pulse fires only after the inhibitory one (70-75 ms), not alone (10-15 ms).
    let (t, _) = izh("threshold_variability");
    assert!(t.len() == 1 && t[0] > 80.0, "{t:?}");
    // P: the first pulse starts tonic firing, the second stops it.
    let (t, _) = izh("bistability");
    assert!(t.len() >= 3 && t[0] > 37.5 && t.iter().all(|&x| x < 221.0), "{t:?}");
    // Q: after the spike v stays depolarised well above where it started.
    let (t, v) = izh("depolarizing_after_potential");
    assert_eq!(t.len(), 1);
    let v_at = |time: f64| v.iter().find(|s| s.0 >= time).unwrap().1;
    assert!(v_at(t[0] + 3.0) > v_at(8.0) + 5.0, "DAP {} vs rest {}", v_at(t[0] + 3.0), v_at(8.0));
    // R: the slow ramp to 8 never fires; the fast ramp to 4 does.
    let (t, _) = izh("accommodation");
    assert!(t.len() == 1 && (300.0..313.0).contains(&t[0]), "{t:?}");
    // S, T: spikes (bursts) only while the input is lowered (50-250 ms).
    let (t, _) = izh("inhibition_induced_spiking");
    assert!(t.len() >= 2 && t.iter().all(|&x| x > 50.0 && x < 260.0), "{t:?}");
    let (t, _) = izh("inhibition_induced_bursting");
    let i = isis(&t);
    assert!(t.iter().all(|&x| x > 50.0 && x < 260.0) && i.iter().any(|&x| x > 30.0) && i[0] < 5.0, "{t:?}");
}

/// Where the polylines `a` and `b` cross (segment intersections).
fn crossings(a: &[Vec<[f64; 2]>], b: &[Vec<[f64; 2]>]) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for la in a {
        for lb in b {
            for sa in la.windows(2) {
                for sb in lb.windows(2) {
                    let (p, r) = (sa[0], [sa[1][0] - sa[0][0], sa[1][1] - sa[0][1]]);
                    let (q, s) = (sb[0], [sb[1][0] - sb[0][0], sb[1][1] - sb[0][1]]);
                    let den = r[0] * s[1] - r[1] * s[0];
                    if den == 0.0 {
                        continue;
                    }
                    let t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / den;
                    let u = ((q[0] - p[0]) * r[1] - (q[1] - p[1]) * r[0]) / den;
                    let at = [p[0] + t * r[0], p[1] + t * r[1]];
                    // A crossing on a shared segment end is found twice: keep it once.
                    let seen =
                        out.iter().any(|o: &[f64; 2]| (o[0] - at[0]).abs() < 1e-9 && (o[1] - at[1]).abs() < 1e-9);
                    if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) && !seen {
                        out.push(at);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn nullcline_intersections_are_the_fixed_points() {
    let cases: Vec<(NeuronModel, f64, (f64, f64))> = vec![
        (bundled("izhikevich-2003/rs").neuron, 0.0, (-20.0, 5.0)),
        (bundled("adex-naud-2008/adapting").neuron, 100.0, (-50.0, 100.0)),
        (NeuronModel::FitzHughNagumo(Default::default()), 0.0, (-1.0, 2.0)),
        (NeuronModel::HodgkinHuxley(HodgkinHuxley::default()), 0.0, (0.0, 1.0)),
    ];
    for (model, current, y_range) in cases {
        let plane = plane(&model).unwrap();
        let (vn, yn) = nullclines(&model, current, plane.x_range, y_range, 600);
        let meet = crossings(&vn, &yn);
        let fixed = fixed_points(&model, current, plane.x_range, y_range);
        assert!(!fixed.is_empty(), "{model:?}");
        assert_eq!(meet.len(), fixed.len(), "{:?}: crossings {meet:?} vs fixed points {fixed:?}", model.kind());
        let (wx, wy) = (plane.x_range.1 - plane.x_range.0, y_range.1 - y_range.0);
        for fp in &fixed {
            assert!(
                meet.iter().any(|m| (m[0] - fp.x).abs() < 2e-3 * wx && (m[1] - fp.y).abs() < 2e-3 * wy),
                "{:?}: fixed point {fp:?} not on the crossings {meet:?}",
                model.kind()
            );
        }
    }
}

#[test]
fn stability_is_right_on_known_cases() {
    // HH reduced to (V, n) at rest: one stable fixed point close to the full model's rest.
    let hh = NeuronModel::HodgkinHuxley(HodgkinHuxley::default());
    let fixed = fixed_points(&hh, 0.0, (-85.0, 50.0), (0.0, 1.0));
    let rest = fixed.iter().find(|f| f.stability.is_stable()).expect("a stable rest");
    assert!((rest.x + 65.0).abs() < 3.0, "{fixed:?}");
    // Izhikevich RS: past the saddle-node (I > 0.04 (5 - b)^2 ... ) no fixed point is left.
    let rs = bundled("izhikevich-2003/rs").neuron;
    let NeuronModel::Izhikevich(p) = rs else { unreachable!() };
    let bif = (5.0 - p.b).powi(2) / (4.0 * 0.04) - 140.0;
    assert_eq!(fixed_points(&rs, bif - 0.5, (-90.0, 35.0), (-40.0, 20.0)).len(), 2);
    assert!(fixed_points(&rs, bif + 0.5, (-90.0, 35.0), (-40.0, 20.0)).is_empty());
    // At I = bif - 0.5 rest sits at v = -63.54: J = [[0.08 v + 5, -1], [a b, -a]] gives
    // T = -0.103, D = 0.0057 and T^2 < 4 D: a stable focus (at I = 0 it is a node).
    let below = fixed_points(&rs, bif - 0.5, (-90.0, 35.0), (-40.0, 20.0));
    assert_eq!([below[0].stability, below[1].stability], [Stability::StableFocus, Stability::Saddle]);
    assert!((below[0].x + 63.54).abs() < 0.01, "{below:?}");
    let at_zero = fixed_points(&rs, 0.0, (-90.0, 35.0), (-40.0, 20.0));
    assert_eq!(at_zero[0].stability, Stability::StableNode);
}

#[test]
fn exponential_euler_stays_stable_where_euler_and_rk4_blow_up() {
    let mut p = bundled("hodgkin-huxley/repetitive_firing");
    p.run.dt_ms = 0.2;
    let steps = (p.run.duration_ms / p.run.dt_ms).round() as u64;
    for integrator in [Integrator::Euler, Integrator::Rk4] {
        p.run.integrator = integrator;
        let fault = Simulation::from_preset(&p, 1).unwrap().step(steps, &mut ()).unwrap_err();
        // A gate leaves [0, 1] before anything overflows.
        assert!(
            ["m", "h", "n"].contains(&fault.var.key) && fault.to_string().contains("ran away"),
            "{integrator:?}: {fault}"
        );
    }
    p.run.integrator = Integrator::ExponentialEuler;
    assert_eq!(run(&p).spikes.len(), 6, "the same 6 spikes as RK4 at dt = 0.01 ms");
}
