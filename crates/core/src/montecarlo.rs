//! Monte Carlo: many runs in parallel, folded into streaming, mergeable statistics.
//!
//! Runs are cut into fixed chunks of [`chunk_size`] run indices. Each chunk is simulated by one
//! thread, in run order, into its own [`Summary`]; chunk summaries are then merged into the
//! total strictly in chunk order. The result is therefore bit-identical for any thread count,
//! and memory holds one summary per chunk in flight, never one record per run.

use crate::engine::Sim;
use crate::engine::propagation::Class;
use crate::engine::queue::{GRID, QueueCounts, RequestCounts};
use crate::model::{Model, NONE};
use crate::queue_series::{QueuePhaseStats, SliceStats};
use crate::stats::{Coarse, Histogram, Moments};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// Runs per chunk: the unit of work and of deterministic merging.
pub const CHUNK: u64 = 64;

/// Chunks simulated per parallel batch (bounds memory; does not affect results).
const BATCH: u64 = 32;

/// Memory for the chunk summaries of one batch (see [`run_chunks`]).
const BATCH_BYTES: usize = 256 << 20;

/// Chunks per batch: as many as fit [`BATCH_BYTES`], at most [`BATCH`], at least two per
/// thread (so every thread has work while the batch's stragglers finish).
fn batch_len(per_chunk_bytes: usize, threads: usize) -> usize {
    (BATCH_BYTES / per_chunk_bytes.max(1)).clamp(2 * threads.max(1), BATCH as usize)
}

/// Roughly how many heap bytes one [`Summary`] of `m` takes.
fn summary_bytes(m: &Model) -> usize {
    let objectives = (m.services.iter())
        .filter(|&&c| objective_of(m, c).is_some())
        .count();
    let clients = (m.queues.iter())
        .map(|q| usize::from(q.client.is_some()) + usize::from(q.objective.is_some()))
        .sum::<usize>();
    m.services.len() * (2 * Histogram::BYTES + 256)
        + (objectives + clients) * Histogram::BYTES
        + m.comps.len() * size_of::<[f64; 4]>()
        + m.slots.len() * size_of::<u64>()
        + 4 * Histogram::BYTES
        + m.queues.len() * GRID * 3 * crate::stats::Sketch::BYTES
}

/// The availability objective of service component `c`, if it has one.
fn objective_of(m: &Model, c: u32) -> Option<crate::model::Objective> {
    m.comps.get(c as usize)?.service?.objective
}

/// Statistics of one service across runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServiceStats {
    /// Availability (share of the horizon not failed), per run.
    pub availability: Moments,
    /// Seconds failed per run.
    pub downtime: Moments,
    /// Seconds failed per run, for percentiles.
    pub downtime_hist: Histogram,
    /// Seconds degraded per run.
    pub degraded: Moments,
    /// Failures per run.
    pub failures: Moments,
    /// Runs in which it failed at least once.
    pub failed_runs: u64,
    /// Time to first failure, in runs where it failed.
    pub first_failure: Histogram,
    /// User-minutes affected per run.
    pub user_minutes: Moments,
    /// Its availability objective window by window, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<ObjectiveStats>,
}

/// A service's availability objective across runs, window by window: how often it was met
/// and how much of the error budget each window used.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ObjectiveStats {
    /// Windows measured, all runs.
    pub windows: u64,
    /// Windows in which the objective was met (failed no longer than the budget).
    pub met: u64,
    /// Runs with at least one window that missed it.
    pub breached_runs: u64,
    /// Per window: failed seconds ÷ the window's error budget (1: exactly used up).
    pub budget_used: Moments,
    /// The same, for percentiles.
    pub budget_hist: Histogram,
}

impl ObjectiveStats {
    /// Folds in one run's windows (failed seconds in each) against `o`.
    pub fn record(&mut self, o: &crate::model::Objective, windows: &[f64]) {
        let budget = o.budget();
        let mut breached = false;
        for &down in windows {
            let used = down / budget;
            self.windows += 1;
            if down <= budget {
                self.met += 1;
            } else {
                breached = true;
            }
            self.budget_used.push(used);
            self.budget_hist.record(used);
        }
        self.breached_runs += u64::from(breached);
    }

    fn merge(&mut self, o: &ObjectiveStats) {
        self.windows += o.windows;
        self.met += o.met;
        self.breached_runs += o.breached_runs;
        self.budget_used.merge(&o.budget_used);
        self.budget_hist.merge(&o.budget_hist);
    }

    fn check(&self, runs: u64, per_run: u64) -> Result<(), String> {
        if self.windows != runs * per_run || self.met > self.windows || self.breached_runs > runs {
            return Err(format!(
                "objective: {} windows ({} met, {} runs breached) in {runs} runs of {per_run}",
                self.windows, self.met, self.breached_runs
            ));
        }
        self.budget_used
            .check(self.windows, 0.0, f64::INFINITY)
            .and_then(|()| self.budget_hist.check(Some(self.windows)))
            .map_err(|e| format!("objective: {e}"))
    }

    /// Folds in one run's windows of a latency objective promising `share` of requests in
    /// time: per window, (requests answered in time, requests ended). A window's budget is
    /// the late or failed requests the share allows; a window without requests meets it.
    pub fn record_requests(&mut self, share: f64, windows: &[[u32; 2]]) {
        let mut breached = false;
        for &[good, all] in windows {
            let (bad, allowed) = (f64::from(all - good), (1.0 - share) * f64::from(all));
            let used = if bad == 0.0 { 0.0 } else { bad / allowed };
            self.windows += 1;
            if bad <= allowed {
                self.met += 1;
            } else {
                breached = true;
            }
            self.budget_used.push(used);
            self.budget_hist.record(used);
        }
        self.breached_runs += u64::from(breached);
    }

    /// Share of windows in which the objective was met.
    pub fn attainment(&self) -> f64 {
        self.met as f64 / self.windows.max(1) as f64
    }
}

impl ServiceStats {
    fn new() -> ServiceStats {
        ServiceStats {
            objective: None,
            availability: Moments::new(),
            downtime: Moments::new(),
            downtime_hist: Histogram::new(),
            degraded: Moments::new(),
            failures: Moments::new(),
            failed_runs: 0,
            first_failure: Histogram::new(),
            user_minutes: Moments::new(),
        }
    }

    fn merge(&mut self, o: &ServiceStats) {
        self.availability.merge(&o.availability);
        self.downtime.merge(&o.downtime);
        self.downtime_hist.merge(&o.downtime_hist);
        self.degraded.merge(&o.degraded);
        self.failures.merge(&o.failures);
        self.failed_runs += o.failed_runs;
        self.first_failure.merge(&o.first_failure);
        if let (Some(a), Some(b)) = (&mut self.objective, &o.objective) {
            a.merge(b);
        }
        self.user_minutes.merge(&o.user_minutes);
    }
}

