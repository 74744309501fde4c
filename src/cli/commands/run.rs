//! `run`: simulate many runs of one model (the baseline or `--strategy`) and summarise
//! them.

use super::shard_file::{no_per_run_in_shards, shard_of, write_shard};
use super::threads;
use super::{per_run, series};
use crate::cli::args::{Common, Effort, Print, Rare, Sharding};
use crate::cli::error::CliError;
use crate::cli::load::load_timed;
use crate::progress::Progress;
use faultline_core::montecarlo::Study;
use faultline_report::tables::Provenance;
use faultline_report::{json, tables};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Prints the study's summary (tables laid out as `print` and `all` say, or JSON), or with
/// a shard requested writes that shard's file instead; `stats` adds timings and engine
/// figures on stderr; `per_run` also writes a CSV row per run there, `series` the queues'
/// time series.
pub(crate) fn run(
    out: &mut impl Write,
    common: &Common,
    effort: &Effort,
    (print, all, stats, exact): (&Print, bool, bool, bool),
    (rare, sharding): (&Rare, &Sharding),
    (per_run, series): (Option<&Path>, Option<&Path>),
) -> Result<(), CliError> {
    let &Effort { runs, threads: t } = effort;
    let (m, loading, warnings) = load_timed(&common.scenario, Some(common))?;
    let seed = common.seed.unwrap_or(m.seed);
    if rare.rare {
        let runs = runs.unwrap_or(super::rare::HISTORIES);
        if shard_of(sharding)?.is_some() {
            return Err(CliError::Usage(
                "--rare runs in one process: it cannot be sharded".into(),
            ));
        }
        let how = (print.json, exact, print.layout(all));
        return super::rare::run(out, common, &m, (runs, threads(t)), rare, how);
    }
    let runs = runs.unwrap_or(m.runs);
    if let Some(ix) = shard_of(sharding)? {
        no_per_run_in_shards(per_run)?;
        series::refuse_in_shards(series)?;
        return write_shard(
            common,
            sharding,
            "run",
            std::slice::from_ref(&m),
            seed,
            runs,
            t,
            ix,
        );
    }
    series::check(series)?;
    let threads = threads(t);
    let started = Instant::now();
    let study = Study::whole(seed, runs, threads);
    let bar = Progress::runs(runs, "simulating", common.quiet);
    let models = std::slice::from_ref(&m);
    let summary = per_run::simulate(models, study, &|n| bar.set(n), per_run, None)?.swap_remove(0);
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let mut j = json::summary_json(&m, &summary, seed);
    series::write(series, &j, common.quiet)?;
    j.warnings = warnings;
    let exact =
        exact.then(|| super::exact::compare(&common.scenario, common.strategy.as_deref(), &j));
    if print.json {
        let text = match exact {
            Some(x) => super::exact::with_json(&j, &x)?,
            None => serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?,
        };
        writeln!(out, "{text}")?;
    } else {
        out.write_all(
            tables::render(
                &m,
                &j,
                Provenance::Simulated {
                    elapsed_s: elapsed,
                    threads,
                },
                print.layout(all),
            )
            .as_bytes(),
        )?;
        if let Some(x) = exact {
            out.write_all(super::exact::render(&x, print.layout(all)).as_bytes())?;
        }
    }
    if stats {
        eprintln!("stats: {loading}");
        eprintln!(
            "stats: {} runs, {} events in {:.3}s ({:.0} events/s, {:.0} runs/s), {:.1} component evaluations per event, peak pending events {}, peak memory {}",
            summary.runs,
            summary.events,
            elapsed,
            summary.events as f64 / elapsed,
            summary.runs as f64 / elapsed,
            summary.evaluations as f64 / summary.events.max(1) as f64,
            summary.peak_pending,
            peak_memory().map_or("n/a".to_string(), |kib| format!("{} KiB", kib))
        );
    }
    if summary.unsettled_runs > 0 && !common.quiet {
        eprintln!(
            "warning: in {} run(s) propagation did not settle (an unstable loop of Load and Requires edges)",
            summary.unsettled_runs
        );
    }
    Ok(())
}

/// Peak resident memory of this process in KiB (Linux: VmHWM), if the OS tells.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
