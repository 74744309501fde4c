//! No input, however broken, may panic.
//!
//! The seeds are the shipped scenarios, each also flattened onto one line after a
//! 70,000-character comment (every error then sits past column 65,535).
//! Mutated scenario text goes through the whole front end: the loader
//! (`validate::load_str`), then the error renderer for inputs that fail, or
//! `cli::validation_summary` and one short simulated run (`trace::record`, kept short by
//! clamping the horizon to 30 days and the event cap to 10,000) for inputs that load.
//!
//! The mutations come from a small deterministic PRNG (splitmix64), so a failure is
//! reproducible: the failing case prints its number, the seed and the mutated text (also
//! saved to the temp dir). Environment knobs:
//! - `FAULTLINE_FUZZ_SEED`: master seed (decimal or 0x-hex; default fixed);
//! - `FAULTLINE_FUZZ_CASES`: number of cases (default 20,000);
//! - `FAULTLINE_FUZZ_CASE`: run only this case number (to reproduce one failure).

use crate::common::repo;
use faultline::diagnostics::LoadError;
use faultline::validate::load_str;
use faultline::{cli, span, trace};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

const DEFAULT_SEED: u64 = 0x5EED_FA17_1A7E_2022;
const DEFAULT_CASES: u64 = 20_000;

/// Most simulated time per run: keeps the runs short.
const MAX_HORIZON: f64 = 30.0 * 86_400.0;
const MAX_EVENTS: u64 = 10_000;

// ---------------------------------------------------------------------------------------
// A tiny deterministic PRNG
// ---------------------------------------------------------------------------------------

/// splitmix64: tiny, fast, and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The generator for case `case` of the study seeded `seed`: every case can be replayed
/// on its own.
fn case_rng(seed: u64, case: u64) -> Rng {
    let mut r = Rng(seed ^ case.wrapping_mul(0xD1B5_4A32_D192_ED03));
    r.next();
    r
}

// ---------------------------------------------------------------------------------------
// Mutations (always at char boundaries)
// ---------------------------------------------------------------------------------------

/// Characters inserted at random: RON punctuation, digits, letters, comment and raw-string
/// starters, and two multi-byte characters so that char boundaries matter.
const ALPHABET: &str = "()[]{}:,\"'0123456789.-_ abcdefghijklmnopqrstuvwxyz\n/*#ré→";

/// Extreme numbers.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "NaN",
    "inf",
    "18446744073709551615",
    "-0.0",
    "-inf",
    "4294967296",
    "1e-320",
    "99999999999999999999999",
];

/// Extreme durations (whole string literals).
const DURATIONS: &[&str] = &[
    "\"0s\"",
    "\"-1s\"",
    "\"1e300y\"",
    "\"\"",
    "\"9999999999999999999d\"",
    "\"1ms\"",
    "\"-0s\"",
    "\"1000000000000000000000000000000000000000y\"",
    "\"0.0000000000000000000000000001ms\"",
    "\" \"",
];

/// Enum values that fit (or almost fit) where other enum values stand.
const VARIANTS: &[&str] = &[
    "Crash",
    "Corrupt",
    "Degrade(0.0)",
    "Slow(1e308)",
    "Requires",
    "Load",
    "Degrades(0.5)",
    "Never",
    "At(\"0s\")",
    "Fixed(\"0s\")",
    "Fixed(\"1ms\")",
    "Uniform(\"0s\", \"0s\")",
    "Uniform(\"1ms\", \"2ms\")",
    "Exp(mean: \"1ms\")",
    "Weibull(shape: 1e-300, scale: \"1s\")",
    "Weibull(shape: 1e300, scale: \"1y\")",
    "LogNormal(median: \"1ms\", sigma: 1e300)",
];

/// Byte offsets of every char boundary of `s`, including `s.len()`.
fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

/// A random range `[a, b)` of at most `max_chars` chars, on char boundaries.
fn range(rng: &mut Rng, s: &str, max_chars: usize) -> (usize, usize) {
    let b = boundaries(s);
    let i = rng.below(b.len());
    let j = (i + rng.below(max_chars + 1)).min(b.len() - 1);
    (b[i], b[j])
}

/// A random char boundary.
fn point(rng: &mut Rng, s: &str) -> usize {
    *rng.pick(&boundaries(s))
}

