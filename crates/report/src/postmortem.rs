//! The postmortem of one run, written like a real retrospective (`postmortem.md`).
//!
//! Summary, impact, timeline, root fault and propagation path, what went well, what slowed
//! the response, and what would have helped. The last part is a fair claim only because of
//! common random numbers: run *k* has the same faults under every strategy, so replaying
//! run *k* under each strategy shows what that strategy would have done with *this*
//! incident, not with a luckier one.

use crate::ReportError;
use crate::charts;
use crate::output;
use crate::timeline::{Episode, Timeline};
use crate::trace::Trace;
use faultline_core::engine::Sim;
use faultline_core::model::Model;
use faultline_core::montecarlo::Summary;
use faultline_units::number::{money, thousands};
use faultline_units::{human, stamp};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What one strategy made of one run: a row of "What would have helped", comparable across
/// strategies because run *k* has the same faults under each.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Strategy name ("baseline" for the scenario as written).
    pub strategy: String,
    /// Seconds with at least one service failed.
    pub downtime: f64,
    /// Cost of the run, as Monte Carlo counts it.
    pub cost: f64,
    /// User-minutes affected, all services.
    pub user_minutes: f64,
    /// Responder-hours spent.
    pub responder_hours: f64,
}

/// Simulates run `run` of the study seeded `seed` under `m` and measures it.
pub fn outcome(m: &Model, seed: u64, run: u64) -> Outcome {
    let mut sim = Sim::new(m);
    sim.run(seed, run, &mut ());
    let mut s = Summary::new(m);
    let cost = s.record(&sim).cost;
    Outcome {
        strategy: m.strategy.clone(),
        downtime: sim.books.site_down,
        cost,
        user_minutes: sim.books.svc.iter().map(|x| x.user_seconds / 60.0).sum(),
        responder_hours: sim.rs.run.responder_seconds / 3600.0,
    }
}

/// Everything the postmortem is written from: the run told three ways (trace, timeline,
/// outcomes under every strategy) and the command that reproduces it.
pub struct Inputs<'a> {
    /// The model the run was simulated under.
    pub model: &'a Model,
    /// The narrated run.
    pub trace: &'a Trace,
    /// The same run as lanes and markers.
    pub timeline: &'a Timeline,
    /// This run under the traced model.
    pub this: &'a Outcome,
    /// This run under every model of the scenario (baseline and strategies).
    pub all: &'a [Outcome],
    /// The command that reproduces it.
    pub command: &'a str,
}

/// Writes `postmortem.md` and the timeline chart of run `run` of the model `models[k]`
/// into `dir`, replaying the run under every model for "what would have helped"; returns
/// the files written.
pub fn write_trace(
    dir: &Path,
    models: &[Model],
    k: usize,
    seed: u64,
    trace: &Trace,
    command: &str,
) -> Result<Vec<PathBuf>, ReportError> {
    let m = &models[k];
    let tl = crate::timeline::record(m, seed, trace.run);
    let all: Vec<Outcome> = models.iter().map(|x| outcome(x, seed, trace.run)).collect();
    // Scenario strings go into Markdown as text: the document is rendered from a copy of
    // the model whose names are escaped (the chart draws the originals).
    let shown = escaped(m);
    let md = render(&Inputs {
        model: &shown,
        trace,
        timeline: &tl,
        this: &all[k],
        all: &all,
        command,
    });
    let mut files = charts::timeline(m, &tl, trace.run, seed)?.write(dir)?;
    for c in charts::queue_charts(m, &[], &trace.queue_samples)? {
        files.extend(c.write(dir)?);
    }
    files.push(output::save(&dir.join("postmortem.md"), md.as_bytes())?);
    Ok(files)
}

/// Text made safe for a Markdown table cell, which cannot hold line breaks (scenario
/// strings in it are already escaped by [`md`]).
fn cell(s: &str) -> String {
    s.replace('\n', " ")
}

