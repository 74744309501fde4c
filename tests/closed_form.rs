//! The engine against closed-form availability: a single repairable component, series,
//! k-of-n groups, probabilistic propagation, cascading overload, and deterministic faults.
//!
//! Each Monte Carlo estimate must fall within the 99% confidence interval (2.576 standard
//! errors) of the exact time-averaged availability over the horizon, *including* the initial
//! transient (every run starts with all components new), so the comparison is exact, not
//! asymptotic. Each test also bounds the standard error, so a tolerance never grows loose
//! enough to let a wrong model through.

use faultline::model::Model;
use faultline::montecarlo::{self, Study, Summary};
use faultline::stats::Moments;
use faultline::validate::load_str;

/// 99% two-sided normal quantile.
pub(crate) const Z99: f64 = 2.576;

fn study(text: &str, runs: u64, seed: u64) -> (Model, Summary) {
    let (_, m) = load_str("test.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let s = montecarlo::run(&m, Study::whole(seed, runs, 0), &|_| {});
    (m, s)
}

/// Point availability of a component with exponential failure rate `l` and repair rate `u`,
/// new at t = 0: μ/(λ+μ) + λ/(λ+μ)·e^{−(λ+μ)t}.
pub(crate) fn point(l: f64, u: f64, t: f64) -> f64 {
    u / (l + u) + l / (l + u) * (-(l + u) * t).exp()
}

/// Time average of `f` over [0, horizon] by Simpson's rule (smooth integrands: exact to ~1e-12).
pub(crate) fn time_average(f: impl Fn(f64) -> f64, horizon: f64) -> f64 {
    let n = 20_000;
    let h = horizon / n as f64;
    let mut s = f(0.0) + f(horizon);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0 / horizon
}

pub(crate) fn assert_within_ci(what: &str, m: &Moments, exact: f64, max_se: f64) {
    let se = m.std_err();
    assert!(
        se > 0.0 && se < max_se,
        "{what}: standard error {se} not in (0, {max_se}): too few runs to test anything"
    );
    let z = (m.mean() - exact) / se;
    assert!(
        z.abs() <= Z99,
        "{what}: measured {:.6} vs exact {exact:.6} ({z:+.2} standard errors, se {se:.2e})",
        m.mean()
    );
}

const HOUR: f64 = 3600.0;

/// A service that requires the listed components, plus their definitions.
fn component(id: &str, mttf_h: f64, mttr_h: f64) -> String {
    format!(
        r#"(id: "{id}", faults: [(name: "f", every: Exp(mean: "{mttf_h}h"), effect: Crash, repair: Exp(mean: "{mttr_h}h"))]),"#
    )
}

#[test]
fn single_component_matches_mu_over_lambda_plus_mu() {
    let (mttf, mttr, horizon) = (100.0, 10.0, 2000.0);
    let text = format!(
        r#"Scenario(name: "one", horizon: "{horizon}h", components: [
            {}
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "a", kind: Requires)])"#,
        component("a", mttf, mttr)
    );
    let (_, s) = study(&text, 20_000, 1);
    let (l, u) = (1.0 / mttf, 1.0 / mttr);
    let exact = time_average(|t| point(l, u, t), horizon);
    assert_within_ci("single component", &s.availability, exact, 2.5e-4);
    // Steady state μ/(λ+μ) = 0.909..., the transient adds ~4e-4 over 2000h: both visible.
    assert!((exact - u / (l + u)).abs() > 1e-4);
    // Time to restore is the repair time: exponential with mean 10h.
    let mttr_measured = s.mean_time_to_restore() / HOUR;
    assert!(
        (mttr_measured - mttr).abs() < 0.3,
        "mean restore {mttr_measured}h vs {mttr}h"
    );
}

#[test]
fn series_is_the_product() {
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "series", horizon: "{horizon}h", components: [
            {} {}
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "a", kind: Requires), (from: "svc", to: "b", kind: Requires)])"#,
        component("a", 100.0, 10.0),
        component("b", 300.0, 20.0)
    );
    let (_, s) = study(&text, 20_000, 2);
    let exact = time_average(
        |t| point(0.01, 0.1, t) * point(1.0 / 300.0, 0.05, t),
        horizon,
    );
    assert_within_ci("series", &s.availability, exact, 3e-4);
}

