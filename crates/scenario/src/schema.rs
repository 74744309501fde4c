//! The scenario file format: plain serde types mirroring the RON text.
//!
//! These types are what the author wrote, before any checking. [`crate::validate`]
//! turns them into a trusted model or a list of located problems; nothing downstream
//! reads these types directly except through that step. See `docs/scenario-format.md`.

use crate::duration::Duration;
use serde::Deserialize;

/// A whole scenario: the system, its faults, and how long and how often to simulate it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in reports.
    pub name: String,
    /// One paragraph: what story this scenario tells.
    #[serde(default)]
    pub about: String,
    /// Stated assumptions and the sources of the numbers.
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Length of one simulated history.
    pub horizon: Duration,
    /// Default number of Monte Carlo runs (`--runs` overrides).
    #[serde(default = "default_runs")]
    pub runs: u64,
    /// Default master seed (`--seed` overrides).
    #[serde(default)]
    pub seed: u64,
    /// Safety cap on events per run; a run that reaches it stops early and is reported.
    #[serde(default)]
    pub max_events: Option<u64>,
    /// The nodes of the dependency graph.
    pub components: Vec<Component>,
    /// Dependencies between components.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Faults that strike several components at once.
    #[serde(default)]
    pub common_cause: Vec<CommonCause>,
    /// Faults injected at fixed times in every run (labs, "shoot transformer_a at day 3").
    #[serde(default)]
    pub inject: Vec<Injection>,
    /// What downtime costs.
    #[serde(default)]
    pub cost: Cost,
    /// Alerts: what is instrumented, and when it pages someone.
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// The people who respond to incidents. Without it, nobody detects or responds, and
    /// faults are repaired on their own.
    #[serde(default)]
    pub response: Option<Response>,
    /// Inspections (proof tests, health checks, restore drills) that look for latent faults.
    #[serde(default)]
    pub inspections: Vec<Inspection>,
    /// Named strategies to compare against the baseline (`faultline compare`).
    #[serde(default)]
    pub strategies: Vec<Strategy>,
    /// Operating phases (a mission's pre-launch, ascent, orbit; a shop's night and day).
    /// Absent: one steady state.
    #[serde(default)]
    pub phases: Option<Phases>,
}

/// The operating phases of a scenario, in order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phases {
    /// Repeat the list until the horizon (day and night); otherwise run through it once
    /// and stay in the last phase.
    #[serde(default)]
    pub cycle: bool,
    /// The phases.
    pub list: Vec<Phase>,
}

/// One operating phase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Unique name, for reports, traces and `abort_to`.
    pub name: String,
    /// How long it lasts (the last phase of a list that does not cycle lasts to the
    /// horizon).
    pub lasts: Duration,
    /// Multiplier on every own fault mode's and common cause's rate during the phase
    /// (0: they cannot happen).
    #[serde(default = "one")]
    pub faults: f64,
    /// Per component: a multiplier on its own fault modes' rates, instead of `faults`.
    #[serde(default)]
    pub rates: Vec<(String, f64)>,
    /// Components nobody needs during the phase: their dependents see them healthy.
    #[serde(default)]
    pub idle: Vec<String>,
    /// Multiplier on every queue's arrival rate.
    #[serde(default = "one")]
    pub load: f64,
    /// Factor on the response team's acknowledge and diagnose times.
    #[serde(default = "one")]
    pub response: f64,
    /// The phase a service failure during this one switches to at once (an abort).
    #[serde(default)]
    pub abort_to: Option<String>,
}

fn default_runs() -> u64 {
    1000
}

fn one() -> f64 {
    1.0
}

/// A node of the dependency graph: a piece of hardware, software, or a service users see.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Unique id, referenced by edges, groups and faults.
    pub id: String,
    /// What this component is, for reports.
    #[serde(default)]
    pub about: String,
    /// Fraction of nominal service it delivers when healthy (a spare or undersized unit < 1).
    #[serde(default = "one")]
    pub capacity: f64,
    /// Ways this component can break on its own.
    #[serde(default)]
    pub faults: Vec<FaultMode>,
    /// Makes this component a k-of-n redundancy group over other components.
    #[serde(default)]
    pub group: Option<Group>,
    /// Makes this component a majority voter over replicas (TMR), with a backup.
    #[serde(default)]
    pub voter: Option<Voter>,
    /// Marks a service boundary: what users see.
    #[serde(default)]
    pub service: Option<Service>,
    /// Load carried, for `Load` edges (cascading overload).
    #[serde(default)]
    pub load: Option<Load>,
    /// Makes this component a job queue simulated job by job.
    #[serde(default)]
    pub queue: Option<Queue>,
    /// How fast it ages while it waits as a spare in a `Spares` group, as a factor on its
    /// fault rates (0: a cold spare that cannot fail unused; 1, the default: a hot spare;
    /// between: a warm one). The dynamic fault tree's dormancy factor.
    #[serde(default)]
    pub dormancy: Option<f64>,
}

