//! Editing a scenario's text at a path: what `sweep` varies.
//!
//! A parameter is addressed by its path in the scenario file, the same paths diagnostics
//! print (`strategies[1].mitigations[0].deploy`, `response.diagnose`,
//! `components[3].faults[0].repair`). For each value the scenario *text* is edited at that
//! value's byte span (found by [`crate::span::Locator`]) and loaded again through the normal
//! validation, so any value in the file can be swept, and a value that makes no sense is
//! reported with a caret under it like any other scenario error.

use crate::diagnostics::{LoadError, Problem};
use crate::span::{Locator, Path, Step};
use crate::validate;
use faultline_core::model::Model;
use faultline_units::number::trim_number;
use faultline_units::parse_duration;

/// A parsed `--set PATH=VALUES`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The path as written.
    pub path_text: String,
    /// The path.
    pub path: Path,
    /// The values, as RON text (or a bare duration / number).
    pub values: Vec<String>,
}

/// Most values one sweep takes: each is a whole study (the baseline and every strategy),
/// and each model is held in memory at once.
pub const MAX_VALUES: usize = 1_000;

/// The refusal of a sweep over `n` values.
fn too_many(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} values: a sweep takes at most {MAX_VALUES} (each is a whole study)")
}

/// Parses `PATH=V1,V2,...` or `PATH=FROM..TO:COUNT` (COUNT evenly spaced values, ends
/// included; FROM and TO both durations or both numbers).
pub fn parse_setting(s: &str) -> Result<Setting, String> {
    let Some((path_text, rhs)) = s.split_once('=') else {
        return Err(format!(
            "`{s}`: expected PATH=V1,V2,... or PATH=FROM..TO:COUNT, e.g. response.diagnose=1h,2h,4h"
        ));
    };
    let path_text = path_text.trim();
    let path = parse_path(path_text)?;
    let rhs = rhs.trim();
    let values = if let Some(r) = parse_range(rhs)? {
        r
    } else {
        split_values(rhs)
    };
    if values.is_empty() || values.iter().any(|v| v.is_empty()) {
        return Err(format!("`{s}`: a value is empty"));
    }
    if values.len() > MAX_VALUES {
        return Err(too_many(values.len()));
    }
    Ok(Setting {
        path_text: path_text.to_string(),
        path,
        values,
    })
}

/// `strategies[1].mitigations[0].deploy` → steps.
pub fn parse_path(s: &str) -> Result<Path, String> {
    let bad = |why: &str| {
        Err(format!(
            "`{s}` is not a path: {why} (write e.g. strategies[1].mitigations[0].deploy)"
        ))
    };
    let mut steps = vec![];
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' if !steps.is_empty() => i += 1,
            b'[' => {
                let Some(close) = s[i..].find(']') else {
                    return bad("a `[` is not closed");
                };
                let Ok(n) = s[i + 1..i + close].trim().parse::<usize>() else {
                    return bad("an index must be a whole number");
                };
                steps.push(Step::Index(n));
                i += close + 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = s[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(s.len(), |k| i + k);
                steps.push(Step::Field(s[i..end].to_string()));
                i = end;
            }
            _ => return bad("unexpected character"),
        }
    }
    if steps.is_empty() {
        return bad("it is empty");
    }
    Ok(Path(steps))
}

/// Splits on commas outside brackets and strings: `Uniform("1d", "3d"),Fixed("2d")` is two
/// values.
fn split_values(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut depth = 0i32;
    let mut quoted = false;
    let mut cur = String::new();
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '"' if prev != '\\' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                prev = c;
                continue;
            }
            _ => {}
        }
        cur.push(c);
        prev = c;
    }
    out.push(cur.trim().to_string());
    out
}

