//! The NEST 3.10 script (current API: `nest.Create`, `nest.Connect`, attribute access and
//! `nest.random.*`; no SLI, no `GetStatus`/`SetStatus`). Every model, synapse, rule,
//! distribution, input and plasticity rule spikelab has is matched here exhaustively: it maps to
//! NEST's own or is refused with the reason and the alternative.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{py, py_str};
use crate::integrate::{Integrator, SpikeTiming};
use crate::network::spec::{Connectivity, Dist, NetworkSpec, PopulationSpec, Reset};
use crate::neuron::NeuronModel;
use crate::preset::Preset;
use crate::stimulus::{Component, SpikeSource};
use crate::synapse::Kernel;
use crate::synapse::plasticity::StdpRule;

const BRIAN2: &str = "export it to Brian2 instead, whose equations cover it";

/// How a population becomes NEST nodes.
struct Nodes {
    model: &'static str,
    params: Vec<(&'static str, f64)>,
    flags: Vec<(&'static str, bool)>,
    /// NEST's weight per unit of spikelab's, for each synapse type (a sign flip sends an
    /// inhibitory conductance to NEST's inhibitory port).
    scale: BTreeMap<String, f64>,
    /// The scale of an input's spikes through a delta kernel (charge to NEST's weight).
    delta_scale: f64,
    /// NEST's current (pA) per unit of the model's current (a current generator's amplitude).
    current_scale: f64,
    /// Random initial states: NEST's state and spikelab's distribution (drawn as here, a
    /// synapse's kept at its sign).
    initial: Vec<(&'static str, Dist, bool)>,
    /// Parameters that vary per neuron: NEST's key and every neuron's value, as spikelab drew them.
    per_neuron: Vec<(&'static str, Vec<f64>)>,
    /// A spike source: one generator per node, through a parrot.
    source: Option<SpikeSource>,
}

pub fn script(preset: &Preset, net: &NetworkSpec) -> Result<String, String> {
    let run = &preset.run;
    let mut notes: Vec<String> = Vec::new();
    if run.spike_timing == SpikeTiming::Interpolated {
        notes.push(
            "NEST's neurons here put spikes on the step grid; the preset locates them inside the step (spike_timing: Interpolated).".into(),
        );
    }
    let nodes: Vec<Nodes> = net
        .populations
        .iter()
        .enumerate()
        .map(|(p, pop)| population(preset, net, p, pop, &mut notes))
        .collect::<Result<_, _>>()?;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "nest.ResetKernel()\n\
         nest.set(resolution={dt}, rng_seed={seed}, total_num_virtual_procs=args.threads * nest.NumProcesses(), print_time=False)\n\
         if args.mpi and nest.NumProcesses() == 1:\n    sys.exit(\"--mpi: this NEST was built without MPI (the PyPI wheel is); build NEST with MPI for a cluster\")\n",
        dt = py(run.dt_ms),
        seed = run.seed.max(1),
    );
    let _ = writeln!(s, "# Populations in the preset's order: global neuron g is NEST node g + 1.\npops = {{}}");
    for (pop, n) in net.populations.iter().zip(&nodes) {
        let flag = |b: bool| if b { "True" } else { "False" };
        let params: Vec<String> = n
            .params
            .iter()
            .map(|(k, v)| format!("{}: {}", py_str(k), py(*v)))
            .chain(n.flags.iter().map(|(k, b)| format!("{}: {}", py_str(k), flag(*b))))
            .collect();
        let _ = writeln!(
            s,
            "pops[{}] = nest.Create({}, {}, params={{{}}})",
            py_str(&pop.name),
            py_str(n.model),
            pop.size,
            params.join(", ")
        );
        for (state, dist, signed) in &n.initial {
            let value = if *signed { random_signed(dist) } else { random(dist) }?;
            let _ = writeln!(s, "pops[{}].{state} = {value}", py_str(&pop.name));
        }
        for (key, values) in &n.per_neuron {
            let values: Vec<String> = values.iter().map(|v| py(*v)).collect();
            let _ = writeln!(s, "pops[{}].{key} = [{}]", py_str(&pop.name), values.join(", "));
        }
    }
    let _ = writeln!(
        s,
        "\n# Projections (delays are axonal here, on NEST's grid of `resolution`).\n\
         # Plastic ones, written to weights_final.csv at the end: (synapse model, NEST weight per spikelab unit).\n\
         plastic = []"
    );
    for (k, proj) in net.projections.iter().enumerate() {
        let to = index(net, &proj.to);
        let scale = *nodes[to].scale.get(&proj.synapse).ok_or_else(|| {
            format!(
                "projection {k} ({} -> {}): synapse type `{}` is not one NEST's model takes",
                proj.from, proj.to, proj.synapse
            )
        })?;
        let conn = connection(&proj.rule, proj.autapses, proj.multapses)
            .map_err(|why| format!("projection {k} ({} -> {}): {why}", proj.from, proj.to))?;
        let weight = scaled(&proj.weight, scale)
            .map_err(|why| format!("projection {k} ({} -> {}): weight: {why}", proj.from, proj.to))?;
        let delay = delay(&proj.delay_ms, run.dt_ms)
            .map_err(|why| format!("projection {k} ({} -> {}): delay: {why}", proj.from, proj.to))?;
        if proj.normalise.is_some() {
            return Err(format!(
                "projection {k} ({} -> {}): weight normalisation has no NEST synapse; {BRIAN2}",
                proj.from, proj.to
            ));
        }
        let model = match &proj.plasticity {
            None => "\"static_synapse\"".to_string(),
            Some(rule) => {
                notes.push(format!(
                    "projection {k} ({} -> {}): NEST times STDP with the delay on the postsynaptic side (Δt = t_post + d - t_pre), spikelab on the presynaptic side (Δt = t_post - t_pre - d): each pairing's interval differs by 2 d.",
                    proj.from, proj.to
                ));
                let name = format!("stdp_{k}");
                let synapse = plastic(rule, scale)
                    .map_err(|why| format!("projection {k} ({} -> {}): {why}", proj.from, proj.to))?;
                let params: Vec<String> =
                    synapse.params.iter().map(|(k, v)| format!("{}: {}", py_str(k), py(*v))).collect();
                let _ = writeln!(
                    s,
                    "nest.CopyModel({}, {}, {{{}}})",
                    py_str(synapse.base),
                    py_str(&name),
                    params.join(", ")
                );
                // The postsynaptic traces' time constants belong to NEST's neuron.
                for (key, tau) in synapse.neuron {
                    let _ = writeln!(s, "pops[{}].{key} = {}", py_str(&proj.to), py(tau));
                }
                let _ = writeln!(s, "plastic.append(({}, {}))", py_str(&name), py(scale));
                py_str(&name)
            }
        };
        let _ = writeln!(
            s,
            "nest.Connect(pops[{}], pops[{}], conn_spec={conn}, syn_spec={{\"synapse_model\": {model}, \"weight\": {weight}, \"delay\": {delay}}})",
            py_str(&proj.from),
            py_str(&proj.to),
        );
    }
    inputs(&mut s, net, &nodes, run.dt_ms)?;
    sources(&mut s, net, &nodes, run.dt_ms);
    footer(&mut s, preset);
    let mut script = String::new();
    header(&mut script, preset, &notes);
    Ok(script + &s)
}

fn index(net: &NetworkSpec, name: &str) -> usize {
    net.populations.iter().position(|p| p.name == name).expect("a valid preset names its populations")
}

/// The NEST model of population `p` and how weights onto it convert.
fn population(
    preset: &Preset,
    net: &NetworkSpec,
    p: usize,
    pop: &PopulationSpec,
    notes: &mut Vec<String>,
) -> Result<Nodes, String> {
    let name = &pop.name;
    let refuse = |why: String| Err(format!("population {name}: {why}"));
    if let Some(source) = &pop.source {
        return match source {
            SpikeSource::Poisson { .. } | SpikeSource::Times { .. } => Ok(Nodes {
                model: "parrot_neuron",
                params: Vec::new(),
                flags: Vec::new(),
                scale: BTreeMap::new(),
                delta_scale: 1.0,
                current_scale: 1.0,
                initial: Vec::new(),
                per_neuron: Vec::new(),
                source: Some(source.clone()),
            }),
            other => refuse(format!("a {} spike source has no NEST generator here; {BRIAN2}", source_name(other))),
        };
    }
    if pop.reset != Reset::ToValue || pop.adaptation.is_some() {
        return refuse(format!("reset by subtraction and adaptive thresholds have no NEST model; {BRIAN2}"));
    }
    let kinds = synapse_kinds(net, p)?;
    let integrator = preset.run.integrator;
    let mut flags = Vec::new();
    let mut current_scale = 1.0;
    let (model, mut params, scale, delta_scale) = match pop.neuron {
        NeuronModel::Lif(m) => {
            if m.g_l_ns <= 0.0 {
                return refuse("g_L = 0 (a perfect integrator) has no NEST iaf model; use g_L > 0 or Brian2".into());
            }
            if integrator != Integrator::Exact {
                notes.push(format!(
                    "population {name}: NEST integrates the LIF exactly; the preset uses {} (run it with run.integrator: Exact to compare spike for spike).",
                    integrator.name()
                ));
            }
            let mut params = vec![
                ("C_m", m.c_pf),
                ("E_L", m.e_l_mv),
                ("V_th", m.v_th_mv),
                ("V_reset", m.v_reset_mv),
                ("t_ref", m.t_ref_ms),
                ("I_e", m.i_e_pa),
                ("V_m", m.v0_mv),
            ];
            let (model, scale) = family(Family::Iaf, &kinds, net, p, m.c_pf, &mut params)
                .map_err(|why| format!("population {name}: {why}"))?;
            // The conductance models take g_L, the current ones tau_m.
            match kinds {
                Kinds::Conductance { .. } => params.push(("g_L", m.g_l_ns)),
                _ => params.push(("tau_m", m.c_pf / m.g_l_ns)),
            }
            (model, params, scale, 1.0 / m.c_pf)
        }
        NeuronModel::AdEx(m) => {
            notes.push(format!("population {name}: NEST integrates AdEx with adaptive GSL steps (traces differ slightly from the preset's {}).", integrator.name()));
            let mut params = vec![
                ("C_m", m.c_pf),
                ("g_L", m.g_l_ns),
                ("E_L", m.e_l_mv),
                ("V_th", m.v_t_mv),
                ("Delta_T", m.delta_t_mv),
                ("a", m.a_ns),
                ("tau_w", m.tau_w_ms),
                ("b", m.b_pa),
                ("V_reset", m.v_r_mv),
                ("V_peak", m.v_peak_mv),
                ("t_ref", m.t_ref_ms),
                ("V_m", m.v0_mv),
            ];
            let (model, scale) = family(Family::Aeif, &kinds, net, p, m.c_pf, &mut params)
                .map_err(|why| format!("population {name}: {why}"))?;
            (model, params, scale, 1.0 / m.c_pf)
        }
        NeuronModel::Izhikevich(m) => {
            if (m.k1, m.k0, m.v_b, m.u_leak) != (5.0, 140.0, 0.0, 1.0) {
                return refuse(format!(
                    "the Izhikevich 2004 variants (k1, k0, v_b, u_leak) have no NEST model; {BRIAN2}"
                ));
            }
            if !matches!(kinds, Kinds::Delta) {
                return refuse(format!("NEST's izhikevich takes delta synapses only; {BRIAN2}"));
            }
            let consistent = match integrator {
                Integrator::Izhikevich2003 => false,
                Integrator::Euler => true,
                other => {
                    return refuse(format!(
                        "NEST's izhikevich steps by the paper's scheme or forward Euler, not {}; set run.integrator to Izhikevich2003 or Euler, or {BRIAN2}",
                        other.name()
                    ));
                }
            };
            let params = vec![
                ("a", m.a),
                ("b", m.b),
                ("c", m.c),
                ("d", m.d),
                ("V_th", m.v_peak),
                ("V_m", m.v0),
                ("U_m", m.b * m.v0),
            ];
            flags.push(("consistent_integration", consistent));
            ("izhikevich", params, unit_scales(net, p, 1.0), 1.0)
        }
        NeuronModel::HodgkinHuxley(m) => {
            // NEST's squid axon is a patch of 1e-4 cm²: µF/cm² and mS/cm² and µA/cm² x 100 give
            // pF, nS and pA (its defaults are this model's at 6.3 °C).
            if m.celsius != 6.3 {
                return refuse(format!(
                    "NEST's hh_psc_alpha has the rates at 6.3 °C only (this one is at {} °C); {BRIAN2}",
                    m.celsius
                ));
            }
            let (ex, inh) = match &kinds {
                Kinds::Current { alpha: true, ex, inh } => (*ex, *inh),
                Kinds::Delta if net.projections.iter().all(|q| q.to != *name) && !has_spike_input(net, name) => {
                    (2.0, 2.0)
                }
                _ => return refuse(format!("NEST's hh_psc_alpha takes alpha current synapses only; {BRIAN2}")),
            };
            notes.push(format!(
                "population {name}: NEST integrates Hodgkin-Huxley with adaptive GSL steps and emits a spike at the peak of V above 0 mV (here: when V crosses {} mV upward), so spike times differ by a fraction of a millisecond.",
                m.v_spike_mv
            ));
            current_scale = 100.0;
            let params = vec![
                ("C_m", 100.0 * m.c_uf),
                ("g_Na", 100.0 * m.g_na),
                ("g_K", 100.0 * m.g_k),
                ("g_L", 100.0 * m.g_l),
                ("E_Na", m.e_na),
                ("E_K", m.e_k),
                ("E_L", m.e_l),
                ("tau_syn_ex", ex),
                ("tau_syn_in", inh),
                ("V_m", m.v0_mv),
            ];
            ("hh_psc_alpha", params, unit_scales(net, p, 100.0), 100.0)
        }
        NeuronModel::Izhikevich2007(_)
        | NeuronModel::FitzHughNagumo(_)
        | NeuronModel::Qif(_)
        | NeuronModel::TraubMiles(_) => {
            return refuse(format!(
                "the {} model has no exact NEST counterpart here; {BRIAN2}",
                pop.neuron.kind().name()
            ));
        }
    };
    // Random initial states: V, or a synapse's current or conductance (by its NEST port).
    let mut initial = Vec::new();
    for (key, dist) in &pop.initial {
        let state = if key == "v" {
            "V_m"
        } else {
            let port = scale.get(key).copied().unwrap_or(0.0);
            let conductance = matches!(kinds, Kinds::Conductance { .. });
            match (conductance, port > 0.0) {
                (true, true) => "g_ex",
                (true, false) => "g_in",
                _ => {
                    return refuse(format!(
                        "a random initial `{key}` is exported for V and conductances only; {BRIAN2}"
                    ));
                }
            }
        };
        initial.push((state, *dist, key != "v"));
    }
    params.retain(|(k, _)| !initial.iter().any(|(state, ..)| state == k));
    // Parameters that vary per neuron, with the values spikelab drew for each.
    let mut per_neuron = Vec::new();
    if !pop.spread.is_empty() {
        let built = crate::network::Net::build(net, preset.run.dt_ms, preset.run.seed)?;
        let models: Vec<NeuronModel> = (0..pop.size as usize).map(|i| built.population(p).model_of(i)).collect();
        for spread in &pop.spread {
            let key = spread.param();
            let nest_key = nest_key(&pop.neuron, key, &kinds).ok_or_else(|| {
                format!("population {name}: `{key}` varies per neuron and has no NEST parameter of its own; {BRIAN2}")
            })?;
            per_neuron.push((nest_key, models.iter().map(|m| m.get(key).expect("a spread parameter")).collect()));
        }
        if let NeuronModel::Izhikevich(_) = pop.neuron {
            // u starts at b v_0 (v_b = 0), per neuron when either varies.
            let u: Vec<f64> = models.iter().map(|m| m.get("b").unwrap_or(0.0) * m.get("v0").unwrap_or(0.0)).collect();
            per_neuron.push(("U_m", u));
        }
    }
    params.retain(|(k, _)| !per_neuron.iter().any(|(key, _)| key == k));
    Ok(Nodes { model, params, flags, scale, delta_scale, current_scale, initial, per_neuron, source: None })
}

/// NEST's name of a spikelab parameter that can vary per neuron without touching another.
fn nest_key(model: &NeuronModel, key: &str, kinds: &Kinds) -> Option<&'static str> {
    let current_based = !matches!(kinds, Kinds::Conductance { .. });
    Some(match (model, key) {
        (NeuronModel::Lif(_), "e_l_mv") | (NeuronModel::AdEx(_), "e_l_mv") => "E_L",
        (NeuronModel::Lif(_), "v_th_mv") => "V_th",
        (NeuronModel::Lif(_), "v_reset_mv") => "V_reset",
        (NeuronModel::Lif(_), "t_ref_ms") | (NeuronModel::AdEx(_), "t_ref_ms") => "t_ref",
        (NeuronModel::Lif(_), "i_e_pa") => "I_e",
        (NeuronModel::Lif(_), "v0_mv") | (NeuronModel::AdEx(_), "v0_mv") => "V_m",
        (NeuronModel::Lif(_), "g_l_ns") if !current_based => "g_L",
        (NeuronModel::AdEx(_), "g_l_ns") => "g_L",
        (NeuronModel::AdEx(_), "v_t_mv") => "V_th",
        (NeuronModel::AdEx(_), "delta_t_mv") => "Delta_T",
        (NeuronModel::AdEx(_), "a_ns") => "a",
        (NeuronModel::AdEx(_), "tau_w_ms") => "tau_w",
        (NeuronModel::AdEx(_), "b_pa") => "b",
        (NeuronModel::AdEx(_), "v_r_mv") => "V_reset",
        (NeuronModel::AdEx(_), "v_peak_mv") => "V_peak",
        (NeuronModel::Izhikevich(_), "a") => "a",
        (NeuronModel::Izhikevich(_), "b") => "b",
        (NeuronModel::Izhikevich(_), "c") => "c",
        (NeuronModel::Izhikevich(_), "d") => "d",
        (NeuronModel::Izhikevich(_), "v0") => "V_m",
        _ => return None,
    })
}

fn has_spike_input(net: &NetworkSpec, population: &str) -> bool {
    net.inputs
        .iter()
        .filter(|i| i.population == population)
        .any(|i| i.stimulus.components.iter().any(|c| matches!(c, Component::Spikes { .. })))
}

fn source_name(source: &SpikeSource) -> &'static str {
    match source {
        SpikeSource::Poisson { .. } => "Poisson",
        SpikeSource::ModulatedPoisson { .. } => "modulated Poisson",
        SpikeSource::Regular { .. } => "regular",
        SpikeSource::Times { .. } => "spike-times",
        SpikeSource::Digits { .. } => "digits",
    }
}

/// The time course of a population's conductances: NEST's `_exp`, `_alpha` or `_beta` model.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Exp,
    Alpha,
    /// spikelab's double exponential `e^(-t/tau) - e^(-4t/tau)` as NEST's beta function
    /// (rise tau/4, decay tau), which NEST scales to a peak of 1.
    Beta,
}

