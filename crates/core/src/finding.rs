//! Findings: what every engine produces and every reporter renders.
//!
//! A finding never holds the full secret in its serialised form unless redaction was turned off;
//! the fingerprint hashes (rule id, path, secret) and never the line, so baselines survive edits.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// How bad a finding is. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS-like score GitHub code scanning reads from `security-severity`.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected low, medium, high or critical)"
            )),
        }
    }
}

/// How sure the engine is that the finding is real. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!(
                "unknown confidence `{other}` (expected low, medium or high)"
            )),
        }
    }
}

/// Which engine produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Secret,
    Policy,
}

/// The commit that introduced a finding (history and range scans).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub email: String,
    /// RFC 3339, UTC.
    pub date: String,
    pub summary: String,
}

/// One thing pipeguard reports. Deserialisable so that reports can be merged (`pipeguard merge`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub kind: Kind,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in bytes.
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// What is wrong and what to do, one or two sentences.
    pub message: String,
    /// The offending line, cut around the finding, control characters escaped, and every secret
    /// pipeguard recognises on it redacted (or not, with `--no-redact`).
    pub excerpt: String,
    /// `column` and `end_column` counted in UTF-16 code units (what SARIF declares), when they
    /// differ from the byte columns (non-ASCII text before them).
    #[serde(skip)]
    pub columns_utf16: Option<(usize, usize)>,
    /// The secret itself; only serialised when redaction is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Stable across line moves: sha256(rule id, path, secret or policy anchor), hex.
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Rule-specific facts, e.g. `aws_account_id`, `decoded = "base64"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

impl Finding {
    /// Drop the plaintext secret (the default for every output).
    pub fn redact(&mut self) {
        self.secret = None;
    }

    /// Sort key for deterministic output.
    pub fn sort_key(&self) -> (Option<&str>, &str, usize, usize, &str) {
        (
            self.repository.as_deref(),
            self.path.as_str(),
            self.line,
            self.column,
            self.rule_id.as_str(),
        )
    }
}

/// sha256 over the parts, separated by NUL, as lowercase hex (64 chars).
pub fn fingerprint(rule_id: &str, path: &str, anchor: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(anchor);
    hex(&h.finalize())
}

/// sha256 of a secret alone, for baselines that must not depend on the path.
pub fn secret_hash(secret: &[u8]) -> String {
    hex(&Sha256::digest(secret))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A byte range of a blob that holds a secret, and how many of its first bytes may be shown
/// (a fixed prefix that names the kind of token, such as `ghp_`; never a byte the secret chose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mask {
    pub start: usize,
    pub end: usize,
    pub keep: usize,
}

/// Every secret span of a blob, sorted and merged: what an excerpt must never show.
#[derive(Debug, Default, Clone)]
pub struct Masks(Vec<Mask>);

impl Masks {
    /// Sort and merge overlapping spans (a merged span keeps the prefix of its first part, cut
    /// where the next part starts).
    pub fn new(mut spans: Vec<Mask>) -> Self {
        spans.retain(|m| m.end > m.start);
        spans.sort_unstable_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut out: Vec<Mask> = Vec::with_capacity(spans.len());
        for m in spans {
            match out.last_mut() {
                Some(last) if m.start < last.end => {
                    last.end = last.end.max(m.end);
                }
                _ => out.push(Mask {
                    keep: m.keep.min(m.end - m.start),
                    ..m
                }),
            }
        }
        Masks(out)
    }

    /// The masks that intersect `start..end`, in order (binary search: no scan of the blob).
    pub fn within(&self, start: usize, end: usize) -> &[Mask] {
        let a = self.0.partition_point(|m| m.end <= start);
        let b = self.0.partition_point(|m| m.start < end);
        &self.0[a..b.max(a)]
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a redacted secret looks like: its shown prefix, then `*****`.
pub fn redact_secret(prefix: &str) -> String {
    format!("{}*****", crate::report::escape::control(prefix))
}

/// A count of the bytes the per-finding and per-line steps look at (excerpts, suppression
/// comments, column maps), per thread: what the tests use to prove that those steps stay linear
/// in the input whatever its shape, without timing anything.
#[doc(hidden)]
pub mod work {
    use std::cell::Cell;
    thread_local!(static BYTES: Cell<u64> = const { Cell::new(0) });

    pub(crate) fn add(n: usize) {
        BYTES.with(|b| b.set(b.get() + n as u64));
    }

    /// The count so far on this thread, reset to 0.
    pub fn take() -> u64 {
        BYTES.with(|b| b.replace(0))
    }
}

/// Bytes of context shown before the focus of an excerpt.
const EXCERPT_BEFORE: usize = 60;
/// Bytes of source text an excerpt shows at most (besides a long focus, itself cut at
/// [`EXCERPT_FOCUS`]).
const EXCERPT_MAX: usize = 160;
/// Bytes of the focus itself shown at most (only reached with redaction off).
const EXCERPT_FOCUS: usize = 200;

/// The excerpt shown for a finding: the line `line` (which starts at blob offset `line_start`),
/// cut to a window around `focus` (blob offsets), control characters escaped, and, when `redact`,
/// every span of `masks` on the line replaced by its prefix and `*****`. Masks are applied before
/// the cut and are never cut themselves, so a window edge cannot show part of a secret. Costs
/// O(window), whatever the length of the line.
pub fn excerpt(
    line: &[u8],
    line_start: usize,
    focus: (usize, usize),
    masks: &Masks,
    redact: bool,
) -> String {
    let len = line.len();
    let f0 = focus.0.saturating_sub(line_start).min(len);
    let f1 = focus.1.saturating_sub(line_start).clamp(f0, len);
    let f1 = f1.min(f0 + EXCERPT_FOCUS);
    let mut start = if f0 <= EXCERPT_BEFORE {
        0
    } else {
        char_floor(line, f0 - EXCERPT_BEFORE)
    };
    let mut end = (start + EXCERPT_MAX).max(f1).min(len);
    if len - end < 16 {
        end = len;
    }
    end = char_ceil(line, end);
    work::add(end - start);
    let masks: &[Mask] = if redact {
        masks.within(line_start + start, line_start + end)
    } else {
        &[]
    };
    // A window that starts inside a mask starts after it.
    if let Some(m) = masks.first() {
        if m.start < line_start + start {
            start = (m.end - line_start).min(end);
        }
    }
    let (lead_cut, tail_cut) = (start > 0, end < len);
    let mut out = String::new();
    if lead_cut {
        out.push('…');
    }
    let mut pos = start;
    for m in masks {
        let (ms, me) = (m.start - line_start, (m.end - line_start).min(len));
        if ms < pos {
            continue;
        }
        push_text(&mut out, &line[pos..ms]);
        let keep = m.keep.min(me - ms);
        out.push_str(&redact_secret(&String::from_utf8_lossy(
            &line[ms..ms + keep],
        )));
        pos = me;
    }
    if pos < end {
        push_text(&mut out, &line[pos..end]);
    }
    let mut text = if lead_cut {
        out
    } else {
        out.trim_start().to_string()
    };
    if tail_cut {
        text.push('…');
    } else {
        text.truncate(text.trim_end().len());
    }
    text
}

fn push_text(out: &mut String, bytes: &[u8]) {
    out.push_str(&crate::report::escape::control(&String::from_utf8_lossy(
        bytes,
    )));
}

/// The largest index `<= i` that does not split a UTF-8 sequence.
fn char_floor(b: &[u8], mut i: usize) -> usize {
    let stop = i.saturating_sub(3);
    while i > stop && i < b.len() && (b[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// The smallest index `>= i` that does not split a UTF-8 sequence.
fn char_ceil(b: &[u8], mut i: usize) -> usize {
    let stop = (i + 3).min(b.len());
    while i < stop && (b[i] & 0xC0) == 0x80 {
        i += 1;
    }
    i
}

/// Byte columns to UTF-16 columns (what SARIF's `utf16CodeUnits` counts) on one line, built
/// once in O(line) and looked up by binary search, so that many findings on one long line stay
/// linear. Invalid UTF-8 counts as U+FFFD per invalid sequence, as the excerpt shows it.
#[derive(Debug, Default, Clone)]
pub struct Utf16Columns {
    /// (byte offset just after a non-ASCII sequence, bytes minus UTF-16 units up to there).
    steps: Vec<(usize, usize)>,
}

impl Utf16Columns {
    pub fn new(line: &[u8]) -> Self {
        let mut steps = Vec::new();
        work::add(line.len());
        if line.is_ascii() {
            return Utf16Columns { steps };
        }
        let (mut pos, mut delta) = (0, 0);
        for chunk in line.utf8_chunks() {
            for c in chunk.valid().chars() {
                pos += c.len_utf8();
                if c.len_utf8() > 1 {
                    delta += c.len_utf8() - c.len_utf16();
                    steps.push((pos, delta));
                }
            }
            let bad = chunk.invalid().len();
            if bad > 0 {
                pos += bad;
                delta += bad - 1;
                steps.push((pos, delta));
            }
        }
        Utf16Columns { steps }
    }

    /// The 1-based UTF-16 column of a 1-based byte column.
    pub fn column(&self, byte_col: usize) -> usize {
        let offset = byte_col.saturating_sub(1);
        let i = self.steps.partition_point(|&(p, _)| p <= offset);
        byte_col - if i == 0 { 0 } else { self.steps[i - 1].1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Low < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().is_err());
    }

    #[test]
    fn fingerprint_ignores_line_but_not_path_or_secret() {
        let a = fingerprint("r", "a.txt", b"s3cr3t");
        assert_eq!(a, fingerprint("r", "a.txt", b"s3cr3t"));
        assert_ne!(a, fingerprint("r", "b.txt", b"s3cr3t"));
        assert_ne!(a, fingerprint("r", "a.txt", b"other"));
        assert_eq!(a.len(), 64);
    }

    fn masks(spans: &[(usize, usize, usize)]) -> Masks {
        Masks::new(
            spans
                .iter()
                .map(|&(start, end, keep)| Mask { start, end, keep })
                .collect(),
        )
    }

    #[test]
    fn excerpt_redacts_every_secret_on_the_line_and_cuts_long_lines() {
        let a = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let b = "UJbS9xq2Lm7Rt4Vw8Yz1Ab3Cd5Ef6Gh7Ij8Kl9Mn";
        let line = format!(
            "{} token = \"{a}\" # other=\"{b}\" {}",
            "x".repeat(300),
            "y".repeat(300)
        );
        let at = |s: &str| line.find(s).unwrap();
        let m = masks(&[(at(a), at(a) + a.len(), 4), (at(b), at(b) + b.len(), 0)]);
        let e = excerpt(line.as_bytes(), 0, (at(a), at(a) + a.len()), &m, true);
        assert!(e.contains("ghp_*****"), "{e}");
        assert!(
            !e.contains("abcdefgh") && !e.contains("UJbS9x") && !e.contains("Mn\""),
            "{e}"
        );
        assert!(
            e.starts_with('…') && e.ends_with('…') && e.len() < 260,
            "{e}"
        );
        // Control: without redaction the secret is there.
        let raw = excerpt(line.as_bytes(), 0, (at(a), at(a) + a.len()), &m, false);
        assert!(raw.contains(a));
    }

    #[test]
    fn a_cut_never_shows_part_of_a_neighbouring_secret() {
        // The window ends in the middle of the second secret and starts in the middle of a
        // first one: both are masked whole, never half shown.
        let first = "A".repeat(10) + "s3cr3tPrefixVal";
        let line = format!("{first}{}k=\"{}\"", " ".repeat(90), "Zq8".repeat(30));
        let s1 = (0, first.len(), 0);
        let b0 = line.find("Zq8").unwrap();
        let s2 = (b0, b0 + 90, 0);
        let focus = (b0 - 5, b0 - 4);
        let e = excerpt(line.as_bytes(), 0, focus, &masks(&[s1, s2]), true);
        assert!(!e.contains("Zq8") && !e.contains("Prefix"), "{e}");
        assert!(e.contains("k=\"*****"), "{e}");
        // Control: the same window without masks shows the neighbour.
        let plain = excerpt(line.as_bytes(), 0, focus, &Masks::default(), true);
        assert!(plain.contains("Zq8"), "{plain}");
    }

    #[test]
    fn excerpts_escape_control_characters() {
        let line = b"key=x\x1b[2J\r::error::y";
        let e = excerpt(line, 0, (0, 3), &Masks::default(), true);
        assert_eq!(e, "key=x\\x1b[2J\\r::error::y");
    }

    #[test]
    fn excerpt_work_is_bounded_on_long_lines() {
        let line = "p=\"abcdefgh\" ".repeat(200_000);
        let at = 1_000_000;
        let m = masks(
            &(0..200_000)
                .map(|i| (i * 13 + 3, i * 13 + 11, 0))
                .collect::<Vec<_>>(),
        );
        let e = excerpt(line.as_bytes(), 0, (at, at + 8), &m, true);
        assert!(e.len() < 400, "{}", e.len());
        assert!(!e.contains("abcdefgh"));
    }

    #[test]
    fn masks_merge_and_search() {
        let m = masks(&[(10, 20, 4), (15, 30, 2), (40, 50, 0)]);
        assert_eq!(m.within(0, 100).len(), 2);
        assert_eq!(
            m.within(0, 100)[0],
            Mask {
                start: 10,
                end: 30,
                keep: 4
            }
        );
        assert_eq!(m.within(30, 40).len(), 0);
        assert_eq!(m.within(49, 60).len(), 1);
    }

    #[test]
    fn utf16_columns_count_code_units() {
        let line = "é😀x=1".as_bytes();
        let c = Utf16Columns::new(line);
        assert_eq!(c.column(1), 1);
        assert_eq!(c.column(3), 2); // after é (2 bytes, 1 unit)
        assert_eq!(c.column(7), 4); // after 😀 (4 bytes, 2 units)
        assert_eq!(Utf16Columns::new(b"abc").column(3), 3);
    }

    #[test]
    fn redacted_label_shows_only_the_prefix() {
        assert_eq!(redact_secret(""), "*****");
        assert_eq!(redact_secret("ghp_"), "ghp_*****");
    }
}
