//! Latent faults, demands and inspections: "why didn't we catch it before it got so bad?"
//!
//! A latent fault, once active, changes nothing anyone can see (no output, no alert) until
//! something reveals it: a *demand* (a failover switches to its component, or a group or
//! voter loses another member and calls on the rest) or an *inspection* (a proof test, a
//! restore drill) that finds it with its coverage. Revealed, it is an ordinary active fault:
//! the component's output drops and its repair starts. A fault mode can also fail *on
//! demand*: each demand makes it happen with its probability.
//!
//! Alongside, the engine tracks the *readiness* of the watched components
//! ([`Model::watch`]): what each would deliver if demanded now, its latent faults revealed.
//! The time a component is not ready (it would be down or wrong) is its hidden
//! unavailability, the reliability engineer's probability of failure on demand.

use super::event::FaultEvent;
use super::faults::{IDLE, LATENT, fault_times};
use super::{Note, Observer, Sim};
use crate::model::{Effect, GROUP, Logic, Model, NONE, VOTER};
use crate::rng;
use rand_chacha::ChaCha8Rng;

/// Per-run state of latent faults, demands and inspections, and what they measured.
#[derive(Clone)]
pub struct Hidden {
    /// Per component: whether a demand on it can do anything (latent or on-demand slots).
    pub(crate) demandable: Vec<bool>,
    /// Per component: its index in [`Model::watch`], or [`NONE`].
    watch_index: Vec<u32>,
    /// Per fault slot: when its latent fault began (while it is latent).
    since: Vec<f64>,
    /// Per fault slot: revealed by a demand and not repaired yet.
    pub(crate) by_demand: Vec<bool>,
    /// Per inspection: whether it finds each latent fault.
    rng: Vec<ChaCha8Rng>,
    /// Per component: inspections holding it out of service now.
    offline: Vec<u16>,
    /// Per watched component: what it would deliver if demanded now (capacity; 0 when it
    /// would deliver wrong results).
    ready_cap: Vec<f64>,
    /// Per watched component: since when it has not been ready (NaN while it is).
    unready_since: Vec<f64>,
    /// Whether readiness may have changed since it was last worked out.
    dirty: bool,
    /// Whether any component is watched (else `dirty` never becomes true).
    watching: bool,
    /// Per watched component: seconds it was not ready this run.
    pub unready: Vec<f64>,
    /// Latent faults found by inspections this run.
    pub found: u32,
    /// Latent faults revealed by demands this run.
    pub revealed: u32,
    /// Faults that happened on demand this run.
    pub on_demand: u32,
    /// Seconds the revealed and found faults had been hidden, summed.
    pub hidden_total: f64,
    /// Inspections begun this run.
    pub inspections: u32,
    /// What they cost.
    pub inspection_cost: f64,
}

impl Hidden {
    /// Buffers for `m` (empty when nothing in it is latent, demanded or inspected).
    pub(crate) fn new(m: &Model) -> Hidden {
        let n = m.comps.len();
        let mut demandable = vec![false; if m.demands { n } else { 0 }];
        for s in &m.slots {
            if s.latent || s.on_demand > 0.0 {
                demandable[s.comp as usize] = true;
            }
        }
        let mut watch_index = vec![NONE; if m.watch.is_empty() { 0 } else { n }];
        for (k, &c) in m.watch.iter().enumerate() {
            watch_index[c as usize] = k as u32;
        }
        let offline = m.inspections.iter().any(|x| x.offline);
        Hidden {
            demandable,
            watch_index,
            since: vec![f64::NAN; if m.demands { m.slots.len() } else { 0 }],
            by_demand: vec![false; if m.demands { m.slots.len() } else { 0 }],
            rng: (0..m.inspections.len())
                .map(|_| rng::placeholder())
                .collect(),
            offline: vec![0; if offline { n } else { 0 }],
            ready_cap: vec![0.0; m.watch.len()],
            unready_since: vec![f64::NAN; m.watch.len()],
            dirty: false,
            watching: !m.watch.is_empty(),
            unready: vec![0.0; m.watch.len()],
            found: 0,
            revealed: 0,
            on_demand: 0,
            hidden_total: 0.0,
            inspections: 0,
            inspection_cost: 0.0,
        }
    }

    /// The inspections' streams at the start of run `run` of the study seeded `seed`.
    pub(crate) fn seed_streams(&mut self, m: &Model, seed: u64, run: u64) {
        for (k, x) in m.inspections.iter().enumerate() {
            self.rng[k] = rng::stream(seed, run, x.key, rng::INSPECTION);
        }
    }

