//! A queue over time: the series of `--json` (per slice of the time grid: goodput,
//! attempts per job, latency and backlog, with percentile bands across runs), the same as a
//! CSV (`--series FILE.csv`), and the per-phase figures of a queue with a rate schedule.
//! Every key and column is documented in `docs/scenario-format.md` §5.9.

use crate::json::{MeanCi, SummaryJson};
use crate::per_run::number;
use faultline_core::model::QueueSpec;
use faultline_core::montecarlo::QueueStats;
use faultline_core::queue::{GRID, grid_time, schedule_phases};
use faultline_core::queue_series::Band;
use faultline_core::stats::{Coarse, Moments};
use serde::Serialize;
use std::io::{self, Write};

/// One series across runs: per slice, the mean and three percentiles of the runs' values,
/// and how many runs had a value.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct BandJson {
    /// Mean over the runs with a value.
    pub mean: Vec<f64>,
    /// 10th percentile across runs.
    pub p10: Vec<f64>,
    /// Median across runs.
    pub p50: Vec<f64>,
    /// 90th percentile across runs.
    pub p90: Vec<f64>,
    /// Runs with a value in the slice.
    pub runs: Vec<u64>,
}

impl BandJson {
    fn of(bands: impl Iterator<Item = (f64, [f64; 3], u64)>) -> BandJson {
        let mut b = BandJson {
            mean: vec![],
            p10: vec![],
            p50: vec![],
            p90: vec![],
            runs: vec![],
        };
        for (mean, [p10, p50, p90], runs) in bands {
            b.mean.push(mean);
            b.p10.push(p10);
            b.p50.push(p50);
            b.p90.push(p90);
            b.runs.push(runs);
        }
        b
    }

    fn from_bands<'a>(bands: impl Iterator<Item = &'a Band>) -> BandJson {
        BandJson::of(bands.map(|b| {
            let q = [b.quantile(0.1), b.quantile(0.5), b.quantile(0.9)];
            (b.moments.mean(), q, b.moments.count())
        }))
    }

    fn from_backlog<'a>(bands: impl Iterator<Item = (&'a Moments, &'a Coarse)>) -> BandJson {
        BandJson::of(bands.map(|(m, c)| {
            let q = [c.quantile(0.1), c.quantile(0.5), c.quantile(0.9)];
            (m.mean(), q, m.count())
        }))
    }
}

/// A queue's time series: [`GRID`] equal slices of the horizon.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SeriesJson {
    /// Length of a slice, seconds.
    pub slice_s: f64,
    /// End of each slice, seconds since the start of the run.
    pub t_s: Vec<f64>,
    /// Successful attempts per second in the slice.
    pub goodput_per_s: BandJson,
    /// Attempts ÷ new jobs in the slice (runs with new jobs in it).
    pub attempts_per_job: BandJson,
    /// Mean time in the queue of the attempts that succeeded in the slice (runs with any).
    pub latency_s: BandJson,
    /// Jobs waiting at the end of the slice.
    pub backlog: BandJson,
}

impl SeriesJson {
    /// The series of queue statistics `q` over `horizon`.
    pub fn of(q: &QueueStats, horizon: f64) -> SeriesJson {
        let s = &q.series;
        SeriesJson {
            slice_s: horizon / GRID as f64,
            t_s: (0..GRID).map(|g| grid_time(horizon, g)).collect(),
            goodput_per_s: BandJson::from_bands(s.iter().map(|x| &x.goodput)),
            attempts_per_job: BandJson::from_bands(s.iter().map(|x| &x.attempts_per_job)),
            latency_s: BandJson::from_bands(s.iter().map(|x| &x.latency)),
            backlog: BandJson::from_backlog(s.iter().map(|x| &x.backlog).zip(&q.grid)),
        }
    }
}

