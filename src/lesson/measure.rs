//! What a lesson measures on a preset: numbers (a rheobase, a rate, a parameter) and labels (a
//! firing pattern, a network's state, a fixed point's stability), each computed by the
//! project's own analyses, so a key always follows the model it is asked about.

use serde::{Deserialize, Serialize};

use crate::analysis::{self, phase_plane, regime};
use crate::engine::{Observer, Simulation};
use crate::network::Spike;
use crate::preset::Preset;
use crate::stimulus::{Component, Stimulus};
use crate::synapse::device;

/// A number measured on a preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Measure {
    /// A value of the preset, by its `--set` path (`neuron.g_l_ns`).
    Param(String),
    /// Arithmetic (`+ - * /`, parentheses) over numbers and `{path}` values of the preset: a
    /// textbook formula evaluated on the parameters the step has now.
    Formula(String),
    /// The smallest DC from rest that fires `min_spikes` within `duration_ms` (bisection in
    /// `[lo, hi]`).
    Rheobase {
        lo: f64,
        hi: f64,
        #[serde(default = "default_duration")]
        duration_ms: f64,
        #[serde(default = "one")]
        min_spikes: usize,
    },
    /// The smallest amplitude of one square pulse of `width_ms` (at 10 ms) that fires a spike.
    PulseThreshold { width_ms: f64, lo: f64, hi: f64 },
    /// The shortest interval between two pulses (`amplitude`, `width_ms`) after which the second
    /// still fires a spike: the refractory period, by bisection in `[lo_ms, hi_ms]`.
    Refractory { amplitude: f64, width_ms: f64, lo_ms: f64, hi_ms: f64 },
    /// Spikes of the bench neuron in the preset's own run.
    SpikeCount,
    /// The steady rate (Hz, 1000 / mean ISI) under DC `current`.
    RateAt {
        current: f64,
        #[serde(default = "default_duration")]
        duration_ms: f64,
    },
    /// The rate just above the rheobase (onset frequency, Hz): type I starts near 0, type II
    /// at a finite rate.
    OnsetRate {
        lo: f64,
        hi: f64,
        #[serde(default = "default_duration")]
        duration_ms: f64,
    },
    /// Mean rate (Hz) in the preset's own run from `from_ms` on: the bench neuron, or a
    /// network's neurons (one population by name, or every neuron that is not a source).
    Rate {
        #[serde(default)]
        population: Option<String>,
        #[serde(default)]
        from_ms: f64,
    },
    /// Coefficient of variation of the inter-spike intervals in the preset's own run (for a
    /// network, the mean over its neurons).
    Cv {
        #[serde(default)]
        population: Option<String>,
        #[serde(default)]
        from_ms: f64,
    },
    /// The time (ms) V takes to cover 1 - 1/e of its way to a new steady state after the onset
    /// of the preset's step or pulse: the membrane time constant for a passive response.
    TimeConstant,
    /// Half the peak-to-peak swing of V (mV) from `from_ms` to the end of the preset's run:
    /// the amplitude of a sinusoidal response.
    Swing { from_ms: f64 },
    /// The frequency (Hz) at which V deviates most from where it stood at the onset of the
    /// preset's chirp: where the membrane's response to the sweep peaks (near the sweep's start
    /// for a low-pass membrane, in its middle for a resonator).
    Resonance,
    /// The adaptation index of the preset's response (pattern analysis).
    Adaptation,
    /// The current at which the lowest fixed point of a two-variable model stops being stable
    /// (bisection in `[lo, hi]`).
    StabilityLoss { lo: f64, hi: f64 },
    /// The weight change (pA) of the preset's plasticity rule for one pairing at `dt_ms`
    /// (post minus pre), measured by the STDP protocol.
    StdpChange { dt_ms: f64 },
    /// Potentiating pulses, one at a time, that take the preset's memory device (nominal: no
    /// variation) from G_min to G_max.
    DevicePulses,
    /// The weight change (a fraction of w_max) of one pairing at `dt_ms` through the preset's
    /// devices from `g0_fraction` of their range, the mean over 2000 synapses.
    DeviceChange { dt_ms: f64, g0_fraction: f64 },
    /// The preset's learning task trained and tested from its seed: the test accuracy (0 to 1).
    TestAccuracy,
}

