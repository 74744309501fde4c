//! A queue over time: the series (per slice of the run, across runs) and the phases of a
//! rate schedule against M/M/1 closed forms; the series in `--json` and `--series FILE.csv`,
//! byte for byte the same whatever the thread count; bad `--series` paths refused.

use crate::common::{faultline, scenario_file, scratch, stderr, stdout};
use faultline::montecarlo::{self, QueueStats, Study};
use faultline::queue::GRID;
use faultline::stats::Moments;
use faultline::validate::load_all_str;
use std::path::Path;

/// The first queue's statistics of `runs` runs of scenario `text` (seed 11).
fn queue_of(text: &str, runs: u64) -> QueueStats {
    let (_, models) =
        load_all_str("series.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let s = montecarlo::run_all(&models, Study::whole(11, runs, 0), &|_| {});
    s[0].queues[0].clone()
}

/// `m`'s mean is within `z` standard errors of `exact`, and the standard error below
/// `max_rel_se` of it (so that the test can fail).
fn within(what: &str, m: &Moments, exact: f64, z: f64, max_rel_se: f64) {
    let se = m.std_err();
    assert!(
        se > 0.0 && se < max_rel_se * exact,
        "{what}: standard error {se} is not below {max_rel_se} of {exact}"
    );
    let d = (m.mean() - exact) / se;
    assert!(
        d.abs() <= z,
        "{what}: measured {:.5} vs exact {exact:.5} ({d:+.2} standard errors)",
        m.mean()
    );
}

/// An M/M/1 queue (μ = 1) at `rate`, with `extra` queue fields, over `horizon`.
fn mm1(rate: f64, horizon: &str, extra: &str) -> String {
    format!(
        r#"Scenario(name: "mm1", horizon: "{horizon}", components: [
            (id: "q", queue: (rate: {rate}, workers: 1, service: Exp(mean: "1s") {extra}),
             service: (slo: 0.5)),
        ])"#
    )
}

#[test]
fn mm1_series_has_goodput_lambda_one_attempt_per_job_and_mm1_latency_in_every_slice() {
    // λ = 0.5, μ = 1: goodput λ, W = 1/(μ − λ) = 2 s, Lq = ρ²/(1 − ρ) = 0.5 waiting.
    let q = queue_of(&mm1(0.5, "30000s", ""), 200);
    assert_eq!(q.series.len(), GRID);
    let mut backlog = Moments::new();
    // Slice 0 holds the start from empty; every later one is steady state.
    for (g, x) in q.series.iter().enumerate().skip(1) {
        within(&format!("goodput[{g}]"), &x.goodput.moments, 0.5, 4.0, 0.01);
        within(&format!("latency[{g}]"), &x.latency.moments, 2.0, 4.0, 0.02);
        let a = &x.attempts_per_job;
        assert_eq!(a.moments.count(), 200, "slice {g}: every run had new jobs");
        assert_eq!(
            a.moments.mean(),
            1.0,
            "slice {g}: no retries, one attempt per job"
        );
        assert_eq!([a.quantile(0.1), a.quantile(0.9)], [1.0, 1.0], "slice {g}");
        let p = [0.1, 0.5, 0.9].map(|p| x.goodput.quantile(p));
        assert!(
            p[0] <= p[1] && p[1] <= p[2] && p[0] > 0.3 && p[2] < 0.7,
            "{p:?}"
        );
        backlog.merge(&x.backlog);
    }
    // The backlog at slice ends: samples of the waiting line, whose mean is Lq.
    within("backlog", &backlog, 0.5, 2.576, 0.05);
}

