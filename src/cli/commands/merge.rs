//! `merge`: combine shard files into the study's summary, and for a sharded `compare` its
//! report, exactly as one unsharded run would have printed and written them.

use super::compare::CompareReport;
use crate::cli::args::{Files, Print};
use crate::cli::error::CliError;
use crate::shard;
use faultline_report::tables::Provenance;
use faultline_report::{json, tables};
use faultline_scenario::validate;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prints the merged summary (tables laid out as `print` and `all` say, or JSON); shards of `compare` also get
/// compare's report.
pub(crate) fn merge(
    out: &mut impl Write,
    shards: &[PathBuf],
    print: &Print,
    all: bool,
    files: &Files,
    quiet: bool,
) -> Result<(), CliError> {
    let shard::Merged {
        header: h,
        models,
        summaries,
        baseline_costs,
    } = shard::merge(shards).map_err(|e| CliError::Usage(e.to_string()))?;
    let j = json::summary_json_all(&models, &summaries, h.seed);
    let merged = Provenance::Merged {
        shards: shards.len(),
    };
    if print.json {
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else if h.command == "compare" {
        out.write_all(tables::render_compare(&j, merged, print.layout(all)).as_bytes())?;
    } else {
        out.write_all(tables::render(&models[0], &j, merged, print.layout(all)).as_bytes())?;
    }
    out.flush()?;
    if h.command == "compare" {
        // The shards carry the scenario's text, not its parse, so the assumptions come from
        // parsing it again; the text was valid when the shards were written, and were it
        // not now, the report would rather lack assumptions than not be written.
        let assumptions = validate::parse(&h.file, &h.text)
            .map(|s| s.assumptions)
            .unwrap_or_default();
        let risk = super::analyze::baseline_risk(&h.file, &h.text);
        let command = format!(
            "faultline compare {} --runs {} --seed {}",
            h.file, h.runs, h.seed
        );
        CompareReport {
            models: &models,
            summaries: &summaries,
            summary: &j,
            assumptions: &assumptions,
            risk: &risk,
            worth: None,
            command: &command,
            scenario_text: &h.text,
            file: Path::new(&h.file),
            baseline_costs: &baseline_costs,
            threads: super::threads(None),
        }
        .write(files, quiet)?;
    }
    Ok(())
}
