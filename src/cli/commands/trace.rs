//! `trace`: narrate one run, then write its postmortem and timeline.

use super::{announce, command_line};
use crate::cli::args::{Common, Files};
use crate::cli::error::CliError;
use crate::cli::load::{load_all, strategy_index};
use faultline_report::postmortem;
use std::io::Write;

/// Prints run `run` of the study event by event (as JSON with `json`), then writes
/// postmortem.md and the timeline (the postmortem compares the run against every strategy,
/// hence every model).
pub(crate) fn trace(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    run: u64,
    json: bool,
) -> Result<(), CliError> {
    let models = load_all(&common.scenario, Some(common))?.models;
    let k = strategy_index(&common.scenario, &models, Some(common))?;
    let m = &models[k];
    let seed = common.seed.unwrap_or(m.seed);
    let what = match &common.strategy {
        Some(name) => format!("trace-run{run}-{name}"),
        None => format!("trace-run{run}"),
    };
    let dir = files.dir(&common.scenario, &what);
    faultline_report::output::prepare_dir(&dir)?;
    let t = faultline_report::trace::record(m, seed, run);
    if json {
        let doc =
            serde_json::to_string_pretty(&t.json(m)).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{doc}")?;
    } else {
        out.write_all(t.render(m).as_bytes())?;
    }
    out.flush()?;
    let command = command_line(&[("--run", run.to_string()), ("--seed", seed.to_string())]);
    let written = postmortem::write_trace(&dir, &models, k, seed, &t, &command)?;
    announce(&written, common.quiet);
    Ok(())
}
