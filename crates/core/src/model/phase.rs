//! Operating phases: a mission's or a business day's timeline (pre-launch, ascent, orbit;
//! night, day), and the operational clocks the fault processes run on.
//!
//! Every fault process (an own fault slot, or a common cause) has a *clock*: clock `k` is
//! slot `k` for `k < slots`, common cause `k - slots` after them. During a phase a clock
//! advances at the phase's multiplier for it; a time to fault is drawn in operational time
//! and converted to calendar time through the timeline ([`Phases::advance`]), which is a
//! rate multiplier for exponential faults and exact for any distribution. Whole passes
//! through a cyclic list are skipped arithmetically, so a conversion costs at most about
//! two walks of the list, whatever the horizon.

use super::Csr;
use serde::{Deserialize, Serialize};

/// One operating phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Phase {
    /// Its name, for reports and traces.
    pub name: String,
    /// How long it lasts, seconds (the last phase of a list that does not cycle lasts to
    /// the horizon, whatever this says).
    pub lasts: f64,
    /// Multiplier on every queue's arrival rate.
    pub load: f64,
    /// Factor on the response team's acknowledge and diagnose times.
    pub response: f64,
    /// The phase a service failure during this one switches to at once
    /// ([`NONE`](super::NONE): no abort).
    pub abort_to: u32,
}

/// The compiled phases of a scenario.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Phases {
    /// Whether the list repeats until the horizon (otherwise the last phase lasts).
    pub cycle: bool,
    /// The phases, in order.
    pub list: Vec<Phase>,
    /// Per clock, per phase (clock-major: `mult[clock * list.len() + phase]`): the rate
    /// multiplier of the clock's fault process during the phase.
    pub mult: Vec<f64>,
    /// Per clock: operational seconds in one whole pass through the list.
    pub per_pass: Vec<f64>,
    /// Calendar seconds of one whole pass through the list.
    pub pass: f64,
    /// Per phase: the components nobody needs during it.
    pub idle: Csr,
}

/// Where a timeline stands: the phase in force and when it began.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The phase in force.
    pub phase: u32,
    /// Calendar time it began.
    pub start: f64,
}

/// A conversion from operational to calendar time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Due {
    /// The operational time is reached at this calendar time.
    At(f64),
    /// The clock stops for good at calendar time `from` (every later phase has a zero
    /// multiplier), with `left` operational seconds still to run.
    Stalled {
        /// When the clock stops.
        from: f64,
        /// Operational seconds it still had to run.
        left: f64,
    },
}

impl Phases {
    /// Builds the per-pass figures from `list` and `mult` (`clocks` clocks).
    pub fn new(cycle: bool, list: Vec<Phase>, mult: Vec<f64>, idle: Csr) -> Phases {
        let n = list.len();
        let pass = list.iter().map(|p| p.lasts).sum();
        let per_pass = mult
            .chunks(n.max(1))
            .map(|row| row.iter().zip(&list).map(|(m, p)| m * p.lasts).sum())
            .collect();
        Phases {
            cycle,
            list,
            mult,
            per_pass,
            pass,
            idle,
        }
    }

    /// The phase after `p` (wrapping around in a cycle; the last phase stays otherwise).
    pub fn next(&self, p: u32) -> Option<u32> {
        let n = self.list.len() as u32;
        if p + 1 < n {
            Some(p + 1)
        } else if self.cycle {
            Some(0)
        } else {
            None
        }
    }

    /// When phase `p`, begun at `start`, ends (+inf for the last phase of a list that
    /// does not cycle).
    pub fn end(&self, p: u32, start: f64) -> f64 {
        match self.next(p) {
            Some(_) => start + self.list[p as usize].lasts,
            None => f64::INFINITY,
        }
    }

    fn rate(&self, clock: usize, p: u32) -> f64 {
        self.mult[clock * self.list.len() + p as usize]
    }

