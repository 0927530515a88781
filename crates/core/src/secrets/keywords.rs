//! The keyword pass: every occurrence of every rule keyword, ASCII case-insensitively, overlapping.
//!
//! An aho-corasick automaton over 500+ case-insensitive keywords is a DFA of some hundred KB: each
//! input byte is a load that depends on the previous one and misses L1, which made it the hot loop
//! of history scans. Here each keyword is instead anchored on its rarest four-byte window (the
//! whole keyword when it is shorter), and every text position is tested against three 8 KiB
//! bitmaps (anchors of 4, 3 and 2 bytes, hashed after folding ASCII case with `| 0x20`):
//! independent loads from L1, no state carried from byte to byte. Only positions whose window is
//! an anchor (or collides with one) are verified, by comparing the keywords anchored there.
//!
//! The cost per byte does not depend on the number of keywords; more keywords only add anchors,
//! i.e. candidate positions, and rules that share a keyword share its anchor.

/// Longest anchor: one `u32` load per position.
const ANCHOR: usize = 4;

/// A set of keywords ready to search for.
#[derive(Debug, Clone)]
pub(crate) struct KeywordSet {
    /// Lowercased keywords, by index.
    words: Vec<Box<[u8]>>,
    /// Per anchor length 2, 3, 4: bit `slot(len, window)` is set when an anchor hashes there.
    bits: Box<[[u64; 1024]; 3]>,
    /// Distinct anchor keys (see [`key`]), sorted; `entries[spans[i]..spans[i + 1]]` are the
    /// keywords anchored on `anchors[i]`.
    anchors: Vec<u64>,
    spans: Vec<u32>,
    /// `(keyword, offset of its anchor)`, grouped by anchor.
    entries: Vec<(u32, u32)>,
    /// One-byte keywords (only user rules can have them), lowercased.
    singles: Vec<(u8, u32)>,
    /// Keywords that match everywhere (empty ones).
    empty: Vec<u32>,
}

/// The first `len` bytes of a little-endian window, case folded with `| 0x20` (which also merges
/// a few punctuation pairs: harmless, every candidate is verified).
fn fold(window: u32, len: usize) -> u32 {
    (window | 0x2020_2020) & (u32::MAX >> (8 * (ANCHOR - len)))
}

/// Bit index of a folded window of `len` bytes in its bitmap.
fn slot(folded: u32, len: usize) -> usize {
    match len {
        2 => folded as usize & 0xffff,
        3 => (folded.wrapping_mul(0x85eb_ca77) >> 16) as usize,
        _ => (folded.wrapping_mul(0x9e37_79b1) >> 16) as usize,
    }
}

fn key(folded: u32, len: usize) -> u64 {
    (len as u64) << 32 | folded as u64
}

fn window(bytes: &[u8]) -> u32 {
    let mut w = [0u8; ANCHOR];
    let n = bytes.len().min(ANCHOR);
    w[..n].copy_from_slice(&bytes[..n]);
    u32::from_le_bytes(w)
}

impl KeywordSet {
    /// Keywords are compared ASCII case-insensitively; `words[i]` is reported as `i`.
    pub(crate) fn new(words: &[String]) -> Self {
        let mut by_anchor: Vec<(u64, u32, u32)> = Vec::new();
        let mut singles = Vec::new();
        let mut empty = Vec::new();
        let mut lowered: Vec<Box<[u8]>> = Vec::with_capacity(words.len());
        let mut bits = Box::new([[0u64; 1024]; 3]);
        for (i, w) in words.iter().enumerate() {
            let w = w.as_bytes().to_ascii_lowercase();
            match w.len() {
                0 => empty.push(i as u32),
                1 => singles.push((w[0], i as u32)),
                n => {
                    let len = n.min(ANCHOR);
                    let at = rarest_window(&w, len);
                    let folded = fold(window(&w[at..]), len);
                    let b = slot(folded, len);
                    bits[len - 2][b >> 6] |= 1 << (b & 63);
                    by_anchor.push((key(folded, len), i as u32, at as u32));
                }
            }
            lowered.push(w.into_boxed_slice());
        }
        by_anchor.sort_unstable();
        let mut anchors = Vec::new();
        let mut spans = Vec::new();
        let mut entries = Vec::with_capacity(by_anchor.len());
        for &(anchor, word, at) in &by_anchor {
            if anchors.last() != Some(&anchor) {
                anchors.push(anchor);
                spans.push(entries.len() as u32);
            }
            entries.push((word, at));
        }
        spans.push(entries.len() as u32);
        KeywordSet {
            words: lowered,
            bits,
            anchors,
            spans,
            entries,
            singles,
            empty,
        }
    }

