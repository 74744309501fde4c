//! Loading a scenario the way the command line asks: read, parse, check and compile it,
//! then apply `--horizon`, `--max-events` and `--strategy`.

use super::args::Common;
use super::error::CliError;
use faultline_core::model::Model;
use faultline_scenario::diagnostics::LoadError;
use faultline_scenario::validate;
use std::path::Path;
use std::time::Instant;

/// The model to simulate: the baseline, or the strategy `--strategy` names.
pub(crate) fn load(path: &Path, common: Option<&Common>) -> Result<Model, CliError> {
    Ok(load_timed(path, common)?.0)
}

/// [`load`], with the seconds spent reading, parsing, and checking and compiling.
pub(crate) fn load_timed(
    path: &Path,
    common: Option<&Common>,
) -> Result<(Model, [f64; 3]), CliError> {
    let Loaded {
        mut models,
        seconds,
        ..
    } = load_all(path, common)?;
    let k = strategy_index(path, &models, common)?;
    Ok((models.swap_remove(k), seconds))
}

/// Which of `models` `--strategy` names (0, the baseline, without it).
pub(crate) fn strategy_index(
    path: &Path,
    models: &[Model],
    common: Option<&Common>,
) -> Result<usize, CliError> {
    let Some(name) = common.and_then(|c| c.strategy.as_deref()) else {
        return Ok(0);
    };
    models
        .iter()
        .position(|m| m.strategy == name)
        .ok_or_else(|| {
            let names: Vec<&str> = models.iter().map(|m| m.strategy.as_str()).collect();
            CliError::Usage(format!(
                "{}: no strategy named `{name}`; it has: {}",
                path.display(),
                names.join(", ")
            ))
        })
}

/// A scenario file, loaded.
pub(crate) struct Loaded {
    /// The file's text, which the report hashes so a result can be traced to its input.
    pub(crate) text: String,
    /// The scenario's stated assumptions, which the report lists.
    pub(crate) assumptions: Vec<String>,
    /// The baseline and every strategy, with command-line overrides applied.
    pub(crate) models: Vec<Model>,
    /// Seconds spent reading, parsing, and checking and compiling (for `--stats`).
    pub(crate) seconds: [f64; 3],
}

/// The scenario file's text, or a load error naming the file.
pub(crate) fn read(path: &Path) -> Result<String, LoadError> {
    validate::read(path)
}

/// Applies `--horizon` and `--max-events`.
pub(crate) fn adjust(m: &mut Model, common: Option<&Common>) {
    if let Some(c) = common {
        if let Some(h) = c.horizon {
            m.horizon = h;
        }
        if let Some(e) = c.max_events {
            m.max_events = e;
        }
    }
}

/// The baseline and every strategy of a scenario file, with the overrides applied, timed
/// for `--stats`.
pub(crate) fn load_all(path: &Path, common: Option<&Common>) -> Result<Loaded, LoadError> {
    let started = Instant::now();
    let text = read(path)?;
    let read_s = started.elapsed().as_secs_f64();
    let file = path.to_string_lossy();
    let sc = validate::parse(&file, &text)?;
    let parse_s = started.elapsed().as_secs_f64() - read_s;
    let mut models = validate::compile_parsed(&file, &text, &sc)?;
    let compile_s = started.elapsed().as_secs_f64() - read_s - parse_s;
    for m in &mut models {
        adjust(m, common);
    }
    Ok(Loaded {
        text,
        assumptions: sc.assumptions,
        models,
        seconds: [read_s, parse_s, compile_s],
    })
}
