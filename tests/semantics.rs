//! Semantics at the edges of the model, each against an exact value: instants (a failure
//! lasts longer than zero), k-of-n quorum, queue health when nothing completes.
//!
//! As in `closed_form.rs`, a Monte Carlo estimate must fall within 2.576 standard errors
//! (99%) of the exact value, and the standard error is bounded so the test cannot pass by
//! running too few histories.

use crate::closed_form::{Z99, assert_within_ci, point, time_average};
use crate::common::{faultline, scenario_file, stdout};
use faultline::model::Model;
use faultline::montecarlo::{self, Study, Summary};
use faultline::validate::load_all_str;

/// Every model of `text` (baseline first), studied on the same runs.
fn study_all(text: &str, runs: u64, seed: u64) -> (Vec<Model>, Vec<Summary>) {
    let (_, models) =
        load_all_str("test.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let s = montecarlo::run_all(&models, Study::whole(seed, runs, 0), &|_| {});
    (models, s)
}

/// A share of runs against an exact probability, with the binomial standard error.
fn assert_share(what: &str, s: &Summary, exact: f64, max_se: f64) {
    let n = s.runs as f64;
    let p = s.failure_probability();
    let se = (exact * (1.0 - exact) / n).sqrt();
    assert!(se > 0.0 && se < max_se, "{what}: standard error {se}");
    let z = (p - exact) / se;
    assert!(
        z.abs() <= Z99,
        "{what}: measured {p:.5} vs exact {exact:.5} ({z:+.2} standard errors)"
    );
}

/// The issue's reproduction: an automated spare deployed in zero seconds stands in at the
/// very instant the component fails, so users never see a failure, and none is counted:
/// not in `failures`, `failure_probability`, time to restore, root causes, nor in the trace.
#[test]
fn a_failure_that_lasts_zero_seconds_is_not_counted() {
    let text = r#"Scenario(
    name: "instant-spare",
    horizon: "1d",
    components: [
        (id: "box", faults: [(name: "wear", every: Exp(mean: "2h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9, users: 10)),
    ],
    edges: [(from: "svc", to: "box", kind: Requires)],
    strategies: [
        (name: "instant-spare", mitigations: [
            Spare(for: ["box"], deploy: Fixed("0s"), trigger: Auto("0s")),
        ]),
    ],
)"#;
    let (_, s) = study_all(text, 2_000, 5);
    let (base, spare) = (&s[0], &s[1]);
    assert!(base.failure_probability() > 0.99, "the box fails in a day");
    assert_eq!(spare.availability.mean(), 1.0);
    assert_eq!(spare.downtime.mean(), 0.0);
    assert_eq!(spare.failed_runs, 0, "no failure is counted");
    assert_eq!(spare.failures.mean(), 0.0);
    assert_eq!(spare.episodes, 0, "no time to restore of zero");
    assert_eq!(spare.roots.iter().sum::<u64>(), 0, "no root cause");
    let path = scenario_file("instant-spare", text);
    let t = stdout(&faultline(&[
        "trace",
        &path,
        "--strategy",
        "instant-spare",
        "--quiet",
    ]));
    assert!(!t.contains("FAILURE"), "{t}");
    assert!(t.contains("MITIGATED"), "{t}");
}

/// A repair that takes no time: the fault and its repair happen at one instant.
#[test]
fn a_repair_of_zero_seconds_leaves_no_failure() {
    let text = r#"Scenario(
    name: "instant-repair",
    horizon: "1d",
    components: [
        (id: "box", faults: [(name: "blip", every: Exp(mean: "1h"), effect: Crash, repair: Fixed("0s"))]),
        (id: "svc", service: (slo: 0.9)),
    ],
    edges: [(from: "svc", to: "box", kind: Requires)],
)"#;
    let (_, s) = study_all(text, 500, 6);
    assert_eq!(s[0].failed_runs, 0);
    assert_eq!(s[0].episodes, 0);
    assert_eq!(s[0].availability.mean(), 1.0);
}

/// A primary (rate λ1) with a cold standby spare (rate λ2 in service, none while waiting)
/// switched in instantly: the system fails at the sum of two exponential times, so
/// P(failed by t) = 1 − (λ2·e^{−λ1 t} − λ1·e^{−λ2 t})/(λ2 − λ1) (hypoexponential).
#[test]
fn cold_standby_switched_in_instantly_fails_at_the_hypoexponential_rate() {
    let (mttf1, mttf2, horizon): (f64, f64, f64) = (100.0, 50.0, 100.0);
    let text = format!(
        r#"Scenario(
    name: "cold-standby",
    horizon: "{horizon}h",
    components: [
        (id: "primary", faults: [(name: "wear", every: Exp(mean: "{mttf1}h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ],
    edges: [(from: "svc", to: "primary", kind: Requires)],
    strategies: [
        (name: "cold-spare", mitigations: [
            Spare(for: ["primary"], deploy: Fixed("0s"), trigger: Auto("0s"), fails: Exp(mean: "{mttf2}h")),
        ]),
    ],
)"#
    );
    let (_, s) = study_all(&text, 40_000, 7);
    let (l1, l2, t) = (1.0 / mttf1, 1.0 / mttf2, horizon);
    let exact = 1.0 - (l2 * (-l1 * t).exp() - l1 * (-l2 * t).exp()) / (l2 - l1);
    assert_share("cold standby", &s[1], exact, 3e-3);
    // The baseline is the primary alone: 1 − e^{−λ1 t}.
    assert_share("primary alone", &s[0], 1.0 - (-l1 * t).exp(), 3e-3);
}

/// Two components (rate λ each, no repair) that a service needs both of, sharing one warm
/// spare: it fails at rate d·μ while waiting and μ in service, and stands in at once for
/// whichever fails first. The Markov chain: S0 (both up, spare waiting) → S1 (spare in
/// use) at 2λ, S0 → S2 (spare lost) at d·μ, S1 → failed at μ + λ, S2 → failed at 2λ.
/// Solving it: P0 = e^{−(2λ+dμ)t}, P1 = 2λ·e^{−(μ+λ)t}·(1 − e^{−at})/a with
/// a = λ + dμ − μ, P2 = e^{−2λt}·(1 − e^{−dμt}); P(failed by t) = 1 − P0 − P1 − P2.
#[test]
fn a_warm_spare_shared_by_two_components_matches_its_markov_chain() {
    let (mttf, spare_mttf, dormant, horizon): (f64, f64, f64, f64) = (100.0, 50.0, 0.25, 100.0);
    let text = format!(
        r#"Scenario(
    name: "warm-spare",
    horizon: "{horizon}h",
    components: [
        (id: "a", faults: [(name: "wear", every: Exp(mean: "{mttf}h"), effect: Crash)]),
        (id: "b", faults: [(name: "wear", every: Exp(mean: "{mttf}h"), effect: Crash)]),
        (id: "svc", service: (slo: 0.9)),
    ],
    edges: [(from: "svc", to: "a", kind: Requires), (from: "svc", to: "b", kind: Requires)],
    strategies: [
        (name: "warm-spare", mitigations: [
            Spare(for: ["a", "b"], deploy: Fixed("0s"), trigger: Auto("0s"), stock: 1,
                  fails: Exp(mean: "{spare_mttf}h"), dormant: {dormant}),
        ]),
    ],
)"#
    );
    let (_, s) = study_all(&text, 40_000, 8);
    let (l, mu, d, t) = (1.0 / mttf, 1.0 / spare_mttf, dormant, horizon);
    let a = l + d * mu - mu;
    let p0 = (-(2.0 * l + d * mu) * t).exp();
    let p1 = 2.0 * l * (-(mu + l) * t).exp() * (1.0 - (-a * t).exp()) / a;
    let p2 = (-2.0 * l * t).exp() * (1.0 - (-d * mu * t).exp());
    let exact = 1.0 - p0 - p1 - p2;
    assert_share("warm shared spare", &s[1], exact, 3e-3);
}

/// `n` repairable components `{prefix}1..n` (mean 50 h up, 10 h repair).
fn repairable(prefix: &str, n: usize) -> String {
    (1..=n)
        .map(|k| {
            format!(
                r#"(id: "{prefix}{k}", faults: [(name: "f", every: Exp(mean: "50h"), effect: Crash, repair: Exp(mean: "10h"))]),"#
            )
        })
        .collect()
}

/// The issue's case: a 1-of-2 parent over two 2-of-3 groups. Below its quorum a group is
/// down (k-of-n logic), so the system is up while either group has two members up:
/// G = 3A² − 2A³ per group, system = 1 − (1 − G)², at every instant.
#[test]
fn a_group_below_its_quorum_is_down() {
    let horizon = 500.0;
    let text = format!(
        r#"Scenario(name: "nested", horizon: "{horizon}h", components: [
            {} {}
            (id: "left", group: (need: 2, of: ["a1", "a2", "a3"])),
            (id: "right", group: (need: 2, of: ["b1", "b2", "b3"])),
            (id: "both", group: (need: 1, of: ["left", "right"])),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "both", kind: Requires)])"#,
        repairable("a", 3),
        repairable("b", 3)
    );
    let (_, s) = study_all(&text, 20_000, 9);
    let exact = time_average(
        |t| {
            let a = point(1.0 / 50.0, 1.0 / 10.0, t);
            let g = 3.0 * a * a - 2.0 * a * a * a;
            1.0 - (1.0 - g).powi(2)
        },
        horizon,
    );
    assert_within_ci("1-of-2 over 2-of-3", &s[0].availability, exact, 4e-4);
}

/// A load-sharing pool (`partial: true`) delivers the share its members carry: a 2-of-3
/// pool with one member up delivers half, which a service content with half (`slo: 0.5`)
/// accepts, so the service is up while any member is: 1 − (1 − A)³. The same group
/// without `partial` needs two members: 3A² − 2A³.
#[test]
fn a_load_sharing_pool_delivers_its_share() {
    let horizon = 500.0;
    let text = |partial: bool| {
        format!(
            r#"Scenario(name: "pool", horizon: "{horizon}h", components: [
                {}
                (id: "pool", group: (need: 2, of: ["m1", "m2", "m3"], partial: {partial})),
                (id: "svc", service: (slo: 0.5)),
            ], edges: [(from: "svc", to: "pool", kind: Requires)])"#,
            repairable("m", 3)
        )
    };
    let a = |t: f64| point(1.0 / 50.0, 1.0 / 10.0, t);
    let (_, pool) = study_all(&text(true), 20_000, 10);
    let exact = time_average(|t| 1.0 - (1.0 - a(t)).powi(3), horizon);
    assert_within_ci("partial 2-of-3", &pool[0].availability, exact, 3e-4);
    let (_, quorum) = study_all(&text(false), 20_000, 10);
    let exact = time_average(|t| 3.0 * a(t).powi(2) - 2.0 * a(t).powi(3), horizon);
    assert_within_ci("2-of-3", &quorum[0].availability, exact, 4e-4);
}

/// A queue whose server stalls (its own `Slow(1000.0)` fault for ten minutes, no client
/// timeout) completes nothing while work waits: those windows are down, not "healthy"
/// because no attempt ended in them.
#[test]
fn a_queue_that_completes_nothing_while_work_waits_is_down() {
    let text = |faults: &str| {
        format!(
            r#"Scenario(name: "stall", horizon: "2h", components: [
            (id: "q", queue: (rate: 0.5, workers: 2, service: Exp(mean: "1s"), window: "1m"),
             faults: [{faults}]),
            (id: "site", service: (slo: 0.9)),
        ], edges: [(from: "site", to: "q", kind: Requires)])"#
        )
    };
    let stall = r#"(name: "stall", every: At("1h"), effect: Slow(1000.0), repair: Fixed("10m"))"#;
    let (_, s) = study_all(&text(stall), 50, 11);
    let down_min = s[0].downtime.mean() / 60.0;
    assert!(
        down_min >= 8.0,
        "a ten-minute stall shows {down_min:.1} min of downtime"
    );
    assert_eq!(s[0].failed_runs, s[0].runs, "every run sees the stall");
    let (_, calm) = study_all(&text(""), 50, 11);
    assert_eq!(calm[0].downtime.mean(), 0.0, "no stall, no downtime");
}

