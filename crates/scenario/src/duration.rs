//! Durations as a scenario writes them: strings with units (`"90s"`, `"2h30m"`, `"1y"`).

use serde::{Deserialize, Deserializer};
use std::fmt;

/// A span of simulated time in seconds, read from a string with units.
///
/// Negative values are representable (`"-5m"`) so that validation, not the parser, can
/// say where a negative duration makes no sense.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Duration(pub f64);

impl Duration {
    /// The duration in seconds.
    pub fn secs(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration string with units such as \"90s\", \"15m\", \"2h\", \"3d\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                faultline_units::parse_duration(v)
                    .map(Duration)
                    .map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(bare_number(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(bare_number(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(bare_number(v))
            }
        }
        // `any`, not `str`, so that a bare number (`median: 20`) gets its own message.
        d.deserialize_any(Visitor)
    }
}

/// The error for a number written where a duration goes.
fn bare_number<E: serde::de::Error>(v: impl fmt::Display) -> E {
    E::custom(format_args!(
        "`{v}` is not a duration: durations are strings with a unit, e.g. \"{v}s\""
    ))
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&faultline_units::human(self.0))
    }
}
