//! The real app driven headless with egui_kittest: clicks, drags and slider moves, checked
//! against the state of the app and the model the engine reports running.

use crate::common;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spikelab::app::SpikelabApp;
use spikelab::engine::frame::Status;
use spikelab::neuron::ModelKind;

fn harness(preset: &str) -> Harness<'static, SpikelabApp> {
    harness_on(common::bundled(preset))
}

/// The window's size around `app`, after one frame.
fn harness_of(app: SpikelabApp) -> Harness<'static, SpikelabApp> {
    let mut h =
        Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut SpikelabApp| app.ui(ui), app);
    h.step();
    h
}

/// Steps the UI (letting the engine thread work in between) until `done` holds.
fn step_until(h: &mut Harness<'static, SpikelabApp>, what: &str, done: impl Fn(&SpikelabApp) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
}

#[test]
fn moving_a_parameter_slider_changes_the_model_the_engine_runs() {
    let mut h = harness("izhikevich-2003/rs");
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "first frame", |app| app.lab.history.engine_model.is_some());
    assert_eq!(h.state().lab.history.engine_model.unwrap().get("d"), Some(8.0));

    h.get_by_role_and_label(Role::Slider, "d").set_value_accesskit(2.0);
    h.step();
    assert_eq!(h.state().lab.preset().neuron.get("d"), Some(2.0));
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "engine runs d = 2", |app| app.lab.history.engine_model.and_then(|m| m.get("d")) == Some(2.0));

    // A real drag: pull the `a` slider's handle to the far left of its track.
    let rect = h.get_by_role_and_label(Role::Slider, "a [1/ms]").rect();
    h.hover_at(rect.center());
    h.step();
    h.drag_at(rect.center());
    h.step();
    h.hover_at(rect.left_center());
    h.step();
    h.drop_at(rect.left_center());
    h.step();
    let a = h.state().lab.preset().neuron.get("a").unwrap();
    assert!(a < 0.0, "dragged a to {a}");
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "engine runs the dragged a", |app| {
        app.lab.history.engine_model.and_then(|m| m.get("a")) == Some(a)
    });
}

#[test]
fn switching_the_model_swaps_the_slider_set() {
    let mut h = harness("izhikevich-2003/rs");
    assert!(h.query_by_role_and_label(Role::Slider, "d").is_some());
    h.get_by_role_and_label(Role::ComboBox, "Model").click();
    h.run_steps(3);
    h.get_by_label(ModelKind::Lif.name()).click();
    h.run_steps(3);
    assert!(h.query_by_role_and_label(Role::Slider, "d").is_none());
    assert!(h.query_by_role_and_label(Role::Slider, "g_L [nS]").is_some());
    assert!(h.query_by_role_and_label(Role::Slider, "t_ref [ms]").is_some());
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "engine runs LIF", |app| {
        app.lab.history.engine_model.is_some_and(|m| m.kind() == ModelKind::Lif) && app.lab.history.columns == ["0.v"]
    });
}

#[test]
fn run_and_pause_buttons_work() {
    let mut h = harness("basics/lif_std");
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "running and time advancing", |app| {
        app.lab.history.status == Status::Running && app.lab.history.t_ms > 20.0
    });
    h.get_by_role_and_label(Role::Button, "Pause").click();
    step_until(&mut h, "paused", |app| app.lab.history.status == Status::Paused);
    let t = h.state().lab.history.t_ms;
    std::thread::sleep(Duration::from_millis(200));
    h.step();
    assert_eq!(h.state().lab.history.t_ms, t, "time stands still while paused");
    assert!(h.query_by_role_and_label(Role::Button, "Run").is_some());
}

#[test]
fn a_run_away_pauses_with_its_message_and_start_over_runs_again_from_zero() {
    let mut h = harness_on(common::run_away());
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "the fault", |app| matches!(app.lab.history.status, Status::Faulted(_)));
    h.step();
    assert!(h.query_by_label_contains("paused: neuron 0 variable v reached").is_some());
    assert!(h.state().lab.history.t_ms > 50.0);
    h.get_by_role_and_label(Role::Button, "start over").click();
    step_until(&mut h, "a new run from t = 0", |app| {
        !matches!(app.lab.history.status, Status::Faulted(_)) && app.lab.history.t_ms < 1.0
    });
    assert_eq!(h.state().lab.preset().neuron.get("a"), Some(-0.1), "the lab is kept");
}

#[test]
fn an_invalid_edit_shows_why_and_is_not_sent() {
    let mut h = harness("basics/lif_std");
    h.get_by_role_and_label(Role::Slider, "V_reset [mV]").set_value_accesskit(-40.0);
    h.step();
    h.step();
    let app = h.state();
    assert_eq!(app.lab.preset().neuron.get("v_reset_mv"), Some(-65.0), "the lab keeps the valid model");
    assert!(
        h.query_by_label_contains("not applied: field `neuron.v_reset_mv`: v_reset_mv (-40) must be below v_th_mv")
            .is_some()
    );
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "engine frame", |app| app.lab.history.engine_model.is_some());
    assert_eq!(h.state().lab.history.engine_model.unwrap().get("v_reset_mv"), Some(-65.0));
}

#[test]
fn a_broken_preset_names_line_and_field_and_the_lab_keeps_running() {
    let mut h = harness("izhikevich-2003/rs");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.ron");
    let text = common::bundled("izhikevich-2003/ch").to_ron().replace("b: 0.2,", "b: 0.2,\n        bee: 1.0,");
    let line = text.lines().position(|l| l.contains("bee")).unwrap() + 1;
    std::fs::write(&path, text).unwrap();
    h.state_mut().open_preset(&path);
    h.step();
    let message = h.state().lab.message.clone().unwrap();
    assert!(message.is_error && message.text.contains(&format!("broken.ron:{line}: field `bee`")), "{}", message.text);
    assert!(h.query_by_label_contains("field `bee`").is_some(), "shown in the window");
    assert_eq!(**h.state().lab.preset(), common::bundled("izhikevich-2003/rs"));
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "still runs", |app| app.lab.history.t_ms > 5.0);
}

#[test]
fn save_and_open_through_the_file_menu_path_field() {
    let mut h = harness("izhikevich-2003/ch");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my_lab.ron");
    h.get_by_role_and_label(Role::Slider, "d").set_value_accesskit(3.5);
    h.step();

    h.get_by_role_and_label(Role::Button, "File").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::TextInput, "path").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::TextInput, "path").type_text(path.to_str().unwrap());
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Save to path").click();
    h.run_steps(2);
    let saved = spikelab::preset::Preset::load(&path).unwrap();
    assert_eq!(saved.neuron.get("d"), Some(3.5));
    assert_eq!(saved, **h.state().lab.preset());

    // Load something else, then open the saved file again through the menu.
    h.state_mut().lab.load(common::bundled("basics/lif_std")).unwrap();
    h.step();
    h.get_by_role_and_label(Role::Button, "File").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "Open path").click();
    h.run_steps(2);
    assert_eq!(**h.state().lab.preset(), saved);
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "engine runs the opened lab", |app| {
        app.lab.history.engine_model.and_then(|m| m.get("d")) == Some(3.5)
    });
}

#[test]
fn moving_the_current_slider_moves_the_v_nullcline() {
    let mut h = harness("izhikevich-2003/rs");
    // Past the step's onset (15 ms) so the step's amplitude is the present current.
    h.get_by_role_and_label(Role::Button, "+10 ms").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "+10 ms").click();
    step_until(&mut h, "t past 15 ms", |app| app.lab.history.t_ms >= 20.0);
    h.get_by_role_and_label(Role::Button, "Phase plane").click();
    step_until(&mut h, "the plane drawn for 14", |app| {
        app.panel::<spikelab::app::views::phase_plane::PhasePanel>().drawn_for() == Some(14.0)
    });
    let app = h.state();
    assert_eq!(app.panel::<spikelab::app::views::phase_plane::PhasePanel>().current, 14.0);
    let before = app.panel::<spikelab::app::views::phase_plane::PhasePanel>().x_nullclines().expect("drawn")[0].clone();

    h.get_by_role_and_label(Role::Slider, "amplitude [model units]").set_value_accesskit(5.0);
    step_until(&mut h, "the plane redrawn for 5", |app| {
        app.panel::<spikelab::app::views::phase_plane::PhasePanel>().drawn_for() == Some(5.0)
    });
    let app = h.state();
    assert_eq!(app.panel::<spikelab::app::views::phase_plane::PhasePanel>().current, 5.0);
    let after = &app.panel::<spikelab::app::views::phase_plane::PhasePanel>().x_nullclines().expect("drawn")[0];
    // v-nullcline u = 0.04 v^2 + 5 v + 140 + I: the same v, 9 lower in u.
    let (p, q) = (before[before.len() / 2], after[after.len() / 2]);
    assert_eq!(p[0], q[0]);
    assert!((p[1] - q[1] - 9.0).abs() < 1e-6, "{p:?} -> {q:?}");
    assert!((q[1] - (0.04 * q[0] * q[0] + 5.0 * q[0] + 140.0 + 5.0)).abs() < 1e-6);
}

