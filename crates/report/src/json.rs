//! The JSON summary of a Monte Carlo study: the contract other tools read (`--json`).
//!
//! Every key is described in `docs/scenario-format.md`, §4.2 "JSON" (a queue's in §5.9
//! "Measurements"); the field names here are those keys, so renaming a field breaks
//! readers.

use faultline_core::analysis;
use faultline_core::model::{Condition, LatencyObjective, Model, Source};
use faultline_core::montecarlo::{
    BurnStats, HiddenStats, ObjectiveStats, PeopleStats, QueueStats, RequestStats, Summary,
};
use faultline_core::propagation::Class;
use faultline_core::stats::{Histogram, Moments};
use serde::Serialize;

/// The faultline version, the top-level `faultline_version` key of every JSON document
/// faultline prints or writes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Mean with its 95% confidence half-width.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MeanCi {
    /// Mean over runs.
    pub mean: f64,
    /// Half-width of the 95% confidence interval.
    pub ci95: f64,
}

impl From<&Moments> for MeanCi {
    /// Every mean with a confidence interval in the summary comes from streaming moments.
    fn from(m: &Moments) -> MeanCi {
        MeanCi {
            mean: m.mean(),
            ci95: m.ci95(),
        }
    }
}

/// Mean and percentiles of a per-run quantity.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Spread {
    /// Mean over runs.
    pub mean: f64,
    /// Median (from a histogram with ~1% resolution).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Spread {
    /// The mean from the exact moments, the percentiles from the histogram (exact moments
    /// cannot give percentiles; the histogram gives them to ~1%).
    fn of(m: &Moments, h: &Histogram) -> Spread {
        Spread {
            mean: m.mean(),
            p50: h.quantile(0.5),
            p90: h.quantile(0.9),
            p99: h.quantile(0.99),
        }
    }
}

/// A plain mean.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Mean {
    /// Mean over runs.
    pub mean: f64,
}

/// One service's figures.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ServiceJson {
    /// Component id.
    pub id: String,
    /// Users served.
    pub users: u64,
    /// Share of the horizon not failed.
    pub availability: MeanCi,
    /// Seconds failed per run.
    pub downtime_s: Spread,
    /// Seconds degraded (within SLO) per run.
    pub degraded_s: Mean,
    /// Failures per run.
    pub failures: Mean,
    /// Share of runs with at least one failure.
    pub failure_probability: f64,
    /// Median time to the first failure among runs that failed (null if none).
    pub first_failure_p50_s: f64,
    /// User-minutes affected per run.
    pub user_minutes: MeanCi,
    /// Its availability objective window by window (absent when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<ObjectiveJson>,
}

/// A service's availability objective, judged window by window.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ObjectiveJson {
    /// The promised share of each window.
    pub availability: f64,
    /// Window length, seconds.
    pub window_s: f64,
    /// How its windows went (budget used: failed time ÷ the budget).
    #[serde(flatten)]
    pub judged: WindowsJson,
}

impl ObjectiveJson {
    fn of(o: &faultline_core::model::Objective, x: &ObjectiveStats, runs: u64) -> ObjectiveJson {
        ObjectiveJson {
            availability: o.availability,
            window_s: o.window,
            judged: WindowsJson::of(x, runs),
        }
    }
}

/// An objective's windows across runs, whatever it promises (availability, latency).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct WindowsJson {
    /// Whole windows per run.
    pub windows_per_run: u64,
    /// Share of windows in which the objective was met, with its 95% CI.
    pub attainment: ShareCi,
    /// Share of runs in which at least one window missed it, with its 95% CI.
    pub breach_probability: ShareCi,
    /// Error budget used per window (1: used up).
    pub budget_used: Spread,
    /// The 95% CI half-width of the mean budget used.
    pub budget_used_ci95: f64,
}

impl WindowsJson {
    fn of(x: &ObjectiveStats, runs: u64) -> WindowsJson {
        WindowsJson {
            windows_per_run: x.windows / runs.max(1),
            attainment: ShareCi::of(x.met, x.windows),
            breach_probability: ShareCi::of(x.breached_runs, runs),
            budget_used: Spread::of(&x.budget_used, &x.budget_hist),
            budget_used_ci95: x.budget_used.ci95(),
        }
    }
}

