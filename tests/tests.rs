//! Integration tests: one binary, one module per area.

mod common;

mod alloc;
mod architecture;
mod attack;
mod burn;
mod cache;
mod charts;
mod cli;
mod closed_form;
mod diagnostics;
mod docs;
mod explore;
mod fault_trees;
mod fuzz;
mod hardening;
mod importance;
mod labs;
mod latent;
mod lessons;
mod machine;
mod objectives;
mod people;
mod phases;
mod queues;
mod rare;
mod requests;
mod response;
mod semantics;
mod series;
mod shards;
mod trace_snapshot;
mod warnings;
