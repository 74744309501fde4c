//! The hot loop allocates nothing: after a warm-up run has grown the reusable buffers, a
//! whole run (reset, seeding, every event, propagation, accounting) makes zero heap
//! allocations. A counting global allocator, switched on for this thread only, checks it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed on unchanged to the system allocator, which upholds the
// GlobalAlloc contract; counting touches only thread-local cells and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: `ptr` came from `System` with `layout`, as GlobalAlloc::realloc requires.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

pub(crate) fn allocations_during(f: impl FnOnce()) -> u64 {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    COUNT.with(Cell::get)
}

#[test]
fn a_run_allocates_nothing_once_warm() {
    for (file, strategy, warm) in [
        ("scenarios/substation.ron", "baseline", 1000),
        ("tests/data/snapshot.ron", "baseline", 1000),
        // Latent faults, demands, inspections and readiness.
        ("scenarios/backups.ron", "weekly-drill", 1000),
        // Tired responders, procedures that slip and set off second faults. About 90
        // incidents a run (the flaky batch pages every 8 hours): the incident list reaches
        // its working size later than the others' lists do.
        ("scenarios/second-switch.ron", "two-switches", 3000),
        // A team of eight with a commander and a record.
        ("scenarios/spaceteam.ron", "commander-and-record", 1000),
        // Burn-rate rules on an error budget: their rings of failures are preallocated.
        ("scenarios/amazon-outage.ron", "burn-fast-slow", 1000),
        // Every arrival process and queue discipline (bounded queues: their buffers stop
        // growing once warm).
        ("tests/data/alloc-queues.ron", "baseline", 1000),
    ] {
        let text = std::fs::read_to_string(crate::common::repo(file)).unwrap();
        let (_, models) = faultline::validate::load_all_str(file, &text).unwrap();
        let m = models.into_iter().find(|m| m.strategy == strategy).unwrap();
        let mut sim = faultline::engine::Sim::new(&m);
        let mut summary = faultline::montecarlo::Summary::new(&m);
        // Warm up: the event heap, failure list and incident list grow to their working
        // size (a run with more failures than any before it grows them once; backups has
        // runs of up to six data losses).
        for run in 0..warm {
            sim.run(1, run, &mut ());
            summary.record(&sim);
        }
        let mut events = 0;
        let n = allocations_during(|| {
            for run in warm..warm + 200 {
                sim.run(1, run, &mut ());
                summary.record(&sim);
                events += sim.events;
            }
        });
        assert!(
            events > 1000,
            "{file}: too few events ({events}) to mean anything"
        );
        assert_eq!(
            n, 0,
            "{file}: {n} allocations in 200 runs ({events} events)"
        );
    }
}

#[test]
fn the_counter_counts() {
    // Guards the test above against a counter that never counts.
    let n = allocations_during(|| {
        let v: Vec<u64> = (0..100).collect();
        std::hint::black_box(v);
    });
    assert!(n >= 1);
}
