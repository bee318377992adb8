//! What must never happen: a loader that panics on a damaged file or blames no line, a save
//! that a crash leaves half-written, a window whose memory grows as it runs.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use spikelab::preset::session::Session;

use spikelab::preset::Preset;
use spikelab::ron_file::PresetError;
use spikelab::stimulus::Stimulus;

use crate::common;

/// One random damage to a file's text: a cut, a stray character, a number swapped for a
/// hostile one, a line repeated or dropped, or the end cut off.
fn mutate(text: &str, rng: &mut impl rand::Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = rng.random_range(0..chars.len().max(1));
    let mut out: Vec<char> = chars.clone();
    match rng.random_range(0..6) {
        0 => {
            let end = (at + rng.random_range(1..20)).min(chars.len());
            out.drain(at..end);
        }
        1 => {
            const STRAY: &[char] = &['(', ')', '[', ']', ',', ':', '"', '-', '.', 'e', '9', ' ', '\n', 'x', '_'];
            out.insert(at, STRAY[rng.random_range(0..STRAY.len())]);
        }
        2 => {
            // The number nearest after `at`, replaced.
            const HOSTILE: &[&str] =
                &["-1", "0", "1e308", "-1e308", "NaN", "inf", "1e-320", "4294967296", "-0.0", "\"7\""];
            let start = (at..chars.len()).find(|&k| chars[k].is_ascii_digit()).unwrap_or(at);
            let end = (start..chars.len()).find(|&k| !(chars[k].is_ascii_digit() || chars[k] == '.')).unwrap_or(start);
            let with: Vec<char> = HOSTILE[rng.random_range(0..HOSTILE.len())].chars().collect();
            out.splice(start..end, with);
        }
        3 | 4 => {
            let mut lines: Vec<&str> = text.lines().collect();
            let k = rng.random_range(0..lines.len().max(1));
            if lines.is_empty() {
                return String::new();
            }
            if rng.random_range(0..2) == 0 {
                lines.insert(k, lines[k]);
            } else {
                lines.remove(k);
            }
            return lines.join("\n");
        }
        _ => out.truncate(at),
    }
    out.into_iter().collect()
}

/// A loader's error must say which file, and (unless the damage is before the first field)
/// which line and field.
fn check_error(e: &PresetError, origin: &str, text: &str) {
    assert_eq!(e.origin, origin);
    let line = e.line.unwrap_or_else(|| panic!("no line in `{e}` for:\n{text}"));
    assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "line {line} outside the file: `{e}`");
    // The first line with a field, past any leading `//` comments (a stimulus file's note).
    let first_field =
        text.lines().position(|l| !l.trim_start().starts_with("//") && l.contains(':')).map_or(usize::MAX, |k| k + 1);
    if line > first_field {
        assert!(e.field.is_some(), "no field in `{e}` for:\n{text}");
    }
    let message = e.to_string();
    assert!(message.starts_with(origin) && message.contains(&format!(":{line}")), "{message}");
}

/// Mutations per file in CI; `SPIKELAB_FUZZ=N` runs N by hand.
fn rounds() -> usize {
    std::env::var("SPIKELAB_FUZZ").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
}

#[test]
fn damaged_presets_stimuli_and_sessions_never_panic_and_name_file_line_and_field() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut files: Vec<(String, String)> = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("presets")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ron") {
                files.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    let session =
        Session { preset: Some(common::bundled("izhikevich-2003/rs")), view: "traces".into(), ..Session::default() };
    files.push(("session.ron".into(), session.to_ron()));
    let (mut refused, mut tried) = (0, 0);
    for (origin, text) in &files {
        for _ in 0..rounds() {
            let damaged = mutate(text, &mut rng);
            tried += 1;
            let outcome = std::panic::catch_unwind(|| {
                let errors: Vec<PresetError> = [
                    Preset::from_ron(&damaged, origin).err(),
                    Stimulus::from_ron(&damaged, origin).err(),
                    Session::from_ron(&damaged, origin).err(),
                ]
                .into_iter()
                .flatten()
                .collect();
                errors
            });
            let errors = outcome.unwrap_or_else(|_| panic!("a loader panicked on {origin} damaged as:\n{damaged}"));
            refused += usize::from(!errors.is_empty());
            for e in &errors {
                check_error(e, origin, &damaged);
            }
        }
    }
    assert!(refused > tried / 2, "most damage is caught: {refused} of {tried}");
}

