//! The HTML report of `compare`: one self-contained file (`report.html`).
//!
//! Everything is inline (styles, SVG charts) and nothing is fetched, so the file opens
//! offline and can be mailed or attached to a ticket as it is. It leads with a one-sentence
//! verdict (which strategy wins and by how much), then the ranking with every number the
//! terminal shows, the charts, the scenario and its assumptions, the single points of
//! failure, where the baseline's risk is (for a scenario with a static structure), where to
//! invest (with `--importance`), and the exact command, seed and version that reproduce it.

use crate::ReportError;
use crate::charts::{self, Chart, Curve};
use crate::json::SummaryJson;
use crate::output;
use crate::tables::{pct, pct_ci, per_run, verdict};
use faultline_core::analysis;
use faultline_core::model::Model;
use faultline_core::montecarlo::Summary;
use faultline_units::human;
use faultline_units::number::{count, money_short, thousands};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Everything the report shows, gathered by the caller: the command line and the
/// scenario text are known only to the command that ran the study.
pub struct Inputs<'a> {
    /// The baseline model (scenario name, about).
    pub model: &'a Model,
    /// The scenario's stated assumptions.
    pub assumptions: &'a [String],
    /// The study's summary, all strategies.
    pub summary: &'a SummaryJson,
    /// Single points of failure of the baseline.
    pub spofs: &'a analysis::Report,
    /// Where the baseline's risk is, one entry per service of its static structure; empty
    /// (and no section) for a scenario without one.
    pub risk: &'a [RiskSection],
    /// What each component and response parameter is worth a year (`compare
    /// --importance`); no section without it.
    pub worth: Option<&'a crate::worth::Report>,
    /// Charts to inline.
    pub charts: &'a [Chart],
    /// The command that reproduces the study.
    pub command: &'a str,
    /// A fingerprint of the scenario text, so a reader can tell the file changed since.
    pub scenario_hash: u64,
    /// Runs to watch: explorer pages written beside the report (`explore`), linked from it.
    pub watch: &'a [Watch],
}

/// An explorer page of one run, written beside the report.
pub struct Watch {
    /// What the run is ("the worst run: run 1007, $134,570,120").
    pub label: String,
    /// The page's file name, beside report.html.
    pub file: String,
}

/// Where the baseline's risk is, for one service of a scenario with a static (Boolean)
/// structure: its minimal cut sets and its events' importance, as numbers.
///
/// The caller works them out (with `faultline_ftree`) and hands over the answers alone:
/// this crate sits below the fault-tree and scenario crates and must not depend on them
/// (tests/architecture.rs), so it takes plain data, as it takes [`SummaryJson`].
pub struct RiskSection {
    /// The service, the tree's top event.
    pub service: String,
    /// Whether the events are repaired: their probabilities are then steady-state
    /// unavailabilities, and P(top) the service's; otherwise each is P(it has happened by
    /// the horizon), and P(top) P(the service has failed by the horizon).
    pub repaired: bool,
    /// The exact P(top); `None` when the decision diagram was too large to build (then
    /// there is no importance either).
    pub p_top: Option<f64>,
    /// Every minimal cut set, most probable first.
    pub cut_sets: Vec<RiskCutSet>,
    /// Every basic event's importance, highest Fussell–Vesely first.
    pub importance: Vec<RiskEvent>,
}

/// A minimal cut set: events that, all failed together, fail the service, none to spare.
pub struct RiskCutSet {
    /// Its events' names (`component/mode`, or a common cause).
    pub events: Vec<String>,
    /// The probability that all of them are failed.
    pub probability: f64,
}

/// One basic event's importance measures.
pub struct RiskEvent {
    /// The event's name.
    pub event: String,
    /// Birnbaum: P(top | the event failed) − P(top | it works).
    pub birnbaum: f64,
    /// Fussell–Vesely: P(the event failed | top failed), its part in the risk.
    pub fussell_vesely: f64,
    /// Risk achievement worth: P(top | the event failed) / P(top).
    pub raw: f64,
    /// Risk reduction worth: P(top) / P(top | it works); infinite when every way to fail
    /// goes through it.
    pub rrw: f64,
}

