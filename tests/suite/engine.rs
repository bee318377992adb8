//! The engine thread: pause, step, reset, and no spike lost to a slow consumer.

use crate::common;

use std::time::{Duration, Instant};

use spikelab::engine::frame::Status;
use spikelab::engine::{Command, EngineHandle, Frame, Simulation};
use spikelab::preset::settings::Speed;
use spikelab::preset::{Preset, Valid};

fn fast_lif() -> Preset {
    let mut p = common::bundled("basics/lif_std");
    p.view.speed = Speed::Max;
    p
}

/// Frames until `done` says stop (or the timeout).
fn collect_until(engine: &EngineHandle, timeout: Duration, mut done: impl FnMut(&Frame) -> bool) -> Vec<Frame> {
    let start = Instant::now();
    let mut frames = Vec::new();
    while start.elapsed() < timeout {
        if let Some(frame) = engine.recv_timeout(Duration::from_millis(20)) {
            let stop = done(&frame);
            frames.push(frame);
            if stop {
                break;
            }
        }
    }
    frames
}

#[test]
fn pause_stops_frames() {
    let engine = EngineHandle::spawn(&fast_lif(), None).unwrap();
    engine.send(Command::Run);
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.t_ms > 200.0);
    assert!(frames.last().unwrap().t_ms > 200.0, "engine runs");
    engine.send(Command::Pause);
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.status == Status::Paused);
    let paused_at = frames.last().unwrap().t_ms;
    assert_eq!(frames.last().unwrap().status, Status::Paused);
    std::thread::sleep(Duration::from_millis(300));
    assert!(engine.try_recv().is_none(), "no frames while paused");
    engine.send(Command::Run);
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.t_ms > paused_at + 10.0);
    assert!(frames.last().unwrap().t_ms > paused_at, "runs again after pause");
}

#[test]
fn step_advances_exactly_and_reset_starts_a_new_run() {
    let preset = fast_lif();
    let engine = EngineHandle::spawn(&preset, None).unwrap();
    engine.send(Command::Step(1234));
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.status == Status::Paused && f.steps > 0);
    let steps: u64 = frames.iter().map(|f| f.steps).sum();
    assert_eq!(steps, 1234);
    let last = frames.last().unwrap();
    assert!((last.t_ms - 123.4).abs() < 1e-9, "t = {}", last.t_ms);
    let first_run = last.run_id;

    engine.send(Command::Reset);
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.run_id != first_run);
    let fresh = frames.last().unwrap();
    assert!(fresh.run_id > first_run);
    assert_eq!(fresh.t_ms, 0.0);
    assert_eq!(fresh.traces[0].points, vec![[0.0, preset.neuron.initial_state()[0]]]);
}

#[test]
fn slow_consumer_receives_every_spike_of_a_direct_run() {
    let preset = fast_lif();
    let steps = 200_000; // 20 s of simulated time, ~980 spikes, many frames
    let mut direct = common::Recorder::default();
    Simulation::from_preset(&preset, preset.run.seed).unwrap().step(steps, &mut direct).unwrap();

    let engine = EngineHandle::spawn(&preset, None).unwrap();
    engine.send(Command::Step(steps));
    let mut received = Vec::new();
    let mut frames = 0;
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < Duration::from_secs(60), "engine did not finish");
        std::thread::sleep(Duration::from_millis(40)); // a consumer slower than the engine
        let Some(frame) = engine.try_recv() else { continue };
        frames += 1;
        assert!(frame.traces[0].points.len() <= spikelab::engine::Series::FRAME_CAPACITY);
        received.extend(frame.spikes.iter().map(|s| s.t_ms));
        if frame.status == Status::Paused && (frame.t_ms - 20_000.0).abs() < 1e-6 {
            break;
        }
    }
    assert_eq!(received, direct.spike_times(), "after {frames} frames");
    assert!(direct.spikes.len() > 900);
}

#[test]
fn a_blow_up_pauses_with_a_message_instead_of_panicking() {
    // v leaves its envelope (|v| <= 10 V) within 100 ms; the state would overflow only after
    // about 7 s.
    let mut p = common::run_away();
    p.view.at_end = spikelab::preset::settings::AtEnd::Continue; // the preset loops its 150 ms protocol
    let engine = EngineHandle::spawn(&p, None).unwrap();
    engine.send(Command::Run);
    let frames = collect_until(&engine, Duration::from_secs(20), |f| matches!(f.status, Status::Faulted(_)));
    let last = frames.last().unwrap();
    let Status::Faulted(message) = &last.status else { panic!("no fault reported") };
    assert!(
        message.contains("neuron 0 variable v reached") && message.contains("outside its physical range"),
        "{message}"
    );
    assert!(last.t_ms > 50.0 && last.t_ms < 100.0, "faulted at {}", last.t_ms);
    std::thread::sleep(Duration::from_millis(200));
    assert!(engine.try_recv().is_none(), "a faulted run is paused");
}

#[test]
fn live_edits_reach_the_running_model() {
    let preset = common::bundled("izhikevich-2003/rs");
    let engine = EngineHandle::spawn(&preset, None).unwrap();
    engine.send(Command::Step(10));
    let before = collect_until(&engine, Duration::from_secs(5), |f| f.steps > 0);
    let mut edited = preset.clone();
    edited.neuron.set("d", 2.0);
    assert!(Simulation::live(&preset, &edited), "new parameters of the same model");
    engine.send(Command::Edit(Box::new(Valid::new(edited.clone()).unwrap())));
    engine.send(Command::Step(10));
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.model.get("d") == Some(2.0));
    let last = frames.last().unwrap();
    assert_eq!(last.run_id, before.last().unwrap().run_id, "the same run goes on");
    assert!(last.t_ms > 0.0, "from where it was");
    // An invalid edit cannot be made: it is refused where it is made, with the field.
    let mut bad = edited;
    bad.neuron.set("c", 40.0);
    let why = Valid::new(bad).unwrap_err();
    assert_eq!(why.field, "neuron.c", "{why}");
}

#[test]
fn a_protocol_pauses_or_loops_at_its_end() {
    let mut p = fast_lif();
    p.run.duration_ms = 50.0;
    p.view.at_end = spikelab::preset::settings::AtEnd::Pause;
    let engine = EngineHandle::spawn(&p, None).unwrap();
    engine.send(Command::Run);
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.status == Status::Paused && f.t_ms > 0.0);
    assert!((frames.last().unwrap().t_ms - 50.0).abs() < 1e-9, "paused exactly at the end");

    p.view.at_end = spikelab::preset::settings::AtEnd::Loop;
    let engine = EngineHandle::spawn(&p, None).unwrap();
    engine.send(Command::Run);
    let frames = collect_until(&engine, Duration::from_secs(5), |f| f.run_id >= 3);
    assert!(frames.iter().all(|f| f.t_ms <= 50.0 + 1e-9), "never past the protocol");
    assert!(frames.last().unwrap().run_id >= 3, "replayed as new runs");
}
