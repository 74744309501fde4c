//! The compiled model: flat arrays indexed by component, fault slot and edge.
//!
//! The engine's hot loop reads only this. Names are resolved to `u32` indices, adjacency
//! is stored in compressed (CSR) form, and distributions are ready to sample.

use crate::scenario::{Dist, Effect};
use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Uniform, Weibull};

/// Marks "no index" in `u32` index arrays (no cause, no via).
pub const NONE: u32 = u32::MAX;

/// Adjacency lists in one flat array: row `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// Builds `rows` rows from (row, item) pairs; items keep their input order within a row.
    pub fn from_pairs(rows: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut counts = vec![0u32; rows + 1];
        for &(r, _) in pairs {
            counts[r as usize + 1] += 1;
        }
        for i in 0..rows {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(r, x) in pairs {
            items[fill[r as usize] as usize] = x;
            fill[r as usize] += 1;
        }
        Csr {
            offsets: counts,
            items,
        }
    }

    /// Where row `i` starts in the item array (row `i` ends where row `i + 1` starts).
    #[inline]
    pub fn start(&self, i: usize) -> u32 {
        self.offsets[i]
    }

    /// Items `lo..hi` of the flat item array (rows `i..j` when given their starts).
    #[inline]
    pub fn items(&self, lo: u32, hi: u32) -> &[u32] {
        &self.items[lo as usize..hi as usize]
    }

    /// The items of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}

/// A duration distribution ready to sample, in seconds.
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    /// Exponential.
    Exp(Exp<f64>),
    /// Weibull (rand_distr's parameterisation: scale, shape).
    Weibull(Weibull<f64>),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Uniform on [lo, hi].
    Uniform(Uniform<f64>),
    /// A constant (also used for `At`, which the engine treats as "once").
    Fixed(f64),
    /// Never: sampling gives +inf.
    Never,
}

impl Sampler {
    /// Builds a sampler from a validated distribution (parameters already checked).
    pub fn new(d: &Dist) -> Sampler {
        match *d {
            Dist::Exp { mean } => Sampler::Exp(Exp::new(1.0 / mean.secs()).expect("validated")),
            Dist::Weibull { shape, scale } => {
                Sampler::Weibull(Weibull::new(scale.secs(), shape).expect("validated"))
            }
            Dist::LogNormal { median, sigma } => {
                Sampler::LogNormal(LogNormal::new(median.secs().ln(), sigma).expect("validated"))
            }
            Dist::Uniform(lo, hi) if lo.secs() == hi.secs() => Sampler::Fixed(lo.secs()),
            Dist::Uniform(lo, hi) => {
                Sampler::Uniform(Uniform::new_inclusive(lo.secs(), hi.secs()).expect("validated"))
            }
            Dist::Fixed(d) | Dist::At(d) => Sampler::Fixed(d.secs()),
            Dist::Never => Sampler::Never,
        }
    }

    /// Draws one duration in seconds (+inf for `Never`). Constants draw nothing, so a
    /// stream's later values do not depend on whether a duration was fixed.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Fixed(x) => *x,
            Sampler::Never => f64::INFINITY,
        }
    }
}

/// Where a fault slot's occurrences come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The component's own fault mode: an alternating renewal process (fault, repair, fault...).
    Own,
    /// One target of a common-cause fault (index into [`Model::common`]).
    Common(u32),
}

/// One way one component can be broken: an own fault mode, or its share of a common cause.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The component it breaks.
    pub comp: u32,
    /// Fault name for traces.
    pub name: String,
    /// What it does when active.
    pub effect: Effect,
    /// Time to the next fault (own slots; `Never` for common-cause slots).
    pub every: Sampler,
    /// True when `every` was `At`: the fault happens once, not again after repair.
    pub once: bool,
    /// Dormancy, if any.
    pub activation: Option<Sampler>,
    /// Time to repair from activation.
    pub repair: Sampler,
    /// Own mode or common cause.
    pub source: Source,
    /// Stable hash of (component id, fault name) keying this slot's random streams.
    pub key: u64,
    /// Probability that an occurrence is a fault (1: always).
    pub chance: f64,
    /// Training: (chance multiplier right after, seconds between sessions, half-life).
    pub learning: Option<(f64, f64, f64)>,
}

