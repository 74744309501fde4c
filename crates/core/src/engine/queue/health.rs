//! A queue's health: every window, the share of attempts that went well becomes a capacity
//! factor of the queue's component, so a saturated queue fails the services that need it.

use super::{GRID, grid_time};
use crate::engine::event::QueueEvent;
use crate::engine::propagation::Health;
use crate::engine::{Note, Observer, Sim};
use crate::model::{Discipline, QueueHealthSpec};

impl Sim<'_> {
    /// Judges the last window's health, and feeds it to the dependency graph.
    pub(super) fn sample<O: Observer>(&mut self, k: usize, obs: &mut O) {
        let spec = &self.m.queues[k];
        let now = self.now;
        let oldest_wait = self.oldest_start(k).map_or(0.0, |start| now - start);
        let q = &mut self.qs.q[k];
        let good = judge(
            spec.health,
            q.w_ok,
            q.w_late,
            q.w_bad,
            oldest_wait,
            spec.window,
        );
        q.w_ok = 0;
        q.w_bad = 0;
        q.w_late = 0;
        let latency = if q.w_done > 0 {
            q.w_latency / q.w_done as f64
        } else {
            f64::NAN
        };
        q.w_latency = 0.0;
        q.w_done = 0;
        let horizon = self.m.horizon;
        while q.grid_next < GRID && grid_time(horizon, q.grid_next) <= now {
            q.grid[q.grid_next] = q.backlog() as u64;
            q.grid_next += 1;
        }
        let changed = good != q.good;
        q.good = good;
        obs.note(
            now,
            Note::QueueSample {
                queue: k as u32,
                waiting: q.backlog() as u64,
                parked: q.parked.len() as u64,
                good,
                latency,
            },
        );
        if changed {
            self.mark(spec.comp);
        }
        if self.m.response.is_some() && !self.m.alerts.is_empty() {
            self.check_alerts(spec.comp as usize);
        }
        self.schedule(now + spec.window, QueueEvent::Sample { queue: k as u32 });
    }

    /// The health factor and cause a queue adds to its component's output, and records what
    /// its inputs deliver (called by the engine when the queue component is evaluated).
    pub(crate) fn queue_output(&mut self, comp: usize, input: Health) -> (f64, u32) {
        let k = self.m.comps[comp].queue as usize;
        let before = self.qs.q[k].input;
        self.qs.q[k].input = input;
        let shared = matches!(self.m.queues[k].discipline, Discipline::Shared);
        if input.cap > before.cap || (shared && input.cap != before.cap) {
            // More capacity: idle workers can start at once (under processor sharing, any
            // change of capacity changes every job's speed).
            self.start_jobs(k);
        }
        (self.qs.q[k].good, self.qs.q[k].root)
    }
}

/// A window's health from the attempts that ended in it (`ok`, `late`, `bad`), how long the
/// oldest waiting job has waited, and the window's length (documented in
/// docs/scenario-format.md §5.4):
/// - `Goodput`: the share of ended attempts that succeeded; when none ended, 1 unless a job
///   has waited through the whole window (work waiting and nothing completed: a stall).
/// - `Latency(D)`: the share of ended attempts that succeeded within D (1 when none ended),
///   and 0 whenever the oldest waiting job has waited longer than D.
fn judge(
    rule: QueueHealthSpec,
    ok: u64,
    late: u64,
    bad: u64,
    oldest_wait: f64,
    window: f64,
) -> f64 {
    match rule {
        QueueHealthSpec::Goodput => {
            let n = ok + late + bad;
            if n > 0 {
                (ok + late) as f64 / n as f64
            } else if oldest_wait > window {
                0.0
            } else {
                1.0
            }
        }
        QueueHealthSpec::Latency(max) => {
            let n = ok + late + bad;
            if oldest_wait > max {
                0.0
            } else if n == 0 {
                1.0
            } else {
                ok as f64 / n as f64
            }
        }
    }
}
