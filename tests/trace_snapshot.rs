//! A deterministic scenario (fixed fault times, fixed repairs) must narrate exactly the
//! reviewed trace in `tests/data/snapshot.trace.txt`: dormancy, masking, corruption through
//! a group, a delayed edge, a load cascade, a latency SLO, and the postmortem figures.

use crate::common::{faultline, repo, stdout};

#[test]
fn deterministic_trace_matches_the_snapshot() {
    let expected = std::fs::read_to_string(repo("tests/data/snapshot.trace.txt")).unwrap();
    let out = faultline(&["trace", "tests/data/snapshot.ron"]);
    assert!(out.status.success());
    let got = stdout(&out);
    if got != expected {
        for (i, (g, e)) in got.lines().zip(expected.lines()).enumerate() {
            if g != e {
                panic!(
                    "trace differs at line {}:\n  got:      {g}\n  expected: {e}",
                    i + 1
                );
            }
        }
        panic!(
            "trace differs in length: got {} lines, expected {}",
            got.lines().count(),
            expected.lines().count()
        );
    }
}

#[test]
fn the_trace_is_the_same_for_any_seed_when_nothing_is_random() {
    let a = stdout(&faultline(&[
        "trace",
        "tests/data/snapshot.ron",
        "--seed",
        "1",
    ]));
    let b = stdout(&faultline(&[
        "trace",
        "tests/data/snapshot.ron",
        "--seed",
        "99",
        "--run",
        "7",
    ]));
    let body = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&a), body(&b));
}

#[test]
fn a_trace_run_has_the_same_faults_as_in_monte_carlo() {
    // Run k of `trace` is run k of `run`: the substation's run 3 under trace and a one-run
    // study starting at run 3 must agree on downtime.
    let text = std::fs::read_to_string(repo("scenarios/substation.ron")).unwrap();
    let (_, m) = faultline::validate::load_str("s.ron", &text).unwrap();
    let t = faultline::trace::record(&m, 2022, 3);
    let s = faultline::montecarlo::run(
        &m,
        faultline::montecarlo::Study {
            seed: 2022,
            first: 3,
            runs: 1,
            threads: 1,
            total: 4,
            per_run: false,
        },
        &|_| {},
    );
    assert_eq!(s.services[0].downtime.mean(), t.services[0].0);
    assert!(t.services[0].0 > 0.0);
}