#[test]
fn a_two_phase_schedule_gives_each_phase_its_own_mm1() {
    // λ = 0.5 for 20,000 s, then 0.8: each phase long against the relaxation time, so its
    // time averages are the M/M/1's: Lq = ρ²/(1 − ρ), L = ρ/(1 − ρ), W = 1/(μ − λ).
    let q = queue_of(&mm1(0.5, "40000s", r#", schedule: [("20000s", 0.8)]"#), 300);
    assert_eq!(q.phases.len(), 2);
    for (p, lambda) in [(0, 0.5), (1, 0.8)] {
        let x = &q.phases[p];
        let rho: f64 = lambda;
        assert_eq!(x.time.count(), 300);
        assert_eq!(
            (x.time.min(), x.time.max()),
            (20_000.0, 20_000.0),
            "phase {p}"
        );
        within(
            &format!("phase {p} offered"),
            &x.offered,
            lambda,
            2.576,
            0.01,
        );
        within(
            &format!("phase {p} goodput"),
            &x.goodput,
            lambda,
            2.576,
            0.01,
        );
        within(
            &format!("phase {p} backlog"),
            &x.backlog,
            rho * rho / (1.0 - rho),
            2.576,
            0.02,
        );
        within(
            &format!("phase {p} in system"),
            &x.in_system,
            rho / (1.0 - rho),
            2.576,
            0.02,
        );
        within(
            &format!("phase {p} latency"),
            &x.latency,
            1.0 / (1.0 - lambda),
            2.576,
            0.02,
        );
        assert_eq!(x.attempts_per_job.mean(), 1.0, "phase {p}: no retries");
        assert!(x.success.mean() > 0.999 && x.success.mean() <= 1.0 + 1e-3);
    }
}

#[test]
fn phases_are_split_at_the_event_not_at_a_slice() {
    // A change at 1000.5 s, inside a slice: the phases' times add up to the horizon and
    // end exactly at the change.
    let q = queue_of(
        &mm1(
            0.5,
            "4800s",
            r#", schedule: [("1000.5s", 0.8), ("4000s", 0.2)]"#,
        ),
        64,
    );
    let times: Vec<f64> = q.phases.iter().map(|p| p.time.mean()).collect();
    assert_eq!(times.len(), 3);
    assert!((times[0] - 1000.5).abs() < 1e-6, "{times:?}");
    assert!((times[1] - 2999.5).abs() < 1e-6, "{times:?}");
    assert!((times[2] - 800.0).abs() < 1e-6, "{times:?}");
    // Without a schedule there are no phases.
    assert!(queue_of(&mm1(0.5, "600s", ""), 4).phases.is_empty());
}

#[test]
fn retries_show_as_attempts_per_job_in_the_slices_of_a_storm() {
    // Overloaded (λ = 2 against μ = 1) with a 2 s timeout and 3 retries: after the first
    // slices almost every attempt times out, so a job costs close to 4 attempts (a slice's
    // attempts include retries of jobs from the slice before, so a run may show a little
    // more than 4).
    let text = mm1(2.0, "4800s", r#", timeout: "2s", retries: (count: 3)"#);
    let q = queue_of(&text, 16);
    let late = &q.series[GRID - 1].attempts_per_job;
    assert!(late.moments.mean() > 3.5, "{}", late.moments.mean());
    let p50 = late.quantile(0.5);
    assert!(p50 > 3.5 && p50 < 4.3, "{p50}");
}

/// A scenario with a schedule, retries and a strategy, written where the CLI reads it.
fn storm_file(name: &str) -> String {
    scenario_file(
        name,
        r#"Scenario(name: "storm", horizon: "2h", components: [
            (id: "api", queue: (rate: 5.0, schedule: [("30m", 12.0), ("40m", 5.0)], workers: 2,
                service: Exp(mean: "150ms"), timeout: "2s", retries: (count: 2)),
             service: (slo: 0.5)),
            (id: "log", queue: (rate: 1.0, workers: 1, service: Exp(mean: "100ms"))),
        ], strategies: [
            (name: "budget", patch: (components: [
                (id: "api", queue: (rate: 5.0, schedule: [("30m", 12.0), ("40m", 5.0)], workers: 2,
                    service: Exp(mean: "150ms"), timeout: "2s", retries: (count: 2, budget: 0.1)),
                 service: (slo: 0.5)),
            ])),
        ])"#,
    )
}

/// `faultline args...`, which must succeed; its stdout.
fn ok(args: &[&str]) -> String {
    let out = faultline(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn series_json_and_csv_are_the_same_whatever_the_thread_count() {
    let file = storm_file("series-threads");
    let dir = scratch("series-threads-out");
    let (a, b) = (dir.join("t1.csv"), dir.join("t2.csv"));
    let out = dir.join("report");
    let run = |csv: &Path, threads: &str| {
        ok(&[
            "compare",
            &file,
            "--runs",
            "150",
            "--json",
            "-q",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "--series",
            csv.to_str().unwrap(),
        ])
    };
    let (j1, j2) = (run(&a, "1"), run(&b, "2"));
    assert_eq!(j1, j2, "thread count changed the JSON");
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&b).unwrap(),
        "thread count changed the CSV"
    );
    assert!(out.join("queue-api-series.svg").exists() && out.join("queue-api-series.png").exists());

    // The CSV: the header, then a row per strategy, queue and slice, in the JSON's order.
    let mut r = csv::Reader::from_path(&a).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        faultline::series::COLUMNS.map(String::from).to_vec()
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 2 * 2 * GRID);
    assert_eq!(
        (&rows[0][0], &rows[0][1], &rows[0][2]),
        ("baseline", "api", "0")
    );
    let last = &rows[rows.len() - 1];
    assert_eq!((&last[0], &last[1], &last[2]), ("budget", "log", "47"));
    assert_eq!(last[4].parse::<f64>().unwrap(), 7200.0);

    // The JSON carries the same numbers, and the phases of the schedule.
    let j: serde_json::Value = serde_json::from_str(&j1).unwrap();
    let api = &j["strategies"][0]["queues"][0];
    let s = &api["series"];
    assert_eq!(s["t_s"].as_array().unwrap().len(), GRID);
    assert_eq!(s["slice_s"].as_f64(), Some(150.0));
    let g = s["goodput_per_s"]["mean"][3].as_f64().unwrap();
    assert_eq!(rows[3][5].parse::<f64>().unwrap(), g);
    assert!((g - 5.0).abs() < 0.5, "goodput before the surge: {g}");
    let phases = api["schedule_phases"].as_array().unwrap();
    assert_eq!(phases.len(), 3);
    assert_eq!(phases[1]["from_s"].as_f64(), Some(1800.0));
    assert_eq!(phases[1]["to_s"].as_f64(), Some(2400.0));
    assert_eq!(phases[1]["rate"].as_f64(), Some(12.0));
    assert!(phases[1]["attempts_per_job"]["mean"].as_f64().unwrap() > 1.2);
    assert!(
        j["strategies"][0]["queues"][1]
            .get("schedule_phases")
            .is_none()
    );
}

