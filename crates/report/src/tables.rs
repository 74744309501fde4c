//! The terminal reports of a study: `run`'s summary and `compare`'s ranking, as tables.

use crate::json::{BurnFigures, BurnRuleJson, ComponentJson, MeanCi, StrategyJson, SummaryJson};
use faultline_core::model::Model;
use faultline_units::human;
use faultline_units::number::{count, money, signed_money, thousands, trim_number};
use std::fmt::Write;

/// How printed tables are laid out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layout {
    /// Fit the tables to this many columns, wrapping cells (a terminal); `None` prints
    /// every table at its full width (`--wide`, and whenever stdout is not a terminal, so
    /// pipes, files and tests see one stable layout).
    pub width: Option<u16>,
    /// Print every row of the tables that otherwise stop at [`ROWS`] (`--all`).
    pub all: bool,
}

impl Layout {
    /// `line` as it fits the terminal: wrapped at spaces into lines of at most `width`
    /// columns (continuations indented two), or as it is at full width.
    pub fn fit_line(&self, line: &str) -> String {
        let Some(width) = self.width.map(usize::from).filter(|&w| w >= 20) else {
            return line.to_string();
        };
        let mut out = String::new();
        let mut len = 0;
        for word in line.split(' ') {
            let w = word.chars().count();
            if len > 0 && len + 1 + w > width {
                out.push_str("\n  ");
                len = 2;
            } else if len > 0 {
                out.push(' ');
                len += 1;
            }
            out.push_str(word);
            len += w;
        }
        out
    }
}

/// Rows shown of the long tables (root faults, least healthy components) without `--all`.
pub const ROWS: usize = 10;

