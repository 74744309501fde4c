//! The result of a `sweep`: one parameter's values, and what every strategy did with each.
//!
//! Every value is run with the same seed and run indices, so the runs at different values
//! share their random numbers and the curve shows the parameter, not luck. This module holds
//! the figures and prints them as a table; [`crate::charts::sweep`] draws them.

use crate::tables::{Layout, table};
use faultline_core::montecarlo::Summary;
use faultline_core::stats::Moments;
use faultline_units::human;
use faultline_units::number::{money_axis, money_short, thousands, trim_number};
use serde::Serialize;
use std::fmt::Write;

/// What a sweep measures, per strategy and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Expected cost per run (USD).
    Cost,
    /// Mean downtime per run: time with at least one service failed.
    Downtime,
    /// Share of the horizon with no service failed.
    Availability,
    /// User-minutes affected per run.
    UserMinutes,
    /// Responder-hours per run (people × hours on incidents).
    ResponderHours,
}

impl Metric {
    /// Every metric, in the order `--metric` lists them.
    pub const ALL: [Metric; 5] = [
        Metric::Cost,
        Metric::Downtime,
        Metric::Availability,
        Metric::UserMinutes,
        Metric::ResponderHours,
    ];

    /// The name `--metric` takes (and the JSON writes).
    pub fn key(self) -> &'static str {
        match self {
            Metric::Cost => "cost",
            Metric::Downtime => "downtime",
            Metric::Availability => "availability",
            Metric::UserMinutes => "user-minutes",
            Metric::ResponderHours => "responder-hours",
        }
    }

    /// One line on what it measures, for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Metric::Cost => "Expected cost per run (USD)",
            Metric::Downtime => "Mean downtime per run: time with at least one service failed",
            Metric::Availability => "Share of the horizon with no service failed",
            Metric::UserMinutes => "User-minutes affected per run",
            Metric::ResponderHours => "Responder-hours per run: people × hours on incidents",
        }
    }

    /// The metric in words.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Cost => "expected cost per run",
            Metric::Downtime => "mean downtime per run",
            Metric::Availability => "availability",
            Metric::UserMinutes => "user-minutes per run",
            Metric::ResponderHours => "responder-hours per run",
        }
    }

    /// Axis label with units.
    pub fn axis_label(self) -> &'static str {
        match self {
            Metric::Cost => "expected cost per run (USD)",
            Metric::Downtime => "mean downtime per run (hours)",
            Metric::Availability => "availability (%)",
            Metric::UserMinutes => "user-minutes affected per run",
            Metric::ResponderHours => "responder-hours per run",
        }
    }

    /// Whether values can never be negative (the axis then starts at 0 at most).
    pub fn non_negative(self) -> bool {
        true
    }

    /// Whether less is better.
    pub fn lower_is_better(self) -> bool {
        self != Metric::Availability
    }

    /// The per-run figure of a study this metric reads.
    pub fn moments(self, s: &Summary) -> &Moments {
        match self {
            Metric::Cost => &s.cost,
            Metric::Downtime => &s.downtime,
            Metric::Availability => &s.availability,
            Metric::UserMinutes => &s.user_minutes,
            Metric::ResponderHours => &s.responder_hours,
        }
    }

    /// The value as plotted: downtime in hours, availability in percent.
    pub fn scale(self) -> f64 {
        match self {
            Metric::Downtime => 1.0 / 3600.0,
            Metric::Availability => 100.0,
            _ => 1.0,
        }
    }

    /// A plotted value for an axis tick.
    pub fn format_axis(self, y: f64) -> String {
        match self {
            Metric::Cost => money_axis(y),
            Metric::Downtime => format!("{y:.1}h"),
            Metric::Availability => format!("{y:.3}%"),
            Metric::UserMinutes => short_number(y),
            Metric::ResponderHours => format!("{y:.0}h"),
        }
    }

    /// A plotted value and its half-width for a table.
    pub fn format(self, p: &Point) -> String {
        match self {
            Metric::Cost => format!("{} ± {}", money_short(p.mean), money_short(p.ci95)),
            Metric::Downtime => format!("{} ± {}", human(p.mean * 3600.0), human(p.ci95 * 3600.0)),
            Metric::Availability => format!("{:.4}% ± {:.4}%", p.mean, p.ci95),
            Metric::UserMinutes => format!("{} ± {}", thousands(p.mean), thousands(p.ci95)),
            Metric::ResponderHours => format!("{:.1} ± {:.1}", p.mean, p.ci95),
        }
    }
}

