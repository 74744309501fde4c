//! Strategies: a scenario patched by a strategy, and the way back from a problem in the
//! patched scenario to the place in the file that caused it.

use crate::diagnostics::Problem;
use crate::duration::Duration;
use crate::schema::{
    CommonCause, CommonCausePatch, Coordination, Dist, RepairStarts, Response, Scenario, Strategy,
};
use crate::span::{Path, Step};
use std::collections::HashMap;

/// Checks what is the strategy's own rather than the scenario's: its name (unique among
/// `names`, the strategies before it) and its cost.
pub(super) fn check_name_and_cost<'a>(
    st: &'a Strategy,
    k: usize,
    names: &mut HashMap<&'a str, usize>,
    problems: &mut Vec<Problem>,
) {
    let sp = Path::root().field("strategies").index(k);
    if st.name.trim().is_empty() || st.name == "baseline" {
        problems.push(
            Problem::new(
                sp.field("name"),
                format!("`{}` cannot name a strategy", st.name),
            )
            .hint("\"baseline\" is the scenario as written; pick another name"),
        );
    } else if names.insert(&st.name, k).is_some() {
        problems.push(Problem::new(
            sp.field("name"),
            format!("duplicate strategy name `{}`", st.name),
        ));
    }
    if !(st.cost.is_finite() && (0.0..=1e12).contains(&st.cost)) {
        problems.push(Problem::new(
            sp.field("cost"),
            format!(
                "a strategy's cost must be a number within 0..=1e12, not {}",
                st.cost
            ),
        ));
    }
}