/// Rows of each risk table the report shows; `faultline analyze` lists them all.
const RISK_ROWS: usize = 10;

/// Draws the charts of a comparison and writes them with `report.html` into `dir`;
/// returns the files written. `x.charts` is ignored: the charts are drawn here.
pub fn write_compare(
    dir: &Path,
    summaries: &[Summary],
    x: &Inputs,
) -> Result<Vec<PathBuf>, ReportError> {
    let j = x.summary;
    let curves = j
        .strategies
        .iter()
        .zip(summaries)
        .map(|(st, su)| Curve {
            name: &st.name,
            hist: &su.downtime_hist,
        })
        .collect();
    let mut list = vec![
        charts::cost_bars(&j.scenario, &j.strategies)?,
        charts::downtime_cdf(&j.scenario, j.runs, curves)?,
    ];
    if !x.model.queues.is_empty() {
        // Bands across runs for every strategy; one traced run of the baseline.
        let bands: Vec<Vec<charts::Band>> = (0..x.model.queues.len())
            .map(|k| {
                j.strategies
                    .iter()
                    .zip(summaries)
                    .filter_map(|(st, su)| {
                        su.queues.get(k).map(|q| charts::Band {
                            name: &st.name,
                            grid: &q.grid,
                            series: &q.series,
                        })
                    })
                    .collect()
            })
            .collect();
        let run = crate::trace::record(x.model, j.seed, 0);
        list.extend(charts::queue_charts(x.model, &bands, &run.queue_samples)?);
    }
    let worth = match x.worth {
        Some(w) => crate::worth::tornadoes(w)?,
        None => vec![],
    };
    let mut files = vec![];
    for c in list.iter().chain(&worth) {
        files.extend(c.write(dir)?);
    }
    let html = render_with(
        &Inputs {
            charts: &list,
            ..*x
        },
        &worth,
    );
    files.push(output::save(&dir.join("report.html"), html.as_bytes())?);
    Ok(files)
}

