//! Integration tests: one binary, one module per area.

mod common;

mod cli;
mod alloc;
mod closed_form;
mod diagnostics;
mod fuzz;
mod response;
mod trace_snapshot;
