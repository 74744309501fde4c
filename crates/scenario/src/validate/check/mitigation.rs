//! A strategy's mitigations. What each kind becomes in the model is in
//! `lower::mitigation`, next to its trigger.

use super::common::known_fault_mode;
use super::{At, Checker, DistUse, Ids};
use crate::diagnostics::Problem;
use crate::schema::{Mitigation, Procedure, Scenario, Strategy, Trigger};

/// Checks the mitigations of strategy `k`, `st`, in the scenario it patched.
pub(super) fn check_mitigations(
    ck: &mut Checker,
    sc: &Scenario,
    ids: &Ids,
    k: usize,
    st: &Strategy,
) {
    let sp = At::ROOT.field("strategies").index(k);
    for (j, mt) in st.mitigations.iter().enumerate() {
        let p = sp.field("mitigations").index(j);
        Check { ck, ids, sc, p }.mitigation(mt);
        if sc.response.is_none() && mt.trigger() == Trigger::Manual {
            // A redesign has no trigger to automate: the people who diagnosed it start it.
            let hint = if matches!(mt, Mitigation::Redesign { .. }) {
                "add a `response` block: a redesign is started by the responders who diagnosed the problem"
            } else {
                "add a `response` block, or make it automated with trigger: Auto(\"1m\")"
            };
            ck.push(
                Problem::new(
                    p,
                    "a manual mitigation needs responders, and there is no response team",
                )
                .hint(hint),
            );
        }
    }
}

/// One mitigation being checked, at `p`.
struct Check<'c, 'a, 'p> {
    ck: &'c mut Checker,
    ids: &'c Ids<'a>,
    sc: &'c Scenario,
    p: At<'p>,
}

