//! Burn-rate rules on outages whose every time is fixed: when each rule pages can be worked
//! out by hand (availability 0.999 over 30 days: a 14.4× rule over 1 hour needs
//! 14.4 × 0.001 × 3600 = 51.84 failed seconds in the last hour, and 4.32 in the last 5
//! minutes), and so can what the summary counts.

use crate::common::{faultline, models, scenario_file, stderr, stdout};
use faultline::engine::response::DetectedBy;
use faultline::engine::{Note, Observer, Sim};
use faultline::montecarlo::{BurnStats, Study, run_all};

const DAY: f64 = 86_400.0;
/// 14.4 × 0.001 × 1 hour.
const FAST: f64 = 51.84;

/// A service `web` needing `db`, whose faults (name, at, lasts) each happen once; the
/// service promises 99.9% over 30 days and is watched by `rules`.
fn scenario(faults: &[(&str, &str, &str)], rules: &str) -> String {
    let faults: Vec<String> = (faults.iter())
        .map(|(name, at, lasts)| {
            format!(
                r#"(name: "{name}", every: At("{at}"), effect: Crash, repair: Fixed("{lasts}"))"#
            )
        })
        .collect();
    format!(
        r#"Scenario(name: "burn", horizon: "30d",
            components: [
                (id: "db", faults: [{}]),
                (id: "web", service: (slo: 0.5, objective: (availability: 0.999, window: "30d"))),
            ],
            edges: [(from: "web", to: "db", kind: Requires)],
            alerts: [{rules}],
            response: (oncall: 3),
        )"#,
        faults.join(", ")
    )
}

const RULE: &str = r#"(on: "web", when: Burn(factor: 14.4, long: "1h", short: "5m"))"#;

/// Times at which alert `alert` opened an incident, in one run.
struct Pages(Vec<(f64, u32)>);

impl Observer for Pages {
    fn note(&mut self, t: f64, n: Note) {
        if let Note::Detected {
            by: DetectedBy::Alert(a),
            ..
        } = n
        {
            self.0.push((t, a));
        }
    }
}

/// The pages of run 0 of the scenario's baseline.
fn pages(text: &str) -> Vec<(f64, u32)> {
    let ms = models(text);
    let mut sim = Sim::new(&ms[0]);
    let mut p = Pages(Vec::new());
    sim.run(1, 0, &mut p);
    p.0
}

