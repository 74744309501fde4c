//! Dependency edges.

use super::{At, Checker, Ids};
use crate::diagnostics::Problem;
use crate::schema::{self, EdgeKind, Scenario};

/// Checks every edge; returns those between known, distinct components, in file order.
pub(super) fn check_edges<'a>(
    ck: &mut Checker,
    sc: &'a Scenario,
    ids: &Ids,
) -> Vec<(u32, u32, &'a schema::Edge)> {
    let mut resolved_edges = vec![];
    for (i, e) in sc.edges.iter().enumerate() {
        let ep = At::ROOT.field("edges").index(i);
        let from = ids.resolve(ck, &e.from, ep.field("from"));
        let to = ids.resolve(ck, &e.to, ep.field("to"));
        if e.from == e.to {
            ck.err(
                ep.field("to"),
                format!("`{}` cannot depend on itself", e.from),
            );
        }
        if let Some(p) = e.p {
            ck.fraction(p, ep.field("p"), "a probability");
        }
        if let Some(d) = e.delay {
            ck.non_negative(d, ep.field("delay"), "a delay");
        }
        check_kind(ck, sc, e, ep, [from, to]);
        if let (Some(f), Some(t)) = (from, to)
            && f != t
        {
            resolved_edges.push((f, t, e));
        }
    }
    resolved_edges
}

/// Checks what an edge's kind asks of the edge and of its two ends (`sides`: the ends'
/// indices, when known).
fn check_kind(
    ck: &mut Checker,
    sc: &Scenario,
    e: &schema::Edge,
    ep: At<'_>,
    sides: [Option<u32>; 2],
) {
    let ends = [(&e.from, sides[0]), (&e.to, sides[1])];
    match e.kind {
        EdgeKind::Degrades(f) => ck.fraction(f, ep.field("kind").index(0), "a Degrades factor"),
        EdgeKind::Load => {
            if e.p.is_some() || e.delay.is_some() {
                let at = if e.p.is_some() { "p" } else { "delay" };
                ck.push(
                    Problem::new(ep.field(at), "p and delay do not apply to Load edges")
                        .hint("load moves at once when a component goes down"),
                );
            }
            for (id, side) in ends {
                if let Some(ix) = side
                    && sc.components[ix as usize].load.is_none()
                {
                    ck.push(
                        Problem::new(
                            ep.field("kind"),
                            format!("`{id}` takes part in a Load edge but declares no load"),
                        )
                        .hint(format!("add load: (base: 0.5, limit: 1.0) to `{id}`")),
                    );
                }
            }
        }
        EdgeKind::Feeds => {
            if e.p.is_some() || e.delay.is_some() {
                let at = if e.p.is_some() { "p" } else { "delay" };
                ck.err(ep.field(at), "p and delay do not apply to Feeds edges");
            }
            for (id, side) in ends {
                if let Some(ix) = side
                    && sc.components[ix as usize].queue.is_none()
                {
                    ck.push(
                        Problem::new(
                            ep.field("kind"),
                            format!("`{id}` is in a Feeds edge but is not a queue"),
                        )
                        .hint("Feeds passes completed jobs from one queue to another"),
                    );
                }
            }
        }
        EdgeKind::Requires => {}
    }
}