#[test]
fn the_f_i_job_runs_in_the_background_and_reports_the_rheobase() {
    let mut h = harness("izhikevich-2003/rs");
    h.get_by_role_and_label(Role::Button, "f-I curve").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Run sweep").click();
    h.step();
    assert!(
        h.state().panel::<spikelab::app::views::fi_panel::FiPanel>().is_running(),
        "the sweep runs off the UI thread"
    );
    step_until(&mut h, "sweep and rheobase", |app| {
        app.panel::<spikelab::app::views::fi_panel::FiPanel>().rheobase.is_some()
    });
    let app = h.state();
    assert_eq!(
        app.panel::<spikelab::app::views::fi_panel::FiPanel>().points.len(),
        app.panel::<spikelab::app::views::fi_panel::FiPanel>().steps
    );
    // Izhikevich RS from rest: the saddle-node at I = (5 - b)^2 / 0.16 - 140 = 4.
    let r = app.panel::<spikelab::app::views::fi_panel::FiPanel>().rheobase.unwrap().unwrap();
    assert!((3.0..=4.05).contains(&r), "rheobase {r}");
    assert!(
        app.panel::<spikelab::app::views::fi_panel::FiPanel>()
            .points
            .iter()
            .filter(|p| p.current < r - app.panel::<spikelab::app::views::fi_panel::FiPanel>().precision)
            .all(|p| p.rate_hz == 0.0)
    );
    assert!(h.query_all_by_label_contains("rheobase ").next().is_some(), "the summary shows it");
}

#[test]
fn the_ttx_toggle_blocks_sodium_in_the_engine_and_restores_it() {
    let mut h = harness("hodgkin-huxley/repetitive_firing");
    h.get_by_role_and_label(Role::CheckBox, "TTX (block Na+)").click();
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().neuron.get("g_na"), Some(0.0));
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "engine runs without sodium", |app| {
        app.lab.history.engine_model.and_then(|m| m.get("g_na")) == Some(0.0)
    });
    h.get_by_role_and_label(Role::CheckBox, "TTX (block Na+)").click();
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().neuron.get("g_na"), Some(120.0));
}

#[test]
fn the_designer_adds_a_pulse_changes_it_and_undo_restores_it() {
    let mut h = harness("basics/lif_std");
    h.get_by_role_and_label(Role::Button, "Stimulus").click();
    h.run_steps(2);
    let before = h.state().lab.preset().stimulus.clone();

    // Add a pulse (it starts "now", at t = 0).
    h.get_by_role_and_label(Role::ComboBox, "kind").click();
    h.run_steps(3);
    h.get_by_label("Pulse").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "Add component").click();
    h.run_steps(3);
    assert_eq!(h.state().lab.preset().stimulus.components.len(), 2);
    assert_eq!(
        h.state().panel::<spikelab::app::views::designer::DesignerPanel>().preview_at(10.0),
        Some(300.0),
        "the new pulse in the preview"
    );

    // Change the pulse's amplitude: the second amplitude slider belongs to it.
    let sliders = h.get_all_by_role_and_label(Role::Slider, "amplitude [pA]").collect::<Vec<_>>();
    assert_eq!(sliders.len(), 2, "the designer shows both components (the bench points to it)");
    sliders[1].set_value_accesskit(1000.0);
    h.run_steps(3);
    assert_eq!(
        h.state().panel::<spikelab::app::views::designer::DesignerPanel>().preview_at(10.0),
        Some(1000.0),
        "the preview follows"
    );

    // The engine injects it: run across the pulse (0-20 ms) and read the injected current.
    h.get_by_role_and_label(Role::Button, "+10 ms").click();
    step_until(&mut h, "engine input", |app| app.lab.history.input.iter().any(|p| p[1] == 1000.0));

    h.get_by_role_and_label(Role::Button, "Undo").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Undo").click();
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().stimulus, before, "two undos restore the original");
    h.get_by_role_and_label(Role::Button, "Redo").click();
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().stimulus.components.len(), 2);
}

#[test]
fn dragging_a_handle_on_the_preview_moves_the_component() {
    let mut h = harness("hodgkin-huxley/single_spike");
    h.get_by_role_and_label(Role::Button, "Stimulus").click();
    h.run_steps(4);
    let pulse = |app: &SpikelabApp| app.lab.preset().stimulus.components[0].start_ms().unwrap();
    assert_eq!(pulse(h.state()), 10.0);
    // The pulse's start handle, on screen, then a real drag 15 ms to the right.
    let transform = h.state().panel::<spikelab::app::views::designer::DesignerPanel>().preview_transform.unwrap();
    let handle = transform.position_from_point(&egui_plot::PlotPoint::new(10.0, 15.0));
    let target = transform.position_from_point(&egui_plot::PlotPoint::new(25.0, 15.0));
    h.hover_at(handle);
    h.step();
    h.drag_at(handle);
    h.step();
    for k in 1..=5 {
        h.hover_at(handle + (target - handle) * (k as f32 / 5.0));
        h.step();
    }
    h.drop_at(target);
    h.run_steps(2);
    let moved = pulse(h.state());
    assert!((moved - 25.0).abs() < 0.5, "dragged to {moved} ms");
    assert_eq!(
        h.state().panel::<spikelab::app::views::designer::DesignerPanel>().preview_at(moved + 0.5),
        Some(15.0),
        "the pulse moved in the preview"
    );
    h.get_by_role_and_label(Role::Button, "Undo").click();
    h.run_steps(2);
    assert_eq!(pulse(h.state()), 10.0, "one undo takes the whole drag back");
}

#[test]
fn a_curve_is_drawn_with_the_mouse() {
    let mut h = harness("basics/lif_std");
    h.get_by_role_and_label(Role::Button, "Stimulus").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "draw curve").click();
    h.run_steps(2);
    let transform = h.state().panel::<spikelab::app::views::designer::DesignerPanel>().preview_transform.unwrap();
    let at = |t: f64, i: f64| transform.position_from_point(&egui_plot::PlotPoint::new(t, i));
    h.hover_at(at(100.0, 50.0));
    h.step();
    h.drag_at(at(100.0, 50.0));
    h.step();
    for k in 1..=10 {
        h.hover_at(at(100.0 + 20.0 * k as f64, 50.0 + 20.0 * k as f64));
        h.step();
    }
    h.drop_at(at(300.0, 250.0));
    h.run_steps(2);
    let stimulus = &h.state().lab.preset().stimulus;
    let Some(spikelab::stimulus::Component::Curve { points }) = stimulus.components.last() else {
        panic!("no curve drawn: {stimulus:?}")
    };
    assert!(points.len() >= 5 && points.windows(2).all(|w| w[1].0 > w[0].0), "{points:?}");
    // The drawn line I = t - 50 holds along the curve (up to a pixel).
    assert!((stimulus.value_at(200.0) - (300.0 + 150.0)).abs() < 15.0, "{}", stimulus.value_at(200.0));
}

