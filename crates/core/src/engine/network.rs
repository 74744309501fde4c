//! The network: how a change travels through the dependency graph within one instant.
//!
//! An event changes a fault slot or what an edge delivers; the touched component is queued
//! and [`Sim::settle`] re-evaluates only affected components, in dependency-rank order, until
//! nothing changes. What a component's output *is* (faults, groups, voters, dependencies) is
//! [`super::propagation`]'s business; this module is how changes *move*: the work queue,
//! edge views with their delay and probability, and overload trips in load clusters.

use super::Sim;
use super::event::{Kind, Slab};
use super::propagation::{Class, Health, SvcState};
use crate::model::{
    CLUSTER, EXTRAS, FEEDS_GROUP, Model, NONE, Node, QUEUE, SLOW_EDGE, SPARES, STANDBY,
};
use crate::prefetch::prefetch;
use crate::rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// [`CompState::bits`]: queued for re-evaluation.
const IN_WORK: u8 = 1;
/// Output changed this instant; to be committed.
pub(crate) const TOUCHED: u8 = 1 << 1;
/// Tripped by overload (a load cluster).
const TRIPPED: u8 = 1 << 2;
/// Forced down by a static "what if" probe.
const FORCED: u8 = 1 << 3;

/// Models of at least this many components prefetch what the next steps will read; in a
/// smaller one the run state stays in cache and the prefetches would only cost instructions.
const PREFETCH_FROM: usize = 1_000;

/// One component's run state, in one cache line: evaluating a component and marking it for
/// re-evaluation touch only this line of per-component state.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
pub(crate) struct CompState {
    /// Current output.
    pub(crate) out: Health,
    /// Capacity before any overload trip (what load redistribution sees).
    pub(crate) pre_cap: f64,
    /// When the committed class last changed.
    pub(crate) since: f64,
    /// Root fault slot behind an impaired output ([`NONE`] if healthy).
    pub(crate) cause: u32,
    /// The neighbour the impairment came through ([`NONE`] for its own fault).
    pub(crate) via: u32,
    /// Cause before any overload trip.
    pub(crate) pre_cause: u32,
    /// Evaluation rank (copied from the model, read when marking).
    pub(crate) rank: u32,
    /// Its first input edge (copied from the model: marking prefetches the inputs).
    pub(crate) inputs: u32,
    /// Number of its fault slots that are active.
    pub(crate) active: u16,
    /// [`IN_WORK`], [`TOUCHED`], [`TRIPPED`], [`FORCED`].
    pub(crate) bits: u8,
    /// Committed state class.
    pub(crate) class: Class,
}

impl CompState {
    fn new(out: Health, node: &Node) -> CompState {
        CompState {
            out,
            pre_cap: out.cap,
            since: 0.0,
            cause: NONE,
            via: NONE,
            pre_cause: NONE,
            rank: node.rank,
            inputs: node.inputs,
            active: 0,
            bits: 0,
            class: Class::Healthy,
        }
    }
}

/// What a dependent sees through one edge, and the root fault behind it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View {
    /// The dependency's output as delivered.
    pub h: Health,
    /// Its root fault slot ([`NONE`] if none).
    pub cause: u32,
}

/// Where a probabilistic edge is in the current error episode of its dependency.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Pass {
    /// The dependency is fault-free: no episode, nothing drawn yet.
    #[default]
    Idle,
    /// This episode crosses the edge.
    Crossed,
    /// This episode does not.
    Blocked,
}

/// A probabilistic edge's episode, beside the fault-free output that ends it (so sending
/// reads one small record, not the dependency's whole state).
#[derive(Clone, Copy, Debug)]
struct Episode {
    healthy: Health,
    pass: Pass,
}