/// A random length, mostly short, sometimes long.
fn span_len(rng: &mut Rng) -> usize {
    if rng.chance(80) {
        1 + rng.below(16)
    } else {
        1 + rng.below(400)
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Byte ranges of numbers: digit runs (with `.`, `_`, `e`) not glued to an identifier,
/// including those inside strings (`"120d"`).
fn numbers(s: &str) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut prev = ' ';
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c.is_ascii_digit() && !is_ident(prev) && prev != '.' {
            let mut end = i + 1;
            while let Some(&(j, d)) = iter.peek() {
                if d.is_ascii_digit() || d == '.' || d == '_' {
                    end = j + 1;
                    iter.next();
                } else {
                    break;
                }
            }
            let start = if prev == '-' { i - 1 } else { i };
            out.push((start, end));
            prev = '0';
        } else {
            prev = c;
        }
    }
    out
}

/// Byte ranges of string literals (with their quotes), pairing quotes naively.
fn strings(s: &str) -> Vec<(usize, usize)> {
    let quotes: Vec<usize> = s.match_indices('"').map(|(i, _)| i).collect();
    quotes.chunks_exact(2).map(|q| (q[0], q[1] + 1)).collect()
}

/// String literals that hold a duration (short, starting with a digit or a sign).
fn durations(s: &str) -> Vec<(usize, usize)> {
    strings(s)
        .into_iter()
        .filter(|&(a, b)| {
            let inner = &s[a + 1..b - 1];
            inner.len() <= 12 && inner.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        })
        .collect()
}

/// Byte ranges of capitalised identifiers (enum variants, with their arguments if any).
fn variants(s: &str) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_uppercase() && (i == 0 || !is_ident(b[i - 1] as char));
        if !starts {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < b.len() && is_ident(b[end] as char) {
            end += 1;
        }
        // Include a balanced `( ... )` argument list on the same line.
        if end < b.len() && b[end] == b'(' {
            let mut depth = 0;
            let mut k = end;
            while k < b.len() && b[k] != b'\n' {
                match b[k] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k + 1;
                            break;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        }
        out.push((i, end));
        i = end.max(i + 1);
    }
    out
}

/// Applies one random mutation to `s`; returns a short description of it.
fn mutate(rng: &mut Rng, s: &mut String) -> String {
    let kind = rng.below(100);
    match kind {
        0..12 => {
            let len = span_len(rng);
            let (a, b) = range(rng, s, len);
            s.replace_range(a..b, "");
            format!("delete {a}..{b}")
        }
        12..22 => {
            let len = span_len(rng);
            let (a, b) = range(rng, s, len);
            let copy = s[a..b].to_owned();
            let at = if rng.chance(50) { b } else { point(rng, s) };
            s.insert_str(at, &copy);
            format!("duplicate {a}..{b} at {at}")
        }
        22..34 => {
            let chars: Vec<char> = ALPHABET.chars().collect();
            let n = 1 + rng.below(8);
            let text: String = (0..n).map(|_| *rng.pick(&chars)).collect();
            let at = point(rng, s);
            s.insert_str(at, &text);
            format!("insert {text:?} at {at}")
        }
        34..42 => {
            // Two disjoint ranges a..b and c..d, swapped.
            let b = boundaries(s);
            let mut idx: Vec<usize> = (0..4).map(|_| rng.below(b.len())).collect();
            idx.sort_unstable();
            let [a, bb, c, d] = [b[idx[0]], b[idx[1]], b[idx[2]], b[idx[3]]];
            let swapped = format!(
                "{}{}{}{}{}",
                &s[..a],
                &s[c..d],
                &s[bb..c],
                &s[a..bb],
                &s[d..]
            );
            *s = swapped;
            format!("swap {a}..{bb} with {c}..{d}")
        }
        42..47 => {
            let at = point(rng, s);
            s.truncate(at);
            format!("truncate at {at}")
        }
        47..67 => replace_one(rng, s, &numbers(s), NUMBERS, "number"),
        67..85 => replace_one(rng, s, &durations(s), DURATIONS, "duration"),
        85..94 => {
            // One string literal replaced by another one from the text: ids get swapped,
            // which makes unknown ids, self-loops, cycles and duplicate names.
            let lits = strings(s);
            if lits.is_empty() {
                return "no string to replace".into();
            }
            let &(a, b) = rng.pick(&lits);
            let &(c, d) = rng.pick(&lits);
            let with = s[c..d].to_owned();
            s.replace_range(a..b, &with);
            format!("string {a}..{b} := {with}")
        }
        _ => replace_one(rng, s, &variants(s), VARIANTS, "variant"),
    }
}

