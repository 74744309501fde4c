//! Scenario errors, located in the source text and rendered for people.
//!
//! Loading a scenario fails in three ways: the file cannot be read, the RON does not parse
//! (ron gives a line and column), or it parses but makes no sense (every problem found, each
//! with the path of the offending value, which [`crate::span::Locator`] turns into text).
//! The CLI renders all of them with a caret under the offending text and exits 2.

use crate::snippet::{Snippet, visible};
use crate::span::{self, Lines, Locator, Path};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, Severity, SourceCode,
    SourceSpan,
};
use std::fmt;

/// One semantic problem in a scenario, pointing at a value by its path.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where: the value at fault.
    pub path: Path,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<Path>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The path given.
        file: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The RON did not parse or did not fit the format.
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        /// File name for the report.
        file: String,
        /// The text.
        text: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// Byte range of the offending text.
        range: (usize, usize),
        /// ron's message.
        message: String,
    },
    /// A fault tree (an Open-PSA MEF or Galileo file) that could not be read, or cannot be
    /// a scenario; the message holds the location.
    #[error("{message}")]
    Foreign {
        /// The path given.
        file: String,
        /// What is wrong, and where (`file:line:col: ...` when there is a place).
        message: String,
    },
    /// The scenario parsed but is not valid; every problem found.
    #[error("{file}: {} problem(s)", problems.len())]
    Invalid {
        /// File name for the report.
        file: String,
        /// The text.
        text: String,
        /// All of them.
        problems: Vec<Problem>,
    },
}

impl LoadError {
    /// Builds a syntax error from ron's spanned error.
    pub fn from_ron(file: &str, text: &str, err: &ron::error::SpannedError) -> LoadError {
        let start = span::offset_of(text, err.span.start.line, err.span.start.col);
        let end = span::offset_of(text, err.span.end.line, err.span.end.col);
        // ron may start a string's error span anywhere inside it (after an escape, say):
        // point at the whole literal.
        let (start, mut end) = match string_around(text, start) {
            Some((a, b)) => (a, b),
            None => (value_start(text, start, end.max(start)), end),
        };
        if end <= start {
            // Point at one character at least, so the caret shows.
            end = text[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
        }
        let (line, col) = span::line_col(text, start);
        LoadError::Syntax {
            file: file.to_string(),
            text: text.to_string(),
            line,
            col,
            range: (start, end),
            message: err.code.to_string(),
        }
    }

    /// A syntax error's hint (how to write a distribution's parameters, a duration, a field
    /// name), as [`LoadError::render`] prints it; `None` for other errors, whose problems
    /// carry their own.
    pub fn syntax_hint(&self) -> Option<String> {
        match self {
            LoadError::Syntax {
                text,
                range,
                message,
                ..
            } => syntax_hint(&visible(message), text, *range),
            _ => None,
        }
    }

    /// Renders the error for a terminal (or a plain file when `color` is false): each
    /// problem with `file:line:col`, the source line and a caret under the offending text.
    /// Long lines are shown through a window around the offending text; control characters
    /// (in the text, the file name or a message) are shown as visible stand-ins.
    pub fn render(&self, color: bool) -> String {
        let handler = handler(color);
        let mut out = String::new();
        match self {
            LoadError::Io { .. } | LoadError::Foreign { .. } => {
                out.push_str(&format!("error: {}\n", visible(&self.to_string())))
            }
            LoadError::Syntax {
                file,
                text,
                line,
                col,
                range,
                message,
            } => {
                let (file, message) = (visible(file), visible(message));
                out.push_str(&format!("error: {file}:{line}:{col}: {message}\n"));
                let snippet = Snippet::new(text, &Lines::new(text), range.0, range.1);
                let d = Located {
                    span: snippet.span(),
                    src: NamedSource::new(&file, snippet),
                    label: "here".into(),
                    help: self.syntax_hint(),
                    severity: Severity::Error,
                };
                render_snippet(&mut out, &handler, &d);
            }
            LoadError::Invalid {
                file,
                text,
                problems,
            } => {
                let file = visible(file);
                render_located(&mut out, &handler, &file, text, problems, Severity::Error);
                out.push_str(&format!(
                    "{file}: {} problem{} found; nothing was simulated.\n",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                ));
            }
        }
        out
    }
}

/// The 1-based line and column of the value at `path` in `text`.
pub fn locate(text: &str, path: &Path) -> (usize, usize) {
    let s = Locator::new(text).locate(path);
    span::line_col(text, s.start)
}

/// Renders warnings about a valid scenario (`text`, read from `file`) the way errors are
/// rendered: `warning: file:line:col: message`, the source line with a caret, and a hint.
pub fn render_warnings(file: &str, text: &str, warnings: &[Problem], color: bool) -> String {
    let mut out = String::new();
    render_located(
        &mut out,
        &handler(color),
        file,
        text,
        warnings,
        Severity::Warning,
    );
    out
}

/// miette's renderer as errors and warnings use it: colours or not, one line of context.
fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_context_lines(1)
}

