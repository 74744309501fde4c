//! The fault tree as a binary decision diagram (biodivine-lib-bdd): the exact top-event
//! probability in one pass over the nodes, and every event's Birnbaum importance in one
//! more.
//!
//! Two diagrams can be built. The exact one is the structure function itself, negations
//! and all. The monotone one is what cut sets are listed from: negations are pushed down
//! to the events and each negative literal ("e has not failed") is taken as met, as
//! fault-tree tools do for non-coherent trees (the success of a component is likely). A
//! cut set is then a set of failures, and its order counts failures only. For a coherent
//! tree the two diagrams are the same function.

use crate::tree::{FaultTree, Node, Op};
use biodivine_lib_bdd::{Bdd, BddPointer, BddVariable, BddVariableSet, op_function};
use std::collections::HashMap;

/// Which function to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The structure function, negations and all.
    Exact,
    /// Negative literals dropped: the function whose minimal solutions are the cut sets.
    Monotone,
}

/// The diagram grew past the node limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the decision diagram grew past {limit} nodes; the model is too large for an exact analysis"
)]
pub struct TooLarge {
    /// The limit it hit.
    pub limit: usize,
}

/// A fault tree's decision diagram and the map from its variables to basic events.
pub struct Diagram {
    /// The diagram.
    pub bdd: Bdd,
    /// Basic event of each variable (the variable order: depth first from the top).
    pub events: Vec<u32>,
}

/// Builds the diagram of `tree`, failing if any intermediate diagram exceeds `limit` nodes.
pub fn build(tree: &FaultTree, mode: Mode, limit: usize) -> Result<Diagram, TooLarge> {
    let events = order(tree);
    let mut var_of = vec![u16::MAX; tree.events.len()];
    for (v, e) in events.iter().enumerate() {
        var_of[*e as usize] = v as u16;
    }
    let vars = BddVariableSet::new_anonymous(events.len() as u16);
    let mut b = Builder {
        tree,
        vars: &vars,
        var_of,
        limit,
        mode,
        memo: HashMap::new(),
    };
    let bdd = b.node(tree.top, false)?;
    Ok(Diagram { bdd, events })
}

/// Basic events in depth-first order of first appearance from the top: events used
/// together end up close together, which keeps diagrams small.
fn order(tree: &FaultTree) -> Vec<u32> {
    let mut seen_gate = vec![false; tree.gates.len()];
    let mut seen_event = vec![false; tree.events.len()];
    let mut out = vec![];
    let mut stack = vec![tree.top];
    while let Some(n) = stack.pop() {
        match n {
            Node::Event(e) if !seen_event[e as usize] => {
                seen_event[e as usize] = true;
                out.push(e);
            }
            Node::Gate(g) if !seen_gate[g as usize] => {
                seen_gate[g as usize] = true;
                stack.extend(tree.gates[g as usize].args.iter().rev().copied());
            }
            _ => {}
        }
    }
    out
}

struct Builder<'t> {
    tree: &'t FaultTree,
    vars: &'t BddVariableSet,
    var_of: Vec<u16>,
    limit: usize,
    mode: Mode,
    memo: HashMap<(u32, bool), Bdd>,
}

type Res = Result<Bdd, TooLarge>;

