//! Human-readable output for a terminal: one block per finding, then a summary and a footer
//! (the CLI's false-positive hint, or the hook's advice). The CLI and the hook share it.

use super::{counts, Context};
use crate::finding::Severity;
use crate::scan::{Level, Report};
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

pub fn render(report: &Report, ctx: &Context<'_>) -> String {
    let paint = |code: &str, text: &str| {
        if ctx.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for f in &report.findings {
        let repo = f
            .repository
            .as_deref()
            .map(|r| format!("{r}: "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{}  {}  {}  {}",
            repo,
            paint(BOLD, &format!("{}:{}:{}", f.path, f.line, f.column)),
            paint(sev_color(f.severity), f.severity.as_str()),
            f.rule_id,
            f.title
        );
        if let Some(c) = &f.commit {
            let short = &c.id[..c.id.len().min(12)];
            let _ = writeln!(
                out,
                "    {}",
                paint(
                    DIM,
                    &format!(
                        "commit {short} by {} on {}: {}",
                        c.author, c.date, c.summary
                    )
                )
            );
        }
        if !f.excerpt.is_empty() {
            let _ = writeln!(out, "    {}", f.excerpt);
        }
        let _ = writeln!(out, "    {}", paint(DIM, &f.message));
        if let Some(acct) = f.extra.get("aws_account_id") {
            let _ = writeln!(out, "    {}", paint(DIM, &format!("AWS account: {acct}")));
        }
        out.push('\n');
    }
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
