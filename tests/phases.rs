//! Operating phases: fault processes on operational clocks (closed forms for phased
//! missions and cyclic schedules), idle components, aborts, a neutral phase that changes
//! nothing, and located errors for every invalid phase list.
//!
//! Statistical checks compare a Monte Carlo share or mean with its exact value within 2.576
//! standard errors (99%), and bound the standard error so that the check can fail.

use crate::closed_form::Z99;
use crate::common::{faultline, repo, scenario_file, stderr, stdout};
use faultline::engine::{Note, Observer, Sim};
use faultline::model::Model;
use faultline::montecarlo::{self, Study, Summary};
use faultline::validate::load_str;

fn load(text: &str) -> Model {
    load_str("phases.ron", text)
        .unwrap_or_else(|e| panic!("{}", e.render(false)))
        .1
}

fn study(text: &str, runs: u64, seed: u64) -> (Model, Summary) {
    let m = load(text);
    let s = montecarlo::run(&m, Study::whole(seed, runs, 0), &|_| {});
    (m, s)
}

/// A share of `runs` against its exact value `p`, within 99% of the binomial's spread.
fn assert_share(what: &str, k: u64, runs: u64, p: f64) {
    let got = k as f64 / runs as f64;
    let se = (p * (1.0 - p) / runs as f64).sqrt();
    assert!(se > 0.0 && se < 0.005, "{what}: too few runs ({se})");
    let z = (got - p) / se;
    assert!(
        z.abs() <= Z99,
        "{what}: measured {got:.5} vs exact {p:.5} ({z:+.2} standard errors)"
    );
}

