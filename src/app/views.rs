//! The views of the central area: what a view is ([`ViewPanel`]) and the one list of them
//! ([`registry`]). A new view is its own file plus one line here.

use std::any::Any;

use super::Lab;
use crate::figure::Figure;
use crate::preset::Preset;

/// A tab of the central area.
pub trait ViewPanel: Any {
    /// The tab's title.
    fn title(&self) -> &'static str;
    /// The name `spikelab gui --view` takes, and the default file name of its figure.
    fn id(&self) -> &'static str;
    /// Whether the tab belongs to this preset's views.
    fn offered(&self, preset: &Preset) -> bool;
    /// Why the tab is greyed out for this preset, if it is.
    fn disabled(&self, _preset: &Preset) -> Option<&'static str> {
        None
    }
    /// The view is drawn from the model's equations (nullclines, currents), so it would show
    /// a mystery neuron's hidden parameters.
    fn draws_the_equations(&self) -> bool {
        false
    }
    /// The view runs experiments of its own (sweeps, comparisons), which no budget of stimuli
    /// would count.
    fn runs_experiments(&self) -> bool {
        false
    }
    /// Opened by name (`--view`): start the job the view shows.
    fn open(&mut self, _lab: &Lab, _ctx: Option<egui::Context>) {}
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab);
    /// What the view shows, as a figure with its data; `None` while there is nothing to show.
    fn figure(&self, lab: &Lab) -> Option<Figure>;
}

/// Every view, in tab order: a preset's first offered view is the one it opens on.
pub fn registry() -> Vec<Box<dyn ViewPanel>> {
    vec![
        Box::new(super::stdp::StdpPanel::default()),
        Box::new(super::raster::RasterPanel::default()),
        Box::new(super::activity::ActivityPanel::default()),
        Box::new(super::diagram::DiagramPanel::default()),
        Box::new(super::regimes::RegimePanel::default()),
        Box::new(super::connectivity::ConnectivityPanel::default()),
        Box::new(super::traces::TracePanel::default()),
        Box::new(super::designer::DesignerPanel::default()),
        Box::new(super::phase_plane::PhasePanel::default()),
        Box::new(super::fi_panel::FiPanel::default()),
        Box::new(super::currents::CurrentsPanel),
        Box::new(super::compare::ComparePanel::default()),
        Box::new(super::tempotron::TempotronPanel::default()),
        Box::new(super::encoding::EncodingPanel::default()),
        Box::new(super::classifier::ClassifierPanel::default()),
        Box::new(super::receptive::ReceptivePanel::default()),
    ]
}

/// Who offers what: a learning task its own view, a network the network views, a single
/// neuron the bench views.
pub fn offered_for(preset: &Preset, kind: Kind) -> bool {
    match (&preset.learning, &preset.network) {
        (Some(_), _) => kind == Kind::Learning,
        (None, Some(_)) => kind == Kind::Network,
        (None, None) => kind == Kind::Neuron,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Neuron,
    Network,
    Learning,
}

/// The panel of type `T` in a list of views.
pub fn find<T: ViewPanel>(views: &[Box<dyn ViewPanel>]) -> &T {
    views.iter().find_map(|v| (v.as_ref() as &dyn Any).downcast_ref::<T>()).expect("every panel is registered")
}
pub fn find_mut<T: ViewPanel>(views: &mut [Box<dyn ViewPanel>]) -> &mut T {
    views.iter_mut().find_map(|v| (v.as_mut() as &mut dyn Any).downcast_mut::<T>()).expect("every panel is registered")
}

/// The registry's own name for a view's id (`None`: no such view).
pub fn id_of(name: &str) -> Option<&'static str> {
    registry().iter().map(|v| v.id()).find(|id| *id == name)
}
