//! The devices' curves: what one pulse does to the conductance, in the fraction `x` of the
//! range `[G_min, G_max]` (a linear device counts levels instead, so it stays exactly on them).

use super::Device;
use crate::param::{Described, ParamSpec, described};
use serde::{Deserialize, Serialize};

/// How a pulse moves the conductance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Curve {
    /// Evenly spaced levels, hard bounds (aihwkit's constant step).
    Linear(Linear),
    /// NeuroSim's `G(P) = B (1 - e^(-P/A)) + G_min`, depression mirrored, each direction with
    /// its own A (Chen et al. 2018, MLP_NeuroSim V3.0).
    SaturatingExp(SaturatingExp),
    /// The cumulative exponential of Querlioz et al. (IJCNN 2011, N2D2's behavioural memristor):
    /// `Δx+ = a+ e^(b+ x)`, `Δx- = a- e^(b- (1 - x))`.
    QuerliozExp(QuerliozExp),
    /// Two SET-only phase-change devices, one for each direction (Bichler et al. 2012).
    TwoPcm(TwoPcm),
    /// M binary devices per synapse, each switching with a probability (CBRAM, Suri et al. 2012).
    StochasticBinary(Binary),
    /// M spin-transfer-torque junctions, switching with the thermal probability of the pulse
    /// (Vincent et al. 2015).
    SttMtj(SttMtj),
    /// ΔG up and down as functions of G, from measurements.
    Measured(Measured),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    pub levels: u32,
}
described!(default Linear {
    levels: u32, "levels" "" [2, 1e6] = 64, "Distinct conductances from G_min to G_max; a pulse moves one level.";
});

/// A saturating curve's nonlinearity: NeuroSim's label, or `A` itself as a fraction of the
/// pulses that span the range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Nonlinearity {
    /// NeuroSim's nonlinearity label (0: linear); NeuroSim writes depression's with a minus
    /// sign, and only its size counts.
    Label(f64),
    /// `A / P_max`: smaller is more nonlinear.
    A(f64),
}

pub const NL_LABEL: ParamSpec = ParamSpec::new(
    "Label",
    "NL",
    "",
    (-9.0, 9.0),
    1.0,
    "NeuroSim's nonlinearity label: 0 is linear, larger saturates sooner (Ag:a-Si: 2.40 up, -4.88 down).",
);
pub const NL_A: ParamSpec =
    ParamSpec::new("A", "A/P_max", "", (1e-3, 1e9), 1.0, "NeuroSim's A over the pulses that span the range.");

