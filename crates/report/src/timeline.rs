//! The timeline of one run, as data for pictures and postmortems.
//!
//! [`trace`](crate::trace) narrates a run in sentences; this module keeps the same run as
//! structure: for every component, the intervals it spent in each state (with the
//! intervals a mitigation stood in for it), and the incident milestones (fault, detection,
//! acknowledgement, diagnosis, mitigation, repair) as time-stamped markers. The timeline
//! chart and the postmortem are drawn from it.

use faultline_core::engine::{Note, Observer, Sim};
use faultline_core::model::{MitigationKind, Model, NONE, Source};
use faultline_core::propagation::{Class, SvcState};
use faultline_core::response::DetectedBy;

/// What a component's lane shows over an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Delivering what it should.
    Healthy,
    /// Reduced capacity or slower, but up (a service: still within its SLO).
    Degraded,
    /// Up but delivering wrong results (a service: failed, users get wrong output).
    Corrupt,
    /// Capacity zero (a service: failed, below its SLO or too slow, whatever capacity
    /// remains).
    Down,
    /// A mitigation stands in for it (the fault is still there; repair goes on).
    Mitigated,
    /// Looks healthy, but a latent fault sits in it: it would fail if called on.
    Latent,
}

impl State {
    /// Every state, in legend order.
    pub const ALL: [State; 5] = [
        State::Healthy,
        State::Degraded,
        State::Corrupt,
        State::Down,
        State::Mitigated,
    ];

    /// The word people read in a legend.
    pub fn name(self) -> &'static str {
        match self {
            State::Healthy => "healthy",
            State::Degraded => "degraded",
            State::Corrupt => "corrupt (wrong output)",
            State::Down => "down",
            State::Mitigated => "mitigated (stand-in)",
            State::Latent => "latent (hidden)",
        }
    }

    /// The lane state of a propagation class (mitigation is the recorder's to add).
    fn of(c: Class) -> State {
        match c {
            Class::Healthy => State::Healthy,
            Class::Degraded => State::Degraded,
            Class::Corrupt => State::Corrupt,
            Class::Down => State::Down,
        }
    }
}

/// An interval of one state on one component's lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Start, seconds.
    pub from: f64,
    /// End, seconds.
    pub to: f64,
    /// The state.
    pub state: State,
}

/// Kinds of milestones, in the order an incident goes through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Milestone {
    /// A fault struck (one marker per component hit).
    Fault,
    /// A service users see failed.
    Failure,
    /// Someone or something noticed: an alert or a customer report.
    Detected,
    /// A responder acknowledged the page.
    Acknowledged,
    /// Shift change during diagnosis.
    Handoff,
    /// The responder knows what is broken.
    Diagnosed,
    /// A mitigation is in place.
    Mitigated,
    /// A service users see is back.
    Restored,
    /// A fault was repaired.
    Repaired,
}

impl Milestone {
    /// Every milestone, in legend order.
    pub const ALL: [Milestone; 9] = [
        Milestone::Fault,
        Milestone::Failure,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Handoff,
        Milestone::Diagnosed,
        Milestone::Mitigated,
        Milestone::Restored,
        Milestone::Repaired,
    ];

    /// The word people read in a legend.
    pub fn name(self) -> &'static str {
        match self {
            Milestone::Fault => "fault",
            Milestone::Failure => "service failure",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Handoff => "hand-off",
            Milestone::Diagnosed => "diagnosed",
            Milestone::Mitigated => "mitigated",
            Milestone::Restored => "service restored",
            Milestone::Repaired => "repaired",
        }
    }
}

/// A milestone at a time, on a component when it concerns one.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Simulated time, seconds.
    pub t: f64,
    /// What.
    pub what: Milestone,
    /// The component concerned ([`NONE`] for incident-wide milestones).
    pub comp: u32,
    /// The fault slot concerned (faults and repairs), else [`NONE`].
    pub slot: u32,
    /// Incident number (response milestones), else [`NONE`].
    pub incident: u32,
    /// What a reader decides on, typed (how it was detected, whether a hand-off had notes).
    pub cue: Cue,
    /// Extra words (how it was detected, which mitigation).
    pub detail: String,
}

/// The typed part of a marker beyond its kind, for readers that decide on it: words in
/// [`Marker::detail`] are for people and may be reworded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// Nothing beyond the kind.
    Plain,
    /// A detection, and what noticed.
    Detected(DetectedBy),
    /// A hand-off, with or without written notes.
    Handoff {
        /// Whether the responder going off shift left written notes.
        notes: bool,
    },
}

