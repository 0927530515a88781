//! The policy engine: insecure IAM, S3, KMS, trust and pipeline configuration.
//!
//! Documents (policy JSON, CloudFormation JSON/YAML, Terraform HCL, buildspec, GitHub workflows) are
//! found by content, parsed into one model with source spans, and run through the checks in
//! `checks/`. The engine knows no git and no config: [`scan`] takes a path and bytes, and returns
//! hits with exact lines; the scanner turns hits into findings and applies suppression.

use crate::finding::Severity;

pub(crate) mod checks;
mod doc;
mod hcl;
mod iam;
mod json;
mod model;
mod node;
mod semantics;
mod yaml;

use aho_corasick::AhoCorasick;
use doc::{Doc, Format};
use node::Node;
use std::sync::OnceLock;

/// Metadata and docs of one policy check.
#[derive(Debug, Clone, Copy)]
pub struct CheckInfo {
    /// Stable id, e.g. `AUTHZ-001`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    pub severity: Severity,
    /// Formats the check covers, e.g. `J, CFN, TF`.
    pub formats: &'static str,
    /// Markdown with the headings: What it does / Why is this bad? / Example / Use instead / References.
    pub docs: &'static str,
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyHit {
    pub check_id: &'static str,
    /// 1-based line and column of the offending statement or property.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// What is wrong and what to write instead.
    pub message: String,
    /// A symbolic, line-independent location (`Resources.Bucket.Properties.PolicyDocument.Statement[0]`)
    /// used in the fingerprint so that baselines survive line moves.
    pub anchor: String,
}

/// What [`scan`] returns for one file.
#[derive(Debug, Default)]
pub struct PolicyOutcome {
    pub hits: Vec<PolicyHit>,
    /// Non-fatal problems, e.g. a template that does not parse.
    pub diagnostics: Vec<String>,
}

/// Every policy check, in id order.
pub fn checks() -> &'static [CheckInfo] {
    static INFOS: OnceLock<Vec<CheckInfo>> = OnceLock::new();
    INFOS.get_or_init(|| checks::CHECKS.iter().map(|c| *c.info()).collect())
}

/// Scan one file. Cheap for files that are not policy documents.
pub fn scan(path: &str, bytes: &[u8]) -> PolicyOutcome {
    scan_only(path, bytes, None)
}

/// Scan with a single check (used by the check tests).
#[doc(hidden)]
pub fn scan_only(path: &str, bytes: &[u8], only: Option<&str>) -> PolicyOutcome {
    let mut out = PolicyOutcome::default();
    let Some(sniff) = sniff(path, bytes) else {
        return out;
    };
    let Ok(src) = std::str::from_utf8(bytes) else {
        if sniff.strong {
            out.diagnostics
                .push("not valid UTF-8; policy checks skipped".to_string());
        }
        return out;
    };
    let mut diags = Vec::new();
    let docs = parse(&sniff, src, &mut diags);
    for d in &docs {
        checks::run(d, only, &mut out.hits);
    }
    if sniff.strong || !docs.is_empty() {
        out.diagnostics.extend(diags);
    }
    out.hits.sort_by(|a, b| {
        (a.line, a.column, a.check_id, &a.anchor).cmp(&(b.line, b.column, b.check_id, &b.anchor))
    });
    out.hits
        .dedup_by(|a, b| a.check_id == b.check_id && a.line == b.line && a.message == b.message);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
    Hcl,
}

struct Sniff {
    syntax: Syntax,
    /// The file is surely meant to be one of our formats: report parse errors.
    strong: bool,
}

const MARKERS: &[&str] = &[
    "\"Statement\"",            // 0
    "AWSTemplateFormatVersion", // 1
    "\"Resources\"",            // 2
    "Resources:",               // 3
    "resource \"aws_",          // 4
    "provider \"aws\"",         // 5
    "data \"aws_",              // 6
    "backend \"s3\"",           // 7
    "phases:",                  // 8
    "jobs:",                    // 9
    "Statement:",               // 10
];

