//! Every command in the lab guides (`docs/labs/*.md`) works as written.
//!
//! Lines inside ```sh blocks that start with `cargo run --release -- ` run against the
//! faultline binary; `cp scenarios/X Y` lines copy into a scratch directory and later
//! commands use the copy. Outputs go to scratch (the helper sets FAULTLINE_OUTPUT; `--out`
//! values are replaced), and every `output/...` file a guide quotes must then exist.

use crate::common::{faultline, output_root, repo, scratch, stderr, stdout};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const CARGO: &str = "cargo run --release -- ";

/// Splits a command line like a shell: whitespace separates words, single quotes keep
/// everything literally, double quotes keep everything but `\"` and `\\`; a `#` at the
/// start of a word begins a comment.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"') | Some('\\')) => {
                            cur.push(chars.next().unwrap())
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[test]
fn splitter_honours_quotes() {
    assert_eq!(
        split(r#"sweep a.ron --set 'x[1].y=1d..9d:5' --m "a b" c\d # note"#),
        [
            "sweep",
            "a.ron",
            "--set",
            "x[1].y=1d..9d:5",
            "--m",
            "a b",
            r"c\d"
        ]
    );
    assert_eq!(
        split(r#"--set 'response.diagnose=Fixed("1h"),2h'"#),
        ["--set", r#"response.diagnose=Fixed("1h"),2h"#]
    );
    assert_eq!(split(r#"x "a\"b" ''"#), ["x", "a\"b", ""]);
}

/// The lines of every ```sh block in `text`.
fn sh_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            inside = !inside && t == "```sh";
            continue;
        }
        if inside {
            out.push(t.to_string());
        }
    }
    out
}

/// Every file a guide sends students to (`output/<stem>/<folder>/<file>` in backticks) was
/// written by the guide's commands, so a guide cannot name a path the tool no longer uses.
fn assert_quoted_outputs_exist(guide: &Path, text: &str) {
    for quoted in text.split('`').skip(1).step_by(2) {
        let Some(rel) = quoted.strip_prefix("output/") else {
            continue;
        };
        if rel.contains('<') || !rel.contains('.') || rel.ends_with('/') {
            continue;
        }
        let path = output_root().join(rel);
        assert!(
            path.is_file(),
            "{}: quotes `{quoted}`, which its commands did not write",
            guide.display()
        );
    }
}

#[test]
fn every_lab_command_works_as_written() {
    let dir = repo("docs/labs");
    let mut guides: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/labs")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    guides.sort();
    assert!(
        guides.len() >= 5,
        "expected the index and four guides in docs/labs, found {guides:?}"
    );

    let work = scratch("labs");
    let mut ran = 0;
    for guide in &guides {
        let name = guide.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(guide).unwrap();
        // Student copies made by `cp` lines in this guide: name in the guide → scratch path.
        let mut copies: HashMap<String, String> = HashMap::new();
        for (i, line) in sh_lines(&text).iter().enumerate() {
            let where_ = format!("{}: sh line {}: {line}", guide.display(), i + 1);
            if line.starts_with("cp scenarios/") {
                let words = split(line);
                assert_eq!(words.len(), 3, "{where_}: expected `cp SRC DST`");
                let dst = work.join(format!("{name}-{}", words[2]));
                std::fs::copy(repo(&words[1]), &dst).unwrap_or_else(|e| panic!("{where_}: {e}"));
                copies.insert(words[2].clone(), dst.to_string_lossy().into_owned());
                continue;
            }
            let Some(rest) = line.strip_prefix(CARGO) else {
                continue;
            };
            let mut args = split(rest);
            let mut k = 0;
            while k < args.len() {
                if args[k] == "--out" && k + 1 < args.len() {
                    let out = work.join(format!("{name}-out-{i}"));
                    args[k + 1] = out.to_string_lossy().into_owned();
                    k += 2;
                    continue;
                }
                if let Some(copy) = copies.get(&args[k]) {
                    args[k] = copy.clone();
                } else {
                    assert!(
                        !(args[k].starts_with("my-") && args[k].ends_with(".ron")),
                        "{where_}: uses {} before a `cp scenarios/… {}` line in the same guide",
                        args[k],
                        args[k]
                    );
                }
                k += 1;
            }
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let started = std::time::Instant::now();
            let o = faultline(&refs);
            let secs = started.elapsed().as_secs_f64();
            assert!(
                o.status.success(),
                "{where_}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
                o.status.code(),
                stdout(&o),
                stderr(&o)
            );
            assert!(!stdout(&o).trim().is_empty(), "{where_}: printed nothing");
            eprintln!("{secs:6.2}s  {name}: {line}");
            ran += 1;
        }
        assert_quoted_outputs_exist(guide, &text);
    }
    assert!(ran >= 20, "only {ran} lab commands found");
}
