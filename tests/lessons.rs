//! The lessons the shipped queue scenarios teach, kept true: `scenarios/job-queue.ron` (the
//! lecture's email queue) and `scenarios/retry-storm.ron` (timeouts and retries turning a short
//! latency spike into a lasting outage).
//!
//! Each test simulates the scenario file as shipped, with its own seed and default number of
//! runs, and compares strategies run by run (common random numbers): a claim that one strategy
//! beats another is a paired difference whose 95% confidence interval lies entirely on one
//! side of zero.

use crate::common::{faultline, repo, stderr, stdout};
use faultline::engine::Sim;
use faultline::model::Model;
use faultline::montecarlo::CHUNK;
use faultline::scenario::{Dist, Scenario};
use faultline::stats::Moments;
use faultline::validate::load_all_file;

const JOB_QUEUE: &str = "scenarios/job-queue.ron";
const RETRY_STORM: &str = "scenarios/retry-storm.ron";

fn load(path: &str) -> (Scenario, Vec<Model>) {
    let file = repo(path);
    load_all_file(file.to_str().expect("utf-8 path"))
        .unwrap_or_else(|e| panic!("{path}: {}", e.render(false)))
}

/// The model of strategy `name` ("baseline" for the scenario as written).
fn model<'a>(models: &'a [Model], name: &str) -> &'a Model {
    models
        .iter()
        .find(|m| m.strategy == name)
        .unwrap_or_else(|| panic!("no strategy `{name}`"))
}

/// What one strategy did in each run.
#[derive(Default)]
struct Outcome {
    /// Site downtime, seconds.
    down: Vec<f64>,
    /// Waiting jobs at the end of the run (queue 0).
    final_waiting: Vec<f64>,
    /// Jobs pulled into the parking lot (queue 0).
    shed: Vec<f64>,
    /// Attempts served after their client gave up (queue 0).
    wasted: Vec<f64>,
}

