//! Small helpers shared by the integration tests.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the faultline binary with `args`. Files it writes without `--out` go under the
/// build's temporary directory, never into the repository's `output/`.
pub fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("FAULTLINE_OUTPUT", output_root())
        .output()
        .expect("run faultline")
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

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
