//! Rare events: the probability that some service fails within the horizon, when it is
//! far too small for plain Monte Carlo (1e-9 needs about 1e11 runs), by fixed-effort
//! splitting.
//!
//! A history's *level* is the number of faults present in it, or "failed" once some
//! service has failed. The levels to reach are thresholds on it, `1, 2, ..., k-1` and then
//! "failed". Stage 0 starts `effort` histories at time 0 and follows each until it reaches
//! the first threshold or the run ends; the share that reach it estimates
//! P(reach level 1). Each later stage starts `effort` histories from the states in which
//! the previous stage's histories reached their threshold (copies of the simulator,
//! [`Sim::rekey`]ed and with their memoryless clocks redrawn), spread evenly over them
//! with the remainder given to states chosen at random, and follows each until the next
//! threshold or the end. The product of the stages' shares is an unbiased estimate of
//! P(some service fails within the horizon). Independent replications give its standard
//! error without assuming anything about the correlation between stages.
//!
//! Anchors: Garvels' fixed-effort splitting (thesis, 2000), as in AvailSim4's splitting
//! Monte Carlo and DFTRES; the level (faults present) suits models where a failure needs
//! several faults at once (k-of-n groups, redundancy, spares).

use crate::engine::Sim;
use crate::model::Model;
use crate::rng;
use crate::stats::t95;
use rand::Rng;
use rayon::prelude::*;

/// Purpose of the stream that spreads a stage's histories over its starting states.
const SPREAD: u64 = 7;
/// Mixed into the study seed, so that a splitting study's streams are its own.
const SALT: u64 = 0x5241_5245_5350_4c49;

/// A splitting study: what to estimate with how much effort.
#[derive(Clone, Debug)]
pub struct RareStudy {
    /// Study seed.
    pub seed: u64,
    /// Thresholds on the number of faults present, increasing; the last level, a service
    /// failed, comes after them.
    pub thresholds: Vec<u32>,
    /// Histories per stage in each replication.
    pub effort: u64,
    /// Independent replications (their spread is the standard error).
    pub replications: u32,
    /// Worker threads (replications run in parallel; results do not depend on it).
    pub threads: usize,
}

/// One stage of one replication: how many of its histories reached its threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageCount {
    /// Histories started.
    pub runs: u64,
    /// Histories that reached the stage's threshold.
    pub hits: u64,
    /// Events handled by the stage's histories.
    pub events: u64,
}

/// One replication: its estimate and its stages (fewer than the levels when a stage had
/// no hits: the estimate is then 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Replication {
    /// The product of the stages' shares.
    pub estimate: f64,
    /// Per stage.
    pub stages: Vec<StageCount>,
}

/// What a splitting study found.
#[derive(Clone, Debug)]
pub struct RareResult {
    /// Per replication, in order.
    pub replications: Vec<Replication>,
    /// Mean of the replications' estimates.
    pub estimate: f64,
    /// Standard error of the mean.
    pub std_error: f64,
    /// Half-width of the 95% interval (Student's t over the replications).
    pub ci95: f64,
}

impl RareResult {
    /// Relative standard error (standard error ÷ estimate; +inf for an estimate of 0).
    pub fn relative_error(&self) -> f64 {
        if self.estimate > 0.0 {
            self.std_error / self.estimate
        } else {
            f64::INFINITY
        }
    }

    /// Histories simulated, over every stage and replication.
    pub fn histories(&self) -> u64 {
        self.stage_sum(|s| s.runs)
    }

    /// Events handled, over every stage and replication.
    pub fn events(&self) -> u64 {
        self.stage_sum(|s| s.events)
    }

    fn stage_sum(&self, f: impl Fn(&StageCount) -> u64) -> u64 {
        (self.replications.iter())
            .flat_map(|r| &r.stages)
            .map(f)
            .sum()
    }

    /// Per level: the pooled share of histories that reached it from the previous one
    /// (hits ÷ runs over the replications that got that far).
    pub fn stage_shares(&self, levels: usize) -> Vec<f64> {
        (0..levels)
            .map(|j| {
                let (h, n) = (self.replications.iter())
                    .filter_map(|r| r.stages.get(j))
                    .fold((0, 0), |(h, n), s| (h + s.hits, n + s.runs));
                if n == 0 { 0.0 } else { h as f64 / n as f64 }
            })
            .collect()
    }
}

