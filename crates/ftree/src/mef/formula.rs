//! Gate definitions lowered into [`Gate`]s: references resolved (gates, basic events, house
//! events, untyped events), nested formulas made gates of their own, cycles refused, and
//! the top gate found.

use super::expr::children;
use super::{Def, Defs, MefError};
use crate::tree::{FaultTree, Gate, Node, Op};
use std::collections::{HashMap, HashSet};

struct Lower<'t, 'd, 'a, 'input> {
    defs: &'d Defs<'a, 'input>,
    tree: &'t mut FaultTree,
    events: &'t HashMap<String, Node>,
    members: &'t HashMap<String, Node>,
    gates: HashMap<&'d str, Def<'a, 'input>>,
    /// Gates lowered (Some) or being lowered (None: a cycle if met again).
    done: HashMap<String, Option<Node>>,
}

/// Lowers the gates under the top gate into `tree` and sets its top.
pub(super) fn lower<'a>(
    defs: &Defs<'a, '_>,
    _eval: &mut super::expr::Eval<'_, 'a, '_>,
    tree: &mut FaultTree,
    events: &HashMap<String, Node>,
    members: &mut HashMap<String, Node>,
    top: Option<&str>,
) -> Result<(), MefError> {
    let mut gates = HashMap::new();
    for (name, def) in &defs.gates {
        if gates.insert(name.as_str(), *def).is_some() {
            return Err(defs.error(
                def.file,
                def.node,
                format!("gate '{name}' is defined twice"),
            ));
        }
    }
    let top_name = find_top(defs, &gates, top)?;
    let mut l = Lower {
        defs,
        tree,
        events,
        members,
        gates,
        done: HashMap::new(),
    };
    let def = l.gates[top_name.as_str()];
    let top = l.gate(&top_name, def)?;
    l.tree.top = top;
    Ok(())
}

/// The top gate: the one asked for, or the only gate no gate refers to.
fn find_top(
    defs: &Defs,
    gates: &HashMap<&str, Def>,
    asked: Option<&str>,
) -> Result<String, MefError> {
    if let Some(name) = asked {
        return gates
            .keys()
            .find(|k| **k == name)
            .map(|k| k.to_string())
            .ok_or_else(|| MefError {
                file: defs.names.first().unwrap_or(&"").to_string(),
                line: 1,
                col: 1,
                message: format!("--top {name}: no gate of that name"),
            });
    }
    let mut used = HashSet::new();
    for (_, def) in &defs.gates {
        for d in def.node.descendants() {
            if matches!(d.tag_name().name(), "gate" | "event")
                && let Some(n) = d.attribute("name")
            {
                used.extend(
                    defs.candidates(def.scope, n)
                        .filter(|k| gates.contains_key(k.as_str())),
                );
            }
        }
    }
    let tops: Vec<&(String, Def)> = defs
        .gates
        .iter()
        .filter(|(n, _)| !used.contains(n))
        .collect();
    match tops.as_slice() {
        [(name, _)] => Ok(name.clone()),
        [] => {
            let file = defs.names.first().unwrap_or(&"").to_string();
            Err(MefError {
                file,
                line: 1,
                col: 1,
                message: "no top gate: the model defines no gate, or every gate is used by another"
                    .into(),
            })
        }
        [first, ..] => {
            let names: Vec<&str> = tops.iter().map(|(n, _)| n.as_str()).collect();
            Err(defs.error(
                first.1.file,
                first.1.node,
                format!(
                    "{} gates are used by no other gate ({}); choose the top event with --top NAME",
                    names.len(),
                    names.join(", ")
                ),
            ))
        }
    }
}

impl<'a, 'input> Lower<'_, '_, 'a, 'input> {
    fn gate(&mut self, name: &str, def: Def<'a, 'input>) -> Result<Node, MefError> {
        match self.done.get(name) {
            Some(Some(n)) => return Ok(*n),
            Some(None) => {
                return Err(self.defs.error(
                    def.file,
                    def.node,
                    format!("gate '{name}' depends on itself (a cycle)"),
                ));
            }
            None => {}
        }
        self.done.insert(name.to_string(), None);
        let body: Vec<_> = children(def.node).collect();
        let [f] = body.as_slice() else {
            return Err(self.defs.error(
                def.file,
                def.node,
                format!(
                    "gate '{name}' needs exactly one formula, it has {}",
                    body.len()
                ),
            ));
        };
        let node = self.formula(name, def.scope, def.file, *f, true)?;
        self.done.insert(name.to_string(), Some(node));
        Ok(node)
    }

