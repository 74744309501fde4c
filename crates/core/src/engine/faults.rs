//! Faults: when they happen, when they wake, when they are repaired.
//!
//! Each fault slot (a component's own fault mode, or its share of a common cause) is an
//! alternating renewal process: idle until its next fault, dormant until it activates, active
//! until repaired. A slot's generation counter marks its scheduled events stale when plans
//! change (an injection, a restart), so they are skipped, never searched for.

use super::event::FaultEvent;
use super::{Note, Observer, Sim};
use crate::model::{Effect, Model, Source};
use crate::rng;
use rand_chacha::ChaCha8Rng;

/// A fault slot waiting for its next fault.
pub(crate) const IDLE: u8 = 0;
/// A fault slot whose fault happened but is not an error yet (dormancy).
pub(crate) const DORMANT: u8 = 1;
/// A fault slot whose fault is an error now.
pub(crate) const ACTIVE: u8 = 2;
/// A fault slot whose fault is an error nobody can see yet (a latent fault).
pub(crate) const LATENT: u8 = 3;

/// The stream of fault slot `slot`'s fault times (and dormancy, and landings) in
/// [`Faults::streams`].
pub(crate) fn fault_times(slot: u32) -> u32 {
    2 * slot
}

/// The stream of fault slot `slot`'s repair times.
pub(crate) fn repair_times(slot: u32) -> u32 {
    2 * slot + 1
}

/// Per-run state of the fault slots and common causes.
#[derive(Clone)]
pub(crate) struct Faults {
    /// Per slot: [`IDLE`], [`DORMANT`] or [`ACTIVE`].
    pub(crate) state: Vec<u8>,
    /// Per slot: bumped whenever its pending events become stale.
    pub(crate) generation: Vec<u32>,
    /// The slots' fault-time and repair-time streams ([`fault_times`], [`repair_times`]).
    pub(crate) streams: rng::Streams,
    /// Per common cause: its occurrence stream.
    pub(crate) common: Vec<ChaCha8Rng>,
}

impl Faults {
    /// Buffers for the slots and common causes of `m`.
    pub(crate) fn new(m: &Model) -> Faults {
        let ns = m.slots.len();
        Faults {
            state: vec![IDLE; ns],
            generation: vec![0; ns],
            streams: rng::Streams::new(
                (m.slots.iter())
                    .flat_map(|s| [(s.key, rng::FAULT), (s.key, rng::REPAIR)])
                    .collect(),
            ),
            common: (0..m.common.len()).map(|_| rng::placeholder()).collect(),
        }
    }

    /// Every slot idle, every stream at the start of run `run` of the study seeded `seed`.
    pub(crate) fn reset(&mut self, m: &Model, seed: u64, run: u64) {
        self.state.fill(IDLE);
        self.generation.fill(0);
        self.seed_streams(m, seed, run);
    }

    /// Every stream at the start of run `run` of the study seeded `seed` (the state kept:
    /// a copy of a history is given fresh randomness this way).
    pub(crate) fn seed_streams(&mut self, m: &Model, seed: u64, run: u64) {
        self.streams.reset(seed, run);
        for (k, c) in m.common.iter().enumerate() {
            self.common[k] = rng::stream(seed, run, c.key, rng::FAULT);
        }
    }
}

