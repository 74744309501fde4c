//! Events: what happens at an instant, and the agenda that orders them.
//!
//! An event is a 32-byte `Copy` value: a 128-bit key (time, then insertion order) and a
//! [`Kind`]. Each subsystem of the engine owns its own event enum ([`FaultEvent`],
//! [`ResponseEvent`], [`QueueEvent`]); [`Kind`] only says whose it is, so a new event of
//! one subsystem touches that subsystem's enum and handler, not a list of every event there
//! is. Payloads too big for an event wait in a [`Slab`].

use crate::prefetch::prefetch;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an event, by subsystem. Small and `Copy`: the heap holds these by value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// Faults arriving, waking and being repaired.
    Fault(FaultEvent),
    /// A dependency's output reaches the dependent over a delayed edge; what it delivers
    /// waits in the network's delivery slab (keeping events 32 bytes).
    Deliver {
        /// The edge.
        edge: u32,
        /// Slot of the delivered view in the slab.
        delivery: u32,
    },
    /// Detection, responders and mitigations.
    Response(ResponseEvent),
    /// Job queues.
    Queue(QueueEvent),
    /// Operating phases.
    Phase(PhaseEvent),
}

/// Fault events. A `generation` that no longer matches its slot's marks a stale event.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FaultEvent {
    /// A fault slot's next fault (or, for a fault with a chance, the next occasion).
    Fault { slot: u32, generation: u32 },
    /// A dormant fault becomes an error.
    Activate { slot: u32, generation: u32 },
    /// A repair finishes (or a burst's window ends).
    Repair { slot: u32, generation: u32 },
    /// A common cause strikes.
    Common { cc: u32 },
    /// A scheduled injection.
    Inject { index: u32 },
    /// A group, voter or failover calls on a component (reveals latent faults; a fault
    /// on demand may happen).
    Demand { comp: u32 },
    /// An inspection begins.
    Inspect { index: u32 },
    /// An inspection ends: what it finds is found.
    Inspected { index: u32 },
}

/// Incident-response events.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ResponseEvent {
    /// An alert's condition has held for its delay.
    Alert { alert: u32, generation: u32 },
    /// A customer reports a failed service.
    Report { service: u32, generation: u32 },
    /// An incident's next step (acknowledged, or diagnosed).
    Step { incident: u32, generation: u32 },
    /// A shift ends during a diagnosis.
    Handoff { incident: u32, generation: u32 },
    /// A mitigation is ready (a spare unit arrives, a failover switches, ...).
    Deployed {
        mitigation: u32,
        comp: u32,
        unit: u32,
    },
    /// A spare unit fails (waiting in stock, on its way or in service).
    SpareFails { unit: u32, generation: u32 },
    /// An automated mitigation's delay has passed.
    Auto {
        mitigation: u32,
        comp: u32,
        generation: u32,
    },
    /// Someone noticed that a procedure did not work (`incident`: who, or NONE for a tool).
    Retry {
        mitigation: u32,
        comp: u32,
        incident: u32,
    },
    /// A burn-rate rule's windows both reach its rate (unless the generation moved on:
    /// the failure ended first).
    Burn { rule: u32, generation: u32 },
}

/// Job-queue events.
#[derive(Clone, Copy, Debug)]
pub(crate) enum QueueEvent {
    /// A new job arrives.
    Arrive { queue: u32, generation: u32 },
    /// The arrival rate changes (a rate schedule).
    Rate { queue: u32 },
    /// One more job of a burst arrives.
    Burst { queue: u32, generation: u32 },
    /// A job's retry; its birth time and attempt number wait in the retry slab.
    Retry { queue: u32, retry: u32 },
    /// A job's service ends.
    Done { job: u32, generation: u32 },
    /// Clients give up on attempts past their deadline.
    Expire { queue: u32 },
    /// A health window closes.
    Sample { queue: u32 },
    /// Shedding feeds one parked job back.
    Spoon { queue: u32 },
    /// A modulated arrival process moves to its next state.
    Switch { queue: u32 },
    /// Processor sharing: the job with the least work left finishes (unless the
    /// generation has moved on: the jobs in service changed).
    Shared { queue: u32, generation: u32 },
    /// A request still unanswered sends its hedged attempt (unless the request's
    /// generation has moved on: it is over).
    /// (Its queue is the request's: two fields keep events 32 bytes.)
    Hedge { req: u32, generation: u32 },
    /// Users give up on requests past their deadline.
    Deadline { queue: u32 },
    /// A waiting job's patience runs out (unless it has moved since: `generation` is its
    /// service generation when it joined the line).
    Abandon { job: u32, generation: u32 },
}

/// Operating-phase events. A `generation` that no longer matches the timeline's marks a
/// stale event (an abort changed the timeline).
#[derive(Clone, Copy, Debug)]
pub(crate) enum PhaseEvent {
    /// A phase begins: its time came, or (`abort`) a service failed in a phase that aborts.
    Begin {
        phase: u32,
        generation: u32,
        abort: bool,
    },
}

impl From<PhaseEvent> for Kind {
    fn from(e: PhaseEvent) -> Kind {
        Kind::Phase(e)
    }
}

