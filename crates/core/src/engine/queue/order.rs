//! The order of service: which waiting job a free worker takes (FIFO, LIFO, adaptive LIFO,
//! priority classes), and which waiting job makes room when the queue drops or rejects.

use super::{DONE, GONE, PARKED};
use crate::engine::Sim;
use crate::model::Discipline;

impl Sim<'_> {
    /// Takes the waiting job that discipline `d` (queue `k`'s) serves next.
    #[inline(always)]
    pub(super) fn next_waiting(&mut self, k: usize, d: Discipline) -> Option<u32> {
        let q = &mut self.qs.q[k];
        match d {
            Discipline::Fifo | Discipline::Shared => q.waiting.pop_front(),
            Discipline::Lifo => q.waiting.pop_back(),
            Discipline::AdaptiveLifo { above } if (q.waiting.len() - q.gone) as u64 > above => {
                q.waiting.pop_back()
            }
            Discipline::AdaptiveLifo { .. } => q.waiting.pop_front(),
            Discipline::Priority => {
                if let Some(id) = q.waiting.pop_front() {
                    return Some(id);
                }
                let lane = q.lanes.iter_mut().find(|l| !l.is_empty())?;
                q.in_lanes -= 1;
                q.others -= 1;
                lane.pop_front()
            }
        }
    }

    /// With priority classes, the newest waiting job of the lowest class below `class`,
    /// taken out of its line to make room for a job of class `class`; `None` without
    /// classes or when no such job waits.
    #[cold]
    #[inline(never)]
    pub(super) fn make_room(&mut self, k: usize, class: u8) -> Option<u32> {
        if !matches!(self.m.queues[k].discipline, Discipline::Priority) {
            return None;
        }
        let jobs = &mut self.qs.jobs;
        let q = &mut self.qs.q[k];
        loop {
            // Lane i holds class i + 1: the classes below `class` are the lanes from
            // `class` on.
            let lane = q.lanes[class as usize..]
                .iter_mut()
                .rev()
                .find(|l| !l.is_empty())?;
            q.in_lanes -= 1;
            q.others -= 1;
            let id = lane.pop_back()?;
            if jobs[id as usize].state != GONE {
                return Some(id);
            }
            // A job that left the line already makes no room.
            q.gone -= 1;
            jobs[id as usize].state = DONE;
            self.qs.free.push(id);
        }
    }

    /// Moves queue `k`'s waiting jobs (every class, higher classes first) to the parking
    /// lot, and under processor sharing the newest jobs in service beyond the workers;
    /// returns how many.
    pub(super) fn park_waiting(&mut self, k: usize) -> usize {
        let mut n = 0;
        if matches!(self.m.queues[k].discipline, Discipline::Shared) {
            n += self.park_shared(k);
        }
        let jobs = &mut self.qs.jobs;
        let free = &mut self.qs.free;
        let q = &mut self.qs.q[k];
        let lanes = q.lanes.iter_mut();
        for line in std::iter::once(&mut q.waiting).chain(lanes) {
            while let Some(id) = line.pop_front() {
                if jobs[id as usize].state == GONE {
                    // It left the line already: only now does it leave the deque.
                    jobs[id as usize].state = DONE;
                    free.push(id);
                    continue;
                }
                jobs[id as usize].state = PARKED;
                q.parked.push_back(id);
                n += 1;
            }
        }
        q.others -= q.in_lanes;
        q.in_lanes = 0;
        q.gone = 0;
        n
    }

    /// The time the oldest job waiting in queue `k` entered it (under processor sharing,
    /// the oldest job in the queue while more jobs share the workers than there are
    /// workers).
    pub(super) fn oldest_start(&self, k: usize) -> Option<f64> {
        let q = &self.qs.q[k];
        let start = |id: &u32| self.qs.jobs[*id as usize].start;
        match self.m.queues[k].discipline {
            Discipline::Priority => q
                .lanes
                .iter()
                .filter_map(|l| l.front())
                .chain(q.waiting.front())
                .map(start)
                .min_by(f64::total_cmp),
            Discipline::Shared if q.others > 0 => {
                q.serving.iter().map(start).min_by(f64::total_cmp)
            }
            Discipline::Shared => None,
            _ => q.waiting.front().map(start),
        }
    }
}