/// One job queue's figures (per run, after its warm-up).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct QueueJson {
    /// Component id.
    pub id: String,
    /// New jobs per run.
    pub jobs: Mean,
    /// Attempts per new job (retry amplification).
    pub attempts_per_job: MeanCi,
    /// Share of new jobs served in time.
    pub goodput: MeanCi,
    /// Attempts served in time, per run.
    pub ok: Mean,
    /// Attempts whose client gave up, per run.
    pub timed_out: Mean,
    /// Attempts served after their client gave up (wasted work), per run.
    pub wasted: Mean,
    /// Retries per run.
    pub retried: Mean,
    /// Rejected attempts per run.
    pub rejected: Mean,
    /// Jobs dropped by shedding per run.
    pub dropped: Mean,
    /// Expired jobs discarded unserved per run.
    pub discarded: Mean,
    /// Jobs shed into the parking lot per run.
    pub shed: Mean,
    /// Jobs lost for good per run.
    pub lost: Mean,
    /// Mean time in system of successful attempts, seconds.
    pub latency_s: MeanCi,
    /// Percentiles of the time in system of every successful attempt, seconds.
    pub latency_percentiles_s: Spread,
    /// Time-averaged number in system.
    pub in_system: MeanCi,
    /// Successful attempts per second.
    pub throughput_per_s: MeanCi,
    /// Longest waiting line in a run: percentiles across runs.
    pub max_waiting: Spread,
    /// Waiting line at the end of a run: percentiles across runs.
    pub final_waiting: Spread,
    /// Goodput, attempts per job, latency and backlog per slice of the run, across runs.
    pub series: crate::series::SeriesJson,
    /// Per phase of the queue's rate schedule; absent without a schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_phases: Option<Vec<crate::series::SchedulePhaseJson>>,
    /// Share of attempts that left the line out of impatience (queues with `patience`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned: Option<MeanCi>,
    /// Requests as users saw them (queues with a `client`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestJson>,
    /// Its latency objective window by window (absent when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<LatencyObjectiveJson>,
}

/// A queue's latency objective, judged window by window.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LatencyObjectiveJson {
    /// The latency a request must be answered within, seconds.
    pub latency_s: f64,
    /// The promised share of each window's requests.
    pub share: f64,
    /// Window length, seconds.
    pub window_s: f64,
    /// How its windows went (budget used: late or failed requests ÷ those the share
    /// allows).
    #[serde(flatten)]
    pub judged: WindowsJson,
}

impl LatencyObjectiveJson {
    fn of(o: &LatencyObjective, x: &ObjectiveStats, runs: u64) -> LatencyObjectiveJson {
        LatencyObjectiveJson {
            latency_s: o.latency,
            share: o.share,
            window_s: o.window,
            judged: WindowsJson::of(x, runs),
        }
    }
}

/// One queue's requests: a first attempt, its retries and its hedge, answered by the first
/// reply of any of them (per run, for requests begun after the warm-up).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RequestJson {
    /// Requests begun per run.
    pub begun: Mean,
    /// Share of requests answered before their deadline.
    pub answered: MeanCi,
    /// Requests that failed per run (the deadline passed, or every attempt failed).
    pub failed: MeanCi,
    /// Share of answered requests answered by a reply to an attempt the client had timed
    /// out on (a late reply).
    pub late: MeanCi,
    /// Hedged attempts per request.
    pub hedges_per_request: MeanCi,
    /// Share of answered requests answered by their hedge first.
    pub hedge_won: MeanCi,
    /// Mean end-to-end latency of answered requests (first attempt to first reply), seconds.
    pub latency_s: MeanCi,
    /// Percentiles of the end-to-end latency of every answered request, all runs pooled.
    pub latency_percentiles_s: Spread,
}

impl From<&RequestStats> for RequestJson {
    fn from(r: &RequestStats) -> RequestJson {
        RequestJson {
            begun: Mean {
                mean: r.begun.mean(),
            },
            answered: (&r.answered).into(),
            failed: (&r.failed).into(),
            late: (&r.late).into(),
            hedges_per_request: (&r.hedges).into(),
            hedge_won: (&r.hedge_won).into(),
            latency_s: (&r.latency).into(),
            latency_percentiles_s: Spread {
                mean: r.pooled_latency(),
                p50: r.latency_hist.quantile(0.5),
                p90: r.latency_hist.quantile(0.9),
                p99: r.latency_hist.quantile(0.99),
            },
        }
    }
}

