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

mod burn;
mod detect;
mod incident;
mod mitigate;
mod people;
mod procedure;

pub use burn::{BurnRun, BurnState, RING, failed_in, reached};
pub use people::PeopleRun;

use super::event::ResponseEvent;
use super::{Observer, Sim};
use crate::model::{MitigationKind, NONE, Source};
use crate::rng;
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
    /// People working on it.
    pub team: u32,
    /// Hands-on mitigations it keeps its people on.
    holding: u32,
    /// A drill's student has it ([`crate::model::Student`]).
    student: bool,
    /// How many incidents about the same root came before it in the run (its stream's key).
    nth: u32,
    /// A drill student's incident handed off: the scenario's diagnosis time drawn for it,
    /// which a colleague without notes spends again in full.
    drawn: f64,
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

/// What the response did in one run: detection, repair of roots, people's time,
/// mitigations. Reset as a whole at the start of each run.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResponseRun {
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

/// Per-run response state and measurements, reused from run to run.
#[derive(Clone)]
pub struct ResponseState {
    /// Per incident (by its index in `incidents`): the stream of its people's timings.
    inc_rng: Vec<rng::Small>,
    /// Per service: the stream of its customer-report delays.
    report_rng: Vec<rng::Small>,
    /// Per service: the key of its customer-report stream.
    report_keys: Vec<u64>,
    /// Per incident key: incidents about it so far this run.
    per_root: Vec<u32>,
    /// Per component: the stable key of incidents about it when no single fault explains
    /// them (0 until first needed).
    comp_root: Vec<u64>,
    /// The study seed and run, for the incidents' streams.
    seeded: (u64, u64),
    mit_rng: Vec<ChaCha8Rng>,
    alert_on: Vec<bool>,
    alert_gen: Vec<u32>,
    /// Per alert that is on: the root cause it is on for (an incident key). When the
    /// cause changes under a firing alert, the alert fires again for the new cause.
    alert_key: Vec<u32>,
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
    /// When and for which component "no spare" was last noted (noted once per instant).
    no_spare_noted: (f64, u32),
    unit_gen: Vec<u32>,
    unit_comp: Vec<u32>,
    auto_gen: Vec<u32>,
    /// Per mitigation: a load mitigation in effect (or feeding its parking lot).
    mit_busy: Vec<bool>,
    /// Per service: the root key of its current failure.
    svc_key: Vec<u32>,

    /// What the response did this run.
    pub run: ResponseRun,
    /// The people on call, and what they did this run.
    pub(crate) roster: people::Roster,
    /// Procedures that slipped, until their mitigation would have taken effect.
    slips: Vec<procedure::Slip>,
    /// Per mitigation: the stream of its procedure, if it has one.
    proc_rng: Vec<ChaCha8Rng>,
    /// Per mitigation acting on a load: the incident keeping hands on it, or NONE.
    load_holder: Vec<u32>,
    /// Per component: the incident keeping hands on its stand-in on the way, or NONE.
    standin_holder: Vec<u32>,
    /// Burn-rate rules on services' error budgets, and what they did this run.
    pub burn: BurnState,
    /// A drill's student has handed an incident off: the scenario's people take the pages
    /// from then on.
    student_gone: bool,
}

impl ResponseState {
    /// Buffers sized for the model of `sim`.
    pub(crate) fn new(m: &crate::model::Model) -> ResponseState {
        let n = m.comps.len();
        ResponseState {
            inc_rng: Vec::new(),
            report_rng: vec![rng::small(0, 0, 0, 0); m.services.len()],
            per_root: vec![0; m.slots.len() + m.common.len() + n],
            comp_root: vec![0; n],
            report_keys: (m.services.iter())
                .map(|&c| crate::model::stable_hash(&["report", &m.comps[c as usize].id]))
                .collect(),
            seeded: (0, 0),
            mit_rng: (0..m.mitigations.len())
                .map(|_| rng::placeholder())
                .collect(),
            alert_on: vec![false; m.alerts.len()],
            alert_gen: vec![0; m.alerts.len()],
            alert_key: vec![NONE; m.alerts.len()],
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
            no_spare_noted: (f64::NEG_INFINITY, NONE),
            unit_gen: vec![0; m.spare_units as usize],
            unit_comp: vec![NONE; m.spare_units as usize],
            auto_gen: vec![0; n],
            mit_busy: vec![false; m.mitigations.len()],
            svc_key: vec![NONE; m.services.len()],
            run: ResponseRun::default(),
            roster: people::Roster::new(m.response.as_ref()),
            slips: Vec::new(),
            proc_rng: (0..m.mitigations.len())
                .map(|_| rng::placeholder())
                .collect(),
            load_holder: vec![NONE; m.mitigations.len()],
            standin_holder: vec![NONE; n],
            burn: BurnState::new(m),
            student_gone: false,
        }
    }
}

