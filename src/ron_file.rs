//! The RON files spikelab reads and writes (presets, stimuli, sessions): one style of writing,
//! and errors that name the file, the line and the field.

use serde::Serialize;

/// A file that failed to load: where, which field, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetError {
    pub origin: String,
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for PresetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PresetError {}

/// The text of a file; an error names the file.
pub fn read_text(path: &std::path::Path) -> Result<String, PresetError> {
    std::fs::read_to_string(path).map_err(|e| PresetError {
        origin: path.display().to_string(),
        line: None,
        field: None,
        message: format!("cannot read: {e}"),
    })
}

/// Parses RON into `T`; a syntax or type error names the line and, where it can, the field.
pub fn parse_ron<T: serde::de::DeserializeOwned>(text: &str, origin: &str) -> Result<T, PresetError> {
    ron_options().from_str(text).map_err(|e| {
        let line = e.span.start.line;
        PresetError {
            origin: origin.to_string(),
            line: Some(line),
            field: field_of_ron_error(&e.code)
                .or_else(|| field_on_line(text, line, e.span.start.col))
                .or_else(|| field_before(text, line, e.span.start.col)),
            message: e.code.to_string(),
        }
    })
}

/// Writes `value` as the pretty RON every spikelab file uses.
pub fn write_ron<T: Serialize>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new().depth_limit(3).struct_names(false);
    ron_options().to_string_pretty(value, config).expect("spikelab's types always serialise") + "\n"
}

/// `neuron: Izhikevich(a: 0.02, ...)` rather than `Izhikevich((a: 0.02, ...))`, and optional
/// fields written without `Some(...)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(
        ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES | ron::extensions::Extensions::IMPLICIT_SOME,
    )
}

fn field_of_ron_error(code: &ron::Error) -> Option<String> {
    match code {
        ron::Error::NoSuchStructField { found, .. } => Some(found.to_string()),
        ron::Error::MissingStructField { field, .. } => Some(field.to_string()),
        ron::Error::DuplicateStructField { field, .. } => Some(field.to_string()),
        _ => None,
    }
}

/// The field name written before `col` on `line` (`a: oops` -> `a`), for type errors.
fn field_on_line(text: &str, line: usize, col: usize) -> Option<String> {
    let src = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = src.chars().take(col.saturating_sub(1)).collect();
    let colon = before.rfind(':')?;
    let name: String =
        before[..colon].trim_end().chars().rev().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then(|| name.chars().rev().collect())
}

/// The last field name written before (`line`, `col`), outside strings: where the reader was
/// when the text stopped making sense (a missing colon, a stray bracket).
fn field_before(text: &str, line: usize, col: usize) -> Option<String> {
    let mut prefix: String = text.lines().take(line.saturating_sub(1)).flat_map(|l| l.chars().chain(['\n'])).collect();
    prefix.extend(text.lines().nth(line.checked_sub(1)?).unwrap_or("").chars().take(col.saturating_sub(1)));
    let (mut in_string, mut escaped, mut last) = (false, false, None);
    let chars: Vec<char> = prefix.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        match (in_string, c) {
            (true, '\\') => escaped = !escaped,
            (true, '"') if !escaped => in_string = false,
            (true, _) => escaped = false,
            (false, '"') => in_string = true,
            (false, ':') => {
                let name: String = chars[..k]
                    .iter()
                    .rev()
                    .skip_while(|c| c.is_whitespace())
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .collect();
                if !name.is_empty() {
                    last = Some(name.chars().rev().collect());
                }
            }
            _ => {}
        }
    }
    last
}

/// The 1-based line where a dotted field path is written, e.g. `stimulus.components.1.amplitude`:
/// each name is searched after the previous one; an index `k` moves to the k-th element of the
/// list that follows.
/// A field left out (its default) is located at the nearest part of its path that is written.
pub fn locate_field(text: &str, path: &str) -> Option<usize> {
    let mut pos = 0;
    for part in path.split('.') {
        let found = match part.parse::<usize>() {
            Ok(k) => nth_element(&text[pos..], k),
            Err(_) => find_key(&text[pos..], part).map(|at| at + part.len()),
        };
        match found {
            Some(at) => pos += at,
            None if pos > 0 => break,
            None => return None,
        }
    }
    Some(text[..pos].matches('\n').count() + 1)
}

/// Byte offset of the start of element `k` of the first `[...]` list in `text`.
fn nth_element(text: &str, k: usize) -> Option<usize> {
    let open = text.find('[')?;
    let (mut depth, mut index, mut in_string) = (0usize, 0usize, false);
    for (at, c) in text[open..].char_indices() {
        if index == k && depth == 1 && !in_string && !c.is_whitespace() && c != ',' && c != ']' {
            return Some(open + at);
        }
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return None;
                }
            }
            ',' if depth == 1 => index += 1,
            _ => {}
        }
    }
    None
}

/// Byte offset of `key` written as a field (`key:` at a word boundary).
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(key) {
        let at = from + found;
        let before_ok = text[..at].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = text[at + key.len()..].trim_start();
        if before_ok && (after.starts_with(':') || after.starts_with("\":")) {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}
