//! The layering of the workspace (docs/architecture.md), checked from Cargo's own metadata:
//! Cargo forbids cycles between crates, but not a lower layer taking on an upper one's
//! dependencies (a chart crate in the core, the report layer reading scenario files).

use std::collections::BTreeSet;
use std::process::Command;

/// Each package's normal (non-dev) dependencies, by name.
fn dependencies() -> Vec<(String, BTreeSet<String>)> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().expect("name").to_string())
                .collect();
            (p["name"].as_str().expect("name").to_string(), deps)
        })
        .collect()
}

#[test]
fn every_layer_uses_only_the_layers_below_it() {
    // What each workspace crate may depend on among the workspace's own crates.
    let allowed: &[(&str, &[&str])] = &[
        ("faultline-units", &[]),
        ("faultline-core", &[]),
        // The exact fault-tree engines stand apart from the simulator.
        ("faultline-ftree", &[]),
        ("faultline-dft", &["faultline-ftree"]),
        (
            "faultline-scenario",
            &[
                "faultline-core",
                "faultline-units",
                "faultline-ftree",
                "faultline-dft",
            ],
        ),
        ("faultline-report", &["faultline-core", "faultline-units"]),
        (
            "faultline",
            &[
                "faultline-core",
                "faultline-units",
                "faultline-scenario",
                "faultline-report",
                "faultline-ftree",
                "faultline-dft",
            ],
        ),
    ];
    let deps = dependencies();
    assert_eq!(
        deps.len(),
        allowed.len(),
        "a crate without a place in the layers"
    );
    for (name, used) in &deps {
        let (_, ok) = allowed
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} has no place in the layers"));
        for d in used.iter().filter(|d| d.starts_with("faultline")) {
            assert!(ok.contains(&d.as_str()), "{name} must not depend on {d}");
        }
    }
}

#[test]
fn the_core_knows_no_file_format_chart_diagnostics_or_command_line() {
    let deps = dependencies();
    let (_, core) = deps
        .iter()
        .find(|(n, _)| n == "faultline-core")
        .expect("the core crate");
    for banned in [
        "ron",
        "serde_json",
        "plotters",
        "png",
        "miette",
        "clap",
        "indicatif",
    ] {
        assert!(!core.contains(banned), "faultline-core depends on {banned}");
    }
}