/// A tick label short enough for a y axis: 1.2M, 35k, 120.
fn short_number(y: f64) -> String {
    let a = y.abs();
    if a >= 1e6 {
        format!("{:.1}M", y / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", y / 1e3)
    } else {
        format!("{y:.0}")
    }
}

/// One strategy's figure at one value: mean and 95% CI half-width, in plotted units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Mean over runs.
    pub mean: f64,
    /// Half-width of the 95% confidence interval.
    pub ci95: f64,
}

/// One value of the swept parameter and what every strategy did with it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepValue {
    /// The value as written into the scenario.
    pub value: String,
    /// Where it sits on the x axis: seconds for durations, the number for numbers, the
    /// position for anything else.
    pub x: f64,
    /// Per strategy, in [`Sweep::strategies`] order.
    pub points: Vec<Point>,
}

/// How the swept values read on an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Axis {
    /// Durations (x in seconds).
    Duration,
    /// Plain numbers.
    Number,
    /// Anything else: values in the order given.
    Category,
}

/// The result of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep {
    /// The faultline version that produced it ([`crate::json::VERSION`]).
    pub faultline_version: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// The swept path, as given.
    pub path: String,
    /// What was measured.
    pub metric: Metric,
    /// Master seed (the same for every value).
    pub seed: u64,
    /// Runs per value and strategy.
    pub runs: u64,
    /// Simulated time per run, seconds.
    pub horizon_s: f64,
    /// The baseline and every strategy.
    pub strategies: Vec<String>,
    /// How values read on the x axis.
    pub axis: Axis,
    /// One entry per value, in the order given.
    pub values: Vec<SweepValue>,
}

impl Sweep {
    /// A tick label for `x`.
    pub fn format_x(&self, x: f64) -> String {
        match self.axis {
            Axis::Duration => human(x),
            Axis::Number => trim_number(x),
            Axis::Category => {
                let k = x.round();
                if (x - k).abs() < 1e-9 && k >= 0.0 {
                    self.values
                        .get(k as usize)
                        .map_or(String::new(), |v| v.value.clone())
                } else {
                    String::new()
                }
            }
        }
    }

    /// The x axis description.
    pub fn x_desc(&self) -> String {
        match self.axis {
            Axis::Duration => format!("{} (duration)", self.path),
            _ => self.path.clone(),
        }
    }

    /// The best strategy at value `k` by the metric.
    pub fn best(&self, k: usize) -> &str {
        let pts = &self.values[k].points;
        let better = |a: &Point, b: &Point| {
            if self.metric.lower_is_better() {
                a.mean < b.mean
            } else {
                a.mean > b.mean
            }
        };
        let mut best = 0;
        for (i, p) in pts.iter().enumerate() {
            if p.mean.is_finite() && better(p, &pts[best]) {
                best = i;
            }
        }
        &self.strategies[best]
    }

    /// The value as the table's first column writes it (`10d 12h`, not `252h`).
    fn value_text(&self, v: &SweepValue) -> String {
        match self.axis {
            Axis::Category => v.value.clone(),
            _ => self.format_x(v.x),
        }
    }

