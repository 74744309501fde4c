//! Components: capacity, fault modes, groups, voters, services and loads.

use super::{At, Checker, DistUse, Ids, Repeats};
use crate::diagnostics::Problem;
use crate::duration::Duration;
use crate::schema::{
    Component, Effect, FaultMode, Group, GroupKind, Load, Scenario, Service, Voter,
};
use faultline_units::human;

/// Checks every component but its queue (see `check_queues`), one component at a time.
pub(super) fn check_components(ck: &mut Checker, sc: &Scenario, ids: &Ids) {
    for (i, c) in sc.components.iter().enumerate() {
        let cp = At::ROOT.field("components").index(i);
        if !(c.capacity > 0.0 && c.capacity <= 1.0) {
            ck.err(
                cp.field("capacity"),
                format!(
                    "capacity is a fraction of full service in (0, 1], not {}",
                    c.capacity
                ),
            );
        }
        check_faults(ck, c, cp);
        if let Some(g) = &c.group {
            check_group(ck, ids, c, g, cp.field("group"));
        }
        if let Some(v) = &c.voter {
            check_voter(ck, ids, c, v, cp.field("voter"));
        }
        if let Some(s) = &c.service {
            check_service(ck, s, cp.field("service"), sc.horizon);
        }
        if let Some(l) = &c.load {
            check_load(ck, l, cp.field("load"));
        }
        if let Some(d) = c.dormancy {
            check_dormancy(ck, sc, c, d, cp.field("dormancy"));
        }
    }
}

/// Checks a dormancy factor: a fraction, on a component that waits as a spare somewhere,
/// in a scenario without phases (whose clocks would compose with it).
fn check_dormancy(ck: &mut Checker, sc: &Scenario, c: &Component, d: f64, dp: At<'_>) {
    ck.fraction(d, dp, "a dormancy factor");
    let waits = sc.components.iter().any(|g| {
        g.group
            .as_ref()
            .is_some_and(|g| g.kind == GroupKind::Spares && g.of.iter().skip(1).any(|m| *m == c.id))
    });
    if !waits {
        ck.push(
            Problem::new(
                dp,
                format!(
                    "`{}` never waits as a spare, so a dormancy factor would change nothing",
                    c.id
                ),
            )
            .hint(
                "list it after the first member of a group with kind: Spares, or remove dormancy",
            ),
        );
    }
    if sc.phases.is_some() {
        ck.err(
            dp,
            "dormancy and operating phases cannot be combined yet (both change how fast faults come)",
        );
    }
}

/// Checks a component's fault modes.
fn check_faults(ck: &mut Checker, c: &Component, cp: At<'_>) {
    let mut names = Repeats::new(c.faults.len());
    for (j, f) in c.faults.iter().enumerate() {
        let fp = cp.field("faults").index(j);
        if f.name.trim().is_empty() {
            ck.err(fp.field("name"), "a fault mode needs a name");
        } else if names.at(&c.faults, j, |f| f.name.as_str()) {
            ck.err(
                fp.field("name"),
                format!("`{}` has two fault modes named `{}`", c.id, f.name),
            );
        }
        ck.dist(&f.every, fp.field("every"), DistUse::Every);
        ck.effect(&f.effect, fp.field("effect"));
        if let Some(a) = &f.activation {
            ck.dist(a, fp.field("activation"), DistUse::Activation);
        }
        ck.dist(&f.repair, fp.field("repair"), DistUse::Repair);
        if let Some(p) = f.chance {
            ck.fraction(p, fp.field("chance"), "a chance per occurrence");
        }
        check_learning(ck, f, fp);
        check_hidden(ck, f, fp);
    }
}

/// Checks what makes a fault latent or a failure on demand.
fn check_hidden(ck: &mut Checker, f: &FaultMode, fp: At<'_>) {
    let burst = matches!(f.effect, Effect::Burst { .. });
    if let Some(d) = &f.repair_after_demand {
        ck.dist(d, fp.field("repair_after_demand"), DistUse::Repair);
        if !f.latent {
            ck.push(
                Problem::new(
                    fp.field("repair_after_demand"),
                    "only a latent fault has a repair after a demand: other faults show at once",
                )
                .hint("add latent: true, or use repair"),
            );
        }
    }
    if f.latent && burst {
        ck.err(
            fp.field("latent"),
            "a load fault (Burst) cannot be latent: its jobs arrive whether anyone looks or not",
        );
    }
    let Some(p) = f.on_demand else { return };
    ck.fraction(p, fp.field("on_demand"), "a chance of failure on demand");
    if burst {
        ck.err(
            fp.field("on_demand"),
            "a load fault (Burst) cannot fail on demand",
        );
    }
    if f.latent {
        ck.push(
            Problem::new(
                fp.field("on_demand"),
                "a failure on demand cannot be latent: the demand that causes it reveals it",
            )
            .hint(
                "keep one: latent: true (found by a later demand or an inspection), or on_demand",
            ),
        );
    }
}

