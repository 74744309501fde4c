//! Warnings: scenarios that are valid but cannot do what they say. A failover to a standby
//! that fails with the primary, a strategy that changes nothing, a mitigation for a
//! component nothing can break, a service or an alert no fault can reach, a fault that never
//! happens, a server a strategy adds beside siblings that a common cause all hits. Each is
//! located like an error; the command line prints them and `--deny-warnings` makes them
//! fatal.

use super::strategy::{Origin, apply_strategy};
use crate::diagnostics::Problem;
use crate::schema::{Condition, Dist, EdgeKind, Effect, Mitigation, Scenario, Strategy};
use crate::span::Path;
use faultline_core::model::Model;
use std::collections::HashMap;

/// Every warning about `sc`, which has validated into `models` (the baseline, then each
/// strategy's): the baseline's first, then each strategy's own, in file order; none twice.
pub fn warnings(sc: &Scenario, models: &[Model]) -> Vec<Problem> {
    let mut out = vec![];
    let base = Graph::new(sc);
    services_out_of_reach(sc, &base, &mut out);
    faults_that_never_happen(sc, &mut out);
    latent_faults_never_found(sc, models, &mut out);
    alerts_that_never_hold(sc, &base, &|p| p, &mut out);
    // The baseline as strategies are compared with it, made once, when first needed.
    let mut base: Option<String> = None;
    for (k, st) in sc.strategies.iter().enumerate() {
        let at = Path::root().field("strategies").index(k);
        if let (Some(b), Some(m)) = (models.first(), models.get(k + 1))
            && !is_bare(st)
            && *base.get_or_insert_with(|| plain(b)) == plain(m)
        {
            out.push(
                Problem::new(
                    at.field("name"),
                    format!(
                        "strategy `{}` changes nothing in the model: its results are the baseline's{}",
                        st.name,
                        if st.cost > 0.0 { ", at a cost" } else { "" }
                    ),
                )
                .hint("its changes repeat what the scenario already has; a strategy meant as \"do nothing\" needs no changes at all"),
            );
        }
        let (patched, origin) = apply_strategy(sc, k, &mut vec![]);
        let g = Graph::new(&patched);
        mitigations_that_never_act(st, &at, &g, &mut out);
        alerts_that_never_hold(&patched, &g, &|p| origin.map(p), &mut out);
        added_beside_a_common_cause(sc, &patched, &origin, &mut out);
    }
    let mut seen = vec![];
    out.retain(|p| {
        let key = (p.path.clone(), p.message.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    out
}

/// The dependency structure of a scenario, as far as trouble travels.
struct Graph<'a> {
    index: HashMap<&'a str, usize>,
    /// Per component: what trouble reaches it from (dependencies, members, feeders).
    from: Vec<Vec<usize>>,
    /// Per component: the effects of its own faults and of the common causes hitting it
    /// (empty when nothing of its own can impair it).
    effects: Vec<Vec<Effect>>,
    /// Per component: a queue, which load alone can impair.
    queue: Vec<bool>,
}

impl<'a> Graph<'a> {
    fn new(sc: &'a Scenario) -> Graph<'a> {
        let n = sc.components.len();
        let index: HashMap<&str, usize> = sc
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut from = vec![vec![]; n];
        let mut effects = vec![vec![]; n];
        for (i, c) in sc.components.iter().enumerate() {
            let members = c.group.iter().flat_map(|g| &g.of);
            let voters = c.voter.iter().flat_map(|v| v.of.iter().chain(&v.backup));
            from[i].extend(members.chain(voters).filter_map(|m| index.get(m.as_str())));
            effects[i].extend(c.faults.iter().map(|f| f.effect));
        }
        for e in &sc.edges {
            let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
            else {
                continue;
            };
            match e.kind {
                // Queue `from` passes its jobs (and so its surges) on to `to`.
                EdgeKind::Feeds => from[b].push(a),
                _ => from[a].push(b),
            }
        }
        for cc in &sc.common_cause {
            for h in &cc.hits {
                if let Some(&i) = index.get(h.as_str()) {
                    effects[i].push(cc.effect);
                }
            }
        }
        let queue = sc.components.iter().map(|c| c.queue.is_some()).collect();
        Graph {
            index,
            from,
            effects,
            queue,
        }
    }

    /// Component `i` and everything trouble can reach it from.
    fn upstream(&self, i: usize) -> Vec<usize> {
        let mut seen = vec![false; self.from.len()];
        let mut stack = vec![i];
        let mut out = vec![];
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c], true) {
                continue;
            }
            out.push(c);
            stack.extend(&self.from[c]);
        }
        out
    }

    /// Whether anything can impair component `i` (a fault, a common cause, a queue's load).
    fn reachable_by_trouble(&self, i: usize) -> bool {
        self.upstream(i)
            .iter()
            .any(|&c| self.queue[c] || !self.effects[c].is_empty())
    }

    /// Whether an effect like `like` can reach component `i`.
    fn reachable_by(&self, i: usize, like: fn(&Effect) -> bool) -> bool {
        self.upstream(i)
            .iter()
            .any(|&c| self.effects[c].iter().any(like))
    }
}