/// A table indented by two spaces, two spaces between columns, the first column
/// left-aligned and the others right-aligned, each as wide as its widest cell. With a
/// `layout.width` that the table exceeds, its columns are split into several tables that
/// fit, each repeating the first column (the row's name), so no name or number is ever
/// broken; a single column too wide even alone wraps at its spaces.
pub fn table(header: &[&str], rows: &[Vec<String>], layout: Layout) -> String {
    let cols = header.len();
    let width = |i: usize| {
        let cells = rows.iter().filter_map(|r| r.get(i));
        let widest = cells.map(|c| c.chars().count()).max().unwrap_or(0);
        widest.max(header[i].chars().count()) + 2
    };
    let widths: Vec<usize> = (0..cols).map(width).collect();
    let Some(limit) = layout.width.map(usize::from) else {
        return columns(header, rows, &(0..cols).collect::<Vec<_>>(), None);
    };
    let mut groups: Vec<Vec<usize>> = vec![vec![0]];
    let mut used = widths[0];
    for i in 1..cols {
        let last = groups.last_mut().expect("a group");
        if last.len() > 1 && used + widths[i] > limit {
            groups.push(vec![0, i]);
            used = widths[0] + widths[i];
        } else {
            last.push(i);
            used += widths[i];
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|g| columns(header, rows, g, Some(limit)))
        .collect();
    parts.join("\n")
}

/// The columns `which` of a table, at full width, or wrapped at spaces to fit `fit`.
fn columns(header: &[&str], rows: &[Vec<String>], which: &[usize], fit: Option<usize>) -> String {
    use comfy_table::{CellAlignment, ContentArrangement, Table, TableStyle};
    let pick = |r: &[String]| -> Vec<String> {
        which
            .iter()
            .map(|&i| r.get(i).cloned().unwrap_or_default())
            .collect()
    };
    let mut t = Table::new();
    t.load_style(TableStyle::new());
    t.set_header(which.iter().map(|&i| header[i]).collect::<Vec<_>>());
    t.add_rows(rows.iter().map(|r| pick(r)));
    for (i, c) in t.column_iter_mut().enumerate() {
        c.set_padding((2, 0));
        if i > 0 {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    match fit.and_then(|w| u16::try_from(w).ok()) {
        Some(w) => t
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(w),
        None => t.set_content_arrangement(ContentArrangement::Disabled),
    };
    let mut s = String::new();
    for line in t.lines() {
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// The first [`ROWS`] of `rows`, or all of them with `layout.all`; and the line that says
/// how many are hidden, when some are.
fn shown<T>(rows: &[T], layout: Layout, what: &str) -> (usize, Option<String>) {
    if layout.all || rows.len() <= ROWS {
        return (rows.len(), None);
    }
    let hidden = rows.len() - ROWS;
    let (verb, noun) = if hidden == 1 {
        ("is", what.to_string())
    } else {
        ("are", format!("{what}s"))
    };
    (
        ROWS,
        Some(format!(
            "  ... {hidden} more {noun} {verb} hidden; --all shows every one\n"
        )),
    )
}

/// Availability as a percentage with enough digits to see the nines.
pub fn pct_ci(m: &MeanCi) -> String {
    if m.mean.is_nan() {
        return "n/a".into();
    }
    format!("{:.4}% ± {:.4}%", 100.0 * m.mean, 100.0 * m.ci95)
}

/// A percentage with one decimal.
pub fn pct(x: f64) -> String {
    if x.is_nan() {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * x)
    }
}

/// Where a study's figures came from, for its heading: simulated here, or merged from
/// shard files (whose simulation time and threads were spent elsewhere).
#[derive(Clone, Copy, Debug)]
pub enum Provenance {
    /// Simulated by this process.
    Simulated {
        /// Wall-clock seconds.
        elapsed_s: f64,
        /// Worker threads.
        threads: usize,
    },
    /// Merged from this many shard files.
    Merged {
        /// Shard files.
        shards: usize,
    },
}

impl Provenance {
    /// "1,234 events in 0.50s on 2 threads", or "1,234 events, merged from 4 shards".
    fn describe(self, events: u64) -> String {
        let events = thousands(events as f64);
        match self {
            Provenance::Simulated { elapsed_s, threads } => format!(
                "{events} events in {elapsed_s:.2}s on {}",
                count(threads as u64, "thread", "threads")
            ),
            Provenance::Merged { shards } => format!(
                "{events} events, merged from {}",
                count(shards as u64, "shard", "shards")
            ),
        }
    }
}

/// The terminal report of a study: the baseline's figures for the site, its services,
/// queues and root faults, and the components least often healthy.
pub fn render(m: &Model, j: &SummaryJson, from: Provenance, layout: Layout) -> String {
    let b = &j.strategies[0];
    let mut s = String::new();
    heading(&mut s, m, j, from);
    site(&mut s, j, b);
    services(&mut s, b, layout);
    objectives(&mut s, b, layout);
    burns(&mut s, b, layout);
    phases(&mut s, b, layout);
    queues(&mut s, b, layout);
    schedule_phases(&mut s, b, layout);
    hidden(&mut s, b, layout);
    people(&mut s, b, layout);
    root_causes(&mut s, b, layout);
    least_healthy(&mut s, j, layout);
    s
}

/// The study in one line (what, how many runs, how long it took), the scenario's
/// description, and a warning when runs hit the event cap.
fn heading(s: &mut String, m: &Model, j: &SummaryJson, from: Provenance) {
    let _ = writeln!(
        s,
        "{} — {} runs × {}, seed {} ({})",
        j.scenario,
        thousands(j.runs as f64),
        human(j.horizon_s),
        j.seed,
        from.describe(j.events),
    );
    if !m.about.is_empty() {
        let _ = writeln!(s, "{}", m.about.trim());
    }
    if j.capped_runs > j.budget_runs {
        let _ = writeln!(
            s,
            "warning: {} run(s) hit the event cap of {} and stopped early; raise max_events or --max-events",
            j.capped_runs - j.budget_runs,
            m.max_events
        );
    }
    if j.budget_runs > 0 {
        let _ = writeln!(
            s,
            "warning: {} run(s) exceeded the memory budget of {} jobs and pending events and \
             stopped early: a queue that never drains (check its rate, workers and service time)",
            j.budget_runs,
            thousands(faultline_core::engine::MEMORY_BUDGET as f64)
        );
    }
}

/// "Any service failed": the site's availability, downtime, failures, restore time, users
/// affected and cost.
fn site(s: &mut String, j: &SummaryJson, b: &StrategyJson) {
    s.push('\n');
    let _ = writeln!(s, "Any service failed");
    let site = [
        ("availability", pct_ci(&b.availability)),
        (
            "downtime per run",
            format!(
                "mean {}   p50 {}   p90 {}   p99 {}",
                human(b.downtime_s.mean),
                human(b.downtime_s.p50),
                human(b.downtime_s.p90),
                human(b.downtime_s.p99)
            ),
        ),
        (
            "failures per run",
            format!(
                "{:.3}   P(at least one in {}) {}",
                b.failures.mean,
                human(j.horizon_s),
                pct(b.failure_probability)
            ),
        ),
        ("time to restore", format!("mean {}", human(b.mttm_s))),
        (
            "user-minutes/run",
            format!(
                "{} ± {}",
                thousands(b.user_minutes.mean),
                thousands(b.user_minutes.ci95)
            ),
        ),
        (
            "cost per run",
            format!("{} ± {}", money(b.cost.mean), money(b.cost.ci95)),
        ),
    ];
    for (k, v) in site {
        let _ = writeln!(s, "  {k:<18}{v}");
    }
}

/// One row per service users see.
fn services(s: &mut String, b: &StrategyJson, layout: Layout) {
    s.push('\n');
    let _ = writeln!(s, "Services");
    let rows: Vec<Vec<String>> = b
        .services
        .iter()
        .map(|x| {
            vec![
                x.id.clone(),
                thousands(x.users as f64),
                pct_ci(&x.availability),
                human(x.downtime_s.mean),
                human(x.downtime_s.p90),
                human(x.downtime_s.p99),
                format!("{:.3}", x.failures.mean),
                pct(x.failure_probability),
                thousands(x.user_minutes.mean),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "service",
            "users",
            "availability",
            "down mean",
            "p90",
            "p99",
            "failures",
            "P(fail)",
            "user-min",
        ],
        &rows,
        layout,
    ));
}

/// Each service's availability objective and each queue's latency objective, judged window
/// by window: how often it was met, the error budget used, and how likely a run is to miss
/// it at least once.
fn objectives(s: &mut String, b: &StrategyJson, layout: Layout) {
    let services = (b.services.iter()).filter_map(|x| {
        let o = x.objective.as_ref()?;
        let what = format!("{} over every {}", nines(o.availability), human(o.window_s));
        Some((&x.id, what, &o.judged))
    });
    let queues = (b.queues.iter()).filter_map(|x| {
        let o = x.objective.as_ref()?;
        let what = format!("{} over every {}", latency_objective(o), human(o.window_s));
        Some((&x.id, what, &o.judged))
    });
    for (id, what, w) in services.chain(queues) {
        let (met, used) = (&w.attainment, &w.budget_used);
        let _ = writeln!(
            s,
            "{}",
            layout.fit_line(&format!(
                "Objective {id}: {what} ({} windows per run): met in {} of windows \
                 (95% CI {}–{}); error budget used per window: mean {}, p50 {}, p90 {}, p99 {}; \
                 P(a window missed in a run) {}",
                w.windows_per_run,
                pct(met.share),
                pct(met.lo95),
                pct(met.hi95),
                pct(used.mean),
                pct(used.p50),
                pct(used.p90),
                pct(used.p99),
                pct(w.breach_probability.share),
            ))
        );
    }
}

/// A latency objective as people write it: "99% of requests within 300ms".
fn latency_objective(o: &crate::json::LatencyObjectiveJson) -> String {
    format!(
        "{} of requests within {}",
        nines(o.share),
        human(o.latency_s)
    )
}

/// A burn-rate rule as people write it: `14.4×/1h/5m`.
fn burn_rule(r: &BurnRuleJson) -> String {
    format!(
        "{}×/{}/{}",
        trim_number(r.factor),
        human(r.long_s),
        human(r.short_s)
    )
}

/// A service's alert policy: its rules joined by `+`.
fn burn_policy(b: &StrategyJson, service: &str) -> String {
    let rules: Vec<String> = (b.burn_rules.iter())
        .filter(|r| r.service == service)
        .map(burn_rule)
        .collect();
    rules.join(" + ")
}

/// A detection delay with its interval: `52s ± 0ms`, `n/a` when nothing was detected.
fn delay_ci(x: &BurnFigures) -> String {
    match &x.detection_s {
        Some(d) if d.ci95.is_finite() => format!("{} ± {}", human(d.mean), human(d.ci95)),
        Some(d) => human(d.mean),
        None => "n/a".into(),
    }
}

/// One line of a burn-rate rule's or a policy's figures.
fn burn_words(x: &BurnFigures) -> String {
    format!(
        "{:.2} pages per 30 days, {:.2} of them nuisance; {} of {} significant incidents detected \
         after {}, {} missed",
        x.pages_per_30d,
        x.nuisance_per_30d,
        thousands(x.detected as f64),
        thousands(x.significant as f64),
        delay_ci(x),
        thousands(x.missed as f64),
    )
}

/// Each burn-rate rule and each service's policy: pages, nuisance pages, detection time
/// and missed incidents.
fn burns(s: &mut String, b: &StrategyJson, layout: Layout) {
    for r in &b.burn_rules {
        let line = format!(
            "Burn-rate rule {} on {}: {}",
            burn_rule(r),
            r.service,
            burn_words(&r.figures)
        );
        let _ = writeln!(s, "{}", layout.fit_line(&line));
    }
    for p in b.burn_policies.iter().filter(|p| p.rules > 1) {
        let line = format!(
            "Alert policy on {} ({}): {}",
            p.service,
            burn_policy(b, &p.service),
            burn_words(&p.figures)
        );
        let _ = writeln!(s, "{}", layout.fit_line(&line));
    }
}

/// Burn-rate alert policies per strategy and service, when any strategy has one, so that
/// alert policies compare like strategies.
fn burns_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    let rows: Vec<Vec<String>> = order
        .iter()
        .flat_map(|x| {
            x.burn_policies.iter().map(move |p| {
                let f = &p.figures;
                vec![
                    x.name.clone(),
                    p.service.clone(),
                    burn_policy(x, &p.service),
                    format!("{:.2}", f.pages_per_30d),
                    format!("{:.2}", f.nuisance_per_30d),
                    delay_ci(f),
                    format!(
                        "{} / {}",
                        thousands(f.missed as f64),
                        thousands(f.significant as f64)
                    ),
                ]
            })
        })
        .collect();
    titled(
        s,
        "Burn-rate alerts (per policy; significant incidents as the objective defines them)",
        &[
            "strategy",
            "service",
            "policy",
            "pages / 30d",
            "nuisance / 30d",
            "detection",
            "missed / significant",
        ],
        &rows,
        layout,
    );
}

/// An availability objective as people write it: 99.9%, 99.95%, 99%.
fn nines(a: f64) -> String {
    let p = format!("{:.4}", 100.0 * a);
    let p = p.trim_end_matches('0').trim_end_matches('.');
    format!("{p}%")
}

/// The phased-mission reliability and one row per operating phase, when the scenario
/// declares phases.
fn phases(s: &mut String, b: &StrategyJson, layout: Layout) {
    let Some(ph) = &b.phases else { return };
    let r = ph.mission_reliability;
    s.push('\n');
    let _ = writeln!(
        s,
        "Phases (mission reliability: no service failed in {:.2}% of runs, 95% CI {:.2}%–{:.2}%)",
        100.0 * r.share,
        100.0 * r.lo95,
        100.0 * r.hi95
    );
    let rows: Vec<Vec<String>> = (ph.list.iter())
        .map(|x| {
            vec![
                x.name.clone(),
                human(x.time_s.mean),
                human(x.downtime_s.mean),
                format!("{:.4}", x.failures.mean),
                pct4(x.failure_probability),
                money(x.cost.mean),
                pct4(x.aborted_into),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "phase",
            "time/run",
            "down mean",
            "failures",
            "P(fail)",
            "cost/run",
            "aborted into",
        ],
        &rows,
        layout,
    ));
}

/// A blank line, `title` and a table of `rows` under `header`, when there are rows.
fn titled(s: &mut String, title: &str, header: &[&str], rows: &[Vec<String>], layout: Layout) {
    if rows.is_empty() {
        return;
    }
    s.push('\n');
    let _ = writeln!(s, "{title}");
    s.push_str(&table(header, rows, layout));
}

/// One row per job queue, when the scenario has any.
fn queues(s: &mut String, b: &StrategyJson, layout: Layout) {
    if !b.queues.is_empty() {
        s.push('\n');
        let _ = writeln!(s, "Queues (per run)");
        let rows: Vec<Vec<String>> = b
            .queues
            .iter()
            .map(|q| {
                vec![
                    q.id.clone(),
                    thousands(q.jobs.mean),
                    pct(q.goodput.mean),
                    format!("{:.3}", q.attempts_per_job.mean),
                    format!(
                        "{} / {}",
                        human(q.latency_percentiles_s.p50),
                        human(q.latency_percentiles_s.p99)
                    ),
                    format!("{:.2}", q.in_system.mean),
                    thousands(q.timed_out.mean),
                    thousands(q.retried.mean),
                    thousands(q.lost.mean),
                    thousands(q.max_waiting.p90),
                    thousands(q.final_waiting.p90),
                ]
            })
            .collect();
        s.push_str(&table(
            &[
                "queue",
                "jobs",
                "goodput",
                "attempts/job",
                "latency p50/p99",
                "in system",
                "timed out",
                "retried",
                "lost",
                "max wait p90",
                "end wait p90",
            ],
            &rows,
            layout,
        ));
        requests(s, b, layout);
        abandonment(s, b, layout);
    }
}

/// The columns of a queue's requests after the queue's id: requests, answered, end-to-end
/// percentiles, late replies, hedges per request, won by the hedge, failed.
const REQUEST_COLUMNS: [&str; 7] = [
    "requests",
    "answered",
    "end-to-end p50/p90/p99",
    "late replies",
    "hedges/request",
    "won by hedge",
    "failed",
];

/// The title of the requests tables of `run` and `compare`.
const REQUESTS_TITLE: &str = "Requests as users see them (per run; every attempt counts)";

/// A queue's cells under [`REQUEST_COLUMNS`].
fn request_cells(r: &crate::json::RequestJson) -> [String; 7] {
    let e = &r.latency_percentiles_s;
    [
        thousands(r.begun.mean),
        pct(r.answered.mean),
        format!("{} / {} / {}", human(e.p50), human(e.p90), human(e.p99)),
        pct(r.late.mean),
        format!("{:.3}", r.hedges_per_request.mean),
        pct(r.hedge_won.mean),
        thousands(r.failed.mean),
    ]
}

/// One row per queue whose clients are followed as requests: what users saw of them.
fn requests(s: &mut String, b: &StrategyJson, layout: Layout) {
    let rows: Vec<Vec<String>> = (b.queues.iter())
        .filter_map(|q| Some((q, q.requests.as_ref()?)))
        .map(|(q, r)| {
            std::iter::once(q.id.clone())
                .chain(request_cells(r))
                .collect()
        })
        .collect();
    let header: Vec<&str> = std::iter::once("queue").chain(REQUEST_COLUMNS).collect();
    titled(s, REQUESTS_TITLE, &header, &rows, layout);
}

/// Requests per strategy and queue, when any strategy follows a queue's clients as
/// requests.
fn requests_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    let rows: Vec<Vec<String>> = (order.iter())
        .flat_map(|x| {
            x.queues.iter().filter_map(move |q| {
                let r = q.requests.as_ref()?;
                let head = [x.name.clone(), q.id.clone()];
                Some(head.into_iter().chain(request_cells(r)).collect())
            })
        })
        .collect();
    let header: Vec<&str> = ["strategy", "queue"]
        .into_iter()
        .chain(REQUEST_COLUMNS)
        .collect();
    titled(s, REQUESTS_TITLE, &header, &rows, layout);
}

/// A line per queue whose clients leave the line when out of patience.
fn abandonment(s: &mut String, b: &StrategyJson, layout: Layout) {
    for q in &b.queues {
        if let Some(a) = &q.abandoned {
            let line = format!(
                "{}: {} of attempts left the line out of impatience (±{})",
                q.id,
                pct(a.mean),
                pct(a.ci95)
            );
            let _ = writeln!(s, "{}", layout.fit_line(&line));
        }
    }
}

/// The columns of a queue's rate-schedule phase, from the phase on (see `phase_row`).
const SCHEDULE_PHASE_COLUMNS: [&str; 8] = [
    "phase",
    "rate",
    "offered/s",
    "goodput/s",
    "success",
    "latency",
    "attempts/job",
    "backlog",
];

/// Per queue with a rate schedule, one row per phase of the schedule: the scheduled and
/// offered rates, goodput, success share, latency, attempts per job and backlog, means over
/// runs ± 95% confidence half-widths.
fn schedule_phases(s: &mut String, b: &StrategyJson, layout: Layout) {
    for q in &b.queues {
        let Some(list) = &q.schedule_phases else {
            continue;
        };
        s.push('\n');
        let _ = writeln!(
            s,
            "Queue `{}` by phase of its rate schedule (per run, mean ± 95% CI)",
            q.id
        );
        let rows: Vec<Vec<String>> = list.iter().map(phase_row).collect();
        s.push_str(&table(&SCHEDULE_PHASE_COLUMNS, &rows, layout));
    }
}

/// Per queue with a rate schedule (in any strategy), one row per strategy and phase, the
/// strategies in ranking order.
fn schedule_phases_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    let Some(first) = order.first() else { return };
    for (k, q) in first.queues.iter().enumerate() {
        if !order.iter().any(|x| scheduled(x, k).is_some()) {
            continue;
        }
        s.push('\n');
        let _ = writeln!(
            s,
            "Queue `{}` by phase of its rate schedule (per run, mean ± 95% CI)",
            q.id
        );
        let rows: Vec<Vec<String>> = (order.iter())
            .flat_map(|x| {
                let list = scheduled(x, k).unwrap_or_default();
                list.iter().map(|p| {
                    let mut row = vec![x.name.clone()];
                    row.extend(phase_row(p));
                    row
                })
            })
            .collect();
        let header: Vec<&str> = std::iter::once("strategy")
            .chain(SCHEDULE_PHASE_COLUMNS)
            .collect();
        s.push_str(&table(&header, &rows, layout));
    }
}

/// The phases of strategy `x`'s queue `k`'s rate schedule, if it has one.
fn scheduled(x: &StrategyJson, k: usize) -> Option<&[crate::series::SchedulePhaseJson]> {
    x.queues.get(k)?.schedule_phases.as_deref()
}

/// One phase of a rate schedule as a table row.
fn phase_row(p: &crate::series::SchedulePhaseJson) -> Vec<String> {
    let fixed = |x: &MeanCi, d: usize| plus_minus(x, |v| format!("{v:.d$}"));
    vec![
        format!("{} – {}", human(p.from_s), human(p.to_s)),
        format!("{}", p.rate),
        fixed(&p.offered_per_s, 3),
        fixed(&p.goodput_per_s, 3),
        plus_minus(&p.success, |v| format!("{:.2}%", 100.0 * v)),
        plus_minus(&p.latency_s, human),
        fixed(&p.attempts_per_job, 3),
        fixed(&p.backlog, 2),
    ]
}

/// `mean ± ci95` with both written by `f`; `—` without a mean, the mean alone without an
/// interval (fewer than two runs).
fn plus_minus(x: &MeanCi, f: impl Fn(f64) -> String) -> String {
    if !x.mean.is_finite() {
        "—".to_string()
    } else if x.ci95.is_finite() {
        format!("{} ± {}", f(x.mean), f(x.ci95))
    } else {
        f(x.mean)
    }
}

/// Latent faults and inspections, and each watched component's hidden unavailability,
/// when the scenario has latent faults, failures on demand or inspections.
fn hidden(s: &mut String, b: &StrategyJson, layout: Layout) {
    let Some(h) = &b.hidden else { return };
    s.push('\n');
    let _ = writeln!(
        s,
        "{}",
        layout.fit_line(&format!(
            "Latent faults (per run): {} found by inspection, {} revealed on demand, {} failed on demand; {} inspections{}",
            per_run(h.found_by_inspection.mean),
            per_run(h.revealed_on_demand.mean),
            per_run(h.failed_on_demand.mean),
            per_run(h.inspections.mean),
            h.mean_hidden_s.map_or(String::new(), |x| format!(
                "; a latent fault stayed hidden {} on average",
                human(x)
            )),
        ))
    );
    if !h.unready.is_empty() {
        let _ = writeln!(s, "Would fail if called on (share of time)");
        let rows: Vec<Vec<String>> = h
            .unready
            .iter()
            .map(|u| vec![u.id.clone(), pct_ci(&u.share)])
            .collect();
        s.push_str(&table(&["component", "unready"], &rows, layout));
    }
}

/// A per-run count: whole numbers as such, others with two decimals.
pub fn per_run(x: f64) -> String {
    if x.fract() == 0.0 {
        thousands(x)
    } else {
        format!("{x:.2}")
    }
}

/// The most frequent root faults behind service failures: the first [`ROWS`], or every
/// one with `--all`.
fn root_causes(s: &mut String, b: &StrategyJson, layout: Layout) {
    if !b.root_causes.is_empty() {
        s.push('\n');
        let _ = writeln!(s, "Root faults behind service failures");
        let (n, hidden) = shown(&b.root_causes, layout, "root fault");
        let rows: Vec<Vec<String>> = b
            .root_causes
            .iter()
            .take(n)
            .map(|r| {
                let comp = if r.common_cause {
                    "(common cause)".to_string()
                } else {
                    r.component.clone()
                };
                vec![
                    r.fault.clone(),
                    comp,
                    thousands(r.failures as f64),
                    pct(r.share),
                ]
            })
            .collect();
        s.push_str(&table(
            &["fault", "component", "failures", "share"],
            &rows,
            layout,
        ));
        s.push_str(&hidden.unwrap_or_default());
    }
}

/// The components least often healthy, with their share of time in each state: the
/// first [`ROWS`], or every one with `--all`.
fn least_healthy(s: &mut String, j: &SummaryJson, layout: Layout) {
    let mut worst: Vec<&ComponentJson> = j.components.iter().filter(|c| c.healthy < 1.0).collect();
    worst.sort_by(|a, b| a.healthy.total_cmp(&b.healthy));
    if !worst.is_empty() {
        s.push('\n');
        let _ = writeln!(s, "Components least often healthy (share of time)");
        let (n, hidden) = shown(&worst, layout, "component");
        let rows: Vec<Vec<String>> = worst
            .iter()
            .take(n)
            .map(|c| {
                vec![
                    c.id.clone(),
                    pct4(c.healthy),
                    pct4(c.degraded),
                    pct4(c.corrupt),
                    pct4(c.down),
                ]
            })
            .collect();
        s.push_str(&table(
            &["component", "healthy", "degraded", "corrupt", "down"],
            &rows,
            layout,
        ));
        s.push_str(&hidden.unwrap_or_default());
    }
}

/// A time share with enough digits to tell 99.99% from 99.9999%.
fn pct4(x: f64) -> String {
    format!("{:.4}%", 100.0 * x)
}

/// The strategies best first: by expected cost, or, when the scenario has no cost model
/// (every cost zero), by downtime. Returns whether the ranking is by cost.
pub fn ranked(j: &SummaryJson) -> (bool, Vec<&StrategyJson>) {
    let by_cost = j.strategies.iter().any(|x| x.cost.mean != 0.0);
    let mut order: Vec<&StrategyJson> = j.strategies.iter().collect();
    order.sort_by(|a, b| {
        let key = |x: &StrategyJson| {
            if by_cost {
                x.cost.mean
            } else {
                x.downtime_s.mean
            }
        };
        key(a)
            .total_cmp(&key(b))
            .then(a.downtime_s.mean.total_cmp(&b.downtime_s.mean))
    });
    (by_cost, order)
}

/// The ranked figure of a strategy (cost ± CI, or downtime without a cost model) and its
/// paired difference against the baseline with a verdict ("—" for the baseline itself):
/// the same cells in the terminal table and the HTML report.
pub fn ranking_cells(x: &StrategyJson, is_baseline: bool, by_cost: bool) -> (String, String) {
    let value = if by_cost {
        format!("{} ± {}", money(x.cost.mean), money(x.cost.ci95))
    } else {
        human(x.downtime_s.mean)
    };
    let diff = if is_baseline {
        "—".to_string()
    } else if by_cost {
        let d = &x.paired_cost_diff;
        format!(
            "{} ± {} ({})",
            signed_money(d.mean),
            money(d.ci95),
            verdict(d)
        )
    } else {
        let d = &x.paired_downtime_diff_s;
        let sign = if d.mean < 0.0 { "-" } else { "+" };
        let v = verdict(d)
            .replace("cheaper", "shorter")
            .replace("dearer", "longer");
        format!("{sign}{} ± {} ({v})", human(d.mean.abs()), human(d.ci95))
    };
    (value, diff)
}

/// How the winner stands against the runner-up on the same runs, as the end of a sentence:
/// `; on the same runs the winner costs $1,234 ± $56 less: a clear difference.`, or says
/// plainly that the two are statistically tied. Empty when the summary has no such pair.
pub fn runner_up_words(j: &SummaryJson) -> String {
    let Some(p) = &j.winner_vs_runner_up else {
        return ".".into();
    };
    let d = &p.paired_cost_diff;
    let how = match verdict(d) {
        "same" => return ": exactly the same cost on every run (statistically tied).".into(),
        "cheaper" => "a clear difference (its 95% CI excludes zero)",
        _ => "statistically tied: the 95% CI includes no difference",
    };
    format!(
        "; on the same runs {} costs {} ± {} less than {}: {how}.",
        p.winner,
        money(-d.mean),
        money(d.ci95),
        p.runner_up
    )
}

/// Whether a paired difference is distinguishable from zero at 95%.
pub fn verdict(d: &MeanCi) -> &'static str {
    if d.mean.is_nan() || d.ci95.is_nan() {
        "n/a"
    } else if d.mean == 0.0 && d.ci95 == 0.0 {
        "same"
    } else if d.mean + d.ci95 < 0.0 {
        "cheaper"
    } else if d.mean - d.ci95 > 0.0 {
        "dearer"
    } else {
        "no clear difference"
    }
}

