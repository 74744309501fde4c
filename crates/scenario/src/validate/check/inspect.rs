//! Inspections: proof tests, health checks and restore drills that look for latent faults.

use super::{At, Checker, Ids};
use crate::diagnostics::Problem;
use crate::schema::Scenario;

/// Checks every inspection: what it inspects, how often, how long, how well, at what cost.
pub(super) fn check_inspections(ck: &mut Checker, sc: &Scenario, ids: &Ids) {
    for (i, x) in sc.inspections.iter().enumerate() {
        let p = At::ROOT.field("inspections").index(i);
        ids.resolve(ck, &x.on, p.field("on"));
        ck.positive(x.every, p.field("every"), "the time between inspections");
        if let Some(first) = x.first {
            ck.non_negative(first, p.field("first"), "the first inspection's time");
        }
        ck.non_negative(x.takes, p.field("takes"), "an inspection's duration");
        if x.takes.secs() >= x.every.secs() && x.every.secs() > 0.0 {
            ck.push(
                Problem::new(
                    p.field("takes"),
                    format!(
                        "an inspection that takes {} cannot start every {}: it must end before the next begins",
                        faultline_units::human(x.takes.secs()),
                        faultline_units::human(x.every.secs())
                    ),
                )
                .hint("make `takes` shorter than `every`"),
            );
        }
        ck.fraction(x.coverage, p.field("coverage"), "an inspection's coverage");
        ck.within(x.cost, (0.0, 1e12), p.field("cost"), "an inspection's cost");
    }
}
