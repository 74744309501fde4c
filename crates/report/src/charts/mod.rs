//! Charts: the pictures people look at instead of reading tables.
//!
//! Each chart is drawn once by code generic over plotters' [`DrawingBackend`] and rendered
//! twice: to SVG (crisp, inlined in the HTML report) and to PNG (for slides and chats). Text
//! is laid out and rasterised with DejaVu Sans, which is compiled into the binary and
//! registered with plotters' `ab_glyph` font table, so charts look the same on a machine
//! with no fonts installed and nothing depends on fontconfig (PNG text is drawn by
//! [`raster`], which places glyphs where the font says).
//!
//! - [`downtime_cdf`]: the distribution of downtime per run, one curve per strategy.
//! - [`cost_bars`]: expected cost per strategy with 95% confidence whiskers.
//! - [`timeline`]: one run as a Gantt chart of component states, and its longest outage
//!   step by step.
//! - [`sweep`]: a metric against a swept parameter, with 95% confidence bands.
//! - [`queue_charts`]: queue length across runs (p50–p90 band per strategy) and one run's
//!   waiting line, parked jobs and latency.

use crate::json::StrategyJson;
use crate::output;
use crate::sweep::{Sweep, SweepValue};
use crate::timeline::{Episode, Milestone, State, Timeline};
use crate::trace::QueuePoint;
use faultline_core::model::{Model, NONE};
use faultline_core::queue::grid_time;
use faultline_core::stats::{Coarse, Histogram};
use faultline_units::human;
use faultline_units::number::{money_axis, money_short, thousands};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Once;

mod raster;

/// What drawing returns: plotters' errors, boxed.
type Drawn = Result<(), Box<dyn Error>>;

/// One chart, rendered to both formats.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File stem: the chart is written as `<name>.svg` and `<name>.png`.
    pub name: String,
    /// Title.
    pub title: String,
    /// How to read it, in a sentence (the HTML report's caption).
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
    /// Pixel size (width, height) of both.
    pub size: (u32, u32),
}

impl Chart {
    /// Writes `<name>.svg` and `<name>.png` into `dir` (atomically) and returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, output::OutputError> {
        Ok(vec![
            output::save(&dir.join(format!("{}.svg", self.name)), self.svg.as_bytes())?,
            output::save(&dir.join(format!("{}.png", self.name)), &self.png)?,
        ])
    }

    /// The SVG without its XML prologue, for inlining in HTML.
    pub fn inline_svg(&self) -> &str {
        match self.svg.find("<svg") {
            Some(k) => &self.svg[k..],
            None => &self.svg,
        }
    }
}

/// A failure to draw a chart.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the {chart} chart: {message}")]
pub struct ChartError {
    chart: String,
    message: String,
}

/// Something that can be drawn on any backend.
trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static;
}

const FONT: &str = "sans-serif";

/// Registers the bundled font once per process, under the name plotters' styles use.
pub(crate) fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are compiled in and known good; a failure here is a build defect.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, raster::REGULAR);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, raster::BOLD);
    });
}

fn render(name: &str, title: &str, caption: &str, fig: &impl Figure) -> Result<Chart, ChartError> {
    register_fonts();
    let fail = |e: Box<dyn Error>| ChartError {
        chart: name.to_string(),
        message: e.to_string(),
    };
    let size = fig.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        fig.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.into()))?;
    }
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let backend = raster::Bitmap(BitMapBackend::with_buffer(&mut rgb, size));
        let root = backend.into_drawing_area();
        fig.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.into()))?;
    }
    let png = encode_png(&rgb, size).map_err(|e| fail(e.into()))?;
    Ok(Chart {
        name: name.to_string(),
        title: title.to_string(),
        caption: caption.to_string(),
        svg,
        png,
        size,
    })
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Shared look

/// Okabe–Ito: distinguishable with every common colour-vision deficiency.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 94, 60),
];
const BASELINE: RGBColor = RGBColor(90, 90, 90);
const INK: RGBColor = RGBColor(30, 30, 30);
const GRID: RGBColor = RGBColor(225, 225, 225);

