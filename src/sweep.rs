//! `sweep`: rerun a scenario across the values of one parameter.
//!
//! A parameter is addressed by its path in the scenario file, the same paths diagnostics
//! print (`strategies[1].mitigations[0].deploy`, `response.diagnose`,
//! `components[3].faults[0].repair`). For each value the scenario *text* is edited at that
//! value's byte span (found by [`crate::span::Locator`]) and loaded again through the normal
//! validation, so any value in the file can be swept, and a value that makes no sense is
//! reported with a caret under it like any other scenario error. Every value is run with
//! the same seed and run indices, so the runs at different values share their random
//! numbers and the curve shows the parameter, not luck.

use crate::charts::money_short;
use crate::diagnostics::{LoadError, Problem};
use crate::duration::{self, human};
use crate::model::Model;
use crate::montecarlo::{self, Study, Summary};
use crate::report::table;
use crate::span::{Locator, Path, Step};
use crate::stats::Moments;
use crate::trace::thousands;
use crate::validate;
use serde::Serialize;
use std::fmt::Write;

/// What a sweep measures, per strategy and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Expected cost per run (USD).
    Cost,
    /// Mean downtime per run: time with at least one service failed.
    Downtime,
    /// Share of the horizon with no service failed.
    Availability,
    /// User-minutes affected per run.
    UserMinutes,
}

impl Metric {
    /// The metric in words.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Cost => "expected cost per run",
            Metric::Downtime => "mean downtime per run",
            Metric::Availability => "availability",
            Metric::UserMinutes => "user-minutes per run",
        }
    }

    /// Axis label with units.
    pub fn axis_label(self) -> &'static str {
        match self {
            Metric::Cost => "expected cost per run (USD)",
            Metric::Downtime => "mean downtime per run (hours)",
            Metric::Availability => "availability (%)",
            Metric::UserMinutes => "user-minutes affected per run",
        }
    }

    /// Whether values can never be negative (the axis then starts at 0 at most).
    pub fn non_negative(self) -> bool {
        true
    }

    /// Whether less is better.
    pub fn lower_is_better(self) -> bool {
        self != Metric::Availability
    }

    fn moments(self, s: &Summary) -> &Moments {
        match self {
            Metric::Cost => &s.cost,
            Metric::Downtime => &s.downtime,
            Metric::Availability => &s.availability,
            Metric::UserMinutes => &s.user_minutes,
        }
    }

    /// The value as plotted: downtime in hours, availability in percent.
    fn scale(self) -> f64 {
        match self {
            Metric::Downtime => 1.0 / 3600.0,
            Metric::Availability => 100.0,
            _ => 1.0,
        }
    }

    /// A plotted value for an axis tick.
    pub fn format_axis(self, y: f64) -> String {
        match self {
            Metric::Cost => crate::charts::money_axis(y),
            Metric::Downtime => format!("{y:.1}h"),
            Metric::Availability => format!("{y:.3}%"),
            Metric::UserMinutes => short_number(y),
        }
    }

    /// A plotted value and its half-width for a table.
    pub fn format(self, p: &Point) -> String {
        match self {
            Metric::Cost => format!("{} ± {}", money_short(p.mean), money_short(p.ci95)),
            Metric::Downtime => format!("{} ± {}", human(p.mean * 3600.0), human(p.ci95 * 3600.0)),
            Metric::Availability => format!("{:.4}% ± {:.4}%", p.mean, p.ci95),
            Metric::UserMinutes => format!("{} ± {}", thousands(p.mean), thousands(p.ci95)),
        }
    }
}

fn short_number(y: f64) -> String {
    let a = y.abs();
    if a >= 1e6 {
        format!("{:.1}M", y / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", y / 1e3)
    } else {
        format!("{y:.0}")
    }
}

/// One strategy's figure at one value: mean and 95% CI half-width, in plotted units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Mean over runs.
    pub mean: f64,
    /// Half-width of the 95% confidence interval.
    pub ci95: f64,
}

/// One value of the swept parameter and what every strategy did with it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepValue {
    /// The value as written into the scenario.
    pub value: String,
    /// Where it sits on the x axis: seconds for durations, the number for numbers, the
    /// position for anything else.
    pub x: f64,
    /// Per strategy, in [`Sweep::strategies`] order.
    pub points: Vec<Point>,
}

/// How the swept values read on an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Axis {
    /// Durations (x in seconds).
    Duration,
    /// Plain numbers.
    Number,
    /// Anything else: values in the order given.
    Category,
}

/// The result of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep {
    /// Scenario name.
    pub scenario: String,
    /// The swept path, as given.
    pub path: String,
    /// What was measured.
    pub metric: Metric,
    /// Master seed (the same for every value).
    pub seed: u64,
    /// Runs per value and strategy.
    pub runs: u64,
    /// Simulated time per run, seconds.
    pub horizon_s: f64,
    /// The baseline and every strategy.
    pub strategies: Vec<String>,
    /// How values read on the x axis.
    pub axis: Axis,
    /// One entry per value, in the order given.
    pub values: Vec<SweepValue>,
}