impl QueueJson {
    /// Queue `id`'s figures; the across-run spreads have no meaningful mean, so theirs is
    /// NaN (null in JSON).
    fn of(m: &Model, k: usize, q: &QueueStats, runs: u64) -> QueueJson {
        let spec = &m.queues[k];
        let id = &m.comps[spec.comp as usize].id;
        let mean = |m: &Moments| Mean { mean: m.mean() };
        // Counts of jobs: the histogram's bucket midpoints rounded to whole jobs (exact up to
        // 43, within its 1.2% resolution above).
        let counts = |h: &Histogram| Spread {
            mean: f64::NAN,
            p50: h.quantile(0.5).round(),
            p90: h.quantile(0.9).round(),
            p99: h.quantile(0.99).round(),
        };
        QueueJson {
            id: id.to_string(),
            jobs: mean(&q.jobs),
            attempts_per_job: (&q.attempts_per_job).into(),
            goodput: (&q.goodput).into(),
            ok: mean(&q.ok),
            timed_out: mean(&q.timed_out),
            wasted: mean(&q.wasted),
            retried: mean(&q.retried),
            rejected: mean(&q.rejected),
            dropped: mean(&q.dropped),
            discarded: mean(&q.discarded),
            shed: mean(&q.shed),
            lost: mean(&q.lost),
            latency_s: (&q.latency).into(),
            latency_percentiles_s: Spread {
                mean: q.pooled_latency(),
                p50: q.latency_hist.quantile(0.5),
                p90: q.latency_hist.quantile(0.9),
                p99: q.latency_hist.quantile(0.99),
            },
            in_system: (&q.in_system).into(),
            throughput_per_s: (&q.throughput).into(),
            max_waiting: counts(&q.max_waiting),
            final_waiting: counts(&q.final_waiting),
            abandoned: spec.patience.as_ref().map(|_| (&q.abandoned).into()),
            requests: q.requests.as_ref().map(RequestJson::from),
            objective: (spec.objective.zip(q.objective.as_ref()))
                .map(|(o, x)| LatencyObjectiveJson::of(&o, x, runs)),
            series: crate::series::SeriesJson::of(q, m.horizon),
            schedule_phases: crate::series::phases_json(spec, q, m.horizon),
        }
    }
}

/// Service failures traced back to one root fault.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RootJson {
    /// Fault mode or common-cause name ("unexplained" when no single fault explains it).
    pub fault: String,
    /// Component the fault is in (empty for a common cause, which hits several).
    pub component: String,
    /// Whether it is a common-cause fault.
    pub common_cause: bool,
    /// Service failures it caused, all runs.
    pub failures: u64,
    /// Share of all service failures.
    pub share: f64,
}

/// The figures of one strategy (the baseline is the scenario as written).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StrategyJson {
    /// Strategy name.
    pub name: String,
    /// What it means.
    pub about: String,
    /// Share of time with no service failed.
    pub availability: MeanCi,
    /// Seconds per run with at least one service failed.
    pub downtime_s: Spread,
    /// Cost per run.
    pub cost: MeanCi,
    /// Cost minus the baseline's on the same runs (common random numbers), per run.
    pub paired_cost_diff: MeanCi,
    /// Downtime minus the baseline's on the same runs, seconds per run.
    pub paired_downtime_diff_s: MeanCi,
    /// Mean time from a user-visible failure to its detection (null without responders).
    pub mttd_s: Option<f64>,
    /// Mean time from a user-visible failure until users are served again (by mitigation
    /// or repair). Kept for existing readers: the name reads as "time to mitigate", which
    /// it is not; [`StrategyJson::time_to_restore_s`] is the same figure under a clear name.
    pub mttm_s: f64,
    /// Mean time from a user-visible failure until users are served again (by mitigation
    /// or repair): the "time to restore" of the terminal report.
    pub time_to_restore_s: f64,
    /// Mean time from a user-visible failure until its root fault is repaired.
    pub mttr_s: f64,
    /// User-visible failures that ended before anyone noticed.
    pub undetected: u64,
    /// Responder-hours per run.
    pub responder_hours: MeanCi,
    /// Mitigations started per run.
    pub mitigations: Mean,
    /// Site failures per run.
    pub failures: Mean,
    /// Share of runs in which a service failed at least once.
    pub failure_probability: f64,
    /// User-minutes affected per run.
    pub user_minutes: MeanCi,
    /// Per service.
    pub services: Vec<ServiceJson>,
    /// Root faults behind service failures, most frequent first.
    pub root_causes: Vec<RootJson>,
    /// Per job queue.
    pub queues: Vec<QueueJson>,
    /// Latent faults, demands and inspections (absent when the model has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<HiddenJson>,
    /// The people in the loop: diagnoses, fatigue, shifts, procedures (absent when the
    /// model has no fatigue, no teams and no procedures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleJson>,
    /// Operating phases: the phased-mission reliability and each phase's figures (absent
    /// when the scenario declares no phases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases: Option<PhasesJson>,
    /// Burn-rate rules on services' error budgets, one by one (absent without any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub burn_rules: Vec<BurnRuleJson>,
    /// Each watched service's alert policy: all its burn-rate rules together (absent
    /// without any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub burn_policies: Vec<BurnPolicyJson>,
}

