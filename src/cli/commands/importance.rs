//! `importance`: what each component is worth in money.

use super::threads;
use crate::cli::args::{Common, Effort, Print};
use crate::cli::error::CliError;
use crate::cli::load::{adjust, load_all};
use crate::importance::measure;
use crate::progress::Progress;
use faultline_core::montecarlo::Study;
use faultline_report::worth::render_text;
use faultline_scenario::validate;
use std::io::Write;

/// Measures every component and prints the ranking (a table, or JSON).
pub(crate) fn importance(
    out: &mut impl Write,
    common: &Common,
    top: usize,
    effort: &Effort,
    print: &Print,
) -> Result<(), CliError> {
    let loaded = load_all(&common.scenario, Some(common))?;
    let base = &loaded.models[0];
    let models = &loaded.models;
    let sc = validate::parse(&common.scenario.to_string_lossy(), &loaded.text)?;
    let seed = common.seed.unwrap_or(base.seed);
    let runs = effort.runs.unwrap_or(base.runs);
    let study = Study::whole(seed, runs, threads(effort.threads));
    let bar = Progress::runs(runs, "measuring", common.quiet);
    let report = measure(&sc, models, &|m| adjust(m, Some(common)), study, &|n| {
        bar.set(n)
    });
    bar.finish();
    if print.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        out.write_all(render_text(&report, top, print.layout(false)).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}
