//! Output files, written atomically (README, "Charts, reports and sweeps").
//!
//! Every chart, report, JSON and shard file goes through [`write_with`]: the bytes go to a
//! hidden temporary file in the destination's own directory, which is flushed to disk and
//! then renamed over the destination. A rename within one file system is atomic, so a
//! reader (or a run interrupted half-way) sees either the old file or the complete new one,
//! never a half-written file that looks complete.
//!
//! Temporary files are made by the `tempfile` crate: created exclusively (never through a
//! symlink planted at their name) with unpredictable names (`.NAME.XXXXXX.tmp`). The ones
//! being written are registered, so [`interrupted`] (the CLI's SIGINT/SIGTERM handler) can
//! remove them before the process exits. Only regular files are replaced: a directory,
//! FIFO, socket or device at the destination is refused (a symlink there is replaced, not
//! followed; [`check_regular`] refuses symlinks too, for paths given by flags).

use faultline_core::model::stable_hash;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Environment variable that moves the default output root (`./output`) elsewhere, as
/// `CARGO_TARGET_DIR` does for cargo; `--out` still wins.
pub const ROOT_ENV: &str = "FAULTLINE_OUTPUT";

/// Temporary files being written; removed by [`interrupted`].
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The registry of temporary files, even if a thread panicked while holding it.
fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary files of writes in progress and exits with `code`: the signal
/// handler's body. Holding the registry's lock until the exit keeps any other thread from
/// creating or renaming a temporary file meanwhile.
pub fn interrupted(code: i32) -> ! {
    let files = pending();
    for f in files.iter() {
        let _ = fs::remove_file(f);
    }
    std::process::exit(code)
}

/// The default output directory of a scenario: `output/<scenario>/`, or
/// `$FAULTLINE_OUTPUT/<scenario>/` when that variable is set (and not blank).
pub fn default_dir(scenario: &str) -> PathBuf {
    let root = std::env::var_os(ROOT_ENV)
        .filter(|r| r.to_str().is_none_or(|r| !r.trim().is_empty()))
        .map_or_else(|| PathBuf::from("output"), PathBuf::from);
    root.join(file_safe(scenario))
}

/// A scenario name made safe as one short path component. A name that had to change
/// (characters replaced, dots trimmed, cut to 64 characters) gets a hash of the original
/// appended, so `a/b` and `a_b` get different directories.
fn file_safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let t = s.trim_matches('.');
    if t == name && !t.is_empty() && t.chars().count() <= 64 {
        return t.to_string();
    }
    let short: String = t.chars().take(64).collect();
    // Truncated to 32 bits: 8 hex digits are plenty to tell a user's names apart.
    let tag = format!("{:08x}", stable_hash(&[name]) as u32);
    if short.is_empty() {
        format!("scenario-{tag}")
    } else {
        format!("{short}-{tag}")
    }
}

/// Creates the output directory `dir` and checks a file can be made in it, so that a
/// command fails before simulating rather than after.
pub fn prepare_dir(dir: &Path) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    fs::create_dir_all(dir).map_err(io)?;
    tempfile::Builder::new()
        .prefix(".faultline-probe.")
        .tempfile_in(dir)
        .map_err(io)?;
    Ok(())
}

/// What is at `path`, when it is something [`write_with`] must not replace: `None` for
/// nothing, a regular file or (with `symlinks`) a symlink.
fn not_a_file(path: &Path, symlinks: bool) -> io::Result<Option<&'static str>> {
    use std::os::unix::fs::FileTypeExt;
    let t = match fs::symlink_metadata(path) {
        Ok(m) => m.file_type(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(if t.is_file() || (symlinks && t.is_symlink()) {
        None
    } else if t.is_symlink() {
        Some("a symlink")
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_block_device() || t.is_char_device() {
        Some("a device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    })
}

/// The refusal to replace `what` at `path`.
fn refusal(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is {what}; only a regular file is replaced",
            path.display()
        ),
    )
}

/// Fails unless `path` is absent or a regular file (not a symlink, FIFO, device or
/// directory): for output paths given by a flag, checked before any work is done.
pub fn check_regular(path: &Path) -> io::Result<()> {
    match not_a_file(path, false)? {
        None => Ok(()),
        Some(what) => Err(refusal(path, what)),
    }
}

/// Writes `bytes` to `path` atomically, creating the parent directories.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

/// Writes whatever `fill` writes to `path` atomically, creating the parent directories.
///
/// When `fill` or any later step fails, the temporary file is removed and `path` keeps its
/// old content (or stays absent).
pub fn write_with<F>(path: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    if let Some(what) = not_a_file(path, true)? {
        return Err(refusal(path, what));
    }
    // A prefix short enough that the temporary name fits in NAME_MAX (255 bytes).
    let stem: String = name.to_string_lossy().chars().take(100).collect();
    let mut tmp = {
        let mut files = pending();
        // Created 0666 less the umask, like any file a tool writes (a temporary file's
        // default, 0600, would make every report private once renamed into place).
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{stem}."))
            .suffix(".tmp")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .tempfile_in(&dir)?;
        files.push(tmp.path().to_path_buf());
        tmp
    };
    let result = (|| {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
        drop(w);
        // On disk before the rename: a crash must not leave a renamed but empty file.
        tmp.as_file().sync_all()
    })();
    let mut files = pending();
    files.retain(|p| p != tmp.path());
    // Dropping a temporary file that was not persisted removes it; both happen under the
    // lock, so a signal finds the file either registered or gone.
    let done = match result {
        Ok(()) => tmp.persist(path).map(drop).map_err(|e| e.error),
        Err(e) => {
            drop(tmp);
            Err(e)
        }
    };
    drop(files);
    done
}

/// A file that could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// [`write()`], with the path in the error.
pub fn save(path: &Path, bytes: &[u8]) -> Result<PathBuf, OutputError> {
    write(path, bytes).map_err(|source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(path.to_path_buf())
}

/// Temporary files of [`write_with`] left in `dir` (by a crash); empty when all is well.
pub fn leftovers(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = vec![];
    for e in fs::read_dir(dir)? {
        let p = e?.path();
        let n = p.file_name().map(|n| n.to_string_lossy().into_owned());
        if n.is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp")) {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_safe_component() {
        assert_eq!(file_safe("substation"), "substation");
        assert!(file_safe("../etc/x y").starts_with("_etc_x_y-"));
        assert!(file_safe("..").starts_with("scenario-"));
        assert_ne!(file_safe("a/b"), file_safe("a_b"));
        assert_eq!(file_safe("a_b"), "a_b");
        assert!(file_safe(&"n".repeat(300)).len() < 80);
    }
}
