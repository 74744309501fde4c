//! The work and memory an input can ask for: plausible ranges, a memory budget per run,
//! a streamed `gen`, a bounded `sweep`, near-linear checks; and a postmortem that carries
//! scenario strings as text, not as Markdown or HTML.

use super::{cmd, put, refused, run_in, said, tiny};
use crate::common::scratch;
use std::ffi::OsStr;
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `tiny` with a queue on its component.
fn with_queue(name: &str, queue: &str) -> String {
    tiny(name, "a").replace(
        "service: (slo: 0.5, users: 10)",
        &format!("service: (slo: 0.5, users: 10), queue: {queue}"),
    )
}

/// Issue 14, item 6: an arrival rate of 2^64 - 1 per second (and other implausible sizes)
/// is a located error, not a 2.5 GB run.
#[test]
fn implausible_rates_and_sizes_are_located_errors() {
    let d = scratch("h-plausible");
    let p = put(
        &d,
        "q.ron",
        &with_queue(
            "q",
            "(rate: 18446744073709551615, workers: 4000000000, service: Fixed(\"1s\"))",
        ),
    );
    let s = refused(&run_in(&d, &[OsStr::new("validate"), p.as_os_str()]));
    assert!(s.contains("components[0].queue.rate"), "{s}");
    assert!(s.contains("components[0].queue.workers"), "{s}");
}

/// Issue 14, item 6: a plausible queue that still grows without bound is stopped by the
/// memory budget per run, with a clear message, like the event cap.
#[test]
fn memory_budget_stops_a_run_like_the_event_cap() {
    let d = scratch("h-budget");
    let p = put(
        &d,
        "b.ron",
        &with_queue("b", "(rate: 1000.0, service: Fixed(\"1h\"))").replace("\"2d\"", "\"30d\""),
    );
    let o = run_in(
        &d,
        &[
            OsStr::new("run"),
            p.as_os_str(),
            OsStr::new("--runs"),
            OsStr::new("1"),
        ],
    );
    assert!(o.status.success(), "{}", said(&o));
    assert!(said(&o).contains("memory budget"), "{}", said(&o));
}

