//! `sweep`: rerun a scenario across the values of one parameter.
//!
//! The scenario text is edited at each value ([`faultline_scenario::edit`]), every value's
//! models run on the same study (common random numbers), and the figures land in a
//! [`Sweep`] that the report layer prints and draws.

use faultline_core::model::Model;
use faultline_core::montecarlo::{self, Study};
use faultline_report::sweep::{Axis, Metric, Point, Sweep, SweepValue};
use faultline_scenario::edit::{Quantity, Setting, x_of};

/// Runs every value's models on the same study. `progress` gets the runs done so far,
/// counted over all values (value k's runs count from `k * study.runs`).
pub fn run(
    set: &Setting,
    per_value: &[Vec<Model>],
    metric: Metric,
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
) -> Sweep {
    let first = &per_value[0][0];
    let strategies: Vec<String> = per_value[0].iter().map(|m| m.strategy.clone()).collect();
    let parsed: Vec<Option<(Axis, f64)>> = set
        .values
        .iter()
        .map(|v| {
            x_of(v).map(|(q, x)| match q {
                Quantity::Duration => (Axis::Duration, x),
                Quantity::Number => (Axis::Number, x),
            })
        })
        .collect();
    let axis = match parsed.first().copied().flatten() {
        Some((a, _)) if parsed.iter().all(|p| p.is_some_and(|(b, _)| b == a)) => a,
        _ => Axis::Category,
    };
    let mut values = vec![];
    for (k, models) in per_value.iter().enumerate() {
        let done = k as u64 * study.runs;
        let summaries = montecarlo::run_all(models, study, &|n| progress(done + n));
        let scale = metric.scale();
        let points = strategies
            .iter()
            .map(|name| {
                match models.iter().position(|m| &m.strategy == name) {
                    Some(i) => {
                        let mo = metric.moments(&summaries[i]);
                        Point {
                            mean: mo.mean() * scale,
                            ci95: mo.ci95() * scale,
                        }
                    }
                    // The swept value renamed or removed this strategy.
                    None => Point {
                        mean: f64::NAN,
                        ci95: f64::NAN,
                    },
                }
            })
            .collect();
        let x = match (axis, parsed[k]) {
            (Axis::Category, _) | (_, None) => k as f64,
            (_, Some((_, x))) => x,
        };
        values.push(SweepValue {
            value: set.values[k].clone(),
            x,
            points,
        });
    }
    Sweep {
        faultline_version: faultline_report::json::VERSION,
        scenario: first.name.clone(),
        path: set.path_text.clone(),
        metric,
        seed: study.seed,
        runs: study.runs,
        horizon_s: first.horizon,
        strategies,
        axis,
        values,
    }
}
