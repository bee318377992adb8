//! Injected current: a list of components that add up.
//!
//! Times are in ms, never in step indices. A component's edges are mapped to steps once per `dt`
//! by rounding (`on` for steps `n` with `round(start/dt) <= n < round(end/dt)`), so a pulse from
//! 60 to 90 ms at dt = 0.01 ms is on for exactly 3000 steps. The current is held over each step.
//! Components follow one another on the timeline by their start times. Noise and spike inputs
//! draw from their own random stream, seeded by the preset's seed and the component's `seed`, so
//! adding, muting or moving a component never changes another's stream. [`Runner`] evaluates a
//! stimulus step by step for the engine; [`Stimulus::value_at`] gives the deterministic part for
//! plots.

mod csv;
pub mod encode;
pub(crate) mod runner;

use serde::{Deserialize, Serialize};

pub use csv::curve_from_csv;
pub use runner::Runner;

use crate::random::Rng;
use crate::synapse::Kernel;
use rand::RngExt;

/// One additive piece of the injected current, in the model's current unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Component {
    /// A constant current for the whole run.
    Dc { amplitude: f64 },
    /// A step: `amplitude` from `start_ms` to the end of the run.
    Step { start_ms: f64, amplitude: f64 },
    /// A square pulse: `amplitude` from `start_ms` for `duration_ms`.
    Pulse { start_ms: f64, duration_ms: f64, amplitude: f64 },
    /// `count` square pulses of `width_ms`, one every `period_ms`, from `start_ms`.
    PulseTrain { start_ms: f64, count: u32, period_ms: f64, width_ms: f64, amplitude: f64 },
    /// A linear ramp: `from + slope_per_ms (t - start_ms)` for `duration_ms`; 0 outside.
    Ramp { start_ms: f64, duration_ms: f64, from: f64, slope_per_ms: f64 },
    /// `offset + amplitude sin(2 pi f (t - start) + phase)` for `duration_ms`.
    Sine { start_ms: f64, duration_ms: f64, amplitude: f64, frequency_hz: f64, phase_deg: f64, offset: f64 },
    /// A sine whose frequency sweeps linearly from `f0_hz` to `f1_hz` over `duration_ms`.
    Chirp { start_ms: f64, duration_ms: f64, amplitude: f64, f0_hz: f64, f1_hz: f64 },
    /// Straight lines through `(t_ms, value)` points in time order; a repeated time is a jump
    /// (the later point holds from that time on). 0 before the first and after the last point.
    Curve { points: Vec<(f64, f64)> },
    /// Ornstein-Uhlenbeck noise with `mean`, stationary standard deviation `sigma` and
    /// correlation time `tau_ms`, for `duration_ms` (updated exactly each step).
    Noise { start_ms: f64, duration_ms: f64, mean: f64, sigma: f64, tau_ms: f64, seed: u64 },
    /// Spikes through a current-based synapse: `weight x K(t - t_spike)` per spike.
    Spikes { source: SpikeSource, kernel: Kernel, weight: f64, seed: u64 },
}

/// A homogeneous Poisson train at `rate_hz` from t = 0, one exponential interval at a time:
/// each time goes through `keep` (which may move it, say onto a grid) until `keep` ends the train
/// with `None`. The one Poisson train of the image encoder and the tempotron's patterns; a
/// population's trains are drawn together as one merged process instead ([`Runner`]).
pub fn poisson_train(rng: &mut Rng, rate_hz: f64, mut keep: impl FnMut(f64) -> Option<f64>) -> Vec<f64> {
    let mean_isi_ms = 1000.0 / rate_hz;
    let (mut times, mut t) = (Vec::new(), 0.0);
    loop {
        t += -mean_isi_ms * (1.0 - rng.random::<f64>()).ln();
        match keep(t) {
            Some(time) => times.push(time),
            None => return times,
        }
    }
}

