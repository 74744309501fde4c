//! The books of a run: what users saw at the service boundary, and what it cost them.
//!
//! Components' changes are committed after each event has settled ([`Sim::commit`]); what
//! users see is committed only when the whole instant has settled ([`Sim::close_instant`]):
//! every event at that time handled, including those that handling them scheduled for the
//! same time (an automated spare deployed in zero seconds, a repair that takes none). So a
//! service failure that appears and vanishes within one instant is never counted: a failure
//! lasts longer than zero. The books keep time in each state per component, per-service
//! downtime, degraded time, failures and user-minutes, and the site-wide figures (any
//! service failed).

use super::network::TOUCHED;
use super::propagation::{Class, Health, SvcState};
use super::{Note, Observer, Sim};
use crate::model::{FEEDS_GROUP, Model, NONE, SERVICE};

/// Per-service measurements of one run.
#[derive(Clone, Debug, Default)]
pub struct ServiceRun {
    /// Current state (during the run) / final state (after it).
    pub state: SvcState,
    since: f64,
    pub(crate) frac: f64,
    /// Seconds failed.
    pub downtime: f64,
    /// Seconds degraded but not failed.
    pub degraded: f64,
    /// Number of failures (entries into the failed state).
    pub failures: u32,
    /// Time of the first failure, +inf if none.
    pub first_failure: f64,
    /// Users × seconds affected (the affected share of users, integrated over time).
    pub user_seconds: f64,
}

/// What a run measured at the service boundary.
#[derive(Clone)]
pub struct Books {
    /// Seconds spent in each [`Class`] per component, this run.
    pub time_in: Vec<[f64; 4]>,
    /// Per component: its index in [`Model::services`], [`NONE`] if not a service.
    svc_of: Vec<u32>,
    /// Per service (in [`Model::services`] order).
    pub svc: Vec<ServiceRun>,
    /// Services failed right now.
    pub(crate) failed_now: u32,
    /// When the site last went from no service failed to some failed.
    site_since: f64,
    /// Seconds during which at least one service was failed.
    pub site_down: f64,
    /// Number of times the site went from no service failed to some service failed.
    pub site_failures: u32,
    /// Root fault slot of each service failure this run ([`NONE`] when unknown).
    pub roots: Vec<u32>,
    /// Reused buffer for a failure's propagation path.
    path: Vec<u32>,
    /// Services whose output changed during the current instant, in the order they did.
    pending: Vec<u32>,
    /// Per service: whether it is in `pending`.
    is_pending: Vec<bool>,
    /// Per service with an objective: where its windows' failed seconds start in
    /// `window_down` ([`NONE`] without an objective).
    pub window_at: Vec<u32>,
    /// Per service: how many whole windows its objective has in a run (0 without one).
    window_n: Vec<u32>,
    /// Failed seconds in each whole window of each service with an objective.
    pub window_down: Vec<f64>,
}

impl Books {
    /// Empty books for `m`.
    pub(crate) fn new(m: &Model) -> Books {
        let mut svc_of = vec![NONE; m.comps.len()];
        for (k, &c) in m.services.iter().enumerate() {
            svc_of[c as usize] = k as u32;
        }
        let mut window_at = vec![NONE; m.services.len()];
        let mut window_n = vec![0; m.services.len()];
        let mut windows = 0;
        for (k, &c) in m.services.iter().enumerate() {
            if let Some(o) = m.comps[c as usize].service.and_then(|s| s.objective) {
                window_at[k] = windows as u32;
                window_n[k] = o.windows(m.horizon) as u32;
                windows += o.windows(m.horizon);
            }
        }
        Books {
            window_at,
            window_n,
            window_down: vec![0.0; windows],
            time_in: vec![[0.0; 4]; m.comps.len()],
            svc_of,
            svc: vec![ServiceRun::default(); m.services.len()],
            failed_now: 0,
            site_since: 0.0,
            site_down: 0.0,
            site_failures: 0,
            roots: Vec::new(),
            path: Vec::new(),
            pending: Vec::new(),
            is_pending: vec![false; m.services.len()],
        }
    }

