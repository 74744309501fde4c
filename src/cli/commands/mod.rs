//! One function per command, each given its parsed flags and stdout, plus what several
//! commands share: the thread count, the command line that reproduces a result, and the
//! list of files written.

mod compare;
mod r#gen;
mod graph;
mod merge;
mod run;
mod shard_file;
mod sweep;
mod trace;
mod validate;

pub(crate) use compare::compare;
pub(crate) use r#gen::r#gen;
pub(crate) use graph::graph;
pub(crate) use merge::merge;
pub(crate) use run::run;
pub(crate) use sweep::sweep;
pub(crate) use trace::trace;
pub(crate) use validate::validate;
pub use validate::validation_summary;

use std::path::{Path, PathBuf};

/// `--threads`, where 0 or nothing means every core.
fn threads(t: Option<usize>) -> usize {
    t.filter(|&t| t > 0)
        .unwrap_or_else(rayon::current_num_threads)
}

/// The command line as typed, with `extra` flags appended when they were left to the
/// scenario's defaults, so the line reproduces the result exactly.
fn command_line(extra: &[(&str, String)]) -> String {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    for (flag, value) in extra {
        let given = args
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")));
        if !given {
            args.push(flag.to_string());
            args.push(value.clone());
        }
    }
    let mut line = String::from("faultline");
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(&a));
    }
    line
}

/// `a` as a POSIX shell reads it back, so a quoted command line can be pasted.
fn shell_quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// Tells which files were written (stderr; not with `--quiet`).
fn announce(files: &[PathBuf], quiet: bool) {
    if quiet || files.is_empty() {
        return;
    }
    let dir = files[0].parent().unwrap_or(Path::new("."));
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    eprintln!("wrote {}/: {}", dir.display(), names.join(", "));
}
