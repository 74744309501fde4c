//! Alerts and the response team they page.

use super::{At, Checker, DistUse, Ids};
use crate::diagnostics::Problem;
use crate::duration::Duration;
use crate::schema::{Alert, Condition, Fatigue, Response, Scenario};
use faultline_units::human;

/// Checks every alert, and that someone answers them.
pub(super) fn check_alerts(ck: &mut Checker, sc: &Scenario, ids: &Ids) {
    for (i, a) in sc.alerts.iter().enumerate() {
        let p = At::ROOT.field("alerts").index(i);
        ids.resolve(ck, &a.on, p.field("on"));
        ck.non_negative(a.after, p.field("after"), "an alert delay");
        match a.when {
            Condition::CapacityBelow(x) if !(x > 0.0 && x <= 1.0) => ck.err(
                p.field("when").index(0),
                format!("a capacity threshold is in (0, 1], not {x}"),
            ),
            Condition::QueueAbove(_)
                if ids
                    .get(a.on.as_str())
                    .is_some_and(|c| sc.components[c as usize].queue.is_none()) =>
            {
                ck.err(
                    p.field("when"),
                    format!("`{}` is not a queue: QueueAbove needs one", a.on),
                )
            }
            Condition::SlowerThan(x) if !(x.is_finite() && x >= 1.0) => ck.err(
                p.field("when").index(0),
                format!("a latency threshold is a multiple >= 1, not {x}"),
            ),
            Condition::Burn {
                factor,
                long,
                short,
            } => check_burn(ck, sc, ids, a, (factor, long.secs(), short.secs()), p),
            _ => {}
        }
    }
    if !sc.alerts.is_empty() && sc.response.is_none() {
        ck.push(
            Problem::new(At::ROOT.field("alerts"), "alerts page nobody: there is no response team")
                .hint("add response: (oncall: 1, acknowledge: Exp(mean: \"5m\"), diagnose: Exp(mean: \"30m\"))"),
        );
    }
}

/// A burn-rate rule: on a service with an objective, a rate that can be reached, a short
/// window no longer than the long one, and no hold time of its own.
fn check_burn(
    ck: &mut Checker,
    sc: &Scenario,
    ids: &Ids,
    a: &Alert,
    (factor, long, short): (f64, f64, f64),
    p: At<'_>,
) {
    let w = p.field("when");
    ck.positive(Duration(long), w.field("long"), "a burn rule's long window");
    ck.positive(
        Duration(short),
        w.field("short"),
        "a burn rule's short window",
    );
    if short > long && long > 0.0 {
        ck.push(
            Problem::new(
                w.field("short"),
                format!(
                    "the short window ({}) is longer than the long one ({})",
                    human(short),
                    human(long)
                ),
            )
            .hint(
                "the Workbook's short window is a twelfth of the long: long: \"1h\", short: \"5m\"",
            ),
        );
    }
    if a.after.secs() != 0.0 {
        ck.push(
            Problem::new(p.field("after"), "a burn-rate rule has no hold time")
                .hint("it fires the moment both windows burn fast enough; leave `after` out"),
        );
    }
    if !(factor.is_finite() && factor > 0.0) {
        ck.err(
            w.field("factor"),
            format!("a burn rate is a positive multiple, not {factor}"),
        );
        return;
    }
    let Some(c) = ids.get(a.on.as_str()) else {
        return;
    };
    let objective = (sc.components[c as usize].service.as_ref()).and_then(|s| s.objective);
    let Some(o) = objective else {
        ck.push(
            Problem::new(
                p.field("on"),
                format!("`{}` has no availability objective to burn", a.on),
            )
            .hint("give the service one: service: (..., objective: (availability: 0.999, window: \"30d\"))"),
        );
        return;
    };
    let most = 1.0 / (1.0 - o.availability);
    if o.availability > 0.0 && o.availability < 1.0 && factor > most {
        ck.push(
            Problem::new(
                w.field("factor"),
                format!(
                    "a burn rate of {factor} can never be reached: an objective of {} burns at most {} (the service failed the whole window)",
                    o.availability,
                    faultline_units::number::trim_number(most)
                ),
            )
            .hint("the Workbook pages at 14.4 (1h) and 6 (6h) for a 30-day window"),
        );
    }
    if long > o.window.secs() && o.window.secs() > 0.0 {
        ck.err(
            w.field("long"),
            format!(
                "the long window ({}) is longer than the objective's window ({})",
                human(long),
                human(o.window.secs())
            ),
        );
    }
}