    /// Call `hit(keyword, start)` for every occurrence of every keyword in `text`, overlapping
    /// ones included, each exactly once (in no particular order).
    pub(crate) fn for_each(&self, text: &[u8], mut hit: impl FnMut(usize, usize)) {
        for &k in &self.empty {
            hit(k as usize, 0);
        }
        if !self.singles.is_empty() {
            for (i, b) in text.iter().enumerate() {
                let b = b.to_ascii_lowercase();
                for &(s, k) in &self.singles {
                    if s == b {
                        hit(k as usize, i);
                    }
                }
            }
        }
        if self.anchors.is_empty() {
            return;
        }
        let [b2, b3, b4] = &*self.bits;
        let test = |bits: &[u64; 1024], b: usize| bits[b >> 6] & (1 << (b & 63)) != 0;
        let probe = |w: u32| {
            test(b4, slot(fold(w, 4), 4))
                || test(b3, slot(fold(w, 3), 3))
                || test(b2, slot(fold(w, 2), 2))
        };
        // Whole windows first, then the last positions with the window padded with zeros.
        let body = text.len().saturating_sub(ANCHOR - 1);
        for (i, w) in text.windows(ANCHOR).enumerate() {
            let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            if probe(w) {
                self.verify(text, i, w, &mut hit);
            }
        }
        for i in body..text.len() {
            let w = window(&text[i..]);
            if probe(w) {
                self.verify(text, i, w, &mut hit);
            }
        }
    }

    /// The keywords anchored on a window at `at` (any anchor length), checked in full.
    #[cold]
    fn verify(&self, text: &[u8], at: usize, w: u32, hit: &mut impl FnMut(usize, usize)) {
        for len in 2..=ANCHOR {
            let Ok(slot) = self.anchors.binary_search(&key(fold(w, len), len)) else {
                continue;
            };
            let (from, to) = (self.spans[slot] as usize, self.spans[slot + 1] as usize);
            for &(word, offset) in &self.entries[from..to] {
                let Some(start) = at.checked_sub(offset as usize) else {
                    continue;
                };
                let word_bytes = &self.words[word as usize];
                if text
                    .get(start..start + word_bytes.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(word_bytes))
                {
                    hit(word as usize, start);
                }
            }
        }
    }
}

/// Offset of the `len`-byte window of `word` (lowercase) least likely to occur in text.
fn rarest_window(word: &[u8], len: usize) -> usize {
    let score = |i: usize| {
        word[i..i + len]
            .iter()
            .map(|&b| rank(b) as u32)
            .sum::<u32>()
    };
    (0..=word.len() - len)
        .min_by_key(|&i| score(i))
        .unwrap_or(0)
}

/// How common a byte is in text (any case for letters): higher is more common.
fn rank(b: u8) -> u8 {
    RANK[b as usize].max(RANK[b.to_ascii_uppercase() as usize])
}

