//! `pipeguard sweep`: the whole history of every repository in a list (a repos file or a GitHub
//! organisation), optionally one stable shard of it, with an append-only state log that skips
//! unchanged repositories and resumes interrupted runs. The work is in
//! `pipeguard_core::sweep`; this file owns the flags, progress output and the exit code.

use crate::{github, load_config, CommonArgs, VERSION};
use anyhow::{bail, Context as _, Result};
use clap::Args;
use pipeguard_core::report::{self, Format};
use pipeguard_core::scan::Report;
use pipeguard_core::sweep::{self, Event, RepoList, Shard, State, Status, SweepInfo};
use pipeguard_core::{Level, Scanner};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Flags of `pipeguard sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// The repositories: one a line, a local path (relative to this file), a file:// URL or an
    /// https:// (or ssh://) clone URL; `#` starts a comment.
    #[arg(value_name = "REPOS_FILE", required_unless_present = "github_org")]
    repos_file: Option<PathBuf>,
    /// List the organisation's repositories through the GitHub REST API instead (GITHUB_TOKEN
    /// from the environment; GITHUB_API_URL for GitHub Enterprise).
    #[arg(long, value_name = "ORG", conflicts_with = "repos_file")]
    github_org: Option<String>,
    /// With --github-org: include forks.
    #[arg(long, requires = "github_org")]
    include_forks: bool,
    /// With --github-org: include archived repositories.
    #[arg(long, requires = "github_org")]
    include_archived: bool,
    /// Print the repository list (one clone URL a line, as a repos file) and exit; with
    /// --github-org, this lists the organisation once for every shard to share.
    #[arg(long)]
    list_repos: bool,
    /// Only shard K of N (1-based), by a stable hash of each repository's normalised URL;
    /// `auto/N` takes K from JOB_COMPLETION_INDEX + 1 (a Kubernetes Indexed Job).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Where remote repositories are mirrored (default: $XDG_CACHE_HOME/pipeguard or
    /// ~/.cache/pipeguard).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Append-only JSONL log, one line per repository per run; repositories whose refs did not
    /// change since their last successful scan are skipped (their findings come from
    /// STATE.results/ beside it), so an interrupted sweep resumes where it stopped.
    #[arg(long, value_name = "STATE.jsonl")]
    state: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Output format: text, json (what `pipeguard merge` reads), sarif or github.
    #[arg(long, short = 'f', default_value = "text")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    threads: usize,
}

pub fn run(args: SweepArgs) -> Result<ExitCode> {
    if args.threads > 0 && std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // Before any thread exists: nothing reads the environment concurrently.
        std::env::set_var("RAYON_NUM_THREADS", args.threads.to_string());
    }
    let list = match (&args.repos_file, &args.github_org) {
        (Some(file), _) => RepoList::load(file)?,
        (None, Some(org)) => {
            let urls = github::list_org(
                &github::Client::from_env(VERSION)?,
                org,
                args.include_forks,
                args.include_archived,
            )?;
            let repos = urls
                .iter()
                .map(|u| sweep::Repo::parse(u, Path::new(".")).map_err(anyhow::Error::msg))
                .collect::<Result<Vec<_>>>()?;
            RepoList::from_repos(repos)
        }
        (None, None) => bail!("give a REPOS_FILE or --github-org ORG"),
    };
    if args.list_repos {
        let mut text = String::new();
        for r in &list.repos {
            text.push_str(&sweep::report::escape_control(&r.key));
            text.push('\n');
        }
        write_output(args.output.as_deref(), &text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let completion_index = std::env::var("JOB_COMPLETION_INDEX").ok();
    let shard = match &args.shard {
        Some(s) => Shard::parse(s, completion_index.as_deref()).map_err(anyhow::Error::msg)?,
        None => Shard::ALL,
    };
    let repos = list.shard(shard);
    let config = load_config(&args.common, Path::new("."))?;
    let scanner = Scanner::new(config)?;
    let cache = match &args.cache {
        Some(c) => c.clone(),
        None => {
            sweep::mirror::default_cache_dir().unwrap_or_else(|| PathBuf::from(".pipeguard-cache"))
        }
    };
    let state = match &args.state {
        Some(p) => {
            let s = State::open(p)
                .with_context(|| format!("cannot open the state file {}", p.display()))?;
            if s.unreadable_lines > 0 {
                eprintln!(
                    "pipeguard: warning: {}: ignored {} unreadable line(s) (an interrupted write?)",
                    p.display(),
                    s.unreadable_lines
                );
            }
            Some(s)
        }
        None => None,
    };
    if state.is_some() && !scanner.config.redact {
        eprintln!(
            "pipeguard: warning: --no-redact: results are not stored beside the state file, so \
             nothing is skipped next time"
        );
    }
    let opts = sweep::Options {
        cache,
        state: state.as_ref(),
        version: VERSION,
        settings: sweep::settings_digest(&scanner, VERSION),
    };
    eprintln!(
        "pipeguard: sweeping {} of {} repositories (shard {shard}, list {})",
        repos.len(),
        list.repos.len(),
        &list.digest()[..12]
    );
    let progress = Progress::new(repos.len());
    let result = sweep::sweep(&scanner, &repos, &opts, &|e| progress.event(e));
    progress.finish();
    let info = SweepInfo::new(list.digest(), list.repos.len(), shard, result.repos.clone());
    let skipped = result.skipped();
    let failed = result
        .repos
        .iter()
        .filter(|r| r.status == Status::Error)
        .count();
    let report = result.report;
    write_report(
        &scanner,
        &report,
        &info,
        args.format,
        args.output.as_deref(),
    )?;
    eprintln!(
        "pipeguard: {} finding{} in {} repositories: {} scanned, {skipped} unchanged since the \
         last run and skipped, {failed} failed",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        repos.len(),
        repos.len() - skipped - failed,
    );
    // A failed repository is an `Error` diagnostic in the report: exit 2, never hidden behind
    // findings.
    Ok(ExitCode::from(
        report.exit_code(scanner.config.fail_severity),
    ))
}

/// Render a sweep report where asked; errors also go to stderr.
pub fn write_report(
    scanner: &Scanner,
    report: &Report,
    info: &SweepInfo,
    format: Format,
    output: Option<&Path>,
) -> Result<()> {
    let ctx = report::Context::new(scanner, VERSION);
    let text = sweep::report::render(format, report, &ctx, info);
    write_output(output, &text)?;
    if format != Format::Text || output.is_some() {
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
        {
            let path = d
                .path
                .as_deref()
                .map(|p| format!("{p}: "))
                .unwrap_or_default();
            eprintln!(
                "pipeguard: error: {}",
                sweep::report::escape_control(&format!("{path}{}", d.message))
            );
        }
    }
    Ok(())
}

pub fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(out.flush()?)
        }
    }
}

