//! Incident response: detection, responders, diagnosis, hand-offs, and mitigations.
//!
//! The clock starts before anyone's phone rings. A user-visible failure (or an alert on
//! any component) leads to this chain, all inside the same discrete-event run:
//!
//! 1. **Detection**: an alert whose condition has held for its `after` delay, or, where
//!    nothing alerts, a customer report some time after a service fails.
//! 2. **Incident**: one per root fault (a common cause is one root). If every responder is
//!    busy, the incident waits in a first-come queue.
//! 3. **Acknowledge**, then **diagnose** (× the runbook factor). At the end of a shift an
//!    incident still being diagnosed is handed off: with notes the next responder loses only
//!    the hand-off time; without, they diagnose again from scratch.
//! 4. **Diagnosed**: manual mitigations start for the components impaired by this
//!    incident's root fault, and, when repairs wait for a diagnosis, repairs start for every
//!    active fault on an impaired component (crews fix what they find broken). The responder
//!    is free again once no service is failing because of this root.
//! 5. **Mitigations** (fix the failure, not the fault): a `Spare` stands in for a failed
//!    component after its deploy time at a share of its capacity; a `Failover` replaces the
//!    component's output with a standby's; a `Restart` clears its faults with some
//!    probability. Automated ones fire after the component has been impaired for a while,
//!    with no human. A stand-in is withdrawn when the component's own faults are repaired.
//!
//! Measurements: time to detect (from the first user-visible failure), time to repair the
//! root (from the failure), responder-hours, mitigation uses and their cost.

use crate::engine::{Kind, Note, Observer, Sim};
use crate::model::{Condition, MitigationKind, NONE, Source};
use crate::propagation::{Class, Health, SvcState};
use crate::rng;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Incident states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for a free responder.
    Queued,
    /// Paged, not yet acknowledged.
    Paged,
    /// A responder is diagnosing.
    Diagnosing,
    /// Diagnosed; mitigations and repairs under way; users still affected.
    Working,
    /// No service fails because of it any more; the responder is free.
    Resolved,
}

/// One incident in a run.
#[derive(Clone, Copy, Debug)]
pub struct Incident {
    /// Root key: a fault slot, `slots + cc` for a common cause, or `slots + ccs + comp`
    /// when no single fault explains what was detected.
    pub key: u32,
    /// Where it stands.
    pub stage: Stage,
    /// When a responder picked it up.
    pub assigned: f64,
    /// When the current shift ends.
    shift_end: f64,
    /// When diagnosis completes.
    diag_end: f64,
    /// Invalidates scheduled steps when plans change (hand-offs).
    generation: u32,
}

/// How a problem was detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectedBy {
    /// An alert (index into the model's alerts).
    Alert(u32),
    /// A customer report about a service component.
    Customer,
}

const UNIT_AVAILABLE: u8 = 0;
const UNIT_DEPLOYING: u8 = 1;
const UNIT_DEPLOYED: u8 = 2;
const UNIT_FAILED: u8 = 3;

/// Per-run response state and measurements, reused from run to run.
pub struct ResponseState {
    rng: ChaCha8Rng,
    mit_rng: Vec<ChaCha8Rng>,
    alert_on: Vec<bool>,
    alert_gen: Vec<u32>,
    report_gen: Vec<u32>,
    /// Incidents of this run.
    pub incidents: Vec<Incident>,
    /// Incidents not yet resolved: what detection and resolution look at, so their cost does
    /// not grow with every incident of the run.
    open: Vec<u32>,
    free: u32,
    queue: VecDeque<u32>,
    /// Service failures not yet detected: (root key, start, service index).
    pending: Vec<(u32, f64, u32)>,
    /// Service failures whose root is not yet repaired: (root slot, start).
    unrepaired: Vec<(u32, f64)>,
    /// Per slot: how many entries of `unrepaired` it has (so a repair scans only if some).
    unrepaired_of: Vec<u32>,
    pub(crate) repairing: Vec<bool>,
    /// Per component: the mitigation standing in for it, or NONE.
    pub(crate) standin: Vec<u32>,
    standin_unit: Vec<u32>,
    /// Per component: a mitigation under way for it, or NONE.
    mitigating: Vec<u32>,
    unit_state: Vec<u8>,
    unit_gen: Vec<u32>,
    unit_comp: Vec<u32>,
    auto_gen: Vec<u32>,
    /// Per mitigation: a load mitigation in effect (or feeding its parking lot).
    mit_busy: Vec<bool>,
    /// Per service: the root key of its current failure.
    svc_key: Vec<u32>,

