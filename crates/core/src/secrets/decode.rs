//! Encoded text worth a second look: base64 (Kubernetes Secret `data:`, Docker `auth`, basic-auth
//! headers), percent-encoding and `\uXXXX` / `\xNN` escapes. Only segments that decode to
//! printable text are kept, and both the segment size and the total decoded per blob are bounded,
//! so memory stays flat on adversarial input.

use base64::Engine as _;

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

/// Runs of base64 characters (plus trailing `=` padding) at least [`MIN_RUN`] long.
///
/// Any such run that starts in `i..i + MIN_RUN` covers byte `i + MIN_RUN - 1`, so when that byte
/// is not base64 the scan skips `MIN_RUN` bytes at once: ordinary text is mostly skipped.
fn base64_runs(text: &[u8], out: &mut Vec<(usize, usize, Encoding)>) {
    let is_b64 = |b: u8| CLASS[b as usize] & B64 != 0;
    let n = text.len();
    let mut i = 0;
    while i + MIN_RUN <= n {
        let probe = i + MIN_RUN - 1;
        if !is_b64(text[probe]) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && is_b64(text[start - 1]) {
            start -= 1;
        }
        let mut run_end = probe + 1;
        while run_end < n && is_b64(text[run_end]) {
            run_end += 1;
        }
        let mut end = run_end;
        while end < n && end - run_end < 2 && text[end] == b'=' {
            end += 1;
        }
        if run_end - start >= MIN_RUN && end - start <= MAX_SEGMENT && mixed(&text[start..run_end])
        {
            out.push((start, end, Encoding::Base64));
        }
        i = end + 1;
    }
}

/// Tokens (URL-ish characters between delimiters) holding at least two escapes that `valid`
/// recognises at the positions `memchr` finds `marker` at.
fn escaped_tokens(
    text: &[u8],
    marker: &[u8],
    escape_len: usize,
    encoding: Encoding,
    out: &mut Vec<(usize, usize, Encoding)>,
) {
    let valid = |p: usize| -> bool {
        let hex = &text[p + marker.len()..(p + escape_len).min(text.len())];
        hex.len() == escape_len - marker.len() && hex.iter().all(u8::is_ascii_hexdigit)
    };
    let mut last_end = 0;
    for p in memchr::memmem::find_iter(text, marker) {
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
        let escapes = memchr::memmem::find_iter(&text[start..end], marker)
            .filter(|&q| valid(start + q))
            .take(2)
            .count();
        if escapes >= 2 {
            out.push((start, end, encoding));
        }
    }
}

/// Every decodable segment of `text`, within `budget` decoded bytes (decremented).
pub fn segments(text: &[u8], budget: &mut usize) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut candidates: Vec<(usize, usize, Encoding)> = Vec::new();
    base64_runs(text, &mut candidates);
    escaped_tokens(text, b"%", 3, Encoding::Percent, &mut candidates);
    escaped_tokens(text, b"\\u", 6, Encoding::Escapes, &mut candidates);
    escaped_tokens(text, b"\\x", 4, Encoding::Escapes, &mut candidates);
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

    #[test]
    fn budget_bounds_work() {
        let big = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3".repeat(10);
        let mut budget = 10;
        assert!(segments(big.as_bytes(), &mut budget).is_empty());
    }
}
