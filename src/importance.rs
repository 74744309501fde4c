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
use faultline_core::montecarlo::Study;
use faultline_report::json::MeanCi;
use serde::Serialize;

/// One component's worth.
#[derive(Serialize, Debug, Clone)]
pub struct Worth {
    /// The component.
    pub component: String,
    /// Cost per year saved if it never failed on its own (paired, 95% CI).
    pub perfect_per_year: MeanCi,
    /// E[cost] / E[cost if it never failed]: the cost risk reduction worth (∞ when the
    /// perfect component leaves nothing to pay).
    pub cost_rrw: f64,
    /// Cost per year added if it were failed from the start and never repaired (paired);
    /// absent without a `Crash` fault mode.
    pub failed_per_year: Option<MeanCi>,
    /// E[cost if always failed] / E[cost]: the cost risk achievement worth.
    pub cost_raw: Option<f64>,
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
    /// The baseline's expected cost per year.
    pub cost_per_year: MeanCi,
    /// Per component, the most valuable to perfect first.
    pub components: Vec<Worth>,
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

/// `base` with component `c` crashed at the start and never repaired (its first visible
/// `Crash` mode), or `None` without one.
fn always_failed(base: &Model, c: usize) -> Option<Model> {
    let s = base.comps[c].slots.clone().find(|&s| {
        let slot = &base.slots[s as usize];
        slot.source == Source::Own && slot.effect == Effect::Crash && !slot.latent
    })?;
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
    Some(m)
}

/// Measures every component with fault modes of `base` on `study`'s runs.
pub fn measure(base: &Model, study: Study, progress: &(dyn Fn(u64) + Sync)) -> Report {
    let comps: Vec<usize> = (0..base.comps.len())
        .filter(|&c| {
            base.comps[c]
                .slots
                .clone()
                .any(|s| base.slots[s as usize].source == Source::Own)
        })
        .collect();
    let failed: Vec<Option<usize>> = {
        let mut k = 0;
        comps
            .iter()
            .map(|&c| {
                always_failed(base, c).map(|_| {
                    k += 1;
                    k - 1
                })
            })
            .collect()
    };
    let failing: Vec<usize> = comps
        .iter()
        .zip(&failed)
        .filter_map(|(&c, f)| f.map(|_| c))
        .collect();
    let n = comps.len();
    let summaries = beside_base(
        base,
        n + failing.len(),
        |k| {
            if k < n {
                perfect(base, comps[k])
            } else {
                always_failed(base, failing[k - n]).expect("has a Crash mode")
            }
        },
        study,
        progress,
    );
    let years = base.horizon / YEAR;
    let per_year = |m: &MeanCi| MeanCi {
        mean: m.mean / years,
        ci95: m.ci95 / years,
    };
    let base_run = faultline_core::montecarlo::run(base, study, &|_| {});
    let base_cost = base_run.cost.mean();
    let mut components: Vec<Worth> = comps
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let p = &summaries[k];
            let saved: MeanCi = (&p.paired_cost).into();
            let saved = MeanCi {
                mean: -saved.mean,
                ci95: saved.ci95,
            };
            let f = failed[k].map(|j| &summaries[n + j]);
            Worth {
                component: base.comps[c].id.clone(),
                perfect_per_year: per_year(&saved),
                cost_rrw: ratio(base_cost, p.cost.mean()),
                failed_per_year: f.map(|f| per_year(&(&f.paired_cost).into())),
                cost_raw: f.map(|f| ratio(f.cost.mean(), base_cost)),
            }
        })
        .collect();
    components.sort_by(|a, b| b.perfect_per_year.mean.total_cmp(&a.perfect_per_year.mean));
    Report {
        scenario: base.name.clone(),
        runs: study.runs,
        seed: study.seed,
        cost_per_year: per_year(&(&base_run.cost).into()),
        components,
    }
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
