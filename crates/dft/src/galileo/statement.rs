//! Statements: token lists ended by `;`, each read into a [`Raw`] element or the top.

use super::ParseError;
use super::lex::{Location, Tok, Token};
use crate::model::{Gate, Restriction};

/// A name and where it is written.
pub(crate) type Named = (String, Location);

/// What a statement defines, before names are resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawKind {
    Basic {
        rate: f64,
        dormancy: f64,
    },
    Gate(Gate),
    /// A voting gate: threshold, and the count written in `KofN`.
    Vote {
        k: usize,
        n: Option<usize>,
    },
    Dependency(f64),
    Restriction(Restriction),
}

/// An element as written: its name, kind and the names it refers to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raw {
    pub name: Named,
    pub kind: RawKind,
    /// Where the type keyword (or first attribute) is.
    pub kind_at: Location,
    pub children: Vec<Named>,
}

/// The statements of a file.
#[derive(Debug, Default)]
pub(crate) struct Raws {
    pub elements: Vec<Raw>,
    pub top: Option<Named>,
    pub end: Option<Location>,
}

/// Splits the tokens at `;` and reads each statement.
pub(crate) fn statements(tokens: &[Token], end: Location) -> Result<Raws, ParseError> {
    let mut raws = Raws {
        end: Some(end),
        ..Raws::default()
    };
    let mut rest = tokens;
    while let Some(first) = rest.first() {
        let Some(semi) = rest.iter().position(|t| t.tok == Tok::Semi) else {
            let last = rest.last().map_or(first.at, |t| t.at);
            return Err(ParseError::new(
                last,
                "expected ';' at the end of the statement",
            ));
        };
        if semi > 0 {
            statement(&rest[..semi], &mut raws)?;
        }
        rest = &rest[semi + 1..];
    }
    Ok(raws)
}

fn statement(toks: &[Token], raws: &mut Raws) -> Result<(), ParseError> {
    match &toks[0].tok {
        Tok::Word(w) if w == "toplevel" => toplevel(toks, raws),
        Tok::Word(w) if w == "param" => Err(ParseError::new(
            toks[0].at,
            "parametric DFTs are not supported (param)",
        )),
        _ => {
            let raw = element(toks)?;
            raws.elements.push(raw);
            Ok(())
        }
    }
}

fn toplevel(toks: &[Token], raws: &mut Raws) -> Result<(), ParseError> {
    if let Some((_, first)) = &raws.top {
        let msg = format!("toplevel given twice (first at line {})", first.line);
        return Err(ParseError::new(toks[0].at, msg));
    }
    match toks {
        [_, t] => {
            raws.top = Some((name(t)?, t.at));
            Ok(())
        }
        [only] => Err(ParseError::new(only.at, "expected a name after 'toplevel'")),
        [_, _, extra, ..] => Err(ParseError::new(
            extra.at,
            "expected ';' after the toplevel name",
        )),
        [] => Ok(()),
    }
}

fn name(t: &Token) -> Result<String, ParseError> {
    match &t.tok {
        Tok::Word(w) | Tok::Quoted(w) if !w.is_empty() => Ok(w.clone()),
        _ => Err(ParseError::new(t.at, "expected a name")),
    }
}

