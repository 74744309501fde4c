//! One run as a picture (`timeline.svg`): a lane per component coloured by state, and its
//! longest outage step by step.

use super::style::{FONT, GRID, Ticked, TimeAxis, bold, duration_ticks, label, text, title_font};
use super::{Chart, ChartError, Drawn, Figure, render};
use crate::timeline::{Episode, Milestone, State, Timeline};
use faultline_core::model::{Model, NONE};
use faultline_units::human;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

/// The fill of a state on a lane.
pub fn state_color(s: State) -> RGBColor {
    match s {
        State::Healthy => RGBColor(178, 223, 160),
        State::Degraded => RGBColor(246, 196, 84),
        State::Corrupt => RGBColor(170, 110, 200),
        State::Down => RGBColor(214, 55, 45),
        State::Mitigated => RGBColor(70, 140, 220),
        State::Latent => RGBColor(186, 186, 120),
    }
}

/// The colour of a milestone's glyph, from fault red to repair green.
fn milestone_color(m: Milestone) -> RGBColor {
    match m {
        Milestone::Fault => RGBColor(140, 0, 0),
        Milestone::Failure => RGBColor(214, 55, 45),
        Milestone::Detected => RGBColor(230, 140, 0),
        Milestone::Acknowledged => RGBColor(0, 114, 178),
        Milestone::Handoff => RGBColor(120, 120, 120),
        Milestone::Diagnosed => RGBColor(150, 60, 170),
        Milestone::Mitigated => RGBColor(40, 100, 210),
        Milestone::Restored => RGBColor(0, 150, 90),
        Milestone::Repaired => RGBColor(0, 110, 60),
    }
}

/// A marker glyph for a milestone, centred on `at` (pixels).
fn glyph<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: Milestone,
    at: (i32, i32),
    r: i32,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let c = milestone_color(m);
    let (x, y) = at;
    let outline = WHITE.stroke_width(1);
    match m {
        Milestone::Fault | Milestone::Failure => {
            let tri = vec![(x - r, y - r), (x + r, y - r), (x, y + r)];
            root.draw(&Polygon::new(tri.clone(), c.filled()))?;
            root.draw(&PathElement::new(
                vec![tri[0], tri[1], tri[2], tri[0]],
                outline,
            ))?;
        }
        Milestone::Repaired | Milestone::Restored => {
            let tri = vec![(x - r, y + r), (x + r, y + r), (x, y - r)];
            root.draw(&Polygon::new(tri.clone(), c.filled()))?;
            root.draw(&PathElement::new(
                vec![tri[0], tri[1], tri[2], tri[0]],
                outline,
            ))?;
        }
        Milestone::Diagnosed | Milestone::Mitigated => {
            let d = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
            root.draw(&Polygon::new(d.clone(), c.filled()))?;
            root.draw(&PathElement::new(
                vec![d[0], d[1], d[2], d[3], d[0]],
                outline,
            ))?;
        }
        Milestone::Handoff => {
            root.draw(&Circle::new((x, y), r, c.stroke_width(2)))?;
        }
        Milestone::Detected | Milestone::Acknowledged => {
            root.draw(&Circle::new((x, y), r, c.filled()))?;
            root.draw(&Circle::new((x, y), r, outline))?;
        }
    }
    Ok(())
}

/// The timeline chart: the lanes shown (component indices) and the outage told step by
/// step.
struct Gantt<'a> {
    title: String,
    m: &'a Model,
    tl: &'a Timeline,
    lanes: Vec<usize>,
    episode: Option<Episode>,
}

