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
    /// The model's name in pickers, listings and figures.
    const NAME: &'static str;
    /// Slider range for the injected current, in [`Dynamics::CURRENT_UNIT`].
    const CURRENT_RANGE: (f64, f64);
    /// A step that makes the default model fire tonically: what switching to it shows first.
    const DEMO_STEP: f64;
    /// Parameters that select a published variant rather than tune the cell: shown folded.
    const ADVANCED: &'static [&'static str] = &[];

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
    /// The model's phase plane, V against one other variable; `None` for a model with one
    /// variable, or with more than a plane can reduce it to.
    fn plane(&self) -> Option<Plane> {
        None
    }
    /// The full state at the point `(v, y)` of [`Dynamics::plane`]: how the plane reduces the
    /// model's other variables.
    fn on_plane(&self, v: f64, y: f64) -> State {
        [v, y, 0.0, 0.0]
    }
}

/// A model's phase plane: which variable is drawn against V, and a window on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plane {
    /// The state index of the variable on the vertical axis.
    pub y_var: usize,
    pub v_range: (f64, f64),
    /// The vertical window when the variable's range is fixed (a gate's [0, 1]); else it is
    /// fitted to the nullclines.
    pub y_range: Option<(f64, f64)>,
}

/// The one list of models, in the pickers' order: it makes [`NeuronModel`] (a model with its
/// parameters), [`ModelKind`] (which model) and the conversions between them. A new model is its
/// own file, a line here and one in [`with_model!`]; its facts are its [`Dynamics`] constants.
macro_rules! models {
    ($($model:ident),* $(,)?) => {
        /// Which neuron model a population runs, with its parameters.
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        pub enum NeuronModel {
            $($model($model)),*
        }

        /// Kinds of model, for pickers and for `spikelab presets`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ModelKind {
            $($model),*
        }

        impl ModelKind {
            pub const ALL: [ModelKind; [$(stringify!($model)),*].len()] = [$(ModelKind::$model),*];

            /// The model with its default parameters.
            pub fn default_model(self) -> NeuronModel {
                match self {
                    $(ModelKind::$model => NeuronModel::$model($model::default())),*
                }
            }
        }

        impl NeuronModel {
            pub fn kind(&self) -> ModelKind {
                match self {
                    $(NeuronModel::$model(_) => ModelKind::$model),*
                }
            }
        }
    };
}

models!(HodgkinHuxley, TraubMiles, AdEx, Izhikevich, Izhikevich2007, Lif, Qif, FitzHughNagumo);

impl ModelKind {
    pub fn name(self) -> &'static str {
        self.default_model().name()
    }
    /// Slider range for the injected current, in the model's current unit.
    pub fn current_range(self) -> (f64, f64) {
        with_model!(self.default_model(), p => facts(&p).1)
    }
    /// A step that makes the default model fire tonically: what switching to it shows first.
    pub fn demo_step(self) -> f64 {
        with_model!(self.default_model(), p => facts(&p).2)
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
/// A model's constants: name, current range, demonstration step, advanced keys.
fn facts<M: Dynamics>(_: &M) -> (&'static str, (f64, f64), f64, &'static [&'static str]) {
    (M::NAME, M::CURRENT_RANGE, M::DEMO_STEP, M::ADVANCED)
}

/// What a preset or population that names no model runs: Izhikevich's regular spiking cell.
impl Default for NeuronModel {
    fn default() -> Self {
        ModelKind::Izhikevich.default_model()
    }
}

impl NeuronModel {
    pub fn name(&self) -> &'static str {
        with_model!(self, p => facts(p).0)
    }
    /// Parameters that select a published variant rather than tune the cell: shown folded.
    pub fn advanced_keys(&self) -> &'static [&'static str] {
        with_model!(self, p => facts(p).3)
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
    pub fn plane(&self) -> Option<Plane> {
        with_model!(self, p => p.plane())
    }
    pub fn on_plane(&self, v: f64, y: f64) -> State {
        with_model!(self, p => p.on_plane(v, y))
    }
}