/// What a burn-rate rule or an alert policy did, over all runs.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct BurnFigures {
    /// Pages, all runs.
    pub pages: u64,
    /// Pages per 30 days simulated.
    pub pages_per_30d: f64,
    /// Pages for failure episodes that were not significant incidents, all runs.
    pub nuisance: u64,
    /// The same per 30 days simulated.
    pub nuisance_per_30d: f64,
    /// Significant incidents of the service (episodes that used at least the objective's
    /// `significant` share of a window's budget), all runs.
    pub significant: u64,
    /// Significant incidents it paged for.
    pub detected: u64,
    /// Significant incidents it never paged for (nor was still firing for).
    pub missed: u64,
    /// Seconds from a detected incident's start to its page (null if none was detected).
    pub detection_s: Option<MeanCi>,
}

impl BurnFigures {
    fn of(b: &BurnStats, simulated: f64) -> BurnFigures {
        let per_30d = |n: u64| n as f64 * 30.0 * 86_400.0 / simulated.max(f64::MIN_POSITIVE);
        BurnFigures {
            pages: b.pages,
            pages_per_30d: per_30d(b.pages),
            nuisance: b.nuisance,
            nuisance_per_30d: per_30d(b.nuisance),
            significant: b.significant,
            detected: b.detected,
            missed: b.missed,
            detection_s: (b.detected > 0).then(|| (&b.delay).into()),
        }
    }
}

/// One burn-rate rule.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct BurnRuleJson {
    /// The service it watches.
    pub service: String,
    /// Its index among the model's alerts.
    pub alert: u32,
    /// The burn rate that pages.
    pub factor: f64,
    /// The long window, seconds.
    pub long_s: f64,
    /// The short window, seconds.
    pub short_s: f64,
    /// What it did.
    #[serde(flatten)]
    pub figures: BurnFigures,
}

/// A service's alert policy: its burn-rate rules together, paging at the first of them.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct BurnPolicyJson {
    /// The service.
    pub service: String,
    /// How many rules it has.
    pub rules: u32,
    /// What it did.
    #[serde(flatten)]
    pub figures: BurnFigures,
}

/// The burn-rate rules of `m` and its services' policies, from `s`.
fn burn_json(m: &Model, s: &Summary) -> (Vec<BurnRuleJson>, Vec<BurnPolicyJson>) {
    if s.burns.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let simulated = s.runs as f64 * m.horizon - s.unsimulated;
    let mut rules = Vec::new();
    let mut count = vec![0u32; m.services.len()];
    for (a, spec) in m.alerts.iter().enumerate() {
        let Condition::Burn(b) = spec.when else {
            continue;
        };
        let Some(si) = m.services.iter().position(|&c| c == spec.comp) else {
            continue;
        };
        count[si] += 1;
        rules.push(BurnRuleJson {
            service: m.comps[spec.comp as usize].id.clone(),
            alert: a as u32,
            factor: b.factor,
            long_s: b.long,
            short_s: b.short,
            figures: BurnFigures::of(&s.burns[rules.len()], simulated),
        });
    }
    let policies = (m.services.iter().enumerate())
        .filter(|&(si, _)| count[si] > 0)
        .map(|(si, &c)| BurnPolicyJson {
            service: m.comps[c as usize].id.clone(),
            rules: count[si],
            figures: BurnFigures::of(&s.burns[rules.len() + si], simulated),
        })
        .collect();
    (rules, policies)
}

/// The people in the loop, per run or on average.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PeopleJson {
    /// Mean time from the page to the diagnosis, seconds (null when nothing was diagnosed).
    pub mean_time_to_diagnose_s: Option<f64>,
    /// Mean fatigue factor diagnoses started at (null without fatigue).
    pub mean_fatigue: Option<f64>,
    /// The largest fatigue factor anyone worked at, per run (1: nobody tired).
    pub peak_fatigue: MeanCi,
    /// The longest shift anyone worked, hours per run (0 without fatigue).
    pub longest_shift_h: MeanCi,
    /// The longest shift in any run, hours.
    pub longest_shift_h_max: f64,
    /// Procedures carried out per run.
    pub procedures: Mean,
    /// Procedures that failed (a step skipped or done wrong) per run.
    pub procedures_failed: Mean,
    /// Share of procedures that failed (null when none was carried out).
    pub failure_share: Option<f64>,
    /// Second faults set off by steps done wrong, per run.
    pub second_faults: Mean,
}

