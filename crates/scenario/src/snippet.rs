//! What of the scenario text an error message shows: the lines around the offending span,
//! each cut to a window when long (a one-line generated scenario can put an error past
//! column 65,535, where miette's renderer panics), with control characters and bidi
//! overrides made visible rather than sent to the terminal.
//!
//! A [`Snippet`] is a small text of its own with the span moved into it; as miette's
//! [`SourceCode`] it reports the original line numbers and, for the offending span, the
//! original column, so the header `[file:line:col]` stays true.

use crate::span::Lines;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Characters of a long line shown before the span's start.
const BEFORE: usize = 60;
/// Most characters shown of one line.
const WIDTH: usize = 160;

/// A few lines of the source, windowed and made safe to print, with a span in them.
#[derive(Debug)]
pub struct Snippet {
    text: String,
    /// The span, in `text`.
    span: (usize, usize),
    /// 0-based number of the first line shown.
    first_line: usize,
    /// 0-based column of the span in the original line, in characters.
    column: usize,
}

impl Snippet {
    /// The lines of `source` around `start..end` (one more on each side), each line cut to
    /// 160 characters around the span.
    pub fn new(source: &str, lines: &Lines, start: usize, end: usize) -> Snippet {
        let floor = |mut at: usize| {
            at = at.min(source.len());
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (start, end) = (floor(start), floor(end));
        let end = end.max(start);
        let starts = lines.starts();
        let line_of = |at: usize| starts.partition_point(|&s| s <= at) - 1;
        let (first, last) = (line_of(start), line_of(end));
        let from = first.saturating_sub(1);
        let to = (last + 1).min(starts.len() - 1);
        let mut s = Snippet {
            text: String::new(),
            span: (0, 0),
            first_line: from,
            column: 0,
        };
        for k in from..=to {
            let a = starts[k];
            let b = starts.get(k + 1).map_or(source.len(), |&n| n - 1);
            let line = source[a..b].strip_suffix('\r').unwrap_or(&source[a..b]);
            if k > from {
                s.text.push('\n');
            }
            s.push_line(line, a, (start, end));
        }
        s.span.1 = s.span.1.max(s.span.0);
        s
    }

    /// The span in the snippet's own text, for the diagnostic's label.
    pub fn span(&self) -> SourceSpan {
        (self.span.0, self.span.1 - self.span.0).into()
    }

    /// Appends one line (starting at byte `at` of the source), windowed around the span,
    /// recording where the span's ends land (an end cut off by the window lands at the cut).
    fn push_line(&mut self, line: &str, at: usize, (start, end): (usize, usize)) {
        let stop = at + line.len();
        let chars = line.chars().count();
        let mut lo = 0;
        if (at..=stop).contains(&start) {
            self.column = line[..start - at].chars().count();
            if chars > WIDTH {
                lo = self.column.saturating_sub(BEFORE).min(chars - WIDTH);
            }
        }
        let hi = (lo + WIDTH).min(chars);
        if lo > 0 {
            self.text.push('…');
        }
        let mut cut = stop;
        for (i, (o, c)) in line.char_indices().enumerate().skip(lo) {
            if i == hi {
                cut = at + o;
                break;
            }
            if at + o == start {
                self.span.0 = self.text.len();
            }
            if at + o == end {
                self.span.1 = self.text.len();
            }
            push_visible(&mut self.text, c);
        }
        if (cut..=stop).contains(&start) {
            self.span.0 = self.text.len();
        }
        if (cut..=stop).contains(&end) {
            self.span.1 = self.text.len();
        }
        if hi < chars {
            self.text.push('…');
        }
    }
}

/// Pushes `c`, or a visible stand-in for a control character or a bidi override.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push(c),
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
        '\u{7f}' => out.push('␡'),
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.push('�'),
        _ => out.push(c),
    }
}

/// Whether `c` is printed as itself (not a control character or a bidi override).
pub fn is_plain(c: char) -> bool {
    let mut s = String::new();
    push_visible(&mut s, c);
    s.starts_with(c)
}

/// `s` with control characters and bidi overrides made visible (see [`push_visible`]).
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    out
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let part = self.text.as_str().read_span(span, before, after)?;
        // miette reads the label's span alone for the header's column: the original one.
        let primary = (before, after) == (0, 0) && span.offset() == self.span.0;
        let column = if primary { self.column } else { part.column() };
        Ok(Box::new(MietteSpanContents::new(
            part.data(),
            *part.span(),
            part.line() + self.first_line,
            column,
            part.line_count() + self.first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snippet's text under its span.
    fn under(s: &Snippet) -> &str {
        &s.text[s.span.0..s.span.1]
    }

    #[test]
    fn spans_land_on_the_same_text_in_short_and_long_lines() {
        let short = "a\nb \"key\" c\nd\ne";
        let at = short.find("\"key\"").unwrap();
        let s = Snippet::new(short, &Lines::new(short), at, at + 5);
        assert_eq!(under(&s), "\"key\"");
        assert_eq!((s.first_line, s.column), (0, 2));
        assert_eq!(s.text, "a\nb \"key\" c\nd");
        let long = format!("{}\"key\"{}\nnext", "x".repeat(70_000), "y".repeat(500));
        let s = Snippet::new(&long, &Lines::new(&long), 70_000, 70_005);
        assert_eq!(under(&s), "\"key\"");
        assert_eq!(s.column, 70_000);
        assert!(s.text.len() < 2 * WIDTH + 20, "{}", s.text.len());
        // A span running past the window ends at the cut.
        let s = Snippet::new(&long, &Lines::new(&long), 70_000, 70_400);
        assert!(under(&s).starts_with("\"key\"") && under(&s).len() < WIDTH);
    }

    #[test]
    fn control_characters_are_shown_as_stand_ins() {
        let text = "id: \"a\u{1b}[2J\u{7}\u{9b}\u{202e}b\"\tok";
        let s = Snippet::new(text, &Lines::new(text), 4, text.len());
        assert_eq!(s.text, "id: \"a␛[2J␇��b\"\tok");
        assert_eq!(under(&s), "\"a␛[2J␇��b\"\tok");
        assert_eq!(visible("x\u{0}y"), "x␀y");
        assert!(is_plain('é') && !is_plain('\u{1b}'));
    }
}
