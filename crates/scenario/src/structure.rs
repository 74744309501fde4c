//! A scenario's static structure as fault trees, one per service: which combinations of
//! faults fail it, ignoring time, people and load. What `analyze`, `export --mef` and
//! `run --exact` work from.
//!
//! A component is down when one of its crash faults is active, a common cause that hits it
//! is, a component it requires is down, its group has fewer members up than it needs, or
//! its voter has no majority and no backup up. Each fault mode and common cause is a basic
//! event whose probability is what the component's history makes of it:
//! - never repaired: P(it has happened by the horizon), so P(top) is exactly the share of
//!   runs in which the service has failed by then (`exact_in_time`);
//! - repaired: its steady-state unavailability, mean repair ÷ (mean time to fault + mean
//!   repair), the usual point value of a repairable event in a fault tree.
//!
//! What has no Boolean structure (degraded capacity, slowness, load, queues, probabilistic
//! edges, latent faults, phases...) is listed in a [`NotStatic`] error, each reason naming
//! the component and field, never approximated.

use crate::schema::{
    Component, Dist, EdgeKind, Effect, FaultMode, GroupKind, RepairStarts, Scenario,
};
use faultline_ftree::markov::Rates;
use faultline_ftree::{Event, FaultTree, Gate, Law, Node, Op};
use std::collections::HashMap;

/// The fault trees of a scenario's services.
#[derive(Clone, Debug)]
pub struct Structure {
    /// Per service, in declaration order: its id and its tree.
    pub services: Vec<(String, FaultTree)>,
    /// Whether every probability is P(happened by the horizon) and nothing restores a
    /// failed component (no repairs, no mitigations): P(top) is then exactly the
    /// probability that the service has failed by the horizon.
    pub exact_in_time: bool,
    /// Per basic event, its failure and repair rates (per second), when every event fails
    /// and is repaired at constant rates on its own (exponential times, repairs starting
    /// at once, common causes never repaired): the trees are then Markov chains with
    /// exact availability and first-failure answers (`faultline_ftree::markov`).
    pub rates: Option<Vec<Rates>>,
}

/// Why a scenario has no static structure: each reason names its component and field.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("no static structure: {}", .0.join("; "))]
pub struct NotStatic(pub Vec<String>);

/// The static structure of `sc` (see the module documentation).
pub fn structure(sc: &Scenario) -> Result<Structure, NotStatic> {
    let mut b = Builder::new(sc);
    b.refuse_scenario_wide();
    let mut tops = vec![];
    for (i, c) in sc.components.iter().enumerate() {
        if c.service.is_some() {
            tops.push((c.id.clone(), b.component(i)));
        }
    }
    if !b.reasons.is_empty() {
        b.reasons.dedup();
        return Err(NotStatic(b.reasons));
    }
    let services = tops
        .into_iter()
        .map(|(id, top)| {
            (
                id,
                FaultTree {
                    top,
                    ..b.tree.clone()
                },
            )
        })
        .collect();
    let people_repair = sc
        .response
        .as_ref()
        .is_some_and(|r| r.repair_starts == RepairStarts::Diagnosis);
    let rates = if people_repair { None } else { b.rates };
    Ok(Structure {
        services,
        exact_in_time: b.all_unrepaired,
        rates,
    })
}

struct Builder<'s> {
    sc: &'s Scenario,
    ids: HashMap<&'s str, usize>,
    tree: FaultTree,
    /// Per component: its gate, once built (None while being built: a cycle).
    done: HashMap<usize, Option<Node>>,
    /// Basic events of the common causes, by name.
    causes: HashMap<&'s str, Node>,
    reasons: Vec<String>,
    all_unrepaired: bool,
    /// Each event's rates, while every event has them.
    rates: Option<Vec<Rates>>,
}

impl<'s> Builder<'s> {
    fn new(sc: &'s Scenario) -> Self {
        let ids = sc
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        Builder {
            sc,
            ids,
            tree: FaultTree::default(),
            done: HashMap::new(),
            causes: HashMap::new(),
            reasons: vec![],
            all_unrepaired: true,
            rates: Some(vec![]),
        }
    }

    fn refuse(&mut self, reason: String) {
        self.reasons.push(reason);
    }

    fn refuse_scenario_wide(&mut self) {
        if self.sc.phases.is_some() {
            self.refuse("phases: the structure changes with the phase".into());
        }
        if !self.sc.inspections.is_empty() {
            self.refuse(
                "inspections: they act on latent faults, which have no static value".into(),
            );
        }
        if self
            .sc
            .edges
            .iter()
            .any(|e| e.kind == EdgeKind::Load || e.kind == EdgeKind::Feeds)
        {
            self.refuse("edges: Load and Feeds edges move load and jobs, not failures".into());
        }
        for e in &self.sc.edges {
            if matches!(e.kind, EdgeKind::Degrades(f) if f > 0.0) {
                self.refuse(format!(
                    "edge {} -> {}: Degrades leaves part of the capacity",
                    e.from, e.to
                ));
            }
            if e.p.is_some_and(|p| p < 1.0) {
                self.refuse(format!(
                    "edge {} -> {}: an error crosses it with probability p",
                    e.from, e.to
                ));
            }
        }
    }