/// The JSON of `run --json` on `text`.
fn run_json(name: &str, text: &str, runs: &str) -> serde_json::Value {
    let path = scenario_file(name, text);
    let out = faultline(&[
        "run", &path, "--json", "--runs", runs, "--seed", "12", "--quiet",
    ]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("JSON")
}

/// A queue hit by a burst of 2,000 jobs in half the runs (`chance: 0.5`): busy runs have
/// many slow jobs, calm runs few quick ones. The pooled mean (what the percentiles describe)
/// is dominated by the busy runs; the mean of per-run means is not. Each figure is checked
/// against what it says: the pooled mean against the mean of the pooled histogram (the
/// average of its 1,000 quantiles, within its 1.2% resolution), the backlog percentiles as
/// whole jobs.
#[test]
fn queue_statistics_are_what_they_say() {
    let text = r#"Scenario(name: "bursty", horizon: "1h", components: [
        (id: "q", queue: (rate: 1.0, workers: 2, service: Exp(mean: "1s")),
         faults: [(name: "burst", every: At("10m"), chance: 0.5, effect: Burst(jobs: 2000, over: "1m"))]),
        (id: "site", service: (slo: 0.5)),
    ], edges: [(from: "site", to: "q", kind: Requires)])"#;
    let (_, s) = study_all(text, 200, 12);
    let q = &s[0].queues[0];
    let from_histogram = (0..1000)
        .map(|i| q.latency_hist.quantile((i as f64 + 0.5) / 1000.0))
        .sum::<f64>()
        / 1000.0;
    let pooled = q.pooled_latency();
    assert!(
        (pooled / from_histogram - 1.0).abs() < 0.02,
        "pooled mean {pooled} vs the pooled histogram's {from_histogram}"
    );
    assert!(
        (q.latency.mean() / pooled - 1.0).abs() > 0.1,
        "here the mean of per-run means ({}) must differ from the pooled mean ({pooled}), \
         or this test could not tell them apart",
        q.latency.mean()
    );
    let json = run_json("bursty", text, "200");
    let queue = &json["strategies"][0]["queues"][0];
    let mean = queue["latency_percentiles_s"]["mean"].as_f64().unwrap();
    assert!(
        (mean / from_histogram - 1.0).abs() < 0.02,
        "JSON mean {mean}"
    );
    for key in ["max_waiting", "final_waiting"] {
        for p in ["p50", "p90", "p99"] {
            let v = queue[key][p].as_f64().unwrap();
            assert_eq!(v, v.round(), "{key}.{p} = {v} is not a count of jobs");
        }
    }
}

