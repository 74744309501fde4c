//! Sharding a study across machines, and merging the pieces back exactly.
//!
//! A study of R runs is cut into chunks of [`chunk_size`] runs; shard *i* of *N*
//! simulates a contiguous, chunk-aligned share of them. Run *k*'s randomness depends only
//! on (seed, k), so a shard computes exactly the chunk summaries a single machine would.
//! A shard file (JSON Lines) holds a header (tool version, the scenario's text and hash,
//! seed, run range, command and overrides) and one line per chunk with that chunk's
//! summaries (and, for `compare`, the baseline's cost in each of its runs among the study's
//! first [`WATCH_AMONG`], which the report chooses its linked runs from). [`merge`]
//! checks the headers agree, that the run ranges tile `0..R` with no gap or overlap, and
//! folds the chunks in run order: the same floating-point operations in the same order as
//! an unsharded run, hence the same bytes.

use faultline_core::model::{Model, stable_hash};
use faultline_core::montecarlo::{self, Study, Summary, chunk_size};
use faultline_report::explore::WATCH_AMONG;
use faultline_report::output;
use faultline_scenario::validate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Format version of shard files (3: chunks carry the baseline's costs run by run).
pub const FORMAT: u32 = 3;

/// What a shard was made from; every shard of one study must agree on all of it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// Shard file format.
    pub format: u32,
    /// faultline version that wrote it.
    pub version: String,
    /// `run` or `compare`: what `merge` prints.
    pub command: String,
    /// The scenario file as given on the command line.
    pub file: String,
    /// The scenario text, so `merge` needs nothing but the shards.
    pub text: String,
    /// Stable hash of the text and the overrides.
    pub hash: String,
    /// `--horizon` override, seconds.
    pub horizon: Option<f64>,
    /// `--max-events` override.
    pub max_events: Option<u64>,
    /// `--strategy` for `run`.
    pub strategy: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Runs in the whole study.
    pub runs: u64,
    /// This shard's index, from 0.
    pub shard: u64,
    /// Number of shards.
    pub of: u64,
    /// First run index of this shard.
    pub first: u64,
    /// One past its last run index.
    pub end: u64,
}

/// One chunk's summaries, one per model.
#[derive(Serialize, Deserialize)]
struct Chunk {
    first: u64,
    summaries: Vec<Summary>,
    /// The baseline's cost in each of the chunk's runs below [`watched`], in run order: what
    /// `merge` chooses the compare report's linked runs from, instead of simulating those
    /// runs again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    costs: Vec<f64>,
}

/// A merged study: its header, models and summaries, and the baseline's cost in each of its
/// first [`WATCH_AMONG`] runs (in run order, from run 0).
pub struct Merged {
    /// The header the shards agree on.
    pub header: Header,
    /// The baseline, then every strategy.
    pub models: Vec<Model>,
    /// Each model's summary of the whole study.
    pub summaries: Vec<Summary>,
    /// The baseline's costs of runs `0..min(runs, WATCH_AMONG)` (none for `run`).
    pub baseline_costs: Vec<f64>,
}

/// Why shards could not be made or merged.
#[derive(Debug)]
pub enum ShardError {
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// A file is not a shard file, or is damaged.
    Format(PathBuf, String),
    /// Shards of different studies.
    Mismatch(String),
    /// The run ranges do not tile the study.
    Coverage(String),
    /// The embedded scenario no longer loads.
    Scenario(String),
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            ShardError::Format(p, e) => {
                write!(f, "{}: not a faultline shard file ({e})", p.display())
            }
            ShardError::Mismatch(m) | ShardError::Coverage(m) => f.write_str(m),
            ShardError::Scenario(e) => {
                write!(f, "the scenario embedded in the shards does not load: {e}")
            }
        }
    }
}

/// The runs `[first, end)` of shard `i` of `n` in a study of `runs` runs: whole chunks,
/// spread as evenly as chunks allow.
pub fn range(runs: u64, i: u64, n: u64) -> (u64, u64) {
    let size = u128::from(chunk_size(runs));
    let chunks = u128::from(runs).div_ceil(size);
    // In u128: no product here can overflow, whatever a shard file claims.
    let at = |k: u64| {
        let c = u128::from(k) * chunks / u128::from(n.max(1));
        u64::try_from(c * size).unwrap_or(u64::MAX).min(runs)
    };
    (at(i), at(i + 1))
}

