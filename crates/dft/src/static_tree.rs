//! A static DFT (only AND, OR and voting gates) as a Boolean fault tree at a time bound,
//! each basic event failed with probability 1 − e^(−λt): what cut sets and importance
//! measures are computed on.

use crate::model::{Dft, Gate, Kind};
use faultline_ftree::{Event, FaultTree, Law, Node, Op};

impl Dft {
    /// The tree as a Boolean fault tree at time `time`, if it is static
    /// ([`Dft::is_static`]); None otherwise.
    pub fn to_fault_tree(&self, time: f64) -> Option<FaultTree> {
        if !self.is_static() {
            return None;
        }
        let mut tree = FaultTree::default();
        let mut node = Vec::with_capacity(self.elements.len());
        for e in &self.elements {
            node.push(match &e.kind {
                Kind::Basic { rate, .. } => {
                    tree.events.push(Event {
                        name: e.name.clone(),
                        p: 1.0 - (-rate * time).exp(),
                        law: Law::Exponential {
                            lambda: *rate,
                            hours: time,
                        },
                    });
                    Node::Event(tree.events.len() as u32 - 1)
                }
                _ => {
                    tree.gates.push(faultline_ftree::Gate {
                        name: e.name.clone(),
                        op: Op::Null,
                        args: vec![],
                        at: Some(format!("{}:{}", e.at.line, e.at.column)),
                    });
                    Node::Gate(tree.gates.len() as u32 - 1)
                }
            });
        }
        for (e, n) in self.elements.iter().zip(&node) {
            if let (Kind::Gate { gate, inputs }, Node::Gate(g)) = (&e.kind, n) {
                let g = &mut tree.gates[*g as usize];
                g.op = match gate {
                    Gate::And => Op::And,
                    Gate::Or => Op::Or,
                    Gate::Vote { k } => Op::AtLeast(*k as u32),
                    _ => return None,
                };
                g.args = inputs.iter().map(|i| node[*i]).collect();
            }
        }
        tree.top = node[self.top];
        Some(tree)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_static_dft_has_the_probability_of_its_fault_tree() {
        let dft = crate::parse("toplevel \"T\";\n\"T\" 2of3 \"A\" \"B\" \"C\";\n\"A\" lambda=0.1;\n\"B\" lambda=0.2;\n\"C\" lambda=0.3;\n")
            .expect("valid");
        let tree = dft.to_fault_tree(2.0).expect("static");
        let p = faultline_ftree::analyze(&tree, &Default::default())
            .expect("small")
            .probability
            .expect("exact");
        let exact = crate::analyze(&dft, 2.0, 1000)
            .expect("solves")
            .unreliability;
        assert!((p - exact).abs() < 1e-12, "{p} vs {exact}");
        let q = |r: f64| 1.0 - (-r * 2.0f64).exp();
        let (a, b, c) = (q(0.1), q(0.2), q(0.3));
        let closed = a * b + a * c + b * c - 2.0 * a * b * c;
        assert!((p - closed).abs() < 1e-12);
        let dynamic = crate::parse(
            "toplevel \"T\";\n\"T\" pand \"A\" \"B\";\n\"A\" lambda=0.1;\n\"B\" lambda=0.2;\n",
        )
        .expect("valid");
        assert!(dynamic.to_fault_tree(1.0).is_none());
    }
}