/// Checks the response team.
pub(super) fn check_response(ck: &mut Checker, sc: &Scenario) {
    let Some(r) = &sc.response else { return };
    let p = At::ROOT.field("response");
    if r.oncall == 0 {
        ck.err(p.field("oncall"), "at least one responder must be on call");
    }
    ck.dist(&r.acknowledge, p.field("acknowledge"), DistUse::Repair);
    ck.dist(&r.diagnose, p.field("diagnose"), DistUse::Repair);
    ck.dist(
        &r.customer_report,
        p.field("customer_report"),
        DistUse::Repair,
    );
    ck.dist(&r.handoff, p.field("handoff"), DistUse::Repair);
    if !(r.runbook.is_finite() && r.runbook > 0.0) {
        ck.push(
            Problem::new(
                p.field("runbook"),
                format!("the runbook factor must be positive, not {}", r.runbook),
            )
            .hint("runbook: 0.5 halves diagnosis time; 1.0 means no runbook"),
        );
    }
    if let Some(sh) = r.shift {
        ck.positive(sh, p.field("shift"), "a shift");
    }
    if let Some(rot) = r.rotate {
        ck.positive(rot, p.field("rotate"), "a rota period");
    }
    if let Some(f) = &r.fatigue {
        check_fatigue(ck, f, p.field("fatigue"));
    }
    check_team(ck, r, p);
}

/// A fatigue curve: rates that add, a rest that ends a shift, a cap of at least 1.
fn check_fatigue(ck: &mut Checker, f: &Fatigue, p: At<'_>) {
    ck.non_negative(f.fresh, p.field("fresh"), "the time before fatigue shows");
    ck.positive(f.rest, p.field("rest"), "a rest");
    for (x, name) in [
        (f.per_hour, "per_hour"),
        (f.per_day, "per_day"),
        (f.per_page, "per_page"),
    ] {
        ck.within(x, (0.0, 100.0), p.field(name), "a fatigue rate");
    }
    if !(f.max.is_finite() && f.max >= 1.0) {
        ck.push(
            Problem::new(
                p.field("max"),
                format!("the largest fatigue factor is at least 1, not {}", f.max),
            )
            .hint("max: 3.0 lets a tired responder take at most three times as long"),
        );
    }
}

/// The team on one incident and how it coordinates.
fn check_team(ck: &mut Checker, r: &Response, p: At<'_>) {
    if r.join == 0 {
        ck.err(p.field("join"), "at least one responder joins an incident");
    } else if r.oncall > 0 && r.join > r.oncall {
        ck.push(
            Problem::new(
                p.field("join"),
                format!(
                    "{} responders cannot join an incident when {} are on call",
                    r.join, r.oncall
                ),
            )
            .hint(format!(
                "join: {} pages everyone on call (all hands)",
                r.oncall
            )),
        );
    }
    let c = &r.coordination;
    let at = p.field("coordination");
    ck.fraction(
        c.serial,
        at.field("serial"),
        "the serial share of a diagnosis",
    );
    ck.within(
        c.per_channel,
        (0.0, 100.0),
        at.field("per_channel"),
        "the cost of a line of talk",
    );
    ck.fraction(
        c.record_cuts,
        at.field("record_cuts"),
        "a shared record's factor",
    );
}
