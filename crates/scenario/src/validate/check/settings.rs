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
        if !(x.is_finite() && x >= 0.0) {
            ck.err(
                At::ROOT.field("cost").field(field),
                format!("a cost must be >= 0, not {x}"),
            );
        }
    }
}
