//! Requests as users see them, and clients who leave the line.
//!
//! With a `client`, the attempts of one job (the first, its retries, a hedge) answer one
//! request, and the first reply of any of them does: a late reply to an attempt the client
//! timed out on still counts while the request is open. A request ends answered, or failed
//! at its deadline or once nothing can answer it any more. "Something that can answer" is
//! counted, not searched for: every attempt in the queue, every retry waiting for its
//! backoff and a hedge not sent yet holds one token of its request, and the request fails
//! when the last token goes. A request's slot is reused with a new generation once it is
//! over, so attempts still in line find it over in O(1).
//!
//! With `patience`, each job joining the line draws how long its client waits there; one
//! still waiting then leaves (abandonment), which fails its attempt. Leaving costs no
//! search: the job is marked and the queue's backlog leaves it out until a worker, or
//! [`Sim::trim_gone`], meets it in its deque.

use super::{DONE, GONE, Job, Pending, WAITING};
use crate::engine::Sim;
use crate::engine::event::QueueEvent;
use crate::model::NONE;

/// One request: a job's attempts seen together.
#[derive(Clone, Copy, Debug)]
pub(super) struct Request {
    /// When it began (its first attempt arrived).
    born: f64,
    /// When its user gives up.
    deadline: f64,
    /// Its queue.
    queue: u32,
    /// Bumped when it is over (the slot is then free for another).
    generation: u32,
    /// Attempts in the queue, retries waiting and a hedge not sent yet.
    tokens: u32,
    /// Over: answered or failed.
    over: bool,
    /// Begun after the warm-up: its outcome is counted.
    counted: bool,
    class: u8,
}

