//! Generated large models: a synthetic service estate of any size, as scenario text.
//!
//! The hand-written scenarios have a dozen components; benchmarks (`benches/engine.rs`) and
//! the work on scaling the engine need models with thousands to hundreds of thousands of
//! components and a realistic shape. [`scenario_text`] writes one as ordinary RON scenario
//! text, so it goes through the same parser and validator as a hand-written file;
//! `faultline gen N` prints it.
//!
//! # Shape
//!
//! Components are laid out in five layers, lowest first; every dependency points to a lower
//! layer, so the graph is acyclic and there can be no zero-delay cycle.
//!
//! | layer | share of the non-service components | what it is |
//! |---|---|---|
//! | `infra` | 25 % (at least 3 when possible) | leaf infrastructure: hosts, disks, switches, power |
//! | `plat`  | 30 % | platform: databases, queues, caches |
//! | `app`   | 25 % | back-end applications |
//! | `edge`  | 20 % | front ends, gateways |
//! | `svc`   | 1 % of all components, at least 1 | services users see (`slo: 0.9, users: 1000`) |
//!
//! - Every `infra` component has one fault mode: `Exp` with a mean log-uniform over the
//!   profile's hardware range (below), a `Crash` (one in ten is a `Degrade(0.5)` instead),
//!   repaired after a `LogNormal` time with a median log-uniform between 1 h and 8 h
//!   (sigma 0.8).
//! - Every 10th mid-tier component (`plat`, `app`, `edge`; counting from the 6th) is a
//!   2-of-3 `group` over three components of the layer below, with no faults or edges of its
//!   own.
//! - Every other mid-tier component has one software fault mode (`Exp`, mean log-uniform over
//!   the profile's software range; `Crash`, or `Degrade(0.5)` one time in four; `LogNormal`
//!   repair, median 30 min, sigma 1).
//! - Services have no faults of their own.
//!
//! # Edge rule
//!
//! The `edges` list has exactly `3 × components` entries (group memberships are not edges
//! and come on top, about 0.2 × components). The budget is spread as evenly as possible over
//! the *dependents* (mid-tier components that are not groups, and services), in order:
//! dependent `j` of `D` gets `⌊(j+1)·3n/D⌋ − ⌊j·3n/D⌋` edges, i.e. 4 or 5 each. Its first
//! `r` edges are `Requires` with `r` uniform in 2..=4 (at most the edge count), the rest
//! `Degrades(0.5)`. Targets are distinct components of the layer directly below (one time in
//! five: of any lower layer). Independently, one edge in ten gets a probability `p` in
//! [0.5, 0.95] and one in ten a `delay` of 30 s to 5 min. Only a tiny model (8 components or
//! fewer), whose lower layers cannot host that many distinct targets, gets fewer edges: a
//! dependent that cannot take its share passes the rest on to the next one.
//!
//! Horizon one year; the text is a pure function of `(components, seed, profile)`.
//!
//! # Profiles: how often things break
//!
//! The two [`Profile`]s share everything above (layers, groups, edges, repairs) and draw the
//! same shape from the same seed; they differ only in the fault rates.
//!
//! | profile | hardware mean time to failure | software mean time to failure |
//! |---|---|---|
//! | [`Profile::Estate`] (the default) | 2 to 30 years | 1 to 5 years |
//! | [`Profile::Stress`] | 2 weeks to 5 years | 90 days to 3 years |
//!
//! Redundancy is rare in both (one mid-tier component in ten is a group) and a
//! `Degrades(0.5)` dependency that goes down already puts a service below its 0.9 SLO, so
//! each service hangs on a few hundred components.
//!
//! - `Estate` is what a user generating "a big estate" expects: hardware fails at the rates
//!   of servers, disks, switches and power supplies, a component ships a fault-causing
//!   release every year or few, and a service is up 97 % to 99.6 % of the year (98 % on
//!   average at 10,000 components). A one-year run of 100,000 components is about 0.17
//!   million events.
//! - `Stress` is the propagation load the benchmarks use: services are failed for roughly a
//!   third of the year and a one-year run of 100,000 components is about 2.2 million events,
//!   most of them changes travelling over delayed edges. Its shape per event does not depend
//!   on the size, so events/s at 1k, 10k and 100k components compare like with like.
//!
//! `gen` is a reserved word in edition 2024, so the module is declared and used as
//! `faultline::r#gen`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// Layer names, lowest first.
const LAYERS: [&str; 5] = ["infra", "plat", "app", "edge", "svc"];

