//! `--per-run FILE.csv` of `run` and `compare`: the study simulated with one CSV row per
//! run and strategy written as the chunks are folded, atomically.

use crate::cli::error::CliError;
use faultline_core::model::Model;
use faultline_core::montecarlo::{self, RunRow, Study, Summary};
use faultline_report::output;
use faultline_report::per_run::PerRun;
use std::path::Path;

/// Simulates `models` on `study` (as [`montecarlo::run_all`]), and with `per_run` writes
/// every run's row to that file as the study goes, so memory does not grow with runs; every
/// row is also handed to `also`, when given, in the same order. A path that cannot be
/// written (a directory, a symlink, no permission) is refused before simulating, exit code
/// 2; a write that fails later leaves no file behind, exit code 1.
pub(crate) fn simulate(
    models: &[Model],
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
    per_run: Option<&Path>,
    mut also: Option<&mut dyn FnMut(&RunRow)>,
) -> Result<Vec<Summary>, CliError> {
    let Some(path) = per_run else {
        return Ok(match also {
            Some(also) => montecarlo::run_all_rows(models, study, progress, also),
            None => montecarlo::run_all(models, study, progress),
        });
    };
    let refused = |e: std::io::Error| CliError::Usage(format!("--per-run {}: {e}", path.display()));
    // Its message names the path already.
    output::check_regular(path).map_err(|e| CliError::Usage(format!("--per-run: {e}")))?;
    let mut summaries = vec![];
    let mut started = false;
    let written = output::write_with(path, |w| {
        // The temporary file exists: from here on, a failure is not the path's fault.
        started = true;
        let mut csv = PerRun::new(w, models)?;
        let mut failed = None;
        summaries = montecarlo::run_all_rows(models, study, progress, &mut |r| {
            if let Some(also) = also.as_mut() {
                also(r);
            }
            if failed.is_none() {
                failed = csv.row(r).err();
            }
        });
        match failed {
            Some(e) => Err(e),
            None => csv.finish(),
        }
    });
    match written {
        Ok(()) => Ok(summaries),
        Err(e) if !started => Err(refused(e)),
        Err(e) => Err(CliError::Other(format!(
            "cannot write {}: {e}",
            path.display()
        ))),
    }
}
