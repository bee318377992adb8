//! Lessons: every bundled lesson loads and its keys judge themselves, keys agree with
//! independent values (closed forms, NEURON), a broken key fails `spikelab check`, and the
//! headless contract of `spikelab lesson`.

use std::process::Command;

use spikelab::lesson::{Answer, Key, Lesson, Question, apply};

use crate::common;

fn spikelab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spikelab")).args(args).output().expect("binary runs")
}

fn key(lesson: &Lesson, k: usize, seed: u64) -> Key {
    lesson.key(k, seed).unwrap_or_else(|e| panic!("{} step {}: {e}", lesson.id, k + 1)).expect("a question")
}

/// The step (from 0) of `lesson` titled `title`.
fn step(lesson: &Lesson, title: &str) -> usize {
    lesson.steps().iter().position(|s| s.title == title).unwrap_or_else(|| panic!("no step `{title}`"))
}

#[test]
fn every_lesson_loads_and_its_revealed_keys_are_judged_right_and_far_answers_wrong() {
    let ids: Vec<&str> = spikelab::lesson::names().collect();
    assert!(ids.len() >= 10, "at least ten lessons: {ids:?}");
    for id in ids {
        let lesson = Lesson::resolve(id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lesson.texts.len(), lesson.steps().len());
        for (k, s) in lesson.steps().iter().enumerate() {
            assert!(lesson.texts[k].starts_with("# "), "{id} step {}: a text opens with its heading", k + 1);
            let Some(question) = &s.question else { continue };
            // A mystery's key moves with the student's seed; the others do not.
            let seeds: &[u64] = if s.mystery.is_some() { &[1, 2, 3, 17] } else { &[1] };
            for &seed in seeds {
                let key = key(&lesson, k, seed);
                let judge = |answer: Answer| lesson.judge(k, seed, &key, &answer).unwrap().correct;
                let at = format!("{id} step {} seed {seed}", k + 1);
                match (&key, question) {
                    (Key::Number(v), Question::Numeric { tolerance, .. }) => {
                        assert!(judge(Answer::Number(*v)), "{at}: the key itself");
                        let far = v + 10.0 * tolerance.around(*v) + 1.0;
                        assert!(!judge(Answer::Number(far)), "{at}: {far} against {v}");
                        let typed = lesson.parse_answer(k, seed, &format!("{v}")).unwrap();
                        assert!(judge(typed), "{at}: the key typed");
                    }
                    (Key::Option(o), Question::Choice { options, .. }) => {
                        assert!(judge(Answer::Option(o.clone())), "{at}");
                        let other = options.iter().find(|x| *x != o).unwrap();
                        assert!(!judge(Answer::Option(other.clone())), "{at}: {other}");
                    }
                    (Key::Goal { solution, .. }, Question::State(_) | Question::Behaviour(_)) => {
                        let mut solved = lesson.step_preset(k, seed).unwrap();
                        apply(&mut solved, solution).unwrap();
                        assert!(judge(Answer::Setup(Box::new(solved))), "{at}: the solution");
                        // The step must ask for a change: as it opens it does not reach the goal.
                        let opened = lesson.step_preset(k, seed).unwrap();
                        assert!(!judge(Answer::Setup(Box::new(opened))), "{at}: already solved as opened");
                    }
                    other => panic!("{at}: key and question disagree: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn mystery_values_differ_between_students_and_stay_put_for_one() {
    let lesson = Lesson::resolve("03-mystery-lif").unwrap();
    let e_l = |seed| lesson.step_preset(0, seed).unwrap().neuron.get("e_l_mv").unwrap();
    let drawn: Vec<f64> = (1..=6).map(e_l).collect();
    assert!(drawn.iter().any(|v| *v != drawn[0]), "six students, one E_L: {drawn:?}");
    assert!(drawn.iter().all(|v| (-75.0..=-60.0).contains(v)), "{drawn:?}");
    assert_eq!(e_l(4), e_l(4));
    // Every step asks about the same hidden cell.
    assert_eq!(lesson.step_preset(0, 5).unwrap().neuron, lesson.step_preset(3, 5).unwrap().neuron);
    // The type I/II mystery draws both classes across students.
    let classes = Lesson::resolve("08-excitability-classes").unwrap();
    let k = step(&classes, "The mystery neuron");
    let labels: Vec<Key> = (1..=8).map(|seed| key(&classes, k, seed)).collect();
    assert!(labels.contains(&Key::Option("type I".into())) && labels.contains(&Key::Option("type II".into())));
}

#[test]
fn keys_agree_with_closed_forms_and_with_neuron() {
    // The LIF rheobase g_L (V_th - E_L), by bisection in the engine.
    let membrane = Lesson::resolve("01-membrane").unwrap();
    let k = step(&membrane, "The rheobase");
    let lif = membrane.step_preset(k, 1).unwrap().neuron;
    let analytic = lif.get("g_l_ns").unwrap() * (lif.get("v_th_mv").unwrap() - lif.get("e_l_mv").unwrap());
    let Key::Number(rheobase) = key(&membrane, k, 1) else { panic!() };
    assert!((rheobase - analytic).abs() < 0.002 * analytic, "{rheobase} vs {analytic}");
    // tau_m = C / g_L from the charging curve.
    let Key::Number(tau) = key(&membrane, step(&membrane, "Charging the membrane"), 1) else { panic!() };
    assert!((tau - 20.0).abs() < 0.05, "tau {tau}");

    // The swing under a sine below threshold, R I_1 / sqrt(1 + (2 pi f tau_m)^2).
    let Key::Number(swing) = key(&membrane, step(&membrane, "A sine below threshold"), 1) else { panic!() };
    let analytic = 0.1 * 50.0 / (1.0 + (2.0 * std::f64::consts::PI * 10.0 * 0.020f64).powi(2)).sqrt();
    assert!((swing - analytic).abs() < 0.01 * analytic, "swing {swing} vs {analytic}");

    // The QIF rheobase a_0 (v_c - v_rest)^2 / (4 R).
    let sharper = Lesson::resolve("04-sharper-thresholds").unwrap();
    let Key::Number(qif) = key(&sharper, step(&sharper, "The quadratic neuron"), 1) else { panic!() };
    assert!((qif - 0.2 * 15.0f64.powi(2) / (4.0 * 100.0) * 1000.0).abs() < 0.5, "QIF {qif}");

    // FitzHugh-Nagumo: rest loses stability where 1 - v^2 = b / tau (Hopf).
    let plane = Lesson::resolve("07-phase-plane").unwrap();
    let k = step(&plane, "Where rest loses stability");
    let fhn = plane.step_preset(k, 1).unwrap().neuron;
    let (a, b, tau) = (fhn.get("a").unwrap(), fhn.get("b").unwrap(), fhn.get("tau").unwrap());
    let v = -(1.0 - b / tau).sqrt();
    let i_c = (v + a) / b - v + v.powi(3) / 3.0;
    let Key::Number(hopf) = key(&plane, k, 1) else { panic!() };
    assert!((hopf - i_c).abs() < 2e-4, "{hopf} vs {i_c}");

    // Hodgkin-Huxley: the single-spike and repetitive thresholds against NEURON at dt = 1 us
    // (tests/reference/hh_thresholds.py made the CSV).
    let reference =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/hh_thresholds.csv")).unwrap();
    let neuron_value = |name: &str| -> f64 {
        reference.lines().find_map(|l| l.strip_prefix(&format!("{name},"))).unwrap().parse().unwrap()
    };
    let hh = Lesson::resolve("05-hodgkin-huxley-1").unwrap();
    for (title, name) in [("Step threshold", "single_spike"), ("Repetitive firing", "repetitive_5_in_200ms")] {
        let Key::Number(ours) = key(&hh, step(&hh, title), 1) else { panic!() };
        let theirs = neuron_value(name);
        assert!((ours - theirs).abs() < 0.015 * theirs, "{title}: spikelab {ours} vs NEURON {theirs}");
    }

    // Devices: 97 states are 96 steps; a pairing at +10 ms asks for 0.01 e^(-1/2) = 0.61 of a
    // step of 0.01, which rounds to one whole step.
    let devices = Lesson::resolve("13-memory-devices").unwrap();
    let Key::Number(pulses) = key(&devices, step(&devices, "Pulses across the range"), 1) else { panic!() };
    assert_eq!(pulses, 96.0);
    let Key::Number(change) = key(&devices, step(&devices, "A pairing in whole steps"), 1) else { panic!() };
    assert!((change - 0.01).abs() < 1e-12, "{change}");
    // Through the Ag:a-Si device near G_max potentiation is weaker than the rule's 0.0061.
    let Key::Number(near_top) = key(&devices, step(&devices, "The window through a nonlinear device"), 1) else {
        panic!()
    };
    assert!(near_top > 0.0 && near_top < 0.6 * 0.01 * (-0.5f64).exp(), "{near_top}");
    // M binary devices settle where p+ (M - n) = p- n: n / M = p+ / (p+ + p-).
    let binary = Lesson::resolve("14-stochastic-synapses").unwrap();
    let Key::Number(on) = key(&binary, step(&binary, "Devices that switch by chance"), 1) else { panic!() };
    assert!((on - 0.001686 / (0.001686 + 0.0006944)).abs() < 1e-12, "{on}");
}

#[test]
fn a_lesson_with_a_broken_key_fails_check_with_its_step() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("broken");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("1.md"), "# One\n\nText.\n").unwrap();
    let manifest = |key: &str| {
        format!(
            "(\n    title: \"Broken\",\n    summary: \"A key that cannot be computed.\",\n    steps: [\n        (\n            title: \"Rheobase\",\n            text: \"1.md\",\n            preset: \"basics/lif_std\",\n            question: Numeric(prompt: \"?\", key: {key}, unit: \"pA\", tolerance: Relative(0.1)),\n        ),\n    ],\n)\n"
        )
    };
    // The bracket never reaches the rheobase: the key cannot be computed.
    std::fs::write(folder.join("lesson.ron"), manifest("Rheobase(lo: 0.0, hi: 50.0)")).unwrap();
    let out = spikelab(&["check", folder.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("step 1 (Rheobase)") && err.contains("not even at 50"), "{err}");
    // A preset path that does not exist: named with file, line and field.
    std::fs::write(folder.join("lesson.ron"), manifest("Param(\"neuron.nope\")")).unwrap();
    let err = String::from_utf8_lossy(&spikelab(&["check", folder.to_str().unwrap()]).stderr).to_string();
    assert!(err.contains("unknown key `nope`"), "{err}");
    std::fs::write(
        folder.join("lesson.ron"),
        manifest("Param(\"neuron.g_l_ns\")").replace("basics/lif_std", "basics/none"),
    )
    .unwrap();
    let err = String::from_utf8_lossy(&spikelab(&["check", folder.to_str().unwrap()]).stderr).to_string();
    assert!(err.contains("lesson.ron:8: field `steps.0.preset`"), "{err}");
    // A view the step's preset does not have.
    let with_view = manifest("Param(\"neuron.g_l_ns\")")
        .replace("preset: \"basics/lif_std\",", "preset: \"basics/lif_std\",\n            view: \"raster\",");
    std::fs::write(folder.join("lesson.ron"), with_view).unwrap();
    let err = String::from_utf8_lossy(&spikelab(&["check", folder.to_str().unwrap()]).stderr).to_string();
    assert!(err.contains("field `steps.0.view`: `raster` is not a view of this preset"), "{err}");
    // And a good one passes.
    std::fs::write(folder.join("lesson.ron"), manifest("Param(\"neuron.g_l_ns\")")).unwrap();
    assert!(spikelab(&["check", folder.to_str().unwrap()]).status.success());
}

#[test]
fn the_lesson_command_speaks_json() {
    let out = spikelab(&["lesson", "list"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), spikelab::lesson::names().count());
    assert_eq!(lines[0]["id"], "01-membrane");
    assert!(lines.iter().all(|l| l["title"].is_string() && l["steps"].as_u64().unwrap() >= 3));

    let show: serde_json::Value = serde_json::from_slice(&spikelab(&["lesson", "show", "01-membrane"]).stdout).unwrap();
    let first = &show["steps"][0];
    assert_eq!(
        (first["kind"].as_str(), first["unit"].as_str(), first["view"].as_str()),
        (Some("numeric"), Some("ms"), Some("traces"))
    );
    assert!(first["text"].as_str().unwrap().contains("τ_m"));
    assert_eq!(show["steps"][2]["options"][1], "lower");

    let check = |args: &[&str]| {
        let out = spikelab(&[&["lesson", "check", "01-membrane"], args].concat());
        (out.status.code(), serde_json::from_slice::<serde_json::Value>(&out.stdout).ok())
    };
    let (code, right) = check(&["--step", "5", "--answer", "200 pA"]);
    assert_eq!(code, Some(0));
    let right = right.unwrap();
    assert_eq!(right["correct"], true);
    assert!((right["expected"].as_f64().unwrap() - 200.0).abs() < 0.1 && right["tolerance"].as_f64().unwrap() > 0.0);
    let (code, wrong) = check(&["--step", "5", "--answer", "120"]);
    assert_eq!((code, wrong.unwrap()["correct"].clone()), (Some(0), serde_json::Value::Bool(false)));
    assert_eq!(check(&["--step", "3", "--answer", "2"]).1.unwrap()["correct"], true, "option by number");
    let (_, setup) = check(&["--step", "6", "--answer", "neuron.v_th_mv=-40"]);
    assert_eq!(setup.unwrap()["correct"], true, "a state answered by its setup");
    assert_eq!(check(&["--step", "6", "--answer", "neuron.g_l_ns=12"]).1.unwrap()["correct"], false);
    let (_, revealed) = check(&["--step", "1", "--reveal"]);
    assert!((revealed.unwrap()["expected"].as_f64().unwrap() - 20.0).abs() < 0.05);
    // Exit 1 only for a bad step or answer.
    assert_eq!(check(&["--step", "9", "--answer", "1"]).0, Some(1));
    assert_eq!(check(&["--step", "1", "--answer", "twenty"]).0, Some(1));
    let other_seed = spikelab(&["lesson", "check", "03-mystery-lif", "--step", "1", "--reveal", "--seed", "2"]);
    let e_l = common::bundled("basics/lif_std"); // the mystery's base: its own E_L is not the key
    let drawn: serde_json::Value = serde_json::from_slice(&other_seed.stdout).unwrap();
    assert_ne!(drawn["expected"].as_f64(), e_l.neuron.get("e_l_mv"));
}
