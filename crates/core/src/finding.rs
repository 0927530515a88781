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
    /// The offending line with the secret redacted (or not, with `--no-redact`).
    pub excerpt: String,
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

/// Redact a secret for display: keep a short prefix that identifies the kind of token
/// (`ghp_`, `AKIA`) but never enough to be useful, then `*****`.
pub fn redact_secret(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = if n >= 16 { 4 } else { 0 };
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}*****")
}

/// The excerpt shown for a finding: the line, trimmed, cut to at most `MAX_EXCERPT` chars around
/// the match, with every occurrence of the secret redacted unless `redact` is false.
pub fn excerpt(line: &str, secret: Option<&str>, redact: bool) -> String {
    const MAX_EXCERPT: usize = 160;
    let mut text = line.trim().to_string();
    let mut focus = None;
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        // Redact every occurrence before cutting, so that a cut never exposes part of a secret.
        let shown = if redact {
            redact_secret(secret)
        } else {
            secret.to_string()
        };
        if redact {
            text = text.replace(secret, &shown);
        }
        focus = text.find(&shown).map(|p| (p, p + shown.len()));
    }
    if text.len() <= MAX_EXCERPT {
        return text;
    }
    let (a, b) = focus.unwrap_or((0, 0));
    let start = floor_char(&text, a.saturating_sub(40));
    let end = ceil_char(&text, (b + 60).max(start + MAX_EXCERPT).min(text.len()));
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        &text[start..end],
        if end < text.len() { "…" } else { "" }
    )
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
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

    #[test]
    fn excerpt_redacts_every_occurrence_and_long_lines() {
        let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let line = format!(
            "{} token = \"{secret}\" # {secret} {}",
            "x".repeat(300),
            "y".repeat(300)
        );
        let e = excerpt(&line, Some(secret), true);
        assert!(!e.contains(secret));
        assert!(!e.contains("abcdefghijklmnop"));
        assert!(e.contains("ghp_*****"));
        assert!(e.len() < 300);
        let raw = excerpt(&line, Some(secret), false);
        assert!(raw.contains(secret));
    }

    #[test]
    fn short_secrets_keep_no_prefix() {
        assert_eq!(redact_secret("hunter2"), "*****");
    }
}