/// The burn statistics of the baseline over two runs (every run alike).
fn stats(text: &str) -> Vec<BurnStats> {
    let ms = models(text);
    run_all(&ms[..1], Study::whole(1, 2, 1), &|_| {})[0]
        .burns
        .clone()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn an_outage_pages_after_exactly_51_84_seconds() {
    let text = scenario(&[("outage", "1d", "10m")], RULE);
    let p = pages(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(close(p[0].0, DAY + FAST), "{}", p[0].0 - DAY);
    let s = stats(&text);
    // One rule, then the service's policy.
    assert_eq!(s.len(), 2);
    for x in &s {
        assert_eq!(
            (x.pages, x.significant, x.detected, x.missed, x.nuisance),
            (2, 2, 2, 0, 0)
        );
        assert!(close(x.delay.mean(), FAST) && close(x.delay.max(), FAST));
    }
}

#[test]
fn a_short_blip_never_pages_and_is_not_significant() {
    let text = scenario(&[("blip", "1d", "30s")], RULE);
    assert!(pages(&text).is_empty());
    let s = &stats(&text)[0];
    assert_eq!((s.pages, s.significant, s.missed, s.nuisance), (0, 0, 0, 0));
}

#[test]
fn blips_that_fill_the_short_window_but_not_the_long_one_do_not_page() {
    // Each 20 s blip holds more than 4.32 s in 5 minutes; two hold 40 s < 51.84 s an hour.
    let text = scenario(&[("a", "1d", "20s"), ("b", "1d30m", "20s")], RULE);
    assert!(pages(&text).is_empty());
    // A third 10 minutes later: the hour then holds 40 s before it, so the rule pages
    // 11.84 s into it, for an episode of 20 s that is no significant incident (a 2% share
    // of the 30-day budget is 51.84 s): a nuisance page.
    let text = scenario(
        &[
            ("a", "1d", "20s"),
            ("b", "1d10m", "20s"),
            ("c", "1d20m", "20s"),
        ],
        RULE,
    );
    let p = pages(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(close(p[0].0, DAY + 1200.0 + 11.84), "{}", p[0].0 - DAY);
    let s = &stats(&text)[0];
    assert_eq!(
        (s.pages, s.nuisance, s.significant, s.detected),
        (2, 2, 0, 0)
    );
}

#[test]
fn a_failure_leaving_the_long_window_holds_the_page_back() {
    // 40 s down at day 1, then down again 3590 s later. The hour then holds the 40 s, but
    // they leave it during the first 50 s of the new outage (its left edge crosses them
    // from 10 s to 50 s in): the page comes after 51.84 s, not 11.84 s.
    let text = scenario(&[("a", "1d", "40s"), ("b", "1d3590s", "10m")], RULE);
    let p = pages(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(close(p[0].0, DAY + 3590.0 + FAST), "{}", p[0].0 - DAY);
    // Within the hour (50 minutes later) the same 40 s stay: 11.84 s suffice.
    let text = scenario(&[("a", "1d", "40s"), ("b", "1d50m", "10m")], RULE);
    let p = pages(&text);
    assert!(close(p[0].0, DAY + 3000.0 + 11.84), "{}", p[0].0 - DAY);
}

#[test]
fn a_rule_resets_only_once_its_short_window_calms_down() {
    // 10 minutes down, back 2 minutes later (the short window still holds its last 3 minutes: the
    // rule is still firing and does not page again), then 20 minutes later (the short
    // window is empty: it has reset; the hour holds 20 minutes already, so it pages as
    // soon as the short window holds 4.32 s).
    let text = scenario(
        &[
            ("a", "1d", "10m"),
            ("b", "1d12m", "10m"),
            ("c", "1d42m", "10m"),
        ],
        RULE,
    );
    let p = pages(&text);
    let at: Vec<f64> = p.iter().map(|x| x.0 - DAY).collect();
    assert_eq!(at.len(), 2, "{at:?}");
    assert!(close(at[0], FAST) && close(at[1], 2520.0 + 4.32), "{at:?}");
    let s = &stats(&text)[0];
    // Three significant incidents: two detected, the middle one covered by the page
    // still firing (neither detected nor missed).
    assert_eq!((s.pages, s.significant, s.detected, s.missed), (4, 6, 4, 0));
    assert!(close(s.delay.mean(), (FAST + 4.32) / 2.0));
}

#[test]
fn a_rule_too_slow_for_an_incident_misses_it_and_the_policy_takes_the_fastest_rule() {
    // A 28.8× rule needs 103.68 s: a 60 s outage (significant: over 51.84 s) is missed.
    let slow = r#"(on: "web", when: Burn(factor: 28.8, long: "1h", short: "5m"))"#;
    let text = scenario(&[("outage", "1d", "60s")], slow);
    assert!(pages(&text).is_empty());
    let s = &stats(&text)[0];
    assert_eq!((s.significant, s.missed, s.pages), (2, 2, 0));
    // With the 14.4× rule beside it, the policy pages at 51.84 s and misses nothing.
    let text = scenario(&[("outage", "1d", "60s")], &format!("{slow}, {RULE}"));
    let s = stats(&text);
    assert_eq!(s.len(), 3);
    assert_eq!(
        (s[0].missed, s[1].detected, s[2].detected, s[2].missed),
        (2, 2, 2, 0)
    );
    assert!(close(s[2].delay.mean(), FAST));
    // A larger significance share makes the same outage a small one.
    let text = scenario(&[("outage", "1d", "60s")], slow)
        .replace(r#"window: "30d")"#, r#"window: "30d", significant: 0.05)"#);
    let s = &stats(&text)[0];
    assert_eq!((s.significant, s.missed), (0, 0));
}

#[test]
fn burn_rules_reach_the_json_and_the_compare_table() {
    let text = scenario(&[("outage", "1d", "10m")], "").replace(
        "response: (oncall: 3),",
        r#"response: (oncall: 3),
        strategies: [
            (name: "fast-burn", alerts: [(on: "web", when: Burn(factor: 14.4, long: "1h", short: "5m"))]),
            (name: "slow-burn", replace_alerts: true,
                alerts: [(on: "web", when: Burn(factor: 6.0, long: "6h", short: "30m"))]),
        ],"#,
    );
    let path = scenario_file("burn-json", &text);
    let out = faultline(&["compare", &path, "--runs", "4", "--json", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let strategies = json["strategies"].as_array().unwrap();
    let named = |n: &str| strategies.iter().find(|s| s["name"] == n).unwrap();
    assert!(named("baseline").get("burn_rules").is_none());
    let fast = &named("fast-burn")["burn_rules"][0];
    assert_eq!(fast["factor"], 14.4);
    assert_eq!(fast["long_s"], 3600.0);
    assert_eq!(fast["pages"], 4);
    assert_eq!(fast["missed"], 0);
    assert!(close(fast["detection_s"]["mean"].as_f64().unwrap(), FAST));
    assert_eq!(fast["nuisance_per_30d"], 0.0);
    // 6 × 0.001 × 6 h = 129.6 s.
    let slow = &named("slow-burn")["burn_policies"][0];
    assert_eq!(slow["service"], "web");
    assert!(close(slow["detection_s"]["mean"].as_f64().unwrap(), 129.6));
    let out = faultline(&["compare", &path, "--runs", "4", "-q"]);
    let text = stdout(&out);
    assert!(text.contains("Burn-rate alerts"), "{text}");
    assert!(text.contains("slow-burn"), "{text}");
}

#[test]
fn a_burn_rule_on_a_service_without_an_objective_is_refused_where_it_is() {
    let text = scenario(&[("outage", "1d", "10m")], RULE)
        .replace(r#", objective: (availability: 0.999, window: "30d")"#, "");
    let path = scenario_file("burn-bad", &text);
    let out = faultline(&["validate", &path]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`web` has no availability objective to burn"),
        "{err}"
    );
    assert!(err.contains("burn-bad.ron:7:27"), "{err}");
    // Too fast a rate, a short window longer than the long one, a hold time.
    let bad = r#"(on: "web", when: Burn(factor: 2000.0, long: "5m", short: "1h"), after: "1m")"#;
    let path = scenario_file("burn-bad2", &scenario(&[("o", "1d", "10m")], bad));
    let out = faultline(&["validate", &path]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for msg in [
        "a burn rate of 2000 can never be reached",
        "the short window (1h) is longer than the long one (5m)",
        "a burn-rate rule has no hold time",
    ] {
        assert!(err.contains(msg), "{msg}: {err}");
    }
}

#[test]
fn a_strategy_swapping_in_a_bad_policy_is_refused_at_the_strategy() {
    // The scenario's own rule is fine; the strategy replaces it with one on `db`, which has
    // no objective, and sets a significance share out of range on a patched service.
    let text = scenario(&[("outage", "1d", "10m")], RULE).replace(
        "response: (oncall: 3),",
        r#"response: (oncall: 3),
        strategies: [(name: "db-burn", replace_alerts: true,
            alerts: [(on: "db", when: Burn(factor: 14.4, long: "1h", short: "5m"))])],"#,
    );
    let path = scenario_file("burn-bad-strategy", &text);
    let out = faultline(&["validate", &path]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`db` has no availability objective to burn"),
        "{err}"
    );
    assert!(err.contains("strategies[0].alerts[0].on"), "{err}");
    let bad = text.replace(r#"window: "30d")"#, r#"window: "30d", significant: 1.5)"#);
    let out = faultline(&["validate", &scenario_file("burn-bad-share", &bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("a significant incident uses a share of the budget in (0, 1], not 1.5")
    );
}
