//! Attacks as scenarios: what an attacker (or a storm, or a bad week) can take out
//! together, and the scenario in which it does.
//!
//! A target is a component with a `Crash` fault mode, destroyed as that fault destroys it
//! (and repaired as it is repaired), or a common cause, struck as it strikes. An attack on
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
    /// A component, destroyed by its fault mode `fault` (its first `Crash` mode).
    Component {
        /// The component's id.
        id: String,
        /// The fault mode injected.
        fault: String,
    },
    /// A common cause, struck once.
    Common {
        /// Its name.
        name: String,
    },
}

impl Target {
    /// How the target is named in tables: the component's id, or the common cause's name.
    pub fn name(&self) -> &str {
        match self {
            Target::Component { id, .. } => id,
            Target::Common { name } => name,
        }
    }

    /// The injection that carries out the attack on this target at `at`.
    fn injection(&self, at: Duration) -> Injection {
        match self {
            Target::Component { id, fault } => Injection {
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

/// Every target of the scenario, components first (in file order), then common causes
/// whose effect is a crash. A component without a `Crash` fault mode (a plain node, a
/// group, a service) is not a target: it has no way to be destroyed and repaired.
pub fn targets(sc: &Scenario) -> Vec<Target> {
    let components = sc.components.iter().filter_map(|c| {
        let f = c
            .faults
            .iter()
            .find(|f| matches!(f.effect, Effect::Crash) && !f.latent)?;
        Some(Target::Component {
            id: c.id.clone(),
            fault: f.name.clone(),
        })
    });
    let causes = sc
        .common_cause
        .iter()
        .filter(|cc| matches!(cc.effect, Effect::Crash))
        .map(|cc| Target::Common {
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
            Target::Component { id, fault } => {
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
    fn targets_are_crashable_components_and_crashing_causes() {
        let sc = validate::parse("t.ron", TEXT).unwrap();
        let all = targets(&sc);
        let names: Vec<&str> = all.iter().map(Target::name).collect();
        assert_eq!(names, ["a", "storm"]);
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