/// How often the generated components fail (see the module documentation): the same estate
/// either at plausible rates or as a propagation stress load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Plausible rates: services are up most of the year.
    #[default]
    Estate,
    /// Harsh rates, the benchmarks' propagation load: about six times the faults.
    Stress,
}

impl Profile {
    /// Every profile, in the order `--profile` lists them.
    pub const ALL: [Profile; 2] = [Profile::Estate, Profile::Stress];

    /// The name `--profile` takes and the generated header records.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Estate => "estate",
            Profile::Stress => "stress",
        }
    }

    /// One line on what it is, for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Profile::Estate => "Plausible rates: services are up most of the year",
            Profile::Stress => {
                "Harsh rates, the benchmarks' propagation load: about six times the faults"
            }
        }
    }

    /// The log-uniform ranges of the mean time to failure: hardware in hours, software in
    /// days (the units the scenario text is written in).
    fn mttf(self) -> ([f64; 2], [f64; 2]) {
        const YEAR_H: f64 = 8760.0;
        match self {
            Profile::Estate => ([2.0 * YEAR_H, 30.0 * YEAR_H], [365.0, 5.0 * 365.0]),
            Profile::Stress => ([14.0 * 24.0, 5.0 * YEAR_H], [90.0, 3.0 * 365.0]),
        }
    }
}

/// Writes a valid scenario with exactly `components` components (at least 1) and
/// `3 × components` dependency edges (see the module documentation for the exact rule),
/// deterministic in `seed`, failing at the rates of `profile`.
pub fn scenario_text(components: usize, seed: u64, profile: Profile) -> String {
    let mut bytes = Vec::new();
    write_scenario(&mut bytes, components, seed, profile).expect("writing to memory");
    String::from_utf8(bytes).expect("the text is UTF-8")
}

/// Passes `text` on to `out` once it holds 64 KiB, so memory does not grow with the
/// scenario's size.
fn spill(text: &mut String, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if text.len() >= 1 << 16 {
        out.write_all(text.as_bytes())?;
        text.clear();
    }
    Ok(())
}

