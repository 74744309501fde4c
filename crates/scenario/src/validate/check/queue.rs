//! Queues, and the Burst faults that need one.

use super::{At, Checker, DistUse};
use crate::diagnostics::Problem;
use crate::duration::Duration;
use crate::schema::{self, Arrivals, Discipline, Dist, Effect, QueueHealth, Scenario};
use faultline_core::model::MAX_CLASSES;

/// Plausible arrival rates, jobs per second: a million a second is a large web estate
/// already; more only makes one run take gigabytes.
const RATE: (f64, f64) = (0.0, 1e6);
/// Most workers per queue.
const MAX_WORKERS: u32 = 100_000;
/// Largest queue bound (each waiting job takes memory).
const MAX_BOUND: u64 = 10_000_000;
/// Most states of a Markov-modulated arrival process.
const MAX_STATES: usize = 16;
/// Plausible gamma shapes and relative loads (a shape of a million is evenly spaced
/// already).
const SHAPE: (f64, f64) = (0.0, 1e6);

/// Checks every component's queue and that each Burst fault lands on a queue.
pub(super) fn check_queues(ck: &mut Checker, sc: &Scenario) {
    for (i, c) in sc.components.iter().enumerate() {
        let cp = At::ROOT.field("components").index(i);
        if let Some(q) = &c.queue {
            check_queue(ck, q, cp.field("queue"), sc.horizon);
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
fn check_queue(ck: &mut Checker, q: &schema::Queue, p: At<'_>, horizon: Duration) {
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
    check_arrivals(ck, &q.arrivals, p.field("arrivals"));
    check_discipline(ck, q, p);
    check_clients(ck, q, p, horizon);
}

/// Checks how clients wait (patience), what they do across attempts (requests), and what
/// they are promised (a latency objective).
fn check_clients(ck: &mut Checker, q: &schema::Queue, p: At<'_>, horizon: Duration) {
    if let Some(d) = &q.patience {
        ck.dist(d, p.field("patience"), DistUse::Repair);
        if matches!(d, Dist::Never) {
            ck.push(
                Problem::new(
                    p.field("patience"),
                    "a patience of Never means nobody ever leaves the line",
                )
                .hint("remove `patience` for clients who wait for ever"),
            );
        }
        if q.discipline == Discipline::ProcessorSharing {
            ck.push(
                Problem::new(
                    p.field("patience"),
                    "patience never applies under processor sharing: every job is in service at once, and nobody leaves service",
                )
                .hint("remove `patience`, or serve the jobs in order (Fifo, Lifo, ...)"),
            );
        }
    }
    if let Some(o) = q.objective {
        let op = p.field("objective");
        ck.positive(o.latency, op.field("latency"), "an objective's latency");
        if !(o.share > 0.0 && o.share < 1.0) {
            ck.push(
                Problem::new(
                    op.field("share"),
                    format!("a latency objective's share is in (0, 1), not {}", o.share),
                )
                .hint("share: 0.99 promises 99% of each window's requests within the latency"),
            );
        }
        super::component::check_window(ck, o.window, op.field("window"), horizon);
    }
    let Some(cl) = q.client else { return };
    let cp = p.field("client");
    if let Some(d) = cl.deadline {
        ck.positive(d, cp.field("deadline"), "a request deadline");
    }
    if let Some(h) = cl.hedge {
        ck.positive(h, cp.field("hedge"), "a hedge delay");
        if let Some(d) = cl.deadline.filter(|d| h.secs() >= d.secs()) {
            ck.push(
                Problem::new(
                    cp.field("hedge"),
                    format!(
                        "a hedge after {} is never sent: the request's deadline is {}",
                        faultline_units::human(h.secs()),
                        faultline_units::human(d.secs())
                    ),
                )
                .hint("hedge well before the deadline, e.g. at the attempts' p95 latency"),
            );
        }
    }
}

/// Checks an arrival process's parameters.
fn check_arrivals(ck: &mut Checker, a: &Arrivals, p: At<'_>) {
    match a {
        Arrivals::Poisson | Arrivals::Even => {}
        Arrivals::Renewal(d) => {
            let at = p.index(0);
            ck.dist(d, at, DistUse::Repair);
            let empty = match *d {
                Dist::Never | Dist::At(_) => true,
                Dist::Fixed(x) => x.secs() <= 0.0,
                Dist::Uniform(_, hi) => hi.secs() <= 0.0,
                _ => false,
            };
            if empty {
                ck.push(
                    Problem::new(at, "renewal gaps need a distribution with a mean above zero")
                        .hint("e.g. Renewal(LogNormal(median: \"1s\", sigma: 1.0)); write Even for evenly spaced jobs"),
                );
            }
        }
        Arrivals::Gamma { shape } => {
            if !(shape.is_finite() && *shape > 0.0 && *shape <= SHAPE.1) {
                ck.err(
                    p.field("shape"),
                    format!(
                        "a gamma shape must be above 0 and at most {:e}, not {shape}",
                        SHAPE.1
                    ),
                );
            }
        }
        Arrivals::OnOff { on, off } => {
            ck.positive(*on, p.field("on"), "the mean length of a burst");
            ck.positive(*off, p.field("off"), "the mean time between bursts");
        }
        Arrivals::Markov(states) => check_states(ck, states, p.index(0)),
    }
}

/// Checks the states of a Markov-modulated arrival process.
fn check_states(ck: &mut Checker, states: &[schema::ArrivalState], p: At<'_>) {
    if states.len() < 2 || states.len() > MAX_STATES {
        ck.push(
            Problem::new(
                p,
                format!(
                    "a Markov arrival process needs 2 to {MAX_STATES} states, not {}",
                    states.len()
                ),
            )
            .hint("write each state as (load: 1.0, hold: \"10m\"); one state is Poisson"),
        );
        return;
    }
    for (i, st) in states.iter().enumerate() {
        ck.within(st.load, SHAPE, p.index(i).field("load"), "a state's load");
        ck.positive(
            st.hold,
            p.index(i).field("hold"),
            "a state's mean holding time",
        );
    }
    if states.iter().all(|st| st.load == 0.0) {
        ck.err(p, "at least one state needs a load above zero");
    }
}

/// Checks a queue's discipline, and the settings that do not go with it.
fn check_discipline(ck: &mut Checker, q: &schema::Queue, p: At<'_>) {
    let at = p.field("discipline");
    match &q.discipline {
        Discipline::Priority(classes) => check_classes(ck, classes, at.index(0)),
        Discipline::ProcessorSharing if q.drop_expired => ck.push(
            Problem::new(
                p.field("drop_expired"),
                "drop_expired never applies under processor sharing: every job is in service at once",
            )
            .hint("remove `drop_expired`, or serve the jobs in order (Fifo, Lifo, ...)"),
        ),
        _ => {}
    }
}

/// Checks the priority classes of a queue.
fn check_classes(ck: &mut Checker, classes: &[schema::JobClass], p: At<'_>) {
    if classes.len() < 2 || classes.len() > MAX_CLASSES {
        ck.push(
            Problem::new(
                p,
                format!(
                    "priority needs 2 to {MAX_CLASSES} classes, not {}",
                    classes.len()
                ),
            )
            .hint("e.g. Priority([(name: \"interactive\", share: 0.3), (name: \"batch\", share: 0.7)])"),
        );
        return;
    }
    let mut sum = 0.0;
    for (i, c) in classes.iter().enumerate() {
        if c.name.trim().is_empty() {
            ck.err(p.index(i).field("name"), "a class needs a name");
        } else if classes[..i].iter().any(|o| o.name == c.name) {
            ck.err(
                p.index(i).field("name"),
                format!("duplicate class name `{}`", c.name),
            );
        }
        if !(c.share.is_finite() && c.share > 0.0 && c.share <= 1.0) {
            ck.err(
                p.index(i).field("share"),
                format!(
                    "a class's share must be above 0 and at most 1, not {}",
                    c.share
                ),
            );
        }
        sum += c.share;
    }
    if sum.is_finite() && (sum - 1.0).abs() > 1e-6 {
        ck.push(
            Problem::new(p, format!("the classes' shares must sum to 1, not {sum}"))
                .hint("each share is the fraction of new jobs in that class"),
        );
    }
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
