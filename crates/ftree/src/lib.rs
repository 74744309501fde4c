//! faultline's fault trees: the Boolean view of a system, and the exact answers it gives.
//!
//! A [`FaultTree`] comes from an Open-PSA MEF file ([`mef`]) or from a faultline scenario's
//! static structure (built by the scenario crate). [`analyze`] answers what a reliability
//! engineer asks of it: the exact top-event probability (a binary decision diagram from
//! biodivine-lib-bdd, [`bdd`]), the minimal cut sets ([`cutsets`]), the rare-event and
//! min-cut-upper-bound approximations, and importance measures per basic event
//! ([`importance`]).

pub mod analysis;
pub mod bdd;
pub mod cutsets;
pub mod importance;
pub mod markov;
pub mod mef;
pub mod tree;

pub use analysis::{Analysis, Settings, analyze, probability};
pub use tree::{Event, FaultTree, Gate, Law, Node, Op};

#[cfg(test)]
mod tests;