impl Sim<'_> {
    /// Begins a request at queue `k` for a new job of class `class`: its deadline, and its
    /// hedge if the client hedges. Returns the request and its generation.
    #[cold]
    #[inline(never)]
    pub(super) fn begin_request(&mut self, k: usize, class: u8) -> (u32, u32) {
        let client = self.m.queues[k].client.expect("a queue with a client");
        let counted = self.measuring(k);
        let hedged = client.hedge.is_finite() && self.now + client.hedge <= self.simulated();
        let r = Request {
            born: self.now,
            deadline: self.now + client.deadline,
            queue: k as u32,
            generation: 0,
            tokens: 1 + u32::from(hedged),
            over: false,
            counted,
            class,
        };
        let id = match self.qs.req_free.pop() {
            Some(id) => {
                let generation = self.qs.reqs[id as usize].generation;
                self.qs.reqs[id as usize] = Request { generation, ..r };
                id
            }
            None => {
                self.qs.reqs.push(r);
                (self.qs.reqs.len() - 1) as u32
            }
        };
        let generation = self.qs.reqs[id as usize].generation;
        let q = &mut self.qs.q[k];
        if counted {
            q.counts.requests.begun += 1;
        }
        if client.deadline.is_finite() {
            q.req_deadlines.push_back((id, generation));
            if !q.req_expire_pending {
                q.req_expire_pending = true;
                let at = self.now + client.deadline;
                self.schedule(at, QueueEvent::Deadline { queue: k as u32 });
            }
        }
        if hedged {
            let at = self.now + client.hedge;
            let req = id;
            self.schedule(at, QueueEvent::Hedge { req, generation });
        }
        (id, generation)
    }

    /// Whether request `req` of generation `generation` is still open.
    #[inline]
    pub(super) fn request_open(&self, req: u32, generation: u32) -> bool {
        let r = &self.qs.reqs[req as usize];
        r.generation == generation && !r.over
    }

    /// Whether anyone still wants `job`'s reply as far as its request goes (always, for a
    /// job without one).
    #[inline]
    pub(super) fn wanted(&self, job: &Job) -> bool {
        job.req == NONE || self.request_open(job.req, job.req_gen)
    }

    /// One more thing may answer request `req` (an attempt the client timed out on stays in
    /// line while its retry goes out). Nothing for a job without a request.
    #[inline(always)]
    pub(super) fn add_token(&mut self, req: u32, generation: u32) {
        if req != NONE {
            self.add_request_token(req, generation);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_request_token(&mut self, req: u32, generation: u32) {
        if self.request_open(req, generation) {
            self.qs.reqs[req as usize].tokens += 1;
        }
    }

    /// One thing that might have answered request `req` no longer can: the request fails
    /// if it was the last. Nothing for a job without a request.
    #[inline(always)]
    pub(super) fn drop_token(&mut self, req: u32, generation: u32) {
        if req != NONE {
            self.drop_request_token(req, generation);
        }
    }

    #[cold]
    #[inline(never)]
    fn drop_request_token(&mut self, req: u32, generation: u32) {
        if !self.request_open(req, generation) {
            return;
        }
        let r = &mut self.qs.reqs[req as usize];
        r.tokens -= 1;
        if r.tokens == 0 {
            let k = r.queue as usize;
            self.fail_request(k, req);
        }
    }

    /// Ends request `req`, answered or not, and frees its slot.
    fn end_request(&mut self, req: u32) {
        let r = &mut self.qs.reqs[req as usize];
        r.over = true;
        r.generation = r.generation.wrapping_add(1);
        self.qs.req_free.push(req);
    }

    /// An attempt of an open request failed (rejected, timed out, in error, left the line):
    /// a retry if the policy allows and it can still make the deadline, else its token
    /// goes. A hedge is not retried.
    #[cold]
    #[inline(never)]
    pub(super) fn request_attempt_failed(
        &mut self,
        k: usize,
        born: f64,
        attempt: u32,
        class: u8,
        req: u32,
        req_gen: u32,
    ) {
        if !self.request_open(req, req_gen) {
            return;
        }
        if attempt == 0 || !self.may_retry(k, attempt) {
            self.drop_token(req, req_gen);
            return;
        }
        let at = self.now + self.backoff(k, attempt);
        if at >= self.qs.reqs[req as usize].deadline || at > self.simulated() {
            self.drop_token(req, req_gen);
            return;
        }
        self.take_retry(k);
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

    /// A reply to `job` answers its request, if the request is still open (a job without
    /// one: it counts for the latency objective, if any).
    #[inline(always)]
    pub(super) fn answer(&mut self, k: usize, job: &Job) {
        if job.req != NONE || self.m.queues[k].objective.is_some() {
            self.answer_request(k, job);
        }
    }

    #[cold]
    #[inline(never)]
    fn answer_request(&mut self, k: usize, job: &Job) {
        if job.req == NONE {
            self.slo_count(k, self.now - job.born);
            return;
        }
        if !self.request_open(job.req, job.req_gen) {
            return;
        }
        let r = self.qs.reqs[job.req as usize];
        self.slo_count(k, self.now - r.born);
        if r.counted {
            let latency = self.now - r.born;
            let q = &mut self.qs.q[k];
            let c = &mut q.counts.requests;
            c.answered += 1;
            c.latency_sum += latency;
            c.late += u64::from(job.expired);
            c.hedge_won += u64::from(job.attempt == 0);
            q.e2e.record(latency);
        }
        self.end_request(job.req);
    }

    /// Request `req`'s hedge is due: a second attempt goes out if no reply has come.
    pub(super) fn hedge(&mut self, req: u32, generation: u32) {
        if !self.request_open(req, generation) {
            return;
        }
        let r = self.qs.reqs[req as usize];
        let k = r.queue as usize;
        if self.measuring(k) {
            self.qs.q[k].counts.requests.hedges += 1;
        }
        self.admit(k, r.born, 0, NONE, r.class, req, generation);
    }

    /// Users give up on queue `k`'s requests past their deadline (one pending event per
    /// queue: deadlines come in the order requests began).
    pub(super) fn request_deadlines(&mut self, k: usize) {
        self.qs.q[k].req_expire_pending = false;
        while let Some(&(req, generation)) = self.qs.q[k].req_deadlines.front() {
            if !self.request_open(req, generation) {
                self.qs.q[k].req_deadlines.pop_front();
                continue;
            }
            let deadline = self.qs.reqs[req as usize].deadline;
            if deadline > self.now {
                self.qs.q[k].req_expire_pending = true;
                self.schedule(deadline, QueueEvent::Deadline { queue: k as u32 });
                return;
            }
            self.qs.q[k].req_deadlines.pop_front();
            self.fail_request(k, req);
        }
    }

    /// A request (a job, without a client) of queue `k` ended now, answered after `latency`
    /// seconds (+inf: not answered), for the queue's latency objective.
    pub(super) fn slo_count(&mut self, k: usize, latency: f64) {
        let Some(o) = self.m.queues[k].objective else {
            return;
        };
        let w = (self.now / o.window) as usize;
        if let Some(c) = self.qs.q[k].slo.get_mut(w) {
            c[0] += u32::from(latency <= o.latency);
            c[1] += 1;
        }
    }

    /// Request `req` of queue `k` ends unanswered.
    fn fail_request(&mut self, k: usize, req: u32) {
        self.slo_count(k, f64::INFINITY);
        if self.qs.reqs[req as usize].counted {
            let c = &mut self.qs.q[k].counts;
            c.requests.failed += 1;
            c.lost += 1;
        }
        self.end_request(req);
    }

    /// Job `id`, just in line at queue `k`, draws how long its client will wait there.
    #[cold]
    #[inline(never)]
    pub(super) fn draw_patience(&mut self, k: usize, id: u32) {
        let spec = &self.m.queues[k];
        let Some(patience) = &spec.patience else {
            return;
        };
        let wait = patience.sample(&mut self.qs.q[k].patience_rng);
        let j = &mut self.qs.jobs[id as usize];
        j.service_gen = j.service_gen.wrapping_add(1);
        let generation = j.service_gen;
        if self.now + wait <= self.simulated() {
            self.schedule(
                self.now + wait,
                QueueEvent::Abandon {
                    job: id,
                    generation,
                },
            );
        }
    }

    /// Job `id`'s patience ran out: if it still waits, its client leaves the line.
    pub(super) fn abandon(&mut self, id: u32, generation: u32) {
        let job = self.qs.jobs[id as usize];
        if job.state != WAITING || job.service_gen != generation {
            return;
        }
        let k = job.queue as usize;
        self.tick(k);
        self.qs.jobs[id as usize].state = GONE;
        let measuring = self.measuring(k);
        let q = &mut self.qs.q[k];
        q.gone += 1;
        q.w_bad += 1;
        if measuring {
            q.counts.abandoned += 1;
        }
        self.trim_gone(k);
        if job.expired {
            // Its client timed out on it already and has acted on that.
            self.drop_token(job.req, job.req_gen);
        } else {
            self.client_failed(k, job.born, job.attempt, job.class, job.req, job.req_gen);
        }
    }

    /// Takes the jobs that left queue `k`'s line off the front of its deques, so that the
    /// oldest job waiting is at the front again.
    fn trim_gone(&mut self, k: usize) {
        let jobs = &mut self.qs.jobs;
        let q = &mut self.qs.q[k];
        while let Some(&id) = q.waiting.front() {
            if jobs[id as usize].state != GONE {
                break;
            }
            q.waiting.pop_front();
            q.gone -= 1;
            jobs[id as usize].state = DONE;
            self.qs.free.push(id);
        }
        for lane in &mut q.lanes {
            while let Some(&id) = lane.front() {
                if jobs[id as usize].state != GONE {
                    break;
                }
                lane.pop_front();
                q.gone -= 1;
                q.in_lanes -= 1;
                q.others -= 1;
                jobs[id as usize].state = DONE;
                self.qs.free.push(id);
            }
        }
    }
}
