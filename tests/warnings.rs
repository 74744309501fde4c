//! The warnings pass: valid scenarios that cannot do what they say are pointed at, with the
//! same carets as errors, by validate, run and compare; `--deny-warnings` makes them fatal
//! and `--json` lists them. Each case is a model that validates and simulates, but whose
//! figures would mislead without the warning.

use crate::common::{faultline, scenario_file, stderr, stdout};
use faultline::validate::{load_all_str, parse, warnings};

/// The warnings on `text` as `(path, message)`.
fn warned(text: &str) -> Vec<(String, String)> {
    let sc = parse("test.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let (_, models) =
        load_all_str("test.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    warnings(&sc, &models)
        .into_iter()
        .map(|w| (w.path.to_string(), w.message))
        .collect()
}

/// Asserts that exactly one warning is at `path` and says `says`.
fn assert_warns(text: &str, path: &str, says: &str) {
    let w = warned(text);
    assert!(
        w.iter().any(|(p, m)| p == path && m.contains(says)),
        "no warning at {path} saying {says:?}: {w:#?}"
    );
}

/// A database with a standby, a web tier, a service; `extra` strategies.
fn shop(extra: &str) -> String {
    format!(
        r#"Scenario(name: "shop", horizon: "30d", components: [
        (id: "db", faults: [(name: "crash", every: Exp(mean: "10d"), effect: Crash, repair: Fixed("1h"))]),
        (id: "db_standby"),
        (id: "app_1"), (id: "app_2"),
        (id: "tier", group: (need: 1, of: ["app_1", "app_2"])),
        (id: "site", service: (slo: 0.9)),
    ], edges: [
        (from: "site", to: "db", kind: Requires),
        (from: "site", to: "tier", kind: Requires),
        (from: "db_standby", to: "db", kind: Requires),
    ],
    common_cause: [(name: "bad-deploy", hits: ["app_1", "app_2"], every: Exp(mean: "20d"), effect: Crash, repair: Fixed("30m"))],
    strategies: [{extra}])"#
    )
}

#[test]
fn no_warning_for_a_sound_scenario_or_a_do_nothing_strategy() {
    assert_eq!(
        warned(&shop(r#"(name: "wait", about: "do nothing")"#)),
        vec![]
    );
}

#[test]
fn a_standby_that_depends_on_what_it_stands_in_for() {
    assert_warns(
        &shop(
            r#"(name: "failover", mitigations: [Failover(for: "db", standby: "db_standby", trigger: Auto("1m"))], cost: 5000.0)"#,
        ),
        "strategies[0].mitigations[0].standby",
        "depends on `db`, which it stands in for",
    );
}

#[test]
fn a_strategy_whose_model_is_the_baseline() {
    assert_warns(
        &shop(r#"(name: "same", patch: (components: [(id: "app_1")]), cost: 100.0)"#),
        "strategies[0].name",
        "changes nothing in the model",
    );
}

#[test]
fn a_mitigation_for_a_component_nothing_can_break() {
    assert_warns(
        &shop(
            r#"(name: "spare", mitigations: [Spare(for: ["db", "db_standby"], deploy: Fixed("1h"), trigger: Auto("0s"))])"#,
        ),
        "strategies[0].mitigations[0].for[1]",
        "no fault of its own can bring `db_standby` down",
    );
}

#[test]
fn a_service_no_fault_can_reach() {
    let text = r#"Scenario(name: "calm", horizon: "1d", components: [
        (id: "a"), (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)])"#;
    assert_warns(
        text,
        "components[1].service",
        "no fault can reach service `svc`",
    );
}

#[test]
fn an_alert_that_can_never_fire() {
    let text = r#"Scenario(name: "alerts", horizon: "1d", components: [
        (id: "a", faults: [(name: "crash", every: Exp(mean: "1d"), effect: Crash, repair: Fixed("1h"))]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)],
    alerts: [(on: "svc", when: Failed), (on: "a", when: SlowerThan(2.0)), (on: "a", when: Corrupt)],
    response: (acknowledge: Fixed("5m"), diagnose: Fixed("10m")))"#;
    assert_warns(text, "alerts[1].when", "no `Slow` fault can reach `a`");
    assert_warns(text, "alerts[2].when", "no `Corrupt` fault can reach `a`");
    assert_eq!(warned(text).len(), 2, "{:?}", warned(text));
}

