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

/// Where the entry for one scenario text is, and how to confirm it: worked out once per
/// load (hashing a 33 MB text takes tens of milliseconds), for [`get`] and then [`put`].
pub struct Key {
    path: PathBuf,
    text_len: u64,
    text_hash: u64,
}

/// The key of `text`, when the cache is on and the text is large enough to use it.
pub fn key(text: &str) -> Option<Key> {
    if text.len() < MIN_BYTES {
        return None;
    }
    let name = stable_hash(&[env!("CARGO_PKG_VERSION"), &binary()?, text]);
    Some(Key {
        path: dir()?.join(format!("{name:016x}.model")),
        text_len: text.len() as u64,
        text_hash: second_hash(text),
    })
}

/// The models this binary compiled from the text of `key` before, if the cache has them.
pub fn get(key: &Key) -> Option<Entry> {
    let bytes = std::fs::read(&key.path).ok()?;
    let e: Entry = postcard::from_bytes(&bytes).ok()?;
    (e.text_len == key.text_len && e.text_hash == key.text_hash).then_some(e)
}

/// Keeps the models compiled from the text of `key` (atomically; nothing on failure).
pub fn put(key: &Key, assumptions: &[String], models: &[Model]) {
    let entry = EntryRef {
        text_len: key.text_len,
        text_hash: key.text_hash,
        assumptions,
        models,
    };
    let Ok(bytes) = postcard::to_stdvec(&entry) else {
        return;
    };
    if let Some(parent) = key.path.parent()
        && std::fs::create_dir_all(parent).is_ok()
    {
        let _ = faultline_report::output::save(&key.path, &bytes);
    }
}
