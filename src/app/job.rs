//! Work that would stall a frame (f-I sweeps, comparison runs) runs on its own thread and
//! streams results back; the UI polls and shows progress. Dropping a job cancels it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

/// What a job's thread uses to report.
pub struct Reporter<T> {
    results: Sender<T>,
    done: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    ctx: Option<egui::Context>,
}

impl<T> Reporter<T> {
    /// Sends one result and counts it as a unit of progress; `false` if the job was cancelled.
    pub fn send(&self, result: T) -> bool {
        let _ = self.results.send(result);
        self.done.fetch_add(1, Ordering::Relaxed);
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
        }
        !self.cancelled()
    }
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

pub struct Job<T> {
    results: Receiver<T>,
    done: Arc<AtomicUsize>,
    total: usize,
    cancel: Arc<AtomicBool>,
    finished: Arc<AtomicBool>,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread; `total` is the number of results expected (for progress).
    pub fn spawn(total: usize, ctx: Option<egui::Context>, work: impl FnOnce(&Reporter<T>) + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        let (done, cancel, finished) =
            (Arc::new(AtomicUsize::new(0)), Arc::default(), Arc::new(AtomicBool::new(false)));
        let reporter = Reporter { results: tx, done: done.clone(), cancel: Arc::clone(&cancel), ctx: ctx.clone() };
        let flag = finished.clone();
        std::thread::spawn(move || {
            work(&reporter);
            flag.store(true, Ordering::Release);
            if let Some(ctx) = ctx {
                ctx.request_repaint();
            }
        });
        Self { results: rx, done, total: total.max(1), cancel, finished }
    }

    /// Results that have arrived since the last call.
    pub fn drain(&self) -> Vec<T> {
        self.results.try_iter().collect()
    }
    pub fn progress(&self) -> f32 {
        (self.done.load(Ordering::Relaxed) as f32 / self.total as f32).min(1.0)
    }
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}
