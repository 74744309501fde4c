//! PNG text placed the way the font says.
//!
//! plotters' `ab_glyph` text drawing puts each glyph's outline at the glyph's advance
//! position but drops its left side bearing, so a narrow glyph such as "1" sits at the left
//! of its cell and text looks unevenly spaced ("$1 03.69M"). `Bitmap` wraps plotters'
//! bitmap backend, passes every drawing call through, and draws text itself with the same
//! bundled font, size, anchoring, rotation and colour: one outline per glyph, positioned at
//! its advance plus its bearing. SVG output is unaffected (the viewer lays its text out).

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
};

/// DejaVu Sans, compiled in (see `assets/fonts/`): the one typeface of every chart.
pub(crate) const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, for titles and emphasis.
pub(crate) const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The two faces, parsed once per process: `(regular, bold)`.
fn faces() -> Result<&'static (FontRef<'static>, FontRef<'static>), ab_glyph::InvalidFont> {
    static FACES: std::sync::OnceLock<
        Result<(FontRef<'static>, FontRef<'static>), ab_glyph::InvalidFont>,
    > = std::sync::OnceLock::new();
    FACES
        .get_or_init(|| {
            Ok((
                FontRef::try_from_slice(REGULAR)?,
                FontRef::try_from_slice(BOLD)?,
            ))
        })
        .as_ref()
        .map_err(|e| *e)
}

/// plotters' bitmap backend with text drawn glyph by glyph at the font's positions.
pub(crate) struct Bitmap<'a>(pub BitMapBackend<'a>);

/// The error plotters' bitmap backend reports, which this backend passes on.
type DrawError<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

/// Rasterises `text` at `size` pixels per em with its origin at (0, 0), calling `put` with
/// each covered pixel and its coverage in [0, 1]. Vertical placement is plotters' own (the
/// text box's top at `y = 0`), so layout computed by plotters still fits.
fn glyphs(font: &FontRef<'_>, size: f64, text: &str, mut put: impl FnMut(i32, i32, f32)) {
    let font = font.as_scaled(size as f32);
    let mut x = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            x += font.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(font.scale(), point(x, 0.0));
        if let Some(outline) = font.outline_glyph(glyph) {
            // The outline's pixel bounds start at the advance position plus the bearing.
            let r = outline.px_bounds();
            let (x0, y0) = (r.min.x as i32, (size as f32 / 2.0 + r.min.y) as i32);
            outline.draw(|gx, gy, a| put(x0 + gx as i32, y0 + gy as i32, a));
        }
        x += font.h_advance(id);
    }
}

impl<'a> DrawingBackend for Bitmap<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawError<'a>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawError<'a>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawError<'a>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawError<'a>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawError<'a>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawError<'a>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawError<'a>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawError<'a>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawError<'a>> {
        self.0.blit_bitmap(pos, size, src)
    }

    /// plotters' default text drawing (anchor, layout box, rotation, clipping) with
    /// [`glyphs`] in place of the font's own `draw`.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawError<'a>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (regular, bold) = faces().map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let font = match style.style() {
            FontStyle::Bold => bold,
            _ => regular,
        };
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut result = Ok(());
        glyphs(font, style.size(), text, |x, y, a| {
            let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if result.is_ok() && x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                result = self.0.draw_pixel((x, y), color.mix(f64::from(a)));
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `text` in black on white and returns the columns that hold any ink.
    fn inked_columns(text: &str) -> Vec<bool> {
        crate::charts::register_fonts();
        let size = (200u32, 40u32);
        let mut rgb = vec![255u8; (size.0 * size.1 * 3) as usize];
        {
            let root = Bitmap(BitMapBackend::with_buffer(&mut rgb, size)).into_drawing_area();
            let style = TextStyle::from(("sans-serif", 30).into_font()).color(&BLACK);
            root.draw_text(text, &style, (10, 5)).expect("draws");
            root.present().expect("presents");
        }
        (0..size.0 as usize)
            .map(|x| (0..size.1 as usize).any(|y| rgb[(y * size.0 as usize + x) * 3] < 128))
            .collect()
    }

    /// First and last inked column of each run of ink.
    fn blobs(cols: &[bool]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (x, &ink) in cols.iter().chain([&false]).enumerate() {
            match (ink, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    out.push((s, x - 1));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    /// "1" and "0" have different side bearings. Where the font puts them, the gap between
    /// the ink of "10" is the gap the font's metrics give; plotters' own drawing (bearing
    /// dropped) shifts the "1" left, widening it by the difference of the bearings.
    #[test]
    fn glyphs_sit_at_their_side_bearings() {
        let font = FontRef::try_from_slice(REGULAR).unwrap();
        let f = font.as_scaled(30.0);
        let (one, zero) = (f.glyph_id('1'), f.glyph_id('0'));
        let bounds = |id: ab_glyph::GlyphId, x: f32| {
            let g = id.with_scale_and_position(f.scale(), point(x, 0.0));
            f.outline_glyph(g).unwrap().px_bounds()
        };
        let second = f.h_advance(one) + f.kern(one, zero);
        let want = bounds(zero, second).min.x - bounds(one, 0.0).max.x;
        let b = blobs(&inked_columns("10"));
        assert_eq!(b.len(), 2, "{b:?}");
        let got = b[1].0 as f32 - b[0].1 as f32 - 1.0;
        assert!((got - want).abs() <= 1.0, "gap {got} px, font says {want}");
        // The "1" starts at its bearing, not at the text's left edge.
        let lsb = f.h_side_bearing(one);
        assert!(lsb > 2.0, "a narrow 1 has a wide bearing ({lsb})");
        let start = b[0].0 as f32 - 10.0;
        assert!(
            (start - lsb).abs() <= 1.5,
            "ink starts {start} px in, bearing {lsb}"
        );
    }
}
