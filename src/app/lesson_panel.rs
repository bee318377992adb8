//! The lesson beside the lab: the step's text, its question and verdict, hints, the key once
//! earned, and the way to the next step. Opening a step loads its preset and view and sets
//! the bench's locks; keys are computed on a background job when the lesson opens, setups are
//! rerun on one when checked. Progress is saved after every change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use super::job::Job;
use super::{Lab, Locks, markdown};
use crate::lesson::{Answer, Key, Lesson, Origin, Progress, Question, Verdict, round_sig};
use crate::stimulus::Stimulus;

#[derive(Default)]
pub struct LessonPanel {
    open: Option<Open>,
    /// Lecture mode: larger text, no checks, for a projector.
    pub lecture: bool,
    /// The data folder (`.../spikelab`) progress is saved under; `None`: not saved.
    pub data: Option<PathBuf>,
    /// The lab book field: a path typed or picked.
    pub book_path: String,
    /// A lesson a restored session had open, reopened once the data folder is known.
    pub pending: Option<String>,
    /// A file dialog under way: a lesson to open, or where to write the lab book.
    dialog: Option<(Dialog, Receiver<Option<PathBuf>>)>,
    /// The rendered text's images and layout between frames.
    text: egui_commonmark::CommonMarkCache,
}

#[derive(Clone, Copy)]
enum Dialog {
    OpenLesson,
    SaveBook,
}

/// A step's key as computed on the background job (`None`: the step asks nothing).
type Computed = Result<Option<Key>, String>;

struct Open {
    lesson: Lesson,
    progress: Progress,
    /// Each step's key once computed (for the student's seed), or why it cannot be.
    keys: Vec<Option<Computed>>,
    keys_job: Option<Job<(usize, Computed)>>,
    /// A setup being rerun for a state or behaviour step.
    check_job: Option<(usize, Job<Result<Verdict, String>>)>,
    /// The answer field of a numeric step, the option picked of a choice.
    typed: String,
    picked: Option<String>,
    /// The last verdict of the step open.
    verdict: Option<Verdict>,
    /// The stimulus as last seen: a change is an experiment on a mystery step.
    stimulus: Stimulus,
    /// The step whose view a picture should be taken of (the app draws it).
    picture: Option<usize>,
    /// Lecture mode: the lecturer shows this step's answer to the class.
    showing: bool,
}

