//! Inspections: proof tests, health checks and restore drills that look for latent faults.

use super::{At, Checker, Ids};
use crate::diagnostics::Problem;
use crate::duration::Duration;
use crate::schema::{Inspection, Scenario};
use faultline_units::human;

/// Checks every inspection: what it inspects, how often, how long, how well, at what cost.
pub(super) fn check_inspections(ck: &mut Checker, sc: &Scenario, ids: &Ids) {
    for (i, x) in sc.inspections.iter().enumerate() {
        let p = At::ROOT.field("inspections").index(i);
        ids.resolve(ck, &x.on, p.field("on"));
        ck.non_negative(x.takes, p.field("takes"), "an inspection's duration");
        match (x.every, x.at.is_empty()) {
            (None, true) => ck.push(
                Problem::new(
                    p,
                    "an inspection needs `every` (an interval) or `at` (a schedule)",
                )
                .hint("every: \"30d\", or at: [\"30d\", \"90d\"]"),
            ),
            (Some(_), false) => ck.err(
                p.field("at"),
                "give `every` (an interval) or `at` (a schedule), not both",
            ),
            (Some(every), true) => check_interval(ck, x, every, p),
            (None, false) => check_schedule(ck, x, p),
        }
        ck.fraction(x.coverage, p.field("coverage"), "an inspection's coverage");
        ck.within(x.cost, (0.0, 1e12), p.field("cost"), "an inspection's cost");
    }
}

/// An inspection every `every`, the first at `first`.
fn check_interval(ck: &mut Checker, x: &Inspection, every: Duration, p: At<'_>) {
    ck.positive(every, p.field("every"), "the time between inspections");
    if let Some(first) = x.first {
        ck.non_negative(first, p.field("first"), "the first inspection's time");
    }
    if x.takes.secs() >= every.secs() && every.secs() > 0.0 {
        ck.push(
            Problem::new(
                p.field("takes"),
                format!(
                    "an inspection that takes {} cannot start every {}: it must end before the next begins",
                    human(x.takes.secs()),
                    human(every.secs())
                ),
            )
            .hint("make `takes` shorter than `every`"),
        );
    }
}

/// Inspections at the times listed.
fn check_schedule(ck: &mut Checker, x: &Inspection, p: At<'_>) {
    if x.first.is_some() {
        ck.err(
            p.field("first"),
            "`first` goes with `every`; a schedule (`at`) lists every time itself",
        );
    }
    let mut times: Vec<f64> = vec![];
    for (k, t) in x.at.iter().enumerate() {
        ck.non_negative(*t, p.field("at").index(k), "an inspection time");
        times.push(t.secs());
    }
    times.sort_by(f64::total_cmp);
    let gap = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    if x.takes.secs() >= gap {
        ck.push(
            Problem::new(
                p.field("takes"),
                format!(
                    "an inspection that takes {} overlaps the next: two scheduled inspections are {} apart",
                    human(x.takes.secs()),
                    human(gap)
                ),
            )
            .hint("make `takes` shorter than the shortest gap in `at`"),
        );
    }
}
