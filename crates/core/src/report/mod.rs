//! Reporters map a finished [`Report`] to text; they decide nothing.
//!
//! `text` for terminals, `json` (versioned, documented in `docs/json-format.md`), `sarif`
//! (SARIF 2.1.0 for code scanning), `github` (workflow commands and the job summary).

pub mod escape;
pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use crate::finding::{Kind, Severity};
use crate::scan::{Report, Scanner};
use std::collections::BTreeMap;

/// Output formats of the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format `{other}` (expected text, json, sarif or github)"
            )),
        }
    }
}

/// What a reporter may say about a rule or check.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    pub severity: Severity,
    /// Markdown: what it is, why it matters.
    pub description: String,
    /// Markdown: how to fix.
    pub fix: String,
    pub references: Vec<String>,
}

/// Everything a reporter needs besides the findings.
pub struct Context<'a> {
    pub tool_version: &'a str,
    /// Docs of every rule and check, by id.
    pub docs: BTreeMap<String, RuleDoc>,
    /// Colour escapes in text output.
    pub color: bool,
    /// Show skipped-file notes one by one.
    pub verbose: bool,
    /// Text printed after the text report's summary instead of the default hint (the hook's
    /// advice).
    pub footer: Option<String>,
    /// The config file in effect (`None`: the embedded defaults), named in the text summary.
    pub config: Option<String>,
}

impl<'a> Context<'a> {
    pub fn new(scanner: &Scanner, tool_version: &'a str) -> Self {
        Context {
            tool_version,
            docs: rule_docs(scanner),
            color: false,
            verbose: false,
            footer: None,
            config: scanner
                .config
                .source
                .as_ref()
                .map(|p| p.display().to_string()),
        }
    }
}

/// Docs for every secret rule the scanner has and every policy check.
pub fn rule_docs(scanner: &Scanner) -> BTreeMap<String, RuleDoc> {
    let mut docs = BTreeMap::new();
    for r in scanner.rules() {
        let r = &r.rule;
        docs.insert(
            r.id.clone(),
            RuleDoc {
                id: r.id.clone(),
                title: r.name.clone(),
                kind: Kind::Secret,
                severity: r.severity,
                description: r.description.trim().to_string(),
                fix: r.fix.trim().to_string(),
                references: r.references.clone(),
            },
        );
    }
    for c in crate::policy::checks() {
        let (description, fix) = split_check_docs(c.docs);
        docs.insert(
            c.id.to_string(),
            RuleDoc {
                id: c.id.to_string(),
                title: c.title.to_string(),
                kind: Kind::Policy,
                severity: c.severity,
                description,
                fix,
                references: Vec::new(),
            },
        );
    }
    docs
}

/// Split a check's docs (ruff headings) into "what + why" and "use instead".
fn split_check_docs(docs: &str) -> (String, String) {
    match docs.find("## Use instead") {
        Some(i) => (docs[..i].trim().to_string(), docs[i..].trim().to_string()),
        None => (docs.trim().to_string(), String::new()),
    }
}

/// Render a report in a format.
pub fn render(format: Format, report: &Report, ctx: &Context<'_>) -> String {
    match format {
        Format::Text => text::render(report, ctx),
        Format::Json => json::render(report, ctx),
        Format::Sarif => sarif::render(report, ctx),
        Format::Github => github::annotations(report),
    }
}

/// Counts by severity, highest first, for summaries.
pub fn counts(report: &Report) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|&s| {
            (
                s,
                report.findings.iter().filter(|f| f.severity == s).count(),
            )
        })
        .collect()
}