fn element(toks: &[Token]) -> Result<Raw, ParseError> {
    let named = (name(&toks[0])?, toks[0].at);
    let Some(ty) = toks.get(1) else {
        let msg = format!("expected a gate type or attributes after '{}'", named.0);
        return Err(ParseError::new(toks[0].at, msg));
    };
    let Tok::Word(word) = &ty.tok else {
        return Err(ParseError::new(
            ty.at,
            "expected a gate type (and, or, pand, ...) or an attribute",
        ));
    };
    let next_is_eq = toks.get(2).is_some_and(|t| t.tok == Tok::Eq);
    let (kind, children_from) = if next_is_eq {
        match word.as_str() {
            "pdep" => (
                Keyword::Kind(RawKind::Dependency(probability(toks.get(3), ty.at)?)),
                4,
            ),
            "pand<" => (Keyword::Kind(RawKind::Gate(Gate::Pand)), 3),
            "por<" => (Keyword::Kind(RawKind::Gate(Gate::Por)), 3),
            _ => return basic(named, &toks[1..]),
        }
    } else {
        (keyword(word, ty.at, toks.get(2))?, 2)
    };
    let (kind, children_from) = match kind {
        Keyword::Kind(k) => (k, children_from),
        Keyword::VoteSpaced(k) => (RawKind::Vote { k, n: None }, 3),
    };
    let children = toks[children_from..]
        .iter()
        .map(child)
        .collect::<Result<_, _>>()?;
    Ok(Raw {
        name: named,
        kind,
        kind_at: ty.at,
        children,
    })
}

fn child(t: &Token) -> Result<Named, ParseError> {
    if t.tok == Tok::Eq {
        return Err(ParseError::new(
            t.at,
            "unexpected '=' among the inputs: is a ';' missing at the end of a statement?",
        ));
    }
    Ok((name(t)?, t.at))
}

/// A keyword read: a kind, or `vot K` with the threshold as its own token.
enum Keyword {
    Kind(RawKind),
    VoteSpaced(usize),
}

fn keyword(word: &str, at: Location, after: Option<&Token>) -> Result<Keyword, ParseError> {
    let gate = |g| Ok(Keyword::Kind(RawKind::Gate(g)));
    match word {
        "and" => gate(Gate::And),
        "or" => gate(Gate::Or),
        "pand" | "pand-incl" => gate(Gate::Pand),
        "por" | "por-incl" => gate(Gate::Por),
        "pand-excl" | "pand<" | "por-excl" | "por<" => Err(ParseError::new(
            at,
            format!(
                "exclusive priority gates ('{word}') are not supported: Storm 2.0 reads them but answers as for \
                 inclusive ones, so their semantics has no reference to be checked against"
            ),
        )),
        "wsp" | "csp" | "hsp" | "spare" => gate(Gate::Spare),
        "seq" => Ok(Keyword::Kind(RawKind::Restriction(Restriction::Seq))),
        "mutex" => Ok(Keyword::Kind(RawKind::Restriction(Restriction::Mutex))),
        "fdep" => Ok(Keyword::Kind(RawKind::Dependency(1.0))),
        "pdep" => Err(ParseError::new(at, "pdep needs a probability: pdep=0.5")),
        "vot" => vote_spaced(at, after),
        w if w.starts_with("vot") => Ok(Keyword::Kind(RawKind::Vote {
            k: count(&w[3..], at)?,
            n: None,
        })),
        w if w.contains("of") => k_of_n(w, at),
        w if w.contains("insp") => Err(ParseError::new(
            at,
            format!("inspections ({w}) are not supported"),
        )),
        w => Err(ParseError::new(at, format!("unknown element type '{w}'"))),
    }
}

fn vote_spaced(at: Location, after: Option<&Token>) -> Result<Keyword, ParseError> {
    match after {
        Some(Token {
            tok: Tok::Word(k),
            at,
        }) if k.chars().all(|c| c.is_ascii_digit()) => Ok(Keyword::VoteSpaced(count(k, *at)?)),
        _ => Err(ParseError::new(at, "vot needs a threshold: vot2, or 2of3")),
    }
}

/// `KofN`: N is kept to be checked against the number of inputs.
fn k_of_n(word: &str, at: Location) -> Result<Keyword, ParseError> {
    let (k, n) = word.split_once("of").unwrap_or((word, ""));
    let (Ok(k), Ok(n)) = (k.parse::<usize>(), n.parse::<usize>()) else {
        return Err(ParseError::new(
            at,
            format!("unknown element type '{word}' (a voting gate is written 2of3)"),
        ));
    };
    Ok(Keyword::Kind(RawKind::Vote { k, n: Some(n) }))
}

