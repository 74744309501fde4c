//! Requests as users see them, against closed forms: Erlang-A abandonment (M/M/c+M), late
//! replies and request deadlines on an M/M/1 (whose time in system is exponential), and
//! hedged requests on a queue with workers to spare (the minimum of two exponentials).
//!
//! As in `queues.rs`, each run measures after a warm-up far longer than the queue's
//! relaxation time, every comparison is within 2.576 standard errors (99%) of the closed
//! form, and each test bounds the standard error so that the tolerance cannot grow loose
//! enough to pass a wrong model.

use faultline::diagnostics::LoadError;
use faultline::montecarlo::{self, QueueStats, RequestStats, Study, Summary};
use faultline::validate::{load_all_str, load_str};

use crate::common::within;

fn study(text: &str, runs: u64) -> Vec<Summary> {
    let (_, models) =
        load_all_str("queue.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    montecarlo::run_all(&models, Study::whole(11, runs, 0), &|_| {})
}

/// One queue of Exp(1 s) service: `rate` jobs per second, `workers`, and `extra` settings.
fn single_queue(rate: f64, workers: u32, extra: &str) -> String {
    format!(
        r#"Scenario(name: "q", horizon: "30000s", components: [
            (id: "q", queue: (rate: {rate}, workers: {workers}, service: Exp(mean: "1s"), warmup: "3000s", {extra}),
             service: (slo: 0.5)),
        ])"#
    )
}

fn queue(s: &[Summary]) -> &QueueStats {
    &s[0].queues[0]
}

fn requests(s: &[Summary]) -> &RequestStats {
    queue(s).requests.as_ref().expect("a queue with a client")
}

/// The stationary distribution of the Erlang-A birth-death chain (M/M/c+M): arrivals at
/// `lambda`, `c` servers of rate `mu`, each waiting customer leaving at rate `theta`;
/// truncated where the tail is below 1e-300.
fn erlang_a(lambda: f64, mu: f64, c: u32, theta: f64) -> Vec<f64> {
    let mut p = vec![1.0];
    let mut n = 0u32;
    while *p.last().unwrap() > 1e-300 && n < 100_000 {
        n += 1;
        let out = f64::from(n.min(c)) * mu + f64::from(n.saturating_sub(c)) * theta;
        p.push(p.last().unwrap() * lambda / out);
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|x| x / total).collect()
}

