//! Neuron models: a closed family, one module per model, dispatched by `match` on [`NeuronModel`].
//!
//! Every model integrates a small state vector `x` whose first entry is the membrane potential.
//! Units are stated per model (see each module and `SCIENCE.md` section 0).

pub mod adex;
pub mod fitzhugh_nagumo;
pub mod hodgkin_huxley;
pub mod izhikevich;
pub mod izhikevich2007;
pub mod lif;
mod linear;
pub mod qif;
pub mod traub_miles;

use serde::{Deserialize, Serialize};

use crate::param::{ParamSet, ParamSpec, VarSpec};

pub use adex::AdEx;
pub use fitzhugh_nagumo::FitzHughNagumo;
pub use hodgkin_huxley::HodgkinHuxley;
pub use izhikevich::Izhikevich;
pub use izhikevich2007::Izhikevich2007;
pub use lif::Lif;
pub use linear::Linear;
pub use qif::Qif;
pub use traub_miles::TraubMiles;

/// The most state variables any model has (Hodgkin-Huxley: V, m, h, n).
pub const MAX_VARS: usize = 4;
/// A model's state; entries past the model's own variables are unused.
pub type State = [f64; MAX_VARS];

/// What a model provides to the integrators and to the simulation.
pub trait Dynamics: ParamSet {
    /// State variables, membrane potential first.
    const VARS: &'static [VarSpec];
    /// Unit of the injected current `I` for this model.
    const CURRENT_UNIT: &'static str;

    /// Initial state of a neuron (the preset's initial condition).
    fn initial_state(&self) -> State;
    /// Time derivatives of the state under injected current `i`.
    fn derivatives(&self, x: &State, i: f64) -> State;
    /// A spike is emitted when the membrane potential reaches this value.
    fn threshold(&self) -> f64;
    /// Applies the after-spike reset to the state.
    fn reset(&self, x: &mut State);
    /// Absolute refractory period, in ms, during which `v` is clamped at its reset value.
    fn refractory_ms(&self) -> f64 {
        0.0
    }
    /// `false` for models whose spike is part of their dynamics (Hodgkin-Huxley,
    /// FitzHugh-Nagumo): a spike is then an upward crossing of [`Dynamics::threshold`] and the
    /// state is left as it is.
    fn resets(&self) -> bool {
        true
    }
    /// The highest V the right-hand side sees: above it V counts as this value, as NEST's
    /// `aeif_*` models bound V at V_peak. A model with a reset spikes at its threshold, and its
    /// V beyond it is no part of the model; without the bound, an integration stage that
    /// overshoots a run-away upswing (AdEx's exponential, the quadratic models) would feed an
    /// absurd V into the hidden variables and the synaptic currents, which the reset does not
    /// undo. Unbounded for models whose spike is their own dynamics. The bound is the model's
    /// threshold, not an adaptive threshold above it: for the run-away models V_peak is a cutoff
    /// of the upswing, whose course above it the model does not describe.
    fn v_bound(&self) -> f64 {
        if self.resets() { self.threshold() } else { f64::INFINITY }
    }
    /// Whether the schemes of Izhikevich's published scripts (`Izhikevich2004` and
    /// `Izhikevich2003` integrators) were written for this model: under
    /// them it sees V unbounded, as the scripts do (their u takes the overshoot); any other
    /// model is bounded under them too.
    const SCRIPTED: bool = false;
    /// `d f_j / d x_j` at `x`: the diagonal of the Jacobian, for exponential Euler. For
    /// equations linear in their own variable (gates, conductance-based V) that scheme is then
    /// exact for frozen other variables (Rush-Larsen).
    fn diagonal_jacobian(&self, x: &State, i: f64) -> State;
    /// Both at once, for exponential Euler; models whose two share costly terms (HH's rate
    /// functions) compute them once here.
    fn derivatives_and_jacobian(&self, x: &State, i: f64) -> (State, State) {
        (self.derivatives(x, i), self.diagonal_jacobian(x, i))
    }
    /// Checks that go beyond per-parameter ranges (relations between parameters).
    fn check_relations(&self) -> Result<(), String> {
        Ok(())
    }
    /// `dV/dt` per unit of injected current (`1/C`): how a conductance's current enters V's
    /// Jacobian. Every model takes its current linearly; models override this with the constant.
    fn current_gain(&self) -> f64 {
        let x = self.initial_state();
        self.derivatives(&x, 1.0)[0] - self.derivatives(&x, 0.0)[0]
    }
    /// A model linear in V with no other variable has a closed-form step (the Exact scheme).
    fn linear(&self) -> Option<crate::neuron::Linear> {
        None
    }
}

