//! Expected cost per strategy, with confidence whiskers (`cost.svg`).

use super::style::{
    BASELINE, GRID, INK, bold, boxed_label, label, strategy_color, text, title_font,
};
use super::{Chart, ChartError, Drawn, Figure, render};
use crate::json::StrategyJson;
use faultline_units::number::{money_axis, money_short};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;
use std::error::Error;

/// The cost chart: its title and the strategies' figures.
struct Bars<'a> {
    title: String,
    strategies: &'a [StrategyJson],
}

/// Expected cost per run per strategy as horizontal bars with 95% CI whiskers, cheapest
/// on top; the baseline's bar is grey and its cost a dashed line across the chart.
pub fn cost_bars(scenario: &str, strategies: &[StrategyJson]) -> Result<Chart, ChartError> {
    let title = format!("{scenario}: expected cost per run, by strategy (95% CI)");
    let caption = "Bars: mean cost per run, cheapest on top; whiskers: 95% confidence interval of the mean; dashed line: the baseline (the scenario as written). The savings are paired differences on the same runs.";
    render(
        "cost",
        &title,
        caption,
        &Bars {
            title: title.clone(),
            strategies,
        },
    )
}

impl Figure for Bars<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 160 + 62 * self.strategies.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let order = self.order();
        let best = self.best(&order);
        let mut chart = self.axes(root)?;
        // Bars and whiskers first, then the baseline line across them, then the labels on
        // top, so that no line crosses a label's text.
        self.draw_bars(&mut chart, &order, best)?;
        self.draw_baseline(&mut chart, root)?;
        self.draw_labels(&chart, root, &order, best)
    }
}

/// The cost chart's coordinates: cost across, one unit of height per strategy.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A strategy's mean cost and confidence half-width, 0 where not finite (an empty bar
/// rather than a chart that fails to draw).
fn mean_ci(s: &StrategyJson) -> (f64, f64) {
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    (finite(s.cost.mean), finite(s.cost.ci95))
}

