//! A fast path for reading scenario text: a serde deserializer for a strict subset of RON.
//!
//! `ron` reads a generated 100,000-component scenario (33 MB) at about 60 MB/s; this
//! reader does the same work three to four times faster, by looking at bytes instead of
//! chars and by keeping none of the machinery for what scenarios do not use. It is only a
//! fast path: [`from_str`] answers `None` for anything it does not read exactly as `ron`
//! (with implicit `Some`) would, and for every error, and [`crate::validate::parse`] then
//! asks `ron`, so what is accepted, the values read and every error message are `ron`'s.
//!
//! The subset: ASCII whitespace and `//` comments between tokens; identifiers of ASCII
//! letters, digits and `_`; strings with no escapes but `\"`, `\\`, `\'`, `\n`, `\r`, `\t`
//! and `\0`; decimal numbers (no `_`, no suffix, no `inf`/`NaN`; integers unsigned);
//! structs (optionally named, the name checked), lists, tuples, `Some(..)`, `None` and
//! implicit `Some`, and unit, newtype, tuple and struct enum variants. Every token must end
//! where `ron` would end it too: an identifier or number followed by anything but
//! whitespace, punctuation or a comment is left to `ron`. Anything else (other escapes, raw
//! strings, block comments, `#![enable(..)]`, maps, chars, bytes, `deserialize_any`) is
//! left to `ron`. The tests check that both read the same on mutated scenarios.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Reads `text` as a `T` if it is in the subset and valid; `None` otherwise (then `ron`
/// knows best).
pub fn from_str<'de, T: Deserialize<'de>>(text: &'de str) -> Option<T> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        pos: 0,
    };
    r.skip_ws();
    // Document attributes (`#![enable(...)]`) change how ron reads: not in the subset.
    if r.peek() == Some(b'#') {
        return None;
    }
    let value = T::deserialize(&mut r).ok()?;
    r.skip_ws();
    (r.pos == r.b.len()).then_some(value)
}

/// Why the fast path gave up; never shown (ron reads the text again and reports).
#[derive(Debug)]
pub struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not in the fast subset")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> GiveUp {
        GiveUp
    }
}

type Result<T> = std::result::Result<T, GiveUp>;

struct Reader<'de> {
    b: &'de [u8],
    text: &'de str,
    pos: usize,
}

/// Bytes that may follow an identifier or a number: where `ron` ends such a token too.
fn ends_token(c: Option<u8>) -> bool {
    matches!(
        c,
        None | Some(
            b' ' | b'\t'
                | b'\n'
                | b'\r'
                | b','
                | b':'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'/'
        )
    )
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'de> Reader<'de> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips whitespace and `//` comments (the block comments ron also skips are not in the
    /// subset: the token after one fails to read).
    fn skip_ws(&mut self) {
        loop {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.pos += 1;
            }
            if self.b[self.pos..].starts_with(b"//") {
                self.pos += self.b[self.pos..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .unwrap_or(self.b.len() - self.pos);
            } else {
                return;
            }
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// ron's `comma`: whitespace, then a comma if there is one, then whitespace.
    fn comma(&mut self) -> bool {
        self.skip_ws();
        let comma = self.peek() == Some(b',');
        if comma {
            self.pos += 1;
            self.skip_ws();
        }
        comma
    }

    /// The identifier at the cursor and where it ends, without consuming it.
    fn ident_at(&self) -> Result<(&'de str, usize)> {
        let start = self.pos;
        if !self.peek().is_some_and(ident_start) {
            return Err(GiveUp);
        }
        let mut end = start + 1;
        while self.b.get(end).copied().is_some_and(ident_char) {
            end += 1;
        }
        if !ends_token(self.b.get(end).copied()) {
            return Err(GiveUp);
        }
        Ok((&self.text[start..end], end))
    }

    fn ident(&mut self) -> Result<&'de str> {
        let (id, end) = self.ident_at()?;
        self.pos = end;
        Ok(id)
    }

    /// A string: borrowed from the text, or built when it has escapes (the simple ones:
    /// `\"`, `\\`, `\'`, `\n`, `\r`, `\t`, `\0`; ron reads the others).
    fn string(&mut self) -> Result<Cow<'de, str>> {
        self.expect(b'"')?;
        let start = self.pos;
        let quote_or_escape = |from: usize| {
            self.b[from..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\')
                .map(|i| from + i)
                .ok_or(GiveUp)
        };
        let mut end = quote_or_escape(start)?;
        if self.b[end] == b'"' {
            self.pos = end + 1;
            return Ok(Cow::Borrowed(&self.text[start..end]));
        }
        let mut s = String::new();
        let mut from = start;
        loop {
            s.push_str(&self.text[from..end]);
            if self.b[end] == b'"' {
                self.pos = end + 1;
                return Ok(Cow::Owned(s));
            }
            s.push(match self.b.get(end + 1) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'\'') => '\'',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'0') => '\0',
                _ => return Err(GiveUp),
            });
            from = end + 2;
            end = quote_or_escape(from)?;
        }
    }

    /// The run of bytes ron reads as a number, checked to end a token.
    fn number_run(&mut self, in_run: fn(u8) -> bool) -> Result<&'de str> {
        let start = self.pos;
        let mut end = start;
        while self.b.get(end).copied().is_some_and(in_run) {
            end += 1;
        }
        if end == start || !ends_token(self.b.get(end).copied()) {
            return Err(GiveUp);
        }
        self.pos = end;
        Ok(&self.text[start..end])
    }

    /// An unsigned decimal integer (ron reads hex digits into the run and rejects them in
    /// base 10; a sign, a base prefix, `_` or a suffix is left to ron).
    fn unsigned(&mut self) -> Result<u64> {
        let run = self.number_run(|c| c.is_ascii_hexdigit() || c == b'_')?;
        let mut n: u64 = 0;
        for c in run.bytes() {
            if !c.is_ascii_digit() {
                return Err(GiveUp);
            }
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(c - b'0')))
                .ok_or(GiveUp)?;
        }
        Ok(n)
    }

    /// A float as ron reads it: the run of float characters, parsed by `f64::from_str`
    /// (runs with `_` or `..`, which ron edits first, are left to ron).
    fn float(&mut self) -> Result<f64> {
        if !matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'+' | b'-')) {
            return Err(GiveUp);
        }
        let run = self.number_run(|c| {
            c.is_ascii_digit() || matches!(c, b'e' | b'E' | b'.' | b'+' | b'-' | b'_')
        })?;
        if run.contains('_') || run.contains("..") {
            return Err(GiveUp);
        }
        run.parse().map_err(|_| GiveUp)
    }

    /// The parenthesised body of a struct or struct variant.
    fn struct_body<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'(')?;
        let value = visitor.visit_map(Elements::new(self, b')'))?;
        self.skip_ws();
        self.expect(b')')?;
        Ok(value)
    }
}