/// A job queue: arrivals, workers, a service time that may grow with the backlog, client
/// timeouts and retries. This is where metastable failure lives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// New jobs per second: the long-run mean of the arrival process.
    pub rate: f64,
    /// Rate changes over time: (from this time on, this many jobs per second).
    #[serde(default)]
    pub schedule: Vec<(Duration, f64)>,
    /// How new jobs arrive around that rate (Poisson unless said otherwise).
    #[serde(default)]
    pub arrivals: Arrivals,
    /// The order in which waiting jobs are served (first in, first out unless said
    /// otherwise).
    #[serde(default)]
    pub discipline: Discipline,
    /// Servers working in parallel.
    #[serde(default = "one_u32")]
    pub workers: u32,
    /// Time to serve one job with an empty queue.
    pub service: Dist,
    /// Load-dependent slowdown: service × (1 + a × waiting^b); b > 1 is the super-linear flaw.
    #[serde(default)]
    pub slowdown: Option<Slowdown>,
    /// Clients give up on an attempt after this long (the server does not know).
    #[serde(default)]
    pub timeout: Option<Duration>,
    /// The server discards jobs whose client has given up instead of serving them.
    #[serde(default)]
    pub drop_expired: bool,
    /// Probability that a served attempt fails anyway (a flaky dependency).
    #[serde(default)]
    pub errors: f64,
    /// Client retries after a timeout, rejection or error.
    #[serde(default)]
    pub retries: Option<Retries>,
    /// Most jobs that may wait; arrivals beyond are rejected.
    #[serde(default)]
    pub bound: Option<u64>,
    /// How the queue's health is judged, over windows of `window`.
    #[serde(default)]
    pub health: QueueHealth,
    /// Length of the window over which health is measured (and the queue sampled).
    #[serde(default = "default_window")]
    pub window: Duration,
    /// Measurements start after this warm-up (for steady-state statistics).
    #[serde(default)]
    pub warmup: Duration,
    /// Clients leave the line when their wait exceeds a patience drawn from this
    /// distribution (abandonment, or reneging: with `Exp`, the M/M/c+M model of Erlang-A).
    /// A job leaves only while it waits, never once in service.
    #[serde(default)]
    pub patience: Option<Dist>,
    /// What clients do across attempts: requests as users see them (a deadline over every
    /// attempt, late replies, a hedged second attempt).
    #[serde(default)]
    pub client: Option<Client>,
    /// A latency objective: at least `share` of every window's requests answered within
    /// `latency`.
    #[serde(default)]
    pub objective: Option<LatencyObjective>,
}

/// A latency objective (an SLO on requests): at least `share` of the requests that end in
/// each `window` answered within `latency` of their first attempt; a request that fails
/// counts against it.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LatencyObjective {
    /// The latency a request must be answered within.
    pub latency: Duration,
    /// The promised share of each window's requests, in (0, 1): 0.99.
    pub share: f64,
    /// The window it is measured over.
    pub window: Duration,
}

/// A queue's clients seen as requests: one request is the first attempt, its retries and
/// its hedge; it is answered by the first reply of any of them.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// The user gives up on the whole request after this long, whatever attempt is in
    /// flight (none: when every attempt has failed).
    #[serde(default)]
    pub deadline: Option<Duration>,
    /// A reply to an attempt the client timed out on still answers the request, if it
    /// comes while the request is open (a retry in flight or waiting).
    #[serde(default = "yes")]
    pub late_replies: bool,
    /// A hedged request: if no reply has come after this long, a second attempt goes out
    /// at once; the first reply wins.
    #[serde(default)]
    pub hedge: Option<Duration>,
}

/// How a queue's new jobs arrive. Whatever the process, the queue's `rate` (and schedule)
/// is their long-run mean: the process's own parameters only shape them around it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub enum Arrivals {
    /// A Poisson process: independent exponential gaps.
    #[default]
    Poisson,
    /// Evenly spaced: one job every 1 / rate seconds.
    Even,
    /// A renewal process: independent gaps drawn from this distribution, scaled so that
    /// their mean is 1 / rate (only its shape matters).
    Renewal(Dist),
    /// A renewal process with gamma gaps of this shape (Erlang-k for a whole shape k; 1 is
    /// Poisson, more is more regular, less is burstier).
    Gamma {
        /// The shape: the squared coefficient of variation of the gaps is 1 / shape.
        shape: f64,
    },
    /// Bursts: exponential on and off periods of these means; Poisson arrivals while on,
    /// at rate × (on + off) / on, none while off.
    OnOff {
        /// Mean length of a burst.
        on: Duration,
        /// Mean time between bursts.
        off: Duration,
    },
    /// A Markov-modulated Poisson process: states visited in a cycle, each held for an
    /// exponential time; Poisson arrivals at the rate times the state's load, the loads
    /// scaled so that their long-run mean is 1.
    Markov(Vec<ArrivalState>),
}

/// One state of a Markov-modulated arrival process.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArrivalState {
    /// Relative arrival rate in this state (scaled with the others to a mean of 1).
    pub load: f64,
    /// Mean time in this state (exponential).
    pub hold: Duration,
}

/// The order in which a queue serves its waiting jobs.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub enum Discipline {
    /// First in, first out.
    #[default]
    Fifo,
    /// Last in, first out: the newest waiting job is served first.
    Lifo,
    /// FIFO while at most `above` jobs wait, LIFO while more do (a mitigation of
    /// metastable overload: fresh requests are served while their clients still wait).
    AdaptiveLifo {
        /// The backlog above which the newest job goes first.
        above: u64,
    },
    /// Non-preemptive priority classes, the first listed served first, FIFO within a class;
    /// where the queue drops or rejects, a waiting job of a lower class goes first.
    Priority(Vec<JobClass>),
    /// Processor sharing: every job is in service at once, sharing the workers equally.
    ProcessorSharing,
}