fn markers() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(MARKERS).expect("static patterns"))
}

/// Decide from the name and a byte scan whether a file can hold one of our documents.
fn sniff(path: &str, bytes: &[u8]) -> Option<Sniff> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ext = match lower.rsplit_once('.') {
        Some((stem, e)) if !stem.is_empty() => e,
        _ => "",
    };
    if !matches!(
        ext,
        "json" | "yaml" | "yml" | "template" | "tf" | "hcl" | "txt" | "cfn" | "policy" | ""
    ) {
        return None;
    }
    let mut found = 0u32;
    for m in markers().find_iter(bytes) {
        found |= 1 << m.pattern().as_usize();
    }
    if found == 0 {
        return None;
    }
    let has = |i: usize| found & (1 << i) != 0;
    let tf_markers = has(4) || has(5) || has(6) || has(7);
    let first = bytes
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let in_workflows = path.replace('\\', "/").contains(".github/workflows/");
    if ext == "tf" || ext == "hcl" {
        return tf_markers.then_some(Sniff {
            syntax: Syntax::Hcl,
            strong: ext == "tf",
        });
    }
    if first == Some(b'{') && (has(0) || has(1) || has(2)) {
        return Some(Sniff {
            syntax: Syntax::Json,
            strong: ext == "json" || has(1),
        });
    }
    if ext != "json" && (has(1) || has(3) || has(8) || has(9) || has(10)) {
        return Some(Sniff {
            syntax: Syntax::Yaml,
            strong: has(1) || lower.starts_with("buildspec") || (in_workflows && has(9)),
        });
    }
    if tf_markers && matches!(ext, "" | "txt") {
        return Some(Sniff {
            syntax: Syntax::Hcl,
            strong: false,
        });
    }
    None
}

fn parse(sniff: &Sniff, src: &str, diags: &mut Vec<String>) -> Vec<Doc> {
    let lines: Vec<&str> = src.lines().collect();
    match sniff.syntax {
        Syntax::Hcl => match hcl::parse(src) {
            Ok(blocks) => vec![doc::tf(blocks, &lines, diags)],
            Err(e) => {
                diags.push(format!(
                    "{e} (Terraform parse error; policy checks skipped)"
                ));
                Vec::new()
            }
        },
        Syntax::Json => match json::parse(src) {
            Ok(mut root) => {
                node::fold_intrinsics(&mut root, 0);
                classify(root, &lines, diags).into_iter().collect()
            }
            Err(e) => {
                diags.push(format!("{e} (JSON parse error; policy checks skipped)"));
                Vec::new()
            }
        },
        Syntax::Yaml => match yaml::parse(src) {
            Ok(roots) => roots
                .into_iter()
                .filter_map(|r| classify(r, &lines, diags))
                .collect(),
            Err(e) => {
                diags.push(format!("{e} (YAML parse error; policy checks skipped)"));
                Vec::new()
            }
        },
    }
}

/// What a parsed JSON or YAML document is, by content.
fn classify(root: Node, lines: &[&str], diags: &mut Vec<String>) -> Option<Doc> {
    root.as_map()?;
    let cfn = root.get("AWSTemplateFormatVersion").is_some()
        || root
            .get("Resources")
            .and_then(Node::as_map)
            .is_some_and(|m| m.iter().any(|(_, v)| v.get("Type").is_some()));
    if cfn {
        return Some(doc::cfn(root, lines, diags));
    }
    if root.get_ci("Statement").is_some() {
        return Some(doc::raw_policy(root, diags));
    }
    if root.get("phases").is_some_and(|p| p.as_map().is_some()) {
        return Some(doc::plain(Format::Buildspec, root));
    }
    if root.get("jobs").is_some_and(|p| p.as_map().is_some())
        && (root.get("on").is_some() || root.get("true").is_some())
    {
        return Some(doc::plain(Format::Workflow, root));
    }
    None
}
