//! A current trace imported from CSV becomes a [`Component::Curve`].

use super::Component;

/// Reads `t_ms,value` rows (an optional header line, `#` comments and blank lines allowed).
/// A bad row is reported with its line number and what is wrong with it.
pub fn curve_from_csv(text: &str) -> Result<Component, String> {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split([',', ';', '\t']).map(str::trim).collect();
        let parsed: Option<(f64, f64)> = match fields.as_slice() {
            [t, v] => t.parse().ok().zip(v.parse().ok()),
            _ => None,
        };
        match parsed {
            Some((t, v)) if t.is_finite() && v.is_finite() => {
                if let Some(&(previous, _)) = points.last()
                    && t < previous
                {
                    return Err(format!("line {}: time {t} ms is before the previous row's {previous} ms", k + 1));
                }
                points.push((t, v));
            }
            Some(_) => return Err(format!("line {}: values must be finite numbers: {line:?}", k + 1)),
            None if points.is_empty() && k == 0 => {} // a header
            None => return Err(format!("line {}: expected two numbers `t_ms,value`, got {line:?}", k + 1)),
        }
    }
    let curve = Component::Curve { points };
    curve.validate().map_err(|(field, message)| format!("imported curve: {field} {message}"))?;
    Ok(curve)
}
