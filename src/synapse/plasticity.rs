//! Spike-timing-dependent plasticity: the rules, their analytic windows, and the traces that
//! apply them event by event.
//!
//! # Semantics
//! - `Δt = t_post - t_pre`, where `t_pre` is the time the presynaptic spike **arrives** at the
//!   synapse: delays are axonal, and a spike of step `n` with a delay of `D` steps arrives at the
//!   start of step `n + D`, `t_pre = (n + D) dt`. The postsynaptic spike counts at its own
//!   (interpolated) time, with no dendritic delay. `Δt > 0` (pre before post) potentiates.
//! - Amplitudes are fractions of `w_max`; weights stay in `[0, w_max]` (hard bounds for the
//!   additive and triplet rules; the multiplicative rule's steps shrink towards the bounds and
//!   are clipped as NEST's `stdp_synapse` does).
//! - Traces are all-to-all (each spike adds 1) unless `nearest` is set, and for the EE746 rule
//!   (each spike resets its trace to 1, so only the last partner counts).

use crate::param::ParamSpec;
use serde::{Deserialize, Serialize};

/// Trace time constants: positive, up to ten seconds.
const TAU: (f64, f64) = (1e-6, 1e4);
/// Amplitudes and exponents carry no sign (the rule does).
const SIZE: (f64, f64) = (0.0, 1e6);
/// The bound: any positive weight, in the synapse's unit.
const BOUND: (f64, f64) = (1e-12, 1e12);
const W_MAX_DOC: &str = "upper bound of the weights (their lower bound is 0), in the synapse's unit";