#[test]
fn a_network_raster_fills_and_clicking_a_dot_traces_that_neuron() {
    let mut h = harness("networks/ee746_drn");
    h.run_steps(2);
    assert_eq!(h.state().view_id(), "raster", "a network opens on its raster");
    h.state_mut().send(spikelab::engine::Command::Step(2000));
    step_until(&mut h, "the raster fills", |app| {
        app.lab.history.spike_count > 200 && app.lab.history.status == Status::Paused
    });
    h.run_steps(2);
    // A spike of a neuron other than the traced one, on screen, then a real click on it.
    let spike = *h.state().lab.history.spikes.iter().rev().find(|s| s.neuron > 30 && s.neuron < 390).unwrap();
    let transform = h.state().panel::<spikelab::app::views::raster::RasterPanel>().transform.unwrap();
    let at = transform.position_from_point(&egui_plot::PlotPoint::new(spike.t_ms, spike.neuron as f64 + 0.5));
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.step();
    h.drop_at(at);
    h.run_steps(2);
    assert_eq!(h.state().view_id(), "traces", "the click opens the trace");
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "the engine traces the clicked neuron", |app| {
        app.lab.history.traced == spike.neuron && app.lab.history.columns == vec![format!("{}.v", spike.neuron)]
    });
}

#[test]
fn the_stdp_panel_streams_weights_and_switching_the_rule_redraws_the_window() {
    use spikelab::synapse::plasticity::StdpRule;
    let mut h = harness("plasticity/song_abbott");
    h.run_steps(2);
    assert_eq!(h.state().view_id(), "stdp", "a learning network opens on its STDP panel");
    h.state_mut().send(spikelab::engine::Command::Step(20_000));
    step_until(&mut h, "weight samples arrive", |app| app.lab.history.weights.len() >= 10);
    h.run_steps(2);
    assert!(
        h.state().panel::<spikelab::app::views::stdp::StdpPanel>().heat_columns >= 10,
        "the heat map has a column per sample"
    );
    step_until(&mut h, "the additive window is measured", |app| {
        matches!(app.panel::<spikelab::app::views::stdp::StdpPanel>().measured_rule(), Some(StdpRule::Additive { .. }))
    });
    h.get_by_role_and_label(Role::ComboBox, "rule").click();
    h.run_steps(3);
    h.get_by_label("triplet").click();
    h.run_steps(2);
    let rule = |app: &SpikelabApp| app.lab.preset().network.as_ref().unwrap().projections[0].plasticity;
    assert!(matches!(rule(h.state()), Some(StdpRule::Triplet { .. })));
    step_until(&mut h, "the triplet window is measured", |app| {
        matches!(app.panel::<spikelab::app::views::stdp::StdpPanel>().measured_rule(), Some(StdpRule::Triplet { .. }))
    });
}

#[test]
fn a_population_slider_changes_that_population_in_the_running_network() {
    let mut h = harness("networks/ee746_drn");
    h.run_steps(2);
    // Pick the inhibitory population, then move its threshold.
    h.get_by_label_contains("I · 100").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Slider, "V_th [mV]").set_value_accesskit(10.0);
    h.run_steps(2);
    let network = |app: &SpikelabApp| app.lab.preset().network.clone().unwrap();
    assert_eq!(network(h.state()).populations[1].neuron.get("v_th_mv"), Some(10.0));
    assert_eq!(network(h.state()).populations[0].neuron.get("v_th_mv"), Some(20.0), "E untouched");
    // The engine runs it: trace an inhibitory cell and read its model from the frames.
    h.state_mut().send(spikelab::engine::Command::Record(450));
    h.state_mut().send(spikelab::engine::Command::Step(10));
    step_until(&mut h, "the engine reports the new threshold", |app| {
        app.lab.history.traced == 450 && app.lab.history.engine_model.and_then(|m| m.get("v_th_mv")) == Some(10.0)
    });
}

#[test]
fn the_tempotron_view_steps_through_iterations_and_its_sliders_rerun_the_task() {
    let mut h = harness("plasticity/ee746_tempotron");
    assert_eq!(h.state().view_id(), "tempotron");
    step_until(&mut h, "the task learned", |app| {
        app.panel::<spikelab::app::views::tempotron::TempotronPanel>().finished()
    });
    h.step();
    assert_eq!(
        h.state().panel::<spikelab::app::views::tempotron::TempotronPanel>().iterations.len(),
        2,
        "one update learns it at γ = 1"
    );
    h.get_by_label("learned after 1 updates");
    h.get_by_label_contains("S2: should stay silent, silent: right");

    // Back to the initial weights: S2 fired and the rule aimed at its spikes.
    h.get_by_role_and_label(Role::Button, "first").click();
    h.run_steps(2);
    assert_eq!(h.state().panel::<spikelab::app::views::tempotron::TempotronPanel>().shown, Some(0));
    h.get_by_label_contains("S2: should stay silent, fired 11");

    // A smaller learning rate takes more, smaller steps (the headless run of the same preset
    // with --set learning.gamma=0.3 learns after 6 updates).
    h.get_by_role_and_label(Role::Slider, "γ (learning rate)").set_value_accesskit(0.3);
    h.step();
    let Some(spikelab::preset::learning::Learning::Tempotron(task)) = &h.state().lab.preset().learning else {
        panic!()
    };
    assert_eq!(task.gamma, 0.3);
    step_until(&mut h, "the task reran", |app| {
        app.panel::<spikelab::app::views::tempotron::TempotronPanel>().finished()
            && app.panel::<spikelab::app::views::tempotron::TempotronPanel>().iterations.len() > 2
    });
    h.step();
    assert_eq!(h.state().panel::<spikelab::app::views::tempotron::TempotronPanel>().iterations.len(), 7);
    h.get_by_label("learned after 6 updates");
}

fn harness_on(preset: spikelab::preset::Preset) -> Harness<'static, SpikelabApp> {
    harness_of(SpikelabApp::new(preset, None).unwrap())
}

#[test]
fn the_encoding_playground_redraws_the_raster_for_another_digit_code_or_drawing() {
    use spikelab::preset::learning::Learning;
    use spikelab::stimulus::encode::Encoder;
    let mut h = harness("learning/encoding");
    assert_eq!(h.state().view_id(), "encoding");
    let poisson = h.state().panel::<spikelab::app::views::encoding::EncodingPanel>().spike_count;
    h.get_by_label_contains("test image 0: a 3");

    h.get_by_role_and_label(Role::Button, "next").click();
    h.run_steps(2);
    let Some(Learning::Encoding(task)) = &h.state().lab.preset().learning else { panic!() };
    assert_eq!(task.image, 1);
    h.get_by_label_contains("test image 1: a 7");
    assert_ne!(
        h.state().panel::<spikelab::app::views::encoding::EncodingPanel>().spike_count,
        poisson,
        "another digit, other spikes"
    );

    // Switch the code to latency: one spike per pixel above the threshold.
    h.get_by_role_and_label(Role::ComboBox, "code").click();
    h.run_steps(3);
    h.get_by_label("latency").click();
    h.run_steps(3);
    let Some(Learning::Encoding(task)) = &h.state().lab.preset().learning else { panic!() };
    assert!(matches!(task.encoder, Encoder::Latency { .. }), "{:?}", task.encoder);
    let bright = spikelab::dataset::digits_split().test.images[1].iter().filter(|&&x| x > 0.05).count();
    assert_eq!(h.state().panel::<spikelab::app::views::encoding::EncodingPanel>().spike_count, bright);

    // Draw on a blank canvas: a drag paints cells, and only they spike.
    h.get_by_role_and_label(Role::Button, "blank canvas").click();
    h.run_steps(2);
    assert_eq!(h.state().panel::<spikelab::app::views::encoding::EncodingPanel>().spike_count, 0);
    let canvas = h.get_by_label_contains("drawn (drag to paint").rect();
    let start = canvas.left_top() + egui::vec2(20.0, -200.0);
    h.drag_at(start);
    h.step();
    h.hover_at(start + egui::vec2(150.0, 0.0));
    h.step();
    h.drop_at(start + egui::vec2(150.0, 0.0));
    h.step();
    let drawn = h.state().panel::<spikelab::app::views::encoding::EncodingPanel>().drawn.clone().expect("a drawing");
    assert!(drawn.contains(&1.0), "painted cells");
    assert_eq!(
        h.state().panel::<spikelab::app::views::encoding::EncodingPanel>().spike_count,
        drawn.iter().filter(|&&x| x > 0.05).count()
    );
}

