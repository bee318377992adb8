//! Groups of neurons. A population holds one model and its state as struct-of-arrays.

pub mod csr;
pub mod population;

pub use population::{Fault, Population, Spike};
