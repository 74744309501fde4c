//! The trace's words: every kept [`Event`] told as a tag and a sentence.
//!
//! The sentences live apart from the recording so that they can be reworded without
//! touching what the postmortem counts and matches: it reads the typed [`Event`]s, never
//! these words. One function per concern (faults, spreading errors, services, queues,
//! incident response, mitigations) keeps each family of sentences in one place.

use super::{Event, ServiceFailure};
use faultline_core::engine::Note;
use faultline_core::model::{Condition, Effect, Logic, Model, NONE, Source};
use faultline_core::propagation::{Class, Health, SvcState};
use faultline_core::response::DetectedBy;
use faultline_units::number::thousands;
use faultline_units::{human, stamp};
use std::fmt::Write;

/// A line's tag (FAULT, ERROR, MASKED, ...) and its sentence.
type Told = (&'static str, String);

/// The tag and sentence of an event that happened at `t` in a run of `m`.
///
/// The recorder keeps only events the trace tells (see `Recorder::tells`), so every kept
/// event has words.
pub(super) fn tell(m: &Model, t: f64, e: Event) -> Told {
    let w = Words(m);
    let told = match e {
        Event::Backlog {
            queue,
            rising,
            mark,
            waiting,
            parked,
            good,
        } => Some(w.backlog(queue, rising, mark, waiting, parked, good)),
        Event::Note(n) => w
            .faults(t, n)
            .or_else(|| w.spread(n))
            .or_else(|| w.service(n))
            .or_else(|| w.queues(n))
            .or_else(|| w.response(n))
            .or_else(|| w.mitigations(n)),
    };
    told.expect("the trace keeps only events it has words for")
}

/// The model an event's indices point into, for the names in its sentence.
struct Words<'m>(&'m Model);

