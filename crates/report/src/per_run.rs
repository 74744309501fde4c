//! The per-run export (`run`/`compare --per-run FILE.csv`): one CSV row per run and
//! strategy, for pandas, R or a spreadsheet.
//!
//! Rows come from the study's fold in chunk order ([`faultline_core::montecarlo::run_all_rows`]),
//! so they are written as they come, in run order and within a run in strategy order (the
//! baseline first), byte for byte the same whatever the thread count. The columns are
//! [`COLUMNS`], documented in `docs/scenario-format.md` §4.2; a figure that does not exist
//! in a run (no failure, so no time to detect) is an empty cell.

use faultline_core::model::Model;
use faultline_core::montecarlo::RunRow;
use std::io::{self, Write};

/// The header row: the columns, in order.
pub const COLUMNS: [&str; 15] = [
    "run",
    "strategy",
    "downtime_s",
    "availability",
    "failures",
    "cost",
    "user_minutes",
    "mttd_s",
    "mttr_s",
    "time_to_restore_s",
    "responder_hours",
    "mitigations",
    "undetected",
    "events",
    "capped",
];

/// A per-run CSV being written: the header first, then [`PerRun::row`] per run and model.
pub struct PerRun<W: Write> {
    out: csv::Writer<W>,
    /// Strategy names, by model index in the study.
    names: Vec<String>,
}

impl<W: Write> PerRun<W> {
    /// Starts the CSV on `w` for a study of `models` (the baseline first, as simulated),
    /// writing the header row.
    pub fn new(w: W, models: &[Model]) -> io::Result<PerRun<W>> {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(COLUMNS)?;
        Ok(PerRun {
            out,
            names: models.iter().map(|m| m.strategy.clone()).collect(),
        })
    }

    /// Writes one run's row.
    pub fn row(&mut self, r: &RunRow) -> io::Result<()> {
        let name = self
            .names
            .get(r.strategy as usize)
            .map_or("", String::as_str);
        let record = [
            r.run.to_string(),
            name.to_string(),
            number(r.downtime_s),
            number(r.availability),
            r.failures.to_string(),
            number(r.cost),
            number(r.user_minutes),
            number(r.mttd_s),
            number(r.mttr_s),
            number(r.time_to_restore_s),
            number(r.responder_hours),
            r.mitigations.to_string(),
            r.undetected.to_string(),
            r.events.to_string(),
            r.capped.to_string(),
        ];
        Ok(self.out.write_record(&record)?)
    }

    /// Flushes what is buffered; the file is complete once the caller's atomic write ends.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A figure as a cell: the shortest text that reads back to the same number; NaN (a
/// figure the run does not have) is empty.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_and_nan_is_empty() {
        let m = Model {
            strategy: "a, \"b\"".into(),
            ..Model::default()
        };
        let mut buf = vec![];
        let mut w = PerRun::new(&mut buf, std::slice::from_ref(&m)).unwrap();
        let row = RunRow {
            run: 7,
            strategy: 0,
            downtime_s: 1.5,
            availability: 0.25,
            failures: 1,
            cost: 10.0,
            user_minutes: 0.0,
            mttd_s: f64::NAN,
            mttr_s: 3.0,
            time_to_restore_s: 1.5,
            responder_hours: 0.0,
            mitigations: 0,
            undetected: 0,
            events: 12,
            capped: false,
        };
        w.row(&row).unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(buf).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "7,\"a, \"\"b\"\"\",1.5,0.25,1,10,0,,3,1.5,0,0,0,12,false"
        );
    }
}