/// The rules, each parameter described once: the enum's fields, the panel's and `--set`'s table
/// ([`StdpRule::specs`]), access by key and the published defaults ([`StdpRule::published`]) are all made
/// from this list, so a new rule cannot miss any of them.
macro_rules! rules {
    ($(
        $(#[$doc:meta])*
        $variant:ident ($kind:literal, $name:literal) {
            $($key:ident : $symbol:literal $unit:literal $range:expr => $default:expr, $what:expr;)*
        } $([$($flag:ident : $flag_ty:ty = $flag_default:expr),*])?
    )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        pub enum StdpRule {
            $($(#[$doc])* $variant { $($key: f64,)* $($($flag: $flag_ty,)*)? },)*
        }

        /// The kinds of rule, in the pickers' order.
        #[derive(Clone, Copy)]
        enum Kind {
            $($variant),*
        }

        impl StdpRule {
            /// Each kind's name and parameters, in [`StdpRule::kind`] order.
            const KINDS: &[(&str, &[ParamSpec])] = &[$(($kind, &[$(
                ParamSpec::new(stringify!($key), $symbol, $unit, $range, $default, $what)
            ),*])),*];

            pub fn name(&self) -> &'static str {
                match self {
                    $(StdpRule::$variant { .. } => $name),*
                }
            }

            /// The index of this rule's kind (see [`StdpRule::kinds`]).
            pub fn kind(&self) -> usize {
                match self {
                    $(StdpRule::$variant { .. } => Kind::$variant as usize),*
                }
            }

            /// A rule of kind `k` with its published defaults and the given bound.
            pub fn published(k: usize, w_max: f64) -> StdpRule {
                let all = [$(StdpRule::$variant { $($key: $default,)* $($($flag: $flag_default,)*)? }),*];
                all[k].with_w_max(w_max)
            }

            fn field(&mut self, key: &str) -> Option<&mut f64> {
                match self {
                    $(StdpRule::$variant { $($key,)* .. } => match key {
                        $(stringify!($key) => Some($key),)*
                        _ => None,
                    },)*
                }
            }
        }
    };
}

rules! {
    /// Song, Miller & Abbott (2000): `Δw = w_max A+ e^(-Δt/τ+)` for `Δt > 0`,
    /// `Δw = -w_max A- e^(Δt/τ-)` for `Δt < 0`, hard bounds.
    Additive("additive", "additive (Song et al. 2000)") {
        a_plus: "A+" "x w_max" SIZE => 0.01, "potentiation of a pre-before-post pair at Δt = 0";
        a_minus: "A-" "x w_max" SIZE => 0.0105, "depression of a post-before-pre pair at Δt = 0";
        tau_plus_ms: "τ+" "ms" TAU => 20.0, "time constant of the presynaptic trace";
        tau_minus_ms: "τ-" "ms" TAU => 20.0, "time constant of the postsynaptic trace";
        w_max: "w_max" "" BOUND => 1.0, W_MAX_DOC;
    } [nearest: bool = false]
    /// Gütig et al. (2003), as NEST's `stdp_synapse`: `Δw = w_max λ (1 - w/w_max)^μ+ e^(-Δt/τ+)`,
    /// `Δw = -w_max λ α (w/w_max)^μ- e^(Δt/τ-)`. μ = 0 is additive, μ+ = 0 and μ- = 1 is van
    /// Rossum et al. (2000), μ = 1 is multiplicative.
    Multiplicative("weight-dependent", "weight-dependent (Gütig et al. 2003)") {
        lambda: "λ" "" SIZE => 0.01, "learning rate";
        alpha: "α" "" SIZE => 1.05, "depression relative to potentiation";
        mu_plus: "μ+" "" SIZE => 1.0, "weight dependence of potentiation (0 additive, 1 multiplicative)";
        mu_minus: "μ-" "" SIZE => 1.0, "weight dependence of depression (0 additive, 1 multiplicative)";
        tau_plus_ms: "τ+" "ms" TAU => 20.0, "time constant of the presynaptic trace";
        tau_minus_ms: "τ-" "ms" TAU => 20.0, "time constant of the postsynaptic trace";
        w_max: "w_max" "" BOUND => 1.0, W_MAX_DOC;
    }
    /// Pfister & Gerstner (2006), all-to-all (their visual cortex fit): on a pre spike
    /// `Δw = -w_max o1 (A2- + A3- r2)`, on a post spike `Δw = w_max r1 (A2+ + A3+ o2)` (r2, o2
    /// taken before the spike's own increment).
    Triplet("triplet", "triplet (Pfister & Gerstner 2006)") {
        a2_plus: "A2+" "x w_max" SIZE => 5e-10, "pair potentiation";
        a3_plus: "A3+" "x w_max" SIZE => 6.2e-3, "triplet potentiation (post-pre-post)";
        a2_minus: "A2-" "x w_max" SIZE => 7e-3, "pair depression";
        a3_minus: "A3-" "x w_max" SIZE => 2.3e-4, "triplet depression (pre-post-pre)";
        tau_plus_ms: "τ+" "ms" TAU => 16.8, "time constant of the fast presynaptic trace r1";
        tau_minus_ms: "τ-" "ms" TAU => 33.7, "time constant of the fast postsynaptic trace o1";
        tau_x_ms: "τx" "ms" TAU => 101.0, "time constant of the slow presynaptic trace r2";
        tau_y_ms: "τy" "ms" TAU => 125.0, "time constant of the slow postsynaptic trace o2";
        w_max: "w_max" "" BOUND => 1.0, W_MAX_DOC;
    }
    /// The EE746 course's network rule (STDP-B, SCIENCE.md 6.6), nearest spikes, multiplicative:
    /// a post spike changes each synapse onto it by `w γ A_up e^(-(t_post - t_last arrival)/τ)`,
    /// an arriving spike changes its synapse by `w γ A_down e^(-(t_arrival - t_last post)/τ)`.
    /// The amplitudes carry their sign: A_up > 0 > A_down is STDP, the reverse anti-STDP. The
    /// course sets no bound; here weights stay in [0, w_max].
    Ee746("EE746 network (STDP-B)", "EE746 network rule (STDP-B)") {
        a_up: "A_up" "" (-1e6, 1e6) => 0.01, "signed change at a post spike (> 0: STDP, < 0: anti-STDP)";
        a_down: "A_down" "" (-1e6, 1e6) => -0.02, "signed change at an arriving spike";
        gamma: "γ" "" SIZE => 1.0, "learning rate";
        tau_ms: "τ" "ms" TAU => 20.0, "time constant of both windows";
        w_max: "w_max" "" BOUND => 1.0, W_MAX_DOC;
    }
}

impl StdpRule {
    pub fn w_max(&self) -> f64 {
        match *self {
            StdpRule::Additive { w_max, .. }
            | StdpRule::Multiplicative { w_max, .. }
            | StdpRule::Triplet { w_max, .. }
            | StdpRule::Ee746 { w_max, .. } => w_max,
        }
    }
    /// The same rule with another bound. Every rule is invariant under scaling the weights with
    /// `w_max` (amplitudes are fractions of it, or multiply the weight itself).
    pub fn with_w_max(mut self, bound: f64) -> Self {
        match &mut self {
            StdpRule::Additive { w_max, .. }
            | StdpRule::Multiplicative { w_max, .. }
            | StdpRule::Triplet { w_max, .. }
            | StdpRule::Ee746 { w_max, .. } => *w_max = bound,
        }
        self
    }

    /// Time constants of the (first, second) presynaptic and postsynaptic traces.
    fn taus(&self) -> ([f64; 2], [f64; 2]) {
        match *self {
            StdpRule::Additive { tau_plus_ms, tau_minus_ms, .. }
            | StdpRule::Multiplicative { tau_plus_ms, tau_minus_ms, .. } => {
                ([tau_plus_ms, tau_plus_ms], [tau_minus_ms, tau_minus_ms])
            }
            StdpRule::Triplet { tau_plus_ms, tau_minus_ms, tau_x_ms, tau_y_ms, .. } => {
                ([tau_plus_ms, tau_x_ms], [tau_minus_ms, tau_y_ms])
            }
            StdpRule::Ee746 { tau_ms, .. } => ([tau_ms, tau_ms], [tau_ms, tau_ms]),
        }
    }

    /// The weight change of one pre-post pair `Δt` apart (no earlier spikes), from weight `w`:
    /// the additive change times the rule's weight dependence, within the bounds.
    pub fn window(&self, dt_ms: f64, w: f64) -> f64 {
        let x = w / self.w_max();
        let dependence = match *self {
            StdpRule::Additive { .. } | StdpRule::Triplet { .. } => 1.0,
            StdpRule::Multiplicative { mu_plus, mu_minus, .. } => {
                if dt_ms >= 0.0 {
                    (1.0 - x).powf(mu_plus)
                } else {
                    x.powf(mu_minus)
                }
            }
            StdpRule::Ee746 { .. } => x,
        };
        (w + dependence * self.additive_window(dt_ms)).clamp(0.0, self.w_max()) - w
    }

    /// The change of one pre-post pair `Δt` apart with the weight dependence taken out (as at
    /// `w = w_max` for the EE746 rule, with μ = 0 for the weight-dependent one) and no bounds:
    /// what a device is asked for, its own curve being the weight dependence.
    pub fn additive_window(&self, dt_ms: f64) -> f64 {
        let (potentiation, depression, tau_plus_ms, tau_minus_ms) = match *self {
            StdpRule::Additive { a_plus, a_minus, tau_plus_ms, tau_minus_ms, .. } => {
                (a_plus, -a_minus, tau_plus_ms, tau_minus_ms)
            }
            StdpRule::Multiplicative { lambda, alpha, tau_plus_ms, tau_minus_ms, .. } => {
                (lambda, -lambda * alpha, tau_plus_ms, tau_minus_ms)
            }
            StdpRule::Triplet { a2_plus, a2_minus, tau_plus_ms, tau_minus_ms, .. } => {
                (a2_plus, -a2_minus, tau_plus_ms, tau_minus_ms)
            }
            StdpRule::Ee746 { a_up, a_down, gamma, tau_ms, .. } => (gamma * a_up, gamma * a_down, tau_ms, tau_ms),
        };
        self.w_max()
            * if dt_ms >= 0.0 {
                potentiation * (-dt_ms / tau_plus_ms).exp()
            } else {
                depression * (dt_ms / tau_minus_ms).exp()
            }
    }

    /// Ranges from [`StdpRule::specs`]; a bound must be positive.
    pub fn validate(&self) -> Result<(), String> {
        for spec in self.specs() {
            spec.check(self.get(spec.key).expect("every spec has a field"))?;
        }
        Ok(())
    }

    /// The rule's parameters, described once: symbol, unit, range, published default, and what
    /// each does (the side panel, validation and [`StdpRule::published`] read them).
    pub fn specs(&self) -> &'static [ParamSpec] {
        Self::KINDS[self.kind()].1
    }

    /// The names of the kinds, in [`StdpRule::kind`] order.
    pub fn kinds() -> impl Iterator<Item = &'static str> {
        Self::KINDS.iter().map(|k| k.0)
    }

    /// A parameter by its key (as in the preset).
    pub fn get(&self, key: &str) -> Option<f64> {
        let mut rule = *self;
        rule.field(key).map(|v| *v)
    }

    /// Sets a parameter by its key; `false` if this rule has none of that name.
    pub fn set(&mut self, key: &str, value: f64) -> bool {
        self.field(key).map(|v| *v = value).is_some()
    }
}

