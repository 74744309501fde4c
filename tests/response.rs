//! Incident response and strategies, checked on scenarios whose every delay is fixed, so
//! each expected downtime is a sum that can be written down exactly; plus the paired
//! comparisons `compare` relies on.

use crate::common::{by_name, faultline, models, stderr};
use faultline::engine::Sim;
use faultline::model::Model;
use faultline::montecarlo::{Study, Summary, run_all};
use faultline::validate::load_all_str;

const MIN: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn study(models: &[Model], runs: u64, threads: usize) -> Vec<Summary> {
    run_all(models, Study::whole(5, runs, threads), &|_| {})
}

/// One transformer shot on day 1, replaced in 20 days; an alert after 10 minutes; a
/// responder who acknowledges in 5 minutes and diagnoses in 2 hours.
fn transformer(extra_response: &str, strategies: &str) -> String {
    format!(
        r#"Scenario(name: "fixed", horizon: "30d",
            components: [
                (id: "xfmr", faults: [(name: "shot", every: At("1d"), effect: Crash, repair: Fixed("20d"))]),
                (id: "svc", service: (slo: 0.5, users: 100)),
            ],
            edges: [(from: "svc", to: "xfmr", kind: Requires)],
            alerts: [(on: "svc", when: Failed, after: "10m")],
            response: (oncall: 1, acknowledge: Fixed("5m"), diagnose: Fixed("2h"), customer_report: Never {extra_response}),
            cost: (outage_per_minute: 10.0, responder_hour: 100.0),
            strategies: [{strategies}],
        )"#
    )
}

const SPARE: &str = r#"Spare(for: ["xfmr"], deploy: Fixed("1d"), capacity: 1.0)"#;

#[test]
fn downtime_is_detection_plus_acknowledge_plus_diagnosis_plus_deploy() {
    let ms = models(&transformer(
        "",
        &format!(
            r#"(name: "spare", mitigations: [{SPARE}]),
               (name: "spare-runbook", mitigations: [{SPARE}], response: (runbook: 0.5)),
               (name: "status-quo")"#
        ),
    ));
    let ss = study(&ms, 20, 2);
    let base = by_name(&ms, &ss, "baseline");
    assert_eq!(base.downtime.mean(), 20.0 * DAY);
    assert_eq!(base.mean_time_to_detect(), 10.0 * MIN);
    let spare = by_name(&ms, &ss, "spare");
    assert_eq!(
        spare.downtime.mean(),
        10.0 * MIN + 5.0 * MIN + 2.0 * HOUR + DAY
    );
    assert_eq!(spare.downtime.std_dev(), 0.0);
    // A runbook factor of 0.5 halves diagnosis: one hour less, exactly.
    let runbook = by_name(&ms, &ss, "spare-runbook");
    assert_eq!(runbook.downtime.mean(), spare.downtime.mean() - HOUR);
    // The repair still takes its 20 days: mitigation fixed the failure, not the fault.
    assert_eq!(spare.mean_time_to_repair(), 20.0 * DAY);
    // The responder works from the page until users are served again.
    let on_it = 5.0 * MIN + 2.0 * HOUR + DAY;
    assert!((spare.responder_hours.mean() - on_it / HOUR).abs() < 1e-9);
    // Identical strategies: a paired difference of exactly zero.
    let same = by_name(&ms, &ss, "status-quo");
    assert_eq!(same.paired_cost.mean(), 0.0);
    assert_eq!(same.paired_cost.ci95(), 0.0);
    assert_eq!(same.cost.mean(), base.cost.mean());
    // And the spare's saving is exactly the downtime it removed, priced, less the
    // responder time it did not need.
    let saved = (20.0 * DAY - spare.downtime.mean()) / MIN * 10.0;
    let responder = (base.responder_hours.mean() - spare.responder_hours.mean()) * 100.0;
    assert!((spare.paired_cost.mean() + saved + responder).abs() < 1e-6);
}

