//! Compressed sparse rows: adjacency lists in two flat arrays.

use serde::{Deserialize, Serialize};
/// Adjacency lists in one flat array: row `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Csr {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// Builds `rows` rows from (row, item) pairs; items keep their input order within a row.
    pub fn from_pairs(rows: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut counts = vec![0u32; rows + 1];
        for &(r, _) in pairs {
            counts[r as usize + 1] += 1;
        }
        for i in 0..rows {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(r, x) in pairs {
            items[fill[r as usize] as usize] = x;
            fill[r as usize] += 1;
        }
        Csr {
            offsets: counts,
            items,
        }
    }

    /// Where row `i` starts in the item array (row `i` ends where row `i + 1` starts).
    #[inline]
    pub fn start(&self, i: usize) -> u32 {
        self.offsets[i]
    }

    /// Items `lo..hi` of the flat item array (rows `i..j` when given their starts).
    #[inline]
    pub fn items(&self, lo: u32, hi: u32) -> &[u32] {
        &self.items[lo as usize..hi as usize]
    }

    /// The items of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}
