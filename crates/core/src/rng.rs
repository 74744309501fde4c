//! Random streams keyed by `(seed, run, key, purpose)`.
//!
//! Every fault slot, common cause and probabilistic edge draws from its own ChaCha stream,
//! derived from the study seed, the run index, a stable hash of its names and a purpose
//! (fault times, repair times, edge crossings). So a run's randomness never depends on the
//! thread or shard that runs it, every strategy sees the same faults in run *i* (common random
//! numbers), and adding an unrelated component does not shift anyone else's fault times.
//! `Streams` holds the many streams of a large model without ~320 bytes of state each.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Purpose: when faults happen (and their dormancy).
pub const FAULT: u64 = 1;
/// Purpose: how long repairs take.
pub const REPAIR: u64 = 2;
/// Purpose: whether an error episode crosses a probabilistic edge.
pub const EDGE: u64 = 3;
/// Purpose: an incident's timings (acknowledge, diagnose, hand-offs), keyed by its root
/// and how many incidents about that root came before it in the run, so that a strategy
/// that adds or removes an incident leaves every other incident's times as they were.
pub const RESPONSE: u64 = 4;
/// Purpose: how long customers take to report a failed service (one stream a service).
pub const REPORT: u64 = 7;
/// Purpose: a mitigation's timings and outcomes.
pub const MITIGATION: u64 = 5;
/// Purpose: whether an inspection finds each latent fault.
pub const INSPECTION: u64 = 6;
/// Purpose: a mitigation's procedure (step times, skipped and wrong steps, noticing).
pub const PROCEDURE: u64 = 20;

/// SplitMix64's finaliser: a bijective mix with good avalanche.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 256-bit ChaCha key for one stream.
pub fn key(seed: u64, run: u64, key: u64, purpose: u64) -> [u8; 32] {
    let mut x = mix(seed ^ 0x6a09_e667_f3bc_c908);
    x = mix(x ^ run.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    x = mix(x ^ key);
    x = mix(x ^ purpose.wrapping_mul(0xd1b5_4a32_d192_ed03));
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_exact_mut(8).enumerate() {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        chunk.copy_from_slice(&mix(x ^ i as u64).to_le_bytes());
    }
    out
}

/// The stream for `(seed, run, key, purpose)`. Inlined: seeding a stream into its place then
/// copies its ~320 bytes once instead of twice (a run seeds a dozen streams or more).
#[inline]
pub fn stream(seed: u64, run: u64, k: u64, purpose: u64) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(key(seed, run, k, purpose))
}

/// A small generator for streams that draw a handful of numbers each run (an incident's
/// timings, a service's customer reports): 16 bytes, seeded in a few instructions, where a
/// ChaCha stream computes 256 bytes of key stream before its first draw.
pub type Small = rand_pcg::Pcg64Mcg;

/// The small stream of `(seed, run, k, purpose)` (see [`Small`]).
pub fn small(seed: u64, run: u64, k: u64, purpose: u64) -> Small {
    let b = key(seed, run, k, purpose);
    let mut state = [0u8; 16];
    state.copy_from_slice(&b[..16]);
    Small::new(u128::from_le_bytes(state))
}

/// A stream to fill buffers with before a run seeds them properly.
pub fn placeholder() -> ChaCha8Rng {
    ChaCha8Rng::from_seed([0; 32])
}

/// Random streams keyed by `(seed, run, key, purpose)`, for many keys. A
/// set of up to [`Streams::CACHE`] streams keeps one `ChaCha8Rng` each, seeded at every
/// reset. A larger one does not hold ~320 bytes of ChaCha state per stream: a stream is its
/// key plus how many 32-bit words have been read, and the streams in use live in a
/// direct-mapped cache; one that is not cached is rebuilt at its word position
/// (`set_word_pos`), which costs a ChaCha block but saves the memory and the cache misses.
/// The draws are exactly those of a `ChaCha8Rng` per stream either way.
#[derive(Clone)]
pub(crate) struct Streams {
    seed: u64,
    run: u64,
    /// Per stream: its key and purpose.
    keys: Vec<(u64, u64)>,
    /// Per stream: words read so far, while it is not cached.
    pos: Vec<u64>,
    /// Which stream each cache entry holds, `u32::MAX` for none; when resident, per stream,
    /// whether it has been seeded for this run (1) or not yet (0): a stream is seeded at
    /// its first draw of the run, so the many a run never draws from cost nothing.
    tags: Vec<u32>,
    cached: Vec<ChaCha8Rng>,
}

