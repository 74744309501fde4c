//! Burn-rate rules: alerts on a service's error budget (the SRE Workbook's multi-window,
//! multi-burn-rate alerts).
//!
//! The burn rate over a window `w` at time `t` is the failed seconds in `[t − w, t]`
//! divided by `w × (1 − availability)`. A rule pages when the rate over both its long and
//! its short window is at least its factor, and resets once the short window's rate drops
//! below it.
//!
//! Nothing is polled. The failed seconds in a trailing window are piecewise linear in `t`
//! (slope 1 − whether the window's left edge is in a failure), so while the service is
//! failed both windows' failed time only grows and the moment each reaches its threshold
//! can be worked out from the failures the window still holds: the rule's page is scheduled
//! at the later of the two, with a generation that cancels it if the failure ends first.
//! While the service is up both only shrink: nothing can page, and whether the rule has
//! reset (the short window's rate fell below the factor) is known at the next failure's
//! start, where the short window is at its lowest.
//!
//! Each rule keeps its past failures in a ring of [`RING`] intervals, preallocated; those
//! wholly older than the long window are dropped, and if the ring is still full its two
//! oldest intervals are merged (the gap between them then counts as failed: the only
//! approximation, on a rule watching more than [`RING`] failures within its long window).
//!
//! Each failure episode of the service is judged when it ends: **significant** if it used
//! at least the objective's `significant` share of one window's error budget. A rule
//! *detected* a significant episode if it paged during it (the delay runs from the
//! episode's start), *missed* it if it did not; a page during an episode that was not
//! significant is a *nuisance* page. A rule still firing from an earlier episode when a new
//! one starts covers it: neither detected (no delay to measure) nor missed. The *policy* of
//! a service is all its rules together: it pages at the first of them.

use super::DetectedBy;
use crate::engine::event::ResponseEvent;
use crate::engine::{Observer, Sim};
use crate::model::{Condition, Csr, Model, NONE};
use crate::stats::Moments;

/// Past failure intervals each rule keeps.
pub const RING: usize = 64;

/// What one rule (or one service's policy) did in one run.
#[derive(Clone, Debug, Default)]
pub struct BurnRun {
    /// Pages.
    pub pages: u32,
    /// Pages during episodes that were not significant.
    pub nuisance: u32,
    /// Significant episodes of its service.
    pub significant: u32,
    /// Significant episodes it paged for.
    pub detected: u32,
    /// Significant episodes it did not page for and was not already firing for.
    pub missed: u32,
    /// Seconds from each detected episode's start to the page.
    pub delay: Moments,
}

/// The burn-rate rules of a model and their state in the current run.
#[derive(Clone)]
pub struct BurnState {
    /// Per rule: its alert index.
    pub alert: Vec<u32>,
    /// Per rule: its service (index into [`Model::services`]).
    pub service: Vec<u32>,
    /// Per rule: failed seconds its long and short windows must hold to page.
    need: Vec<[f64; 2]>,
    /// Per rule: its long and short windows, seconds.
    window: Vec<[f64; 2]>,
    /// Per service: its rules.
    rules_of: Csr,
    /// Per service: failed seconds that make an episode significant (+inf: no rules).
    significant: Vec<f64>,
    /// Per rule: `RING` slots of past failures `[start, end]`, oldest first.
    ring: Vec<[f64; 2]>,
    /// Per rule: intervals held in its ring.
    held: Vec<u32>,
    /// Per rule: invalidates a scheduled page.
    generation: Vec<u32>,
    /// Per rule: paged and not reset yet.
    firing: Vec<bool>,
    /// Per rule: when it paged in the current episode (NaN: it did not).
    paged_at: Vec<f64>,
    /// Per rule: it was firing already when the current episode began.
    covered: Vec<bool>,
    /// Per service: the start of its current failure episode (NaN: not failed).
    since: Vec<f64>,
    /// Per rule, then per service (its policy): what it did this run.
    pub run: Vec<BurnRun>,
}