impl Sim<'_> {
    /// Schedules each own fault mode's first fault, each common cause's first occurrence
    /// and every injection.
    pub(crate) fn schedule_faults(&mut self) {
        let m = self.m;
        for (k, s) in m.slots.iter().enumerate() {
            if s.source == Source::Own {
                let t = s
                    .every
                    .sample(self.faults.streams.get(fault_times(k as u32)));
                let t = self.fault_due(k, t);
                self.schedule(
                    t,
                    FaultEvent::Fault {
                        slot: k as u32,
                        generation: 0,
                    },
                );
            }
        }
        for (k, c) in m.common.iter().enumerate() {
            let t = c.every.sample(&mut self.faults.common[k]);
            let t = self.fault_due(m.slots.len() + k, t);
            self.schedule(t, FaultEvent::Common { cc: k as u32 });
        }
        for (k, inj) in m.injections.iter().enumerate() {
            self.schedule(inj.at, FaultEvent::Inject { index: k as u32 });
        }
    }

    /// Handles a fault event.
    pub(crate) fn on_fault_event<O: Observer>(&mut self, e: FaultEvent, obs: &mut O) {
        let m = self.m;
        match e {
            FaultEvent::Fault { slot, generation } => {
                if self.faults.generation[slot as usize] == generation
                    && self.faults.state[slot as usize] == IDLE
                {
                    self.fault_came(slot as usize);
                    let s = &m.slots[slot as usize];
                    if s.chance < 1.0 {
                        // An occasion for a fault (a landing), which is a fault only by chance.
                        let u: f64 = rand::Rng::random(self.faults.streams.get(fault_times(slot)));
                        if u >= s.chance_at(self.now) {
                            if !s.once {
                                let r = self.faults.streams.get(fault_times(slot));
                                let dt = s.every.sample(r);
                                let t = self.fault_due(slot as usize, dt);
                                self.schedule(t, FaultEvent::Fault { slot, generation });
                            }
                            return;
                        }
                    }
                    self.fault(slot, false, obs);
                }
            }
            FaultEvent::Activate { slot, generation } => {
                if self.faults.generation[slot as usize] == generation
                    && self.faults.state[slot as usize] == DORMANT
                {
                    self.activate(slot, obs);
                }
            }
            FaultEvent::Repair { slot, generation } => {
                if self.faults.generation[slot as usize] == generation
                    && self.faults.state[slot as usize] == ACTIVE
                {
                    self.repair_now(slot, obs);
                }
            }
            FaultEvent::Common { cc } => {
                if !self.common_live(cc) {
                    return;
                }
                obs.note(
                    self.now,
                    Note::Common {
                        cc,
                        injected: false,
                    },
                );
                let c = &m.common[cc as usize];
                for s in c.slots.clone() {
                    if self.faults.state[s as usize] == IDLE {
                        self.fault(s, false, obs);
                    }
                }
                if !c.once {
                    let dt = c.every.sample(&mut self.faults.common[cc as usize]);
                    let t = self.fault_due(m.slots.len() + cc as usize, dt);
                    self.schedule(t, FaultEvent::Common { cc });
                }
            }
            FaultEvent::Demand { comp } => self.demand(comp, obs),
            FaultEvent::Inspect { index } => self.inspect(index),
            FaultEvent::Inspected { index } => self.inspected(index, obs),
            FaultEvent::Inject { index } => {
                let inj = &m.injections[index as usize];
                if let Some(cc) = inj.common {
                    obs.note(self.now, Note::Common { cc, injected: true });
                }
                for &s in &inj.slots {
                    if self.faults.state[s as usize] == IDLE {
                        // Cancels the slot's pending natural fault; it is redrawn after repair.
                        self.faults.generation[s as usize] += 1;
                        self.fault(s, true, obs);
                    }
                }
            }
        }
    }

    /// A fault happens in an idle slot: dormant first if it has a dormancy, else active
    /// (or latent) at once.
    pub(crate) fn fault<O: Observer>(&mut self, slot: u32, injected: bool, obs: &mut O) {
        let s = &self.m.slots[slot as usize];
        self.faults.state[slot as usize] = DORMANT;
        let delay = match &s.activation {
            Some(a) => a.sample(self.faults.streams.get(fault_times(slot))),
            None => 0.0,
        };
        obs.note(
            self.now,
            Note::Fault {
                slot,
                injected,
                active_at: self.now + delay,
            },
        );
        if delay > 0.0 {
            let generation = self.faults.generation[slot as usize];
            self.schedule(self.now + delay, FaultEvent::Activate { slot, generation });
        } else {
            self.activate(slot, obs);
        }
    }

    /// A fault becomes an error: active, or latent when its mode is latent and it is not
    /// being revealed (a latent slot activated again is revealed).
    #[inline]
    pub(crate) fn activate<O: Observer>(&mut self, slot: u32, obs: &mut O) {
        let s = &self.m.slots[slot as usize];
        if s.latent && self.faults.state[slot as usize] == DORMANT {
            self.faults.state[slot as usize] = LATENT;
            self.hide(slot);
            obs.note(self.now, Note::Latent { slot });
            return;
        }
        self.faults.state[slot as usize] = ACTIVE;
        self.net.st[s.comp as usize].active += 1;
        if s.activation.is_some() {
            obs.note(self.now, Note::Active { slot });
        }
        self.mark(s.comp);
        let repair_now = self.on_activate(slot);
        if let Effect::Burst { jobs, over } = s.effect {
            // A load fault ends when its window does.
            let end = self.start_burst(s.comp as usize, slot, jobs, over);
            let generation = self.faults.generation[slot as usize];
            self.rs.repairing[slot as usize] = true;
            self.schedule(end, FaultEvent::Repair { slot, generation });
        } else if repair_now {
            self.start_repair(slot);
        }
    }

    /// Starts the repair clock of an active slot.
    #[inline]
    pub(crate) fn start_repair(&mut self, slot: u32) {
        let s = &self.m.slots[slot as usize];
        self.rs.repairing[slot as usize] = true;
        let repair = match &s.repair_after_demand {
            Some(d) if self.hidden.by_demand[slot as usize] => d,
            _ => &s.repair,
        };
        let r = repair.sample(self.faults.streams.get(repair_times(slot)));
        let generation = self.faults.generation[slot as usize];
        self.schedule(self.now + r, FaultEvent::Repair { slot, generation });
    }

    /// Repairs an active slot now (its repair finished, or a restart cleared it).
    pub(crate) fn repair_now<O: Observer>(&mut self, slot: u32, obs: &mut O) {
        let s = &self.m.slots[slot as usize];
        self.faults.state[slot as usize] = IDLE;
        if s.repair_after_demand.is_some() {
            self.hidden.by_demand[slot as usize] = false;
        }
        self.net.st[s.comp as usize].active -= 1;
        self.faults.generation[slot as usize] += 1;
        obs.note(self.now, Note::Repaired { slot });
        self.mark(s.comp);
        self.on_repair(slot, obs);
        if s.source == Source::Own && !s.once {
            let dt = s.every.sample(self.faults.streams.get(fault_times(slot)));
            let generation = self.faults.generation[slot as usize];
            let t = self.fault_due(slot as usize, dt);
            self.schedule(t, FaultEvent::Fault { slot, generation });
        }
    }
}
