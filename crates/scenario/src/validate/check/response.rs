//! Alerts and the response team they page.

use super::{At, Checker, DistUse, Ids};
use crate::diagnostics::Problem;
use crate::schema::{Condition, Scenario};

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
}