impl LessonPanel {
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }
    /// The open lesson's id and step (from 0).
    pub fn position(&self) -> Option<(&str, usize)> {
        self.open.as_ref().map(|o| (o.lesson.id.as_str(), o.progress.step))
    }
    pub fn progress(&self) -> Option<&Progress> {
        self.open.as_ref().map(|o| &o.progress)
    }
    pub fn lesson(&self) -> Option<&Lesson> {
        self.open.as_ref().map(|o| &o.lesson)
    }
    /// The verdict shown for the step open.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.open.as_ref().and_then(|o| o.verdict.as_ref())
    }
    /// The key of `step` once computed.
    pub fn key(&self, step: usize) -> Option<&Key> {
        self.open.as_ref()?.keys.get(step)?.as_ref()?.as_ref().ok()?.as_ref()
    }

    fn folder(&self, id: &str) -> Option<PathBuf> {
        self.data.as_ref().map(|d| Progress::folder(d, id))
    }

    /// Opens `lesson` where the student left it (or at its first step with a new seed). With
    /// `load_step`, the step's preset and view replace the lab; without (a restored session),
    /// the lab keeps its edits and only the locks are set.
    pub fn open(&mut self, lab: &mut Lab, lesson: Lesson, load_step: bool, ctx: Option<egui::Context>) {
        let n = lesson.steps().len();
        let saved = match self.folder(&lesson.id).map(|f| Progress::load(&f, n)) {
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                lab.error(format!("progress not restored: {e}"));
                None
            }
            None => None,
        };
        let progress = saved.unwrap_or_else(|| Progress::fresh(n));
        let (seed, l) = (progress.seed, lesson.clone());
        let keys_job = Job::spawn(n, ctx, move |report| {
            for k in 0..n {
                if !report.send((k, l.key(k, seed))) {
                    return;
                }
            }
        });
        lab.info(format!("lesson: {}", lesson.manifest.title));
        self.open = Some(Open {
            lesson,
            progress,
            keys: vec![None; n],
            keys_job: Some(keys_job),
            check_job: None,
            typed: String::new(),
            picked: None,
            verdict: None,
            stimulus: lab.preset().stimulus.clone(),
            picture: None,
            showing: false,
        });
        let step = self.open.as_ref().expect("just opened").progress.step;
        self.go_to(lab, step, load_step);
    }

    /// Starts the open lesson over: its progress cleared (the seed, and so the student's
    /// mystery neuron, kept), at its first step.
    pub fn restart(&mut self, lab: &mut Lab) {
        let Some(open) = &mut self.open else { return };
        let seed = open.progress.seed;
        open.progress = Progress { seed, ..Progress::fresh(open.lesson.steps().len()) };
        self.go_to(lab, 0, true);
    }

    pub fn close(&mut self, lab: &mut Lab) {
        self.open = None;
        lab.locks = Locks::default();
    }

    /// Opens step `k`: its preset and view (when `load`), its locks, and saves the position.
    pub fn go_to(&mut self, lab: &mut Lab, k: usize, load: bool) {
        let Some(open) = &mut self.open else { return };
        let step = &open.lesson.steps()[k];
        open.progress.step = k;
        open.typed.clear();
        open.picked = None;
        open.verdict = None;
        open.check_job = None;
        open.showing = false;
        if load {
            match open.lesson.step_preset(k, open.progress.seed) {
                Ok(preset) => {
                    let learning = preset.learning.is_some();
                    if let Err(why) = lab.load(preset) {
                        return lab.error(why);
                    }
                    if !learning {
                        // A step shows its preset running: the student looks before touching.
                        lab.commands.push(crate::engine::Command::Run);
                    }
                    lab.goto = step.view.as_deref().and_then(|v| crate::preset::views::View::of_id(v).map(|v| v.id()));
                }
                Err(e) => lab.error(format!("step {} cannot open: {e}", k + 1)),
            }
        }
        let mystery = step.mystery.as_ref();
        lab.locks = Locks {
            unlocked: step.unlocked_paths(),
            hidden: mystery.map(|m| m.draw.iter().map(|d| d.path.clone()).collect()).unwrap_or_default(),
            hide_model: mystery.is_some_and(|m| !m.among.is_empty()),
            budgeted: mystery.is_some_and(|m| m.budget.is_some()),
        };
        open.stimulus = lab.preset().stimulus.clone();
        self.save(lab);
    }

    fn save(&self, lab: &mut Lab) {
        let Some(open) = &self.open else { return };
        if let Some(folder) = self.folder(&open.lesson.id)
            && let Err(e) = open.progress.save(&folder)
        {
            lab.error(e);
        }
    }

    /// Whether a step's picture is waiting to be drawn.
    pub fn wants_picture(&self) -> bool {
        self.open.as_ref().is_some_and(|open| open.picture.is_some()) && self.data.is_some()
    }

    /// The step whose picture the app should draw now, and where to put it.
    pub fn take_picture_request(&mut self) -> Option<(usize, PathBuf)> {
        let open = self.open.as_mut()?;
        let k = open.picture.take()?;
        let folder = self.data.as_ref().map(|d| Progress::folder(d, &open.lesson.id))?;
        Some((k, folder.join(format!("step-{}.png", k + 1))))
    }

    /// Records the picture the app drew for step `k`.
    pub fn pictured(&mut self, lab: &mut Lab, k: usize, file: &Path) {
        if let Some(open) = &mut self.open {
            open.progress.steps[k].picture = file.file_name().map(|f| f.to_string_lossy().to_string());
            self.save(lab);
        }
    }

    /// Writes the lab book to `path` (HTML if it ends so, else Markdown).
    pub fn export_book(&self, lab: &mut Lab, path: &Path) {
        let Some(open) = &self.open else { return };
        let pictures = self.folder(&open.lesson.id).unwrap_or_default();
        match crate::lesson::book::write(&open.lesson, &open.progress, &pictures, path) {
            Ok(()) => lab.info(format!("lab book written to {}", path.display())),
            Err(e) => lab.error(e),
        }
    }

    /// Asks for a lesson's `lesson.ron` in a file dialog (on its own thread).
    pub fn ask_open(&mut self, ctx: &egui::Context) {
        if self.dialog.is_none() {
            let rx = super::files::pick_path(ctx, false, ("spikelab lesson (lesson.ron)", &["ron"]), None);
            self.dialog = Some((Dialog::OpenLesson, rx));
        }
    }

    /// Acts on a file dialog's answer once it has arrived (called every frame, lesson open
    /// or not).
    pub fn poll_dialog(&mut self, lab: &mut Lab, ctx: Option<egui::Context>) {
        let Some((dialog, rx)) = &self.dialog else { return };
        let answer = match rx.try_recv() {
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Ok(answer) => answer,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        };
        let dialog = *dialog;
        self.dialog = None;
        match (dialog, answer) {
            (Dialog::OpenLesson, Some(path)) => match Lesson::resolve(&path.display().to_string()) {
                Ok(lesson) => self.open(lab, lesson, true, ctx),
                Err(e) => lab.error(format!("lesson not opened: {e}")),
            },
            (Dialog::SaveBook, Some(path)) => {
                self.book_path = path.display().to_string();
                self.export_book(lab, &path);
            }
            (_, None) => {}
        }
    }

    /// Follows background work and the student's experiments; call every frame.
    pub fn poll(&mut self, lab: &mut Lab) {
        let Some(open) = &mut self.open else { return };
        if let Some(job) = &open.keys_job {
            for (k, key) in job.drain() {
                if let Err(e) = &key {
                    lab.error(format!("step {}: the key cannot be computed: {e}", k + 1));
                }
                open.keys[k] = Some(key);
            }
            if job.is_finished() && job.progress() >= 1.0 {
                open.keys_job = None;
            }
        }
        let k = open.progress.step;
        if let Some((step, job)) = &open.check_job
            && let Some(result) = job.drain().pop()
        {
            let step = *step;
            open.check_job = None;
            match result {
                Ok(verdict) => self.record(lab, step, verdict),
                Err(e) => lab.error(format!("not checked: {e}")),
            }
        }
        let Some(open) = &mut self.open else { return };
        if lab.preset().stimulus != open.stimulus {
            // The budget is the lesson's: every step asks about the same mystery neuron.
            let budget = open.lesson.steps()[k].mystery.as_ref().and_then(|m| m.budget);
            let used: u32 = open.progress.steps.iter().map(|s| s.experiments).sum();
            match budget {
                Some(b) if used >= b => {
                    // The budget is spent: the stimulus goes back to the last one tried.
                    let back = open.stimulus.clone();
                    lab.apply(|p| p.stimulus = back);
                    lab.error(format!("the experiment budget ({b} stimuli) is spent: answer with what you measured"));
                }
                _ => {
                    open.progress.steps[k].experiments += 1;
                    open.stimulus = lab.preset().stimulus.clone();
                    self.save(lab);
                }
            }
        }
    }

    /// Counts an attempt and its verdict, unlocks a hint after a wrong one, and asks for a
    /// picture of the view.
    fn record(&mut self, lab: &mut Lab, k: usize, verdict: Verdict) {
        let Some(open) = &mut self.open else { return };
        let hints = open.lesson.steps()[k].hints.len() as u32;
        let done = &mut open.progress.steps[k];
        done.attempts += 1;
        done.correct = Some(verdict.correct);
        if !verdict.correct {
            done.hints = (done.hints + 1).min(hints);
        }
        done.parameters = parameters(lab);
        open.picture = Some(k);
        open.verdict = Some(verdict);
        self.save(lab);
    }

    /// Judges the student's answer to the step open (a setup is rerun on a job).
    pub fn check(&mut self, lab: &mut Lab, ctx: Option<egui::Context>) {
        let Some(open) = &mut self.open else { return };
        let k = open.progress.step;
        let Some(Some(Ok(Some(key)))) = open.keys.get(k).cloned() else {
            lab.error("the key is still being computed");
            return;
        };
        let question = open.lesson.steps()[k].question.clone();
        let answer = match &question {
            Some(Question::Numeric { .. }) => match open.lesson.parse_answer(k, open.progress.seed, &open.typed) {
                Ok(a) => a,
                Err(e) => return lab.error(e),
            },
            Some(Question::Choice { .. }) => match &open.picked {
                Some(o) => Answer::Option(o.clone()),
                None => return lab.error("pick an option first"),
            },
            Some(Question::State(_) | Question::Behaviour(_)) => Answer::Setup(Box::new(lab.preset().draft())),
            None => return,
        };
        open.progress.steps[k].answer = Some(match &answer {
            Answer::Setup(_) => describe_setup(lab),
            other => other.describe(),
        });
        if let Answer::Setup(_) = answer {
            let (lesson, seed) = (open.lesson.clone(), open.progress.seed);
            let job = Job::spawn(1, ctx, move |report| {
                report.send(lesson.judge(k, seed, &key, &answer));
            });
            open.check_job = Some((k, job));
            return;
        }
        match open.lesson.judge(k, open.progress.seed, &key, &answer) {
            Ok(verdict) => self.record(lab, k, verdict),
            Err(e) => lab.error(e),
        }
    }

    /// Shows the key (allowed after `reveal_after` attempts).
    pub fn reveal(&mut self, lab: &mut Lab) {
        if let Some(open) = &mut self.open {
            let k = open.progress.step;
            open.progress.steps[k].revealed = true;
            self.save(lab);
        }
    }

    /// Types a numeric answer or picks an option (the UI's fields; tests use them too).
    pub fn answer(&mut self, text: &str) {
        if let Some(open) = &mut self.open {
            match open.lesson.steps()[open.progress.step].question {
                Some(Question::Choice { .. }) => open.picked = Some(text.to_string()),
                _ => open.typed = text.to_string(),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.poll(lab);
        let ctx = ui.ctx().clone();
        let scale = if self.lecture { 1.4 } else { 1.0 };
        let Some(open) = &mut self.open else { return };
        let n = open.lesson.steps().len();
        let k = open.progress.step;
        let step = open.lesson.steps()[k].clone();
        let mut go = None;
        ui.horizontal(|ui| {
            ui.strong(&open.lesson.manifest.title);
        });
        ui.horizontal(|ui| {
            if ui.add_enabled(k > 0, egui::Button::new("< Back")).clicked() {
                go = Some(k - 1);
            }
            ui.label(format!("Step {} of {n}", k + 1));
            if ui.add_enabled(k + 1 < n, egui::Button::new("Next >")).clicked() {
                go = Some(k + 1);
            }
            ui.label(format!("· {}/{} answered", open.progress.answered(), open.lesson.questions()));
        });
        ui.separator();
        let text_height = (ui.available_height() * 0.55).max(120.0);
        egui::ScrollArea::vertical().id_salt("lesson text").max_height(text_height).show(ui, |ui| {
            let folder = match &open.lesson.origin {
                Origin::Folder(folder) => Some(folder.as_path()),
                Origin::Bundled(_) => None,
            };
            markdown::show(ui, &mut self.text, &open.lesson.texts[k], scale, folder);
        });
        ui.separator();
        let mut action = None;
        if let Some(question) = &step.question {
            ui.label(egui::RichText::new(question.prompt()).strong().size(14.0 * scale));
            if let Some(mystery) = &step.mystery
                && let Some(budget) = mystery.budget
            {
                let used: u32 = open.progress.steps.iter().map(|s| s.experiments).sum();
                ui.label(format!("Experiments: {used} of {budget} stimuli tried in this lesson"));
            }
            match question {
                Question::Numeric { unit, .. } => {
                    ui.horizontal(|ui| {
                        let field =
                            ui.add(egui::TextEdit::singleline(&mut open.typed).desired_width(90.0).hint_text("answer"));
                        ui.label(unit.as_str());
                        if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                            action = Some(Action::Check);
                        }
                    });
                }
                Question::Choice { options, .. } => {
                    for option in options {
                        ui.radio_value(&mut open.picked, Some(option.clone()), option.as_str());
                    }
                }
                Question::State(_) | Question::Behaviour(_) => {
                    ui.label("Change the lab, then check: spikelab reruns your setup and measures it.");
                }
            }
            let state = open.keys[k].as_ref();
            if !self.lecture {
                ui.horizontal(|ui| {
                    let label = match question {
                        Question::State(_) | Question::Behaviour(_) => "Check my setup",
                        _ => "Check",
                    };
                    let ready = matches!(state, Some(Ok(_))) && open.check_job.is_none();
                    if ui.add_enabled(ready, egui::Button::new(label)).clicked() {
                        action = Some(Action::Check);
                    }
                    if open.check_job.is_some() {
                        ui.spinner();
                        ui.label("rerunning your setup…");
                    } else if state.is_none() {
                        ui.spinner();
                        ui.label("computing the key…");
                    }
                    let done = &open.progress.steps[k];
                    if done.attempts >= step.reveal_after
                        && !done.revealed
                        && done.correct != Some(true)
                        && ui.button("Reveal the answer").clicked()
                    {
                        action = Some(Action::Reveal);
                    }
                });
                let done = &open.progress.steps[k];
                if let Some(v) = &open.verdict {
                    let (text, color) = if v.correct {
                        ("Correct".to_string(), egui::Color32::from_rgb(60, 170, 80))
                    } else {
                        ("Not yet".to_string(), ui.visuals().error_fg_color)
                    };
                    let measured = v.measured.as_ref().map(|m| format!(" (measured: {m})")).unwrap_or_default();
                    ui.colored_label(color, egui::RichText::new(format!("{text}{measured}")).size(15.0 * scale));
                } else if done.correct == Some(true) {
                    ui.colored_label(egui::Color32::from_rgb(60, 170, 80), "You answered this correctly before");
                }
                for hint in step.hints.iter().take(done.hints as usize) {
                    ui.label(format!("Hint: {hint}"));
                }
                if done.revealed
                    && let Some(Ok(Some(key))) = state
                {
                    answer_ui(ui, key, question, scale);
                }
                if let Some(Err(e)) = state {
                    ui.colored_label(ui.visuals().error_fg_color, format!("This step's key cannot be computed: {e}"));
                }
            } else {
                // Lecture mode: no checks; the lecturer shows the answer once the class has tried.
                let label = if open.showing { "Hide the answer" } else { "Show the answer" };
                if ui.add_enabled(matches!(state, Some(Ok(_))), egui::Button::new(label)).clicked() {
                    open.showing = !open.showing;
                }
                if open.showing
                    && let Some(Ok(Some(key))) = state
                {
                    answer_ui(ui, key, question, scale);
                }
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.label("Lab book:");
            ui.add(egui::TextEdit::singleline(&mut self.book_path).desired_width(150.0).hint_text("labbook.html"));
            if ui.button("Export").on_hover_text("Markdown, or HTML if the name ends in .html").clicked() {
                action = Some(Action::Book);
            }
            if ui.button("Save as…").on_hover_text("Choose where, in a file dialog").clicked() {
                action = Some(Action::BookAs);
            }
        });
        match action {
            Some(Action::Check) => self.check(lab, Some(ctx)),
            Some(Action::Reveal) => self.reveal(lab),
            Some(Action::BookAs) if self.dialog.is_none() => {
                let rx = super::files::pick_path(&ctx, true, ("Lab book", &["html", "md"]), None);
                self.dialog = Some((Dialog::SaveBook, rx));
            }
            Some(Action::BookAs) => {}
            Some(Action::Book) => {
                let path =
                    if self.book_path.trim().is_empty() { "labbook.html".to_string() } else { self.book_path.clone() };
                self.export_book(lab, Path::new(path.trim()));
            }
            None => {}
        }
        if let Some(k) = go {
            self.go_to(lab, k, true);
        }
    }
}

