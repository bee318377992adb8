//! The simulation engine: a pure, synchronous core ([`Simulation`]) and the thread shell that
//! streams [`Frame`]s to a UI ([`EngineHandle`]).

pub mod frame;
pub mod simulation;
pub mod thread;

pub use frame::{Frame, Series};
pub use simulation::{Observer, Simulation, SpikeCounts};
pub use thread::{Command, EngineHandle};
