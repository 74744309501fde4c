//! Queues against queueing theory: M/M/1 and M/M/c (Erlang C) time in system and number in
//! system, Little's law, retry amplification, and metastability.
//!
//! Each run starts empty and measures only after a warm-up far longer than the queue's
//! relaxation time, so the per-run estimates are of the steady state; every comparison is
//! within 2.576 standard errors (99%) of the closed form, and each test bounds the standard
//! error so that the tolerance cannot grow loose enough to pass a wrong model.

use faultline::model::Model;
use faultline::montecarlo::{self, QueueStats, Study, Summary};
use faultline::stats::Moments;
use faultline::validate::load_all_str;

use crate::common::within;

fn study(text: &str, runs: u64) -> (Vec<Model>, Vec<Summary>) {
    let (_, models) =
        load_all_str("queue.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let s = montecarlo::run_all(&models, Study::whole(11, runs, 0), &|_| {});
    (models, s)
}

fn single_queue(rate: f64, workers: u32, extra: &str) -> String {
    format!(
        r#"Scenario(name: "q", horizon: "30000s", components: [
            (id: "q", queue: (rate: {rate}, workers: {workers}, service: Exp(mean: "1s"), warmup: "3000s" {extra}),
             service: (slo: 0.5)),
        ])"#
    )
}

fn queue(s: &[Summary]) -> &QueueStats {
    &s[0].queues[0]
}

#[test]
fn mm1_time_and_number_in_system() {
    // λ = 0.8, μ = 1: W = 1/(μ − λ) = 5 s, L = ρ/(1 − ρ) = 4.
    let (_, s) = study(&single_queue(0.8, 1, ""), 300);
    let q = queue(&s);
    within("M/M/1 W", &q.latency, 5.0, 0.01);
    within("M/M/1 L", &q.in_system, 4.0, 0.01);
}

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered load `a` = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    last / (sum + last)
}

#[test]
fn mmc_wait_matches_erlang_c() {
    // λ = 2.5, μ = 1, c = 3: Wq = C(3, 2.5) / (cμ − λ), W = Wq + 1/μ.
    let (lambda, c) = (2.5, 3);
    let wq = erlang_c(c, lambda) / (f64::from(c) - lambda);
    let (_, s) = study(&single_queue(lambda, c, ""), 300);
    let q = queue(&s);
    within("M/M/3 W", &q.latency, wq + 1.0, 0.01);
    // Little: L = λW.
    within("M/M/3 L", &q.in_system, lambda * (wq + 1.0), 0.01);
    assert!(
        (erlang_c(1, 0.8) - 0.8).abs() < 1e-12,
        "Erlang C for c = 1 is ρ"
    );
}

#[test]
fn littles_law_holds_on_a_random_queue() {
    // Lognormal service, two workers, a rate schedule and a bound: no closed form for W, but
    // L = X·W must hold (X the throughput) whatever the queue does.
    let text = r#"Scenario(name: "little", horizon: "20000s", components: [
        (id: "q", queue: (rate: 1.2, schedule: [("8000s", 1.7), ("14000s", 0.9)], workers: 2,
            service: LogNormal(median: "0.8s", sigma: 0.9), bound: 40, warmup: "1000s"),
         service: (slo: 0.5)),
    ])"#;
    let (_, s) = study(text, 200);
    let q = queue(&s);
    let l = q.in_system.mean();
    let xw = q.throughput.mean() * q.latency.mean();
    assert!(q.rejected.mean() > 0.0, "the bound should bite sometimes");
    assert!((l - xw).abs() / l < 0.02, "L = {l:.4} but X·W = {xw:.4}");
}