enum Action {
    Check,
    Reveal,
    Book,
    BookAs,
}

/// The key, and a literature value beside it.
fn answer_ui(ui: &mut egui::Ui, key: &Key, question: &Question, scale: f32) {
    ui.label(egui::RichText::new(format!("Answer: {}", shown(key, question.unit()))).strong().size(14.0 * scale));
    if let Question::Numeric { literature: Some(lit), .. } = question {
        ui.label(format!("Literature: {} ({})", lit.value, lit.source));
    }
}

/// A key as the student reads it: rounded, with its unit.
fn shown(key: &Key, unit: Option<&str>) -> String {
    match key {
        Key::Number(v) => format!("{} {}", round_sig(*v, 4), unit.unwrap_or_default()),
        other => other.to_string(),
    }
}

/// The values of what the step unlocked, by path.
fn unlocked_values(lab: &Lab) -> Vec<(String, f64)> {
    lab.locks.unlocked.iter().flatten().flat_map(|p| lab.preset().numbers_under(p)).collect()
}

/// The parameters for the lab book: the bench neuron's (hidden ones withheld), or for a
/// network what the step unlocked.
fn parameters(lab: &Lab) -> Vec<(String, String)> {
    let model = lab.preset().neuron;
    if lab.preset().network.is_some() {
        return unlocked_values(lab).into_iter().map(|(k, v)| (k, format!("{}", round_sig(v, 5)))).collect();
    }
    model
        .specs()
        .iter()
        .map(|s| {
            let value = if lab.locks.hides(&format!("neuron.{}", s.key)) {
                "hidden".to_string()
            } else {
                format!("{} {}", round_sig(model.get(s.key).unwrap_or(f64::NAN), 5), s.unit)
            };
            (s.label(), value)
        })
        .collect()
}

/// A setup's answer in words: the values of what the step unlocked.
fn describe_setup(lab: &Lab) -> String {
    let values: Vec<String> = unlocked_values(lab).iter().map(|(k, v)| format!("{k} = {}", round_sig(*v, 5))).collect();
    if values.is_empty() { format!("the setup of `{}`", lab.preset().name) } else { values.join(", ") }
}