/// A duration that may be missing or undefined (MTTD without responders, or with
/// nothing detected) as "n/a".
fn human_opt(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => human(v),
        _ => "n/a".into(),
    }
}

/// The terminal ranking of `compare`: strategies by expected cost, with paired differences.
pub fn render_compare(j: &SummaryJson, from: Provenance, layout: Layout) -> String {
    let mut s = String::new();
    let line = format!(
        "{} — {} strategies × {} runs × {}, seed {} ({})",
        j.scenario,
        j.strategies.len(),
        thousands(j.runs as f64),
        human(j.horizon_s),
        j.seed,
        from.describe(j.events),
    );
    let _ = writeln!(s, "{}", layout.fit_line(&line));
    let _ = writeln!(
        s,
        "{}\n",
        layout.fit_line(
            "Every strategy sees the same faults in run k (common random numbers); differences are paired."
        )
    );
    let (by_cost, order) = ranked(j);
    ranking(&mut s, by_cost, &order, layout);
    s.push('\n');
    outages(&mut s, &order, layout);
    phases_by_strategy(&mut s, &order, layout);
    schedule_phases_by_strategy(&mut s, &order, layout);
    latent_by_strategy(&mut s, &order, layout);
    people_by_strategy(&mut s, &order, layout);
    objectives_by_strategy(&mut s, &order, layout);
    requests_by_strategy(&mut s, &order, layout);
    burns_by_strategy(&mut s, &order, layout);
    let mut verdict = String::new();
    best(&mut verdict, by_cost, order[0]);
    if let (Some(p), Some(r)) = (&j.winner_vs_runner_up, order.get(1)) {
        let _ = writeln!(
            verdict,
            "Runner-up: {} at {} per run{}",
            p.runner_up,
            money(r.cost.mean),
            runner_up_words(j)
        );
    }
    for line in verdict.split_inclusive('\n') {
        s.push_str(&layout.fit_line(line));
    }
    s
}