/// The colour of strategy `k` (0 is the baseline).
fn strategy_color(k: usize) -> RGBColor {
    if k == 0 {
        BASELINE
    } else {
        PALETTE[(k - 1) % PALETTE.len()]
    }
}

// Styles are built with their weight from the start: plotters' `FontDesc::style` changes
// the style but keeps the glyphs it already loaded.
fn title_font() -> TextStyle<'static> {
    bold(22)
}

fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&INK)
}

/// Duration axis ticks people know: 1s, 1m, 10m, 1h, 6h, 1d, 1w, 30d, 1y ...
fn duration_ticks(lo: f64, hi: f64) -> Vec<f64> {
    const T: [f64; 19] = [
        1.0,
        10.0,
        60.0,
        600.0,
        3600.0,
        3.0 * 3600.0,
        6.0 * 3600.0,
        12.0 * 3600.0,
        86_400.0,
        2.0 * 86_400.0,
        4.0 * 86_400.0,
        7.0 * 86_400.0,
        14.0 * 86_400.0,
        30.0 * 86_400.0,
        60.0 * 86_400.0,
        91.0 * 86_400.0,
        182.0 * 86_400.0,
        365.0 * 86_400.0,
        3650.0 * 86_400.0,
    ];
    let inside: Vec<f64> = T.iter().copied().filter(|&t| t >= lo && t <= hi).collect();
    // Keep at most ~9 ticks so labels never collide.
    let step = inside.len().div_ceil(9).max(1);
    inside.into_iter().step_by(step).collect()
}

/// Draws `s` with its anchor at pixel `at` on `root`.
fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    style: &TextStyle,
    h: HPos,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let style = style.pos(Pos::new(h, VPos::Center));
    root.draw(&Text::new(s.to_string(), at, style))?;
    Ok(())
}

/// A label on a white box a few pixels larger than its text, so that grid and reference
/// lines drawn earlier pass behind it instead of through it. It starts at `right` when it
/// fits in the picture from there, and otherwise ends at `left` (over what lies between).
fn boxed_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    (right, left): (i32, i32),
    y: i32,
    style: &TextStyle,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.estimate_text_size(s, style)?;
    let (w, h) = (w as i32, h as i32);
    let pad = 3;
    let fits = right + w + pad <= root.dim_in_pixel().0 as i32 - pad;
    let x = if fits { right } else { (left - w).max(pad) };
    root.draw(&Rectangle::new(
        [(x - pad, y - h / 2 - pad), (x + w + pad, y + h / 2 + pad)],
        WHITE.filled(),
    ))?;
    label(root, s, (x, y), style, HPos::Left)
}

// ---------------------------------------------------------------------------------------
// (a) Downtime distribution

/// One curve of the downtime chart.
#[derive(Clone, Debug)]
pub struct Curve<'a> {
    /// Strategy name.
    pub name: &'a str,
    /// Seconds of downtime per run.
    pub hist: &'a Histogram,
}

struct Cdf<'a> {
    title: String,
    curves: Vec<Curve<'a>>,
}

/// The distribution of downtime per run (a CDF on a log time axis, where the tail shows),
/// one curve per strategy, from each strategy's downtime histogram.
pub fn downtime_cdf(scenario: &str, runs: u64, curves: Vec<Curve>) -> Result<Chart, ChartError> {
    let title = format!(
        "{scenario}: downtime per run ({} runs per strategy)",
        thousands(runs as f64)
    );
    let caption = "Each curve shows, for one strategy, the share of runs (up) whose downtime was at most the time across. Further left and higher is better; the log time axis shows the long tail.";
    render(
        "downtime",
        &title,
        caption,
        &Cdf {
            title: title.clone(),
            curves,
        },
    )
}

