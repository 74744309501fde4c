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
    r#gen::write_scenario(out, components as usize, seed, profile)?;
    Ok(())
}