/// [`scenario_text`], streamed to `out` as it is made: `gen 10000000` holds a few
/// bytes per component, not the whole text.
pub fn write_scenario(
    out: &mut dyn std::io::Write,
    components: usize,
    seed: u64,
    profile: Profile,
) -> std::io::Result<()> {
    assert!(components >= 1, "a scenario needs at least one component");
    let n = components;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (hardware_h, software_d) = profile.mttf();
    let profile_name = profile.name();

    // Layer boundaries: layer k is start[k]..start[k + 1].
    let services = n.div_ceil(100).max(1).min(n);
    let rest = n - services;
    let infra = if rest == 0 {
        0
    } else {
        (rest / 4).max(3.min(rest))
    };
    let mid = rest - infra;
    let plat = (mid * 30).div_ceil(75);
    let app = (mid * 25).div_ceil(75).min(mid - plat);
    let start = [0, infra, infra + plat, infra + plat + app, rest, n];
    let layer_of = |i: usize| (0..5).find(|&k| i < start[k + 1]).expect("index in range");
    let id = |i: usize| format!("{}{i}", LAYERS[layer_of(i)]);

    // Which mid-tier components are groups (need a layer below with room for 3 members).
    let mut is_group = vec![false; n];
    for i in start[1]..start[4] {
        if (i - start[1]) % 10 == 5 && start[layer_of(i)] >= 3 {
            is_group[i] = true;
        }
    }
    let dependents: Vec<usize> = (start[1]..n).filter(|&i| !is_group[i]).collect();
    let budget = 3 * n;
    // What each dependent takes: its share of the budget plus what the one before could not
    // host (a tiny model's lower layers have room for fewer), known before the header that
    // counts the edges is written.
    let mut carry = 0usize;
    let counts: Vec<usize> = (dependents.iter().enumerate())
        .map(|(j, &i)| {
            let d = dependents.len();
            let want = (j + 1) * budget / d - j * budget / d + carry;
            let count = want.min(start[layer_of(i)]);
            carry = want - count;
            count
        })
        .collect();
    let edges: usize = counts.iter().sum();

    let mut text = String::with_capacity(1 << 17);
    let _ = writeln!(
        text,
        "// Generated by `faultline gen {n} --seed {seed} --profile {profile_name}`.\nScenario(\n    \
         name: \"generated-{n}\",\n    \
         about: \"A synthetic service estate of {n} components in five layers \
         (infra, plat, app, edge, svc) with {edges} dependency edges, failing at \
         {profile_name} rates.\",\n    \
         assumptions: [\"Generated for benchmarks and scale work: shapes and rates are \
         plausible, not measured.\"],\n    \
         horizon: \"1y\",\n    runs: 100,\n    seed: {seed},\n    components: ["
    );

    for (i, &group) in is_group.iter().enumerate() {
        let name = id(i);
        let layer = layer_of(i);
        if layer == 0 {
            let mttf_h = log_uniform(&mut rng, hardware_h[0], hardware_h[1]).round();
            let repair_m = log_uniform(&mut rng, 60.0, 480.0).round();
            let effect = if rng.random_bool(0.1) {
                "Degrade(0.5)"
            } else {
                "Crash"
            };
            let _ = writeln!(
                text,
                "        (id: \"{name}\", faults: [(name: \"hw\", every: Exp(mean: \"{mttf_h}h\"), \
                 effect: {effect}, repair: LogNormal(median: \"{repair_m}m\", sigma: 0.8))]),"
            );
        } else if layer == 4 {
            let _ = writeln!(
                text,
                "        (id: \"{name}\", service: (slo: 0.9, users: 1000)),"
            );
        } else if group {
            let members = pick_targets(&mut rng, &start, layer, 3, 0.0);
            let _ = writeln!(
                text,
                "        (id: \"{name}\", group: (need: 2, of: [\"{}\", \"{}\", \"{}\"])),",
                id(members[0]),
                id(members[1]),
                id(members[2])
            );
        } else {
            let mttf_d = log_uniform(&mut rng, software_d[0], software_d[1]).round();
            let effect = if rng.random_bool(0.25) {
                "Degrade(0.5)"
            } else {
                "Crash"
            };
            let _ = writeln!(
                text,
                "        (id: \"{name}\", faults: [(name: \"release\", every: Exp(mean: \"{mttf_d}d\"), \
                 effect: {effect}, repair: LogNormal(median: \"30m\", sigma: 1.0))]),"
            );
        }
        spill(&mut text, out)?;
    }
    text.push_str("    ],\n    edges: [\n");

    for (&i, &count) in dependents.iter().zip(&counts) {
        let layer = layer_of(i);
        let targets = pick_targets(&mut rng, &start, layer, count, 0.2);
        let requires = rng.random_range(2..=4usize).min(count);
        let from = id(i);
        for (k, &t) in targets.iter().enumerate() {
            let kind = if k < requires {
                "Requires"
            } else {
                "Degrades(0.5)"
            };
            let _ = write!(
                text,
                "        (from: \"{from}\", to: \"{}\", kind: {kind}",
                id(t)
            );
            if rng.random_bool(0.1) {
                let p = f64::from(rng.random_range(50..=95u32)) / 100.0;
                let _ = write!(text, ", p: {p}");
            }
            if rng.random_bool(0.1) {
                let s = rng.random_range(30..=300u32);
                let _ = write!(text, ", delay: \"{s}s\"");
            }
            text.push_str("),\n");
        }
        spill(&mut text, out)?;
    }
    text.push_str("    ],\n)\n");
    out.write_all(text.as_bytes())
}

/// A draw between `lo` and `hi` whose logarithm is uniform (rates spread over decades).
fn log_uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