/// Runs 0..runs (the scenario's default number) of each strategy in `names` with the
/// scenario's seed. Run r of every strategy sees the same faults.
fn study(models: &[Model], names: &[&str]) -> Vec<Outcome> {
    let ms: Vec<&Model> = names.iter().map(|n| model(models, n)).collect();
    let (seed, runs) = (ms[0].seed, ms[0].runs);
    let mut sims: Vec<Sim> = ms.iter().map(|m| Sim::new(m)).collect();
    let mut out: Vec<Outcome> = names.iter().map(|_| Outcome::default()).collect();
    for r in 0..runs {
        for (k, sim) in sims.iter_mut().enumerate() {
            sim.run(seed, r, &mut ());
            assert!(!sim.capped, "{}: run {r} hit the event cap", names[k]);
            let c = sim.qs.counts(0);
            let o = &mut out[k];
            o.down.push(sim.books.site_down);
            o.final_waiting.push(sim.qs.waiting(0) as f64);
            o.shed.push(c.shed as f64);
            o.wasted.push(c.wasted as f64);
        }
    }
    out
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Per run: `a` minus `b` on the same run.
fn paired(a: &[f64], b: &[f64]) -> Moments {
    assert_eq!(a.len(), b.len());
    let mut d = Moments::new();
    for (x, y) in a.iter().zip(b) {
        d.push(x - y);
    }
    d
}

/// The whole 95% confidence interval of the paired difference `a − b` is below zero.
fn clearly_less(what: &str, a: &[f64], b: &[f64]) {
    let d = paired(a, b);
    assert!(d.count() >= 10, "{what}: only {} runs", d.count());
    assert!(
        d.mean() + d.ci95() < 0.0,
        "{what}: paired difference {:.0} s ± {:.0} s does not exclude zero",
        d.mean(),
        d.ci95()
    );
}

fn hours(s: f64) -> f64 {
    s / 3600.0
}

#[test]
fn the_email_queue_story_waiting_spoon_feeding_the_tool_the_redesign_more_workers() {
    let (sc, models) = load(JOB_QUEUE);
    let horizon = models[0].horizon;
    let first_burst = sc
        .inject
        .iter()
        .map(|i| i.at.secs())
        .fold(f64::INFINITY, f64::min);
    let bursts = sc.inject.len() as f64;
    assert!(bursts >= 2.0, "the story needs a burst on several days");
    let o = study(
        &models,
        &[
            "baseline",
            "spoon-feed",
            "shedding-tool",
            "redesign",
            "more-workers",
        ],
    );
    let (base, hand, tool, redesign, workers) = (&o[0], &o[1], &o[2], &o[3], &o[4]);

    // Waiting does nothing: from a few minutes after the first burst to the end of the run the
    // site is down in every run, and every job of every burst is still waiting at the end
    // (metastable: each burst lasts ten minutes, the outage days).
    let after_burst = horizon - first_burst;
    assert!(
        min(&base.down) > after_burst - 1800.0,
        "baseline down only {:.1} h of the {:.1} h after the first burst",
        hours(min(&base.down)),
        hours(after_burst)
    );
    assert!(
        min(&base.final_waiting) > 0.95 * bursts * 100_000.0,
        "the backlog drained by itself: {} waiting at the end",
        min(&base.final_waiting)
    );

    // Spoon-feeding by hand brings the site back each day: far less downtime on the same runs,
    // every burst pulled out, nothing left waiting at the end.
    clearly_less("spoon-feed − baseline downtime", &hand.down, &base.down);
    assert!(
        mean(&hand.down) < 0.15 * mean(&base.down),
        "spoon-feeding: {:.1} h down vs {:.1} h",
        hours(mean(&hand.down)),
        hours(mean(&base.down))
    );
    assert!(
        max(&hand.down) < bursts * 4.0 * 3600.0,
        "spoon-feeding: some run was down {:.1} h, more than 4 h per burst",
        hours(max(&hand.down))
    );
    assert!(
        min(&hand.shed) > 0.95 * bursts * 100_000.0,
        "every burst is pulled out"
    );
    assert!(
        max(&hand.final_waiting) < 100.0,
        "the queue is drained at the end"
    );

    // Better duct tape: the tool acts minutes after the queue fails, the human only after
    // being paged, acknowledging and diagnosing.
    clearly_less(
        "shedding-tool − spoon-feed downtime",
        &tool.down,
        &hand.down,
    );
    assert!(
        mean(&tool.down) < 0.5 * mean(&hand.down),
        "tool {:.2} h vs by hand {:.2} h",
        hours(mean(&tool.down)),
        hours(mean(&hand.down))
    );

    // The redesign takes weeks, and more workers do not outrun a super-linear slowdown: within
    // the horizon neither changes the baseline's outage by more than a minute in any run.
    for (name, x) in [("redesign", redesign), ("more-workers", workers)] {
        let d = paired(&x.down, &base.down);
        assert!(
            d.min() > -60.0 && d.max() < 60.0,
            "{name} changed the outage: {:.0} s to {:.0} s against the baseline",
            d.min(),
            d.max()
        );
        assert!(min(&x.final_waiting) > 0.95 * bursts * 100_000.0);
    }
}

/// The database latency spike in the retry-storm scenario, seconds.
fn spike(sc: &Scenario) -> f64 {
    let db = sc.components.iter().find(|c| c.id == "db").expect("db");
    let f = db
        .faults
        .iter()
        .find(|f| f.name == "latency-spike")
        .expect("latency-spike");
    match f.repair {
        Dist::Fixed(d) => d.secs(),
        other => panic!("the spike should have a fixed length, not {other:?}"),
    }
}

#[test]
fn a_short_latency_spike_becomes_a_lasting_retry_storm_unless_retries_are_tamed() {
    let (sc, models) = load(RETRY_STORM);
    let spike = spike(&sc);
    let o = study(
        &models,
        &["baseline", "retry-budget", "drop-expired", "backoff"],
    );
    let (base, budget, dropped, backoff) = (&o[0], &o[1], &o[2], &o[3]);
    // The storm: in every run the outage lasts far longer than the spike that started it,
    // the backlog is still there at the end, and the server spent work on abandoned requests.
    assert!(
        min(&base.down) > 10.0 * spike,
        "baseline outage {:.0} s is not 10x the {spike} s spike",
        min(&base.down)
    );
    assert!(min(&base.final_waiting) > 10_000.0);
    assert!(mean(&base.wasted) > 10_000.0);
    // Taming retries (a budget) or not serving abandoned requests stops it: both clearly
    // better on the same runs, and at least one back within a small multiple of the spike in
    // every run.
    for (name, x) in [("retry-budget", budget), ("drop-expired", dropped)] {
        clearly_less(&format!("{name} − baseline downtime"), &x.down, &base.down);
        assert!(
            max(&x.final_waiting) < 100.0,
            "{name}: backlog left at the end"
        );
    }
    let best = max(&budget.down).min(max(&dropped.down));
    assert!(
        best <= 3.0 * spike,
        "neither recovers within 3x the spike: worst runs {:.0} s and {:.0} s",
        max(&budget.down),
        max(&dropped.down)
    );
    // Backoff alone spreads retries out but does not make them fewer: the storm goes on.
    assert!(
        min(&backoff.down) > 10.0 * spike,
        "backoff alone stopped the storm ({:.0} s)",
        min(&backoff.down)
    );
}

/// The strategies of `compare --json`, cheapest first (ties by downtime, then file order),
/// with their cost and downtime means.
fn ranking(threads: &str, runs: &str) -> Vec<(String, f64, f64)> {
    let out = faultline(&[
        "compare",
        RETRY_STORM,
        "--runs",
        runs,
        "--horizon",
        "15m",
        "--threads",
        threads,
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(j["runs"].as_u64(), runs.parse::<u64>().ok());
    let mut v: Vec<(String, f64, f64)> = j["strategies"]
        .as_array()
        .expect("strategies")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_string(),
                s["cost"]["mean"].as_f64().expect("cost"),
                s["downtime_s"]["mean"].as_f64().expect("downtime"),
            )
        })
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.2.total_cmp(&b.2)));
    v
}