    /// The calendar time at which `clock`, at calendar time `now` in the phase `cur`
    /// (`cur.start <= now`), has run `d` more operational seconds.
    pub fn advance(&self, clock: usize, cur: Cursor, now: f64, d: f64) -> Due {
        if d <= 0.0 {
            return Due::At(now);
        }
        let (mut p, mut t, mut left) = (cur.phase, now, d);
        let mut end = self.end(p, cur.start);
        loop {
            let m = self.rate(clock, p);
            if end == f64::INFINITY {
                return if m > 0.0 {
                    Due::At(t + left / m)
                } else {
                    Due::Stalled { from: t, left }
                };
            }
            let op = m * (end - t);
            if m > 0.0 && left <= op {
                return Due::At(t + left / m);
            }
            left -= op;
            t = end;
            p = self.next(p).expect("a phase with an end has a next");
            if p == 0 {
                // A fresh pass: skip whole passes at once.
                let per = self.per_pass[clock];
                if per <= 0.0 {
                    return Due::Stalled { from: t, left };
                }
                let k = (left / per).floor();
                if k >= 1.0 {
                    t += k * self.pass;
                    left = (left - k * per).max(0.0);
                    if left == 0.0 {
                        return Due::At(t);
                    }
                }
            }
            end = self.end(p, t);
        }
    }

    /// Operational seconds `clock` runs from calendar time `from` to `to`, both in or after
    /// the phase `cur` (`cur.start <= from`); 0 when `to <= from`.
    pub fn elapsed(&self, clock: usize, cur: Cursor, from: f64, to: f64) -> f64 {
        if to <= from {
            return 0.0;
        }
        let (mut p, mut t, mut acc) = (cur.phase, from, 0.0);
        let mut end = self.end(p, cur.start);
        loop {
            let m = self.rate(clock, p);
            if to <= end {
                return acc + m * (to - t);
            }
            acc += m * (end - t);
            t = end;
            p = self.next(p).expect("a phase with an end has a next");
            if p == 0 && self.pass > 0.0 {
                let k = ((to - t) / self.pass).floor();
                if k >= 1.0 {
                    acc += k * self.per_pass[clock];
                    t += k * self.pass;
                }
            }
            end = self.end(p, t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phases(cycle: bool, lasts: &[f64], mult: &[f64]) -> Phases {
        let list = lasts
            .iter()
            .enumerate()
            .map(|(k, &l)| Phase {
                name: format!("p{k}"),
                lasts: l,
                load: 1.0,
                response: 1.0,
                abort_to: super::super::NONE,
            })
            .collect();
        Phases::new(cycle, list, mult.to_vec(), Csr::default())
    }

    const START: Cursor = Cursor {
        phase: 0,
        start: 0.0,
    };

    #[test]
    fn a_cycle_is_skipped_and_elapsed_inverts_advance() {
        // Day (12 h at 3x), night (12 h at 1x): 48 operational hours per calendar day.
        let ph = phases(true, &[12.0, 12.0], &[3.0, 1.0]);
        assert_eq!(ph.advance(0, START, 0.0, 36.0), Due::At(12.0));
        assert_eq!(ph.advance(0, START, 0.0, 40.0), Due::At(16.0));
        // 730 days and a bit: 730 * 48 + 6 operational hours.
        let d = 730.0 * 48.0 + 6.0;
        assert_eq!(ph.advance(0, START, 0.0, d), Due::At(730.0 * 24.0 + 2.0));
        for &(from, to) in &[(0.0, 5.0), (3.0, 30.0), (0.0, 17_522.0), (13.0, 100.5)] {
            let op = ph.elapsed(0, START, from, to);
            let cur = START;
            let back = ph.advance(0, cur, from, op);
            let Due::At(t) = back else { panic!() };
            assert!((t - to).abs() < 1e-6, "{from}..{to}: {t}");
        }
    }

    #[test]
    fn a_clock_that_stops_stalls() {
        let ph = phases(false, &[10.0, 5.0], &[1.0, 0.0]);
        assert_eq!(
            ph.advance(0, START, 0.0, 12.0),
            Due::Stalled {
                from: 10.0,
                left: 2.0
            }
        );
        let ph = phases(true, &[10.0, 5.0], &[0.0, 0.0]);
        assert!(matches!(
            ph.advance(0, START, 0.0, 1.0),
            Due::Stalled { .. }
        ));
        assert_eq!(ph.elapsed(0, START, 0.0, 100.0), 0.0);
    }
}
