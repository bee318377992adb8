//! The engine thread: a thin shell around [`Simulation`].
//!
//! Commands come in over one channel; frames go out over a bounded one. When the UI is slow and
//! the frame channel is full, the engine keeps simulating and coalesces into the frame it holds
//! (spikes appended, traces min/max-decimated), so neither side waits on the other and no spike
//! is dropped. Only if the UI takes nothing for so long that the held frame reaches
//! [`MAX_PENDING_SPIKES`] does the engine stop stepping until it can send: memory stays bounded.
//! While paused it blocks on the command channel and costs no CPU.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Simulation;
use super::frame::{Frame, Series, Status};

use crate::preset::settings::AtEnd;
use crate::preset::settings::Speed;
use crate::preset::{Preset, Valid};

/// Frames in flight between engine and UI.
const FRAME_QUEUE: usize = 4;
/// The engine sends at most one frame per this interval (about 60 a second).
const FRAME_INTERVAL: Duration = Duration::from_millis(16);
/// At full speed, 30 frames a second: the picture stays fluid, and on a machine that draws in
/// software the cores go to the simulation rather than to redrawing (Brunel's 12,500 neurons
/// ran at a third of the speed with 60).
const FRAME_INTERVAL_MAX_SPEED: Duration = Duration::from_millis(33);
/// Wall time the engine simulates before it looks at its commands again.
const SLICE: Duration = Duration::from_millis(4);
/// Steps between clock checks inside a slice.
const CHUNK_STEPS: u64 = 64;
/// A held frame with this many spikes makes the engine wait for the UI (memory bound).
pub const MAX_PENDING_SPIKES: usize = 1 << 21;
/// How far behind real time the engine may fall before it stops trying to catch up.
const MAX_LAG: Duration = Duration::from_millis(250);

/// What the UI asks of the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Run,
    Pause,
    /// Advance exactly this many steps as fast as possible, then pause.
    Step(u64),
    /// Restart the current settings from t = 0 as a new run.
    Reset,
    /// Replace everything with a preset and start a new run.
    Load(Box<Valid>),
    /// An edit of the lab: the run moves to this preset, keeping its state where
    /// [`Simulation::live`] allows, else as a new run.
    Edit(Box<Valid>),
    /// Trace this neuron (global index) from now on.
    Record(u32),
    Shutdown,
}

/// A simulation for the window steps on at most one core fewer than the machine has: the
/// window's drawing (in software where there is no GPU) needs a core of its own, and a run's
/// spikes are the same on any number of threads. Measured on 2 cores, Brunel's network moved at
/// 0.70x real time on one thread beside the window, 0.56x on two.
fn beside_the_window(mut sim: Simulation, preset: &Preset) -> Simulation {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    sim.set_threads((preset.run.threads as usize).min(cores - 1));
    sim
}

/// Called after each frame is sent, e.g. to ask the UI for a repaint.
pub type Waker = Box<dyn Fn() + Send>;

/// The UI's side of a running engine thread.
pub struct EngineHandle {
    commands: mpsc::Sender<Command>,
    frames: Receiver<Frame>,
    thread: Option<JoinHandle<Result<(), String>>>,
    /// Why the thread ended before it was asked to, once it has.
    stopped: Option<String>,
}

impl EngineHandle {
    /// Starts the engine on `preset`, paused.
    pub fn spawn(preset: &Preset, waker: Option<Waker>) -> Result<Self, String> {
        let preset = Valid::new(preset.clone()).map_err(|inv| inv.to_string())?;
        let sim = beside_the_window(Simulation::new(&preset, preset.run.seed)?, &preset);
        let (command_tx, command_rx) = mpsc::channel();
        let (frame_tx, frame_rx) = mpsc::sync_channel(FRAME_QUEUE);
        let engine = Engine::new(preset, sim, frame_tx, waker);
        Self::start(command_tx, frame_rx, move || engine.run(command_rx))
    }

