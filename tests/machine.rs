//! Machine-readable everywhere: `validate --json`, `trace --json`, the version key in every
//! JSON document, the per-run CSV of `run` and `compare`, and sweep.csv.

use crate::common::{faultline, scenario_file, scratch, stderr, stdout};
use std::path::Path;

const SUBSTATION: &str = "scenarios/substation.ron";

/// A database without a standby (a single point of failure), a web tier of two, a service;
/// `strategies` as given.
fn shop(strategies: &str) -> String {
    format!(
        r#"Scenario(name: "shop", horizon: "30d", runs: 200, components: [
        (id: "db", faults: [(name: "crash", every: Exp(mean: "10d"), effect: Crash, repair: Fixed("1h"))]),
        (id: "app_1", faults: [(name: "oom", every: Exp(mean: "5d"), effect: Crash, repair: Fixed("20m"))]),
        (id: "app_2", faults: [(name: "oom", every: Exp(mean: "5d"), effect: Crash, repair: Fixed("20m"))]),
        (id: "tier", group: (need: 1, of: ["app_1", "app_2"])),
        (id: "db_standby"),
        (id: "site", service: (slo: 0.9, users: 1000)),
    ], edges: [
        (from: "site", to: "db", kind: Requires),
        (from: "site", to: "tier", kind: Requires),
    ],
    common_cause: [(name: "bad-deploy", hits: ["app_1", "app_2"], every: Exp(mean: "20d"), effect: Crash, repair: Fixed("30m"))],
    cost: (outage_per_minute: 10.0),
    strategies: [{strategies}])"#
    )
}

