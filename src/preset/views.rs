//! The views of the central area as data: their names, titles, which presets offer them and what
//! they show. The window draws them; the lesson checker and `--view` read this list without it.

use super::Preset;
use super::learning::Learning;
use crate::neuron::NeuronModel;

/// A tab of the central area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Stdp,
    Raster,
    Activity,
    Diagram,
    Regimes,
    Connectivity,
    Traces,
    Stimulus,
    PhasePlane,
    Fi,
    Currents,
    Compare,
    Tempotron,
    Encoding,
    Classifier,
    ReceptiveFields,
    Device,
    Accuracy,
}

/// Which kind of preset a view belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Neuron,
    Network,
    Learning,
}

impl View {
    /// Every view, in tab order: a preset's first offered view is the one it opens on.
    pub const ALL: [View; 18] = [
        View::Stdp,
        View::Raster,
        View::Activity,
        View::Diagram,
        View::Regimes,
        View::Connectivity,
        View::Traces,
        View::Stimulus,
        View::PhasePlane,
        View::Fi,
        View::Currents,
        View::Compare,
        View::Tempotron,
        View::Encoding,
        View::Classifier,
        View::ReceptiveFields,
        View::Device,
        View::Accuracy,
    ];

    /// The name `spikelab gui --view` and lessons take, and the default file name of its figure.
    pub fn id(self) -> &'static str {
        match self {
            View::Stdp => "stdp",
            View::Raster => "raster",
            View::Activity => "activity",
            View::Diagram => "diagram",
            View::Regimes => "regimes",
            View::Connectivity => "connectivity",
            View::Traces => "traces",
            View::Stimulus => "stimulus",
            View::PhasePlane => "phase-plane",
            View::Fi => "fi",
            View::Currents => "currents",
            View::Compare => "compare",
            View::Tempotron => "tempotron",
            View::Encoding => "encoding",
            View::Classifier => "classifier",
            View::ReceptiveFields => "receptive-fields",
            View::Device => "device",
            View::Accuracy => "accuracy",
        }
    }

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            View::Stdp => "STDP",
            View::Raster => "Raster",
            View::Activity => "Activity",
            View::Diagram => "Diagram",
            View::Regimes => "Regimes",
            View::Connectivity => "Connectivity",
            View::Traces => "Traces",
            View::Stimulus => "Stimulus",
            View::PhasePlane => "Phase plane",
            View::Fi => "f-I curve",
            View::Currents => "Currents & energy",
            View::Compare => "Compare",
            View::Tempotron => "Tempotron",
            View::Encoding => "Encoding",
            View::Classifier => "Spiking classifier",
            View::ReceptiveFields => "Receptive fields",
            View::Device => "Device",
            View::Accuracy => "Accuracy",
        }
    }

    /// The view of this name.
    pub fn of_id(id: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.id() == id)
    }

    /// Whether the tab belongs to this preset's views: a learning task its own view, a network
    /// the network views, a single neuron the bench views.
    pub fn offered(self, preset: &Preset) -> bool {
        let kind = match (&preset.learning, &preset.network) {
            (Some(_), _) => Kind::Learning,
            (None, Some(_)) => Kind::Network,
            (None, None) => Kind::Neuron,
        };
        match self {
            View::Stdp => {
                kind == Kind::Network
                    && preset.network.as_ref().is_some_and(|n| n.projections.iter().any(|p| p.plasticity.is_some()))
            }
            View::Traces => kind != Kind::Learning,
            View::Raster | View::Activity | View::Diagram | View::Regimes | View::Connectivity => kind == Kind::Network,
            View::Stimulus | View::PhasePlane | View::Fi | View::Currents | View::Compare => kind == Kind::Neuron,
            View::Tempotron => matches!(preset.learning, Some(Learning::Tempotron(_))),
            View::Encoding => matches!(preset.learning, Some(Learning::Encoding(_))),
            View::Classifier => matches!(preset.learning, Some(Learning::Conversion(_))),
            View::ReceptiveFields => matches!(preset.learning, Some(Learning::Unsupervised(_))),
            View::Device => preset.device().is_some(),
            View::Accuracy => preset.learning.as_ref().is_some_and(Learning::has_test_set),
        }
    }

    /// Why the tab is greyed out for this preset, if it is.
    pub fn disabled(self, preset: &Preset) -> Option<&'static str> {
        match self {
            View::Currents => {
                (!matches!(preset.neuron, NeuronModel::HodgkinHuxley(_))).then_some("for the Hodgkin-Huxley model")
            }
            _ => None,
        }
    }

    /// The view is drawn from the model's equations (nullclines, currents), so it would show a
    /// mystery neuron's hidden parameters.
    pub fn draws_the_equations(self) -> bool {
        matches!(self, View::PhasePlane | View::Currents)
    }

    /// The view runs experiments of its own (sweeps, comparisons), which no budget of stimuli
    /// would count.
    pub fn runs_experiments(self) -> bool {
        matches!(self, View::Fi | View::Compare)
    }

    /// The views this preset offers, in tab order.
    pub fn of(preset: &Preset) -> impl Iterator<Item = View> + '_ {
        View::ALL.into_iter().filter(|v| v.offered(preset))
    }
}
