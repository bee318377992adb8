//! The lab book a student hands in: each step's question, answer, verdict, parameter table and
//! a picture of the view, as Markdown (pictures beside it) or one self-contained HTML file.

use std::fmt::Write as _;
use std::path::Path;

use super::{Lesson, Progress};

/// Writes the lab book to `path` (`.html`, else Markdown); `pictures` is the folder the step
/// pictures were saved in.
pub fn write(lesson: &Lesson, progress: &Progress, pictures: &Path, path: &Path) -> Result<(), String> {
    let html = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    let text = if html {
        render(lesson, progress, &Html, |file| {
            std::fs::read(pictures.join(file)).ok().map(|png| format!("data:image/png;base64,{}", base64(&png)))
        })
    } else {
        // Markdown links its pictures: copy them into `<stem>-pictures/` beside the book.
        let stem = path.file_stem().map_or("labbook".into(), |s| s.to_string_lossy().to_string());
        let dir = path.with_file_name(format!("{stem}-pictures"));
        render(lesson, progress, &Markdown, |file| {
            std::fs::create_dir_all(&dir).ok()?;
            std::fs::copy(pictures.join(file), dir.join(file)).ok()?;
            Some(format!("{stem}-pictures/{file}"))
        })
    };
    crate::fsio::write_atomic(path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The few constructs a lab book needs, per format.
trait Format {
    fn head(&self, title: &str) -> String;
    fn heading(&self, text: &str) -> String;
    fn paragraph(&self, label: &str, text: &str) -> String;
    fn table(&self, rows: &[(String, String)]) -> String;
    fn picture(&self, src: &str, alt: &str) -> String;
    fn tail(&self) -> String;
}

struct Markdown;
struct Html;

impl Format for Markdown {
    fn head(&self, title: &str) -> String {
        format!("# Lab book: {title}\n\n")
    }
    fn heading(&self, text: &str) -> String {
        format!("## {text}\n\n")
    }
    fn paragraph(&self, label: &str, text: &str) -> String {
        format!("**{label}** {text}\n\n")
    }
    fn table(&self, rows: &[(String, String)]) -> String {
        let mut s = String::from("| parameter | value |\n|---|---|\n");
        for (k, v) in rows {
            let _ = writeln!(s, "| {k} | {v} |");
        }
        s + "\n"
    }
    fn picture(&self, src: &str, alt: &str) -> String {
        format!("![{alt}]({src})\n\n")
    }
    fn tail(&self) -> String {
        String::new()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Format for Html {
    fn head(&self, title: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Lab book: {t}</title>\n\
             <style>body{{font-family:sans-serif;max-width:50em;margin:2em auto}}table{{border-collapse:collapse}}\
             td,th{{border:1px solid #999;padding:2px 8px}}img{{max-width:100%}}</style></head><body>\n<h1>Lab book: {t}</h1>\n",
            t = escape(title)
        )
    }
    fn heading(&self, text: &str) -> String {
        format!("<h2>{}</h2>\n", escape(text))
    }
    fn paragraph(&self, label: &str, text: &str) -> String {
        format!("<p><b>{}</b> {}</p>\n", escape(label), escape(text))
    }
    fn table(&self, rows: &[(String, String)]) -> String {
        let mut s = String::from("<table><tr><th>parameter</th><th>value</th></tr>\n");
        for (k, v) in rows {
            let _ = writeln!(s, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v));
        }
        s + "</table>\n"
    }
    fn picture(&self, src: &str, alt: &str) -> String {
        format!("<p><img src=\"{src}\" alt=\"{}\"></p>\n", escape(alt))
    }
    fn tail(&self) -> String {
        "</body></html>\n".into()
    }
}

fn render(
    lesson: &Lesson,
    progress: &Progress,
    format: &dyn Format,
    picture_src: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = format.head(&lesson.manifest.title);
    out += &format.paragraph("Seed:", &progress.seed.to_string());
    for (k, step) in lesson.steps().iter().enumerate() {
        out += &format.heading(&format!("Step {}: {}", k + 1, step.title));
        let Some(question) = &step.question else {
            out += &format.paragraph("", "No question in this step.");
            continue;
        };
        let done = progress.steps.get(k).cloned().unwrap_or_default();
        out += &format.paragraph("Question:", question.prompt());
        let unit = question.unit().filter(|u| !u.is_empty()).map(|u| format!(" {u}")).unwrap_or_default();
        let answer = done.answer.as_ref().map_or("(not answered)".into(), |a| format!("{a}{unit}"));
        out += &format.paragraph("Answer:", &answer);
        let verdict = match (done.correct, done.revealed) {
            (Some(true), false) => "correct".to_string(),
            (Some(true), true) => "correct (after the key was revealed)".into(),
            (Some(false), _) => "not correct".into(),
            (None, _) => "not checked".into(),
        };
        out +=
            &format.paragraph("Verdict:", &format!("{verdict}, {} attempt(s), {} hint(s)", done.attempts, done.hints));
        if !done.parameters.is_empty() {
            out += &format.table(&done.parameters);
        }
        if let Some(src) = done.picture.as_deref().and_then(&picture_src) {
            out += &format.picture(&src, &format!("the view at step {}", k + 1));
        }
    }
    out + &format.tail()
}

/// Standard base64 with padding (RFC 4648), for pictures inside the HTML book.
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= chunk.len() { TABLE[(n >> shift & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (raw, coded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(super::base64(raw.as_bytes()), coded);
        }
    }
}