/// A priority class of a queue's jobs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobClass {
    /// Its name ("interactive", "batch").
    pub name: String,
    /// Its share of the queue's new jobs (the shares sum to 1).
    pub share: f64,
}

fn default_window() -> Duration {
    Duration(60.0)
}

/// Service time growth with the backlog.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slowdown {
    /// Scale.
    pub a: f64,
    /// Exponent: > 1 is super-linear.
    pub b: f64,
}

/// Client retry policy.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    /// Retries after the first attempt.
    pub count: u32,
    /// Wait before a retry.
    #[serde(default = "zero_dist")]
    pub backoff: Dist,
    /// Each further retry waits this many times longer (2.0: exponential backoff).
    #[serde(default = "one")]
    pub multiplier: f64,
    /// Retry budget: retries allowed per new job (0.1: at most one retry per ten jobs).
    #[serde(default)]
    pub budget: Option<f64>,
}

/// What "healthy" means for a queue.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
pub enum QueueHealth {
    /// Capacity = share of attempts in the window that succeeded in time.
    #[default]
    Goodput,
    /// Capacity = share of jobs done within this latency; 0 while a job waits longer.
    Latency(Duration),
}

/// One way a component breaks: when, what it does, how long until it is repaired.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultMode {
    /// Name shown in traces and reports ("wear", "gunfire").
    pub name: String,
    /// Time to the fault, counted from the start or from the previous repair.
    #[serde(default)]
    pub every: Dist,
    /// What the fault does to the component once active.
    pub effect: Effect,
    /// Dormancy: time from the fault until it becomes an error.
    #[serde(default)]
    pub activation: Option<Dist>,
    /// Time to repair, counted from activation; `Never` (the default) means not within the horizon.
    #[serde(default)]
    pub repair: Dist,
    /// Probability that each occurrence of `every` is a fault (a slip at each landing);
    /// otherwise nothing happens until the next occurrence.
    #[serde(default)]
    pub chance: Option<f64>,
    /// Training that lowers `chance` for a while: human error rates drop after training and
    /// drift back.
    #[serde(default)]
    pub learning: Option<Learning>,
    /// A latent (hidden) fault: once active it changes nothing anyone sees (no output, no
    /// alert) until a demand on the component or an inspection reveals it.
    #[serde(default)]
    pub latent: bool,
    /// Failure on demand: each time the component is called on (a failover to it, a group or
    /// voter losing another member), this fault happens with this probability.
    #[serde(default)]
    pub on_demand: Option<f64>,
    /// Time to repair a latent fault that a demand (not an inspection) revealed, when that
    /// differs from `repair`: a backup found broken in a drill is fixed by taking a new one;
    /// found broken when the data is already lost, it cannot be.
    #[serde(default)]
    pub repair_after_demand: Option<Dist>,
}

/// An inspection (a proof test, a health check, a restore drill): at fixed intervals it
/// looks for latent faults on a component (a group's or voter's members too) and starts
/// the repair of what it finds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    /// The component inspected (a group or voter: its members and backup too).
    pub on: String,
    /// Time between inspections (or give `at`).
    #[serde(default)]
    pub every: Option<Duration>,
    /// Time of the first inspection, with `every` (default: `every`).
    #[serde(default)]
    pub first: Option<Duration>,
    /// A schedule instead of an interval: the times of the inspections, from the start.
    #[serde(default)]
    pub at: Vec<Duration>,
    /// Time an inspection takes; what it finds is found at its end.
    #[serde(default)]
    pub takes: Duration,
    /// Whether the component is out of service while it is inspected.
    #[serde(default)]
    pub offline: bool,
    /// Probability that an inspection finds a given latent fault.
    #[serde(default = "one")]
    pub coverage: f64,
    /// Cost of each inspection.
    #[serde(default)]
    pub cost: f64,
}

/// Periodic training: right after a session the chance is `factor` times its usual value,
/// and the gap closes by half every `halflife`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Learning {
    /// Chance multiplier right after training (0.25: a quarter of the usual slips).
    pub factor: f64,
    /// Time between training sessions (the first is at the start).
    pub every: Duration,
    /// Time for half the effect to wear off.
    pub halflife: Duration,
}

/// A random duration.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Dist {
    /// Exponential with the given mean (memoryless: random failures).
    Exp {
        /// The mean.
        mean: Duration,
    },
    /// Weibull; shape > 1 is wear-out, < 1 infant mortality.
    Weibull {
        /// The shape parameter.
        shape: f64,
        /// The scale parameter.
        scale: Duration,
    },
    /// Log-normal given by its median and the sigma of the underlying normal.
    LogNormal {
        /// The median.
        median: Duration,
        /// The sigma of the underlying normal.
        sigma: f64,
    },
    /// Uniform between two durations.
    Uniform(Duration, Duration),
    /// Always exactly this long (as `every`: the time from a repair to the next fault).
    Fixed(Duration),
    /// Once, at this time from the start (only for `every`).
    At(Duration),
    /// Never happens (injected-only faults; repairs that do not finish).
    #[default]
    Never,
}

