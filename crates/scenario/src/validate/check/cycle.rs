//! Zero-delay dependency cycles: errors would chase their own tail within one instant.

use super::{Ids, feeders};
use crate::diagnostics::Problem;
use crate::schema::{self, EdgeKind, Scenario};
use crate::span::Path;
use faultline_core::model::topology as graph;

/// Each component's rank in the order in which errors propagate within one instant, or
/// the problem of a zero-delay cycle; `edges` are the resolved edges, all references known.
pub(super) fn rank(
    sc: &Scenario,
    ids: &Ids,
    edges: &[(u32, u32, &schema::Edge)],
) -> Result<Vec<u32>, Problem> {
    let n = sc.components.len();
    let mut deps: Vec<(u32, u32)> = edges
        .iter()
        .filter(|(_, _, e)| {
            !matches!(e.kind, EdgeKind::Load | EdgeKind::Feeds)
                && e.delay.is_none_or(|d| d.secs() == 0.0)
        })
        .map(|(f, t, _)| (*f, *t))
        .collect();
    for (g, c) in sc.components.iter().enumerate() {
        for m in feeders(c) {
            deps.push((g as u32, ids[m.as_str()]));
        }
    }
    graph::rank_or_cycle(n, &deps).map_err(|cycle| {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| sc.components[i as usize].id.as_str())
            .collect();
        let first = cycle[0];
        let second = cycle[1 % cycle.len()];
        let path = edge_path(sc, ids, first, second);
        Problem::new(
            path,
            format!("zero-delay dependency cycle: {}", names.join(" → ")),
        )
        .hint("an error would reach itself in no time; give one edge of the cycle a delay, or break it")
    })
}

/// Path of the edge (or group membership) that makes `a` depend on `b`.
fn edge_path(sc: &Scenario, ids: &Ids, a: u32, b: u32) -> Path {
    for (i, e) in sc.edges.iter().enumerate() {
        if ids.get(e.from.as_str()) == Some(a) && ids.get(e.to.as_str()) == Some(b) {
            return Path::root().field("edges").index(i);
        }
    }
    let c = &sc.components[a as usize];
    if let Some(g) = &c.group
        && let Some(k) = g.of.iter().position(|m| ids.get(m.as_str()) == Some(b))
    {
        return Path::root()
            .field("components")
            .index(a as usize)
            .field("group")
            .field("of")
            .index(k);
    }
    Path::root().field("components").index(a as usize)
}
