//! Exact answers for a fault tree whose events fail and are repaired at constant rates,
//! each independently of the others (a continuous-time Markov chain per event): the
//! system's unavailability at a time and over an interval, its steady-state
//! unavailability, the probability that it has failed at least once by a time, and its
//! mean time to first failure.
//!
//! The events being independent, the unavailability at a time is the tree's probability
//! with each event's own unavailability then, q(t) = λ/(λ+μ)·(1 − e^{−(λ+μ)t}), on the
//! decision diagram; over an interval it is integrated (Gauss–Legendre on panels graded
//! towards the start, where the transients are). Failing at least once is not a product:
//! it is the chain of all the events' states with the system's failed states made
//! absorbing, solved by uniformization; its mean time to absorption is a linear system
//! (nalgebra's LU). That chain has 2ⁿ states for n events, so it has a limit.

use crate::bdd::{self, Diagram, Mode};
use crate::tree::FaultTree;
use biodivine_lib_bdd::BddPointer;
use serde::Serialize;

/// An event's rates: failure λ and repair μ (0: never repaired), per unit of time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    /// Failure rate.
    pub lambda: f64,
    /// Repair rate (0: never repaired).
    pub mu: f64,
}

/// The exact answers over a horizon.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Answers {
    /// Mean unavailability over [0, horizon] (1 − interval availability).
    pub interval_unavailability: f64,
    /// Unavailability at the horizon.
    pub unavailability_at_horizon: f64,
    /// Steady-state unavailability.
    pub steady_unavailability: f64,
    /// P(the system has failed at least once by the horizon), starting with all up.
    pub unreliability: Option<f64>,
    /// Mean time to the first failure (None beyond the state limit or if it never fails).
    pub mttf: Option<f64>,
    /// States of the first-failure chain (0 when beyond the limit).
    pub states: usize,
}

/// Largest first-failure chain solved (its MTTF is a dense solve on the up states).
pub const STATE_LIMIT: usize = 1 << 12;

/// Solves `tree` with `rates` (by event index) over `horizon`.
pub fn solve(tree: &FaultTree, rates: &[Rates], horizon: f64) -> Result<Answers, bdd::TooLarge> {
    let d = bdd::build(tree, Mode::Exact, 20_000_000)?;
    let at = |t: f64| -> f64 {
        let q: Vec<f64> = rates.iter().map(|r| unavailability(*r, t)).collect();
        d.probability(&q)
    };
    let steady: Vec<f64> = rates
        .iter()
        .map(|r| unavailability(*r, f64::INFINITY))
        .collect();
    let (unreliability, mttf, states) = match first_failure(&d, rates, horizon) {
        Some((u, m, s)) => (Some(u), m, s),
        None => (None, None, 0),
    };
    Ok(Answers {
        interval_unavailability: integrate(&at, horizon) / horizon,
        unavailability_at_horizon: at(horizon),
        steady_unavailability: d.probability(&steady),
        unreliability,
        mttf,
        states,
    })
}

/// P(an event with rates `r` is down at `t`), up at 0.
fn unavailability(r: Rates, t: f64) -> f64 {
    let s = r.lambda + r.mu;
    if s == 0.0 {
        return 0.0;
    }
    r.lambda / s
        * if t.is_infinite() {
            1.0
        } else {
            -(-s * t).exp_m1()
        }
}

/// ∫₀ᵀ f: 8-point Gauss–Legendre on 240 panels, their edges at T·10^(−12 + 12k/239), and
/// one more panel from 0, so transients from microseconds to the horizon are resolved.
fn integrate(f: &impl Fn(f64) -> f64, horizon: f64) -> f64 {
    const X: [f64; 4] = [
        0.183_434_642_495_649_8,
        0.525_532_409_916_329,
        0.796_666_477_413_626_7,
        0.960_289_856_497_536_3,
    ];
    const W: [f64; 4] = [
        0.362_683_783_378_362,
        0.313_706_645_877_887_3,
        0.222_381_034_453_374_5,
        0.101_228_536_290_376_3,
    ];
    let panels = 240;
    let mut edges = vec![0.0];
    for k in 0..panels {
        edges.push(horizon * 10f64.powf(-12.0 + 12.0 * k as f64 / (panels - 1) as f64));
    }
    edges
        .windows(2)
        .map(|w| {
            let (mid, half) = ((w[0] + w[1]) / 2.0, (w[1] - w[0]) / 2.0);
            half * X
                .iter()
                .zip(W)
                .map(|(x, wt)| wt * (f(mid - half * x) + f(mid + half * x)))
                .sum::<f64>()
        })
        .sum()
}