/// Where input spikes come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SpikeSource {
    /// Homogeneous Poisson process.
    Poisson { rate_hz: f64, start_ms: f64, duration_ms: f64 },
    /// Inhomogeneous Poisson: rate `rate_hz + depth_hz sin(2 pi f t)`, clipped at 0.
    ModulatedPoisson { rate_hz: f64, depth_hz: f64, frequency_hz: f64, start_ms: f64, duration_ms: f64 },
    /// A regular train at `rate_hz` from `start_ms`.
    Regular { rate_hz: f64, start_ms: f64, duration_ms: f64 },
    /// Explicit spike times.
    Times { times_ms: Vec<f64> },
    /// The bundled 8x8 training digits, one after another (a population of 64 sources, one per
    /// pixel): during each image's `present_ms` pixel `i` fires as a Poisson train at
    /// `intensity_i x max_rate_hz`, then every pixel rests for `rest_ms` (Diehl & Cook 2015's
    /// presentation).
    Digits { max_rate_hz: f64, present_ms: f64, rest_ms: f64 },
}

impl SpikeSource {
    pub fn name(&self) -> &'static str {
        match self {
            SpikeSource::Poisson { .. } => "Poisson",
            SpikeSource::ModulatedPoisson { .. } => "modulated Poisson",
            SpikeSource::Regular { .. } => "regular",
            SpikeSource::Times { .. } => "spike times",
            SpikeSource::Digits { .. } => "digits",
        }
    }
}

/// The kinds of component, for menus.
pub const KINDS: [&str; 10] =
    ["DC", "Step", "Pulse", "Pulse train", "Ramp", "Sine", "Chirp", "Curve", "Noise", "Spikes"];

