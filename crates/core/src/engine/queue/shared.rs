//! Processor sharing: every job in the queue is in service, and the workers' capacity is
//! shared equally among them (with `c` workers and `n` jobs, each is served at speed
//! min(1, c / n)).
//!
//! Kept exact with a virtual clock: `vt` is the service every job in service has received
//! since the start of the run; a job entering with work `x` finishes when `vt` reaches its
//! entry's `vt` + `x`. Jobs sit in a heap by that finish; one pending event per queue marks
//! the soonest, rescheduled (its generation bumped) whenever the number of jobs or of
//! workers changes.

use super::{PARKED, SERVING};
use crate::engine::Sim;
use crate::engine::event::QueueEvent;
use std::cmp::Reverse;

impl Sim<'_> {
    /// Brings queue `k`'s virtual clock up to now.
    fn advance(&mut self, k: usize) {
        let now = self.now;
        let q = &mut self.qs.q[k];
        q.vt += (now - q.vt_at) * q.speed;
        q.vt_at = now;
    }

    /// Takes every waiting job into service and reschedules the next completion.
    pub(super) fn share(&mut self, k: usize) {
        self.advance(k);
        while let Some(id) = self.qs.q[k].waiting.pop_front() {
            self.qs.q[k].busy += 1;
            self.qs.q[k].serving.push(id);
            let work = self.service_time(k);
            let j = &mut self.qs.jobs[id as usize];
            j.state = SERVING;
            j.service_gen = j.service_gen.wrapping_add(1);
            let generation = j.service_gen;
            let q = &mut self.qs.q[k];
            let finish = q.vt + work;
            q.shared.push(Reverse((finish.to_bits(), id, generation)));
        }
        self.reschedule_shared(k);
    }

    /// Sets the speed of service from the jobs in service and the workers available, and
    /// schedules the soonest completion.
    fn reschedule_shared(&mut self, k: usize) {
        let workers = self.workers(k) as usize;
        let q = &mut self.qs.q[k];
        let n = q.serving.len();
        q.others = n.saturating_sub(workers);
        q.speed = if n == 0 {
            0.0
        } else {
            (workers as f64 / n as f64).min(1.0)
        };
        q.shared_gen = q.shared_gen.wrapping_add(1);
        // Entries of jobs that left service other than by finishing (parked) are stale.
        while let Some(&Reverse((_, id, g))) = q.shared.peek() {
            let j = &self.qs.jobs[id as usize];
            if j.state == SERVING && j.service_gen == g {
                break;
            }
            q.shared.pop();
        }
        let Some(&Reverse((finish, _, _))) = q.shared.peek() else {
            return;
        };
        if q.speed > 0.0 {
            let left = (f64::from_bits(finish) - q.vt).max(0.0);
            let at = self.now + left / q.speed;
            let generation = q.shared_gen;
            let queue = k as u32;
            self.schedule(at, QueueEvent::Shared { queue, generation });
        }
    }

    /// The soonest job in service finishes (unless the event is stale).
    pub(super) fn shared_done(&mut self, k: usize, generation: u32) {
        if self.qs.q[k].shared_gen != generation {
            return;
        }
        self.advance(k);
        let Some(Reverse((_, id, g))) = self.qs.q[k].shared.pop() else {
            return;
        };
        // job_done takes it out of service and calls start_jobs, which reschedules.
        self.job_done(id, g);
    }

    /// Parks the newest jobs in service beyond the workers (shedding with a rate); returns
    /// how many.
    pub(super) fn park_shared(&mut self, k: usize) -> usize {
        self.advance(k);
        let workers = self.workers(k) as usize;
        let jobs = &mut self.qs.jobs;
        let q = &mut self.qs.q[k];
        let extra = q.serving.len().saturating_sub(workers);
        if extra == 0 {
            return 0;
        }
        q.serving
            .sort_unstable_by(|a, b| jobs[*b as usize].start.total_cmp(&jobs[*a as usize].start));
        for id in q.serving.drain(..extra) {
            jobs[id as usize].state = PARKED;
            q.parked.push_back(id);
        }
        q.busy -= extra as u32;
        self.reschedule_shared(k);
        extra
    }
}
