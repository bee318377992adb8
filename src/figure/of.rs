//! The figures of the lab's views, built from plain data so that the window (from what it
//! holds) and `spikelab run --figures` (from what the run recorded) draw the same figure.

use super::{Axis, Figure, Mark, Panel, Series};
use crate::analysis::fi::FiPoint;
use crate::analysis::phase_plane::{
    Plane, Polyline, fixed_points, nullclines, phase_line, plane, y_range_for, zero_crossings,
};
use crate::analysis::populations::PopulationActivity;
use crate::network::{NetworkSpec, Spike};
use crate::neuron::NeuronModel;

fn t_ms() -> Axis {
    Axis::new("t", "ms")
}

/// The traced neuron: its membrane potential with its spikes, its hidden variables, and the
/// current it received, over `x_range`.
pub fn traces(
    model: &NeuronModel,
    vars: &[Vec<[f64; 2]>],
    spike_times: &[f64],
    input: Vec<[f64; 2]>,
    x_range: (f64, f64),
) -> Figure {
    let specs = model.vars();
    let v = &specs[0];
    let threshold = model.threshold();
    let mut membrane = Panel::new("membrane", t_ms(), Axis::new(v.label, v.unit))
        .with(Series::new(v.label, Mark::Line, vars.first().cloned().unwrap_or_default()))
        .x_range(x_range)
        .height(2.0);
    if !spike_times.is_empty() {
        membrane =
            membrane.with(Series::new("spike", Mark::Dots, spike_times.iter().map(|&t| [t, threshold]).collect()));
    }
    let mut panels = vec![membrane];
    if vars.len() > 1 {
        let names: Vec<&str> = specs[1..vars.len()].iter().map(|s| s.label).collect();
        let mut hidden =
            Panel::new("hidden variables", t_ms(), Axis::new(names.join(", "), specs[1].unit)).x_range(x_range);
        for (spec, points) in specs[1..].iter().zip(&vars[1..]) {
            hidden = hidden.with(Series::new(spec.label, Mark::Line, points.clone()));
        }
        panels.push(hidden);
    }
    panels.push(
        Panel::new("input current", t_ms(), Axis::new("I", model.current_unit()))
            .with(Series::new("I", Mark::Line, input))
            .x_range(x_range),
    );
    Figure::new(format!("{} neuron", model.kind().name()), panels)
}

/// Spikes of a network by population (the first `rows` neurons of each, stacked), and each
/// population's rate (all its neurons) in bins of `bin_ms`.
pub fn raster(spec: &NetworkSpec, spikes: &[Spike], x_range: (f64, f64), bin_ms: f64, rows: u32) -> Figure {
    let offsets = spec.offsets();
    let shown = spec.populations.iter().any(|p| p.size > rows);
    let row_axis = if shown { format!("neuron (first {rows} of each population)") } else { "neuron".into() };
    let mut dots = Panel::new("raster", t_ms(), Axis::new(row_axis, "")).x_range(x_range).height(2.0);
    let mut rates = Panel::new("population rate", t_ms(), Axis::new("rate", "Hz")).x_range(x_range);
    let bins = (((x_range.1 - x_range.0) / bin_ms).ceil() as usize).max(1);
    let mut row0 = 0;
    for (pop, &first) in spec.populations.iter().zip(&offsets) {
        let mut counts = vec![0u32; bins];
        let mut points = Vec::new();
        for s in spikes.iter().filter(|s| (first..first + pop.size).contains(&s.neuron)) {
            if s.t_ms < x_range.0 || s.t_ms > x_range.1 {
                continue;
            }
            counts[(((s.t_ms - x_range.0) / bin_ms) as usize).min(bins - 1)] += 1;
            if s.neuron - first < rows {
                points.push([s.t_ms, (row0 + s.neuron - first) as f64]);
            }
        }
        row0 += pop.size.min(rows);
        dots = dots.with(Series::new(&pop.name, Mark::Dots, points));
        let per_neuron_s = 1000.0 / (bin_ms * pop.size.max(1) as f64);
        let curve = counts
            .iter()
            .enumerate()
            .map(|(k, &c)| [x_range.0 + (k as f64 + 0.5) * bin_ms, c as f64 * per_neuron_s])
            .collect();
        rates = rates.with(Series::new(&pop.name, Mark::Line, curve));
    }
    Figure::new("network activity", vec![dots, rates])
}