/// How an incident was first noticed.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// Simulated time, seconds.
    pub t: f64,
    /// What noticed: an alert, or a customer.
    pub by: DetectedBy,
    /// The same in words ("alert on feeder", "customer report").
    pub how: String,
}

impl Detection {
    /// Whether an alert noticed (rather than a customer report).
    pub fn by_alert(&self) -> bool {
        matches!(self.by, DetectedBy::Alert(_))
    }

    /// The detection a [`Milestone::Detected`] marker records.
    fn of(mk: &Marker) -> Option<Detection> {
        match mk.cue {
            Cue::Detected(by) => Some(Detection {
                t: mk.t,
                by,
                how: mk.detail.clone(),
            }),
            _ => None,
        }
    }
}

/// A shift change during diagnosis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Handoff {
    /// Simulated time, seconds.
    pub t: f64,
    /// Whether written notes went with it (the next responder picks up where the last
    /// left off instead of starting over).
    pub notes: bool,
}

impl Handoff {
    /// The hand-off in words, as the timeline chart labels it.
    pub fn words(&self) -> &'static str {
        if self.notes {
            "with notes"
        } else {
            "without notes"
        }
    }

    /// The hand-off a [`Milestone::Handoff`] marker records.
    fn of(mk: &Marker) -> Option<Handoff> {
        match mk.cue {
            Cue::Handoff { notes } => Some(Handoff { t: mk.t, notes }),
            _ => None,
        }
    }
}

/// One run, as lanes and markers.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Seconds simulated (the horizon, or where the event cap stopped the run).
    pub end: f64,
    /// Per component (model order): its state intervals, back to back from 0 to `end`.
    pub lanes: Vec<Vec<Segment>>,
    /// Milestones in time order.
    pub markers: Vec<Marker>,
    /// Service failures: (time, service component, root fault slot or [`NONE`]).
    pub failures: Vec<(f64, u32, u32)>,
}

/// One service failure and the incident around it, reconstructed from the markers.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The service component that failed.
    pub service: u32,
    /// Root fault slot ([`NONE`] when no single fault explains it).
    pub root: u32,
    /// When the root fault struck (the failure time when unknown).
    pub fault: f64,
    /// When the service failed.
    pub failed: f64,
    /// First detection after the fault.
    pub detected: Option<Detection>,
    /// First acknowledgement after the detection.
    pub acknowledged: Option<f64>,
    /// Hand-offs between the acknowledgement and the diagnosis.
    pub handoffs: Vec<Handoff>,
    /// Diagnosis.
    pub diagnosed: Option<f64>,
    /// First mitigation in place during the outage: (time, which).
    pub mitigated: Option<(f64, String)>,

    /// When users were served again (None: not within the run).
    pub restored: Option<f64>,
    /// When the root fault was repaired (None: not within the run).
    pub repaired: Option<f64>,
}

impl Episode {
    /// Whether a stand-in brought service back: one was in place, and service came back
    /// before the root fault was repaired (else the repair did, and a stand-in in place
    /// earlier did not help: too small, or a standby that was broken too).
    pub fn restored_by_stand_in(&self) -> bool {
        match (&self.mitigated, self.restored) {
            (Some(_), Some(r)) => self.repaired.is_none_or(|p| p > r + 1.0),
            _ => false,
        }
    }

    /// Seconds the service was down (to the end of the run when not restored).
    pub fn outage(&self) -> f64 {
        self.restored.unwrap_or(f64::INFINITY) - self.failed
    }

    /// The milestones in time order: (what, when, detail).
    pub fn steps(&self, m: &Model) -> Vec<(Milestone, f64, String)> {
        let mut v = vec![(Milestone::Fault, self.fault, String::new())];
        if self.failed > self.fault {
            v.push((Milestone::Failure, self.failed, String::new()));
        }
        if let Some(d) = &self.detected {
            v.push((Milestone::Detected, d.t, d.how.clone()));
        }
        if let Some(t) = self.acknowledged {
            v.push((Milestone::Acknowledged, t, String::new()));
        }
        for h in &self.handoffs {
            v.push((Milestone::Handoff, h.t, h.words().to_string()));
        }
        if let Some(t) = self.diagnosed {
            v.push((Milestone::Diagnosed, t, String::new()));
        }
        if let Some((t, what)) = &self.mitigated {
            v.push((Milestone::Mitigated, *t, what.clone()));
        }
        if let Some(t) = self.restored {
            v.push((Milestone::Restored, t, String::new()));
        }
        if let Some(t) = self.repaired {
            v.push((Milestone::Repaired, t, self.root_comp(m).to_string()));
        }
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The root fault's name: the fault mode, or the common cause.
    pub fn root_name(&self, m: &Model) -> String {
        if self.root == NONE {
            return "an unexplained failure".to_string();
        }
        let slot = &m.slots[self.root as usize];
        match slot.source {
            Source::Common(cc) => format!("{} (common cause)", m.common[cc as usize].name),
            Source::Own => slot.name.clone(),
        }
    }

    /// The component the root fault is in (for a common cause, the one the failure came
    /// through).
    pub fn root_comp<'m>(&self, m: &'m Model) -> &'m str {
        if self.root == NONE {
            return &m.comps[self.service as usize].id;
        }
        &m.comps[m.slots[self.root as usize].comp as usize].id
    }
}