/// Heuristic byte frequency ranks (higher: more common) from the `memchr` crate
/// (`src/arch/all/packedpair/default_rank.rs`, Unlicense/MIT), built from a mix of source code,
/// prose and binaries.
#[rustfmt::skip]
static RANK: [u8; 256] = [
     55,  52,  51,  50,  49,  48,  47,  46,  45, 103, 242,  66,  67, 229,  44,  43,
     42,  41,  40,  39,  38,  37,  36,  35,  34,  33,  56,  32,  31,  30,  29,  28,
    255, 148, 164, 149, 136, 160, 155, 173, 221, 222, 134, 122, 232, 202, 215, 224,
    208, 220, 204, 187, 183, 179, 177, 168, 178, 200, 226, 195, 154, 184, 174, 126,
    120, 191, 157, 194, 170, 189, 162, 161, 150, 193, 142, 137, 171, 176, 185, 167,
    186, 112, 175, 192, 188, 156, 140, 143, 123, 133, 128, 147, 138, 146, 114, 223,
    151, 249, 216, 238, 236, 253, 227, 218, 230, 247, 135, 180, 241, 233, 246, 244,
    231, 139, 245, 243, 251, 235, 201, 196, 240, 214, 152, 182, 205, 181, 127,  27,
    212, 211, 210, 213, 228, 197, 169, 159, 131, 172, 105,  80,  98,  96,  97,  81,
    207, 145, 116, 115, 144, 130, 153, 121, 107, 132, 109, 110, 124, 111,  82, 108,
    118, 141, 113, 129, 119, 125, 165, 117,  92, 106,  83,  72,  99,  93,  65,  79,
    166, 237, 163, 199, 190, 225, 209, 203, 198, 217, 219, 206, 234, 248, 158, 239,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
];

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    fn hits(words: &[&str], text: &[u8]) -> Vec<(usize, usize)> {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let mut out = Vec::new();
        KeywordSet::new(&words).for_each(text, |k, s| out.push((k, s)));
        out.sort_unstable();
        out
    }

    /// The reference: aho-corasick's overlapping, ASCII case-insensitive search.
    fn reference(words: &[&str], text: &[u8]) -> Vec<(usize, usize)> {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(words)
            .unwrap();
        let mut out: Vec<_> = ac
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_overlapping_and_case_insensitive_occurrences_once_each() {
        let words = [
            "key", "apikey", "KEY_ID", "ke", "ghp_", "$2y$", "pass", "password",
        ];
        let text = b"ApiKey = 1; key_id: KEY; Password=pass ghp_x $2Y$ kekey";
        let got = hits(&words, text);
        assert_eq!(got, reference(&words, text));
        // Control: the cases the test is about are in there.
        assert!(got.contains(&(0, 3)) && got.contains(&(1, 0)), "{got:?}");
        assert!(
            got.contains(&(2, 12)),
            "upper-case keyword, mixed-case text: {got:?}"
        );
    }

    #[test]
    fn edges_of_the_text_and_short_keywords() {
        let words = ["ab", "b", "zz"];
        assert_eq!(hits(&words, b"ab"), vec![(0, 0), (1, 1)]);
        assert_eq!(hits(&words, b"b"), vec![(1, 0)]);
        assert_eq!(hits(&words, b"zzz"), vec![(2, 0), (2, 1)]);
        assert_eq!(hits(&words, b""), vec![]);
        assert_eq!(hits(&words, b"xyz"), vec![]);
    }

    #[test]
    fn agrees_with_aho_corasick_on_every_builtin_keyword() {
        let mut words: Vec<String> = crate::secrets::builtin_rules()
            .unwrap()
            .into_iter()
            .flat_map(|(r, _)| r.keywords)
            .map(|k| k.to_ascii_lowercase())
            .collect();
        words.sort();
        words.dedup();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        // Real text: this crate's own sources and rule files, plus keywords in odd case.
        let mut text = Vec::new();
        for f in [
            "src/secrets/mod.rs",
            "src/scan/mod.rs",
            "rules/secrets/aws.toml",
        ] {
            text.extend(
                std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + f).unwrap(),
            );
        }
        for w in &words {
            text.extend(w.to_ascii_uppercase().bytes());
            text.push(b' ');
        }
        let got = hits(&refs, &text);
        assert!(got.len() > words.len(), "{}", got.len());
        assert_eq!(got, reference(&refs, &text));
    }

    /// Every file under `dir`, read into memory.
    fn read_tree(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                read_tree(&e.path(), out);
            } else if t.is_file() {
                out.push(std::fs::read(e.path()).unwrap());
            }
        }
    }

    /// The harness behind the figures in the module doc: the built-in keywords over every file of
    /// a tree (`PIPEGUARD_BENCH_TREE`, default the corpus of `benches/tree-corpus.sh`), read into
    /// memory first. `cargo test --release -p pipeguard-core keywords::tests::bench -- --ignored
    /// --nocapture`; under callgrind, `PIPEGUARD_BENCH_ROUNDS=1`.
    #[test]
    #[ignore = "benchmark: needs a corpus on disk"]
    fn bench_keyword_pass_on_a_tree() {
        let dir = std::env::var("PIPEGUARD_BENCH_TREE")
            .unwrap_or_else(|_| "/tmp/pipeguard-bench/tree".to_string());
        let rounds: usize = std::env::var("PIPEGUARD_BENCH_ROUNDS")
            .map(|r| r.parse().unwrap())
            .unwrap_or(5);
        let mut files = Vec::new();
        read_tree(std::path::Path::new(&dir), &mut files);
        let bytes: usize = files.iter().map(Vec::len).sum();
        let mut words: Vec<String> = crate::secrets::builtin_rules()
            .unwrap()
            .into_iter()
            .flat_map(|(r, _)| r.keywords)
            .map(|k| k.to_ascii_lowercase())
            .collect();
        words.sort();
        words.dedup();
        let set = KeywordSet::new(&words);
        let mut best = f64::MAX;
        let mut hits = 0usize;
        for _ in 0..rounds {
            hits = 0;
            let t = std::time::Instant::now();
            for f in &files {
                set.for_each(f, |_, _| hits += 1);
            }
            best = best.min(t.elapsed().as_nanos() as f64 / bytes as f64);
        }
        println!(
            "{} keywords, {} files, {bytes} bytes: {best:.3} ns/byte (best of {rounds}), {hits} hits",
            words.len(),
            files.len()
        );
        assert!(hits > 0);
    }
}
