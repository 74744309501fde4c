//! `analyze`: a fault tree's exact top-event probability, minimal cut sets and importance
//! measures; `import`: a fault tree written as a scenario.

use crate::cli::error::CliError;
use faultline_ftree::analysis::{Analysis, Settings};
use faultline_ftree::mef;
use faultline_report::html;
use faultline_report::tables::{Layout, table};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The flags of `analyze` beyond the files.
pub(crate) struct AnalyzeOptions {
    /// Longest cut set listed.
    pub(crate) max_order: Option<usize>,
    /// Mission time, hours.
    pub(crate) mission_time: f64,
    /// The top gate, if the model has several candidates.
    pub(crate) top: Option<String>,
    /// A DFT's time bound.
    pub(crate) time: f64,
    /// A DFT's largest Markov chain.
    pub(crate) max_states: usize,
    /// JSON instead of tables.
    pub(crate) json: bool,
    /// How tables print.
    pub(crate) layout: Layout,
}

/// Reads the model, analyses it and prints the result.
pub(crate) fn analyze(
    out: &mut impl Write,
    files: &[PathBuf],
    o: AnalyzeOptions,
) -> Result<(), CliError> {
    if !(o.mission_time.is_finite() && o.mission_time >= 0.0) {
        return Err(CliError::Usage(format!(
            "--mission-time {}: give a number of hours, 0 or more",
            o.mission_time
        )));
    }
    if let [file] = files
        && faultline_scenario::import::is_dft(file)
    {
        return analyze_dft(out, file, &o);
    }
    if let [file] = files
        && has_extension(file, "ron")
    {
        return analyze_scenario(out, file, &o);
    }
    let tree = read_mef(files, &o)?;
    let a = fault_tree(&tree, &o)?;
    if o.json {
        writeln!(out, "{}", to_json(&a)?)?;
    } else {
        write!(out, "{}", render(&a, o.layout))?;
    }
    Ok(())
}

fn has_extension(f: &Path, ext: &str) -> bool {
    f.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn to_json(x: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(x).map_err(|e| CliError::Other(e.to_string()))
}

fn fault_tree(tree: &faultline_ftree::FaultTree, o: &AnalyzeOptions) -> Result<Analysis, CliError> {
    let settings = Settings {
        max_order: o.max_order,
        ..Settings::default()
    };
    faultline_ftree::analyze(tree, &settings).map_err(|e| CliError::Usage(e.to_string()))
}

/// What `analyze --json` prints for a DFT: the chain's answers, and the fault-tree
/// analysis at the time bound when the tree is static.
#[derive(serde::Serialize)]
struct DftJson {
    time: f64,
    #[serde(flatten)]
    exact: faultline_dft::Exact,
    #[serde(rename = "static")]
    fault_tree: Option<Analysis>,
}

/// A Galileo DFT: the Markov chain's unreliability and MTTF, and for a static tree its
/// cut sets and importance measures too.
fn analyze_dft(out: &mut impl Write, file: &Path, o: &AnalyzeOptions) -> Result<(), CliError> {
    let shown = file.display();
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("cannot read {shown}: {e}")))?;
    let dft = faultline_dft::parse(&text).map_err(|e| CliError::Usage(format!("{shown}:{e}")))?;
    let exact = faultline_dft::analyze(&dft, o.time, o.max_states)
        .map_err(|e| CliError::Usage(format!("{shown}: {e}")))?;
    let fault_tree = match dft.to_fault_tree(o.time) {
        Some(tree) => Some(fault_tree(&tree, o)?),
        None => None,
    };
    if o.json {
        let doc = DftJson {
            time: o.time,
            exact,
            fault_tree,
        };
        writeln!(out, "{}", to_json(&doc)?)?;
        return Ok(());
    }
    let top = &dft.elements()[dft.top()].name;
    let n = dft.elements().len();
    writeln!(
        out,
        "Dynamic fault tree '{top}': {n} elements; a Markov chain of {} states (Storm's semantics)\n",
        exact.states
    )?;
    writeln!(
        out,
        "  P(failed by t = {})   {:.10}",
        o.time, exact.unreliability
    )?;
    let mttf = if exact.mttf.is_finite() {
        format!("{:.10}", exact.mttf)
    } else {
        "never fails".into()
    };
    writeln!(
        out,
        "  MTTF                  {mttf}   (in the unit of the failure rates)"
    )?;
    if let Some(a) = fault_tree {
        writeln!(
            out,
            "\nA static tree: its fault tree at t = {}, each event failed with probability 1 − e^(−λt)\n",
            o.time
        )?;
        write!(out, "{}", render(&a, o.layout))?;
    }
    Ok(())
}

