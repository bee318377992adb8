//! Phase-plane analysis of two-dimensional models: vector field, nullclines, fixed points and
//! their stability. Which variable a model's plane shows, its window, and how the plane reduces
//! a larger model (Hodgkin-Huxley to V and n) are the model's own ([`crate::neuron::Plane`]).

use crate::neuron::NeuronModel;

/// Points `[x, y]` joined by straight lines.
pub type Polyline = Vec<[f64; 2]>;

/// The plane of a model: which variables span it and a sensible window on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pub x_label: String,
    pub y_label: String,
    /// State indices of the plane's axes (HH: V and n).
    pub x_var: usize,
    pub y_var: usize,
    pub x_range: (f64, f64),
}

/// A fixed point and how trajectories behave near it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPoint {
    pub x: f64,
    pub y: f64,
    pub stability: Stability,
    /// Trace and determinant of the Jacobian there.
    pub trace: f64,
    pub det: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    StableNode,
    StableFocus,
    UnstableNode,
    UnstableFocus,
    Saddle,
    Center,
}

impl Stability {
    pub fn name(self) -> &'static str {
        match self {
            Stability::StableNode => "stable node",
            Stability::StableFocus => "stable focus",
            Stability::UnstableNode => "unstable node",
            Stability::UnstableFocus => "unstable focus",
            Stability::Saddle => "saddle",
            Stability::Center => "center",
        }
    }
    pub fn is_stable(self) -> bool {
        matches!(self, Stability::StableNode | Stability::StableFocus)
    }

    /// From the Jacobian's trace and determinant.
    pub fn classify(trace: f64, det: f64) -> Stability {
        let scale = trace.abs().max(det.abs().sqrt()).max(1e-300);
        if det < 0.0 {
            Stability::Saddle
        } else if trace.abs() < 1e-9 * scale {
            Stability::Center
        } else if trace * trace >= 4.0 * det {
            if trace < 0.0 { Stability::StableNode } else { Stability::UnstableNode }
        } else if trace < 0.0 {
            Stability::StableFocus
        } else {
            Stability::UnstableFocus
        }
    }
}

/// The plane of `model`, or `None` for one-dimensional models (LIF, QIF).
pub fn plane(model: &NeuronModel) -> Option<Plane> {
    let vars = model.vars();
    let named = |j: usize| {
        if vars[j].unit.is_empty() {
            vars[j].label.to_string()
        } else {
            format!("{} [{}]", vars[j].label, vars[j].unit)
        }
    };
    let own = model.plane()?;
    Some(Plane { x_label: named(0), y_label: named(own.y_var), x_var: 0, y_var: own.y_var, x_range: own.v_range })
}

/// `(dx/dt, dy/dt)` at `(x, y)` under current `i`.
pub fn field(model: &NeuronModel, x: f64, y: f64, i: f64) -> (f64, f64) {
    let y_var = model.plane().map_or(1, |p| p.y_var);
    let d = model.derivatives(&model.on_plane(x, y), i);
    (d[0], d[y_var])
}

/// Roots in `y` of `g(y) = 0` on `[y0, y1]`: sign changes on `steps` cells, refined by bisection.
fn roots_in(g: impl Fn(f64) -> f64, y0: f64, y1: f64, steps: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let mut prev = (y0, g(y0));
    for k in 1..=steps {
        let y = y0 + (y1 - y0) * k as f64 / steps as f64;
        let cur = (y, g(y));
        if prev.1.is_finite() && cur.1.is_finite() && (prev.1 == 0.0 || prev.1.signum() != cur.1.signum()) {
            let (mut a, mut b) = (prev, cur);
            for _ in 0..60 {
                let mid = 0.5 * (a.0 + b.0);
                let gm = g(mid);
                if gm.signum() == a.1.signum() { a = (mid, gm) } else { b = (mid, gm) }
            }
            out.push(0.5 * (a.0 + b.0));
        }
        prev = cur;
    }
    out
}

