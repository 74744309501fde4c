//! Integration tests: one binary, one module per area.

mod common;

mod closed_form;
mod cli;
mod diagnostics;
mod fuzz;
mod trace_snapshot;
