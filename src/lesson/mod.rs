//! Lessons: guided steps on presets, each with at most one question whose key is computed from
//! the model when the lesson loads (never typed in), checked against the student's answer or
//! against the student's own setup rerun headless.
//!
//! A lesson is a folder: `lesson.ron` (the manifest, [`Manifest`]) and one Markdown file per
//! step. The bundled ones live under `lessons/` and are compiled in like the presets.

pub mod book;
pub mod measure;
pub mod progress;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::preset::Preset;
use crate::ron_file::{PresetError, locate_field, parse_ron};
pub use measure::{Label, Measure};
pub use progress::Progress;

include!(concat!(env!("OUT_DIR"), "/bundled_lessons.rs"));

/// The manifest of a lesson (`lesson.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub title: String,
    /// One or two sentences: what the student will learn.
    pub summary: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    /// The step's Markdown text, a file in the lesson's folder.
    pub text: String,
    /// A bundled preset (`basics/lif_std`) or a file in the lesson's folder.
    pub preset: String,
    /// `KEY=VALUE` changes to the preset, as `spikelab run --set` takes them.
    #[serde(default)]
    pub set: Vec<String>,
    /// The view the step opens (as `--view` takes it); the preset's first view otherwise.
    #[serde(default)]
    pub view: Option<String>,
    /// The only neuron parameters the student may move (`None`: every control is free). A
    /// step that unlocks none shows the sliders disabled.
    #[serde(default)]
    pub unlock: Option<Vec<String>>,
    #[serde(default)]
    pub question: Option<Question>,
    /// Shown one more after each wrong attempt.
    #[serde(default)]
    pub hints: Vec<String>,
    /// The key may be revealed after this many attempts.
    #[serde(default = "three")]
    pub reveal_after: u32,
    /// Hidden parameters drawn per student.
    #[serde(default)]
    pub mystery: Option<Mystery>,
}

fn three() -> u32 {
    3
}

impl Step {
    /// What `unlock` frees, as preset paths (a bare key is the neuron's: `g_l_ns` is
    /// `neuron.g_l_ns`).
    pub fn unlocked_paths(&self) -> Option<Vec<String>> {
        let path = |p: &String| if p.contains('.') { p.clone() } else { format!("neuron.{p}") };
        self.unlock.as_ref().map(|free| free.iter().map(path).collect())
    }
}

/// How far a numeric answer may be from the key.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Tolerance {
    Absolute(f64),
    /// A fraction of the key.
    Relative(f64),
}

impl Tolerance {
    pub fn around(self, key: f64) -> f64 {
        match self {
            Tolerance::Absolute(t) => t,
            Tolerance::Relative(r) => r * key.abs(),
        }
    }
}

/// A published value shown beside a computed key (never used as the key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Literature {
    pub value: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Question {
    /// A number with a unit.
    Numeric {
        prompt: String,
        key: Measure,
        unit: String,
        tolerance: Tolerance,
        #[serde(default)]
        literature: Option<Literature>,
    },
    /// One of `options`: the key is the option equal to the label measured (also a prediction
    /// before the next step unlocks the slider).
    Choice { prompt: String, options: Vec<String>, key: Label },
    /// "Set g_K so that ...": the goal measured on the lab's current parameters.
    State(Task),
    /// "Make this neuron burst": the student's setup rerun headless with the step's seed.
    Behaviour(Task),
}

/// A goal on the student's setup and a setup that reaches it (checked when the lesson loads,
/// so a goal no setup reaches cannot ship; revealed as the key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub prompt: String,
    pub goal: Goal,
    /// `KEY=VALUE` changes to the step's preset that reach the goal.
    pub solution: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Goal {
    /// The label is one of these.
    Label { of: Label, one_of: Vec<String> },
    /// The number lies in `[lo, hi]` (in `unit`).
    Range { of: Measure, lo: f64, hi: f64, unit: String },
}

/// Parameters hidden from the student and drawn from a seed per student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mystery {
    /// Each path drawn uniformly in its range.
    #[serde(default)]
    pub draw: Vec<Draw>,
    /// Presets one of which is drawn; its model class and parameters are hidden.
    #[serde(default)]
    pub among: Vec<String>,
    /// How many stimuli the student may try in the whole lesson (`None`: no limit).
    #[serde(default)]
    pub budget: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    /// Drawn values are rounded to this step (so a hidden value reads like a parameter).
    #[serde(default)]
    pub round: Option<f64>,
}

