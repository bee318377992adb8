//! How a population becomes NEST nodes: its model (chosen by its synapses), parameters and per-neuron values, and the weight unit onto it.

use super::*;

/// How a population becomes NEST nodes.
pub(super) struct Nodes {
    pub(super) model: &'static str,
    pub(super) params: Vec<(&'static str, f64)>,
    pub(super) flags: Vec<(&'static str, bool)>,
    /// NEST's weight per unit of spikelab's, for each synapse type (a sign flip sends an
    /// inhibitory conductance to NEST's inhibitory port).
    pub(super) scale: BTreeMap<String, f64>,
    /// The scale of an input's spikes through a delta kernel (charge to NEST's weight).
    pub(super) delta_scale: f64,
    /// NEST's current (pA) per unit of the model's current (a current generator's amplitude).
    pub(super) current_scale: f64,
    /// Random initial states: NEST's state and spikelab's distribution (drawn as here, a
    /// synapse's kept at its sign).
    pub(super) initial: Vec<(&'static str, Dist, bool)>,
    /// Parameters that vary per neuron: NEST's key and every neuron's value, as spikelab drew them.
    pub(super) per_neuron: Vec<(&'static str, Vec<f64>)>,
    /// A spike source: one generator per node, through a parrot.
    pub(super) source: Option<SpikeSource>,
}

/// The NEST model of population `p` and how weights onto it convert.
pub(super) fn population(
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
pub(super) fn nest_key(model: &NeuronModel, key: &str, kinds: &Kinds) -> Option<&'static str> {
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

/// The time course of a population's conductances: NEST's `_exp`, `_alpha` or `_beta` model.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Shape {
    Exp,
    Alpha,
    /// spikelab's double exponential `e^(-t/tau) - e^(-4t/tau)` as NEST's beta function
    /// (rise tau/4, decay tau), which NEST scales to a peak of 1.
    Beta,
}

/// The synapses a population's NEST model must provide.
pub(super) enum Kinds {
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
pub(super) fn synapse_kinds(net: &NetworkSpec, p: usize) -> Result<Kinds, String> {
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
pub(super) enum Family {
    Iaf,
    Aeif,
}

/// The model of `family` for these synapses (`params` gain the ports' constants), and NEST's
/// weight per spikelab unit for each synapse type (a delta charge over C is NEST's jump).
pub(super) fn family(
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
pub(super) fn conductance_params(shape: Shape, ex: (f64, f64), inh: (f64, f64)) -> Vec<(&'static str, f64)> {
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
pub(super) fn unit_scales(net: &NetworkSpec, p: usize, scale: f64) -> BTreeMap<String, f64> {
    net.populations[p].synapses.keys().map(|k| (k.clone(), scale)).collect()
}
