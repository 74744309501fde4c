//! The look every chart shares: colours, type, duration ticks, labels and legends, so
//! that a strategy has one colour and a label one size in every picture.

use super::Drawn;
use plotters::coord::Shift;
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

/// Strategy `k`'s line: its colour, the baseline thinner than the strategies.
pub(super) fn line_style(k: usize) -> ShapeStyle {
    strategy_color(k).stroke_width(if k == 0 { 2 } else { 3 })
}

/// Height of a two-column legend of `n` entries.
pub(super) fn legend_height(n: usize) -> u32 {
    26 * n.div_ceil(2) as u32 + 20
}

/// A two-column legend of strategy lines under a chart, where it hides no data.
pub(super) fn legend_below<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    words: &[String],
) -> Drawn
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
