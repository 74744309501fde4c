//! Alerts, the response team and the cost model.

use super::sampler;
use crate::schema::{Condition, RepairStarts, Scenario, Strategy};
use crate::validate::check::Ids;
use faultline_core::model::{
    self, AlertSpec, CoordinationSpec, CostModel, Csr, FatigueSpec, ResponseSpec,
};

/// The alerts, in file order.
pub(super) fn alerts(sc: &Scenario, ids: &Ids) -> Vec<AlertSpec> {
    sc.alerts
        .iter()
        .map(|a| AlertSpec {
            comp: ids[a.on.as_str()],
            when: condition(a.when),
            after: a.after.secs(),
        })
        .collect()
}

/// Per component, the alerts watching it.
pub(super) fn alerts_of(n: usize, alerts: &[AlertSpec]) -> Csr {
    Csr::from_pairs(
        n,
        &alerts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.comp, i as u32))
            .collect::<Vec<_>>(),
    )
}

/// An alert's condition as the engine checks it.
fn condition(c: Condition) -> model::Condition {
    match c {
        Condition::Failed => model::Condition::Failed,
        Condition::CapacityBelow(x) => model::Condition::CapacityBelow(x),
        Condition::SlowerThan(x) => model::Condition::SlowerThan(x),
        Condition::QueueAbove(n) => model::Condition::QueueAbove(n),
        Condition::Corrupt => model::Condition::Corrupt,
        Condition::Burn {
            factor,
            long,
            short,
        } => model::Condition::Burn(model::Burn {
            factor,
            long: long.secs(),
            short: short.secs(),
        }),
    }
}

/// The response team, if there is one.
pub(super) fn response(sc: &Scenario) -> Option<ResponseSpec> {
    sc.response.as_ref().map(|r| ResponseSpec {
        oncall: r.oncall,
        acknowledge: sampler(&r.acknowledge),
        diagnose: sampler(&r.diagnose),
        runbook: r.runbook,
        customer_report: sampler(&r.customer_report),
        shift: r.shift.map_or(f64::INFINITY, |d| d.secs()),
        notes: r.notes,
        handoff: sampler(&r.handoff),
        repair_on_diagnosis: r.repair_starts == RepairStarts::Diagnosis,
        fatigue: r.fatigue.map(|f| FatigueSpec {
            fresh: f.fresh.secs(),
            per_hour: f.per_hour,
            per_day: f.per_day,
            per_page: f.per_page,
            rest: f.rest.secs(),
            max: f.max,
        }),
        rotate: r.rotate.map_or(f64::INFINITY, |d| d.secs()),
        join: r.join,
        commander: r.commander,
        record: r.record,
        coordination: CoordinationSpec {
            serial: r.coordination.serial,
            per_channel: r.coordination.per_channel,
            record_cuts: r.coordination.record_cuts,
        },
        student: None,
    })
}

/// The cost rates, with the strategy's fixed cost.
pub(super) fn cost(sc: &Scenario, strategy: Option<&Strategy>) -> CostModel {
    CostModel {
        outage_per_minute: sc.cost.outage_per_minute,
        degraded_per_minute: sc.cost.degraded_per_minute,
        per_user_minute: sc.cost.per_user_minute,
        responder_hour: sc.cost.responder_hour,
        fixed: strategy.map_or(0.0, |s| s.cost),
        per_lost_job: sc.cost.per_lost_job,
    }
}
