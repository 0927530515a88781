//! Encoded text worth a second look: base64 (Kubernetes Secret `data:`, Docker `auth`, basic-auth
//! headers), percent-encoding and `\uXXXX` / `\xNN` escapes. Only segments that decode to
//! printable text are kept, and both the segment size and the total decoded per blob are bounded,
//! so memory stays flat on adversarial input.

use base64::Engine as _;
use memchr::memmem::Finder;
use std::sync::OnceLock;

/// Largest encoded segment that is decoded; longer runs are skipped.
pub const MAX_SEGMENT: usize = 64 << 10;
/// Most bytes decoded from one blob, all layers together.
pub const MAX_DECODED_PER_BLOB: usize = 1 << 20;

/// How a segment was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Base64,
    Percent,
    Escapes,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Percent => "percent",
            Encoding::Escapes => "escapes",
        }
    }
}

/// A decoded segment: where the encoded text is, and what it says.
#[derive(Debug, Clone)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub encoding: Encoding,
    pub decoded: Vec<u8>,
}

/// Byte classes for the hand-written scanners below (a table beats a regex over whole files).
const B64: u8 = 1;
const URL: u8 = 2;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let alnum = c.is_ascii_alphanumeric();
        // Standard base64 only: what Kubernetes, Docker and Basic auth use. URL-safe tokens
        // (JWTs, …) have rules of their own, and `_`/`-` would make every snake_case or
        // kebab-case identifier a candidate.
        if alnum || c == b'+' || c == b'/' {
            t[b] |= B64;
        }
        if alnum
            || matches!(
                c,
                b'.' | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'*'
                    | b'+'
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
                    | b'?'
                    | b'-'
                    | b'%'
                    | b'\\'
            )
        {
            t[b] |= URL;
        }
        b += 1;
    }
    t
};

/// Shortest base64 run worth decoding.
const MIN_RUN: usize = 20;

/// Bytes [`base64_runs`] looks at together: one bit each in a `u64`.
const BLOCK: usize = 64;