#[test]
fn hand_offs_cost_little_with_notes_and_a_whole_diagnosis_without() {
    // Acknowledged after 2h, diagnosis 2h, shift 3h: the shift ends mid-diagnosis.
    let text = |notes: bool| {
        transformer(
            &format!(r#", shift: "3h", notes: {notes}, handoff: Fixed("15m")"#),
            r#"(name: "spare", mitigations: [Spare(for: ["xfmr"], deploy: Fixed("0s"))])"#,
        )
        .replace(r#"acknowledge: Fixed("5m")"#, r#"acknowledge: Fixed("2h")"#)
    };
    let downtime = |notes| {
        let ms = models(&text(notes));
        let ss = study(&ms, 5, 1);
        by_name(&ms, &ss, "spare").downtime.mean()
    };
    // With notes: diagnosed at 2h + 2h + the 15-minute hand-off.
    assert_eq!(downtime(true), 10.0 * MIN + 4.0 * HOUR + 15.0 * MIN);
    // Without: the next responder starts again at the 3h hand-off: 3h + 15m + 2h.
    assert_eq!(downtime(false), 10.0 * MIN + 5.0 * HOUR + 15.0 * MIN);
}

/// A drill's student on call from the first page: their acknowledgement and looking in
/// place of the scenario's, then diagnosed or handed off to the scenario's next
/// responder, with notes naming the fault (the hand-off time only), notes that do not (the
/// rest of the scenario's diagnosis) or none (a whole diagnosis). Pages until `after`
/// and the pages after a hand-off are the scenario's people's.
#[test]
fn a_drills_student_diagnoses_or_hands_off() {
    use faultline::model::{Student, StudentHandoff};
    let text = r#"Scenario(name: "drill", horizon: "10d",
        components: [
            (id: "a", faults: [(name: "f", every: At("1d"), effect: Crash, repair: Fixed("8d"))]),
            (id: "b", faults: [(name: "f", every: At("5d"), effect: Crash, repair: Fixed("4d"))]),
            (id: "sa", service: (slo: 0.5)), (id: "sb", service: (slo: 0.5)),
        ],
        edges: [(from: "sa", to: "a", kind: Requires), (from: "sb", to: "b", kind: Requires)],
        alerts: [(on: "sa", when: Failed, after: "10m"), (on: "sb", when: Failed, after: "10m")],
        response: (oncall: 1, acknowledge: Fixed("5m"), diagnose: Fixed("2h"),
                   customer_report: Never, handoff: Fixed("15m")),
        strategies: [(name: "spares", mitigations: [Spare(for: ["a", "b"], deploy: Fixed("0s"), stock: 2)])],
    )"#;
    let downtimes = |after: f64, looking: f64, handoff: Option<(bool, bool)>| {
        let mut ms = models(text);
        for m in &mut ms {
            m.response.as_mut().unwrap().student = Some(Student {
                after,
                acknowledge: 2.0 * MIN,
                looking,
                handoff: handoff.map(|(notes, found)| StudentHandoff { notes, found }),
            });
        }
        let ss = study(&ms, 2, 1);
        let s = by_name(&ms, &ss, "spares");
        (s.services[0].downtime.mean(), s.services[1].downtime.mean())
    };
    let (page, first) = (DAY + 10.0 * MIN, f64::NEG_INFINITY);
    let (found, notes) = (Some((true, true)), Some((true, false)));
    let modelled = 10.0 * MIN + 5.0 * MIN + 2.0 * HOUR;
    let student = |looking| 10.0 * MIN + 2.0 * MIN + looking;
    let half = 30.0 * MIN;
    // Diagnosed after looking; the student stays on call for b's page too.
    assert_eq!(downtimes(first, half, None), (student(half), student(half)));
    // Handed off: a's diagnosis as each ending says; b's page goes to the scenario's people.
    let handed = |h| downtimes(first, half, h);
    assert_eq!(handed(found), (student(half) + 15.0 * MIN, modelled));
    assert_eq!(handed(notes), (student(2.0 * HOUR) + 15.0 * MIN, modelled));
    assert_eq!(
        downtimes(first, 3.0 * HOUR, notes),
        (student(3.0 * HOUR) + 15.0 * MIN, modelled),
        "notes after three hours of looking leave nothing of a 2-hour diagnosis"
    );
    let bare = handed(Some((false, true)));
    assert_eq!(bare, (student(half) + 15.0 * MIN + 2.0 * HOUR, modelled));
    assert_eq!(
        bare,
        handed(Some((false, false))),
        "without notes, found is moot"
    );
    // A drill on the second page leaves the first to the scenario's people.
    let later = downtimes(page, half, None);
    assert_eq!(later, (modelled, student(half)));
}

/// Common random numbers for the people: an incident that only one strategy has (an alert
/// on a component users do not depend on) takes its draws from a stream of its own, so
/// every other incident's acknowledgement, diagnosis and customer-report times are the
/// same draws in both strategies, run by run.
#[test]
fn an_extra_incident_leaves_the_others_times_alone() {
    let text = r#"Scenario(name: "crn", horizon: "10d",
        components: [
            (id: "a", faults: [(name: "f", every: At("1d"), effect: Crash, repair: Fixed("8d"))]),
            (id: "b", faults: [(name: "f", every: At("5d"), effect: Crash, repair: Fixed("4d"))]),
            (id: "c", faults: [(name: "f", every: At("3d"), effect: Crash, repair: Fixed("1h"))]),
            (id: "sa", service: (slo: 0.5)), (id: "sb", service: (slo: 0.5)),
        ],
        edges: [(from: "sa", to: "a", kind: Requires), (from: "sb", to: "b", kind: Requires)],
        alerts: [(on: "sa", when: Failed, after: "10m")],
        response: (oncall: 2, acknowledge: Exp(mean: "10m"), diagnose: LogNormal(median: "1h", sigma: 0.8),
                   customer_report: Exp(mean: "20m")),
        strategies: [
            (name: "spares", mitigations: [Spare(for: ["a", "b"], deploy: Fixed("0s"), stock: 2)]),
            (name: "spares-and-c", mitigations: [Spare(for: ["a", "b"], deploy: Fixed("0s"), stock: 2)],
                alerts: [(on: "c", when: Failed, after: "1m")]),
        ],
    )"#;
    let ms = models(text);
    let (plain, extra) = (&ms[1], &ms[2]);
    assert_eq!(extra.strategy, "spares-and-c");
    for run in 0..200 {
        let downtimes = |m: &Model| {
            let mut sim = Sim::new(m);
            sim.run(5, run, &mut ());
            let row = Summary::new(m).record(&sim);
            (
                sim.books.svc[0].downtime,
                sim.books.svc[1].downtime,
                row.downtime_s,
            )
        };
        let (p, e) = (downtimes(plain), downtimes(extra));
        assert_eq!(p, e, "run {run}: c's incident moved a's or b's");
        assert!(
            p.1 > 0.0,
            "b is caught by a customer report, then diagnosed"
        );
    }
}

