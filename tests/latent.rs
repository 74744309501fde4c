//! Latent faults, failures on demand and inspections against closed forms: a periodically
//! proof-tested component's average unavailability, a proof-tested 1-out-of-2 with a
//! common cause (exact, and IEC 61508's simplified formula within its approximation), and
//! failures on demand over n demands; then their semantics, one behaviour per test.

use crate::closed_form::{Z99, assert_within_ci, time_average};
use crate::common::{faultline, scenario_file, scratch, stderr};
use faultline::model::Model;
use faultline::montecarlo::{self, Study, Summary};
use faultline::validate::{load_all_str, load_str};

fn study(text: &str, runs: u64, seed: u64) -> (Model, Summary) {
    let (_, m) = load_str("test.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let s = montecarlo::run(&m, Study::whole(seed, runs, 0), &|_| {});
    (m, s)
}

/// The share of time component `id` would have failed if demanded (its hidden
/// unavailability), across runs.
fn unready<'s>(m: &Model, s: &'s Summary, id: &str) -> &'s faultline::stats::Moments {
    let c = m.comp_index(id).expect("component");
    let k = m.watch.iter().position(|&w| w == c).expect("watched");
    &s.hidden.as_ref().expect("hidden stats").unready[k]
}

const YEAR: f64 = 365.0 * 86400.0;

/// A component whose latent fault (rate λ) is found only by a proof test every τ is, on
/// average over each test interval, failed 1 − (1 − e^{−λτ})/(λτ) of the time (≈ λτ/2).
#[test]
fn a_proof_tested_component_is_unavailable_one_minus_the_survival_average() {
    let text = r#"Scenario(name: "proof-test", horizon: "10y", components: [
        (id: "valve", faults: [(name: "stuck", every: Exp(mean: "5y"), effect: Crash,
            latent: true, repair: Fixed("1s"))]),
        (id: "plant", service: (slo: 0.5)),
    ], edges: [(from: "plant", to: "valve", kind: Requires)],
    inspections: [(on: "valve", every: "1y")])"#;
    let (m, s) = study(text, 4000, 7);
    let lt: f64 = 1.0 / 5.0;
    let exact = 1.0 - (1.0 - (-lt).exp()) / lt;
    assert_within_ci("proof-tested valve", unready(&m, &s, "valve"), exact, 0.002);
    // The approximation engineers quote, λτ/2, is within 10% at λτ = 0.2.
    assert!(((lt / 2.0) - exact).abs() / exact < 0.1);
    let h = s.hidden.as_ref().unwrap();
    // Nothing but the inspections finds anything, and each finds what is there.
    assert_eq!(h.revealed.mean(), 0.0);
    assert!(
        (h.inspections.mean() - 9.0).abs() < 1e-9,
        "one test a year, none at the end"
    );
}

/// Two channels in 1-out-of-2, each failing latently at (1 − β)λ, both at once at βλ (a
/// common cause), proof-tested together every τ: the pair fails on demand on average
/// 1 − ⟨e^{−βλt}(1 − (1 − e^{−(1−β)λt})²)⟩ over a test interval; IEC 61508's simplified
/// PFDavg, ((1 − β)λτ)²/3 + βλτ/2, is that to first order.
#[test]
fn a_one_out_of_two_with_a_common_cause_matches_its_pfd() {
    let (l, beta, tau) = (0.2 / YEAR, 0.1, YEAR);
    let li = (1.0 - beta) * l;
    let lc = beta * l;
    let text = format!(
        r#"Scenario(name: "1oo2", horizon: "10y", components: [
        (id: "a", faults: [(name: "f", every: Exp(mean: "{ma}s"), effect: Crash, latent: true, repair: Fixed("1s"))]),
        (id: "b", faults: [(name: "f", every: Exp(mean: "{ma}s"), effect: Crash, latent: true, repair: Fixed("1s"))]),
        (id: "sis", group: (need: 1, of: ["a", "b"])),
        (id: "plant", service: (slo: 0.5)),
    ], edges: [(from: "plant", to: "sis", kind: Requires)],
    common_cause: [(name: "ccf", hits: ["a", "b"], every: Exp(mean: "{mc}s"), effect: Crash, latent: true, repair: Fixed("1s"))],
    inspections: [(on: "sis", every: "1y")])"#,
        ma = 1.0 / li,
        mc = 1.0 / lc
    );
    let (m, s) = study(&text, 6000, 11);
    let exact = time_average(
        |t| 1.0 - (-lc * t).exp() * (1.0 - (1.0 - (-li * t).exp()).powi(2)),
        tau,
    );
    assert_within_ci("1oo2 PFDavg", unready(&m, &s, "sis"), exact, 0.0008);
    let iec = (li * tau).powi(2) / 3.0 + lc * tau / 2.0;
    assert!(
        (iec - exact).abs() / exact < 0.1,
        "IEC simplified {iec} vs exact {exact}"
    );
    // Each channel alone is unready about λτ/2 of the time.
    let single = time_average(|t| 1.0 - (-l * t).exp(), tau);
    assert_within_ci("channel a", unready(&m, &s, "a"), single, 0.002);
}