/// The elements of a list, tuple or struct, separated by commas (a trailing one allowed).
struct Elements<'a, 'de> {
    r: &'a mut Reader<'de>,
    end: u8,
    had_comma: bool,
}

impl<'a, 'de> Elements<'a, 'de> {
    fn new(r: &'a mut Reader<'de>, end: u8) -> Self {
        Elements {
            r,
            end,
            had_comma: true,
        }
    }

    /// ron's `has_element`.
    fn has_element(&mut self) -> Result<bool> {
        self.r.skip_ws();
        let at_end = self.r.peek() == Some(self.end);
        match (self.had_comma, at_end) {
            (true, at_end) => Ok(!at_end),
            (false, true) => Ok(false),
            (false, false) => Err(GiveUp),
        }
    }
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = GiveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.has_element()? {
            return Ok(None);
        }
        let value = seed.deserialize(&mut *self.r)?;
        self.had_comma = self.r.comma();
        Ok(Some(value))
    }
}

impl<'de> de::MapAccess<'de> for Elements<'_, 'de> {
    type Error = GiveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.has_element()? {
            return Ok(None);
        }
        seed.deserialize(FieldName(&mut *self.r)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.r.skip_ws();
        self.r.expect(b':')?;
        self.r.skip_ws();
        let value = seed.deserialize(&mut *self.r)?;
        self.had_comma = self.r.comma();
        Ok(value)
    }
}

/// A struct field's name: an identifier, nothing else.
struct FieldName<'a, 'de>(&'a mut Reader<'de>);

impl<'de> de::Deserializer<'de> for FieldName<'_, 'de> {
    type Error = GiveUp;

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0.ident()?)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(GiveUp)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum ignored_any
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
        Err(GiveUp)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.ident()? {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let n = u32::try_from(self.unsigned()?).map_err(|_| GiveUp)?;
        visitor.visit_u32(n)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u64(self.unsigned()?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(self.float()?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    /// `None`, `Some(x)`, or (implicit `Some`) just `x`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek().is_some_and(ident_start) {
            let (id, end) = self.ident_at()?;
            if id == "None" {
                self.pos = end;
                return visitor.visit_none();
            }
            if id == "Some" {
                self.pos = end;
                self.skip_ws();
                // `Some` without a parenthesis: ron reads on in a way not worth copying.
                self.expect(b'(')?;
                self.skip_ws();
                let value = visitor.visit_some(&mut *self)?;
                self.comma();
                self.expect(b')')?;
                return Ok(value);
            }
        }
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.expect(b'[')?;
        let value = visitor.visit_seq(Elements::new(self, b']'))?;
        self.skip_ws();
        self.expect(b']')?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.expect(b'(')?;
        let value = visitor.visit_seq(Elements::new(self, b')'))?;
        self.skip_ws();
        self.expect(b')')?;
        Ok(value)
    }

    /// `Name(field: value, ...)` or `(field: value, ...)`; the name, when written, must be
    /// the struct's.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        // ron reads the standard library's ranges differently.
        if name.starts_with("Range") {
            return Err(GiveUp);
        }
        // A non-ASCII character may start a name to ron.
        if self.peek().is_some_and(|c| !c.is_ascii()) {
            return Err(GiveUp);
        }
        if self.peek().is_some_and(ident_char) && self.ident()? != name {
            return Err(GiveUp);
        }
        self.skip_ws();
        self.struct_body(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(Variant(self))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.ident()?)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 char
        bytes byte_buf unit unit_struct newtype_struct
        tuple_struct map ignored_any
    }
}

