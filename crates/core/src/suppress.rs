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