/// What an active fault does to its component.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub enum Effect {
    /// Capacity drops to zero.
    Crash,
    /// Capacity is multiplied by the factor in [0, 1].
    Degrade(f64),
    /// Silent wrong output: capacity is intact but what it delivers is wrong.
    Corrupt,
    /// Latency is multiplied by the factor (>= 1).
    Slow(f64),
    /// A load fault on a queue: this many extra jobs arrive over this long.
    Burst {
        /// Extra jobs.
        jobs: u64,
        /// Spread over.
        over: Duration,
    },
}

/// k-of-n redundancy: the group delivers full capacity while members worth `need` are up;
/// below that it is down (k-of-n logic, as in fault trees and block diagrams), unless it is
/// a load-sharing pool (`partial: true`) that delivers the share its members can carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// k: how many healthy members carry the full load.
    pub need: u32,
    /// The member component ids.
    pub of: Vec<String>,
    /// A load-sharing pool: below `need` it delivers `Σ member capacity / need` instead of
    /// nothing.
    #[serde(default)]
    pub partial: bool,
    /// What the group's logic is: k-of-n (the default), or one where order matters.
    #[serde(default)]
    pub kind: GroupKind,
}

/// A group's logic. Beyond k-of-n, the order in which members go down matters: these are
/// the dynamic gates of dynamic fault trees, as general parts of the model. "Down" means
/// capacity zero; going down at the same instant counts as in order (Storm's inclusive
/// semantics).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
pub enum GroupKind {
    /// Down while fewer members than `need` are up (or, `partial`, the share they carry).
    #[default]
    KofN,
    /// A priority AND: down when every member is down and they went down in the order
    /// listed (`need` = the number of members). A sequence-dependent failure: a switch that
    /// fails before the motor it should switch away from.
    InOrder,
    /// A priority OR: down when its first member goes down before any other member has
    /// (`need: 1`).
    First,
    /// Spares: members serve one at a time (`need: 1`): the first member, in the order
    /// listed, that is up and not serving another `Spares` group (spares can be shared).
    /// When the one serving goes down, the next takes over; when one listed earlier is
    /// repaired, it takes over again and the spare goes back to waiting. Down when none is
    /// left. A member waiting unclaimed ages at its `dormancy`.
    Spares,
}

/// Replicas compared by a vote: a wrong or dead minority is outvoted; without a correct
/// majority the backup takes over, or the system shuts down safely.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voter {
    /// The replicas (three for triple modular redundancy).
    pub of: Vec<String>,
    /// An independently built backup that takes over when the replicas disagree.
    #[serde(default)]
    pub backup: Option<String>,
}

/// A service boundary: an error that reaches it below its SLO is a failure users see.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Failed while capacity is below this fraction.
    pub slo: f64,
    /// How many users it serves (for customer-minutes).
    #[serde(default)]
    pub users: u64,
    /// Failed while latency is more than this multiple of normal.
    #[serde(default)]
    pub max_slow: Option<f64>,
    /// The service level objective users are promised: available this share of every
    /// window (its error budget is the rest).
    #[serde(default)]
    pub objective: Option<Objective>,
}

/// An availability objective: the service is not failed for at least `availability` of
/// every `window` (28 or 30 days, typically); the rest is its error budget.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// The promised share of each window, in (0, 1): 0.999 is "three nines".
    pub availability: f64,
    /// The window it is measured over.
    pub window: Duration,
    /// The share of one window's budget a failure episode must use to be a significant
    /// incident (what burn-rate rules are judged against): 0.02 by default (the SRE
    /// Workbook's).
    #[serde(default = "significant_share")]
    pub significant: f64,
}

fn significant_share() -> f64 {
    0.02
}

/// Load carried by a component and the most it can carry before it trips.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// Normal load, in the same units as `limit`.
    pub base: f64,
    /// Load above which the component trips (fails by overload).
    pub limit: f64,
}

/// A dependency: `from` needs `to`; errors travel from `to` to `from`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// The dependent component.
    pub from: String,
    /// The component it depends on.
    pub to: String,
    /// How the dependency acts.
    pub kind: EdgeKind,
    /// Probability that an error episode of `to` reaches `from`.
    #[serde(default)]
    pub p: Option<f64>,
    /// How long an error takes to travel the edge.
    #[serde(default)]
    pub delay: Option<Duration>,
}

/// How a dependency edge transmits trouble.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub enum EdgeKind {
    /// `from` can deliver no more than `to` does; corruption and slowness pass through.
    Requires,
    /// `to` down multiplies `from`'s capacity by the factor (linear in between).
    Degrades(f64),
    /// When `to` goes down, its load moves onto `from` (and its other takers).
    Load,
    /// Queue `from` passes each job it completes to queue `to`.
    Feeds,
}

/// A fault that hits several components at once (one attack on two substations).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonCause {
    /// Name shown in traces and reports.
    pub name: String,
    /// The components it strikes.
    pub hits: Vec<String>,
    /// Time between occurrences.
    #[serde(default)]
    pub every: Dist,
    /// What it does to each component hit.
    pub effect: Effect,
    /// Dormancy before the error.
    #[serde(default)]
    pub activation: Option<Dist>,
    /// Repair time, drawn independently for each component hit.
    #[serde(default)]
    pub repair: Dist,
    /// Latent (hidden) in every component hit, until a demand or an inspection reveals it.
    #[serde(default)]
    pub latent: bool,
}

