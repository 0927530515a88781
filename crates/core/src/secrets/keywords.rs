//! The keyword pass: every occurrence of every rule keyword, ASCII case-insensitively, overlapping
//! ones included, each exactly once.
//!
//! An aho-corasick automaton over 500+ case-insensitive keywords is a DFA of some hundred KB
//! whose every step is a load that depends on the previous one; a later design probed three
//! hashed bitmaps per position. Both made this pass the hot loop of history scans. Here:
//!
//! - Each keyword is anchored on one of its trigrams, the least common in source code (a table
//!   of the 4096 most common trigrams of seven languages, see [`trigrams`]); two-byte keywords
//!   are their own anchor.
//! - The first stage reads, per text position, the `u32` indexed by the next two bytes, as they
//!   are (64 Ki words, every case spelling of an anchor's pair filled in), and tests the bit
//!   numbered by the third byte's low five bits (all bits for a two-byte anchor). No case folding,
//!   no hashing and no state carried from byte to byte: a pair load, a table load, a bit test and
//!   a branch per position, eight positions per step.
//! - About 1 % of positions pass on real source (most are occurrences of an anchor; some only
//!   share its third byte's low bits). For those, the anchors under the pair and third byte are
//!   looked up and each keyword is compared in full, eight bytes at a time.
//!
//! Measured with `keywords::tests::bench_keyword_pass_on_a_tree` on the 236 MB tree of
//! `benches/tree-corpus.sh` (579 built-in keywords): 0.57 ns/byte of CPU and 6.2 instructions per
//! byte (callgrind), against 2.28 ns/byte and 40 instructions for the three-bitmap version.
//!
//! The cost per position does not depend on the number of keywords. More keywords add anchors,
//! hence candidate positions (verification is about a third of the pass) and hits to report:
//! doubling the built-in keywords (each also reversed) costs about 1.2x per byte, most of it the
//! extra hits.

mod trigrams;

/// A set of keywords ready to search for.
#[derive(Debug, Clone)]
pub(crate) struct KeywordSet {
    /// Lowercased keywords, by index.
    words: Vec<Word>,
    /// The first stage, indexed by the two bytes at a position (every spelling of an anchor's
    /// pair): bit `c & 31` is set when an anchor starts with the pair and has third byte `c`; all
    /// 32 bits are set for a two-byte keyword.
    first: Box<[u32; 1 << 16]>,
    /// Per spelling of an anchor's pair, its group (anchors are grouped by lowercase pair; there
    /// are fewer than 230 * 230 of those): the 32 buckets from `32 * group`, one per bit of
    /// `first`, where `entries[buckets[b]..buckets[b + 1]]` are the keywords anchored there.
    groups: Box<[u16; 1 << 16]>,
    buckets: Vec<u32>,
    entries: Vec<Entry>,
    /// One-byte keywords (only user rules can have them), lowercased.
    singles: Vec<(u8, u32)>,
    /// Keywords that match everywhere (empty ones).
    empty: Vec<u32>,
}

/// A keyword, in the bucket of its anchor.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The anchor's third byte (lowercase), or `None` for a two-byte keyword.
    third: Option<u8>,
    /// Where the anchor starts in the keyword.
    offset: u32,
    word: u32,
}

/// A lowercased keyword, and its first eight bytes as a little-endian word (zero-padded) with the
/// mask of the bytes it has: most keywords are checked with one masked comparison.
#[derive(Debug, Clone)]
struct Word {
    bytes: Box<[u8]>,
    head: u64,
    mask: u64,
}

impl Word {
    fn new(bytes: Vec<u8>) -> Self {
        let n = bytes.len().min(8);
        let mut head = [0u8; 8];
        head[..n].copy_from_slice(&bytes[..n]);
        Word {
            head: u64::from_le_bytes(head),
            mask: u64::MAX.checked_shr(8 * (8 - n as u32)).unwrap_or(0),
            bytes: bytes.into_boxed_slice(),
        }
    }

