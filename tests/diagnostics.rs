//! Every invalid scenario gets a clear message with its location and exit code 2, never a
//! panic.
//!
//! Each test starts from the text of `tests/data/diagnostics-base.ron` (a frozen copy of the
//! substation scenario), breaks it on purpose, and
//! checks both the library (`validate::load_str`) and the binary (`faultline validate FILE`:
//! exit code 2, `FILE:LINE:COL: message` on stderr, nothing on stdout). Expected positions
//! are computed from the broken text itself (`text.find(...)`), never hard-coded, so the
//! tests survive edits to the example as long as the replaced snippets stay in it.

use crate::common::{faultline, repo, stderr, stdout};
use faultline::diagnostics::{LoadError, Problem};
use faultline::span::Locator;
use faultline::validate::load_str;
use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The valid example every test starts from.
fn substation() -> String {
    std::fs::read_to_string(repo("tests/data/diagnostics-base.ron"))
        .expect("read diagnostics-base.ron")
}

/// `text` with the single occurrence of `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the snippet {from:?} must occur exactly once in the text being broken"
    );
    text.replacen(from, to, 1)
}

/// The example with the single occurrence of `from` replaced by `to`.
fn broken(from: &str, to: &str) -> String {
    edit(&substation(), from, to)
}

/// 1-based line and column (counted in chars, as ron and the CLI count them) of byte
/// `offset`. Written independently of `faultline::span::line_col`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Line and column of `needle`, which must occur exactly once in `text`.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    pos_in(text, needle, needle)
}

/// Line and column of the first `needle` inside the single occurrence of `context`.
fn pos_in(text: &str, context: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(context).count(),
        1,
        "{context:?} must occur exactly once"
    );
    let at = text.find(context).unwrap();
    let inner = context
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in {context:?}"));
    line_col(text, at + inner)
}

/// Fails if a run of the binary panicked.
fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked"),
        "faultline panicked:\n{err}\nstdout:\n{}",
        stdout(out)
    );
}