/// Statistics of one job queue across runs (each a per-run figure, after the warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueueStats {
    /// New jobs.
    pub jobs: Moments,
    /// Attempts per new job (retries included): the retry amplification.
    pub attempts_per_job: Moments,
    /// Attempts served in time.
    pub ok: Moments,
    /// Share of new jobs that ended well (goodput / offered load).
    pub goodput: Moments,
    /// Attempts whose client gave up.
    pub timed_out: Moments,
    /// Attempts served after their client gave up.
    pub wasted: Moments,
    /// Retries.
    pub retried: Moments,
    /// Rejected attempts.
    pub rejected: Moments,
    /// Dropped jobs (shedding above a length).
    pub dropped: Moments,
    /// Expired jobs discarded unserved.
    pub discarded: Moments,
    /// Jobs shed into the parking lot.
    pub shed: Moments,
    /// Jobs lost for good.
    pub lost: Moments,
    /// Mean time in system of successful attempts, seconds.
    pub latency: Moments,
    /// Time-averaged number in system (waiting + in service).
    pub in_system: Moments,
    /// Successful attempts per second.
    pub throughput: Moments,
    /// Latency of every successful attempt, all runs pooled, for percentiles.
    pub latency_hist: Histogram,
    /// Sum of the latencies of every successful attempt, all runs pooled, seconds.
    pub latency_sum: f64,
    /// Number of latencies in [`latency_sum`](Self::latency_sum).
    pub latency_n: u64,
    /// Longest waiting line per run, for percentiles.
    pub max_waiting: Histogram,
    /// Waiting jobs at the end of the run, for percentiles (a backlog that never drains).
    pub final_waiting: Histogram,
    /// Waiting jobs at each point of the time grid ([`GRID`] points over the
    /// horizon), across runs: the p50/p90 band over time.
    pub grid: Vec<Coarse>,
    /// Per slice of the time grid: goodput, attempts per job, latency and backlog across
    /// runs (the whole run, warm-up included).
    pub series: Vec<SliceStats>,
    /// Per phase of the queue's rate schedule (empty without a schedule).
    pub phases: Vec<QueuePhaseStats>,
    /// Share of attempts that left the line out of impatience (with `patience`).
    #[serde(default)]
    pub abandoned: Moments,
    /// Requests as users saw them (with a `client`; `None` otherwise).
    #[serde(default)]
    pub requests: Option<RequestStats>,
    /// Its latency objective window by window (`None` without one).
    #[serde(default)]
    pub objective: Option<ObjectiveStats>,
}

/// Statistics of one queue's requests across runs (each a per-run figure, for requests
/// begun after the warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestStats {
    /// Requests begun.
    pub begun: Moments,
    /// Share of requests answered before their deadline.
    pub answered: Moments,
    /// Requests that failed (deadline passed, or every attempt failed).
    pub failed: Moments,
    /// Share of answered requests answered by a late reply.
    pub late: Moments,
    /// Hedged attempts per request.
    pub hedges: Moments,
    /// Share of answered requests answered by their hedge first.
    pub hedge_won: Moments,
    /// Mean end-to-end latency of answered requests, seconds.
    pub latency: Moments,
    /// End-to-end latency of every answered request, all runs pooled, for percentiles.
    pub latency_hist: Histogram,
    /// Sum and number of those latencies, all runs pooled.
    pub latency_sum: f64,
    /// Number of latencies in [`latency_sum`](Self::latency_sum).
    pub latency_n: u64,
}

impl RequestStats {
    fn new() -> RequestStats {
        RequestStats {
            begun: Moments::new(),
            answered: Moments::new(),
            failed: Moments::new(),
            late: Moments::new(),
            hedges: Moments::new(),
            hedge_won: Moments::new(),
            latency: Moments::new(),
            latency_hist: Histogram::new(),
            latency_sum: 0.0,
            latency_n: 0,
        }
    }

    /// The mean end-to-end latency of answered requests, all runs pooled (NaN if none).
    pub fn pooled_latency(&self) -> f64 {
        ratio(self.latency_sum, self.latency_n)
    }

    fn record(&mut self, c: &RequestCounts, latencies: &Histogram) {
        let share = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        self.begun.push(c.begun as f64);
        self.failed.push(c.failed as f64);
        let pairs = [
            (&mut self.answered, share(c.answered, c.begun)),
            (&mut self.hedges, share(c.hedges, c.begun)),
            (&mut self.late, share(c.late, c.answered)),
            (&mut self.hedge_won, share(c.hedge_won, c.answered)),
            (
                &mut self.latency,
                (c.answered > 0).then(|| c.latency_sum / c.answered as f64),
            ),
        ];
        for (m, x) in pairs {
            if let Some(x) = x {
                m.push(x);
            }
        }
        self.latency_hist.merge(latencies);
        self.latency_sum += c.latency_sum;
        self.latency_n += c.answered;
    }

    fn merge(&mut self, o: &RequestStats) {
        self.begun.merge(&o.begun);
        self.answered.merge(&o.answered);
        self.failed.merge(&o.failed);
        self.late.merge(&o.late);
        self.hedges.merge(&o.hedges);
        self.hedge_won.merge(&o.hedge_won);
        self.latency.merge(&o.latency);
        self.latency_hist.merge(&o.latency_hist);
        self.latency_sum += o.latency_sum;
        self.latency_n += o.latency_n;
    }
}

impl QueueStats {
    /// The mean latency of successful attempts, all runs pooled (NaN if none): what the
    /// latency percentiles describe, where [`latency`](Self::latency) averages per-run means.
    pub fn pooled_latency(&self) -> f64 {
        ratio(self.latency_sum, self.latency_n)
    }

    fn new(spec: &crate::model::QueueSpec, phases: usize) -> QueueStats {
        QueueStats {
            abandoned: Moments::new(),
            requests: spec.client.map(|_| RequestStats::new()),
            objective: spec.objective.map(|_| ObjectiveStats::default()),
            jobs: Moments::new(),
            attempts_per_job: Moments::new(),
            ok: Moments::new(),
            goodput: Moments::new(),
            timed_out: Moments::new(),
            wasted: Moments::new(),
            retried: Moments::new(),
            rejected: Moments::new(),
            dropped: Moments::new(),
            discarded: Moments::new(),
            shed: Moments::new(),
            lost: Moments::new(),
            latency: Moments::new(),
            in_system: Moments::new(),
            throughput: Moments::new(),
            latency_hist: Histogram::new(),
            latency_sum: 0.0,
            latency_n: 0,
            max_waiting: Histogram::new(),
            final_waiting: Histogram::new(),
            grid: vec![Coarse::new(); GRID],
            series: crate::queue_series::new_slices(),
            phases: vec![QueuePhaseStats::default(); phases],
        }
    }

    /// Folds in queue `k` of the run `sim` just finished.
    fn record_run(&mut self, sim: &Sim, k: usize) {
        let (qs, horizon) = (&sim.qs, sim.model().horizon);
        self.record(qs.counts(k), qs.latencies(k), qs.waiting(k), qs.grid(k));
        let series = qs.series(k);
        crate::queue_series::record_slices(&mut self.series, series, qs.grid(k), horizon);
        for (p, c) in self.phases.iter_mut().zip(&series.phases) {
            p.record(c);
        }
    }

