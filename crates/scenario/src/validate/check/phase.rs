//! Operating phases: a non-empty list of uniquely named phases of positive length, rate
//! multipliers that are not negative, idle and rate components that exist, and an
//! `abort_to` that names a phase.

use super::names::Repeats;
use super::{At, Checker, Ids};
use crate::diagnostics::Problem;
use crate::schema::{Phase, Scenario};

/// Multipliers and factors a phase may set: not negative, and finite.
const FACTOR: (f64, f64) = (0.0, 1e6);

/// Checks the phases, if the scenario declares any.
pub(super) fn check_phases(ck: &mut Checker, sc: &Scenario, ids: &Ids<'_>) {
    let Some(phases) = &sc.phases else { return };
    let root = At::ROOT.field("phases");
    if phases.list.is_empty() {
        ck.err(
            root.field("list"),
            "phases need at least one phase (or leave `phases` out)",
        );
        return;
    }
    let mut repeats = Repeats::new(phases.list.len());
    for (i, p) in phases.list.iter().enumerate() {
        let at = root.field("list").index(i);
        if p.name.trim().is_empty() {
            ck.err(at.field("name"), "a phase needs a non-empty name");
        } else if repeats.at(&phases.list, i, |p| p.name.as_str()) {
            ck.err(
                at.field("name"),
                format!("the phase `{}` is declared twice", p.name),
            );
        }
        check_phase(ck, p, at, ids);
        if let Some(to) = &p.abort_to
            && !phases.list.iter().any(|q| &q.name == to)
        {
            let names: Vec<String> = phases
                .list
                .iter()
                .map(|q| format!("`{}`", q.name))
                .collect();
            ck.push(
                Problem::new(at.field("abort_to"), format!("unknown phase `{to}`"))
                    .hint(format!("the phases are {}", names.join(", "))),
            );
        }
    }
}

/// Checks one phase's length, factors and components.
fn check_phase(ck: &mut Checker, p: &Phase, at: At<'_>, ids: &Ids<'_>) {
    ck.positive(p.lasts, at.field("lasts"), "a phase's length");
    ck.within(
        p.faults,
        FACTOR,
        at.field("faults"),
        "a fault-rate multiplier",
    );
    ck.within(p.load, FACTOR, at.field("load"), "a load multiplier");
    ck.within(
        p.response,
        FACTOR,
        at.field("response"),
        "a response-time factor",
    );
    let mut repeats = Repeats::new(p.rates.len());
    for (j, (id, m)) in p.rates.iter().enumerate() {
        let r = at.field("rates").index(j);
        if repeats.at(&p.rates, j, |(id, _)| id.as_str()) {
            ck.err(
                r.index(0),
                format!("`{id}` is listed twice in this phase's rates"),
            );
        }
        ids.resolve(ck, id, r.index(0));
        ck.within(*m, FACTOR, r.index(1), "a fault-rate multiplier");
    }
    for (j, id) in p.idle.iter().enumerate() {
        ids.resolve(ck, id, at.field("idle").index(j));
    }
}