/// `1d..5d:5` → 1d, 2d, 3d, 4d, 5d; `0.5..0.9:3` → 0.5, 0.7, 0.9; None if not a range.
fn parse_range(s: &str) -> Result<Option<Vec<String>>, String> {
    let Some((a, rest)) = s.split_once("..") else {
        return Ok(None);
    };
    if a.contains(['(', '"', ',']) {
        return Ok(None);
    }
    let (b, count) = match rest.split_once(':') {
        Some((b, n)) => {
            let n: usize = n
                .trim()
                .parse()
                .map_err(|_| format!("`{s}`: the count after `:` must be a whole number"))?;
            (b, n)
        }
        None => (rest, 5),
    };
    if count < 2 {
        return Err(format!("`{s}`: a range needs a count of at least 2"));
    }
    if count > MAX_VALUES {
        return Err(too_many(count));
    }
    let (a, b) = (a.trim(), b.trim());
    let at = |k: usize, lo: f64, hi: f64| lo + (hi - lo) * k as f64 / (count - 1) as f64;
    if let (Ok(lo), Ok(hi)) = (parse_duration(a), parse_duration(b)) {
        // Values are written in units the range itself uses or smaller: 1d..9d gives 7d,
        // not 1w.
        let largest = unit_scale(a).max(unit_scale(b));
        let v = (0..count)
            .map(|k| duration_literal(at(k, lo, hi), largest))
            .collect();
        return Ok(Some(v));
    }
    if let (Ok(lo), Ok(hi)) = (a.parse::<f64>(), b.parse::<f64>()) {
        let integers = !a.contains(['.', 'e']) && !b.contains(['.', 'e']);
        let v: Vec<String> = (0..count)
            .map(|k| {
                let x = at(k, lo, hi);
                if integers && (x - x.round()).abs() < 1e-9 {
                    format!("{}", x.round() as i64)
                } else if integers {
                    // An integer parameter cannot take this value: keep it exact and let
                    // validation say so, pointing at the value.
                    trim_number(x)
                } else {
                    let s = trim_number(x);
                    if s.contains('.') { s } else { format!("{s}.0") }
                }
            })
            .collect();
        return Ok(Some(v));
    }
    Err(format!(
        "`{s}`: a range needs two durations (1d..5d:5) or two numbers (0.5..0.9:5)"
    ))
}

/// Seconds in one unit of the duration literal `s` (`"3d"` → 86,400), or 1 if it has none
/// the parser knows.
fn unit_scale(s: &str) -> f64 {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    parse_duration(&format!("1{}", &s[digits.len()..])).unwrap_or(1.0)
}

/// Seconds as a duration literal the scenario parser reads back exactly enough: the
/// largest unit up to `largest` seconds that divides it, else seconds.
fn duration_literal(secs: f64, largest: f64) -> String {
    for (unit, scale) in [
        ("w", 604_800.0),
        ("d", 86_400.0),
        ("h", 3600.0),
        ("m", 60.0),
        ("s", 1.0),
    ] {
        if scale > largest {
            continue;
        }
        let n = secs / scale;
        if n >= 1.0 && (n - n.round()).abs() < 1e-9 {
            return format!("{}{unit}", n.round() as i64);
        }
    }
    format!("{}s", trim_number(secs))
}

/// The RON text to put at `span` for `value`: a bare duration becomes a string where a
/// string is written, and `Fixed("…")` where a distribution is; anything else goes in
/// as written.
fn adapt(original: &str, value: &str) -> String {
    let original = original.trim_start();
    let is_duration = parse_duration(value).is_ok() && !value.starts_with('"');
    if is_duration && original.starts_with('"') {
        return format!("\"{value}\"");
    }
    let is_distribution = [
        "Exp",
        "Weibull",
        "LogNormal",
        "Uniform",
        "Fixed",
        "At",
        "Never",
    ]
    .iter()
    .any(|d| {
        original
            .strip_prefix(d)
            .is_some_and(|r| r.is_empty() || r.starts_with(['(', ' ']))
    });
    if is_duration && is_distribution {
        return format!("Fixed(\"{value}\")");
    }
    value.to_string()
}

