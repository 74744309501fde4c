//! From scenario text to a trusted, compiled [`Model`], or every problem at once.
//!
//! Parsing is ron's job (it locates syntax and type errors). Everything ron cannot know,
//! such as ids that name nothing, k > n, probabilities outside [0, 1], durations that make no
//! sense, and zero-delay dependency cycles, is checked here; each problem carries the path of
//! the offending value so [`crate::diagnostics`] can point at it.
//!
//! A scenario goes through `check` (every problem, in a fixed order) and then, only when
//! there are none, through `lower` into the model. Each strategy is applied to the
//! scenario (`strategy`) and the patched scenario goes through the same two steps; its
//! problems are mapped back to where the strategy wrote the values.

mod check;
mod lower;
mod strategy;
mod warn;

pub use warn::warnings;

use crate::diagnostics::{LoadError, Problem};
use crate::schema::{Scenario, Strategy};
use faultline_core::model::Model;
use std::collections::HashMap;
use strategy::Origin;

/// Default cap on events per run when the scenario sets none.
pub const DEFAULT_MAX_EVENTS: u64 = 50_000_000;

/// Reads, parses, validates and compiles a scenario file (the baseline model; every
/// strategy is checked too).
pub fn load_file(file: &str) -> Result<(Scenario, Model), LoadError> {
    let (sc, mut models) = load_all_file(file)?;
    Ok((sc, models.swap_remove(0)))
}

/// Parses, validates and compiles scenario text; `file` is only used in messages.
pub fn load_str(file: &str, text: &str) -> Result<(Scenario, Model), LoadError> {
    let (sc, mut models) = load_all_str(file, text)?;
    Ok((sc, models.swap_remove(0)))
}

/// Like [`load_file`], returning the baseline followed by one model per strategy.
pub fn load_all_file(file: &str) -> Result<(Scenario, Vec<Model>), LoadError> {
    let text = read(std::path::Path::new(file))?;
    load_all_str(file, &text)
}

/// Largest scenario file read: 512 MiB, room for a generated estate of 1.5 million
/// components; `validate /dev/zero` stops here instead of filling memory.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Reads a scenario file: at most [`MAX_FILE_BYTES`], and UTF-8 (invalid bytes are a
/// syntax error located at their byte offset, line and column).
pub fn read(path: &std::path::Path) -> Result<String, LoadError> {
    use std::io::Read;
    if crate::import::is_fault_tree(path) {
        return crate::import::read_as_scenario(path);
    }
    let file = path.to_string_lossy().into_owned();
    let io = |source| LoadError::Io {
        file: file.clone(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io(std::io::Error::other(format!(
            "larger than {} MiB, the most a scenario file may be",
            MAX_FILE_BYTES >> 20
        ))));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bad = e.utf8_error().error_len().unwrap_or(1);
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let (line, col) = crate::span::line_col(&text, at);
        LoadError::Syntax {
            file: file.clone(),
            line,
            col,
            // The bad bytes read as one replacement character (3 bytes) in `text`.
            range: (at, (at + 3).min(text.len())),
            message: format!(
                "invalid UTF-8 at byte {at} ({bad} byte(s)): a scenario is UTF-8 text"
            ),
            text,
        }
    })
}

/// Like [`load_str`], returning the baseline followed by one model per strategy.
pub fn load_all_str(file: &str, text: &str) -> Result<(Scenario, Vec<Model>), LoadError> {
    let scenario = parse(file, text)?;
    let models = compile_parsed(file, text, &scenario)?;
    Ok((scenario, models))
}

/// The second half of [`load_all_str`], for callers that time the two halves: checks and
/// compiles a scenario parsed from `text`, whose problems are located in it.
pub fn compile_parsed(file: &str, text: &str, sc: &Scenario) -> Result<Vec<Model>, LoadError> {
    compile_all(sc).map_err(|problems| LoadError::Invalid {
        file: file.to_string(),
        text: text.to_string(),
        problems,
    })
}

/// Parses RON into the scenario types; `Option` fields may be written without `Some(...)`.
pub fn parse(file: &str, text: &str) -> Result<Scenario, LoadError> {
    parse_as(text).map_err(|e| LoadError::from_ron(file, text, &e))
}

/// Parses RON into any part of a scenario (a component, a list of edges, a strategy...)
/// with the scenario's own syntax rules, so examples of parts can be checked on their own.
pub fn parse_as<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ron::error::SpannedError> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
}

/// Checks a parsed scenario and compiles its baseline, or returns every problem found
/// (in the scenario and in its strategies).
pub fn compile(sc: &Scenario) -> Result<Model, Vec<Problem>> {
    compile_all(sc).map(|mut v| v.swap_remove(0))
}

/// Compiles the baseline and every strategy, or returns every problem found.
pub fn compile_all(sc: &Scenario) -> Result<Vec<Model>, Vec<Problem>> {
    let baseline = compile_variant(sc, None);
    let mut problems = match &baseline {
        Ok(_) => vec![],
        Err(p) => p.clone(),
    };
    let mut models = vec![];
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (k, st) in sc.strategies.iter().enumerate() {
        strategy::check_name_and_cost(st, k, &mut names, &mut problems);
        let (patched, origin) = strategy::apply_strategy(sc, k, &mut problems);
        match compile_variant(&patched, Some((k, st, &origin))) {
            Ok(m) => models.push(m),
            Err(ps) => {
                let baseline_problems = baseline.as_ref().err();
                for p in ps {
                    let p = strategy::attribute(p, k, st, baseline_problems);
                    if let Some(p) = p.filter(|p| !problems.contains(p)) {
                        problems.push(p);
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut all = vec![baseline.expect("no problems")];
    all.extend(models);
    Ok(all)
}

/// Checks one variant (the baseline, or a strategy applied) and compiles it.
fn compile_variant(
    sc: &Scenario,
    strategy: Option<(usize, &Strategy, &Origin)>,
) -> Result<Model, Vec<Problem>> {
    compile_checked(sc, strategy.map(|(k, st, _)| (k, st))).map_err(|ps| match strategy {
        Some((_, _, origin)) => ps
            .into_iter()
            .map(|mut p| {
                p.path = origin.map(p.path);
                p
            })
            .collect(),
        None => ps,
    })
}

/// Checks one variant and, when it has no problems, lowers it; paths are in `sc`.
fn compile_checked(
    sc: &Scenario,
    strategy: Option<(usize, &Strategy)>,
) -> Result<Model, Vec<Problem>> {
    let arena = check::Ids::arena(sc);
    let checked = check::check(sc, strategy, &arena)?;
    Ok(lower::build(sc, strategy.map(|(_, st)| st), checked))
}