/// A standby that fails on demand with probability p, called on n times (a 1-of-2 pair
/// whose other member is knocked out n times), lets the pair fail Binomial(n, p) times:
/// no failure at all with probability (1 − p)^n.
#[test]
fn failures_on_demand_are_binomial_over_the_demands() {
    let (p, n): (f64, i32) = (0.2, 5);
    let inject: Vec<String> = (1..=n)
        .map(|d| format!(r#"(at: "{d}d", component: "main", fault: "trip")"#))
        .collect();
    let text = format!(
        r#"Scenario(name: "on-demand", horizon: "10d", components: [
        (id: "main", faults: [(name: "trip", effect: Crash, repair: Fixed("1h"))]),
        (id: "pump", faults: [(name: "fails to start", effect: Crash, on_demand: {p}, repair: Fixed("10m"))]),
        (id: "pair", group: (need: 1, of: ["main", "pump"])),
        (id: "cooling", service: (slo: 0.5)),
    ], edges: [(from: "cooling", to: "pair", kind: Requires)],
    inject: [{}])"#,
        inject.join(", ")
    );
    let runs = 20_000;
    let (_, s) = study(&text, runs, 3);
    let none = 1.0 - s.failed_runs as f64 / runs as f64;
    let exact = (1.0 - p).powi(n);
    let se = (exact * (1.0 - exact) / runs as f64).sqrt();
    assert!(
        ((none - exact) / se).abs() <= Z99,
        "no failure in {n} demands: {none} vs (1 − p)^n = {exact}"
    );
    assert_within_ci("failures", &s.failures, n as f64 * p, 0.02);
    let h = s.hidden.as_ref().unwrap();
    assert_within_ci("failures on demand", &h.on_demand, n as f64 * p, 0.02);
}

/// The trace of run `run` of `text`'s baseline (`strategy` None) or a strategy, as text.
fn trace(text: &str, strategy: Option<&str>, run: u64) -> String {
    let (_, models) =
        load_all_str("test.ron", text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let m = match strategy {
        None => &models[0],
        Some(name) => models
            .iter()
            .find(|x| x.strategy == name)
            .expect("strategy"),
    };
    faultline::trace::record(m, 0, run).render(m)
}

/// A backup that rots at day 10 (injected), behind a database that fails at day 50.
const BACKUPS: &str = r#"Scenario(name: "backups", horizon: "100d", components: [
    (id: "db", faults: [(name: "disk", effect: Crash, repair: Fixed("20d"))]),
    (id: "backup", faults: [(name: "rot", effect: Crash, latent: true, repair: Fixed("2d"))]),
    (id: "shop", service: (slo: 0.5)),
], edges: [(from: "shop", to: "db", kind: Requires)],
inject: [(at: "10d", component: "backup", fault: "rot"), (at: "50d", component: "db", fault: "disk")],
alerts: [(on: "backup", when: Failed)],
response: (oncall: 1),
strategies: [
    (name: "restore", mitigations: [Failover(for: "db", standby: "backup", delay: Fixed("1h"), trigger: Auto("0s"))]),
    (name: "drills", mitigations: [Failover(for: "db", standby: "backup", delay: Fixed("1h"), trigger: Auto("0s"))],
        inspections: [(on: "backup", every: "30d", takes: "4h", offline: true, cost: 1000)]),
])"#;

/// A latent fault changes nothing anyone sees: no output change, no alert, no failure.
#[test]
fn a_latent_fault_shows_nothing_until_it_is_called_on() {
    let t = trace(BACKUPS, None, 0);
    assert!(t.contains("rot (Crash) is latent"), "{t}");
    let before_db: &str = t.split("db: disk").next().unwrap();
    assert!(
        !before_db.contains("backup: down"),
        "the backup looked down:\n{t}"
    );
    assert!(
        !before_db.contains("DETECTED"),
        "an alert saw a latent fault:\n{t}"
    );
}

/// A failover calls on its standby: the latent rot shows then, 40 days after it began,
/// and the failover brings no service back.
#[test]
fn a_failover_reveals_a_latent_standby() {
    let t = trace(BACKUPS, Some("restore"), 0);
    assert!(
        t.contains("backup: latent rot revealed on demand; it had been there for 40d"),
        "{t}"
    );
    assert!(t.contains("backup: down"), "{t}");
}

