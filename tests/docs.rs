//! The docs cannot drift from the code: every ```ron example in the README and docs/ is
//! parsed, and every complete scenario among them is loaded and validated. A fragment says
//! what it is in an HTML comment on the line before it (`<!-- ron fragment: KIND -->`,
//! invisible when rendered) and is parsed as that part of a scenario.

use crate::common::{fences, repo, split};
use faultline::scenario::{Component, Edge, Scenario, Strategy};
use faultline::validate::{load_all_str, parse_as};
use std::path::{Path, PathBuf};

/// A ```ron block: where it is, its marker if any, and its text.
struct Example {
    at: String,
    marker: Option<String>,
    text: String,
}

/// The ```ron blocks of a Markdown file.
fn examples(path: &Path) -> Vec<Example> {
    let md = std::fs::read_to_string(path).expect("read doc");
    fences(&md)
        .into_iter()
        .filter(|f| f.info == "ron")
        .map(|f| Example {
            at: format!("{}:{}", path.display(), f.line),
            marker: f
                .before
                .as_deref()
                .and_then(|l| l.strip_prefix("<!-- ron fragment: "))
                .and_then(|l| l.strip_suffix(" -->"))
                .map(str::to_string),
            text: f.lines.join("\n"),
        })
        .collect()
}

/// Parses `text` as a `T` with the scenario's syntax rules.
fn check<T: serde::de::DeserializeOwned>(text: &str) -> Result<(), String> {
    parse_as::<T>(text).map(drop).map_err(|e| e.to_string())
}

/// Parses a fragment as the part of a scenario its marker names.
fn parse_fragment(kind: &str, text: &str) -> Result<(), String> {
    match kind {
        "components" => check::<Vec<Component>>(&format!("[{text}\n]")),
        "edges" => check::<Vec<Edge>>(&format!("[{text}\n]")),
        "strategies" => check::<Vec<Strategy>>(&format!("[{text}\n]")),
        "component fields" => check::<Component>(&format!("(id: \"x\", {text}\n)")),
        "strategy fields" => check::<Strategy>(&format!("(name: \"x\", {text}\n)")),
        "scenario fields" => {
            let components = if text.trim_start().starts_with("components:") {
                ""
            } else {
                "components: [],"
            };
            check::<Scenario>(&format!(
                "Scenario(name: \"x\", horizon: \"1d\", {components} {text}\n)"
            ))
        }
        other => Err(format!("unknown fragment kind `{other}`")),
    }
}

fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![repo("README.md")];
    let mut dirs = vec![repo("docs")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).expect("docs dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_ron_example_in_the_docs_parses_and_every_scenario_validates() {
    let mut problems = vec![];
    let (mut complete, mut fragments) = (0, 0);
    for file in markdown_files() {
        for ex in examples(&file) {
            let result = match &ex.marker {
                Some(kind) => {
                    fragments += 1;
                    parse_fragment(kind, &ex.text)
                }
                None => {
                    complete += 1;
                    load_all_str("example.ron", &ex.text)
                        .map(drop)
                        .map_err(|e| e.render(false))
                }
            };
            if let Err(why) = result {
                problems.push(format!(
                    "{}: {}\n{why}\n(a part of a scenario needs `<!-- ron fragment: KIND -->` on the line before it)",
                    ex.at,
                    ex.marker.as_deref().unwrap_or("a complete scenario")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(
        complete >= 1 && fragments >= 19,
        "{complete} complete, {fragments} fragments"
    );
}

/// The checker itself can fail: a misspelt field in a fragment, an invalid complete
/// scenario, and an unmarked fragment are each refused.
#[test]
fn the_docs_checker_refuses_what_is_wrong() {
    assert!(parse_fragment("components", r#"(id: "a", grup: (need: 1, of: ["b"]))"#).is_err());
    assert!(
        parse_fragment(
            "scenario fields",
            "alerts: [(on: \"a\", whenn: Failed, after: \"1m\")]"
        )
        .is_err()
    );
    assert!(parse_fragment("edges", r#"(from: "a", to: "b", kind: Requires)"#).is_ok());
    assert!(
        load_all_str(
            "x.ron",
            r#"Scenario(name: "x", horizon: "1d", components: [])"#
        )
        .is_err()
    );
    assert!(load_all_str("x.ron", r#"(id: "a")"#).is_err());
}

/// A quoted run of a command: a fenced block whose first line is
/// `$ cargo run --release -- ARGS`, followed by what the command prints (`...` on a line of
/// its own stands for lines left out, `[..]` for the rest of a line).
struct Quoted {
    at: String,
    args: Vec<String>,
    shown: String,
}

/// Every quoted run of a command in the Markdown file at `path`.
fn quoted_runs(path: &Path) -> Vec<Quoted> {
    let md = std::fs::read_to_string(path).expect("read doc");
    fences(&md)
        .into_iter()
        .filter_map(|f| {
            let (first, shown) = f.lines.split_first()?;
            let command = first.trim().strip_prefix("$ cargo run --release -- ")?;
            let shown: Vec<&str> = shown
                .iter()
                .map(|l| if l.trim() == "..." { "..." } else { l.as_str() })
                .collect();
            Some(Quoted {
                at: format!("{}:{}", path.display(), f.line),
                // As a shell splits it: quotes kept together, a `#` starts a comment.
                args: split(command),
                shown: shown.join("\n") + "\n",
            })
        })
        .collect()
}

/// The README's and the docs' quoted outputs are what the commands print today: a change
/// that moves a number fails here until the doc follows.
#[test]
fn every_quoted_command_prints_what_the_docs_show() {
    let mut checked = 0;
    for path in markdown_files() {
        for q in quoted_runs(&path) {
            let args: Vec<&str> = q.args.iter().map(String::as_str).collect();
            let o = crate::common::faultline(&args);
            assert!(o.status.success(), "{}: {:?} failed", q.at, q.args);
            let printed = crate::common::stdout(&o).replace(
                &crate::common::output_root().display().to_string(),
                "output",
            );
            let printed: String = printed
                .lines()
                .map(|l| l.trim_end().to_string() + "\n")
                .collect();
            eprintln!("{}: faultline {}", q.at, q.args.join(" "));
            snapbox::Assert::new().eq(printed, q.shown);
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} quoted commands found");
}