#[test]
fn retries_amplify_attempts_by_the_geometric_sum() {
    // Each attempt fails with probability f independently; R retries: attempts per job
    // = (1 − f^(R+1)) / (1 − f).
    for (f, r) in [(0.3, 3u32), (0.5, 5)] {
        let extra = format!(r#", errors: {f}, retries: (count: {r})"#);
        let text =
            single_queue(0.5, 50, &extra).replace(r#"Exp(mean: "1s")"#, r#"Exp(mean: "10ms")"#);
        let (_, s) = study(&text, 100);
        let exact = (1.0 - f64::powi(f, r as i32 + 1)) / (1.0 - f);
        within(
            &format!("attempts per job, f={f}, R={r}"),
            &queue(&s).attempts_per_job,
            exact,
            0.002,
        );
    }
}

/// The email job queue: 10 jobs/s, 4 workers at 0.2 s each (50% busy), and a service time
/// that grows with the backlog as 1 + 1e-4 × waiting^1.5. Past ~460 waiting jobs the workers
/// fall behind the arrivals and the backlog can only grow.
fn email_queue(burst: u64, strategies: &str) -> String {
    format!(
        r#"Scenario(name: "meta", horizon: "2h", components: [
            (id: "jobs", queue: (rate: 10.0, workers: 4, service: Exp(mean: "200ms"),
                slowdown: (a: 0.0001, b: 1.5), health: Latency("2m")),
             faults: [(name: "burst", every: At("10m"), effect: Burst(jobs: {burst}, over: "1m"))]),
            (id: "site", service: (slo: 0.9)),
        ], edges: [(from: "site", to: "jobs", kind: Requires)],
        response: (acknowledge: Fixed("5m"), diagnose: Fixed("10m"), customer_report: Fixed("5m")),
        strategies: [{strategies}])"#
    )
}

#[test]
fn a_small_burst_drains_a_large_one_never_does() {
    let (_, small) = study(&email_queue(300, ""), 40);
    let (_, large) = study(&email_queue(3000, ""), 40);
    // Below the threshold, the backlog is gone by the end in every run...
    assert!(queue(&small).final_waiting.quantile(0.99) < 50.0);
    assert!(
        small[0].downtime.mean() < 600.0,
        "the site recovers on its own"
    );
    // ...above it, the burst is long over and the backlog is still there in every run,
    // bigger than the burst itself: the system stays overloaded with the trigger gone.
    assert!(queue(&large).final_waiting.quantile(0.0) > 3000.0);
    assert!(
        large[0].downtime.mean() > 1.5 * 3600.0,
        "the site stays down: metastable failure"
    );
}

#[test]
fn spoon_feeding_recovers_where_waiting_does_not() {
    let spoon = r#"(name: "spoon-feed", mitigations: [Shed(for: "jobs", rate: 2.0)])"#;
    let (models, s) = study(&email_queue(3000, spoon), 40);
    assert_eq!(models[1].strategy, "spoon-feed");
    let (base, fed) = (&s[0], &s[1]);
    assert!(base.downtime.mean() > 1.5 * 3600.0);
    // Detected after 5 minutes, acknowledged 5 later, diagnosed 10 later: the backlog is
    // pulled 20 minutes into the outage and the site comes back.
    assert!(
        fed.downtime.mean() < 0.5 * base.downtime.mean(),
        "{} vs {}",
        fed.downtime.mean(),
        base.downtime.mean()
    );
    assert!(fed.queues[0].shed.mean() > 1000.0);
    assert!(fed.queues[0].final_waiting.quantile(0.5) < 100.0);
}

#[test]
fn mm1_time_in_system_is_exponential() {
    // The M/M/1 sojourn time is exponential with rate μ − λ = 0.2: median ln 2 / 0.2, p99
    // ln 100 / 0.2. The histogram has ~1% buckets.
    let (_, s) = study(&single_queue(0.8, 1, ""), 100);
    let h = &queue(&s).latency_hist;
    for (q, exact) in [
        (0.5, 2f64.ln() / 0.2),
        (0.9, 10f64.ln() / 0.2),
        (0.99, 100f64.ln() / 0.2),
    ] {
        let got = h.quantile(q);
        assert!(
            (got - exact).abs() / exact < 0.03,
            "p{}: {got:.3} vs {exact:.3}",
            q * 100.0
        );
    }
}

#[test]
fn feeds_pass_every_completed_job_on() {
    let text = r#"Scenario(name: "feeds", horizon: "2h", components: [
        (id: "a", queue: (rate: 3.0, workers: 2, service: Exp(mean: "500ms"))),
        (id: "b", queue: (rate: 0.0, workers: 1, service: Exp(mean: "100ms"))),
        (id: "svc", service: (slo: 0.5)),
    ], edges: [(from: "a", to: "b", kind: Feeds), (from: "svc", to: "b", kind: Requires)])"#;
    let (_, s) = study(text, 20);
    let (a, b) = (&s[0].queues[0], &s[0].queues[1]);
    assert!(a.ok.mean() > 10_000.0);
    assert_eq!(
        b.jobs.mean(),
        a.ok.mean(),
        "b's jobs are exactly a's completions"
    );
}

