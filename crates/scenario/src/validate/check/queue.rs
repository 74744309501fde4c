//! Queues, and the Burst faults that need one.

use super::{At, Checker, DistUse};
use crate::diagnostics::Problem;
use crate::schema::{self, Dist, Effect, QueueHealth, Scenario};

/// Plausible arrival rates, jobs per second: a million a second is a large web estate
/// already; more only makes one run take gigabytes.
const RATE: (f64, f64) = (0.0, 1e6);
/// Most workers per queue.
const MAX_WORKERS: u32 = 100_000;
/// Largest queue bound (each waiting job takes memory).
const MAX_BOUND: u64 = 10_000_000;

/// Checks every component's queue and that each Burst fault lands on a queue.
pub(super) fn check_queues(ck: &mut Checker, sc: &Scenario) {
    for (i, c) in sc.components.iter().enumerate() {
        let cp = At::ROOT.field("components").index(i);
        if let Some(q) = &c.queue {
            check_queue(ck, q, cp.field("queue"));
        }
        for (j, f) in c.faults.iter().enumerate() {
            if matches!(f.effect, Effect::Burst { .. }) && c.queue.is_none() {
                ck.push(
                    Problem::new(
                        cp.field("faults").index(j).field("effect"),
                        format!("`{}` is not a queue: a Burst adds jobs to a queue", c.id),
                    )
                    .hint("give the component a queue: (rate: ..., service: ...)"),
                );
            }
        }
    }
    for (i, cc) in sc.common_cause.iter().enumerate() {
        if matches!(cc.effect, Effect::Burst { .. }) {
            ck.err(
                At::ROOT.field("common_cause").index(i).field("effect"),
                "a Burst is a load fault on one queue, not a common cause",
            );
        }
    }
}

/// Checks a queue's parameters.
fn check_queue(ck: &mut Checker, q: &schema::Queue, p: At<'_>) {
    ck.within(
        q.rate,
        RATE,
        p.field("rate"),
        "an arrival rate (jobs per second)",
    );
    for (i, (t, r)) in q.schedule.iter().enumerate() {
        ck.non_negative(*t, p.field("schedule").index(i).index(0), "a schedule time");
        ck.within(*r, RATE, p.field("schedule").index(i).index(1), "a rate");
    }
    if q.workers == 0 {
        ck.err(p.field("workers"), "a queue needs at least one worker");
    } else if q.workers > MAX_WORKERS {
        ck.err(
            p.field("workers"),
            format!(
                "a queue may have at most {MAX_WORKERS} workers, not {}",
                q.workers
            ),
        );
    }
    ck.dist(&q.service, p.field("service"), DistUse::Repair);
    if matches!(q.service, Dist::Never) {
        ck.err(
            p.field("service"),
            "a service time of Never means no job ever finishes",
        );
    }
    if let Some(sd) = q.slowdown {
        if !(sd.a.is_finite() && sd.a >= 0.0) {
            ck.err(
                p.field("slowdown").field("a"),
                format!("slowdown `a` must be >= 0, not {}", sd.a),
            );
        }
        if !(sd.b.is_finite() && sd.b >= 0.0) {
            ck.err(
                p.field("slowdown").field("b"),
                format!("slowdown `b` must be >= 0, not {}", sd.b),
            );
        }
    }
    if let Some(t) = q.timeout {
        ck.positive(t, p.field("timeout"), "a timeout");
    }
    ck.fraction(q.errors, p.field("errors"), "an error probability");
    if let Some(r) = q.retries {
        check_retries(ck, r, p.field("retries"));
    }
    if q.bound == Some(0) {
        ck.err(p.field("bound"), "a queue bound must be at least 1");
    }
    if let Some(b) = q.bound.filter(|&b| b > MAX_BOUND) {
        ck.err(
            p.field("bound"),
            format!("a queue bound may be at most {MAX_BOUND}, not {b}"),
        );
    }
    if let QueueHealth::Latency(d) = q.health {
        ck.positive(d, p.field("health").index(0), "a latency objective");
    }
    ck.positive(q.window, p.field("window"), "a health window");
    ck.non_negative(q.warmup, p.field("warmup"), "a warm-up");
}

/// Checks a queue's retry policy.
fn check_retries(ck: &mut Checker, r: schema::Retries, p: At<'_>) {
    ck.dist(&r.backoff, p.field("backoff"), DistUse::Repair);
    if !(r.multiplier.is_finite() && r.multiplier >= 1.0) {
        ck.err(
            p.field("multiplier"),
            format!("a backoff multiplier must be >= 1, not {}", r.multiplier),
        );
    }
    if let Some(b) = r.budget
        && !(b.is_finite() && b >= 0.0)
    {
        ck.err(
            p.field("budget"),
            format!("a retry budget must be >= 0, not {b}"),
        );
    }
}