impl Nonlinearity {
    /// `A / P_max`, infinite for a linear curve.
    pub fn a(self) -> f64 {
        match self {
            Nonlinearity::Label(nl) => a_of_label(nl.abs()),
            Nonlinearity::A(a) => a,
        }
    }
    fn check(self) -> Result<(), String> {
        match self {
            Nonlinearity::Label(nl) => NL_LABEL.check(nl),
            Nonlinearity::A(a) => NL_A.check(a),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaturatingExp {
    pub levels: u32,
    pub up: Nonlinearity,
    pub down: Nonlinearity,
}
described!(SaturatingExp {
    levels: u32, "states" "" [2, 1e6] = 97, "Conductance states: P_max = states - 1 pulses span the range.";
});

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerliozExp {
    pub a_plus: f64,
    pub b_plus: f64,
    pub a_minus: f64,
    pub b_minus: f64,
}
described!(default QuerliozExp {
    a_plus: f64, "α+" "x range" [1e-9, 1.0] = 0.0017, "Potentiating step at the bottom of the range.";
    b_plus: f64, "β+" "" [-20.0, 20.0] = -3.0, "How the potentiating step changes along the range: e^(β+ x) (negative: it shrinks).";
    a_minus: f64, "α-" "x range" [1e-9, 1.0] = 0.0007, "Depressing step at the top of the range.";
    b_minus: f64, "β-" "" [-20.0, 20.0] = 0.0, "How the depressing step changes along the range: e^(β- (1 - x)).";
});

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoPcm {
    pub a_set: f64,
    pub b_set: f64,
    pub beta: f64,
    pub refresh_every: u32,
}
described!(default TwoPcm {
    a_set: f64, "α" "x range" [1e-9, 1.0] = 0.0017, "A SET pulse's step at the bottom of a device's range.";
    b_set: f64, "β_SET" "" [-20.0, 20.0] = -3.0, "How the SET step changes along the range: e^(β x).";
    beta: f64, "β" "" [0.1, 10.0] = 2.0, "Gain of the potentiating device in the read, w ~ β G+ - G-.";
    refresh_every: u32, "refresh" "pulses" [0, 1e9] = 0,
        "Both devices are reset and the weight programmed again when one saturates, and also after this many pulses (0: only at saturation).";
});

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binary {
    pub devices: u32,
    pub p_set: f64,
    pub p_reset: f64,
}
described!(default Binary {
    devices: u32, "M" "" [1, 64] = 64, "Binary devices per synapse; the weight is the fraction ON.";
    p_set: f64, "p+" "" [0.0, 1.0] = 0.001686, "Probability that an OFF device switches ON on a potentiating pulse.";
    p_reset: f64, "p-" "" [0.0, 1.0] = 0.0006944, "Probability that an ON device switches OFF on a depressing pulse.";
});

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SttMtj {
    pub devices: u32,
    pub i_set_ua: f64,
    pub i_reset_ua: f64,
    pub pulse_ns: f64,
    pub i_c0_ua: f64,
    pub barrier: f64,
    pub tau0_ns: f64,
}
described!(default SttMtj {
    devices: u32, "M" "" [1, 64] = 16, "Junctions per synapse; the weight is the fraction in the parallel (ON) state.";
    i_set_ua: f64, "I+" "µA" [0.0, 1e4] = 85.0, "Current of a potentiating pulse.";
    i_reset_ua: f64, "I-" "µA" [0.0, 1e4] = 80.0, "Current of a depressing pulse.";
    pulse_ns: f64, "t_pulse" "ns" [1e-3, 1e6] = 10.0, "Duration of a pulse.";
    i_c0_ua: f64, "I_c0" "µA" [1e-3, 1e4] = 100.0, "Critical current at zero temperature.";
    barrier: f64, "Δ" "kT" [1.0, 200.0] = 40.0, "Thermal stability: the energy barrier over kT.";
    tau0_ns: f64, "τ0" "ns" [1e-3, 1e3] = 1.0, "Attempt time.";
});

impl SttMtj {
    /// The switching probability of a pulse of `current_ua` in the thermal regime,
    /// `1 - e^(-t/τ)`, `τ = τ0 e^(Δ (1 - I/I_c0))` (the textbook form Vincent et al. build on).
    pub fn probability(&self, current_ua: f64) -> f64 {
        let tau = self.tau0_ns * (self.barrier * (1.0 - current_ua / self.i_c0_ua)).exp();
        -(-self.pulse_ns / tau).exp_m1()
    }
}

/// A measured curve: rows of `G` (strictly increasing) and the size of the step a potentiating
/// and a depressing pulse make there, interpolated linearly between rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measured {
    /// `[g_us, dg_up_us, dg_down_us]`, the steps as sizes (not signed).
    pub points: Vec<[f64; 3]>,
}

impl Measured {
    /// Reads `g_us,dg_up_us,dg_down_us` rows (a header and `#` comments allowed); an error
    /// names the line.
    pub fn from_csv(text: &str) -> Result<Measured, (usize, String)> {
        let mut points: Vec<[f64; 3]> = Vec::new();
        for (k, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || (points.is_empty() && line.starts_with(char::is_alphabetic))
            {
                continue;
            }
            let values: Vec<f64> = line
                .split(',')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|e| (k + 1, format!("expected three numbers g_us,dg_up_us,dg_down_us: {e}")))?;
            let [g, up, down] = values[..] else {
                return Err((k + 1, format!("expected three numbers g_us,dg_up_us,dg_down_us, got {}", values.len())));
            };
            if let Some(&[before, ..]) = points.last()
                && g <= before
            {
                return Err((
                    k + 1,
                    format!(
                        "G = {g} µS does not rise above the row before ({before} µS): the steps must be a function of G"
                    ),
                ));
            }
            points.push([g, up, down]);
        }
        let measured = Measured { points };
        measured.check().map_err(|(row, m)| (row.map_or(0, |r| r + 1), m))?;
        Ok(measured)
    }

    /// The first wrong row (0-based) and why.
    fn check(&self) -> Result<(), (Option<usize>, String)> {
        if self.points.len() < 2 {
            return Err((None, "a measured curve needs at least two rows".into()));
        }
        for (row, p) in self.points.iter().enumerate() {
            if p.iter().any(|v| !v.is_finite()) || p[1] < 0.0 || p[2] < 0.0 {
                return Err((Some(row), "G must be finite and the steps finite sizes (not negative)".into()));
            }
            if row > 0 && p[0] <= self.points[row - 1][0] {
                return Err((Some(row), "G must rise from row to row: the steps must be a function of G".into()));
            }
        }
        Ok(())
    }

    /// The step sizes `(up, down)` at `g_us`, held flat past the ends.
    pub fn steps(&self, g_us: f64) -> (f64, f64) {
        let p = &self.points;
        let k = p.partition_point(|row| row[0] <= g_us).clamp(1, p.len() - 1);
        let (a, b) = (p[k - 1], p[k]);
        let t = ((g_us - a[0]) / (b[0] - a[0])).clamp(0.0, 1.0);
        (a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2]))
    }
}

