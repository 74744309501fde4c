//! Detection: alerts that hold long enough, customers who call, and the clock from a
//! user-visible failure to someone knowing about it.

use super::{DetectedBy, Incident, Stage, take_elapsed};
use crate::engine::event::ResponseEvent;
use crate::engine::propagation::{Class, SvcState};
use crate::engine::{Note, Observer, Sim};
use crate::model::{Condition, NONE};

impl Sim<'_> {
    /// Re-evaluates the alerts on component `i` after its output changed.
    pub(crate) fn check_alerts(&mut self, i: usize) {
        let m = self.m;
        for &a in m.alerts_of.row(i) {
            let spec = m.alerts[a as usize];
            let h = self.out(i);
            let on = match spec.when {
                Condition::Failed => match m.comps[i].service {
                    Some(s) => SvcState::of(&s, h) == SvcState::Failed,
                    None => Class::of(h, m.comps[i].capacity) == Class::Down,
                },
                Condition::CapacityBelow(x) => h.cap < x * m.comps[i].capacity,
                Condition::SlowerThan(x) => h.slow > x,
                Condition::Corrupt => h.corrupt,
                Condition::QueueAbove(n) => {
                    let q = m.comps[i].queue;
                    q != NONE && self.qs.waiting(q as usize) as u64 > n
                }
                // Burn-rate rules follow the service's failures (`burn`), not its output.
                Condition::Burn(_) => continue,
            };
            let au = a as usize;
            // An alert that stays on while what keeps it on changes (a second fault under
            // the first, left when the first is repaired) is a new alert for the new cause:
            // otherwise the second fault would go unseen once the first one's incident is
            // resolved, for as long as the condition holds.
            let key = if on { self.key_of(i) } else { NONE };
            if on != self.rs.alert_on[au] || key != self.rs.alert_key[au] {
                self.rs.alert_on[au] = on;
                self.rs.alert_key[au] = key;
                self.rs.alert_gen[au] += 1;
                if on {
                    let generation = self.rs.alert_gen[au];
                    self.schedule(
                        self.now + spec.after,
                        ResponseEvent::Alert {
                            alert: a,
                            generation,
                        },
                    );
                }
            }
        }
    }

    /// A service (index `si`, component `comp`) just failed.
    pub(crate) fn on_service_failed(&mut self, si: usize, comp: usize) {
        let root = self.cause(comp);
        if root != NONE {
            self.rs.unrepaired.push((root, self.now));
            self.rs.unrepaired_of[root as usize] += 1;
        }
        self.on_service_failed_detection(si, comp);
        if !self.rs.burn.is_empty() {
            self.burn_failed(si);
        }
    }

    /// Starts the detection clock of a service failure: known already, or pending until an
    /// alert or a customer report.
    pub(super) fn on_service_failed_detection(&mut self, si: usize, comp: usize) {
        let Some(resp) = &self.m.response else { return };
        let key = self.key_of(comp);
        self.rs.svc_key[si] = key;
        if self.open_incident(key).is_some() {
            // Already known: detected at (or before) the moment users noticed.
            self.rs.run.detect_count += 1;
        } else {
            self.rs.pending.push((key, self.now, si as u32));
        }
        let delay = resp.customer_report.sample(&mut self.rs.report_rng[si]);
        let generation = self.rs.report_gen[si];
        self.schedule(
            self.now + delay,
            ResponseEvent::Report {
                service: si as u32,
                generation,
            },
        );
    }

    /// A service (index `si`, component `comp`) is still failed but its root cause may have
    /// changed (the first fault repaired, a second one keeping it down): the new cause must be
    /// detected in its own right, and incidents about the old one may be resolved.
    pub(crate) fn on_service_cause_changed<O: Observer>(
        &mut self,
        si: usize,
        comp: usize,
        obs: &mut O,
    ) {
        let key = self.key_of(comp);
        if key == self.rs.svc_key[si] {
            return;
        }
        let r = &mut self.rs;
        r.pending.retain(|p| p.2 != si as u32);
        r.report_gen[si] += 1;
        self.on_service_failed_detection(si, comp);
        self.resolve_working(obs);
    }

    /// A service (index `si`) is no longer failed.
    pub(crate) fn on_service_restored<O: Observer>(&mut self, si: usize, obs: &mut O) {
        if self.m.response.is_none() {
            return;
        }
        self.rs.report_gen[si] += 1;
        if !self.rs.burn.is_empty() {
            self.burn_restored(si);
        }
        let r = &mut self.rs;
        let before = r.pending.len();
        r.pending.retain(|p| p.2 != si as u32);
        r.run.undetected += (before - r.pending.len()) as u32;
        self.resolve_working(obs);
    }

    pub(super) fn detect<O: Observer>(&mut self, comp: usize, by: DetectedBy, obs: &mut O) {
        if self.m.response.is_none() {
            return;
        }
        let key = self.key_of(comp);
        if self.open_incident(key).is_some() {
            return;
        }
        obs.note(
            self.now,
            Note::Detected {
                comp: comp as u32,
                by,
            },
        );
        let r = &mut self.rs;
        let (total, n) = take_elapsed(&mut r.pending, self.now, |x| (x.0 == key).then_some(x.1));
        r.run.detect_total += total;
        r.run.detect_count += n;
        let id = self.rs.incidents.len() as u32;
        self.rs.open.push(id);
        let nth = self.rs.per_root[key as usize];
        self.rs.per_root[key as usize] += 1;
        self.rs.incidents.push(Incident {
            key,
            stage: Stage::Queued,
            assigned: f64::NAN,
            shift_end: f64::INFINITY,
            diag_end: f64::INFINITY,
            generation: 0,
            team: 0,
            holding: 0,
            student: false,
            nth,
            drawn: 0.0,
        });
        let stream = self.incident_stream(id as usize);
        self.rs.inc_rng.push(stream);
        if self.rs.free > 0 {
            self.assign(id, obs);
        } else {
            obs.note(self.now, Note::Queued { incident: id });
            self.rs.queue.push_back(id);
        }
    }
}
