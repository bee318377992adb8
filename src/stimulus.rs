//! Injected current: a list of components that add up.
//!
//! Times are in ms, never in step indices. A component's edges are mapped to steps once per `dt`
//! by rounding (`on` for steps `n` with `round(start/dt) <= n < round(end/dt)`), so a pulse from
//! 60 to 90 ms at dt = 0.01 ms is on for exactly 3000 steps. The current is held over each step.

use serde::{Deserialize, Serialize};

/// One additive piece of the injected current, in the model's current unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Component {
    /// A constant current for the whole run.
    Dc { amplitude: f64 },
    /// A step: `amplitude` from `start_ms` to the end of the run.
    Step { start_ms: f64, amplitude: f64 },
    /// A square pulse: `amplitude` from `start_ms` for `duration_ms`.
    Pulse { start_ms: f64, duration_ms: f64, amplitude: f64 },
    /// A linear ramp: `from + slope_per_ms (t - start_ms)` for `duration_ms`; 0 outside.
    Ramp { start_ms: f64, duration_ms: f64, from: f64, slope_per_ms: f64 },
    /// Straight lines through `(t_ms, value)` points in time order; a repeated time is a jump
    /// (the later point holds from that time on). 0 before the first and after the last point.
    Curve { points: Vec<(f64, f64)> },
}

impl Component {
    pub fn name(&self) -> &'static str {
        match self {
            Component::Dc { .. } => "DC",
            Component::Step { .. } => "Step",
            Component::Pulse { .. } => "Pulse",
            Component::Ramp { .. } => "Ramp",
            Component::Curve { .. } => "Curve",
        }
    }

    /// `(start, end)` in ms of the interval where the component may be non-zero.
    fn window_ms(&self) -> (f64, f64) {
        match self {
            Component::Dc { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Component::Step { start_ms, .. } => (*start_ms, f64::INFINITY),
            Component::Pulse { start_ms, duration_ms, .. } | Component::Ramp { start_ms, duration_ms, .. } => {
                (*start_ms, start_ms + duration_ms)
            }
            Component::Curve { points } => match (points.first(), points.last()) {
                (Some(first), Some(last)) => (first.0, last.0),
                _ => (0.0, 0.0),
            },
        }
    }

    /// Value at `t_ms` inside the window (the window itself is applied by the caller).
    fn shape_at(&self, t_ms: f64) -> f64 {
        match self {
            Component::Dc { amplitude } | Component::Step { amplitude, .. } | Component::Pulse { amplitude, .. } => {
                *amplitude
            }
            Component::Ramp { start_ms, from, slope_per_ms, .. } => from + slope_per_ms * (t_ms - start_ms),
            Component::Curve { points } => {
                // The last point at or before t (a later point wins a jump), then the line onwards.
                let k = points.partition_point(|p| p.0 <= t_ms);
                match (k.checked_sub(1).map(|k| points[k]), points.get(k)) {
                    (Some(a), Some(b)) => a.1 + (b.1 - a.1) * (t_ms - a.0) / (b.0 - a.0),
                    (Some(a), None) if a.0 == t_ms => a.1,
                    _ => 0.0,
                }
            }
        }
    }

    /// Largest absolute value the component takes (for plot ranges and checks).
    pub fn peak(&self) -> f64 {
        match self {
            Component::Ramp { from, slope_per_ms, duration_ms, .. } => {
                from.abs().max((from + slope_per_ms * duration_ms).abs())
            }
            Component::Curve { points } => points.iter().map(|p| p.1.abs()).fold(0.0, f64::max),
            c => c.shape_at(0.0).abs(),
        }
    }

    /// Checks the fields; the error names the offending field and says why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let finite = |field: &'static str, v: f64| {
            if v.is_finite() { Ok(()) } else { Err((field, format!("must be a finite number, got {v}"))) }
        };
        match self {
            Component::Dc { amplitude } | Component::Step { amplitude, .. } | Component::Pulse { amplitude, .. } => {
                finite("amplitude", *amplitude)?
            }
            Component::Ramp { from, slope_per_ms, .. } => {
                finite("from", *from)?;
                finite("slope_per_ms", *slope_per_ms)?
            }
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
            }
        }
        match *self {
            Component::Dc { .. } | Component::Curve { .. } => Ok(()),
            Component::Step { start_ms, .. } | Component::Pulse { start_ms, .. } | Component::Ramp { start_ms, .. }
                if !start_ms.is_finite() || start_ms < 0.0 =>
            {
                Err(("start_ms", format!("must be a finite time >= 0 ms, got {start_ms}")))
            }
            Component::Pulse { duration_ms, .. } | Component::Ramp { duration_ms, .. }
                if !(duration_ms > 0.0 && duration_ms.is_finite()) =>
            {
                Err(("duration_ms", format!("must be a finite time > 0 ms, got {duration_ms}")))
            }
            _ => Ok(()),
        }
    }
}

