//! The secret rule schema: one `[[rule]]` entry in `rules/secrets/*.toml`, or in a user's
//! `[[rules.custom]]`. The same struct, the same validation, for both.

use crate::finding::{Confidence, Severity};
use serde::{Deserialize, Serialize};

/// A secret rule as written in TOML.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable kebab-case id naming the bad thing, e.g. `aws-access-key-id`.
    pub id: String,
    /// One-line title.
    pub name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Case-insensitive literals; a rule only runs on blobs containing one of them.
    pub keywords: Vec<String>,
    /// A regex with exactly one capture group: the secret. ASCII semantics (`\w`, `\b`, `\s`, `(?i)`).
    pub pattern: String,
    /// Which capture group is the secret when the pattern has several (imported gitleaks rules);
    /// 0 is the whole match. Built-in rules have exactly one group and leave this unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_group: Option<usize>,
    /// Only run on paths matching this regex (gitleaks' `path`); `paths` globs are preferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_pattern: Option<String>,
    /// Minimum Shannon entropy (bits per byte) of the captured secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_entropy: Option<f64>,
    /// A named offline check of the captured secret (see [`super::validate::Validator`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<String>,
    /// Only run on paths matching one of these globs (e.g. `**/.npmrc`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Whether the shared placeholder/stopword allowlist applies (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub placeholder_filter: bool,
    /// Rule-specific allowlist on the captured secret.
    #[serde(default, skip_serializing_if = "RuleAllowlist::is_empty")]
    pub allowlist: RuleAllowlist,
    /// What the secret is and why a leak matters.
    pub description: String,
    /// How to fix: rotate, revoke, and what to use instead.
    pub fix: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Texts that must produce exactly this rule's finding.
    pub examples: Vec<String>,
    /// Texts that must not produce a finding.
    pub negative_examples: Vec<String>,
    /// Real-world shapes the rule knowingly misses (must not fire either).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_misses: Vec<String>,
}

/// Per-rule exceptions, applied to the captured secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleAllowlist {
    /// Regexes; a secret matching any of them is not reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regexes: Vec<String>,
    /// Case-insensitive substrings; a secret containing any of them is not reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopwords: Vec<String>,
    /// Regexes over the path; findings of this rule in a matching path are not reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

impl RuleAllowlist {
    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty() && self.stopwords.is_empty() && self.paths.is_empty()
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// Compile a user or built-in pattern with pipeguard's flavour: bytes, ASCII classes, multi-line.
pub(crate) fn compile_pattern(pattern: &str) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .multi_line(true)
        .size_limit(32 << 20)
        .dfa_size_limit(8 << 20)
        .build()
}

/// Compile a rule's pattern for scanning, with [`compile_pattern`]'s flavour and limits.
///
/// `lite` leaves out what only pays off on long haystacks: literal prefilters (extracting them
/// is a third of a generic rule's compile time) and the one-pass DFA. The lazy DFA stays: it
/// costs nothing until used.
pub(crate) fn compile_rule_regex(
    pattern: &str,
    lite: bool,
) -> Result<regex_automata::meta::Regex, String> {
    use regex_automata::{meta, util::syntax};
    meta::Builder::new()
        .syntax(
            syntax::Config::new()
                .unicode(false)
                .utf8(false)
                .multi_line(true),
        )
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(32 << 20))
                .hybrid_cache_capacity(HYBRID_CACHE)
                .onepass(false)
                .auto_prefilter(!lite),
        )
        .build(pattern)
        .map_err(|e| e.to_string())
}

/// Most memory a rule's lazy DFA may use per thread before it starts over.
const HYBRID_CACHE: usize = 8 << 20;

pub(crate) use super::shape::parser;

/// Whether `pattern` parses, without the cost of compiling it.
pub(crate) fn check_pattern(pattern: &str) -> Result<(), regex::Error> {
    parser()
        .parse(pattern)
        .map(|_| ())
        .map_err(|e| regex::Error::Syntax(e.to_string()))
}
