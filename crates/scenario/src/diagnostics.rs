//! Scenario errors, located in the source text and rendered for people.
//!
//! Loading a scenario fails in three ways: the file cannot be read, the RON does not parse
//! (ron gives a line and column), or it parses but makes no sense (every problem found, each
//! with the path of the offending value, which [`crate::span::Locator`] turns into text).
//! The CLI renders all of them with a caret under the offending text and exits 2.

use crate::span::{self, Lines, Locator, Path};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents,
    NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

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
        let mut end = span::offset_of(text, err.span.end.line, err.span.end.col);
        let start = value_start(text, start, end.max(start));
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

    /// Renders the error for a terminal (or a plain file when `color` is false): each
    /// problem with `file:line:col`, the source line and a caret under the offending text.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        let mut out = String::new();
        match self {
            LoadError::Io { .. } => out.push_str(&format!("error: {self}\n")),
            LoadError::Syntax {
                file,
                text,
                line,
                col,
                range,
                message,
            } => {
                out.push_str(&format!("error: {file}:{line}:{col}: {message}\n"));
                let d = Located {
                    src: NamedSource::new(file, Source::new(text)),
                    span: (range.0, range.1 - range.0).into(),
                    label: "here".into(),
                    help: syntax_hint(message, text, *range),
                    severity: Severity::Error,
                };
                render_snippet(&mut out, &handler, &d);
            }
            LoadError::Invalid {
                file,
                text,
                problems,
            } => {
                render_located(&mut out, &handler, file, text, problems, Severity::Error);
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
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    render_located(&mut out, &handler, file, text, warnings, Severity::Warning);
    out
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
    let source = Source::new(text);
    let word = match severity {
        Severity::Warning => "warning",
        _ => "error",
    };
    for p in problems {
        let s = loc.locate(&p.path);
        let (line, col) = lines.line_col(text, s.start);
        out.push_str(&format!("{word}: {file}:{line}:{col}: {}\n", p.message));
        let d = Located {
            src: NamedSource::new(file, source.clone()),
            span: (s.start, s.end.saturating_sub(s.start)).into(),
            label: p.path.to_string(),
            help: p.hint.clone(),
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

/// The scenario text as miette reads it, shared by all the problems of a report (no copy
/// per problem). miette's own `str` source scans from the start of the text to the span
/// on every read, which is slow for a large scenario with many problems; this one starts
/// that same scan a few lines above the span and shifts the answer, so it reads the same.
#[derive(Clone, Debug)]
struct Source {
    text: Arc<str>,
    /// Where each line break ends, as miette counts them: `\n`, `\r\n` (at its `\n`) and
    /// a lone `\r`.
    breaks: Arc<[usize]>,
}

impl Source {
    fn new(text: &str) -> Source {
        let b = text.as_bytes();
        let breaks = b
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
            .map(|(i, _)| i)
            .collect();
        Source {
            text: text.into(),
            breaks,
        }
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let b = self.text.as_bytes();
        // Start just after a `\n` with the context lines and one more line between it and the
        // span (miette's scan keeps only the last lines it passed, so it cannot tell), or at
        // the start of the text.
        let from = span.offset().min(b.len());
        let base = b[..from]
            .iter()
            .rposition(|&c| c == b'\n')
            .and_then(|first| {
                let mut at = first;
                for _ in 0..=context_lines_before {
                    at = b[..at].iter().rposition(|&c| c == b'\n')?;
                }
                Some(at + 1)
            })
            .unwrap_or(0);
        let inner = SourceSpan::new((span.offset() - base).into(), span.len());
        let part = <[u8] as SourceCode>::read_span(
            &b[base..],
            &inner,
            context_lines_before,
            context_lines_after,
        )?;
        let lines_before = self.breaks.partition_point(|&p| p < base);
        Ok(Box::new(MietteSpanContents::new(
            part.data(),
            SourceSpan::new((part.span().offset() + base).into(), part.span().len()),
            part.line() + lines_before,
            part.column(),
            part.line_count() + lines_before,
        )))
    }
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
    src: NamedSource<Source>,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a span read gives, to compare sources.
    fn read(src: &dyn SourceCode, span: SourceSpan, before: usize, after: usize) -> String {
        match src.read_span(&span, before, after) {
            Ok(c) => format!(
                "{:?} {:?} line {} column {} count {}",
                c.data(),
                c.span(),
                c.line(),
                c.column(),
                c.line_count()
            ),
            Err(e) => format!("{e}"),
        }
    }

    #[test]
    fn source_reads_as_miette_reads_a_string() {
        let texts = [
            String::new(),
            "one line".to_string(),
            "a\nb\nc\n".to_string(),
            "\n\n\nx\n\n".to_string(),
            "l1\r\nl2\rl3\n\r\nl5 é→\nl6".to_string(),
            include_str!("../../../scenarios/substation.ron").to_string(),
        ];
        let mut rand = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        for text in &texts {
            let ours = Source::new(text);
            for _ in 0..3000 {
                // Spans inside the text, as the renderer makes them.
                let offset = rand(text.len() + 1);
                let len = if rand(4) == 0 {
                    0
                } else {
                    rand(40).min(text.len() - offset)
                };
                let (before, after) = (rand(4), rand(4));
                let span = SourceSpan::new(offset.into(), len);
                assert_eq!(
                    read(&ours, span, before, after),
                    read(text, span, before, after),
                    "{text:?}: offset {offset}, len {len}, context {before}/{after}"
                );
            }
        }
    }
}
