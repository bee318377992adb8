//! Parameter metadata: each model describes its parameters once (key, symbol, unit, range, default,
//! doc). Sliders, tooltips, preset validation, the CLI's `--set` and the docs all read this table.

use serde::{Deserialize, Serialize};

/// One parameter of a model, described once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Field name in the preset (RON) and in `--set neuron.<key>=...`.
    pub key: &'static str,
    /// Symbol shown on the slider, e.g. `g_L`.
    pub symbol: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    /// One or two sentences that teach what the parameter does.
    pub doc: &'static str,
}

impl ParamSpec {
    pub const fn new(
        key: &'static str,
        symbol: &'static str,
        unit: &'static str,
        (min, max): (f64, f64),
        default: f64,
        doc: &'static str,
    ) -> Self {
        Self { key, symbol, unit, min, max, default, doc }
    }

    /// The label a slider shows: symbol and unit, e.g. `g_L [nS]`.
    pub fn label(&self) -> String {
        if self.unit.is_empty() { self.symbol.to_string() } else { format!("{} [{}]", self.symbol, self.unit) }
    }

    /// Checks range and finiteness; the message names the key, range and unit.
    pub fn check(&self, value: f64) -> Result<(), String> {
        if !value.is_finite() {
            return Err(format!("{} must be a finite number, got {value}", self.key));
        }
        if value < self.min || value > self.max {
            return Err(format!(
                "{} = {value} {} is outside its range [{}, {}] {} ({})",
                self.key, self.unit, self.min, self.max, self.unit, self.symbol
            ));
        }
        Ok(())
    }
}

/// A struct of model parameters with metadata: implemented by `params!`.
pub trait ParamSet {
    fn specs() -> &'static [ParamSpec];
    fn get(&self, key: &str) -> Option<f64>;
    /// Sets a parameter by key; `false` if the key is unknown (the value is not range-checked).
    fn set(&mut self, key: &str, value: f64) -> bool;

    /// A parameter set from the values of its table, in table order (`value(j)` for spec `j`).
    fn from_fn(value: impl FnMut(usize) -> f64) -> Self
    where
        Self: Sized;

    /// Range check of every parameter, in table order.
    fn check_ranges(&self) -> Result<(), String> {
        for spec in Self::specs() {
            let value = self.get(spec.key).expect("every spec has a field");
            spec.check(value)?;
        }
        Ok(())
    }
}

/// A state variable of a model, as recorded and plotted (`0.v`, `0.u` in trace.csv).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VarSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    /// The physical envelope `[min, max]`, in `unit`: a value outside it (or not a number) is a
    /// run-away of the integration, and the run pauses with a fault instead of going on.
    pub envelope: (f64, f64),
}

impl VarSpec {
    /// Whether `value` lies in the envelope (`false` for NaN). Both compares always run, so a
    /// loop of them vectorises.
    #[inline(always)]
    pub fn holds(&self, value: f64) -> bool {
        (value >= self.envelope.0) & (value <= self.envelope.1)
    }
}

/// A membrane potential's envelope in mV, ten volts: a current-based synapse has no reversal
/// potential to stop V, and the EE746 course's network drives its cells to -5.8 V by its own
/// specification; a run-away of the integration passes it within a few steps.
pub const MEMBRANE_MV: (f64, f64) = (-1e4, 1e4);
/// A gating variable is a fraction in [0, 1]; the margin lets an integrator's rounding pass and
/// catches an explicit step that overshoots.
pub const GATE: (f64, f64) = (-0.01, 1.01);
/// An adaptation current in pA: a microampere is far past any cell.
pub const ADAPTATION_PA: (f64, f64) = (-1e6, 1e6);

/// Declares a parameter struct with its metadata table in one place:
/// `key: "symbol" "unit" [min, max] = default, "doc";`
macro_rules! params {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($key:ident : $symbol:literal $unit:literal [$min:expr, $max:expr] = $default:expr, $doc:literal;)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $(#[doc = $doc] pub $key: f64,)*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $($key: $default,)* }
            }
        }

        impl $crate::param::ParamSet for $name {
            fn specs() -> &'static [$crate::param::ParamSpec] {
                const SPECS: &[$crate::param::ParamSpec] = &[$(
                    $crate::param::ParamSpec {
                        key: stringify!($key), symbol: $symbol, unit: $unit,
                        min: $min, max: $max, default: $default, doc: $doc,
                    },
                )*];
                SPECS
            }
            fn get(&self, key: &str) -> Option<f64> {
                match key { $(stringify!($key) => Some(self.$key),)* _ => None }
            }
            fn set(&mut self, key: &str, value: f64) -> bool {
                match key { $(stringify!($key) => { self.$key = value; true })* _ => false }
            }
            #[inline(always)]
            fn from_fn(mut value: impl FnMut(usize) -> f64) -> Self {
                let mut j = 0;
                let mut next = || {
                    j += 1;
                    value(j - 1)
                };
                // Fields are initialised in the order written, which is the table's.
                Self { $($key: next(),)* }
            }
        }
    };
}
pub(crate) use params;

