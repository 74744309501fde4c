//! `importance`: what each component is worth in money.

use super::threads;
use crate::cli::args::{Common, Effort, Print};
use crate::cli::error::CliError;
use crate::cli::load::{Loaded, adjust, load_all};
use crate::importance::{Report, measure};
use crate::progress::Progress;
use faultline_core::model::Model;
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
    let seed = common.seed.unwrap_or(base.seed);
    let runs = effort.runs.unwrap_or(base.runs);
    let study = Study::whole(seed, runs, threads(effort.threads));
    let report = worth(common, &loaded, study)?;
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

/// What each component and response parameter of the loaded scenario's baseline is worth,
/// on `study`'s runs: `importance`, and `compare --importance` on the study it compared.
pub(crate) fn worth(common: &Common, loaded: &Loaded, study: Study) -> Result<Report, CliError> {
    let sc = validate::parse(&common.scenario.to_string_lossy(), &loaded.text)?;
    let bar = Progress::runs(study.runs, "measuring worth", common.quiet);
    let adjust = |m: &mut Model| adjust(m, Some(common));
    let report = measure(&sc, &loaded.models, &adjust, study, &|n| bar.set(n));
    bar.finish();
    Ok(report)
}
