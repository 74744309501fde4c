//! faultline's core: a compiled model, simulated run by run, folded into statistics.
//!
//! Data enters as a [`model::Model`] (built by a front end such as the RON scenario reader)
//! and leaves as [`montecarlo::Summary`] figures or, for one run, as the [`engine::Note`]s an
//! [`engine::Observer`] sees. In between:
//!
//! - [`engine`]: the discrete-event simulator of one run (faults, propagation along
//!   dependencies, incident response, job queues), with its random streams in [`rng`];
//! - [`montecarlo`]: many runs in parallel, cut into chunks merged in a fixed order so that
//!   results are byte-identical for any thread count;
//! - [`stats`]: streaming, mergeable moments and histograms;
//! - [`analysis`]: static questions about a model (single points of failure).
//!
//! This crate depends on no file format, chart, diagnostics or command-line crate; see
//! `docs/architecture.md` for where it sits.

pub mod analysis;
pub mod engine;
pub mod model;
pub mod montecarlo;
mod prefetch;
pub mod queue_series;
pub mod rare;
pub mod rng;
pub mod stats;

pub use engine::{propagation, queue, response};
