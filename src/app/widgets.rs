//! Small widgets shared by the panels.

/// A combo box choosing one of `options`; returns the new choice when the user changed it.
pub fn choice<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    current: T,
    options: &[T],
    name: impl Fn(T) -> String,
    tooltip: &str,
) -> Option<T> {
    let mut picked = current;
    egui::ComboBox::from_label(label)
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for &option in options {
                ui.selectable_value(&mut picked, option, name(option));
            }
        })
        .response
        .on_hover_text(tooltip);
    (picked != current).then_some(picked)
}

/// Puts `image` into the texture kept in `slot` (made on first use) and records `key`, what the
/// image was drawn from, so callers redraw only when it changes.
pub fn store_image<K>(
    slot: &mut Option<(K, egui::TextureHandle)>,
    ctx: &egui::Context,
    name: &str,
    key: K,
    image: egui::ColorImage,
) {
    match slot {
        Some((k, texture)) => {
            texture.set(image, egui::TextureOptions::NEAREST);
            *k = key;
        }
        None => *slot = Some((key, ctx.load_texture(name, image, egui::TextureOptions::NEAREST))),
    }
}
