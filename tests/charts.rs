//! Charts, reports, postmortems and sweeps as a user gets them: every file is produced,
//! SVGs are well-formed XML with the expected series, PNGs decode at the right size, the
//! HTML report is self-contained, and files are written atomically.

use crate::common::{faultline, scratch, stderr, stdout};
use faultline::output;
use std::fs;
use std::path::Path;

const SUBSTATION: &str = "scenarios/substation.ron";
const STRATEGIES: [&str; 6] = [
    "baseline",
    "wait-for-repair",
    "mobile-transformer",
    "extra-monitoring",
    "redundant-substation",
    "mobile-transformer+monitoring",
];

fn ok(args: &[&str]) -> String {
    let out = faultline(args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    stdout(&out)
}

/// Every text node of an SVG, which must parse as XML, and its declared size.
fn svg_texts(path: &Path) -> (Vec<String>, (u32, u32)) {
    let text = fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let size = |a: &str| root.attribute(a).unwrap().parse::<u32>().unwrap();
    let texts = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    (texts, (size("width"), size("height")))
}

/// Decodes a PNG; returns its size after checking it is not a blank canvas.
fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let pixels = &buf[..info.buffer_size()];
    let distinct = pixels
        .chunks(3)
        .take(200_000)
        .collect::<std::collections::HashSet<_>>();
    assert!(distinct.len() > 8, "{} looks blank", path.display());
    (info.width, info.height)
}

fn assert_chart(dir: &Path, name: &str, expect: &[&str]) -> Vec<String> {
    let (texts, size) = svg_texts(&dir.join(format!("{name}.svg")));
    assert!(size.0 >= 800 && size.1 >= 400, "{name}.svg is {size:?}");
    assert_eq!(
        png_size(&dir.join(format!("{name}.png"))),
        size,
        "{name}.png size"
    );
    let all = texts.join("\n");
    for e in expect {
        assert!(all.contains(e), "{name}.svg lacks {e:?}:\n{all}");
    }
    texts
}

/// Nothing is drawn across the cost chart's value labels: every line (grid, whisker, the
/// dashed baseline) comes before the first of them, and each sits on a white box that
/// holds its anchor, inside the picture. (Before, the baseline was drawn last and ran through a label's text.)
fn assert_cost_labels_sit_on_top(path: &Path) {
    let text = fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let shapes: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.is_element()).collect();
    let is_value = |n: &roxmltree::Node| {
        n.tag_name().name() == "text" && n.text().is_some_and(|t| t.contains(" ± "))
    };
    let first = shapes.iter().position(is_value).expect("value labels");
    let width: f64 = doc
        .root_element()
        .attribute("width")
        .unwrap()
        .parse()
        .unwrap();
    let num = |n: &roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    for (k, n) in shapes.iter().enumerate() {
        let name = n.tag_name().name();
        if k > first {
            assert!(
                name != "line" && name != "polyline" && name != "path",
                "a {name} is drawn over the value labels"
            );
        }
        if is_value(n) {
            let b = &shapes[k - 1];
            assert_eq!(b.tag_name().name(), "rect", "no box under {:?}", n.text());
            assert_eq!(b.attribute("fill"), Some("#FFFFFF"));
            let (x, y) = (num(n, "x"), num(n, "y"));
            let (bx, by) = (num(b, "x"), num(b, "y"));
            let (bw, bh) = (num(b, "width"), num(b, "height"));
            assert!(
                bx <= x && x <= bx + bw && by <= y && y <= by + bh,
                "box {bx},{by} {bw}×{bh} misses the label at {x},{y}"
            );
            assert!(
                bx >= 0.0 && bx + bw <= width - 3.0,
                "box {bx}+{bw} leaves the {width}-pixel picture"
            );
        }
    }
}