/// A word measured on a preset (a choice's key, a behaviour's goal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Label {
    /// The firing-pattern label of the preset's response (`tonic`, `regular bursting`, ...).
    Pattern,
    /// "no spike", "one spike" or "repetitive" in the preset's run.
    Spikes,
    /// The network's state in Brunel's terms (`AI`, `SR`, `SI fast`, `SI slow`, `quiescent`),
    /// measured from `from_ms`.
    Regime {
        #[serde(default)]
        from_ms: f64,
    },
    /// The stability of the lowest fixed point under DC `current` (`stable focus`, ...).
    Stability { current: f64 },
    /// "type I" when the f-I curve starts below `onset_hz`, else "type II".
    Class { lo: f64, hi: f64, onset_hz: f64 },
    /// `of` measured on the preset with the `set` changes: a prediction about a setup the
    /// student has not run yet.
    With { set: Vec<String>, of: Box<Label> },
    /// "higher", "lower" or "unchanged" (within 2 %): `measure` with the `set` assignments
    /// against the preset as it is (a prediction's key).
    Change { measure: Measure, set: Vec<String> },
}

fn default_duration() -> f64 {
    500.0
}
fn one() -> usize {
    1
}

/// Bisection precision, relative to the bracket.
const PRECISION: f64 = 1e-4;

/// The measures of one cell refuse a network.
fn single(preset: &Preset) -> Result<(), String> {
    match preset.network {
        Some(_) => Err("this measure is of a single neuron, and the step opens a network".into()),
        None => Ok(()),
    }
}

/// The spike times of the bench neuron in the preset's own run.
fn bench_times(preset: &Preset) -> Result<Vec<f64>, String> {
    single(preset)?;
    analysis::spike_times_with(preset, preset.stimulus.clone(), preset.run.duration_ms)
}

/// The bench neuron's spike times with `stimulus` instead of its own, for `duration_ms`.
fn times_with(preset: &Preset, stimulus: Vec<Component>, duration_ms: f64) -> Result<Vec<f64>, String> {
    single(preset)?;
    analysis::spike_times_with(preset, Stimulus::of(stimulus), duration_ms)
}

/// The smallest value in `[lo, hi]` for which `fires` holds (assumed monotone), or an error
/// naming the bracket when it holds at neither or both ends.
fn threshold(lo: f64, hi: f64, what: &str, fires: impl Fn(f64) -> Result<bool, String>) -> Result<f64, String> {
    if fires(lo)? {
        return Err(format!("{what}: already at {lo}; the bracket must start below it"));
    }
    if !fires(hi)? {
        return Err(format!("{what}: not even at {hi}; the bracket must reach above it"));
    }
    analysis::bisect((lo, hi), PRECISION * (hi - lo), fires)
}

/// Network measures over `from_ms..` of the preset's run for one population or all neurons.
fn network_measures(preset: &Preset, population: Option<&str>, from_ms: f64) -> Result<regime::Measures, String> {
    let spec = preset.network.as_ref().ok_or("this measure is of a network, and the step opens a single neuron")?;
    let wanted = match population {
        Some(name) => Some(
            spec.populations
                .iter()
                .position(|p| p.name == name)
                .ok_or_else(|| format!("no population named `{name}`"))?,
        ),
        None => None,
    };
    let mut sim = Simulation::from_preset(preset, preset.run.seed)?;
    let net = sim.net();
    let measured = |g: usize| if let Some(p) = wanted { net.locate(g).0 == p } else { !net.is_source(g) };
    let mut activity = regime::Activity::new(sim.n_neurons(), measured, from_ms, preset.run.duration_ms);
    let steps = (preset.run.duration_ms / preset.run.dt_ms).round() as u64;
    sim.step(steps, &mut activity).map_err(|f| f.to_string())?;
    Ok(activity.measures())
}

/// The rule of the preset's first plastic projection.
fn plastic_rule(preset: &Preset) -> Result<crate::synapse::plasticity::StdpRule, String> {
    let network = preset.network.as_ref();
    let rule = network.and_then(|n| n.projections.iter().find_map(|p| p.plasticity));
    rule.ok_or_else(|| "the step's preset has no plastic projection".into())
}

