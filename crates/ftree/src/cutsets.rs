//! Minimal cut sets: the minimal solutions of the monotone decision diagram (Rauzy's
//! decomposition), optionally up to an order, and the approximations of the top-event
//! probability built on them.
//!
//! For f = x·f₁ + f₀ with f₁ ≥ f₀ (a monotone function), the minimal solutions are those
//! of f₀ together with x joined to each minimal solution of f₁ that contains none of
//! f₀'s. An order limit cuts both sides without losing a set: a solution of f₁ that holds
//! one of f₀'s holds a smaller one.

use crate::bdd::Diagram;
use biodivine_lib_bdd::BddPointer;
use std::collections::HashMap;
use std::rc::Rc;

/// A cut set: variable positions, ascending.
type Set = Vec<u16>;

/// The minimal cut sets of a monotone diagram with at most `max_order` events each, as
/// basic-event indices, smallest first.
pub fn minimal(d: &Diagram, max_order: usize) -> Vec<Vec<u32>> {
    let mut memo = HashMap::new();
    let root = d.bdd.root_pointer();
    let vars = d.events.len();
    let sets = solve(d, root, max_order.min(vars), vars, &mut memo);
    let mut out: Vec<Vec<u32>> = sets
        .iter()
        .map(|s| s.iter().map(|v| d.events[*v as usize]).collect())
        .collect();
    for s in &mut out {
        s.sort_unstable();
    }
    out.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    out
}

/// Minimal solutions of node `n` with at most `k` elements; `vars` variables in all. The
/// limit is clamped to the variables left below the node, so unlimited and deep calls
/// share their memo entries.
fn solve(
    d: &Diagram,
    n: BddPointer,
    k: usize,
    vars: usize,
    memo: &mut HashMap<(usize, usize), Rc<Vec<Set>>>,
) -> Rc<Vec<Set>> {
    if n.is_zero() {
        return Rc::new(vec![]);
    }
    if n.is_one() {
        return Rc::new(vec![vec![]]);
    }
    if k == 0 {
        return Rc::new(vec![]);
    }
    let var = d.bdd.var_of(n).to_index() as u16;
    let k = k.min(vars - var as usize);
    if let Some(s) = memo.get(&(n.to_index(), k)) {
        return s.clone();
    }
    let low = solve(d, d.bdd.low_link_of(n), k, vars, memo);
    let high = solve(d, d.bdd.high_link_of(n), k - 1, vars, memo);
    let mut out: Vec<Set> = low.as_ref().clone();
    let low_node = d.bdd.low_link_of(n);
    for s in high.iter() {
        // s holds a solution of the low branch exactly when the low branch is true on it
        // (the function is monotone): one walk down the diagram, not a scan of `low`.
        if !holds(d, low_node, s) {
            let mut joined = Vec::with_capacity(s.len() + 1);
            joined.push(var);
            joined.extend_from_slice(s);
            out.push(joined);
        }
    }
    let out = Rc::new(out);
    memo.insert((n.to_index(), k), out.clone());
    out
}

/// Whether the function at `n` is true when exactly the variables in `set` (ascending)
/// are true.
fn holds(d: &Diagram, mut n: BddPointer, set: &[u16]) -> bool {
    let mut i = 0;
    while !n.is_terminal() {
        let v = d.bdd.var_of(n).to_index() as u16;
        while i < set.len() && set[i] < v {
            i += 1;
        }
        n = if i < set.len() && set[i] == v {
            d.bdd.high_link_of(n)
        } else {
            d.bdd.low_link_of(n)
        };
    }
    n.is_one()
}

/// The probability of a cut set: its events all failed, independently.
pub fn probability(set: &[u32], p: &[f64]) -> f64 {
    set.iter().map(|e| p[*e as usize]).product()
}

/// The rare-event approximation: the sum of the cut sets' probabilities (an upper bound,
/// close when they are small).
pub fn rare_event(sets: &[Vec<u32>], p: &[f64]) -> f64 {
    sets.iter().map(|s| probability(s, p)).sum()
}

/// The min-cut upper bound: one minus the product of the cut sets' survivals.
pub fn mcub(sets: &[Vec<u32>], p: &[f64]) -> f64 {
    1.0 - sets
        .iter()
        .map(|s| 1.0 - probability(s, p))
        .product::<f64>()
}
