//! Propagation semantics: how a component's output follows from its faults, its group
//! members and its dependencies.
//!
//! A component's output is a [`Health`]: capacity (fraction of full service), a latency
//! multiple and a corruption flag. It is computed as
//!
//! 1. start from the component's `capacity`; each active fault applies its effect
//!    (`Crash` → 0, `Degrade(f)` → × f, `Slow(f)` → latency × f, `Corrupt` → corrupt);
//! 2. a k-of-n group multiplies by `min(1, Σ member capacity / k)`: full service while members
//!    worth k are up (the error is *masked*), a partial share below that; a corrupt member
//!    corrupts the group (only a voter could tell), latency is the slowest member's;
//! 3. `Requires` caps capacity at the dependency's (as seen through the edge, after its delay
//!    and probability); corruption and slowness pass through;
//! 4. `Degrades(f)` multiplies by `f + (1 − f) × dependency capacity`;
//! 5. an overload trip (a `Load` cluster) forces capacity to 0.
//!
//! Each output also carries its *cause* (the root fault slot) and *via* (the neighbour it came
//! through), so a failure can be explained as a path from the root fault to the service.

use super::Sim;
use super::faults::ACTIVE;
use crate::model::{Effect, Logic};
use crate::model::{GROUP, MITIGABLE, NONE, PHASE_IDLE, REQUIRES, ServiceSpec, VOTER};

/// What a component delivers right now.
///
/// The bytes after the flag are explicit fields, always zero, instead of padding: with
/// seven bytes of padding the compiler copied them as two overlapping 4-byte moves on every
/// evaluation, and the load that followed could not be forwarded from the two stores (a
/// stall of a dozen cycles, which `perf annotate` put at a fifth of `settle`'s time).
#[derive(Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Health {
    /// Fraction of full service, in [0, 1].
    pub cap: f64,
    /// Latency as a multiple of normal (>= 1).
    pub slow: f64,
    /// Delivers wrong results (silent data corruption).
    pub corrupt: bool,
    zero_a: u8,
    zero_b: u16,
    zero_c: u32,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health")
            .field("cap", &self.cap)
            .field("slow", &self.slow)
            .field("corrupt", &self.corrupt)
            .finish()
    }
}

impl Health {
    /// A component delivering `cap` of its service at `slow` times its latency, its results
    /// wrong when `corrupt`.
    pub fn new(cap: f64, slow: f64, corrupt: bool) -> Health {
        Health {
            cap,
            slow,
            corrupt,
            zero_a: 0,
            zero_b: 0,
            zero_c: 0,
        }
    }

    /// A healthy component of the given capacity.
    pub fn nominal(capacity: f64) -> Health {
        Health::new(capacity, 1.0, false)
    }

    /// Whether this is what a healthy component of `capacity` delivers.
    pub fn is_nominal(&self, capacity: f64) -> bool {
        self.cap >= capacity && self.slow <= 1.0 && !self.corrupt
    }
}

/// Coarse state of a component, for time-in-state accounting and traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Class {
    /// Delivering what it should.
    #[default]
    Healthy = 0,
    /// Reduced capacity or slower, but up.
    Degraded = 1,
    /// Up but delivering wrong results.
    Corrupt = 2,
    /// Capacity zero.
    Down = 3,
}

impl Class {
    /// All classes, in index order.
    pub const ALL: [Class; 4] = [Class::Healthy, Class::Degraded, Class::Corrupt, Class::Down];

    /// Classifies an output relative to the component's healthy capacity.
    pub fn of(h: Health, capacity: f64) -> Class {
        if h.cap <= 0.0 {
            Class::Down
        } else if h.corrupt {
            Class::Corrupt
        } else if h.is_nominal(capacity) {
            Class::Healthy
        } else {
            Class::Degraded
        }
    }

    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Class::Healthy => "healthy",
            Class::Degraded => "degraded",
            Class::Corrupt => "corrupt",
            Class::Down => "down",
        }
    }
}

/// State of a service boundary as users see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SvcState {
    /// Meeting its SLO at full capacity and speed.
    #[default]
    Up,
    /// Meeting its SLO, but below full capacity or slower.
    Degraded,
    /// Below its SLO, too slow, or wrong: a failure.
    Failed,
}

impl SvcState {
    /// Share of a service's users affected by `h`: all when it is wrong or too slow for its
    /// SLO, else the share of capacity missing.
    pub fn affected(spec: &ServiceSpec, h: Health) -> f64 {
        if h.corrupt || h.slow > spec.max_slow {
            1.0
        } else {
            (1.0 - h.cap).clamp(0.0, 1.0)
        }
    }

    /// The state of a service with thresholds `spec` delivering `h`.
    pub fn of(spec: &ServiceSpec, h: Health) -> SvcState {
        if h.corrupt || h.cap < spec.slo || h.slow > spec.max_slow {
            SvcState::Failed
        } else if h.cap < 1.0 || h.slow > 1.0 {
            SvcState::Degraded
        } else {
            SvcState::Up
        }
    }
}