impl Component {
    pub fn name(&self) -> &'static str {
        KINDS[self.kind_index()]
    }

    pub fn kind_index(&self) -> usize {
        match self {
            Component::Dc { .. } => 0,
            Component::Step { .. } => 1,
            Component::Pulse { .. } => 2,
            Component::PulseTrain { .. } => 3,
            Component::Ramp { .. } => 4,
            Component::Sine { .. } => 5,
            Component::Chirp { .. } => 6,
            Component::Curve { .. } => 7,
            Component::Noise { .. } => 8,
            Component::Spikes { .. } => 9,
        }
    }

    /// A component of kind `index` that does something visible: starting at `t_ms`, of size
    /// `amplitude`, with random seed `seed`.
    pub fn example(index: usize, t_ms: f64, amplitude: f64, seed: u64) -> Component {
        match index {
            0 => Component::Dc { amplitude },
            1 => Component::Step { start_ms: t_ms, amplitude },
            2 => Component::Pulse { start_ms: t_ms, duration_ms: 20.0, amplitude },
            3 => Component::PulseTrain { start_ms: t_ms, count: 5, period_ms: 20.0, width_ms: 5.0, amplitude },
            4 => Component::Ramp { start_ms: t_ms, duration_ms: 100.0, from: 0.0, slope_per_ms: amplitude / 100.0 },
            5 => Component::Sine {
                start_ms: t_ms,
                duration_ms: 200.0,
                amplitude: 0.5 * amplitude,
                frequency_hz: 10.0,
                phase_deg: 0.0,
                offset: amplitude,
            },
            6 => Component::Chirp { start_ms: t_ms, duration_ms: 500.0, amplitude, f0_hz: 1.0, f1_hz: 40.0 },
            7 => Component::Curve { points: vec![(t_ms, 0.0), (t_ms + 50.0, amplitude), (t_ms + 100.0, 0.0)] },
            8 => Component::Noise {
                start_ms: t_ms,
                duration_ms: 500.0,
                mean: amplitude,
                sigma: 0.3 * amplitude.abs(),
                tau_ms: 5.0,
                seed,
            },
            _ => Component::Spikes {
                source: SpikeSource::Poisson { rate_hz: 200.0, start_ms: t_ms, duration_ms: 500.0 },
                kernel: Kernel::Exponential { tau_ms: 5.0 },
                weight: 0.5 * amplitude,
                seed,
            },
        }
    }

    /// The random stream's seed, for components that draw random numbers.
    pub fn seed(&self) -> Option<u64> {
        match self {
            Component::Noise { seed, .. } | Component::Spikes { seed, .. } => Some(*seed),
            _ => None,
        }
    }
    fn set_seed(&mut self, new: u64) {
        if let Component::Noise { seed, .. } | Component::Spikes { seed, .. } = self {
            *seed = new;
        }
    }

    /// Start time, for components that have one (what the designer's handle moves).
    pub fn start_ms(&self) -> Option<f64> {
        match self {
            Component::Step { start_ms, .. }
            | Component::Pulse { start_ms, .. }
            | Component::PulseTrain { start_ms, .. }
            | Component::Ramp { start_ms, .. }
            | Component::Sine { start_ms, .. }
            | Component::Chirp { start_ms, .. }
            | Component::Noise { start_ms, .. } => Some(*start_ms),
            _ => None,
        }
    }
    pub fn set_start_ms(&mut self, t: f64) {
        if let Component::Step { start_ms, .. }
        | Component::Pulse { start_ms, .. }
        | Component::PulseTrain { start_ms, .. }
        | Component::Ramp { start_ms, .. }
        | Component::Sine { start_ms, .. }
        | Component::Chirp { start_ms, .. }
        | Component::Noise { start_ms, .. } = self
        {
            *start_ms = t.max(0.0);
        }
    }

    /// `(start, end)` in ms of the interval where the component may be non-zero.
    pub fn window_ms(&self) -> (f64, f64) {
        match self {
            Component::Dc { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Component::Step { start_ms, .. } => (*start_ms, f64::INFINITY),
            Component::Pulse { start_ms, duration_ms, .. }
            | Component::Ramp { start_ms, duration_ms, .. }
            | Component::Sine { start_ms, duration_ms, .. }
            | Component::Chirp { start_ms, duration_ms, .. }
            | Component::Noise { start_ms, duration_ms, .. } => (*start_ms, start_ms + duration_ms),
            Component::PulseTrain { start_ms, count, period_ms, width_ms, .. } => {
                (*start_ms, start_ms + (*count as f64 - 1.0).max(0.0) * period_ms + width_ms)
            }
            Component::Curve { points } => match (points.first(), points.last()) {
                (Some(first), Some(last)) => (first.0, last.0),
                _ => (0.0, 0.0),
            },
            Component::Spikes { source, kernel, .. } => {
                let tail = kernel.tau_ms().map_or(1.0, |tau| 10.0 * tau);
                match source {
                    SpikeSource::Poisson { start_ms, duration_ms, .. }
                    | SpikeSource::ModulatedPoisson { start_ms, duration_ms, .. }
                    | SpikeSource::Regular { start_ms, duration_ms, .. } => (*start_ms, start_ms + duration_ms + tail),
                    SpikeSource::Times { times_ms } => {
                        let first = times_ms.first().copied().unwrap_or(0.0);
                        (first, times_ms.last().copied().unwrap_or(0.0) + tail)
                    }
                    SpikeSource::Digits { .. } => (0.0, f64::INFINITY),
                }
            }
        }
    }

    /// Whether the component draws random numbers (its preview is one realisation).
    pub fn is_random(&self) -> bool {
        matches!(
            self,
            Component::Noise { .. }
                | Component::Spikes { source: SpikeSource::Poisson { .. } | SpikeSource::ModulatedPoisson { .. }, .. }
        )
    }

    /// Deterministic value at `t_ms` inside the window (noise: its mean; spikes: 0).
    pub(crate) fn shape_at(&self, t_ms: f64) -> f64 {
        match self {
            Component::Dc { amplitude }
            | Component::Step { amplitude, .. }
            | Component::Pulse { amplitude, .. }
            | Component::PulseTrain { amplitude, .. } => *amplitude,
            Component::Ramp { start_ms, from, slope_per_ms, .. } => from + slope_per_ms * (t_ms - start_ms),
            Component::Sine { start_ms, amplitude, frequency_hz, phase_deg, offset, .. } => {
                let phase =
                    2.0 * std::f64::consts::PI * frequency_hz * (t_ms - start_ms) * 1e-3 + phase_deg.to_radians();
                offset + amplitude * phase.sin()
            }
            Component::Chirp { start_ms, duration_ms, amplitude, f0_hz, f1_hz } => {
                let t = t_ms - start_ms;
                let cycles = (f0_hz * t + (f1_hz - f0_hz) * t * t / (2.0 * duration_ms)) * 1e-3;
                amplitude * (2.0 * std::f64::consts::PI * cycles).sin()
            }
            Component::Curve { points } => {
                // The last point at or before t (a later point wins a jump), then the line onwards.
                let k = points.partition_point(|p| p.0 <= t_ms);
                match (k.checked_sub(1).map(|k| points[k]), points.get(k)) {
                    (Some(a), Some(b)) => a.1 + (b.1 - a.1) * (t_ms - a.0) / (b.0 - a.0),
                    (Some(a), None) if a.0 == t_ms => a.1,
                    _ => 0.0,
                }
            }
            Component::Noise { mean, .. } => *mean,
            Component::Spikes { .. } => 0.0,
        }
    }

    /// Whether a pulse train is in one of its pulses at step `n` (other kinds: always).
    fn train_on(&self, n: u64, dt_ms: f64) -> bool {
        match self {
            Component::PulseTrain { start_ms, count, period_ms, width_ms, .. } => (0..*count).any(|k| {
                let on = start_ms + k as f64 * period_ms;
                n >= step_of(on, dt_ms) && n < step_of(on + width_ms, dt_ms)
            }),
            _ => true,
        }
    }

    /// Largest absolute value the deterministic part takes (for plot ranges and the main input).
    pub fn peak(&self) -> f64 {
        match self {
            Component::Ramp { from, slope_per_ms, duration_ms, .. } => {
                from.abs().max((from + slope_per_ms * duration_ms).abs())
            }
            Component::Sine { amplitude, offset, .. } => offset.abs() + amplitude.abs(),
            Component::Chirp { amplitude, .. } => amplitude.abs(),
            Component::Curve { points } => points.iter().map(|p| p.1.abs()).fold(0.0, f64::max),
            Component::Noise { mean, sigma, .. } => mean.abs() + 2.0 * sigma,
            Component::Spikes { weight, .. } => weight.abs(),
            c => c.shape_at(0.0).abs(),
        }
    }

    /// Checks the fields; the error names the offending field and says why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let finite = |field: &'static str, v: f64| {
            if v.is_finite() { Ok(()) } else { Err((field, format!("must be a finite number, got {v}"))) }
        };
        let time = |field: &'static str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err((field, format!("must be a finite time >= 0 ms, got {v}")))
            }
        };
        let positive = |field: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 { Ok(()) } else { Err((field, format!("must be > 0, got {v}"))) }
        };
        let non_negative = |field: &'static str, v: f64| {
            if v.is_finite() && v >= 0.0 { Ok(()) } else { Err((field, format!("must be >= 0, got {v}"))) }
        };
        match self {
            Component::Dc { amplitude } => finite("amplitude", *amplitude),
            Component::Step { start_ms, amplitude } => time("start_ms", *start_ms).and(finite("amplitude", *amplitude)),
            Component::Pulse { start_ms, duration_ms, amplitude } => time("start_ms", *start_ms)
                .and(positive("duration_ms", *duration_ms))
                .and(finite("amplitude", *amplitude)),
            Component::PulseTrain { start_ms, count, period_ms, width_ms, amplitude } => {
                time("start_ms", *start_ms)?;
                if *count == 0 {
                    return Err(("count", "must be at least 1".into()));
                }
                positive("width_ms", *width_ms)?;
                positive("period_ms", *period_ms)?;
                if period_ms < width_ms {
                    return Err((
                        "period_ms",
                        format!("({period_ms}) must be at least width_ms ({width_ms}): pulses would overlap"),
                    ));
                }
                finite("amplitude", *amplitude)
            }
            Component::Ramp { start_ms, duration_ms, from, slope_per_ms } => time("start_ms", *start_ms)
                .and(positive("duration_ms", *duration_ms))
                .and(finite("from", *from))
                .and(finite("slope_per_ms", *slope_per_ms)),
            Component::Sine { start_ms, duration_ms, amplitude, frequency_hz, phase_deg, offset } => {
                time("start_ms", *start_ms)?;
                positive("duration_ms", *duration_ms)?;
                finite("amplitude", *amplitude)?;
                non_negative("frequency_hz", *frequency_hz)?;
                finite("phase_deg", *phase_deg)?;
                finite("offset", *offset)
            }
            Component::Chirp { start_ms, duration_ms, amplitude, f0_hz, f1_hz } => time("start_ms", *start_ms)
                .and(positive("duration_ms", *duration_ms))
                .and(finite("amplitude", *amplitude))
                .and(non_negative("f0_hz", *f0_hz))
                .and(non_negative("f1_hz", *f1_hz)),
            Component::Curve { points } => {
                if points.len() < 2 {
                    return Err(("points", format!("needs at least 2 points, got {}", points.len())));
                }
                if let Some(k) = points.iter().position(|p| !p.0.is_finite() || !p.1.is_finite() || p.0 < 0.0) {
                    return Err(("points", format!("point {k} must be finite with t_ms >= 0, got {:?}", points[k])));
                }
                if let Some(k) = points.windows(2).position(|w| w[1].0 < w[0].0) {
                    return Err(("points", format!("times must not decrease: point {} is before point {k}", k + 1)));
                }
                Ok(())
            }
            Component::Noise { start_ms, duration_ms, mean, sigma, tau_ms, .. } => time("start_ms", *start_ms)
                .and(positive("duration_ms", *duration_ms))
                .and(finite("mean", *mean))
                .and(non_negative("sigma", *sigma))
                .and(positive("tau_ms", *tau_ms)),
            Component::Spikes { source, kernel, weight, .. } => {
                finite("weight", *weight)?;
                if let Some(tau) = kernel.tau_ms() {
                    positive("tau_ms", tau)?;
                }
                match source {
                    SpikeSource::Poisson { rate_hz, start_ms, duration_ms }
                    | SpikeSource::Regular { rate_hz, start_ms, duration_ms } => {
                        non_negative("rate_hz", *rate_hz)?;
                        time("start_ms", *start_ms)?;
                        positive("duration_ms", *duration_ms)
                    }
                    SpikeSource::ModulatedPoisson { rate_hz, depth_hz, frequency_hz, start_ms, duration_ms } => {
                        non_negative("rate_hz", *rate_hz)?;
                        finite("depth_hz", *depth_hz)?;
                        non_negative("frequency_hz", *frequency_hz)?;
                        time("start_ms", *start_ms)?;
                        positive("duration_ms", *duration_ms)
                    }
                    SpikeSource::Digits { .. } => {
                        Err(("source", "digits are shown by a spike-source population of 64, not a stimulus".into()))
                    }
                    SpikeSource::Times { times_ms } => {
                        if let Some(k) = times_ms.iter().position(|t| !t.is_finite() || *t < 0.0) {
                            return Err(("times_ms", format!("time {k} must be finite and >= 0, got {}", times_ms[k])));
                        }
                        if times_ms.windows(2).any(|w| w[1] < w[0]) {
                            return Err(("times_ms", "must be in increasing order".into()));
                        }
                        Ok(())
                    }
                }
            }
        }
    }
}

