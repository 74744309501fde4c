//! `attack`: the attacks that hurt most, and which strategy defends best against them.

use super::threads;
use crate::attack::{Report, Search, SearchError, search};
use crate::cli::args::{Common, Effort, Print};
use crate::cli::error::CliError;
use crate::cli::load::{adjust, load_all};
use crate::progress::Progress;
use faultline_core::model::Model;
use faultline_core::montecarlo::Study;
use faultline_report::tables::{Layout, table};
use faultline_scenario::validate;
use faultline_units::number::count;
use faultline_units::{human, money};
use std::io::Write;

/// What `attack` searches, from its flags.
pub(crate) struct AttackOptions {
    /// Targets lost together.
    pub(crate) k: usize,
    /// Attack times, seconds (empty: a tenth of the horizon).
    pub(crate) at: Vec<f64>,
    /// An operating phase to attack during (`--during`).
    pub(crate) during: Option<String>,
    /// Ranking rows printed.
    pub(crate) top: usize,
    /// Worst attacks that get every strategy run against them.
    pub(crate) defend: usize,
    /// Most attacked models simulated.
    pub(crate) limit: usize,
    /// A beam search of this width instead of every set.
    pub(crate) beam: Option<usize>,
}

/// Attack times within phase `name`'s first occurrence in the planned timeline (aborts
/// aside): its start, and a quarter, half and three quarters through it, before the
/// horizon.
fn phase_times(m: &Model, name: &str) -> Result<Vec<f64>, String> {
    let Some(ph) = &m.phases else {
        return Err("the scenario has no phases".to_string());
    };
    let Some(k) = ph.list.iter().position(|p| p.name == name) else {
        let names: Vec<&str> = ph.list.iter().map(|p| p.name.as_str()).collect();
        return Err(format!(
            "no phase of that name; it has: {}",
            names.join(", ")
        ));
    };
    let start: f64 = ph.list[..k].iter().map(|p| p.lasts).sum();
    if start >= m.horizon {
        return Err(format!(
            "the phase begins at {}, after the horizon ({})",
            human(start),
            human(m.horizon)
        ));
    }
    let last = k + 1 == ph.list.len() && !ph.cycle;
    let end = if last {
        m.horizon
    } else {
        (start + ph.list[k].lasts).min(m.horizon)
    };
    Ok([0.0, 0.25, 0.5, 0.75]
        .iter()
        .map(|f| start + f * (end - start))
        .collect())
}