/// The synapses a population's NEST model must provide.
enum Kinds {
    Delta,
    /// Current synapses: NEST's excitatory port takes positive weights, its inhibitory port
    /// negative ones, each with one time constant.
    Current {
        alpha: bool,
        ex: f64,
        inh: f64,
    },
    /// Conductance synapses: the ports' (reversal, tau), and each type's weight scale (its sign
    /// routes a conductance to the inhibitory port; the beta shape's peak rescales it).
    Conductance {
        shape: Shape,
        ex: (f64, f64),
        inh: (f64, f64),
        scale: BTreeMap<String, f64>,
    },
}

/// Every synapse type into population `p` (and every input's kernel), checked against what one
/// NEST model can take.
fn synapse_kinds(net: &NetworkSpec, p: usize) -> Result<Kinds, String> {
    let pop = &net.populations[p];
    let name = &pop.name;
    let types = &pop.synapses;
    // The sign of the weights each type receives (and inputs' kernels with their signs).
    let mut uses: Vec<(Kernel, Option<f64>, f64)> = Vec::new();
    for proj in net.projections.iter().filter(|q| q.to == *name) {
        let ty = types[&proj.synapse];
        let (lo, hi) = range(&proj.weight);
        if lo < 0.0 && hi > 0.0 {
            return Err(format!(
                "projection {} -> {}: weights of both signs in one projection map to no NEST port; split it",
                proj.from, proj.to
            ));
        }
        uses.push((ty.kernel, ty.reversal_mv, proj.weight.mean()));
    }
    for input in net.inputs.iter().filter(|i| i.population == *name) {
        for c in &input.stimulus.components {
            if let Component::Spikes { kernel, weight, .. } = c {
                uses.push((*kernel, None, *weight));
            }
        }
    }
    let conductance = uses.iter().any(|u| u.1.is_some()) || types.values().any(|t| t.reversal_mv.is_some());
    let kernels: Vec<Kernel> = uses.iter().map(|u| u.0).chain(types.values().map(|t| t.kernel)).collect();
    let refuse = |why: &str| Err(format!("population {name}: {why}; {BRIAN2}"));
    let double = kernels.iter().any(|k| matches!(k, Kernel::DoubleExponential { .. }));
    if double && (!conductance || kernels.iter().any(|k| !matches!(k, Kernel::DoubleExponential { .. }))) {
        return refuse(
            "the double-exponential current kernel has no NEST model (a double-exponential conductance is NEST's beta)",
        );
    }
    if kernels.iter().all(|k| *k == Kernel::Delta) && !conductance {
        return Ok(Kinds::Delta);
    }
    if kernels.contains(&Kernel::Delta) {
        return refuse("delta synapses beside kernels of another shape need two models in one neuron");
    }
    let alpha = matches!(kernels[0], Kernel::Alpha { .. });
    if !double && kernels.iter().any(|k| matches!(k, Kernel::Alpha { .. }) != alpha) {
        return refuse("exponential and alpha synapses together");
    }
    let shape = if double {
        Shape::Beta
    } else if alpha {
        Shape::Alpha
    } else {
        Shape::Exp
    };
    // The beta function's peak is 1 in NEST; spikelab's kernel peaks at 3 / 4^(4/3).
    let peak = if double { 3.0 / 4f64.powf(4.0 / 3.0) } else { 1.0 };
    let tau = |k: Kernel| match k {
        Kernel::Exponential { tau_ms } | Kernel::Alpha { tau_ms } | Kernel::DoubleExponential { tau_ms } => tau_ms,
        Kernel::Delta => 0.0,
    };
    if !conductance {
        let unique = |positive: bool| -> Result<Option<f64>, String> {
            let mut taus: Vec<f64> = uses.iter().filter(|u| (u.2 >= 0.0) == positive).map(|u| tau(u.0)).collect();
            taus.dedup();
            match taus.as_slice() {
                [] => Ok(None),
                [t] => Ok(Some(*t)),
                _ => Err(format!(
                    "population {name}: {} synapses with time constants {taus:?} need NEST's _multisynapse model; {BRIAN2}",
                    if positive { "excitatory" } else { "inhibitory" }
                )),
            }
        };
        let (ex, inh) = (unique(true)?, unique(false)?);
        let fallback = ex.or(inh).unwrap_or_else(|| tau(kernels[0]));
        return Ok(Kinds::Current { alpha, ex: ex.unwrap_or(fallback), inh: inh.unwrap_or(fallback) });
    }
    if uses.iter().any(|u| u.1.is_none()) {
        return refuse("spike inputs through current kernels into a conductance-based neuron");
    }
    let mut ports: Vec<(f64, f64, String)> = types
        .iter()
        .filter(|(_, t)| t.reversal_mv.is_some())
        .map(|(k, t)| (t.reversal_mv.unwrap_or(0.0), tau(t.kernel), k.clone()))
        .collect();
    ports.sort_by(|a, b| b.0.total_cmp(&a.0));
    match ports.as_slice() {
        [ex] => Ok(Kinds::Conductance {
            shape,
            ex: (ex.0, ex.1),
            inh: (-80.0, ex.1),
            scale: BTreeMap::from([(ex.2.clone(), peak)]),
        }),
        [ex, inh] => Ok(Kinds::Conductance {
            shape,
            ex: (ex.0, ex.1),
            inh: (inh.0, inh.1),
            scale: BTreeMap::from([(ex.2.clone(), peak), (inh.2.clone(), -peak)]),
        }),
        _ => refuse("more than two conductance types (reversal potentials) need NEST's _multisynapse model"),
    }
}

