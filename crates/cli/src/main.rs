//! `pipeguard`: ad-hoc sweeps of directories (and, with `--git`, of history), rule listings and
//! checks. Owns argv, output and the exit code: 0 clean, 1 findings, 2 error — never 0 on error.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Parser, Subcommand};
use pipeguard_core::finding::{Confidence, Severity};
use pipeguard_core::report::{self, Format};
use pipeguard_core::scan::Report;
use pipeguard_core::{Config, Scanner};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod git;
mod rules;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Find hard-coded secrets and insecure AWS policy and CI/CD configuration.
#[derive(Parser)]
#[command(name = "pipeguard", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan for secrets and insecure policies: a directory tree (honouring .gitignore), what is
    /// staged (--staged), a git history (--git, --branch), a commit range (--range A..B), or every
    /// repository under a directory (--repos DIR).
    ///
    /// Set PIPEGUARD_PROFILE_RULES=1 to print the time spent in each secret rule.
    ///
    /// Exit status: 0 when nothing at or above the fail threshold was found, 1 when something
    /// was, 2 on any error (bad config, unreadable path, internal failure).
    Scan(ScanArgs),
    /// List the built-in secret rules and policy checks, or check rules.
    Rules(rules::RulesArgs),
    /// Record today's findings (fingerprints, never secrets) so that only new ones are reported.
    Baseline(git::BaselineArgs),
    /// Write a starter .pipeguard.toml in the current directory.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// Options shared by every command that scans.
#[derive(Args, Clone)]
pub struct CommonArgs {
    /// Config file (default: .pipeguard.toml or pipeguard.toml at the repository root).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print secrets in full (never do this where output is logged).
    #[arg(long)]
    pub no_redact: bool,
    /// Only report findings of at least this confidence: low, medium, high.
    #[arg(long, value_name = "LEVEL")]
    pub min_confidence: Option<Confidence>,
    /// Exit 1 only for findings at or above this severity: low, medium, high, critical.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Baseline file whose fingerprints are accepted (see `pipeguard baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Skip the secret rules.
    #[arg(long)]
    pub no_secrets: bool,
    /// Skip the policy checks.
    #[arg(long)]
    pub no_policy: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Directories or files to scan; `-` reads standard input. A FIFO or character device is
    /// read as a stream.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    threads: usize,
    #[command(flatten)]
    git: git::GitArgs,
}

/// Where and how to write the report.
#[derive(Args, Clone)]
pub struct OutputArgs {
    /// Output format: text, json, sarif or github (workflow-command annotations).
    #[arg(long, short = 'f', default_value = "text")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List every skipped file.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(args) => rules::run(args),
        Command::Baseline(args) => git::baseline_command(args),
        Command::Init { force } => init(force),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            say(&format!("pipeguard: error: {e:#}"));
            ExitCode::from(2)
        }
    }
}

/// A line on standard error; a closed standard error is not worth a panic.
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Write to standard output. A closed pipe (`pipeguard rules | head -1`) ends the writing
/// quietly, as for ripgrep; any other failure (a full disk) is an error.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

/// Resolve the config for a scan: `--config`, else discovery from `start`, then CLI overrides.
pub fn load_config(common: &CommonArgs, start: &Path) -> Result<Config> {
    let mut config = Config::resolve(common.config.as_deref(), start)?;
    if common.no_redact {
        config.redact = false;
    }
    if let Some(c) = common.min_confidence {
        config.min_confidence = c;
    }
    if let Some(s) = common.fail_on {
        config.fail_severity = s;
    }
    if let Some(b) = &common.baseline {
        config.baseline = Some(b.clone());
    }
    if common.no_secrets {
        config.secrets = false;
    }
    if common.no_policy {
        config.policy = false;
    }
    Ok(config)
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    git::set_threads(args.threads);
    if args.git.active() {
        return git::scan_command(&args.paths, &args.git, &args.common, &args.output);
    }
    let start = match args.paths[0].as_os_str() == "-" {
        true => Path::new("."),
        false => args.paths[0].as_path(),
    };
    let config = load_config(&args.common, start)?;
    let scanner = Scanner::new(config)?;
    let report =
        pipeguard_core::input::walk::scan_paths(&scanner, &args.paths, &mut std::io::stdin())?;
    finish(&scanner, report, &args.output)
}

/// Report the scan where asked and pick the exit status. The status reflects the findings even
/// when standard output is closed early (`pipeguard scan | head -1`).
pub fn finish(scanner: &Scanner, mut report: Report, out: &OutputArgs) -> Result<ExitCode> {
    report.add_config_notes(&scanner.config);
    report.finish();
    emit(scanner, &report, out)?;
    for (id, t) in scanner.rule_timings().iter().take(20) {
        say(&format!(
            "pipeguard: profile: {:>10.1} ms  {id}",
            t.as_secs_f64() * 1e3
        ));
    }
    Ok(ExitCode::from(
        report.exit_code(scanner.config.fail_severity),
    ))
}

/// Write the report where it was asked for; diagnostics go to standard error in every format.
pub fn emit(scanner: &Scanner, report: &Report, out: &OutputArgs) -> Result<()> {
    let mut ctx = report::Context::new(scanner, VERSION);
    ctx.verbose = out.verbose;
    ctx.color = out.output.is_none()
        && out.format == Format::Text
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = report::render(out.format, report, &ctx);
    match &out.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    let diagnostics = report::text::diagnostics(report, &ctx);
    let _ = std::io::stderr().lock().write_all(diagnostics.as_bytes());
    if out.format != Format::Text || out.output.is_some() {
        let n = report.findings.len();
        say(&format!(
            "pipeguard: {n} finding{} in {} file{}",
            if n == 1 { "" } else { "s" },
            report.stats.files_scanned,
            if report.stats.files_scanned == 1 {
                ""
            } else {
                "s"
            },
        ));
    }
    Ok(())
}

const STARTER_CONFIG: &str = r#"# pipeguard configuration: https://github.com/pipeguard/pipeguard/blob/main/docs/config.md
version = 1

# baseline = ".pipeguard-baseline.json"   # accepted findings (pipeguard baseline --output ...)

[scan]
# include = ["src/**", "infra/**"]        # only these paths (default: everything)
exclude = []                              # never these paths (globs)
# max_file_size = 10485760                # bytes; larger files are skipped with a note
# secrets = true                          # run the secret rules
# policy = true                           # run the policy checks

[rules]
disable = []                              # rule or check ids
# min_confidence = "low"                  # low | medium | high
# [rules.severity]                        # per-id severity overrides
# generic-password = "low"

[allowlist]
paths = []                                # globs whose findings are dropped (fixtures, docs)
regexes = []                              # regexes over a captured secret
stopwords = []                            # substrings of a captured secret
# lines = []                              # regexes over the whole line

[fail]
severity = "low"                          # exit 1 for findings at or above this
"#;

fn init(force: bool) -> Result<ExitCode> {
    let path = Path::new(".pipeguard.toml");
    if path.exists() && !force {
        bail!(".pipeguard.toml already exists (use --force to overwrite)");
    }
    std::fs::write(path, STARTER_CONFIG).context("cannot write .pipeguard.toml")?;
    // The starter must itself be valid: parse it back.
    Config::load(path)?;
    say("pipeguard: wrote .pipeguard.toml");
    Ok(ExitCode::SUCCESS)
}
