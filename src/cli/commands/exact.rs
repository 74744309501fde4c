//! `run --exact`: each service's exact probability of failing by the horizon, from the
//! scenario's static structure, beside the simulated share of runs in which it failed.

use crate::cli::error::CliError;
use faultline_report::json::{ShareCi, SummaryJson};
use faultline_report::tables::{Layout, table};
use faultline_scenario::import::is_dft;
use faultline_scenario::structure::structure;
use faultline_scenario::validate;
use serde::Serialize;
use std::path::Path;

/// One figure of one service: exact and simulated.
#[derive(Serialize)]
pub(crate) struct Row {
    service: String,
    /// What is compared: `P(failed by the horizon)` or `availability`.
    measure: &'static str,
    /// The exact value.
    exact: f64,
    /// The simulated estimate, with its 95% interval.
    simulated: ShareCi,
    /// Whether the exact value is inside the interval.
    agree: bool,
}

impl Row {
    fn new(service: &str, measure: &'static str, exact: f64, simulated: ShareCi) -> Row {
        let agree = simulated.lo95 <= exact && exact <= simulated.hi95;
        Row {
            service: service.to_string(),
            measure,
            exact,
            simulated,
            agree,
        }
    }
}

const FAILED: &str = "P(failed by the horizon)";

/// The rows, or why there is no exact value.
pub(crate) type Exact = Result<Vec<Row>, String>;

/// One service's exact values.
pub(crate) struct Values {
    /// The service.
    pub(crate) service: String,
    /// P(failed by the horizon), where there is one.
    pub(crate) failed: Option<f64>,
    /// Availability over the horizon, for a repaired model solved as a Markov chain.
    pub(crate) availability: Option<f64>,
}

/// Each service's exact values, from the baseline of `scenario` (a horizon of
/// `horizon_s` seconds for a Galileo DFT, whose file has none), or why there are none.
pub(crate) fn values(
    scenario: &Path,
    strategy: Option<&str>,
    horizon_s: f64,
) -> Result<Vec<Values>, String> {
    if strategy.is_some() {
        return Err("the exact values are the baseline's; run without --strategy".into());
    }
    // A Galileo DFT is solved by its own Markov chain, dynamic gates and all.
    if is_dft(scenario) {
        return dft_chain(scenario, horizon_s);
    }
    let name = scenario.to_string_lossy();
    let text = validate::read(scenario).map_err(|e| e.to_string())?;
    let sc = validate::parse(&name, &text).map_err(|e| e.to_string())?;
    let st = structure(&sc).map_err(|e| e.to_string())?;
    let mut all = vec![];
    for (service, tree) in &st.services {
        if st.exact_in_time {
            let limit = faultline_ftree::Settings::default().node_limit;
            let exact = faultline_ftree::probability(tree, limit).map_err(|e| e.to_string())?;
            all.push(Values {
                service: service.clone(),
                failed: Some(exact),
                availability: None,
            });
            continue;
        }
        let Some(rates) = &st.rates else {
            return Err(
                "faults are repaired, not all at constant rates starting at once: \
                        no exact solution (the static probabilities are unavailabilities)"
                    .into(),
            );
        };
        let horizon = sc.horizon.secs();
        let x = faultline_ftree::markov::solve(tree, rates, horizon).map_err(|e| e.to_string())?;
        all.push(Values {
            service: service.clone(),
            failed: x.unreliability,
            availability: Some(1.0 - x.interval_unavailability),
        });
    }
    Ok(all)
}

/// Compares the simulated summary `j` of `scenario` with its exact values.
pub(crate) fn compare(scenario: &Path, strategy: Option<&str>, j: &SummaryJson) -> Exact {
    let base = j.strategies.first().ok_or("no results")?;
    let runs = j.runs;
    let mut rows = vec![];
    for v in values(scenario, strategy, j.horizon_s)? {
        let sim = (base.services.iter())
            .find(|s| s.id == v.service)
            .or_else(|| base.services.first().filter(|_| is_dft(scenario)))
            .ok_or("service missing from the results")?;
        let failed = ShareCi::of((sim.failure_probability * runs as f64).round() as u64, runs);
        if let Some(exact) = v.availability {
            let a = &sim.availability;
            let availability = ShareCi {
                share: a.mean,
                lo95: a.mean - a.ci95,
                hi95: a.mean + a.ci95,
            };
            rows.push(Row::new(&sim.id, "availability", exact, availability));
        }
        if let Some(exact) = v.failed {
            rows.push(Row::new(&sim.id, FAILED, exact, failed));
        }
    }
    Ok(rows)
}

/// The comparison as a table after the summary.
pub(crate) fn render(x: &Exact, layout: Layout) -> String {
    let mut s =
        String::from("\nExact (the static structure, or its Markov chain: docs/fault-trees.md)\n");
    match x {
        Err(why) => s += &format!("  no exact value: {why}\n"),
        Ok(rows) => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.service.clone(),
                        r.measure.to_string(),
                        format!("{:.6}", r.exact),
                        format!(
                            "{:.6} [{:.6}, {:.6}]",
                            r.simulated.share, r.simulated.lo95, r.simulated.hi95
                        ),
                        if r.agree {
                            "yes".into()
                        } else {
                            "no: outside the 95% interval".into()
                        },
                    ]
                })
                .collect();
            s += &table(
                &["service", "measure", "exact", "simulated (95% CI)", "agree"],
                &cells,
                layout,
            );
        }
    }
    s
}

/// The summary's JSON with an `exact` key: the rows, or `{"none": why}`.
pub(crate) fn with_json(j: &SummaryJson, x: &Exact) -> Result<String, CliError> {
    let mut v = serde_json::to_value(j).map_err(|e| CliError::Other(e.to_string()))?;
    let exact = match x {
        Ok(rows) => serde_json::to_value(rows).map_err(|e| CliError::Other(e.to_string()))?,
        Err(why) => serde_json::json!({ "none": why }),
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("exact".into(), exact);
    }
    serde_json::to_string_pretty(&v).map_err(|e| CliError::Other(e.to_string()))
}

/// A Galileo DFT run directly: its Markov chain's unreliability at the horizon (its rates
/// are per hour, as `import` reads them). Its one service is its top event.
fn dft_chain(file: &Path, horizon_s: f64) -> Result<Vec<Values>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let dft = faultline_dft::parse(&text).map_err(|e| e.to_string())?;
    let hours = horizon_s / 3600.0;
    let exact = faultline_dft::analyze(&dft, hours, crate::cli::args::MAX_STATES)
        .map_err(|e| e.to_string())?;
    Ok(vec![Values {
        service: String::new(),
        failed: Some(exact.unreliability),
        availability: None,
    }])
}