/// An enum value: the variant's name, then what that variant holds.
struct Variant<'a, 'de>(&'a mut Reader<'de>);

impl<'a, 'de> de::EnumAccess<'de> for Variant<'a, 'de> {
    type Error = GiveUp;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self)> {
        self.0.skip_ws();
        let value = seed.deserialize(&mut *self.0)?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = GiveUp;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        let r = self.0;
        r.skip_ws();
        r.expect(b'(')?;
        r.skip_ws();
        let value = seed.deserialize(&mut *r)?;
        r.comma();
        r.expect(b')')?;
        Ok(value)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        self.0.skip_ws();
        de::Deserializer::deserialize_tuple(self.0, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.0.skip_ws();
        self.0.struct_body(visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    /// What ron makes of `text`, as `validate::parse` asks it.
    fn by_ron(text: &str) -> Option<Scenario> {
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text)
            .ok()
    }

    fn files() -> Vec<(String, String)> {
        let mut out = vec![];
        for dir in ["scenarios", "tests/data"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "ron") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        out.push(("gen 300".into(), crate::r#gen::scenario_text(300, 7)));
        out
    }

    #[test]
    fn reads_every_scenario_as_ron_does() {
        for (name, text) in files() {
            let fast = from_str::<Scenario>(&text)
                .unwrap_or_else(|| panic!("{name} is not read by the fast path"));
            let slow = by_ron(&text).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{name}");
        }
    }

    /// Mutated scenarios, mostly where tokens meet, with text that tests the edges of the
    /// subset: whatever the fast path accepts, ron accepts and reads the same.
    #[test]
    fn never_reads_differently_from_ron() {
        let pool = [
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "\"",
            "'",
            "/",
            "*",
            "#",
            "r",
            ":",
            ",",
            "\\",
            "é",
            "→",
            "b",
            "\n",
            " ",
            "\t",
            "\r",
            "\r\n",
            "\u{0B}",
            "\u{85}",
            "0",
            "1",
            ".",
            "-",
            "+",
            "e",
            "E",
            "_",
            "x",
            "i",
            "u",
            "f",
            "Some",
            "None",
            "Some(",
            "Some (",
            "()",
            ",)",
            "//",
            "/*",
            "*/",
            "// c\n",
            "/* c */",
            "inf",
            "NaN",
            "0x",
            "0b1",
            "0o7",
            "r#",
            "r\"",
            "u8",
            "f64",
            "1e3",
            "..",
            "1_000",
            "+5",
            "5u64",
            "1.",
            ".5",
            "-0.0",
            "1e-1",
            "5f64",
            "18446744073709551615",
            "18446744073709551616",
            "4294967296",
            "\\\"",
            "\\\\",
            "\\n",
            "\\x41",
            "\\u{41}",
            "\\\n",
            "Scenario",
            "Component",
            "Group",
            "r#for",
            "Crash",
            "Degrade(",
            "Never",
            "true",
            "false",
            "Exp(mean: \"1h\")",
            "Uniform(",
            "(1, 2)",
            "#![enable(implicit_some)]",
        ];
        let mut state: u64 = 0x1234_5678_9ABC_DEF0;
        let mut rand = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        };
        let (mut same, mut left_to_ron) = (0, 0);
        for (name, text) in files() {
            for _ in 0..1000 {
                let mut s = text.clone();
                for _ in 0..1 + rand(3) {
                    let punct: Vec<usize> = s
                        .char_indices()
                        .filter(|(_, c)| "()[],:\"".contains(*c))
                        .flat_map(|(i, _)| [i, i + 1])
                        .collect();
                    let bounds: Vec<usize> =
                        s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                    let at = if rand(3) > 0 && !punct.is_empty() {
                        punct[rand(punct.len())]
                    } else {
                        bounds[rand(bounds.len())]
                    };
                    let next = bounds.iter().copied().filter(|&b| b > at);
                    match rand(4) {
                        0 => {
                            let end = next.take(1 + rand(6)).last().unwrap_or(s.len());
                            s.replace_range(at..end, "");
                        }
                        _ => s.insert_str(at, pool[rand(pool.len())]),
                    }
                }
                match (from_str::<Scenario>(&s), by_ron(&s)) {
                    (Some(fast), Some(slow)) => {
                        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{name}:\n{s}");
                        same += 1;
                    }
                    (Some(_), None) => panic!("{name}: read here, rejected by ron:\n{s}"),
                    (None, Some(_)) => left_to_ron += 1,
                    (None, None) => {}
                }
            }
        }
        // The mutations must exercise both outcomes.
        assert!(
            same > 1000 && left_to_ron > 50,
            "{same} same, {left_to_ron} left to ron"
        );
    }
}
