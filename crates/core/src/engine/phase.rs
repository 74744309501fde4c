//! Operating phases in a run: the timeline (which phase is in force, and since when), the
//! operational clocks of the fault processes, idle components, and what each phase saw.
//!
//! Without phases in the model every hook here is a no-op that draws no random number and
//! schedules no event: such runs are exactly what they were before phases existed. With
//! phases, each pending natural fault remembers when its operational time runs out
//! (`due`); an abort changes the timeline, so every pending fault is rescheduled from the
//! operational time it still had left (slots through their generation counters, common
//! causes through `due` itself, which a stale event no longer matches).

use super::event::{FaultEvent, PhaseEvent};
use super::faults::IDLE;
use super::{Note, Observer, Sim};
use crate::model::{Cursor, Due, Model, NONE, Source};

/// Per-run state of the phases, and what each phase saw (indexed by phase).
#[derive(Clone)]
pub struct PhaseState {
    /// Whether the model has phases (every hook does nothing otherwise).
    pub(crate) on: bool,
    /// The phase in force and when it began.
    pub(crate) cur: Cursor,
    /// Bumped at each abort: the scheduled next phase becomes stale.
    generation: u32,
    /// Per clock: when its pending natural fault is due (NaN: none pending), or, for a
    /// stalled clock, when it stalled.
    due: Vec<f64>,
    /// Per clock: operational seconds left once stalled (NaN: not stalled).
    stuck: Vec<f64>,
    /// Per component: idle in the phase in force (dependents see it healthy).
    pub(crate) idle: Vec<bool>,
    /// Arrival-rate multiplier in force.
    pub(crate) load: f64,
    /// Response-time factor in force.
    pub(crate) response: f64,
    /// When the books were last brought up to date for the phase in force.
    mark: f64,
    /// Per service: when its per-phase books were last brought up to date.
    since: Vec<f64>,
    /// Per phase: calendar seconds spent in it.
    pub time: Vec<f64>,
    /// Per phase: seconds with at least one service failed.
    pub downtime: Vec<f64>,
    /// Per phase: service-seconds failed, all services (what outage cost is charged on).
    pub service_down: Vec<f64>,
    /// Per phase: service-seconds degraded, all services.
    pub degraded: Vec<f64>,
    /// Per phase: users × seconds affected, all services.
    pub user_seconds: Vec<f64>,
    /// Per phase: site failures (no service failed → some failed) that began in it.
    pub failures: Vec<u32>,
    /// Per phase: aborts into it this run.
    pub aborts: Vec<u32>,
}

impl PhaseState {
    /// Buffers for the phases of `m` (empty when it has none).
    pub(crate) fn new(m: &Model) -> PhaseState {
        let (n, clocks, comps, svcs) = match &m.phases {
            Some(p) => (
                p.list.len(),
                m.slots.len() + m.common.len(),
                m.comps.len(),
                m.services.len(),
            ),
            None => (0, 0, 0, 0),
        };
        PhaseState {
            on: m.phases.is_some(),
            cur: Cursor {
                phase: 0,
                start: 0.0,
            },
            generation: 0,
            due: vec![f64::NAN; clocks],
            stuck: vec![f64::NAN; clocks],
            idle: vec![false; comps],
            load: 1.0,
            response: 1.0,
            mark: 0.0,
            since: vec![0.0; svcs],
            time: vec![0.0; n],
            downtime: vec![0.0; n],
            service_down: vec![0.0; n],
            degraded: vec![0.0; n],
            user_seconds: vec![0.0; n],
            failures: vec![0; n],
            aborts: vec![0; n],
        }
    }
}

