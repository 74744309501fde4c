//! Fault trees written as Open-PSA MEF, so that SCRAM, XFTA or any MEF tool can check them:
//! one fault tree holding every top gate, and the basic events in model data.
//!
//! MEF names are XML NCNames without dots or double hyphens; other names (`db/disk`,
//! `pump-a (group)`) are written with `_` for what is not allowed, made unique, and the
//! name as it was kept in a `<label>`.

use crate::tree::{FaultTree, Law, Node, Op};
use quick_xml::escape::escape;
use std::collections::HashSet;
use std::fmt::Write;

/// MEF identifiers for the tree's gates and events.
struct Ids {
    gates: Vec<String>,
    events: Vec<String>,
}

impl Ids {
    fn new(tree: &FaultTree) -> Ids {
        let mut taken = HashSet::new();
        let mut unique = |name: &str| {
            let base = identifier(name);
            let mut id = base.clone();
            let mut k = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}_{k}");
                k += 1;
            }
            id
        };
        let gates = tree.gates.iter().map(|g| unique(&g.name)).collect();
        let events = tree.events.iter().map(|e| unique(&e.name)).collect();
        Ids { gates, events }
    }
}

/// `name` as an MEF identifier: letters, digits, `_` and single inner hyphens, not
/// starting with a digit or hyphen.
fn identifier(name: &str) -> String {
    let mut id = String::with_capacity(name.len() + 1);
    for c in name.chars() {
        let ok = c.is_alphanumeric() || c == '_' || (c == '-' && !id.ends_with('-'));
        id.push(if ok { c } else { '_' });
    }
    while id.ends_with('-') {
        id.pop();
        id.push('_');
    }
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        id.insert(0, '_');
    }
    id
}

/// A label holding the original name, when the identifier differs from it.
fn label(name: &str, id: &str) -> String {
    if name == id {
        String::new()
    } else {
        format!("<label>{}</label>", escape(name))
    }
}

/// The MEF text of the trees in `tops` (their gates and events are those of `tree`; each
/// top is a gate of it, or any node), named `name`.
pub fn write(name: &str, tree: &FaultTree, tops: &[(&str, Node)]) -> String {
    let ids = Ids::new(tree);
    let mut s = String::from("<?xml version=\"1.0\"?>\n<opsa-mef>\n");
    writeln!(s, "  <define-fault-tree name=\"{}\">", identifier(name)).ok();
    let (used_gate, used_event) = used(tree, tops);
    for (top, node) in tops {
        // A top that is not a gate of its own name gets one.
        let named = matches!(node, Node::Gate(g) if tree.gates[*g as usize].name == *top);
        if !named {
            let id = identifier(top);
            let l = label(top, &id);
            let r = reference(&ids, *node);
            writeln!(
                s,
                "    <define-gate name=\"{id}\">{l}\n      <null>{r}</null>\n    </define-gate>"
            )
            .ok();
        }
    }
    for (g, gate) in tree.gates.iter().enumerate().filter(|(g, _)| used_gate[*g]) {
        let (id, l) = (&ids.gates[g], label(&gate.name, &ids.gates[g]));
        writeln!(s, "    <define-gate name=\"{id}\">{l}").ok();
        // MEF tools want two arguments or more to and/or/atleast: one argument is the
        // formula itself.
        let single =
            gate.args.len() == 1 && matches!(gate.op, Op::And | Op::Or | Op::AtLeast(1) | Op::Null);
        if single {
            writeln!(s, "      {}", reference(&ids, gate.args[0])).ok();
        } else {
            // At least 1 is an or, at least all an and, as MEF tools want them written.
            let op = match gate.op {
                Op::AtLeast(1) => Op::Or,
                Op::AtLeast(k) if k as usize == gate.args.len() => Op::And,
                op => op,
            };
            let open = match op {
                Op::AtLeast(k) => format!("<atleast min=\"{k}\">"),
                Op::Cardinality(lo, hi) => format!("<cardinality min=\"{lo}\" max=\"{hi}\">"),
                op => format!("<{}>", op.mef_name()),
            };
            writeln!(s, "      {open}").ok();
            for a in &gate.args {
                writeln!(s, "        {}", reference(&ids, *a)).ok();
            }
            writeln!(s, "      </{}>", op.mef_name()).ok();
        }
        s += "    </define-gate>\n";
    }
    s += "  </define-fault-tree>\n  <model-data>\n";
    for (e, ev) in tree
        .events
        .iter()
        .enumerate()
        .filter(|(e, _)| used_event[*e])
    {
        let value = match ev.law {
            // The time written out: the file means the same whatever mission time a tool
            // is run with.
            Law::Exponential { lambda, hours } => format!(
                "<exponential><float value=\"{lambda:e}\"/><float value=\"{hours:e}\"/></exponential>"
            ),
            Law::Probability => format!("<float value=\"{:e}\"/>", ev.p),
        };
        let (id, l) = (&ids.events[e], label(&ev.name, &ids.events[e]));
        writeln!(
            s,
            "    <define-basic-event name=\"{id}\">{l}{value}</define-basic-event>"
        )
        .ok();
    }
    s += "  </model-data>\n</opsa-mef>\n";
    s
}

/// The gates and events under the tops.
fn used(tree: &FaultTree, tops: &[(&str, Node)]) -> (Vec<bool>, Vec<bool>) {
    let mut gates = vec![false; tree.gates.len()];
    let mut events = vec![false; tree.events.len()];
    let mut stack: Vec<Node> = tops.iter().map(|t| t.1).collect();
    while let Some(n) = stack.pop() {
        match n {
            Node::Gate(g) if !gates[g as usize] => {
                gates[g as usize] = true;
                stack.extend(tree.gates[g as usize].args.iter().copied());
            }
            Node::Event(e) => events[e as usize] = true,
            _ => {}
        }
    }
    (gates, events)
}

/// A reference to a node, by its identifier.
fn reference(ids: &Ids, n: Node) -> String {
    match n {
        Node::Event(e) => format!("<basic-event name=\"{}\"/>", ids.events[e as usize]),
        Node::Gate(g) => format!("<gate name=\"{}\"/>", ids.gates[g as usize]),
        Node::Const(b) => format!("<constant value=\"{b}\"/>"),
    }
}
