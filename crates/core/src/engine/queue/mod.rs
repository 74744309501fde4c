//! Job queues, simulated job by job: where load turns into failure.
//!
//! A queue component receives jobs (a Poisson or other arrival process, a rate schedule,
//! `Burst` load faults, jobs fed by other queues, client retries) and serves them in its
//! discipline's order (first-in-first-out by default; last-in-first-out, adaptive LIFO,
//! priority classes or processor sharing) with `workers` servers. The service time can grow with the backlog,
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

mod arrivals;
mod health;
mod jobs;
mod load;
mod order;
mod requests;
mod series;
mod shared;

pub use series::{PhaseCounts, SchedulePhase, SeriesRun, schedule_phases};

use super::event::{QueueEvent, Slab};
use super::propagation::Health;
use super::{Observer, Sim};
use crate::model::{MAX_CLASSES, MitigationKind, NONE};
use crate::rng;
use crate::stats::Histogram;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

const WAITING: u8 = 0;
const SERVING: u8 = 1;
const DONE: u8 = 2;
const PARKED: u8 = 3;
/// Left the line out of impatience, but still in its deque until met (see [`QRun::gone`]).
const GONE: u8 = 4;

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
    /// Its priority class (0: served first; 0 too without classes).
    class: u8,
    /// The request it answers and that request's generation ([`NONE`] without requests).
    req: u32,
    req_gen: u32,
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
    /// Per priority class from 1 on: sum of the latencies of successful attempts (class 0's
    /// is the rest of `latency_sum`: see [`QueueCounts::class_latency`]).
    pub class_latency_sum: [f64; MAX_CLASSES],
    /// Per priority class from 1 on: the number of latencies summed.
    pub class_latency_n: [u64; MAX_CLASSES],
    /// Attempts that left the line out of impatience (abandonment).
    #[serde(default)]
    pub abandoned: u64,
    /// What users saw of their requests (with a `client`): see [`RequestCounts`].
    #[serde(default)]
    pub requests: RequestCounts,
}

/// Per-run counts of one queue's requests (a first attempt, its retries and its hedge),
/// for requests begun after the warm-up.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RequestCounts {
    /// Requests begun.
    pub begun: u64,
    /// Requests answered: a reply to any of their attempts came before the deadline.
    pub answered: u64,
    /// Requests that failed: the deadline passed, or every attempt failed.
    pub failed: u64,
    /// Requests answered by a reply to an attempt the client had timed out on.
    pub late: u64,
    /// Hedged attempts sent.
    pub hedges: u64,
    /// Requests answered by their hedge first.
    pub hedge_won: u64,
    /// Sum of the end-to-end latencies of answered requests, seconds.
    pub latency_sum: f64,
}

impl QueueCounts {
    /// Sum and number of the latencies of priority class `c`'s successful attempts (every
    /// job is class 0 in a queue without classes).
    pub fn class_latency(&self, c: usize) -> (f64, u64) {
        if c > 0 {
            return (self.class_latency_sum[c], self.class_latency_n[c]);
        }
        let sum = self.class_latency_sum[1..].iter().sum::<f64>();
        let n = self.class_latency_n[1..].iter().sum::<u64>();
        (self.latency_sum - sum, self.latency_n - n)
    }
}