/// Checks a fault's training curve, which only a fault with a chance can have.
fn check_learning(ck: &mut Checker, f: &FaultMode, fp: At<'_>) {
    let Some(l) = f.learning else { return };
    let lp = fp.field("learning");
    ck.fraction(l.factor, lp.field("factor"), "a training factor");
    ck.positive(l.every, lp.field("every"), "the time between trainings");
    ck.positive(l.halflife, lp.field("halflife"), "a half-life");
    if f.chance.is_none() {
        ck.push(
            Problem::new(
                lp,
                "training changes a fault's chance, and this fault has none",
            )
            .hint("add chance: 0.001 (the probability that each occurrence is a slip)"),
        );
    }
}

/// Checks a k-out-of-n group.
fn check_group(ck: &mut Checker, ids: &Ids, c: &Component, g: &Group, gp: At<'_>) {
    if g.of.is_empty() {
        ck.err(gp.field("of"), "a group needs members");
    }
    if g.need == 0 {
        ck.err(
            gp.field("need"),
            "a group needs at least 1 healthy member (need >= 1)",
        );
    } else if g.need as usize > g.of.len() && !g.of.is_empty() {
        ck.push(
            Problem::new(
                gp.field("need"),
                format!(
                    "need {} of {} members: k cannot exceed n",
                    g.need,
                    g.of.len()
                ),
            )
            .hint("add members or lower `need`"),
        );
    }
    check_list(ck, ids, &g.of, gp.field("of"), ("group", &c.id), "member");
    check_group_kind(ck, g, gp);
}

/// Checks what an ordered or spares group needs: all members (`InOrder`) or one
/// (`First`, `Spares`), no partial share, and for an order, two members at least.
fn check_group_kind(ck: &mut Checker, g: &Group, gp: At<'_>) {
    let n = g.of.len() as u32;
    let (need, what) = match g.kind {
        GroupKind::KofN => return,
        GroupKind::InOrder => (n, "an InOrder group is down only when all its members are"),
        GroupKind::First => (1, "a First group is down when its first member is"),
        GroupKind::Spares => (1, "a Spares group serves with one member at a time"),
    };
    if g.need != need && n > 0 {
        ck.push(
            Problem::new(gp.field("need"), format!("{what}: need must be {need}"))
                .hint(format!("need: {need}")),
        );
    }
    if g.partial {
        ck.err(
            gp.field("partial"),
            format!("{what}, so it has no partial share: remove partial"),
        );
    }
    if n < 2 && g.kind != GroupKind::Spares {
        ck.err(gp.field("of"), "an order needs two members at least");
    }
}

/// Checks a majority vote over replicas.
fn check_voter(ck: &mut Checker, ids: &Ids, c: &Component, v: &Voter, vp: At<'_>) {
    if c.group.is_some() {
        ck.err(vp, "a component is either a group or a voter, not both");
    }
    if v.of.len() < 2 {
        ck.push(
            Problem::new(vp.field("of"), "a vote needs at least two replicas")
                .hint("three replicas (triple modular redundancy) outvote one wrong one"),
        );
    }
    check_list(ck, ids, &v.of, vp.field("of"), ("voter", &c.id), "replica");
    if let Some(b) = &v.backup {
        if *b == c.id || v.of.contains(b) {
            ck.err(
                vp.field("backup"),
                "the backup must be independent of the voter and its replicas",
            );
        } else {
            ids.resolve(ck, b, vp.field("backup"));
        }
    }
}

/// Members of a group or replicas of a vote: known, distinct, and not the owner itself
/// (`owner` is the kind of list and the owner's id).
fn check_list(
    ck: &mut Checker,
    ids: &Ids,
    list: &[String],
    p: At<'_>,
    owner: (&str, &str),
    role: &str,
) {
    let mut seen = Repeats::new(list.len());
    for (k, m) in list.iter().enumerate() {
        let mp = p.index(k);
        if *m == owner.1 {
            ck.err(mp, format!("{} `{m}` cannot be its own {role}", owner.0));
        } else if seen.at(list, k, String::as_str) {
            ck.err(mp, format!("`{m}` is listed twice in the {}", owner.0));
        } else {
            ids.resolve(ck, m, mp);
        }
    }
}

/// Most users of one service: with costs per user-minute bounded, totals stay finite.
const MAX_USERS: u64 = 10_000_000_000;

