//! GitHub Actions: workflow-command annotations and the Markdown job summary.
//!
//! Workflow commands: `::error file=F,line=L,col=C,endLine=E,title=T::MESSAGE`. Property values
//! escape `%`, `\r`, `\n`, `:` and `,`; the message escapes `%`, `\r` and `\n`.

use super::counts;
use crate::finding::{Finding, Severity};
use crate::scan::Report;
use std::fmt::Write;

/// Escape workflow-command data (the message).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The command for a severity: critical and high are errors, medium warnings, low notices.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// One annotation line for a finding.
pub fn annotation(f: &Finding) -> String {
    let title = format!("{} ({})", f.title, f.rule_id);
    format!(
        "::{} file={},line={},col={},endLine={},title={}::{}",
        command(f.severity),
        escape_property(&f.path),
        f.line,
        f.column,
        f.end_line.max(f.line),
        escape_property(&title),
        escape_data(&format!("[{}] {}", f.severity, f.message)),
    )
}

/// Every annotation, one per line.
pub fn annotations(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&annotation(f));
        out.push('\n');
    }
    out
}

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ").replace('`', "'")
}

/// The Markdown job summary: counts by severity, a table of findings, how to suppress.
pub fn summary(report: &Report, heading: &str, max_rows: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {heading}\n");
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "✅ No findings in {} files scanned.\n",
            report.stats.files_scanned
        );
        return out;
    }
    let _ = writeln!(out, "| Severity | Findings |\n|---|---:|");
    for (s, n) in counts(report) {
        let _ = writeln!(out, "| {s} | {n} |");
    }
    let _ = writeln!(
        out,
        "\n| Rule | Location | Commit | Excerpt (redacted) |\n|---|---|---|---|"
    );
    for f in report.findings.iter().take(max_rows) {
        let commit = f
            .commit
            .as_ref()
            .map(|c| c.id[..c.id.len().min(12)].to_string())
            .unwrap_or_else(|| "—".to_string());
        let _ = writeln!(
            out,
            "| `{}` {} | `{}:{}` | {} | `{}` |",
            f.rule_id,
            cell(&f.title),
            cell(&f.path),
            f.line,
            commit,
            cell(&f.excerpt)
        );
    }
    if report.findings.len() > max_rows {
        let _ = writeln!(
            out,
            "\n…and {} more (see the SARIF file or the log).",
            report.findings.len() - max_rows
        );
    }
    let _ = writeln!(
        out,
        "\n**False positive?** Add `pipeguard:allow[rule-id]` as a comment on the line, an `[allowlist]` entry in `.pipeguard.toml`, or record it in a baseline with `pipeguard baseline --output .pipeguard-baseline.json`. A real secret must be revoked and rotated: removing it from the code is not enough."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
