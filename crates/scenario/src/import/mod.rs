//! Fault trees written as scenarios: `faultline import`, and every command given a MEF or
//! Galileo file instead of a scenario.
//!
//! A basic event becomes a component with one fault: at a constant rate since the start
//! (an exponential law), or at the start with its probability (`every: At("0s")` with a
//! `chance`). A gate becomes a k-of-n group: AND needs 1 member up, OR needs all of them,
//! at-least-k-of-n fails needs n − k + 1. House events and constants are folded away. The
//! top event is the service (`slo: 1.0`). Nothing is repaired, and the horizon is the
//! mission time, so the share of runs in which the service fails is P(top) at the mission
//! time, which `analyze` computes exactly.
//!
//! A dynamic fault tree (Galileo with priority or spare gates, or dependencies) is written
//! with the model's ordered and spares groups and `Requires` edges instead (see `dft`).
//!
//! Negations (not, xor, nand, nor, iff, imply, cardinality) are refused by name: a
//! component that has failed does not come back because another one failed, so a
//! non-coherent tree has no simulation here (`analyze` still answers it exactly).

mod dft;

use faultline_ftree::{FaultTree, Law, Node, Op};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use crate::diagnostics::LoadError;

/// A tree that cannot be a scenario, and why (naming the gate).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImportError(pub String);

/// Where a tree comes from and how long its mission is.
pub struct Origin<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// The files it was read from, for the header comment.
    pub from: &'a str,
    /// The horizon: the mission time, in hours.
    pub hours: f64,
}

/// Whether `path` names a fault tree (`.xml`: Open-PSA MEF; `.dft`: Galileo) rather than
/// a scenario.
pub fn is_fault_tree(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ext.eq_ignore_ascii_case("xml") || is_dft(path)
}

/// Whether `path` names a Galileo dynamic fault tree (`.dft`).
pub fn is_dft(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("dft"))
}

/// How fault-tree files become a scenario.
#[derive(Clone, Debug)]
pub struct Settings {
    /// A MEF model's mission time, in hours: the horizon, and `system-mission-time`
    /// (SCRAM's default, a year).
    pub mission_time: f64,
    /// A MEF model's top gate, when several gates are used by no other.
    pub top: Option<String>,
    /// A Galileo DFT's horizon in hours (its failure rates are read as per hour); 1, the
    /// time bound Storm's examples are checked at.
    pub dft_time: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mission_time: 8760.0,
            top: None,
            dft_time: 1.0,
        }
    }
}

/// A fault-tree file read and written as scenario text, with the default settings.
pub fn read_as_scenario(path: &Path) -> Result<String, LoadError> {
    import(&[path], &Settings::default())
}

/// Fault-tree files (several `.xml` files of one MEF model, or one `.dft`) read and written
/// as scenario text (see the module documentation); every problem located in its file.
pub fn import(paths: &[&Path], settings: &Settings) -> Result<String, LoadError> {
    let first = paths
        .first()
        .map_or(String::new(), |p| p.to_string_lossy().into_owned());
    let fail = |message: String| LoadError::Foreign {
        file: first.clone(),
        message,
    };
    let mut texts = Vec::with_capacity(paths.len());
    for p in paths {
        let file = p.to_string_lossy().into_owned();
        let text =
            std::fs::read_to_string(p).map_err(|e| fail(format!("cannot read {file}: {e}")))?;
        texts.push((file, text));
    }
    let name = paths
        .first()
        .and_then(|p| p.file_stem())
        .map_or("model".into(), |s| s.to_string_lossy().into_owned());
    let (tree, hours) = match (paths, &texts[..]) {
        ([p], [(file, text)]) if is_dft(p) => {
            let dft = faultline_dft::parse(text).map_err(|e| fail(format!("{file}:{e}")))?;
            match dft.to_fault_tree(settings.dft_time) {
                Some(tree) => (tree, settings.dft_time),
                None => {
                    let origin = Origin {
                        name: &name,
                        from: file,
                        hours: settings.dft_time,
                    };
                    return dft::scenario_text(&dft, &origin).map_err(|e| fail(e.to_string()));
                }
            }
        }
        _ if paths.iter().any(|p| is_dft(p)) => {
            return Err(fail(
                "a Galileo DFT (.dft) is imported alone, not with other files".into(),
            ));
        }
        _ => {
            let sources: Vec<_> = texts
                .iter()
                .map(|(name, text)| faultline_ftree::mef::Source { name, text })
                .collect();
            let opts = faultline_ftree::mef::Options {
                mission_time: settings.mission_time,
                top: settings.top.clone(),
            };
            let tree =
                faultline_ftree::mef::read(&sources, &opts).map_err(|e| fail(e.to_string()))?;
            (tree, settings.mission_time)
        }
    };
    let from: Vec<&str> = texts.iter().map(|(f, _)| f.as_str()).collect();
    let origin = Origin {
        name: &name,
        from: &from.join(" and "),
        hours,
    };
    scenario_text(&tree, &origin).map_err(|e| fail(e.to_string()))
}

