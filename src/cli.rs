//! The headless face of spikelab (DESIGN.md "Command-line contract").

use crate::progress::Progress;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::analysis::fi_curve;
use crate::analysis::populations::{measured_from_ms, population_activity};
use crate::engine::frame::{WEIGHT_BINS, weight_stats};
use crate::engine::{Observer, Simulation};
use crate::figure::{Figure, of};
use crate::fsio::tidy_time;
use crate::library;
use crate::network::Spike;
use crate::preset::Preset;
use crate::preset::learning::Learning;

#[derive(Parser, Debug)]
#[command(
    name = "spikelab",
    version,
    about = "A desktop laboratory for spiking neurons. No subcommand opens the window (in a build with the `gui` feature, the default)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Open the window, optionally on a preset (file or bundled name).
    #[cfg(feature = "gui")]
    Gui(crate::app::GuiArgs),
    /// Run a preset headless and write CSV and a JSON summary.
    #[command(allow_negative_numbers = true)]
    Run {
        /// Preset file, or a bundled name such as `izhikevich-2003/rs`.
        preset: String,
        #[command(flatten)]
        overrides: Overrides,
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// A stimulus file (saved by the designer) or a bundled one (`stimuli/paired_pulses`) to
        /// use instead of the preset's stimulus.
        #[arg(long)]
        stimulus: Option<String>,
        /// A folder with MNIST's four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
        /// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte): a learning preset uses them instead
        /// of the bundled digits.
        #[arg(long)]
        mnist: Option<PathBuf>,
        /// Also draw the preset's views as figures (SVG and PNG, with their data as CSV).
        #[arg(long)]
        figures: bool,
    },
    /// Print the f-I curve as CSV: current,rate_hz,steady_rate_hz,first_spike_ms,first_isi_ms,last_isi_ms.
    #[command(allow_negative_numbers = true)]
    Fi {
        preset: String,
        #[arg(long)]
        from: f64,
        #[arg(long)]
        to: f64,
        #[arg(long)]
        steps: usize,
        #[arg(long, default_value_t = 1000.0)]
        duration_ms: f64,
    },
    /// Validate what spikelab reads: presets, stimuli (RON, or CSV curves), sessions and lesson
    /// folders (a lesson's keys are computed, a mystery step's for seeds 1 to 3); a folder is
    /// walked. Prints each file with the kind it was validated as; exit 0 if all are valid, else
    /// print the errors and exit 1.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the bundled presets, stimuli and memory devices with one-line descriptions.
    Presets,
    /// A memory device's response to pulses and the STDP window through it: writes
    /// DIR/pulses.csv (cycle,pulse,direction,device,g_us,w; pulse 0 is the start) for a few
    /// devices (their spread is the device-to-device variation) taking cycles of potentiating
    /// then depressing pulses, and DIR/window.csv (dt_ms,g0_fraction,dw_mean,dw_sd): the change
    /// one pre-post pair makes under Song et al.'s additive rule (w_max = 1) through devices
    /// programmed to 10, 50 and 90 % of their range; DIR/device.ron is the device as drawn.
    #[command(allow_negative_numbers = true)]
    Device(DeviceArgs),
    /// Lessons as JSON, for graders and scripts: list them, show one, check an answer.
    Lesson {
        #[command(subcommand)]
        command: LessonCmd,
    },
    /// Time a workload and print one JSON result line (see BENCHMARKS.md).
    #[command(allow_negative_numbers = true)]
    Bench {
        #[arg(long)]
        workload: String,
        /// Simulated seconds.
        #[arg(long, default_value_t = 10.0)]
        bio: f64,
        #[arg(long, default_value_t = 12345)]
        seed: u64,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Write a preset's network as a self-contained script for NEST 3.10 or Brian2, which runs it
    /// and writes spikes.csv and summary.json as `run` does (a single neuron is a population of one).
    #[command(allow_negative_numbers = true)]
    Export {
        preset: String,
        #[arg(long, value_enum)]
        to: crate::export::Target,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        overrides: Overrides,
    },
    /// Two runs of one network side by side (spikelab's or an exported script's): per population
    /// the rates, mean CV of the intervals and spike counts, with the differences in standard errors.
    Compare {
        /// A run's output folder (spikes.csv and summary.json).
        a: PathBuf,
        b: PathBuf,
    },
    /// Run a network preset at every point of a grid over one or two of its parameters and write
    /// DIR/sweep.csv (x,y,rate_hz,cv_isi,synchrony,peak_hz,regime) with each point's state; for
    /// a learning task, train and test it from each seed (x,y,seed,test_accuracy).
    #[command(allow_negative_numbers = true)]
    Sweep {
        preset: String,
        /// KEY[,KEY...]=FROM:TO:N or KEY[,KEY...]=V1,V2,...: preset paths as --set takes them,
        /// all set to each value (without it: the preset's own `sweep`).
        #[arg(long)]
        x: Option<String>,
        /// A second axis, the same way.
        #[arg(long)]
        y: Option<String>,
        /// Simulated time per point [the preset's sweep, or 500].
        #[arg(long)]
        duration_ms: Option<f64>,
        /// The transient left out of each point's measures [the preset's sweep, or 100].
        #[arg(long)]
        warmup_ms: Option<f64>,
        /// Run the network at this fraction of its size: sizes and fixed degrees times S,
        /// weights divided by S (the mean input kept) [the preset's sweep, or 1].
        #[arg(long)]
        scale: Option<f64>,
        #[arg(long)]
        seed: Option<u64>,
        /// A learning task: train each point from seeds SEED to SEED + N - 1 [the preset's
        /// sweep, or 1].
        #[arg(long)]
        seeds: Option<u32>,
        /// KEY=VALUE applied before the sweep; repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
}

/// What `spikelab device` draws, and how.
#[derive(clap::Args, Debug)]
pub struct DeviceArgs {
    /// A device file, a measured curve (CSV rows g_us,dg_up_us,dg_down_us: the step a
    /// potentiating and a depressing pulse make at G), or a bundled device (`ag_a_si`,
    /// `devices/cbram`; see `spikelab presets`).
    device: String,
    /// Pulses in each direction per cycle [the pulses that span the range, at most 10,000].
    #[arg(long)]
    pulses: Option<u32>,
    #[arg(long, default_value_t = 2)]
    cycles: u32,
    /// Devices drawn for the pulse response.
    #[arg(long, default_value_t = 3)]
    devices: u32,
    /// How the rule's change becomes pulses.
    #[arg(long, value_enum, default_value_t = WindowMapping::Stochastic)]
    mapping: WindowMapping,
    /// The Querlioz rule's potentiation window.
    #[arg(long, default_value_t = 20.0)]
    t_ltp_ms: f64,
    /// Devices per point of the window.
    #[arg(long, default_value_t = 1000)]
    trials: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// KEY=VALUE with a dotted path into the device, e.g. `variation.d2d=0.3` or
    /// `curve.levels=16`; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    #[arg(long, default_value = "out")]
    out: PathBuf,
}

/// How `spikelab device` turns the rule's change into pulses.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum WindowMapping {
    /// The additive change in pulses, rounded to the nearest count.
    Nearest,
    /// The additive change in pulses, rounded down or up with the fraction's probability.
    Stochastic,
    /// Querlioz et al.'s rule: one pulse up within --t-ltp-ms after the input, one down otherwise.
    Querlioz,
}