/// Per-run state of one queue.
#[derive(Clone)]
struct QRun {
    /// Waiting jobs in arrival order (of class 0, with priority classes).
    waiting: VecDeque<u32>,
    /// With priority classes: the waiting jobs of classes 1, 2, ... in arrival order.
    lanes: Vec<VecDeque<u32>>,
    /// Jobs in `lanes`.
    in_lanes: usize,
    /// Jobs that count as waiting outside `waiting`: those in `lanes`, or under processor
    /// sharing those in service beyond the workers. One field, so that the backlog is one
    /// addition on the FIFO path.
    others: usize,
    deadlines: VecDeque<(u32, u32)>,
    /// Open requests by deadline (the order they began in): (request, generation).
    req_deadlines: VecDeque<(u32, u32)>,
    req_expire_pending: bool,
    /// Jobs that left the line out of impatience but still sit in `waiting` or `lanes`
    /// (removed when met, so that leaving costs no search): the backlog leaves them out.
    gone: usize,
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
    /// Goodput, attempts and latency per slice of the time grid, and per schedule phase.
    series: SeriesRun,
    /// Sum and count of latencies completed in the current window.
    w_latency: f64,
    w_done: u64,
    /// Latencies of successful attempts this run, for percentiles.
    latency: Histogram,
    /// End-to-end latencies of answered requests this run (with a `client`).
    e2e: Histogram,
    /// With a latency objective: per whole window of the run, the requests (jobs, without
    /// a client) that ended in it answered in time, and all that ended in it.
    slo: Vec<[u32; 2]>,
    /// How long each client waits in line (with `patience`).
    patience_rng: ChaCha8Rng,
    rng: ChaCha8Rng,
    service_rng: ChaCha8Rng,
    /// Errors and retry backoffs: apart from arrivals, so that a strategy changing the
    /// retry policy keeps the same arrivals (common random numbers).
    outcome_rng: ChaCha8Rng,
    /// Arrivals of a process other than Poisson (which draws from `rng`), so that a
    /// strategy changing the process keeps the same bursts.
    process_rng: ChaCha8Rng,
    /// A modulated process's state changes.
    switch_rng: ChaCha8Rng,
    /// New jobs' priority classes.
    class_rng: ChaCha8Rng,
    /// Renewal arrivals: operational time left to the pending arrival as of `op_at`, and
    /// the rate in force since then.
    op_left: f64,
    op_at: f64,
    op_speed: f64,
    /// A modulated process's current state.
    level: usize,
    /// Processor sharing: (finish in virtual time as bits, job, service generation), the
    /// soonest on top; entries of jobs no longer in service are skipped when met.
    shared: BinaryHeap<Reverse<(u64, u32, u32)>>,
    /// Processor sharing: the service every job in service has received since the start
    /// of the run (virtual time), when that was last brought up to date, and the speed
    /// each job has been served at since.
    vt: f64,
    vt_at: f64,
    speed: f64,
    /// Bumped when the next completion is rescheduled.
    shared_gen: u32,
}

impl QRun {
    /// Jobs waiting: in line (every class), or in service beyond the workers (processor
    /// sharing).
    #[inline]
    fn backlog(&self) -> usize {
        self.waiting.len() + self.others - self.gone
    }
}

/// All queues of a run, and the job slab they share.
#[derive(Clone)]
pub struct QueueState {
    jobs: Vec<Job>,
    free: Vec<u32>,
    q: Vec<QRun>,
    /// Pending retries.
    pub(crate) retries: Slab<Pending>,
    /// Requests (with a `client`), and their free slots.
    reqs: Vec<requests::Request>,
    req_free: Vec<u32>,
}

/// A retry waiting for its backoff to end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    /// When its job first arrived.
    born: f64,
    /// The attempt it will be.
    attempt: u32,
    class: u8,
    /// Its request and the request's generation ([`NONE`] without requests).
    req: u32,
    req_gen: u32,
}