impl Figure for Cdf<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 560 + legend_height(self.curves.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (top, legend) = root.split_vertically(560);
        let mut lo = f64::INFINITY;
        let mut hi: f64 = 0.0;
        for c in &self.curves {
            for (a, b, _) in c.hist.buckets() {
                if b > 0.0 {
                    lo = lo.min(a.max(1e-3));
                    hi = hi.max(b);
                }
            }
        }
        if !lo.is_finite() {
            // No run had any downtime: an empty axis is still an honest picture.
            lo = 60.0;
            hi = 86_400.0;
        }
        let (lo, hi) = (lo / 1.6, hi * 1.6);
        let ticks = duration_ticks(lo, hi);
        let mut chart = ChartBuilder::on(&top)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(70)
            .build_cartesian_2d((lo..hi).log_scale().with_key_points(ticks), 0.0..1.03)?;
        chart
            .configure_mesh()
            .x_desc("downtime per run (log scale): time with at least one service failed")
            .y_desc("share of runs with at most this downtime")
            .x_label_formatter(&|x| human(*x))
            .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
            .y_labels(6)
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        for (k, c) in self.curves.iter().enumerate() {
            let n = c.hist.count().max(1) as f64;
            let mut cum = 0.0;
            let mut pts = vec![];
            for (a, b, count) in c.hist.buckets() {
                if b == 0.0 {
                    cum += count as f64;
                    continue;
                }
                pts.push((a.max(lo), cum / n));
                cum += count as f64;
                pts.push((b.min(hi), cum / n));
            }
            let first = pts.first().map_or(0.0, |p| p.1);
            pts.insert(0, (lo, first));
            pts.push((hi, 1.0));
            chart.draw_series(LineSeries::new(pts, line_style(k)))?;
        }
        let words: Vec<String> = self
            .curves
            .iter()
            .map(|c| {
                format!(
                    "{}: median {}, p90 {}",
                    c.name,
                    human(c.hist.quantile(0.5)),
                    human(c.hist.quantile(0.9))
                )
            })
            .collect();
        legend_below(&legend, &words)
    }
}

fn line_style(k: usize) -> ShapeStyle {
    strategy_color(k).stroke_width(if k == 0 { 2 } else { 3 })
}

/// Height of a two-column legend of `n` entries.
fn legend_height(n: usize) -> u32 {
    26 * n.div_ceil(2) as u32 + 20
}