#[test]
fn incidents_queue_for_people() {
    let text = |oncall: u32| {
        format!(
            r#"Scenario(name: "queue", horizon: "10d",
            components: [
                (id: "a", faults: [(name: "f", every: At("1d"), effect: Crash, repair: Fixed("5d"))]),
                (id: "b", faults: [(name: "f", every: At("1d"), effect: Crash, repair: Fixed("5d"))]),
                (id: "sa", service: (slo: 0.5)), (id: "sb", service: (slo: 0.5)),
            ],
            edges: [(from: "sa", to: "a", kind: Requires), (from: "sb", to: "b", kind: Requires)],
            alerts: [(on: "sa", when: Failed), (on: "sb", when: Failed)],
            response: (oncall: {oncall}, acknowledge: Fixed("0s"), diagnose: Fixed("1h")),
            strategies: [(name: "spares", mitigations: [Spare(for: ["a", "b"], deploy: Fixed("0s"), stock: 2)])],
        )"#
        )
    };
    let downtimes = |oncall| {
        let ms = models(&text(oncall));
        let ss = study(&ms, 3, 1);
        let s = by_name(&ms, &ss, "spares");
        (s.services[0].downtime.mean(), s.services[1].downtime.mean())
    };
    // One responder: b waits for a's incident to be resolved.
    assert_eq!(downtimes(1), (HOUR, 2.0 * HOUR));
    assert_eq!(downtimes(2), (HOUR, HOUR));
}

