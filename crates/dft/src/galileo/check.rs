//! Names resolved into indices, and everything the grammar cannot see: undefined and
//! duplicate names, the top, input counts, what may be an input of what, cycles.

use std::collections::HashMap;

use super::ParseError;
use super::lex::Location;
use super::statement::{Raw, RawKind, Raws};
use crate::model::{Dft, Element, Gate, Kind};

/// Turns the statements into a checked [`Dft`].
pub(crate) fn check(raws: Raws) -> Result<Dft, ParseError> {
    let index = names(&raws.elements)?;
    let end = raws.end.unwrap_or(Location { line: 1, column: 1 });
    let Some((top_name, top_at)) = &raws.top else {
        return Err(ParseError::new(
            end,
            "no toplevel statement (toplevel \"NAME\";)",
        ));
    };
    let top = *index.get(top_name.as_str()).ok_or_else(|| {
        ParseError::new(*top_at, format!("the toplevel '{top_name}' is not defined"))
    })?;
    top_is_event(&raws.elements[top], *top_at)?;
    let children = resolve(&raws.elements, &index)?;
    let mut elements = Vec::with_capacity(raws.elements.len());
    for (raw, kids) in raws.elements.iter().zip(&children) {
        let kind = kind(raw, kids, &raws.elements)?;
        elements.push(Element {
            name: raw.name.0.clone(),
            at: raw.name.1,
            kind,
        });
    }
    let dft = Dft { elements, top };
    no_cycle(&dft)?;
    restricted_are_not_forced(&dft)?;
    primaries_not_shared(&dft)?;
    Ok(dft)
}

fn names(raws: &[Raw]) -> Result<HashMap<&str, usize>, ParseError> {
    let mut index = HashMap::with_capacity(raws.len());
    for (i, raw) in raws.iter().enumerate() {
        if let Some(&first) = index.get(raw.name.0.as_str()) {
            let first: &Raw = &raws[first];
            let msg = format!(
                "'{}' is defined twice (first at line {})",
                raw.name.0, first.name.1.line
            );
            return Err(ParseError::new(raw.name.1, msg));
        }
        index.insert(raw.name.0.as_str(), i);
    }
    Ok(index)
}

/// Each element's children as indices, with where each is written.
fn resolve(
    raws: &[Raw],
    index: &HashMap<&str, usize>,
) -> Result<Vec<Vec<(usize, Location)>>, ParseError> {
    raws.iter()
        .map(|raw| {
            raw.children
                .iter()
                .map(|(name, at)| match index.get(name.as_str()) {
                    Some(&i) => Ok((i, *at)),
                    None => Err(ParseError::new(*at, format!("'{name}' is not defined"))),
                })
                .collect()
        })
        .collect()
}

fn is_dependency(raws: &[Raw], i: usize) -> bool {
    matches!(raws[i].kind, RawKind::Dependency(_))
}

fn is_basic(raws: &[Raw], i: usize) -> bool {
    matches!(raws[i].kind, RawKind::Basic { .. })
}

fn what(raws: &[Raw], i: usize) -> &'static str {
    match raws[i].kind {
        RawKind::Dependency(_) => "a dependency (fdep/pdep)",
        RawKind::Restriction(_) => "a restriction (seq/mutex)",
        RawKind::Basic { .. } => "a basic event",
        RawKind::Gate(_) | RawKind::Vote { .. } => "a gate",
    }
}

fn kind(raw: &Raw, kids: &[(usize, Location)], raws: &[Raw]) -> Result<Kind, ParseError> {
    let name = &raw.name.0;
    match raw.kind {
        RawKind::Basic { rate, dormancy } => Ok(Kind::Basic { rate, dormancy }),
        RawKind::Gate(gate) => Ok(Kind::Gate {
            gate,
            inputs: inputs(raw, gate, kids, raws)?,
        }),
        RawKind::Vote { k, n } => vote(raw, k, n, kids, raws),
        RawKind::Dependency(probability) => {
            let [(trigger, trigger_at), dependents @ ..] = kids else {
                return Err(ParseError::new(
                    raw.kind_at,
                    format!("dependency '{name}' needs a trigger and dependents"),
                ));
            };
            if dependents.is_empty() {
                return Err(ParseError::new(
                    raw.kind_at,
                    format!("dependency '{name}' has no dependent events"),
                ));
            }
            if matches!(
                raws[*trigger].kind,
                RawKind::Dependency(_) | RawKind::Restriction(_)
            ) {
                let msg = format!(
                    "the trigger of '{name}' is {}, which never fails",
                    what(raws, *trigger)
                );
                return Err(ParseError::new(*trigger_at, msg));
            }
            let dependents = basics(raw, dependents, raws, "a dependent")?;
            Ok(Kind::Dependency {
                probability,
                trigger: *trigger,
                dependents,
            })
        }
        RawKind::Restriction(restriction) => {
            if kids.is_empty() {
                return Err(ParseError::new(
                    raw.kind_at,
                    format!("restriction '{name}' has no members"),
                ));
            }
            Ok(Kind::Restriction {
                restriction,
                members: basics(raw, kids, raws, "a member of a seq/mutex")?,
            })
        }
    }
}

