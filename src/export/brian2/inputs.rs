//! Inputs in Brian2: Poisson and spike-source groups, and stimuli as TimedArrays or expressions.

use super::*;

/// 1 from `start` for `duration` ms, else 0 (an expression of Brian2's `t`).
pub(super) fn window(start: f64, duration: f64) -> String {
    format!("int(t >= {}*ms)*int(t < {}*ms)", py(start), py((start + duration).min(1e12)))
}

pub(super) fn source_group(s: &mut String, name: &str, n: u32, source: &SpikeSource) -> Result<(), String> {
    let var = py_str(name);
    match source {
        SpikeSource::Poisson { rate_hz, start_ms, duration_ms } => {
            let _ = writeln!(
                s,
                "groups[{var}] = PoissonGroup({n}, rates={}, name={})",
                py_str(&format!("{}*Hz*{}", py(*rate_hz), window(*start_ms, *duration_ms))),
                py_str(&format!("src_{name}"))
            );
        }
        SpikeSource::ModulatedPoisson { rate_hz, depth_hz, frequency_hz, start_ms, duration_ms } => {
            let rate = format!(
                "clip({} + {}*sin(2*pi*{}*Hz*t), 0, inf)*Hz*{}",
                py(*rate_hz),
                py(*depth_hz),
                py(*frequency_hz),
                window(*start_ms, *duration_ms)
            );
            let _ = writeln!(
                s,
                "groups[{var}] = PoissonGroup({n}, rates={}, name={})",
                py_str(&rate),
                py_str(&format!("src_{name}"))
            );
        }
        SpikeSource::Regular { rate_hz, start_ms, duration_ms } => {
            let _ = writeln!(
                s,
                "_times = numpy.arange({}, {}, {})\ngroups[{var}] = SpikeGeneratorGroup({n}, numpy.repeat(numpy.arange({n}), len(_times)), numpy.tile(_times, {n})*ms, name={})",
                py(*start_ms),
                py((start_ms + duration_ms).min(1e9)),
                py(1000.0 / rate_hz),
                py_str(&format!("src_{name}"))
            );
        }
        SpikeSource::Times { times_ms } => {
            let times: Vec<String> = times_ms.iter().map(|t| py(*t)).collect();
            let _ = writeln!(
                s,
                "_times = numpy.array([{}])\ngroups[{var}] = SpikeGeneratorGroup({n}, numpy.repeat(numpy.arange({n}), len(_times)), numpy.tile(_times, {n})*ms, name={})",
                times.join(", "),
                py_str(&format!("src_{name}"))
            );
        }
        SpikeSource::Digits { .. } => {
            return Err("the bundled digits are spikelab's data; their source is not exported".into());
        }
    }
    Ok(())
}