/// Runs the search and prints the ranking and the defences (tables, or JSON).
pub(crate) fn attack(
    out: &mut impl Write,
    common: &Common,
    o: &AttackOptions,
    effort: &Effort,
    print: &Print,
) -> Result<(), CliError> {
    // Checks the scenario (located errors, warnings) as every command does.
    let loaded = load_all(&common.scenario, Some(common))?;
    let base = &loaded.models[0];
    let file = common.scenario.to_string_lossy();
    let sc = validate::parse(&file, &loaded.text)?;
    let horizon = base.horizon;
    let mut at = o.at.clone();
    if let Some(name) = &o.during {
        at.extend(phase_times(base, name).map_err(|m| {
            CliError::Usage(format!(
                "{}: --during {name}: {m}",
                common.scenario.display()
            ))
        })?);
    }
    if at.is_empty() {
        at.push(horizon / 10.0);
    }
    if let Some(t) = at.iter().find(|&&t| t >= horizon) {
        return Err(CliError::Usage(format!(
            "--at {}: the attack must come before the horizon ({})",
            human(*t),
            human(horizon)
        )));
    }
    let seed = common.seed.unwrap_or(base.seed);
    let runs = effort.runs.unwrap_or(base.runs);
    let study = Study::whole(seed, runs, threads(effort.threads));
    let bar = Progress::runs(runs, "attacking", common.quiet);
    let s = Search {
        k: o.k,
        at: &at,
        limit: o.limit,
        defend: o.defend,
        beam: o.beam,
    };
    let report = search(&sc, base, &s, study, &|m| adjust(m, Some(common)), &|n| {
        bar.set(n)
    });
    bar.finish();
    let report = report.map_err(|e| match e {
        SearchError::Usage(m) => CliError::Usage(format!("{}: {m}", common.scenario.display())),
        SearchError::Invalid(ps) => CliError::Usage(format!(
            "{}: an attacked scenario is invalid: {}",
            common.scenario.display(),
            ps.iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    })?;
    if print.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Other(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        out.write_all(render(&report, o.top, print.layout(false)).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// The ranking and the defences as text.
fn render(r: &Report, top: usize, layout: Layout) -> String {
    let times: Vec<String> = r.at_s.iter().map(|&t| human(t)).collect();
    let mut s = format!(
        "{} — sets of {} of {} lost together at {}, {} runs each (seed {}), {} ({})\n",
        r.scenario,
        r.k,
        count(r.targets.len() as u64, "target", "targets"),
        times.join(" or "),
        r.runs,
        r.seed,
        r.search,
        count(r.attacks.len() as u64, "attack", "attacks")
    );
    s +=
        "Each attack runs on the same runs as the scenario without it: what it adds is paired.\n\n";
    s += "Ranked by the expected cost each attack adds per run (95% CI)\n";
    let rows: Vec<Vec<String>> = r
        .attacks
        .iter()
        .take(top)
        .enumerate()
        .map(|(i, a)| {
            let mut row = vec![
                format!("{}.", i + 1),
                a.targets.join(" + "),
                format!(
                    "{} ± {}",
                    signed_money(a.extra_cost.mean),
                    money(a.extra_cost.ci95)
                ),
                format!(
                    "{} ± {}",
                    signed_duration(a.extra_downtime_s.mean),
                    human(a.extra_downtime_s.ci95)
                ),
                format!("{:.1}%", 100.0 * a.failure_probability),
            ];
            if r.at_s.len() > 1 {
                row.push(human(a.at_s));
            }
            row
        })
        .collect();
    let mut header = vec![
        "",
        "targets",
        "added cost/run",
        "added downtime/run",
        "P(failure)",
    ];
    if r.at_s.len() > 1 {
        header.push("worst time");
    }
    s += &table(&header, &rows, layout);
    if r.attacks.len() > top {
        s += &format!(
            "  ... {} more attacks; --top {} or --json shows them\n",
            r.attacks.len() - top,
            r.attacks.len()
        );
    }
    for d in &r.defended {
        s += &format!(
            "\nUnder {}: the strategies, cheapest first\n",
            d.targets.join(" + ")
        );
        let rows: Vec<Vec<String>> = d
            .strategies
            .iter()
            .map(|x| {
                vec![
                    x.strategy.clone(),
                    format!("{} ± {}", money(x.cost.mean), money(x.cost.ci95)),
                    if x.strategy == "baseline" {
                        "—".to_string()
                    } else {
                        format!(
                            "{} ± {}",
                            signed_money(x.vs_baseline.mean),
                            money(x.vs_baseline.ci95)
                        )
                    },
                ]
            })
            .collect();
        s += &table(
            &["strategy", "cost/run", "vs baseline (paired)"],
            &rows,
            layout,
        );
        if let Some(best) = d.strategies.first() {
            s += &format!("  Best defence: {}\n", best.strategy);
        }
    }
    s
}

/// `+$1,234` or `-$1,234`.
fn signed_money(x: f64) -> String {
    if x < 0.0 {
        format!("-{}", money(-x))
    } else {
        format!("+{}", money(x))
    }
}

/// `+3d 4h` or `-1m 6s`: a paired difference of durations.
fn signed_duration(x: f64) -> String {
    if x < 0.0 {
        format!("-{}", human(-x))
    } else {
        format!("+{}", human(x))
    }
}