impl Slot {
    /// The chance that an occurrence at time `t` is a fault, after training effects.
    pub fn chance_at(&self, t: f64) -> f64 {
        match self.learning {
            None => self.chance,
            Some((factor, every, halflife)) => {
                let since = t - (t / every).floor() * every;
                let gap = (1.0 - factor) * 0.5f64.powf(since / halflife);
                self.chance * (1.0 - gap)
            }
        }
    }
}

/// A common-cause fault process.
#[derive(Debug, Clone)]
pub struct Common {
    /// Name for traces.
    pub name: String,
    /// Time between occurrences.
    pub every: Sampler,
    /// True when `every` was `At`.
    pub once: bool,
    /// The slots (one per component hit), contiguous.
    pub slots: std::ops::Range<u32>,
    /// Stable hash keying its random stream.
    pub key: u64,
}

/// A compiled dependency edge: `from` depends on `to`.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// Dependent.
    pub from: u32,
    /// Dependency.
    pub to: u32,
    /// How trouble crosses it.
    pub kind: EdgeKind,
    /// Probability an error episode crosses.
    pub p: f64,
    /// Travel time in seconds.
    pub delay: f64,
    /// Index into the engine's per-edge random streams when `p < 1`, else [`NONE`].
    pub rng: u32,
    /// Stable hash keying its random stream.
    pub key: u64,
}

/// Compiled edge kinds (`Load` edges live in [`Model::load_takes`] instead).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeKind {
    /// Capacity capped by the dependency's; corruption and slowness pass.
    Requires,
    /// Capacity scaled between the factor (dependency down) and 1 (dependency up).
    Degrades(f64),
}

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

/// What evaluating a component reads, in one 32-byte record, so that propagation touches
/// one cache line per component instead of a line in each of many arrays. Ranges end where
/// the next node's begin ([`Model::nodes`] has one sentinel node at the end).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
pub struct Node {
    /// Output when healthy.
    pub capacity: f64,
    /// Start of its slots in [`Model::comp_slots`]' items.
    pub slots: u32,
    /// Its first input edge (edges are sorted by dependent).
    pub inputs: u32,
    /// Start of its dependents in [`Model::deps`].
    pub deps: u32,
    /// Evaluation rank.
    pub rank: u32,
    /// What else it is: [`GROUP`], [`VOTER`], [`QUEUE`], ... (bits).
    pub flags: u32,
}

/// What evaluating a dependent reads of an input edge: 16 bytes.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// The `Degrades` factor, or [`REQUIRES`] for a `Requires` edge.
    pub factor: f64,
    /// Dependency.
    pub to: u32,
    /// Dependent.
    pub from: u32,
}

/// [`Link::factor`] of a `Requires` edge (a `Degrades` factor is in [0, 1]).
pub const REQUIRES: f64 = -1.0;

/// One dependent of a component: the edge and who is at its other end. For an edge with a
/// delay or a probability below 1, [`SLOW_EDGE`] is set and the rest indexes
/// [`Model::slow`] instead of the edges.
#[derive(Debug, Clone, Copy)]
pub struct Dep {
    /// Edge index, or [`SLOW_EDGE`] with an index into [`Model::slow`].
    pub edge: u32,
    /// The dependent component.
    pub from: u32,
}

/// Bit of [`Dep::edge`] marking an edge with a delay or a probability below 1.
pub const SLOW_EDGE: u32 = 1 << 31;

/// What passing a change over an edge with a delay or a probability below 1 reads, in 32
/// bytes (the [`Edge`] is 56 and mostly what the hot loop does not need).
#[derive(Debug, Clone, Copy)]
pub struct Slow {
    /// Probability an error episode crosses.
    pub p: f64,
    /// Travel time in seconds.
    pub delay: f64,
    /// The edge.
    pub edge: u32,
    /// Dependent.
    pub from: u32,
    /// [`Edge::rng`].
    pub rng: u32,
}

