//! The discrete-event engine: one simulated history of a compiled [`Model`].
//!
//! Lifecycle of a run:
//! 1. [`Sim::run`] resets the per-run arrays to the model's healthy state (a memcpy, no
//!    allocation), seeds every random stream from `(seed, run, key, purpose)`, and schedules
//!    what starts the run: the first operating phase (only when the model has phases),
//!    warm spares' failures, queue arrivals, each fault slot's first fault, each common
//!    cause's first occurrence and every injection. With phases, times to fault are drawn
//!    on operational clocks and converted to calendar time (`phase`).
//! 2. Events come off the agenda (`event::Agenda`), ordered by `(time, sequence)`, so equal
//!    times are first-in-first-out and runs are deterministic. Events are small `Copy`
//!    values; a stale one (its slot was repaired or re-faulted since) is recognised by a
//!    generation counter and skipped, never searched for.
//! 3. An event changes a fault slot or an edge's view; the touched component is queued and
//!    `Sim::settle` re-evaluates only affected nodes, in dependency-rank order, until
//!    nothing changes (`network` moves changes, [`propagation`] says what an output is).
//! 4. Only then are state changes committed to the [`Books`]: time-in-state accounting,
//!    service failures, notes to the observer. A glitch that appears and vanishes within
//!    one instant is never counted.
//! 5. The run ends at the horizon or at the event cap (reported, not silent).
//!
//! The simulator's state is one struct per subsystem, each with its own event enum
//! (`event`): `faults`, the `network`, the [`Books`], incident [`response`], job
//! [`queue`]s and operating phases ([`PhaseState`]). A subsystem's handlers are `impl Sim` blocks in
//! its own module, because a fault, a page or a job can touch the others (a repair marks a
//! component, a failure pages someone, a queue's health feeds the graph).

mod books;
mod dynamic;
mod event;
mod faults;
mod latent;
mod network;
mod note;
mod phase;
pub mod propagation;
pub mod queue;
pub mod response;
mod split;

pub use books::{Books, ServiceRun};
pub use latent::Hidden;
pub use note::{Note, Observer};
pub use phase::PhaseState;

use crate::model::Model;
use crate::prefetch::prefetch;
use dynamic::Dynamic;
use event::{Agenda, Event, FaultEvent, Kind};
use faults::{Faults, fault_times};
use network::Net;
use propagation::{Class, Health};
use queue::QueueState;
use response::ResponseState;

/// Most jobs in the system plus pending events one run may hold (about a gigabyte): a run
/// that grows past it (a queue that never drains) stops, like one that reaches the event
/// cap, and says so. The event cap alone does not bound memory: 50 million arrivals can
/// all be waiting.
pub const MEMORY_BUDGET: usize = 10_000_000;

/// One simulated history, with buffers reused from run to run. A copy (`clone`) carries
/// on from the same state: rare-event splitting (`rare`) continues a history many ways.
#[derive(Clone)]
pub struct Sim<'m> {
    /// The model simulated.
    pub(crate) m: &'m Model,
    /// Simulated time of the event being handled.
    pub(crate) now: f64,
    /// Pending events.
    agenda: Agenda,
    /// Events processed in the current run.
    pub events: u64,
    /// Whether the current run stopped at the event cap or the memory budget.
    pub capped: bool,
    /// Whether the current run stopped at the memory budget ([`MEMORY_BUDGET`]).
    pub over_budget: bool,
    /// Whether a settle hit its evaluation limit (propagation that did not converge).
    pub unsettled: bool,
    /// Component evaluations in the current run (propagation work: only affected nodes).
    pub evaluations: u64,
    /// Fault slots and common causes.
    faults: Faults,
    /// The dependency network's live state.
    net: Net,
    /// What the run measured at the service boundary.
    pub books: Books,
    /// Incident response state and measurements.
    pub rs: ResponseState,
    /// Job queues.
    pub qs: QueueState,
    /// Latent faults, demands, inspections and readiness.
    pub hidden: Hidden,
    /// Operating phases: the timeline and what each phase saw.
    pub ph: PhaseState,
    /// Ordered and spares groups: members' down times, claims, dormancy clocks.
    dy: Dynamic,
}