/// A two-column legend of strategy lines under a chart, where it hides no data.
fn legend_below<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, words: &[String]) -> Drawn
where
    DB::ErrorType: 'static,
{
    for (k, w) in words.iter().enumerate() {
        let x = 40 + (k % 2) as i32 * 480;
        let y = 14 + (k / 2) as i32 * 26;
        area.draw(&PathElement::new(vec![(x, y), (x + 28, y)], line_style(k)))?;
        label(area, w, (x + 36, y), &text(14), HPos::Left)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (b) Expected cost per strategy

struct Bars<'a> {
    title: String,
    strategies: &'a [StrategyJson],
}

/// Expected cost per run per strategy as horizontal bars with 95% CI whiskers, cheapest
/// on top; the baseline's bar is grey and its cost a dashed line across the chart.
pub fn cost_bars(scenario: &str, strategies: &[StrategyJson]) -> Result<Chart, ChartError> {
    let title = format!("{scenario}: expected cost per run, by strategy (95% CI)");
    let caption = "Bars: mean cost per run, cheapest on top; whiskers: 95% confidence interval of the mean; dashed line: the baseline (the scenario as written). The savings are paired differences on the same runs.";
    render(
        "cost",
        &title,
        caption,
        &Bars {
            title: title.clone(),
            strategies,
        },
    )
}

impl Figure for Bars<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 160 + 62 * self.strategies.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let n = self.strategies.len();
        // Cheapest at the top: the top row has the highest y.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            self.strategies[b]
                .cost
                .mean
                .total_cmp(&self.strategies[a].cost.mean)
        });
        let hi = self
            .strategies
            .iter()
            .map(|s| s.cost.mean + s.cost.ci95.max(0.0))
            .filter(|x| x.is_finite())
            .fold(0.0f64, f64::max)
            .max(1.0)
            * 1.6;
        let name_width = self
            .strategies
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(8) as u32
            * 9
            + 40;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(40)
            .x_label_area_size(56)
            .y_label_area_size(name_width)
            .build_cartesian_2d(0.0..hi, 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(7)
            .x_desc("expected cost per run (USD); whiskers: 95% confidence interval")
            .x_label_formatter(&|x| money_axis(*x))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        let best = order.last().copied();
        let mean_of = |s: &StrategyJson| {
            if s.cost.mean.is_finite() {
                s.cost.mean
            } else {
                0.0
            }
        };
        let ci_of = |s: &StrategyJson| {
            if s.cost.ci95.is_finite() {
                s.cost.ci95
            } else {
                0.0
            }
        };
        // Bars and whiskers first, then the baseline line across them, then the labels on
        // top, so that no line crosses a label's text.
        for (row, &k) in order.iter().enumerate() {
            let s = &self.strategies[k];
            let y = row as f64;
            let color = if k == 0 {
                BASELINE.mix(0.55)
            } else {
                strategy_color(k).mix(if Some(k) == best { 1.0 } else { 0.75 })
            };
            let (mean, ci) = (mean_of(s), ci_of(s));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (mean, y + 0.8)],
                color.filled(),
            )))?;
            let (a, b) = ((mean - ci).max(0.0), mean + ci);
            let whisker = INK.stroke_width(2);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a, y + 0.5), (b, y + 0.5)],
                whisker,
            )))?;
            for x in [a, b] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y + 0.35), (x, y + 0.65)],
                    whisker,
                )))?;
            }
        }
        if let Some(b) = self.strategies.first()
            && b.cost.mean.is_finite()
        {
            let dashed = BASELINE.stroke_width(2);
            let steps = 24;
            for i in 0..steps {
                let y0 = n as f64 * i as f64 / steps as f64;
                let y1 = y0 + n as f64 * 0.5 / steps as f64;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(b.cost.mean, y0), (b.cost.mean, y1)],
                    dashed,
                )))?;
            }
            let top = chart.backend_coord(&(b.cost.mean, n as f64));
            label(
                root,
                "baseline",
                (top.0 + 6, top.1 + 10),
                &text(13),
                HPos::Left,
            )?;
        }
        for (row, &k) in order.iter().enumerate() {
            let s = &self.strategies[k];
            let y = row as f64;
            let (mean, ci) = (mean_of(s), ci_of(s));
            let px = chart.backend_coord(&(mean + ci, y + 0.5));
            let low = chart.backend_coord(&((mean - ci).max(0.0), y + 0.5));
            let mut value = format!("{} ± {}", money_short(mean), money_short(ci));
            let d = &s.paired_cost_diff;
            if k != 0 && d.mean.is_finite() && d.mean != 0.0 {
                let word = if d.mean < 0.0 { "saves" } else { "costs" };
                value.push_str(&format!(
                    "   ({word} {} vs baseline)",
                    money_short(d.mean.abs())
                ));
            }
            let beside = (px.0 + 8, low.0 - 8);
            boxed_label(root, &value, beside, px.1, &text(15))?;
            let py = chart.backend_coord(&(0.0, y + 0.5));
            let mut name = s.name.clone();
            if k == 0 && name != "baseline" {
                name.push_str(" (baseline)");
            }
            let style = if Some(k) == best && k != 0 {
                bold(15)
            } else {
                text(15)
            };
            label(root, &name, (py.0 - 8, py.1), &style, HPos::Right)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// (c) Timeline of one run

/// The fill of a state on a lane.
pub fn state_color(s: State) -> RGBColor {
    match s {
        State::Healthy => RGBColor(178, 223, 160),
        State::Degraded => RGBColor(246, 196, 84),
        State::Corrupt => RGBColor(170, 110, 200),
        State::Down => RGBColor(214, 55, 45),
        State::Mitigated => RGBColor(70, 140, 220),
    }
}

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
    let caption = "Top: each component's state over the run (faults ▼, repairs ▲, mitigations ◆). Bottom: the longest outage step by step, on a log axis of time since its root fault.";
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

const LANE: u32 = 30;
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
        draw_legend(&legend, w)?;
        Ok(())
    }
}

