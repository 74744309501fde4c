//! Components and their fault slots: a component's own fault modes, then one slot per
//! component a common cause hits; and the injections that fire them.

use super::sampler;
use crate::schema::{Dist, Effect, GroupKind, Scenario};
use crate::validate::check::Ids;
use faultline_core::model::{
    self, Common, Comp, Csr, Injection, InspectionSpec, Logic, NONE, Sampler, ServiceSpec, Slot,
    Source, stable_hash,
};
use std::collections::HashMap;

/// The model's components, with the slots of their own fault modes in component order.
pub(super) fn components(sc: &Scenario, ids: &Ids) -> (Vec<Slot>, Vec<Comp>) {
    let mut slots: Vec<Slot> = vec![];
    let mut comps: Vec<Comp> = Vec::with_capacity(sc.components.len());
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
                latent: f.latent,
                on_demand: f.on_demand.unwrap_or(0.0),
                repair_after_demand: f.repair_after_demand.as_ref().map(sampler),
            });
        }
        comps.push(Comp {
            id: c.id.clone(),
            capacity: c.capacity,
            slots: start..slots.len() as u32,
            need: c.group.as_ref().map_or(0, |g| g.need),
            partial: c.group.as_ref().is_some_and(|g| g.partial),
            logic: c.group.as_ref().map_or(Logic::KofN, |g| match g.kind {
                GroupKind::KofN => Logic::KofN,
                GroupKind::InOrder => Logic::InOrder,
                GroupKind::First => Logic::First,
                GroupKind::Spares => Logic::Spares,
            }),
            dormancy: c.dormancy.unwrap_or(1.0),
            voter: c
                .voter
                .as_ref()
                .map(|v| v.backup.as_ref().map_or(NONE, |b| ids[b.as_str()])),
            service: c.service.as_ref().map(|s| ServiceSpec {
                slo: s.slo,
                users: s.users,
                max_slow: s.max_slow.unwrap_or(f64::INFINITY),
                objective: s.objective.map(|o| model::Objective {
                    availability: o.availability,
                    window: o.window.secs(),
                    significant: o.significant,
                }),
            }),
            load: c.load.as_ref().map(|l| (l.base, l.limit)),
            // Set once the load clusters and the queues are known.
            cluster: NONE,
            queue: NONE,
        });
    }
    (slots, comps)
}

/// The common causes, each with one slot per component it hits, appended to `slots`;
/// and the index of each by name, for injections.
pub(super) fn common_causes<'a>(
    sc: &'a Scenario,
    ids: &Ids,
    slots: &mut Vec<Slot>,
) -> (Vec<Common>, HashMap<&'a str, u32>) {
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
                latent: cc.latent,
                on_demand: 0.0,
                repair_after_demand: None,
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
    (common, cc_index)
}

/// The injections, in time order, each with the slots it fires.
pub(super) fn injections(
    sc: &Scenario,
    ids: &Ids,
    comps: &[Comp],
    common: &[Common],
    cc_index: &HashMap<&str, u32>,
) -> Vec<Injection> {
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
    injections
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

/// The inspections, each with the components whose latent faults it looks for: the one
/// named, and a group's or voter's members and backup.
pub(super) fn inspections(
    sc: &Scenario,
    ids: &Ids,
    comps: &[Comp],
    members: &Csr,
) -> Vec<InspectionSpec> {
    sc.inspections
        .iter()
        .enumerate()
        .map(|(k, x)| {
            let on = ids[x.on.as_str()];
            let mut covered = vec![on];
            covered.extend_from_slice(members.row(on as usize));
            if let Some(b) = comps[on as usize].voter.filter(|&b| b != NONE) {
                covered.push(b);
            }
            covered.sort_unstable();
            covered.dedup();
            InspectionSpec {
                on,
                comps: covered,
                first: match x.every {
                    Some(every) => x.first.unwrap_or(every).secs(),
                    None => f64::INFINITY,
                },
                every: x.every.map_or(f64::INFINITY, |d| d.secs()),
                times: {
                    let mut t: Vec<f64> = x.at.iter().map(|d| d.secs()).collect();
                    t.sort_by(f64::total_cmp);
                    t
                },
                takes: x.takes.secs(),
                offline: x.offline,
                coverage: x.coverage,
                cost: x.cost,
                key: stable_hash(&["inspection", &x.on, &k.to_string()]),
            }
        })
        .collect()
}