/// Severity order of effects when choosing which fault explains an output (lower = worse).
fn severity(e: Effect) -> u8 {
    match e {
        Effect::Crash => 0,
        Effect::Corrupt => 1,
        Effect::Degrade(_) => 2,
        Effect::Slow(_) => 3,
        Effect::Burst { .. } => u8::MAX,
    }
}

impl Sim<'_> {
    /// Whether more than half of voter `i`'s replicas are up and not corrupt.
    pub(crate) fn has_majority(&self, i: usize) -> bool {
        let replicas = self.m.members.row(i);
        let correct = replicas
            .iter()
            .filter(|&&r| {
                let o = self.out(r as usize);
                o.cap > 0.0 && !o.corrupt
            })
            .count();
        2 * correct > replicas.len()
    }

    /// Output of component `i` before any overload trip, with its cause and via. `PLAIN`
    /// promises that `i` has none of the [`EXTRAS`](crate::model::EXTRAS) flags and is not
    /// forced, so their checks are compiled out (`settle` decides, in `network.rs`).
    pub(crate) fn evaluate<const PLAIN: bool>(&self, i: usize) -> (Health, u32, u32) {
        let m = self.m;
        let node = m.nodes[i];
        let next = m.nodes[i + 1];
        let mut h = Health::nominal(node.capacity);
        let mut cause = NONE;
        let mut via = NONE;
        if !PLAIN && node.flags & PHASE_IDLE != 0 && self.ph.idle[i] {
            // Nobody needs it during this phase: its dependents see it healthy.
            return (h, NONE, NONE);
        }
        if !PLAIN && self.is_forced(i) {
            h.cap = 0.0;
            return (h, NONE, NONE);
        }

        let mut worst = u8::MAX;
        let own = if self.st_active(i) {
            m.comp_slots.items(node.slots, next.slots)
        } else {
            &[]
        };
        for &s in own {
            if self.faults.state[s as usize] != ACTIVE {
                continue;
            }
            let effect = m.slots[s as usize].effect;
            match effect {
                Effect::Crash => h.cap = 0.0,
                Effect::Degrade(f) => h.cap *= f,
                Effect::Corrupt => h.corrupt = true,
                Effect::Slow(f) => h.slow *= f,
                // Load, not damage: the queue feels it through its jobs.
                Effect::Burst { .. } => continue,
            }
            if severity(effect) < worst {
                worst = severity(effect);
                cause = s;
            }
        }

        // A stand-in (a spare, a failover) replaces what the component's own faults took.
        if !PLAIN
            && node.flags & MITIGABLE != 0
            && let Some((sub, replace)) = self.standin_health(i)
        {
            if replace {
                // A failover: the standby's output is the component's now.
                h = sub;
            } else {
                // A spare stands in for what the faults took: the better of the two.
                h = Health::new(
                    h.cap.max(sub.cap),
                    h.slow.min(sub.slow),
                    h.corrupt && sub.corrupt,
                );
            }
        }

        if !PLAIN && node.flags & VOTER != 0 {
            self.vote(i, &mut h, &mut cause, &mut via);
        }
        if !PLAIN && node.flags & GROUP != 0 {
            self.group(i, &mut h, &mut cause, &mut via);
        }

        let (lo, hi) = (node.inputs as usize, next.inputs as usize);
        for (link, view) in m.links[lo..hi].iter().zip(&self.net.views[lo..hi]) {
            let v = view.h;
            if link.factor == REQUIRES {
                if v.cap < h.cap {
                    // The dependency is now the limiting factor: it explains the output.
                    h.cap = v.cap;
                    cause = view.cause;
                    via = link.dependency;
                }
                if v.corrupt && !h.corrupt {
                    h.corrupt = true;
                    if cause == NONE {
                        cause = view.cause;
                        via = link.dependency;
                    }
                }
                if v.slow > h.slow {
                    h.slow = v.slow;
                    if cause == NONE {
                        cause = view.cause;
                        via = link.dependency;
                    }
                }
            } else {
                let f = link.factor;
                let factor = f + (1.0 - f) * v.cap.clamp(0.0, 1.0);
                if factor < 1.0 {
                    h.cap *= factor;
                    if cause == NONE {
                        cause = view.cause;
                        via = link.dependency;
                    }
                }
            }
        }
        (h, cause, via)
    }

    /// Keeps in `culprit` (member, output; [`NONE`] for none yet) the impaired member that
    /// best explains a group's or voter's shortfall, given member `a` with output `oa`: a
    /// corrupt output before a merely reduced one, then the lower capacity, then the one that
    /// changed last (the failure that broke the quorum, not whichever is listed first), then
    /// the one listed first.
    fn blame(&self, culprit: &mut (u32, Health), a: u32, oa: Health) {
        let (b, ob) = *culprit;
        let key = |o: Health| (!o.corrupt, o.cap);
        let better = b == NONE
            || match key(oa).partial_cmp(&key(ob)) {
                Some(std::cmp::Ordering::Less) => true,
                Some(std::cmp::Ordering::Equal) => {
                    self.changed_at(a as usize) > self.changed_at(b as usize)
                }
                _ => false,
            };
        if better {
            *culprit = (a, oa);
        }
    }

    /// Majority vote: a replica is correct when it is up and not corrupt; without a correct
    /// majority the backup takes over, or the voter shuts down safely.
    fn vote(&self, i: usize, h: &mut Health, cause: &mut u32, via: &mut u32) {
        let m = self.m;
        let backup = m.comps[i].voter.expect("flagged voter");
        let replicas = m.members.row(i);
        let mut correct = 0;
        let mut culprit = (NONE, Health::nominal(0.0));
        for &r in replicas {
            let o = self.out(r as usize);
            if o.cap > 0.0 && !o.corrupt {
                correct += 1;
            } else {
                self.blame(&mut culprit, r, o);
            }
        }
        let worst = culprit.0;
        if 2 * correct <= replicas.len() {
            let b = if backup == NONE {
                None
            } else {
                Some(self.out(backup as usize))
            };
            match b {
                Some(o) if o.cap > 0.0 && !o.corrupt => {
                    h.cap = h.cap.min(o.cap);
                    h.slow = h.slow.max(o.slow);
                }
                _ => h.cap = 0.0,
            }
            if *cause == NONE && worst != NONE {
                *cause = self.cause(worst as usize);
                *via = worst;
            }
        }
    }

    /// A k-of-n group: full service while members worth k are up; below that, down, or for
    /// a load-sharing pool (`partial`) the share its members carry.
    fn group(&self, i: usize, h: &mut Health, cause: &mut u32, via: &mut u32) {
        let m = self.m;
        match m.comps[i].logic {
            Logic::KofN => {}
            Logic::InOrder | Logic::First => return self.ordered(i, h, cause, via),
            Logic::Spares => return self.spares(i, h, cause, via),
        }
        let need = m.comps[i].need;
        let mut sum = 0.0;
        let mut corrupt = false;
        let mut slow: f64 = 1.0;
        let mut culprit = (NONE, Health::nominal(0.0));
        for &mbr in m.members.row(i) {
            let o = self.out(mbr as usize);
            sum += o.cap;
            corrupt |= o.corrupt;
            if o.cap > 0.0 {
                slow = slow.max(o.slow);
            }
            if !o.is_nominal(m.nodes[mbr as usize].capacity) {
                self.blame(&mut culprit, mbr, o);
            }
        }
        let worst_member = culprit.0;
        let share = quorum_share(sum, need, m.comps[i].partial);
        h.cap *= share;
        h.corrupt |= corrupt;
        h.slow = h.slow.max(slow);
        if *cause == NONE && (share < 1.0 || corrupt || slow > 1.0) && worst_member != NONE {
            *cause = self.cause(worst_member as usize);
            *via = worst_member;
        }
    }
}

