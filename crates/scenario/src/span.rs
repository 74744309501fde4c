//! Source positions for paths into a RON document.
//!
//! `ron` reports positions for syntax and serde errors, but once a scenario has
//! been deserialized the positions are gone. Semantic validation reports problems
//! by *path* (e.g. `components[2].group.of[1]`); this module re-scans the source
//! text leniently and maps such a path back to the byte span of the value, so a
//! diagnostic can put a caret under the offending text.
//!
//! The scanner is a small tokenizer plus a recursive parser that records, for
//! every value, its span and its children. It accepts broken text: it never
//! panics and always makes progress, so the worst outcome is an imprecise span.

use std::fmt;

/// One step of a path into a RON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A named field of a struct-like `( name: value )`.
    Field(String),
    /// An element of a list, a positional element of a tuple, or a map entry's value.
    Index(usize),
}

/// A path from the document root, e.g. `components[2].group.of[1]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The empty path, denoting the top-level value.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// A copy of this path extended by the field `name`.
    pub fn field(&self, name: &str) -> Path {
        let mut steps = self.0.clone();
        steps.push(Step::Field(name.to_owned()));
        Path(steps)
    }

    /// A copy of this path extended by the index `i`.
    pub fn index(&self, i: usize) -> Path {
        let mut steps = self.0.clone();
        steps.push(Step::Index(i));
        Path(steps)
    }
}