/// An inspection finds the rot at day 30 (20 days after it began), takes the backup out of
/// service for its 4 hours, and the repaired backup then carries the shop at day 50.
#[test]
fn an_inspection_finds_the_rot_and_the_standby_then_works() {
    let t = trace(BACKUPS, Some("drills"), 0);
    assert!(
        t.contains("backup: latent rot found by inspection; it had been there for 20d"),
        "{t}"
    );
    assert!(
        t.contains("backup: inspection done, found 1 latent fault"),
        "{t}"
    );
    assert!(!t.contains("revealed on demand"), "{t}");
    let (_, models) = load_all_str("test.ron", BACKUPS).unwrap();
    let s = montecarlo::run_all(&models, Study::whole(0, 64, 0), &|_| {});
    let shop = |k: usize| s[k].services[0].downtime.mean();
    let (baseline, restore, drills) = (shop(0), shop(1), shop(2));
    assert!(
        (baseline - 20.0 * 86400.0).abs() < 1.0,
        "baseline {baseline}"
    );
    // Revealed at the failover, the rotten backup is rebuilt (2 days) before it can serve.
    let rebuilt = 3600.0 + 2.0 * 86400.0;
    assert!(
        (restore - rebuilt).abs() < 1.0,
        "a rotten backup: {restore}"
    );
    // A good backup restores in an hour; the day-60 drill still takes it offline for its
    // 4 hours while it serves (inspections keep their schedule).
    assert!(
        (drills - 5.0 * 3600.0).abs() < 1.0,
        "a good backup: {drills}"
    );
    // Three drills (days 30, 60, 90) at $1,000 each are in the cost.
    let h = s[2].hidden.as_ref().unwrap();
    assert!((h.inspections.mean() - 3.0).abs() < 1e-9);
}

/// An offline inspection takes its component out of service for as long as it takes.
#[test]
fn an_offline_inspection_takes_the_component_down_while_it_lasts() {
    let text = r#"Scenario(name: "offline", horizon: "10d", components: [
        (id: "pump"),
        (id: "plant", service: (slo: 0.5)),
    ], edges: [(from: "plant", to: "pump", kind: Requires)],
    inspections: [(on: "pump", every: "1d", takes: "2h", offline: true, cost: 50)])"#;
    let (_, s) = study(text, 8, 1);
    // Inspections on days 1..=9 (none at the horizon itself): 9 × 2 h down, 9 × $50.
    assert!(
        (s.downtime.mean() - 9.0 * 7200.0).abs() < 1.0,
        "{}",
        s.downtime.mean()
    );
    assert!(
        (s.cost.mean() - 9.0 * 50.0).abs() < 1e-6,
        "{}",
        s.cost.mean()
    );
}

/// An inspection with coverage c finds a given latent fault with probability c.
#[test]
fn an_inspection_finds_with_its_coverage() {
    let text = r#"Scenario(name: "coverage", horizon: "2d", components: [
        (id: "x", faults: [(name: "f", every: At("1h"), effect: Crash, latent: true, repair: Fixed("1s"))]),
        (id: "s", service: (slo: 0.5)),
    ], edges: [(from: "s", to: "x", kind: Requires)],
    inspections: [(on: "x", every: "1d", first: "12h", coverage: 0.7)])"#;
    let (_, s) = study(text, 20_000, 5);
    let h = s.hidden.as_ref().unwrap();
    // Found at the first inspection with 0.7, else at the second with 0.7 again.
    let exact = 0.7 + 0.3 * 0.7;
    assert_within_ci("found per run", &h.found, exact, 0.01);
}

