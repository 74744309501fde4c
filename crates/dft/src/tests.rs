//! Small trees with closed forms, solved on the chain; the parser's refusals, located.

use crate::{Error, Exact, analyze, parse};

const LIMIT: usize = 100_000;

fn solve(text: &str, t: f64) -> Exact {
    let dft = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    analyze(&dft, t, LIMIT).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[track_caller]
fn close(got: f64, want: f64) {
    let scale = want.abs().max(1e-300);
    assert!((got - want).abs() / scale < 1e-10, "got {got}, want {want}");
}

fn e(x: f64) -> f64 {
    (-x).exp()
}

#[test]
fn and_of_two_exponentials() {
    let (a, b, t) = (1.5, 0.7, 0.8);
    let r = solve("toplevel S; S and A B; A lambda=1.5; B lambda=0.7;", t);
    close(r.unreliability, (1.0 - e(a * t)) * (1.0 - e(b * t)));
    close(r.mttf, 1.0 / a + 1.0 / b - 1.0 / (a + b));
}

#[test]
fn or_of_two_exponentials() {
    let r = solve(
        "toplevel \"S\"; \"S\" or \"A\" \"B\"; \"A\" lambda=1.5; \"B\" lambda=0.7;",
        2.0,
    );
    close(r.unreliability, 1.0 - e(2.2 * 2.0));
    close(r.mttf, 1.0 / 2.2);
}

#[test]
fn two_of_three_vote_in_every_spelling() {
    let t = 0.6;
    let p: Vec<f64> = [1.0, 2.0, 3.0].iter().map(|l| 1.0 - e(l * t)).collect();
    let want = p[0] * p[1] + p[0] * p[2] + p[1] * p[2] - 2.0 * p[0] * p[1] * p[2];
    for gate in ["2of3", "vot2", "vot 2"] {
        let r = solve(
            &format!("toplevel S; S {gate} A B C; A lambda=1; B lambda=2; C lambda=3;"),
            t,
        );
        close(r.unreliability, want);
        // Time to the second of three failures: 1/6, then the remaining two.
        close(
            r.mttf,
            1.0 / 6.0 + (1.0 / 6.0) / 5.0 + (2.0 / 6.0) / 4.0 + (3.0 / 6.0) / 3.0,
        );
    }
}

#[test]
fn pand_of_two_fails_only_in_order() {
    let (a, b, t) = (0.9, 0.4, 1.7);
    let r = solve("toplevel S; S pand A B; A lambda=0.9; B lambda=0.4;", t);
    let want = a / (a + b) * (1.0 - e((a + b) * t)) - e(b * t) * (1.0 - e(a * t));
    close(r.unreliability, want);
    assert!(r.mttf.is_infinite(), "B first makes the PAND failsafe");
}

#[test]
fn pand_counts_simultaneous_failures_as_ordered() {
    // A fails both inputs at once, which is in order (inclusive, Storm's default); C
    // then A or B too; B first makes the PAND failsafe.
    let tree = |pand: &str| {
        format!(
            "toplevel S; S {pand} G1 G2; G1 or A C; G2 or A B; A lambda=1; B lambda=1; C lambda=1;"
        )
    };
    let t = 1.0;
    let c_then_g2 = (1.0 - e(3.0 * t)) / 3.0 - e(2.0 * t) * (1.0 - e(t));
    for pand in ["pand", "pand-incl", "pand<="] {
        close(
            solve(&tree(pand), t).unreliability,
            (1.0 - e(3.0 * t)) / 3.0 + c_then_g2,
        );
    }
}

#[test]
fn por_fails_when_the_first_input_fails_first() {
    let (a, b, t) = (0.5, 1.5, 0.9);
    let r = solve("toplevel S; S por A B; A lambda=0.5; B lambda=1.5;", t);
    close(r.unreliability, a / (a + b) * (1.0 - e((a + b) * t)));
}

#[test]
fn por_counts_simultaneous_failures_as_first() {
    // A fails both inputs at once: the POR fails; C first fails it, B first makes it failsafe.
    let tree = |por: &str| {
        format!(
            "toplevel S; S {por} G1 G2; G1 or A C; G2 or A B; A lambda=1; B lambda=1; C lambda=1;"
        )
    };
    let t = 0.4;
    for por in ["por", "por-incl", "por<="] {
        close(
            solve(&tree(por), t).unreliability,
            2.0 / 3.0 * (1.0 - e(3.0 * t)),
        );
    }
}

#[test]
fn cold_spare_is_hypoexponential_and_erlang() {
    let (a, b, t) = (2.0, 0.5, 1.3);
    let r = solve("toplevel S; S csp A B; A lambda=2; B lambda=0.5 dorm=0;", t);
    close(
        r.unreliability,
        1.0 - (b * e(a * t) - a * e(b * t)) / (b - a),
    );
    close(r.mttf, 1.0 / a + 1.0 / b);
    let r = solve("toplevel S; S wsp A B; A lambda=2; B lambda=2 dorm=0;", t);
    close(r.unreliability, 1.0 - e(a * t) * (1.0 + a * t));
}

#[test]
fn warm_spare_fails_at_its_dormant_rate_until_claimed() {
    let (a, b, d, t) = (1.0, 0.5, 0.3, 1.1);
    let r = solve(
        "toplevel S; S wsp A B; A lambda=1; B lambda=0.5 dorm=0.3;",
        t,
    );
    let k = a + b * d - b;
    let survive = e(a * t) + a * e(b * t) * (1.0 - e(k * t)) / k;
    close(r.unreliability, 1.0 - survive);
    close(
        r.mttf,
        1.0 / (a + b * d) + a / (a + b * d) / b + b * d / (a + b * d) / a,
    );
}

#[test]
fn hot_spare_is_an_and() {
    let (a, b, t) = (1.0, 0.5, 1.1);
    let r = solve("toplevel S; S hsp A B; A lambda=1; B lambda=0.5;", t);
    close(r.unreliability, (1.0 - e(a * t)) * (1.0 - e(b * t)));
}

#[test]
fn a_shared_spare_serves_whichever_gate_needs_it_first() {
    // Either primary failing claims C; the next failure (the other primary or C) fails
    // one gate: the second of two events at rate 2.
    let t = 0.7;
    let r = solve(
        "toplevel S; S or G1 G2; G1 wsp A C; G2 wsp B C; A lambda=1; B lambda=1; C lambda=1 dorm=0;",
        t,
    );
    close(r.unreliability, 1.0 - e(2.0 * t) * (1.0 + 2.0 * t));
    close(r.mttf, 1.0);
    // Only G1 counts; if B fails first, G2 takes C and G1 has no spare left.
    let (a, b, c) = (1.0, 2.0, 0.5);
    let r = solve(
        "toplevel G1; G1 wsp A C; G2 wsp B C; A lambda=1; B lambda=2; C lambda=0.5 dorm=0;",
        t,
    );
    close(r.mttf, 1.0 / (a + b) + a / (a + b) / c + b / (a + b) / a);
}

#[test]
fn a_spare_module_is_activated_when_claimed() {
    // The spare is a gate over two cold events: both start failing once it is claimed.
    let (a, t) = (1.0, 0.9);
    let r = solve(
        "toplevel S; S wsp A M; M and X Y; A lambda=1; X lambda=1 dorm=0; Y lambda=1 dorm=0;",
        t,
    );
    // A, then the later of two rate-1 events: 1 + (1 + 1 - 1/2).
    close(r.mttf, 1.0 / a + 1.5);
}

#[test]
fn fdep_trigger_fails_its_dependents() {
    let (a, b, tau, t) = (0.3, 0.6, 0.8, 1.2);
    let r = solve(
        "toplevel S; S and A B; F fdep T A; T lambda=0.8; A lambda=0.3; B lambda=0.6;",
        t,
    );
    let fa = a + tau;
    close(r.unreliability, (1.0 - e(fa * t)) * (1.0 - e(b * t)));
    close(r.mttf, 1.0 / fa + 1.0 / b - 1.0 / (fa + b));
}

#[test]
fn fdep_named_as_an_input_of_an_or_is_ignored() {
    let r = solve(
        "toplevel S; S or F A; F fdep T A; T lambda=1; A lambda=1;",
        1.0,
    );
    close(r.mttf, 0.5);
}

#[test]
fn pdep_forces_with_its_probability() {
    let (a, tau, p, t) = (0.4, 1.0, 0.3, 0.9);
    let r = solve("toplevel A; D pdep=0.3 T A; T lambda=1; A lambda=0.4;", t);
    let survive = e((a + tau) * t) + (1.0 - p) * e(a * t) * (1.0 - e(tau * t));
    close(r.unreliability, 1.0 - survive);
    close(r.mttf, 1.0 / (a + tau) + tau * (1.0 - p) / (a + tau) / a);
}

#[test]
fn pdep_draws_once_for_all_its_dependents() {
    // Storm's reading: with probability 1/2 both fail, else neither.
    let r = solve(
        "toplevel S; S or A B; D pdep=0.5 T A B; T lambda=1; A lambda=0; B lambda=0;",
        50.0,
    );
    close(r.unreliability, 0.5 * (1.0 - e(50.0)));
}

#[test]
fn seq_makes_events_fail_in_order() {
    let (a, b, t) = (2.0, 0.5, 1.3);
    let r = solve(
        "toplevel S; S and A B; Q seq A B; A lambda=2; B lambda=0.5;",
        t,
    );
    close(
        r.unreliability,
        1.0 - (b * e(a * t) - a * e(b * t)) / (b - a),
    );
    close(r.mttf, 1.0 / a + 1.0 / b);
}

#[test]
fn mutex_lets_only_one_member_fail() {
    let (a, b, t) = (2.0, 0.5, 1.3);
    let r = solve("toplevel B; Q mutex A B; A lambda=2; B lambda=0.5;", t);
    close(r.unreliability, b / (a + b) * (1.0 - e((a + b) * t)));
    let r = solve(
        "toplevel S; S and A B; Q mutex A B; A lambda=2; B lambda=0.5;",
        t,
    );
    assert_eq!(r.unreliability, 0.0);
    assert!(r.mttf.is_infinite());
}

#[test]
fn a_top_that_cannot_fail_has_infinite_mttf() {
    let r = solve("toplevel S; S and A B; A lambda=1; B lambda=0;", 3.0);
    assert_eq!(r.unreliability, 0.0);
    assert!(r.mttf.is_infinite());
}

#[test]
fn a_long_time_and_a_large_rate() {
    let r = solve(
        "toplevel S; S and A B; A lambda=100; B lambda=0.001;",
        5000.0,
    );
    close(r.unreliability, (1.0 - e(500_000.0)) * (1.0 - e(5.0)));
}

#[test]
fn order_dependent_forced_failures_are_refused() {
    let dft =
        parse("toplevel S; S pand A B; F fdep T A B; T lambda=1; A lambda=1; B lambda=1;").unwrap();
    let err = analyze(&dft, 1.0, LIMIT).unwrap_err();
    assert!(err.to_string().starts_with("the order of the simultaneous failures forced by 'F' (the failure of 'A' and the failure of 'B')"), "{err}");
    // Two dependencies forcing the two inputs at once: the same.
    let dft = parse(
        "toplevel S; S pand A B; F fdep T A; G fdep T B; T lambda=1; A lambda=1; B lambda=1;",
    )
    .unwrap();
    let err = analyze(&dft, 1.0, LIMIT).unwrap_err();
    assert!(
        matches!(err, Error::OrderDependent { ref forced_by, .. } if forced_by == "'F' and 'G'"),
        "{err}"
    );
}

#[test]
fn order_independent_forced_failures_under_dynamic_gates_are_solved() {
    // Two sensors forced by one network failure under a 2-of-2 next to a PAND: every
    // order gives the same state.
    let text = "toplevel S; S or V P; V 2of2 X Y; F fdep N X Y; P pand A B;
                N lambda=1; X lambda=0; Y lambda=0; A lambda=0; B lambda=0;";
    let r = solve(text, 0.5);
    close(r.unreliability, 1.0 - e(0.5));
}

#[test]
fn the_state_limit_is_an_error() {
    let dft = parse("toplevel S; S and A B C; A lambda=1; B lambda=1; C lambda=1;").unwrap();
    assert_eq!(
        analyze(&dft, 1.0, 3),
        Err(Error::TooManyStates { limit: 3 })
    );
    assert!(analyze(&dft, 1.0, 9).is_ok());
    assert_eq!(analyze(&dft, -1.0, 9), Err(Error::BadTime(-1.0)));
}

#[test]
fn too_long_a_time_is_an_error() {
    let dft = parse("toplevel S; S and A B; A lambda=1000; B lambda=1;").unwrap();
    assert!(matches!(
        analyze(&dft, 1e6, LIMIT),
        Err(Error::TooManySteps { .. })
    ));
    // A long time on a chain that is soon absorbed stops early, with the right answer.
    let r = analyze(&dft, 1e4, LIMIT).unwrap();
    close(r.unreliability, 1.0);
}

#[test]
fn many_simultaneous_failures() {
    let dependents: Vec<String> = (0..3000).map(|i| format!("D{i}")).collect();
    let events: String = dependents
        .iter()
        .map(|d| format!("{d} lambda=0;\n"))
        .collect();
    let list = dependents.join(" ");
    // Without order-sensitive gates: taken in one order, however many.
    let r = solve(
        &format!("toplevel S; S and {list}; F fdep T {list}; T lambda=2;\n{events}"),
        1.0,
    );
    close(r.mttf, 0.5);
    // With one: every order is tried, up to a budget, then refused (never a stack overflow).
    let some = dependents[..17].join(" ");
    let events: String = dependents[..17]
        .iter()
        .map(|d| format!("{d} lambda=0;\n"))
        .collect();
    let text = format!(
        "toplevel S; S or V P; V and {some}; F fdep T {some}; P pand X Y;\nX lambda=1; Y lambda=1; T lambda=2;\n{events}"
    );
    let err = analyze(&parse(&text).unwrap(), 1.0, LIMIT).unwrap_err();
    assert_eq!(err, Error::TooManySimultaneous);
}

#[test]
fn static_trees_are_told_apart() {
    assert!(
        parse("toplevel S; S 2of3 A B C; A lambda=1; B lambda=1; C lambda=1;")
            .unwrap()
            .is_static()
    );
    assert!(
        !parse("toplevel S; S pand A B; A lambda=1; B lambda=1;")
            .unwrap()
            .is_static()
    );
    assert!(
        !parse("toplevel S; S or A B; F fdep A B; A lambda=1; B lambda=1;")
            .unwrap()
            .is_static()
    );
}

fn refused(text: &str) -> (usize, usize, String) {
    let e = parse(text).expect_err(text);
    (e.line, e.column, e.message)
}

#[track_caller]
fn refused_at(text: &str, line: usize, column: usize, says: &str) {
    let (l, c, m) = refused(text);
    assert_eq!((l, c), (line, column), "{m}");
    assert!(m.contains(says), "{m:?} does not say {says:?}");
}

#[test]
fn references_names_and_the_top_are_checked() {
    refused_at(
        "toplevel S;\nS and A B;\nA lambda=1;",
        2,
        9,
        "'B' is not defined",
    );
    refused_at(
        "toplevel S;\nS or A;\nA lambda=1;\n  A lambda=2;",
        4,
        3,
        "defined twice (first at line 3)",
    );
    refused_at("S or A;\nA lambda=1;\n", 3, 1, "no toplevel");
    refused_at(
        "toplevel T;\nS or A;\nA lambda=1;",
        1,
        10,
        "'T' is not defined",
    );
    refused_at(
        "toplevel S; toplevel S; S or A; A lambda=1;",
        1,
        13,
        "toplevel given twice",
    );
    refused_at("toplevel S;\nS or A;\nA or S;", 2, 1, "cycle: S -> A -> S");
    refused_at(
        "toplevel Q;\nQ seq A B; A lambda=1; B lambda=1;",
        1,
        10,
        "never fails",
    );
}

#[test]
fn unsupported_constructs_are_named() {
    refused_at(
        "param x;\ntoplevel A;\nA lambda=x;",
        1,
        1,
        "parametric DFTs are not supported",
    );
    refused_at(
        "toplevel A;\nA lambda=x;",
        2,
        10,
        "parametric DFTs are not supported (symbolic value 'x')",
    );
    refused_at("toplevel A;\nA lambda=1 prob=0.1;", 2, 12, "prob=");
    refused_at(
        "toplevel A;\nA lambda=1 repair=2;",
        2,
        12,
        "repairable DFTs",
    );
    refused_at(
        "toplevel A;\nA lambda=1 phases=2;",
        2,
        12,
        "only exponential",
    );
    refused_at("toplevel S;\nS insp A;\nA lambda=1;", 2, 3, "inspections");
    for gate in ["pand-excl", "pand<", "por-excl", "por<"] {
        refused_at(
            &format!("toplevel S;\nS {gate} A B;\nA lambda=1; B lambda=1;"),
            2,
            3,
            "exclusive priority gates",
        );
    }
    refused_at(
        "toplevel S;\nS and A B;\nQ seq A G;\nG or B; A lambda=1; B lambda=1;",
        3,
        9,
        "must be a basic event",
    );
    refused_at(
        "toplevel S;\nS and A B;\nF fdep A S;\nA lambda=1; B lambda=1;",
        3,
        10,
        "must be a basic event",
    );
    refused_at(
        "toplevel S;\nS and A B;\nQ seq A B;\nF fdep A B;\nA lambda=1; B lambda=1;",
        3,
        1,
        "restricted",
    );
    refused_at(
        "toplevel S;\nS and G H;\nG wsp A C;\nH wsp A D;\nA lambda=1; C lambda=1; D lambda=1;",
        4,
        1,
        "primary",
    );
}

#[test]
fn malformed_statements_are_located() {
    refused_at("toplevel S;\nS and A\nA lambda=1;", 3, 9, "';' missing");
    refused_at("toplevel S;\nS and A;\nA lambda=1", 3, 10, "expected ';'");
    refused_at(
        "toplevel S;\nS 2of3 A B;\nA lambda=1; B lambda=1;",
        2,
        3,
        "'2of3' but 2 inputs",
    );
    refused_at(
        "toplevel S;\nS vot3 A B;\nA lambda=1; B lambda=1;",
        2,
        3,
        "between 1 and the 2 inputs",
    );
    refused_at(
        "toplevel S;\nS xor A B;\nA lambda=1; B lambda=1;",
        2,
        3,
        "unknown element type 'xor'",
    );
    refused_at("toplevel A;\nA lambda=-1;", 2, 10, "must not be negative");
    refused_at("toplevel A;\nA lambda=1 dorm=2;", 2, 17, "within [0, 1]");
    refused_at("toplevel A;\nA lambda=1 lambda=2;", 2, 12, "given twice");
    refused_at("toplevel A;\nA dorm=0.5;", 2, 3, "no failure rate");
    refused_at(
        "toplevel S;\nS pdep=1.5 A B;\nA lambda=1; B lambda=1;",
        2,
        8,
        "within [0, 1]",
    );
    refused_at("toplevel S;\nS and A A;\nA lambda=1;", 2, 9, "listed twice");
    refused_at("toplevel S;\nS and;\n", 2, 3, "no inputs");
}

#[test]
fn comments_quotes_and_spacing_are_read() {
    let text = "// a comment\ntoplevel \"The top\";\n/* a\nblock */ \"The top\" and \"a b\" c; // end\n\"a b\" lambda = 1 dorm=0.5;\nc lambda=2.0E-1;";
    let dft = parse(text).unwrap();
    assert_eq!(dft.elements()[dft.top()].name, "The top");
    assert!(dft.find("a b").is_some());
}

#[test]
fn no_input_makes_the_parser_panic() {
    // Every prefix and every one-character deletion of a tree that uses everything.
    let text = "toplevel \"S\"; S or P W V M; P pand A B; W wsp C D; V 2of3 A B C; M por A B;
                F fdep T A; G pdep=0.5 T B; Q seq C D; X mutex A D;
                A lambda=1; B lambda=2 dorm=0.5; C lambda=1; D lambda=0.5 dorm=0; T lambda=0.1; // c";
    let chars: Vec<char> = text.chars().collect();
    for cut in 0..=chars.len() {
        let prefix: String = chars[..cut].iter().collect();
        let _ = parse(&prefix);
        let deleted: String = chars
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != cut)
            .map(|(_, c)| *c)
            .collect();
        if let Ok(dft) = parse(&deleted) {
            let _ = analyze(&dft, 1.0, 10_000);
        }
    }
}