/// One phase of a queue's rate schedule: per-run figures, means over the runs that reached
/// it, with 95% confidence half-widths.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SchedulePhaseJson {
    /// Start of the phase, seconds into the run.
    pub from_s: f64,
    /// End of the phase (the horizon for the last).
    pub to_s: f64,
    /// The scheduled rate, new jobs per second.
    pub rate: f64,
    /// New jobs per second measured (bursts and `Feeds` included).
    pub offered_per_s: MeanCi,
    /// Successful attempts per second.
    pub goodput_per_s: MeanCi,
    /// Successful attempts ÷ new jobs.
    pub success: MeanCi,
    /// Mean time in the queue of successful attempts, seconds.
    pub latency_s: MeanCi,
    /// Attempts ÷ new jobs.
    pub attempts_per_job: MeanCi,
    /// Time-averaged jobs waiting.
    pub backlog: MeanCi,
    /// Time-averaged jobs in system (waiting or in service).
    pub in_system: MeanCi,
    /// Runs that spent time in the phase.
    pub runs: u64,
}

/// The phases of queue `spec`'s rate schedule (those that start before the horizon), or
/// `None` without a schedule.
pub fn phases_json(
    spec: &QueueSpec,
    q: &QueueStats,
    horizon: f64,
) -> Option<Vec<SchedulePhaseJson>> {
    if spec.schedule.is_empty() {
        return None;
    }
    let list = schedule_phases(spec, horizon)
        .into_iter()
        .zip(&q.phases)
        .filter(|(p, _)| p.from < horizon)
        .map(|(p, st)| SchedulePhaseJson {
            from_s: p.from,
            to_s: p.to,
            rate: p.rate,
            offered_per_s: (&st.offered).into(),
            goodput_per_s: (&st.goodput).into(),
            success: (&st.success).into(),
            latency_s: (&st.latency).into(),
            attempts_per_job: (&st.attempts_per_job).into(),
            backlog: (&st.backlog).into(),
            in_system: (&st.in_system).into(),
            runs: st.time.count(),
        })
        .collect();
    Some(list)
}

/// The header row of `--series FILE.csv`.
pub const COLUMNS: [&str; 24] = [
    "strategy",
    "queue",
    "slice",
    "from_s",
    "to_s",
    "goodput_per_s_mean",
    "goodput_per_s_p10",
    "goodput_per_s_p50",
    "goodput_per_s_p90",
    "attempts_per_job_mean",
    "attempts_per_job_p10",
    "attempts_per_job_p50",
    "attempts_per_job_p90",
    "latency_s_mean",
    "latency_s_p10",
    "latency_s_p50",
    "latency_s_p90",
    "backlog_mean",
    "backlog_p10",
    "backlog_p50",
    "backlog_p90",
    "runs",
    "runs_with_jobs",
    "runs_with_success",
];

/// Writes the series of every strategy and queue of summary `j` as CSV: one row per
/// strategy, queue and slice, in the order of the JSON (strategies, then queues in file
/// order, then slices in time order).
pub fn write_csv<W: Write>(w: W, j: &SummaryJson) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(COLUMNS)?;
    for s in &j.strategies {
        for q in &s.queues {
            for g in 0..q.series.t_s.len() {
                out.write_record(row(&s.name, &q.id, &q.series, g))?;
            }
        }
    }
    out.flush()
}

/// Slice `g` of series `x` as a CSV record.
fn row(strategy: &str, queue: &str, x: &SeriesJson, g: usize) -> Vec<String> {
    let from = if g == 0 { 0.0 } else { x.t_s[g - 1] };
    let mut r = vec![
        strategy.to_string(),
        queue.to_string(),
        g.to_string(),
        number(from),
        number(x.t_s[g]),
    ];
    for b in [
        &x.goodput_per_s,
        &x.attempts_per_job,
        &x.latency_s,
        &x.backlog,
    ] {
        r.extend([b.mean[g], b.p10[g], b.p50[g], b.p90[g]].map(number));
    }
    r.push(x.backlog.runs[g].to_string());
    r.push(x.attempts_per_job.runs[g].to_string());
    r.push(x.latency_s.runs[g].to_string());
    r
}
