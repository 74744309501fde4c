//! `explore`: write one run as a page to watch in the browser (`faultline_report::explore`),
//! under the baseline and the strategies asked for, and print its path.

use super::{command_line, threads};
use crate::cli::args::{Common, Files};
use crate::cli::error::CliError;
use crate::cli::load::load_all;
use crate::progress::Progress;
use faultline_core::model::Model;
use faultline_core::montecarlo::{self, Study};
use faultline_report::explore::{self, Meta};
use faultline_report::{output, trace};
use faultline_units::number::thousands;
use std::io::Write;

/// Which run the page shows.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pick {
    /// This run.
    Run(u64),
    /// The baseline's most expensive of this many runs (the scenario's `runs` if `None`).
    Worst(Option<u64>),
    /// The baseline's median run by cost.
    Median(Option<u64>),
}

impl Pick {
    /// From the flags: `--run K`, `--worst`, `--median` (clap keeps them apart), `--runs`.
    pub(crate) fn of(run: Option<u64>, worst: bool, median: bool, runs: Option<u64>) -> Pick {
        if worst {
            Pick::Worst(runs)
        } else if median {
            Pick::Median(runs)
        } else {
            Pick::Run(run.unwrap_or(0))
        }
    }
}

/// Writes the page for `pick` with the baseline and `strategies` (`all`: every one) and
/// prints its path on stdout.
pub(crate) fn explore(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    pick: Pick,
    strategies: &[String],
) -> Result<(), CliError> {
    let models = load_all(&common.scenario, Some(common))?.models;
    let shown = scenes_of(&common.scenario, &models, strategies)?;
    let base = &models[0];
    let seed = common.seed.unwrap_or(base.seed);
    let (run, chosen) = choose(base, seed, pick, common.quiet);
    let scenes: Vec<explore::Scene> = (shown.iter())
        .map(|&k| explore::scene(&models[k], &trace::record(&models[k], seed, run)))
        .collect();
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
fn choose(m: &Model, seed: u64, pick: Pick, quiet: bool) -> (u64, String) {
    let (runs, worst) = match pick {
        Pick::Run(k) => return (k, format!("Run {k}, chosen by its number.")),
        Pick::Worst(n) => (n.unwrap_or(m.runs), true),
        Pick::Median(n) => (n.unwrap_or(m.runs), false),
    };
    let bar = Progress::runs(runs, "choosing a run", quiet);
    let mut costs: Vec<(f64, u64)> = Vec::with_capacity(runs as usize);
    let study = Study::whole(seed, runs, threads(None));
    montecarlo::run_all_rows(std::slice::from_ref(m), study, &|n| bar.set(n), &mut |r| {
        costs.push((r.cost, r.run));
    });
    bar.finish();
    costs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let of = thousands(runs as f64);
    if worst {
        let top = costs.last().map_or(0.0, |c| c.0);
        let (_, run) = costs
            .iter()
            .find(|c| c.0 == top)
            .copied()
            .unwrap_or((0.0, 0));
        (
            run,
            format!(
                "Run {run}: the baseline's most expensive of {of} runs (${}).",
                thousands(top)
            ),
        )
    } else {
        let (cost, run) = costs[(costs.len() - 1) / 2];
        (
            run,
            format!(
                "Run {run}: the baseline's median of {of} runs by cost (${}).",
                thousands(cost)
            ),
        )
    }
}
