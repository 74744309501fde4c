//! A checked dynamic fault tree: elements in one array, references as indices.

use crate::galileo::Location;

/// A checked dynamic fault tree. Built only by [`crate::parse`], so every reference
/// resolves, the inputs form no cycle and the top is an event (a gate or a basic event).
#[derive(Debug, Clone, PartialEq)]
pub struct Dft {
    pub(crate) elements: Vec<Element>,
    pub(crate) top: usize,
}

/// One named element of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// The name, as written (without quotes).
    pub name: String,
    /// Where it is defined.
    pub at: Location,
    /// What it is.
    pub kind: Kind,
}

/// What an element is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A basic event: fails after an exponential time.
    Basic {
        /// Failure rate while active (`lambda=`).
        rate: f64,
        /// Factor on the rate while dormant (`dorm=`, 1 if absent, as in Storm).
        dormancy: f64,
    },
    /// A gate over inputs (indices into [`Dft::elements`]).
    Gate {
        /// Which gate.
        gate: Gate,
        /// Its inputs, in the order written (dependencies named as inputs are left out).
        inputs: Vec<usize>,
    },
    /// A functional (`fdep`, probability 1) or probabilistic (`pdep=P`) dependency.
    Dependency {
        /// Probability that a failure of the trigger forces the dependents (all together).
        probability: f64,
        /// The element whose failure triggers.
        trigger: usize,
        /// The basic events forced to fail.
        dependents: Vec<usize>,
    },
    /// A restriction on the order of failures of basic events; it never fails itself.
    Restriction {
        /// Which restriction.
        restriction: Restriction,
        /// The basic events restricted, in the order written.
        members: Vec<usize>,
    },
}

/// The gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Fails when all inputs have failed.
    And,
    /// Fails when any input has failed.
    Or,
    /// Fails when at least `k` inputs have failed (`vot`, `KofN`).
    Vote {
        /// The threshold.
        k: usize,
    },
    /// Priority AND, inclusive (`pand`, `pand-incl`, `pand<=`): fails when all inputs
    /// have failed from first to last, simultaneous failures counting as in order.
    Pand,
    /// Priority OR, inclusive (`por`, `por-incl`, `por<=`): fails when the first input
    /// fails before or with all others.
    Por,
    /// Spare gate (`wsp`, `csp`, `hsp`, `spare`: the same gate; dormancy is the basic
    /// events'): uses its first input, then claims the next free one when it fails.
    Spare,
}

/// The restrictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// `seq`: the members can only fail in the order written.
    Seq,
    /// `mutex`: at most one member ever fails.
    Mutex,
}

impl Dft {
    /// Every element, in the order defined.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// The index of the top event.
    pub fn top(&self) -> usize {
        self.top
    }

    /// The index of the element named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.elements.iter().position(|e| e.name == name)
    }

    /// The dynamic elements (priority and spare gates, dependencies, restrictions), each as
    /// `kind 'name' at line:column` with its location: what keeps the tree from being
    /// static.
    pub fn dynamic_constructs(&self) -> Vec<(String, Location)> {
        let kind = |k: &Kind| match k {
            Kind::Gate {
                gate: Gate::Pand, ..
            } => Some("pand"),
            Kind::Gate {
                gate: Gate::Por, ..
            } => Some("por"),
            Kind::Gate {
                gate: Gate::Spare, ..
            } => Some("spare gate"),
            Kind::Dependency { probability, .. } if *probability < 1.0 => Some("pdep"),
            Kind::Dependency { .. } => Some("fdep"),
            Kind::Restriction {
                restriction: Restriction::Seq,
                ..
            } => Some("seq"),
            Kind::Restriction { .. } => Some("mutex"),
            _ => None,
        };
        self.elements
            .iter()
            .filter_map(|e| {
                let at = e.at;
                kind(&e.kind)
                    .map(|k| (format!("{k} '{}' at {}:{}", e.name, at.line, at.column), at))
            })
            .collect()
    }

    /// Whether the tree is static: only basic events and AND, OR and voting gates, no
    /// dependencies, restrictions or spares (dormancy factors then play no part).
    pub fn is_static(&self) -> bool {
        self.elements.iter().all(|e| match &e.kind {
            Kind::Basic { .. } => true,
            Kind::Gate { gate, .. } => matches!(gate, Gate::And | Gate::Or | Gate::Vote { .. }),
            Kind::Dependency { .. } | Kind::Restriction { .. } => false,
        })
    }
}
