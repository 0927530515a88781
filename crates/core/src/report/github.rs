//! GitHub Actions: workflow-command annotations and the Markdown job summary.
//!
//! Workflow commands: `::error file=F,line=L,col=C,endLine=E,title=T::MESSAGE`. Property values
//! escape `%`, `\r`, `\n`, `:` and `,`; the message escapes `%`, `\r` and `\n` (as the runner's
//! toolkit does). Everything here is built from findings, whose excerpts are already redacted:
//! no secret reaches an annotation or a summary.

use super::counts;
use super::escape::control;
use crate::finding::{Finding, Severity};
use crate::scan::Report;
use std::fmt::Write;

/// Escape workflow-command data (the message).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
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

/// The first 12 hex digits of a commit id.
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// One annotation line for a finding. `col` is only given for a one-line finding: GitHub ignores
/// (or rejects) columns on annotations that span lines.
///
/// The file name is passed as GitHub's escaping leaves it (so that the annotation lands on the
/// file); title and message also have control characters made visible.
pub fn annotation(f: &Finding) -> String {
    let title = format!("{} ({})", control(&f.title), control(&f.rule_id));
    let end_line = f.end_line.max(f.line);
    let col = if end_line == f.line {
        format!(",col={}", f.column)
    } else {
        String::new()
    };
    let mut message = format!(
        "[{}] {}",
        f.severity,
        super::escape::control_keep_newlines(&f.message)
    );
    if let Some(c) = &f.commit {
        let _ = write!(message, " (commit {})", short_id(&c.id));
    }
    format!(
        "::{} file={},line={}{col},endLine={end_line},title={}::{}",
        command(f.severity),
        escape_property(&f.path),
        f.line,
        escape_property(&title),
        escape_data(&message),
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

/// Escape text for a Markdown code span in a table cell: control characters made visible, `|`
/// escaped (GFM splits cells on it even in code spans), no backtick to close the span.
pub fn cell(s: &str) -> String {
    control(s).replace('|', "\\|").replace('`', "'")
}

/// Escape text shown as Markdown prose (in a cell or a paragraph): no HTML, no emphasis, no
/// links or images, no headings, no code spans, no line breaks.
pub fn prose(s: &str) -> String {
    let s = control(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '|' | '`' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as a Markdown code span, safe in a table cell.
pub fn code(s: &str) -> String {
    format!("`{}`", cell(s))
}

/// What the job summary says besides the findings.
#[derive(Debug, Clone)]
pub struct SummaryOptions<'a> {
    /// The `##` heading.
    pub heading: &'a str,
    /// One Markdown sentence on what was scanned (the caller escapes it).
    pub scope: Option<&'a str>,
    /// At most this many rows in the findings table.
    pub max_rows: usize,
    /// `https://github.com/OWNER/REPO`, to link commits and locations.
    pub repo_url: Option<&'a str>,
    /// The commit locations link to when a finding names none (the checked-out commit).
    pub blob_ref: Option<&'a str>,
    /// The fail threshold, stated so that a reader knows why the job failed (or did not).
    pub fail_on: Option<Severity>,
    /// Extra Markdown paragraphs, after the table (truncation notices, scan errors).
    pub notes: &'a [String],
}

impl Default for SummaryOptions<'_> {
    fn default() -> Self {
        SummaryOptions {
            heading: "pipeguard",
            scope: None,
            max_rows: 100,
            repo_url: None,
            blob_ref: None,
            fail_on: None,
            notes: &[],
        }
    }
}

/// The Markdown job summary: counts by severity, a table of findings, how to suppress.
pub fn summary(report: &Report, heading: &str, max_rows: usize) -> String {
    summary_with(
        report,
        &SummaryOptions {
            heading,
            max_rows,
            ..SummaryOptions::default()
        },
    )
}

/// The Markdown job summary with a scope sentence, links and notes.
pub fn summary_with(report: &Report, opts: &SummaryOptions<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", opts.heading);
    if let Some(scope) = opts.scope {
        let _ = writeln!(out, "{scope}\n");
    }
    let n = report.findings.len();
    if n == 0 {
        let _ = writeln!(
            out,
            "✅ No findings in {} file{} scanned.\n",
            report.stats.files_scanned,
            plural(report.stats.files_scanned as usize)
        );
    } else {
        let failing = opts.fail_on.map(|t| report.failing(t));
        let _ = write!(out, "**{n} finding{}**", plural(n));
        match (failing, opts.fail_on) {
            (Some(k), Some(t)) => {
                let _ = writeln!(
                    out,
                    " in {} file{} scanned; {k} at or above the `{t}` threshold (`fail-on`).\n",
                    report.stats.files_scanned,
                    plural(report.stats.files_scanned as usize)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    " in {} file{} scanned.\n",
                    report.stats.files_scanned,
                    plural(report.stats.files_scanned as usize)
                );
            }
        }
        let _ = writeln!(out, "| Severity | Findings |\n|---|---:|");
        for (s, k) in counts(report) {
            let _ = writeln!(out, "| {s} | {k} |");
        }
        let _ = writeln!(
            out,
            "\n| Severity | Rule | Location | Commit | Excerpt (redacted) |\n|---|---|---|---|---|"
        );
        for f in report.findings.iter().take(opts.max_rows) {
            let _ = writeln!(out, "{}", row(f, opts));
        }
        if n > opts.max_rows {
            let _ = writeln!(
                out,
                "\n…and {} more (see the SARIF file or the log).",
                n - opts.max_rows
            );
        }
    }
    for note in opts.notes {
        let _ = writeln!(out, "\n{note}");
    }
    if n > 0 {
        let _ = writeln!(out, "\n{SUPPRESS}");
    }
    out
}

/// How to deal with a finding, in the summary.
const SUPPRESS: &str = "**False positive?** Add `pipeguard:allow[rule-id]` in a comment on the \
line (or on a comment-only line just above it), an `[allowlist]` entry (`paths`, `regexes`, \
`stopwords`) in `.pipeguard.toml`, or accept the current findings in a baseline with \
`pipeguard baseline --output .pipeguard-baseline.json` and `baseline = \".pipeguard-baseline.json\"` \
in `.pipeguard.toml`. **A real secret** must be revoked and rotated: deleting it from the code \
does not remove it from the git history.";

fn row(f: &Finding, opts: &SummaryOptions<'_>) -> String {
    let end = f.end_line.max(f.line);
    let lines = if end > f.line {
        format!("{}-{end}", f.line)
    } else {
        f.line.to_string()
    };
    let location = format!("`{}:{lines}`", cell(&f.path));
    let commit_id = f.commit.as_ref().map(|c| c.id.as_str());
    let location = match (opts.repo_url, commit_id.or(opts.blob_ref)) {
        (Some(url), Some(rev)) => {
            let anchor = if end > f.line {
                format!("#L{}-L{end}", f.line)
            } else {
                format!("#L{}", f.line)
            };
            format!(
                "[{location}]({url}/blob/{rev}/{}{anchor})",
                super::sarif::uri(&f.path)
            )
        }
        _ => location,
    };
    let commit = match (commit_id, opts.repo_url) {
        (Some(id), Some(url)) => format!("[`{}`]({url}/commit/{id})", short_id(id)),
        (Some(id), None) => format!("`{}`", short_id(id)),
        (None, _) => "—".to_string(),
    };
    let excerpt = if f.excerpt.is_empty() {
        String::new()
    } else {
        format!("`{}`", cell(&f.excerpt))
    };
    format!(
        "| {} | `{}` {} | {location} | {commit} | {excerpt} |",
        f.severity,
        cell(&f.rule_id),
        prose(&f.title),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{CommitInfo, Confidence, Kind};

    fn finding() -> Finding {
        Finding {
            rule_id: "demo-token".into(),
            title: "Demo: token, 100%".into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            path: "dir/a,b: c%.env".into(),
            line: 3,
            column: 7,
            end_line: 3,
            end_column: 20,
            message: "Demo token found.\nRevoke it.".into(),
            excerpt: "TOKEN=demo*****  | `x`".into(),
            columns_utf16: None,
            secret: None,
            fingerprint: "f".repeat(64),
            commit: None,
            repository: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn annotation_escapes_every_part() {
        let mut f = finding();
        assert_eq!(
            annotation(&f),
            "::error file=dir/a%2Cb%3A c%25.env,line=3,col=7,endLine=3,\
             title=Demo%3A token%2C 100%25 (demo-token)::[high] Demo token found.%0ARevoke it."
        );
        f.end_line = 5;
        f.severity = Severity::Medium;
        f.commit = Some(CommitInfo {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            author: "A".into(),
            email: "a@example.invalid".into(),
            date: "2024-01-02T03:04:05Z".into(),
            summary: "s".into(),
        });
        let a = annotation(&f);
        assert!(a.starts_with("::warning file=dir/a%2Cb%3A c%25.env,line=3,endLine=5,title="));
        assert!(a.ends_with("(commit 0123456789ab)"), "{a}");
    }

    #[test]
    fn summary_tables_links_and_escapes() {
        let mut report = Report::default();
        report.findings.push(finding());
        report.stats.files_scanned = 2;
        let md = summary_with(
            &report,
            &SummaryOptions {
                heading: "pipeguard",
                scope: Some("Scanned the tree."),
                max_rows: 10,
                repo_url: Some("https://github.com/o/r"),
                blob_ref: Some("abc"),
                fail_on: Some(Severity::High),
                notes: &["A note.".to_string()],
            },
        );
        assert!(md.contains("**1 finding** in 2 files scanned; 1 at or above the `high`"));
        assert!(md.contains("| high | 1 |"));
        assert!(md.contains(
            "| high | `demo-token` Demo: token, 100% | \
             [`dir/a,b: c%.env:3`](https://github.com/o/r/blob/abc/dir/a%2Cb%3A%20c%25.env#L3) \
             | — | `TOKEN=demo*****  \\| 'x'` |"
        ));
        assert!(md.contains("\nA note.\n"));
        assert!(md.contains("**False positive?**"));
        let empty = summary(&Report::default(), "pipeguard", 10);
        assert!(empty.contains("No findings in 0 files scanned."));
        assert!(!empty.contains("False positive"));
    }

    #[test]
    fn prose_cannot_inject_markup() {
        assert_eq!(
            prose("<b>*x*</b> | [l](u)"),
            "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\[l\\]\\(u\\)"
        );
        // A backslash cannot undo an escape; images, code spans and line breaks are inert.
        assert_eq!(
            prose("\\*a* ![i](u) `c` _u_\nx"),
            "\\\\\\*a\\* \\!\\[i\\]\\(u\\) \\`c\\` \\_u\\_\\\\nx"
        );
        // Control: plain words are left alone.
        assert_eq!(prose("plain words 42"), "plain words 42");
        assert_eq!(code("a|b`c\n"), "`a\\|b'c\\n`");
    }
}
