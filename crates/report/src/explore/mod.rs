//! `explore`: one run as a page to watch. The dependency graph laid out in layers, its
//! components coloured by state as a cursor moves through the run, errors travelling along
//! the edges they cross, groups masking them, the service turning red, the people's
//! milestones on the time axis and the trace beside it, synced both ways; the same run
//! under other strategies a click away (the counterfactual: the same random history).
//!
//! One self-contained HTML file: the data as JSON, the script and the style inline, no
//! network. The page's behaviour is in `explore.js`; what it is given is [`Scene`].

pub mod drill;
mod layout;

pub use layout::{Link, Node, Picture, place};

/// A compare report links to the pages of the baseline's worst and median runs, chosen
/// among at most this many of its first runs: a bound on the time and memory the choice
/// adds to a large study, and on the costs a shard file carries for it.
pub const WATCH_AMONG: u64 = 10_000;

use crate::trace::{Event, Trace};
use faultline_core::engine::Note;
use faultline_core::model::{Model, NONE};
use faultline_core::propagation::{Class, SvcState};
use faultline_units::{human, stamp};
use serde::Serialize;

/// One strategy's run, as the page shows it.
#[derive(Serialize)]
pub struct Scene {
    /// The strategy ("baseline" for the scenario as written).
    pub strategy: String,
    /// What the strategy does, in the scenario's words.
    pub about: String,
    /// The picture of its model.
    pub picture: Picture,
    /// The trace, line by line.
    pub log: Vec<LogLine>,
    /// State changes, in time order: what colours the components.
    pub changes: Vec<Change>,
    /// Per queue component: its samples (time, jobs waiting, latency in seconds).
    pub queues: Vec<QueueSeries>,
    /// Per service: what the run cost its users.
    pub services: Vec<ServiceLine>,
}

/// One line of the trace.
#[derive(Serialize)]
pub struct LogLine {
    /// Simulated seconds.
    pub t: f64,
    /// `day 3 04:12:07`.
    pub time: String,
    /// FAULT, ERROR, MASKED, FAILURE, PAGED, ...
    pub tag: &'static str,
    /// The sentence.
    pub text: String,
    /// The component it is about, if any.
    pub c: Option<u32>,
}

/// A component's state, from a moment on. `s` is a class (`healthy`, `degraded`,
/// `corrupt`, `down`), a service's `failed`, or a mark set or cleared (`latent`,
/// `-latent`, `mitigated`, `-mitigated`).
#[derive(Serialize)]
pub struct Change {
    /// Simulated seconds.
    pub t: f64,
    /// The component.
    pub c: u32,
    /// The state.
    pub s: &'static str,
    /// The component the impairment came through (for an error travelling an edge).
    pub via: Option<u32>,
    /// The line of the trace that tells it.
    pub line: usize,
}

/// A queue's backlog and latency over the run.
#[derive(Serialize)]
pub struct QueueSeries {
    /// The queue's component.
    pub c: u32,
    /// (time, jobs waiting, mean latency in seconds; NaN written as null).
    pub pts: Vec<(f64, u64, Option<f64>)>,
}

/// What one service's users saw in the run.
#[derive(Serialize)]
pub struct ServiceLine {
    /// The service's component.
    pub c: u32,
    /// The service's id.
    pub id: String,
    /// "down 2d 3h in 1 failure, 45,000 user-hours".
    pub text: String,
}

/// The page's header.
pub struct Meta<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Study seed.
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// How the run was chosen ("run 3", "the worst of 10,000 runs by cost", ...).
    pub chosen: String,
    /// Simulated time of a run, seconds.
    pub horizon: f64,
    /// The command that writes this page again.
    pub command: String,
}

