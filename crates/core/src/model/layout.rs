//! The hot loop's view of a model: one small record per component, edge and dependent.
//!
//! Propagation reads these instead of [`Model::comps`] and [`Model::edges`]: a component's
//! evaluation touches one 32-byte [`Node`], its input [`Link`]s (16 bytes each) and the
//! edge views beside them, so large models stay within a few cache lines per event.

use super::{Csr, EdgeKind, Model, NONE};
use serde::{Deserialize, Serialize};

/// [`Node::flags`]: a k-of-n group.
pub const GROUP: u32 = 1;
/// [`Node::flags`]: a voter.
pub const VOTER: u32 = 1 << 1;
/// [`Node::flags`]: a job queue.
pub const QUEUE: u32 = 1 << 2;
/// [`Node::flags`]: a member of a load cluster.
pub const CLUSTER: u32 = 1 << 3;
/// [`Node::flags`]: a member or backup of some group or voter.
pub const FEEDS_GROUP: u32 = 1 << 4;
/// [`Node::flags`]: the standby of some failover.
pub const STANDBY: u32 = 1 << 5;
/// [`Node::flags`]: some mitigation may stand in for it.
pub const MITIGABLE: u32 = 1 << 6;
/// [`Node::flags`]: a service boundary.
pub const SERVICE: u32 = 1 << 7;
/// [`Node::flags`]: idle during some operating phase (evaluation then asks the phase).
pub const PHASE_IDLE: u32 = 1 << 8;
/// [`Node::flags`]: a [`Logic::Spares`](super::Logic::Spares) group (settling claims a
/// member for it before evaluating it).
pub const SPARES: u32 = 1 << 9;
/// Every flag but [`SERVICE`]: what asks more of settling than evaluating a component's
/// own faults and inputs. A component with none of them (and not tripped or forced) takes
/// the short path through `settle`, compiled without those checks. A new flag is in it
/// unless taken out here, so it can only make a component take the longer path.
pub const EXTRAS: u32 = !SERVICE;

/// What evaluating a component reads, in one 32-byte record, so that propagation touches
/// one cache line per component instead of a line in each of many arrays. Ranges end where
/// the next node's begin ([`Model::nodes`] has one sentinel node at the end).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[repr(C, align(32))]
pub struct Node {
    /// Output when healthy.
    pub capacity: f64,
    /// Start of its slots in [`Model::comp_slots`]' items.
    pub slots: u32,
    /// Its first input edge (edges are sorted by dependent).
    pub inputs: u32,
    /// Start of its dependents in [`Model::dependents`].
    pub dependents: u32,
    /// Evaluation rank.
    pub rank: u32,
    /// What else it is: [`GROUP`], [`VOTER`], [`QUEUE`], ... (bits).
    pub flags: u32,
}

/// What evaluating a dependent reads of an input edge: 16 bytes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Link {
    /// The `Degrades` factor, or [`REQUIRES`] for a `Requires` edge.
    pub factor: f64,
    /// The component it needs.
    pub dependency: u32,
    /// The component that needs it.
    pub dependent: u32,
}

/// [`Link::factor`] of a `Requires` edge (a `Degrades` factor is in [0, 1]).
pub const REQUIRES: f64 = -1.0;

/// One dependent of a component: the edge and who is at its other end. For an edge with a
/// delay or a probability below 1, [`SLOW_EDGE`] is set and the rest indexes
/// [`Model::slow`] instead of the edges.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Dependent {
    /// Edge index, or [`SLOW_EDGE`] with an index into [`Model::slow`].
    pub edge: u32,
    /// The dependent component.
    pub comp: u32,
}

/// Bit of [`Dependent::edge`] marking an edge with a delay or a probability below 1.
pub const SLOW_EDGE: u32 = 1 << 31;

/// What passing a change over an edge with a delay or a probability below 1 reads, in 32
/// bytes (the [`Edge`](super::Edge) is 56 and mostly what the hot loop does not need).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Slow {
    /// Probability an error episode crosses.
    pub p: f64,
    /// Travel time in seconds.
    pub delay: f64,
    /// The edge.
    pub edge: u32,
    /// The component that needs the edge's dependency.
    pub dependent: u32,
    /// [`Edge::rng`](super::Edge::rng).
    pub rng: u32,
}