/// A service that no fault can reach never fails: its figures say nothing.
fn services_out_of_reach(sc: &Scenario, g: &Graph, out: &mut Vec<Problem>) {
    for (i, c) in sc.components.iter().enumerate() {
        if c.service.is_some() && !g.reachable_by_trouble(i) {
            out.push(
                Problem::new(
                    Path::root().field("components").index(i).field("service"),
                    format!("no fault can reach service `{}`: it never fails", c.id),
                )
                .hint("give what it depends on fault modes, or add edges to the components that have them"),
            );
        }
    }
}

/// The path of field `field` of component `i`'s fault mode `j`.
fn fault_path(i: usize, j: usize, field: &str) -> Path {
    Path::root()
        .field("components")
        .index(i)
        .field("faults")
        .index(j)
        .field(field)
}

/// A fault mode that never happens by itself and is never injected.
fn faults_that_never_happen(sc: &Scenario, out: &mut Vec<Problem>) {
    for (i, c) in sc.components.iter().enumerate() {
        for (j, f) in c.faults.iter().enumerate() {
            let injected = sc
                .inject
                .iter()
                .any(|x| x.fault == f.name && x.component.as_deref() == Some(c.id.as_str()));
            let set_off = sc.strategies.iter().any(|st| {
                (st.mitigations.iter().filter_map(|m| m.procedure()))
                    .flat_map(|p| &p.steps)
                    .filter_map(|s| s.worse.as_ref())
                    .any(|w| w.fault == f.name && w.on == c.id)
            });
            if f.every == Dist::Never && !injected && f.on_demand.is_none() && !set_off {
                out.push(
                    Problem::new(
                        fault_path(i, j, "every"),
                        format!(
                            "fault `{}` of `{}` never happens: `every: Never` and no injection",
                            f.name, c.id
                        ),
                    )
                    .hint("inject it (`inject: [(at: \"1d\", fault: ..., component: ...)]`) or give it a rate"),
                );
            }
        }
    }
}

/// A latent fault mode (or failure on demand) of a component that nothing ever calls on
/// or inspects, in the baseline or any strategy: it can never show.
fn latent_faults_never_found(sc: &Scenario, models: &[Model], out: &mut Vec<Problem>) {
    for (i, c) in sc.components.iter().enumerate() {
        let hidden = |f: &&crate::schema::FaultMode| f.latent || f.on_demand.is_some();
        let Some(j) = c.faults.iter().position(|f| hidden(&f)) else {
            continue;
        };
        let called_on = models.iter().any(|m| {
            m.comp_index(&c.id).is_some_and(|k| {
                let k = k as usize;
                !m.groups_of.row(k).is_empty()
                    || !m.standby_for.row(k).is_empty()
                    || m.inspections.iter().any(|x| x.comps.contains(&(k as u32)))
            })
        });
        if !called_on {
            let f = &c.faults[j];
            let what = if f.latent { "latent" } else { "on_demand" };
            out.push(
                Problem::new(
                    fault_path(i, j, what),
                    format!(
                        "fault `{}` of `{}` can never show: nothing calls on `{}` (no group, voter or failover) and nothing inspects it",
                        f.name, c.id, c.id
                    ),
                )
                .hint(format!(
                    "add an inspection (inspections: [(on: \"{}\", every: \"30d\")]), or make it a group member or a failover's standby",
                    c.id
                )),
            );
        }
    }
}

/// Alerts whose condition can never hold; `map` turns a path in `sc` into one in the file.
fn alerts_that_never_hold(
    sc: &Scenario,
    g: &Graph,
    map: &dyn Fn(Path) -> Path,
    out: &mut Vec<Problem>,
) {
    for (i, a) in sc.alerts.iter().enumerate() {
        let Some(&c) = g.index.get(a.on.as_str()) else {
            continue;
        };
        let why = match a.when {
            _ if !g.reachable_by_trouble(c) => Some(format!("nothing can impair `{}`", a.on)),
            Condition::Corrupt if !g.reachable_by(c, |e| matches!(e, Effect::Corrupt)) => {
                Some(format!("no `Corrupt` fault can reach `{}`", a.on))
            }
            Condition::SlowerThan(_) if !g.reachable_by(c, |e| matches!(e, Effect::Slow(_))) => {
                Some(format!("no `Slow` fault can reach `{}`", a.on))
            }
            Condition::CapacityBelow(x) if x <= 0.0 => {
                Some("a capacity is never below 0".to_string())
            }
            _ => None,
        };
        if let Some(why) = why {
            out.push(
                Problem::new(
                    map(Path::root().field("alerts").index(i).field("when")),
                    format!("this alert can never fire: {why}"),
                )
                .hint("watch a component that trouble can reach, or a condition it can show"),
            );
        }
    }
}

