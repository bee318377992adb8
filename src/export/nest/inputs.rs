//! Inputs in NEST: Poisson generators, DC and steps as current generators, and spike-source populations as parrots.

use super::*;

pub(super) fn has_spike_input(net: &NetworkSpec, population: &str) -> bool {
    net.inputs
        .iter()
        .filter(|i| i.population == population)
        .any(|i| i.stimulus.components.iter().any(|c| matches!(c, Component::Spikes { .. })))
}

pub(super) fn source_name(source: &SpikeSource) -> &'static str {
    match source {
        SpikeSource::Poisson { .. } => "Poisson",
        SpikeSource::ModulatedPoisson { .. } => "modulated Poisson",
        SpikeSource::Regular { .. } => "regular",
        SpikeSource::Times { .. } => "spike-times",
        SpikeSource::Digits { .. } => "digits",
    }
}

/// Inputs: Poisson drive per neuron (a `poisson_generator` gives each target its own train), DC
/// and steps as current generators.
pub(super) fn inputs(s: &mut String, net: &NetworkSpec, nodes: &[Nodes], dt: f64) -> Result<(), String> {
    if net.inputs.is_empty() {
        return Ok(());
    }
    let _ = writeln!(
        s,
        "\n# Inputs: a Poisson generator gives each neuron its own train. A device reaches its targets\n\
         # one step (NEST's least delay) after it acts, so its times are set one step early."
    );
    let early = |t: f64| (t - dt).max(dt);
    for (k, input) in net.inputs.iter().enumerate() {
        let p = index(net, &input.population);
        // Current generators speak pA.
        let amp = nodes[p].current_scale;
        let target = match input.neurons {
            None => format!("pops[{}]", py_str(&input.population)),
            Some((a, b)) => format!("pops[{}][{a}:{b}]", py_str(&input.population)),
        };
        let muted = |j: usize| input.stimulus.muted.contains(&j);
        for (_, c) in input.stimulus.components.iter().enumerate().filter(|(j, _)| !muted(*j)) {
            let refuse = |what: &str| {
                Err(format!("input {k} into {}: {what} has no NEST generator here; {BRIAN2}", input.population))
            };
            match c {
                Component::Spikes {
                    source: SpikeSource::Poisson { rate_hz, start_ms, duration_ms },
                    kernel,
                    weight,
                    ..
                } => {
                    let w = match kernel {
                        Kernel::Delta => weight * nodes[p].delta_scale,
                        _ => *weight,
                    };
                    let _ = writeln!(
                        s,
                        "nest.Connect(nest.Create(\"poisson_generator\", params={{\"rate\": {}, \"start\": {}, \"stop\": {}}}), {target}, syn_spec={{\"weight\": {}, \"delay\": {}}})",
                        py(*rate_hz),
                        py((start_ms - dt).max(0.0)),
                        py((start_ms + duration_ms - dt).min(1e12)),
                        py(w),
                        py(dt)
                    );
                }
                Component::Dc { amplitude } => {
                    let _ = writeln!(
                        s,
                        "nest.Connect(nest.Create(\"dc_generator\", params={{\"amplitude\": {}}}), {target}, syn_spec={{\"delay\": {}}})",
                        py(amplitude * amp),
                        py(dt)
                    );
                }
                Component::Step { start_ms, amplitude } => {
                    let _ = writeln!(
                        s,
                        "nest.Connect(nest.Create(\"step_current_generator\", params={{\"amplitude_times\": [{}], \"amplitude_values\": [{}]}}), {target}, syn_spec={{\"delay\": {}}})",
                        py(early(*start_ms)),
                        py(amplitude * amp),
                        py(dt)
                    );
                }
                Component::Pulse { start_ms, duration_ms, amplitude } => {
                    let _ = writeln!(
                        s,
                        "nest.Connect(nest.Create(\"step_current_generator\", params={{\"amplitude_times\": [{}, {}], \"amplitude_values\": [{}, 0.0]}}), {target}, syn_spec={{\"delay\": {}}})",
                        py(early(*start_ms)),
                        py(early(start_ms + duration_ms).max(2.0 * dt)),
                        py(amplitude * amp),
                        py(dt)
                    );
                }
                Component::PulseTrain { start_ms, count, period_ms, width_ms, amplitude } => {
                    let mut times = Vec::new();
                    let mut values = Vec::new();
                    for k in 0..*count {
                        let on = start_ms + k as f64 * period_ms;
                        times.extend([py(early(on)), py(early(on + width_ms).max(2.0 * dt))]);
                        values.extend([py(amplitude * amp), "0.0".to_string()]);
                    }
                    let _ = writeln!(
                        s,
                        "nest.Connect(nest.Create(\"step_current_generator\", params={{\"amplitude_times\": [{}], \"amplitude_values\": [{}], \"allow_offgrid_times\": True}}), {target}, syn_spec={{\"delay\": {}}})",
                        times.join(", "),
                        values.join(", "),
                        py(dt)
                    );
                }
                // Noise correlated over less than a step is white: a new value every step.
                Component::Noise { start_ms, duration_ms, mean, sigma, tau_ms, .. } if (-dt / tau_ms).exp() < 1e-8 => {
                    let _ = writeln!(
                        s,
                        "nest.Connect(nest.Create(\"noise_generator\", params={{\"mean\": {}, \"std\": {}, \"dt\": {}, \"start\": {}, \"stop\": {}}}), {target}, syn_spec={{\"delay\": {}}})",
                        py(mean * amp),
                        py(sigma * amp),
                        py(dt),
                        py(early(*start_ms)),
                        py(early(start_ms + duration_ms).min(1e12)),
                        py(dt)
                    );
                }
                Component::Spikes { source, .. } => return refuse(&format!("a {} spike input", source_name(source))),
                Component::Ramp { .. } => return refuse("a ramp"),
                Component::Sine { .. } => return refuse("a sine"),
                Component::Chirp { .. } => return refuse("a chirp"),
                Component::Curve { .. } => return refuse("a curve"),
                Component::Noise { .. } => return refuse("Ornstein-Uhlenbeck noise correlated over more than a step"),
            }
        }
    }
    Ok(())
}

/// Spike-source populations: each parrot repeats its own Poisson generator's train, so every
/// target of one source sees the same spikes.
pub(super) fn sources(s: &mut String, net: &NetworkSpec, nodes: &[Nodes], dt: f64) {
    for (pop, n) in net.populations.iter().zip(nodes) {
        if let Some(SpikeSource::Times { times_ms }) = &n.source {
            // Every neuron of the population fires at these times (set one step early: the
            // generator reaches its parrots a step later).
            let times: Vec<String> = times_ms.iter().map(|t| py((t - dt).max(dt))).collect();
            let _ = writeln!(
                s,
                "nest.Connect(nest.Create(\"spike_generator\", params={{\"spike_times\": [{}], \"allow_offgrid_times\": True}}), pops[{}], syn_spec={{\"delay\": {}}})",
                times.join(", "),
                py_str(&pop.name),
                py(dt)
            );
        }
        if let Some(SpikeSource::Poisson { rate_hz, start_ms, duration_ms }) = &n.source {
            let _ = writeln!(
                s,
                "nest.Connect(nest.Create(\"poisson_generator\", {}, params={{\"rate\": {}, \"start\": {}, \"stop\": {}}}), pops[{}], \"one_to_one\", syn_spec={{\"delay\": {}}})",
                pop.size,
                py(*rate_hz),
                py((start_ms - dt).max(0.0)),
                py((start_ms + duration_ms - dt).min(1e12)),
                py_str(&pop.name),
                py(dt)
            );
        }
    }
}
