//! The devices of a set of synapses: each one's state, its drawn departures from the nominal
//! device (d2d), and the pulses that program it (c2c noise, switching, endurance, drift).

use super::{Curve, Device};
use crate::random::{Rng, normal, stream};
use rand::RngExt;

/// One synapse's device state.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    /// Where it is along its curve: a fraction of its range, a linear device's level, a 2-PCM
    /// synapse's potentiating device.
    pub x: f64,
    /// A 2-PCM synapse's depressing device.
    pub y: f64,
    /// A binary synapse's devices that are ON, one bit each.
    pub on: u64,
    /// Pulses it has taken.
    pub pulses: u64,
    /// When it was last programmed, in ms (drift counts from there).
    pub programmed_ms: f64,
}

/// A device's own bounds (µS) and step scales, drawn once (device-to-device).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    pub g_min_us: f64,
    pub g_max_us: f64,
    pub up: f64,
    pub down: f64,
}

/// Streams of their own: drawing one never moves another.
const D2D: u64 = 0xD2D;
const C2C: u64 = 0xC2C;
const SWITCHING: u64 = 0x5717;
const READING: u64 = 0x4EAD;

/// The devices of `n` synapses, all starting at `G_min`.
#[derive(Debug, Clone)]
pub struct Cells {
    device: Device,
    /// The device's curve with its nonlinearity labels resolved (once, not per pulse).
    curve: Curve,
    /// Pulses that span the nominal range (a bound on programming).
    span: f64,
    cells: Vec<Cell>,
    /// Per synapse when there is device-to-device variability (else every device is nominal).
    draws: Vec<Draw>,
    /// A binary synapse's devices' switching probability scales `[set, reset]`, `M` per
    /// synapse, when there is device-to-device variability.
    switching_scales: Vec<[f64; 2]>,
    noise: Rng,
    switching: Rng,
    reading: Rng,
}

impl Cells {
    /// `device` must be valid ([`Device::validate`]).
    pub fn new(device: &Device, n: usize, seed: u64) -> Cells {
        let d2d = device.variation.d2d;
        let curve = device.curve.resolved();
        let m = curve.binary().map_or(0, |(m, _, _)| m as usize);
        let (mut draws, mut switching_scales) = (Vec::new(), Vec::new());
        if d2d > 0.0 {
            let spread = |rng: &mut Rng| (1.0 + d2d * normal(rng)).max(0.0);
            for i in 0..n {
                // Each synapse's devices from a stream of its own, so the draws do not depend
                // on how many synapses there are.
                let mut rng = stream(seed ^ D2D, i as u64);
                let g_min_us = device.g_min_us * spread(&mut rng);
                let g_max_us = (device.g_max_us * spread(&mut rng)).max(g_min_us + 1e-6 * device.g_max_us);
                draws.push(Draw { g_min_us, g_max_us, up: spread(&mut rng), down: spread(&mut rng) });
                switching_scales.extend((0..m).map(|_| [spread(&mut rng), spread(&mut rng)]));
            }
        }
        Cells {
            device: device.clone(),
            curve,
            span: device.span_pulses(),
            cells: vec![Cell::default(); n],
            draws,
            switching_scales,
            noise: stream(seed, C2C),
            switching: stream(seed, SWITCHING),
            reading: stream(seed, READING),
        }
    }

    pub fn device(&self) -> &Device {
        &self.device
    }
    pub fn len(&self) -> usize {
        self.cells.len()
    }
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
    pub fn cell(&self, i: usize) -> &Cell {
        &self.cells[i]
    }

    /// Synapse `i`'s device: drawn, or the nominal one.
    pub fn draw(&self, i: usize) -> Draw {
        self.draws.get(i).copied().unwrap_or(Draw {
            g_min_us: self.device.g_min_us,
            g_max_us: self.device.g_max_us,
            up: 1.0,
            down: 1.0,
        })
    }