#[derive(Subcommand, Debug)]
pub enum LessonCmd {
    /// One JSON line per lesson: {"id","title","steps"}.
    List,
    /// A lesson's steps as JSON (text, preset, view, question kind, prompt, unit, options).
    Show { lesson: String },
    /// Judge an answer: prints {"correct","expected","tolerance"} and exits 0 whether right or
    /// wrong (1 only for a bad lesson, step or answer).
    #[command(allow_negative_numbers = true)]
    Check {
        /// A bundled lesson's id or a lesson folder.
        lesson: String,
        /// The step, from 1.
        #[arg(long)]
        step: usize,
        /// A number (a unit after it is allowed), an option (its text or number from 1), or for
        /// state and behaviour steps KEY=VALUE[,KEY=VALUE...] changes to the step's preset or a
        /// preset file.
        #[arg(long, required_unless_present = "reveal")]
        answer: Option<String>,
        /// The student's seed (draws a mystery step's hidden parameters).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the key instead of judging.
        #[arg(long)]
        reveal: bool,
    },
}

/// What `run` and `export` change in the preset, applied in this order: `--set`s, then the
/// duration and dt, then the seed.
#[derive(clap::Args, Debug, Default)]
pub struct Overrides {
    #[arg(long)]
    duration_ms: Option<f64>,
    #[arg(long)]
    dt_ms: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
    /// KEY=VALUE with a dotted path into the preset, e.g. `neuron.a=0.1`; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl Overrides {
    fn apply(&self, preset: &mut Preset) -> Result<(), String> {
        apply_sets(preset, &self.set)?;
        for (key, value) in [("run.duration_ms", self.duration_ms), ("run.dt_ms", self.dt_ms)] {
            if let Some(v) = value {
                preset.set_path(key, &v.to_string())?;
            }
        }
        if let Some(s) = self.seed {
            preset.run.seed = s;
        }
        Ok(())
    }
}

