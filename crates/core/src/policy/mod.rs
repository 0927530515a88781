//! The policy engine: insecure IAM, S3, KMS, trust and pipeline configuration.
//!
//! Documents (policy JSON, CloudFormation JSON/YAML, Terraform HCL, buildspec, GitHub workflows) are
//! found by content, parsed into one model with source spans, and run through the checks in
//! `checks/`. The engine knows no git and no config: [`scan`] takes a path and bytes, and returns
//! hits with exact lines; the scanner turns hits into findings and applies suppression.

use crate::finding::Severity;

mod hcl;
mod json;
mod node;
mod yaml;

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
    &[]
}

/// Scan one file. Cheap for files that are not policy documents.
pub fn scan(_path: &str, _bytes: &[u8]) -> PolicyOutcome {
    PolicyOutcome::default()
}
