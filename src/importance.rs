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
use faultline_scenario::duration::Duration;
use faultline_scenario::schema::{Dist, Scenario};
use faultline_scenario::validate;
use faultline_units::human;
use serde::Serialize;

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

/// One response parameter's worth: what improving it by 10% saves a year, and per unit.
#[derive(Serialize, Debug, Clone)]
pub struct Lever {
    /// The parameter ("acknowledge", "diagnose", "alert delays", "runbook", "responders").
    pub parameter: String,
    /// What the improvement is, in words ("10% faster: 10m → 9m").
    pub change: String,
    /// Cost per year saved by that change (paired, 95% CI).
    pub saves_per_year: MeanCi,
    /// The unit the saving is also given per ("minute", "responder", "0.1 of the factor").
    pub unit: String,
    /// Cost per year saved per unit of improvement (the saving divided by the change).
    pub per_unit_per_year: f64,
}

/// Every component with fault modes, ranked by what a perfect one would save.
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

/// A variant's cost, paired against the scenario's on the same runs, and its own mean.
struct Paired {
    diff: MeanCi,
    cost: f64,
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
    /// A variant's paired difference and mean, in this measure.
    fn paired(self, su: &Summary) -> Paired {
        let (diff, own) = match self {
            Measure::Cost => (&su.paired_cost, &su.cost),
            Measure::Downtime => (&su.paired_downtime, &su.downtime),
        };
        Paired {
            diff: diff.into(),
            cost: own.mean(),
        }
    }

    /// The scenario's own total per run, in this measure.
    fn total(self, su: &Summary) -> MeanCi {
        match self {
            Measure::Cost => (&su.cost).into(),
            Measure::Downtime => (&su.downtime).into(),
        }
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

/// Measures every component with fault modes of `base` (compiled from `sc`, with the
/// command line's overrides applied by `adjust`) and every response parameter on `study`'s
/// runs.
pub fn measure(
    sc: &Scenario,
    base: &Model,
    adjust: &dyn Fn(&mut Model),
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
) -> Report {
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
        |su| [Measure::Cost, Measure::Downtime].map(|m| m.paired(su)),
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
    let base_cost = measure.total(&own).mean;
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
    let levers = levers(sc, base, adjust, study, measure, &per_year);
    Report {
        scenario: base.name.clone(),
        runs: study.runs,
        seed: study.seed,
        measure,
        cost_per_year: per_year(&measure.total(&own)),
        components,
        levers,
    }
}

/// A response parameter improved: the scenario changed, what changed, and by how many units.
struct Improved {
    parameter: &'static str,
    change: String,
    unit: &'static str,
    units: f64,
    scenario: Scenario,
}

/// Each response parameter the scenario has, improved by 10% (one more responder), as a
/// scenario of its own.
fn improvements(sc: &Scenario) -> Vec<Improved> {
    let Some(r) = &sc.response else {
        return vec![];
    };
    let mut out = vec![];
    let mut with = |parameter, change: String, unit, units: f64, edit: &dyn Fn(&mut Scenario)| {
        let mut x = sc.clone();
        edit(&mut x);
        out.push(Improved {
            parameter,
            change,
            unit,
            units,
            scenario: x,
        });
    };
    for (parameter, d) in [("acknowledge", r.acknowledge), ("diagnose", r.diagnose)] {
        let Some(mean) = mean(d) else { continue };
        let change = format!("10% faster: {} → {}", human(mean), human(0.9 * mean));
        with(parameter, change, "minute", 0.1 * mean / 60.0, &|x| {
            let r = x.response.as_mut().expect("has a response");
            let d = if parameter == "acknowledge" {
                &mut r.acknowledge
            } else {
                &mut r.diagnose
            };
            *d = scaled(*d, 0.9);
        });
    }
    if !sc.alerts.is_empty() {
        let total: f64 = sc.alerts.iter().map(|a| a.after.secs()).sum();
        let change = "every alert's delay 10% shorter".to_string();
        with(
            "alert delays",
            change,
            "minute (all alerts)",
            0.1 * total / 60.0,
            &|x| {
                for a in &mut x.alerts {
                    a.after = Duration(0.9 * a.after.secs());
                }
            },
        );
    }
    let change = format!("factor 10% lower: {} → {:.3}", r.runbook, 0.9 * r.runbook);
    with("runbook", change, "0.1 of the factor", r.runbook, &|x| {
        let r = x.response.as_mut().expect("has a response");
        r.runbook *= 0.9;
    });
    let change = format!("{} → {} on call", r.oncall, r.oncall + 1);
    with("responders", change, "responder", 1.0, &|x| {
        x.response.as_mut().expect("has a response").oncall += 1;
    });
    out
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

/// The response parameters' worth, the most valuable first.
fn levers(
    sc: &Scenario,
    base: &Model,
    adjust: &dyn Fn(&mut Model),
    study: Study,
    measure: Measure,
    per_year: &dyn Fn(&MeanCi) -> MeanCi,
) -> Vec<Lever> {
    let improved: Vec<(Improved, Model)> = improvements(sc)
        .into_iter()
        .filter_map(|i| {
            let mut m = validate::compile(&i.scenario).ok()?;
            adjust(&mut m);
            Some((i, m))
        })
        .collect();
    let (_, summaries) = beside_base(
        base,
        improved.len(),
        |k| improved[k].1.clone(),
        |su| measure.paired(su).diff,
        study,
        &|_| {},
    );
    let mut levers: Vec<Lever> = improved
        .iter()
        .zip(&summaries)
        .map(|((i, _), d)| {
            let saves = per_year(&MeanCi {
                mean: -d.mean,
                ci95: d.ci95,
            });
            Lever {
                parameter: i.parameter.to_string(),
                change: i.change.clone(),
                per_unit_per_year: saves.mean / i.units,
                saves_per_year: saves,
                unit: i.unit.to_string(),
            }
        })
        .collect();
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
