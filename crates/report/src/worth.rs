//! What each component and each response parameter is worth a year: the result of
//! `faultline importance` (and of `compare --importance`), printed as tables and shown in
//! the compare report with tornado charts.
//!
//! The root crate measures it (paired runs, common random numbers); this module holds the
//! answers as plain data and shows them, as [`crate::html::RiskSection`] does for the
//! exact fault-tree figures.

use crate::charts::{self, Chart, ChartError, Swing};
use crate::html::escape;
use crate::json::MeanCi;
use crate::tables::{Layout, table};
use faultline_units::{human, money};
use serde::Serialize;
use std::fmt::Write;

/// One component's worth.
#[derive(Serialize, Debug, Clone)]
pub struct Worth {
    /// The component.
    pub component: String,
    /// Cost per year saved if it never failed on its own (paired, 95% CI).
    pub perfect_per_year: MeanCi,
    /// E(cost) / E(cost if it never failed): the cost risk reduction worth (∞ when the
    /// perfect component leaves nothing to pay).
    pub cost_rrw: f64,
    /// Cost per year added if it were failed from the start and never repaired (paired);
    /// absent without a `Crash` fault mode.
    pub failed_per_year: Option<MeanCi>,
    /// E(cost if always failed) / E(cost): the cost risk achievement worth.
    pub cost_raw: Option<f64>,
}

/// One response parameter's worth: what improving it by 10% saves a year, per unit, and
/// what letting it slip by 10% costs.
#[derive(Serialize, Debug, Clone)]
pub struct Lever {
    /// The parameter ("acknowledge", "diagnose", "alert delays", "runbook", "responders",
    /// "spare deploy").
    pub parameter: String,
    /// The strategy it is measured in, for a parameter of a strategy's mitigations (a
    /// spare's deploy time); absent for the scenario's own response.
    pub strategy: Option<String>,
    /// What the improvement is, in words ("10% faster: 10m → 9m").
    pub change: String,
    /// Cost per year saved by that change (paired, 95% CI).
    pub saves_per_year: MeanCi,
    /// The unit the saving is also given per ("minute", "responder", "0.1 of the factor").
    pub unit: String,
    /// Cost per year saved per unit of improvement (the saving divided by the change).
    pub per_unit_per_year: f64,
    /// What letting it slip is, in words ("10% slower: 10m → 11m"); absent when it cannot
    /// get worse (a single responder).
    pub worse: Option<String>,
    /// Cost per year added by that slip (paired, 95% CI).
    pub worse_costs_per_year: Option<MeanCi>,
}

impl Lever {
    /// The parameter, with the strategy it is measured in.
    pub fn name(&self) -> String {
        match &self.strategy {
            Some(s) => format!("{} ({s})", self.parameter),
            None => self.parameter.clone(),
        }
    }
}

/// Every component with fault modes and every response parameter, ranked.
#[derive(Serialize, Debug, Clone)]
pub struct Report {
    /// The scenario.
    pub scenario: String,
    /// Runs per variant, on the baseline's seed.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// What worth is counted in (every "cost" below is seconds of downtime when this is
    /// `downtime`).
    pub measure: Measure,
    /// The baseline's expected cost per year.
    pub cost_per_year: MeanCi,
    /// Per component, the most valuable to perfect first.
    pub components: Vec<Worth>,
    /// The response team's parameters, the most valuable first (empty without a response).
    pub levers: Vec<Lever>,
}

/// What worth is counted in: money, or (a scenario without costs) seconds of downtime.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Expected cost, in the scenario's currency.
    Cost,
    /// Expected seconds with a service failed.
    Downtime,
}

impl Measure {
    /// An amount in this measure, for people: money, or a duration.
    pub fn amount(self, x: f64) -> String {
        match self {
            Measure::Cost if x < 0.0 => format!("-{}", money(-x)),
            Measure::Cost => money(x),
            Measure::Downtime if x < 0.0 => format!("-{}", human(-x)),
            Measure::Downtime => human(x),
        }
    }

    /// A mean and its interval in this measure.
    fn amount_ci(self, m: &MeanCi) -> String {
        format!("{} ± {}", self.amount(m.mean), self.amount(m.ci95))
    }
}

/// A risk worth as people read it: three decimals, ∞ when nothing is left to pay.
fn ratio(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "∞".to_string()
    }
}