    /// Nothing latent, nothing measured, streams at the start of run `run`.
    fn reset(&mut self, m: &Model, seed: u64, run: u64) {
        self.since.fill(f64::NAN);
        self.by_demand.fill(false);
        self.seed_streams(m, seed, run);
        self.offline.fill(0);
        self.unready_since.fill(f64::NAN);
        self.dirty = !m.watch.is_empty();
        self.unready.fill(0.0);
        self.found = 0;
        self.revealed = 0;
        self.on_demand = 0;
        self.hidden_total = 0.0;
        self.inspections = 0;
        self.inspection_cost = 0.0;
    }
}

impl Sim<'_> {
    /// Resets latent-fault state for a run and schedules each inspection's first round.
    pub(crate) fn reset_hidden(&mut self, seed: u64, run: u64) {
        let m = self.m;
        self.hidden.reset(m, seed, run);
        for (k, x) in m.inspections.iter().enumerate() {
            let index = k as u32;
            if x.first < m.horizon {
                self.schedule(x.first, FaultEvent::Inspect { index });
            }
            for &t in x.times.iter().filter(|&&t| t < m.horizon) {
                self.schedule(t, FaultEvent::Inspect { index });
            }
        }
    }

    /// A fault of a latent mode became an error nobody can see.
    pub(crate) fn hide(&mut self, slot: u32) {
        self.hidden.since[slot as usize] = self.now;
        self.hidden.dirty = true;
    }

    /// Something changed that readiness depends on.
    #[inline]
    pub(crate) fn readiness_changed(&mut self) {
        self.hidden.dirty |= self.hidden.watching;
    }

    /// Calls on component `c` (a failover switching to it, a group or voter relying on it):
    /// its latent faults are revealed and each fault mode that fails on demand may fail.
    pub(crate) fn demand<O: Observer>(&mut self, c: u32, obs: &mut O) {
        if !self
            .hidden
            .demandable
            .get(c as usize)
            .copied()
            .unwrap_or(false)
        {
            return;
        }
        for &s in self.m.comp_slots.row(c as usize) {
            let su = s as usize;
            let state = self.faults.state[su];
            if state == LATENT {
                self.hidden.revealed += 1;
                self.reveal(s, false, obs);
            } else if state == IDLE && self.m.slots[su].on_demand > 0.0 {
                let u: f64 = rand::Rng::random(self.faults.streams.get(fault_times(s)));
                if u < self.m.slots[su].on_demand {
                    self.hidden.on_demand += 1;
                    obs.note(self.now, Note::FailedOnDemand { slot: s });
                    // Cancels the slot's pending fault; it is redrawn after the repair.
                    self.faults.generation[su] += 1;
                    self.fault(s, false, obs);
                }
            }
        }
    }

    /// A latent fault is found: it becomes an ordinary active fault, repaired as usual.
    fn reveal<O: Observer>(&mut self, slot: u32, inspection: bool, obs: &mut O) {
        let since = self.hidden.since[slot as usize];
        self.hidden.since[slot as usize] = f64::NAN;
        self.hidden.hidden_total += self.now - since;
        self.hidden.by_demand[slot as usize] = !inspection;
        // Its output may not change (a component already down, or stood in for), but what
        // it would deliver if called on does.
        self.readiness_changed();
        obs.note(
            self.now,
            Note::Revealed {
                slot,
                since,
                inspection,
            },
        );
        self.activate(slot, obs);
    }

    /// After a component left its healthy state: the groups and voters it feeds call on
    /// their other members (and a voter without a majority on its backup).
    pub(crate) fn demand_others(&mut self, i: usize) {
        let m = self.m;
        for &g in m.groups_of.row(i) {
            let gu = g as usize;
            if m.comps[gu].logic == Logic::Spares {
                // A spares group calls on the member it claims, when it claims it.
                continue;
            }
            for &other in m.members.row(gu) {
                if other as usize != i && self.hidden.demandable[other as usize] {
                    self.schedule(self.now, FaultEvent::Demand { comp: other });
                }
            }
            if let Some(b) = m.comps[gu].voter
                && b != NONE
                && b as usize != i
                && self.hidden.demandable[b as usize]
                && !self.has_majority(gu)
            {
                self.schedule(self.now, FaultEvent::Demand { comp: b });
            }
        }
    }

    /// Inspection `index` begins: it takes its component out of service if it must, and
    /// the next one of an interval is planned (none begins at the horizon itself; a
    /// schedule's are all planned at the start).
    pub(crate) fn inspect(&mut self, index: u32) {
        let x = &self.m.inspections[index as usize];
        self.hidden.inspections += 1;
        self.hidden.inspection_cost += x.cost;
        if x.offline {
            let on = x.on as usize;
            self.hidden.offline[on] += 1;
            self.force(on, true);
        }
        self.schedule(self.now + x.takes, FaultEvent::Inspected { index });
        // One that would begin as the run ends could find nothing in time.
        if self.now + x.every < self.m.horizon {
            self.schedule(self.now + x.every, FaultEvent::Inspect { index });
        }
    }

    /// Inspection `index` ends: each latent fault of its components is found with its
    /// coverage, and the component goes back into service.
    pub(crate) fn inspected<O: Observer>(&mut self, index: u32, obs: &mut O) {
        let m = self.m;
        let x = &m.inspections[index as usize];
        let mut found = 0;
        for &c in &x.comps {
            for &s in m.comp_slots.row(c as usize) {
                if self.faults.state[s as usize] != LATENT {
                    continue;
                }
                let u: f64 = rand::Rng::random(&mut self.hidden.rng[index as usize]);
                if u < x.coverage {
                    found += 1;
                    self.hidden.found += 1;
                    self.reveal(s, true, obs);
                }
            }
        }
        if x.offline {
            let on = x.on as usize;
            self.hidden.offline[on] -= 1;
            if self.hidden.offline[on] == 0 {
                self.force(on, false);
            }
        }
        obs.note(
            self.now,
            Note::Inspected {
                inspection: index,
                found,
            },
        );
    }

    /// Works out the watched components' readiness again if it may have changed, and
    /// accounts the time each was not ready.
    #[inline]
    pub(crate) fn update_readiness(&mut self) {
        if self.hidden.dirty {
            self.recompute_readiness();
        }
    }

    /// [`Sim::update_readiness`]'s work, when there is some.
    fn recompute_readiness(&mut self) {
        self.hidden.dirty = false;
        let m = self.m;
        for (k, &c) in m.watch.iter().enumerate() {
            let cap = self.ready_capacity(c as usize);
            self.hidden.ready_cap[k] = cap;
            let was = self.hidden.unready_since[k];
            if cap <= 0.0 && was.is_nan() {
                self.hidden.unready_since[k] = self.now;
            } else if cap > 0.0 && !was.is_nan() {
                self.hidden.unready[k] += self.now - was;
                self.hidden.unready_since[k] = f64::NAN;
            }
        }
    }

    /// Closes the readiness books at `end`.
    pub(crate) fn close_readiness(&mut self, end: f64) {
        self.update_readiness();
        for k in 0..self.m.watch.len() {
            let was = self.hidden.unready_since[k];
            if !was.is_nan() {
                self.hidden.unready[k] += end - was;
                self.hidden.unready_since[k] = end;
            }
        }
    }

    /// What watched component `i` would deliver if demanded now, 0 when it would be down
    /// or wrong: its output with its latent faults revealed; for a group or voter, worked
    /// out from its members' readiness (members come first in [`Model::watch`]).
    fn ready_capacity(&self, i: usize) -> f64 {
        let m = self.m;
        let o = self.out(i);
        let flags = m.nodes[i].flags;
        let of = |c: u32| -> f64 {
            match self.hidden.watch_index.get(c as usize) {
                Some(&w) if w != NONE => self.hidden.ready_cap[w as usize],
                _ => {
                    let h = self.out(c as usize);
                    if h.corrupt { 0.0 } else { h.cap }
                }
            }
        };
        if o.corrupt || o.cap <= 0.0 {
            return 0.0;
        }
        let mut cap = o.cap;
        for &s in m.comp_slots.row(i) {
            if self.faults.state[s as usize] == LATENT {
                match m.slots[s as usize].effect {
                    Effect::Crash | Effect::Corrupt => return 0.0,
                    Effect::Degrade(f) => cap *= f,
                    Effect::Slow(_) | Effect::Burst { .. } => {}
                }
            }
        }
        if flags & VOTER != 0 {
            let replicas = m.members.row(i);
            let correct = replicas.iter().filter(|&&r| of(r) > 0.0).count();
            if 2 * correct <= replicas.len() {
                let b = m.comps[i].voter.unwrap_or(NONE);
                return if b == NONE { 0.0 } else { cap.min(of(b)) };
            }
        }
        if flags & GROUP != 0 {
            let members = m.members.row(i);
            match m.comps[i].logic {
                // If called on, members would fail now, in no order: down only if all are.
                Logic::InOrder if members.iter().all(|&r| of(r) <= 0.0) => return 0.0,
                Logic::First if of(members[0]) <= 0.0 => return 0.0,
                Logic::InOrder | Logic::First => return cap,
                Logic::KofN | Logic::Spares => {}
            }
            let need = m.comps[i].need;
            let sum: f64 = m.members.row(i).iter().map(|&r| of(r)).sum();
            if m.comps[i].partial {
                cap = cap.min(m.comps[i].capacity * (sum / f64::from(need)).min(1.0));
            } else if sum < super::propagation::quorum_threshold(need) {
                return 0.0;
            }
        }
        cap
    }
}