/// Where a value sits on the x axis, if it reads as a duration or a number.
pub fn x_of(value: &str) -> Option<(Quantity, f64)> {
    let v = value.trim();
    let inner = v
        .strip_prefix("Fixed(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(v);
    let unquoted = inner.trim().trim_matches('"');
    if let Ok(d) = parse_duration(unquoted) {
        return Some((Quantity::Duration, d));
    }
    if let Ok(x) = unquoted.parse::<f64>() {
        return Some((Quantity::Number, x));
    }
    None
}

/// The scenario text with the value at `set.path` replaced by `value`.
pub fn edit(file: &str, text: &str, set: &Setting, value: &str) -> Result<String, LoadError> {
    let loc = Locator::new(text);
    let Some(span) = loc.find(&set.path) else {
        let problem = Problem::new(
            set.path.clone(),
            format!(
                "--set {}: no such value in the file; the nearest existing value is marked",
                set.path_text
            ),
        )
        .hint(
            "the path must name a value written in the file (one left at its default cannot be swept: write it out first); indices start at 0",
        );
        return Err(LoadError::Invalid {
            file: file.to_string(),
            text: text.to_string(),
            problems: vec![problem],
        });
    };
    let mut out = String::with_capacity(text.len() + value.len());
    out.push_str(&text[..span.start]);
    out.push_str(&adapt(&text[span.start..span.end], value));
    out.push_str(&text[span.end..]);
    Ok(out)
}

/// Loads the scenario at every value of `set`, checking them all before anything runs.
/// Returns, per value, the baseline and strategies (with `adjust` applied to each model).
pub fn load_all(
    file: &str,
    text: &str,
    set: &Setting,
    adjust: &dyn Fn(&mut Model),
) -> Result<Vec<Vec<Model>>, LoadError> {
    let mut out = vec![];
    for v in &set.values {
        let edited = edit(file, text, set, v)?;
        let label = format!("{file} (with {} = {v})", set.path_text);
        let (_, mut models) = validate::load_all_str(&label, &edited)?;
        for m in &mut models {
            adjust(m);
        }
        out.push(models);
    }
    Ok(out)
}

/// How a swept value reads on an axis, when it reads as a quantity at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// A duration (x in seconds).
    Duration,
    /// A plain number.
    Number,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        let p = parse_path("strategies[1].mitigations[0].deploy").unwrap();
        assert_eq!(p.to_string(), "strategies[1].mitigations[0].deploy");
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("").is_err());
        assert!(parse_path("a..b").is_ok_and(|p| p.0.len() == 2));
    }

    #[test]
    fn values_split_outside_brackets() {
        assert_eq!(
            split_values(r#"Uniform("1d", "3d"),Fixed("2d"), 4d"#),
            vec![r#"Uniform("1d", "3d")"#, r#"Fixed("2d")"#, "4d"]
        );
    }

    #[test]
    fn ranges_expand() {
        assert_eq!(
            parse_range("1d..5d:5").unwrap().unwrap(),
            vec!["1d", "2d", "3d", "4d", "5d"]
        );
        assert_eq!(
            parse_range("12h..2d:4").unwrap().unwrap(),
            vec!["12h", "1d", "36h", "2d"]
        );
        // No unit larger than the range's own: a week of days stays days.
        assert_eq!(
            parse_range("1d..9d:5").unwrap().unwrap(),
            vec!["1d", "3d", "5d", "7d", "9d"]
        );
        assert_eq!(
            parse_range("1w..3w:3").unwrap().unwrap(),
            vec!["1w", "2w", "3w"]
        );
        assert_eq!(
            parse_range("0.5..0.9:3").unwrap().unwrap(),
            vec!["0.5", "0.7", "0.9"]
        );
        assert_eq!(parse_range("1..3:3").unwrap().unwrap(), vec!["1", "2", "3"]);
        assert_eq!(parse_range("1d,2d").unwrap(), None);
        assert!(parse_range("1d..5d:1").is_err());
        assert!(parse_range("x..y:3").is_err());
    }

    #[test]
    fn values_adapt_to_what_they_replace() {
        assert_eq!(adapt("\"2h\"", "4h"), "\"4h\"");
        assert_eq!(adapt("Uniform(\"1d\", \"3d\")", "2d"), "Fixed(\"2d\")");
        assert_eq!(adapt("0.9", "0.5"), "0.5");
        assert_eq!(
            adapt("Exp(mean: \"1h\")", "Exp(mean: \"2h\")"),
            "Exp(mean: \"2h\")"
        );
    }

    #[test]
    fn edits_land_on_the_span() {
        let text = r#"S(a: [(x: "1h"), (x: Uniform("1d", "3d"))], b: 2)"#;
        let set = parse_setting("a[1].x=2d,3d").unwrap();
        let out = edit("f", text, &set, "2d").unwrap();
        assert_eq!(out, r#"S(a: [(x: "1h"), (x: Fixed("2d"))], b: 2)"#);
        let set = parse_setting("a[2].x=2d").unwrap();
        assert!(edit("f", text, &set, "2d").is_err());
    }
}
