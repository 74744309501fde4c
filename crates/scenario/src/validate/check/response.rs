//! Alerts and the response team they page.

use super::{At, Checker, DistUse, Ids};
use crate::diagnostics::Problem;
use crate::schema::{Condition, Fatigue, Response, Scenario};

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