impl Timeline {
    /// Components whose lane is not healthy all along.
    pub fn eventful(&self) -> Vec<usize> {
        (0..self.lanes.len())
            .filter(|&i| self.lanes[i].iter().any(|s| s.state != State::Healthy))
            .collect()
    }

    /// Markers of one kind.
    pub fn of(&self, what: Milestone) -> impl Iterator<Item = &Marker> {
        self.markers.iter().filter(move |m| m.what == what)
    }

    /// First marker of a kind at or after `t` that satisfies `ok`.
    fn first(&self, what: Milestone, t: f64, ok: impl Fn(&Marker) -> bool) -> Option<&Marker> {
        self.of(what).find(|mk| mk.t >= t && ok(mk))
    }

    /// Every service failure with the incident around it, in time order.
    ///
    /// Incidents are matched to failures by time (the first detection after the root
    /// fault, the first acknowledgement after that, ...): exact for one incident at a time,
    /// an approximation when incidents overlap.
    pub fn episodes(&self) -> Vec<Episode> {
        let mut out = vec![];
        for &(failed, service, root) in &self.failures {
            let restored = self
                .first(Milestone::Restored, failed, |mk| mk.comp == service)
                .map(|mk| mk.t);
            let fault = if root == NONE {
                failed
            } else {
                self.of(Milestone::Fault)
                    .filter(|mk| mk.slot == root && mk.t <= failed)
                    .map(|mk| mk.t)
                    .last()
                    .unwrap_or(failed)
            };
            let until = restored.unwrap_or(self.end);
            let detected = self
                .first(Milestone::Detected, fault, |mk| mk.t <= until)
                .and_then(Detection::of);
            let acknowledged = detected
                .as_ref()
                .and_then(|d| self.first(Milestone::Acknowledged, d.t, |_| true))
                .map(|mk| mk.t);
            let diagnosed = acknowledged
                .and_then(|a| self.first(Milestone::Diagnosed, a, |_| true))
                .map(|mk| mk.t);
            let handoffs = match (acknowledged, diagnosed) {
                (Some(a), Some(d)) => self
                    .of(Milestone::Handoff)
                    .filter(|mk| mk.t >= a && mk.t <= d)
                    .filter_map(Handoff::of)
                    .collect(),
                _ => vec![],
            };
            let mitigated = self
                .first(Milestone::Mitigated, diagnosed.unwrap_or(fault), |mk| {
                    mk.t <= until
                })
                .map(|mk| (mk.t, mk.detail.clone()));
            let repaired = if root == NONE {
                None
            } else {
                self.first(Milestone::Repaired, failed, |mk| mk.slot == root)
                    .map(|mk| mk.t)
            };
            out.push(Episode {
                service,
                root,
                fault,
                failed,
                detected,
                acknowledged,
                handoffs,
                diagnosed,
                mitigated,
                restored,
                repaired,
            });
        }
        out
    }
}

/// Watches a run and builds its [`Timeline`].
pub struct Recorder<'m> {
    m: &'m Model,
    class: Vec<State>,
    /// Per component, its state as users see it when it is a service (None otherwise):
    /// a service's lane shows whether its SLO holds, not its capacity.
    svc: Vec<Option<SvcState>>,
    mitigated: Vec<bool>,
    /// Per component: its latent faults not yet revealed.
    latent: Vec<u32>,
    since: Vec<f64>,
    lanes: Vec<Vec<Segment>>,
    markers: Vec<Marker>,
    failures: Vec<(f64, u32, u32)>,
}

