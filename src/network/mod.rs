//! Groups of neurons and their connections: the network a preset describes ([`spec`]), how
//! projections are connected ([`connect`], [`csr`]) and the network at run time ([`net`]).

pub mod connect;
pub mod csr;
pub mod net;
pub mod population;
pub mod spec;

pub use net::{Net, Stepping};
pub use population::{Fault, Population, Spike};
pub use spec::NetworkSpec;