/// The whole injected current of a neuron: the sum of its components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Stimulus {
    pub components: Vec<Component>,
}

impl Stimulus {
    pub fn dc(amplitude: f64) -> Self {
        Self { components: vec![Component::Dc { amplitude }] }
    }

    /// The first invalid field as `(component index, field, message)`.
    pub fn validate(&self) -> Result<(), (usize, &'static str, String)> {
        for (i, c) in self.components.iter().enumerate() {
            c.validate()
                .map_err(|(field, msg)| (i, field, format!("stimulus component {i} ({}): {field} {msg}", c.name())))?;
        }
        Ok(())
    }

    /// Current at time `t_ms` (continuous time; for plots). Matches [`Sampled`] at step starts.
    pub fn value_at(&self, t_ms: f64) -> f64 {
        self.components
            .iter()
            .filter(|c| {
                let (on, off) = c.window_ms();
                t_ms >= on && (t_ms < off || matches!(c, Component::Curve { .. }) && t_ms == off)
            })
            .map(|c| c.shape_at(t_ms))
            .sum::<f64>()
            + 0.0 // an empty sum is -0.0; show 0
    }

    /// When the main input is on: the window `(start, end)` of the step, pulse or ramp with the
    /// largest peak (the earliest of equals), clipped to `[0, run_ms]` (the whole run for DC or
    /// curves). A firing-pattern label is read within it.
    pub fn main_window(&self, run_ms: f64) -> (f64, f64) {
        let main = self
            .components
            .iter()
            .filter(|c| matches!(c, Component::Step { .. } | Component::Pulse { .. } | Component::Ramp { .. }))
            .fold(None, |best: Option<&Component>, c| match best {
                Some(b) if c.peak() <= b.peak() => Some(b),
                _ => Some(c),
            });
        match main.map(Component::window_ms) {
            Some((start, end)) => (start.max(0.0), end.min(run_ms)),
            None => (0.0, run_ms),
        }
    }

    /// The stimulus mapped onto the step grid of `dt_ms`.
    pub fn sampled(&self, dt_ms: f64) -> Sampled {
        let step = |t: f64| if t.is_infinite() { u64::MAX } else { (t / dt_ms).round().max(0.0) as u64 };
        let mut sampled = Sampled { dt_ms, ..Sampled::default() };
        for c in &self.components {
            match (c, c.window_ms()) {
                (Component::Dc { amplitude }, _) => sampled.dc += amplitude,
                (Component::Step { amplitude, .. } | Component::Pulse { amplitude, .. }, (on, off)) => {
                    sampled.pulses.push((step(on), step(off), *amplitude))
                }
                (Component::Ramp { .. }, (on, off)) => sampled.shaped.push((step(on), step(off), c.clone())),
                // A curve's last point counts (its value holds at exactly that time).
                (Component::Curve { .. }, (on, off)) => sampled.shaped.push((step(on), step(off) + 1, c.clone())),
            }
        }
        sampled
    }
}

/// A stimulus on a fixed step grid: cheap to evaluate per step.
#[derive(Debug, Clone, Default)]
pub struct Sampled {
    dt_ms: f64,
    dc: f64,
    /// `(first step on, first step off, amplitude)`.
    pulses: Vec<(u64, u64, f64)>,
    /// Components whose value changes with time, evaluated at the step's start `n dt`.
    shaped: Vec<(u64, u64, Component)>,
}