/// Which neuron model a population runs, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum NeuronModel {
    Lif(Lif),
    Izhikevich(Izhikevich),
    Izhikevich2007(Izhikevich2007),
    AdEx(AdEx),
    HodgkinHuxley(HodgkinHuxley),
    FitzHughNagumo(FitzHughNagumo),
    Qif(Qif),
    TraubMiles(TraubMiles),
}

/// Kinds of model, for pickers and for `spikelab presets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Lif,
    Izhikevich,
    Izhikevich2007,
    AdEx,
    HodgkinHuxley,
    FitzHughNagumo,
    Qif,
    TraubMiles,
}

impl ModelKind {
    pub const ALL: [ModelKind; 8] = [
        ModelKind::HodgkinHuxley,
        ModelKind::TraubMiles,
        ModelKind::AdEx,
        ModelKind::Izhikevich,
        ModelKind::Izhikevich2007,
        ModelKind::Lif,
        ModelKind::Qif,
        ModelKind::FitzHughNagumo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lif => "Leaky integrate-and-fire",
            ModelKind::Izhikevich => "Izhikevich (2003, a b c d)",
            ModelKind::Izhikevich2007 => "Izhikevich (2007, C k v_r v_t)",
            ModelKind::AdEx => "Adaptive exponential IF (AdEx)",
            ModelKind::HodgkinHuxley => "Hodgkin-Huxley (squid axon)",
            ModelKind::FitzHughNagumo => "FitzHugh-Nagumo",
            ModelKind::Qif => "Quadratic integrate-and-fire",
            ModelKind::TraubMiles => "Traub-Miles HH (cortical, Brette 2007)",
        }
    }

    /// Slider range for the injected current, in the model's current unit.
    pub fn current_range(self) -> (f64, f64) {
        match self {
            ModelKind::Lif => (-1000.0, 6000.0),
            ModelKind::Izhikevich => (-30.0, 90.0),
            ModelKind::Izhikevich2007 | ModelKind::AdEx => (-500.0, 2000.0),
            ModelKind::HodgkinHuxley => (-20.0, 100.0),
            ModelKind::FitzHughNagumo => (-1.0, 2.0),
            ModelKind::Qif => (-200.0, 1000.0),
            ModelKind::TraubMiles => (-200.0, 1500.0),
        }
    }

    /// A step that makes the default model fire tonically: what switching to it shows first.
    pub fn demo_step(self) -> f64 {
        match self {
            ModelKind::Lif => 300.0,
            ModelKind::Izhikevich => 10.0,
            ModelKind::Izhikevich2007 => 400.0,
            ModelKind::AdEx => 1000.0,
            ModelKind::HodgkinHuxley => 10.0,
            ModelKind::FitzHughNagumo => 0.5,
            ModelKind::Qif => 200.0,
            ModelKind::TraubMiles => 500.0,
        }
    }

    /// The model with its default parameters.
    pub fn default_model(self) -> NeuronModel {
        match self {
            ModelKind::Lif => NeuronModel::Lif(Lif::default()),
            ModelKind::Izhikevich => NeuronModel::Izhikevich(Izhikevich::default()),
            ModelKind::Izhikevich2007 => NeuronModel::Izhikevich2007(Izhikevich2007::default()),
            ModelKind::AdEx => NeuronModel::AdEx(AdEx::default()),
            ModelKind::HodgkinHuxley => NeuronModel::HodgkinHuxley(HodgkinHuxley::default()),
            ModelKind::FitzHughNagumo => NeuronModel::FitzHughNagumo(FitzHughNagumo::default()),
            ModelKind::Qif => NeuronModel::Qif(Qif::default()),
            ModelKind::TraubMiles => NeuronModel::TraubMiles(TraubMiles::default()),
        }
    }
}

