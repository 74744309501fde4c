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

fn study(text: &str, runs: u64) -> (Vec<Model>, Vec<Summary>) {
    let (_, models) =
        load_all_str("queue.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let s = montecarlo::run_all(
        &models,
        Study {
            seed: 11,
            first: 0,
            runs,
            threads: 0,
        },
        &|_| {},
    );
    (models, s)
}

fn within(what: &str, m: &Moments, exact: f64, max_rel_se: f64) {
    let se = m.std_err();
    assert!(
        se > 0.0 && se < max_rel_se * exact,
        "{what}: standard error {se} is not below {max_rel_se} of {exact}: too few samples to test anything"
    );
    let z = (m.mean() - exact) / se;
    assert!(
        z.abs() <= 2.576,
        "{what}: measured {:.5} vs exact {exact:.5} ({z:+.2} standard errors)",
        m.mean()
    );
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
