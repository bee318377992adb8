//! Projections in NEST: connection rules, weights, delays and distributions as nest.random, and the plastic synapse models.

use super::*;

/// The smallest and largest value a distribution draws.
pub(super) fn range(d: &Dist) -> (f64, f64) {
    match *d {
        Dist::Constant(v) => (v, v),
        Dist::Uniform { low, high } => (low, high),
        Dist::Normal { mean, sd } => (mean - 5.0 * sd, mean + 5.0 * sd),
        Dist::Integers { low, high } => (low as f64, high as f64),
    }
}

/// A distribution as a NEST value: a number or a `nest.random` parameter.
pub(super) fn random(d: &Dist) -> Result<String, String> {
    match *d {
        Dist::Constant(v) => Ok(py(v)),
        Dist::Uniform { low, high } => Ok(format!("nest.random.uniform(min={}, max={})", py(low), py(high))),
        Dist::Normal { mean, sd } => Ok(format!("nest.random.normal(mean={}, std={})", py(mean), py(sd))),
        Dist::Integers { low, high } => Ok(format!("nest.random.uniform_int({}) + {}", high - low + 1, low)),
    }
}

/// A distribution drawn as spikelab draws weights and synaptic states: a normal draw is clipped
/// at 0 so that it keeps the sign of its mean.
pub(super) fn random_signed(d: &Dist) -> Result<String, String> {
    match *d {
        Dist::Normal { mean, .. } => {
            let (bound, at) = if mean >= 0.0 { ("max", "0.0") } else { ("min", "0.0") };
            Ok(format!("nest.math.{bound}({}, {at})", random(d)?))
        }
        _ => random(d),
    }
}

/// A weight distribution times `scale` (drawn as spikelab draws weights).
pub(super) fn scaled(d: &Dist, scale: f64) -> Result<String, String> {
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
pub(super) fn delay(d: &Dist, dt: f64) -> Result<String, String> {
    match *d {
        Dist::Constant(v) => Ok(py(v.max(dt))),
        Dist::Uniform { low, high } => {
            Ok(format!("nest.random.uniform(min={}, max={})", py(low.max(dt)), py(high.max(dt))))
        }
        // Clipped at one step, as spikelab clips a normal delay (not redrawn).
        Dist::Normal { .. } => Ok(format!("nest.math.max({}, {})", random(d)?, py(dt))),
        Dist::Integers { .. } => Err(format!("only constant, uniform and normal delays are exported; {BRIAN2}")),
    }
}

/// NEST's connection rule, with autapses and multapses said explicitly (NEST allows both by default).
pub(super) fn connection(rule: &Connectivity, autapses: bool, multapses: bool) -> Result<String, String> {
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
        Connectivity::FixedTotalNumber { n } => format!(
            "{{\"rule\": \"fixed_total_number\", \"N\": {n}, \"allow_autapses\": {}, \"allow_multapses\": True}}",
            yes(autapses)
        ),
        Connectivity::Explicit { .. } => return Err(format!("listed synapses are not exported; {BRIAN2}")),
    })
}

/// NEST's plastic synapse for a rule: its base model, its parameters (in NEST's weight unit),
/// and the neuron parameters that hold the postsynaptic traces' time constants.
pub(super) struct Plastic {
    pub(super) base: &'static str,
    pub(super) params: Vec<(&'static str, f64)>,
    pub(super) neuron: Vec<(&'static str, f64)>,
}

pub(super) fn plastic(rule: &StdpRule, scale: f64) -> Result<Plastic, String> {
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