impl Gantt<'_> {
    fn draw_lanes<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let m = self.m;
        let end = self.tl.end.max(1.0);
        let day = 86_400.0;
        let unit = if end >= 3.0 * day { day } else { 3600.0 };
        let unit_name = if unit == day { "days" } else { "hours" };
        let n = self.lanes.len();
        let name_width = self
            .lanes
            .iter()
            .map(|&i| m.comps[i].id.chars().count() + 2)
            .max()
            .unwrap_or(8) as u32
            * 8
            + 30;
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(30)
            .x_label_area_size(48)
            .y_label_area_size(name_width)
            .build_cartesian_2d(0.0..end / unit, 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(12)
            .x_desc(format!(
                "simulated time ({unit_name} since the start of the run)"
            ))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style(text(14))
            .axis_desc_style(text(15))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        let px_per_unit = {
            let a = chart.backend_coord(&(0.0, 0.0));
            let b = chart.backend_coord(&(end / unit, 0.0));
            (b.0 - a.0).max(1) as f64 / (end / unit)
        };
        // Keep short outages visible: at least 2 pixels wide.
        let min_w = 2.0 / px_per_unit;
        for (row, &i) in self.lanes.iter().enumerate() {
            let y = (n - 1 - row) as f64;
            for seg in &self.tl.lanes[i] {
                let (a, mut b) = (seg.from / unit, seg.to / unit);
                if seg.state != State::Healthy && b - a < min_w {
                    b = a + min_w;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(a, y + 0.15), (b, y + 0.85)],
                    state_color(seg.state).filled(),
                )))?;
            }
            let py = chart.backend_coord(&(0.0, y + 0.5));
            let service = m.comps[i].service.is_some();
            let (name, style) = if service {
                (format!("{} (service)", m.comps[i].id), bold(14))
            } else {
                (m.comps[i].id.clone(), text(14))
            };
            label(area, &name, (py.0 - 8, py.1), &style, HPos::Right)?;
        }
        // Faults and repairs on the lanes they concern; service failures on services.
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

    fn draw_steps<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, ep: &Episode) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let m = self.m;
        let steps = ep.steps(m);
        let last = steps.iter().map(|s| s.1 - ep.fault).fold(60.0f64, f64::max);
        let lo = steps
            .iter()
            .map(|s| s.1 - ep.fault)
            .filter(|&d| d > 0.0)
            .fold(last, f64::min)
            .clamp(1.0, 60.0)
            / 3.0;
        let hi = last * 2.5;
        let root_name = ep.root_name(m);
        let caption = format!(
            "Longest outage, step by step: {} on {}, {} down for {}",
            root_name,
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
        // Labels alternate above and below the axis line, and step further out when
        // neighbours would overlap.
        // Chart coordinates are the backend's; this area's pixels start at its corner.
        let (bx, by) = area.get_base_pixel();
        let mut last_px = [i32::MIN; 4];
        for (k, (what, t, detail)) in steps.iter().enumerate() {
            let d = (t - ep.fault).max(lo);
            let abs = chart.backend_coord(&(d, 2.0));
            let at = (abs.0 - bx, abs.1 - by);
            glyph(area, *what, at, 8)?;
            let mut words = what.name().to_string();
            if !detail.is_empty() {
                words = format!("{words} ({detail})");
            }
            let when = if *t > ep.fault {
                format!("+{}", human(t - ep.fault))
            } else {
                "t = 0".to_string()
            };
            let up = k % 2 == 0;
            let width = 7 * words.chars().count().max(when.len()) as i32;
            let lanes: [usize; 2] = if up { [0, 1] } else { [2, 3] };
            let slot = lanes
                .iter()
                .copied()
                .find(|&l| at.0 - width / 2 > last_px[l] + 6)
                .unwrap_or(lanes[1]);
            last_px[slot] = at.0 + width / 2;
            let dy = match slot {
                0 => -40,
                1 => -78,
                2 => 40,
                _ => 78,
            };
            area.draw(&PathElement::new(
                vec![at, (at.0, at.1 + dy - dy.signum() * 18)],
                milestone_color(*what).mix(0.6).stroke_width(1),
            ))?;
            let style = text(13).pos(Pos::new(HPos::Center, VPos::Center));
            area.draw(&Text::new(words, (at.0, at.1 + dy - 8), style.clone()))?;
            let style = (FONT, 13, FontStyle::Bold)
                .into_font()
                .color(&milestone_color(*what))
                .pos(Pos::new(HPos::Center, VPos::Center));
            area.draw(&Text::new(when, (at.0, at.1 + dy + 8), style))?;
        }
        Ok(())
    }
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, w: u32) -> Drawn
where
    DB::ErrorType: 'static,
{
    let mut x = 30;
    let y = 18;
    for s in State::ALL {
        area.draw(&Rectangle::new(
            [(x, y - 7), (x + 22, y + 7)],
            state_color(s).filled(),
        ))?;
        label(area, s.name(), (x + 28, y), &text(13), HPos::Left)?;
        x += 40 + 8 * s.name().len() as i32;
    }
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

// ---------------------------------------------------------------------------------------
// (d) Sweep

struct SweepFig<'a> {
    title: String,
    sweep: &'a Sweep,
}