/// Children that must be basic events, each listed once.
fn basics(
    raw: &Raw,
    kids: &[(usize, Location)],
    raws: &[Raw],
    role: &str,
) -> Result<Vec<usize>, ParseError> {
    let mut out = Vec::with_capacity(kids.len());
    for &(i, at) in kids {
        if !is_basic(raws, i) {
            let msg = format!(
                "{role} must be a basic event, and '{}' is {} (not supported)",
                raws[i].name.0,
                what(raws, i)
            );
            return Err(ParseError::new(at, msg));
        }
        if out.contains(&i) {
            return Err(ParseError::new(
                at,
                format!("'{}' is listed twice in '{}'", raws[i].name.0, raw.name.0),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

/// A gate's inputs. As in Storm, a dependency named as an input of an AND, OR or voting
/// gate is not an input (it has no failure of its own); anywhere else it is refused.
fn inputs(
    raw: &Raw,
    gate: Gate,
    kids: &[(usize, Location)],
    raws: &[Raw],
) -> Result<Vec<usize>, ParseError> {
    let drops = matches!(gate, Gate::And | Gate::Or | Gate::Vote { .. });
    let mut out = Vec::with_capacity(kids.len());
    for &(i, at) in kids {
        let child = &raws[i].name.0;
        if is_dependency(raws, i) && drops {
            continue;
        }
        if matches!(
            raws[i].kind,
            RawKind::Dependency(_) | RawKind::Restriction(_)
        ) {
            let msg = format!(
                "'{child}' is {} and cannot be an input of '{}'",
                what(raws, i),
                raw.name.0
            );
            return Err(ParseError::new(at, msg));
        }
        if out.contains(&i) {
            return Err(ParseError::new(
                at,
                format!("'{child}' is listed twice in '{}'", raw.name.0),
            ));
        }
        out.push(i);
    }
    if out.is_empty() {
        return Err(ParseError::new(
            raw.kind_at,
            format!("gate '{}' has no inputs", raw.name.0),
        ));
    }
    if gate == Gate::Spare && out.len() > 64 {
        return Err(ParseError::new(
            raw.kind_at,
            "a spare gate with more than 64 inputs is not supported",
        ));
    }
    Ok(out)
}

fn vote(
    raw: &Raw,
    k: usize,
    n: Option<usize>,
    kids: &[(usize, Location)],
    raws: &[Raw],
) -> Result<Kind, ParseError> {
    if let Some(n) = n.filter(|&n| n != kids.len()) {
        let msg = format!("'{k}of{n}' but {} inputs are listed", kids.len());
        return Err(ParseError::new(raw.kind_at, msg));
    }
    let gate = Gate::Vote { k };
    let inputs = inputs(raw, gate, kids, raws)?;
    if k == 0 || k > inputs.len() {
        let msg = format!(
            "a voting threshold must be between 1 and the {} inputs, not {k}",
            inputs.len()
        );
        return Err(ParseError::new(raw.kind_at, msg));
    }
    Ok(Kind::Gate { gate, inputs })
}

fn top_is_event(top: &Raw, at: Location) -> Result<(), ParseError> {
    match top.kind {
        RawKind::Dependency(_) | RawKind::Restriction(_) => Err(ParseError::new(
            at,
            format!(
                "the toplevel '{}' is a dependency or restriction (fdep, pdep, seq, mutex), which never fails; Storm refuses it too",
                top.name.0
            ),
        )),
        _ => Ok(()),
    }
}

/// Inputs of gates form no cycle (an iterative depth-first search: deep trees are fine).
fn no_cycle(dft: &Dft) -> Result<(), ParseError> {
    let n = dft.elements.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((node, next)) = stack.last_mut() {
            let inputs = gate_inputs(dft, *node);
            if let Some(&child) = inputs.get(*next) {
                *next += 1;
                match state[child] {
                    0 => {
                        state[child] = 1;
                        stack.push((child, 0));
                    }
                    1 => return Err(cycle(dft, &stack, child)),
                    _ => {}
                }
            } else {
                state[*node] = 2;
                stack.pop();
            }
        }
    }
    Ok(())
}

fn gate_inputs(dft: &Dft, i: usize) -> &[usize] {
    match &dft.elements[i].kind {
        Kind::Gate { inputs, .. } => inputs,
        _ => &[],
    }
}

fn cycle(dft: &Dft, stack: &[(usize, usize)], back_to: usize) -> ParseError {
    let from = stack.iter().position(|&(n, _)| n == back_to).unwrap_or(0);
    let mut path: Vec<&str> = stack[from..]
        .iter()
        .map(|&(n, _)| dft.elements[n].name.as_str())
        .collect();
    path.push(&dft.elements[back_to].name);
    let at = dft.elements[back_to].at;
    ParseError::new(
        at,
        format!("the inputs form a cycle: {}", path.join(" -> ")),
    )
}

/// A dependent forced to fail could break a seq or mutex; that is not supported.
fn restricted_are_not_forced(dft: &Dft) -> Result<(), ParseError> {
    for e in &dft.elements {
        let Kind::Restriction { members, .. } = &e.kind else {
            continue;
        };
        for d in &dft.elements {
            let Kind::Dependency { dependents, .. } = &d.kind else {
                continue;
            };
            if let Some(m) = members.iter().find(|m| dependents.contains(m)) {
                let msg = format!(
                    "'{}' is restricted by '{}' and a dependent of '{}': not supported",
                    dft.elements[*m].name, e.name, d.name
                );
                return Err(ParseError::new(e.at, msg));
            }
        }
    }
    Ok(())
}

fn primaries_not_shared(dft: &Dft) -> Result<(), ParseError> {
    let mut owner: HashMap<usize, usize> = HashMap::new();
    for (g, e) in dft.elements.iter().enumerate() {
        let Kind::Gate {
            gate: Gate::Spare,
            inputs,
        } = &e.kind
        else {
            continue;
        };
        if let Some(first) = owner.insert(inputs[0], g) {
            let msg = format!(
                "'{}' is the first (primary) input of two spare gates, '{}' and '{}': not supported",
                dft.elements[inputs[0]].name, dft.elements[first].name, e.name
            );
            return Err(ParseError::new(e.at, msg));
        }
    }
    Ok(())
}