impl From<FaultEvent> for Kind {
    fn from(e: FaultEvent) -> Kind {
        Kind::Fault(e)
    }
}

impl From<ResponseEvent> for Kind {
    fn from(e: ResponseEvent) -> Kind {
        Kind::Response(e)
    }
}

impl From<QueueEvent> for Kind {
    fn from(e: QueueEvent) -> Kind {
        Kind::Queue(e)
    }
}

/// An event on the agenda.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    /// (time, sequence) as one integer: the time's bits mapped to an unsigned integer in
    /// the order of `f64::total_cmp`, then the sequence number (first in, first out).
    key: u128,
    /// What happens.
    pub(crate) kind: Kind,
}

impl Event {
    fn new(t: f64, seq: u64, kind: Kind) -> Event {
        let b = t.to_bits();
        let ordered = if b >> 63 == 1 { !b } else { b | 1 << 63 };
        Event {
            key: u128::from(ordered) << 64 | u128::from(seq),
            kind,
        }
    }

    /// When it happens.
    pub(crate) fn t(&self) -> f64 {
        let ordered = (self.key >> 64) as u64;
        let b = if ordered >> 63 == 1 {
            ordered & !(1 << 63)
        } else {
            !ordered
        };
        f64::from_bits(b)
    }
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

/// The pending events of a run, earliest first, equal times first-in-first-out.
#[derive(Clone, Debug)]
pub(crate) struct Agenda {
    heap: BinaryHeap<Event>,
    /// Insertion counter: the tie-break that makes runs deterministic.
    seq: u64,
    /// Events after this time are not scheduled (the horizon, or where a run stopped).
    pub(crate) end: f64,
    /// Largest number of pending events seen this run.
    pub(crate) peak: usize,
}

impl Agenda {
    /// An empty agenda with room for `capacity` events, ending at `end`.
    pub(crate) fn new(capacity: usize, end: f64) -> Agenda {
        Agenda {
            heap: BinaryHeap::with_capacity(capacity),
            seq: 0,
            end,
            peak: 0,
        }
    }

    /// Empties it for a new run ending at `end`.
    pub(crate) fn reset(&mut self, end: f64) {
        self.heap.clear();
        self.seq = 0;
        self.end = end;
        self.peak = 0;
    }

    /// Schedules `kind` at `t`, unless that is past the end (or not a time at all).
    #[inline]
    pub(crate) fn push(&mut self, t: f64, kind: Kind) {
        if t > self.end || t.is_nan() {
            return;
        }
        self.heap.push(Event::new(t, self.seq, kind));
        self.seq += 1;
        self.peak = self.peak.max(self.heap.len());
    }

    /// Pending events.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// The earliest event, taken off the agenda.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
    }

    /// Every pending event, earliest first, leaving the agenda empty (its sequence
    /// counter goes on, so events pushed back keep their order).
    pub(crate) fn take_all(&mut self) -> Vec<Event> {
        let mut all = std::mem::take(&mut self.heap).into_sorted_vec();
        all.reverse();
        all
    }

    /// The earliest event, left on the agenda.
    #[inline]
    pub(crate) fn peek(&self) -> Option<&Event> {
        self.heap.peek()
    }
}

/// Payloads too big for an event, kept aside in reused slots (no allocation once warm).
#[derive(Clone, Debug)]
pub(crate) struct Slab<T> {
    items: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T: Copy> Slab<T> {
    /// Stores `x`; returns its slot.
    #[inline]
    pub(crate) fn insert(&mut self, x: T) -> u32 {
        match self.free.pop() {
            Some(k) => {
                self.items[k as usize] = x;
                k
            }
            None => {
                self.items.push(x);
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Takes the value out of `slot`, which becomes free.
    #[inline]
    pub(crate) fn take(&mut self, slot: u32) -> T {
        self.free.push(slot);
        self.items[slot as usize]
    }

    /// Starts loading `slot` into cache.
    pub(crate) fn prefetch(&self, slot: u32) {
        if let Some(x) = self.items.get(slot as usize) {
            prefetch(x);
        }
    }

    /// Empties it for a new run (keeping its memory).
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.free.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_order_like_time_then_sequence() {
        let kind = Kind::Queue(QueueEvent::Rate { queue: 0 });
        let times = [0.0, 1e-300, 0.5, 1.0, 3.25, 1e9, f64::INFINITY];
        for (a, &ta) in times.iter().enumerate() {
            let e = Event::new(ta, 7, kind);
            assert_eq!(e.t().to_bits(), ta.to_bits(), "time {ta} survives the key");
            for (b, &tb) in times.iter().enumerate() {
                let f = Event::new(tb, 3, kind);
                // The heap pops the greatest: the earlier time, or at equal times the
                // smaller sequence number.
                let want = (b, 3).cmp(&(a, 7));
                assert_eq!(e.cmp(&f), want, "{ta}@7 vs {tb}@3");
            }
        }
        assert_eq!(size_of::<Kind>(), 16, "nested kinds fit beside the key");
        assert_eq!(size_of::<Event>(), 32, "events stay small");
    }
}
