//! Job queues, simulated job by job: where load turns into failure.
//!
//! A queue component receives jobs (a Poisson process, a rate schedule, `Burst` load
//! faults, jobs fed by other queues, client retries) and serves them first-in-first-out with
//! `workers` servers. The service time can grow with the backlog,
//! `service × (1 + a × waiting^b)`: with b > 1 (the super-linear flaw of the lecture's email
//! queue) a large enough backlog slows service so much that the queue never drains by
//! itself, even after the burst is over. That is metastable failure; client timeouts and
//! retries feed it further, because a job whose client gave up is still served (wasted work)
//! unless `drop_expired` is set, while its retry adds a new job.
//!
//! Coupling to the dependency graph: every `window`, a queue judges its health (the share
//! of attempts that succeeded in time, or of jobs done within a latency objective) and that
//! share becomes a capacity factor of the queue component, so a saturated queue fails the
//! services that require it. In the other direction, the queue's own inputs (its faults and
//! `Requires`/`Degrades` dependencies) set how many workers can run (capacity × workers) and
//! how slow each job is (latency × service time).
//!
//! Timeouts cost one pending event per queue, not one per job: deadlines are in arrival
//! order, so a single scan event walks the oldest attempts.

use crate::engine::{Kind, Note, Observer, Sim};
use crate::model::{MitigationKind, NONE, QueueHealthSpec};
use crate::propagation::Health;
use crate::rng;
use crate::stats::Histogram;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

const WAITING: u8 = 0;
const SERVING: u8 = 1;
const DONE: u8 = 2;
const PARKED: u8 = 3;

/// One attempt of one job.
#[derive(Clone, Copy, Debug)]
struct Job {
    queue: u32,
    /// When the job first arrived (its first attempt).
    born: f64,
    /// When this attempt entered the queue (again, for a job fed back from the parking lot).
    start: f64,
    /// When its client gives up: the first entry + the timeout (parking does not reset it).
    deadline: f64,
    attempt: u32,
    state: u8,
    /// The client gave up on this attempt.
    expired: bool,
    generation: u32,
    /// Bumped when a service is redrawn, to cancel the old completion.
    service_gen: u32,
}

/// Per-run counts of one queue (after its warm-up).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QueueCounts {
    /// New jobs (first attempts).
    pub jobs: u64,
    /// Attempts, retries included.
    pub attempts: u64,
    /// Attempts served in time, without error.
    pub ok: u64,
    /// Attempts whose client gave up.
    pub timed_out: u64,
    /// Attempts served after their client gave up (wasted work).
    pub wasted: u64,
    /// Attempts that failed with an error.
    pub errors: u64,
    /// Retries issued.
    pub retried: u64,
    /// Attempts rejected (bound, rate limit, open breaker).
    pub rejected: u64,
    /// Jobs dropped by shedding above a length.
    pub dropped: u64,
    /// Expired jobs the server discarded unserved (`drop_expired`).
    pub discarded: u64,
    /// Jobs pulled into the parking lot by shedding.
    pub shed: u64,
    /// Jobs that ended failed for good (no retry left).
    pub lost: u64,
    /// Sum and count of latencies of successful attempts.
    pub latency_sum: f64,
    /// Number of latencies summed.
    pub latency_n: u64,
    /// Time integral of the number in system (waiting + in service).
    pub area: f64,
    /// Time measured (after warm-up).
    pub measured: f64,
    /// Longest the waiting line got.
    pub max_waiting: u64,
}

