//! The command line as a user runs it: the README's commands, JSON contract, determinism
//! across thread counts, exit codes, and flat memory as runs grow.

use crate::common::{faultline, scenario_file, stderr, stdout};

const SUBSTATION: &str = "scenarios/substation.ron";

#[test]
fn readme_commands_work() {
    for args in [
        vec!["validate", SUBSTATION],
        vec!["trace", SUBSTATION, "--run", "3"],
        vec!["run", SUBSTATION, "--runs", "2000"],
        vec!["graph", SUBSTATION],
    ] {
        let out = faultline(&args);
        assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
        assert!(!stdout(&out).is_empty(), "{args:?} printed nothing");
        assert!(!stderr(&out).contains("panicked"));
    }
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = faultline(args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn json_summary_follows_the_contract() {
    let j = json(&["run", SUBSTATION, "--runs", "500", "--json"]);
    assert_eq!(j["scenario"], "substation");
    assert_eq!(j["runs"], 500);
    assert_eq!(j["seed"], 2022);
    assert_eq!(j["horizon_s"], 90.0 * 86400.0);
    assert!(j["events"].as_u64().unwrap() > 500);
    let b = &j["strategies"][0];
    assert_eq!(b["name"], "baseline");
    for key in ["mean", "ci95"] {
        assert!(b["availability"][key].is_f64(), "availability.{key}");
        assert!(b["cost"][key].is_f64(), "cost.{key}");
    }
    for key in ["mean", "p50", "p90", "p99"] {
        assert!(b["downtime_s"][key].is_f64(), "downtime_s.{key}");
    }
    for key in ["mttd_s", "mttm_s", "time_to_restore_s"] {
        assert!(b.get(key).is_some(), "{key} missing");
    }
    // The clearer name is the same figure as the old one.
    assert_eq!(b["time_to_restore_s"], b["mttm_s"]);
    assert!(b["mttr_s"].is_f64());
    assert!(b["failures"]["mean"].is_f64());
    // The attack is injected in every run: every run sees a failure.
    assert_eq!(b["failure_probability"], 1.0);
    let a = b["availability"]["mean"].as_f64().unwrap();
    assert!(a > 0.0 && a < 1.0);
    // Percentiles are ordered.
    let d = &b["downtime_s"];
    assert!(d["p50"].as_f64() <= d["p90"].as_f64() && d["p90"].as_f64() <= d["p99"].as_f64());
    assert_eq!(b["root_causes"][0]["fault"], "gunfire");
    // One strategy: no runner-up to compare with.
    assert!(j.get("winner_vs_runner_up").is_none());
}

#[test]
fn compare_gives_the_winner_against_the_runner_up_as_a_paired_difference() {
    let j = json(&["compare", SUBSTATION, "--runs", "300", "--json", "-q"]);
    let p = &j["winner_vs_runner_up"];
    let cost = |name: &str| {
        let s = j["strategies"].as_array().unwrap();
        let x = s.iter().find(|x| x["name"] == name).unwrap();
        x["cost"]["mean"].as_f64().unwrap()
    };
    let (w, r) = (
        p["winner"].as_str().unwrap(),
        p["runner_up"].as_str().unwrap(),
    );
    // Paired on the same runs: the mean difference is the difference of the means.
    let d = p["paired_cost_diff"]["mean"].as_f64().unwrap();
    assert!(
        (d - (cost(w) - cost(r))).abs() < 1e-6 * cost(r).abs(),
        "{p}"
    );
    assert!(d <= 0.0 && p["paired_cost_diff"]["ci95"].as_f64().unwrap() >= 0.0);
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let run = |threads: &str, seed: &str| {
        stdout(&faultline(&[
            "run",
            SUBSTATION,
            "--runs",
            "5000",
            "--json",
            "--threads",
            threads,
            "--seed",
            seed,
        ]))
    };
    let one = run("1", "7");
    assert_eq!(one, run("2", "7"));
    assert_eq!(one, run("2", "7"));
    assert_ne!(
        one,
        run("2", "8"),
        "a different seed must give different results"
    );
}

#[test]
fn graph_highlights_single_points_of_failure() {
    let dot = stdout(&faultline(&["graph", SUBSTATION]));
    assert!(dot.starts_with("digraph"));
    let line = |id: &str| {
        dot.lines()
            .find(|l| l.trim_start().starts_with(&format!("\"{id}\" [")))
            .unwrap()
            .to_string()
    };
    assert!(
        line("west_end_xfmr").contains("fillcolor"),
        "a lone transformer is a SPOF"
    );
    assert!(
        !line("line_north").contains("fillcolor"),
        "a redundant line is not"
    );
    assert!(dot.contains("\"customers\" -> \"distribution\""));
    let v = stdout(&faultline(&["validate", SUBSTATION]));
    assert!(v.contains("west_end_xfmr → customers"));
    assert!(!v.contains("line_north →"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["run", SUBSTATION, "--runs", "0"],
        vec!["run", SUBSTATION, "--horizon", "soon"],
        vec!["run", SUBSTATION, "--frobnicate"],
        vec!["explode", SUBSTATION],
        vec!["run"],
        vec!["gen", "100", "--profile", "gentle"],
    ] {
        let out = faultline(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["graph", SUBSTATION])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

fn peak_kib(runs: &str) -> u64 {
    // One worker thread: the allocator then keeps a single arena, so the peak does not
    // depend on how busy the machine is (with two, it varied under load).
    let out = faultline(&[
        "run",
        SUBSTATION,
        "--runs",
        runs,
        "--stats",
        "--quiet",
        "--threads",
        "1",
    ]);
    let err = stderr(&out);
    let kib = err
        .split("peak memory ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok());
    kib.unwrap_or_else(|| panic!("no peak memory in {err:?}"))
}

#[test]
fn memory_stays_flat_as_runs_grow() {
    if !std::path::Path::new("/proc/self/status").exists() {
        return; // Peak memory is only measured where /proc exists.
    }
    let small = peak_kib("1000");
    let large = peak_kib("100000");
    assert!(
        large < small + 2048,
        "1k runs: {small} KiB, 100k runs: {large} KiB"
    );
    let huge = peak_kib("400000");
    assert!(
        (huge as f64) < large as f64 * 1.05 + 256.0,
        "100k runs: {large} KiB, 400k runs: {huge} KiB"
    );
}

/// `gen` writes the same estate under both profiles, stress failing far more often; a run
/// with `--stats` says where loading spent its time, and the parts add up to the whole.
#[test]
fn generated_profiles_load_and_stats_break_loading_down() {
    let estate = stdout(&faultline(&["gen", "300"]));
    let stress = stdout(&faultline(&["gen", "300", "--profile", "stress"]));
    assert_ne!(estate, stress);
    for text in [&estate, &stress] {
        assert_eq!(text.matches("(from: ").count(), 900);
    }
    let mut events = Vec::new();
    for (name, text) in [("gen-estate", &estate), ("gen-stress", &stress)] {
        let file = scenario_file(name, text);
        let out = faultline(&["run", &file, "--runs", "20", "--stats"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        let load = err
            .lines()
            .find(|l| l.starts_with("stats: loaded in "))
            .unwrap_or_else(|| panic!("no load line in {err:?}"));
        let secs: Vec<f64> = load
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(secs.len(), 4, "{load}");
        let parts = secs[1] + secs[2] + secs[3];
        assert!((secs[0] - parts).abs() < 0.0015, "{load}");
        let n: u64 = err
            .split(" runs, ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no event count in {err:?}"));
        events.push(n);
    }
    // Six times the faults; more than four times the events over the same runs.
    assert!(
        events[1] > 4 * events[0],
        "estate, stress events: {events:?}"
    );
}

/// A 2-of-3 group of identical members fails when two are down at once. Blame goes to the
/// member whose failure broke the quorum, so identical members share it equally (listing
/// order used to decide: the first listed took two thirds and the last none). The same for
/// a voter over three identical replicas.
#[test]
fn identical_members_share_the_blame_for_a_lost_quorum() {
    let members = ["a", "b", "c"];
    for (kind, owner) in [
        (
            "group",
            r#"(id: "pool", group: (need: 2, of: ["a", "b", "c"]))"#,
        ),
        ("voter", r#"(id: "pool", voter: (of: ["a", "b", "c"]))"#),
    ] {
        let comps: Vec<String> = members
            .iter()
            .map(|m| {
                format!(
                    r#"(id: "{m}", faults: [(name: "f{m}", every: Exp(mean: "20d"), effect: Crash, repair: Exp(mean: "2d"))]),"#
                )
            })
            .collect();
        let text = format!(
            r#"Scenario(name: "trio", horizon: "365d", components: [
                {} {owner}, (id: "svc", service: (slo: 0.9)),
            ], edges: [(from: "svc", to: "pool", kind: Requires)])"#,
            comps.join("\n")
        );
        let file = scenario_file(&format!("quorum-{kind}"), &text);
        let j = json(&["run", &file, "--runs", "1000", "--json"]);
        let causes = j["strategies"][0]["root_causes"].as_array().unwrap();
        assert_eq!(causes.len(), 3, "{kind}: {causes:?}");
        let total: f64 = causes.iter().map(|c| c["failures"].as_f64().unwrap()).sum();
        assert!(total > 5_000.0, "{kind}: {total} failures");
        for c in causes {
            let share = c["share"].as_f64().unwrap();
            // ~8,000 failures: a share's standard error is about 0.005.
            assert!((share - 1.0 / 3.0).abs() < 0.03, "{kind}: {causes:?}");
        }
    }
}

/// A large model has thousands of single points of failure: `validate` lists the 40 that
/// fail the most services, most first, and says how many more; `--all` lists every one.
#[test]
fn validate_summarises_thousands_of_single_points_of_failure() {
    let path = scenario_file("spofs", &stdout(&faultline(&["gen", "3000"])));
    let short = stdout(&faultline(&["validate", &path]));
    let all = stdout(&faultline(&["validate", &path, "--all"]));
    let items = |text: &str| -> Vec<usize> {
        let lines = text.lines().filter(|l| l.starts_with("  - "));
        lines
            .map(|l| l.split(" → ").nth(1).unwrap().split(", ").count())
            .collect()
    };
    let (listed, every) = (items(&short), items(&all));
    assert_eq!(listed.len(), 40, "{short}");
    assert!(
        every.len() > 100,
        "a 3,000-component estate has many: {}",
        every.len()
    );
    assert!(
        listed.windows(2).all(|w| w[0] >= w[1]),
        "most services first: {listed:?}"
    );
    let most = every.iter().max().unwrap();
    assert_eq!(listed[0], *most);
    let more: usize = short
        .split("… and ")
        .nth(1)
        .and_then(|r| r.split(" more (`--all` lists every one)").next())
        .map(|n| n.replace(',', ""))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of the rest in {short}"));
    assert_eq!(more, every.len() - 40);
    assert!(!all.contains("more (`--all`"));
}

#[test]
fn the_event_cap_is_reported_not_silent() {
    // One fault on day 1, repaired 10 days later: with a cap of one event, each run stops at
    // the repair it cannot process, having simulated 11 days of which 10 were down.
    let path = &scenario_file(
        "cap",
        r#"Scenario(name: "cap", horizon: "20d", components: [
            (id: "a", faults: [(name: "f", every: At("1d"), effect: Crash, repair: Fixed("10d"))]),
            (id: "svc", service: (slo: 0.5)),
        ], edges: [(from: "svc", to: "a", kind: Requires)])"#,
    );
    let j = json(&["run", path, "--runs", "50", "--json", "--max-events", "1"]);
    assert_eq!(j["capped_runs"], 50);
    let a = j["strategies"][0]["availability"]["mean"].as_f64().unwrap();
    assert!(
        (a - 1.0 / 11.0).abs() < 1e-12,
        "availability {a} over the 11 simulated days"
    );
    let out = faultline(&["run", path, "--runs", "50", "--max-events", "1"]);
    assert!(
        stdout(&out).contains("hit the event cap"),
        "{}",
        stdout(&out)
    );
    let uncapped = json(&["run", path, "--runs", "50", "--json"]);
    assert_eq!(uncapped["capped_runs"], 0);
}

/// The long flags of each subcommand, as clap defines (and `--help` lists) them.
fn flags_of(sub: &str) -> Vec<String> {
    use clap::CommandFactory;
    let cli = faultline::cli::Cli::command();
    let cmd = cli.find_subcommand(sub).expect("a subcommand");
    cmd.get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect()
}

#[test]
fn every_listed_flag_works_and_common_flags_are_common() {
    let common = ["seed", "horizon", "max-events", "quiet", "deny-warnings"];
    for sub in ["trace", "run", "compare", "sweep"] {
        let flags = flags_of(sub);
        for f in common {
            assert!(flags.iter().any(|x| x == f), "{sub} lacks --{f}");
        }
        let has_strategy = flags.iter().any(|x| x == "strategy");
        assert_eq!(
            has_strategy,
            matches!(sub, "run" | "trace"),
            "{sub}: --strategy"
        );
    }
    for sub in ["run", "compare", "sweep"] {
        let flags = flags_of(sub);
        assert!(flags.iter().any(|x| x == "runs") && flags.iter().any(|x| x == "threads"));
    }
    // Not listed, hence refused by clap itself (exit 2), never listed and then refused.
    for sub in ["compare", "sweep"] {
        let out = faultline(&["help", sub]);
        assert!(!stdout(&out).contains("--strategy"), "{}", stdout(&out));
    }
    let out = faultline(&["compare", SUBSTATION, "--strategy", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument"),
        "{}",
        stderr(&out)
    );
    // The common flags, all at once, on every command that simulates.
    let dir = std::env::temp_dir().join("faultline-common-flags");
    let dir = dir.to_str().expect("UTF-8 temp dir");
    for args in [
        vec!["trace", SUBSTATION, "--out", dir],
        vec![
            "run",
            SUBSTATION,
            "--runs",
            "50",
            "--threads",
            "2",
            "--strategy",
            "mobile-transformer",
            "--stats",
        ],
        vec![
            "compare",
            SUBSTATION,
            "--runs",
            "50",
            "--threads",
            "2",
            "--out",
            dir,
        ],
    ] {
        let mut args = args.clone();
        args.extend([
            "--seed",
            "7",
            "--horizon",
            "30d",
            "--max-events",
            "100000",
            "--quiet",
        ]);
        args.push("--deny-warnings");
        let out = faultline(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn long_tables_say_what_is_hidden_and_all_shows_it() {
    let b17 = "scenarios/b17-switches.ron";
    let out = faultline(&["run", b17, "--runs", "300", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("more components are hidden; --all shows every one"),
        "{text}"
    );
    let out = faultline(&["run", b17, "--runs", "300", "--quiet", "--all", "--wide"]);
    let text = stdout(&out);
    assert!(!text.contains("hidden"), "{text}");
    for k in 1..=12 {
        let crew = format!(" bomber_{k} ");
        assert!(text.contains(&crew), "{crew:?} missing with --all:\n{text}");
    }
}

/// Issue 21, item 11: every command's help ends with examples and the exit codes.
#[test]
fn every_command_help_has_examples_and_exit_codes() {
    use clap::CommandFactory;
    let cli = faultline::cli::Cli::command();
    let mut names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
    names.push("");
    for name in names {
        let args: Vec<&str> = [name, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let o = faultline(&args);
        let help = stdout(&o);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let examples = help.split_once("Examples:\n").map(|(_, e)| e);
        assert!(
            examples.is_some_and(|e| e.contains("\n  faultline ")),
            "{args:?} has no examples:\n{help}"
        );
        assert!(
            help.contains("Exit codes:\n  0 "),
            "{args:?} has no exit codes:\n{help}"
        );
    }
}

/// Issue 21, item 11: completion scripts and manual pages come from the clap definitions.
#[test]
fn completions_and_man_pages_are_generated() {
    let o = faultline(&["completions", "bash"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = stdout(&o);
    for cmd in ["validate", "compare", "sweep", "merge", "--deny-warnings"] {
        assert!(script.contains(cmd), "bash completion lacks {cmd}");
    }
    let file = crate::common::scratch("completions").join("faultline.bash");
    std::fs::write(&file, &script).unwrap();
    if let Ok(check) = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
    {
        assert!(check.status.success(), "bash -n: {}", stderr(&check));
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let o = faultline(&["completions", shell]);
        assert!(o.status.success() && !stdout(&o).is_empty(), "{shell}");
    }
    assert_eq!(faultline(&["completions", "tcsh"]).status.code(), Some(2));

    let page = stdout(&faultline(&["man"]));
    assert!(page.contains(".TH faultline 1"), "{page}");
    assert!(page.contains("Exit codes:"), "{page}");
    let page = stdout(&faultline(&["man", "compare"]));
    assert!(page.contains(".TH faultline-compare 1"), "{page}");
    assert!(page.contains("common random numbers"), "{page}");
    let o = faultline(&["man", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("manual pages exist for: validate, run"),
        "{}",
        stderr(&o)
    );
}

/// Issue 21, item 11: `--version` names the commit it was built from.
#[test]
fn version_names_the_commit() {
    let v = stdout(&faultline(&["--version"]));
    assert!(
        v.starts_with(&format!("faultline {} (", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    if let Some(head) = head.ok().filter(|h| h.status.success()) {
        let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
        assert!(
            v.contains(&format!("({head})")),
            "{v} is not built from {head}"
        );
    }
}
