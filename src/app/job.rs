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

/// The result of a background computation for the latest key asked for: a new key starts a new
/// job; the result for a key stays until another key's arrives.
pub struct Keyed<K, T> {
    result: Option<(K, T)>,
    job: Option<(K, Job<T>)>,
}

impl<K, T> Default for Keyed<K, T> {
    fn default() -> Self {
        Self { result: None, job: None }
    }
}

impl<K: PartialEq + Clone, T: Send + 'static> Keyed<K, T> {
    /// The result for `key` once it is ready; starts `work` when nothing for `key` is done or
    /// under way.
    pub fn get(&mut self, key: &K, ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Option<&mut T> {
        if let Some((k, job)) = &self.job
            && let Some(result) = job.drain().pop()
        {
            self.result = Some((k.clone(), result));
            self.job = None;
        }
        let known = self.result.as_ref().is_some_and(|r| r.0 == *key) || self.job.as_ref().is_some_and(|j| j.0 == *key);
        if !known {
            let job = Job::spawn(1, Some(ctx.clone()), move |report| {
                report.send(work());
            });
            self.job = Some((key.clone(), job));
        }
        self.result.as_mut().filter(|r| r.0 == *key).map(|r| &mut r.1)
    }

    /// The latest result and its key, whatever key was asked for last.
    pub fn latest(&self) -> Option<&(K, T)> {
        self.result.as_ref()
    }
}