/// Per-run state of one queue.
struct QRun {
    waiting: VecDeque<u32>,
    deadlines: VecDeque<(u32, u32)>,
    parked: VecDeque<u32>,
    /// Jobs in service.
    serving: Vec<u32>,
    busy: u32,
    extra_workers: u32,
    arrival_gen: u32,
    rate_index: usize,
    rate: f64,
    expire_pending: bool,
    burst_until: f64,
    burst_rate: f64,
    burst_gen: u32,
    /// The burst fault behind the current trouble, for explanations.
    root: u32,
    retry_tokens: f64,
    limit_rate: f64,
    limit_tokens: f64,
    limit_last: f64,
    drop_above: u64,
    spoon_rate: f64,
    spoon_pending: bool,
    spoon_mit: u32,
    breaker: f64,
    /// Latency factor at or above which the breaker is open (infinite: none).
    breaker_slow: f64,
    flaw_fixed: bool,
    /// What the queue's own inputs deliver (workers × cap, service × slow).
    input: Health,
    /// Current health factor from the last window.
    pub(crate) good: f64,
    w_ok: u64,
    w_bad: u64,
    w_late: u64,
    last_t: f64,
    counts: QueueCounts,
    /// Waiting jobs at the points of the time grid ([`GRID`] points over the horizon).
    grid: [u64; GRID],
    grid_next: usize,
    /// Sum and count of latencies completed in the current window.
    w_latency: f64,
    w_done: u64,
    /// Latencies of successful attempts this run, for percentiles.
    latency: Histogram,
    rng: ChaCha8Rng,
    service_rng: ChaCha8Rng,
    /// Errors and retry backoffs: apart from arrivals, so that a strategy changing the
    /// retry policy keeps the same arrivals (common random numbers).
    outcome_rng: ChaCha8Rng,
}

/// All queues of a run, and the job slab they share.
pub struct QueueState {
    jobs: Vec<Job>,
    free: Vec<u32>,
    q: Vec<QRun>,
}

impl QueueState {
    pub(crate) fn new(m: &crate::model::Model) -> QueueState {
        QueueState {
            jobs: Vec::new(),
            free: Vec::new(),
            q: m.queues
                .iter()
                .map(|_| QRun {
                    waiting: VecDeque::new(),
                    deadlines: VecDeque::new(),
                    parked: VecDeque::new(),
                    serving: Vec::new(),
                    busy: 0,
                    extra_workers: 0,
                    arrival_gen: 0,
                    rate_index: 0,
                    rate: 0.0,
                    expire_pending: false,
                    burst_until: 0.0,
                    burst_rate: 0.0,
                    burst_gen: 0,
                    root: NONE,
                    retry_tokens: 0.0,
                    limit_rate: f64::INFINITY,
                    limit_tokens: 0.0,
                    limit_last: 0.0,
                    drop_above: u64::MAX,
                    spoon_rate: 0.0,
                    spoon_pending: false,
                    spoon_mit: NONE,
                    breaker: 0.0,
                    breaker_slow: f64::INFINITY,
                    flaw_fixed: false,
                    input: Health::nominal(1.0),
                    good: 1.0,
                    w_ok: 0,
                    w_bad: 0,
                    w_late: 0,
                    last_t: 0.0,
                    counts: QueueCounts::default(),
                    grid: [0; GRID],
                    grid_next: 0,
                    w_latency: 0.0,
                    w_done: 0,
                    latency: Histogram::new(),
                    rng: rng::placeholder(),
                    service_rng: rng::placeholder(),
                    outcome_rng: rng::placeholder(),
                })
                .collect(),
        }
    }

    /// This run's counts for queue `k`.
    pub fn counts(&self, k: usize) -> &QueueCounts {
        &self.q[k].counts
    }

    /// Latencies of queue `k`'s successful attempts this run.
    pub fn latencies(&self, k: usize) -> &Histogram {
        &self.q[k].latency
    }

    /// Waiting jobs in queue `k` at the [`GRID`] points of this run's time grid.
    pub fn grid(&self, k: usize) -> &[u64; GRID] {
        &self.q[k].grid
    }

    /// Jobs waiting in queue `k` now.
    pub fn waiting(&self, k: usize) -> usize {
        self.q[k].waiting.len()
    }

    /// Jobs parked by shedding in queue `k` now.
    pub fn parked(&self, k: usize) -> usize {
        self.q[k].parked.len()
    }

    /// The burst fault behind queue `k`'s current trouble, if any.
    pub(crate) fn root(&self, k: usize) -> u32 {
        self.q[k].root
    }

    /// The health factor of queue `k` from its last window.
    pub fn good(&self, k: usize) -> f64 {
        self.q[k].good
    }
}

/// Points of the time grid at which queue lengths are kept for percentiles across runs.
pub const GRID: usize = 48;

/// Time of grid point `g` (the end of the g-th of [`GRID`] equal slices of the horizon).
pub fn grid_time(horizon: f64, g: usize) -> f64 {
    horizon * (g + 1) as f64 / GRID as f64
}

/// Purpose of a queue's arrival and outcome stream.
const ARRIVALS: u64 = 6;
/// Purpose of a queue's service-time stream.
const SERVICE: u64 = 7;
/// Purpose of a queue's errors and retry backoffs.
const OUTCOMES: u64 = 8;

