//! Arrival processes other than Poisson, and new jobs' priority classes.
//!
//! The rate in force (the schedule's rate times the phase's load) scales every process: a
//! renewal process's gaps are divided by it (its gaps run on an operational clock, so a
//! step in the rate stretches or shrinks the gap under way rather than drawing a new one),
//! and a modulated process's Poisson rate in each state is it times the state's level.
//! Poisson arrivals keep their own stream and code path; the other processes draw from
//! streams of their own, so bursts and services stay the same whatever the process.

use super::{PROCESS, SWITCHES};
use crate::engine::Sim;
use crate::engine::event::QueueEvent;
use crate::model::{ArrivalSpec, Gaps};
use crate::rng;
use rand::Rng;
use rand_distr::{Distribution, Exp1};

impl Sim<'_> {
    /// The arrival rate in force at queue `k`: its schedule's rate times the phase's load.
    fn rate_now(&self, k: usize) -> f64 {
        self.qs.q[k].rate * self.ph.load
    }

    /// Seeds queue `k`'s arrival process for run `run` and returns the time to its first
    /// arrival (a modulated process also starts in a state drawn from its long-run shares,
    /// and schedules its first change).
    pub(super) fn first_arrival(&mut self, k: usize, seed: u64, run: u64) -> f64 {
        let m = self.m;
        let spec = &m.queues[k];
        match &spec.arrivals {
            ArrivalSpec::Poisson => self.arrival_gap(k),
            &ArrivalSpec::Renewal(gaps) => {
                self.qs.q[k].process_rng = rng::stream(seed, run, spec.key, PROCESS);
                self.renewal_gap(k, gaps)
            }
            ArrivalSpec::Modulated(levels) => {
                let q = &mut self.qs.q[k];
                q.process_rng = rng::stream(seed, run, spec.key, PROCESS);
                q.switch_rng = rng::stream(seed, run, spec.key, SWITCHES);
                // The share of time in a state of a cycle is its mean holding time's share;
                // holding times being exponential, the time left in it is a fresh one.
                let total: f64 = levels.iter().map(|l| l.hold).sum();
                let mut u = q.switch_rng.random::<f64>() * total;
                q.level = levels.len() - 1;
                for (i, l) in levels.iter().enumerate() {
                    if u < l.hold {
                        q.level = i;
                        break;
                    }
                    u -= l.hold;
                }
                self.schedule_switch(k);
                self.modulated_gap(k)
            }
        }
    }

    /// Time from an arrival at queue `k` to the next one.
    #[inline]
    pub(super) fn next_gap(&mut self, k: usize) -> f64 {
        match self.m.queues[k].arrivals {
            ArrivalSpec::Poisson => self.arrival_gap(k),
            ArrivalSpec::Renewal(gaps) => self.renewal_gap(k, gaps),
            ArrivalSpec::Modulated(_) => self.modulated_gap(k),
        }
    }

    /// Time from now to queue `k`'s pending arrival once the rate in force has changed:
    /// a fresh draw for (modulated) Poisson arrivals, the rest of the gap under way at the
    /// new speed for a renewal process.
    pub(super) fn gap_after_change(&mut self, k: usize) -> f64 {
        match self.m.queues[k].arrivals {
            ArrivalSpec::Poisson => self.arrival_gap(k),
            ArrivalSpec::Renewal(_) => {
                let speed = self.rate_now(k);
                let now = self.now;
                let q = &mut self.qs.q[k];
                q.op_left = (q.op_left - (now - q.op_at) * q.op_speed).max(0.0);
                q.op_at = now;
                q.op_speed = speed;
                stretch(q.op_left, speed)
            }
            ArrivalSpec::Modulated(_) => self.modulated_gap(k),
        }
    }

    /// A fresh renewal gap for queue `k` at the rate in force.
    fn renewal_gap(&mut self, k: usize, gaps: Gaps) -> f64 {
        let speed = self.rate_now(k);
        let now = self.now;
        let q = &mut self.qs.q[k];
        q.op_left = gaps.sample(&mut q.process_rng);
        q.op_at = now;
        q.op_speed = speed;
        stretch(q.op_left, speed)
    }

    /// An exponential gap at the rate in force times the current state's level.
    fn modulated_gap(&mut self, k: usize) -> f64 {
        let m = self.m;
        let ArrivalSpec::Modulated(levels) = &m.queues[k].arrivals else {
            unreachable!("a modulated queue");
        };
        let rate = self.rate_now(k) * levels[self.qs.q[k].level].level;
        let e: f64 = Exp1.sample(&mut self.qs.q[k].process_rng);
        stretch(e, rate)
    }

    /// Schedules the end of queue `k`'s current state (an exponential holding time).
    fn schedule_switch(&mut self, k: usize) {
        let m = self.m;
        let ArrivalSpec::Modulated(levels) = &m.queues[k].arrivals else {
            unreachable!("a modulated queue");
        };
        let q = &mut self.qs.q[k];
        let e: f64 = Exp1.sample(&mut q.switch_rng);
        let at = self.now + e * levels[q.level].hold;
        self.schedule(at, QueueEvent::Switch { queue: k as u32 });
    }

    /// A modulated process moves to the next state of its cycle: the pending arrival is
    /// drawn afresh at the new level.
    pub(super) fn switch(&mut self, k: usize) {
        let m = self.m;
        let ArrivalSpec::Modulated(levels) = &m.queues[k].arrivals else {
            unreachable!("a modulated queue");
        };
        let q = &mut self.qs.q[k];
        q.level = (q.level + 1) % levels.len();
        self.schedule_switch(k);
        self.redraw_arrival(k);
    }

    /// The priority class of a new job at queue `k` (0 without classes, drawing nothing).
    #[inline(always)]
    pub(super) fn new_class(&mut self, k: usize) -> u8 {
        if self.m.queues[k].classes.is_empty() {
            return 0;
        }
        self.draw_class(k)
    }

    /// Draws the priority class of a new job at queue `k`, which has classes.
    fn draw_class(&mut self, k: usize) -> u8 {
        let m = self.m;
        let classes = &m.queues[k].classes;
        let u: f64 = self.qs.q[k].class_rng.random();
        let last = classes.len() - 1;
        classes[..last].iter().position(|&c| u < c).unwrap_or(last) as u8
    }
}

/// Calendar time for `work` units of operational time at `speed` (+inf at speed 0).
fn stretch(work: f64, speed: f64) -> f64 {
    if speed > 0.0 {
        work / speed
    } else {
        f64::INFINITY
    }
}