/// Single-cell rates per population as box plots (Potjans & Diesmann 2014, Fig. 6), with each
/// population's mean rate, CV and synchrony in its name, over `span` of the run.
pub fn rate_boxes(activity: &[PopulationActivity], span: (f64, f64)) -> Figure {
    let names = activity.iter().map(|a| a.name.clone()).collect();
    let mut panel = Panel::new("single-cell rates", Axis::new("population", ""), Axis::new("rate", "Hz"))
        .x_names(names)
        .x_range((-0.6, activity.len() as f64 - 0.4));
    for (k, a) in activity.iter().enumerate() {
        let x = k as f64;
        let b = a.rates;
        let cv = a.cv_isi.map_or("-".into(), |c| format!("{c:.2}"));
        let name = format!("{}: {:.2} Hz, CV {cv}, synchrony {:.3}", a.name, a.rate_hz, a.synchrony);
        let points = [b.low, b.q1, b.median, b.q3, b.high].map(|y| [x, y]).to_vec();
        panel = panel.with(Series::new(name, Mark::Box(0.6), points));
    }
    Figure::new(format!("rates per population, {:.0} to {:.0} ms", span.0, span.1), vec![panel])
}

/// The f-I curve: mean and steady rates against the injected current.
pub fn fi(points: &[FiPoint], current_unit: &str) -> Figure {
    let current = || Axis::new("I", current_unit);
    let rate = Panel::new("firing rate", current(), Axis::new("rate", "Hz"))
        .with(Series::new(
            "mean rate (spikes / duration)",
            Mark::Line,
            points.iter().map(|p| [p.current, p.rate_hz]).collect(),
        ))
        .with(Series::new(
            "steady rate (1 / mean ISI)",
            Mark::Line,
            points.iter().map(|p| [p.current, p.steady_rate_hz]).collect(),
        ))
        .height(2.0);
    let latency = Panel::new("first-spike latency", current(), Axis::new("first spike", "ms")).with(Series::new(
        "first-spike latency",
        Mark::Dots,
        points.iter().filter_map(|p| Some([p.current, p.first_spike_ms?])).collect(),
    ));
    Figure::new("f-I curve", vec![rate, latency])
}

/// The phase plane at current `i` (both nullclines, the fixed points and a trajectory broken
/// by non-finite points at resets), or a one-dimensional model's phase line; `None` for models
/// with neither.
pub fn phase(model: &NeuronModel, i: f64, trajectory: &[[f64; 2]]) -> Option<Figure> {
    let Some(plane) = plane(model) else {
        return (model.vars().len() == 1).then(|| phase_line_figure(model, i));
    };
    let extra: Vec<f64> = trajectory.iter().map(|p| p[1]).filter(|y| y.is_finite()).collect();
    let y_range = y_range_for(model, i, plane.x_range, &extra);
    let (xn, yn) = nullclines(model, i, plane.x_range, y_range, 300);
    let fixed: Vec<[f64; 2]> = fixed_points(model, i, plane.x_range, y_range).iter().map(|f| [f.x, f.y]).collect();
    Some(phase_plane(model, i, &plane, (&xn, &yn), &fixed, trajectory))
}