/// Renders each of `problems` in `text`, located by its path, at `severity`.
fn render_located(
    out: &mut String,
    handler: &GraphicalReportHandler,
    file: &str,
    text: &str,
    problems: &[Problem],
    severity: Severity,
) {
    let loc = Locator::new(text);
    let lines = Lines::new(text);
    let word = match severity {
        Severity::Warning => "warning",
        _ => "error",
    };
    let file = visible(file);
    for p in problems {
        let s = loc.locate(&p.path);
        let (line, col) = lines.line_col(text, s.start);
        let message = visible(&p.message);
        out.push_str(&format!("{word}: {file}:{line}:{col}: {message}\n"));
        let snippet = Snippet::new(text, &lines, s.start, s.end);
        let d = Located {
            span: snippet.span(),
            src: NamedSource::new(&file, snippet),
            label: visible(&p.path.to_string()),
            help: p.hint.as_deref().map(visible),
            severity,
        };
        render_snippet(out, handler, &d);
        out.push('\n');
    }
}

/// Moves the start of a ron error span onto the offending value. ron's span for a type
/// error covers the whitespace (and comments) *before* the value, possibly a line break;
/// for an error raised while reading a string (a bad duration) it starts just inside the
/// opening quote; for an out-of-range negative number it starts after the sign.
fn value_start(text: &str, start: usize, end: usize) -> usize {
    let inside = &text[start..end];
    if text[..start].ends_with('"') && inside.trim_end_matches('#').ends_with('"') {
        // Back over the opening quote, and a raw string's `r#...`.
        let quote = start - 1;
        let hashes = text[..quote].len() - text[..quote].trim_end_matches('#').len();
        return if text[..quote - hashes].ends_with('r') {
            quote - hashes - 1
        } else {
            quote
        };
    }
    let skipped = start + trivia_len(inside);
    if skipped >= text.len() {
        // Nothing follows (unexpected end): keep pointing at the end of the last line.
        return start;
    }
    let signed = text[skipped..].starts_with(|c: char| c.is_ascii_digit())
        && text[..skipped].ends_with(['-', '+']);
    if signed { skipped - 1 } else { skipped }
}

/// The string literal (`"..."`, escapes included) that `offset` falls strictly inside, as
/// the byte range from its opening quote to just past its closing one; scanned from the
/// start of the line, so a literal is found only when it starts on the same line.
fn string_around(text: &str, offset: usize) -> Option<(usize, usize)> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let b = text.as_bytes();
    let mut i = line_start;
    while i < b.len() && i < offset && b[i] != b'\n' {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => return None,
            b'"' if i > 0 && (b[i - 1] == b'r' || b[i - 1] == b'#') => return None,
            b'"' => {
                let open = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let close = (i + 1).min(b.len());
                if offset > open && offset < close {
                    return Some((open, close));
                }
                i = close;
            }
            _ => i += 1,
        }
    }
    None
}