/// One run as a picture: a lane per component coloured by state over the whole run, with
/// faults and repairs marked, and below it the run's longest outage step by step (fault,
/// failure, detection, acknowledgement, diagnosis, mitigation, restoration, repair) on a
/// log axis of time since its root fault, so minutes and weeks both show.
pub fn timeline(m: &Model, tl: &Timeline, run: u64, seed: u64) -> Result<Chart, ChartError> {
    let under = if m.strategy == "baseline" {
        String::new()
    } else {
        format!(" under {}", m.strategy)
    };
    let title = format!("{}: run {run} (seed {seed}){under}", m.name);
    // Lanes: services first (what users see), then every component that was not healthy
    // all along; a run with nothing happening still shows its services.
    let mut lanes: Vec<usize> = m.services.iter().map(|&c| c as usize).collect();
    let eventful = tl.eventful();
    let max_lanes = 24;
    for i in eventful {
        if !lanes.contains(&i) && lanes.len() < max_lanes {
            lanes.push(i);
        }
    }
    let episode = tl.episodes().into_iter().max_by(|a, b| {
        a.outage()
            .total_cmp(&b.outage())
            .then(b.failed.total_cmp(&a.failed))
    });
    let caption = "Top: each component's state over the run (faults ▼, repairs ▲, mitigations ◆); a service's lane shows whether its SLO holds (down: failed; degraded: impaired but within its SLO). Bottom: the longest outage step by step, on a log axis of time since its root fault.";
    render(
        "timeline",
        &title,
        caption,
        &Gantt {
            title: title.clone(),
            m,
            tl,
            lanes,
            episode,
        },
    )
}

/// The order lane segments are painted in: what users notice most goes on top.
const DRAW_ORDER: [State; 6] = [
    State::Healthy,
    State::Latent,
    State::Mitigated,
    State::Degraded,
    State::Corrupt,
    State::Down,
];

/// Height of one component's lane, pixels.
const LANE: u32 = 30;
/// Height of the step-by-step panel under the lanes, pixels.
const STEPS_HEIGHT: u32 = 250;

impl Figure for Gantt<'_> {
    fn size(&self) -> (u32, u32) {
        let lanes = 150 + LANE * self.lanes.len() as u32;
        let steps = if self.episode.is_some() {
            STEPS_HEIGHT
        } else {
            0
        };
        (1200, lanes + steps + 50)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (w, h) = self.size();
        let steps_h = if self.episode.is_some() {
            STEPS_HEIGHT as i32
        } else {
            0
        };
        let (top, rest) = root.split_vertically(h as i32 - steps_h - 50);
        let (bottom, legend) = rest.split_vertically(steps_h);
        self.draw_lanes(&top)?;
        if let Some(ep) = &self.episode {
            self.draw_steps(&bottom, ep)?;
        }
        let latent =
            (self.lanes.iter()).any(|&i| self.tl.lanes[i].iter().any(|s| s.state == State::Latent));
        draw_legend(&legend, w, latent)?;
        Ok(())
    }
}

/// The lanes' coordinates: time across (in the axis' units), one unit of height per lane.
type Lanes<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, RangedCoordf64>>;