impl<'m> Sim<'m> {
    /// Allocates every buffer for `m` once, and settles its healthy state; runs reuse them.
    pub fn new(m: &'m Model) -> Sim<'m> {
        let pending = m.slots.len() + m.common.len() + m.injections.len() + 16;
        let mut sim = Sim {
            m,
            now: 0.0,
            agenda: Agenda::new(pending, m.horizon),
            events: 0,
            capped: false,
            over_budget: false,
            unsettled: false,
            evaluations: 0,
            faults: Faults::new(m),
            net: Net::new(m),
            books: Books::new(m),
            rs: ResponseState::new(m),
            qs: QueueState::new(m),
            hidden: Hidden::new(m),
            ph: PhaseState::new(m),
            dy: Dynamic::new(m),
        };
        sim.settle_template();
        sim.keep_dynamic_template();
        sim
    }

    /// Component `i`'s current output.
    #[inline]
    pub fn out(&self, i: usize) -> Health {
        self.net.st[i].out
    }

    /// The root fault slot behind component `i`'s impaired output
    /// ([`NONE`](crate::model::NONE) if healthy).
    #[inline]
    pub fn cause(&self, i: usize) -> u32 {
        self.net.st[i].cause
    }

    /// The neighbour component `i`'s impairment came through
    /// ([`NONE`](crate::model::NONE) for its own fault).
    #[inline]
    pub fn via(&self, i: usize) -> u32 {
        self.net.st[i].via
    }

    /// Component `i`'s committed state class.
    #[inline]
    pub fn class(&self, i: usize) -> Class {
        self.net.st[i].class
    }

    /// The state class of component `i` with output `h`.
    pub fn classify(&self, i: usize, h: Health) -> Class {
        Class::of(h, self.m.nodes[i].capacity)
    }

    /// Simulated time of the last run: the horizon, or where the event cap stopped it.
    pub fn simulated(&self) -> f64 {
        self.agenda.end
    }

    /// Largest number of pending events seen in the current run.
    pub fn peak_pending(&self) -> usize {
        self.agenda.peak
    }

    /// The model this simulator runs.
    pub fn model(&self) -> &'m Model {
        self.m
    }

    /// Back to the healthy template, every stream at the start of run `run` of the study
    /// seeded `seed`. The phase, response and queue resets schedule their first events, in
    /// that order, before [`Sim::run`] schedules the faults': the order fixes their sequence
    /// numbers, so it is part of every result (a model without phases schedules none).
    fn reset(&mut self, seed: u64, run: u64) {
        let m = self.m;
        self.now = 0.0;
        self.agenda.reset(m.horizon);
        self.qs.retries.clear();
        self.events = 0;
        self.capped = false;
        self.over_budget = false;
        self.unsettled = false;
        self.evaluations = 0;
        self.faults.reset(m, seed, run);
        self.net.reset(seed, run);
        self.dy.reset();
        let st = &self.net.st;
        self.books.reset(m, |c| st[c].out);
        self.reset_phases();
        self.reset_response(seed, run);
        self.reset_queues(seed, run);
    }

    /// Schedules an event at `t` (dropped when past the end of the run).
    #[inline]
    pub(crate) fn schedule(&mut self, t: f64, kind: impl Into<Kind>) {
        self.agenda.push(t, kind.into());
    }

    /// Simulates run `run` of the study seeded `seed`, from time 0 to the horizon.
    ///
    /// Events at one instant are handled one by one, each settled and committed for the
    /// components it touched; what users see is committed once nothing more happens at
    /// that instant (`close_instant`), so a failure always lasts longer than zero.
    pub fn run<O: Observer>(&mut self, seed: u64, run: u64, obs: &mut O) {
        self.start(seed, run);
        self.handle_events(obs, |_| false);
        self.finish();
    }

