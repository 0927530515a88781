//! Rules test themselves: every example through the full engine with only that rule on.
//! Used by the catalogue test and by `pipeguard rules check` on users' own rules.

use super::{lint_rule, Rule, RuleSource};
use crate::config::Config;
use crate::scan::Scanner;
use std::collections::HashSet;

/// A path on which a rule restricted by `paths` runs: the first glob with wildcards filled in.
pub fn example_path(rule: &Rule) -> String {
    match rule.paths.first() {
        None => "example.txt".to_string(),
        Some(glob) => glob
            .trim_start_matches("**/")
            .replace("**/", "")
            .replace("**", "x")
            .replace(['*', '?'], "x")
            .replace(['{', '}', '[', ']'], ""),
    }
}

/// Every problem with one rule: static lint, then examples (must fire and capture exactly the
/// pattern's capture), negative examples and known misses (must not fire).
pub fn check_rule(rule: &Rule, source: &RuleSource, base: &Config) -> Vec<String> {
    let mut problems = lint_rule(rule);
    if !problems.is_empty() {
        return problems;
    }
    let mut config = base.clone();
    config.redact = false;
    config.policy = false;
    config.disabled.clear();
    config.baseline = None;
    config.min_confidence = crate::finding::Confidence::Low;
    let scanner = match Scanner::with_rules(config, vec![(rule.clone(), source.clone())]) {
        Ok(s) => s,
        Err(e) => return vec![e.to_string()],
    };
    let re = match super::rule::compile_pattern(&rule.pattern) {
        Ok(re) => re,
        Err(e) => return vec![format!("pattern does not compile: {e}")],
    };
    let path = example_path(rule);
    for ex in &rule.examples {
        let blob = scanner.scan_bytes(&path, ex.as_bytes());
        let expected: HashSet<String> = re
            .captures_iter(ex.as_bytes())
            .filter_map(|c| c.get(rule.secret_group.unwrap_or(1)))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
            .collect();
        let found: Vec<&str> = blob
            .findings
            .iter()
            .filter(|f| f.rule_id == rule.id && !f.extra.contains_key("decoded"))
            .filter_map(|f| f.secret.as_deref())
            .collect();
        if found.is_empty() {
            let why = if expected.is_empty() {
                "the pattern does not match it"
            } else {
                "the pattern matches, but entropy, validator or an allowlist rejects the capture"
            };
            problems.push(format!("example does not fire ({why}): {ex:?}"));
        } else if let Some(bad) = found.iter().find(|s| !expected.contains(**s)) {
            problems.push(format!(
                "example fires with secret {bad:?}, which is not the pattern's capture: {ex:?}"
            ));
        }
    }
    for (kind, list) in [
        ("negative example", &rule.negative_examples),
        ("known miss", &rule.known_misses),
    ] {
        for ex in list {
            let blob = scanner.scan_bytes(&path, ex.as_bytes());
            if let Some(f) = blob.findings.first() {
                problems.push(format!(
                    "{kind} fires (secret {:?}): {ex:?}",
                    f.secret.as_deref().unwrap_or("")
                ));
            }
        }
    }
    problems
}

/// Check a whole catalogue: every rule, plus unique ids. Returns `(rule id, location, problem)`.
pub fn check_catalog(rules: &[(Rule, RuleSource)], base: &Config) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (rule, source) in rules {
        let loc = match source.line {
            Some(l) => format!("{}:{l}", source.file),
            None => source.file.clone(),
        };
        if !seen.insert(rule.id.clone()) {
            out.push((
                rule.id.clone(),
                loc.clone(),
                "duplicate rule id".to_string(),
            ));
        }
        for p in check_rule(rule, source, base) {
            out.push((rule.id.clone(), loc.clone(), p));
        }
    }
    out
}
