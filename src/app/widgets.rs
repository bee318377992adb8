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

/// Grey pixels in [0, 1], row by row, as an image (white is 1).
pub fn grey_image(values: &[f32], width: usize, height: usize) -> egui::ColorImage {
    let pixels = values.iter().map(|&v| egui::Color32::from_gray((v.clamp(0.0, 1.0) * 255.0) as u8)).collect();
    egui::ColorImage { size: [width, height], pixels, source_size: egui::Vec2::new(width as f32, height as f32) }
}

/// Shows a texture at `size` points with a caption under it.
pub fn texture_ui(ui: &mut egui::Ui, texture: &egui::TextureHandle, size: egui::Vec2, caption: &str) {
    ui.vertical(|ui| {
        ui.image(egui::load::SizedTexture::new(texture.id(), size));
        ui.label(caption);
    });
}
