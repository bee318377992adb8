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

/// Grey pixels in [0, 1], row by row (`width` per row), drawn as a `side` x `side` grid of
/// cells (white is 1); `sense` says what the grid answers to (a drag paints the encoder's).
pub fn grey_cells(ui: &mut egui::Ui, values: &[f32], width: usize, side: f32, sense: egui::Sense) -> egui::Response {
    let height = values.len().div_ceil(width.max(1)).max(1);
    let (response, painter) = ui.allocate_painter(egui::vec2(side, side), sense);
    let cell = egui::vec2(side / width.max(1) as f32, side / height as f32);
    for (k, &v) in values.iter().enumerate() {
        let min = response.rect.min + egui::vec2((k % width) as f32 * cell.x, (k / width) as f32 * cell.y);
        let grey = egui::Color32::from_gray((v.clamp(0.0, 1.0) * 255.0) as u8);
        painter.rect_filled(egui::Rect::from_min_size(min, cell), 0.0, grey);
    }
    painter.rect_stroke(response.rect, 0.0, egui::Stroke::new(1.0, egui::Color32::GRAY), egui::StrokeKind::Outside);
    response
}

/// A slider for a parameter with its symbol and unit, its range (logarithmic when it spans
/// more than two decades), what it does on hover.
pub fn spec_slider(
    ui: &mut egui::Ui,
    spec: &crate::param::ParamSpec,
    value: &mut f64,
    integer: bool,
) -> egui::Response {
    let log = spec.max > 100.0 * spec.min.max(spec.max * 1e-9);
    let mut slider = egui::Slider::new(value, spec.min..=spec.max).logarithmic(log).text(spec.label());
    if integer {
        slider = slider.integer();
    }
    ui.add(slider).on_hover_text(spec.doc)
}

/// [`spec_slider`] for a field of a described struct ([`crate::param::Described`]).
pub fn described<T: crate::param::Described>(ui: &mut egui::Ui, value: &mut T, key: &str) -> egui::Response {
    let mut v = value.get(key).expect("a described field");
    let response = spec_slider(ui, T::spec(key), &mut v, T::integer(key));
    if response.changed() {
        value.set(key, v);
    }
    response
}