/// A fault injected at a fixed time in every run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injection {
    /// When.
    pub at: Duration,
    /// The fault mode (of `component`) or common-cause fault (when `component` is absent).
    pub fault: String,
    /// The component whose fault mode `fault` is injected.
    #[serde(default)]
    pub component: Option<String>,
}

/// What downtime costs, per service.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Cost per minute a service is failed.
    #[serde(default)]
    pub outage_per_minute: f64,
    /// Cost per minute a service is degraded but not failed.
    #[serde(default)]
    pub degraded_per_minute: f64,
    /// Cost per user-minute affected (customer-minutes interrupted).
    #[serde(default)]
    pub per_user_minute: f64,
    /// Cost per hour a responder spends on an incident.
    #[serde(default)]
    pub responder_hour: f64,
    /// Cost per job lost (timed out for good, rejected, or dropped).
    #[serde(default)]
    pub per_lost_job: f64,
}

/// An alert: a condition on a component, held for a while, pages the on-call responder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// The component watched.
    pub on: String,
    /// The condition.
    pub when: Condition,
    /// How long the condition must hold before the alert fires.
    #[serde(default)]
    pub after: Duration,
}

/// What an alert watches for.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
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
    /// The error budget of the service's objective burns at least `factor` times too fast
    /// over both windows.
    Burn {
        /// The burn rate that pages (1: the budget lasts exactly one objective window).
        factor: f64,
        /// The long window.
        long: Duration,
        /// The short window (it also decides when the rule resets).
        short: Duration,
    },
}

/// When the humans start repairing a fault.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
pub enum RepairStarts {
    /// As soon as the fault is active (crews and automation already on it).
    #[default]
    Activation,
    /// Only once an incident about it has been diagnosed: an unnoticed fault stays broken.
    Diagnosis,
}

/// The on-call team: detection by customers, acknowledgement, diagnosis, hand-offs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Responders on call at once; an incident waits when all are busy.
    #[serde(default = "one_u32")]
    pub oncall: u32,
    /// Time from the page to a responder starting work.
    #[serde(default = "zero_dist")]
    pub acknowledge: Dist,
    /// Time to find what is broken.
    #[serde(default = "zero_dist")]
    pub diagnose: Dist,
    /// Factor on diagnosis time (a runbook: 0.5 halves it).
    #[serde(default = "one")]
    pub runbook: f64,
    /// Where nothing alerts: time from a user-visible failure to a customer report.
    #[serde(default)]
    pub customer_report: Dist,
    /// Shift length; an incident still being worked then is handed off.
    #[serde(default)]
    pub shift: Option<Duration>,
    /// Whether responders write down what is happening (a hand-off then costs only
    /// `handoff`; without notes the next responder diagnoses again from scratch).
    #[serde(default = "yes")]
    pub notes: bool,
    /// Time a hand-off takes.
    #[serde(default = "zero_dist")]
    pub handoff: Dist,
    /// When repairs start.
    #[serde(default)]
    pub repair_starts: RepairStarts,
    /// How responders tire with time on shift, days in a row and pages (none: they do not).
    #[serde(default)]
    pub fatigue: Option<Fatigue>,
    /// The pager passes to a rested colleague this often (a rota: "1d", "1w"); none: the
    /// same people hold it for the whole run.
    #[serde(default)]
    pub rotate: Option<Duration>,
    /// Responders paged onto one incident, as many as are free (1: one each; all hands:
    /// as many as are on call).
    #[serde(default = "one_u32")]
    pub join: u32,
    /// An incident commander: one of the team coordinates (everyone talks to the
    /// commander, not to everyone) and does no diagnosis.
    #[serde(default)]
    pub commander: bool,
    /// A shared written record of the incident that everyone on it reads and writes:
    /// each line of talk costs `coordination.record_cuts` of what it did.
    #[serde(default)]
    pub record: bool,
    /// How a team's diagnosis time changes with its size.
    #[serde(default)]
    pub coordination: Coordination,
}

/// How a responder tires. The factor `1 + per_hour × (hours on shift beyond fresh) +
/// per_day × (days in a row beyond the first) + per_page × (pages in the last 24 hours
/// beyond the first)`, at most `max`, multiplies diagnosis and procedure times and the
/// chances of skipping a step or doing it wrong.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fatigue {
    /// Time on shift before fatigue shows.
    #[serde(default = "eight_hours")]
    pub fresh: Duration,
    /// Added per further hour on shift.
    #[serde(default = "per_hour")]
    pub per_hour: f64,
    /// Added per day worked in a row beyond the first.
    #[serde(default = "per_day")]
    pub per_day: f64,
    /// Added per page in the last 24 hours beyond the first.
    #[serde(default = "per_page")]
    pub per_page: f64,
    /// Free time that ends a shift (a night's sleep): the next page starts a new one.
    #[serde(default = "six_hours")]
    pub rest: Duration,
    /// The largest factor.
    #[serde(default = "three")]
    pub max: f64,
}

impl Default for Fatigue {
    fn default() -> Fatigue {
        Fatigue {
            fresh: eight_hours(),
            per_hour: per_hour(),
            per_day: per_day(),
            per_page: per_page(),
            rest: six_hours(),
            max: three(),
        }
    }
}

