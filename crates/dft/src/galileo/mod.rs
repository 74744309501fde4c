//! The Galileo text format (as Storm and DFTCalc read it): statements ended by `;`,
//! `toplevel "X";`, gates `"G" and "A" "B";`, basic events `"A" lambda=0.5 dorm=0;`.
//! This module reads the statements; [`check`] resolves names into a [`Dft`].

mod check;
mod lex;
mod statement;

pub use lex::Location;

use crate::model::Dft;

/// A problem in the text, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(at: Location, message: impl Into<String>) -> Self {
        ParseError {
            line: at.line,
            column: at.column,
            message: message.into(),
        }
    }
}

/// Reads a dynamic fault tree in the Galileo format and checks it.
pub fn parse(text: &str) -> Result<Dft, ParseError> {
    let (tokens, end) = lex::tokens(text)?;
    let raw = statement::statements(&tokens, end)?;
    check::check(raw)
}
