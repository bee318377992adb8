//! Injected current: a list of components that add up.
//!
//! Times are in ms, never in step indices. A component's edges are mapped to steps once per `dt`
//! by rounding (`on` for steps `n` with `round(start/dt) <= n < round(end/dt)`), so a pulse from
//! 60 to 90 ms at dt = 0.01 ms is on for exactly 3000 steps. The current is held over each step.

use serde::{Deserialize, Serialize};

/// One additive piece of the injected current, in the model's current unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Component {
    /// A constant current for the whole run.
    Dc { amplitude: f64 },
    /// A step: `amplitude` from `start_ms` to the end of the run.
    Step { start_ms: f64, amplitude: f64 },
    /// A square pulse: `amplitude` from `start_ms` for `duration_ms`.
    Pulse { start_ms: f64, duration_ms: f64, amplitude: f64 },
}

impl Component {
    pub fn name(&self) -> &'static str {
        match self {
            Component::Dc { .. } => "DC",
            Component::Step { .. } => "Step",
            Component::Pulse { .. } => "Pulse",
        }
    }

    /// `(start, end)` in ms of the interval where the component is on.
    fn window_ms(&self) -> (f64, f64) {
        match *self {
            Component::Dc { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Component::Step { start_ms, .. } => (start_ms, f64::INFINITY),
            Component::Pulse { start_ms, duration_ms, .. } => (start_ms, start_ms + duration_ms),
        }
    }

    pub fn amplitude(&self) -> f64 {
        match *self {
            Component::Dc { amplitude } | Component::Step { amplitude, .. } | Component::Pulse { amplitude, .. } => {
                amplitude
            }
        }
    }

    /// Checks the fields; the error names the offending field and says why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let finite = |field: &'static str, v: f64| {
            if v.is_finite() { Ok(()) } else { Err((field, format!("must be a finite number, got {v}"))) }
        };
        finite("amplitude", self.amplitude())?;
        match *self {
            Component::Dc { .. } => Ok(()),
            Component::Step { start_ms, .. } | Component::Pulse { start_ms, .. }
                if !start_ms.is_finite() || start_ms < 0.0 =>
            {
                Err(("start_ms", format!("must be a finite time >= 0 ms, got {start_ms}")))
            }
            Component::Pulse { duration_ms, .. } if !(duration_ms > 0.0 && duration_ms.is_finite()) => {
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
                t_ms >= on && t_ms < off
            })
            .map(Component::amplitude)
            .sum()
    }

    /// The stimulus mapped onto the step grid of `dt_ms`.
    pub fn sampled(&self, dt_ms: f64) -> Sampled {
        let step = |t: f64| if t.is_infinite() { u64::MAX } else { (t / dt_ms).round().max(0.0) as u64 };
        let mut sampled = Sampled::default();
        for c in &self.components {
            match c.window_ms() {
                (on, _) if on == f64::NEG_INFINITY => sampled.dc += c.amplitude(),
                (on, off) => sampled.pulses.push((step(on), step(off), c.amplitude())),
            }
        }
        sampled
    }
}

/// A stimulus on a fixed step grid: cheap to evaluate per step.
#[derive(Debug, Clone, Default)]
pub struct Sampled {
    dc: f64,
    /// `(first step on, first step off, amplitude)`.
    pulses: Vec<(u64, u64, f64)>,
}

impl Sampled {
    /// Current held during step `n` (from `n dt` to `(n + 1) dt`).
    #[inline]
    pub fn at_step(&self, n: u64) -> f64 {
        self.dc + self.pulses.iter().filter(|&&(on, off, _)| n >= on && n < off).map(|p| p.2).sum::<f64>()
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
