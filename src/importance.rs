//! Cost-weighted importance behind `faultline importance`: what each component is worth in
//! money, measured on the same runs as the scenario. A *perfect* component (its own fault
//! modes never happen) saves what its faults cost, repairs, response and mitigations
//! included; an *always failed* one (its first `Crash` mode at the start, never repaired)
//! costs what protecting it is worth. These are the money versions of the risk reduction
//! and risk achievement worths of fault trees, and on a static model with costs per minute
//! of outage, a perfect component's value is its Birnbaum importance × its unavailability
//! × the price of the system's downtime (the tests check this).

use crate::attack::beside_base;
use faultline_core::model::{Effect, Injection, Model, Sampler, Source};
use faultline_core::montecarlo::{Study, Summary};
use faultline_report::json::MeanCi;
pub use faultline_report::worth::{Lever, Measure, Report, Worth};
use faultline_scenario::duration::Duration;
use faultline_scenario::schema::{Dist, Mitigation, Scenario};
use faultline_scenario::validate;
use faultline_units::human;

/// A variant's cost, paired against the scenario's on the same runs, and its own mean.
struct Paired {
    diff: MeanCi,
    cost: f64,
}

/// A variant's paired difference and mean, in measure `m`.
fn paired(m: Measure, su: &Summary) -> Paired {
    let (diff, own) = match m {
        Measure::Cost => (&su.paired_cost, &su.cost),
        Measure::Downtime => (&su.paired_downtime, &su.downtime),
    };
    Paired {
        diff: diff.into(),
        cost: own.mean(),
    }
}

/// The scenario's own total per run, in measure `m`.
fn total(m: Measure, su: &Summary) -> MeanCi {
    match m {
        Measure::Cost => (&su.cost).into(),
        Measure::Downtime => (&su.downtime).into(),
    }
}

/// A year in seconds, the unit of every "per year".
const YEAR: f64 = 365.0 * 86_400.0;

/// `base` with component `c`'s own fault modes never happening.
fn perfect(base: &Model, c: usize) -> Model {
    let mut m = base.clone();
    for s in base.comps[c].slots.clone() {
        let slot = &mut m.slots[s as usize];
        if slot.source == Source::Own {
            slot.every = Sampler::Never;
            slot.on_demand = 0.0;
        }
    }
    m
}

/// Component `c`'s first visible `Crash` mode, what failing it for good strikes.
fn crash_slot(base: &Model, c: usize) -> Option<u32> {
    base.comps[c].slots.clone().find(|&s| {
        let slot = &base.slots[s as usize];
        slot.source == Source::Own && slot.effect == Effect::Crash && !slot.latent
    })
}

/// `base` with slot `s` struck at the start and never repaired.
fn always_failed(base: &Model, s: u32) -> Model {
    let mut m = base.clone();
    m.slots[s as usize].repair = Sampler::Never;
    m.injections.insert(
        0,
        Injection {
            at: 0.0,
            slots: vec![s],
            common: None,
        },
    );
    m
}