/// The tree in MEF files, every problem located in its file.
fn read_mef(files: &[PathBuf], o: &AnalyzeOptions) -> Result<faultline_ftree::FaultTree, CliError> {
    let mut texts = Vec::with_capacity(files.len());
    for f in files {
        if !has_extension(f, "xml") {
            return Err(CliError::Usage(format!(
                "{}: analyze reads Open-PSA MEF models (.xml, one or more files) or one Galileo DFT (.dft)",
                f.display()
            )));
        }
        let text = std::fs::read_to_string(f)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", f.display())))?;
        texts.push((f.to_string_lossy().into_owned(), text));
    }
    let sources: Vec<mef::Source> = texts
        .iter()
        .map(|(name, text)| mef::Source { name, text })
        .collect();
    let opts = mef::Options {
        mission_time: o.mission_time,
        top: o.top.clone(),
    };
    mef::read(&sources, &opts).map_err(|e| CliError::Usage(e.to_string()))
}

/// Rows shown without `--all`.
const ROWS: usize = 10;

fn render(a: &Analysis, layout: Layout) -> String {
    let mut s = String::new();
    let kind = if a.coherent {
        "coherent"
    } else {
        "non-coherent (has negations)"
    };
    s += &format!(
        "Fault tree '{}': {} basic events, {kind}\n\n",
        a.top, a.basic_events
    );
    match (&a.probability, &a.no_exact) {
        (Some(p), _) => {
            s += &format!(
                "  P(top)          {}   exact (decision diagram of {} nodes)\n",
                sci(*p),
                a.bdd_nodes
            )
        }
        (None, e) => {
            s += &format!(
                "  P(top)          no exact value: {}\n",
                e.as_deref().unwrap_or("")
            )
        }
    }
    let within = a
        .max_order
        .map_or(String::new(), |k| format!(" of order ≤ {k}"));
    s += &format!(
        "  rare event      {}   sum over the cut sets{within}\n",
        sci(a.rare_event)
    );
    s += &format!(
        "  min-cut bound   {}   1 − ∏(1 − P(cut set))\n\n",
        sci(a.mcub)
    );
    let orders: Vec<String> = a
        .orders
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} of order {}", k + 1))
        .collect();
    s += &format!(
        "Minimal cut sets{within}: {} ({})\n",
        a.cut_sets.len(),
        orders.join(", ")
    );
    listed(
        &mut s,
        &a.cut_sets,
        layout,
        &["cut set", "probability", "share of P(top)"],
        |c| {
            vec![
                c.events.join(" · "),
                sci(c.probability),
                share(c.probability, a.probability),
            ]
        },
    );
    if !a.importance.is_empty() {
        s += "\nImportance of basic events (most important first, by Fussell-Vesely)\n";
        let header = [
            "event",
            "p",
            "Birnbaum",
            "criticality",
            "Fussell-Vesely",
            "RAW",
            "RRW",
        ];
        listed(&mut s, &a.importance, layout, &header, |i| {
            vec![
                i.event.clone(),
                sci(i.p),
                sci(i.birnbaum),
                fixed(i.criticality),
                fixed(i.fussell_vesely),
                ratio(i.raw),
                ratio(i.rrw),
            ]
        });
    }
    s
}

/// A table of `items`, the first [`ROWS`] of them unless `layout.all`, and how many more.
fn listed<T>(
    s: &mut String,
    items: &[T],
    layout: Layout,
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) {
    listed_up_to(s, items, (layout, ROWS, "--all, or --json"), header, row);
}

/// [`listed`] with its own number of rows.
fn listed_up_to<T>(
    s: &mut String,
    items: &[T],
    (layout, most, more): (Layout, usize, &str),
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) {
    let shown = if layout.all {
        items.len()
    } else {
        most.min(items.len())
    };
    let rows: Vec<Vec<String>> = items[..shown].iter().map(row).collect();
    *s += &table(header, &rows, layout);
    if shown < items.len() {
        *s += &format!("  ... {} more ({more})\n", items.len() - shown);
    }
}

/// `p` as a share of P(top), when there is one.
fn share(p: f64, top: Option<f64>) -> String {
    match top {
        Some(top) if top > 0.0 => format!("{:.1}%", 100.0 * p / top),
        _ => "-".into(),
    }
}

/// Six significant digits, as SCRAM reports.
fn sci(x: f64) -> String {
    if (1e-3..1e3).contains(&x.abs()) || x == 0.0 || !x.is_finite() {
        faultline_units::significant(x, 6)
    } else {
        faultline_units::scientific(x, 6)
    }
}