impl PeopleJson {
    fn of(p: &PeopleStats, runs: u64) -> PeopleJson {
        let finite = |x: f64| x.is_finite().then_some(x);
        let per_run = |n: u64| Mean {
            mean: n as f64 / runs.max(1) as f64,
        };
        PeopleJson {
            mean_time_to_diagnose_s: finite(p.mean_time_to_diagnose()),
            mean_fatigue: finite(p.mean_fatigue()),
            peak_fatigue: (&p.peak_fatigue).into(),
            longest_shift_h: (&p.longest_shift).into(),
            longest_shift_h_max: if p.longest_shift.count() > 0 {
                p.longest_shift.max()
            } else {
                0.0
            },
            procedures: per_run(p.procedures),
            procedures_failed: per_run(p.failed),
            failure_share: finite(p.failure_share()),
            second_faults: per_run(p.worse),
        }
    }
}

/// Latent faults, failures on demand and inspections, per run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct HiddenJson {
    /// Latent faults found by inspections per run.
    pub found_by_inspection: Mean,
    /// Latent faults revealed by a demand per run.
    pub revealed_on_demand: Mean,
    /// Faults that happened on demand per run.
    pub failed_on_demand: Mean,
    /// Inspections per run.
    pub inspections: Mean,
    /// Mean time a latent fault stayed hidden before it was found or revealed, seconds
    /// (null when none was).
    pub mean_hidden_s: Option<f64>,
    /// Per component with latent faults, and each group or voter they feed: the share of
    /// time it would have failed had it been called on (its hidden unavailability, or
    /// average probability of failure on demand).
    pub unready: Vec<UnreadyJson>,
}

/// One component's hidden unavailability.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct UnreadyJson {
    /// Component id.
    pub id: String,
    /// Share of time it would have failed if demanded, mean and 95% CI.
    pub share: MeanCi,
}

impl HiddenJson {
    fn of(m: &Model, h: &HiddenStats) -> HiddenJson {
        let mean = |x: &Moments| Mean { mean: x.mean() };
        let hidden = h.mean_hidden();
        HiddenJson {
            found_by_inspection: mean(&h.found),
            revealed_on_demand: mean(&h.revealed),
            failed_on_demand: mean(&h.on_demand),
            inspections: mean(&h.inspections),
            mean_hidden_s: hidden.is_finite().then_some(hidden),
            unready: m
                .watch
                .iter()
                .zip(&h.unready)
                .map(|(&c, u)| UnreadyJson {
                    id: m.comps[c as usize].id.clone(),
                    share: u.into(),
                })
                .collect(),
        }
    }
}

/// A share of runs with its 95% confidence interval (Wilson's).
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct ShareCi {
    /// The share.
    pub share: f64,
    /// Lower end of the 95% confidence interval.
    pub lo95: f64,
    /// Upper end of the 95% confidence interval.
    pub hi95: f64,
}

impl ShareCi {
    /// `k` runs of `n`, with Wilson's score interval (sound near 0 and 1).
    pub fn of(k: u64, n: u64) -> ShareCi {
        let n = n.max(1) as f64;
        let p = k as f64 / n;
        let z = 1.959_963_984_540_054_f64;
        let d = 1.0 + z * z / n;
        let centre = (p + z * z / (2.0 * n)) / d;
        let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
        ShareCi {
            share: p,
            lo95: (centre - half).max(0.0),
            hi95: (centre + half).min(1.0),
        }
    }
}

/// The figures of a scenario with operating phases.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PhasesJson {
    /// Phased-mission reliability: the share of runs in which no service failed.
    pub mission_reliability: ShareCi,
    /// Per phase, in the scenario's order.
    pub list: Vec<PhaseJson>,
}

/// One operating phase's figures.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PhaseJson {
    /// The phase's name.
    pub name: String,
    /// Seconds spent in the phase per run.
    pub time_s: Mean,
    /// Seconds per run with at least one service failed during the phase.
    pub downtime_s: MeanCi,
    /// Site failures that began during the phase, per run.
    pub failures: Mean,
    /// Share of runs with a site failure that began during the phase.
    pub failure_probability: f64,
    /// Cost of the phase's downtime, degraded time and affected users, per run.
    pub cost: MeanCi,
    /// Share of runs in which an abort switched to the phase.
    pub aborted_into: f64,
}