impl Sim<'_> {
    /// Back to the first phase for a new run, and its beginning scheduled at time 0 (before
    /// anything else, so that it is in force for every event). Nothing without phases.
    pub(crate) fn reset_phases(&mut self) {
        let Some(ph) = &self.m.phases else { return };
        let s = &mut self.ph;
        s.cur = Cursor {
            phase: 0,
            start: 0.0,
        };
        s.generation = 0;
        s.due.fill(f64::NAN);
        s.stuck.fill(f64::NAN);
        s.idle.fill(false);
        for &c in ph.idle.row(0) {
            s.idle[c as usize] = true;
        }
        s.load = ph.list[0].load;
        s.response = ph.list[0].response;
        s.mark = 0.0;
        s.since.fill(0.0);
        for v in [
            &mut s.time,
            &mut s.downtime,
            &mut s.service_down,
            &mut s.degraded,
            &mut s.user_seconds,
        ] {
            v.fill(0.0);
        }
        s.failures.fill(0);
        s.aborts.fill(0);
        self.schedule(
            0.0,
            PhaseEvent::Begin {
                phase: 0,
                generation: 0,
                abort: false,
            },
        );
    }

    /// When a natural fault `dt` operational seconds from now is due on `clock` (slot `k`,
    /// or common cause `slots + k`): `now + dt` without phases.
    #[inline(always)]
    pub(crate) fn fault_due(&mut self, clock: usize, dt: f64) -> f64 {
        if !self.ph.on && !self.has_dormancy() {
            // The common case, a plain add, inline at every call.
            return self.now + dt;
        }
        self.fault_due_slow(clock, dt)
    }

    /// [`Sim::fault_due`] with phases or dormancy clocks.
    #[inline(never)]
    fn fault_due_slow(&mut self, clock: usize, dt: f64) -> f64 {
        if !self.ph.on {
            if clock < self.m.slots.len()
                && let Some(t) = self.dormant_due(clock, dt)
            {
                return t;
            }
            return self.now + dt;
        }
        self.fault_due_phased(clock, dt)
    }

    /// [`Sim::fault_due`] with phases: through the timeline.
    fn fault_due_phased(&mut self, clock: usize, dt: f64) -> f64 {
        let ph = self.m.phases.as_ref().expect("phases are on");
        match ph.advance(clock, self.ph.cur, self.now, dt) {
            Due::At(t) => {
                self.ph.due[clock] = t;
                self.ph.stuck[clock] = f64::NAN;
                t
            }
            Due::Stalled { from, left } => {
                self.ph.due[clock] = from;
                self.ph.stuck[clock] = left;
                f64::INFINITY
            }
        }
    }

    /// A slot's natural fault event came: nothing is pending on its clock any more.
    pub(crate) fn fault_came(&mut self, clock: usize) {
        self.dormant_fault_came(clock);
        if self.ph.on {
            self.ph.due[clock] = f64::NAN;
        }
    }

    /// Whether a common cause's occurrence event is the one pending (always without
    /// phases; with them, an abort may have rescheduled it); marks it come.
    pub(crate) fn common_live(&mut self, cc: u32) -> bool {
        if !self.ph.on {
            return true;
        }
        let clock = self.m.slots.len() + cc as usize;
        let live = self.ph.due[clock] == self.now;
        if live {
            self.ph.due[clock] = f64::NAN;
        }
        live
    }

    /// Handles a phase event.
    pub(crate) fn on_phase_event<O: Observer>(&mut self, e: PhaseEvent, obs: &mut O) {
        let PhaseEvent::Begin {
            phase,
            generation,
            abort,
        } = e;
        if generation != self.ph.generation {
            return;
        }
        self.phase_books_to_now();
        let ph = self.m.phases.as_ref().expect("phase events need phases");
        let old = self.ph.cur;
        let remaining = abort.then(|| self.remaining_operational());
        self.ph.cur = Cursor {
            phase,
            start: self.now,
        };
        self.switch_idle(old.phase, phase);
        let p = &ph.list[phase as usize];
        self.ph.response = p.response;
        if p.load != self.ph.load {
            self.ph.load = p.load;
            self.restart_arrivals();
        }
        if abort {
            self.ph.aborts[phase as usize] += 1;
        }
        obs.note(self.now, Note::Phase { phase, abort });
        if let Some(rem) = remaining {
            self.reschedule_faults(rem);
        }
        if let Some(next) = ph.next(phase) {
            let generation = self.ph.generation;
            self.schedule(
                self.now + p.lasts,
                PhaseEvent::Begin {
                    phase: next,
                    generation,
                    abort: false,
                },
            );
        }
    }

    /// A service failed during the phase in force: if the phase aborts, the abort phase
    /// begins at once (the pending next phase becomes stale).
    fn abort_if_asked(&mut self) {
        let ph = self.m.phases.as_ref().expect("phases");
        let to = ph.list[self.ph.cur.phase as usize].abort_to;
        if to != NONE {
            self.ph.generation += 1;
            let generation = self.ph.generation;
            self.schedule(
                self.now,
                PhaseEvent::Begin {
                    phase: to,
                    generation,
                    abort: true,
                },
            );
        }
    }

    /// Marks idle what the new phase does not need and wakes what it needs again.
    fn switch_idle(&mut self, from: u32, to: u32) {
        let ph = self.m.phases.as_ref().expect("phases");
        for &c in ph.idle.row(from as usize) {
            self.ph.idle[c as usize] = false;
            self.mark(c);
        }
        for &c in ph.idle.row(to as usize) {
            self.ph.idle[c as usize] = true;
            self.mark(c);
        }
    }

    /// Before an abort: how much operational time each pending fault has left (NaN: none
    /// pending), kept in `stuck` (which is rewritten when the fault is rescheduled).
    fn remaining_operational(&mut self) -> usize {
        let ph = self.m.phases.as_ref().expect("phases");
        let s = &mut self.ph;
        let mut pending = 0;
        for clock in 0..s.due.len() {
            let due = s.due[clock];
            if due.is_nan() {
                continue;
            }
            let stalled = if s.stuck[clock].is_nan() {
                0.0
            } else {
                s.stuck[clock]
            };
            s.stuck[clock] = stalled + ph.elapsed(clock, s.cur, self.now, due);
            pending += 1;
        }
        pending
    }

    /// After an abort: every pending fault rescheduled on the new timeline from the
    /// operational time it had left.
    fn reschedule_faults(&mut self, pending: usize) {
        if pending == 0 {
            return;
        }
        let m = self.m;
        let ns = m.slots.len();
        for clock in 0..self.ph.due.len() {
            if self.ph.due[clock].is_nan() {
                continue;
            }
            let left = self.ph.stuck[clock];
            if clock < ns {
                if m.slots[clock].source != Source::Own || self.faults.state[clock] != IDLE {
                    self.ph.due[clock] = f64::NAN;
                    continue;
                }
                self.faults.generation[clock] += 1;
                let generation = self.faults.generation[clock];
                let t = self.fault_due(clock, left);
                let slot = clock as u32;
                self.schedule(t, FaultEvent::Fault { slot, generation });
            } else {
                let t = self.fault_due(clock, left);
                let cc = (clock - ns) as u32;
                self.schedule(t, FaultEvent::Common { cc });
            }
        }
    }

    /// Brings the per-phase books up to now: time in the phase, site downtime, and every
    /// service's failed, degraded and affected time.
    fn phase_books_to_now(&mut self) {
        self.phase_site_to_now();
        for si in 0..self.ph.since.len() {
            self.phase_service_to_now(si);
        }
    }

    /// Brings the phase in force's time and site downtime up to now (before `failed_now`
    /// changes).
    fn phase_site_to_now(&mut self) {
        let p = self.ph.cur.phase as usize;
        let dt = self.now - self.ph.mark;
        self.ph.time[p] += dt;
        if self.books.failed_now > 0 {
            self.ph.downtime[p] += dt;
        }
        self.ph.mark = self.now;
    }

    /// Brings service `si`'s per-phase books up to now (before its state changes).
    fn phase_service_to_now(&mut self, si: usize) {
        let p = self.ph.cur.phase as usize;
        let a = &self.books.svc[si];
        let dt = self.now - self.ph.since[si];
        match a.state {
            super::propagation::SvcState::Failed => self.ph.service_down[p] += dt,
            super::propagation::SvcState::Degraded => self.ph.degraded[p] += dt,
            super::propagation::SvcState::Up => {}
        }
        let users = self.m.comps[self.m.services[si] as usize]
            .service
            .map_or(0.0, |s| s.users as f64);
        self.ph.user_seconds[p] += users * a.frac * dt;
        self.ph.since[si] = self.now;
    }

    /// Hook: service `si` is about to change state (its books are brought up to now).
    #[inline(always)]
    pub(crate) fn phase_service_changing(&mut self, si: usize) {
        if self.ph.on {
            self.phase_service_books_to_now(si);
        }
    }

    /// [`Sim::phase_service_changing`]'s work, with phases.
    #[inline(never)]
    fn phase_service_books_to_now(&mut self, si: usize) {
        self.phase_site_to_now();
        self.phase_service_to_now(si);
    }

    /// Hook: a service failed; `site` when no other service was failed. Counted in the
    /// phase in force, which aborts if it says so.
    #[inline(always)]
    pub(crate) fn phase_service_failed(&mut self, site: bool) {
        if self.ph.on {
            self.phase_count_failure(site);
        }
    }

    /// [`Sim::phase_service_failed`]'s work, with phases.
    #[inline(never)]
    fn phase_count_failure(&mut self, site: bool) {
        if site {
            self.ph.failures[self.ph.cur.phase as usize] += 1;
        }
        self.abort_if_asked();
    }

    /// Closes the per-phase books at the end of the run.
    pub(crate) fn finish_phases(&mut self) {
        if self.ph.on {
            self.phase_books_to_now();
        }
    }
}
