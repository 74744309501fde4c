//! Engine benchmarks (divan). Run with `cargo bench --bench engine`; see `benches/README.md`
//! for what each one measures and the latest figures.
//!
//! - `floor_heap_loop`: a minimal hand-written event loop (the floor the engine is judged
//!   against), on the same process and the same number of events as the next one.
//! - `floor_with_books`: the floor plus the books the engine keeps for that model, hand-fused
//!   for it alone; checked to compute the engine's downtime to the bit.
//! - `engine_single_component`: the engine on one component that fails and is repaired every
//!   hour or so, for about 100,000 events per run.
//! - `floor_parallel`: the floor loop on 1 and 2 independent threads: what the machine
//!   itself gives a second thread (the ceiling for the next one).
//! - `substation_runs`: a whole Monte Carlo study of `scenarios/substation.ron`, 1 and 2 threads.
//! - `large_graph_run`: one run of a generated estate (`faultline::r#gen`) of 1k, 10k, 100k
//!   components with 3 dependency edges per component.
//! - `shipped_scenario`: a one-thread Monte Carlo study of each file in `scenarios/`, sized
//!   to take tens of milliseconds; the counter is events, so each compares with the floor.
//!
//! Every model is built outside the timed part; every timed iteration simulates the same run
//! index, so the event count (the divan counter) is exact.

use divan::Bencher;
use divan::counter::ItemsCount;
use faultline::engine::Sim;
use faultline::r#gen::Profile;
use faultline::model::Model;
use faultline::montecarlo::{self, Study};
use faultline::validate::load_str;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// Seed used by every benchmark run.
const SEED: u64 = 1;

/// One component with an exponential fault (mean 1 h) and an exponential repair (mean 1 h)
/// and a service that requires it; 100,000 h horizon, so about 100,000 events per run.
const SINGLE: &str = r#"Scenario(
    name: "single",
    horizon: "100000h",
    components: [
        (id: "box", faults: [(name: "f", every: Exp(mean: "1h"), effect: Crash, repair: Exp(mean: "1h"))]),
        (id: "svc", service: (slo: 0.9, users: 1)),
    ],
    edges: [(from: "svc", to: "box", kind: Requires)],
)"#;

fn single_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| load_str("single.ron", SINGLE).expect("single scenario").1)
}

/// Events in run 0 of the single-component model: both the engine bench and the floor
/// process exactly this many.
fn single_events() -> u64 {
    static E: OnceLock<u64> = OnceLock::new();
    *E.get_or_init(|| {
        let mut sim = Sim::new(single_model());
        sim.run(SEED, 0, &mut ());
        sim.events
    })
}

/// The floor: the same alternating up/down process (exponential times, mean 1 h each) as
/// the single-component scenario, as the smallest loop that still does what any discrete-event
/// engine must do per event: pop the earliest event from a binary heap ordered by
/// (time, sequence), update the state and its time accounting, draw an exponential from a
/// ChaCha8 stream and push the next event.
fn floor_loop(events: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let exp: Exp<f64> = Exp::new(1.0 / 3600.0).expect("rate");
    // Non-negative f64 times order like their bit patterns.
    let mut heap: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::with_capacity(16);
    let mut seq = 0u64;
    heap.push(Reverse((exp.sample(&mut rng).to_bits(), seq)));
    let mut up = true;
    let mut since = 0.0f64;
    let mut downtime = 0.0f64;
    for _ in 0..events {
        let Reverse((bits, _)) = heap.pop().expect("always one pending event");
        let t = f64::from_bits(bits);
        if !up {
            downtime += t - since;
        }
        up = !up;
        since = t;
        seq += 1;
        heap.push(Reverse(((t + exp.sample(&mut rng)).to_bits(), seq)));
    }
    downtime
}

