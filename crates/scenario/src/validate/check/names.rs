//! Name resolution: the table of component ids, references resolved against it with a
//! "did you mean" for typos, and repeated names in lists.

use super::Checker;
use super::at::At;
use crate::diagnostics::Problem;
use crate::schema::Scenario;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Index;

/// A map from names in the scenario, with rustc's Fx hash: much faster than the default
/// hasher on the short ids of a large scenario (no attacker chooses them).
pub(in crate::validate) type Names<'a, V> = HashMap<&'a str, V, rustc_hash::FxBuildHasher>;

/// Whether `list[k]` equals an earlier item, asked for every `k` in increasing order (a
/// scan for short lists, a hash set for long ones).
pub(in crate::validate) struct Repeats<'a> {
    set: Option<Names<'a, ()>>,
}

impl<'a> Repeats<'a> {
    /// Lists up to this long are scanned.
    const SCAN: usize = 16;

    /// Ready for a list of `len` items.
    pub(in crate::validate) fn new(len: usize) -> Repeats<'a> {
        Repeats {
            set: (len > Self::SCAN)
                .then(|| Names::with_capacity_and_hasher(len, Default::default())),
        }
    }

    /// Whether `key(&list[k])` occurred among `key(&list[j])`, `j < k`.
    pub(in crate::validate) fn at<T>(
        &mut self,
        list: &'a [T],
        k: usize,
        key: impl Fn(&'a T) -> &'a str,
    ) -> bool {
        let name = key(&list[k]);
        match &mut self.set {
            Some(set) => set.insert(name, ()).is_some(),
            None => list[..k].iter().any(|x| key(x) == name),
        }
    }
}

/// The components' ids, each with its index: every reference in the scenario is resolved
/// here, and lowering reads the indices back.
pub(in crate::validate) struct Ids<'a> {
    map: Names<'a, u32>,
    /// The nearest known id of each unknown one (a typo is often repeated).
    suggestions: RefCell<HashMap<String, Option<&'a str>>>,
}

impl<'a> Ids<'a> {
    /// The ids laid out side by side, for [`Ids::collect`] to borrow its keys from.
    pub(in crate::validate) fn arena(sc: &Scenario) -> String {
        sc.components.iter().map(|c| c.id.as_str()).collect()
    }

    /// The table of `sc`'s component ids, reporting empty and duplicate ones; `arena` is
    /// [`Ids::arena`]`(sc)`.
    pub(in crate::validate) fn collect(ck: &mut Checker, sc: &Scenario, arena: &'a str) -> Ids<'a> {
        // The map's keys are copies of the ids laid out side by side: comparing a key then
        // reads one small, dense block of memory instead of a string anywhere in the heap.
        let mut keys = sc.components.iter().scan(0, |at, c| {
            let key = &arena[*at..*at + c.id.len()];
            *at += c.id.len();
            Some(key)
        });
        let mut ids: Names<u32> =
            Names::with_capacity_and_hasher(sc.components.len(), Default::default());
        for (i, c) in sc.components.iter().enumerate() {
            let key = keys.next().expect("one key per component");
            let p = At::ROOT.field("components").index(i).field("id");
            if c.id.trim().is_empty() {
                ck.err(p, "a component needs a non-empty id");
            } else if let Some(&j) = ids.get(c.id.as_str()) {
                ck.push(
                    Problem::new(p, format!("duplicate component id `{}`", c.id)).hint(format!(
                        "first defined at components[{j}]; ids must be unique"
                    )),
                );
            } else {
                ids.insert(key, i as u32);
            }
        }
        Ids {
            map: ids,
            suggestions: RefCell::default(),
        }
    }

    /// The index of the component `id`, if there is one.
    pub(in crate::validate) fn get(&self, id: &str) -> Option<u32> {
        self.map.get(id).copied()
    }

    /// The index of the component `id`, or a problem at `path` (with the nearest known id
    /// as a hint) when there is none.
    pub(in crate::validate) fn resolve(
        &self,
        ck: &mut Checker,
        id: &str,
        path: At<'_>,
    ) -> Option<u32> {
        let found = self.get(id);
        if found.is_none() {
            let mut prob = Problem::new(path, format!("unknown component `{id}`"));
            let suggestion = *self
                .suggestions
                .borrow_mut()
                .entry(id.to_string())
                .or_insert_with(|| closest(id, self.map.keys().copied()));
            if let Some(close) = suggestion {
                prob = prob.hint(format!("did you mean `{close}`?"));
            }
            ck.push(prob);
        }
        found
    }
}

/// Lowering reads the index of an id known to be there.
impl Index<&str> for Ids<'_> {
    type Output = u32;

