//! How common each trigram is in source code, to anchor keywords on rare ones.
//!
//! The table lists the most common trigrams (ASCII case folded with `| 0x20`) of a corpus of
//! source code: C headers (`/usr/include`), the Python standard library and Perl modules of a
//! Debian system, none of which are in the benchmark corpora. Every trigram missing from the table
//! is rarer than every trigram in it.

include!("trigrams_data.rs");

/// How many trigrams the table lists.
pub(super) const COUNT: usize = 4096;

/// The folded trigram as a table key.
pub(super) fn key(a: u8, b: u8, c: u8) -> u32 {
    u32::from_le_bytes([a | 0x20, b | 0x20, c | 0x20, 0])
}

/// How common the trigram is (ASCII case-insensitively): 0 when it is not in the table, otherwise
/// eight times the log2 of its frequency per 2^30 trigrams.
pub(super) fn weight(a: u8, b: u8, c: u8) -> u8 {
    let key = key(a, b, c);
    COMMON
        .binary_search_by_key(&key, |e| e & 0xff_ffff)
        .map_or(0, |i| (COMMON[i] >> 24) as u8)
}