/// Applies `--set KEY=VALUE` assignments in order.
fn apply_sets(preset: &mut Preset, set: &[String]) -> Result<(), String> {
    each_set(set, "neuron.a=0.1", |key, value| preset.set_path(key, value))
}

/// Each `--set KEY=VALUE` of `set`, split and handed to `apply` in order (`example` shows the
/// form when one has no `=`).
fn each_set(
    set: &[String],
    example: &str,
    mut apply: impl FnMut(&str, &str) -> Result<(), String>,
) -> Result<(), String> {
    for assignment in set {
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--set {assignment}: expected KEY=VALUE, e.g. {example}"))?;
        apply(key.trim(), value.trim())?;
    }
    Ok(())
}

/// No subcommand: the window, or in a build without it, what to give instead.
pub fn no_command() -> Result<(), String> {
    #[cfg(feature = "gui")]
    return crate::app::run_window(crate::app::GuiArgs::default());
    #[cfg(not(feature = "gui"))]
    Err("this spikelab is built without the window (the `gui` feature): give a command, \
         e.g. `spikelab run izhikevich-2003/rs` (see --help)"
        .into())
}

/// Runs a subcommand; the error is printed by `main` and gives exit code 1.
pub fn execute(command: Cmd) -> Result<(), String> {
    match command {
        #[cfg(feature = "gui")]
        Cmd::Gui(args) => crate::app::run_window(args),
        Cmd::Run { preset, overrides, out, stimulus, mnist, figures } => {
            let mut preset = library::resolve(&preset).map_err(|e| e.to_string())?;
            if let Some(arg) = stimulus {
                preset.stimulus = library::resolve_stimulus(&arg).map_err(|e| e.to_string())?;
            }
            overrides.apply(&mut preset)?;
            if let Some(dir) = mnist {
                preset.use_mnist(&dir)?;
            }
            run_headless(&preset, &out, figures)
        }
        Cmd::Fi { preset, from, to, steps, duration_ms } => {
            let preset = library::resolve(&preset).map_err(|e| e.to_string())?;
            if steps < 1 || duration_ms.is_nan() || duration_ms <= 0.0 {
                return Err("--steps must be >= 1 and --duration-ms > 0".into());
            }
            let currents = crate::analysis::evenly_spaced(from, to, steps);
            println!("current,rate_hz,steady_rate_hz,first_spike_ms,first_isi_ms,last_isi_ms");
            let cell = |v: Option<f64>| v.map(|t| t.to_string()).unwrap_or_default();
            for p in fi_curve(&preset, &currents, duration_ms)? {
                let (first, a, b) = (cell(p.first_spike_ms), cell(p.first_isi_ms), cell(p.last_isi_ms));
                println!("{},{},{},{first},{a},{b}", p.current, p.rate_hz, p.steady_rate_hz);
            }
            Ok(())
        }
        Cmd::Export { preset, to, out, overrides } => {
            let mut preset = library::resolve(&preset).map_err(|e| e.to_string())?;
            overrides.apply(&mut preset)?;
            let script = crate::export::export(&preset, to)?;
            crate::fsio::write_atomic(&out, script.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!("{} -> {}", preset.name, out.display());
            Ok(())
        }
        Cmd::Compare { a, b } => {
            let (a, b) = (crate::compare::Run::load(&a)?, crate::compare::Run::load(&b)?);
            let (table, _) = crate::compare::compare(&a, &b)?;
            print!("{table}");
            Ok(())
        }
        Cmd::Sweep { preset, x, y, duration_ms, warmup_ms, scale, seed, seeds, set, out } => {
            let mut preset = library::resolve(&preset).map_err(|e| e.to_string())?;
            apply_sets(&mut preset, &set)?;
            if let Some(s) = seed {
                preset.run.seed = s;
            }
            use crate::preset::sweep::{Axis, MAX_SEEDS, Timing};
            let own = preset.sweep.clone();
            let (x, y) = match (x, own.as_ref()) {
                (Some(x), _) => (Axis::parse(&x)?, y.as_deref().map(Axis::parse).transpose()?),
                (None, Some(own)) if y.is_none() => (own.x.clone(), own.y.clone()),
                (None, Some(_)) => return Err("--y needs --x".into()),
                (None, None) => return Err("the preset has no sweep of its own: give --x KEY=FROM:TO:N".into()),
            };
            let points = x.count() * y.as_ref().map_or(1, Axis::count);
            std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            let path = out.join("sweep.csv");
            let write = |csv: String| {
                crate::fsio::write_atomic(&path, csv.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            };
            let started = Instant::now();
            if preset.learning.is_some() {
                let seeds = seeds.unwrap_or(own.as_ref().map_or(1, |s| s.seeds));
                if !(1..=MAX_SEEDS).contains(&seeds) {
                    return Err(format!("--seeds must be 1 to {MAX_SEEDS}, got {seeds}"));
                }
                let progress = Progress::items("sweep", points * seeds as usize, "trainings");
                let scores =
                    crate::sweep::run_learning(&preset, (&x, y.as_ref()), seeds, |done| progress.set(done as u64))?;
                write(crate::sweep::scores_csv(&scores))?;
                for p in crate::sweep::summarise(&scores) {
                    let at = p.y.map_or(format!("{} = {}", x.label, p.x), |v| {
                        format!("{} = {}, {} = {v}", x.label, p.x, y.as_ref().map_or("", |a| a.label.as_str()))
                    });
                    let (m, lo, hi) = (100.0 * p.mean, 100.0 * p.lowest, 100.0 * p.highest);
                    println!("{at}: {m:.1} % ({lo:.1} to {hi:.1} over {} seeds)", p.seeds);
                }
                println!(
                    "{} trainings in {:.1} s -> {}",
                    scores.len(),
                    started.elapsed().as_secs_f64(),
                    path.display()
                );
                return Ok(());
            }
            if seeds.is_some() {
                return Err(
                    "--seeds is for learning tasks: a network sweep runs each point from the preset's seed".into()
                );
            }
            let scale = scale.unwrap_or(own.as_ref().map_or(1.0, |s| s.scale));
            let base = own.map_or(Timing::default(), |s| s.timing());
            let timing = Timing {
                duration_ms: duration_ms.unwrap_or(base.duration_ms),
                warmup_ms: warmup_ms.unwrap_or(base.warmup_ms),
            };
            if scale != 1.0 {
                eprintln!(
                    "the network at {scale} of its size: populations and fixed degrees x {scale}, weights / {scale} (mean input kept, fluctuations x {:.2})",
                    1.0 / scale.sqrt()
                );
            }
            let progress = Progress::items("sweep", points, "points");
            let measured =
                crate::sweep::run(&preset, (&x, y.as_ref()), timing, scale, |done| progress.set(done as u64))?;
            write(crate::sweep::csv(&measured))?;
            println!("{} points in {:.1} s -> {}", measured.len(), started.elapsed().as_secs_f64(), path.display());
            Ok(())
        }
        Cmd::Check { files } => {
            let mut errors = Vec::new();
            for (path, kind) in crate::check::collect(&files)? {
                match crate::check::check(&path, kind) {
                    Ok(()) => println!("ok {} ({})", path.display(), kind.name()),
                    Err(e) => errors.push(e),
                }
            }
            if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
        }
        Cmd::Presets => {
            for name in library::names() {
                let line = match library::bundled(name).expect("listed") {
                    Ok(p) => first_sentence(&p.description).to_string(),
                    Err(e) => format!("(invalid: {e})"),
                };
                println!("{name:<32} {line}");
            }
            for name in library::device_names() {
                let line = match library::resolve_device(name) {
                    Ok(d) => format!("{} (a memory device: spikelab device)", d.name),
                    Err(e) => format!("(invalid: {e})"),
                };
                println!("{name:<32} {line}");
            }
            for name in library::stimulus_names() {
                let line = match library::resolve_stimulus(name) {
                    Ok(_) => format!(
                        "{} (a stimulus for any neuron: run --stimulus)",
                        first_sentence(&library::stimulus_note(name))
                    ),
                    Err(e) => format!("(invalid: {e})"),
                };
                println!("{name:<32} {line}");
            }
            Ok(())
        }
        Cmd::Device(args) => device_command(&args),
        Cmd::Bench { workload, bio, seed, threads } => crate::workload::run(&workload, bio, seed, threads),
        Cmd::Lesson { command } => lesson_command(command),
    }
}

/// `spikelab device`: the pulse response and the window through the device, as CSV.
fn device_command(args: &DeviceArgs) -> Result<(), String> {
    use crate::synapse::device::mapping::{Mapping, Rounding, WINDOW_STARTS, pulse_response, window, window_dts};
    let mut device = library::resolve_device(&args.device).map_err(|e| e.to_string())?;
    each_set(&args.set, "variation.c2c=0.05", |key, value| device.set_path(key, value))?;
    let (out, seed) = (&args.out, args.seed);
    let span = device.span_pulses();
    let pulses = args.pulses.unwrap_or(span.round().clamp(1.0, 10_000.0) as u32);
    let mut csv = String::from("cycle,pulse,direction,device,g_us,w\n");
    for r in pulse_response(&device, pulses, args.cycles, args.devices, seed) {
        let direction = if r.up { "up" } else { "down" };
        writeln!(csv, "{},{},{direction},{},{},{}", r.cycle, r.pulse, r.device, r.g_us, r.w).expect("a String");
    }
    let write = |name: &str, text: &str| {
        std::fs::create_dir_all(out)
            .and_then(|()| crate::fsio::write_atomic(&out.join(name), text.as_bytes()))
            .map_err(|e| format!("{}: {e}", out.join(name).display()))
    };
    write("pulses.csv", &csv)?;

    let mapping = match args.mapping {
        WindowMapping::Nearest => Mapping::Pulses { rounding: Rounding::Nearest },
        WindowMapping::Stochastic => Mapping::Pulses { rounding: Rounding::Stochastic },
        WindowMapping::Querlioz => Mapping::Querlioz { t_ltp_ms: args.t_ltp_ms },
    };
    let rule = crate::synapse::plasticity::StdpRule::published(0, 1.0);
    let mut csv = String::from("dt_ms,g0_fraction,dw_mean,dw_sd\n");
    for p in window(&device, &rule, mapping, &window_dts(), &WINDOW_STARTS, args.trials.max(1), seed) {
        writeln!(csv, "{},{},{},{}", p.dt_ms, p.g0, p.dw_mean, p.dw_sd).expect("a String");
    }
    write("window.csv", &csv)?;
    // The device as drawn (a measured curve imported, --set applied), to use in a preset.
    write("device.ron", &device.to_ron())?;
    eprintln!(
        "{}: {span:.0} pulses span the range, one worth {:.4} of w_max; ON/OFF {:.3} -> {}",
        device.name,
        device.pulse_weight(1.0),
        device.on_off_ratio(),
        out.display()
    );
    Ok(())
}

fn lesson_command(command: LessonCmd) -> Result<(), String> {
    use crate::lesson::{Lesson, Question};
    use serde_json::json;
    let load = |id: &str| Lesson::resolve(id).map_err(|e| e.to_string());
    match command {
        LessonCmd::List => {
            for (id, lesson) in crate::lesson::bundled() {
                let lesson = lesson.as_ref().map_err(String::clone)?;
                println!("{}", json!({"id": id, "title": lesson.manifest.title, "steps": lesson.steps().len()}));
            }
        }
        LessonCmd::Show { lesson } => {
            let lesson = load(&lesson)?;
            let steps: Vec<_> = lesson
                .steps()
                .iter()
                .zip(&lesson.texts)
                .enumerate()
                .map(|(k, (step, text))| {
                    let q = step.question.as_ref();
                    json!({
                        "step": k + 1,
                        "title": step.title,
                        "text": text,
                        "preset": step.preset,
                        "view": step.view,
                        "kind": q.map(Question::kind),
                        "prompt": q.map(Question::prompt),
                        "unit": q.and_then(Question::unit),
                        "options": match q { Some(Question::Choice { options, .. }) => Some(options), _ => None },
                        "mystery": step.mystery.is_some(),
                    })
                })
                .collect();
            let out = json!({"id": lesson.id, "title": lesson.manifest.title, "summary": lesson.manifest.summary, "steps": steps});
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        }
        LessonCmd::Check { lesson, step, answer, seed, reveal } => {
            let lesson = load(&lesson)?;
            let n = lesson.steps().len();
            let k = step.checked_sub(1).filter(|&k| k < n).ok_or_else(|| format!("--step must be 1 to {n}"))?;
            let key = lesson.key(k, seed)?.ok_or_else(|| format!("step {step} asks no question"))?;
            if reveal {
                println!("{}", json!({"expected": key, "shown": key.to_string()}));
                return Ok(());
            }
            let answer = lesson.parse_answer(k, seed, answer.as_deref().unwrap_or_default())?;
            let verdict = lesson.judge(k, seed, &key, &answer)?;
            println!("{}", serde_json::to_string(&verdict).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}

/// Up to and including the first full stop that ends a sentence.
fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |end| &text[..=end])
}

/// What a run recorded, kept for its figures (`--figures`).
#[derive(Default)]
struct Recorded {
    /// Each recorded column's points.
    columns: Vec<Vec<[f64; 2]>>,
    input: Vec<[f64; 2]>,
    weights: Vec<(f64, [f64; 4], Vec<u32>)>,
}

/// The figures of a run's views: the traced neuron; a neuron's f-I curve and phase plane; a
/// network's raster with population rates; plastic weights.
fn run_figures(
    preset: &Preset,
    sim: &Simulation,
    rec: &Recorded,
    spikes: &[Spike],
) -> Result<Vec<(&'static str, Figure)>, String> {
    let span = (0.0, sim.t_ms());
    let model = sim.model();
    let traced = &rec.columns[..model.vars().len().min(rec.columns.len())];
    let traced_spikes: Vec<f64> = spikes.iter().filter(|s| s.neuron as usize == sim.traced()).map(|s| s.t_ms).collect();
    let mut figures = vec![("traces", of::traces(&model, traced, &traced_spikes, rec.input.clone(), span))];
    match &preset.network {
        Some(network) => {
            figures.push(("raster", of::raster(network, spikes, span, RATE_BIN_MS, RASTER_ROWS)));
            let from = measured_from_ms(span.1);
            let activity = population_activity(network, spikes.iter(), (from, span.1));
            figures.push(("rates", of::rate_boxes(&activity, (from, span.1))));
        }
        None => {
            let currents = crate::analysis::evenly_spaced(0.0, 2.0 * model.kind().demo_step(), 21);
            let points = fi_curve(preset, &currents, FI_DURATION_MS)?;
            figures.push(("fi", of::fi(&points, model.current_unit())));
            // A reset is a jump, not a path: the line breaks at each spike.
            let mut trajectory = Vec::new();
            if let Some(plane) = crate::analysis::phase_plane::plane(&model) {
                let mut spikes = traced_spikes.iter().peekable();
                for (x, y) in rec.columns[plane.x_var].iter().zip(&rec.columns[plane.y_var]) {
                    if spikes.next_if(|&&t| t < x[0]).is_some() && model.resets() {
                        trajectory.push([f64::NAN; 2]);
                    }
                    trajectory.push([x[1], y[1]]);
                }
            }
            // The plane at the current of the stimulus's main part.
            let (on, off) = preset.stimulus.main_window(span.1);
            let i = preset.stimulus.value_at(0.5 * (on + off));
            figures.extend(of::phase(&model, i, &trajectory).map(|f| ("phase_plane", f)));
        }
    }
    if sim.net().n_plastic() > 0 {
        let mut last = Vec::new();
        sim.net().plastic_weights(&mut last);
        figures.push(("weights", of::weights(&rec.weights, &last)));
    }
    if let Some(device) = preset.device() {
        figures.push(("device", of::device(device, preset.run.seed)));
    }
    Ok(figures)
}

/// Bins of a figure's population rate.
const RATE_BIN_MS: f64 = 5.0;
/// Neurons of each population a raster figure shows (a published raster shows tens).
const RASTER_ROWS: u32 = 200;
/// The length of each f-I point's run.
const FI_DURATION_MS: f64 = 1000.0;

/// Collects spikes and trace rows as CSV text.
struct CsvObserver {
    spikes: String,
    trace: String,
    spike_count: u64,
    /// Spikes of each neuron (for the rates per population).
    per_neuron: Vec<u64>,
    /// Every spike (for the measures per population and the figures).
    kept: Vec<Spike>,
    /// weights.csv rows (plastic networks).
    weights: String,
    recorded: Option<Recorded>,
}

impl Observer for CsvObserver {
    fn spike(&mut self, spike: Spike) {
        self.spike_count += 1;
        self.per_neuron[spike.neuron as usize] += 1;
        self.kept.push(spike);
        let _ = writeln!(self.spikes, "{},{}", spike.t_ms, spike.neuron);
    }
    fn sample(&mut self, t_ms: f64, values: &[f64]) {
        let _ = write!(self.trace, "{}", tidy_time(t_ms));
        for v in values {
            let _ = write!(self.trace, ",{v}");
        }
        self.trace.push('\n');
        if let Some(r) = &mut self.recorded {
            r.columns.resize_with(values.len(), Vec::new);
            for (column, &v) in r.columns.iter_mut().zip(values) {
                column.push([tidy_time(t_ms), v]);
            }
        }
    }
    fn input(&mut self, t_ms: f64, current: f64) {
        if let Some(r) = &mut self.recorded {
            r.input.push([tidy_time(t_ms), current]);
        }
    }
    fn weights(&mut self, t_ms: f64, weights: &[f64]) {
        let (stats, bins) = weight_stats(weights);
        let _ = write!(self.weights, "{}", tidy_time(t_ms));
        for v in stats {
            let _ = write!(self.weights, ",{v}");
        }
        for b in bins {
            let _ = write!(self.weights, ",{b}");
        }
        self.weights.push('\n');
        if let Some(r) = &mut self.recorded {
            r.weights.push((t_ms, stats, bins.to_vec()));
        }
    }
}

/// Creates `out` and returns a function that writes a file into it atomically.
fn writer(out: &Path) -> Result<impl Fn(&str, &str) -> Result<(), String>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    Ok(|name: &str, text: &str| {
        crate::fsio::write_atomic(&out.join(name), text.as_bytes()).map_err(|e| format!("cannot write {name}: {e}"))
    })
}

/// `spikelab run` on a learning preset: the task's files and `summary.json`.
fn run_learning(preset: &Preset, learning: &Learning, out: &Path, figures: bool) -> Result<(), String> {
    let start = Instant::now();
    let report = crate::learning::headless::run(preset, learning)?;
    let wall_s = start.elapsed().as_secs_f64();
    let write = writer(out)?;
    for (name, text) in &report.files {
        write(name, text)?;
    }
    if figures {
        for (stem, figure) in &report.figures {
            figure.write_all(out, stem)?;
        }
    }
    let mut summary = serde_json::Map::new();
    summary.insert("preset".into(), preset.name.clone().into());
    summary.insert("task".into(), learning.kind().into());
    summary.extend(report.summary);
    summary.insert("seed".into(), preset.run.seed.into());
    summary.insert("wall_seconds".into(), wall_s.into());
    summary.insert("effective".into(), serde_json::to_value(preset).map_err(|e| e.to_string())?);
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(summary)).expect("json") + "\n";
    write("summary.json", &text)?;
    eprintln!("{}: {} ({:.3} s wall) -> {}", preset.name, report.verdict, wall_s, out.display());
    Ok(())
}

/// `spikelab run`: simulate, then write spikes.csv, trace.csv and summary.json into `out`.
pub fn run_headless(preset: &Preset, out: &Path, figures: bool) -> Result<(), String> {
    if let Some(learning) = &preset.learning {
        return run_learning(preset, learning, out, figures);
    }
    let building = Instant::now();
    let mut sim = Simulation::from_preset(preset, preset.run.seed)?;
    let build_s = building.elapsed().as_secs_f64();
    let columns = sim.columns();
    let mut obs = CsvObserver {
        spikes: "t_ms,neuron\n".into(),
        trace: format!("t_ms,{}\n", columns.join(",")),
        spike_count: 0,
        per_neuron: vec![0; sim.n_neurons()],
        kept: Vec::new(),
        weights: format!(
            "t_ms,mean,std,min,max,{}\n",
            (0..WEIGHT_BINS).map(|k| format!("h{k}")).collect::<Vec<_>>().join(",")
        ),
        recorded: figures.then(Recorded::default),
    };
    let steps = (preset.run.duration_ms / preset.run.dt_ms).round() as u64;
    let start = Instant::now();
    sim.sample(&mut obs);
    // In a few hundred pieces, for the progress bar: stepping in pieces is the same run.
    let progress = Progress::simulated("run", preset.run.duration_ms);
    let piece = (steps / 400).max(1);
    let mut left = steps;
    let mut fault = None;
    while left > 0 && fault.is_none() {
        let n = piece.min(left);
        fault = sim.step(n, &mut obs).err().map(|f| f.to_string());
        left -= n;
        progress.set(sim.t_ms() as u64);
    }
    drop(progress);
    let wall_s = start.elapsed().as_secs_f64();
    let simulated_ms = sim.t_ms();

    let write = writer(out)?;
    write("spikes.csv", &obs.spikes)?;
    write("trace.csv", &obs.trace)?;
    if sim.net().n_plastic() > 0 {
        // Weights as fractions of w_max over time, and every plastic synapse at the end.
        write("weights.csv", &obs.weights)?;
        let mut last = String::from("pre,post,weight\n");
        for (pre, post, w) in sim.net().plastic_synapses() {
            let _ = writeln!(last, "{pre},{post},{w}");
        }
        write("weights_final.csv", &last)?;
    }
    let effective: serde_json::Value = serde_json::to_value(preset).map_err(|e| e.to_string())?;
    // Rates per population (a single neuron is the population `neurons`).
    let rate =
        |count: u64, n: usize| if simulated_ms > 0.0 { 1000.0 * count as f64 / simulated_ms / n as f64 } else { 0.0 };
    let mut rates = serde_json::Map::new();
    let mut counts = serde_json::Map::new();
    let mut populations = Vec::new();
    rates.insert("neurons".into(), rate(obs.spike_count, sim.n_neurons()).into());
    match &preset.network {
        Some(network) => {
            for (&first, pop) in network.offsets().iter().zip(&network.populations) {
                let count: u64 = obs.per_neuron[first as usize..(first + pop.size) as usize].iter().sum();
                rates.insert(pop.name.clone(), rate(count, pop.size as usize).into());
                counts.insert(pop.name.clone(), count.into());
                populations.push(serde_json::json!({"name": pop.name, "first": first, "size": pop.size}));
            }
        }
        None => populations.push(serde_json::json!({"name": "neurons", "first": 0, "size": sim.n_neurons()})),
    }
    let mut summary = serde_json::json!({
        "preset": preset.name,
        "simulated_ms": tidy_time(simulated_ms),
        "dt_ms": preset.run.dt_ms,
        "integrator": preset.run.integrator.name(),
        "seed": preset.run.seed,
        "n_neurons": sim.n_neurons(),
        "spike_count": obs.spike_count,
        "spike_counts": counts,
        "rates_hz": rates,
        "populations": populations,
        "n_synapses": sim.net().n_synapses(),
        "synapse_bytes": sim.net().synapse_bytes(),
        "wall_seconds": wall_s,
        "build_seconds": build_s,
        "fault": fault,
        "effective": effective,
    });
    if let Some(network) = &preset.network {
        // Per population over the run after its transient: rate, CV, synchrony, single-cell rates.
        let from = measured_from_ms(simulated_ms);
        summary["measured_from_ms"] = from.into();
        summary["population_measures"] =
            serde_json::to_value(population_activity(network, obs.kept.iter(), (from, simulated_ms))).expect("json");
    }
    if preset.network.as_ref().is_some_and(|n| n.projections.iter().any(|p| p.device.is_some())) {
        // The programming the memory devices took: their energy and wear.
        summary["device_pulses"] = sim.net().device_pulses().into();
    }
    write("summary.json", &(serde_json::to_string_pretty(&summary).expect("json") + "\n"))?;
    if let Some(recorded) = &obs.recorded {
        for (stem, figure) in run_figures(preset, &sim, recorded, &obs.kept)? {
            figure.write_all(out, stem)?;
        }
    }
    eprintln!(
        "{}: {} spikes in {:.1} ms simulated ({:.3} s wall) -> {}",
        preset.name,
        obs.spike_count,
        simulated_ms,
        wall_s,
        out.display()
    );
    match fault {
        Some(message) => Err(format!("run paused at a fault (outputs up to it were written): {message}")),
        None => Ok(()),
    }
}