impl Builder<'_> {
    fn and(&self, a: &Bdd, b: &Bdd) -> Res {
        Bdd::binary_op_with_limit(self.limit, a, b, op_function::and)
            .ok_or(TooLarge { limit: self.limit })
    }
    fn or(&self, a: &Bdd, b: &Bdd) -> Res {
        Bdd::binary_op_with_limit(self.limit, a, b, op_function::or)
            .ok_or(TooLarge { limit: self.limit })
    }
    fn xor(&self, a: &Bdd, b: &Bdd) -> Res {
        Bdd::binary_op_with_limit(self.limit, a, b, op_function::xor)
            .ok_or(TooLarge { limit: self.limit })
    }
    fn all(&self, xs: &[Bdd]) -> Res {
        xs.iter()
            .try_fold(self.vars.mk_true(), |acc, x| self.and(&acc, x))
    }
    fn any(&self, xs: &[Bdd]) -> Res {
        xs.iter()
            .try_fold(self.vars.mk_false(), |acc, x| self.or(&acc, x))
    }
    /// At least `k` of `xs`: a running table of "at least j of the first i".
    fn at_least(&self, k: usize, xs: &[Bdd]) -> Res {
        if k == 0 {
            return Ok(self.vars.mk_true());
        }
        if k > xs.len() {
            return Ok(self.vars.mk_false());
        }
        let mut table = vec![self.vars.mk_false(); k + 1];
        table[0] = self.vars.mk_true();
        for (i, x) in xs.iter().enumerate() {
            for j in (1..=k.min(i + 1)).rev() {
                let with = self.and(x, &table[j - 1])?;
                table[j] = self.or(&table[j], &with)?;
            }
        }
        Ok(table.pop().expect("k + 1 entries"))
    }

    /// The function of node `n`, negated if `neg` (in monotone mode, negations are pushed
    /// down to the events, whose negative literals become true).
    fn node(&mut self, n: Node, neg: bool) -> Res {
        match n {
            Node::Const(b) => Ok(if b != neg {
                self.vars.mk_true()
            } else {
                self.vars.mk_false()
            }),
            Node::Event(e) => {
                let v = self.var_of[e as usize] as usize;
                Ok(match (self.mode, neg) {
                    (_, false) => self.vars.mk_var(BddVariable::from_index(v)),
                    (Mode::Exact, true) => self.vars.mk_not_var(BddVariable::from_index(v)),
                    (Mode::Monotone, true) => self.vars.mk_true(),
                })
            }
            Node::Gate(g) => {
                let neg_key = neg && self.mode == Mode::Monotone;
                if let Some(b) = self.memo.get(&(g, neg_key)) {
                    return Ok(if neg && self.mode == Mode::Exact {
                        b.not()
                    } else {
                        b.clone()
                    });
                }
                let b = self.gate(g, neg_key)?;
                self.memo.insert((g, neg_key), b.clone());
                Ok(if neg && self.mode == Mode::Exact {
                    b.not()
                } else {
                    b
                })
            }
        }
    }

    fn args(&mut self, g: u32, neg: bool) -> Result<Vec<Bdd>, TooLarge> {
        let args = self.tree.gates[g as usize].args.clone();
        args.iter().map(|a| self.node(*a, neg)).collect()
    }

    /// Gate `g`'s function (its negation, in monotone mode, if `neg`).
    fn gate(&mut self, g: u32, neg: bool) -> Res {
        let op = self.tree.gates[g as usize].op;
        let n = self.tree.gates[g as usize].args.len();
        match (op, neg) {
            (Op::And, false) | (Op::Nand, true) => {
                let xs = self.args(g, false)?;
                self.all(&xs)
            }
            (Op::And, true) | (Op::Nand, false) => {
                let xs = self.args(g, true)?;
                self.any(&xs)
            }
            (Op::Or, false) | (Op::Nor, true) => {
                let xs = self.args(g, false)?;
                self.any(&xs)
            }
            (Op::Or, true) | (Op::Nor, false) => {
                let xs = self.args(g, true)?;
                self.all(&xs)
            }
            (Op::Not, _) => {
                let a = self.tree.gates[g as usize].args[0];
                self.node(a, !neg)
            }
            (Op::Null, _) => {
                let a = self.tree.gates[g as usize].args[0];
                self.node(a, neg)
            }
            (Op::AtLeast(k), false) => {
                let xs = self.args(g, false)?;
                self.at_least(k as usize, &xs)
            }
            (Op::AtLeast(k), true) => {
                let xs = self.args(g, true)?;
                self.at_least(n + 1 - k as usize, &xs)
            }
            _ if self.mode == Mode::Exact => self.exact_only(g, op),
            _ => self.monotone_parity(g, op, neg),
        }
    }

    /// Xor, iff, imply and cardinality on the structure function itself.
    fn exact_only(&mut self, g: u32, op: Op) -> Res {
        let xs = self.args(g, false)?;
        match op {
            Op::Xor => xs[1..]
                .iter()
                .try_fold(xs[0].clone(), |acc, x| self.xor(&acc, x)),
            Op::Iff => Ok(self.xor(&xs[0], &xs[1])?.not()),
            Op::Imply => self.or(&xs[0].not(), &xs[1]),
            Op::Cardinality(lo, hi) => {
                let low = self.at_least(lo as usize, &xs)?;
                let high = self.at_least(hi as usize + 1, &xs)?;
                self.and(&low, &high.not())
            }
            _ => unreachable!("handled by gate()"),
        }
    }

    /// Xor, iff, imply and cardinality with negations pushed to the events: each argument
    /// is needed both ways (`p`: failed, `q`: not failed, negative literals true).
    fn monotone_parity(&mut self, g: u32, op: Op, neg: bool) -> Res {
        let p = self.args(g, false)?;
        let q = self.args(g, true)?;
        match op {
            Op::Xor | Op::Iff => {
                let (mut odd, mut even) = (p[0].clone(), q[0].clone());
                for (pi, qi) in p[1..].iter().zip(&q[1..]) {
                    let o = self.or(&self.and(&odd, qi)?, &self.and(&even, pi)?)?;
                    let e = self.or(&self.and(&even, qi)?, &self.and(&odd, pi)?)?;
                    (odd, even) = (o, e);
                }
                Ok(if (op == Op::Xor) != neg { odd } else { even })
            }
            Op::Imply if !neg => self.or(&q[0], &p[1]),
            Op::Imply => self.and(&p[0], &q[1]),
            Op::Cardinality(lo, hi) => {
                let n = p.len();
                if !neg {
                    let low = self.at_least(lo as usize, &p)?;
                    let not_high = self.at_least(n - hi as usize, &q)?;
                    self.and(&low, &not_high)
                } else {
                    let not_low = self.at_least(n + 1 - lo as usize, &q)?;
                    let high = self.at_least(hi as usize + 1, &p)?;
                    self.or(&not_low, &high)
                }
            }
            _ => unreachable!("handled by gate()"),
        }
    }
}

