//! The File and Presets menus: open and save presets through a file dialog (run on its own
//! thread, so the UI keeps drawing), and the bundled library.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::Lab;
use crate::export::Target;
use crate::library;
use crate::preset::Preset;
use crate::preset::session::Session;
use crate::stimulus::Stimulus;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dialog {
    Open,
    Save,
    /// A script of the lab's network for another simulator.
    Export(Target),
}

#[derive(Default)]
pub struct Files {
    pending: Option<(Dialog, Receiver<Option<PathBuf>>)>,
    /// Where the lab was last opened from or saved to.
    pub current: Option<PathBuf>,
    /// The lab as last opened or saved: edits since make it unsaved.
    pub baseline: Option<Preset>,
    /// Preset files opened or saved, newest first.
    pub recent: Vec<PathBuf>,
    /// The File menu's path field: works where no file dialog is available.
    typed_path: String,
}

impl Files {
    pub fn menu_ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        // Closes on a click outside only, so the path field can be clicked and typed into.
        let config =
            egui::containers::menu::MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
        egui::containers::menu::MenuButton::new("File").config(config).ui(ui, |ui| {
            if ui.button("Open preset…").clicked() {
                self.ask(ui.ctx(), Dialog::Open);
                ui.close();
            }
            if let Some(path) = self.current.clone()
                && ui.button(format!("Save to {}", path.display())).clicked()
            {
                self.save_to(lab, &path);
                ui.close();
            }
            if ui.button("Save preset as…").clicked() {
                self.ask(ui.ctx(), Dialog::Save);
                ui.close();
            }
            for (target, label) in [(Target::Nest, "Export to NEST…"), (Target::Brian2, "Export to Brian2…")] {
                let tip = "A Python script that builds this network in the simulator, runs it and writes spikes.csv and summary.json as spikelab run does (NEST: threads and MPI; Brian2: C++ standalone with OpenMP)";
                if ui.button(label).on_hover_text(tip).clicked() {
                    self.ask(ui.ctx(), Dialog::Export(target));
                    ui.close();
                }
            }
            ui.add_enabled_ui(!self.recent.is_empty(), |ui| {
                ui.menu_button("Recent", |ui| {
                    for path in self.recent.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            self.open(lab, &path);
                            ui.close();
                        }
                    }
                });
            });
            ui.separator();
            ui.horizontal(|ui| {
                let label = ui.label("path");
                ui.add(
                    egui::TextEdit::singleline(&mut self.typed_path)
                        .hint_text("presets/my_lab.ron")
                        .desired_width(220.0),
                )
                .labelled_by(label.id)
                .on_hover_text("Type a file path to open or save without a file dialog");
            });
            ui.horizontal(|ui| {
                let path = PathBuf::from(self.typed_path.trim());
                let has_path = !self.typed_path.trim().is_empty();
                if ui.add_enabled(has_path, egui::Button::new("Open path")).clicked() {
                    self.open(lab, &path);
                    ui.close();
                }
                if ui.add_enabled(has_path, egui::Button::new("Save to path")).clicked() {
                    self.save_to(lab, &path);
                    ui.close();
                }
                let script = path.extension().is_some_and(|e| e == "py");
                for (target, label) in [(Target::Nest, "Export NEST script to path"), (Target::Brian2, "Export Brian2 script to path")] {
                    if ui.add_enabled(script, egui::Button::new(label)).on_disabled_hover_text("a path ending in .py").clicked() {
                        export(lab, &path, target);
                        ui.close();
                    }
                }
            });
        });
        ui.menu_button("Presets", |ui| {
            let mut folders: Vec<&str> = library::names().filter_map(|n| n.split_once('/').map(|s| s.0)).collect();
            folders.dedup();
            for folder in folders {
                ui.menu_button(folder, |ui| {
                    for name in library::names().filter(|n| n.split_once('/').is_some_and(|s| s.0 == folder)) {
                        let preset = library::bundled(name).expect("listed");
                        let tip = preset.as_ref().map_or_else(|e| e.to_string(), |p| p.description.clone());
                        if ui.button(&name[folder.len() + 1..]).on_hover_text(tip).clicked() {
                            match preset {
                                Ok(p) => {
                                    self.current = None;
                                    self.baseline = Some(p.clone());
                                    if let Err(why) = lab.load(p) {
                                        lab.error(why);
                                    }
                                }
                                Err(e) => lab.error(e.to_string()),
                            }
                            ui.close();
                        }
                    }
                });
            }
            ui.separator();
            ui.menu_button("stimuli (onto this neuron)", |ui| {
                for name in library::stimulus_names() {
                    let tip =
                        "Drives the lab's neuron with this stimulus (amplitudes in the model's current unit); undoable";
                    if ui.button(&name["stimuli/".len()..]).on_hover_text(tip).clicked() {
                        match library::resolve_stimulus(name) {
                            Ok(stimulus) => {
                                if lab.apply(|p| p.stimulus = stimulus) {
                                    lab.info(format!("stimulus {name}"));
                                }
                            }
                            Err(e) => lab.error(e.to_string()),
                        }
                        ui.close();
                    }
                }
            });
        });
    }

    fn ask(&mut self, ctx: &egui::Context, dialog: Dialog) {
        if self.pending.is_some() {
            return;
        }
        let start_dir = self.current.as_ref().and_then(|p| p.parent().map(Path::to_path_buf));
        let filter: (&'static str, &'static [&'static str]) = if matches!(dialog, Dialog::Export(_)) {
            ("Python script", &["py"])
        } else {
            ("spikelab preset", &["ron"])
        };
        let rx = pick_path(ctx, dialog != Dialog::Open, filter, start_dir);
        self.pending = Some((dialog, rx));
    }

    /// Acts on a file dialog's answer once it has arrived (`None`: cancelled, or no dialog
    /// available on this desktop, in which case the path field still works).
    pub fn poll(&mut self, lab: &mut Lab) {
        let Some((dialog, rx)) = &self.pending else { return };
        let answer = match rx.try_recv() {
            Err(TryRecvError::Empty) => return,
            Ok(answer) => answer,
            Err(TryRecvError::Disconnected) => None,
        };
        let dialog = *dialog;
        self.pending = None;
        match (dialog, answer) {
            (Dialog::Open, Some(path)) => self.open(lab, &path),
            (Dialog::Save, Some(path)) => self.save_to(lab, &path),
            (Dialog::Export(target), Some(path)) => export(lab, &path, target),
            (_, None) => {}
        }
    }

    /// Loads a preset file; on error the lab keeps what it had and shows file, line and field.
    pub fn open(&mut self, lab: &mut Lab, path: &Path) {
        match Preset::load(path) {
            Ok(preset) => self.opened(lab, path, preset),
            Err(e) => lab.error(format!("not loaded: {e}")),
        }
    }

    fn opened(&mut self, lab: &mut Lab, path: &Path, preset: Preset) {
        self.current = Some(path.to_path_buf());
        Session::remember(&mut self.recent, path);
        self.baseline = Some(preset.clone());
        if let Err(why) = lab.load(preset) {
            lab.error(why);
        }
    }

    /// A file dropped on the window: a preset opens; a stimulus file drives the lab's neuron
    /// (an edit, undoable); anything else is reported with why it is neither.
    pub fn drop_file(&mut self, lab: &mut Lab, path: &Path) {
        let as_preset = match Preset::load(path) {
            Ok(preset) => return self.opened(lab, path, preset),
            Err(e) => e,
        };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match Stimulus::from_ron(&text, &path.display().to_string()) {
            Ok(stimulus) => {
                if lab.apply(|p| p.stimulus = stimulus) {
                    lab.info(format!("stimulus from {}", path.display()));
                }
            }
            Err(_) => lab.error(format!("not a preset nor a stimulus: {as_preset}")),
        }
    }

    /// Edits since the lab was last opened or saved.
    pub fn unsaved(&self, lab: &Lab) -> bool {
        self.baseline.as_ref() != Some(lab.preset())
    }

    pub fn save_to(&mut self, lab: &mut Lab, path: &Path) {
        match lab.preset().save(path) {
            Ok(()) => {
                self.current = Some(path.to_path_buf());
                Session::remember(&mut self.recent, path);
                self.baseline = Some(lab.preset().draft());
                lab.info(format!("saved {}", path.display()));
            }
            Err(e) => lab.error(e),
        }
    }
}

