//! The checks: everything ron cannot know about a parsed scenario, each problem located by
//! its path. Problems are reported in the order of the checks below, which the diagnostics
//! tests pin.

mod at;
mod common;
mod component;
mod cycle;
mod edge;
mod inspect;
mod mitigation;
mod names;
mod phase;
mod queue;
mod response;
mod settings;
mod values;

pub(in crate::validate) use component::feeders;
pub(in crate::validate) use names::Ids;

use at::At;
use names::Repeats;
use values::DistUse;

use crate::diagnostics::Problem;
use crate::schema::{self, Scenario, Strategy};

/// Collects problems while checking.
pub(in crate::validate) struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    /// Reports `p`.
    pub(in crate::validate) fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// Reports `msg` at `path`, with no hint.
    pub(in crate::validate) fn err(&mut self, path: At<'_>, msg: impl Into<String>) {
        self.push(Problem::new(path, msg));
    }
}

/// What lowering needs from a scenario that passed every check.
pub(in crate::validate) struct Checked<'a> {
    /// The component ids.
    pub(in crate::validate) ids: Ids<'a>,
    /// The edges between known, distinct components, in file order.
    pub(in crate::validate) edges: Vec<(u32, u32, &'a schema::Edge)>,
    /// Each component's rank in the zero-delay dependency order.
    pub(in crate::validate) ranks: Vec<u32>,
}

/// Checks one variant of a scenario (the baseline, or strategy `k` applied, whose
/// mitigations are checked too); `arena` is [`Ids::arena`]`(sc)`.
pub(in crate::validate) fn check<'a>(
    sc: &'a Scenario,
    strategy: Option<(usize, &Strategy)>,
    arena: &'a str,
) -> Result<Checked<'a>, Vec<Problem>> {
    let mut ck = Checker { problems: vec![] };
    settings::check_settings(&mut ck, sc);
    settings::check_plain_names(&mut ck, sc);
    // Ids first, so later checks can resolve references.
    let ids = Ids::collect(&mut ck, sc, arena);
    component::check_components(&mut ck, sc, &ids);
    queue::check_queues(&mut ck, sc);
    component::check_some_service(&mut ck, sc);
    let edges = edge::check_edges(&mut ck, sc, &ids);
    let cc_names = common::check_common_causes(&mut ck, sc, &ids);
    common::check_injections(&mut ck, sc, &ids, &cc_names);
    settings::check_cost(&mut ck, sc);
    response::check_alerts(&mut ck, sc, &ids);
    response::check_response(&mut ck, sc);
    inspect::check_inspections(&mut ck, sc, &ids);
    phase::check_phases(&mut ck, sc, &ids);
    if let Some((k, st)) = strategy {
        mitigation::check_mitigations(&mut ck, sc, &ids, k, st);
    }
    if !ck.problems.is_empty() {
        return Err(ck.problems);
    }
    // Only a scenario whose references all resolve has a dependency graph to rank.
    let ranks = cycle::rank(sc, &ids, &edges).map_err(|p| vec![p])?;
    Ok(Checked { ids, edges, ranks })
}