/// A queue that requires a database; the database is down from minute 10 to minute 40.
fn queue_behind_db(extra: &str, strategies: &str) -> String {
    format!(
        r#"Scenario(name: "db", horizon: "2h", components: [
            (id: "db", faults: [(name: "outage", every: At("10m"), effect: Crash, repair: Fixed("30m"))]),
            (id: "api", queue: (rate: 20.0, workers: 8, service: Exp(mean: "200ms"), timeout: "5s",
                retries: (count: 2, backoff: Fixed("1s")) {extra})),
            (id: "site", service: (slo: 0.9)),
        ], edges: [(from: "api", to: "db", kind: Requires), (from: "site", to: "api", kind: Requires)],
        strategies: [{strategies}])"#
    )
}

#[test]
fn an_upstream_outage_stops_the_workers_and_a_breaker_fails_fast() {
    let (_, s) = study(
        &queue_behind_db(
            "",
            r#"(name: "breaker", mitigations: [CircuitBreaker(for: "api", below: 0.5)])"#,
        ),
        20,
    );
    let (base, breaker) = (&s[0], &s[1]);
    // With the database down the workers stop: the backlog grows and clients time out.
    assert!(base.queues[0].max_waiting.quantile(0.5) > 10_000.0);
    assert!(base.queues[0].timed_out.mean() > 10_000.0);
    // A breaker rejects at once instead: no backlog, no waiting out timeouts.
    assert!(breaker.queues[0].max_waiting.quantile(0.99) < 1_000.0);
    assert!(breaker.queues[0].rejected.mean() > 10_000.0);
    assert!(breaker.queues[0].timed_out.mean() < 0.1 * base.queues[0].timed_out.mean());
}

/// The database is up but ten times slower from minute 10 to minute 40: eight workers then
/// serve 4 jobs/s of the 20 that arrive. A breaker on capacity alone never opens; one with
/// `slower_than: 3.0` does, and fails fast instead of building a backlog.
#[test]
fn a_breaker_with_a_latency_threshold_opens_on_slowness() {
    let text = queue_behind_db(
        "",
        r#"(name: "capacity-only", mitigations: [CircuitBreaker(for: "api")]),
             (name: "latency", mitigations: [CircuitBreaker(for: "api", slower_than: 3.0)])"#,
    )
    .replace("effect: Crash", "effect: Slow(10.0)");
    let (_, s) = study(&text, 20);
    let (base, capacity, latency) = (&s[0].queues[0], &s[1].queues[0], &s[2].queues[0]);
    // Slowness alone builds the backlog and the timeouts, with or without a capacity breaker.
    assert!(base.max_waiting.quantile(0.5) > 10_000.0);
    assert!(base.timed_out.mean() > 10_000.0);
    assert_eq!(capacity.rejected.mean(), base.rejected.mean());
    assert_eq!(capacity.timed_out.mean(), base.timed_out.mean());
    // The latency breaker rejects the slow half hour's arrivals (20/s for 30 min, ~36,000
    // first attempts) at once.
    assert!(
        latency.rejected.mean() > 20_000.0,
        "{}",
        latency.rejected.mean()
    );
    assert!(latency.max_waiting.quantile(0.99) < 1_000.0);
    assert!(latency.timed_out.mean() < 0.1 * base.timed_out.mean());
}

#[test]
fn rate_limits_drop_thresholds_and_more_workers_do_what_they_say() {
    // An overloaded single server (λ = 1.5, μ = 1) and three automated fixes.
    let text = r#"Scenario(name: "over", horizon: "3h", components: [
        (id: "q", queue: (rate: 1.5, workers: 1, service: Exp(mean: "1s"), health: Latency("1m"))),
        (id: "site", service: (slo: 0.9)),
    ], edges: [(from: "site", to: "q", kind: Requires)],
    strategies: [
        (name: "limit", mitigations: [RateLimit(for: "q", rate: 0.8, trigger: Auto("5m"))]),
        (name: "drop", mitigations: [Shed(for: "q", above: 50, trigger: Auto("5m"), per_drop: 1.0)]),
        (name: "workers", mitigations: [AddWorkers(for: "q", workers: 1, delay: Fixed("10m"), trigger: Auto("5m"))]),
    ])"#;
    let (_, s) = study(text, 20);
    let base = &s[0].queues[0];
    assert!(
        base.final_waiting.quantile(0.5) > 3000.0,
        "λ > μ: the backlog grows all run"
    );
    let limit = &s[1].queues[0];
    assert!(limit.rejected.mean() > 1000.0);
    assert!(limit.final_waiting.quantile(0.99) < base.final_waiting.quantile(0.01));
    let drop = &s[2].queues[0];
    assert!(drop.max_waiting.quantile(1.0) <= 1000.0 && drop.dropped.mean() > 1000.0);
    assert!(
        drop.final_waiting.quantile(1.0) <= 51.0,
        "never more than the threshold + 1 waiting once on"
    );
    assert!(s[2].cost.mean() > 1000.0, "each dropped job costs 1");
    let workers = &s[3].queues[0];
    assert!(
        workers.final_waiting.quantile(0.5) < 50.0,
        "two servers drain the backlog"
    );
    assert_eq!(workers.dropped.mean(), 0.0);
}