/// What the engine must still compute for the single-component model, hand-fused for that
/// model alone: the floor loop plus the engine's books (time in each class for both
/// components, the service's downtime, user-seconds, failures, first failure and root, the
/// site's figures, the repair times behind MTTR), on the engine's own streams and
/// distributions. It returns the service's downtime and user-seconds, which
/// [`books_floor_is_the_engine`] checks against the engine's to the bit: the same draws,
/// the same arithmetic.
fn books_floor_loop(m: &Model) -> (f64, f64) {
    use faultline::rng::{FAULT, REPAIR, stream};
    const UP: usize = 0;
    const DOWN: usize = 3;
    let slot = &m.slots[0];
    let mut faults = stream(SEED, 0, slot.key, FAULT);
    let mut repairs = stream(SEED, 0, slot.key, REPAIR);
    let end = m.horizon;
    // Time key, then sequence; the low bit of the sequence says which event it is. A `u32`
    // sequence, not the floor's `u64`: with the floor's heap type, the floor's `pop` got a
    // second caller, was no longer inlined, and the floor ran 1.7 times slower.
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::with_capacity(16);
    let mut seq = 0u32;
    let mut push = |heap: &mut BinaryHeap<_>, t: f64, repair: bool| {
        if t <= end {
            heap.push(Reverse((t.to_bits(), seq << 1 | u32::from(repair))));
            seq += 1;
        }
    };
    push(&mut heap, slot.every.sample(&mut faults), false);
    let mut time_in = [[0.0f64; 4]; 2];
    let (mut class, mut since) = (UP, 0.0f64);
    let (mut downtime, mut user_seconds, mut frac, mut svc_since) = (0.0f64, 0.0f64, 0.0f64, 0.0);
    let (mut failures, mut first_failure, mut roots) = (0u32, f64::INFINITY, Vec::new());
    let (mut site_since, mut site_down, mut site_failures) = (0.0f64, 0.0f64, 0u32);
    let (mut broke_at, mut repair_total, mut repair_count) = (0.0f64, 0.0f64, 0u32);
    while let Some(Reverse((bits, key))) = heap.pop() {
        let t = f64::from_bits(bits);
        let repaired = key & 1 == 1;
        // Both components change class together; the service's books follow.
        for row in &mut time_in {
            row[class] += t - since;
        }
        since = t;
        class = if repaired { UP } else { DOWN };
        let dt = t - svc_since;
        if repaired {
            downtime += dt;
        }
        user_seconds += frac * dt;
        svc_since = t;
        frac = if repaired { 0.0 } else { 1.0 };
        if repaired {
            site_down += t - site_since;
            repair_total += t - broke_at;
            repair_count += 1;
            push(&mut heap, t + slot.every.sample(&mut faults), false);
        } else {
            failures += 1;
            first_failure = first_failure.min(t);
            roots.push(0u32);
            site_since = t;
            site_failures += 1;
            broke_at = t;
            push(&mut heap, t + slot.repair.sample(&mut repairs), true);
        }
    }
    for row in &mut time_in {
        row[class] += end - since;
    }
    let dt = end - svc_since;
    if class == DOWN {
        downtime += dt;
        site_down += end - site_since;
    }
    user_seconds += frac * dt;
    divan::black_box((
        time_in,
        failures,
        first_failure,
        &roots,
        site_down,
        site_failures,
    ));
    divan::black_box((repair_total, repair_count));
    (downtime, user_seconds)
}

/// The books floor computes what the engine computes, to the bit.
fn books_floor_is_the_engine() {
    let mut sim = Sim::new(single_model());
    sim.run(SEED, 0, &mut ());
    let svc = &sim.books.svc[0];
    let (downtime, user_seconds) = books_floor_loop(single_model());
    assert_eq!(downtime.to_bits(), svc.downtime.to_bits(), "downtime");
    assert_eq!(
        user_seconds.to_bits(),
        svc.user_seconds.to_bits(),
        "user-seconds"
    );
}

#[divan::bench]
fn floor_heap_loop(bencher: Bencher) {
    let events = single_events();
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| floor_loop(divan::black_box(events)));
}

#[divan::bench]
fn floor_with_books(bencher: Bencher) {
    books_floor_is_the_engine();
    let m = single_model();
    bencher
        .counter(ItemsCount::new(single_events()))
        .bench_local(|| books_floor_loop(divan::black_box(m)));
}