    fn record(&mut self, c: &QueueCounts, latencies: &Histogram, waiting_now: usize, grid: &[u64]) {
        if c.attempts > 0 {
            self.abandoned.push(c.abandoned as f64 / c.attempts as f64);
        }
        for (h, &w) in self.grid.iter_mut().zip(grid) {
            h.record(w);
        }
        self.latency_hist.merge(latencies);
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        self.jobs.push(c.jobs as f64);
        if c.jobs > 0 {
            self.attempts_per_job
                .push(c.attempts as f64 / c.jobs as f64);
            self.goodput.push(c.ok as f64 / c.jobs as f64);
        }
        self.ok.push(c.ok as f64);
        self.timed_out.push(c.timed_out as f64);
        self.wasted.push(c.wasted as f64);
        self.retried.push(c.retried as f64);
        self.rejected.push(c.rejected as f64);
        self.dropped.push(c.dropped as f64);
        self.discarded.push(c.discarded as f64);
        self.shed.push(c.shed as f64);
        self.lost.push(c.lost as f64);
        if c.latency_n > 0 {
            self.latency.push(c.latency_sum / c.latency_n as f64);
        }
        self.latency_sum += c.latency_sum;
        self.latency_n += c.latency_n;
        if c.measured > 0.0 {
            self.in_system.push(c.area / c.measured);
            self.throughput.push(ratio(c.ok as f64, c.measured));
        }
        self.max_waiting.record(c.max_waiting as f64);
        self.final_waiting.record(waiting_now as f64);
    }

    fn merge(&mut self, o: &QueueStats) {
        self.jobs.merge(&o.jobs);
        self.attempts_per_job.merge(&o.attempts_per_job);
        self.ok.merge(&o.ok);
        self.goodput.merge(&o.goodput);
        self.timed_out.merge(&o.timed_out);
        self.wasted.merge(&o.wasted);
        self.retried.merge(&o.retried);
        self.rejected.merge(&o.rejected);
        self.dropped.merge(&o.dropped);
        self.discarded.merge(&o.discarded);
        self.shed.merge(&o.shed);
        self.lost.merge(&o.lost);
        self.latency.merge(&o.latency);
        self.in_system.merge(&o.in_system);
        self.throughput.merge(&o.throughput);
        self.latency_hist.merge(&o.latency_hist);
        self.latency_sum += o.latency_sum;
        self.latency_n += o.latency_n;
        self.max_waiting.merge(&o.max_waiting);
        self.final_waiting.merge(&o.final_waiting);
        for (a, b) in self.grid.iter_mut().zip(&o.grid) {
            a.merge(b);
        }
        self.abandoned.merge(&o.abandoned);
        if let (Some(a), Some(b)) = (&mut self.requests, &o.requests) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.objective, &o.objective) {
            a.merge(b);
        }
        crate::queue_series::merge_slices(&mut self.series, &o.series);
        for (a, b) in self.phases.iter_mut().zip(&o.phases) {
            a.merge(b);
        }
    }
}

/// Latent faults, demands and inspections across runs (see [`crate::engine::Hidden`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HiddenStats {
    /// Per watched component ([`Model::watch`] order): the share of the run it would have
    /// failed if demanded (its hidden unavailability).
    pub unready: Vec<Moments>,
    /// Latent faults found by inspections, per run.
    pub found: Moments,
    /// Latent faults revealed by demands, per run.
    pub revealed: Moments,
    /// Faults that happened on demand, per run.
    pub on_demand: Moments,
    /// Inspections per run.
    pub inspections: Moments,
    /// Seconds the found and revealed faults had been hidden, all runs summed.
    pub hidden_total: f64,
}

impl HiddenStats {
    fn new(m: &Model) -> HiddenStats {
        HiddenStats {
            unready: vec![Moments::new(); m.watch.len()],
            found: Moments::new(),
            revealed: Moments::new(),
            on_demand: Moments::new(),
            inspections: Moments::new(),
            hidden_total: 0.0,
        }
    }

    fn record(&mut self, h: &crate::engine::Hidden, horizon: f64) {
        for (acc, t) in self.unready.iter_mut().zip(&h.unready) {
            acc.push(t / horizon);
        }
        self.found.push(f64::from(h.found));
        self.revealed.push(f64::from(h.revealed));
        self.on_demand.push(f64::from(h.on_demand));
        self.inspections.push(f64::from(h.inspections));
        self.hidden_total += h.hidden_total;
    }

    fn merge(&mut self, o: &HiddenStats) {
        for (a, b) in self.unready.iter_mut().zip(&o.unready) {
            a.merge(b);
        }
        self.found.merge(&o.found);
        self.revealed.merge(&o.revealed);
        self.on_demand.merge(&o.on_demand);
        self.inspections.merge(&o.inspections);
        self.hidden_total += o.hidden_total;
    }

    /// Mean time a latent fault stayed hidden before it was found or revealed (NaN if none).
    pub fn mean_hidden(&self) -> f64 {
        let n = self.found.mean() * self.found.count() as f64
            + self.revealed.mean() * self.revealed.count() as f64;
        if n > 0.0 {
            self.hidden_total / n
        } else {
            f64::NAN
        }
    }

    fn check(&self, m: &Model, runs: u64) -> Result<(), String> {
        if self.unready.len() != m.watch.len() {
            return Err(format!(
                "hidden.unready: {} entries where the model watches {}",
                self.unready.len(),
                m.watch.len()
            ));
        }
        for (k, u) in self.unready.iter().enumerate() {
            u.check(runs, 0.0, 1.0)
                .map_err(|e| format!("hidden.unready[{k}]: {e}"))?;
        }
        let inf = f64::INFINITY;
        for (name, x) in [
            ("found", &self.found),
            ("revealed", &self.revealed),
            ("on_demand", &self.on_demand),
            ("inspections", &self.inspections),
        ] {
            x.check(runs, 0.0, inf)
                .map_err(|e| format!("hidden.{name}: {e}"))?;
        }
        if !(self.hidden_total.is_finite() && self.hidden_total >= 0.0) {
            return Err(format!("hidden.hidden_total: {}", self.hidden_total));
        }
        Ok(())
    }
}

/// The people in the loop across runs: diagnoses, fatigue, shifts and procedures (see
/// [`crate::engine::response::PeopleRun`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PeopleStats {
    /// Diagnoses finished, all runs.
    pub diagnoses: u64,
    /// Seconds from the page to the diagnosis, all runs summed.
    pub diagnose_total: f64,
    /// Diagnoses started, all runs, and the sum of the fatigue factors they started at.
    pub started: u64,
    /// Sum of the fatigue factors diagnoses started at.
    pub fatigue_total: f64,
    /// Per run: the largest fatigue factor anyone worked at (1: nobody tired).
    pub peak_fatigue: Moments,
    /// Per run: the longest shift anyone worked, in hours (0 without fatigue).
    pub longest_shift: Moments,
    /// Procedures carried out, all runs.
    pub procedures: u64,
    /// Procedures that failed (a step skipped or done wrong), all runs.
    pub failed: u64,
    /// Second faults set off by steps done wrong, all runs.
    pub worse: u64,
}

impl PeopleStats {
    fn record(&mut self, p: &crate::engine::response::PeopleRun) {
        self.diagnoses += u64::from(p.diagnoses);
        self.diagnose_total += p.diagnose_total;
        self.started += u64::from(p.started);
        self.fatigue_total += p.fatigue_total;
        self.peak_fatigue.push(p.fatigue_max.max(1.0));
        self.longest_shift.push(p.longest_shift / 3600.0);
        self.procedures += u64::from(p.procedures);
        self.failed += u64::from(p.failed);
        self.worse += u64::from(p.worse);
    }

    fn merge(&mut self, o: &PeopleStats) {
        self.diagnoses += o.diagnoses;
        self.diagnose_total += o.diagnose_total;
        self.started += o.started;
        self.fatigue_total += o.fatigue_total;
        self.peak_fatigue.merge(&o.peak_fatigue);
        self.longest_shift.merge(&o.longest_shift);
        self.procedures += o.procedures;
        self.failed += o.failed;
        self.worse += o.worse;
    }

