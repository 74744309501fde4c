//! Paths built while checking, without allocating.

use crate::span::{Path, Step};

/// A path into the scenario while it is being checked: the steps are borrowed and kept
/// inline, so building one costs no allocation; it becomes a [`Path`] only when a problem
/// is reported at it.
#[derive(Clone, Copy)]
pub(in crate::validate) struct At<'a> {
    steps: [AtStep<'a>; AT_DEPTH],
    len: u8,
}

/// The deepest path the checks build
/// (`strategies[i].mitigations[j].procedure.steps[k].takes.mean` has nine steps).
const AT_DEPTH: usize = 10;

#[derive(Clone, Copy)]
enum AtStep<'a> {
    Field(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    /// The top-level value.
    pub(in crate::validate) const ROOT: At<'static> = At {
        steps: [AtStep::Index(0); AT_DEPTH],
        len: 0,
    };

    fn with(mut self, step: AtStep<'a>) -> At<'a> {
        debug_assert!((self.len as usize) < AT_DEPTH, "path too deep");
        if let Some(slot) = self.steps.get_mut(self.len as usize) {
            *slot = step;
            self.len += 1;
        }
        self
    }

    /// This path extended by the field `name`.
    pub(in crate::validate) fn field(self, name: &'a str) -> At<'a> {
        self.with(AtStep::Field(name))
    }

    /// This path extended by the index `i`.
    pub(in crate::validate) fn index(self, i: usize) -> At<'a> {
        self.with(AtStep::Index(i))
    }
}

impl From<At<'_>> for Path {
    fn from(at: At<'_>) -> Path {
        Path(
            at.steps[..at.len as usize]
                .iter()
                .map(|s| match *s {
                    AtStep::Field(name) => Step::Field(name.to_owned()),
                    AtStep::Index(i) => Step::Index(i),
                })
                .collect(),
        )
    }
}
