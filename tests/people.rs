//! The people in the loop: fatigue, teams and coordination, procedures and hands-on work,
//! checked against closed forms on scenarios small enough to work out by hand.

use crate::common::{by_name, faultline, models, scenario_file, stderr, stdout};
use faultline::diagnostics::LoadError;
use faultline::model::Model;
use faultline::montecarlo::{PeopleStats, Study, Summary, run_all};
use faultline::validate::{load_all_str, load_str};

const MIN: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn study(models: &[Model], runs: u64) -> Vec<Summary> {
    run_all(models, Study::whole(7, runs, 2), &|_| {})
}

fn people<'a>(models: &[Model], summaries: &'a [Summary], name: &str) -> &'a PeopleStats {
    by_name(models, summaries, name)
        .people
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: no people section"))
}

/// A transformer shot on day 1 (repaired in 20 days), a spare that takes a day, an alert
/// after 10 minutes, `oncall` responders who acknowledge in 5 minutes and, alone, diagnose
/// in exactly 2 hours.
fn team_scenario(oncall: u32, strategies: &str) -> String {
    format!(
        r#"Scenario(name: "team", horizon: "30d",
            components: [
                (id: "xfmr", faults: [(name: "shot", every: At("1d"), effect: Crash, repair: Fixed("20d"))]),
                (id: "svc", service: (slo: 0.5, users: 100)),
            ],
            edges: [(from: "svc", to: "xfmr", kind: Requires)],
            alerts: [(on: "svc", when: Failed, after: "10m")],
            response: (oncall: {oncall}, acknowledge: Fixed("5m"), diagnose: Fixed("2h"), customer_report: Never),
            cost: (outage_per_minute: 10.0, responder_hour: 100.0),
            strategies: [{strategies}],
        )"#
    )
}

/// The coordination factor written independently of the engine's.
fn coordination(n: f64, commander: bool, record: bool) -> f64 {
    let (serial, per_channel, cuts) = (0.3, 0.05, 0.25);
    if n <= 1.0 {
        return 1.0;
    }
    let (workers, channels) = if commander {
        (n - 1.0, n - 1.0)
    } else {
        (n, n * (n - 1.0) / 2.0)
    };
    let c = if record {
        per_channel * cuts
    } else {
        per_channel
    };
    (serial + (1.0 - serial) / workers) * (1.0 + c * channels)
}

#[test]
fn a_team_diagnoses_in_the_time_its_coordination_factor_says() {
    let spare = r#"mitigations: [Spare(for: ["xfmr"], deploy: Fixed("1d"))]"#;
    let mut strategies = vec![];
    let mut cases = vec![];
    for n in 1..=6u32 {
        for (commander, record) in [(false, false), (true, false), (true, true), (false, true)] {
            let name = format!("n{n}-c{commander}-r{record}");
            strategies.push(format!(
                r#"(name: "{name}", {spare}, response: (join: {n}, commander: {commander}, record: {record}))"#
            ));
            cases.push((name, n, commander, record));
        }
    }
    let ms = models(&team_scenario(6, &strategies.join(",\n")));
    let ss = study(&ms, 4);
    for (name, n, commander, record) in cases {
        let s = by_name(&ms, &ss, &name);
        let diag = 2.0 * HOUR * coordination(f64::from(n), commander, record);
        // Down from the shot until the spare is in: detection, acknowledgement, the team's
        // diagnosis, the deploy; the same in every run.
        let down = 10.0 * MIN + 5.0 * MIN + diag + DAY;
        assert!(
            (s.downtime.mean() - down).abs() < 1e-6,
            "{name}: down {} s, expected {down} s",
            s.downtime.mean()
        );
        assert_eq!(s.downtime.std_dev(), 0.0, "{name}");
        // Everyone on the incident works from the page until users are served again.
        let hours = f64::from(n) * (5.0 * MIN + diag + DAY) / HOUR;
        assert!(
            (s.responder_hours.mean() - hours).abs() < 1e-6,
            "{name}: {} responder-hours, expected {hours}",
            s.responder_hours.mean()
        );
        // A team of more than one is people in the loop; one person alone is not.
        assert_eq!(s.people.is_some(), n > 1, "{name}");
        if let Some(p) = &s.people {
            assert!((p.mean_time_to_diagnose() - (5.0 * MIN + diag)).abs() < 1e-6);
        }
    }
}

