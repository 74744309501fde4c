//! `trace`: one run, narrated ("write down what is happening").
//!
//! A [`Recorder`] watches a single run through the engine's [`Observer`] hook and keeps a
//! chronological log of typed [`Entry`]s plus every service failure's root fault and
//! propagation path; the [`Trace`] renders that as a timeline followed by a short
//! postmortem. The log keeps what happened (the engine's [`Note`]s, and backlog crossings),
//! not sentences: the words are rendered from it (`words.rs`), so the postmortem can count
//! and match entries by type and rewording a line changes nothing else.

use faultline_core::engine::{Note, Observer, Sim};
use faultline_core::model::{Model, Source};
use faultline_core::propagation::SvcState;
use faultline_units::number::thousands;
use faultline_units::{human, stamp};
use serde::Serialize;
use std::fmt::Write;

mod words;

pub(crate) use words::root_name;

/// One line of the timeline as text: the form the trace prints and the postmortem puts in
/// its timeline table.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Simulated time, seconds.
    pub t: f64,
    /// What kind of thing happened: FAULT, ERROR, MASKED, FAILURE, REPAIRED, ...
    pub tag: &'static str,
    /// The sentence.
    pub text: String,
}

/// What the trace keeps of one moment of a run: typed, so that readers decide on what
/// happened rather than on how it was worded.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// A note from the engine, as it came. Only notes with a line of their own are kept
    /// (a common cause's slots are told once, by its `Common` note; a service's state
    /// changes by its `Service` notes; queue samples as [`Event::Backlog`] crossings).
    Note(Note),
    /// A queue's waiting line crossed a power of ten since the last crossing told: a trace
    /// of a queue would otherwise be one line per health window.
    Backlog {
        /// Queue index in the model.
        queue: u32,
        /// Whether the line grew past `mark` (else it fell below it).
        rising: bool,
        /// The power of ten crossed.
        mark: u64,
        /// Jobs waiting at the crossing.
        waiting: u64,
        /// Jobs parked by shedding at the crossing.
        parked: u64,
        /// Health share of the window.
        good: f64,
    },
}

/// One entry of the trace: when, and what happened. Entries are made only by the
/// [`Recorder`], which keeps only events the trace has words for.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    t: f64,
    event: Event,
}

impl Entry {
    /// Simulated time, seconds.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// What happened.
    pub fn event(&self) -> Event {
        self.event
    }

    /// The engine's note, for entries that are one.
    pub fn note(&self) -> Option<Note> {
        match self.event {
            Event::Note(n) => Some(n),
            Event::Backlog { .. } => None,
        }
    }

    /// Whether a service users see failed here: the trace follows such a line with the
    /// failure's propagation path.
    pub fn is_service_failure(&self) -> bool {
        matches!(
            self.note(),
            Some(Note::Service {
                to: SvcState::Failed,
                ..
            })
        )
    }

    /// The component the entry is about, if it is about one: a fault's component, the
    /// component that changed, the group that masked, the queue's component... (`None` for
    /// a common cause, an incident or the run's own limits).
    pub fn component(&self, m: &Model) -> Option<u32> {
        let slot = |s: u32| Some(m.slots[s as usize].comp);
        let queue = |q: u32| Some(m.queues[q as usize].comp);
        match self.event {
            Event::Backlog { queue: q, .. } => queue(q),
            Event::Note(n) => match n {
                Note::Fault { slot: s, .. }
                | Note::Active { slot: s }
                | Note::Latent { slot: s }
                | Note::Revealed { slot: s, .. }
                | Note::FailedOnDemand { slot: s }
                | Note::Repaired { slot: s } => slot(s),
                Note::Inspected { inspection, .. } => Some(m.inspections[inspection as usize].on),
                Note::Change { comp, .. }
                | Note::Tripped { comp, .. }
                | Note::Service { comp, .. }
                | Note::Detected { comp, .. }
                | Note::Mitigating { comp, .. }
                | Note::Mitigated { comp, .. }
                | Note::NoSpare { comp, .. }
                | Note::SpareFailed { comp }
                | Note::RestartFailed { comp }
                | Note::Slipped { comp, .. }
                | Note::Withdrawn { comp, .. } => Some(comp),
                Note::Masked { group, .. } => Some(group),
                Note::QueueSample { queue: q, .. }
                | Note::Parked { queue: q, .. }
                | Note::ParkedEmpty { queue: q } => queue(q),
                Note::Common { .. }
                | Note::EventCap
                | Note::MemoryBudget
                | Note::Queued { .. }
                | Note::Paged { .. }
                | Note::Acknowledged { .. }
                | Note::Team { .. }
                | Note::Relieved { .. }
                | Note::Handoff { .. }
                | Note::Diagnosed { .. }
                | Note::Resolved { .. }
                | Note::SpareLostInStock { .. }
                | Note::Phase { .. } => None,
            },
        }
    }

