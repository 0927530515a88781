//! `pipeguard`: ad-hoc sweeps of directories (and, with `--git`, of history), rule listings and
//! checks. Owns argv, output and the exit code: 0 clean, 1 findings, 2 error — never 0 on error.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Parser, Subcommand};
use cli_values::{confidence_parser, format_parser, severity_parser};
use pipeguard_core::config::FailDefaults;
use pipeguard_core::finding::{Confidence, Severity};
use pipeguard_core::report::{self, Format};
use pipeguard_core::scan::Report;
use pipeguard_core::{Config, Scanner};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cli_values;
mod git;
mod github;
mod merge;
mod native;
mod rules;
mod sweep;

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Find hard-coded secrets and insecure AWS policy and CI/CD configuration.
#[derive(Parser)]
#[command(
    name = "pipeguard",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  \
        pipeguard scan .                          scan this directory tree\n  \
        pipeguard scan --staged                   what `git commit` would record\n  \
        pipeguard scan --git                      the whole git history\n  \
        pipeguard completions bash > ~/.local/share/bash-completion/completions/pipeguard"
)]
struct Cli {
    /// When to colour the text report.
    #[arg(long, global = true, value_enum, default_value_t = native::ColorChoice::Auto)]
    color: native::ColorChoice,
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
    #[command(after_help = "Examples:\n  \
        pipeguard scan .                                   a directory tree, honouring .gitignore\n  \
        pipeguard scan src infra --fail-on high            exit 1 only for high and critical\n  \
        pipeguard scan . --format sarif -o pipeguard.sarif  for code scanning\n  \
        pipeguard scan --staged                            what `git commit` would record\n  \
        pipeguard scan --git --branch main                 one branch's history\n  \
        pipeguard scan --range origin/main..HEAD           only what these commits add\n  \
        pipeguard scan --repos ~/src                       every repository under a directory")]
    Scan(ScanArgs),
    /// List the built-in secret rules and policy checks, or check rules.
    #[command(after_help = "Examples:\n  \
        pipeguard rules                              every secret rule and policy check\n  \
        pipeguard rules --format json                the same, as JSON\n  \
        pipeguard rules check --config .pipeguard.toml   test your own rules' examples")]
    Rules(rules::RulesArgs),
    /// Record today's findings (fingerprints, never secrets) so that only new ones are reported.
    #[command(after_help = "Examples:\n  \
        pipeguard baseline                          accept the findings in this tree\n  \
        pipeguard baseline --git -o .pipeguard-baseline.json   ... and in the whole history\n\n\
        Then add `baseline = \".pipeguard-baseline.json\"` to .pipeguard.toml.")]
    Baseline(git::BaselineArgs),
    /// Sweep the whole history of many repositories (a repos file or a GitHub organisation),
    /// optionally one stable shard of them, skipping what did not change since the last run.
    ///
    /// Exit status: 2 when any repository could not be cloned or read (the others are still
    /// scanned), else 1 for findings at or above the fail threshold, else 0.
    #[command(after_help = "Examples:\n  \
        pipeguard sweep repos.txt -f json -o sweep.json        every repository in the list\n  \
        pipeguard sweep repos.txt --shard 2/4 --state state.jsonl -f json -o shard-2.json\n  \
        pipeguard sweep repos.txt --shard auto/4 ...           shard from JOB_COMPLETION_INDEX\n  \
        pipeguard sweep --github-org acme --list-repos > repos.txt   list an organisation once\n\n\
        repos.txt holds one repository a line: a local path, a file:// or an https:// URL.")]
    Sweep(sweep::SweepArgs),
    /// Merge the JSON reports of a sharded sweep into one report (JSON, SARIF or text).
    #[command(after_help = "Examples:\n  \
        pipeguard merge shard-*.json -f sarif -o pipeguard.sarif   one SARIF run for code scanning\n  \
        pipeguard merge shard-*.json                               a text report\n  \
        pipeguard merge shard-1.json shard-3.json --allow-missing  an incomplete sweep (exit 2)")]
    Merge(merge::MergeArgs),
    /// Write a starter .pipeguard.toml in the current directory.
    #[command(after_help = "Examples:\n  \
        pipeguard init                      write .pipeguard.toml (refuses to overwrite one)\n  \
        pipeguard init --force              overwrite it\n  \
        pipeguard init --import-gitleaks    write it from the .gitleaks.toml here")]
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// Write the .pipeguard.toml from the .gitleaks.toml (or gitleaks.toml) here: its rules,
        /// allowlists and `[extend] useDefault`.
        #[arg(long)]
        import_gitleaks: bool,
    },
    /// Print a shell completion script to standard output.
    #[command(after_help = "Examples:\n  \
        pipeguard completions bash > ~/.local/share/bash-completion/completions/pipeguard\n  \
        pipeguard completions zsh > ~/.zfunc/_pipeguard      (with fpath+=~/.zfunc)\n  \
        pipeguard completions fish > ~/.config/fish/completions/pipeguard.fish\n  \
        pipeguard completions powershell >> $PROFILE")]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    #[command(after_help = "Examples:\n  \
        pipeguard man | man -l -\n  \
        pipeguard man > ~/.local/share/man/man1/pipeguard.1")]
    Man,
}