/// A node after constants are folded: a constant, or a kept event or gate.
#[derive(Clone, Copy, PartialEq)]
enum Folded {
    Const(bool),
    Keep(Node),
}

/// The scenario text of `tree`.
pub fn scenario_text(tree: &FaultTree, origin: &Origin) -> Result<String, ImportError> {
    let mut folder = Fold {
        tree,
        memo: HashMap::new(),
        kept: vec![],
        events: vec![false; tree.events.len()],
    };
    let top = folder.node(tree.top)?;
    let Folded::Keep(top) = top else {
        let Folded::Const(b) = top else {
            unreachable!()
        };
        let what = if b { "always failed" } else { "never failed" };
        return Err(ImportError(format!(
            "{}: the top event '{}' is {what} once its house events are set: there is nothing to simulate",
            origin.from,
            tree.top_name()
        )));
    };
    let names = Names::new(tree);
    let mut s = String::new();
    let q = |x: &str| ron::to_string(x).expect("a string serialises");
    writeln!(s, "// Imported from {} by `faultline import`.", origin.from).ok();
    writeln!(
        s,
        "// Basic events are components that fail once, never repaired; gates are k-of-n groups;"
    )
    .ok();
    writeln!(
        s,
        "// the top event is the service. Its failure probability over the horizon is P(top)."
    )
    .ok();
    writeln!(s, "Scenario(").ok();
    writeln!(s, "    name: {},", q(origin.name)).ok();
    writeln!(
        s,
        "    about: {},",
        q(&format!(
            "The fault tree of top event {} from {}.",
            tree.top_name(),
            origin.from
        ))
    )
    .ok();
    writeln!(s, "    horizon: \"{}h\",", origin.hours).ok();
    writeln!(s, "    runs: 10000,\n    seed: 1,\n    components: [").ok();
    for (e, used) in folder.events.iter().enumerate() {
        if *used {
            writeln!(s, "        {},", event_component(tree, e, &names)).ok();
        }
    }
    let top_gate = match top {
        Node::Gate(g) => Some(g),
        _ => None,
    };
    for (g, op, args) in &folder.kept {
        let g = *g;
        // A group is up while `need` members are: down once n - need + 1 have failed.
        let need = match op {
            Op::And => 1,
            Op::AtLeast(k) => args.len() + 1 - *k as usize,
            _ => args.len(),
        };
        let members: Vec<String> = args.iter().map(|a| q(&names.of(*a))).collect();
        let service = if Some(g) == top_gate {
            ", service: (slo: 1.0, users: 1)"
        } else {
            ""
        };
        writeln!(
            s,
            "        (id: {}, group: (need: {need}, of: [{}]){service}),",
            q(&names.of(Node::Gate(g))),
            members.join(", ")
        )
        .ok();
    }
    if top_gate.is_none() {
        writeln!(
            s,
            "        (id: \"top\", group: (need: 1, of: [{}]), service: (slo: 1.0, users: 1)),",
            q(&names.of(top))
        )
        .ok();
    }
    writeln!(s, "    ],\n)").ok();
    Ok(s)
}