/// The swept metric against the parameter's values, one line per strategy with its 95%
/// confidence band.
pub fn sweep(sw: &Sweep) -> Result<Chart, ChartError> {
    let title = format!("{}: {} vs {}", sw.scenario, sw.metric.name(), sw.path);
    let caption = "One line per strategy: the metric's mean at each value of the parameter, with its 95% confidence band. Every value runs on the same seeds.";
    render(
        "sweep",
        &title,
        caption,
        &SweepFig {
            title: title.clone(),
            sweep: sw,
        },
    )
}

impl Figure for SweepFig<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 580 + legend_height(self.sweep.strategies.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (root, legend) = root.split_vertically(580);
        let root = &root;
        let sw = self.sweep;
        let xs: Vec<f64> = sw.values.iter().map(|v| v.x).collect();
        let (mut x0, mut x1) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if x1.is_nan() || x0.is_nan() || x1 <= x0 {
            x0 -= 1.0;
            x1 += 1.0;
        }
        let pad = (x1 - x0) * 0.04;
        let (x0, x1) = (x0 - pad, x1 + pad);
        let mut y0 = f64::INFINITY;
        let mut y1 = f64::NEG_INFINITY;
        for v in &sw.values {
            for p in &v.points {
                if p.mean.is_finite() {
                    y0 = y0.min(p.mean - p.ci95);
                    y1 = y1.max(p.mean + p.ci95);
                }
            }
        }
        if y1.is_nan() || y0.is_nan() || y1 <= y0 {
            y0 -= 1.0;
            y1 += 1.0;
        }
        let ypad = (y1 - y0) * 0.08;
        let (y0, y1) = (
            if sw.metric.non_negative() {
                (y0 - ypad).max(0.0)
            } else {
                y0 - ypad
            },
            y1 + ypad,
        );
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(18)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let metric = sw.metric;
        let yfmt = move |y: &f64| metric.format_axis(*y);
        chart
            .configure_mesh()
            .x_desc(sw.x_desc())
            .y_desc(sw.metric.axis_label())
            .x_labels(0)
            .disable_x_mesh()
            .y_label_formatter(&yfmt)
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        for k in 0..sw.strategies.len() {
            let color = strategy_color(k);
            let pts: Vec<(f64, &SweepValue)> = sw.values.iter().map(|v| (v.x, v)).collect();
            let upper: Vec<(f64, f64)> = pts
                .iter()
                .map(|(x, v)| (*x, v.points[k].mean + v.points[k].ci95))
                .collect();
            let lower: Vec<(f64, f64)> = pts
                .iter()
                .rev()
                .map(|(x, v)| (*x, v.points[k].mean - v.points[k].ci95))
                .collect();
            let band: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                color.mix(0.15).filled(),
            )))?;
            let line: Vec<(f64, f64)> = pts.iter().map(|(x, v)| (*x, v.points[k].mean)).collect();
            let style = color.stroke_width(if k == 0 { 2 } else { 3 });
            chart.draw_series(LineSeries::new(line.clone(), style))?;
            chart.draw_series(line.into_iter().map(|p| Circle::new(p, 4, color.filled())))?;
        }
        // Ticks exactly at the swept values (plotters would pick round numbers instead).
        for &x in &xs {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, y0), (x, y1)],
                GRID.stroke_width(1),
            )))?;
            let (px, py) = chart.backend_coord(&(x, y0));
            root.draw(&PathElement::new(
                vec![(px, py), (px, py + 5)],
                INK.stroke_width(1),
            ))?;
            label(
                root,
                &sw.format_x(x),
                (px, py + 18),
                &text(15),
                HPos::Center,
            )?;
        }
        legend_below(&legend, &sw.strategies)
    }
}