/// Options shared by every command that scans.
#[derive(Args, Clone, Default)]
pub struct CommonArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Print secrets in full (never do this where output is logged).
    #[arg(long)]
    pub no_redact: bool,
    /// Exit 1 only for findings at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser())]
    pub fail_on: Option<Severity>,
    /// Baseline file whose fingerprints are accepted (see `pipeguard baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// Which config applies and what it looks for: shared by `scan` and `baseline`.
#[derive(Args, Clone, Default)]
pub struct SelectArgs {
    /// Config file (default: .pipeguard.toml or pipeguard.toml at the repository root).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only report findings of at least this confidence.
    #[arg(long, value_name = "LEVEL", value_parser = confidence_parser())]
    pub min_confidence: Option<Confidence>,
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
    /// Output format (github: workflow-command annotations).
    #[arg(long, short = 'f', default_value = "text", value_parser = format_parser())]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List every skipped file.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// glibc's malloc serves blocks under its mmap threshold from its heaps, and raises that
/// threshold (up to 32 MiB) each time a mapped block is freed. A sweep frees large blocks all the
/// time (files read whole, policy trees, regex caches), so after the first large file every later
/// one lands in the heaps, whose freed holes stay resident. A fixed 256 KiB threshold gives them
/// back to the system when freed: on the 236 MB tree of `benches/tree-corpus.sh` the peak RSS
/// fell from 47 to 42 MB at the same speed. Directory scans only: a history scan inflates one
/// buffer per blob, and mapping each anew cost 11 % of wall time on `benches/history.sh`.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` only sets a parameter of glibc's allocator; it runs before the scan
    // starts any thread (see `scan`), so no allocation races with the change.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 10);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    native::set_color(cli.color);
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(args) => rules::run(args),
        Command::Baseline(args) => git::baseline_command(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Init {
            force,
            import_gitleaks,
        } => init(force, import_gitleaks),
        Command::Completions { shell } => native::completions::<Cli>(shell),
        Command::Man => native::man::<Cli>(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            say(&format!(
                "pipeguard: error: {}",
                pipeguard_core::report::escape::line(&format!("{e:#}"))
            ));
            ExitCode::from(2)
        }
    }
}

/// A line on standard error; a closed standard error is not worth a panic. Control characters
/// are escaped and no line can be read as a GitHub workflow command.
pub fn say(line: &str) {
    use pipeguard_core::report::escape;
    let line = escape::defuse_lines(&escape::control_keep_newlines(line));
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
    let mut config = load_selected(&common.select, start)?;
    if common.no_redact {
        config.redact = false;
    }
    if let Some(s) = common.fail_on {
        // Over the config's [fail] thresholds, per kind included.
        config.fail_severity = s;
        config.fail_severity_set = true;
        config.fail_secrets = None;
        config.fail_policy = None;
    }
    if let Some(b) = &common.baseline {
        config.baseline = Some(b.clone());
    }
    config.baseline_key = baseline_key();
    Ok(config)
}

/// The config `--config` names (else the one discovered from `start`), with the selection flags.
pub fn load_selected(select: &SelectArgs, start: &Path) -> Result<Config> {
    let mut config = Config::resolve(select.config.as_deref(), start)?;
    if let Some(c) = select.min_confidence {
        config.min_confidence = c;
    }
    if select.no_secrets {
        config.secrets = false;
    }
    if select.no_policy {
        config.policy = false;
    }
    Ok(config)
}