/// Length of the leading whitespace and comments of `s`.
fn trivia_len(s: &str) -> usize {
    let mut rest = s;
    loop {
        let trimmed = rest.trim_start();
        rest = if let Some(after) = trimmed.strip_prefix("//") {
            after.find('\n').map_or("", |i| &after[i..])
        } else if trimmed.starts_with("/*") {
            let (mut depth, mut i, b) = (0usize, 0usize, trimmed.as_bytes());
            loop {
                if i >= b.len() {
                    break "";
                } else if b[i..].starts_with(b"/*") {
                    (depth, i) = (depth + 1, i + 2);
                } else if b[i..].starts_with(b"*/") {
                    (depth, i) = (depth - 1, i + 2);
                    if depth == 0 {
                        break &trimmed[i..];
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return s.len() - trimmed.len();
        };
    }
}

/// A hint for ron's `message` about `text[range]`: how to write a distribution's
/// parameters, a duration, a field name.
fn syntax_hint(message: &str, text: &str, range: (usize, usize)) -> Option<String> {
    let before = text[..range.0].trim_end();
    // The whole positional argument, which ron's span may cut short: up to `,` or `)`.
    let rest = &text[range.0..];
    let token = rest[..rest.find([',', ')', '\n']).unwrap_or(rest.len())].trim();
    if let Some(hint) = distribution_hint(message, before, token) {
        Some(hint)
    } else if let Some(hint) = queue_setting_hint(message, before, rest) {
        Some(hint)
    } else if message.contains("Unexpected field") || message.contains("unknown field") {
        Some("check the spelling; docs/scenario-format.md lists every field".into())
    } else if message.contains("duration") {
        Some(
            "durations are strings with units: \"90s\", \"15m\", \"2h\", \"3d\", \"1w\", \"1y\""
                .into(),
        )
    } else {
        None
    }
}

/// A positional argument to a distribution whose parameters are named (`Exp("180d")`):
/// the same with names.
fn distribution_hint(message: &str, before: &str, token: &str) -> Option<String> {
    if !message.contains("Expected identifier") {
        return None;
    }
    let name = before.strip_suffix('(')?.trim_end();
    let (dist, example) = [
        (
            "LogNormal",
            format!("LogNormal(median: {token}, sigma: 0.5)"),
        ),
        ("Weibull", format!("Weibull(shape: 1.5, scale: {token})")),
        ("Exp", format!("Exp(mean: {token})")),
    ]
    .into_iter()
    .find(|(d, _)| name.ends_with(d))?;
    let bounded = name[..name.len() - dist.len()]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric() && c != '_');
    bounded.then(|| format!("{dist}'s parameters are named: write {example}"))
}

/// Settings given to a queue's arrival process or discipline that has none
/// (`Lifo(above: 3)`), or missing from one that needs them (`AdaptiveLifo`): how to write it.
fn queue_setting_hint(message: &str, before: &str, rest: &str) -> Option<String> {
    let word = |w: &str| {
        before.strip_suffix(w).is_some_and(|b| {
            b.chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_')
        })
    };
    if message.contains("Expected comma") && rest.starts_with('(') {
        if let Some(d) = ["Fifo", "Lifo", "ProcessorSharing"]
            .into_iter()
            .find(|d| word(d))
        {
            return Some(format!(
                "`{d}` takes no settings: only AdaptiveLifo(above: N) has a threshold, and only Priority([...]) has classes"
            ));
        }
        if let Some(a) = ["Poisson", "Even"].into_iter().find(|a| word(a)) {
            return Some(format!(
                "`{a}` takes no settings: the queue's `rate` is its mean rate"
            ));
        }
    }
    if message.contains("Expected opening") {
        let example = [
            ("AdaptiveLifo", "AdaptiveLifo(above: 10)"),
            (
                "Priority",
                "Priority([(name: \"interactive\", share: 0.3), (name: \"batch\", share: 0.7)])",
            ),
            ("Renewal", "Renewal(LogNormal(median: \"1s\", sigma: 1.0))"),
            ("Gamma", "Gamma(shape: 2.0)"),
            ("OnOff", "OnOff(on: \"30s\", off: \"5m\")"),
            (
                "Markov",
                "Markov([(load: 1.0, hold: \"1h\"), (load: 4.0, hold: \"10m\")])",
            ),
        ]
        .into_iter()
        .find(|(v, _)| word(v))?
        .1;
        return Some(format!("write {example}"));
    }
    None
}

/// Appends miette's rendering of `d` without its first line: the message is already on
/// the `error: file:line:col: message` line above it, so each error is printed once (the
/// message of a [`Located`] is empty, and miette gives it a line of its own).
fn render_snippet(out: &mut String, handler: &GraphicalReportHandler, d: &Located) {
    let mut s = String::new();
    let _ = handler.render_report(&mut s, d);
    out.push_str(s.split_once('\n').map_or("", |(_, rest)| rest));
}

/// A located source snippet for miette's renderer: the span, its label and a hint, with
/// no message of its own (the `error:` line carries it).
#[derive(Debug)]
struct Located {
    src: NamedSource<Snippet>,
    span: SourceSpan,
    label: String,
    help: Option<String>,
    severity: Severity,
}

impl fmt::Display for Located {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.label.clone()), self.span),
        )))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}