impl QueueState {
    pub(crate) fn new(m: &crate::model::Model) -> QueueState {
        QueueState {
            jobs: Vec::new(),
            free: Vec::new(),
            retries: Slab::default(),
            reqs: Vec::new(),
            req_free: Vec::new(),
            q: m.queues
                .iter()
                .map(|spec| QRun {
                    waiting: VecDeque::new(),
                    lanes: (1..spec.classes.len()).map(|_| VecDeque::new()).collect(),
                    in_lanes: 0,
                    others: 0,
                    deadlines: VecDeque::new(),
                    req_deadlines: VecDeque::new(),
                    req_expire_pending: false,
                    gone: 0,
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
                    series: SeriesRun::new(spec, m.horizon),
                    w_latency: 0.0,
                    w_done: 0,
                    latency: Histogram::new(),
                    e2e: Histogram::new(),
                    slo: spec
                        .objective
                        .map_or(vec![], |o| vec![[0, 0]; o.windows(m.horizon)]),
                    patience_rng: rng::placeholder(),
                    rng: rng::placeholder(),
                    service_rng: rng::placeholder(),
                    outcome_rng: rng::placeholder(),
                    process_rng: rng::placeholder(),
                    switch_rng: rng::placeholder(),
                    class_rng: rng::placeholder(),
                    op_left: 0.0,
                    op_at: 0.0,
                    op_speed: 0.0,
                    level: 0,
                    shared: BinaryHeap::new(),
                    vt: 0.0,
                    vt_at: 0.0,
                    speed: 0.0,
                    shared_gen: 0,
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

    /// End-to-end latencies of queue `k`'s answered requests this run (empty without a
    /// `client`).
    pub fn request_latencies(&self, k: usize) -> &Histogram {
        &self.q[k].e2e
    }

    /// Queue `k`'s latency objective this run: per whole window, the requests answered in
    /// time and all that ended (empty without an objective).
    pub fn slo_windows(&self, k: usize) -> &[[u32; 2]] {
        &self.q[k].slo
    }

    /// Waiting jobs in queue `k` at the [`GRID`] points of this run's time grid.
    pub fn grid(&self, k: usize) -> &[u64; GRID] {
        &self.q[k].grid
    }

    /// Queue `k`'s goodput, attempts and latency per slice of this run's time grid, and its
    /// counts per phase of its rate schedule.
    pub fn series(&self, k: usize) -> &SeriesRun {
        &self.q[k].series
    }

    /// Jobs alive in all queues now (waiting, in service, parked or due to retry).
    pub fn live_jobs(&self) -> usize {
        self.jobs.len() - self.free.len()
    }

    /// Jobs waiting in queue `k` now (every class; with processor sharing, the jobs in
    /// service beyond the workers).
    pub fn waiting(&self, k: usize) -> usize {
        self.q[k].backlog()
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
/// Purpose of the arrivals of a process other than Poisson.
const PROCESS: u64 = 9;
/// Purpose of a modulated arrival process's state changes.
const SWITCHES: u64 = 10;
/// Purpose of new jobs' priority classes.
const CLASSES: u64 = 11;
/// Purpose of clients' patience in line.
const PATIENCE: u64 = 12;

impl Sim<'_> {
    /// Resets queues for a run and schedules their first arrivals, samples and rate changes.
    pub(crate) fn reset_queues(&mut self, seed: u64, run: u64) {
        let m = self.m;
        self.qs.jobs.clear();
        self.qs.free.clear();
        self.qs.reqs.clear();
        self.qs.req_free.clear();
        for (k, spec) in m.queues.iter().enumerate() {
            let input = self.out(spec.comp as usize);
            let q = &mut self.qs.q[k];
            q.waiting.clear();
            for lane in &mut q.lanes {
                lane.clear();
            }
            q.in_lanes = 0;
            q.others = 0;
            q.shared.clear();
            q.vt = 0.0;
            q.vt_at = 0.0;
            q.speed = 0.0;
            q.shared_gen = 0;
            q.deadlines.clear();
            q.req_deadlines.clear();
            q.req_expire_pending = false;
            q.gone = 0;
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
            q.series.reset();
            q.w_latency = 0.0;
            q.w_done = 0;
            q.latency.clear();
            if spec.client.is_some() {
                q.e2e.clear();
            }
            q.slo.fill([0, 0]);
            if spec.patience.is_some() {
                q.patience_rng = rng::stream(seed, run, spec.key, PATIENCE);
            }
            q.rng = rng::stream(seed, run, spec.key, ARRIVALS);
            q.service_rng = rng::stream(seed, run, spec.key, SERVICE);
            q.outcome_rng = rng::stream(seed, run, spec.key, OUTCOMES);
            if !spec.classes.is_empty() {
                q.class_rng = rng::stream(seed, run, spec.key, CLASSES);
            }
            // Schedule changes that apply from t = 0.
            while q.rate_index < spec.schedule.len() && spec.schedule[q.rate_index].0 <= 0.0 {
                q.rate = spec.schedule[q.rate_index].1;
                q.rate_index += 1;
            }
            let first = self.first_arrival(k, seed, run);
            self.schedule(
                first,
                QueueEvent::Arrive {
                    queue: k as u32,
                    generation: 0,
                },
            );
            self.schedule(spec.window, QueueEvent::Sample { queue: k as u32 });
            if let Some(&(t, _)) = spec.schedule.get(self.qs.q[k].rate_index) {
                self.schedule(t, QueueEvent::Rate { queue: k as u32 });
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

    /// Draws every queue's next arrival afresh at the arrival rate now in force (an
    /// operating phase changed its load): exact, arrivals being memoryless.
    pub(crate) fn restart_arrivals(&mut self) {
        for k in 0..self.qs.q.len() {
            self.redraw_arrival(k);
        }
    }

    /// Queue `k`'s pending arrival made stale and drawn afresh at the rate now in force
    /// (a rate schedule's step, a phase's load): exact for Poisson arrivals, being
    /// memoryless; a renewal process's gap under way is stretched instead.
    fn redraw_arrival(&mut self, k: usize) {
        self.qs.q[k].arrival_gen += 1;
        let generation = self.qs.q[k].arrival_gen;
        let gap = self.gap_after_change(k);
        let queue = k as u32;
        self.schedule(self.now + gap, QueueEvent::Arrive { queue, generation });
    }

    /// Time to queue `k`'s next arrival at its rate now in force (schedule and phase load).
    fn arrival_gap(&mut self, k: usize) -> f64 {
        self.exp(k, self.qs.q[k].rate * self.ph.load)
    }

    /// Accumulates the number-in-system integral up to now (after the warm-up).
    #[inline(always)]
    fn tick(&mut self, k: usize) {
        let warmup = self.m.queues[k].warmup;
        let now = self.now;
        let q = &mut self.qs.q[k];
        let from = q.last_t.max(warmup);
        let queued = (q.waiting.len() + q.in_lanes - q.gone) as u64;
        if q.series.phased() {
            q.series.integrate(now, queued, u64::from(q.busy));
        }
        if now > from {
            q.counts.area += (queued + u64::from(q.busy)) as f64 * (now - from);
            q.counts.measured += now - from;
        }
        q.last_t = now;
    }

    fn measuring(&self, k: usize) -> bool {
        self.now >= self.m.queues[k].warmup
    }

    /// Handles a queue event.
    pub(crate) fn on_queue_event<O: Observer>(&mut self, e: QueueEvent, obs: &mut O) {
        match e {
            QueueEvent::Arrive { queue, generation } => {
                let k = queue as usize;
                if self.qs.q[k].arrival_gen != generation {
                    return;
                }
                let class = self.new_class(k);
                self.admit(k, self.now, 1, NONE, class, NONE, 0);
                let gap = self.next_gap(k);
                self.schedule(self.now + gap, QueueEvent::Arrive { queue, generation });
            }
            QueueEvent::Rate { queue } => {
                let k = queue as usize;
                let spec = &self.m.queues[k];
                let q = &mut self.qs.q[k];
                let queued = (q.waiting.len() + q.in_lanes - q.gone) as u64;
                q.series.next_phase(self.now, queued, u64::from(q.busy));
                q.rate = spec.schedule[q.rate_index].1;
                q.rate_index += 1;
                let next = spec.schedule.get(q.rate_index).map(|x| x.0);
                self.redraw_arrival(k);
                if let Some(t) = next {
                    self.schedule(t, QueueEvent::Rate { queue });
                }
            }
            QueueEvent::Burst { queue, generation } => {
                let k = queue as usize;
                let q = &self.qs.q[k];
                if q.burst_gen != generation || self.now > q.burst_until {
                    return;
                }
                let class = self.new_class(k);
                self.admit(k, self.now, 1, NONE, class, NONE, 0);
                let gap = self.exp(k, self.qs.q[k].burst_rate);
                if self.now + gap <= self.qs.q[k].burst_until {
                    self.schedule(self.now + gap, QueueEvent::Burst { queue, generation });
                }
            }
            QueueEvent::Retry { queue, retry } => {
                let r = self.qs.retries.take(retry);
                if r.req == NONE || self.request_open(r.req, r.req_gen) {
                    self.admit(
                        queue as usize,
                        r.born,
                        r.attempt,
                        NONE,
                        r.class,
                        r.req,
                        r.req_gen,
                    );
                }
            }
            QueueEvent::Hedge { req, generation } => self.hedge(req, generation),
            QueueEvent::Deadline { queue } => self.request_deadlines(queue as usize),
            QueueEvent::Abandon { job, generation } => self.abandon(job, generation),
            QueueEvent::Done { job, generation } => self.job_done(job, generation),
            QueueEvent::Expire { queue } => self.expire(queue as usize),
            QueueEvent::Sample { queue } => self.sample(queue as usize, obs),
            QueueEvent::Spoon { queue } => self.spoon(queue as usize, obs),
            QueueEvent::Switch { queue } => self.switch(queue as usize),
            QueueEvent::Shared { queue, generation } => {
                self.shared_done(queue as usize, generation);
            }
        }
    }

    /// Closes the number-in-system integral and the time grid at the end of the run.
    pub(crate) fn finish_queues(&mut self) {
        for k in 0..self.m.queues.len() {
            self.tick(k);
            let q = &mut self.qs.q[k];
            while q.grid_next < GRID {
                q.grid[q.grid_next] = q.backlog() as u64;
                q.grid_next += 1;
            }
        }
    }
}
