//! `validate`: check a scenario and list its single points of failure.

use crate::cli::error::CliError;
use crate::cli::load::{Warnings, load_all_warned};
use faultline_core::analysis;
use faultline_core::model::Model;
use faultline_units::{count, human, thousands};
use std::io::Write;
use std::path::Path;

/// Prints [`validation_summary`] of a valid scenario; an invalid one is a load error.
/// Warnings about the scenario go to stderr first; with `deny_warnings` they are fatal.
pub(crate) fn validate(
    out: &mut impl Write,
    scenario: &Path,
    all: bool,
    deny_warnings: bool,
) -> Result<(), CliError> {
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
