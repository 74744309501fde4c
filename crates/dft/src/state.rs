//! The state of a tree between failures, as words of bits: which elements have failed,
//! which priority gates can no longer fail (failsafe), and which inputs each spare gate has
//! claimed. One failure of a basic event is one step: the event's bit is set, then every
//! gate is evaluated once, inputs before the gates above them.

use crate::model::{Dft, Gate, Kind, Restriction};

/// A state's words; the empty slice is the one absorbing state where the top has failed.
pub(crate) type State = Box<[u64]>;

fn get(words: &[u64], i: usize) -> bool {
    words[i / 64] >> (i % 64) & 1 == 1
}

fn set(words: &mut [u64], i: usize) {
    words[i / 64] |= 1 << (i % 64);
}

/// Where each part of a state is, and what the tree's shape lets us precompute.
pub(crate) struct Layout {
    /// Words per bit set over elements.
    words: usize,
    /// Gates, inputs before the gates above them.
    order: Vec<usize>,
    /// For each element, its spare gate slot if it is a spare gate.
    spare_slot: Vec<Option<usize>>,
    /// Elements active whatever is claimed: those in no spare gate's input's subtree.
    roots: Vec<usize>,
    /// Basic events, in element order.
    pub basics: Vec<usize>,
}

impl Layout {
    /// The layout of `dft`'s states.
    pub fn new(dft: &Dft) -> Layout {
        let n = dft.elements.len();
        let mut spare_slot = vec![None; n];
        let mut spares = 0;
        for (i, e) in dft.elements.iter().enumerate() {
            if matches!(
                e.kind,
                Kind::Gate {
                    gate: Gate::Spare,
                    ..
                }
            ) {
                spare_slot[i] = Some(spares);
                spares += 1;
            }
        }
        let basics = (0..n)
            .filter(|&i| matches!(dft.elements[i].kind, Kind::Basic { .. }))
            .collect();
        Layout {
            words: n.div_ceil(64),
            order: topological(dft),
            spare_slot,
            roots: roots(dft),
            basics,
        }
    }

    fn spares(&self) -> usize {
        self.spare_slot.iter().flatten().count()
    }

    /// The state at time 0: nothing failed, every spare gate using its first input.
    pub fn initial(&self) -> State {
        let mut s = vec![0u64; 2 * self.words + self.spares()];
        for w in &mut s[2 * self.words..] {
            *w = 1;
        }
        s.into_boxed_slice()
    }

    /// Whether element `i` has failed in `s`.
    pub fn failed(&self, s: &[u64], i: usize) -> bool {
        get(&s[..self.words], i)
    }

    fn failsafe(&self, s: &[u64], i: usize) -> bool {
        get(&s[self.words..2 * self.words], i)
    }

    fn mask(&self, s: &[u64], gate: usize) -> u64 {
        self.spare_slot[gate].map_or(0, |slot| s[2 * self.words + slot])
    }

    /// Fails basic event `b` in `s` and evaluates every gate once.
    pub fn fail(&self, dft: &Dft, s: &mut [u64], b: usize) {
        set(&mut s[..self.words], b);
        for &g in &self.order {
            if !self.failed(s, g) && !self.failsafe(s, g) {
                self.evaluate(dft, s, g);
            }
        }
    }

    fn evaluate(&self, dft: &Dft, s: &mut [u64], g: usize) {
        let Kind::Gate { gate, inputs } = &dft.elements[g].kind else {
            return;
        };
        let failed = |s: &[u64], i: usize| self.failed(s, i);
        let verdict = match *gate {
            Gate::And => inputs.iter().all(|&i| failed(s, i)).then_some(true),
            Gate::Or => inputs.iter().any(|&i| failed(s, i)).then_some(true),
            Gate::Vote { k } => {
                (inputs.iter().filter(|&&i| failed(s, i)).count() >= k).then_some(true)
            }
            Gate::Pand => pand(inputs, |i| failed(s, i)),
            Gate::Por => por(inputs, |i| failed(s, i)),
            Gate::Spare => self.spare(dft, s, g, inputs),
        };
        match verdict {
            Some(true) => set(&mut s[..self.words], g),
            Some(false) => set(&mut s[self.words..2 * self.words], g),
            None => {}
        }
    }

    /// A spare gate whose input in use has failed claims the next input that has not
    /// failed and that no spare gate has claimed; with none left it fails.
    fn spare(&self, dft: &Dft, s: &mut [u64], g: usize, inputs: &[usize]) -> Option<bool> {
        let mask = self.mask(s, g);
        let current = 63 - mask.leading_zeros() as usize;
        if !self.failed(s, inputs[current]) {
            return None;
        }
        let free = (current + 1..inputs.len())
            .find(|&j| !self.failed(s, inputs[j]) && !self.claimed(dft, s, inputs[j]));
        match free {
            Some(j) => {
                let slot = self.spare_slot[g].unwrap_or(0);
                s[2 * self.words + slot] |= 1 << j;
                None
            }
            None => Some(true),
        }
    }