/// The ranking as text: `top` components, then every lever.
pub fn render_text(r: &Report, top: usize, layout: Layout) -> String {
    let m = r.measure;
    let mut s = format!(
        "{} — what each component is worth, {} runs per variant (seed {}), paired with the \
         scenario run by run\n",
        r.scenario, r.runs, r.seed
    );
    s += &match m {
        Measure::Cost => format!(
            "The scenario costs {} a year.\n\n",
            m.amount_ci(&r.cost_per_year)
        ),
        Measure::Downtime => format!(
            "The scenario has no costs, so worth is counted in downtime: {} a year.\n\n",
            m.amount_ci(&r.cost_per_year)
        ),
    };
    if r.components.is_empty() {
        s += "No component has fault modes of its own: there is nothing to perfect or fail.\n";
    } else {
        s += "Ranked by what a perfect component (its own faults never happen) would save a year (95% CI)\n";
    }
    let rows: Vec<Vec<String>> = (r.components.iter().take(top))
        .map(|w| {
            vec![
                w.component.clone(),
                m.amount_ci(&w.perfect_per_year),
                ratio(w.cost_rrw),
                (w.failed_per_year.as_ref()).map_or("—".into(), |f| m.amount_ci(f)),
                w.cost_raw.map_or("—".into(), ratio),
            ]
        })
        .collect();
    if !rows.is_empty() {
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
    }
    if r.components.len() > top {
        s += &format!(
            "  ... {} more components; --top {} or --json shows them\n",
            r.components.len() - top,
            r.components.len()
        );
    }
    if !r.levers.is_empty() {
        s += "\nThe response team: what each 10% improvement saves a year (95% CI), per unit, \
              and what a 10% slip costs\n";
        let rows: Vec<Vec<String>> = (r.levers.iter())
            .map(|l| {
                vec![
                    l.name(),
                    l.change.clone(),
                    m.amount_ci(&l.saves_per_year),
                    format!("{} per {}", m.amount(l.per_unit_per_year), l.unit),
                    (l.worse_costs_per_year.as_ref()).map_or("—".into(), |w| m.amount_ci(w)),
                ]
            })
            .collect();
        s += &table(
            &[
                "parameter",
                "improvement",
                "saves/year",
                "per unit",
                "10% worse costs/year",
            ],
            &rows,
            layout,
        );
    }
    s
}

/// Rows each tornado chart shows (those that save most); the tables have them all.
const TORNADO_ROWS: usize = 15;

/// The two tornado charts of a report: the components (perfect against failed for good)
/// and the response parameters (10% better against 10% worse); a chart only where there
/// are rows.
pub fn tornadoes(r: &Report) -> Result<Vec<Chart>, ChartError> {
    let mut out = vec![];
    let comps: Vec<Swing> = (r.components.iter())
        .map(|w| Swing {
            label: w.component.clone(),
            better: (w.perfect_per_year.mean, w.perfect_per_year.ci95),
            worse: (w.failed_per_year.as_ref()).map(|f| (f.mean, f.ci95)),
        })
        .collect();
    let unit = match r.measure {
        Measure::Cost => charts::Unit::Money,
        Measure::Downtime => charts::Unit::Seconds,
    };
    if !comps.is_empty() {
        out.push(charts::tornado(
            "worth-components",
            &format!("{}: what each component is worth a year", r.scenario),
            "Left (green): what a perfect component (its own faults never happen) saves a \
             year; right (red): what the component failed from the start and never repaired \
             adds. Each side has its own scale; whiskers are 95% intervals (a whisker across \
             zero: no measurable worth). Ranked by the saving; the table below has every \
             component.",
            &top_rows(comps),
            unit,
            ["saved a year if perfect", "added a year if failed for good"],
        )?);
    }
    let levers: Vec<Swing> = (r.levers.iter())
        .map(|l| Swing {
            label: l.name(),
            better: (l.saves_per_year.mean, l.saves_per_year.ci95),
            worse: (l.worse_costs_per_year.as_ref()).map(|w| (w.mean, w.ci95)),
        })
        .collect();
    if !levers.is_empty() {
        out.push(charts::tornado(
            "worth-response",
            &format!("{}: the response team, 10% better or worse", r.scenario),
            "Left (green): what improving the parameter by 10% saves a year; right (red): \
             what letting it slip by 10% costs (one responder more or fewer). Each side has \
             its own scale; whiskers are 95% intervals. Ranked by the saving.",
            &top_rows(levers),
            unit,
            ["saved a year, 10% better", "added a year, 10% worse"],
        )?);
    }
    Ok(out)
}

/// The rows that save most, in the tables' order (most first).
fn top_rows(mut rows: Vec<Swing>) -> Vec<Swing> {
    rows.sort_by(|a, b| b.better.0.total_cmp(&a.better.0));
    rows.truncate(TORNADO_ROWS);
    rows
}

/// The report's section: the tornado charts, then the ranked tables.
pub fn section(s: &mut String, r: &Report, charts: &[Chart]) {
    let m = r.measure;
    let counted = match m {
        Measure::Cost => format!(
            "The baseline costs {} a year.",
            escape(&m.amount_ci(&r.cost_per_year))
        ),
        Measure::Downtime => format!(
            "The scenario has no costs, so worth is counted in downtime: {} a year.",
            escape(&m.amount_ci(&r.cost_per_year))
        ),
    };
    let _ = writeln!(
        s,
        "<h2 id=\"worth\">Where to invest</h2>\n<p class=\"sub\">Each component and each \
         response parameter changed in the baseline, {} runs each, paired run by run with it \
         (common random numbers), as <code>faultline importance</code> measures them. {counted} \
         <b>Cost RRW</b>: the baseline's cost over the cost with the component perfect; \
         <b>cost RAW</b>: the cost with it failed for good over the baseline's.</p>",
        r.runs
    );
    for c in charts {
        let _ = writeln!(
            s,
            "<figure id=\"chart-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
            escape(&c.name),
            c.inline_svg(),
            escape(&c.caption)
        );
    }
    if r.components.is_empty() {
        s.push_str("<p>No component has fault modes of its own: there is nothing to perfect or fail.</p>\n");
    } else {
        components_table(s, r);
    }
    levers_table(s, r);
}