/// One bit per byte of `text[at..at + 64]`, bit `j` for byte `at + j`, set for the standard
/// base64 alphabet (bytes past the end of `text` are clear). The per-byte test is plain
/// comparisons, which the compiler turns into vector instructions; each 8 flags are then gathered
/// into 8 bits by one multiplication (the partial products land on distinct bits, so nothing
/// carries into the top byte).
fn base64_mask(text: &[u8], at: usize) -> u64 {
    let mut tail = [0u8; BLOCK];
    let block: &[u8; BLOCK] = match text.get(at..at + BLOCK) {
        Some(b) => b.try_into().expect("BLOCK bytes"),
        None => {
            let rest = text.get(at..).unwrap_or_default();
            tail[..rest.len()].copy_from_slice(rest);
            &tail
        }
    };
    let mut flags = [0u8; BLOCK];
    for (f, &b) in flags.iter_mut().zip(block) {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        *f = u8::from(letter | digit | (b == b'+') | (b == b'/'));
    }
    let mut mask = 0;
    for (k, eight) in flags.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
        mask |= (word.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

/// Maximal runs of base64 characters at least [`MIN_RUN`] long (plus up to two `=` of padding)
/// whose characters are [`mixed`].
///
/// Text is looked at 64 bytes at a time as a bit mask: and-ing the mask (joined to the next
/// block's) with itself shifted by 1, 2, 4, 8 and 4 leaves set exactly the bits where
/// [`MIN_RUN`] base64 bytes start, so ordinary text costs a few vector and word operations per
/// block, with no branch per byte, and only real runs are looked at byte by byte.
fn base64_runs(text: &[u8], out: &mut Vec<(usize, usize, Encoding)>) {
    let is_b64 = |b: u8| CLASS[b as usize] & B64 != 0;
    let n = text.len();
    // Where the next run may start: the previous one ended at a byte that is not base64.
    let mut pos: usize = 0;
    let mut at = 0;
    let mut mask = base64_mask(text, 0);
    while at < n {
        let next = base64_mask(text, at + BLOCK);
        let mut long = u128::from(mask) | u128::from(next) << BLOCK;
        // Bit j stays set when bits j..j + 2, 4, 8, 16, then 20 were all set.
        long &= long >> 1;
        long &= long >> 2;
        long &= long >> 4;
        long &= long >> 8;
        long &= long >> 4;
        let mut starts = (long as u64) & (u64::MAX << pos.saturating_sub(at));
        while starts != 0 {
            // The first such bit at or after `pos` starts a maximal run: a base64 byte before
            // it would have set the bit before.
            let start = at + starts.trailing_zeros() as usize;
            let mut run_end = start + MIN_RUN;
            while run_end < n && is_b64(text[run_end]) {
                run_end += 1;
            }
            let mut end = run_end;
            while end < n && end - run_end < 2 && text[end] == b'=' {
                end += 1;
            }
            if end - start <= MAX_SEGMENT && mixed(&text[start..run_end]) {
                out.push((start, end, Encoding::Base64));
            }
            pos = run_end;
            if pos >= at + BLOCK {
                break;
            }
            starts &= u64::MAX << (pos - at);
        }
        let following = at + BLOCK;
        at = following.max(pos / BLOCK * BLOCK);
        mask = if at == following {
            next
        } else {
            base64_mask(text, at)
        };
    }
}

/// Tokens (URL-ish characters between delimiters) holding at least two escapes that `valid`
/// recognises at the positions `finder` finds its marker at.
fn escaped_tokens(
    text: &[u8],
    finder: &Finder<'static>,
    escape_len: usize,
    encoding: Encoding,
    out: &mut Vec<(usize, usize, Encoding)>,
) {
    let marker = finder.needle().len();
    let valid = |p: usize| -> bool {
        let hex = &text[p + marker..(p + escape_len).min(text.len())];
        hex.len() == escape_len - marker && hex.iter().all(u8::is_ascii_hexdigit)
    };
    let mut last_end = 0;
    for p in finder.find_iter(text) {
        if p < last_end || !valid(p) {
            continue;
        }
        let mut start = p;
        while start > 0 && CLASS[text[start - 1] as usize] & URL != 0 {
            start -= 1;
        }
        let mut end = p;
        while end < text.len() && CLASS[text[end] as usize] & URL != 0 {
            end += 1;
        }
        last_end = end;
        if end - start > MAX_SEGMENT {
            continue;
        }
        let escapes = finder
            .find_iter(&text[start..end])
            .filter(|&q| valid(start + q))
            .take(2)
            .count();
        if escapes >= 2 {
            out.push((start, end, encoding));
        }
    }
}

/// The escape markers, searched for in every blob: built once.
fn finders() -> &'static [Finder<'static>; 3] {
    static FINDERS: OnceLock<[Finder<'static>; 3]> = OnceLock::new();
    FINDERS.get_or_init(|| [Finder::new("%"), Finder::new("\\u"), Finder::new("\\x")])
}

/// Every decodable segment of `text`, within `budget` decoded bytes (decremented).
pub fn segments(text: &[u8], budget: &mut usize) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut candidates: Vec<(usize, usize, Encoding)> = Vec::new();
    base64_runs(text, &mut candidates);
    let [percent, unicode, hex] = finders();
    escaped_tokens(text, percent, 3, Encoding::Percent, &mut candidates);
    escaped_tokens(text, unicode, 6, Encoding::Escapes, &mut candidates);
    escaped_tokens(text, hex, 4, Encoding::Escapes, &mut candidates);
    for (start, end, encoding) in candidates {
        if *budget == 0 {
            break;
        }
        let s = &text[start..end];
        let decoded = match encoding {
            Encoding::Base64 => decode_base64(s),
            Encoding::Percent => Some(decode_percent(s)),
            Encoding::Escapes => decode_escapes(s),
        };
        let Some(decoded) = decoded.filter(|d| printable(d)) else {
            continue;
        };
        if decoded.len() > *budget {
            continue;
        }
        *budget -= decoded.len();
        out.push(Segment {
            start,
            end,
            encoding,
            decoded,
        });
    }
    out
}

/// Base64 of text has upper case, lower case and digits; identifiers and paths rarely all three
/// in a 20+ run without separators.
fn mixed(s: &[u8]) -> bool {
    s.iter().any(u8::is_ascii_uppercase)
        && s.iter().any(u8::is_ascii_lowercase)
        && s.iter().any(u8::is_ascii_digit)
}

fn decode_base64(s: &[u8]) -> Option<Vec<u8>> {
    let body = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    if body.len() % 4 == 1 {
        return None;
    }
    let url = body.iter().any(|&b| b == b'-' || b == b'_');
    let std = body.iter().any(|&b| b == b'+' || b == b'/');
    if url && std {
        return None;
    }
    let engine = if url {
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
    } else {
        &base64::engine::general_purpose::STANDARD_NO_PAD
    };
    engine.decode(body).ok()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_percent(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' && i + 2 < s.len() {
            if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn decode_escapes(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() {
            let (digits, len) = match s[i + 1] {
                b'u' => (4, 6),
                b'x' => (2, 4),
                _ => (0, 0),
            };
            if digits > 0 && i + len <= s.len() {
                let hexs = &s[i + 2..i + len];
                if let Ok(v) = u32::from_str_radix(std::str::from_utf8(hexs).ok()?, 16) {
                    out.push(char::from_u32(v)?);
                    i += len;
                    continue;
                }
            }
        }
        out.push(s[i] as char);
        i += 1;
    }
    Some(out.into_bytes())
}

/// Decoded text worth scanning: at least 8 bytes, valid UTF-8, almost all printable.
fn printable(d: &[u8]) -> bool {
    if d.len() < 8 {
        return false;
    }
    let Ok(s) = std::str::from_utf8(d) else {
        return false;
    };
    let total = s.chars().count();
    let good = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    good * 100 >= total * 95
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_base64_of_text_and_skips_identifiers() {
        // "user:hunter2-very-secret" in base64
        let text = b"auth: dXNlcjpodW50ZXIyLXZlcnktc2VjcmV0\nname: ThisIsAVeryLongIdentifierName";
        let mut budget = MAX_DECODED_PER_BLOB;
        let segs = segments(text, &mut budget);
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].decoded, b"user:hunter2-very-secret");
        assert_eq!(
            &text[segs[0].start..segs[0].end],
            b"dXNlcjpodW50ZXIyLXZlcnktc2VjcmV0"
        );
    }

    #[test]
    fn percent_and_escapes() {
        let mut budget = MAX_DECODED_PER_BLOB;
        let segs = segments(b"url=postgres%3A%2F%2Fu%3Apw%40db", &mut budget);
        assert!(
            segs.iter().any(|s| s.decoded == b"url=postgres://u:pw@db"),
            "{segs:?}"
        );
        let segs = segments(br#"k = "\x67\x68\x70\x5fabc\u0064ef""#, &mut budget);
        assert!(
            segs.iter().any(|s| s.decoded.starts_with(b"ghp_abcdef")),
            "{segs:?}"
        );
    }

    /// The definition `base64_runs` implements, byte by byte.
    fn runs_by_definition(text: &[u8]) -> Vec<(usize, usize, Encoding)> {
        let is_b64 = |b: u8| CLASS[b as usize] & B64 != 0;
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if !is_b64(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && is_b64(text[i]) {
                i += 1;
            }
            let mut end = i;
            while end < text.len() && end - i < 2 && text[end] == b'=' {
                end += 1;
            }
            if i - start >= MIN_RUN && end - start <= MAX_SEGMENT && mixed(&text[start..i]) {
                out.push((start, end, Encoding::Base64));
            }
        }
        out
    }

    #[test]
    fn base64_runs_match_their_definition() {
        // Random text over base64 and separator bytes, biased towards long runs, so that runs
        // start and end at every offset of a block and cross block boundaries.
        let alphabet = b"aZ9+/aZ9+/aZ9+/aZ9+/= -_.\n\xc3";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut found = 0;
        for case in 0..3000 {
            let len = (next() % 400) as usize;
            // Some cases are almost all base64, some have separators every few bytes.
            let spread = 1 + case % 7;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next() as usize;
                    if r % spread == 0 {
                        alphabet[r / 7 % alphabet.len()]
                    } else {
                        alphabet[r / 7 % 20]
                    }
                })
                .collect();
            let mut got = Vec::new();
            base64_runs(&text, &mut got);
            let want = runs_by_definition(&text);
            assert_eq!(got, want, "text {:?}", String::from_utf8_lossy(&text));
            found += want.len();
        }
        // Control: the cases do hold runs.
        assert!(found > 500, "{found}");
        // A run longer than MAX_SEGMENT is skipped whole, and what follows it is still found.
        let mut text = b"Ab1".repeat(MAX_SEGMENT);
        text.extend_from_slice(b" QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3");
        let mut got = Vec::new();
        base64_runs(&text, &mut got);
        assert_eq!(got, runs_by_definition(&text));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, 3 * MAX_SEGMENT + 1);
    }

    #[test]
    fn base64_after_a_short_word_and_padding_is_found_at_any_offset() {
        // `key=<base64>`: the `=` after a short word is not padding that hides the value's first
        // character, wherever the line sits in the blob (one offset in 20 used to miss it).
        for pad in 0..130 {
            let text = format!("{}key=dXNlcjpodW50ZXIyLXZlcnktc2VjcmV0\n", " ".repeat(pad));
            let mut budget = MAX_DECODED_PER_BLOB;
            let segs = segments(text.as_bytes(), &mut budget);
            assert_eq!(segs.len(), 1, "offset {pad}: {segs:?}");
            assert_eq!(segs[0].decoded, b"user:hunter2-very-secret", "offset {pad}");
            assert_eq!(segs[0].start, pad + 4);
        }
        // Control: a value that is one character short of a run is not a candidate.
        let mut budget = MAX_DECODED_PER_BLOB;
        assert!(segments(b"key=dXNlcjpodW50ZXIyLXZ\n", &mut budget).is_empty());
    }

    #[test]
    fn budget_bounds_work() {
        let big = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3".repeat(10);
        let mut budget = 10;
        assert!(segments(big.as_bytes(), &mut budget).is_empty());
    }
}
