//! Procedures: a mitigation done as steps, and the hands that stay on it.
//!
//! A mitigation written as a procedure takes its own delay plus its steps' times, each
//! multiplied by the fatigue of whoever does it (a tool is never tired). Every step draws
//! whether it is skipped (chance × fatigue × checklist factor) and whether it is done
//! wrong (chance × fatigue), always the same number of draws, so strategies that change
//! only the people keep common random numbers. If any step slipped, the mitigation does
//! not take effect when it would have: the first slip is noted, a wrong step's `worse`
//! fault strikes, and after `notice` (× fatigue) the procedure is started again if the
//! component still needs it. A success needs every step: for k steps each skipped with p,
//! it comes with probability (1 − p)^k.
//!
//! A `hands_on` mitigation keeps the incident that started it open (its people busy) until
//! it is done: a stand-in until it is in place, spoon-feeding until the parked jobs are fed
//! back.

use super::{UNIT_AVAILABLE, UNIT_DEPLOYING};
use crate::engine::event::ResponseEvent;
use crate::engine::faults::IDLE;
use crate::engine::{Note, Observer, Sim};
use crate::model::NONE;
use rand::Rng;

/// A procedure that slipped, waiting for the moment its mitigation would have taken
/// effect. `(mitigation, comp, unit)` is unique among mitigations under way.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slip {
    mitigation: u32,
    comp: u32,
    unit: u32,
    /// The first step that slipped.
    step: u32,
    /// Done wrong (else skipped).
    wrong: bool,
    /// The fault a wrong step sets off, or [`NONE`].
    worse: u32,
    /// Who did it (an incident), or [`NONE`] for a tool.
    by: u32,
}

