//! Transport bar: run, pause, step, reset, speed, and the performance readout.

use super::Lab;
use super::widgets::choice;
use crate::engine::Command;
use crate::engine::frame::Status;
use crate::preset::settings::AtEnd;
use crate::preset::settings::Speed;

const SPEEDS: [Speed; 10] = [
    Speed::RealTime(0.01),
    Speed::RealTime(0.1),
    Speed::RealTime(0.25),
    Speed::RealTime(0.5),
    Speed::RealTime(1.0),
    Speed::RealTime(2.0),
    Speed::RealTime(5.0),
    Speed::RealTime(10.0),
    Speed::RealTime(100.0),
    Speed::Max,
];

pub fn ui(ui: &mut egui::Ui, lab: &mut Lab) {
    ui.horizontal(|ui| {
        let running = matches!(lab.history.status, Status::Running);
        if running {
            if ui.button("Pause").on_hover_text("Pause the simulation (Space)").clicked() {
                lab.commands.push(Command::Pause);
            }
        } else if ui.button("Run").on_hover_text("Run the simulation (Space)").clicked() {
            lab.commands.push(Command::Run);
        }
        if ui.input(|i| i.key_pressed(egui::Key::Space)) && !ui.ctx().egui_wants_keyboard_input() {
            lab.commands.push(if running { Command::Pause } else { Command::Run });
        }
        let dt = lab.preset().run.dt_ms;
        if ui.button("Step").on_hover_text(format!("Advance one time step ({dt} ms)")).clicked() {
            lab.commands.push(Command::Step(1));
        }
        if ui.button("+10 ms").on_hover_text("Advance 10 ms of simulated time").clicked() {
            lab.commands.push(Command::Step((10.0 / dt).round().max(1.0) as u64));
        }
        if ui.button("Reset").on_hover_text("Restart from t = 0 with the current settings").clicked() {
            lab.reset();
        }
        ui.separator();
        let tip = "Simulated time per wall-clock time: slow motion for class, 1x real time, or as fast as possible";
        if let Some(speed) = choice(ui, "Speed", lab.preset().view.speed, &SPEEDS, |s| s.label(), tip) {
            lab.apply(|p| p.view.speed = speed);
        }
        let tip = "At the end of the protocol (the preset's duration): keep going, pause, or replay it from t = 0";
        if let Some(at_end) = choice(ui, "at end", lab.preset().view.at_end, &AtEnd::ALL, |a| a.name().into(), tip) {
            lab.apply(|p| p.view.at_end = at_end);
        }
        ui.separator();
        let h = &lab.history;
        let mut readout = format!(
            "t = {:.1} ms · {:.0} fps · {} sim ms/s",
            h.t_ms,
            lab.perf.fps,
            format_rate(h.sim_ms_per_s)
        );
        if let Some(cpu) = lab.perf.ui_cpu_ms {
            readout += &format!(" · UI {cpu:.1} ms/frame");
        }
        ui.label(readout).on_hover_text(
            "Simulated time, UI frames per second, simulated milliseconds per wall-clock second (engine), UI CPU time per frame",
        );
    });
}

fn format_rate(ms_per_s: f64) -> String {
    if ms_per_s >= 1e6 {
        format!("{:.1}M", ms_per_s / 1e6)
    } else if ms_per_s >= 1e4 {
        format!("{:.0}k", ms_per_s / 1e3)
    } else {
        format!("{ms_per_s:.0}")
    }
}
