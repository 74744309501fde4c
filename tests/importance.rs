//! `importance`: the money worth of components held to closed forms on a static model.

use crate::common::{faultline, scratch, stderr};
use serde_json::Value;

/// A service that needs `a` and one of `b`, `c`; faults and repairs exponential; an outage
/// costs $1 a minute, so a year's cost is its minutes of outage. Ten years, so the start
/// (everything healthy) weighs little against the steady state.
const MODEL: &str = r#"Scenario(
    name: "series-parallel",
    horizon: "3650d",
    runs: 300,
    seed: 4,
    components: [
        (id: "a", faults: [(name: "f", every: Exp(mean: "100d"), effect: Crash, repair: Exp(mean: "2d"))]),
        (id: "b", faults: [(name: "f", every: Exp(mean: "20d"), effect: Crash, repair: Exp(mean: "2d"))]),
        (id: "c", faults: [(name: "f", every: Exp(mean: "20d"), effect: Crash, repair: Exp(mean: "2d"))]),
        (id: "bc", group: (need: 1, of: ["b", "c"])),
        (id: "site", service: (slo: 1.0, users: 1)),
    ],
    edges: [
        (from: "site", to: "a", kind: Requires),
        (from: "site", to: "bc", kind: Requires),
    ],
    cost: (outage_per_minute: 1.0),
)
"#;

/// The entry of `component` in the report.
fn worth<'a>(j: &'a Value, component: &str) -> &'a Value {
    j["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["component"] == component)
        .unwrap_or_else(|| panic!("{component} missing: {j:#}"))
}

/// Asserts an estimate `e` (mean, ci95) holds `exact` within 3.3 standard errors (99.9%)
/// plus the start-up transient (under 1%), and that its interval is tight enough (under
/// 10% of `exact`) for the check to mean something.
fn holds(what: &str, e: &Value, exact: f64) {
    let (mean, ci) = (e["mean"].as_f64().unwrap(), e["ci95"].as_f64().unwrap());
    assert!(
        ci < 0.1 * exact,
        "{what}: interval ±{ci} too wide for {exact}"
    );
    let tolerance = 3.3 * ci / 1.96 + 0.01 * exact;
    assert!(
        (mean - exact).abs() <= tolerance,
        "{what}: measured {mean} ± {ci}, closed form {exact}"
    );
}