/// A service boundary's thresholds.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// Failed below this capacity.
    pub slo: f64,
    /// Users served.
    pub users: u64,
    /// Failed above this latency multiple.
    pub max_slow: f64,
}

/// A compiled component.
#[derive(Debug, Clone)]
pub struct Comp {
    /// The id from the scenario.
    pub id: String,
    /// Output when healthy.
    pub capacity: f64,
    /// Its own fault modes' slots, contiguous in [`Model::slots`].
    pub slots: std::ops::Range<u32>,
    /// k of a k-of-n group, 0 when not a group.
    pub need: u32,
    /// Set when this is a voter: its backup component ([`NONE`] for a safe shutdown).
    pub voter: Option<u32>,
    /// Set when this is a service boundary.
    pub service: Option<ServiceSpec>,
    /// (base, limit) load, when it takes part in `Load` redistribution.
    pub load: Option<(f64, f64)>,
    /// Index of its load cluster, [`NONE`] if none.
    pub cluster: u32,
    /// Index into [`Model::queues`] when this component is a queue, else [`NONE`].
    pub queue: u32,
}

/// How a compiled queue judges its health.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueueHealthSpec {
    /// Share of attempts that succeeded in time.
    Goodput,
    /// Share of jobs done within this many seconds.
    Latency(f64),
}

/// A compiled job queue.
#[derive(Debug, Clone)]
pub struct QueueSpec {
    /// Its component.
    pub comp: u32,
    /// Base arrival rate, jobs per second.
    pub rate: f64,
    /// Piecewise-constant rate changes: (from time, rate), sorted by time.
    pub schedule: Vec<(f64, f64)>,
    /// Servers.
    pub workers: u32,
    /// Service time with an empty queue.
    pub service: Sampler,
    /// Slowdown scale `a` (0: none).
    pub slow_a: f64,
    /// Slowdown exponent `b`.
    pub slow_b: f64,
    /// Client timeout in seconds (+inf: none).
    pub timeout: f64,
    /// Server discards expired jobs.
    pub drop_expired: bool,
    /// Probability a served attempt fails.
    pub errors: f64,
    /// Retries per job.
    pub retries: u32,
    /// Backoff before a retry.
    pub backoff: Sampler,
    /// Backoff growth per retry.
    pub multiplier: f64,
    /// Retry budget (retries per new job), +inf: unlimited.
    pub budget: f64,
    /// Most waiting jobs (u64::MAX: unbounded).
    pub bound: u64,
    /// Health rule.
    pub health: QueueHealthSpec,
    /// Health window, seconds.
    pub window: f64,
    /// Measurements start after this.
    pub warmup: f64,
    /// Queues this one feeds with completed jobs.
    pub feeds: Vec<u32>,
    /// Stable hash keying its random streams.
    pub key: u64,
}

/// Faults injected at one time in every run.
#[derive(Debug, Clone)]
pub struct Injection {
    /// When.
    pub at: f64,
    /// Slots to fault (one own slot, or every slot of a common cause).
    pub slots: Vec<u32>,
    /// The common cause injected, if it was one (for the trace).
    pub common: Option<u32>,
}

/// What downtime costs (per service, summed).
#[derive(Debug, Clone, Copy, Default)]
pub struct CostModel {
    /// Per failed minute.
    pub outage_per_minute: f64,
    /// Per degraded minute.
    pub degraded_per_minute: f64,
    /// Per user-minute affected.
    pub per_user_minute: f64,
    /// Per responder-hour spent on incidents.
    pub responder_hour: f64,
    /// Fixed cost of the strategy, per run.
    pub fixed: f64,
    /// Per job lost.
    pub per_lost_job: f64,
}

/// A compiled alert.
#[derive(Debug, Clone, Copy)]
pub struct AlertSpec {
    /// Component watched.
    pub comp: u32,
    /// Condition.
    pub when: crate::scenario::Condition,
    /// Seconds the condition must hold.
    pub after: f64,
}

