//! Streaming, mergeable summaries for Monte Carlo results.
//!
//! A Monte Carlo study can run millions of simulations, so summaries must be *streaming*:
//! memory is independent of the number of runs. They must also be *mergeable*: runs are
//! processed in fixed chunks (possibly in parallel), each chunk folds its runs sequentially
//! in run-index order, and the chunk summaries are then merged in chunk order. Every
//! operation here is a pure function of its inputs and that order, so results are
//! bit-for-bit reproducible.
//!
//! - [`Moments`]: count, mean, variance (Welford; merged with Chan et al.'s formula),
//!   min and max, and a 95% confidence interval for the mean.
//! - [`Histogram`]: a log-bucketed histogram of non-negative values with exact integer
//!   counts, giving percentiles with about 1% relative precision (at most ≈1.16%).
//!
//! The histogram's bucket bounds come from a table of decimal literals, not from runtime
//! `powf`, and bucket indices are corrected against those bounds, so bucketing does not
//! depend on the platform's `libm`.

use serde::{Deserialize, Deserializer, Serialize};

/// Multiplier for a two-sided 95% interval for a mean estimated from `n` samples.
///
/// The 97.5% quantile of Student's t with `n - 1` degrees of freedom (statrs): 12.71 for
/// `n = 2`, 2.048 for `n = 29`, 2.045 for `n = 30`, approaching the normal 1.95996 as `n`
/// grows, with no jump anywhere. With fewer than two samples no interval can be formed
/// and the result is `+inf`.
///
/// Beyond [`T_EXACT_DF`] degrees of freedom statrs' inverse loses digits (and at 10^8
/// does not return), so there the quantile is the normal one with the first term of its
/// Cornish-Fisher expansion, `z + (z³ + z) / 4ν`, whose error is below 3·10⁻⁸.
pub fn t95(n: u64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    if n < 2 {
        return f64::INFINITY;
    }
    let df = (n - 1) as f64;
    if df <= T_EXACT_DF {
        StudentsT::new(0.0, 1.0, df).map_or(f64::INFINITY, |t| t.inverse_cdf(0.975))
    } else {
        let z = Normal::standard().inverse_cdf(0.975);
        z + (z.powi(3) + z) / (4.0 * df)
    }
}

/// The degrees of freedom up to which [`t95`] asks statrs for the exact quantile.
pub const T_EXACT_DF: f64 = 1e4;

/// Running count, mean, variance, min and max of a stream of `f64` values.
///
/// Values are folded in with Welford's algorithm and partial summaries are combined with
/// Chan et al.'s parallel formula. Merging chunk summaries gives the same answer as
/// sequential pushing up to rounding (not bit-identical), but is itself deterministic.
/// Values are taken as given: a NaN or infinite input propagates into the mean/variance.
///
/// An empty summary stores zeros (never infinities), so it serializes cleanly to JSON;
/// the accessors report NaN for an empty summary where documented.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values pushed.
    n: u64,
    /// Running mean (0 when empty).
    mean: f64,
    /// Sum of squared deviations from the mean.
    m2: f64,
    /// Smallest value pushed (0 when empty).
    min: f64,
    /// Largest value pushed (0 when empty).
    max: f64,
}

impl Moments {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one value in (Welford's update).
    pub fn push(&mut self, x: f64) {
        if self.n == 0 {
            *self = Moments {
                n: 1,
                mean: x,
                m2: 0.0,
                min: x,
                max: x,
            };
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Merges `other` into `self` (Chan et al.). Deterministic for a given merge order.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let na = self.n as f64;
        let nb = other.n as f64;
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / n);
        self.m2 += other.m2 + delta * delta * (na * nb / n);
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Checks a summary read from outside (a shard file): `n` values, all finite and within
    /// `lo..=hi`, a mean between the extremes, no negative spread. The error says what is
    /// wrong.
    pub fn check(&self, n: u64, lo: f64, hi: f64) -> Result<(), String> {
        if self.n != n {
            return Err(format!("{} values where there are {n} runs", self.n));
        }
        let fields = [self.mean, self.m2, self.min, self.max];
        if fields.iter().any(|x| !x.is_finite()) {
            return Err(format!("a value that is not a finite number: {fields:?}"));
        }
        // Rounding may leave a tiny negative m2 or a mean an ulp out; beyond that, m2 is at
        // least (max - min)^2 / 2 (the two extremes alone contribute that much).
        let scale = self.min.abs().max(self.max.abs()).max(1.0);
        let slack = 1e-9 * scale;
        let range = self.max - self.min;
        let least = 0.5 * range * range * (1.0 - 1e-6) - 1e-12 * n as f64 * scale * scale;
        if self.m2 < least {
            return Err(format!(
                "a spread (m2 {}) below what min and max imply",
                self.m2
            ));
        }
        let inside = |x: f64| x >= lo - slack && x <= hi + slack;
        if n > 0 && !(inside(self.min) && inside(self.max) && inside(self.mean)) {
            return Err(format!(
                "mean {}, min {}, max {} outside {lo}..{hi}",
                self.mean, self.min, self.max
            ));
        }
        if n > 0 && !(self.min <= self.mean + slack && self.mean <= self.max + slack) {
            return Err(format!(
                "mean {} not between min {} and max {}",
                self.mean, self.min, self.max
            ));
        }
        Ok(())
    }

    /// Number of values pushed.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Arithmetic mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance (divisor `n - 1`); 0 when fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            // Rounding in the merge formula could in principle leave a tiny negative m2.
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation; 0 when fewer than two values.
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, `std_dev / sqrt(n)`; 0 when fewer than two values.
    pub fn std_err(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.std_dev() / (self.n as f64).sqrt()
        }
    }

    /// Half-width of a two-sided 95% confidence interval for the mean:
    /// [`t95`]`(n) * std_err` (Student t with `n - 1` degrees of freedom).
    ///
    /// 0 when fewer than two values, as no spread can be estimated; check [`count`](Self::count).
    pub fn ci95(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            t95(self.n) * self.std_err()
        }
    }