impl Sim<'_> {
    /// The responders' and mitigations' streams at the start of run `run` of the study
    /// seeded `seed`.
    pub(crate) fn seed_response_streams(&mut self, seed: u64, run: u64) {
        self.rs.seeded = (seed, run);
        if self.m.response.is_some() {
            let r = &mut self.rs;
            for (stream, &key) in r.report_rng.iter_mut().zip(&r.report_keys) {
                *stream = rng::small(seed, run, key, rng::REPORT);
            }
        }
        for id in 0..self.rs.incidents.len() {
            // A copy of a history (rare-event splitting) goes on with fresh draws.
            self.rs.inc_rng[id] = self.incident_stream(id);
        }
        let r = &mut self.rs;
        for (k, mt) in self.m.mitigations.iter().enumerate() {
            r.mit_rng[k] = rng::stream(seed, run, mt.key, rng::MITIGATION);
            if mt.procedure.is_some() {
                r.proc_rng[k] = rng::stream(seed, run, mt.key, rng::PROCEDURE);
            }
        }
    }

    /// Resets response state for a run and schedules what starts at t = 0 (warm spares'
    /// waiting failures).
    pub(crate) fn reset_response(&mut self, seed: u64, run: u64) {
        let m = self.m;
        // No incidents yet: the streams seeded are the services' only.
        for inc in &self.rs.incidents {
            self.rs.per_root[inc.key as usize] = 0;
        }
        self.rs.incidents.clear();
        self.rs.inc_rng.clear();
        self.seed_response_streams(seed, run);
        let r = &mut self.rs;
        r.alert_on.fill(false);
        r.alert_gen.fill(0);
        r.alert_key.fill(NONE);
        r.report_gen.fill(0);
        r.open.clear();
        r.free = m.response.as_ref().map_or(0, |x| x.oncall);
        r.queue.clear();
        r.pending.clear();
        r.unrepaired.clear();
        r.unrepaired_of.fill(0);
        r.repairing.fill(false);
        r.standin.fill(NONE);
        r.standin_unit.fill(NONE);
        r.mitigating.fill(NONE);
        r.unit_state.fill(UNIT_AVAILABLE);
        r.no_spare_noted = (f64::NEG_INFINITY, NONE);
        r.unit_gen.fill(0);
        r.unit_comp.fill(NONE);
        r.auto_gen.fill(0);
        r.mit_busy.fill(false);
        r.svc_key.fill(NONE);
        r.run = ResponseRun::default();
        r.roster.reset();
        r.slips.clear();
        r.load_holder.fill(NONE);
        r.standin_holder.fill(NONE);
        r.student_gone = false;
        self.reset_burns();
        for k in 0..m.mitigations.len() {
            if let MitigationKind::Spare { stock, .. } = m.mitigations[k].kind {
                let first = m.mitigations[k].first_unit;
                for u in first..first + stock {
                    self.schedule_dormant_failure(k as u32, u);
                }
            }
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

    /// Incident `id`'s stream: keyed by the stable identity of its root (a fault mode, a
    /// common cause, or the component where no single fault explains it) and by how many
    /// incidents of this run about that root came before it.
    fn incident_stream(&mut self, id: usize) -> rng::Small {
        let m = self.m;
        let Incident { key, nth, .. } = self.rs.incidents[id];
        let key = key as usize;
        let (slots, ccs) = (m.slots.len(), m.common.len());
        let root = if key < slots {
            m.slots[key].key
        } else if key < slots + ccs {
            m.common[key - slots].key
        } else {
            let c = key - slots - ccs;
            if self.rs.comp_root[c] == 0 {
                self.rs.comp_root[c] = crate::model::stable_hash(&["incident", &m.comps[c].id]);
            }
            self.rs.comp_root[c]
        };
        let (seed, run) = self.rs.seeded;
        rng::small(seed, run, root ^ rng::mix(u64::from(nth)), rng::RESPONSE)
    }

    // ----- hooks called by the engine ------------------------------------------------

    /// A slot became active. Returns whether its repair should start now.
    pub(crate) fn on_activate(&mut self, slot: u32) -> bool {
        let m = self.m;
        // A fault whose root is already diagnosed (a staggered bad deploy reaching one more
        // server) is repaired by the crew already on it.
        let wait = m.response.as_ref().is_some_and(|r| r.repair_on_diagnosis)
            && !self.root_being_repaired(slot);
        self.rs.repairing[slot as usize] = !wait;
        !wait
    }

    /// Whether slot `slot`'s root fault has an incident whose crew is already at work.
    fn root_being_repaired(&self, slot: u32) -> bool {
        let m = self.m;
        let key = match m.slots[slot as usize].source {
            Source::Common(cc) => (m.slots.len() + cc as usize) as u32,
            Source::Own => slot,
        };
        self.open_incident(key)
            .is_some_and(|i| self.rs.incidents[i as usize].stage == Stage::Working)
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
            r.run.repair_total += total;
            r.run.repair_count += n;
        }
        if !self.st_active(comp) && self.rs.standin[comp] != NONE {
            self.withdraw(comp, obs);
        }
    }

    /// Handles a response event.
    pub(crate) fn on_response_event<O: Observer>(&mut self, e: ResponseEvent, obs: &mut O) {
        match e {
            ResponseEvent::Alert { alert, generation } => {
                if self.rs.alert_gen[alert as usize] == generation
                    && self.rs.alert_on[alert as usize]
                {
                    let comp = self.m.alerts[alert as usize].comp as usize;
                    self.detect(comp, DetectedBy::Alert(alert), obs);
                }
            }
            ResponseEvent::Report {
                service,
                generation,
            } => {
                if self.rs.report_gen[service as usize] == generation {
                    let comp = self.m.services[service as usize] as usize;
                    self.detect(comp, DetectedBy::Customer, obs);
                }
            }
            ResponseEvent::Step {
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
            ResponseEvent::Handoff {
                incident,
                generation,
            } => self.handoff(incident, generation, obs),
            ResponseEvent::Deployed {
                mitigation,
                comp,
                unit,
            } => self.deployed(mitigation, comp as usize, unit, obs),
            ResponseEvent::SpareFails { unit, generation } => {
                self.spare_fails(unit, generation, obs)
            }
            ResponseEvent::Auto {
                mitigation,
                comp,
                generation,
            } => {
                let c = comp as usize;
                if self.rs.auto_gen[c] == generation && self.can_mitigate(mitigation, c) {
                    self.start_mitigation(mitigation, c, NONE, obs);
                }
            }
            ResponseEvent::Retry {
                mitigation,
                comp,
                incident,
            } => self.retry(mitigation, comp as usize, incident, obs),
            ResponseEvent::Burn { rule, generation } => self.burn_page(rule, generation, obs),
        }
    }

    /// Closes the books on responders still working at the end of the run.
    pub(crate) fn finish_response(&mut self) {
        self.finish_burns();
        let end = self.now;
        for inc in &self.rs.incidents {
            if inc.stage != Stage::Resolved && inc.stage != Stage::Queued {
                self.rs.run.responder_seconds += team_seconds(end - inc.assigned, inc.team);
            }
        }
        self.close_shifts();
    }
}

/// Person-seconds of a team of `team` over `secs` (exactly `secs` for one person).
fn team_seconds(secs: f64, team: u32) -> f64 {
    if team <= 1 {
        secs
    } else {
        secs * f64::from(team)
    }
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
