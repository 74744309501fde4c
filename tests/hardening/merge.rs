//! `merge` trusts nothing it reads: the scenario hash is recomputed from the text, every
//! count is checked against the header and every value against its range.

use super::{put, refused, run_in, said};
use crate::common::{repo, scratch};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Two shards of a 200-run study of the substation, in `dir`.
fn two_shards(dir: &Path) -> [PathBuf; 2] {
    let sc = repo("scenarios/substation.ron");
    [0, 1].map(|i| {
        let f = dir.join(format!("s{i}.jsonl"));
        let o = run_in(
            dir,
            &[
                OsStr::new("run"),
                sc.as_os_str(),
                OsStr::new("--runs"),
                OsStr::new("200"),
                OsStr::new("--shard"),
                OsStr::new(&format!("{i}/2")),
                OsStr::new("--shard-file"),
                f.as_os_str(),
            ],
        );
        assert!(o.status.success(), "{}", said(&o));
        f
    })
}

/// Rewrites line `line` (0 the header) of a shard file through `edit`.
fn tamper(from: &Path, to: &Path, line: usize, edit: impl Fn(&mut Value)) {
    let text = std::fs::read_to_string(from).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut v: Value = serde_json::from_str(&lines[line]).unwrap();
    edit(&mut v);
    lines[line] = serde_json::to_string(&v).unwrap();
    std::fs::write(to, lines.join("\n") + "\n").unwrap();
}

/// Issue 14, item 5: a damaged or edited shard is refused with exit 2, naming the file and
/// what is wrong.
#[test]
fn merge_refuses_damaged_shards() {
    let dir = scratch("h-merge");
    let [a, b] = two_shards(&dir);
    let ok = run_in(&dir, &[OsStr::new("merge"), a.as_os_str(), b.as_os_str()]);
    assert!(ok.status.success(), "{}", said(&ok));
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, usize, Edit, &str)> = vec![
        (
            "edited-text",
            0,
            Box::new(|v| {
                let t = v["text"]
                    .as_str()
                    .unwrap()
                    .replace("runs: 10000", "runs: 10001");
                v["text"] = t.into();
            }),
            "hash",
        ),
        (
            "availability-7",
            1,
            Box::new(|v| v["summaries"][0]["availability"]["mean"] = 7.0.into()),
            "availability",
        ),
        (
            "negative-downtime",
            1,
            Box::new(|v| v["summaries"][0]["downtime"]["mean"] = (-30_000_000.0).into()),
            "downtime",
        ),
        (
            "chunk-runs",
            1,
            Box::new(|v| v["summaries"][0]["runs"] = 5.into()),
            "runs",
        ),
        (
            "runs-max",
            0,
            Box::new(|v| v["runs"] = u64::MAX.into()),
            "runs",
        ),
        (
            "nan-cost",
            1,
            Box::new(|v| v["summaries"][0]["cost"]["m2"] = (-1.0).into()),
            "cost",
        ),
    ];
    for (name, line, edit, what) in cases {
        let bad = dir.join(format!("{name}.jsonl"));
        tamper(&a, &bad, line, edit);
        let o = run_in(&dir, &[OsStr::new("merge"), bad.as_os_str(), b.as_os_str()]);
        let s = refused(&o);
        assert!(s.contains(&format!("{name}.jsonl")), "{name}: {s}");
        assert!(s.contains(what), "{name}: no `{what}` in {s}");
    }
    let _ = put(&dir, "unused", "");
}