    /// Smallest value pushed; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }

    /// Largest value pushed; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }
}

/// Log buckets per decade.
const PER_DECADE: usize = 100;
/// Decades covered by the log buckets: [1e-6, 1e12).
const DECADES: usize = 18;
/// Number of log buckets (indices 1..=LOG_BUCKETS in the count vector).
const LOG_BUCKETS: usize = PER_DECADE * DECADES;
/// Total number of buckets, including the zero bucket at index 0.
const NUM_BUCKETS: usize = LOG_BUCKETS + 1;
/// Lower edge of the first log bucket.
const LOW: f64 = 1e-6;
/// Upper edge of the last log bucket (values at or above it still go there).
const HIGH: f64 = 1e12;

/// Powers of ten at the decade edges, `1e-6 ..= 1e12`, as correctly rounded literals.
const POW10: [f64; DECADES + 1] = [
    1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
    1e11, 1e12,
];

/// `10^(r/100)` for `r` in `0..100`, correctly rounded (generated with 40-digit arithmetic).
#[rustfmt::skip]
const MANTISSA: [f64; PER_DECADE] = [
    1.0, 1.023292992280754, 1.0471285480508996, 1.0715193052376064, 1.096478196143185,
    1.1220184543019633, 1.1481536214968828, 1.1748975549395295, 1.202264434617413,
    1.2302687708123816, 1.2589254117941673, 1.288249551693134, 1.318256738556407,
    1.3489628825916535, 1.3803842646028848, 1.4125375446227544, 1.4454397707459274,
    1.4791083881682074, 1.5135612484362082, 1.5488166189124812, 1.5848931924611134,
    1.62181009735893, 1.6595869074375607, 1.6982436524617444, 1.7378008287493754,
    1.7782794100389228, 1.8197008586099834, 1.8620871366628675, 1.9054607179632472,
    1.9498445997580454, 1.9952623149688795, 2.041737944669529, 2.0892961308540396,
    2.137962089502232, 2.1877616239495525, 2.2387211385683394, 2.290867652767773,
    2.344228815319922, 2.3988329190194904, 2.45470891568503, 2.51188643150958,
    2.570395782768864, 2.6302679918953817, 2.6915348039269156, 2.7542287033381663,
    2.8183829312644537, 2.884031503126606, 2.9512092266663856, 3.019951720402016,
    3.0902954325135905, 3.1622776601683795, 3.2359365692962827, 3.3113112148259107,
    3.3884415613920256, 3.467368504525316, 3.5481338923357546, 3.6307805477010135,
    3.7153522909717256, 3.801893963205612, 3.8904514499428062, 3.9810717055349727,
    4.073802778041127, 4.168693834703354, 4.265795188015926, 4.365158322401659,
    4.466835921509631, 4.570881896148751, 4.677351412871982, 4.786300923226383,
    4.897788193684462, 5.011872336272723, 5.1286138399136485, 5.248074602497726,
    5.370317963702528, 5.495408738576246, 5.623413251903491, 5.7543993733715695,
    5.88843655355589, 6.025595860743578, 6.165950018614821, 6.3095734448019325,
    6.4565422903465555, 6.60693448007596, 6.760829753919817, 6.918309709189365,
    7.0794578438413795, 7.244359600749901, 7.413102413009175, 7.5857757502918375,
    7.762471166286917, 7.943282347242815, 8.128305161640993, 8.31763771102671,
    8.511380382023765, 8.709635899560807, 8.912509381337456, 9.120108393559098,
    9.33254300796991, 9.54992586021436, 9.772372209558107,
];

/// Edge `k` (0..=LOG_BUCKETS) of the log buckets: `1e-6 * 10^(k/100)`.
///
/// Log bucket `i` (1-based) covers `[edge(i - 1), edge(i))`. Decade edges are exact
/// literals (e.g. 1.0, 10.0, 1e12); the others are one correctly rounded product, so
/// the edges are strictly increasing and identical on every platform.
#[inline]
fn edge(k: usize) -> f64 {
    EDGES[k]
}

/// Every edge of the log buckets, computed once by the compiler (the same IEEE products as
/// at run time): a bucket's correction step then reads its edges instead of dividing the
/// index by a hundred and multiplying two table entries for each.
static EDGES: [f64; LOG_BUCKETS + 1] = {
    let mut edges = [0.0; LOG_BUCKETS + 1];
    let mut k = 0;
    while k <= LOG_BUCKETS {
        edges[k] = POW10[k / PER_DECADE] * MANTISSA[k % PER_DECADE];
        k += 1;
    }
    edges
};

