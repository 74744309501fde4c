//! The attack search behind `faultline attack`: every set of K targets lost together (at
//! each attack time asked), each simulated on the same runs as the unattacked baseline, so
//! the damage it adds is a paired difference; then, for the worst attacks, every strategy
//! under that attack.
//!
//! The search is exhaustive: every set of K targets. Its size is the binomial coefficient
//! C(n, K) times the number of attack times, and a search larger than `limit` is refused
//! with that count rather than started.

use faultline_core::model::Model;
use faultline_core::montecarlo::{Study, Summary, run_all};
use faultline_report::json::MeanCi;
use faultline_scenario::attack::{Target, attacked, attacked_model, targets};
use faultline_scenario::diagnostics::Problem;
use faultline_scenario::duration::Duration;
use faultline_scenario::schema::Scenario;
use faultline_scenario::validate;
use serde::Serialize;
use std::collections::BTreeSet;

/// Attacked models simulated together (with the baseline), a batch at a time.
const BATCH: usize = 32;

/// What to search.
pub struct Search<'a> {
    /// How many targets are lost together.
    pub k: usize,
    /// When the attack happens, seconds into the run; the worst of these is kept.
    pub at: &'a [f64],
    /// The most attacked models one search may simulate.
    pub limit: usize,
    /// How many of the worst attacks get a strategy comparison.
    pub defend: usize,
    /// A beam search of this width instead of every set (a heuristic).
    pub beam: Option<usize>,
}

/// How the attacked sets were chosen.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Every set of K targets.
    Exhaustive,
    /// A beam search: every single target; then, size by size, every set that adds one
    /// target to one of the `width` most damaging sets so far, and (for pairs) every two
    /// members of one group or voter, which each alone may do nothing. A heuristic: the
    /// most damaging set may be missed.
    Beam {
        /// Sets kept at each size.
        width: usize,
    },
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::Exhaustive => write!(f, "exhaustive"),
            Method::Beam { width } => write!(f, "beam search of width {width} (a heuristic)"),
        }
    }
}

/// One attack: the targets, when, and what it adds to the baseline's cost and downtime
/// per run (paired over the same runs).
#[derive(Serialize, Debug, Clone)]
pub struct Attack {
    /// The targets lost together.
    pub targets: Vec<String>,
    /// When it hurts most among the attack times, seconds into the run.
    pub at_s: f64,
    /// Expected cost per run added by the attack.
    pub extra_cost: MeanCi,
    /// Expected seconds per run with a service failed, added by the attack.
    pub extra_downtime_s: MeanCi,
    /// Share of runs in which some service failed, under the attack.
    pub failure_probability: f64,
}

/// A strategy under one attack.
#[derive(Serialize, Debug, Clone)]
pub struct Defence {
    /// The strategy ("baseline": none).
    pub strategy: String,
    /// Expected cost per run under the attack (the strategy's own cost included).
    pub cost: MeanCi,
    /// Its cost minus the baseline's under the same attack, paired.
    pub vs_baseline: MeanCi,
}

/// The worst attacks' defences, one list per attack, cheapest first.
#[derive(Serialize, Debug, Clone)]
pub struct Defended {
    /// The attack's targets.
    pub targets: Vec<String>,
    /// The strategies under it, cheapest first.
    pub strategies: Vec<Defence>,
}

/// The result of a search, ranked (the most damaging attack first).
#[derive(Serialize, Debug, Clone)]
pub struct Report {
    /// The scenario.
    pub scenario: String,
    /// Targets lost together.
    pub k: usize,
    /// Every target considered.
    pub targets: Vec<String>,
    /// Attack times tried, seconds.
    pub at_s: Vec<f64>,
    /// Runs per attacked model, and the seed they share.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// How the sets were chosen: every one, or a beam search (a heuristic).
    pub search: Method,
    /// Every attack, the most damaging first.
    pub attacks: Vec<Attack>,
    /// The strategies under the worst attacks.
    pub defended: Vec<Defended>,
}

/// Why a search cannot run.
#[derive(Debug)]
pub enum SearchError {
    /// A usage problem, said in words.
    Usage(String),
    /// An attacked scenario does not compile (its problems).
    Invalid(Vec<Problem>),
}