/// Stable hash identifying a study's inputs.
pub fn hash(
    text: &str,
    horizon: Option<f64>,
    max_events: Option<u64>,
    strategy: Option<&str>,
) -> String {
    let h = horizon.map(|x| x.to_bits().to_string()).unwrap_or_default();
    let e = max_events.map(|x| x.to_string()).unwrap_or_default();
    format!(
        "{:016x}",
        stable_hash(&[text, &h, &e, strategy.unwrap_or("")])
    )
}

/// Simulates the header's share of runs under `models` and writes the shard file to
/// `path` atomically (through [`output::write_with`]: a temporary file renamed into place
/// when complete).
pub fn write(
    path: &Path,
    header: &Header,
    models: &[Model],
    threads: usize,
) -> Result<(), ShardError> {
    let among = watched(header);
    let study = Study {
        seed: header.seed,
        first: header.first,
        runs: header.end - header.first,
        threads,
        total: header.runs,
        // The rows give the baseline's costs; they are never written themselves.
        per_run: among > 0,
    };
    output::write_with(path, |w| {
        serde_json::to_writer(&mut *w, header)?;
        w.write_all(b"\n")?;
        let mut failed = None;
        montecarlo::run_chunks(models, study, &mut |first, summaries| {
            if failed.is_some() {
                return;
            }
            let line = Chunk {
                first,
                summaries: summaries.to_vec(),
                costs: (summaries[0].rows.iter())
                    .filter(|r| r.run < among)
                    .map(|r| r.cost)
                    .collect(),
            };
            if let Err(e) = serde_json::to_writer(&mut *w, &line)
                .map_err(std::io::Error::from)
                .and_then(|_| w.write_all(b"\n"))
            {
                failed = Some(e);
            }
        });
        failed.map_or(Ok(()), Err)
    })
    .map_err(|e| ShardError::Io(path.to_path_buf(), e))
}

/// Header of a shard file.
fn read_header(path: &Path) -> Result<(Header, BufReader<std::fs::File>), ShardError> {
    let file = std::fs::File::open(path).map_err(|e| ShardError::Io(path.to_path_buf(), e))?;
    let mut r = BufReader::new(file);
    let mut line = String::new();
    r.read_line(&mut line)
        .map_err(|e| ShardError::Io(path.to_path_buf(), e))?;
    let h: Header = serde_json::from_str(&line)
        .map_err(|e| ShardError::Format(path.to_path_buf(), e.to_string()))?;
    if h.format != FORMAT {
        return Err(ShardError::Format(
            path.to_path_buf(),
            format!("format {} is not {FORMAT}", h.format),
        ));
    }
    check_header(&h).map_err(|e| ShardError::Format(path.to_path_buf(), e))?;
    Ok((h, r))
}

/// Most runs a shard file may claim: far beyond any study that finishes, and small enough
/// that no run count or index computed from it overflows.
pub const MAX_RUNS: u64 = 1 << 48;

/// Checks a header against itself: its hash recomputed from its text and overrides, its
/// run counts within [`MAX_RUNS`], and its run range the one its shard index gives.
fn check_header(h: &Header) -> Result<(), String> {
    let hash = hash(&h.text, h.horizon, h.max_events, h.strategy.as_deref());
    if hash != h.hash {
        return Err(format!(
            "the scenario hash {} does not match its text (hash {hash}): the shard was edited",
            h.hash
        ));
    }
    if h.runs == 0 || h.runs > MAX_RUNS {
        return Err(format!("runs {} is not within 1..={MAX_RUNS}", h.runs));
    }
    if h.of == 0 || h.shard >= h.of || h.of > h.runs {
        return Err(format!("shard {}/{} of {} runs", h.shard, h.of, h.runs));
    }
    if (h.first, h.end) != range(h.runs, h.shard, h.of) {
        return Err(format!(
            "runs {}..{} are not shard {}/{}'s share of {} runs",
            h.first, h.end, h.shard, h.of, h.runs
        ));
    }
    if h.horizon.is_some_and(|x| !(x.is_finite() && x > 0.0)) {
        return Err("the horizon override is not a positive number".into());
    }
    Ok(())
}

