//! Static analysis of a compiled model: single points of failure.
//!
//! A component is a single point of failure (SPOF) when its going down alone, with
//! everything else healthy, fails a service: no redundancy covers it. The probe uses the
//! engine's own propagation rules (with delays ignored and every edge passing), so the
//! answer always agrees with what the simulation does. Common-cause faults are probed the
//! same way, all their targets at once: they are how redundancy gets defeated.

use crate::engine::Sim;
use crate::model::Model;

/// A component or common cause whose failure alone fails services.
#[derive(Clone, Debug, PartialEq)]
pub struct Spof {
    /// Component index, or the common cause's index for [`Report::common`].
    pub index: u32,
    /// The services it fails.
    pub services: Vec<u32>,
    /// Whether any fault mode or common cause can actually bring it down.
    pub can_fail: bool,
}

/// The SPOF analysis of a model.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Components whose loss alone fails a service (a service's own failure excluded).
    pub components: Vec<Spof>,
    /// Common-cause faults that fail a service.
    pub common: Vec<Spof>,
}

impl Report {
    /// Indices of SPOF components.
    pub fn indices(&self) -> Vec<u32> {
        self.components.iter().map(|s| s.index).collect()
    }
}

/// Finds the single points of failure of `m`.
pub fn spofs(m: &Model) -> Report {
    let mut sim = Sim::new(m);
    let mut can_fail = vec![false; m.comps.len()];
    for s in &m.slots {
        can_fail[s.comp as usize] = true;
    }
    let mut report = Report::default();
    for i in 0..m.comps.len() as u32 {
        let c = &m.comps[i as usize];
        // A group with no faults of its own cannot go down alone: its members can.
        if (c.need > 0 || c.voter.is_some()) && !can_fail[i as usize] {
            continue;
        }
        let services: Vec<u32> = sim
            .services_failed_if_down(&[i])
            .into_iter()
            .filter(|&s| s != i)
            .collect();
        if !services.is_empty() {
            report.components.push(Spof {
                index: i,
                services,
                can_fail: can_fail[i as usize],
            });
        }
    }
    for (k, cc) in m.common.iter().enumerate() {
        let targets: Vec<u32> = cc.slots.clone().map(|s| m.slots[s as usize].comp).collect();
        let services = sim.services_failed_if_down(&targets);
        // Only interesting when no single target would have done it alone.
        let alone = targets
            .iter()
            .any(|t| report.components.iter().any(|s| s.index == *t));
        if !services.is_empty() && !alone {
            report.common.push(Spof {
                index: k as u32,
                services,
                can_fail: true,
            });
        }
    }
    report
}
