//! The compiled-model cache: a large scenario loaded a second time comes from the cache,
//! with byte-identical results; a damaged entry is a miss; overrides, small scenarios and
//! `FAULTLINE_CACHE=off` leave it alone.

use crate::common::{output_root, scratch, stderr};
use faultline::r#gen::{Profile, scenario_text};
use std::path::Path;
use std::process::{Command, Output};

/// `faultline args` with its cache in `cache` (and `off` set when asked).
fn run(cache: &Path, off: bool, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
    c.args(args)
        .env("NO_COLOR", "1")
        .env("FAULTLINE_OUTPUT", output_root())
        .env("FAULTLINE_CACHE_DIR", cache);
    if off {
        c.env("FAULTLINE_CACHE", "off");
    }
    c.output().expect("run faultline")
}

/// The entries in the cache folder.
fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(cache) {
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
        Err(_) => vec![],
    }
}

#[test]
fn a_large_scenario_loads_from_the_cache_with_the_same_results() {
    let dir = scratch("model-cache-test");
    let cache = dir.join("cache");
    let file = dir.join("estate.ron");
    let text = scenario_text(5_000, 1, Profile::Estate);
    assert!(
        text.len() >= faultline::cache::MIN_BYTES,
        "{} bytes",
        text.len()
    );
    std::fs::write(&file, &text).unwrap();
    let f = file.to_str().unwrap();
    let args = ["run", f, "--runs", "3", "--json", "-q"];

    // Off: nothing written.
    let plain = run(&cache, true, &args);
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert!(entries(&cache).is_empty());
    // An override: not cached either (it could bring warnings of its own).
    let o = run(
        &cache,
        false,
        &["run", f, "--runs", "1", "--horizon", "30d", "-q"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(entries(&cache).is_empty());

    // The first load fills the cache, the second reads it: the same bytes out.
    let first = run(&cache, false, &args);
    let kept = entries(&cache);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let second = run(&cache, false, &args);
    assert_eq!(first.stdout, plain.stdout);
    assert_eq!(second.stdout, plain.stdout);
    let stats = run(&cache, false, &["run", f, "--runs", "1", "-q", "--stats"]);
    assert!(
        stderr(&stats).contains("the compiled models from the cache"),
        "not read from the cache: {}",
        stderr(&stats)
    );

    // A damaged entry is a miss, and is replaced.
    std::fs::write(&kept[0], b"not a model").unwrap();
    let third = run(&cache, false, &args);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(third.stdout, plain.stdout);
    assert!(std::fs::metadata(&kept[0]).unwrap().len() > 1000);

    // The same text changed by a byte is another entry.
    std::fs::write(&file, text.replacen("generated", "Generated", 1)).unwrap();
    let other = run(&cache, false, &args);
    assert!(other.status.success(), "{}", stderr(&other));
    assert_eq!(entries(&cache).len(), 2);
}

#[test]
fn small_scenarios_never_touch_the_cache() {
    let dir = scratch("model-cache-small");
    let cache = dir.join("cache");
    let o = run(
        &cache,
        false,
        &[
            "run",
            crate::common::repo("scenarios/substation.ron")
                .to_str()
                .unwrap(),
            "--runs",
            "10",
            "-q",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!cache.exists());
}
