//! Static analysis of a compiled model: single points of failure.
//!
//! A component is a single point of failure (SPOF) when its going down alone, with
//! everything else healthy, fails a service: no redundancy covers it. The probe uses the
//! engine's own propagation rules (with delays ignored and every edge passing), so the
//! answer always agrees with what the simulation does. Common-cause faults are probed the
//! same way, all their targets at once: they are how redundancy gets defeated.

use crate::engine::Sim;
use crate::model::Model;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

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
///
/// Each probe starts from and returns to the healthy state, so the components are probed
/// in parallel, one simulator per thread, and the findings put back in component order:
/// the report is the same as from one probe after another.
pub fn spofs(m: &Model) -> Report {
    let n = m.comps.len();
    let mut can_fail = vec![false; n];
    for s in &m.slots {
        can_fail[s.comp as usize] = true;
    }
    // A group with no faults of its own cannot go down alone: its members can.
    let probed = |i: usize| {
        let c = &m.comps[i];
        !((c.need > 0 || c.voter.is_some()) && !can_fail[i])
    };
    // Threads claim blocks of components in turn (probes cost more in some parts of a model
    // than in others), each probing with a simulator of its own, built when it first has
    // something to probe.
    const BLOCK: usize = 64;
    let next = AtomicUsize::new(0);
    let probe_blocks = |_| {
        let mut sim = None;
        let mut found = vec![];
        loop {
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= n {
                return found;
            }
            for i in (start..(start + BLOCK).min(n)).filter(|&i| probed(i)) {
                let sim = sim.get_or_insert_with(|| Sim::new(m));
                let mut services = sim.services_failed_if_down(&[i as u32]);
                services.retain(|&s| s != i as u32);
                if !services.is_empty() {
                    found.push(Spof {
                        index: i as u32,
                        services,
                        can_fail: can_fail[i],
                    });
                }
            }
        }
    };
    // At most four simulators: each holds the whole state of a run (about 35 MB for a
    // 100,000-component model).
    const MAX_THREADS: usize = 4;
    let threads = rayon::current_num_threads()
        .min(MAX_THREADS)
        .min(n.div_ceil(BLOCK))
        .max(1);
    let mut components: Vec<Spof> = (0..threads)
        .into_par_iter()
        .flat_map_iter(probe_blocks)
        .collect();
    components.sort_unstable_by_key(|s| s.index);
    let mut report = Report {
        components,
        common: vec![],
    };
    if m.common.is_empty() {
        return report;
    }
    let mut alone = vec![false; n];
    for s in &report.components {
        alone[s.index as usize] = true;
    }
    let mut sim = Sim::new(m);
    for (k, cc) in m.common.iter().enumerate() {
        let targets: Vec<u32> = cc.slots.clone().map(|s| m.slots[s as usize].comp).collect();
        let services = sim.services_failed_if_down(&targets);
        // Only interesting when no single target would have done it alone.
        if !services.is_empty() && !targets.iter().any(|&t| alone[t as usize]) {
            report.common.push(Spof {
                index: k as u32,
                services,
                can_fail: true,
            });
        }
    }
    report
}