/// Peak resident memory (VmHWM, KiB) of a running process.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Issue 14, item 10: `gen` streams: its first bytes come before the whole text is built,
/// and its memory stays small however many components it prints.
#[test]
fn gen_streams_its_output() {
    let d = scratch("h-gen");
    let mut child = cmd(&d)
        .args(["gen", "2000000"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = vec![0; 1 << 20];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    let kib = peak_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert!(kib < 200_000, "gen held {kib} KiB before printing 1 MiB");
}

/// Issue 14, item 11: `sweep` refuses more values than its stated limit, at once.
#[test]
fn sweep_refuses_beyond_its_value_limit() {
    let d = scratch("h-sweep-limit");
    let p = put(&d, "s.ron", &tiny("s", "a"));
    let started = Instant::now();
    let o = run_in(
        &d,
        &[
            OsStr::new("sweep"),
            p.as_os_str(),
            OsStr::new("--set"),
            OsStr::new("components[0].service.slo=0.1..0.9:1000000"),
        ],
    );
    let s = refused(&o);
    assert!(
        s.contains("1,000,000 values") && s.contains("at most"),
        "{s}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Issue 14, item 12: the "did you mean" hint is bounded work for long ids.
#[test]
fn did_you_mean_is_bounded_for_long_ids() {
    let d = scratch("h-hint");
    let long = "k".repeat(40_000);
    let near = format!("{}j", &long[1..]);
    let text = format!(
        r#"Scenario(name: "h", horizon: "2d", components: [
    (id: "{long}", service: (slo: 0.5)), (id: "b"),
], edges: [(from: "b", to: "{near}", kind: Requires)])"#
    );
    let p = put(&d, "h.ron", &text);
    let started = Instant::now();
    refused(&run_in(&d, &[OsStr::new("validate"), p.as_os_str()]));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

/// Issue 14, item 12: groups of 30,000 and 100,000 members validate in near-linear time,
/// whether each member's loss is masked (need 1) or fails the service (need all).
#[test]
fn huge_groups_validate_fast() {
    let d = scratch("h-groups");
    for (n, need) in [(30_000, 1), (100_000, 1), (100_000, 100_000)] {
        let mut text = String::from("Scenario(name: \"g\", horizon: \"2d\", components: [\n");
        for i in 0..n {
            text.push_str(&format!("(id: \"m{i}\"),\n"));
        }
        let members: Vec<String> = (0..n).map(|i| format!("\"m{i}\"")).collect();
        text.push_str(&format!(
            "(id: \"g\", group: (need: {need}, of: [{}]), service: (slo: 0.5)),\n])",
            members.join(", ")
        ));
        let p = put(&d, &format!("g{n}-{need}.ron"), &text);
        let started = Instant::now();
        let o = run_in(&d, &[OsStr::new("validate"), p.as_os_str()]);
        let took = started.elapsed();
        assert!(o.status.success(), "{}", said(&o));
        assert!(
            took < Duration::from_secs(5),
            "{n} members, need {need}: took {took:?}"
        );
    }
}

/// Issue 14, item 9: postmortem.md carries scenario strings as text: no raw HTML, no
/// Markdown that changes its structure.
#[test]
fn postmortem_escapes_markdown_and_html() {
    let d = scratch("h-postmortem");
    let text = tiny("<b>pm</b>", "<script>alert(1)</script>|*x*")
        .replace("name: \"f\"", "name: \"[link](javascript:x) `code`\"");
    let p = put(&d, "p.ron", &text);
    let out = d.join("out");
    let o = run_in(
        &d,
        &[
            OsStr::new("trace"),
            p.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("-q"),
        ],
    );
    assert!(o.status.success(), "{}", said(&o));
    let md = std::fs::read_to_string(out.join("postmortem.md")).unwrap();
    for raw in ["<script>", "<b>", "](javascript", "|*x*", "`code`"] {
        assert!(!md.contains(raw), "{raw} reached postmortem.md raw:\n{md}");
    }
    // Every table row still has its columns.
    for l in md.lines().filter(|l| l.starts_with("| ")) {
        let cols = l.matches(" | ").count();
        assert!(cols == 2 || cols == 4, "{l}");
    }
}

/// Issue 14, item 12: the SPOF probe's shortcuts for huge groups (skip members whose loss a
/// group masks; share one probe among the members whose loss takes a group down) find
/// exactly what probing every component finds: on every shipped scenario and strategy, on
/// generated estates, and on groups built to sit on each side of their quorum.
#[test]
fn group_shortcuts_find_what_probing_each_finds() {
    use faultline::analysis::{spofs, spofs_probing_each};
    use faultline::r#gen::{Profile, scenario_text};
    use faultline::validate::load_all_str;
    let mut texts: Vec<(String, String)> = std::fs::read_dir(crate::common::repo("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).expect("read"),
            )
        })
        .collect();
    for (n, profile) in [(300, Profile::Estate), (2000, Profile::Stress)] {
        texts.push((format!("gen {n}"), scenario_text(n, 7, profile)));
    }
    // Members on both sides of quorum, shared between groups, with edges of their own, in a
    // group of groups, a pool, a voter's backup, members that are services themselves.
    texts.push((
        "edges".into(),
        r#"Scenario(name: "e", horizon: "2d", components: [
    (id: "a", faults: [(name: "x", every: Exp(mean: "9d"), effect: Crash, repair: Exp(mean: "1h"))]),
    (id: "b", service: (slo: 0.5)), (id: "c"), (id: "d"), (id: "e"), (id: "f"), (id: "h"),
    (id: "i"), (id: "g4", group: (need: 1, of: ["h", "i"])),
    (id: "t1", capacity: 0.1), (id: "t2", capacity: 0.2), (id: "t3", capacity: 0.3),
    (id: "t4", capacity: 0.7), (id: "t5", capacity: 0.4),
    (id: "g5", group: (need: 1, of: ["t1", "t2", "t3", "t4", "t5"]), service: (slo: 0.5)),
    (id: "g1", group: (need: 2, of: ["a", "b", "c"])),
    (id: "g2", group: (need: 3, of: ["c", "d", "e"]), service: (slo: 0.9)),
    (id: "g3", group: (need: 1, of: ["d", "f"])),
    (id: "gg", group: (need: 2, of: ["g1", "g2", "g3"]), service: (slo: 0.5)),
    (id: "p", group: (need: 2, of: ["e", "f"], partial: true), service: (slo: 0.9)),
    (id: "v", voter: (of: ["a", "b", "c"], backup: "f"), service: (slo: 0.5)),
    (id: "s", service: (slo: 0.5)),
], edges: [(from: "s", to: "e", kind: Requires), (from: "s", to: "g3", kind: Requires),
    (from: "s", to: "g4", kind: Requires)])"#
            .into(),
    ));
    for (name, text) in &texts {
        let (_, models) =
            load_all_str(name, text).unwrap_or_else(|e| panic!("{name}: {}", e.render(false)));
        for m in &models {
            let (fast, each) = (spofs(m), spofs_probing_each(m));
            assert_eq!(fast.components, each.components, "{name} / {}", m.strategy);
            assert_eq!(fast.common, each.common, "{name} / {}", m.strategy);
        }
    }
}