    /// The entry as a line of text, with the names of `m` (the model the run was
    /// recorded under).
    pub fn line(&self, m: &Model) -> Line {
        let (tag, text) = words::tell(m, self.t, self.event);
        Line {
            t: self.t,
            tag,
            text,
        }
    }
}

/// A service users see failing and how it came about: its root fault and the path the
/// error took, which the trace prints under the FAILURE line and the postmortems list.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceFailure {
    /// When.
    pub t: f64,
    /// The service component.
    pub service: u32,
    /// Root fault slot, [`NONE`](faultline_core::model::NONE) if unknown.
    pub root: u32,
    /// Components from the root fault's component to the service.
    pub path: Vec<u32>,
    /// When service came back (+inf if not within the run).
    pub restored: f64,
}

impl ServiceFailure {
    /// How long the failure lasted, for postmortems.
    pub fn lasted(&self) -> String {
        if self.restored.is_finite() {
            format!("lasted {}", human(self.restored - self.t))
        } else {
            "not restored within the run".to_string()
        }
    }
}

/// The engine's observer for the trace view: keeps what the engine reports during one
/// run. Public so that a caller simulating a run itself can narrate it too.
pub struct Recorder<'m> {
    m: &'m Model,
    /// The timeline.
    pub entries: Vec<Entry>,
    /// The failures.
    pub failures: Vec<ServiceFailure>,
    /// Queue samples, one per queue per window.
    pub queue_samples: Vec<QueuePoint>,
    /// Per queue, the order of magnitude of the waiting line last reported.
    queue_decade: Vec<i32>,
}

/// A queue at the end of one health window of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueuePoint {
    /// Simulated time, seconds.
    pub t: f64,
    /// Queue index in the model.
    pub queue: u32,
    /// Jobs waiting.
    pub waiting: u64,
    /// Jobs parked by shedding.
    pub parked: u64,
    /// Health share of the window.
    pub good: f64,
    /// Mean time in system of the jobs done in the window (NaN if none).
    pub latency: f64,
}

/// Order of magnitude of a queue length, for "the backlog crossed 1,000" lines.
fn decade(n: u64) -> i32 {
    if n < 10 {
        0
    } else {
        (n as f64).log10().floor() as i32
    }
}

