//! Issue 14 (hardening): one regression test per finding, named after it. Each fails on the
//! code before its fix. `files` covers what is written where (shard files, temporary files,
//! signals, closed pipes, output directories), `input` what the scenario reader and the
//! checks accept, `merge` what shard files are trusted with, `limits` the work and memory
//! an input can ask for.

mod files;
mod input;
mod limits;
mod merge;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary, run in `dir` with colours off and the default output root under `dir`.
fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("FAULTLINE_OUTPUT", dir.join("output"));
    c
}

/// Runs the binary in `dir` with `args`.
fn run_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Output {
    cmd(dir).args(args).output().expect("run faultline")
}

/// A small valid scenario named `name` whose one component is `id` (the text is put in
/// the file as given, so both may hold RON escapes).
fn tiny(name: &str, id: &str) -> String {
    format!(
        r#"Scenario(name: "{name}", horizon: "2d", runs: 20, components: [
    (id: "{id}", faults: [(name: "f", every: Exp(mean: "6h"), effect: Crash, repair: Fixed("1h"))],
     service: (slo: 0.5, users: 10)),
])
"#
    )
}

/// Writes `text` to `dir/file` and returns the path.
fn put(dir: &Path, file: &str, text: &str) -> PathBuf {
    let p = dir.join(file);
    std::fs::write(&p, text).expect("write scenario");
    p
}

/// stderr and stdout, for messages.
fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    )
}

/// Asserts exit code 2 and no panic, returning what was said.
fn refused(o: &Output) -> String {
    let s = said(o);
    assert_eq!(o.status.code(), Some(2), "{s}");
    assert!(!s.contains("panicked"), "{s}");
    s
}