#[test]
fn run_prints_a_table_per_scheduled_queue_and_phase() {
    let file = storm_file("series-table");
    let text = ok(&["run", &file, "--runs", "20", "-q"]);
    assert!(
        text.contains("Queue `api` by phase of its rate schedule"),
        "{text}"
    );
    assert!(!text.contains("Queue `log` by phase"), "{text}");
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Queue `api` by phase"))
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(table.len(), 3, "{text}");
    assert!(
        table[1].trim_start().starts_with("30m – 40m"),
        "{}",
        table[1]
    );
    // compare: a row per strategy and phase.
    let out = scratch("series-table-out");
    let text = ok(&[
        "compare",
        &file,
        "--runs",
        "20",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    let rows = text
        .lines()
        .skip_while(|l| !l.starts_with("Queue `api` by phase"))
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .count();
    assert_eq!(rows, 6, "{text}");
}

#[test]
fn a_series_path_that_cannot_be_written_is_refused_before_simulating() {
    let file = storm_file("series-bad");
    let dir = scratch("series-bad-out");
    let d = dir.to_str().unwrap();
    let refused = |args: &[&str]| {
        let out = faultline(args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("--series"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "simulated anyway");
    };
    // A directory.
    refused(&["run", &file, "--runs", "4", "-q", "--series", d]);
    // A symlink: not written through, its target kept.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    refused(&[
        "compare",
        &file,
        "--runs",
        "4",
        "-q",
        "--series",
        link.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    // Under a regular file, where no folder can be made.
    let under = victim.join("x.csv");
    refused(&[
        "run",
        &file,
        "--runs",
        "4",
        "-q",
        "--series",
        under.to_str().unwrap(),
    ]);
    // With a shard.
    let f = dir.join("x.csv");
    let shard = dir.join("s.jsonl");
    refused(&[
        "run",
        &file,
        "--runs",
        "4",
        "-q",
        "--shard",
        "0/2",
        "--shard-file",
        shard.to_str().unwrap(),
        "--series",
        f.to_str().unwrap(),
    ]);
    assert!(!f.exists());
    // Only `run` and `compare` have the flag.
    let out = faultline(&["trace", &file, "--series", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
}
