//! Incidents: a responder paged, acknowledging, diagnosing (handing off at the end of a
//! shift), then free again once no failure users see comes from the incident's root.

use super::Stage;
use crate::engine::event::ResponseEvent;
use crate::engine::faults::ACTIVE;
use crate::engine::propagation::SvcState;
use crate::engine::{Note, Observer, Sim};
use crate::model::Student;

impl Sim<'_> {
    pub(super) fn assign<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let resp = self.m.response.as_ref().expect("response");
        let team = self.page_team(id);
        self.rs.free -= team;
        let student = self.student_on_call();
        let ack = match student {
            Some(s) => s.acknowledge,
            None => resp.acknowledge.sample(&mut self.rs.inc_rng[id as usize]) * self.ph.response,
        };
        let inc = &mut self.rs.incidents[id as usize];
        inc.student = student.is_some();
        inc.team = team;
        inc.stage = Stage::Paged;
        inc.assigned = self.now;
        let generation = inc.generation;
        self.rs.incidents[id as usize].shift_end = self.team_shift_end(id, resp.shift);
        obs.note(
            self.now,
            Note::Paged {
                incident: id,
                ack_at: self.now + ack,
            },
        );
        self.schedule(
            self.now + ack,
            ResponseEvent::Step {
                incident: id,
                generation,
            },
        );
    }

    /// The drill's student, if they take a page now: after the page before the drill's,
    /// until they hand an incident off.
    fn student_on_call(&self) -> Option<Student> {
        let s = self.m.response.as_ref()?.student?;
        (self.now > s.after && !self.rs.student_gone).then_some(s)
    }

    /// Incident `id`'s diagnosis time as drawn, before its team's factors.
    pub(super) fn diagnosis_time(&mut self, id: u32) -> f64 {
        let resp = self.m.response.as_ref().expect("response");
        let rng = &mut self.rs.inc_rng[id as usize];
        resp.diagnose.sample(rng) * resp.runbook * self.ph.response
    }

    /// The diagnosis time of incident `id`'s team: the drawn time × their fatigue × the
    /// coordination factor of their size (noted when either is in play).
    fn team_diagnosis_time<O: Observer>(&mut self, id: u32, obs: &mut O) -> f64 {
        let d = self.diagnosis_time(id);
        let resp = self.m.response.as_ref().expect("response");
        let team = self.rs.incidents[id as usize].team;
        if team <= 1 && resp.fatigue.is_none() {
            return d;
        }
        let coordination = resp.coordination_factor(team);
        let factor = self.team_factor(id);
        obs.note(
            self.now,
            Note::Team {
                incident: id,
                people: team,
                tired: factor / coordination,
                coordination,
            },
        );
        d * factor
    }

    pub(super) fn start_diagnosis<O: Observer>(&mut self, id: u32, obs: &mut O) {
        obs.note(self.now, Note::Acknowledged { incident: id });
        if self.rs.incidents[id as usize].student {
            return self.student_diagnoses(id, obs);
        }
        let d = self.team_diagnosis_time(id, obs);
        let now = self.now;
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Diagnosing;
        inc.diag_end = now + d;
        let (generation, shift_end) = (inc.generation, inc.shift_end);
        self.schedule(
            now + d,
            ResponseEvent::Step {
                incident: id,
                generation,
            },
        );
        if shift_end < now + d {
            // A shift that ended while the page was being acknowledged hands off at once.
            self.schedule(
                shift_end.max(now),
                ResponseEvent::Handoff {
                    incident: id,
                    generation,
                },
            );
        }
    }

    /// The drill's student diagnoses incident `id`: they know after looking, or hand it off
    /// then. With a hand-off the scenario's diagnosis time is drawn whatever the student
    /// found: what is left of it is the next responder's work when the notes do not name
    /// the fault, and all of it again without notes (the same draw, so that on one history
    /// notes never lose to none).
    fn student_diagnoses<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let s = (self.m.response.as_ref()).and_then(|r| r.student);
        let s = s.expect("a student's incident");
        let (now, at) = (self.now, self.now + s.looking);
        let (mut ends, mut drawn) = (at, 0.0);
        if let Some(h) = s.handoff {
            drawn = self.team_diagnosis_time(id, obs);
            if !h.found {
                ends = now + drawn;
            }
        }
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Diagnosing;
        inc.diag_end = ends;
        inc.drawn = drawn;
        let (incident, generation) = (id, inc.generation);
        self.schedule(
            at,
            match s.handoff {
                None => ResponseEvent::Step {
                    incident,
                    generation,
                },
                Some(_) => ResponseEvent::Handoff {
                    incident,
                    generation,
                },
            },
        );
    }

    pub(super) fn handoff<O: Observer>(&mut self, id: u32, generation: u32, obs: &mut O) {
        let resp = self.m.response.as_ref().expect("response");
        let inc = self.rs.incidents[id as usize];
        if inc.generation != generation {
            return;
        }
        let (mut notes, mut again) = (resp.notes, None);
        if inc.student {
            again = Some(inc.drawn);
            // The drill's student hands off (as they chose), and leaves the pager.
            notes = resp
                .student
                .and_then(|s| s.handoff)
                .is_some_and(|h| h.notes);
            self.rs.incidents[id as usize].student = false;
            self.rs.student_gone = true;
        } else if inc.stage == Stage::Working && inc.holding > 0 {
            self.hands_on_handoff(id, obs);
            return;
        }
        if inc.stage != Stage::Diagnosing {
            return;
        }
        self.rs.run.handoffs += 1;
        self.relieve_team(id);
        let h = resp.handoff.sample(&mut self.rs.inc_rng[id as usize]);
        let now = self.now;
        let diag_end = if notes {
            // (A student's diagnosis can be due already: their notes leave nothing to do.)
            inc.diag_end.max(now) + h
        } else {
            let d = match again {
                Some(d) => d,
                None => self.team_diagnosis_time(id, obs),
            };
            now + h + d
        };
        self.rs.incidents[id as usize].diag_end = diag_end;
        let (g, shift_end) = self.new_shift(id);
        obs.note(
            now,
            Note::Handoff {
                incident: id,
                notes,
                diagnosed_at: diag_end,
            },
        );
        self.schedule(
            diag_end,
            ResponseEvent::Step {
                incident: id,
                generation: g,
            },
        );
        if shift_end < diag_end {
            self.schedule(
                shift_end,
                ResponseEvent::Handoff {
                    incident: id,
                    generation: g,
                },
            );
        }
    }

    /// The shift ends while the team has its hands on a mitigation: with notes, rested
    /// colleagues take over; without, nobody can, and the same people carry on.
    fn hands_on_handoff<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let resp = self.m.response.as_ref().expect("response");
        let now = self.now;
        obs.note(
            now,
            Note::Relieved {
                incident: id,
                notes: resp.notes,
            },
        );
        if !resp.notes {
            return;
        }
        self.rs.run.handoffs += 1;
        self.relieve_team(id);
        let (generation, shift_end) = self.new_shift(id);
        self.schedule(
            shift_end,
            ResponseEvent::Handoff {
                incident: id,
                generation,
            },
        );
    }

    /// A new shift on incident `id` from now: its steps scheduled so far are stale (a new
    /// generation). Returns the generation and when the new shift ends.
    fn new_shift(&mut self, id: u32) -> (u32, f64) {
        let shift = self.m.response.as_ref().expect("response").shift;
        let inc = &mut self.rs.incidents[id as usize];
        inc.generation += 1;
        inc.shift_end = self.now + shift;
        (inc.generation, inc.shift_end)
    }

    pub(super) fn diagnosed<O: Observer>(&mut self, id: u32, obs: &mut O) {
        let m = self.m;
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Working;
        let run = &mut self.rs.roster.run;
        run.diagnoses += 1;
        run.diagnose_total += self.now - inc.assigned;
        obs.note(self.now, Note::Diagnosed { incident: id });
        // Repairs that waited for someone to look start now, for everything found broken.
        if m.response.as_ref().is_some_and(|r| r.repair_on_diagnosis) {
            for s in 0..m.slots.len() {
                if self.faults.state[s] == ACTIVE && !self.rs.repairing[s] {
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
                    self.start_mitigation(mit as u32, c, id, obs);
                }
            }
        }
        let inc = self.rs.incidents[id as usize];
        if inc.holding > 0 && inc.shift_end.is_finite() {
            // Hands on a mitigation past the end of the shift: a hand-off then.
            self.schedule(
                inc.shift_end.max(self.now),
                ResponseEvent::Handoff {
                    incident: id,
                    generation: inc.generation,
                },
            );
        }
        self.try_resolve(id, obs);
    }

    /// The unresolved incident about root `key`, if any.
    pub(super) fn open_incident(&self, key: u32) -> Option<u32> {
        self.rs
            .open
            .iter()
            .copied()
            .find(|&i| self.rs.incidents[i as usize].key == key)
    }

    /// Tries to resolve every incident whose diagnosis is done. Walks the open list from its
    /// end, so the swap-removal of a resolved one only moves an incident already visited.
    pub(super) fn resolve_working<O: Observer>(&mut self, obs: &mut O) {
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
    pub(super) fn try_resolve<O: Observer>(&mut self, id: u32, obs: &mut O) {
        if self.rs.incidents[id as usize].holding > 0 {
            return; // Hands still on a mitigation.
        }
        let key = self.rs.incidents[id as usize].key;
        for (si, &c) in self.m.services.iter().enumerate() {
            if self.books.svc[si].state == SvcState::Failed && self.key_of(c as usize) == key {
                return;
            }
        }
        if let Some(pos) = self.rs.open.iter().position(|&x| x == id) {
            self.rs.open.swap_remove(pos);
        }
        let inc = &mut self.rs.incidents[id as usize];
        inc.stage = Stage::Resolved;
        self.rs.run.responder_seconds += super::team_seconds(self.now - inc.assigned, inc.team);
        self.rs.free += inc.team;
        self.release_team(id);
        obs.note(self.now, Note::Resolved { incident: id });
        while self.rs.free > 0
            && let Some(next) = self.rs.queue.pop_front()
        {
            self.assign(next, obs);
        }
    }
}