impl Sim<'_> {
    /// Resets queues for a run and schedules their first arrivals, samples and rate changes.
    pub(crate) fn reset_queues(&mut self, seed: u64, run: u64) {
        let m = self.m;
        self.qs.jobs.clear();
        self.qs.free.clear();
        for (k, spec) in m.queues.iter().enumerate() {
            let input = self.out(spec.comp as usize);
            let q = &mut self.qs.q[k];
            q.waiting.clear();
            q.deadlines.clear();
            q.parked.clear();
            q.serving.clear();
            q.busy = 0;
            q.extra_workers = 0;
            q.arrival_gen = 0;
            q.rate_index = 0;
            q.rate = spec.rate;
            q.expire_pending = false;
            q.burst_until = 0.0;
            q.burst_rate = 0.0;
            q.burst_gen = 0;
            q.root = NONE;
            q.retry_tokens = 0.0;
            q.limit_rate = f64::INFINITY;
            q.limit_tokens = 0.0;
            q.limit_last = 0.0;
            q.drop_above = u64::MAX;
            q.spoon_rate = 0.0;
            q.spoon_pending = false;
            q.spoon_mit = NONE;
            q.breaker = 0.0;
            q.breaker_slow = f64::INFINITY;
            q.flaw_fixed = false;
            q.input = input;
            q.good = 1.0;
            q.w_ok = 0;
            q.w_bad = 0;
            q.w_late = 0;
            q.last_t = 0.0;
            q.counts = QueueCounts::default();
            q.grid = [0; GRID];
            q.grid_next = 0;
            q.w_latency = 0.0;
            q.w_done = 0;
            q.latency.clear();
            q.rng = rng::stream(seed, run, spec.key, ARRIVALS);
            q.service_rng = rng::stream(seed, run, spec.key, SERVICE);
            q.outcome_rng = rng::stream(seed, run, spec.key, OUTCOMES);
            // Schedule changes that apply from t = 0.
            while q.rate_index < spec.schedule.len() && spec.schedule[q.rate_index].0 <= 0.0 {
                q.rate = spec.schedule[q.rate_index].1;
                q.rate_index += 1;
            }
            let first = self.exp(k, self.qs.q[k].rate);
            self.schedule(
                first,
                Kind::QArrive {
                    queue: k as u32,
                    generation: 0,
                },
            );
            self.schedule(spec.window, Kind::QSample { queue: k as u32 });
            if let Some(&(t, _)) = spec.schedule.get(self.qs.q[k].rate_index) {
                self.schedule(t, Kind::QRate { queue: k as u32 });
            }
        }
        // Circuit breakers are armed from the start: nobody has to switch them on.
        for mt in &m.mitigations {
            if let MitigationKind::CircuitBreaker { below, slower_than } = mt.kind {
                for &c in &mt.targets {
                    let q = &mut self.qs.q[m.comps[c as usize].queue as usize];
                    q.breaker = below;
                    q.breaker_slow = slower_than;
                }
            }
        }
    }

    /// An exponential gap for rate `rate` from queue `k`'s stream (+inf for rate 0).
    fn exp(&mut self, k: usize, rate: f64) -> f64 {
        if rate <= 0.0 {
            return f64::INFINITY;
        }
        let e: f64 = Exp1.sample(&mut self.qs.q[k].rng);
        e / rate
    }

    /// Accumulates the number-in-system integral up to now (after the warm-up).
    fn tick(&mut self, k: usize) {
        let warmup = self.m.queues[k].warmup;
        let now = self.now;
        let q = &mut self.qs.q[k];
        let from = q.last_t.max(warmup);
        if now > from {
            q.counts.area += (q.waiting.len() as u64 + u64::from(q.busy)) as f64 * (now - from);
            q.counts.measured += now - from;
        }
        q.last_t = now;
    }

    fn measuring(&self, k: usize) -> bool {
        self.now >= self.m.queues[k].warmup
    }

    /// Handles the queue events.
    pub(crate) fn dispatch_queue<O: Observer>(&mut self, kind: Kind, obs: &mut O) {
        match kind {
            Kind::QArrive { queue, generation } => {
                let k = queue as usize;
                if self.qs.q[k].arrival_gen != generation {
                    return;
                }
                self.admit(k, self.now, 1, NONE);
                let gap = self.exp(k, self.qs.q[k].rate);
                self.schedule(self.now + gap, Kind::QArrive { queue, generation });
            }
            Kind::QRate { queue } => {
                let k = queue as usize;
                let spec = &self.m.queues[k];
                let q = &mut self.qs.q[k];
                q.rate = spec.schedule[q.rate_index].1;
                q.rate_index += 1;
                q.arrival_gen += 1;
                let generation = q.arrival_gen;
                let next = spec.schedule.get(q.rate_index).map(|x| x.0);
                // Memoryless arrivals: drawing afresh at a rate change is exact.
                let gap = self.exp(k, self.qs.q[k].rate);
                self.schedule(self.now + gap, Kind::QArrive { queue, generation });
                if let Some(t) = next {
                    self.schedule(t, Kind::QRate { queue });
                }
            }
            Kind::QBurst { queue, generation } => {
                let k = queue as usize;
                let q = &self.qs.q[k];
                if q.burst_gen != generation || self.now > q.burst_until {
                    return;
                }
                self.admit(k, self.now, 1, NONE);
                let gap = self.exp(k, self.qs.q[k].burst_rate);
                if self.now + gap <= self.qs.q[k].burst_until {
                    self.schedule(self.now + gap, Kind::QBurst { queue, generation });
                }
            }
            Kind::QRetry { queue, retry } => {
                let (born, attempt) = self.retries.take(retry);
                self.admit(queue as usize, born, attempt, NONE);
            }
            Kind::QDone { job, generation } => self.job_done(job, generation),
            Kind::QExpire { queue } => self.expire(queue as usize),
            Kind::QSample { queue } => self.sample(queue as usize, obs),
            Kind::QSpoon { queue } => self.spoon(queue as usize, obs),
            _ => unreachable!("not a queue event"),
        }
    }

    /// A job attempt arrives at queue `k`. `reuse` is a parked job being fed back.
    fn admit(&mut self, k: usize, born: f64, attempt: u32, reuse: u32) {
        let spec = &self.m.queues[k];
        self.tick(k);
        let measuring = self.measuring(k);
        let now = self.now;
        {
            let q = &mut self.qs.q[k];
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
        if !reject && q.waiting.len() as u64 > q.drop_above {
            // Shed on purpose, at the mitigation's cost per dropped job (not a lost job).
            if measuring {
                q.counts.dropped += 1;
            }
            if reuse != NONE {
                self.release(reuse);
            }
            return;
        }
        if !reject && q.waiting.len() as u64 >= spec.bound {
            reject = true;
        }
        if reject {
            if measuring {
                q.counts.rejected += 1;
            }
            q.w_bad += 1;
            if reuse != NONE {
                self.release(reuse);
            }
            self.client_failed(k, born, attempt);
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
            j.expired = false;
            j.deadline = now + spec.timeout;
            j.generation = j.generation.wrapping_add(1);
        }
        let generation = j.generation;
        let q = &mut self.qs.q[k];
        q.waiting.push_back(id);
        if measuring {
            q.counts.max_waiting = q.counts.max_waiting.max(q.waiting.len() as u64);
        }
        if fresh && spec.timeout.is_finite() {
            q.deadlines.push_back((id, generation));
            if !q.expire_pending {
                q.expire_pending = true;
                self.schedule(now + spec.timeout, Kind::QExpire { queue: k as u32 });
            }
        }
        self.start_jobs(k);
    }

    fn release(&mut self, id: u32) {
        self.qs.jobs[id as usize].state = DONE;
        self.qs.free.push(id);
    }

    /// Workers available now: the queue's capacity share of its workers.
    fn workers(&self, k: usize) -> u32 {
        let q = &self.qs.q[k];
        let total = self.m.queues[k].workers + q.extra_workers;
        (f64::from(total) * q.input.cap.clamp(0.0, 1.0)).floor() as u32
    }

    /// Starts waiting jobs on free workers.
    fn start_jobs(&mut self, k: usize) {
        let spec = &self.m.queues[k];
        loop {
            if self.qs.q[k].busy >= self.workers(k) {
                return;
            }
            let Some(id) = self.qs.q[k].waiting.pop_front() else {
                return;
            };
            self.tick(k);
            let job = self.qs.jobs[id as usize];
            if job.expired && spec.drop_expired {
                if self.measuring(k) {
                    self.qs.q[k].counts.discarded += 1;
                }
                self.release(id);
                continue;
            }
            self.qs.q[k].busy += 1;
            self.qs.q[k].serving.push(id);
            self.qs.jobs[id as usize].state = SERVING;
            self.serve(k, id);
        }
    }

    /// Draws job `id`'s service time at the current backlog and schedules its completion.
    fn serve(&mut self, k: usize, id: u32) {
        let spec = &self.m.queues[k];
        let q = &mut self.qs.q[k];
        let len = q.waiting.len() as f64;
        let mut t = spec.service.sample(&mut q.service_rng) * q.input.slow.max(1.0);
        if spec.slow_a > 0.0 && !q.flaw_fixed {
            t *= 1.0 + spec.slow_a * len.powf(spec.slow_b);
        }
        let j = &mut self.qs.jobs[id as usize];
        j.service_gen = j.service_gen.wrapping_add(1);
        let generation = j.service_gen;
        self.schedule(
            self.now + t,
            Kind::QDone {
                job: id,
                generation,
            },
        );
    }

    fn job_done(&mut self, id: u32, generation: u32) {
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
        let q = &mut self.qs.q[k];
        // Every job served counts for the window's time in system, wasted ones too.
        q.w_latency += self.now - job.start;
        q.w_done += 1;
        if job.expired {
            if measuring {
                q.counts.wasted += 1;
            }
        } else if spec.errors > 0.0 && q.outcome_rng.random::<f64>() < spec.errors {
            if measuring {
                q.counts.errors += 1;
            }
            q.w_bad += 1;
            self.client_failed(k, job.born, job.attempt);
        } else {
            let latency = self.now - job.start;
            if measuring && job.start >= spec.warmup {
                q.counts.ok += 1;
                q.counts.latency_sum += latency;
                q.counts.latency_n += 1;
                q.latency.record(latency);
            }
            match spec.health {
                QueueHealthSpec::Latency(max) if latency > max => q.w_late += 1,
                _ => q.w_ok += 1,
            }
            for f in 0..spec.feeds.len() {
                let next = spec.feeds[f] as usize;
                self.admit(next, self.now, 1, NONE);
            }
        }
        self.start_jobs(k);
    }

    /// An attempt failed from the client's point of view: retry if allowed, else lost.
    fn client_failed(&mut self, k: usize, born: f64, attempt: u32) {
        let spec = &self.m.queues[k];
        let measuring = self.measuring(k);
        let q = &mut self.qs.q[k];
        let may = attempt <= spec.retries && (!spec.budget.is_finite() || q.retry_tokens >= 1.0);
        if !may {
            if measuring {
                q.counts.lost += 1;
            }
            return;
        }
        if spec.budget.is_finite() {
            q.retry_tokens -= 1.0;
        }
        if measuring {
            q.counts.retried += 1;
        }
        let wait =
            spec.backoff.sample(&mut q.outcome_rng) * spec.multiplier.powi(attempt as i32 - 1);
        if self.now + wait <= self.simulated() {
            let retry = self.retries.insert((born, attempt + 1));
            self.schedule(
                self.now + wait,
                Kind::QRetry {
                    queue: k as u32,
                    retry,
                },
            );
        }
    }

    /// Clients give up on attempts older than the timeout.
    fn expire(&mut self, k: usize) {
        self.qs.q[k].expire_pending = false;
        let measuring = self.measuring(k);
        while let Some(&(id, generation)) = self.qs.q[k].deadlines.front() {
            let job = self.qs.jobs[id as usize];
            if job.generation != generation || job.state == DONE {
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
                self.schedule(deadline, Kind::QExpire { queue: k as u32 });
                return;
            }
            self.qs.q[k].deadlines.pop_front();
            self.qs.jobs[id as usize].expired = true;
            let q = &mut self.qs.q[k];
            if measuring {
                q.counts.timed_out += 1;
            }
            q.w_bad += 1;
            self.client_failed(k, job.born, job.attempt);
        }
    }

    /// Judges the last window's health, and feeds it to the dependency graph.
    fn sample<O: Observer>(&mut self, k: usize, obs: &mut O) {
        let spec = &self.m.queues[k];
        let now = self.now;
        let q = &mut self.qs.q[k];
        let mut good = match spec.health {
            QueueHealthSpec::Goodput => {
                let n = q.w_ok + q.w_bad;
                if n == 0 {
                    1.0
                } else {
                    q.w_ok as f64 / n as f64
                }
            }
            QueueHealthSpec::Latency(_) => {
                let n = q.w_ok + q.w_late + q.w_bad;
                if n == 0 {
                    1.0
                } else {
                    q.w_ok as f64 / n as f64
                }
            }
        };
        if let QueueHealthSpec::Latency(max) = spec.health
            && let Some(&oldest) = q.waiting.front()
            && now - self.qs.jobs[oldest as usize].start > max
        {
            good = 0.0;
        }
        q.w_ok = 0;
        q.w_bad = 0;
        q.w_late = 0;
        let latency = if q.w_done > 0 {
            q.w_latency / q.w_done as f64
        } else {
            f64::NAN
        };
        q.w_latency = 0.0;
        q.w_done = 0;
        let horizon = self.m.horizon;
        while q.grid_next < GRID && grid_time(horizon, q.grid_next) <= now {
            q.grid[q.grid_next] = q.waiting.len() as u64;
            q.grid_next += 1;
        }
        let changed = good != q.good;
        q.good = good;
        obs.note(
            now,
            Note::QueueSample {
                queue: k as u32,
                waiting: q.waiting.len() as u64,
                parked: q.parked.len() as u64,
                good,
                latency,
            },
        );
        if changed {
            self.mark(spec.comp);
        }
        if self.m.response.is_some() && !self.m.alerts.is_empty() {
            self.check_alerts(spec.comp as usize);
        }
        self.schedule(now + spec.window, Kind::QSample { queue: k as u32 });
    }

    /// The health factor and cause a queue adds to its component's output, and records what
    /// its inputs deliver (called by the engine when the queue component is evaluated).
    pub(crate) fn queue_output(&mut self, comp: usize, input: Health) -> (f64, u32) {
        let k = self.m.comps[comp].queue as usize;
        let before = self.qs.q[k].input;
        self.qs.q[k].input = input;
        if input.cap > before.cap {
            // More capacity: idle workers can start at once.
            self.start_jobs(k);
        }
        (self.qs.q[k].good, self.qs.q[k].root)
    }

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
            Kind::QBurst {
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
                    let q = &mut self.qs.q[k];
                    let n = q.waiting.len();
                    while let Some(id) = q.waiting.pop_front() {
                        self.qs.jobs[id as usize].state = PARKED;
                        q.parked.push_back(id);
                    }
                    if measuring {
                        q.counts.shed += n as u64;
                    }
                    // The jobs in service were slowed by the backlog that is now gone: they
                    // finish at the speed of an empty queue (a fresh draw; the old
                    // completions are cancelled by their generation).
                    for i in 0..self.qs.q[k].serving.len() {
                        let id = self.qs.q[k].serving[i];
                        self.serve(k, id);
                    }
                    let q = &mut self.qs.q[k];
                    q.spoon_rate = r;
                    q.spoon_mit = mit;
                    if !q.spoon_pending && !q.parked.is_empty() {
                        q.spoon_pending = true;
                        self.schedule(self.now + 1.0 / r, Kind::QSpoon { queue: k as u32 });
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
    fn spoon<O: Observer>(&mut self, k: usize, obs: &mut O) {
        let q = &mut self.qs.q[k];
        q.spoon_pending = false;
        let Some(id) = q.parked.pop_front() else {
            return;
        };
        let rate = q.spoon_rate;
        let job = self.qs.jobs[id as usize];
        self.admit(k, job.born, job.attempt, id);
        if !self.qs.q[k].parked.is_empty() {
            self.qs.q[k].spoon_pending = true;
            self.schedule(self.now + 1.0 / rate, Kind::QSpoon { queue: k as u32 });
        } else {
            // The backlog is worked off: the tool can be used again.
            let comp = self.m.queues[k].comp;
            obs.note(self.now, Note::ParkedEmpty { queue: k as u32 });
            self.mitigation_done(comp as usize, self.qs.q[k].spoon_mit);
        }
    }

    /// Closes the number-in-system integral and the time grid at the end of the run.
    pub(crate) fn finish_queues(&mut self) {
        for k in 0..self.m.queues.len() {
            self.tick(k);
            let q = &mut self.qs.q[k];
            while q.grid_next < GRID {
                q.grid[q.grid_next] = q.waiting.len() as u64;
                q.grid_next += 1;
            }
        }
    }
}