/// How a team of n on one incident diagnoses: the work splits (but for a `serial` share
/// that does not) and every line of talk between two of them costs `per_channel` more
/// time: `(serial + (1 − serial) / workers) × (1 + per_channel × channels)`, with
/// n(n − 1)/2 channels, or n − 1 with a commander (who does not diagnose).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordination {
    /// Share of a diagnosis that does not split between people.
    #[serde(default = "serial")]
    pub serial: f64,
    /// Extra time per line of talk between two responders.
    #[serde(default = "per_channel")]
    pub per_channel: f64,
    /// With a shared written record, each line of talk costs this share of `per_channel`.
    #[serde(default = "record_cuts")]
    pub record_cuts: f64,
}

impl Default for Coordination {
    fn default() -> Coordination {
        Coordination {
            serial: serial(),
            per_channel: per_channel(),
            record_cuts: record_cuts(),
        }
    }
}

fn eight_hours() -> Duration {
    Duration(8.0 * 3600.0)
}

fn six_hours() -> Duration {
    Duration(6.0 * 3600.0)
}

/// Folkard & Tucker (2003): 10-hour shifts +13%, 12-hour +27% risk against 8-hour ones.
fn per_hour() -> f64 {
    0.065
}

/// Folkard & Tucker (2003): the fourth day shift in a row +17% risk against the first.
fn per_day() -> f64 {
    0.055
}

/// Assumed: no public curve for pages; each extra page in a day adds as much as an hour.
fn per_page() -> f64 {
    0.065
}

fn three() -> f64 {
    3.0
}

fn serial() -> f64 {
    0.3
}

fn per_channel() -> f64 {
    0.05
}

fn record_cuts() -> f64 {
    0.25
}

/// Partial override of [`Response`] by a strategy: the fields given replace the scenario's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsePatch {
    /// See [`Response::oncall`].
    pub oncall: Option<u32>,
    /// See [`Response::acknowledge`].
    pub acknowledge: Option<Dist>,
    /// See [`Response::diagnose`].
    pub diagnose: Option<Dist>,
    /// See [`Response::runbook`].
    pub runbook: Option<f64>,
    /// See [`Response::customer_report`].
    pub customer_report: Option<Dist>,
    /// See [`Response::shift`].
    pub shift: Option<Duration>,
    /// See [`Response::notes`].
    pub notes: Option<bool>,
    /// See [`Response::handoff`].
    pub handoff: Option<Dist>,
    /// See [`Response::repair_starts`].
    pub repair_starts: Option<RepairStarts>,
    /// See [`Response::fatigue`].
    pub fatigue: Option<Fatigue>,
    /// See [`Response::rotate`].
    pub rotate: Option<Duration>,
    /// See [`Response::join`].
    pub join: Option<u32>,
    /// See [`Response::commander`].
    pub commander: Option<bool>,
    /// See [`Response::record`].
    pub record: Option<bool>,
    /// See [`Response::coordination`].
    pub coordination: Option<Coordination>,
}

/// A named way of dealing with failures, scored against the baseline by `compare`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// Name in the ranking.
    pub name: String,
    /// What it means.
    #[serde(default)]
    pub about: String,
    /// Mitigations available to responders (or automated).
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
    /// Extra alerts (or, with `replace_alerts`, the only ones).
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// The strategy's alerts replace the scenario's instead of adding to them: how one
    /// alert policy is swapped for another.
    #[serde(default)]
    pub replace_alerts: bool,
    /// Extra inspections (restore drills, proof tests).
    #[serde(default)]
    pub inspections: Vec<Inspection>,
    /// Changes to the response team.
    #[serde(default)]
    pub response: Option<ResponsePatch>,
    /// Changes to the system itself: components replacing those with the same id or
    /// added, and edges added (a redundant substation).
    #[serde(default)]
    pub patch: Option<Patch>,
    /// Fixed cost charged to every run (equipment, standby staff, amortised over the horizon).
    #[serde(default)]
    pub cost: f64,
}

/// Changes a strategy makes to the system.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// Components: same id replaces, new id adds.
    #[serde(default)]
    pub components: Vec<Component>,
    /// Edges added.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Common causes: a name the scenario has edits the fields given (or removes it), a
    /// new name adds one (so a third app server can be hit by the bad deploy too).
    #[serde(default)]
    pub common_cause: Vec<CommonCausePatch>,
}

/// A strategy's change to one common cause, by name: the fields given replace the
/// scenario's; a new name needs at least `hits` and `effect`; `remove: true` deletes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonCausePatch {
    /// The common cause changed, removed or added.
    pub name: String,
    /// Removes the scenario's common cause of that name (no other field may be given).
    #[serde(default)]
    pub remove: bool,
    /// See [`CommonCause::hits`]: the whole new list.
    #[serde(default)]
    pub hits: Option<Vec<String>>,
    /// See [`CommonCause::every`].
    #[serde(default)]
    pub every: Option<Dist>,
    /// See [`CommonCause::effect`].
    #[serde(default)]
    pub effect: Option<Effect>,
    /// See [`CommonCause::activation`].
    #[serde(default)]
    pub activation: Option<Dist>,
    /// See [`CommonCause::repair`].
    #[serde(default)]
    pub repair: Option<Dist>,
    /// See [`CommonCause::latent`].
    #[serde(default)]
    pub latent: Option<bool>,
}

