//! The whole lab state as one serde struct, saved as RON.
//!
//! Loading parses, then validates every range and relation; any mistake is reported with the
//! file, line and field. Unknown fields are rejected. Saves are atomic (see [`crate::fsio`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub mod learning;
pub mod session;
pub mod settings;
pub mod sweep;
pub mod views;

use crate::integrate::Integrator;
use crate::network::NetworkSpec;
use crate::neuron::NeuronModel;
use crate::ron_file::{locate_field, parse_ron, write_ron};
use crate::stimulus::Stimulus;
use learning::Learning;
use settings::{RunSettings, ViewSettings};

pub use crate::ron_file::PresetError;

/// The preset format version this build writes and reads.
pub const PRESET_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub version: u32,
    pub name: String,
    /// What the preset shows and where its numbers come from (cite the source).
    #[serde(default)]
    pub description: String,
    /// The bench's neuron (a network preset may leave it out).
    #[serde(default)]
    pub neuron: NeuronModel,
    /// Initial values that differ from the model's own initial state, by variable key
    /// (e.g. `{"u": -16.0}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub initial: BTreeMap<String, f64>,
    #[serde(default)]
    pub stimulus: Stimulus,
    #[serde(default)]
    pub run: RunSettings,
    #[serde(default)]
    pub view: ViewSettings,
    /// Populations, projections and inputs; when present the run is this network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkSpec>,
    /// A learning task run on the bench's neuron instead of a free-running simulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning: Option<Learning>,
    /// A map of the network's states, or of the learning task's test accuracy, over its
    /// parameters (`spikelab sweep`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<sweep::Sweep>,
}

/// A validation failure: the dotted path of the field and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

/// A preset that has passed [`Preset::validate`]. The window's lab holds one and the engine
/// takes one for an edit, so that an edit is validated once, where it is made, and nothing can
/// change it afterwards without validating again.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid(Preset);

impl Valid {
    pub fn new(preset: Preset) -> Result<Self, Invalid> {
        preset.validate()?;
        Ok(Self(preset))
    }
    pub fn into_preset(self) -> Preset {
        self.0
    }
    /// A copy to change (and validate again).
    pub fn draft(&self) -> Preset {
        self.0.clone()
    }
}

impl std::ops::Deref for Valid {
    type Target = Preset;
    fn deref(&self) -> &Preset {
        &self.0
    }
}

impl Preset {
    /// The memory devices under the first plastic projection that has them, or under the
    /// unsupervised task's input weights, with how the rule drives them.
    pub fn device_synapse(&self) -> Option<&crate::synapse::device::DeviceSynapse> {
        let on_network = self.network.as_ref().and_then(|n| n.projections.iter().find_map(|p| p.device.as_ref()));
        let on_task = match &self.learning {
            Some(learning::Learning::Unsupervised(task)) => task.device.as_deref(),
            _ => None,
        };
        on_network.or(on_task)
    }

    /// The device of [`Preset::device_synapse`].
    pub fn device(&self) -> Option<&crate::synapse::device::Device> {
        self.device_synapse().map(|d| &d.device)
    }

    /// [`Preset::device`], to change.
    pub fn device_mut(&mut self) -> Option<&mut crate::synapse::device::Device> {
        let on_network = self.network.as_mut().and_then(|n| n.projections.iter_mut().find_map(|p| p.device.as_mut()));
        let on_task = match &mut self.learning {
            Some(learning::Learning::Unsupervised(task)) => task.device.as_deref_mut(),
            _ => None,
        };
        on_network.or(on_task).map(|d| &mut d.device)
    }

    /// Points a learning preset at MNIST's IDX files in `dir` (checked when the task loads them).
    pub fn use_mnist(&mut self, dir: &Path) -> Result<(), String> {
        let learning = self.learning.as_mut().ok_or("--mnist needs a learning preset (presets/learning)")?;
        learning.set_source(crate::dataset::Source::mnist_in(dir))
    }

    /// A preset with this model and default everything else.
    pub fn with_model(name: &str, neuron: NeuronModel) -> Self {
        Self {
            version: PRESET_VERSION,
            name: name.to_string(),
            description: String::new(),
            neuron,
            initial: BTreeMap::new(),
            stimulus: Stimulus::default(),
            run: RunSettings::default(),
            view: ViewSettings::default(),
            network: None,
            learning: None,
            sweep: None,
        }
    }

    /// Parses and validates RON text; `origin` (a file name) prefixes every error.
    pub fn from_ron(text: &str, origin: &str) -> Result<Preset, PresetError> {
        let preset: Preset = parse_ron(text, origin)?;
        preset.validate().map_err(|inv| PresetError {
            origin: origin.to_string(),
            line: locate_field(text, &inv.field),
            field: Some(inv.field),
            message: inv.message,
        })?;
        Ok(preset)
    }

    pub fn load(path: &Path) -> Result<Preset, PresetError> {
        Preset::from_ron(&crate::ron_file::read_text(path)?, &path.display().to_string())
    }

