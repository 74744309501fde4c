//! The look every chart shares: colours, type, duration ticks, labels and legends, so
//! that a strategy has one colour and a label one size in every picture.

use super::Drawn;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The family name the bundled DejaVu Sans is registered under (by `register_fonts`):
/// every style names it, so no chart depends on the fonts of the machine.
pub(super) const FONT: &str = "sans-serif";

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
/// The baseline's grey: the scenario as written is the reference, not a contender.
pub(super) const BASELINE: RGBColor = RGBColor(90, 90, 90);
/// Text and whiskers: near-black, softer than pure black on white.
pub(super) const INK: RGBColor = RGBColor(30, 30, 30);
/// Grid lines: light enough to stay behind the data.
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);

/// The colour of strategy `k` (0 is the baseline).
pub(super) fn strategy_color(k: usize) -> RGBColor {
    if k == 0 {
        BASELINE
    } else {
        PALETTE[(k - 1) % PALETTE.len()]
    }
}

// Styles are built with their weight from the start: plotters' `FontDesc::style` changes
// the style but keeps the glyphs it already loaded.

/// A chart's title: one size for every chart.
pub(super) fn title_font() -> TextStyle<'static> {
    bold(22)
}

/// Regular text of `size` pixels in ink.
pub(super) fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// Bold text of `size` pixels in ink.
pub(super) fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&INK)
}

/// Duration axis ticks people know: 1s, 1m, 10m, 1h, 6h, 1d, 1w, 30d, 1y ...
pub(super) fn duration_ticks(lo: f64, hi: f64) -> Vec<f64> {
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
        90.0 * 86_400.0,
        180.0 * 86_400.0,
        365.0 * 86_400.0,
        3650.0 * 86_400.0,
    ];
    let inside: Vec<f64> = T.iter().copied().filter(|&t| t >= lo && t <= hi).collect();
    // Keep at most ~9 ticks so labels never collide.
    let step = inside.len().div_ceil(9).max(1);
    inside.into_iter().step_by(step).collect()
}

/// Draws `s` with its anchor at pixel `at` on `root`.
pub(super) fn label<DB: DrawingBackend>(
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
pub(super) fn boxed_label<DB: DrawingBackend>(
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

/// How a line is stroked, so that curves differ by more than colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    /// A continuous line.
    Solid,
    /// Long dashes.
    Dashed,
    /// Short dashes, close together: dots at a chart's line widths.
    Dotted,
}

impl Dash {
    /// Pixels on and off, for a broken line.
    fn pattern(self) -> Option<(u32, u32)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((14, 7)),
            Dash::Dotted => Some((3, 5)),
        }
    }
}

/// The shape marked along a line, so that a reader tells curves apart without colour
/// (and sees two curves that coincide: their markers sit at different places).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// No marker (the baseline).
    None,
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A triangle pointing up.
    Triangle,
    /// A diamond.
    Diamond,
    /// A diagonal cross.
    Cross,
}

/// How strategy `k`'s line looks on every chart: colour, dash and marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Its colour.
    pub color: RGBColor,
    /// Its stroke.
    pub dash: Dash,
    /// Its marker.
    pub marker: Marker,
    /// Stroke width, pixels.
    pub width: u32,
}

/// Dashes and markers cycle with coprime periods (3 and 5), so the first 15 strategies
/// each have a pair of their own, whatever the palette's 7 colours repeat.
const DASHES: [Dash; 3] = [Dash::Dashed, Dash::Solid, Dash::Dotted];
/// The markers' cycle (see [`DASHES`]).
const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::Cross,
];

/// Strategy `k`'s look (0 is the baseline: grey, solid, thinner, no marker).
pub(super) fn look(k: usize) -> Look {
    if k == 0 {
        return Look {
            color: BASELINE,
            dash: Dash::Solid,
            marker: Marker::None,
            width: 2,
        };
    }
    let i = k - 1;
    Look {
        color: strategy_color(k),
        dash: DASHES[i % DASHES.len()],
        marker: MARKERS[i % MARKERS.len()],
        width: 3,
    }
}

/// Draws a line through `path` (pixels of `area`'s backend) in `look`'s colour and dash,
/// and its marker at each of `marks`.
pub(super) fn draw_look<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    path: &[(i32, i32)],
    look: &Look,
    marks: &[(i32, i32)],
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (bx, by) = area.get_base_pixel();
    let local: Vec<(i32, i32)> = path.iter().map(|&(x, y)| (x - bx, y - by)).collect();
    let style = look.color.stroke_width(look.width);
    match look.dash.pattern() {
        None => area.draw(&PathElement::new(local, style))?,
        Some((on, off)) => area.draw(&plotters::element::DashedPathElement::new(
            local, on, off, style,
        ))?,
    }
    for &(x, y) in marks {
        marker(area, look, (x - bx, y - by), 5)?;
    }
    Ok(())
}