impl Check<'_, '_, '_> {
    /// Checks one mitigation, whatever its kind.
    fn mitigation(&mut self, m: &Mitigation) {
        let p = self.p;
        if let Trigger::Auto(d) = m.trigger() {
            self.ck
                .non_negative(d, p.field("trigger").index(0), "an automation delay");
            if m.hands_on() {
                self.ck.push(
                    Problem::new(
                        p.field("hands_on"),
                        "an automated mitigation has no responder to keep busy",
                    )
                    .hint(
                        "hands_on: true is for a mitigation people apply by hand (trigger: Manual)",
                    ),
                );
            }
        }
        if let Some(proc) = m.procedure() {
            self.procedure(proc, p.field("procedure"));
        }
        match m {
            Mitigation::Spare {
                for_,
                deploy,
                capacity,
                stock,
                fails,
                dormant,
                per_use,
                ..
            } => {
                self.targets(for_, "a spare must stand in for at least one component");
                self.ck.dist(deploy, p.field("deploy"), DistUse::Repair);
                self.ck.dist(fails, p.field("fails"), DistUse::Repair);
                self.spare_units(*capacity, *stock, *dormant);
                self.money(*per_use, p.field("per_use"));
            }
            Mitigation::Failover {
                for_,
                standby,
                delay,
                per_use,
                ..
            } => {
                self.ids.resolve(self.ck, for_, p.field("for"));
                self.ids.resolve(self.ck, standby, p.field("standby"));
                if for_ == standby {
                    self.ck
                        .err(p.field("standby"), "a component cannot fail over to itself");
                }
                self.ck.dist(delay, p.field("delay"), DistUse::Repair);
                self.money(*per_use, p.field("per_use"));
            }
            Mitigation::Restart {
                for_,
                takes,
                works,
                per_use,
                ..
            } => {
                self.targets(for_, "a restart must apply to at least one component");
                self.ck.dist(takes, p.field("takes"), DistUse::Repair);
                self.ck
                    .fraction(*works, p.field("works"), "a success probability");
                self.money(*per_use, p.field("per_use"));
            }
            Mitigation::Shed {
                for_,
                rate,
                above,
                delay,
                per_use,
                per_drop,
                ..
            } => {
                self.queue(for_, p.field("for"));
                self.shed_limits(*rate, *above);
                self.ck.dist(delay, p.field("delay"), DistUse::Repair);
                self.money(*per_use, p.field("per_use"));
                self.money(*per_drop, p.field("per_drop"));
            }
            Mitigation::RateLimit {
                for_,
                rate,
                delay,
                per_use,
                ..
            } => {
                self.queue(for_, p.field("for"));
                if !(rate.is_finite() && *rate > 0.0) {
                    self.ck.err(
                        p.field("rate"),
                        format!("a rate limit must be positive, not {rate}"),
                    );
                }
                self.ck.dist(delay, p.field("delay"), DistUse::Repair);
                self.money(*per_use, p.field("per_use"));
            }
            Mitigation::CircuitBreaker {
                for_,
                below,
                slower_than,
            } => {
                self.queue(for_, p.field("for"));
                self.breaker_thresholds(*below, *slower_than);
            }
            Mitigation::AddWorkers {
                for_,
                workers,
                delay,
                per_use,
                ..
            } => {
                self.queue(for_, p.field("for"));
                if *workers == 0 {
                    self.ck.err(p.field("workers"), "add at least one worker");
                }
                self.ck.dist(delay, p.field("delay"), DistUse::Repair);
                self.money(*per_use, p.field("per_use"));
            }
            Mitigation::Redesign {
                for_,
                takes,
                per_use,
            } => {
                self.queue(for_, p.field("for"));
                self.ck.dist(takes, p.field("takes"), DistUse::Repair);
                self.money(*per_use, p.field("per_use"));
            }
        }
    }

    /// A procedure's steps: each named, its time a distribution, its chances
    /// probabilities, the fault a wrong step sets off a fault mode that exists.
    fn procedure(&mut self, proc: &Procedure, p: At<'_>) {
        if proc.steps.is_empty() {
            self.ck.push(
                Problem::new(p.field("steps"), "a procedure needs at least one step").hint(
                    "steps: [(name: \"promote the standby\", takes: Exp(mean: \"2m\"), skip: 0.01)]",
                ),
            );
        }
        for (i, st) in proc.steps.iter().enumerate() {
            let sp = p.field("steps").index(i);
            if st.name.trim().is_empty() {
                self.ck
                    .err(sp.field("name"), "a step needs a name (traces quote it)");
            }
            self.ck.dist(&st.takes, sp.field("takes"), DistUse::Repair);
            self.ck
                .fraction(st.skip, sp.field("skip"), "a chance of skipping a step");
            self.ck.fraction(
                st.wrong,
                sp.field("wrong"),
                "a chance of doing a step wrong",
            );
            if let Some(w) = &st.worse {
                let at = (
                    sp.field("worse").field("on"),
                    sp.field("worse").field("fault"),
                );
                known_fault_mode(self.ck, self.sc, self.ids, &w.on, &w.fault, at);
                if st.wrong == 0.0 {
                    self.ck.push(
                        Problem::new(
                            sp.field("worse"),
                            "this step is never done wrong, so `worse` can never happen",
                        )
                        .hint("give the step a chance of being done wrong, e.g. wrong: 0.01"),
                    );
                }
            }
        }
        if !(proc.checklist > 0.0 && proc.checklist <= 1.0) {
            self.ck.push(
                Problem::new(
                    p.field("checklist"),
                    format!("a checklist factor is in (0, 1], not {}", proc.checklist),
                )
                .hint("checklist: 0.25 makes every step a quarter as likely to be skipped; 1 is no checklist"),
            );
        }
        self.ck
            .dist(&proc.notice, p.field("notice"), DistUse::Repair);
    }

    /// A mitigation's `for` list: at least one component, every one known.
    fn targets(&mut self, list: &[String], empty: &str) {
        if list.is_empty() {
            self.ck.err(self.p.field("for"), empty);
        }
        for (i, id) in list.iter().enumerate() {
            self.ids.resolve(self.ck, id, self.p.field("for").index(i));
        }
    }

    /// A known component that is a queue.
    fn queue(&mut self, id: &str, path: At<'_>) {
        if let Some(c) = self.ids.resolve(self.ck, id, path)
            && self.sc.components[c as usize].queue.is_none()
        {
            self.ck.err(path, format!("`{id}` is not a queue"));
        }
    }

    /// A cost.
    fn money(&mut self, x: f64, path: At<'_>) {
        self.ck.within(x, (0.0, 1e12), path, "a cost");
    }

    /// A spare's capacity, stock and dormant failure rate.
    fn spare_units(&mut self, capacity: f64, stock: u32, dormant: f64) {
        let p = self.p;
        if !(capacity > 0.0 && capacity <= 1.0) {
            self.ck.err(
                p.field("capacity"),
                format!("a spare's capacity is a share in (0, 1], not {capacity}"),
            );
        }
        if stock == 0 {
            self.ck
                .err(p.field("stock"), "a spare needs at least one unit in stock");
        }
        if !(0.0..=1.0).contains(&dormant) {
            self.ck.push(
                Problem::new(p.field("dormant"), format!("dormant is a failure-rate factor in [0, 1], not {dormant}"))
                    .hint("0: a cold spare never fails while waiting; 1: a hot spare fails as if in service"),
            );
        }
    }

    /// What Shed does: spoon-feed at `rate`, drop `above` a length, or both.
    fn shed_limits(&mut self, rate: Option<f64>, above: Option<u64>) {
        let p = self.p;
        if rate.is_none() && above.is_none() {
            self.ck.push(
                Problem::new(p, "Shed needs `rate` (spoon-feed parked jobs) or `above` (drop beyond a length)")
                    .hint("Shed(for: \"jobs\", rate: 5.0) pulls the backlog and feeds back 5 jobs a second"),
            );
        }
        if let Some(r) = rate
            && !(r.is_finite() && r > 0.0)
        {
            self.ck.err(
                p.field("rate"),
                format!("a spoon-feeding rate must be positive, not {r}"),
            );
        }
        if above == Some(0) {
            self.ck
                .err(p.field("above"), "a drop threshold must be at least 1");
        }
    }

    /// When a circuit breaker opens.
    fn breaker_thresholds(&mut self, below: f64, slower_than: Option<f64>) {
        let p = self.p;
        if !(below > 0.0 && below <= 1.0) {
            self.ck.err(
                p.field("below"),
                format!("a breaker threshold is in (0, 1], not {below}"),
            );
        }
        if let Some(f) = slower_than
            && !(f > 1.0 && f.is_finite())
        {
            self.ck.err(
                p.field("slower_than"),
                format!(
                    "a breaker's latency factor is above 1 (normal speed), not {f}: at or below 1 it would never close"
                ),
            );
        }
    }
}