/// A run stopped by the event cap is judged on the time it simulated: its availability and
/// its components' state shares on the same basis, so the shares add up to 1.
#[test]
fn a_capped_run_shares_time_on_the_time_it_simulated() {
    let text = r#"Scenario(name: "capped", horizon: "1y", max_events: 200, components: [
        (id: "box", faults: [(name: "blip", every: Exp(mean: "1h"), effect: Crash, repair: Exp(mean: "10m"))]),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "box", kind: Requires)])"#;
    let json = run_json("capped", text, "20");
    assert_eq!(json["capped_runs"].as_u64(), Some(20), "{json}");
    let comp = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "box")
        .expect("box");
    let total: f64 = ["healthy", "degraded", "corrupt", "down"]
        .iter()
        .map(|k| comp[k].as_f64().unwrap())
        .sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "shares add up to {total}: {comp}"
    );
    // Down about 10m of every 70m: the same basis as the availability.
    let down = comp["down"].as_f64().unwrap();
    assert!((0.08..0.2).contains(&down), "down {down}");
}

/// Spares in the trace: a spare that fails in service with none left in stock gives one
/// `NO SPARE` line, not two (the crew and the trigger both ask); a warm spare that fails
/// while waiting in stock gets a line of its own.
#[test]
fn the_trace_tells_each_spare_event_once() {
    let text = r#"Scenario(
    name: "nospare",
    horizon: "30d",
    seed: 0,
    components: [
        (id: "box", faults: [(name: "wear", every: Exp(mean: "2d"), effect: Crash, repair: Fixed("20d"))]),
        (id: "svc", service: (slo: 0.9)),
    ],
    edges: [(from: "svc", to: "box", kind: Requires)],
    strategies: [
        (name: "spare", mitigations: [
            Spare(for: ["box"], deploy: Fixed("1h"), trigger: Auto("0s"), stock: 1,
                  fails: Exp(mean: "2d"), dormant: 0.5),
        ]),
    ],
)"#;
    let path = scenario_file("nospare", text);
    let (mut lost, mut failed_in_service) = (0, 0);
    for run in 0..6 {
        let t = stdout(&faultline(&[
            "trace",
            &path,
            "--strategy",
            "spare",
            "--run",
            &run.to_string(),
            "--quiet",
        ]));
        let no_spare: Vec<&str> = t.lines().filter(|l| l.contains("NO SPARE")).collect();
        let mut unique = no_spare.clone();
        unique.dedup();
        assert_eq!(no_spare, unique, "run {run}: a line repeated\n{t}");
        lost += t.matches("SPARE LOST").count();
        failed_in_service += t.matches("SPARE DOWN").count();
    }
    assert!(lost > 0, "no spare died in stock in six runs");
    assert!(
        failed_in_service > 0,
        "no spare failed in service in six runs"
    );
}

