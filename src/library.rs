//! The bundled preset library (every file under `presets/`, compiled in by `build.rs`): whole
//! presets, under `presets/stimuli/` stimuli alone that drive any neuron, and under
//! `presets/devices/` memory devices that can hold a plastic synapse's weight.

use std::path::Path;

use crate::preset::Preset;
use crate::ron_file::PresetError;
use crate::stimulus::Stimulus;
use crate::synapse::device::Device;

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

/// Names of the bundled stimulus files, e.g. `stimuli/paired_pulses`.
pub fn stimulus_names() -> impl Iterator<Item = &'static str> {
    BUNDLED_STIMULI.iter().map(|(name, _)| *name)
}

/// What a bundled stimulus file says of itself (its leading `//` comment).
pub fn stimulus_note(name: &str) -> String {
    let text = BUNDLED_STIMULI.iter().find(|(n, _)| *n == name).map_or("", |(_, t)| t);
    let lines: Vec<&str> = text.lines().map_while(|l| l.trim().strip_prefix("//")).map(str::trim).collect();
    lines.join(" ")
}

/// A stimulus from a file path, or else from the bundled stimuli by name.
pub fn resolve_stimulus(arg: &str) -> Result<Stimulus, PresetError> {
    resolve_file(arg, BUNDLED_STIMULI, "stimuli/", "stimulus", Stimulus::from_ron)
}

/// Names of the bundled memory devices, e.g. `devices/ag_a_si`.
pub fn device_names() -> impl Iterator<Item = &'static str> {
    BUNDLED_DEVICES.iter().map(|(name, _)| *name)
}

/// A memory device from a file path (a device file, or a measured curve as CSV), or else from
/// the bundled devices by name (`ag_a_si` or `devices/ag_a_si`).
pub fn resolve_device(arg: &str) -> Result<Device, PresetError> {
    let path = Path::new(arg);
    if path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return Device::from_measured_csv(&crate::ron_file::read_text(path)?, arg);
    }
    resolve_file(arg, BUNDLED_DEVICES, "devices/", "device", Device::from_ron)
}

/// A file of one kind (`what`) from a path, or else from `bundled` by its name, with or without
/// `folder` and `.ron`; `parse` reads the text, naming its origin in errors.
fn resolve_file<T>(
    arg: &str,
    bundled: &[(&str, &str)],
    folder: &str,
    what: &str,
    parse: impl Fn(&str, &str) -> Result<T, PresetError>,
) -> Result<T, PresetError> {
    let path = Path::new(arg);
    if path.is_file() {
        return parse(&crate::ron_file::read_text(path)?, arg);
    }
    let name = arg.trim_end_matches(".ron");
    match bundled.iter().find(|(n, _)| *n == name || n.strip_prefix(folder) == Some(name)) {
        Some((n, text)) => parse(text, &format!("presets/{n}.ron")),
        None => Err(PresetError {
            origin: arg.to_string(),
            line: None,
            field: None,
            message: format!("no such file, and no bundled {what} of that name (see `spikelab presets`)"),
        }),
    }
}
