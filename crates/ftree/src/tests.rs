//! Small trees with closed forms, read from MEF text: every figure `analyze` prints.

use crate::analysis::{Analysis, Settings, analyze};
use crate::mef::{self, MefError, Options, Source};

fn model(body: &str, events: &[(&str, f64)]) -> String {
    let mut s =
        format!("<opsa-mef><define-fault-tree name=\"t\">{body}</define-fault-tree><model-data>");
    for (name, p) in events {
        s += &format!(
            "<define-basic-event name=\"{name}\"><float value=\"{p}\"/></define-basic-event>"
        );
    }
    s + "</model-data></opsa-mef>"
}

fn read(text: &str) -> Result<crate::FaultTree, MefError> {
    mef::read(
        &[Source {
            name: "t.xml",
            text,
        }],
        &Options::default(),
    )
}

fn run(text: &str, max_order: Option<usize>) -> Analysis {
    let tree = read(text).unwrap_or_else(|e| panic!("{e}"));
    analyze(
        &tree,
        &Settings {
            max_order,
            ..Settings::default()
        },
    )
    .expect("small")
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1e-300), "{a} vs {b}");
}

fn sets(a: &Analysis) -> Vec<String> {
    let mut v: Vec<String> = a.cut_sets.iter().map(|c| c.events.join(" ")).collect();
    v.sort();
    v
}

const ABC: [(&str, f64); 3] = [("a", 0.1), ("b", 0.2), ("c", 0.3)];

#[test]
fn and_or_and_voting_gates_have_their_closed_forms() {
    let gate = |f: &str| {
        model(
            &format!("<define-gate name=\"top\">{f}</define-gate>"),
            &ABC,
        )
    };
    let refs = "<basic-event name=\"a\"/><basic-event name=\"b\"/><basic-event name=\"c\"/>";
    let p = |f: &str| run(&gate(f), None).probability.expect("exact");
    close(p(&format!("<and>{refs}</and>")), 0.1 * 0.2 * 0.3);
    close(p(&format!("<or>{refs}</or>")), 1.0 - 0.9 * 0.8 * 0.7);
    let two_of_three = 0.1 * 0.2 * 0.7 + 0.1 * 0.8 * 0.3 + 0.9 * 0.2 * 0.3 + 0.1 * 0.2 * 0.3;
    close(
        p(&format!("<atleast min=\"2\">{refs}</atleast>")),
        two_of_three,
    );
    close(
        p(&format!("<xor>{refs}</xor>")),
        0.1 * 0.8 * 0.7 + 0.9 * 0.2 * 0.7 + 0.9 * 0.8 * 0.3 + 0.1 * 0.2 * 0.3,
    );
    close(
        p(&format!(
            "<cardinality min=\"1\" max=\"1\">{refs}</cardinality>"
        )),
        0.1 * 0.8 * 0.7 + 0.9 * 0.2 * 0.7 + 0.9 * 0.8 * 0.3,
    );
    close(p(&format!("<nand>{refs}</nand>")), 1.0 - 0.1 * 0.2 * 0.3);
    close(
        p("<imply><basic-event name=\"a\"/><basic-event name=\"b\"/></imply>"),
        1.0 - 0.1 * 0.8,
    );
}

#[test]
fn cut_sets_are_minimal_and_limited_by_order() {
    let text = model(
        "<define-gate name=\"top\"><or><gate name=\"g\"/><basic-event name=\"c\"/></or></define-gate>\
         <define-gate name=\"g\"><and><basic-event name=\"a\"/><basic-event name=\"b\"/>\
         <or><basic-event name=\"a\"/><basic-event name=\"c\"/></or></and></define-gate>",
        &ABC,
    );
    let a = run(&text, None);
    assert_eq!(sets(&a), ["a b", "c"]);
    assert_eq!(a.orders, [1, 1]);
    close(a.rare_event, 0.3 + 0.02);
    close(a.mcub, 1.0 - 0.7 * 0.98);
    close(a.probability.expect("exact"), 1.0 - 0.7 * 0.98);
    assert_eq!(sets(&run(&text, Some(1))), ["c"]);
}