/// The phases' figures of `s`, if `m` has phases.
pub fn phases_json(m: &Model, s: &Summary) -> Option<PhasesJson> {
    let ph = m.phases.as_ref()?;
    let runs = s.runs.max(1) as f64;
    let list = (ph.list.iter().zip(&s.phases))
        .map(|(p, st)| PhaseJson {
            name: p.name.clone(),
            time_s: Mean {
                mean: st.time.mean(),
            },
            downtime_s: (&st.downtime).into(),
            failures: Mean {
                mean: st.failures.mean(),
            },
            failure_probability: st.failed_runs as f64 / runs,
            cost: (&st.cost).into(),
            aborted_into: st.aborted_runs as f64 / runs,
        })
        .collect();
    Some(PhasesJson {
        mission_reliability: ShareCi::of(s.runs - s.failed_runs, s.runs),
        list,
    })
}

/// Time shares of one component.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ComponentJson {
    /// Component id.
    pub id: String,
    /// Share of time healthy.
    pub healthy: f64,
    /// Share of time degraded.
    pub degraded: f64,
    /// Share of time corrupt.
    pub corrupt: f64,
    /// Share of time down.
    pub down: f64,
}

/// The whole JSON summary.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SummaryJson {
    /// The faultline version that produced it ([`VERSION`]).
    pub faultline_version: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// Runs simulated.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Simulated time per run, seconds.
    pub horizon_s: f64,
    /// Events processed, all runs.
    pub events: u64,
    /// Runs stopped by the event cap or the memory budget.
    pub capped_runs: u64,
    /// Runs stopped by the memory budget (absent when none was).
    #[serde(skip_serializing_if = "is_zero")]
    pub budget_runs: u64,
    /// Per strategy.
    pub strategies: Vec<StrategyJson>,
    /// Per component time shares (baseline).
    pub components: Vec<ComponentJson>,
    /// Warnings about the scenario (a model that cannot do what it says); the key is left
    /// out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<WarningJson>,
    /// The cheapest strategy against the next cheapest on the same runs (absent without
    /// a cost model or with fewer than two strategies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winner_vs_runner_up: Option<RunnerUpJson>,
}

/// The winner of a cost ranking against the runner-up, as a paired difference.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RunnerUpJson {
    /// The cheapest strategy (possibly the baseline).
    pub winner: String,
    /// The next cheapest.
    pub runner_up: String,
    /// Per run: the winner's cost minus the runner-up's on the same run (negative: the
    /// winner is cheaper), mean and 95% CI half-width.
    pub paired_cost_diff: MeanCi,
}

/// The winner against the runner-up of `j`'s cost ranking, from the per-run paired
/// differences each summary keeps against every other model.
fn winner_vs_runner_up(j: &SummaryJson, summaries: &[Summary]) -> Option<RunnerUpJson> {
    let (by_cost, order) = crate::tables::ranked(j);
    let (w, r) = (order.first()?, order.get(1)?);
    let index = |name: &str| j.strategies.iter().position(|x| x.name == name);
    let d = summaries
        .get(index(&w.name)?)?
        .paired_cost_vs
        .get(index(&r.name)?)?;
    (by_cost && d.count() > 0).then(|| RunnerUpJson {
        winner: w.name.clone(),
        runner_up: r.name.clone(),
        paired_cost_diff: d.into(),
    })
}

/// A warning about the scenario, located as the CLI prints it.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct WarningJson {
    /// `file:line:column`.
    pub at: String,
    /// The path of the value in the scenario (`strategies[1].mitigations[0].standby`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

/// Root causes, most frequent first (ties in model order). The slots of one common cause
/// are counted together: it is one fault, whichever target the failure came through.
fn roots(m: &Model, s: &Summary) -> Vec<RootJson> {
    let total: u64 = s.roots.iter().sum();
    let mut out: Vec<RootJson> = vec![];
    // Own fault modes are unique per component; a common cause's slots fold into one row.
    let mut common_row: Vec<usize> = vec![usize::MAX; m.common.len()];
    for (i, &n) in s.roots.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let row = |fault: String, component: String, common_cause: bool| RootJson {
            fault,
            component,
            common_cause,
            failures: n,
            share: 0.0,
        };
        if i == m.slots.len() {
            out.push(row("unexplained".into(), String::new(), false));
            continue;
        }
        let slot = &m.slots[i];
        match slot.source {
            Source::Common(cc) if common_row[cc as usize] != usize::MAX => {
                out[common_row[cc as usize]].failures += n;
            }
            Source::Common(cc) => {
                common_row[cc as usize] = out.len();
                out.push(row(m.common[cc as usize].name.clone(), String::new(), true));
            }
            Source::Own => out.push(row(
                slot.name.clone(),
                m.comps[slot.comp as usize].id.clone(),
                false,
            )),
        }
    }
    for r in &mut out {
        r.share = r.failures as f64 / total as f64;
    }
    // Stable sort: ties keep model order.
    out.sort_by_key(|r| std::cmp::Reverse(r.failures));
    out
}

