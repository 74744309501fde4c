//! How a queue's jobs arrive and in which order they are served, compiled.
//!
//! Whatever the process, a queue's `rate` (and its schedule, and a phase's load) is the
//! long-run mean number of new jobs per second: a process's own parameters only shape the
//! arrivals around that mean, so two processes can be compared at the same load.

use super::Sampler;
use rand::Rng;
use rand_distr::{Distribution, Gamma};
use serde::{Deserialize, Serialize};

/// How new jobs arrive at a queue.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub enum ArrivalSpec {
    /// Poisson: independent exponential gaps (the default).
    #[default]
    Poisson,
    /// A renewal process: independent gaps of mean 1 (in units of 1 / rate), run on an
    /// operational clock that advances at the rate in force, so a rate twice the base
    /// halves the gaps, and a step in the rate stretches the gap under way.
    Renewal(Gaps),
    /// A Markov-modulated Poisson process: states visited in a cycle, each held for an
    /// exponential time of its mean, during which jobs arrive as a Poisson process at the
    /// rate in force times the state's level. Levels have a long-run mean of 1.
    Modulated(Vec<Level>),
}

/// One state of a modulated process.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Level {
    /// Multiplier on the rate in force while in this state (mean 1 over time).
    pub level: f64,
    /// Mean holding time, seconds.
    pub hold: f64,
}

/// Gaps between the arrivals of a renewal process, with mean 1.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Gaps {
    /// Every gap is 1: evenly spaced arrivals.
    Even,
    /// A draw from a duration distribution times a factor (1 / its mean).
    Scaled(Sampler, f64),
    /// Gamma with this shape and scale 1 / shape (Erlang-k for a whole shape k).
    Gamma(Gamma<f64>),
}

impl Gaps {
    /// Gaps drawn from `d`, whose mean is `mean` seconds, scaled to mean 1.
    pub fn scaled(d: Sampler, mean: f64) -> Gaps {
        match d {
            Sampler::Fixed(_) => Gaps::Even,
            _ => Gaps::Scaled(d, 1.0 / mean),
        }
    }

    /// Gamma gaps of this shape (> 0) and mean 1; `None` for a shape Gamma rejects.
    pub fn gamma(shape: f64) -> Option<Gaps> {
        Gamma::new(shape, 1.0 / shape).ok().map(Gaps::Gamma)
    }

    /// Draws one gap (mean 1).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Gaps::Even => 1.0,
            Gaps::Scaled(d, f) => d.sample(rng) * f,
            Gaps::Gamma(g) => g.sample(rng),
        }
    }
}

/// The mean of a Weibull distribution of this shape and scale.
pub fn weibull_mean(shape: f64, scale: f64) -> f64 {
    scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
}

/// The order in which a queue serves its jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub enum Discipline {
    /// First in, first out (the default).
    #[default]
    Fifo,
    /// Last in, first out.
    Lifo,
    /// FIFO while at most `above` jobs wait, LIFO while more do.
    AdaptiveLifo {
        /// The backlog above which the newest job is served first.
        above: u64,
    },
    /// Non-preemptive priority classes, class 0 first, FIFO within a class; where the
    /// queue drops or rejects, a waiting job of a lower class makes room first.
    Priority,
    /// Processor sharing: every job is in service, sharing the workers equally.
    Shared,
}

/// Most priority classes a queue may have.
pub const MAX_CLASSES: usize = 8;