/// A strategy's patch entry for a common cause: where it is, and the fields it sets.
type PatchEntry = (Path, Vec<&'static str>);

/// Where each part of a patched scenario came from, to report problems at the strategy.
pub(super) struct Origin {
    /// Per component of the patched scenario: its path in the file, when the strategy
    /// put it there (`None`: the scenario's own, at the same index).
    components: Vec<Option<Path>>,
    /// Per edge.
    edges: Vec<Option<Path>>,
    /// Per alert.
    alerts: Vec<Option<Path>>,
    /// Per inspection.
    inspections: Vec<Option<Path>>,
    /// Per common cause of the patched scenario: where it is defined in the file, and the
    /// strategy's patch entry with the fields it sets, if the strategy changed it.
    common: Vec<(Path, Option<PatchEntry>)>,
    /// Response fields the strategy overrides.
    response: Vec<&'static str>,
    /// The strategy's path.
    strategy: Path,
}

/// The scenario as strategy `k` changes it; problems with the change itself (a common
/// cause removed that does not exist) go to `problems`.
pub(super) fn apply_strategy(
    sc: &Scenario,
    k: usize,
    problems: &mut Vec<Problem>,
) -> (Scenario, Origin) {
    let st = &sc.strategies[k];
    let sp = Path::root().field("strategies").index(k);
    let mut out = sc.clone();
    out.strategies.clear();
    let mut origin = Origin {
        components: vec![None; sc.components.len()],
        edges: vec![None; sc.edges.len()],
        alerts: vec![None; sc.alerts.len()],
        inspections: vec![None; sc.inspections.len()],
        common: (0..sc.common_cause.len())
            .map(|i| (Path::root().field("common_cause").index(i), None))
            .collect(),
        response: vec![],
        strategy: sp.clone(),
    };
    if let Some(patch) = &st.patch {
        for (j, c) in patch.components.iter().enumerate() {
            let path = sp.field("patch").field("components").index(j);
            match out.components.iter().position(|x| x.id == c.id) {
                Some(i) => {
                    out.components[i] = c.clone();
                    origin.components[i] = Some(path);
                }
                None => {
                    out.components.push(c.clone());
                    origin.components.push(Some(path));
                }
            }
        }
        for (j, e) in patch.edges.iter().enumerate() {
            out.edges.push(e.clone());
            origin
                .edges
                .push(Some(sp.field("patch").field("edges").index(j)));
        }
        let at = sp.field("patch").field("common_cause");
        for (j, cp) in patch.common_cause.iter().enumerate() {
            patch_common_cause(&mut out, &mut origin, cp, at.index(j), problems);
        }
    }
    if st.replace_alerts {
        out.alerts.clear();
        origin.alerts.clear();
    }
    for (j, a) in st.alerts.iter().enumerate() {
        out.alerts.push(a.clone());
        origin.alerts.push(Some(sp.field("alerts").index(j)));
    }
    for (j, a) in st.inspections.iter().enumerate() {
        out.inspections.push(a.clone());
        origin
            .inspections
            .push(Some(sp.field("inspections").index(j)));
    }
    if let Some(rp) = &st.response {
        let r = out.response.get_or_insert(Response {
            oncall: 1,
            acknowledge: Dist::Fixed(Duration(0.0)),
            diagnose: Dist::Fixed(Duration(0.0)),
            runbook: 1.0,
            customer_report: Dist::Never,
            shift: None,
            notes: true,
            handoff: Dist::Fixed(Duration(0.0)),
            repair_starts: RepairStarts::Activation,
            fatigue: None,
            rotate: None,
            join: 1,
            commander: false,
            record: false,
            coordination: Coordination::default(),
        });
        macro_rules! take {
            ($f:ident) => {
                if let Some(v) = rp.$f {
                    r.$f = v;
                    origin.response.push(stringify!($f));
                }
            };
        }
        take!(oncall);
        take!(acknowledge);
        take!(diagnose);
        take!(runbook);
        take!(customer_report);
        take!(notes);
        take!(handoff);
        take!(repair_starts);
        take!(join);
        take!(commander);
        take!(record);
        take!(coordination);
        if let Some(v) = rp.shift {
            r.shift = Some(v);
            origin.response.push("shift");
        }
        if let Some(v) = rp.rotate {
            r.rotate = Some(v);
            origin.response.push("rotate");
        }
        if let Some(v) = rp.fatigue {
            r.fatigue = Some(v);
            origin.response.push("fatigue");
        }
    }
    (out, origin)
}

/// Applies one common-cause patch entry (at `at` in the file) to `out`.
fn patch_common_cause(
    out: &mut Scenario,
    origin: &mut Origin,
    cp: &CommonCausePatch,
    at: Path,
    problems: &mut Vec<Problem>,
) {
    let fields = cp.fields();
    let existing = out.common_cause.iter().position(|c| c.name == cp.name);
    match (existing, cp.remove) {
        (Some(i), true) => {
            if let Some(f) = fields.first() {
                problems.push(
                    Problem::new(
                        at.field(f),
                        "a common cause that is removed takes no other field",
                    )
                    .hint("drop `remove: true` to change it, or the other fields to remove it"),
                );
            }
            out.common_cause.remove(i);
            origin.common.remove(i);
        }
        (Some(i), false) => {
            let c = &mut out.common_cause[i];
            if let Some(v) = &cp.hits {
                c.hits = v.clone();
            }
            if let Some(v) = cp.every {
                c.every = v;
            }
            if let Some(v) = &cp.effect {
                c.effect = *v;
            }
            if let Some(v) = cp.activation {
                c.activation = Some(v);
            }
            if let Some(v) = cp.repair {
                c.repair = v;
            }
            if let Some(v) = cp.latent {
                c.latent = v;
            }
            origin.common[i].1 = Some((at, fields));
        }
        (None, true) => {
            let names: Vec<&str> = out.common_cause.iter().map(|c| c.name.as_str()).collect();
            problems.push(
                Problem::new(
                    at.field("name"),
                    format!("no common cause named `{}` to remove", cp.name),
                )
                .hint(if names.is_empty() {
                    "the scenario has no common causes".to_string()
                } else {
                    format!("the scenario has: {}", names.join(", "))
                }),
            );
        }
        (None, false) => match (&cp.hits, &cp.effect) {
            (Some(hits), Some(effect)) => {
                out.common_cause.push(CommonCause {
                    name: cp.name.clone(),
                    hits: hits.clone(),
                    every: cp.every.unwrap_or_default(),
                    effect: *effect,
                    activation: cp.activation,
                    repair: cp.repair.unwrap_or_default(),
                    latent: cp.latent.unwrap_or(false),
                });
                origin.common.push((at, None));
            }
            _ => {
                let names: Vec<&str> = out.common_cause.iter().map(|c| c.name.as_str()).collect();
                problems.push(
                    Problem::new(
                        at.field("name"),
                        format!(
                            "`{}` is not a common cause of the scenario, and a new one needs `hits` and `effect`",
                            cp.name
                        ),
                    )
                    .hint(if names.is_empty() {
                        "the scenario has no common causes to change".to_string()
                    } else {
                        format!("to change one, name it: {}", names.join(", "))
                    }),
                );
            }
        },
    }
}

impl Origin {
    /// Rewrites a path in the patched scenario into a path in the file.
    pub(super) fn map(&self, p: Path) -> Path {
        let steps = &p.0;
        let rest = |n: usize| steps[n..].to_vec();
        let join =
            |base: &Path, tail: Vec<Step>| Path(base.0.iter().cloned().chain(tail).collect());
        // Where the strategy put the component, edge or alert (the scenario's own are where
        // the path says).
        let placed = match (steps.first(), steps.get(1)) {
            (Some(Step::Field(f)), Some(Step::Index(i))) => match f.as_str() {
                "components" => self.components.get(*i),
                "edges" => self.edges.get(*i),
                "alerts" => self.alerts.get(*i),
                "inspections" => self.inspections.get(*i),
                _ => None,
            },
            _ => None,
        };
        if let Some(Some(base)) = placed {
            return join(base, rest(2));
        }
        if let (Some(Step::Field(f)), Some(Step::Index(i))) = (steps.first(), steps.get(1))
            && f == "common_cause"
            && let Some((base, patched)) = self.common.get(*i)
        {
            // A field the strategy set is at its patch entry; the rest where it was defined.
            let set_by_patch = match (patched, steps.get(2)) {
                (Some((_, fields)), Some(Step::Field(g))) => fields.contains(&g.as_str()),
                (Some(_), None) => true,
                _ => false,
            };
            return match patched {
                Some((entry, _)) if set_by_patch => join(entry, rest(2)),
                _ => join(base, rest(2)),
            };
        }
        match (steps.first(), steps.get(1)) {
            (Some(Step::Field(f)), Some(Step::Field(g)))
                if f == "response" && self.response.contains(&g.as_str()) =>
            {
                join(&self.strategy.field("response"), rest(1))
            }
            _ => p,
        }
    }
}

/// Who answers for a problem found in the scenario as strategy `k` changes it: a problem at
/// the strategy's own text stays where it is; one the scenario has without the strategy was
/// reported for the baseline already (`None`); anything else is a problem the strategy
/// causes elsewhere (a patch that removes the only service, drops a queue that an edge
/// still feeds, closes a zero-delay cycle), reported at the strategy and naming where it
/// shows, so that no strategy is ever dropped in silence.
pub(super) fn attribute(
    p: Problem,
    k: usize,
    st: &Strategy,
    baseline: Option<&Vec<Problem>>,
) -> Option<Problem> {
    if p.path.0.first() == Some(&Step::Field("strategies".into())) {
        return Some(p);
    }
    if baseline.is_some_and(|b| b.contains(&p)) {
        return None;
    }
    let at = if p.path.0.is_empty() {
        String::new()
    } else {
        format!(" (at {})", p.path)
    };
    let mut out = Problem::new(
        Path::root().field("strategies").index(k).field("name"),
        format!(
            "strategy `{}` makes the scenario invalid{at}: {}",
            st.name, p.message
        ),
    );
    out.hint = p.hint;
    Some(out)
}