/// A struct whose numeric fields are described once by [`described!`]: the side panels' controls,
/// validation and `--set` read the table.
pub trait Described {
    fn specs() -> &'static [ParamSpec];
    fn get(&self, key: &str) -> Option<f64>;
    /// Sets a field by key (an integer field takes the value rounded); `false` if unknown.
    fn set(&mut self, key: &str, value: f64) -> bool;

    /// The range of every field; the error is `(key, message)`.
    fn check_ranges(&self) -> Result<(), (String, String)> {
        for spec in Self::specs() {
            let value = self.get(spec.key).expect("every spec has a field");
            spec.check(value).map_err(|m| (spec.key.to_string(), m))?;
        }
        Ok(())
    }
    /// Whether field `key` holds a whole number.
    fn integer(key: &str) -> bool;
    /// The description of field `key`.
    fn spec(key: &str) -> &'static ParamSpec {
        Self::specs().iter().find(|s| s.key == key).expect("a described field")
    }
}

/// A field's value from a described number: integers round.
pub trait FromParam {
    fn from_param(value: f64) -> Self;
}
impl FromParam for f64 {
    fn from_param(value: f64) -> Self {
        value
    }
}
impl FromParam for u32 {
    fn from_param(value: f64) -> Self {
        value.round().clamp(0.0, u32::MAX as f64) as u32
    }
}

/// Describes the numeric fields of an existing struct once:
/// `key: type "symbol" "unit" [min, max] = default, "doc";`. With `default` first, the struct
/// is all numbers and its `Default` is the table's defaults.
macro_rules! described {
    (default $name:ident { $($key:ident : $ty:ty, $symbol:literal $unit:literal [$min:expr, $max:expr] = $default:expr, $doc:literal;)* }) => {
        impl Default for $name {
            fn default() -> Self {
                Self { $($key: $default as $ty,)* }
            }
        }
        $crate::param::described!($name { $($key : $ty, $symbol $unit [$min, $max] = $default, $doc;)* });
    };
    ($name:ty { $($key:ident : $ty:ty, $symbol:literal $unit:literal [$min:expr, $max:expr] = $default:expr, $doc:literal;)* }) => {
        impl $crate::param::Described for $name {
            fn specs() -> &'static [$crate::param::ParamSpec] {
                const SPECS: &[$crate::param::ParamSpec] = &[$($crate::param::ParamSpec {
                    key: stringify!($key),
                    symbol: $symbol,
                    unit: $unit,
                    min: $min as f64,
                    max: $max as f64,
                    default: $default as f64,
                    doc: $doc,
                }),*];
                SPECS
            }
            fn integer(key: &str) -> bool {
                match key {
                    $(stringify!($key) => stringify!($ty) != "f64",)*
                    _ => false,
                }
            }
            fn get(&self, key: &str) -> Option<f64> {
                match key {
                    $(stringify!($key) => Some(self.$key as f64),)*
                    _ => None,
                }
            }
            fn set(&mut self, key: &str, value: f64) -> bool {
                match key {
                    $(stringify!($key) => {
                        self.$key = <$ty as $crate::param::FromParam>::from_param(value);
                        true
                    })*
                    _ => false,
                }
            }
        }
    };
}
pub(crate) use described;

#[cfg(test)]
mod tests {
    use super::*;

    params! {
        /// A test set.
        pub struct Demo {
            x_mv: "x" "mV" [-10.0, 10.0] = 1.0, "Demo x.";
            y: "y" "" [0.0, 1.0] = 0.5, "Demo y.";
        }
    }

    #[test]
    fn macro_builds_table_get_set_and_checks() {
        let mut d = Demo::default();
        assert_eq!(Demo::specs().len(), 2);
        assert_eq!(Demo::specs()[0].label(), "x [mV]");
        assert_eq!(Demo::specs()[1].label(), "y");
        assert_eq!(d.get("y"), Some(0.5));
        assert_eq!(Demo::from_fn(|j| [3.0, 0.25][j]), Demo { x_mv: 3.0, y: 0.25 });
        assert!(d.set("x_mv", 20.0));
        assert!(!d.set("nope", 1.0));
        let err = d.check_ranges().unwrap_err();
        assert!(err.contains("x_mv = 20") && err.contains("[-10, 10]"), "{err}");
    }
}
