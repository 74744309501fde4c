//! The people on call: who is paged, how tired they are, and how a team on one incident
//! shares the work.
//!
//! Each of the `oncall` positions is held by one person at a time. A person's shift begins
//! at a page after a rest (free for at least `fatigue.rest`) and runs, through short free
//! gaps, until the next rest. Their fatigue factor grows with the hours on shift beyond
//! `fresh`, with the days in a row on which they started a shift, and with the pages of
//! the last 24 hours ([`FatigueSpec::factor`]). A hand-off passes an incident to rested
//! colleagues; a rota (`rotate`) hands each position to a rested colleague at its next
//! page after the period changes.
//!
//! A page calls up to `join` free people onto an incident. Their diagnosis time is the
//! drawn one times the team's mean fatigue and times the coordination factor of a team
//! their size ([`ResponseSpec::coordination_factor`]); one person alone, untired, takes
//! exactly the drawn time, so a scenario without fatigue or teams draws and computes what
//! it always did.

use crate::engine::Sim;
use crate::model::{FatigueSpec, NONE, ResponseSpec};

/// Pages remembered per person (enough to count a day's pages; more are counted as this).
const PAGES: usize = 16;

const DAY: f64 = 86_400.0;

/// One on-call position and the person holding it now.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Person {
    /// The incident they work on, or [`NONE`].
    pub on: u32,
    /// When their current shift began (NaN: rested, not on shift).
    shift_start: f64,
    /// When they last became free.
    free_since: f64,
    /// Day index of their last shift's start, and how many days in a row they started one.
    day: i64,
    streak: u32,
    /// The rota period in which they took the position.
    period: i64,
    /// Their latest page times (a ring).
    pages: [f64; PAGES],
    next: usize,
}

impl Person {
    /// A rested person taking the position in rota period `period`.
    fn rested(period: i64) -> Person {
        Person {
            on: NONE,
            shift_start: f64::NAN,
            free_since: f64::NEG_INFINITY,
            day: i64::MIN,
            streak: 0,
            period,
            pages: [f64::NEG_INFINITY; PAGES],
            next: 0,
        }
    }

    /// Their fatigue factor at `now`.
    fn fatigue(&self, f: &FatigueSpec, now: f64) -> f64 {
        let on_shift = if self.shift_start.is_nan() {
            0.0
        } else {
            now - self.shift_start
        };
        let pages = self.pages.iter().filter(|&&t| t > now - DAY).count() as u32;
        f.factor(on_shift, self.streak.max(1), pages)
    }

    /// Paged at `now`: a new shift if they had rested, one more day in a row if it starts
    /// the day after the last one, and one more page.
    fn paged(&mut self, f: &FatigueSpec, now: f64) {
        if self.shift_start.is_nan() || now - self.free_since >= f.rest {
            let day = (now / DAY).floor() as i64;
            self.streak = if day == self.day {
                self.streak
            } else if self.day != i64::MIN && day == self.day + 1 {
                self.streak + 1
            } else {
                1
            };
            self.day = day;
            self.shift_start = now;
        }
        self.pages[self.next] = now;
        self.next = (self.next + 1) % PAGES;
    }

    /// How long their shift has lasted at `now` (0 when not on one).
    fn shift_so_far(&self, now: f64) -> f64 {
        if self.shift_start.is_nan() {
            0.0
        } else {
            now - self.shift_start
        }
    }
}

/// What the people did in one run, for the people section of the results.
#[derive(Clone, Copy, Debug, Default)]
pub struct PeopleRun {
    /// Diagnoses finished.
    pub diagnoses: u32,
    /// Seconds from the page to the diagnosis, summed over them.
    pub diagnose_total: f64,
    /// Fatigue factors of the teams as they started diagnosing, summed (count: `started`).
    pub fatigue_total: f64,
    /// Diagnoses started.
    pub started: u32,
    /// The largest fatigue factor anyone worked at.
    pub fatigue_max: f64,
    /// The longest shift anyone worked, in seconds.
    pub longest_shift: f64,
    /// Procedures carried out.
    pub procedures: u32,
    /// Procedures that failed (a step skipped or done wrong).
    pub failed: u32,
    /// Second faults set off by steps done wrong.
    pub worse: u32,
}

impl PeopleRun {
    /// The factor a team worked at, into the run's mean and maximum.
    pub(crate) fn worked_at(&mut self, factor: f64) {
        self.fatigue_total += factor;
        self.started += 1;
        self.fatigue_max = self.fatigue_max.max(factor);
    }
}

/// The roster of a run.
#[derive(Clone)]
pub(crate) struct Roster {
    /// Whether people are told apart: with fatigue, teams or a rota. Without, an incident
    /// takes one anonymous responder and the roster stays empty (no cost per run).
    tracked: bool,
    /// One per on-call position (empty when not tracked).
    pub people: Vec<Person>,
    /// What they did this run.
    pub run: PeopleRun,
}