/// Measures every component with fault modes of the baseline `models[0]` and every
/// response parameter on `study`'s runs; `models` are `sc` compiled (the baseline, then
/// every strategy) with the command line's overrides applied by `adjust`, which the
/// variants get too. A strategy's mitigation delays are measured in that strategy.
pub fn measure(
    sc: &Scenario,
    models: &[Model],
    adjust: &dyn Fn(&mut Model),
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
) -> Report {
    let base = &models[0];
    let comps: Vec<usize> = (0..base.comps.len())
        .filter(|&c| {
            base.comps[c]
                .slots
                .clone()
                .any(|s| base.slots[s as usize].source == Source::Own)
        })
        .collect();
    let crash: Vec<(usize, u32)> = (comps.iter())
        .filter_map(|&c| crash_slot(base, c).map(|s| (c, s)))
        .collect();
    let n = comps.len();
    let (own, summaries) = beside_base(
        base,
        n + crash.len(),
        |k| match k.checked_sub(n) {
            None => perfect(base, comps[k]),
            Some(j) => always_failed(base, crash[j].1),
        },
        |su| [Measure::Cost, Measure::Downtime].map(|m| paired(m, su)),
        study,
        progress,
    );
    // A scenario without costs is measured in downtime (seconds a year) instead.
    let measure = if own.cost.mean() > 0.0 {
        Measure::Cost
    } else {
        Measure::Downtime
    };
    // Each variant kept both measures, in `Measure` order.
    let which = measure as usize;
    let years = base.horizon / YEAR;
    let per_year = |m: &MeanCi| MeanCi {
        mean: m.mean / years,
        ci95: m.ci95 / years,
    };
    let base_cost = total(measure, &own).mean;
    let mut components: Vec<Worth> = comps
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let p = &summaries[k][which];
            let saved = MeanCi {
                mean: -p.diff.mean,
                ci95: p.diff.ci95,
            };
            let f = (crash.iter().position(|&(x, _)| x == c)).map(|j| &summaries[n + j][which]);
            Worth {
                component: base.comps[c].id.clone(),
                perfect_per_year: per_year(&saved),
                cost_rrw: ratio(base_cost, p.cost),
                failed_per_year: f.map(|f| per_year(&f.diff)),
                cost_raw: f.map(|f| ratio(f.cost, base_cost)),
            }
        })
        .collect();
    components.sort_by(|a, b| b.perfect_per_year.mean.total_cmp(&a.perfect_per_year.mean));
    let levers = levers(sc, models, adjust, study, measure, &per_year);
    Report {
        scenario: base.name.clone(),
        runs: study.runs,
        seed: study.seed,
        measure,
        cost_per_year: per_year(&total(measure, &own)),
        components,
        levers,
    }
}

/// A response parameter (or a strategy's mitigation delay) changed 10% both ways, each
/// way a scenario of its own.
struct Tweak {
    parameter: &'static str,
    /// The strategy whose model it changes (`None`: the baseline).
    strategy: Option<String>,
    change: String,
    unit: &'static str,
    /// Units of improvement the better scenario makes.
    units: f64,
    better: Scenario,
    /// The worse scenario and what it is, in words (none for a single responder).
    worse: Option<(String, Scenario)>,
}

/// A duration parameter's two changes in words: 10% faster and 10% slower.
fn faster_slower(mean: f64) -> (String, String) {
    (
        format!("10% faster: {} → {}", human(mean), human(0.9 * mean)),
        format!("10% slower: {} → {}", human(mean), human(1.1 * mean)),
    )
}

/// `sc` changed by `edit` with factor `f`.
fn edited(sc: &Scenario, f: f64, edit: &dyn Fn(&mut Scenario, f64)) -> Scenario {
    let mut x = sc.clone();
    edit(&mut x, f);
    x
}

