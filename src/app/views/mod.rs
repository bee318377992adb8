//! The panels of the central area, one file each: what a panel is ([`ViewPanel`]) and the one
//! list of them ([`registry`]). A new view is a variant of [`View`], its own file here and one
//! line in [`panel`].

pub mod accuracy;
pub mod activity;
pub mod classifier;
pub mod compare;
pub mod connectivity;
pub mod currents;
pub mod designer;
pub mod device;
pub mod diagram;
pub mod encoding;
pub mod fi_panel;
pub mod phase_plane;
pub mod raster;
pub mod receptive;
pub mod regimes;
pub mod stdp;
pub mod tempotron;
pub mod traces;

use std::any::Any;

use super::Lab;
use crate::figure::Figure;
use crate::preset::Preset;
use crate::preset::views::View;

/// A tab of the central area: the panel that draws one of the views
/// ([`crate::preset::views::View`], where its name, title and which presets offer it are kept).
pub trait ViewPanel: Any {
    fn view(&self) -> View;
    fn title(&self) -> &'static str {
        self.view().title()
    }
    fn id(&self) -> &'static str {
        self.view().id()
    }
    fn offered(&self, preset: &Preset) -> bool {
        self.view().offered(preset)
    }
    /// Opened by name (`--view`): start the job the view shows.
    fn open(&mut self, _lab: &Lab, _ctx: Option<egui::Context>) {}
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab);
    /// What the view shows, as a figure with its data; `None` while there is nothing to show.
    fn figure(&self, lab: &Lab) -> Option<Figure>;
}

/// A panel for every view, in tab order ([`View::ALL`]).
pub fn registry() -> Vec<Box<dyn ViewPanel>> {
    View::ALL.into_iter().map(panel).collect()
}

/// The panel that draws `view`.
fn panel(view: View) -> Box<dyn ViewPanel> {
    match view {
        View::Stdp => Box::new(stdp::StdpPanel::default()),
        View::Raster => Box::new(raster::RasterPanel::default()),
        View::Activity => Box::new(activity::ActivityPanel::default()),
        View::Diagram => Box::new(diagram::DiagramPanel::default()),
        View::Regimes => Box::new(regimes::RegimePanel::default()),
        View::Connectivity => Box::new(connectivity::ConnectivityPanel::default()),
        View::Traces => Box::new(traces::TracePanel::default()),
        View::Stimulus => Box::new(designer::DesignerPanel::default()),
        View::PhasePlane => Box::new(phase_plane::PhasePanel::default()),
        View::Fi => Box::new(fi_panel::FiPanel::default()),
        View::Currents => Box::new(currents::CurrentsPanel),
        View::Compare => Box::new(compare::ComparePanel::default()),
        View::Tempotron => Box::new(tempotron::TempotronPanel::default()),
        View::Encoding => Box::new(encoding::EncodingPanel::default()),
        View::Classifier => Box::new(classifier::ClassifierPanel::default()),
        View::ReceptiveFields => Box::new(receptive::ReceptivePanel::default()),
        View::Device => Box::new(device::DevicePanel::default()),
        View::Accuracy => Box::new(accuracy::AccuracyPanel::default()),
    }
}

/// The panel of type `T` in a list of views.
pub fn find<T: ViewPanel>(views: &[Box<dyn ViewPanel>]) -> &T {
    views.iter().find_map(|v| (v.as_ref() as &dyn Any).downcast_ref::<T>()).expect("every panel is registered")
}
pub fn find_mut<T: ViewPanel>(views: &mut [Box<dyn ViewPanel>]) -> &mut T {
    views.iter_mut().find_map(|v| (v.as_mut() as &mut dyn Any).downcast_mut::<T>()).expect("every panel is registered")
}
