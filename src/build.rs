//! Build script: records the git commit faultline is built from, for `faultline --version`
//! (`unknown commit` outside a git checkout, e.g. from a source archive).

use std::path::Path;
use std::process::Command;

/// Runs git with `args` and returns its trimmed output, if it succeeds.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    println!(
        "cargo:rustc-env=FAULTLINE_COMMIT={}",
        commit.as_deref().unwrap_or("unknown commit")
    );
    // Build again when HEAD moves: a checkout (HEAD) or a commit on the branch (its ref,
    // loose or packed). Only files that exist: a missing one would rerun every build.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&["rev-parse", "--symbolic-full-name", "HEAD"]));
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name])
            && Path::new(&path).is_file()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=src/build.rs");
}
