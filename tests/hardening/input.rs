//! What the scenario reader accepts and how it says no: located messages for long lines,
//! escapes, invalid UTF-8 and oversized files; control characters refused and never
//! echoed raw; implausible numbers refused where they are written.

use super::{cmd, put, refused, run_in, said, tiny};
use crate::common::scratch;
use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Validates `text` (as `name`) in a fresh directory; returns what was said, asserting a
/// clean refusal.
fn refuse(dir: &str, name: &str, text: &[u8]) -> String {
    let d = scratch(dir);
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    refused(&run_in(&d, &[OsStr::new("validate"), p.as_os_str()]))
}

/// Issue 14, item 3: an error located past column 65,535 (a one-line scenario) is shown
/// with a window of its line, exit 2, no panic.
#[test]
fn error_past_column_65535_is_shown_with_a_window() {
    let pad = "x".repeat(70_000);
    let semantic = format!(
        r#"Scenario(name: "w", horizon: "2d", /* {pad} */ components: [(id: "a", service: (slo: 0.5))], edges: [(from: "a", to: "nope", kind: Requires)])"#
    );
    let s = refuse("h-col-65535", "w.ron", semantic.as_bytes());
    assert!(
        s.contains("unknown component `nope`"),
        "{}",
        &s[..s.len().min(2000)]
    );
    let col = semantic.find(r#""nope""#).unwrap() + 1;
    assert!(col > 65_535);
    assert!(
        s.contains(&format!("w.ron:1:{col}")),
        "{}",
        &s[..s.len().min(2000)]
    );
    assert!(
        s.len() < 5_000,
        "the line is windowed, not printed whole ({} bytes)",
        s.len()
    );
    let syntax = format!(r#"Scenario(name: "w", /* {pad} */ horizon: 12)"#);
    let s = refuse("h-col-65535-syntax", "w.ron", syntax.as_bytes());
    let col = syntax.find("12").unwrap() + 1;
    assert!(
        s.contains(&format!("w.ron:1:{col}")),
        "{}",
        &s[..s.len().min(2000)]
    );
    assert!(s.len() < 5_000, "{} bytes", s.len());
}

/// Issue 14, item 13: control characters in ids are refused, and none reaches the
/// terminal raw (not even from a file name or an unknown reference).
#[test]
fn control_characters_are_refused_in_ids_and_escaped_in_output() {
    let s = refuse("h-control-id", "c.ron", tiny("c", "a\u{1b}[2Jb").as_bytes());
    assert!(s.contains("control character"), "{s}");
    assert!(
        !s.contains('\u{1b}'),
        "a raw escape reached the terminal: {s:?}"
    );
    // Written as a RON escape, the same character is refused the same way.
    let s = refuse(
        "h-control-escape",
        "c.ron",
        tiny("c", r"a\u{7}b").as_bytes(),
    );
    assert!(s.contains("control character"), "{s}");
    assert!(!s.contains('\u{7}'), "{s:?}");
    // In a scenario name, a fault name, an unknown reference and a file name.
    let text = tiny("na\u{1b}]0;me", "a").replace("name: \"f\"", "name: \"f\u{1b}[1m\"");
    let s = refuse("h-control-names", "c.ron", text.as_bytes());
    let located = s
        .lines()
        .filter(|l| l.starts_with("error:") && l.contains("control character"));
    assert_eq!(located.count(), 2, "{s}");
    assert!(!s.contains('\u{1b}'), "{s:?}");
    let d = scratch("h-control-file");
    let o = run_in(&d, &["validate", "missing\u{1b}[2J.ron"]);
    let s = refused(&o);
    assert!(!s.contains('\u{1b}'), "{s:?}");
}

/// Asserts that the caret under the source line showing `literal` starts under its first
/// character and spans it whole.
fn assert_caret_under(s: &str, literal: &str) {
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(literal) && l.contains(" │ "))
        .unwrap_or_else(|| panic!("{s}"));
    let start = lines[at].find(literal).unwrap();
    let col = lines[at][..start].chars().count();
    let caret: Vec<char> = lines[at + 1].chars().collect();
    let first = caret
        .iter()
        .position(|c| matches!(c, '─' | '┬' | '▲'))
        .unwrap_or_else(|| panic!("no caret line: {s}"));
    let last = caret
        .iter()
        .rposition(|c| matches!(c, '─' | '┬' | '▲'))
        .unwrap();
    assert_eq!(first, col, "caret starts under the quote:\n{s}");
    assert_eq!(
        last + 1 - first,
        literal.chars().count(),
        "caret spans the literal:\n{s}"
    );
}

/// Issue 14, item 15: the caret stays under a string with escape sequences (`"a\"b"`),
/// both for a string ron refuses (a bad duration) and for an unknown reference.
#[test]
fn caret_does_not_drift_after_escape_sequences() {
    let syntax = tiny("q\\\"x", "a\\\"b").replace(r#""2d""#, r#""2\"d""#);
    let s = refuse("h-caret-syntax", "q.ron", syntax.as_bytes());
    assert_caret_under(&s, r#""2\"d""#);
    let semantic = r#"Scenario(name: "q", horizon: "2d", components: [
    (id: "a", service: (slo: 0.5)),
], edges: [(from: "a", to: "x\"y\\z\u{e9}", kind: Requires)])
"#;
    let s = refuse("h-caret", "q.ron", semantic.as_bytes());
    assert_caret_under(&s, r#""x\"y\\z\u{e9}""#);
}

/// Issue 14, item 16: invalid UTF-8 is located (byte offset and line).
#[test]
fn invalid_utf8_is_located() {
    let mut text = tiny("u", "a").into_bytes();
    let at = text.iter().position(|&b| b == b'\n').unwrap() + 12;
    text.insert(at, 0xFF);
    let s = refuse("h-utf8", "u.ron", &text);
    assert!(s.contains(&format!("byte {at}")), "{s}");
    assert!(s.contains("u.ron:2:"), "{s}");
}

/// Issue 14, item 16: `validate /dev/zero` stops at the size limit, with a clear message.
#[test]
fn oversized_input_stops_at_the_size_limit() {
    let d = scratch("h-dev-zero");
    let started = Instant::now();
    let mut child = cmd(&d)
        .args(["validate", "/dev/zero"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("validate /dev/zero ran for 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let s = refused(&child.wait_with_output().unwrap());
    assert!(s.contains("larger than") && s.contains("MiB"), "{s}");
}

/// Issue 14, item 17: `inf` is refused with a message that says why (not "must be >= 0").
#[test]
fn inf_is_refused_with_the_right_message() {
    let text = tiny("i", "a").replace(
        "service: (slo: 0.5, users: 10)",
        "service: (slo: 0.5, users: 10), queue: (rate: inf, service: Fixed(\"1s\"))",
    );
    let s = refuse("h-inf", "i.ron", text.as_bytes());
    assert!(s.contains("finite"), "{s}");
    assert!(!s.contains(">= 0, not inf"), "{s}");
}

/// Issue 14, item 17: `"_1s"` is not a duration.
#[test]
fn underscore_first_is_not_a_duration() {
    assert!(faultline::units::parse_duration("_1s").is_err());
    assert!(faultline::units::parse_duration("1_s").is_err());
    assert_eq!(faultline::units::parse_duration("1_000s"), Ok(1000.0));
    let s = refuse(
        "h-underscore",
        "d.ron",
        tiny("d", "a").replace("\"2d\"", "\"_1s\"").as_bytes(),
    );
    assert!(s.contains("`_1s` is not a duration"), "{s}");
}

/// Issue 14, item 17: costs that could overflow are refused where they are written,
/// never printed as `null` or "$n/a".
#[test]
fn cost_that_can_overflow_is_refused() {
    let text = tiny("o", "a").replace(
        "\n])",
        "\n], cost: (outage_per_minute: 1e300, per_user_minute: 1e300))",
    );
    let s = refuse("h-cost", "o.ron", text.as_bytes());
    assert!(s.contains("cost.outage_per_minute"), "{s}");
    assert!(s.contains("cost.per_user_minute"), "{s}");
}

/// Issue 14, item 17: `TERM=dumb` and `CLICOLOR=0` get no colours, even on a terminal.
#[test]
fn dumb_terminals_and_clicolor_0_get_no_colours() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to give the binary a terminal");
        return;
    }
    let d = scratch("h-colours");
    let p = put(
        &d,
        "bad.ron",
        &tiny("b", "a").replace("slo: 0.5", "slo: 7.0"),
    );
    let line = format!(
        "{} validate {}",
        env!("CARGO_BIN_EXE_faultline"),
        p.display()
    );
    let on_terminal = |env: &[(&str, &str)]| {
        let mut c = Command::new("script");
        c.args(["-qec", &line, "/dev/null"])
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .env_remove("CLICOLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        said(&c.output().unwrap())
    };
    assert!(
        on_terminal(&[]).contains('\u{1b}'),
        "a terminal gets colours"
    );
    for env in [[("TERM", "dumb")], [("CLICOLOR", "0")]] {
        let s = on_terminal(&env);
        assert!(s.contains("slo"), "{s}");
        assert!(!s.contains('\u{1b}'), "{env:?} got colours: {s:?}");
    }
}
