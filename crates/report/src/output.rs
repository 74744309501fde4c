//! Output files, written atomically (README, "Charts, reports and sweeps").
//!
//! Every chart, report and JSON file goes through [`write_with`]: the bytes go to a hidden
//! temporary file in the destination's own directory, which is flushed to disk and then
//! renamed over the destination. A rename within one file system is atomic, so a reader
//! (or a run interrupted half-way) sees either the old file or the complete new one, never
//! a half-written file that looks complete. Temporary names start with `.` and end with
//! `.tmp`, so a crash between write and rename leaves only an obviously temporary file.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Environment variable that moves the default output root (`./output`) elsewhere, as
/// `CARGO_TARGET_DIR` does for cargo; `--out` still wins.
pub const ROOT_ENV: &str = "FAULTLINE_OUTPUT";

/// Distinguishes temporary files of concurrent writes within one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The default output directory of a scenario: `output/<scenario>/`, or
/// `$FAULTLINE_OUTPUT/<scenario>/` when that variable is set.
pub fn default_dir(scenario: &str) -> PathBuf {
    let root = std::env::var_os(ROOT_ENV)
        .filter(|r| !r.is_empty())
        .map_or_else(|| PathBuf::from("output"), PathBuf::from);
    root.join(file_safe(scenario))
}

/// A scenario name made safe as one path component.
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
    match s.trim_matches('.') {
        "" => "scenario".to_string(),
        t => t.to_string(),
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
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        // On disk before the rename: a crash must not leave a renamed but empty file.
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
        assert_eq!(file_safe("../etc/x y"), "_etc_x_y");
        assert_eq!(file_safe(".."), "scenario");
    }
}