impl Sampled {
    /// Current held during step `n` (from `n dt` to `(n + 1) dt`).
    #[inline]
    pub fn at_step(&self, n: u64) -> f64 {
        let pulses = self.pulses.iter().filter(|&&(on, off, _)| n >= on && n < off).map(|p| p.2).sum::<f64>();
        let shaped = self
            .shaped
            .iter()
            .filter(|(on, off, _)| n >= *on && n < *off)
            .map(|(_, _, c)| c.shape_at(n as f64 * self.dt_ms))
            .sum::<f64>();
        self.dc + pulses + shaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulse_edges_are_exact_for_several_dt() {
        let s = Stimulus { components: vec![Component::Pulse { start_ms: 60.0, duration_ms: 30.0, amplitude: 15.0 }] };
        for (dt, expected) in [(0.01, 3000), (0.025, 1200), (0.1, 300), (0.05, 600)] {
            let sampled = s.sampled(dt);
            let n_steps = (200.0_f64 / dt).round() as u64;
            let on = (0..n_steps).filter(|&n| sampled.at_step(n) != 0.0).count();
            assert_eq!(on, expected, "dt {dt}");
            let first = (0..n_steps).find(|&n| sampled.at_step(n) != 0.0).unwrap();
            assert!((first as f64 * dt - 60.0).abs() < 1e-9, "dt {dt}: first on step {first}");
        }
    }

    #[test]
    fn components_add_and_validate() {
        let s = Stimulus {
            components: vec![Component::Dc { amplitude: 2.0 }, Component::Step { start_ms: 10.0, amplitude: 3.0 }],
        };
        assert_eq!(s.value_at(5.0), 2.0);
        assert_eq!(s.value_at(1e6), 5.0);
        assert_eq!(s.sampled(0.1).at_step(1_000_000_000), 5.0);
        let bad = Stimulus {
            components: vec![
                Component::Dc { amplitude: 1.0 },
                Component::Pulse { start_ms: 1.0, duration_ms: -2.0, amplitude: 1.0 },
            ],
        };
        let (index, field, msg) = bad.validate().unwrap_err();
        assert_eq!((index, field), (1, "duration_ms"));
        assert!(msg.contains("component 1 (Pulse): duration_ms"), "{msg}");
    }
}

#[cfg(test)]
mod shaped_tests {
    use super::*;

    #[test]
    fn ramp_and_curve_follow_their_definition_on_the_grid() {
        // Izhikevich (2004) row R: t/25 below 200 ms, 0 until 300 ms, (t - 300)/12.5 * 4 until
        // 312.5 ms, then 0 (SCIENCE.md 1a), as a curve with jumps.
        let r = Stimulus {
            components: vec![Component::Curve {
                points: vec![(0.0, 0.0), (200.0, 8.0), (200.0, 0.0), (300.0, 0.0), (312.5, 4.0), (312.5, 0.0)],
            }],
        };
        let dt = 0.5;
        let sampled = r.sampled(dt);
        for n in 0..800u64 {
            let t = n as f64 * dt;
            let expected = if t < 200.0 {
                t / 25.0
            } else if t < 300.0 {
                0.0
            } else if t < 312.5 {
                (t - 300.0) / 12.5 * 4.0
            } else {
                0.0
            };
            assert!((sampled.at_step(n) - expected).abs() < 1e-12, "t = {t}: {} vs {expected}", sampled.at_step(n));
            assert!((r.value_at(t) - expected).abs() < 1e-12, "value_at({t})");
        }
        let g = Stimulus {
            components: vec![Component::Ramp { start_ms: 30.0, duration_ms: 270.0, from: 0.0, slope_per_ms: 0.075 }],
        };
        let sampled = g.sampled(0.25);
        assert_eq!(sampled.at_step(120), 0.0);
        assert_eq!(sampled.at_step(200), 0.075 * (200.0 * 0.25 - 30.0), "the figure's own arithmetic");
        assert_eq!(sampled.at_step(1200), 0.0, "off at the end of the ramp");
        let bad = Stimulus { components: vec![Component::Curve { points: vec![(5.0, 1.0), (2.0, 0.0)] }] };
        assert_eq!(bad.validate().unwrap_err().1, "points");
    }
}

#[cfg(test)]
mod main_window_tests {
    use super::*;

    #[test]
    fn the_main_input_is_the_earliest_of_the_largest() {
        let s = Stimulus {
            components: vec![
                Component::Dc { amplitude: 0.24 },
                Component::Pulse { start_ms: 37.75, duration_ms: 4.75, amplitude: 1.0 },
                Component::Pulse { start_ms: 216.25, duration_ms: 4.75, amplitude: 1.0 },
            ],
        };
        assert_eq!(s.main_window(300.0), (37.75, 42.5));
        assert_eq!(Stimulus::dc(3.0).main_window(300.0), (0.0, 300.0));
    }
}