/// The x- and y-nullclines (`dx/dt = 0` and `dy/dt = 0`) over the window, as polylines: in
/// each of `columns` x-positions every root in y; the k-th roots of neighbouring columns are
/// joined while the number of roots stays the same.
pub fn nullclines(
    model: &NeuronModel,
    i: f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
    columns: usize,
) -> (Vec<Polyline>, Vec<Polyline>) {
    let trace = |which: usize| {
        let mut lines: Vec<Polyline> = Vec::new();
        let mut last_count = usize::MAX;
        for c in 0..=columns {
            let x = x_range.0 + (x_range.1 - x_range.0) * c as f64 / columns as f64;
            let g = |y: f64| {
                let d = field(model, x, y, i);
                if which == 0 { d.0 } else { d.1 }
            };
            let roots = roots_in(g, y_range.0, y_range.1, 400);
            if roots.len() != last_count {
                lines.extend(std::iter::repeat_with(Vec::new).take(roots.len()));
                last_count = roots.len();
            }
            let base = lines.len() - roots.len();
            for (k, y) in roots.into_iter().enumerate() {
                lines[base + k].push([x, y]);
            }
        }
        lines.retain(|l| l.len() >= 2);
        lines
    };
    (trace(0), trace(1))
}

fn jacobian(model: &NeuronModel, x: f64, y: f64, i: f64, (hx, hy): (f64, f64)) -> [[f64; 2]; 2] {
    let (fxp, gxp) = field(model, x + hx, y, i);
    let (fxm, gxm) = field(model, x - hx, y, i);
    let (fyp, gyp) = field(model, x, y + hy, i);
    let (fym, gym) = field(model, x, y - hy, i);
    [[(fxp - fxm) / (2.0 * hx), (fyp - fym) / (2.0 * hy)], [(gxp - gxm) / (2.0 * hx), (gyp - gym) / (2.0 * hy)]]
}

/// Fixed points in the window: cells of a grid where both components change sign seed a
/// Newton iteration; stability from the Jacobian (central differences).
pub fn fixed_points(model: &NeuronModel, i: f64, x_range: (f64, f64), y_range: (f64, f64)) -> Vec<FixedPoint> {
    const N: usize = 120;
    let (wx, wy) = (x_range.1 - x_range.0, y_range.1 - y_range.0);
    let h = (wx * 1e-6, wy * 1e-6);
    let at = |a: usize, b: usize| {
        let (x, y) = (x_range.0 + wx * a as f64 / N as f64, y_range.0 + wy * b as f64 / N as f64);
        field(model, x, y, i)
    };
    let grid: Vec<Vec<(f64, f64)>> = (0..=N).map(|a| (0..=N).map(|b| at(a, b)).collect()).collect();
    let changes = |vals: [f64; 4]| {
        vals.iter().all(|v| v.is_finite()) && vals.iter().any(|v| *v <= 0.0) && vals.iter().any(|v| *v >= 0.0)
    };
    let mut found: Vec<FixedPoint> = Vec::new();
    for a in 0..N {
        for b in 0..N {
            let cell = [grid[a][b], grid[a + 1][b], grid[a][b + 1], grid[a + 1][b + 1]];
            if !changes(cell.map(|c| c.0)) || !changes(cell.map(|c| c.1)) {
                continue;
            }
            let (mut x, mut y) =
                (x_range.0 + wx * (a as f64 + 0.5) / N as f64, y_range.0 + wy * (b as f64 + 0.5) / N as f64);
            let mut converged = false;
            for _ in 0..50 {
                let (f, g) = field(model, x, y, i);
                let j = jacobian(model, x, y, i, h);
                let det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
                if det == 0.0 || !det.is_finite() {
                    break;
                }
                let dx = (f * j[1][1] - g * j[0][1]) / det;
                let dy = (g * j[0][0] - f * j[1][0]) / det;
                x -= dx;
                y -= dy;
                if dx.abs() < wx * 1e-12 && dy.abs() < wy * 1e-12 {
                    converged = true;
                    break;
                }
            }
            let inside = x >= x_range.0 && x <= x_range.1 && y >= y_range.0 && y <= y_range.1;
            let duplicate = found.iter().any(|p| (p.x - x).abs() < wx * 1e-6 && (p.y - y).abs() < wy * 1e-6);
            if converged && inside && !duplicate {
                let j = jacobian(model, x, y, i, h);
                let (trace, det) = (j[0][0] + j[1][1], j[0][0] * j[1][1] - j[0][1] * j[1][0]);
                found.push(FixedPoint { x, y, stability: Stability::classify(trace, det), trace, det });
            }
        }
    }
    found.sort_by(|p, q| p.x.total_cmp(&q.x));
    found
}

