//! Every command in the lab guides (`docs/labs/*.md`) works as written.
//!
//! Lines inside ```sh blocks that start with `cargo run --release -- ` run against the
//! faultline binary; `cp scenarios/X Y` lines copy into a scratch directory and later
//! commands use the copy. Outputs go to scratch (the helper sets FAULTLINE_OUTPUT; `--out`
//! values are replaced), and every `output/...` file a guide quotes must then exist.

use crate::common::{faultline, fences, output_root, repo, scratch, split, stderr, stdout};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const CARGO: &str = "cargo run --release -- ";

#[test]
fn splitter_honours_quotes() {
    assert_eq!(
        split(r#"sweep a.ron --set 'x[1].y=1d..9d:5' --m "a b" c\d # note"#),
        [
            "sweep",
            "a.ron",
            "--set",
            "x[1].y=1d..9d:5",
            "--m",
            "a b",
            r"c\d"
        ]
    );
    assert_eq!(
        split(r#"--set 'response.diagnose=Fixed("1h"),2h'"#),
        ["--set", r#"response.diagnose=Fixed("1h"),2h"#]
    );
    assert_eq!(split(r#"x "a\"b" ''"#), ["x", "a\"b", ""]);
}

/// The lines of every ```sh block in `text`, trimmed.
fn sh_lines(text: &str) -> Vec<String> {
    fences(text)
        .into_iter()
        .filter(|f| f.info == "sh")
        .flat_map(|f| f.lines)
        .map(|l| l.trim().to_string())
        .collect()
}

/// Every file a guide sends students to (`output/<stem>/<folder>/<file>` in backticks) was
/// written by the guide's commands, so a guide cannot name a path the tool no longer uses.
fn assert_quoted_outputs_exist(guide: &Path, text: &str) {
    for quoted in text.split('`').skip(1).step_by(2) {
        let Some(rel) = quoted.strip_prefix("output/") else {
            continue;
        };
        if rel.contains('<') || !rel.contains('.') || rel.ends_with('/') {
            continue;
        }
        let path = output_root().join(rel);
        assert!(
            path.is_file(),
            "{}: quotes `{quoted}`, which its commands did not write",
            guide.display()
        );
    }
}

#[test]
fn every_lab_command_works_as_written() {
    let dir = repo("docs/labs");
    let mut guides: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/labs")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    guides.sort();
    assert!(
        guides.len() >= 5,
        "expected the index and four guides in docs/labs, found {guides:?}"
    );

    let work = scratch("labs");
    let mut ran = 0;
    let mut unmatched = Vec::new();
    for guide in &guides {
        let name = guide.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(guide).unwrap();
        // Everything the guide's commands print, for its answer key's figures.
        let mut printed = String::new();
        // The numbers in the scenarios they run: a key may quote a price or a rate as `$N`.
        let mut parameters = Vec::new();
        // The scenarios they run, whose postmortems a key may quote.
        let mut stems = std::collections::BTreeSet::new();
        // Student copies made by `cp` lines in this guide: name in the guide → scratch path.
        let mut copies: HashMap<String, String> = HashMap::new();
        for (i, line) in sh_lines(&text).iter().enumerate() {
            let where_ = format!("{}: sh line {}: {line}", guide.display(), i + 1);
            if line.starts_with("cp scenarios/") {
                let words = split(line);
                assert_eq!(words.len(), 3, "{where_}: expected `cp SRC DST`");
                let dst = work.join(format!("{name}-{}", words[2]));
                std::fs::copy(repo(&words[1]), &dst).unwrap_or_else(|e| panic!("{where_}: {e}"));
                copies.insert(words[2].clone(), dst.to_string_lossy().into_owned());
                continue;
            }
            let Some(rest) = line.strip_prefix(CARGO) else {
                continue;
            };
            let mut args = split(rest);
            let mut k = 0;
            while k < args.len() {
                if args[k] == "--out" && k + 1 < args.len() {
                    let out = work.join(format!("{name}-out-{i}"));
                    args[k + 1] = out.to_string_lossy().into_owned();
                    k += 2;
                    continue;
                }
                if let Some(copy) = copies.get(&args[k]) {
                    args[k] = copy.clone();
                } else {
                    assert!(
                        !(args[k].starts_with("my-") && args[k].ends_with(".ron")),
                        "{where_}: uses {} before a `cp scenarios/… {}` line in the same guide",
                        args[k],
                        args[k]
                    );
                }
                k += 1;
            }
            for a in args.iter().filter(|a| a.ends_with(".ron")) {
                if let Some(stem) = Path::new(a).file_stem() {
                    stems.insert(stem.to_string_lossy().into_owned());
                }
                let file = if Path::new(a).is_absolute() {
                    PathBuf::from(a)
                } else {
                    repo(a)
                };
                if let Ok(t) = std::fs::read_to_string(file) {
                    parameters.extend(numbers(&t));
                }
            }
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let started = std::time::Instant::now();
            let o = faultline(&refs);
            let secs = started.elapsed().as_secs_f64();
            assert!(
                o.status.success(),
                "{where_}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
                o.status.code(),
                stdout(&o),
                stderr(&o)
            );
            assert!(!stdout(&o).trim().is_empty(), "{where_}: printed nothing");
            printed.push_str(&stdout(&o));
            eprintln!("{secs:6.2}s  {name}: {line}");
            ran += 1;
        }
        assert_quoted_outputs_exist(guide, &text);
        let key = dir.join("answers").join(format!("{name}.md"));
        if let Ok(key_text) = std::fs::read_to_string(&key) {
            for stem in &stems {
                printed.push_str(&postmortems(&output_root().join(stem)));
            }
            // Kept for whoever updates the key.
            let printed_file = work.join(format!("{name}.printed.txt"));
            std::fs::write(&printed_file, &printed).unwrap();
            let mut seen = figures(&printed);
            seen.extend(parameters);
            for f in figures(&checked_part(&key_text)) {
                if !f.approximate && !seen.iter().any(|s| f.rounds(s)) {
                    unmatched.push(format!(
                        "{}: {} (printed: {})",
                        key.display(),
                        f.text,
                        printed_file.display()
                    ));
                }
            }
        }
    }
    assert!(ran >= 20, "only {ran} lab commands found");
    assert!(
        unmatched.is_empty(),
        "figures in the answer keys that the guides' commands no longer print (rerun the \
         commands and update the key; mark a figure worked out by hand with ≈):\n{}",
        unmatched.join("\n")
    );
}

/// A figure quoted in a key or printed by a command: an amount of money (`$1,234`,
/// `-$391,133`, `$39.68M`), a percentage with decimals (`95.3356%`) or a duration as
/// faultline writes them (`49m 51s`, `25.4s`, `3700d 1h 23m`).
#[derive(Debug)]
struct Figure {
    /// As written.
    text: String,
    /// `$`, `%` or `t` (a duration).
    unit: char,
    /// Its value (dollars; percent).
    value: f64,
    /// Half a unit of its last digit: how far a printed figure may be and still round to it.
    half_ulp: f64,
    /// Marked as worked out or rounded by hand (`≈`, `~` or `about` just before it).
    approximate: bool,
}

impl Figure {
    /// Whether `printed`, rounded as this figure is written, gives this figure (a duration:
    /// written the same way).
    fn rounds(&self, printed: &Figure) -> bool {
        if self.unit == 't' {
            return printed.unit == 't' && self.text == printed.text;
        }
        self.unit == printed.unit
            && (self.value.abs() - printed.value.abs()).abs() <= self.half_ulp * (1.0 + 1e-9)
    }
}

/// What of an answer key is checked against the guide's commands: everything but what
/// follows a `<!-- unchecked: REASON -->` marker (figures from a copy the student edits, or
/// from a variant of a command) up to the end of its list item or paragraph.
fn checked_part(key: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in key.lines() {
        let t = line.trim_start();
        let new_item = t
            .split_once(". ")
            .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        if t.is_empty() || new_item {
            skipping = false;
        }
        let (checked, marked) = match line.split_once("<!-- unchecked") {
            Some((before, _)) => (before, true),
            None => (line, false),
        };
        if !skipping {
            out.push_str(checked);
            out.push('\n');
        }
        skipping |= marked;
    }
    out
}

#[test]
fn unchecked_markers_end_with_their_item() {
    let key = "1. $1 <!-- unchecked: x --> $2\n   $3\n2. $4\n\n$5 <!-- unchecked: y -->\n$6\n\n$7";
    let kept: Vec<String> = figures(&checked_part(key))
        .into_iter()
        .map(|f| f.text)
        .collect();
    assert_eq!(kept, ["$1", "$4", "$5", "$7"]);
}

/// Every figure in `text`.
fn figures(text: &str) -> Vec<Figure> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let money = chars[i] == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let number_start = chars[i].is_ascii_digit() && (i == 0 || !is_number_char(chars[i - 1]));
        if !money && !number_start {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = if money { i + 1 } else { i };
        while j < chars.len() && is_number_char(chars[j]) {
            j += 1;
        }
        // A trailing comma or dot is punctuation, not part of the number.
        while j > start + 1 && matches!(chars[j - 1], ',' | '.') {
            j -= 1;
        }
        let digits: String = chars[if money { start + 1 } else { start }..j]
            .iter()
            .filter(|&&c| c != ',')
            .collect();
        let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len());
        let Ok(mut value) = digits.parse::<f64>() else {
            i = j.max(i + 1);
            continue;
        };
        let mut half_ulp = 0.5 * 10f64.powi(-(decimals as i32));
        let mut end = j;
        let unit = if money {
            let scale = match chars.get(j) {
                Some('M') => 1e6,
                Some('K' | 'k') => 1e3,
                _ => 1.0,
            };
            if scale > 1.0 && !chars.get(j + 1).is_some_and(|c| c.is_alphanumeric()) {
                end += 1;
                value *= scale;
                half_ulp *= scale;
            }
            '$'
        } else if chars.get(j) == Some(&'%') && decimals > 0 {
            end += 1;
            '%'
        } else if let Some(e) = duration_end(&chars, start) {
            end = e;
            't'
        } else {
            i = j.max(i + 1);
            continue;
        };
        let before: String = chars[start.saturating_sub(7)..start].iter().collect();
        let before = before.trim_end_matches(['-', '+', ' ']);
        let approximate = ["≈", "~", "about"].iter().any(|m| before.ends_with(m));
        out.push(Figure {
            text: chars[start..end].iter().collect(),
            unit,
            value,
            half_ulp,
            approximate,
        });
        i = end;
    }
    out
}

/// Where the duration starting at `start` ends (`49m 51s`: numbers each followed by a unit,
/// from years down to milliseconds, separated by single spaces), or None if none does.
fn duration_end(chars: &[char], start: usize) -> Option<usize> {
    let mut end = unit_end(chars, start)?;
    while chars.get(end) == Some(&' ') {
        match unit_end(chars, end + 1) {
            Some(e) => end = e,
            None => break,
        }
    }
    Some(end)
}

/// Where a number at `i` followed directly by a duration unit (`49m`, `25.4s`) ends.
fn unit_end(chars: &[char], i: usize) -> Option<usize> {
    const UNITS: [&str; 7] = ["y", "w", "d", "h", "ms", "m", "s"];
    let mut j = i;
    while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
        j += 1;
    }
    if j == i {
        return None;
    }
    UNITS.iter().find_map(|u| {
        let u: Vec<char> = u.chars().collect();
        let after = j + u.len();
        (chars.get(j..after) == Some(&u[..])
            && !chars.get(after).is_some_and(|c| c.is_alphanumeric()))
        .then_some(after)
    })
}

/// Every `postmortem.md` under `dir`, one after another.
fn postmortems(dir: &Path) -> String {
    let mut text = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return text;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            text.push_str(&postmortems(&p));
        } else if p.file_name().is_some_and(|n| n == "postmortem.md") {
            text.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
    text
}

/// Every plain number in a scenario's text, as an amount of money it may stand for.
fn numbers(text: &str) -> Vec<Figure> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.trim_matches('.').parse::<f64>().ok())
        .map(|value| Figure {
            text: value.to_string(),
            unit: '$',
            value,
            half_ulp: 0.0,
            approximate: false,
        })
        .collect()
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || c == ',' || c == '.'
}

#[test]
fn figures_are_read_as_written() {
    let f = figures("cost $2,434,875 ± $23,662, ≈ $2.29M, 63.57% (of 95.3356%), 12 crews, $3.5.");
    let texts: Vec<&str> = f.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "$2,434,875",
            "$23,662",
            "$2.29M",
            "63.57%",
            "95.3356%",
            "$3.5"
        ]
    );
    let d = figures("+49m 51s ± 8m 56s, 3700d 1h 23m and 25.4s; 2-of-3, 12 crews, 1h 5 runs");
    let texts: Vec<&str> = d.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, ["49m 51s", "8m 56s", "3700d 1h 23m", "25.4s", "1h"]);
    assert!(f[2].approximate && !f[0].approximate);
    assert_eq!(f[2].value, 2.29e6);
    let printed = figures("63.5680% and $2,290,012");
    assert!(f[3].rounds(&printed[0]) && f[2].rounds(&printed[1]));
    assert!(!f[4].rounds(&printed[0]));
}
