//! The window's session, as plain data: the lab with every edit, the open view, zoom, the file it came from
//! and the recent files. Saved atomically every few seconds and on close, restored when the
//! window opens without a preset; a corrupt file is set aside, never a reason not to start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Preset;
use crate::ron_file::{PresetError, locate_field, parse_ron, write_ron};

/// Most recent files kept.
pub const RECENT: usize = 10;

/// Every field has a default, so a session written before a field existed still loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// The lab as it was, edits included.
    pub preset: Option<Preset>,
    /// The open view, by its `--view` name.
    pub view: String,
    /// The UI's zoom factor.
    pub zoom: f32,
    /// Where the preset was opened from or last saved to.
    pub file: Option<PathBuf>,
    /// The lab had edits not saved to `file`.
    pub unsaved: bool,
    /// Preset files opened or saved, newest first.
    pub recent: Vec<PathBuf>,
    /// The lesson open (a bundled id or a folder); its progress is saved on its own.
    pub lesson: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            preset: None,
            view: String::new(),
            zoom: 1.0,
            file: None,
            unsaved: false,
            recent: Vec::new(),
            lesson: None,
        }
    }
}

impl Session {
    /// `$XDG_DATA_HOME/spikelab/session.ron`, else `~/.local/share/spikelab/session.ron`.
    pub fn default_path() -> Option<PathBuf> {
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
        Some(data.join("spikelab").join("session.ron"))
    }

    pub fn to_ron(&self) -> String {
        write_ron(self)
    }

    /// Parses and validates a session; errors name the file, line and field.
    pub fn from_ron(text: &str, origin: &str) -> Result<Session, PresetError> {
        let session: Session = parse_ron(text, origin)?;
        if let Some(preset) = &session.preset {
            preset.validate().map_err(|inv| {
                let field = format!("preset.{}", inv.field);
                PresetError {
                    origin: origin.to_string(),
                    line: locate_field(text, &field),
                    field: Some(field),
                    message: inv.message,
                }
            })?;
        }
        if !(0.25..=5.0).contains(&session.zoom) {
            return Err(PresetError {
                origin: origin.to_string(),
                line: locate_field(text, "zoom"),
                field: Some("zoom".into()),
                message: format!("{} is outside 0.25 ..= 5", session.zoom),
            });
        }
        Ok(session)
    }

    /// Writes the session atomically, creating its folder.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        crate::fsio::write_atomic(path, self.to_ron().as_bytes())
            .map_err(|e| format!("cannot save the session to {}: {e}", path.display()))
    }

    /// The session at `path`: `Ok(None)` when there is none; a file that does not load is
    /// renamed aside (`session.ron.corrupt`) and the error says so.
    pub fn restore(path: &Path) -> Result<Option<Session>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read the last session {}: {e}", path.display())),
        };
        Session::from_ron(&text, &path.display().to_string()).map(Some).map_err(|e| {
            let aside = path.with_extension("ron.corrupt");
            match std::fs::rename(path, &aside) {
                Ok(()) => format!("the last session did not load and was set aside as {}: {e}", aside.display()),
                Err(why) => format!("the last session did not load ({e}) nor could it be set aside: {why}"),
            }
        })
    }

    /// Puts `path` first in the recent files.
    pub fn remember(recent: &mut Vec<PathBuf>, path: &Path) {
        recent.retain(|p| p != path);
        recent.insert(0, path.to_path_buf());
        recent.truncate(RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_session_without_later_fields_loads_with_defaults() {
        let session = Session::from_ron("(view: \"phase-plane\")", "old.ron").unwrap();
        assert_eq!(session.view, "phase-plane");
        assert_eq!((session.zoom, session.preset.is_none(), session.recent.len()), (1.0, true, 0));
    }

    #[test]
    fn a_corrupt_session_is_set_aside_with_its_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.ron");
        std::fs::write(&path, "(\n  view: \"traces\",\n  zoom: \"big\",\n)").unwrap();
        let why = Session::restore(&path).unwrap_err();
        assert!(why.contains("set aside") && why.contains(":3") && why.contains("zoom"), "{why}");
        assert!(!path.exists() && dir.path().join("session.ron.corrupt").exists());
        assert_eq!(Session::restore(&path), Ok(None), "nothing left to restore");
    }

    #[test]
    fn recent_files_are_newest_first_without_repeats() {
        let mut recent = Vec::new();
        for name in ["a", "b", "a"] {
            Session::remember(&mut recent, Path::new(name));
        }
        assert_eq!(recent, [PathBuf::from("a"), PathBuf::from("b")]);
    }
}