#[test]
fn the_classifier_trains_converts_and_shows_a_digit() {
    use spikelab::preset::learning::Learning;
    let mut preset = common::bundled("learning/conversion");
    let Some(Learning::Conversion(task)) = &mut preset.learning else { panic!() };
    task.training.epochs = 5;
    let mut h = harness_on(preset);
    assert_eq!(h.state().view_id(), "classifier");
    step_until(&mut h, "trained and converted", |app| {
        app.panel::<spikelab::app::views::classifier::ClassifierPanel>().finished()
    });
    h.step();
    assert_eq!(h.state().panel::<spikelab::app::views::classifier::ClassifierPanel>().epochs.len(), 5);
    h.get_by_label_contains("same answer on");
    h.get_by_role_and_label(Role::Button, "next mistake").click();
    h.run_steps(2);
    let panel = &h.state().panel::<spikelab::app::views::classifier::ClassifierPanel>();
    let trained = panel.trained.as_ref().unwrap();
    let k = panel.digit;
    assert_ne!(trained.evaluation.predictions[k], trained.test.labels[k], "digit {k} is a mistake");
    h.get_by_label_contains("wrong");
}

#[test]
fn starting_unsupervised_learning_updates_the_receptive_fields() {
    use spikelab::preset::learning::Learning;
    let mut preset = common::bundled("learning/unsupervised");
    let Some(Learning::Unsupervised(task)) = &mut preset.learning else { panic!() };
    (task.train_images, task.test_images, task.network.neurons) = (Some(120), Some(100), 25);
    let mut h = harness_on(preset);
    assert_eq!(h.state().view_id(), "receptive-fields");
    assert!(
        h.state().panel::<spikelab::app::views::receptive::ReceptivePanel>().weights.is_empty(),
        "waits for the click"
    );
    h.get_by_role_and_label(Role::Button, "start learning").click();
    h.step();
    step_until(&mut h, "first receptive fields", |app| {
        !app.panel::<spikelab::app::views::receptive::ReceptivePanel>().weights.is_empty()
    });
    let first = h.state().panel::<spikelab::app::views::receptive::ReceptivePanel>().weights.clone();
    step_until(&mut h, "learning done", |app| {
        app.panel::<spikelab::app::views::receptive::ReceptivePanel>().assignments.is_some()
    });
    h.step();
    let panel = &h.state().panel::<spikelab::app::views::receptive::ReceptivePanel>();
    assert_eq!(panel.images_seen, 120);
    assert!(panel.snapshots >= 2);
    assert_ne!(panel.weights, first, "the fields changed while it learned");
    assert_eq!(panel.weights.len(), 25);
    let accuracy = panel.accuracy.last().unwrap()[1];
    assert!(accuracy > 0.3, "accuracy {accuracy}");
    h.get_by_label_contains("learned from 120 digits without their labels");
}

#[test]
fn on_memory_devices_the_receptive_fields_are_conductance_maps() {
    use spikelab::app::views::receptive::ReceptivePanel;
    use spikelab::preset::learning::Learning;
    let mut preset = common::bundled("learning/unsupervised_device");
    let Some(Learning::Unsupervised(task)) = &mut preset.learning else { panic!() };
    (task.train_images, task.test_images, task.network.neurons) = (Some(60), Some(50), 16);
    let device = task.device.as_ref().unwrap().device.clone();
    let mut h = harness_on(preset);
    h.get_by_role_and_label(Role::Button, "start learning").click();
    h.step();
    step_until(&mut h, "learning done", |app| app.panel::<ReceptivePanel>().assignments.is_some());
    h.step();
    h.get_by_label_contains("Conductance maps of the Querlioz memristor, all on one scale");
    let figure = h.state().figure().unwrap();
    let (fields, histogram) = (&figure.panels[0], &figure.panels[1]);
    assert_eq!(fields.z.as_ref().unwrap().label(), "device conductance [µS]");
    assert_eq!(histogram.x.label(), "device conductance [µS]");
    // Each pixel is the conductance that reads as its weight: w = w_max G / G_max (read
    // against zero), within the device's range.
    let weights: Vec<f64> = h.state().panel::<ReceptivePanel>().weights.iter().flatten().copied().collect();
    let g = &fields.series[0].values;
    assert_eq!(g.len(), weights.len());
    for (g, w) in g.iter().zip(&weights) {
        assert!((g - device.g_max_us * w).abs() < 1e-12 && (0.0..=device.g_max_us).contains(g), "{g} for {w}");
    }
}

#[test]
fn the_exact_scheme_is_refused_for_hodgkin_huxley_and_grid_timing_reaches_the_engine() {
    // A person picks "Exact" for the squid axon: refused with the reason, nothing changes.
    let mut h = harness("hodgkin-huxley/repetitive_firing");
    let before = h.state().lab.preset().run.integrator;
    h.get_by_role_and_label(Role::ComboBox, "Integrator").click();
    h.run_steps(3);
    h.get_by_label("Exact (linear models)").click();
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().run.integrator, before);
    assert!(h.query_by_label_contains("not applied: field `run.integrator`").is_some(), "the reason is shown");

    // On the LIF cell, spike times "on the step grid": the engine's spikes fall on the 0.1 ms grid.
    let mut h = harness("basics/lif_std");
    h.get_by_role_and_label(Role::ComboBox, "Spike times").click();
    h.run_steps(3);
    h.get_by_label("on the step grid").click();
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().run.spike_timing, spikelab::integrate::SpikeTiming::Grid);
    h.state_mut().send(spikelab::engine::Command::Step(3000));
    step_until(&mut h, "spikes arrive", |app| app.lab.history.spikes.len() >= 5);
    for spike in &h.state().lab.history.spikes {
        let steps = spike.t_ms / 0.1;
        assert!((steps - steps.round()).abs() < 1e-6, "spike at {} ms is on the grid", spike.t_ms);
    }
}

#[test]
fn the_regime_explorer_maps_in_the_background_and_cancel_stops_it() {
    use spikelab::preset::sweep::Axis;
    let mut h = harness("networks/cuba");
    h.get_by_role_and_label(Role::Button, "Regimes").click();
    h.run_steps(2);
    {
        // The inhibitory weight of CUBA from none to twice the benchmark's, briefly.
        let panel = &mut h.state_mut().panel_mut::<spikelab::app::views::regimes::RegimePanel>();
        panel.x = Axis::parse("network.projections.2.weight.Constant,network.projections.3.weight.Constant=0:-180:3")
            .unwrap();
        panel.two_axes = false;
        (panel.duration_ms, panel.warmup_ms) = (60.0, 10.0);
    }
    h.get_by_role_and_label(Role::Button, "Map").click();
    h.step();
    assert!(
        h.state().panel::<spikelab::app::views::regimes::RegimePanel>().is_running(),
        "the map runs off the UI thread"
    );
    let start = Instant::now();
    while h.state().panel::<spikelab::app::views::regimes::RegimePanel>().is_running() {
        assert!(start.elapsed() < Duration::from_secs(120), "timed out mapping");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    let points: Vec<_> = h
        .state()
        .panel::<spikelab::app::views::regimes::RegimePanel>()
        .points()
        .into_iter()
        .map(|p| p.expect("every point ran"))
        .collect();
    assert_eq!(points.iter().map(|p| p.x).collect::<Vec<_>>(), [0.0, -90.0, -180.0]);
    // Less inhibition, more firing: without it CUBA's excitation runs away.
    assert!(points[0].measures.rate_hz > points[1].measures.rate_hz, "{points:?}");
    assert!(points[1].measures.rate_hz > points[2].measures.rate_hz, "{points:?}");
    // A new, longer map can be cancelled at once.
    h.state_mut().panel_mut::<spikelab::app::views::regimes::RegimePanel>().duration_ms = 5000.0;
    h.get_by_role_and_label(Role::Button, "Map").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.step();
    assert!(
        !h.state().panel::<spikelab::app::views::regimes::RegimePanel>().is_running()
            && h.state().panel::<spikelab::app::views::regimes::RegimePanel>().points().is_empty()
    );
}

/// A bundled learning preset trained on its first 100 digits.
fn small_training(name: &str) -> spikelab::preset::Preset {
    let mut preset = common::bundled(name);
    preset.set_path("learning.train_images", "100").unwrap();
    preset
}

#[test]
fn the_accuracy_view_trains_every_point_from_every_seed_in_the_background() {
    use spikelab::app::views::accuracy::AccuracyPanel;
    let mut h = harness_on(small_training("sweeps/device_levels"));
    h.get_by_role_and_label(Role::Button, "Accuracy").click();
    h.run_steps(2);
    {
        let panel = h.state_mut().panel_mut::<AccuracyPanel>();
        assert_eq!(panel.x.label, "levels", "the preset's own sweep");
        assert_eq!(panel.seeds, 4);
        (panel.x.values, panel.seeds) = (vec![2.0, 64.0], 2);
    }
    h.get_by_role_and_label(Role::Button, "Train").click();
    h.step();
    assert!(h.state().panel::<AccuracyPanel>().is_running(), "training runs off the UI thread");
    let start = Instant::now();
    while h.state().panel::<AccuracyPanel>().is_running() {
        assert!(start.elapsed() < Duration::from_secs(300), "timed out training");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    let mut scores = h.state().panel::<AccuracyPanel>().scores();
    scores.sort_by(|a, b| (a.x, a.seed).partial_cmp(&(b.x, b.seed)).unwrap());
    let points: Vec<(f64, u64)> = scores.iter().map(|s| (s.x, s.seed)).collect();
    assert_eq!(points, [(2.0, 1), (2.0, 2), (64.0, 1), (64.0, 2)]);
    // Two levels are one bit per synapse: the classifier stays at chance; 64 levels learn even
    // from 100 digits (49 and 57 %).
    assert!(scores[..2].iter().all(|s| s.test_accuracy < 0.2), "{scores:?}");
    assert!(scores[2..].iter().all(|s| s.test_accuracy > 0.4), "{scores:?}");
    let figure = h.state().figure().expect("the accuracy figure");
    let names: Vec<&str> = figure.panels[0].series.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"mean") && names.iter().any(|n| n.starts_with("Querlioz")), "{names:?}");
    let mean = &figure.panels[0].series[0].points;
    assert_eq!(mean[1], [64.0, (scores[2].test_accuracy + scores[3].test_accuracy) / 2.0]);
}