    /// Whether the keyword occurs in `text` at `start`, ASCII case-insensitively.
    fn at(&self, text: &[u8], start: usize) -> bool {
        let Some(t) = text.get(start..start + self.bytes.len()) else {
            return false;
        };
        match text.get(start..start + 8) {
            Some(head) if lower8(head) & self.mask != self.head => false,
            Some(_) if self.bytes.len() <= 8 => true,
            _ => eq_lower(t, &self.bytes),
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Eight bytes (little-endian) with ASCII upper-case letters lowercased, all at once.
fn lower8(bytes: &[u8]) -> u64 {
    let x = u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"));
    let low7 = x & (0x7f * ONES);
    // Per byte, bit 7 is set when the low seven bits are at least `A` (resp. past `Z`): no carry
    // crosses a byte. Bytes with bit 7 set are not ASCII and stay as they are.
    let from_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = from_a & !past_z & !x & (0x80 * ONES);
    x | upper >> 2
}

/// `text == word` ASCII case-insensitively, `word` lowercase and both of the same length.
fn eq_lower(text: &[u8], word: &[u8]) -> bool {
    let n = word.len();
    if n < 8 {
        return text.eq_ignore_ascii_case(word);
    }
    let chunks = text.chunks_exact(8).zip(word.chunks_exact(8));
    // The last eight bytes overlap the chunks when the length is not a multiple of eight.
    let last = (&text[n - 8..], &word[n - 8..]);
    chunks
        .chain(std::iter::once(last))
        .all(|(t, w)| lower8(t) == u64::from_le_bytes(w.try_into().expect("eight bytes")))
}

/// Two bytes as a first-stage index.
fn pair(a: u8, b: u8) -> u16 {
    u16::from_le_bytes([a, b])
}

/// Every spelling of a lowercase pair that matches it ASCII case-insensitively.
fn spellings([a, b]: [u8; 2]) -> impl Iterator<Item = u16> {
    let cases = |x: u8| {
        [x, x.to_ascii_uppercase()]
            .into_iter()
            .take(if x.is_ascii_lowercase() { 2 } else { 1 })
    };
    cases(a).flat_map(move |a| cases(b).map(move |b| pair(a, b)))
}

impl KeywordSet {
    /// Keywords are compared ASCII case-insensitively; `words[i]` is reported as `i`.
    pub(crate) fn new(words: &[String]) -> Self {
        // (lowercase pair, entry) per keyword of two bytes or more.
        let mut anchored: Vec<([u8; 2], Entry)> = Vec::new();
        let mut singles = Vec::new();
        let mut empty = Vec::new();
        let mut lowered = Vec::with_capacity(words.len());
        let mut first = Box::new([0u32; 1 << 16]);
        for (i, w) in words.iter().enumerate() {
            let w = w.as_bytes().to_ascii_lowercase();
            match w.len() {
                0 => empty.push(i as u32),
                1 => singles.push((w[0], i as u32)),
                n => {
                    let at = if n == 2 { 0 } else { rarest_trigram(&w) };
                    let third = w.get(at + 2).copied();
                    let bits = third.map_or(u32::MAX, |c| 1 << (c & 31));
                    let lower = [w[at], w[at + 1]];
                    for p in spellings(lower) {
                        first[p as usize] |= bits;
                    }
                    let entry = Entry {
                        third,
                        offset: at as u32,
                        word: i as u32,
                    };
                    anchored.push((lower, entry));
                }
            }
            lowered.push(Word::new(w));
        }
        anchored.sort_by_key(|&(lower, e)| (lower, e.third, e.word));
        let mut groups = Box::new([0u16; 1 << 16]);
        let mut buckets = Vec::new();
        let mut entries = Vec::new();
        for (group, same) in anchored.chunk_by(|a, b| a.0 == b.0).enumerate() {
            for p in spellings(same[0].0) {
                groups[p as usize] = group as u16;
            }
            for bit in 0..32 {
                buckets.push(entries.len() as u32);
                entries.extend(
                    same.iter()
                        .map(|&(_, e)| e)
                        .filter(|e| e.third.is_none_or(|c| u32::from(c & 31) == bit)),
                );
            }
        }
        buckets.push(entries.len() as u32);
        KeywordSet {
            words: lowered,
            first,
            groups,
            buckets,
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
        if self.entries.is_empty() {
            return;
        }
        // Eight positions per step (the inner loop is unrolled), then one at a time. Each step loads
        // the ten pairs from `at` once; the third byte of position `j` is the low byte of pair
        // `j + 2`. Per position: one load of a pair, one of its `first` word, a bit test (which
        // takes the bit index modulo 32 from the register) and a branch.
        let mut at = 0;
        while let Some(block) = text.get(at..at + 11) {
            let pairs: [u16; 10] = std::array::from_fn(|j| {
                u16::from_le_bytes(block[j..j + 2].try_into().expect("two bytes"))
            });
            for j in 0..8 {
                let c = pairs[j + 2] as u8;
                if self.candidate(pairs[j], c) {
                    self.verify(text, at + j, c, &mut hit);
                }
            }
            at += 8;
        }
        for (i, w) in text[at..].windows(3).enumerate() {
            if self.candidate(pair(w[0], w[1]), w[2]) {
                self.verify(text, at + i, w[2], &mut hit);
            }
        }
        // The last pair has no third byte: only two-byte keywords (all bits set) start there.
        if let [.., a, b] = *text {
            if self.candidate(pair(a, b), 0) {
                self.verify(text, text.len() - 2, 0, &mut hit);
            }
        }
    }

    /// The first stage: whether an anchor may start with bytes `p`, then `c`.
    #[inline(always)]
    fn candidate(&self, p: u16, c: u8) -> bool {
        self.first[p as usize] >> (c & 31) & 1 != 0
    }

    /// How many positions of `text` pass the first stage (for the bench).
    #[cfg(test)]
    fn candidates(&self, text: &[u8]) -> usize {
        let last = matches!(*text, [.., a, b] if self.candidate(pair(a, b), 0));
        text.windows(3)
            .filter(|w| self.candidate(pair(w[0], w[1]), w[2]))
            .count()
            + last as usize
    }

    /// The keywords whose anchor may start at `at` (with third byte `c`), checked in full.
    #[cold]
    fn verify(&self, text: &[u8], at: usize, c: u8, hit: &mut impl FnMut(usize, usize)) {
        let group = self.groups[pair(text[at], text[at + 1]) as usize] as usize;
        let bucket = group * 32 + (c & 31) as usize;
        let (from, to) = (self.buckets[bucket], self.buckets[bucket + 1]);
        let c = c.to_ascii_lowercase();
        for e in &self.entries[from as usize..to as usize] {
            if e.third.is_some_and(|t| t != c) {
                continue;
            }
            let Some(start) = at.checked_sub(e.offset as usize) else {
                continue;
            };
            if self.words[e.word as usize].at(text, start) {
                hit(e.word as usize, start);
            }
        }
    }
}

/// Offset of the three-byte window of `word` (lowercase, at least three bytes) least likely to
/// occur in text: the least common trigram of source code (see [`trigrams`]), ties broken by the
/// rarer bytes.
fn rarest_trigram(word: &[u8]) -> usize {
    let score = |i: usize| {
        let t = &word[i..i + 3];
        let bytes: u32 = t.iter().map(|&b| rank(b) as u32).sum();
        (trigrams::weight(t[0], t[1], t[2]), bytes)
    };
    (0..=word.len() - 3).min_by_key(|&i| score(i)).unwrap_or(0)
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

    fn builtin_keywords() -> Vec<String> {
        let mut words: Vec<String> = crate::secrets::builtin_rules()
            .unwrap()
            .into_iter()
            .flat_map(|(r, _)| r.keywords)
            .map(|k| k.to_ascii_lowercase())
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// Both searches over many texts, each built once: the hits of each text, after checking that
    /// they agree.
    struct Both {
        set: KeywordSet,
        ac: aho_corasick::AhoCorasick,
    }

    impl Both {
        fn new(words: &[String]) -> Self {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(words)
                .unwrap();
            Both {
                set: KeywordSet::new(words),
                ac,
            }
        }

        fn check(&self, text: &[u8]) -> Vec<(usize, usize)> {
            let mut got = Vec::new();
            self.set.for_each(text, |k, s| got.push((k, s)));
            got.sort_unstable();
            let mut want: Vec<_> = self
                .ac
                .find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start()))
                .collect();
            want.sort_unstable();
            assert_eq!(got, want, "text {:?}", String::from_utf8_lossy(text));
            got
        }
    }

    /// The byte that `| 0x20` merges with `b` when ASCII case-insensitivity does not (`[` and
    /// `{`, `_` and DEL, `:` and 0x1A, 0xC3 and 0xE3, ...).
    fn fold_twin(b: u8) -> Option<u8> {
        (!b.is_ascii_alphabetic()).then_some(b ^ 0x20)
    }

    #[test]
    fn agrees_with_aho_corasick_on_every_builtin_keyword() {
        let words = builtin_keywords();
        let both = Both::new(&words);
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
        let got = both.check(&text);
        assert!(got.len() > words.len(), "{}", got.len());
    }

    /// Each keyword alone, all caps, at the very start and end, cut short (texts of fewer than
    /// four bytes included), overlapping itself, and with one byte swapped for the byte that
    /// `| 0x20` folds with it (which must not match); plus keywords with bytes of 0x80 and above.
    #[test]
    fn agrees_with_aho_corasick_on_adversarial_texts() {
        let mut words = builtin_keywords();
        words.extend(
            [
                "é", "x", "aa", "aaa", "aaaa", "[x]", "_a_", "@`", "k\u{7f}", "zé~",
            ]
            .map(String::from),
        );
        let both = Both::new(&words);
        let mut found = 0;
        let mut twins = 0;
        for w in &words {
            let w = w.as_bytes();
            let upper = w.to_ascii_uppercase();
            let mut texts: Vec<Vec<u8>> = vec![
                w.to_vec(),
                upper.clone(),
                [w, w].concat(),
                [w, &upper, w].concat(),
                [b" ", w].concat(),
                [w, b" "].concat(),
                [b"\xff\x00", w, b"\x80"].concat(),
            ];
            for k in 1..w.len() {
                texts.push(w[..k].to_vec());
                texts.push(w[k..].to_vec());
                texts.push([&w[k..], w, &w[..k]].concat());
            }
            for (i, &b) in w.iter().enumerate() {
                if let Some(t) = fold_twin(b) {
                    let mut v = w.to_vec();
                    v[i] = t;
                    texts.push(v.clone());
                    v.insert(0, b'a');
                    texts.push(v);
                }
            }
            for text in &texts {
                let got = both.check(text);
                found += got.len();
                if text.len() == w.len() && text != w && text != &upper {
                    // A fold twin: the keyword itself is not there.
                    twins += 1;
                }
            }
        }
        // Controls: the texts hold many occurrences, and the twin texts exist.
        assert!(found > 10 * words.len(), "{found}");
        assert!(twins > 100, "{twins}");
    }

    /// Random texts made of keyword pieces in random case, fold twins, bytes of 0x80 and above and
    /// plain ASCII, of every length up to 40 (the search works in steps of eight positions).
    #[test]
    fn agrees_with_aho_corasick_on_random_texts() {
        let mut words = builtin_keywords();
        words.extend(["é", "a", "ab", "aba", "::", ":0"].map(String::from));
        let both = Both::new(&words);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        const PLAIN: &[u8] = b" _:-./=\"'\n0aeiks";
        let mut found = 0;
        for _ in 0..20_000 {
            let len = next(41);
            let mut text = Vec::with_capacity(len + 32);
            while text.len() < len {
                match next(5) {
                    0 | 1 => {
                        let w = words[next(words.len())].as_bytes();
                        text.extend(w.iter().map(|&b| match next(3) {
                            0 => b.to_ascii_uppercase(),
                            1 => fold_twin(b).filter(|_| next(4) == 0).unwrap_or(b),
                            _ => b,
                        }));
                    }
                    2 => text.push(0x80 + next(128) as u8),
                    _ => text.push(PLAIN[next(PLAIN.len())]),
                }
            }
            text.truncate(len);
            found += both.check(&text).len();
        }
        assert!(found > 10_000, "{found}");
    }

    #[test]
    fn lowercases_eight_bytes_at_once() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = *b"Az@[`{Zq";
                bytes[lane] = b;
                let want = u64::from_le_bytes(bytes.map(|b| b.to_ascii_lowercase()));
                assert_eq!(lower8(&bytes), want, "byte {b:#x} in lane {lane}");
            }
        }
        // Control: upper-case letters do change.
        assert_eq!(lower8(b"ABCDEFGH"), u64::from_le_bytes(*b"abcdefgh"));
        assert!(eq_lower(b"Client_Secret_Key", b"client_secret_key"));
        assert!(!eq_lower(b"Client_Secret_Kez", b"client_secret_key"));
        assert!(!eq_lower(b"Client{Secret_Key", b"client[secret_key"));
    }

