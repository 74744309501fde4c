//! The scenario's own settings: name, horizon, run counts, and the cost rates.

use super::{At, Checker};
use crate::schema::Scenario;

/// Checks the top-level settings.
pub(super) fn check_settings(ck: &mut Checker, sc: &Scenario) {
    let root = At::ROOT;
    if sc.name.trim().is_empty() {
        ck.err(root.field("name"), "the scenario needs a name");
    }
    ck.positive(sc.horizon, root.field("horizon"), "the horizon");
    if sc.runs == 0 {
        ck.err(root.field("runs"), "runs must be at least 1");
    }
    if sc.max_events == Some(0) {
        ck.err(root.field("max_events"), "max_events must be at least 1");
    }
    if sc.components.is_empty() {
        ck.err(
            root.field("components"),
            "a scenario needs at least one component",
        );
    }
}

/// Checks the cost rates.
pub(super) fn check_cost(ck: &mut Checker, sc: &Scenario) {
    for (field, x) in [
        ("outage_per_minute", sc.cost.outage_per_minute),
        ("degraded_per_minute", sc.cost.degraded_per_minute),
        ("per_user_minute", sc.cost.per_user_minute),
        ("responder_hour", sc.cost.responder_hour),
        ("per_lost_job", sc.cost.per_lost_job),
    ] {
        // At most a trillion per unit: no product with a run's minutes, users or jobs
        // can then overflow to infinity.
        ck.within(
            x,
            (0.0, 1e12),
            At::ROOT.field("cost").field(field),
            "a cost",
        );
    }
}

/// Refuses control characters (and bidi overrides) in the names and ids a terminal shows:
/// one could clear the screen or retitle the window of whoever validates the file.
pub(super) fn check_plain_names(ck: &mut Checker, sc: &Scenario) {
    let root = At::ROOT;
    let mut plain = |name: &str, at: At<'_>, what: &str| {
        if let Some(c) = name.chars().find(|&c| !crate::snippet::is_plain(c)) {
            ck.err(
                at,
                format!("{what} contains the control character U+{:04X}", c as u32),
            );
        }
    };
    plain(&sc.name, root.field("name"), "the scenario's name");
    for (i, c) in sc.components.iter().enumerate() {
        let cp = root.field("components").index(i);
        plain(&c.id, cp.field("id"), "a component id");
        for (j, f) in c.faults.iter().enumerate() {
            plain(
                &f.name,
                cp.field("faults").index(j).field("name"),
                "a fault name",
            );
        }
    }
    for (i, cc) in sc.common_cause.iter().enumerate() {
        let at = root.field("common_cause").index(i).field("name");
        plain(&cc.name, at, "a common-cause name");
    }
    for (i, st) in sc.strategies.iter().enumerate() {
        let at = root.field("strategies").index(i).field("name");
        plain(&st.name, at, "a strategy name");
    }
}
