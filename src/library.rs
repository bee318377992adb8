//! The bundled preset library (every file under `presets/`, compiled in by `build.rs`).

use std::path::Path;

use crate::preset::Preset;
use crate::ron_file::PresetError;

include!(concat!(env!("OUT_DIR"), "/bundled_presets.rs"));

/// Names of the bundled presets, e.g. `izhikevich-2003/rs`.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(name, _)| *name)
}

/// Loads a bundled preset by name (with or without `.ron`).
pub fn bundled(name: &str) -> Option<Result<Preset, PresetError>> {
    let name = name.trim_end_matches(".ron");
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(n, text)| Preset::from_ron(text, &format!("presets/{n}.ron")))
}

/// A preset from a file path, or else from the bundled library by name.
pub fn resolve(arg: &str) -> Result<Preset, PresetError> {
    let path = Path::new(arg);
    if path.exists() {
        return Preset::load(path);
    }
    bundled(arg).unwrap_or_else(|| {
        Err(PresetError {
            origin: arg.to_string(),
            line: None,
            field: None,
            message: "no such file, and no bundled preset of that name (see `spikelab presets`)".into(),
        })
    })
}
