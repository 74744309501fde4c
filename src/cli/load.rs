//! Loading a scenario the way the command line asks: read, parse, check and compile it,
//! then apply `--horizon`, `--max-events` and `--strategy`.

use super::args::Common;
use super::color_stderr;
use super::error::CliError;
use faultline_core::model::Model;
use faultline_report::json::WarningJson;
use faultline_scenario::diagnostics::{LoadError, Problem, locate, render_warnings};
use faultline_scenario::validate;
use std::path::Path;
use std::time::Instant;

/// The model to simulate: the baseline, or the strategy `--strategy` names.
pub(crate) fn load(path: &Path, common: Option<&Common>) -> Result<Model, CliError> {
    Ok(load_timed(path, common)?.0)
}

/// [`load`], with how long loading took (for `--stats`) and the scenario's warnings for
/// `--json`.
pub(crate) fn load_timed(
    path: &Path,
    common: Option<&Common>,
) -> Result<(Model, String, Vec<WarningJson>), CliError> {
    let Loaded {
        mut models,
        seconds,
        cached,
        warnings,
        ..
    } = load_all(path, common)?;
    let k = strategy_index(path, &models, common)?;
    Ok((models.swap_remove(k), timing(seconds, cached), warnings))
}

/// How long loading took, in words for `--stats`.
fn timing([read, parse, compile]: [f64; 3], cached: bool) -> String {
    let total = read + parse + compile;
    if cached {
        format!(
            "loaded in {total:.3}s (read {read:.3}s, the compiled models from the cache \
             {compile:.3}s)"
        )
    } else {
        format!(
            "loaded in {total:.3}s (read {read:.3}s, parse {parse:.3}s, check and compile \
             {compile:.3}s)"
        )
    }
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
    /// Seconds spent reading, parsing, and checking and compiling (for `--stats`); with
    /// the models from the compiled-model cache, no parsing and the cache's read.
    pub(crate) seconds: [f64; 3],
    /// Whether the models came from the compiled-model cache ([`crate::cache`]).
    pub(crate) cached: bool,
    /// Warnings about the scenario, for `--json` (they are printed on stderr as found).
    pub(crate) warnings: Vec<WarningJson>,
}

/// What to do with warnings about a scenario: print them (stderr), and refuse the scenario.
#[derive(Clone, Copy)]
pub(crate) struct Warnings {
    /// Print them.
    pub(crate) show: bool,
    /// Make them fatal (`--deny-warnings`).
    pub(crate) deny: bool,
}

impl Warnings {
    /// The policy the common flags ask for (`--quiet`, `--deny-warnings`); shown by default.
    fn of(common: Option<&Common>) -> Warnings {
        Warnings {
            show: common.is_none_or(|c| !c.quiet),
            deny: common.is_some_and(|c| c.deny_warnings),
        }
    }
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
/// for `--stats`; its warnings printed as the common flags say.
pub(crate) fn load_all(path: &Path, common: Option<&Common>) -> Result<Loaded, CliError> {
    load_all_warned(path, common, Warnings::of(common))
}

/// [`load_all`] with an explicit warnings policy (`validate` has no common flags).
pub(crate) fn load_all_warned(
    path: &Path,
    common: Option<&Common>,
    policy: Warnings,
) -> Result<Loaded, CliError> {
    let loaded = load_parsed(path, common)?;
    let (file, found) = (path.to_string_lossy(), &loaded.1);
    if !found.is_empty() && (policy.show || policy.deny) {
        eprint!(
            "{}",
            render_warnings(&file, &loaded.0.text, found, color_stderr())
        );
    }
    if policy.deny && !found.is_empty() {
        return Err(warnings_denied(&file, found.len()));
    }
    let mut loaded = loaded.0;
    loaded.warnings = found
        .iter()
        .map(|w| {
            let (line, col) = locate(&loaded.text, &w.path);
            WarningJson {
                at: format!("{file}:{line}:{col}"),
                path: w.path.to_string(),
                message: w.message.clone(),
                hint: w.hint.clone(),
            }
        })
        .collect();
    Ok(loaded)
}

/// Reads, parses, checks and compiles a scenario file; its warnings beside it.
fn load_parsed(path: &Path, common: Option<&Common>) -> Result<(Loaded, Vec<Problem>), LoadError> {
    let started = Instant::now();
    let text = read(path)?;
    let read_s = started.elapsed().as_secs_f64();
    // Overrides can bring warnings the cached load did not have: the cache is only for
    // the scenario as written.
    let plain = common.is_none_or(|c| c.horizon.is_none() && c.max_events.is_none());
    let key = plain.then(|| crate::cache::key(&text)).flatten();
    if let Some(hit) = key.as_ref().and_then(crate::cache::get) {
        let cached_s = started.elapsed().as_secs_f64() - read_s;
        return Ok((
            Loaded {
                text,
                assumptions: hit.assumptions,
                models: hit.models,
                seconds: [read_s, 0.0, cached_s],
                cached: true,
                warnings: vec![],
            },
            vec![],
        ));
    }
    let file = path.to_string_lossy();
    let sc = validate::parse(&file, &text)?;
    let parse_s = started.elapsed().as_secs_f64() - read_s;
    let mut models = validate::compile_parsed(&file, &text, &sc)?;
    let compile_s = started.elapsed().as_secs_f64() - read_s - parse_s;
    for m in &mut models {
        adjust(m, common);
    }
    let warnings = validate::warnings(&sc, &models);
    if let Some(key) = &key
        && warnings.is_empty()
    {
        crate::cache::put(key, &sc.assumptions, &models);
    }
    Ok((
        Loaded {
            text,
            assumptions: sc.assumptions,
            models,
            seconds: [read_s, parse_s, compile_s],
            cached: false,
            warnings: vec![],
        },
        warnings,
    ))
}

/// The error `--deny-warnings` makes of `n` warnings about `file`.
pub(crate) fn warnings_denied(file: &str, n: usize) -> CliError {
    CliError::Usage(format!(
        "{file}: {}, and --deny-warnings makes them errors; nothing was simulated",
        faultline_units::count(n as u64, "warning", "warnings")
    ))
}
