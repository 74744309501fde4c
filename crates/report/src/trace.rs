//! `trace`: one run, narrated ("write down what is happening").
//!
//! A [`Recorder`] watches a single run through the engine's [`Observer`] hook and keeps a
//! chronological log plus every service failure's root fault and propagation path; the
//! [`Trace`] renders that as a timeline followed by a short postmortem.

use faultline_core::engine::{Note, Observer, Sim};
use faultline_core::model::{Effect, Model, NONE, Source};
use faultline_core::propagation::{Class, Health, SvcState};
use faultline_core::response::DetectedBy;
use faultline_units::number::thousands;
use faultline_units::{human, stamp};
use std::fmt::Write;

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Simulated time, seconds.
    pub t: f64,
    /// What kind of thing happened: FAULT, ERROR, MASKED, FAILURE, REPAIRED, ...
    pub tag: &'static str,
    /// The sentence.
    pub text: String,
}

/// A service failure and how it came about.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// When.
    pub t: f64,
    /// The service component.
    pub service: u32,
    /// Root fault slot, [`NONE`] if unknown.
    pub root: u32,
    /// Components from the root fault's component to the service.
    pub path: Vec<u32>,
    /// When service came back (+inf if not within the run).
    pub restored: f64,
}

impl Failure {
    /// How long the failure lasted, for postmortems.
    pub fn lasted(&self) -> String {
        if self.restored.is_finite() {
            format!("lasted {}", human(self.restored - self.t))
        } else {
            "not restored within the run".to_string()
        }
    }
}

/// Records a run for the trace view.
pub struct Recorder<'m> {
    m: &'m Model,
    /// The timeline.
    pub lines: Vec<Line>,
    /// The failures.
    pub failures: Vec<Failure>,
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
            lines: vec![],
            failures: vec![],
            queue_samples: vec![],
            queue_decade: vec![0; m.queues.len()],
        }
    }

    fn push(&mut self, t: f64, tag: &'static str, text: String) {
        self.lines.push(Line { t, tag, text });
    }

    fn id(&self, c: u32) -> &str {
        &self.m.comps[c as usize].id
    }

    fn fault_name(&self, slot: u32) -> String {
        let s = &self.m.slots[slot as usize];
        format!("{} ({})", s.name, effect_name(s.effect))
    }

    fn describe(&self, h: Health) -> String {
        let mut s = format!("capacity {}", cap_text(h.cap));
        if h.slow > 1.0 {
            let _ = write!(s, ", latency ×{:.1}", h.slow);
        }
        if h.corrupt {
            s.push_str(", corrupt output");
        }
        s
    }

    fn blame(&self, cause: u32, via: u32) -> String {
        let mut s = String::new();
        if via != NONE {
            let _ = write!(s, " via {}", self.id(via));
        }
        if cause != NONE {
            let slot = &self.m.slots[cause as usize];
            let _ = write!(s, " (root: {} on {})", slot.name, self.id(slot.comp));
        }
        s
    }
}

/// A capacity with two decimals, or three where two would round a shortfall away (0.998).
fn cap_text(cap: f64) -> String {
    let two = format!("{cap:.2}");
    if cap < 1.0 && two == "1.00" {
        format!("{cap:.3}")
    } else {
        two
    }
}

fn effect_name(e: Effect) -> String {
    match e {
        Effect::Crash => "Crash".into(),
        Effect::Degrade(f) => format!("Degrade {f}"),
        Effect::Corrupt => "Corrupt".into(),
        Effect::Slow(f) => format!("Slow ×{f}"),
        Effect::Burst { jobs, over } => format!("Burst of {jobs} jobs over {}", human(over)),
    }
}