/// Spikes of neurons `range` between `t0` and `t1` in the window's history.
fn spikes_between(app: &SpikelabApp, range: std::ops::Range<u32>, t0: f64, t1: f64) -> usize {
    app.lab.history.spikes_in(t0, t1).filter(|s| range.contains(&s.neuron)).count()
}

#[test]
fn a_projection_weight_edit_changes_the_running_network_and_a_structure_edit_rebuilds_it() {
    let mut h = harness("networks/cuba");
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "100 ms of CUBA", |app| app.lab.history.t_ms >= 100.0);
    h.get_by_role_and_label(Role::Button, "Pause").click();
    h.run_steps(2);
    let t_edit = h.state().lab.history.t_ms;
    let before = spikes_between(h.state(), 0..3200, t_edit - 50.0, t_edit);
    // Silence the inhibition onto E: live, from this moment, no restart.
    h.get_by_label("I -> E (inh)").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "weight.Constant").set_value_accesskit(0.0);
    h.run_steps(2);
    let weight = &h.state().lab.preset().network.as_ref().unwrap().projections[2].weight;
    assert_eq!(*weight, spikelab::network::spec::Dist::Constant(0.0));
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "50 ms more", |app| app.lab.history.t_ms >= t_edit + 50.0);
    let app = h.state();
    assert!(app.lab.history.t_ms > t_edit, "the run went on from where it was");
    let after = spikes_between(app, 0..3200, t_edit + 10.0, t_edit + 50.0) as f64 * 50.0 / 40.0;
    assert!(after > 3.0 * before as f64, "without inhibition E fires more: {before} -> {after}");
    // A connection probability is structure: the network is rebuilt from t = 0, and says so.
    h.get_by_role_and_label(Role::SpinButton, "rule.FixedProbability.p").set_value_accesskit(0.01);
    h.run_steps(3);
    let app = h.state();
    assert!(app.lab.history.t_ms < t_edit, "a new run");
    assert!(app.lab.message.as_ref().is_some_and(|m| m.text.contains("rebuilt with the same seed")));
    let projection = &app.lab.preset().network.as_ref().unwrap().projections[2];
    assert_eq!(projection.rule, spikelab::network::spec::Connectivity::FixedProbability { p: 0.01 });
}

#[test]
fn an_input_rate_edit_changes_the_input_the_network_receives() {
    let mut h = harness("networks/ee746_drn");
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "200 ms", |app| app.lab.history.t_ms >= 200.0);
    h.get_by_role_and_label(Role::Button, "Pause").click();
    h.run_steps(2);
    let t_edit = h.state().lab.history.t_ms;
    let before = spikes_between(h.state(), 0..25, t_edit - 150.0, t_edit);
    assert!(before > 0, "the driven neurons fire");
    h.get_by_label("input 0 -> E").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "stimulus.components.0.Spikes.source.Poisson.rate_hz")
        .set_value_accesskit(0.0);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "300 ms more", |app| app.lab.history.t_ms >= t_edit + 300.0);
    // The input's synapse decays within 100 ms; after that the driven neurons hear nothing.
    let after = spikes_between(h.state(), 0..25, t_edit + 150.0, t_edit + 300.0);
    assert!(after < before / 4, "the input stopped: {before} -> {after}");
}

#[test]
fn ctrl_z_undoes_a_slider_and_a_network_edit_and_ctrl_shift_z_redoes_them() {
    use egui::{Key, Modifiers};
    let mut h = harness("izhikevich-2003/ch");
    let d = |h: &Harness<'static, SpikelabApp>| h.state().lab.preset().neuron.get("d");
    h.get_by_role_and_label(Role::Slider, "d").set_value_accesskit(3.5);
    h.run_steps(2);
    assert_eq!(d(&h), Some(3.5));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(d(&h), Some(2.0), "back to the preset's d");
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "the engine runs the restored model", |app| {
        app.lab.history.engine_model.and_then(|m| m.get("d")) == Some(2.0)
    });
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(d(&h), Some(3.5), "redone");
    h.get_by_role_and_label(Role::Button, "Step").click();
    step_until(&mut h, "the engine runs the redone model", |app| {
        app.lab.history.engine_model.and_then(|m| m.get("d")) == Some(3.5)
    });

    // A network edit undoes live too: the run goes on.
    let mut h = harness("networks/cuba");
    h.get_by_role_and_label(Role::Button, "+10 ms").click();
    step_until(&mut h, "10 ms", |app| app.lab.history.t_ms >= 10.0);
    h.get_by_label("I -> E (inh)").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "weight.Constant").set_value_accesskit(-45.0);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Edit").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Undo network.projections.2.weight.Constant -90 -> -45").is_some());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    let weight = h.state().lab.preset().network.as_ref().unwrap().projections[2].weight;
    assert_eq!(weight, spikelab::network::spec::Dist::Constant(-90.0));
    assert!(h.state().lab.history.t_ms >= 10.0, "undone live, without a new run");
}

#[test]
fn the_network_editor_adds_a_population_and_a_projection_that_save_and_load_back_equal() {
    let mut h = harness("networks/cuba");
    h.get_by_role_and_label(Role::Button, "Diagram").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Add population").click();
    h.run_steps(2);
    let spec = h.state().lab.preset().network.clone().unwrap();
    assert_eq!(spec.populations.len(), 3);
    assert_eq!((spec.populations[2].name.as_str(), spec.populations[2].size), ("P3", 100));
    // The new population is picked: rename it (typed after its name), then add a projection
    // from it to the last population (itself).
    h.get_by_role_and_label(Role::TextInput, "name").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "name").type_text("X");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().network.as_ref().unwrap().populations[2].name, "P3X");
    h.get_by_role_and_label(Role::Button, "Add projection").click();
    h.run_steps(2);
    let preset = h.state().lab.preset().draft();
    let spec = preset.network.as_ref().unwrap();
    assert_eq!(spec.projections.len(), 5);
    let added = &spec.projections[4];
    assert_eq!((added.from.as_str(), added.to.as_str()), ("P3X", "P3X"), "{added:?}");
    // Its rule: a fixed total number of synapses (multapses come with it), then 5000 of them.
    h.get_by_role_and_label(Role::ComboBox, "connection").click();
    h.run_steps(2);
    h.get_by_label("n synapses in all").click();
    h.run_steps(2);
    let projection = h.state().lab.preset().network.as_ref().unwrap().projections[4].clone();
    assert_eq!(projection.rule, spikelab::network::spec::Connectivity::FixedTotalNumber { n: 1000 });
    assert!(projection.multapses);
    h.get_by_role_and_label(Role::SpinButton, "rule.FixedTotalNumber.n").set_value_accesskit(5000.0);
    h.run_steps(2);
    let preset = h.state().lab.preset().draft();
    let spec = preset.network.as_ref().unwrap();
    assert_eq!(spec.projections[4].rule, spikelab::network::spec::Connectivity::FixedTotalNumber { n: 5000 });
    // What a save writes loads back equal, and the engine runs it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edited.ron");
    preset.save(&path).unwrap();
    assert_eq!(spikelab::preset::Preset::load(&path).unwrap(), preset);
    h.get_by_role_and_label(Role::Button, "+10 ms").click();
    step_until(&mut h, "the edited network runs", |app| app.lab.history.t_ms >= 10.0);
}