/// The strategies best first, with their paired difference against the baseline.
fn ranking(s: &mut String, by_cost: bool, order: &[&StrategyJson], layout: Layout) {
    if by_cost {
        let _ = writeln!(s, "Ranking by expected cost per run (95% CI)");
    } else {
        let _ = writeln!(
            s,
            "Ranking by downtime per run (the scenario has no cost model)"
        );
    }
    let rows: Vec<Vec<String>> = order
        .iter()
        .enumerate()
        .map(|(k, x)| {
            let (value, diff) = ranking_cells(x, x.name == "baseline", by_cost);
            vec![
                format!("{}. {}", k + 1, x.name),
                value,
                diff,
                pct_ci(&x.availability),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "strategy",
            if by_cost { "cost/run" } else { "downtime/run" },
            "vs baseline (paired)",
            "availability",
        ],
        &rows,
        layout,
    ));
}

/// How long outages lasted and how the response went, per strategy.
fn outages(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    let _ = writeln!(
        s,
        "Outages and response (means over failures; downtime per run)"
    );
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|x| {
            vec![
                x.name.clone(),
                human(x.downtime_s.p50),
                human(x.downtime_s.p90),
                human(x.downtime_s.p99),
                human_opt(x.mttd_s),
                human(x.mttm_s),
                human(x.mttr_s),
                thousands(x.user_minutes.mean),
                format!("{:.1}", x.responder_hours.mean),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "strategy", "down p50", "p90", "p99", "MTTD", "restore", "repair", "user-min", "resp-h",
        ],
        &rows,
        layout,
    ));
}

