//! Lowering: the flat [`Model`] the engine runs, built from a scenario that passed every
//! check (so every id resolves and every distribution samples). Slot, edge, queue and
//! mitigation order, and every random-stream key, decide what a simulation draws: they
//! must not change for the same scenario.

mod edges;
mod faults;
mod mitigation;
mod phase;
mod queue;
mod response;

use super::DEFAULT_MAX_EVENTS;
use super::check::Checked;
use crate::schema::{Dist, Scenario, Strategy};
use faultline_core::model::{Csr, Model, Sampler};

/// Builds the flat model from a scenario already known to be valid (`checked` is what its
/// checks found) and the strategy applied to it, if any.
pub(in crate::validate) fn build(
    sc: &Scenario,
    strategy: Option<&Strategy>,
    checked: Checked<'_>,
) -> Model {
    let Checked { ids, edges, ranks } = checked;
    let n = sc.components.len();
    let (mut slots, mut comps) = faults::components(sc, &ids);
    let (common, cc_index) = faults::common_causes(sc, &ids, &mut slots);
    let comp_slots = Csr::from_pairs(
        n,
        &slots
            .iter()
            .enumerate()
            .map(|(k, s)| (s.comp, k as u32))
            .collect::<Vec<_>>(),
    );
    let lowered = edges::edges(&edges);
    let (inputs, dependents) = edges::inputs_and_dependents(n, &lowered.edges);
    let (members, groups_of) = edges::members_and_groups(sc, &ids);
    let load = edges::load_sharing(&lowered.load_pairs, &mut comps);
    let injections = faults::injections(sc, &ids, &comps, &common, &cc_index);
    let inspections = faults::inspections(sc, &ids, &comps, &members);
    let queues = queue::queues(sc, &lowered.feed_pairs, &mut comps);
    let alerts = response::alerts(sc, &ids);
    let slot_of = |comp: &str, fault: &str| {
        let ci = ids[comp] as usize;
        let k = (sc.components[ci].faults.iter())
            .position(|f| f.name == fault)
            .expect("checked");
        comps[ci].slots.start + k as u32
    };
    let (mitigations, spare_units) = mitigation::mitigations(strategy, &ids, &slot_of);
    let phases = phase::phases(sc, &ids, &slots, common.len());

    let mut model = Model {
        name: sc.name.clone(),
        about: sc.about.clone(),
        horizon: sc.horizon.secs(),
        runs: sc.runs,
        seed: sc.seed,
        max_events: sc.max_events.unwrap_or(DEFAULT_MAX_EVENTS),
        rank: ranks,
        services: (0..n as u32)
            .filter(|&i| comps[i as usize].service.is_some())
            .collect(),
        comps,
        slots,
        comp_slots,
        edges: lowered.edges,
        members,
        groups_of,
        load_takes: load.takes,
        load_takers: load.takers,
        clusters: load.clusters,
        common,
        injections,
        random_edges: lowered.random_edges,
        cost: response::cost(sc, strategy),
        strategy: strategy.map_or_else(|| "baseline".to_string(), |s| s.name.clone()),
        strategy_about: strategy.map_or_else(String::new, |s| s.about.clone()),
        alerts_of: response::alerts_of(n, &alerts),
        alerts,
        response: response::response(sc),
        mitigations_of: mitigation::mitigations_of(n, &mitigations),
        standby_for: mitigation::standby_for(n, &mitigations),
        spare_units,
        mitigations,
        queues,
        inspections,
        watch: vec![],
        demands: false,
        nodes: vec![],
        links: vec![],
        dependents: vec![],
        slow: vec![],
        phases,
    };
    model.lay_out(&inputs, &dependents);
    model
}

/// A checked distribution, ready to sample.
fn sampler(d: &Dist) -> Sampler {
    match *d {
        Dist::Exp { mean } => Sampler::exp(mean.secs()),
        Dist::Weibull { shape, scale } => Sampler::weibull(shape, scale.secs()),
        Dist::LogNormal { median, sigma } => Sampler::lognormal(median.secs(), sigma),
        Dist::Uniform(lo, hi) => Sampler::uniform(lo.secs(), hi.secs()),
        Dist::Fixed(d) | Dist::At(d) => Some(Sampler::Fixed(d.secs())),
        Dist::Never => Some(Sampler::Never),
    }
    .expect("checked")
}