/// Bucket index for a value already clamped to be `>= 0` and not NaN.
fn bucket_index(x: f64) -> usize {
    if x == 0.0 {
        return 0;
    }
    if x < LOW {
        return 1;
    }
    if x >= HIGH {
        return LOG_BUCKETS;
    }
    // Estimate (a bucket or so off at most), then correct against the actual edges so the
    // result depends only on the edge table. The estimate is non-negative but for rounding
    // near `LOW`, so truncating it is flooring it.
    let est = (log2_estimate(x) * std::f64::consts::LOG10_2 + 6.0) * PER_DECADE as f64;
    let mut k = (est.max(0.0) as usize).min(LOG_BUCKETS - 1);
    while k > 0 && x < edge(k) {
        k -= 1;
    }
    while k + 1 < LOG_BUCKETS && x >= edge(k + 1) {
        k += 1;
    }
    k + 1
}

/// `log2(x)` within 0.008 (a quarter of a bucket) for a positive normal `x`: its binary
/// exponent plus a quadratic in its mantissa. A few instructions where `log10` is a library
/// call: every queue job's latency goes through [`bucket_index`].
fn log2_estimate(x: f64) -> f64 {
    const MANTISSA_BITS: u64 = (1 << 52) - 1;
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    // The mantissa as a number in [0, 1): x = 2^exponent * (1 + m).
    let m = f64::from_bits((bits & MANTISSA_BITS) | 1f64.to_bits()) - 1.0;
    exponent as f64 + m * (1.3466 - 0.3466 * m)
}

/// Serializes the count vector sparsely, as `[bucket, count]` pairs of the non-empty
/// buckets: shard files hold one histogram per chunk, and most buckets are empty.
fn serialize_counts<S: serde::Serializer>(counts: &[u64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(None)?;
    for (i, &c) in counts.iter().enumerate() {
        if c > 0 {
            seq.serialize_element(&(i as u32, c))?;
        }
    }
    seq.end()
}

/// Deserializes the sparse count list, rejecting buckets out of range.
fn deserialize_counts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    let pairs = Vec::<(u32, u64)>::deserialize(d)?;
    let mut counts = vec![0u64; NUM_BUCKETS];
    for (i, c) in pairs {
        let Some(slot) = counts.get_mut(i as usize) else {
            return Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Unsigned(u64::from(i)),
                &"a histogram bucket below 1801",
            ));
        };
        *slot = c;
    }
    Ok(counts)
}