    /// Failures detected, and the total and count of times to detect.
    pub detect_total: f64,
    /// Number of detected user-visible failures.
    pub detect_count: u32,
    /// User-visible failures that ended without being detected.
    pub undetected: u32,
    /// Total seconds from a failure to the repair of its root, and the count.
    pub repair_total: f64,
    /// Number of failures whose root was repaired within the run.
    pub repair_count: u32,
    /// Responder-seconds spent on incidents.
    pub responder_seconds: f64,
    /// Mitigations started.
    pub mitigation_uses: u32,
    /// Their per-use cost.
    pub mitigation_cost: f64,
    /// Hand-offs.
    pub handoffs: u32,
}

impl ResponseState {
    /// Buffers sized for the model of `sim`.
    pub(crate) fn new(m: &crate::model::Model) -> ResponseState {
        let n = m.comps.len();
        ResponseState {
            rng: rng::placeholder(),
            mit_rng: (0..m.mitigations.len())
                .map(|_| rng::placeholder())
                .collect(),
            alert_on: vec![false; m.alerts.len()],
            alert_gen: vec![0; m.alerts.len()],
            report_gen: vec![0; m.services.len()],
            incidents: Vec::new(),
            open: Vec::new(),
            free: 0,
            queue: VecDeque::new(),
            pending: Vec::new(),
            unrepaired: Vec::new(),
            unrepaired_of: vec![0; m.slots.len()],
            repairing: vec![false; m.slots.len()],
            standin: vec![NONE; n],
            standin_unit: vec![NONE; n],
            mitigating: vec![NONE; n],
            unit_state: vec![UNIT_AVAILABLE; m.spare_units as usize],
            unit_gen: vec![0; m.spare_units as usize],
            unit_comp: vec![NONE; m.spare_units as usize],
            auto_gen: vec![0; n],
            mit_busy: vec![false; m.mitigations.len()],
            svc_key: vec![NONE; m.services.len()],
            detect_total: 0.0,
            detect_count: 0,
            undetected: 0,
            repair_total: 0.0,
            repair_count: 0,
            responder_seconds: 0.0,
            mitigation_uses: 0,
            mitigation_cost: 0.0,
            handoffs: 0,
        }
    }
}

