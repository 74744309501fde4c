//! A metric against a swept parameter, one line per strategy (`sweep.svg`).

use super::style::{
    GRID, INK, TimeAxis, draw_look, label, legend_below, legend_height, legend_words, look,
    strategy_color, text, title_font,
};
use super::{Chart, ChartError, Drawn, Figure, render};
use crate::sweep::Metric;
use crate::sweep::{Axis, Point, Sweep, SweepValue};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// The sweep chart: its title, the sweep's figures and the unit of its y axis.
struct SweepFig<'a> {
    title: String,
    sweep: &'a Sweep,
    y: YUnit,
    /// The x axis is logarithmic: the swept values span a factor of [`LOG_SPAN`] or more
    /// (1 day to half a year would crowd the short values into one corner).
    log_x: bool,
}

/// The span of swept values (largest ÷ smallest) from which the x axis is logarithmic.
const LOG_SPAN: f64 = 20.0;

/// Whether the sweep's values want a logarithmic axis: quantities, all positive, spanning
/// [`LOG_SPAN`] or more.
fn wants_log_x(sw: &Sweep) -> bool {
    let xs = || sw.values.iter().map(|v| v.x);
    let lo = xs().fold(f64::INFINITY, f64::min);
    let hi = xs().fold(f64::NEG_INFINITY, f64::max);
    !matches!(sw.axis, Axis::Category) && lo > 0.0 && hi / lo >= LOG_SPAN
}

/// The y axis's unit: a sweep holds downtime in hours, but a chart of minutes-long outages
/// reads better in minutes (and one of month-long outages in days).
#[derive(Clone, Copy, Debug, PartialEq)]
struct YUnit {
    /// Plotted value per value held.
    factor: f64,
    /// After each tick's number, e.g. `m`.
    suffix: &'static str,
    /// In the axis description, e.g. `minutes`.
    name: &'static str,
}

impl YUnit {
    /// The unit for `sw`'s metric and span: for downtime, the unit [`TimeAxis`] picks for
    /// the largest value (seconds, minutes, hours or days); otherwise the metric's own.
    fn of(sw: &Sweep) -> YUnit {
        let same = YUnit {
            factor: 1.0,
            suffix: "",
            name: "",
        };
        if sw.metric != Metric::Downtime {
            return same;
        }
        let top_h = y_range(sw).1;
        let axis = TimeAxis::new(top_h * 3600.0);
        let suffix = match axis.name {
            "seconds" => "s",
            "minutes" => "m",
            "hours" => "h",
            _ => "d",
        };
        YUnit {
            factor: 3600.0 / axis.unit,
            suffix,
            name: axis.name,
        }
    }

    /// A y tick's label.
    fn label(self, metric: Metric, y: f64) -> String {
        if self.suffix.is_empty() {
            metric.format_axis(y)
        } else {
            format!("{}{}", TimeAxis::label(y), self.suffix)
        }
    }

    /// The y axis's description.
    fn describe(self, metric: Metric) -> String {
        if self.name.is_empty() {
            metric.axis_label().to_string()
        } else {
            format!("{} ({})", metric.name(), self.name)
        }
    }
}

/// The swept metric against the parameter's values, one line per strategy with its 95%
/// confidence band.
pub fn sweep(sw: &Sweep) -> Result<Chart, ChartError> {
    let title = format!("{}: {} vs {}", sw.scenario, sw.metric.name(), sw.path);
    let caption = "One line per strategy: the metric's mean at each value of the parameter, with its 95% confidence band. Every value runs on the same seeds.";
    render(
        "sweep",
        &title,
        caption,
        &SweepFig {
            title: title.clone(),
            sweep: sw,
            y: YUnit::of(sw),
            log_x: wants_log_x(sw),
        },
    )
}