/// Loads the models a header describes (its scenario text, overrides and strategy).
pub fn models_of(h: &Header) -> Result<Vec<Model>, ShardError> {
    let (_, mut models) = validate::load_all_str(&h.file, &h.text)
        .map_err(|e| ShardError::Scenario(e.to_string()))?;
    for m in &mut models {
        if let Some(x) = h.horizon {
            m.horizon = x;
        }
        if let Some(x) = h.max_events {
            m.max_events = x;
        }
    }
    if let Some(name) = &h.strategy {
        let Some(k) = models.iter().position(|m| &m.strategy == name) else {
            return Err(ShardError::Mismatch(format!(
                "the shards' scenario has no strategy `{name}`"
            )));
        };
        models = vec![models.swap_remove(k)];
    } else if h.command == "run" {
        models.truncate(1);
    }
    Ok(models)
}

/// How many of the study's first runs a shard carries the baseline's costs of: the runs a
/// compare report chooses its linked runs among; none for `run`, which writes no report.
fn watched(h: &Header) -> u64 {
    if h.command == "compare" {
        h.runs.min(WATCH_AMONG)
    } else {
        0
    }
}

/// Merges shard files into the study's header, models and summaries, exactly as one
/// unsharded run would have produced them, with the baseline's costs the shards carry.
pub fn merge(paths: &[PathBuf]) -> Result<Merged, ShardError> {
    if paths.is_empty() {
        return Err(ShardError::Coverage("no shard files given".into()));
    }
    let mut shards = vec![];
    for p in paths {
        let (h, r) = read_header(p)?;
        shards.push((p.clone(), h, r));
    }
    let first = shards[0].1.clone();
    for (p, h, _) in &shards[1..] {
        let differs = |what: &str, a: String, b: String| {
            ShardError::Mismatch(format!(
                "{} and {} come from different studies: {what} {a} vs {b}",
                paths[0].display(),
                p.display()
            ))
        };
        if h.version != first.version {
            return Err(differs(
                "faultline version",
                first.version.clone(),
                h.version.clone(),
            ));
        }
        if h.hash != first.hash {
            return Err(differs("scenario hash", first.hash.clone(), h.hash.clone()));
        }
        if h.seed != first.seed {
            return Err(differs("seed", first.seed.to_string(), h.seed.to_string()));
        }
        if h.runs != first.runs {
            return Err(differs("runs", first.runs.to_string(), h.runs.to_string()));
        }
        if h.command != first.command {
            return Err(differs("command", first.command.clone(), h.command.clone()));
        }
    }
    shards.sort_by_key(|(_, h, _)| (h.first, h.end));
    let mut covered = 0;
    for (p, h, _) in &shards {
        if h.first > covered {
            return Err(ShardError::Coverage(format!(
                "runs {covered}..{} are in no shard (a shard is missing)",
                h.first
            )));
        }
        if h.first < covered {
            return Err(ShardError::Coverage(format!(
                "{} overlaps another shard: runs {}..{} are covered twice",
                p.display(),
                h.first,
                covered.min(h.end)
            )));
        }
        covered = h.end;
    }
    if covered != first.runs {
        return Err(ShardError::Coverage(format!(
            "runs {covered}..{} are in no shard (a shard is missing)",
            first.runs
        )));
    }
    let models = models_of(&first)?;
    let mut totals: Vec<Summary> = models.iter().map(Summary::new).collect();
    let among = watched(&first);
    let mut baseline_costs = Vec::with_capacity(usize::try_from(among).unwrap_or(0));
    for (p, h, r) in shards {
        let mut expect = h.first;
        for line in r.lines() {
            let line = line.map_err(|e| ShardError::Io(p.clone(), e))?;
            let c: Chunk = serde_json::from_str(&line)
                .map_err(|e| ShardError::Format(p.clone(), e.to_string()))?;
            if c.first != expect || c.summaries.len() != models.len() || expect >= h.end {
                return Err(ShardError::Format(
                    p.clone(),
                    format!("chunk at run {} out of order or damaged", c.first),
                ));
            }
            let next = (expect + chunk_size(h.runs)).min(h.end);
            if c.costs.len() as u64 != next.min(among).saturating_sub(expect) {
                return Err(ShardError::Format(
                    p.clone(),
                    format!("chunk at run {}: damaged baseline costs", c.first),
                ));
            }
            baseline_costs.extend_from_slice(&c.costs);
            for ((t, x), m) in totals.iter_mut().zip(&c.summaries).zip(&models) {
                x.check(m, next - expect).map_err(|e| {
                    ShardError::Format(
                        p.clone(),
                        format!("chunk at run {}, model `{}`: {e}", c.first, m.strategy),
                    )
                })?;
                t.merge(x);
            }
            expect = next;
        }
        if expect != h.end {
            return Err(ShardError::Format(
                p.clone(),
                format!("truncated: runs {expect}..{} missing", h.end),
            ));
        }
    }
    Ok(Merged {
        header: first,
        models,
        summaries: totals,
        baseline_costs,
    })
}

