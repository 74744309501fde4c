//! The distribution of downtime per run, one curve per strategy (`downtime.svg`).

use super::style::{
    GRID, draw_look, duration_ticks, legend_below, legend_height, look, same_as, spread_marks,
    text, title_font,
};
use super::{Chart, ChartError, Drawn, Figure, render};
use faultline_core::stats::Histogram;
use faultline_units::human;
use faultline_units::number::thousands;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve of the downtime chart.
#[derive(Clone, Debug)]
pub struct Curve<'a> {
    /// Strategy name.
    pub name: &'a str,
    /// Seconds of downtime per run.
    pub hist: &'a Histogram,
}

/// The downtime chart: its title and its curves.
struct Cdf<'a> {
    title: String,
    curves: Vec<Curve<'a>>,
}

/// The distribution of downtime per run (a CDF on a log time axis, where the tail shows),
/// one curve per strategy, from each strategy's downtime histogram.
pub fn downtime_cdf(scenario: &str, runs: u64, curves: Vec<Curve>) -> Result<Chart, ChartError> {
    let title = format!(
        "{scenario}: downtime per run ({} runs per strategy)",
        thousands(runs as f64)
    );
    let caption = "Each curve shows, for one strategy, the share of runs (up) whose downtime was at most the time across. Further left and higher is better; the log time axis shows the long tail.";
    render(
        "downtime",
        &title,
        caption,
        &Cdf {
            title: title.clone(),
            curves,
        },
    )
}

/// The points of one strategy's CDF between `lo` and `hi` (seconds): a step at each
/// bucket, starting at the share of runs with no downtime at all. A strategy with no
/// downtime in any run is a flat line at 100%; one with no runs draws nothing.
fn cdf_points(hist: &Histogram, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let n = hist.count();
    if n == 0 {
        return vec![];
    }
    let n = n as f64;
    let mut cum = 0.0;
    let mut pts = vec![];
    for (a, b, count) in hist.buckets() {
        if b == 0.0 {
            cum += count as f64;
            continue;
        }
        pts.push((a.max(lo), cum / n));
        cum += count as f64;
        pts.push((b.min(hi), cum / n));
    }
    // Runs with no downtime sit left of any log axis: the curve starts at their share.
    let first = pts.first().map_or(cum / n, |p| p.1);
    pts.insert(0, (lo, first));
    pts.push((hi, 1.0));
    pts
}

impl Figure for Cdf<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 560 + legend_height(self.curves.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (top, legend) = root.split_vertically(560);
        let mut lo = f64::INFINITY;
        let mut hi: f64 = 0.0;
        for c in &self.curves {
            for (a, b, _) in c.hist.buckets() {
                if b > 0.0 {
                    lo = lo.min(a.max(1e-3));
                    hi = hi.max(b);
                }
            }
        }
        if !lo.is_finite() {
            // No run had any downtime: an empty axis is still an honest picture.
            lo = 60.0;
            hi = 86_400.0;
        }
        let (lo, hi) = (lo / 1.6, hi * 1.6);
        let ticks = duration_ticks(lo, hi);
        let mut chart = ChartBuilder::on(&top)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(70)
            .build_cartesian_2d((lo..hi).log_scale().with_key_points(ticks), 0.0..1.03)?;
        chart
            .configure_mesh()
            .x_desc("downtime per run (log scale): time with at least one service failed")
            .y_desc("share of runs with at most this downtime")
            .x_label_formatter(&|x| human(*x))
            .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
            .y_labels(6)
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        // Each curve in pixels; the baseline last, thin on top, so that a strategy that
        // changes nothing shows as the baseline inside its own line.
        let paths: Vec<Vec<(i32, i32)>> = self
            .curves
            .iter()
            .map(|c| {
                cdf_points(c.hist, lo, hi)
                    .iter()
                    .map(|p| chart.backend_coord(p))
                    .collect()
            })
            .collect();
        let order = (1..self.curves.len()).chain(std::iter::once(0));
        for k in order.filter(|&k| k < paths.len()) {
            let lk = look(k);
            draw_look(&top, &paths[k], &lk, &spread_marks(&paths[k], k, 6))?;
        }
        let buckets: Vec<Vec<(f64, f64, u64)>> =
            self.curves.iter().map(|c| c.hist.buckets()).collect();
        let same = same_as(&buckets);
        let words: Vec<String> = self
            .curves
            .iter()
            .zip(&same)
            .map(|(c, same)| {
                let mut w = format!(
                    "{}: median {}, p90 {}",
                    c.name,
                    human(c.hist.quantile(0.5)),
                    human(c.hist.quantile(0.9))
                );
                if c.hist.count() > 0 && c.hist.quantile(1.0) == 0.0 {
                    w.push_str(" (no downtime in any run)");
                }
                if let Some(j) = same {
                    w.push_str(&format!(" (same curve as {})", self.curves[*j].name));
                }
                w
            })
            .collect();
        legend_below(&legend, &words)
    }
}