/// NEST's integrate-and-fire families, whose models differ by their synapses alone.
#[derive(Clone, Copy)]
enum Family {
    Iaf,
    Aeif,
}

/// The model of `family` for these synapses (`params` gain the ports' constants), and NEST's
/// weight per spikelab unit for each synapse type (a delta charge over C is NEST's jump).
fn family(
    family: Family,
    kinds: &Kinds,
    net: &NetworkSpec,
    p: usize,
    c_pf: f64,
    params: &mut Vec<(&'static str, f64)>,
) -> Result<(&'static str, BTreeMap<String, f64>), String> {
    use Family::{Aeif, Iaf};
    Ok(match kinds {
        Kinds::Delta => {
            (if let Iaf = family { "iaf_psc_delta" } else { "aeif_psc_delta" }, unit_scales(net, p, 1.0 / c_pf))
        }
        Kinds::Current { alpha, ex, inh } => {
            params.extend([("tau_syn_ex", *ex), ("tau_syn_in", *inh)]);
            let model = match (family, alpha) {
                (Iaf, true) => "iaf_psc_alpha",
                (Iaf, false) => "iaf_psc_exp",
                (Aeif, true) => "aeif_psc_alpha",
                (Aeif, false) => "aeif_psc_exp",
            };
            (model, unit_scales(net, p, 1.0))
        }
        Kinds::Conductance { shape, ex, inh, scale } => {
            params.extend(conductance_params(*shape, *ex, *inh));
            let model = match (family, shape) {
                (Iaf, Shape::Exp) => "iaf_cond_exp",
                (Iaf, Shape::Alpha) => "iaf_cond_alpha",
                (Iaf, Shape::Beta) => "iaf_cond_beta",
                (Aeif, Shape::Exp) => "aeif_cond_exp",
                (Aeif, Shape::Alpha) => "aeif_cond_alpha",
                (Aeif, Shape::Beta) => {
                    return Err(format!("AdEx with beta conductances needs NEST's multisynapse model; {BRIAN2}"));
                }
            };
            (model, scale.clone())
        }
    })
}

/// The ports' reversal potentials and time constants as the NEST model names them.
fn conductance_params(shape: Shape, ex: (f64, f64), inh: (f64, f64)) -> Vec<(&'static str, f64)> {
    match shape {
        Shape::Beta => vec![
            ("E_ex", ex.0),
            ("tau_rise_ex", ex.1 / 4.0),
            ("tau_decay_ex", ex.1),
            ("E_in", inh.0),
            ("tau_rise_in", inh.1 / 4.0),
            ("tau_decay_in", inh.1),
        ],
        _ => vec![("E_ex", ex.0), ("tau_syn_ex", ex.1), ("E_in", inh.0), ("tau_syn_in", inh.1)],
    }
}

/// The same scale for every synapse type of population `p`.
fn unit_scales(net: &NetworkSpec, p: usize, scale: f64) -> BTreeMap<String, f64> {
    net.populations[p].synapses.keys().map(|k| (k.clone(), scale)).collect()
}

/// The smallest and largest value a distribution draws.
fn range(d: &Dist) -> (f64, f64) {
    match *d {
        Dist::Constant(v) => (v, v),
        Dist::Uniform { low, high } => (low, high),
        Dist::Normal { mean, sd } => (mean - 5.0 * sd, mean + 5.0 * sd),
        Dist::Integers { low, high } => (low as f64, high as f64),
    }
}

/// A distribution as a NEST value: a number or a `nest.random` parameter.
fn random(d: &Dist) -> Result<String, String> {
    match *d {
        Dist::Constant(v) => Ok(py(v)),
        Dist::Uniform { low, high } => Ok(format!("nest.random.uniform(min={}, max={})", py(low), py(high))),
        Dist::Normal { mean, sd } => Ok(format!("nest.random.normal(mean={}, std={})", py(mean), py(sd))),
        Dist::Integers { low, high } => Ok(format!("nest.random.uniform_int({}) + {}", high - low + 1, low)),
    }
}

/// A distribution drawn as spikelab draws weights and synaptic states: a normal draw is clipped
/// at 0 so that it keeps the sign of its mean.
fn random_signed(d: &Dist) -> Result<String, String> {
    match *d {
        Dist::Normal { mean, .. } => {
            let (bound, at) = if mean >= 0.0 { ("max", "0.0") } else { ("min", "0.0") };
            Ok(format!("nest.math.{bound}({}, {at})", random(d)?))
        }
        _ => random(d),
    }
}

/// A weight distribution times `scale` (drawn as spikelab draws weights).
fn scaled(d: &Dist, scale: f64) -> Result<String, String> {
    let d = match *d {
        Dist::Constant(v) => Dist::Constant(v * scale),
        Dist::Uniform { low, high } => {
            let (a, b) = (low * scale, high * scale);
            Dist::Uniform { low: a.min(b), high: a.max(b) }
        }
        Dist::Normal { mean, sd } => Dist::Normal { mean: mean * scale, sd: sd * scale.abs() },
        Dist::Integers { .. } => return Err(format!("whole-number weights are not exported; {BRIAN2}")),
    };
    random_signed(&d)
}

/// A delay on NEST's grid (at least one step, as here).
fn delay(d: &Dist, dt: f64) -> Result<String, String> {
    match *d {
        Dist::Constant(v) => Ok(py(v.max(dt))),
        Dist::Uniform { low, high } => {
            Ok(format!("nest.random.uniform(min={}, max={})", py(low.max(dt)), py(high.max(dt))))
        }
        Dist::Normal { .. } | Dist::Integers { .. } => {
            Err(format!("only constant and uniform delays are exported; {BRIAN2}"))
        }
    }
}

/// NEST's connection rule, with autapses and multapses said explicitly (NEST allows both by default).
fn connection(rule: &Connectivity, autapses: bool, multapses: bool) -> Result<String, String> {
    let yes = |b: bool| if b { "True" } else { "False" };
    Ok(match rule {
        Connectivity::AllToAll => format!("{{\"rule\": \"all_to_all\", \"allow_autapses\": {}}}", yes(autapses)),
        Connectivity::OneToOne => "{\"rule\": \"one_to_one\"}".to_string(),
        Connectivity::FixedProbability { p } => {
            format!("{{\"rule\": \"pairwise_bernoulli\", \"p\": {}, \"allow_autapses\": {}}}", py(*p), yes(autapses))
        }
        Connectivity::FixedInDegree { k } => format!(
            "{{\"rule\": \"fixed_indegree\", \"indegree\": {k}, \"allow_autapses\": {}, \"allow_multapses\": {}}}",
            yes(autapses),
            yes(multapses)
        ),
        Connectivity::FixedOutDegree { k } => format!(
            "{{\"rule\": \"fixed_outdegree\", \"outdegree\": {k}, \"allow_autapses\": {}, \"allow_multapses\": {}}}",
            yes(autapses),
            yes(multapses)
        ),
        Connectivity::Explicit { .. } => return Err(format!("listed synapses are not exported; {BRIAN2}")),
    })
}

/// NEST's plastic synapse for a rule: its base model, its parameters (in NEST's weight unit),
/// and the neuron parameters that hold the postsynaptic traces' time constants.
struct Plastic {
    base: &'static str,
    params: Vec<(&'static str, f64)>,
    neuron: Vec<(&'static str, f64)>,
}

fn plastic(rule: &StdpRule, scale: f64) -> Result<Plastic, String> {
    if scale <= 0.0 {
        return Err("a plastic inhibitory conductance is not exported".into());
    }
    Ok(match *rule {
        // Δw = w_max λ (1 - w/w_max)^μ+ K+ and -w_max α λ (w/w_max)^μ- K-: μ = 0 is additive;
        // nearest spikes (traces set to 1, not added to) are NEST's symmetric nearest-neighbour rule.
        StdpRule::Additive { a_plus, a_minus, tau_plus_ms, tau_minus_ms, w_max, nearest } => Plastic {
            base: if nearest { "stdp_nn_symm_synapse" } else { "stdp_synapse" },
            params: vec![
                ("lambda", a_plus),
                ("alpha", if a_plus > 0.0 { a_minus / a_plus } else { 0.0 }),
                ("mu_plus", 0.0),
                ("mu_minus", 0.0),
                ("tau_plus", tau_plus_ms),
                ("Wmax", w_max * scale),
            ],
            neuron: vec![("tau_minus", tau_minus_ms)],
        },
        StdpRule::Multiplicative { lambda, alpha, mu_plus, mu_minus, tau_plus_ms, tau_minus_ms, w_max } => Plastic {
            base: "stdp_synapse",
            params: vec![
                ("lambda", lambda),
                ("alpha", alpha),
                ("mu_plus", mu_plus),
                ("mu_minus", mu_minus),
                ("tau_plus", tau_plus_ms),
                ("Wmax", w_max * scale),
            ],
            neuron: vec![("tau_minus", tau_minus_ms)],
        },
        // NEST's amplitudes are absolute weights: spikelab's are fractions of w_max.
        StdpRule::Triplet {
            a2_plus,
            a3_plus,
            a2_minus,
            a3_minus,
            tau_plus_ms,
            tau_minus_ms,
            tau_x_ms,
            tau_y_ms,
            w_max,
        } => Plastic {
            base: "stdp_triplet_synapse",
            params: vec![
                ("Aplus", a2_plus * w_max * scale),
                ("Aplus_triplet", a3_plus * w_max * scale),
                ("Aminus", a2_minus * w_max * scale),
                ("Aminus_triplet", a3_minus * w_max * scale),
                ("tau_plus", tau_plus_ms),
                ("tau_plus_triplet", tau_x_ms),
                ("Wmax", w_max * scale),
            ],
            neuron: vec![("tau_minus", tau_minus_ms), ("tau_minus_triplet", tau_y_ms)],
        },
        StdpRule::Ee746 { .. } => return Err(format!("the EE746 rule has no NEST synapse; {BRIAN2}")),
    })
}

/// Inputs: Poisson drive per neuron (a `poisson_generator` gives each target its own train), DC
/// and steps as current generators.
fn inputs(s: &mut String, net: &NetworkSpec, nodes: &[Nodes], dt: f64) -> Result<(), String> {
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
fn sources(s: &mut String, net: &NetworkSpec, nodes: &[Nodes], dt: f64) {
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

fn header(s: &mut String, preset: &Preset, notes: &[String]) {
    let _ = writeln!(
        s,
        "#!/usr/bin/env python3\n\"\"\"{name}: exported by spikelab {version} for NEST 3.10.\n\n\
         Builds the preset's network, runs it for {t} ms at dt = {dt} ms (seed {seed}) and writes, in\n\
         --out (default: this folder), spikes.csv (t_ms,neuron: global neuron indices in the preset's\n\
         order, as `spikelab run` writes them) and summary.json (rates per population), so that\n\
         `spikelab compare DIR_A DIR_B` can set the runs side by side.\n\n\
         Units are NEST's (mV, ms, pA, nS, pF): a delta synapse's charge q (pA ms) is a jump q / C\n\
         (mV); current weights are in pA, conductances in nS (an inhibitory conductance is\n\
         negative, NEST's sign for its inhibitory port).\n\n\
         One machine: python3 script.py --threads 8\n\
         A cluster (a NEST built with MPI): mpirun -np 4 python3 script.py --threads 8 --mpi\n\
         Each rank writes its own spikes; rank 0 merges them.\n",
        name = preset.name.replace('"', "'"),
        version = env!("CARGO_PKG_VERSION"),
        t = py(preset.run.duration_ms),
        dt = py(preset.run.dt_ms),
        seed = preset.run.seed.max(1),
    );
    let _ = writeln!(s, "Approximations NEST forces:\n- delays are rounded to its resolution (as here).");
    for note in notes {
        let _ = writeln!(s, "- {note}");
    }
    let _ = writeln!(
        s,
        "\"\"\"\nimport argparse\nimport builtins\nimport json\nimport os\nimport sys\n\nimport nest\nimport numpy\n\n\
         parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n\
         parser.add_argument(\"--threads\", type=int, default=1, help=\"threads per process\")\n\
         parser.add_argument(\"--mpi\", action=\"store_true\", help=\"require an MPI build (mpirun)\")\n\
         parser.add_argument(\"--out\", default=os.path.dirname(os.path.abspath(__file__)))\n\
         args = parser.parse_args()\n\
         DURATION_MS = {}\n",
        py(preset.run.duration_ms)
    );
}

/// Recording, the run, and the outputs: each rank writes its own spikes (and plastic weights),
/// rank 0 merges them into spikelab's files.
const FOOTER: &str = r#"
# Record every population, run, and write this rank's spikes (and plastic weights).
recorder = nest.Create("spike_recorder")
for pop in pops.values():
    nest.Connect(pop, recorder)
nest.Simulate(DURATION_MS)
events = recorder.get("events")
rank, ranks = nest.Rank(), nest.NumProcesses()
os.makedirs(args.out, exist_ok=True)
part = os.path.join(args.out, f"spikes.rank{rank}.csv")
with open(part + ".tmp", "w") as f:
    for t, sender in zip(events["times"], events["senders"]):
        f.write(f"{float(t)!r},{int(sender) - 1}\n")
os.replace(part + ".tmp", part)
if plastic:
    with open(os.path.join(args.out, f"weights.rank{rank}.csv"), "w") as f:
        for model, scale in plastic:
            conns = nest.GetConnections(synapse_model=model)
            if len(conns):
                values = [numpy.atleast_1d(conns.get(key)) for key in ("source", "target", "weight")]
                for pre, post, w in zip(*values):
                    f.write(f"{int(pre) - 1},{int(post) - 1},{float(w) / scale!r}\n")
nest.SyncProcesses()


def merge(name, parse):
    rows = []
    for r in range(ranks):
        path = os.path.join(args.out, f"{name}.rank{r}.csv")
        with open(path) as f:
            rows += [parse(line.strip().split(",")) for line in f]
        os.remove(path)
    return sorted(rows)


if rank == 0:
    spikes = merge("spikes", lambda v: (round(float(v[0]), 9), int(v[1])))
    weights = merge("weights", lambda v: (int(v[0]), int(v[1]), float(v[2]))) if plastic else None
    details = {"simulator": "NEST " + nest.__version__, "dt_ms": nest.resolution, "processes": ranks, "threads": args.threads}
    write_outputs(spikes, weights, populations_of(pops), details)
"#;

fn footer(s: &mut String, preset: &Preset) {
    super::outputs(s, preset, preset.run.seed.max(1));
    s.push_str(FOOTER);
}
