//! `compare`: run the baseline and every strategy on the same runs, rank them, and write
//! the report.

use super::shard_file::{shard_of, write_shard};
use super::{announce, command_line, threads};
use crate::cli::args::{Common, Effort, Files, Sharding};
use crate::cli::error::CliError;
use crate::cli::load::load_all;
use crate::progress::Progress;
use faultline_core::analysis;
use faultline_core::model::stable_hash;
use faultline_core::montecarlo::{self, Study};
use faultline_report::json;
use faultline_report::{html, tables};
use std::io::Write;
use std::time::Instant;

/// Prints the ranking (tables, or JSON with `json`) and writes report.html and the charts,
/// or with a shard requested writes that shard's file instead.
pub(crate) fn compare(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    effort: &Effort,
    json: bool,
    sharding: &Sharding,
) -> Result<(), CliError> {
    let &Effort { runs, threads: t } = effort;
    if common.strategy.is_some() {
        return Err(CliError::Usage(
            "compare runs every strategy; --strategy is for run and trace".into(),
        ));
    }
    let loaded = load_all(&common.scenario, Some(common))?;
    let models = &loaded.models;
    let seed = common.seed.unwrap_or(models[0].seed);
    let runs = runs.unwrap_or(models[0].runs);
    if let Some(ix) = shard_of(sharding)? {
        return write_shard(common, sharding, "compare", models, seed, runs, t, ix);
    }
    let threads = threads(t);
    let started = Instant::now();
    let study = Study::whole(seed, runs, threads);
    let bar = Progress::runs(runs, "comparing", common.quiet);
    let summaries = montecarlo::run_all(models, study, &|n| bar.set(n));
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let j = json::summary_json_all(models, &summaries, seed);
    if json {
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        if models.len() == 1 && !common.quiet {
            eprintln!(
                "note: {} declares no strategies; showing the baseline alone",
                common.scenario.display()
            );
        }
        out.write_all(tables::render_compare(&j, elapsed, threads).as_bytes())?;
    }
    out.flush()?;
    let command = command_line(&[("--runs", runs.to_string()), ("--seed", seed.to_string())]);
    let spofs = analysis::spofs(&models[0]);
    let inputs = html::Inputs {
        model: &models[0],
        assumptions: &loaded.assumptions,
        summary: &j,
        spofs: &spofs,
        charts: &[],
        command: &command,
        scenario_hash: stable_hash(&[&loaded.text]),
    };
    let written = html::write_compare(&files.dir(&models[0].name), &summaries, &inputs)?;
    announce(&written, common.quiet);
    Ok(())
}