/// A scenario string as Markdown text: every character that could start markup (emphasis,
/// code, links, raw HTML, tables, headings, entities) backslash-escaped (but `_` inside a
/// word), line breaks and
/// other control characters turned into spaces.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let word = |k: Option<usize>| {
        k.and_then(|k| chars.get(k))
            .is_some_and(|c| c.is_alphanumeric())
    };
    for (k, &c) in chars.iter().enumerate() {
        // An underscore inside a word (`west_end`) never starts emphasis: left as is.
        let inside = c == '_' && word(k.checked_sub(1)) && word(Some(k + 1));
        if "\\`*_[]()<>|~#&!".contains(c) && !inside {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` as a Markdown code span, fenced with more backticks than it holds in a row.
fn code(s: &str) -> String {
    let run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(run + 1);
    let s = s.replace(|c: char| c.is_control(), " ");
    // A space keeps a backtick at either end from joining the fence.
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A copy of `m` with every name the postmortem prints escaped by [`md`].
fn escaped(m: &Model) -> Model {
    let mut e = m.clone();
    e.name = md(&m.name);
    e.about = md(&m.about);
    e.strategy = md(&m.strategy);
    e.strategy_about = md(&m.strategy_about);
    for c in &mut e.comps {
        c.id = md(&c.id);
    }
    for s in &mut e.slots {
        s.name = md(&s.name);
    }
    for c in &mut e.common {
        c.name = md(&c.name);
    }
    e
}

/// The postmortem as Markdown.
pub fn render(x: &Inputs) -> String {
    let m = x.model;
    let t = x.trace;
    let mut s = String::new();
    let under = if m.strategy == "baseline" {
        String::new()
    } else {
        format!(", strategy {}", m.strategy)
    };
    let _ = writeln!(s, "# Postmortem: {} — run {}{under}\n", m.name, t.run);
    let _ = writeln!(
        s,
        "*A simulated incident, written by faultline {}. Reproduce it with {}.*\n",
        env!("CARGO_PKG_VERSION"),
        code(x.command)
    );
    if !m.about.is_empty() {
        let _ = writeln!(s, "> {}\n", m.about.trim());
    }
    let episodes = x.timeline.episodes();
    let worst = episodes.iter().max_by(|a, b| {
        a.outage()
            .total_cmp(&b.outage())
            .then(b.failed.total_cmp(&a.failed))
    });

    s.push_str("## Summary\n\n");
    summary(&mut s, x, &episodes, worst);

    s.push_str("\n## Impact\n\n");
    impact(&mut s, x);

    s.push_str("\n## Timeline\n\n");
    timeline(&mut s, x);

    s.push_str("\n## Root fault and propagation path\n\n");
    roots(&mut s, m, t);

    let (well, slow) = lessons(x, &episodes, worst);
    s.push_str("\n## What went well\n\n");
    for l in &well {
        let _ = writeln!(s, "- {l}");
    }
    s.push_str("\n## What slowed us\n\n");
    for l in &slow {
        let _ = writeln!(s, "- {l}");
    }

    s.push_str("\n## What would have helped\n\n");
    helped(&mut s, x);
    s
}

/// The run in two sentences: how much went wrong, and how the worst outage began and
/// ended.
fn summary(s: &mut String, x: &Inputs, episodes: &[Episode], worst: Option<&Episode>) {
    let m = x.model;
    let Some(w) = worst else {
        let _ = writeln!(
            s,
            "No service users see failed during this run of {}. Cost of the run: {}.",
            human(x.timeline.end),
            money(x.this.cost)
        );
        return;
    };
    let _ = write!(
        s,
        "Over {} simulated, {} service failure{} left users without service for {} in total \
         ({} user-minutes, {}). ",
        human(x.timeline.end),
        episodes.len(),
        if episodes.len() == 1 { "" } else { "s" },
        human(x.this.downtime),
        thousands(x.this.user_minutes),
        money(x.this.cost)
    );
    let how_back = match (&w.mitigated, w.restored) {
        (Some((_, what)), Some(r)) if w.restored_by_stand_in() => format!(
            "service came back through a stand-in ({what}) {} after the failure",
            human(r - w.failed)
        ),
        (Some((tm, what)), Some(r)) => format!(
            "a stand-in ({what}) was in place {} after the failure but did not bring service back; \
             service came back with the repair, {} after the failure",
            human(tm - w.failed),
            human(r - w.failed)
        ),
        (None, Some(r)) => format!(
            "service came back {} after the failure",
            human(r - w.failed)
        ),
        (_, None) => "service was still down when the run ended".to_string(),
    };
    let _ = writeln!(
        s,
        "The worst began {} when {} struck {}; {} went down and {how_back}.",
        stamp(w.fault),
        w.root_name(m),
        w.root_comp(m),
        m.comps[w.service as usize].id,
    );
}

/// Per service: users, failures, downtime and user-minutes; then the run's cost.
fn impact(s: &mut String, x: &Inputs) {
    let m = x.model;
    s.push_str("| service | users | failures | downtime | user-minutes |\n|---|--:|--:|--:|--:|\n");
    for (k, &c) in m.services.iter().enumerate() {
        let (down, failures, um) = x.trace.services[k];
        let users = m.comps[c as usize].service.map_or(0, |sv| sv.users);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            cell(&m.comps[c as usize].id),
            thousands(users as f64),
            failures,
            human(down),
            thousands(um)
        );
    }
    let _ = writeln!(
        s,
        "\nCost of this run: **{}** (outage and users affected, {:.1} responder-hours, \
         mitigations, fixed costs). Time with at least one service down: **{}**.",
        money(x.this.cost),
        x.this.responder_hours,
        human(x.this.downtime)
    );
    if x.trace.capped {
        s.push_str("\nThe event cap stopped this run early; figures cover the time simulated.\n");
    }
}

/// The trace as a table, cut at 200 lines: a long run's whole trace is one command away
/// and would drown the rest of the document.
fn timeline(s: &mut String, x: &Inputs) {
    const MAX: usize = 200;
    let entries = &x.trace.entries;
    if entries.is_empty() {
        s.push_str("Nothing happened in this run.\n");
        return;
    }
    s.push_str("| time | event | what happened |\n|---|---|---|\n");
    for e in entries.iter().take(MAX) {
        let l = e.line(x.model);
        let _ = writeln!(s, "| {} | {} | {} |", stamp(l.t), l.tag, cell(&l.text));
    }
    if entries.len() > MAX {
        let _ = writeln!(
            s,
            "\n({} more lines: run the command above for the whole trace.)",
            entries.len() - MAX
        );
    }
}

/// Each service failure with its root fault named in full and the path it spread along.
fn roots(s: &mut String, m: &Model, t: &Trace) {
    if t.failures.is_empty() {
        s.push_str("No service failed, so no fault reached users.\n");
        return;
    }
    for f in &t.failures {
        let root = crate::trace::root_name(m, f.root, true);
        let path: Vec<&str> = f
            .path
            .iter()
            .map(|&c| m.comps[c as usize].id.as_str())
            .collect();
        let lasted = f.lasted();
        let _ = writeln!(
            s,
            "- **{}** failed at {}: root fault **{root}**, spreading {} ({lasted}).",
            m.comps[f.service as usize].id,
            stamp(f.t),
            path.join(" → ")
        );
    }
}

/// What went well and what slowed the response, judged on the worst outage (and on the
/// run as a whole for redundancy and hand-offs).
fn lessons(
    x: &Inputs,
    episodes: &[Episode],
    worst: Option<&Episode>,
) -> (Vec<String>, Vec<String>) {
    let mut well = vec![];
    let mut slow = vec![];
    let masked = x.trace.masked_errors();
    if masked > 0 {
        well.push(format!(
            "Redundancy absorbed {masked} error{} before users saw {}.",
            if masked == 1 { "" } else { "s" },
            if masked == 1 { "it" } else { "them" }
        ));
    }
    let found = x.trace.found_by_inspection();
    if found > 0 {
        well.push(format!(
            "Inspections found {found} latent fault{} before anything called on {}.",
            if found == 1 { "" } else { "s" },
            if found == 1 { "it" } else { "them" }
        ));
    }
    for (slot, hidden) in x.trace.revealed_on_demand() {
        let f = &x.model.slots[slot as usize];
        slow.push(format!(
            "A latent fault, {} on {}, had been hidden for {} when a demand revealed it: \
             nothing looked for it (a proof test, a restore drill would have).",
            f.name,
            x.model.comps[f.comp as usize].id,
            human(hidden)
        ));
    }
    people(&mut slow, x);
    let queued = x.trace.queued_incidents();
    if queued > 0 {
        slow.push(format!(
            "{queued} incident{} waited because every responder was busy.",
            if queued == 1 { "" } else { "s" }
        ));
    }
    if let Some(w) = worst {
        let mut judge = |good: bool, line: String| {
            if good {
                well.push(line);
            } else {
                slow.push(line);
            }
        };
        detection(&mut judge, x.model, w);
        response(&mut judge, w);
        recovery(&mut judge, w);
        if episodes.len() > 1 {
            slow.push(format!(
                "{} service failures in one run: the figures above are for the longest.",
                episodes.len()
            ));
        }
    }
    if well.is_empty() {
        well.push("Nothing stands out in this run.".to_string());
    }
    if slow.is_empty() {
        slow.push("Nothing stands out in this run.".to_string());
    }
    (well, slow)
}

/// What the people in the loop went through: procedures that slipped (the procedure, not
/// the person, is what to change) and a responder working tired.
fn people(slow: &mut Vec<String>, x: &Inputs) {
    let m = x.model;
    let slips = x.trace.slips();
    for &(t, mit, comp, step, wrong, worse) in slips.iter().take(3) {
        let spec = &m.mitigations[mit as usize];
        let name = spec
            .procedure
            .as_ref()
            .map_or("?", |p| p.steps[step as usize].name.as_str());
        let mut line = format!(
            "At {} the {} on {} did not work: \"{name}\" was {}",
            stamp(t),
            spec.label,
            m.comps[comp as usize].id,
            if wrong { "done wrong" } else { "skipped" }
        );
        if worse != faultline_core::model::NONE {
            let f = &m.slots[worse as usize];
            line.push_str(&format!(
                ", which set off {} on {}",
                f.name, m.comps[f.comp as usize].id
            ));
        }
        line.push_str(
            ". Change the procedure, not the person: fewer steps, a checklist, a guard on the \
             wrong control, or automation.",
        );
        slow.push(line);
    }
    if slips.len() > 3 {
        slow.push(format!(
            "{} more procedures slipped in this run.",
            slips.len() - 3
        ));
    }
    let tired = x.trace.peak_fatigue();
    if tired >= 1.25 {
        slow.push(format!(
            "A responder started a diagnosis at ×{tired:.2} fatigue (long shifts, days in a row, \
             pages): a rota with written notes, or a tool that needs no one, would have spared them."
        ));
    }
}

/// How the worst outage was noticed: fast by an alert, slowly, by a customer, or not at
/// all. `judge(true, ..)` is a thing that went well, `judge(false, ..)` one that slowed us.
fn detection(judge: &mut impl FnMut(bool, String), m: &Model, w: &Episode) {
    let since = |t: f64| human(t - w.fault);
    match &w.detected {
        Some(d) if d.by_alert() && d.t <= w.failed + 600.0 => judge(
            true,
            format!("Detected fast: {}, {} after the fault.", d.how, since(d.t)),
        ),
        Some(d) if d.by_alert() => {
            judge(false, format!("Detection took {}: {}.", since(d.t), d.how))
        }
        Some(d) => judge(
            false,
            format!(
                "Nothing alerted: the first sign was a {}, {} after the fault. An alert on the \
                 failing component would have paged someone sooner.",
                d.how,
                since(d.t)
            ),
        ),
        None if m.response.is_some() => judge(
            false,
            "Nobody noticed the failure before it ended: nothing watches the components it \
             came through."
                .to_string(),
        ),
        None => judge(
            false,
            "Nobody responds in this scenario (no `response`): the fault was left to its \
             repair."
                .to_string(),
        ),
    }
}

/// The responder's part in the worst outage: acknowledgement, diagnosis, hand-offs.
fn response(judge: &mut impl FnMut(bool, String), w: &Episode) {
    if let (Some(d), Some(a)) = (&w.detected, w.acknowledged) {
        let line = format!("Acknowledged {} after the page.", human(a - d.t));
        judge(a - d.t <= 900.0, line);
    }
    if let (Some(a), Some(d)) = (w.acknowledged, w.diagnosed) {
        judge(
            false,
            format!(
                "Diagnosis took {} (acknowledged {} → diagnosed {}).",
                human(d - a),
                stamp(a),
                stamp(d)
            ),
        );
    }
    if !w.handoffs.is_empty() {
        let with = w.handoffs.iter().filter(|h| h.notes).count();
        let line = format!(
            "{} hand-off{} during diagnosis ({with} with written notes).",
            w.handoffs.len(),
            if w.handoffs.len() == 1 { "" } else { "s" }
        );
        if with == w.handoffs.len() {
            judge(
                true,
                format!("{line} Notes let the next responder pick up where the last left off."),
            );
        } else {
            judge(
                false,
                format!("{line} Without notes the next responder starts over."),
            );
        }
    }
}

/// How users got service back in the worst outage: a mitigation, repairs, or not at all.
fn recovery(judge: &mut impl FnMut(bool, String), w: &Episode) {
    match (&w.mitigated, w.restored, w.repaired) {
        (Some((t, what)), Some(r), _) if !w.restored_by_stand_in() => judge(
            false,
            format!(
                "A mitigation ({what}) was in place {} after the failure but did not bring \
                 service back; users waited for the repair, {}.",
                human(t - w.failed),
                human(r - w.failed)
            ),
        ),
        (Some((_, what)), Some(r), rep) => {
            let rep = rep.map_or("repair went on past the end of the run".to_string(), |p| {
                format!("the repair took {}", human(p - w.fault))
            });
            judge(
                true,
                format!(
                    "A mitigation ({what}) restored service {} after the failure while {rep}: \
                     the failure was fixed before the fault.",
                    human(r - w.failed)
                ),
            );
        }
        (None, Some(r), _) => judge(
            false,
            format!(
                "No mitigation was in place: users waited for repairs, {} after the failure{}.",
                human(r - w.failed),
                w.repaired.map_or(String::new(), |p| format!(
                    " (the root fault itself was repaired after {})",
                    human(p - w.fault)
                ))
            ),
        ),
        (_, None, _) => judge(
            false,
            "Service was still down at the end of the run.".to_string(),
        ),
    }
}

/// The same run under every strategy, cheapest first, and which strategies would have
/// cost less.
fn helped(s: &mut String, x: &Inputs) {
    let this = x.this;
    let mut better: Vec<&Outcome> = x
        .all
        .iter()
        .filter(|o| o.strategy != this.strategy && o.cost < this.cost - 0.5)
        .collect();
    better.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    let _ = writeln!(
        s,
        "The same run replayed under every strategy: the same faults at the same times \
         (common random numbers), so differences are the strategy's doing.\n"
    );
    let mut rows: Vec<&Outcome> = x.all.iter().collect();
    rows.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    s.push_str(
        "| strategy | downtime | user-minutes | cost | vs this run |\n|---|--:|--:|--:|--:|\n",
    );
    for o in rows {
        let name = if o.strategy == this.strategy {
            format!("**{}** (this run)", md(&o.strategy))
        } else {
            md(&o.strategy)
        };
        let diff = o.cost - this.cost;
        let vs = if o.strategy == this.strategy {
            "—".to_string()
        } else if diff.abs() < 0.5 {
            "same".to_string()
        } else if diff < 0.0 {
            format!("saves {}", money(-diff))
        } else {
            format!("costs {} more", money(diff))
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {vs} |",
            cell(&name),
            human(o.downtime),
            thousands(o.user_minutes),
            money(o.cost)
        );
    }
    s.push('\n');
    match better.first() {
        Some(best) => {
            let _ = writeln!(
                s,
                "**Would have helped:** {}. Best on this run: **{}**, with {} down instead of {} \
                 and a cost of {} instead of {}.",
                better
                    .iter()
                    .map(|o| code(&o.strategy))
                    .collect::<Vec<_>>()
                    .join(", "),
                md(&best.strategy),
                human(best.downtime),
                human(this.downtime),
                money(best.cost),
                money(this.cost)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "No other strategy in the scenario did better on this run; `compare` says \
                 whether that holds on average."
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_strings_are_markdown_text() {
        assert_eq!(md("west_end"), "west_end");
        assert_eq!(md("_x_ *y*"), r"\_x\_ \*y\*");
        assert_eq!(md("<b>|[a](b)\n#"), r"\<b\>\|\[a\]\(b\) \#");
        assert_eq!(code("run a"), "`run a`");
        assert_eq!(code("a `b` c"), "``a `b` c``");
        assert_eq!(code("`a"), "`` `a ``");
    }
}
