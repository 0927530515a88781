//! `pipeguard merge`: shard reports of one sweep (`pipeguard sweep --format json`) into the
//! report a single machine would have made — findings deduplicated by repository and
//! fingerprint, the union of repositories and errors — in JSON, SARIF (one run) or text.
//!
//! Reports of different repository lists, of different shard counts, or the same shard twice
//! are refused: merging them would silently double-count or mix sweeps. A missing shard is
//! refused too unless `--allow-missing`, and then the merged report carries an error (exit 2),
//! because a report that lacks a quarter of the organisation must not pass for a clean one.

use crate::sweep::write_report;
use anyhow::{Context as _, Result};
use clap::Args;
use pipeguard_core::finding::Severity;
use pipeguard_core::report::Format;
use pipeguard_core::{sweep, Config, Scanner};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `pipeguard merge`.
#[derive(Args)]
pub struct MergeArgs {
    /// JSON reports of `pipeguard sweep --shard K/N --format json`.
    #[arg(value_name = "REPORT.json", required = true)]
    reports: Vec<PathBuf>,
    /// Output format: text, json, sarif or github.
    #[arg(long, short = 'f', default_value = "text")]
    format: Format,
    /// Write the merged report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Merge even when some shards have no report (the result reports an error and exits 2).
    #[arg(long)]
    allow_missing: bool,
    /// Exit 1 only for findings at or above this severity: low, medium, high, critical.
    #[arg(long, value_name = "SEVERITY", default_value = "low")]
    fail_on: Severity,
    /// Config whose custom rules' docs go into SARIF (built-in rules need none).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(args: MergeArgs) -> Result<ExitCode> {
    let mut parts = Vec::new();
    for path in &args.reports {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
        let (report, info) = sweep::report::parse(&text, &name).map_err(anyhow::Error::msg)?;
        parts.push((name, report, info));
    }
    let (report, info) = sweep::merge(parts, args.allow_missing).map_err(anyhow::Error::msg)?;
    let mut config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    config.fail_severity = args.fail_on;
    let scanner = Scanner::new(config)?;
    write_report(
        &scanner,
        &report,
        &info,
        args.format,
        args.output.as_deref(),
    )?;
    eprintln!(
        "pipeguard: merged {} report{}: {}",
        args.reports.len(),
        if args.reports.len() == 1 { "" } else { "s" },
        sweep::report::escape_control(&info.summary())
    );
    eprintln!(
        "pipeguard: {} finding{}",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" }
    );
    // Failed repositories and missing shards are `Error` diagnostics: exit 2.
    Ok(ExitCode::from(
        report.exit_code(scanner.config.fail_severity),
    ))
}
