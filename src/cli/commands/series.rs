//! `--series FILE.csv` of `run` and `compare`: every queue's time series as CSV, written
//! atomically once the study is done; the path is checked before simulating.

use crate::cli::error::CliError;
use faultline_report::json::SummaryJson;
use faultline_report::{output, series as queue_series};
use std::path::Path;

/// Refuses a path that cannot be written (a directory, a symlink, a FIFO, a folder that
/// cannot hold a file), before any work is done: exit code 2.
pub(crate) fn check(series: Option<&Path>) -> Result<(), CliError> {
    let Some(path) = series else { return Ok(()) };
    output::check_regular(path).map_err(|e| CliError::Usage(format!("--series: {e}")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    output::prepare_dir(dir)
        .map_err(|e| CliError::Usage(format!("--series {}: {e}", path.display())))
}

/// A shard writes no report, so no series either.
pub(crate) fn refuse_in_shards(series: Option<&Path>) -> Result<(), CliError> {
    match series {
        Some(p) => Err(CliError::Usage(format!(
            "--series {}: a shard writes no series; run the study unsharded for them",
            p.display()
        ))),
        None => Ok(()),
    }
}

/// Writes the series of summary `j` to `series`, if asked; a model without queues gets the
/// header alone, with a note on stderr (unless `quiet`).
pub(crate) fn write(series: Option<&Path>, j: &SummaryJson, quiet: bool) -> Result<(), CliError> {
    let Some(path) = series else { return Ok(()) };
    if !quiet && j.strategies.iter().all(|s| s.queues.is_empty()) {
        eprintln!(
            "note: {} has no queues; {} holds the header alone",
            j.scenario,
            path.display()
        );
    }
    output::write_with(path, |w| queue_series::write_csv(w, j))
        .map_err(|e| CliError::Other(format!("cannot write {}: {e}", path.display())))
}
