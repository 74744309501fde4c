//! faultline: a fault-to-failure propagation simulator.
//!
//! Data flows one way: scenario text ([`scenario`], [`validate`]) → compiled flat model
//! ([`model`]) → runs ([`engine`], [`propagation`]) → streaming statistics ([`stats`],
//! [`montecarlo`]) → reports ([`report`], [`trace`], [`graph`]) → pictures and documents
//! ([`charts`], [`html`], [`postmortem`], [`sweep`]), all written through [`output`].

pub mod analysis;
pub mod charts;
pub mod cli;
pub mod diagnostics;
pub mod duration;
pub mod engine;
pub mod r#gen;
pub mod graph;
pub mod html;
pub mod model;
pub mod montecarlo;
pub mod output;
pub mod postmortem;
pub mod progress;
pub mod propagation;
pub mod queue;
pub mod raster;
pub mod report;
pub mod response;
pub mod rng;
pub mod scenario;
pub mod shard;
pub mod span;
pub mod stats;
pub mod sweep;
pub mod timeline;
pub mod trace;
pub mod validate;

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod testing {
    /// A small deterministic generator for test inputs: `rand(n)` is in `0..n` (0 when
    /// `n` is 0). Xorshift, seeded; no crate state to keep in step with.
    pub(crate) fn xorshift(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        }
    }
}