impl CommonCausePatch {
    /// The fields it sets, by their names in the file.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = vec![];
        if self.hits.is_some() {
            f.push("hits");
        }
        if self.every.is_some() {
            f.push("every");
        }
        if self.effect.is_some() {
            f.push("effect");
        }
        if self.activation.is_some() {
            f.push("activation");
        }
        if self.repair.is_some() {
            f.push("repair");
        }
        if self.latent.is_some() {
            f.push("latent");
        }
        f
    }
}

/// Who applies a mitigation.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
pub enum Trigger {
    /// A responder, once the incident is diagnosed.
    #[default]
    Manual,
    /// Tooling, with no human, once the component has been impaired this long.
    Auto(Duration),
}

/// Fix the failure, not the fault: something that restores service while the repair goes on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Mitigation {
    /// Spare units (the mobile transformer) that stand in for failed members of a set.
    Spare {
        /// Components a spare can stand in for.
        #[serde(rename = "for")]
        for_: Vec<String>,
        /// Time to bring a spare in and connect it.
        deploy: Dist,
        /// Capacity of the stand-in, as a fraction of the component's.
        #[serde(default = "one")]
        capacity: f64,
        /// Units available.
        #[serde(default = "one_u32")]
        stock: u32,
        /// Time to failure of a spare in service.
        #[serde(default)]
        fails: Dist,
        /// Failure-rate factor while waiting unused (0 cold, 1 hot; a warm spare between).
        #[serde(default)]
        dormant: f64,
        /// Who deploys it.
        #[serde(default)]
        trigger: Trigger,
        /// The steps a person (or a tool) goes through to apply it: each can be skipped or
        /// done wrong, more often when the responder is tired.
        #[serde(default)]
        procedure: Option<Procedure>,
        /// Whether the responder who applies it stays with it until it is done (spoon-feeding
        /// by hand) instead of being free once users are served again.
        #[serde(default)]
        hands_on: bool,
        /// Cost per deployment.
        #[serde(default)]
        per_use: f64,
    },
    /// Switch a component's role to a standby component.
    Failover {
        /// The component failed over.
        #[serde(rename = "for")]
        for_: String,
        /// The standby whose output replaces it.
        standby: String,
        /// Time to switch.
        #[serde(default = "zero_dist")]
        delay: Dist,
        /// Who triggers it.
        #[serde(default)]
        trigger: Trigger,
        /// The steps a person (or a tool) goes through to apply it: each can be skipped or
        /// done wrong, more often when the responder is tired.
        #[serde(default)]
        procedure: Option<Procedure>,
        /// Whether the responder who applies it stays with it until it is done (spoon-feeding
        /// by hand) instead of being free once users are served again.
        #[serde(default)]
        hands_on: bool,
        /// Cost per use.
        #[serde(default)]
        per_use: f64,
    },
    /// Pull jobs out of an overloaded queue: park them and spoon-feed them back at `rate`
    /// jobs per second, or drop what is above `above` waiting jobs.
    Shed {
        /// The queue.
        #[serde(rename = "for")]
        for_: String,
        /// Re-insert parked jobs at this many per second (spoon-feeding).
        #[serde(default)]
        rate: Option<f64>,
        /// Drop new jobs while more than this many wait.
        #[serde(default)]
        above: Option<u64>,
        /// Time to start shedding.
        #[serde(default = "zero_dist")]
        delay: Dist,
        /// Who does it: a responder (by hand) or a tool.
        #[serde(default)]
        trigger: Trigger,
        /// The steps a person (or a tool) goes through to apply it: each can be skipped or
        /// done wrong, more often when the responder is tired.
        #[serde(default)]
        procedure: Option<Procedure>,
        /// Whether the responder who applies it stays with it until it is done (spoon-feeding
        /// by hand) instead of being free once users are served again.
        #[serde(default)]
        hands_on: bool,
        /// Cost per use.
        #[serde(default)]
        per_use: f64,
        /// Cost per dropped job.
        #[serde(default)]
        per_drop: f64,
    },
    /// Admission control: at most `rate` new jobs per second enter the queue.
    RateLimit {
        /// The queue.
        #[serde(rename = "for")]
        for_: String,
        /// Jobs per second admitted.
        rate: f64,
        /// Time to switch it on.
        #[serde(default = "zero_dist")]
        delay: Dist,
        /// Who switches it on.
        #[serde(default)]
        trigger: Trigger,
        /// The steps a person (or a tool) goes through to apply it: each can be skipped or
        /// done wrong, more often when the responder is tired.
        #[serde(default)]
        procedure: Option<Procedure>,
        /// Whether the responder who applies it stays with it until it is done (spoon-feeding
        /// by hand) instead of being free once users are served again.
        #[serde(default)]
        hands_on: bool,
        /// Cost per use.
        #[serde(default)]
        per_use: f64,
    },
    /// Fail fast: while the queue's dependencies deliver less than `below`, or (with
    /// `slower_than`) take that many times their normal time or more, reject jobs at once
    /// instead of letting them time out.
    CircuitBreaker {
        /// The queue.
        #[serde(rename = "for")]
        for_: String,
        /// Dependency capacity below which the breaker opens.
        #[serde(default = "half")]
        below: f64,
        /// Latency factor at or above which the breaker also opens (none: slowness never
        /// opens it).
        #[serde(default)]
        slower_than: Option<f64>,
    },
    /// Add workers to a queue after a delay.
    AddWorkers {
        /// The queue.
        #[serde(rename = "for")]
        for_: String,
        /// How many.
        workers: u32,
        /// Time to bring them up.
        #[serde(default = "zero_dist")]
        delay: Dist,
        /// Who adds them.
        #[serde(default)]
        trigger: Trigger,
        /// The steps a person (or a tool) goes through to apply it: each can be skipped or
        /// done wrong, more often when the responder is tired.
        #[serde(default)]
        procedure: Option<Procedure>,
        /// Whether the responder who applies it stays with it until it is done (spoon-feeding
        /// by hand) instead of being free once users are served again.
        #[serde(default)]
        hands_on: bool,
        /// Cost per use.
        #[serde(default)]
        per_use: f64,
    },
    /// The real fix: a redesign that removes a queue's slowdown, after a long time.
    Redesign {
        /// The queue.
        #[serde(rename = "for")]
        for_: String,
        /// Time the redesign takes, from diagnosis.
        takes: Dist,
        /// Cost per use.
        #[serde(default)]
        per_use: f64,
    },
    /// Restart a component: clears its faults with some probability.
    Restart {
        /// Components that can be restarted.
        #[serde(rename = "for")]
        for_: Vec<String>,
        /// Time a restart takes.
        #[serde(default = "zero_dist")]
        takes: Dist,
        /// Probability that a restart clears the fault.
        #[serde(default = "one")]
        works: f64,
        /// Who restarts it.
        #[serde(default)]
        trigger: Trigger,
        /// The steps a person (or a tool) goes through to apply it: each can be skipped or
        /// done wrong, more often when the responder is tired.
        #[serde(default)]
        procedure: Option<Procedure>,
        /// Whether the responder who applies it stays with it until it is done (spoon-feeding
        /// by hand) instead of being free once users are served again.
        #[serde(default)]
        hands_on: bool,
        /// Cost per use.
        #[serde(default)]
        per_use: f64,
    },
}

