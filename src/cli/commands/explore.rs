//! `explore`: write one run as a page to watch in the browser (`faultline_report::explore`),
//! under the baseline and the strategies asked for, and print its path.

use super::{command_line, threads};
use crate::cli::args::{Common, Files};
use crate::cli::error::CliError;
use crate::cli::load::load_all;
use crate::progress::Progress;
use faultline_core::model::Model;
use faultline_core::montecarlo::{self, Study};
use faultline_report::explore::{self, Meta, WATCH_AMONG};
use faultline_report::{html, output, trace};
use faultline_units::number::thousands;
use rayon::prelude::*;
use std::io::Write;

/// Which run the page shows.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which {
    /// This run.
    Run(u64),
    /// The baseline's most expensive of this many runs (the scenario's `runs` if `None`).
    Worst(Option<u64>),
    /// The baseline's median run by cost.
    Median(Option<u64>),
}

impl Which {
    /// From the flags: `--run K`, `--worst`, `--median` (clap keeps them apart), `--runs`.
    pub(crate) fn of(run: Option<u64>, worst: bool, median: bool, runs: Option<u64>) -> Which {
        if worst {
            Which::Worst(runs)
        } else if median {
            Which::Median(runs)
        } else {
            Which::Run(run.unwrap_or(0))
        }
    }
}

/// Writes the page for `which` with the baseline and `strategies` (`all`: every one) and
/// prints its path on stdout.
pub(crate) fn explore(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    which: Which,
    strategies: &[String],
) -> Result<(), CliError> {
    let models = load_all(&common.scenario, Some(common))?.models;
    let shown = scenes_of(&common.scenario, &models, strategies)?;
    let base = &models[0];
    let seed = common.seed.unwrap_or(base.seed);
    let (run, chosen) = choose(base, seed, which, common.quiet);
    let runs: Vec<(&Model, u64)> = shown.iter().map(|&k| (&models[k], run)).collect();
    let scenes = scenes(&runs, seed, threads(None));
    let command = command_line(&[("--seed", seed.to_string())]);
    let meta = Meta {
        scenario: &base.name,
        seed,
        run,
        chosen,
        horizon: base.horizon,
        command,
    };
    let dir = files.dir(&common.scenario, "explore");
    output::prepare_dir(&dir)?;
    let page = explore::page(&meta, &scenes);
    let path = output::save(&dir.join(format!("run{run}.html")), page.as_bytes())?;
    writeln!(out, "{}", path.display())?;
    Ok(())
}

/// The models to show, by index: the baseline, then each strategy named (in the order
/// given, once each; `all` for every strategy).
fn scenes_of(
    scenario: &std::path::Path,
    models: &[Model],
    names: &[String],
) -> Result<Vec<usize>, CliError> {
    let mut shown = vec![0];
    for name in names {
        let found: Vec<usize> = if name == "all" {
            (1..models.len()).collect()
        } else {
            let k = (models.iter().position(|m| &m.strategy == name)).ok_or_else(|| {
                let names: Vec<&str> = models.iter().map(|m| m.strategy.as_str()).collect();
                CliError::Usage(format!(
                    "{}: no strategy named `{name}`; it has: {} (or `all`)",
                    scenario.display(),
                    names.join(", ")
                ))
            })?;
            vec![k]
        };
        for k in found {
            if !shown.contains(&k) {
                shown.push(k);
            }
        }
    }
    Ok(shown)
}

/// The run to show, and how it was chosen (for the page's header).
fn choose(m: &Model, seed: u64, which: Which, quiet: bool) -> (u64, String) {
    let (runs, worst) = match which {
        Which::Run(k) => return (k, format!("Run {k}, chosen by its number.")),
        Which::Worst(n) => (n.unwrap_or(m.runs), true),
        Which::Median(n) => (n.unwrap_or(m.runs), false),
    };
    let [(w, wc), (md, mc)] = worst_and_median(m, seed, runs, quiet);
    let of = thousands(runs as f64);
    if worst {
        let why = format!(
            "the baseline's most expensive of {of} runs (${})",
            thousands(wc)
        );
        (w, format!("Run {w}: {why}."))
    } else {
        let why = format!(
            "the baseline's median of {of} runs by cost (${})",
            thousands(mc)
        );
        (md, format!("Run {md}: {why}."))
    }
}

