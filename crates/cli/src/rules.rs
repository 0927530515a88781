//! `pipeguard rules`: list rules and checks; `pipeguard rules check`: validate rules.

use anyhow::Result;
use clap::{Args, Subcommand};
use pipeguard_core::config::Config;
use pipeguard_core::secrets::{builtin_rules, check::check_catalog};
use pipeguard_core::Scanner;
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    command: Option<RulesCommand>,
    /// Output format for the listing: text or json.
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Config whose custom rules are listed too.
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate rules: the built-in catalogue, and the custom rules of a config file. Every
    /// example must fire and capture its secret; no negative example may fire.
    Check {
        /// Config file whose [[rules.custom]] are checked (default: the discovered one).
        #[arg(long, short = 'c', value_name = "FILE")]
        config: Option<PathBuf>,
        /// Only check the config's custom rules, not the built-in ones.
        #[arg(long)]
        custom_only: bool,
    },
}

pub fn run(args: RulesArgs) -> Result<ExitCode> {
    match args.command {
        Some(RulesCommand::Check {
            config,
            custom_only,
        }) => check(config, custom_only),
        None => list(&args.format, args.config),
    }
}

fn load(config: Option<PathBuf>) -> Result<Config> {
    let config = Config::resolve(config.as_deref(), std::path::Path::new("."))?;
    let mut notes = pipeguard_core::Report::default();
    notes.add_config_notes(&config);
    for d in &notes.diagnostics {
        crate::say(&d.to_string());
    }
    Ok(config)
}

fn list(format: &str, config: Option<PathBuf>) -> Result<ExitCode> {
    let config = load(config)?;
    let scanner = Scanner::new(config)?;
    let rules: Vec<_> = scanner.rules().iter().map(|r| &r.rule).collect();
    let checks = pipeguard_core::policy::checks();
    if format == "json" {
        let doc = json!({
            "version": 1,
            "secret_rules": rules,
            "policy_checks": checks.iter().map(|c| json!({
                "id": c.id, "title": c.title, "severity": c.severity,
                "formats": c.formats, "docs": c.docs,
            })).collect::<Vec<_>>(),
        });
        crate::write_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let _ = writeln!(out, "Secret rules ({}):", rules.len());
    for r in &rules {
        let _ = writeln!(
            out,
            "  {:<44} {:<8} {:<6}  {}",
            r.id,
            r.severity.as_str(),
            r.confidence.as_str(),
            r.name
        );
    }
    let _ = writeln!(out, "\nPolicy checks ({}):", checks.len());
    for c in checks {
        let _ = writeln!(
            out,
            "  {:<10} {:<8} {:<12}  {}",
            c.id,
            c.severity.as_str(),
            c.formats,
            c.title
        );
    }
    crate::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn check(config: Option<PathBuf>, custom_only: bool) -> Result<ExitCode> {
    let config = load(config)?;
    let mut rules = if custom_only {
        Vec::new()
    } else {
        builtin_rules()?
    };
    rules.extend(config.custom_rule_sources());
    let problems = check_catalog(&rules, &config);
    for (id, loc, p) in &problems {
        crate::say(&format!("error: {loc}: rule `{id}`: {p}"));
    }
    if problems.is_empty() {
        crate::write_stdout(&format!("{} rules checked, no problems\n", rules.len()))?;
        Ok(ExitCode::SUCCESS)
    } else {
        crate::say(&format!(
            "{} problem(s) in {} rules",
            problems.len(),
            rules.len()
        ));
        Ok(ExitCode::from(2))
    }
}