/// The chain of the events' states from all up, with every failed system state one
/// absorbing state: P(absorbed by `horizon`), the mean time to absorption, and the states.
/// None if it has more than [`STATE_LIMIT`] states.
fn first_failure(d: &Diagram, rates: &[Rates], horizon: f64) -> Option<(f64, Option<f64>, usize)> {
    let vars = d.events.len();
    if vars > 30 || (1usize << vars) > STATE_LIMIT * 2 {
        return None;
    }
    // Up states, numbered as met; a state is the set of failed variables.
    let mut index = std::collections::HashMap::new();
    let mut states = vec![0u32];
    index.insert(0u32, 0usize);
    if failed(d, 0) {
        return Some((1.0, Some(0.0), 1));
    }
    // Per up state: (target up state or None for the sink, rate).
    let mut moves: Vec<Vec<(Option<usize>, f64)>> = vec![];
    let mut i = 0;
    while i < states.len() {
        let s = states[i];
        let mut out = vec![];
        for (v, e) in d.events.iter().enumerate() {
            let r = rates[*e as usize];
            let (t, rate) = if s & (1 << v) == 0 {
                (s | 1 << v, r.lambda)
            } else {
                (s & !(1 << v), r.mu)
            };
            if rate == 0.0 {
                continue;
            }
            if failed(d, t) {
                out.push((None, rate));
            } else {
                let j = *index.entry(t).or_insert_with(|| {
                    states.push(t);
                    states.len() - 1
                });
                out.push((Some(j), rate));
            }
        }
        moves.push(out);
        i += 1;
        if states.len() > STATE_LIMIT {
            return None;
        }
    }
    let n = states.len();
    let unreliability = uniformize(&moves, horizon);
    if unreliability.is_nan() {
        return None;
    }
    // Mean time to absorption m: for each up state, (Σ rates) m_s − Σ rate m_t = 1.
    let mut a = nalgebra::DMatrix::<f64>::zeros(n, n);
    for (s, out) in moves.iter().enumerate() {
        for (t, rate) in out {
            a[(s, s)] += rate;
            if let Some(t) = t {
                a[(s, *t)] -= rate;
            }
        }
    }
    let b = nalgebra::DVector::<f64>::from_element(n, 1.0);
    let mttf = a
        .lu()
        .solve(&b)
        .map(|m| m[0])
        .filter(|m| m.is_finite() && *m >= 0.0);
    Some((unreliability, mttf, n + 1))
}

/// Whether the system is failed when exactly the variables in `s` are.
fn failed(d: &Diagram, s: u32) -> bool {
    let mut n = d.bdd.root_pointer();
    while !n.is_terminal() {
        let v = d.bdd.var_of(n).to_index();
        n = if s & (1 << v) != 0 {
            d.bdd.high_link_of(n)
        } else {
            d.bdd.low_link_of(n)
        };
    }
    n == BddPointer::one()
}

/// P(in the sink by `t`), starting in state 0: uniformization, truncated when the Poisson
/// weights left are below 1e-14.
fn uniformize(moves: &[Vec<(Option<usize>, f64)>], t: f64) -> f64 {
    let n = moves.len();
    let exit: Vec<f64> = moves.iter().map(|m| m.iter().map(|x| x.1).sum()).collect();
    let q = exit.iter().copied().fold(0.0, f64::max);
    if q == 0.0 {
        return 0.0;
    }
    let qt = q * t;
    // Too many steps: no answer rather than a slow one.
    let mut p = vec![0.0; n];
    p[0] = 1.0;
    let mut sink = 0.0;
    let mut result = 0.0;
    let steps_cost = qt * moves.iter().map(Vec::len).sum::<usize>().max(1) as f64;
    if steps_cost > 2e9 {
        return f64::NAN;
    }
    // Poisson weights in logs (stable for large qt), each from the one before.
    let mut k = 0u64;
    let mut log_w = -qt;
    let mut mass = 0.0;
    loop {
        let w = log_w.exp();
        result += w * sink;
        mass += w;
        if (k as f64 > qt && 1.0 - mass < 1e-14) || k > 10 * qt as u64 + 1000 {
            break;
        }
        let mut next = vec![0.0; n];
        for (s, out) in moves.iter().enumerate() {
            if p[s] == 0.0 {
                continue;
            }
            next[s] += p[s] * (1.0 - exit[s] / q);
            for (to, rate) in out {
                match to {
                    Some(j) => next[*j] += p[s] * rate / q,
                    None => sink += p[s] * rate / q,
                }
            }
        }
        p = next;
        k += 1;
        log_w += qt.ln() - (k as f64).ln();
    }
    // What the truncated tail would add is at most its mass times 1.
    result + (1.0 - mass).max(0.0) * sink
}
