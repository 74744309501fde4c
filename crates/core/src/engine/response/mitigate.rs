//! Mitigations: fix the failure, not the fault.
//!
//! A `Spare` stands in for a failed component after its deploy time, at a share of its
//! capacity; a `Failover` replaces the component's output with a standby's; a `Restart`
//! clears its faults with some probability; load mitigations (shedding, rate limits, more
//! workers, a redesign) act on a queue. Automated ones fire once a component has been
//! impaired for a while, with no human; a stand-in is withdrawn when the component's own
//! faults are repaired.

use super::{UNIT_AVAILABLE, UNIT_DEPLOYED, UNIT_DEPLOYING, UNIT_FAILED};
use crate::engine::event::ResponseEvent;
use crate::engine::faults::ACTIVE;
use crate::engine::propagation::{Class, Health};
use crate::engine::{Note, Observer, Sim};
use crate::model::{MitigationKind, NONE};
use rand::Rng;

impl Sim<'_> {
    pub(super) fn schedule_dormant_failure(&mut self, mit: u32, unit: u32) {
        if let MitigationKind::Spare { fails, dormant, .. } = self.m.mitigations[mit as usize].kind
            && dormant > 0.0
        {
            let t = fails.sample(&mut self.rs.mit_rng[mit as usize]) / dormant;
            let generation = self.rs.unit_gen[unit as usize];
            self.schedule(self.now + t, ResponseEvent::SpareFails { unit, generation });
        }
    }

    /// Whether mitigation `mit` can act on component `c` now: a stand-in replaces a
    /// component broken by its own faults; a load mitigation acts on an impaired queue once.
    pub(super) fn can_mitigate(&self, mit: u32, c: usize) -> bool {
        if is_load(&self.m.mitigations[mit as usize].kind) {
            !self.rs.mit_busy[mit as usize] && self.class(c) != Class::Healthy
        } else {
            self.own_impaired(c) && self.rs.mitigating[c] == NONE
        }
    }

    /// A load mitigation finished its work (a parking lot fed back): it can act again.
    pub(crate) fn mitigation_done<O: Observer>(&mut self, comp: usize, mit: u32, obs: &mut O) {
        if mit == NONE {
            return;
        }
        self.rs.mit_busy[mit as usize] = false;
        self.unhold(mit, comp, obs);
        // A tool that is free again while the queue is still in trouble goes again.
        if let Some(after) = self.m.mitigations[mit as usize].auto
            && self.class(comp) != Class::Healthy
        {
            let generation = self.rs.auto_gen[comp];
            self.schedule(
                self.now + after,
                ResponseEvent::Auto {
                    mitigation: mit,
                    comp: comp as u32,
                    generation,
                },
            );
        }
    }

    /// Whether component `i`'s own faults are active (what a stand-in replaces).
    pub(super) fn own_impaired(&self, i: usize) -> bool {
        self.st_active(i)
    }

    pub(super) fn withdraw<O: Observer>(&mut self, comp: usize, obs: &mut O) {
        let mit = self.rs.standin[comp];
        obs.note(
            self.now,
            Note::Withdrawn {
                mitigation: mit,
                comp: comp as u32,
            },
        );
        self.rs.standin[comp] = NONE;
        self.rs.mitigating[comp] = NONE;
        let unit = self.rs.standin_unit[comp];
        if unit != NONE {
            self.rs.standin_unit[comp] = NONE;
            self.rs.unit_state[unit as usize] = UNIT_AVAILABLE;
            self.rs.unit_comp[unit as usize] = NONE;
            self.rs.unit_gen[unit as usize] += 1;
            self.schedule_dormant_failure(mit, unit);
        }
        self.mark(comp as u32);
    }

    /// The stand-in output for component `i`, if a mitigation is in place, and whether it
    /// replaces the component's output outright (a failover) or only makes up for its faults.
    pub(crate) fn standin_health(&self, i: usize) -> Option<(Health, bool)> {
        let mit = self.rs.standin[i];
        if mit == NONE {
            return None;
        }
        match self.m.mitigations[mit as usize].kind {
            MitigationKind::Spare { capacity, .. } => {
                Some((Health::nominal(capacity * self.m.comps[i].capacity), false))
            }
            MitigationKind::Failover { standby, .. } => Some((self.out(standby as usize), true)),
            _ => None,
        }
    }

    /// After a component's committed class changed: alerts and automated mitigations.
    pub(crate) fn on_class_change(&mut self, i: usize, now_healthy: bool) {
        let m = self.m;
        for &mit in m.mitigations_of.row(i) {
            if let Some(after) = m.mitigations[mit as usize].auto {
                if now_healthy {
                    self.rs.auto_gen[i] += 1;
                } else {
                    let generation = self.rs.auto_gen[i];
                    self.schedule(
                        self.now + after,
                        ResponseEvent::Auto {
                            mitigation: mit,
                            comp: i as u32,
                            generation,
                        },
                    );
                }
            }
        }
    }

    /// Starts mitigation `mit` on `comp`, applied by the people on incident `by` (`NONE`:
    /// a tool, or a crew acting on its own).
    pub(super) fn start_mitigation<O: Observer>(
        &mut self,
        mit: u32,
        comp: usize,
        by: u32,
        obs: &mut O,
    ) {
        let spec = &self.m.mitigations[mit as usize];
        let rng = &mut self.rs.mit_rng[mit as usize];
        let (delay, unit) = match spec.kind {
            MitigationKind::Spare { deploy, stock, .. } => {
                let units = spec.first_unit..spec.first_unit + stock;
                let Some(u) = units
                    .clone()
                    .find(|&u| self.rs.unit_state[u as usize] == UNIT_AVAILABLE)
                else {
                    // Both the crew whose spare just failed and the trigger may ask at
                    // one instant: one answer is enough.
                    if self.rs.no_spare_noted != (self.now, comp as u32) {
                        self.rs.no_spare_noted = (self.now, comp as u32);
                        obs.note(
                            self.now,
                            Note::NoSpare {
                                mitigation: mit,
                                comp: comp as u32,
                            },
                        );
                    }
                    return;
                };
                self.rs.unit_state[u as usize] = UNIT_DEPLOYING;
                self.rs.unit_comp[u as usize] = comp as u32;
                self.rs.unit_gen[u as usize] += 1;
                (deploy.sample(rng), u)
            }
            MitigationKind::Failover { delay, .. } => (delay.sample(rng), NONE),
            MitigationKind::Restart { takes, .. } => (takes.sample(rng), NONE),
            MitigationKind::Shed { delay, .. }
            | MitigationKind::RateLimit { delay, .. }
            | MitigationKind::AddWorkers { delay, .. } => (delay.sample(rng), NONE),
            MitigationKind::Redesign { takes } => (takes.sample(rng), NONE),
            MitigationKind::CircuitBreaker { .. } => return,
        };
        let delay = if spec.procedure.is_some() {
            delay + self.carry_out(mit, comp, unit, by)
        } else {
            delay
        };
        let spec = &self.m.mitigations[mit as usize];
        self.hold(mit, comp, by);
        if is_load(&spec.kind) {
            self.rs.mit_busy[mit as usize] = true;
        } else {
            self.rs.mitigating[comp] = mit;
        }
        self.rs.run.mitigation_uses += 1;
        self.rs.run.mitigation_cost += spec.per_use;
        obs.note(
            self.now,
            Note::Mitigating {
                mitigation: mit,
                comp: comp as u32,
                ready_at: self.now + delay,
            },
        );
        self.schedule(
            self.now + delay,
            ResponseEvent::Deployed {
                mitigation: mit,
                comp: comp as u32,
                unit,
            },
        );
    }

    pub(super) fn deployed<O: Observer>(&mut self, mit: u32, comp: usize, unit: u32, obs: &mut O) {
        let m = self.m;
        let spec = &m.mitigations[mit as usize];
        if spec.procedure.is_some() {
            let slip = self.take_slip(mit, comp, unit);
            if unit != NONE && self.rs.unit_state[unit as usize] != UNIT_DEPLOYING {
                return; // The spare failed on the way; the crew brings the next one.
            }
            self.rs.roster.run.procedures += 1;
            if let Some(s) = slip {
                self.procedure_failed(s, obs);
                return;
            }
        }
        let lot_left = self.take_effect(mit, comp, unit, obs);
        if !lot_left {
            self.unhold(mit, comp, obs);
        }
    }

    /// What mitigation `mit` does on `comp` once ready. Returns whether it goes on working
    /// by itself (a parking lot still being fed back).
    fn take_effect<O: Observer>(&mut self, mit: u32, comp: usize, unit: u32, obs: &mut O) -> bool {
        let spec = &self.m.mitigations[mit as usize];
        match spec.kind {
            MitigationKind::Spare { fails, .. } => {
                if self.rs.unit_state[unit as usize] != UNIT_DEPLOYING {
                    return true; // It failed on the way; the crew brings the next one.
                }
                if !self.own_impaired(comp) {
                    // Repaired while the spare was on its way: back to stock.
                    self.rs.unit_state[unit as usize] = UNIT_AVAILABLE;
                    self.rs.unit_comp[unit as usize] = NONE;
                    self.rs.mitigating[comp] = NONE;
                    self.schedule_dormant_failure(mit, unit);
                    return false;
                }
                self.rs.unit_state[unit as usize] = UNIT_DEPLOYED;
                self.rs.standin_unit[comp] = unit;
                let t = fails.sample(&mut self.rs.mit_rng[mit as usize]);
                let generation = self.rs.unit_gen[unit as usize];
                self.schedule(self.now + t, ResponseEvent::SpareFails { unit, generation });
                self.stand_in(mit, comp, obs);
                false
            }
            MitigationKind::Failover { standby, .. } => {
                if self.own_impaired(comp) {
                    // Switching over calls on the standby: a latent fault shows now.
                    self.demand(standby, obs);
                    self.stand_in(mit, comp, obs);
                } else {
                    self.rs.mitigating[comp] = NONE;
                }
                false
            }
            MitigationKind::Shed { rate, .. } => {
                obs.note(
                    self.now,
                    Note::Mitigated {
                        mitigation: mit,
                        comp: comp as u32,
                    },
                );
                let ongoing = self.apply_queue_mitigation(mit, comp, obs);
                // Spoon-feeding can be used again once its lot is empty; dropping stays on.
                if rate.is_some() && !ongoing {
                    self.rs.mit_busy[mit as usize] = false;
                }
                rate.is_some() && ongoing
            }
            MitigationKind::RateLimit { .. }
            | MitigationKind::AddWorkers { .. }
            | MitigationKind::Redesign { .. } => {
                obs.note(
                    self.now,
                    Note::Mitigated {
                        mitigation: mit,
                        comp: comp as u32,
                    },
                );
                self.apply_queue_mitigation(mit, comp, obs);
                false
            }
            MitigationKind::CircuitBreaker { .. } => false,
            MitigationKind::Restart { works, .. } => {
                self.rs.mitigating[comp] = NONE;
                let u: f64 = self.rs.mit_rng[mit as usize].random();
                if u < works {
                    obs.note(
                        self.now,
                        Note::Mitigated {
                            mitigation: mit,
                            comp: comp as u32,
                        },
                    );
                    for &s in self.m.comp_slots.row(comp) {
                        if self.faults.state[s as usize] == ACTIVE {
                            self.repair_now(s, obs);
                        }
                    }
                } else {
                    obs.note(self.now, Note::RestartFailed { comp: comp as u32 });
                }
                false
            }
        }
    }

    /// Puts mitigation `mit` in place as `comp`'s stand-in.
    pub(super) fn stand_in<O: Observer>(&mut self, mit: u32, comp: usize, obs: &mut O) {
        self.rs.standin[comp] = mit;
        obs.note(
            self.now,
            Note::Mitigated {
                mitigation: mit,
                comp: comp as u32,
            },
        );
        self.mark(comp as u32);
    }

    pub(super) fn spare_fails<O: Observer>(&mut self, unit: u32, generation: u32, obs: &mut O) {
        let u = unit as usize;
        if self.rs.unit_gen[u] != generation {
            return;
        }
        let state = self.rs.unit_state[u];
        self.rs.unit_state[u] = UNIT_FAILED;
        self.rs.unit_gen[u] += 1;
        let comp = self.rs.unit_comp[u];
        if state == UNIT_DEPLOYED || state == UNIT_DEPLOYING {
            let c = comp as usize;
            let mit = self.rs.mitigating[c];
            obs.note(self.now, Note::SpareFailed { comp });
            self.rs.standin[c] = NONE;
            self.rs.standin_unit[c] = NONE;
            self.rs.mitigating[c] = NONE;
            self.mark(comp);
            // The crew on site brings the next unit in, if there is one.
            if mit != NONE && self.own_impaired(c) {
                let holder = self.rs.standin_holder[c];
                self.start_mitigation(mit, c, holder, obs);
            }
        } else if state == UNIT_AVAILABLE {
            self.spare_lost_in_stock(unit, obs);
        }
    }

    /// Notes that waiting spare `unit` failed in stock, with how many units are left.
    fn spare_lost_in_stock<O: Observer>(&mut self, unit: u32, obs: &mut O) {
        let Some(mit) = (0..self.m.mitigations.len() as u32).find(|&k| {
            let spec = &self.m.mitigations[k as usize];
            matches!(spec.kind, MitigationKind::Spare { stock, .. }
                if (spec.first_unit..spec.first_unit + stock).contains(&unit))
        }) else {
            return;
        };
        let spec = &self.m.mitigations[mit as usize];
        let MitigationKind::Spare { stock, .. } = spec.kind else {
            return;
        };
        let left = (spec.first_unit..spec.first_unit + stock)
            .filter(|&u| self.rs.unit_state[u as usize] == UNIT_AVAILABLE)
            .count() as u32;
        obs.note(
            self.now,
            Note::SpareLostInStock {
                mitigation: mit,
                left,
            },
        );
    }
}

/// Mitigations that act on a queue's load rather than standing in for a component.
pub(super) fn is_load(k: &MitigationKind) -> bool {
    matches!(
        k,
        MitigationKind::Shed { .. }
            | MitigationKind::RateLimit { .. }
            | MitigationKind::AddWorkers { .. }
            | MitigationKind::Redesign { .. }
            | MitigationKind::CircuitBreaker { .. }
    )
}