/// Formats as `components[2].group.of[1]`; the root path formats as `(root)`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (n, step) in self.0.iter().enumerate() {
            match step {
                Step::Field(name) if n == 0 => f.write_str(name)?,
                Step::Field(name) => write!(f, ".{name}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Byte range `[start, end)` in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

/// Nesting deeper than this is skipped over instead of parsed (no stack overflow).
const MAX_DEPTH: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    Comma,
    /// A single `:` (not part of `::`).
    Colon,
    Ident,
    /// String, char, byte string or number.
    Literal,
    /// Anything else (`#`, `!`, `::`, stray bytes).
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Tok,
    span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A literal, identifier / unit value, or a skipped too-deep group.
    Atom,
    /// `Name(...)` or `(...)`: struct, tuple, enum variant, `Some(..)`, unit `()`.
    Paren,
    List,
    Map,
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    span: Span,
    /// The identifier before `(` (`Some`, `Exp`, ...) or of a unit value.
    name: Option<String>,
    /// Named fields: (name, span of the name, value node).
    fields: Vec<(String, Span, usize)>,
    /// Positional elements, list elements, or map entry values, in order.
    elems: Vec<usize>,
}

/// Index of the source, built once per file.
pub struct Locator {
    nodes: Vec<Node>,
    root: Option<usize>,
}

impl Locator {
    /// Scans `source` (leniently: broken text is fine) and indexes every value.
    pub fn new(source: &str) -> Locator {
        let tokens = tokenize(source.as_bytes());
        let mut parser = Parser {
            src: source,
            tokens: &tokens,
            pos: 0,
            last_end: 0,
            nodes: Vec::new(),
        };
        let root = parser.document();
        Locator {
            nodes: parser.nodes,
            root,
        }
    }

    /// Span of the value at `path`. If the path does not exist in the text (e.g. a
    /// field left at its default), returns the span of the deepest existing ancestor
    /// value; for the root, the whole top-level value (an empty span at 0 if the text
    /// holds no value at all). Never panics, whatever the text.
    pub fn locate(&self, path: &Path) -> Span {
        let (node, _, _) = self.walk(path);
        node.map_or(Span { start: 0, end: 0 }, |n| self.nodes[n].span)
    }

    /// Like [`Locator::locate`] but returns `None` when the exact path does not exist.
    pub fn find(&self, path: &Path) -> Option<Span> {
        match self.walk(path) {
            (Some(n), _, true) => Some(self.nodes[n].span),
            _ => None,
        }
    }

    /// Span of the *field name* (the identifier before the colon) for a path whose
    /// last step is a [`Step::Field`], when it exists. Useful for "unknown field"-style
    /// labels.
    pub fn key(&self, path: &Path) -> Option<Span> {
        match self.walk(path) {
            (Some(_), key, true) => key,
            _ => None,
        }
    }

    /// Follows `path` as far as it exists: returns the last node reached, the key
    /// span of the last step (if it was a field), and whether the whole path matched.
    fn walk(&self, path: &Path) -> (Option<usize>, Option<Span>, bool) {
        let Some(mut node) = self.root else {
            return (None, None, path.0.is_empty());
        };
        let mut key = None;
        for step in &path.0 {
            match self.step(node, step) {
                Some((next, k)) => (node, key) = (next, k),
                None => return (Some(node), None, false),
            }
        }
        (Some(node), key, true)
    }

    /// Applies one step to node `n`, seeing through `Some(x)` and through
    /// single-element enum variants (for field steps).
    fn step(&self, n: usize, step: &Step) -> Option<(usize, Option<Span>)> {
        let node = &self.nodes[n];
        // The sole positional element of a `Name(x)` wrapper (`Some(x)`, `Degrade(0.5)`).
        let inner = match (
            &node.name,
            node.kind,
            node.fields.is_empty(),
            &node.elems[..],
        ) {
            (Some(_), Kind::Paren, true, &[x]) => Some(x),
            _ => None,
        };
        let through = |x| self.step(x, step);
        // `Some(x)`: the step applies to `x` first, to `Some` itself only as a fallback.
        let is_some = node.name.as_deref() == Some("Some");
        if let Some(found) = inner.filter(|_| is_some).and_then(through) {
            return Some(found);
        }
        let direct = match step {
            Step::Field(name) => node
                .fields
                .iter()
                .find(|(f, _, _)| f == name)
                .map(|&(_, key, value)| (value, Some(key))),
            Step::Index(i) => node.elems.get(*i).map(|&value| (value, None)),
        };
        // Newtype / single-element variants are transparent for field steps.
        let is_field = matches!(step, Step::Field(_));
        direct.or_else(|| inner.filter(|_| is_field).and_then(through))
    }
}

/// Splits the source into tokens, dropping whitespace and comments. Every token
/// boundary is a char boundary: scanning only stops at or after ASCII bytes.
fn tokenize(b: &[u8]) -> Vec<Token> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let kind = match c {
            _ if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'/' if at(i + 1) == b'/' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if at(i + 1) == b'*' => {
                i = skip_block_comment(b, i);
                continue;
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Tok::Open(c)
            }
            b')' | b']' | b'}' => {
                i += 1;
                Tok::Close(c)
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b':' if at(i + 1) == b':' => {
                i += 2;
                Tok::Other
            }
            b':' => {
                i += 1;
                Tok::Colon
            }
            b'"' | b'\'' => {
                i = skip_quoted(b, i);
                Tok::Literal
            }
            b'b' if matches!(at(i + 1), b'"' | b'\'') => {
                i = skip_quoted(b, i + 1);
                Tok::Literal
            }
            b'r' | b'b' => {
                // Raw (byte) string `r#"..."#`, raw identifier `r#name`, or identifier.
                let r = if c == b'b' && at(i + 1) == b'r' {
                    i + 1
                } else {
                    i
                };
                let hashes = b[r + 1..].iter().take_while(|&&h| h == b'#').count();
                if b[r] == b'r' && at(r + 1 + hashes) == b'"' {
                    i = skip_raw_string(b, r + 1 + hashes, hashes);
                    Tok::Literal
                } else if c == b'r' && hashes == 1 && is_ident(at(i + 2)) {
                    i += 2;
                    while i < b.len() && is_ident(b[i]) {
                        i += 1;
                    }
                    Tok::Ident
                } else {
                    while i < b.len() && is_ident(b[i]) {
                        i += 1;
                    }
                    Tok::Ident
                }
            }
            b'0'..=b'9' | b'-' | b'+' | b'.'
                if c.is_ascii_digit() || is_ident(at(i + 1)) || at(i + 1) == b'.' =>
            {
                // Numbers, including `-1.5e-3`, `0x1F`, `1_000`, `-inf`.
                i += 1;
                while i < b.len() {
                    let d = b[i];
                    let exp = matches!(d, b'+' | b'-') && matches!(b[i - 1], b'e' | b'E');
                    if !(is_ident(d) || d == b'.' || exp) {
                        break;
                    }
                    i += 1;
                }
                Tok::Literal
            }
            _ if is_ident(c) => {
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                Tok::Ident
            }
            _ => {
                i += 1;
                Tok::Other
            }
        };
        tokens.push(Token {
            kind,
            span: Span { start, end: i },
        });
    }
    tokens
}

