//! Progress of a long headless job on stderr, one line rewritten in place.

/// Reports `done` of `total` under `label` (about 50 updates a job, and the last).
pub fn report(label: &str, done: usize, total: usize) {
    let step = (total / 50).max(1);
    if done.is_multiple_of(step) || done == total {
        eprint!("\r{label}: {done}/{total} ({:.0}%)", 100.0 * done as f64 / total.max(1) as f64);
        if done == total {
            eprintln!();
        }
    }
}
