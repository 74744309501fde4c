//! The terminal reports of a study: `run`'s summary and `compare`'s ranking, as tables.

use crate::json::{ComponentJson, MeanCi, StrategyJson, SummaryJson};
use faultline_core::model::Model;
use faultline_units::human;
use faultline_units::number::{money, signed_money, thousands};
use std::fmt::Write;

/// A left-aligned first column and right-aligned others, padded to the widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut width = vec![0; cols];
    for (i, h) in header.iter().enumerate() {
        width[i] = h.chars().count();
    }
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    let line = |s: &mut String, cells: &[String]| {
        s.push_str("  ");
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.push('\n');
    };
    line(
        &mut s,
        &header.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    );
    for r in rows {
        line(&mut s, r);
    }
    s
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

/// The terminal report of a study: the baseline's figures for the site, its services,
/// queues and root faults, and the components least often healthy.
pub fn render(m: &Model, j: &SummaryJson, elapsed_s: f64, threads: usize) -> String {
    let b = &j.strategies[0];
    let mut s = String::new();
    heading(&mut s, m, j, elapsed_s, threads);
    site(&mut s, j, b);
    services(&mut s, b);
    queues(&mut s, b);
    root_causes(&mut s, b);
    least_healthy(&mut s, j);
    s
}

/// The study in one line (what, how many runs, how long it took), the scenario's
/// description, and a warning when runs hit the event cap.
fn heading(s: &mut String, m: &Model, j: &SummaryJson, elapsed_s: f64, threads: usize) {
    let _ = writeln!(
        s,
        "{} — {} runs × {}, seed {} ({} events in {:.2}s on {} thread{})",
        j.scenario,
        thousands(j.runs as f64),
        human(j.horizon_s),
        j.seed,
        thousands(j.events as f64),
        elapsed_s,
        threads,
        if threads == 1 { "" } else { "s" }
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
fn services(s: &mut String, b: &StrategyJson) {
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
    ));
}

/// One row per job queue, when the scenario has any.
fn queues(s: &mut String, b: &StrategyJson) {
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
        ));
    }
}

/// The ten most frequent root faults behind service failures.
fn root_causes(s: &mut String, b: &StrategyJson) {
    if !b.root_causes.is_empty() {
        s.push('\n');
        let _ = writeln!(s, "Root faults behind service failures");
        let rows: Vec<Vec<String>> = b
            .root_causes
            .iter()
            .take(10)
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
        s.push_str(&table(&["fault", "component", "failures", "share"], &rows));
    }
}

/// The ten components least often healthy, with their share of time in each state.
fn least_healthy(s: &mut String, j: &SummaryJson) {
    let mut worst: Vec<&ComponentJson> = j.components.iter().filter(|c| c.healthy < 1.0).collect();
    worst.sort_by(|a, b| a.healthy.total_cmp(&b.healthy));
    if !worst.is_empty() {
        s.push('\n');
        let _ = writeln!(s, "Components least often healthy (share of time)");
        let rows: Vec<Vec<String>> = worst
            .iter()
            .take(10)
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
        ));
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
pub fn render_compare(j: &SummaryJson, elapsed_s: f64, threads: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} strategies × {} runs × {}, seed {} ({} events in {:.2}s on {} thread{})",
        j.scenario,
        j.strategies.len(),
        thousands(j.runs as f64),
        human(j.horizon_s),
        j.seed,
        thousands(j.events as f64),
        elapsed_s,
        threads,
        if threads == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        s,
        "Every strategy sees the same faults in run k (common random numbers); differences are paired.\n"
    );
    let (by_cost, order) = ranked(j);
    ranking(&mut s, by_cost, &order);
    s.push('\n');
    outages(&mut s, &order);
    best(&mut s, by_cost, order[0]);
    if let (Some(p), Some(r)) = (&j.winner_vs_runner_up, order.get(1)) {
        let _ = writeln!(
            s,
            "Runner-up: {} at {} per run{}",
            p.runner_up,
            money(r.cost.mean),
            runner_up_words(j)
        );
    }
    s
}

/// The strategies best first, with their paired difference against the baseline.
fn ranking(s: &mut String, by_cost: bool, order: &[&StrategyJson]) {
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
    ));
}

/// How long outages lasted and how the response went, per strategy.
fn outages(s: &mut String, order: &[&StrategyJson]) {
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