    /// sweep.csv: one row per value and strategy, in the order of the table (values as
    /// given, strategies as in [`Sweep::strategies`]), with the figures in base units
    /// (seconds, USD, a share, user-minutes) and as the table writes them. Columns:
    /// `value,x,x_text,strategy,metric,mean,ci95,figure,best`.
    pub fn csv(&self) -> std::io::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record([
            "value", "x", "x_text", "strategy", "metric", "mean", "ci95", "figure", "best",
        ])?;
        let scale = self.metric.scale();
        for (k, v) in self.values.iter().enumerate() {
            let best = self.best(k);
            for (name, p) in self.strategies.iter().zip(&v.points) {
                w.write_record([
                    v.value.clone(),
                    crate::per_run::number(v.x),
                    self.value_text(v),
                    name.clone(),
                    self.metric.key().to_string(),
                    crate::per_run::number(p.mean / scale),
                    crate::per_run::number(p.ci95 / scale),
                    if p.mean.is_finite() {
                        self.metric.format(p)
                    } else {
                        String::new()
                    },
                    (name == best).to_string(),
                ])?;
            }
        }
        w.into_inner().map_err(|e| e.into_error())
    }

    /// The terminal table: one row per value, one column per strategy, and the best; laid
    /// out as `layout` says.
    pub fn render(&self, layout: Layout) -> String {
        let mut s = String::new();
        let line = format!(
            "{} — sweep of {} over {} values: {} (95% CI), {} runs × {}, seed {}",
            self.scenario,
            self.path,
            self.values.len(),
            self.metric.name(),
            thousands(self.runs as f64),
            human(self.horizon_s),
            self.seed
        );
        let _ = writeln!(s, "{}", layout.fit_line(&line));
        let _ = writeln!(
            s,
            "{}\n",
            layout.fit_line(
                "Every value and strategy runs on the same seeds (common random numbers)."
            )
        );
        let mut header: Vec<&str> = vec!["value"];
        header.extend(self.strategies.iter().map(|x| x.as_str()));
        header.push("best");
        let rows: Vec<Vec<String>> = self
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                // The value as the chart's axis writes it (`10d 12h`, not `252h`).
                let mut row = vec![self.value_text(v)];
                row.extend(v.points.iter().map(|p| self.metric.format(p)));
                row.push(self.best(k).to_string());
                row
            })
            .collect();
        s.push_str(&table(&header, &rows, layout));
        if self.axis != Axis::Category
            && self.values.len() >= 3
            && let Some(line) = self.turning_points()
        {
            let _ = writeln!(s, "\n{}", layout.fit_line(&line));
        }
        s
    }

    /// Where each strategy the parameter changes does best along the swept values: past an
    /// inner best, more of the parameter makes things worse again (too many cooks); at an
    /// end, the curve may go on improving beyond the values swept. `None` when the
    /// parameter changes no strategy's figure.
    pub fn turning_points(&self) -> Option<String> {
        let parts: Vec<String> = (0..self.strategies.len())
            .filter(|&i| {
                // A strategy the parameter does not touch has no best value.
                let first = self.values[0].points[i].mean;
                self.values.iter().any(|v| v.points[i].mean != first)
            })
            .map(|i| {
                let k = self.best_value(i);
                let v = self.value_text(&self.values[k]);
                let where_ = if k == 0 {
                    "the first value"
                } else if k + 1 == self.values.len() {
                    "the last value"
                } else {
                    "past it, more is worse"
                };
                format!("{} at {v} ({where_})", self.strategies[i])
            })
            .collect();
        (!parts.is_empty()).then(|| format!("Best value per strategy: {}.", parts.join("; ")))
    }

    /// The value index at which strategy `i` does best by the metric (the first of ties).
    pub fn best_value(&self, i: usize) -> usize {
        let mut best = 0;
        for (k, v) in self.values.iter().enumerate() {
            let (p, b) = (v.points[i].mean, self.values[best].points[i].mean);
            let better = if self.metric.lower_is_better() {
                p < b
            } else {
                p > b
            };
            if p.is_finite() && (better || !b.is_finite()) {
                best = k;
            }
        }
        best
    }
}