    /// Mean seconds from a page to the diagnosis (NaN if none).
    pub fn mean_time_to_diagnose(&self) -> f64 {
        ratio(self.diagnose_total, self.diagnoses)
    }

    /// Mean fatigue factor diagnoses started at (NaN if none, or without fatigue).
    pub fn mean_fatigue(&self) -> f64 {
        ratio(self.fatigue_total, self.started)
    }

    /// Share of procedures that failed (NaN if none were carried out).
    pub fn failure_share(&self) -> f64 {
        ratio(self.failed as f64, self.procedures)
    }

    fn check(&self, m: &Model, runs: u64) -> Result<(), String> {
        let f = |name: &str, r: Result<(), String>| r.map_err(|e| format!("people.{name}: {e}"));
        let max = (m.response.as_ref())
            .and_then(|r| r.fatigue)
            .map_or(1.0, |x| x.max.max(1.0));
        f("peak_fatigue", self.peak_fatigue.check(runs, 1.0, max))?;
        f(
            "longest_shift",
            self.longest_shift.check(runs, 0.0, m.horizon / 3600.0),
        )?;
        if self.failed > self.procedures || self.worse > self.failed {
            return Err(format!(
                "people: {} failed procedures and {} second faults of {} procedures",
                self.failed, self.worse, self.procedures
            ));
        }
        let totals = [self.diagnose_total, self.fatigue_total];
        if !totals.iter().all(|x| x.is_finite() && *x >= 0.0)
            || self.fatigue_total < self.started as f64 * (1.0 - 1e-9)
        {
            return Err("people: a total that is negative or not a finite number".into());
        }
        Ok(())
    }
}

/// What one operating phase saw, accumulated over runs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PhaseStats {
    /// Calendar seconds spent in the phase, per run.
    pub time: Moments,
    /// Seconds with at least one service failed during the phase, per run.
    pub downtime: Moments,
    /// Site failures that began during the phase, per run.
    pub failures: Moments,
    /// Runs with a site failure that began during the phase.
    pub failed_runs: u64,
    /// Cost of the phase's service downtime, degraded time and affected users, per run
    /// (responders, mitigations, lost jobs and fixed costs are not split by phase).
    pub cost: Moments,
    /// Runs in which an abort switched to this phase.
    pub aborted_runs: u64,
}

impl PhaseStats {
    /// Folds in phase `p` of the run `sim` just finished.
    fn record(&mut self, sim: &Sim, p: usize) {
        let (ph, c) = (&sim.ph, &sim.model().cost);
        self.time.push(ph.time[p]);
        self.downtime.push(ph.downtime[p]);
        self.failures.push(f64::from(ph.failures[p]));
        self.failed_runs += u64::from(ph.failures[p] > 0);
        self.cost.push(c.of_service(
            ph.service_down[p],
            ph.degraded[p],
            ph.user_seconds[p] / 60.0,
        ));
        self.aborted_runs += u64::from(ph.aborts[p] > 0);
    }

    fn merge(&mut self, o: &PhaseStats) {
        self.time.merge(&o.time);
        self.downtime.merge(&o.downtime);
        self.failures.merge(&o.failures);
        self.failed_runs += o.failed_runs;
        self.cost.merge(&o.cost);
        self.aborted_runs += o.aborted_runs;
    }
}

/// One burn-rate rule, or one service's alert policy (all its rules), across runs (see
/// [`crate::engine::response::BurnRun`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BurnStats {
    /// Pages, all runs.
    pub pages: u64,
    /// Pages during failure episodes that were not significant incidents, all runs.
    pub nuisance: u64,
    /// Significant incidents (episodes of the service), all runs.
    pub significant: u64,
    /// Significant incidents it paged for.
    pub detected: u64,
    /// Significant incidents it never paged for (and was not still firing for).
    pub missed: u64,
    /// Seconds from a detected incident's start to its page, all incidents pooled.
    pub delay: Moments,
}

impl BurnStats {
    fn record(&mut self, x: &crate::engine::response::BurnRun) {
        self.pages += u64::from(x.pages);
        self.nuisance += u64::from(x.nuisance);
        self.significant += u64::from(x.significant);
        self.detected += u64::from(x.detected);
        self.missed += u64::from(x.missed);
        self.delay.merge(&x.delay);
    }

    fn merge(&mut self, o: &BurnStats) {
        self.pages += o.pages;
        self.nuisance += o.nuisance;
        self.significant += o.significant;
        self.detected += o.detected;
        self.missed += o.missed;
        self.delay.merge(&o.delay);
    }

    fn check(&self, horizon: f64) -> Result<(), String> {
        if self.nuisance > self.pages
            || self.detected + self.missed > self.significant
            || self.delay.count() != self.detected
        {
            return Err(format!(
                "{} pages ({} nuisance), {} significant incidents ({} detected, {} missed)",
                self.pages, self.nuisance, self.significant, self.detected, self.missed
            ));
        }
        self.delay.check(self.detected, 0.0, horizon)
    }
}

/// Rows of burn-rate statistics a summary of `m` holds: one per rule, then one per
/// service (its policy); none without rules.
fn burn_rows(m: &Model) -> usize {
    let rules = (m.alerts.iter())
        .filter(|a| matches!(a.when, crate::model::Condition::Burn(_)))
        .count();
    if rules == 0 {
        0
    } else {
        rules + m.services.len()
    }
}