/// Runs `study` on `m`. `progress` gets the number of histories finished so far.
pub fn estimate(m: &Model, study: &RareStudy, progress: &(dyn Fn(u64) + Sync)) -> RareResult {
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = |n: u64| {
        let t = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        progress(t);
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(study.threads.max(1))
        .build()
        .expect("thread pool");
    let replications: Vec<Replication> = pool.install(|| {
        (0..study.replications)
            .into_par_iter()
            .map(|r| replicate(m, study, r, &tick))
            .collect()
    });
    let n = replications.len() as f64;
    let estimate = replications.iter().map(|r| r.estimate).sum::<f64>() / n;
    let var = (replications.iter())
        .map(|r| (r.estimate - estimate).powi(2))
        .sum::<f64>()
        / (n - 1.0).max(1.0);
    let std_error = (var / n).sqrt();
    RareResult {
        ci95: t95(replications.len() as u64) * std_error,
        replications,
        estimate,
        std_error,
    }
}

/// The run index of history `i` of stage `stage` of replication `r`: every history has
/// its own streams.
fn history(r: u32, stage: usize, i: u64) -> u64 {
    (u64::from(r) << 44) | ((stage as u64) << 36) | i
}

/// Where a history stands: faults present, or `u32::MAX` once some service has failed.
fn level(s: &Sim) -> u32 {
    if s.some_service_failed() {
        u32::MAX
    } else {
        s.faults_present()
    }
}

/// One replication: every stage in turn until the last level or a stage without hits.
fn replicate(m: &Model, study: &RareStudy, r: u32, tick: &(dyn Fn(u64) + Sync)) -> Replication {
    let seed = study.seed ^ SALT;
    let targets: Vec<u32> = (study.thresholds.iter().copied())
        .chain([u32::MAX])
        .collect();
    let mut stages = Vec::with_capacity(targets.len());
    let mut estimate = 1.0;
    let mut from: Vec<Sim> = vec![];
    for (j, &target) in targets.iter().enumerate() {
        let mut reached = Kept::new(seed, history(r, j, 0));
        let mut count = StageCount {
            runs: study.effort,
            ..StageCount::default()
        };
        let starts = spread(study.effort, from.len(), seed, history(r, j, 0));
        let mut sim = Sim::new(m);
        for i in 0..study.effort {
            let before = if j == 0 {
                sim.begin(seed, history(r, j, i));
                0
            } else {
                sim.clone_from(&from[starts[i as usize]]);
                sim.rekey(seed, history(r, j, i));
                sim.redraw_memoryless();
                sim.events
            };
            let hit = level(&sim) >= target || sim.advance_until(&mut (), |s| level(s) >= target);
            count.events += sim.events - before;
            if hit {
                count.hits += 1;
                reached.offer(&sim);
            }
            if i % 1024 == 1023 {
                tick(1024);
            }
        }
        tick(study.effort % 1024);
        stages.push(count);
        estimate *= count.hits as f64 / count.runs as f64;
        if count.hits == 0 {
            // The remaining stages would start nowhere: counted as done.
            let left = (targets.len() - j - 1) as u64 * study.effort;
            tick(left);
            break;
        }
        from = reached.states;
    }
    Replication { estimate, stages }
}

/// The states a stage's histories reached their threshold in, or a uniform sample of
/// [`Kept::MOST`] of them (reservoir sampling): every state reached has the same chance to
/// be kept, so the next stage still starts from them evenly in expectation (the product of
/// shares stays unbiased), and memory stays bounded when a level is easy to reach.
struct Kept<'m> {
    states: Vec<Sim<'m>>,
    seen: u64,
    rng: rand_chacha::ChaCha8Rng,
}

impl<'m> Kept<'m> {
    /// States kept at most per stage.
    const MOST: usize = 4096;

    fn new(seed: u64, run: u64) -> Kept<'m> {
        Kept {
            states: vec![],
            seen: 0,
            rng: rng::stream(seed, run, 1, SPREAD),
        }
    }

    /// One more state reached.
    fn offer(&mut self, sim: &Sim<'m>) {
        self.seen += 1;
        if self.states.len() < Self::MOST {
            self.states.push(sim.clone());
        } else {
            let k = self.rng.random_range(0..self.seen);
            if let Some(slot) = self.states.get_mut(k as usize) {
                slot.clone_from(sim);
            }
        }
    }
}

/// Which starting state each of `effort` histories takes: every one of `states` the same
/// number of times, the remainder to distinct states drawn at random (so each state's
/// expected share is equal and the product of shares stays unbiased).
fn spread(effort: u64, states: usize, seed: u64, run: u64) -> Vec<usize> {
    if states == 0 {
        return vec![];
    }
    let each = effort / states as u64;
    let mut v: Vec<usize> = (0..states)
        .flat_map(|k| std::iter::repeat_n(k, each as usize))
        .collect();
    let extra = (effort - each * states as u64) as usize;
    let mut rng = rng::stream(seed, run, 0, SPREAD);
    let mut pool: Vec<usize> = (0..states).collect();
    for k in 0..extra {
        // A partial Fisher-Yates shuffle: `extra` distinct states.
        let pick = rng.random_range(k..states);
        pool.swap(k, pick);
        v.push(pool[k]);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_gives_every_state_its_share_and_the_rest_to_distinct_ones() {
        let v = spread(10, 4, 1, 2);
        assert_eq!(v.len(), 10);
        let mut counts = [0; 4];
        for &k in &v {
            counts[k] += 1;
        }
        assert_eq!(counts.iter().filter(|&&c| c == 3).count(), 2, "{counts:?}");
        assert_eq!(counts.iter().filter(|&&c| c == 2).count(), 2, "{counts:?}");
        assert!(spread(5, 0, 1, 2).is_empty());
    }
}