impl Words<'_> {
    /// Component `c`'s id, as the scenario names it.
    fn id(&self, c: u32) -> &str {
        &self.0.comps[c as usize].id
    }

    /// A queue is named by its component.
    fn queue_id(&self, queue: u32) -> &str {
        self.id(self.0.queues[queue as usize].comp)
    }

    /// A fault mode with its effect, so a FAULT line says what it does.
    fn fault_name(&self, slot: u32) -> String {
        let s = &self.0.slots[slot as usize];
        format!("{} ({})", s.name, effect_name(s.effect))
    }

    /// A component's health as far as it departs from nominal: capacity always, latency
    /// and corruption when present.
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

    /// Where an error came from: the dependency it came through and its root fault.
    fn blame(&self, cause: u32, via: u32) -> String {
        let mut s = String::new();
        if via != NONE {
            let _ = write!(s, " via {}", self.id(via));
        }
        if cause != NONE {
            let slot = &self.0.slots[cause as usize];
            let _ = write!(s, " (root: {} on {})", slot.name, self.id(slot.comp));
        }
        s
    }

    /// Faults striking, waking up and being repaired; and the event cap ending the run.
    fn faults(&self, t: f64, n: Note) -> Option<Told> {
        let m = self.0;
        let told = match n {
            Note::Fault {
                slot,
                injected,
                active_at,
            } => {
                let s = &m.slots[slot as usize];
                let mut text = format!("{}: {}", self.id(s.comp), self.fault_name(slot));
                if injected {
                    text.push_str(" [injected]");
                }
                if active_at > t {
                    let _ = write!(text, ", dormant until {}", stamp(active_at));
                }
                ("FAULT", text)
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
                ("FAULT", text)
            }
            Note::Active { slot } => {
                let s = &m.slots[slot as usize];
                (
                    "ACTIVE",
                    format!("{}: {} wakes up", self.id(s.comp), s.name),
                )
            }
            Note::Repaired { slot } => {
                let s = &m.slots[slot as usize];
                ("REPAIRED", format!("{}: {} fixed", self.id(s.comp), s.name))
            }
            Note::Latent { slot } => {
                let s = &m.slots[slot as usize];
                let text = format!(
                    "{}: {} is latent: nothing shows until a demand or an inspection finds it",
                    self.id(s.comp),
                    self.fault_name(slot)
                );
                ("LATENT", text)
            }
            Note::Revealed {
                slot,
                since,
                inspection,
            } => {
                let s = &m.slots[slot as usize];
                let how = if inspection {
                    "found by inspection"
                } else {
                    "revealed on demand"
                };
                let text = format!(
                    "{}: latent {} {how}; it had been there for {}",
                    self.id(s.comp),
                    s.name,
                    human(t - since)
                );
                (if inspection { "FOUND" } else { "REVEALED" }, text)
            }
            Note::FailedOnDemand { slot } => {
                let s = &m.slots[slot as usize];
                let text = format!("{}: fails on demand ({})", self.id(s.comp), s.name);
                ("DEMAND", text)
            }
            Note::Inspected { inspection, found } => {
                let x = &m.inspections[inspection as usize];
                let what = match found {
                    0 => "nothing found".to_string(),
                    1 => "found 1 latent fault".to_string(),
                    n => format!("found {n} latent faults"),
                };
                (
                    "INSPECTED",
                    format!("{}: inspection done, {what}", self.id(x.on)),
                )
            }
            Note::EventCap => ("CAP", "event cap reached: the run stops here".into()),
            Note::Phase { phase, abort } => self.phase(phase, abort),
            Note::MemoryBudget => (
                "CAP",
                "memory budget reached (too many jobs and pending events): the run stops here"
                    .into(),
            ),
            _ => return None,
        };
        Some(told)
    }

    /// An operating phase beginning, on schedule or by an abort.
    fn phase(&self, phase: u32, abort: bool) -> Told {
        let name = self
            .0
            .phases
            .as_ref()
            .map_or("?", |p| p.list[phase as usize].name.as_str());
        if abort {
            (
                "ABORT",
                format!("a service failed: abort, phase {name} begins"),
            )
        } else {
            ("PHASE", format!("phase {name} begins"))
        }
    }

    /// Errors spreading and clearing, redundancy masking them, load tripping components.
    fn spread(&self, n: Note) -> Option<Told> {
        let told = match n {
            Note::Change {
                comp,
                from,
                to,
                health,
                cause,
                via,
            } => {
                if to == Class::Healthy {
                    let text = format!("{}: healthy again (was {})", self.id(comp), from.name());
                    return Some(("CLEARED", text));
                }
                // Worse than before is an error spreading; better is partial recovery.
                let tag = if (to as u8) > (from as u8) {
                    "ERROR"
                } else {
                    "IMPROVED"
                };
                let text = format!(
                    "{}: {}, {}{}",
                    self.id(comp),
                    to.name(),
                    self.describe(health),
                    self.blame(cause, via)
                );
                (tag, text)
            }
            Note::Masked {
                group,
                member,
                by_backup,
            } => ("MASKED", self.masked(group, member, by_backup)),
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
                ("TRIPPED", text)
            }
            _ => return None,
        };
        Some(told)
    }

    /// How a group (k-of-n, or a voter with its backup) kept a member's error from users.
    fn masked(&self, group: u32, member: u32, by_backup: bool) -> String {
        let m = self.0;
        let need = m.comps[group as usize].need;
        let n = m.members.row(group as usize).len();
        if m.comps[group as usize].voter.is_none() {
            let why = match m.comps[group as usize].logic {
                Logic::KofN => format!("needs {need} of {n}"),
                Logic::InOrder => format!("down only when all {n} go down in the order listed"),
                Logic::First => "down only when its first member goes down first".to_string(),
                Logic::Spares => "another member serves".to_string(),
            };
            return format!(
                "{}: absorbs the error in {} ({why}); users see nothing",
                self.id(group),
                self.id(member)
            );
        }
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
    }

    /// A service users see failing, degrading within its SLO, coming back.
    fn service(&self, n: Note) -> Option<Told> {
        let Note::Service {
            comp,
            from,
            to,
            health,
        } = n
        else {
            return None;
        };
        let spec = self.0.comps[comp as usize].service.expect("service");
        let told = match to {
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
        Some(told)
    }

    /// A queue's waiting line crossing a power of ten.
    fn backlog(
        &self,
        queue: u32,
        rising: bool,
        mark: u64,
        waiting: u64,
        parked: u64,
        good: f64,
    ) -> Told {
        let trend = if rising { "grows past" } else { "falls below" };
        let text = format!(
            "{}: backlog {trend} {} ({} waiting, {} parked, {:.0}% of jobs on time)",
            self.queue_id(queue),
            thousands(mark as f64),
            thousands(waiting as f64),
            thousands(parked as f64),
            100.0 * good
        );
        ("QUEUE", text)
    }

    /// Shedding into the parking lot and feeding it back. (Queue samples are told as
    /// [`Event::Backlog`] crossings, not one by one.)
    fn queues(&self, n: Note) -> Option<Told> {
        let text = match n {
            Note::Parked { queue, jobs } => format!(
                "{}: {} waiting jobs pulled into the parking lot",
                self.queue_id(queue),
                thousands(jobs as f64)
            ),
            Note::ParkedEmpty { queue } => format!(
                "{}: every parked job has been fed back",
                self.queue_id(queue)
            ),
            _ => return None,
        };
        Some(("SHED", text))
    }

    /// An incident from detection to resolution: paging, waiting, diagnosing, hand-offs.
    fn response(&self, n: Note) -> Option<Told> {
        let told = match n {
            Note::Detected { comp, by } => {
                let how = match by {
                    DetectedBy::Alert(a) => {
                        let spec = self.0.alerts[a as usize];
                        match spec.when {
                            Condition::Burn(b) => format!(
                                "burn-rate alert (budget burning {}× too fast over {} and {})",
                                faultline_units::number::trim_number(b.factor),
                                human(b.long),
                                human(b.short)
                            ),
                            _ => format!("alert ({:?}, held {})", spec.when, human(spec.after)),
                        }
                    }
                    DetectedBy::Customer => "a customer report".to_string(),
                };
                let text = format!("{}: noticed through {how}", self.id(comp));
                ("DETECTED", text)
            }
            Note::Queued { incident } => (
                "QUEUED",
                format!("incident #{incident}: every responder is busy; it waits"),
            ),
            Note::Paged { incident, ack_at } => (
                "PAGED",
                format!(
                    "incident #{incident}: on-call paged, acknowledges at {}",
                    stamp(ack_at)
                ),
            ),
            Note::Acknowledged { incident } => (
                "ACK",
                format!("incident #{incident}: responder starts diagnosing"),
            ),
            Note::Team {
                incident,
                people,
                tired,
                coordination,
            } => ("TEAM", team_text(incident, people, tired, coordination)),
            Note::Relieved { incident, notes } => {
                let text = if notes {
                    format!(
                        "incident #{incident}: shift ends; with written notes, a rested colleague takes over the hands-on work"
                    )
                } else {
                    format!(
                        "incident #{incident}: shift ends, but nothing is written down: nobody can take over, the same responder carries on"
                    )
                };
                ("HANDOFF", text)
            }
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
                ("HANDOFF", text)
            }
            Note::Diagnosed { incident } => (
                "DIAGNOSED",
                format!("incident #{incident}: the responder knows what is broken"),
            ),
            Note::Resolved { incident } => (
                "RESOLVED",
                format!(
                    "incident #{incident}: no failure users see comes from it now; responder free"
                ),
            ),
            _ => return None,
        };
        Some(told)
    }

    /// Mitigations on their way, in place, failing and withdrawn; spares running out.
    fn mitigations(&self, n: Note) -> Option<Told> {
        let m = self.0;
        let told = match n {
            Note::Mitigating {
                mitigation,
                comp,
                ready_at,
            } => {
                let label = &*m.mitigations[mitigation as usize].label;
                let text = format!(
                    "{}: {label} on its way, ready at {}",
                    self.id(comp),
                    stamp(ready_at)
                );
                ("MITIGATE", text)
            }
            Note::Mitigated { mitigation, comp } => ("MITIGATED", self.mitigated(mitigation, comp)),
            Note::NoSpare { comp, .. } => (
                "NO SPARE",
                format!("{}: no spare unit left in stock", self.id(comp)),
            ),
            Note::SpareLostInStock { mitigation, left } => {
                let label = &*m.mitigations[mitigation as usize].label;
                let text = format!("{label}: a spare unit waiting in stock failed ({left} left)");
                ("SPARE LOST", text)
            }
            Note::SpareFailed { comp } => (
                "SPARE DOWN",
                format!("{}: the stand-in spare failed", self.id(comp)),
            ),
            Note::Slipped {
                mitigation,
                comp,
                step,
                wrong,
                worse,
            } => {
                let spec = &m.mitigations[mitigation as usize];
                let name = spec
                    .procedure
                    .as_ref()
                    .map_or("?", |p| p.steps[step as usize].name.as_str());
                let how = if wrong { "done wrong" } else { "skipped" };
                let mut text = format!(
                    "{}: {} did not work: step {} \"{name}\" was {how}",
                    self.id(comp),
                    spec.label,
                    step + 1
                );
                if worse != NONE {
                    let slot = &m.slots[worse as usize];
                    let on = self.id(slot.comp);
                    text.push_str(&format!("; it sets off {} on {on}", slot.name));
                }
                ("SLIPPED", text)
            }
            Note::RestartFailed { comp } => (
                "RESTART",
                format!("{}: restart did not clear the fault", self.id(comp)),
            ),
            Note::Withdrawn { mitigation, comp } => {
                let label = &*m.mitigations[mitigation as usize].label;
                let text = format!("{}: repaired; {label} withdrawn", self.id(comp));
                ("WITHDRAWN", text)
            }
            _ => return None,
        };
        Some(told)
    }

    /// What a mitigation in place means for the component: a restart or a redesign removes
    /// the fault, a load mitigation changes the queue, a stand-in only hides the fault.
    fn mitigated(&self, mitigation: u32, comp: u32) -> String {
        let m = self.0;
        let label = &*m.mitigations[mitigation as usize].label;
        if label == "restart" {
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
        }
    }
}

