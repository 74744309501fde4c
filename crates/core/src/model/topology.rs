//! The shape of a dependency graph (petgraph): evaluation order, zero-delay cycles, load
//! clusters. Front ends call these while they build a [`super::Model`].

use super::NONE;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;

/// Ranks nodes so that every dependency ranks below its dependents, given `(dependent,
/// dependency)` pairs; or returns one cycle (as a closed walk without the repeated start).
pub fn rank_or_cycle(n: usize, needs: &[(u32, u32)]) -> Result<Vec<u32>, Vec<u32>> {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, needs.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b) in needs {
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