impl<'m> Recorder<'m> {
    /// An empty recorder for `m`.
    pub fn new(m: &'m Model) -> Recorder<'m> {
        Recorder {
            m,
            entries: vec![],
            failures: vec![],
            queue_samples: vec![],
            queue_decade: vec![0; m.queues.len()],
        }
    }

    /// The only place entries are made: see [`Entry`].
    fn push(&mut self, t: f64, event: Event) {
        self.entries.push(Entry { t, event });
    }

    /// Whether `n` gets a line of its own (see [`Event::Note`]).
    fn tells(&self, n: Note) -> bool {
        match n {
            Note::Fault { slot, .. } => {
                !matches!(self.m.slots[slot as usize].source, Source::Common(_))
            }
            Note::Change { comp, .. } => self.m.comps[comp as usize].service.is_none(),
            Note::QueueSample { .. } => false,
            _ => true,
        }
    }

    /// A service leaving the failed state ends its latest failure.
    fn service(&mut self, t: f64, comp: u32, from: SvcState) {
        if from == SvcState::Failed
            && let Some(f) = self.failures.iter_mut().rev().find(|f| f.service == comp)
        {
            f.restored = t;
        }
    }

    /// Keeps every sample for the queue charts, and an entry when the waiting line crosses
    /// a power of ten.
    fn queue_sample(&mut self, p: QueuePoint) {
        self.queue_samples.push(p);
        let d = decade(p.waiting);
        let k = p.queue as usize;
        let was = self.queue_decade[k];
        if d == was {
            return;
        }
        let rising = d > was;
        let mark = if rising {
            10u64.pow(d as u32)
        } else {
            10u64.pow(d as u32 + 1)
        };
        self.queue_decade[k] = d;
        self.push(
            p.t,
            Event::Backlog {
                queue: p.queue,
                rising,
                mark,
                waiting: p.waiting,
                parked: p.parked,
                good: p.good,
            },
        );
    }
}

impl Observer for Recorder<'_> {
    const ACTIVE: bool = true;

    fn note(&mut self, t: f64, n: Note) {
        match n {
            Note::QueueSample {
                queue,
                waiting,
                parked,
                good,
                latency,
            } => self.queue_sample(QueuePoint {
                t,
                queue,
                waiting,
                parked,
                good,
                latency,
            }),
            Note::Service { comp, from, .. } => {
                self.service(t, comp, from);
                self.push(t, Event::Note(n));
            }
            _ if self.tells(n) => self.push(t, Event::Note(n)),
            _ => {}
        }
    }

    fn failure(&mut self, t: f64, service: u32, root: u32, path: &[u32]) {
        self.failures.push(ServiceFailure {
            t,
            service,
            root,
            path: path.to_vec(),
            restored: f64::INFINITY,
        });
    }
}

/// One run as `faultline trace` tells it, and as the postmortem and the HTML report's
/// queue charts read it.
pub struct Trace {
    /// Seed of the study.
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// The timeline, typed; [`Trace::lines`] has it as text.
    pub entries: Vec<Entry>,
    /// The failures, with paths.
    pub failures: Vec<ServiceFailure>,
    /// Per service: (downtime s, failures, user-minutes).
    pub services: Vec<(f64, u32, f64)>,
    /// Events processed.
    pub events: u64,
    /// Whether the event cap stopped the run.
    pub capped: bool,
    /// Queue samples of the run, one per queue per window.
    pub queue_samples: Vec<QueuePoint>,
}

/// Simulates run `run` of the study seeded `seed` and records it.
pub fn record(m: &Model, seed: u64, run: u64) -> Trace {
    let mut sim = Sim::new(m);
    let mut rec = Recorder::new(m);
    sim.run(seed, run, &mut rec);
    Trace {
        seed,
        run,
        entries: rec.entries,
        failures: rec.failures,
        services: sim
            .books
            .svc
            .iter()
            .map(|s| (s.downtime, s.failures, s.user_seconds / 60.0))
            .collect(),
        events: sim.events,
        capped: sim.capped,
        queue_samples: rec.queue_samples,
    }
}

/// What `trace --json` prints: the run, its events as the text trace tells them, its
/// service failures and their impact (keys in `docs/scenario-format.md` §4.2).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct TraceJson {
    /// The faultline version that produced it.
    pub faultline_version: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// The strategy simulated ("baseline" for the scenario as written).
    pub strategy: String,
    /// Master seed.
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// Simulated time of the run, seconds.
    pub horizon_s: f64,
    /// Engine events processed.
    pub events_processed: u64,
    /// Whether the event cap or the memory budget stopped the run.
    pub capped: bool,
    /// The timeline, one entry per line of the text trace, in order.
    pub events: Vec<TraceEventJson>,
    /// Every service failure with its root fault and path, in order.
    pub failures: Vec<TraceFailureJson>,
    /// Per service: what the run cost its users.
    pub services: Vec<TraceServiceJson>,
}