/// An input: its deterministic current sampled per step (a TimedArray), its spike trains per
/// neuron (PoissonInput), white noise redrawn every step; only over its neurons.
pub(super) fn input_of(s: &mut String, preset: &Preset, net: &NetworkSpec, k: usize) -> Result<(), String> {
    let (dt, duration_ms) = (preset.run.dt_ms, preset.run.duration_ms);
    let input = &net.inputs[k];
    let pop = net.populations.iter().find(|p| p.name == input.population).expect("validated");
    let var = py_str(&pop.name);
    let mask = match input.neurons {
        None => "1.0".to_string(),
        Some((a, b)) => format!("(numpy.arange({}) >= {a})*(numpy.arange({}) < {b})", pop.size, pop.size),
    };
    let _ = writeln!(s, "groups[{var}].mask{k} = {mask}");
    // Deterministic components, sampled at every step of the run.
    let mut deterministic = input.stimulus.clone();
    deterministic.components.retain(|c| !matches!(c, Component::Spikes { .. } | Component::Noise { .. }));
    // Sampled at every step, written as runs of equal values (a pulse train stays short).
    let mut runs: Vec<(f64, usize)> = Vec::new();
    if !deterministic.components.is_empty() {
        let steps = (duration_ms / dt).round() as usize + 1;
        for n in 0..steps {
            let v = deterministic.value_at(n as f64 * dt);
            match runs.last_mut() {
                Some((last, count)) if *last == v => *count += 1,
                _ => runs.push((v, 1)),
            }
        }
    } else {
        runs.push((0.0, 1));
    }
    let values: Vec<String> = runs.iter().map(|(v, _)| py(*v)).collect();
    let counts: Vec<String> = runs.iter().map(|(_, c)| c.to_string()).collect();
    let _ = writeln!(
        s,
        "stim{k} = TimedArray(numpy.repeat(numpy.array([{}]), [{}]), dt={}*ms)",
        values.join(", "),
        counts.join(", "),
        py(dt)
    );
    let model = pop.neuron;
    let (first, n) = input.neurons.map_or((0, pop.size), |(a, b)| (a, b - a));
    for (j, c) in input.stimulus.components.iter().enumerate() {
        if input.stimulus.muted.contains(&j) {
            continue;
        }
        match c {
            // Poisson drive over the whole run into one trace: Brian2's PoissonInput (a binomial
            // count per step, not a source per neuron).
            Component::Spikes {
                source: SpikeSource::Poisson { rate_hz, start_ms, duration_ms },
                kernel,
                weight,
                ..
            } if *start_ms == 0.0
                && start_ms + duration_ms >= 1e9
                && !matches!(kernel, Kernel::DoubleExponential { .. }) =>
            {
                let (target, scale) = match kernel {
                    Kernel::Delta if spreads_charge(preset, pop) => ("q_in".to_string(), String::new()),
                    Kernel::Delta => ("v".to_string(), format!("{}*int(not_refractory)", model_charge(&model)?)),
                    Kernel::Alpha { .. } => (format!("x_in{k}_{j}"), "*exp(1)".to_string()),
                    _ => (format!("s_in{k}_{j}"), String::new()),
                };
                // A binomial count of N sources, each with at most a 0.1 % chance a step: the
                // Poisson count of the whole rate to within 0.1 % of its variance.
                let sources = (rate_hz * dt * 1e-3 * 1000.0).ceil().max(1.0);
                let _ = writeln!(
                    s,
                    "inputs.append(PoissonInput(groups[{var}], {}, {}, {}*Hz, weight={}))",
                    py_str(&target),
                    sources,
                    py(rate_hz / sources),
                    py_str(&format!("{}{scale}*mask{k}", py(*weight)))
                );
            }
            // Each neuron's own train: a source per neuron, one to one.
            Component::Spikes { source, kernel, weight, .. } => {
                let group = format!("in{k}_{j}");
                source_group(s, &group, n, source)?;
                let effect = match kernel {
                    Kernel::Delta if spreads_charge(preset, pop) => format!("q_in_post += {}", py(*weight)),
                    Kernel::Delta => {
                        format!("v_post += {}{}*int(not_refractory_post)", py(*weight), model_charge(&model)?)
                    }
                    _ => kernel_terms(&group, *kernel, None).1.replace("WEIGHT", &format!("({})", py(*weight))),
                };
                let _ = writeln!(
                    s,
                    "S = Synapses(groups[{g}], groups[{var}], on_pre={}, name={})\nS.connect(i=numpy.arange({n}), j=numpy.arange({n}) + {first})\ninputs += [groups.pop({g}), S]",
                    py_str(&effect),
                    py_str(&format!("syn_{group}")),
                    g = py_str(&group),
                );
            }
            Component::Noise { mean, sigma, tau_ms, .. } if (-dt / tau_ms).exp() < 1e-8 => {
                // White: a new value every step (its neurons and window gate the current).
                let _ = writeln!(
                    s,
                    "groups[{var}].run_regularly(\"noise{k} = {} + {}*randn()\", dt={}*ms, when=\"start\")",
                    py(*mean),
                    py(*sigma),
                    py(dt)
                );
            }
            _ => {}
        }
    }
    Ok(())
}