    /// Lowers formula `f`; a gate's own formula (`own`) takes the gate's name.
    fn formula(
        &mut self,
        owner: &str,
        scope: u32,
        file: usize,
        f: roxmltree::Node<'a, 'input>,
        own: bool,
    ) -> Result<Node, MefError> {
        let err = |m: String| self.defs.error(file, f, m);
        let tag = f.tag_name().name();
        let op = match tag {
            "gate" | "basic-event" | "house-event" | "event" => {
                let node = self.reference(scope, file, f, tag)?;
                if !own {
                    return Ok(node);
                }
                // A gate defined as a bare reference: keep the gate's name.
                return Ok(self.push(owner, Op::Null, vec![node], file, f));
            }
            "constant" => return Ok(Node::Const(self.bool_attr(file, f, "value")?)),
            "and" => Op::And,
            "or" => Op::Or,
            "not" => Op::Not,
            "xor" => Op::Xor,
            "nand" => Op::Nand,
            "nor" => Op::Nor,
            "iff" => Op::Iff,
            "imply" => Op::Imply,
            "null" => Op::Null,
            "atleast" => Op::AtLeast(self.count_attr(file, f, "min")?),
            "cardinality" => Op::Cardinality(
                self.count_attr(file, f, "min")?,
                self.count_attr(file, f, "max")?,
            ),
            other => {
                return Err(err(format!(
                    "<{other}> is not a formula faultline reads (and, or, atleast, cardinality, not, xor, nand, nor, iff, imply, null, constant, references)"
                )));
            }
        };
        let kids: Vec<_> = children(f).collect();
        let n = kids.len() as u32;
        let ok = match op {
            Op::Not | Op::Null => n == 1,
            Op::Iff | Op::Imply => n == 2,
            Op::AtLeast(k) => (1..=n).contains(&k) && n >= 2,
            Op::Cardinality(lo, hi) => lo <= hi && hi <= n && n >= 1,
            _ => n >= 1,
        };
        if !ok {
            return Err(err(format!(
                "<{tag}> with {n} arguments{} is not a valid formula",
                match op {
                    Op::AtLeast(k) => format!(" and min=\"{k}\""),
                    Op::Cardinality(lo, hi) => format!(" and min=\"{lo}\" max=\"{hi}\""),
                    _ => String::new(),
                }
            )));
        }
        let mut args = Vec::with_capacity(kids.len());
        for k in kids {
            args.push(self.formula(owner, scope, file, k, false)?);
        }
        let name = if own {
            owner.to_string()
        } else {
            format!("{owner}/{}", self.tree.gates.len())
        };
        Ok(self.push(&name, op, args, file, f))
    }

    /// Adds a gate defined by element `f` of `file`.
    fn push(
        &mut self,
        name: &str,
        op: Op,
        args: Vec<Node>,
        file: usize,
        f: roxmltree::Node,
    ) -> Node {
        let e = self.defs.error(file, f, "");
        self.tree.gates.push(Gate {
            name: name.to_string(),
            op,
            args,
            at: Some(format!("{}:{}:{}", e.file, e.line, e.col)),
        });
        Node::Gate(self.tree.gates.len() as u32 - 1)
    }

    fn reference(
        &mut self,
        scope: u32,
        file: usize,
        f: roxmltree::Node<'a, 'input>,
        tag: &str,
    ) -> Result<Node, MefError> {
        let Some(name) = f.attribute("name") else {
            return Err(self.defs.error(file, f, format!("<{tag}> needs a name")));
        };
        let keys: Vec<String> = self.defs.candidates(scope, name).collect();
        let gate = || {
            keys.iter()
                .find_map(|k| self.gates.get(k.as_str()).map(|d| (k.clone(), *d)))
        };
        let event = || {
            keys.iter()
                .find_map(|k| self.events.get(k).or_else(|| self.members.get(k)).copied())
        };
        let house = || keys.iter().find_map(|k| self.defs.houses.get(k).copied());
        if matches!(tag, "gate" | "event")
            && let Some((key, def)) = gate()
        {
            return self.gate(&key, def);
        }
        if matches!(tag, "basic-event" | "event")
            && let Some(n) = event()
        {
            return Ok(n);
        }
        if matches!(tag, "house-event" | "event")
            && let Some(h) = house()
        {
            let value = match children(h.node).next() {
                Some(c) if c.tag_name().name() == "constant" => {
                    self.bool_attr(h.file, c, "value")?
                }
                Some(c) => {
                    return Err(self.defs.error(
                        h.file,
                        c,
                        "a house event's value is <constant value=\"true\"/> or false",
                    ));
                }
                None => false,
            };
            return Ok(Node::Const(value));
        }
        let kind = match tag {
            "event" => "event",
            "basic-event" => "basic event",
            "house-event" => "house event",
            _ => "gate",
        };
        Err(self
            .defs
            .error(file, f, format!("{kind} '{name}' is not defined")))
    }

    fn bool_attr(&self, file: usize, f: roxmltree::Node, attr: &str) -> Result<bool, MefError> {
        match f.attribute(attr) {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            _ => Err(self.defs.error(
                file,
                f,
                format!(
                    "<{}> needs {attr}=\"true\" or \"false\"",
                    f.tag_name().name()
                ),
            )),
        }
    }

    fn count_attr(&self, file: usize, f: roxmltree::Node, attr: &str) -> Result<u32, MefError> {
        f.attribute(attr)
            .and_then(|v| v.trim().parse::<u32>().ok())
            .ok_or_else(|| {
                self.defs.error(
                    file,
                    f,
                    format!(
                        "<{}> needs {attr}=\"N\", a whole number",
                        f.tag_name().name()
                    ),
                )
            })
    }
}
