//! Queue charts (`queue-<id>.svg`, `queue-<id>-run.svg`): the waiting line across runs,
//! and in one run.

use super::queue_series::{QueueSeries, SeriesBand};
use super::style::{
    GRID, TimeAxis, bold, draw_look, duration_ticks, legend_below, legend_height, legend_words,
    look, strategy_color, text,
};
use super::{Chart, ChartError, Drawn, Figure, render};
use crate::trace::QueuePoint;
use faultline_core::model::Model;
use faultline_core::queue::grid_time;
use faultline_core::queue_series::SliceStats;
use faultline_core::stats::Coarse;
use faultline_units::human;
use faultline_units::number::thousands;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One strategy's queue-length percentiles over the time grid.
pub struct Band<'a> {
    /// Strategy name.
    pub name: &'a str,
    /// Per grid point, the queue length across runs.
    pub grid: &'a [Coarse],
    /// Per slice of the run: goodput, attempts per job and latency across runs (empty: no
    /// series chart).
    pub series: &'a [SliceStats],
}

/// The time axis of a queue chart, in the unit its horizon calls for.
fn time_axis(horizon: f64) -> TimeAxis {
    TimeAxis::new(horizon)
}

/// Ticks for a "jobs + 1" log axis up to `hi`: 0, 1, 10, 100, ... jobs.
fn job_ticks(hi: f64) -> Vec<f64> {
    let mut t = vec![1.0, 2.0];
    let mut x = 10.0;
    while x + 1.0 <= hi {
        t.push(x + 1.0);
        x *= 10.0;
    }
    t
}

/// Ticks for a latency axis: sub-second decades, then the usual durations.
pub(super) fn latency_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut t: Vec<f64> = [0.001, 0.01, 0.1]
        .into_iter()
        .filter(|&x| x >= lo && x <= hi)
        .collect();
    t.extend(duration_ticks(lo, hi));
    t
}

/// The across-runs chart of one queue: a band per strategy.
struct QueueBands<'a> {
    title: String,
    horizon: f64,
    bands: Vec<Band<'a>>,
}

/// The one-run chart of one queue: its samples.
struct QueueRun<'a> {
    title: String,
    horizon: f64,
    points: Vec<&'a QueuePoint>,
}

/// Charts for every queue of a study: for each, the p50–p90 band of its waiting line
/// across runs over time, one band per strategy; and, from `run` (one traced run), its
/// waiting line, parked jobs and latency over time.
pub fn queue_charts(
    m: &Model,
    bands: &[Vec<Band>],
    run: &[QueuePoint],
) -> Result<Vec<Chart>, ChartError> {
    let mut out = vec![];
    for (k, q) in m.queues.iter().enumerate() {
        let id = &m.comps[q.comp as usize].id;
        if let Some(b) = bands.get(k) {
            let title = format!(
                "{}: jobs waiting in queue `{id}` across runs (p50 line, p50–p90 band)",
                m.name
            );
            let caption = "For each strategy, half of the runs had at most the line's number of jobs waiting at that time, and nine in ten at most the top of the band. A band that stays up after the trigger is over is a metastable failure.";
            out.push(render(
                &format!("queue-{id}"),
                &title,
                caption,
                &QueueBands {
                    title: title.clone(),
                    horizon: m.horizon,
                    bands: b
                        .iter()
                        .map(|x| Band {
                            name: x.name,
                            grid: x.grid,
                            series: x.series,
                        })
                        .collect(),
                },
            )?);
            if b.iter().any(|x| !x.series.is_empty()) {
                out.push(series_chart(&m.name, id, m.horizon, b)?);
            }
        }
        let points: Vec<&QueuePoint> = run.iter().filter(|p| p.queue == k as u32).collect();
        if !points.is_empty() {
            let title = format!("{}: queue `{id}` in one run", m.name);
            let caption = "One run: jobs waiting and parked (top, log scale) and the mean time in system of the jobs served in each window, including those whose client had already given up (bottom).";
            out.push(render(
                &format!("queue-{id}-run"),
                &title,
                caption,
                &QueueRun {
                    title: title.clone(),
                    horizon: m.horizon,
                    points,
                },
            )?);
        }
    }
    Ok(out)
}

/// The series chart of queue `id` from each strategy's band.
fn series_chart(scenario: &str, id: &str, horizon: f64, b: &[Band]) -> Result<Chart, ChartError> {
    let title =
        format!("{scenario}: queue `{id}` over the run across runs (p50 line, p10–p90 band)");
    let caption = "For each strategy and each of 48 slices of the run: the successful attempts per second, the attempts per new job (retry amplification) and the mean time in the queue of the attempts that succeeded. Half of the runs are below the line, eight in ten inside the band. Goodput that stays down while attempts per job stay up after the trigger is over is a metastable failure.";
    let bands = b
        .iter()
        .map(|x| SeriesBand {
            name: x.name,
            slices: x.series,
        })
        .collect();
    let fig = QueueSeries {
        title: title.clone(),
        horizon,
        bands,
    };
    render(&format!("queue-{id}-series"), &title, caption, &fig)
}