/// The baseline's HMAC key, from `PIPEGUARD_BASELINE_KEY` (kept out of the repository, e.g. a
/// CI secret): with it, a committed baseline cannot be tested against guessed secrets.
pub fn baseline_key() -> Option<Vec<u8>> {
    std::env::var_os("PIPEGUARD_BASELINE_KEY")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned().into_bytes())
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    if !args.git.active() {
        return_large_blocks_to_the_system();
    }
    git::set_threads(args.threads);
    if args.git.active() {
        return git::scan_command(&args.paths, &args.git, &args.common, &args.output);
    }
    let start = match args.paths[0].as_os_str() == "-" {
        true => Path::new("."),
        false => args.paths[0].as_path(),
    };
    let config = load_config(&args.common, start)?;
    let mut scanner = Scanner::new(config)?;
    if std::env::var_os("PIPEGUARD_PROFILE_RULES").is_some() {
        scanner.profile_rules();
    }
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
    let config = &scanner.config;
    Ok(ExitCode::from(report.exit_code_with(
        config,
        FailDefaults::uniform(config.fail_severity),
    )))
}

/// Write the report where it was asked for; diagnostics go to standard error in every format.
pub fn emit(scanner: &Scanner, report: &Report, out: &OutputArgs) -> Result<()> {
    let mut ctx = report::Context::new(scanner, VERSION);
    ctx.verbose = out.verbose;
    ctx.color =
        out.output.is_none() && out.format == Format::Text && native::color(&std::io::stdout());
    let text = report::render(out.format, report, &ctx);
    match &out.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    let diagnostics = report::text::diagnostics(report, &ctx);
    let _ = std::io::stderr().lock().write_all(diagnostics.as_bytes());
    if out.format != Format::Text || out.output.is_some() {
        say(&format!(
            "pipeguard: {} in {}",
            native::count(report.findings.len(), "finding"),
            native::count(report.stats.files_scanned as usize, "file")
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
# secrets = "low"                         # per kind, over `severity` (the pre-commit hook's
# policy = "high"                         # defaults when [fail] sets nothing)
"#;

fn init(force: bool, import_gitleaks: bool) -> Result<ExitCode> {
    let path = Path::new(".pipeguard.toml");
    if path.exists() && !force {
        bail!(".pipeguard.toml already exists (use --force to overwrite)");
    }
    let gitleaks = [".gitleaks.toml", "gitleaks.toml"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file());
    if import_gitleaks {
        let Some(gl) = gitleaks else {
            bail!("--import-gitleaks: there is no .gitleaks.toml or gitleaks.toml here to import");
        };
        let text =
            std::fs::read_to_string(gl).with_context(|| format!("cannot read {}", gl.display()))?;
        let imported = pipeguard_core::config::gitleaks::to_pipeguard_toml(gl, &text)?;
        std::fs::write(path, &imported.toml).context("cannot write .pipeguard.toml")?;
        // What was written must load: parse it back.
        let cfg = Config::load(path)?;
        say(&format!(
            "pipeguard: wrote .pipeguard.toml from {} ({}); it takes that file's place, which you \
             can now remove",
            gl.display(),
            native::count(cfg.custom_rules.len(), "rule")
        ));
        for n in &imported.notes {
            say(&format!("pipeguard: warning: not imported: {n}"));
        }
        return Ok(ExitCode::SUCCESS);
    }
    // A gitleaks config here is already read by pipeguard; a .pipeguard.toml would take its place.
    if let Some(gl) = gitleaks {
        if !force {
            let cfg = Config::load(gl)?;
            bail!(
                "{gl} is here, and pipeguard already uses it as its config (its {}, \
                 allowlists and .gitleaksignore); a new .pipeguard.toml would take its place \
                 and those would stop applying.\n\
                 Keep using {gl} (nothing to do: `pipeguard scan .` reads it), run \
                 `pipeguard init --import-gitleaks` to write a .pipeguard.toml with its rules and \
                 allowlists, or run `pipeguard init --force` to write a starter .pipeguard.toml \
                 instead and move what you need from {gl} into it.",
                native::count(cfg.custom_rules.len(), "rule"),
                gl = gl.display()
            );
        }
        say(&format!(
            "pipeguard: warning: {} will no longer apply: .pipeguard.toml takes its place",
            gl.display()
        ));
    }
    std::fs::write(path, STARTER_CONFIG).context("cannot write .pipeguard.toml")?;
    // The starter must itself be valid: parse it back.
    Config::load(path)?;
    say("pipeguard: wrote .pipeguard.toml");
    Ok(ExitCode::SUCCESS)
}