#[test]
fn repairs_can_wait_for_a_diagnosis() {
    let text = transformer(r#", repair_starts: Diagnosis"#, "")
        .replace(r#"alerts: [(on: "svc", when: Failed, after: "10m")],"#, "")
        .replace("customer_report: Never", r#"customer_report: Fixed("30m")"#)
        .replace(r#"repair: Fixed("20d")"#, r#"repair: Fixed("1h")"#);
    let ms = models(&text);
    let ss = study(&ms, 5, 1);
    // Reported after 30m, acknowledged 5m later, diagnosed 2h later, repaired 1h after that.
    assert_eq!(
        ss[0].downtime.mean(),
        30.0 * MIN + 5.0 * MIN + 2.0 * HOUR + HOUR
    );
    assert_eq!(ss[0].mean_time_to_detect(), 30.0 * MIN);
}

#[test]
fn nobody_notices_without_alerts_or_reports() {
    let text =
        transformer("", "").replace(r#"alerts: [(on: "svc", when: Failed, after: "10m")],"#, "");
    let ms = models(&text);
    let ss = study(&ms, 5, 1);
    assert!(ss[0].mean_time_to_detect().is_nan());
    // The transformer is replaced on day 21 without anyone having noticed: one undetected
    // failure per run.
    assert_eq!(ss[0].undetected, 5);
    assert_eq!(ss[0].responder_hours.mean(), 0.0);
}

#[test]
fn automated_failover_and_restart_need_no_human() {
    let text = r#"Scenario(name: "auto", horizon: "10d",
        components: [
            (id: "db", faults: [(name: "disk", every: At("1d"), effect: Crash, repair: Fixed("5d"))]),
            (id: "standby"),
            (id: "app", faults: [(name: "leak", every: At("8d"), effect: Crash, repair: Fixed("1d"))]),
            (id: "svc", service: (slo: 0.5)),
        ],
        edges: [(from: "svc", to: "db", kind: Requires), (from: "svc", to: "app", kind: Requires)],
        strategies: [
            (name: "failover", mitigations: [Failover(for: "db", standby: "standby", delay: Fixed("10m"), trigger: Auto("1m"))]),
            (name: "restart", mitigations: [Restart(for: ["app"], takes: Fixed("5m"), trigger: Auto("2m"))]),
            (name: "bad-restart", mitigations: [Restart(for: ["app"], takes: Fixed("5m"), works: 0.0, trigger: Auto("2m"))]),
        ],
    )"#;
    let ms = models(text);
    let ss = study(&ms, 5, 1);
    // db down days 1-6, app down days 8-9.
    assert_eq!(by_name(&ms, &ss, "baseline").downtime.mean(), 6.0 * DAY);
    assert_eq!(
        by_name(&ms, &ss, "failover").downtime.mean(),
        11.0 * MIN + DAY
    );
    assert_eq!(
        by_name(&ms, &ss, "restart").downtime.mean(),
        5.0 * DAY + 7.0 * MIN
    );
    assert_eq!(by_name(&ms, &ss, "bad-restart").downtime.mean(), 6.0 * DAY);
}

#[test]
fn a_warm_spare_can_fail_while_it_waits() {
    let spare = |dormant: f64| {
        format!(
            r#"(name: "d{}", mitigations: [Spare(for: ["xfmr"], deploy: Fixed("1d"), fails: Fixed("12h"), dormant: {dormant})])"#,
            (dormant * 10.0) as u32
        )
    };
    let ms = models(&transformer("", &format!("{}, {}", spare(0.0), spare(1.0))));
    let ss = study(&ms, 5, 1);
    let stand_in = 10.0 * MIN + 5.0 * MIN + 2.0 * HOUR + DAY;
    // Cold: it waits safely, then fails after 12h in service and the outage resumes.
    assert_eq!(
        by_name(&ms, &ss, "d0").downtime.mean(),
        20.0 * DAY - 12.0 * HOUR
    );
    // Hot: it failed in storage 12h into the run, long before the attack; nothing to deploy.
    assert_eq!(by_name(&ms, &ss, "d10").downtime.mean(), 20.0 * DAY);
    assert!(stand_in < 20.0 * DAY);
}

#[test]
fn a_spare_faster_than_the_repair_shortens_every_outage() {
    let text = r#"Scenario(name: "random", horizon: "1y",
        components: [
            (id: "xfmr", faults: [(name: "f", every: Exp(mean: "60d"), effect: Crash, repair: Uniform("2d", "5d"))]),
            (id: "svc", service: (slo: 0.5)),
        ],
        edges: [(from: "svc", to: "xfmr", kind: Requires)],
        alerts: [(on: "svc", when: Failed, after: "1m")],
        response: (oncall: 1, acknowledge: Exp(mean: "5m"), diagnose: Uniform("10m", "2h")),
        strategies: [(name: "spare", mitigations: [Spare(for: ["xfmr"], deploy: Uniform("1h", "1d"), stock: 3)])],
    )"#;
    let ms = models(text);
    let (mut base, mut spare) = (Sim::new(&ms[0]), Sim::new(&ms[1]));
    let mut with_faults = 0;
    for run in 0..2000 {
        base.run(9, run, &mut ());
        spare.run(9, run, &mut ());
        if base.books.site_down > 0.0 {
            with_faults += 1;
            assert!(
                spare.books.site_down < base.books.site_down,
                "run {run}: spare {} >= baseline {}",
                spare.books.site_down,
                base.books.site_down
            );
        } else {
            assert_eq!(spare.books.site_down, 0.0);
        }
    }
    assert!(with_faults > 1500, "only {with_faults} runs had a fault");
}

#[test]
fn strategy_ranking_is_the_same_for_any_thread_count() {
    let run = |threads: &str| {
        let out = faultline(&[
            "compare",
            "scenarios/substation.ron",
            "--runs",
            "3000",
            "--json",
            "--threads",
            threads,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let j: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let names: Vec<&str> = j["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "baseline");
    assert!(names.contains(&"mobile-transformer"));
}

#[test]
fn the_mobile_transformer_beats_waiting_for_the_repair() {
    let text = std::fs::read_to_string(crate::common::repo("scenarios/substation.ron")).unwrap();
    let (_, ms) = load_all_str("substation.ron", &text).unwrap();
    let ss = study(&ms, 4000, 2);
    let wait = by_name(&ms, &ss, "wait-for-repair");
    let mobile = by_name(&ms, &ss, "mobile-transformer");
    assert_eq!(wait.paired_cost.mean(), 0.0);
    // The paired difference is negative and its 95% CI excludes zero.
    assert!(mobile.paired_cost.mean() + mobile.paired_cost.ci95() < 0.0);
    assert!(mobile.user_minutes.mean() < 0.5 * wait.user_minutes.mean());
    assert!(mobile.mean_time_to_restore() < 0.2 * wait.mean_time_to_restore());
}

#[test]
fn problems_in_a_strategy_are_located_in_the_strategy() {
    let text = transformer(
        "",
        r#"(name: "bad", mitigations: [Spare(for: ["xfrm"], deploy: Fixed("1d"), capacity: 1.5)],
            patch: (components: [(id: "extra", capacity: 2.0)]))"#,
    );
    let Err(err) = load_all_str("t.ron", &text) else {
        panic!("a strategy with three problems must not load");
    };
    let shown = err.render(false);
    for expected in [
        "strategies[0].mitigations[0].for[0]",
        "strategies[0].mitigations[0].capacity",
        "strategies[0].patch.components[0].capacity",
        "did you mean `xfmr`?",
    ] {
        assert!(shown.contains(expected), "missing {expected} in:\n{shown}");
    }
}

/// A degradation hidden under an outage keeps the alert's condition true when the outage
/// ends: the alert fires again for it (a new root cause), so it is diagnosed and repaired
/// rather than left unseen to the horizon.
#[test]
fn an_alert_fires_again_when_the_cause_under_it_changes() {
    let text = r#"Scenario(name: "hidden", horizon: "10d",
        components: [
            (id: "feed", faults: [(name: "cut", every: At("1d"), effect: Crash, repair: Fixed("1d"))]),
            (id: "line", faults: [(name: "sag", every: At("30h"), effect: Degrade(0.9), repair: Fixed("1h"))]),
            (id: "svc", service: (slo: 0.5, users: 100)),
        ],
        edges: [(from: "svc", to: "line", kind: Requires), (from: "line", to: "feed", kind: Requires)],
        alerts: [(on: "line", when: CapacityBelow(1.0), after: "10m")],
        response: (oncall: 1, acknowledge: Fixed("5m"), diagnose: Fixed("2h"),
                   customer_report: Never, repair_starts: Diagnosis),
    )"#;
    let file = crate::common::scenario_file("hidden-under-outage", text);
    let out = faultline(&[
        "trace",
        &file,
        "-q",
        "--out",
        crate::common::scratch("hidden-under-outage-out")
            .to_str()
            .unwrap(),
    ]);
    let trace = crate::common::stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    // Paged for the cut at day 1 00:10; the cut is repaired a day after its diagnosis
    // (day 2 02:15), the alert fires again 10 minutes later for the sag, which is
    // diagnosed two hours after the acknowledgement and repaired an hour after that.
    assert_eq!(trace.matches("DETECTED  line").count(), 2, "{trace}");
    assert!(trace.contains("day 2 02:25:00  DETECTED  line"), "{trace}");
    assert!(
        trace.contains("day 2 05:30:00  REPAIRED  line: sag fixed"),
        "{trace}"
    );
}
