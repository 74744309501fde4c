//! The CTMC of a tree: states reached from time 0, one transition per basic event that
//! can fail, the failures it forces (dependencies) settled at the same instant.

use std::collections::{BTreeMap, HashMap};

use crate::Error;
use crate::model::{Dft, Gate, Kind};
use crate::state::{Layout, State};

/// The chain: states (index 0 is the absorbing "top failed" state; index 1 is time 0)
/// and, per state, its transitions (target, rate).
pub(crate) struct Chain {
    pub states: Vec<State>,
    pub rows: Vec<Vec<(u32, f64)>>,
}

/// A distribution over states after an instant's forced failures.
type Dist = BTreeMap<State, f64>;

/// Something pending at an instant: a dependent to force, or a probabilistic
/// dependency's draw (which, on success, forces all its dependents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Pending {
    Force { dependency: usize, dependent: usize },
    Draw { dependency: usize },
}

/// Memo entries one resolution may create before giving up.
const BUDGET: usize = 50_000;

/// Forced failures in a row one resolution may follow before giving up (the search is
/// recursive; this keeps it far from the end of the stack).
const MAX_DEPTH: usize = 1_000;

/// Resolves the forced failures of an instant. When the tree has order-sensitive parts
/// (priority and spare gates), every order of the pending failures is tried and they must
/// agree: Storm resolves this order nondeterministically, so a tree where it matters has
/// no single answer.
struct Resolver<'a> {
    dft: &'a Dft,
    layout: &'a Layout,
    sensitive: bool,
    memo: HashMap<(State, Vec<Pending>), Dist>,
    /// For each element, the dependencies it triggers.
    triggers: Vec<Vec<usize>>,
}

fn top_failed() -> State {
    Box::new([])
}

impl Resolver<'_> {
    /// Fails basic event `b` in `s` and returns what is newly pending.
    fn fail(&self, s: &mut State, b: usize, pending: &mut Vec<Pending>) {
        let before = self.layout.failed_words(s).to_vec();
        self.layout.fail(self.dft, s, b);
        let after = self.layout.failed_words(s);
        for (w, (old, new)) in before.iter().zip(after).enumerate() {
            let mut newly = new & !old;
            while newly != 0 {
                let element = w * 64 + newly.trailing_zeros() as usize;
                newly &= newly - 1;
                for &d in &self.triggers[element] {
                    self.fire(d, pending);
                }
            }
        }
        pending.sort_unstable();
        pending.dedup();
    }

    /// Dependency `d`'s trigger has just failed.
    fn fire(&self, d: usize, pending: &mut Vec<Pending>) {
        let Kind::Dependency {
            probability,
            dependents,
            ..
        } = &self.dft.elements[d].kind
        else {
            return;
        };
        if *probability >= 1.0 {
            pending.extend(dependents.iter().map(|&x| Pending::Force {
                dependency: d,
                dependent: x,
            }));
        } else if *probability > 0.0 {
            pending.push(Pending::Draw { dependency: d });
        }
    }

    /// The outcomes of taking `item` now: (probability, state, what is still pending).
    fn take(
        &self,
        s: &State,
        pending: &[Pending],
        item: Pending,
    ) -> Vec<(f64, State, Vec<Pending>)> {
        let mut rest: Vec<Pending> = pending.iter().copied().filter(|&p| p != item).collect();
        match item {
            Pending::Force { dependent, .. } => {
                let mut next = s.clone();
                if !self.layout.failed(&next, dependent) {
                    self.fail(&mut next, dependent, &mut rest);
                }
                vec![(1.0, next, rest)]
            }
            Pending::Draw { dependency } => {
                let Kind::Dependency {
                    probability,
                    dependents,
                    ..
                } = &self.dft.elements[dependency].kind
                else {
                    return vec![(1.0, s.clone(), rest)];
                };
                let mut forced = rest.clone();
                forced.extend(dependents.iter().map(|&x| Pending::Force {
                    dependency,
                    dependent: x,
                }));
                forced.sort_unstable();
                forced.dedup();
                vec![
                    (*probability, s.clone(), forced),
                    (1.0 - probability, s.clone(), rest),
                ]
            }
        }
    }

    /// The distribution of settled states from `s` with `pending` to do.
    fn settle(&mut self, s: State, pending: Vec<Pending>) -> Result<Dist, Error> {
        if self.sensitive {
            self.memo.clear();
            self.resolve(s, pending, 0)
        } else {
            Ok(self.in_one_order(s, pending))
        }
    }

    /// Pending failures taken in one order (the first pending first), without recursion:
    /// enough when no gate can tell the order.
    fn in_one_order(&self, s: State, pending: Vec<Pending>) -> Dist {
        let mut dist = Dist::new();
        let mut work = vec![(1.0, s, pending)];
        while let Some((p, s, pending)) = work.pop() {
            if self.layout.failed(&s, self.dft.top) {
                *dist.entry(top_failed()).or_insert(0.0) += p;
            } else if let Some(&item) = pending.first() {
                let outcomes = self.take(&s, &pending, item);
                work.extend(
                    outcomes
                        .into_iter()
                        .filter(|o| o.0 > 0.0)
                        .map(|(q, t, rest)| (p * q, t, rest)),
                );
            } else {
                *dist.entry(s).or_insert(0.0) += p;
            }
        }
        dist
    }

    /// Every order tried (memoized on what is done); they must agree.
    fn resolve(&mut self, s: State, pending: Vec<Pending>, depth: usize) -> Result<Dist, Error> {
        if self.layout.failed(&s, self.dft.top) {
            return Ok(Dist::from([(top_failed(), 1.0)]));
        }
        if pending.is_empty() {
            return Ok(Dist::from([(s, 1.0)]));
        }
        let key = (s, pending);
        if let Some(d) = self.memo.get(&key) {
            return Ok(d.clone());
        }
        if self.memo.len() >= BUDGET || depth >= MAX_DEPTH {
            return Err(Error::TooManySimultaneous);
        }
        let (s, pending) = &key;
        let mut first: Option<(Pending, Dist)> = None;
        for &item in pending {
            let dist = self.outcome(s, pending, item, depth)?;
            match &first {
                None => first = Some((item, dist)),
                Some((other, d)) if !same(d, &dist) => return Err(self.order_error(*other, item)),
                Some(_) => {}
            }
        }
        let dist = first.map(|f| f.1).unwrap_or_default();
        self.memo.insert(key, dist.clone());
        Ok(dist)
    }

    fn outcome(
        &mut self,
        s: &State,
        pending: &[Pending],
        item: Pending,
        depth: usize,
    ) -> Result<Dist, Error> {
        let mut dist = Dist::new();
        for (p, next, rest) in self.take(s, pending, item) {
            if p <= 0.0 {
                continue;
            }
            for (t, q) in self.resolve(next, rest, depth + 1)? {
                *dist.entry(t).or_insert(0.0) += p * q;
            }
        }
        Ok(dist)
    }

    fn order_error(&self, a: Pending, b: Pending) -> Error {
        let name = |p: Pending| {
            let (Pending::Force { dependency, .. } | Pending::Draw { dependency }) = p;
            self.dft.elements[dependency].name.clone()
        };
        let what = |p: Pending| match p {
            Pending::Force { dependent, .. } => {
                format!("the failure of '{}'", self.dft.elements[dependent].name)
            }
            Pending::Draw { dependency } => {
                format!("the draw of '{}'", self.dft.elements[dependency].name)
            }
        };
        let (first, second) = (name(a), name(b));
        let forced_by = if first == second {
            format!("'{first}'")
        } else {
            format!("'{first}' and '{second}'")
        };
        Error::OrderDependent {
            forced_by,
            failures: format!("{} and {}", what(a), what(b)),
        }
    }
}