/// The compiled response team.
#[derive(Debug, Clone, Copy)]
pub struct ResponseSpec {
    /// Responders on call.
    pub oncall: u32,
    /// Time to acknowledge.
    pub acknowledge: Sampler,
    /// Time to diagnose (before the runbook factor).
    pub diagnose: Sampler,
    /// Diagnosis factor.
    pub runbook: f64,
    /// Time to a customer report of a user-visible failure.
    pub customer_report: Sampler,
    /// Shift length in seconds (+inf: no hand-offs).
    pub shift: f64,
    /// Whether notes make hand-offs cheap.
    pub notes: bool,
    /// Hand-off time.
    pub handoff: Sampler,
    /// Repairs wait for a diagnosis.
    pub repair_on_diagnosis: bool,
}

/// What a compiled mitigation does.
#[derive(Debug, Clone, Copy)]
pub enum MitigationKind {
    /// Spare units standing in at a share of capacity.
    Spare {
        /// Deploy time.
        deploy: Sampler,
        /// Stand-in capacity as a share of the component's.
        capacity: f64,
        /// Units, from `Mitigation::units.start`.
        stock: u32,
        /// Time to failure in service.
        fails: Sampler,
        /// Failure-rate factor while waiting.
        dormant: f64,
    },
    /// The standby's output replaces the component's.
    Failover {
        /// The standby component.
        standby: u32,
        /// Switch time.
        delay: Sampler,
    },
    /// Park a queue's waiting jobs and feed them back at `rate`; drop arrivals above `above`.
    Shed {
        /// Time to start.
        delay: Sampler,
        /// Spoon-feeding rate (jobs/s), if any.
        rate: Option<f64>,
        /// Drop threshold, if any.
        above: Option<u64>,
        /// Cost per dropped job.
        per_drop: f64,
    },
    /// Admission control at `rate` jobs per second.
    RateLimit {
        /// Time to switch on.
        delay: Sampler,
        /// Jobs per second.
        rate: f64,
    },
    /// Reject at once while dependencies deliver less than `below`, or are `slower_than`
    /// times slower or more (always armed).
    CircuitBreaker {
        /// Capacity threshold.
        below: f64,
        /// Latency-factor threshold (infinite: slowness never opens it).
        slower_than: f64,
    },
    /// More workers after a delay.
    AddWorkers {
        /// Time to bring them up.
        delay: Sampler,
        /// How many.
        workers: u32,
    },
    /// Remove the queue's slowdown after a long time.
    Redesign {
        /// Time it takes.
        takes: Sampler,
    },
    /// A restart that clears faults with probability `works`.
    Restart {
        /// Restart time.
        takes: Sampler,
        /// Success probability.
        works: f64,
    },
}

/// A compiled mitigation.
#[derive(Debug, Clone)]
pub struct MitigationSpec {
    /// Short label for traces ("Spare", "Failover", "Restart").
    pub label: &'static str,
    /// What it does.
    pub kind: MitigationKind,
    /// Components it applies to.
    pub targets: Vec<u32>,
    /// `Some(after)` when automated: fires once a target has been impaired this long.
    pub auto: Option<f64>,
    /// Cost per use.
    pub per_use: f64,
    /// First index of its spare units in the engine's unit arrays.
    pub first_unit: u32,
    /// Stable hash keying its random stream.
    pub key: u64,
}