    #[test]
    fn the_trigram_table_is_sorted_and_knows_source_code() {
        let keys: Vec<u32> = trigrams::COMMON.iter().map(|e| e & 0xff_ffff).collect();
        assert!(
            keys.windows(2).all(|k| k[0] < k[1]),
            "sorted, no duplicates"
        );
        let weight = |t: &[u8; 3]| trigrams::weight(t[0], t[1], t[2]);
        for common in [b"the", b"ion", b"   ", b"(se", b"ret"] {
            assert!(weight(common) > 0, "{:?}", common);
        }
        assert_eq!(weight(b"THE"), weight(b"the"));
        assert!(weight(b"   ") > weight(b"ion"));
        // Controls: rare trigrams are not in it.
        assert_eq!(weight(b"qzj"), 0);
        assert_eq!(weight(b"_x7"), 0);
    }

    /// Every file under `dir`, read into memory.
    fn read_tree(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                read_tree(&e.path(), out);
            } else if t.is_file() {
                // Unreadable files (sockets, permissions) are not part of a corpus.
                out.extend(std::fs::read(e.path()).ok());
            }
        }
    }

    /// The harness behind the figures in the module doc: the built-in keywords over every file of
    /// a tree (`PIPEGUARD_BENCH_TREE`, default the corpus of `benches/tree-corpus.sh`), read into
    /// memory first, then twice as many keywords (each built-in one also reversed, plus those of
    /// `PIPEGUARD_BENCH_EXTRA_KEYWORDS`, a file with one per line): the cost per byte should not
    /// move (`PIPEGUARD_BENCH_MORE=0` skips that). `cargo test --release -p pipeguard-core
    /// keywords::tests::bench -- --ignored --nocapture`; under callgrind,
    /// `PIPEGUARD_BENCH_ROUNDS=1`.
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
        println!("{} files, {bytes} bytes", files.len());
        let words = builtin_keywords();
        let base = bench_keywords(&words, &files, rounds);
        if std::env::var("PIPEGUARD_BENCH_MORE").is_ok_and(|v| v == "0") {
            return;
        }
        let mut more: Vec<String> = words.iter().map(|w| w.chars().rev().collect()).collect();
        if let Ok(extra) = std::env::var("PIPEGUARD_BENCH_EXTRA_KEYWORDS") {
            let extra = std::fs::read_to_string(extra).unwrap();
            more.extend(extra.lines().map(str::to_ascii_lowercase));
        }
        more.extend(words);
        more.sort();
        more.dedup();
        let doubled = bench_keywords(&more, &files, rounds);
        println!("more keywords cost {:.3}x per byte", doubled / base);
    }

    /// ns/byte of the keyword pass over `files` (best of `rounds`), printed with the candidate
    /// positions and hits.
    fn bench_keywords(words: &[String], files: &[Vec<u8>], rounds: usize) -> f64 {
        let set = KeywordSet::new(words);
        let bytes: usize = files.iter().map(Vec::len).sum();
        // CPU time of this thread where Linux tells it (the machine may be shared), else wall time.
        let cpu = || -> Option<u64> {
            let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
            s.split(' ').next()?.parse().ok()
        };
        let mut best = f64::MAX;
        let mut hits = 0usize;
        for _ in 0..rounds {
            hits = 0;
            let (t, c) = (std::time::Instant::now(), cpu());
            for f in files {
                set.for_each(f, |_, _| hits += 1);
            }
            let ns = match (c, cpu()) {
                (Some(a), Some(b)) => b - a,
                _ => t.elapsed().as_nanos() as u64,
            };
            best = best.min(ns as f64 / bytes as f64);
        }
        let candidates: usize = files.iter().map(|f| set.candidates(f)).sum();
        println!(
            "{} keywords: {best:.3} ns/byte (best of {rounds}), {candidates} candidate positions \
             ({:.3} %), {hits} hits",
            words.len(),
            100.0 * candidates as f64 / bytes as f64
        );
        assert!(hits > 0);
        best
    }

    /// Rewrites `keywords/trigrams_data.rs` from the files under the directories listed
    /// (`:`-separated) in `PIPEGUARD_TRIGRAM_CORPUS`, one corpus per language: the
    /// [`trigrams::COUNT`] trigrams whose frequency in the corpus where they are most common is
    /// highest. A trigram common in any language makes a poor anchor.
    #[test]
    #[ignore = "regenerates data from a corpus on disk"]
    fn regenerate_common_trigrams() {
        let dirs = std::env::var("PIPEGUARD_TRIGRAM_CORPUS").expect("PIPEGUARD_TRIGRAM_CORPUS");
        // Per trigram, its highest frequency in any corpus (per 2^30 trigrams).
        let mut highest = vec![0f32; 1 << 24];
        let (mut files, mut total) = (0, 0);
        for d in dirs.split(':') {
            let mut corpus = Vec::new();
            read_tree(std::path::Path::new(d), &mut corpus);
            // Text only, as git tells binary files: no NUL in the first 8000 bytes.
            corpus.retain(|f| !f[..f.len().min(8000)].contains(&0));
            let mut counts = vec![0u32; 1 << 24];
            let mut n = 0u64;
            for f in &corpus {
                for t in f.windows(3) {
                    counts[trigrams::key(t[0], t[1], t[2]) as usize] += 1;
                }
                n += f.len().saturating_sub(2) as u64;
            }
            for (h, &c) in highest.iter_mut().zip(&counts) {
                *h = h.max((c as f64 / n as f64 * (1u64 << 30) as f64) as f32);
            }
            files += corpus.len();
            total += n;
        }
        let mut common: Vec<(f32, u32)> = (0..1 << 24).map(|k| (highest[k as usize], k)).collect();
        common.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        common.truncate(trigrams::COUNT);
        let mut table: Vec<u32> = common
            .iter()
            .map(|&(f, k)| ((8.0 * f.log2()).round().clamp(1.0, 255.0) as u32) << 24 | k)
            .collect();
        table.sort_unstable_by_key(|e| e & 0xff_ffff);
        let mut out = format!(
            "// Generated by `keywords::tests::regenerate_common_trigrams` (see there) from {files} files\n\
             // ({total} trigrams) in {} corpora; do not edit.\n\n\
             /// The {} most common trigrams, folded (`| 0x20` on each byte), as \
             `b0 | b1 << 8 | b2 << 16 | weight << 24`,\n\
             /// sorted by trigram, where `weight` is `8 log2(frequency * 2^30)` in the language where\n\
             /// the trigram is most common.\n\
             #[rustfmt::skip]\npub(super) static COMMON: [u32; COUNT] = [\n",
            dirs.split(':').count(),
            trigrams::COUNT,
        );
        for row in table.chunks(8) {
            let row: Vec<String> = row.iter().map(|e| format!("0x{e:08x},")).collect();
            out += &format!("    {}\n", row.join(" "));
        }
        out += "];\n";
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/secrets/keywords/trigrams_data.rs"
        );
        std::fs::write(path, out).unwrap();
    }
}