/// A web tier whose three servers one bad deploy hits at once, and a strategy text.
fn deploy_scenario(strategy: &str) -> String {
    format!(
        r#"Scenario(name: "deploys", horizon: "30d", components: [
        (id: "app_1"), (id: "app_2"), (id: "app_3"),
        (id: "tier", group: (need: 1, of: ["app_1", "app_2", "app_3"])),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "tier", kind: Requires)],
    common_cause: [
        (name: "bad-deploy", hits: ["app_1", "app_2", "app_3"], every: Exp(mean: "10d"),
         effect: Crash, repair: Fixed("1h")),
    ],
    strategies: [{strategy}])"#
    )
}

/// The ids a model's common cause `name` hits.
fn hits(m: &Model, name: &str) -> Vec<String> {
    let cc = m
        .common
        .iter()
        .find(|c| c.name == name)
        .expect("common cause");
    cc.slots
        .clone()
        .map(|s| m.comps[m.slots[s as usize].comp as usize].id.clone())
        .collect()
}

/// Strategies can add, change and remove common causes: a fourth server the bad deploy
/// hits too, a canary rollout that makes deploys rarer, a second common cause, one removed.
#[test]
fn a_strategy_can_change_common_causes() {
    let text = deploy_scenario(
        r#"
        (name: "fourth-server", patch: (
            components: [(id: "app_4"),
                (id: "tier", group: (need: 1, of: ["app_1", "app_2", "app_3", "app_4"]))],
            common_cause: [(name: "bad-deploy", hits: ["app_1", "app_2", "app_3", "app_4"])],
        )),
        (name: "canary", patch: (common_cause: [(name: "bad-deploy", every: Exp(mean: "100d"))])),
        (name: "no-deploys", patch: (common_cause: [(name: "bad-deploy", remove: true)])),
        (name: "flood", patch: (common_cause: [
            (name: "flood", hits: ["app_1", "app_2"], every: Exp(mean: "1y"), effect: Crash),
        ])),"#,
    );
    let (models, s) = study_all(&text, 2_000, 13);
    assert_eq!(
        hits(&models[1], "bad-deploy"),
        ["app_1", "app_2", "app_3", "app_4"]
    );
    // The deploy still takes the whole tier down when it hits all four.
    assert!(s[1].failures.mean() > 0.5 * s[0].failures.mean());
    assert!(
        s[2].failures.mean() < 0.3 * s[0].failures.mean(),
        "canary: rarer deploys"
    );
    assert!(models[3].common.is_empty());
    assert_eq!(s[3].failed_runs, 0, "nothing else can fail");
    assert_eq!(models[4].common.len(), 2);
    assert_eq!(hits(&models[4], "flood"), ["app_1", "app_2"]);
}