#[test]
fn erlang_a_abandonment_and_number_in_system() {
    // λ = 2.4 > cμ = 2: without abandonment the line would grow for ever; patience Exp(mean
    // 2 s) (θ = 0.5) keeps it stable. P(abandon) = θ E[Q] / λ; E[N] = Σ n π_n.
    let (lambda, c, theta) = (2.4, 2, 0.5);
    let pi = erlang_a(lambda, 1.0, c, theta);
    let queued: f64 = (pi.iter().enumerate())
        .map(|(n, p)| (n as f64 - f64::from(c)).max(0.0) * p)
        .sum();
    let in_system: f64 = pi.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
    let abandon = theta * queued / lambda;
    assert!((0.1..0.5).contains(&abandon), "{abandon}");
    let s = study(
        &single_queue(lambda, c, r#"patience: Exp(mean: "2s")"#),
        200,
    );
    let q = queue(&s);
    within("Erlang-A P(abandon)", &q.abandoned, abandon, 0.01);
    within("Erlang-A E[N]", &q.in_system, in_system, 0.01);
}

#[test]
fn patience_shorter_than_any_wait_empties_the_line() {
    // Every job that has to wait leaves after 1 ms: an M/M/1 turns into a loss system
    // (Erlang B with one server): P(leave) = P(busy) = ρ / (1 + ρ).
    let rho: f64 = 0.8;
    let s = study(&single_queue(rho, 1, r#"patience: Fixed("1ms")"#), 200);
    within(
        "M/M/1/1 loss",
        &queue(&s).abandoned,
        rho / (1.0 + rho),
        0.01,
    );
}

#[test]
fn late_replies_answer_until_the_deadline() {
    // M/M/1, λ = 0.5, μ = 1: the time in system S is Exp(rate 0.5) whatever the client
    // thinks, because the server serves every attempt. With a 1 s timeout and no retries:
    // - late replies refused: answered = P(S ≤ 1);
    // - late replies taken until a 3 s deadline: answered = P(S ≤ 3), and an answered
    //   request took E[S | S ≤ 3].
    let r: f64 = 0.5;
    let strict = study(
        &single_queue(0.5, 1, r#"timeout: "1s", client: (late_replies: false)"#),
        200,
    );
    within(
        "answered, no late replies",
        &requests(&strict).answered,
        1.0 - (-r).exp(),
        0.01,
    );
    let late = study(
        &single_queue(0.5, 1, r#"timeout: "1s", client: (deadline: "3s")"#),
        200,
    );
    let p3 = 1.0 - (-3.0 * r).exp();
    within(
        "answered by the deadline",
        &requests(&late).answered,
        p3,
        0.01,
    );
    let conditional = 1.0 / r - 3.0 * (-3.0 * r).exp() / p3;
    within(
        "end-to-end latency of answered requests",
        &requests(&late).latency,
        conditional,
        0.01,
    );
    // Late replies: answered after their attempt timed out, P(1 < S ≤ 3) of the answered.
    let late_share = ((-r).exp() - (-3.0 * r).exp()) / p3;
    within("late replies", &requests(&late).late, late_share, 0.01);
}

#[test]
fn a_deadline_shorter_than_any_service_answers_nothing() {
    let s = study(
        r#"Scenario(name: "q", horizon: "1000s", components: [
            (id: "q", queue: (rate: 0.2, service: Fixed("2s"), timeout: "500ms",
                retries: (count: 5), client: (deadline: "1s")),
             service: (slo: 0.5)),
        ])"#,
        20,
    );
    let r = requests(&s);
    assert!(r.begun.mean() > 150.0, "{}", r.begun.mean());
    assert_eq!(r.answered.mean(), 0.0);
    assert!(
        (r.failed.mean() - r.begun.mean()).abs() <= 1.0,
        "every request fails at its deadline (but the last, open at the end): {} of {}",
        r.failed.mean(),
        r.begun.mean()
    );
    // A retry leaves at most every 500 ms and only before the deadline: at most one.
    let q = queue(&s);
    assert!(
        q.attempts_per_job.mean() <= 2.0,
        "{}",
        q.attempts_per_job.mean()
    );
    assert!(
        q.attempts_per_job.mean() > 1.9,
        "{}",
        q.attempts_per_job.mean()
    );
}

#[test]
fn a_hedge_takes_the_faster_of_two_attempts() {
    // Workers to spare (nobody waits): a request's first attempt takes S1 ~ Exp(1). If it
    // has not replied by h, a hedge goes out, and the reply comes at
    // h + min(S1 − h, S2) = h + Exp(2). So:
    // - hedges per request: P(S1 > h) = e^-h;
    // - end-to-end mean: E[min(S1, h)] + e^-h / 2 = 1 − e^-h + e^-h / 2;
    // - won by the hedge: e^-h / 2;
    // - p99: h + (ln 100 − h) / 2, against ln 100 = 4.6 s without a hedge.
    let h: f64 = 0.5;
    let s = study(&single_queue(1.0, 50, r#"client: (hedge: "500ms")"#), 100);
    let r = requests(&s);
    within("hedges per request", &r.hedges, (-h).exp(), 0.01);
    within(
        "end-to-end mean",
        &r.latency,
        1.0 - (-h).exp() + (-h).exp() / 2.0,
        0.01,
    );
    within("won by the hedge", &r.hedge_won, (-h).exp() / 2.0, 0.01);
    let p99 = r.latency_hist.quantile(0.99);
    let exact = h + (100f64.ln() - h) / 2.0;
    assert!(
        (p99 / exact - 1.0).abs() < 0.02,
        "p99 {p99} vs {exact} (the histogram resolves 1.2%)"
    );
}

#[test]
fn a_queue_without_a_client_has_no_requests_and_one_with_one_counts_every_job() {
    let s = study(&single_queue(0.5, 1, ""), 20);
    assert!(queue(&s).requests.is_none());
    let s = study(&single_queue(0.5, 1, "client: ()"), 20);
    let (q, r) = (queue(&s), requests(&s));
    // No deadline, no timeout: every request is answered by its one attempt.
    assert!((r.begun.mean() - q.jobs.mean()).abs() < 1e-9);
    assert!(r.answered.mean() > 0.9999, "{}", r.answered.mean());
    assert_eq!(r.hedges.mean(), 0.0);
}

/// The semantic problems of `text` as rendered text (it must not load).
fn rejected(text: &str) -> String {
    match load_str("x.ron", text) {
        Err(e @ LoadError::Invalid { .. }) => e.render(false),
        Err(e) => panic!("expected semantic problems, got:\n{}", e.render(false)),
        Ok(_) => panic!("expected semantic problems, but the scenario is valid"),
    }
}

#[test]
fn impossible_client_settings_are_located_errors() {
    let shown = rejected(&single_queue(
        0.5,
        1,
        r#"client: (deadline: "1s", hedge: "2s")"#,
    ));
    assert!(
        shown.contains("a hedge after 2s is never sent: the request's deadline is 1s"),
        "{shown}"
    );
    assert!(shown.contains("x.ron:2:"), "{shown}");
    let shown = rejected(&single_queue(
        0.5,
        1,
        r#"discipline: ProcessorSharing, patience: Exp(mean: "1s")"#,
    ));
    assert!(
        shown.contains("patience never applies under processor sharing"),
        "{shown}"
    );
    let shown = rejected(&single_queue(0.5, 1, r#"client: (deadline: "0s")"#));
    assert!(
        shown.contains("a request deadline must be longer than zero"),
        "{shown}"
    );
}

#[test]
fn a_latency_objective_spends_the_budget_the_late_share_calls_for() {
    // M/M/1, λ = 0.5, μ = 1: P(S > 2 s) = e^-1 of the requests are late. A promise of 50%
    // within 2 s allows half of each window's requests to be late, so each 1000 s window
    // (about 500 requests) uses e^-1 / 0.5 of its budget and meets the objective. With a
    // client whose deadline is 3 s, the late requests are those answered after 2 s and the
    // failed ones (S > 3 s): the same e^-1.
    let late = (-1.0f64).exp();
    let objective = r#"objective: (latency: "2s", share: 0.5, window: "1000s")"#;
    for extra in [
        objective.to_string(),
        format!(r#"timeout: "1s", client: (deadline: "3s"), {objective}"#),
    ] {
        let s = study(&single_queue(0.5, 1, &extra), 100);
        let o = queue(&s).objective.as_ref().expect("an objective");
        assert_eq!(o.windows, 100 * 30, "{extra}");
        within(&extra, &o.budget_used, late / 0.5, 0.01);
        assert!(o.attainment() > 0.999, "{extra}: {}", o.attainment());
    }
    // Promise 70% instead: each window may have 30% late, it has 36.8%: nearly always
    // missed.
    let s = study(
        &single_queue(
            0.5,
            1,
            r#"objective: (latency: "2s", share: 0.7, window: "1000s")"#,
        ),
        20,
    );
    let o = queue(&s).objective.as_ref().expect("an objective");
    assert!(o.attainment() < 0.05, "{}", o.attainment());
    assert_eq!(o.breached_runs, 20);
}

#[test]
fn a_latency_objective_needs_a_share_and_a_window_that_fit() {
    let shown = rejected(&single_queue(
        0.5,
        1,
        r#"objective: (latency: "2s", share: 1.0, window: "1000s")"#,
    ));
    assert!(
        shown.contains("a latency objective's share is in (0, 1), not 1"),
        "{shown}"
    );
    let shown = rejected(&single_queue(
        0.5,
        1,
        r#"objective: (latency: "2s", share: 0.9, window: "100ms")"#,
    ));
    assert!(shown.contains("into more than 100000 windows"), "{shown}");
}
