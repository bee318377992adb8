//! A team of threads kept for the life of a run, so that a step can be shared out several times
//! over at a cost of well under a microsecond each (rayon's scope costs 10-50 us to wake its
//! threads, more than a step of Brunel's network takes on one of them).
//!
//! [`Team::run`] calls a job once per member, member 0 on the calling thread, and returns when
//! all are done. Between jobs the other members spin for a while, then sleep until woken.

use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long an idle member spins before it sleeps: longer than the serial part of a step, so
/// that a running network's members never sleep, and short enough not to hold a core that a
/// paused or slowed run does not use.
const SPIN: Duration = Duration::from_micros(200);

/// A job as the members see it: its lifetime is erased, and [`Team::run`] does not return
/// before every member has finished with it.
type Job = *const (dyn Fn(usize) + Sync + 'static);

struct Shared {
    job: UnsafeCell<Option<Job>>,
    /// Bumped once per job (and once to stop).
    generation: AtomicU64,
    /// Members still working on the present job.
    pending: AtomicUsize,
    /// Members asleep, or about to be.
    sleeping: AtomicUsize,
    stop: AtomicBool,
    panicked: Mutex<Option<Box<dyn std::any::Any + Send>>>,
    bell: (Mutex<()>, Condvar),
}

// SAFETY: `job` is written by the thread in `Team::run` only while no member reads it (before
// the generation that publishes it, after every member has reported done).
unsafe impl Sync for Shared {}
unsafe impl Send for Shared {}

struct Members {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
    /// One job at a time.
    running: Mutex<()>,
}

/// `size` threads (the caller and `size - 1` others, started at the first job that needs them).
pub struct Team {
    size: usize,
    members: OnceLock<Members>,
}

impl Team {
    pub fn new(size: usize) -> Self {
        Self { size: size.max(1), members: OnceLock::new() }
    }

    /// Members, the calling thread included.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Calls `job(k)` for every member `k` in `0..size` at once, `job(0)` on this thread, and
    /// returns when every call has returned. A panic in any of them is raised here after all
    /// have finished.
    pub fn run(&self, job: impl Fn(usize) + Sync) {
        if self.size == 1 {
            return job(0);
        }
        let members = self.members.get_or_init(|| Members::start(self.size));
        let _one_at_a_time = members.running.lock().unwrap_or_else(|e| e.into_inner());
        let shared = &*members.shared;
        let job: &(dyn Fn(usize) + Sync) = &job;
        // SAFETY: only the lifetime is erased; the members stop using the job before this
        // function returns (it waits for `pending` to reach zero, even when `job(0)` panics).
        let erased: Job = unsafe { std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), Job>(job) };
        // SAFETY: no member reads `job` now: the last job's members have all reported done.
        unsafe { *shared.job.get() = Some(erased) };
        shared.pending.store(self.size - 1, Ordering::Relaxed);
        shared.generation.fetch_add(1, Ordering::SeqCst);
        shared.wake();
        let own = catch_unwind(AssertUnwindSafe(|| job(0)));
        let mut spins = 0u32;
        while shared.pending.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins < 1 << 12 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now(); // a member that lost its core
            }
        }
        // SAFETY: every member has finished with the job.
        unsafe { *shared.job.get() = None };
        if let Err(panic) = own {
            resume_unwind(panic);
        }
        if let Some(panic) = shared.panicked.lock().unwrap_or_else(|e| e.into_inner()).take() {
            resume_unwind(panic);
        }
    }

    /// Calls `job` once per member with its share of `items`: equal runs, in order (member `k`
    /// takes `share(len, k, size, 1)`).
    pub fn shares_mut<T: Send>(&self, items: &mut [T], job: impl Fn(&mut [T]) + Sync) {
        if self.size == 1 || items.len() < 2 {
            return job(items);
        }
        let (total, mut rest) = (items.len(), items);
        let mut parts = Vec::with_capacity(self.size);
        for k in 0..self.size {
            let (own, tail) = rest.split_at_mut(share(total, k, self.size, 1).len());
            parts.push(Mutex::new(own));
            rest = tail;
        }
        self.run(|k| job(&mut parts[k].lock().unwrap_or_else(|e| e.into_inner())));
    }
}

impl Shared {
    /// Wakes the members that sleep. A member counts itself in `sleeping` before it looks at
    /// the generation a last time under the bell's lock, so either it sees the new job or this
    /// sees it and rings after it waits.
    fn wake(&self) {
        if self.sleeping.load(Ordering::SeqCst) > 0 {
            let _bell = self.bell.0.lock().unwrap_or_else(|e| e.into_inner());
            self.bell.1.notify_all();
        }
    }