impl Gantt<'_> {
    /// The top panel: a lane per component coloured by state, its name, and the faults,
    /// repairs and mitigations that concern it.
    fn draw_lanes<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let end = self.tl.end.max(1.0);
        let axis = TimeAxis::new(end);
        let unit = axis.unit;
        let mut chart = self.lanes_axes(area, end, &axis)?;
        self.draw_lane_rows(&mut chart, area, end, unit)?;
        self.draw_lane_markers(&chart, area, unit)
    }

    /// Lane `i`'s name as drawn left of it, and its style: services in bold, marked.
    fn lane_name(&self, i: usize) -> (String, TextStyle<'static>) {
        let c = &self.m.comps[i];
        if c.service.is_some() {
            (format!("{} (service)", c.id), bold(14))
        } else {
            (c.id.clone(), text(14))
        }
    }

    /// The title, the time axis in the unit the run's length calls for, and room for the
    /// lanes' names (measured in the font they are drawn in, so that none is cut off).
    fn lanes_axes<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        end: f64,
        axis: &TimeAxis,
    ) -> Result<Lanes<'a, DB>, Box<dyn Error>>
    where
        DB::ErrorType: 'static,
    {
        let n = self.lanes.len();
        let mut widest = 60;
        for &i in &self.lanes {
            let (name, style) = self.lane_name(i);
            widest = widest.max(area.estimate_text_size(&name, &style)?.0);
        }
        // The name ends 8 pixels left of the axis; the chart's margin is left of it.
        let name_width = widest + 16;
        let day_note = if axis.unit == 86_400.0 {
            "; the trace's day N starts at N"
        } else {
            ""
        };
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(30)
            .x_label_area_size(48)
            .y_label_area_size(name_width)
            .build_cartesian_2d(axis.range(end / axis.unit), 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(format!(
                "simulated time ({} since the start of the run{day_note})",
                axis.name
            ))
            .x_label_formatter(&|x| TimeAxis::label(*x))
            .label_style(text(14))
            .axis_desc_style(text(15))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        Ok(chart)
    }

    /// Each lane's state segments, then its name (services in bold).
    fn draw_lane_rows<DB: DrawingBackend>(
        &self,
        chart: &mut Lanes<'_, DB>,
        area: &DrawingArea<DB, Shift>,
        end: f64,
        unit: f64,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let n = self.lanes.len();
        let px_per_unit = {
            let a = chart.backend_coord(&(0.0, 0.0));
            let b = chart.backend_coord(&(end / unit, 0.0));
            (b.0 - a.0).max(1) as f64 / (end / unit)
        };
        // Keep short outages visible: at least 2 pixels wide.
        let min_w = 2.0 / px_per_unit;
        for (row, &i) in self.lanes.iter().enumerate() {
            let y = (n - 1 - row) as f64;
            // The worst states last, so that a failure of minutes in a year-long run is
            // not painted over by the healthy time around it.
            for pass in DRAW_ORDER {
                for seg in self.tl.lanes[i].iter().filter(|s| s.state == pass) {
                    let (a, mut b) = (seg.from / unit, seg.to / unit);
                    if seg.state != State::Healthy && b - a < min_w {
                        b = a + min_w;
                    }
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, y + 0.15), (b, y + 0.85)],
                        state_color(seg.state).filled(),
                    )))?;
                }
            }
            let py = chart.backend_coord(&(0.0, y + 0.5));
            let (name, style) = self.lane_name(i);
            label(area, &name, (py.0 - 8, py.1), &style, HPos::Right)?;
        }
        Ok(())
    }

    /// Faults, repairs and mitigations on the lanes they concern (other milestones are
    /// told in the panel below).
    fn draw_lane_markers<DB: DrawingBackend>(
        &self,
        chart: &Lanes<'_, DB>,
        area: &DrawingArea<DB, Shift>,
        unit: f64,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let n = self.lanes.len();
        for mk in &self.tl.markers {
            let shown = matches!(
                mk.what,
                Milestone::Fault | Milestone::Repaired | Milestone::Mitigated
            );
            if !shown || mk.comp == NONE {
                continue;
            }
            let Some(row) = self.lanes.iter().position(|&i| i == mk.comp as usize) else {
                continue;
            };
            let y = (n - 1 - row) as f64;
            let at = chart.backend_coord(&(mk.t / unit, y + 0.5));
            glyph(area, mk.what, at, 6)?;
        }
        Ok(())
    }

    /// The bottom panel: the longest outage step by step on a log axis of time since its
    /// root fault, the outage itself as a band, each step a glyph with its words.
    fn draw_steps<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, ep: &Episode) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let m = self.m;
        let steps = ep.steps(m);
        let (lo, hi) = step_range(ep, &steps);
        let caption = format!(
            "Longest outage, step by step: {} on {}, {} down for {}",
            ep.root_name(m),
            ep.root_comp(m),
            m.comps[ep.service as usize].id,
            ep.restored
                .map_or("the rest of the run".to_string(), |r| human(r - ep.failed))
        );
        let mut chart = ChartBuilder::on(area)
            .caption(caption, bold(17))
            .margin(18)
            .margin_right(30)
            .x_label_area_size(48)
            .y_label_area_size(40)
            .build_cartesian_2d(
                (lo..hi).log_scale().with_key_points(duration_ticks(lo, hi)),
                0.0..4.0,
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("time since the root fault (log scale)")
            .x_label_formatter(&|x| human(*x))
            .label_style(text(14))
            .axis_desc_style(text(15))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        // The outage itself as a red band from failure to restoration.
        let fail_at = (ep.failed - ep.fault).max(lo);
        let back_at = ep.restored.map_or(hi, |r| (r - ep.fault).max(fail_at));
        chart.draw_series(std::iter::once(Rectangle::new(
            [(fail_at, 1.7), (back_at, 2.3)],
            state_color(State::Down).mix(0.35).filled(),
        )))?;
        // Chart coordinates are the backend's; this area's pixels start at its corner.
        let (bx, by) = area.get_base_pixel();
        let mut labels = StepLabels {
            last_px: [i32::MIN; 4],
        };
        for (k, (what, t, detail)) in steps.iter().enumerate() {
            let d = (t - ep.fault).max(lo);
            let abs = chart.backend_coord(&(d, 2.0));
            let at = (abs.0 - bx, abs.1 - by);
            glyph(area, *what, at, 8)?;
            let (words, when) = step_words(*what, *t, detail, ep.fault);
            labels.draw(area, k, *what, (words, when), at)?;
        }
        Ok(())
    }
}

