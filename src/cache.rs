//! The compiled-model cache: a large scenario (a generated estate of 100,000 components)
//! spends most of its loading time in RON's parser and the checks, so the models it
//! compiles to are kept, and the next load of the same text by the same binary reads them
//! back instead.
//!
//! An entry is keyed by the scenario's text and by the binary itself (its size and
//! modification time: any rebuild invalidates every entry), and holds the text's length
//! and a second, independent hash to confirm the match. Only scenarios of at least
//! [`MIN_BYTES`] that load without warnings and without overrides are cached, so the
//! shipped scenarios and the tests never touch it. An entry that cannot be read or decoded
//! is a miss; a cache that cannot be written is skipped, silently: the cache only ever
//! saves time. `FAULTLINE_CACHE=off` turns it off; `FAULTLINE_CACHE_DIR` moves it (by
//! default `$XDG_CACHE_HOME/faultline/models`, or `~/.cache/faultline/models`).

use faultline_core::model::{Model, stable_hash};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// Scenarios smaller than this load fast enough without the cache.
pub const MIN_BYTES: usize = 1 << 20;

/// What one load of a scenario produced, as the cache keeps it.
#[derive(Deserialize)]
pub struct Entry {
    /// The scenario text's length, to confirm the match.
    pub text_len: u64,
    /// A second hash of the text (std's SipHash), independent of the file name's.
    pub text_hash: u64,
    /// The scenario's stated assumptions.
    pub assumptions: Vec<String>,
    /// The baseline and every strategy, before any command-line override.
    pub models: Vec<Model>,
}

/// An [`Entry`] to write, borrowing what it keeps (the same encoding: postcard writes a
/// slice as it writes a `Vec`).
#[derive(Serialize)]
struct EntryRef<'a> {
    text_len: u64,
    text_hash: u64,
    assumptions: &'a [String],
    models: &'a [Model],
}

/// The cache's folder, or `None` when it is off or there is no home to put it in.
fn dir() -> Option<PathBuf> {
    if std::env::var_os("FAULTLINE_CACHE").is_some_and(|v| v == "off") {
        return None;
    }
    if let Some(d) = std::env::var_os("FAULTLINE_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(x) if !x.is_empty() => PathBuf::from(x),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    Some(base.join("faultline").join("models"))
}

/// The running binary's identity: its size and modification time, in nanoseconds.
fn binary() -> Option<String> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let t = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{}:{}", meta.len(), t.as_nanos()))
}

/// std's SipHash of the text, the entry's second check.
fn second_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The entry's file for `text`, when the cache is on.
fn file(text: &str) -> Option<PathBuf> {
    if text.len() < MIN_BYTES {
        return None;
    }
    let key = stable_hash(&[env!("CARGO_PKG_VERSION"), &binary()?, text]);
    Some(dir()?.join(format!("{key:016x}.model")))
}

/// The models compiled from `text` by this binary before, if the cache has them.
pub fn get(text: &str) -> Option<Entry> {
    let bytes = std::fs::read(file(text)?).ok()?;
    let e: Entry = postcard::from_bytes(&bytes).ok()?;
    (e.text_len == text.len() as u64 && e.text_hash == second_hash(text)).then_some(e)
}

/// Keeps the models compiled from `text` (atomically; nothing on failure).
pub fn put(text: &str, assumptions: &[String], models: &[Model]) {
    let Some(path) = file(text) else { return };
    let entry = EntryRef {
        text_len: text.len() as u64,
        text_hash: second_hash(text),
        assumptions,
        models,
    };
    let Ok(bytes) = postcard::to_stdvec(&entry) else {
        return;
    };
    if let Some(parent) = path.parent()
        && std::fs::create_dir_all(parent).is_ok()
    {
        let _ = faultline_report::output::save(&path, &bytes);
    }
}