    pub fn to_ron(&self) -> String {
        write_ron(self)
    }

    /// Validates, then writes atomically.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        self.validate().map_err(|inv| format!("not saved: {inv}"))?;
        crate::fsio::write_atomic(path, self.to_ron().as_bytes())
            .map_err(|e| format!("cannot save {}: {e}", path.display()))
    }

    /// Every range and relation; the first failure with its dotted field path.
    pub fn validate(&self) -> Result<(), Invalid> {
        let invalid = |field: String, message: String| Invalid { field, message };
        if self.version != PRESET_VERSION {
            return Err(invalid(
                "version".into(),
                format!("this spikelab reads preset version {PRESET_VERSION}, the file says {}", self.version),
            ));
        }
        for spec in self.neuron.specs() {
            let value = self.neuron.get(spec.key).expect("spec keys are fields");
            spec.check(value).map_err(|m| invalid(format!("neuron.{}", spec.key), m))?;
        }
        // Relation messages start with the key they blame.
        self.neuron.validate().map_err(|m| {
            let key = m.split_whitespace().next().unwrap_or_default().to_string();
            invalid(format!("neuron.{key}"), m)
        })?;
        for (key, value) in &self.initial {
            let vars = self.neuron.vars();
            if !vars.iter().any(|v| v.key == key) {
                let known: Vec<&str> = vars.iter().map(|v| v.key).collect();
                let message = format!("the model has no variable `{key}`; it has {}", known.join(", "));
                return Err(invalid(format!("initial.{key}"), message));
            }
            if !value.is_finite() {
                return Err(invalid(format!("initial.{key}"), format!("must be a finite number, got {value}")));
            }
        }
        self.stimulus.validate().map_err(|(i, field, m)| invalid(format!("stimulus.components.{i}.{field}"), m))?;
        let run = &self.run;
        if !(run.dt_ms > 0.0 && run.dt_ms <= 10.0) {
            return Err(invalid("run.dt_ms".into(), format!("must be in (0, 10] ms, got {}", run.dt_ms)));
        }
        if !(run.duration_ms > 0.0 && run.duration_ms.is_finite()) {
            return Err(invalid(
                "run.duration_ms".into(),
                format!("must be a finite time > 0 ms, got {}", run.duration_ms),
            ));
        }
        if !(1..=256).contains(&run.threads) {
            return Err(invalid("run.threads".into(), format!("must be 1 to 256, got {}", run.threads)));
        }
        if run.record_every == 0 {
            return Err(invalid("run.record_every".into(), "must be at least 1 step".into()));
        }
        if !(self.view.window_ms >= 1.0 && self.view.window_ms <= 1e6) {
            return Err(invalid(
                "view.window_ms".into(),
                format!("must be in [1, 1e6] ms, got {}", self.view.window_ms),
            ));
        }
        self.view.speed.validate().map_err(|m| invalid("view.speed".into(), m))?;
        if let Some(network) = &self.network {
            network.validate().map_err(|(field, m)| invalid(format!("network.{field}"), m))?;
        }
        if run.integrator == Integrator::Exact {
            let exact = match &self.network {
                Some(network) => network.check_exact(),
                None if self.neuron.linear().is_none() => {
                    Err(format!("the {} model is not linear", self.neuron.kind().name()))
                }
                None => Ok(()),
            };
            exact.map_err(|m| {
                let m = format!("{m}: the Exact scheme needs models linear in V (LIF) with delta or exponential current synapses; use ExponentialEuler or RK4");
                invalid("run.integrator".into(), m)
            })?;
        }
        if let Some(learning) = &self.learning {
            learning.validate(run.dt_ms).map_err(|(field, m)| invalid(format!("learning.{field}"), m))?;
        }
        if let Some(sweep) = &self.sweep {
            let tested = self.learning.as_ref().is_some_and(Learning::has_test_set);
            if self.network.is_none() && !tested {
                return Err(invalid(
                    "sweep".into(),
                    "a sweep maps a network or a learning task's test accuracy: the preset has neither".into(),
                ));
            }
            sweep.validate(self).map_err(|(field, m)| invalid(format!("sweep.{field}"), m))?;
        }
        Ok(())
    }

    /// Every number under `path` (e.g. `network`, `network.projections.0`) with its `--set` path,
    /// in the preset's order; lists longer than 16 (explicit synapses, spike times) are left out.
    pub fn numbers_under(&self, path: &str) -> Vec<(String, f64)> {
        fn walk(value: &serde_json::Value, path: String, out: &mut Vec<(String, f64)>) {
            match value {
                serde_json::Value::Number(n) => out.extend(n.as_f64().map(|v| (path, v))),
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        walk(v, format!("{path}.{k}"), out);
                    }
                }
                serde_json::Value::Array(items) if items.len() <= 16 => {
                    for (i, v) in items.iter().enumerate() {
                        walk(v, format!("{path}.{i}"), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Ok(mut tree) = serde_json::to_value(self)
            && let Ok(node) = crate::dotted::walk_path(&mut tree, "the preset", path)
        {
            walk(node, path.to_string(), &mut out);
        }
        out
    }

    /// Whether `path` (as `--set` takes it) names a value of this preset; the error lists what
    /// exists where the path goes astray.
    pub fn check_path(&self, path: &str) -> Result<(), String> {
        let mut tree = serde_json::to_value(self).map_err(|e| e.to_string())?;
        crate::dotted::walk_path(&mut tree, "the preset", path).map(|_| ())
    }

    /// Applies `--set key.path=value`: a dotted path into the preset's own RON structure
    /// (`neuron.a`, `run.dt_ms`, `stimulus.components.0.amplitude`). Unknown paths and values
    /// that fail validation are errors; the preset is unchanged then.
    pub fn set_path(&mut self, path: &str, value: &str) -> Result<(), String> {
        *self = self.with_path(path, value)?.into_preset();
        Ok(())
    }

    /// This preset with `path` set to `value` (as [`Preset::set_path`] takes them), validated.
    pub fn with_path(&self, path: &str, value: &str) -> Result<Valid, String> {
        let updated: Preset = crate::dotted::with_path(self, "the preset", path, value)?;
        Valid::new(updated).map_err(|inv| format!("--set {path}={value}: {inv}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::{Izhikevich, Lif};

    fn izh_text() -> String {
        Preset::with_model("t", NeuronModel::Izhikevich(Izhikevich::default())).to_ron()
    }

    #[test]
    fn written_form_is_plain() {
        let text = izh_text();
        assert!(
            text.contains("neuron: Izhikevich(") && !text.contains("Izhikevich((") && !text.contains("#!"),
            "{text}"
        );
    }

    #[test]
    fn round_trip_is_equal() {
        let mut p = Preset::with_model("t", NeuronModel::Lif(Lif::default()));
        p.stimulus = Stimulus::dc(250.0);
        let back = Preset::from_ron(&p.to_ron(), "mem").unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn unknown_field_names_line_and_field() {
        let text = izh_text().replace("d: 8.0,", "d: 8.0,\n            q: 1.0,");
        let err = Preset::from_ron(&text, "x.ron").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("q"));
        let line = err.line.unwrap();
        assert!(text.lines().nth(line - 1).unwrap().contains("q: 1.0"), "{err}");
        assert!(err.to_string().starts_with(&format!("x.ron:{line}: field `q`")), "{err}");
    }

    #[test]
    fn type_error_names_the_field() {
        let text = izh_text().replace("a: 0.02", "a: \"fast\"");
        let err = Preset::from_ron(&text, "x.ron").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("a"), "{err}");
        assert!(text.lines().nth(err.line.unwrap() - 1).unwrap().contains("a: \"fast\""));
    }

    #[test]
    fn out_of_range_value_names_line_and_field() {
        let text = izh_text().replace("c: -65.0", "c: 20.0");
        let err = Preset::from_ron(&text, "x.ron").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("neuron.c"));
        assert!(text.lines().nth(err.line.unwrap() - 1).unwrap().contains("c: 20.0"), "{err}");
    }

    #[test]
    fn set_path_reaches_through_the_model_enum() {
        let mut p = Preset::from_ron(&izh_text(), "m").unwrap();
        p.set_path("neuron.a", "0.1").unwrap();
        p.set_path("run.integrator", "Euler").unwrap();
        p.set_path("run.seed", "7").unwrap();
        assert_eq!(p.neuron.get("a"), Some(0.1));
        assert_eq!(p.run.integrator, Integrator::Euler);
        assert_eq!(p.run.seed, 7);
        let err = p.set_path("neuron.q", "1").unwrap_err();
        assert!(err.contains("unknown key `q` in `neuron`") && err.contains("v_peak"), "{err}");
        let err = p.set_path("neuron.a", "99").unwrap_err();
        assert!(err.contains("neuron.a") && err.contains("outside its range"), "{err}");
        assert_eq!(p.neuron.get("a"), Some(0.1), "a failed --set leaves the preset unchanged");
    }

    #[test]
    fn set_path_takes_a_list_and_a_whole_value_in_json() {
        let mut p =
            Preset::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/networks/adex_ei.ron")))
                .unwrap();
        p.set_path("network.record", "[0, 1, 400, 499]").unwrap();
        assert_eq!(p.network.as_ref().unwrap().record, [0, 1, 400, 499]);
        let err = p.set_path("network.record", "[0, 500]").unwrap_err();
        assert!(err.contains("network.record"), "{err}");
        let rule = r#"{"FixedTotalNumber": {"n": 5000}}"#;
        let err = p.set_path("network.projections.0.rule", rule).unwrap_err();
        assert!(err.contains("network.projections.0.multapses"), "{err}");
        p.set_path("network.projections.0.multapses", "true").unwrap();
        p.set_path("network.projections.0.rule", rule).unwrap();
        let rule = &p.network.as_ref().unwrap().projections[0].rule;
        assert_eq!(*rule, crate::network::spec::Connectivity::FixedTotalNumber { n: 5000 });
    }
}
