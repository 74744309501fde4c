//! A dynamic fault tree (Galileo) written as a scenario, with the model's dynamic parts:
//! priority gates become ordered groups (`InOrder`, `First`), spare gates `Spares` groups
//! whose spares wait at their dormancy, and each dependency a component of its own that
//! `Requires` the trigger (with the pdep's probability: one draw for all its dependents,
//! as Storm draws once) and that its dependents `Require`.
//!
//! Refused, located: restrictions (seq, mutex), which constrain when faults may happen
//! rather than what a failure does, and gates as spares (a spare module, dormant as a
//! whole), which the model's dormancy, a component's own, does not cover.

use super::{ImportError, Origin};
use faultline_dft::{Dft, Gate, Kind};
use std::fmt::Write;

/// The scenario text of a dynamic fault tree, or why it has none.
pub(super) fn scenario_text(dft: &Dft, origin: &Origin) -> Result<String, ImportError> {
    let els = dft.elements();
    let q = |x: &str| ron::to_string(x).expect("a string serialises");
    let waits: Vec<bool> = spares_waiting(dft, origin)?;
    let mut s = String::new();
    writeln!(s, "// Imported from {} by `faultline import`.", origin.from).ok();
    writeln!(
        s,
        "// Basic events are components that fail once, never repaired (rates per hour); gates are"
    )
    .ok();
    writeln!(
        s,
        "// groups (pand: InOrder, por: First, spare gates: Spares); each dependency is a component"
    )
    .ok();
    writeln!(
        s,
        "// its dependents require. The top event is the service: its failure probability over the"
    )
    .ok();
    writeln!(s, "// horizon is the DFT's unreliability at that time.").ok();
    writeln!(s, "Scenario(").ok();
    writeln!(s, "    name: {},", q(origin.name)).ok();
    let top = &els[dft.top()];
    writeln!(
        s,
        "    about: {},",
        q(&format!(
            "The dynamic fault tree of top event {} from {}.",
            top.name, origin.from
        ))
    )
    .ok();
    writeln!(s, "    horizon: \"{}h\",", origin.hours).ok();
    writeln!(s, "    runs: 10000,\n    seed: 1,\n    components: [").ok();
    let mut edges = String::new();
    let service = ", service: (slo: 1.0, users: 1)";
    for (i, e) in els.iter().enumerate() {
        let id = q(&e.name);
        let svc = if i == dft.top() { service } else { "" };
        match &e.kind {
            Kind::Basic { rate, dormancy } => {
                let fault = if *rate > 0.0 {
                    format!(
                        ", faults: [(name: \"fails\", every: Exp(mean: \"{}h\"), effect: Crash)]",
                        faultline_units::significant(1.0 / rate, 15)
                    )
                } else {
                    String::new()
                };
                let dorm = if waits[i] && *dormancy != 1.0 {
                    format!(", dormancy: {dormancy:?}")
                } else {
                    String::new()
                };
                writeln!(s, "        (id: {id}{fault}{dorm}{svc}),").ok();
            }
            Kind::Gate { gate, inputs } => {
                let n = inputs.len();
                let (need, kind) = match gate {
                    Gate::And => (1, ""),
                    Gate::Or => (n, ""),
                    Gate::Vote { k } => (n + 1 - k.min(&n), ""),
                    Gate::Pand => (n, ", kind: InOrder"),
                    Gate::Por => (1, ", kind: First"),
                    Gate::Spare => (1, ", kind: Spares"),
                };
                let members: Vec<String> = inputs.iter().map(|&x| q(&els[x].name)).collect();
                writeln!(
                    s,
                    "        (id: {id}, group: (need: {need}, of: [{}]{kind}){svc}),",
                    members.join(", ")
                )
                .ok();
            }
            Kind::Dependency {
                probability,
                trigger,
                dependents,
            } => {
                writeln!(s, "        (id: {id}),").ok();
                let p = if *probability < 1.0 {
                    format!(", p: {probability:?}")
                } else {
                    String::new()
                };
                writeln!(
                    edges,
                    "        (from: {id}, to: {}, kind: Requires{p}),",
                    q(&els[*trigger].name)
                )
                .ok();
                for &d in dependents {
                    writeln!(
                        edges,
                        "        (from: {}, to: {id}, kind: Requires),",
                        q(&els[d].name)
                    )
                    .ok();
                }
            }
            Kind::Restriction { restriction, .. } => {
                return Err(ImportError(format!(
                    "{}:{}:{}: {} '{}' restricts when basic events may fail, which the model \
                     cannot express yet, so it cannot be simulated; `faultline analyze {}` solves it exactly",
                    origin.from,
                    e.at.line,
                    e.at.column,
                    format!("{restriction:?}").to_lowercase(),
                    e.name,
                    origin.from
                )));
            }
        }
    }
    writeln!(s, "    ],").ok();
    if !edges.is_empty() {
        writeln!(s, "    edges: [\n{edges}    ],").ok();
    }
    writeln!(s, ")").ok();
    Ok(s)
}

/// Per element: whether it waits as a spare (an input of a spare gate after the first);
/// a gate that would is refused, located at its spare gate.
fn spares_waiting(dft: &Dft, origin: &Origin) -> Result<Vec<bool>, ImportError> {
    let els = dft.elements();
    let mut waits = vec![false; els.len()];
    for e in els {
        if let Kind::Gate {
            gate: Gate::Spare,
            inputs,
        } = &e.kind
        {
            for &x in &inputs[1..] {
                if !matches!(els[x].kind, Kind::Basic { .. }) {
                    return Err(ImportError(format!(
                        "{}:{}:{}: spare gate '{}' has the gate '{}' as a spare: a spare module \
                         (dormant as a whole) cannot be simulated yet, only basic events as spares; \
                         `faultline analyze {}` solves it exactly",
                        origin.from, e.at.line, e.at.column, e.name, els[x].name, origin.from
                    )));
                }
                waits[x] = true;
            }
        }
    }
    Ok(waits)
}
