//! `merge`: combine shard files into the study's summary, and for a sharded `compare` its
//! report, exactly as one unsharded run would have printed and written them.

use super::announce;
use crate::cli::args::Files;
use crate::cli::error::CliError;
use crate::shard;
use faultline_core::analysis;
use faultline_core::model::stable_hash;
use faultline_report::{html, json, tables};
use faultline_scenario::validate;
use std::io::Write;
use std::path::PathBuf;

/// Prints the merged summary (tables, or JSON with `json`); shards of `compare` also get
/// compare's report.
pub(crate) fn merge(
    out: &mut impl Write,
    shards: &[PathBuf],
    json: bool,
    files: &Files,
    quiet: bool,
) -> Result<(), CliError> {
    let (h, models, summaries) =
        shard::merge(shards).map_err(|e| CliError::Usage(e.to_string()))?;
    let j = json::summary_json_all(&models, &summaries, h.seed);
    if json {
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else if h.command == "compare" {
        out.write_all(tables::render_compare(&j, 0.0, 0).as_bytes())?;
    } else {
        out.write_all(tables::render(&models[0], &j, 0.0, 0).as_bytes())?;
    }
    out.flush()?;
    if h.command == "compare" {
        // The same charts and report as the unsharded compare, from the same numbers.
        let assumptions = validate::parse(&h.file, &h.text)
            .map(|s| s.assumptions)
            .unwrap_or_default();
        let command = format!(
            "faultline compare {} --runs {} --seed {}",
            h.file, h.runs, h.seed
        );
        let spofs = analysis::spofs(&models[0]);
        let inputs = html::Inputs {
            model: &models[0],
            assumptions: &assumptions,
            summary: &j,
            spofs: &spofs,
            charts: &[],
            command: &command,
            scenario_hash: stable_hash(&[&h.text]),
        };
        let written = html::write_compare(&files.dir(&models[0].name), &summaries, &inputs)?;
        announce(&written, quiet);
    }
    Ok(())
}