/// Builds the JSON summary of a study of one model.
pub fn summary_json(m: &Model, s: &Summary, seed: u64) -> SummaryJson {
    summary_json_all(std::slice::from_ref(m), std::slice::from_ref(s), seed)
}

/// The figures of one strategy, `about` being what the strategy means in words.
fn strategy_json(m: &Model, s: &Summary, about: &str) -> StrategyJson {
    let (burn_rules, burn_policies) = burn_json(m, s);
    let services = m
        .services
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let st = &s.services[k];
            ServiceJson {
                id: m.comps[c as usize].id.clone(),
                users: m.comps[c as usize].service.map_or(0, |x| x.users),
                availability: (&st.availability).into(),
                downtime_s: Spread::of(&st.downtime, &st.downtime_hist),
                degraded_s: Mean {
                    mean: st.degraded.mean(),
                },
                failures: Mean {
                    mean: st.failures.mean(),
                },
                failure_probability: st.failed_runs as f64 / s.runs.max(1) as f64,
                first_failure_p50_s: st.first_failure.quantile(0.5),
                user_minutes: (&st.user_minutes).into(),
                objective: (m.comps[c as usize].service.and_then(|x| x.objective))
                    .zip(st.objective.as_ref())
                    .map(|(o, x)| ObjectiveJson::of(&o, x, s.runs)),
            }
        })
        .collect();
    StrategyJson {
        name: m.strategy.clone(),
        about: about.to_string(),
        availability: (&s.availability).into(),
        downtime_s: Spread::of(&s.downtime, &s.downtime_hist),
        cost: (&s.cost).into(),
        paired_cost_diff: (&s.paired_cost).into(),
        paired_downtime_diff_s: (&s.paired_downtime).into(),
        mttd_s: m.response.map(|_| s.mean_time_to_detect()),
        mttm_s: s.mean_time_to_restore(),
        time_to_restore_s: s.mean_time_to_restore(),
        mttr_s: s.mean_time_to_repair(),
        undetected: s.undetected,
        responder_hours: (&s.responder_hours).into(),
        mitigations: Mean {
            mean: s.mitigations.mean(),
        },
        failures: Mean {
            mean: s.failures.mean(),
        },
        failure_probability: s.failure_probability(),
        user_minutes: (&s.user_minutes).into(),
        services,
        root_causes: roots(m, s),
        queues: (s.queues.iter().enumerate())
            .map(|(k, st)| QueueJson::of(m, k, st, s.runs))
            .collect(),
        hidden: s.hidden.as_ref().map(|h| HiddenJson::of(m, h)),
        people: s.people.as_ref().map(|p| PeopleJson::of(p, s.runs)),
        phases: phases_json(m, s),
        burn_rules,
        burn_policies,
    }
}

/// Builds the JSON summary of a study of the baseline (first) and its strategies, run on
/// the same seeds.
pub fn summary_json_all(models: &[Model], summaries: &[Summary], seed: u64) -> SummaryJson {
    let m = &models[0];
    let s = &summaries[0];
    let strategies = models
        .iter()
        .zip(summaries)
        .map(|(mk, sk)| {
            let about = if mk.strategy == "baseline" {
                "the scenario as written"
            } else {
                mk.strategy_about.as_str()
            };
            strategy_json(mk, sk, about)
        })
        .collect();
    let mut j = SummaryJson {
        faultline_version: VERSION,
        scenario: m.name.clone(),
        runs: s.runs,
        seed,
        horizon_s: m.horizon,
        events: summaries.iter().map(|x| x.events).sum(),
        capped_runs: summaries.iter().map(|x| x.capped_runs).sum(),
        budget_runs: summaries.iter().map(|x| x.budget_runs).sum(),
        strategies,
        components: m
            .comps
            .iter()
            .enumerate()
            .map(|(i, c)| ComponentJson {
                id: c.id.clone(),
                healthy: s.share_in(i, Class::Healthy, m.horizon),
                degraded: s.share_in(i, Class::Degraded, m.horizon),
                corrupt: s.share_in(i, Class::Corrupt, m.horizon),
                down: s.share_in(i, Class::Down, m.horizon),
            })
            .collect(),
        warnings: vec![],
        winner_vs_runner_up: None,
    };
    j.winner_vs_runner_up = winner_vs_runner_up(&j, summaries);
    j
}