#[test]
fn a_redesign_removes_the_flaw_but_only_when_it_lands() {
    let redesign =
        r#"(name: "redesign", mitigations: [Redesign(for: "jobs", takes: Fixed("30m"))])"#;
    let (_, s) = study(
        &email_queue(3000, redesign).replace(r#"horizon: "2h""#, r#"horizon: "4h""#),
        20,
    );
    let (base, fixed) = (&s[0], &s[1]);
    // Failure at ~13m, report 5m, ack 5m, diagnosis 10m, redesign 30m: the flaw is gone at
    // ~63m and the backlog drains at full speed.
    assert!(fixed.downtime.mean() < base.downtime.mean() - 1800.0);
    assert!(
        fixed.downtime.mean() > 45.0 * 60.0,
        "nothing changes before the redesign lands"
    );
    assert!(fixed.queues[0].final_waiting.quantile(0.99) < 100.0);
}

#[test]
fn a_retry_budget_caps_amplification() {
    let storm = |budget: &str| {
        format!(
            r#"Scenario(name: "budget", horizon: "1h", components: [
                (id: "q", queue: (rate: 5.0, workers: 10, service: Exp(mean: "100ms"), errors: 0.6,
                    retries: (count: 5 {budget}))),
                (id: "site", service: (slo: 0.5)),
            ], edges: [(from: "site", to: "q", kind: Requires)])"#
        )
    };
    let (_, free) = study(&storm(""), 10);
    let (_, capped) = study(&storm(", budget: 0.1"), 10);
    let exact = (1.0 - 0.6f64.powi(6)) / 0.4;
    within(
        "unbudgeted amplification",
        &free[0].queues[0].attempts_per_job,
        exact,
        0.01,
    );
    let a = capped[0].queues[0].attempts_per_job.mean();
    assert!(
        a <= 1.1 + 1e-9 && a > 1.09,
        "a 10% budget allows at most 1.1 attempts per job, got {a}"
    );
}

// ---------------------------------------------------------------------------------------
// Arrival processes and disciplines against their closed forms
// ---------------------------------------------------------------------------------------

/// The root σ in (0, 1) of σ = A*(μ(1 − σ)), `lst` the Laplace–Stieltjes transform A* of
/// the gaps between arrivals: the GI/M/1 queue's probability that an arrival waits. The
/// iteration from 0 climbs monotonically to the smallest root, the one in (0, 1) when ρ < 1.
fn gi_m1_sigma(lst: impl Fn(f64) -> f64, mu: f64) -> f64 {
    let mut sigma = 0.0;
    for _ in 0..100_000 {
        sigma = lst(mu * (1.0 - sigma));
    }
    assert!(
        (sigma - lst(mu * (1.0 - sigma))).abs() < 1e-12 && sigma < 1.0,
        "σ = {sigma} did not converge"
    );
    sigma
}

