//! Attacks as scenarios: what an attacker (or a storm, or a bad week) can take out
//! together, and the scenario in which it does.
//!
//! A target is a component with a fault mode, struck by its first `Crash` mode (destroyed
//! as that fault destroys it, and repaired as it is repaired) or without one by its first
//! other mode (a load burst, a slowdown), or a common cause, struck as it strikes. An attack on
//! a set of targets at a time adds one injection per target to the scenario, so the
//! attacked scenario is an ordinary one: its strategies, response and repairs play out as
//! in any run, and the same run index has the same natural faults as without the attack
//! (every random stream is keyed by what it belongs to, not by position).

use crate::duration::Duration;
use crate::schema::{Effect, Injection, Scenario};
use faultline_core::model::{self, Model};

/// Something an attack can take out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A component, struck by its fault mode `fault` (its first `Crash` mode, or without
    /// one its first mode of any effect: a load burst, a slowdown).
    Component {
        /// The component's id.
        id: String,
        /// The fault mode injected.
        fault: String,
        /// How tables name it: the id, or `id/fault` when the mode is not a crash.
        label: String,
    },
    /// A common cause, struck once.
    Common {
        /// Its name.
        name: String,
    },
}

impl Target {
    /// How the target is named in tables: the component's id (with the fault mode when it
    /// is not a crash), or the common cause's name.
    pub fn name(&self) -> &str {
        match self {
            Target::Component { label, .. } => label,
            Target::Common { name } => name,
        }
    }

    /// The injection that carries out the attack on this target at `at`.
    fn injection(&self, at: Duration) -> Injection {
        match self {
            Target::Component { id, fault, .. } => Injection {
                at,
                fault: fault.clone(),
                component: Some(id.clone()),
            },
            Target::Common { name } => Injection {
                at,
                fault: name.clone(),
                component: None,
            },
        }
    }
}

/// Every target of the scenario, components first (in file order), then common causes.
/// A component is struck by its first `Crash` mode (destroyed, and repaired as that fault
/// is), or without one by its first other mode (an attacker's load burst or slowdown); one
/// with no fault modes (a plain node, a group, a service) is not a target: it fails
/// through what it needs. Latent modes are not targets (an attack is seen).
pub fn targets(sc: &Scenario) -> Vec<Target> {
    let components = sc.components.iter().filter_map(|c| {
        let seen = || c.faults.iter().filter(|f| !f.latent);
        let f = seen()
            .find(|f| matches!(f.effect, Effect::Crash))
            .or_else(|| seen().next())?;
        let label = if matches!(f.effect, Effect::Crash) {
            c.id.clone()
        } else {
            format!("{}/{}", c.id, f.name)
        };
        Some(Target::Component {
            id: c.id.clone(),
            fault: f.name.clone(),
            label,
        })
    });
    let causes = sc.common_cause.iter().map(|cc| Target::Common {
        name: cc.name.clone(),
    });
    components.chain(causes).collect()
}

/// `sc` with `targets` all attacked at `at` (its strategies included).
pub fn attacked(sc: &Scenario, targets: &[&Target], at: Duration) -> Scenario {
    let mut sc = sc.clone();
    sc.inject.extend(targets.iter().map(|t| t.injection(at)));
    sc
}

/// The compiled `base` (of `sc`) with `targets` attacked at `at` seconds: the model that
/// compiling [`attacked`] gives, without checking and lowering the whole scenario again
/// (an N-1 search of a large estate compiles one model per component).
pub fn attacked_model(base: &Model, sc: &Scenario, targets: &[&Target], at: f64) -> Model {
    let mut m = base.clone();
    for t in targets {
        let inj = match t {
            Target::Component { id, fault, .. } => {
                let ci = base
                    .comps
                    .iter()
                    .position(|c| c.id == *id)
                    .expect("a target is a component of the model");
                let k = sc.components[ci]
                    .faults
                    .iter()
                    .position(|f| f.name == *fault)
                    .expect("a target's fault mode is the component's");
                model::Injection {
                    at,
                    slots: vec![base.comps[ci].slots.start + k as u32],
                    common: None,
                }
            }
            Target::Common { name } => {
                let cc = base
                    .common
                    .iter()
                    .position(|c| c.name == *name)
                    .expect("a target is a common cause of the model");
                model::Injection {
                    at,
                    slots: base.common[cc].slots.clone().collect(),
                    common: Some(cc as u32),
                }
            }
        };
        m.injections.push(inj);
    }
    // As lowering orders them: by time, the scenario's before the attack's at equal times.
    m.injections.sort_by(|a, b| a.at.total_cmp(&b.at));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    const TEXT: &str = r#"Scenario(
        name: "t", horizon: "10d",
        components: [
            (id: "a", faults: [(name: "wear", every: Exp(mean: "5d"), effect: Crash, repair: Exp(mean: "1d"))]),
            (id: "b", faults: [(name: "slow", every: Exp(mean: "5d"), effect: Slow(2.0))]),
            (id: "g", group: (need: 1, of: ["a", "b"]), service: (slo: 1.0)),
        ],
        common_cause: [(name: "storm", every: Exp(mean: "30d"), hits: ["a", "b"], effect: Crash)],
    )"#;

    #[test]
    fn targets_are_components_with_fault_modes_and_common_causes() {
        let sc = validate::parse("t.ron", TEXT).unwrap();
        let all = targets(&sc);
        let names: Vec<&str> = all.iter().map(Target::name).collect();
        // `b` has no crash: it is struck by its slowdown, named with it.
        assert_eq!(names, ["a", "b/slow", "storm"]);
    }

    #[test]
    fn an_attacked_scenario_compiles_with_one_injection_per_target() {
        let sc = validate::parse("t.ron", TEXT).unwrap();
        let t = targets(&sc);
        let at = Duration(86_400.0);
        let x = attacked(&sc, &[&t[0], &t[1]], at);
        assert_eq!(x.inject.len(), 2);
        let m = validate::compile(&x).expect("compiles");
        assert_eq!(m.injections.len(), 2);
        assert!(m.injections.iter().all(|i| i.at == 86_400.0));
        // The shortcut gives the same injections as compiling the attacked scenario.
        let base = validate::compile(&sc).expect("compiles");
        let quick = attacked_model(&base, &sc, &[&t[0], &t[1]], 86_400.0);
        let key = |m: &Model| {
            (m.injections.iter())
                .map(|i| (i.at, i.slots.clone(), i.common))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&quick), key(&m));
    }
}