/// One event of a traced run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct TraceEventJson {
    /// Simulated time, seconds.
    pub t_s: f64,
    /// The time as the text trace prints it (`day 3 04:12:07`).
    pub time: String,
    /// The kind of event: FAULT, ERROR, MASKED, FAILURE, REPAIRED, ...
    pub kind: &'static str,
    /// The component it is about (null for a common cause, an incident, the event cap).
    pub component: Option<String>,
    /// The strategy simulated.
    pub strategy: String,
    /// Run index.
    pub run: u64,
    /// The sentence the text trace prints.
    pub text: String,
}

/// A service failure of a traced run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct TraceFailureJson {
    /// The service.
    pub service: String,
    /// When it failed, seconds.
    pub t_s: f64,
    /// When it was restored, seconds (null if not within the run).
    pub restored_s: Option<f64>,
    /// The root fault ("unexplained" when no single fault explains it).
    pub root: String,
    /// Components from the root fault's component to the service.
    pub path: Vec<String>,
}

/// One service's impact in a traced run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct TraceServiceJson {
    /// The service.
    pub id: String,
    /// Seconds failed.
    pub downtime_s: f64,
    /// Failures.
    pub failures: u32,
    /// User-minutes affected.
    pub user_minutes: f64,
}

impl Trace {
    /// The run as `trace --json` prints it, with the names of `m` (the model the run was
    /// recorded under).
    pub fn json(&self, m: &Model) -> TraceJson {
        let id = |c: u32| m.comps[c as usize].id.clone();
        TraceJson {
            faultline_version: crate::json::VERSION,
            scenario: m.name.clone(),
            strategy: m.strategy.clone(),
            seed: self.seed,
            run: self.run,
            horizon_s: m.horizon,
            events_processed: self.events,
            capped: self.capped,
            events: self
                .entries
                .iter()
                .map(|e| {
                    let l = e.line(m);
                    TraceEventJson {
                        t_s: l.t,
                        time: stamp(l.t),
                        kind: l.tag,
                        component: e.component(m).map(id),
                        strategy: m.strategy.clone(),
                        run: self.run,
                        text: l.text,
                    }
                })
                .collect(),
            failures: self
                .failures
                .iter()
                .map(|f| TraceFailureJson {
                    service: id(f.service),
                    t_s: f.t,
                    restored_s: f.restored.is_finite().then_some(f.restored),
                    root: root_name(m, f.root, true),
                    path: f.path.iter().map(|&c| id(c)).collect(),
                })
                .collect(),
            services: m
                .services
                .iter()
                .zip(&self.services)
                .map(
                    |(&c, &(downtime_s, failures, user_minutes))| TraceServiceJson {
                        id: id(c),
                        downtime_s,
                        failures,
                        user_minutes,
                    },
                )
                .collect(),
        }
    }

    /// The timeline as text, with the names of `m` (the model the run was recorded under).
    pub fn lines(&self, m: &Model) -> Vec<Line> {
        self.entries.iter().map(|e| e.line(m)).collect()
    }

    /// How many times redundancy absorbed an error before users saw it.
    pub fn masked_errors(&self) -> usize {
        self.count(|n| matches!(n, Note::Masked { .. }))
    }

    /// Latent faults a demand revealed, as (fault slot, seconds it had been hidden), in
    /// the order they were revealed.
    pub fn revealed_on_demand(&self) -> Vec<(u32, f64)> {
        self.entries
            .iter()
            .filter_map(|e| match e.note() {
                Some(Note::Revealed {
                    slot,
                    since,
                    inspection: false,
                }) => Some((slot, e.t() - since)),
                _ => None,
            })
            .collect()
    }