/// Links to the explorer pages of runs worth watching (none: no section).
fn watch(s: &mut String, runs: &[Watch]) {
    if runs.is_empty() {
        return;
    }
    s.push_str(
        "<h2>Watch a run</h2>\n<p class=\"sub\">Each page plays one run on the dependency \
         graph, under every strategy (the same faults), with its trace beside it.</p>\n<ul id=\"watch\">\n",
    );
    for w in runs {
        let _ = writeln!(
            s,
            "<li><a href=\"{}\">{}</a></li>",
            escape(&w.file),
            escape(&w.label)
        );
    }
    s.push_str("</ul>\n");
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page's style sheet, inline so that the file is complete on its own.
const STYLE: &str = r#"
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1e1e1e;
       max-width: 1080px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.sub { color: #555; margin-top: 0; }
.verdict { font-size: 1.25em; background: #eef6ee; border-left: 6px solid #2e8b57;
           padding: 0.8em 1em; margin: 1.2em 0; }
.verdict.none { background: #f6f1e7; border-left-color: #c08a2e; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { padding: 0.35em 0.7em; border-bottom: 1px solid #e4e4e4; text-align: right;
         white-space: nowrap; }
th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
tr.best td { background: #eef6ee; font-weight: bold; }
tr.baseline td { color: #555; }
td.about { text-align: left; white-space: normal; color: #444; }
td.wrap { white-space: normal; }
figure { margin: 1.2em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
.spof { color: #b22; }
"#;

/// The one-sentence verdict: who wins, by how much, and how sure we are. Returns whether
/// a strategy beats the baseline, the winner's name (empty when none does) and the rest of
/// the sentence after the name.
pub fn verdict_sentence(j: &SummaryJson) -> (bool, String, String) {
    let money = money_short;
    let (by_cost, order) = crate::tables::ranked(j);
    let base = &j.strategies[0];
    let best = order[0];
    if !by_cost && j.strategies.len() > 1 {
        // No cost model: say it in downtime.
        if best.name == base.name {
            return (
                false,
                String::new(),
                "No strategy shortens the baseline's downtime.".to_string(),
            );
        }
        let d = &best.paired_downtime_diff_s;
        return (
            true,
            best.name.clone(),
            format!(
                " wins: mean downtime {} per run instead of {} for the baseline ({} ± {} less on the same runs).",
                human(best.downtime_s.mean),
                human(base.downtime_s.mean),
                human(-d.mean),
                human(d.ci95)
            ),
        );
    }
    if j.strategies.len() == 1 {
        return (
            false,
            String::new(),
            format!(
                "The scenario declares no strategies: the baseline costs {} per run.",
                money(base.cost.mean)
            ),
        );
    }
    if best.name == base.name {
        let next = order.get(1).expect("more than one strategy");
        return (
            false,
            String::new(),
            format!(
                "No strategy beats the baseline on expected cost: the cheapest alternative, {}, \
                 costs {} more per run ({} against {}).",
                next.name,
                money(next.paired_cost_diff.mean),
                money(next.cost.mean),
                money(base.cost.mean)
            ),
        );
    }
    let d = &best.paired_cost_diff;
    let sure = match verdict(d) {
        "cheaper" => "a difference well outside the 95% confidence interval",
        _ => "though the 95% confidence interval does not rule out no difference",
    };
    let runner = order
        .get(1)
        .map(|r| {
            format!(
                " Runner-up: {} at {} per run{}",
                r.name,
                money(r.cost.mean),
                crate::tables::runner_up_words(j)
            )
        })
        .unwrap_or_default();
    (
        true,
        best.name.clone(),
        format!(
            " wins: {} per run against {} for the baseline, saving {} ± {} per run ({sure}), \
             with mean downtime {} instead of {}.{runner}",
            money(best.cost.mean),
            money(base.cost.mean),
            money(-d.mean),
            money(d.ci95),
            human(best.downtime_s.mean),
            human(base.downtime_s.mean)
        ),
    )
}

/// The report as one HTML document.
pub fn render(x: &Inputs) -> String {
    render_with(x, &[])
}

/// [`render`], with the tornado charts of `x.worth` drawn already.
fn render_with(x: &Inputs, worth: &[Chart]) -> String {
    let j = x.summary;
    let m = x.model;
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — faultline strategy comparison</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&j.scenario)
    );
    let _ = writeln!(
        s,
        "<h1>{}: which mitigation wins?</h1>\n<p class=\"sub\">{} strategies × {} runs × {} \
         simulated, seed {}. Every strategy sees the same faults in run <i>k</i> (common random \
         numbers), so differences are paired.</p>",
        escape(&j.scenario),
        j.strategies.len(),
        thousands(j.runs as f64),
        escape(&human(j.horizon_s)),
        j.seed
    );
    let (wins, name, rest) = verdict_sentence(j);
    let name = if name.is_empty() {
        String::new()
    } else {
        format!("<b>{}</b>", escape(&name))
    };
    let _ = writeln!(
        s,
        "<p class=\"verdict{}\" id=\"verdict\">{name}{}</p>",
        if wins { "" } else { " none" },
        escape(&rest)
    );

    ranking(&mut s, j);
    watch(&mut s, x.watch);

    s.push_str("<h2>Charts</h2>\n");
    for c in x.charts {
        let _ = writeln!(
            s,
            "<figure id=\"chart-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
            escape(&c.name),
            c.inline_svg(),
            escape(&c.caption)
        );
    }

    outages(&mut s, j);
    latent(&mut s, j);
    people(&mut s, j);

    scenario(&mut s, x);

    spofs(&mut s, m, x.spofs);
    risk(&mut s, x.risk);
    if let Some(w) = x.worth {
        crate::worth::section(&mut s, w, worth);
    }

    reproduce(&mut s, x);
    s.push_str("</body>\n</html>\n");
    s
}

/// The scenario: what it is about, its size, and its stated assumptions.
fn scenario(s: &mut String, x: &Inputs) {
    let m = x.model;
    s.push_str("<h2>The scenario</h2>\n");
    if !m.about.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", escape(m.about.trim()));
    }
    let _ = writeln!(
        s,
        "<p>{}, {}, {}, {}, {}; horizon {}.</p>",
        count(m.comps.len() as u64, "component", "components"),
        count(m.edges.len() as u64, "dependency edge", "dependency edges"),
        count(m.slots.len() as u64, "fault mode", "fault modes"),
        count(
            m.common.len() as u64,
            "common-cause fault",
            "common-cause faults"
        ),
        count(
            m.services.len() as u64,
            "service users see",
            "services users see"
        ),
        escape(&human(m.horizon))
    );
    if !x.assumptions.is_empty() {
        s.push_str("<h3>Assumptions</h3>\n<ul>\n");
        for a in x.assumptions {
            let _ = writeln!(s, "<li>{}</li>", escape(a));
        }
        s.push_str("</ul>\n");
    }
}

/// The exact command, version, seed and runs, and a fingerprint of the scenario text.
fn reproduce(s: &mut String, x: &Inputs) {
    let j = x.summary;
    s.push_str("<h2>Reproduce</h2>\n");
    let _ = writeln!(
        s,
        "<pre>{}</pre>\n<p>faultline {} · seed {} · {} runs · scenario fingerprint {:016x}. \
         Results are byte-identical for the same scenario, seed and runs, whatever the number \
         of threads.</p>",
        escape(x.command),
        env!("CARGO_PKG_VERSION"),
        j.seed,
        j.runs,
        x.scenario_hash
    );
}

/// The ranking table, with the same cells as the terminal's ([`crate::tables::ranking_cells`]).
fn ranking(s: &mut String, j: &SummaryJson) {
    let (by_cost, order) = crate::tables::ranked(j);
    let base = &j.strategies[0].name;
    if by_cost {
        s.push_str(
            "<h2>Ranking by expected cost per run</h2>\n<table id=\"ranking\">\n<tr><th>strategy</th>\
             <th>cost/run (95% CI)</th><th>vs baseline (paired, 95% CI)</th><th>availability</th></tr>\n",
        );
    } else {
        s.push_str(
            "<h2>Ranking by downtime per run (the scenario has no cost model)</h2>\n<table id=\"ranking\">\n\
             <tr><th>strategy</th><th>downtime/run</th><th>vs baseline (paired, 95% CI)</th><th>availability</th></tr>\n",
        );
    }
    for (k, x) in order.iter().enumerate() {
        let class = if k == 0 && &x.name != base {
            " class=\"best\""
        } else if &x.name == base {
            " class=\"baseline\""
        } else {
            ""
        };
        let (value, diff) = crate::tables::ranking_cells(x, &x.name == base, by_cost);
        let _ = writeln!(
            s,
            "<tr{class}><td>{}. {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            k + 1,
            escape(&x.name),
            escape(&value),
            escape(&diff),
            escape(&pct_ci(&x.availability))
        );
    }
    s.push_str("</table>\n");
}

/// How long outages lasted and how the response went, per strategy; then what each
/// strategy does, in its own words.
fn outages(s: &mut String, j: &SummaryJson) {
    let (_, order) = crate::tables::ranked(j);
    s.push_str(
        "<h2>Outages and response</h2>\n<p class=\"sub\">Downtime per run (time with at least \
         one service failed) as percentiles over runs; MTTD, restore and repair are means over \
         failures.</p>\n<table id=\"outages\">\n<tr><th>strategy</th><th>down p50</th><th>p90</th>\
         <th>p99</th><th>P(failure)</th><th>MTTD</th><th>restore</th><th>repair</th>\
         <th>user-min/run</th><th>resp-h/run</th></tr>\n",
    );
    let opt = |x: Option<f64>| match x {
        Some(v) if v.is_finite() => human(v),
        _ => "n/a".to_string(),
    };
    for x in &order {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{:.1}</td></tr>",
            escape(&x.name),
            human(x.downtime_s.p50),
            human(x.downtime_s.p90),
            human(x.downtime_s.p99),
            pct(x.failure_probability),
            opt(x.mttd_s),
            human(x.mttm_s),
            human(x.mttr_s),
            thousands(x.user_minutes.mean),
            x.responder_hours.mean
        );
    }
    s.push_str("</table>\n<h2>What each strategy does</h2>\n<table id=\"strategies\">\n");
    for x in &j.strategies {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"about\">{}</td></tr>",
            escape(&x.name),
            escape(&x.about)
        );
    }
    s.push_str("</table>\n");
}

/// Latent faults per strategy, when any strategy has latent faults, failures on demand or
/// inspections: what inspections and demands found, and how ready each watched component
/// was.
fn latent(s: &mut String, j: &SummaryJson) {
    let (_, order) = crate::tables::ranked(j);
    if order.iter().all(|x| x.hidden.is_none()) {
        return;
    }
    s.push_str(
        "<h2>Latent faults</h2>\n<p class=\"sub\">Per run: inspections, latent faults they found, \
         latent faults revealed on demand (in the middle of an incident) and faults that happened \
         on demand; how long a latent fault stayed hidden; and the share of time each component \
         would have failed if called on.</p>\n<table id=\"latent\">\n<tr><th>strategy</th>\
         <th>inspections</th><th>found</th><th>revealed on demand</th><th>failed on demand</th>\
         <th>hidden for</th><th>would fail if called on</th></tr>\n",
    );
    for x in &order {
        let Some(h) = &x.hidden else {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td colspan=\"6\">nothing latent</td></tr>",
                escape(&x.name)
            );
            continue;
        };
        let unready: Vec<String> = h
            .unready
            .iter()
            .map(|u| format!("{} {}", u.id, pct_ci(&u.share)))
            .collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            escape(&x.name),
            per_run(h.inspections.mean),
            per_run(h.found_by_inspection.mean),
            per_run(h.revealed_on_demand.mean),
            per_run(h.failed_on_demand.mean),
            h.mean_hidden_s.map_or("n/a".to_string(), human),
            escape(&unready.join(", "))
        );
    }
    s.push_str("</table>\n");
}

