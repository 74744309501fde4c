//! Operating phases: the phase list, each fault clock's rate multiplier in each phase,
//! and the components idle in each.

use super::super::check::Ids;
use crate::schema::Scenario;
use faultline_core::model::{Csr, NONE, Phase, Phases, Slot, Source};

/// The compiled phases of `sc` (`None` without any), for its `slots` and `commons` common
/// causes: clock `k` is slot `k`, then one clock per common cause.
pub(super) fn phases(
    sc: &Scenario,
    ids: &Ids<'_>,
    slots: &[Slot],
    commons: usize,
) -> Option<Phases> {
    let decl = sc.phases.as_ref()?;
    let index_of = |name: &str| {
        (decl.list.iter())
            .position(|p| p.name == name)
            .map_or(NONE, |k| k as u32)
    };
    let list = (decl.list.iter())
        .map(|p| Phase {
            name: p.name.clone(),
            lasts: p.lasts.secs(),
            load: p.load,
            response: p.response,
            abort_to: p.abort_to.as_deref().map_or(NONE, index_of),
        })
        .collect();
    let n = decl.list.len();
    let mut mult = Vec::with_capacity((slots.len() + commons) * n);
    for s in slots {
        for p in &decl.list {
            let own = (p.rates.iter().rev())
                .find(|(id, _)| s.source == Source::Own && ids[id.as_str()] == s.comp)
                .map(|&(_, m)| m);
            mult.push(own.unwrap_or(p.faults));
        }
    }
    for _ in 0..commons {
        mult.extend(decl.list.iter().map(|p| p.faults));
    }
    let pairs: Vec<(u32, u32)> = (decl.list.iter().enumerate())
        .flat_map(|(k, p)| p.idle.iter().map(move |id| (k as u32, ids[id.as_str()])))
        .collect();
    let idle = Csr::from_pairs(n, &pairs);
    Some(Phases::new(decl.cycle, list, mult, idle))
}