/// Skips a (nested) block comment starting at `i`; returns the offset after it.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Skips a string or char literal whose opening quote is at `i`. An unterminated
/// char literal stops at the end of its line, an unterminated string at the end.
fn skip_quoted(b: &[u8], mut i: usize) -> usize {
    let quote = b[i];
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            b'\n' if quote == b'\'' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// Skips a raw string body starting at the opening quote `i`, closed by `"` and
/// `hashes` hash signs.
fn skip_raw_string(b: &[u8], mut i: usize, hashes: usize) -> usize {
    i += 1;
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    b.len()
}

struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
    /// End of the last consumed token: the end of an unterminated group.
    last_end: usize,
    nodes: Vec<Node>,
}

impl Parser<'_> {
    fn peek(&self, ahead: usize) -> Option<Token> {
        self.tokens.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.peek(0)?;
        self.pos += 1;
        self.last_end = t.span.end;
        Some(t)
    }

    fn text(&self, t: Token) -> &str {
        &self.src[t.span.start..t.span.end]
    }

    fn push(&mut self, kind: Kind, span: Span, name: Option<String>) -> usize {
        self.nodes.push(Node {
            kind,
            span,
            name,
            fields: Vec::new(),
            elems: Vec::new(),
        });
        self.nodes.len() - 1
    }

    /// Skips inner attributes like `#![enable(implicit_some)]`, then parses the top-level value.
    fn document(&mut self) -> Option<usize> {
        while self.peek(0).is_some_and(|t| self.text(t) == "#") {
            self.bump();
            if self.peek(0).is_some_and(|t| self.text(t) == "!") {
                self.bump();
            }
            if matches!(
                self.peek(0),
                Some(Token {
                    kind: Tok::Open(_),
                    ..
                })
            ) {
                self.skip_group();
            }
        }
        self.value(0)
    }

    /// Skips a bracketed group (any bracket kinds) without recursion.
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.bump() {
            match t.kind {
                Tok::Open(_) => depth += 1,
                Tok::Close(_) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// Parses one value, or returns `None` without consuming anything if the next
    /// token cannot start a value.
    fn value(&mut self, depth: usize) -> Option<usize> {
        let t = self.peek(0)?;
        match t.kind {
            Tok::Ident => {
                self.bump();
                let name = self.text(t).trim_start_matches("r#").to_owned();
                match self.peek(0) {
                    Some(Token {
                        kind: Tok::Open(b'('),
                        ..
                    }) => Some(self.group(t.span.start, Some(name), depth)),
                    _ => Some(self.push(Kind::Atom, t.span, Some(name))),
                }
            }
            Tok::Literal => {
                self.bump();
                Some(self.push(Kind::Atom, t.span, None))
            }
            Tok::Open(_) => Some(self.group(t.span.start, None, depth)),
            _ => None,
        }
    }

    /// Parses a `(...)`, `[...]` or `{...}` group whose opening bracket is next.
    fn group(&mut self, start: usize, name: Option<String>, depth: usize) -> usize {
        if depth >= MAX_DEPTH {
            self.skip_group();
            return self.push(
                Kind::Atom,
                Span {
                    start,
                    end: self.last_end,
                },
                name,
            );
        }
        let (kind, close) = match self.bump().map(|t| t.kind) {
            Some(Tok::Open(b'[')) => (Kind::List, b']'),
            Some(Tok::Open(b'{')) => (Kind::Map, b'}'),
            _ => (Kind::Paren, b')'),
        };
        let (mut fields, mut elems) = (Vec::new(), Vec::new());
        while let Some(t) = self.peek(0) {
            match t.kind {
                Tok::Close(c) => {
                    // A mismatched closer ends this group but is left for an outer one.
                    if c == close {
                        self.bump();
                    }
                    break;
                }
                Tok::Comma => {
                    self.bump();
                }
                Tok::Ident
                    if kind == Kind::Paren
                        && self.peek(1).is_some_and(|n| n.kind == Tok::Colon) =>
                {
                    let name = self.text(t).trim_start_matches("r#").to_owned();
                    self.bump();
                    self.bump();
                    if let Some(v) = self.value(depth + 1) {
                        fields.push((name, t.span, v));
                    }
                }
                _ => match self.value(depth + 1) {
                    Some(v) if kind == Kind::Map => {
                        // `key: value`; an entry without a colon stands for itself.
                        if self.peek(0).is_some_and(|n| n.kind == Tok::Colon) {
                            self.bump();
                            elems.extend(self.value(depth + 1));
                        } else {
                            elems.push(v);
                        }
                    }
                    Some(v) => elems.push(v),
                    None => {
                        self.bump();
                    }
                },
            }
        }
        let n = self.push(
            kind,
            Span {
                start,
                end: self.last_end,
            },
            name,
        );
        self.nodes[n].fields = fields;
        self.nodes[n].elems = elems;
        n
    }
}

/// Largest char boundary of `source` that is `<= offset` (offsets past the end clamp).
fn floor_boundary(source: &str, offset: usize) -> usize {
    let mut o = offset.min(source.len());
    while !source.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// 1-based (line, column) of a byte offset, column counted in chars (as `ron`
/// reports it). Offsets past the end are clamped to the end.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..floor_boundary(source, offset)];
    let line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, 1 + before[line_start..].chars().count())
}

