//! Dynamic fault trees (DFTs) in the Galileo format, solved exactly on their
//! continuous-time Markov chain (CTMC).
//!
//! [`parse`] reads the text into a checked [`Dft`]; [`analyze`] builds the CTMC and gives
//! the probability that the top event has failed by a time (uniformization, truncation
//! error below 1e-15) and the mean time to failure (the chain is acyclic, so the linear
//! system is triangular and solved exactly by substitution).
//!
//! ```
//! let dft = faultline_dft::parse(
//!     "toplevel \"S\";\n\"S\" and \"A\" \"B\";\n\"A\" lambda=1;\n\"B\" lambda=2;",
//! )
//! .unwrap();
//! let exact = faultline_dft::analyze(&dft, 1.0, 1_000_000).unwrap();
//! let want = (1.0 - (-1.0f64).exp()) * (1.0 - (-2.0f64).exp());
//! assert!((exact.unreliability - want).abs() < 1e-12);
//! assert!((exact.mttf - (1.0 + 0.5 - 1.0 / 3.0)).abs() < 1e-12);
//! ```
//!
//! # Semantics
//!
//! Storm's, as described by Volk, Junges and Katoen, "Fast dynamic fault tree analysis by
//! model checking techniques" (IEEE TII 2018), and in Storm's DFT documentation
//! (<https://www.stormchecker.org/documentation/usage/dft.html>), checked against stormpy
//! 2.0 on its shipped examples (`scripts/dft-crosscheck`):
//!
//! - A basic event fails after an exponential time: rate `lambda` while active,
//!   `lambda * dorm` while dormant (`dorm` is 1 if absent, as in Storm).
//! - One basic event fails at a time; each gate is then evaluated once, inputs first, so
//!   failures caused by the same event are simultaneous.
//! - `pand` is inclusive (Storm's default; also `pand-incl`, `pand<=`): inputs failing at
//!   the same time count as in order. A PAND becomes failsafe (can never fail) as soon as
//!   an input fails while one before it has not. `por` (`por-incl`, `por<=`) fails if its
//!   first input fails before or with every other one, and is failsafe if another fails
//!   first. Exclusive gates (`pand-excl`, `pand<`, `por-excl`, `por<`) are refused:
//!   Storm 2.0 reads them but answers as for inclusive ones (checked with stormpy), so
//!   there is no reference for their documented semantics.
//! - Spare gates (`wsp`, `csp`, `hsp`, `spare` are the same gate; the dormancy is the
//!   basic events'): each uses its first input; when the input in use fails it claims the
//!   next input, in order, that has not failed and that no spare gate has claimed, and
//!   fails when there is none. Spare gates needing the same spare at the same instant
//!   claim it inputs-first, then in file order. An element is active if it lies in no
//!   spare gate's input's subtree (Storm activates such shared modules from the start), or
//!   if an active gate reaches it: every input of other gates, the claimed inputs of
//!   spare gates. Activation is never taken back.
//! - `fdep`: when the trigger fails, the dependents (basic events) fail at the same
//!   instant. `pdep=P`: with probability P all dependents fail, else none (Storm turns a
//!   PDEP with several dependents into one draw followed by an FDEP). A dependency named
//!   as an input of an AND, OR or voting gate is ignored there, as Storm does.
//! - Storm fails the dependents of a trigger one by one in a nondeterministic order (its
//!   model is then a Markov automaton with minimal and maximal answers). Here, when the
//!   tree has priority or spare gates, every order is tried: if they lead to different
//!   states, [`analyze`] refuses with [`Error::OrderDependent`] rather than pick one.
//!   Without such gates the order cannot matter and one is taken. Different states count
//!   as different outcomes even where they would give the same answers (a refusal where
//!   Storm's minimum and maximum might agree), and the search is bounded
//!   ([`Error::TooManySimultaneous`], about 15 failures forced at one instant).
//! - `seq`: its members (basic events) can only fail in the order written; `mutex`: at
//!   most one member fails. A restriction never fails and cannot be the top or an input.
//!
//! The chain has one state per reachable combination of failed elements, failsafe
//! priority gates and spare claims, with every state where the top has failed merged into
//! one; Storm reduces further (don't-care propagation), so its state counts are smaller.
//!
//! Refused, each with a located error naming the construct: parameters and symbolic
//! rates, `prob=`, `repair=`, non-exponential distributions, coverage and restoration
//! attributes, inspections, exclusive priority gates, gates or dependencies as members
//! of restrictions or as dependents, dependents that are also restricted, and two spare
//! gates sharing their primary.

mod explore;
mod galileo;
mod model;
mod solve;
mod state;
mod static_tree;

pub use galileo::{Location, ParseError, parse};
pub use model::{Dft, Element, Gate, Kind, Restriction};

/// A problem while building or solving the chain.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The chain has more states than allowed.
    #[error("the Markov chain has more than {limit} states")]
    TooManyStates {
        /// The limit given to [`analyze`].
        limit: usize,
    },
    /// The order of simultaneous forced failures changes the outcome.
    #[error(
        "the order of the simultaneous failures forced by {forced_by} ({failures}) changes the outcome; \
         Storm treats this as nondeterminism (a Markov automaton with minimal and maximal answers), which is not supported"
    )]
    OrderDependent {
        /// The dependencies concerned, quoted: `'F'` or `'F' and 'G'`.
        forced_by: String,
        /// The two failures (or probabilistic draws) whose order matters.
        failures: String,
    },
    /// Too many failures forced at one instant to check that their order does not matter.
    #[error("too many failures forced at one instant to check that their order does not matter")]
    TooManySimultaneous,
    /// Uniformization would take too many steps (the largest exit rate times the time).
    #[error(
        "uniformization would take about {steps:.3e} steps (the largest exit rate times the time); at most 1e8 are taken"
    )]
    TooManySteps {
        /// The largest exit rate times the time.
        steps: f64,
    },
    /// The time bound is negative or not a number.
    #[error("the time bound must be a finite number >= 0, not {0}")]
    BadTime(f64),
}

/// Exact answers for one tree.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Exact {
    /// States of the chain (the top-failed states count as one).
    pub states: usize,
    /// Transitions of the chain.
    pub transitions: usize,
    /// The probability that the top event has failed by the time asked.
    pub unreliability: f64,
    /// The mean time to failure of the top event; infinite if it may never fail.
    pub mttf: f64,
}

/// Builds the CTMC of `dft` (at most `limit` states) and solves it at `time`.
pub fn analyze(dft: &Dft, time: f64, limit: usize) -> Result<Exact, Error> {
    if !(time.is_finite() && time >= 0.0) {
        return Err(Error::BadTime(time));
    }
    let layout = state::Layout::new(dft);
    let chain = explore::explore(dft, &layout, limit)?;
    Ok(Exact {
        states: chain.states.len(),
        transitions: chain.rows.iter().map(Vec::len).sum(),
        unreliability: solve::unreliability(&chain, time)?,
        mttf: solve::mttf(&chain),
    })
}

#[cfg(test)]
mod tests;
