//! Progress of long commands on stderr: runs done, rate and time left.
//!
//! Hidden with `--quiet` and whenever stderr is not a terminal (a pipe, a file, CI), so
//! nothing but results ever reaches a log. Monte Carlo reports progress after each batch
//! of runs; the bar redraws at most a few times a second whatever the batch size.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A progress bar over a number of runs.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` runs, labelled `what`; hidden when `quiet` or stderr is not a
    /// terminal.
    pub fn runs(total: u64, what: &str, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let target = if visible {
            ProgressDrawTarget::stderr_with_hz(8)
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template(
            "{msg} [{bar:32.cyan/blue}] {human_pos}/{human_len} runs  {rate}  {elapsed} elapsed, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{} runs/s", faultline_units::thousands(s.per_sec()));
        })
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_string());
        if visible {
            bar.enable_steady_tick(Duration::from_millis(250));
        }
        Progress { bar }
    }

    /// Sets the runs done so far.
    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    /// Changes the label (e.g. the value a sweep is at).
    pub fn label(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}