// ---------------------------------------------------------------------------------------
// Queues

/// One strategy's queue-length percentiles over the time grid.
pub struct Band<'a> {
    /// Strategy name.
    pub name: &'a str,
    /// Per grid point, the queue length across runs.
    pub grid: &'a [Coarse],
}

/// Time and length axes for queue charts: time in hours or days, length on a log axis
/// (offset by one so that an empty queue sits on the floor).
fn queue_axes(horizon: f64) -> (f64, &'static str) {
    if horizon <= 2.0 * 86_400.0 {
        (3600.0, "hours")
    } else {
        (86_400.0, "days")
    }
}

/// Ticks for a "jobs + 1" log axis up to `hi`: 0, 1, 10, 100, ... jobs.
fn job_ticks(hi: f64) -> Vec<f64> {
    let mut t = vec![1.0, 2.0];
    let mut x = 10.0;
    while x + 1.0 <= hi {
        t.push(x + 1.0);
        x *= 10.0;
    }
    t
}

/// Ticks for a latency axis: sub-second decades, then the usual durations.
fn latency_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut t: Vec<f64> = [0.001, 0.01, 0.1]
        .into_iter()
        .filter(|&x| x >= lo && x <= hi)
        .collect();
    t.extend(duration_ticks(lo, hi));
    t
}

struct QueueBands<'a> {
    title: String,
    horizon: f64,
    bands: Vec<Band<'a>>,
}

struct QueueRun<'a> {
    title: String,
    horizon: f64,
    points: Vec<&'a QueuePoint>,
}

/// Charts for every queue of a study: for each, the p50–p90 band of its waiting line
/// across runs over time, one band per strategy; and, from `run` (one traced run), its
/// waiting line, parked jobs and latency over time.
pub fn queue_charts(
    m: &Model,
    bands: &[Vec<Band>],
    run: &[QueuePoint],
) -> Result<Vec<Chart>, ChartError> {
    let mut out = vec![];
    for (k, q) in m.queues.iter().enumerate() {
        let id = &m.comps[q.comp as usize].id;
        if let Some(b) = bands.get(k) {
            let title = format!(
                "{}: jobs waiting in {id} across runs (p50 line, p50–p90 band)",
                m.name
            );
            let caption = "For each strategy, half of the runs had at most the line's number of jobs waiting at that time, and nine in ten at most the top of the band. A band that stays up after the trigger is over is a metastable failure.";
            out.push(render(
                &format!("queue-{id}"),
                &title,
                caption,
                &QueueBands {
                    title: title.clone(),
                    horizon: m.horizon,
                    bands: b
                        .iter()
                        .map(|x| Band {
                            name: x.name,
                            grid: x.grid,
                        })
                        .collect(),
                },
            )?);
        }
        let points: Vec<&QueuePoint> = run.iter().filter(|p| p.queue == k as u32).collect();
        if !points.is_empty() {
            let title = format!("{}: {id} in one run", m.name);
            let caption = "One run: jobs waiting and parked (top, log scale) and the mean time in system of the jobs served in each window, including those whose client had already given up (bottom).";
            out.push(render(
                &format!("queue-{id}-run"),
                &title,
                caption,
                &QueueRun {
                    title: title.clone(),
                    horizon: m.horizon,
                    points,
                },
            )?);
        }
    }
    Ok(out)
}