impl BurnState {
    /// The rules of `m` (alerts with a `Burn` condition), with every buffer allocated.
    pub fn new(m: &Model) -> BurnState {
        let mut svc_of = vec![NONE; m.comps.len()];
        for (k, &c) in m.services.iter().enumerate() {
            svc_of[c as usize] = k as u32;
        }
        let (mut alert, mut service, mut need, mut window) = (vec![], vec![], vec![], vec![]);
        let mut significant = vec![f64::INFINITY; m.services.len()];
        for (a, spec) in m.alerts.iter().enumerate() {
            let Condition::Burn(b) = spec.when else {
                continue;
            };
            let si = svc_of[spec.comp as usize];
            let o = m.comps[spec.comp as usize]
                .service
                .and_then(|s| s.objective);
            let (Some(o), true) = (o, si != NONE) else {
                continue;
            };
            let rate = b.factor * (1.0 - o.availability);
            alert.push(a as u32);
            service.push(si);
            need.push([rate * b.long, rate * b.short]);
            window.push([b.long, b.short]);
            significant[si as usize] = o.significant * o.budget();
        }
        let pairs: Vec<(u32, u32)> = (service.iter().enumerate())
            .map(|(r, &s)| (s, r as u32))
            .collect();
        let n = alert.len();
        BurnState {
            rules_of: Csr::from_pairs(m.services.len(), &pairs),
            alert,
            service,
            need,
            window,
            significant,
            ring: vec![[0.0; 2]; n * RING],
            held: vec![0; n],
            generation: vec![0; n],
            firing: vec![false; n],
            paged_at: vec![f64::NAN; n],
            covered: vec![false; n],
            since: vec![f64::NAN; m.services.len()],
            run: vec![BurnRun::default(); n + m.services.len()],
        }
    }

    /// Whether the model has no burn-rate rules (then nothing here ever runs).
    pub fn is_empty(&self) -> bool {
        self.alert.is_empty()
    }

    /// Number of rules.
    pub fn rules(&self) -> usize {
        self.alert.len()
    }

    /// Back to the start of a run.
    fn reset(&mut self) {
        self.held.fill(0);
        self.generation.fill(0);
        self.firing.fill(false);
        self.paged_at.fill(f64::NAN);
        self.covered.fill(false);
        self.since.fill(f64::NAN);
        self.run.fill(BurnRun::default());
    }

    /// Rule `r` at the start of a failure at `now`: reset if its short window's rate fell
    /// below the factor; unless still firing, when its page is due (a new generation).
    fn arm(&mut self, r: usize, now: f64) -> Option<f64> {
        self.paged_at[r] = f64::NAN;
        let short = failed_in(self.past(r), f64::NAN, now - self.window[r][1], now);
        if self.firing[r] && short < self.need[r][1] {
            self.firing[r] = false;
        }
        self.covered[r] = self.firing[r];
        if self.firing[r] {
            return None;
        }
        let due =
            [0, 1].map(|j| reached(self.past(r), now, now, self.window[r][j], self.need[r][j]));
        self.generation[r] += 1;
        Some(due[0].max(due[1]))
    }

    /// Rule `r`'s past failures.
    fn past(&self, r: usize) -> &[[f64; 2]] {
        &self.ring[r * RING..r * RING + self.held[r] as usize]
    }

    /// Adds the failure `[a, b]` to rule `r`'s ring, first dropping what its long window
    /// can no longer see at `b`, then, if still full, merging the two oldest.
    fn remember(&mut self, r: usize, a: f64, b: f64) {
        let ring = &mut self.ring[r * RING..(r + 1) * RING];
        let held = self.held[r] as usize;
        let old = ring[..held]
            .iter()
            .take_while(|x| x[1] <= b - self.window[r][0])
            .count();
        ring.copy_within(old..held, 0);
        let mut held = held - old;
        if held == RING {
            ring[0][1] = ring[1][1];
            ring.copy_within(2..RING, 1);
            held -= 1;
        }
        ring[held] = [a, b];
        self.held[r] = held as u32 + 1;
    }
}