/// A basic event as a component with one fault mode.
fn event_component(tree: &FaultTree, e: usize, names: &Names) -> String {
    let ev = &tree.events[e];
    let id = ron::to_string(&names.of(Node::Event(e as u32))).expect("a string serialises");
    let fault = match ev.law {
        Law::Exponential { lambda, .. } if lambda > 0.0 => {
            format!(
                "every: Exp(mean: \"{}h\")",
                faultline_units::significant(1.0 / lambda, 15)
            )
        }
        _ if ev.p >= 1.0 => "every: At(\"0s\")".to_string(),
        _ => format!("every: At(\"0s\"), chance: {:?}", ev.p),
    };
    if ev.p <= 0.0 {
        return format!("(id: {id})");
    }
    format!("(id: {id}, faults: [(name: \"fails\", {fault}, effect: Crash)])")
}

/// Component ids: events and gates by their names, a gate renamed if an event has its name.
struct Names {
    events: Vec<String>,
    gates: Vec<String>,
}

impl Names {
    fn new(tree: &FaultTree) -> Names {
        let events: Vec<String> = tree.events.iter().map(|e| e.name.clone()).collect();
        let taken: std::collections::HashSet<&str> = events.iter().map(String::as_str).collect();
        let gates = tree
            .gates
            .iter()
            .map(|g| {
                if taken.contains(g.name.as_str()) {
                    format!("gate {}", g.name)
                } else {
                    g.name.clone()
                }
            })
            .collect();
        Names { events, gates }
    }
    fn of(&self, n: Node) -> String {
        match n {
            Node::Event(e) => self.events[e as usize].clone(),
            Node::Gate(g) => self.gates[g as usize].clone(),
            Node::Const(b) => b.to_string(),
        }
    }
}

/// Constant folding over the gates under the top, refusing negations.
struct Fold<'t> {
    tree: &'t FaultTree,
    memo: HashMap<u32, Folded>,
    /// Each gate kept, in post-order: its operator over its kept arguments.
    kept: Vec<(u32, Op, Vec<Node>)>,
    /// Basic events met.
    events: Vec<bool>,
}

impl Fold<'_> {
    fn node(&mut self, n: Node) -> Result<Folded, ImportError> {
        let g = match n {
            Node::Const(b) => return Ok(Folded::Const(b)),
            Node::Event(e) => {
                self.events[e as usize] = true;
                return Ok(Folded::Keep(n));
            }
            Node::Gate(g) => g,
        };
        if let Some(f) = self.memo.get(&g) {
            return Ok(*f);
        }
        let gate = &self.tree.gates[g as usize];
        let (mut kept, mut failed) = (vec![], 0usize);
        for a in gate.args.clone() {
            match self.node(a)? {
                Folded::Const(true) => failed += 1,
                Folded::Const(false) => {}
                Folded::Keep(k) => kept.push(k),
            }
        }
        // How many arguments must fail for the gate to fail.
        let k = match gate.op {
            Op::And => gate.args.len(),
            Op::Or | Op::Null => 1,
            Op::AtLeast(k) => k as usize,
            op => {
                let at = gate
                    .at
                    .as_deref()
                    .map_or(String::new(), |a| format!("{a}: "));
                return Err(ImportError(format!(
                    "{at}gate '{}' is a <{}>: a non-coherent tree (a failure that depends on something \
                     not failing) cannot be simulated, since failed components do not come back when \
                     others fail; `faultline analyze` gives its exact answers",
                    gate.name,
                    op.mef_name()
                )));
            }
        };
        let k = k.saturating_sub(failed);
        let f = if k == 0 {
            Folded::Const(true)
        } else if k > kept.len() {
            Folded::Const(false)
        } else if kept.len() == 1 {
            Folded::Keep(kept[0])
        } else {
            let op = if k == kept.len() {
                Op::And
            } else if k == 1 {
                Op::Or
            } else {
                Op::AtLeast(k as u32)
            };
            self.kept.push((g, op, kept));
            Folded::Keep(Node::Gate(g))
        };
        self.memo.insert(g, f);
        Ok(f)
    }
}