#[test]
fn negative_literals_are_dropped_from_cut_sets_but_not_from_the_probability() {
    let text = model(
        "<define-gate name=\"top\"><and><basic-event name=\"a\"/><not><basic-event name=\"b\"/></not></and></define-gate>",
        &ABC,
    );
    let a = run(&text, None);
    assert!(!a.coherent);
    close(a.probability.expect("exact"), 0.1 * 0.8);
    assert_eq!(sets(&a), ["a"]);
}

#[test]
fn importance_measures_match_their_definitions_on_a_series_system() {
    // top = a or b: P = 1 - 0.9 * 0.8 = 0.28; Birnbaum(a) = P(b works) = 0.8.
    let text = model(
        "<define-gate name=\"top\"><or><basic-event name=\"a\"/><basic-event name=\"b\"/></or></define-gate>",
        &ABC,
    );
    let a = run(&text, None);
    let imp = a.importance.iter().find(|i| i.event == "a").expect("a");
    close(imp.birnbaum, 0.8);
    close(imp.criticality, 0.8 * 0.1 / 0.28);
    close(imp.fussell_vesely, 0.1 / 0.28);
    close(imp.raw, 1.0 / 0.28);
    close(imp.rrw, 0.28 / 0.2);
}

#[test]
fn a_beta_factor_group_adds_one_common_cause_event() {
    let text = "<opsa-mef><define-fault-tree name=\"t\"><define-gate name=\"top\"><and>\
        <basic-event name=\"p1\"/><basic-event name=\"p2\"/></and></define-gate>\
        <define-CCF-group name=\"pumps\" model=\"beta-factor\"><members><basic-event name=\"p1\"/>\
        <basic-event name=\"p2\"/></members><distribution><float value=\"0.1\"/></distribution>\
        <factor level=\"2\"><float value=\"0.2\"/></factor></define-CCF-group></define-fault-tree></opsa-mef>";
    let a = run(text, None);
    let (ind, cc) = (0.8 * 0.1, 0.2 * 0.1);
    close(a.probability.expect("exact"), cc + (1.0 - cc) * ind * ind);
    assert_eq!(sets(&a), ["[p1 p2]", "[p1] [p2]"]);
}

#[test]
fn mgl_and_alpha_factor_groups_split_the_total_probability_by_level() {
    let group = |model: &str, factors: &str| {
        format!(
            "<opsa-mef><define-fault-tree name=\"t\"><define-gate name=\"top\"><atleast min=\"2\">\
             <basic-event name=\"x\"/><basic-event name=\"y\"/><basic-event name=\"z\"/></atleast></define-gate>\
             <define-CCF-group name=\"g\" model=\"{model}\"><members><basic-event name=\"x\"/>\
             <basic-event name=\"y\"/><basic-event name=\"z\"/></members><distribution><float value=\"0.01\"/>\
             </distribution><factors>{factors}</factors></define-CCF-group></define-fault-tree></opsa-mef>"
        )
    };
    let a = run(
        &group(
            "MGL",
            "<factor level=\"2\"><float value=\"0.1\"/></factor><factor level=\"3\"><float value=\"0.3\"/></factor>",
        ),
        None,
    );
    let ev = |name: &str, a: &Analysis| a.importance.iter().find(|i| i.event == name).map(|i| i.p);
    // MGL, three members: Q1 = (1-β)Q, Q2 = β(1-γ)Q/2, Q3 = βγQ.
    close(ev("[x]", &a).expect("x"), 0.9 * 0.01);
    close(ev("[x y]", &a).expect("xy"), 0.1 * 0.7 * 0.01 / 2.0);
    close(ev("[x y z]", &a).expect("xyz"), 0.1 * 0.3 * 0.01);
    let a = run(
        &group(
            "alpha-factor",
            "<factor level=\"1\"><float value=\"0.9\"/></factor><factor level=\"2\"><float value=\"0.07\"/></factor><factor level=\"3\"><float value=\"0.03\"/></factor>",
        ),
        None,
    );
    // Alpha factor: Qk = k / C(n-1, k-1) * αk / αt * Q, αt = Σ k αk.
    let at = 0.9 + 2.0 * 0.07 + 3.0 * 0.03;
    close(ev("[x]", &a).expect("x"), 0.9 / at * 0.01);
    close(ev("[x z]", &a).expect("xz"), 2.0 / 2.0 * 0.07 / at * 0.01);
    close(ev("[x y z]", &a).expect("xyz"), 3.0 * 0.03 / at * 0.01);
}