/// Everything a study reports, accumulated over runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    /// Runs folded in.
    pub runs: u64,
    /// Events processed, all runs.
    pub events: u64,
    /// Runs stopped by the event cap or the memory budget.
    pub capped_runs: u64,
    /// Runs stopped by the memory budget (counted in `capped_runs` too).
    #[serde(default)]
    pub budget_runs: u64,
    /// Seconds of the horizon that runs stopped by the event cap did not simulate, all runs
    /// (so shares of time are taken over the time simulated).
    pub unsimulated: f64,
    /// Runs whose propagation did not settle (a model with an unstable loop).
    pub unsettled_runs: u64,
    /// Largest pending-event count seen in any run.
    pub peak_pending: u64,
    /// Component evaluations, all runs (propagation work).
    pub evaluations: u64,
    /// Site availability per run: share of the horizon with no service failed.
    pub availability: Moments,
    /// Seconds with at least one service failed, per run.
    pub downtime: Moments,
    /// The same, for percentiles.
    pub downtime_hist: Histogram,
    /// Site failures (no service failed → some failed) per run.
    pub failures: Moments,
    /// Runs with at least one service failure.
    pub failed_runs: u64,
    /// Cost per run.
    pub cost: Moments,
    /// User-minutes affected per run, all services.
    pub user_minutes: Moments,
    /// Total seconds of service failure episodes and their number (for the mean time to restore).
    pub restore_total: f64,
    /// Number of service failure episodes.
    pub episodes: u64,
    /// Per service, in model order.
    pub services: Vec<ServiceStats>,
    /// Per component: total seconds in each state class, all runs.
    pub time_in: Vec<[f64; 4]>,
    /// Service failures per root fault slot; the last entry counts unexplained ones.
    pub roots: Vec<u64>,
    /// Total seconds from user-visible failures to their detection.
    pub detect_total: f64,
    /// Detected user-visible failures.
    pub detect_count: u64,
    /// User-visible failures that ended undetected.
    pub undetected: u64,
    /// Total seconds from failures to the repair of their root fault.
    pub repair_total: f64,
    /// Failures whose root was repaired within the run.
    pub repair_count: u64,
    /// Responder-hours per run.
    pub responder_hours: Moments,
    /// Mitigations started per run.
    pub mitigations: Moments,
    /// Hand-offs, all runs.
    pub handoffs: u64,
    /// Per run: this strategy's cost minus the baseline's on the same run.
    pub paired_cost: Moments,
    /// Per run: this strategy's downtime minus the baseline's on the same run.
    pub paired_downtime: Moments,
    /// Per other model `j` of the study (in study order): this strategy's cost minus
    /// model `j`'s on the same run, so that any two strategies (the winner and the
    /// runner-up) can be compared as a paired difference. Empty in shards written before
    /// it existed.
    #[serde(default)]
    pub paired_cost_vs: Vec<Moments>,
    /// Per queue, in model order.
    pub queues: Vec<QueueStats>,
    /// Latent faults, demands and inspections; `None` when the model has none.
    #[serde(default)]
    pub hidden: Option<HiddenStats>,
    /// The people in the loop (fatigue, teams, procedures); `None` when the model has none
    /// of these.
    #[serde(default)]
    pub people: Option<PeopleStats>,
    /// Per operating phase, in model order (empty without phases, and then not written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseStats>,
    /// Per burn-rate rule (in alert order), then per service (its policy: all its rules);
    /// empty without burn-rate rules, and then not written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub burns: Vec<BurnStats>,
    /// This chunk's runs, one row each, in run order: filled only when the study asks
    /// ([`Study::per_run`]); never merged, never written to shard files.
    #[serde(skip)]
    pub rows: Vec<RunRow>,
}

/// What one run of one model yielded, for the per-run export (`--per-run`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunRow {
    /// Run index.
    pub run: u64,
    /// Model index in the study (0: the baseline).
    pub strategy: u32,
    /// Seconds with at least one service failed.
    pub downtime_s: f64,
    /// Share of the simulated time with no service failed.
    pub availability: f64,
    /// Site failures (no service failed → some failed).
    pub failures: u32,
    /// Cost of the run.
    pub cost: f64,
    /// User-minutes affected, all services.
    pub user_minutes: f64,
    /// Mean seconds from a user-visible failure to its detection (NaN if none detected).
    pub mttd_s: f64,
    /// Mean seconds from a failure to the repair of its root fault (NaN if none).
    pub mttr_s: f64,
    /// Mean seconds from a service failure until it is restored (NaN without failures).
    pub time_to_restore_s: f64,
    /// Responder-hours spent.
    pub responder_hours: f64,
    /// Mitigations started.
    pub mitigations: u32,
    /// User-visible failures that ended before anyone noticed.
    pub undetected: u32,
    /// Events processed.
    pub events: u64,
    /// Whether the event cap or the memory budget stopped the run.
    pub capped: bool,
}

impl Summary {
    /// An empty summary shaped for `m`.
    pub fn new(m: &Model) -> Summary {
        Summary {
            runs: 0,
            events: 0,
            capped_runs: 0,
            budget_runs: 0,
            unsimulated: 0.0,
            unsettled_runs: 0,
            peak_pending: 0,
            evaluations: 0,
            availability: Moments::new(),
            downtime: Moments::new(),
            downtime_hist: Histogram::new(),
            failures: Moments::new(),
            failed_runs: 0,
            cost: Moments::new(),
            user_minutes: Moments::new(),
            restore_total: 0.0,
            episodes: 0,
            services: (m.services.iter())
                .map(|&c| ServiceStats {
                    objective: objective_of(m, c).map(|_| ObjectiveStats::default()),
                    ..ServiceStats::new()
                })
                .collect(),
            time_in: vec![[0.0; 4]; m.comps.len()],
            roots: vec![0; m.slots.len() + 1],
            detect_total: 0.0,
            detect_count: 0,
            undetected: 0,
            repair_total: 0.0,
            repair_count: 0,
            responder_hours: Moments::new(),
            mitigations: Moments::new(),
            handoffs: 0,
            paired_cost: Moments::new(),
            paired_downtime: Moments::new(),
            paired_cost_vs: Vec::new(),
            queues: (m.queues.iter())
                .map(|q| QueueStats::new(q, crate::queue::schedule_phases(q, m.horizon).len()))
                .collect(),
            hidden: (m.demands || !m.inspections.is_empty()).then(|| HiddenStats::new(m)),
            people: m.people_in_the_loop().then(PeopleStats::default),
            phases: (m.phases.iter())
                .flat_map(|p| p.list.iter().map(|_| PhaseStats::default()))
                .collect(),
            burns: vec![BurnStats::default(); burn_rows(m)],
            rows: Vec::new(),
        }
    }

