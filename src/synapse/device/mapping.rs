//! From a learning rule's change to device pulses, and the two experiments that show a device:
//! its response to trains of pulses and the STDP window drawn through it.

use super::{Cells, Device};
use crate::param::ParamSpec;
use crate::random::{Rng, stream};
use crate::synapse::plasticity::StdpRule;
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// How a requested change becomes a whole number of pulses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    /// The nearest count: a request below half a pulse does nothing.
    Nearest,
    /// The floor, plus one more with the probability of the fraction left: right on average.
    Stochastic,
}

/// How the rule drives the devices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Mapping {
    /// The rule's change in its additive form becomes pulses, and the device's curve decides
    /// what they do.
    Pulses { rounding: Rounding },
    /// Querlioz et al. (2013): on a postsynaptic spike every input that arrived within `t_ltp_ms`
    /// before it gets one potentiating pulse, every other input one depressing pulse; nothing
    /// happens on an arrival.
    Querlioz { t_ltp_ms: f64 },
}

/// The Querlioz rule's window: positive, up to ten seconds.
pub const T_LTP: ParamSpec = ParamSpec::new(
    "t_ltp_ms",
    "T_LTP",
    "ms",
    (1e-3, 1e4),
    20.0,
    "An input that arrived this long or less before a postsynaptic spike is potentiated, any other depressed.",
);

/// A plastic projection whose weights devices hold, and how its rule drives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSynapse {
    pub device: Device,
    pub mapping: Mapping,
}

impl DeviceSynapse {
    /// The field (below the device synapse) and the reason of the first thing wrong.
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.device.validate().map_err(|(field, m)| (format!("device.{field}"), m))?;
        if let Mapping::Querlioz { t_ltp_ms } = self.mapping {
            T_LTP.check(t_ltp_ms).map_err(|m| ("mapping.t_ltp_ms".to_string(), m))?;
        }
        Ok(())
    }
}

/// Querlioz et al.'s rule for an input that last arrived `dt_ms` before a postsynaptic spike:
/// one potentiating pulse within `t_ltp_ms` (an arrival in the spike's own step counts), one
/// depressing pulse otherwise.
pub fn querlioz_pulses(dt_ms: f64, t_ltp_ms: f64) -> i64 {
    if (0.0..=t_ltp_ms).contains(&dt_ms) { 1 } else { -1 }
}

/// The signed number of pulses for a change of `request` pulse sizes.
pub fn pulse_count(request: f64, rounding: Rounding, rng: &mut Rng) -> i64 {
    let n = match rounding {
        Rounding::Nearest => request.round(),
        Rounding::Stochastic => {
            let floor = request.floor();
            floor + f64::from(rng.random::<f64>() < request - floor)
        }
    };
    n as i64
}

impl Mapping {
    /// Pulses for one pre-post pair `dt_ms` apart (`t_post - t_pre`) under `rule`, with one
    /// pulse worth `pulse_w` of weight.
    pub fn pair_pulses(&self, rule: &StdpRule, dt_ms: f64, pulse_w: f64, rng: &mut Rng) -> i64 {
        match *self {
            Mapping::Pulses { rounding } => pulse_count(rule.additive_window(dt_ms) / pulse_w, rounding, rng),
            Mapping::Querlioz { t_ltp_ms } => querlioz_pulses(dt_ms, t_ltp_ms),
        }
    }
}

impl Device {
    /// The weight one pulse is worth on average: the range of weights over the pulses that span it.
    pub fn pulse_weight(&self, w_max: f64) -> f64 {
        (self.weight(self.g_max_us, w_max) - self.weight(self.g_min_us, w_max)) / self.span_pulses()
    }
}

/// One row of a device's pulse response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PulseRow {
    pub cycle: u32,
    /// From 1 within its direction; 0 is the state before the cycle's first pulse.
    pub pulse: u32,
    pub up: bool,
    pub device: u32,
    pub g_us: f64,
    /// The weight it reads as, for `w_max = 1`.
    pub w: f64,
}

/// `devices` devices (each drawn with the device's d2d spread) from `G_min`, each taking
/// `cycles` cycles of `pulses` potentiating then `pulses` depressing pulses.
pub fn pulse_response(device: &Device, pulses: u32, cycles: u32, devices: u32, seed: u64) -> Vec<PulseRow> {
    let mut cells = Cells::new(device, devices as usize, seed);
    let mut rows = Vec::new();
    for d in 0..devices as usize {
        let mut row = |cells: &Cells, cycle, pulse, up| {
            let g_us = cells.conductance_us(d, 0.0);
            rows.push(PulseRow { cycle, pulse, up, device: d as u32, g_us, w: device.weight(g_us, 1.0) });
        };
        for cycle in 0..cycles {
            for up in [true, false] {
                if up && cycle == 0 {
                    row(&cells, 0, 0, true);
                }
                for pulse in 1..=pulses {
                    cells.pulse(d, up, 0.0);
                    row(&cells, cycle, pulse, up);
                }
            }
        }
    }
    rows
}

/// Where devices start for a window drawn through them, as fractions of their range.
pub const WINDOW_STARTS: [f64; 3] = [0.1, 0.5, 0.9];

/// The pairing intervals a window through a device is drawn at: -100 to 100 ms, every 1 ms.
pub fn window_dts() -> Vec<f64> {
    (-100..=100).map(f64::from).collect()
}

/// One point of the STDP window drawn through a device.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowPoint {
    pub dt_ms: f64,
    /// Where the devices started, as a fraction of their range.
    pub g0: f64,
    /// The weight change over `w_max`: mean and standard deviation over the trials.
    pub dw_mean: f64,
    pub dw_sd: f64,
}

/// The change one pre-post pair `dt` apart makes, through `trials` devices programmed to each
/// starting fraction in `g0s` (each trial a device of its own, d2d drawn).
pub fn window(
    device: &Device,
    rule: &StdpRule,
    mapping: Mapping,
    dts: &[f64],
    g0s: &[f64],
    trials: usize,
    seed: u64,
) -> Vec<WindowPoint> {
    let w_max = rule.w_max();
    let pulse_w = device.pulse_weight(w_max);
    let mut rounding = stream(seed, 0x20D);
    let mut points = Vec::new();
    for (k, &g0) in g0s.iter().enumerate() {
        let mut cells = Cells::new(device, trials, seed.wrapping_add(k as u64));
        for i in 0..trials {
            cells.program(i, cells.nominal_us(g0), 0.0);
        }
        let start: Vec<f64> = (0..trials).map(|i| device.weight(cells.conductance_us(i, 0.0), w_max)).collect();
        for &dt_ms in dts {
            let mut trial = cells.clone();
            let changes: Vec<f64> = (0..trials)
                .map(|i| {
                    trial.pulses(i, mapping.pair_pulses(rule, dt_ms, pulse_w, &mut rounding), 0.0);
                    (device.weight(trial.conductance_us(i, 0.0), w_max) - start[i]) / w_max
                })
                .collect();
            let mean = changes.iter().sum::<f64>() / trials as f64;
            let var = changes.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (trials.max(2) - 1) as f64;
            points.push(WindowPoint { dt_ms, g0, dw_mean: mean, dw_sd: var.sqrt() });
        }
    }
    points
}
