//! `attack`: the search's ranking against what a small deterministic model must give, its
//! defences, and its refusals.

use crate::common::{faultline, scratch, stderr, stdout};
use serde_json::Value;

/// Nothing fails on its own (every fault is `Never`), so an attack's damage is exact: the
/// service needs `c` and one of `a`, `b`; repairs take a 2 h, b 5 h, c 1 h; an outage
/// costs $100 a minute. A strategy gives `c` a standby.
const MODEL: &str = r#"Scenario(
    name: "attack-model",
    horizon: "1d",
    runs: 50,
    seed: 1,
    components: [
        (id: "a", faults: [(name: "hit", every: Never, effect: Crash, repair: Fixed("2h"))]),
        (id: "b", faults: [(name: "hit", every: Never, effect: Crash, repair: Fixed("5h"))]),
        (id: "c", faults: [(name: "hit", every: Never, effect: Crash, repair: Fixed("1h"))]),
        (id: "pair", group: (need: 1, of: ["a", "b"])),
        (id: "cs", group: (need: 1, of: ["c"])),
        (id: "site", service: (slo: 1.0, users: 10)),
    ],
    edges: [
        (from: "site", to: "pair", kind: Requires),
        (from: "site", to: "cs", kind: Requires),
    ],
    cost: (outage_per_minute: 100.0),
    strategies: [
        (name: "standby-c", patch: (components: [
            (id: "c2"),
            (id: "cs", group: (need: 1, of: ["c", "c2"])),
        ]), cost: 10.0),
    ],
)
"#;

/// `attack --k K --at 6h --json` on the model, written in a folder of its own (`tag`):
/// tests run in parallel.
fn attack_json(tag: &str, k: &str) -> Value {
    attack_with(tag, &["--k", k])
}

/// `attack --at 6h --json` and `args` on the model, in a folder of its own (`tag`).
fn attack_with(tag: &str, args: &[&str]) -> Value {
    let dir = scratch(tag);
    let file = dir.join("model.ron");
    std::fs::write(&file, MODEL).unwrap();
    let mut all = vec![
        "attack",
        file.to_str().unwrap(),
        "--at",
        "6h",
        "--json",
        "-q",
    ];
    all.extend_from_slice(args);
    let out = faultline(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

/// (targets, added cost) of every attack, in the order ranked.
fn ranking(j: &Value) -> Vec<(String, f64)> {
    j["attacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let t: Vec<&str> = a["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            (t.join("+"), a["extra_cost"]["mean"].as_f64().unwrap())
        })
        .collect()
}

/// N-1: only `c` hurts, for its hour of repair ($6,000); losing `a` or `b` alone is
/// masked. N-2: the pair `a`+`b` is worst (down until `a` is back, 2 h: $12,000), then
/// each pair with `c` (1 h). Every run gives the same numbers.
#[test]
fn attacks_rank_as_the_structure_and_repairs_say() {
    let j = attack_json("attack-rank", "1");
    assert_eq!(j["search"], "exhaustive");
    let r = ranking(&j);
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0], ("c".to_string(), 6000.0));
    assert!(r[1..].iter().all(|(_, x)| *x == 0.0), "{r:?}");
    let j = attack_json("attack-rank", "2");
    let r = ranking(&j);
    assert_eq!(
        r,
        [
            ("a+b".to_string(), 12000.0),
            ("a+c".to_string(), 6000.0),
            ("b+c".to_string(), 6000.0)
        ]
    );
    let worst = &j["attacks"][0];
    assert_eq!(worst["extra_downtime_s"]["mean"], 7200.0);
    assert_eq!(worst["extra_cost"]["ci95"], 0.0);
}

/// Under the worst single attack (`c`), the standby for `c` defends best: the baseline
/// loses $6,000 a run, the strategy only its own $10.
#[test]
fn the_best_defence_is_the_strategy_cheapest_under_the_attack() {
    let j = attack_json("attack-defend", "1");
    let d = &j["defended"][0];
    assert_eq!(d["targets"][0], "c");
    let s = d["strategies"].as_array().unwrap();
    assert_eq!(s[0]["strategy"], "standby-c");
    assert_eq!(s[0]["cost"]["mean"], 10.0);
    assert_eq!(s[0]["vs_baseline"]["mean"], -5990.0);
    assert_eq!(s[1]["strategy"], "baseline");
    assert_eq!(s[1]["cost"]["mean"], 6000.0);
}

/// Impossible searches are refused (exit 2, the reason, nothing printed on stdout).
#[test]
fn impossible_searches_are_refused() {
    let dir = scratch("attack-refused");
    let file = dir.join("model.ron");
    std::fs::write(&file, MODEL).unwrap();
    let f = file.to_str().unwrap();
    for (args, needle) in [
        (vec!["--k", "4"], "--k 4 but the scenario has 3 targets"),
        (vec!["--at", "2d"], "must come before the horizon"),
        (vec!["--k", "2", "--limit", "2"], "more than --limit 2"),
        (
            vec!["--during", "night"],
            "--during night: the scenario has no phases",
        ),
    ] {
        let mut all = vec!["attack", f, "-q"];
        all.extend(args.iter().copied());
        let out = faultline(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{all:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{all:?}");
    }
}

/// The beam search finds the exhaustive search's worst pair even at width 1, where growing
/// the worst single (`c`) alone would miss it: `a` and `b` do nothing alone, and are tried
/// together as two members of one group.
#[test]
fn a_narrow_beam_finds_the_worst_pair_through_its_group() {
    let j = attack_with("attack-beam", &["--k", "2", "--beam", "1"]);
    assert_eq!(j["search"]["beam"]["width"], 1, "{}", j["search"]);
    let exhaustive = ranking(&attack_json("attack-beam-all", "2"));
    assert_eq!(ranking(&j)[0], exhaustive[0]);
    assert_eq!(ranking(&j)[0].0, "a+b");
}

/// `--during PHASE` attacks at the phase's start and a quarter, half and three quarters
/// through it (here the second half of the day), besides any `--at`; an unknown phase is
/// refused with the phases there are.
#[test]
fn an_attack_during_a_phase_tries_four_moments_of_it() {
    let phased = MODEL.replace(
        "cost: (outage_per_minute: 100.0),",
        r#"cost: (outage_per_minute: 100.0),
    phases: (list: [(name: "quiet", lasts: "12h"), (name: "busy", lasts: "12h")]),"#,
    );
    let dir = scratch("attack-during");
    let file = dir.join("model.ron");
    std::fs::write(&file, phased).unwrap();
    let f = file.to_str().unwrap();
    let out = faultline(&[
        "attack", f, "--during", "busy", "--at", "1h", "--json", "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hours: Vec<f64> = (j["at_s"].as_array().unwrap().iter())
        .map(|t| t.as_f64().unwrap() / 3600.0)
        .collect();
    assert_eq!(hours, [1.0, 12.0, 15.0, 18.0, 21.0]);
    let out = faultline(&["attack", f, "--during", "rush", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--during rush: no phase of that name; it has: quiet, busy"),
        "{}",
        stderr(&out)
    );
}
