//! A lesson's text, in CommonMark (headings, paragraphs, lists, numbered lists, links, tables,
//! images, emphasis, code) through egui_commonmark. The equations are indented blocks, drawn as
//! code in a monospace font so that they line up.

use std::path::Path;

use egui_commonmark::{CommonMarkCache, CommonMarkViewer};

/// Draws `text`; `scale` enlarges every font (lecture mode). An image's relative path is read
/// from the lesson's `folder`.
pub fn show(ui: &mut egui::Ui, cache: &mut CommonMarkCache, text: &str, scale: f32, folder: Option<&Path>) {
    egui_extras::install_image_loaders(ui.ctx());
    ui.scope(|ui| {
        for font in ui.style_mut().text_styles.values_mut() {
            font.size *= BODY * scale;
        }
        let mut viewer = CommonMarkViewer::new();
        if let Some(folder) = folder {
            viewer = viewer.default_implicit_uri_scheme(format!("file://{}/", folder.display()));
        }
        viewer.show(ui, cache, text);
    });
}

/// The lesson's text a little larger than the controls' (14 points to egui's 12.5).
const BODY: f32 = 14.0 / 12.5;
