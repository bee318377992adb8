//! The Markdown a lesson's text uses: `#` headings, paragraphs, `-` lists, indented blocks
//! (equations, in a monospace font so they line up) and `**bold**`, `*italics*` and `` `code` ``
//! inline.

/// Draws `text`; `scale` enlarges every font (lecture mode).
pub fn show(ui: &mut egui::Ui, text: &str, scale: f32) {
    let body = 14.0 * scale;
    // The block being read: a paragraph, or a list item (`bullet`); both run on over the lines
    // that follow until a blank line or another block starts.
    let (mut block, mut bullet) = (String::new(), false);
    let flush = |ui: &mut egui::Ui, block: &mut String, bullet: bool| {
        let text = block.trim();
        if !text.is_empty() && bullet {
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new("•").size(body));
                inline(ui, text, body);
            });
        } else if !text.is_empty() {
            inline(ui, text, body);
            ui.add_space(body * 0.4);
        }
        block.clear();
    };
    for line in text.lines() {
        if let Some(code) = line.strip_prefix("    ") {
            flush(ui, &mut block, bullet);
            ui.label(egui::RichText::new(code).monospace().size(body));
        } else if let Some(heading) = line.strip_prefix("# ").or_else(|| line.strip_prefix("## ")) {
            flush(ui, &mut block, bullet);
            ui.label(egui::RichText::new(heading).strong().size(body * 1.35));
            ui.add_space(body * 0.3);
        } else if let Some(item) = line.strip_prefix("- ") {
            flush(ui, &mut block, bullet);
            (block, bullet) = (format!("{item} "), true);
        } else if line.trim().is_empty() {
            flush(ui, &mut block, bullet);
            if bullet {
                // The list ends: the same gap as after a paragraph.
                ui.add_space(body * 0.4);
            }
            bullet = false;
        } else {
            block.push_str(line.trim());
            block.push(' ');
        }
    }
    flush(ui, &mut block, bullet);
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
                    // A label drops its leading space: keep the gap between spans as space.
                    let trimmed = part.trim_start();
                    if trimmed.len() < part.len() {
                        ui.add_space(size * 0.28);
                    }
                    if trimmed.is_empty() {
                        continue;
                    }
                    let mut rich = egui::RichText::new(trimmed).size(size);
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