/// Replaces one of `targets` (byte ranges of `s`) with one of `values`.
fn replace_one(
    rng: &mut Rng,
    s: &mut String,
    targets: &[(usize, usize)],
    values: &[&str],
    what: &str,
) -> String {
    if targets.is_empty() {
        return format!("no {what} to replace");
    }
    let &(a, b) = rng.pick(targets);
    let with = *rng.pick(values);
    s.replace_range(a..b, with);
    format!("{what} {a}..{b} := {with}")
}

// ---------------------------------------------------------------------------------------
// What every input goes through
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Io,
    Syntax,
    Invalid,
    Simulated,
}

/// Loads `text` and exercises everything downstream; panics (only) on a bug.
fn exercise(text: &str) -> Outcome {
    match load_str("fuzz.ron", text) {
        Err(e) => {
            let shown = e.render(false);
            let _ = e.render(true);
            assert!(!shown.is_empty());
            let _ = e.to_string();
            match &e {
                LoadError::Io { .. } | LoadError::Foreign { .. } => Outcome::Io,
                LoadError::Syntax {
                    line, col, range, ..
                } => {
                    // The location is inside the text, on char boundaries, and consistent.
                    assert!(range.0 <= range.1 && range.1 <= text.len(), "{range:?}");
                    assert!(text.is_char_boundary(range.0) && text.is_char_boundary(range.1));
                    assert_eq!(span::line_col(text, range.0), (*line, *col));
                    assert!(
                        shown.contains(&format!("fuzz.ron:{line}:{col}: ")),
                        "{shown}"
                    );
                    Outcome::Syntax
                }
                LoadError::Invalid { problems, .. } => {
                    assert!(!problems.is_empty(), "invalid without a problem");
                    assert!(shown.contains("nothing was simulated"), "{shown}");
                    Outcome::Invalid
                }
            }
        }
        Ok((_, mut model)) => {
            let summary = cli::validation_summary(&model, false);
            assert!(summary.contains("valid"), "{summary}");
            model.horizon = model.horizon.min(MAX_HORIZON);
            model.max_events = MAX_EVENTS;
            let t = trace::record(&model, 1, 0);
            let _ = t.render(&model);
            Outcome::Simulated
        }
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

/// Runs `exercise` on `text`, failing the test with everything needed to reproduce a
/// panic: `what` names the case, the input is printed and saved to the temp dir.
fn must_not_panic(what: &str, text: &str) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| exercise(text))) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let msg = panic_message(payload.as_ref());
            let saved = std::env::temp_dir()
                .join(format!("faultline-fuzz-failure-{}.ron", std::process::id()));
            let _ = std::fs::write(&saved, text);
            let shown = if text.len() > 20_000 {
                let mut cut = 20_000;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!("{}\n... ({} bytes in all)", &text[..cut], text.len())
            } else {
                text.to_owned()
            };
            panic!(
                "{what} panicked: {msg}\n(input saved to {})\n--- input ---\n{shown}\n--- end of input ---",
                saved.display()
            );
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
        None => v.replace('_', "").parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number")))
}

/// Every `.ron` file in `scenarios/`, sorted by name, with its text.
fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("ron"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("read scenario");
            (name, text)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios to mutate");
    // Each also on one line, as a generator might write it: errors then sit at columns
    // past 65,535, where miette's renderer used to panic (issue 14, item 3).
    let long: Vec<(String, String)> = files
        .iter()
        .map(|(name, text)| (format!("{name} (one line)"), one_line(text)))
        .collect();
    files.extend(long);
    files
}