/// Step index of time `t_ms` on the grid of `dt_ms` (`u64::MAX` for infinity).
pub(crate) fn step_of(t_ms: f64, dt_ms: f64) -> u64 {
    if t_ms.is_infinite() { if t_ms > 0.0 { u64::MAX } else { 0 } } else { (t_ms / dt_ms).round().max(0.0) as u64 }
}

/// The whole injected current of a neuron: the sum of its components that are not muted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Stimulus {
    pub components: Vec<Component>,
    /// Indices of components switched off (kept, but contributing nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub muted: Vec<usize>,
}

impl Stimulus {
    /// Whether a component delivers charge at once (spikes through a delta kernel).
    pub fn injects_charge(&self) -> bool {
        self.components.iter().any(|c| matches!(c, Component::Spikes { kernel: Kernel::Delta, .. }))
    }

    pub fn dc(amplitude: f64) -> Self {
        Self::of(vec![Component::Dc { amplitude }])
    }
    pub fn of(components: Vec<Component>) -> Self {
        Self { components, muted: Vec::new() }
    }

    /// The components that contribute, with their indices.
    pub fn active(&self) -> impl Iterator<Item = (usize, &Component)> {
        self.components.iter().enumerate().filter(|(i, _)| !self.muted.contains(i))
    }