/// Runs faultline, expects success, and parses stdout as JSON.
fn json_of(args: &[&str]) -> serde_json::Value {
    let out = faultline(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

/// Asserts the document carries the version of the binary that wrote it.
fn assert_versioned(j: &serde_json::Value) {
    assert_eq!(
        j["faultline_version"],
        env!("CARGO_PKG_VERSION"),
        "no faultline_version key"
    );
}

#[test]
fn validate_json_lists_counts_and_single_points_of_failure() {
    let path = scenario_file("machine-valid", &shop(r#"(name: "wait")"#));
    let j = json_of(&["validate", &path, "--json"]);
    assert_versioned(&j);
    assert_eq!(j["scenario"], "shop");
    assert_eq!(j["valid"], true);
    let c = &j["counts"];
    assert_eq!(c["components"], 6);
    assert_eq!(c["edges"], 2);
    assert_eq!(c["common_causes"], 1);
    assert_eq!(c["services"], 1);
    assert_eq!(c["strategies"], 1);
    assert_eq!(j["problems"].as_array().unwrap().len(), 0);
    // The database alone fails the site; the tier is redundant, so its members are not
    // SPOFs, but the common cause hitting both is.
    let spofs = j["spofs"].as_array().unwrap();
    let db = spofs
        .iter()
        .find(|s| s["component"] == "db")
        .expect("db is a SPOF");
    assert_eq!(db["services"], serde_json::json!(["site"]));
    assert_eq!(db["can_fail"], true);
    assert!(spofs.iter().all(|s| s["component"] != "app_1"), "{j}");
    assert_eq!(j["common_cause_spofs"][0]["common_cause"], "bad-deploy");
    assert_eq!(j["common_cause_spofs"][0]["services"][0], "site");
    // The human output names the same SPOFs.
    let human = stdout(&faultline(&["validate", &path]));
    assert!(human.contains("- db → site"), "{human}");
}

#[test]
fn validate_json_of_an_invalid_scenario_locates_each_problem() {
    let text = shop(r#"(name: "wait")"#).replace(r#"to: "tier", kind"#, r#"to: "teir", kind"#);
    let path = scenario_file("machine-invalid", &text);
    let out = faultline(&["validate", &path, "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_versioned(&j);
    assert_eq!(j["valid"], false);
    assert_eq!(j["scenario"], "shop");
    assert!(j["counts"].is_null());
    let p = &j["problems"][0];
    assert!(p["message"].as_str().unwrap().contains("teir"), "{p}");
    assert_eq!(p["file"], path.as_str());
    // `(from: "site", to: "teir", ...)` is on line 10 of the file.
    assert_eq!(p["line"], 10, "{p}");
    let col = p["column"].as_u64().unwrap() as usize;
    let line = text.lines().nth(9).unwrap();
    assert!(
        line[col - 1..].starts_with("\"teir\""),
        "column {col} of {line:?}"
    );
    assert!(
        p["hint"].as_str().is_some_and(|h| h.contains("tier")),
        "{p}"
    );
    // A syntax error is located too.
    let broken = scenario_file("machine-syntax", "Scenario(name: \"x\",\n  horizon: 12 12)");
    let out = faultline(&["validate", &broken, "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(j["problems"][0]["line"], 2, "{j}");
    // ...with the hint the rendered error gives (how to write a distribution).
    let broken = scenario_file(
        "machine-syntax-hint",
        "Scenario(name: \"x\", horizon: \"1d\", components: [\n  (id: \"a\", faults: [(name: \"f\", every: Exp(\"9d\"), effect: Crash)])])",
    );
    let out = faultline(&["validate", &broken, "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let hint = j["problems"][0]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("Exp(mean: \"9d\")"), "{j}");
    assert!(stderr(&out).contains(hint), "{}", stderr(&out));
}

#[test]
fn validate_json_carries_warnings() {
    // A mitigation for a component nothing can break is a warning, not a problem.
    let text = shop(
        r#"(name: "spare", mitigations: [Spare(for: ["db", "db_standby"], deploy: Fixed("1h"), trigger: Auto("0s"))])"#,
    );
    let path = scenario_file("machine-warned", &text);
    let human = faultline(&["validate", &path]);
    assert!(human.status.success(), "{}", stderr(&human));
    assert!(stderr(&human).contains("warning: "), "{}", stderr(&human));
    let out = faultline(&["validate", &path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(j["valid"], true);
    let w = &j["warnings"][0];
    assert!(
        w["path"].as_str().unwrap().starts_with("strategies[0]"),
        "{j}"
    );
    assert!(
        w["at"].as_str().unwrap().contains("machine-warned.ron:"),
        "{w}"
    );
    let denied = faultline(&["validate", &path, "--json", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&denied.stdout).expect("JSON");
    assert_eq!(j["warnings"], serde_json::json!([w]));
}

#[test]
fn trace_json_has_the_events_of_the_text_trace() {
    let out = scratch("machine-trace");
    let dir = out.to_str().unwrap();
    let text = stdout(&faultline(&[
        "trace", SUBSTATION, "--run", "3", "--out", dir, "-q",
    ]));
    let j = json_of(&[
        "trace", SUBSTATION, "--run", "3", "--out", dir, "-q", "--json",
    ]);
    assert_versioned(&j);
    assert_eq!(j["run"], 3);
    assert_eq!(j["strategy"], "baseline");
    // Timeline lines start with their time stamp (`day D hh:mm:ss`); a failure's path line
    // under it starts blank.
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| *l != "Postmortem")
        .filter(|l| l.trim_start().starts_with("day "))
        .collect();
    let events = j["events"].as_array().unwrap();
    assert!(!events.is_empty());
    assert_eq!(events.len(), lines.len());
    let first = &events[0];
    let l = lines[0];
    assert!(
        l.contains(first["time"].as_str().unwrap()),
        "{l} vs {first}"
    );
    assert!(
        l.contains(first["kind"].as_str().unwrap()),
        "{l} vs {first}"
    );
    assert!(
        l.ends_with(first["text"].as_str().unwrap()),
        "{l} vs {first}"
    );
    assert!(first["t_s"].is_f64() || first["t_s"].is_u64());
    assert_eq!(first["run"], 3);
    assert_eq!(first["strategy"], "baseline");
    // The gunfire hits a transformer: its fault line names the component.
    let fault = events
        .iter()
        .find(|e| e["kind"] == "FAULT")
        .expect("a FAULT");
    assert!(fault["component"].is_string(), "{fault}");
    let n_failures = j["failures"].as_array().unwrap().len();
    let failure_lines = lines.iter().filter(|l| l.contains("FAILURE")).count();
    assert_eq!(n_failures, failure_lines);
}

#[test]
fn every_json_carries_the_faultline_version() {
    let out = scratch("machine-version");
    let dir = out.to_str().unwrap();
    assert_versioned(&json_of(&[
        "run", SUBSTATION, "--runs", "20", "--json", "-q",
    ]));
    assert_versioned(&json_of(&[
        "compare", SUBSTATION, "--runs", "20", "--json", "-q", "--out", dir,
    ]));
    assert_versioned(&json_of(&["validate", SUBSTATION, "--json"]));
    let set = "strategies[1].mitigations[0].deploy=1d,3d";
    let j = json_of(&[
        "sweep", SUBSTATION, "--set", set, "--runs", "20", "--json", "-q", "--out", dir,
    ]);
    assert_versioned(&j);
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sweep.json")).unwrap()).unwrap();
    assert_versioned(&file);
}

/// The per-run CSV's records.
fn records(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("a CSV file");
    let header = r.headers().unwrap().clone();
    let rows = r.records().map(|x| x.expect("a record")).collect();
    (header, rows)
}

#[test]
fn per_run_csv_agrees_with_the_summary_and_the_thread_count() {
    let dir = scratch("machine-per-run");
    let (a, b) = (dir.join("t1.csv"), dir.join("t2.csv"));
    let run = |p: &Path, threads: &str| {
        json_of(&[
            "run",
            SUBSTATION,
            "--runs",
            "300",
            "--seed",
            "9",
            "--json",
            "-q",
            "--threads",
            threads,
            "--per-run",
            p.to_str().unwrap(),
        ])
    };
    let j = run(&a, "1");
    run(&b, "2");
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&b).unwrap(),
        "thread count changed the CSV"
    );
    let (header, rows) = records(&a);
    for col in [
        "run",
        "strategy",
        "downtime_s",
        "failures",
        "cost",
        "user_minutes",
        "mttd_s",
        "mttr_s",
    ] {
        assert!(header.iter().any(|h| h == col), "no column {col}");
    }
    assert_eq!(rows.len(), 300);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let runs: Vec<u64> = rows
        .iter()
        .map(|r| r[col("run")].parse().unwrap())
        .collect();
    assert_eq!(runs, (0..300).collect::<Vec<u64>>(), "rows in run order");
    let mean = |name: &str| {
        let k = col(name);
        rows.iter()
            .map(|r| r[k].parse::<f64>().unwrap())
            .sum::<f64>()
            / rows.len() as f64
    };
    let s = &j["strategies"][0];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    let downtime = s["downtime_s"]["mean"].as_f64().unwrap();
    assert!(
        close(mean("downtime_s"), downtime),
        "{} vs {downtime}",
        mean("downtime_s")
    );
    let cost = s["cost"]["mean"].as_f64().unwrap();
    assert!(close(mean("cost"), cost), "{} vs {cost}", mean("cost"));
    let um = s["user_minutes"]["mean"].as_f64().unwrap();
    assert!(close(mean("user_minutes"), um));
    let failures = s["failures"]["mean"].as_f64().unwrap();
    assert!(close(mean("failures"), failures));
}

#[test]
fn per_run_csv_of_compare_is_run_then_strategy_and_quotes_names() {
    let dir = scratch("machine-per-run-compare");
    let odd = r#"fast, \"cheap\" fix"#;
    let text = shop(&format!(r#"(name: "{odd}")"#));
    let path = scenario_file("machine-odd", &text);
    let csv_path = dir.join("runs.csv");
    let out = faultline(&[
        "compare",
        &path,
        "--runs",
        "200",
        "-q",
        "--out",
        dir.to_str().unwrap(),
        "--per-run",
        csv_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, rows) = records(&csv_path);
    // 200 runs are chunks of 6: the order inside a chunk is checked too.
    assert_eq!(rows.len(), 400);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0].parse::<usize>().unwrap(), i / 2);
        let want = if i % 2 == 0 {
            "baseline"
        } else {
            "fast, \"cheap\" fix"
        };
        assert_eq!(&r[1], want, "row {i}");
    }
    // A run without a detected failure has no MTTD: an empty cell, not NaN.
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(!text.contains("NaN"), "{text}");
}

#[test]
fn per_run_path_that_cannot_be_written_is_refused_before_simulating() {
    let dir = scratch("machine-per-run-bad");
    let d = dir.to_str().unwrap();
    // A directory where the file should go: exit 2, the flag and the path named.
    let out = faultline(&["run", SUBSTATION, "--runs", "10", "-q", "--per-run", d]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--per-run"), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "simulated anyway: {}",
        stdout(&out)
    );
    // Only `run` and `compare` have the flag: elsewhere clap refuses it.
    let out = faultline(&["trace", SUBSTATION, "--per-run", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument"),
        "{}",
        stderr(&out)
    );
    // With a shard: refused too.
    let f = dir.join("x.csv");
    let out = faultline(&[
        "run",
        SUBSTATION,
        "--runs",
        "10",
        "-q",
        "--shard",
        "0/2",
        "--shard-file",
        dir.join("s.jsonl").to_str().unwrap(),
        "--per-run",
        f.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!f.exists());
    // A symlink is not written through: refused, its target kept.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let l = link.to_str().unwrap();
    let out = faultline(&["run", SUBSTATION, "--runs", "10", "-q", "--per-run", l]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("link.csv"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    // A regular file is replaced whole, and no temporary file is left beside it.
    std::fs::write(&f, "old").unwrap();
    let out = faultline(&[
        "run",
        SUBSTATION,
        "--runs",
        "10",
        "-q",
        "--per-run",
        f.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.starts_with("run,strategy,"), "{text}");
    assert_eq!(text.lines().count(), 11);
    let tmp = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(tmp, 0, "temporary files left");
}

#[test]
fn sweep_csv_matches_sweep_json() {
    let dir = scratch("machine-sweep");
    let set = "strategies[1].mitigations[0].deploy=1d,3d,5d";
    let out = faultline(&[
        "sweep",
        SUBSTATION,
        "--set",
        set,
        "--runs",
        "40",
        "--out",
        dir.to_str().unwrap(),
        "--metric",
        "downtime",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("sweep.csv"), "{}", stderr(&out));
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sweep.json")).unwrap()).unwrap();
    let (header, rows) = records(&dir.join("sweep.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let strategies = j["strategies"].as_array().unwrap();
    let values = j["values"].as_array().unwrap();
    assert_eq!(rows.len(), strategies.len() * values.len());
    let mut rows = rows.iter();
    for v in values {
        for (k, s) in strategies.iter().enumerate() {
            let r = rows.next().unwrap();
            assert_eq!(&r[col("value")], v["value"].as_str().unwrap());
            assert_eq!(&r[col("strategy")], s.as_str().unwrap());
            assert_eq!(
                r[col("x")].parse::<f64>().unwrap(),
                v["x"].as_f64().unwrap()
            );
            // The JSON charts downtime in hours; the CSV has seconds.
            let hours = v["points"][k]["mean"].as_f64().unwrap();
            let seconds: f64 = r[col("mean")].parse().unwrap();
            assert!(
                (seconds / 3600.0 - hours).abs() <= 1e-9 * hours.max(1.0),
                "{seconds} s vs {hours} h"
            );
        }
    }
    // One day, in seconds and as the table writes it.
    let (_, rows) = records(&dir.join("sweep.csv"));
    assert_eq!(&rows[0][col("x")], "86400");
    assert_eq!(&rows[0][col("x_text")], "1d");
}
