//! `run --rare`: fixed-effort splitting against exact values (closed forms, the static
//! structure's Markov chain, a DFT's Markov chain), its determinism and its refusals.

use crate::common::{faultline, repo, scratch, stderr, stdout};
use serde_json::Value;

/// `run --rare --json` with `args`, parsed.
fn rare(args: &[&str]) -> Value {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--rare", "--json", "-q"]);
    let o = faultline(&all);
    assert!(o.status.success(), "{:?}: {}", all, stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON")
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// P(at least `k` of `n` independent parts failed), each failed with probability `p`.
fn at_least(k: u32, n: u32, p: f64) -> f64 {
    let choose = |n: u32, k: u32| (0..k).fold(1.0, |c, i| c * f64::from(n - i) / f64::from(i + 1));
    (k..=n)
        .map(|j| choose(n, j) * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32))
        .sum()
}

/// The exact value is inside the estimate's 95% interval, and the relative error is at
/// most `max_re`.
fn agrees(v: &Value, exact: f64, max_re: f64) {
    let (est, lo, hi, re) = (
        f(v, "estimate"),
        f(v, "lo95"),
        f(v, "hi95"),
        f(v, "relative_error"),
    );
    assert!(
        lo <= exact && exact <= hi,
        "exact {exact:e} outside [{lo:e}, {hi:e}] (estimate {est:e})"
    );
    assert!(re <= max_re, "relative error {re} > {max_re}");
}

/// The target: a one-in-a-billion failure of a k-of-n trip (3 of 8 channels
/// failed, none repaired within the year), within 10% relative error, against the
/// binomial closed form. Plain runs would need some 10^11 runs for this.
#[test]
fn a_one_in_a_billion_k_of_n_failure_matches_its_closed_form() {
    let v = rare(&["scenarios/protection.ron", "--runs", "40000"]);
    let p = 1.0 - (-1.0f64 / 3800.0).exp();
    let exact = at_least(3, 8, p);
    assert!((0.9e-9..1.1e-9).contains(&exact), "{exact:e}");
    agrees(&v, exact, 0.10);
    assert_eq!(
        v["thresholds"],
        serde_json::json!([1, 2]),
        "from the cut sets"
    );
    assert!(f(&v, "plain_runs_needed") > 1e10);
}

/// Repaired parts (2 of 4 pumps needed, exponential faults and repairs): the exponential
/// repair clocks are redrawn at each split; the exact value is the static structure's
/// Markov chain (`--exact`).
#[test]
fn repaired_parts_match_the_markov_chain() {
    let pumps: String = (1..=4)
        .map(|i| {
            format!(
                "(id: \"p{i}\", faults: [(name: \"f\", every: Exp(mean: \"2y\"), effect: Crash, \
                 repair: Exp(mean: \"12h\"))]),\n"
            )
        })
        .collect();
    let text = format!(
        "Scenario(name: \"pumps\", horizon: \"1y\", runs: 100, seed: 3, components: [\n{pumps}\
         (id: \"pumps\", group: (need: 2, of: [\"p1\", \"p2\", \"p3\", \"p4\"]), \
         service: (slo: 1.0, users: 1)),\n])\n"
    );
    let file = scratch("rare-pumps").join("pumps.ron");
    std::fs::write(&file, text).unwrap();
    let v = rare(&[file.to_str().unwrap(), "--runs", "20000", "--exact"]);
    let exact = v["exact"]["value"].as_f64().expect("an exact value");
    assert!((1e-6..1e-5).contains(&exact), "{exact:e}");
    agrees(&v, exact, 0.10);
    assert_eq!(v["exact"]["inside_ci95"], Value::Bool(true));
}

/// A warm spare (a Galileo DFT run directly, --levels given: it has no static structure):
/// the dormant spares' clocks are redrawn through their dormancy; the exact value is the
/// DFT's Markov chain (Storm's semantics).
#[test]
fn warm_spares_match_the_dft_markov_chain() {
    let file = scratch("rare-spares").join("spares.dft");
    std::fs::write(
        &file,
        "toplevel \"System\";\n\"System\" wsp \"P\" \"S1\" \"S2\";\n\"P\" lambda=2e-7;\n\
         \"S1\" lambda=2e-7 dorm=0.5;\n\"S2\" lambda=2e-7 dorm=0.5;\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let args = [
        file,
        "--runs",
        "20000",
        "--levels",
        "3",
        "--horizon",
        "8760h",
        "--exact",
    ];
    let v = rare(&args);
    let exact = v["exact"]["value"].as_f64().expect("an exact value");
    assert!((1e-9..1e-8).contains(&exact), "{exact:e}");
    agrees(&v, exact, 0.12);
}

/// Weibull wear-out is not memoryless: its drawn times are kept at a split (the copies
/// share them), and the estimate is still right (2 of 3 parts failed within the year).
#[test]
fn clocks_that_are_not_memoryless_are_kept_and_the_estimate_stays_right() {
    let parts: String = (1..=3)
        .map(|i| {
            format!(
                "(id: \"w{i}\", faults: [(name: \"wear\", every: Weibull(shape: 2.0, scale: \
                 \"20y\"), effect: Crash)]),\n"
            )
        })
        .collect();
    let text = format!(
        "Scenario(name: \"wear\", horizon: \"1y\", runs: 100, seed: 5, components: [\n{parts}\
         (id: \"pair\", group: (need: 2, of: [\"w1\", \"w2\", \"w3\"]), \
         service: (slo: 1.0, users: 1)),\n])\n"
    );
    let file = scratch("rare-wear").join("wear.ron");
    std::fs::write(&file, text).unwrap();
    let v = rare(&[file.to_str().unwrap(), "--runs", "50000"]);
    let p = 1.0 - (-(1.0f64 / 20.0).powi(2)).exp();
    agrees(&v, at_least(2, 3, p), 0.25);
}

/// Same seed, same bytes, whatever the thread count; another seed, another estimate.
#[test]
fn splitting_is_deterministic_whatever_the_threads() {
    let base = [
        "scenarios/protection.ron",
        "--runs",
        "3000",
        "--replications",
        "6",
    ];
    let one = rare(&[&base[..], &["--threads", "1"]].concat());
    let two = rare(&[&base[..], &["--threads", "2"]].concat());
    assert_eq!(one, two);
    let other = rare(&[&base[..], &["--seed", "99"]].concat());
    assert_ne!(one["replication_estimates"], other["replication_estimates"]);
}

/// What splitting cannot do is refused with a reason and exit code 2.
#[test]
fn splitting_refuses_what_it_cannot_do() {
    let cases: [(&[&str], &str); 5] = [
        (&["run", "scenarios/job-queue.ron", "--rare"], "job queues"),
        (
            &["run", "scenarios/motors.dft", "--rare"],
            "give it with --levels K",
        ),
        (
            &[
                "run",
                "scenarios/protection.ron",
                "--rare",
                "--shard",
                "0/2",
            ],
            "cannot be used with",
        ),
        (
            &["run", "scenarios/protection.ron", "--levels", "3"],
            "--rare",
        ),
        (
            &[
                "run",
                "scenarios/protection.ron",
                "--rare",
                "--per-run",
                "x.csv",
            ],
            "cannot be used with",
        ),
    ];
    for (args, why) in cases {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    assert!(!repo("x.csv").exists());
}

/// The text report names the estimate, the levels, the exact value and the speed-up.
#[test]
fn the_report_says_what_it_found_and_what_plain_runs_would_cost() {
    let o = faultline(&[
        "run",
        "scenarios/protection.ron",
        "--rare",
        "--exact",
        "--runs",
        "20000",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    for want in [
        "by fixed-effort splitting",
        "1 fault present",
        "2 faults present",
        "a service failed",
        "Plain Monte Carlo would need",
        "a speed-up of ×",
        "Exact: 1.019e-9",
        "inside the 95% interval",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}