/// The live state of the dependency network in one run, and the template it starts from.
#[derive(Clone)]
pub(crate) struct Net {
    /// Per component: output, cause, committed class, ... in one cache line.
    pub(crate) st: Vec<CompState>,
    /// Per edge: what the dependent sees of its dependency (after delay and probability).
    pub(crate) views: Vec<View>,
    /// Per probabilistic edge (by [`crate::model::Edge::rng`]): its error episode.
    episodes: Vec<Episode>,
    /// Per probabilistic edge: whether an episode crosses.
    pub(crate) edge_streams: rng::Streams,
    /// What pending [`Kind::Deliver`] events deliver.
    pub(crate) deliveries: Slab<View>,
    /// Per load-cluster member: tripped by overload in the round being decided.
    trip_new: Vec<bool>,
    /// Per tripped component: the root fault behind the load that tripped it.
    trip_cause: Vec<u32>,
    /// Per tripped component: the component whose load tripped it.
    trip_via: Vec<u32>,
    /// Components to re-evaluate, keyed `rank << 32 | index` (one integer compare).
    work: BinaryHeap<Reverse<u64>>,
    /// Components whose output changed this instant, to be committed.
    pub(crate) touched: Vec<u32>,
    /// Reused buffer for overload rounds.
    scratch: Vec<u32>,
    /// Every edge passes at once (the healthy template, static probes).
    static_mode: bool,
    /// Whether to prefetch (a model of at least [`PREFETCH_FROM`] components).
    pub(crate) prefetch: bool,
    /// The healthy state every run starts from.
    template: Vec<CompState>,
    /// What every edge delivers in the template state.
    template_views: Vec<View>,
}

impl Net {
    /// Buffers for `m`, in the nominal state; [`Sim::new`] settles it into the template.
    pub(crate) fn new(m: &Model) -> Net {
        let n = m.comps.len();
        let nominal: Vec<Health> = m
            .comps
            .iter()
            .map(|c| Health::nominal(c.capacity))
            .collect();
        Net {
            st: nominal
                .iter()
                .enumerate()
                .map(|(i, &h)| CompState::new(h, &m.nodes[i]))
                .collect(),
            views: m
                .edges
                .iter()
                .map(|e| View {
                    h: nominal[e.dependency as usize],
                    cause: NONE,
                })
                .collect(),
            episodes: Vec::new(),
            // Probabilistic edges number their streams in edge order ([`crate::model::Edge::rng`]).
            edge_streams: rng::Streams::new(
                (m.edges.iter())
                    .filter(|e| e.rng != NONE)
                    .map(|e| (e.key, rng::EDGE))
                    .collect(),
            ),
            deliveries: Slab::default(),
            trip_new: vec![false; n],
            trip_cause: vec![NONE; n],
            trip_via: vec![NONE; n],
            work: BinaryHeap::with_capacity(n.min(1 << 16)),
            touched: Vec::with_capacity(n.min(1 << 16)),
            scratch: Vec::new(),
            static_mode: true,
            prefetch: n >= PREFETCH_FROM,
            template: vec![],
            template_views: vec![],
        }
    }

    /// Keeps the settled current state as the template every run starts from: no cause,
    /// no path, nothing pending.
    fn keep_as_template(&mut self, m: &Model) {
        self.template = self
            .st
            .iter()
            .map(|s| CompState {
                cause: NONE,
                via: NONE,
                pre_cause: NONE,
                since: 0.0,
                active: 0,
                bits: 0,
                ..*s
            })
            .collect();
        // Edge views start as what their dependency delivers in the template state.
        self.template_views = m
            .edges
            .iter()
            .map(|e| View {
                h: self.st[e.dependency as usize].out,
                cause: NONE,
            })
            .collect();
        self.views.copy_from_slice(&self.template_views);
        // Probabilistic edges number their streams in edge order ([`crate::model::Edge::rng`]).
        self.episodes = (m.edges.iter())
            .filter(|e| e.rng != NONE)
            .map(|e| Episode {
                healthy: self.st[e.dependency as usize].out,
                pass: Pass::Idle,
            })
            .collect();
        debug_assert!(
            m.edges
                .iter()
                .filter(|e| e.rng != NONE)
                .map(|e| e.rng)
                .eq(0..m.random_edges)
        );
        self.static_mode = false;
    }

    /// Back to the template for run `run` of the study seeded `seed`.
    pub(crate) fn reset(&mut self, seed: u64, run: u64) {
        self.deliveries.clear();
        self.st.copy_from_slice(&self.template);
        self.views.copy_from_slice(&self.template_views);
        self.episodes.iter_mut().for_each(|ep| ep.pass = Pass::Idle);
        self.edge_streams.reset(seed, run);
    }

