//! faultline: a fault-to-failure propagation simulator.
//!
//! The work is done by the crates under `crates/`, one per layer of the data flow
//! (`docs/architecture.md` draws it):
//!
//! ```text
//! scenario text ─▶ faultline-scenario ─▶ Model ─▶ faultline-core ─▶ Summary / Notes ─▶ faultline-report
//!                  (schema, checks,               (engine, Monte        (JSON, tables, traces,
//!                   lowering)                      Carlo, statistics)    charts, HTML)
//! ```
//!
//! This crate is the command line on top ([`cli`]) with what only a command needs: shard
//! files ([`shard`]), sweeps ([`sweep`]) and progress bars ([`progress`]). It re-exports
//! the layers' modules under their old names, so tests, benches and scripts keep one path
//! to each (`faultline::engine::Sim`, `faultline::validate::load_str`, ...).

pub mod attack;
pub mod cache;
pub mod cli;
pub mod importance;
pub mod progress;
pub mod shard;
pub mod sweep;

pub use faultline_core::{
    analysis, engine, model, montecarlo, propagation, queue, queue_series, rare, response, rng,
    stats,
};
pub use faultline_report::{
    charts, dot, html, json, output, postmortem, series, tables, timeline, trace,
};
pub use faultline_scenario::schema as scenario;
pub use faultline_scenario::{diagnostics, edit, r#gen, span, validate};
pub use faultline_units as units;
