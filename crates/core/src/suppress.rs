//! What is allowed: path and line allowlists, inline `pipeguard:allow` comments, and the baseline.

use crate::error::Error;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// True when `line` carries an inline suppression for `rule_id`:
/// `pipeguard:allow` (every rule) or `pipeguard:allow[id, other-id]`; `gitleaks:allow` is honoured too.
pub fn inline_allows(line: &[u8], rule_id: &str) -> bool {
    if memfind(line, b"gitleaks:allow").is_some() {
        return true;
    }
    let mut rest = line;
    while let Some(pos) = memfind(rest, b"pipeguard:allow") {
        let after = &rest[pos + b"pipeguard:allow".len()..];
        match after.first() {
            Some(b'[') => {
                let end = after.iter().position(|&b| b == b']').unwrap_or(after.len());
                let ids = String::from_utf8_lossy(&after[1..end]);
                if ids
                    .split(',')
                    .map(str::trim)
                    .any(|id| id.eq_ignore_ascii_case(rule_id))
                {
                    return true;
                }
            }
            _ => return true,
        }
        rest = after;
    }
    false
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A baseline: fingerprints of accepted findings. Never the secret.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
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

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule_id, &a.fingerprint).cmp(&(&b.path, &b.rule_id, &b.fingerprint))
        });
        entries.dedup();
        Baseline {
            version: 1,
            findings: entries,
        }
    }

    /// The baseline that accepts every finding of a report (what `pipeguard baseline` writes).
    pub fn from_report(report: &crate::scan::Report) -> Self {
        Self::from_findings(&report.findings)
    }

    /// Write the baseline as pretty JSON (fingerprints, rule ids and paths; never a secret).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_json()).map_err(|e| Error::io(path, e))
    }

    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let b: Baseline = serde_json::from_str(&text).map_err(|e| Error::Config {
            file: path.display().to_string(),
            line: e.line(),
            column: e.column(),
            message: format!("invalid baseline: {e}"),
        })?;
        if b.version != 1 {
            return Err(Error::Config {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("unsupported baseline version {}", b.version),
            });
        }
        Ok(b)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("baseline serialises") + "\n"
    }

    pub fn fingerprints(&self) -> HashSet<String> {
        self.findings
            .iter()
            .map(|e| e.fingerprint.clone())
            .collect()
    }
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
}