    /// Folds in the run the simulator just finished; returns what that run yielded (its
    /// cost among it), as one row of the per-run export, with `run` and `strategy` left at
    /// 0 for the caller to fill in.
    pub fn record(&mut self, sim: &Sim) -> RunRow {
        let m = sim.model();
        // A run stopped by the event cap is judged on the time it simulated.
        let horizon = sim.simulated().max(f64::MIN_POSITIVE);
        self.runs += 1;
        self.events += sim.events;
        self.capped_runs += u64::from(sim.capped);
        self.budget_runs += u64::from(sim.over_budget);
        if sim.capped {
            self.unsimulated += m.horizon - sim.simulated();
        }
        self.unsettled_runs += u64::from(sim.unsettled);
        self.peak_pending = self.peak_pending.max(sim.peak_pending() as u64);
        self.evaluations += sim.evaluations;
        self.availability.push(1.0 - sim.books.site_down / horizon);
        self.downtime.push(sim.books.site_down);
        self.downtime_hist.record(sim.books.site_down);
        self.failures.push(f64::from(sim.books.site_failures));
        self.failed_runs += u64::from(sim.books.site_failures > 0);
        let mut cost = 0.0;
        let mut user_minutes = 0.0;
        let (mut restore, mut episodes) = (0.0, 0);
        for (k, s) in sim.books.svc.iter().enumerate() {
            let st = &mut self.services[k];
            st.availability.push(1.0 - s.downtime / horizon);
            st.downtime.push(s.downtime);
            st.downtime_hist.record(s.downtime);
            st.degraded.push(s.degraded);
            st.failures.push(f64::from(s.failures));
            st.failed_runs += u64::from(s.failures > 0);
            if s.failures > 0 {
                st.first_failure.record(s.first_failure);
            }
            let um = s.user_seconds / 60.0;
            st.user_minutes.push(um);
            if let (Some(acc), Some(o)) = (&mut st.objective, objective_of(m, m.services[k])) {
                acc.record(&o, sim.books.windows_of(k));
            }
            user_minutes += um;
            cost += m.cost.of_service(s.downtime, s.degraded, um);
            // Into the study's total service by service, as always (its rounding is part of
            // the results), and into this run's own sum for its row.
            self.restore_total += s.downtime;
            restore += s.downtime;
            episodes += u64::from(s.failures);
        }
        self.episodes += episodes;
        let rs = &sim.rs;
        let responder_hours = rs.run.responder_seconds / 3600.0;
        cost += m.cost.responder_hour * responder_hours + rs.run.mitigation_cost + m.cost.fixed;
        if let Some(h) = &mut self.hidden {
            h.record(&sim.hidden, horizon);
            cost += sim.hidden.inspection_cost;
        }
        if let Some(p) = &mut self.people {
            p.record(&rs.roster.run);
        }
        for (k, qs) in self.queues.iter_mut().enumerate() {
            let c = sim.qs.counts(k);
            qs.record_run(sim, k);
            if let Some(r) = &mut qs.requests {
                r.record(&c.requests, sim.qs.request_latencies(k));
            }
            if let (Some(acc), Some(o)) = (&mut qs.objective, m.queues[k].objective) {
                acc.record_requests(o.share, sim.qs.slo_windows(k));
            }
            cost += m.cost.per_lost_job * c.lost as f64;
        }
        for mt in &m.mitigations {
            if let crate::model::MitigationKind::Shed { per_drop, .. } = mt.kind {
                let k = m.comps[mt.targets[0] as usize].queue as usize;
                cost += per_drop * sim.qs.counts(k).dropped as f64;
            }
        }
        self.cost.push(cost);
        self.detect_total += rs.run.detect_total;
        self.detect_count += u64::from(rs.run.detect_count);
        self.undetected += u64::from(rs.run.undetected);
        self.repair_total += rs.run.repair_total;
        self.repair_count += u64::from(rs.run.repair_count);
        self.responder_hours.push(responder_hours);
        self.mitigations.push(f64::from(rs.run.mitigation_uses));
        self.handoffs += u64::from(rs.run.handoffs);
        self.user_minutes.push(user_minutes);
        for (acc, t) in self.time_in.iter_mut().zip(&sim.books.time_in) {
            for k in 0..4 {
                acc[k] += t[k];
            }
        }
        for (p, ps) in self.phases.iter_mut().enumerate() {
            ps.record(sim, p);
        }
        for (b, x) in self.burns.iter_mut().zip(&rs.burn.run) {
            b.record(x);
        }
        let unknown = self.roots.len() - 1;
        for &r in &sim.books.roots {
            self.roots[if r == NONE { unknown } else { r as usize }] += 1;
        }
        RunRow {
            run: 0,
            strategy: 0,
            downtime_s: sim.books.site_down,
            availability: 1.0 - sim.books.site_down / horizon,
            failures: sim.books.site_failures,
            cost,
            user_minutes,
            mttd_s: ratio(rs.run.detect_total, u64::from(rs.run.detect_count)),
            mttr_s: ratio(rs.run.repair_total, u64::from(rs.run.repair_count)),
            time_to_restore_s: ratio(restore, episodes),
            responder_hours,
            mitigations: rs.run.mitigation_uses,
            undetected: rs.run.undetected,
            events: sim.events,
            capped: sim.capped,
        }
    }

    /// Checks a summary read from outside (a shard file) against the model it claims to
    /// summarise and the `runs` it claims to cover: every count within its bounds, every
    /// list the model's length, every value finite and in its range (availability 0..=1,
    /// downtime within the horizon). The error names the field.
    pub fn check(&self, m: &Model, runs: u64) -> Result<(), String> {
        let field = |name: &str, r: Result<(), String>| r.map_err(|e| format!("{name}: {e}"));
        if self.runs != runs {
            return Err(format!("runs: {} where the chunk holds {runs}", self.runs));
        }
        for (name, n) in [
            ("capped_runs", self.capped_runs),
            ("budget_runs", self.budget_runs),
            ("unsettled_runs", self.unsettled_runs),
            ("failed_runs", self.failed_runs),
        ] {
            if n > runs {
                return Err(format!("{name}: {n} of {runs} runs"));
            }
        }
        if self.events > runs.saturating_mul(m.max_events.saturating_add(1)) {
            return Err(format!("events: {} in {runs} runs", self.events));
        }
        let lengths = [
            ("services", self.services.len(), m.services.len()),
            ("time_in", self.time_in.len(), m.comps.len()),
            ("roots", self.roots.len(), m.slots.len() + 1),
            ("queues", self.queues.len(), m.queues.len()),
            ("burns", self.burns.len(), burn_rows(m)),
            (
                "phases",
                self.phases.len(),
                m.phases.as_ref().map_or(0, |p| p.list.len()),
            ),
        ];
        for (name, got, want) in lengths {
            if got != want {
                return Err(format!("{name}: {got} entries where the model has {want}"));
            }
        }
        let (h, inf) = (m.horizon, f64::INFINITY);
        field("availability", self.availability.check(runs, 0.0, 1.0))?;
        field("downtime", self.downtime.check(runs, 0.0, h))?;
        field("downtime_hist", self.downtime_hist.check(Some(runs)))?;
        field("failures", self.failures.check(runs, 0.0, inf))?;
        field("cost", self.cost.check(runs, 0.0, inf))?;
        field("user_minutes", self.user_minutes.check(runs, 0.0, inf))?;
        field(
            "responder_hours",
            self.responder_hours.check(runs, 0.0, inf),
        )?;
        field("mitigations", self.mitigations.check(runs, 0.0, inf))?;
        field("paired_cost", self.paired_cost.check(runs, -inf, inf))?;
        field("paired_downtime", self.paired_downtime.check(runs, -h, h))?;
        if !(0.0..=self.capped_runs as f64 * m.horizon).contains(&self.unsimulated) {
            return Err(format!("unsimulated: {} s", self.unsimulated));
        }
        let totals = [self.restore_total, self.detect_total, self.repair_total];
        let times = self.time_in.iter().flatten();
        if !totals
            .iter()
            .chain(times)
            .all(|x| x.is_finite() && *x >= 0.0)
        {
            return Err("a time total that is negative or not a finite number".into());
        }
        for (k, s) in self.services.iter().enumerate() {
            let field = |name: &str, r| field(&format!("services[{k}].{name}"), r);
            field("availability", s.availability.check(runs, 0.0, 1.0))?;
            field("downtime", s.downtime.check(runs, 0.0, h))?;
            field("downtime_hist", s.downtime_hist.check(Some(runs)))?;
            field("degraded", s.degraded.check(runs, 0.0, h))?;
            field("failures", s.failures.check(runs, 0.0, inf))?;
            field("first_failure", s.first_failure.check(Some(s.failed_runs)))?;
            field("user_minutes", s.user_minutes.check(runs, 0.0, inf))?;
            match (&s.objective, objective_of(m, m.services[k])) {
                (Some(x), Some(o)) => x.check(runs, o.windows(m.horizon) as u64)?,
                (None, None) => {}
                _ => {
                    return Err(format!(
                        "services[{k}].objective: present where the model has none, or missing"
                    ));
                }
            }
            if s.failed_runs > runs {
                return Err(format!(
                    "services[{k}].failed_runs: {} of {runs}",
                    s.failed_runs
                ));
            }
        }
        for (k, q) in self.queues.iter().enumerate() {
            let client = m.queues.get(k).is_some_and(|x| x.client.is_some());
            match &q.requests {
                Some(r) if client && r.latency_hist.check(None).is_ok() => {}
                None if !client => {}
                _ => {
                    return Err(format!(
                        "queues[{k}].requests: damaged, or where the model's queue has no client (or missing where it has)"
                    ));
                }
            }
            match (&q.objective, m.queues.get(k).and_then(|x| x.objective)) {
                (Some(x), Some(o)) => x
                    .check(runs, o.windows(m.horizon) as u64)
                    .map_err(|e| format!("queues[{k}].{e}"))?,
                (None, None) => {}
                _ => {
                    return Err(format!(
                        "queues[{k}].objective: present where the model has none, or missing"
                    ));
                }
            }
            let hists = [&q.latency_hist, &q.max_waiting, &q.final_waiting];
            let coarse = q.grid.len() == GRID && q.grid.iter().all(|c| c.check().is_ok());
            if !coarse || hists.iter().any(|x| x.check(None).is_err()) {
                return Err(format!("queues[{k}]: a damaged histogram"));
            }
            crate::queue_series::check_slices(&q.series)
                .map_err(|e| format!("queues[{k}]: {e}"))?;
            let phases = crate::queue::schedule_phases(&m.queues[k], m.horizon).len();
            if q.phases.len() != phases {
                return Err(format!(
                    "queues[{k}]: {} phases, not {phases}",
                    q.phases.len()
                ));
            }
        }
        match &self.people {
            Some(x) if m.people_in_the_loop() => x.check(m, runs)?,
            None if !m.people_in_the_loop() => {}
            _ => {
                return Err(
                    "people: present where the model has no fatigue, teams or procedures, or missing where it has"
                        .into(),
                );
            }
        }
        let expects_hidden = m.demands || !m.inspections.is_empty();
        match &self.hidden {
            Some(x) if expects_hidden => x.check(m, runs)?,
            None if !expects_hidden => {}
            _ => {
                return Err(
                    "hidden: present where the model has no latent faults, or missing where it has"
                        .into(),
                );
            }
        }
        for (k, b) in self.burns.iter().enumerate() {
            field(&format!("burns[{k}]"), b.check(h))?;
        }
        for (k, p) in self.phases.iter().enumerate() {
            let field = |name: &str, r| field(&format!("phases[{k}].{name}"), r);
            field("time", p.time.check(runs, 0.0, h))?;
            field("downtime", p.downtime.check(runs, 0.0, h))?;
            field("failures", p.failures.check(runs, 0.0, inf))?;
            field("cost", p.cost.check(runs, 0.0, inf))?;
            if p.failed_runs > runs || p.aborted_runs > runs {
                return Err(format!("phases[{k}]: more runs than {runs}"));
            }
        }
        Ok(())
    }

