//! Common-cause failure groups expanded into basic events, as the MEF specifies: a member
//! fails when its independent event (`[m]`) or any common-cause event of a subset holding
//! it (`[m n]`) occurs, named as SCRAM names them. Models: beta-factor, multiple Greek letters (MGL), alpha-factor and phi-factor.

use super::expr::{Eval, children};
use super::{Defs, MefError};
use crate::tree::{Event, FaultTree, Gate, Law, Node, Op};
use std::collections::HashMap;

/// Most members a group may have (its events are every subset: 2^n of them).
const MAX_MEMBERS: usize = 16;

/// Expands every group: its members become OR gates over their independent event and the
/// common-cause events that include them. Returns the member gates, by member name.
pub(super) fn expand(
    defs: &Defs,
    eval: &mut Eval,
    tree: &mut FaultTree,
    index: &mut HashMap<String, Node>,
) -> Result<HashMap<String, Node>, MefError> {
    let mut members_out = HashMap::new();
    for def in &defs.ccf {
        let (file, g) = (def.file, def.node);
        let err = |n: roxmltree::Node, m: String| defs.error(file, n, m);
        let name = g.attribute("name").unwrap_or("ccf");
        let model = g.attribute("model").unwrap_or("");
        let mut members: Vec<String> = vec![];
        let mut q = None;
        let mut factors: Vec<(usize, f64)> = vec![];
        for el in children(g) {
            match el.tag_name().name() {
                "members" => {
                    for m in children(el) {
                        match m.attribute("name") {
                            Some(n) if m.tag_name().name() == "basic-event" => {
                                members.push(n.to_string())
                            }
                            _ => {
                                return Err(err(
                                    m,
                                    "a CCF group's members are <basic-event name=\"...\"/>".into(),
                                ));
                            }
                        }
                    }
                }
                "distribution" => {
                    let e = children(el)
                        .next()
                        .ok_or_else(|| err(el, "<distribution> needs an expression".into()))?;
                    q = Some(eval.value(file, e)?);
                }
                "factor" => factors.push(factor(eval, file, el, &err)?),
                "factors" => {
                    for f in children(el) {
                        factors.push(factor(eval, file, f, &err)?);
                    }
                }
                other => return Err(err(el, format!("unknown element <{other}> in a CCF group"))),
            }
        }
        let n = members.len();
        if !(2..=MAX_MEMBERS).contains(&n) {
            return Err(err(
                g,
                format!("CCF group '{name}' has {n} members; faultline takes 2 to {MAX_MEMBERS}"),
            ));
        }
        let q = q.ok_or_else(|| err(g, format!("CCF group '{name}' has no <distribution>")))?;
        let by_level = level_probabilities(model, n, q, &mut factors)
            .map_err(|m| err(g, format!("CCF group '{name}': {m}")))?;
        let mut or_args: Vec<Vec<Node>> = vec![vec![]; n];
        for mask in 1u32..(1 << n) {
            let k = mask.count_ones() as usize;
            let p = by_level[k];
            if p == 0.0 && k > 1 {
                continue;
            }
            let names: Vec<&str> = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| members[i].as_str())
                .collect();
            let ev = Node::Event(tree.events.len() as u32);
            tree.events.push(Event {
                name: format!("[{}]", names.join(" ")),
                p,
                law: Law::Probability,
            });
            for (i, args) in or_args.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    args.push(ev);
                }
            }
        }
        for (i, m) in members.iter().enumerate() {
            if index.contains_key(m) || members_out.contains_key(m) {
                return Err(err(
                    g,
                    format!("'{m}' is a member of CCF group '{name}' and defined elsewhere too"),
                ));
            }
            let gate = Node::Gate(tree.gates.len() as u32);
            let e = defs.error(file, g, "");
            tree.gates.push(Gate {
                at: Some(format!("{}:{}:{}", e.file, e.line, e.col)),
                name: m.to_string(),
                op: Op::Or,
                args: std::mem::take(&mut or_args[i]),
            });
            members_out.insert(m.clone(), gate);
        }
    }
    Ok(members_out)
}