#[test]
fn a_fault_that_never_happens() {
    let text = r#"Scenario(name: "never", horizon: "1d", components: [
        (id: "a", faults: [(name: "crash", every: Exp(mean: "1d"), effect: Crash, repair: Fixed("1h")),
                           (name: "chaos", every: Never, effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)])"#;
    assert_warns(text, "components[0].faults[1].every", "never happens");
}

#[test]
fn a_latent_fault_nothing_calls_on_or_inspects() {
    let text = |inspections: &str| {
        format!(
            r#"Scenario(name: "hidden", horizon: "1y", components: [
        (id: "a", faults: [(name: "rot", every: Exp(mean: "90d"), effect: Crash, latent: true),
                           (name: "start", effect: Crash, on_demand: 0.1)]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "a", kind: Requires)], strategies: [(name: "tests", inspections: [{inspections}])])"#
        )
    };
    assert_warns(
        &text(""),
        "components[0].faults[0].latent",
        "can never show",
    );
    // The failure on demand is not warned about as a fault that never happens.
    assert!(
        !warned(&text(""))
            .iter()
            .any(|(_, m)| m.contains("never happens"))
    );
    // An inspection in any strategy can find it.
    assert_eq!(warned(&text(r#"(on: "a", every: "30d")"#)), vec![]);
}

#[test]
fn a_server_added_beside_siblings_a_common_cause_all_hits() {
    let strategy = r#"(name: "third-server", patch: (components: [(id: "app_3"),
        (id: "tier", group: (need: 1, of: ["app_1", "app_2", "app_3"]))]))"#;
    assert_warns(
        &shop(strategy),
        "strategies[0].patch.components[0].id",
        "common cause `bad-deploy` all hits, but it does not hit `app_3`",
    );
    // Said with the common cause patched too, it is fine.
    let fixed = r#"(name: "third-server", patch: (components: [(id: "app_3"),
        (id: "tier", group: (need: 1, of: ["app_1", "app_2", "app_3"]))],
        common_cause: [(name: "bad-deploy", hits: ["app_1", "app_2", "app_3"])]))"#;
    assert_eq!(warned(&shop(fixed)), vec![]);
}

/// The command line shows warnings with carets, `--deny-warnings` refuses, `--json` lists.
#[test]
fn warnings_on_the_command_line() {
    let path = scenario_file(
        "warned",
        &shop(
            r#"(name: "failover", mitigations: [Failover(for: "db", standby: "db_standby", trigger: Auto("1m"))])"#,
        ),
    );
    let v = faultline(&["validate", &path]);
    assert!(v.status.success());
    let e = stderr(&v);
    assert!(
        e.contains("warning: ") && e.contains("warned.ron:13:"),
        "{e}"
    );
    assert!(e.contains("strategies[0].mitigations[0].standby"), "{e}");
    let denied = faultline(&["validate", &path, "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(2), "{}", stderr(&denied));
    let run = faultline(&["run", &path, "--runs", "10", "--deny-warnings", "--quiet"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("--deny-warnings"), "{}", stderr(&run));
    let json = faultline(&["compare", &path, "--runs", "10", "--json", "--quiet"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let j: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let w = &j["warnings"][0];
    assert_eq!(w["path"], "strategies[0].mitigations[0].standby", "{j}");
    assert!(w["at"].as_str().unwrap().contains("warned.ron:13:"), "{w}");
    // No warnings, no key: existing readers see what they saw.
    let quiet = scenario_file("unwarned", &shop(r#"(name: "wait")"#));
    let j = stdout(&faultline(&[
        "run", &quiet, "--runs", "10", "--json", "--quiet",
    ]));
    assert!(!j.contains("\"warnings\""), "{j}");
}