/// `text` on one line, after a 70,000-character comment: `//` comments become `/* */`
/// ones, line breaks spaces.
fn one_line(text: &str) -> String {
    let mut out = format!("/* {} */ ", "x".repeat(70_000));
    for line in text.lines() {
        let mut quoted = false;
        let mut prev = ' ';
        let mut cut = None;
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                quoted = !quoted;
            } else if !quoted && c == '/' && prev == '/' {
                cut = Some(i - 1);
                break;
            }
            prev = c;
        }
        match cut {
            Some(i) => {
                let comment = line[i + 2..].replace("*/", "* /").replace("/*", "/ *");
                out.push_str(&line[..i]);
                out.push_str(&format!("/*{comment} */"));
            }
            None => out.push_str(line),
        }
        out.push(' ');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn mutated_scenarios_never_panic() {
    let seed = env_u64("FAULTLINE_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases = env_u64("FAULTLINE_FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    let only = env_u64("FAULTLINE_FUZZ_CASE");
    let files = corpus();
    println!(
        "fuzz: seed {seed:#x}, {cases} cases over {} file(s)",
        files.len()
    );

    let started = Instant::now();
    let mut counts = [0u64; 4];
    let mut slowest = (Duration::ZERO, 0u64);
    // A case over 10 s is a hang (the issue 14 criterion); the slowest case is printed.
    let mut hangs = vec![];
    for case in 0..cases {
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let (name, original) = &files[(case % files.len() as u64) as usize];
        let mut rng = case_rng(seed, case);
        let mut text = original.clone();
        let n = match rng.below(100) {
            0..60 => 1,
            60..85 => 2,
            _ => 3,
        };
        let mut log = vec![];
        for _ in 0..n {
            log.push(mutate(&mut rng, &mut text));
        }
        let what = format!(
            "case {case} (FAULTLINE_FUZZ_SEED={seed:#x} FAULTLINE_FUZZ_CASE={case}; {name}; {})",
            log.join("; ")
        );
        let t0 = Instant::now();
        let outcome = must_not_panic(&what, &text);
        let took = t0.elapsed();
        if took > slowest.0 {
            slowest = (took, case);
        }
        if took > Duration::from_secs(10) {
            hangs.push(case);
        }
        counts[outcome as usize] += 1;
    }
    let elapsed = started.elapsed();
    let [io, syntax, invalid, simulated] = counts;
    println!(
        "fuzz: {} cases in {:.2?}: {syntax} syntax/type errors, {invalid} invalid, {simulated} simulated; slowest case {} took {:.2?}",
        syntax + invalid + simulated + io,
        elapsed,
        slowest.1,
        slowest.0
    );
    assert_eq!(io, 0);
    assert!(hangs.is_empty(), "cases over 10 s: {hangs:?}");
    if only.is_none() && cases >= 1000 {
        // The mutations must reach every stage, or the test proves little.
        for (stage, n) in [
            ("syntax errors", syntax),
            ("invalid", invalid),
            ("simulated", simulated),
        ] {
            assert!(
                n * 20 >= cases,
                "only {n} of {cases} cases were {stage}: the mutations need rebalancing"
            );
        }
    }
}

/// A valid scenario with `field: value` spliced into the first fault mode's `Exp(...)`,
/// where serde ignores fields it does not know: ron must still bound the nesting there.
fn with_ignored_field(value: &str) -> String {
    let text = std::fs::read_to_string(repo("scenarios/substation.ron")).unwrap();
    let at = text
        .find("Exp(mean: \"120d\"")
        .expect("an Exp in substation.ron")
        + 16;
    format!("{}, nested: {value}{}", &text[..at], &text[at..])
}

#[test]
fn hand_written_nasty_inputs() {
    let deep_paren = "(".repeat(100_000);
    let deep_paren_closed = format!("{}{}", "(".repeat(100_000), ")".repeat(100_000));
    let deep_list = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let substation = std::fs::read_to_string(repo("scenarios/substation.ron")).unwrap();
    let mega = "x".repeat(1 << 20);
    let mut cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("whitespace", " \n\t\r\n   \n".into()),
        ("a comment", "// nothing here\n/* nor here */".into()),
        ("an unterminated comment", "Scenario( /* (".into()),
        ("an unterminated string", "Scenario(name: \"abc".into()),
        ("an open struct", "Scenario(".into()),
        ("an empty struct", "Scenario()".into()),
        ("a closer", ")".into()),
        ("a unit", "()".into()),
        ("200 nested [", "[".repeat(200)),
        (
            "200 nested [ ]",
            format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ),
        (
            "200 nested [ as components",
            format!(
                "Scenario(name: \"x\", horizon: \"1d\", components: {})",
                "[".repeat(200)
            ),
        ),
        ("100,000 nested (", deep_paren.clone()),
        ("100,000 nested ( )", deep_paren_closed.clone()),
        (
            "100,000 nested ( in Scenario",
            format!("Scenario(name: {deep_paren_closed})"),
        ),
        (
            "100,000 nested ( in an ignored field",
            with_ignored_field(&deep_paren_closed),
        ),
        (
            "100,000 nested [ in an ignored field",
            with_ignored_field(&deep_list),
        ),
        (
            "100,000 nested Some(",
            with_ignored_field(&format!(
                "{}1{}",
                "Some(".repeat(100_000),
                ")".repeat(100_000)
            )),
        ),
        (
            "100,000 nested { in an ignored field",
            with_ignored_field(&format!("{}{}", "{".repeat(100_000), "}".repeat(100_000))),
        ),
        (
            "a 1 MB name",
            substation.replacen("name: \"substation\"", &format!("name: \"{mega}\""), 1),
        ),
        (
            "a 1 MB unknown id",
            substation.replacen("\"carthage\"]", &format!("\"{mega}\"]"), 1),
        ),
        (
            "a 1 MB unterminated string",
            substation.replacen("name: \"substation\"", &format!("name: \"{mega}"), 1),
        ),
        (
            "a 1 MB bad duration",
            substation.replacen("horizon: \"90d\"", &format!("horizon: \"9{mega}\""), 1),
        ),
        ("a 1 MB identifier", format!("Scenario({mega}: 1)")),
        ("non-ASCII everywhere", "Scénario(→: \"é\", ü: ∞)".into()),
        ("a BOM", format!("\u{feff}{substation}")),
        ("NUL bytes", format!("\0{substation}\0")),
        ("only the attribute", "#![enable(implicit_some)]".into()),
        (
            "the attribute and the scenario",
            format!("#![enable(implicit_some, unwrap_newtypes)]\n{substation}"),
        ),
    ];
    // Every prefix of a short valid scenario (cut at char boundaries).
    let small = "Scenario(name: \"é\", horizon: \"1d\", components: [(id: \"a→\", faults: [(name: \"f\", every: Exp(mean: \"1h\"), effect: Crash, repair: Fixed(\"1m\"))], service: (slo: 0.5))])";
    assert!(
        load_str("small.ron", small).is_ok(),
        "the small scenario is valid"
    );
    for (i, _) in small.char_indices() {
        cases.push(("a prefix of a small scenario", small[..i].to_owned()));
    }

    for (what, text) in &cases {
        let started = Instant::now();
        let outcome = must_not_panic(what, text);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(10),
            "{what} took {took:.1?} ({outcome:?})"
        );
    }

    // The recursion limit is on: deep nesting is an error, not a stack overflow. (Should
    // `Dist` start rejecting unknown fields, the nesting is never read: also fine.)
    for text in [
        with_ignored_field(&deep_paren_closed),
        with_ignored_field(&deep_list),
    ] {
        match load_str("deep.ron", &text) {
            Err(LoadError::Syntax { message, .. }) => {
                assert!(
                    message.contains("recursion limit") || message.contains("`nested`"),
                    "{message}"
                );
            }
            Err(e) => panic!("unexpected error:\n{}", e.render(false)),
            Ok(_) => panic!("100,000 levels of nesting loaded"),
        }
    }
    // The renderer copes with a 1 MB line.
    let long = substation.replacen("\"carthage\"]", &format!("\"{mega}\"]"), 1);
    let Err(err) = load_str("long.ron", &long) else {
        panic!("a 1 MB unknown id loaded");
    };
    let shown = err.render(false);
    assert!(
        shown.contains("unknown component"),
        "{}",
        &shown[..200.min(shown.len())]
    );
}

