//! Neuron models: a closed family, one module per model, dispatched by `match` on [`NeuronModel`].
//!
//! Every model integrates a small state vector `x` whose first entry is the membrane potential.
//! Units are stated per model (see each module and `SCIENCE.md` section 0).

pub mod izhikevich;
pub mod izhikevich2007;
pub mod lif;
pub mod param;

use serde::{Deserialize, Serialize};

pub use izhikevich::Izhikevich;
pub use izhikevich2007::Izhikevich2007;
pub use lif::Lif;
pub use param::{ParamSet, ParamSpec, VarSpec};

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
    /// Checks that go beyond per-parameter ranges (relations between parameters).
    fn check_relations(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Which neuron model a population runs, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum NeuronModel {
    Lif(Lif),
    Izhikevich(Izhikevich),
    Izhikevich2007(Izhikevich2007),
}

/// Kinds of model, for pickers and for `spikelab presets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Lif,
    Izhikevich,
    Izhikevich2007,
}

impl ModelKind {
    pub const ALL: [ModelKind; 3] = [ModelKind::Lif, ModelKind::Izhikevich, ModelKind::Izhikevich2007];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lif => "Leaky integrate-and-fire",
            ModelKind::Izhikevich => "Izhikevich (2003, a b c d)",
            ModelKind::Izhikevich2007 => "Izhikevich (2007, C k v_r v_t)",
        }
    }

    /// Slider range for the injected current, in the model's current unit.
    pub fn current_range(self) -> (f64, f64) {
        match self {
            ModelKind::Lif => (-1000.0, 6000.0),
            ModelKind::Izhikevich => (-30.0, 40.0),
            ModelKind::Izhikevich2007 => (-500.0, 2000.0),
        }
    }

    /// A step that makes the default model fire tonically: what switching to it shows first.
    pub fn demo_step(self) -> f64 {
        match self {
            ModelKind::Lif => 300.0,
            ModelKind::Izhikevich => 10.0,
            ModelKind::Izhikevich2007 => 400.0,
        }
    }

    /// The model with its default parameters.
    pub fn default_model(self) -> NeuronModel {
        match self {
            ModelKind::Lif => NeuronModel::Lif(Lif::default()),
            ModelKind::Izhikevich => NeuronModel::Izhikevich(Izhikevich::default()),
            ModelKind::Izhikevich2007 => NeuronModel::Izhikevich2007(Izhikevich2007::default()),
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

impl NeuronModel {
    pub fn kind(&self) -> ModelKind {
        match self {
            NeuronModel::Lif(_) => ModelKind::Lif,
            NeuronModel::Izhikevich(_) => ModelKind::Izhikevich,
            NeuronModel::Izhikevich2007(_) => ModelKind::Izhikevich2007,
        }
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
    pub fn threshold(&self) -> f64 {
        with_model!(self, p => p.threshold())
    }
    pub fn initial_state(&self) -> State {
        with_model!(self, p => p.initial_state())
    }
}
