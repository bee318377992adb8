//! Memory devices as synapses: a weight stored as the conductance of a device with a limited
//! number of levels, updates that shrink as it saturates, or stochastic switches.
//!
//! A device is programmed by pulses, each moving its conductance `G` along its curve
//! ([`Curve`]); the synapse reads `w = k (G - G_ref)`, with `k` chosen so that `G_max` reads
//! as the plastic rule's `w_max` ([`Read`]). Variability ([`Variation`]) is drawn device by
//! device once (d2d) or pulse by pulse (c2c), each from a stream of its own, so switching one
//! on never changes another draw.

mod cells;
mod curve;
pub mod mapping;

pub use cells::{Cell, Cells};
pub use curve::{
    Binary, Curve, Linear, Measured, Nonlinearity, QuerliozExp, SaturatingExp, SttMtj, TwoPcm, a_of_label, label_of_a,
};
pub use mapping::{DeviceSynapse, Mapping, Rounding};

use crate::param::{Described, ParamSpec, described};
use serde::{Deserialize, Serialize};

/// One kind of memory device: its conductance range, how it is read, its curve and its
/// variability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// What it is (shown in the window and the figures).
    pub name: String,
    /// Where its numbers come from.
    #[serde(default)]
    pub source: String,
    /// Conductance of the fully depressed device (all devices OFF for a binary synapse), in µS.
    pub g_min_us: f64,
    /// Conductance of the fully potentiated device, in µS.
    pub g_max_us: f64,
    #[serde(default)]
    pub read: Read,
    pub curve: Curve,
    #[serde(default)]
    pub variation: Variation,
}

/// What conductance reads as a weight of zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Read {
    /// `G_ref = G_min` (a reference device subtracts the floor): weights span `[0, w_max]`.
    #[default]
    Differential,
    /// `G_ref = 0`: the ON/OFF ratio sets a floor `w_max G_min / G_max` below which no weight goes.
    Absolute,
}

/// Departures from the nominal device. d2d: drawn once per device; c2c: drawn per pulse.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Variation {
    pub d2d: f64,
    pub c2c: f64,
    pub asymmetry: f64,
    pub drift_nu: f64,
    pub drift_t0_s: f64,
    pub endurance: u32,
    pub read_noise: f64,
}

described!(default Variation {
    d2d: f64, "σ d2d" "" [0.0, 2.0] = 0.0,
        "Device-to-device: relative spread of each device's bounds and step size, drawn once per device (0.5 is Querlioz et al.'s 50 %).";
    c2c: f64, "σ c2c" "" [0.0, 2.0] = 0.0,
        "Cycle-to-cycle: relative noise on every pulse's change, ΔG (1 + σ ξ), as aihwkit (NeuroSim's 3.5 % is 0.035).";
    asymmetry: f64, "up/down" "" [-0.99, 0.99] = 0.0,
        "Up/down asymmetry: potentiating steps scaled by (1 + a), depressing ones by (1 - a).";
    drift_nu: f64, "ν" "" [0.0, 1.0] = 0.0,
        "Conductance drift exponent: G (t/t0)^-ν after programming (phase-change memory: 0.1).";
    drift_t0_s: f64, "t0" "s" [1e-6, 1e6] = 1.0,
        "Time after a pulse from which drift counts.";
    endurance: u32, "endurance" "pulses" [0, 4e9] = 0,
        "Pulses a device takes before it is stuck where it is (0: no limit). Counted per device (d2d).";
    read_noise: f64, "σ read" "" [0.0, 1.0] = 0.0,
        "Relative noise of every read of the conductance, G (1 + σ ξ), per read.";
});

/// Tooltip of the conductance bounds.
pub const G_MIN: ParamSpec = ParamSpec::new(
    "g_min_us",
    "G_min",
    "µS",
    (0.0, 1e6),
    0.0,
    "Conductance of the fully depressed device (a binary synapse: all its devices OFF).",
);
pub const G_MAX: ParamSpec = ParamSpec::new(
    "g_max_us",
    "G_max",
    "µS",
    (1e-9, 1e6),
    1.0,
    "Conductance of the fully potentiated device (a binary synapse: all its devices ON).",
);

