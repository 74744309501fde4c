//! `graph`: the dependency graph as Graphviz DOT.

use crate::cli::error::CliError;
use crate::cli::load::load;
use faultline_core::analysis;
use faultline_report::dot;
use std::io::Write;
use std::path::Path;

/// Prints the scenario's dependency graph, its single points of failure in red.
pub(crate) fn graph(out: &mut impl Write, scenario: &Path) -> Result<(), CliError> {
    let m = load(scenario, None)?;
    let spofs = analysis::spofs(&m);
    out.write_all(dot::to_dot(&m, &spofs.indices()).as_bytes())?;
    Ok(())
}