#[divan::bench]
fn engine_single_component(bencher: Bencher) {
    let events = single_events();
    let mut sim = Sim::new(single_model());
    bencher.counter(ItemsCount::new(events)).bench_local(|| {
        sim.run(divan::black_box(SEED), 0, &mut ());
        sim.events
    });
    assert_eq!(sim.events, events);
}

/// The machine's own parallel ceiling, for reading `substation_runs`: the floor loop on
/// `threads` independent threads (no shared state at all), 10 × the single-component events
/// each, threads spawned inside the timed part as `montecarlo::run` spawns its pool.
#[divan::bench(args = [1, 2], sample_count = 20)]
fn floor_parallel(bencher: Bencher, threads: usize) {
    let events = 10 * single_events();
    bencher
        .counter(ItemsCount::new(events * threads as u64))
        .bench_local(|| {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| s.spawn(|| floor_loop(divan::black_box(events))))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("floor thread"))
                    .sum::<f64>()
            })
        });
}

/// Runs per Monte Carlo study.
const STUDY_RUNS: u64 = 10_000;

#[divan::bench(args = [1, 2], sample_count = 20)]
fn substation_runs(bencher: Bencher, threads: usize) {
    let text = include_str!("../scenarios/substation.ron");
    let (_, model) = load_str("substation.ron", text).expect("substation scenario");
    bencher
        .counter(ItemsCount::new(STUDY_RUNS))
        .bench_local(|| {
            montecarlo::run(&model, Study::whole(SEED, STUDY_RUNS, threads), &|_| {}).events
        });
}

/// One run of a generated estate; the counter is the run's events. The 100k model takes
/// seconds per run, so sampling stops after `max_time`.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10, max_time = 20)]
fn large_graph_run(bencher: Bencher, components: usize) {
    let text = faultline::r#gen::scenario_text(components, SEED, Profile::Stress);
    let (_, model) = load_str("generated.ron", &text).expect("generated scenario");
    let mut sim = Sim::new(&model);
    sim.run(SEED, 0, &mut ());
    let events = sim.events;
    bencher.counter(ItemsCount::new(events)).bench_local(|| {
        sim.run(divan::black_box(SEED), 0, &mut ());
        sim.events
    });
    assert_eq!(sim.events, events);
}

/// Every shipped scenario with the runs of its benchmark study: from 4 runs of the queue
/// models (≈ 450,000 events a run) to 10,000 of the shuttle (3 events a run), so that each
/// study takes tens of milliseconds.
const SHIPPED: [(&str, &str, u64); 7] = [
    (
        "amazon-outage",
        include_str!("../scenarios/amazon-outage.ron"),
        2_000,
    ),
    (
        "b17-switches",
        include_str!("../scenarios/b17-switches.ron"),
        200,
    ),
    ("job-queue", include_str!("../scenarios/job-queue.ron"), 4),
    (
        "retry-storm",
        include_str!("../scenarios/retry-storm.ron"),
        4,
    ),
    ("shuttle", include_str!("../scenarios/shuttle.ron"), 10_000),
    (
        "storefront",
        include_str!("../scenarios/storefront.ron"),
        5_000,
    ),
    (
        "substation",
        include_str!("../scenarios/substation.ron"),
        5_000,
    ),
];

/// A Monte Carlo study of a shipped scenario's baseline on one thread; the counter is the
/// study's events (runs/s = events/s ÷ events per run, both in `benches/README.md`).
#[divan::bench(
    args = ["amazon-outage", "b17-switches", "job-queue", "retry-storm", "shuttle", "storefront", "substation"],
    sample_count = 10
)]
fn shipped_scenario(bencher: Bencher, name: &str) {
    let (_, text, runs) = SHIPPED
        .iter()
        .find(|(n, _, _)| *n == name)
        .expect("a shipped scenario");
    let (_, model) = load_str(name, text).expect("shipped scenario loads");
    let study = || Study::whole(SEED, *runs, 1);
    let events = montecarlo::run(&model, study(), &|_| {}).events;
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| montecarlo::run(&model, study(), &|_| {}).events);
}
