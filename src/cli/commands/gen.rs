//! `gen`: print a generated scenario, for scale tests.

use crate::cli::error::CliError;
use faultline_scenario::r#gen::{self, Profile};
use std::io::Write;

/// Prints a generated model of `components` components (the generator's seed and fault
/// rates as given).
pub(crate) fn r#gen(
    out: &mut impl Write,
    components: u64,
    seed: u64,
    profile: Profile,
) -> Result<(), CliError> {
    let text = r#gen::scenario_text(components as usize, seed, profile);
    out.write_all(text.as_bytes())?;
    Ok(())
}