#[test]
fn expressions_parameters_and_house_events_are_evaluated() {
    let text = "<opsa-mef><define-fault-tree name=\"t\"><define-gate name=\"top\"><or>\
        <basic-event name=\"e\"/><and><house-event name=\"h\"/><basic-event name=\"w\"/></and></or></define-gate>\
        <define-house-event name=\"h\"><constant value=\"false\"/></define-house-event>\
        </define-fault-tree><model-data><define-parameter name=\"rate\"><mul><float value=\"2\"/>\
        <float value=\"1e-4\"/></mul></define-parameter><define-basic-event name=\"e\"><exponential>\
        <parameter name=\"rate\"/><system-mission-time/></exponential></define-basic-event>\
        <define-basic-event name=\"w\"><Weibull><float value=\"1000\"/><float value=\"2\"/><float value=\"0\"/>\
        <system-mission-time/></Weibull></define-basic-event></model-data></opsa-mef>";
    let a = run(text, None);
    close(
        a.probability.expect("exact"),
        1.0 - (-2e-4f64 * 8760.0).exp(),
    );
    assert_eq!(sets(&a), ["e"]);
    let tree = read(text).expect("valid");
    let e = tree.events.iter().find(|e| e.name == "e").expect("e");
    assert_eq!(
        e.law,
        crate::Law::Exponential {
            lambda: 2e-4,
            hours: 8760.0
        }
    );
}

#[test]
fn private_names_of_a_component_do_not_clash_with_public_ones() {
    let text = "<opsa-mef><define-fault-tree name=\"t\"><define-gate name=\"top\"><or>\
        <gate name=\"g\"/><gate name=\"c.g\"/></or></define-gate>\
        <define-gate name=\"g\"><basic-event name=\"a\"/></define-gate>\
        <define-component name=\"c\" role=\"private\"><define-gate name=\"g\"><basic-event name=\"b\"/>\
        </define-gate></define-component></define-fault-tree><model-data>\
        <define-basic-event name=\"a\"><float value=\"0.1\"/></define-basic-event>\
        <define-basic-event name=\"b\"><float value=\"0.2\"/></define-basic-event></model-data></opsa-mef>";
    assert_eq!(sets(&run(text, None)), ["a", "b"]);
}

#[test]
fn a_private_parameter_is_found_from_inside_its_component_first() {
    let text = "<opsa-mef><define-fault-tree name=\"t\"><define-gate name=\"top\"><or>\
        <basic-event name=\"a\"/><basic-event name=\"c.b\"/></or></define-gate>\
        <define-basic-event name=\"a\"><parameter name=\"r\"/></define-basic-event>\
        <define-parameter name=\"r\"><float value=\"0.5\"/></define-parameter>\
        <define-component name=\"c\" role=\"private\">\
        <define-parameter name=\"r\"><float value=\"0.2\"/></define-parameter>\
        <define-basic-event name=\"b\"><parameter name=\"r\"/></define-basic-event>\
        </define-component></define-fault-tree></opsa-mef>";
    let tree = read(text).unwrap_or_else(|e| panic!("{e}"));
    let p = |name: &str| tree.events.iter().find(|e| e.name == name).map(|e| e.p);
    assert_eq!((p("a"), p("c.b")), (Some(0.5), Some(0.2)));
}

