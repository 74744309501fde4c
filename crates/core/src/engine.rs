//! The discrete-event engine: one simulated history of a compiled [`Model`].
//!
//! Lifecycle of a run:
//! 1. [`Sim::run`] resets the per-run arrays to the model's healthy state (a memcpy, no
//!    allocation), seeds every random stream from `(seed, run, key, purpose)`, and schedules
//!    each fault slot's first fault, each common cause's first occurrence and every injection.
//! 2. Events come off a binary heap ordered by `(time, sequence)`, so equal times are
//!    first-in-first-out and runs are deterministic. Events are small `Copy` values; a stale
//!    one (its slot was repaired or re-faulted since) is recognised by a generation counter
//!    and skipped, never searched for.
//! 3. An event changes a fault slot or an edge's view; the touched component is queued and
//!    `Sim::settle` re-evaluates only affected nodes, in dependency-rank order, until
//!    nothing changes (propagation: see [`crate::propagation`]).
//! 4. Only then are state changes committed: time-in-state accounting, service failures,
//!    trace notes. A glitch that appears and vanishes within one instant is never counted.
//! 5. The run ends at the horizon or at the event cap (reported, not silent).

use crate::model::{
    CLUSTER, FEEDS_GROUP, Model, NONE, Node, QUEUE, SERVICE, SLOW_EDGE, STANDBY, Source,
};
use crate::prefetch::prefetch;
use crate::propagation::{Class, Health, SvcState};
use crate::queue::QueueState;
use crate::response::{DetectedBy, ResponseState};
use crate::rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

pub(crate) const IDLE: u8 = 0;
pub(crate) const DORMANT: u8 = 1;
pub(crate) const ACTIVE: u8 = 2;

/// [`Sim`]'s per-component bits: queued for re-evaluation.
const IN_WORK: u8 = 1;
/// Output changed this instant; to be committed.
const TOUCHED: u8 = 1 << 1;
/// Tripped by overload (a load cluster).
const TRIPPED: u8 = 1 << 2;
/// Forced down by a static "what if" probe.
const FORCED: u8 = 1 << 3;

/// One component's run state, in one cache line: evaluating a component and marking it for
/// re-evaluation touch only this line of per-component state.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct CompState {
    /// Current output.
    out: Health,
    /// Capacity before any overload trip (what load redistribution sees).
    pre_cap: f64,
    /// When the committed class last changed.
    since: f64,
    /// Root fault slot behind an impaired output ([`NONE`] if healthy).
    cause: u32,
    /// The neighbour the impairment came through ([`NONE`] for its own fault).
    via: u32,
    /// Cause before any overload trip.
    pre_cause: u32,
    /// Evaluation rank (copied from the model, read when marking).
    rank: u32,
    /// Its first input edge (copied from the model: marking prefetches the inputs).
    inputs: u32,
    /// Number of its fault slots that are active.
    active: u16,
    /// [`IN_WORK`], [`TOUCHED`], [`TRIPPED`], [`FORCED`].
    bits: u8,
    /// Committed state class.
    class: Class,
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

/// What happens at an event. Small and `Copy`: the heap holds these by value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Fault {
        slot: u32,
        generation: u32,
    },
    Activate {
        slot: u32,
        generation: u32,
    },
    Repair {
        slot: u32,
        generation: u32,
    },
    Common {
        cc: u32,
    },
    Inject {
        index: u32,
    },
    /// A dependency's output reaches the dependent over a delayed edge; what it delivers
    /// waits in [`Sim`]'s delivery slab (keeping events 32 bytes).
    Deliver {
        edge: u32,
        delivery: u32,
    },
    Alert {
        alert: u32,
        generation: u32,
    },
    Report {
        service: u32,
        generation: u32,
    },
    Step {
        incident: u32,
        generation: u32,
    },
    Handoff {
        incident: u32,
        generation: u32,
    },
    Deployed {
        mitigation: u32,
        comp: u32,
        unit: u32,
    },
    SpareFails {
        unit: u32,
        generation: u32,
    },
    Auto {
        mitigation: u32,
        comp: u32,
        generation: u32,
    },
    QArrive {
        queue: u32,
        generation: u32,
    },
    QRate {
        queue: u32,
    },
    QBurst {
        queue: u32,
        generation: u32,
    },
    /// A job's retry; its birth time and attempt number wait in the retry slab.
    QRetry {
        queue: u32,
        retry: u32,
    },
    QDone {
        job: u32,
        generation: u32,
    },
    QExpire {
        queue: u32,
    },
    QSample {
        queue: u32,
    },
    QSpoon {
        queue: u32,
    },
}

#[derive(Clone, Copy, Debug)]
struct Event {
    /// (time, sequence) as one integer: the time's bits mapped to an unsigned integer in
    /// the order of `f64::total_cmp`, then the sequence number (first in, first out).
    key: u128,
    kind: Kind,
}

impl Event {
    fn new(t: f64, seq: u64, kind: Kind) -> Event {
        let b = t.to_bits();
        let ordered = if b >> 63 == 1 { !b } else { b | 1 << 63 };
        Event {
            key: u128::from(ordered) << 64 | u128::from(seq),
            kind,
        }
    }

