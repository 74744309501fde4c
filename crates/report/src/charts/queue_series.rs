//! The queue series chart (`queue-<id>-series.svg`): goodput, attempts per job and latency
//! over the run, a p10–p90 band across runs and the median line per strategy.

use super::style::{
    GRID, TimeAxis, bold, draw_look, legend_below, legend_height, legend_words, look,
    strategy_color, text,
};
use super::{Drawn, Figure};
use faultline_core::queue::{GRID as SLICES, grid_time};
use faultline_core::queue_series::{Band, SliceStats};
use faultline_units::human;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One strategy's series of one queue.
pub struct SeriesBand<'a> {
    /// Strategy name.
    pub name: &'a str,
    /// Per slice of the run, across runs.
    pub slices: &'a [SliceStats],
}

/// The across-runs series chart of one queue.
pub(super) struct QueueSeries<'a> {
    pub title: String,
    pub horizon: f64,
    pub bands: Vec<SeriesBand<'a>>,
}

/// What a panel draws: its axis name, which band of a slice, and a log axis or not.
struct Panel {
    name: &'static str,
    pick: fn(&SliceStats) -> &Band,
    log: bool,
}

const PANELS: [Panel; 3] = [
    Panel {
        name: "goodput (successes/s)",
        pick: |s| &s.goodput,
        log: false,
    },
    Panel {
        name: "attempts per new job",
        pick: |s| &s.attempts_per_job,
        log: false,
    },
    Panel {
        name: "latency of successes",
        pick: |s| &s.latency,
        log: true,
    },
];

/// Per strategy, the points of a line.
type Curves = Vec<Vec<(f64, f64)>>;

/// Height of one panel, pixels.
const PANEL: u32 = 250;

/// The middle of slice `g`, in the axis' unit.
fn middle(horizon: f64, g: usize, unit: f64) -> f64 {
    let from = if g == 0 {
        0.0
    } else {
        grid_time(horizon, g - 1)
    };
    (from + grid_time(horizon, g)) / 2.0 / unit
}

/// Points (slice middle, quantile q) of the slices where the band has a value.
fn points(b: &SeriesBand, p: &Panel, q: f64, horizon: f64, unit: f64) -> Vec<(f64, f64)> {
    (0..b.slices.len().min(SLICES))
        .filter_map(|g| {
            let v = (p.pick)(&b.slices[g]).quantile(q);
            (v.is_finite() && (!p.log || v > 0.0)).then(|| (middle(horizon, g, unit), v))
        })
        .collect()
}

impl Figure for QueueSeries<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 60 + 3 * PANEL + legend_height(self.bands.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (head, rest) = root.split_vertically(60);
        head.titled(&self.title, bold(18))?;
        let (panels, legend) = rest.split_vertically(3 * PANEL);
        let axis = TimeAxis::new(self.horizon);
        let areas = panels.split_evenly((3, 1));
        let mut medians = vec![];
        for (i, (area, p)) in areas.iter().zip(&PANELS).enumerate() {
            let last = i + 1 == PANELS.len();
            medians = self.draw_panel(area, p, &axis, last)?;
        }
        let names: Vec<&str> = self.bands.iter().map(|b| b.name).collect();
        legend_below(&legend, &legend_words(&names, &medians))
    }
}

impl QueueSeries<'_> {
    /// One panel: a p10–p90 band and the median per strategy; returns the medians (for
    /// the legend's "same as").
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        p: &Panel,
        axis: &TimeAxis,
        last: bool,
    ) -> Result<Curves, Box<dyn std::error::Error + 'static>>
    where
        DB::ErrorType: 'static,
    {
        let (unit, x1) = (axis.unit, self.horizon / axis.unit);
        let lows: Vec<_> = (self.bands.iter())
            .map(|b| points(b, p, 0.1, self.horizon, unit))
            .collect();
        let highs: Vec<_> = (self.bands.iter())
            .map(|b| points(b, p, 0.9, self.horizon, unit))
            .collect();
        let medians: Vec<_> = (self.bands.iter())
            .map(|b| points(b, p, 0.5, self.horizon, unit))
            .collect();
        let values = || lows.iter().chain(&highs).flatten().map(|q| q.1);
        let hi = values().fold(0.0f64, f64::max);
        let lo = values().fold(f64::INFINITY, f64::min);
        let mut chart = ChartBuilder::on(area);
        chart
            .margin(10)
            .margin_left(18)
            .margin_right(30)
            .x_label_area_size(if last { 50 } else { 24 })
            .y_label_area_size(80);
        if p.log {
            let (lo, hi) = if lo.is_finite() && hi > 0.0 {
                (lo / 1.5, hi * 1.5)
            } else {
                (0.1, 10.0)
            };
            let ticks = super::queue::latency_ticks(lo, hi);
            let y = (lo..hi).log_scale().with_key_points(ticks);
            let mut c = chart.build_cartesian_2d(axis.range(x1), y)?;
            let mut mesh = c.configure_mesh();
            mesh.x_label_formatter(&|x| TimeAxis::label(*x))
                .y_desc(p.name)
                .y_label_formatter(&|y| human(*y));
            style_mesh(&mut mesh, last, axis);
            mesh.draw()?;
            draw_bands(&mut c, area, &lows, &highs, &medians)?;
        } else {
            let top = if hi > 0.0 { hi * 1.15 } else { 1.0 };
            let mut c = chart.build_cartesian_2d(axis.range(x1), 0.0..top)?;
            let mut mesh = c.configure_mesh();
            mesh.x_label_formatter(&|x| TimeAxis::label(*x))
                .y_desc(p.name)
                .y_labels(5)
                .y_label_formatter(&|y| short(*y));
            style_mesh(&mut mesh, last, axis);
            mesh.draw()?;
            draw_bands(&mut c, area, &lows, &highs, &medians)?;
        }
        Ok(medians)
    }
}

/// A number on a linear axis: as few digits as tell the ticks apart.
fn short(y: f64) -> String {
    if y == 0.0 || y.abs() >= 100.0 {
        format!("{y:.0}")
    } else if y.abs() >= 1.0 {
        format!("{y:.1}")
    } else {
        format!("{y:.2}")
    }
}

/// The mesh's common style; the time axis is named under the last panel only.
fn style_mesh<DB: DrawingBackend, X: Ranged, Y: Ranged>(
    mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>,
    last: bool,
    axis: &TimeAxis,
) {
    mesh.label_style(text(14))
        .axis_desc_style(text(15))
        .bold_line_style(GRID)
        .light_line_style(WHITE);
    if last {
        mesh.x_desc(format!(
            "simulated time ({} since the start of the run)",
            axis.name
        ));
    }
}

/// The bands of every strategy, then their median lines (the baseline last, on top).
fn draw_bands<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    area: &DrawingArea<DB, Shift>,
    lows: &[Vec<(f64, f64)>],
    highs: &[Vec<(f64, f64)>],
    medians: &[Vec<(f64, f64)>],
) -> Drawn
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (k, (lo, hi)) in lows.iter().zip(highs).enumerate() {
        let band: Vec<(f64, f64)> = hi.iter().copied().chain(lo.iter().rev().copied()).collect();
        if band.len() > 2 {
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                strategy_color(k).mix(0.18).filled(),
            )))?;
        }
    }
    let n = medians.len();
    for k in (1..n).chain((n > 0).then_some(0)) {
        let path: Vec<(i32, i32)> = medians[k].iter().map(|p| chart.backend_coord(p)).collect();
        let marks = super::style::spread_marks(&path, k, 8);
        draw_look(area, &path, &look(k), &marks)?;
    }
    Ok(())
}
