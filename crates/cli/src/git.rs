//! Git scans from the command line: `scan --staged`, `scan --git` (history, `--range`,
//! `--branch`, sweeps of several repositories or `--repos DIR`), and `pipeguard baseline`.
//! A progress bar goes to stderr when it is a terminal, for history scans only.

use crate::{finish, load_config, load_selected, say, CommonArgs, OutputArgs, SelectArgs};
use anyhow::{bail, Context as _, Result};
use clap::Args;
use pipeguard_core::input::git::{self, Phase, Progress, Target};
use pipeguard_core::scan::Report;
use pipeguard_core::suppress::Baseline;
use pipeguard_core::Scanner;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Flags that turn a scan into a git scan.
#[derive(Args, Clone, Default)]
pub struct GitArgs {
    /// Scan what is staged (the index against HEAD) in the repository at PATH: what `git commit`
    /// would record, reporting only the lines it adds.
    #[arg(long, conflicts_with_all = ["git", "range", "branch", "repos"])]
    pub staged: bool,
    /// Scan git history: every blob reachable from all refs, once each, every finding naming the
    /// commit that introduced it. Several PATHs are scanned in parallel.
    #[arg(long)]
    pub git: bool,
    /// Only what the commits of A..B add (implies --git).
    #[arg(long, value_name = "A..B", conflicts_with = "branch")]
    pub range: Option<String>,
    /// Only the history of this branch (or any revision) instead of all refs (implies --git).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Every git repository under DIR, scanned in parallel (implies --git).
    #[arg(long, value_name = "DIR")]
    pub repos: Option<PathBuf>,
}

impl GitArgs {
    /// Whether any git flag was given.
    pub fn active(&self) -> bool {
        self.staged
            || self.git
            || self.range.is_some()
            || self.branch.is_some()
            || self.repos.is_some()
    }

    fn target(&self) -> Target {
        match &self.range {
            Some(r) => Target::Range(r.clone()),
            None => Target::History {
                branch: self.branch.clone(),
            },
        }
    }
}

/// `pipeguard scan` with git flags.
pub fn scan_command(
    paths: &[PathBuf],
    git_args: &GitArgs,
    common: &CommonArgs,
    output: &OutputArgs,
) -> Result<ExitCode> {
    let env = git_env()?;
    let start = git_args.repos.as_deref().unwrap_or(&paths[0]);
    let config = load_config(common, &config_root(&env, git_args, start))?;
    let scanner = Scanner::new(config)?;
    let report = run(&scanner, &env, paths, git_args)?;
    finish(&scanner, report, output)
}

/// What git's environment says (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE), relative to the
/// current directory.
fn git_env() -> Result<git::GitEnv> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(git::GitEnv::from_vars(|v| std::env::var_os(v), &cwd))
}

/// Run the git scan the flags ask for.
fn run(scanner: &Scanner, env: &git::GitEnv, paths: &[PathBuf], args: &GitArgs) -> Result<Report> {
    if args.staged {
        if paths.len() > 1 {
            bail!("--staged scans one repository; got {} paths", paths.len());
        }
        // As git does: GIT_DIR (a hook's environment) names the repository, GIT_INDEX_FILE the
        // index (`git commit -a` stages into a temporary one).
        let repo = git::open_env(env, &paths[0])?;
        return Ok(git::scan_staged(scanner, &repo, env.index_file.as_deref())?);
    }
    // Every object is read once: libgit2's cache and re-hashing would only cost.
    git::tune_for_bulk_reads();
    limit_pack_windows();
    let target = args.target();
    let bar = ProgressBar::new();
    let progress = |p: Progress| bar.update(p);
    let progress: Option<git::ProgressFn<'_>> = bar.enabled.then_some(&progress);
    let repos = match &args.repos {
        Some(dir) => {
            let found = git::find_repos(dir)?;
            if found.is_empty() {
                bail!("no git repository under {}", dir.display());
            }
            Some(found)
        }
        None if paths.len() > 1 => Some(paths.to_vec()),
        None => None,
    };
    let report = match repos {
        Some(repos) => git::scan_repos(scanner, &repos, &target, progress),
        None => git::sweep::scan_repo(scanner, &paths[0], &target, progress)?,
    };
    bar.finish();
    Ok(report)
}

/// libgit2 maps pack files in windows of up to 1 GiB, 8 GiB in all (its 64-bit defaults): a
/// history scan reads every object, so the whole pack ends up mapped and counted in the peak
/// memory. Packs up to [`PACK_MAPPED_LIMIT`] are mapped whole as before; a larger one is mapped
/// [`PACK_WINDOW`] at a time, least recently used windows unmapped first. Blobs are read path by
/// path (see the history input), which jumps around the pack, so a limit well under the pack's
/// size costs remapping: on a 37 MB pack, a 16 MiB limit cost about 6 % more CPU time.
fn limit_pack_windows() {
    const PACK_WINDOW: usize = 8 << 20;
    const PACK_MAPPED_LIMIT: usize = 128 << 20;
    #[allow(unsafe_code)]
    // SAFETY: the setters write libgit2's global options without synchronisation. This runs on
    // the main thread before the scan starts any thread (rayon's pool is first used by the scan)
    // and before it maps any pack; an error leaves libgit2's defaults in place.
    unsafe {
        let _ = git2::opts::set_mwindow_size(PACK_WINDOW);
        let _ = git2::opts::set_mwindow_mapped_limit(PACK_MAPPED_LIMIT);
    }
}

