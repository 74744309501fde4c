//! `sweep`: rerun the scenario across values of one parameter and chart a metric per
//! strategy.

use super::{announce, threads};
use crate::cli::args::{Common, Effort, Files, Print};
use crate::cli::error::CliError;
use crate::cli::load::{adjust, read};
use crate::progress::Progress;
use crate::sweep;
use faultline_core::montecarlo::Study;
use faultline_report::output;
use faultline_report::sweep::Metric;
use faultline_report::{ReportError, charts};
use faultline_scenario::edit::{self, Setting};
use std::io::Write;

/// Prints the sweep (a table laid out as `print` says, or JSON) and writes its chart,
/// sweep.json and sweep.csv.
pub(crate) fn sweep(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    set: &Setting,
    metric: Metric,
    effort: &Effort,
    print: &Print,
) -> Result<(), CliError> {
    let &Effort { runs, threads: t } = effort;
    let text = read(&common.scenario)?;
    let file = common.scenario.to_string_lossy();
    let per_value = edit::load_all(&file, &text, set, &|m| adjust(m, Some(common)))?;
    let first = &per_value[0][0];
    let seed = common.seed.unwrap_or(first.seed);
    let runs = runs.unwrap_or(first.runs);
    let dir = files.dir(
        &common.scenario,
        &format!("sweep-{}-{}", set.path_text, metric.key()),
    );
    output::prepare_dir(&dir)?;
    let study = Study::whole(seed, runs, threads(t));
    let total = runs * set.values.len() as u64;
    let bar = Progress::runs(
        total,
        &format!("{} = {}", set.path_text, set.values[0]),
        common.quiet,
    );
    let label = |n: u64| {
        let k = ((n / runs) as usize).min(set.values.len() - 1);
        bar.label(&format!("{} = {}", set.path_text, set.values[k]));
        bar.set(n);
    };
    let sw = sweep::run(set, &per_value, metric, study, &label);
    bar.finish();
    let j = serde_json::to_string_pretty(&sw).map_err(|e| CliError::Other(e.to_string()))?;
    if print.json {
        writeln!(out, "{j}")?;
    } else {
        out.write_all(sw.render(print.layout(false)).as_bytes())?;
    }
    out.flush()?;
    let mut written = charts::sweep(&sw).map_err(ReportError::from)?.write(&dir)?;
    written.push(output::save(
        &dir.join("sweep.json"),
        format!("{j}\n").as_bytes(),
    )?);
    let csv = sw.csv().map_err(|e| CliError::Other(e.to_string()))?;
    written.push(output::save(&dir.join("sweep.csv"), &csv)?);
    announce(&written, common.quiet);
    Ok(())
}