impl Device {
    /// The field and the reason of the first thing wrong.
    pub fn validate(&self) -> Result<(), (String, String)> {
        G_MIN.check(self.g_min_us).map_err(|m| ("g_min_us".to_string(), m))?;
        G_MAX.check(self.g_max_us).map_err(|m| ("g_max_us".to_string(), m))?;
        if self.g_min_us >= self.g_max_us {
            return Err((
                "g_min_us".into(),
                format!("G_min = {} µS must lie below G_max = {} µS", self.g_min_us, self.g_max_us),
            ));
        }
        self.variation.check_ranges().map_err(|(key, m)| (format!("variation.{key}"), m))?;
        self.curve.validate().map_err(|(key, m)| (format!("curve.{key}"), m))?;
        let v = &self.variation;
        if self.curve.binary().is_some() && (v.c2c > 0.0 || v.drift_nu > 0.0) {
            let field = if v.c2c > 0.0 { "variation.c2c" } else { "variation.drift_nu" };
            return Err((
                field.into(),
                "a binary device has two states: its randomness is its switching probability, and it does not drift"
                    .into(),
            ));
        }
        Ok(())
    }

    /// `G_ref` of the read.
    pub fn g_ref_us(&self) -> f64 {
        match self.read {
            Read::Differential => self.g_min_us,
            Read::Absolute => 0.0,
        }
    }

    /// The weight a conductance reads as, for a rule whose bound is `w_max` (`G_max` reads as
    /// `w_max`), never below zero.
    pub fn weight(&self, g_us: f64, w_max: f64) -> f64 {
        (w_max * (g_us - self.g_ref_us()) / (self.g_max_us - self.g_ref_us())).max(0.0)
    }

    /// The conductance that reads as `w` (the inverse of [`Device::weight`] within the range).
    pub fn conductance_of(&self, w: f64, w_max: f64) -> f64 {
        self.g_ref_us() + (w / w_max) * (self.g_max_us - self.g_ref_us())
    }

    /// `G_max / G_min`, infinite for a zero floor.
    pub fn on_off_ratio(&self) -> f64 {
        self.g_max_us / self.g_min_us
    }

    /// The pulses that take the nominal device from `G_min` to `G_max` (levels - 1 for a device
    /// with levels); the size of one pulse, on average, is the range over this.
    pub fn span_pulses(&self) -> f64 {
        self.curve.span_pulses(self)
    }

    /// Potentiating pulses, one at a time, that take the nominal device (no variation) from
    /// G_min to within 1e-9 of its range of G_max, counted on the engine's own cells; `None` for
    /// binary devices, which switch by chance, and for a device that stops short of G_max.
    pub fn pulses_to_saturate(&self) -> Option<u64> {
        let limit = (10.0 * self.span_pulses()).clamp(1e3, 1e8) as usize;
        self.states_up(limit).map(|states| states.len() as u64 - 1)
    }

    /// The weights (fractions of w_max) of the nominal device's states, from G_min up: the
    /// states potentiating pulses visit one at a time (their mirror images going down differ
    /// for a nonlinear device), or a binary synapse's M + 1; `None` beyond `most` states or for
    /// a 2-PCM synapse, whose two devices make a plane of states.
    pub fn level_weights(&self, most: usize) -> Option<Vec<f64>> {
        let states = match (&self.curve, self.curve.binary()) {
            (Curve::TwoPcm(_), _) => return None,
            (_, Some((m, _, _))) => {
                (0..=m).map(|k| self.g_min_us + k as f64 / m as f64 * (self.g_max_us - self.g_min_us)).collect()
            }
            _ => self.states_up(most)?,
        };
        (states.len() <= most).then(|| states.iter().map(|&g| self.weight(g, 1.0)).collect())
    }

    /// The conductances single potentiating pulses take the nominal device through, from G_min
    /// to G_max; `None` for a binary device or when `limit` pulses do not reach G_max.
    fn states_up(&self, limit: usize) -> Option<Vec<f64>> {
        if self.curve.binary().is_some() {
            return None;
        }
        let nominal = Device { variation: Variation::default(), ..self.clone() };
        let mut cells = Cells::new(&nominal, 1, 0);
        cells.set(0, self.g_min_us);
        let top = self.g_max_us - 1e-9 * (self.g_max_us - self.g_min_us);
        let mut states = vec![cells.conductance_us(0, 0.0)];
        while states.len() <= limit {
            cells.pulse(0, true, 0.0);
            states.push(cells.conductance_us(0, 0.0));
            if states[states.len() - 1] >= top {
                return Some(states);
            }
        }
        None
    }

    /// The bytes a synapse's device takes as the engine keeps it: its state, and when devices
    /// vary its own draw (and a binary synapse's devices' switching scales).
    pub fn bytes_per_synapse(&self) -> f64 {
        let own = if self.variation.d2d > 0.0 {
            let m = self.curve.binary().map_or(0, |(m, _, _)| m as usize);
            std::mem::size_of::<cells::Draw>() + m * std::mem::size_of::<[f64; 2]>()
        } else {
            0
        };
        (std::mem::size_of::<Cell>() + own) as f64
    }