/// Phased-mission reliability per strategy, and each phase's chance of a failure that
/// began in it, when the scenario has phases.
fn phases_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    let Some(first) = order.iter().find_map(|x| x.phases.as_ref()) else {
        return;
    };
    s.push('\n');
    let _ = writeln!(
        s,
        "Phases: mission reliability (no service failed, 95% CI) and P(a failure begins in each phase)"
    );
    let mut header: Vec<&str> = vec!["strategy", "mission reliability"];
    header.extend(first.list.iter().map(|p| p.name.as_str()));
    let rows: Vec<Vec<String>> = order
        .iter()
        .filter_map(|x| {
            let ph = x.phases.as_ref()?;
            let r = ph.mission_reliability;
            let mut row = vec![
                x.name.clone(),
                format!(
                    "{:.2}% ({:.2}–{:.2}%)",
                    100.0 * r.share,
                    100.0 * r.lo95,
                    100.0 * r.hi95
                ),
            ];
            row.extend(ph.list.iter().map(|p| pct4(p.failure_probability)));
            Some(row)
        })
        .collect();
    s.push_str(&table(&header, &rows, layout));
}

/// The people in the loop, when the scenario models them: how long diagnoses took, how
/// tired people were, the longest shift, and how procedures went.
fn people(s: &mut String, b: &StrategyJson, layout: Layout) {
    let Some(p) = &b.people else { return };
    s.push('\n');
    let mut parts = vec![format!(
        "diagnosis {} from the page",
        human_opt(p.mean_time_to_diagnose_s)
    )];
    if let Some(f) = p.mean_fatigue {
        parts.push(format!(
            "fatigue ×{f:.2} on average (peak ×{:.2} per run); longest shift {} (at most {})",
            p.peak_fatigue.mean,
            human(p.longest_shift_h.mean * 3600.0),
            human(p.longest_shift_h_max * 3600.0),
        ));
    }
    if p.procedures.mean > 0.0 {
        parts.push(format!(
            "{} procedures per run, {} failed, {} second faults per run",
            per_run(p.procedures.mean),
            p.failure_share.map_or("-".to_string(), pct),
            per_run(p.second_faults.mean),
        ));
    }
    let _ = writeln!(
        s,
        "{}",
        layout.fit_line(&format!("People: {}", parts.join("; ")))
    );
}