    fn index(&self, id: &str) -> &u32 {
        &self.map[id]
    }
}

/// The nearest id by edit distance, if it is close enough to be a likely typo (ties go to
/// the first in string order).
fn closest<'a>(id: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    // The work is bounded: no hint for ids too long to be typed by hand, and the search
    // stops after a fixed number of table cells (deterministically: the candidates come
    // in the map's fixed order).
    const MAX_LEN: usize = 100;
    const MAX_CELLS: usize = 20_000_000;
    let limit = 2.max(id.len() / 3);
    let id: Vec<char> = id.chars().collect();
    if id.len() > MAX_LEN {
        return None;
    }
    let mut rows = (Vec::new(), Vec::new());
    let mut best: Option<(usize, &str)> = None;
    let mut cells = 0;
    for c in candidates {
        if cells > MAX_CELLS {
            break;
        }
        // Only a distance up to the best so far can still win.
        let bound = best.map_or(limit, |(d, _)| d.min(limit));
        if c.chars().count().abs_diff(id.len()) > bound {
            continue;
        }
        cells += id.len() * c.len();
        if let Some(d) = edit_distance_within(&id, c, bound, &mut rows)
            && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc))
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The edit distance between `a` and `b` if it is at most `bound` (`rows` are reused
/// buffers).
fn edit_distance_within(
    a: &[char],
    b: &str,
    bound: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=a.len());
    for (i, cb) in b.chars().enumerate() {
        cur.clear();
        cur.push(i + 1);
        for (j, ca) in a.iter().enumerate() {
            let d = (prev[j] + usize::from(ca != &cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(d);
        }
        // Distances never drop below the best of a row.
        if cur.iter().min().is_some_and(|&m| m > bound) {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    Some(prev[a.len()]).filter(|&d| d <= bound)
}

#[cfg(test)]
mod tests {
    use super::closest;

    /// The plain definitions `closest` must agree with.
    fn edit_distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    fn plain_closest<'a>(id: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let mut best: Option<(usize, &str)> = None;
        for &c in candidates {
            let d = edit_distance(id, c);
            if d <= 2.max(id.len() / 3) && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
                best = Some((d, c));
            }
        }
        best.map(|(_, c)| c)
    }

    #[test]
    fn closest_matches_the_plain_definition() {
        let mut rand = crate::testing::xorshift(0x0DDB_1A5E_5BAD_5EED);
        let alphabet: Vec<char> = "abcé_1→".chars().collect();
        let word = |rand: &mut dyn FnMut(usize) -> usize| -> String {
            (0..rand(12))
                .map(|_| alphabet[rand(alphabet.len())])
                .collect()
        };
        for _ in 0..400 {
            let pool: Vec<String> = (0..rand(60)).map(|_| word(&mut rand)).collect();
            let candidates: Vec<&str> = pool.iter().map(String::as_str).collect();
            for _ in 0..10 {
                let id = if candidates.is_empty() || rand(2) == 0 {
                    word(&mut rand)
                } else {
                    // A near miss of a candidate.
                    let mut w: Vec<char> = candidates[rand(candidates.len())].chars().collect();
                    for _ in 0..rand(4) {
                        match rand(3) {
                            0 if !w.is_empty() => {
                                w.remove(rand(w.len()));
                            }
                            1 => w.insert(rand(w.len() + 1), alphabet[rand(alphabet.len())]),
                            _ if !w.is_empty() => {
                                let k = rand(w.len());
                                w[k] = alphabet[rand(alphabet.len())];
                            }
                            _ => {}
                        }
                    }
                    w.into_iter().collect()
                };
                assert_eq!(
                    closest(&id, candidates.iter().copied()),
                    plain_closest(&id, &candidates),
                    "{id:?} among {candidates:?}"
                );
            }
        }
    }
}