impl Mitigation {
    /// Who applies it: the `trigger` written, or what the kind implies where it has none (a
    /// circuit breaker is always armed; a redesign is started by the people who diagnosed
    /// the problem).
    pub fn trigger(&self) -> Trigger {
        match self {
            Mitigation::Spare { trigger, .. }
            | Mitigation::Failover { trigger, .. }
            | Mitigation::Restart { trigger, .. }
            | Mitigation::Shed { trigger, .. }
            | Mitigation::RateLimit { trigger, .. }
            | Mitigation::AddWorkers { trigger, .. } => *trigger,
            Mitigation::CircuitBreaker { .. } => Trigger::Auto(Duration(0.0)),
            Mitigation::Redesign { .. } => Trigger::Manual,
        }
    }

    /// Its procedure, if it has one (a circuit breaker and a redesign have none).
    pub fn procedure(&self) -> Option<&Procedure> {
        match self {
            Mitigation::Spare { procedure, .. }
            | Mitigation::Failover { procedure, .. }
            | Mitigation::Restart { procedure, .. }
            | Mitigation::Shed { procedure, .. }
            | Mitigation::RateLimit { procedure, .. }
            | Mitigation::AddWorkers { procedure, .. } => procedure.as_ref(),
            Mitigation::CircuitBreaker { .. } | Mitigation::Redesign { .. } => None,
        }
    }

    /// Whether the responder who applies it stays with it until it is done.
    pub fn hands_on(&self) -> bool {
        match self {
            Mitigation::Spare { hands_on, .. }
            | Mitigation::Failover { hands_on, .. }
            | Mitigation::Restart { hands_on, .. }
            | Mitigation::Shed { hands_on, .. }
            | Mitigation::RateLimit { hands_on, .. }
            | Mitigation::AddWorkers { hands_on, .. } => *hands_on,
            Mitigation::CircuitBreaker { .. } | Mitigation::Redesign { .. } => false,
        }
    }
}

/// A mitigation as a procedure: steps done one after the other. The mitigation works only
/// if no step is skipped or done wrong; a failed procedure is noticed after `notice` and
/// done again.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Factor on every step's chance of being skipped: a checklist (0.25: a quarter as
    /// often). 1: no checklist.
    #[serde(default = "one")]
    pub checklist: f64,
    /// Time until someone notices that the procedure did not work and starts it again.
    #[serde(default = "zero_dist")]
    pub notice: Dist,
}

/// One step of a [`Procedure`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step is ("fence the old primary").
    pub name: String,
    /// Time it takes (× the responder's fatigue).
    #[serde(default = "zero_dist")]
    pub takes: Dist,
    /// Chance it is forgotten (× fatigue, × the checklist factor): the procedure fails.
    #[serde(default)]
    pub skip: f64,
    /// Chance it is done wrong (× fatigue): the procedure fails and `worse` strikes.
    #[serde(default)]
    pub wrong: f64,
    /// The second fault a wrong step causes, if any.
    #[serde(default)]
    pub worse: Option<Worse>,
}

/// A fault that a wrong step sets off: a fault mode of a component.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worse {
    /// The component.
    pub on: String,
    /// Its fault mode (by name).
    pub fault: String,
}

fn one_u32() -> u32 {
    1
}

fn yes() -> bool {
    true
}

fn half() -> f64 {
    0.5
}

fn zero_dist() -> Dist {
    Dist::Fixed(Duration(0.0))
}
