//! The fault tree every reader fills and every analysis reads: basic events with their
//! probabilities, gates over events, gates and constants, one top gate.

use serde::Serialize;

/// A Boolean fault tree: what fails the top event, as a formula over basic events.
#[derive(Clone, Debug, Default)]
pub struct FaultTree {
    /// Basic events, the variables of the structure function.
    pub events: Vec<Event>,
    /// Gates, in any order (arguments may refer to later gates); the graph is acyclic.
    pub gates: Vec<Gate>,
    /// The top event.
    pub top: Node,
}

/// A basic event: something that fails on its own, with the probability it has failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Its name in the model.
    pub name: String,
    /// Probability that it has failed (at the mission time, for a time-dependent law).
    pub p: f64,
    /// How that probability arises, when the model says (exported as a fault mode).
    pub law: Law,
}

/// Where a basic event's probability comes from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Law {
    /// A probability, with no time behind it.
    Probability,
    /// Failure at a constant rate (per hour) since the start, never repaired: p = 1 − e^(−λt).
    Exponential {
        /// Failures per hour.
        lambda: f64,
        /// The mission time it was evaluated at, in hours.
        hours: f64,
    },
}

/// An argument of a gate, or the top event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A basic event, by index.
    Event(u32),
    /// A gate, by index.
    Gate(u32),
    /// A house event or a constant: true is failed.
    Const(bool),
}

impl Default for Node {
    fn default() -> Self {
        Node::Const(false)
    }
}

/// A gate: an operator over its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    /// Its name in the model (generated for nested formulas: `parent/2`).
    pub name: String,
    /// The operator.
    pub op: Op,
    /// Its arguments.
    pub args: Vec<Node>,
    /// Where it is defined (`file:line:col`), when it comes from a file.
    pub at: Option<String>,
}

/// Gate operators: the Open-PSA MEF's Boolean connectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// All arguments failed.
    And,
    /// Any argument failed.
    Or,
    /// At least k arguments failed (k-out-of-n, a voting gate).
    AtLeast(u32),
    /// Between `min` and `max` arguments failed.
    Cardinality(u32, u32),
    /// The argument has not failed (one argument).
    Not,
    /// An odd number of arguments failed.
    Xor,
    /// Not all failed.
    Nand,
    /// None failed.
    Nor,
    /// Both or neither failed (two arguments).
    Iff,
    /// If the first failed, so did the second (two arguments).
    Imply,
    /// The argument itself (one argument).
    Null,
}

impl Op {
    /// The MEF element name of the operator.
    pub fn mef_name(self) -> &'static str {
        match self {
            Op::And => "and",
            Op::Or => "or",
            Op::AtLeast(_) => "atleast",
            Op::Cardinality(..) => "cardinality",
            Op::Not => "not",
            Op::Xor => "xor",
            Op::Nand => "nand",
            Op::Nor => "nor",
            Op::Iff => "iff",
            Op::Imply => "imply",
            Op::Null => "null",
        }
    }
}

impl FaultTree {
    /// The name of the top event (a gate's or an event's name, or the constant).
    pub fn top_name(&self) -> String {
        self.node_name(self.top)
    }

    /// The name of a node.
    pub fn node_name(&self, n: Node) -> String {
        match n {
            Node::Event(i) => self.events[i as usize].name.clone(),
            Node::Gate(i) => self.gates[i as usize].name.clone(),
            Node::Const(b) => b.to_string(),
        }
    }

    /// Whether the tree is coherent: no negation anywhere below the top (not, xor, nand,
    /// nor, iff, imply, cardinality with an upper bound below n).
    pub fn coherent(&self) -> bool {
        let mut seen = vec![false; self.gates.len()];
        let mut stack = vec![self.top];
        while let Some(n) = stack.pop() {
            if let Node::Gate(g) = n {
                if std::mem::replace(&mut seen[g as usize], true) {
                    continue;
                }
                let gate = &self.gates[g as usize];
                let monotone = match gate.op {
                    Op::And | Op::Or | Op::AtLeast(_) | Op::Null => true,
                    Op::Cardinality(_, max) => max as usize >= gate.args.len(),
                    _ => false,
                };
                if !monotone {
                    return false;
                }
                stack.extend(gate.args.iter().copied());
            }
        }
        true
    }
}
