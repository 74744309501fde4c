//! Importance measures per basic event, from the exact top-event probability P and each
//! event's Birnbaum importance B = P(top | failed) − P(top | working), with the
//! definitions SCRAM uses, so the two can be compared line by line.

use serde::Serialize;

/// How much one basic event matters to the top event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Importance {
    /// The event's name.
    pub event: String,
    /// Its probability.
    pub p: f64,
    /// Birnbaum (marginal) importance: P(top | failed) − P(top | working).
    pub birnbaum: f64,
    /// Criticality: the share of P(top) that the event's failure is critical to, B·p / P.
    pub criticality: f64,
    /// Fussell–Vesely (diagnosis importance): P(event failed | top failed), p·P(top | failed) / P.
    pub fussell_vesely: f64,
    /// Risk achievement worth: P(top | failed) / P.
    pub raw: f64,
    /// Risk reduction worth: P / P(top | working) (infinite when the event alone is
    /// every way to fail).
    pub rrw: f64,
}

/// The measures of one event of probability `p` and Birnbaum importance `b`, with P(top) = `top`.
pub fn measures(event: &str, p: f64, b: f64, top: f64) -> Importance {
    let failed = top + (1.0 - p) * b;
    let working = top - p * b;
    let ratio = |a: f64, c: f64| {
        if c > 0.0 {
            a / c
        } else if a > 0.0 {
            f64::INFINITY
        } else {
            1.0
        }
    };
    Importance {
        event: event.to_string(),
        p,
        birnbaum: b,
        criticality: ratio(b * p, top),
        fussell_vesely: ratio(p * failed, top),
        raw: ratio(failed, top),
        rrw: ratio(top, working.max(0.0)),
    }
}