#[test]
fn damaged_lesson_manifests_never_panic_and_name_file_line_and_field() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2027);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let mut folders: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    folders.sort();
    let (mut refused, mut tried) = (0, 0);
    for source in folders {
        // A copy of the folder whose manifest is damaged over and over.
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        let manifest = dir.path().join("lesson.ron");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let origin = manifest.display().to_string();
        for _ in 0..rounds() / 4 {
            let damaged = mutate(&text, &mut rng);
            std::fs::write(&manifest, &damaged).unwrap();
            tried += 1;
            let outcome = std::panic::catch_unwind(|| spikelab::lesson::Lesson::load(dir.path()).err());
            let error =
                outcome.unwrap_or_else(|_| panic!("the lesson loader panicked on {origin} damaged as:\n{damaged}"));
            if let Some(e) = error {
                refused += 1;
                check_error(&e, &origin, &damaged);
            }
        }
    }
    assert!(refused > tried / 2, "most damage is caught: {refused} of {tried}");
}

/// Replaces a large file whole; as the child of the test below (`SPIKELAB_WRITE_LOOP` set), it
/// replaces it over and over until it is killed.
#[test]
fn large_atomic_writes_replace_the_whole_file() {
    let contents = [vec![b'a'; 4 << 20], vec![b'b'; 6 << 20]];
    if let Some(path) = std::env::var_os("SPIKELAB_WRITE_LOOP") {
        // Tells the parent the loop has begun (starting a test binary can take longer than the
        // parent's wait on a loaded machine).
        std::fs::write(Path::new(&path).with_extension("started"), b"").unwrap();
        for k in 0.. {
            spikelab::fsio::write_atomic(Path::new(&path), &contents[k % 2]).unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    for bytes in contents.iter().rev() {
        spikelab::fsio::write_atomic(&path, bytes).unwrap();
        assert!(std::fs::read(&path).unwrap() == *bytes);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary left behind");
}

#[test]
fn a_save_killed_mid_write_leaves_the_old_file_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.ron");
    std::fs::write(&path, vec![b'a'; 4 << 20]).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut seen = [false; 2];
    let started = path.with_extension("started");
    for _ in 0..12 {
        let _ = std::fs::remove_file(&started);
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "reliability::large_atomic_writes_replace_the_whole_file", "--nocapture"])
            .env("SPIKELAB_WRITE_LOOP", &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let since = Instant::now();
        while !started.exists() {
            assert!(since.elapsed() < Duration::from_secs(30), "the writing child never started");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(30..250)));
        child.kill().unwrap(); // SIGKILL: no unwinding, no cleanup
        child.wait().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let whole_a = bytes.len() == 4 << 20 && bytes.iter().all(|&b| b == b'a');
        let whole_b = bytes.len() == 6 << 20 && bytes.iter().all(|&b| b == b'b');
        assert!(whole_a || whole_b, "a partial file of {} bytes", bytes.len());
        seen[usize::from(whole_b)] = true;
    }
    assert!(seen[1], "the child got to replace the file at least once");
}

#[cfg(feature = "gui")]
#[test]
fn an_hour_of_a_running_network_keeps_the_windows_memory_under_its_budget() {
    use spikelab::app::History;
    use spikelab::engine::{Command, EngineHandle};
    // Song & Abbott: 1000 inputs spiking at 15 Hz, a traced neuron and 1000 plastic weights.
    let mut preset = common::bundled("plasticity/song_abbott");
    preset.view.speed = spikelab::preset::settings::Speed::Max;
    preset.view.at_end = spikelab::preset::settings::AtEnd::Continue;
    let engine = EngineHandle::spawn(&preset, None).unwrap();
    engine.send(Command::Run);
    let mut history = History::default();
    let (start, hour_ms) = (Instant::now(), 3_600_000.0);
    let mut most_held = 0;
    while history.t_ms < hour_ms {
        assert!(start.elapsed() < Duration::from_secs(240), "an hour did not pass: {} ms", history.t_ms);
        // A slow window: it takes frames only every 50 ms.
        std::thread::sleep(Duration::from_millis(50));
        while let Some(frame) = engine.try_recv() {
            assert!(frame.spikes.len() <= 2 * spikelab::engine::thread::MAX_PENDING_SPIKES);
            history.apply(frame);
        }
        most_held = most_held.max(history.held_bytes());
        assert!(history.held_bytes() <= History::budget_bytes(history.columns.len()));
    }
    engine.send(Command::Pause);
    let budget = History::budget_bytes(history.columns.len());
    eprintln!("an hour simulated in {:.1} s; most held {most_held} of {budget} bytes", start.elapsed().as_secs_f64());
    assert!(history.spike_count > 40_000_000, "{} spikes in an hour", history.spike_count);
    assert!(history.spikes.len() < history.spike_count as usize, "the oldest spikes were let go");
    assert!(history.series.iter().all(|s| !s.is_empty()));
    assert!(most_held > budget / 20, "the buffers filled ({most_held} bytes): the test measured something");
}