    /// Whether some component is queued for re-evaluation ([`Sim::settle`] has work).
    #[inline]
    pub(crate) fn has_work(&self) -> bool {
        !self.work.is_empty()
    }

    /// Clears the touched marks of a settle that is not committed (the template, probes).
    fn forget_touched(&mut self) {
        for &i in &self.touched {
            self.st[i as usize].bits &= !TOUCHED;
        }
        self.touched.clear();
    }
}

impl Sim<'_> {
    /// Settles the nominal state of a new simulator (the healthy state may itself be
    /// impaired: an undersized unit, a group short of members) and keeps it as the
    /// template every run starts from.
    pub(crate) fn settle_template(&mut self) {
        let n = self.m.comps.len();
        for i in 0..n {
            self.mark(i as u32);
        }
        self.settle();
        self.net.forget_touched();
        for i in 0..n {
            self.net.st[i].class = self.classify(i, self.net.st[i].out);
        }
        self.net.keep_as_template(self.m);
    }

    /// A delayed edge delivers what its dependency sent.
    pub(crate) fn deliver(&mut self, edge: u32, delivery: u32) {
        self.net.views[edge as usize] = self.net.deliveries.take(delivery);
        self.mark(self.m.links[edge as usize].dependent);
    }

    /// Queues a component for re-evaluation.
    #[inline]
    pub(crate) fn mark(&mut self, i: u32) {
        let st = &mut self.net.st[i as usize];
        if st.bits & IN_WORK == 0 {
            st.bits |= IN_WORK;
            self.net
                .work
                .push(Reverse(u64::from(st.rank) << 32 | u64::from(i)));
            if self.net.prefetch {
                let e = st.inputs as usize;
                prefetch(&self.m.nodes[i as usize]);
                if let Some(v) = self.net.views.get(e) {
                    prefetch(v);
                    prefetch(&self.m.links[e]);
                }
            }
        }
    }

    /// Re-evaluates queued components in rank order until nothing changes.
    pub(crate) fn settle(&mut self) {
        let m = self.m;
        let limit = 64 * (m.comps.len() as u64 + m.edges.len() as u64 + 16);
        let mut evaluations = 0u64;
        while let Some(Reverse(key)) = self.net.work.pop() {
            let i = key as u32;
            let iu = i as usize;
            self.net.st[iu].bits &= !IN_WORK;
            evaluations += 1;
            if evaluations > limit {
                self.unsettled = true;
                while let Some(Reverse(key)) = self.net.work.pop() {
                    let j = key as u32;
                    self.net.st[j as usize].bits &= !IN_WORK;
                }
                break;
            }
            // The dependents list is read only if the output changes (nine times in ten on
            // large models): start loading it now.
            if self.net.prefetch
                && let Some(d) = m.dependents.get(m.nodes[iu].dependents as usize)
            {
                prefetch(d);
            }
            if m.nodes[iu].flags & EXTRAS == 0 && self.net.st[iu].bits & (TRIPPED | FORCED) == 0 {
                self.settle_one::<true>(i);
            } else {
                self.settle_one::<false>(i);
            }
        }
        self.evaluations += evaluations;
    }

    /// Re-evaluates component `i` and passes a change on. `PLAIN` is a promise that it has
    /// none of the [`EXTRAS`] flags and is neither tripped nor forced: that instance is
    /// compiled without their checks (the same code, so both give the same results).
    #[inline(always)]
    fn settle_one<const PLAIN: bool>(&mut self, i: u32) {
        let m = self.m;
        let iu = i as usize;
        let flags = m.nodes[iu].flags;
        if !PLAIN && flags & SPARES != 0 {
            self.claim(iu);
        }
        let (mut pre, mut cause, mut via) = self.evaluate::<PLAIN>(iu);
        if !PLAIN && flags & QUEUE != 0 {
            let (good, root) = self.queue_output(iu, pre);
            pre.cap *= good;
            if good < 1.0 && cause == NONE {
                cause = root;
                via = NONE;
            }
        }
        let st = &mut self.net.st[iu];
        let load_changed = pre.cap != st.pre_cap;
        st.pre_cap = pre.cap;
        st.pre_cause = cause;
        if !PLAIN && flags & CLUSTER != 0 && load_changed {
            self.recompute_cluster(m.comps[iu].cluster);
        }
        let mut h = pre;
        if !PLAIN && self.net.st[iu].bits & TRIPPED != 0 {
            h.cap = 0.0;
            cause = self.net.trip_cause[iu];
            via = self.net.trip_via[iu];
        }
        let st = &mut self.net.st[iu];
        if h != st.out || cause != st.cause {
            let before = st.out;
            st.out = h;
            st.cause = cause;
            st.via = via;
            if st.bits & TOUCHED == 0 {
                st.bits |= TOUCHED;
                self.net.touched.push(i);
            }
            if !PLAIN && flags & FEEDS_GROUP != 0 {
                self.note_member_change(iu, before, h);
                for &g in m.groups_of.row(iu) {
                    self.mark(g);
                }
            }
            let dependents =
                &m.dependents[m.nodes[iu].dependents as usize..m.nodes[iu + 1].dependents as usize];
            // Start loading every dependent's state and view first, so that their cache
            // misses overlap instead of following one another.
            if self.net.prefetch {
                self.prefetch_dependents(dependents);
            }
            for &d in dependents {
                if d.edge & SLOW_EDGE == 0 {
                    // The common case: no delay, always passes.
                    self.net.views[d.edge as usize] = View { h, cause };
                    self.mark(d.comp);
                } else {
                    self.send(d.edge & !SLOW_EDGE, h, cause);
                }
            }
            if !PLAIN && flags & STANDBY != 0 {
                for &mit in m.standby_for.row(iu) {
                    for &t in &m.mitigations[mit as usize].targets {
                        if self.rs.standin[t as usize] == mit {
                            self.mark(t);
                        }
                    }
                }
            }
        }
    }

    /// Starts loading the state and the incoming view of each of `dependents`.
    fn prefetch_dependents(&self, dependents: &[crate::model::Dependent]) {
        for &d in dependents {
            prefetch(&self.net.st[d.comp as usize]);
            if d.edge & SLOW_EDGE == 0 {
                prefetch(&self.net.views[d.edge as usize]);
            } else {
                prefetch(&self.m.slow[(d.edge & !SLOW_EDGE) as usize]);
            }
        }
    }

    /// Passes a dependency's new output along slow edge `k` ([`Model::slow`]), subject to its
    /// probability and delay (edges with neither are copied inline by [`Sim::settle`]).
    fn send(&mut self, k: u32, h: Health, cause: u32) {
        let slow = self.m.slow[k as usize];
        if !self.net.static_mode && slow.p < 1.0 {
            // An episode lasts while the dependency differs from its fault-free state.
            let ep = &mut self.net.episodes[slow.rng as usize];
            let healthy = h == ep.healthy;
            match ep.pass {
                Pass::Idle if healthy => return,
                Pass::Idle => {
                    let u: f64 = rand::Rng::random(self.net.edge_streams.get(slow.rng));
                    if u < slow.p {
                        ep.pass = Pass::Crossed;
                    } else {
                        ep.pass = Pass::Blocked;
                        return;
                    }
                }
                Pass::Blocked => {
                    if healthy {
                        ep.pass = Pass::Idle;
                    }
                    return;
                }
                Pass::Crossed => {
                    if healthy {
                        ep.pass = Pass::Idle;
                    }
                }
            }
        }
        if self.net.static_mode || slow.delay == 0.0 {
            self.net.views[slow.edge as usize] = View { h, cause };
            self.mark(slow.dependent);
        } else if self.now + slow.delay <= self.agenda.end {
            let delivery = self.net.deliveries.insert(View { h, cause });
            let edge = slow.edge;
            self.schedule(self.now + slow.delay, Kind::Deliver { edge, delivery });
        }
    }

    /// Decides which members of a load cluster are tripped by overload, from scratch
    /// (Jacobi rounds: all overloaded members trip together, then loads are recomputed).
    fn recompute_cluster(&mut self, cl: u32) {
        let m = self.m;
        let members = m.clusters.row(cl as usize);
        for &a in members {
            self.net.trip_new[a as usize] = false;
        }
        loop {
            self.net.scratch.clear();
            for &a in members {
                if self.is_down(a) {
                    continue;
                }
                let (base, limit) = m.comps[a as usize].load.expect("cluster member has load");
                let mut load = base;
                for &b in m.load_takes.row(a as usize) {
                    if self.is_down(b) {
                        let up = m
                            .load_takers
                            .row(b as usize)
                            .iter()
                            .filter(|&&x| !self.is_down(x))
                            .count();
                        let (bb, _) = m.comps[b as usize].load.expect("cluster member has load");
                        load += bb / up.max(1) as f64;
                    }
                }
                let share = self.net.st[a as usize].pre_cap / m.comps[a as usize].capacity;
                if load > limit * share * (1.0 + 1e-12) {
                    self.net.scratch.push(a);
                }
            }
            if self.net.scratch.is_empty() {
                break;
            }
            for k in 0..self.net.scratch.len() {
                let a = self.net.scratch[k];
                self.net.trip_new[a as usize] = true;
            }
        }
        for &a in members {
            let au = a as usize;
            if self.net.trip_new[au] != self.is_tripped(au) {
                self.net.st[au].bits ^= TRIPPED;
                if self.net.trip_new[au] {
                    let from = m
                        .load_takes
                        .row(au)
                        .iter()
                        .copied()
                        .find(|&b| self.is_down(b))
                        .unwrap_or(NONE);
                    self.net.trip_via[au] = from;
                    self.net.trip_cause[au] = if from == NONE {
                        NONE
                    } else {
                        self.cause_of_down(from)
                    };
                }
                self.mark(a);
            }
        }
    }

    /// Whether component `i` is tripped by overload.
    pub(crate) fn is_tripped(&self, i: usize) -> bool {
        self.net.st[i].bits & TRIPPED != 0
    }

    /// Whether any fault slot of component `i` is active (else its faults need no look).
    #[inline]
    pub(crate) fn st_active(&self, i: usize) -> bool {
        self.net.st[i].active > 0
    }

    /// When component `i`'s output last changed, as far as this instant knows: now if it
    /// changed during the instant (not yet committed), else when its class last changed.
    pub(crate) fn changed_at(&self, i: usize) -> f64 {
        let st = &self.net.st[i];
        if st.bits & TOUCHED != 0 {
            self.now
        } else {
            st.since
        }
    }

    /// Takes component `i` out of service (an offline inspection), or puts it back.
    pub(crate) fn force(&mut self, i: usize, on: bool) {
        if on {
            self.net.st[i].bits |= FORCED;
        } else {
            self.net.st[i].bits &= !FORCED;
        }
        self.mark(i as u32);
    }

    /// Whether component `i` is forced down (a static probe, an offline inspection).
    pub(crate) fn is_forced(&self, i: usize) -> bool {
        self.net.st[i].bits & FORCED != 0
    }

    fn is_down(&self, a: u32) -> bool {
        self.net.st[a as usize].pre_cap <= 0.0 || self.net.trip_new[a as usize]
    }

    fn cause_of_down(&self, b: u32) -> u32 {
        let st = &self.net.st[b as usize];
        if self.net.trip_new[b as usize] && st.pre_cap > 0.0 {
            self.net.trip_cause[b as usize]
        } else {
            st.pre_cause
        }
    }

    /// Static "what if" probe: which services fail when exactly these components are down
    /// and everything else is healthy (delays ignored, every edge passes). Used for single
    /// points of failure. Leaves the simulator in its healthy template state.
    pub fn services_failed_if_down(&mut self, down: &[u32]) -> Vec<u32> {
        self.net.static_mode = true;
        for &c in down {
            self.net.st[c as usize].bits |= FORCED;
            self.mark(c);
        }
        self.settle();
        let mut failed = vec![];
        for &i in &self.net.touched {
            if let Some(spec) = self.m.comps[i as usize].service
                && SvcState::of(&spec, self.net.st[i as usize].out) == SvcState::Failed
            {
                failed.push(i);
            }
        }
        self.net.forget_touched();
        for &c in down {
            self.net.st[c as usize].bits &= !FORCED;
            self.mark(c);
        }
        self.settle();
        self.net.forget_touched();
        self.net.static_mode = false;
        failed.sort_unstable();
        failed
    }
}