/// `look`'s marker centred on `at` (pixels of `area`), `r` pixels from centre to edge:
/// white inside, so that it reads on top of other lines.
pub(super) fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: &Look,
    (x, y): (i32, i32),
    r: i32,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let edge = look.color.stroke_width(2);
    let shape = |pts: Vec<(i32, i32)>| -> Drawn {
        area.draw(&Polygon::new(pts.clone(), WHITE.filled()))?;
        let mut closed = pts.clone();
        closed.push(pts[0]);
        area.draw(&PathElement::new(closed, edge))?;
        Ok(())
    };
    match look.marker {
        Marker::None => Ok(()),
        Marker::Circle => {
            area.draw(&Circle::new((x, y), r, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), r, edge))?;
            Ok(())
        }
        Marker::Square => shape(vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
        ]),
        Marker::Triangle => shape(vec![(x - r - 1, y + r), (x + r + 1, y + r), (x, y - r - 1)]),
        Marker::Diamond => shape(vec![
            (x, y - r - 1),
            (x + r + 1, y),
            (x, y + r + 1),
            (x - r - 1, y),
        ]),
        Marker::Cross => {
            area.draw(&PathElement::new(
                vec![(x - r, y - r), (x + r, y + r)],
                edge,
            ))?;
            area.draw(&PathElement::new(
                vec![(x - r, y + r), (x + r, y - r)],
                edge,
            ))?;
            Ok(())
        }
    }
}

/// Where to mark curve `k` of a chart whose curve runs through `path` (pixels, left to
/// right): `n` places spread evenly across its width, shifted by a fraction that differs
/// per curve, so that two curves lying on each other still show both their markers.
pub(super) fn spread_marks(path: &[(i32, i32)], k: usize, n: usize) -> Vec<(i32, i32)> {
    let (Some(first), Some(last)) = (path.first(), path.last()) else {
        return vec![];
    };
    let (x0, x1) = (first.0 as f64, last.0 as f64);
    // The golden ratio's fraction spreads the shifts of successive curves evenly.
    let phase = (0.5 + 0.618_034 * k as f64).fract();
    (0..n)
        .filter_map(|j| {
            let x = x0 + (x1 - x0) * (j as f64 + phase) / n as f64;
            y_at(path, x).map(|y| (x.round() as i32, y))
        })
        .collect()
}

/// The height of a left-to-right polyline at `x`, pixels (the first segment that spans it).
fn y_at(path: &[(i32, i32)], x: f64) -> Option<i32> {
    path.windows(2).find_map(|w| {
        let (a, b) = (w[0], w[1]);
        let (ax, bx) = (a.0 as f64, b.0 as f64);
        if ax <= x && x <= bx {
            let t = if bx > ax { (x - ax) / (bx - ax) } else { 0.0 };
            Some((a.1 as f64 + t * (b.1 - a.1) as f64).round() as i32)
        } else {
            None
        }
    })
}

/// For each curve, the first earlier curve with exactly the same figures (`None` when it
/// has none): a curve drawn over an identical one hides it, so the legend says so.
pub(super) fn same_as<T: PartialEq>(curves: &[T]) -> Vec<Option<usize>> {
    (0..curves.len())
        .map(|k| (0..k).find(|&j| curves[j] == curves[k]))
        .collect()
}

/// Legend entries for curves named `names`: a curve with exactly the figures of an earlier
/// one is drawn over it and hides it, so its entry says so ("wait (same as baseline)").
pub(super) fn legend_words<T: PartialEq>(names: &[&str], curves: &[T]) -> Vec<String> {
    names
        .iter()
        .zip(same_as(curves))
        .map(|(name, same)| match same {
            Some(j) => format!("{name} (same as {})", names[j]),
            None => name.to_string(),
        })
        .collect()
}

/// Height of a two-column legend of `n` entries.
pub(super) fn legend_height(n: usize) -> u32 {
    26 * n.div_ceil(2) as u32 + 20
}

/// A two-column legend of strategy lines under a chart, where it hides no data: each
/// entry's swatch has its line's dash and marker as well as its colour.
pub(super) fn legend_below<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    words: &[String],
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (bx, by) = area.get_base_pixel();
    for (k, w) in words.iter().enumerate() {
        let x = 40 + (k % 2) as i32 * 480;
        let y = 14 + (k / 2) as i32 * 26;
        let lk = look(k);
        let path = [(bx + x, by + y), (bx + x + 40, by + y)];
        draw_look(area, &path, &lk, &[(bx + x + 20, by + y)])?;
        label(area, w, (x + 48, y), &text(14), HPos::Left)?;
    }
    Ok(())
}

/// A time axis for a span of simulated time: the unit people would use for it, and ticks
/// at round values of that unit (5-minute steps over an hour, 6-hour steps over 3 days).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TimeAxis {
    /// Seconds per unit.
    pub unit: f64,
    /// The unit's name, plural.
    pub name: &'static str,
    /// Tick positions, in units.
    pub ticks: Vec<f64>,
}

