//! What is allowed: path and line allowlists, inline `pipeguard:allow` comments, and the baseline.

use crate::error::Error;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// True when `line` carries an inline suppression for `rule_id`:
/// `pipeguard:allow` (every rule) or `pipeguard:allow[id, other-id]`; `gitleaks:allow` is honoured too.
pub fn inline_allows(line: &[u8], rule_id: &str) -> bool {
    InlineAllow::parse(line).allows(rule_id)
}

/// The inline suppressions of one line, parsed once (one pass over the line) and then asked for
/// any number of findings.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InlineAllow {
    /// A bare `pipeguard:allow` or `gitleaks:allow`: every rule.
    all: bool,
    /// Ids listed in `pipeguard:allow[...]`, lowercase.
    ids: Vec<String>,
}

impl InlineAllow {
    pub fn parse(line: &[u8]) -> Self {
        let mut out = InlineAllow::default();
        crate::finding::work::add(line.len());
        if memchr::memmem::find(line, b"gitleaks:allow").is_some() {
            out.all = true;
            return out;
        }
        const MARK: &[u8] = b"pipeguard:allow";
        for pos in memchr::memmem::find_iter(line, MARK) {
            let after = &line[pos + MARK.len()..];
            if after.first() != Some(&b'[') {
                out.all = true;
                return out;
            }
            let end = memchr::memchr(b']', after).unwrap_or(after.len());
            let ids = String::from_utf8_lossy(&after[1..end]);
            out.ids.extend(
                ids.split(',')
                    .map(|id| id.trim().to_ascii_lowercase())
                    .filter(|id| !id.is_empty()),
            );
        }
        out
    }

    pub fn allows(&self, rule_id: &str) -> bool {
        self.all || self.ids.iter().any(|id| id.eq_ignore_ascii_case(rule_id))
    }

    /// Whether the line suppresses anything at all.
    pub fn is_empty(&self) -> bool {
        !self.all && self.ids.is_empty()
    }
}

/// The baseline format written today.
pub const BASELINE_VERSION: u32 = 2;

/// A baseline: accepted findings, each recorded as HMAC-SHA256(salt ‖ key, fingerprint) with a
/// random salt stored in the file and an optional key the binaries read from the environment
/// (`PIPEGUARD_BASELINE_KEY`). A committed baseline is therefore no dictionary for weak
/// passwords: precomputed tables do not apply, and with a key nothing can be tested offline.
/// Version 1 files (plain fingerprints) are still read, with a deprecation note.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    /// Hex; absent in version 1.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub salt: String,
    /// Whether the entries were keyed with a key kept outside the file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keyed: bool,
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding. `path` and `rule_id` are there for humans reviewing the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
}

/// A loaded baseline, ready to answer "is this finding accepted?".
#[derive(Debug, Clone)]
pub struct Accepted {
    mac_key: Option<Vec<u8>>,
    entries: HashSet<String>,
}

impl Accepted {
    pub fn contains(&self, fingerprint: &str) -> bool {
        match &self.mac_key {
            Some(k) => self.entries.contains(&hmac_hex(k, fingerprint.as_bytes())),
            None => self.entries.contains(fingerprint),
        }
    }
}

impl Baseline {
    /// A baseline accepting `findings`, with a fresh random salt and the optional key.
    pub fn from_findings(findings: &[Finding], key: Option<&[u8]>) -> Result<Self, Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| Error::Other(format!("no randomness for the baseline salt: {e}")))?;
        Ok(Self::with_salt(findings, &salt, key))
    }

    fn with_salt(findings: &[Finding], salt: &[u8], key: Option<&[u8]>) -> Self {
        let mac_key = mac_key(salt, key);
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: hmac_hex(&mac_key, f.fingerprint.as_bytes()),
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule_id, &a.fingerprint).cmp(&(&b.path, &b.rule_id, &b.fingerprint))
        });
        entries.dedup();
        Baseline {
            version: BASELINE_VERSION,
            salt: hex(salt),
            keyed: key.is_some(),
            findings: entries,
        }
    }

    /// The baseline that accepts every finding of a report (what `pipeguard baseline` writes).
    pub fn from_report(report: &crate::scan::Report, key: Option<&[u8]>) -> Result<Self, Error> {
        Self::from_findings(&report.findings, key)
    }

    /// Write the baseline as pretty JSON (salted, keyed hashes, rule ids and paths; never a
    /// secret, never a plain fingerprint).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_json()).map_err(|e| Error::io(path, e))
    }

    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let err = |line: usize, column: usize, message: String| Error::Config {
            file: path.display().to_string(),
            line,
            column,
            message,
        };
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| err(e.line(), e.column(), format!("invalid baseline: {e}")))?;
        match b.version {
            1 => Ok(b),
            BASELINE_VERSION if unhex(&b.salt).is_some_and(|s| s.len() >= 16) => Ok(b),
            BASELINE_VERSION => Err(err(1, 1, "baseline salt missing or invalid".to_string())),
            v => Err(err(1, 1, format!("unsupported baseline version {v}"))),
        }
    }

    /// What version 1 files deserve: a note that they hold unsalted fingerprints.
    pub fn deprecation(&self, path: &Path) -> Option<String> {
        (self.version == 1).then(|| {
            format!(
                "{}: baseline version 1 holds unsalted fingerprints (a dictionary for weak \
                 passwords); rewrite it with `pipeguard baseline`",
                path.display()
            )
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("baseline serialises") + "\n"
    }

    /// The accepted set, keyed with `key` (the one the baseline was written with).
    pub fn accepted(&self, path: &Path, key: Option<&[u8]>) -> Result<Accepted, Error> {
        if self.keyed && key.is_none() {
            return Err(Error::Config {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: "this baseline was written with a key (PIPEGUARD_BASELINE_KEY); set the \
                          same key to use it"
                    .to_string(),
            });
        }
        let entries = self
            .findings
            .iter()
            .map(|e| e.fingerprint.clone())
            .collect();
        let mac_key = match self.version {
            1 => None,
            _ => Some(mac_key(&unhex(&self.salt).unwrap_or_default(), key)),
        };
        Ok(Accepted { mac_key, entries })
    }
}

fn mac_key(salt: &[u8], key: Option<&[u8]>) -> Vec<u8> {
    let mut k = salt.to_vec();
    k.extend_from_slice(key.unwrap_or_default());
    k
}

/// HMAC-SHA256 (RFC 2104), hex.
fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    hex(&outer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_allow_forms() {
        assert!(inline_allows(b"key = 'x' # pipeguard:allow", "any-rule"));
        assert!(inline_allows(
            b"key = 'x' // pipeguard:allow[a-rule, b-rule]",
            "b-rule"
        ));
        assert!(!inline_allows(
            b"key = 'x' // pipeguard:allow[a-rule]",
            "b-rule"
        ));
        assert!(inline_allows(b"key = 'x' # gitleaks:allow", "b-rule"));
        assert!(!inline_allows(b"key = 'x'", "b-rule"));
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