impl Bars<'_> {
    /// Strategy indices by row, bottom row first: cheapest at the top, where the top row
    /// has the highest y.
    fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.strategies.len()).collect();
        order.sort_by(|&a, &b| {
            self.strategies[b]
                .cost
                .mean
                .total_cmp(&self.strategies[a].cost.mean)
        });
        order
    }

    /// Whether every strategy costs nothing: the scenario has no cost model, so the chart
    /// says so instead of ranking zeros.
    fn free(&self) -> bool {
        self.strategies.iter().all(|s| mean_ci(s) == (0.0, 0.0))
    }

    /// The strategy drawn as the best: the cheapest, only when it is strictly cheaper
    /// than every other (a tie, all zeros included, has no winner to bold).
    fn best(&self, order: &[usize]) -> Option<usize> {
        let &k = order.last()?;
        let cheapest = self.strategies[k].cost.mean;
        let alone = self
            .strategies
            .iter()
            .enumerate()
            .all(|(j, s)| j == k || s.cost.mean > cheapest);
        alone.then_some(k)
    }

    /// The title, the cost axis (room for the widest whisker) and room for the names.
    fn axes<'a, DB: DrawingBackend>(
        &self,
        root: &'a DrawingArea<DB, Shift>,
    ) -> Result<Plot<'a, DB>, Box<dyn Error>>
    where
        DB::ErrorType: 'static,
    {
        let n = self.strategies.len();
        let hi = self
            .strategies
            .iter()
            .map(|s| s.cost.mean + s.cost.ci95.max(0.0))
            .filter(|x| x.is_finite())
            .fold(0.0f64, f64::max)
            .max(1.0)
            * 1.6;
        let name_width = self
            .strategies
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(8) as u32
            * 9
            + 40;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(40)
            .x_label_area_size(56)
            .y_label_area_size(name_width)
            .build_cartesian_2d(0.0..hi, 0.0..n as f64)?;
        let free = self.free();
        // Below $10 whole dollars repeat ("$0 $0 $1"): show cents there.
        let cents = hi < 10.0;
        let fmt = move |x: &f64| {
            if cents {
                format!("${x:.2}")
            } else {
                money_axis(*x)
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(if free { 0 } else { 7 })
            .x_desc(if free {
                "no cost model: every strategy costs $0 per run (compare ranks them by downtime)"
            } else {
                "expected cost per run (USD); whiskers: 95% confidence interval"
            })
            .x_label_formatter(&fmt)
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        Ok(chart)
    }

    /// A bar per strategy with its whisker; the best in full colour.
    fn draw_bars<DB: DrawingBackend>(
        &self,
        chart: &mut Plot<'_, DB>,
        order: &[usize],
        best: Option<usize>,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        for (row, &k) in order.iter().enumerate() {
            let s = &self.strategies[k];
            let y = row as f64;
            let color = if k == 0 {
                BASELINE.mix(0.55)
            } else {
                strategy_color(k).mix(if Some(k) == best { 1.0 } else { 0.75 })
            };
            let (mean, ci) = mean_ci(s);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (mean, y + 0.8)],
                color.filled(),
            )))?;
            let (a, b) = ((mean - ci).max(0.0), mean + ci);
            let whisker = INK.stroke_width(2);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, y + 0.5), (b, y + 0.5)],
                whisker,
            )))?;
            for x in [a, b] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y + 0.35), (x, y + 0.65)],
                    whisker,
                )))?;
            }
        }
        Ok(())
    }

    /// The baseline's cost as a dashed line across every row, labelled at the top.
    fn draw_baseline<DB: DrawingBackend>(
        &self,
        chart: &mut Plot<'_, DB>,
        root: &DrawingArea<DB, Shift>,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let Some(b) = self.strategies.first() else {
            return Ok(());
        };
        if !b.cost.mean.is_finite() {
            return Ok(());
        }
        let n = self.strategies.len();
        let dashed = BASELINE.stroke_width(2);
        let steps = 24;
        for i in 0..steps {
            let y0 = n as f64 * i as f64 / steps as f64;
            let y1 = y0 + n as f64 * 0.5 / steps as f64;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(b.cost.mean, y0), (b.cost.mean, y1)],
                dashed,
            )))?;
        }
        let top = chart.backend_coord(&(b.cost.mean, n as f64));
        label(
            root,
            "baseline",
            (top.0 + 6, top.1 + 10),
            &text(13),
            HPos::Left,
        )
    }

    /// Each bar's figures beside its whisker (with the saving against the baseline), and
    /// the strategy's name left of the axis; the best in bold.
    fn draw_labels<DB: DrawingBackend>(
        &self,
        chart: &Plot<'_, DB>,
        root: &DrawingArea<DB, Shift>,
        order: &[usize],
        best: Option<usize>,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        for (row, &k) in order.iter().enumerate() {
            let s = &self.strategies[k];
            let y = row as f64;
            let (mean, ci) = mean_ci(s);
            let px = chart.backend_coord(&(mean + ci, y + 0.5));
            let low = chart.backend_coord(&((mean - ci).max(0.0), y + 0.5));
            let mut value = format!("{} ± {}", money_short(mean), money_short(ci));
            let d = &s.paired_cost_diff;
            if k != 0 && d.mean.is_finite() && d.mean != 0.0 {
                let word = if d.mean < 0.0 { "saves" } else { "costs" };
                value.push_str(&format!(
                    "   ({word} {} vs baseline)",
                    money_short(d.mean.abs())
                ));
            }
            let beside = (px.0 + 8, low.0 - 8);
            boxed_label(root, &value, beside, px.1, &text(15))?;
            let py = chart.backend_coord(&(0.0, y + 0.5));
            let mut name = s.name.clone();
            if k == 0 && name != "baseline" {
                name.push_str(" (baseline)");
            }
            let style = if Some(k) == best && k != 0 {
                bold(15)
            } else {
                text(15)
            };
            label(root, &name, (py.0 - 8, py.1), &style, HPos::Right)?;
        }
        Ok(())
    }
}