/// Whether a count is zero (a field left out of the JSON when it is).
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What `validate --json` prints: the scenario's size, its problems or warnings, and its
/// single points of failure.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ValidateJson {
    /// The faultline version that produced it ([`VERSION`]).
    pub faultline_version: &'static str,
    /// The scenario file, as given.
    pub file: String,
    /// Scenario name (null when the file could not be read or parsed).
    pub scenario: Option<String>,
    /// Whether the scenario is valid (no problems; warnings do not count).
    pub valid: bool,
    /// Its size (null when invalid).
    pub counts: Option<CountsJson>,
    /// Simulated time per run, seconds (null when invalid).
    pub horizon_s: Option<f64>,
    /// Every problem found (empty when valid).
    pub problems: Vec<ProblemJson>,
    /// Warnings: a valid model that cannot do what it says.
    pub warnings: Vec<WarningJson>,
    /// Components that alone fail a service (baseline), in model order: every one.
    pub spofs: Vec<SpofJson>,
    /// Common-cause faults that alone fail a service despite redundancy.
    pub common_cause_spofs: Vec<CommonSpofJson>,
}

/// The size of a valid scenario (its baseline).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CountsJson {
    /// Components.
    pub components: usize,
    /// Dependency edges.
    pub edges: usize,
    /// Fault modes (an own mode each, plus a common cause's share in each target).
    pub fault_modes: usize,
    /// Common-cause faults.
    pub common_causes: usize,
    /// Services (components users see).
    pub services: usize,
    /// Strategies besides the baseline.
    pub strategies: usize,
}

/// A problem that makes a scenario invalid, located.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ProblemJson {
    /// What is wrong.
    pub message: String,
    /// The scenario file.
    pub file: String,
    /// 1-based line (null when the file could not be read).
    pub line: Option<usize>,
    /// 1-based column (null when the file could not be read).
    pub column: Option<usize>,
    /// The path of the value at fault (null for a syntax error or an unreadable file).
    pub path: Option<String>,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

/// A component that alone fails a service.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SpofJson {
    /// Component id.
    pub component: String,
    /// The services it fails.
    pub services: Vec<String>,
    /// Whether a fault mode or common cause can bring it down (false: "no fault modes
    /// declared", a single point of failure of structure only).
    pub can_fail: bool,
}

/// A common-cause fault that alone fails a service.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CommonSpofJson {
    /// Common-cause name.
    pub common_cause: String,
    /// The services it fails.
    pub services: Vec<String>,
}

/// `validate --json` of a valid scenario: `models` are the baseline and its strategies.
pub fn validate_json(file: &str, models: &[Model], warnings: Vec<WarningJson>) -> ValidateJson {
    let m = &models[0];
    let spofs = analysis::spofs(m);
    let ids = |xs: &[u32]| -> Vec<String> {
        xs.iter().map(|&x| m.comps[x as usize].id.clone()).collect()
    };
    ValidateJson {
        faultline_version: VERSION,
        file: file.to_string(),
        scenario: Some(m.name.clone()),
        valid: true,
        counts: Some(CountsJson {
            components: m.comps.len(),
            edges: m.edges.len(),
            fault_modes: m.slots.len(),
            common_causes: m.common.len(),
            services: m.services.len(),
            strategies: models.len() - 1,
        }),
        horizon_s: Some(m.horizon),
        problems: vec![],
        warnings,
        spofs: spofs
            .components
            .iter()
            .map(|sp| SpofJson {
                component: m.comps[sp.index as usize].id.clone(),
                services: ids(&sp.services),
                can_fail: sp.can_fail,
            })
            .collect(),
        common_cause_spofs: spofs
            .common
            .iter()
            .map(|sp| CommonSpofJson {
                common_cause: m.common[sp.index as usize].name.clone(),
                services: ids(&sp.services),
            })
            .collect(),
    }
}

/// `validate --json` of a scenario that could not be loaded: `scenario` is its name when
/// it parsed.
pub fn invalid_json(
    file: &str,
    scenario: Option<String>,
    problems: Vec<ProblemJson>,
) -> ValidateJson {
    ValidateJson {
        faultline_version: VERSION,
        file: file.to_string(),
        scenario,
        valid: false,
        counts: None,
        horizon_s: None,
        problems,
        warnings: vec![],
        spofs: vec![],
        common_cause_spofs: vec![],
    }
}