/// A scenario file in the temp dir with a unique name, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, text: &str) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("faultline-diag-{}-{n}-{tag}.ron", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, text).expect("write temp scenario");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temp dir path is UTF-8")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs `faultline validate` on `text` written to a temp file; asserts exit code 2, an empty
/// stdout, no panic, and one `FILE:LINE:COL: message` line per expected error. Returns stderr.
fn cli_rejects(tag: &str, text: &str, expected: &[((usize, usize), &str)]) -> String {
    let file = TempFile::new(tag, text);
    let out = faultline(&["validate", file.path()]);
    assert_no_panic(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr:\n{err}");
    assert_eq!(stdout(&out), "", "stdout must be empty; stderr:\n{err}");
    for &((line, col), message) in expected {
        let want = format!("error: {}:{line}:{col}: {message}", file.path());
        assert!(err.contains(&want), "stderr lacks {want:?}:\n{err}");
    }
    err
}

/// Runs `faultline validate` on `text`; asserts it is accepted (exit 0).
fn cli_accepts(tag: &str, text: &str) {
    let file = TempFile::new(tag, text);
    let out = faultline(&["validate", file.path()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    assert!(stdout(&out).contains("valid"), "{}", stdout(&out));
}

/// The semantic problems of `text`; fails if it loads or does not parse.
fn problems(text: &str) -> Vec<Problem> {
    match load_str("x.ron", text) {
        Err(LoadError::Invalid { problems, .. }) => problems,
        Err(e) => panic!("expected semantic problems, got:\n{}", e.render(false)),
        Ok(_) => panic!("expected semantic problems, but the scenario is valid"),
    }
}

/// Where `render` places a problem: the start of the value at its path.
fn problem_at(text: &str, p: &Problem) -> (usize, usize) {
    line_col(text, Locator::new(text).locate(&p.path).start)
}

/// Expects exactly one semantic problem: at `path` (written like `edges[2].to`), located
/// at `at`, whose message contains every piece of `message` and whose hint contains `hint`.
/// Checks the library, `render`, and the CLI.
fn expect_one(
    tag: &str,
    text: &str,
    path: &str,
    at: (usize, usize),
    message: &[&str],
    hint: Option<&str>,
) -> Problem {
    let ps = problems(text);
    assert_eq!(ps.len(), 1, "expected exactly one problem, got {ps:#?}");
    let p = ps.into_iter().next().unwrap();
    assert_eq!(p.path.to_string(), path, "{p:?}");
    assert_eq!(problem_at(text, &p), at, "location of {p:?}");
    for piece in message {
        assert!(p.message.contains(piece), "{:?} lacks {piece:?}", p.message);
    }
    match (hint, &p.hint) {
        (None, _) => {}
        (Some(want), Some(got)) => assert!(got.contains(want), "hint {got:?} lacks {want:?}"),
        (Some(want), None) => panic!("expected a hint containing {want:?}: {p:?}"),
    }
    let err = load_str("x.ron", text).err().unwrap();
    let shown = err.render(false);
    let head = format!("error: x.ron:{}:{}: {}", at.0, at.1, p.message);
    assert!(shown.contains(&head), "render lacks {head:?}:\n{shown}");
    assert!(shown.contains("1 problem found"), "{shown}");
    let stderr = cli_rejects(tag, text, &[(at, &p.message)]);
    if let Some(h) = &p.hint {
        assert!(
            stderr.contains(h.as_str()),
            "the CLI omits the hint {h:?}:\n{stderr}"
        );
    }
    p
}

/// Expects a syntax (parse or type) error at `at` whose message contains `message`, from
/// the library, `render` and the CLI. Returns the CLI's stderr.
fn expect_syntax(tag: &str, text: &str, at: (usize, usize), message: &str) -> String {
    let err = match load_str("x.ron", text) {
        Err(e @ LoadError::Syntax { .. }) => e,
        Err(e) => panic!("expected a syntax error, got:\n{}", e.render(false)),
        Ok(_) => panic!("expected a syntax error, but the scenario is valid"),
    };
    let LoadError::Syntax {
        line,
        col,
        message: got,
        range,
        ..
    } = &err
    else {
        unreachable!()
    };
    assert!(got.contains(message), "{got:?} lacks {message:?}");
    assert_eq!((*line, *col), at, "location of {got:?}");
    assert!(
        range.0 < range.1 && range.1 <= text.len(),
        "range {range:?}"
    );
    assert_eq!(
        line_col(text, range.0),
        at,
        "range start disagrees with line:col"
    );
    let shown = err.render(false);
    let head = format!("error: x.ron:{line}:{col}: {got}");
    assert!(shown.contains(&head), "render lacks {head:?}:\n{shown}");
    let got = got.clone();
    cli_rejects(tag, text, &[(at, &got)])
}

// ---------------------------------------------------------------------------------------
// Syntax and type errors (found by ron)
// ---------------------------------------------------------------------------------------

#[test]
fn the_example_is_valid() {
    let text = substation();
    assert!(load_str("x.ron", &text).is_ok());
    cli_accepts("valid", &text);
}

#[test]
fn missing_comma_points_at_the_next_field() {
    // The comma is missing at the end of the `runs` line; ron notices at the next field.
    let text = broken("runs: 10000,", "runs: 10000");
    let at = pos(&text, "seed: 2022");
    expect_syntax("comma", &text, at, "Expected comma");
}

#[test]
fn unclosed_paren_inside_the_list() {
    // `west_end` loses its `)`, so the next component's `(` comes where a field name should.
    let text = broken(
        r#"(id: "west_end", about: "West End substation"),"#,
        r#"(id: "west_end", about: "West End substation","#,
    );
    let at = pos(&text, r#"(id: "carthage_xfmr""#);
    expect_syntax("paren", &text, at, "Expected identifier");
}

#[test]
fn unclosed_paren_at_the_end() {
    let text = substation();
    let end = text.rfind(')').unwrap();
    assert_eq!(text[end + 1..].trim(), "", "the example ends with `)`");
    let text = format!("{}{}", &text[..end], &text[end + 1..]);
    // The input ends inside `Scenario(`: the error is at the end of the last line.
    let last = text.trim_end();
    let at = line_col(&text, last.len());
    let stderr = expect_syntax("eof", &text, at, "Unexpected end of RON");
    assert!(stderr.contains("cost: (per_user_minute"), "{stderr}");
}

#[test]
fn trailing_junk_points_at_the_junk() {
    let text = substation();
    let text = format!("{}  junk\n", text.trim_end());
    let at = pos(&text, "junk");
    expect_syntax("trailing", &text, at, "trailing characters");
}

#[test]
fn unknown_field_typo() {
    let text = broken(
        "effect: Degrade(0.95), repair:",
        "effect: Degrade(0.95), repiar:",
    );
    let at = pos(&text, "repiar");
    let stderr = expect_syntax("repiar", &text, at, "Unexpected field named `repiar`");
    // The message lists the fields that do exist, and the hint says where they are documented.
    assert!(stderr.contains("`repair`"), "{stderr}");
    assert!(stderr.contains("check the spelling"), "{stderr}");
}

#[test]
fn unknown_field_inside_a_distribution() {
    // `repair` slips inside `Exp(...)` and, unknown there, is ignored: the fault would never
    // be repaired. It must be reported as an unknown field of the distribution instead.
    let text = broken(
        r#"every: Exp(mean: "14d"), effect: Degrade(0.95), repair: LogNormal(median: "3h", sigma: 0.7))"#,
        r#"effect: Degrade(0.95), every: Exp(mean: "14d", repair: LogNormal(median: "3h", sigma: 0.7)))"#,
    );
    let at = pos_in(&text, r#"Exp(mean: "14d", repair"#, "repair");
    expect_syntax("dist-field", &text, at, "`repair`");
}

#[test]
fn unknown_variant_typo() {
    let text = broken("effect: Degrade(0.95)", "effect: Degrad(0.95)");
    let at = pos(&text, "Degrad(");
    let stderr = expect_syntax("variant", &text, at, "Unexpected variant named `Degrad`");
    assert!(stderr.contains("`Degrade`"), "{stderr}");
}

#[test]
fn missing_required_field() {
    let text = broken("effect: Degrade(0.95), ", "");
    let stderr = expect_syntax(
        "missing",
        &text,
        pos_in(&text, "sigma: 0.7))]", ")]"),
        "missing field named `effect`",
    );
    assert!(stderr.contains("feeder-fault"), "{stderr}");
}

#[test]
fn string_where_an_integer_goes() {
    let text = broken("runs: 10000,", r#"runs: "many","#);
    let at = pos(&text, r#""many""#);
    expect_syntax("int", &text, at, "Expected integer");
}

#[test]
fn string_where_a_float_goes() {
    let text = broken("sigma: 0.7)", r#"sigma: "wide")"#);
    let at = pos(&text, r#""wide""#);
    expect_syntax("float", &text, at, "Expected float");
}

#[test]
fn number_where_a_duration_goes() {
    let text = broken(r#"horizon: "90d""#, "horizon: 90");
    let at = pos(&text, "90,");
    let stderr = expect_syntax(
        "durnum",
        &text,
        at,
        "`90` is not a duration: durations are strings with a unit, e.g. \"90s\"",
    );
    assert_printed_once(&stderr, "is not a duration");
}

#[test]
fn positional_distribution_parameters_get_a_hint() {
    let text = broken(r#"Exp(mean: "14d")"#, r#"Exp("14d")"#);
    let at = pos(&text, r#""14d")"#);
    let stderr = expect_syntax("exp-positional", &text, at, "Expected identifier");
    assert!(
        stderr.contains(r#"help: Exp's parameters are named: write Exp(mean: "14d")"#),
        "{stderr}"
    );
    let text = broken(
        r#"LogNormal(median: "3h", sigma: 0.7)"#,
        r#"LogNormal("3h", 0.7)"#,
    );
    let at = pos(&text, r#""3h", 0.7"#);
    let stderr = expect_syntax("lognormal-positional", &text, at, "Expected identifier");
    assert!(
        stderr.contains(r#"write LogNormal(median: "3h", sigma: 0.5)"#),
        "{stderr}"
    );
}

#[test]
fn a_number_where_a_median_goes_says_durations_have_units() {
    let text = broken(r#"LogNormal(median: "3h""#, "LogNormal(median: 20");
    let at = pos(&text, "20,");
    expect_syntax(
        "median-number",
        &text,
        at,
        r#"durations are strings with a unit, e.g. "20s""#,
    );
}

/// Asserts that `needle` appears exactly once in `stderr`: an error printed once, not on
/// the `error:` line and again in the box below it.
fn assert_printed_once(stderr: &str, needle: &str) {
    assert_eq!(
        stderr.matches(needle).count(),
        1,
        "printed more than once:\n{stderr}"
    );
}

#[test]
fn wrong_type_on_the_next_line_points_at_the_value() {
    // ron's span for a type error covers the whitespace before the value; the reported
    // position must be the value's, even when that whitespace is a line break or a comment.
    let text = broken("runs: 10000,", "runs:\n        \"many\",");
    let at = pos(&text, r#""many""#);
    expect_syntax("int-next-line", &text, at, "Expected integer");
    let text = broken("runs: 10000,", "runs: /* lots */ \"many\",");
    let at = pos(&text, r#""many""#);
    expect_syntax("int-comment", &text, at, "Expected integer");
}

#[test]
fn negative_integer_points_at_its_sign() {
    let text = broken("seed: 2022,", "seed: -1,");
    let at = pos(&text, "-1,");
    expect_syntax("neg", &text, at, "out of bounds");
}

#[test]
fn duration_in_words() {
    let text = broken(r#"horizon: "90d""#, r#"horizon: "90 days""#);
    let at = pos(&text, r#""90 days""#);
    let stderr = expect_syntax("days", &text, at, "`90 days` is not a duration");
    assert_printed_once(&stderr, "`90 days` is not a duration");
    assert!(
        stderr.contains(r#"durations are strings with units"#),
        "{stderr}"
    );
}

#[test]
fn duration_without_unit() {
    let text = broken(r#"horizon: "90d""#, r#"horizon: "10""#);
    let at = pos(&text, r#""10""#);
    expect_syntax("nounit", &text, at, "`10` has a number without a unit");
    // Deep inside a fault mode, too.
    let text = broken(r#"Exp(mean: "14d")"#, r#"Exp(mean: "14")"#);
    let at = pos(&text, r#""14""#);
    expect_syntax("nounit-deep", &text, at, "`14` has a number without a unit");
    // A raw string is located at its `r`.
    let text = broken(r#"horizon: "90d""#, r##"horizon: r#"10"#"##);
    let at = pos(&text, r##"r#"10"#"##);
    expect_syntax("nounit-raw", &text, at, "`10` has a number without a unit");
}

#[test]
fn empty_duration() {
    let text = broken(r#"horizon: "90d""#, r#"horizon: """#);
    let at = pos(&text, r#""","#);
    expect_syntax("empty-dur", &text, at, "empty duration");
}

// ---------------------------------------------------------------------------------------
// Semantic problems (found by validate)
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_group_member_suggests_the_id() {
    let text = broken(
        r#"of: ["west_end", "carthage"]"#,
        r#"of: ["west_end", "carthag"]"#,
    );
    expect_one(
        "group-member",
        &text,
        "components[9].group.of[1]",
        pos(&text, r#""carthag""#),
        &["unknown component `carthag`"],
        Some("did you mean `carthage`?"),
    );
}

#[test]
fn unknown_edge_end_suggests_the_id() {
    let text = broken(
        r#"(from: "west_end", to: "west_end_xfmr""#,
        r#"(from: "west_end", to: "west_end_xfrm""#,
    );
    expect_one(
        "edge-to",
        &text,
        "edges[2].to",
        pos(&text, r#""west_end_xfrm""#),
        &["unknown component `west_end_xfrm`"],
        Some("did you mean `west_end_xfmr`?"),
    );
    let text = broken(r#"(from: "customers", to"#, r#"(from: "customer", to"#);
    expect_one(
        "edge-from",
        &text,
        "edges[0].from",
        pos(&text, r#""customer""#),
        &["unknown component `customer`"],
        Some("did you mean `customers`?"),
    );
}

#[test]
fn unknown_id_far_from_any_gets_no_suggestion() {
    let text = broken(
        r#"(from: "west_end", to: "west_end_xfmr""#,
        r#"(from: "west_end", to: "zzzz""#,
    );
    let p = expect_one(
        "edge-far",
        &text,
        "edges[2].to",
        pos(&text, r#""zzzz""#),
        &["unknown component `zzzz`"],
        None,
    );
    assert_eq!(p.hint, None);
}

#[test]
fn unknown_common_cause_target() {
    let text = broken(
        r#"hits: ["west_end_xfmr", "carthage_xfmr"]"#,
        r#"hits: ["west_end_xfmr", "carthage_xmfr"]"#,
    );
    expect_one(
        "cc-hit",
        &text,
        "common_cause[0].hits[1]",
        pos(&text, r#""carthage_xmfr""#),
        &["unknown component `carthage_xmfr`"],
        Some("did you mean `carthage_xfmr`?"),
    );
}

#[test]
fn duplicate_component_id() {
    let line = r#"(id: "west_end", about: "West End substation"),"#;
    let text = broken(
        line,
        &format!("{line}\n        (id: \"west_end\", about: \"a second one\"),"),
    );
    expect_one(
        "dup",
        &text,
        "components[6].id",
        pos_in(
            &text,
            r#"(id: "west_end", about: "a second one")"#,
            r#""west_end""#,
        ),
        &["duplicate component id `west_end`"],
        Some("first defined at components[5]"),
    );
}

#[test]
fn group_needs_more_than_it_has() {
    let text = broken("need: 2, of", "need: 3, of");
    expect_one(
        "k-gt-n",
        &text,
        "components[9].group.need",
        pos_in(&text, "need: 3, of", "3"),
        &["need 3 of 2 members", "k cannot exceed n"],
        Some("add members or lower `need`"),
    );
}

#[test]
fn group_needs_nothing() {
    let text = broken("need: 1, of", "need: 0, of");
    expect_one(
        "need0",
        &text,
        "components[2].group.need",
        pos_in(&text, "need: 0, of", "0"),
        &["at least 1 healthy member"],
        None,
    );
}

/// The first edge, `customers` requires `distribution`, written with `extra` fields.
fn first_edge_with(extra: &str) -> String {
    broken(
        r#"(from: "customers", to: "distribution", kind: Requires)"#,
        &format!(r#"(from: "customers", to: "distribution", kind: Requires, {extra})"#),
    )
}

#[test]
fn probability_above_one() {
    let text = first_edge_with("p: 1.5");
    expect_one(
        "p",
        &text,
        "edges[0].p",
        pos_in(&text, "p: 1.5", "1.5"),
        &["a probability must be between 0 and 1, not 1.5"],
        None,
    );
    let text = first_edge_with("p: -0.1");
    expect_one(
        "p-neg",
        &text,
        "edges[0].p",
        pos(&text, "-0.1"),
        &["between 0 and 1"],
        None,
    );
    let text = first_edge_with("p: NaN");
    expect_one(
        "p-nan",
        &text,
        "edges[0].p",
        pos(&text, "NaN"),
        &["between 0 and 1"],
        None,
    );
}

const FEEDER: &str = "effect: Degrade(0.95)";

#[test]
fn degrade_factor_above_one() {
    let text = broken(FEEDER, "effect: Degrade(1.5)");
    expect_one(
        "degrade",
        &text,
        "components[10].faults[0].effect[0]",
        pos(&text, "1.5"),
        &["a Degrade factor must be between 0 and 1, not 1.5"],
        None,
    );
}

#[test]
fn slow_factor_below_one() {
    let text = broken(FEEDER, "effect: Slow(0.5)");
    expect_one(
        "slow",
        &text,
        "components[10].faults[0].effect[0]",
        pos_in(&text, "Slow(0.5)", "0.5"),
        &["a Slow factor must be at least 1, not 0.5"],
        Some("Slow(3.0)"),
    );
}

#[test]
fn negative_mean() {
    let text = broken(r#"every: Exp(mean: "14d")"#, r#"every: Exp(mean: "-5d")"#);
    expect_one(
        "mean",
        &text,
        "components[10].faults[0].every.mean",
        pos(&text, r#""-5d""#),
        &["the mean must be longer than zero", "-5d"],
        None,
    );
    let text = broken(r#"every: Exp(mean: "14d")"#, r#"every: Exp(mean: "0s")"#);
    expect_one(
        "mean0",
        &text,
        "components[10].faults[0].every.mean",
        pos(&text, r#""0s""#),
        &["the mean must be longer than zero"],
        None,
    );
}

#[test]
fn zero_horizon() {
    let text = broken(r#"horizon: "90d""#, r#"horizon: "0s""#);
    expect_one(
        "horizon",
        &text,
        "horizon",
        pos(&text, r#""0s""#),
        &["the horizon must be longer than zero, not 0s"],
        None,
    );
}

#[test]
fn negative_delay() {
    let text = first_edge_with(r#"delay: "-1m""#);
    expect_one(
        "delay",
        &text,
        "edges[0].delay",
        pos(&text, r#""-1m""#),
        &["a delay cannot be negative", "-1m"],
        None,
    );
}

#[test]
fn zero_fault_period_and_negative_times() {
    let text = broken(r#"every: Exp(mean: "14d")"#, r#"every: Fixed("0s")"#);
    expect_one(
        "fixed0",
        &text,
        "components[10].faults[0].every",
        pos(&text, r#"Fixed("0s")"#),
        &["a fault period must be longer than zero"],
        None,
    );
    let text = broken(r#"(at: "3d", fault"#, r#"(at: "-3d", fault"#);
    expect_one(
        "inject-neg",
        &text,
        "inject[0].at",
        pos(&text, r#""-3d""#),
        &["an injection time cannot be negative"],
        None,
    );
}

#[test]
fn at_used_as_repair() {
    let text = broken(
        r#"repair: LogNormal(median: "3h", sigma: 0.7)"#,
        r#"repair: At("3h")"#,
    );
    expect_one(
        "at-repair",
        &text,
        "components[10].faults[0].repair",
        pos(&text, r#"At("3h")"#),
        &["At(...) only makes sense"],
        Some("Fixed(...)"),
    );
}

#[test]
fn injection_of_an_unknown_fault() {
    let text = broken(r#"fault: "gunfire")"#, r#"fault: "gunfir")"#);
    expect_one(
        "inject",
        &text,
        "inject[0].fault",
        pos(&text, r#""gunfir""#),
        &["no common-cause fault named `gunfir`"],
        None,
    );
    // A component's own fault mode that it does not have: the hint lists the ones it has.
    let text = broken(
        r#"fault: "gunfire")"#,
        r#"fault: "meltdown", component: "west_end_xfmr")"#,
    );
    expect_one(
        "inject-own",
        &text,
        "inject[0].fault",
        pos(&text, r#""meltdown""#),
        &["`west_end_xfmr` has no fault mode `meltdown`"],
        Some("`failure`"),
    );
    // A component that does not exist.
    let text = broken(
        r#"fault: "gunfire")"#,
        r#"fault: "failure", component: "west_end_xfrm")"#,
    );
    expect_one(
        "inject-comp",
        &text,
        "inject[0].component",
        pos(&text, r#""west_end_xfrm""#),
        &["unknown component `west_end_xfrm`"],
        Some("did you mean `west_end_xfmr`?"),
    );
}

#[test]
fn scenario_without_a_service() {
    let text = broken(",\n            service: (slo: 0.9, users: 45000)", "");
    expect_one(
        "no-service",
        &text,
        "components",
        pos_in(&text, "components: [", "["),
        &["no component is a service"],
        Some("service: (slo:"),
    );
}

/// The example plus a second edge `distribution` → `customers` with `extra` fields, which
/// closes a loop with the first edge `customers` → `distribution`.
fn with_back_edge(extra: &str) -> String {
    let first = r#"(from: "customers", to: "distribution", kind: Requires),"#;
    broken(
        first,
        &format!(
            "{first}\n        (from: \"distribution\", to: \"customers\", kind: Requires{extra}),"
        ),
    )
}

#[test]
fn zero_delay_cycle_names_both_ids() {
    let text = with_back_edge("");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let p = &ps[0];
    assert!(p.message.contains("zero-delay dependency cycle"), "{p:?}");
    let (a, b) = (
        p.message.find("customers").expect("names customers"),
        p.message.find("distribution").expect("names distribution"),
    );
    assert_ne!(a, b);
    assert!(p.message.contains('→'), "{p:?}");
    assert!(p.hint.as_deref().unwrap_or("").contains("delay"), "{p:?}");
    // It points at one of the two edges of the loop.
    let at = problem_at(&text, p);
    let first = pos(&text, r#"(from: "customers", to: "distribution""#);
    let second = pos(&text, r#"(from: "distribution", to: "customers""#);
    match p.path.to_string().as_str() {
        "edges[0]" => assert_eq!(at, first),
        "edges[1]" => assert_eq!(at, second),
        other => panic!("the cycle is reported at {other}, not at one of its edges"),
    }
    cli_rejects("cycle", &text, &[(at, &p.message)]);
    // A zero delay written out is still zero.
    assert_eq!(problems(&with_back_edge(r#", delay: "0s""#)).len(), 1);
}

#[test]
fn cycle_with_a_delay_is_valid() {
    let text = with_back_edge(r#", delay: "1m""#);
    assert!(load_str("x.ron", &text).is_ok());
    cli_accepts("cycle-delayed", &text);
    // The delay may sit on the other edge just as well.
    let text = first_edge_with(r#"delay: "1m""#);
    let text = edit(
        &text,
        r#"delay: "1m"),"#,
        "delay: \"1m\"),\n        (from: \"distribution\", to: \"customers\", kind: Requires),",
    );
    assert!(load_str("x.ron", &text).is_ok());
    cli_accepts("cycle-delayed-2", &text);
}

#[test]
fn a_group_inside_its_own_dependencies_is_a_cycle() {
    // `transmission` is a group of the lines; make a line require the group.
    let text = broken(
        r#"(from: "carthage", to: "transmission", kind: Requires),"#,
        r#"(from: "carthage", to: "transmission", kind: Requires),
        (from: "line_north", to: "transmission", kind: Requires),"#,
    );
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert!(
        ps[0].message.contains("zero-delay dependency cycle"),
        "{ps:?}"
    );
    assert!(ps[0].message.contains("transmission"), "{ps:?}");
    assert!(ps[0].message.contains("line_north"), "{ps:?}");
    let at = problem_at(&text, &ps[0]);
    cli_rejects("group-cycle", &text, &[(at, &ps[0].message)]);
}

// ---------------------------------------------------------------------------------------
// Every problem at once
// ---------------------------------------------------------------------------------------

#[test]
fn five_problems_reported_at_once() {
    let mut text = substation();
    for (from, to) in [
        (r#"horizon: "90d""#, r#"horizon: "0s""#),
        ("need: 1, of", "need: 0, of"),
        (FEEDER, "effect: Degrade(1.5)"),
        (
            r#"(from: "customers", to: "distribution", kind: Requires)"#,
            r#"(from: "customers", to: "distribution", kind: Requires, p: 2.5)"#,
        ),
        (
            r#"(from: "west_end", to: "west_end_xfmr""#,
            r#"(from: "west_end", to: "west_end_xfrm""#,
        ),
    ] {
        text = edit(&text, from, to);
    }
    // (where, what): expected in the order validation finds them.
    let expected = [
        (
            pos(&text, r#""0s""#),
            "horizon",
            "the horizon must be longer than zero",
        ),
        (
            pos_in(&text, "need: 0, of", "0"),
            "components[2].group.need",
            "at least 1 healthy member",
        ),
        (
            pos(&text, "1.5"),
            "components[10].faults[0].effect[0]",
            "a Degrade factor must be between 0 and 1",
        ),
        (
            pos(&text, "2.5"),
            "edges[0].p",
            "a probability must be between 0 and 1",
        ),
        (
            pos(&text, r#""west_end_xfrm""#),
            "edges[2].to",
            "unknown component `west_end_xfrm`",
        ),
    ];
    let ps = problems(&text);
    assert_eq!(ps.len(), 5, "{ps:#?}");
    let lines: std::collections::BTreeSet<usize> = expected.iter().map(|e| e.0.0).collect();
    assert_eq!(lines.len(), 5, "each problem sits on its own line");
    for (p, &(at, path, message)) in ps.iter().zip(&expected) {
        assert_eq!(p.path.to_string(), path, "{p:?}");
        assert!(p.message.contains(message), "{p:?}");
        assert_eq!(problem_at(&text, p), at, "{p:?}");
    }
    let shown: Vec<((usize, usize), &str)> = ps
        .iter()
        .zip(&expected)
        .map(|(p, e)| (e.0, p.message.as_str()))
        .collect();
    let stderr = cli_rejects("five", &text, &shown);
    assert!(stderr.contains("5 problems found"), "{stderr}");
    // Each problem is shown once, in order.
    let mut from = 0;
    for (_, message) in &shown {
        let at = stderr[from..]
            .find(message)
            .unwrap_or_else(|| panic!("{message:?} missing or out of order:\n{stderr}"));
        from += at + message.len();
    }
}

// ---------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------

#[test]
fn validate_a_missing_file() {
    let file = std::env::temp_dir().join(format!(
        "faultline-diag-{}-does-not-exist.ron",
        std::process::id()
    ));
    let file = file.to_str().unwrap();
    let out = faultline(&["validate", file]);
    assert_no_panic(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(stdout(&out), "");
    assert!(err.contains(file) && err.contains("cannot read"), "{err}");
}

#[test]
fn bad_flags_exit_2() {
    let scenario = "scenarios/substation.ron";
    let cases: &[(&[&str], &str)] = &[
        (&["run", scenario, "--runs", "0"], "--runs"),
        (&["run", scenario, "--runs", "abc"], "--runs"),
        (&["run", scenario, "--runs", "-5"], "-5"),
        (&["run", scenario, "--horizon", "5 parsecs"], "5 parsecs"),
        (&["run", scenario, "--horizon", "0s"], "--horizon"),
        (&["run", scenario, "--max-events", "0"], "--max-events"),
        (&["run", scenario, "--frobnicate"], "--frobnicate"),
        (&["trace", scenario, "--run", "x"], "--run"),
        (&["run"], "SCENARIO"),
        (&["explode", scenario], "explode"),
    ];
    for (args, mention) in cases {
        let out = faultline(args);
        assert_no_panic(&out);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}:\n{err}");
        assert_eq!(stdout(&out), "", "{args:?}");
        assert!(
            err.contains(mention),
            "{args:?}: stderr lacks {mention:?}:\n{err}"
        );
    }
}

#[test]
fn run_and_trace_reject_an_invalid_scenario_too() {
    let text = broken(r#"horizon: "90d""#, r#"horizon: "0s""#);
    let file = TempFile::new("run-invalid", &text);
    let at = pos(&text, r#""0s""#);
    let want = format!("error: {}:{}:{}: ", file.path(), at.0, at.1);
    for cmd in ["run", "trace", "graph"] {
        let out = faultline(&[cmd, file.path()]);
        assert_no_panic(&out);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{cmd}:\n{err}");
        assert_eq!(stdout(&out), "", "{cmd}");
        assert!(err.contains(&want), "{cmd}: stderr lacks {want:?}:\n{err}");
    }
}

#[test]
fn every_shipped_scenario_validates() {
    let mut seen = 0;
    for entry in std::fs::read_dir(repo("scenarios")).expect("scenarios/") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("ron") {
            continue;
        }
        seen += 1;
        let out = faultline(&["validate", path.to_str().unwrap()]);
        assert_no_panic(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}:\n{}",
            path.display(),
            stderr(&out)
        );
        assert!(stdout(&out).contains(": valid"), "{}", stdout(&out));
    }
    assert!(seen >= 1, "no scenarios found");
}

/// A breaker's latency factor must be above 1 (normal speed): at 1 it would never close.
#[test]
fn a_breaker_latency_factor_of_one_is_located() {
    let file = std::fs::read_to_string(repo("scenarios/retry-storm.ron")).unwrap();
    let text = edit(&file, "slower_than: 3.0", "slower_than: 1.0");
    expect_one(
        "breaker-slower-than",
        &text,
        "strategies[4].mitigations[0].slower_than",
        pos(&text, "1.0)]),"),
        &["latency factor is above 1", "not 1:"],
        None,
    );
}

/// Regression: a strategy whose patch broke the scenario outside the strategy's own text
/// (here the only service is replaced by a plain component) was dropped from the compiled
/// models without a word, so `validate` said "valid" and `compare` ranked the others.
#[test]
fn a_strategy_that_breaks_the_scenario_elsewhere_is_reported_not_dropped() {
    let text = r#"Scenario(
    name: "s",
    horizon: "1d",
    components: [
        (id: "db", faults: [(name: "f", every: Exp(mean: "1h"), effect: Crash, repair: Fixed("1h"))]),
        (id: "web", service: (slo: 0.9, users: 10)),
    ],
    edges: [(from: "web", to: "db", kind: Requires)],
    strategies: [
        (name: "ok"),
        (name: "no-service", patch: (components: [(id: "web")])),
    ],
)"#;
    expect_one(
        "strategy-breaks-elsewhere",
        text,
        "strategies[1].name",
        pos(text, "\"no-service\""),
        &[
            "strategy `no-service` makes the scenario invalid (at components)",
            "no component is a service",
        ],
        Some("mark what users see"),
    );
}

/// Regression: a redesign in a scenario without responders was told to "make it automated
/// with trigger: Auto(...)", but a redesign has no trigger (the field is refused).
#[test]
fn a_redesign_without_responders_is_not_told_to_use_a_trigger_it_lacks() {
    let text = r#"Scenario(
    name: "q",
    horizon: "1h",
    components: [
        (id: "jobs", queue: (rate: 1.0, service: Fixed("100ms"))),
        (id: "site", service: (slo: 0.9)),
    ],
    edges: [(from: "site", to: "jobs", kind: Requires)],
    strategies: [(name: "fix", mitigations: [Redesign(for: "jobs", takes: Fixed("1d"))])],
)"#;
    let p = expect_one(
        "redesign-no-response",
        text,
        "strategies[0].mitigations[0]",
        pos(text, "Redesign("),
        &["a manual mitigation needs responders"],
        Some("a redesign is started by the responders"),
    );
    assert!(!p.hint.unwrap_or_default().contains("trigger"));
}

// ---------------------------------------------------------------------------------------
// Arrival processes and disciplines
// ---------------------------------------------------------------------------------------

/// A queue behind a site, with `settings` added to the queue.
fn queue_with(settings: &str) -> String {
    format!(
        r#"Scenario(
    name: "q",
    horizon: "1h",
    components: [
        (id: "jobs", queue: (rate: 1.0, service: Fixed("100ms"), {settings})),
        (id: "site", service: (slo: 0.9)),
    ],
    edges: [(from: "site", to: "jobs", kind: Requires)],
)"#
    )
}

#[test]
fn every_arrival_process_and_discipline_is_accepted() {
    for settings in [
        "arrivals: Poisson, discipline: Fifo",
        "arrivals: Even, discipline: Lifo",
        r#"arrivals: Renewal(Weibull(shape: 0.7, scale: "1s")), discipline: AdaptiveLifo(above: 10)"#,
        r#"arrivals: Gamma(shape: 2.0), discipline: Priority([(name: "a", share: 0.25), (name: "b", share: 0.75)])"#,
        r#"arrivals: OnOff(on: "30s", off: "5m"), discipline: ProcessorSharing"#,
        r#"arrivals: Markov([(load: 1.0, hold: "1h"), (load: 0.0, hold: "5m"), (load: 4.0, hold: "10m")])"#,
    ] {
        cli_accepts("queue-ok", &queue_with(settings));
    }
}

#[test]
fn an_empty_class_list_is_located_at_the_list() {
    let text = queue_with("discipline: Priority([])");
    expect_one(
        "empty-classes",
        &text,
        "components[0].queue.discipline[0]",
        pos(&text, "[])"),
        &["priority needs 2 to 8 classes, not 0"],
        Some("Priority([(name: \"interactive\""),
    );
}

#[test]
fn class_shares_must_sum_to_one_and_names_differ() {
    let text = queue_with(
        r#"discipline: Priority([(name: "a", share: 0.5), (name: "a", share: 0.4), (name: "c", share: -0.1)])"#,
    );
    let ps = problems(&text);
    let got: Vec<(String, String)> = ps
        .iter()
        .map(|p| (p.path.to_string(), p.message.clone()))
        .collect();
    let at = "components[0].queue.discipline[0]";
    for (path, message) in [
        (format!("{at}[1].name"), "duplicate class name `a`"),
        (
            format!("{at}[2].share"),
            "a class's share must be above 0 and at most 1, not -0.1",
        ),
        (at.to_string(), "the classes' shares must sum to 1, not"),
    ] {
        assert!(
            got.iter().any(|(p, m)| *p == path && m.contains(message)),
            "no {message:?} at {path}: {got:#?}"
        );
    }
    assert_eq!(ps.len(), 3, "{got:#?}");
    cli_rejects("class-shares", &text, &[]);
}

#[test]
fn a_threshold_on_a_discipline_without_one_gets_a_hint() {
    let text = queue_with("discipline: Lifo(above: 3)");
    let err = expect_syntax(
        "lifo-threshold",
        &text,
        pos(&text, "(above: 3)"),
        "Expected comma",
    );
    assert!(
        err.contains("`Lifo` takes no settings: only AdaptiveLifo(above: N) has a threshold"),
        "{err}"
    );
    let text = queue_with("discipline: AdaptiveLifo");
    let at = pos_in(&text, "AdaptiveLifo)),", ")),");
    let err = expect_syntax("adaptive-bare", &text, at, "Expected opening");
    assert!(err.contains("write AdaptiveLifo(above: 10)"), "{err}");
}

#[test]
fn unknown_fields_of_a_class_or_state_are_syntax_errors() {
    let text = queue_with(
        r#"discipline: Priority([(name: "a", share: 0.5, weight: 2.0), (name: "b", share: 0.5)])"#,
    );
    let err = expect_syntax("class-field", &text, pos(&text, "weight"), "`weight`");
    assert!(err.contains("check the spelling"), "{err}");
    let text = queue_with(
        r#"arrivals: Markov([(load: 1.0, hold: "1m", rate: 2.0), (load: 2.0, hold: "1m")])"#,
    );
    expect_syntax("state-field", &text, pos(&text, "rate: 2.0"), "`rate`");
}

#[test]
fn bad_arrival_settings_are_located_at_the_value() {
    for (settings, path, needle, message) in [
        (
            "arrivals: Gamma(shape: -1.0)",
            "components[0].queue.arrivals.shape",
            "-1.0",
            "a gamma shape must be above 0 and at most 1e6, not -1",
        ),
        (
            r#"arrivals: OnOff(on: "0s", off: "1m")"#,
            "components[0].queue.arrivals.on",
            r#""0s""#,
            "the mean length of a burst must be longer than zero",
        ),
        (
            "arrivals: Renewal(Never)",
            "components[0].queue.arrivals[0]",
            "Never",
            "renewal gaps need a distribution with a mean above zero",
        ),
        (
            r#"arrivals: Markov([(load: 1.0, hold: "1m")])"#,
            "components[0].queue.arrivals[0]",
            "[(load",
            "a Markov arrival process needs 2 to 16 states, not 1",
        ),
        (
            r#"arrivals: Markov([(load: 0.0, hold: "1m"), (load: 0.0, hold: "2m")])"#,
            "components[0].queue.arrivals[0]",
            "[(load",
            "at least one state needs a load above zero",
        ),
        (
            "discipline: ProcessorSharing, drop_expired: true",
            "components[0].queue.drop_expired",
            "true",
            "drop_expired never applies under processor sharing",
        ),
    ] {
        let text = queue_with(settings);
        expect_one(
            "queue-bad",
            &text,
            path,
            pos(&text, needle),
            &[message],
            None,
        );
    }
    // A negative rate, whatever the process.
    let text = queue_with("arrivals: Even").replace("rate: 1.0", "rate: -1.0");
    expect_one(
        "negative-rate",
        &text,
        "components[0].queue.rate",
        pos(&text, "-1.0"),
        &["an arrival rate (jobs per second) must be within"],
        None,
    );
}

/// A small scenario with an ordered group, a spares group and a dormant spare.
const DYNAMIC: &str = r#"Scenario(
    name: "standby",
    horizon: "30d",
    components: [
        (id: "a", faults: [(name: "wear", every: Exp(mean: "10d"), effect: Crash)]),
        (id: "b", faults: [(name: "wear", every: Exp(mean: "10d"), effect: Crash)]),
        (id: "s", faults: [(name: "wear", every: Exp(mean: "10d"), effect: Crash)], dormancy: 0.5),
        (id: "pair", group: (need: 1, of: ["a", "s"], kind: Spares)),
        (id: "seq", group: (need: 2, of: ["b", "a"], kind: InOrder)),
        (id: "site", group: (need: 2, of: ["pair", "seq"]), service: (slo: 1.0)),
    ],
)
"#;

/// The dynamic groups' rules, each located: an InOrder group needs all its members, a
/// Spares group one; a dormancy is a fraction, on a component that waits as a spare.
#[test]
fn dynamic_groups_are_checked_where_they_are_written() {
    cli_accepts("dynamic-ok", DYNAMIC);
    let text = edit(
        DYNAMIC,
        "need: 2, of: [\"b\", \"a\"]",
        "need: 1, of: [\"b\", \"a\"]",
    );
    expect_one(
        "in-order-need",
        &text,
        "components[4].group.need",
        pos_in(&text, "(id: \"seq\", group: (need: 1", "1"),
        &["InOrder", "need must be 2"],
        Some("need: 2"),
    );
    let text = edit(
        DYNAMIC,
        "need: 1, of: [\"a\", \"s\"]",
        "need: 2, of: [\"a\", \"s\"]",
    );
    expect_one(
        "spares-need",
        &text,
        "components[3].group.need",
        pos_in(&text, "(id: \"pair\", group: (need: 2", "2"),
        &["Spares", "need must be 1"],
        Some("need: 1"),
    );
    let text = edit(DYNAMIC, "dormancy: 0.5", "dormancy: 1.5");
    expect_one(
        "dormancy-range",
        &text,
        "components[2].dormancy",
        pos(&text, "1.5"),
        &["dormancy factor must be between 0 and 1"],
        None,
    );
    let text = edit(
        DYNAMIC,
        "effect: Crash)]),\n        (id: \"b\"",
        "effect: Crash)], dormancy: 0.1),\n        (id: \"b\"",
    );
    expect_one(
        "dormancy-not-spare",
        &text,
        "components[0].dormancy",
        pos(&text, "0.1"),
        &["`a` never waits as a spare"],
        Some("kind: Spares"),
    );
}
