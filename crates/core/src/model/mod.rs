//! The compiled model: flat arrays indexed by component, fault slot and edge.
//!
//! The engine's hot loop reads only this. Names are resolved to `u32` indices, adjacency
//! is stored in compressed (CSR) form, and distributions are ready to sample. A front end
//! (the RON scenario reader, or any other format) fills a [`Model`] and calls
//! [`Model::lay_out`]; nothing here knows how the model was written down.

use serde::{Deserialize, Serialize};
mod arrivals;
mod csr;
mod layout;
mod phase;
mod sampler;
pub mod topology;

pub use arrivals::{ArrivalSpec, Discipline, Gaps, Level, MAX_CLASSES, weibull_mean};
pub use csr::Csr;
pub use layout::{
    CLUSTER, Dependent, EXTRAS, FEEDS_GROUP, GROUP, Link, MITIGABLE, Node, PHASE_IDLE, QUEUE,
    REQUIRES, SERVICE, SLOW_EDGE, SPARES, STANDBY, Slow, VOTER,
};
pub use phase::{Cursor, Due, Phase, Phases};
pub use sampler::Sampler;

/// Marks "no index" in `u32` index arrays (no cause, no via).
pub const NONE: u32 = u32::MAX;

/// What an active fault does to its component.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    /// Capacity drops to zero.
    Crash,
    /// Capacity is multiplied by the factor in [0, 1].
    Degrade(f64),
    /// Silent wrong output: capacity is intact but what it delivers is wrong.
    Corrupt,
    /// Latency is multiplied by the factor (>= 1).
    Slow(f64),
    /// A load fault on a queue: this many extra jobs arrive over this many seconds.
    Burst {
        /// Extra jobs.
        jobs: u64,
        /// Seconds they are spread over.
        over: f64,
    },
}

/// What an alert watches for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// A service below its SLO, or any other component down (capacity 0).
    Failed,
    /// Capacity below this fraction.
    CapacityBelow(f64),
    /// Latency above this multiple of normal.
    SlowerThan(f64),
    /// More than this many jobs waiting in a queue.
    QueueAbove(u64),
    /// Wrong output (needs a checker that can see it).
    Corrupt,
    /// A burn-rate rule on a service's error budget (the service must have an objective).
    Burn(Burn),
}

/// A burn-rate rule (the SRE Workbook's multi-window alert): it fires when the error budget
/// of the service's objective burns at least `factor` times too fast over both the `long`
/// and the `short` window, and resets once the short window's rate drops below `factor`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Burn {
    /// The burn rate that pages: 1 spends the budget exactly over the objective's window.
    pub factor: f64,
    /// The long window, seconds.
    pub long: f64,
    /// The short window, seconds.
    pub short: f64,
}

/// Where a fault slot's occurrences come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// The component's own fault mode: an alternating renewal process (fault, repair, fault...).
    Own,
    /// One target of a common-cause fault (index into [`Model::common`]).
    Common(u32),
}

/// One way one component can be broken: an own fault mode, or its share of a common cause.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// A latent (hidden) fault: once active it changes nothing anyone can see until a
    /// demand or an inspection reveals it.
    pub latent: bool,
    /// Probability that a demand on the component makes this fault happen (0: none).
    pub on_demand: f64,
    /// Time to repair a latent fault a demand revealed (`None`: `repair`).
    pub repair_after_demand: Option<Sampler>,
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// A compiled dependency edge: `dependent` needs `dependency`; errors travel from the
/// dependency to the dependent. (The scenario file writes these as `from` and `to`.)
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Edge {
    /// The component that needs the other.
    pub dependent: u32,
    /// The component it needs.
    pub dependency: u32,
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum EdgeKind {
    /// Capacity capped by the dependency's; corruption and slowness pass.
    Requires,
    /// Capacity scaled between the factor (dependency down) and 1 (dependency up).
    Degrades(f64),
}

/// A service boundary's thresholds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ServiceSpec {
    /// Failed below this capacity.
    pub slo: f64,
    /// Users served.
    pub users: u64,
    /// Failed above this latency multiple.
    pub max_slow: f64,
    /// The availability objective over windows, if one is promised.
    pub objective: Option<Objective>,
}

