//! Galileo text as tokens: names (quoted or bare), `=`, `;`, with `//` and `/* */` comments
//! skipped. Every token knows where it starts.

use super::ParseError;

/// A place in the text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: a keyword, a number, a bare name.
    Word(String),
    /// A name in double quotes (without them).
    Quoted(String),
    /// `=`
    Eq,
    /// `;`
    Semi,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub at: Location,
}

struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    at: Location,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.at.line += 1;
            self.at.column = 1;
        } else {
            self.at.column += 1;
        }
        Some(c)
    }

    /// Skips white space and comments; an unclosed `/*` is an error.
    fn skip_blank(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('/') => {
                    let start = self.at;
                    let mut ahead = self.chars.clone();
                    ahead.next();
                    match ahead.next() {
                        Some('/') => self.skip_line(),
                        Some('*') => self.skip_block(start)?,
                        _ => return Ok(()),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                return;
            }
            self.bump();
        }
    }

    fn skip_block(&mut self, start: Location) -> Result<(), ParseError> {
        self.bump();
        self.bump();
        let mut star = false;
        while let Some(c) = self.bump() {
            if star && c == '/' {
                return Ok(());
            }
            star = c == '*';
        }
        Err(ParseError::new(
            start,
            "comment opened with /* is never closed",
        ))
    }

    fn quoted(&mut self, start: Location) -> Result<Tok, ParseError> {
        self.bump();
        let mut text = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => return Ok(Tok::Quoted(text)),
                '\n' => break,
                _ => text.push(c),
            }
        }
        Err(ParseError::new(
            start,
            "quoted name is not closed on its line",
        ))
    }

    fn word(&mut self) -> Tok {
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, ';' | '=' | '"') || self.comment_ahead(c) {
                break;
            }
            text.push(c);
            self.bump();
        }
        Tok::Word(text)
    }

    fn comment_ahead(&self, c: char) -> bool {
        if c != '/' {
            return false;
        }
        let mut ahead = self.chars.clone();
        ahead.next();
        matches!(ahead.next(), Some('/' | '*'))
    }
}

/// The tokens of `text`, and where the text ends.
pub(crate) fn tokens(text: &str) -> Result<(Vec<Token>, Location), ParseError> {
    let mut cur = Cursor {
        chars: text.chars().peekable(),
        at: Location { line: 1, column: 1 },
    };
    let mut out = Vec::new();
    loop {
        cur.skip_blank()?;
        let at = cur.at;
        let tok = match cur.peek() {
            None => return Ok((out, at)),
            Some('"') => cur.quoted(at)?,
            Some('=') => {
                cur.bump();
                Tok::Eq
            }
            Some(';') => {
                cur.bump();
                Tok::Semi
            }
            Some(_) => cur.word(),
        };
        out.push(Token { tok, at });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokens(text).unwrap().0.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_quotes_equals_and_comments() {
        let got = kinds("\"A b\" lambda= 2.0E-5 // gone\n/* gone\n too */ x;");
        let want = vec![
            Tok::Quoted("A b".into()),
            Tok::Word("lambda".into()),
            Tok::Eq,
            Tok::Word("2.0E-5".into()),
            Tok::Word("x".into()),
            Tok::Semi,
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn locations_are_line_and_column() {
        let (toks, end) = tokens("a;\n  \"b\" c").unwrap();
        assert_eq!(toks[2].at, Location { line: 2, column: 3 });
        assert_eq!(toks[3].at, Location { line: 2, column: 7 });
        assert_eq!(end, Location { line: 2, column: 8 });
    }

    #[test]
    fn unclosed_quote_and_comment_are_located() {
        let e = tokens("x \"abc\ny").unwrap_err();
        assert_eq!((e.line, e.column), (1, 3));
        let e = tokens("x;\n /* never").unwrap_err();
        assert_eq!((e.line, e.column), (2, 2));
    }
}