impl Measure {
    /// The unit the measure comes in (for a step that states none).
    pub fn evaluate(&self, preset: &Preset) -> Result<f64, String> {
        match self {
            Measure::Param(path) => param(preset, path),
            Measure::Formula(text) => formula(text, &|path| param(preset, path)),
            &Measure::Rheobase { lo, hi, duration_ms, min_spikes } => threshold(lo, hi, "the cell fires", |i| {
                Ok(analysis::spike_times_at(preset, i, duration_ms)?.len() >= min_spikes)
            }),
            &Measure::PulseThreshold { width_ms, lo, hi } => threshold(lo, hi, "a pulse fires", |a| {
                let pulse = Component::Pulse { start_ms: 10.0, duration_ms: width_ms, amplitude: a };
                Ok(!times_with(preset, vec![pulse], 60.0 + width_ms)?.is_empty())
            }),
            &Measure::Refractory { amplitude, width_ms, lo_ms, hi_ms } => {
                let pulse = |start_ms| Component::Pulse { start_ms, duration_ms: width_ms, amplitude };
                if times_with(preset, vec![pulse(10.0)], 60.0)?.len() != 1 {
                    return Err(format!("one pulse of {amplitude} for {width_ms} ms must fire exactly one spike"));
                }
                // The second pulse fires once the interval exceeds the refractory period.
                threshold(lo_ms, hi_ms, "the second pulse fires", |gap| {
                    Ok(times_with(preset, vec![pulse(10.0), pulse(10.0 + gap)], 60.0 + gap)?.len() >= 2)
                })
            }
            Measure::SpikeCount => Ok(bench_times(preset)?.len() as f64),
            &Measure::RateAt { current, duration_ms } => {
                Ok(analysis::steady_rate_hz(&analysis::spike_times_at(preset, current, duration_ms)?))
            }
            &Measure::OnsetRate { lo, hi, duration_ms } => {
                let rheobase = Measure::Rheobase { lo, hi, duration_ms, min_spikes: 3 }.evaluate(preset)?;
                Ok(analysis::steady_rate_hz(&analysis::spike_times_at(preset, rheobase, duration_ms)?))
            }
            Measure::Rate { population, from_ms } => match preset.network {
                Some(_) => Ok(network_measures(preset, population.as_deref(), *from_ms)?.rate_hz),
                None => {
                    let n = bench_times(preset)?.iter().filter(|&&t| t >= *from_ms).count();
                    Ok(1000.0 * n as f64 / (preset.run.duration_ms - from_ms))
                }
            },
            Measure::Cv { population, from_ms } => match preset.network {
                Some(_) => network_measures(preset, population.as_deref(), *from_ms)?
                    .cv_isi
                    .ok_or_else(|| "no neuron fired 4 spikes".to_string()),
                None => {
                    let times: Vec<f64> = bench_times(preset)?.into_iter().filter(|&t| t >= *from_ms).collect();
                    analysis::activity::cv(&analysis::isis(&times)).ok_or_else(|| "fewer than 3 intervals".into())
                }
            },
            Measure::TimeConstant => time_constant(preset),
            &Measure::Swing { from_ms } => {
                let v: Vec<f64> = trace(preset, preset.run.duration_ms)?
                    .into_iter()
                    .filter(|s| s.0 >= from_ms)
                    .map(|s| s.1)
                    .collect();
                let (lo, hi) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
                if v.is_empty() { Err("no samples after from_ms".into()) } else { Ok(0.5 * (hi - lo)) }
            }
            Measure::Resonance => resonance(preset),
            Measure::Adaptation => {
                let (start, end) = preset.stimulus.main_window(preset.run.duration_ms);
                analysis::classify(&bench_times(preset)?, start, end)
                    .adaptation_index
                    .ok_or_else(|| "fewer than 3 spikes: no adaptation index".into())
            }
            &Measure::StabilityLoss { lo, hi } => {
                threshold(lo, hi, "the rest state is unstable", |i| Ok(!rest_stability(preset, i)?.is_stable()))
            }
            &Measure::StdpChange { dt_ms } => {
                let window = analysis::stdp::measured_window(plastic_rule(preset)?, &[dt_ms])?;
                Ok(window[0][1])
            }
            Measure::DevicePulses => {
                let device = preset.device().ok_or("the step's preset has no memory device")?;
                device.pulses_to_saturate().map(|n| n as f64).ok_or_else(|| {
                    format!("{} switches by chance or never reaches G_max: no pulse count saturates it", device.name)
                })
            }
            &Measure::DeviceChange { dt_ms, g0_fraction } => {
                let synapse = preset.device_synapse().ok_or("the step's preset has no memory device")?;
                let (rule, seed) = (plastic_rule(preset)?, preset.run.seed);
                let window = device::mapping::window(
                    &synapse.device,
                    &rule,
                    synapse.mapping,
                    &[dt_ms],
                    &[g0_fraction],
                    2000,
                    seed,
                );
                Ok(window[0].dw_mean)
            }
            Measure::TestAccuracy => crate::learning::test_accuracy(preset),
        }
    }
}