    /// Merges a summary of later runs into this one.
    pub fn merge(&mut self, o: &Summary) {
        self.runs += o.runs;
        self.events += o.events;
        self.capped_runs += o.capped_runs;
        self.budget_runs += o.budget_runs;
        self.unsimulated += o.unsimulated;
        self.unsettled_runs += o.unsettled_runs;
        self.peak_pending = self.peak_pending.max(o.peak_pending);
        self.evaluations += o.evaluations;
        self.availability.merge(&o.availability);
        self.downtime.merge(&o.downtime);
        self.downtime_hist.merge(&o.downtime_hist);
        self.failures.merge(&o.failures);
        self.failed_runs += o.failed_runs;
        self.cost.merge(&o.cost);
        self.user_minutes.merge(&o.user_minutes);
        self.restore_total += o.restore_total;
        self.episodes += o.episodes;
        for (a, b) in self.services.iter_mut().zip(&o.services) {
            a.merge(b);
        }
        for (a, b) in self.time_in.iter_mut().zip(&o.time_in) {
            for k in 0..4 {
                a[k] += b[k];
            }
        }
        for (a, b) in self.roots.iter_mut().zip(&o.roots) {
            *a += b;
        }
        self.detect_total += o.detect_total;
        self.detect_count += o.detect_count;
        self.undetected += o.undetected;
        self.repair_total += o.repair_total;
        self.repair_count += o.repair_count;
        self.responder_hours.merge(&o.responder_hours);
        self.mitigations.merge(&o.mitigations);
        self.handoffs += o.handoffs;
        self.paired_cost.merge(&o.paired_cost);
        self.paired_downtime.merge(&o.paired_downtime);
        if self.paired_cost_vs.len() < o.paired_cost_vs.len() {
            self.paired_cost_vs
                .resize(o.paired_cost_vs.len(), Moments::new());
        }
        for (a, b) in self.paired_cost_vs.iter_mut().zip(&o.paired_cost_vs) {
            a.merge(b);
        }
        for (a, b) in self.queues.iter_mut().zip(&o.queues) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.hidden, &o.hidden) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.people, &o.people) {
            a.merge(b);
        }
        for (a, b) in self.burns.iter_mut().zip(&o.burns) {
            a.merge(b);
        }
        for (a, b) in self.phases.iter_mut().zip(&o.phases) {
            a.merge(b);
        }
    }

    /// Mean seconds from a user-visible failure to its detection (NaN if none detected).
    pub fn mean_time_to_detect(&self) -> f64 {
        ratio(self.detect_total, self.detect_count)
    }

    /// Mean seconds from a failure to the repair of its root fault (NaN if none).
    pub fn mean_time_to_repair(&self) -> f64 {
        ratio(self.repair_total, self.repair_count)
    }

    /// Share of runs in which some service failed.
    pub fn failure_probability(&self) -> f64 {
        self.failed_runs as f64 / self.runs.max(1) as f64
    }

    /// Mean seconds from a service failure to its restoration (NaN without failures).
    pub fn mean_time_to_restore(&self) -> f64 {
        ratio(self.restore_total, self.episodes)
    }

    /// Share of the simulated time component `i` spent in state class `c` (runs stopped by
    /// the event cap count the time they simulated, as their availability does).
    pub fn share_in(&self, i: usize, c: Class, horizon: f64) -> f64 {
        let simulated = self.runs.max(1) as f64 * horizon - self.unsimulated;
        self.time_in[i][c as usize] / simulated.max(f64::MIN_POSITIVE)
    }
}

fn ratio(total: f64, count: u64) -> f64 {
    if count == 0 {
        f64::NAN
    } else {
        total / count as f64
    }
}

/// What to simulate.
#[derive(Clone, Copy, Debug)]
pub struct Study {
    /// Master seed.
    pub seed: u64,
    /// Run indices `[first, first + runs)`.
    pub first: u64,
    /// Number of runs.
    pub runs: u64,
    /// Worker threads (0: rayon's default).
    pub threads: usize,
    /// Runs in the whole study (of which this may be a shard): sets the chunk size.
    pub total: u64,
    /// Whether each chunk keeps a [`RunRow`] per run and model (in [`Summary::rows`]) for
    /// the per-run export; off, nothing per run is kept.
    pub per_run: bool,
}

impl Study {
    /// A whole study: runs `0..runs`.
    pub fn whole(seed: u64, runs: u64, threads: usize) -> Study {
        Study {
            seed,
            first: 0,
            runs,
            threads,
            total: runs,
            per_run: false,
        }
    }
}

/// Runs per chunk in a study of `total` runs: [`CHUNK`], or fewer for small studies so that
/// even a few long runs are spread over every thread. It depends only on the study, never
/// on threads or shards.
pub fn chunk_size(total: u64) -> u64 {
    (total / 32).clamp(1, CHUNK)
}