    /// Resets to the healthy template and schedules what starts run `run` of the study
    /// seeded `seed`: the run is ready for `handle_events`.
    pub(crate) fn start(&mut self, seed: u64, run: u64) {
        self.reset(seed, run);
        self.schedule_faults();
        self.reset_hidden(seed, run);
    }

    /// Handles events until `stop` holds at the end of an instant (every event at that
    /// time handled and what users saw committed): then returns true, the state at that
    /// instant, ready to go on. Returns false at the end of the run (the horizon, the
    /// event cap or the memory budget), before [`Sim::finish`].
    pub(crate) fn handle_events<O: Observer>(
        &mut self,
        obs: &mut O,
        mut stop: impl FnMut(&Sim) -> bool,
    ) -> bool {
        let max_events = self.m.max_events;
        loop {
            let next = self.agenda.peek().map(Event::t);
            if next != Some(self.now) {
                if self.books.instant_open() {
                    // The instant has settled; its hooks may schedule more at this instant.
                    self.close_instant(obs);
                    continue;
                }
                if stop(self) {
                    return true;
                }
            }
            let Some(ev) = self.agenda.pop() else { break };
            if self.events >= max_events {
                // The state holds until this unprocessed event: the run covers up to it.
                self.capped = true;
                self.now = ev.t().min(self.m.horizon);
                self.agenda.end = self.now;
                obs.note(self.now, Note::EventCap);
                break;
            }
            if self.agenda.len() + self.qs.live_jobs() > MEMORY_BUDGET {
                self.capped = true;
                self.over_budget = true;
                self.now = ev.t().min(self.m.horizon);
                self.agenda.end = self.now;
                obs.note(self.now, Note::MemoryBudget);
                break;
            }
            self.now = ev.t();
            self.events += 1;
            if self.net.prefetch
                && let Some(next) = self.agenda.peek()
            {
                self.prefetch_event(next.kind);
            }
            self.dispatch(ev.kind, obs);
            // Most events of a queue or of incident response change no component: then
            // there is nothing to settle or commit, and neither call is made.
            if self.net.has_work() {
                self.settle();
            }
            if !self.net.touched.is_empty() {
                self.commit(obs);
            }
            self.update_readiness();
        }
        if self.books.instant_open() {
            self.close_instant(obs);
            return stop(self);
        }
        false
    }

    /// Starts loading what the next event will touch, so that its cache misses overlap
    /// with the work of this one (large models do not fit in cache).
    fn prefetch_event(&self, kind: Kind) {
        match kind {
            Kind::Fault(
                FaultEvent::Fault { slot, .. }
                | FaultEvent::Activate { slot, .. }
                | FaultEvent::Repair { slot, .. },
            ) => {
                let k = slot as usize;
                prefetch(&self.faults.state[k]);
                prefetch(&self.faults.generation[k]);
                prefetch(&self.m.slots[k]);
                self.faults.streams.prefetch(fault_times(slot));
            }
            Kind::Deliver { edge, delivery } => {
                let e = edge as usize;
                prefetch(&self.net.views[e]);
                prefetch(&self.m.links[e]);
                self.net.deliveries.prefetch(delivery);
            }
            _ => {}
        }
    }

    /// Hands an event to the subsystem that owns it.
    fn dispatch<O: Observer>(&mut self, kind: Kind, obs: &mut O) {
        match kind {
            Kind::Fault(e) => self.on_fault_event(e, obs),
            Kind::Deliver { edge, delivery } => self.deliver(edge, delivery),
            Kind::Response(e) => self.on_response_event(e, obs),
            Kind::Queue(e) => self.on_queue_event(e, obs),
            Kind::Phase(e) => self.on_phase_event(e, obs),
        }
    }

    /// Closes the run at the horizon or at the event cap.
    pub(crate) fn finish(&mut self) {
        let end = if self.capped {
            self.now
        } else {
            self.m.horizon
        };
        self.now = end;
        self.agenda.end = end;
        self.close_books(end);
        self.close_readiness(end);
        self.finish_phases();
        self.finish_response();
        self.finish_queues();
    }
}
