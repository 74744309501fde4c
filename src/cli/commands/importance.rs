//! `importance`: what each component is worth in money.

use super::threads;
use crate::cli::args::{Common, Effort, Print};
use crate::cli::error::CliError;
use crate::cli::load::{adjust, load_all};
use crate::importance::{Measure, Report, measure};
use crate::progress::Progress;
use faultline_core::montecarlo::Study;
use faultline_report::tables::{Layout, table};
use faultline_scenario::validate;
use faultline_units::{human, money};
use std::io::Write;

/// Measures every component and prints the ranking (a table, or JSON).
pub(crate) fn importance(
    out: &mut impl Write,
    common: &Common,
    top: usize,
    effort: &Effort,
    print: &Print,
) -> Result<(), CliError> {
    let loaded = load_all(&common.scenario, Some(common))?;
    let base = &loaded.models[0];
    let sc = validate::parse(&common.scenario.to_string_lossy(), &loaded.text)?;
    let seed = common.seed.unwrap_or(base.seed);
    let runs = effort.runs.unwrap_or(base.runs);
    let study = Study::whole(seed, runs, threads(effort.threads));
    let bar = Progress::runs(runs, "measuring", common.quiet);
    let report = measure(&sc, base, &|m| adjust(m, Some(common)), study, &|n| {
        bar.set(n)
    });
    bar.finish();
    if print.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        out.write_all(render(&report, top, print.layout(false)).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// The ranking as text.
fn render(r: &Report, top: usize, layout: Layout) -> String {
    // Money, or (a scenario without costs) time with a service failed.
    let amount = |x: f64| match r.measure {
        Measure::Cost => money(x),
        Measure::Downtime if x < 0.0 => format!("-{}", human(-x)),
        Measure::Downtime => human(x),
    };
    let mut s = format!(
        "{} — what each component is worth, {} runs per variant (seed {}), paired with the \
         scenario run by run\n",
        r.scenario, r.runs, r.seed
    );
    s += &match r.measure {
        Measure::Cost => format!(
            "The scenario costs {} ± {} a year.\n\n",
            money(r.cost_per_year.mean),
            money(r.cost_per_year.ci95)
        ),
        Measure::Downtime => format!(
            "The scenario has no costs, so worth is counted in downtime: {} ± {} a year.\n\n",
            human(r.cost_per_year.mean),
            human(r.cost_per_year.ci95)
        ),
    };
    s += "Ranked by what a perfect component (its own faults never happen) would save a year (95% CI)\n";
    let ratio = |x: f64| {
        if x.is_finite() {
            format!("{x:.3}")
        } else {
            "∞".to_string()
        }
    };
    let rows: Vec<Vec<String>> = r
        .components
        .iter()
        .take(top)
        .map(|w| {
            vec![
                w.component.clone(),
                format!(
                    "{} ± {}",
                    amount(w.perfect_per_year.mean),
                    amount(w.perfect_per_year.ci95)
                ),
                ratio(w.cost_rrw),
                w.failed_per_year.as_ref().map_or("—".into(), |f| {
                    format!("{} ± {}", amount(f.mean), amount(f.ci95))
                }),
                w.cost_raw.map_or("—".into(), ratio),
            ]
        })
        .collect();
    s += &table(
        &[
            "component",
            "perfect saves/year",
            "cost RRW",
            "failed for good costs/year",
            "cost RAW",
        ],
        &rows,
        layout,
    );
    if r.components.len() > top {
        s += &format!(
            "  ... {} more components; --top {} or --json shows them\n",
            r.components.len() - top,
            r.components.len()
        );
    }
    if !r.levers.is_empty() {
        s += "\nThe response team: what each improvement saves a year (95% CI), and per unit\n";
        let rows: Vec<Vec<String>> = r
            .levers
            .iter()
            .map(|l| {
                vec![
                    l.parameter.clone(),
                    l.change.clone(),
                    format!(
                        "{} ± {}",
                        amount(l.saves_per_year.mean),
                        amount(l.saves_per_year.ci95)
                    ),
                    format!("{} per {}", amount(l.per_unit_per_year), l.unit),
                ]
            })
            .collect();
        s += &table(
            &["parameter", "improvement", "saves/year", "per unit"],
            &rows,
            layout,
        );
    }
    s
}
