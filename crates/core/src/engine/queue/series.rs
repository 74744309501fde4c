//! A queue over time: per slice of the run's time grid ([`GRID`] equal slices of the
//! horizon) its new jobs, attempts and successful attempts (with their latencies); and,
//! when the queue has a rate `schedule`, the same per phase of the schedule (before the
//! first change, between changes, after the last) with the time-integrals of the jobs
//! waiting and in system.
//!
//! Everything is a fixed array filled in place (the phase list is sized once per model), so
//! the hooks cost a comparison or two per event and allocate nothing. Unlike the queue's
//! counts, the series and the phases ignore the warm-up: they are about time, the transient
//! included, like the backlog grid.

use super::{GRID, grid_time};
use crate::model::QueueSpec;

/// One run's counts in one phase of a queue's rate schedule.
#[derive(Clone, Copy, Debug, Default)]
pub struct PhaseCounts {
    /// New jobs (first attempts).
    pub jobs: u64,
    /// Attempts, retries included.
    pub attempts: u64,
    /// Attempts served in time, without error.
    pub ok: u64,
    /// Sum of the latencies of the successful attempts, seconds.
    pub latency_sum: f64,
    /// Seconds of the run spent in the phase.
    pub time: f64,
    /// Time-integral of the jobs waiting in line (job-seconds).
    pub waiting_area: f64,
    /// Time-integral of the jobs in system, waiting or in service (job-seconds).
    pub system_area: f64,
}

/// One phase of a rate schedule: when it starts and ends (within the horizon) and the
/// scheduled rate in force.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SchedulePhase {
    /// Start, seconds into the run.
    pub from: f64,
    /// End, seconds into the run (the horizon for the last).
    pub to: f64,
    /// New jobs per second the schedule sets (before any operating phase's `load`).
    pub rate: f64,
}

/// The phases of queue `spec`'s rate schedule over `horizon`: none without a schedule;
/// otherwise the stretch before the first change after 0 (at `rate`, or at the rate of the
/// schedule's entries at time 0), then one per later change. A phase starting at or after
/// the horizon is kept (so that indices match the engine's) with `from == to`.
pub fn schedule_phases(spec: &QueueSpec, horizon: f64) -> Vec<SchedulePhase> {
    if spec.schedule.is_empty() {
        return vec![];
    }
    let first = first_change(spec);
    let rate0 = spec.schedule[..first].last().map_or(spec.rate, |e| e.1);
    let starts = std::iter::once((0.0, rate0)).chain(spec.schedule[first..].iter().copied());
    let ends = spec.schedule[first..]
        .iter()
        .map(|e| e.0)
        .chain(std::iter::once(horizon));
    starts
        .zip(ends)
        .map(|((from, rate), to)| SchedulePhase {
            from: from.min(horizon),
            to: to.min(horizon),
            rate,
        })
        .collect()
}

/// Index of the first schedule entry after time 0 (the entries before apply from the start).
fn first_change(spec: &QueueSpec) -> usize {
    spec.schedule.iter().take_while(|e| e.0 <= 0.0).count()
}

/// One run's series and phase counts of one queue.
#[derive(Clone, Debug)]
pub struct SeriesRun {
    /// Per slice: successful attempts.
    pub ok: [u64; GRID],
    /// Per slice: sum of the latencies of the successful attempts, seconds.
    pub latency_sum: [f64; GRID],
    /// Per slice: attempts, retries included.
    pub attempts: [u64; GRID],
    /// Per slice: new jobs.
    pub jobs: [u64; GRID],
    /// Per phase of the rate schedule (empty without one).
    pub phases: Vec<PhaseCounts>,
    slice: usize,
    slice_end: f64,
    horizon: f64,
    phase: usize,
    at: f64,
}

impl SeriesRun {
    /// Empty counts for queue `spec` (its phase list sized once).
    pub(super) fn new(spec: &QueueSpec, horizon: f64) -> SeriesRun {
        SeriesRun {
            ok: [0; GRID],
            latency_sum: [0.0; GRID],
            attempts: [0; GRID],
            jobs: [0; GRID],
            phases: vec![PhaseCounts::default(); schedule_phases(spec, horizon).len()],
            slice: 0,
            slice_end: grid_time(horizon, 0),
            horizon,
            phase: 0,
            at: 0.0,
        }
    }

    /// Back to empty for a new run (keeps the phase list's allocation).
    pub(super) fn reset(&mut self) {
        self.ok = [0; GRID];
        self.latency_sum = [0.0; GRID];
        self.attempts = [0; GRID];
        self.jobs = [0; GRID];
        self.phases.fill(PhaseCounts::default());
        self.slice = 0;
        self.slice_end = grid_time(self.horizon, 0);
        self.phase = 0;
        self.at = 0.0;
    }

    /// The slice `now` falls in (time only moves forward).
    #[inline]
    fn slice_at(&mut self, now: f64) -> usize {
        while now >= self.slice_end && self.slice + 1 < GRID {
            self.slice += 1;
            self.slice_end = grid_time(self.horizon, self.slice);
        }
        self.slice
    }

    /// An attempt entered the queue at `now`; `new_job` when it is a job's first.
    #[inline]
    pub(super) fn attempt(&mut self, now: f64, new_job: bool) {
        let g = self.slice_at(now);
        self.attempts[g] += 1;
        self.jobs[g] += u64::from(new_job);
        if let Some(p) = self.phases.get_mut(self.phase) {
            p.attempts += 1;
            p.jobs += u64::from(new_job);
        }
    }

    /// An attempt succeeded at `now` after `latency` seconds in the queue.
    #[inline]
    pub(super) fn ok(&mut self, now: f64, latency: f64) {
        let g = self.slice_at(now);
        self.ok[g] += 1;
        self.latency_sum[g] += latency;
        if let Some(p) = self.phases.get_mut(self.phase) {
            p.ok += 1;
            p.latency_sum += latency;
        }
    }

    /// Whether the queue has a rate schedule (phases to integrate over).
    #[inline]
    pub(super) fn phased(&self) -> bool {
        !self.phases.is_empty()
    }

    /// Brings the phase's time-integrals up to `now`, with `waiting` jobs in line and
    /// `serving` in service since the last call.
    #[inline]
    pub(super) fn integrate(&mut self, now: f64, waiting: u64, serving: u64) {
        if let Some(p) = self.phases.get_mut(self.phase) {
            let dt = now - self.at;
            if dt > 0.0 {
                p.time += dt;
                p.waiting_area += waiting as f64 * dt;
                p.system_area += (waiting + serving) as f64 * dt;
                self.at = now;
            }
        }
    }

    /// The schedule's next change happens at `now`: the current phase is closed (with
    /// `waiting` and `serving` jobs since the last call) and the next begins.
    pub(super) fn next_phase(&mut self, now: f64, waiting: u64, serving: u64) {
        self.integrate(now, waiting, serving);
        self.phase += 1;
    }
}
