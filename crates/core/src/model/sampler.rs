//! Duration distributions, ready to sample.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Uniform, Weibull};
use serde::{Deserialize, Serialize};

/// A duration distribution ready to sample, in seconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Sampler {
    /// Exponential.
    Exp(Exp<f64>),
    /// Weibull (rand_distr's parameterisation: scale, shape).
    Weibull(Weibull<f64>),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Uniform on [lo, hi].
    Uniform(Uniform<f64>),
    /// A constant (also used for `At`, which the engine treats as "once").
    Fixed(f64),
    /// Never: sampling gives +inf.
    Never,
}

impl Sampler {
    /// Exponential with this mean (seconds); `None` unless the mean is positive.
    pub fn exp(mean: f64) -> Option<Sampler> {
        Exp::new(1.0 / mean)
            .ok()
            .filter(|_| mean > 0.0)
            .map(Sampler::Exp)
    }

    /// Weibull with this shape and scale (seconds); `None` for parameters it rejects.
    pub fn weibull(shape: f64, scale: f64) -> Option<Sampler> {
        Weibull::new(scale, shape).ok().map(Sampler::Weibull)
    }

    /// Log-normal with this median (seconds) and the sigma of the underlying normal.
    pub fn lognormal(median: f64, sigma: f64) -> Option<Sampler> {
        LogNormal::new(median.ln(), sigma)
            .ok()
            .map(Sampler::LogNormal)
    }

    /// Uniform on `[lo, hi]` seconds; a constant when the two are equal.
    pub fn uniform(lo: f64, hi: f64) -> Option<Sampler> {
        if lo == hi {
            return Some(Sampler::Fixed(lo));
        }
        Uniform::new_inclusive(lo, hi).ok().map(Sampler::Uniform)
    }

    /// Draws one duration in seconds (+inf for `Never`). Constants draw nothing, so a
    /// stream's later values do not depend on whether a duration was fixed.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Fixed(x) => *x,
            Sampler::Never => f64::INFINITY,
        }
    }
}
