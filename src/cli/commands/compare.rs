//! `compare`: run the baseline and every strategy on the same runs, rank them, and write
//! the report; [`CompareReport`] is that report, which `merge` writes too.

use super::shard_file::{no_per_run_in_shards, shard_of, write_shard};
use super::{announce, command_line, threads};
use super::{per_run, series};
use crate::cli::args::{Common, Effort, Files, Print, Sharding};
use crate::cli::error::CliError;
use crate::cli::load::load_all;
use crate::importance::Report;
use crate::progress::Progress;
use faultline_core::analysis;
use faultline_core::model::{Model, stable_hash};
use faultline_core::montecarlo::{RunRow, Study, Summary};
use faultline_report::explore::WATCH_AMONG;
use faultline_report::json::{self, SummaryJson};
use faultline_report::tables::Provenance;
use faultline_report::worth::render_text;
use faultline_report::{html, tables};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// What `compare` does besides ranking the strategies.
pub(crate) struct Extras<'a> {
    /// Write a CSV row per run and strategy here.
    pub(crate) per_run: Option<&'a Path>,
    /// Write the queues' time series here.
    pub(crate) series: Option<&'a Path>,
    /// Measure what each component and response parameter is worth (`--importance`).
    pub(crate) importance: bool,
}

/// Prints the ranking (tables laid out as `print` says, or JSON) and writes report.html and the charts,
/// or with a shard requested writes that shard's file instead; `extras` says what else.
pub(crate) fn compare(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    effort: &Effort,
    print: &Print,
    sharding: &Sharding,
    extras: Extras,
) -> Result<(), CliError> {
    let Extras {
        per_run,
        series,
        importance,
    } = extras;
    let &Effort { runs, threads: t } = effort;
    let loaded = load_all(&common.scenario, Some(common))?;
    let models = &loaded.models;
    let seed = common.seed.unwrap_or(models[0].seed);
    let runs = runs.unwrap_or(models[0].runs);
    if let Some(ix) = shard_of(sharding)? {
        no_per_run_in_shards(per_run)?;
        if importance {
            return Err(CliError::Usage(
                "--importance cannot be sharded: run `faultline importance` (or compare \
                 --importance) in one piece"
                    .into(),
            ));
        }
        series::refuse_in_shards(series)?;
        return write_shard(common, sharding, "compare", models, seed, runs, t, ix);
    }
    faultline_report::output::prepare_dir(&files.dir(&common.scenario, "compare"))?;
    series::check(series)?;
    let threads = threads(t);
    let started = Instant::now();
    let study = Study::whole(seed, runs, threads);
    let bar = Progress::runs(runs, "comparing", common.quiet);
    // The baseline's cost in each run the report's linked runs are chosen among (the rows
    // come in run order), so that choosing them simulates nothing again.
    let among = runs.min(WATCH_AMONG);
    let mut costs = Vec::with_capacity(usize::try_from(among).unwrap_or(0));
    let mut keep = |r: &RunRow| {
        if r.strategy == 0 && r.run < among {
            costs.push(r.cost);
        }
    };
    let summaries = per_run::simulate(models, study, &|n| bar.set(n), per_run, Some(&mut keep))?;
    bar.finish();
    let worth = importance
        .then(|| super::importance::worth(common, &loaded, study))
        .transpose()?;
    let elapsed = started.elapsed().as_secs_f64();
    let risk = super::analyze::baseline_risk(&common.scenario.to_string_lossy(), &loaded.text);
    let mut j = json::summary_json_all(models, &summaries, seed);
    series::write(series, &j, common.quiet)?;
    j.warnings = loaded.warnings.clone();
    if print.json {
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        if models.len() == 1 && !common.quiet {
            eprintln!(
                "note: {} declares no strategies; showing the baseline alone",
                common.scenario.display()
            );
        }
        out.write_all(
            tables::render_compare(
                &j,
                Provenance::Simulated {
                    elapsed_s: elapsed,
                    threads,
                },
                print.layout(false),
            )
            .as_bytes(),
        )?;
        out.write_all(super::analyze::risk_text(&risk, print.layout(false)).as_bytes())?;
        if let Some(w) = &worth {
            out.write_all(b"\nWhere to invest\n")?;
            out.write_all(render_text(w, 10, print.layout(false)).as_bytes())?;
        }
    }
    out.flush()?;
    let command = command_line(&[("--runs", runs.to_string()), ("--seed", seed.to_string())]);
    CompareReport {
        models,
        summaries: &summaries,
        summary: &j,
        assumptions: &loaded.assumptions,
        risk: &risk,
        worth: worth.as_ref(),
        command: &command,
        scenario_text: &loaded.text,
        file: &common.scenario,
        baseline_costs: &costs,
        threads,
    }
    .write(files, common.quiet)
}

/// A compared study, ready for its report (report.html and the charts). `compare` and
/// `merge` both write it through [`CompareReport::write`], so a study merged from shards
/// gets byte for byte the report of the same study run in one piece.
pub(crate) struct CompareReport<'a> {
    /// The baseline, then every strategy.
    pub(crate) models: &'a [Model],
    /// Each model's summary, in the same order.
    pub(crate) summaries: &'a [Summary],
    /// The summaries as the tables and `--json` show them.
    pub(crate) summary: &'a SummaryJson,
    /// The scenario's stated assumptions.
    pub(crate) assumptions: &'a [String],
    /// Where the baseline's risk is, from the scenario's text
    /// ([`super::analyze::baseline_risk`]); empty without a static structure.
    pub(crate) risk: &'a [html::RiskSection],
    /// What each component and response parameter is worth (`--importance`).
    pub(crate) worth: Option<&'a Report>,
    /// The command line that reproduces the study.
    pub(crate) command: &'a str,
    /// The scenario file's text, whose hash the report shows.
    pub(crate) scenario_text: &'a str,
    /// The scenario file's path, which names the default output folder.
    pub(crate) file: &'a Path,
    /// The baseline's cost in each of its first runs (at most [`WATCH_AMONG`]; entry `k` is
    /// run `k`), kept by the study (`compare`) or carried by the shards (`merge`), so that
    /// choosing the runs the report links to simulates nothing.
    pub(crate) baseline_costs: &'a [f64],
    /// Threads for what the report still simulates (the linked runs, traced).
    pub(crate) threads: usize,
}

impl CompareReport<'_> {
    /// Writes the report into `--out` (or the scenario's default directory) and lists the
    /// files written unless `quiet`.
    pub(crate) fn write(&self, files: &Files, quiet: bool) -> Result<(), CliError> {
        let baseline = &self.models[0];
        let spofs = analysis::spofs(baseline);
        let inputs = html::Inputs {
            model: baseline,
            assumptions: self.assumptions,
            summary: self.summary,
            spofs: &spofs,
            risk: self.risk,
            worth: self.worth,
            charts: &[],
            command: self.command,
            scenario_hash: stable_hash(&[self.scenario_text]),
            watch: &[],
        };
        let dir = files.dir(self.file, "compare");
        let study = (self.summary.seed, self.summary.runs);
        let (watch, mut pages) = super::explore::watch_pages(
            self.models,
            self.file,
            study,
            self.baseline_costs,
            (&dir, self.threads),
        )?;
        let inputs = html::Inputs {
            watch: &watch,
            ..inputs
        };
        let mut written = html::write_compare(&dir, self.summaries, &inputs)?;
        written.append(&mut pages);
        announce(&written, quiet);
        Ok(())
    }
}