    /// The programmed fraction of synapse `i`'s own range (before drift).
    pub fn fraction(&self, i: usize) -> f64 {
        fraction(&self.curve, &self.cells[i])
    }

    /// Synapse `i`'s conductance at `t_ms` (drifted since it was programmed), in µS.
    pub fn conductance_us(&self, i: usize, t_ms: f64) -> f64 {
        let d = self.draw(i);
        (d.g_min_us + self.fraction(i) * (d.g_max_us - d.g_min_us)) * self.drift(i, t_ms)
    }

    /// A read of synapse `i`'s conductance at `t_ms`: with read noise, if the device has any.
    pub fn read_us(&mut self, i: usize, t_ms: f64) -> f64 {
        let g = self.conductance_us(i, t_ms);
        let sigma = self.device.variation.read_noise;
        if sigma > 0.0 { g * (1.0 + sigma * normal(&mut self.reading)) } else { g }
    }

    /// A read of synapse `i` as a weight at `t_ms` (with read noise), for a rule bounded by `w_max`.
    pub fn read_weight(&mut self, i: usize, t_ms: f64, w_max: f64) -> f64 {
        let g = self.read_us(i, t_ms);
        self.device.weight(g, w_max)
    }

    /// The factor `(age / t0)^-ν` drift has brought synapse `i`'s conductance down by at `t_ms`.
    fn drift(&self, i: usize, t_ms: f64) -> f64 {
        let v = &self.device.variation;
        let age_s = (t_ms - self.cells[i].programmed_ms) * 1e-3;
        if v.drift_nu > 0.0 && age_s > v.drift_t0_s { (age_s / v.drift_t0_s).powf(-v.drift_nu) } else { 1.0 }
    }

    /// One pulse on synapse `i` at `t_ms`: potentiating if `up`. A worn-out device (past its
    /// endurance) stays where it is.
    pub fn pulse(&mut self, i: usize, up: bool, t_ms: f64) {
        if self.pulse_once(i, up, t_ms)
            && let Curve::TwoPcm(c) = self.curve
        {
            let cell = self.cells[i];
            let due = c.refresh_every > 0 && cell.pulses.is_multiple_of(c.refresh_every as u64);
            // A saturated device is freed by a refresh only when the other holds something.
            let saturated = (cell.x >= 1.0 && cell.y > 0.0) || (cell.y >= 1.0 && cell.x > 0.0);
            if due || saturated {
                self.refresh(i, t_ms);
            }
        }
    }

    /// `n` pulses, potentiating if `n > 0`.
    ///
    /// A train is applied pulse by pulse only while it moves the device: once a pulse leaves
    /// it where it was (at a bound, or worn out), the rest are counted and change nothing, so a
    /// rule's request of millions of pulses costs no more than the range. A binary synapse's
    /// devices each switch with the probability of at least one switch in the train.
    pub fn pulses(&mut self, i: usize, n: i64, t_ms: f64) {
        let (up, mut left) = (n > 0, n.unsigned_abs());
        if left == 0 {
            return;
        }
        let endurance = self.device.variation.endurance as u64;
        if endurance > 0 {
            let room = endurance.saturating_sub(self.cells[i].pulses);
            left = left.min(room);
        }
        if self.curve.binary().is_some() {
            self.switch_train(i, up, left, t_ms);
            return;
        }
        while left > 0 {
            let before = self.cells[i];
            self.pulse(i, up, t_ms);
            left -= 1;
            let after = &mut self.cells[i];
            if (after.x, after.y) == (before.x, before.y) {
                after.pulses += left;
                return;
            }
        }
    }

