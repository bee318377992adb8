//! The Brian2 script: every model's equations written out as spikelab integrates them (in
//! spikelab's own units, as dimensionless numbers with time in ms), every synapse kernel as
//! its traces, every connection rule as the index arrays it draws, every STDP rule as its
//! traces and updates. Runtime mode by default (numpy: no compiler); `--standalone` builds
//! C++ and runs it on `--threads` OpenMP threads.

use std::fmt::Write as _;

use super::{py, py_str};
use crate::integrate::{Integrator, SpikeTiming};
use crate::network::spec::{Connectivity, Dist, NetworkSpec, PopulationSpec, Reset};
use crate::neuron::NeuronModel;
use crate::preset::Preset;
use crate::stimulus::{Component, SpikeSource};
use crate::synapse::Kernel;
use crate::synapse::plasticity::StdpRule;

/// A model's state equations (v first), threshold, reset and refractoriness, with its
/// parameters as per-neuron constants.
struct Model {
    equations: Vec<String>,
    params: Vec<(&'static str, f64)>,
    threshold: String,
    reset: Vec<String>,
    /// A reset model's refractory period (ms); a model without reset counts upward crossings.
    refractory: Option<f64>,
    /// What a delta synapse's charge does to v (`w * factor`).
    charge_to_v: &'static str,
    /// Variables that start elsewhere than 0: (name, value expression).
    initial: Vec<(String, String)>,
    linear: bool,
}

fn model(m: &NeuronModel) -> Result<Model, String> {
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
fn kernel_terms(name: &str, kernel: Kernel, reversal: Option<f64>) -> (Vec<String>, String, String) {
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

pub fn script(preset: &Preset, net: &NetworkSpec) -> Result<String, String> {
    let run = &preset.run;
    let dt = run.dt_ms;
    let mut notes: Vec<String> = Vec::new();
    if run.spike_timing == SpikeTiming::Interpolated {
        notes.push("Brian2 puts spikes on the step grid; the preset locates them inside the step (spike_timing: Interpolated).".into());
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "groups = {{}}\n# Each group's spike stamp against spikelab's (Brian2 stamps a step's start).\nlags = {{}}"
    );
    let built = if net.populations.iter().any(|p| !p.spread.is_empty()) {
        Some(crate::network::Net::build(net, dt, run.seed)?)
    } else {
        None
    };
    for (p, pop) in net.populations.iter().enumerate() {
        population(&mut s, preset, net, p, pop, built.as_ref(), &mut notes)?;
    }
    let _ = writeln!(
        s,
        "\n# Projections: index arrays drawn here (numpy, seeded), delays axonal.\nsynapses = []\nplastic = []"
    );
    for (k, proj) in net.projections.iter().enumerate() {
        projection(&mut s, preset, net, k, &mut notes)
            .map_err(|why| format!("projection {k} ({} -> {}): {why}", proj.from, proj.to))?;
    }
    for (k, input) in net.inputs.iter().enumerate() {
        input_of(&mut s, preset, net, k).map_err(|why| format!("input {k} into {}: {why}", input.population))?;
    }
    let mut script = String::new();
    header(&mut script, preset, &notes);
    script += &s;
    footer(&mut script, preset);
    Ok(script)
}

#[allow(clippy::too_many_arguments)]
fn population(
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
fn spreads_charge(preset: &Preset, pop: &PopulationSpec) -> bool {
    !(preset.run.integrator == Integrator::Exact && matches!(pop.neuron, NeuronModel::Lif(_)))
}

fn method(integrator: Integrator, linear: bool, notes: &mut Vec<String>, name: &str) -> &'static str {
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

/// A distribution drawn per element with numpy (a synaptic state or weight keeps its sign).
fn draw(d: &Dist, n: &str, signed: bool) -> String {
    let raw = match *d {
        Dist::Constant(v) => return py(v),
        Dist::Uniform { low, high } => format!("rng.uniform({}, {}, {n})", py(low), py(high)),
        Dist::Normal { mean, sd } => format!("rng.normal({}, {}, {n})", py(mean), py(sd)),
        Dist::Integers { low, high } => format!("rng.integers({low}, {}, {n}).astype(float)", high + 1),
    };
    match (*d, signed) {
        (Dist::Normal { mean, .. }, true) if mean >= 0.0 => format!("numpy.maximum({raw}, 0.0)"),
        (Dist::Normal { .. }, true) => format!("numpy.minimum({raw}, 0.0)"),
        _ => raw,
    }
}

/// 1 from `start` for `duration` ms, else 0 (an expression of Brian2's `t`).
fn window(start: f64, duration: f64) -> String {
    format!("int(t >= {}*ms)*int(t < {}*ms)", py(start), py((start + duration).min(1e12)))
}

fn source_group(s: &mut String, name: &str, n: u32, source: &SpikeSource) -> Result<(), String> {
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

fn projection(
    s: &mut String,
    preset: &Preset,
    net: &NetworkSpec,
    k: usize,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let proj = &net.projections[k];
    let post = net.populations.iter().find(|p| p.name == proj.to).expect("validated");
    let pre_size = net.populations.iter().find(|p| p.name == proj.from).expect("validated").size;
    let ty = post.synapses[&proj.synapse];
    let model = post.neuron;
    let (_, on_spike, _) = kernel_terms(&proj.synapse, ty.kernel, ty.reversal_mv);
    let on_spike = on_spike.replace("WEIGHT", "wsyn");
    let charge_to_v = if post.source.is_none() { model_charge(&model)? } else { String::new() };
    let spread = ty.kernel == Kernel::Delta && spreads_charge(preset, post);
    let effect = if spread {
        // A charge for the next step's update, as a current over it.
        "q_in_post += wsyn".to_string()
    } else if ty.kernel == Kernel::Delta {
        // A charge: a jump of v, lost while the target is refractory.
        format!("v_post += wsyn{charge_to_v}*int(not_refractory_post)")
    } else {
        on_spike
    };
    let mut syn_model = vec!["wsyn : 1".to_string()];
    let mut on_pre = vec![effect];
    let mut on_post = Vec::new();
    if let Some(rule) = &proj.plasticity {
        stdp(rule, &mut syn_model, &mut on_pre, &mut on_post)?;
    }
    if proj.normalise.is_some() {
        syn_model.push("w_total_post = wsyn : 1 (summed)".into());
    }
    let (same, autapses) = (proj.from == proj.to, proj.autapses);
    let name = py_str(&format!("syn{k}"));
    let _ = writeln!(
        s,
        "S = Synapses(groups[{}], groups[{}], model={}, on_pre={}, on_post={}, method=\"exact\", name={name})",
        py_str(&proj.from),
        py_str(&proj.to),
        py_str(&syn_model.join("\n")),
        py_str(&on_pre.join("\n")),
        if on_post.is_empty() { "None".into() } else { py_str(&on_post.join("\n")) },
    );
    match &proj.rule {
        Connectivity::AllToAll => {
            let _ = writeln!(s, "S.connect({})", if same && !autapses { "condition=\"i != j\"" } else { "" });
        }
        Connectivity::OneToOne => {
            let _ = writeln!(s, "S.connect(j=\"i\")");
        }
        Connectivity::FixedProbability { p } => {
            let _ =
                writeln!(s, "S.connect(p={}{})", py(*p), if same && !autapses { ", condition=\"i != j\"" } else { "" });
        }
        Connectivity::FixedInDegree { k: indegree } => {
            let _ = writeln!(
                s,
                "pre, post = fixed_degree({pre_size}, {n_post}, {indegree}, {multapses}, {autapses}, by_target=True)\nS.connect(i=pre, j=post)",
                n_post = post.size,
                multapses = if proj.multapses { "True" } else { "False" },
                autapses = if !same || autapses { "True" } else { "False" },
            );
        }
        Connectivity::FixedOutDegree { k: outdegree } => {
            let _ = writeln!(
                s,
                "pre, post = fixed_degree({pre_size}, {n_post}, {outdegree}, {multapses}, {autapses}, by_target=False)\nS.connect(i=pre, j=post)",
                n_post = post.size,
                multapses = if proj.multapses { "True" } else { "False" },
                autapses = if !same || autapses { "True" } else { "False" },
            );
        }
        Connectivity::Explicit { synapses } => {
            // As listed (indices within the populations, each synapse's weight and delay).
            let early = if spread { preset.run.dt_ms } else { 0.0 };
            let (mut pre, mut post, mut w, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for &(i, j, weight, delay_ms) in synapses {
                pre.push(i.to_string());
                post.push(j.to_string());
                w.push(py(weight));
                d.push(py((delay_ms - early).max(0.0)));
            }
            let _ = writeln!(
                s,
                "S.connect(i=numpy.array([{}]), j=numpy.array([{}]))\nS.wsyn = numpy.array([{}])\nS.delay = numpy.array([{}])*ms",
                pre.join(", "),
                post.join(", "),
                w.join(", "),
                d.join(", ")
            );
        }
    }
    if !matches!(proj.rule, Connectivity::Explicit { .. }) {
        let _ = writeln!(s, "S.wsyn = {}", draw(&proj.weight, "len(S)", true));
        // A charge taken up by the next update arrives a step early here.
        let early = if spread { format!(" - {}", py(preset.run.dt_ms)) } else { String::new() };
        let _ = writeln!(s, "S.delay = clip({}{early}, 0, inf)*ms", delay(&proj.delay_ms));
    }
    if let Some(n) = &proj.normalise {
        let _ = writeln!(
            s,
            "S.run_regularly(\"wsyn = wsyn*{}/w_total_post\", dt={}*ms, when=\"end\")",
            py(n.total),
            py(n.every_ms)
        );
        notes.push(format!(
            "projection {k}: weights into each target normalised to {} every {} ms.",
            n.total, n.every_ms
        ));
    }
    let _ = writeln!(s, "synapses.append(S)");
    if proj.plasticity.is_some() {
        // A neuron's spike counts at its step's end here (Brian2 stamps the start): the rule
        // sees it one step later.
        let _ = writeln!(s, "S.post.delay = defaultclock.dt\nplastic.append(S)");
    }
    Ok(())
}

fn model_charge(model: &NeuronModel) -> Result<String, String> {
    Ok(self::model(model)?.charge_to_v.to_string())
}

/// A delay as seconds-free milliseconds: a number, or an array drawn per synapse.
fn delay(d: &Dist) -> String {
    match *d {
        Dist::Constant(v) => py(v),
        _ => draw(d, "len(S)", false),
    }
}

/// An STDP rule as Brian2 traces: each trace a synaptic variable decayed event by event
/// (`lastupdate`), as spikelab's trace clocks do.
fn stdp(
    rule: &StdpRule,
    model: &mut Vec<String>,
    on_pre: &mut Vec<String>,
    on_post: &mut Vec<String>,
) -> Result<(), String> {
    let trace = |name: &str, tau: f64| format!("d{name}/dt = -{name}/({})/ms : 1 (event-driven)", py(tau));
    match *rule {
        StdpRule::Additive { a_plus, a_minus, tau_plus_ms, tau_minus_ms, w_max, nearest } => {
            model.extend([trace("apre", tau_plus_ms), trace("apost", tau_minus_ms)]);
            let (set_pre, set_post) = if nearest { ("apre = 1", "apost = 1") } else { ("apre += 1", "apost += 1") };
            on_pre.extend([
                format!("wsyn = clip(wsyn - {}*{}*apost, 0, {})", py(w_max), py(a_minus), py(w_max)),
                set_pre.into(),
            ]);
            on_post.extend([
                format!("wsyn = clip(wsyn + {}*{}*apre, 0, {})", py(w_max), py(a_plus), py(w_max)),
                set_post.into(),
            ]);
        }
        StdpRule::Multiplicative { lambda, alpha, mu_plus, mu_minus, tau_plus_ms, tau_minus_ms, w_max } => {
            model.extend([trace("apre", tau_plus_ms), trace("apost", tau_minus_ms)]);
            on_pre.extend([
                format!(
                    "wsyn = clip(wsyn - {wm}*{lambda}*{alpha}*(wsyn/{wm})**{mu}*apost, 0, {wm})",
                    wm = py(w_max),
                    lambda = py(lambda),
                    alpha = py(alpha),
                    mu = py(mu_minus)
                ),
                "apre += 1".into(),
            ]);
            on_post.extend([
                format!(
                    "wsyn = clip(wsyn + {wm}*{lambda}*(1 - wsyn/{wm})**{mu}*apre, 0, {wm})",
                    wm = py(w_max),
                    lambda = py(lambda),
                    mu = py(mu_plus)
                ),
                "apost += 1".into(),
            ]);
        }
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
        } => {
            model.extend([
                trace("r1", tau_plus_ms),
                trace("r2", tau_x_ms),
                trace("o1", tau_minus_ms),
                trace("o2", tau_y_ms),
            ]);
            on_pre.extend([
                format!(
                    "wsyn = clip(wsyn - {wm}*o1*({} + {}*r2), 0, {wm})",
                    py(a2_minus),
                    py(a3_minus),
                    wm = py(w_max)
                ),
                "r1 += 1".into(),
                "r2 += 1".into(),
            ]);
            on_post.extend([
                format!("wsyn = clip(wsyn + {wm}*r1*({} + {}*o2), 0, {wm})", py(a2_plus), py(a3_plus), wm = py(w_max)),
                "o1 += 1".into(),
                "o2 += 1".into(),
            ]);
        }
        StdpRule::Ee746 { a_up, a_down, gamma, tau_ms, w_max } => {
            // Nearest spikes: the time since the last arrival and since the last post spike.
            model.extend(["t_pre : second".into(), "t_post : second".into()]);
            on_pre.extend([
                format!(
                    "wsyn = clip(wsyn + wsyn*{}*{}*exp(-(t - t_post)/({}*ms))*int(t_post > 0*ms), 0, {})",
                    py(gamma),
                    py(a_down),
                    py(tau_ms),
                    py(w_max)
                ),
                "t_pre = t".into(),
            ]);
            on_post.extend([
                format!(
                    "wsyn = clip(wsyn + wsyn*{}*{}*exp(-(t - t_pre)/({}*ms))*int(t_pre > 0*ms), 0, {})",
                    py(gamma),
                    py(a_up),
                    py(tau_ms),
                    py(w_max)
                ),
                "t_post = t".into(),
            ]);
        }
    }
    Ok(())
}

/// An input: its deterministic current sampled per step (a TimedArray), its spike trains per
/// neuron (PoissonInput), white noise redrawn every step; only over its neurons.
fn input_of(s: &mut String, preset: &Preset, net: &NetworkSpec, k: usize) -> Result<(), String> {
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

fn header(s: &mut String, preset: &Preset, notes: &[String]) {
    let _ = writeln!(
        s,
        "#!/usr/bin/env python3\n\"\"\"{name}: exported by spikelab {version} for Brian2 2.x.\n\n\
         Builds the preset's network with its equations written out in spikelab's units (as\n\
         dimensionless numbers, time in ms), runs it for {t} ms at dt = {dt} ms (seed {seed}), and\n\
         writes, in --out (default: this folder), spikes.csv (t_ms,neuron: global indices in the\n\
         preset's order), summary.json and, for plastic synapses, weights_final.csv, as `spikelab\n\
         run` does; `spikelab compare DIR_A DIR_B` sets the runs side by side.\n\n\
         python3 script.py                         # runtime mode (numpy, no compiler)\n\
         python3 script.py --standalone --threads 8  # C++ standalone with 8 OpenMP threads\n\n\
         Brian2 stamps a spike at the start of the step it is detected in; spikelab's grid\n\
         timing at its end: times here are shifted by one step to match.\n",
        name = preset.name.replace('"', "'"),
        version = env!("CARGO_PKG_VERSION"),
        t = py(preset.run.duration_ms),
        dt = py(preset.run.dt_ms),
        seed = preset.run.seed,
    );
    if !notes.is_empty() {
        let _ = writeln!(s, "Approximations:");
        for note in notes {
            let _ = writeln!(s, "- {note}");
        }
    }
    let _ = writeln!(
        s,
        "\"\"\"\nimport argparse\nimport builtins  # brian2's star import shadows sum and round with numpy's\nimport json\nimport os\n\nimport numpy\nfrom brian2 import *  # noqa: F401,F403\n\n\
         parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n\
         parser.add_argument(\"--standalone\", action=\"store_true\", help=\"C++ standalone\")\n\
         parser.add_argument(\"--threads\", type=int, default=1, help=\"OpenMP threads (standalone)\")\n\
         parser.add_argument(\"--out\", default=os.path.dirname(os.path.abspath(__file__)))\n\
         args = parser.parse_args()\n\
         if args.standalone:\n    set_device(\"cpp_standalone\", directory=os.path.join(args.out, \"brian2-build\"))\n    prefs.devices.cpp_standalone.openmp_threads = args.threads\n\
         else:\n    prefs.codegen.target = \"numpy\"\n\
         DURATION_MS = {}\n\
         defaultclock.dt = {} * ms\n\
         seed({})\n\
         rng = numpy.random.default_rng({})\n\
         inputs = []\n\n\
         def fixed_degree(n_pre, n_post, k, multapses, autapses, by_target):\n    \
             \"\"\"Index arrays with k sources per target (or k targets per source).\"\"\"\n    \
             n_from, n_to = (n_pre, n_post) if by_target else (n_post, n_pre)\n    \
             theirs = numpy.repeat(numpy.arange(n_to), k)\n    \
             if multapses:\n        \
                 # Independent draws, an autapse drawn again until there is none.\n        \
                 ours = rng.integers(0, n_from, n_to * k)\n        \
                 while not autapses and (ours == theirs).any():\n            \
                     again = ours == theirs\n            \
                     ours[again] = rng.integers(0, n_from, again.sum())\n    \
             else:\n        \
                 ours = numpy.concatenate([\n            \
                     rng.choice(numpy.delete(numpy.arange(n_from), j) if not autapses and j < n_from else n_from, k, replace=False)\n            \
                     for j in range(n_to)\n        \
                 ])\n    \
             a, b = ours, theirs\n    \
             return (a, b) if by_target else (b, a)\n",
        py(preset.run.duration_ms),
        py(preset.run.dt_ms),
        preset.run.seed,
        preset.run.seed,
    );
}

const FOOTER: &str = r#"
monitors = {name: SpikeMonitor(g) for name, g in groups.items()}
net = Network(list(groups.values()), synapses, inputs, list(monitors.values()))
net.run(DURATION_MS * ms)
os.makedirs(args.out, exist_ok=True)
populations = populations_of(groups)
spikes = []
for p in populations:
    m = monitors[p["name"]]
    # A neuron's spike one step later where spikelab stamps the step's end.
    lag = lags.get(p["name"], 0.0)
    spikes += [(builtins.round(float(t / ms) + lag, 9), int(i) + p["first"]) for t, i in zip(m.t, m.i)]
spikes.sort()
weights = None
if plastic:
    first = {g.name: p["first"] for g, p in zip(groups.values(), populations)}
    weights = []
    for S in plastic:
        a, b = first[S.source.name], first[S.target.name]
        weights += [(int(i) + a, int(j) + b, float(w)) for i, j, w in zip(S.i[:], S.j[:], S.wsyn[:])]
details = {"simulator": "Brian2 " + __import__("brian2").__version__}
write_outputs(spikes, weights, populations, details)
"#;

fn footer(s: &mut String, preset: &Preset) {
    super::outputs(s, preset, preset.run.seed);
    s.push_str(FOOTER);
}