/// Log-bucketed histogram of non-negative values (seconds, counts, costs) with an exact
/// zero bucket and exact integer counts; mergeable by adding counts.
///
/// Layout: bucket 0 holds exactly zero; buckets 1..=1800 cover `[1e-6, 1e12)` with 100
/// buckets per decade, bucket `i` covering `[1e-6 * 10^((i-1)/100), 1e-6 * 10^(i/100))`.
/// Values in `(0, 1e-6)` go to bucket 1 and values `>= 1e12` (including `+inf`) to bucket
/// 1800. Bucket width is a factor `10^0.01 ≈ 1.0233`, so a bucket's geometric midpoint is
/// within ≈1.16% of any value in it. Memory is constant: 1801 counts allocated in
/// [`new`](Self::new), plus the exact min and max.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Histogram {
    /// Count per bucket; always `NUM_BUCKETS` long.
    #[serde(
        serialize_with = "serialize_counts",
        deserialize_with = "deserialize_counts"
    )]
    counts: Vec<u64>,
    /// Total number of recorded values.
    n: u64,
    /// Exact smallest recorded value (after clamping); 0 when empty.
    min: f64,
    /// Exact largest recorded value (after clamping); 0 when empty.
    max: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// Heap bytes of one histogram (its counts are allocated up front).
    pub const BYTES: usize = NUM_BUCKETS * size_of::<u64>();

    /// Checks a histogram read from outside (a shard file): counts adding up to its `n`
    /// (and to `n` when given), finite non-negative extremes.
    pub fn check(&self, n: Option<u64>) -> Result<(), String> {
        let sum: u128 = self.counts.iter().map(|&c| u128::from(c)).sum();
        if sum != u128::from(self.n) || n.is_some_and(|n| n != self.n) {
            return Err(format!("histogram counts add up to {sum}, not {}", self.n));
        }
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        if !(ok(self.min) && ok(self.max) && self.min <= self.max) {
            return Err(format!("histogram extremes {} and {}", self.min, self.max));
        }
        Ok(())
    }

    /// An empty histogram (allocates its 1801 bucket counts once).
    pub fn new() -> Self {
        Histogram {
            counts: vec![0; NUM_BUCKETS],
            n: 0,
            min: 0.0,
            max: 0.0,
        }
    }

    /// Records one value.
    ///
    /// Negative values, `-0.0` and NaN are clamped to `0.0` and counted in the zero bucket
    /// (the histogram is for non-negative quantities; a NaN sample is counted rather than
    /// lost, so `count()` matches the number of runs). `+inf` goes to the top bucket and
    /// becomes the exact max.
    pub fn record(&mut self, x: f64) {
        // `x > 0.0` is false for NaN, negatives and both zeros.
        let x = if x > 0.0 { x } else { 0.0 };
        self.counts[bucket_index(x)] += 1;
        if self.n == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
    }

    /// Empties the histogram, keeping its allocation (for reuse from run to run).
    pub fn clear(&mut self) {
        if self.n > 0 {
            self.counts.fill(0);
        }
        self.n = 0;
        self.min = 0.0;
        self.max = 0.0;
    }

    /// Adds `other`'s counts into `self`; the result is identical to having recorded both
    /// streams into one histogram (counts, min and max are exact).
    pub fn merge(&mut self, other: &Histogram) {
        if other.n == 0 {
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += *b;
        }
        if self.n == 0 {
            self.min = other.min;
            self.max = other.max;
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.n += other.n;
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The `q`-quantile, `q` in `[0, 1]` (values outside are clamped; NaN `q` gives NaN).
    ///
    /// Nearest-rank on the bucketed data: takes the smallest bucket whose cumulative
    /// count is `>= ceil(q * n)` (at least 1) and returns 0.0 for the zero bucket, else
    /// the bucket's geometric midpoint clamped into `[min, max]` of the recorded values
    /// (so a histogram holding one distinct value returns it exactly, and results are
    /// within ≈1.16% of the exact nearest-rank value). NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 || q.is_nan() {
            return f64::NAN;
        }
        let q = q.clamp(0.0, 1.0);
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            cum += c;
            if cum >= rank {
                if i == 0 {
                    return 0.0;
                }
                let mid = (edge(i - 1) * edge(i)).sqrt();
                return mid.clamp(self.min, self.max);
            }
        }
        // Unreachable while counts sum to n; fall back to the exact max.
        self.max
    }

    /// Exact smallest recorded value (after clamping negatives/NaN to 0); NaN when empty.
    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }

    /// Exact largest recorded value (may be `+inf`); NaN when empty.
    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }

    /// Non-empty buckets as `(lower, upper, count)`, ascending, for charts.
    ///
    /// The zero bucket comes first as `(0.0, 0.0, count)`. Log buckets report their
    /// nominal `[lower, upper)` edges (always finite), although the first also holds any
    /// values in `(0, 1e-6)` and the last any values `>= 1e12`; use [`min`](Self::min) and
    /// [`max`](Self::max) for the exact extremes. Counts sum to [`count`](Self::count).
    pub fn buckets(&self) -> Vec<(f64, f64, u64)> {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(i, &c)| {
                if i == 0 {
                    (0.0, 0.0, c)
                } else {
                    (edge(i - 1), edge(i), c)
                }
            })
            .collect()
    }
}

/// A small log histogram of non-negative integers (queue lengths): four buckets per
/// doubling, exact below 4. Coarse (±10%) but a few hundred bytes, so a study can keep one
/// per point of a time grid per queue.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Coarse {
    counts: Vec<u32>,
    n: u64,
}

const COARSE_BUCKETS: usize = 4 + 4 * 62;

fn coarse_bucket(x: u64) -> usize {
    if x < 4 {
        return x as usize;
    }
    let octave = 63 - x.leading_zeros() as usize; // >= 2
    let sub = ((x >> (octave - 2)) & 3) as usize;
    (4 + 4 * (octave - 2) + sub).min(COARSE_BUCKETS - 1)
}

fn coarse_value(b: usize) -> f64 {
    if b < 4 {
        return b as f64;
    }
    let octave = (b - 4) / 4 + 2;
    let sub = (b - 4) % 4;
    // Geometric middle of [(4+sub) << (octave-2), (5+sub) << (octave-2)).
    let lo = ((4 + sub) as f64) * 2f64.powi(octave as i32 - 2);
    lo * (((5 + sub) as f64) / ((4 + sub) as f64)).sqrt()
}

impl Coarse {
    /// An empty histogram (no allocation until the first value).
    pub fn new() -> Coarse {
        Coarse::default()
    }

    /// Records one value.
    pub fn record(&mut self, x: u64) {
        if self.counts.is_empty() {
            self.counts = vec![0; COARSE_BUCKETS];
        }
        self.counts[coarse_bucket(x)] += 1;
        self.n += 1;
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, o: &Coarse) {
        if o.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; COARSE_BUCKETS];
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.n += o.n;
    }

    /// Checks a histogram read from outside (a shard file): its bucket count, and counts
    /// adding up to its `n`.
    pub fn check(&self) -> Result<(), String> {
        let sum: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        if !(self.counts.is_empty() || self.counts.len() == COARSE_BUCKETS) || sum != self.n {
            return Err(format!(
                "{} buckets counting {sum}, not {}",
                self.counts.len(),
                self.n
            ));
        }
        Ok(())
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Nearest-rank quantile (bucket middle), NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.n as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return coarse_value(b);
            }
        }
        coarse_value(COARSE_BUCKETS - 1)
    }
}