/// An availability objective: not failed for at least `availability` of every `window`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Objective {
    /// The promised share of each window.
    pub availability: f64,
    /// Window length, seconds.
    pub window: f64,
    /// The share of one window's error budget a failure episode must use to count as a
    /// significant incident (what burn-rate rules are judged against).
    pub significant: f64,
}

impl Objective {
    /// The whole windows a run of `horizon` seconds holds (the rest is not measured).
    pub fn windows(&self, horizon: f64) -> usize {
        (horizon / self.window + 1e-9).floor() as usize
    }

    /// The error budget of one window, seconds: what the objective allows to be failed.
    pub fn budget(&self) -> f64 {
        (1.0 - self.availability) * self.window
    }
}

/// A group's logic (see the scenario's `GroupKind` for what each means to a user).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Logic {
    /// k-of-n, or a load-sharing pool.
    #[default]
    KofN,
    /// A priority AND: down when all members are down and went down in the order listed.
    InOrder,
    /// A priority OR: down when its first member went down before any other.
    First,
    /// Members serve one at a time, in order; spares are claimed and may be shared.
    Spares,
}

/// A compiled component.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comp {
    /// The id from the scenario.
    pub id: String,
    /// Output when healthy.
    pub capacity: f64,
    /// Its own fault modes' slots, contiguous in [`Model::slots`].
    pub slots: std::ops::Range<u32>,
    /// k of a k-of-n group, 0 when not a group.
    pub need: u32,
    /// A group that is a load-sharing pool: below `need` it delivers the share its members
    /// carry; otherwise (k-of-n) it is down below `need`.
    pub partial: bool,
    /// A group's logic: k-of-n, or one where the order members go down in matters.
    pub logic: Logic,
    /// Factor on its fault rates while it waits unclaimed in a [`Logic::Spares`] group
    /// (1: it ages as if serving).
    pub dormancy: f64,
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum QueueHealthSpec {
    /// Share of attempts that succeeded in time.
    Goodput,
    /// Share of jobs done within this many seconds.
    Latency(f64),
}

/// A compiled job queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueueSpec {
    /// Its component.
    pub comp: u32,
    /// Base arrival rate, jobs per second.
    pub rate: f64,
    /// Piecewise-constant rate changes: (from time, rate), sorted by time.
    pub schedule: Vec<(f64, f64)>,
    /// How new jobs arrive (the rate above is their long-run mean).
    pub arrivals: ArrivalSpec,
    /// The order in which waiting jobs are served.
    pub discipline: Discipline,
    /// With priority classes: each class's cumulative share of new jobs, class 0 (served
    /// first) first; empty otherwise.
    pub classes: Vec<f64>,
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
    /// How long a client waits in line before leaving it (`None`: for ever).
    pub patience: Option<Sampler>,
    /// Clients seen as requests across attempts (`None`: each attempt on its own).
    pub client: Option<ClientSpec>,
    /// A latency objective over windows, if one is promised.
    pub objective: Option<LatencyObjective>,
}

/// A latency objective: at least `share` of the requests (jobs, without a client) that end
/// in each `window` answered within `latency` seconds of their first attempt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyObjective {
    /// Seconds within which a request must be answered.
    pub latency: f64,
    /// The promised share of each window's requests.
    pub share: f64,
    /// Window length, seconds.
    pub window: f64,
}

impl LatencyObjective {
    /// The whole windows a run of `horizon` seconds holds (the rest is not measured).
    pub fn windows(&self, horizon: f64) -> usize {
        (horizon / self.window + 1e-9).floor() as usize
    }
}

/// A queue's clients seen as requests: the first attempt, its retries and a hedge answer
/// one request, and the first reply of any of them does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClientSpec {
    /// Seconds after which the user gives up on the request (+inf: only once no attempt is
    /// left).
    pub deadline: f64,
    /// A reply to an attempt the client timed out on still answers an open request.
    pub late_replies: bool,
    /// Seconds without a reply after which a second attempt is sent (+inf: never).
    pub hedge: f64,
}

/// Faults injected at one time in every run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Injection {
    /// When.
    pub at: f64,
    /// Slots to fault (one own slot, or every slot of a common cause).
    pub slots: Vec<u32>,
    /// The common cause injected, if it was one (for the trace).
    pub common: Option<u32>,
}

/// What downtime costs (per service, summed).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
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