/// `x^mu` for the weight dependence, without a call for the exponents rules use most (0: additive,
/// 1: multiplicative). The general case goes through `black_box`: otherwise the compiler, knowing
/// that `pow(x, 1) = x`, folds the three branches back into one `pow` call per synapse.
#[inline]
fn power(x: f64, mu: f64) -> f64 {
    if mu == 1.0 {
        x
    } else if mu == 0.0 {
        1.0
    } else {
        x.powf(std::hint::black_box(mu))
    }
}

/// The clock of a group of traces: every trace of the group decays as `exp(-(t - t_ref)/tau)`
/// from one reference time, so it is stored as `value(t) / factor(t)` and reading it at `t`
/// costs one multiplication by the group's factor, computed once per event for all of them,
/// instead of an exponential per synapse.
#[derive(Debug, Clone, Copy)]
pub struct TraceClock {
    t_ref_ms: f64,
    taus: [f64; 2],
    /// The last factors computed and their time: a step's arrivals and the spikes at its end
    /// share a time on the grid, so most lookups find them here.
    last: (f64, [f64; 2]),
}

/// How far (in time constants) the reference may fall behind before the stored values are
/// brought forward, far from `f64`'s range (e^700).
const RESCALE_TAUS: f64 = 200.0;

impl TraceClock {
    pub fn new(taus: [f64; 2]) -> Self {
        Self { t_ref_ms: 0.0, taus, last: (0.0, [1.0, 1.0]) }
    }
    /// The factors `exp(-(t - t_ref)/tau)` at `t_ms`.
    #[inline]
    pub fn factors(&mut self, t_ms: f64) -> [f64; 2] {
        if self.last.0 != t_ms {
            let age = t_ms - self.t_ref_ms;
            let first = (-age / self.taus[0]).exp();
            // Most rules give both traces one time constant.
            let second = if self.taus[1] == self.taus[0] { first } else { (-age / self.taus[1]).exp() };
            self.last = (t_ms, [first, second]);
        }
        self.last.1
    }
    /// Moves the reference to `t_ms` once it lies far behind, rescaling `traces` (all of the
    /// clock's); the values they stand for do not change.
    pub fn keep_near(&mut self, t_ms: f64, traces: &mut [Traces]) {
        if (t_ms - self.t_ref_ms) / self.taus[0].min(self.taus[1]) < RESCALE_TAUS {
            return;
        }
        let f = self.factors(t_ms);
        for trace in traces {
            trace.scaled = [trace.scaled[0] * f[0], trace.scaled[1] * f[1]];
        }
        self.t_ref_ms = t_ms;
        self.last = (t_ms, [1.0, 1.0]);
    }
}