impl Model {
    /// Builds the hot loop's compact arrays ([`Model::nodes`], [`Model::links`],
    /// [`Model::dependents`]) from the rest of the model and each component's input edges and
    /// dependent edges. Called once, at the end of compilation.
    pub fn lay_out(&mut self, inputs: &Csr, dependents: &Csr) {
        let n = self.comps.len();
        let mut flags = vec![0u32; n];
        for (i, c) in self.comps.iter().enumerate() {
            let f = &mut flags[i];
            if c.need > 0 {
                *f |= GROUP;
            }
            if c.logic == super::Logic::Spares {
                *f |= SPARES;
            }
            if c.voter.is_some() {
                *f |= VOTER;
            }
            if c.queue != NONE {
                *f |= QUEUE;
            }
            if c.cluster != NONE {
                *f |= CLUSTER;
            }
            if !self.groups_of.row(i).is_empty() {
                *f |= FEEDS_GROUP;
            }
            if !self.standby_for.row(i).is_empty() {
                *f |= STANDBY;
            }
            if !self.mitigations_of.row(i).is_empty() {
                *f |= MITIGABLE;
            }
            if c.service.is_some() {
                *f |= SERVICE;
            }
        }
        if let Some(ph) = &self.phases {
            for p in 0..ph.list.len() {
                for &c in ph.idle.row(p) {
                    flags[c as usize] |= PHASE_IDLE;
                }
            }
        }
        self.watch_readiness();
        let mut slow = Vec::new();
        self.dependents = (0..n)
            .flat_map(|i| dependents.row(i).iter())
            .map(|&e| {
                let edge = &self.edges[e as usize];
                let k = slow.len() as u32;
                if edge.p < 1.0 || edge.delay != 0.0 {
                    slow.push(Slow {
                        p: edge.p,
                        delay: edge.delay,
                        edge: e,
                        dependent: edge.dependent,
                        rng: edge.rng,
                    });
                    Dependent {
                        edge: k | SLOW_EDGE,
                        comp: edge.dependent,
                    }
                } else {
                    Dependent {
                        edge: e,
                        comp: edge.dependent,
                    }
                }
            })
            .collect();
        self.slow = slow;
        self.links = self
            .edges
            .iter()
            .map(|e| Link {
                factor: match e.kind {
                    EdgeKind::Requires => REQUIRES,
                    EdgeKind::Degrades(f) => f,
                },
                dependency: e.dependency,
                dependent: e.dependent,
            })
            .collect();
        self.nodes = (0..=n)
            .map(|i| {
                let c = self.comps.get(i);
                Node {
                    capacity: c.map_or(0.0, |c| c.capacity),
                    slots: self.comp_slots.start(i),
                    inputs: inputs.start(i),
                    dependents: dependents.start(i),
                    rank: self.rank.get(i).copied().unwrap_or(0),
                    flags: flags.get(i).copied().unwrap_or(0),
                }
            })
            .collect();
        debug_assert!(
            (0..n).all(|i| inputs
                .row(i)
                .iter()
                .copied()
                .eq(self.nodes[i].inputs..self.nodes[i + 1].inputs)),
            "edges are sorted by dependent"
        );
    }
}

impl Model {
    /// Finds what demands and inspections act on: [`Model::demands`], and in
    /// [`Model::watch`] the components with latent faults and, transitively, the groups and
    /// voters they feed, members before their groups (by rank).
    fn watch_readiness(&mut self) {
        let n = self.comps.len();
        self.demands = self.slots.iter().any(|s| s.latent || s.on_demand > 0.0);
        let mut watched = vec![false; n];
        for s in &self.slots {
            if s.latent {
                watched[s.comp as usize] = true;
            }
        }
        let mut stack: Vec<u32> = (0..n as u32).filter(|&i| watched[i as usize]).collect();
        while let Some(i) = stack.pop() {
            for &g in self.groups_of.row(i as usize) {
                if !watched[g as usize] {
                    watched[g as usize] = true;
                    stack.push(g);
                }
            }
        }
        let mut watch: Vec<u32> = (0..n as u32).filter(|&i| watched[i as usize]).collect();
        watch.sort_by_key(|&i| (self.rank.get(i as usize).copied().unwrap_or(0), i));
        self.watch = watch;
    }
}