impl Sim<'_> {
    /// An ordered group: `InOrder` is down when every member is down and they went down in
    /// the order listed; `First` when its first member is down and no other went down
    /// before it. The same instant counts as in order. Only capacity counts: a corrupt or
    /// slow member is not down.
    fn ordered(&self, i: usize, h: &mut Health, cause: &mut u32, via: &mut u32) {
        let members = self.m.members.row(i);
        let at = |x: u32| self.dy.down_at[x as usize];
        let (down, culprit) = if self.m.comps[i].logic == Logic::InOrder {
            let mut last = f64::NEG_INFINITY;
            let in_order = members.iter().all(|&x| {
                let t = at(x);
                let ok = t >= last;
                last = t;
                ok
            });
            (in_order, members[members.len() - 1])
        } else {
            let first = at(members[0]);
            let before = members[1..].iter().any(|&x| at(x) < first);
            (!first.is_nan() && !before, members[0])
        };
        if down {
            h.cap = 0.0;
            if *cause == NONE {
                *cause = self.cause(culprit as usize);
                *via = culprit;
            }
        }
    }

    /// A spares group delivers what the member it has claimed delivers; down when it has
    /// none left (blaming the member it used last).
    fn spares(&self, i: usize, h: &mut Health, cause: &mut u32, via: &mut u32) {
        let (x, claimed) = self.spare_in_use(i);
        let o = if claimed {
            self.out(x as usize)
        } else {
            Health::nominal(0.0)
        };
        h.cap *= o.cap.min(1.0);
        h.corrupt |= o.corrupt;
        h.slow = h.slow.max(o.slow);
        if *cause == NONE && !o.is_nominal(1.0) && x != NONE {
            *cause = self.cause(x as usize);
            *via = x;
        }
    }
}

/// The least sum of member capacities at which an all-or-nothing group that needs `need`
/// delivers.
pub(crate) fn quorum_threshold(need: u32) -> f64 {
    f64::from(need) * (1.0 - 1e-12)
}

/// The share of a group's capacity delivered when its members' capacities add up to `sum`
/// and it needs `need`: all or nothing for k-of-n, proportional for a load-sharing pool.
/// (A tolerance keeps members worth exactly `need`, such as 4 × 0.25 of 1, from failing
/// on rounding.)
fn quorum_share(sum: f64, need: u32, partial: bool) -> f64 {
    if partial {
        (sum / f64::from(need)).min(1.0)
    } else if sum >= quorum_threshold(need) {
        1.0
    } else {
        0.0
    }
}