/// On a terminal, one line redrawn in place: a bar, repositories done / total and the current
/// repository. Elsewhere (CI logs), one plain line per finished repository.
struct Progress {
    tty: bool,
    total: usize,
    start: Instant,
    /// Last redraw, repositories done, the repository most recently started.
    state: Mutex<(Option<Instant>, usize, String)>,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            tty: std::io::stderr().is_terminal()
                && std::env::var_os("PIPEGUARD_NO_PROGRESS").is_none(),
            total,
            start: Instant::now(),
            state: Mutex::new((None, 0, String::new())),
        }
    }

    fn event(&self, e: Event<'_>) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        match e {
            Event::Started { key } => st.2 = key.to_string(),
            Event::Finished { outcome, done, .. } => {
                st.1 = done;
                let what = match outcome.status {
                    Status::Scanned => format!(
                        "scanned, {} finding{}",
                        outcome.findings,
                        if outcome.findings == 1 { "" } else { "s" }
                    ),
                    Status::Skipped => {
                        format!("unchanged, skipped ({} known findings)", outcome.findings)
                    }
                    Status::Error => {
                        format!("FAILED: {}", outcome.error.as_deref().unwrap_or(""))
                    }
                };
                let line = format!(
                    "pipeguard: [{done}/{}] {}: {} ({:.1} s)",
                    self.total,
                    outcome.repository,
                    what,
                    outcome.duration_ms as f64 / 1e3
                );
                let line = sweep::report::escape_control(&line);
                if !self.tty {
                    eprintln!("{line}");
                    return;
                }
                if outcome.status == Status::Error {
                    // Failures stay on screen above the bar.
                    eprint!("\r\x1b[2K{line}\n");
                }
            }
        }
        if self.tty {
            let now = Instant::now();
            let finished = st.1 == self.total;
            if st.0.is_some_and(|l| now - l < Duration::from_millis(100)) && !finished {
                return;
            }
            st.0 = Some(now);
            let width = 30;
            let filled = (st.1 * width)
                .checked_div(self.total)
                .unwrap_or(0)
                .min(width);
            let line = format!(
                "[{}{}] {}/{} repositories  {:.0} s  {}",
                "#".repeat(filled),
                "-".repeat(width - filled),
                st.1,
                self.total,
                self.start.elapsed().as_secs_f64(),
                sweep::report::escape_control(&st.2)
            );
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}", truncate(&line, 120));
            let _ = err.flush();
        }
    }

    fn finish(&self) {
        if self.tty {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
