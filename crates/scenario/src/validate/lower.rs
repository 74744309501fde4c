//! Lowering: the flat [`Model`] the engine runs, built from a scenario that passed every
//! check (so every id resolves and every distribution samples).

use super::DEFAULT_MAX_EVENTS;
use super::check::{Checked, feeders};
use crate::duration::Duration;
use crate::schema::{
    Condition, Dist, EdgeKind, Effect, Mitigation, QueueHealth, RepairStarts, Scenario, Strategy,
    Trigger,
};
use faultline_core::model::topology as graph;
use faultline_core::model::{
    self, AlertSpec, Common, Comp, CostModel, Csr, Edge, Injection, MitigationKind, MitigationSpec,
    Model, NONE, QueueHealthSpec, QueueSpec, ResponseSpec, Sampler, ServiceSpec, Slot, Source,
    stable_hash,
};
use std::collections::HashMap;

/// Builds the flat model from a scenario already known to be valid (`checked` is what its
/// checks found) and the strategy applied to it, if any.
pub(in crate::validate) fn build(
    sc: &Scenario,
    strategy: Option<&Strategy>,
    checked: Checked<'_>,
) -> Model {
    let Checked { ids, edges, ranks } = checked;
    let (ids, edges) = (&ids, &edges);
    let n = sc.components.len();
    let mut slots: Vec<Slot> = vec![];
    let mut comps: Vec<Comp> = Vec::with_capacity(n);
    for (i, c) in sc.components.iter().enumerate() {
        let start = slots.len() as u32;
        for f in &c.faults {
            slots.push(Slot {
                comp: i as u32,
                name: f.name.clone(),
                effect: effect(f.effect),
                every: sampler(&f.every),
                once: matches!(f.every, Dist::At(_)),
                activation: f.activation.as_ref().map(sampler),
                repair: sampler(&f.repair),
                source: Source::Own,
                key: stable_hash(&["fault", &c.id, &f.name]),
                chance: f.chance.unwrap_or(1.0),
                learning: f
                    .learning
                    .map(|l| (l.factor, l.every.secs(), l.halflife.secs())),
            });
        }
        comps.push(Comp {
            id: c.id.clone(),
            capacity: c.capacity,
            slots: start..slots.len() as u32,
            need: c.group.as_ref().map_or(0, |g| g.need),
            voter: c
                .voter
                .as_ref()
                .map(|v| v.backup.as_ref().map_or(NONE, |b| ids[b.as_str()])),
            service: c.service.as_ref().map(|s| ServiceSpec {
                slo: s.slo,
                users: s.users,
                max_slow: s.max_slow.unwrap_or(f64::INFINITY),
            }),
            load: c.load.as_ref().map(|l| (l.base, l.limit)),
            cluster: NONE,

            queue: NONE,
        });
    }
    let mut common = vec![];
    let mut cc_index: HashMap<&str, u32> = HashMap::new();
    for cc in &sc.common_cause {
        let start = slots.len() as u32;
        let idx = common.len() as u32;
        for h in &cc.hits {
            slots.push(Slot {
                comp: ids[h.as_str()],
                name: cc.name.clone(),
                effect: effect(cc.effect),
                every: Sampler::Never,
                once: false,
                activation: cc.activation.as_ref().map(sampler),
                repair: sampler(&cc.repair),
                source: Source::Common(idx),
                key: stable_hash(&["common", &cc.name, h]),
                chance: 1.0,
                learning: None,
            });
        }
        cc_index.insert(&cc.name, idx);
        common.push(Common {
            name: cc.name.clone(),
            every: sampler(&cc.every),
            once: matches!(cc.every, Dist::At(_)),
            slots: start..slots.len() as u32,
            key: stable_hash(&["common", &cc.name]),
        });
    }

    let comp_slots = Csr::from_pairs(
        n,
        &slots
            .iter()
            .enumerate()
            .map(|(k, s)| (s.comp, k as u32))
            .collect::<Vec<_>>(),
    );
    let mut model_edges = vec![];
    let mut random_edges = 0u32;
    let mut load_pairs = vec![];
    let mut feed_pairs: Vec<(u32, u32)> = vec![];
    for &(f, t, e) in edges {
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
            from: f,
            to: t,
            kind,
            p: e.p.unwrap_or(1.0),
            delay: e.delay.map_or(0.0, |d| d.secs()),
            rng: NONE,
            key: stable_hash(&["edge", &e.from, &e.to]),
        });
    }
    // Edges sorted by dependent, Requires before Degrades: each component's inputs are one
    // contiguous run of the edge arrays (cache-friendly), and the minimum is taken before
    // Degrades factors multiply, whatever order the file lists them in (propagation.rs).
    model_edges.sort_by_key(|e| (e.from, matches!(e.kind, model::EdgeKind::Degrades(_))));
    for e in &mut model_edges {
        if e.p < 1.0 {
            e.rng = random_edges;
            random_edges += 1;
        }
    }
    let inputs = Csr::from_pairs(
        n,
        &model_edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.from, i as u32))
            .collect::<Vec<_>>(),
    );
    let dependents = Csr::from_pairs(
        n,
        &model_edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.to, i as u32))
            .collect::<Vec<_>>(),
    );
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
    let members = Csr::from_pairs(n, &member_pairs);
    let groups_of = Csr::from_pairs(n, &feeder_pairs);
    // `from` takes `to`'s load.
    let load_takes = Csr::from_pairs(n, &load_pairs);
    let load_takers = Csr::from_pairs(
        n,
        &load_pairs.iter().map(|&(f, t)| (t, f)).collect::<Vec<_>>(),
    );
    let cluster_of = graph::clusters(n, &load_pairs);
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
    let clusters = Csr::from_pairs(n_clusters as usize, &cluster_pairs);

    let mut injections: Vec<Injection> = sc
        .inject
        .iter()
        .map(|inj| match &inj.component {
            Some(cid) => {
                let ci = ids[cid.as_str()] as usize;
                let base = comps[ci].slots.start;
                let k = sc.components[ci]
                    .faults
                    .iter()
                    .position(|f| f.name == inj.fault)
                    .expect("validated");
                Injection {
                    at: inj.at.secs(),
                    slots: vec![base + k as u32],
                    common: None,
                }
            }
            None => {
                let cc = cc_index[inj.fault.as_str()];
                Injection {
                    at: inj.at.secs(),
                    slots: common[cc as usize].slots.clone().collect(),
                    common: Some(cc),
                }
            }
        })
        .collect();
    injections.sort_by(|a, b| a.at.total_cmp(&b.at));

    let mut queues: Vec<QueueSpec> = vec![];
    for (i, c) in sc.components.iter().enumerate() {
        let Some(q) = &c.queue else { continue };
        let mut schedule: Vec<(f64, f64)> =
            q.schedule.iter().map(|(t, r)| (t.secs(), *r)).collect();
        schedule.sort_by(|a, b| a.0.total_cmp(&b.0));
        queues.push(QueueSpec {
            comp: i as u32,
            rate: q.rate,
            schedule,
            workers: q.workers,
            service: sampler(&q.service),
            slow_a: q.slowdown.map_or(0.0, |s| s.a),
            slow_b: q.slowdown.map_or(0.0, |s| s.b),
            timeout: q.timeout.map_or(f64::INFINITY, |t| t.secs()),
            drop_expired: q.drop_expired,
            errors: q.errors,
            retries: q.retries.map_or(0, |r| r.count),
            backoff: q
                .retries
                .map_or(Sampler::Fixed(0.0), |r| sampler(&r.backoff)),
            multiplier: q.retries.map_or(1.0, |r| r.multiplier),
            budget: q.retries.and_then(|r| r.budget).unwrap_or(f64::INFINITY),
            bound: q.bound.unwrap_or(u64::MAX),
            health: match q.health {
                QueueHealth::Goodput => QueueHealthSpec::Goodput,
                QueueHealth::Latency(d) => QueueHealthSpec::Latency(d.secs()),
            },
            window: q.window.secs(),
            warmup: q.warmup.secs(),
            feeds: vec![],
            key: stable_hash(&["queue", &c.id]),
        });
    }
    for &(f, t) in &feed_pairs {
        let (qf, qt) = (
            queues.iter().position(|q| q.comp == f).expect("validated"),
            queues.iter().position(|q| q.comp == t).expect("validated"),
        );
        queues[qf].feeds.push(qt as u32);
    }
    for (k, q) in queues.iter().enumerate() {
        comps[q.comp as usize].queue = k as u32;
    }
    let alerts: Vec<AlertSpec> = sc
        .alerts
        .iter()
        .map(|a| AlertSpec {
            comp: ids[a.on.as_str()],
            when: condition(a.when),
            after: a.after.secs(),
        })
        .collect();
    let mut spare_units = 0u32;
    let mitigations: Vec<MitigationSpec> = strategy
        .map(|st| st.mitigations.as_slice())
        .unwrap_or(&[])
        .iter()
        .map(|mt| {
            let first_unit = spare_units;
            let (label, kind, targets, per_use, key) = match mt {
                Mitigation::Spare {
                    for_,
                    deploy,
                    capacity,
                    stock,
                    fails,
                    dormant,
                    per_use,
                    ..
                } => {
                    spare_units += stock;
                    (
                        "spare",
                        MitigationKind::Spare {
                            deploy: sampler(deploy),
                            capacity: *capacity,
                            stock: *stock,
                            fails: sampler(fails),
                            dormant: *dormant,
                        },
                        for_.iter().map(|id| ids[id.as_str()]).collect(),
                        *per_use,
                        list_key("spare", for_),
                    )
                }
                Mitigation::Failover {
                    for_,
                    standby,
                    delay,
                    per_use,
                    ..
                } => (
                    "failover",
                    MitigationKind::Failover {
                        standby: ids[standby.as_str()],
                        delay: sampler(delay),
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["failover", for_, standby]),
                ),
                Mitigation::Shed {
                    for_,
                    rate,
                    above,
                    delay,
                    per_use,
                    per_drop,
                    ..
                } => (
                    "shed",
                    MitigationKind::Shed {
                        delay: sampler(delay),
                        rate: *rate,
                        above: *above,
                        per_drop: *per_drop,
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["shed", for_]),
                ),
                Mitigation::RateLimit {
                    for_,
                    rate,
                    delay,
                    per_use,
                    ..
                } => (
                    "rate limit",
                    MitigationKind::RateLimit {
                        delay: sampler(delay),
                        rate: *rate,
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["ratelimit", for_]),
                ),
                Mitigation::CircuitBreaker {
                    for_,
                    below,
                    slower_than,
                } => (
                    "circuit breaker",
                    MitigationKind::CircuitBreaker {
                        below: *below,
                        slower_than: slower_than.unwrap_or(f64::INFINITY),
                    },
                    vec![ids[for_.as_str()]],
                    0.0,
                    stable_hash(&["breaker", for_]),
                ),
                Mitigation::AddWorkers {
                    for_,
                    workers,
                    delay,
                    per_use,
                    ..
                } => (
                    "more workers",
                    MitigationKind::AddWorkers {
                        delay: sampler(delay),
                        workers: *workers,
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["workers", for_]),
                ),
                Mitigation::Redesign {
                    for_,
                    takes,
                    per_use,
                } => (
                    "redesign",
                    MitigationKind::Redesign {
                        takes: sampler(takes),
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["redesign", for_]),
                ),
                Mitigation::Restart {
                    for_,
                    takes,
                    works,
                    per_use,
                    ..
                } => (
                    "restart",
                    MitigationKind::Restart {
                        takes: sampler(takes),
                        works: *works,
                    },
                    for_.iter().map(|id| ids[id.as_str()]).collect(),
                    *per_use,
                    list_key("restart", for_),
                ),
            };
            MitigationSpec {
                label,
                kind,
                targets,
                auto: match trigger_of(mt) {
                    Trigger::Auto(d) => Some(d.secs()),
                    Trigger::Manual => None,
                },
                per_use,
                first_unit,
                key,
            }
        })
        .collect();

    let mut model = Model {
        name: sc.name.clone(),
        about: sc.about.clone(),
        horizon: sc.horizon.secs(),
        runs: sc.runs,
        seed: sc.seed,
        max_events: sc.max_events.unwrap_or(DEFAULT_MAX_EVENTS),
        rank: ranks,
        services: (0..n as u32)
            .filter(|&i| comps[i as usize].service.is_some())
            .collect(),
        comps,
        slots,
        comp_slots,
        edges: model_edges,
        members,
        groups_of,
        load_takes,
        load_takers,
        clusters,
        common,
        injections,
        random_edges,
        cost: CostModel {
            outage_per_minute: sc.cost.outage_per_minute,
            degraded_per_minute: sc.cost.degraded_per_minute,
            per_user_minute: sc.cost.per_user_minute,
            responder_hour: sc.cost.responder_hour,
            fixed: strategy.map_or(0.0, |s| s.cost),
            per_lost_job: sc.cost.per_lost_job,
        },
        strategy: strategy.map_or_else(|| "baseline".to_string(), |s| s.name.clone()),
        strategy_about: strategy.map_or_else(String::new, |s| s.about.clone()),
        alerts_of: Csr::from_pairs(
            n,
            &alerts
                .iter()
                .enumerate()
                .map(|(i, a)| (a.comp, i as u32))
                .collect::<Vec<_>>(),
        ),
        alerts,
        response: sc.response.as_ref().map(|r| ResponseSpec {
            oncall: r.oncall,
            acknowledge: sampler(&r.acknowledge),
            diagnose: sampler(&r.diagnose),
            runbook: r.runbook,
            customer_report: sampler(&r.customer_report),
            shift: r.shift.map_or(f64::INFINITY, |d| d.secs()),
            notes: r.notes,
            handoff: sampler(&r.handoff),
            repair_on_diagnosis: r.repair_starts == RepairStarts::Diagnosis,
        }),
        mitigations_of: Csr::from_pairs(
            n,
            &mitigations
                .iter()
                .enumerate()
                .flat_map(|(k, m)| m.targets.iter().map(move |&c| (c, k as u32)))
                .collect::<Vec<_>>(),
        ),
        standby_for: Csr::from_pairs(
            n,
            &mitigations
                .iter()
                .enumerate()
                .filter_map(|(k, m)| match m.kind {
                    MitigationKind::Failover { standby, .. } => Some((standby, k as u32)),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        spare_units,
        mitigations,
        queues,
        nodes: vec![],
        links: vec![],
        deps: vec![],
        slow: vec![],
    };
    model.lay_out(&inputs, &dependents);
    model
}

/// A checked distribution, ready to sample.
fn sampler(d: &Dist) -> Sampler {
    match *d {
        Dist::Exp { mean } => Sampler::exp(mean.secs()),
        Dist::Weibull { shape, scale } => Sampler::weibull(shape, scale.secs()),
        Dist::LogNormal { median, sigma } => Sampler::lognormal(median.secs(), sigma),
        Dist::Uniform(lo, hi) => Sampler::uniform(lo.secs(), hi.secs()),
        Dist::Fixed(d) | Dist::At(d) => Some(Sampler::Fixed(d.secs())),
        Dist::Never => Some(Sampler::Never),
    }
    .expect("checked")
}

/// A fault's effect as the engine applies it.
fn effect(e: Effect) -> model::Effect {
    match e {
        Effect::Crash => model::Effect::Crash,
        Effect::Degrade(f) => model::Effect::Degrade(f),
        Effect::Corrupt => model::Effect::Corrupt,
        Effect::Slow(f) => model::Effect::Slow(f),
        Effect::Burst { jobs, over } => model::Effect::Burst {
            jobs,
            over: over.secs(),
        },
    }
}

/// An alert's condition as the engine checks it.
fn condition(c: Condition) -> model::Condition {
    match c {
        Condition::Failed => model::Condition::Failed,
        Condition::CapacityBelow(x) => model::Condition::CapacityBelow(x),
        Condition::SlowerThan(x) => model::Condition::SlowerThan(x),
        Condition::QueueAbove(n) => model::Condition::QueueAbove(n),
        Condition::Corrupt => model::Condition::Corrupt,
    }
}

/// Stable key of a mitigation over a list of components: the same mitigation in two
/// strategies draws the same random numbers.
fn list_key(kind: &str, ids: &[String]) -> u64 {
    let mut parts = vec![kind];
    parts.extend(ids.iter().map(String::as_str));
    stable_hash(&parts)
}

/// Who applies a mitigation; the checks ask it too (a manual one needs responders).
pub(in crate::validate) fn trigger_of(m: &Mitigation) -> Trigger {
    match m {
        Mitigation::Spare { trigger, .. }
        | Mitigation::Failover { trigger, .. }
        | Mitigation::Restart { trigger, .. }
        | Mitigation::Shed { trigger, .. }
        | Mitigation::RateLimit { trigger, .. }
        | Mitigation::AddWorkers { trigger, .. } => *trigger,
        // Always armed: no one has to switch it on.
        Mitigation::CircuitBreaker { .. } => Trigger::Auto(Duration(0.0)),
        // A redesign is started by the people who diagnosed the problem.
        Mitigation::Redesign { .. } => Trigger::Manual,
    }
}