/// Two exponentially decaying traces of one neuron (or synapse), stored against their clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct Traces {
    scaled: [f64; 2],
}

impl Traces {
    /// The traces at the time whose clock factors are `f`.
    #[inline]
    pub fn at(&self, f: [f64; 2]) -> [f64; 2] {
        [self.scaled[0] * f[0], self.scaled[1] * f[1]]
    }
    /// Records a spike at the time whose clock factors are `f`: each trace adds 1 (all-to-all)
    /// or is set to 1 (nearest).
    #[inline]
    pub fn spike(&mut self, f: [f64; 2], nearest: bool) {
        let add = [1.0 / f[0], 1.0 / f[1]];
        self.scaled = if nearest { add } else { [self.scaled[0] + add[0], self.scaled[1] + add[1]] };
    }
}

impl StdpRule {
    /// Whether a trace resets to 1 on a spike (nearest-neighbour pairing).
    pub fn nearest(&self) -> bool {
        matches!(self, StdpRule::Additive { nearest: true, .. } | StdpRule::Ee746 { .. })
    }
    pub fn pre_taus(&self) -> [f64; 2] {
        self.taus().0
    }
    pub fn post_taus(&self) -> [f64; 2] {
        self.taus().1
    }

    /// A presynaptic spike arrives: the depression of each synapse of its row, whose
    /// presynaptic traces before the spike are `pre_before`. Call before recording the spike in
    /// its trace.
    #[inline]
    pub fn depression(&self, pre_before: [f64; 2]) -> Depression {
        let w_max = self.w_max();
        // Every rule's depression is `scale (w / w_max)^mu post`, with `scale` fixed for the row.
        let (scale, mu) = match *self {
            StdpRule::Additive { a_minus, .. } => (w_max * a_minus, 0.0),
            StdpRule::Multiplicative { lambda, alpha, mu_minus, .. } => (w_max * lambda * alpha, mu_minus),
            StdpRule::Triplet { a2_minus, a3_minus, .. } => (w_max * (a2_minus + a3_minus * pre_before[1]), 0.0),
            StdpRule::Ee746 { a_down, gamma, .. } => (-w_max * gamma * a_down, 1.0),
        };
        if mu == 0.0 {
            Depression::Flat { scale, w_max }
        } else if mu == 1.0 {
            Depression::Linear { rate: scale / w_max, w_max }
        } else {
            Depression::Power { scale, mu, w_max }
        }
    }