/// Where the lines of a text start, for many [`line_col`] lookups in one text (each one a
/// binary search instead of a scan from the start).
pub struct Lines {
    /// Byte offset of each line's first byte: 0, then one past each `\n`.
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes the lines of `source`.
    pub fn new(source: &str) -> Lines {
        let newlines = source.bytes().enumerate().filter(|&(_, b)| b == b'\n');
        Lines {
            starts: std::iter::once(0)
                .chain(newlines.map(|(i, _)| i + 1))
                .collect(),
        }
    }

    /// Byte offset of each line's first byte.
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// [`line_col`] of `offset` in `source`, the text these lines were indexed from.
    pub fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let at = floor_boundary(source, offset);
        let line = self.starts.partition_point(|&s| s <= at);
        let line_start = self.starts[line - 1];
        (line, 1 + source[line_start..at].chars().count())
    }
}

/// Byte offset of a 1-based (line, column) as `ron` reports it (column counted in
/// chars). Lines past the end clamp to the source length, columns past the end of
/// their line clamp to the line's end (its newline); 0 is treated as 1.
pub fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match source[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return source.len(),
        }
    }
    let rest = &source[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let within = rest[..line_len]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line_len, |(i, _)| i);
    start + within
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"// Moore County
Scenario(
    name: "substation",
    horizon: "1y", runs: 10000, seed: 2022,
    components: [
        (id: "feed", faults: [(name: "line-trip", every: Exp(mean: "90d"), effect: Crash, repair: LogNormal(median: "2h", sigma: 0.5))]),
        (id: "xfmr_west", faults: [(name: "wear", every: Weibull(shape: 2.0, scale: "40y"), effect: Degrade(0.5), repair: Uniform("3w", "8w"))]),
        (id: "substations", group: Some((need: 1, of: ["xfmr_west", "xfmr_east"]))),
        (id: "customers", service: (slo: 0.9, users: 45000)),
    ],
    edges: [(from: "customers", to: "substations", kind: Requires, p: 0.5), (from: "substations", to: "feed", kind: Degrades(0.3))],
    tags: { "a": 1, "b": [2, 3] },
)
"#;

    /// Parses `components[2].group.of[1]`-style text into a path (test helper).
    fn p(s: &str) -> Path {
        let mut path = Path::root();
        for part in s.split('.').filter(|s| !s.is_empty()) {
            let mut pieces = part.split('[');
            let name = pieces.next().unwrap_or("");
            if !name.is_empty() {
                path = path.field(name);
            }
            for idx in pieces {
                path = path.index(idx.trim_end_matches(']').parse().unwrap());
            }
        }
        path
    }

    fn text<'a>(src: &'a str, path: &str) -> &'a str {
        let span = Locator::new(src).locate(&p(path));
        &src[span.start..span.end]
    }

    fn found<'a>(src: &'a str, path: &str) -> Option<&'a str> {
        Locator::new(src)
            .find(&p(path))
            .map(|s| &src[s.start..s.end])
    }

    #[test]
    fn path_display() {
        assert_eq!(Path::root().to_string(), "(root)");
        assert_eq!(
            p("components[2].group.of[1]").to_string(),
            "components[2].group.of[1]"
        );
        assert_eq!(Path::root().index(0).field("x").to_string(), "[0].x");
        assert_eq!(
            p("a[1].b").0,
            vec![
                Step::Field("a".into()),
                Step::Index(1),
                Step::Field("b".into())
            ]
        );
    }

    #[test]
    fn nested_paths_in_sample() {
        assert_eq!(text(SAMPLE, "components[2].group.of[1]"), r#""xfmr_east""#);
        assert_eq!(
            text(SAMPLE, "components[1].faults[0].repair"),
            r#"Uniform("3w", "8w")"#
        );
        assert_eq!(text(SAMPLE, "components[1].faults[0].repair[0]"), r#""3w""#);
        assert_eq!(text(SAMPLE, "components[1].faults[0].effect[0]"), "0.5");
        assert_eq!(
            text(SAMPLE, "components[0].faults[0].every"),
            r#"Exp(mean: "90d")"#
        );
        assert_eq!(
            text(SAMPLE, "components[0].faults[0].every.mean"),
            r#""90d""#
        );
        assert_eq!(text(SAMPLE, "components[0].faults[0].effect"), "Crash");
        assert_eq!(text(SAMPLE, "components[0].faults[0].repair.sigma"), "0.5");
        assert_eq!(text(SAMPLE, "components[3].service.users"), "45000");
        assert_eq!(text(SAMPLE, "edges[1].kind[0]"), "0.3");
        assert_eq!(text(SAMPLE, "edges[0].kind"), "Requires");
        assert_eq!(text(SAMPLE, "runs"), "10000");
        assert_eq!(text(SAMPLE, "name"), r#""substation""#);
        let root = text(SAMPLE, "");
        assert!(root.starts_with("Scenario(") && root.ends_with(')'));
    }

    #[test]
    fn list_tuple_and_map_indices() {
        assert_eq!(text(SAMPLE, "components[2].group.of[0]"), r#""xfmr_west""#);
        assert_eq!(text(SAMPLE, "components[1].faults[0].repair[1]"), r#""8w""#);
        assert_eq!(text(SAMPLE, "tags[0]"), "1");
        assert_eq!(text(SAMPLE, "tags[1]"), "[2, 3]");
        assert_eq!(text(SAMPLE, "tags[1][0]"), "2");
        assert_eq!(text("((1, 2), [3, (4, \"x\")])", "[1][1][1]"), "\"x\"");
        assert_eq!(text("{ (1, 2): Some(3), \"k\": [4] }", "[1][0]"), "4");
        assert_eq!(found("{ (1, 2): Some(3) }", "[0][0]"), Some("3"));
    }

    #[test]
    fn missing_paths_fall_back_to_ancestor() {
        let feed = text(SAMPLE, "components[0].capacity");
        assert!(
            feed.starts_with(r#"(id: "feed""#) && feed.ends_with("])"),
            "{feed}"
        );
        assert_eq!(found(SAMPLE, "components[0].capacity"), None);
        assert_eq!(
            text(SAMPLE, "components[3].service.nope.deeper[4]"),
            "(slo: 0.9, users: 45000)"
        );
        assert_eq!(text(SAMPLE, "tags[1][7]"), "[2, 3]");
        assert_eq!(found(SAMPLE, "tags[1][7]"), None);
        assert_eq!(found(SAMPLE, "components[9]"), None);
        assert_eq!(found(SAMPLE, "runs[0]"), None);
        assert_eq!(text(SAMPLE, "runs.x"), "10000");
        // Enum struct variants are struct-like, not tuples.
        assert_eq!(found(SAMPLE, "components[0].faults[0].every[0]"), None);
        assert_eq!(Locator::new("").locate(&p("a")), Span { start: 0, end: 0 });
        assert_eq!(Locator::new("// only a comment").find(&Path::root()), None);
    }

    #[test]
    fn key_spans() {
        let loc = Locator::new(SAMPLE);
        let k = loc.key(&p("components[3].service.users")).unwrap();
        assert_eq!(&SAMPLE[k.start..k.end], "users");
        let k = loc.key(&p("components[2].group.need")).unwrap();
        assert_eq!(&SAMPLE[k.start..k.end], "need");
        assert_eq!(loc.key(&p("components[3]")), None);
        assert_eq!(loc.key(&p("components[3].capacity")), None);
        let src = "(r#type: 1, b: 2)";
        assert_eq!(text(src, "type"), "1");
        let k = Locator::new(src).key(&p("type")).unwrap();
        assert_eq!(&src[k.start..k.end], "r#type");
    }

    #[test]
    fn comments_and_strings_do_not_confuse() {
        let src = r###"#![enable(implicit_some)]
/* header ( [ { " ' : */
S( // a: ( ] } "
    a: "x ) ] } // : \" (",   /* b: [ */
    b /* : */ : [ 'a', '\'', ')', b"]", b'(' ],
    c: r#"raw " ) ]"#, d: r"]", e: br##"x"# ]"##,
    f: /* outer /* inner ) */ still comment ] */ 7,
    g: ::x, h: -1.5e-3, i: 0x1F, j: 1_000, k: -inf, l: NaN, m: -.5,
)"###;
        assert_eq!(text(src, "a"), r#""x ) ] } // : \" (""#);
        assert_eq!(text(src, "b[1]"), r"'\''");
        assert_eq!(text(src, "b[2]"), "')'");
        assert_eq!(text(src, "b[3]"), r#"b"]""#);
        assert_eq!(text(src, "b[4]"), "b'('");
        assert_eq!(text(src, "c"), r###"r#"raw " ) ]"#"###);
        assert_eq!(text(src, "d"), r#"r"]""#);
        assert_eq!(text(src, "e"), r####"br##"x"# ]"##"####);
        assert_eq!(text(src, "f"), "7");
        assert_eq!(text(src, "h"), "-1.5e-3");
        assert_eq!(text(src, "i"), "0x1F");
        assert_eq!(text(src, "j"), "1_000");
        assert_eq!(text(src, "k"), "-inf");
        assert_eq!(text(src, "l"), "NaN");
        assert_eq!(text(src, "m"), "-.5");
        let root = text(src, "");
        assert!(root.starts_with("S(") && root.ends_with(')'));
    }

    #[test]
    fn transparent_wrappers() {
        assert_eq!(
            text(SAMPLE, "components[2].group"),
            r#"Some((need: 1, of: ["xfmr_west", "xfmr_east"]))"#
        );
        assert_eq!(text(SAMPLE, "components[2].group.need"), "1");
        let src =
            "(a: Some([1, 2]), b: Some(5), c: Requires((from: \"x\")), d: Some(Some((z: 0))))";
        assert_eq!(text(src, "a[1]"), "2");
        assert_eq!(text(src, "a[0]"), "1");
        assert_eq!(text(src, "b[0]"), "5");
        assert_eq!(text(src, "c.from"), "\"x\"");
        assert_eq!(text(src, "d.z"), "0");
        // An anonymous one-element tuple is not transparent.
        assert_eq!(found("(a: ((x: 1)))", "a.x"), None);
    }

    #[test]
    fn unterminated_and_mismatched() {
        // A mismatched closer ends the inner group and is left for the outer one.
        assert_eq!(text("(a: [1, 2), b: 3)", "a"), "[1, 2");
        assert_eq!(text("(a: [1, 2), b: 3)", "b"), "(a: [1, 2)");
        assert_eq!(text("[(a: 1], 2]", "[0].a"), "1");
        assert_eq!(text("(a: [1, 2", "a[1]"), "2");
        assert_eq!(text("(a: [1, 2", "a"), "[1, 2");
        assert_eq!(text("(a: \"never ends", "a"), "\"never ends");
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let loc = Locator::new(&deep);
        assert_eq!(
            loc.locate(&Path::root()),
            Span {
                start: 0,
                end: deep.len()
            }
        );
        let _ = loc.locate(&Path(vec![Step::Index(0); 200]));
    }

    #[test]
    fn line_col_round_trip() {
        let src = "é→x\n\n  a→é: 1\nlast";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 2), (1, 2)); // after "é"
        assert_eq!(line_col(src, 5), (1, 3)); // after "é→"
        assert_eq!(line_col(src, 7), (2, 1));
        assert_eq!(line_col(src, 999), (4, 5));
        assert_eq!(line_col(src, 1), (1, 1)); // inside "é": floors to its start
        for (offset, _) in src.char_indices().chain([(src.len(), ' ')]) {
            let (line, col) = line_col(src, offset);
            assert_eq!(
                offset_of(src, line, col),
                offset,
                "offset {offset} -> {line}:{col}"
            );
        }
        assert_eq!(offset_of(src, 3, 99), src.find(": 1\n").unwrap() + 3);
        assert_eq!(offset_of(src, 99, 1), src.len());
        assert_eq!(offset_of(src, 0, 0), 0);
        assert_eq!(offset_of("", 1, 1), 0);
    }

    #[test]
    fn lines_agree_with_line_col() {
        for src in [
            "",
            "\n",
            "a",
            "é→x\n\n  a→é: 1\nlast",
            "\r\nx\r\n\n",
            SAMPLE,
        ] {
            let lines = Lines::new(src);
            for offset in 0..=src.len() + 2 {
                assert_eq!(
                    lines.line_col(src, offset),
                    line_col(src, offset),
                    "{src:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn matches_ron_error_positions() {
        let src = "(a: \"é→\",\n  b: é→ )";
        let err = ron::from_str::<ron::Value>(src).unwrap_err();
        let at = offset_of(src, err.span.start.line, err.span.start.col);
        assert!(at <= src.len() && src.is_char_boundary(at));
        assert_eq!(line_col(src, at), (err.span.start.line, err.span.start.col));
    }

    const PATHS: &[&str] = &[
        "",
        "components[2].group.of[1]",
        "components[1].faults[0].repair[0]",
        "components[1].faults[0].effect[0]",
        "components[0].capacity",
        "edges[1].kind[0]",
        "tags[1][0]",
        "runs",
    ];

    fn exercise(src: &str) {
        let loc = Locator::new(src);
        for path in PATHS {
            let path = p(path);
            let span = loc.locate(&path);
            assert!(span.start <= span.end && span.end <= src.len());
            assert!(
                src.get(span.start..span.end).is_some(),
                "span not on char boundaries"
            );
            if let Some(s) = loc.find(&path) {
                assert_eq!(s, span);
            }
            if let Some(k) = loc.key(&path) {
                assert!(src.get(k.start..k.end).is_some());
            }
            let (line, col) = line_col(src, span.start);
            assert_eq!(offset_of(src, line, col), span.start);
        }
    }

    #[test]
    fn robust_on_prefixes_and_mutations() {
        for (i, _) in SAMPLE.char_indices() {
            exercise(&SAMPLE[..i]);
        }
        let pool = [
            "(", ")", "[", "]", "{", "}", "\"", "'", "/", "*", "#", "r", ":", ",", "\\", "é", "→",
            "b", "\n",
        ];
        let mut rand = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2000 {
            let mut s = SAMPLE.to_owned();
            for _ in 0..1 + rand(4) {
                let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
                let at = bounds[rand(bounds.len())];
                let len = s[at..].chars().next().map_or(0, char::len_utf8);
                match rand(3) {
                    0 => s.replace_range(at..at + len, ""),
                    1 => s.insert_str(at, pool[rand(pool.len())]),
                    _ => {
                        let dup = s[at..at + len].to_owned();
                        s.insert_str(at, &dup);
                    }
                }
            }
            exercise(&s);
        }
    }
}