impl Figure for QueueBands<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 520 + legend_height(self.bands.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (top, legend) = root.split_vertically(520);
        let axis = time_axis(self.horizon);
        let unit = axis.unit;
        let x1 = self.horizon / unit;
        let mut hi: f64 = 10.0;
        for b in &self.bands {
            for h in b.grid {
                let v = h.quantile(0.9);
                if v.is_finite() {
                    hi = hi.max(v + 1.0);
                }
            }
        }
        let mut chart = ChartBuilder::on(&top)
            .caption(&self.title, bold(18))
            .margin(18)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(
                axis.range(x1),
                (1.0..hi * 1.5)
                    .log_scale()
                    .with_key_points(job_ticks(hi * 1.5)),
            )?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "simulated time ({} since the start of the run)",
                axis.name
            ))
            .x_label_formatter(&|x| TimeAxis::label(*x))
            .y_desc("jobs waiting (log scale)")
            .y_label_formatter(&|y| thousands((*y - 1.0).max(0.0)))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        let mut p50s = vec![];
        for (k, b) in self.bands.iter().enumerate() {
            let color = strategy_color(k);
            let at = |g: usize| grid_time(self.horizon, g) / unit;
            let p50: Vec<(f64, f64)> = (0..b.grid.len())
                .map(|g| (at(g), b.grid[g].quantile(0.5) + 1.0))
                .collect();
            let p90: Vec<(f64, f64)> = (0..b.grid.len())
                .map(|g| (at(g), b.grid[g].quantile(0.9) + 1.0))
                .collect();
            let band: Vec<(f64, f64)> = p90
                .iter()
                .copied()
                .chain(p50.iter().rev().copied())
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                color.mix(0.18).filled(),
            )))?;
            p50s.push((p50, p90));
        }
        // The lines over every band, the baseline last and thin on top.
        let n = p50s.len();
        for k in (1..n).chain((n > 0).then_some(0)) {
            let path: Vec<(i32, i32)> = p50s[k].0.iter().map(|p| chart.backend_coord(p)).collect();
            let marks = super::style::spread_marks(&path, k, 8);
            draw_look(&top, &path, &look(k), &marks)?;
        }
        let names: Vec<&str> = self.bands.iter().map(|b| b.name).collect();
        legend_below(&legend, &legend_words(&names, &p50s))
    }
}

impl Figure for QueueRun<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(420);
        let axis = time_axis(self.horizon);
        self.draw_jobs(&top, &axis)?;
        self.draw_latency(&bottom, &axis)
    }
}

impl QueueRun<'_> {
    /// The top panel: jobs waiting, and parked when any were, on a log axis.
    fn draw_jobs<DB: DrawingBackend>(&self, top: &DrawingArea<DB, Shift>, axis: &TimeAxis) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let (unit, x1) = (axis.unit, self.horizon / axis.unit);
        let hi = self
            .points
            .iter()
            .map(|p| (p.waiting.max(p.parked) + 1) as f64)
            .fold(10.0, f64::max);
        let mut chart = ChartBuilder::on(top)
            .caption(&self.title, bold(18))
            .margin(18)
            .margin_right(30)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d(
                axis.range(x1),
                (1.0..hi * 1.5)
                    .log_scale()
                    .with_key_points(job_ticks(hi * 1.5)),
            )?;
        chart
            .configure_mesh()
            .x_label_formatter(&|x| TimeAxis::label(*x))
            .y_desc("jobs (log scale)")
            .y_label_formatter(&|y| thousands((*y - 1.0).max(0.0)))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        let waiting: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.t / unit, p.waiting as f64 + 1.0))
            .collect();
        chart
            .draw_series(LineSeries::new(waiting, strategy_color(1).stroke_width(2)))?
            .label("waiting")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], strategy_color(1).stroke_width(3))
            });
        if self.points.iter().any(|p| p.parked > 0) {
            let parked: Vec<(f64, f64)> = self
                .points
                .iter()
                .map(|p| (p.t / unit, p.parked as f64 + 1.0))
                .collect();
            chart
                .draw_series(LineSeries::new(parked, strategy_color(5).stroke_width(2)))?
                .label("parked (shed, waiting to be fed back)")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], strategy_color(5).stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .label_font(text(14))
            .draw()?;
        Ok(())
    }

    /// The bottom panel: the mean time in system of the jobs served in each window, a dot
    /// per window that served any.
    fn draw_latency<DB: DrawingBackend>(
        &self,
        bottom: &DrawingArea<DB, Shift>,
        axis: &TimeAxis,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let (unit, x1) = (axis.unit, self.horizon / axis.unit);
        let lat: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|p| p.latency.is_finite() && p.latency > 0.0)
            .map(|p| (p.t / unit, p.latency))
            .collect();
        let (lo, hi) = lat.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
        let (lo, hi) = if lo.is_finite() {
            (lo / 1.5, hi * 1.5)
        } else {
            (0.1, 10.0)
        };
        let ticks = latency_ticks(lo, hi);
        let mut chart = ChartBuilder::on(bottom)
            .margin(18)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(axis.range(x1), (lo..hi).log_scale().with_key_points(ticks))?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "simulated time ({} since the start of the run)",
                axis.name
            ))
            .x_label_formatter(&|x| TimeAxis::label(*x))
            .y_desc("mean time in system of jobs served")
            .y_label_formatter(&|y| human(*y))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(
            lat.iter()
                .map(|&p| Circle::new(p, 2, strategy_color(2).filled())),
        )?;
        Ok(())
    }
}