/// A log histogram of non-negative reals for bands over time (goodput, latency, attempts per
/// job in one slice of a run): 16 buckets per doubling from 2^-20 (≈10⁻⁶) to 2^40 (≈10¹²),
/// an exact zero bucket, and the exact smallest and largest value. A quantile is its
/// bucket's geometric middle clamped to those extremes: within 3.1% of the exact
/// nearest-rank value, and exact when every run had the same value. Bucketing reads the
/// float's bits (no `libm`), so it is the same on every platform; about 3.8 KB, allocated
/// at the first value.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Sketch {
    counts: Vec<u32>,
    n: u64,
    min: f64,
    max: f64,
}

/// Octaves a [`Sketch`] covers, from 2^[`SKETCH_LOW`] on.
const SKETCH_OCTAVES: usize = 60;
const SKETCH_LOW: i64 = -20;
const SKETCH_BUCKETS: usize = 1 + 16 * SKETCH_OCTAVES;

/// The bucket of `x` (> 0 and finite, or anything else into 0 or the ends).
fn sketch_bucket(x: f64) -> usize {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let sub = ((bits >> 48) & 0xf) as usize;
    let octave = exp - SKETCH_LOW;
    if octave < 0 {
        return 1;
    }
    (1 + 16 * octave as usize + sub).min(SKETCH_BUCKETS - 1)
}

/// The geometric middle of bucket `b` (> 0).
fn sketch_middle(b: usize) -> f64 {
    let (octave, sub) = ((b - 1) / 16, (b - 1) % 16);
    let base = 2f64.powi(octave as i32 + SKETCH_LOW as i32);
    let lo = base * (1.0 + sub as f64 / 16.0);
    let hi = base * (1.0 + (sub + 1) as f64 / 16.0);
    (lo * hi).sqrt()
}

impl Sketch {
    /// Heap bytes of a sketch that holds a value.
    pub const BYTES: usize = SKETCH_BUCKETS * size_of::<u32>();

    /// An empty sketch (no allocation until the first value).
    pub fn new() -> Sketch {
        Sketch::default()
    }

    /// Allocates the buckets now (otherwise done at the first value), so that recording
    /// allocates nothing afterwards.
    pub fn reserve(&mut self) {
        if self.counts.is_empty() {
            self.counts = vec![0; SKETCH_BUCKETS];
        }
    }

    /// Records one value (NaN and negatives count as 0; +inf in the top bucket).
    pub fn record(&mut self, x: f64) {
        let x = if x > 0.0 { x } else { 0.0 };
        self.reserve();
        self.counts[sketch_bucket(x)] += 1;
        if self.n == 0 {
            (self.min, self.max) = (x, x);
        } else {
            (self.min, self.max) = (self.min.min(x), self.max.max(x));
        }
        self.n += 1;
    }

