//! Checks of single values: durations, fractions, distributions and fault effects.

use super::{At, Checker};
use crate::diagnostics::Problem;
use crate::duration::Duration;
use crate::schema::{Dist, Effect};

/// Where a distribution is used decides what makes sense for it.
#[derive(Clone, Copy, PartialEq)]
pub(in crate::validate) enum DistUse {
    /// Time between faults (`every`).
    Every,
    /// Delay before a fault acts (`activation`).
    Activation,
    /// Any other duration: repairs, delays, response times.
    Repair,
}

impl Checker {
    /// Reports `d` unless it is longer than zero.
    pub(in crate::validate) fn positive(&mut self, d: Duration, path: At<'_>, what: &str) {
        if d.secs().is_nan() || d.secs() <= 0.0 {
            self.err(
                path,
                format!(
                    "{what} must be longer than zero, not {}",
                    faultline_units::human(d.secs())
                ),
            );
        }
    }

    /// Reports `d` if it is negative.
    pub(in crate::validate) fn non_negative(&mut self, d: Duration, path: At<'_>, what: &str) {
        if d.secs().is_nan() || d.secs() < 0.0 {
            self.err(
                path,
                format!(
                    "{what} cannot be negative ({})",
                    faultline_units::human(d.secs())
                ),
            );
        }
    }

    /// Reports `x` unless it is a finite number within `lo..=hi`: the plausible range of a
    /// rate, size or cost, which keeps one run's memory and every total finite.
    pub(in crate::validate) fn within(
        &mut self,
        x: f64,
        (lo, hi): (f64, f64),
        path: At<'_>,
        what: &str,
    ) {
        if !x.is_finite() {
            self.err(path, format!("{what} must be a finite number, not {x}"));
        } else if !(lo..=hi).contains(&x) {
            self.err(
                path,
                format!("{what} must be within {lo}..={hi:e}, not {x}"),
            );
        }
    }

    /// Reports `x` unless it is in [0, 1].
    pub(in crate::validate) fn fraction(&mut self, x: f64, path: At<'_>, what: &str) {
        if !(0.0..=1.0).contains(&x) {
            self.err(path, format!("{what} must be between 0 and 1, not {x}"));
        }
    }

    /// Checks a distribution's parameters, and that it makes sense where it is used.
    pub(in crate::validate) fn dist(&mut self, d: &Dist, path: At<'_>, usage: DistUse) {
        match *d {
            Dist::Exp { mean } => self.positive(mean, path.field("mean"), "the mean"),
            Dist::Weibull { shape, scale } => {
                if !(shape.is_finite() && shape > 0.0) {
                    self.err(
                        path.field("shape"),
                        format!("Weibull shape must be positive, not {shape}"),
                    );
                }
                self.positive(scale, path.field("scale"), "the Weibull scale");
            }
            Dist::LogNormal { median, sigma } => {
                self.positive(median, path.field("median"), "the median");
                if !(sigma.is_finite() && sigma >= 0.0) {
                    self.err(
                        path.field("sigma"),
                        format!("sigma cannot be negative, not {sigma}"),
                    );
                }
            }
            Dist::Uniform(lo, hi) => {
                self.non_negative(lo, path.index(0), "the lower bound");
                if usage == DistUse::Every && hi.secs() <= 0.0 {
                    self.err(
                        path.index(1),
                        "a time between faults of zero would repeat the fault forever",
                    );
                }
                if hi.secs() < lo.secs() {
                    self.push(
                        Problem::new(path.index(1), "the upper bound is below the lower bound")
                            .hint("write Uniform(low, high)"),
                    );
                }
            }
            Dist::Fixed(x) if usage == DistUse::Every => self.positive(x, path, "a fault period"),
            Dist::Fixed(x) => self.non_negative(x, path, "a fixed duration"),
            Dist::At(x) if usage == DistUse::Every => self.non_negative(x, path, "the fault time"),
            Dist::At(_) => self.push(
                Problem::new(
                    path,
                    "At(...) only makes sense for when a fault happens (`every`)",
                )
                .hint("use Fixed(...) for a constant duration"),
            ),
            Dist::Never if usage == DistUse::Activation => self.push(
                Problem::new(
                    path,
                    "an activation delay of Never means the fault never matters",
                )
                .hint("leave `activation` out for faults that act at once"),
            ),
            Dist::Never => {}
        }
    }

    /// Checks a fault effect's parameters.
    pub(in crate::validate) fn effect(&mut self, e: &Effect, path: At<'_>) {
        match *e {
            Effect::Degrade(f) => self.fraction(f, path.index(0), "a Degrade factor"),
            Effect::Slow(f) => {
                if !(f.is_finite() && f >= 1.0) {
                    self.push(
                        Problem::new(
                            path.index(0),
                            format!("a Slow factor must be at least 1, not {f}"),
                        )
                        .hint("Slow(3.0) means three times the normal latency"),
                    );
                }
            }
            Effect::Burst { jobs, over } => {
                if jobs == 0 {
                    self.err(path.field("jobs"), "a burst needs at least one job");
                }
                self.positive(over, path.field("over"), "a burst window");
            }
            Effect::Crash | Effect::Corrupt => {}
        }
    }
}