/// Availability objectives per strategy and service, when any service has one.
fn objectives_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    let rows: Vec<Vec<String>> = order
        .iter()
        .flat_map(|x| {
            x.services.iter().filter_map(move |v| {
                let o = v.objective.as_ref()?;
                Some(vec![
                    x.name.clone(),
                    v.id.clone(),
                    format!("{} / {}", nines(o.availability), human(o.window_s)),
                    pct(o.judged.attainment.share),
                    pct(o.judged.budget_used.mean),
                    pct(o.judged.budget_used.p90),
                    pct(o.judged.breach_probability.share),
                ])
            })
        })
        .chain(order.iter().flat_map(|x| {
            x.queues.iter().filter_map(move |q| {
                let o = q.objective.as_ref()?;
                Some(vec![
                    x.name.clone(),
                    q.id.clone(),
                    format!(
                        "{} < {} / {}",
                        nines(o.share),
                        human(o.latency_s),
                        human(o.window_s)
                    ),
                    pct(o.judged.attainment.share),
                    pct(o.judged.budget_used.mean),
                    pct(o.judged.budget_used.p90),
                    pct(o.judged.breach_probability.share),
                ])
            })
        }))
        .collect();
    titled(
        s,
        "Objectives (per window)",
        &[
            "strategy",
            "service or queue",
            "objective",
            "met",
            "budget used",
            "p90",
            "P(missed in a run)",
        ],
        &rows,
        layout,
    );
}