/// The whole compiled scenario.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub about: String,
    /// Simulated time per run, seconds.
    pub horizon: f64,
    /// Default runs.
    pub runs: u64,
    /// Default seed.
    pub seed: u64,
    /// Event cap per run.
    pub max_events: u64,
    /// Components, by index.
    pub comps: Vec<Comp>,
    /// Fault slots, grouped by component.
    pub slots: Vec<Slot>,
    /// Per component: evaluation rank (dependencies over zero-delay edges and membership
    /// rank lower). The hot loop reads the copy in [`Node::rank`].
    pub rank: Vec<u32>,
    /// Per component: every slot that can break it (own modes, then common causes).
    pub comp_slots: Csr,
    /// Dependency edges (Requires / Degrades).
    pub edges: Vec<Edge>,
    /// Per group or voter component: its members (a voter's replicas).
    pub members: Csr,
    /// Per component: the groups and voters it feeds (as member or backup).
    pub groups_of: Csr,
    /// Per component: the components whose load it takes when they go down.
    pub load_takes: Csr,
    /// Per component: the components that take its load.
    pub load_takers: Csr,
    /// Per load cluster: its members.
    pub clusters: Csr,
    /// Common-cause processes.
    pub common: Vec<Common>,
    /// Scheduled injections, sorted by time.
    pub injections: Vec<Injection>,
    /// Indices of service components, in declaration order.
    pub services: Vec<u32>,
    /// Number of edges with p < 1 (each has a random stream).
    pub random_edges: u32,
    /// Cost model.
    pub cost: CostModel,
    /// Strategy this model is compiled for ("baseline" for the scenario as written).
    pub strategy: String,
    /// What the strategy means.
    pub strategy_about: String,
    /// Alerts.
    pub alerts: Vec<AlertSpec>,
    /// Per component: its alerts.
    pub alerts_of: Csr,
    /// The response team, if any.
    pub response: Option<ResponseSpec>,
    /// Mitigations available.
    pub mitigations: Vec<MitigationSpec>,
    /// Per component: mitigations that can act on it.
    pub mitigations_of: Csr,
    /// Per component: failover mitigations in which it is the standby.
    pub standby_for: Csr,
    /// Total spare units over all spare mitigations.
    pub spare_units: u32,
    /// Job queues.
    pub queues: Vec<QueueSpec>,
    /// Per component, plus one sentinel: the hot loop's record (see [`Model::lay_out`]).
    pub nodes: Vec<Node>,
    /// Per edge: what a dependent's evaluation reads.
    pub links: Vec<Link>,
    /// Per component, contiguous (from [`Node::deps`]): its dependents.
    pub deps: Vec<Dep>,
    /// The slow edges' hot fields, in the order the dependents list meets them.
    pub slow: Vec<Slow>,
}

impl Model {
    /// Builds the hot loop's compact arrays ([`Model::nodes`], [`Model::links`],
    /// [`Model::deps`]) from the rest of the model and each component's input edges and
    /// dependent edges. Called once, at the end of compilation.
    pub fn lay_out(&mut self, inputs: &Csr, dependents: &Csr) {
        let n = self.comps.len();
        let mut flags = vec![0u32; n];
        for (i, c) in self.comps.iter().enumerate() {
            let f = &mut flags[i];
            if c.need > 0 {
                *f |= GROUP;
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
        let mut slow = Vec::new();
        self.deps = (0..n)
            .flat_map(|i| dependents.row(i).iter())
            .map(|&e| {
                let edge = &self.edges[e as usize];
                let k = slow.len() as u32;
                if edge.p < 1.0 || edge.delay != 0.0 {
                    slow.push(Slow {
                        p: edge.p,
                        delay: edge.delay,
                        edge: e,
                        from: edge.from,
                        rng: edge.rng,
                    });
                    Dep {
                        edge: k | SLOW_EDGE,
                        from: edge.from,
                    }
                } else {
                    Dep {
                        edge: e,
                        from: edge.from,
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
                to: e.to,
                from: e.from,
            })
            .collect();
        self.nodes = (0..=n)
            .map(|i| {
                let c = self.comps.get(i);
                Node {
                    capacity: c.map_or(0.0, |c| c.capacity),
                    slots: self.comp_slots.start(i),
                    inputs: inputs.start(i),
                    deps: dependents.start(i),
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

    /// Index of a component by id.
    pub fn comp_index(&self, id: &str) -> Option<u32> {
        self.comps.iter().position(|c| c.id == id).map(|i| i as u32)
    }
}

/// FNV-1a over the parts, separated, so that ("ab","c") and ("a","bc") differ. Stable
/// across versions and platforms, unlike std's hasher: it keys random streams.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}
