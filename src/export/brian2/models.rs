//! A population in Brian2: its model written out as equations, the synapses it receives, its integration method and per-neuron values.

use super::*;

/// A model's state equations (v first), threshold, reset and refractoriness, with its
/// parameters as per-neuron constants.
pub(super) struct Model {
    pub(super) equations: Vec<String>,
    pub(super) params: Vec<(&'static str, f64)>,
    pub(super) threshold: String,
    pub(super) reset: Vec<String>,
    /// A reset model's refractory period (ms); a model without reset counts upward crossings.
    pub(super) refractory: Option<f64>,
    /// What a delta synapse's charge does to v (`w * factor`).
    pub(super) charge_to_v: &'static str,
    /// Variables that start elsewhere than 0: (name, value expression).
    pub(super) initial: Vec<(String, String)>,
    pub(super) linear: bool,
}

pub(super) fn model(m: &NeuronModel) -> Result<Model, String> {
    let p = |key: &'static str| (key, m.get(key).expect("a parameter of this model"));
    Ok(match m {
        NeuronModel::Lif(x) => Model {
            equations: vec!["dv/dt = (-g_l_ns*(v - e_l_mv) + i_e_pa + I)/c_pf/ms : 1 (unless refractory)".into()],
            params: vec![p("c_pf"), p("g_l_ns"), p("e_l_mv"), p("v_th_mv"), p("v_reset_mv"), p("i_e_pa")],
            threshold: "v >= v_th_mv + theta".into(),
            reset: vec!["v = v_reset_mv".into()],
            refractory: Some(x.t_ref_ms),
            charge_to_v: "/c_pf",
            initial: vec![("v".into(), py(x.v0_mv))],
            linear: true,
        },
        NeuronModel::AdEx(x) => Model {
            equations: vec![
                format!(
                    "dv/dt = (-g_l_ns*(v - e_l_mv) + g_l_ns*delta_t_mv*exp(clip((v - v_t_mv)/delta_t_mv, -inf, {cap})) - w + I)/c_pf/ms : 1 (unless refractory)",
                    cap = py(crate::neuron::adex::EXP_CAP)
                ),
                // The step that crosses V_peak overshoots; w sees at most V_peak (spikelab stops
                // the step at the crossing).
                "dw/dt = (a_ns*(clip(v, -inf, v_peak_mv) - e_l_mv) - w)/tau_w_ms/ms : 1".into(),
            ],
            params: vec![
                p("c_pf"),
                p("g_l_ns"),
                p("e_l_mv"),
                p("v_t_mv"),
                p("delta_t_mv"),
                p("a_ns"),
                p("tau_w_ms"),
                p("b_pa"),
                p("v_r_mv"),
                p("v_peak_mv"),
            ],
            threshold: "v >= v_peak_mv + theta".into(),
            reset: vec!["v = v_r_mv".into(), "w += b_pa".into()],
            refractory: Some(x.t_ref_ms),
            charge_to_v: "/c_pf",
            initial: vec![("v".into(), py(x.v0_mv))],
            linear: false,
        },
        NeuronModel::Izhikevich(x) => Model {
            equations: vec![
                "dv/dt = (0.04*v**2 + k1*v + k0 - u + I)/ms : 1".into(),
                "du/dt = a*(b*(v - v_b) - u_leak*u)/ms : 1".into(),
            ],
            params: vec![p("a"), p("b"), p("c"), p("d"), p("v_peak"), p("k1"), p("k0"), p("v_b"), p("u_leak")],
            threshold: "v >= v_peak + theta".into(),
            reset: vec!["v = c".into(), "u += d".into()],
            refractory: Some(0.0),
            charge_to_v: "",
            initial: vec![("v".into(), py(x.v0)), ("u".into(), format!("b*({} - v_b)", py(x.v0)))],
            linear: false,
        },
        NeuronModel::Izhikevich2007(x) => Model {
            equations: vec![
                "dv/dt = (k*(v - v_r_mv)*(v - v_t_mv) - u + I)/c_pf/ms : 1".into(),
                "du/dt = a_per_ms*(b_ns*(v - v_r_mv) - u)/ms : 1".into(),
            ],
            params: vec![
                p("c_pf"),
                p("k"),
                p("v_r_mv"),
                p("v_t_mv"),
                p("v_peak_mv"),
                p("a_per_ms"),
                p("b_ns"),
                p("c_mv"),
                p("d_pa"),
            ],
            threshold: "v >= v_peak_mv + theta".into(),
            reset: vec!["v = c_mv".into(), "u += d_pa".into()],
            refractory: Some(0.0),
            charge_to_v: "/c_pf",
            initial: vec![("v".into(), py(x.v0_mv))],
            linear: false,
        },
        NeuronModel::Qif(x) => Model {
            equations: vec!["dv/dt = (a0*(v - v_rest_mv)*(v - v_c_mv) + r_mohm*I*1e-3)/tau_ms/ms : 1".into()],
            params: vec![
                p("tau_ms"),
                p("a0"),
                p("v_rest_mv"),
                p("v_c_mv"),
                p("r_mohm"),
                p("v_peak_mv"),
                p("v_reset_mv"),
            ],
            threshold: "v >= v_peak_mv + theta".into(),
            reset: vec!["v = v_reset_mv".into()],
            refractory: Some(0.0),
            charge_to_v: "*r_mohm*1e-3/tau_ms",
            initial: vec![("v".into(), py(x.v0_mv))],
            linear: false,
        },
        NeuronModel::FitzHughNagumo(x) => Model {
            equations: vec!["dv/dt = (v - v**3/3 - w + I)/ms : 1".into(), "dw/dt = (v + a - b*w)/tau/ms : 1".into()],
            params: vec![p("a"), p("b"), p("tau"), p("v_spike")],
            threshold: "v > v_spike".into(),
            reset: Vec::new(),
            refractory: None,
            charge_to_v: "",
            initial: vec![("v".into(), py(x.v0)), ("w".into(), py(x.w0))],
            linear: false,
        },
        NeuronModel::HodgkinHuxley(x) => {
            // The squid axon at rest -65 mV, rates scaled by 3^((T - 6.3)/10).
            let vtrap = |x: &str, y: &str| format!("(({x})/(1 - exp(-({x})/{y})))");
            Model {
                equations: vec![
                    "dv/dt = (I - g_na*m**3*h*(v - e_na) - g_k*n**4*(v - e_k) - g_l*(v - e_l))/c_uf/ms : 1".into(),
                    "dm/dt = q*(alpha_m*(1 - m) - beta_m*m)/ms : 1".into(),
                    "dh/dt = q*(alpha_h*(1 - h) - beta_h*h)/ms : 1".into(),
                    "dn/dt = q*(alpha_n*(1 - n) - beta_n*n)/ms : 1".into(),
                    format!("alpha_m = 0.1*{} : 1", vtrap("v + 40", "10")),
                    "beta_m = 4*exp(-(v + 65)/18) : 1".into(),
                    "alpha_h = 0.07*exp(-(v + 65)/20) : 1".into(),
                    "beta_h = 1/(1 + exp(-(v + 35)/10)) : 1".into(),
                    format!("alpha_n = 0.01*{} : 1", vtrap("v + 55", "10")),
                    "beta_n = 0.125*exp(-(v + 65)/80) : 1".into(),
                    "q = 3**((celsius - 6.3)/10) : 1".into(),
                ],
                params: vec![
                    p("c_uf"),
                    p("g_na"),
                    p("g_k"),
                    p("g_l"),
                    p("e_na"),
                    p("e_k"),
                    p("e_l"),
                    p("celsius"),
                    p("v_spike_mv"),
                ],
                threshold: "v > v_spike_mv".into(),
                reset: Vec::new(),
                refractory: None,
                charge_to_v: "/c_uf",
                initial: {
                    let [m0, h0, n0] = x.gates_at_rest(x.v0_mv);
                    vec![("v".into(), py(x.v0_mv)), ("m".into(), py(m0)), ("h".into(), py(h0)), ("n".into(), py(n0))]
                },
                linear: false,
            }
        }
        // Brette et al. (2007)'s COBAHH cell; the gates start at 0, as here.
        NeuronModel::TraubMiles(x) => Model {
            equations: vec![
                "dv/dt = (-g_l_ns*(v - e_l_mv) - g_na_ns*m**3*h*(v - e_na_mv) - g_k_ns*n**4*(v - e_k_mv) + i_e_pa + I)/c_pf/ms : 1".into(),
                "dm/dt = (0.32*(13 - vt)/(exp((13 - vt)/4) - 1)*(1 - m) - 0.28*(vt - 40)/(exp((vt - 40)/5) - 1)*m)/ms : 1".into(),
                "dh/dt = (0.128*exp((17 - vt)/18)*(1 - h) - 4/(1 + exp((40 - vt)/5))*h)/ms : 1".into(),
                "dn/dt = (0.032*(15 - vt)/(exp((15 - vt)/5) - 1)*(1 - n) - 0.5*exp((10 - vt)/40)*n)/ms : 1".into(),
                "vt = v - v_t_mv : 1".into(),
            ],
            params: vec![p("c_pf"), p("g_l_ns"), p("e_l_mv"), p("g_na_ns"), p("e_na_mv"), p("g_k_ns"), p("e_k_mv"), p("v_t_mv"), p("i_e_pa"), p("v_spike_mv")],
            threshold: "v > v_spike_mv".into(),
            reset: Vec::new(),
            refractory: None,
            charge_to_v: "/c_pf",
            initial: vec![("v".into(), py(x.v0_mv))],
            linear: false,
        },
    })
}

/// A synapse type's state equations, what a spike adds, and its current into v.
pub(super) fn kernel_terms(name: &str, kernel: Kernel, reversal: Option<f64>) -> (Vec<String>, String, String) {
    let (eqs, on_spike, value) = match kernel {
        Kernel::Delta => (Vec::new(), String::new(), String::new()),
        Kernel::Exponential { tau_ms } => (
            vec![format!("ds_{name}/dt = -s_{name}/({})/ms : 1", py(tau_ms))],
            format!("s_{name}_post += WEIGHT"),
            format!("s_{name}"),
        ),
        // (t/tau) e^(1 - t/tau): a second trace feeds the first.
        Kernel::Alpha { tau_ms } => (
            vec![
                format!("ds_{name}/dt = (x_{name} - s_{name})/({})/ms : 1", py(tau_ms)),
                format!("dx_{name}/dt = -x_{name}/({})/ms : 1", py(tau_ms)),
            ],
            format!("x_{name}_post += WEIGHT*exp(1)"),
            format!("s_{name}"),
        ),
        // e^(-t/tau) - e^(-4t/tau).
        Kernel::DoubleExponential { tau_ms } => (
            vec![
                format!("ds_{name}/dt = -s_{name}/({})/ms : 1", py(tau_ms)),
                format!("dx_{name}/dt = -4*x_{name}/({})/ms : 1", py(tau_ms)),
            ],
            format!("s_{name}_post += WEIGHT\nx_{name}_post += WEIGHT"),
            format!("(s_{name} - x_{name})"),
        ),
    };
    let current = match (kernel, reversal) {
        (Kernel::Delta, _) => String::new(),
        (_, Some(e)) => format!("{value}*({} - v)", py(e)),
        (_, None) => value,
    };
    (eqs, on_spike, current)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn population(
    s: &mut String,
    preset: &Preset,
    net: &NetworkSpec,
    p: usize,
    pop: &PopulationSpec,
    built: Option<&crate::network::Net>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let name = &pop.name;
    let var = py_str(name);
    if let Some(source) = &pop.source {
        return source_group(s, name, pop.size, source).map_err(|why| format!("population {name}: {why}"));
    }
    let mut m = model(&pop.neuron).map_err(|why| format!("population {name}: {why}"))?;
    // The Izhikevich network script's own scheme, written out as it steps: v in two half
    // steps, then u from the new v; spikes stamped at the step's start, as Brian2 does.
    let script_scheme =
        matches!(pop.neuron, NeuronModel::Izhikevich(_)) && preset.run.integrator == Integrator::Izhikevich2003;
    if script_scheme {
        m.equations = vec!["v : 1".into(), "u : 1".into()];
        m.threshold = m.threshold.replace(">=", ">");
    }
    let mut equations = m.equations.clone();
    // Synaptic states of each type, and their currents (conductance types: g (E - v)).
    let mut currents = Vec::new();
    for (ty, syn) in &pop.synapses {
        let (eqs, _, current) = kernel_terms(ty, syn.kernel, syn.reversal_mv);
        equations.extend(eqs);
        if !current.is_empty() {
            currents.push(current);
        }
    }
    let mut stochastic = false;
    // Charges of the step: a current over the next (an accumulator emptied after each update).
    let spread = spreads_charge(preset, pop);
    if spread {
        equations.push("q_in : 1".into());
        currents.push("q_in/(dt/ms)".into());
    }
    // Inputs' own kernels and their deterministic currents.
    for (k, input) in net.inputs.iter().enumerate().filter(|(_, i)| i.population == *name) {
        for (j, c) in input.stimulus.components.iter().enumerate() {
            if let Component::Spikes { kernel, .. } = c {
                let (eqs, _, current) = kernel_terms(&format!("in{k}_{j}"), *kernel, None);
                equations.extend(eqs);
                if !current.is_empty() {
                    currents.push(current);
                }
            }
        }
        currents.push(format!("stim{k}(t)*mask{k}"));
        equations.push(format!("mask{k} : 1 (constant)"));
        for c in &input.stimulus.components {
            if let Component::Noise { mean, sigma, tau_ms, start_ms, duration_ms, .. } = c {
                if (-preset.run.dt_ms / tau_ms).exp() < 1e-8 {
                    equations.push(format!("noise{k} : 1"));
                } else {
                    // Ornstein-Uhlenbeck, stepped by Euler-Maruyama (spikelab steps it exactly).
                    stochastic = true;
                    equations.push(format!(
                        "dnoise{k}/dt = ({m} - noise{k})/({tau}*ms) + {sigma}*sqrt(2/({tau}*ms))*xi_{k} : 1",
                        m = py(*mean),
                        tau = py(*tau_ms),
                        sigma = py(*sigma)
                    ));
                }
                // Only over the input's neurons and its time window.
                currents.push(format!("noise{k}*mask{k}*{}", window(*start_ms, *duration_ms)));
                break;
            }
        }
    }
    equations.push(format!("I = {} : 1", if currents.is_empty() { "0".to_string() } else { currents.join(" + ") }));
    let mut reset = m.reset.clone();
    match pop.reset {
        Reset::ToValue => {}
        Reset::Subtract => {
            // Lowered by the threshold's distance to the reset value.
            let (th, to) = match &pop.neuron {
                NeuronModel::Lif(_) => ("v_th_mv", "v_reset_mv"),
                _ => return Err(format!("population {name}: reset by subtraction is written for LIF only")),
            };
            reset[0] = format!("v -= {th} - {to}");
        }
    }
    match &pop.adaptation {
        Some(a) => {
            equations.push(format!("dtheta/dt = -theta/({})/ms : 1", py(a.tau_theta_ms)));
            reset.push(format!("theta += {}", py(a.theta_plus_mv)));
        }
        None => equations.push("theta : 1".into()),
    }
    for (key, _) in &m.params {
        equations.push(format!("{key} : 1 (constant)"));
    }
    let method = if script_scheme {
        "exact"
    } else if stochastic {
        notes.push(format!(
            "population {name}: Ornstein-Uhlenbeck noise is stepped by Euler-Maruyama here (exactly in spikelab)."
        ));
        "euler"
    } else {
        method(preset.run.integrator, m.linear && pop.synapses.values().all(|t| t.reversal_mv.is_none()), notes, name)
    };
    let lag = if script_scheme { 0.0 } else { preset.run.dt_ms };
    let refractory = match m.refractory {
        // From spikelab's spike time, a step after Brian2's own stamp.
        Some(t) => format!("({} + {})*ms", py(t), py(lag)),
        // Without a reset, a spike is an upward crossing: refractory while above threshold.
        None => py_str(&m.threshold),
    };
    let _ = writeln!(
        s,
        "groups[{var}] = NeuronGroup({n}, {eqs}, threshold={threshold}, reset={reset}, refractory={refractory}, method={method}, name={gname})",
        n = pop.size,
        eqs = py_str(&equations.join("\n")),
        threshold = py_str(&m.threshold),
        reset = py_str(&reset.join("\n")),
        method = py_str(method),
        gname = py_str(&format!("pop{p}")),
    );
    let _ = writeln!(s, "lags[{var}] = {}", py(lag));
    if script_scheme {
        let step = "0.5*(0.04*v**2 + k1*v + k0 - u + I)*dt/ms";
        let _ = writeln!(
            s,
            "groups[{var}].run_regularly({}, when=\"groups\")",
            py_str(&format!("v += {step}\nv += {step}\nu += a*(b*(v - v_b) - u_leak*u)*dt/ms"))
        );
    }
    if spread {
        let _ = writeln!(s, "groups[{var}].run_regularly(\"q_in = 0\", when=\"after_groups\")");
    }
    for (key, value) in &m.params {
        let _ = writeln!(s, "groups[{var}].{key} = {}", py(*value));
    }
    for (v, value) in &m.initial {
        let _ = writeln!(s, "groups[{var}].{v} = {}", py_str(value));
    }
    for (key, dist) in &pop.initial {
        let state = if key == "v" {
            "v".to_string()
        } else if pop.synapses.contains_key(key) {
            format!("s_{key}")
        } else {
            key.clone()
        };
        let _ = writeln!(s, "groups[{var}].{state} = {}", draw(dist, &pop.size.to_string(), key != "v"));
    }
    if let Some(built) = built.filter(|_| !pop.spread.is_empty()) {
        for spread in &pop.spread {
            let key = spread.param();
            let values: Vec<String> =
                (0..pop.size as usize).map(|i| py(built.population(p).model_of(i).get(key).unwrap_or(0.0))).collect();
            let _ = writeln!(s, "groups[{var}].{key} = numpy.array([{}])", values.join(", "));
        }
        if let NeuronModel::Izhikevich(_) = pop.neuron {
            let _ = writeln!(s, "groups[{var}].u = groups[{var}].b[:]*(groups[{var}].v[:] - groups[{var}].v_b[:])");
        }
    }
    Ok(())
}

/// Whether a delta synapse's charge enters the population as a current over the step it
/// arrives in (every scheme but the exact one, which jumps V as NEST does).
pub(super) fn spreads_charge(preset: &Preset, pop: &PopulationSpec) -> bool {
    !(preset.run.integrator == Integrator::Exact && matches!(pop.neuron, NeuronModel::Lif(_)))
}

pub(super) fn method(integrator: Integrator, linear: bool, notes: &mut Vec<String>, name: &str) -> &'static str {
    match integrator {
        Integrator::Exact if linear => "exact",
        Integrator::Exact | Integrator::ExponentialEuler => "exponential_euler",
        Integrator::Euler => "euler",
        Integrator::Rk4 => "rk4",
        Integrator::Izhikevich2003 | Integrator::Izhikevich2004 => {
            notes.push(format!(
                "population {name}: Brian2 steps it by forward Euler, not the Izhikevich script's own scheme ({}).",
                integrator.name()
            ));
            "euler"
        }
    }
}

pub(super) fn model_charge(model: &NeuronModel) -> Result<String, String> {
    Ok(self::model(model)?.charge_to_v.to_string())
}