    pub fn is_muted(&self, i: usize) -> bool {
        self.muted.contains(&i)
    }
    pub fn set_muted(&mut self, i: usize, muted: bool) {
        self.muted.retain(|&m| m != i);
        if muted {
            self.muted.push(i);
            self.muted.sort_unstable();
        }
    }

    /// A seed no component uses yet, for a new random component.
    pub fn fresh_seed(&self) -> u64 {
        self.components.iter().filter_map(Component::seed).max().map_or(1, |s| s + 1)
    }

    pub fn add(&mut self, mut component: Component) {
        if component.seed().is_some() {
            component.set_seed(self.fresh_seed());
        }
        self.components.push(component);
    }
    pub fn remove(&mut self, i: usize) {
        self.components.remove(i);
        self.muted = self.muted.iter().filter(|&&m| m != i).map(|&m| if m > i { m - 1 } else { m }).collect();
    }
    /// A copy right after the original (with its own random stream).
    pub fn duplicate(&mut self, i: usize) {
        let mut copy = self.components[i].clone();
        if copy.seed().is_some() {
            copy.set_seed(self.fresh_seed());
        }
        self.components.insert(i + 1, copy);
        let muted = self.is_muted(i);
        self.muted = self.muted.iter().map(|&m| if m > i { m + 1 } else { m }).collect();
        self.set_muted(i + 1, muted);
    }
    /// Swaps components `i` and `i + 1` (their mute state moves with them).
    pub fn swap_with_next(&mut self, i: usize) {
        if i + 1 >= self.components.len() {
            return;
        }
        self.components.swap(i, i + 1);
        let (a, b) = (self.is_muted(i), self.is_muted(i + 1));
        self.set_muted(i, b);
        self.set_muted(i + 1, a);
    }