/// Runs the search on `sc`, whose compiled baseline (with the command line's overrides) is
/// `base`; `adjust` applies those overrides to the strategies under attack.
pub fn search(
    sc: &Scenario,
    base: &Model,
    s: &Search,
    study: Study,
    adjust: &(dyn Fn(&mut Model) + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Report, SearchError> {
    let all = targets(sc);
    if s.k == 0 || s.k > all.len() {
        return Err(SearchError::Usage(format!(
            "--k {} but the scenario has {} target{} (components with a fault mode, \
             common causes)",
            s.k,
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        )));
    }
    let eval = Evaluate {
        sc,
        all: &all,
        base,
        at: s.at,
        study,
        progress,
    };
    let (attacks, search) = match s.beam {
        None => {
            // Counted before any set is listed: C(738, 4) sets would not fit in memory.
            let sets = binomial(all.len(), s.k);
            let count = sets.and_then(|c| c.checked_mul(s.at.len()));
            if count.is_none_or(|c| c > s.limit) {
                let sets = sets.map_or("more than 2^64".into(), |c| c.to_string());
                let count = count.map_or("too many".into(), |c| c.to_string());
                return Err(SearchError::Usage(format!(
                    "{sets} sets of {} targets × {} attack time{} = {count} attacked models, \
                     more than --limit {}; search with --beam 20 (a heuristic), lower --k, \
                     give fewer --at, or raise --limit",
                    s.k,
                    s.at.len(),
                    if s.at.len() == 1 { "" } else { "s" },
                    s.limit
                )));
            }
            let sets = combinations(all.len(), s.k);
            (ranked(eval.attacks(&sets)), Method::Exhaustive)
        }
        Some(width) => (beam(&eval, sc, s.k, width), Method::Beam { width }),
    };
    let mut defended = vec![];
    if !sc.strategies.is_empty() {
        for a in attacks.iter().take(s.defend) {
            defended.push(defend(sc, &all, a, study, adjust)?);
        }
    }
    Ok(Report {
        scenario: sc.name.clone(),
        k: s.k,
        targets: all.iter().map(|t| t.name().to_string()).collect(),
        at_s: s.at.to_vec(),
        runs: study.runs,
        seed: study.seed,
        search,
        attacks,
        defended,
    })
}

/// What an attack did to the runs, paired against the baseline.
struct Damage {
    cost: MeanCi,
    downtime: MeanCi,
    failure_probability: f64,
}

/// What evaluating sets of targets needs.
struct Evaluate<'a> {
    sc: &'a Scenario,
    all: &'a [Target],
    base: &'a Model,
    at: &'a [f64],
    study: Study,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl Evaluate<'_> {
    /// Each set of targets attacked at every attack time, keeping its worst.
    fn attacks(&self, sets: &[Vec<usize>]) -> Vec<Attack> {
        let plan: Vec<(f64, &Vec<usize>)> = (self.at.iter())
            .flat_map(|&at| sets.iter().map(move |set| (at, set)))
            .collect();
        let (_, summaries) = beside_base(
            self.base,
            plan.len(),
            |k| {
                let (at, set) = plan[k];
                let picked: Vec<&Target> = set.iter().map(|&i| &self.all[i]).collect();
                attacked_model(self.base, self.sc, &picked, at)
            },
            |su| Damage {
                cost: (&su.paired_cost).into(),
                downtime: (&su.paired_downtime).into(),
                failure_probability: su.failure_probability(),
            },
            self.study,
            self.progress,
        );
        sets.iter()
            .enumerate()
            .map(|(k, set)| {
                let worst = (0..self.at.len())
                    .map(|t| (t, &summaries[t * sets.len() + k]))
                    .max_by(|a, b| a.1.cost.mean.total_cmp(&b.1.cost.mean))
                    .expect("at least one attack time");
                Attack {
                    targets: set
                        .iter()
                        .map(|&i| self.all[i].name().to_string())
                        .collect(),
                    at_s: self.at[worst.0],
                    extra_cost: worst.1.cost.clone(),
                    extra_downtime_s: worst.1.downtime.clone(),
                    failure_probability: worst.1.failure_probability,
                }
            })
            .collect()
    }
}

/// `attacks` ranked: the most damaging first, by cost, then (a scenario without costs) by
/// downtime; ties in the order of the targets.
fn ranked(mut attacks: Vec<Attack>) -> Vec<Attack> {
    attacks.sort_by(|a, b| {
        (b.extra_cost.mean.total_cmp(&a.extra_cost.mean))
            .then(b.extra_downtime_s.mean.total_cmp(&a.extra_downtime_s.mean))
    });
    attacks
}

/// The beam search (see [`Method::Beam`]): the sets of `k` targets it reached, ranked.
fn beam(eval: &Evaluate, sc: &Scenario, k: usize, width: usize) -> Vec<Attack> {
    let n = eval.all.len();
    let index = |name: &str| eval.all.iter().position(|t| t.name() == name);
    let singles: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut level = ranked(eval.attacks(&singles));
    for size in 2..=k {
        let mut next: BTreeSet<Vec<usize>> = BTreeSet::new();
        for a in level.iter().take(width) {
            let set: Vec<usize> = a.targets.iter().filter_map(|t| index(t)).collect();
            for t in 0..n {
                if !set.contains(&t) {
                    let mut grown = set.clone();
                    grown.push(t);
                    grown.sort_unstable();
                    next.insert(grown);
                }
            }
        }
        if size == 2 {
            // Members of one group or voter: masked alone, perhaps not together.
            for c in &sc.components {
                let members =
                    (c.group.iter().flat_map(|g| &g.of)).chain(c.voter.iter().flat_map(|v| &v.of));
                let idx: Vec<usize> = members.filter_map(|m| index(m)).collect();
                for (x, &i) in idx.iter().enumerate() {
                    for &j in &idx[x + 1..] {
                        next.insert(vec![i.min(j), i.max(j)]);
                    }
                }
            }
        }
        let sets: Vec<Vec<usize>> = next.into_iter().collect();
        level = ranked(eval.attacks(&sets));
    }
    level
}

/// Every strategy under attack `a`, on the same runs: which defends best.
fn defend(
    sc: &Scenario,
    all: &[Target],
    a: &Attack,
    study: Study,
    adjust: &(dyn Fn(&mut Model) + Sync),
) -> Result<Defended, SearchError> {
    let picked: Vec<&Target> = all
        .iter()
        .filter(|t| a.targets.iter().any(|n| n == t.name()))
        .collect();
    let x = attacked(sc, &picked, Duration(a.at_s));
    let mut models = validate::compile_all(&x).map_err(SearchError::Invalid)?;
    models.iter_mut().for_each(adjust);
    let summaries = run_all(&models, study, &|_| {});
    let mut strategies: Vec<Defence> = models
        .iter()
        .zip(&summaries)
        .map(|(m, su)| Defence {
            strategy: m.strategy.clone(),
            cost: (&su.cost).into(),
            vs_baseline: (&su.paired_cost).into(),
        })
        .collect();
    strategies.sort_by(|p, q| p.cost.mean.total_cmp(&q.cost.mean));
    Ok(Defended {
        targets: a.targets.clone(),
        strategies,
    })
}

/// Simulates `count` variants of `base` (`variant(k)` builds the k-th) on the same runs as
/// `base`, a batch at a time beside it (the pairing is run by run, so batches change no
/// number; they keep memory flat). Returns the baseline's own summary (from the first
/// batch: every batch simulates the same baseline runs) and what `keep` takes of each
/// variant's summary (whose paired differences are against `base`), so that a search over
/// thousands of variants holds a few numbers for each, not its whole summary.
pub fn beside_base<T>(
    base: &Model,
    count: usize,
    variant: impl Fn(usize) -> Model,
    keep: impl Fn(&Summary) -> T,
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
) -> (Summary, Vec<T>) {
    let mut kept = Vec::with_capacity(count);
    let mut own = None;
    let batches = count.div_ceil(BATCH).max(1) as u64;
    for b in 0..batches as usize {
        let start = b * BATCH;
        let mut models = vec![base.clone()];
        models.extend((start..(start + BATCH).min(count)).map(&variant));
        let done = b as u64 * study.runs;
        let step = &|n: u64| progress((done + n) / batches);
        let mut summaries = run_all(&models, study, step).into_iter();
        let first = summaries.next().expect("the baseline's summary");
        own.get_or_insert(first);
        kept.extend(summaries.map(|s| keep(&s)));
    }
    (own.expect("one batch at least"), kept)
}

/// C(n, k), or `None` past `usize`.
fn binomial(n: usize, k: usize) -> Option<usize> {
    if k > n {
        return Some(0);
    }
    (0..k).try_fold(1usize, |c, i| Some(c.checked_mul(n - i)? / (i + 1)))
}

/// Every set of `k` of `n` indices, in lexicographic order.
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = vec![];
    let mut cur: Vec<usize> = (0..k).collect();
    if k > n {
        return out;
    }
    loop {
        out.push(cur.clone());
        // The rightmost index that can still move right.
        let Some(i) = (0..k).rev().find(|&i| cur[i] < n - k + i) else {
            return out;
        };
        cur[i] += 1;
        for j in i + 1..k {
            cur[j] = cur[j - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{binomial, combinations};

    #[test]
    fn combinations_are_every_subset_once() {
        assert_eq!(combinations(4, 2).len(), 6);
        assert_eq!(combinations(5, 3).len(), 10);
        assert_eq!(combinations(3, 1), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(combinations(2, 2), vec![vec![0, 1]]);
        for (n, k) in [(4, 2), (5, 3), (7, 0), (3, 4)] {
            assert_eq!(
                binomial(n, k),
                Some(combinations(n, k).len()),
                "C({n}, {k})"
            );
        }
        assert_eq!(binomial(738, 4), Some(12_259_641_240));
        assert_eq!(binomial(100_000, 8), None);
    }
}