/// Whether strategy `st` changes nothing on purpose (a named "do nothing" option).
fn is_bare(st: &Strategy) -> bool {
    st.mitigations.is_empty()
        && st.alerts.is_empty()
        && !st.replace_alerts
        && st.inspections.is_empty()
        && st.patch.is_none()
        && st.response.is_none()
}

/// A compiled model as text, without what does not change how it simulates (names,
/// descriptions and fixed costs): two models that print alike simulate alike.
fn plain(m: &Model) -> String {
    let mut m = m.clone();
    m.strategy.clear();
    m.strategy_about.clear();
    m.cost = Default::default();
    format!("{m:?}")
}

/// Stand-ins and restarts that can never act: for a component that nothing of its own can
/// break (they act on a component's own faults), or a failover to a standby that depends on
/// the component it stands in for.
fn mitigations_that_never_act(st: &Strategy, at: &Path, g: &Graph, out: &mut Vec<Problem>) {
    for (j, mt) in st.mitigations.iter().enumerate() {
        let mp = at.field("mitigations").index(j);
        let targets: Vec<(Path, &String)> = match mt {
            Mitigation::Spare { for_, .. } | Mitigation::Restart { for_, .. } => for_
                .iter()
                .enumerate()
                .map(|(i, c)| (mp.field("for").index(i), c))
                .collect(),
            Mitigation::Failover { for_, .. } => vec![(mp.field("for"), for_)],
            _ => vec![],
        };
        for (path, id) in targets {
            if let Some(&c) = g.index.get(id.as_str())
                && g.effects[c].is_empty()
            {
                out.push(
                    Problem::new(
                        path,
                        format!("no fault of its own can bring `{id}` down, so this mitigation never acts"),
                    )
                    .hint("mitigations act on a component's own faults (and common causes that hit it), not on trouble from upstream: put it on the component whose faults cause the trouble"),
                );
            }
        }
        if let Mitigation::Failover { for_, standby, .. } = mt
            && let (Some(&c), Some(&s)) =
                (g.index.get(for_.as_str()), g.index.get(standby.as_str()))
            && g.upstream(s).contains(&c)
        {
            out.push(
                Problem::new(
                    mp.field("standby"),
                    format!(
                        "standby `{standby}` depends on `{for_}`, which it stands in for: when `{for_}` fails, so does its stand-in"
                    ),
                )
                .hint(format!("give `{standby}` dependencies of its own, or use a Spare")),
            );
        }
    }
}

/// Components a strategy adds to a group or voter whose other members a common cause all
/// hits, without being hit themselves: the strategy looks better than it would be.
fn added_beside_a_common_cause(
    base: &Scenario,
    sc: &Scenario,
    origin: &Origin,
    out: &mut Vec<Problem>,
) {
    for (i, added) in sc.components.iter().enumerate() {
        if base.components.iter().any(|c| c.id == added.id) {
            continue;
        }
        for set in &sc.components {
            let members: Vec<&String> = match (&set.group, &set.voter) {
                (Some(g), _) => g.of.iter().collect(),
                (_, Some(v)) => v.of.iter().collect(),
                _ => continue,
            };
            if !members.contains(&&added.id) {
                continue;
            }
            let siblings: Vec<&&String> = members.iter().filter(|m| **m != &added.id).collect();
            for cc in &sc.common_cause {
                let hits_all = !siblings.is_empty() && siblings.iter().all(|s| cc.hits.contains(s));
                if hits_all && !cc.hits.contains(&added.id) {
                    let path = origin.map(Path::root().field("components").index(i).field("id"));
                    out.push(
                        Problem::new(
                            path,
                            format!(
                                "`{}` joins `{}`, whose other members common cause `{}` all hits, but it does not hit `{}`",
                                added.id, set.id, cc.name, added.id
                            ),
                        )
                        .hint(format!(
                            "if it would hit the new one too, say so: patch: (common_cause: [(name: \"{}\", hits: [...]) ])",
                            cc.name
                        )),
                    );
                }
            }
        }
    }
}