    /// The first invalid field as `(component index, field, message)`.
    pub fn validate(&self) -> Result<(), (usize, &'static str, String)> {
        for (i, c) in self.components.iter().enumerate() {
            c.validate()
                .map_err(|(field, msg)| (i, field, format!("stimulus component {i} ({}): {field} {msg}", c.name())))?;
        }
        if let Some(&m) = self.muted.iter().find(|&&m| m >= self.components.len()) {
            return Err((m, "muted", format!("muted lists component {m}, but there are {}", self.components.len())));
        }
        Ok(())
    }

    /// The deterministic current at `t_ms` (continuous time; for plots). Noise counts with its
    /// mean and spike inputs with 0: the engine's [`Runner`] draws the random parts.
    pub fn value_at(&self, t_ms: f64) -> f64 {
        self.active()
            .map(|(_, c)| c)
            .filter(|c| {
                let (on, off) = c.window_ms();
                let inside = t_ms >= on && (t_ms < off || matches!(c, Component::Curve { .. }) && t_ms == off);
                let in_train = match c {
                    Component::PulseTrain { start_ms, period_ms, width_ms, .. } => {
                        (t_ms - start_ms).rem_euclid(*period_ms) < *width_ms
                    }
                    _ => true,
                };
                inside && in_train
            })
            .map(|c| c.shape_at(t_ms))
            .sum::<f64>()
            + 0.0 // an empty sum is -0.0; show 0
    }

    /// Whether any active component draws random numbers.
    pub fn is_random(&self) -> bool {
        self.active().any(|(_, c)| c.is_random())
    }

    /// When the main input is on: the window `(start, end)` of the step, pulse or ramp with the
    /// largest peak (the earliest of equals), clipped to `[0, run_ms]` (the whole run for DC or
    /// curves). A firing-pattern label is read within it.
    pub fn main_window(&self, run_ms: f64) -> (f64, f64) {
        let main = self
            .active()
            .map(|(_, c)| c)
            .filter(|c| !matches!(c, Component::Dc { .. } | Component::Curve { .. }))
            .fold(None, |best: Option<&Component>, c| match best {
                Some(b) if c.peak() <= b.peak() => Some(b),
                _ => Some(c),
            });
        match main.map(Component::window_ms) {
            Some((start, end)) => (start.max(0.0), end.min(run_ms)),
            None => (0.0, run_ms),
        }
    }

    /// Parses a stimulus file (RON); errors name the line and field.
    pub fn from_ron(text: &str, origin: &str) -> Result<Stimulus, crate::ron_file::PresetError> {
        let wrapped = crate::ron_file::parse_ron::<Stimulus>(text, origin)?;
        wrapped.validate().map_err(|(i, field, message)| crate::ron_file::PresetError {
            origin: origin.to_string(),
            line: crate::ron_file::locate_field(text, &format!("components.{i}.{field}")),
            field: Some(format!("components.{i}.{field}")),
            message,
        })?;
        Ok(wrapped)
    }

    pub fn to_ron(&self) -> String {
        crate::ron_file::write_ron(self)
    }
}

#[cfg(test)]
mod tests;
