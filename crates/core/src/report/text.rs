//! Human-readable output for a terminal: one block per finding, then a summary and a footer
//! (the CLI's false-positive hint, or the hook's advice). The CLI and the hook share it.

use super::escape::{control, defuse_lines};
use super::{counts, Context};
use crate::finding::{Finding, Kind, Severity};
use crate::scan::{first_sentence, Level, Report};
use std::fmt::Write;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

fn sev_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "\x1b[1;35m",
        Severity::High => "\x1b[1;31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
    }
}

/// Every field that comes from a file, a path or a config is escaped ([`control`]), and no line
/// can be read as a GitHub workflow command ([`defuse_lines`]).
pub fn render(report: &Report, ctx: &Context<'_>) -> String {
    defuse_lines(&render_raw(report, ctx))
}

fn render_raw(report: &Report, ctx: &Context<'_>) -> String {
    let paint = |code: &str, text: &str| {
        if ctx.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    // Most severe first; within a severity, the report's own (path, line) order.
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in &findings {
        let repo = f
            .repository
            .as_deref()
            .map(|r| format!("{}: ", control(r)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{}  {}  {}  {}",
            repo,
            paint(
                BOLD,
                &format!("{}:{}:{}", control(&f.path), f.line, f.column)
            ),
            paint(sev_color(f.severity), f.severity.as_str()),
            control(&f.rule_id),
            control(&f.title)
        );
        if let Some(c) = &f.commit {
            let short = &c.id[..c.id.len().min(12)];
            let _ = writeln!(
                out,
                "    {}",
                paint(
                    DIM,
                    &format!(
                        "commit {} by {} on {}: {}",
                        control(short),
                        control(&c.author),
                        control(&c.date),
                        control(&c.summary)
                    )
                )
            );
        }
        if !f.excerpt.is_empty() {
            let _ = writeln!(out, "    {}", f.excerpt);
        }
        // A secret's message is its rule's fix, given once per rule below; what is particular to
        // this finding (how it was encoded) stays here. Policy messages are particular throughout.
        match (f.kind, f.extra.get("decoded")) {
            (Kind::Policy, _) => {
                let _ = writeln!(out, "    {}", paint(DIM, &control(&f.message)));
            }
            (Kind::Secret, Some(enc)) => {
                let _ = writeln!(
                    out,
                    "    {}",
                    paint(DIM, &format!("{}-encoded", control(enc)))
                );
            }
            (Kind::Secret, None) => {}
        }
        if let Some(acct) = f.extra.get("aws_account_id") {
            let _ = writeln!(
                out,
                "    {}",
                paint(DIM, &format!("AWS account: {}", control(acct)))
            );
        }
        out.push('\n');
    }
    write_fixes(&mut out, &findings, ctx, &paint);
    let notes = report
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Note)
        .count();
    let n = report.findings.len();
    let by: Vec<String> = counts(report)
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|(s, c)| format!("{c} {s}"))
        .collect();
    let mut summary = if n == 0 {
        "no findings".to_string()
    } else {
        format!(
            "{n} finding{} ({})",
            if n == 1 { "" } else { "s" },
            by.join(", ")
        )
    };
    let _ = write!(
        summary,
        " in {} file{} ({})",
        report.stats.files_scanned,
        if report.stats.files_scanned == 1 {
            ""
        } else {
            "s"
        },
        human_bytes(report.stats.bytes_scanned)
    );
    if report.stats.files_skipped > 0 {
        let _ = write!(summary, "; {} skipped", report.stats.files_skipped);
        if notes > 0 && !ctx.verbose {
            summary.push_str(" (--verbose lists them)");
        }
    }
    if report.stats.findings_capped > 0 {
        let _ = write!(
            summary,
            "; {} more not reported (finding caps)",
            report.stats.findings_capped
        );
    }
    let _ = writeln!(out, "{}", paint(BOLD, &summary));
    let config = match &ctx.config {
        Some(path) => format!("config: {}", control(path)),
        None => "config: embedded defaults (no .pipeguard.toml)".to_string(),
    };
    let _ = writeln!(out, "{}", paint(DIM, &config));
    match &ctx.footer {
        Some(footer) => out.push_str(footer),
        None if n > 0 => {
            let _ = writeln!(
                out,
                "{}",
                paint(
                    DIM,
                    "False positive? Add `pipeguard:allow[rule-id]` on the line, an [allowlist] entry in .pipeguard.toml, or a baseline (`pipeguard baseline`)."
                )
            );
        }
        None => {}
    }
    out
}

/// How to fix each secret rule that fired, once per rule (in the order the findings show them):
/// the first sentence of its documented fix. Policy findings carry their own specific message.
fn write_fixes(
    out: &mut String,
    findings: &[&Finding],
    ctx: &Context<'_>,
    paint: &dyn Fn(&str, &str) -> String,
) {
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for f in findings.iter().filter(|f| f.kind == Kind::Secret) {
        if !seen.insert(f.rule_id.as_str()) {
            continue;
        }
        let fix = ctx
            .docs
            .get(&f.rule_id)
            .map(|d| first_sentence(&d.fix).to_string())
            .filter(|fix| !fix.is_empty())
            .unwrap_or_else(|| f.message.clone());
        lines.push(format!("  {}: {}", control(&f.rule_id), control(&fix)));
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(BOLD, "How to fix:"));
    for l in lines {
        let _ = writeln!(out, "{}", paint(DIM, &l));
    }
    out.push('\n');
}

/// The diagnostics, one per line (`warning: path:line:col: message`); notes only when verbose.
/// Binaries write these to standard error, whatever the report format.
pub fn diagnostics(report: &Report, ctx: &Context<'_>) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        if d.level == Level::Note && !ctx.verbose {
            continue;
        }
        let _ = writeln!(out, "{d}");
    }
    out
}

/// `1.5 MB` style sizes (decimal units).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