impl Label {
    pub fn evaluate(&self, preset: &Preset) -> Result<String, String> {
        match self {
            Label::Pattern => {
                let (start, end) = preset.stimulus.main_window(preset.run.duration_ms);
                Ok(analysis::classify(&bench_times(preset)?, start, end).label())
            }
            Label::Spikes => Ok(match bench_times(preset)?.len() {
                0 => "no spike",
                1 => "one spike",
                _ => "repetitive",
            }
            .into()),
            &Label::Regime { from_ms } => {
                Ok(regime::classify(&network_measures(preset, None, from_ms)?).label().to_string())
            }
            &Label::Stability { current } => Ok(rest_stability(preset, current)?.name().to_string()),
            &Label::Class { lo, hi, onset_hz } => {
                let onset = Measure::OnsetRate { lo, hi, duration_ms: 1000.0 }.evaluate(preset)?;
                Ok(if onset < onset_hz { "type I" } else { "type II" }.into())
            }
            Label::With { set, of } => {
                let mut changed = preset.clone();
                super::apply(&mut changed, set)?;
                of.evaluate(&changed)
            }
            Label::Change { measure, set } => {
                let before = measure.evaluate(preset)?;
                let mut changed = preset.clone();
                super::apply(&mut changed, set)?;
                let after = measure.evaluate(&changed)?;
                Ok(if (after - before).abs() <= 0.02 * before.abs().max(after.abs()) {
                    "unchanged"
                } else if after > before {
                    "higher"
                } else {
                    "lower"
                }
                .into())
            }
        }
    }
}

/// A number of the preset by its `--set` path.
fn param(preset: &Preset, path: &str) -> Result<f64, String> {
    preset.check_path(path)?;
    preset
        .numbers_under(path)
        .into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, v)| v)
        .ok_or_else(|| format!("`{path}` is not a number"))
}

/// The stability of the lowest fixed point of a two-variable model under DC `current`.
fn rest_stability(preset: &Preset, current: f64) -> Result<phase_plane::Stability, String> {
    let model = &preset.neuron;
    let plane = phase_plane::plane(model).ok_or("the model has no phase plane (one variable)")?;
    let y = phase_plane::y_range_for(model, current, plane.x_range, &[]);
    phase_plane::fixed_points(model, current, plane.x_range, y)
        .into_iter()
        .min_by(|a, b| a.x.total_cmp(&b.x))
        .map(|p| p.stability)
        .ok_or_else(|| format!("no fixed point at I = {current}"))
}

/// `(t, V)` of the bench neuron at every step of the preset's run up to `until_ms`.
fn trace(preset: &Preset, until_ms: f64) -> Result<Vec<(f64, f64)>, String> {
    struct Trace(Vec<(f64, f64)>);
    impl Observer for Trace {
        fn spike(&mut self, _: Spike) {}
        fn sample(&mut self, t: f64, values: &[f64]) {
            self.0.push((t, values[0]));
        }
    }
    single(preset)?;
    let mut p = preset.clone();
    p.run.record_every = 1;
    let mut sim = Simulation::from_preset(&p, p.run.seed)?;
    let mut trace = Trace(Vec::new());
    sim.step((until_ms / p.run.dt_ms).round() as u64, &mut trace).map_err(|f| f.to_string())?;
    Ok(trace.0)
}

/// 1 - 1/e of the way from V at the onset of the preset's main step to where V settles.
fn time_constant(preset: &Preset) -> Result<f64, String> {
    let (onset, end) = preset.stimulus.main_window(preset.run.duration_ms);
    let trace = trace(preset, end)?;
    let before = trace.iter().rev().find(|s| s.0 <= onset).ok_or("no sample before the step")?.1;
    let settled = trace.last().ok_or("no samples")?.1;
    let target = before + (settled - before) * (1.0 - (-1.0f64).exp());
    let crossing = trace.windows(2).find(|w| w[0].0 >= onset && (w[0].1 - target) * (w[1].1 - target) <= 0.0);
    let w = crossing.ok_or("V does not settle within the step")?;
    // Linear interpolation between the two samples around the crossing.
    let f = if w[1].1 == w[0].1 { 0.0 } else { (target - w[0].1) / (w[1].1 - w[0].1) };
    Ok(w[0].0 + f * (w[1].0 - w[0].0) - onset)
}

