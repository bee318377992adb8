//! Evaluates a stimulus step by step, with state: Ornstein-Uhlenbeck noise is advanced exactly,
//! spike inputs are drawn per step and filtered by their synaptic kernel.

use super::{Component, SpikeSource, Stimulus, step_of};
use crate::random::{Rng, normal, poisson, stream};
use crate::synapse::KernelState;

#[derive(Debug, Clone)]
enum State {
    Fixed,
    Noise { x: Option<f64>, rng: Rng },
    Spikes { rng: Rng, kernel: KernelState },
}

#[derive(Debug, Clone)]
struct Item {
    component: Component,
    on: u64,
    off: u64,
    state: State,
}

/// A stimulus on the step grid of `dt`, evaluated in step order.
#[derive(Debug, Clone)]
pub struct Runner {
    dt_ms: f64,
    items: Vec<Item>,
}

impl Runner {
    /// Prepares `stimulus` for steps of `dt_ms`, with random streams from `seed`.
    pub fn new(stimulus: &Stimulus, dt_ms: f64, seed: u64) -> Self {
        let items = stimulus
            .active()
            .map(|(_, c)| {
                let (start, end) = c.window_ms();
                let (on, mut off) = (step_of(start, dt_ms), step_of(end, dt_ms));
                if matches!(c, Component::Curve { .. }) {
                    off = off.saturating_add(1); // a curve's last point holds at exactly that time
                }
                let state = match c {
                    Component::Noise { seed: s, .. } => State::Noise { x: None, rng: stream(seed, *s) },
                    Component::Spikes { seed: s, .. } => {
                        State::Spikes { rng: stream(seed, *s), kernel: Default::default() }
                    }
                    _ => State::Fixed,
                };
                Item { component: c.clone(), on, off, state }
            })
            .collect();
        Self { dt_ms, items }
    }

    /// The current held during step `n`. Call with consecutive `n`: noise and synapses carry
    /// state from one step to the next.
    pub fn current(&mut self, n: u64) -> f64 {
        let dt = self.dt_ms;
        let t = n as f64 * dt;
        let mut total = 0.0;
        for item in &mut self.items {
            let inside = n >= item.on && n < item.off && item.component.train_on(n, dt);
            match (&item.component, &mut item.state) {
                (c, State::Fixed) => {
                    if inside {
                        total += c.shape_at(t);
                    }
                }
                (Component::Noise { mean, sigma, tau_ms, .. }, State::Noise { x, rng }) => {
                    if inside {
                        // Start in the stationary distribution, then the exact OU update.
                        let value = *x.get_or_insert_with(|| mean + sigma * normal(rng));
                        total += value;
                        let decay = (-dt / tau_ms).exp();
                        *x = Some(mean + (value - mean) * decay + sigma * (1.0 - decay * decay).sqrt() * normal(rng));
                    }
                }
                (Component::Spikes { source, kernel, weight, .. }, State::Spikes { rng, kernel: trace }) => {
                    let count = spikes_in_step(source, n, dt, rng);
                    total += weight * trace.step(kernel, count as f64, dt);
                }
                _ => unreachable!("state matches its component"),
            }
        }
        total + 0.0
    }
}

/// Spikes of `source` in step `n` (from `n dt` to `(n + 1) dt`).
pub(crate) fn spikes_in_step(source: &SpikeSource, n: u64, dt: f64, rng: &mut Rng) -> u32 {
    let t = n as f64 * dt;
    let within = |start: f64, duration: f64| n >= step_of(start, dt) && n < step_of(start + duration, dt);
    match source {
        SpikeSource::Poisson { rate_hz, start_ms, duration_ms } => {
            if within(*start_ms, *duration_ms) {
                poisson(rng, rate_hz * dt * 1e-3)
            } else {
                0
            }
        }
        SpikeSource::ModulatedPoisson { rate_hz, depth_hz, frequency_hz, start_ms, duration_ms } => {
            if within(*start_ms, *duration_ms) {
                let rate = rate_hz + depth_hz * (2.0 * std::f64::consts::PI * frequency_hz * t * 1e-3).sin();
                poisson(rng, rate.max(0.0) * dt * 1e-3)
            } else {
                0
            }
        }
        SpikeSource::Regular { rate_hz, start_ms, duration_ms } => {
            if *rate_hz <= 0.0 || !within(*start_ms, *duration_ms) {
                return 0;
            }
            // Spikes at start + k period fall in the step that rounds to their time.
            let period = 1000.0 / rate_hz;
            let first = ((n as f64 - 0.5) * dt - start_ms) / period;
            let last = ((n as f64 + 0.5) * dt - start_ms) / period;
            (last.ceil().max(0.0) - first.ceil().max(0.0)) as u32
        }
        SpikeSource::Times { times_ms } => times_ms.iter().filter(|&&s| step_of(s, dt) == n).count() as u32,
    }
}
