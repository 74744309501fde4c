//! Charts: the pictures people look at instead of reading tables.
//!
//! Each chart is drawn once by code generic over plotters' [`DrawingBackend`] and rendered
//! twice: to SVG (crisp, inlined in the HTML report) and to PNG (for slides and chats). Text
//! is laid out and rasterised with DejaVu Sans, which is compiled into the binary and
//! registered with plotters' `ab_glyph` font table, so charts look the same on a machine
//! with no fonts installed and nothing depends on fontconfig (PNG text is drawn by
//! `raster.rs`, which places glyphs where the font says).
//!
//! This file holds what every chart shares: the [`Chart`] itself, rendering a figure to
//! both formats, and the font. The look they share (palette, type, ticks, labels, legends)
//! is in `style.rs`; each kind of chart has a file of its own:
//!
//! - [`downtime_cdf`] (`downtime.rs`): the distribution of downtime per run, one curve per
//!   strategy.
//! - [`cost_bars`] (`cost.rs`): expected cost per strategy with 95% confidence whiskers.
//! - [`timeline()`] (`gantt.rs`): one run as a Gantt chart of component states, and its
//!   longest outage step by step.
//! - [`sweep()`] (`sweep.rs`): a metric against a swept parameter, with 95% confidence
//!   bands.
//! - [`queue_charts`] (`queue.rs`): queue length across runs (p50–p90 band per strategy);
//!   `queue_series.rs`: goodput, attempts per job and latency over the run (p10–p90 bands)
//!   and one run's waiting line, parked jobs and latency.
//! - [`tornado()`] (`tornado.rs`): what each component or response parameter is worth a
//!   year, better to the left of zero and worse to the right.

use crate::output;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Once;

mod cost;
mod downtime;
mod gantt;
mod queue;
mod queue_series;
mod raster;
mod style;
mod sweep;
mod tornado;

pub use cost::cost_bars;
pub use downtime::{Curve, downtime_cdf};
pub use gantt::{state_color, timeline};
pub use queue::{Band, queue_charts};
pub use sweep::sweep;
pub use tornado::{Swing, Unit, tornado};

/// What drawing returns: plotters' errors, boxed.
type Drawn = Result<(), Box<dyn Error>>;

/// One chart, rendered to both formats: SVG to inline in the HTML report, PNG for slides
/// and chats.
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

/// A failure to draw a chart. plotters' errors do not say which chart failed; this does.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the {chart} chart: {message}")]
pub struct ChartError {
    chart: String,
    message: String,
}

/// Something that can be drawn on any backend: each chart implements it once, and
/// [`render`] draws it twice, to SVG and to PNG.
trait Figure {
    /// Pixel size of the picture.
    fn size(&self) -> (u32, u32);
    /// Draws the whole picture on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static;
}

/// Registers the bundled font once per process, under the name plotters' styles use.
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are compiled in and known good; a failure here is a build defect.
        let _ = plotters::style::register_font(style::FONT, FontStyle::Normal, raster::REGULAR);
        let _ = plotters::style::register_font(style::FONT, FontStyle::Bold, raster::BOLD);
    });
}

/// Draws `fig` to SVG and to PNG, as the chart `name` (its file stem) with its title and
/// caption.
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

/// The PNG file of an RGB buffer, encoded in memory so that it is written through the
/// atomic writer like every other output.
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