impl<'m> Recorder<'m> {
    /// An empty recorder for `m`; every component starts in its template class.
    pub fn new(m: &'m Model, sim: &Sim<'m>) -> Recorder<'m> {
        let n = m.comps.len();
        Recorder {
            m,
            class: (0..sim.model().comps.len())
                .map(|i| State::of(sim.class(i)))
                .collect(),
            svc: m
                .comps
                .iter()
                .enumerate()
                .map(|(i, c)| c.service.map(|spec| SvcState::of(&spec, sim.out(i))))
                .collect(),
            mitigated: vec![false; n],
            latent: vec![0; n],
            since: vec![0.0; n],
            lanes: vec![vec![]; n],
            markers: vec![],
            failures: vec![],
        }
    }

    /// What component `i`'s lane shows now: a stand-in hides the class underneath. A
    /// service shows its SLO: failed is down (or corrupt, when users get wrong output),
    /// however much capacity remains; within its SLO it is at worst degraded.
    fn shown(&self, i: usize) -> State {
        let failed = self.svc[i] == Some(SvcState::Failed);
        if failed {
            return if self.class[i] == State::Corrupt {
                State::Corrupt
            } else {
                State::Down
            };
        }
        if self.mitigated[i] {
            return State::Mitigated;
        }
        match self.svc[i] {
            Some(SvcState::Degraded) => State::Degraded,
            Some(_) => State::Healthy,
            // Healthy to look at, broken underneath.
            None if self.latent[i] > 0 && self.class[i] == State::Healthy => State::Latent,
            None => self.class[i],
        }
    }

    /// Closes the current segment of `i` at `t` before a change.
    fn cut(&mut self, i: usize, t: f64) {
        let state = self.shown(i);
        let from = self.since[i];
        if t > from {
            let lane = &mut self.lanes[i];
            match lane.last_mut() {
                Some(last) if last.state == state && last.to == from => last.to = t,
                _ => lane.push(Segment { from, to: t, state }),
            }
        }
        self.since[i] = t;
    }

    /// A marker with no words and no cue.
    fn mark(&mut self, t: f64, what: Milestone, comp: u32, slot: u32, incident: u32) {
        self.marker(t, what, comp, slot, incident, String::new());
    }

    /// A marker with words `d` and no cue.
    fn marker(&mut self, t: f64, what: Milestone, comp: u32, slot: u32, inc: u32, d: String) {
        self.cued(t, what, (comp, slot, inc), Cue::Plain, d);
    }

    /// A marker with a [`Cue`]; `(comp, slot, incident)` as in [`Marker`].
    fn cued(&mut self, t: f64, what: Milestone, at: (u32, u32, u32), cue: Cue, d: String) {
        let (comp, slot, incident) = at;
        self.markers.push(Marker {
            t,
            what,
            comp,
            slot,
            incident,
            cue,
            detail: d,
        });
    }

    /// The finished timeline, up to `end`.
    pub fn finish(mut self, end: f64) -> Timeline {
        for i in 0..self.lanes.len() {
            self.cut(i, end);
        }
        Timeline {
            end,
            lanes: self.lanes,
            markers: self.markers,
            failures: self.failures,
        }
    }
}