/// Failed seconds in `[from, to]`, from past failures (sorted, disjoint) and a failure
/// under way since `since` (NaN: none).
pub fn failed_in(past: &[[f64; 2]], since: f64, from: f64, to: f64) -> f64 {
    let overlap = |a: f64, b: f64| (b.min(to) - a.max(from)).max(0.0);
    let ongoing = if since.is_nan() {
        0.0
    } else {
        overlap(since, to)
    };
    past.iter().map(|x| overlap(x[0], x[1])).sum::<f64>() + ongoing
}

/// The earliest time from `now` at which a trailing window of `w` seconds holds `need`
/// failed seconds, the service failed since `since` and staying failed: the window gains
/// one second per second except while its left edge crosses a past failure.
pub fn reached(past: &[[f64; 2]], since: f64, now: f64, w: f64, need: f64) -> f64 {
    let start = now - w;
    let missing = need - failed_in(past, since, start, now);
    if missing <= 0.0 {
        return now;
    }
    // The left edge walks from `start`; `gained` is what the window has gained so far.
    let (mut edge, mut gained) = (start, 0.0);
    let failures = past
        .iter()
        .copied()
        .chain(std::iter::once([since, f64::INFINITY]));
    for [a, b] in failures {
        if b <= edge {
            continue;
        }
        let up = a.max(edge) - edge;
        if gained + up >= missing {
            return now + (edge - start) + (missing - gained);
        }
        gained += up;
        edge = b;
    }
    // The edge reached the failure under way: the whole window is failed.
    now + (since - start)
}

impl Sim<'_> {
    /// Starts the burn rules' run: a service failed from the start is an episode from 0.
    pub(super) fn reset_burns(&mut self) {
        self.rs.burn.reset();
        if self.rs.burn.is_empty() {
            return;
        }
        for si in 0..self.m.services.len() {
            if self.books.svc[si].state == crate::engine::propagation::SvcState::Failed {
                self.burn_failed(si);
            }
        }
    }

    /// Service `si` just failed: rules that have reset arm a page at the moment both their
    /// windows will hold enough.
    pub(super) fn burn_failed(&mut self, si: usize) {
        let now = self.now;
        self.rs.burn.since[si] = now;
        for k in 0..self.rs.burn.rules_of.row(si).len() {
            let r = self.rs.burn.rules_of.row(si)[k] as usize;
            if let Some(at) = self.rs.burn.arm(r, now) {
                let generation = self.rs.burn.generation[r];
                self.schedule(
                    at,
                    ResponseEvent::Burn {
                        rule: r as u32,
                        generation,
                    },
                );
            }
        }
    }

    /// Service `si` is no longer failed: pending pages are cancelled, the episode is
    /// remembered and judged.
    pub(super) fn burn_restored(&mut self, si: usize) {
        let now = self.now;
        let b = &mut self.rs.burn;
        let since = b.since[si];
        if since.is_nan() {
            return;
        }
        b.since[si] = f64::NAN;
        for k in 0..b.rules_of.row(si).len() {
            let r = b.rules_of.row(si)[k] as usize;
            b.generation[r] += 1;
            b.remember(r, since, now);
        }
        self.judge_episode(si, since, now);
    }

    /// A rule's page is due: both its windows hold enough failed time.
    pub(super) fn burn_page<O: Observer>(&mut self, rule: u32, generation: u32, obs: &mut O) {
        let (r, now) = (rule as usize, self.now);
        let b = &mut self.rs.burn;
        if b.generation[r] != generation || b.firing[r] || b.since[b.service[r] as usize].is_nan() {
            return;
        }
        b.firing[r] = true;
        b.paged_at[r] = now;
        b.run[r].pages += 1;
        let alert = b.alert[r];
        let comp = self.m.alerts[alert as usize].comp as usize;
        self.detect(comp, DetectedBy::Alert(alert), obs);
    }

    /// Judges the episode `[since, end]` of service `si` for each of its rules and for its
    /// policy.
    fn judge_episode(&mut self, si: usize, since: f64, end: f64) {
        let b = &mut self.rs.burn;
        let significant = end - since >= b.significant[si];
        let policy = b.rules() + si;
        let (mut first, mut covered) = (f64::INFINITY, false);
        for k in 0..b.rules_of.row(si).len() {
            let r = b.rules_of.row(si)[k] as usize;
            let paged = b.paged_at[r];
            first = first.min(if paged.is_nan() { f64::INFINITY } else { paged });
            covered |= b.covered[r];
            judge(&mut b.run[r], significant, since, paged, b.covered[r]);
            b.paged_at[r] = f64::NAN;
        }
        let paged = if first.is_finite() { first } else { f64::NAN };
        if !paged.is_nan() {
            b.run[policy].pages += 1;
        }
        judge(
            &mut b.run[policy],
            significant,
            since,
            paged,
            covered && paged.is_nan(),
        );
    }

    /// Ends the rules' run at the horizon: episodes under way are judged as they stand.
    pub(super) fn finish_burns(&mut self) {
        for si in 0..self.rs.burn.since.len() {
            if !self.rs.burn.since[si].is_nan() {
                self.burn_restored(si);
            }
        }
    }
}