#[test]
fn too_many_cooks_without_coordination_but_not_with_a_commander_and_a_record() {
    // The factors themselves: without coordination the best team is small; with a
    // commander and a record, the largest team swept is the fastest.
    let best = |commander, record| {
        (1..=8)
            .min_by(|&a, &b| {
                coordination(f64::from(a), commander, record).total_cmp(&coordination(
                    f64::from(b),
                    commander,
                    record,
                ))
            })
            .unwrap()
    };
    assert_eq!(best(false, false), 3);
    assert_eq!(best(true, true), 8);
    // And the engine agrees, through `sweep`'s turning points on the shipped scenario.
    let out = faultline(&[
        "sweep",
        "scenarios/spaceteam.ron",
        "--set",
        "response.join=1,2,3,4,6,8",
        "--metric",
        "downtime",
        "--runs",
        "400",
        "-q",
        "--out",
        crate::common::scratch("people-sweep").to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text.contains("baseline at 3 (past it, more is worse)")
            || text.contains("baseline at 4 (past it, more is worse)"),
        "{text}"
    );
    assert!(
        text.contains("commander-and-record at 8 (the last value)"),
        "{text}"
    );
}

/// One fault on day 1 on a component; a restart done as a procedure of `steps`.
fn procedure_scenario(steps: &str, notice: &str, runs: u64) -> String {
    format!(
        r#"Scenario(name: "proc", horizon: "3d", runs: {runs},
            components: [
                (id: "app", faults: [(name: "hang", every: At("1d"), effect: Crash, repair: Fixed("1d"))]),
                (id: "lb", faults: [(name: "drained", every: Never, effect: Crash, repair: Fixed("30m"))]),
                (id: "svc", service: (slo: 0.5, users: 100)),
            ],
            edges: [(from: "svc", to: "app", kind: Requires), (from: "svc", to: "lb", kind: Requires)],
            alerts: [(on: "svc", when: Failed, after: "1m")],
            response: (oncall: 1, acknowledge: Fixed("1m"), diagnose: Fixed("5m")),
            strategies: [(name: "restart", mitigations: [Restart(for: ["app"], procedure: (steps: [{steps}], notice: {notice}))])],
        )"#
    )
}