/// The time axis of the step-by-step panel, seconds since the root fault: from a third
/// of the first step (at most 20 s, at least 1/3 s) to 2.5 times the last (at least a
/// minute), so that every step has room on the log scale.
fn step_range(ep: &Episode, steps: &[(Milestone, f64, String)]) -> (f64, f64) {
    let last = steps.iter().map(|s| s.1 - ep.fault).fold(60.0f64, f64::max);
    let lo = steps
        .iter()
        .map(|s| s.1 - ep.fault)
        .filter(|&d| d > 0.0)
        .fold(last, f64::min)
        .clamp(1.0, 60.0)
        / 3.0;
    (lo, last * 2.5)
}

/// A step's two lines: what happened (with its detail), and when after the root fault.
fn step_words(what: Milestone, t: f64, detail: &str, fault: f64) -> (String, String) {
    let mut words = what.name().to_string();
    if !detail.is_empty() {
        words = format!("{words} ({detail})");
    }
    let when = if t > fault {
        format!("+{}", human(t - fault))
    } else {
        "t = 0".to_string()
    };
    (words, when)
}

/// Places the steps' labels: they alternate above and below the axis line, and step
/// further out when neighbours would overlap.
struct StepLabels {
    /// Per label row (two above the line, two below), where the last label there ends,
    /// pixels.
    last_px: [i32; 4],
}

impl StepLabels {
    /// Draws step `k`'s label (`words` over `when`) for its glyph at `at`, with a leader
    /// line from the glyph.
    fn draw<DB: DrawingBackend>(
        &mut self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
        what: Milestone,
        (words, when): (String, String),
        at: (i32, i32),
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let up = k.is_multiple_of(2);
        let width = 7 * words.chars().count().max(when.len()) as i32;
        let lanes: [usize; 2] = if up { [0, 1] } else { [2, 3] };
        let slot = lanes
            .iter()
            .copied()
            .find(|&l| at.0 - width / 2 > self.last_px[l] + 6)
            .unwrap_or(lanes[1]);
        self.last_px[slot] = at.0 + width / 2;
        let dy = match slot {
            0 => -40,
            1 => -78,
            2 => 40,
            _ => 78,
        };
        area.draw(&PathElement::new(
            vec![at, (at.0, at.1 + dy - dy.signum() * 18)],
            milestone_color(what).mix(0.6).stroke_width(1),
        ))?;
        let style = text(13).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(words, (at.0, at.1 + dy - 8), style.clone()))?;
        let style = (FONT, 13, FontStyle::Bold)
            .into_font()
            .color(&milestone_color(what))
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(when, (at.0, at.1 + dy + 8), style))?;
        Ok(())
    }
}

/// The legend under the chart: every lane state (latent only when a lane shows it), then
/// every milestone glyph that fits.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, w: u32, latent: bool) -> Drawn
where
    DB::ErrorType: 'static,
{
    let mut x = 30;
    let y = 18;
    for s in State::ALL
        .into_iter()
        .chain(latent.then_some(State::Latent))
    {
        area.draw(&Rectangle::new(
            [(x, y - 7), (x + 22, y + 7)],
            state_color(s).filled(),
        ))?;
        label(area, s.name(), (x + 28, y), &text(13), HPos::Left)?;
        x += 40 + 8 * s.name().len() as i32;
    }
    // The whole note when it fits (it always does without the latent entry), else its
    // first half.
    let mut note = "(service lanes: down = SLO failed; degraded = within SLO)";
    if x + area.estimate_text_size(note, &text(13))?.0 as i32 > w as i32 - 10 {
        note = "(service lanes: down = SLO failed)";
    }
    label(area, note, (x, y), &text(13), HPos::Left)?;
    let mut x = 30;
    let y = 40;
    for m in Milestone::ALL {
        glyph(area, m, (x + 7, y), 6)?;
        label(area, m.name(), (x + 18, y), &text(13), HPos::Left)?;
        x += 34 + 8 * m.name().len() as i32;
        if x > w as i32 - 60 {
            break;
        }
    }
    Ok(())
}