#[test]
fn the_figure_menu_saves_the_open_view_as_svg_png_and_its_data_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness("izhikevich-2003/rs");
    h.get_by_role_and_label(Role::Button, "Run").click();
    step_until(&mut h, "a few spikes", |app| app.lab.history.spike_count >= 2);
    h.get_by_role_and_label(Role::Button, "Pause").click();
    step_until(&mut h, "paused", |app| app.lab.history.status == Status::Paused);
    h.run_steps(2);

    let save = |h: &mut Harness<'static, SpikelabApp>, file: &str, button: &str| {
        h.get_by_role_and_label(Role::Button, "Figure").click();
        h.run_steps(3);
        let field = h.get_by_role_and_label(Role::TextInput, "file");
        field.click();
        h.run_steps(2);
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.run_steps(1);
        h.get_by_role_and_label(Role::TextInput, "file").type_text(dir.path().join(file).to_str().unwrap());
        h.run_steps(2);
        h.get_by_role_and_label(Role::Button, button).click();
        h.run_steps(2);
    };
    save(&mut h, "traces.svg", "Save figure");
    let svg = std::fs::read_to_string(dir.path().join("traces.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("v [mV]") && svg.contains("t [ms]"), "an SVG with its axes");
    h.state_mut().lab.message = None;
    save(&mut h, "traces.csv", "Save data (CSV)");
    let message = h.state().lab.message.clone().expect("a message");
    assert!(!message.is_error && message.text.contains("traces.csv"), "{message:?}");

    // The data is every sample of the membrane trace the view shows, and its spikes.
    let csv = std::fs::read_to_string(dir.path().join("traces.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("series,t_ms,v_mV"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let history = &h.state().lab.history;
    let v: Vec<[f64; 2]> =
        rows.iter().filter(|r| r[0] == "v").map(|r| [r[1].parse().unwrap(), r[2].parse().unwrap()]).collect();
    assert_eq!(v, history.series[0].iter().copied().collect::<Vec<_>>());
    assert_eq!(rows.iter().filter(|r| r[0] == "spike").count() as u64, history.spike_count);
    let input = std::fs::read_to_string(dir.path().join("traces-input-current.csv")).unwrap();
    assert!(input.starts_with("series,t_ms,I_model_units\nI,"));

    // A PNG at the view's size on screen.
    save(&mut h, "traces.png", "Save figure");
    let png = image::open(dir.path().join("traces.png")).unwrap();
    let pixels = h.state().figure_pixels();
    assert_eq!((png.width(), png.height()), pixels);
    assert!(pixels.0 > 600 && pixels.1 > 400, "{pixels:?}");
}

#[test]
fn a_saved_session_restores_the_edit_view_and_unsaved_mark_into_a_new_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spikelab/session.ron");
    let mut h = harness("izhikevich-2003/rs");
    h.state_mut().autosave_to(path.clone());
    assert!(!h.state().title().starts_with('*'), "nothing edited yet: {}", h.state().title());
    h.get_by_role_and_label(Role::Slider, "d").set_value_accesskit(4.5);
    h.step();
    h.get_by_role_and_label(Role::Button, "Phase plane").click();
    h.run_steps(2);
    assert!(h.state().title().starts_with("*Izhikevich"), "the unsaved mark: {}", h.state().title());
    h.state_mut().save_session();

    // A new app from the file: the edit, the view and the mark are back.
    let session = spikelab::app::Session::restore(&path).unwrap().expect("a session was written");
    let restored = SpikelabApp::restore(session, None).unwrap();
    let mut h2 = harness_of(restored);
    assert_eq!(h2.state().lab.preset().neuron.get("d"), Some(4.5));
    assert_eq!(h2.state().view_id(), "phase-plane");
    assert!(h2.state().title().starts_with('*'));
    let slider = h2.get_by_role_and_label(Role::Slider, "d");
    assert_eq!(egui_kittest::kittest::NodeT::accesskit_node(&slider).numeric_value(), Some(4.5), "the slider shows it");

    // Dropping a stimulus file drives the neuron with it (an edit that undoes); a file that is
    // neither a preset nor a stimulus is reported.
    let stimulus = dir.path().join("pulse.ron");
    std::fs::write(&stimulus, "(components: [Pulse(start_ms: 5.0, duration_ms: 2.0, amplitude: 30.0)])").unwrap();
    h2.state_mut().drop_file(&stimulus);
    h2.step();
    assert_eq!(h2.state().lab.preset().stimulus.value_at(6.0), 30.0);
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "hello").unwrap();
    h2.state_mut().drop_file(&junk);
    let message = h2.state().lab.message.clone().unwrap();
    assert!(message.is_error && message.text.contains("notes.txt"), "{message:?}");
}

#[test]
fn every_view_draws_its_figure_with_its_data() {
    use spikelab::preset::learning::Learning;
    let out = tempfile::tempdir().unwrap();
    let mut conversion = common::bundled("learning/conversion");
    let Some(Learning::Conversion(task)) = &mut conversion.learning else { panic!() };
    task.training.epochs = 2;
    let cases: Vec<(spikelab::preset::Preset, &[&str])> = vec![
        (common::bundled("izhikevich-2003/rs"), &["traces", "stimulus", "phase-plane", "fi", "compare"]),
        (common::bundled("basics/lif_std"), &["phase-plane"]),
        (common::bundled("hodgkin-huxley/repetitive_firing"), &["currents"]),
        (common::bundled("plasticity/song_abbott"), &["stdp", "raster", "activity", "diagram", "connectivity"]),
        (common::bundled("networks/brunel_ai"), &["regimes"]),
        (common::bundled("plasticity/ee746_tempotron"), &["tempotron"]),
        (common::bundled("learning/encoding"), &["encoding"]),
        (conversion, &["classifier"]),
        (common::bundled("learning/unsupervised"), &["receptive-fields"]),
        (common::bundled("plasticity/song_abbott_device"), &["device"]),
        (small_training("sweeps/device_redundancy"), &["accuracy"]),
    ];
    let mut covered = Vec::new();
    for (preset, views) in cases {
        let mut h = harness_on(preset);
        h.state_mut().send(spikelab::engine::Command::Run);
        for &view in views {
            let ctx = h.ctx.clone();
            h.state_mut().open_view(view, Some(ctx.clone()));
            if view == "regimes" {
                // A small map instead: two points of a twentieth of the network, 100 ms each.
                let preset = h.state().lab.preset().clone();
                let panel = h.state_mut().panel_mut::<spikelab::app::views::regimes::RegimePanel>();
                (panel.two_axes, panel.duration_ms, panel.warmup_ms, panel.scale) = (false, 100.0, 20.0, 0.05);
                panel.x.n = 2;
                panel.start(&preset, Some(ctx.clone()));
            }
            if view == "accuracy" {
                let preset = h.state().lab.preset().clone();
                let panel = h.state_mut().panel_mut::<spikelab::app::views::accuracy::AccuracyPanel>();
                (panel.x.values, panel.seeds) = (vec![1.0, 8.0], 1);
                panel.start(&preset, Some(ctx.clone()));
            }
            if view == "receptive-fields" {
                h.state_mut().start_learning(&ctx);
            }
            assert_eq!(h.state().view_id(), view);
            let start = Instant::now();
            let figure = loop {
                h.step();
                if let Some(f) = h
                    .state()
                    .figure()
                    .filter(|f| f.panels.iter().any(|p| p.series.iter().any(|s| !s.points.is_empty())))
                {
                    break f;
                }
                assert!(start.elapsed() < Duration::from_secs(60), "{view}: no figure");
                std::thread::sleep(Duration::from_millis(20));
            };
            let svg = out.path().join(format!("{view}.svg"));
            figure.save(&svg, (800, 600)).unwrap();
            figure.save(&out.path().join(format!("{view}.png")), (800, 600)).unwrap();
            let files = figure.save_data(&svg).unwrap();
            assert_eq!(files.len(), figure.panels.len());
            let text = std::fs::read_to_string(&files[0]).unwrap();
            assert!(
                text.starts_with("series,") && text.lines().count() > 1,
                "{view}: {}",
                &text[..text.len().min(200)]
            );
            let drawn = std::fs::read_to_string(&svg).unwrap();
            assert!(drawn.len() > 2000 && drawn.contains(&figure.panels[0].x.label()), "{view}: axes drawn");
            covered.push(view);
        }
    }
    let mut all = SpikelabApp::view_ids();
    all.sort();
    covered.sort();
    covered.dedup();
    assert_eq!(covered, all, "every registered view");
}

#[test]
fn file_export_writes_nest_and_brian2_scripts_and_says_why_a_model_does_not_export() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("brunel.py");
    let mut h = harness("networks/brunel_ai");
    let export_to = |h: &mut Harness<'static, SpikelabApp>, path: &std::path::Path, button: &str| {
        h.get_by_role_and_label(Role::Button, "File").click();
        h.run_steps(3);
        h.get_by_role_and_label(Role::TextInput, "path").click();
        h.run_steps(2);
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.get_by_role_and_label(Role::TextInput, "path").type_text(path.to_str().unwrap());
        h.run_steps(2);
        h.get_by_role_and_label(Role::Button, button).click();
        h.run_steps(2);
    };
    export_to(&mut h, &path, "Export NEST script to path");
    let expected = spikelab::export::export(h.state().lab.preset(), spikelab::export::Target::Nest).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    assert!(expected.contains("nest.Create(\"iaf_psc_delta\", 10000"));

    // A model NEST has no counterpart for: the reason, and nothing written.
    h.state_mut().lab.load(common::bundled("izhikevich-2004/class_1_excitable")).unwrap();
    h.step();
    let other = dir.path().join("izh.py");
    export_to(&mut h, &other, "Export NEST script to path");
    let message = h.state().lab.message.clone().unwrap();
    assert!(message.is_error && message.text.contains("Brian2"), "{message:?}");
    assert!(!other.exists());
    // Brian2 takes it, its equations written out.
    export_to(&mut h, &other, "Export Brian2 script to path");
    let script = std::fs::read_to_string(&other).unwrap();
    assert_eq!(script, spikelab::export::export(h.state().lab.preset(), spikelab::export::Target::Brian2).unwrap());
    assert!(script.contains("dv/dt = (0.04*v**2 + k1*v + k0 - u + I)/ms"));
}