/// Which shard this process is, from `--shard i/N` or the schedulers' environment:
/// Slurm job arrays (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`)
/// or Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`, with the count from `shards`).
pub fn which(
    flag: Option<&str>,
    shards: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(u64, u64)>, String> {
    let parse = |s: &str, what: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("{what} is not a number: `{s}`"))
    };
    let (i, n) = if let Some(f) = flag {
        let Some((i, n)) = f.split_once('/') else {
            return Err(format!("--shard takes i/N (e.g. 0/4), not `{f}`"));
        };
        (parse(i, "the shard index")?, parse(n, "the shard count")?)
    } else if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
        let min =
            env("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |m| parse(&m, "SLURM_ARRAY_TASK_MIN"))?;
        let n = match (shards, env("SLURM_ARRAY_TASK_COUNT")) {
            (Some(n), _) => n,
            (None, Some(c)) => parse(&c, "SLURM_ARRAY_TASK_COUNT")?,
            (None, None) => {
                return Err("SLURM_ARRAY_TASK_ID is set but not the count: pass --shards N".into());
            }
        };
        (parse(&id, "SLURM_ARRAY_TASK_ID")?.saturating_sub(min), n)
    } else if let Some(idx) = env("JOB_COMPLETION_INDEX") {
        let Some(n) = shards else {
            return Err(
                "JOB_COMPLETION_INDEX is set: pass the number of completions as --shards N".into(),
            );
        };
        (parse(&idx, "JOB_COMPLETION_INDEX")?, n)
    } else {
        return Ok(None);
    };
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: the index must be below the count"));
    }
    Ok(Some((i, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tile_the_runs_in_whole_chunks() {
        for runs in [1, 63, 64, 65, 1000, 10_000] {
            for n in 1..=7 {
                let mut next = 0;
                for i in 0..n {
                    let (a, b) = range(runs, i, n);
                    assert_eq!(a, next);
                    let size = chunk_size(runs);
                    assert!(a % size == 0 && (b % size == 0 || b == runs));
                    next = b;
                }
                assert_eq!(next, runs);
            }
        }
    }

    #[test]
    fn shard_identity_from_flag_and_schedulers() {
        let none = |_: &str| None;
        assert_eq!(which(Some("2/4"), None, &none), Ok(Some((2, 4))));
        assert!(which(Some("4/4"), None, &none).is_err());
        assert!(which(Some("x"), None, &none).is_err());
        assert_eq!(which(None, None, &none), Ok(None));
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("5".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            _ => None,
        };
        assert_eq!(which(None, None, &slurm), Ok(Some((4, 8))));
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "3".to_string());
        assert_eq!(which(None, Some(4), &k8s), Ok(Some((3, 4))));
        assert!(which(None, None, &k8s).is_err());
    }
}