impl CostModel {
    /// What services cost for `down` seconds failed, `degraded` seconds degraded and
    /// `user_minutes` affected: the part of a run's cost the services themselves cause.
    pub fn of_service(&self, down: f64, degraded: f64, user_minutes: f64) -> f64 {
        self.outage_per_minute * down / 60.0
            + self.degraded_per_minute * degraded / 60.0
            + self.per_user_minute * user_minutes
    }
}

/// A compiled alert.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct AlertSpec {
    /// Component watched.
    pub comp: u32,
    /// Condition.
    pub when: Condition,
    /// Seconds the condition must hold.
    pub after: f64,
}

/// The compiled response team.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
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
    /// How responders tire (`None`: they do not).
    pub fatigue: Option<FatigueSpec>,
    /// Seconds between rota changes: the pager passes to a rested colleague (+inf: never).
    pub rotate: f64,
    /// Responders paged onto one incident, as many as are free.
    pub join: u32,
    /// An incident commander coordinates a team of two or more.
    pub commander: bool,
    /// The team keeps a shared written record.
    pub record: bool,
    /// How a team's diagnosis time changes with its size.
    pub coordination: CoordinationSpec,
    /// A drill's student in the loop (`faultline drill`; never written in a scenario).
    pub student: Option<Student>,
}

/// A drill's student on call: the student takes the incidents paged after `after` (until
/// they hand one off), acknowledging in `acknowledge` seconds and looking for `looking`
/// seconds, with no runbook factor and no fatigue (the time is theirs, as the drill's
/// clock showed it). `after` is the page before the drill's in the run the student
/// watched: incidents paged until then stay with the scenario's people, so the run up to
/// the drill's page is the one watched, and a strategy that pages sooner pages the student.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Student {
    /// When the page before the drill's came (−∞ if none).
    pub after: f64,
    /// Seconds to acknowledge.
    pub acknowledge: f64,
    /// Seconds spent looking before saying "I know" or handing off.
    pub looking: f64,
    /// `None`: the student found the fault and diagnosed it after `looking`; otherwise
    /// they handed the incident off then.
    pub handoff: Option<StudentHandoff>,
}

/// How a drill's student handed an incident off to the scenario's next responder (after
/// the hand-off time drawn from the scenario's `handoff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentHandoff {
    /// They wrote down what they had seen. With notes naming the fault, the colleague
    /// knows it at once; with notes that do not, they finish the scenario's diagnosis,
    /// less the time already spent looking. Without notes they diagnose from scratch: the
    /// scenario's diagnosis time again, in full.
    pub notes: bool,
    /// The student had seen a component with a fault of its own.
    pub found: bool,
}

impl ResponseSpec {
    /// Factor on the diagnosis time of a team of `n`: the work splits between those who
    /// diagnose (all but a commander) except for a serial share, and every line of talk
    /// (n(n − 1)/2 between everyone, n − 1 through a commander) costs `per_channel` more,
    /// or `record_cuts` of that with a shared record. Exactly 1 for one responder.
    pub fn coordination_factor(&self, n: u32) -> f64 {
        if n <= 1 {
            return 1.0;
        }
        let c = self.coordination;
        let n = f64::from(n);
        let (workers, channels) = if self.commander {
            (n - 1.0, n - 1.0)
        } else {
            (n, n * (n - 1.0) / 2.0)
        };
        let per_channel = if self.record {
            c.per_channel * c.record_cuts
        } else {
            c.per_channel
        };
        (c.serial + (1.0 - c.serial) / workers) * (1.0 + per_channel * channels)
    }
}

/// How a responder tires: a factor on diagnosis and procedure times and on the chances of
/// skipping a step or doing it wrong (see [`FatigueSpec::factor`]).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct FatigueSpec {
    /// Seconds on shift before fatigue shows.
    pub fresh: f64,
    /// Added per further hour on shift.
    pub per_hour: f64,
    /// Added per day worked in a row beyond the first.
    pub per_day: f64,
    /// Added per page in the last 24 hours beyond the first.
    pub per_page: f64,
    /// Free seconds that end a shift.
    pub rest: f64,
    /// The largest factor.
    pub max: f64,
}

