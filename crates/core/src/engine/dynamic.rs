//! Groups where order matters (the dynamic gates of dynamic fault trees): when each member
//! went down, for [`Logic::InOrder`] and [`Logic::First`] groups; which member each
//! [`Logic::Spares`] group has claimed; and the clocks of spares that age more slowly
//! while they wait (their dormancy).
//!
//! A model without such groups allocates nothing here and every hook returns at once, so
//! its runs draw the same numbers and schedule the same events as before these groups
//! existed.
//!
//! **Claiming.** Settling a `Spares` group first lets it claim a member: the first member,
//! in the order listed, that is up and not claimed by another group. It releases the
//! member it had when that one goes down, or when one listed before it comes back from
//! repair (the generator stops when the grid is back); without repairs this is Storm's
//! rule (a claimed spare is kept until it fails). Groups settle in rank order, so two
//! groups that want one spare at the same instant get it in that order.
//!
//! **Demands.** Claiming a member calls on it (its latent faults are revealed, its
//! failures on demand may happen); a spares group calls on no other member.
//!
//! **Dormancy.** A member with a dormancy factor `d` ages at rate `d` while unclaimed and 1
//! while claimed: its time to fault is drawn as operational time, and converted to calendar
//! time at the rate in force; when the rate changes, the operational time left is carried
//! over and the fault rescheduled (any distribution, not only the exponential).

use super::Sim;
use super::event::FaultEvent;
use super::faults::IDLE;
use super::propagation::Health;
use crate::model::{Logic, Model, NONE, Source};

/// Per-run state of ordered and spares groups (empty vectors when the model has none).
#[derive(Clone)]
pub(crate) struct Dynamic {
    /// Per component: when its output last went down (capacity 0), NaN while up. Kept only
    /// when some group's logic is ordered.
    pub(crate) down_at: Vec<f64>,
    /// Per component: for a `Spares` group, the member it uses (or used last, when none is
    /// left); [`NONE`] otherwise.
    using: Vec<u32>,
    /// Per component: the `Spares` group that claimed it, [`NONE`] when unclaimed.
    claimed_by: Vec<u32>,
    /// Per fault slot of a component with a dormancy: when its pending fault's clock was
    /// last converted, and the operational time it had left then (NaN: nothing pending).
    since: Vec<f64>,
    /// See `since`.
    left: Vec<f64>,
    /// The state every run starts from.
    template: (Vec<f64>, Vec<u32>, Vec<u32>),
}

impl Dynamic {
    /// Buffers for the ordered and spares groups of `m`.
    pub(crate) fn new(m: &Model) -> Dynamic {
        let n = m.comps.len();
        let ordered = m
            .comps
            .iter()
            .any(|c| matches!(c.logic, Logic::InOrder | Logic::First));
        let spares = m.comps.iter().any(|c| c.logic == Logic::Spares);
        let dormant = m.comps.iter().any(|c| c.dormancy != 1.0);
        let ns = if dormant { m.slots.len() } else { 0 };
        Dynamic {
            down_at: vec![f64::NAN; if ordered { n } else { 0 }],
            using: vec![NONE; if spares { n } else { 0 }],
            claimed_by: vec![NONE; if spares { n } else { 0 }],
            since: vec![f64::NAN; ns],
            left: vec![f64::NAN; ns],
            template: (vec![], vec![], vec![]),
        }
    }

    /// Keeps the settled state as the template of every run.
    fn keep_as_template(&mut self) {
        self.template = (
            self.down_at.clone(),
            self.using.clone(),
            self.claimed_by.clone(),
        );
    }

    /// Back to the template for a new run.
    pub(crate) fn reset(&mut self) {
        self.down_at.copy_from_slice(&self.template.0);
        self.using.copy_from_slice(&self.template.1);
        self.claimed_by.copy_from_slice(&self.template.2);
        self.left.fill(f64::NAN);
    }
}