fn same(a: &Dist, b: &Dist) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((s, p), (t, q))| s == t && (p - q).abs() <= 1e-12)
}

/// Whether the order of simultaneous failures can matter: priority and spare gates.
fn order_sensitive(dft: &Dft) -> bool {
    dft.elements.iter().any(|e| {
        matches!(
            e.kind,
            Kind::Gate {
                gate: Gate::Pand | Gate::Por | Gate::Spare,
                ..
            }
        )
    })
}

/// For each element, the dependencies it triggers.
fn triggers(dft: &Dft) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); dft.elements.len()];
    for (d, e) in dft.elements.iter().enumerate() {
        if let Kind::Dependency { trigger, .. } = e.kind {
            out[trigger].push(d);
        }
    }
    out
}

/// Builds the chain of `dft`, refusing more than `limit` states.
pub(crate) fn explore(dft: &Dft, layout: &Layout, limit: usize) -> Result<Chain, Error> {
    let mut resolver = Resolver {
        dft,
        layout,
        sensitive: order_sensitive(dft),
        memo: HashMap::new(),
        triggers: triggers(dft),
    };
    let mut states = vec![top_failed(), layout.initial()];
    let mut index: HashMap<State, u32> = states.iter().cloned().zip(0..).collect();
    let mut rows = vec![Vec::new()];
    if limit < states.len() {
        return Err(Error::TooManyStates { limit });
    }
    let mut next = 1;
    while next < states.len() {
        let s = states[next].clone();
        let mut row: BTreeMap<u32, f64> = BTreeMap::new();
        let active = layout.active(dft, &s);
        for &b in &layout.basics {
            let rate = layout.rate(dft, &s, &active, b);
            if rate <= 0.0 {
                continue;
            }
            let mut t = s.clone();
            let mut pending = Vec::new();
            resolver.fail(&mut t, b, &mut pending);
            for (target, p) in resolver.settle(t, pending)? {
                let id = intern(&mut states, &mut index, target, limit)?;
                *row.entry(id).or_insert(0.0) += rate * p;
            }
        }
        rows.push(row.into_iter().collect());
        next += 1;
    }
    Ok(Chain { states, rows })
}

fn intern(
    states: &mut Vec<State>,
    index: &mut HashMap<State, u32>,
    s: State,
    limit: usize,
) -> Result<u32, Error> {
    if let Some(&i) = index.get(&s) {
        return Ok(i);
    }
    if states.len() >= limit || states.len() >= u32::MAX as usize {
        return Err(Error::TooManyStates { limit });
    }
    let i = states.len() as u32;
    index.insert(s.clone(), i);
    states.push(s);
    Ok(i)
}