/// The people columns of a strategy: time to diagnose, fatigue, longest shift, share of
/// procedures failed, second faults per run (for the compare table and the report).
pub fn people_cells(p: &crate::json::PeopleJson) -> [String; 5] {
    [
        human_opt(p.mean_time_to_diagnose_s),
        p.mean_fatigue.map_or("-".into(), |f| format!("×{f:.2}")),
        if p.mean_fatigue.is_some() {
            human(p.longest_shift_h.mean * 3600.0)
        } else {
            "-".into()
        },
        p.failure_share.map_or("-".into(), pct),
        per_run(p.second_faults.mean),
    ]
}

/// The people in the loop per strategy, when any strategy models them.
fn people_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    if order.iter().all(|x| x.people.is_none()) {
        return;
    }
    s.push('\n');
    let _ = writeln!(s, "The people in the loop");
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|x| {
            let mut row = vec![x.name.clone(), format!("{:.1}", x.responder_hours.mean)];
            match &x.people {
                None => row.extend(["-", "-", "-", "-", "-"].map(String::from)),
                Some(p) => row.extend(people_cells(p)),
            }
            row
        })
        .collect();
    s.push_str(&table(
        &[
            "strategy",
            "responder-hours",
            "to diagnose",
            "fatigue",
            "longest shift",
            "procedures failed",
            "second faults",
        ],
        &rows,
        layout,
    ));
}

