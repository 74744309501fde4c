//! `drill`: an on-call drill on one run, as a page (`faultline_report::explore::drill`).
//! Every outcome the student can reach is simulated here: for each strategy (no
//! mitigation first), each number of looks and each way of ending (diagnosed, handed off
//! with notes that name the fault or do not, handed off without notes), the run with the
//! student on call from the page on ([`Student`]).

use super::command_line;
use crate::cli::args::{Common, Files};
use crate::cli::error::CliError;
use crate::cli::load::load_all;
use faultline_core::engine::{Note, Sim};
use faultline_core::model::{Model, Student, StudentHandoff};
use faultline_core::montecarlo::Summary;
use faultline_report::explore::drill::{
    self, ACK_MINUTES, Choice, Drill, HandedOff, LOOK_MINUTES, Outcome,
};
use faultline_report::explore::{self, Scene};
use faultline_report::output;
use faultline_report::trace::{self, Recorder};
use std::io::Write;

/// Most looks the drill simulates (more looks count as this many).
const MAX_LOOKS: usize = 12;

/// Writes the drill page for run `run` and prints its path on stdout.
pub(crate) fn drill(
    out: &mut impl Write,
    common: &Common,
    files: &Files,
    run: u64,
) -> Result<(), CliError> {
    let models = load_all(&common.scenario, Some(common))?.models;
    let base = &models[0];
    let name = common.scenario.display();
    if base.response.is_none() {
        return Err(CliError::Usage(format!(
            "{name}: it has no on-call response (`response:`), so nobody is paged: there is \
             no drill to play"
        )));
    }
    let seed = common.seed.unwrap_or(base.seed);
    let scene = explore::scene(base, &trace::record(base, seed, run));
    let pages = || scene.log.iter().filter(|l| l.tag == "PAGED");
    let first = pages().find(|l| users_see_failure(base, &scene, l.t));
    let Some(page) = first.or_else(|| pages().next()) else {
        return Err(CliError::Usage(format!(
            "{name}: nobody is paged in run {run}; try another run (`explore --worst` finds \
             an eventful one)"
        )));
    };
    // The page as the pager says it, without when the scenario's responder acknowledges.
    let paged = page
        .text
        .split(", acknowledges")
        .next()
        .unwrap_or(&page.text);
    let (paged_at, paged) = (page.t, paged.to_string());
    // The student is on call after the page before this one (the scenario's people had
    // that one): a strategy that pages sooner for this failure pages the student.
    let after = (pages().map(|l| l.t))
        .rfind(|&t| t < paged_at)
        .unwrap_or(f64::NEG_INFINITY);
    let roots = roots_at(base, &scene, paged_at);
    let looks = (base.comps.iter().filter(|c| c.service.is_none()).count()).clamp(1, MAX_LOOKS);
    let choices = (models.iter())
        .map(|m| {
            let ending = |handoff, from: usize| {
                (from..=looks)
                    .map(|l| {
                        let student = as_student(m, after, l, handoff);
                        outcome(&student, seed, run, paged_at)
                    })
                    .collect()
            };
            let off = |notes, found| Some(StudentHandoff { notes, found });
            Choice {
                strategy: m.strategy.clone(),
                about: m.strategy_about.clone(),
                by_looks: ending(None, 1),
                handed_off: HandedOff {
                    notes_found: ending(off(true, true), 1),
                    notes: ending(off(true, false), 0),
                    bare: ending(off(false, false), 0),
                },
                as_modelled: outcome(m, seed, run, paged_at),
            }
        })
        .collect();
    let d = Drill {
        scenario: base.name.clone(),
        seed,
        run,
        command: command_line(&[("--seed", seed.to_string())]),
        horizon: base.horizon,
        paged_at,
        paged,
        scene,
        roots,
        choices,
        ack_minutes: ACK_MINUTES,
        look_minutes: LOOK_MINUTES,
    };
    let dir = files.dir(&common.scenario, "drill");
    output::prepare_dir(&dir)?;
    let path = output::save(
        &dir.join(format!("run{run}.html")),
        drill::page(&d).as_bytes(),
    )?;
    writeln!(out, "{}", path.display())?;
    Ok(())
}

/// Whether some service is failed at `t`: the drill starts at the first page users
/// already feel (a minor page before it would make a dull drill).
fn users_see_failure(m: &Model, scene: &Scene, t: f64) -> bool {
    let st = scene.states_at(t);
    (m.services.iter()).any(|&c| st[c as usize].0 == "failed")
}

/// Components with a fault of their own showing at `t` (impaired, not through another
/// component): what the student has to find.
fn roots_at(m: &Model, scene: &Scene, t: f64) -> Vec<u32> {
    let own = |k: usize, (s, via): (&str, Option<u32>)| {
        s != "healthy" && via.is_none() && m.comps[k].service.is_none()
    };
    (scene.states_at(t).into_iter().enumerate())
        .filter(|&(k, st)| own(k, st))
        .map(|(k, _)| k as u32)
        .collect()
}

/// `m` with the student on call for pages after `after`: acknowledging in
/// [`ACK_MINUTES`], then `looks` looks of [`LOOK_MINUTES`] each, and then knowing what is
/// broken or handing off as `handoff` says.
fn as_student(m: &Model, after: f64, looks: usize, handoff: Option<StudentHandoff>) -> Model {
    let mut m = m.clone();
    if let Some(r) = &mut m.response {
        r.student = Some(Student {
            after,
            acknowledge: ACK_MINUTES * 60.0,
            looking: looks as f64 * LOOK_MINUTES * 60.0,
            handoff,
        });
    }
    m
}

/// What run `run` of `m` gives: its downtime and cost, when the failure under way at
/// `paged_at` ended, and when the first mitigation after it was in place.
fn outcome(m: &Model, seed: u64, run: u64, paged_at: f64) -> Outcome {
    let mut sim = Sim::new(m);
    let mut rec = Recorder::new(m);
    sim.run(seed, run, &mut rec);
    let row = Summary::new(m).record(&sim);
    let restored = (rec.failures.iter())
        .find(|f| f.restored > paged_at)
        .map(|f| f.restored)
        .filter(|t| t.is_finite());
    let mitigated = (rec.entries.iter())
        .filter(|e| e.t() >= paged_at)
        .find(|e| matches!(e.note(), Some(Note::Mitigated { .. })))
        .map(|e| e.t());
    Outcome {
        downtime: row.downtime_s,
        cost: row.cost,
        restored,
        mitigated,
    }
}
