//! One function per command, each given its parsed flags and stdout, plus what several
//! commands share: the thread count, the command line that reproduces a result, and the
//! list of files written.

mod analyze;
mod attack;
mod compare;
mod docs;
mod drill;
mod exact;
mod explore;
mod r#gen;
mod graph;
mod importance;
mod merge;
mod per_run;
mod rare;
mod run;
mod series;
mod shard_file;
mod sweep;
mod trace;
mod validate;

pub(crate) use analyze::{AnalyzeOptions, analyze, export, import};
pub(crate) use attack::{AttackOptions, attack};
pub(crate) use compare::{Extras, compare};
pub(crate) use docs::{completions, man};
pub(crate) use drill::drill;
pub(crate) use explore::{Which, explore};
pub(crate) use r#gen::r#gen;
pub(crate) use graph::graph;
pub(crate) use importance::importance;
pub(crate) use merge::merge;
pub(crate) use run::run;
pub(crate) use sweep::sweep;
pub(crate) use trace::trace;
pub(crate) use validate::validate;
pub use validate::validation_summary;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// `--threads`, where 0 or nothing means every core; more than the cores available is
/// capped at them (said once: more would only cost memory, or abort the process), and the
/// simulation uses no more threads than it has chunks of runs.
fn threads(t: Option<usize>) -> usize {
    static SAID: std::sync::Once = std::sync::Once::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match t.filter(|&t| t > 0) {
        None => rayon::current_num_threads(),
        Some(t) if t > cores => {
            SAID.call_once(|| {
                eprintln!(
                    "note: --threads {t} is more than the {cores} cores available; using {cores}"
                );
            });
            cores
        }
        Some(t) => t,
    }
}

/// The command line as typed, with `extra` flags appended when they were left to the
/// scenario's defaults, so the line reproduces the result exactly.
fn command_line(extra: &[(&str, String)]) -> String {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    for (flag, value) in extra {
        let given = args.iter().any(|a| {
            a.to_str()
                .is_some_and(|a| a == *flag || a.starts_with(&format!("{flag}=")))
        });
        if !given {
            args.push(flag.into());
            args.push(value.into());
        }
    }
    let mut line = String::from("faultline");
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(&a));
    }
    line
}

/// `a` as a POSIX shell reads it back, so a quoted command line can be pasted; bytes that
/// are not UTF-8 (or are control characters) are written as `$'\xHH'`.
fn shell_quote(a: &OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    match a.to_str() {
        Some(a) if !a.chars().any(char::is_control) => {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                a.to_string()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        }
        _ => {
            let mut q = String::from("$'");
            for &b in a.as_bytes() {
                match b {
                    b'\'' | b'\\' => {
                        q.push('\\');
                        q.push(b as char);
                    }
                    0x20..=0x7e => q.push(b as char),
                    _ => q.push_str(&format!("\\x{b:02x}")),
                }
            }
            q.push('\'');
            q
        }
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
