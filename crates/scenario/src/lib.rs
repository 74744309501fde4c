//! faultline's scenario language: from RON text to a compiled [`faultline_core::model::Model`],
//! or every problem at once, located in the text.
//!
//! - [`schema`]: the file format, plain serde types mirroring the RON text;
//! - [`duration`]: durations with units as the file writes them;
//! - [`validate`]: parsing, checks and lowering into the core model, strategy by strategy;
//! - [`diagnostics`], [`span`] and [`snippet`]: problems located at `file:line:column` with
//!   a caret under a window of the line, made safe to print;
//! - [`edit`]: the text edited at a path, for `sweep`;
//! - `gen` (`faultline_scenario::r#gen`): generated estates of any size, as scenario text.
//!
//! See `docs/scenario-format.md` for the language and `docs/architecture.md` for where this
//! crate sits.

pub mod attack;
pub mod diagnostics;
pub mod duration;
pub mod edit;
pub mod r#gen;
pub mod import;
pub mod schema;
pub mod snippet;
pub mod span;
pub mod structure;
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