#[test]
fn one_of_two_group() {
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "1of2", horizon: "{horizon}h", components: [
            {} {}
            (id: "pair", group: (need: 1, of: ["a", "b"])),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "pair", kind: Requires)])"#,
        component("a", 50.0, 10.0),
        component("b", 50.0, 10.0)
    );
    let (_, s) = study(&text, 20_000, 3);
    let exact = time_average(|t| 1.0 - (1.0 - point(0.02, 0.1, t)).powi(2), horizon);
    assert_within_ci("1-of-2", &s.availability, exact, 1.5e-4);
    // Masking is real: the group is far more available than one member.
    assert!(s.availability.mean() > time_average(|t| point(0.02, 0.1, t), horizon) + 0.1);
}

#[test]
fn two_of_three_group() {
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "2of3", horizon: "{horizon}h", components: [
            {} {} {}
            (id: "trio", group: (need: 2, of: ["a", "b", "c"])),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "trio", kind: Requires)])"#,
        component("a", 50.0, 10.0),
        component("b", 50.0, 10.0),
        component("c", 50.0, 10.0)
    );
    let (_, s) = study(&text, 20_000, 4);
    let exact = time_average(
        |t| {
            let a = point(0.02, 0.1, t);
            3.0 * a * a * (1.0 - a) + a * a * a
        },
        horizon,
    );
    assert_within_ci("2-of-3", &s.availability, exact, 2.5e-4);
}

#[test]
fn probabilistic_requires_fails_a_share_p_of_episodes() {
    // Each error episode of `a` reaches the service with probability 0.3, independently.
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "p", horizon: "{horizon}h", components: [
            {}
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "a", kind: Requires, p: 0.3)])"#,
        component("a", 40.0, 10.0)
    );
    let (_, s) = study(&text, 20_000, 5);
    let exact = 1.0 - 0.3 * (1.0 - time_average(|t| point(1.0 / 40.0, 0.1, t), horizon));
    assert_within_ci("Requires p=0.3", &s.availability, exact, 2.5e-4);
}

#[test]
fn load_shift_cascades_through_a_redundant_pair() {
    // Two feeders each carry 0.6 of a limit of 1.0: either one alone would serve (1-of-2),
    // but when one fails its load trips the other. Availability drops from 1-(1-A)² to A².
    let horizon = 2000.0;
    let feeder = |id: &str| {
        format!(
            r#"(id: "{id}", load: (base: 0.6, limit: 1.0), faults: [(name: "f", every: Exp(mean: "50h"), effect: Crash, repair: Exp(mean: "10h"))]),"#
        )
    };
    let text = format!(
        r#"Scenario(name: "load", horizon: "{horizon}h", components: [
            {} {}
            (id: "pair", group: (need: 1, of: ["a", "b"])),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [
            (from: "svc", to: "pair", kind: Requires),
            (from: "a", to: "b", kind: Load), (from: "b", to: "a", kind: Load),
        ])"#,
        feeder("a"),
        feeder("b")
    );
    let (_, s) = study(&text, 20_000, 6);
    let exact = time_average(|t| point(0.02, 0.1, t).powi(2), horizon);
    assert_within_ci("cascading overload", &s.availability, exact, 3e-4);
}

#[test]
fn deterministic_fault_gives_exact_downtime() {
    // A fault at a fixed time with a fixed repair: every run is down exactly 5h, once.
    let text = r#"Scenario(name: "fixed", horizon: "10d", components: [
        (id: "a", faults: [(name: "planned", every: At("10h"), effect: Crash, repair: Fixed("5h"))]),
        (id: "b", faults: [(name: "dormant", every: At("2d"), activation: Fixed("1h"), effect: Degrade(0.5), repair: Fixed("3h"))]),
        (id: "svc", service: (slo: 0.9, users: 1000)),
    ], edges: [(from: "svc", to: "a", kind: Requires), (from: "svc", to: "b", kind: Requires, delay: "30m")])"#;
    let (_, s) = study(text, 100, 7);
    // Down 5h for a, then 3h for b (degraded to 0.5 < SLO), arriving 1h + 30m after its fault.
    assert_eq!(s.downtime.mean(), 8.0 * HOUR);
    assert_eq!(s.downtime.std_dev(), 0.0);
    assert_eq!(s.failures.mean(), 2.0);
    // Users: all 1000 for 5h, half of them for 3h.
    assert!((s.user_minutes.mean() - (1000.0 * 300.0 + 500.0 * 180.0)).abs() < 1e-6);
    assert_eq!(s.failure_probability(), 1.0);
}