    /// The gate (or constant) saying whether component `i` is down.
    fn component(&mut self, i: usize) -> Node {
        match self.done.get(&i) {
            Some(Some(n)) => return *n,
            Some(None) => {
                let id = &self.sc.components[i].id;
                self.refuse(format!(
                    "component {id}: it depends on itself through delayed edges"
                ));
                return Node::Const(false);
            }
            None => {}
        }
        self.done.insert(i, None);
        let c: &'s Component = &self.sc.components[i];
        let mut parts = vec![];
        self.check_component(c);
        for f in &c.faults {
            if let Some(e) = self.fault(c, f) {
                parts.push(e);
            }
        }
        for cc in self
            .sc
            .common_cause
            .iter()
            .filter(|cc| cc.hits.contains(&c.id))
        {
            if let Some(e) = self.cause(cc) {
                parts.push(e);
            }
        }
        let requires: Vec<usize> = self
            .sc
            .edges
            .iter()
            .filter(|e| {
                e.from == c.id && matches!(e.kind, EdgeKind::Requires | EdgeKind::Degrades(_))
            })
            .filter_map(|e| self.ids.get(e.to.as_str()).copied())
            .collect();
        for d in requires {
            parts.push(self.component(d));
        }
        if let Some(g) = &c.group {
            let idx: Vec<usize> =
                g.of.iter()
                    .filter_map(|m| self.ids.get(m.as_str()).copied())
                    .collect();
            let members: Vec<Node> = idx.into_iter().map(|m| self.component(m)).collect();
            let k = members.len() as u32 + 1 - g.need.min(members.len() as u32);
            parts.push(self.gate(&format!("{} (group)", c.id), Op::AtLeast(k.max(1)), members));
        }
        if let Some(v) = &c.voter {
            let idx: Vec<usize> =
                v.of.iter()
                    .filter_map(|m| self.ids.get(m.as_str()).copied())
                    .collect();
            let replicas: Vec<Node> = idx.into_iter().map(|m| self.component(m)).collect();
            let n = replicas.len() as u32;
            let outvoted = self.gate(
                &format!("{} (no majority)", c.id),
                Op::AtLeast(n - n / 2),
                replicas,
            );
            let node = match v.backup.as_deref().and_then(|b| self.ids.get(b).copied()) {
                Some(b) => {
                    let backup = self.component(b);
                    self.gate(&format!("{} (vote)", c.id), Op::And, vec![outvoted, backup])
                }
                None => outvoted,
            };
            parts.push(node);
        }
        let node = match parts.len() {
            0 => Node::Const(false),
            _ => self.gate(&c.id, Op::Or, parts),
        };
        self.done.insert(i, Some(node));
        node
    }

    fn gate(&mut self, name: &str, op: Op, args: Vec<Node>) -> Node {
        self.tree.gates.push(Gate {
            name: name.to_string(),
            op,
            args,
            at: None,
        });
        Node::Gate(self.tree.gates.len() as u32 - 1)
    }

    fn check_component(&mut self, c: &Component) {
        if c.queue.is_some() {
            self.refuse(format!(
                "component {}: a queue fails by its backlog, not by a structure",
                c.id
            ));
        }
        if c.load.is_some() {
            self.refuse(format!("component {}: load moves between components", c.id));
        }
        if c.capacity < 1.0 {
            self.refuse(format!(
                "component {}: a capacity of {} is partial service",
                c.id, c.capacity
            ));
        }
        if let Some(g) = c.group.as_ref().filter(|g| g.kind != GroupKind::KofN) {
            self.refuse(format!(
                "component {}: its group is {:?}, where the order members go down in matters",
                c.id, g.kind
            ));
        }
        if c.group.as_ref().is_some_and(|g| g.partial) {
            self.refuse(format!(
                "component {}: a load-sharing group (partial) degrades in steps",
                c.id
            ));
        }
    }

    /// A fault mode as a basic event, or a reason it cannot be one.
    fn fault(&mut self, c: &Component, f: &FaultMode) -> Option<Node> {
        let at = format!("component {} fault {}", c.id, f.name);
        match f.effect {
            Effect::Crash | Effect::Degrade(0.0) => {}
            other => {
                self.refuse(format!(
                    "{at}: {} is not a Boolean failure",
                    effect_name(other)
                ));
                return None;
            }
        }
        if f.activation.is_some()
            || f.latent
            || f.on_demand.is_some()
            || f.learning.is_some()
            || f.repair_after_demand.is_some()
        {
            self.refuse(format!(
                "{at}: dormancy, latency, failure on demand and learning have no static value"
            ));
            return None;
        }
        let p = self.probability(&at, f.every, f.chance, f.repair)?;
        let markov = f.chance.is_none();
        Some(self.event(format!("{}/{}", c.id, f.name), p, f.every, f.repair, markov))
    }