/// Where a lesson's files are.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Bundled(&'static [(&'static str, &'static str)]),
    Folder(PathBuf),
}

/// A loaded lesson: its manifest, each step's text, and where it came from.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The folder's name.
    pub id: String,
    pub manifest: Manifest,
    pub texts: Vec<String>,
    pub origin: Origin,
}

/// A key computed for one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Key {
    Number(f64),
    Option(String),
    /// The goal stated in words, and the solution that reaches it.
    Goal {
        goal: String,
        solution: Vec<String>,
    },
}

/// The judgement of one answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub correct: bool,
    pub expected: Key,
    pub tolerance: Option<f64>,
    /// What was measured on the student's setup (state and behaviour steps), or why not.
    pub measured: Option<String>,
}

/// What a student answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Number(f64),
    Option(String),
    /// The student's setup, for state and behaviour steps.
    Setup(Box<Preset>),
}

/// Bundled lesson ids, in order.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUNDLED_LESSONS.iter().map(|(id, _)| *id)
}

/// Every bundled lesson, loaded once (the window's menu lists them on every frame it is open).
pub fn bundled() -> &'static [(&'static str, Result<Lesson, String>)] {
    static LOADED: std::sync::OnceLock<Vec<(&'static str, Result<Lesson, String>)>> = std::sync::OnceLock::new();
    LOADED.get_or_init(|| {
        BUNDLED_LESSONS
            .iter()
            .map(|(id, files)| (*id, Lesson::from_files(id, Origin::Bundled(files)).map_err(|e| e.to_string())))
            .collect()
    })
}

impl Lesson {
    /// A bundled lesson by id, or a folder holding `lesson.ron`.
    pub fn resolve(arg: &str) -> Result<Lesson, PresetError> {
        let path = Path::new(arg);
        let folder = if path.file_name().is_some_and(|f| f == "lesson.ron") { path.parent() } else { Some(path) };
        if let Some(folder) = folder.filter(|f| f.join("lesson.ron").is_file()) {
            return Lesson::load(folder);
        }
        let id = arg.trim_start_matches("lessons/").trim_end_matches('/');
        match BUNDLED_LESSONS.iter().find(|(name, _)| *name == id) {
            Some((id, files)) => Lesson::from_files(id, Origin::Bundled(files)),
            None => Err(PresetError {
                origin: arg.to_string(),
                line: None,
                field: None,
                message: "no lesson folder (with lesson.ron) here, and no bundled lesson of that name (see `spikelab lesson list`)".into(),
            }),
        }
    }

    pub fn load(folder: &Path) -> Result<Lesson, PresetError> {
        let id = folder.file_name().map_or("lesson".into(), |n| n.to_string_lossy().to_string());
        Lesson::from_files(&id, Origin::Folder(folder.to_path_buf()))
    }

    /// The manifest file's name for messages.
    fn manifest_origin(&self) -> String {
        self.origin.describe("lesson.ron", &self.id)
    }

    fn from_files(id: &str, origin: Origin) -> Result<Lesson, PresetError> {
        let file = origin.describe("lesson.ron", id);
        let text = origin.read("lesson.ron").map_err(|message| PresetError {
            origin: file.clone(),
            line: None,
            field: None,
            message,
        })?;
        let manifest: Manifest = parse_ron(&text, &file)?;
        let blame = |field: String, message: String| PresetError {
            origin: file.clone(),
            line: locate_field(&text, &field),
            field: Some(field),
            message,
        };
        if manifest.steps.is_empty() {
            return Err(blame("steps".into(), "a lesson has at least one step".into()));
        }
        let mut texts = Vec::new();
        for (k, step) in manifest.steps.iter().enumerate() {
            texts.push(origin.read(&step.text).map_err(|m| blame(format!("steps.{k}.text"), m))?);
        }
        let lesson = Lesson { id: id.to_string(), manifest, texts, origin };
        for k in 0..lesson.manifest.steps.len() {
            lesson.validate_step(k).map_err(|(field, m)| blame(format!("steps.{k}.{field}"), m))?;
        }
        Ok(lesson)
    }

    pub fn steps(&self) -> &[Step] {
        &self.manifest.steps
    }

    /// How many steps ask a question.
    pub fn questions(&self) -> usize {
        self.steps().iter().filter(|s| s.question.is_some()).count()
    }

    /// Everything about a step that can be checked without running it; the error names the
    /// step's field.
    fn validate_step(&self, k: usize) -> Result<(), (String, String)> {
        let step = &self.manifest.steps[k];
        let preset = self.preset_of(step, None).map_err(|m| ("preset".to_string(), m))?;
        if let Some(view) = &step.view {
            use crate::preset::views::View;
            match View::of_id(view) {
                None => {
                    let ids: Vec<&str> = View::ALL.iter().map(|v| v.id()).collect();
                    return Err(("view".into(), format!("no view `{view}`; the views are {}", ids.join(", "))));
                }
                Some(v) if !v.offered(&preset) => {
                    let offered: Vec<&str> = View::of(&preset).map(|v| v.id()).collect();
                    return Err((
                        "view".into(),
                        format!("`{view}` is not a view of this preset; it has {}", offered.join(", ")),
                    ));
                }
                Some(_) => {}
            }
        }
        for path in step.unlocked_paths().iter().flatten() {
            preset.check_path(path).map_err(|m| ("unlock".to_string(), format!("`{path}`: {m}")))?;
        }
        if step.reveal_after == 0 {
            return Err(("reveal_after".into(), "at least one attempt before the key is revealed".into()));
        }
        if let Some(mystery) = &step.mystery {
            for (i, draw) in mystery.draw.iter().enumerate() {
                let field = format!("mystery.draw.{i}");
                preset.check_path(&draw.path).map_err(|m| (format!("{field}.path"), m))?;
                if draw.lo.partial_cmp(&draw.hi) != Some(std::cmp::Ordering::Less) {
                    return Err((format!("{field}.hi"), format!("hi ({}) must be above lo ({})", draw.hi, draw.lo)));
                }
            }
            for (i, name) in mystery.among.iter().enumerate() {
                self.find_preset(name).map_err(|m| (format!("mystery.among.{i}"), m))?;
            }
        }
        match &step.question {
            Some(Question::Numeric { tolerance, .. }) => {
                let t = match tolerance {
                    Tolerance::Absolute(t) | Tolerance::Relative(t) => *t,
                };
                if t.is_nan() || t <= 0.0 {
                    return Err(("question.tolerance".into(), "a tolerance must be above 0".into()));
                }
            }
            Some(Question::Choice { options, .. }) if options.len() < 2 => {
                return Err(("question.options".into(), "a choice needs at least two options".into()));
            }
            Some(Question::State(task) | Question::Behaviour(task)) => {
                let mut solved = preset.clone();
                apply(&mut solved, &task.solution).map_err(|m| ("question.solution".to_string(), m))?;
                if let Goal::Range { lo, hi, .. } = task.goal
                    && (lo.is_nan() || hi.is_nan() || lo > hi)
                {
                    return Err(("question.goal.hi".into(), format!("hi ({hi}) must not be below lo ({lo})")));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A preset a step names: a file in the lesson's folder, else a bundled one.
    fn find_preset(&self, name: &str) -> Result<Preset, String> {
        if let Origin::Folder(dir) = &self.origin {
            let path = dir.join(name);
            if path.is_file() {
                return Preset::load(&path).map_err(|e| e.to_string());
            }
        }
        match crate::library::bundled(name) {
            Some(result) => result.map_err(|e| e.to_string()),
            None => Err(format!("`{name}` is neither a file in the lesson's folder nor a bundled preset")),
        }
    }

    /// The preset step `k` opens for a student with `seed` (mystery values drawn from it, the
    /// same in every step of the lesson, so several steps can ask about one mystery neuron; a
    /// step without a mystery ignores the seed).
    pub fn step_preset(&self, k: usize, seed: u64) -> Result<Preset, String> {
        self.preset_of(&self.manifest.steps[k], Some(seed))
    }

    fn preset_of(&self, step: &Step, seed: Option<u64>) -> Result<Preset, String> {
        let mystery = step.mystery.as_ref().filter(|_| seed.is_some());
        let mut rng = seed.map(|seed| crate::random::stream(seed, 0));
        let mut preset = match (mystery, rng.as_mut()) {
            (Some(m), Some(rng)) if !m.among.is_empty() => {
                let mut drawn = self.find_preset(&m.among[crate::random::index(rng, m.among.len())])?;
                drawn.name = format!("{}: the mystery neuron", self.manifest.title);
                drawn.description = "Its model and parameters are hidden: measure it.".into();
                drawn
            }
            _ => self.find_preset(&step.preset)?,
        };
        apply(&mut preset, &step.set)?;
        if let (Some(m), Some(rng)) = (mystery, rng.as_mut()) {
            for d in &m.draw {
                let u: f64 = rand::RngExt::random(rng);
                let mut v = d.lo + u * (d.hi - d.lo);
                if let Some(r) = d.round.filter(|r| *r > 0.0) {
                    v = (v / r).round() * r;
                }
                preset.set_path(&d.path, &v.to_string())?;
            }
        }
        Ok(preset)
    }

    /// The key of step `k` for a student with `seed`: computed from the model; `None` for a
    /// step without a question.
    pub fn key(&self, k: usize, seed: u64) -> Result<Option<Key>, String> {
        let step = &self.manifest.steps[k];
        let Some(question) = &step.question else { return Ok(None) };
        let preset = self.step_preset(k, seed)?;
        let key = match question {
            Question::Numeric { key, .. } => {
                let v = key.evaluate(&preset)?;
                if !v.is_finite() {
                    return Err(format!("the key evaluates to {v}"));
                }
                Key::Number(v)
            }
            Question::Choice { options, key, .. } => {
                let label = key.evaluate(&preset)?;
                if !options.contains(&label) {
                    return Err(format!("the model says `{label}`, which is not among the options {options:?}"));
                }
                Key::Option(label)
            }
            Question::State(task) | Question::Behaviour(task) => {
                let mut solved = preset.clone();
                apply(&mut solved, &task.solution)?;
                let (reached, measured) = reaches(&task.goal, &solved)?;
                if !reached {
                    return Err(format!("the solution {:?} does not reach the goal: {measured}", task.solution));
                }
                Key::Goal { goal: task.goal.describe(), solution: task.solution.clone() }
            }
        };
        Ok(Some(key))
    }

    /// Every step's key for `seed`, or the first that cannot be computed, with its step.
    pub fn keys(&self, seed: u64) -> Result<Vec<Option<Key>>, String> {
        (0..self.manifest.steps.len())
            .map(|k| {
                self.key(k, seed).map_err(|m| {
                    format!("{}: step {} ({}): {m}", self.manifest_origin(), k + 1, self.manifest.steps[k].title)
                })
            })
            .collect()
    }

    /// Judges an answer to step `k` against its key.
    pub fn judge(&self, k: usize, seed: u64, key: &Key, answer: &Answer) -> Result<Verdict, String> {
        let step = &self.manifest.steps[k];
        let question = step.question.as_ref().ok_or("this step asks nothing")?;
        let verdict = |correct, tolerance, measured| Verdict { correct, expected: key.clone(), tolerance, measured };
        match (question, key, answer) {
            (Question::Numeric { tolerance, .. }, Key::Number(expected), Answer::Number(v)) => {
                let t = tolerance.around(*expected);
                Ok(verdict((v - expected).abs() <= t, Some(t), None))
            }
            (Question::Choice { options, .. }, Key::Option(expected), Answer::Option(picked)) => {
                if !options.contains(picked) {
                    return Err(format!("`{picked}` is not one of the options {options:?}"));
                }
                Ok(verdict(picked == expected, None, None))
            }
            (Question::State(task), _, Answer::Setup(setup)) => {
                let (ok, measured) = reaches(&task.goal, setup)?;
                Ok(verdict(ok, None, Some(measured)))
            }
            (Question::Behaviour(task), _, Answer::Setup(setup)) => {
                // Rerun as the step's own seed would: the same answer always gets the same verdict.
                let mut setup = (**setup).clone();
                setup.run.seed = self.step_preset(k, seed)?.run.seed;
                let (ok, measured) = reaches(&task.goal, &setup)?;
                Ok(verdict(ok, None, Some(measured)))
            }
            _ => Err(format!("a {} answer does not fit a {} question", answer.kind(), question.kind())),
        }
    }

    /// Parses a typed answer to step `k` (the CLI's `--answer`): a number, an option (its text
    /// or its number from 1), or `KEY=VALUE,...` changes to the step's preset (or a preset file)
    /// for state and behaviour steps.
    pub fn parse_answer(&self, k: usize, seed: u64, text: &str) -> Result<Answer, String> {
        let question = self.manifest.steps[k].question.as_ref().ok_or("this step asks nothing")?;
        match question {
            Question::Numeric { unit, .. } => {
                let number = text.trim().trim_end_matches(unit.as_str()).trim();
                number.parse().map(Answer::Number).map_err(|_| format!("`{text}` is not a number"))
            }
            Question::Choice { options, .. } => {
                let text = text.trim();
                let by_number = text.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| options.get(i));
                by_number
                    .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case(text)))
                    .map(|o| Answer::Option(o.clone()))
                    .ok_or_else(|| format!("`{text}` is not one of the options {options:?} (or their numbers from 1)"))
            }
            Question::State(_) | Question::Behaviour(_) => {
                if Path::new(text).is_file() {
                    return Preset::load(Path::new(text))
                        .map(|p| Answer::Setup(Box::new(p)))
                        .map_err(|e| e.to_string());
                }
                let mut preset = self.step_preset(k, seed)?;
                let changes: Vec<String> =
                    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
                apply(&mut preset, &changes)?;
                Ok(Answer::Setup(Box::new(preset)))
            }
        }
    }
}

impl Origin {
    fn read(&self, file: &str) -> Result<String, String> {
        match self {
            Origin::Bundled(files) => files
                .iter()
                .find(|(name, _)| *name == file)
                .map(|(_, text)| text.to_string())
                .ok_or_else(|| format!("no file `{file}` in the lesson")),
            Origin::Folder(dir) => std::fs::read_to_string(dir.join(file))
                .map_err(|e| format!("cannot read {}: {e}", dir.join(file).display())),
        }
    }

    fn describe(&self, file: &str, id: &str) -> String {
        match self {
            Origin::Bundled(_) => format!("lessons/{id}/{file}"),
            Origin::Folder(dir) => dir.join(file).display().to_string(),
        }
    }

    /// The folder, for a lesson that is not bundled.
    pub fn folder(&self) -> Option<&Path> {
        match self {
            Origin::Folder(dir) => Some(dir),
            Origin::Bundled(_) => None,
        }
    }
}

impl Question {
    pub fn kind(&self) -> &'static str {
        match self {
            Question::Numeric { .. } => "numeric",
            Question::Choice { .. } => "choice",
            Question::State(_) => "state",
            Question::Behaviour(_) => "behaviour",
        }
    }
    pub fn prompt(&self) -> &str {
        match self {
            Question::Numeric { prompt, .. } | Question::Choice { prompt, .. } => prompt,
            Question::State(task) | Question::Behaviour(task) => &task.prompt,
        }
    }
    pub fn unit(&self) -> Option<&str> {
        match self {
            Question::Numeric { unit, .. } => Some(unit),
            Question::State(task) | Question::Behaviour(task) => match &task.goal {
                Goal::Range { unit, .. } => Some(unit),
                Goal::Label { .. } => None,
            },
            Question::Choice { .. } => None,
        }
    }
}

impl Answer {
    fn kind(&self) -> &'static str {
        match self {
            Answer::Number(_) => "numeric",
            Answer::Option(_) => "choice",
            Answer::Setup(_) => "setup",
        }
    }
    /// For the lab book and the progress file.
    pub fn describe(&self) -> String {
        match self {
            Answer::Number(v) => format!("{v}"),
            Answer::Option(o) => o.clone(),
            Answer::Setup(p) => format!("the setup of `{}`", p.name),
        }
    }
}

