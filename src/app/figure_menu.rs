//! The Figure menu beside the view tabs: save what the open view shows as a figure (SVG, or
//! PNG at the view's size on screen) and its data as CSV.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};

use super::{Lab, ViewPanel};

#[derive(Default)]
pub struct FigureMenu {
    /// The path typed; empty: `<view>.svg`.
    typed: String,
    /// A file dialog's answer, awaited.
    pending: Option<Receiver<Option<PathBuf>>>,
    /// The view's size on screen in pixels (the PNG's size).
    pub pixels: (u32, u32),
}

impl FigureMenu {
    pub fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab, view: &dyn ViewPanel) {
        if let Some(rx) = &self.pending {
            match rx.try_recv() {
                Ok(Some(path)) => {
                    self.pending = None;
                    self.typed = path.display().to_string();
                    self.save_figure(lab, view, &path);
                }
                Ok(None) | Err(TryRecvError::Disconnected) => self.pending = None,
                Err(TryRecvError::Empty) => {}
            }
        }
        let config =
            egui::containers::menu::MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
        egui::containers::menu::MenuButton::new("Figure").config(config).ui(ui, |ui| {
            let default = format!("{}.svg", view.id());
            ui.horizontal(|ui| {
                let label = ui.label("file");
                ui.add(egui::TextEdit::singleline(&mut self.typed).hint_text(&default).desired_width(220.0))
                    .labelled_by(label.id)
                    .on_hover_text("A figure is saved as .svg or .png (the view's size on screen); its data as .csv");
            });
            let path = PathBuf::from(if self.typed.trim().is_empty() { default.as_str() } else { self.typed.trim() });
            if ui.button("Save figure").on_hover_text(format!("to {}", path.display())).clicked() {
                self.save_figure(lab, view, &path);
                ui.close();
            }
            let data = path.with_extension("csv");
            if ui
                .button("Save data (CSV)")
                .on_hover_text(format!("to {} and one file per further plot", data.display()))
                .clicked()
            {
                save_data(lab, view, &data);
                ui.close();
            }
            if ui.button("Save figure as…").clicked() {
                if self.pending.is_none() {
                    let start = path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf);
                    self.pending = Some(super::files::pick_path(ui.ctx(), true, ("figure", &["svg", "png"]), start));
                }
                ui.close();
            }
        });
    }

    fn save_figure(&self, lab: &mut Lab, view: &dyn ViewPanel, path: &Path) {
        let Some(figure) = view.figure(lab) else {
            return lab.error(format!("{} has nothing to save yet", view.title()));
        };
        let size = if self.pixels.0 >= 200 && self.pixels.1 >= 150 { self.pixels } else { crate::figure::DEFAULT_SIZE };
        match figure.save(path, size) {
            Ok(()) => lab.info(format!("saved {} ({} x {} px)", path.display(), size.0, size.1)),
            Err(e) => lab.error(e),
        }
    }
}

fn save_data(lab: &mut Lab, view: &dyn ViewPanel, path: &Path) {
    let Some(figure) = view.figure(lab) else { return lab.error(format!("{} has nothing to save yet", view.title())) };
    match figure.save_data(path) {
        Ok(files) => {
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            lab.info(format!("saved {}", names.join(", ")));
        }
        Err(e) => lab.error(e),
    }
}