impl Roster {
    /// A roster for `r`'s positions (empty without a response team, or when nothing tells
    /// its people apart).
    pub fn new(r: Option<&ResponseSpec>) -> Roster {
        let tracked = r.is_some_and(|r| r.fatigue.is_some() || r.join > 1 || r.rotate.is_finite());
        let n = if tracked {
            r.map_or(0, |r| r.oncall)
        } else {
            0
        };
        Roster {
            tracked,
            people: vec![Person::rested(0); n as usize],
            run: PeopleRun::default(),
        }
    }

    /// Everyone rested, nothing done.
    pub fn reset(&mut self) {
        if self.tracked {
            self.people.fill(Person::rested(0));
        }
        self.run = PeopleRun::default();
    }
}

impl Sim<'_> {
    /// Pages up to `join` free people onto incident `id`; returns how many came.
    pub(super) fn page_team(&mut self, id: u32) -> u32 {
        if !self.rs.roster.tracked {
            return 1;
        }
        let resp = self.m.response.as_ref().expect("response");
        let now = self.now;
        let period = if resp.rotate.is_finite() {
            (now / resp.rotate).floor() as i64
        } else {
            0
        };
        let mut n = 0;
        for p in self.rs.roster.people.iter_mut() {
            if n == resp.join {
                break;
            }
            if p.on != NONE {
                continue;
            }
            let shift_over = resp.fatigue.is_some() && p.shift_so_far(now) >= resp.shift;
            if p.period != period || shift_over {
                // The rota moved on, or their shift is over: a rested colleague holds this
                // position now.
                *p = Person::rested(period);
            }
            p.on = id;
            if let Some(f) = &resp.fatigue {
                p.paged(f, now);
            }
            n += 1;
        }
        n
    }

    /// When incident `id`'s people reach the end of their shift: `shift` after the page,
    /// or, where shifts are tracked (with fatigue), after the earliest start of theirs.
    pub(super) fn team_shift_end(&self, id: u32, shift: f64) -> f64 {
        let tracked = self
            .m
            .response
            .as_ref()
            .is_some_and(|r| r.fatigue.is_some());
        let start = (self.rs.roster.people.iter())
            .filter(|p| tracked && p.on == id && !p.shift_start.is_nan())
            .map(|p| p.shift_start)
            .fold(self.now, f64::min);
        start + shift
    }

    /// The factor on incident `id`'s diagnosis: its team's mean fatigue times the
    /// coordination factor of its size. Exactly 1 for one untired person.
    pub(super) fn team_factor(&mut self, id: u32) -> f64 {
        let resp = self.m.response.as_ref().expect("response");
        let team = self.rs.incidents[id as usize].team;
        let mut factor = resp.coordination_factor(team);
        if let Some(f) = &resp.fatigue {
            let tired = self.team_fatigue(f, id);
            self.rs.roster.run.worked_at(tired);
            factor *= tired;
        }
        factor
    }

    /// The mean fatigue of the people on incident `id` now (1 if nobody is on it).
    pub(super) fn team_fatigue(&self, f: &FatigueSpec, id: u32) -> f64 {
        let (mut sum, mut n) = (0.0, 0u32);
        for p in self.rs.roster.people.iter().filter(|p| p.on == id) {
            sum += p.fatigue(f, self.now);
            n += 1;
        }
        if n == 0 { 1.0 } else { sum / f64::from(n) }
    }

    /// The fatigue of whoever works on incident `id` (`NONE`: a tool, never tired).
    pub(super) fn fatigue_of(&self, id: u32) -> f64 {
        match self.m.response.as_ref().and_then(|r| r.fatigue.as_ref()) {
            Some(f) if id != NONE => self.team_fatigue(f, id),
            _ => 1.0,
        }
    }

    /// The people on incident `id` go free (their shift goes on until they rest).
    pub(super) fn release_team(&mut self, id: u32) {
        let now = self.now;
        let r = &mut self.rs.roster;
        for p in r.people.iter_mut().filter(|p| p.on == id) {
            r.run.longest_shift = r.run.longest_shift.max(p.shift_so_far(now));
            p.on = NONE;
            p.free_since = now;
        }
    }

    /// A hand-off: rested colleagues take incident `id` over from its team.
    pub(super) fn relieve_team(&mut self, id: u32) {
        let now = self.now;
        let r = &mut self.rs.roster;
        for p in r.people.iter_mut().filter(|p| p.on == id) {
            r.run.longest_shift = r.run.longest_shift.max(p.shift_so_far(now));
            let period = p.period;
            *p = Person::rested(period);
            p.on = id;
            p.shift_start = now;
            p.day = (now / DAY).floor() as i64;
            p.streak = 1;
        }
    }

    /// At the end of the run: the shifts of people still at work count towards the longest.
    pub(super) fn close_shifts(&mut self) {
        let now = self.now;
        let r = &mut self.rs.roster;
        for p in r.people.iter().filter(|p| p.on != NONE) {
            r.run.longest_shift = r.run.longest_shift.max(p.shift_so_far(now));
        }
    }
}