#[test]
fn a_procedure_of_k_steps_each_skipped_with_p_works_with_probability_one_minus_p_to_the_k() {
    for (k, p) in [(1usize, 0.3f64), (3, 0.2), (5, 0.1)] {
        let step = |i: usize| format!(r#"(name: "step {i}", takes: Fixed("1m"), skip: {p})"#);
        let steps: Vec<String> = (0..k).map(step).collect();
        let ms = models(&procedure_scenario(
            &steps.join(", "),
            r#"Fixed("10m")"#,
            20_000,
        ));
        let ss = study(&ms, 20_000);
        let s = people(&ms, &ss, "restart");
        // Every attempt (the first and each one after a failure is noticed) is independent.
        let n = s.procedures as f64;
        let fail = 1.0 - (1.0 - p).powi(k as i32);
        let sd = (fail * (1.0 - fail) / n).sqrt();
        let share = s.failure_share();
        assert!(
            (share - fail).abs() < 4.5 * sd,
            "k = {k}, p = {p}: {share} of {n} procedures failed, expected {fail} ± {sd}"
        );
        // The number of attempts until one works is geometric: 1 / (1 − p)^k per fault.
        let per_fault = n / 20_000.0;
        let want = 1.0 / (1.0 - fail);
        let sd = (fail / (1.0 - fail).powi(2) / 20_000.0).sqrt();
        assert!(
            (per_fault - want).abs() < 4.5 * sd,
            "k = {k}: {per_fault} attempts per fault, expected {want}"
        );
        assert_eq!(s.worse, 0);
    }
}

#[test]
fn a_wrong_step_sets_off_its_fault_and_the_procedure_is_done_again() {
    let steps = r#"(name: "hit the kill switch", takes: Fixed("2m"), wrong: 1.0, worse: (on: "lb", fault: "drained"))"#;
    let ms = models(&procedure_scenario(steps, r#"Fixed("10m")"#, 10));
    let ss = study(&ms, 10);
    let s = people(&ms, &ss, "restart");
    // Always wrong: every attempt fails; the drain strikes once per attempt that finds the
    // load balancer healthy, and the attempts go on every 12 minutes until the day-long
    // repair of the hang.
    assert_eq!(s.failed, s.procedures);
    assert!(s.worse > 0 && s.worse <= s.failed, "{s:?}");
    let down = by_name(&ms, &ss, "restart").downtime.mean();
    // Down from the hang until its repair a day later (the restart never works), and
    // possibly until the last drain it set off is over.
    assert!(
        (DAY..=DAY + 30.0 * MIN).contains(&down),
        "down {down}: the restart never works"
    );
    // The trace says which step slipped and what it set off.
    let path = scenario_file(
        "people-wrong",
        &procedure_scenario(steps, r#"Fixed("10m")"#, 10),
    );
    let out = faultline(&["trace", &path, "--strategy", "restart", "--run", "0", "-q"]);
    let text = stdout(&out);
    assert!(
        text.contains(r#"app: restart did not work: step 1 "hit the kill switch" was done wrong; it sets off drained on lb"#),
        "{text}"
    );
}

#[test]
fn a_procedure_that_works_takes_its_steps_time_on_top_of_its_own() {
    let steps = r#"(name: "a", takes: Fixed("3m")), (name: "b", takes: Fixed("4m"))"#;
    let ms = models(&procedure_scenario(steps, "Never", 4));
    let ss = study(&ms, 4);
    let s = by_name(&ms, &ss, "restart");
    // Alert after 1 minute, acknowledged in 1, diagnosed in 5, then 3 + 4 minutes of steps.
    assert!(
        (s.downtime.mean() - 14.0 * MIN).abs() < 1e-6,
        "{}",
        s.downtime.mean()
    );
    let p = people(&ms, &ss, "restart");
    assert_eq!((p.procedures, p.failed), (4, 0));
}

/// Incidents paged at `times` (separate components, not services: each is resolved as
/// soon as it is diagnosed); one responder who never rests within the run.
fn tired_scenario(fatigue: &str, extra: &str, times: &[&str]) -> String {
    let comps: Vec<String> = (0..times.len())
        .map(|i| format!(r#"(id: "c{i}", faults: [(name: "f", every: Never, effect: Crash, repair: Fixed("1h"))])"#))
        .collect();
    let alerts: Vec<String> = (0..times.len())
        .map(|i| format!(r#"(on: "c{i}", when: Failed, after: "0s")"#))
        .collect();
    let injections: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, t)| format!(r#"(at: "{t}", fault: "f", component: "c{i}")"#))
        .collect();
    format!(
        r#"Scenario(name: "tired", horizon: "5d",
            components: [{}, (id: "svc", service: (slo: 0.5))],
            edges: [(from: "svc", to: "c0", kind: Requires)],
            inject: [{}],
            alerts: [{}],
            response: (oncall: 1, acknowledge: Fixed("0s"), diagnose: Uniform("10m", "50m"), fatigue: {fatigue} {extra}),
        )"#,
        comps.join(", "),
        injections.join(", "),
        alerts.join(", ")
    )
}

#[test]
fn a_tired_responder_diagnoses_slower_along_a_linear_curve() {
    // Fresh for no time, +10% per hour on shift, nothing for days or pages, and a rest too
    // long to take: the shift runs from the first page. Pages at 0, 8, 16 and 24 hours
    // find the responder 0, 8, 16 and 24 hours into the shift: factors 1, 1.8, 2.6, 3.4.
    let fatigue =
        r#"(fresh: "0s", per_hour: 0.1, per_day: 0.0, per_page: 0.0, rest: "100d", max: 10.0)"#;
    let text = tired_scenario(fatigue, "", &["1h", "9h", "17h", "1d1h"]);
    let ms = models(&text);
    let runs = 20_000;
    let ss = study(&ms, runs);
    let p = people(&ms, &ss, "baseline");
    assert_eq!(p.started, 4 * runs);
    let factors = [1.0, 1.8, 2.6, 3.4];
    let mean_factor = factors.iter().sum::<f64>() / 4.0;
    assert!(
        (p.mean_fatigue() - mean_factor).abs() < 1e-12,
        "{}",
        p.mean_fatigue()
    );
    // E[diagnosis] = E[drawn time] × factor; the drawn time is uniform on 10..50 minutes.
    let want = 30.0 * MIN * mean_factor;
    // Var of the mean over 4·runs diagnoses, each (40 min)²/12 × factor².
    let var = factors
        .iter()
        .map(|f| (40.0 * MIN).powi(2) / 12.0 * f * f)
        .sum::<f64>()
        / 16.0;
    let sd = (var / runs as f64).sqrt();
    let got = p.mean_time_to_diagnose();
    assert!(
        (got - want).abs() < 4.5 * sd,
        "{got} s, expected {want} ± {sd}"
    );
    assert!((p.peak_fatigue.mean() - 3.4).abs() < 1e-12);
}

#[test]
fn days_in_a_row_tire_and_a_rota_brings_a_rested_colleague() {
    // Pages at 09:00 on four days, each sorted out within the hour, then a night's rest:
    // a new shift every day, the n-th day in a row adding per_day.
    let fatigue = r#"(per_day: 0.1, per_page: 0.0)"#;
    let times = ["9h", "1d9h", "2d9h", "3d9h"];
    let alone = models(&tired_scenario(fatigue, "", &times));
    let p = study(&alone, 50);
    let p = people(&alone, &p, "baseline");
    assert!(
        (p.mean_fatigue() - (1.0 + 1.1 + 1.2 + 1.3) / 4.0).abs() < 1e-12,
        "{p:?}"
    );
    let rota = models(&tired_scenario(fatigue, r#", rotate: "1d""#, &times));
    let q = study(&rota, 50);
    let q = people(&rota, &q, "baseline");
    assert!((q.mean_fatigue() - 1.0).abs() < 1e-12, "{q:?}");
    // Pages in the last day add too: four pages within a day, per_page 0.2, nothing else.
    let fatigue = r#"(fresh: "100d", per_day: 0.0, per_page: 0.2)"#;
    let paged = models(&tired_scenario(fatigue, "", &["1h", "5h", "9h", "13h"]));
    let r = study(&paged, 50);
    let r = people(&paged, &r, "baseline");
    assert!(
        (r.mean_fatigue() - (1.0 + 1.2 + 1.4 + 1.6) / 4.0).abs() < 1e-12,
        "{r:?}"
    );
}

#[test]
fn without_fatigue_teams_or_procedures_there_is_no_people_section() {
    for f in ["substation", "job-queue", "backups"] {
        let out = faultline(&[
            "run",
            &format!("scenarios/{f}.ron"),
            "--json",
            "--runs",
            "8",
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(!stdout(&out).contains("\"people\""), "{f}");
    }
    let out = faultline(&[
        "compare",
        "scenarios/second-switch.ron",
        "--json",
        "--runs",
        "64",
        "-q",
    ]);
    let text = stdout(&out);
    assert!(text.contains("\"people\""), "{text}");
    assert!(text.contains("\"failure_share\""), "{text}");
}

/// A queue whose burst is pulled out and fed back by hand for hours; `response` is added to
/// a one-person team.
fn hands_on_scenario(response: &str, hands_on: bool) -> String {
    format!(
        r#"Scenario(name: "hands", horizon: "2d", runs: 4,
            components: [
                (id: "jobs", queue: (rate: 0.5, workers: 4, service: Exp(mean: "200ms"), slowdown: (a: 0.00001, b: 2.0),
                    health: Latency("5m"), window: "1m"),
                    faults: [(name: "burst", every: Never, effect: Burst(jobs: 20000, over: "5m"))]),
                (id: "site", service: (slo: 0.9)),
            ],
            edges: [(from: "site", to: "jobs", kind: Requires)],
            inject: [(at: "1h", fault: "burst", component: "jobs")],
            alerts: [(on: "jobs", when: QueueAbove(2000), after: "5m")],
            response: (oncall: 1, acknowledge: Fixed("5m"), diagnose: Fixed("30m"), fatigue: (), {response}),
            strategies: [(name: "by-hand", mitigations: [Shed(for: "jobs", rate: 1.0, hands_on: {hands_on})])],
        )"#
    )
}

#[test]
fn hands_on_work_keeps_the_responder_and_only_notes_let_someone_take_over() {
    let hours = |text: &str| {
        let ms = models(text);
        let ss = study(&ms, 4);
        let s = by_name(&ms, &ss, "by-hand");
        let p = s.people.clone().expect("people");
        (s.responder_hours.mean(), s.handoffs, p.longest_shift.mean())
    };
    // Hands off: the responder is free once the site is back, minutes after the shed.
    let (free_early, _, _) = hours(&hands_on_scenario("notes: true", false));
    // Hands on: busy until the ~20,000 parked jobs are fed back at one a second.
    let (busy, handoffs, longest) = hours(&hands_on_scenario("notes: false", true));
    assert!(free_early < 1.5, "{free_early} responder-hours");
    assert!(busy > 5.0, "{busy} responder-hours");
    assert_eq!(handoffs, 0);
    assert!(longest > 5.0, "longest shift {longest} h");
    // With 2-hour shifts and no notes nobody can take over: the same person carries on.
    let (_, handoffs, longest) = hours(&hands_on_scenario(r#"notes: false, shift: "2h""#, true));
    assert_eq!(handoffs, 0);
    assert!(longest > 5.0, "longest shift {longest} h");
    // With notes, a rested colleague takes over every 2 hours.
    let (busy2, handoffs, longest) = hours(&hands_on_scenario(r#"notes: true, shift: "2h""#, true));
    assert!(handoffs >= 4 * 2, "{handoffs} hand-offs in 4 runs");
    assert!(longest <= 2.0 + 1e-9, "longest shift {longest} h");
    assert!((busy2 - busy).abs() < 0.5, "{busy2} vs {busy}");
}

/// The problems of `text`, which must not load.
fn problems(text: &str) -> Vec<(String, String)> {
    match load_str("x.ron", text) {
        Err(LoadError::Invalid { problems, .. }) => problems
            .into_iter()
            .map(|p| (p.path.to_string(), p.message))
            .collect(),
        Err(e) => panic!("expected problems, got:\n{}", e.render(false)),
        Ok(_) => panic!("expected problems, but it is valid"),
    }
}

#[test]
fn bad_people_settings_are_located_errors() {
    let base = team_scenario(
        2,
        r#"(name: "s", mitigations: [Restart(for: ["xfmr"], procedure: (steps: [(name: "go", skip: 0.1)]))])"#,
    );
    let cases = [
        (
            "customer_report: Never",
            "customer_report: Never, join: 3",
            "response.join",
            "3 responders cannot join an incident when 2 are on call",
        ),
        (
            "customer_report: Never",
            "customer_report: Never, join: 0",
            "response.join",
            "at least one responder",
        ),
        (
            "customer_report: Never",
            "customer_report: Never, fatigue: (max: 0.5)",
            "response.fatigue.max",
            "at least 1",
        ),
        (
            "customer_report: Never",
            "customer_report: Never, fatigue: (per_hour: -1.0)",
            "response.fatigue.per_hour",
            "a fatigue rate",
        ),
        (
            "customer_report: Never",
            "customer_report: Never, rotate: \"0s\"",
            "response.rotate",
            "a rota period",
        ),
        (
            "customer_report: Never",
            "customer_report: Never, coordination: (serial: 1.5)",
            "response.coordination.serial",
            "between 0 and 1",
        ),
        (
            "skip: 0.1",
            "skip: 1.5",
            "strategies[0].mitigations[0].procedure.steps[0].skip",
            "a chance of skipping a step",
        ),
        (
            "steps: [(name: \"go\", skip: 0.1)]",
            "steps: []",
            "strategies[0].mitigations[0].procedure.steps",
            "at least one step",
        ),
        (
            "(name: \"go\", skip: 0.1)",
            "(name: \"go\", wrong: 0.1, worse: (on: \"xfmr\", fault: \"shoot\"))",
            "strategies[0].mitigations[0].procedure.steps[0].worse.fault",
            "`xfmr` has no fault mode `shoot`",
        ),
        (
            "(name: \"go\", skip: 0.1)",
            "(name: \"go\", worse: (on: \"xfmr\", fault: \"shot\"))",
            "strategies[0].mitigations[0].procedure.steps[0].worse",
            "never done wrong",
        ),
        (
            "(steps: [(name: \"go\", skip: 0.1)])",
            "(steps: [(name: \"go\", skip: 0.1)], checklist: 0.0)",
            "strategies[0].mitigations[0].procedure.checklist",
            "a checklist factor",
        ),
        (
            "procedure: (",
            "trigger: Auto(\"1m\"), hands_on: true, procedure: (",
            "strategies[0].mitigations[0].hands_on",
            "no responder to keep busy",
        ),
    ];
    for (from, to, path, message) in cases {
        assert_eq!(base.matches(from).count(), 1, "{from}");
        let text = base.replacen(from, to, 1);
        let ps = problems(&text);
        assert!(
            ps.iter().any(|(p, m)| p == path && m.contains(message)),
            "{to}: expected {path}: {message}, got {ps:#?}"
        );
        let file = scenario_file("people-bad", &text);
        let out = faultline(&["validate", &file]);
        assert_eq!(out.status.code(), Some(2), "{to}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
}

// ---------------------------------------------------------------------------------------
// The lessons of the shipped scenarios (labs 8 and 9), kept true. Each runs the file as
// shipped, with its seed and runs; a claim that one strategy beats another is a paired
// difference whose 95% confidence interval lies on one side of zero.
// ---------------------------------------------------------------------------------------

/// The shipped scenario's models and their summaries.
fn shipped(file: &str) -> (Vec<Model>, Vec<Summary>) {
    let text = std::fs::read_to_string(crate::common::repo(file)).unwrap();
    let (_, ms) = load_all_str(file, &text).unwrap();
    let ss = run_all(&ms, Study::whole(ms[0].seed, ms[0].runs, 2), &|_| {});
    (ms, ss)
}

/// Paired cost of strategy `a` minus strategy `b`: (mean, 95% CI half-width).
fn paired(ms: &[Model], ss: &[Summary], a: &str, b: &str) -> (f64, f64) {
    let k = |n: &str| ms.iter().position(|m| m.strategy == n).unwrap();
    let d = &ss[k(a)].paired_cost_vs[k(b)];
    (d.mean(), d.ci95())
}

fn cheaper(ms: &[Model], ss: &[Summary], a: &str, b: &str) {
    let (mean, ci) = paired(ms, ss, a, b);
    assert!(
        mean + ci < 0.0,
        "{a} is not clearly cheaper than {b}: {mean} ± {ci}"
    );
}

#[test]
fn the_marathon_tires_one_person_and_the_tool_beats_every_pair_of_hands() {
    let (ms, ss) = shipped("scenarios/marathon.ron");
    let marathon = people(&ms, &ss, "marathon");
    let rotation = people(&ms, &ss, "rotation-with-notes");
    // One person, every day, all day: shifts that run past midnight, days in a row.
    assert!(marathon.longest_shift.mean() > 12.0, "{marathon:?}");
    assert!(marathon.mean_fatigue() > 1.15, "{marathon:?}");
    // A rota with written notes: nobody works more than the 8-hour shift, nobody tires.
    assert!(rotation.longest_shift.max() <= 8.0 + 1e-9, "{rotation:?}");
    assert!(rotation.mean_fatigue() < 1.05, "{rotation:?}");
    // The tired person diagnoses more slowly, every morning.
    assert!(marathon.mean_time_to_diagnose() > 1.1 * rotation.mean_time_to_diagnose());
    // Build better duct tape: the tool beats both pairs of hands.
    cheaper(&ms, &ss, "shedding-tool", "rotation-with-notes");
    cheaper(&ms, &ss, "shedding-tool", "marathon");
    cheaper(&ms, &ss, "rotation-with-notes", "marathon");
}

/// The failure share of `name`'s procedures and its binomial 95% half-width.
fn failure_share(ms: &[Model], ss: &[Summary], name: &str) -> (f64, f64) {
    let p = people(ms, ss, name);
    let share = p.failure_share();
    (
        share,
        1.96 * (share * (1.0 - share) / p.procedures as f64).sqrt(),
    )
}

#[test]
fn a_second_switch_fails_more_often_and_a_redesign_or_automation_fixes_the_procedure() {
    let (ms, ss) = shipped("scenarios/second-switch.ron");
    let (two, two_ci) = failure_share(&ms, &ss, "two-switches");
    let (check, check_ci) = failure_share(&ms, &ss, "checklist");
    let (one, one_ci) = failure_share(&ms, &ss, "one-control");
    // Fresh people would fail the two-step procedure 1 − 0.99 × 0.99 × 0.9 of the time;
    // tired people fail it more often.
    let fresh_two = 1.0 - 0.99 * 0.99 * 0.9;
    assert!(
        two - two_ci > fresh_two,
        "{two} ± {two_ci} vs fresh {fresh_two}"
    );
    // The second step is what fails: the checklist helps, one control helps most.
    assert!(
        two - two_ci > check + check_ci,
        "{two} vs checklist {check}"
    );
    assert!(
        check - check_ci > one + one_ci,
        "checklist {check} vs one control {one}"
    );
    cheaper(&ms, &ss, "one-control", "two-switches");
    cheaper(&ms, &ss, "checklist", "two-switches");
    cheaper(&ms, &ss, "automation", "one-control");
    // A checklist does nothing for the wrong switch: the drains set off stay the same
    // within noise, whatever the number of steps.
    let worse = |n: &str| people(&ms, &ss, n).worse as f64;
    assert!((worse("two-switches") - worse("one-control")).abs() < 0.25 * worse("one-control"));
    assert_eq!(people(&ms, &ss, "automation").worse, 0);
}

#[test]
fn spaceteam_a_commander_and_a_written_record_make_eight_people_useful() {
    let (ms, ss) = shipped("scenarios/spaceteam.ron");
    cheaper(&ms, &ss, "incident-commander", "baseline");
    cheaper(&ms, &ss, "commander-and-record", "incident-commander");
    let diag = |n: &str| people(&ms, &ss, n).mean_time_to_diagnose();
    assert!(diag("commander-and-record") < diag("incident-commander"));
    assert!(diag("incident-commander") < diag("baseline"));
}