/// A team starting its diagnosis: how many, how tired, how much their talk costs.
fn team_text(incident: u32, people: u32, tired: f64, coordination: f64) -> String {
    let who = if people == 1 {
        "one responder".to_string()
    } else {
        format!("{people} responders")
    };
    let mut parts = vec![];
    if tired > 1.0 {
        parts.push(format!("tired: ×{tired:.2} on times and slips"));
    }
    if people > 1 {
        parts.push(format!("coordination ×{coordination:.2} on the diagnosis"));
    }
    if parts.is_empty() {
        parts.push("fresh".to_string());
    }
    format!("incident #{incident}: {who} on it; {}", parts.join(", "))
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

/// An effect as the scenario file writes it (`Crash`, `Degrade 0.5`, `Slow ×4`, ...).
fn effect_name(e: Effect) -> String {
    match e {
        Effect::Crash => "Crash".into(),
        Effect::Degrade(f) => format!("Degrade {f}"),
        Effect::Corrupt => "Corrupt".into(),
        Effect::Slow(f) => format!("Slow ×{f}"),
        Effect::Burst { jobs, over } => format!("Burst of {jobs} jobs over {}", human(over)),
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

/// A failure's root fault and the components it spread through, as one line.
pub(super) fn path_text(m: &Model, f: &ServiceFailure) -> String {
    let root = root_name(m, f.root, false);
    let path: Vec<&str> = f
        .path
        .iter()
        .map(|&c| m.comps[c as usize].id.as_str())
        .collect();
    format!("path: [{root}] {}", path.join(" → "))
}