/// Simulates the runs of `study` on `m` and returns their summary. `progress` is called
/// after each chunk (at most [`CHUNK`] runs) with the number of runs done so far.
pub fn run(m: &Model, study: Study, progress: &(dyn Fn(u64) + Sync)) -> Summary {
    run_all(std::slice::from_ref(m), study, progress).swap_remove(0)
}

/// Simulates the same runs under every model (the baseline first, then each strategy) with
/// common random numbers: run *k* has the same fault times under each. Each summary also
/// holds the per-run paired differences against the first model.
pub fn run_all(models: &[Model], study: Study, progress: &(dyn Fn(u64) + Sync)) -> Vec<Summary> {
    fold_all(models, study, progress, &mut |_| {})
}

/// [`run_all`], also handing every run's [`RunRow`] to `on_row` as the chunks are folded:
/// in run order, and within a run in model order (the baseline first), whatever the thread
/// count. Only one batch of chunks' rows is held at a time.
pub fn run_all_rows(
    models: &[Model],
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
    on_row: &mut dyn FnMut(&RunRow),
) -> Vec<Summary> {
    let study = Study {
        per_run: true,
        ..study
    };
    fold_all(models, study, progress, on_row)
}

/// Folds the chunks of `study` in order into one summary per model, handing the rows the
/// chunks kept (none unless [`Study::per_run`]) to `on_row` on the way.
fn fold_all(
    models: &[Model],
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
    on_row: &mut dyn FnMut(&RunRow),
) -> Vec<Summary> {
    let mut totals: Vec<Summary> = models.iter().map(Summary::new).collect();
    let fold = &mut |_, parts: &[Summary]| {
        for (t, x) in totals.iter_mut().zip(parts) {
            t.merge(x);
        }
        let runs = parts.first().map_or(0, |p| p.rows.len());
        for i in 0..runs {
            for p in parts {
                on_row(&p.rows[i]);
            }
        }
    };
    run_chunks_watched(models, study, fold, progress);
    totals
}

/// Index of the chunk holding run `run`.
pub fn chunk_of(run: u64, total: u64) -> u64 {
    run / chunk_size(total)
}

/// Simulates `study` chunk by chunk and hands each chunk's summaries (one per model) to
/// `on_chunk` in chunk order, with the chunk's first run index. Folding these in order is
/// exactly what [`run_all`] does, which is what lets shards merge byte for byte.
pub fn run_chunks(models: &[Model], study: Study, on_chunk: &mut dyn FnMut(u64, &[Summary])) {
    run_chunks_watched(models, study, on_chunk, &|_| {});
}

/// [`run_chunks`], calling `progress` from the workers after each chunk with the number of
/// runs simulated so far: one call at a time, in increasing order, so a progress bar moves
/// smoothly instead of once per batch. It is display only: what the chunks compute, and the
/// order they are folded in, do not depend on it.
pub fn run_chunks_watched(
    models: &[Model],
    study: Study,
    on_chunk: &mut dyn FnMut(u64, &[Summary]),
    progress: &(dyn Fn(u64) + Sync),
) {
    let done = Mutex::new(0u64);
    let end = study.first + study.runs;
    let chunk = chunk_size(study.total.max(end));
    // More threads than chunks would only idle (0 stays rayon's default).
    let chunks = usize::try_from(study.runs.div_ceil(chunk)).unwrap_or(usize::MAX);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(study.threads.min(chunks.max(1)))
        .build()
        .expect("thread pool");
    // Chunk summaries of a batch are held until the batch is folded: for a large model (a
    // thousand services, two 14 KB histograms each) 32 of them would take a gigabyte, so
    // the batch shrinks to fit a memory budget, down to two chunks per thread.
    let per_chunk: usize = models.iter().map(summary_bytes).sum();
    let batch_len = batch_len(per_chunk, pool.current_num_threads());
    let mut batch: Vec<(u64, u64)> = Vec::with_capacity(batch_len);
    let mut next = study.first;
    // One set of simulators per worker thread, kept across batches: building one costs a
    // full settle of the model and its per-run arrays (about 0.05 s and 35 MB at 100,000
    // components). Every run resets its simulator, so which thread's set runs which chunk
    // does not change any result.
    let sims: Vec<Mutex<Vec<Sim>>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(Vec::new()))
        .collect();
    while next < end {
        // The next chunks, generated on the fly so memory does not grow with runs.
        batch.clear();
        while next < end && batch.len() < batch_len {
            let stop = ((next / chunk + 1) * chunk).min(end);
            batch.push((next, stop));
            next = stop;
        }
        let parts: Vec<Vec<Summary>> = pool.install(|| {
            batch
                .par_iter()
                .map(|&(a, b)| {
                    let slot = rayon::current_thread_index().unwrap_or(0) % sims.len();
                    // Uncontended: a worker runs one chunk at a time and nothing in a chunk
                    // yields to rayon.
                    let mut sims = sims[slot].lock().unwrap_or_else(|e| e.into_inner());
                    if sims.is_empty() {
                        *sims = models.iter().map(Sim::new).collect();
                    }
                    let mut parts: Vec<Summary> = models.iter().map(Summary::new).collect();
                    for p in &mut parts {
                        p.paired_cost_vs = vec![Moments::new(); models.len()];
                    }
                    let mut costs = vec![0.0; models.len()];
                    for r in a..b {
                        let mut base = (0.0, 0.0);
                        for (k, sim) in sims.iter_mut().enumerate() {
                            sim.run(study.seed, r, &mut ());
                            let row = parts[k].record(sim);
                            let cost = row.cost;
                            if study.per_run {
                                parts[k].rows.push(RunRow {
                                    run: r,
                                    strategy: k as u32,
                                    ..row
                                });
                            }
                            costs[k] = cost;
                            if k == 0 {
                                base = (cost, sim.books.site_down);
                            }
                            parts[k].paired_cost.push(cost - base.0);
                            parts[k].paired_downtime.push(sim.books.site_down - base.1);
                        }
                        push_pairs(&mut parts, &costs);
                    }
                    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
                    *done += b - a;
                    progress(*done);
                    parts
                })
                .collect()
        });
        for (&(a, _), p) in batch.iter().zip(&parts) {
            on_chunk(a, p);
        }
    }
}

/// Folds one run's costs (one per model) into every model's paired differences against
/// every other.
fn push_pairs(parts: &mut [Summary], costs: &[f64]) {
    for (k, p) in parts.iter_mut().enumerate() {
        for (j, d) in p.paired_cost_vs.iter_mut().enumerate() {
            d.push(costs[k] - costs[j]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_of_large_models_fit_the_memory_budget() {
        // Small models: full batches. A generated 100k-component model (1,000 services):
        // one chunk summary is ~30 MB, so fewer chunks are held at once, within budget.
        let small = Model {
            services: (0..2).collect(),
            ..Model::default()
        };
        assert_eq!(batch_len(summary_bytes(&small), 2), BATCH as usize);
        let per_chunk = 1_000 * 2 * Histogram::BYTES;
        let n = batch_len(per_chunk, 2);
        assert!(
            n < BATCH as usize && n * per_chunk <= BATCH_BYTES,
            "{n} chunks"
        );
        // Never below two chunks per thread, however big the model.
        assert_eq!(batch_len(usize::MAX / 4, 3), 6);
        // The estimate counts what dominates: two histograms per service.
        let summary = Summary::new(&small);
        let histograms = summary.services.len() * 2 * Histogram::BYTES;
        assert!(summary_bytes(&small) >= histograms);
    }
}