impl Sim<'_> {
    /// Keeps the settled healthy state of the dynamic groups as every run's start.
    pub(crate) fn keep_dynamic_template(&mut self) {
        let dy = &mut self.dy;
        for (i, t) in dy.down_at.iter_mut().enumerate() {
            *t = if self.net.st[i].out.cap <= 0.0 {
                0.0
            } else {
                f64::NAN
            };
        }
        dy.keep_as_template();
    }

    /// Records that component `i`'s output changed from `before` to `after` (a member of
    /// some group): when it went down, for ordered groups.
    #[inline]
    pub(crate) fn note_member_change(&mut self, i: usize, before: Health, after: Health) {
        if self.dy.down_at.is_empty() {
            return;
        }
        if after.cap <= 0.0 {
            if before.cap > 0.0 {
                self.dy.down_at[i] = self.now;
            }
        } else {
            self.dy.down_at[i] = f64::NAN;
        }
    }

    /// Lets `Spares` group `g` claim a member before it is evaluated (see the module
    /// documentation): the first member, in the order listed, that is up and not claimed
    /// by another group.
    pub(crate) fn claim(&mut self, g: usize) {
        let cur = self.dy.using[g];
        let mine = cur != NONE && self.dy.claimed_by[cur as usize] == g as u32;
        let next = self.m.members.row(g).iter().copied().find(|&x| {
            let by = self.dy.claimed_by[x as usize];
            (by == NONE || by == g as u32) && self.out(x as usize).cap > 0.0
        });
        if next == Some(cur) && mine {
            return;
        }
        if mine {
            self.set_claim(cur as usize, NONE);
        }
        match next {
            Some(x) => {
                self.set_claim(x as usize, g as u32);
                self.dy.using[g] = x;
            }
            // None left: blame the member used last (the first, if none ever was).
            None if cur == NONE => self.dy.using[g] = self.m.members.row(g)[0],
            None => {}
        }
    }

    /// Claims member `x` for group `by` ([`NONE`]: releases it), changing how fast it ages.
    fn set_claim(&mut self, x: usize, by: u32) {
        let was = self.dy.claimed_by[x];
        self.dy.claimed_by[x] = by;
        if by != NONE && self.hidden.demandable.get(x).copied().unwrap_or(false) {
            // Called on: its latent faults show, a failure on demand may happen.
            self.schedule(self.now, FaultEvent::Demand { comp: x as u32 });
        }
        let d = self.m.comps[x].dormancy;
        if d != 1.0 && (was == NONE) != (by == NONE) {
            let (from, to) = if by == NONE { (1.0, d) } else { (d, 1.0) };
            self.retime(x, from, to);
        }
    }

    /// Converts component `c`'s pending faults from aging at rate `from` to rate `to`.
    fn retime(&mut self, c: usize, from: f64, to: f64) {
        let m = self.m;
        for s in m.comps[c].slots.clone() {
            let k = s as usize;
            let left = self.dy.left[k];
            if m.slots[k].source != Source::Own || self.faults.state[k] != IDLE || left.is_nan() {
                continue;
            }
            let left = (left - (self.now - self.dy.since[k]) * from).max(0.0);
            self.dy.left[k] = left;
            self.dy.since[k] = self.now;
            self.faults.generation[k] += 1;
            let generation = self.faults.generation[k];
            self.schedule(
                calendar(self.now, left, to),
                FaultEvent::Fault {
                    slot: s,
                    generation,
                },
            );
        }
    }

    /// Whether the model has dormancy clocks (a spare that ages slower while it waits).
    #[inline(always)]
    pub(crate) fn has_dormancy(&self) -> bool {
        !self.dy.left.is_empty()
    }

    /// When slot `slot`'s fault, `dt` operational seconds away, comes in calendar time,
    /// given its component's dormancy and whether it is claimed; `None` when its component
    /// ages as usual.
    pub(crate) fn dormant_due(&mut self, slot: usize, dt: f64) -> Option<f64> {
        if !self.has_dormancy() {
            return None;
        }
        let c = self.m.slots[slot].comp as usize;
        let d = self.m.comps[c].dormancy;
        if d == 1.0 {
            return None;
        }
        self.dy.since[slot] = self.now;
        self.dy.left[slot] = dt;
        let claimed = self.dy.claimed_by.get(c).is_some_and(|&g| g != NONE);
        Some(calendar(self.now, dt, if claimed { 1.0 } else { d }))
    }

    /// A slot's natural fault came: nothing is pending on its dormancy clock.
    #[inline]
    pub(crate) fn dormant_fault_came(&mut self, slot: usize) {
        if let Some(l) = self.dy.left.get_mut(slot) {
            *l = f64::NAN;
        }
    }

    /// The member `Spares` group `g` uses (or used last), for its evaluation.
    pub(crate) fn spare_in_use(&self, g: usize) -> (u32, bool) {
        let x = self.dy.using[g];
        (x, x != NONE && self.dy.claimed_by[x as usize] == g as u32)
    }
}

/// The calendar time at which `left` operational seconds run out from `now`, aging at
/// `rate` (never, at rate 0).
fn calendar(now: f64, left: f64, rate: f64) -> f64 {
    if rate > 0.0 {
        now + left / rate
    } else {
        f64::INFINITY
    }
}