/// The baseline's most expensive run of runs `0..runs` (ties: the first) and its median
/// run by cost (ties by run number), each with its cost.
fn worst_and_median(m: &Model, seed: u64, runs: u64, quiet: bool) -> [(u64, f64); 2] {
    let bar = Progress::runs(runs, "choosing a run", quiet);
    let mut costs = Vec::with_capacity(usize::try_from(runs).unwrap_or(0));
    let study = Study::whole(seed, runs, threads(None));
    // The rows come in run order: cost `k` is run `k`'s.
    montecarlo::run_all_rows(std::slice::from_ref(m), study, &|n| bar.set(n), &mut |r| {
        costs.push(r.cost);
    });
    bar.finish();
    worst_and_median_of(&costs)
}

/// The most expensive of runs `0..costs.len()` by cost (ties: the first) and the median run
/// by cost (ties by run number), each with its cost; `costs[k]` is run `k`'s.
fn worst_and_median_of(costs: &[f64]) -> [(u64, f64); 2] {
    let mut costs: Vec<(f64, u64)> = costs.iter().copied().zip(0..).collect();
    costs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let top = costs.last().map_or(0.0, |c| c.0);
    let worst = costs
        .iter()
        .find(|c| c.0 == top)
        .copied()
        .unwrap_or((0.0, 0));
    let median = costs[(costs.len() - 1) / 2];
    [(worst.1, worst.0), (median.1, median.0)]
}

/// The explorer pages of the baseline's worst and median runs (among its first
/// [`WATCH_AMONG`] runs, whose `costs` the study kept: `costs[k]` is run `k`'s), every
/// strategy a tab, written into `dir` beside a compare report: their links for the report,
/// and the files written. The two runs are traced on `threads` threads. `scenario` names
/// the file in the pages' command line, which is built, not copied from this process, so
/// that `compare` and `merge` write the same bytes.
pub(crate) fn watch_pages(
    models: &[Model],
    scenario: &std::path::Path,
    (seed, runs): (u64, u64),
    costs: &[f64],
    (dir, threads): (&std::path::Path, usize),
) -> Result<(Vec<html::Watch>, Vec<std::path::PathBuf>), CliError> {
    let base = &models[0];
    let among = runs.min(WATCH_AMONG);
    if costs.len() as u64 != among {
        return Err(CliError::Other(format!(
            "the study kept {} of the baseline's first {among} runs' costs",
            costs.len()
        )));
    }
    let [worst, median] = worst_and_median_of(costs);
    let of = thousands(among as f64);
    // Both pages' runs under every model, traced side by side.
    let runs: Vec<(&Model, u64)> = [worst.0, median.0]
        .iter()
        .flat_map(|&run| models.iter().map(move |m| (m, run)))
        .collect();
    let mut traced = scenes(&runs, seed, threads).into_iter();
    let mut watch = vec![];
    let mut files = vec![];
    for ((run, cost), what, file) in [
        (worst, "The worst run", "explore-worst.html"),
        (median, "The median run", "explore-median.html"),
    ] {
        let scenes: Vec<explore::Scene> = traced.by_ref().take(models.len()).collect();
        let meta = Meta {
            scenario: &base.name,
            seed,
            run,
            chosen: format!(
                "Run {run}: {} of the baseline by cost, of its first {of} runs (${}).",
                what.to_lowercase(),
                thousands(cost)
            ),
            horizon: base.horizon,
            command: format!(
                "faultline explore {} --run {run} --strategy all --seed {seed}",
                scenario.display()
            ),
        };
        files.push(output::save(
            &dir.join(file),
            explore::page(&meta, &scenes).as_bytes(),
        )?);
        watch.push(html::Watch {
            label: format!(
                "{what} of the baseline by cost (of the first {of}): run {run}, ${}",
                thousands(cost)
            ),
            file: file.to_string(),
        });
    }
    Ok((watch, files))
}

/// The scenes of `runs` (a model and a run index each, of the study seeded `seed`), in that
/// order, traced on up to `threads` threads: each trace is its own simulation, so the
/// scenes are the same whatever the thread count.
fn scenes(runs: &[(&Model, u64)], seed: u64, threads: usize) -> Vec<explore::Scene> {
    let scene = |&(m, run): &(&Model, u64)| explore::scene(m, &trace::record(m, seed, run));
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.min(runs.len()).max(1))
        .build()
    {
        Ok(pool) => pool.install(|| runs.par_iter().map(scene).collect()),
        Err(_) => runs.iter().map(scene).collect(),
    }
}