/// Bad latent and inspection settings are refused where they are written.
#[test]
fn bad_latent_and_inspection_settings_are_located() {
    let bad = |text: &str, want: &str| {
        let Err(e) = load_str("test.ron", text) else {
            panic!("valid: {text}")
        };
        let r = e.render(false);
        assert!(r.contains(want), "wanted {want:?} in:\n{r}");
    };
    let base = |fault: &str, insp: &str| {
        format!(
            r#"Scenario(name: "x", horizon: "1d", components: [
            (id: "a", faults: [{fault}]), (id: "s", service: (slo: 0.5))],
            edges: [(from: "s", to: "a", kind: Requires)], inspections: [{insp}])"#
        )
    };
    bad(
        &base(
            r#"(name: "f", effect: Crash, latent: true, on_demand: 0.1)"#,
            "",
        ),
        "a failure on demand cannot be latent",
    );
    bad(
        &base(
            r#"(name: "f", effect: Burst(jobs: 5, over: "1m"), latent: true)"#,
            "",
        ),
        "cannot be latent",
    );
    bad(
        &base(r#"(name: "f", effect: Crash, on_demand: 1.5)"#, ""),
        "between 0 and 1",
    );
    bad(
        &base(
            r#"(name: "f", effect: Crash)"#,
            r#"(on: "aa", every: "1d")"#,
        ),
        "did you mean `a`",
    );
    bad(
        &base(
            r#"(name: "f", effect: Crash)"#,
            r#"(on: "a", every: "1d", takes: "1d")"#,
        ),
        "must end before the next begins",
    );
    bad(
        &base(
            r#"(name: "f", effect: Crash)"#,
            r#"(on: "a", every: "1d", coverage: 2.0)"#,
        ),
        "coverage must be between 0 and 1",
    );
    let ok = r#"(name: "f", effect: Crash)"#;
    bad(
        &base(ok, r#"(on: "a")"#),
        "needs `every` (an interval) or `at` (a schedule)",
    );
    bad(
        &base(ok, r#"(on: "a", every: "1d", at: ["2d"])"#),
        "not both",
    );
    bad(
        &base(ok, r#"(on: "a", at: ["2d", "3d"], takes: "1d")"#),
        "overlaps the next",
    );
}

/// A schedule instead of an interval: inspections exactly at the times listed.
#[test]
fn an_inspection_schedule_inspects_at_the_times_listed() {
    let text = r#"Scenario(name: "schedule", horizon: "100d", components: [
        (id: "x", faults: [(name: "f", every: At("5d"), effect: Crash, latent: true, repair: Fixed("1h"))]),
        (id: "s", service: (slo: 0.5)),
    ], edges: [(from: "s", to: "x", kind: Requires)],
    inspections: [(on: "x", at: ["40d", "10d", "200d"])])"#;
    let t = trace(text, None, 0);
    assert!(
        t.contains("x: latent f found by inspection; it had been there for 5d"),
        "{t}"
    );
    assert!(t.contains("day 10 00:00:00  FOUND"), "{t}");
    assert_eq!(
        t.matches("INSPECTED").count(),
        2,
        "10d and 40d; 200d is past the horizon:\n{t}"
    );
}

/// The postmortem of run 0 of `text` under strategy `restore`, written by `faultline trace`.
fn restore_postmortem(name: &str, text: &str) -> String {
    let file = scenario_file(name, text);
    let out = scratch(&format!("{name}-out"));
    let o = faultline(&[
        "trace",
        &file,
        "--strategy",
        "restore",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(out.join("postmortem.md")).unwrap()
}

/// The postmortem of a restore from rotten backups says what happened: the latent fault
/// had been hidden for 40 days (and the hour the failover took), and service came back
/// through the stand-in once the backup was rebuilt.
#[test]
fn the_postmortem_names_the_latent_fault_and_says_what_brought_service_back() {
    let pm = restore_postmortem("latent-postmortem", BACKUPS);
    // The restore waited for the rotten backup's rebuild (2 days), then worked: the
    // stand-in brought service back before the database's own repair (20 days).
    assert!(
        pm.contains("service came back through a stand-in (failover) 2d 1h after the failure"),
        "{pm}"
    );
    assert!(
        pm.contains(
            "A latent fault, rot on backup, had been hidden for 40d 1h when a demand revealed it"
        ),
        "{pm}"
    );
    assert!(
        pm.contains("the failure was fixed before the fault"),
        "{pm}"
    );
    // Without the rebuild (a backup broken for good), the stand-in never helps, and the
    // postmortem says so instead of crediting it with the repair's work.
    let forever = BACKUPS.replace(r#"repair: Fixed("2d")"#, "repair: Never");
    let pm = restore_postmortem("latent-postmortem-2", &forever);
    assert!(
        pm.contains("a stand-in (failover) was in place 1h after the failure but did not bring service back; service came back with the repair, 20d after the failure"),
        "{pm}"
    );
    assert!(
        !pm.contains("the failure was fixed before the fault"),
        "{pm}"
    );
}

/// The timeline shows a latent fault: the backup's lane is "latent" from the rot (day 10)
/// until the failover reveals it (day 50, one hour in), not healthy.
#[test]
fn the_timeline_shows_the_latent_stretch() {
    use faultline::timeline::{State, record};
    let (_, models) = load_all_str("test.ron", BACKUPS).unwrap();
    let m = models.iter().find(|m| m.strategy == "restore").unwrap();
    let tl = record(m, 0, 0);
    let backup = m.comp_index("backup").unwrap() as usize;
    let latent: Vec<(f64, f64)> = tl.lanes[backup]
        .iter()
        .filter(|s| s.state == State::Latent)
        .map(|s| (s.from, s.to))
        .collect();
    let day = 86400.0;
    assert_eq!(latent, vec![(10.0 * day, 50.0 * day + 3600.0)]);
}
