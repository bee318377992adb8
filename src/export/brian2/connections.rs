//! Projections in Brian2: Synapses with their connection rule, weights, delays and distributions, and the plasticity rules as on_pre and on_post code.

use super::*;

/// A distribution drawn per element with numpy (a synaptic state or weight keeps its sign).
pub(super) fn draw(d: &Dist, n: &str, signed: bool) -> String {
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

pub(super) fn projection(
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
        Connectivity::FixedTotalNumber { n } => {
            // Independent uniform pairs; an autapse's target drawn again until there is none.
            let _ = writeln!(
                s,
                "pre = rng.integers(0, {pre_size}, {n})\npost = rng.integers(0, {n_post}, {n})\n\
                 while {no_self} and (pre == post).any():\n    again = pre == post\n    \
                 post[again] = rng.integers(0, {n_post}, again.sum())\nS.connect(i=pre, j=post)",
                n_post = post.size,
                no_self = if same && !autapses { "True" } else { "False" },
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

/// A delay as seconds-free milliseconds: a number, or an array drawn per synapse.
pub(super) fn delay(d: &Dist) -> String {
    match *d {
        Dist::Constant(v) => py(v),
        _ => draw(d, "len(S)", false),
    }
}

/// An STDP rule as Brian2 traces: each trace a synaptic variable decayed event by event
/// (`lastupdate`), as spikelab's trace clocks do.
pub(super) fn stdp(
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