#[test]
fn a_lesson_is_answered_wrong_then_right_a_behaviour_passes_after_the_sliders_and_progress_survives() {
    use spikelab::lesson::Lesson;
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("spikelab/session.ron");
    let mut h = harness("izhikevich-2003/rs");
    h.state_mut().autosave_to(session.clone());
    h.state_mut().open_lesson(Lesson::resolve("01-membrane").unwrap(), None);
    h.run_steps(2);
    step_until(&mut h, "the first key", |app| app.lessons.key(0).is_some());
    assert_eq!(h.state().view_id(), "traces");
    assert_eq!(h.state().lab.preset().stimulus.value_at(100.0), 100.0, "the step's preset: a 100 pA step");
    assert!(!h.state().lab.locks.allows("neuron.g_l_ns"), "the step locks the sliders");

    // Wrong: the verdict and the first hint show.
    h.state_mut().lessons.answer("30");
    h.get_by_role_and_label(Role::Button, "Check").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Not yet").is_some());
    assert!(h.query_by_label_contains("Hint: V starts at -70 mV").is_some());
    assert!(h.query_by_label_contains("Hint: Hover").is_none(), "one hint per wrong attempt");
    // Right.
    h.state_mut().lessons.answer("20");
    h.get_by_role_and_label(Role::Button, "Check").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Correct").is_some());
    let progress = h.state().lessons.progress().unwrap().steps[0].clone();
    assert_eq!((progress.attempts, progress.correct, progress.hints), (2, Some(true), 1));
    step_until(&mut h, "the step's picture", |app| app.lessons.progress().unwrap().steps[0].picture.is_some());
    assert!(dir.path().join("spikelab/lessons/01-membrane/step-1.png").is_file());

    // A behaviour step: make the RS cell chatter with c and d.
    h.state_mut().open_lesson(Lesson::resolve("09-firing-patterns").unwrap(), None);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Next >").click();
    h.run_steps(2);
    step_until(&mut h, "the behaviour key", |app| app.lessons.key(1).is_some());
    assert!(!h.state().lab.locks.allows("neuron.a") && h.state().lab.locks.allows("neuron.c"));
    h.get_by_role_and_label(Role::Button, "Check my setup").click();
    step_until(&mut h, "the first verdict", |app| app.lessons.verdict().is_some());
    assert!(!h.state().lessons.verdict().unwrap().correct, "RS does not chatter");
    h.get_by_role_and_label(Role::Slider, "c [mV]").set_value_accesskit(-50.0);
    h.step();
    h.get_by_role_and_label(Role::Slider, "d").set_value_accesskit(2.0);
    h.step();
    h.get_by_role_and_label(Role::Button, "Check my setup").click();
    step_until(&mut h, "the second verdict", |app| app.lessons.progress().unwrap().steps[1].attempts == 2);
    let verdict = h.state().lessons.verdict().unwrap().clone();
    assert!(verdict.correct, "{verdict:?}");
    assert_eq!(verdict.measured.as_deref(), Some("regular bursting"));

    // The lab book: every step's question, the answers and verdicts, the picture inline.
    let book = dir.path().join("book.html");
    h.state_mut().export_lab_book(&book);
    let html = std::fs::read_to_string(&book).unwrap();
    assert!(html.contains("Make it chatter") && html.contains("neuron.c = -50") && html.contains("correct"));
    assert!(html.contains("data:image/png;base64,"), "the view's picture");

    // Closing and reopening: the lesson, its step, its attempts and the locks come back.
    h.state_mut().save_session();
    let restored = SpikelabApp::restore(spikelab::app::Session::restore(&session).unwrap().unwrap(), None).unwrap();
    let mut h2 = harness_of(restored);
    h2.state_mut().autosave_to(session.clone());
    h2.run_steps(3);
    assert_eq!(h2.state().lessons.position(), Some(("09-firing-patterns", 1)));
    assert_eq!(h2.state().lessons.progress().unwrap().steps[1].correct, Some(true));
    assert_eq!(h2.state().lab.preset().neuron.get("c"), Some(-50.0));
    assert!(!h2.state().lab.locks.allows("neuron.a"));
    assert!(h2.query_by_label_contains("You answered this correctly before").is_some());
    let membrane =
        spikelab::lesson::Progress::load(&dir.path().join("spikelab/lessons/01-membrane"), 6).unwrap().unwrap();
    assert_eq!(membrane.steps[0].attempts, 2);
}

