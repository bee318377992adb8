//! The Markdown a lesson's text uses: `#` headings, paragraphs, `-` lists, indented blocks
//! (equations, in a monospace font so they line up) and `**bold**`, `*italics*` and `` `code` ``
//! inline.

/// Draws `text`; `scale` enlarges every font (lecture mode).
pub fn show(ui: &mut egui::Ui, text: &str, scale: f32) {
    let body = 14.0 * scale;
    let mut paragraph = String::new();
    let flush = |ui: &mut egui::Ui, paragraph: &mut String| {
        if !paragraph.trim().is_empty() {
            inline(ui, paragraph.trim(), body);
            ui.add_space(body * 0.4);
        }
        paragraph.clear();
    };
    for line in text.lines() {
        if let Some(code) = line.strip_prefix("    ") {
            flush(ui, &mut paragraph);
            ui.label(egui::RichText::new(code).monospace().size(body));
        } else if let Some(heading) = line.strip_prefix("# ").or_else(|| line.strip_prefix("## ")) {
            flush(ui, &mut paragraph);
            ui.label(egui::RichText::new(heading).strong().size(body * 1.35));
            ui.add_space(body * 0.3);
        } else if let Some(item) = line.strip_prefix("- ") {
            flush(ui, &mut paragraph);
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new("•").size(body));
                inline(ui, item, body);
            });
        } else if line.trim().is_empty() {
            flush(ui, &mut paragraph);
        } else {
            paragraph.push_str(line.trim());
            paragraph.push(' ');
        }
    }
    flush(ui, &mut paragraph);
}

/// One paragraph with `**bold**`, `*italic*` and `` `code` `` spans, wrapped.
fn inline(ui: &mut egui::Ui, text: &str, size: f32) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for (k, bold_part) in text.split("**").enumerate() {
            for (j, code_part) in bold_part.split('`').enumerate() {
                // Inside code a `*` is a character; outside, single ones delimit italics.
                let pieces: Vec<&str> = if j % 2 == 1 { vec![code_part] } else { code_part.split('*').collect() };
                for (i, part) in pieces.into_iter().enumerate() {
                    if part.is_empty() {
                        continue;
                    }
                    let mut rich = egui::RichText::new(part).size(size);
                    if j % 2 == 1 {
                        rich = rich.monospace();
                    }
                    if k % 2 == 1 {
                        rich = rich.strong();
                    }
                    if i % 2 == 1 {
                        rich = rich.italics();
                    }
                    ui.label(rich);
                }
            }
        }
    });
}