/// NeuroSim's nonlinearity label of a saturating curve with `A / P_max = a`: the largest
/// distance of the normalised curve above the straight line, over 0.099 (the label's scale,
/// which reproduces NeuroSim's table: 2.40 <-> 0.4992, 4.88 <-> 0.2003).
pub fn label_of_a(a: f64) -> f64 {
    if !a.is_finite() {
        return 0.0;
    }
    // The normalised curve `(1 - e^(-x/a)) / (1 - e^(-1/a))` leaves the line furthest where
    // its slope is 1.
    let norm = -(-1.0 / a).exp_m1();
    let x = (-a * (a * norm).ln()).clamp(0.0, 1.0);
    (-(-x / a).exp_m1() / norm - x) / LABEL_SCALE
}

const LABEL_SCALE: f64 = 0.099;

/// `A / P_max` of a label (the inverse of [`label_of_a`], by bisection in log `a`); a label of
/// zero is a straight line (infinite A).
pub fn a_of_label(label: f64) -> f64 {
    if label <= 0.0 {
        return f64::INFINITY;
    }
    // The label falls as `a` grows; a below 1e-3 is a step, above 1e9 a straight line.
    let (mut lo, mut hi) = (1e-3f64.ln(), 1e9f64.ln());
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if label_of_a(mid.exp()) > label { lo = mid } else { hi = mid }
    }
    (0.5 * (lo + hi)).exp()
}

impl Curve {
    /// The kinds of curve, in the pickers' order, with their names.
    pub const KINDS: [&'static str; 7] = [
        "linear levels",
        "saturating exponential (NeuroSim)",
        "cumulative exponential (Querlioz)",
        "two PCM devices (Bichler)",
        "stochastic binary (CBRAM)",
        "stochastic binary (STT-MTJ)",
        "measured",
    ];

    pub fn kind(&self) -> usize {
        match self {
            Curve::Linear(_) => 0,
            Curve::SaturatingExp(_) => 1,
            Curve::QuerliozExp(_) => 2,
            Curve::TwoPcm(_) => 3,
            Curve::StochasticBinary(_) => 4,
            Curve::SttMtj(_) => 5,
            Curve::Measured(_) => 6,
        }
    }

    /// The same curve with what costs to compute done once: a saturating curve's nonlinearity
    /// labels turned into `A` (a search), a junction's switching probabilities computed.
    pub(super) fn resolved(&self) -> Curve {
        match self {
            Curve::SaturatingExp(c) => Curve::SaturatingExp(SaturatingExp {
                up: Nonlinearity::A(c.up.a()),
                down: Nonlinearity::A(c.down.a()),
                ..*c
            }),
            Curve::SttMtj(m) => Curve::StochasticBinary(Binary {
                devices: m.devices,
                p_set: m.probability(m.i_set_ua),
                p_reset: m.probability(m.i_reset_ua),
            }),
            other => other.clone(),
        }
    }

    /// Binary devices per synapse and their switching probabilities `(M, p+, p-)`.
    pub fn binary(&self) -> Option<(u32, f64, f64)> {
        match self {
            Curve::StochasticBinary(b) => Some((b.devices, b.p_set, b.p_reset)),
            Curve::SttMtj(m) => Some((m.devices, m.probability(m.i_set_ua), m.probability(m.i_reset_ua))),
            _ => None,
        }
    }