#[test]
fn prng_and_mutations_are_deterministic() {
    let text = std::fs::read_to_string(repo("scenarios/substation.ron")).unwrap();
    let run = |case| {
        let mut rng = case_rng(DEFAULT_SEED, case);
        let mut s = text.clone();
        let log: Vec<String> = (0..3).map(|_| mutate(&mut rng, &mut s)).collect();
        (s, log)
    };
    for case in [0, 1, 77, 12_345] {
        assert_eq!(run(case), run(case));
    }
    assert_ne!(run(1), run(2));
    // The finders see what they should.
    let s = "(a: -12.5, d: \"90d\", e: Degrade(0.5), s: \"x\", k: Requires)";
    let nums: Vec<&str> = numbers(s).iter().map(|&(a, b)| &s[a..b]).collect();
    assert_eq!(nums, ["-12.5", "90", "0.5"]);
    let durs: Vec<&str> = durations(s).iter().map(|&(a, b)| &s[a..b]).collect();
    assert_eq!(durs, ["\"90d\""]);
    let vars: Vec<&str> = variants(s).iter().map(|&(a, b)| &s[a..b]).collect();
    assert_eq!(vars, ["Degrade(0.5)", "Requires"]);
    // Mutations stay on char boundaries with multi-byte text around (`String` methods
    // panic on an offset inside a char), and never loop on short or empty text.
    let mut rng = Rng(1);
    for _ in 0..2000 {
        let mut s = String::from("é→(a: \"1d\", b: 2, c: Crash)→é");
        for _ in 0..6 {
            mutate(&mut rng, &mut s);
        }
    }
}