    /// Adds another sketch's values (the same as having recorded both streams into one).
    pub fn merge(&mut self, o: &Sketch) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o.clone();
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        (self.min, self.max) = (self.min.min(o.min), self.max.max(o.max));
        self.n += o.n;
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Nearest-rank quantile (the bucket's middle, clamped to the extremes), NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 || q.is_nan() {
            return f64::NAN;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                let mid = if b == 0 { 0.0 } else { sketch_middle(b) };
                return mid.clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Checks a sketch read from outside (a shard file): its bucket count, counts adding up
    /// to its `n`, ordered finite non-negative extremes.
    pub fn check(&self) -> Result<(), String> {
        let sum: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        let sized = if self.n == 0 {
            self.counts.is_empty() || self.counts.len() == SKETCH_BUCKETS
        } else {
            self.counts.len() == SKETCH_BUCKETS
        };
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        if !sized || sum != self.n || !(ok(self.min) && ok(self.max) && self.min <= self.max) {
            return Err(format!(
                "a sketch of {} buckets counting {sum}, not {}",
                self.counts.len(),
                self.n
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_quantiles_are_within_three_percent() {
        let mut s = Sketch::new();
        for i in 1..=10_000u64 {
            s.record(i as f64 * 0.001);
        }
        for q in [0.1, 0.5, 0.9] {
            let exact = (q * 10_000.0_f64).ceil() * 0.001;
            let got = s.quantile(q);
            assert!(
                (got - exact).abs() / exact < 0.031,
                "q{q}: {got} vs {exact}"
            );
        }
        let mut c = Sketch::new();
        for _ in 0..5 {
            c.record(1.0);
        }
        assert_eq!(c.quantile(0.1), 1.0);
        assert_eq!(c.quantile(0.9), 1.0);
        c.record(0.0);
        assert_eq!(c.quantile(0.0), 0.0);
        let mut m = Sketch::new();
        m.merge(&c);
        m.merge(&s);
        assert_eq!(m.count(), 10_006);
        assert!(m.check().is_ok() && Sketch::new().check().is_ok());
        assert!(Sketch::new().quantile(0.5).is_nan());
    }

    #[test]
    fn coarse_quantiles_are_within_a_bucket() {
        let mut c = Coarse::new();
        for x in 0..10_000u64 {
            c.record(x);
        }
        for q in [0.1, 0.5, 0.9, 0.99] {
            let exact = (q * 10_000.0_f64).ceil() - 1.0;
            let got = c.quantile(q);
            assert!(
                (got - exact).abs() / exact.max(1.0) < 0.13,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(Coarse::new().count(), 0);
        let mut d = Coarse::new();
        d.record(3);
        assert_eq!(d.quantile(0.5), 3.0);
        d.merge(&c);
        assert_eq!(d.count(), 10_001);
    }

    /// Tiny xorshift64 PRNG so the tests need no crates.
    struct XorShift(u64);

    impl XorShift {
        fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        /// Uniform in [0, 1).
        fn next_f64(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// 10,000 values with a large offset, which a naive sum-of-squares would get wrong.
    fn sample_values() -> Vec<f64> {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        (0..10_000)
            .map(|_| 1e6 + 100.0 * rng.next_f64() - 30.0 * rng.next_f64().ln())
            .collect()
    }

    fn rel_diff(a: f64, b: f64) -> f64 {
        (a - b).abs() / a.abs().max(b.abs())
    }

    #[test]
    fn moments_match_two_pass() {
        let xs = sample_values();
        let mut m = Moments::new();
        for &x in &xs {
            m.push(x);
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        assert_eq!(m.count(), 10_000);
        assert!(rel_diff(m.mean(), mean) < 1e-12, "{} vs {mean}", m.mean());
        assert!(
            rel_diff(m.variance(), var) < 1e-9,
            "{} vs {var}",
            m.variance()
        );
        assert!(rel_diff(m.std_dev(), var.sqrt()) < 1e-9);
        assert!(rel_diff(m.std_err(), (var / n).sqrt()) < 1e-9);
        assert_eq!(m.ci95(), t95(10_000) * m.std_err());
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(m.min(), min);
        assert_eq!(m.max(), max);
    }

    #[test]
    fn moments_merge_of_uneven_chunks_matches_sequential() {
        let xs = sample_values();
        let mut seq = Moments::new();
        for &x in &xs {
            seq.push(x);
        }
        // 7 uneven chunks, including a single-value one, summing to 10,000.
        let sizes = [1, 4_000, 17, 2_500, 999, 2_000, 483];
        assert_eq!(sizes.iter().sum::<usize>(), xs.len());
        let mut merged = Moments::new();
        let mut start = 0;
        for size in sizes {
            let mut chunk = Moments::new();
            for &x in &xs[start..start + size] {
                chunk.push(x);
            }
            start += size;
            merged.merge(&chunk);
        }
        // Merging an empty summary is a no-op.
        merged.merge(&Moments::new());
        assert_eq!(merged.count(), seq.count());
        assert!(rel_diff(merged.mean(), seq.mean()) < 1e-12);
        assert!(rel_diff(merged.variance(), seq.variance()) < 1e-12);
        assert_eq!(merged.min(), seq.min());
        assert_eq!(merged.max(), seq.max());
    }

    #[test]
    fn moments_small_sample_ci95_by_hand() {
        // Mean 5, squared deviations sum to 32, s^2 = 32/7, se = sqrt(32/56) = 0.755929,
        // t(7 df) = 2.364624, half-width = 1.787488.
        let mut m = Moments::new();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.push(x);
        }
        assert_eq!(m.mean(), 5.0);
        assert!((m.variance() - 32.0 / 7.0).abs() < 1e-12);
        assert!((m.std_err() - 0.755_928_946).abs() < 1e-9);
        assert!((m.ci95() - 1.787_487_918).abs() < 1e-6, "{}", m.ci95());
        assert_eq!(m.min(), 2.0);
        assert_eq!(m.max(), 9.0);
    }

    #[test]
    fn moments_empty_and_single() {
        let m = Moments::default();
        assert_eq!(m.count(), 0);
        assert!(m.mean().is_nan() && m.min().is_nan() && m.max().is_nan());
        assert_eq!(m.variance(), 0.0);
        assert_eq!(m.ci95(), 0.0);
        let mut one = Moments::new();
        one.push(3.5);
        assert_eq!((one.mean(), one.min(), one.max()), (3.5, 3.5, 3.5));
        assert_eq!((one.variance(), one.std_err(), one.ci95()), (0.0, 0.0, 0.0));
        let mut into_empty = Moments::new();
        into_empty.merge(&one);
        assert_eq!(into_empty.mean(), 3.5);
        assert_eq!(into_empty.count(), 1);
    }

    #[test]
    fn t95_is_student_t_without_a_jump() {
        assert!(t95(0).is_infinite() && t95(1).is_infinite());
        // Published two-sided 95% quantiles (1, 7, 28, 29 and 1,000 degrees of freedom).
        for (n, want) in [
            (2, 12.706_204_736),
            (8, 2.364_624_252),
            (29, 2.048_407_142),
            (30, 2.045_229_642),
            (1_001, 1.962_339_081),
            (10_001, 1.960_201_240),
            (100_001, 1.959_987_704),
        ] {
            assert!(
                (t95(n) - want).abs() < 1e-8,
                "t95({n}) = {} not {want}",
                t95(n)
            );
        }
        assert!(
            (t95(u64::MAX) - 1.959_963_985).abs() < 1e-8,
            "{}",
            t95(u64::MAX)
        );
        let near = 9_900..10_100;
        for n in (2..200).chain(near).chain([1 << 20]) {
            assert!(t95(n + 1) < t95(n), "t95 must decrease at n = {n}");
        }
        assert!(t95(1 << 40) <= t95(1 << 20) && t95(1 << 40) > 1.959_963_984);
    }

    #[test]
    fn the_edge_table_holds_the_products_computed_at_run_time() {
        use std::hint::black_box;
        for k in 0..=LOG_BUCKETS {
            let product = black_box(POW10[k / PER_DECADE]) * black_box(MANTISSA[k % PER_DECADE]);
            assert_eq!(edge(k).to_bits(), product.to_bits(), "edge {k}");
        }
    }

    #[test]
    fn edges_are_strictly_increasing_and_exact_at_decades() {
        for k in 0..LOG_BUCKETS {
            assert!(edge(k) < edge(k + 1), "edge {k}");
            assert!(rel_diff(edge(k), LOW * 10f64.powf(k as f64 / 100.0)) < 1e-14);
        }
        assert_eq!(edge(0), 1e-6);
        assert_eq!(edge(600), 1.0);
        assert_eq!(edge(700), 10.0);
        assert_eq!(edge(LOG_BUCKETS), 1e12);
    }

    #[test]
    fn bucket_index_is_consistent_with_edges() {
        assert_eq!(bucket_index(1e-6), 1);
        assert_eq!(bucket_index(1.0), 601);
        assert_eq!(bucket_index(10.0), 701);
        assert_eq!(bucket_index(1e12), LOG_BUCKETS);
        assert_eq!(bucket_index(f64::INFINITY), LOG_BUCKETS);
        assert_eq!(bucket_index(0.5e-6), 1);
        assert_eq!(bucket_index(f64::MIN_POSITIVE), 1);
        // Every edge, and the floats just either side of it, land in the right bucket.
        for k in 1..LOG_BUCKETS {
            let e = edge(k);
            assert_eq!(bucket_index(e), k + 1, "edge {k}");
            assert_eq!(
                bucket_index(f64::from_bits(e.to_bits() - 1)),
                k,
                "below edge {k}"
            );
            assert_eq!(bucket_index(f64::from_bits(e.to_bits() + 1)), k + 1);
        }
        let i = bucket_index(3600.0);
        assert!(edge(i - 1) <= 3600.0 && 3600.0 < edge(i));
    }

    #[test]
    fn bucket_index_is_the_edge_search() {
        // The bucket is where the value falls among the edges, for values spread over every
        // bucket (a thousand a bucket, log-uniform, and their neighbours a few ulps away).
        let edges: Vec<f64> = (0..=LOG_BUCKETS).map(edge).collect();
        let searched = |x: f64| edges.partition_point(|&e| e <= x);
        let n = LOG_BUCKETS * 1000;
        for i in 0..n {
            let x = LOW * 10f64.powf(18.0 * i as f64 / n as f64);
            for y in [
                x,
                f64::from_bits(x.to_bits() - 3),
                f64::from_bits(x.to_bits() + 3),
            ] {
                // Below the first edge is the first bucket too, past the last the last.
                let want = searched(y).clamp(1, LOG_BUCKETS);
                assert_eq!(bucket_index(y), want, "{y:e}");
            }
        }
    }

    #[test]
    fn log2_estimate_is_within_its_bound() {
        for i in 0..100_000 {
            let x = LOW * 10f64.powf(18.0 * f64::from(i) / 100_000.0);
            let err = (log2_estimate(x) - x.log2()).abs();
            assert!(err < 0.008, "{x:e}: {err}");
        }
    }

    /// Exact nearest-rank quantile of 1..=n.
    fn exact_rank(q: f64, n: u64) -> f64 {
        ((q * n as f64).ceil() as u64).clamp(1, n) as f64
    }

    #[test]
    fn histogram_quantiles_of_1_to_100000() {
        let n = 100_000u64;
        let mut h = Histogram::new();
        for i in 1..=n {
            h.record(i as f64);
        }
        assert_eq!(h.count(), n);
        assert_eq!(h.min(), 1.0);
        assert_eq!(h.max(), n as f64);
        for q in [
            0.0, 0.000_01, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0,
        ] {
            let got = h.quantile(q);
            let want = exact_rank(q, n);
            assert!(
                rel_diff(got, want) <= 0.012,
                "q = {q}: got {got}, want {want}"
            );
        }
        // Out-of-range q is clamped; NaN q gives NaN.
        assert_eq!(h.quantile(-1.0).to_bits(), h.quantile(0.0).to_bits());
        assert_eq!(h.quantile(2.0).to_bits(), h.quantile(1.0).to_bits());
        assert!(h.quantile(f64::NAN).is_nan());
    }

    #[test]
    fn histogram_precision_bound_holds_everywhere() {
        // Worst case over a geometric sweep: midpoint within sqrt(10^0.01) - 1 ≈ 1.158%.
        let bound = 10f64.powf(0.005) - 1.0;
        let mut x = 1.1e-6;
        while x < 1e12 {
            let i = bucket_index(x);
            let mid = (edge(i - 1) * edge(i)).sqrt();
            assert!(rel_diff(mid, x) <= bound + 1e-12, "x = {x}");
            x *= 1.001_7;
        }
    }

    #[test]
    fn histogram_zero_handling() {
        let mut h = Histogram::new();
        for i in 0..1_000 {
            h.record(if i % 5 == 0 { 1.0 + i as f64 } else { 0.0 });
        }
        assert_eq!(h.quantile(0.5), 0.0);
        assert_eq!(h.quantile(0.8), 0.0);
        assert!(h.quantile(0.9) > 0.0);
        assert_eq!(h.min(), 0.0);
        // Negatives, -0.0 and NaN clamp to zero.
        let mut c = Histogram::new();
        for x in [-5.0, -0.0, f64::NAN] {
            c.record(x);
        }
        assert_eq!(c.count(), 3);
        assert_eq!(c.buckets(), vec![(0.0, 0.0, 3)]);
        assert_eq!(c.quantile(1.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(c.min().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn histogram_merge_equals_single() {
        let mut rng = XorShift(42);
        let xs: Vec<f64> = (0..20_000)
            .map(|i| {
                if i % 7 == 0 {
                    0.0
                } else {
                    (rng.next_f64() * 40.0 - 15.0).exp()
                }
            })
            .collect();
        let mut single = Histogram::new();
        for &x in &xs {
            single.record(x);
        }
        let mut merged = Histogram::new();
        for chunk in xs.chunks(3_001) {
            let mut h = Histogram::new();
            for &x in chunk {
                h.record(x);
            }
            merged.merge(&h);
        }
        merged.merge(&Histogram::new());
        assert_eq!(merged.counts, single.counts);
        assert_eq!(merged.count(), single.count());
        assert_eq!(merged.min().to_bits(), single.min().to_bits());
        assert_eq!(merged.max().to_bits(), single.max().to_bits());
        for q in [0.0, 0.1, 0.5, 0.9, 0.999, 1.0] {
            assert_eq!(merged.quantile(q).to_bits(), single.quantile(q).to_bits());
        }
    }

    #[test]
    fn histogram_boundaries_and_single_values() {
        for x in [
            1.0,
            10.0,
            1e-6,
            1e12,
            0.5e-6,
            3600.0,
            5e15,
            f64::MIN_POSITIVE,
        ] {
            let mut h = Histogram::new();
            h.record(x);
            for q in [0.0, 0.5, 1.0] {
                assert_eq!(h.quantile(q), x, "single value {x}");
            }
            assert_eq!((h.min(), h.max()), (x, x));
            let b = h.buckets();
            assert_eq!(b.len(), 1);
            assert_eq!(b[0].2, 1);
        }
        let mut h = Histogram::new();
        h.record(f64::INFINITY);
        h.record(1e13);
        assert_eq!(h.max(), f64::INFINITY);
        assert_eq!(h.quantile(0.5), 1e13);
        assert!(h.quantile(1.0).is_finite(), "top-bucket midpoint is finite");
        assert_eq!(h.buckets(), vec![(edge(LOG_BUCKETS - 1), 1e12, 2)]);
    }

    #[test]
    fn histogram_empty() {
        let h = Histogram::default();
        assert_eq!(h.count(), 0);
        assert!(h.quantile(0.5).is_nan() && h.min().is_nan() && h.max().is_nan());
        assert!(h.buckets().is_empty());
    }

    #[test]
    fn histogram_buckets_sum_to_count_and_ascend() {
        let mut rng = XorShift(7);
        let mut h = Histogram::new();
        for i in 0..5_000 {
            h.record(if i % 11 == 0 {
                0.0
            } else {
                1e4 * rng.next_f64()
            });
        }
        let b = h.buckets();
        assert_eq!(b.iter().map(|&(_, _, c)| c).sum::<u64>(), h.count());
        assert_eq!(b[0], (0.0, 0.0, 455));
        for w in b.windows(2) {
            assert!(w[0].1 <= w[1].0, "ascending, non-overlapping");
        }
        for &(lo, hi, c) in &b[1..] {
            assert!(lo < hi && c > 0);
        }
    }

    #[test]
    fn histogram_is_deterministic() {
        let build = || {
            let mut rng = XorShift(0xDEAD_BEEF);
            let mut h = Histogram::new();
            for _ in 0..10_000 {
                h.record(-rng.next_f64().ln() * 3600.0);
            }
            h
        };
        let (a, b) = (build(), build());
        for i in 0..=100 {
            let q = i as f64 / 100.0;
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
    }

    #[test]
    fn serde_round_trip() {
        let mut h = Histogram::new();
        let mut m = Moments::new();
        for x in [0.0, 0.25, 3600.0, 1e9] {
            h.record(x);
            m.push(x);
        }
        let h2: Histogram = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert_eq!(h2.counts, h.counts);
        assert_eq!(h2.quantile(0.6).to_bits(), h.quantile(0.6).to_bits());
        let m2: Moments = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(m2.variance().to_bits(), m.variance().to_bits());
        // Empty summaries hold no infinities, so they survive JSON too.
        let e: Moments =
            serde_json::from_str(&serde_json::to_string(&Moments::new()).unwrap()).unwrap();
        assert_eq!(e.count(), 0);
        let bad = r#"{"counts":[1,2,3],"n":6,"min":0.0,"max":1.0}"#;
        assert!(serde_json::from_str::<Histogram>(bad).is_err());
    }
}
