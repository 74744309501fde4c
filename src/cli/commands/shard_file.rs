//! `run --shard` and `compare --shard`: simulate one share of a study and write it to a
//! shard file for `merge`, instead of summarising.

use crate::cli::args::{Common, Sharding};
use crate::cli::error::CliError;
use crate::shard;
use faultline_core::model::Model;
use std::path::PathBuf;

/// This process's shard, from the flag or the scheduler's environment.
pub(crate) fn shard_of(s: &Sharding) -> Result<Option<(u64, u64)>, CliError> {
    shard::which(s.shard.as_deref(), s.shards, &|k| std::env::var(k).ok()).map_err(CliError::Usage)
}

/// `--per-run` is refused with a shard: a shard writes statistics for `merge`, not runs.
pub(crate) fn no_per_run_in_shards(per_run: Option<&std::path::Path>) -> Result<(), CliError> {
    match per_run {
        Some(p) => Err(CliError::Usage(format!(
            "--per-run {}: a shard writes no per-run rows; run the study unsharded for them",
            p.display()
        ))),
        None => Ok(()),
    }
}

/// Simulates this shard's runs and writes its shard file.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_shard(
    common: &Common,
    sharding: &Sharding,
    command: &str,
    models: &[Model],
    seed: u64,
    runs: u64,
    threads: Option<usize>,
    (i, n): (u64, u64),
) -> Result<(), CliError> {
    let file = common.scenario.to_string_lossy().to_string();
    let text = std::fs::read_to_string(&common.scenario)
        .map_err(|e| CliError::Other(format!("{file}: {e}")))?;
    let (first, end) = shard::range(runs, i, n);
    let header = shard::Header {
        format: shard::FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: command.to_string(),
        hash: shard::hash(
            &text,
            common.horizon,
            common.max_events,
            common.strategy.as_deref(),
        ),
        file,
        text,
        horizon: common.horizon,
        max_events: common.max_events,
        strategy: common.strategy.clone(),
        seed,
        runs,
        shard: i,
        of: n,
        first,
        end,
    };
    let path = sharding.shard_file.clone().unwrap_or_else(|| {
        PathBuf::from("output")
            .join(&models[0].name)
            .join(format!("shard-{i}-of-{n}.jsonl"))
    });
    // Only a regular file is replaced: refused before simulating, with exit code 2.
    faultline_report::output::check_regular(&path).map_err(|e| CliError::Usage(e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Other(format!("{}: {e}", dir.display())))?;
    }
    shard::write(&path, &header, models, super::threads(threads))
        .map_err(|e| CliError::Other(e.to_string()))?;
    eprintln!(
        "shard {i}/{n}: runs {first}..{end} of {runs} written to {}",
        path.display()
    );
    Ok(())
}