fn factor(
    eval: &mut Eval,
    file: usize,
    el: roxmltree::Node,
    err: &impl Fn(roxmltree::Node, String) -> MefError,
) -> Result<(usize, f64), MefError> {
    let level = el.attribute("level").and_then(|l| l.parse::<usize>().ok());
    let e = children(el)
        .next()
        .ok_or_else(|| err(el, "<factor> needs an expression".into()))?;
    let v = eval.value(file, e)?;
    Ok((level.unwrap_or(0), v))
}

/// Probability of each common-cause event of k members (index k; index 1 is the
/// independent event), from the group's model and factors.
fn level_probabilities(
    model: &str,
    n: usize,
    q: f64,
    factors: &mut [(usize, f64)],
) -> Result<Vec<f64>, String> {
    let choose = |n: usize, k: usize| -> f64 {
        (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64)
    };
    let mut p = vec![0.0; n + 1];
    match model {
        "beta-factor" => {
            let [(_, beta)] = factors else {
                return Err("the beta-factor model takes one factor".into());
            };
            p[1] = (1.0 - *beta) * q;
            p[n] = *beta * q;
        }
        "MGL" => {
            // Factors for levels 2..=m: rho_2 = beta, rho_3 = gamma, ...; rho_1 = 1, rho_{m+1} = 0.
            let levels = fill_levels(factors, 2)?;
            let m = levels.len() + 1;
            if m > n {
                return Err(format!("{} factors for {n} members", levels.len()));
            }
            let rho = |i: usize| {
                if i == 1 {
                    1.0
                } else if i <= m {
                    levels[i - 2]
                } else {
                    0.0
                }
            };
            for (k, pk) in p.iter_mut().enumerate().take(m + 1).skip(1) {
                let prod: f64 = (1..=k).map(rho).product();
                *pk = prod * (1.0 - rho(k + 1)) * q / choose(n - 1, k - 1);
            }
        }
        "alpha-factor" => {
            let alpha = fill_levels(factors, 1)?;
            if alpha.len() > n {
                return Err(format!("{} factors for {n} members", alpha.len()));
            }
            let total: f64 = alpha
                .iter()
                .enumerate()
                .map(|(i, a)| (i + 1) as f64 * a)
                .sum();
            for (i, a) in alpha.iter().enumerate() {
                let k = i + 1;
                p[k] = k as f64 / choose(n - 1, k - 1) * a / total * q;
            }
        }
        "phi-factor" => {
            let phi = fill_levels(factors, 1)?;
            let sum: f64 = phi.iter().sum();
            if (sum - 1.0).abs() > 1e-9 {
                return Err(format!("the phi factors sum to {sum}, not 1"));
            }
            for (i, f) in phi.iter().enumerate().take(n) {
                p[i + 1] = f * q;
            }
        }
        other => {
            return Err(format!(
                "unknown CCF model '{other}' (beta-factor, MGL, alpha-factor, phi-factor)"
            ));
        }
    }
    if p.iter().any(|x| !(0.0..=1.0).contains(x)) {
        return Err("its factors give a probability outside [0, 1]".into());
    }
    Ok(p)
}

/// Factors ordered by level, from `from` on without gaps (a factor without a level takes
/// the next one).
fn fill_levels(factors: &mut [(usize, f64)], from: usize) -> Result<Vec<f64>, String> {
    let mut next = from;
    for f in factors.iter_mut() {
        if f.0 == 0 {
            f.0 = next;
        }
        next = f.0 + 1;
    }
    factors.sort_by_key(|f| f.0);
    for (i, f) in factors.iter().enumerate() {
        if f.0 != from + i {
            return Err(format!(
                "factor levels must run from {from} without gaps; found level {}",
                f.0
            ));
        }
    }
    Ok(factors.iter().map(|f| f.1).collect())
}
