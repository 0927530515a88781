//! SARIF 2.1.0 for GitHub code scanning and other viewers.
//!
//! One `reportingDescriptor` per rule id that has a result, relative URIs under `%SRCROOT%`,
//! `partialFingerprints` with the line-independent fingerprint, `security-severity` on rules,
//! and only redacted snippets. Results beyond GitHub's limit are dropped with a notification.

use super::{Context, RuleDoc};
use crate::finding::{Finding, Kind, Severity};
use crate::scan::{Level, Report};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// GitHub code scanning accepts at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What a caller may add to a run: the code-scanning category and where the code came from.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `automationDetails.id`, code scanning's category (default `pipeguard/`). Analyses of one
    /// category replace each other; give different scans (changes, history) different ones.
    pub category: Option<String>,
    /// `versionControlProvenance`: the repository URL, the commit scanned, its branch (`refs/…`).
    pub repository_uri: Option<String>,
    pub revision_id: Option<String>,
    pub branch: Option<String>,
}

pub fn render(report: &Report, ctx: &Context<'_>) -> String {
    render_with(report, ctx, &Options::default())
}

pub fn render_with(report: &Report, ctx: &Context<'_>, opts: &Options) -> String {
    super::escape::json(
        serde_json::to_string_pretty(&to_value_with(report, ctx, opts)).expect("sarif serialises"),
    ) + "\n"
}

/// Whether a report has more findings than a SARIF file may hold.
pub fn truncated(report: &Report) -> bool {
    report.findings.len() > MAX_RESULTS
}

/// The findings that go into the SARIF file: all of them, or, beyond GitHub's limit, the
/// `MAX_RESULTS` most severe (GitHub also keeps the most severe), in report order.
fn kept(report: &Report) -> Vec<&Finding> {
    if !truncated(report) {
        return report.findings.iter().collect();
    }
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    // Stable: among equals, report order wins.
    order.sort_by_key(|&i| std::cmp::Reverse(report.findings[i].severity));
    order.truncate(MAX_RESULTS);
    order.sort_unstable();
    order.into_iter().map(|i| &report.findings[i]).collect()
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

pub fn to_value(report: &Report, ctx: &Context<'_>) -> Value {
    to_value_with(report, ctx, &Options::default())
}

pub fn to_value_with(report: &Report, ctx: &Context<'_>, opts: &Options) -> Value {
    let findings = kept(report);
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for f in &findings {
        if !index.contains_key(f.rule_id.as_str()) {
            index.insert(f.rule_id.as_str(), rules.len());
            rules.push(rule_descriptor(f, ctx.docs.get(&f.rule_id)));
        }
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, index[f.rule_id.as_str()]))
        .collect();
    let mut notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .filter(|d| d.level != Level::Note)
        .map(|d| {
            let mut n = json!({
                "level": if d.level == Level::Error { "error" } else { "warning" },
                "message": { "text": d.message },
            });
            if let Some(p) = &d.path {
                n["locations"] = json!([{ "physicalLocation": {
                    "artifactLocation": { "uri": uri(p), "uriBaseId": "%SRCROOT%" } } }]);
            }
            n
        })
        .collect();
    if truncated(report) {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{} findings; only the {MAX_RESULTS} most severe are in this SARIF file (GitHub's limit); `pipeguard scan --format json` lists them all.",
                report.findings.len()) },
        }));
    }
    let mut doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pipeguard",
                "version": ctx.tool_version,
                "semanticVersion": ctx.tool_version,
                "informationUri": "https://github.com/pipeguard/pipeguard",
                "rules": rules,
            }},
            "automationDetails": { "id": opts.category.as_deref().unwrap_or("pipeguard/") },
            "columnKind": "utf16CodeUnits",
            "invocations": [{
                "executionSuccessful": !report.has_errors(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    if report.stats.findings_capped > 0 {
        doc["runs"][0]["properties"] = json!({ "findingsCapped": report.stats.findings_capped });
    }
    if let Some(uri) = &opts.repository_uri {
        let mut vcs = json!({ "repositoryUri": uri });
        if let Some(rev) = &opts.revision_id {
            vcs["revisionId"] = json!(rev);
        }
        if let Some(branch) = &opts.branch {
            vcs["branch"] = json!(branch);
        }
        doc["runs"][0]["versionControlProvenance"] = json!([vcs]);
    }
    doc
}

fn rule_descriptor(f: &Finding, doc: Option<&RuleDoc>) -> Value {
    let title = doc.map_or(f.title.as_str(), |d| d.title.as_str());
    let description = doc
        .map(|d| d.description.clone())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| title.to_string());
    let fix = doc.map(|d| d.fix.clone()).unwrap_or_default();
    let refs = doc.map(|d| d.references.clone()).unwrap_or_default();
    let mut markdown = format!("**{title}**\n\n{description}\n");
    if !fix.is_empty() {
        markdown.push_str(&format!("\n**How to fix**\n\n{fix}\n"));
    }
    if !refs.is_empty() {
        markdown.push_str("\n**References**\n\n");
        for r in &refs {
            markdown.push_str(&format!("- <{r}>\n"));
        }
    }
    markdown.push_str(&format!(
        "\nSuppress a false positive with `pipeguard:allow[{}]` on the line, or in `.pipeguard.toml`.\n",
        f.rule_id
    ));
    let severity = doc.map_or(f.severity, |d| d.severity);
    let kind_tag = match f.kind {
        Kind::Secret => "secret",
        Kind::Policy => "policy",
    };
    let mut d = json!({
        "id": f.rule_id,
        "name": pascal(&f.rule_id),
        "shortDescription": { "text": title },
        "fullDescription": { "text": plain(&description) },
        "help": { "text": plain(&format!("{description}\n\n{fix}")), "markdown": markdown },
        "defaultConfiguration": { "level": level(severity) },
        "properties": {
            "tags": ["security", kind_tag],
            "precision": match f.confidence {
                crate::finding::Confidence::High => "high",
                crate::finding::Confidence::Medium => "medium",
                crate::finding::Confidence::Low => "low",
            },
            "security-severity": severity.security_severity(),
        },
    });
    if let Some(first) = refs.first() {
        d["helpUri"] = json!(first);
    }
    d
}

fn result(f: &Finding, rule_index: usize) -> Value {
    // The run declares `utf16CodeUnits` (GitHub code scanning's columns); findings count bytes.
    let (column, end_column) = f.columns_utf16.unwrap_or((f.column, f.end_column));
    let mut region = json!({
        "startLine": f.line,
        "startColumn": column,
        "endLine": f.end_line.max(f.line),
    });
    if f.end_line == f.line && end_column > column {
        region["endColumn"] = json!(end_column);
    }
    if !f.excerpt.is_empty() {
        region["snippet"] = json!({ "text": f.excerpt });
    }
    let mut props = json!({
        "severity": f.severity.as_str(),
        "confidence": f.confidence.as_str(),
    });
    let mut message = f.message.clone();
    if let Some(c) = &f.commit {
        message.push_str(&format!(
            " Introduced in commit {}.",
            super::github::short_id(&c.id)
        ));
        props["commit"] = json!(c.id);
        props["author"] = json!(c.author);
        props["date"] = json!(c.date);
    }
    let mut fingerprints = json!({ "pipeguardFingerprint/v1": f.fingerprint });
    if let Some(r) = &f.repository {
        props["repository"] = json!(r);
        // Findings of a sweep share one run: the same secret at the same path in two repositories
        // is two alerts, and the message says which repository each is in.
        fingerprints["pipeguardRepository/v1"] = json!(r);
        message.push_str(&format!(" Repository: {r}."));
    }
    for (k, v) in &f.extra {
        props[k] = json!(v);
    }
    json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
            "region": region,
        }}],
        "partialFingerprints": fingerprints,
        "properties": props,
    })
}

