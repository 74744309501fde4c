//! Common-cause faults and injected faults.

use super::{At, Checker, DistUse, Ids, Repeats};
use crate::diagnostics::Problem;
use crate::schema::{Injection, Scenario};
use std::collections::HashMap;

/// Checks the common-cause faults; returns their names, which injections refer to.
pub(super) fn check_common_causes<'a>(
    ck: &mut Checker,
    sc: &'a Scenario,
    ids: &Ids,
) -> HashMap<&'a str, usize> {
    let mut cc_names: HashMap<&str, usize> = HashMap::new();
    for (i, cc) in sc.common_cause.iter().enumerate() {
        let p = At::ROOT.field("common_cause").index(i);
        if cc.name.trim().is_empty() {
            ck.err(p.field("name"), "a common-cause fault needs a name");
        } else if cc_names.insert(&cc.name, i).is_some() {
            ck.err(
                p.field("name"),
                format!("duplicate common-cause name `{}`", cc.name),
            );
        }
        if cc.hits.is_empty() {
            ck.err(
                p.field("hits"),
                "a common-cause fault must hit at least one component",
            );
        }
        let mut seen = Repeats::new(cc.hits.len());
        for (k, h) in cc.hits.iter().enumerate() {
            if seen.at(&cc.hits, k, String::as_str) {
                ck.err(p.field("hits").index(k), format!("`{h}` is listed twice"));
            } else {
                ids.resolve(ck, h, p.field("hits").index(k));
            }
        }
        ck.dist(&cc.every, p.field("every"), DistUse::Every);
        ck.effect(&cc.effect, p.field("effect"));
        if let Some(a) = &cc.activation {
            ck.dist(a, p.field("activation"), DistUse::Activation);
        }
        ck.dist(&cc.repair, p.field("repair"), DistUse::Repair);
        if cc.latent && matches!(cc.effect, crate::schema::Effect::Burst { .. }) {
            ck.err(
                p.field("latent"),
                "a load fault (Burst) cannot be latent: its jobs arrive whether anyone looks or not",
            );
        }
    }
    cc_names
}

/// Checks the injected faults: when, and that the fault they name exists.
pub(super) fn check_injections(
    ck: &mut Checker,
    sc: &Scenario,
    ids: &Ids,
    cc_names: &HashMap<&str, usize>,
) {
    for (i, inj) in sc.inject.iter().enumerate() {
        let p = At::ROOT.field("inject").index(i);
        ck.non_negative(inj.at, p.field("at"), "an injection time");
        if inj.at.secs() > sc.horizon.secs() && sc.horizon.secs() > 0.0 {
            ck.push(
                Problem::new(
                    p.field("at"),
                    format!(
                        "injected at {}, after the horizon of {}: it would never happen",
                        faultline_units::human(inj.at.secs()),
                        faultline_units::human(sc.horizon.secs())
                    ),
                )
                .hint("move it before the horizon or lengthen `horizon`"),
            );
        }
        match &inj.component {
            Some(cid) => check_own_fault(ck, sc, ids, inj, cid, p),
            None => {
                if !cc_names.contains_key(inj.fault.as_str()) {
                    let owner = sc
                        .components
                        .iter()
                        .find(|c| c.faults.iter().any(|f| f.name == inj.fault));
                    let mut prob = Problem::new(
                        p.field("fault"),
                        format!("no common-cause fault named `{}`", inj.fault),
                    );
                    if let Some(o) = owner {
                        prob = prob.hint(format!(
                            "to inject `{}`'s own fault mode, add component: \"{}\"",
                            o.id, o.id
                        ));
                    }
                    ck.push(prob);
                }
            }
        }
    }
}

/// Checks an injection of component `cid`'s own fault mode.
fn check_own_fault(
    ck: &mut Checker,
    sc: &Scenario,
    ids: &Ids,
    inj: &Injection,
    cid: &str,
    p: At<'_>,
) {
    let at = (p.field("component"), p.field("fault"));
    known_fault_mode(ck, sc, ids, cid, &inj.fault, at);
}

/// Checks that component `cid` (written at `at.0`) has a fault mode `fault` (at `at.1`):
/// what an injection or a wrong step of a procedure sets off.
pub(super) fn known_fault_mode(
    ck: &mut Checker,
    sc: &Scenario,
    ids: &Ids,
    cid: &str,
    fault: &str,
    at: (At<'_>, At<'_>),
) {
    let Some(ci) = ids.resolve(ck, cid, at.0) else {
        return;
    };
    let c = &sc.components[ci as usize];
    if !c.faults.iter().any(|f| f.name == fault) {
        let names: Vec<_> = c.faults.iter().map(|f| format!("`{}`", f.name)).collect();
        ck.push(
            Problem::new(at.1, format!("`{cid}` has no fault mode `{fault}`")).hint(
                if names.is_empty() {
                    format!(
                        "declare it under `{cid}`'s faults, with every: Never for a fault that only happens when set off"
                    )
                } else {
                    format!("its fault modes are {}", names.join(", "))
                },
            ),
        );
    }
}