/// The directory whose config applies: the repository's working tree root when there is one.
fn config_root(env: &git::GitEnv, args: &GitArgs, path: &Path) -> PathBuf {
    let repo = if args.staged {
        git::open_env(env, path)
    } else {
        git::open(path)
    };
    repo.ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Size rayon's pool (every scan uses the global pool) before its first use.
pub fn set_threads(threads: usize) {
    if threads > 0 && std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // Runs before any thread is spawned: nothing else reads the environment concurrently.
        std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    }
}

/// Record today's findings so that only new ones are reported.
#[derive(Args)]
pub struct BaselineArgs {
    /// Directory (or, with --git, repository) to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Where to write the baseline.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = ".pipeguard-baseline.json"
    )]
    output: PathBuf,
    #[command(flatten)]
    git: GitArgs,
    // Only the flags a baseline honours: it records every finding (no --fail-on), never prints a
    // secret (no --no-redact), and ignores any old baseline (no --baseline).
    #[command(flatten)]
    select: SelectArgs,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    threads: usize,
}

/// `pipeguard baseline`: scan like `scan` does, then write every finding's fingerprint.
pub fn baseline_command(args: BaselineArgs) -> Result<ExitCode> {
    set_threads(args.threads);
    let env = git_env()?;
    let start = args.git.repos.as_deref().unwrap_or(&args.path);
    let mut config = load_selected(&args.select, &config_root(&env, &args.git, start))?;
    // A new baseline must record everything found today, including what the old one accepted.
    config.baseline = None;
    config.baseline_key = crate::baseline_key();
    let scanner = Scanner::new(config)?;
    let paths = [args.path.clone()];
    let report = if args.git.active() {
        run(&scanner, &env, &paths, &args.git)?
    } else {
        pipeguard_core::input::walk::scan_path(&scanner, &args.path)?
    };
    if report.has_errors() {
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.level == pipeguard_core::Level::Error)
        {
            say(&d.to_string());
        }
        bail!("the scan was incomplete, so no baseline was written");
    }
    let baseline = Baseline::from_report(&report, scanner.config.baseline_key.as_deref())?;
    baseline.write(&args.output)?;
    say(&format!(
        "pipeguard: wrote {} ({} finding{}); add `baseline = \"{}\"` to .pipeguard.toml or pass \
         --baseline to accept them",
        args.output.display(),
        baseline.findings.len(),
        if baseline.findings.len() == 1 {
            ""
        } else {
            "s"
        },
        args.output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// A one-line progress bar on stderr, redrawn at most every 100 ms; silent when stderr is not a
/// terminal.
struct ProgressBar {
    enabled: bool,
    start: Instant,
    last: Mutex<Option<Instant>>,
}

impl ProgressBar {
    fn new() -> Self {
        ProgressBar {
            enabled: std::io::stderr().is_terminal()
                && std::env::var_os("PIPEGUARD_NO_PROGRESS").is_none(),
            start: Instant::now(),
            last: Mutex::new(None),
        }
    }

    fn update(&self, p: Progress) {
        let now = Instant::now();
        {
            let Ok(mut last) = self.last.try_lock() else {
                return;
            };
            let done = p.total > 0 && p.done >= p.total;
            if last.is_some_and(|l| now - l < Duration::from_millis(100)) && !done {
                return;
            }
            *last = Some(now);
        }
        let line = match p.phase {
            Phase::Listing => format!("listing blobs: {} commits", p.done),
            Phase::Scanning | Phase::Repositories => {
                let unit = if p.phase == Phase::Repositories {
                    "repositories"
                } else {
                    "scanned"
                };
                let width = 30usize;
                let filled = (p.done * width as u64)
                    .checked_div(p.total)
                    .unwrap_or(0)
                    .min(width as u64) as usize;
                let secs = (now - self.start).as_secs_f64().max(0.001);
                let mb = p.bytes as f64 / 1e6;
                let rate = if p.bytes > 0 {
                    format!("  {mb:.1} MB  {:.1} MB/s", mb / secs)
                } else {
                    String::new()
                };
                format!(
                    "[{}{}] {}/{} {unit}{rate}",
                    "#".repeat(filled),
                    "-".repeat(width - filled),
                    p.done,
                    p.total
                )
            }
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.enabled && self.last.lock().is_ok_and(|l| l.is_some()) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