/// Each response parameter the scenario has, and each strategy's spare deploy and failover
/// delays, improved by 10% (one more responder) and slipped by 10% (one fewer).
fn tweaks(sc: &Scenario) -> Vec<Tweak> {
    let mut out = vec![];
    let mut both = |parameter,
                    strategy: Option<&str>,
                    (change, slip): (String, String),
                    (unit, units): (&'static str, f64),
                    edit: &dyn Fn(&mut Scenario, f64)| {
        out.push(Tweak {
            parameter,
            strategy: strategy.map(str::to_string),
            change,
            unit,
            units,
            better: edited(sc, 0.9, edit),
            worse: Some((slip, edited(sc, 1.1, edit))),
        });
    };
    if let Some(r) = &sc.response {
        for (parameter, d) in [("acknowledge", r.acknowledge), ("diagnose", r.diagnose)] {
            let Some(mean) = mean(d) else { continue };
            let unit = ("minute", 0.1 * mean / 60.0);
            both(parameter, None, faster_slower(mean), unit, &|x, f| {
                let r = x.response.as_mut().expect("has a response");
                let d = if parameter == "acknowledge" {
                    &mut r.acknowledge
                } else {
                    &mut r.diagnose
                };
                *d = scaled(*d, f);
            });
        }
    }
    if sc.response.is_some() && !sc.alerts.is_empty() {
        let total: f64 = sc.alerts.iter().map(|a| a.after.secs()).sum();
        let words = (
            "every alert's delay 10% shorter".to_string(),
            "every alert's delay 10% longer".to_string(),
        );
        let unit = ("minute (all alerts)", 0.1 * total / 60.0);
        both("alert delays", None, words, unit, &|x, f| {
            for a in &mut x.alerts {
                a.after = Duration(f * a.after.secs());
            }
        });
    }
    if let Some(r) = &sc.response {
        let words = (
            format!("factor 10% lower: {} → {:.3}", r.runbook, 0.9 * r.runbook),
            format!("factor 10% higher: {} → {:.3}", r.runbook, 1.1 * r.runbook),
        );
        both(
            "runbook",
            None,
            words,
            ("0.1 of the factor", r.runbook),
            &|x, f| {
                x.response.as_mut().expect("has a response").runbook *= f;
            },
        );
    }
    for st in &sc.strategies {
        for (parameter, is_spare) in [("spare deploy", true), ("failover delay", false)] {
            let delays: Vec<f64> = (st.mitigations.iter())
                .filter_map(|m| delay(m, is_spare).and_then(mean))
                .collect();
            if delays.is_empty() {
                continue;
            }
            let total: f64 = delays.iter().sum();
            let unit = if delays.len() == 1 {
                "hour"
            } else {
                "hour (all of them)"
            };
            let name = st.name.clone();
            both(
                parameter,
                Some(&st.name),
                faster_slower(total / delays.len() as f64),
                (unit, 0.1 * total / 3600.0),
                &move |x, f| {
                    let st = (x.strategies.iter_mut())
                        .find(|s| s.name == name)
                        .expect("the strategy");
                    for m in &mut st.mitigations {
                        scale_delay(m, is_spare, f);
                    }
                },
            );
        }
    }
    if let Some(r) = &sc.response {
        let mut one_more = sc.clone();
        one_more.response.as_mut().expect("has a response").oncall += 1;
        let worse = (r.oncall > 1).then(|| {
            let mut x = sc.clone();
            x.response.as_mut().expect("has a response").oncall -= 1;
            (format!("{} → {} on call", r.oncall, r.oncall - 1), x)
        });
        out.push(Tweak {
            parameter: "responders",
            strategy: None,
            change: format!("{} → {} on call", r.oncall, r.oncall + 1),
            unit: "responder",
            units: 1.0,
            better: one_more,
            worse,
        });
    }
    out
}

/// A mitigation's delay when it is of the kind asked: a spare's deploy time, or a
/// failover's switching time.
fn delay(m: &Mitigation, spare: bool) -> Option<Dist> {
    match (m, spare) {
        (Mitigation::Spare { deploy, .. }, true) => Some(*deploy),
        (Mitigation::Failover { delay, .. }, false) => Some(*delay),
        _ => None,
    }
}

/// `m`'s delay multiplied by `f`, when it is of the kind asked.
fn scale_delay(m: &mut Mitigation, spare: bool, f: f64) {
    match (m, spare) {
        (Mitigation::Spare { deploy: d, .. }, true)
        | (Mitigation::Failover { delay: d, .. }, false) => *d = scaled(*d, f),
        _ => {}
    }
}

/// The mean of a duration distribution, seconds (`None` when it has none to improve).
fn mean(d: Dist) -> Option<f64> {
    let m = match d {
        Dist::Exp { mean } => mean.secs(),
        Dist::Weibull { shape, scale } => faultline_core::model::weibull_mean(shape, scale.secs()),
        Dist::LogNormal { median, sigma } => median.secs() * (sigma * sigma / 2.0).exp(),
        Dist::Uniform(a, b) => (a.secs() + b.secs()) / 2.0,
        Dist::Fixed(x) | Dist::At(x) => x.secs(),
        Dist::Never => return None,
    };
    (m > 0.0 && m.is_finite()).then_some(m)
}

/// `d` with every duration multiplied by `f` (its mean too).
fn scaled(d: Dist, f: f64) -> Dist {
    let x = |v: Duration| Duration(v.secs() * f);
    match d {
        Dist::Exp { mean } => Dist::Exp { mean: x(mean) },
        Dist::Weibull { shape, scale } => Dist::Weibull {
            shape,
            scale: x(scale),
        },
        Dist::LogNormal { median, sigma } => Dist::LogNormal {
            median: x(median),
            sigma,
        },
        Dist::Uniform(a, b) => Dist::Uniform(x(a), x(b)),
        Dist::Fixed(v) => Dist::Fixed(x(v)),
        Dist::At(v) => Dist::At(x(v)),
        Dist::Never => Dist::Never,
    }
}

/// The response parameters' worth, the most valuable first. Each tweak is paired against
/// the model it changes: the baseline, or its strategy's.
fn levers(
    sc: &Scenario,
    models: &[Model],
    adjust: &dyn Fn(&mut Model),
    study: Study,
    measure: Measure,
    per_year: &dyn Fn(&MeanCi) -> MeanCi,
) -> Vec<Lever> {
    // The model of `x` that `t` changes, with the command line's overrides.
    let compile = |t: &Tweak, x: &Scenario| -> Option<Model> {
        let mut m = match &t.strategy {
            None => validate::compile(x).ok()?,
            Some(name) => (validate::compile_all(x).ok()?)
                .into_iter()
                .find(|m| &m.strategy == name)?,
        };
        adjust(&mut m);
        Some(m)
    };
    let all = tweaks(sc);
    let mut levers = vec![];
    for (k, own) in models.iter().enumerate() {
        let mine = |t: &&Tweak| match &t.strategy {
            None => k == 0,
            Some(name) => k > 0 && &own.strategy == name,
        };
        let compiled: Vec<(&Tweak, Model, Option<Model>)> = (all.iter().filter(mine))
            .filter_map(|t| {
                let better = compile(t, &t.better)?;
                let worse = t.worse.as_ref().and_then(|(_, w)| compile(t, w));
                Some((t, better, worse))
            })
            .collect();
        if compiled.is_empty() {
            continue;
        }
        // Every tweak's better model, then the worse ones that exist, beside `own`.
        let variants: Vec<&Model> = (compiled.iter().map(|c| &c.1))
            .chain(compiled.iter().filter_map(|c| c.2.as_ref()))
            .collect();
        let (_, diffs) = beside_base(
            own,
            variants.len(),
            |v| variants[v].clone(),
            |su| paired(measure, su).diff,
            study,
            &|_| {},
        );
        let mut worse_diffs = diffs[compiled.len()..].iter();
        for ((t, _, worse), d) in compiled.iter().zip(&diffs) {
            let saves = per_year(&MeanCi {
                mean: -d.mean,
                ci95: d.ci95,
            });
            let slip = worse.as_ref().and_then(|_| worse_diffs.next());
            levers.push(Lever {
                parameter: t.parameter.to_string(),
                strategy: t.strategy.clone(),
                change: t.change.clone(),
                per_unit_per_year: saves.mean / t.units,
                saves_per_year: saves,
                unit: t.unit.to_string(),
                worse: slip.and(t.worse.as_ref().map(|w| w.0.clone())),
                worse_costs_per_year: slip.map(per_year),
            });
        }
    }
    levers.sort_by(|a, b| b.saves_per_year.mean.total_cmp(&a.saves_per_year.mean));
    levers
}

/// `a / b`, infinite when only `b` is zero, 1 when both are.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else if a > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}