impl Observer for Recorder<'_> {
    const ACTIVE: bool = true;

    fn note(&mut self, t: f64, n: Note) {
        let m = self.m;
        match n {
            Note::Fault {
                slot,
                injected,
                active_at,
            } => {
                let s = &m.slots[slot as usize];
                if matches!(s.source, Source::Common(_)) {
                    return; // Announced once by Note::Common.
                }
                let mut text = format!("{}: {}", self.id(s.comp), self.fault_name(slot));
                if injected {
                    text.push_str(" [injected]");
                }
                if active_at > t {
                    let _ = write!(text, ", dormant until {}", stamp(active_at));
                }
                self.push(t, "FAULT", text);
            }
            Note::Common { cc, injected } => {
                let c = &m.common[cc as usize];
                let hits: Vec<&str> = c
                    .slots
                    .clone()
                    .map(|s| self.id(m.slots[s as usize].comp))
                    .collect();
                let effect = effect_name(m.slots[c.slots.start as usize].effect);
                let mut text = format!("{} ({effect}) strikes {}", c.name, hits.join(", "));
                if injected {
                    text.push_str(" [injected]");
                }
                self.push(t, "FAULT", text);
            }
            Note::Active { slot } => {
                let s = &m.slots[slot as usize];
                let text = format!("{}: {} wakes up", self.id(s.comp), s.name);
                self.push(t, "ACTIVE", text);
            }
            Note::Repaired { slot } => {
                let s = &m.slots[slot as usize];
                let text = format!("{}: {} fixed", self.id(s.comp), s.name);
                self.push(t, "REPAIRED", text);
            }
            Note::Change {
                comp,
                from,
                to,
                health,
                cause,
                via,
            } => {
                if m.comps[comp as usize].service.is_some() {
                    return; // Services get FAILURE / RECOVERED lines instead.
                }
                let (tag, text) = if to == Class::Healthy {
                    (
                        "CLEARED",
                        format!("{}: healthy again (was {})", self.id(comp), from.name()),
                    )
                } else {
                    // Worse than before is an error spreading; better is partial recovery.
                    let tag = if (to as u8) > (from as u8) {
                        "ERROR"
                    } else {
                        "IMPROVED"
                    };
                    (
                        tag,
                        format!(
                            "{}: {}, {}{}",
                            self.id(comp),
                            to.name(),
                            self.describe(health),
                            self.blame(cause, via)
                        ),
                    )
                };
                self.push(t, tag, text);
            }
            Note::Masked {
                group,
                member,
                by_backup,
            } => {
                let need = m.comps[group as usize].need;
                let n = m.members.row(group as usize).len();
                let text = if m.comps[group as usize].voter.is_some() {
                    if !m.members.row(group as usize).contains(&member) {
                        format!(
                            "{}: its backup {} is impaired, but a correct majority of {n} flies; users see nothing",
                            self.id(group),
                            self.id(member)
                        )
                    } else if by_backup {
                        format!(
                            "{}: no correct majority of {n}, so the backup flies; users see nothing (despite {})",
                            self.id(group),
                            self.id(member)
                        )
                    } else {
                        format!(
                            "{}: outvotes {} (a correct majority of {n} remains); users see nothing",
                            self.id(group),
                            self.id(member)
                        )
                    }
                } else {
                    format!(
                        "{}: absorbs the error in {} (needs {need} of {n}); users see nothing",
                        self.id(group),
                        self.id(member)
                    )
                };
                self.push(t, "MASKED", text);
            }
            Note::Tripped { comp, via } => {
                let text = if via == NONE {
                    format!("{}: trips under its own load", self.id(comp))
                } else {
                    format!(
                        "{}: trips under the load shifted from {}",
                        self.id(comp),
                        self.id(via)
                    )
                };
                self.push(t, "TRIPPED", text);
            }
            Note::Service {
                comp,
                from,
                to,
                health,
            } => {
                let spec = m.comps[comp as usize].service.expect("service");
                let (tag, text) = match to {
                    SvcState::Failed => {
                        let why = if health.corrupt {
                            "wrong results".to_string()
                        } else if health.cap < spec.slo {
                            format!("capacity {} < SLO {}", cap_text(health.cap), spec.slo)
                        } else {
                            format!("latency ×{:.1} > {}", health.slow, spec.max_slow)
                        };
                        ("FAILURE", format!("{}: {why}", self.id(comp)))
                    }
                    SvcState::Degraded => (
                        if from == SvcState::Failed {
                            "RESTORED"
                        } else {
                            "DEGRADED"
                        },
                        format!(
                            "{}: {} (within SLO {})",
                            self.id(comp),
                            self.describe(health),
                            spec.slo
                        ),
                    ),
                    SvcState::Up => (
                        "RECOVERED",
                        format!("{}: full service again", self.id(comp)),
                    ),
                };
                if from == SvcState::Failed
                    && let Some(f) = self.failures.iter_mut().rev().find(|f| f.service == comp)
                {
                    f.restored = t;
                }
                self.push(t, tag, text);
            }
            Note::EventCap => self.push(t, "CAP", "event cap reached: the run stops here".into()),
            Note::QueueSample {
                queue,
                waiting,
                parked,
                good,
                latency,
            } => {
                self.queue_samples.push(QueuePoint {
                    t,
                    queue,
                    waiting,
                    parked,
                    good,
                    latency,
                });
                let d = decade(waiting);
                let k = queue as usize;
                if d != self.queue_decade[k] {
                    let trend = if d > self.queue_decade[k] {
                        "grows past"
                    } else {
                        "falls below"
                    };
                    let mark = if d > self.queue_decade[k] {
                        10u64.pow(d as u32)
                    } else {
                        10u64.pow(d as u32 + 1)
                    };
                    self.queue_decade[k] = d;
                    let id = &m.comps[m.queues[k].comp as usize].id;
                    let text = format!(
                        "{id}: backlog {trend} {} ({} waiting, {} parked, {:.0}% of jobs on time)",
                        thousands(mark as f64),
                        thousands(waiting as f64),
                        thousands(parked as f64),
                        100.0 * good
                    );
                    self.push(t, "QUEUE", text);
                }
            }
            Note::Parked { queue, jobs } => {
                let id = &m.comps[m.queues[queue as usize].comp as usize].id;
                let text = format!(
                    "{id}: {} waiting jobs pulled into the parking lot",
                    thousands(jobs as f64)
                );
                self.push(t, "SHED", text);
            }
            Note::ParkedEmpty { queue } => {
                let id = &m.comps[m.queues[queue as usize].comp as usize].id;
                self.push(
                    t,
                    "SHED",
                    format!("{id}: every parked job has been fed back"),
                );
            }
            Note::Detected { comp, by } => {
                let how = match by {
                    DetectedBy::Alert(a) => {
                        let spec = m.alerts[a as usize];
                        format!("alert ({:?}, held {})", spec.when, human(spec.after))
                    }
                    DetectedBy::Customer => "a customer report".to_string(),
                };
                let text = format!("{}: noticed through {how}", self.id(comp));
                self.push(t, "DETECTED", text);
            }
            Note::Queued { incident } => self.push(
                t,
                "QUEUED",
                format!("incident #{incident}: every responder is busy; it waits"),
            ),
            Note::Paged { incident, ack_at } => self.push(
                t,
                "PAGED",
                format!(
                    "incident #{incident}: on-call paged, acknowledges at {}",
                    stamp(ack_at)
                ),
            ),
            Note::Acknowledged { incident } => self.push(
                t,
                "ACK",
                format!("incident #{incident}: responder starts diagnosing"),
            ),
            Note::Handoff {
                incident,
                notes,
                diagnosed_at,
            } => {
                let how = if notes {
                    "with written notes: the next responder picks up where they left off"
                } else {
                    "without notes: the next responder starts diagnosing again"
                };
                let text = format!(
                    "incident #{incident}: shift ends; hand-off {how} (diagnosed at {})",
                    stamp(diagnosed_at)
                );
                self.push(t, "HANDOFF", text);
            }
            Note::Diagnosed { incident } => self.push(
                t,
                "DIAGNOSED",
                format!("incident #{incident}: the responder knows what is broken"),
            ),
            Note::Resolved { incident } => self.push(
                t,
                "RESOLVED",
                format!(
                    "incident #{incident}: no failure users see comes from it now; responder free"
                ),
            ),
            Note::Mitigating {
                mitigation,
                comp,
                ready_at,
            } => {
                let label = m.mitigations[mitigation as usize].label;
                let text = format!(
                    "{}: {label} on its way, ready at {}",
                    self.id(comp),
                    stamp(ready_at)
                );
                self.push(t, "MITIGATE", text);
            }
            Note::Mitigated { mitigation, comp } => {
                let label = m.mitigations[mitigation as usize].label;
                let text = if label == "restart" {
                    format!("{}: the restart cleared the fault", self.id(comp))
                } else if label == "redesign" {
                    format!(
                        "{}: the redesign is deployed: the slowdown flaw is gone",
                        self.id(comp)
                    )
                } else if m.comps[comp as usize].queue != NONE {
                    format!("{}: {label} in effect", self.id(comp))
                } else {
                    format!(
                        "{}: {label} in place (the fault is still there; repair goes on)",
                        self.id(comp)
                    )
                };
                self.push(t, "MITIGATED", text);
            }
            Note::NoSpare { comp, .. } => self.push(
                t,
                "NO SPARE",
                format!("{}: no spare unit left in stock", self.id(comp)),
            ),
            Note::SpareFailed { comp } => self.push(
                t,
                "SPARE DOWN",
                format!("{}: the stand-in spare failed", self.id(comp)),
            ),
            Note::RestartFailed { comp } => self.push(
                t,
                "RESTART",
                format!("{}: restart did not clear the fault", self.id(comp)),
            ),
            Note::Withdrawn { mitigation, comp } => {
                let label = m.mitigations[mitigation as usize].label;
                let text = format!("{}: repaired; {label} withdrawn", self.id(comp));
                self.push(t, "WITHDRAWN", text);
            }
        }
    }

    fn failure(&mut self, t: f64, service: u32, root: u32, path: &[u32]) {
        self.failures.push(Failure {
            t,
            service,
            root,
            path: path.to_vec(),
            restored: f64::INFINITY,
        });
    }
}