/// Most objective windows in one run: each is a number the engine keeps per run.
const MAX_WINDOWS: f64 = 100_000.0;

/// Checks what users see of a service.
fn check_service(ck: &mut Checker, s: &Service, sp: At<'_>, horizon: Duration) {
    if !(s.slo > 0.0 && s.slo <= 1.0) {
        ck.push(
            Problem::new(
                sp.field("slo"),
                format!("slo must be in (0, 1], not {}", s.slo),
            )
            .hint("slo: 0.9 means failed while below 90% of full capacity"),
        );
    }
    if s.users > MAX_USERS {
        ck.err(
            sp.field("users"),
            format!(
                "users may be at most {MAX_USERS} (every person alive), not {}",
                s.users
            ),
        );
    }
    if let Some(m) = s.max_slow
        && !(m.is_finite() && m >= 1.0)
    {
        ck.err(
            sp.field("max_slow"),
            format!("max_slow is a latency multiple >= 1, not {m}"),
        );
    }
    if let Some(o) = &s.objective {
        let op = sp.field("objective");
        if !(o.availability > 0.0 && o.availability < 1.0) {
            ck.push(
                Problem::new(
                    op.field("availability"),
                    format!(
                        "an availability objective is in (0, 1), not {}",
                        o.availability
                    ),
                )
                .hint("availability: 0.999 promises the service is up 99.9% of every window"),
            );
        }
        if !(o.significant > 0.0 && o.significant <= 1.0) {
            ck.push(
                Problem::new(
                    op.field("significant"),
                    format!(
                        "a significant incident uses a share of the budget in (0, 1], not {}",
                        o.significant
                    ),
                )
                .hint("significant: 0.02 counts a failure that uses 2% of a window's budget"),
            );
        }
        check_window(ck, o.window, op.field("window"), horizon);
    }
}

/// Checks an objective's window against the horizon: longer than zero, fitting in it, and
/// not so short that a run holds more than [`MAX_WINDOWS`] of them.
pub(super) fn check_window(ck: &mut Checker, window: Duration, at: At<'_>, horizon: Duration) {
    ck.positive(window, at, "an objective's window");
    let (w, h) = (window.secs(), horizon.secs());
    let wrong = if w <= 0.0 {
        None
    } else if h / w > MAX_WINDOWS {
        Some((
            format!(
                "cuts the horizon of {} into more than {MAX_WINDOWS} windows",
                human(h)
            ),
            "objectives are judged over days or weeks: window: \"28d\" or \"30d\"",
        ))
    } else if w > h {
        Some((
            format!(
                "does not fit in the horizon of {}: no window would be measured",
                human(h)
            ),
            "make the horizon a whole number of windows, e.g. horizon: \"364d\" with window: \"28d\"",
        ))
    } else {
        None
    };
    if let Some((what, hint)) = wrong {
        ck.push(Problem::new(at, format!("a window of {} {what}", human(w))).hint(hint));
    }
}

/// Checks a component's load and its limit.
fn check_load(ck: &mut Checker, l: &Load, lp: At<'_>) {
    if !(l.base.is_finite() && l.base >= 0.0) {
        ck.err(
            lp.field("base"),
            format!("base load cannot be negative, not {}", l.base),
        );
    }
    if l.base > l.limit {
        ck.push(
            Problem::new(
                lp.field("base"),
                format!(
                    "base load {} is above the limit {}: overloaded with nothing broken",
                    l.base, l.limit
                ),
            )
            .hint("a component trips when its load exceeds `limit`; keep base <= limit"),
        );
    }
    if !(l.limit.is_finite() && l.limit > 0.0) {
        ck.err(
            lp.field("limit"),
            format!("load limit must be positive, not {}", l.limit),
        );
    }
}

/// Reports a scenario in which no component is a service: nothing could fail visibly.
pub(super) fn check_some_service(ck: &mut Checker, sc: &Scenario) {
    if !sc.components.is_empty() && !sc.components.iter().any(|c| c.service.is_some()) {
        ck.push(
            Problem::new(
                At::ROOT.field("components"),
                "no component is a service, so no failure can ever be seen",
            )
            .hint("mark what users see with service: (slo: 0.9, users: 1000)"),
        );
    }
}

/// The components whose output a group or voter reads: members, replicas and backup.
pub(in crate::validate) fn feeders(c: &Component) -> impl Iterator<Item = &String> {
    let group = c.group.iter().flat_map(|g| g.of.iter());
    let voter = c
        .voter
        .iter()
        .flat_map(|v| v.of.iter().chain(v.backup.iter()));
    group.chain(voter)
}
