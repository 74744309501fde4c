//! faultline's units: how times and amounts are written for and read from people.
//!
//! Every other layer works in plain `f64` seconds and dollars. This crate is where those
//! numbers meet text: [`duration`] parses `"2h30m"` and prints `"3d 4h"` or `day 3 04:12:07`;
//! [`number`] prints `1,234,568` and `$1.2M`. It depends on nothing of faultline, so the
//! scenario reader, the reports and the command line all say things the same way.

pub mod duration;
pub mod number;

pub use duration::{DurationError, human, parse as parse_duration, stamp};
pub use number::{
    count, money, money_axis, money_short, scientific, signed_money, significant, thousands,
};