/// Latent faults per strategy, when any strategy has them: what inspections and demands
/// found, and how long faults stayed hidden.
fn latent_by_strategy(s: &mut String, order: &[&StrategyJson], layout: Layout) {
    if order.iter().all(|x| x.hidden.is_none()) {
        return;
    }
    s.push('\n');
    let _ = writeln!(s, "Latent faults (per run)");
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|x| match &x.hidden {
            None => vec![
                x.name.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ],
            Some(h) => vec![
                x.name.clone(),
                per_run(h.inspections.mean),
                per_run(h.found_by_inspection.mean),
                per_run(h.revealed_on_demand.mean),
                per_run(h.failed_on_demand.mean),
                human_opt(h.mean_hidden_s),
            ],
        })
        .collect();
    s.push_str(&table(
        &[
            "strategy",
            "inspections",
            "found",
            "revealed on demand",
            "failed on demand",
            "hidden for",
        ],
        &rows,
        layout,
    ));
}

/// The verdict in one line: the best strategy and what it saves, or that none beats the
/// baseline.
fn best(s: &mut String, by_cost: bool, best: &StrategyJson) {
    s.push('\n');
    if best.name == "baseline" {
        let what = if by_cost { "cost" } else { "downtime" };
        let _ = writeln!(s, "No strategy beats the baseline on expected {what}.");
    } else if !by_cost {
        let _ = writeln!(
            s,
            "Best: {} — {} less downtime per run than the baseline ({}).",
            best.name,
            human(-best.paired_downtime_diff_s.mean),
            verdict(&best.paired_downtime_diff_s).replace("cheaper", "shorter")
        );
    } else {
        let _ = writeln!(
            s,
            "Best: {} — saves {} per run against the baseline ({}).",
            best.name,
            money(-best.paired_cost_diff.mean),
            verdict(&best.paired_cost_diff)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 21 (noticed): compare's and sweep's one-line headings and verdicts were wider
    /// than an 80-column terminal; fitted layouts wrap them at spaces, full width does not.
    #[test]
    fn long_lines_wrap_to_the_terminal_only() {
        let line = "substation — 6 strategies × 10,000 runs × 90d, seed 2022 (1,592,817 events in 0.50s on 2 threads)";
        let fitted = Layout {
            width: Some(80),
            all: false,
        };
        let wrapped = fitted.fit_line(line);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 80),
            "{wrapped}"
        );
        assert_eq!(wrapped.lines().count(), 2);
        assert!(wrapped.lines().nth(1).unwrap().starts_with("  "));
        assert_eq!(wrapped.replace("\n  ", " "), line);
        let full = Layout {
            width: None,
            all: false,
        };
        assert_eq!(full.fit_line(line), line);
        assert_eq!(fitted.fit_line("short\n"), "short\n");
    }

    fn rows() -> Vec<Vec<String>> {
        let row = |a: &str, b: &str, c: &str| vec![a.to_string(), b.to_string(), c.to_string()];
        vec![
            row(
                "mobile-transformer+monitoring",
                "$25,263,295 ± $946,902",
                "95.5426% ± 0.6666%",
            ),
            row(
                "baseline",
                "$129,872,713 ± $1,935,210",
                "50.1137% ± 0.7799%",
            ),
        ]
    }

    #[test]
    fn the_full_table_is_one_stable_layout() {
        let t = table(
            &["strategy", "cost/run", "availability"],
            &rows(),
            Layout::default(),
        );
        assert_eq!(
            t,
            "  strategy                                        cost/run        availability\n\
             \x20 mobile-transformer+monitoring     $25,263,295 ± $946,902  95.5426% ± 0.6666%\n\
             \x20 baseline                       $129,872,713 ± $1,935,210  50.1137% ± 0.7799%\n"
        );
    }

    #[test]
    fn a_narrow_terminal_gets_the_columns_in_parts_that_fit() {
        let layout = Layout {
            width: Some(64),
            all: false,
        };
        let t = table(&["strategy", "cost/run", "availability"], &rows(), layout);
        assert!(t.lines().all(|l| l.chars().count() <= 64), "{t}");
        for r in rows() {
            for cell in r {
                assert!(t.contains(&cell), "{cell:?} is broken in:\n{t}");
            }
        }
        assert_eq!(
            t.matches("strategy").count(),
            2,
            "the name column repeats:\n{t}"
        );
    }

    #[test]
    fn long_tables_say_how_many_rows_are_hidden() {
        let rows: Vec<u32> = (0..12).collect();
        let (n, line) = shown(&rows, Layout::default(), "component");
        assert_eq!(n, ROWS);
        assert_eq!(
            line.as_deref(),
            Some("  ... 2 more components are hidden; --all shows every one\n")
        );
        let all = Layout {
            width: None,
            all: true,
        };
        assert_eq!(shown(&rows, all, "component"), (12, None));
        assert_eq!(
            shown(&rows[..10], Layout::default(), "component"),
            (10, None)
        );
    }
}