/// A series system `a`, `b` without repair: a mission through three phases with
/// per-phase exponential rates survives with probability exp(−Σ λ_c m_{c,i} t_i).
#[test]
fn a_phased_series_mission_survives_with_the_product_of_phase_reliabilities() {
    let text = r#"Scenario(name: "phased", horizon: "10h", components: [
        (id: "a", faults: [(name: "f", every: Exp(mean: "10h"), effect: Crash)]),
        (id: "b", faults: [(name: "f", every: Exp(mean: "20h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [
        (from: "svc", to: "a", kind: Requires),
        (from: "svc", to: "b", kind: Requires),
    ], phases: (list: [
        (name: "one", lasts: "2h"),
        (name: "two", lasts: "3h", rates: [("a", 4.0), ("b", 0.0)]),
        (name: "three", lasts: "5h", faults: 0.5),
    ]))"#;
    let runs = 40_000;
    let (_, s) = study(text, runs, 11);
    let a: f64 = 2.0 / 10.0 + 3.0 * 4.0 / 10.0 + 5.0 * 0.5 / 10.0;
    let b = 2.0 / 20.0 + 5.0 * 0.5 / 20.0;
    let exact = (-(a + b)).exp();
    assert_share("mission reliability", runs - s.failed_runs, runs, exact);
    // Per phase: the share of runs failing in phase two, given no failure before.
    let two = (-(0.2 + 0.1_f64)).exp() * (1.0 - (-1.2_f64).exp());
    assert_share("failed in two", s.phases[1].failed_runs, runs, two);
}

/// The operational clock is exact for any distribution: a Weibull time to failure of
/// operational time O(t) survives with exp(−(O(t)/scale)^shape).
#[test]
fn a_weibull_fault_runs_on_the_operational_clock() {
    let text = r#"Scenario(name: "weibull", horizon: "30h", components: [
        (id: "a", faults: [(name: "wear", every: Weibull(shape: 2.0, scale: "20h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)],
    phases: (cycle: true, list: [
        (name: "busy", lasts: "4h", faults: 2.0),
        (name: "quiet", lasts: "6h", faults: 0.25),
    ]))"#;
    let runs = 40_000;
    let (_, s) = study(text, runs, 5);
    // Three passes of 4h × 2 + 6h × 0.25 = 9.5 operational hours each.
    let op: f64 = 3.0 * 9.5;
    let exact = (-(op / 20.0).powi(2)).exp();
    assert_share("survival", runs - s.failed_runs, runs, exact);
}

/// Counts common-cause occurrences.
#[derive(Default)]
struct Strikes(u64);

impl Observer for Strikes {
    fn note(&mut self, _t: f64, n: Note) {
        if matches!(n, Note::Common { .. }) {
            self.0 += 1;
        }
    }
}

/// A cyclic day/night schedule with a rate multiplier gives the time-averaged rate: the
/// expected number of occurrences of a (Poisson) common cause is ∫ λ m(t) dt.
#[test]
fn a_cyclic_schedule_gives_the_time_averaged_rate() {
    let text = r#"Scenario(name: "day-night", horizon: "30d6h", components: [
        (id: "a"), (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)],
    common_cause: [(name: "storm", hits: ["a"], every: Exp(mean: "24h"), effect: Degrade(0.99), repair: Fixed("1s"))],
    phases: (cycle: true, list: [
        (name: "day", lasts: "12h", faults: 3.0),
        (name: "night", lasts: "12h"),
    ]))"#;
    let m = load(text);
    let mut sim = Sim::new(&m);
    let mut counts = faultline::stats::Moments::new();
    for run in 0..4000 {
        let mut obs = Strikes::default();
        sim.run(9, run, &mut obs);
        counts.push(obs.0 as f64);
    }
    // 30 days of (12h × 3 + 12h × 1) / 24h, then 6h of day at 3 / 24h.
    let exact = 30.0 * 2.0 + 6.0 * 3.0 / 24.0;
    crate::closed_form::assert_within_ci("occurrences", &counts, exact, 0.2);
    // Without the multiplier the mean would be 30.25: far outside.
    assert!(counts.mean() > 55.0);
}

/// A rare fault over a long cyclic schedule (hundreds of day/night passes skipped at once):
/// its first occurrence still comes at the time-averaged rate.
#[test]
fn long_cyclic_schedules_are_skipped_exactly() {
    let text = r#"Scenario(name: "rare", horizon: "400d", components: [
        (id: "a", faults: [(name: "f", every: Exp(mean: "9600h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)],
    phases: (cycle: true, list: [
        (name: "day", lasts: "12h", faults: 3.0),
        (name: "night", lasts: "12h"),
    ]))"#;
    let runs = 20_000;
    let (_, s) = study(text, runs, 3);
    // 400 days × 48 operational hours / 9600 h = 2.
    assert_share("no fault", runs - s.failed_runs, runs, (-2.0_f64).exp());
    // Time per phase: half the horizon each.
    let day = s.phases[0].time.mean();
    assert!((day - 200.0 * 86_400.0).abs() < 1.0, "{day}");
}

/// An idle component's failure during a phase that does not need it is not a service
/// failure; one still under repair when a phase that needs it begins is, from that moment.
#[test]
fn an_idle_failure_counts_only_if_it_lasts_into_a_phase_that_needs_it() {
    let scenario = |repair: &str| {
        format!(
            r#"Scenario(name: "idle", horizon: "10h", components: [
            (id: "x", faults: [(name: "f", every: At("1h"), effect: Crash, repair: Fixed("{repair}"))]),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "x", kind: Requires)],
        phases: (list: [
            (name: "parked", lasts: "5h", idle: ["x"]),
            (name: "flying", lasts: "5h"),
        ]))"#
        )
    };
    let (_, s) = study(&scenario("2h"), 10, 1);
    assert_eq!(
        s.failed_runs, 0,
        "repaired at 3h, before it is needed at 5h"
    );
    let (_, s) = study(&scenario("6h"), 10, 1);
    assert_eq!(s.failed_runs, 10, "still broken at 5h");
    assert_eq!(s.phases[0].failures.mean(), 0.0);
    assert_eq!(s.phases[1].failures.mean(), 1.0);
    // Failed from 5h (needed) to 7h (repaired).
    assert_eq!(s.phases[1].downtime.mean(), 7200.0);
    assert_eq!(s.downtime.mean(), 7200.0);
}

/// An abort switches phase at once (the trace says so), and pending faults are rescheduled
/// on the new timeline: `y`, which cannot fail in `return`, never fails.
#[test]
fn an_abort_switches_phase_and_reschedules_pending_faults() {
    let text = r#"Scenario(name: "abort", horizon: "12h", components: [
        (id: "x", faults: [(name: "f", every: At("30m"), effect: Crash, repair: Fixed("10m"))]),
        (id: "y", faults: [(name: "g", every: At("2h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "x", kind: Requires)],
    phases: (list: [
        (name: "climb", lasts: "1h", abort_to: "return"),
        (name: "cruise", lasts: "10h"),
        (name: "return", lasts: "1h", rates: [("y", 0.0)]),
    ]))"#;
    let (_, s) = study(text, 20, 2);
    assert_eq!(s.phases[2].aborted_runs, 20);
    // After the abort at 30m, `return` lasts to the horizon: cruise never comes.
    assert_eq!(s.phases[1].time.mean(), 0.0);
    assert_eq!(s.phases[0].time.mean(), 1800.0);
    let file = scenario_file("phases-abort", text);
    let out = faultline(&["trace", &file, "--run", "0", "--quiet"]);
    let t = stdout(&out);
    assert!(t.contains("day 0 00:00:00"), "{t}");
    assert!(t.contains("phase climb begins"), "{t}");
    assert!(t.contains("ABORT"), "{t}");
    assert!(t.contains("abort, phase return begins"), "{t}");
    assert!(!t.contains("cruise"), "{t}");
    assert!(!t.contains("y: g"), "y never fails after the abort:\n{t}");
}

/// A single neutral phase (multiplier 1, nothing idle, no load or response change) draws no
/// random number and changes no figure of a shipped scenario with responders and alerts.
#[test]
fn a_neutral_phase_changes_nothing() {
    let text = std::fs::read_to_string(repo("scenarios/substation.ron")).unwrap();
    let at = text.rfind(')').unwrap();
    let phased = format!(
        "{}    phases: (list: [(name: \"all\", lasts: \"1h\")]),\n)",
        &text[..at]
    );
    let (_, plain) = study(&text, 300, 4);
    let (_, with) = study(&phased, 300, 4);
    assert_eq!(plain.downtime.mean(), with.downtime.mean());
    assert_eq!(plain.cost.mean(), with.cost.mean());
    assert_eq!(plain.roots, with.roots);
    assert_eq!(with.phases[0].downtime.mean(), with.downtime.mean());
    assert!(plain.phases.is_empty());
}

/// Line and column (1-based) of the single occurrence of `needle` in `text`.
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(text.matches(needle).count(), 1, "{needle:?}");
    let before = &text[..text.find(needle).unwrap()];
    let line = 1 + before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Every invalid phase list is rejected with a located message and exit code 2.
#[test]
fn every_phase_error_is_located_and_exits_2() {
    let base = r#"Scenario(name: "bad", horizon: "10h", components: [
        (id: "engine"), (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "engine", kind: Requires)],
    phases: (list: [
        (name: "one", lasts: "2h", rates: [("engine", 2.0)], idle: ["engine"]),
        (name: "two", lasts: "3h", abort_to: "one"),
    ]))"#;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            r#"name: "two""#,
            r#"name: "one""#,
            r#""one", lasts: "3h""#,
            "declared twice",
        ),
        (
            r#"("engine", 2.0)"#,
            r#"("engien", 2.0)"#,
            r#""engien""#,
            "did you mean `engine`",
        ),
        (
            r#"["engine"]"#,
            r#"["engnie"]"#,
            r#""engnie""#,
            "unknown component `engnie`",
        ),
        (
            r#"("engine", 2.0)"#,
            r#"("engine", 2.0), ("svc", 1.0), ("engine", 3.0)"#,
            r#""engine", 3.0"#,
            "listed twice",
        ),
        (
            r#"abort_to: "one""#,
            r#"abort_to: "on""#,
            r#""on""#,
            "unknown phase `on`",
        ),
        (
            r#"lasts: "3h""#,
            r#"lasts: "0s""#,
            r#""0s""#,
            "longer than zero",
        ),
        (r#""engine", 2.0"#, r#""engine", -2.0"#, "-2.0", "not -2"),
        (
            r#"lasts: "2h","#,
            r#"lasts: "2h", faults: -1.0,"#,
            "-1.0",
            "not -1",
        ),
        (
            r#"lasts: "3h","#,
            r#"lasts: "3h", load: -1.0,"#,
            "-1.0",
            "a load multiplier",
        ),
        (
            r#"lasts: "3h","#,
            r#"lasts: "3h", response: -1.0,"#,
            "-1.0",
            "a response-time factor",
        ),
    ];
    load(base);
    let empty = format!(
        "{}phases: (list: []))",
        &base[..base.find("phases:").unwrap()]
    );
    let mut texts = vec![(empty, "[]", "at least one phase")];
    for &(from, to, at, message) in cases {
        assert_eq!(base.matches(from).count(), 1, "{from:?}");
        texts.push((base.replacen(from, to, 1), at, message));
    }
    for (k, (text, at, message)) in texts.iter().enumerate() {
        let (line, col) = line_col(text, at);
        let file = scenario_file(&format!("phases-bad-{k}"), text);
        let out = faultline(&["validate", &file]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        let want = format!("{file}:{line}:{col}: ");
        let located = err
            .lines()
            .any(|l| l.contains(&want) && err.contains(message));
        assert!(located, "expected {want}…{message} in\n{err}");
    }
}

/// Phases keep the engine's rule: a run allocates nothing once warm, through cyclic phase
/// changes, load changes on a queue, slower responders and aborts.
#[test]
fn a_phased_run_allocates_nothing_once_warm() {
    let text = std::fs::read_to_string(repo("scenarios/job-queue.ron")).unwrap();
    let at = text.rfind(')').unwrap();
    let phased = format!(
        "{}    phases: (cycle: true, list: [
            (name: \"night\", lasts: \"8h\", load: 0.5, response: 2.0),
            (name: \"day\", lasts: \"16h\", load: 1.5, faults: 2.0, abort_to: \"night\"),
        ]),\n)",
        &text[..at]
    );
    let m = load(&phased);
    let mut sim = Sim::new(&m);
    let mut summary = Summary::new(&m);
    for run in 0..8 {
        sim.run(1, run, &mut ());
        summary.record(&sim);
    }
    let mut events = 0;
    let n = crate::alloc::allocations_during(|| {
        for run in 8..16 {
            sim.run(1, run, &mut ());
            summary.record(&sim);
            events += sim.events;
        }
    });
    assert!(events > 1000, "too few events ({events})");
    assert!(summary.phases[0].aborted_runs > 0, "no abort was exercised");
    assert_eq!(n, 0, "{n} allocations in 8 runs ({events} events)");
}

/// `compare` sets the strategies' mission reliabilities and per-phase failure chances side
/// by side, as `run` prints them one strategy at a time.
#[test]
fn compare_shows_each_strategys_mission_reliability() {
    let o = faultline(&[
        "compare",
        "scenarios/shuttle.ron",
        "--runs",
        "2000",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Phases: mission reliability"), "{out}");
    for name in ["baseline", "no-backup", "single-computer"] {
        let run = faultline(&[
            "run",
            "scenarios/shuttle.ron",
            "--runs",
            "2000",
            "--quiet",
            "--strategy",
            name,
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
        // run's heading: "no service failed in 98.55% of runs, 95% CI 98.37%–98.70%"
        let text = stdout(&run);
        let share = text
            .split("no service failed in ")
            .nth(1)
            .and_then(|t| t.split('%').next())
            .expect("run prints the mission reliability");
        let table = out.split("Phases: mission reliability").nth(1).unwrap();
        let row = table
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{out}"));
        assert!(row.contains(&format!("{share}% (")), "{row} vs {share}%");
    }
}