    /// A postsynaptic spike at `t_ms`: potentiation from the presynaptic traces `pre` (read at
    /// `t_ms`) and the postsynaptic ones before this spike.
    #[inline]
    pub fn on_post(&self, w: f64, pre: [f64; 2], post_before: [f64; 2]) -> f64 {
        let w_max = self.w_max();
        let change = match *self {
            StdpRule::Additive { a_plus, .. } => w_max * a_plus * pre[0],
            StdpRule::Multiplicative { lambda, mu_plus, .. } => {
                w_max * lambda * power(1.0 - w / w_max, mu_plus) * pre[0]
            }
            StdpRule::Triplet { a2_plus, a3_plus, .. } => w_max * pre[0] * (a2_plus + a3_plus * post_before[1]),
            StdpRule::Ee746 { a_up, gamma, .. } => w * gamma * a_up * pre[0],
        };
        (w + change).clamp(0.0, w_max)
    }

    /// A postsynaptic spike's potentiation with the weight dependence taken out and no bound
    /// (what a device is asked for: its curve is the weight dependence), from the same traces
    /// as [`StdpRule::on_post`].
    pub fn additive_on_post(&self, pre: [f64; 2], post_before: [f64; 2]) -> f64 {
        let w_max = self.w_max();
        match *self {
            StdpRule::Additive { a_plus, .. } => w_max * a_plus * pre[0],
            StdpRule::Multiplicative { lambda, .. } => w_max * lambda * pre[0],
            StdpRule::Triplet { a2_plus, a3_plus, .. } => w_max * pre[0] * (a2_plus + a3_plus * post_before[1]),
            StdpRule::Ee746 { a_up, gamma, .. } => w_max * gamma * a_up * pre[0],
        }
    }
}

/// The depression one presynaptic arrival applies to each synapse of its row (see
/// [`StdpRule::depression`]), by the exponent of its weight dependence: the rules' common exponents
/// (0: additive, 1: multiplicative) have a variant of their own, so that a row's loop written
/// for one variant has neither branch nor call.
#[derive(Debug, Clone, Copy)]
pub enum Depression {
    /// `w - scale post`
    Flat { scale: f64, w_max: f64 },
    /// `w - rate w post`
    Linear { rate: f64, w_max: f64 },
    /// `w - scale (w / w_max)^mu post`
    Power { scale: f64, mu: f64, w_max: f64 },
}

impl Depression {
    /// The new weight of a synapse at `w` whose postsynaptic trace reads `post`.
    #[inline(always)]
    pub fn apply(&self, w: f64, post: f64) -> f64 {
        let (change, w_max) = match *self {
            Depression::Flat { scale, w_max } => (scale * post, w_max),
            Depression::Linear { rate, w_max } => (rate * w * post, w_max),
            Depression::Power { scale, mu, w_max } => (scale * (w / w_max).powf(mu) * post, w_max),
        };
        (w - change).clamp(0.0, w_max)
    }

    /// The change with the weight dependence taken out (as at `w = w_max`) and no bound: what
    /// a device is asked for.
    #[inline]
    pub fn additive(&self, post: f64) -> f64 {
        match *self {
            Depression::Flat { scale, .. } | Depression::Power { scale, .. } => -scale * post,
            Depression::Linear { rate, w_max } => -rate * w_max * post,
        }
    }
}