/// A narrated run.
pub struct Trace {
    /// Seed of the study.
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// The timeline.
    pub lines: Vec<Line>,
    /// The failures, with paths.
    pub failures: Vec<Failure>,
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
        lines: rec.lines,
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

impl Trace {
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
            "{} — run {} of seed {}{under} over {} ({} events)\n",
            m.name,
            self.run,
            self.seed,
            human(m.horizon),
            self.events
        );
        if self.lines.is_empty() {
            s.push_str("(nothing happened in this run)\n");
        }
        let width = stamp(m.horizon).len();
        let mut fi = 0;
        for l in &self.lines {
            let _ = writeln!(s, "{:>width$}  {:<9} {}", stamp(l.t), l.tag, l.text);
            if l.tag == "FAILURE"
                && let Some(f) = self.failures.get(fi)
            {
                let _ = writeln!(s, "{:width$}  {:<9} {}", "", "", path_text(m, f));
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
                path_text(m, f)
            );
        }
        s
    }
}

/// How a failure's root fault slot is named: the fault's name, a common cause marked as
/// such, or "unexplained" for [`NONE`]. With `on_component`, an own fault also names its
/// component (for text that does not show the propagation path next to it).
pub(crate) fn root_name(m: &Model, root: u32, on_component: bool) -> String {
    if root == NONE {
        return "unexplained".to_string();
    }
    let slot = &m.slots[root as usize];
    match slot.source {
        Source::Common(cc) => format!("{} (common cause)", m.common[cc as usize].name),
        Source::Own if on_component => {
            format!("{} on {}", slot.name, m.comps[slot.comp as usize].id)
        }
        Source::Own => slot.name.clone(),
    }
}

fn path_text(m: &Model, f: &Failure) -> String {
    let root = root_name(m, f.root, false);
    let path: Vec<&str> = f
        .path
        .iter()
        .map(|&c| m.comps[c as usize].id.as_str())
        .collect();
    format!("path: [{root}] {}", path.join(" → "))
}