/// Counts one episode (starting at `since`) for a rule or a policy that paged at `paged`
/// (NaN: did not), or was firing already (`covered`).
fn judge(x: &mut BurnRun, significant: bool, since: f64, paged: f64, covered: bool) {
    match (significant, paged.is_nan()) {
        (true, false) => {
            x.significant += 1;
            x.detected += 1;
            x.delay.push(paged - since);
        }
        (true, true) => {
            x.significant += 1;
            x.missed += u32::from(!covered);
        }
        (false, false) => x.nuisance += 1,
        (false, true) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_seconds_in_a_window_count_past_and_ongoing_failures() {
        let past = [[10.0, 20.0], [30.0, 35.0]];
        assert_eq!(failed_in(&past, f64::NAN, 0.0, 100.0), 15.0);
        assert_eq!(failed_in(&past, f64::NAN, 15.0, 32.0), 7.0);
        assert_eq!(failed_in(&past, 90.0, 15.0, 100.0), 20.0);
    }

    #[test]
    fn a_clean_outage_reaches_the_threshold_after_exactly_need_seconds() {
        // 14.4 × 0.001 × 3600 = 51.84 s of failure.
        let need = 14.4 * 0.001 * 3600.0;
        let t = reached(&[], 1000.0, 1000.0, 3600.0, need);
        assert!((t - 1051.84).abs() < 1e-9, "{t}");
    }

    #[test]
    fn an_old_failure_leaving_the_window_slows_the_gain() {
        // Window 100 s, need 30 s. A past failure [0, 20]; failed again from 110.
        // At 110 the window [10, 110] holds 10 s. The edge crosses [10, 20] during
        // [110, 120] (no gain), then gains: 20 more seconds are needed, so at 140.
        let t = reached(&[[0.0, 20.0]], 110.0, 110.0, 100.0, 30.0);
        assert!((t - 140.0).abs() < 1e-12, "{t}");
        // Already enough: now.
        assert_eq!(reached(&[[50.0, 100.0]], 110.0, 110.0, 100.0, 30.0), 110.0);
    }

    #[test]
    fn a_full_ring_drops_what_the_long_window_cannot_see_then_merges_the_oldest() {
        let mut b = BurnState::new(&Model::default());
        // One rule by hand: window 1000 s.
        b.alert = vec![0];
        b.service = vec![0];
        b.window = vec![[1000.0, 100.0]];
        b.ring = vec![[0.0; 2]; RING];
        b.held = vec![0];
        for k in 0..RING as u32 + 1 {
            let a = f64::from(k) * 10.0;
            b.remember(0, a, a + 1.0);
        }
        // Everything is within 1000 s: the two oldest were merged into [0, 11].
        assert_eq!(b.held[0] as usize, RING);
        assert_eq!(b.past(0)[0], [0.0, 11.0]);
        assert_eq!(b.past(0)[RING - 1], [640.0, 641.0]);
        // A failure far later: every older one leaves the window.
        b.remember(0, 5000.0, 5001.0);
        assert_eq!(b.past(0), &[[5000.0, 5001.0]]);
    }
}