    /// Runs `body` as the engine thread; a panic in it ends the thread with its message
    /// instead of taking the window down ([`EngineHandle::stopped`] reports it).
    fn start(
        commands: mpsc::Sender<Command>,
        frames: Receiver<Frame>,
        body: impl FnOnce() + Send + 'static,
    ) -> Result<Self, String> {
        let thread = std::thread::Builder::new()
            .name("spikelab-engine".into())
            .spawn(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).map_err(panic_text))
            .map_err(|e| format!("cannot start the engine thread: {e}"))?;
        Ok(Self { commands, frames, thread: Some(thread), stopped: None })
    }

    /// An engine whose thread panics at once with `message` (the window's recovery, tested).
    #[cfg(all(test, feature = "gui"))]
    pub(crate) fn crashing(message: &'static str) -> Self {
        let (commands, _) = mpsc::channel();
        let (_, frames) = mpsc::sync_channel(1);
        Self::start(commands, frames, move || panic!("{message}")).expect("a thread")
    }

    /// Why the engine thread has ended, if it has: it ends on its own only by a defect, so
    /// the window says so and offers a new engine.
    pub fn stopped(&mut self) -> Option<&str> {
        if self.stopped.is_none() && self.thread.as_ref().is_some_and(|t| t.is_finished()) {
            let result = self.thread.take().map(|t| t.join().unwrap_or_else(|p| Err(panic_text(p))));
            self.stopped = Some(match result {
                Some(Err(message)) => message,
                _ => "the engine thread ended".to_string(),
            });
        }
        self.stopped.as_deref()
    }

    pub fn send(&self, command: Command) {
        // The engine only stops on Shutdown (sent by Drop), so a send cannot fail before then.
        let _ = self.commands.send(command);
    }

    pub fn try_recv(&self) -> Option<Frame> {
        self.frames.try_recv().ok()
    }

    pub fn recv_timeout(&self, timeout: Duration) -> Option<Frame> {
        self.frames.recv_timeout(timeout).ok()
    }
}

/// A panic's message.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload.downcast_ref::<&str>().map_or("an unknown panic".to_string(), |s| s.to_string()),
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        // Unblock an engine waiting to send by draining, then wait for it.
        while self.frames.try_recv().is_ok() {}
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Engine {
    preset: Valid,
    sim: Simulation,
    run_id: u64,
    running: bool,
    steps_left: u64,
    fault: Option<String>,
    /// Wall time and simulated time when pacing started.
    anchor: (Instant, f64),
    pending: Frame,
    status_changed: bool,
    frames: SyncSender<Frame>,
    waker: Option<Waker>,
    last_send: Instant,
    /// Wall time and simulated time at the last send, for the rate readout.
    rate_mark: (Instant, f64),
    rate: f64,
}

impl Engine {
    fn new(preset: Valid, sim: Simulation, frames: SyncSender<Frame>, waker: Option<Waker>) -> Self {
        let now = Instant::now();
        let mut engine = Self {
            preset,
            pending: Frame::new(0, sim.columns(), sim.model(), Status::Paused),
            sim,
            run_id: 0,
            running: false,
            steps_left: 0,
            fault: None,
            anchor: (now, 0.0),
            status_changed: true,
            frames,
            waker,
            last_send: now,
            rate_mark: (now, 0.0),
            rate: 0.0,
        };
        engine.sim.sample(&mut engine.pending);
        engine
    }

    fn status(&self) -> Status {
        match (&self.fault, self.running || self.steps_left > 0) {
            (Some(message), _) => Status::Faulted(message.clone()),
            (None, true) => Status::Running,
            (None, false) => Status::Paused,
        }
    }

    fn stepping(&self) -> bool {
        (self.running || self.steps_left > 0) && self.pending.spikes.len() < MAX_PENDING_SPIKES
    }

