//! Availability objectives and error budgets, window by window, on outages whose every time
//! is fixed: each window's failed time, and so its budget used, can be written down.

use crate::common::{faultline, scenario_file, stderr, stdout};
use faultline::model::Model;
use faultline::montecarlo::{ObjectiveStats, Study, run_all};
use faultline::validate::load_all_str;

const MIN: f64 = 60.0;
const HOUR: f64 = 3600.0;

/// A service that fails at `at` for `lasts`, promised `availability` over 28-day windows,
/// over `horizon`.
fn scenario(at: &str, lasts: &str, availability: &str, horizon: &str) -> String {
    format!(
        r#"Scenario(name: "slo", horizon: "{horizon}",
            components: [
                (id: "db", faults: [(name: "outage", every: At("{at}"), effect: Crash, repair: Fixed("{lasts}"))]),
                (id: "site", service: (slo: 0.5, objective: (availability: {availability}, window: "28d"))),
            ],
            edges: [(from: "site", to: "db", kind: Requires)],
        )"#
    )
}

fn objective(text: &str) -> ObjectiveStats {
    let ms: Vec<Model> = load_all_str("slo.ron", text)
        .unwrap_or_else(|e| panic!("{}", e.render(false)))
        .1;
    let ss = run_all(&ms, Study::whole(1, 10, 2), &|_| {});
    ss[0].services[0].objective.clone().expect("an objective")
}

#[test]
fn an_outage_uses_the_budget_of_the_window_it_falls_in() {
    // 99.9% of 28 days allows 40.32 minutes; a 2-hour outage on day 1 uses 2/0.672 of it.
    let budget = 0.001 * 28.0 * 24.0 * HOUR;
    assert!((budget - 40.32 * MIN).abs() < 1e-9);
    let o = objective(&scenario("1d", "2h", "0.999", "84d"));
    assert_eq!((o.windows, o.met, o.breached_runs), (30, 20, 10));
    assert!((o.attainment() - 2.0 / 3.0).abs() < 1e-12);
    let used = 2.0 * HOUR / budget;
    assert!(
        (o.budget_used.mean() - used / 3.0).abs() < 1e-9,
        "{}",
        o.budget_used.mean()
    );
    assert!((o.budget_used.max() - used).abs() < 1e-9);
    // The same outage within the budget of a 99% objective (6h 43m 12s): every window met.
    let o = objective(&scenario("1d", "2h", "0.99", "84d"));
    assert_eq!((o.met, o.breached_runs), (30, 0));
}

#[test]
fn an_outage_across_a_window_boundary_is_split_between_the_two() {
    // 27d 23h to 28d 1h: one hour in the first window, one in the second.
    let budget = 0.001 * 28.0 * 24.0 * HOUR;
    let o = objective(&scenario("27d23h", "2h", "0.999", "84d"));
    assert_eq!((o.windows, o.met), (30, 10));
    assert!((o.budget_used.max() - HOUR / budget).abs() < 1e-9);
    assert!((o.budget_used.mean() - 2.0 * HOUR / budget / 3.0).abs() < 1e-9);
    // Time past the last whole window is not judged: a 90-day run holds three windows, and
    // an outage on day 88 counts in none.
    let o = objective(&scenario("88d", "2h", "0.999", "90d"));
    assert_eq!((o.windows, o.met), (30, 30));
}

#[test]
fn objectives_are_printed_and_bad_ones_refused() {
    let path = scenario_file("slo", &scenario("1d", "2h", "0.999", "84d"));
    let out = faultline(&["run", &path, "--runs", "10", "-q"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "Objective site: 99.9% over every 28d (3 windows per run): met in 66.7% of windows"
        ),
        "{text}"
    );
    let out = faultline(&["run", &path, "--runs", "10", "--json", "-q"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let o = &json["strategies"][0]["services"][0]["objective"];
    assert_eq!(o["windows_per_run"], 3);
    assert_eq!(o["breach_probability"]["share"], 1.0);
    // Not an objective: 100%, a window the horizon cannot hold, or too many windows.
    for (text, message) in [
        (
            scenario("1d", "2h", "1.0", "84d"),
            "an availability objective is in (0, 1), not 1",
        ),
        (
            scenario("1d", "2h", "0.999", "20d"),
            "a window of 28d does not fit in the horizon of 20d",
        ),
        (
            scenario("1d", "2h", "0.999", "84d").replace("\"28d\"", "\"1s\""),
            "a window of 1s cuts the horizon of 84d into more than 100000 windows",
        ),
    ] {
        let path = scenario_file("slo-bad", &text);
        let out = faultline(&["validate", &path]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
}
