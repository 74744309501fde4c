//! `validate`: check a scenario and list its single points of failure.

use crate::cli::error::CliError;
use crate::cli::load::{Warnings, load_all_warned, warnings_denied};
use faultline_core::analysis;
use faultline_core::model::Model;
use faultline_report::json::{self, ProblemJson};
use faultline_scenario::diagnostics::{LoadError, locate};
use faultline_scenario::validate as scenario;
use faultline_units::{count, human, thousands};
use std::io::Write;
use std::path::Path;

/// Prints [`validation_summary`] of a valid scenario; an invalid one is a load error.
/// Warnings about the scenario go to stderr first; with `deny_warnings` they are fatal.
/// With `json`, prints [`json::ValidateJson`] instead, whatever the outcome (the exit code
/// is the same, and the error is rendered on stderr as without it).
pub(crate) fn validate(
    out: &mut impl Write,
    scenario: &Path,
    all: bool,
    deny_warnings: bool,
    json: bool,
) -> Result<(), CliError> {
    if json {
        return validate_json(out, scenario, deny_warnings);
    }
    let policy = Warnings {
        show: true,
        deny: deny_warnings,
    };
    let m = load_all_warned(scenario, None, policy)?
        .models
        .swap_remove(0);
    writeln!(out, "{}", validation_summary(&m, all))?;
    Ok(())
}

/// `validate --json`: the document on stdout, then the outcome: a load error (exit 2,
/// rendered on stderr too), or with `deny_warnings` and warnings, exit 2.
fn validate_json(out: &mut impl Write, path: &Path, deny_warnings: bool) -> Result<(), CliError> {
    let policy = Warnings {
        show: false,
        deny: false,
    };
    let file = path.to_string_lossy();
    let (doc, outcome) = match load_all_warned(path, None, policy) {
        Ok(loaded) => {
            let n = loaded.warnings.len();
            let doc = json::validate_json(&file, &loaded.models, loaded.warnings);
            let outcome = if deny_warnings && n > 0 {
                Err(warnings_denied(&file, n))
            } else {
                Ok(())
            };
            (doc, outcome)
        }
        Err(CliError::Load(e)) => {
            let doc = json::invalid_json(&file, scenario_name(&e), problems(&e));
            (doc, Err(CliError::Load(e)))
        }
        Err(e) => return Err(e),
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Other(e.to_string()))?;
    writeln!(out, "{text}")?;
    outcome
}

/// The name of a scenario that parsed but is invalid.
fn scenario_name(e: &LoadError) -> Option<String> {
    match e {
        LoadError::Invalid { file, text, .. } => scenario::parse(file, text).ok().map(|s| s.name),
        _ => None,
    }
}

/// A load error's problems, located as the rendered error locates them.
fn problems(e: &LoadError) -> Vec<ProblemJson> {
    match e {
        LoadError::Io { file, .. } | LoadError::Foreign { file, .. } => vec![ProblemJson {
            message: e.to_string(),
            file: file.clone(),
            line: None,
            column: None,
            path: None,
            hint: None,
        }],
        LoadError::Syntax {
            file,
            line,
            col,
            message,
            ..
        } => vec![ProblemJson {
            message: message.clone(),
            file: file.clone(),
            line: Some(*line),
            column: Some(*col),
            path: None,
            hint: e.syntax_hint(),
        }],
        LoadError::Invalid {
            file,
            text,
            problems,
        } => problems
            .iter()
            .map(|p| {
                let (line, col) = locate(text, &p.path);
                ProblemJson {
                    message: p.message.clone(),
                    file: file.clone(),
                    line: Some(line),
                    column: Some(col),
                    path: Some(p.path.to_string()),
                    hint: p.hint.clone(),
                }
            })
            .collect(),
    }
}

/// How many single points of failure `validate` lists without `--all`.
const SPOFS_SHOWN: usize = 40;

/// What `validate` prints for a valid scenario: its size and its single points of failure
/// (with `all` false, a model with more than 40 (`SPOFS_SHOWN`) lists those that fail the most
/// services).
pub fn validation_summary(m: &Model, all: bool) -> String {
    let spofs = analysis::spofs(m);
    let n = |k: usize| k as u64;
    let mut s = format!(
        "{}: valid — {}, {}, {}, {}, {}, horizon {}",
        m.name,
        count(n(m.comps.len()), "component", "components"),
        count(n(m.edges.len()), "dependency edge", "dependency edges"),
        count(n(m.slots.len()), "fault mode", "fault modes"),
        count(
            n(m.common.len()),
            "common-cause fault",
            "common-cause faults"
        ),
        count(n(m.services.len()), "service", "services"),
        human(m.horizon)
    );
    if spofs.components.is_empty() {
        s.push_str("\nNo single point of failure: every component is covered by redundancy.");
    } else {
        let mut shown: Vec<&analysis::Spof> = spofs.components.iter().collect();
        let more = shown.len().saturating_sub(SPOFS_SHOWN);
        if all || more == 0 {
            s.push_str("\nSingle points of failure (each alone fails a service):");
        } else {
            // A large model has thousands: the ones that fail the most services first.
            shown.sort_by_key(|sp| std::cmp::Reverse(sp.services.len()));
            shown.truncate(SPOFS_SHOWN);
            s.push_str(&format!(
                "\nSingle points of failure (each alone fails a service): {}; the {SPOFS_SHOWN} that fail the most services:",
                thousands(spofs.components.len() as f64)
            ));
        }
        for sp in shown {
            let names: Vec<&str> = sp
                .services
                .iter()
                .map(|&x| m.comps[x as usize].id.as_str())
                .collect();
            let note = if sp.can_fail {
                ""
            } else {
                " (no fault modes declared)"
            };
            s.push_str(&format!(
                "\n  - {} → {}{note}",
                m.comps[sp.index as usize].id,
                names.join(", ")
            ));
        }
        if !all && more > 0 {
            s.push_str(&format!(
                "\n  … and {} more (`--all` lists every one)",
                thousands(more as f64)
            ));
        }
    }
    for sp in &spofs.common {
        let names: Vec<&str> = sp
            .services
            .iter()
            .map(|&x| m.comps[x as usize].id.as_str())
            .collect();
        s.push_str(&format!(
            "\nCommon-cause fault `{}` defeats redundancy: it alone fails {}",
            m.common[sp.index as usize].name,
            names.join(", ")
        ));
    }
    s
}
