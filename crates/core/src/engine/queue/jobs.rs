//! Jobs, one attempt at a time: admission (bounds, rate limits, breakers, shedding),
//! service on free workers at a speed that may fall with the backlog, completion, client
//! timeouts and retries.

use super::{DONE, GONE, Job, Pending, SERVING, WAITING};
use crate::engine::Sim;
use crate::engine::event::QueueEvent;
use crate::model::{Discipline, NONE, QueueHealthSpec};
use rand::Rng;

impl Sim<'_> {
    /// A job attempt of priority class `class` arrives at queue `k`. `reuse` is a parked
    /// job being fed back. `req` (generation `req_gen`) is the request it answers: [`NONE`]
    /// for a new job, which begins one if the queue follows requests. Attempt 0 is a hedge.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn admit(
        &mut self,
        k: usize,
        born: f64,
        attempt: u32,
        reuse: u32,
        class: u8,
        req: u32,
        req_gen: u32,
    ) {
        let spec = &self.m.queues[k];
        self.tick(k);
        let measuring = self.measuring(k);
        let now = self.now;
        let (req, req_gen) = if req == NONE && reuse == NONE && spec.client.is_some() {
            self.begin_request(k, class)
        } else {
            (req, req_gen)
        };
        {
            let q = &mut self.qs.q[k];
            q.series.attempt(now, attempt == 1 && reuse == NONE);
            if measuring {
                q.counts.attempts += 1;
                if attempt == 1 && reuse == NONE {
                    q.counts.jobs += 1;
                }
            }
            if attempt == 1 && reuse == NONE && spec.budget.is_finite() {
                // A retry budget earns `budget` retries per new job, banking at most 10.
                q.retry_tokens = (q.retry_tokens + spec.budget).min(10.0_f64.max(spec.budget));
            }
        }
        let q = &mut self.qs.q[k];
        // Fail fast while the dependencies are down or too slow (an open circuit breaker).
        let mut reject =
            q.breaker > 0.0 && (q.input.cap < q.breaker || q.input.slow >= q.breaker_slow);
        if !reject && q.limit_rate.is_finite() {
            q.limit_tokens =
                (q.limit_tokens + (now - q.limit_last) * q.limit_rate).min(q.limit_rate.max(1.0));
            q.limit_last = now;
            if q.limit_tokens >= 1.0 {
                q.limit_tokens -= 1.0;
            } else {
                reject = true;
            }
        }
        let mut backlog = q.backlog() as u64;
        if !reject && backlog > q.drop_above {
            // Shed on purpose, at the mitigation's cost per dropped job (not a lost job):
            // a waiting job of a lower class if there is one, else this one.
            let victim = self.make_room(k, class);
            let q = &mut self.qs.q[k];
            if measuring {
                q.counts.dropped += 1;
            }
            if let Some(v) = victim {
                let vj = self.qs.jobs[v as usize];
                self.release(v);
                self.drop_token(vj.req, vj.req_gen);
                backlog -= 1;
            } else {
                if reuse != NONE {
                    self.release(reuse);
                }
                self.drop_token(req, req_gen);
                return;
            }
        }
        if !reject && backlog >= spec.bound {
            // Full: a waiting job of a lower class is rejected instead, if there is one.
            match self.make_room(k, class) {
                Some(v) => self.reject_waiting(k, v),
                None => reject = true,
            }
        }
        if reject {
            let q = &mut self.qs.q[k];
            if measuring {
                q.counts.rejected += 1;
            }
            q.w_bad += 1;
            if reuse != NONE {
                self.release(reuse);
            }
            self.client_failed(k, born, attempt, class, req, req_gen);
            return;
        }
        let id = if reuse != NONE {
            reuse
        } else {
            match self.qs.free.pop() {
                Some(id) => id,
                None => {
                    self.qs.jobs.push(Job {
                        queue: 0,
                        born: 0.0,
                        start: 0.0,
                        deadline: f64::INFINITY,
                        attempt: 0,
                        state: DONE,
                        expired: false,
                        generation: 0,
                        service_gen: 0,
                        class: 0,
                        req: NONE,
                        req_gen: 0,
                    });
                    (self.qs.jobs.len() - 1) as u32
                }
            }
        };
        let j = &mut self.qs.jobs[id as usize];
        j.state = WAITING;
        j.start = now;
        let fresh = reuse == NONE;
        if fresh {
            // A new attempt. A job fed back from the parking lot keeps its identity, its
            // deadline (and its place in the deadline order) and whether its client gave up.
            j.queue = k as u32;
            j.born = born;
            j.attempt = attempt;
            j.class = class;
            j.req = req;
            j.req_gen = req_gen;
            j.expired = false;
            j.deadline = now + spec.timeout;
            j.generation = j.generation.wrapping_add(1);
        }
        let generation = j.generation;
        let q = &mut self.qs.q[k];
        if class == 0 {
            q.waiting.push_back(id);
        } else {
            // A lower priority class waits in its own line.
            q.lanes[class as usize - 1].push_back(id);
            q.in_lanes += 1;
            q.others += 1;
        }
        if measuring {
            q.counts.max_waiting = q.counts.max_waiting.max(q.backlog() as u64);
        }
        if fresh && spec.timeout.is_finite() {
            q.deadlines.push_back((id, generation));
            if !q.expire_pending {
                q.expire_pending = true;
                self.schedule(now + spec.timeout, QueueEvent::Expire { queue: k as u32 });
            }
        }
        if spec.patience.is_some() {
            self.draw_patience(k, id);
        }
        self.start_jobs(k);
    }

    /// A waiting job pushed out by a job of a higher class: rejected, as if it had just
    /// arrived at a full queue.
    #[cold]
    #[inline(never)]
    fn reject_waiting(&mut self, k: usize, id: u32) {
        let job = self.qs.jobs[id as usize];
        self.release(id);
        let q = &mut self.qs.q[k];
        if self.now >= self.m.queues[k].warmup {
            q.counts.rejected += 1;
        }
        q.w_bad += 1;
        if job.expired {
            // Its client timed out on it already and has acted on that.
            self.drop_token(job.req, job.req_gen);
        } else {
            self.client_failed(k, job.born, job.attempt, job.class, job.req, job.req_gen);
        }
    }

    /// Job `id` is done with: its slot is free for another.
    pub(super) fn release(&mut self, id: u32) {
        self.qs.jobs[id as usize].state = DONE;
        self.qs.free.push(id);
    }

    /// Workers available now: the queue's capacity share of its workers, rounded down (the
    /// share is not negative, so the cast's truncation is the floor, without a call to
    /// `floor`: this runs at every job start).
    pub(super) fn workers(&self, k: usize) -> u32 {
        let q = &self.qs.q[k];
        let total = self.m.queues[k].workers + q.extra_workers;
        (f64::from(total) * q.input.cap.clamp(0.0, 1.0)) as u32
    }

    /// Starts waiting jobs on free workers (under processor sharing: takes them all into
    /// service and reschedules).
    #[inline]
    pub(super) fn start_jobs(&mut self, k: usize) {
        // On a busy queue every arrival finds every worker taken: say so here, inline,
        // before the call to the loop below (whose first step is the same test).
        if self.m.queues[k].discipline != Discipline::Shared && self.qs.q[k].busy >= self.workers(k)
        {
            return;
        }
        self.start_waiting(k);
    }

    /// [`Sim::start_jobs`] past its first test.
    #[inline(never)]
    fn start_waiting(&mut self, k: usize) {
        // FIFO gets a copy of the loop of its own, with the choice of job folded away.
        match self.m.queues[k].discipline {
            Discipline::Fifo => self.start_in_order(k, Discipline::Fifo),
            Discipline::Shared => self.share(k),
            d => self.start_in_order(k, d),
        }
    }

    /// Starts waiting jobs on free workers, taken in discipline `d`'s order.
    #[inline(always)]
    fn start_in_order(&mut self, k: usize, d: Discipline) {
        let spec = &self.m.queues[k];
        loop {
            if self.qs.q[k].busy >= self.workers(k) {
                return;
            }
            let Some(id) = self.next_waiting(k, d) else {
                return;
            };
            let job = self.qs.jobs[id as usize];
            if job.state == GONE {
                // Left the line earlier: it only now leaves the deque.
                self.qs.q[k].gone -= 1;
                self.release(id);
                continue;
            }
            self.tick(k);
            if spec.drop_expired && (job.expired || !self.wanted(&job)) {
                if self.measuring(k) {
                    self.qs.q[k].counts.discarded += 1;
                }
                self.release(id);
                self.drop_token(job.req, job.req_gen);
                continue;
            }
            self.qs.q[k].busy += 1;
            self.qs.q[k].serving.push(id);
            self.qs.jobs[id as usize].state = SERVING;
            self.serve(k, id);
        }
    }

    /// Draws a service time at the current backlog: the service distribution times the
    /// inputs' latency factor times the slowdown.
    pub(super) fn service_time(&mut self, k: usize) -> f64 {
        let spec = &self.m.queues[k];
        let q = &mut self.qs.q[k];
        let len = q.backlog() as f64;
        let mut t = spec.service.sample(&mut q.service_rng) * q.input.slow.max(1.0);
        if spec.slow_a > 0.0 && !q.flaw_fixed {
            t *= 1.0 + spec.slow_a * len.powf(spec.slow_b);
        }
        t
    }

    /// Draws job `id`'s service time at the current backlog and schedules its completion.
    pub(super) fn serve(&mut self, k: usize, id: u32) {
        let t = self.service_time(k);
        let j = &mut self.qs.jobs[id as usize];
        j.service_gen = j.service_gen.wrapping_add(1);
        let generation = j.service_gen;
        self.schedule(
            self.now + t,
            QueueEvent::Done {
                job: id,
                generation,
            },
        );
    }

    pub(super) fn job_done(&mut self, id: u32, generation: u32) {
        let job = self.qs.jobs[id as usize];
        if job.service_gen != generation || job.state != SERVING {
            return;
        }
        let k = job.queue as usize;
        let spec = &self.m.queues[k];
        self.tick(k);
        let measuring = self.measuring(k);
        self.qs.q[k].busy -= 1;
        let serving = &mut self.qs.q[k].serving;
        if let Some(pos) = serving.iter().position(|&x| x == id) {
            serving.swap_remove(pos);
        }
        self.release(id);
        // A reply nobody waits for: the client gave up on this attempt (and takes no late
        // replies), or its request is over.
        let unwanted =
            !self.wanted(&job) || (job.expired && !spec.client.is_some_and(|c| c.late_replies));
        let q = &mut self.qs.q[k];
        // Every job served counts for the window's time in system, wasted ones too.
        q.w_latency += self.now - job.start;
        q.w_done += 1;
        if unwanted {
            if measuring {
                q.counts.wasted += 1;
            }
            self.drop_token(job.req, job.req_gen);
        } else if spec.errors > 0.0 && q.outcome_rng.random::<f64>() < spec.errors {
            if measuring {
                q.counts.errors += 1;
            }
            q.w_bad += 1;
            if job.expired {
                // A late attempt's client has retried already.
                self.drop_token(job.req, job.req_gen);
            } else {
                self.client_failed(k, job.born, job.attempt, job.class, job.req, job.req_gen);
            }
        } else if job.expired {
            // A late reply that still answers its request.
            self.answer(k, &job);
            self.feed(k);
        } else {
            self.answer(k, &job);
            let q = &mut self.qs.q[k];
            let latency = self.now - job.start;
            q.series.ok(self.now, latency);
            if measuring && job.start >= spec.warmup {
                q.counts.ok += 1;
                q.counts.latency_sum += latency;
                q.counts.latency_n += 1;
                q.latency.record(latency);
                if job.class > 0 {
                    q.counts.class_latency_sum[job.class as usize] += latency;
                    q.counts.class_latency_n[job.class as usize] += 1;
                }
            }
            match spec.health {
                QueueHealthSpec::Latency(max) if latency > max => q.w_late += 1,
                _ => q.w_ok += 1,
            }
            self.feed(k);
        }
        self.start_jobs(k);
    }

    /// A job done at queue `k` becomes a new job of every queue `k` feeds.
    fn feed(&mut self, k: usize) {
        let spec = &self.m.queues[k];
        for f in 0..spec.feeds.len() {
            let next = spec.feeds[f] as usize;
            let class = self.new_class(next);
            self.admit(next, self.now, 1, NONE, class, NONE, 0);
        }
    }

    /// An attempt failed from the client's point of view: retry if allowed, else lost.
    /// With requests, the request decides (see [`Sim::request_attempt_failed`]).
    pub(super) fn client_failed(
        &mut self,
        k: usize,
        born: f64,
        attempt: u32,
        class: u8,
        req: u32,
        req_gen: u32,
    ) {
        if req != NONE {
            self.request_attempt_failed(k, born, attempt, class, req, req_gen);
            return;
        }
        let spec = &self.m.queues[k];
        if !self.may_retry(k, attempt) {
            if self.measuring(k) {
                self.qs.q[k].counts.lost += 1;
            }
            if spec.objective.is_some() {
                self.slo_count(k, f64::INFINITY);
            }
            return;
        }
        self.take_retry(k);
        let at = self.now + self.backoff(k, attempt);
        if at <= self.simulated() {
            let (req, req_gen) = (NONE, 0);
            let attempt = attempt + 1;
            let retry = Pending {
                born,
                attempt,
                class,
                req,
                req_gen,
            };
            self.schedule_retry(k, at, retry);
        }
    }

    /// Whether the client may retry after attempt `attempt` failed at queue `k`: retries
    /// left and, with a retry budget, a whole token in it.
    pub(super) fn may_retry(&self, k: usize, attempt: u32) -> bool {
        let spec = &self.m.queues[k];
        attempt <= spec.retries && (!spec.budget.is_finite() || self.qs.q[k].retry_tokens >= 1.0)
    }

    /// The wait before the retry after attempt `attempt` at queue `k`: a backoff draw times
    /// the multiplier for each earlier retry.
    pub(super) fn backoff(&mut self, k: usize, attempt: u32) -> f64 {
        let spec = &self.m.queues[k];
        let q = &mut self.qs.q[k];
        spec.backoff.sample(&mut q.outcome_rng) * spec.multiplier.powi(attempt as i32 - 1)
    }

    /// A retry is decided at queue `k`: it takes a token from the budget, if any, and counts.
    pub(super) fn take_retry(&mut self, k: usize) {
        let measuring = self.measuring(k);
        let budgeted = self.m.queues[k].budget.is_finite();
        let q = &mut self.qs.q[k];
        if budgeted {
            q.retry_tokens -= 1.0;
        }
        if measuring {
            q.counts.retried += 1;
        }
    }

    /// Retry `retry` arrives at queue `k` at time `at`.
    pub(super) fn schedule_retry(&mut self, k: usize, at: f64, retry: Pending) {
        let retry = self.qs.retries.insert(retry);
        let queue = k as u32;
        self.schedule(at, QueueEvent::Retry { queue, retry });
    }

    /// Clients give up on attempts older than the timeout.
    pub(super) fn expire(&mut self, k: usize) {
        self.qs.q[k].expire_pending = false;
        let measuring = self.measuring(k);
        while let Some(&(id, generation)) = self.qs.q[k].deadlines.front() {
            let job = self.qs.jobs[id as usize];
            if job.generation != generation || job.state == DONE || job.state == GONE {
                self.qs.q[k].deadlines.pop_front();
                continue;
            }
            if job.expired {
                self.qs.q[k].deadlines.pop_front();
                continue;
            }
            let deadline = job.deadline;
            if deadline > self.now {
                self.qs.q[k].expire_pending = true;
                self.schedule(deadline, QueueEvent::Expire { queue: k as u32 });
                return;
            }
            self.qs.q[k].deadlines.pop_front();
            self.qs.jobs[id as usize].expired = true;
            let q = &mut self.qs.q[k];
            if measuring {
                q.counts.timed_out += 1;
            }
            q.w_bad += 1;
            // The attempt keeps its place in line (and its token: a late reply may still
            // answer), and the client acts as if it had failed.
            self.add_token(job.req, job.req_gen);
            self.client_failed(k, job.born, job.attempt, job.class, job.req, job.req_gen);
        }
    }
}