/// A perfect component saves its Birnbaum importance × its unavailability × the minutes of
/// a year (at $1 a minute); one failed for good adds what the system's unavailability
/// becomes with it down, minus what it was.
#[test]
fn component_worth_matches_birnbaum_weighted_by_cost() {
    let dir = scratch("importance");
    let file = dir.join("model.ron");
    std::fs::write(&file, MODEL).unwrap();
    let out = faultline(&["importance", file.to_str().unwrap(), "--json", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let year = 365.0 * 1440.0;
    let qa = 2.0 / 102.0;
    let q = 2.0 / 22.0;
    let u = 1.0 - (1.0 - qa) * (1.0 - q * q);
    holds(
        "perfect a",
        &worth(&j, "a")["perfect_per_year"],
        qa * (1.0 - q * q) * year,
    );
    holds(
        "perfect b",
        &worth(&j, "b")["perfect_per_year"],
        q * q * (1.0 - qa) * year,
    );
    holds(
        "a failed",
        &worth(&j, "a")["failed_per_year"],
        (1.0 - u) * year,
    );
    let b_down = 1.0 - (1.0 - qa) * (1.0 - q);
    holds(
        "b failed",
        &worth(&j, "b")["failed_per_year"],
        (b_down - u) * year,
    );
    // Ranked: a first (it is in series), then the two members.
    assert_eq!(j["components"][0]["component"], "a");
}

/// One fault at noon, found by an alert after 5 minutes, acknowledged in 10, diagnosed in
/// 20, repaired in an hour from the diagnosis: the outage lasts the sum, so each 10%
/// improvement saves exactly its share of it, at $1 a minute, every day of the year.
const RESPONSE: &str = r#"Scenario(
    name: "response",
    horizon: "1d",
    runs: 20,
    components: [
        (id: "db", faults: [(name: "crash", every: Never, effect: Crash, repair: Fixed("1h"))]),
        (id: "site", service: (slo: 1.0, users: 1)),
    ],
    edges: [(from: "site", to: "db", kind: Requires)],
    inject: [(at: "12h", fault: "crash", component: "db")],
    cost: (outage_per_minute: 1.0),
    alerts: [(on: "db", when: Failed, after: "5m")],
    response: (
        oncall: 1,
        acknowledge: Fixed("10m"),
        diagnose: Fixed("20m"),
        repair_starts: Diagnosis,
    ),
    strategies: [
        (name: "spare", mitigations: [Spare(for: ["db"], deploy: Fixed("10m"), capacity: 1.0)]),
    ],
)
"#;

#[test]
fn response_levers_save_their_share_of_the_outage() {
    let dir = scratch("importance-response");
    let file = dir.join("response.ron");
    std::fs::write(&file, RESPONSE).unwrap();
    let out = faultline(&["importance", file.to_str().unwrap(), "--json", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lever = |name: &str| {
        j["levers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["parameter"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {j:#}"))
            .clone()
    };
    // Minutes saved a day × 365 days, at $1 a minute.
    for (name, minutes, per_unit) in [
        ("diagnose", 2.0, 365.0),
        ("acknowledge", 1.0, 365.0),
        ("alert delays", 0.5, 365.0),
        ("runbook", 2.0, 730.0),
        ("responders", 0.0, 0.0),
    ] {
        let l = lever(name);
        let saved = l["saves_per_year"]["mean"].as_f64().unwrap();
        assert!(
            (saved - minutes * 365.0).abs() < 1e-6,
            "{name}: saves {saved} a year, want {}",
            minutes * 365.0
        );
        let unit = l["per_unit_per_year"].as_f64().unwrap();
        assert!(
            (unit - per_unit).abs() < 1e-6,
            "{name}: {unit} per unit, want {per_unit}"
        );
        // Every delay here is linear in the parameter, so a 10% slip costs what a 10%
        // improvement saves; a single responder has nobody to lose.
        let slip = &l["worse_costs_per_year"];
        if name == "responders" {
            assert!(slip.is_null() && l["worse"].is_null(), "{l:#}");
        } else {
            let slip = slip["mean"].as_f64().unwrap();
            assert!((slip - saved).abs() < 1e-6, "{name}: a slip costs {slip}");
        }
    }
    // The spare's deploy time is measured in the strategy that has it: 10% of 10 minutes
    // is a minute a day, $365 a year, $21,900 per hour of deploy time; a minute slower
    // costs the same.
    let l = lever("spare deploy");
    assert_eq!(l["strategy"], "spare", "{l:#}");
    let saved = l["saves_per_year"]["mean"].as_f64().unwrap();
    assert!((saved - 365.0).abs() < 1e-6, "deploy saves {saved}");
    let unit = l["per_unit_per_year"].as_f64().unwrap();
    assert!((unit - 21_900.0).abs() < 1e-6, "deploy: {unit} per hour");
    let slip = l["worse_costs_per_year"]["mean"].as_f64().unwrap();
    assert!((slip - 365.0).abs() < 1e-6, "a slower deploy costs {slip}");
}

/// `compare --importance` adds "Where to invest" to the report, with its two tornado charts
/// (written beside it) and the tables; it cannot be sharded.
#[test]
fn compare_shows_where_to_invest() {
    let dir = scratch("importance-compare");
    let file = dir.join("response.ron");
    std::fs::write(&file, RESPONSE).unwrap();
    let out_dir = dir.join("report");
    let f = file.to_str().unwrap();
    let out = faultline(&[
        "compare",
        f,
        "--importance",
        "-q",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Where to invest"));
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("<h2 id=\"worth\">Where to invest</h2>"));
    assert!(html.contains("id=\"chart-worth-components\""));
    assert!(html.contains("id=\"chart-worth-response\""));
    assert!(html.contains(">spare deploy (spare)</td>"));
    for chart in ["worth-components", "worth-response"] {
        for ext in ["svg", "png"] {
            assert!(
                out_dir.join(format!("{chart}.{ext}")).is_file(),
                "{chart}.{ext}"
            );
        }
    }
    let shard = dir.join("shard.json");
    let out = faultline(&[
        "compare",
        f,
        "--importance",
        "--shard",
        "1/2",
        "--shard-file",
        shard.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--importance cannot be sharded"));
    assert!(!shard.exists());
}
