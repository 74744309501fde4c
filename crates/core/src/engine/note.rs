//! What a run tells whoever watches it: typed notes, one per thing that happened.
//!
//! The Monte Carlo path watches with `()`, for which every call compiles to nothing; the
//! trace, the timeline and the postmortem watch with recorders of their own. Notes carry
//! indices into the [`Model`](crate::model::Model) (components, fault slots, incidents,
//! mitigations, queues), never text: how a note is told is the reader's business.

use super::propagation::{Class, Health, SvcState};
use super::response::DetectedBy;

/// Something that happened in a run, for whoever is watching (the `trace` view).
#[derive(Clone, Copy, Debug)]
pub enum Note {
    /// A fault occurred in a slot; it becomes an error at `active_at` (dormancy).
    Fault {
        /// The fault slot.
        slot: u32,
        /// Whether a scheduled injection caused it.
        injected: bool,
        /// When it becomes an error (now, unless it is dormant first).
        active_at: f64,
    },
    /// A common-cause fault struck.
    Common {
        /// The common cause.
        cc: u32,
        /// Whether a scheduled injection caused it.
        injected: bool,
    },
    /// A dormant fault became an error.
    Active {
        /// The fault slot.
        slot: u32,
    },
    /// A fault of a latent mode became an error nobody can see.
    Latent {
        /// The fault slot.
        slot: u32,
    },
    /// A latent fault was found, by a demand or an inspection; it is an active fault now.
    Revealed {
        /// The fault slot.
        slot: u32,
        /// When it became latent.
        since: f64,
        /// Found by an inspection (else revealed by a demand).
        inspection: bool,
    },
    /// A demand made a fault happen (failure on demand); its `Fault` note follows.
    FailedOnDemand {
        /// The fault slot.
        slot: u32,
    },
    /// An inspection ended.
    Inspected {
        /// The inspection.
        inspection: u32,
        /// Latent faults it found.
        found: u32,
    },
    /// A fault was repaired.
    Repaired {
        /// The fault slot.
        slot: u32,
    },
    /// A component's state class changed.
    Change {
        /// The component.
        comp: u32,
        /// Its class before.
        from: Class,
        /// Its class now.
        to: Class,
        /// What it delivers now.
        health: Health,
        /// The root fault slot behind it ([`NONE`](crate::model::NONE) if none).
        cause: u32,
        /// The dependency or member it came through ([`NONE`](crate::model::NONE) for its
        /// own fault).
        via: u32,
    },
    /// A group absorbed a member's error (the group itself stayed healthy).
    Masked {
        /// The group or voter.
        group: u32,
        /// The member (or a voter's backup) whose error it absorbed.
        member: u32,
        /// A voter without a correct majority whose backup is flying.
        by_backup: bool,
    },
    /// A component tripped under load shifted onto it.
    Tripped {
        /// The component.
        comp: u32,
        /// The component whose load it took ([`NONE`](crate::model::NONE): its own).
        via: u32,
    },
    /// A service changed state.
    Service {
        /// The service component.
        comp: u32,
        /// Its state before.
        from: SvcState,
        /// Its state now.
        to: SvcState,
        /// What it delivers now.
        health: Health,
    },
    /// The event cap stopped the run.
    EventCap,
    /// The memory budget stopped the run (too many jobs and pending events).
    MemoryBudget,
    /// A problem was detected on a component.
    Detected {
        /// The component.
        comp: u32,
        /// An alert, or a customer.
        by: DetectedBy,
    },
    /// An incident waits: every responder is busy.
    Queued {
        /// The incident.
        incident: u32,
    },
    /// A responder was paged.
    Paged {
        /// The incident.
        incident: u32,
        /// When the responder acknowledges.
        ack_at: f64,
    },
    /// The responder acknowledged and starts diagnosing.
    Acknowledged {
        /// The incident.
        incident: u32,
    },
    /// The people on an incident as they start diagnosing, when there is more than one
    /// or they tire: how many, their mean fatigue and the coordination factor of their size.
    Team {
        /// The incident.
        incident: u32,
        /// People on it.
        people: u32,
        /// Their mean fatigue factor (1: fresh).
        tired: f64,
        /// The coordination factor on their diagnosis (1: one person).
        coordination: f64,
    },
    /// A procedure did not work: a step was skipped or done wrong.
    Slipped {
        /// The mitigation.
        mitigation: u32,
        /// The component it was for.
        comp: u32,
        /// The first step that slipped (index into the procedure).
        step: u32,
        /// Done wrong (else skipped).
        wrong: bool,
        /// The fault slot it sets off, or [`NONE`](crate::model::NONE).
        worse: u32,
    },
    /// Shift change while the team has its hands on a mitigation: with notes rested
    /// colleagues take over, without them the same people carry on.
    Relieved {
        /// The incident.
        incident: u32,
        /// Whether written notes let someone take over.
        notes: bool,
    },
    /// Shift change during diagnosis.
    Handoff {
        /// The incident.
        incident: u32,
        /// Whether written notes let the next responder carry on.
        notes: bool,
        /// When the diagnosis is now expected.
        diagnosed_at: f64,
    },
    /// Diagnosis done.
    Diagnosed {
        /// The incident.
        incident: u32,
    },
    /// The responder is free: no failure is explained by this incident's root any more.
    Resolved {
        /// The incident.
        incident: u32,
    },
    /// A mitigation started for a component.
    Mitigating {
        /// The mitigation.
        mitigation: u32,
        /// The component it is for.
        comp: u32,
        /// When it will be in place.
        ready_at: f64,
    },
    /// A mitigation is in place (or a restart worked).
    Mitigated {
        /// The mitigation.
        mitigation: u32,
        /// The component it is for.
        comp: u32,
    },
    /// No spare unit left in stock.
    NoSpare {
        /// The spare mitigation.
        mitigation: u32,
        /// The component that needed one.
        comp: u32,
    },
    /// A spare unit waiting in stock failed (a warm spare's dormant failure).
    SpareLostInStock {
        /// The spare mitigation.
        mitigation: u32,
        /// Units still available in stock.
        left: u32,
    },
    /// A deployed spare failed.
    SpareFailed {
        /// The component it stood in for.
        comp: u32,
    },
    /// A restart did not clear the fault.
    RestartFailed {
        /// The component.
        comp: u32,
    },
    /// A stand-in was withdrawn: the component is repaired.
    Withdrawn {
        /// The mitigation.
        mitigation: u32,
        /// The component.
        comp: u32,
    },
    /// A queue's health window closed.
    QueueSample {
        /// The queue.
        queue: u32,
        /// Jobs waiting.
        waiting: u64,
        /// Jobs parked by shedding.
        parked: u64,
        /// The window's health share.
        good: f64,
        /// Mean time in system of the jobs done in the window (NaN if none).
        latency: f64,
    },
    /// Shedding pulled waiting jobs into the parking lot.
    Parked {
        /// The queue.
        queue: u32,
        /// How many.
        jobs: u64,
    },
    /// The parking lot is empty again: every pulled job was fed back.
    ParkedEmpty {
        /// The queue.
        queue: u32,
    },
    /// An operating phase began (index into the model's phase list).
    Phase {
        /// The phase.
        phase: u32,
        /// Whether a service failure in an aborting phase switched to it.
        abort: bool,
    },
}

/// Watches a run. The Monte Carlo path uses `()`, which compiles to nothing.
pub trait Observer {
    /// Whether the engine should build propagation paths for failures.
    const ACTIVE: bool = false;
    /// Called for each note.
    fn note(&mut self, _t: f64, _n: Note) {}
    /// Called when a service fails: the root fault slot ([`NONE`](crate::model::NONE) if
    /// unknown) and the path of components from the root's component to the service.
    fn failure(&mut self, _t: f64, _service: u32, _root: u32, _path: &[u32]) {}
}

impl Observer for () {}
