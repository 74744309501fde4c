//! What can go wrong in a command, sorted by the exit code it deserves (README,
//! "Commands": 0 success; 2 bad usage or invalid scenario; 1 anything else).

use faultline_report::ReportError;
use faultline_report::output::OutputError;
use faultline_scenario::diagnostics::LoadError;

/// What went wrong in a command, and which exit code it deserves (not the trace's service
/// failure, which is a result, not an error).
pub(crate) enum CliError {
    /// The scenario could not be read or is invalid: a located message, exit code 2.
    Load(LoadError),
    /// The command line asks for something impossible: exit code 2.
    Usage(String),
    /// Anything else (writing files, shards): exit code 1.
    Other(String),
    /// Stdout was closed (`| head`): not an error, exit code 0.
    BrokenPipe,
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        CliError::Load(e)
    }
}

impl From<OutputError> for CliError {
    fn from(e: OutputError) -> Self {
        CliError::Other(e.to_string())
    }
}

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> Self {
        CliError::Other(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Other(format!("cannot write output: {e}"))
        }
    }
}