impl Diagram {
    /// The number of decision nodes (terminals excluded).
    pub fn size(&self) -> usize {
        self.bdd.size().saturating_sub(2)
    }

    /// The probability of each node given the events' probabilities `p` (by event index).
    /// Children come before parents in the node array, so one ascending pass does it.
    fn node_probabilities(&self, p: &[f64]) -> Vec<f64> {
        let n = self.bdd.size();
        let mut prob = vec![0.0; n];
        if n > 1 {
            prob[1] = 1.0;
        }
        for i in 2..n {
            let ptr = BddPointer::from_index(i);
            let (lo, hi) = (
                self.bdd.low_link_of(ptr).to_index(),
                self.bdd.high_link_of(ptr).to_index(),
            );
            debug_assert!(lo < i && hi < i, "children before parents");
            let q = p[self.events[self.bdd.var_of(ptr).to_index()] as usize];
            prob[i] = q * prob[hi] + (1.0 - q) * prob[lo];
        }
        prob
    }

    /// The exact probability of the top event.
    pub fn probability(&self, p: &[f64]) -> f64 {
        *self.node_probabilities(p).last().unwrap_or(&0.0)
    }

    /// The top event's probability and each event's Birnbaum importance ∂P(top)/∂p_i (by
    /// event index; zero for events not in the diagram).
    pub fn birnbaum(&self, p: &[f64], n_events: usize) -> (f64, Vec<f64>) {
        let prob = self.node_probabilities(p);
        let n = self.bdd.size();
        let top = *prob.last().unwrap_or(&0.0);
        let mut reach = vec![0.0; n];
        reach[n - 1] = 1.0;
        let mut out = vec![0.0; n_events];
        for i in (2..n).rev() {
            let ptr = BddPointer::from_index(i);
            let (lo, hi) = (
                self.bdd.low_link_of(ptr).to_index(),
                self.bdd.high_link_of(ptr).to_index(),
            );
            let e = self.events[self.bdd.var_of(ptr).to_index()] as usize;
            let q = p[e];
            out[e] += reach[i] * (prob[hi] - prob[lo]);
            reach[hi] += reach[i] * q;
            reach[lo] += reach[i] * (1.0 - q);
        }
        (top, out)
    }
}