impl Sim<'_> {
    /// Resets response state for a run and schedules what starts at t = 0 (warm spares'
    /// waiting failures).
    pub(crate) fn reset_response(&mut self, seed: u64, run: u64) {
        let m = self.m;
        let r = &mut self.rs;
        r.rng = rng::stream(
            seed,
            run,
            crate::model::stable_hash(&["response"]),
            rng::RESPONSE,
        );
        for (k, mt) in m.mitigations.iter().enumerate() {
            r.mit_rng[k] = rng::stream(seed, run, mt.key, rng::MITIGATION);
        }
        r.alert_on.fill(false);
        r.alert_gen.fill(0);
        r.report_gen.fill(0);
        r.incidents.clear();
        r.open.clear();
        r.free = m.response.map_or(0, |x| x.oncall);
        r.queue.clear();
        r.pending.clear();
        r.unrepaired.clear();
        r.unrepaired_of.fill(0);
        r.repairing.fill(false);
        r.standin.fill(NONE);
        r.standin_unit.fill(NONE);
        r.mitigating.fill(NONE);
        r.unit_state.fill(UNIT_AVAILABLE);
        r.unit_gen.fill(0);
        r.unit_comp.fill(NONE);
        r.auto_gen.fill(0);
        r.mit_busy.fill(false);
        r.svc_key.fill(NONE);
        r.detect_total = 0.0;
        r.detect_count = 0;
        r.undetected = 0;
        r.repair_total = 0.0;
        r.repair_count = 0;
        r.responder_seconds = 0.0;
        r.mitigation_uses = 0;
        r.mitigation_cost = 0.0;
        r.handoffs = 0;
        for k in 0..m.mitigations.len() {
            if let MitigationKind::Spare { stock, .. } = m.mitigations[k].kind {
                let first = m.mitigations[k].first_unit;
                for u in first..first + stock {
                    self.schedule_dormant_failure(k as u32, u);
                }
            }
        }
    }

    fn schedule_dormant_failure(&mut self, mit: u32, unit: u32) {
        if let MitigationKind::Spare { fails, dormant, .. } = self.m.mitigations[mit as usize].kind
            && dormant > 0.0
        {
            let t = fails.sample(&mut self.rs.mit_rng[mit as usize]) / dormant;
            let generation = self.rs.unit_gen[unit as usize];
            self.schedule(self.now + t, Kind::SpareFails { unit, generation });
        }
    }

    /// Root key of whatever impairs component `i` now.
    fn key_of(&self, i: usize) -> u32 {
        let m = self.m;
        let mut c = self.cause(i);
        if c == NONE && m.comps[i].queue != NONE {
            // A queue alert can fire before its health drops: blame its burst, if any.
            c = self.qs.root(m.comps[i].queue as usize);
        }
        if c == NONE {
            (m.slots.len() + m.common.len() + i) as u32
        } else {
            match m.slots[c as usize].source {
                Source::Common(cc) => (m.slots.len() + cc as usize) as u32,
                Source::Own => c,
            }
        }
    }

    /// Whether mitigation `mit` can act on component `c` now: a stand-in replaces a
    /// component broken by its own faults; a load mitigation acts on an impaired queue once.
    fn can_mitigate(&self, mit: u32, c: usize) -> bool {
        if is_load(&self.m.mitigations[mit as usize].kind) {
            !self.rs.mit_busy[mit as usize] && self.class(c) != Class::Healthy
        } else {
            self.own_impaired(c) && self.rs.mitigating[c] == NONE
        }
    }

    /// A load mitigation finished its work (a parking lot fed back): it can act again.
    pub(crate) fn mitigation_done(&mut self, comp: usize, mit: u32) {
        if mit == NONE {
            return;
        }
        self.rs.mit_busy[mit as usize] = false;
        // A tool that is free again while the queue is still in trouble goes again.
        if let Some(after) = self.m.mitigations[mit as usize].auto
            && self.class(comp) != Class::Healthy
        {
            let generation = self.rs.auto_gen[comp];
            self.schedule(
                self.now + after,
                Kind::Auto {
                    mitigation: mit,
                    comp: comp as u32,
                    generation,
                },
            );
        }
    }

    /// Whether component `i`'s own faults are active (what a stand-in replaces).
    fn own_impaired(&self, i: usize) -> bool {
        self.st_active(i)
    }

    // ----- hooks called by the engine ------------------------------------------------

    /// A slot became active. Returns whether its repair should start now.
    pub(crate) fn on_activate(&mut self, slot: u32) -> bool {
        let m = self.m;
        // A fault whose root is already diagnosed (a staggered bad deploy reaching one more
        // server) is repaired by the crew already on it.
        let key = match m.slots[slot as usize].source {
            Source::Common(cc) => (m.slots.len() + cc as usize) as u32,
            Source::Own => slot,
        };
        let known = self
            .open_incident(key)
            .is_some_and(|i| self.rs.incidents[i as usize].stage == Stage::Working);
        let wait = m.response.is_some_and(|r| r.repair_on_diagnosis) && !known;
        self.rs.repairing[slot as usize] = !wait;
        !wait
    }

    /// A slot was repaired: close failures waiting on it; withdraw a stand-in whose
    /// component is whole again.
    pub(crate) fn on_repair<O: Observer>(&mut self, slot: u32, obs: &mut O) {
        let comp = self.m.slots[slot as usize].comp as usize;
        self.rs.repairing[slot as usize] = false;
        let r = &mut self.rs;
        if r.unrepaired_of[slot as usize] > 0 {
            r.unrepaired_of[slot as usize] = 0;
            let (total, n) = take_elapsed(&mut r.unrepaired, self.now, |x| {
                (x.0 == slot).then_some(x.1)
            });
            r.repair_total += total;
            r.repair_count += n;
        }
        if !self.st_active(comp) && self.rs.standin[comp] != NONE {
            self.withdraw(comp, obs);
        }
    }

    fn withdraw<O: Observer>(&mut self, comp: usize, obs: &mut O) {
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
                        Kind::Auto {
                            mitigation: mit,
                            comp: i as u32,
                            generation,
                        },
                    );
                }
            }
        }
    }

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
            };
            let au = a as usize;
            if on != self.rs.alert_on[au] {
                self.rs.alert_on[au] = on;
                self.rs.alert_gen[au] += 1;
                if on {
                    let generation = self.rs.alert_gen[au];
                    self.schedule(
                        self.now + spec.after,
                        Kind::Alert {
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
    }

    /// Starts the detection clock of a service failure: known already, or pending until an
    /// alert or a customer report.
    fn on_service_failed_detection(&mut self, si: usize, comp: usize) {
        let Some(resp) = self.m.response else { return };
        let key = self.key_of(comp);
        self.rs.svc_key[si] = key;
        if self.open_incident(key).is_some() {
            // Already known: detected at (or before) the moment users noticed.
            self.rs.detect_count += 1;
        } else {
            self.rs.pending.push((key, self.now, si as u32));
        }
        let delay = resp.customer_report.sample(&mut self.rs.rng);
        let generation = self.rs.report_gen[si];
        self.schedule(
            self.now + delay,
            Kind::Report {
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
        let r = &mut self.rs;
        let before = r.pending.len();
        r.pending.retain(|p| p.2 != si as u32);
        r.undetected += (before - r.pending.len()) as u32;
        self.resolve_working(obs);
    }

    /// Handles the response events.
    pub(crate) fn dispatch_response<O: Observer>(&mut self, kind: Kind, obs: &mut O) {
        match kind {
            Kind::Alert { alert, generation } => {
                if self.rs.alert_gen[alert as usize] == generation
                    && self.rs.alert_on[alert as usize]
                {
                    let comp = self.m.alerts[alert as usize].comp as usize;
                    self.detect(comp, DetectedBy::Alert(alert), obs);
                }
            }
            Kind::Report {
                service,
                generation,
            } => {
                if self.rs.report_gen[service as usize] == generation {
                    let comp = self.m.services[service as usize] as usize;
                    self.detect(comp, DetectedBy::Customer, obs);
                }
            }
            Kind::Step {
                incident,
                generation,
            } => {
                let inc = self.rs.incidents[incident as usize];
                if inc.generation != generation {
                    return;
                }
                match inc.stage {
                    Stage::Paged => self.start_diagnosis(incident, obs),
                    Stage::Diagnosing => self.diagnosed(incident, obs),
                    _ => {}
                }
            }
            Kind::Handoff {
                incident,
                generation,
            } => self.handoff(incident, generation, obs),
            Kind::Deployed {
                mitigation,
                comp,
                unit,
            } => self.deployed(mitigation, comp as usize, unit, obs),
            Kind::SpareFails { unit, generation } => self.spare_fails(unit, generation, obs),
            Kind::Auto {
                mitigation,
                comp,
                generation,
            } => {
                let c = comp as usize;
                if self.rs.auto_gen[c] == generation && self.can_mitigate(mitigation, c) {
                    self.start_mitigation(mitigation, c, obs);
                }
            }
            _ => unreachable!("not a response event"),
        }
    }

    fn detect<O: Observer>(&mut self, comp: usize, by: DetectedBy, obs: &mut O) {
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
        r.detect_total += total;
        r.detect_count += n;
        let id = self.rs.incidents.len() as u32;
        self.rs.open.push(id);
        self.rs.incidents.push(Incident {
            key,
            stage: Stage::Queued,
            assigned: f64::NAN,
            shift_end: f64::INFINITY,
            diag_end: f64::INFINITY,
            generation: 0,
        });
        if self.rs.free > 0 {
            self.assign(id, obs);
        } else {
            obs.note(self.now, Note::Queued { incident: id });
            self.rs.queue.push_back(id);
        }
    }

    fn assign<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let resp = self.m.response.expect("response");
        self.rs.free -= 1;
        let ack = resp.acknowledge.sample(&mut self.rs.rng);
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Paged;
        inc.assigned = self.now;
        inc.shift_end = self.now + resp.shift;
        let generation = inc.generation;
        obs.note(
            self.now,
            Note::Paged {
                incident: id,
                ack_at: self.now + ack,
            },
        );
        self.schedule(
            self.now + ack,
            Kind::Step {
                incident: id,
                generation,
            },
        );
    }

    fn diagnosis_time(&mut self) -> f64 {
        let resp = self.m.response.expect("response");
        resp.diagnose.sample(&mut self.rs.rng) * resp.runbook
    }

    fn start_diagnosis<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let d = self.diagnosis_time();
        let now = self.now;
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Diagnosing;
        inc.diag_end = now + d;
        let (generation, shift_end) = (inc.generation, inc.shift_end);
        obs.note(now, Note::Acknowledged { incident: id });
        self.schedule(
            now + d,
            Kind::Step {
                incident: id,
                generation,
            },
        );
        if shift_end < now + d {
            self.schedule(
                shift_end,
                Kind::Handoff {
                    incident: id,
                    generation,
                },
            );
        }
    }

    fn handoff<O: Observer>(&mut self, id: u32, generation: u32, obs: &mut O) {
        let resp = self.m.response.expect("response");
        let inc = self.rs.incidents[id as usize];
        if inc.generation != generation || inc.stage != Stage::Diagnosing {
            return;
        }
        self.rs.handoffs += 1;
        let h = resp.handoff.sample(&mut self.rs.rng);
        let diag_end = if resp.notes {
            inc.diag_end + h
        } else {
            self.now + h + self.diagnosis_time()
        };
        let now = self.now;
        let inc = &mut self.rs.incidents[id as usize];
        inc.generation += 1;
        inc.diag_end = diag_end;
        inc.shift_end = now + resp.shift;
        let (g, shift_end) = (inc.generation, inc.shift_end);
        obs.note(
            now,
            Note::Handoff {
                incident: id,
                notes: resp.notes,
                diagnosed_at: diag_end,
            },
        );
        self.schedule(
            diag_end,
            Kind::Step {
                incident: id,
                generation: g,
            },
        );
        if shift_end < diag_end {
            self.schedule(
                shift_end,
                Kind::Handoff {
                    incident: id,
                    generation: g,
                },
            );
        }
    }

    fn diagnosed<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let m = self.m;
        self.rs.incidents[id as usize].stage = Stage::Working;
        obs.note(self.now, Note::Diagnosed { incident: id });
        // Repairs that waited for someone to look start now, for everything found broken.
        if m.response.is_some_and(|r| r.repair_on_diagnosis) {
            for s in 0..m.slots.len() {
                if self.slot_state[s] == crate::engine::ACTIVE && !self.rs.repairing[s] {
                    self.start_repair(s as u32);
                }
            }
        }
        // Mitigations go to what this incident is about: components impaired by its root.
        let key = self.rs.incidents[id as usize].key;
        for mit in 0..m.mitigations.len() {
            if m.mitigations[mit].auto.is_some() {
                continue;
            }
            for k in 0..m.mitigations[mit].targets.len() {
                let c = m.mitigations[mit].targets[k] as usize;
                if self.can_mitigate(mit as u32, c) && self.key_of(c) == key {
                    self.start_mitigation(mit as u32, c, obs);
                }
            }
        }
        self.try_resolve(id, obs);
    }

    /// The unresolved incident about root `key`, if any.
    fn open_incident(&self, key: u32) -> Option<u32> {
        self.rs
            .open
            .iter()
            .copied()
            .find(|&i| self.rs.incidents[i as usize].key == key)
    }

    /// Tries to resolve every incident whose diagnosis is done. Walks the open list from its
    /// end, so the swap-removal of a resolved one only moves an incident already visited.
    fn resolve_working<O: Observer>(&mut self, obs: &mut O) {
        let mut k = self.rs.open.len();
        while k > 0 {
            k -= 1;
            let id = self.rs.open[k];
            if self.rs.incidents[id as usize].stage == Stage::Working {
                self.try_resolve(id, obs);
            }
        }
    }

    /// Frees the responder once no failed service is explained by this incident's root.
    fn try_resolve<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let key = self.rs.incidents[id as usize].key;
        for (si, &c) in self.m.services.iter().enumerate() {
            if self.svc[si].state == SvcState::Failed && self.key_of(c as usize) == key {
                return;
            }
        }
        if let Some(pos) = self.rs.open.iter().position(|&x| x == id) {
            self.rs.open.swap_remove(pos);
        }
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Resolved;
        self.rs.responder_seconds += self.now - inc.assigned;
        self.rs.free += 1;
        obs.note(self.now, Note::Resolved { incident: id });
        if let Some(next) = self.rs.queue.pop_front() {
            self.assign(next, obs);
        }
    }

    fn start_mitigation<O: Observer>(&mut self, mit: u32, comp: usize, obs: &mut O) {
        let spec = &self.m.mitigations[mit as usize];
        let rng = &mut self.rs.mit_rng[mit as usize];
        let (delay, unit) = match spec.kind {
            MitigationKind::Spare { deploy, stock, .. } => {
                let units = spec.first_unit..spec.first_unit + stock;
                let Some(u) = units
                    .clone()
                    .find(|&u| self.rs.unit_state[u as usize] == UNIT_AVAILABLE)
                else {
                    obs.note(
                        self.now,
                        Note::NoSpare {
                            mitigation: mit,
                            comp: comp as u32,
                        },
                    );
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
        if is_load(&spec.kind) {
            self.rs.mit_busy[mit as usize] = true;
        } else {
            self.rs.mitigating[comp] = mit;
        }
        self.rs.mitigation_uses += 1;
        self.rs.mitigation_cost += spec.per_use;
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
            Kind::Deployed {
                mitigation: mit,
                comp: comp as u32,
                unit,
            },
        );
    }

    fn deployed<O: Observer>(&mut self, mit: u32, comp: usize, unit: u32, obs: &mut O) {
        let spec = &self.m.mitigations[mit as usize];
        match spec.kind {
            MitigationKind::Spare { fails, .. } => {
                if self.rs.unit_state[unit as usize] != UNIT_DEPLOYING {
                    return; // It failed on the way.
                }
                if !self.own_impaired(comp) {
                    // Repaired while the spare was on its way: back to stock.
                    self.rs.unit_state[unit as usize] = UNIT_AVAILABLE;
                    self.rs.unit_comp[unit as usize] = NONE;
                    self.rs.mitigating[comp] = NONE;
                    self.schedule_dormant_failure(mit, unit);
                    return;
                }
                self.rs.unit_state[unit as usize] = UNIT_DEPLOYED;
                self.rs.standin_unit[comp] = unit;
                let t = fails.sample(&mut self.rs.mit_rng[mit as usize]);
                let generation = self.rs.unit_gen[unit as usize];
                self.schedule(self.now + t, Kind::SpareFails { unit, generation });
                self.stand_in(mit, comp, obs);
            }
            MitigationKind::Failover { .. } => {
                if self.own_impaired(comp) {
                    self.stand_in(mit, comp, obs);
                } else {
                    self.rs.mitigating[comp] = NONE;
                }
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
            }
            MitigationKind::CircuitBreaker { .. } => {}
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
                        if self.slot_state[s as usize] == crate::engine::ACTIVE {
                            self.repair_now(s, obs);
                        }
                    }
                } else {
                    obs.note(self.now, Note::RestartFailed { comp: comp as u32 });
                }
            }
        }
    }

    /// Puts mitigation `mit` in place as `comp`'s stand-in.
    fn stand_in<O: Observer>(&mut self, mit: u32, comp: usize, obs: &mut O) {
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

    fn spare_fails<O: Observer>(&mut self, unit: u32, generation: u32, obs: &mut O) {
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
                self.start_mitigation(mit, c, obs);
            }
        }
    }

    /// Closes the books on responders still working at the end of the run.
    pub(crate) fn finish_response(&mut self) {
        let end = self.now;
        for inc in &self.rs.incidents {
            if inc.stage != Stage::Resolved && inc.stage != Stage::Queued {
                self.rs.responder_seconds += end - inc.assigned;
            }
        }
    }
}

/// Mitigations that act on a queue's load rather than standing in for a component.
fn is_load(k: &MitigationKind) -> bool {
    matches!(
        k,
        MitigationKind::Shed { .. }
            | MitigationKind::RateLimit { .. }
            | MitigationKind::AddWorkers { .. }
            | MitigationKind::Redesign { .. }
            | MitigationKind::CircuitBreaker { .. }
    )
}

/// Removes the entries `start_of` picks out of `list` and returns the total time elapsed
/// since their start times, and how many there were.
fn take_elapsed<T>(
    list: &mut Vec<T>,
    now: f64,
    start_of: impl Fn(&T) -> Option<f64>,
) -> (f64, u32) {
    let (mut total, mut n) = (0.0, 0);
    list.retain(|x| match start_of(x) {
        Some(t) => {
            total += now - t;
            n += 1;
            false
        }
        None => true,
    });
    (total, n)
}
