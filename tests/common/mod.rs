//! Small helpers shared by the integration tests.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the faultline binary with `args`. Files it writes without `--out` go under the
/// build's temporary directory, never into the repository's `output/`, and so does its
/// compiled-model cache (never the user's).
pub fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("FAULTLINE_OUTPUT", output_root())
        .env("FAULTLINE_CACHE_DIR", cache_root())
        .output()
        .expect("run faultline")
}

/// Where the binary keeps compiled models under the tests (its `FAULTLINE_CACHE_DIR`).
pub fn cache_root() -> PathBuf {
    scratch_root().join("model-cache")
}

/// Where the binary writes by default under the tests (its `FAULTLINE_OUTPUT`).
pub fn output_root() -> PathBuf {
    scratch_root().join("output")
}

fn scratch_root() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("faultline-tests")
}

/// A fresh, empty directory for one test, under the build's temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = scratch_root().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` as `<name>.ron` in a fresh scratch directory of that name; returns its path
/// as the string the CLI takes.
pub fn scenario_file(name: &str, text: &str) -> String {
    let path = scratch(name).join(format!("{name}.ron"));
    std::fs::write(&path, text).expect("write scenario");
    path.to_str().expect("UTF-8 path").to_string()
}

/// The models (the baseline, then each strategy's) of scenario `text`, which must load.
pub fn models(text: &str) -> Vec<faultline::model::Model> {
    faultline::validate::load_all_str("test.ron", text)
        .unwrap_or_else(|e| panic!("{}", e.render(false)))
        .1
}

/// The summary of strategy `name` ("baseline" for the scenario as written) among a study
/// of `models`.
pub fn by_name<'a>(
    models: &[faultline::model::Model],
    summaries: &'a [faultline::montecarlo::Summary],
    name: &str,
) -> &'a faultline::montecarlo::Summary {
    let k = models
        .iter()
        .position(|m| m.strategy == name)
        .unwrap_or_else(|| panic!("no strategy {name}"));
    &summaries[k]
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Splits a command line like a shell: whitespace separates words, single quotes keep
/// everything literally, double quotes keep everything but `\"` and `\\`; a `#` at the
/// start of a word begins a comment.
pub fn split(line: &str) -> Vec<String> {
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

/// A fenced block of a Markdown file.
pub struct Fence {
    /// 1-based line number of its first line of content.
    pub line: usize,
    /// What follows the opening backticks (`ron`, `sh`; empty for none).
    pub info: String,
    /// The last non-blank line before the opening fence, trimmed (a marker comment).
    pub before: Option<String>,
    /// Its lines of content, as written.
    pub lines: Vec<String>,
}

/// Every fenced block of Markdown `md` (fences may be indented, as in lists).
pub fn fences(md: &str) -> Vec<Fence> {
    let lines: Vec<&str> = md.lines().collect();
    let mut found = vec![];
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].trim().strip_prefix("```") {
            let start = i + 1;
            let end = (start..lines.len())
                .find(|&k| lines[k].trim() == "```")
                .unwrap_or_else(|| panic!("the fence at line {} is never closed", i + 1));
            found.push(Fence {
                line: start + 1,
                info: info.trim().to_string(),
                before: lines[..i]
                    .iter()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .map(|l| l.trim().to_string()),
                lines: lines[start..end].iter().map(|l| l.to_string()).collect(),
            });
            i = end;
        }
        i += 1;
    }
    found
}

/// Asserts that `m`'s mean is within 2.576 standard errors (99%) of `exact`, and that the
/// standard error is below `max_rel_se` of it, so that the tolerance cannot grow loose
/// enough to pass a wrong model.
pub fn within(what: &str, m: &faultline::stats::Moments, exact: f64, max_rel_se: f64) {
    let se = m.std_err();
    assert!(
        se > 0.0 && se < max_rel_se * exact,
        "{what}: standard error {se} is not below {max_rel_se} of {exact}: too few samples to test anything"
    );
    let z = (m.mean() - exact) / se;
    assert!(
        z.abs() <= 2.576,
        "{what}: measured {:.5} vs exact {exact:.5} ({z:+.2} standard errors)",
        m.mean()
    );
}