    /// The field (below `curve`) and the reason of the first thing wrong.
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        match self {
            Curve::Linear(c) => c.check_ranges(),
            Curve::SaturatingExp(c) => c.check_ranges().and_then(|()| {
                c.up.check().map_err(|m| ("up".into(), m))?;
                c.down.check().map_err(|m| ("down".into(), m))
            }),
            Curve::QuerliozExp(c) => c.check_ranges(),
            Curve::TwoPcm(c) => c.check_ranges(),
            Curve::StochasticBinary(c) => c.check_ranges(),
            Curve::SttMtj(c) => c.check_ranges(),
            Curve::Measured(c) => {
                c.check().map_err(|(row, m)| (row.map_or("points".into(), |r| format!("points.{r}")), m))
            }
        }
    }

    /// Pulses that take the nominal device from the bottom of its range to the top: `levels -
    /// 1` for a device with levels, the mean number for a binary device's switch (`1/p+`),
    /// counted along the curve otherwise (at most ten million).
    pub(super) fn span_pulses(&self, device: &Device) -> f64 {
        match self {
            Curve::Linear(c) => (c.levels - 1) as f64,
            Curve::SaturatingExp(c) => (c.levels - 1) as f64,
            Curve::StochasticBinary(_) | Curve::SttMtj(_) => 1.0 / self.binary().expect("binary").1.max(1e-12),
            _ => {
                // A 2-PCM synapse reads β x: its top is where the potentiating device reaches 1/β.
                let top = if let Curve::TwoPcm(c) = self { (1.0 / c.beta).min(1.0) } else { 1.0 };
                let mut x = 0.0;
                for n in 1..=10_000_000u32 {
                    let next = self.step_up(x, 1.0, device);
                    if next >= top || next <= x {
                        return n as f64;
                    }
                    x = next;
                }
                1e7
            }
        }
    }

    /// The fraction `x` after one potentiating pulse of strength `m` (1 nominal), before the
    /// clip; a linear device's `x` is its level. A 2-PCM synapse's `x` is its LTP device.
    pub(super) fn step_up(&self, x: f64, m: f64, device: &Device) -> f64 {
        match self {
            Curve::Linear(_) => x + m,
            Curve::SaturatingExp(c) => x + m * saturating_step(x, c.up.a(), c.levels),
            Curve::QuerliozExp(c) => x + m * c.a_plus * (c.b_plus * x).exp(),
            Curve::TwoPcm(c) => x + m * c.a_set * (c.b_set * x).exp(),
            Curve::Measured(c) => {
                let range = device.g_max_us - device.g_min_us;
                x + m * c.steps(device.g_min_us + x * range).0 / range
            }
            // A binary synapse switches device by device (`Cells`); in the mean, a fraction
            // p+ of its OFF devices switches.
            Curve::StochasticBinary(_) | Curve::SttMtj(_) => x + m * self.binary().expect("binary").1 * (1.0 - x),
        }
    }

    /// The fraction after one depressing pulse of strength `m` (a 2-PCM synapse's `x` is then
    /// its LTD device, which a depressing pulse SETs).
    pub(super) fn step_down(&self, x: f64, m: f64, device: &Device) -> f64 {
        match self {
            Curve::Linear(_) => x - m,
            // Mirrored: the depressed fraction 1 - x saturates as x does going up.
            Curve::SaturatingExp(c) => x - m * saturating_step(1.0 - x, c.down.a(), c.levels),
            Curve::QuerliozExp(c) => x - m * c.a_minus * (c.b_minus * (1.0 - x)).exp(),
            Curve::TwoPcm(_) => self.step_up(x, m, device),
            Curve::Measured(c) => {
                let range = device.g_max_us - device.g_min_us;
                x - m * c.steps(device.g_min_us + x * range).1 / range
            }
            Curve::StochasticBinary(_) | Curve::SttMtj(_) => x - m * self.binary().expect("binary").2 * x,
        }
    }
}

/// The step of NeuroSim's curve from `x`: the exact map `x∞ - (x∞ - x) e^(-1/A)` less `x`,
/// with `x∞ = 1 / (1 - e^(-1/a))` where `a = A / P_max` (`P_max = levels - 1`). A straight line
/// (infinite `a`) steps `1 / P_max`.
fn saturating_step(x: f64, a: f64, levels: u32) -> f64 {
    let p_max = (levels - 1) as f64;
    if !a.is_finite() {
        return 1.0 / p_max;
    }
    let x_inf = -1.0 / (-1.0 / a).exp_m1();
    (x_inf - x) * -(-1.0 / (a * p_max)).exp_m1()
}
