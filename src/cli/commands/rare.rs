//! `run --rare`: the probability that some service fails within the horizon, when it is
//! too small for plain runs, by fixed-effort splitting (`faultline_core::rare`), with the
//! exact value beside it on request and what plain Monte Carlo would have cost.

use super::exact;
use crate::cli::args::{Common, Rare};
use crate::cli::error::CliError;
use crate::progress::Progress;
use faultline_core::model::Model;
use faultline_core::montecarlo::{self, Study};
use faultline_core::rare::{self, RareResult, RareStudy};
use faultline_report::tables::{Layout, table};
use faultline_units::number::{scientific, thousands};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// What `run --rare --json` prints.
#[derive(Serialize)]
struct RareJson<'a> {
    scenario: String,
    strategy: &'a str,
    seed: u64,
    horizon_s: f64,
    /// What is estimated.
    measure: &'static str,
    /// Thresholds on the faults present, before the last level (a service failed).
    thresholds: &'a [u32],
    replications: u32,
    histories_per_level: u64,
    estimate: f64,
    std_error: f64,
    relative_error: f64,
    lo95: f64,
    hi95: f64,
    /// Per level, the pooled share of histories that reached it from the previous one.
    level_shares: Vec<f64>,
    /// Per replication, its estimate.
    replication_estimates: Vec<f64>,
    histories: u64,
    events: u64,
    /// Plain runs needed for the same relative error.
    plain_runs_needed: f64,
    /// The exact value, or why there is none (with --exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    exact: Option<serde_json::Value>,
}

/// Histories per level in each replication without `--runs` (the scenario's `runs` is
/// for plain studies).
pub(crate) const HISTORIES: u64 = 100_000;

const MEASURE: &str = "P(some service fails within the horizon)";