impl Figure for SweepFig<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 580 + legend_height(self.sweep.strategies.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (root, legend) = root.split_vertically(580);
        let root = &root;
        let sw = self.sweep;
        let (x0, x1) = x_range(sw, |x| self.ux(x));
        let yk = self.y.factor;
        let (y0, y1) = y_range(sw);
        let (y0, y1) = (y0 * yk, y1 * yk);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let (metric, unit) = (sw.metric, self.y);
        let yfmt = move |y: &f64| unit.label(metric, *y);
        chart
            .configure_mesh()
            .x_desc(if self.log_x {
                format!("{} (log scale)", sw.x_desc())
            } else {
                sw.x_desc()
            })
            .y_desc(unit.describe(metric))
            .x_labels(0)
            .disable_x_mesh()
            .y_label_formatter(&yfmt)
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        // Bands first, then the lines, the baseline last and thin on top, so that a
        // strategy equal to it shows around it.
        for k in 0..sw.strategies.len() {
            self.draw_band(&mut chart, k)?;
        }
        let n = sw.strategies.len();
        for k in (1..n).chain((n > 0).then_some(0)) {
            let line: Vec<(i32, i32)> = sw
                .values
                .iter()
                .map(|v| chart.backend_coord(&(self.ux(v.x), v.points[k].mean * yk)))
                .collect();
            draw_look(root, &line, &look(k), &line)?;
        }
        self.draw_value_ticks(&mut chart, root, (y0, y1))?;
        let curves: Vec<Vec<Point>> = (0..n)
            .map(|k| sw.values.iter().map(|v| v.points[k]).collect())
            .collect();
        let names: Vec<&str> = sw.strategies.iter().map(String::as_str).collect();
        legend_below(&legend, &legend_words(&names, &curves))
    }
}

/// The sweep chart's coordinates: the swept values across, the metric up.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The x axis: the swept values (placed by `ux`) with 4% to spare on each side (a unit
/// either side of a single value).
fn x_range(sw: &Sweep, ux: impl Fn(f64) -> f64) -> (f64, f64) {
    let (mut x0, mut x1) = sw
        .values
        .iter()
        .map(|v| ux(v.x))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if x1.is_nan() || x0.is_nan() || x1 <= x0 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let pad = (x1 - x0) * 0.04;
    (x0 - pad, x1 + pad)
}

/// The y axis: every confidence band with 8% to spare, not below 0 for a metric that
/// cannot be negative.
fn y_range(sw: &Sweep) -> (f64, f64) {
    let mut y0 = f64::INFINITY;
    let mut y1 = f64::NEG_INFINITY;
    for v in &sw.values {
        for p in &v.points {
            if p.mean.is_finite() {
                y0 = y0.min(p.mean - p.ci95);
                y1 = y1.max(p.mean + p.ci95);
            }
        }
    }
    if y1.is_nan() || y0.is_nan() || y1 <= y0 {
        y0 -= 1.0;
        y1 += 1.0;
    }
    let ypad = (y1 - y0) * 0.08;
    (
        if sw.metric.non_negative() {
            (y0 - ypad).max(0.0)
        } else {
            y0 - ypad
        },
        y1 + ypad,
    )
}

impl SweepFig<'_> {
    /// Where swept value `x` sits on the chart's x axis.
    fn ux(&self, x: f64) -> f64 {
        if self.log_x { x.ln() } else { x }
    }

    /// Strategy `k`'s confidence band.
    fn draw_band<DB: DrawingBackend>(&self, chart: &mut Plot<'_, DB>, k: usize) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let sw = self.sweep;
        let yk = self.y.factor;
        let color = strategy_color(k);
        let pts: Vec<(f64, &SweepValue)> = sw.values.iter().map(|v| (self.ux(v.x), v)).collect();
        let upper: Vec<(f64, f64)> = pts
            .iter()
            .map(|(x, v)| (*x, (v.points[k].mean + v.points[k].ci95) * yk))
            .collect();
        let lower: Vec<(f64, f64)> = pts
            .iter()
            .rev()
            .map(|(x, v)| (*x, (v.points[k].mean - v.points[k].ci95) * yk))
            .collect();
        let band: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            color.mix(0.15).filled(),
        )))?;
        Ok(())
    }

    /// Ticks exactly at the swept values (plotters would pick round numbers instead): a
    /// grid line, a tick mark and the value as written.
    fn draw_value_ticks<DB: DrawingBackend>(
        &self,
        chart: &mut Plot<'_, DB>,
        root: &DrawingArea<DB, Shift>,
        (y0, y1): (f64, f64),
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let sw = self.sweep;
        for x in sw.values.iter().map(|v| v.x) {
            let ux = self.ux(x);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(ux, y0), (ux, y1)],
                GRID.stroke_width(1),
            )))?;
            let (px, py) = chart.backend_coord(&(ux, y0));
            root.draw(&PathElement::new(
                vec![(px, py), (px, py + 5)],
                INK.stroke_width(1),
            ))?;
            // Centred under its tick, but kept inside the picture (a long value such as
            // `Exp(mean: "3000d")` at the right end would be cut off).
            let words = sw.format_x(x);
            let w = root.estimate_text_size(&words, &text(15))?.0 as i32;
            let width = root.dim_in_pixel().0 as i32;
            let cx = px.min(width - 4 - w / 2).max(4 + w / 2);
            label(root, &words, (cx, py + 18), &text(15), HPos::Center)?;
        }
        Ok(())
    }
}