#[test]
fn common_cause_defeats_redundancy() {
    // The same pair as one_of_two_group, but the only fault is a common cause that hits both:
    // redundancy masks nothing, so the pair is down exactly while both are being repaired.
    let text = r#"Scenario(name: "cc", horizon: "100d", components: [
        (id: "a"), (id: "b"),
        (id: "pair", group: (need: 1, of: ["a", "b"])),
        (id: "svc", service: (slo: 0.9)),
    ], edges: [(from: "svc", to: "pair", kind: Requires)],
    common_cause: [(name: "deploy", hits: ["a", "b"], every: At("10d"), effect: Crash, repair: Fixed("6h"))])"#;
    let (_, s) = study(text, 50, 8);
    assert_eq!(s.downtime.mean(), 6.0 * HOUR);
    assert_eq!(s.roots.iter().sum::<u64>(), 50);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/substation.ron"
    ))
    .unwrap();
    let (_, m) = load_str("substation.ron", &text).unwrap();
    let run = |threads| {
        let s = montecarlo::run(&m, Study::whole(9, 3000, threads), &|_| {});
        serde_json::to_string(&faultline::json::summary_json(&m, &s, 9)).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

#[test]
fn progress_moves_a_chunk_at_a_time_and_changes_nothing() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/substation.ron"
    ))
    .unwrap();
    let (_, m) = load_str("substation.ron", &text).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let watched = montecarlo::run(&m, Study::whole(9, 5000, 2), &|n| {
        seen.lock().unwrap().push(n)
    });
    let quiet = montecarlo::run(&m, Study::whole(9, 5000, 2), &|_| {});
    let json = |s: &Summary| serde_json::to_string(&faultline::json::summary_json(&m, s, 9));
    assert_eq!(json(&watched).unwrap(), json(&quiet).unwrap());
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.last(), Some(&5000));
    let mut last = 0;
    for &n in &seen {
        assert!(n > last && n - last <= montecarlo::CHUNK, "{last} then {n}");
        last = n;
    }
}

#[test]
fn probabilistic_edge_episodes_end_at_the_fault_free_state() {
    // `a` is limited by an undersized part (capacity 0.5) even when nothing is broken, so its
    // fault-free output is 0.5, not its own capacity. Episodes must still begin and end with
    // its faults, each crossing with probability 0.3.
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "p-undersized", horizon: "{horizon}h", components: [
            (id: "small", capacity: 0.5),
            {}
            (id: "svc", service: (slo: 0.4)),
        ], edges: [(from: "a", to: "small", kind: Requires), (from: "svc", to: "a", kind: Requires, p: 0.3)])"#,
        component("a", 40.0, 10.0)
    );
    let (_, s) = study(&text, 20_000, 10);
    let exact = 1.0 - 0.3 * (1.0 - time_average(|t| point(1.0 / 40.0, 0.1, t), horizon));
    assert_within_ci(
        "Requires p=0.3 behind an undersized part",
        &s.availability,
        exact,
        2.5e-4,
    );
}

#[test]
fn edge_order_in_the_file_does_not_matter() {
    // Requires caps, Degrades multiplies: the result must not depend on listing order.
    let scenario = |edges: &str| {
        format!(
            r#"Scenario(name: "order", horizon: "10d", components: [
                (id: "a", capacity: 0.5),
                (id: "b", faults: [(name: "f", every: At("1d"), effect: Crash, repair: Fixed("1d"))]),
                (id: "svc", service: (slo: 0.45)),
            ], edges: [{edges}])"#
        )
    };
    let req = r#"(from: "svc", to: "a", kind: Requires)"#;
    let deg = r#"(from: "svc", to: "b", kind: Degrades(0.8))"#;
    let (_, s1) = study(&scenario(&format!("{req}, {deg}")), 10, 11);
    let (_, s2) = study(&scenario(&format!("{deg}, {req}")), 10, 11);
    // min(1, 0.5) × 0.8 = 0.4 < 0.45: failed for exactly the day b is down, either way.
    assert_eq!(s1.downtime.mean(), 86_400.0);
    assert_eq!(s2.downtime.mean(), 86_400.0);
}