    /// `k` pulses on a binary synapse: each candidate device switches with `1 - (1 - p)^k`.
    fn switch_train(&mut self, i: usize, up: bool, k: u64, t_ms: f64) {
        let (m, p_set, p_reset) = self.curve.binary().expect("a binary synapse");
        let cell = &mut self.cells[i];
        for j in 0..m as usize {
            let bit = 1u64 << j;
            let scale = self.switching_scales.get(i * m as usize + j).map_or(1.0, |s| s[usize::from(!up)]);
            let (candidate, p) = if up { (cell.on & bit == 0, p_set) } else { (cell.on & bit != 0, p_reset) };
            let p = (p * scale).min(1.0);
            // One pulse: the probability itself (so a single pulse draws as `pulse_once` does).
            let switched = if k == 1 { p } else { -(k as f64 * (-p).ln_1p()).exp_m1() };
            if candidate && self.switching.random::<f64>() < switched {
                cell.on ^= bit;
            }
        }
        cell.pulses += k;
        cell.programmed_ms = t_ms;
    }

    /// Programs synapse `i` towards the conductance `g_us` and verifies, pulse by pulse, until
    /// the next pulse would leave it further away (a binary synapse: the nearest count of its
    /// devices ON). Returns the pulses it took. A 2-PCM synapse starts from both devices reset.
    pub fn program(&mut self, i: usize, g_us: f64, t_ms: f64) -> u64 {
        let before = self.cells[i].pulses;
        self.settle_drift(i, t_ms);
        let d = self.draw(i);
        let target = (g_us - d.g_min_us) / (d.g_max_us - d.g_min_us);
        if let Some((m, _, _)) = self.curve.binary() {
            let want = (target.clamp(0.0, 1.0) * m as f64).round() as u32;
            let cell = &mut self.cells[i];
            while cell.on.count_ones() < want {
                cell.on |= 1 << (!cell.on).trailing_zeros();
                cell.pulses += 1;
            }
            while cell.on.count_ones() > want {
                cell.on &= !(1 << (63 - cell.on.leading_zeros()));
                cell.pulses += 1;
            }
            cell.programmed_ms = t_ms;
            return cell.pulses - before;
        }
        if matches!(self.curve, Curve::TwoPcm(_)) {
            let cell = &mut self.cells[i];
            (cell.x, cell.y) = (0.0, 0.0);
        }
        let limit = 10 * (self.span.min(1e7) as u64 + 10);
        for _ in 0..limit {
            let now = self.fraction(i) - target;
            let up = now < 0.0;
            let next = fraction(&self.curve, &self.stepped(i, up, 1.0)) - target;
            if next.abs() >= now.abs() || !self.pulse_once(i, up, t_ms) {
                break;
            }
        }
        self.cells[i].pulses - before
    }

    /// Puts synapse `i` at the state nearest to the conductance `g_us` at once (a precise write
    /// that takes no pulse): the nearest level or count of devices ON, a 2-PCM synapse's weight
    /// on its potentiating device.
    pub fn set(&mut self, i: usize, g_us: f64) {
        let d = self.draw(i);
        let x = ((g_us - d.g_min_us) / (d.g_max_us - d.g_min_us)).clamp(0.0, 1.0);
        let cell = &mut self.cells[i];
        match &self.curve {
            Curve::Linear(c) => cell.x = (x * (c.levels - 1) as f64).round(),
            Curve::TwoPcm(c) => (cell.x, cell.y) = ((x / c.beta).min(1.0), 0.0),
            Curve::StochasticBinary(b) => {
                let on = (x * b.devices as f64).round() as u32;
                cell.on = if on == 64 { u64::MAX } else { (1u64 << on) - 1 };
            }
            _ => cell.x = x,
        }
    }

    /// The nominal conductance at the fraction `x` of the range (where [`Cells::program`] aims
    /// to put a device at that fraction of the nominal range).
    pub fn nominal_us(&self, x: f64) -> f64 {
        self.device.g_min_us + x * (self.device.g_max_us - self.device.g_min_us)
    }

    /// Forgets the pulses counted so far (after the devices' first programming).
    pub fn reset_counts(&mut self) {
        self.cells.iter_mut().for_each(|c| c.pulses = 0);
    }

