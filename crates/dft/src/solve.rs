//! Answers from the chain: the probability that the top has failed by a time
//! (uniformization) and the mean time to failure (expected time to absorption).

use crate::Error;
use crate::explore::Chain;

/// The most uniformization steps (the largest exit rate times the time) taken.
const MAX_STEPS: f64 = 1e8;

/// Probability left outside state 0 and the absorbing states below which stepping stops
/// (what is left is added as if absorbed: an error at most this large).
const ABSORBED: f64 = 1e-17;

/// Poisson probabilities below this (relative to the largest) are left out.
const TAIL: f64 = 1e-18;

/// The probability that the chain is in state 0 (top failed) at `time`, from state 1.
///
/// Uniformization: with `q` at least every exit rate, the chain is a discrete chain
/// `P = I + Q/q` stepped at the events of a Poisson process of rate `q`. The Poisson
/// weights are computed from the mode outwards and normalised (Fox and Glynn's idea), so
/// they neither underflow nor overflow for long times; the left-out mass is below 1e-15.
pub(crate) fn unreliability(chain: &Chain, time: f64) -> Result<f64, Error> {
    let exits: Vec<f64> = chain
        .rows
        .iter()
        .map(|r| r.iter().map(|t| t.1).sum())
        .collect();
    let q = exits.iter().copied().fold(0.0, f64::max);
    if q <= 0.0 || time <= 0.0 {
        return Ok(0.0);
    }
    // Also catches an infinite exit rate (rates summing past f64::MAX).
    if q * time > MAX_STEPS || q.is_infinite() {
        return Err(Error::TooManySteps { steps: q * time });
    }
    let (left, weights) = poisson(q * time);
    let mut now = vec![0.0; chain.rows.len()];
    now[1] = 1.0;
    let mut next = vec![0.0; now.len()];
    let mut answer = 0.0;
    for k in 0..left + weights.len() {
        if k >= left {
            answer += weights[k - left] * now[0];
        }
        let transient: f64 = now
            .iter()
            .zip(&exits)
            .filter(|e| *e.1 > 0.0)
            .map(|e| e.0)
            .sum();
        if transient < ABSORBED {
            // Everything has been absorbed: the rest of the weights all see now[0].
            answer += weights[(k + 1).saturating_sub(left)..].iter().sum::<f64>() * now[0];
            break;
        }
        step(chain, &exits, q, &now, &mut next);
        std::mem::swap(&mut now, &mut next);
    }
    Ok(answer.clamp(0.0, 1.0))
}

/// One step of the uniformized chain.
fn step(chain: &Chain, exits: &[f64], q: f64, now: &[f64], next: &mut [f64]) {
    for (i, p) in now.iter().enumerate() {
        next[i] = p * (1.0 - exits[i] / q);
    }
    for (i, row) in chain.rows.iter().enumerate() {
        let p = now[i];
        if p == 0.0 {
            continue;
        }
        for &(j, r) in row {
            next[j as usize] += p * r / q;
        }
    }
}

/// Poisson(`mean`) probabilities from `left` on, normalised over the kept range.
fn poisson(mean: f64) -> (usize, Vec<f64>) {
    let mode = mean.floor() as usize;
    let mut below = Vec::new();
    let mut w = 1.0;
    let mut k = mode;
    while k > 0 {
        w *= k as f64 / mean;
        if w < TAIL {
            break;
        }
        below.push(w);
        k -= 1;
    }
    let left = mode - below.len();
    let mut weights: Vec<f64> = below.into_iter().rev().collect();
    weights.push(1.0);
    let (mut w, mut k) = (1.0, mode);
    loop {
        k += 1;
        w *= mean / k as f64;
        if w < TAIL {
            break;
        }
        weights.push(w);
    }
    let total: f64 = weights.iter().sum();
    weights.iter_mut().for_each(|w| *w /= total);
    (left, weights)
}

/// The expected time to reach state 0 from state 1; infinite if some path never gets there.
///
/// Every transition fails a basic event and nothing is repaired, so the chain has no
/// cycle and the linear system `E(s)·m(s) - Σ r(s,t)·m(t) = 1` is triangular: it is
/// solved exactly by substitution, states taken in decreasing order of set bits (every
/// transition sets at least one).
pub(crate) fn mttf(chain: &Chain) -> f64 {
    let n = chain.states.len();
    let bits = |i: usize| -> u32 {
        if i == 0 {
            u32::MAX
        } else {
            chain.states[i].iter().map(|w| w.count_ones()).sum()
        }
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(bits(i)));
    let mut m = vec![0.0; n];
    for &i in &order[1..] {
        let row = &chain.rows[i];
        let exit: f64 = row.iter().map(|t| t.1).sum();
        m[i] = if exit <= 0.0 {
            f64::INFINITY
        } else {
            (1.0 + row.iter().map(|&(j, r)| r * m[j as usize]).sum::<f64>()) / exit
        };
    }
    m.get(1).copied().unwrap_or(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::poisson;

    #[test]
    fn poisson_weights_match_the_formula_and_survive_large_means() {
        let (left, w) = poisson(2.5);
        assert_eq!(left, 0);
        let p3 = (-2.5f64).exp() * 2.5f64.powi(3) / 6.0;
        assert!((w[3] - p3).abs() < 1e-15, "{} vs {p3}", w[3]);
        let (left, w) = poisson(1e4);
        let mean: f64 = w
            .iter()
            .enumerate()
            .map(|(i, p)| (left + i) as f64 * p)
            .sum();
        assert!((mean - 1e4).abs() < 1e-6, "{mean}");
        assert!(left > 9000);
    }
}