#[test]
fn a_vote_outvotes_one_wrong_replica_and_hands_over_on_disagreement() {
    // Replica a is wrong from 1d to 2d, b from 1.5d to 3d: a single wrong replica is
    // outvoted; while two disagree with the third, the backup flies (or, without one, the
    // system shuts down safely: down, not wrong).
    let scenario = |backup: &str| {
        format!(
            r#"Scenario(name: "tmr", horizon: "5d", components: [
                (id: "a", faults: [(name: "flip", every: At("1d"), effect: Corrupt, repair: Fixed("1d"))]),
                (id: "b", faults: [(name: "flip", every: At("36h"), effect: Corrupt, repair: Fixed("36h"))]),
                (id: "c"),
                (id: "bfs", faults: [(name: "crash", every: At("2d"), effect: Crash, repair: Fixed("6h"))]),
                (id: "vote", voter: (of: ["a", "b", "c"] {backup})),
                (id: "svc", service: (slo: 0.5)),
            ], edges: [(from: "svc", to: "vote", kind: Requires)])"#
        )
    };
    let (_, with_backup) = study(&scenario(r#", backup: "bfs""#), 4, 1);
    let (_, without) = study(&scenario(""), 4, 1);
    // Two replicas are wrong from 1.5d to 2d: the backup (up until it crashes at 2d) flies
    // then, so with a backup the vote never fails; without one it shuts down for those 12h.
    // From 2d, a is right again and a and c outvote b.
    assert_eq!(with_backup.downtime.mean(), 0.0);
    assert_eq!(without.downtime.mean(), 12.0 * HOUR);
    // A shutdown is safe: down, never corrupt (no wrong output reaches the service).
    assert_eq!(without.user_minutes.mean(), 0.0);
}

#[test]
fn tmr_with_crashes_only_is_two_of_three() {
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "tmr-crash", horizon: "{horizon}h", components: [
            {} {} {}
            (id: "vote", voter: (of: ["a", "b", "c"])),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "vote", kind: Requires)])"#,
        component("a", 50.0, 10.0),
        component("b", 50.0, 10.0),
        component("c", 50.0, 10.0)
    );
    let (_, s) = study(&text, 20_000, 12);
    let exact = time_average(
        |t| {
            let a = point(0.02, 0.1, t);
            3.0 * a * a * (1.0 - a) + a * a * a
        },
        horizon,
    );
    assert_within_ci("TMR vote, crashes only", &s.availability, exact, 2.5e-4);
}

#[test]
fn occasions_with_a_chance_thin_into_a_slower_fault_process() {
    // Occasions every Exp(10h), each a fault with chance 0.2: time to fault is Exp(50h), so
    // availability is the single-component closed form with MTTF 50h and MTTR 10h.
    let horizon = 2000.0;
    let text = format!(
        r#"Scenario(name: "chance", horizon: "{horizon}h", components: [
            (id: "a", faults: [(name: "slip", every: Exp(mean: "10h"), chance: 0.2, effect: Crash, repair: Exp(mean: "10h"))]),
            (id: "svc", service: (slo: 0.9)),
        ], edges: [(from: "svc", to: "a", kind: Requires)])"#
    );
    let (m, s) = study(&text, 20_000, 13);
    let exact = time_average(|t| point(0.02, 0.1, t), horizon);
    assert_within_ci("thinned fault process", &s.availability, exact, 2.5e-4);
    assert_eq!(m.slots[0].chance_at(123.0), 0.2);
}

#[test]
fn training_wears_off_with_its_half_life() {
    let text = r#"Scenario(name: "learn", horizon: "1y", components: [
        (id: "pilot", faults: [(name: "slip", every: Exp(mean: "2d"), chance: 0.01, effect: Crash, repair: Fixed("1d"),
            learning: (factor: 0.2, every: "90d", halflife: "21d"))]),
        (id: "svc", service: (slo: 0.5)),
    ], edges: [(from: "svc", to: "pilot", kind: Requires)])"#;
    let (_, m) = load_str("learn.ron", text).unwrap();
    let s = &m.slots[0];
    let day = 86_400.0;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(
        close(s.chance_at(0.0), 0.002),
        "a fifth right after training"
    );
    assert!(
        close(s.chance_at(21.0 * day), 0.01 * (1.0 - 0.8 / 2.0)),
        "half the effect gone"
    );
    assert!(close(s.chance_at(90.0 * day), 0.002), "the next session");
    assert!(s.chance_at(89.0 * day) > 0.0095);
}