/// The phase plane from its computed parts.
pub fn phase_plane(
    model: &NeuronModel,
    i: f64,
    plane: &Plane,
    (xn, yn): (&[Polyline], &[Polyline]),
    fixed: &[[f64; 2]],
    trajectory: &[[f64; 2]],
) -> Figure {
    let vars = model.vars();
    let axis = |j: usize| Axis::new(vars[j].label, vars[j].unit);
    // Polylines joined into one series each, broken by a non-finite point.
    let joined = |lines: &[Polyline]| -> Vec<[f64; 2]> {
        lines.iter().flat_map(|l| l.iter().copied().chain([[f64::NAN; 2]])).collect()
    };
    let panel = Panel::new(format!("I = {i:.3} {}", model.current_unit()), axis(plane.x_var), axis(plane.y_var))
        .with(Series::new(format!("d{}/dt = 0", vars[plane.x_var].label), Mark::Line, joined(xn)))
        .with(Series::new(format!("d{}/dt = 0", vars[plane.y_var].label), Mark::Line, joined(yn)))
        .with(Series::new("trajectory", Mark::Line, trajectory.to_vec()))
        .with(Series::new("fixed points", Mark::Dots, fixed.to_vec()))
        .x_range(plane.x_range);
    Figure::new(format!("{} phase plane", model.kind().name()), vec![panel])
}

/// dV/dt against V, with the fixed points where it crosses zero.
fn phase_line_figure(model: &NeuronModel, i: f64) -> Figure {
    let curve = phase_line(model, i);
    let zeros = zero_crossings(&curve);
    let v = model.vars()[0];
    let panel = Panel::new(
        format!("I = {i:.3} {}", model.current_unit()),
        Axis::new(v.label, v.unit),
        Axis::new(format!("d{}/dt", v.label), format!("{}/ms", v.unit)),
    )
    .with(Series::new(format!("d{}/dt", v.label), Mark::Line, curve))
    .with(Series::new("fixed points", Mark::Dots, zeros));
    Figure::new(format!("{} phase line", model.kind().name()), vec![panel])
}

/// Plastic weights: their distribution over time (fractions of synapses per bin of w / w_max)
/// with the mean, and the histogram of the final weights (`last`, fractions of w_max).
pub fn weights(samples: &[(f64, [f64; 4], Vec<u32>)], last: &[f64]) -> Figure {
    let mut heat = Vec::new();
    for (t, _, bins) in samples {
        let total: u32 = bins.iter().sum::<u32>().max(1);
        let n = bins.len() as f64;
        heat.extend(bins.iter().enumerate().map(|(k, &c)| [t / 1000.0, (k as f64 + 0.5) / n, c as f64 / total as f64]));
    }
    let dt_s = samples.windows(2).next().map_or(1.0, |w| (w[1].0 - w[0].0) / 1000.0).max(1e-9);
    let n_bins = samples.first().map_or(1, |s| s.2.len()).max(1) as f64;
    let w = Axis::new("w / w_max", "");
    let mut over_time = Panel::new("weights over time", Axis::new("t", "s"), w.clone())
        .with(Series::cells("share of synapses", (dt_s, 1.0 / n_bins), heat))
        .with(Series::new("mean", Mark::Line, samples.iter().map(|(t, s, _)| [t / 1000.0, s[0]]).collect()))
        .height(1.5);
    over_time.z = Some(Axis::new("share of synapses", ""));
    const FINAL_BINS: usize = 40;
    let mut counts = [0u32; FINAL_BINS];
    for &f in last {
        counts[((f * FINAL_BINS as f64) as usize).min(FINAL_BINS - 1)] += 1;
    }
    let width = 1.0 / FINAL_BINS as f64;
    let histogram = Panel::new("final weights", w, Axis::new("synapses", "")).with(Series::new(
        "synapses",
        Mark::Bars(width),
        counts.iter().enumerate().map(|(k, &c)| [(k as f64 + 0.5) * width, c as f64]).collect(),
    ));
    Figure::new("plastic weights", vec![over_time, histogram])
}

/// A 10 x 10 confusion matrix as cells (true digit against predicted).
pub fn confusion(confusion: &[[u32; 10]; 10]) -> Figure {
    let cells = (0..10).flat_map(|t| (0..10).map(move |p| [p as f64, t as f64, confusion[t][p] as f64])).collect();
    let mut panel = Panel::new("confusion", Axis::new("predicted digit", ""), Axis::new("true digit", ""))
        .with(Series::cells("images", (1.0, 1.0), cells));
    panel.z = Some(Axis::new("images", ""));
    Figure::new("test images by true and predicted digit", vec![panel])
}