#[test]
fn problems_are_located_and_name_what_is_wrong() {
    let at = |text: &str| read(text).expect_err("invalid");
    let e = at(&model(
        "<define-gate name=\"top\">\n  <or><basic-event name=\"nope\"/></or></define-gate>",
        &ABC,
    ));
    assert_eq!((e.line, e.col), (2, 7), "{e}");
    assert!(
        e.message.contains("basic event 'nope' is not defined"),
        "{e}"
    );
    let e = at(&model(
        "<define-gate name=\"top\"><gate name=\"top\"/></define-gate><define-gate name=\"x\"><gate name=\"top\"/></define-gate>",
        &ABC,
    ));
    assert!(e.message.contains("cycle"), "{e}");
    let e = at("<opsa-mef><define-event-tree name=\"et\"/></opsa-mef>");
    assert!(
        e.message.contains("<define-event-tree> is not supported"),
        "{e}"
    );
    let e = at(&model(
        "<define-gate name=\"top\"><atleast min=\"4\"><basic-event name=\"a\"/><basic-event name=\"b\"/></atleast></define-gate>",
        &ABC,
    ));
    assert!(e.message.contains("min=\"4\""), "{e}");
    let e = at(&model(
        "<define-gate name=\"top\"><basic-event name=\"a\"/></define-gate>",
        &[("a", 1.5)],
    ));
    assert!(e.message.contains("outside [0, 1]"), "{e}");
    let e = at("<opsa-mef><define-fault-tree name=\"t\"><define-gate name=\"top\"><or>");
    assert!(e.message.starts_with("not well-formed XML"), "{e}");
    let e = at(&model(
        "<define-gate name=\"top\"><basic-event name=\"a\"/></define-gate><define-basic-event name=\"z\"><periodic-test><float value=\"1\"/></periodic-test></define-basic-event>",
        &ABC,
    ));
    assert!(
        e.message.contains("<periodic-test> takes 4 arguments"),
        "{e}"
    );
}

mod markov {
    use crate::markov::{Rates, solve};
    use crate::tree::{Event, FaultTree, Gate, Law, Node, Op};

    fn tree(op: Op, n: usize) -> FaultTree {
        let events = (0..n)
            .map(|i| Event {
                name: format!("e{i}"),
                p: 0.0,
                law: Law::Probability,
            })
            .collect();
        let args = (0..n as u32).map(Node::Event).collect();
        FaultTree {
            events,
            gates: vec![Gate {
                name: "top".into(),
                op,
                args,
                at: None,
            }],
            top: Node::Gate(0),
        }
    }

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs(), "{a} vs {b}");
    }

    #[test]
    fn one_repairable_event_has_the_two_state_chain_closed_forms() {
        let (l, m, t) = (0.01, 0.1, 500.0);
        let a = solve(&tree(Op::Or, 1), &[Rates { lambda: l, mu: m }], t).expect("small");
        let s = l + m;
        close(
            a.interval_unavailability,
            l / s * (1.0 - (1.0 - (-s * t).exp()) / (s * t)),
            1e-9,
        );
        close(
            a.unavailability_at_horizon,
            l / s * (1.0 - (-s * t).exp()),
            1e-12,
        );
        close(a.steady_unavailability, l / s, 1e-12);
        close(a.unreliability.expect("solved"), 1.0 - (-l * t).exp(), 1e-9);
        close(a.mttf.expect("solved"), 1.0 / l, 1e-9);
    }

    #[test]
    fn a_repairable_parallel_pair_has_its_textbook_mttf() {
        // 1-of-2 with repair of each unit: MTTF = (3λ + μ) / (2λ²).
        let (l, m) = (0.002, 0.05);
        let r = Rates { lambda: l, mu: m };
        let a = solve(&tree(Op::And, 2), &[r, r], 1000.0).expect("small");
        close(a.mttf.expect("solved"), (3.0 * l + m) / (2.0 * l * l), 1e-9);
        let q = l / (l + m);
        close(a.steady_unavailability, q * q, 1e-12);
    }

    #[test]
    fn a_series_pair_fails_first_at_the_sum_of_its_rates() {
        let r = [
            Rates {
                lambda: 0.001,
                mu: 0.2,
            },
            Rates {
                lambda: 0.003,
                mu: 0.0,
            },
        ];
        let a = solve(&tree(Op::Or, 2), &r, 300.0).expect("small");
        close(
            a.unreliability.expect("solved"),
            1.0 - (-0.004f64 * 300.0).exp(),
            1e-9,
        );
        close(a.mttf.expect("solved"), 1.0 / 0.004, 1e-9);
    }
}
