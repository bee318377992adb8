//! `spikelab compare DIR_A DIR_B`: two runs of one network (spikelab's, or an exported script's
//! in NEST or Brian2) side by side, per population: rate, mean CV of the inter-spike intervals
//! and spike count, with the differences in standard errors.

use std::fmt::Write as _;
use std::path::Path;

use crate::analysis::activity::cv;

/// A population as a run's `summary.json` lists it: its name and global neurons.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub name: String,
    pub first: u32,
    pub size: u32,
}

/// What a run directory holds: its populations, simulated time and spikes.
#[derive(Debug, Clone)]
pub struct Run {
    pub populations: Vec<Population>,
    pub simulated_ms: f64,
    /// `(t_ms, neuron)`.
    pub spikes: Vec<(f64, u32)>,
}

/// One population's measures in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    pub count: u64,
    /// Mean rate per neuron and its standard error: across neurons, and never below the
    /// count's own (Poisson) error, so that one neuron's rate has an error too. Hz.
    pub rate_hz: f64,
    pub rate_se: f64,
    /// Mean CV of the intervals over neurons with at least three, and its standard error (NaN
    /// from a single neuron).
    pub cv: Option<(f64, f64)>,
}

impl Run {
    pub fn load(dir: &Path) -> Result<Run, String> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let summary: serde_json::Value =
            serde_json::from_str(&read("summary.json")?).map_err(|e| format!("{}/summary.json: {e}", dir.display()))?;
        let populations = summary["populations"]
            .as_array()
            .ok_or_else(|| format!("{}/summary.json has no `populations` list", dir.display()))?
            .iter()
            .map(|p| {
                Some(Population {
                    name: p["name"].as_str()?.to_string(),
                    first: p["first"].as_u64()? as u32,
                    size: p["size"].as_u64()? as u32,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("{}/summary.json: each population needs name, first and size", dir.display()))?;
        let simulated_ms = summary["simulated_ms"]
            .as_f64()
            .ok_or_else(|| format!("{}/summary.json has no `simulated_ms`", dir.display()))?;
        let mut spikes = Vec::new();
        for (k, line) in read("spikes.csv")?.lines().enumerate().skip(1) {
            let parsed = line.split_once(',').and_then(|(t, n)| Some((t.trim().parse().ok()?, n.trim().parse().ok()?)));
            spikes.push(parsed.ok_or_else(|| format!("{}/spikes.csv:{}: expected t_ms,neuron", dir.display(), k + 1))?);
        }
        Ok(Run { populations, simulated_ms, spikes })
    }

    /// The measures of population `p`.
    pub fn measures(&self, p: &Population) -> Measures {
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); p.size as usize];
        for &(t, n) in &self.spikes {
            if n >= p.first && n < p.first + p.size {
                times[(n - p.first) as usize].push(t);
            }
        }
        let seconds = (self.simulated_ms / 1000.0).max(1e-12);
        let rates: Vec<f64> = times.iter().map(|t| t.len() as f64 / seconds).collect();
        let cvs: Vec<f64> = times
            .iter_mut()
            .filter_map(|t| {
                t.sort_by(f64::total_cmp);
                cv(&t.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>())
            })
            .collect();
        let (rate_hz, across) = mean_se(&rates);
        let count: u64 = times.iter().map(|t| t.len() as u64).sum();
        let poisson = (count as f64).sqrt() / seconds / p.size.max(1) as f64;
        // One neuron's CV has no error across neurons: NaN, and no difference is computed.
        let cv =
            (!cvs.is_empty()).then(|| mean_se(&cvs)).map(|(m, se)| (m, if cvs.len() >= 2 { se } else { f64::NAN }));
        Measures { count, rate_hz, rate_se: across.max(poisson), cv }
    }
}

/// The mean and its standard error.
fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    let var = if n > 1.0 { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, (var / n).sqrt())
}

/// A difference in standard errors (0 when both are exact and equal).
fn in_se(a: f64, b: f64, se_a: f64, se_b: f64) -> f64 {
    let se = (se_a * se_a + se_b * se_b).sqrt();
    if se > 0.0 {
        (b - a) / se
    } else if a == b {
        0.0
    } else {
        f64::INFINITY.copysign(b - a)
    }
}