fn assert_no_temp_files(dir: &Path) {
    assert_eq!(
        output::leftovers(dir).unwrap(),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn compare_writes_charts_and_a_self_contained_report() {
    let dir = scratch("compare");
    let d = dir.to_str().unwrap();
    let table = ok(&[
        "compare", SUBSTATION, "--runs", "300", "--out", d, "--quiet",
    ]);
    for f in [
        "cost.svg",
        "cost.png",
        "downtime.svg",
        "downtime.png",
        "report.html",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    assert_no_temp_files(&dir);

    // Every strategy is a bar (labelled) and a curve (in the legend).
    let mut expect: Vec<&str> = STRATEGIES.to_vec();
    expect.extend([
        "expected cost per run (USD)",
        "95% confidence interval",
        "baseline",
    ]);
    assert_chart(&dir, "cost", &expect);
    assert_cost_labels_sit_on_top(&dir.join("cost.svg"));
    let legend: Vec<String> = STRATEGIES.iter().map(|s| format!("{s}: median")).collect();
    let mut expect: Vec<&str> = legend.iter().map(|s| s.as_str()).collect();
    expect.extend(["log scale", "share of runs"]);
    assert_chart(&dir, "downtime", &expect);

    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 2, "both charts inline");
    // The winner the terminal names is the one the verdict names.
    let best = table
        .lines()
        .find_map(|l| l.strip_prefix("Best: "))
        .and_then(|l| l.split(" — ").next())
        .expect("a Best: line");
    let verdict = html
        .split("id=\"verdict\">")
        .nth(1)
        .and_then(|v| v.split("</p>").next())
        .unwrap();
    assert!(
        verdict.starts_with(&format!("<b>{best}</b> wins: $")),
        "{verdict}"
    );
    assert!(verdict.contains("saving $"), "{verdict}");
    // One ranking row per strategy, with the numbers the terminal shows.
    let ranking = html.split("id=\"ranking\"").nth(1).unwrap();
    let ranking = ranking.split("</table>").next().unwrap();
    for s in STRATEGIES {
        assert!(ranking.contains(&format!(". {s}</td>")), "no row for {s}");
    }
    for line in table.lines().filter(|l| l.trim_start().starts_with("1. ")) {
        let cost = line.split_whitespace().nth(2).unwrap();
        assert!(
            ranking.contains(cost),
            "ranking lacks the terminal's {cost}"
        );
    }
    for section in [
        "Single points of failure",
        "Assumptions",
        "Reproduce",
        "faultline compare scenarios/substation.ron --runs 300",
        "--seed 2022",
        env!("CARGO_PKG_VERSION"),
    ] {
        assert!(html.contains(section), "report lacks {section:?}");
    }
    // Self-contained: nothing fetched, no scripts; the only URL is the SVG namespace.
    let stripped = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!stripped.contains("http://") && !stripped.contains("https://"));
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
}

#[test]
fn trace_writes_a_postmortem_and_a_timeline() {
    let dir = scratch("trace");
    let d = dir.to_str().unwrap();
    let text = ok(&["trace", SUBSTATION, "--run", "3", "--out", d, "--quiet"]);
    assert!(
        text.contains("Postmortem"),
        "the terminal narration is unchanged"
    );
    assert_no_temp_files(&dir);
    let md = fs::read_to_string(dir.join("postmortem.md")).unwrap();
    for section in [
        "# Postmortem: substation — run 3",
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Root fault and propagation path",
        "## What went well",
        "## What slowed us",
        "## What would have helped",
        "gunfire (common cause)",
        "west_end_xfmr → west_end → county_supply → distribution → customers",
        "faultline trace scenarios/substation.ron --run 3",
        "--seed 2022",
    ] {
        assert!(md.contains(section), "postmortem lacks {section:?}:\n{md}");
    }
    // The baseline waits weeks for transformers; the mobile transformer did better on
    // this very run.
    let helped = md.split("## What would have helped").nth(1).unwrap();
    let verdict = helped
        .lines()
        .find(|l| l.starts_with("**Would have helped:**"))
        .expect("a list of strategies that did better");
    assert!(verdict.contains("`mobile-transformer`"), "{verdict}");
    for s in STRATEGIES {
        assert!(helped.contains(&format!("| {s}")) || helped.contains(&format!("**{s}**")));
    }
    assert_chart(
        &dir,
        "timeline",
        &[
            "customers (service)",
            "west_end_xfmr",
            "carthage_xfmr",
            "Longest outage, step by step",
            "detected",
            "diagnosed",
            "time since the root fault (log scale)",
        ],
    );
}

#[test]
fn trace_under_a_strategy_shows_the_stand_in() {
    let dir = scratch("trace-strategy");
    let d = dir.to_str().unwrap();
    ok(&[
        "trace",
        SUBSTATION,
        "--run",
        "3",
        "--strategy",
        "mobile-transformer",
        "--out",
        d,
        "-q",
    ]);
    let texts = assert_chart(
        &dir,
        "timeline",
        &["under mobile-transformer", "mitigated (spare)"],
    );
    assert!(texts.iter().any(|t| t.starts_with("+1d")), "{texts:?}");
    let md = fs::read_to_string(dir.join("postmortem.md")).unwrap();
    assert!(md.contains("A mitigation (spare) restored service"), "{md}");
}

#[test]
fn sweep_reruns_every_value_and_the_metric_moves() {
    let dir = scratch("sweep");
    let d = dir.to_str().unwrap();
    let set = "strategies[1].mitigations[0].deploy=1d..7d:4";
    let args = [
        "sweep", SUBSTATION, "--set", set, "--runs", "200", "--out", d, "-q",
    ];
    let table = ok(&args);
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| {
            // The table names values as the chart does: 7d, not 1w.
            ["1d", "3d", "5d", "7d"]
                .iter()
                .any(|v| l.trim_start().starts_with(v))
        })
        .collect();
    assert_eq!(rows.len(), 4, "one row per value:\n{table}");
    for f in ["sweep.svg", "sweep.png", "sweep.json"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    assert_no_temp_files(&dir);
    let mut expect: Vec<&str> = STRATEGIES.to_vec();
    expect.extend(["1d", "3d", "5d", "7d", "expected cost per run (USD)"]);
    assert_chart(&dir, "sweep", &expect);

    let j: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(j["path"], "strategies[1].mitigations[0].deploy");
    assert_eq!(j["metric"], "cost");
    assert_eq!(j["axis"], "duration");
    let values = j["values"].as_array().unwrap();
    assert_eq!(values.len(), 4);
    let names: Vec<&str> = j["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let k = names
        .iter()
        .position(|&n| n == "mobile-transformer")
        .unwrap();
    let cost = |v: &serde_json::Value, k: usize| v["points"][k]["mean"].as_f64().unwrap();
    // A slower mobile transformer costs more...
    for w in values.windows(2) {
        assert!(
            cost(&w[1], k) > cost(&w[0], k),
            "cost must rise with deploy time"
        );
    }
    // ...and the baseline, untouched by the parameter, sees exactly the same runs.
    for v in values {
        assert_eq!(cost(v, 0), cost(&values[0], 0));
    }
    assert_eq!(values[3]["x"], 7.0 * 86_400.0);

    // --json prints the same document.
    let mut args = args.to_vec();
    args.push("--json");
    let printed: serde_json::Value = serde_json::from_str(&ok(&args)).unwrap();
    assert_eq!(printed, j);
}

#[test]
fn sweep_errors_point_at_the_scenario() {
    let dir = scratch("sweep-errors");
    let d = dir.to_str().unwrap();
    // A path that is not in the file.
    let out = faultline(&[
        "sweep",
        SUBSTATION,
        "--set",
        "strategies[9].cost=1.0",
        "--out",
        d,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no such value"), "{err}");
    assert!(err.contains("substation.ron:"), "{err}");
    // A value that is not valid there is reported like any scenario error, with the value.
    let set = "strategies[1].mitigations[0].capacity=0.5,1.5";
    let out = faultline(&["sweep", SUBSTATION, "--set", set, "--out", d]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("capacity = 1.5"), "{err}");
    assert!(err.contains("1.5"), "{err}");
    // Nothing was run or written.
    assert!(fs::read_dir(&dir).unwrap().next().is_none());
    // Malformed settings are usage errors.
    for bad in ["no-equals", "a[x]=1", "response.diagnose=1h..2h:1"] {
        let out = faultline(&["sweep", SUBSTATION, "--set", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
    }
}

#[test]
fn outputs_default_to_a_directory_per_scenario() {
    // The test helper points FAULTLINE_OUTPUT at a scratch root.
    let out = faultline(&["trace", "tests/data/snapshot.ron", "--run", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("wrote ") && err.contains("postmortem.md"),
        "{err}"
    );
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    assert!(err.contains(root.to_str().unwrap()), "{err}");
    // A folder per file and command: a trace under a strategy keeps the baseline's files.
    let dir = crate::common::output_root().join("snapshot");
    assert!(dir.join("trace-run1/postmortem.md").is_file(), "{err}");
    assert!(err.contains("snapshot/trace-run1"), "{err}");
    // Another file with the same `name:` gets its own folder, named after the file.
    let text = fs::read_to_string(crate::common::repo("tests/data/snapshot.ron")).unwrap();
    let copy = crate::common::scenario_file("snapshot-copy", &text);
    let out = faultline(&["trace", &copy, "--run", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let other = crate::common::output_root().join("snapshot-copy/trace-run1");
    assert!(other.join("timeline.png").is_file(), "{}", stderr(&out));
    // Progress bars never reach a pipe.
    let out = faultline(&["run", SUBSTATION, "--runs", "200"]);
    assert!(!stderr(&out).contains("ETA"), "{}", stderr(&out));
}

#[test]
fn writes_are_atomic() {
    let dir = scratch("atomic");
    let file = dir.join("report.html");
    output::write(&file, b"old and complete").unwrap();
    assert_eq!(fs::read(&file).unwrap(), b"old and complete");
    // A write that fails half-way leaves the old file as it was, and no temporary file.
    let failed = output::write_with(&file, |w| {
        w.write_all(b"new but ha")?;
        Err(std::io::Error::other("interrupted"))
    });
    assert!(failed.is_err());
    assert_eq!(fs::read(&file).unwrap(), b"old and complete");
    assert_no_temp_files(&dir);
    // A complete write replaces it whole.
    output::write(&file, b"new").unwrap();
    assert_eq!(fs::read(&file).unwrap(), b"new");
    // Parent directories are created; a path that cannot be a file is an error, not a panic.
    output::write(&dir.join("a/b/c.txt"), b"x").unwrap();
    assert!(output::write(&dir.join("a"), b"x").is_err());
    assert_no_temp_files(&dir);
    assert_no_temp_files(&dir.join("a"));
}

#[test]
fn charts_draw_quiet_runs_and_single_strategies() {
    // A run where nothing fails still draws: empty distributions, services only.
    let (_, models) = faultline::validate::load_all_file("tests/data/snapshot.ron").unwrap();
    let m = &models[0];
    let empty = faultline::stats::Histogram::new();
    let c = faultline::charts::downtime_cdf(
        &m.name,
        0,
        vec![faultline::charts::Curve {
            name: "baseline",
            hist: &empty,
        }],
    )
    .unwrap();
    assert!(c.svg.contains("baseline: median"));
    let tl = faultline::timeline::record(m, 1, 0);
    let c = faultline::charts::timeline(m, &tl, 0, 1).unwrap();
    assert!(c.png.starts_with(b"\x89PNG"));
    // A model without queues has no queue charts.
    assert!(
        faultline::charts::queue_charts(m, &[], &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn queue_scenarios_get_queue_charts() {
    let dir = scratch("queue-charts");
    let d = dir.to_str().unwrap();
    ok(&[
        "compare",
        "scenarios/retry-storm.ron",
        "--runs",
        "8",
        "--out",
        d,
        "--quiet",
    ]);
    let texts = assert_chart(
        &dir,
        "queue-api",
        &["jobs waiting (log scale)", "baseline", "retry-budget"],
    );
    assert!(
        texts.iter().any(|t| t.contains("1,000")),
        "a storm reaches thousands of waiting jobs: {texts:?}"
    );
    assert_chart(
        &dir,
        "queue-api-run",
        &["waiting", "mean time in system of jobs served"],
    );
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("jobs waiting in queue `api` across runs"));
    assert_no_temp_files(&dir);
}

/// Issue 21, item 3 (time axes): a sweep of downtime draws its y axis in the unit the
/// values call for, at round values of it: minutes for a retry storm's minutes-long
/// outages (it was "0.8h"), days for the substation's weeks-long ones.
#[test]
fn sweep_downtime_axis_uses_the_unit_of_its_span() {
    for (scenario, set, runs, unit, tick) in [
        (
            "scenarios/retry-storm.ron",
            "components[1].queue.retries.count=0,3",
            "2",
            "mean downtime per run (minutes)",
            "10m",
        ),
        (
            SUBSTATION,
            "strategies[1].mitigations[0].deploy=1d,7d",
            "100",
            "mean downtime per run (days)",
            "10d",
        ),
    ] {
        let dir = scratch(&format!("sweep-unit-{runs}"));
        let d = dir.to_str().unwrap();
        ok(&[
            "sweep", scenario, "--set", set, "--metric", "downtime", "--runs", runs, "--out", d,
            "-q",
        ]);
        let texts = assert_chart(&dir, "sweep", &[unit]);
        assert!(
            texts.iter().any(|t| t == tick),
            "{scenario}: no {tick} tick in {texts:?}"
        );
        assert!(
            !texts.iter().any(|t| t.ends_with('h') && t.contains('.')),
            "{texts:?}"
        );
    }
}
