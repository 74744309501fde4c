//! Load on a queue: `Burst` faults (extra arrivals over a window) and the mitigations that
//! act on load (shedding and spoon-feeding, rate limits, more workers, a redesign).

use crate::engine::event::QueueEvent;
use crate::engine::{Note, Observer, Sim};
use crate::model::{Discipline, MitigationKind};

impl Sim<'_> {
    /// A Burst fault on queue component `comp` became active: extra arrivals for its window.
    /// Returns when the burst ends (its "repair").
    pub(crate) fn start_burst(&mut self, comp: usize, slot: u32, jobs: u64, over: f64) -> f64 {
        let k = self.m.comps[comp].queue as usize;
        let q = &mut self.qs.q[k];
        q.burst_gen += 1;
        q.burst_until = self.now + over;
        q.burst_rate = jobs as f64 / over;
        q.root = slot;
        let generation = q.burst_gen;
        let gap = self.exp(k, self.qs.q[k].burst_rate);
        self.schedule(
            self.now + gap,
            QueueEvent::Burst {
                queue: k as u32,
                generation,
            },
        );
        self.now + over
    }

    /// Puts a load mitigation into effect on queue component `comp`.
    pub(crate) fn apply_queue_mitigation<O: Observer>(
        &mut self,
        mit: u32,
        comp: usize,
        obs: &mut O,
    ) -> bool {
        let k = self.m.comps[comp].queue as usize;
        match self.m.mitigations[mit as usize].kind {
            MitigationKind::Shed { rate, above, .. } => {
                if let Some(a) = above {
                    self.qs.q[k].drop_above = a;
                }
                if let Some(r) = rate {
                    self.tick(k);
                    let measuring = self.measuring(k);
                    let n = self.park_waiting(k);
                    let q = &mut self.qs.q[k];
                    if measuring {
                        q.counts.shed += n as u64;
                    }
                    // The jobs in service were slowed by the backlog that is now gone: they
                    // finish at the speed of an empty queue (a fresh draw; the old
                    // completions are cancelled by their generation). Under processor
                    // sharing their work was drawn on entry and stays.
                    if !matches!(self.m.queues[k].discipline, Discipline::Shared) {
                        for i in 0..self.qs.q[k].serving.len() {
                            let id = self.qs.q[k].serving[i];
                            self.serve(k, id);
                        }
                    }
                    let q = &mut self.qs.q[k];
                    q.spoon_rate = r;
                    q.spoon_mit = mit;
                    if !q.spoon_pending && !q.parked.is_empty() {
                        q.spoon_pending = true;
                        self.schedule(self.now + 1.0 / r, QueueEvent::Spoon { queue: k as u32 });
                    }
                    obs.note(
                        self.now,
                        Note::Parked {
                            queue: k as u32,
                            jobs: n as u64,
                        },
                    );
                    // Spoon-feeding keeps the mitigation busy until the lot is empty.
                    return !self.qs.q[k].parked.is_empty();
                }
                false
            }
            MitigationKind::RateLimit { rate, .. } => {
                let q = &mut self.qs.q[k];
                q.limit_rate = rate;
                q.limit_tokens = rate.max(1.0);
                q.limit_last = self.now;
                false
            }
            MitigationKind::AddWorkers { workers, .. } => {
                self.qs.q[k].extra_workers += workers;
                self.start_jobs(k);
                false
            }
            MitigationKind::Redesign { .. } => {
                self.qs.q[k].flaw_fixed = true;
                false
            }
            _ => false,
        }
    }

    /// Feeds one parked job back into its queue.
    pub(super) fn spoon<O: Observer>(&mut self, k: usize, obs: &mut O) {
        let q = &mut self.qs.q[k];
        q.spoon_pending = false;
        let Some(id) = q.parked.pop_front() else {
            return;
        };
        let rate = q.spoon_rate;
        let job = self.qs.jobs[id as usize];
        self.admit(
            k,
            job.born,
            job.attempt,
            id,
            job.class,
            job.req,
            job.req_gen,
        );
        if !self.qs.q[k].parked.is_empty() {
            self.qs.q[k].spoon_pending = true;
            self.schedule(self.now + 1.0 / rate, QueueEvent::Spoon { queue: k as u32 });
        } else {
            // The backlog is worked off: the tool can be used again.
            let comp = self.m.queues[k].comp;
            obs.note(self.now, Note::ParkedEmpty { queue: k as u32 });
            self.mitigation_done(comp as usize, self.qs.q[k].spoon_mit, obs);
        }
    }
}
