//! Solves one Galileo file: `cargo run -p faultline-dft --release --example dft -- FILE.dft
//! [--time T] [--limit N]`. Prints `states=N transitions=M unreliability=X mttf=Y`, or
//! `refused: FILE:LINE:COL: MESSAGE` (exit 2) for a tree it does not accept.

use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            println!("refused: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let (mut file, mut time, mut limit) = (None, 1.0, 1_000_000);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--time" => time = number(args.next(), "--time")?,
            "--limit" => limit = number(args.next(), "--limit")?,
            _ if file.is_none() => file = Some(a),
            _ => return Err(format!("unexpected argument '{a}'")),
        }
    }
    let file = file.ok_or("usage: dft FILE.dft [--time T] [--limit N]")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let dft = faultline_dft::parse(&text).map_err(|e| format!("{file}:{e}"))?;
    let exact = faultline_dft::analyze(&dft, time, limit).map_err(|e| format!("{file}: {e}"))?;
    Ok(format!(
        "states={} transitions={} unreliability={:.17e} mttf={:.17e}",
        exact.states, exact.transitions, exact.unreliability, exact.mttf
    ))
}

fn number<T: std::str::FromStr>(value: Option<String>, flag: &str) -> Result<T, String> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{flag} needs a number"))
}