/// The scene of trace `t` of model `m`.
pub fn scene(m: &Model, t: &Trace) -> Scene {
    let mut log = Vec::with_capacity(t.entries.len());
    let mut changes = vec![];
    for (k, e) in t.entries.iter().enumerate() {
        let line = e.line(m);
        log.push(LogLine {
            t: line.t,
            time: stamp(line.t),
            tag: line.tag,
            text: line.text,
            c: e.component(m),
        });
        if let Event::Note(n) = e.event() {
            changes.extend(change_of(m, n).map(|(c, s, via)| Change {
                t: e.t(),
                c,
                s,
                via,
                line: k,
            }));
        }
    }
    let queues = (m.queues.iter().enumerate())
        .map(|(q, spec)| QueueSeries {
            c: spec.comp,
            pts: (t.queue_samples.iter())
                .filter(|p| p.queue as usize == q)
                .map(|p| (p.t, p.waiting, Some(p.latency).filter(|l| l.is_finite())))
                .collect(),
        })
        .collect();
    let services = (m.services.iter().zip(&t.services))
        .map(|(&c, &(down, failures, user_minutes))| ServiceLine {
            c,
            id: m.comps[c as usize].id.clone(),
            text: format!(
                "down {} in {failures} failure{}, {} user-hours",
                human(down),
                if failures == 1 { "" } else { "s" },
                faultline_units::number::thousands(user_minutes / 60.0)
            ),
        })
        .collect();
    Scene {
        strategy: m.strategy.clone(),
        about: m.strategy_about.clone(),
        picture: place(m),
        log,
        changes,
        queues,
        services,
    }
}

impl Scene {
    /// Every component's class (or a service's state) at `t` and the component its
    /// impairment came through, replaying [`Scene::changes`] (marks such as `latent` and
    /// `mitigated` are left out): what the page shows before its overlays.
    pub fn states_at(&self, t: f64) -> Vec<(&'static str, Option<u32>)> {
        let mut st = vec![("healthy", None); self.picture.nodes.len()];
        for c in self.changes.iter().take_while(|c| c.t <= t) {
            if !c.s.contains("latent") && !c.s.contains("mitigated") {
                st[c.c as usize] = (c.s, c.via);
            }
        }
        st
    }
}

/// The state change a note makes, if any: (component, state, via).
fn change_of(m: &Model, n: Note) -> Option<(u32, &'static str, Option<u32>)> {
    let slot_comp = |s: u32| m.slots[s as usize].comp;
    let via = |v: u32| (v != NONE).then_some(v);
    Some(match n {
        Note::Change {
            comp, to, via: v, ..
        } => (comp, class(to), via(v)),
        Note::Service { comp, to, .. } => (comp, service(to), None),
        Note::Latent { slot } => (slot_comp(slot), "latent", None),
        Note::Revealed { slot, .. } => (slot_comp(slot), "-latent", None),
        Note::Mitigated { comp, .. } => (comp, "mitigated", None),
        Note::Withdrawn { comp, .. } | Note::SpareFailed { comp } => (comp, "-mitigated", None),
        _ => return None,
    })
}

fn class(c: Class) -> &'static str {
    match c {
        Class::Healthy => "healthy",
        Class::Degraded => "degraded",
        Class::Corrupt => "corrupt",
        Class::Down => "down",
    }
}

fn service(s: SvcState) -> &'static str {
    match s {
        SvcState::Up => "healthy",
        SvcState::Degraded => "degraded",
        SvcState::Failed => "failed",
    }
}

/// The page: `scenes` (the first shown first) under `meta`'s header.
pub fn page(meta: &Meta, scenes: &[Scene]) -> String {
    #[derive(Serialize)]
    struct Data<'a> {
        scenario: &'a str,
        seed: u64,
        run: u64,
        chosen: &'a str,
        horizon: f64,
        command: &'a str,
        scenes: &'a [Scene],
    }
    let data = Data {
        scenario: meta.scenario,
        seed: meta.seed,
        run: meta.run,
        chosen: &meta.chosen,
        horizon: meta.horizon,
        command: &meta.command,
        scenes,
    };
    let json = serde_json::to_string(&data).expect("scene data serialises");
    // Inside a <script> element only "</" could end it early.
    let json = json.replace("</", "<\\/");
    TEMPLATE
        .replace(
            "{{title}}",
            &crate::html::escape(&format!("{} · run {}", meta.scenario, meta.run)),
        )
        .replace("{{style}}", STYLE)
        .replace("{{common}}", COMMON)
        .replace("{{script}}", SCRIPT)
        .replace("{{data}}", &json)
}

const TEMPLATE: &str = include_str!("page.html");
pub(crate) const STYLE: &str = include_str!("explore.css");
const SCRIPT: &str = include_str!("explore.js");
/// What the explorer's and the drill's scripts share.
pub(crate) const COMMON: &str = include_str!("common.js");
