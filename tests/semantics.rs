//! Semantics at the edges of the model, each against an exact value: instants (a failure
//! lasts longer than zero), k-of-n quorum, queue health when nothing completes.
//!
//! As in `closed_form.rs`, a Monte Carlo estimate must fall within 2.576 standard errors
//! (99%) of the exact value, and the standard error is bounded so the test cannot pass by
//! running too few histories.

use crate::common::{faultline, scenario_file, stdout};
use faultline::model::Model;
use faultline::montecarlo::{self, Study, Summary};
use faultline::validate::load_all_str;

/// 99% two-sided normal quantile.
const Z99: f64 = 2.576;

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