impl Streams {
    /// Streams held in full: up to this many, every one (a power of two).
    const CACHE: usize = 1024;

    /// The streams of `keys` (key, purpose), in that order.
    pub(crate) fn new(keys: Vec<(u64, u64)>) -> Streams {
        let resident = keys.len() <= Self::CACHE;
        let entries = if resident { keys.len() } else { Self::CACHE };
        Streams {
            seed: 0,
            run: 0,
            pos: if resident {
                vec![]
            } else {
                vec![0; keys.len()]
            },
            tags: if resident {
                vec![0; entries]
            } else {
                vec![u32::MAX; entries]
            },
            cached: (0..entries).map(|_| placeholder()).collect(),
            keys,
        }
    }

    /// Every stream has its own entry (stream `id` is entry `id`), with no cache in between.
    #[inline]
    fn resident(&self) -> bool {
        self.keys.len() <= Self::CACHE
    }

    /// Starts run `run` of the study seeded `seed`: every stream at its beginning.
    pub(crate) fn reset(&mut self, seed: u64, run: u64) {
        self.seed = seed;
        self.run = run;
        if self.resident() {
            self.tags.fill(0);
        } else {
            self.pos.fill(0);
            self.tags.fill(u32::MAX);
        }
    }

    pub(crate) fn prefetch(&self, id: u32) {
        if self.resident() {
            crate::prefetch::prefetch(&self.cached[id as usize]);
        } else {
            crate::prefetch::prefetch(&self.tags[id as usize & (Self::CACHE - 1)]);
            crate::prefetch::prefetch(&self.pos[id as usize]);
        }
    }

    /// Stream `id`, where the last draw from it left off.
    #[inline]
    pub(crate) fn get(&mut self, id: u32) -> &mut ChaCha8Rng {
        let e = if self.resident() {
            if self.tags[id as usize] == 0 {
                self.seed_resident(id);
            }
            id as usize
        } else {
            let e = id as usize & (Self::CACHE - 1);
            if self.tags[e] != id {
                self.load(e, id);
            }
            e
        };
        &mut self.cached[e]
    }

    /// Seeds resident stream `id` for this run, at its first draw.
    #[cold]
    #[inline(never)]
    fn seed_resident(&mut self, id: u32) {
        let (key, purpose) = self.keys[id as usize];
        self.cached[id as usize] = stream(self.seed, self.run, key, purpose);
        self.tags[id as usize] = 1;
    }