/// The people in the loop per strategy, when any strategy models fatigue, teams or
/// procedures: responder-hours, diagnosis, fatigue, shifts, slips.
fn people(s: &mut String, j: &SummaryJson) {
    let (_, order) = crate::tables::ranked(j);
    if order.iter().all(|x| x.people.is_none()) {
        return;
    }
    s.push_str(
        "<h2>The people in the loop</h2>\n<p class=\"sub\">Per run: responder-hours; the mean \
         time from a page to the diagnosis; the mean fatigue factor diagnoses started at (1: \
         fresh); the longest shift anyone worked; the share of procedures that failed (a step \
         skipped or done wrong) and the second faults wrong steps set off.</p>\n\
         <table id=\"people\">\n<tr><th>strategy</th><th>responder-hours</th>\
         <th>to diagnose</th><th>fatigue</th><th>longest shift</th><th>procedures failed</th>\
         <th>second faults</th></tr>\n",
    );
    for x in &order {
        let Some(p) = &x.people else {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{:.1}</td><td colspan=\"5\">not modelled</td></tr>",
                escape(&x.name),
                x.responder_hours.mean
            );
            continue;
        };
        let cells: Vec<String> = (crate::tables::people_cells(p).iter())
            .map(|c| format!("<td>{}</td>", escape(c)))
            .collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{:.1}</td>{}</tr>",
            escape(&x.name),
            x.responder_hours.mean,
            cells.concat()
        );
    }
    s.push_str("</table>\n");
}

