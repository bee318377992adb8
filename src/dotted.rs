//! Dotted paths into anything serde can write, as `--set KEY=VALUE` takes them: `neuron.a`,
//! `network.projections.0.weight`, `curve.levels` (through an enum's variant to its fields).

use serde::{Serialize, de::DeserializeOwned};

/// `value` with the field at `path` set to `text`; the error names the path and, for an unknown
/// key, what exists there. Validation is the caller's.
pub fn with_path<T: Serialize + DeserializeOwned>(value: &T, what: &str, path: &str, text: &str) -> Result<T, String> {
    let mut tree = serde_json::to_value(value).map_err(|e| e.to_string())?;
    *walk_path(&mut tree, what, path)? = parse_set_value(text);
    serde_json::from_value(tree).map_err(|e| format!("--set {path}={text}: {e}"))
}

/// The node a dotted path names in a value's tree; `what` names the root in errors.
pub fn walk_path<'a>(
    tree: &'a mut serde_json::Value,
    what: &str,
    path: &str,
) -> Result<&'a mut serde_json::Value, String> {
    let mut node = tree;
    let mut walked = Vec::new();
    for key in path.split('.') {
        node = descend(node, key).map_err(|expected| {
            let at = if walked.is_empty() { what.to_string() } else { format!("`{}`", walked.join(".")) };
            format!("unknown key `{key}` in {at}: expected one of {expected}")
        })?;
        walked.push(key);
    }
    Ok(node)
}

/// One step of a `--set` path: a struct field, an array index, or through an enum variant
/// (`neuron.a` reaches into `neuron: Izhikevich(a: ...)`). The error lists what exists here.
fn descend<'a>(node: &'a mut serde_json::Value, key: &str) -> Result<&'a mut serde_json::Value, String> {
    use serde_json::Value;
    enum Way {
        Field,
        Variant,
        Index(usize),
    }
    let way = match &*node {
        Value::Object(map) if map.contains_key(key) => Way::Field,
        Value::Object(map) if map.len() == 1 && map.keys().all(|k| k.starts_with(char::is_uppercase)) => Way::Variant,
        Value::Object(map) => return Err(map.keys().map(String::as_str).collect::<Vec<_>>().join(", ")),
        Value::Array(items) => match key.parse::<usize>().ok().filter(|&i| i < items.len()) {
            Some(i) => Way::Index(i),
            None => return Err(format!("an index below {}", items.len())),
        },
        _ => return Err("nothing (this is a value, not a structure)".into()),
    };
    match way {
        Way::Field => Ok(&mut node[key]),
        Way::Index(i) => Ok(&mut node[i]),
        Way::Variant => {
            let variant = node.as_object_mut().and_then(|m| m.values_mut().next()).expect("one entry");
            descend(variant, key)
        }
    }
}

/// A value as typed: JSON for a list or a structure, else a number, a boolean or a string.
fn parse_set_value(value: &str) -> serde_json::Value {
    // A list or a whole value in JSON, such as the neurons to record, `network.record=[0,1,400]`,
    // or a connection rule, `network.projections.0.rule={"FixedTotalNumber":{"n":5000}}`.
    if value.starts_with(['[', '{'])
        && let Ok(json) = serde_json::from_str(value)
    {
        return json;
    }
    if let Ok(n) = value.parse::<u64>() {
        return n.into();
    }
    if let Ok(n) = value.parse::<i64>() {
        return n.into();
    }
    if let Some(n) = value.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        return serde_json::Value::Number(n);
    }
    match value {
        "true" => true.into(),
        "false" => false.into(),
        _ => value.trim_matches('"').into(),
    }
}
