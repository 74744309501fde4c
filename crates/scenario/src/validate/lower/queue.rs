//! Queues.

use super::sampler;
use crate::schema::{QueueHealth, Scenario};
use faultline_core::model::{Comp, QueueHealthSpec, QueueSpec, Sampler, stable_hash};

/// The queues in component order, with the queues each feeds (`feed_pairs`, from Feeds
/// edges); sets each queued component's queue in `comps`.
pub(super) fn queues(
    sc: &Scenario,
    feed_pairs: &[(u32, u32)],
    comps: &mut [Comp],
) -> Vec<QueueSpec> {
    let mut queues: Vec<QueueSpec> = vec![];
    for (i, c) in sc.components.iter().enumerate() {
        let Some(q) = &c.queue else { continue };
        let mut schedule: Vec<(f64, f64)> =
            q.schedule.iter().map(|(t, r)| (t.secs(), *r)).collect();
        schedule.sort_by(|a, b| a.0.total_cmp(&b.0));
        queues.push(QueueSpec {
            comp: i as u32,
            rate: q.rate,
            schedule,
            workers: q.workers,
            service: sampler(&q.service),
            slow_a: q.slowdown.map_or(0.0, |s| s.a),
            slow_b: q.slowdown.map_or(0.0, |s| s.b),
            timeout: q.timeout.map_or(f64::INFINITY, |t| t.secs()),
            drop_expired: q.drop_expired,
            errors: q.errors,
            retries: q.retries.map_or(0, |r| r.count),
            backoff: q
                .retries
                .map_or(Sampler::Fixed(0.0), |r| sampler(&r.backoff)),
            multiplier: q.retries.map_or(1.0, |r| r.multiplier),
            budget: q.retries.and_then(|r| r.budget).unwrap_or(f64::INFINITY),
            bound: q.bound.unwrap_or(u64::MAX),
            health: match q.health {
                QueueHealth::Goodput => QueueHealthSpec::Goodput,
                QueueHealth::Latency(d) => QueueHealthSpec::Latency(d.secs()),
            },
            window: q.window.secs(),
            warmup: q.warmup.secs(),
            feeds: vec![],
            key: stable_hash(&["queue", &c.id]),
        });
    }
    for &(f, t) in feed_pairs {
        let (qf, qt) = (
            queues.iter().position(|q| q.comp == f).expect("validated"),
            queues.iter().position(|q| q.comp == t).expect("validated"),
        );
        queues[qf].feeds.push(qt as u32);
    }
    for (k, q) in queues.iter().enumerate() {
        comps[q.comp as usize].queue = k as u32;
    }
    queues
}