impl Sim<'_> {
    /// Carries out mitigation `mit`'s procedure on `comp` (spare `unit`, or `NONE`) by the
    /// people on incident `by` (`NONE`: a tool). Returns the time its steps take; a slip
    /// waits in the slip list for the moment the mitigation would take effect.
    pub(super) fn carry_out(&mut self, mit: u32, comp: usize, unit: u32, by: u32) -> f64 {
        let m = self.m;
        let spec = &m.mitigations[mit as usize];
        let Some(proc) = &spec.procedure else {
            return 0.0;
        };
        let f = self.doer_fatigue(mit, by);
        let rng = &mut self.rs.proc_rng[mit as usize];
        let mut time = 0.0;
        let mut slip: Option<Slip> = None;
        for (k, st) in proc.steps.iter().enumerate() {
            time += st.takes.sample(rng) * f;
            let skipped = rng.random::<f64>() < (st.skip * proc.checklist * f).min(1.0);
            let wrong = rng.random::<f64>() < (st.wrong * f).min(1.0);
            if slip.is_none() && (skipped || wrong) {
                slip = Some(Slip {
                    mitigation: mit,
                    comp: comp as u32,
                    unit,
                    step: k as u32,
                    wrong: !skipped,
                    worse: if skipped { NONE } else { st.worse },
                    by,
                });
            } else if let Some(s) = &mut slip
                && wrong
                && s.worse == NONE
            {
                s.worse = st.worse;
            }
        }
        if let Some(s) = slip {
            self.rs.slips.push(s);
        }
        time
    }

    /// Takes the slip of the mitigation under way as `(mit, comp, unit)`, if its procedure
    /// slipped.
    pub(super) fn take_slip(&mut self, mit: u32, comp: usize, unit: u32) -> Option<Slip> {
        let pos = self
            .rs
            .slips
            .iter()
            .position(|s| s.mitigation == mit && s.comp == comp as u32 && s.unit == unit)?;
        Some(self.rs.slips.swap_remove(pos))
    }

    /// The moment a slipped procedure would have worked: it has not. Undoes what was
    /// under way, sets off a wrong step's fault, and starts again after `notice`.
    pub(super) fn procedure_failed<O: Observer>(&mut self, s: Slip, obs: &mut O) {
        let m = self.m;
        let (mit, comp) = (s.mitigation, s.comp as usize);
        let spec = &m.mitigations[mit as usize];
        self.rs.roster.run.failed += 1;
        if s.unit != NONE && self.rs.unit_state[s.unit as usize] == UNIT_DEPLOYING {
            let u = s.unit as usize;
            self.rs.unit_state[u] = UNIT_AVAILABLE;
            self.rs.unit_comp[u] = NONE;
            self.schedule_dormant_failure(mit, s.unit);
        }
        if super::mitigate::is_load(&spec.kind) {
            self.rs.mit_busy[mit as usize] = false;
        } else {
            self.rs.mitigating[comp] = NONE;
        }
        obs.note(
            self.now,
            Note::Slipped {
                mitigation: mit,
                comp: comp as u32,
                step: s.step,
                wrong: s.wrong,
                worse: s.worse,
            },
        );
        if s.worse != NONE && self.faults.state[s.worse as usize] == IDLE {
            self.rs.roster.run.worse += 1;
            self.faults.generation[s.worse as usize] += 1;
            self.fault(s.worse, true, obs);
        }
        let proc = spec.procedure.as_ref().expect("a slip has a procedure");
        let by = self.still_working(s.by);
        let f = self.doer_fatigue(mit, by);
        let notice = proc.notice.sample(&mut self.rs.proc_rng[mit as usize]) * f;
        if !notice.is_finite() {
            // Nobody will ever notice: nothing keeps hands on it.
            self.unhold(mit, comp, obs);
            return;
        }
        self.schedule(
            self.now + notice,
            ResponseEvent::Retry {
                mitigation: mit,
                comp: comp as u32,
                incident: by,
            },
        );
    }

    /// Someone noticed that a procedure did not work: it starts again if still needed.
    pub(super) fn retry<O: Observer>(&mut self, mit: u32, comp: usize, by: u32, obs: &mut O) {
        if !self.can_mitigate(mit, comp) {
            self.unhold(mit, comp, obs); // Not needed any more: hands off.
            return;
        }
        let by = self.still_working(by);
        self.start_mitigation(mit, comp, by, obs);
    }

    /// Incident `by` if its people are still on it (working on it after its diagnosis),
    /// else `NONE`: whoever comes back to a procedure later is nobody in particular.
    fn still_working(&self, by: u32) -> u32 {
        let working = by != NONE && self.rs.incidents[by as usize].stage == super::Stage::Working;
        if working { by } else { NONE }
    }

    /// How tired whoever carries out mitigation `mit` for incident `by` is: a tool never is.
    fn doer_fatigue(&self, mit: u32, by: u32) -> f64 {
        if self.m.mitigations[mit as usize].auto.is_some() {
            1.0
        } else {
            self.fatigue_of(by)
        }
    }

    /// Incident `by` keeps its people on mitigation `mit` (on `comp`) until it is done, if
    /// the mitigation is hands-on.
    pub(super) fn hold(&mut self, mit: u32, comp: usize, by: u32) {
        let spec = &self.m.mitigations[mit as usize];
        if !spec.hands_on || by == NONE {
            return;
        }
        let holder = if super::mitigate::is_load(&spec.kind) {
            &mut self.rs.load_holder[mit as usize]
        } else {
            &mut self.rs.standin_holder[comp]
        };
        if *holder == by {
            return; // Still holding it (the crew bringing the next spare).
        }
        *holder = by;
        self.rs.incidents[by as usize].holding += 1;
    }

    /// Mitigation `mit` on `comp` is done (or failed): the incident holding it lets go and
    /// is resolved if nothing else keeps it.
    pub(crate) fn unhold<O: Observer>(&mut self, mit: u32, comp: usize, obs: &mut O) {
        let spec = &self.m.mitigations[mit as usize];
        if !spec.hands_on {
            return;
        }
        let holder = if super::mitigate::is_load(&spec.kind) {
            std::mem::replace(&mut self.rs.load_holder[mit as usize], NONE)
        } else {
            std::mem::replace(&mut self.rs.standin_holder[comp], NONE)
        };
        if holder == NONE {
            return;
        }
        let inc = &mut self.rs.incidents[holder as usize];
        inc.holding -= 1;
        if inc.holding == 0 && inc.stage == super::Stage::Working {
            self.try_resolve(holder, obs);
        }
    }
}