    /// Puts stream `id` in cache entry `e`, parking the stream that held it at its word
    /// position.
    #[cold]
    #[inline(never)]
    fn load(&mut self, e: usize, id: u32) {
        let old = self.tags[e];
        if old != u32::MAX {
            self.pos[old as usize] = self.cached[e].get_word_pos() as u64;
        }
        let (key, purpose) = self.keys[id as usize];
        let mut r = stream(self.seed, self.run, key, purpose);
        let at = self.pos[id as usize];
        if at > 0 {
            r.set_word_pos(u128::from(at));
        }
        self.cached[e] = r;
        self.tags[e] = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slot streams held by key and word position draw exactly what one `ChaCha8Rng` per
    /// stream draws, whatever the order of the draws and however often a stream is evicted
    /// and rebuilt (a model with more streams than the cache; draws of 32 and 64 bits, so
    /// that some straddle a ChaCha block).
    #[test]
    fn slot_streams_draw_what_their_own_streams_draw() {
        use rand::{Rng, RngCore};
        // The keys of a model with 3,000 fault slots, as the engine lays them out.
        let slots: Vec<u64> = (0..3000)
            .map(|i: u32| crate::model::stable_hash(&["fault", &i.to_string(), "f"]))
            .collect();
        let keys = (slots.iter())
            .flat_map(|&k| [(k, FAULT), (k, REPAIR)])
            .collect::<Vec<_>>();
        assert!(keys.len() > Streams::CACHE, "{} streams", keys.len());
        let mut streams = Streams::new(keys);
        assert!(!streams.resident());
        let mut picks = ChaCha8Rng::seed_from_u64(11);
        let mut pick = |n: usize| picks.random_range(0..n);
        for (seed, run) in [(1, 0), (7, 42)] {
            streams.reset(seed, run);
            let mut own: Vec<[ChaCha8Rng; 2]> = (slots.iter())
                .map(|&k| [stream(seed, run, k, FAULT), stream(seed, run, k, REPAIR)])
                .collect();
            // Most draws from a few hundred slots (they stay cached), the rest from anywhere.
            for _ in 0..200_000 {
                let slot = if pick(4) == 0 {
                    pick(slots.len())
                } else {
                    pick(300)
                };
                let which = pick(2);
                let a = streams.get(2 * slot as u32 + which as u32);
                let b = &mut own[slot][which];
                match pick(3) {
                    0 => assert_eq!(a.next_u32(), b.next_u32()),
                    1 => assert_eq!(a.next_u64(), b.next_u64()),
                    _ => assert_eq!(a.random::<f64>().to_bits(), b.random::<f64>().to_bits()),
                }
            }
        }
    }
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_coordinate() {
        let base = key(1, 2, 3, FAULT);
        assert_ne!(base, key(2, 2, 3, FAULT));
        assert_ne!(base, key(1, 3, 3, FAULT));
        assert_ne!(base, key(1, 2, 4, FAULT));
        assert_ne!(base, key(1, 2, 3, REPAIR));
        assert_eq!(base, key(1, 2, 3, FAULT));
    }

    /// Chi-squared test of uniformity over 20 bins for draws pooled across many streams,
    /// as the engine uses them (few draws per stream).
    #[test]
    fn pooled_draws_are_uniform() {
        let bins = 20;
        let mut counts = vec![0u64; bins];
        let mut n = 0u64;
        for run in 0..20_000u64 {
            let mut r = stream(7, run, 42, FAULT);
            for _ in 0..5 {
                let u: f64 = r.random();
                counts[(u * bins as f64) as usize] += 1;
                n += 1;
            }
        }
        let expected = n as f64 / bins as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        // 19 degrees of freedom: the 99.9th percentile is 43.8.
        assert!(chi2 < 43.8, "chi2 = {chi2}");
    }

    /// A small set (every stream resident, seeded at its first draw of a run) draws what
    /// one `ChaCha8Rng` per stream draws, run after run, whichever streams a run skips.
    #[test]
    fn resident_streams_seeded_lazily_draw_what_their_own_streams_draw() {
        use rand::RngCore;
        let keys: Vec<(u64, u64)> = (0..6u64).map(|k| (k * 977, FAULT + k % 2)).collect();
        let mut streams = Streams::new(keys.clone());
        assert!(streams.resident());
        for (seed, run) in [(3, 0), (3, 1), (9, 5)] {
            streams.reset(seed, run);
            let mut own: Vec<ChaCha8Rng> = (keys.iter())
                .map(|&(k, p)| stream(seed, run, k, p))
                .collect();
            // Stream 2 is never drawn from in the second run: the third must not care.
            for id in [0u32, 3, 3, 5, 0, 1] {
                if run == 1 && id == 2 {
                    continue;
                }
                let (a, b) = (streams.get(id).next_u64(), own[id as usize].next_u64());
                assert_eq!(a, b, "run {run}, stream {id}");
            }
            if run != 1 {
                assert_eq!(streams.get(2).next_u64(), own[2].next_u64());
            }
        }
    }
}