impl FatigueSpec {
    /// The factor after `on_shift` seconds on shift, on the `days`-th day in a row, with
    /// `pages` pages in the last 24 hours: `1 + per_hour × hours beyond fresh + per_day ×
    /// (days − 1) + per_page × (pages − 1)`, at most `max`.
    pub fn factor(&self, on_shift: f64, days: u32, pages: u32) -> f64 {
        let hours = (on_shift - self.fresh).max(0.0) / 3600.0;
        let f = 1.0
            + self.per_hour * hours
            + self.per_day * f64::from(days.saturating_sub(1))
            + self.per_page * f64::from(pages.saturating_sub(1));
        f.min(self.max)
    }
}

/// The coordination parameters of [`ResponseSpec::coordination_factor`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct CoordinationSpec {
    /// Share of a diagnosis that does not split.
    pub serial: f64,
    /// Extra time per line of talk.
    pub per_channel: f64,
    /// A shared record's factor on `per_channel`.
    pub record_cuts: f64,
}

/// A mitigation done as a procedure of steps (see the scenario format's procedures).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcedureSpec {
    /// The steps, in order.
    pub steps: Vec<StepSpec>,
    /// Factor on skip chances (a checklist).
    pub checklist: f64,
    /// Time until a failed procedure is noticed and started again.
    pub notice: Sampler,
}

/// One step of a procedure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepSpec {
    /// Its name, for traces.
    pub name: String,
    /// Time it takes, before fatigue.
    pub takes: Sampler,
    /// Chance it is skipped, before fatigue and checklist.
    pub skip: f64,
    /// Chance it is done wrong, before fatigue.
    pub wrong: f64,
    /// The fault slot a wrong step sets off, or [`NONE`].
    pub worse: u32,
}

/// What a compiled mitigation does.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
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

/// A compiled inspection (a proof test, a health check, a restore drill): it looks for
/// latent faults on its components at fixed intervals.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InspectionSpec {
    /// The component named in the scenario (for traces).
    pub on: u32,
    /// The components whose latent faults it looks for: `on`, and a group's or voter's
    /// members and backup.
    pub comps: Vec<u32>,
    /// Seconds from the start to the first inspection (+inf with a schedule).
    pub first: f64,
    /// Seconds between inspections (+inf with a schedule).
    pub every: f64,
    /// A schedule instead: the inspections' times, sorted (empty with an interval).
    pub times: Vec<f64>,
    /// Seconds an inspection takes; what it finds is found at the end.
    pub takes: f64,
    /// Whether `on` is out of service while it is inspected.
    pub offline: bool,
    /// Probability that it finds a given latent fault.
    pub coverage: f64,
    /// Cost of one inspection.
    pub cost: f64,
    /// Stable hash keying its random stream.
    pub key: u64,
}

/// A compiled mitigation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MitigationSpec {
    /// Short label for traces ("Spare", "Failover", "Restart").
    pub label: std::borrow::Cow<'static, str>,
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
    /// The steps a person (or a tool) goes through to apply it, if written as a procedure.
    pub procedure: Option<ProcedureSpec>,
    /// The responder who applies it stays with it until it is done.
    pub hands_on: bool,
}

/// The whole compiled scenario.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    /// Inspections (proof tests) looking for latent faults.
    pub inspections: Vec<InspectionSpec>,
    /// Components whose readiness is tracked (what they would deliver if demanded): those
    /// with latent faults, and the groups and voters they feed. Empty: nothing is latent.
    pub watch: Vec<u32>,
    /// Whether some component can be demanded to effect: a latent fault to reveal or a
    /// failure on demand (when not, demands are not even looked for).
    pub demands: bool,
    /// Per component, plus one sentinel: the hot loop's record (see [`Model::lay_out`]).
    pub nodes: Vec<Node>,
    /// Per edge: what a dependent's evaluation reads.
    pub links: Vec<Link>,
    /// Per component, contiguous (from [`Node::dependents`]): its dependents.
    pub dependents: Vec<Dependent>,
    /// The slow edges' hot fields, in the order the dependents list meets them.
    pub slow: Vec<Slow>,
    /// Operating phases, if the scenario declares any (`None`: one steady state).
    pub phases: Option<Phases>,
}

impl Model {
    /// Whether the people in the loop are modelled beyond the basics: responders who tire,
    /// teams of more than one, mitigations done as procedures or by hand (the results then
    /// carry a people section).
    pub fn people_in_the_loop(&self) -> bool {
        (self.response.as_ref()).is_some_and(|r| r.fatigue.is_some() || r.join > 1)
            || (self.mitigations.iter()).any(|x| x.procedure.is_some() || x.hands_on)
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