/// `count` distinct components below `layer` (`count` must not exceed how many there are):
/// each from the layer directly below, or with probability `anywhere` from any lower layer.
fn pick_targets(
    rng: &mut ChaCha8Rng,
    start: &[usize; 6],
    layer: usize,
    count: usize,
    anywhere: f64,
) -> Vec<usize> {
    let below = start[layer - 1]..start[layer];
    let all = 0..start[layer];
    debug_assert!(count <= all.len());
    let mut out: Vec<usize> = Vec::with_capacity(count);
    if count == 0 {
        return out;
    }
    let mut tries = 0;
    while out.len() < count && tries < 64 {
        tries += 1;
        let pool = if below.is_empty() || rng.random_bool(anywhere) {
            all.clone()
        } else {
            below.clone()
        };
        let t = rng.random_range(pool);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    // Small layers: fill deterministically from a random point of everything below.
    let mut t = rng.random_range(all.clone());
    while out.len() < count {
        if !out.contains(&t) {
            out.push(t);
        }
        t = if t + 1 == all.end { 0 } else { t + 1 };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::load_str;

    const PROFILES: [Profile; 2] = [Profile::Estate, Profile::Stress];

    #[test]
    fn sizes_load_with_the_right_counts() {
        for profile in PROFILES {
            for n in [10, 1000, 10_000] {
                let text = scenario_text(n, 7, profile);
                let (sc, model) = load_str("generated.ron", &text)
                    .unwrap_or_else(|e| panic!("size {n} ({profile:?}) does not load: {e:?}"));
                assert_eq!(sc.components.len(), n);
                assert_eq!(model.comps.len(), n);
                let edges = model.edges.len() as f64;
                let target = 3.0 * n as f64;
                assert!(
                    (edges - target).abs() <= 0.1 * target,
                    "size {n}: {edges} edges, want 3 × {n} ± 10%"
                );
                assert!(!model.services.is_empty());
                assert_eq!(model.services.len(), n.div_ceil(100));
                assert!(sc.components.iter().any(|c| c.group.is_some()));
            }
        }
    }

    /// Issue 21, item 14: `gen 3` said 9 edges and wrote 2; the description counts the
    /// edges written, tiny models included.
    #[test]
    fn the_description_counts_the_edges_written() {
        for n in (1..=12).chain([100, 1000]) {
            let (sc, _) = load_str("g.ron", &scenario_text(n, 3, Profile::Estate)).expect("loads");
            let said = format!("with {} dependency edges", sc.edges.len());
            assert!(
                sc.about.contains(&said),
                "gen {n}: {:?} but {said}",
                sc.about
            );
        }
    }

    #[test]
    fn exact_edge_rule_for_larger_models() {
        for profile in PROFILES {
            let (sc, _) = load_str("g.ron", &scenario_text(1000, 1, profile)).expect("loads");
            assert_eq!(sc.edges.len(), 3000);
        }
    }

    #[test]
    fn deterministic_in_the_seed() {
        for profile in PROFILES {
            assert_eq!(
                scenario_text(200, 3, profile),
                scenario_text(200, 3, profile)
            );
            assert_ne!(
                scenario_text(200, 3, profile),
                scenario_text(200, 4, profile)
            );
        }
    }

    /// The profiles draw the same estate and differ only in how often it fails. Closed form:
    /// a rate `1/m` with `m` log-uniform on `[a, b]` has mean `(1/a − 1/b) / ln(b/a)`; with a
    /// quarter of the non-service components on hardware and 67.5 % on software rates, the
    /// stress profile's total fault rate is 6.16 times the estate's.
    #[test]
    fn profiles_share_the_shape_and_differ_in_rates() {
        let load = |p| load_str("g.ron", &scenario_text(5000, 2, p)).expect("loads");
        let (estate, _) = load(Profile::Estate);
        let (stress, _) = load(Profile::Stress);
        let shape = |sc: &crate::schema::Scenario| {
            let ids: Vec<_> = sc.components.iter().map(|c| c.id.clone()).collect();
            let edges: Vec<_> = sc.edges.iter().map(|e| format!("{e:?}")).collect();
            (ids, edges)
        };
        assert_eq!(shape(&estate), shape(&stress));
        let rate = |sc: &crate::schema::Scenario| -> f64 {
            let faults = sc.components.iter().flat_map(|c| &c.faults);
            faults
                .map(|f| match f.every {
                    crate::schema::Dist::Exp { mean } => 1.0 / mean.secs(),
                    _ => panic!("generated faults are exponential"),
                })
                .sum()
        };
        let ratio = rate(&stress) / rate(&estate);
        assert!(
            (ratio / 6.16 - 1.0).abs() < 0.1,
            "stress ÷ estate fault rate {ratio}, closed form 6.16"
        );
    }

    #[test]
    fn tiny_models_are_valid() {
        for profile in PROFILES {
            for n in 1..=25 {
                let text = scenario_text(n, 0, profile);
                let (sc, _) =
                    load_str("tiny.ron", &text).unwrap_or_else(|e| panic!("size {n}: {e:?}"));
                assert_eq!(sc.components.len(), n);
            }
        }
    }
}