    fn claimed(&self, dft: &Dft, s: &[u64], element: usize) -> bool {
        self.spare_slot.iter().enumerate().any(|(g, slot)| {
            slot.is_some()
                && spare_inputs(dft, g)
                    .iter()
                    .enumerate()
                    .any(|(j, &c)| c == element && self.mask(s, g) >> j & 1 == 1)
        })
    }

    /// Which elements are active in `s`: those in no spare gate's input's subtree, and
    /// what active gates reach: all inputs of other gates, claimed inputs of spare gates.
    pub fn active(&self, dft: &Dft, s: &[u64]) -> Vec<u64> {
        let mut on = vec![0u64; self.words];
        let mut stack = self.roots.clone();
        for &r in &self.roots {
            set(&mut on, r);
        }
        while let Some(e) = stack.pop() {
            let Kind::Gate { gate, inputs } = &dft.elements[e].kind else {
                continue;
            };
            let mask = self.mask(s, e);
            for (j, &c) in inputs.iter().enumerate() {
                let reached = *gate != Gate::Spare || mask >> j & 1 == 1;
                if reached && !get(&on, c) {
                    set(&mut on, c);
                    stack.push(c);
                }
            }
        }
        on
    }

    /// Whether a seq or mutex forbids basic event `b` to fail now.
    pub fn forbidden(&self, dft: &Dft, s: &[u64], b: usize) -> bool {
        dft.elements.iter().any(|e| match &e.kind {
            Kind::Restriction {
                restriction: Restriction::Seq,
                members,
            } => members
                .iter()
                .position(|&m| m == b)
                .is_some_and(|p| p > 0 && !self.failed(s, members[p - 1])),
            Kind::Restriction {
                restriction: Restriction::Mutex,
                members,
            } => members.contains(&b) && members.iter().any(|&m| m != b && self.failed(s, m)),
            _ => false,
        })
    }

    /// The failure rate of basic event `b` in `s` given the active set.
    pub fn rate(&self, dft: &Dft, s: &[u64], active: &[u64], b: usize) -> f64 {
        let Kind::Basic { rate, dormancy } = dft.elements[b].kind else {
            return 0.0;
        };
        if self.failed(s, b) || self.forbidden(dft, s, b) {
            return 0.0;
        }
        if get(active, b) {
            rate
        } else {
            rate * dormancy
        }
    }

    /// The failed bits of `s` (to find what a step newly failed).
    pub fn failed_words<'a>(&self, s: &'a [u64]) -> &'a [u64] {
        &s[..self.words]
    }
}

fn spare_inputs(dft: &Dft, g: usize) -> &[usize] {
    match &dft.elements[g].kind {
        Kind::Gate {
            gate: Gate::Spare,
            inputs,
        } => inputs,
        _ => &[],
    }
}

/// PAND: failsafe once an input fails while one before it has not; failed once all have
/// failed (inputs failing at the same step count as in order).
fn pand(inputs: &[usize], failed: impl Fn(usize) -> bool) -> Option<bool> {
    let mut waiting = false;
    for &i in inputs {
        if !failed(i) {
            waiting = true;
        } else if waiting {
            return Some(false);
        }
    }
    (!waiting).then_some(true)
}

/// POR: failed when the first input fails before or with the others; failsafe when
/// another fails first.
fn por(inputs: &[usize], failed: impl Fn(usize) -> bool) -> Option<bool> {
    let others = &inputs[1..];
    if failed(inputs[0]) {
        return Some(true);
    }
    others.iter().any(|&i| failed(i)).then_some(false)
}

/// Gates in an order where each comes after its inputs (iterative post-order).
fn topological(dft: &Dft) -> Vec<usize> {
    let n = dft.elements.len();
    let mut done = vec![false; n];
    let mut order = Vec::new();
    for root in 0..n {
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if done[node] {
                stack.pop();
                continue;
            }
            let inputs: &[usize] = match &dft.elements[node].kind {
                Kind::Gate { inputs, .. } => inputs,
                _ => &[],
            };
            if let Some(&c) = inputs.get(*next) {
                *next += 1;
                if !done[c] {
                    stack.push((c, 0));
                }
            } else {
                done[node] = true;
                stack.pop();
                if !inputs.is_empty() {
                    order.push(node);
                }
            }
        }
    }
    order
}

/// Elements outside every spare module (the subtrees under spare gates' inputs).
fn roots(dft: &Dft) -> Vec<usize> {
    let n = dft.elements.len();
    let mut in_module = vec![false; n];
    let mut stack: Vec<usize> = dft
        .elements
        .iter()
        .flat_map(|e| spare_children(&e.kind))
        .collect();
    while let Some(e) = stack.pop() {
        if in_module[e] {
            continue;
        }
        in_module[e] = true;
        if let Kind::Gate { inputs, .. } = &dft.elements[e].kind {
            stack.extend(inputs.iter().copied());
        }
    }
    (0..n).filter(|&i| !in_module[i]).collect()
}

fn spare_children(kind: &Kind) -> Vec<usize> {
    match kind {
        Kind::Gate {
            gate: Gate::Spare,
            inputs,
        } => inputs.clone(),
        _ => Vec::new(),
    }
}
