//! Edges and adjacency: the model's edge list and the CSR tables the engine walks.

use crate::schema::{self, EdgeKind, Scenario};
use crate::validate::check::{Ids, feeders};
use faultline_core::model::topology as graph;
use faultline_core::model::{self, Comp, Csr, Edge, NONE, stable_hash};

/// The edges as the model keeps them.
pub(super) struct Edges {
    /// Requires and Degrades edges, sorted by dependent.
    pub(super) edges: Vec<Edge>,
    /// How many of `edges` are probabilistic (each draws from its own stream).
    pub(super) random_edges: u32,
    /// Load edges: `from` takes `to`'s load.
    pub(super) load_pairs: Vec<(u32, u32)>,
    /// Feeds edges: `from`'s completed jobs go to `to`.
    pub(super) feed_pairs: Vec<(u32, u32)>,
}

/// Lowers the resolved edges; Load and Feeds edges become pairs, not model edges.
pub(super) fn edges(resolved: &[(u32, u32, &schema::Edge)]) -> Edges {
    let mut model_edges = vec![];
    let mut random_edges = 0u32;
    let mut load_pairs = vec![];
    let mut feed_pairs: Vec<(u32, u32)> = vec![];
    for &(f, t, e) in resolved {
        let kind = match e.kind {
            EdgeKind::Requires => model::EdgeKind::Requires,
            EdgeKind::Degrades(x) => model::EdgeKind::Degrades(x),
            EdgeKind::Load => {
                load_pairs.push((f, t));
                continue;
            }
            EdgeKind::Feeds => {
                feed_pairs.push((f, t));
                continue;
            }
        };
        model_edges.push(Edge {
            dependent: f,
            dependency: t,
            kind,
            p: e.p.unwrap_or(1.0),
            delay: e.delay.map_or(0.0, |d| d.secs()),
            rng: NONE,
            key: stable_hash(&["edge", &e.from, &e.to]),
        });
    }
    // Edges sorted by dependent, Requires before Degrades: each component's inputs are one
    // contiguous run of the edge arrays (cache-friendly), and the minimum is taken before
    // Degrades factors multiply, whatever order the file lists them in (`faultline_core::engine::propagation`).
    model_edges.sort_by_key(|e| (e.dependent, matches!(e.kind, model::EdgeKind::Degrades(_))));
    for e in &mut model_edges {
        if e.p < 1.0 {
            e.rng = random_edges;
            random_edges += 1;
        }
    }
    Edges {
        edges: model_edges,
        random_edges,
        load_pairs,
        feed_pairs,
    }
}

/// Each component's input edges and dependent edges, as indices into `edges`.
pub(super) fn inputs_and_dependents(n: usize, edges: &[Edge]) -> (Csr, Csr) {
    let inputs = Csr::from_pairs(
        n,
        &edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.dependent, i as u32))
            .collect::<Vec<_>>(),
    );
    let dependents = Csr::from_pairs(
        n,
        &edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.dependency, i as u32))
            .collect::<Vec<_>>(),
    );
    (inputs, dependents)
}

/// Each group's or voter's members or replicas, and each component's readers: the groups
/// and voters it feeds (as a member, replica or backup).
pub(super) fn members_and_groups(sc: &Scenario, ids: &Ids) -> (Csr, Csr) {
    let n = sc.components.len();
    let mut member_pairs = vec![];
    let mut feeder_pairs = vec![];
    for (g, c) in sc.components.iter().enumerate() {
        let replicas = c
            .group
            .as_ref()
            .map(|x| &x.of)
            .or(c.voter.as_ref().map(|v| &v.of));
        for m in replicas.into_iter().flatten() {
            member_pairs.push((g as u32, ids[m.as_str()]));
        }
        for m in feeders(c) {
            feeder_pairs.push((ids[m.as_str()], g as u32));
        }
    }
    (
        Csr::from_pairs(n, &member_pairs),
        Csr::from_pairs(n, &feeder_pairs),
    )
}

/// Who takes whose load when a component goes down.
pub(super) struct LoadSharing {
    /// Per component, those whose load it takes.
    pub(super) takes: Csr,
    /// Per component, those that take its load.
    pub(super) takers: Csr,
    /// The components of each cluster linked by Load edges.
    pub(super) clusters: Csr,
}

/// The load-sharing tables; sets each component's cluster in `comps`.
pub(super) fn load_sharing(load_pairs: &[(u32, u32)], comps: &mut [Comp]) -> LoadSharing {
    let n = comps.len();
    // `from` takes `to`'s load.
    let takes = Csr::from_pairs(n, load_pairs);
    let takers = Csr::from_pairs(
        n,
        &load_pairs.iter().map(|&(f, t)| (t, f)).collect::<Vec<_>>(),
    );
    let cluster_of = graph::clusters(n, load_pairs);
    let mut cluster_pairs = vec![];
    for (i, cl) in cluster_of.iter().enumerate() {
        if *cl != NONE {
            comps[i].cluster = *cl;
            cluster_pairs.push((*cl, i as u32));
        }
    }
    let n_clusters = cluster_of
        .iter()
        .filter(|c| **c != NONE)
        .map(|c| *c + 1)
        .max()
        .unwrap_or(0);
    LoadSharing {
        takes,
        takers,
        clusters: Csr::from_pairs(n_clusters as usize, &cluster_pairs),
    }
}