impl Goal {
    pub fn describe(&self) -> String {
        match self {
            Goal::Label { one_of, .. } => one_of.join(" or "),
            Goal::Range { lo, hi, unit, .. } => format!("between {lo} and {hi} {unit}").trim_end().to_string(),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Number(v) => write!(f, "{}", round_sig(*v, 4)),
            Key::Option(o) => f.write_str(o),
            Key::Goal { goal, solution } => write!(f, "{goal}, e.g. with {}", solution.join(", ")),
        }
    }
}

/// `v` to `digits` significant digits (how a key is shown).
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Applies `KEY=VALUE` changes in order.
pub fn apply(preset: &mut Preset, changes: &[String]) -> Result<(), String> {
    for change in changes {
        let (key, value) = change.split_once('=').ok_or_else(|| format!("`{change}`: expected KEY=VALUE"))?;
        preset.set_path(key.trim(), value.trim())?;
    }
    Ok(())
}

/// Whether `setup` reaches `goal`, and what was measured.
fn reaches(goal: &Goal, setup: &Preset) -> Result<(bool, String), String> {
    match goal {
        Goal::Label { of, one_of } => match of.evaluate(setup) {
            Ok(label) => Ok((one_of.contains(&label), label)),
            Err(why) => Ok((false, why)),
        },
        Goal::Range { of, lo, hi, unit } => match of.evaluate(setup) {
            Ok(v) => Ok(((*lo..=*hi).contains(&v), format!("{} {unit}", round_sig(v, 4)))),
            Err(why) => Ok((false, why)),
        },
    }
}