impl Observer for Recorder<'_> {
    const ACTIVE: bool = true;

    fn failure(&mut self, t: f64, service: u32, root: u32, _path: &[u32]) {
        self.failures.push((t, service, root));
    }

    fn note(&mut self, t: f64, n: Note) {
        let m = self.m;
        match n {
            Note::Fault { slot, .. } => {
                let comp = m.slots[slot as usize].comp;
                let detail = match m.slots[slot as usize].source {
                    Source::Common(cc) => format!("{} (common cause)", m.common[cc as usize].name),
                    Source::Own => m.slots[slot as usize].name.clone(),
                };
                self.marker(t, Milestone::Fault, comp, slot, NONE, detail);
            }
            Note::Repaired { slot } => {
                let comp = m.slots[slot as usize].comp;
                let detail = m.slots[slot as usize].name.clone();
                self.marker(t, Milestone::Repaired, comp, slot, NONE, detail);
            }
            Note::Change { comp, to, .. } => {
                self.cut(comp as usize, t);
                self.class[comp as usize] = State::of(to);
            }
            Note::Service { comp, from, to, .. } => {
                self.cut(comp as usize, t);
                self.svc[comp as usize] = Some(to);
                if to == SvcState::Failed {
                    self.mark(t, Milestone::Failure, comp, NONE, NONE);
                } else if from == SvcState::Failed {
                    self.mark(t, Milestone::Restored, comp, NONE, NONE);
                }
            }
            Note::Detected { comp, by } => {
                let detail = match by {
                    DetectedBy::Alert(a) => {
                        let spec = m.alerts[a as usize];
                        format!("alert on {}", m.comps[spec.comp as usize].id)
                    }
                    DetectedBy::Customer => "customer report".to_string(),
                };
                let at = (comp, NONE, NONE);
                self.cued(t, Milestone::Detected, at, Cue::Detected(by), detail);
            }
            Note::Acknowledged { incident } => {
                self.mark(t, Milestone::Acknowledged, NONE, NONE, incident);
            }
            Note::Handoff {
                incident, notes, ..
            } => {
                let h = Handoff { t, notes };
                let at = (NONE, NONE, incident);
                let cue = Cue::Handoff { notes };
                self.cued(t, Milestone::Handoff, at, cue, h.words().into());
            }
            Note::Diagnosed { incident } => {
                self.mark(t, Milestone::Diagnosed, NONE, NONE, incident);
            }
            Note::Mitigated { mitigation, comp } => {
                let spec = &m.mitigations[mitigation as usize];
                let label = &*spec.label;
                // A spare or a failover stands in until withdrawn; a restart that worked
                // clears the fault itself, so there is nothing to show on the lane.
                if matches!(
                    spec.kind,
                    MitigationKind::Spare { .. } | MitigationKind::Failover { .. }
                ) {
                    self.cut(comp as usize, t);
                    self.mitigated[comp as usize] = true;
                }
                self.marker(t, Milestone::Mitigated, comp, NONE, NONE, label.into());
            }
            Note::Latent { slot } => {
                let comp = m.slots[slot as usize].comp as usize;
                self.cut(comp, t);
                self.latent[comp] += 1;
            }
            Note::Revealed { slot, .. } => {
                let comp = m.slots[slot as usize].comp as usize;
                self.cut(comp, t);
                self.latent[comp] -= 1;
            }
            Note::Withdrawn { comp, .. } | Note::SpareFailed { comp } => {
                self.cut(comp as usize, t);
                self.mitigated[comp as usize] = false;
            }
            // Other notes (and those added later, such as queue samples) draw nothing here.
            _ => {}
        }
    }
}

/// Simulates run `run` of the study seeded `seed` and returns its timeline.
pub fn record(m: &Model, seed: u64, run: u64) -> Timeline {
    let mut sim = Sim::new(m);
    let mut rec = Recorder::new(m, &sim);
    sim.run(seed, run, &mut rec);
    rec.finish(sim.simulated())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(t: f64, what: Milestone, comp: u32, slot: u32, cue: Cue, detail: &str) -> Marker {
        Marker {
            t,
            what,
            comp,
            slot,
            incident: NONE,
            cue,
            detail: detail.to_string(),
        }
    }

    #[test]
    fn episodes_carry_how_it_was_detected_and_handed_off_typed() {
        let plain = Cue::Plain;
        let tl = Timeline {
            end: 1000.0,
            lanes: vec![],
            markers: vec![
                marker(10.0, Milestone::Fault, 0, 0, plain, "wear"),
                marker(20.0, Milestone::Failure, 1, NONE, plain, ""),
                marker(
                    30.0,
                    Milestone::Detected,
                    1,
                    NONE,
                    Cue::Detected(DetectedBy::Customer),
                    "customer report",
                ),
                marker(40.0, Milestone::Acknowledged, NONE, NONE, plain, ""),
                marker(
                    50.0,
                    Milestone::Handoff,
                    NONE,
                    NONE,
                    Cue::Handoff { notes: true },
                    "with notes",
                ),
                marker(
                    55.0,
                    Milestone::Handoff,
                    NONE,
                    NONE,
                    Cue::Handoff { notes: false },
                    "without notes",
                ),
                marker(60.0, Milestone::Diagnosed, NONE, NONE, plain, ""),
                marker(100.0, Milestone::Restored, 1, NONE, plain, ""),
            ],
            failures: vec![(20.0, 1, 0)],
        };
        let ep = &tl.episodes()[0];
        let d = ep.detected.as_ref().expect("detected");
        assert_eq!(
            (d.t, d.by, d.by_alert()),
            (30.0, DetectedBy::Customer, false)
        );
        assert_eq!(
            ep.handoffs,
            [
                Handoff {
                    t: 50.0,
                    notes: true
                },
                Handoff {
                    t: 55.0,
                    notes: false
                }
            ]
        );
        assert_eq!((ep.acknowledged, ep.diagnosed), (Some(40.0), Some(60.0)));
        assert_eq!(ep.restored, Some(100.0));
    }
}