impl TimeAxis {
    /// The axis for `span` seconds from 0: seconds up to 3 minutes, minutes up to 3
    /// hours, hours up to 4 days, days beyond; at most 13 ticks.
    pub fn new(span: f64) -> TimeAxis {
        let span = if span.is_finite() && span > 0.0 {
            span
        } else {
            1.0
        };
        let (unit, name, steps): (f64, &str, &[f64]) = if span <= 180.0 {
            (1.0, "seconds", &[1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0])
        } else if span <= 3.0 * 3600.0 {
            (60.0, "minutes", &[1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0])
        } else if span <= 4.0 * 86_400.0 {
            (3600.0, "hours", &[1.0, 2.0, 3.0, 6.0, 12.0, 24.0])
        } else {
            (
                86_400.0,
                "days",
                &[1.0, 2.0, 5.0, 7.0, 10.0, 20.0, 30.0, 50.0, 100.0],
            )
        };
        let n = span / unit;
        // A round step from the unit's list, else 1, 2 or 5 times a power of ten.
        let step = steps
            .iter()
            .copied()
            .chain((2..12).flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e))))
            .find(|&s| n / s <= 12.0 + 1e-9)
            .unwrap_or(n);
        let ticks = (0..)
            .map(|i| i as f64 * step)
            .take_while(|&t| t <= n * (1.0 + 1e-9))
            .collect();
        TimeAxis { unit, name, ticks }
    }

    /// A tick's label: the number of units, without trailing zeros.
    pub fn label(x: f64) -> String {
        faultline_units::number::trim_number(x)
    }

    /// The coordinate from 0 to `end` units with these ticks (and no others).
    pub fn range(&self, end: f64) -> Ticked {
        Ticked {
            inner: (0.0..end).into(),
            ticks: self.ticks.clone(),
        }
    }
}

/// A linear coordinate whose ticks are given rather than chosen by plotters (which
/// rounds in tens: ticks every 10 hours on a 3-day run).
#[derive(Clone)]
pub(super) struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_axes_pick_the_unit_from_the_span_and_tick_round_values() {
        let hour = 3600.0;
        let day = 86_400.0;
        // The cases: a 110-second queue run, retry-storm's hour, job-queue's 3 days.
        let a = TimeAxis::new(110.0);
        assert_eq!(
            (a.name, a.ticks.clone()),
            ("seconds", (0..12).map(|i| i as f64 * 10.0).collect())
        );
        let a = TimeAxis::new(hour);
        assert_eq!(a.name, "minutes");
        assert_eq!(
            a.ticks,
            (0..=12).map(|i| i as f64 * 5.0).collect::<Vec<_>>()
        );
        let a = TimeAxis::new(3.0 * day);
        assert_eq!(a.name, "hours");
        assert_eq!(
            a.ticks,
            (0..=12).map(|i| i as f64 * 6.0).collect::<Vec<_>>()
        );
        let a = TimeAxis::new(90.0 * day);
        assert_eq!(a.name, "days");
        assert_eq!(
            a.ticks,
            (0..=9).map(|i| i as f64 * 10.0).collect::<Vec<_>>()
        );
        for span in [1.0, 59.0, 400.0, 7.0 * day, 365.0 * day, 730.0 * day, 1e9] {
            let a = TimeAxis::new(span);
            assert!(a.ticks.len() >= 2 && a.ticks.len() <= 13, "{span}: {a:?}");
            // Every label is a whole number of units, none repeats.
            let labels: Vec<String> = a.ticks.iter().map(|&t| TimeAxis::label(t)).collect();
            assert!(labels.iter().all(|l| !l.contains('.')), "{labels:?}");
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique, labels);
        }
    }

    #[test]
    fn every_strategy_differs_by_more_than_colour() {
        let looks: Vec<Look> = (0..=15).map(look).collect();
        for a in 0..looks.len() {
            for b in 0..a {
                assert!(
                    (looks[a].dash, looks[a].marker) != (looks[b].dash, looks[b].marker),
                    "strategies {b} and {a} differ by colour alone"
                );
            }
        }
    }

    #[test]
    fn identical_curves_are_found() {
        assert_eq!(
            same_as(&[1, 2, 1, 2, 3]),
            [None, None, Some(0), Some(1), None]
        );
    }

    #[test]
    fn markers_of_coinciding_curves_do_not_overlap() {
        let path = [(0, 10), (1000, 10)];
        let a = spread_marks(&path, 0, 5);
        let b = spread_marks(&path, 1, 5);
        assert_eq!(a.len(), 5);
        assert!(
            a.iter().all(|p| b.iter().all(|q| (p.0 - q.0).abs() > 20)),
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn duration_ticks_are_few_and_inside() {
        let t = duration_ticks(30.0, 100.0 * 86_400.0);
        assert!(t.len() <= 9 && t.len() >= 4, "{t:?}");
        assert!(t.iter().all(|&x| (30.0..=100.0 * 86_400.0).contains(&x)));
    }
}