#[test]
fn lecture_mode_hides_the_checks_and_shows_the_answer_on_demand_and_a_lesson_starts_over() {
    use spikelab::lesson::Lesson;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness("izhikevich-2003/rs");
    h.state_mut().autosave_to(dir.path().join("spikelab/session.ron"));
    h.state_mut().lessons.lecture = true;
    h.state_mut().open_lesson(Lesson::resolve("02-fi-curve").unwrap(), None);
    step_until(&mut h, "the first key", |app| app.lessons.key(0).is_some());
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::Button, "Check").is_none(), "no checks in lecture mode");
    assert!(h.query_by_label_contains("Answer:").is_none());
    h.get_by_role_and_label(Role::Button, "Show the answer").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Answer: 49.2 Hz").is_some());
    assert!(h.query_by_label_contains("Literature: 49.2").is_some());

    // Out of lecture mode a student answers; starting over clears it and keeps the seed.
    h.state_mut().lessons.lecture = false;
    h.state_mut().lessons.answer("49");
    h.run_steps(1);
    h.get_by_role_and_label(Role::Button, "Check").click();
    h.run_steps(2);
    let seed = h.state().lessons.progress().unwrap().seed;
    assert_eq!(h.state().lessons.progress().unwrap().steps[0].correct, Some(true));
    h.get_by_role_and_label(Role::Button, "Next >").click();
    h.run_steps(2);
    let app = h.state_mut();
    app.lessons.restart(&mut app.lab);
    let progress = h.state().lessons.progress().unwrap();
    assert_eq!((progress.step, progress.seed, progress.steps[0].correct), (0, seed, None));
}

#[test]
fn a_mystery_hides_its_values_closes_the_revealing_views_and_keeps_to_its_budget() {
    use spikelab::lesson::Lesson;
    let mut h = harness("izhikevich-2003/rs");
    h.state_mut().open_lesson(Lesson::resolve("03-mystery-lif").unwrap(), None);
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("E_L [mV]: hidden").is_some()
            && h.query_by_label_contains("g_L [nS]: hidden").is_some()
    );
    assert!(h.query_by_role_and_label(Role::Slider, "E_L [mV]").is_none(), "no slider shows the value");
    for tab in ["Phase plane", "f-I curve", "Compare"] {
        let node = h.get_by_label(tab);
        assert!(egui_kittest::kittest::NodeT::accesskit_node(&node).is_disabled(), "{tab} stays closed");
    }
    // Twelve stimuli are allowed in the lesson; the thirteenth is undone.
    for k in 1..=12 {
        h.get_by_role_and_label(Role::Slider, "amplitude [pA]").set_value_accesskit(10.0 * k as f64);
        h.run_steps(2);
    }
    assert_eq!(h.state().lab.preset().stimulus.value_at(100.0), 120.0);
    h.get_by_role_and_label(Role::Slider, "amplitude [pA]").set_value_accesskit(500.0);
    h.run_steps(2);
    assert_eq!(h.state().lab.preset().stimulus.value_at(100.0), 120.0, "the budget is spent");
    assert!(h.state().lab.message.as_ref().unwrap().text.contains("budget (12 stimuli) is spent"));
}

#[test]
fn a_bundled_stimulus_from_the_presets_menu_drives_the_neuron_and_undoes() {
    let mut h = harness("hodgkin-huxley/rest");
    h.get_by_role_and_label(Role::Button, "Presets").click();
    h.run_steps(2);
    h.get_by_label("stimuli (onto this neuron)").hover();
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "paired_pulses").click();
    h.run_steps(2);
    let stimulus = &h.state().lab.preset().stimulus;
    assert_eq!((stimulus.value_at(10.5), stimulus.value_at(15.0), stimulus.value_at(20.5)), (15.0, 0.0, 15.0));
    assert_eq!(h.state().lab.preset().name, "HH: resting state", "the neuron stays; only its input changes");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().lab.preset().stimulus.components.is_empty(), "undone");
}

/// A lesson author writes CommonMark: a numbered list, a link, a table, an image beside the text
/// and the equations as indented blocks; the window renders each.
#[test]
fn a_lesson_text_renders_lists_links_tables_images_and_equations() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("my-lesson");
    std::fs::create_dir(&lesson).unwrap();
    let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/01-membrane");
    for entry in std::fs::read_dir(bundled).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, lesson.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/hh_bench.png"), lesson.join("cell.png")).unwrap();
    let text = "# Two currents\n\n\
        1. First the sodium current rises.\n\
        2. Then the potassium current brings V back.\n\n\
        See [Hodgkin and Huxley (1952)](https://doi.org/10.1113/jphysiol.1952.sp004764).\n\n\
        | channel | g_max |\n|---|---|\n| sodium | 120 mS/cm2 |\n| potassium | 36 mS/cm2 |\n\n\
            C dV/dt = -g_Na (V - E_Na) - g_K (V - E_K)\n\n\
        ![the cell](cell.png)\n";
    std::fs::write(lesson.join("1-charging.md"), text).unwrap();
    let mut h = harness("izhikevich-2003/rs");
    h.state_mut().open_lesson(spikelab::lesson::Lesson::resolve(lesson.to_str().unwrap()).unwrap(), None);
    h.run_steps(4);
    assert!(h.query_by_label_contains("First the sodium current rises.").is_some());
    assert!(h.query_by_label_contains("Then the potassium current brings V back.").is_some());
    assert!(h.query_by_role_and_label(Role::Link, "Hodgkin and Huxley (1952)").is_some(), "a link");
    assert!(h.query_by_label("120 mS/cm2").is_some() && h.query_by_label("potassium").is_some(), "a table");
    assert!(h.query_by_label_contains("C dV/dt = -g_Na (V - E_Na)").is_some(), "the equation, whole");
    // The image is read from the lesson's folder on a loader thread.
    let start = std::time::Instant::now();
    while h
        .query_by_role(Role::Image)
        .is_some_and(|i| i.accesskit_node().label().is_some_and(|l| l.starts_with("Loading")))
    {
        assert!(start.elapsed() < Duration::from_secs(20), "the image loads");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    let image = h.query_by_role(Role::Image).expect("the image");
    assert!(image.rect().width() > 100.0, "drawn at its size: {:?}", image.rect());
}

#[test]
fn the_device_view_draws_the_device_and_its_sliders_change_the_one_the_network_runs_on() {
    use spikelab::app::views::device::DevicePanel;
    let mut h = harness("plasticity/song_abbott_device");
    h.get_by_label("Device").click();
    h.run_steps(2);
    assert_eq!(h.state().view_id(), "device");
    // The spread of the drawn devices' tops, and the pulses each way (2 cycles up and down).
    let spread = |app: &SpikelabApp| {
        let (_, figure) = app.panel::<DevicePanel>().drawn.as_ref().expect("drawn");
        let response = &figure.panels[0].series;
        let tops: Vec<f64> = response[..3].iter().map(|s| s.points.iter().map(|p| p[1]).fold(0.0, f64::max)).collect();
        let pulses = (response[3].points.len() - 1) / 4;
        (tops.iter().copied().fold(0.0, f64::max) - tops.iter().copied().fold(f64::MAX, f64::min), pulses)
    };
    // Ag:a-Si: 97 states, so 96 pulses each way; its three devices differ only pulse to pulse.
    let (before, pulses) = spread(h.state());
    assert_eq!(pulses, 96);
    h.get_by_role_and_label(Role::Slider, "σ d2d").set_value_accesskit(0.3);
    h.run_steps(2);
    let device = h.state().lab.preset().device().cloned().unwrap();
    assert_eq!(device.variation.d2d, 0.3, "the preset's device changed");
    let (after, _) = spread(h.state());
    assert!(after > 5.0 * before, "device-to-device spread drawn: {before} -> {after} µS");
    h.get_by_role_and_label(Role::Slider, "states").set_value_accesskit(9.0);
    h.run_steps(2);
    assert_eq!(spread(h.state()).1, 8, "nine states: eight pulses each way");
    // The STDP view draws the window through the devices now on the network, from 10, 50 and
    // 90 % of their range.
    h.get_by_label("STDP").click();
    h.run_steps(2);
    let panel = h.state().panel::<spikelab::app::views::stdp::StdpPanel>();
    let ((synapse, _), points) = panel.through_device.as_ref().expect("the window through the devices");
    assert!(matches!(synapse.device.curve, spikelab::synapse::device::Curve::SaturatingExp(c) if c.levels == 9));
    assert_eq!(points.len(), 3 * 201);
    let at = |dt: f64, g0: f64| points.iter().find(|p| p.dt_ms == dt && p.g0 == g0).unwrap().dw_mean;
    assert!(at(1.0, 0.5) > 0.0 && at(-1.0, 0.5) < 0.0, "pre before post potentiates");
}
