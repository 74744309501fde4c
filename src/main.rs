//! The `faultline` binary: a thin shell around [`faultline::cli`].

fn main() {
    std::process::exit(faultline::cli::main());
}