    fn run(mut self, commands: Receiver<Command>) {
        loop {
            // A closed command channel means the handle is gone: stop.
            let first = match self.wait() {
                None => match commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                },
                Some(wait) if wait.is_zero() => match commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return,
                },
                Some(wait) => match commands.recv_timeout(wait) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
            };
            if let Some(command) = first {
                let mut next = Some(command);
                while let Some(command) = next {
                    if command == Command::Shutdown {
                        return;
                    }
                    self.handle(command);
                    next = commands.try_recv().ok();
                }
            }
            if self.stepping() {
                self.advance();
            }
            self.flush();
        }
    }

    /// How long to wait for a command: `None` blocks (paused, nothing to send).
    fn wait(&self) -> Option<Duration> {
        let unsent = self.status_changed || !self.pending.is_empty();
        let until_send = self.frame_interval().saturating_sub(self.last_send.elapsed());
        if !self.stepping() {
            return unsent.then(|| until_send.max(Duration::from_millis(1)));
        }
        match self.preset.view.speed {
            Speed::Max => Some(Duration::ZERO),
            _ if self.steps_left > 0 => Some(Duration::ZERO),
            Speed::RealTime(factor) => {
                // Sleep until the next step is due, waking in time to send a frame.
                let due = self.steps_due();
                if due >= 1.0 {
                    return Some(Duration::ZERO);
                }
                let wait = Duration::from_secs_f64((1.0 - due) * self.sim.dt_ms() / factor / 1000.0);
                let cap = if unsent { until_send.max(Duration::from_millis(1)) } else { self.frame_interval() };
                Some(wait.min(cap))
            }
        }
    }

    /// The least time between two frames.
    fn frame_interval(&self) -> Duration {
        if self.preset.view.speed == Speed::Max { FRAME_INTERVAL_MAX_SPEED } else { FRAME_INTERVAL }
    }

    /// Steps the pacing clock allows now (may be fractional or negative).
    fn steps_due(&self) -> f64 {
        match self.preset.view.speed {
            Speed::Max => f64::INFINITY,
            Speed::RealTime(factor) => {
                let target_ms = self.anchor.1 + self.anchor.0.elapsed().as_secs_f64() * 1000.0 * factor;
                (target_ms - self.sim.t_ms()) / self.sim.dt_ms()
            }
        }
    }

    fn advance(&mut self) {
        let start = Instant::now();
        if let Speed::RealTime(factor) = self.preset.view.speed {
            let lag_steps = MAX_LAG.as_secs_f64() * 1000.0 * factor / self.sim.dt_ms();
            if self.steps_due() > lag_steps {
                self.anchor = (Instant::now(), self.sim.t_ms());
            }
        }
        while start.elapsed() < SLICE && self.stepping() {
            let due = if self.steps_left > 0 { self.steps_left as f64 } else { self.steps_due() };
            if due < 1.0 {
                break;
            }
            let mut n = (due.floor() as u64).min(CHUNK_STEPS);
            if self.steps_left > 0 {
                n = n.min(self.steps_left);
            }
            let at_end = self.preset.view.at_end;
            let end_steps = ((self.preset.run.duration_ms - self.sim.t_ms()) / self.sim.dt_ms()).round();
            if at_end != AtEnd::Continue && self.steps_left == 0 {
                if end_steps < 1.0 {
                    match at_end {
                        AtEnd::Loop => self.restart(),
                        _ => {
                            self.running = false;
                            self.status_changed = true;
                        }
                    }
                    return;
                }
                n = n.min(end_steps as u64);
            }
            let t_before = self.sim.t_ms();
            let result = self.sim.step(n, &mut self.pending);
            let taken = ((self.sim.t_ms() - t_before) / self.sim.dt_ms()).round() as u64;
            self.pending.steps += taken;
            if self.steps_left > 0 {
                self.steps_left -= taken.min(self.steps_left);
                if self.steps_left == 0 {
                    self.status_changed = true;
                }
            }
            if let Err(fault) = result {
                self.fault = Some(fault.to_string());
                self.running = false;
                self.steps_left = 0;
                self.status_changed = true;
                return;
            }
        }
    }

    /// Sends the held frame when it is time (or the status changed) and the channel has room;
    /// otherwise keeps it and coalesces.
    fn flush(&mut self) {
        let unsent = self.status_changed || !self.pending.is_empty();
        if !unsent || (!self.status_changed && self.last_send.elapsed() < self.frame_interval()) {
            return;
        }
        let now = Instant::now();
        let elapsed = now.duration_since(self.rate_mark.0).as_secs_f64();
        if elapsed > 0.0 {
            let instant = (self.sim.t_ms() - self.rate_mark.1) / elapsed;
            self.rate = if self.rate == 0.0 { instant } else { 0.8 * self.rate + 0.2 * instant };
        }
        let fresh = Frame::new(self.run_id, self.sim.columns(), self.sim.model(), Status::Paused);
        let mut frame = std::mem::replace(&mut self.pending, fresh);
        frame.t_ms = self.sim.t_ms();
        frame.status = self.status();
        frame.model = self.sim.model();
        frame.sim_ms_per_s = if self.stepping() || frame.steps > 0 { self.rate } else { 0.0 };
        match self.frames.try_send(frame) {
            Ok(()) => {
                self.status_changed = false;
                self.last_send = now;
                self.rate_mark = (now, self.sim.t_ms());
                if let Some(wake) = &self.waker {
                    wake();
                }
            }
            Err(TrySendError::Full(frame)) | Err(TrySendError::Disconnected(frame)) => self.pending = frame,
        }
    }

    fn restart(&mut self) {
        match Simulation::new(&self.preset, self.preset.run.seed) {
            Ok(sim) => {
                self.sim = beside_the_window(sim, &self.preset);
                self.fault = None;
            }
            Err(message) => self.fault = Some(format!("cannot restart: {message}")),
        }
        self.run_id += 1;
        self.pending = Frame::new(self.run_id, self.sim.columns(), self.sim.model(), Status::Paused);
        self.sim.sample(&mut self.pending);
        self.anchor = (Instant::now(), self.sim.t_ms());
        self.rate_mark = (Instant::now(), self.sim.t_ms());
        self.status_changed = true;
    }

    /// Says why a command changed nothing, and pauses.
    fn refuse(&mut self, why: String) {
        (self.fault, self.running, self.status_changed) = (Some(why), false, true);
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Run => {
                self.running = true;
                self.steps_left = 0;
                self.fault = None;
                self.anchor = (Instant::now(), self.sim.t_ms());
                self.status_changed = true;
            }
            Command::Pause => {
                self.running = false;
                self.steps_left = 0;
                self.status_changed = true;
            }
            Command::Step(n) => {
                self.running = false;
                self.fault = None;
                self.steps_left = n;
                self.status_changed = true;
            }
            Command::Reset => self.restart(),
            Command::Load(preset) => {
                self.preset = *preset;
                self.restart();
            }
            Command::Edit(to) => {
                if !Simulation::live(&self.preset, &to) {
                    self.preset = *to;
                    self.restart();
                } else if let Err(e) = self.sim.edit(&self.preset, &to) {
                    self.refuse(format!("edit refused: {e}"));
                } else {
                    if (to.view.speed, to.run.dt_ms) != (self.preset.view.speed, self.preset.run.dt_ms) {
                        self.anchor = (Instant::now(), self.sim.t_ms());
                    }
                    self.preset = *to;
                }
            }
            Command::Record(neuron) => {
                // New columns from now on; the spikes the held frame has gathered stay.
                self.sim.set_record(neuron as usize);
                let columns = self.sim.columns();
                self.pending.traces = vec![Series::default(); columns.len()];
                self.pending.columns = columns;
                self.pending.input = Series::default();
                self.pending.model = self.sim.model();
                self.sim.sample(&mut self.pending);
                self.status_changed = true;
            }
            Command::Shutdown => {}
        }
    }
}