/// Shows a file dialog on its own thread (the UI keeps drawing); the path arrives on the
/// receiver, `None` when cancelled or when this desktop has no dialog (type a path instead).
/// Writes the lab's network as a script for `target`, or says why it does not export.
fn export(lab: &mut Lab, path: &Path, target: Target) {
    let written = crate::export::export(lab.preset(), target).and_then(|script| {
        crate::fsio::write_atomic(path, script.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
    });
    match written {
        Ok(()) => lab.info(format!(
            "exported to {} (run it with python3; it writes spikes.csv and summary.json)",
            path.display()
        )),
        Err(why) => lab.error(format!("not exported: {why}")),
    }
}

pub fn pick_path(
    ctx: &egui::Context,
    save: bool,
    (filter, extensions): (&'static str, &'static [&'static str]),
    start_dir: Option<PathBuf>,
) -> Receiver<Option<PathBuf>> {
    let (tx, rx) = mpsc::channel();
    let ctx = ctx.clone();
    std::thread::spawn(move || {
        let mut picker = rfd::FileDialog::new().add_filter(filter, extensions);
        if let Some(dir) = start_dir {
            picker = picker.set_directory(dir);
        }
        let picked = if save { picker.save_file() } else { picker.pick_file() };
        let _ = tx.send(picked);
        ctx.request_repaint();
    });
    rx
}
