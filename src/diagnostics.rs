//! Scenario errors, located in the source text and rendered for people.
//!
//! Loading a scenario fails in three ways: the file cannot be read, the RON does not parse
//! (ron gives a line and column), or it parses but makes no sense (every problem found, each
//! with the path of the offending value, which [`crate::span::Locator`] turns into text).
//! The CLI renders all of them with a caret under the offending text and exits 2.

use crate::span::{self, Locator, Path};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
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
    pub fn new(path: Path, message: impl Into<String>) -> Problem {
        Problem {
            path,
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
                    message: message.clone(),
                    src: NamedSource::new(file, text.clone()),
                    span: (range.0, range.1 - range.0).into(),
                    label: "here".into(),
                    help: syntax_hint(message),
                };
                let _ = handler.render_report(&mut out, &d);
            }
            LoadError::Invalid {
                file,
                text,
                problems,
            } => {
                let loc = Locator::new(text);
                for p in problems {
                    let s = loc.locate(&p.path);
                    let (line, col) = span::line_col(text, s.start);
                    out.push_str(&format!("error: {file}:{line}:{col}: {}\n", p.message));
                    let d = Located {
                        message: p.message.clone(),
                        src: NamedSource::new(file, text.clone()),
                        span: (s.start, s.end.saturating_sub(s.start)).into(),
                        label: p.path.to_string(),
                        help: p.hint.clone(),
                    };
                    let _ = handler.render_report(&mut out, &d);
                    out.push('\n');
                }
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

fn syntax_hint(message: &str) -> Option<String> {
    if message.contains("Unexpected field") || message.contains("unknown field") {
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

/// A single located message for miette's renderer.
#[derive(Debug)]
struct Located {
    message: String,
    src: NamedSource<String>,
    span: SourceSpan,
    label: String,
    help: Option<String>,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.label.clone()), self.span),
        )))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}
