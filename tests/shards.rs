//! Sharding end to end: shards run as separate processes (by flag and by the schedulers'
//! environment variables), merged, must print byte for byte what one unsharded run prints;
//! and merge refuses what does not belong together.

use crate::common::{stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("faultline-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The binary, run from the repository with outputs in a temporary folder and no
/// scheduler variables inherited from whoever runs the tests.
fn faultline_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FAULTLINE_OUTPUT", tmp("output"))
        .env("FAULTLINE_CACHE_DIR", crate::common::cache_root());
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
    ] {
        c.env_remove(k);
    }
    c
}

fn faultline_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = faultline_cmd();
    c.args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Runs `n` shards of `command` at once, as separate processes, and returns their files.
fn shards(
    command: &str,
    scenario: &str,
    runs: &str,
    n: u64,
    tag: &str,
    env_style: &str,
) -> Vec<PathBuf> {
    let children: Vec<(PathBuf, std::process::Child)> = (0..n)
        .map(|i| {
            let file = tmp(&format!("{tag}-{i}.jsonl"));
            let f = file.to_str().unwrap().to_string();
            let shard = format!("{i}/{n}");
            let mut c = faultline_cmd();
            c.args([
                command,
                scenario,
                "--runs",
                runs,
                "--shard-file",
                &f,
                "--threads",
                "1",
            ]);
            match env_style {
                "slurm" => {
                    // Slurm arrays often start at 1: --array=1-4.
                    c.env("SLURM_ARRAY_TASK_ID", (i + 1).to_string())
                        .env("SLURM_ARRAY_TASK_MIN", "1")
                        .env("SLURM_ARRAY_TASK_COUNT", n.to_string());
                }
                "k8s" => {
                    c.env("JOB_COMPLETION_INDEX", i.to_string())
                        .args(["--shards", &n.to_string()]);
                }
                _ => {
                    c.args(["--shard", &shard]);
                }
            }
            (file, c.spawn().unwrap())
        })
        .collect();
    children
        .into_iter()
        .map(|(f, c)| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "shard failed: {}", stderr(&out));
            f
        })
        .collect()
}