impl Figure for QueueBands<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 520 + legend_height(self.bands.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (top, legend) = root.split_vertically(520);
        let (unit, unit_name) = queue_axes(self.horizon);
        let x1 = self.horizon / unit;
        let mut hi: f64 = 10.0;
        for b in &self.bands {
            for h in b.grid {
                let v = h.quantile(0.9);
                if v.is_finite() {
                    hi = hi.max(v + 1.0);
                }
            }
        }
        let mut chart = ChartBuilder::on(&top)
            .caption(&self.title, bold(18))
            .margin(18)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(
                0.0..x1,
                (1.0..hi * 1.5)
                    .log_scale()
                    .with_key_points(job_ticks(hi * 1.5)),
            )?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "simulated time ({unit_name} since the start of the run)"
            ))
            .y_desc("jobs waiting (log scale)")
            .y_label_formatter(&|y| thousands((*y - 1.0).max(0.0)))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        for (k, b) in self.bands.iter().enumerate() {
            let color = strategy_color(k);
            let at = |g: usize| grid_time(self.horizon, g) / unit;
            let p50: Vec<(f64, f64)> = (0..b.grid.len())
                .map(|g| (at(g), b.grid[g].quantile(0.5) + 1.0))
                .collect();
            let p90: Vec<(f64, f64)> = (0..b.grid.len())
                .map(|g| (at(g), b.grid[g].quantile(0.9) + 1.0))
                .collect();
            let band: Vec<(f64, f64)> = p90
                .iter()
                .copied()
                .chain(p50.iter().rev().copied())
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                color.mix(0.18).filled(),
            )))?;
            chart.draw_series(LineSeries::new(p50, line_style(k)))?;
        }
        let words: Vec<String> = self.bands.iter().map(|b| b.name.to_string()).collect();
        legend_below(&legend, &words)
    }
}

impl Figure for QueueRun<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(420);
        let (unit, unit_name) = queue_axes(self.horizon);
        let x1 = self.horizon / unit;
        let hi = self
            .points
            .iter()
            .map(|p| (p.waiting.max(p.parked) + 1) as f64)
            .fold(10.0, f64::max);
        let mut chart = ChartBuilder::on(&top)
            .caption(&self.title, bold(18))
            .margin(18)
            .margin_right(30)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d(
                0.0..x1,
                (1.0..hi * 1.5)
                    .log_scale()
                    .with_key_points(job_ticks(hi * 1.5)),
            )?;
        chart
            .configure_mesh()
            .y_desc("jobs (log scale)")
            .y_label_formatter(&|y| thousands((*y - 1.0).max(0.0)))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        let waiting: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.t / unit, p.waiting as f64 + 1.0))
            .collect();
        chart
            .draw_series(LineSeries::new(waiting, strategy_color(1).stroke_width(2)))?
            .label("waiting")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], strategy_color(1).stroke_width(3))
            });
        if self.points.iter().any(|p| p.parked > 0) {
            let parked: Vec<(f64, f64)> = self
                .points
                .iter()
                .map(|p| (p.t / unit, p.parked as f64 + 1.0))
                .collect();
            chart
                .draw_series(LineSeries::new(parked, strategy_color(5).stroke_width(2)))?
                .label("parked (shed, waiting to be fed back)")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], strategy_color(5).stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .label_font(text(14))
            .draw()?;
        let lat: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|p| p.latency.is_finite() && p.latency > 0.0)
            .map(|p| (p.t / unit, p.latency))
            .collect();
        let (lo, hi) = lat.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
        let (lo, hi) = if lo.is_finite() {
            (lo / 1.5, hi * 1.5)
        } else {
            (0.1, 10.0)
        };
        let ticks = latency_ticks(lo, hi);
        let mut chart = ChartBuilder::on(&bottom)
            .margin(18)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..x1, (lo..hi).log_scale().with_key_points(ticks))?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "simulated time ({unit_name} since the start of the run)"
            ))
            .y_desc("mean time in system of jobs served")
            .y_label_formatter(&|y| human(*y))
            .label_style(text(15))
            .axis_desc_style(text(16))
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(
            lat.iter()
                .map(|&p| Circle::new(p, 2, strategy_color(2).filled())),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_ticks_are_few_and_inside() {
        let t = duration_ticks(30.0, 100.0 * 86_400.0);
        assert!(t.len() <= 9 && t.len() >= 4, "{t:?}");
        assert!(t.iter().all(|&x| (30.0..=100.0 * 86_400.0).contains(&x)));
    }
}