impl Sweep {
    /// A tick label for `x`.
    pub fn format_x(&self, x: f64) -> String {
        match self.axis {
            Axis::Duration => human(x),
            Axis::Number => trim_number(x),
            Axis::Category => {
                let k = x.round();
                if (x - k).abs() < 1e-9 && k >= 0.0 {
                    self.values
                        .get(k as usize)
                        .map_or(String::new(), |v| v.value.clone())
                } else {
                    String::new()
                }
            }
        }
    }

    /// The x axis description.
    pub fn x_desc(&self) -> String {
        match self.axis {
            Axis::Duration => format!("{} (duration)", self.path),
            _ => self.path.clone(),
        }
    }

    /// The best strategy at value `k` by the metric.
    pub fn best(&self, k: usize) -> &str {
        let pts = &self.values[k].points;
        let better = |a: &Point, b: &Point| {
            if self.metric.lower_is_better() {
                a.mean < b.mean
            } else {
                a.mean > b.mean
            }
        };
        let mut best = 0;
        for (i, p) in pts.iter().enumerate() {
            if p.mean.is_finite() && better(p, &pts[best]) {
                best = i;
            }
        }
        &self.strategies[best]
    }

    /// The terminal table: one row per value, one column per strategy, and the best.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} — sweep of {} over {} values: {} (95% CI), {} runs × {}, seed {}",
            self.scenario,
            self.path,
            self.values.len(),
            self.metric.name(),
            thousands(self.runs as f64),
            human(self.horizon_s),
            self.seed
        );
        let _ = writeln!(
            s,
            "Every value and strategy runs on the same seeds (common random numbers).\n"
        );
        let mut header: Vec<&str> = vec!["value"];
        header.extend(self.strategies.iter().map(|x| x.as_str()));
        header.push("best");
        let rows: Vec<Vec<String>> = self
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let mut row = vec![v.value.clone()];
                row.extend(v.points.iter().map(|p| self.metric.format(p)));
                row.push(self.best(k).to_string());
                row
            })
            .collect();
        s.push_str(&table(&header, &rows));
        s
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

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
    let (a, b) = (a.trim(), b.trim());
    let at = |k: usize, lo: f64, hi: f64| lo + (hi - lo) * k as f64 / (count - 1) as f64;
    if let (Ok(lo), Ok(hi)) = (duration::parse(a), duration::parse(b)) {
        // Values are written in units the range itself uses or smaller: 1d..9d gives 7d,
        // not 1w.
        let largest = unit_scale(a).max(unit_scale(b));
        let v = (0..count)
            .map(|k| duration_literal(at(k, lo.secs(), hi.secs()), largest))
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
    duration::parse(&format!("1{}", &s[digits.len()..])).map_or(1.0, |d| d.secs())
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
    let is_duration = duration::parse(value).is_ok() && !value.starts_with('"');
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
fn x_of(value: &str) -> Option<(Axis, f64)> {
    let v = value.trim();
    let inner = v
        .strip_prefix("Fixed(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(v);
    let unquoted = inner.trim().trim_matches('"');
    if let Ok(d) = duration::parse(unquoted) {
        return Some((Axis::Duration, d.secs()));
    }
    if let Ok(x) = unquoted.parse::<f64>() {
        return Some((Axis::Number, x));
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

/// Runs every value's models on the same study. `progress` gets the runs done so far,
/// counted over all values (value k's runs count from `k * study.runs`).
pub fn run(
    set: &Setting,
    per_value: &[Vec<Model>],
    metric: Metric,
    study: Study,
    progress: &(dyn Fn(u64) + Sync),
) -> Sweep {
    let first = &per_value[0][0];
    let strategies: Vec<String> = per_value[0].iter().map(|m| m.strategy.clone()).collect();
    let parsed: Vec<Option<(Axis, f64)>> = set.values.iter().map(|v| x_of(v)).collect();
    let axis = match parsed.first().copied().flatten() {
        Some((a, _)) if parsed.iter().all(|p| p.is_some_and(|(b, _)| b == a)) => a,
        _ => Axis::Category,
    };
    let mut values = vec![];
    for (k, models) in per_value.iter().enumerate() {
        let done = k as u64 * study.runs;
        let summaries = montecarlo::run_all(models, study, &|n| progress(done + n));
        let scale = metric.scale();
        let points = strategies
            .iter()
            .map(|name| {
                match models.iter().position(|m| &m.strategy == name) {
                    Some(i) => {
                        let mo = metric.moments(&summaries[i]);
                        Point {
                            mean: mo.mean() * scale,
                            ci95: mo.ci95() * scale,
                        }
                    }
                    // The swept value renamed or removed this strategy.
                    None => Point {
                        mean: f64::NAN,
                        ci95: f64::NAN,
                    },
                }
            })
            .collect();
        let x = match (axis, parsed[k]) {
            (Axis::Category, _) | (_, None) => k as f64,
            (_, Some((_, x))) => x,
        };
        values.push(SweepValue {
            value: set.values[k].clone(),
            x,
            points,
        });
    }
    Sweep {
        scenario: first.name.clone(),
        path: set.path_text.clone(),
        metric,
        seed: study.seed,
        runs: study.runs,
        horizon_s: first.horizon,
        strategies,
        axis,
        values,
    }
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