fn merged(files: &[PathBuf], json: bool) -> Output {
    let mut args = vec!["merge".to_string()];
    args.extend(files.iter().rev().map(|f| f.to_str().unwrap().to_string()));
    if json {
        args.push("--json".into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    faultline_env(&refs, &[])
}

#[test]
fn four_shards_merge_to_the_bytes_of_one_run() {
    for (command, scenario, style) in [
        ("compare", "scenarios/substation.ron", "flag"),
        ("run", "scenarios/storefront.ron", "slurm"),
        ("compare", "scenarios/amazon-outage.ron", "k8s"),
        // Latent faults and inspections: their figures merge too.
        ("compare", "scenarios/backups.ron", "flag"),
        // The people in the loop: fatigue, teams, procedures.
        ("compare", "scenarios/second-switch.ron", "slurm"),
        // A static structure: where the baseline's risk is, from the shards' scenario text.
        ("compare", "scenarios/cooling.ron", "k8s"),
    ] {
        let files = shards(
            command,
            scenario,
            "1000",
            4,
            &format!("{command}-{style}"),
            style,
        );
        let m = merged(&files, true);
        assert!(m.status.success(), "{}", stderr(&m));
        let single = faultline_env(
            &[
                command,
                scenario,
                "--runs",
                "1000",
                "--json",
                "--threads",
                "2",
            ],
            &[],
        );
        assert!(single.status.success());
        assert_eq!(
            stdout(&m),
            stdout(&single),
            "{command} {scenario} via {style}: merged JSON differs"
        );
        // The tables come out of the same numbers.
        let table = merged(&files, false);
        assert!(table.status.success());
        assert!(stdout(&table).contains("runs"), "{}", stdout(&table));
        // Its heading says where the figures came from, not "in 0.00s on 0 threads".
        assert!(
            stdout(&table).contains("events, merged from 4 shards)"),
            "{}",
            stdout(&table)
        );
        if command == "compare" {
            // merge draws the same charts as the unsharded compare, from the same numbers.
            let (one, many) = (tmp(&format!("one-{style}")), tmp(&format!("many-{style}")));
            let o = faultline_env(
                &[
                    command,
                    scenario,
                    "--runs",
                    "1000",
                    "--quiet",
                    "--out",
                    one.to_str().unwrap(),
                ],
                &[],
            );
            assert!(o.status.success());
            let mut args = vec![
                "merge".to_string(),
                "--quiet".into(),
                "--out".into(),
                many.to_str().unwrap().into(),
            ];
            args.extend(files.iter().map(|f| f.to_str().unwrap().to_string()));
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            assert!(faultline_env(&refs, &[]).status.success());
            for chart in ["cost.svg", "downtime.svg"] {
                let a = std::fs::read(one.join(chart)).unwrap();
                let b = std::fs::read(many.join(chart)).unwrap();
                assert!(a == b, "{chart} differs between compare and merge");
            }
            // The linked runs' pages too: compare chooses them from its own study's rows,
            // merge (which has none) by simulating the baseline again.
            for page in ["explore-worst.html", "explore-median.html"] {
                let a = std::fs::read(one.join(page)).unwrap();
                let b = std::fs::read(many.join(page)).unwrap();
                assert!(
                    a == b,
                    "{scenario}: {page} differs between compare and merge"
                );
            }
            // The same report but for the command line that reproduces it, which names
            // compare's own flags.
            let report = |dir: &Path| {
                let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
                (html.lines())
                    .filter(|l| !l.starts_with("<pre>faultline compare "))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let (a, b) = (report(&one), report(&many));
            assert!(a.contains("<h2>Reproduce</h2>"), "{a}");
            assert!(
                a == b,
                "{scenario}: report.html differs between compare and merge"
            );
            // Where the baseline's risk is, for a scenario with a static structure: one
            // that analyze reads.
            let structure = faultline_env(&["analyze", scenario], &[]).status.success();
            assert_eq!(
                a.contains("<h2 id=\"risk\">"),
                structure,
                "{scenario}: where the baseline's risk is"
            );
        }
    }
}

#[test]
fn merge_refuses_gaps_overlaps_and_other_studies() {
    let files = shards(
        "run",
        "scenarios/substation.ron",
        "700",
        3,
        "refuse",
        "flag",
    );
    let gap = faultline_env(
        &[
            "merge",
            files[0].to_str().unwrap(),
            files[2].to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(gap.status.code(), Some(2));
    assert!(stderr(&gap).contains("in no shard"), "{}", stderr(&gap));
    let twice = faultline_env(
        &[
            "merge",
            files[0].to_str().unwrap(),
            files[1].to_str().unwrap(),
            files[1].to_str().unwrap(),
            files[2].to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        stderr(&twice).contains("covered twice"),
        "{}",
        stderr(&twice)
    );
    let other = tmp("other-seed.jsonl");
    let o = faultline_env(
        &[
            "run",
            "scenarios/substation.ron",
            "--runs",
            "700",
            "--seed",
            "9",
            "--shard",
            "1/3",
            "--shard-file",
            other.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success());
    let mixed = faultline_env(
        &[
            "merge",
            files[0].to_str().unwrap(),
            other.to_str().unwrap(),
            files[2].to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(stderr(&mixed).contains("seed"), "{}", stderr(&mixed));
    // A chunk whose baseline costs lost one (what the report's linked runs are chosen
    // from; only compare's shards carry them) is damaged too.
    let run_shard = std::fs::read_to_string(&files[1]).unwrap();
    assert!(
        !run_shard.contains("\"costs\":"),
        "run's shards carry no costs"
    );
    let compared = shards(
        "compare",
        "scenarios/substation.ron",
        "700",
        3,
        "refuse-costs",
        "flag",
    );
    let text = std::fs::read_to_string(&compared[1]).unwrap();
    let (at, _) = text
        .match_indices("\"costs\":[")
        .nth(2)
        .expect("costs in a chunk");
    let comma = at + text[at..].find(',').unwrap();
    let short = tmp("short-costs.jsonl");
    let damaged = [&text[..at + "\"costs\":[".len()], &text[comma + 1..]].concat();
    std::fs::write(&short, damaged).unwrap();
    let lost = faultline_env(
        &[
            "merge",
            compared[0].to_str().unwrap(),
            short.to_str().unwrap(),
            compared[2].to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(lost.status.code(), Some(2), "{}", stderr(&lost));
    assert!(
        stderr(&lost).contains("damaged baseline costs"),
        "{}",
        stderr(&lost)
    );
    let junk = tmp("junk.jsonl");
    std::fs::write(&junk, "not a shard\n").unwrap();
    let bad = faultline_env(&["merge", junk.to_str().unwrap()], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not a faultline shard file"));
    let wrong = faultline_env(&["run", "scenarios/substation.ron", "--shard", "4/4"], &[]);
    assert_eq!(wrong.status.code(), Some(2));
    let k8s_without_count = faultline_env(
        &["run", "scenarios/substation.ron"],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert_eq!(k8s_without_count.status.code(), Some(2));
    assert!(stderr(&k8s_without_count).contains("--shards"));
}