    /// Whether some service changed during the current instant and is not committed yet.
    pub(crate) fn instant_open(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Opens the books of a new run whose services start out delivering `out(c)`.
    pub(crate) fn reset(&mut self, m: &Model, out: impl Fn(usize) -> Health) {
        self.time_in.fill([0.0; 4]);
        for (k, &c) in m.services.iter().enumerate() {
            let spec = m.comps[c as usize].service.expect("service");
            let h = out(c as usize);
            self.svc[k] = ServiceRun {
                state: SvcState::of(&spec, h),
                since: 0.0,
                frac: SvcState::affected(&spec, h),
                downtime: 0.0,
                degraded: 0.0,
                failures: 0,
                first_failure: f64::INFINITY,
                user_seconds: 0.0,
            };
        }
        self.failed_now = self
            .svc
            .iter()
            .filter(|s| s.state == SvcState::Failed)
            .count() as u32;
        self.site_since = 0.0;
        self.site_down = 0.0;
        self.site_failures = 0;
        self.roots.clear();
        self.pending.clear();
        self.is_pending.fill(false);
        self.window_down.fill(0.0);
    }

    /// Adds the failed interval [a, b] of service `si` (with `objective`) to the windows it
    /// falls in.
    fn failed_in_windows(&mut self, si: usize, objective: crate::model::Objective, a: f64, b: f64) {
        let start = self.window_at[si] as usize;
        let n = self.window_n[si] as usize;
        let bins = &mut self.window_down[start..start + n];
        let w = objective.window;
        let mut k = (a / w).floor() as usize;
        let mut t = a;
        while t < b && k < bins.len() {
            let end = ((k + 1) as f64 * w).min(b);
            if end > t {
                bins[k] += end - t;
                t = end;
            }
            k += 1;
        }
    }

    /// Service `si`'s failed seconds in each of its whole windows (empty without an
    /// objective).
    pub fn windows_of(&self, si: usize) -> &[f64] {
        let start = self.window_at[si];
        if start == NONE {
            return &[];
        }
        &self.window_down[start as usize..(start + self.window_n[si]) as usize]
    }
}

impl Sim<'_> {
    /// Commits settled changes: accounting, service transitions, notes. The run loop calls
    /// it only when some component's output changed (the touched list is not empty).
    pub(crate) fn commit<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        debug_assert!(!self.net.touched.is_empty(), "commit with nothing touched");
        // A group's readiness follows its members', watched or not.
        self.readiness_changed();
        for k in 0..self.net.touched.len() {
            let i = self.net.touched[k];
            let iu = i as usize;
            let flags = m.nodes[iu].flags;
            let st = &mut self.net.st[iu];
            st.bits &= !TOUCHED;
            let h = st.out;
            let cls = Class::of(h, m.nodes[iu].capacity);
            let old = st.class;
            if cls != old {
                self.books.time_in[iu][old as usize] += self.now - st.since;
                st.since = self.now;
                st.class = cls;
                self.class_changed(i, old, cls, obs);
            }
            if m.response.is_some() && !m.alerts_of.row(iu).is_empty() {
                self.check_alerts(iu);
            }
            if flags & SERVICE != 0 {
                // Users' view waits until the instant has settled (close_instant).
                let si = self.books.svc_of[iu] as usize;
                if !self.books.is_pending[si] {
                    self.books.is_pending[si] = true;
                    self.books.pending.push(si as u32);
                }
            }
        }
        self.net.touched.clear();
    }

    /// Component `i`'s committed class went from `old` to `cls` (its books already moved):
    /// notes, mitigations triggered by the change, demands on the other members of its
    /// groups, and groups that masked it.
    fn class_changed<O: Observer>(&mut self, i: u32, old: Class, cls: Class, obs: &mut O) {
        let m = self.m;
        let iu = i as usize;
        let h = self.net.st[iu].out;
        if self.is_tripped(iu) && old != Class::Down {
            obs.note(
                self.now,
                Note::Tripped {
                    comp: i,
                    via: self.net.st[iu].via,
                },
            );
        }
        obs.note(
            self.now,
            Note::Change {
                comp: i,
                from: old,
                to: cls,
                health: h,
                cause: self.net.st[iu].cause,
                via: self.net.st[iu].via,
            },
        );
        if !m.mitigations.is_empty() {
            self.on_class_change(iu, cls == Class::Healthy);
        }
        if m.demands && old == Class::Healthy && m.nodes[iu].flags & FEEDS_GROUP != 0 {
            self.demand_others(iu);
        }
        if cls != Class::Healthy && m.nodes[iu].flags & FEEDS_GROUP != 0 {
            for &g in m.groups_of.row(iu) {
                if self.classify(g as usize, self.net.st[g as usize].out) == Class::Healthy {
                    let by_backup =
                        m.comps[g as usize].voter.is_some() && !self.has_majority(g as usize);
                    obs.note(
                        self.now,
                        Note::Masked {
                            group: g,
                            member: i,
                            by_backup,
                        },
                    );
                }
            }
        }
    }

    /// Commits what users see at the end of an instant: every service whose output changed
    /// during it, compared with what it was before the instant. Response hooks it calls may
    /// schedule more events at this very instant; the run loop handles them and closes the
    /// instant again. (Only [`Sim::commit`] marks services pending, never a hook.)
    pub(crate) fn close_instant<O: Observer>(&mut self, obs: &mut O) {
        for k in 0..self.books.pending.len() {
            let si = self.books.pending[k] as usize;
            self.books.is_pending[si] = false;
            let comp = self.m.services[si] as usize;
            let h = self.net.st[comp].out;
            self.service_change(si, comp, h, obs);
        }
        self.books.pending.clear();
    }

    fn service_change<O: Observer>(&mut self, si: usize, comp: usize, h: Health, obs: &mut O) {
        self.phase_service_changing(si);
        let m = self.m;
        let spec = m.comps[comp].service.as_ref().expect("service");
        let users = spec.users as f64;
        let now = self.now;
        let st = SvcState::of(spec, h);
        let a = &mut self.books.svc[si];
        let dt = now - a.since;
        match a.state {
            SvcState::Failed => {
                a.downtime += dt;
                if let Some(o) = spec.objective {
                    let since = a.since;
                    self.books.failed_in_windows(si, o, since, now);
                }
            }
            SvcState::Degraded => a.degraded += dt,
            SvcState::Up => {}
        }
        let a = &mut self.books.svc[si];
        a.user_seconds += users * a.frac * dt;
        a.since = now;
        a.frac = SvcState::affected(spec, h);
        let old = a.state;
        if st == old {
            if st == SvcState::Failed && self.m.response.is_some() {
                // Still failed, perhaps for a new reason that somebody must notice.
                self.on_service_cause_changed(si, comp, obs);
            }
            return;
        }
        a.state = st;
        if st == SvcState::Failed {
            a.failures += 1;
            a.first_failure = a.first_failure.min(now);
            let root = self.net.st[comp].cause;
            self.books.roots.push(root);
            if self.books.failed_now == 0 {
                self.books.site_since = now;
                self.books.site_failures += 1;
            }
            self.books.failed_now += 1;
            self.phase_service_failed(self.books.failed_now == 1);
            if O::ACTIVE {
                self.books.path.clear();
                let mut x = comp as u32;
                while x != NONE && self.books.path.len() <= self.m.comps.len() {
                    self.books.path.push(x);
                    x = self.net.st[x as usize].via;
                }
                self.books.path.reverse();
                obs.failure(now, comp as u32, root, &self.books.path);
            }
        } else if old == SvcState::Failed {
            self.books.failed_now -= 1;
            if self.books.failed_now == 0 {
                self.books.site_down += now - self.books.site_since;
            }
        }
        obs.note(
            now,
            Note::Service {
                comp: comp as u32,
                from: old,
                to: st,
                health: h,
            },
        );
        if st == SvcState::Failed {
            self.on_service_failed(si, comp);
        } else if old == SvcState::Failed {
            self.on_service_restored(si, obs);
        }
    }

    /// Closes the books at `end` (the horizon, or where the event cap stopped the run).
    pub(crate) fn close_books(&mut self, end: f64) {
        for i in 0..self.m.comps.len() {
            let st = &mut self.net.st[i];
            self.books.time_in[i][st.class as usize] += end - st.since;
            st.since = end;
        }
        for si in 0..self.books.svc.len() {
            let comp = self.m.services[si] as usize;
            let h = self.net.st[comp].out;
            self.service_change(si, comp, h, &mut ());
        }
        if self.books.failed_now > 0 {
            self.books.site_down += end - self.books.site_since;
            self.books.site_since = end;
        }
    }
}