    /// Waits for a generation after `seen`; returns it, or `None` when the team stops.
    fn next(&self, seen: u64) -> Option<u64> {
        let since = Instant::now();
        let mut spins = 0u32;
        loop {
            let generation = self.generation.load(Ordering::Acquire);
            if self.stop.load(Ordering::Acquire) {
                return None;
            }
            if generation != seen {
                return Some(generation);
            }
            spins += 1;
            if !spins.is_multiple_of(64) {
                std::hint::spin_loop();
                continue;
            }
            if since.elapsed() < SPIN {
                // Let any other thread waiting for this core run (another run's team, say):
                // a member that only spun would hold the core that its own caller, or another
                // program, needs.
                std::thread::yield_now();
                continue;
            }
            let mut bell = self.bell.0.lock().unwrap_or_else(|e| e.into_inner());
            self.sleeping.fetch_add(1, Ordering::SeqCst);
            while self.generation.load(Ordering::SeqCst) == seen && !self.stop.load(Ordering::SeqCst) {
                bell = self.bell.1.wait(bell).unwrap_or_else(|e| e.into_inner());
            }
            self.sleeping.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Members {
    fn start(size: usize) -> Self {
        let shared = Arc::new(Shared {
            job: UnsafeCell::new(None),
            generation: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            sleeping: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            panicked: Mutex::new(None),
            bell: (Mutex::new(()), Condvar::new()),
        });
        let handles = (1..size)
            .map(|k| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("spikelab-team-{k}"))
                    .spawn(move || {
                        let mut seen = 0;
                        while let Some(generation) = shared.next(seen) {
                            seen = generation;
                            // SAFETY: the job was published before the generation, and stays
                            // alive until this member reports done below.
                            let job = unsafe { (*shared.job.get()).expect("a job with its generation") };
                            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| unsafe { (*job)(k) })) {
                                *shared.panicked.lock().unwrap_or_else(|e| e.into_inner()) = Some(panic);
                            }
                            shared.pending.fetch_sub(1, Ordering::Release);
                        }
                    })
                    .expect("a thread for the team")
            })
            .collect();
        Self { shared, handles, running: Mutex::new(()) }
    }
}

impl Drop for Members {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        {
            let _bell = self.shared.bell.0.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.bell.1.notify_all();
        }
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}

/// A copy of a team is a team of the same size with threads of its own.
impl Clone for Team {
    fn clone(&self) -> Self {
        Self::new(self.size)
    }
}

impl std::fmt::Debug for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Team({})", self.size)
    }
}

/// Where members' shares of a population start: multiples of 64 neurons, a cache line of `f64`
/// state eight times over and of a delay ring's `f32`s four times, so that two members never
/// write into one line, and a block of Poisson counts drawn from one random stream.
pub const SHARE_ALIGN: usize = 64;

/// `items` cut into the consecutive `shares` (from 0, covering it all).
pub fn cut<'a, T>(mut items: &'a mut [T], shares: &[std::ops::Range<usize>]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(shares.len());
    for s in shares {
        let (own, rest) = std::mem::take(&mut items).split_at_mut(s.len());
        parts.push(own);
        items = rest;
    }
    assert!(items.is_empty(), "shares cover every item");
    parts
}

/// The part of `0..n` that member `k` of `size` takes: equal shares, their bounds multiples of
/// `align` (so that two members never write into one cache line of `f32`s when `align` is 16).
pub fn share(n: usize, k: usize, size: usize, align: usize) -> std::ops::Range<usize> {
    let bound = |k: usize| if k >= size { n } else { (n * k / size).next_multiple_of(align).min(n) };
    bound(k)..bound(k + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn every_member_runs_each_job_once_and_the_job_is_done_on_return() {
        let team = Team::new(3);
        let counts: Vec<AtomicU32> = (0..3).map(|_| AtomicU32::new(0)).collect();
        for round in 1..=1000u32 {
            team.run(|k| {
                counts[k].fetch_add(1, Ordering::Relaxed);
            });
            assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == round));
            if round % 250 == 0 {
                std::thread::sleep(SPIN * 3); // the members fall asleep and are woken
            }
        }
    }

    #[test]
    fn a_panic_in_a_member_reaches_the_caller_and_the_team_goes_on() {
        let team = Team::new(2);
        let caught = catch_unwind(AssertUnwindSafe(|| team.run(|k| assert!(k != 1, "member 1"))));
        assert!(caught.is_err());
        let sum = AtomicUsize::new(0);
        team.run(|k| {
            sum.fetch_add(k + 1, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn each_item_is_taken_once() {
        let team = Team::new(2);
        for len in [0, 1, 2, 7, 100] {
            let mut items: Vec<u32> = (0..len).collect();
            team.shares_mut(&mut items, |part| part.iter_mut().for_each(|x| *x = *x * 2 + 1));
            assert_eq!(items, (0..len).map(|x| x * 2 + 1).collect::<Vec<_>>());
        }
    }

    #[test]
    fn shares_cover_the_range_in_aligned_parts() {
        for (n, size) in [(12_500, 2), (10, 3), (7, 4), (0, 2), (1_000_001, 8)] {
            let parts: Vec<_> = (0..size).map(|k| share(n, k, size, 8)).collect();
            assert_eq!(parts[0].start, 0);
            assert_eq!(parts[size - 1].end, n);
            assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
            assert!(parts[..size - 1].iter().all(|p| p.end % 8 == 0 || p.end == n));
        }
    }
}