/// Named points of one curve.
pub type Curve<'a> = (&'a str, Vec<[f64; 2]>);

/// Curves over a common x (a learning task's progress): one panel per `(name, y, curves)`.
pub fn curves(title: &str, x: Axis, panels: Vec<(&str, Axis, Vec<Curve>)>) -> Figure {
    let panels = panels
        .into_iter()
        .map(|(name, y, series)| {
            series.into_iter().fold(Panel::new(name, x.clone(), y), |panel, (label, points)| {
                panel.with(Series::new(label, Mark::Line, points))
            })
        })
        .collect();
    Figure::new(title, panels)
}

/// Spike trains as dots, one row per train.
pub fn trains(title: &str, spikes: &[(f64, usize)], row: Axis) -> Figure {
    let points = spikes.iter().map(|&(t, i)| [t, i as f64]).collect();
    Figure::new(title, vec![Panel::new("spikes", t_ms(), row).with(Series::new("spike", Mark::Dots, points))])
}

/// Devices drawn in a device's pulse response, and the cycles they take.
pub const DEVICE_SAMPLES: u32 = 3;
pub const DEVICE_CYCLES: u32 = 2;
/// Most pulses drawn each way (Querlioz's memristor spans its range in 3741).
const DEVICE_MAX_PULSES: f64 = 5000.0;
/// Fractions of the range the step map samples.
const STEP_POINTS: usize = 101;

/// A memory device: conductance against pulse number for [`DEVICE_SAMPLES`] devices (drawn with
/// its d2d spread, from `seed`), [`DEVICE_CYCLES`] cycles of the pulses that span its range up then
/// down, over the nominal device; and the step map, ΔG per pulse against G, up and down.
pub fn device(device: &crate::synapse::device::Device, seed: u64) -> Figure {
    use crate::synapse::device::mapping::{PulseRow, pulse_response};
    let pulses = device.span_pulses().round().clamp(1.0, DEVICE_MAX_PULSES) as u32;
    // Conductance against the pulse count from the start, for drawn device `d`.
    let series = |rows: &[PulseRow], d: u32| -> Vec<[f64; 2]> {
        rows.iter().filter(|r| r.device == d).enumerate().map(|(k, r)| [k as f64, r.g_us]).collect()
    };
    let drawn = pulse_response(device, pulses, DEVICE_CYCLES, DEVICE_SAMPLES, seed);
    let x = Axis::new(format!("pulse ({DEVICE_CYCLES} cycles of {pulses} up, then {pulses} down)"), "");
    let mut response = Panel::new("pulse response", x, Axis::new("G", "µS"));
    for d in 0..DEVICE_SAMPLES {
        response = response.with(Series::new(format!("device {}", d + 1), Mark::Line, series(&drawn, d)));
    }
    let nominal = crate::synapse::device::Device { variation: Default::default(), ..device.clone() };
    let nominal = series(&pulse_response(&nominal, pulses, DEVICE_CYCLES, 1, seed), 0);
    let range = device.g_max_us - device.g_min_us;
    let map = |up: bool| {
        (0..STEP_POINTS)
            .map(|k| {
                let x = k as f64 / (STEP_POINTS - 1) as f64;
                [device.g_min_us + x * range, device.step_us(x, up)]
            })
            .collect()
    };
    let steps = Panel::new("step map", Axis::new("G", "µS"), Axis::new("ΔG per pulse", "µS"))
        .with(Series::new("up", Mark::Line, map(true)))
        .with(Series::new("down", Mark::Line, map(false)));
    Figure::new(
        format!("{}: {}", device.name, device.readout()),
        vec![response.with(Series::new("nominal", Mark::Line, nominal)), steps],
    )
}