#[test]
fn gi_m1_queues_match_the_root_of_the_arrival_transform() {
    // λ = 0.8, μ = 1: W = 1 / (μ(1 − σ)) (time in system; the wait is σ / (μ(1 − σ))).
    // D/M/1: A*(s) = e^(−s/λ); E2/M/1: A*(s) = (2λ / (2λ + s))²; gaps of mean 1/λ either
    // way; U/M/1 with gaps uniform on [0, 2/λ]. M/M/1 (σ = ρ) would give 5 s; these give
    // about 2.7 s, 3.8 s and 3.5 s.
    let (lambda, mu) = (0.8, 1.0);
    let even = gi_m1_sigma(|s| (-s / lambda).exp(), mu);
    let erlang2 = gi_m1_sigma(|s| (2.0 * lambda / (2.0 * lambda + s)).powi(2), mu);
    // Gaps uniform on [0, 2/λ] (any uniform, scaled to mean 1/λ): A*(s) = (1 − e^(−bs)) / (bs).
    let b = 2.0 / lambda;
    let uniform = gi_m1_sigma(|s| (1.0 - (-b * s).exp()) / (b * s), mu);
    assert!((gi_m1_sigma(|s| lambda / (lambda + s), mu) - lambda / mu).abs() < 1e-9);
    for (what, arrivals, sigma) in [
        ("D/M/1", "Even", even),
        ("E2/M/1", "Gamma(shape: 2.0)", erlang2),
        ("U/M/1", "Renewal(Uniform(\"0s\", \"7s\"))", uniform),
    ] {
        // Long runs: per-run means over 30,000 s come out about 0.2% low (an edge effect of
        // the run's ends), which the many runs these three need to tell apart would show.
        let text = single_queue(lambda, 1, &format!(", arrivals: {arrivals}"))
            .replace(r#"horizon: "30000s""#, r#"horizon: "300000s""#);
        let (_, s) = study(&text, 24);
        within(
            &format!("{what} W"),
            &queue(&s).latency,
            1.0 / (mu * (1.0 - sigma)),
            0.01,
        );
    }
}

#[test]
fn processor_sharing_mm1_has_fifos_mean_and_x_over_one_minus_rho_per_size() {
    // M/M/1-PS: E[T] = 1/(μ − λ) = 5 s at λ = 0.8, as FIFO.
    let (_, s) = study(&single_queue(0.8, 1, ", discipline: ProcessorSharing"), 100);
    within("M/M/1-PS W", &queue(&s).latency, 5.0, 0.01);
    // M/G/1-PS: a job of size x stays x / (1 − ρ) on average, whatever the distribution of
    // the sizes. Jobs' sizes are not measured one by one, so the check takes sizes that are
    // all x: M/D/1-PS at ρ = 0.5 gives 2x, where FIFO gives x + ρx / (2(1 − ρ)) = 1.5x.
    for x in [1.0, 0.25] {
        let text = single_queue(0.5 / x, 1, ", discipline: ProcessorSharing")
            .replace(r#"Exp(mean: "1s")"#, &format!(r#"Fixed("{x}s")"#));
        let (_, s) = study(&text, 60);
        within(
            &format!("M/D/1-PS W for x = {x}"),
            &queue(&s).latency,
            x / (1.0 - 0.5),
            0.01,
        );
    }
}

/// Mean time in system per priority class, one figure per run, from `runs` runs of the
/// first queue of `text`.
fn class_latencies(text: &str, runs: u64, classes: usize) -> Vec<Moments> {
    let (_, models) =
        load_all_str("queue.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let mut sim = faultline::engine::Sim::new(&models[0]);
    let mut out = vec![Moments::new(); classes];
    for run in 0..runs {
        sim.run(11, run, &mut ());
        let c = sim.qs.counts(0);
        for (k, m) in out.iter_mut().enumerate() {
            let (sum, n) = c.class_latency(k);
            m.push(sum / n as f64);
        }
    }
    out
}

#[test]
fn priority_mm1_waits_follow_cobham() {
    // Non-preemptive priority, λ = 0.8 in two classes (30% interactive first, 70% batch),
    // exponential service of mean 1: W0 = Σ λ E[S²] / 2 = 0.8, class k waits
    // W0 / ((1 − σ(k−1)) (1 − σ(k))) with σ(k) the load of classes 1..k, and stays that
    // plus a mean service in the queue.
    let (lambda, shares) = (0.8, [0.3, 0.7]);
    let extra = r#", discipline: Priority([(name: "interactive", share: 0.3), (name: "batch", share: 0.7)])"#;
    let got = class_latencies(&single_queue(lambda, 1, extra), 100, 2);
    let w0 = lambda * 2.0 / 2.0;
    let mut above = 0.0;
    for (k, share) in shares.iter().enumerate() {
        let with = above + lambda * share;
        let wait = w0 / ((1.0 - above) * (1.0 - with));
        within(&format!("class {k} W"), &got[k], wait + 1.0, 0.01);
        above = with;
    }
}

#[test]
fn lifo_and_adaptive_lifo_mm1_have_fifos_mean() {
    // Any order that ignores the jobs' sizes keeps M/M/1's mean time in system, 1/(μ − λ).
    for discipline in ["Lifo", "AdaptiveLifo(above: 3)"] {
        let extra = format!(", discipline: {discipline}");
        let (_, s) = study(&single_queue(0.8, 1, &extra), 150);
        within(&format!("{discipline} W"), &queue(&s).latency, 5.0, 0.02);
    }
}
