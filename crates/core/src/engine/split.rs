//! Continuing a history many ways: the engine's side of rare-event splitting
//! ([`crate::rare`]).
//!
//! A copy of a [`Sim`] (`clone`) is the same history at the same instant. To go on
//! differently it is given fresh random streams ([`Sim::rekey`]), and the clocks that are
//! memoryless (exponential times to fault, to a common cause, to the end of a repair) are
//! drawn again from now ([`Sim::redraw_memoryless`]): their remaining time has the same
//! distribution whatever has passed, so redrawing it changes nothing in law, while keeping
//! it would make every copy meet the same next fault. Other pending times (a Weibull
//! fault's, a fixed repair's, anything on a phased clock) are part of the state and are
//! kept.

use super::event::{FaultEvent, Kind};
use super::faults::{ACTIVE, IDLE, fault_times, repair_times};
use super::{Observer, Sim};
use crate::model::{Effect, Sampler, Source};

impl Sim<'_> {
    /// Starts run `run` of the study seeded `seed` without handling any event: the
    /// history is at time 0, ready for [`Sim::advance_until`].
    pub fn begin(&mut self, seed: u64, run: u64) {
        self.start(seed, run);
    }

    /// Handles events until `stop` holds at the end of an instant (true: the history is
    /// left at that instant) or the run ends (false: closed at its end, like [`Sim::run`]).
    pub fn advance_until<O: Observer>(
        &mut self,
        obs: &mut O,
        stop: impl FnMut(&Sim) -> bool,
    ) -> bool {
        let stopped = self.handle_events(obs, stop);
        if !stopped {
            self.finish();
        }
        stopped
    }

    /// Faults present now: fault slots that are not waiting for their next fault (dormant,
    /// active or latent). The level of a history for splitting.
    pub fn faults_present(&self) -> u32 {
        self.faults.state.iter().filter(|&&s| s != IDLE).count() as u32
    }

    /// Whether some service has failed in this run so far.
    pub fn some_service_failed(&self) -> bool {
        self.books.site_failures > 0
    }

    /// Gives the history fresh random streams, those of run `run` of the study seeded
    /// `seed`, keeping its state and pending events.
    pub fn rekey(&mut self, seed: u64, run: u64) {
        let m = self.m;
        self.faults.seed_streams(m, seed, run);
        self.net.edge_streams.reset(seed, run);
        self.hidden.seed_streams(m, seed, run);
        self.seed_response_streams(seed, run);
    }

    /// Draws again, from now and from the current streams, every running memoryless clock:
    /// a fault slot's time to its next fault and to the end of its repair, and a common
    /// cause's time to its next occurrence, when exponential, whether or not the time
    /// drawn before fell within the run. Without operating phases only (a phased clock's
    /// time is kept).
    pub fn redraw_memoryless(&mut self) {
        if self.ph.on {
            return;
        }
        let m = self.m;
        for ev in self.agenda.take_all() {
            if !self.redrawn(ev.kind) {
                self.agenda.push(ev.t(), ev.kind);
            }
        }
        for (k, s) in m.slots.iter().enumerate() {
            let slot = k as u32;
            let generation = self.faults.generation[k];
            if self.fault_clock_redrawn(k) {
                let dt = s.every.sample(self.faults.streams.get(fault_times(slot)));
                let t = self.fault_due(k, dt);
                self.schedule(t, FaultEvent::Fault { slot, generation });
            } else if self.repair_clock_redrawn(k) {
                let r = self.repair_of(k);
                let dt = r.sample(self.faults.streams.get(repair_times(slot)));
                self.schedule(self.now + dt, FaultEvent::Repair { slot, generation });
            }
        }
        for (k, c) in m.common.iter().enumerate() {
            if matches!(c.every, Sampler::Exp(_)) {
                let dt = c.every.sample(&mut self.faults.common[k]);
                let t = self.fault_due(m.slots.len() + k, dt);
                self.schedule(t, FaultEvent::Common { cc: k as u32 });
            }
        }
    }

    /// Whether pending event `kind` belongs to a clock that [`Sim::redraw_memoryless`]
    /// draws again (so it is dropped).
    fn redrawn(&self, kind: Kind) -> bool {
        let Kind::Fault(f) = kind else {
            return false;
        };
        match f {
            FaultEvent::Fault { slot, generation } => {
                let k = slot as usize;
                self.faults.generation[k] == generation && self.fault_clock_redrawn(k)
            }
            FaultEvent::Repair { slot, generation } => {
                let k = slot as usize;
                self.faults.generation[k] == generation && self.repair_clock_redrawn(k)
            }
            FaultEvent::Common { cc } => {
                matches!(self.m.common[cc as usize].every, Sampler::Exp(_))
            }
            _ => false,
        }
    }

    /// Whether slot `k` waits for its own next fault on an exponential clock (never a
    /// one-off: those are `At`).
    fn fault_clock_redrawn(&self, k: usize) -> bool {
        let s = &self.m.slots[k];
        self.faults.state[k] == IDLE
            && s.source == Source::Own
            && matches!(s.every, Sampler::Exp(_))
    }

    /// Whether slot `k` is being repaired on an exponential clock (not a load burst's
    /// window, not a repair waiting for a diagnosis).
    fn repair_clock_redrawn(&self, k: usize) -> bool {
        self.faults.state[k] == ACTIVE
            && self.rs.repairing[k]
            && !matches!(self.m.slots[k].effect, Effect::Burst { .. })
            && matches!(self.repair_of(k), Sampler::Exp(_))
    }

    /// The repair time distribution slot `k` uses now.
    fn repair_of(&self, k: usize) -> Sampler {
        let s = &self.m.slots[k];
        match s.repair_after_demand {
            Some(d) if self.hidden.by_demand[k] => d,
            _ => s.repair,
        }
    }
}