    fn cause(&mut self, cc: &'s crate::schema::CommonCause) -> Option<Node> {
        if let Some(n) = self.causes.get(cc.name.as_str()) {
            return Some(*n);
        }
        let at = format!("common cause {}", cc.name);
        if !matches!(cc.effect, Effect::Crash | Effect::Degrade(0.0))
            || cc.latent
            || cc.activation.is_some()
        {
            self.refuse(format!(
                "{at}: only an immediate crash has a Boolean structure"
            ));
            return None;
        }
        let p = self.probability(&at, cc.every, None, cc.repair)?;
        // Each component hit is repaired on its own: one event only if none is.
        let n = self.event(
            cc.name.clone(),
            p,
            cc.every,
            cc.repair,
            cc.repair == Dist::Never,
        );
        self.causes.insert(&cc.name, n);
        Some(n)
    }

    fn event(&mut self, name: String, p: f64, every: Dist, repair: Dist, markov: bool) -> Node {
        let rates = match (every, repair) {
            (Dist::Exp { mean }, Dist::Never) if markov => Some(Rates {
                lambda: 1.0 / mean.secs(),
                mu: 0.0,
            }),
            (Dist::Exp { mean }, Dist::Exp { mean: r }) if markov => Some(Rates {
                lambda: 1.0 / mean.secs(),
                mu: 1.0 / r.secs(),
            }),
            _ => None,
        };
        match (&mut self.rates, rates) {
            (Some(all), Some(r)) => all.push(r),
            (all, _) => *all = None,
        }
        let law = match (every, repair) {
            (Dist::Exp { mean }, Dist::Never) => Law::Exponential {
                lambda: 3600.0 / mean.secs(),
                hours: self.sc.horizon.secs() / 3600.0,
            },
            _ => Law::Probability,
        };
        self.tree.events.push(Event { name, p, law });
        Node::Event(self.tree.events.len() as u32 - 1)
    }

    /// The event's probability: P(happened by the horizon) without repair, the
    /// steady-state unavailability with one.
    fn probability(
        &mut self,
        at: &str,
        every: Dist,
        chance: Option<f64>,
        repair: Dist,
    ) -> Option<f64> {
        let t = self.sc.horizon.secs();
        if chance.is_some() && !matches!(every, Dist::At(_)) {
            self.refuse(format!(
                "{at}: a chance at each occurrence of a recurring time has no static value"
            ));
            return None;
        }
        let c = chance.unwrap_or(1.0);
        if repair == Dist::Never {
            return Some(c * by_time(every, t));
        }
        self.all_unrepaired = false;
        match (mean(every), mean(repair)) {
            (Some(up), Some(down)) if !matches!(every, Dist::At(_)) => Some(down / (up + down)),
            _ => {
                self.refuse(format!("{at}: a repaired fault needs a recurring time to fault with a mean, and a repair with a mean"));
                None
            }
        }
    }
}

/// P(a fault with time-to-fault `every` has happened by `t`).
fn by_time(every: Dist, t: f64) -> f64 {
    match every {
        Dist::Exp { mean } => 1.0 - (-t / mean.secs()).exp(),
        Dist::Weibull { shape, scale } => 1.0 - (-(t / scale.secs()).powf(shape)).exp(),
        Dist::LogNormal { median, sigma } => {
            use statrs::distribution::{ContinuousCDF, LogNormal};
            LogNormal::new(median.secs().ln(), sigma).map_or(0.0, |d| d.cdf(t))
        }
        Dist::Uniform(a, b) => {
            ((t - a.secs()) / (b.secs() - a.secs()).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0)
        }
        Dist::Fixed(d) | Dist::At(d) => f64::from(u8::from(d.secs() <= t)),
        Dist::Never => 0.0,
    }
}

/// The mean of a duration.
fn mean(d: Dist) -> Option<f64> {
    match d {
        Dist::Exp { mean } => Some(mean.secs()),
        Dist::Weibull { shape, scale } => {
            Some(scale.secs() * statrs::function::gamma::gamma(1.0 + 1.0 / shape))
        }
        Dist::LogNormal { median, sigma } => Some(median.secs() * (sigma * sigma / 2.0).exp()),
        Dist::Uniform(a, b) => Some((a.secs() + b.secs()) / 2.0),
        Dist::Fixed(d) => Some(d.secs()),
        Dist::At(_) | Dist::Never => None,
    }
}

/// An effect as the scenario file writes it, for messages.
fn effect_name(e: Effect) -> String {
    match e {
        Effect::Crash => "Crash".into(),
        Effect::Degrade(f) => format!("Degrade({f})"),
        Effect::Corrupt => "Corrupt".into(),
        Effect::Slow(f) => format!("Slow({f})"),
        Effect::Burst { .. } => "a Burst".into(),
    }
}
