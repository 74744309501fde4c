//! Progress of long commands on stderr: runs done, rate and time left.
//!
//! Hidden with `--quiet` and whenever stderr is not a terminal (a pipe, a file, CI), so
//! nothing but results ever reaches a log. Monte Carlo reports progress after each chunk
//! of runs (at most 64); the bar redraws at most a few times a second. The time left is
//! shown only once it means something ([`eta_text`]).

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
            "{msg} [{bar:32.cyan/blue}] {human_pos}/{human_len} runs  {rate}  {elapsed} elapsed{left}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("left", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let text = eta_text(s.pos(), s.len().unwrap_or(0), s.elapsed(), s.eta());
            let _ = w.write_str(&text.unwrap_or_default());
        })
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

/// `, ETA 12s` once the estimate means something: after 5% of the runs or 2 seconds,
/// whichever comes first, and some runs done; nothing before (an ETA of 0s at 0% is noise).
pub fn eta_text(pos: u64, len: u64, elapsed: Duration, eta: Duration) -> Option<String> {
    let enough = pos * 20 >= len || elapsed >= Duration::from_secs(2);
    (pos > 0 && pos < len && enough).then(|| {
        format!(
            ", ETA {:#}",
            indicatif::HumanDuration(Duration::from_secs(eta.as_secs()))
        )
    })
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_eta_until_it_means_something() {
        let s = Duration::from_secs;
        let eta = s(40);
        assert_eq!(eta_text(0, 10_000, s(5), eta), None, "nothing done yet");
        assert_eq!(eta_text(64, 10_000, Duration::from_millis(300), eta), None);
        assert_eq!(eta_text(10_000, 10_000, s(5), eta), None, "done");
        let shown = eta_text(500, 10_000, Duration::from_millis(300), eta);
        assert_eq!(shown.as_deref(), Some(", ETA 40s"), "5% done");
        assert!(eta_text(64, 10_000, s(2), eta).is_some(), "2 s elapsed");
    }
}
