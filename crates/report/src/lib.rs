//! faultline's reports: what a study or a run looks like to the people reading it.
//!
//! Everything here reads the core's results ([`faultline_core::montecarlo::Summary`], the
//! [`faultline_core::engine::Note`]s of one run) and writes text, JSON, Markdown, HTML,
//! Graphviz or pictures; nothing here parses a scenario or decides a number.
//!
//! - [`json`]: the machine-readable summary (`--json`), the contract other tools read;
//! - [`tables`]: the terminal reports of `run` and `compare`;
//! - [`trace`] and [`timeline`]: one run, narrated and as lanes and milestones;
//! - [`postmortem`]: one run written up as a retrospective;
//! - [`sweep`]: a parameter's values and what each strategy made of them;
//! - [`charts`], [`html`], [`dot`]: pictures, the self-contained report, the graph;
//! - [`worth`]: what each component and response parameter is worth a year (`importance`);
//! - [`per_run`]: one CSV row per run and strategy (`--per-run`);
//! - [`output`]: every file written atomically.

pub mod charts;
pub mod dot;
pub mod explore;
pub mod html;
pub mod json;
pub mod output;
pub mod per_run;
pub mod postmortem;
pub mod series;
pub mod sweep;
pub mod tables;
pub mod timeline;
pub mod trace;
pub mod worth;

/// A report file that could not be produced: a chart that could not be drawn, or a file
/// that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing failed.
    #[error(transparent)]
    Output(#[from] output::OutputError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] charts::ChartError),
}