/// The chirp's instantaneous frequency where V strays furthest from its value at the onset.
fn resonance(preset: &Preset) -> Result<f64, String> {
    let (start, duration, f0, f1) = preset
        .stimulus
        .active()
        .find_map(|(_, c)| match *c {
            Component::Chirp { start_ms, duration_ms, f0_hz, f1_hz, .. } => Some((start_ms, duration_ms, f0_hz, f1_hz)),
            _ => None,
        })
        .ok_or("the step's stimulus has no chirp")?;
    let trace = trace(preset, start + duration)?;
    let rest = trace.iter().rev().find(|s| s.0 <= start).ok_or("no sample before the chirp")?.1;
    let peak = trace
        .iter()
        .filter(|s| s.0 >= start)
        .max_by(|a, b| (a.1 - rest).abs().total_cmp(&(b.1 - rest).abs()))
        .ok_or("no samples in the chirp")?;
    Ok(f0 + (f1 - f0) * (peak.0 - start) / duration)
}

/// Evaluates `+ - * /` with parentheses over numbers and `{path}` values.
pub fn formula(text: &str, value_of: &dyn Fn(&str) -> Result<f64, String>) -> Result<f64, String> {
    struct Parser<'a> {
        rest: &'a str,
        value_of: &'a dyn Fn(&str) -> Result<f64, String>,
    }
    impl Parser<'_> {
        fn peek(&mut self) -> Option<char> {
            self.rest = self.rest.trim_start();
            self.rest.chars().next()
        }
        fn eat(&mut self, c: char) -> bool {
            let hit = self.peek() == Some(c);
            if hit {
                self.rest = &self.rest[1..];
            }
            hit
        }
        fn sum(&mut self) -> Result<f64, String> {
            let mut v = self.product()?;
            loop {
                if self.eat('+') {
                    v += self.product()?;
                } else if self.eat('-') {
                    v -= self.product()?;
                } else {
                    return Ok(v);
                }
            }
        }
        fn product(&mut self) -> Result<f64, String> {
            let mut v = self.atom()?;
            loop {
                if self.eat('*') {
                    v *= self.atom()?;
                } else if self.eat('/') {
                    v /= self.atom()?;
                } else {
                    return Ok(v);
                }
            }
        }
        fn atom(&mut self) -> Result<f64, String> {
            if self.eat('-') {
                return Ok(-self.atom()?);
            }
            if self.eat('(') {
                let v = self.sum()?;
                return if self.eat(')') { Ok(v) } else { Err("a `(` is not closed".into()) };
            }
            if self.eat('{') {
                let end = self.rest.find('}').ok_or("a `{` is not closed")?;
                let path = &self.rest[..end];
                self.rest = &self.rest[end + 1..];
                return (self.value_of)(path.trim());
            }
            let end =
                self.rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e')).unwrap_or(self.rest.len());
            let number = &self.rest[..end];
            self.rest = &self.rest[end..];
            number.parse().map_err(|_| format!("expected a number, `(` or `{{path}}` at `{number}{}`", self.rest))
        }
    }
    let mut parser = Parser { rest: text, value_of };
    let v = parser.sum()?;
    match parser.peek() {
        None => Ok(v),
        Some(_) => Err(format!("unexpected `{}`", parser.rest)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_follow_precedence_and_read_paths() {
        let values = |p: &str| if p == "x" { Ok(4.0) } else { Err(format!("no {p}")) };
        assert_eq!(formula("1 + 2 * 3", &values).unwrap(), 7.0);
        assert_eq!(formula("(1 + 2) * {x} / 2", &values).unwrap(), 6.0);
        assert_eq!(formula("-{x} - -1", &values).unwrap(), -3.0);
        assert!(formula("1 +", &values).is_err());
        assert!(formula("{y}", &values).unwrap_err().contains("no y"));
        assert!(formula("2 3", &values).is_err());
    }
}
