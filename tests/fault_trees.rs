//! Fault trees end to end: `analyze` on MEF, Galileo and scenario files checked against
//! probabilities computed here from the models' numbers, Monte Carlo against the exact
//! answer, `import`/`export --mef` round trips, and the refusals (exit 2, located, no
//! output file).

use crate::common::{faultline, scratch, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

const PUMPS: &str = "scenarios/pumps.xml";

/// P(top) of `scenarios/pumps.xml`, computed from its numbers: rates per hour, a mission of
/// 8760 h, the pumps a beta-factor group (β = 0.1), conditioned on their common event.
fn pumps_exact() -> f64 {
    let t: f64 = 8760.0;
    let valve = 1.0 - (-1e-5 * t).exp();
    let sensor = 1.0 - (-3e-5 * t).exp();
    let bus = 1e-3;
    let q = 1.0 - (-2e-5 * t).exp();
    let beta = 0.1;
    let (pump, common) = ((1.0 - beta) * q, beta * q);
    // Without the common event the trains are independent, each a pump or its valve.
    let train = 1.0 - (1.0 - pump) * (1.0 - valve);
    let both = train * train;
    let sensors = 3.0 * sensor * sensor - 2.0 * sensor.powi(3);
    let independent = 1.0 - (1.0 - both) * (1.0 - sensors) * (1.0 - bus);
    // With it, both pumps are down, so both trains are: the top has failed.
    common + (1.0 - common) * independent
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The JSON that a successful command prints.
fn json(args: &[&str]) -> Value {
    let out = faultline(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: invalid JSON ({e}): {}", stdout(&out)))
}

/// Asserts a refusal: exit 2, no panic, and `needles` all in stderr.
fn refused(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

/// Whether `text` holds `file:LINE:COL:` with numbers LINE and COL (returns them).
fn location(text: &str, file: &str) -> Option<(usize, usize)> {
    text.match_indices(file).find_map(|(i, _)| {
        let rest = &text[i + file.len()..];
        let rest = rest.strip_prefix(':')?;
        let (line, rest) = rest.split_once(':')?;
        let (col, _) = rest.split_once(':')?;
        Some((line.parse().ok()?, col.parse().ok()?))
    })
}

/// The names in `dir`, sorted (temporary files included).
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs each command of `commands`, hands its output to `check`, and asserts it wrote
/// nothing into `dir` (no output file, no temporary left behind).
fn each_writes_nothing(dir: &Path, commands: &[Vec<&str>], check: impl Fn(&[&str], &Output)) {
    let before = names_in(dir);
    for args in commands {
        let out = faultline(args);
        check(args, &out);
        assert_eq!(names_in(dir), before, "{args:?} wrote a file");
    }
}

/// `pumps.xml` imported as a scenario into a fresh scratch directory `name`.
fn imported_pumps(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    let ron = dir.join("pumps.ron");
    let out = faultline(&["import", PUMPS, "-o", path(&ron)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(ron.is_file());
    (dir, ron)
}

/// `analyze scenarios/pumps.xml --json` equals P(top) computed from the model's numbers,
/// lists 9 minimal cut sets (2 of order 1, 7 of order 2), sums them as the rare-event
/// approximation, and its RAW is P(top | failed)/P with P(top | failed) = P + (1 − p)·B.
#[test]
fn pumps_probability_cut_sets_and_importance_are_exact() {
    let j = json(&["analyze", PUMPS, "--json"]);
    let want = pumps_exact();
    let p = f64_of(&j["probability"]);
    assert!(rel(p, want) < 1e-12, "P(top) {p}, want {want}");
    assert!(j.get("no_exact").is_none(), "{j}");
    assert_eq!(j["top"], "loss-of-cooling");
    assert_eq!(j["coherent"], true);
    let sets = j["cut_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 9, "{j:#}");
    assert_eq!(j["orders"], serde_json::json!([2, 7]));
    let sum: f64 = sets.iter().map(|c| f64_of(&c["probability"])).sum();
    assert!(rel(f64_of(&j["rare_event"]), sum) < 1e-12, "{j:#}");
    // Each cut set's probability is the product of its events' (all independent).
    let p_of = |name: &str| {
        j["importance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["event"] == name)
            .map(|i| f64_of(&i["p"]))
            .unwrap_or_else(|| panic!("no importance for {name}"))
    };
    for c in sets {
        let product: f64 = c["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| p_of(e.as_str().unwrap()))
            .product();
        assert!(rel(f64_of(&c["probability"]), product) < 1e-12, "{c}");
    }
    let imp = j["importance"].as_array().unwrap();
    assert_eq!(imp.len(), 9, "every basic event has its measures: {j:#}");
    for i in imp {
        let (pe, b) = (f64_of(&i["p"]), f64_of(&i["birnbaum"]));
        let failed = p + (1.0 - pe) * b;
        assert!(rel(f64_of(&i["raw"]), failed / p) < 1e-12, "RAW of {i}");
        assert!(
            rel(f64_of(&i["fussell_vesely"]), pe * failed / p) < 1e-12,
            "FV of {i}"
        );
    }
    // The bus alone fails the top: its Birnbaum importance is P(rest works).
    let bus = imp.iter().find(|i| i["event"] == "power-bus").unwrap();
    let rest = 1.0 - (p - 1e-3) / (1.0 - 1e-3);
    assert!(rel(f64_of(&bus["birnbaum"]), rest) < 1e-12, "{bus}");
}

/// Monte Carlo agrees with the exact answer: the share of 40 000 simulated runs in which
/// the service fails has a 99.9% Wilson interval holding P(top) (99.9%, not 95%, so that the
/// test fails about once in a thousand seeds rather than once in twenty; the seed is fixed).
#[test]
fn pumps_monte_carlo_agrees_with_exact() {
    let runs = 40_000.0;
    let j = json(&[
        "run", PUMPS, "--json", "--runs", "40000", "--seed", "3", "-q",
    ]);
    assert_eq!(j["runs"], 40000);
    let p_hat = f64_of(&j["strategies"][0]["services"][0]["failure_probability"]);
    let exact = pumps_exact();
    let (ok, lo, hi) = in_wilson(p_hat, runs, exact);
    assert!(
        ok,
        "simulated {p_hat} (Wilson 99.9% [{lo}, {hi}]), exact {exact}"
    );
}

/// `import` then `export --mef` then `analyze`: the exported MEF has the same P(top) (to
/// 1e-12) and the same number of minimal cut sets as the original.
#[test]
fn pumps_import_export_round_trip_keeps_the_tree() {
    let (dir, ron) = imported_pumps("ft-round-trip");
    let xml = dir.join("pumps-export.xml");
    let out = faultline(&["export", path(&ron), "--mef", "-o", path(&xml)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let original = json(&["analyze", PUMPS, "--json"]);
    let back = json(&["analyze", path(&xml), "--json"]);
    let (p0, p1) = (
        f64_of(&original["probability"]),
        f64_of(&back["probability"]),
    );
    assert!(rel(p1, p0) < 1e-12, "exported {p1}, original {p0}");
    assert!(rel(p1, pumps_exact()) < 1e-12);
    assert_eq!(
        back["cut_sets"].as_array().unwrap().len(),
        original["cut_sets"].as_array().unwrap().len(),
        "{back:#}"
    );
    assert_eq!(back["orders"], original["orders"]);
}

/// `analyze` on the imported scenario: one service whose static structure has the MEF's
/// P(top), exact in time (nothing is repaired).
#[test]
fn imported_pumps_structure_has_the_same_probability() {
    let (_dir, ron) = imported_pumps("ft-structure");
    let j = json(&["analyze", path(&ron), "--json"]);
    let services = j.as_array().expect("a list of services");
    assert_eq!(services.len(), 1, "{j:#}");
    assert_eq!(services[0]["exact_in_time"], true);
    let p = f64_of(&services[0]["analysis"]["probability"]);
    assert!(rel(p, pumps_exact()) < 1e-12, "{p} vs {}", pumps_exact());
    assert_eq!(services[0]["analysis"]["orders"], serde_json::json!([2, 7]));
}

/// The single points of failure that `validate --json` lists for the imported pumps are
/// exactly the order-1 cut sets (the power bus and the common pump event): a component
/// missing from either side fails.
#[test]
fn single_points_of_failure_are_the_order_one_cut_sets() {
    let (_dir, ron) = imported_pumps("ft-spofs");
    let a = json(&["analyze", PUMPS, "--json"]);
    let order_one: BTreeSet<String> = a["cut_sets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["events"].as_array().unwrap().len() == 1)
        .map(|c| c["events"][0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order_one,
        BTreeSet::from(["power-bus".to_string(), "[pump-a pump-b]".to_string()])
    );
    let v = json(&["validate", path(&ron), "--json"]);
    assert_eq!(v["valid"], true, "{v:#}");
    let listed = v["spofs"].as_array().unwrap();
    // Gates are groups without faults: none of them alone fails the service.
    assert!(listed.iter().all(|s| s["can_fail"] == true), "{v:#}");
    let spofs: BTreeSet<String> = listed
        .iter()
        .map(|s| s["component"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(spofs.len(), listed.len(), "listed twice: {v:#}");
    assert_eq!(spofs, order_one, "{v:#}");
    assert_eq!(v["common_cause_spofs"], serde_json::json!([]), "{v:#}");
}

/// Galileo: a static 2-of-3 tree's unreliability at t = 2 is the closed form, and so is its
/// static fault tree's P(top); a PAND of two has the ordered-failure closed form and no
/// static tree, and `run` and `import` refuse it naming the pand and where it is written.
#[test]
fn dft_unreliability_matches_closed_forms() {
    let dir = scratch("ft-dft");
    let t = 2.0_f64;
    let vote = dir.join("vote.dft");
    std::fs::write(
        &vote,
        "toplevel \"S\";\n\"S\" 2of3 \"A\" \"B\" \"C\";\n\"A\" lambda=0.1;\n\"B\" lambda=0.2;\n\"C\" lambda=0.3;\n",
    )
    .unwrap();
    let p: Vec<f64> = [0.1, 0.2, 0.3]
        .iter()
        .map(|l: &f64| 1.0 - (-l * t).exp())
        .collect();
    let want = p[0] * p[1] + p[0] * p[2] + p[1] * p[2] - 2.0 * p[0] * p[1] * p[2];
    let j = json(&["analyze", path(&vote), "--json", "--time", "2"]);
    assert_eq!(f64_of(&j["time"]), 2.0);
    let u = f64_of(&j["unreliability"]);
    assert!(rel(u, want) < 1e-10, "unreliability {u}, want {want}");
    let s = f64_of(&j["static"]["probability"]);
    assert!(rel(s, u) < 1e-10, "static {s}, chain {u}");

    let pand = dir.join("pand.dft");
    std::fs::write(
        &pand,
        "toplevel \"S\";\n\"S\" pand \"A\" \"B\";\n\"A\" lambda=0.9;\n\"B\" lambda=0.4;\n",
    )
    .unwrap();
    let (a, b) = (0.9_f64, 0.4_f64);
    let want = a / (a + b) * (1.0 - (-(a + b) * t).exp()) - (-b * t).exp() * (1.0 - (-a * t).exp());
    let j = json(&["analyze", path(&pand), "--json", "--time", "2"]);
    let u = f64_of(&j["unreliability"]);
    assert!(rel(u, want) < 1e-10, "PAND unreliability {u}, want {want}");
    assert!(j["static"].is_null(), "a PAND has no static tree: {j:#}");

    // Simulated (its horizon is 1 h, Storm's time bound): within the 99.9% Wilson
    // interval of the closed form at t = 1.
    let t = 1.0;
    let want = a / (a + b) * (1.0 - (-(a + b) * t).exp()) - (-b * t).exp() * (1.0 - (-a * t).exp());
    assert_simulated(&pand, want, 40_000);
}

/// Whether `exact` lies in the two-sided 99.9% Wilson interval of a share `p_hat` of
/// `runs` runs.
fn in_wilson(p_hat: f64, runs: f64, exact: f64) -> (bool, f64, f64) {
    let z: f64 = 3.290_526_731_491_926; // two-sided 99.9%
    let z2n = z * z / runs;
    let centre = (p_hat + z2n / 2.0) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (p_hat * (1.0 - p_hat) / runs + z2n / (4.0 * runs)).sqrt();
    (
        (centre - half..=centre + half).contains(&exact),
        centre - half,
        centre + half,
    )
}

/// `run FILE` over `runs` runs: the service's failure share must hold `exact` in its 99.9%
/// Wilson interval.
fn assert_simulated(file: &Path, exact: f64, runs: u64) {
    let n = runs.to_string();
    let j = json(&[
        "run",
        path(file),
        "--json",
        "--runs",
        &n,
        "--seed",
        "3",
        "-q",
    ]);
    let p_hat = f64_of(&j["strategies"][0]["services"][0]["failure_probability"]);
    let (ok, lo, hi) = in_wilson(p_hat, runs as f64, exact);
    assert!(
        ok,
        "{}: simulated {p_hat} (Wilson 99.9% [{lo}, {hi}]), exact {exact}",
        file.display()
    );
}

/// The dynamic gates simulated (through `import`'s ordered and spares groups and
/// dependency edges) against closed forms at t = 2 h: a cold spare pair is an Erlang
/// sum; a warm spare with dormancy d fails by t with 1 − e^(−at) − a·e^(−λt)(1 −
/// e^(−ct))/c, c = a + dλ − λ; a priority OR(A, B) with a/(a+b)·(1 − e^(−(a+b)t)); a pdep
/// with probability p on the trigger's failure. Also each one's exact answer from `analyze`
/// (the Markov chain) against the same closed form.
#[test]
fn dynamic_gates_simulate_to_their_closed_forms() {
    let dir = scratch("ft-dyn");
    let t = 2.0_f64;
    let (a, l, d) = (0.9_f64, 0.6_f64, 0.3_f64);
    let c = a + d * l - l;
    let warm = 1.0 - (-a * t).exp() - a * (-l * t).exp() * (1.0 - (-c * t).exp()) / c;
    let cold = 1.0 - (-a * t).exp() * (1.0 + a * t);
    let (x, y) = (0.7_f64, 0.5_f64);
    let por = x / (x + y) * (1.0 - (-(x + y) * t).exp());
    let (p, trig, own) = (0.4_f64, 0.5_f64, 0.2_f64);
    // The dependent fails by its own fault, or by the trigger's with probability p.
    let pdep = 1.0 - (-own * t).exp() * (1.0 - p * (1.0 - (-trig * t).exp()));
    let cases = [
        (
            "warm",
            "toplevel \"G\";\n\"G\" wsp \"A\" \"S\";\n\"A\" lambda=0.9;\n\"S\" lambda=0.6 dorm=0.3;\n",
            warm,
        ),
        (
            "cold",
            "toplevel \"G\";\n\"G\" csp \"A\" \"S\";\n\"A\" lambda=0.9;\n\"S\" lambda=0.9 dorm=0;\n",
            cold,
        ),
        (
            "por",
            "toplevel \"G\";\n\"G\" por \"X\" \"Y\";\n\"X\" lambda=0.7;\n\"Y\" lambda=0.5;\n",
            por,
        ),
        (
            "pdep",
            "toplevel \"G\";\n\"G\" or \"D\" \"Q\";\n\"Q\" pdep=0.4 \"T\" \"D\";\n\"T\" lambda=0.5;\n\"D\" lambda=0.2;\n",
            pdep,
        ),
    ];
    for (name, text, want) in cases {
        let file = dir.join(format!("{name}.dft"));
        std::fs::write(&file, text).unwrap();
        let j = json(&["analyze", path(&file), "--json", "--time", "2"]);
        let u = f64_of(&j["unreliability"]);
        assert!(rel(u, want) < 1e-9, "{name}: chain {u}, closed form {want}");
        let ron = dir.join(format!("{name}.ron"));
        let out = faultline(&["import", path(&file), "-o", path(&ron)]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let horizon = ron.clone();
        let text = std::fs::read_to_string(&horizon)
            .unwrap()
            .replace("\"1h\"", "\"2h\"");
        std::fs::write(&horizon, text).unwrap();
        assert_simulated(&horizon, want, 40_000);
    }
}

/// Spares shared between two gates, priority gates and dependencies together: the
/// simulation agrees with the Markov chain of `faultline-dft` (Storm's semantics), which
/// the crosscheck holds against Storm itself.
#[test]
fn shared_spares_and_dependencies_simulate_to_the_markov_chain() {
    let dir = scratch("ft-dyn-mix");
    let file = dir.join("mix.dft");
    std::fs::write(
        &file,
        "toplevel \"T\";\n\"T\" or \"SG\" \"PA\" \"H\";\n\"SG\" wsp \"A\" \"S1\" \"S2\";\n\
         \"H\" and \"G1\" \"G2\";\n\"G1\" wsp \"B\" \"S3\";\n\"G2\" wsp \"C\" \"S3\";\n\
         \"PA\" pand \"X\" \"A\";\n\"F\" fdep \"X\" \"S1\";\n\"P\" pdep=0.4 \"Y\" \"A\" \"S2\";\n\
         \"A\" lambda=0.9;\n\"S1\" lambda=0.6 dorm=0.5;\n\"S2\" lambda=0.5 dorm=0.2;\n\
         \"B\" lambda=1.1;\n\"C\" lambda=0.8;\n\"S3\" lambda=0.7 dorm=0.4;\n\
         \"X\" lambda=0.7;\n\"Y\" lambda=0.3;\n",
    )
    .unwrap();
    let j = json(&["analyze", path(&file), "--json", "--time", "1"]);
    let exact = f64_of(&j["unreliability"]);
    assert!(exact > 0.1 && exact < 0.9, "{j:#}");
    assert_simulated(&file, exact, 40_000);
}

/// What the model cannot express is refused, located, before anything is written: a
/// restriction (seq) and a gate as a spare.
#[test]
fn dft_restrictions_and_spare_modules_are_refused_for_simulation() {
    let dir = scratch("ft-dyn-refused");
    let seq = dir.join("seq.dft");
    std::fs::write(
        &seq,
        "toplevel \"T\";\n\"T\" and \"A\" \"B\";\n\"R\" seq \"A\" \"B\";\n\"A\" lambda=1;\n\"B\" lambda=1;\n",
    )
    .unwrap();
    let module = dir.join("module.dft");
    std::fs::write(
        &module,
        "toplevel \"T\";\n\"T\" wsp \"A\" \"M\";\n\"M\" and \"B\" \"C\";\n\"A\" lambda=1;\n\"B\" lambda=1;\n\"C\" lambda=1;\n",
    )
    .unwrap();
    for (file, needle) in [
        (&seq, ":3:1: seq 'R'"),
        (&module, ":2:1: spare gate 'T' has the gate 'M'"),
    ] {
        let ron = dir.join("out.ron");
        let commands = [
            vec!["run", path(file), "--runs", "100", "-q"],
            vec!["import", path(file), "-o", path(&ron)],
        ];
        each_writes_nothing(&dir, &commands, |_, out| {
            let at = format!("{}{needle}", path(file));
            refused(out, &[at.as_str(), "analyze"]);
        });
    }
}

const NOT_GATE: &str = r#"<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="inverted">
    <define-gate name="top">
      <and>
        <basic-event name="a"/>
        <gate name="inv"/>
      </and>
    </define-gate>
    <define-gate name="inv">
      <not>
        <basic-event name="b"/>
      </not>
    </define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.1"/></define-basic-event>
    <define-basic-event name="b"><float value="0.2"/></define-basic-event>
  </model-data>
</opsa-mef>
"#;

/// A `<not>` gate: `analyze` answers it exactly (0.1 · 0.8), while `run` and `import`
/// refuse it with exit 2, naming the gate at its `file:line:col`, and write nothing.
#[test]
fn not_gate_is_analysed_but_not_simulated() {
    let dir = scratch("ft-not");
    let xml = dir.join("inverted.xml");
    std::fs::write(&xml, NOT_GATE).unwrap();
    let j = json(&["analyze", path(&xml), "--json"]);
    assert_eq!(j["coherent"], false);
    assert!(rel(f64_of(&j["probability"]), 0.1 * 0.8) < 1e-12, "{j:#}");

    let ron = dir.join("inverted.ron");
    let commands = [
        vec!["run", path(&xml), "--runs", "100", "-q"],
        vec!["import", path(&xml), "-o", path(&ron)],
    ];
    each_writes_nothing(&dir, &commands, |args, out| {
        refused(out, &["'inv'", "<not>"]);
        let at = location(&stderr(out), path(&xml));
        // The gate is defined on line 10, column 5 (its <not> on line 11).
        assert!(
            matches!(at, Some((10, 5)) | Some((11, 7))),
            "{args:?}: located at {at:?}: {}",
            stderr(out)
        );
    });
}

/// Broken XML: `analyze` and `import` exit 2 at `file:line:col`, and import writes nothing.
#[test]
fn broken_xml_is_refused_at_its_place() {
    let dir = scratch("ft-broken");
    let xml = dir.join("broken.xml");
    std::fs::write(
        &xml,
        "<opsa-mef>\n  <define-fault-tree name=\"t\">\n    <define-gate name=\"g\">\n      <or>\n    </define-gate>\n</opsa-mef>\n",
    )
    .unwrap();
    let ron = dir.join("broken.ron");
    let commands = [
        vec!["analyze", path(&xml)],
        vec!["import", path(&xml), "-o", path(&ron)],
        vec!["run", path(&xml), "--runs", "10", "-q"],
    ];
    each_writes_nothing(&dir, &commands, |args, out| {
        refused(out, &[]);
        let at = location(&stderr(out), path(&xml));
        assert!(
            matches!(at, Some((5, _))),
            "{args:?}: located at {at:?}: {}",
            stderr(out)
        );
    });
}

/// A gate using an undefined basic event is refused (exit 2) at the reference's
/// `file:line:col`, naming it; import writes nothing.
#[test]
fn undefined_basic_event_is_refused_at_its_reference() {
    let dir = scratch("ft-undefined");
    let xml = dir.join("ghost.xml");
    std::fs::write(
        &xml,
        r#"<opsa-mef>
  <define-fault-tree name="t">
    <define-gate name="top">
      <or>
        <basic-event name="a"/>
        <basic-event name="ghost"/>
      </or>
    </define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.1"/></define-basic-event>
  </model-data>
</opsa-mef>
"#,
    )
    .unwrap();
    let ron = dir.join("ghost.ron");
    let commands = [
        vec!["analyze", path(&xml)],
        vec!["import", path(&xml), "-o", path(&ron)],
    ];
    each_writes_nothing(&dir, &commands, |args, out| {
        refused(out, &["ghost"]);
        let at = location(&stderr(out), path(&xml));
        assert_eq!(at, Some((6, 9)), "{args:?}: {}", stderr(out));
    });
}

/// An event tree is not a fault tree: `analyze` refuses it with exit 2 at its place.
#[test]
fn event_tree_is_refused_by_analyze() {
    let dir = scratch("ft-event-tree");
    let xml = dir.join("et.xml");
    std::fs::write(
        &xml,
        r#"<opsa-mef>
  <define-event-tree name="accident">
    <define-functional-event name="cooling"/>
    <define-sequence name="ok"/>
    <initial-state>
      <fork functional-event="cooling">
        <path state="success"><sequence name="ok"/></path>
        <path state="failure"><sequence name="ok"/></path>
      </fork>
    </initial-state>
  </define-event-tree>
  <define-fault-tree name="t">
    <define-gate name="top">
      <or>
        <basic-event name="a"/>
        <basic-event name="b"/>
      </or>
    </define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.1"/></define-basic-event>
    <define-basic-event name="b"><float value="0.2"/></define-basic-event>
  </model-data>
</opsa-mef>
"#,
    )
    .unwrap();
    let out = faultline(&["analyze", path(&xml), "--json"]);
    refused(&out, &[]);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let at = location(&stderr(&out), path(&xml));
    assert_eq!(at, Some((2, 3)), "{}", stderr(&out));
}

/// `analyze` on a scenario without a Boolean structure (the substation) exits 2 with the
/// reasons, and prints nothing on stdout.
#[test]
fn scenario_without_structure_is_refused_with_reasons() {
    let out = faultline(&["analyze", "scenarios/substation.ron", "--json"]);
    refused(&out, &["substation.ron"]);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    let reasons = err
        .split_once("no static structure:")
        .unwrap_or_else(|| panic!("no reasons given: {err}"))
        .1;
    // Its feeder degrades rather than fails, among other reasons, each named.
    assert!(
        reasons.contains("Degrade(0.95) is not a Boolean failure"),
        "{err}"
    );
    assert!(reasons.split("; ").count() >= 2, "one reason only: {err}");
}

/// `import -o` onto a symlink or a directory, and `export --mef -o` onto a symlink, are
/// refused with exit 2: the symlink stays a symlink, its target keeps its content, the
/// directory stays a directory, and no temporary file is left.
#[test]
fn outputs_are_not_written_through_symlinks_or_onto_directories() {
    let (dir, ron) = imported_pumps("ft-symlinks");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let link = dir.join("link.ron");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let sub = dir.join("sub.ron");
    std::fs::create_dir(&sub).unwrap();
    let xml_link = dir.join("link.xml");
    std::os::unix::fs::symlink(&victim, &xml_link).unwrap();
    let before = names_in(&dir);
    for (args, target) in [
        (vec!["import", PUMPS, "-o", path(&link)], &link),
        (vec!["import", PUMPS, "-o", path(&sub)], &sub),
        (
            vec!["export", path(&ron), "--mef", "-o", path(&xml_link)],
            &xml_link,
        ),
    ] {
        let out = faultline(&args);
        refused(&out, &[target.file_name().unwrap().to_str().unwrap()]);
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "keep",
            "{args:?}"
        );
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(std::fs::symlink_metadata(&xml_link).unwrap().is_symlink());
        assert!(std::fs::symlink_metadata(&sub).unwrap().is_dir());
        assert_eq!(names_in(&sub), Vec::<String>::new(), "{args:?}");
        assert_eq!(names_in(&dir), before, "{args:?}");
    }
}

/// `analyze --max-order 1` lists only the two order-1 cut sets, and its rare-event sum is
/// theirs, while P(top) stays exact.
#[test]
fn max_order_one_lists_only_single_events() {
    let j = json(&["analyze", PUMPS, "--json", "--max-order", "1"]);
    assert_eq!(j["max_order"], 1);
    let sets = j["cut_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "{j:#}");
    let names: BTreeSet<&str> = sets
        .iter()
        .map(|c| c["events"][0].as_str().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["power-bus", "[pump-a pump-b]"]));
    assert!(
        sets.iter()
            .all(|c| c["events"].as_array().unwrap().len() == 1)
    );
    let sum: f64 = sets.iter().map(|c| f64_of(&c["probability"])).sum();
    assert!(rel(f64_of(&j["rare_event"]), sum) < 1e-12, "{j:#}");
    let q = 1.0 - (-2e-5_f64 * 8760.0).exp();
    assert!(rel(sum, 1e-3 + 0.1 * q) < 1e-12, "{sum}");
    assert!(rel(f64_of(&j["probability"]), pumps_exact()) < 1e-12);
}

/// `run --exact` on every shipped scenario with a static structure or Markov chain: each
/// exact figure lies within the simulation's 99.9% interval (the printed 95% interval
/// widened by 3.29/1.96, so that the fixed seeds are not a coin toss), and at least two
/// scenarios qualify (pumps.xml, cooling.ron).
#[test]
fn run_exact_agrees_with_the_simulation_on_every_shipped_scenario_that_has_it() {
    let mut qualified = vec![];
    let mut files: Vec<PathBuf> = std::fs::read_dir(crate::common::repo("scenarios"))
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "ron" || x == "xml" || x == "dft")
        })
        .collect();
    files.sort();
    for f in &files {
        // Only scenarios with a structure: `analyze` refuses the others at once.
        if !faultline(&["analyze", path(f), "--json"]).status.success() {
            continue;
        }
        let j = json(&["run", path(f), "--exact", "--json", "-q"]);
        // A structure whose repairs are not all at constant rates has no exact answer.
        let Some(rows) = j["exact"].as_array() else {
            assert!(j["exact"]["none"].is_string(), "{f:?}: {}", j["exact"]);
            continue;
        };
        assert!(!rows.is_empty(), "{f:?}");
        for r in rows {
            let exact = f64_of(&r["exact"]);
            let (share, lo, hi) = (
                f64_of(&r["simulated"]["share"]),
                f64_of(&r["simulated"]["lo95"]),
                f64_of(&r["simulated"]["hi95"]),
            );
            let widen = 3.290_5 / 1.959_964;
            let (lo, hi) = (share - (share - lo) * widen, share + (hi - share) * widen);
            assert!(
                lo <= exact && exact <= hi,
                "{f:?} {}: exact {exact} outside [{lo}, {hi}]",
                r["measure"]
            );
        }
        qualified.push(f.file_name().expect("name").to_string_lossy().into_owned());
    }
    for want in ["cooling.ron", "pumps.xml"] {
        assert!(
            qualified.iter().any(|q| q == want),
            "{want} has no exact values: {qualified:?}"
        );
    }
}

/// The report's section, from its heading to the next `<h2>`; `None` without one.
fn risk_section(html: &str) -> Option<&str> {
    let (_, rest) = html.split_once("<h2 id=\"risk\">")?;
    Some(rest.split("<h2").next().unwrap_or(rest))
}

/// `compare` on a scenario with a static structure puts where the baseline's risk is in
/// report.html, as `analyze` works it out: the most probable cut sets in order, with their
/// probabilities, and the events by Fussell–Vesely. A scenario without a structure (the
/// substation) gets no such section.
#[test]
fn compare_report_shows_where_the_baseline_risk_is() {
    let j = json(&["analyze", "scenarios/cooling.ron", "--json"]);
    let a = &j[0]["analysis"];
    let dir = scratch("ft-compare-risk");
    let out = faultline(&[
        "compare",
        "scenarios/cooling.ron",
        "--runs",
        "50",
        "--out",
        path(&dir),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The terminal has the section too.
    assert!(
        stdout(&out).contains("Where the baseline's risk is, for cooling"),
        "{}",
        stdout(&out)
    );
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let section = risk_section(&html).unwrap_or_else(|| panic!("no risk section in the report"));
    assert!(section.contains("<h3>Service cooling</h3>"), "{section}");
    assert!(section.contains("steady-state unavailability"), "{section}");
    let p_top = f64_of(&a["probability"]);
    assert!(
        section.contains(&format!(
            "P(top) = {}.",
            faultline_units::scientific(p_top, 4)
        )),
        "{section}"
    );
    // Every cut set (cooling has fewer than ten), most probable first, with its probability.
    let cut_sets = a["cut_sets"].as_array().expect("cut sets");
    assert!(cut_sets.len() >= 4 && cut_sets.len() <= 10, "{cut_sets:?}");
    let mut at = 0;
    for c in cut_sets {
        let events: Vec<&str> = (c["events"].as_array().expect("events").iter())
            .map(|e| e.as_str().expect("name"))
            .collect();
        let p = f64_of(&c["probability"]);
        let row = format!(
            "<tr><td>{}</td><td>{}</td>",
            events.join(" · "),
            faultline_units::scientific(p, 4)
        );
        let found = section[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("{row} missing or out of order in {section}"));
        at += found + row.len();
    }
    assert!(!section.contains("more cut set"), "{section}");
    // The power bus alone is a single point of failure: 11.0% of P(top).
    assert!(
        section.contains("<tr><td>power-bus/trips</td><td>2e-4</td><td>11.0%</td></tr>"),
        "{section}"
    );
    // The events by Fussell–Vesely, the most important first.
    let first = a["importance"][0]["event"].as_str().expect("an event");
    let importance = section
        .split_once("<table class=\"importance\">")
        .unwrap_or_else(|| panic!("no importance table: {section}"))
        .1;
    let first_row = importance
        .split("<tr><td>")
        .nth(1)
        .expect("an importance row");
    assert!(
        first_row.starts_with(&format!("{first}</td>")),
        "{importance}"
    );
    assert_eq!(
        importance.matches("<tr><td>").count(),
        a["importance"].as_array().expect("importance").len(),
        "{importance}"
    );

    // The substation has no static structure (analyze refuses it), so no section.
    assert!(
        !faultline(&["analyze", "scenarios/substation.ron"])
            .status
            .success()
    );
    let dir = scratch("ft-compare-no-risk");
    let out = faultline(&[
        "compare",
        "scenarios/substation.ron",
        "--runs",
        "20",
        "--out",
        path(&dir),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("Where the baseline's risk is"));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("<h2>Reproduce</h2>"), "a whole report");
    assert!(
        risk_section(&html).is_none(),
        "a risk section without structure"
    );
    assert!(
        !html.contains("Where the baseline"),
        "a risk section without structure"
    );
}