/// The single points of failure of the scenario as written: what no strategy's
/// redundancy covers unless it adds some.
fn spofs(s: &mut String, m: &Model, r: &analysis::Report) {
    s.push_str("<h2>Single points of failure</h2>\n");
    if r.components.is_empty() && r.common.is_empty() {
        s.push_str("<p>None: every component is covered by redundancy.</p>\n");
        return;
    }
    s.push_str(
        "<p>Each of these alone fails a service users see (in the scenario as written):</p>\n<ul>\n",
    );
    let names = |v: &[u32]| {
        v.iter()
            .map(|&c| m.comps[c as usize].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for sp in &r.components {
        let note = if sp.can_fail {
            ""
        } else {
            " (no fault modes declared)"
        };
        let _ = writeln!(
            s,
            "<li class=\"spof\"><b>{}</b> → {}{note}</li>",
            escape(&m.comps[sp.index as usize].id),
            escape(&names(&sp.services))
        );
    }
    for sp in &r.common {
        let _ = writeln!(
            s,
            "<li class=\"spof\">common-cause fault <b>{}</b> defeats redundancy: it alone fails {}</li>",
            escape(&m.common[sp.index as usize].name),
            escape(&names(&sp.services))
        );
    }
    s.push_str("</ul>\n");
}

/// Where the baseline's risk is, per service with a static structure: the most probable
/// minimal cut sets and the most important events. Nothing without a static structure.
fn risk(s: &mut String, sections: &[RiskSection]) {
    if sections.is_empty() {
        return;
    }
    s.push_str(
        "<h2 id=\"risk\">Where the baseline's risk is</h2>\n<p class=\"sub\">The baseline read \
         as a fault tree per service, solved exactly rather than simulated. A <i>cut set</i> is \
         a set of basic events (a component's fault mode, or a common cause) that, all failed \
         at once, fail the service; it is minimal when no event in it can be spared. The \
         likeliest cut sets are where failures come from; an order-one cut set is a single \
         point of failure.</p>\n",
    );
    let more = |n: usize, what: &str| {
        format!(
            "<p class=\"sub\">{n} more {what}{} not shown: <code>faultline analyze</code> on \
             the scenario lists them all.</p>\n",
            if n == 1 { "" } else { "s" }
        )
    };
    for r in sections {
        let service = escape(&r.service);
        let measure = if r.repaired {
            "Events are repaired, so each probability is the event's steady-state \
             unavailability (the share of time it is down) and P(top) is the service's."
        } else {
            "Nothing is repaired, so each probability is P(the event has happened by the \
             horizon) and P(top) is P(the service has failed by the horizon)."
        };
        let top = r.p_top.map_or(
            " P(top) is too large to work out exactly.".to_string(),
            |p| format!(" P(top) = {}.", faultline_units::scientific(p, 4)),
        );
        let _ = writeln!(
            s,
            "<h3>Service {service}</h3>\n<p>{}{}</p>",
            escape(measure),
            escape(&top)
        );
        let _ = writeln!(
            s,
            "<table class=\"cut-sets\">\n<tr><th>cut set</th><th>probability</th>\
             <th>share of P(top)</th></tr>"
        );
        for c in r.cut_sets.iter().take(RISK_ROWS) {
            let share = match r.p_top {
                Some(top) if top > 0.0 => match 100.0 * c.probability / top {
                    x if x > 0.0 && x < 0.05 => "&lt; 0.1%".to_string(),
                    x => format!("{x:.1}%"),
                },
                _ => "–".to_string(),
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{share}</td></tr>",
                escape(&c.events.join(" · ")),
                faultline_units::scientific(c.probability, 4)
            );
        }
        s.push_str("</table>\n");
        if r.cut_sets.len() > RISK_ROWS {
            s.push_str(&more(r.cut_sets.len() - RISK_ROWS, "cut set"));
        }
        if r.importance.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<p>The events, most important first. <b>Fussell–Vesely</b>: the probability that \
             the event is among the failures when {service} has failed, its part in the risk. \
             <b>Birnbaum</b>: how much P(top) rises from the event working to it failed. \
             <b>RAW</b> (risk achievement worth): how many times likelier the failure is with \
             the event certain to fail; <b>RRW</b> (risk reduction worth): how many times less \
             likely with it never failing (∞: every way to fail goes through it).</p>\n\
             <table class=\"importance\">\n<tr><th>event</th><th>Birnbaum</th>\
             <th>Fussell–Vesely</th><th>RAW</th><th>RRW</th></tr>"
        );
        // Four significant digits, zeros kept: an RRW of 1.0013 is not 1.00, a RAW of
        // 548.05 needs one decimal.
        let ratio = |x: f64| {
            if x.is_infinite() {
                "∞".to_string()
            } else if x == 0.0 || !x.is_finite() {
                x.to_string()
            } else {
                let decimals = (3 - x.abs().log10().floor() as i32).max(0) as usize;
                format!("{x:.decimals$}")
            }
        };
        for e in r.importance.iter().take(RISK_ROWS) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.event),
                if e.birnbaum >= 1e-3 {
                    faultline_units::significant(e.birnbaum, 3)
                } else {
                    faultline_units::scientific(e.birnbaum, 3)
                },
                e.fussell_vesely,
                ratio(e.raw),
                ratio(e.rrw)
            );
        }
        s.push_str("</table>\n");
        if r.importance.len() > RISK_ROWS {
            s.push_str(&more(r.importance.len() - RISK_ROWS, "event"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(n: usize) -> RiskSection {
        RiskSection {
            service: "a<b".into(),
            repaired: false,
            p_top: Some(0.5),
            cut_sets: (0..n)
                .map(|k| RiskCutSet {
                    events: vec![format!("e{k}"), "x&y".into()],
                    probability: 0.01 / (k + 1) as f64,
                })
                .collect(),
            importance: (0..n)
                .map(|k| RiskEvent {
                    event: format!("e{k}"),
                    birnbaum: 0.1,
                    fussell_vesely: 0.5 / (k + 1) as f64,
                    raw: 2.0,
                    rrw: f64::INFINITY,
                })
                .collect(),
        }
    }

    #[test]
    fn risk_shows_ten_rows_of_each_says_how_many_more_and_escapes() {
        let mut s = String::new();
        risk(&mut s, &[section(13)]);
        assert!(s.contains("<h3>Service a&lt;b</h3>"), "{s}");
        assert!(s.contains("Nothing is repaired"), "{s}");
        assert!(
            s.contains("<td>e0 · x&amp;y</td><td>1e-2</td><td>2.0%</td>"),
            "{s}"
        );
        assert!(s.contains("<td>e9 · x&amp;y</td>"), "{s}");
        assert!(!s.contains("<td>e10 · x&amp;y</td>"), "{s}");
        assert!(s.contains("3 more cut sets not shown"), "{s}");
        assert!(s.contains("<tr><td>e9</td>"), "{s}");
        assert!(!s.contains("<tr><td>e10</td>"), "{s}");
        assert!(s.contains("3 more events not shown"), "{s}");
        assert!(s.contains("<td>∞</td>"), "{s}");
        assert!(!s.contains("x&y"), "unescaped: {s}");

        let mut s = String::new();
        risk(&mut s, &[section(11)]);
        assert!(s.contains("1 more cut set not shown"), "{s}");

        let mut s = String::new();
        risk(&mut s, &[]);
        assert!(s.is_empty(), "{s}");
    }
}
