//! A queue over time across runs: per slice of the time grid, the spread of each run's
//! goodput, attempts per job, latency and backlog; per phase of a rate schedule, the mean
//! of each run's figures with a confidence interval. Streaming and mergeable like the rest
//! of [`crate::montecarlo`]: fixed arrays per run ([`SeriesRun`]) are folded in, chunk
//! summaries merged in order.

use crate::engine::queue::{GRID, SeriesRun, grid_time};
use crate::stats::{Moments, Sketch};
use serde::{Deserialize, Serialize};

/// One per-run figure across runs: its mean (and confidence interval) and its spread.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Band {
    /// Mean, variance and extremes of the runs' values.
    pub moments: Moments,
    /// The runs' values, for percentiles.
    pub sketch: Sketch,
}

impl Band {
    /// Folds in one run's value (a NaN, nothing to measure, is skipped).
    fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.moments.push(x);
        self.sketch.record(x);
    }

    fn merge(&mut self, o: &Band) {
        self.moments.merge(&o.moments);
        self.sketch.merge(&o.sketch);
    }

    /// The runs' `q`-quantile (within 3.1%, exact when all runs agree), NaN without runs.
    pub fn quantile(&self, q: f64) -> f64 {
        self.sketch.quantile(q)
    }
}

/// One slice of the time grid across runs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SliceStats {
    /// Successful attempts per second in the slice.
    pub goodput: Band,
    /// Attempts ÷ new jobs in the slice (runs with new jobs in it).
    pub attempts_per_job: Band,
    /// Mean latency of the attempts that succeeded in the slice, seconds (runs with any).
    pub latency: Band,
    /// Jobs waiting at the slice's end: the mean (percentiles are the queue's `grid`).
    pub backlog: Moments,
}

/// A ratio, NaN when there is nothing to divide by.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Empty statistics for the [`GRID`] slices.
pub fn new_slices() -> Vec<SliceStats> {
    vec![SliceStats::default(); GRID]
}

/// Folds one run's series (and its backlog at each slice end) into `slices`.
pub fn record_slices(slices: &mut [SliceStats], s: &SeriesRun, backlog: &[u64], horizon: f64) {
    for (g, x) in slices.iter_mut().enumerate() {
        // Every sketch at the first run, so that later runs allocate nothing even when a
        // slice first has a success late in the study.
        for b in [&mut x.goodput, &mut x.attempts_per_job, &mut x.latency] {
            b.sketch.reserve();
        }
        let from = if g == 0 {
            0.0
        } else {
            grid_time(horizon, g - 1)
        };
        let len = grid_time(horizon, g) - from;
        x.goodput.push(ratio(s.ok[g] as f64, len));
        x.attempts_per_job
            .push(ratio(s.attempts[g] as f64, s.jobs[g] as f64));
        x.latency.push(ratio(s.latency_sum[g], s.ok[g] as f64));
        x.backlog.push(backlog[g] as f64);
    }
}

/// Merges `o`'s slices into `slices`.
pub fn merge_slices(slices: &mut [SliceStats], o: &[SliceStats]) {
    for (a, b) in slices.iter_mut().zip(o) {
        a.goodput.merge(&b.goodput);
        a.attempts_per_job.merge(&b.attempts_per_job);
        a.latency.merge(&b.latency);
        a.backlog.merge(&b.backlog);
    }
}

/// Checks slices read from outside (a shard file).
pub fn check_slices(slices: &[SliceStats]) -> Result<(), String> {
    if slices.len() != GRID {
        return Err(format!("{} slices, not {GRID}", slices.len()));
    }
    for x in slices {
        for b in [&x.goodput, &x.attempts_per_job, &x.latency] {
            b.sketch.check()?;
            if b.sketch.count() != b.moments.count() {
                return Err("a band whose sketch and moments disagree".into());
            }
        }
    }
    Ok(())
}

/// One phase of a queue's rate schedule across runs (per-run figures).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QueuePhaseStats {
    /// Seconds spent in the phase.
    pub time: Moments,
    /// New jobs per second (the offered load).
    pub offered: Moments,
    /// Successful attempts per second.
    pub goodput: Moments,
    /// Successful attempts ÷ new jobs.
    pub success: Moments,
    /// Mean latency of the successful attempts, seconds.
    pub latency: Moments,
    /// Attempts ÷ new jobs.
    pub attempts_per_job: Moments,
    /// Time-averaged jobs waiting in line.
    pub backlog: Moments,
    /// Time-averaged jobs in system (waiting or in service).
    pub in_system: Moments,
}

impl QueuePhaseStats {
    /// Folds in one run's counts in the phase (a run that never reached it adds nothing).
    pub fn record(&mut self, c: &crate::engine::queue::PhaseCounts) {
        if c.time <= 0.0 {
            return;
        }
        let push = |m: &mut Moments, x: f64| {
            if !x.is_nan() {
                m.push(x);
            }
        };
        self.time.push(c.time);
        push(&mut self.offered, c.jobs as f64 / c.time);
        push(&mut self.goodput, c.ok as f64 / c.time);
        push(&mut self.success, ratio(c.ok as f64, c.jobs as f64));
        push(&mut self.latency, ratio(c.latency_sum, c.ok as f64));
        let attempts = ratio(c.attempts as f64, c.jobs as f64);
        push(&mut self.attempts_per_job, attempts);
        push(&mut self.backlog, c.waiting_area / c.time);
        push(&mut self.in_system, c.system_area / c.time);
    }

    /// Merges another's runs into this one.
    pub fn merge(&mut self, o: &QueuePhaseStats) {
        self.time.merge(&o.time);
        self.offered.merge(&o.offered);
        self.goodput.merge(&o.goodput);
        self.success.merge(&o.success);
        self.latency.merge(&o.latency);
        self.attempts_per_job.merge(&o.attempts_per_job);
        self.backlog.merge(&o.backlog);
        self.in_system.merge(&o.in_system);
    }
}