    fn t(&self) -> f64 {
        let ordered = (self.key >> 64) as u64;
        let b = if ordered >> 63 == 1 {
            ordered & !(1 << 63)
        } else {
            !ordered
        };
        f64::from_bits(b)
    }
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

/// Payloads too big for an event, kept aside in reused slots (no allocation once warm).
#[derive(Debug)]
pub(crate) struct Slab<T> {
    items: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T: Copy> Slab<T> {
    /// Stores `x`; returns its slot.
    pub(crate) fn insert(&mut self, x: T) -> u32 {
        match self.free.pop() {
            Some(k) => {
                self.items[k as usize] = x;
                k
            }
            None => {
                self.items.push(x);
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Takes the value out of `slot`, which becomes free.
    pub(crate) fn take(&mut self, slot: u32) -> T {
        self.free.push(slot);
        self.items[slot as usize]
    }

    /// Starts loading `slot` into cache.
    fn prefetch(&self, slot: u32) {
        if let Some(x) = self.items.get(slot as usize) {
            prefetch(x);
        }
    }

    fn clear(&mut self) {
        self.items.clear();
        self.free.clear();
    }
}

/// Something that happened in a run, for whoever is watching (the `trace` view).
#[derive(Clone, Copy, Debug)]
pub enum Note {
    /// A fault occurred in a slot; `active_at` is when it becomes an error (dormancy).
    Fault {
        slot: u32,
        injected: bool,
        active_at: f64,
    },
    /// A common-cause fault struck.
    Common { cc: u32, injected: bool },
    /// A dormant fault became an error.
    Active { slot: u32 },
    /// A fault was repaired.
    Repaired { slot: u32 },
    /// A component's state class changed.
    Change {
        comp: u32,
        from: Class,
        to: Class,
        health: Health,
        cause: u32,
        via: u32,
    },
    /// A group absorbed a member's error (the group itself stayed healthy).
    /// `by_backup`: a voter without a correct majority whose backup is flying.
    Masked {
        group: u32,
        member: u32,
        by_backup: bool,
    },
    /// A component tripped under load shifted onto it.
    Tripped { comp: u32, via: u32 },
    /// A service changed state.
    Service {
        comp: u32,
        from: SvcState,
        to: SvcState,
        health: Health,
    },
    /// The event cap stopped the run.
    EventCap,
    /// A problem was detected on a component.
    Detected { comp: u32, by: DetectedBy },
    /// An incident waits: every responder is busy.
    Queued { incident: u32 },
    /// A responder was paged; acknowledges at `ack_at`.
    Paged { incident: u32, ack_at: f64 },
    /// The responder acknowledged and starts diagnosing.
    Acknowledged { incident: u32 },
    /// Shift change during diagnosis.
    Handoff {
        incident: u32,
        notes: bool,
        diagnosed_at: f64,
    },
    /// Diagnosis done.
    Diagnosed { incident: u32 },
    /// The responder is free: no failure is explained by this incident's root any more.
    Resolved { incident: u32 },
    /// A mitigation started for a component; ready at `ready_at`.
    Mitigating {
        mitigation: u32,
        comp: u32,
        ready_at: f64,
    },
    /// A mitigation is in place (or a restart worked).
    Mitigated { mitigation: u32, comp: u32 },
    /// No spare unit left in stock.
    NoSpare { mitigation: u32, comp: u32 },
    /// A deployed spare failed.
    SpareFailed { comp: u32 },
    /// A restart did not clear the fault.
    RestartFailed { comp: u32 },
    /// A stand-in was withdrawn: the component is repaired.
    Withdrawn { mitigation: u32, comp: u32 },
    /// A queue's health window closed.
    QueueSample {
        queue: u32,
        waiting: u64,
        parked: u64,
        good: f64,
        latency: f64,
    },
    /// Shedding pulled this many waiting jobs into the parking lot.
    Parked { queue: u32, jobs: u64 },
    /// The parking lot is empty again: every pulled job was fed back.
    ParkedEmpty { queue: u32 },
}

/// Watches a run. The Monte Carlo path uses `()`, which compiles to nothing.
pub trait Observer {
    /// Whether the engine should build propagation paths for failures.
    const ACTIVE: bool = false;
    /// Called for each note.
    fn note(&mut self, _t: f64, _n: Note) {}
    /// Called when a service fails: the root fault slot ([`NONE`] if unknown) and the path
    /// of components from the root's component to the service.
    fn failure(&mut self, _t: f64, _service: u32, _root: u32, _path: &[u32]) {}
}

impl Observer for () {}

/// Per-service measurements of one run.
#[derive(Clone, Debug, Default)]
pub struct ServiceRun {
    /// Current state (during the run) / final state (after it).
    pub state: SvcState,
    since: f64,
    frac: f64,
    /// Seconds failed.
    pub downtime: f64,
    /// Seconds degraded but not failed.
    pub degraded: f64,
    /// Number of failures (entries into the failed state).
    pub failures: u32,
    /// Time of the first failure, +inf if none.
    pub first_failure: f64,
    /// Users × seconds affected (the affected share of users, integrated over time).
    pub user_seconds: f64,
}

/// One simulated history, with buffers reused from run to run.
pub struct Sim<'m> {
    pub(crate) m: &'m Model,
    pub(crate) now: f64,
    seq: u64,
    end: f64,
    heap: BinaryHeap<Event>,
    /// What pending [`Kind::Deliver`] events deliver.
    deliveries: Slab<View>,
    /// Pending retries: (job born, attempt).
    pub(crate) retries: Slab<(f64, u32)>,
    /// Events processed in the current run.
    pub events: u64,
    /// Whether the current run stopped at the event cap.
    pub capped: bool,
    /// Largest number of pending events seen in the current run.
    pub peak_pending: usize,
    /// Whether a settle hit its evaluation limit (propagation that did not converge).
    pub unsettled: bool,
    /// Component evaluations in the current run (propagation work: only affected nodes).
    pub evaluations: u64,

    pub(crate) slot_state: Vec<u8>,
    slot_gen: Vec<u32>,
    /// The fault slots' fault-time and repair-time streams ([`fault_times`],
    /// [`repair_times`]).
    streams: rng::Streams,
    cc_rng: Vec<ChaCha8Rng>,
    /// Per probabilistic edge (by [`crate::model::Edge::rng`]): whether an episode crosses.
    edge_streams: rng::Streams,

    /// Per edge: what the dependent sees of its dependency (after delay and probability).
    pub(crate) views: Vec<View>,
    /// Per probabilistic edge (by [`crate::model::Edge::rng`]): its error episode.
    episodes: Vec<Episode>,
    /// Per component: output, cause, committed class, ... in one cache line.
    st: Vec<CompState>,
    trip_new: Vec<bool>,
    trip_cause: Vec<u32>,
    trip_via: Vec<u32>,

    /// Components to re-evaluate, keyed `rank << 32 | index` (one integer compare).
    work: BinaryHeap<Reverse<u64>>,
    touched: Vec<u32>,
    scratch: Vec<u32>,
    path: Vec<u32>,
    static_mode: bool,

    /// Seconds spent in each [`Class`] per component, this run.
    pub time_in: Vec<[f64; 4]>,
    svc_of: Vec<u32>,
    /// Per service (in [`Model::services`] order).
    pub svc: Vec<ServiceRun>,
    failed_now: u32,
    site_since: f64,
    /// Seconds during which at least one service was failed.
    pub site_down: f64,
    /// Number of times the site went from no service failed to some service failed.
    pub site_failures: u32,
    /// Root fault slot of each service failure this run ([`NONE`] when unknown).
    pub roots: Vec<u32>,

    /// The healthy state every run starts from.
    template: Vec<CompState>,
    template_views: Vec<View>,

    /// Incident response state and measurements.
    pub rs: ResponseState,
    /// Job queues.
    pub qs: QueueState,
}

/// The stream of fault slot `slot`'s fault times (and dormancy, and landings) in
/// [`Sim`]'s slot streams.
fn fault_times(slot: u32) -> u32 {
    2 * slot
}

/// The stream of fault slot `slot`'s repair times.
fn repair_times(slot: u32) -> u32 {
    2 * slot + 1
}

impl<'m> Sim<'m> {
    /// Allocates every buffer for `m` once; runs reuse them.
    pub fn new(m: &'m Model) -> Sim<'m> {
        let n = m.comps.len();
        let ns = m.slots.len();
        let mut svc_of = vec![NONE; n];
        for (k, &c) in m.services.iter().enumerate() {
            svc_of[c as usize] = k as u32;
        }
        let nominal: Vec<Health> = m
            .comps
            .iter()
            .map(|c| Health::nominal(c.capacity))
            .collect();
        let st: Vec<CompState> = nominal
            .iter()
            .enumerate()
            .map(|(i, &h)| CompState::new(h, &m.nodes[i]))
            .collect();
        let mut sim = Sim {
            m,
            now: 0.0,
            seq: 0,
            end: m.horizon,
            heap: BinaryHeap::with_capacity(ns + m.common.len() + m.injections.len() + 16),
            deliveries: Slab::default(),
            retries: Slab::default(),
            events: 0,
            capped: false,
            peak_pending: 0,
            unsettled: false,
            evaluations: 0,
            slot_state: vec![IDLE; ns],
            slot_gen: vec![0; ns],
            streams: rng::Streams::new(
                (m.slots.iter())
                    .flat_map(|s| [(s.key, rng::FAULT), (s.key, rng::REPAIR)])
                    .collect(),
            ),
            cc_rng: (0..m.common.len()).map(|_| rng::placeholder()).collect(),
            // Probabilistic edges number their streams in edge order (validate.rs).
            edge_streams: rng::Streams::new(
                (m.edges.iter())
                    .filter(|e| e.rng != NONE)
                    .map(|e| (e.key, rng::EDGE))
                    .collect(),
            ),
            views: m
                .edges
                .iter()
                .map(|e| View {
                    h: nominal[e.to as usize],
                    cause: NONE,
                })
                .collect(),
            episodes: Vec::new(),
            st,
            trip_new: vec![false; n],
            trip_cause: vec![NONE; n],
            trip_via: vec![NONE; n],
            work: BinaryHeap::with_capacity(n.min(1 << 16)),
            touched: Vec::with_capacity(n.min(1 << 16)),
            scratch: Vec::new(),
            path: Vec::new(),
            static_mode: true,
            time_in: vec![[0.0; 4]; n],
            svc_of,
            svc: vec![ServiceRun::default(); m.services.len()],
            failed_now: 0,
            site_since: 0.0,
            site_down: 0.0,
            site_failures: 0,
            roots: Vec::new(),
            template: vec![],
            template_views: vec![],
            rs: ResponseState::new(m),
            qs: QueueState::new(m),
        };
        // The healthy state may itself be impaired (an undersized unit, a group short of
        // members): settle it once, with every node queued, and keep it as the template.
        for i in 0..n {
            sim.mark(i as u32);
        }
        sim.settle();
        sim.touched
            .iter()
            .for_each(|&i| sim.st[i as usize].bits &= !TOUCHED);
        sim.touched.clear();
        for i in 0..n {
            sim.st[i].class = sim.classify(i, sim.st[i].out);
        }
        // Every run starts from this state, with no cause and no path yet.
        sim.template = sim
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
        sim.template_views = m
            .edges
            .iter()
            .map(|e| View {
                h: sim.st[e.to as usize].out,
                cause: NONE,
            })
            .collect();
        sim.views.copy_from_slice(&sim.template_views);
        // Probabilistic edges number their streams in edge order (validate.rs).
        sim.episodes = (m.edges.iter())
            .filter(|e| e.rng != NONE)
            .map(|e| Episode {
                healthy: sim.st[e.to as usize].out,
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
        sim.static_mode = false;
        sim
    }

    /// Component `i`'s current output.
    #[inline]
    pub fn out(&self, i: usize) -> Health {
        self.st[i].out
    }

    /// The root fault slot behind component `i`'s impaired output ([`NONE`] if healthy).
    #[inline]
    pub fn cause(&self, i: usize) -> u32 {
        self.st[i].cause
    }

    /// The neighbour component `i`'s impairment came through ([`NONE`] for its own fault).
    #[inline]
    pub fn via(&self, i: usize) -> u32 {
        self.st[i].via
    }

    /// Component `i`'s committed state class.
    #[inline]
    pub fn class(&self, i: usize) -> Class {
        self.st[i].class
    }

    /// Simulated time of the last run: the horizon, or where the event cap stopped it.
    pub fn simulated(&self) -> f64 {
        self.end
    }

    /// The model this simulator runs.
    pub fn model(&self) -> &'m Model {
        self.m
    }

    fn reset(&mut self, seed: u64, run: u64) {
        let m = self.m;
        self.now = 0.0;
        self.seq = 0;
        self.end = m.horizon;
        self.heap.clear();
        self.deliveries.clear();
        self.retries.clear();
        self.events = 0;
        self.capped = false;
        self.peak_pending = 0;
        self.unsettled = false;
        self.evaluations = 0;
        self.slot_state.fill(IDLE);
        self.slot_gen.fill(0);
        self.st.copy_from_slice(&self.template);
        self.views.copy_from_slice(&self.template_views);
        self.episodes.iter_mut().for_each(|ep| ep.pass = Pass::Idle);
        self.time_in.fill([0.0; 4]);
        for (k, &c) in m.services.iter().enumerate() {
            let spec = m.comps[c as usize].service.expect("service");
            let h = self.st[c as usize].out;
            let state = SvcState::of(&spec, h);
            self.svc[k] = ServiceRun {
                state,
                since: 0.0,
                frac: SvcState::affected(&spec, h),
                downtime: 0.0,
                degraded: 0.0,
                failures: 0,
                first_failure: f64::INFINITY,
                user_seconds: 0.0,
            };
        }
        self.failed_now = self
            .svc
            .iter()
            .filter(|s| s.state == SvcState::Failed)
            .count() as u32;
        self.site_since = 0.0;
        self.site_down = 0.0;
        self.site_failures = 0;
        self.roots.clear();

        self.streams.reset(seed, run);
        self.edge_streams.reset(seed, run);
        for (k, c) in m.common.iter().enumerate() {
            self.cc_rng[k] = rng::stream(seed, run, c.key, rng::FAULT);
        }
        self.reset_response(seed, run);
        self.reset_queues(seed, run);
    }

    pub(crate) fn schedule(&mut self, t: f64, kind: Kind) {
        if t > self.end || t.is_nan() {
            return;
        }
        self.heap.push(Event::new(t, self.seq, kind));
        self.seq += 1;
        self.peak_pending = self.peak_pending.max(self.heap.len());
    }

    /// Simulates run `run` of the study seeded `seed`, from time 0 to the horizon.
    pub fn run<O: Observer>(&mut self, seed: u64, run: u64, obs: &mut O) {
        self.reset(seed, run);
        let m = self.m;
        for (k, s) in m.slots.iter().enumerate() {
            if s.source == Source::Own {
                let t = s.every.sample(self.streams.get(fault_times(k as u32)));
                self.schedule(
                    t,
                    Kind::Fault {
                        slot: k as u32,
                        generation: 0,
                    },
                );
            }
        }
        for (k, c) in m.common.iter().enumerate() {
            let t = c.every.sample(&mut self.cc_rng[k]);
            self.schedule(t, Kind::Common { cc: k as u32 });
        }
        for (k, inj) in m.injections.iter().enumerate() {
            self.schedule(inj.at, Kind::Inject { index: k as u32 });
        }

        while let Some(ev) = self.heap.pop() {
            if self.events >= m.max_events {
                // The state holds until this unprocessed event: the run covers up to it.
                self.capped = true;
                self.now = ev.t().min(m.horizon);
                self.end = self.now;
                obs.note(self.now, Note::EventCap);
                break;
            }
            self.now = ev.t();
            self.events += 1;
            if let Some(next) = self.heap.peek() {
                self.prefetch_event(next.kind);
            }
            self.dispatch(ev.kind, obs);
            self.settle();
            self.commit(obs);
        }
        self.finish();
    }

    /// Starts loading what the next event will touch, so that its cache misses overlap
    /// with the work of this one (large models do not fit in cache).
    fn prefetch_event(&self, kind: Kind) {
        match kind {
            Kind::Fault { slot, .. } | Kind::Activate { slot, .. } | Kind::Repair { slot, .. } => {
                let k = slot as usize;
                prefetch(&self.slot_state[k]);
                prefetch(&self.slot_gen[k]);
                prefetch(&self.m.slots[k]);
                self.streams.prefetch(fault_times(slot));
            }
            Kind::Deliver { edge, delivery } => {
                let e = edge as usize;
                prefetch(&self.views[e]);
                prefetch(&self.m.links[e]);
                self.deliveries.prefetch(delivery);
            }
            _ => {}
        }
    }

    fn dispatch<O: Observer>(&mut self, kind: Kind, obs: &mut O) {
        let m = self.m;
        match kind {
            Kind::Fault { slot, generation } => {
                if self.slot_gen[slot as usize] == generation
                    && self.slot_state[slot as usize] == IDLE
                {
                    let s = &m.slots[slot as usize];
                    if s.chance < 1.0 {
                        // An occasion for a fault (a landing), which is a fault only by chance.
                        let u: f64 = rand::Rng::random(self.streams.get(fault_times(slot)));
                        if u >= s.chance_at(self.now) {
                            if !s.once {
                                let r = self.streams.get(fault_times(slot));
                                let dt = s.every.sample(r);
                                self.schedule(self.now + dt, Kind::Fault { slot, generation });
                            }
                            return;
                        }
                    }
                    self.fault(slot, false, obs);
                }
            }
            Kind::Activate { slot, generation } => {
                if self.slot_gen[slot as usize] == generation
                    && self.slot_state[slot as usize] == DORMANT
                {
                    self.activate(slot, obs);
                }
            }
            Kind::Repair { slot, generation } => {
                if self.slot_gen[slot as usize] == generation
                    && self.slot_state[slot as usize] == ACTIVE
                {
                    self.repair_now(slot, obs);
                }
            }
            Kind::Common { cc } => {
                obs.note(
                    self.now,
                    Note::Common {
                        cc,
                        injected: false,
                    },
                );
                let c = &m.common[cc as usize];
                for s in c.slots.clone() {
                    if self.slot_state[s as usize] == IDLE {
                        self.fault(s, false, obs);
                    }
                }
                if !c.once {
                    let dt = c.every.sample(&mut self.cc_rng[cc as usize]);
                    self.schedule(self.now + dt, Kind::Common { cc });
                }
            }
            Kind::Inject { index } => {
                let inj = &m.injections[index as usize];
                if let Some(cc) = inj.common {
                    obs.note(self.now, Note::Common { cc, injected: true });
                }
                for &s in &inj.slots {
                    if self.slot_state[s as usize] == IDLE {
                        // Cancels the slot's pending natural fault; it is redrawn after repair.
                        self.slot_gen[s as usize] += 1;
                        self.fault(s, true, obs);
                    }
                }
            }
            Kind::Deliver { edge, delivery } => {
                self.views[edge as usize] = self.deliveries.take(delivery);
                self.mark(m.links[edge as usize].from);
            }
            Kind::QArrive { .. }
            | Kind::QRate { .. }
            | Kind::QBurst { .. }
            | Kind::QRetry { .. }
            | Kind::QDone { .. }
            | Kind::QExpire { .. }
            | Kind::QSample { .. }
            | Kind::QSpoon { .. } => self.dispatch_queue(kind, obs),
            other => self.dispatch_response(other, obs),
        }
    }

    fn fault<O: Observer>(&mut self, slot: u32, injected: bool, obs: &mut O) {
        let s = &self.m.slots[slot as usize];
        self.slot_state[slot as usize] = DORMANT;
        let delay = match &s.activation {
            Some(a) => a.sample(self.streams.get(fault_times(slot))),
            None => 0.0,
        };
        obs.note(
            self.now,
            Note::Fault {
                slot,
                injected,
                active_at: self.now + delay,
            },
        );
        if delay > 0.0 {
            let generation = self.slot_gen[slot as usize];
            self.schedule(self.now + delay, Kind::Activate { slot, generation });
        } else {
            self.activate(slot, obs);
        }
    }

    fn activate<O: Observer>(&mut self, slot: u32, obs: &mut O) {
        let s = &self.m.slots[slot as usize];
        self.slot_state[slot as usize] = ACTIVE;
        self.st[s.comp as usize].active += 1;
        if s.activation.is_some() {
            obs.note(self.now, Note::Active { slot });
        }
        self.mark(s.comp);
        let repair_now = self.on_activate(slot);
        if let crate::model::Effect::Burst { jobs, over } = s.effect {
            // A load fault ends when its window does.
            let end = self.start_burst(s.comp as usize, slot, jobs, over);
            let generation = self.slot_gen[slot as usize];
            self.rs.repairing[slot as usize] = true;
            self.schedule(end, Kind::Repair { slot, generation });
        } else if repair_now {
            self.start_repair(slot);
        }
    }

    /// Starts the repair clock of an active slot.
    pub(crate) fn start_repair(&mut self, slot: u32) {
        let s = &self.m.slots[slot as usize];
        self.rs.repairing[slot as usize] = true;
        let r = s.repair.sample(self.streams.get(repair_times(slot)));
        let generation = self.slot_gen[slot as usize];
        self.schedule(self.now + r, Kind::Repair { slot, generation });
    }

    /// Repairs an active slot now (its repair finished, or a restart cleared it).
    pub(crate) fn repair_now<O: Observer>(&mut self, slot: u32, obs: &mut O) {
        let s = &self.m.slots[slot as usize];
        self.slot_state[slot as usize] = IDLE;
        self.st[s.comp as usize].active -= 1;
        self.slot_gen[slot as usize] += 1;
        obs.note(self.now, Note::Repaired { slot });
        self.mark(s.comp);
        self.on_repair(slot, obs);
        if s.source == Source::Own && !s.once {
            let dt = s.every.sample(self.streams.get(fault_times(slot)));
            let generation = self.slot_gen[slot as usize];
            self.schedule(self.now + dt, Kind::Fault { slot, generation });
        }
    }

    /// Queues a component for re-evaluation.
    pub(crate) fn mark(&mut self, i: u32) {
        let st = &mut self.st[i as usize];
        if st.bits & IN_WORK == 0 {
            st.bits |= IN_WORK;
            self.work
                .push(Reverse(u64::from(st.rank) << 32 | u64::from(i)));
            let e = st.inputs as usize;
            prefetch(&self.m.nodes[i as usize]);
            if let Some(v) = self.views.get(e) {
                prefetch(v);
                prefetch(&self.m.links[e]);
            }
        }
    }

    /// Re-evaluates queued components in rank order until nothing changes.
    pub(crate) fn settle(&mut self) {
        let m = self.m;
        let limit = 64 * (m.comps.len() as u64 + m.edges.len() as u64 + 16);
        let mut evaluations = 0u64;
        while let Some(Reverse(key)) = self.work.pop() {
            let i = key as u32;
            let iu = i as usize;
            self.st[iu].bits &= !IN_WORK;
            evaluations += 1;
            self.evaluations += 1;
            if evaluations > limit {
                self.unsettled = true;
                while let Some(Reverse(key)) = self.work.pop() {
                    let j = key as u32;
                    self.st[j as usize].bits &= !IN_WORK;
                }
                break;
            }
            // The dependents list is read only if the output changes (nine times in ten on
            // large models): start loading it now.
            if let Some(d) = m.deps.get(m.nodes[iu].deps as usize) {
                prefetch(d);
            }
            let (mut pre, mut cause, mut via) = self.evaluate(iu);
            let flags = m.nodes[iu].flags;
            if flags & QUEUE != 0 {
                let (good, root) = self.queue_output(iu, pre);
                pre.cap *= good;
                if good < 1.0 && cause == NONE {
                    cause = root;
                    via = NONE;
                }
            }
            let st = &mut self.st[iu];
            let load_changed = pre.cap != st.pre_cap;
            st.pre_cap = pre.cap;
            st.pre_cause = cause;
            if flags & CLUSTER != 0 && load_changed {
                self.recompute_cluster(m.comps[iu].cluster);
            }
            let mut h = pre;
            if self.st[iu].bits & TRIPPED != 0 {
                h.cap = 0.0;
                cause = self.trip_cause[iu];
                via = self.trip_via[iu];
            }
            let st = &mut self.st[iu];
            if h != st.out || cause != st.cause {
                st.out = h;
                st.cause = cause;
                st.via = via;
                if st.bits & TOUCHED == 0 {
                    st.bits |= TOUCHED;
                    self.touched.push(i);
                }
                if flags & FEEDS_GROUP != 0 {
                    for &g in m.groups_of.row(iu) {
                        self.mark(g);
                    }
                }
                let deps = &m.deps[m.nodes[iu].deps as usize..m.nodes[iu + 1].deps as usize];
                // Start loading every dependent's state and view first, so that their cache
                // misses overlap instead of following one another.
                for &d in deps {
                    prefetch(&self.st[d.from as usize]);
                    if d.edge & SLOW_EDGE == 0 {
                        prefetch(&self.views[d.edge as usize]);
                    } else {
                        prefetch(&m.slow[(d.edge & !SLOW_EDGE) as usize]);
                    }
                }
                for &d in deps {
                    if d.edge & SLOW_EDGE == 0 {
                        // The common case: no delay, always passes.
                        self.views[d.edge as usize] = View { h, cause };
                        self.mark(d.from);
                    } else {
                        self.send(d.edge & !SLOW_EDGE, h, cause);
                    }
                }
                if flags & STANDBY != 0 {
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
    }

    /// Passes a dependency's new output along slow edge `k` ([`Model::slow`]), subject to its
    /// probability and delay (edges with neither are copied inline by [`Sim::settle`]).
    fn send(&mut self, k: u32, h: Health, cause: u32) {
        let slow = self.m.slow[k as usize];
        if !self.static_mode && slow.p < 1.0 {
            // An episode lasts while the dependency differs from its fault-free state.
            let ep = &mut self.episodes[slow.rng as usize];
            let healthy = h == ep.healthy;
            match ep.pass {
                Pass::Idle if healthy => return,
                Pass::Idle => {
                    let u: f64 = rand::Rng::random(self.edge_streams.get(slow.rng));
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
        if self.static_mode || slow.delay == 0.0 {
            self.views[slow.edge as usize] = View { h, cause };
            self.mark(slow.from);
        } else if self.now + slow.delay <= self.end {
            let delivery = self.deliveries.insert(View { h, cause });
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
            self.trip_new[a as usize] = false;
        }
        loop {
            self.scratch.clear();
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
                let share = self.st[a as usize].pre_cap / m.comps[a as usize].capacity;
                if load > limit * share * (1.0 + 1e-12) {
                    self.scratch.push(a);
                }
            }
            if self.scratch.is_empty() {
                break;
            }
            for k in 0..self.scratch.len() {
                let a = self.scratch[k];
                self.trip_new[a as usize] = true;
            }
        }
        for &a in members {
            let au = a as usize;
            if self.trip_new[au] != self.is_tripped(au) {
                self.st[au].bits ^= TRIPPED;
                if self.trip_new[au] {
                    let from = m
                        .load_takes
                        .row(au)
                        .iter()
                        .copied()
                        .find(|&b| self.is_down(b))
                        .unwrap_or(NONE);
                    self.trip_via[au] = from;
                    self.trip_cause[au] = if from == NONE {
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
        self.st[i].bits & TRIPPED != 0
    }

    /// Whether any fault slot of component `i` is active (else its faults need no look).
    #[inline]
    pub(crate) fn st_active(&self, i: usize) -> bool {
        self.st[i].active > 0
    }

    /// When component `i`'s output last changed, as far as this instant knows: now if it
    /// changed during the instant (not yet committed), else when its class last changed.
    pub(crate) fn changed_at(&self, i: usize) -> f64 {
        let st = &self.st[i];
        if st.bits & TOUCHED != 0 {
            self.now
        } else {
            st.since
        }
    }

    /// Whether component `i` is forced down by a static probe.
    pub(crate) fn is_forced(&self, i: usize) -> bool {
        self.st[i].bits & FORCED != 0
    }

    fn is_down(&self, a: u32) -> bool {
        self.st[a as usize].pre_cap <= 0.0 || self.trip_new[a as usize]
    }

    fn cause_of_down(&self, b: u32) -> u32 {
        let st = &self.st[b as usize];
        if self.trip_new[b as usize] && st.pre_cap > 0.0 {
            self.trip_cause[b as usize]
        } else {
            st.pre_cause
        }
    }

    /// Commits settled changes: accounting, service transitions, notes.
    fn commit<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        for k in 0..self.touched.len() {
            let i = self.touched[k];
            let iu = i as usize;
            self.st[iu].bits &= !TOUCHED;
            let h = self.st[iu].out;
            let cls = self.classify(iu, h);
            let old = self.st[iu].class;
            if cls != old {
                self.time_in[iu][old as usize] += self.now - self.st[iu].since;
                self.st[iu].since = self.now;
                self.st[iu].class = cls;
                if self.is_tripped(iu) && old != Class::Down {
                    obs.note(
                        self.now,
                        Note::Tripped {
                            comp: i,
                            via: self.st[iu].via,
                        },
                    );
                }
                obs.note(
                    self.now,
                    Note::Change {
                        comp: i,
                        from: old,
                        to: cls,
                        health: h,
                        cause: self.st[iu].cause,
                        via: self.st[iu].via,
                    },
                );
                if !m.mitigations.is_empty() {
                    self.on_class_change(iu, cls == Class::Healthy);
                }
                if cls != Class::Healthy && m.nodes[iu].flags & FEEDS_GROUP != 0 {
                    for &g in m.groups_of.row(iu) {
                        if self.classify(g as usize, self.st[g as usize].out) == Class::Healthy {
                            let by_backup = m.comps[g as usize].voter.is_some()
                                && !self.has_majority(g as usize);
                            obs.note(
                                self.now,
                                Note::Masked {
                                    group: g,
                                    member: i,
                                    by_backup,
                                },
                            );
                        }
                    }
                }
            }
            if m.response.is_some() && !m.alerts.is_empty() {
                self.check_alerts(iu);
            }
            if m.nodes[iu].flags & SERVICE != 0 {
                self.service_change(self.svc_of[iu] as usize, iu, h, obs);
            }
        }
        self.touched.clear();
    }

    fn service_change<O: Observer>(&mut self, si: usize, comp: usize, h: Health, obs: &mut O) {
        let spec = self.m.comps[comp].service.expect("service");
        let users = spec.users as f64;
        let now = self.now;
        let st = SvcState::of(&spec, h);
        let a = &mut self.svc[si];
        let dt = now - a.since;
        match a.state {
            SvcState::Failed => a.downtime += dt,
            SvcState::Degraded => a.degraded += dt,
            SvcState::Up => {}
        }
        a.user_seconds += users * a.frac * dt;
        a.since = now;
        a.frac = SvcState::affected(&spec, h);
        let old = a.state;
        if st == old {
            if st == SvcState::Failed && self.m.response.is_some() {
                // Still failed, perhaps for a new reason that somebody must notice.
                self.on_service_cause_changed(si, comp, obs);
            }
            return;
        }
        a.state = st;
        if st == SvcState::Failed {
            a.failures += 1;
            a.first_failure = a.first_failure.min(now);
            let root = self.st[comp].cause;
            self.roots.push(root);
            if self.failed_now == 0 {
                self.site_since = now;
                self.site_failures += 1;
            }
            self.failed_now += 1;
            if O::ACTIVE {
                self.path.clear();
                let mut x = comp as u32;
                while x != NONE && self.path.len() <= self.m.comps.len() {
                    self.path.push(x);
                    x = self.st[x as usize].via;
                }
                self.path.reverse();
                obs.failure(now, comp as u32, root, &self.path);
            }
        } else if old == SvcState::Failed {
            self.failed_now -= 1;
            if self.failed_now == 0 {
                self.site_down += now - self.site_since;
            }
        }
        obs.note(
            now,
            Note::Service {
                comp: comp as u32,
                from: old,
                to: st,
                health: h,
            },
        );
        if st == SvcState::Failed {
            self.on_service_failed(si, comp);
        } else if old == SvcState::Failed {
            self.on_service_restored(si, obs);
        }
    }

    /// Closes the books at the end of the run (horizon or event cap).
    fn finish(&mut self) {
        let end = if self.capped {
            self.now
        } else {
            self.m.horizon
        };
        self.now = end;
        self.end = end;
        for i in 0..self.m.comps.len() {
            let st = &mut self.st[i];
            self.time_in[i][st.class as usize] += end - st.since;
            st.since = end;
        }
        for si in 0..self.svc.len() {
            let comp = self.m.services[si] as usize;
            let h = self.st[comp].out;
            self.service_change(si, comp, h, &mut ());
        }
        if self.failed_now > 0 {
            self.site_down += end - self.site_since;
            self.site_since = end;
        }
        self.finish_response();
        self.finish_queues();
    }

    /// The state class of component `i` with output `h`.
    pub fn classify(&self, i: usize, h: Health) -> Class {
        Class::of(h, self.m.nodes[i].capacity)
    }

    /// Static "what if" probe: which services fail when exactly these components are down
    /// and everything else is healthy (delays ignored, every edge passes). Used for single
    /// points of failure. Leaves the simulator in its healthy template state.
    pub fn services_failed_if_down(&mut self, down: &[u32]) -> Vec<u32> {
        self.static_mode = true;
        for &c in down {
            self.st[c as usize].bits |= FORCED;
            self.mark(c);
        }
        self.settle();
        let mut failed = vec![];
        for &i in &self.touched {
            if let Some(spec) = self.m.comps[i as usize].service
                && SvcState::of(&spec, self.st[i as usize].out) == SvcState::Failed
            {
                failed.push(i);
            }
        }
        for &i in &self.touched {
            self.st[i as usize].bits &= !TOUCHED;
        }
        self.touched.clear();
        for &c in down {
            self.st[c as usize].bits &= !FORCED;
            self.mark(c);
        }
        self.settle();
        for &i in &self.touched {
            self.st[i as usize].bits &= !TOUCHED;
        }
        self.touched.clear();
        self.static_mode = false;
        failed.sort_unstable();
        failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_order_like_time_then_sequence() {
        let times = [0.0, 1e-300, 0.5, 1.0, 3.25, 1e9, f64::INFINITY];
        for (a, &ta) in times.iter().enumerate() {
            let e = Event::new(ta, 7, Kind::QRate { queue: 0 });
            assert_eq!(e.t().to_bits(), ta.to_bits(), "time {ta} survives the key");
            for (b, &tb) in times.iter().enumerate() {
                let f = Event::new(tb, 3, Kind::QRate { queue: 0 });
                // The heap pops the greatest: the earlier time, or at equal times the
                // smaller sequence number.
                let want = (b, 3).cmp(&(a, 7));
                assert_eq!(e.cmp(&f), want, "{ta}@7 vs {tb}@3");
            }
        }
        assert_eq!(std::mem::size_of::<Event>(), 32, "events stay small");
    }
}
