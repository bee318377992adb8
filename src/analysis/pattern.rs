//! Firing-pattern label from the spike train of a step response, after the categories of
//! Naud et al. (2008) and Izhikevich (2004).
//!
//! Within the stimulus window `[onset, end]`:
//! - no spike: **silent**; fewer than 3 spikes all in the first half: **transient**;
//! - bursts: when the sorted ISIs have a gap (one more than 2.5 times the next shorter), ISIs
//!   below the gap split the train into groups. Two or more groups of >= 2 spikes with regular gaps (CV of the
//!   gaps < 0.25) are **regular bursting**; a first group of >= 3 spikes followed by single
//!   spikes only is an **initial burst**;
//! - otherwise a local variation of the ISIs (Shinomoto et al. 2003: 0 for a smooth trend, 1 for
//!   Poisson) above 0.3 is **irregular**; else the adaptation index
//!   `A = mean((ISI_{k+1} - ISI_k) / (ISI_{k+1} + ISI_k))` gives **adapting** (A > 0.01),
//!   **accelerating** (A < -0.005) or **tonic**;
//! - spikes that stop well before the end (silence after the last spike longer than 3 times the
//!   longest ISI and a quarter of the window) make the label **transient** too;
//! - **delayed**, prefixed to a sustained pattern: with 3 or more spikes, a first-spike latency
//!   over 5 % of the window and over 1.5 typical intervals (half the gap between bursts for a
//!   burster).

use super::spikes::isis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Silent,
    Transient,
    Tonic,
    Adapting,
    Accelerating,
    InitialBurst,
    RegularBursting,
    Irregular,
}

impl Pattern {
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Silent => "silent",
            Pattern::Transient => "transient",
            Pattern::Tonic => "tonic",
            Pattern::Adapting => "adapting",
            Pattern::Accelerating => "accelerating",
            Pattern::InitialBurst => "initial burst",
            Pattern::RegularBursting => "regular bursting",
            Pattern::Irregular => "irregular",
        }
    }
}

/// The label and the statistics it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub pattern: Pattern,
    pub delayed: bool,
    pub spikes: usize,
    pub latency_ms: Option<f64>,
    pub adaptation_index: Option<f64>,
    /// Local variation of the ISIs, `3/(n-1) sum ((I_k - I_k+1)/(I_k + I_k+1))^2`.
    pub local_variation: Option<f64>,
}

impl Classification {
    /// e.g. `delayed regular bursting`.
    pub fn label(&self) -> String {
        if self.delayed { format!("delayed {}", self.pattern.name()) } else { self.pattern.name().to_string() }
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn cv(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt() / m
}

fn median(x: &[f64]) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// Classifies the spikes (sorted times, ms) of a response to a stimulus on during `[onset, end]`.
pub fn classify(spike_times_ms: &[f64], onset_ms: f64, end_ms: f64) -> Classification {
    let times: Vec<f64> = spike_times_ms.iter().copied().filter(|&t| t >= onset_ms && t <= end_ms).collect();
    let window = end_ms - onset_ms;
    let mut result = Classification {
        pattern: Pattern::Silent,
        delayed: false,
        spikes: times.len(),
        latency_ms: times.first().map(|t| t - onset_ms),
        adaptation_index: None,
        local_variation: None,
    };
    if times.is_empty() {
        return result;
    }
    if times.len() < 3 {
        let early = times.last().unwrap() - onset_ms < 0.5 * window;
        result.pattern = if early { Pattern::Transient } else { Pattern::Tonic };
        return result;
    }
    let intervals = isis(&times);
    let adaptation = mean(&intervals.windows(2).map(|w| (w[1] - w[0]) / (w[1] + w[0])).collect::<Vec<_>>());
    // The onset transient (first interval) is not irregularity.
    let steady = if intervals.len() >= 3 { &intervals[1..] } else { &intervals[..] };
    let lv = 3.0 * mean(&steady.windows(2).map(|w| ((w[0] - w[1]) / (w[0] + w[1])).powi(2)).collect::<Vec<_>>());
    result.adaptation_index = Some(adaptation);
    result.local_variation = Some(lv);

    let mut sorted = intervals.clone();
    sorted.sort_by(f64::total_cmp);
    let gap = sorted.windows(2).map(|w| (w[1] / w[0], (w[0] * w[1]).sqrt())).max_by(|a, b| a.0.total_cmp(&b.0));
    let mut typical = median(&intervals);
    let mut pattern = None;
    if let Some((_, split)) = gap.filter(|g| g.0 > 2.5) {
        let mut groups = vec![1usize];
        let mut gaps = Vec::new();
        for &isi in &intervals {
            if isi < split {
                *groups.last_mut().unwrap() += 1;
            } else {
                groups.push(1);
                gaps.push(isi);
            }
        }
        let bursts = groups.iter().filter(|&&g| g >= 2).count();
        if bursts >= 2 && gaps.len() >= 2 && cv(&gaps) < 0.25 {
            pattern = Some(Pattern::RegularBursting);
            typical = 0.5 * median(&gaps);
        } else if groups[0] >= 3 && groups[1..].iter().all(|&g| g == 1) {
            pattern = Some(Pattern::InitialBurst);
        }
    }
    let pattern = pattern.unwrap_or(if lv > 0.3 {
        Pattern::Irregular
    } else if adaptation > 0.01 {
        Pattern::Adapting
    } else if adaptation < -0.005 {
        Pattern::Accelerating
    } else {
        Pattern::Tonic
    });
    let silence = end_ms - times.last().unwrap();
    let stops_early = silence > 3.0 * sorted[sorted.len() - 1] && silence > 0.25 * window;
    let latency = times[0] - onset_ms;
    result.delayed = !stops_early && latency > 0.05 * window && latency > 1.5 * typical;
    result.pattern = if stops_early { Pattern::Transient } else { pattern };
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn train(start: f64, isis: &[f64]) -> Vec<f64> {
        let mut t = vec![start];
        for isi in isis {
            t.push(t.last().unwrap() + isi);
        }
        t
    }

    #[test]
    fn labels_of_synthetic_trains() {
        assert_eq!(classify(&[], 0.0, 500.0).label(), "silent");
        assert_eq!(classify(&train(10.0, &[20.0; 24]), 0.0, 500.0).label(), "tonic");
        let adapting: Vec<f64> = (0..12).map(|k| 10.0 + 4.0 * k as f64).collect();
        assert_eq!(classify(&train(10.0, &adapting), 0.0, 500.0).label(), "adapting");
        let bursts: Vec<f64> = (0..6).flat_map(|_| [4.0, 4.0, 80.0]).collect();
        assert_eq!(classify(&train(10.0, &bursts), 0.0, 500.0).label(), "regular bursting");
        assert_eq!(classify(&train(70.0, &bursts), 0.0, 500.0).label(), "delayed regular bursting");
        assert_eq!(classify(&[12.0, 15.0], 0.0, 500.0).label(), "transient");
        assert_eq!(classify(&train(10.0, &[5.0, 5.0, 5.0, 5.0]), 0.0, 500.0).label(), "transient");
    }
}