#[test]
fn the_compare_ranking_does_not_depend_on_the_thread_count() {
    // More runs than one chunk, so that two threads really share the work (with fewer, one
    // thread does everything and the comparison tests nothing).
    let runs = (CHUNK + 1).to_string();
    let one = ranking("1", &runs);
    let two = ranking("2", &runs);
    assert_eq!(one.len(), 13, "the baseline and twelve strategies");
    assert!(
        one.first().unwrap().1 < one.last().unwrap().1,
        "a ranking in which everything costs the same tests nothing"
    );
    assert_eq!(one, two);
}

/// Shuttle lab: redundancy protects against what you know will fail. The vote masks a
/// corrupt computer; the only single points of failure are the parts that were never made
/// redundant; and flight control with its vote and backup fails far less than one computer.
#[test]
fn shuttle_redundancy_protects_against_what_it_was_built_for() {
    let v = faultline(&["validate", "scenarios/shuttle.ron"]);
    let text = stdout(&v);
    for spof in [
        "boosters",
        "engine_1",
        "engine_2",
        "engine_3",
        "heat_shield",
    ] {
        assert!(
            text.contains(&format!("  - {spof} → mission")),
            "{spof} should be a SPOF:\n{text}"
        );
    }
    for redundant in ["gpc1", "gpc2", "gpc3", "bfs", "flight_control"] {
        assert!(
            !text.contains(&format!("  - {redundant} →")),
            "{redundant} is covered:\n{text}"
        );
    }
    // Run 0 has a bit flip injected on gpc2 at 1h: it is outvoted.
    let t = stdout(&faultline(&[
        "trace",
        "scenarios/shuttle.ron",
        "--run",
        "0",
        "--quiet",
    ]));
    assert!(t.contains("outvotes gpc2"), "{t}");
    let src = std::fs::read_to_string(repo("scenarios/shuttle.ron")).unwrap();
    let (_, models) = faultline::validate::load_all_str("shuttle.ron", &src).unwrap();
    let s = faultline::montecarlo::run_all(
        &models,
        faultline::montecarlo::Study::whole(7, 20_000, 0),
        &|_| {},
    );
    let p = |k: usize| s[k].failure_probability();
    // Flight control's share of mission failures: with vote + backup it is a small part of
    // the whole; with one computer it dominates.
    let (base, single) = (p(0), p(2));
    assert!(
        single > base + 0.01,
        "one computer {single} vs vote+backup {base}"
    );
    assert!(s[2].paired_downtime.mean() - s[2].paired_downtime.ci95() > 0.0);
}

/// B-17 lab: don't blame the humans, change the system. Over two years, shape coding (a
/// design fix) beats refresher training, and both beat doing nothing, on paired costs.
#[test]
fn b17_shape_coding_beats_training() {
    let src = std::fs::read_to_string(repo("scenarios/b17-switches.ron")).unwrap();
    let (_, models) = faultline::validate::load_all_str("b17.ron", &src).unwrap();
    assert_eq!(models[1].strategy, "more-training");
    assert_eq!(models[2].strategy, "shape-coding");
    let s = faultline::montecarlo::run_all(
        &models,
        faultline::montecarlo::Study::whole(3, 1500, 0),
        &|_| {},
    );
    let (training, shape) = (&s[1].paired_cost, &s[2].paired_cost);
    assert!(
        training.mean() + training.ci95() < 0.0,
        "training helps a little"
    );
    assert!(
        shape.mean() + shape.ci95() < training.mean() - training.ci95(),
        "shape coding helps more"
    );
    // Training's effect wears off between sessions; the design fix does not.
    assert!(s[2].user_minutes.mean() < 0.2 * s[1].user_minutes.mean());
}