/// Runs `$body` with `$p` bound to the concrete parameter struct of `$model`: the one place that
/// turns the enum into static dispatch.
macro_rules! with_model {
    ($model:expr, $p:ident => $body:expr) => {
        match $model {
            $crate::neuron::NeuronModel::Lif($p) => $body,
            $crate::neuron::NeuronModel::Izhikevich($p) => $body,
            $crate::neuron::NeuronModel::Izhikevich2007($p) => $body,
            $crate::neuron::NeuronModel::AdEx($p) => $body,
            $crate::neuron::NeuronModel::HodgkinHuxley($p) => $body,
            $crate::neuron::NeuronModel::FitzHughNagumo($p) => $body,
            $crate::neuron::NeuronModel::Qif($p) => $body,
            $crate::neuron::NeuronModel::TraubMiles($p) => $body,
        }
    };
}
pub(crate) use with_model;

fn specs_of<M: Dynamics>(_: &M) -> &'static [ParamSpec] {
    M::specs()
}
fn vars_of<M: Dynamics>(_: &M) -> &'static [VarSpec] {
    M::VARS
}
fn current_unit_of<M: Dynamics>(_: &M) -> &'static str {
    M::CURRENT_UNIT
}

/// What a preset or population that names no model runs: Izhikevich's regular spiking cell.
impl Default for NeuronModel {
    fn default() -> Self {
        ModelKind::Izhikevich.default_model()
    }
}

impl NeuronModel {
    pub fn kind(&self) -> ModelKind {
        match self {
            NeuronModel::Lif(_) => ModelKind::Lif,
            NeuronModel::Izhikevich(_) => ModelKind::Izhikevich,
            NeuronModel::Izhikevich2007(_) => ModelKind::Izhikevich2007,
            NeuronModel::AdEx(_) => ModelKind::AdEx,
            NeuronModel::HodgkinHuxley(_) => ModelKind::HodgkinHuxley,
            NeuronModel::FitzHughNagumo(_) => ModelKind::FitzHughNagumo,
            NeuronModel::Qif(_) => ModelKind::Qif,
            NeuronModel::TraubMiles(_) => ModelKind::TraubMiles,
        }
    }
    /// Parameters that select a published variant rather than tune the cell: shown folded.
    pub fn advanced_keys(&self) -> &'static [&'static str] {
        match self {
            NeuronModel::Izhikevich(_) => &["k1", "k0", "v_b", "u_leak"],
            _ => &[],
        }
    }
    /// Time derivatives at state `x` under current `i` (phase plane, analyses).
    pub fn derivatives(&self, x: &State, i: f64) -> State {
        with_model!(self, p => p.derivatives(x, i))
    }
    pub fn resets(&self) -> bool {
        with_model!(self, p => p.resets())
    }
    pub fn specs(&self) -> &'static [ParamSpec] {
        with_model!(self, p => specs_of(p))
    }
    pub fn vars(&self) -> &'static [VarSpec] {
        with_model!(self, p => vars_of(p))
    }
    pub fn current_unit(&self) -> &'static str {
        with_model!(self, p => current_unit_of(p))
    }
    pub fn get(&self, key: &str) -> Option<f64> {
        with_model!(self, p => p.get(key))
    }
    /// Sets a parameter; `false` if this model has no such key.
    pub fn set(&mut self, key: &str, value: f64) -> bool {
        with_model!(self, p => p.set(key, value))
    }
    /// Ranges, then relations between parameters.
    pub fn validate(&self) -> Result<(), String> {
        with_model!(self, p => p.check_ranges().and_then(|()| p.check_relations()))
    }
    /// The concrete parameter struct, for static dispatch on per-neuron parameters.
    pub fn as_any(&self) -> &dyn std::any::Any {
        with_model!(self, p => p)
    }
    pub fn threshold(&self) -> f64 {
        with_model!(self, p => p.threshold())
    }
    pub fn initial_state(&self) -> State {
        with_model!(self, p => p.initial_state())
    }
    pub fn linear(&self) -> Option<crate::neuron::Linear> {
        with_model!(self, p => p.linear())
    }
    pub fn refractory_ms(&self) -> f64 {
        with_model!(self, p => p.refractory_ms())
    }
}
