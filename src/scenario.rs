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
    /// Marks a service boundary: what users see.
    #[serde(default)]
    pub service: Option<Service>,
    /// Load carried, for `Load` edges (cascading overload).
    #[serde(default)]
    pub load: Option<Load>,
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
}

/// A random duration.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
pub enum Dist {
    /// Exponential with the given mean (memoryless: random failures).
    Exp { mean: Duration },
    /// Weibull; shape > 1 is wear-out, < 1 infant mortality.
    Weibull { shape: f64, scale: Duration },
    /// Log-normal given by its median and the sigma of the underlying normal.
    LogNormal { median: Duration, sigma: f64 },
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
}

/// k-of-n redundancy: the group delivers full capacity while members worth `need` are healthy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// k: how many healthy members carry the full load.
    pub need: u32,
    /// The member component ids.
    pub of: Vec<String>,
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
}