fn count(text: &str, at: Location) -> Result<usize, ParseError> {
    text.parse::<usize>()
        .map_err(|_| ParseError::new(at, format!("'{text}' is not a whole number")))
}

fn probability(t: Option<&Token>, at: Location) -> Result<f64, ParseError> {
    let Some(t) = t else {
        return Err(ParseError::new(at, "pdep needs a probability: pdep=0.5"));
    };
    let p = number(t)?;
    if !(0.0..=1.0).contains(&p) {
        return Err(ParseError::new(
            t.at,
            format!("a probability must be within [0, 1], not {p}"),
        ));
    }
    Ok(p)
}

/// A finite number; a symbol means a parametric tree.
fn number(t: &Token) -> Result<f64, ParseError> {
    let Tok::Word(text) = &t.tok else {
        return Err(ParseError::new(t.at, "expected a number"));
    };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(ParseError::new(
            t.at,
            format!("'{text}' is not a finite number"),
        )),
        Err(_) if text.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
            Err(ParseError::new(
                t.at,
                format!("parametric DFTs are not supported (symbolic value '{text}')"),
            ))
        }
        Err(_) => Err(ParseError::new(t.at, format!("'{text}' is not a number"))),
    }
}

/// A basic event: `key=value` pairs after the name.
fn basic(named: Named, toks: &[Token]) -> Result<Raw, ParseError> {
    let kind_at = toks[0].at;
    let (mut rate, mut dormancy) = (None, None);
    let mut rest = toks;
    while let Some(key) = rest.first() {
        let (Tok::Word(k), Some(Tok::Eq)) = (&key.tok, rest.get(1).map(|t| &t.tok)) else {
            return Err(ParseError::new(
                key.at,
                "expected an attribute: lambda=RATE or dorm=FACTOR",
            ));
        };
        let Some(value) = rest.get(2) else {
            return Err(ParseError::new(key.at, format!("'{k}=' needs a value")));
        };
        let slot = match k.as_str() {
            "lambda" => &mut rate,
            "dorm" => &mut dormancy,
            _ => return Err(unsupported_attribute(k, key.at)),
        };
        if slot.is_some() {
            return Err(ParseError::new(key.at, format!("'{k}' given twice")));
        }
        *slot = Some((number(value)?, value.at));
        rest = &rest[3..];
    }
    let Some((rate, rate_at)) = rate else {
        return Err(ParseError::new(
            kind_at,
            format!("basic event '{}' has no failure rate (lambda=)", named.0),
        ));
    };
    if rate < 0.0 {
        return Err(ParseError::new(
            rate_at,
            format!("a failure rate must not be negative, not {rate}"),
        ));
    }
    let dormancy = match dormancy {
        Some((d, at)) if !(0.0..=1.0).contains(&d) => {
            return Err(ParseError::new(
                at,
                format!("a dormancy factor must be within [0, 1], not {d}"),
            ));
        }
        Some((d, _)) => d,
        None => 1.0,
    };
    Ok(Raw {
        name: named,
        kind: RawKind::Basic { rate, dormancy },
        kind_at,
        children: Vec::new(),
    })
}

fn unsupported_attribute(key: &str, at: Location) -> ParseError {
    let why = match key {
        "prob" => "probabilities of failing at time 0 (prob=) are not supported",
        "repair" => "repairable DFTs (repair=) are not supported",
        "phases" | "shape" | "rate" | "mean" | "stddev" => {
            "only exponential failure times (lambda=) are supported, not Erlang, Weibull or log-normal ones"
        }
        "cov" | "res" | "repl" | "interval" => {
            "coverage, restoration, replication and intervals (cov=, res=, repl=, interval=) are not supported"
        }
        _ => {
            return ParseError::new(
                at,
                format!("unknown attribute '{key}' (expected lambda= or dorm=)"),
            );
        }
    };
    ParseError::new(at, format!("{why} ('{key}')"))
}