fn fixed(x: f64) -> String {
    format!("{x:.4}")
}

fn ratio(x: f64) -> String {
    if x.is_infinite() {
        "∞".into()
    } else {
        format!("{x:.4}")
    }
}

/// Writes the fault tree in `files` as a scenario: to `output` (atomically), or stdout.
pub(crate) fn import(
    out: &mut impl Write,
    files: &[PathBuf],
    output: Option<&Path>,
    settings: &faultline_scenario::import::Settings,
) -> Result<(), CliError> {
    if !(settings.mission_time.is_finite() && settings.mission_time > 0.0) {
        return Err(CliError::Usage(format!(
            "--mission-time {}: give a number of hours above 0",
            settings.mission_time
        )));
    }
    if !(settings.dft_time.is_finite() && settings.dft_time > 0.0) {
        return Err(CliError::Usage(format!(
            "--time {}: give a number of hours above 0",
            settings.dft_time
        )));
    }
    if let Some(f) = files
        .iter()
        .find(|f| !faultline_scenario::import::is_fault_tree(f))
    {
        return Err(CliError::Usage(format!(
            "{}: import reads MEF (.xml) or Galileo (.dft) files",
            f.display()
        )));
    }
    if let Some(path) = output {
        faultline_report::output::check_regular(path)
            .map_err(|e| CliError::Usage(format!("-o {}: {e}", path.display())))?;
    }
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let text = faultline_scenario::import::import(&paths, settings)?;
    // What import writes, every command must read.
    faultline_scenario::validate::load_str("imported.ron", &text)
        .map_err(|e| CliError::Other(format!("bug: the imported scenario does not load: {e}")))?;
    emit(out, output, &text)
}

/// A scenario's static structure (see [`faultline_scenario::structure`]), or the reasons it
/// has none, as a usage error.
fn static_structure(
    file: &Path,
) -> Result<(f64, faultline_scenario::structure::Structure), CliError> {
    let text = faultline_scenario::validate::read(file)?;
    static_structure_of(&file.to_string_lossy(), &text)
}

/// [`static_structure`] of a scenario's text; `name` is only used in messages.
fn static_structure_of(
    name: &str,
    text: &str,
) -> Result<(f64, faultline_scenario::structure::Structure), CliError> {
    // Checked like any scenario first: its problems are reported as such.
    let (sc, _) = faultline_scenario::validate::load_str(name, text)?;
    let st = faultline_scenario::structure::structure(&sc)
        .map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    Ok((sc.horizon.secs(), st))
}

/// `analyze` on a scenario: each service's fault tree.
fn analyze_scenario(out: &mut impl Write, file: &Path, o: &AnalyzeOptions) -> Result<(), CliError> {
    let (horizon, st) = static_structure(file)?;
    let mut all = vec![];
    for (service, tree) in &st.services {
        let markov = match &st.rates {
            Some(rates) if !st.exact_in_time => Some(
                faultline_ftree::markov::solve(tree, rates, horizon)
                    .map_err(|e| CliError::Usage(e.to_string()))?,
            ),
            _ => None,
        };
        all.push((service.clone(), fault_tree(tree, o)?, markov));
    }
    if o.json {
        let doc: Vec<_> = all
            .iter()
            .map(|(s, a, m)| {
                serde_json::json!({"service": s, "exact_in_time": st.exact_in_time, "analysis": a, "markov": m})
            })
            .collect();
        writeln!(out, "{}", to_json(&doc)?)?;
        return Ok(());
    }
    let meaning = if st.exact_in_time {
        "P(top) is the probability that the service has failed by the horizon: nothing is repaired"
    } else {
        "events are repaired: their probabilities are steady-state unavailabilities, P(top) the service's"
    };
    for (service, a, markov) in &all {
        writeln!(out, "Service '{service}' ({meaning})\n")?;
        if let Some(m) = markov {
            writeln!(out, "{}", render_markov(m, horizon))?;
        }
        writeln!(out, "{}", render(a, o.layout))?;
    }
    Ok(())
}

