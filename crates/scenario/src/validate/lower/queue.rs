//! Queues.

use super::sampler;
use crate::schema::{Arrivals, Discipline, Dist, Queue, QueueHealth, Scenario};
use faultline_core::model::{
    self, ArrivalSpec, ClientSpec, Comp, Gaps, LatencyObjective, Level, QueueHealthSpec, QueueSpec,
    Sampler, stable_hash, weibull_mean,
};

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
            arrivals: arrivals(&q.arrivals),
            discipline: discipline(&q.discipline),
            classes: classes(q),
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
            patience: q.patience.as_ref().map(sampler),
            client: q.client.map(|cl| ClientSpec {
                deadline: cl.deadline.map_or(f64::INFINITY, |d| d.secs()),
                late_replies: cl.late_replies,
                hedge: cl.hedge.map_or(f64::INFINITY, |d| d.secs()),
            }),
            objective: q.objective.map(|o| LatencyObjective {
                latency: o.latency.secs(),
                share: o.share,
                window: o.window.secs(),
            }),
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

/// A checked arrival process, compiled.
fn arrivals(a: &Arrivals) -> ArrivalSpec {
    match a {
        Arrivals::Poisson => ArrivalSpec::Poisson,
        Arrivals::Even => ArrivalSpec::Renewal(Gaps::Even),
        Arrivals::Renewal(d) => ArrivalSpec::Renewal(Gaps::scaled(sampler(d), mean(d))),
        &Arrivals::Gamma { shape } => ArrivalSpec::Renewal(Gaps::gamma(shape).expect("checked")),
        Arrivals::OnOff { on, off } => {
            let (on, off) = (on.secs(), off.secs());
            let level = (on + off) / on;
            ArrivalSpec::Modulated(vec![
                Level { level, hold: on },
                Level {
                    level: 0.0,
                    hold: off,
                },
            ])
        }
        Arrivals::Markov(states) => {
            // Loads scaled so that their time-weighted mean is 1.
            let time: f64 = states.iter().map(|s| s.hold.secs()).sum();
            let mean = states.iter().map(|s| s.load * s.hold.secs()).sum::<f64>() / time;
            ArrivalSpec::Modulated(
                states
                    .iter()
                    .map(|s| Level {
                        level: s.load / mean,
                        hold: s.hold.secs(),
                    })
                    .collect(),
            )
        }
    }
}

/// The mean of a checked distribution with a finite mean, seconds.
fn mean(d: &Dist) -> f64 {
    match *d {
        Dist::Exp { mean } => mean.secs(),
        Dist::Weibull { shape, scale } => weibull_mean(shape, scale.secs()),
        Dist::LogNormal { median, sigma } => median.secs() * (sigma * sigma / 2.0).exp(),
        Dist::Uniform(lo, hi) => (lo.secs() + hi.secs()) / 2.0,
        Dist::Fixed(x) | Dist::At(x) => x.secs(),
        Dist::Never => f64::INFINITY,
    }
}

/// A checked discipline, compiled.
fn discipline(d: &Discipline) -> model::Discipline {
    match *d {
        Discipline::Fifo => model::Discipline::Fifo,
        Discipline::Lifo => model::Discipline::Lifo,
        Discipline::AdaptiveLifo { above } => model::Discipline::AdaptiveLifo { above },
        Discipline::Priority(_) => model::Discipline::Priority,
        Discipline::ProcessorSharing => model::Discipline::Shared,
    }
}

/// Each priority class's cumulative share of new jobs (empty without classes).
fn classes(q: &Queue) -> Vec<f64> {
    let Discipline::Priority(classes) = &q.discipline else {
        return vec![];
    };
    let total: f64 = classes.iter().map(|c| c.share).sum();
    let mut sum = 0.0;
    classes
        .iter()
        .map(|c| {
            sum += c.share / total;
            sum
        })
        .collect()
}
