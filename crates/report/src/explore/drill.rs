//! `drill`: an on-call drill on one run, as a page. The run plays until the first page;
//! the student acknowledges, looks at components (each look costs simulated minutes),
//! says when they know what is broken, picks a mitigation among the scenario's
//! strategies or none, and gets the postmortem of their own run against the best strategy
//! on the same random history.
//!
//! The engine does not run in the page: every outcome the student can reach (how many
//! looks, which mitigation) is simulated beforehand ([`Outcome`], a small table), and the
//! page looks the student's choices up. `drill.js` has the behaviour.

use super::{Picture, Scene};
use serde::Serialize;

/// Simulated minutes an acknowledgement takes in the drill.
pub const ACK_MINUTES: f64 = 2.0;
/// Simulated minutes one look at a component takes.
pub const LOOK_MINUTES: f64 = 10.0;

/// What a run cost under one set of choices.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Seconds with some service failed in the run.
    pub downtime: f64,
    /// The run's cost.
    pub cost: f64,
    /// When the failure under way at the first page ended (seconds; null if it did not
    /// end within the run).
    pub restored: Option<f64>,
    /// When the first mitigation was in place after the page, if any.
    pub mitigated: Option<f64>,
}

/// What a hand-off after some looks gives (the next responder is the scenario's).
#[derive(Clone, Debug, Serialize)]
pub struct HandedOff {
    /// With notes naming the fault, indexed by looks minus one: the next responder knows it
    /// after the hand-off time.
    pub notes_found: Vec<Outcome>,
    /// With notes that do not name it, indexed by looks (from none): they finish the
    /// scenario's diagnosis, less the time the student spent.
    pub notes: Vec<Outcome>,
    /// Without notes, indexed by looks: they diagnose from scratch.
    pub bare: Vec<Outcome>,
}

/// A strategy the student can choose, and what it gives.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    /// The strategy's name ("baseline": no mitigation, wait for the repair).
    pub strategy: String,
    /// What it does.
    pub about: String,
    /// Indexed by the number of looks minus one: the run with the student's
    /// acknowledgement and that long a diagnosis, under this strategy.
    pub by_looks: Vec<Outcome>,
    /// The runs in which the student hands off after looking.
    pub handed_off: HandedOff,
    /// The run under this strategy with the scenario's own response timings.
    pub as_modelled: Outcome,
}

/// Everything the drill page needs.
#[derive(Serialize)]
pub struct Drill {
    /// Scenario name.
    pub scenario: String,
    /// Study seed.
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// The command that writes this page again.
    pub command: String,
    /// Simulated time of a run, seconds.
    pub horizon: f64,
    /// When the first page came.
    pub paged_at: f64,
    /// The page's words.
    pub paged: String,
    /// The baseline's run, for the states a look reveals and the trace up to the page.
    pub scene: Scene,
    /// Components with a fault of their own active at the page (what to find).
    pub roots: Vec<u32>,
    /// The baseline (no mitigation) first, then each strategy.
    pub choices: Vec<Choice>,
    /// Minutes: an acknowledgement, a look.
    pub ack_minutes: f64,
    /// See `ack_minutes`.
    pub look_minutes: f64,
}

impl Drill {
    /// The picture of the model, for the page.
    pub fn picture(&self) -> &Picture {
        &self.scene.picture
    }
}

/// The drill's page.
pub fn page(d: &Drill) -> String {
    let json = serde_json::to_string(d).expect("drill data serialises");
    let json = json.replace("</", "<\\/");
    TEMPLATE
        .replace(
            "{{title}}",
            &crate::html::escape(&format!("On call: {} · run {}", d.scenario, d.run)),
        )
        .replace("{{style}}", super::STYLE)
        .replace("{{drillstyle}}", STYLE)
        .replace("{{common}}", super::COMMON)
        .replace("{{script}}", SCRIPT)
        .replace("{{data}}", &json)
}

const TEMPLATE: &str = include_str!("drill.html");
const STYLE: &str = include_str!("drill.css");
const SCRIPT: &str = include_str!("drill.js");