/// A relative URI reference for a `/`-separated path: percent-encode what RFC 3986 reserves.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches("./").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `aws-access-key-id` → `AwsAccessKeyId`; `AUTHZ-001` → `Authz001`.
fn pascal(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lower = p.to_ascii_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Markdown to plain text, roughly: drop code fences and heading marks.
fn plain(md: &str) -> String {
    md.lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .map(|l| l.trim_start_matches('#').trim_start())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./a b/c%.txt"), "a%20b/c%25.txt");
        assert_eq!(uri("src/main.rs"), "src/main.rs");
    }

    fn finding(path: &str, severity: Severity) -> Finding {
        Finding {
            rule_id: "demo-token".into(),
            title: "Demo token".into(),
            kind: Kind::Secret,
            severity,
            confidence: crate::finding::Confidence::High,
            path: path.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 5,
            message: "Demo token found.".into(),
            excerpt: "demo*****".into(),
            columns_utf16: None,
            secret: None,
            fingerprint: "0".repeat(64),
            commit: None,
            repository: None,
            extra: Default::default(),
        }
    }

    fn ctx() -> Context<'static> {
        Context {
            tool_version: "0.0.0",
            docs: BTreeMap::new(),
            color: false,
            verbose: false,
            footer: None,
            config: None,
        }
    }

    #[test]
    fn truncation_keeps_the_most_severe_and_says_so() {
        let mut report = Report::default();
        report.findings.push(finding("a.txt", Severity::Low));
        for i in 0..MAX_RESULTS {
            report
                .findings
                .push(finding(&format!("b{i}.txt"), Severity::High));
        }
        report.findings.push(finding("z.txt", Severity::Critical));
        let v = to_value(&report, &ctx());
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        let uri =
            |r: &Value| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
        assert_eq!(uri(&results[0]), "b0.txt");
        assert_eq!(uri(&results[MAX_RESULTS - 1]), "z.txt");
        let notes = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
        assert!(notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("25002 findings; only the 25000 most severe"));
    }

    #[test]
    fn options_set_category_and_provenance() {
        let mut report = Report::default();
        report.findings.push(finding("a.txt", Severity::Low));
        let v = to_value_with(
            &report,
            &ctx(),
            &Options {
                category: Some("pipeguard/changes/".into()),
                repository_uri: Some("https://github.com/o/r".into()),
                revision_id: Some("abc".into()),
                branch: Some("refs/heads/main".into()),
            },
        );
        let run = &v["runs"][0];
        assert_eq!(run["automationDetails"]["id"], "pipeguard/changes/");
        assert_eq!(run["versionControlProvenance"][0]["revisionId"], "abc");
        assert_eq!(
            to_value(&report, &ctx())["runs"][0]["automationDetails"]["id"],
            "pipeguard/"
        );
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("aws-access-key-id"), "AwsAccessKeyId");
        assert_eq!(pascal("AUTHZ-001"), "Authz001");
    }
}
