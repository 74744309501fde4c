//! Static analysis of a compiled model: single points of failure.
//!
//! A component is a single point of failure (SPOF) when its going down alone, with
//! everything else healthy, fails a service: no redundancy covers it. The probe uses the
//! engine's own propagation rules (with delays ignored and every edge passing), so the
//! answer always agrees with what the simulation does. Common-cause faults are probed the
//! same way, all their targets at once: they are how redundancy gets defeated.

use crate::engine::Sim;
use crate::engine::propagation::quorum_threshold;
use crate::model::{CLUSTER, GROUP, Logic, Model, STANDBY, VOTER};
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
    spofs_with(m, Shortcuts::new(m))
}

/// [`spofs`] without its shortcuts for huge groups: every component probed on its own.
/// Slow on huge groups; kept so that tests can hold the shortcuts against it.
#[doc(hidden)]
pub fn spofs_probing_each(m: &Model) -> Report {
    spofs_with(m, Shortcuts::none(m))
}

fn spofs_with(m: &Model, shortcuts: Shortcuts) -> Report {
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
                let mut services = match shortcuts.member[i] {
                    Member::Masked => continue,
                    Member::Breaks(g) => shortcuts.group_down[g as usize].clone(),
                    Member::Probe => sim
                        .get_or_insert_with(|| Sim::new(m))
                        .services_failed_if_down(&[i as u32]),
                };
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

/// What probing a component would find, known without probing it (see [`Shortcuts`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Member {
    /// It must be probed.
    Probe,
    /// Its loss changes nothing: it only feeds groups that keep their quorum without it.
    Masked,
    /// Its loss takes exactly this k-of-n group below its quorum and changes nothing else:
    /// the services that fail are those that fail with the group down.
    Breaks(u32),
}

/// A group whose healthy members are worth its quorum, with room to spare for rounding.
#[derive(Clone, Copy, Debug)]
struct Quorum {
    /// Its members' healthy capacities, added up.
    sum: f64,
    /// How far from `threshold` a sum must be for rounding not to matter.
    margin: f64,
    /// Below this sum it delivers less.
    threshold: f64,
    /// A load-sharing pool: below the threshold it delivers a share, not nothing.
    partial: bool,
}

/// Shortcuts that keep the probe linear in the size of huge groups: probing a member
/// re-evaluates its whole group, so probing every member of a 100,000-member group one by
/// one is quadratic. A member whose only consumers are groups (no edges, no voter, no
/// standby or load-sharing role) changes a group's output only if its loss drops the group
/// below its quorum, and then, for an all-or-nothing group, exactly as the group's own loss
/// would. Members too close to the quorum for the sum's rounding to decide are probed as
/// before, as are members whose loss leaves a pool (`partial`) a share.
struct Shortcuts {
    /// Per component.
    member: Vec<Member>,
    /// Per component: the services that fail when it alone is forced down, found only for
    /// the groups some member [`Member::Breaks`] (empty for the rest).
    group_down: Vec<Vec<u32>>,
}

impl Shortcuts {
    /// No shortcut: every component is probed.
    fn none(m: &Model) -> Shortcuts {
        Shortcuts {
            member: vec![Member::Probe; m.comps.len()],
            group_down: vec![],
        }
    }

    fn new(m: &Model) -> Shortcuts {
        let n = m.comps.len();
        if (0..n).all(|i| m.groups_of.row(i).is_empty()) {
            return Shortcuts::none(m);
        }
        let mut member = vec![Member::Probe; n];
        let mut group_down: Vec<Option<Vec<u32>>> = vec![None; n];
        let mut sim = Sim::new(m);
        // Each group's healthy sum, the rounding margin around it and the sum below which
        // it delivers less (a voter's rules are its own: its replicas are always probed).
        let healthy: Vec<Option<Quorum>> = (0..n)
            .map(|g| {
                let c = &m.comps[g];
                if m.nodes[g].flags & (GROUP | VOTER) != GROUP || c.logic != Logic::KofN {
                    // A voter's rules, an order or spares: its members are probed.
                    return None;
                }
                let members = m.members.row(g);
                let caps = members.iter().map(|&x| sim.out(x as usize).cap);
                let sum: f64 = caps.clone().sum();
                let margin = margin(caps, sum, members.len());
                let threshold = if c.partial {
                    f64::from(c.need)
                } else {
                    quorum_threshold(c.need)
                };
                let q = Quorum {
                    sum,
                    margin,
                    threshold,
                    partial: c.partial,
                };
                (sum >= threshold + margin).then_some(q)
            })
            .collect();
        for (i, slot) in member.iter_mut().enumerate() {
            let node = m.nodes[i];
            let feeds_only_groups = node.dependents == m.nodes[i + 1].dependents
                && node.flags & (STANDBY | CLUSTER) == 0
                && !m.groups_of.row(i).is_empty();
            if !feeds_only_groups {
                continue;
            }
            let cap = sim.out(i).cap;
            let mut broken = vec![];
            let mut decided = true;
            for &g in m.groups_of.row(i) {
                let Some(q) = healthy[g as usize] else {
                    decided = false;
                    break;
                };
                let left = q.sum - cap;
                if left >= q.threshold + q.margin {
                    continue;
                }
                if left < q.threshold - q.margin && !q.partial {
                    broken.push(g);
                } else {
                    decided = false;
                    break;
                }
            }
            *slot = match (decided, broken.as_slice()) {
                (true, []) => Member::Masked,
                (true, &[g]) => Member::Breaks(g),
                _ => Member::Probe,
            };
        }
        for g in member.iter().filter_map(|k| match k {
            Member::Breaks(g) => Some(*g),
            _ => None,
        }) {
            if group_down[g as usize].is_none() {
                group_down[g as usize] = Some(sim.services_failed_if_down(&[g]));
            }
        }
        let group_down = group_down
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        Shortcuts { member, group_down }
    }
}

/// How far a sum of `count` member capacities must clear the quorum threshold before
/// rounding cannot matter: the engine adds the members without the one lost, which may round
/// differently from subtracting it from this sum. None when every capacity is a multiple of
/// 1/1024 (whole units, halves, quarters...) and the sum small enough for every partial sum
/// to be exact; otherwise twice the error bound of adding them up.
fn margin(caps: impl Iterator<Item = f64>, sum: f64, count: usize) -> f64 {
    const UNIT: f64 = 1024.0;
    let exact = sum * UNIT < 2f64.powi(52)
        && caps
            .into_iter()
            .all(|c| c >= 0.0 && (c * UNIT).fract() == 0.0);
    if exact {
        0.0
    } else {
        2.0 * (count as f64 + 1.0) * f64::EPSILON * sum.abs()
    }
}
