//! Durations written with units (`"90s"`, `"15m"`, `"2h30m"`, `"3d"`, `"1y"`).
//!
//! Scenario authors think in minutes and days, not in seconds, so every time value in a
//! scenario file is a string with units. Internally all times are `f64` seconds: [`parse`]
//! turns text into seconds, [`human`] and [`stamp`] turn seconds back into text.

/// Seconds per unit, longest suffix first so that `ms` wins over `m`.
const UNITS: &[(&str, f64)] = &[
    ("ms", 0.001),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3600.0),
    ("d", 86_400.0),
    ("w", 7.0 * 86_400.0),
    ("y", 365.0 * 86_400.0),
];

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing but blanks.
    #[error("empty duration: write a number with a unit, e.g. \"90s\", \"15m\", \"2h\", \"3d\"")]
    Empty,
    /// Not a number followed by a unit.
    #[error(
        "`{0}` is not a duration: write a number with a unit (ms, s, m, h, d, w, y), e.g. \"2h30m\""
    )]
    Malformed(String),
    /// A number with no unit after it.
    #[error("`{0}` has a number without a unit: write e.g. \"{0}s\" or \"{0}m\"")]
    MissingUnit(String),
}

/// Parses `"90s"`, `"1.5h"`, `"2h30m"`, `"-5m"` into seconds; units are ms, s, m, h, d,
/// w (7d), y (365d). Negative values are accepted (`"-5m"`) so that validation, not the
/// parser, can say where a negative duration makes no sense.
pub fn parse(text: &str) -> Result<f64, DurationError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    let (sign, mut rest) = match s.strip_prefix('-') {
        Some(r) => (-1.0, r.trim_start()),
        None => (1.0, s),
    };
    if rest.is_empty() {
        return Err(DurationError::Malformed(text.to_string()));
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(DurationError::Malformed(text.to_string()));
        }
        let digits = &rest[..num_len];
        // `_` separates digits (`1_000s`); it neither starts nor ends a number.
        if digits.starts_with('_')
            || digits.ends_with('_')
            || digits.contains("_.")
            || digits.contains("._")
        {
            return Err(DurationError::Malformed(text.to_string()));
        }
        let number: f64 = if digits.contains('_') {
            digits.replace('_', "").parse()
        } else {
            digits.parse()
        }
        .map_err(|_| DurationError::Malformed(text.to_string()))?;
        rest = rest[num_len..].trim_start();
        if rest.is_empty() {
            return Err(DurationError::MissingUnit(text.to_string()));
        }
        let Some((unit, scale)) = UNITS
            .iter()
            .find(|(u, _)| rest.starts_with(u) && !next_is_alpha(rest, u.len()))
        else {
            return Err(DurationError::Malformed(text.to_string()));
        };
        total += number * scale;
        rest = rest[unit.len()..].trim_start();
    }
    if !total.is_finite() {
        return Err(DurationError::Malformed(text.to_string()));
    }
    Ok(sign * total)
}

fn next_is_alpha(s: &str, at: usize) -> bool {
    s[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
}

/// Formats seconds for people: `"3d 4h"`, `"12m 5s"`, `"850ms"`; two most significant units.
pub fn human(secs: f64) -> String {
    if !secs.is_finite() {
        return "n/a".to_string();
    }
    if secs < 0.0 {
        return format!("-{}", human(-secs));
    }
    if secs == 0.0 {
        return "0s".to_string();
    }
    if secs < 1.0 {
        return format!("{}ms", (secs * 1000.0).round());
    }
    if secs < 60.0 && secs.fract() != 0.0 {
        return format!("{:.1}s", secs);
    }
    let parts: [(&str, f64); 5] = [
        ("y", 365.0 * 86_400.0),
        ("d", 86_400.0),
        ("h", 3600.0),
        ("m", 60.0),
        ("s", 1.0),
    ];
    let mut out = String::new();
    let mut left = secs.round();
    let mut shown = 0;
    for (unit, scale) in parts {
        if shown == 2 {
            break;
        }
        let n = (left / scale).floor();
        if n >= 1.0 || shown == 1 {
            if n >= 1.0 {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&format!("{n}{unit}"));
            }
            left -= n * scale;
            shown += 1;
        }
    }
    if out.is_empty() {
        "0s".to_string()
    } else {
        out
    }
}

/// Formats a point in simulated time as a wall-clock-like stamp: `day 3 04:12:07`.
pub fn stamp(t: f64) -> String {
    let total = t.max(0.0).floor() as u64;
    let (day, rem) = (total / 86_400, total % 86_400);
    format!(
        "day {day} {:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("90s").unwrap(), 90.0);
        assert_eq!(parse("15m").unwrap(), 900.0);
        assert_eq!(parse("2h30m").unwrap(), 9000.0);
        assert_eq!(parse("1.5h").unwrap(), 5400.0);
        assert_eq!(parse("3d").unwrap(), 259_200.0);
        assert_eq!(parse("1w").unwrap(), 604_800.0);
        assert_eq!(parse("1y").unwrap(), 31_536_000.0);
        assert_eq!(parse("250ms").unwrap(), 0.25);
        assert_eq!(parse("-5m").unwrap(), -300.0);
        assert_eq!(parse(" 1d 2h ").unwrap(), 93_600.0);
    }

    #[test]
    fn rejects_junk() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        assert_eq!(parse("10"), Err(DurationError::MissingUnit("10".into())));
        assert!(parse("ten minutes").is_err());
        assert!(parse("5 mins").is_err());
        assert!(parse("h").is_err());
        assert!(parse("-").is_err());
        assert!(parse("1..2s").is_err());
        assert!(parse("1e400s").is_err());
    }

    #[test]
    fn formats_for_humans() {
        assert_eq!(human(0.0), "0s");
        assert_eq!(human(0.25), "250ms");
        assert_eq!(human(90.0), "1m 30s");
        assert_eq!(human(3.47), "3.5s");
        assert_eq!(human(59.0), "59s");
        assert_eq!(human(3600.0), "1h");
        assert_eq!(human(3.0 * 86_400.0 + 4.0 * 3600.0 + 59.0), "3d 4h");
        assert_eq!(human(86_400.0 + 59.0), "1d");
        assert_eq!(
            stamp(3.0 * 86_400.0 + 4.0 * 3600.0 + 12.0 * 60.0 + 7.5),
            "day 3 04:12:07"
        );
    }
}
