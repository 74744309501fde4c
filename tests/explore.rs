//! `explore`: the page a run is watched on. What it holds is checked here against `trace`
//! and `run --per-run`; how it behaves in a real browser, by `scripts/browser-check`.

use crate::common::{faultline, scratch, stderr, stdout};
use serde_json::Value;
use std::path::PathBuf;

/// Each of `cases` (arguments, words of the reason) exits 2 with its reason, and nothing
/// is written into `dir`.
fn refused(cases: &[(&[&str], &str)], dir: &std::path::Path) {
    for (args, why) in cases {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        0,
        "nothing written"
    );
}

/// The data a page carries (its `<script id="data">` element), parsed.
fn data_of(page: &str) -> Value {
    let start = page.find(r#"id="data">"#).unwrap() + r#"id="data">"#.len();
    let json = &page[start..start + page[start..].find("</script>").unwrap()];
    serde_json::from_str(&json.replace(r"<\/", "</")).expect("the page's data")
}

/// Runs `explore` with `args` into a fresh directory `tag`; the page's path and its data.
fn explore(tag: &str, args: &[&str]) -> (PathBuf, String, Value) {
    let dir = scratch(tag);
    let mut all = vec!["explore"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", dir.to_str().unwrap(), "-q"]);
    let o = faultline(&all);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    let path = PathBuf::from(stdout(&o).trim());
    assert_eq!(
        path.parent(),
        Some(dir.as_path()),
        "the path printed is the page's"
    );
    let page = std::fs::read_to_string(&path).expect("the page");
    let data = data_of(&page);
    (path, page, data)
}

/// Substation run 3 (gunfire on two transformers): one file under 1 MB that fetches
/// nothing, with the baseline and the mobile transformer, each told line for line as
/// `trace` tells it.
#[test]
fn a_run_is_one_self_contained_page_with_the_trace_in_it() {
    let args = [
        "scenarios/substation.ron",
        "--run",
        "3",
        "--strategy",
        "mobile-transformer",
    ];
    let (path, page, data) = explore("explore-substation", &args);
    assert_eq!(path.file_name().unwrap(), "run3.html");
    assert!(page.len() < 1_000_000, "{} bytes", page.len());
    for fetch in ["<script src", "<link", "url(http", "fetch(", "import "] {
        assert!(
            !page.contains(fetch),
            "the page must not fetch anything: {fetch}"
        );
    }
    let scenes = data["scenes"].as_array().unwrap();
    let names: Vec<&str> = scenes
        .iter()
        .map(|s| s["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["baseline", "mobile-transformer"]);
    for (scene, strategy) in scenes.iter().zip([None, Some("mobile-transformer")]) {
        let mut args = vec!["trace", "scenarios/substation.ron", "--run", "3", "--json"];
        let dir = scratch("explore-substation-trace");
        args.extend_from_slice(&["--out", dir.to_str().unwrap(), "-q"]);
        if let Some(s) = strategy {
            args.extend_from_slice(&["--strategy", s]);
        }
        let o = faultline(&args);
        let trace: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let told: Vec<(&str, &str)> = (trace["events"].as_array().unwrap().iter())
            .map(|e| (e["kind"].as_str().unwrap(), e["text"].as_str().unwrap()))
            .collect();
        let shown: Vec<(&str, &str)> = (scene["log"].as_array().unwrap().iter())
            .map(|l| (l["tag"].as_str().unwrap(), l["text"].as_str().unwrap()))
            .collect();
        assert_eq!(shown, told, "{strategy:?}");
    }
    // Every component has a box; the service sits above what it depends on.
    let nodes = scenes[0]["picture"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 12);
    let y = |id: &str| {
        let n = nodes.iter().find(|n| n["id"] == id).unwrap();
        n["y"].as_f64().unwrap()
    };
    assert!(y("customers") < y("distribution"));
    assert!(y("distribution") < y("west_end_xfmr"));
}

/// The states the page colours by: replaying its changes up to a moment gives what the
/// trace says held then (the gunfire at day 3 fails the customers; in the baseline they
/// are back only when a transformer is replaced, weeks later).
#[test]
fn the_states_follow_the_trace() {
    let (_, _, data) = explore(
        "explore-states",
        &["scenarios/substation.ron", "--run", "3"],
    );
    let scene = &data["scenes"][0];
    let nodes = scene["picture"]["nodes"].as_array().unwrap();
    let index = |id: &str| nodes.iter().position(|n| n["id"] == id).unwrap() as u64;
    let state_at = |c: u64, t: f64| {
        let mut s = "healthy";
        for ch in scene["changes"].as_array().unwrap() {
            let (tc, cc, sc) = (
                ch["t"].as_f64().unwrap(),
                ch["c"].as_u64().unwrap(),
                ch["s"].as_str().unwrap(),
            );
            if tc <= t && cc == c && !sc.contains("latent") && !sc.contains("mitigated") {
                s = sc;
            }
        }
        s
    };
    let day = 86_400.0;
    let customers = index("customers");
    assert_eq!(state_at(customers, day), "healthy");
    // A feeder fault from day 1 22:38 to day 2 14:49 costs a twentieth of capacity.
    assert_eq!(state_at(customers, 2.0 * day), "degraded");
    assert_eq!(state_at(customers, 2.7 * day), "healthy");
    assert_eq!(state_at(customers, 3.0 * day + 1.0), "failed");
    assert_eq!(state_at(index("west_end_xfmr"), 3.0 * day + 1.0), "down");
    assert_eq!(state_at(index("line_north"), 3.0 * day + 1.0), "healthy");
    // Errors travel: west_end went down through its transformer.
    let via = (scene["changes"].as_array().unwrap().iter())
        .find(|c| c["c"] == index("west_end") && c["s"] == "down")
        .unwrap()["via"]
        .as_u64();
    assert_eq!(via, Some(index("west_end_xfmr")));
}

/// `--worst` and `--median` choose among the baseline's runs by cost, as `run --per-run`
/// costs them.
#[test]
fn worst_and_median_are_chosen_by_cost() {
    let dir = scratch("explore-costs");
    let csv = dir.join("runs.csv");
    let o = faultline(&[
        "run",
        "scenarios/substation.ron",
        "--runs",
        "200",
        "--per-run",
        csv.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut costs: Vec<(f64, u64)> = (csv::Reader::from_path(&csv).unwrap().records())
        .map(|r| {
            let r = r.unwrap();
            (r[5].parse().unwrap(), r[0].parse().unwrap())
        })
        .collect();
    costs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let top = costs.last().unwrap().0;
    let worst = costs.iter().find(|c| c.0 == top).unwrap().1;
    let median = costs[99].1;
    let args = ["scenarios/substation.ron", "--runs", "200"];
    let (_, _, w) = explore("explore-worst", &[&args[..], &["--worst"]].concat());
    assert_eq!(w["run"].as_u64(), Some(worst));
    assert!(
        w["chosen"]
            .as_str()
            .unwrap()
            .contains("most expensive of 200 runs")
    );
    let (_, _, m) = explore("explore-median", &[&args[..], &["--median"]].concat());
    assert_eq!(m["run"].as_u64(), Some(median));
}

/// A 1,000-component estate is laid out (wrapped layers) in no time, every box placed.
#[test]
fn a_thousand_components_are_laid_out() {
    let dir = scratch("explore-estate");
    let file = dir.join("estate.ron");
    let o = faultline(&["gen", "1000"]);
    std::fs::write(&file, &o.stdout).unwrap();
    let (_, _, data) = explore("explore-estate-page", &[file.to_str().unwrap()]);
    let p = &data["scenes"][0]["picture"];
    let nodes = p["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1000);
    let (w, h) = (p["width"].as_f64().unwrap(), p["height"].as_f64().unwrap());
    assert!(w < 6.0 * h && h < 6.0 * w, "a readable shape: {w} × {h}");
    for n in nodes {
        let (x, y) = (n["x"].as_f64().unwrap(), n["y"].as_f64().unwrap());
        assert!((0.0..=w).contains(&x) && (0.0..=h).contains(&y), "{n}");
    }
}

/// Bad input gets a reason and exit code 2, and no page.
#[test]
fn bad_requests_are_refused_without_a_page() {
    let dir = scratch("explore-bad");
    let out = dir.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "explore",
                "scenarios/substation.ron",
                "--strategy",
                "nope",
                "--out",
                out,
            ],
            "no strategy named `nope`",
        ),
        (
            &[
                "explore",
                "scenarios/substation.ron",
                "--run",
                "3",
                "--worst",
                "--out",
                out,
            ],
            "cannot be used with",
        ),
        (&["explore", "scenarios/nope.ron", "--out", out], "nope.ron"),
    ];
    refused(&cases, &dir);
}

/// The drill of substation run 3 starts at the page for the gunfire (not the feeder
/// fault's earlier page, which users barely feel), knows both transformers as what to
/// find, and has an outcome for every number of looks under every strategy; the student
/// who finds the fault fast and calls the mobile transformer beats the modelled people,
/// and a hand-off with notes naming the fault costs only the hand-off time.
#[test]
fn the_drill_has_every_outcome_the_student_can_reach() {
    let dir = scratch("drill-substation");
    let o = faultline(&[
        "drill",
        "scenarios/substation.ron",
        "--run",
        "3",
        "--out",
        dir.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let d = data_of(&std::fs::read_to_string(stdout(&o).trim()).unwrap());
    assert_eq!(
        d["paged_at"].as_f64(),
        Some(3.0 * 86_400.0 + 300.0),
        "the gunfire's page"
    );
    let nodes = d["scene"]["picture"]["nodes"].as_array().unwrap();
    let roots: Vec<&str> = (d["roots"].as_array().unwrap().iter())
        .map(|r| nodes[r.as_u64().unwrap() as usize]["id"].as_str().unwrap())
        .collect();
    assert_eq!(roots, ["west_end_xfmr", "carthage_xfmr"]);
    let choices = d["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 6, "no mitigation, then five strategies");
    for c in choices {
        assert_eq!(
            c["by_looks"].as_array().unwrap().len(),
            11,
            "one to eleven looks"
        );
    }
    let mobile = choices
        .iter()
        .find(|c| c["strategy"] == "mobile-transformer")
        .unwrap();
    let (fast, slow) = (&mobile["by_looks"][3], &mobile["by_looks"][10]);
    let modelled = &mobile["as_modelled"];
    let cost = |o: &Value| o["cost"].as_f64().unwrap();
    assert!(cost(fast) < cost(slow), "looking longer costs more");
    assert!(
        cost(fast) < cost(modelled),
        "a 42-minute diagnosis beats the modelled hours"
    );
    let none = &choices[0]["by_looks"][3];
    assert!(
        cost(fast) < cost(none) / 2.0,
        "the mitigation, not the diagnosis, is the win"
    );
    assert!(mobile["by_looks"][3]["mitigated"].as_f64().is_some());
    assert!(none["mitigated"].is_null());
    // Handing off after four looks: notes naming the fault cost the scenario's 20-minute
    // hand-off and nothing more; notes without it leave the rest of a diagnosis; no notes,
    // a whole one.
    let off = &mobile["handed_off"];
    for (table, n) in [("notes_found", 11), ("notes", 12), ("bare", 12)] {
        assert_eq!(off[table].as_array().unwrap().len(), n, "{table}");
    }
    let at = |o: &Value| o["mitigated"].as_f64().unwrap();
    let (named, unnamed, bare) = (&off["notes_found"][3], &off["notes"][4], &off["bare"][4]);
    assert!((at(named) - at(fast) - 20.0 * 60.0).abs() < 1e-6);
    assert!(at(named) < at(unnamed) && at(named) < at(bare));
    assert!(cost(named) < cost(bare), "notes make a hand-off cheap");
    // On one history notes never lose: naming the fault beats notes that do not, which
    // beat none, after any number of looks and under every strategy.
    for c in choices {
        let off = &c["handed_off"];
        for l in 1..=11 {
            let (named, unnamed) = (cost(&off["notes_found"][l - 1]), cost(&off["notes"][l]));
            let bare = cost(&off["bare"][l]);
            assert!(
                named <= unnamed && unnamed <= bare,
                "{} after {l} looks",
                c["strategy"]
            );
        }
    }
}

/// No on-call response, or no page in the run: no drill, exit 2, no page written.
#[test]
fn a_drill_needs_someone_paged() {
    let dir = scratch("drill-bad");
    let out = dir.to_str().unwrap();
    let cases: [(&[&str], &str); 2] = [
        (
            &["drill", "scenarios/protection.ron", "--out", out],
            "no on-call response",
        ),
        (
            &[
                "drill",
                "scenarios/substation.ron",
                "--horizon",
                "1h",
                "--out",
                out,
            ],
            "nobody is paged in run 0",
        ),
    ];
    refused(&cases, &dir);
}

/// The compare report links to the pages of the baseline's worst and median runs, written
/// beside it with every strategy as a tab; the runs are those `explore --worst` and
/// `--median` choose.
#[test]
fn the_compare_report_links_to_its_worst_and_median_runs() {
    let dir = scratch("explore-compare");
    let o = faultline(&[
        "compare",
        "scenarios/substation.ron",
        "--runs",
        "200",
        "--out",
        dir.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for (file, flag) in [
        ("explore-worst.html", "--worst"),
        ("explore-median.html", "--median"),
    ] {
        assert!(
            report.contains(&format!("<a href=\"{file}\">")),
            "{file} linked"
        );
        let page = data_of(&std::fs::read_to_string(dir.join(file)).unwrap());
        let args = ["scenarios/substation.ron", "--runs", "200", flag];
        let (_, _, chosen) = explore(&format!("explore-compare{flag}"), &args);
        assert_eq!(page["run"], chosen["run"], "{flag}");
        assert_eq!(
            page["scenes"].as_array().unwrap().len(),
            6,
            "every strategy a tab"
        );
        let run = page["run"].as_u64().unwrap();
        assert!(
            report.contains(&format!(": run {run}, $")),
            "the label names run {run}"
        );
    }
}

/// A compare of more runs than the report chooses among (10,000) links to the worst and
/// median of the baseline's first 10,000, kept from its own study: the runs `explore
/// --worst` and `--median` choose among those 10,000, and not among all of the study's.
#[test]
fn a_long_compare_links_to_runs_among_its_first_ten_thousand() {
    let dir = scratch("explore-compare-long");
    let o = faultline(&[
        "compare",
        "scenarios/shuttle.ron",
        "--runs",
        "10400",
        "--out",
        dir.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut chosen_in_all = vec![];
    for (file, flag) in [
        ("explore-worst.html", "--worst"),
        ("explore-median.html", "--median"),
    ] {
        let page = data_of(&std::fs::read_to_string(dir.join(file)).unwrap());
        let among = |runs: &str| {
            let args = ["scenarios/shuttle.ron", "--runs", runs, flag];
            explore(&format!("explore-compare-long{flag}{runs}"), &args).2["run"].clone()
        };
        assert_eq!(page["run"], among("10000"), "{flag}");
        chosen_in_all.push(among("10400"));
        assert!(page["run"].as_u64().unwrap() < 10_000, "{flag}");
    }
    // The cap matters here: among all 10,400 runs the median is another run, so a
    // report that chose among every run of its study would fail the check above.
    let median = data_of(&std::fs::read_to_string(dir.join("explore-median.html")).unwrap());
    assert_ne!(
        median["run"], chosen_in_all[1],
        "the median moves with the runs"
    );
}