/// A repairable structure's Markov-chain answers.
fn render_markov(m: &faultline_ftree::markov::Answers, horizon: f64) -> String {
    let h = faultline_units::human(horizon);
    let mut s = String::from(
        "Every event fails and is repaired at constant rates: the exact Markov-chain answers\n",
    );
    let mut line = |label: String, value: String| s += &format!("  {label:<36}{value}\n");
    line(
        format!("availability over {h}"),
        sci(1.0 - m.interval_unavailability),
    );
    line(
        format!("availability at {h}"),
        sci(1.0 - m.unavailability_at_horizon),
    );
    line(
        "availability, steady state".into(),
        sci(1.0 - m.steady_unavailability),
    );
    match m.unreliability {
        Some(u) => {
            let states = format!("{}   (a chain of {} states)", sci(u), m.states);
            line(format!("P(failed at least once by {h})"), states);
            if let Some(t) = m.mttf {
                line(
                    "mean time to first failure".into(),
                    faultline_units::human(t),
                );
            }
        }
        None => line(
            "P(failed at least once), MTTF".into(),
            "the chain is too large".into(),
        ),
    }
    s
}

/// `export --mef`: the scenario's static structure as MEF, to `output` (atomically) or
/// stdout.
pub(crate) fn export(
    out: &mut impl Write,
    file: &Path,
    output: Option<&Path>,
) -> Result<(), CliError> {
    if let Some(path) = output {
        faultline_report::output::check_regular(path)
            .map_err(|e| CliError::Usage(format!("-o {}: {e}", path.display())))?;
    }
    let (_, st) = static_structure(file)?;
    let Some((_, first)) = st.services.first() else {
        return Err(CliError::Usage(format!(
            "{}: no service, so no top event to export",
            file.display()
        )));
    };
    let tops: Vec<(&str, faultline_ftree::Node)> = st
        .services
        .iter()
        .map(|(s, t)| (s.as_str(), t.top))
        .collect();
    let name = file
        .file_stem()
        .map_or("model".into(), |s| s.to_string_lossy().into_owned());
    let text = mef::write(&name, first, &tops);
    emit(out, output, &text)
}

/// Where the baseline's risk is, for a scenario with a static structure: for each service,
/// its minimal cut sets and its events' importance (see [`html::RiskSection`]); empty for a
/// scenario without one, or a service whose tree is too large to analyse. From the
/// scenario's text (`name` names it), so that `compare` and `merge`, which has only the
/// text its shards carry, work out the same. `compare` prints it ([`risk_text`]) and both
/// put it in the report.
pub(crate) fn baseline_risk(name: &str, text: &str) -> Vec<html::RiskSection> {
    let Ok((_, st)) = static_structure_of(name, text) else {
        return vec![];
    };
    st.services
        .iter()
        .filter_map(|(service, tree)| {
            let a = faultline_ftree::analyze(tree, &Settings::default()).ok()?;
            Some(html::RiskSection {
                service: service.clone(),
                repaired: !st.exact_in_time,
                p_top: a.probability,
                cut_sets: (a.cut_sets.into_iter())
                    .map(|c| html::RiskCutSet {
                        events: c.events,
                        probability: c.probability,
                    })
                    .collect(),
                importance: (a.importance.into_iter())
                    .map(|i| html::RiskEvent {
                        event: i.event,
                        birnbaum: i.birnbaum,
                        fussell_vesely: i.fussell_vesely,
                        raw: i.raw,
                        rrw: i.rrw,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The section `compare` prints from [`baseline_risk`]: for each service, its most
/// probable cut sets and its most important events (`analyze` has all of it). Empty for
/// a scenario without a static structure.
pub(crate) fn risk_text(sections: &[html::RiskSection], layout: Layout) -> String {
    let mut s = String::new();
    for r in sections {
        let kind = if r.repaired {
            "steady-state unavailabilities"
        } else {
            "P(failed by the horizon)"
        };
        s += &format!(
            "\nWhere the baseline's risk is, for {} (its static structure, {kind}; `faultline analyze` shows all)\n",
            r.service
        );
        listed_up_to(
            &mut s,
            &r.cut_sets,
            (layout, 5, "faultline analyze"),
            &["cut set", "probability", "share of P(top)"],
            |c| {
                vec![
                    c.events.join(" · "),
                    sci(c.probability),
                    share(c.probability, r.p_top),
                ]
            },
        );
        listed_up_to(
            &mut s,
            &r.importance,
            (layout, 5, "faultline analyze"),
            &["event", "Fussell-Vesely", "RAW", "RRW"],
            |i| {
                vec![
                    i.event.clone(),
                    fixed(i.fussell_vesely),
                    ratio(i.raw),
                    ratio(i.rrw),
                ]
            },
        );
    }
    s
}

/// Writes `text` to `output` (atomically, saying so on stderr), or to stdout.
fn emit(out: &mut impl Write, output: Option<&Path>, text: &str) -> Result<(), CliError> {
    match output {
        Some(path) => {
            faultline_report::output::save(path, text.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        None => write!(out, "{text}")?,
    }
    Ok(())
}
