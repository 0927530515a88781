//! The JSON report, version 1. Documented in `docs/json-format.md`; fields are only ever added.

use super::{counts, Context};
use crate::scan::Report;
use serde_json::{json, Map, Value};

/// The format version; bumped only on a breaking change.
pub const VERSION: u32 = 1;

pub fn render(report: &Report, ctx: &Context<'_>) -> String {
    let mut by_severity = Map::new();
    for (s, n) in counts(report) {
        by_severity.insert(s.as_str().to_string(), json!(n));
    }
    let doc = json!({
        "version": VERSION,
        "tool": { "name": "pipeguard", "version": ctx.tool_version },
        "summary": {
            "findings": report.findings.len(),
            "by_severity": Value::Object(by_severity),
            "files_scanned": report.stats.files_scanned,
            "bytes_scanned": report.stats.bytes_scanned,
            "files_skipped": report.stats.files_skipped,
            "findings_capped": report.stats.findings_capped,
        },
        "findings": report.findings,
        "diagnostics": report.diagnostics,
    });
    serde_json::to_string_pretty(&doc).expect("report serialises") + "\n"
}