/// A y-window showing the y-nullcline over the x-window, the knee (lowest point) of the
/// x-nullcline, and anything in `extra` (the trajectory).
pub fn y_range_for(model: &NeuronModel, i: f64, x_range: (f64, f64), extra: &[f64]) -> (f64, f64) {
    if let Some(fixed) = model.plane().and_then(|p| p.y_range) {
        return fixed;
    }
    // Both nullclines are single-valued in x for every model here: sample them.
    let probe = |x: f64, which: usize| {
        let g = |y: f64| {
            let d = field(model, x, y, i);
            if which == 0 { d.0 } else { d.1 }
        };
        roots_in(g, -1e4, 1e4, 2000).first().copied()
    };
    let xs: Vec<f64> = (0..=40).map(|k| x_range.0 + (x_range.1 - x_range.0) * k as f64 / 40.0).collect();
    let mut ys: Vec<f64> = xs.iter().filter_map(|&x| probe(x, 1)).collect();
    ys.extend(xs.iter().filter_map(|&x| probe(x, 0)).min_by(f64::total_cmp));
    ys.extend_from_slice(extra);
    let (lo, hi) = ys.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &y| (lo.min(y), hi.max(y)));
    if lo > hi {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.15).max(1e-3);
    (lo - pad, hi + pad)
}

/// A one-dimensional model's phase line: dV/dt against V from below rest to past threshold.
pub fn phase_line(model: &NeuronModel, i: f64) -> Vec<[f64; 2]> {
    let threshold = model.threshold();
    let (x0, x1) = (model.initial_state()[0].min(threshold) - 20.0, threshold + 5.0);
    (0..=400)
        .map(|k| {
            let v = x0 + (x1 - x0) * k as f64 / 400.0;
            [v, model.derivatives(&[v, 0.0, 0.0, 0.0], i)[0]]
        })
        .collect()
}

/// Where a sampled curve crosses zero (the phase line's fixed points).
pub fn zero_crossings(curve: &[[f64; 2]]) -> Vec<[f64; 2]> {
    curve.windows(2).filter(|w| w[0][1].signum() != w[1][1].signum()).map(|w| [w[0][0], 0.0]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::{FitzHughNagumo, Izhikevich};

    #[test]
    fn izhikevich_fixed_points_match_the_quadratic() {
        // 0.04 v^2 + (5 - b) v + 140 + I = 0 with u = b v.
        let p = Izhikevich::default();
        let model = NeuronModel::Izhikevich(p);
        let i = 2.0;
        let (a, b, c) = (0.04, 5.0 - p.b, 140.0 + i);
        let disc = (b * b - 4.0 * a * c).sqrt();
        let roots = [(-b - disc) / (2.0 * a), (-b + disc) / (2.0 * a)];
        let found = fixed_points(&model, i, (-90.0, 35.0), (-40.0, 20.0));
        assert_eq!(found.len(), 2, "{found:?}");
        for (fp, v) in found.iter().zip(roots) {
            assert!((fp.x - v).abs() < 1e-6 && (fp.y - p.b * v).abs() < 1e-6, "{fp:?} vs {v}");
        }
        // Rest (left) is a stable node: det = a (b - 0.08 v - 5) > 0, trace < 0, trace^2 > 4 det;
        // the right root is the saddle whose stable manifold is the threshold.
        assert_eq!(found[0].stability, Stability::StableNode, "{found:?}");
        assert_eq!(found[1].stability, Stability::Saddle, "{found:?}");
    }

    #[test]
    fn fitzhugh_nagumo_loses_stability_with_current() {
        let model = NeuronModel::FitzHughNagumo(FitzHughNagumo::default());
        let rest = fixed_points(&model, 0.0, (-2.5, 2.5), (-1.0, 2.0));
        assert_eq!(rest.len(), 1);
        assert!(rest[0].stability.is_stable(), "{rest:?}");
        let driven = fixed_points(&model, 0.5, (-2.5, 2.5), (-1.0, 2.0));
        assert_eq!(driven.len(), 1);
        assert!(!driven[0].stability.is_stable(), "{driven:?}");
    }

    #[test]
    fn stability_from_trace_and_determinant() {
        assert_eq!(Stability::classify(-3.0, 2.0), Stability::StableNode);
        assert_eq!(Stability::classify(-1.0, 2.0), Stability::StableFocus);
        assert_eq!(Stability::classify(1.0, 2.0), Stability::UnstableFocus);
        assert_eq!(Stability::classify(3.0, 2.0), Stability::UnstableNode);
        assert_eq!(Stability::classify(0.5, -1.0), Stability::Saddle);
    }
}
