//! The house's layers (DESIGN.md in the repository): each module of `src/` uses only modules of
//! its own layer or below, and no two modules use each other, directly or round a cycle. Read
//! from the `crate::` paths of the code itself (comments left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// From the bottom. A new module must be given its floor here.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "ground: numbers, parameter descriptions, files, data sets",
        &["fastmath", "random", "memory", "team", "fsio", "ron_file", "dotted", "progress", "param", "dataset"],
    ),
    ("models: neurons and their integrators, synapses, stimuli", &["neuron", "integrate", "synapse", "stimulus"]),
    ("network: specification and building", &["network"]),
    ("preset vocabulary: plain data, and the bundled library of it", &["preset", "library"]),
    ("the engine", &["engine"]),
    ("analysis", &["analysis"]),
    (
        "what runs the engine for a purpose",
        &["lesson", "export", "figure", "learning", "sweep", "compare", "workload", "check"],
    ),
    ("the window", &["app"]),
    ("the command line", &["cli"]),
];

fn floor(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

/// Every top-level module and the modules its code names, by `crate::name`.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let top = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = top.trim_end_matches(".rs").to_string();
            if matches!(module.as_str(), "lib" | "main") || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let used = uses.entry(module.clone()).or_default();
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let code = line.split("//").next().unwrap();
                for (at, _) in code.match_indices("crate::") {
                    let name: String =
                        code[at + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if name != module && !name.is_empty() {
                        used.insert(name);
                    }
                }
            }
        }
    }
    uses
}

#[test]
fn every_module_uses_only_its_own_layer_and_below_and_no_cycle() {
    let uses = uses();
    assert!(uses.len() > 20, "every module read: {:?}", uses.keys());
    let wrong = problems(&uses);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Upward arrows, modules without a floor, and cycles.
fn problems(uses: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (module, used) in uses {
        let Some(mine) = floor(module) else {
            wrong.push(format!("`{module}` has no layer: give it its floor in tests/suite/layers.rs"));
            continue;
        };
        for other in used {
            match floor(other) {
                Some(theirs) if theirs > mine => wrong.push(format!(
                    "`{module}` ({}) uses `{other}` ({}), a layer above it",
                    LAYERS[mine].0, LAYERS[theirs].0
                )),
                None => wrong.push(format!("`{module}` uses `{other}`, which has no layer")),
                _ => {}
            }
        }
    }
    // A cycle within a layer: a path from a module back to itself.
    for start in uses.keys() {
        let mut path = vec![start.clone()];
        if let Some(cycle) = cycle_from(uses, start, &mut path, &mut BTreeSet::new()) {
            wrong.push(format!("a cycle: {}", cycle.join(" -> ")));
        }
    }
    wrong
}

fn cycle_from(
    uses: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    path: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    let last = path.last().unwrap().clone();
    for next in uses.get(&last).into_iter().flatten() {
        if next == start {
            return Some([path.as_slice(), std::slice::from_ref(next)].concat());
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if let Some(cycle) = cycle_from(uses, start, path, seen) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}

/// The check itself finds what it is for, in made-up uses.
#[test]
fn the_layer_check_catches_an_upward_arrow_and_a_cycle() {
    let made_up = |pairs: &[(&str, &str)]| {
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            uses.entry(a.to_string()).or_default().insert(b.to_string());
            uses.entry(b.to_string()).or_default();
        }
        uses
    };
    assert!(problems(&made_up(&[("engine", "network"), ("network", "neuron"), ("neuron", "param")])).is_empty());
    let up = problems(&made_up(&[("network", "engine")]));
    assert!(up.len() == 1 && up[0].contains("`network` (network: specification and building) uses `engine`"), "{up:?}");
    let cycle = problems(&made_up(&[("synapse", "stimulus"), ("stimulus", "synapse")]));
    assert_eq!(cycle, ["a cycle: stimulus -> synapse -> stimulus", "a cycle: synapse -> stimulus -> synapse"]);
    assert!(problems(&made_up(&[("gadget", "param")]))[0].contains("`gadget` has no layer"));
}