    /// Procedures that slipped: (time, mitigation, component, step, done wrong, the fault
    /// slot it set off or NONE), in time order.
    pub fn slips(&self) -> Vec<(f64, u32, u32, u32, bool, u32)> {
        self.entries
            .iter()
            .filter_map(|e| match e.note() {
                Some(Note::Slipped {
                    mitigation,
                    comp,
                    step,
                    wrong,
                    worse,
                }) => Some((e.t(), mitigation, comp, step, wrong, worse)),
                _ => None,
            })
            .collect()
    }

    /// The most tired anyone on an incident was as they started diagnosing (1 if nobody
    /// was tired or fatigue is not modelled).
    pub fn peak_fatigue(&self) -> f64 {
        self.entries
            .iter()
            .filter_map(|e| match e.note() {
                Some(Note::Team { tired, .. }) => Some(tired),
                _ => None,
            })
            .fold(1.0, f64::max)
    }

    /// How many latent faults inspections found.
    pub fn found_by_inspection(&self) -> usize {
        self.count(|n| {
            matches!(
                n,
                Note::Revealed {
                    inspection: true,
                    ..
                }
            )
        })
    }

    /// How many incidents waited because every responder was busy.
    pub fn queued_incidents(&self) -> usize {
        self.count(|n| matches!(n, Note::Queued { .. }))
    }

    /// Entries that are an engine note satisfying `what`.
    fn count(&self, what: impl Fn(Note) -> bool) -> usize {
        self.entries
            .iter()
            .filter(|e| e.note().is_some_and(&what))
            .count()
    }

    /// Timeline and postmortem as text.
    pub fn render(&self, m: &Model) -> String {
        let mut s = String::new();
        let under = if m.strategy == "baseline" {
            String::new()
        } else {
            format!(" under strategy {}", m.strategy)
        };
        let _ = writeln!(
            s,
            "{} — run {} of seed {}{under} over {} ({} events)",
            m.name,
            self.run,
            self.seed,
            human(m.horizon),
            thousands(self.events as f64)
        );
        // `day 3 04:12:07` counts days from 0 like a clock counts hours: say so once.
        let _ = writeln!(
            s,
            "Times are day D hh:mm:ss since the run started: day 0 is its first 24 hours.\n"
        );
        if self.entries.is_empty() {
            s.push_str("(nothing happened in this run)\n");
        }
        let width = stamp(m.horizon).len();
        let mut fi = 0;
        for e in &self.entries {
            let l = e.line(m);
            let _ = writeln!(s, "{:>width$}  {:<9} {}", stamp(l.t), l.tag, l.text);
            if e.is_service_failure()
                && let Some(f) = self.failures.get(fi)
            {
                let _ = writeln!(s, "{:width$}  {:<9} {}", "", "", words::path_text(m, f));
                fi += 1;
            }
        }
        s.push('\n');
        s.push_str(&self.postmortem(m));
        s
    }

    /// The short postmortem: impact per service, root faults and their paths.
    pub fn postmortem(&self, m: &Model) -> String {
        let mut s = String::from("Postmortem\n");
        if self.capped {
            s.push_str(
                "  (the event cap stopped this run early; figures cover the time simulated)\n",
            );
        }
        for (k, &c) in m.services.iter().enumerate() {
            let (down, failures, um) = self.services[k];
            let id = &m.comps[c as usize].id;
            if failures == 0 {
                let _ = writeln!(s, "  {id}: no failure.");
                continue;
            }
            let _ = writeln!(
                s,
                "  {id}: failed {failures} time{}, down {} in total; {} user-minutes affected.",
                if failures == 1 { "" } else { "s" },
                human(down),
                thousands(um)
            );
        }
        if self.failures.is_empty() {
            return s;
        }
        s.push_str("  Root faults and how they spread:\n");
        for f in &self.failures {
            let lasted = f.lasted();
            let _ = writeln!(
                s,
                "  - {} at {}: {} ({lasted})",
                m.comps[f.service as usize].id,
                stamp(f.t),
                words::path_text(m, f)
            );
        }
        s
    }
}
