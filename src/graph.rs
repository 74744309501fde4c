//! Structural views of the dependency graph (petgraph): evaluation order, zero-delay
//! cycles, load clusters, and Graphviz output.

use crate::model::{EdgeKind, Model, NONE};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use std::fmt::Write;

/// Ranks nodes so that every dependency ranks below its dependents, given `(dependent,
/// dependency)` pairs; or returns one cycle (as a closed walk without the repeated start).
pub fn rank_or_cycle(n: usize, deps: &[(u32, u32)]) -> Result<Vec<u32>, Vec<u32>> {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, deps.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b) in deps {
        // Edge dependency -> dependent, so a topological order lists dependencies first.
        g.add_edge(NodeIndex::new(b as usize), NodeIndex::new(a as usize), ());
    }
    match toposort(&g, None) {
        Ok(order) => {
            let mut rank = vec![0u32; n];
            for (r, node) in order.into_iter().enumerate() {
                rank[node.index()] = r as u32;
            }
            Ok(rank)
        }
        Err(_) => Err(find_cycle(&g)),
    }
}

/// One cycle in a graph known to have one, listed in dependent → dependency order.
fn find_cycle(g: &DiGraph<(), ()>) -> Vec<u32> {
    for scc in tarjan_scc(g) {
        let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        // Walk inside the component until a node repeats.
        let inside = |n: NodeIndex| scc.contains(&n);
        let mut walk = vec![scc[0]];
        loop {
            let cur = *walk.last().expect("non-empty");
            let next = g
                .neighbors(cur)
                .filter(|&x| inside(x))
                .min_by_key(|x| x.index())
                .expect("a node in a cycle has a successor in it");
            if let Some(pos) = walk.iter().position(|&x| x == next) {
                let mut cycle: Vec<u32> = walk[pos..].iter().map(|x| x.index() as u32).collect();
                // Edges point dependency -> dependent; report dependent -> dependency.
                cycle.reverse();
                return cycle;
            }
            walk.push(next);
        }
    }
    vec![]
}

/// Connected clusters of `Load` edges: cluster index per node, [`NONE`] for nodes in none.
pub fn clusters(n: usize, pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut uf = UnionFind::<u32>::new(n);
    let mut involved = vec![false; n];
    for &(a, b) in pairs {
        uf.union(a, b);
        involved[a as usize] = true;
        involved[b as usize] = true;
    }
    let mut index_of_root = vec![NONE; n];
    let mut next = 0u32;
    let mut out = vec![NONE; n];
    for i in 0..n {
        if !involved[i] {
            continue;
        }
        let r = uf.find(i as u32) as usize;
        if index_of_root[r] == NONE {
            index_of_root[r] = next;
            next += 1;
        }
        out[i] = index_of_root[r];
    }
    out
}

/// Graphviz DOT of the dependency graph. Services are double octagons; components in
/// `spofs` (single points of failure) are filled red. Arrows point from dependent to dependency.
pub fn to_dot(m: &Model, spofs: &[u32]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"{}\" {{", escape(&m.name));
    let _ = writeln!(s, "  rankdir=BT;");
    let _ = writeln!(
        s,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\"];"
    );
    for (i, c) in m.comps.iter().enumerate() {
        let mut attrs = vec![format!("label=\"{}\"", escape(&label(m, i)))];
        if c.service.is_some() {
            attrs.push("shape=doubleoctagon".into());
        } else if c.need > 0 {
            attrs.push("shape=box3d".into());
        }
        if spofs.contains(&(i as u32)) {
            attrs.push("style=\"rounded,filled\"".into());
            attrs.push("fillcolor=\"#f4a3a3\"".into());
            attrs.push("color=\"#b00020\"".into());
        }
        let _ = writeln!(s, "  \"{}\" [{}];", escape(&c.id), attrs.join(", "));
    }
    for e in &m.edges {
        let mut label = match e.kind {
            EdgeKind::Requires => "requires".to_string(),
            EdgeKind::Degrades(f) => format!("degrades ×{f}"),
        };
        if e.p < 1.0 {
            let _ = write!(label, " p={}", e.p);
        }
        if e.delay > 0.0 {
            let _ = write!(label, " +{}", crate::duration::human(e.delay));
        }
        let style = match e.kind {
            EdgeKind::Requires => "solid",
            EdgeKind::Degrades(_) => "dashed",
        };
        let _ = writeln!(
            s,
            "  \"{}\" -> \"{}\" [label=\"{}\", style={style}];",
            escape(&m.comps[e.from as usize].id),
            escape(&m.comps[e.to as usize].id),
            escape(&label)
        );
    }
    for (g, c) in m.comps.iter().enumerate() {
        for &member in m.members.row(g) {
            let _ = writeln!(
                s,
                "  \"{}\" -> \"{}\" [label=\"member\", style=dotted, arrowhead=odiamond];",
                escape(&c.id),
                escape(&m.comps[member as usize].id)
            );
        }
    }
    for c in &m.comps {
        if let Some(backup) = c.voter.filter(|&b| b != crate::model::NONE) {
            let _ = writeln!(
                s,
                "  \"{}\" -> \"{}\" [label=\"backup\", style=dotted, arrowhead=odot];",
                escape(&c.id),
                escape(&m.comps[backup as usize].id)
            );
        }
    }
    for (a, c) in m.comps.iter().enumerate() {
        for &b in m.load_takes.row(a) {
            let _ = writeln!(
                s,
                "  \"{}\" -> \"{}\" [label=\"takes load\", style=bold, color=\"#8a6d00\"];",
                escape(&c.id),
                escape(&m.comps[b as usize].id)
            );
        }
    }
    s.push_str("}\n");
    s
}

fn label(m: &Model, i: usize) -> String {
    let c = &m.comps[i];
    let mut l = c.id.clone();
    if c.need > 0 {
        let _ = write!(l, "\\n{} of {}", c.need, m.members.row(i).len());
    }
    if let Some(s) = c.service {
        let _ = write!(l, "\\nservice, SLO {}", s.slo);
        if s.users > 0 {
            let _ = write!(l, ", {} users", s.users);
        }
    }
    l
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