/// Mistakes in a common-cause patch are located at the strategy's text.
#[test]
fn a_wrong_common_cause_patch_is_located() {
    let cases = [
        (
            r#"(name: "s", patch: (common_cause: [(name: "bad-deploi", remove: true)]))"#,
            "no common cause named `bad-deploi` to remove",
            "strategies[0].patch.common_cause[0].name",
        ),
        (
            r#"(name: "s", patch: (common_cause: [(name: "quake", hits: ["app_1"])]))"#,
            "a new one needs `hits` and `effect`",
            "strategies[0].patch.common_cause[0].name",
        ),
        (
            r#"(name: "s", patch: (common_cause: [(name: "bad-deploy", hits: ["app_9"])]))"#,
            "app_9",
            "strategies[0].patch.common_cause[0].hits",
        ),
        (
            r#"(name: "s", patch: (common_cause: [(name: "bad-deploy", remove: true, every: Never)]))"#,
            "takes no other field",
            "strategies[0].patch.common_cause[0].every",
        ),
    ];
    for (strategy, message, path) in cases {
        let text = deploy_scenario(strategy);
        let err = load_all_str("test.ron", &text).expect_err("refused");
        let shown = err.render(false);
        assert!(shown.contains(message), "{strategy}:\n{shown}");
        assert!(shown.contains(path), "{strategy}: not at {path}:\n{shown}");
    }
}