/// The components' table.
fn components_table(s: &mut String, r: &Report) {
    let m = r.measure;
    s.push_str(
        "<table class=\"worth\">\n<tr><th>component</th><th>perfect saves/year</th>\
         <th>cost RRW</th><th>failed for good costs/year</th><th>cost RAW</th></tr>\n",
    );
    for w in &r.components {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&w.component),
            escape(&m.amount_ci(&w.perfect_per_year)),
            ratio(w.cost_rrw),
            escape(&(w.failed_per_year.as_ref()).map_or("—".into(), |f| m.amount_ci(f))),
            w.cost_raw.map_or("—".into(), ratio)
        );
    }
    s.push_str("</table>\n");
}

/// The levers' table, when there are any.
fn levers_table(s: &mut String, r: &Report) {
    let m = r.measure;
    if r.levers.is_empty() {
        return;
    }
    s.push_str(
        "<table class=\"levers\">\n<tr><th>parameter</th><th>improvement</th>\
         <th>saves/year</th><th>per unit</th><th>10% worse costs/year</th></tr>\n",
    );
    for l in &r.levers {
        let _ = writeln!(
            s,
            "<tr><td class=\"wrap\">{}</td><td class=\"about\">{}</td><td>{}</td>\
             <td class=\"wrap\">{}</td><td>{}</td></tr>",
            escape(&l.name()),
            escape(&l.change),
            escape(&m.amount_ci(&l.saves_per_year)),
            escape(&format!("{} per {}", m.amount(l.per_unit_per_year), l.unit)),
            escape(&(l.worse_costs_per_year.as_ref()).map_or("—".into(), |w| m.amount_ci(w)))
        );
    }
    s.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(mean: f64) -> MeanCi {
        MeanCi { mean, ci95: 1.0 }
    }

    fn report() -> Report {
        Report {
            scenario: "s<x>".into(),
            runs: 100,
            seed: 1,
            measure: Measure::Cost,
            cost_per_year: ci(1000.0),
            components: (0..20)
                .map(|k| Worth {
                    component: format!("c{k}"),
                    perfect_per_year: ci(k as f64),
                    cost_rrw: 1.5,
                    failed_per_year: (k % 2 == 0).then(|| ci(10.0 * k as f64)),
                    cost_raw: (k % 2 == 0).then_some(2.0),
                })
                .collect(),
            levers: vec![Lever {
                parameter: "spare deploy".into(),
                strategy: Some("mobile".into()),
                change: "10% faster: 2d → 1d 19h".into(),
                saves_per_year: ci(50.0),
                unit: "hour".into(),
                per_unit_per_year: 10.0,
                worse: None,
                worse_costs_per_year: None,
            }],
        }
    }

    #[test]
    fn tornadoes_keep_the_largest_savings_and_the_section_lists_every_row() {
        let r = report();
        let charts = tornadoes(&r).unwrap();
        assert_eq!(charts.len(), 2);
        // plotters writes each label on a line of its own.
        assert!(
            charts[0].svg.contains("\nc19\n"),
            "the largest saving shown"
        );
        assert!(
            !charts[0].svg.contains("\nc1\n"),
            "small savings left to the table"
        );
        let mut s = String::new();
        section(&mut s, &r, &charts);
        assert!(s.contains("<td>c1</td>") && s.contains("<td>c19</td>"));
        assert!(s.contains("spare deploy (mobile)"));
        assert!(s.contains("s&lt;x&gt;"), "escaped: {}", &s[..200]);
        assert_eq!(s.matches("<figure").count(), 2);
    }

    #[test]
    fn text_lists_the_slip_and_the_strategy() {
        let t = render_text(&report(), 3, Layout::default());
        assert!(t.contains("spare deploy (mobile)"), "{t}");
        assert!(t.contains("17 more components"), "{t}");
    }

    #[test]
    fn a_scenario_without_fault_modes_says_so() {
        let mut r = report();
        r.components.clear();
        r.levers.clear();
        let t = render_text(&r, 10, Layout::default());
        assert!(t.contains("No component has fault modes"), "{t}");
        assert!(!t.contains("cost RRW"), "{t}");
        let mut s = String::new();
        section(&mut s, &r, &tornadoes(&r).unwrap());
        assert!(s.contains("No component has fault modes") && !s.contains("<table"));
    }
}