    /// Pulses taken by all the devices.
    pub fn total_pulses(&self) -> u64 {
        self.cells.iter().map(|c| c.pulses).sum()
    }

    /// A 2-PCM synapse's refresh (Bichler et al. 2012): both devices reset, and the weight they
    /// held programmed again into one of them.
    fn refresh(&mut self, i: usize, t_ms: f64) {
        let held = self.conductance_us(i, t_ms);
        self.program(i, held, t_ms);
    }

    /// One pulse without a 2-PCM refresh; `false` if the device is worn out.
    fn pulse_once(&mut self, i: usize, up: bool, t_ms: f64) -> bool {
        let endurance = self.device.variation.endurance;
        if endurance > 0 && self.cells[i].pulses >= endurance as u64 {
            return false;
        }
        self.settle_drift(i, t_ms);
        if self.curve.binary().is_some() {
            self.switch_train(i, up, 1, t_ms);
            return true;
        }
        let v = self.device.variation;
        let noise = if v.c2c > 0.0 { (1.0 + v.c2c * normal(&mut self.noise)).max(0.0) } else { 1.0 };
        let m = if up { 1.0 + v.asymmetry } else { 1.0 - v.asymmetry } * noise;
        self.cells[i] = self.stepped(i, up, m);
        let cell = &mut self.cells[i];
        cell.pulses += 1;
        cell.programmed_ms = t_ms;
        true
    }

    /// Synapse `i`'s continuous state after one pulse of strength `m` (times its own d2d step
    /// scale), clipped to its range.
    fn stepped(&self, i: usize, up: bool, m: f64) -> Cell {
        let (curve, d) = (&self.curve, self.draw(i));
        let mut cell = self.cells[i];
        let m = m * if up { d.up } else { d.down };
        match curve {
            Curve::Linear(c) => {
                let x =
                    if up { curve.step_up(cell.x, m, &self.device) } else { curve.step_down(cell.x, m, &self.device) };
                cell.x = x.clamp(0.0, (c.levels - 1) as f64);
            }
            Curve::TwoPcm(_) if up => cell.x = curve.step_up(cell.x, m, &self.device).clamp(0.0, 1.0),
            Curve::TwoPcm(_) => cell.y = curve.step_down(cell.y, m, &self.device).clamp(0.0, 1.0),
            _ if curve.binary().is_some() => {}
            _ => {
                let x =
                    if up { curve.step_up(cell.x, m, &self.device) } else { curve.step_down(cell.x, m, &self.device) };
                cell.x = x.clamp(0.0, 1.0);
            }
        }
        cell
    }

    /// Programming starts from the drifted conductance, and the drift clock starts again.
    fn settle_drift(&mut self, i: usize, t_ms: f64) {
        let factor = self.drift(i, t_ms);
        if factor == 1.0 {
            return;
        }
        let d = self.draw(i);
        let span = d.g_max_us - d.g_min_us;
        let drifted = |x: f64| ((d.g_min_us + x * span) * factor - d.g_min_us) / span;
        let cell = &mut self.cells[i];
        match self.curve {
            Curve::Linear(c) => {
                let top = (c.levels - 1) as f64;
                cell.x = drifted(cell.x / top) * top;
            }
            Curve::TwoPcm(_) => (cell.x, cell.y) = (drifted(cell.x), drifted(cell.y)),
            _ => cell.x = drifted(cell.x),
        }
    }
}

/// The fraction of its range a cell's state stands for.
fn fraction(curve: &Curve, cell: &Cell) -> f64 {
    match curve {
        Curve::Linear(c) => cell.x / (c.levels - 1) as f64,
        Curve::TwoPcm(c) => (c.beta * cell.x - cell.y).clamp(0.0, 1.0),
        Curve::StochasticBinary(b) => cell.on.count_ones() as f64 / b.devices as f64,
        Curve::SttMtj(m) => cell.on.count_ones() as f64 / m.devices as f64,
        _ => cell.x,
    }
}