/// Runs the splitting study that `rare` asks for on `m` and prints it; `exact` adds the
/// exact value.
pub(crate) fn run(
    out: &mut impl Write,
    common: &Common,
    m: &Model,
    (runs, threads): (u64, usize),
    rare: &Rare,
    (json, exact, layout): (bool, bool, Layout),
) -> Result<(), CliError> {
    refuse(m)?;
    let thresholds = levels(&common.scenario, rare.levels)?;
    let seed = common.seed.unwrap_or(m.seed);
    let study = RareStudy {
        seed,
        thresholds: thresholds.clone(),
        effort: runs,
        replications: rare.replications,
        threads,
    };
    let total = runs * u64::from(rare.replications) * (thresholds.len() as u64 + 1);
    let bar = Progress::runs(total, "splitting", common.quiet);
    let started = Instant::now();
    let r = rare::estimate(m, &study, &|n| bar.set(n));
    let elapsed = started.elapsed().as_secs_f64();
    bar.finish();
    let exact = exact.then(|| exact_value(&common.scenario, common.strategy.as_deref(), m));
    let needed = plain_runs_needed(&r);
    if json {
        let j = RareJson {
            scenario: common.scenario.display().to_string(),
            strategy: &m.strategy,
            seed,
            horizon_s: m.horizon,
            measure: MEASURE,
            thresholds: &thresholds,
            replications: rare.replications,
            histories_per_level: runs,
            estimate: r.estimate,
            std_error: r.std_error,
            relative_error: r.relative_error(),
            lo95: r.estimate - r.ci95,
            hi95: r.estimate + r.ci95,
            level_shares: r.stage_shares(thresholds.len() + 1),
            replication_estimates: r.replications.iter().map(|x| x.estimate).collect(),
            histories: r.histories(),
            events: r.events(),
            plain_runs_needed: needed,
            exact: exact.as_ref().map(|x| match x {
                Ok(p) => serde_json::json!({ "value": p, "inside_ci95": inside(&r, *p) }),
                Err(why) => serde_json::json!({ "none": why }),
            }),
        };
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    let plain = plain_speed(m, seed, threads, common.quiet);
    let text = render(m, &thresholds, &r, (elapsed, plain), exact.as_ref(), layout);
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// What splitting cannot do: job queues (a history's jobs are not redrawn, and their
/// events would dominate every copy).
fn refuse(m: &Model) -> Result<(), CliError> {
    if !m.queues.is_empty() {
        return Err(CliError::Usage(
            "--rare: this model has job queues; splitting estimates failures of \
             components and services without them (run it without --rare)"
                .into(),
        ));
    }
    Ok(())
}

/// The thresholds on the faults present: `1..k` for `--levels k`, or from the smallest
/// minimal cut set of the scenario's static structure.
fn levels(scenario: &Path, given: Option<u32>) -> Result<Vec<u32>, CliError> {
    let k = match given {
        Some(k) => k,
        None => smallest_cut(scenario).map_err(|why| {
            CliError::Usage(format!(
                "--rare needs the fewest faults that can fail a service, and {why}: \
                 give it with --levels K"
            ))
        })?,
    };
    Ok((1..k).collect())
}

/// The order of the smallest minimal cut set over the services of the scenario's static
/// structure, or why there is none.
fn smallest_cut(scenario: &Path) -> Result<u32, String> {
    let name = scenario.to_string_lossy();
    let text = faultline_scenario::validate::read(scenario).map_err(|e| e.to_string())?;
    let sc = faultline_scenario::validate::parse(&name, &text).map_err(|e| e.to_string())?;
    let st = faultline_scenario::structure::structure(&sc)
        .map_err(|e| format!("it has no static structure to count them in ({e})"))?;
    let mut best = None;
    for (_, tree) in &st.services {
        let a = faultline_ftree::analyze(tree, &faultline_ftree::Settings::default())
            .map_err(|e| e.to_string())?;
        if let Some(k) = a.orders.iter().position(|&n| n > 0) {
            best = Some(best.map_or(k + 1, |b: usize| b.min(k + 1)));
        }
    }
    best.map(|k| k as u32)
        .ok_or_else(|| "no set of faults fails a service in its static structure".into())
}

/// The exact P(some service fails within the horizon), where the scenario has one and a
/// single service (with several, the share in which *some* fails is not any one's).
fn exact_value(scenario: &Path, strategy: Option<&str>, m: &Model) -> Result<f64, String> {
    let v = exact::values(scenario, strategy, m.horizon)?;
    match v.as_slice() {
        [one] => one
            .failed
            .ok_or_else(|| "its Markov chain has no P(failed by the horizon)".into()),
        _ => Err(format!(
            "it has {} services, and the exact value is per service",
            v.len()
        )),
    }
}

fn inside(r: &RareResult, p: f64) -> bool {
    (r.estimate - r.ci95..=r.estimate + r.ci95).contains(&p)
}

/// Plain runs needed to reach the splitting estimate's relative error:
/// (1 - p) / (p · RE²), the variance of a share.
fn plain_runs_needed(r: &RareResult) -> f64 {
    let (p, re) = (r.estimate, r.relative_error());
    if p > 0.0 && re > 0.0 {
        (1.0 - p) / (p * re * re)
    } else {
        f64::INFINITY
    }
}

/// Plain runs per second of `m` on this machine, now: a short plain study, timed.
fn plain_speed(m: &Model, seed: u64, threads: usize, quiet: bool) -> f64 {
    let runs = 20_000;
    if !quiet {
        eprintln!("timing {runs} plain runs to compare...");
    }
    let started = Instant::now();
    let s = montecarlo::run(m, Study::whole(seed, runs, threads), &|_| {});
    s.runs as f64 / started.elapsed().as_secs_f64()
}

/// The text report.
fn render(
    m: &Model,
    thresholds: &[u32],
    r: &RareResult,
    (elapsed, plain_per_s): (f64, f64),
    exact: Option<&Result<f64, String>>,
    layout: Layout,
) -> String {
    let horizon = faultline_units::duration::human(m.horizon);
    let mut s = format!(
        "Rare event: P(some service fails within {horizon}), by fixed-effort splitting \
         (docs/rare-events.md)\n"
    );
    let per = r.replications.first().and_then(|x| x.stages.first());
    s += &format!(
        "  {} replications × {} histories per level: {} histories, {} events, {elapsed:.1}s\n\n",
        r.replications.len(),
        thousands(per.map_or(0, |p| p.runs) as f64),
        thousands(r.histories() as f64),
        thousands(r.events() as f64),
    );
    let shares = r.stage_shares(thresholds.len() + 1);
    let name = |j: usize| match thresholds.get(j) {
        Some(1) => "1 fault present".to_string(),
        Some(k) => format!("{k} faults present"),
        None => "a service failed".into(),
    };
    if r.estimate > 0.0 {
        s += &format!("  estimate        {}\n", scientific(r.estimate, 3));
        s += &format!(
            "  95% interval    [{}, {}]\n",
            scientific((r.estimate - r.ci95).max(0.0), 3),
            scientific(r.estimate + r.ci95, 3)
        );
        s += &format!(
            "  relative error  {:.1}% (standard error ÷ estimate, over the replications)\n",
            100.0 * r.relative_error()
        );
    } else {
        let stuck = shares.iter().position(|&p| p == 0.0).unwrap_or(0);
        s += &format!(
            "  estimate        0: no history reached \"{}\"; give more --runs per level \
             (or check --levels)\n",
            name(stuck)
        );
    }
    let cells: Vec<Vec<String>> = (shares.iter().enumerate())
        .map(|(j, p)| vec![name(j), scientific(*p, 3)])
        .collect();
    s += "\n";
    s += &table(&["level", "P(reach it | the level before)"], &cells, layout);
    let needed = plain_runs_needed(r);
    if needed.is_finite() && plain_per_s > 0.0 {
        let plain_s = needed / plain_per_s;
        s += &format!(
            "\nPlain Monte Carlo would need {} runs for the same relative error: {} at the \
             {} runs/s measured here; splitting took {elapsed:.1}s, a speed-up of ×{}.\n",
            scientific(needed, 2),
            faultline_units::duration::human(plain_s),
            thousands(plain_per_s),
            scientific(plain_s / elapsed, 2),
        );
    }
    if let Some(x) = exact {
        s += &match x {
            Ok(p) => format!(
                "\nExact: {} ({}; the estimate is {:+.1}% off, {} the 95% interval)\n",
                scientific(*p, 4),
                "the static structure or its Markov chain: docs/fault-trees.md",
                100.0 * (r.estimate - p) / p,
                if inside(r, *p) { "inside" } else { "outside" }
            ),
            Err(why) => format!("\nExact: no exact value: {why}\n"),
        };
    }
    s
}