    /// The numbers a device is known by: the pulses across its range, its nonlinearity, its
    /// binary devices, its ON/OFF ratio.
    pub fn readout(&self) -> String {
        let mut text = format!("{:.0} pulses span the range", self.span_pulses());
        if let Curve::SaturatingExp(c) = &self.curve {
            let nl = |n: Nonlinearity| format!("NL {:.2} (A/P_max {:.4})", label_of_a(n.a()), n.a());
            text += &format!(" · up {} · down {}", nl(c.up), nl(c.down));
        }
        if let Some((m, p_set, p_reset)) = self.curve.binary() {
            text += &format!(" · {m} binary devices, p+ {p_set:.3e}, p- {p_reset:.3e}");
        }
        text + &format!(" · ON/OFF {:.3}", self.on_off_ratio())
    }

    /// The nominal device's change of conductance (µS) from the fraction `x` of its range by
    /// one pulse, potentiating if `up` (a binary synapse: the mean change, the nearest count of
    /// its devices ON at `x`): the step map.
    pub fn step_us(&self, x: f64, up: bool) -> f64 {
        let nominal = Device { variation: Variation::default(), ..self.clone() };
        let range = self.g_max_us - self.g_min_us;
        if let Some((m, p_set, p_reset)) = nominal.curve.resolved().binary() {
            let on = (x * m as f64).round() / m as f64;
            return if up { (1.0 - on) * p_set * range } else { -on * p_reset * range };
        }
        let mut cells = Cells::new(&nominal, 1, 0);
        cells.set(0, cells.nominal_us(x));
        let before = cells.conductance_us(0, 0.0);
        cells.pulse(0, up, 0.0);
        cells.conductance_us(0, 0.0) - before
    }

    /// Reads a device file (RON); an error names the file, the line and the field.
    pub fn from_ron(text: &str, origin: &str) -> Result<Device, crate::ron_file::PresetError> {
        let device: Device = crate::ron_file::parse_ron(text, origin)?;
        device.validate().map_err(|(field, message)| crate::ron_file::PresetError {
            origin: origin.to_string(),
            line: crate::ron_file::locate_field(text, &field),
            field: Some(field),
            message,
        })?;
        Ok(device)
    }

    /// A device from a measured curve, `g_us,dg_up_us,dg_down_us` rows ([`Measured::from_csv`]):
    /// its range from the first to the last row's G, read differentially, without variation
    /// (add it with `--set` or in the file written from it). `origin` names the device.
    pub fn from_measured_csv(text: &str, origin: &str) -> Result<Device, crate::ron_file::PresetError> {
        let error = |line: Option<usize>, message: String| crate::ron_file::PresetError {
            origin: origin.to_string(),
            line,
            field: None,
            message,
        };
        let measured = Measured::from_csv(text).map_err(|(line, m)| error((line > 0).then_some(line), m))?;
        let (first, last) = (measured.points[0][0], measured.points[measured.points.len() - 1][0]);
        let name = std::path::Path::new(origin).file_stem().map_or(origin.into(), |s| s.to_string_lossy().into_owned());
        let device = Device {
            name,
            source: format!("measured steps read from {origin}"),
            g_min_us: first,
            g_max_us: last,
            read: Read::Differential,
            curve: Curve::Measured(measured),
            variation: Variation::default(),
        };
        device.validate().map_err(|(field, m)| error(None, format!("{field}: {m}")))?;
        Ok(device)
    }

    pub fn to_ron(&self) -> String {
        crate::ron_file::write_ron(self)
    }

    /// Sets a field by its dotted path (`variation.c2c`, `curve.levels`, `g_max_us`), as
    /// `--set` gives it; the result is validated.
    pub fn set_path(&mut self, path: &str, value: &str) -> Result<(), String> {
        let device = crate::dotted::with_path(self, "the device", path, value)?;
        device.validate().map_err(|(field, m)| format!("--set {path}={value}: field `{field}`: {m}"))?;
        *self = device;
        Ok(())
    }
}

/// How many of a device's `levels` (weights, ascending) hold at least one of `weights`, each
/// weight counted at its nearest level; `None` without levels or weights.
pub fn occupied(levels: &[f64], weights: &[f32]) -> Option<usize> {
    if levels.is_empty() || weights.is_empty() {
        return None;
    }
    let mut held = vec![false; levels.len()];
    for &w in weights {
        let k = levels.partition_point(|&l| l < w as f64);
        let nearest = match k {
            0 => 0,
            k if k == levels.len() => k - 1,
            k if (levels[k] - w as f64) < (w as f64 - levels[k - 1]) => k,
            k => k - 1,
        };
        held[nearest] = true;
    }
    Some(held.iter().filter(|&&h| h).count())
}

#[cfg(test)]
mod tests;