/// The comparison table, and per population the rate difference in standard errors.
pub fn compare(a: &Run, b: &Run) -> Result<(String, Vec<(String, f64)>), String> {
    let names = |r: &Run| r.populations.iter().map(|p| (p.name.clone(), p.size)).collect::<Vec<_>>();
    if names(a) != names(b) {
        return Err(format!("the runs have different populations: {:?} and {:?}", names(a), names(b)));
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<12} {:>9} {:>12} {:>12} {:>8} {:>9} {:>9} {:>8} {:>10} {:>10}",
        "population",
        "neurons",
        "rate A [Hz]",
        "rate B [Hz]",
        "diff/SE",
        "CV A",
        "CV B",
        "diff/SE",
        "spikes A",
        "spikes B"
    );
    let mut diffs = Vec::new();
    for (pa, pb) in a.populations.iter().zip(&b.populations) {
        let (ma, mb) = (a.measures(pa), b.measures(pb));
        let rate_z = in_se(ma.rate_hz, mb.rate_hz, ma.rate_se, mb.rate_se);
        let cv = |m: &Measures| m.cv.map_or("-".to_string(), |(c, _)| format!("{c:.3}"));
        let cv_z = match (ma.cv, mb.cv) {
            (Some((x, sx)), Some((y, sy))) if !(sx.is_nan() || sy.is_nan()) => format!("{:+.2}", in_se(x, y, sx, sy)),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            text,
            "{:<12} {:>9} {:>12.3} {:>12.3} {:>+8.2} {:>9} {:>9} {:>8} {:>10} {:>10}",
            pa.name,
            pa.size,
            ma.rate_hz,
            mb.rate_hz,
            rate_z,
            cv(&ma),
            cv(&mb),
            cv_z,
            ma.count,
            mb.count
        );
        diffs.push((pa.name.clone(), rate_z));
    }
    Ok((text, diffs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(spikes: Vec<(f64, u32)>) -> Run {
        let pop = |name: &str, first, size| Population { name: name.into(), first, size };
        Run { populations: vec![pop("E", 0, 2), pop("I", 2, 1)], simulated_ms: 1000.0, spikes }
    }

    #[test]
    fn rates_cvs_and_differences_per_population() {
        // E: neuron 0 fires regularly 4 times (CV 0), neuron 1 three times (CV 0); I: neuron 2 once.
        let a =
            run(vec![(100.0, 0), (200.0, 0), (300.0, 0), (400.0, 0), (150.0, 1), (250.0, 1), (350.0, 1), (10.0, 2)]);
        let e = a.measures(&a.populations[0]);
        assert_eq!((e.count, e.rate_hz), (7, 3.5));
        assert!((e.rate_se - 7f64.sqrt() / 2.0).abs() < 1e-12, "Poisson's sqrt(7) / 2 beats 0.5 across neurons");
        assert!(e.cv.is_some_and(|(cv, se)| cv == 0.0 && se.is_nan()), "one neuron with 3 intervals: {:?}", e.cv);
        let i = a.measures(&a.populations[1]);
        assert_eq!((i.rate_hz, i.rate_se, i.cv), (1.0, 1.0, None), "one spike: error 1, no CV");
        let (text, diffs) = compare(&a, &a).unwrap();
        assert!(text.contains("E") && text.contains("3.500"), "{text}");
        assert_eq!(diffs, vec![("E".to_string(), 0.0), ("I".to_string(), 0.0)]);
        let b = run(vec![(100.0, 0), (150.0, 1), (10.0, 2)]);
        let (_, diffs) = compare(&a, &b).unwrap();
        // B: rate 1 with error max(0, sqrt(2) / 2); A: 3.5 with sqrt(7) / 2.
        let expected = (1.0 - 3.5) / (7.0f64 / 4.0 + 2.0 / 4.0).sqrt();
        assert!((diffs[0].1 - expected).abs() < 1e-12, "{diffs:?}");
    }
}
