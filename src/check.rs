//! What `spikelab check` validates: every kind of file the project reads (preset, stimulus,
//! memory device, stimulus curve, session, lesson), told apart by its name and its top-level fields, and
//! folders walked for them.

use std::path::{Path, PathBuf};

use crate::preset::Preset;

/// A kind of file spikelab reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Preset,
    /// A stimulus saved by the designer (`presets/stimuli/*.ron`).
    Stimulus,
    /// A memory device (`presets/devices/`).
    Device,
    /// A current trace as `t_ms,value` rows, imported as a curve.
    Curve,
    /// The window's saved session.
    Session,
    /// A lesson folder (or its `lesson.ron`).
    Lesson,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Preset => "preset",
            Kind::Stimulus => "stimulus",
            Kind::Device => "device",
            Kind::Curve => "stimulus curve",
            Kind::Session => "session",
            Kind::Lesson => "lesson",
        }
    }

    /// The kind of a file or folder, or `None` for a file spikelab does not read (a lesson's
    /// text, a README).
    pub fn of(path: &Path) -> Option<Kind> {
        if path.join("lesson.ron").is_file() || path.file_name().is_some_and(|f| f == "lesson.ron") {
            return Some(Kind::Lesson);
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(Kind::Curve),
            Some("ron") => Some(std::fs::read_to_string(path).map_or(Kind::Preset, |text| Kind::of_ron(&text))),
            _ => None,
        }
    }

    /// A RON file's kind by its top-level fields: a stimulus is its `components`, a device its
    /// `curve` and `g_max_us`, a session has a `zoom` and `recent` files; anything else is read as a preset (whose loader names what
    /// is wrong).
    fn of_ron(text: &str) -> Kind {
        let fields: Vec<String> = match ron::from_str::<ron::Value>(text) {
            Ok(ron::Value::Map(map)) => map
                .keys()
                .filter_map(|k| match k {
                    ron::Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let has = |name: &str| fields.iter().any(|f| f == name);
        if has("components") && !has("version") {
            Kind::Stimulus
        } else if has("curve") && has("g_max_us") {
            Kind::Device
        } else if !has("version") && (has("zoom") || has("recent") || has("unsaved")) {
            Kind::Session
        } else {
            Kind::Preset
        }
    }
}

/// The files and lesson folders below `paths` that spikelab reads, in order: a file named
/// directly is checked whatever its ending; a folder is walked (a lesson folder is one item).
pub fn collect(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Kind)>, String> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() && !path.join("lesson.ron").is_file() {
            walk(path, &mut found)?;
        } else if path.exists() {
            found.push((path.clone(), Kind::of(path).unwrap_or(Kind::Preset)));
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<(PathBuf, Kind)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot read the folder: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        match Kind::of(&path) {
            Some(kind) => found.push((path, kind)),
            None if path.is_dir() => walk(&path, found)?,
            None => {}
        }
    }
    Ok(())
}

/// Validates one file or lesson folder as its kind; the error starts with the path.
pub fn check(path: &Path, kind: Kind) -> Result<(), String> {
    let origin = path.display().to_string();
    let read = || crate::ron_file::read_text(path).map_err(|e| e.to_string());
    match kind {
        Kind::Preset => Preset::load(path).map(|_| ()).map_err(|e| e.to_string()),
        Kind::Stimulus => crate::stimulus::Stimulus::from_ron(&read()?, &origin).map(|_| ()).map_err(|e| e.to_string()),
        Kind::Device => {
            crate::synapse::device::Device::from_ron(&read()?, &origin).map(|_| ()).map_err(|e| e.to_string())
        }
        Kind::Curve => crate::stimulus::curve_from_csv(&read()?).map(|_| ()).map_err(|e| format!("{origin}: {e}")),
        Kind::Session => {
            crate::preset::session::Session::from_ron(&read()?, &origin).map(|_| ()).map_err(|e| e.to_string())
        }
        Kind::Lesson => check_lesson(path),
    }
}

/// A lesson whose keys must all compute, a mystery step's for three students.
fn check_lesson(path: &Path) -> Result<(), String> {
    let lesson = crate::lesson::Lesson::resolve(&path.display().to_string()).map_err(|e| e.to_string())?;
    lesson.keys(1)?;
    for (k, _) in lesson.steps().iter().enumerate().filter(|(_, s)| s.mystery.is_some()) {
        for seed in 2..=3 {
            lesson.key(k, seed).map_err(|e| format!("{}: step {} (seed {seed}): {e}", path.display(), k + 1))?;
        }
    }
    Ok(())
}
