//! A student's progress through one lesson: where they are, each step's attempts, hints,
//! answer and verdict, the seed of their mystery neurons. Saved atomically in the user's data
//! folder (`spikelab/lessons/<id>/progress.ron`, beside the step pictures the lab book shows).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ron_file::{PresetError, parse_ron, write_ron};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// Draws the step's hidden parameters: one per student, kept across sessions.
    pub seed: u64,
    /// The step open (from 0).
    pub step: usize,
    pub steps: Vec<StepProgress>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepProgress {
    pub attempts: u32,
    /// Hints shown so far.
    pub hints: u32,
    /// The last answer, as the student gave it.
    pub answer: Option<String>,
    pub correct: Option<bool>,
    /// The key was shown (after `reveal_after` attempts).
    pub revealed: bool,
    /// Stimuli tried on a mystery step (against its budget).
    pub experiments: u32,
    /// The parameters when the answer was checked: `(name, value with unit)`.
    pub parameters: Vec<(String, String)>,
    /// A picture of the view when the answer was checked (a PNG beside the progress file).
    pub picture: Option<String>,
}

impl Default for Progress {
    fn default() -> Self {
        Self { seed: 1, step: 0, steps: Vec::new() }
    }
}

impl Progress {
    /// A fresh start with a seed of its own (from the clock: students differ, a student's
    /// mystery stays put once saved).
    pub fn fresh(steps: usize) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos());
        Self { seed: (nanos % 1_000_000) as u64 + 1, step: 0, steps: vec![StepProgress::default(); steps] }
    }

    /// Steps answered correctly.
    pub fn answered(&self) -> usize {
        self.steps.iter().filter(|s| s.correct == Some(true)).count()
    }

    /// The folder of lesson `id` in the data folder `data` (`.../spikelab`).
    pub fn folder(data: &Path, id: &str) -> PathBuf {
        data.join("lessons").join(id)
    }

    /// The saved progress in `folder`, fitted to `steps` steps; `None` when there is none.
    pub fn load(folder: &Path, steps: usize) -> Result<Option<Progress>, PresetError> {
        let path = folder.join("progress.ron");
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
        let mut progress: Progress = parse_ron(&text, &path.display().to_string())?;
        progress.steps.resize(steps, StepProgress::default());
        progress.step = progress.step.min(steps.saturating_sub(1));
        Ok(Some(progress))
    }

    pub fn save(&self, folder: &Path) -> Result<(), String> {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let path = folder.join("progress.ron");
        crate::fsio::write_atomic(&path, write_ron(self).as_bytes())
            .map_err(|e| format!("cannot save {}: {e}", path.display()))
    }
}
