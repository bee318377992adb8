//! Progress of a long headless job on stderr: a bar with its rate and the time left, drawn only
//! when stderr is a terminal, so a script that reads the output or the CSV sees none of it.

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// One job's progress; the bar is cleared when the job ends.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// `total` items of a job (`unit`: "images", "points", "epochs").
    pub fn items(label: &str, total: usize, unit: &str) -> Self {
        let template = format!("{{prefix}} [{{bar:30}}] {{pos}}/{{len}} {unit} · {{per_sec}} · {{eta}} left");
        Self::new(label, total as u64, ProgressStyle::with_template(&template).expect("a valid template"))
    }

    /// A run of `total_ms` of simulated time, with its speed as a multiple of real time.
    pub fn simulated(label: &str, total_ms: f64) -> Self {
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} ms simulated · {speed} · {eta} left")
            .expect("a valid template")
            .with_key("speed", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                // Positions are simulated ms: per second of wall time, a thousand is real time.
                let _ = write!(w, "{:.2}x real time", state.per_sec() / 1000.0);
            });
        Self::new(label, total_ms.ceil() as u64, style)
    }

    fn new(label: &str, total: u64, style: ProgressStyle) -> Self {
        let bar = ProgressBar::new(total).with_style(style.progress_chars("=> ")).with_prefix(label.to_string());
        Self { bar }
    }

    /// `done` items, or ms simulated, so far.
    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