/// Amazon lab: at a million dollars a minute, the minutes before anyone looks are worth
/// buying back. Better alerts cut the time to detect many times over and save money on the
/// same runs; a runbook does too, through faster diagnosis.
#[test]
fn amazon_faster_detection_is_worth_real_money() {
    let src = std::fs::read_to_string(repo("scenarios/amazon-outage.ron")).unwrap();
    let (_, models) = faultline::validate::load_all_str("amazon.ron", &src).unwrap();
    let s = faultline::montecarlo::run_all(
        &models,
        faultline::montecarlo::Study::whole(17, 800, 0),
        &|_| {},
    );
    let by = |name: &str| &s[models.iter().position(|m| m.strategy == name).unwrap()];
    let (base, alerts, runbook, same) = (
        by("baseline"),
        by("better-alerts"),
        by("runbook"),
        by("status-quo"),
    );
    assert!(alerts.mean_time_to_detect() < base.mean_time_to_detect() / 5.0);
    for x in [alerts, runbook] {
        assert!(x.paired_cost.mean() + x.paired_cost.ci95() < 0.0);
    }
    assert_eq!(same.paired_cost.mean(), 0.0);
    // Each minute of outage costs $1M: the saving is mostly outage avoided.
    assert!(alerts.downtime.mean() < base.downtime.mean());
}

/// Backups lab: untested backups are mostly broken when a restore needs them; drills find
/// the rot first, and the drill interval's cost is U-shaped (too often: the drills' price;
/// too rarely: broken backups met in the middle of an incident).
#[test]
fn backups_drills_beat_untested_backups_and_the_interval_cost_is_u_shaped() {
    let src = std::fs::read_to_string(repo("scenarios/backups.ron")).unwrap();
    let (sc, models) = faultline::validate::load_all_str("backups.ron", &src).unwrap();
    let study = faultline::montecarlo::Study::whole(sc.seed, 1500, 0);
    let s = faultline::montecarlo::run_all(&models, study, &|_| {});
    let by = |name: &str| &s[models.iter().position(|m| m.strategy == name).unwrap()];
    let (untested, weekly) = (by("untested-backups"), by("weekly-drill"));
    let unready = |x: &faultline::montecarlo::Summary| x.hidden.as_ref().unwrap().unready[0].mean();
    assert!(
        unready(untested) > 0.5,
        "untested backups are mostly broken"
    );
    assert!(unready(weekly) < 0.05, "weekly drills keep them working");
    // Paired on the same runs: drills cost less than untested backups in all.
    let diff = |a: &faultline::montecarlo::Summary| a.paired_cost.mean();
    assert!(
        diff(weekly) + weekly.paired_cost.ci95() < diff(untested) - untested.paired_cost.ci95()
    );
    // The quarterly drill's interval swept: cost falls from daily to fortnightly, then rises.
    let cost_at = |every: &str| {
        let set =
            faultline::edit::parse_setting(&format!("strategies[1].inspections[0].every={every}"))
                .unwrap();
        let text = faultline::edit::edit("backups.ron", &src, &set, every).unwrap();
        let (_, ms) = faultline::validate::load_all_str("backups.ron", &text).unwrap();
        let m = &ms[2];
        assert_eq!(m.strategy, "quarterly-drill");
        faultline::montecarlo::run(
            m,
            faultline::montecarlo::Study::whole(sc.seed, 1500, 0),
            &|_| {},
        )
        .cost
    };
    let (daily, fortnightly, half_year) = (cost_at("1d"), cost_at("14d"), cost_at("180d"));
    for (what, x) in [("daily", &daily), ("half-yearly", &half_year)] {
        assert!(
            fortnightly.mean() + fortnightly.ci95() < x.mean() - x.ci95(),
            "a fortnightly drill should cost less than a {what} one: {} vs {}",
            fortnightly.mean(),
            x.mean()
        );
    }
}
