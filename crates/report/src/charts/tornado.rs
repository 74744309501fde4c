//! Tornado charts (`worth-components.svg`, `worth-response.svg`): for each component or
//! response parameter, what improving it saves a year (a bar to the left) and what
//! degrading it adds (a bar to the right), with 95% whiskers.
//!
//! Each side has its own scale: a component failed for good can cost a thousand times what
//! a perfect one saves, and on one scale the savings, the question a budget asks, would be
//! slivers. Each side's axis says what it measures.

use super::style::{GRID, INK, label, text, title_font};
use super::{Chart, ChartError, Drawn, Figure, render};
use faultline_units::human;
use faultline_units::number::{money_axis, money_short};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;
use std::error::Error;

/// One row of a tornado: what improving and what degrading its subject changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Swing {
    /// The component or parameter.
    pub label: String,
    /// What the improvement saves a year, and its 95% half-width (drawn left).
    pub better: (f64, f64),
    /// What the degradation adds a year, and its 95% half-width (drawn right); `None` when
    /// there is none to measure.
    pub worse: Option<(f64, f64)>,
}

/// What the swings are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Money a year.
    Money,
    /// Seconds of downtime a year.
    Seconds,
}

impl Unit {
    /// A tick: its distance from zero, since each side says which way it goes.
    fn tick(self, x: f64) -> String {
        match self {
            Unit::Money if x == 0.0 => "$0".to_string(),
            Unit::Money => money_axis(x.abs()),
            Unit::Seconds => human(x.abs()),
        }
    }

    /// A bar's figure, signed when it goes the unexpected way (an improvement that costs).
    fn figure(self, x: f64) -> String {
        let sign = if x < 0.0 { "-" } else { "" };
        match self {
            Unit::Money => format!("{sign}{}", money_short(x.abs())),
            Unit::Seconds => format!("{sign}{}", human(x.abs())),
        }
    }
}

/// The chart `name`: `rows` top to bottom as given (the caller orders them); `sides` names
/// what the left and the right bars measure.
pub fn tornado(
    name: &str,
    title: &str,
    caption: &str,
    rows: &[Swing],
    unit: Unit,
    sides: [&str; 2],
) -> Result<Chart, ChartError> {
    render(
        name,
        title,
        caption,
        &Tornado {
            title: title.to_string(),
            rows,
            unit,
            sides,
        },
    )
}

/// A tornado chart being drawn.
struct Tornado<'a> {
    title: String,
    rows: &'a [Swing],
    unit: Unit,
    sides: [&'a str; 2],
}

/// The improvement's colour.
const BETTER: RGBColor = RGBColor(46, 139, 87);
/// The degradation's colour.
const WORSE: RGBColor = RGBColor(200, 60, 50);

/// A finite value, 0 otherwise (an empty bar rather than a chart that fails to draw).
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// One side's coordinates: distance from zero across (negative to the left), one unit of
/// height per row.
type Side<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Tornado<'_> {
    /// The widest reach of one side's bars and whiskers (1 when nothing reaches out).
    fn reach(&self, side: impl Fn(&Swing) -> Option<(f64, f64)>) -> f64 {
        (self.rows.iter())
            .filter_map(|r| side(r).map(|(m, c)| finite(m).abs() + finite(c).abs()))
            .fold(0.0, f64::max)
            .max(if self.unit == Unit::Money { 1.0 } else { 60.0 })
            * 1.3
    }

    /// One side's axes on `area`: `lo..hi` across, its description below.
    fn side<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        (lo, hi): (f64, f64),
        desc: &str,
        names: u32,
    ) -> Result<Side<'a, DB>, Box<dyn Error>>
    where
        DB::ErrorType: 'static,
    {
        let n = self.rows.len().max(1) as f64;
        let unit = self.unit;
        let fmt = move |x: &f64| unit.tick(*x);
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .x_label_area_size(56)
            .y_label_area_size(names)
            .build_cartesian_2d(lo..hi, 0.0..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(5)
            .x_desc(desc)
            .x_label_formatter(&fmt)
            .label_style(text(13))
            .axis_desc_style(text(14))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        Ok(chart)
    }

    /// One side's bars (`sign` -1 to the left), whiskers and figures.
    fn bars<DB: DrawingBackend>(
        &self,
        chart: &mut Side<'_, DB>,
        root: &DrawingArea<DB, Shift>,
        sign: f64,
        side: impl Fn(&Swing) -> Option<(f64, f64)>,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let n = self.rows.len().max(1) as f64;
        let color = if sign < 0.0 { BETTER } else { WORSE };
        for (k, r) in self.rows.iter().enumerate() {
            let Some((mean, ci)) = side(r) else { continue };
            let (mean, ci) = (finite(mean), finite(ci).abs());
            // The first row on top.
            let y = n - 1.0 - k as f64;
            let x = sign * mean;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.22), (x, y + 0.78)],
                color.mix(0.85).filled(),
            )))?;
            let (a, b) = (x - ci, x + ci);
            let whisker = INK.stroke_width(1);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, y + 0.5), (b, y + 0.5)],
                whisker,
            )))?;
            for w in [a, b] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(w, y + 0.38), (w, y + 0.62)],
                    whisker,
                )))?;
            }
            // The figure beyond the bar and its whisker, on the outside.
            let outer = if sign < 0.0 { a.min(0.0) } else { b.max(0.0) };
            let at = chart.backend_coord(&(outer, y + 0.5));
            let (dx, h) = if sign < 0.0 {
                (-6, HPos::Right)
            } else {
                (6, HPos::Left)
            };
            label(
                root,
                &self.unit.figure(mean),
                (at.0 + dx, at.1),
                &text(13),
                h,
            )?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n)],
            INK.stroke_width(2),
        )))?;
        Ok(())
    }
}

impl Figure for Tornado<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 170 + 40 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let area = root.margin(14, 0, 0, 0).titled(&self.title, title_font())?;
        let names = (self.rows.iter())
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(8) as u32
            * 8
            + 24;
        let width = area.dim_in_pixel().0;
        let (left, right) = area.split_horizontally(names + (width - names) / 2);
        let l = self.reach(|r| Some(r.better));
        let r = self.reach(|r| r.worse);
        let mut lc = self.side(&left, (-l, 0.0), self.sides[0], names)?;
        let mut rc = self.side(&right, (0.0, r), self.sides[1], 0)?;
        self.bars(&mut lc, root, -1.0, |s| Some(s.better))?;
        self.bars(&mut rc, root, 1.0, |s| s.worse)?;
        let n = self.rows.len().max(1) as f64;
        for (k, row) in self.rows.iter().enumerate() {
            let y = n - 1.0 - k as f64;
            let at = lc.backend_coord(&(-l, y + 0.5));
            label(root, &row.label, (at.0 - 8, at.1), &text(14), HPos::Right)?;
        }
        Ok(())
    }
}
