//! Mitigations: the one place that knows, per kind, what a mitigation becomes in the
//! model: its targets, the key of its random stream and its [`MitigationKind`], automated
//! or not as [`Mitigation::trigger`] says. Its checks are in `check::mitigation`.

use super::sampler;
use crate::schema::{Mitigation, Procedure, Strategy, Trigger};
use crate::validate::check::Ids;
use faultline_core::model::{
    Csr, MitigationKind, MitigationSpec, NONE, ProcedureSpec, StepSpec, stable_hash,
};

/// The strategy's mitigations in file order, and how many spare units they hold in all
/// (the engine numbers them in that order).
pub(super) fn mitigations(
    strategy: Option<&Strategy>,
    ids: &Ids,
    slot_of: &dyn Fn(&str, &str) -> u32,
) -> (Vec<MitigationSpec>, u32) {
    let mut spare_units = 0u32;
    let specs = strategy
        .map(|st| st.mitigations.as_slice())
        .unwrap_or(&[])
        .iter()
        .map(|mt| {
            let spec = lower_mitigation(mt, ids, slot_of, spare_units);
            if let MitigationKind::Spare { stock, .. } = spec.kind {
                spare_units += stock;
            }
            spec
        })
        .collect();
    (specs, spare_units)
}

/// One mitigation as the engine applies it; its spare units, if any, start at
/// `first_unit`; `slot_of(component, fault)` finds the fault slot a wrong step sets off.
pub(super) fn lower_mitigation(
    mt: &Mitigation,
    ids: &Ids,
    slot_of: &dyn Fn(&str, &str) -> u32,
    first_unit: u32,
) -> MitigationSpec {
    let (label, kind, targets, per_use, key) = per_kind(mt, ids);
    MitigationSpec {
        label: label.into(),
        kind,
        targets,
        auto: match mt.trigger() {
            Trigger::Auto(d) => Some(d.secs()),
            Trigger::Manual => None,
        },
        per_use,
        first_unit,
        key,
        procedure: mt.procedure().map(|p| procedure(p, slot_of)),
        hands_on: mt.hands_on(),
    }
}

/// A procedure as the engine runs it.
fn procedure(p: &Procedure, slot_of: &dyn Fn(&str, &str) -> u32) -> ProcedureSpec {
    ProcedureSpec {
        steps: p
            .steps
            .iter()
            .map(|s| StepSpec {
                name: s.name.clone(),
                takes: sampler(&s.takes),
                skip: s.skip,
                wrong: s.wrong,
                worse: s.worse.as_ref().map_or(NONE, |w| slot_of(&w.on, &w.fault)),
            })
            .collect(),
        checklist: p.checklist,
        notice: sampler(&p.notice),
    }
}

/// What a mitigation's kind decides: its label in traces, what it does, the components
/// it applies to, its cost per use, and the key of its random stream.
fn per_kind(mt: &Mitigation, ids: &Ids) -> (&'static str, MitigationKind, Vec<u32>, f64, u64) {
    let one = |id: &String| vec![ids[id.as_str()]];
    let all = |list: &[String]| list.iter().map(|id| ids[id.as_str()]).collect();
    match mt {
        Mitigation::Spare {
            for_,
            deploy,
            capacity,
            stock,
            fails,
            dormant,
            per_use,
            ..
        } => (
            "spare",
            MitigationKind::Spare {
                deploy: sampler(deploy),
                capacity: *capacity,
                stock: *stock,
                fails: sampler(fails),
                dormant: *dormant,
            },
            all(for_),
            *per_use,
            list_key("spare", for_),
        ),
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
            one(for_),
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
            one(for_),
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
            one(for_),
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
            one(for_),
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
            one(for_),
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
            one(for_),
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
            all(for_),
            *per_use,
            list_key("restart", for_),
        ),
    }
}

/// Stable key of a mitigation over a list of components: the same mitigation in two
/// strategies draws the same random numbers.
fn list_key(kind: &str, ids: &[String]) -> u64 {
    let mut parts = vec![kind];
    parts.extend(ids.iter().map(String::as_str));
    stable_hash(&parts)
}

/// Per component, the mitigations that apply to it.
pub(super) fn mitigations_of(n: usize, mitigations: &[MitigationSpec]) -> Csr {
    Csr::from_pairs(
        n,
        &mitigations
            .iter()
            .enumerate()
            .flat_map(|(k, m)| m.targets.iter().map(move |&c| (c, k as u32)))
            .collect::<Vec<_>>(),
    )
}

/// Per component, the failovers that switch to it as the standby.
pub(super) fn standby_for(n: usize, mitigations: &[MitigationSpec]) -> Csr {
    Csr::from_pairs(
        n,
        &mitigations
            .iter()
            .enumerate()
            .filter_map(|(k, m)| match m.kind {
                MitigationKind::Failover { standby, .. } => Some((standby, k as u32)),
                _ => None,
            })
            .collect::<Vec<_>>(),
    )
}
