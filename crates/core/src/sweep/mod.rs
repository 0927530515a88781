//! Organisation sweeps: many repositories, a stable shard of them per machine, an append-only
//! state log to skip what did not change (and to resume an interrupted run), and reports that
//! name what they covered so that [`merge`] can check and combine them.
//!
//! - [`list`]: the repos file, normalised keys, the list's digest and `K/N` shards.
//! - [`mirror`]: bare mirrors of remote repositories in a cache (`git clone --mirror`, then
//!   `git fetch --prune`).
//! - [`state`]: the `--state` JSONL log and the per-repository results it relies on.
//! - [`report`]: the sweep section of a report, and merging shard reports.
//!
//! Each repository's whole history goes through the existing history scan
//! ([`crate::input::git::sweep::scan_repo`]); repositories run in parallel on rayon's pool.

pub mod list;
pub mod mirror;
pub mod report;
pub mod state;

pub use list::{Repo, RepoList, Shard, Source};
pub use report::{merge, RepoOutcome, SweepInfo};
pub use state::{State, Status};

use crate::input::git::sweep::{scan_repo, Target};
use crate::scan::{Diagnostic, Level, Report, Scanner};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use state::{Entry, Refs, Results};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How to run a sweep.
#[derive(Debug)]
pub struct Options<'a> {
    /// Where remote repositories are mirrored.
    pub cache: PathBuf,
    /// The state log, if any.
    pub state: Option<&'a State>,
    /// pipeguard's version, recorded in the state and compared on skips.
    pub version: &'a str,
    /// Digest of everything that changes findings besides the repository (see [`settings_digest`]).
    pub settings: String,
}

/// What a progress callback hears.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A repository was started.
    Started { key: &'a str },
    /// A repository was finished; `done` of `total` are.
    Finished {
        outcome: &'a RepoOutcome,
        done: usize,
        total: usize,
    },
}

/// Everything a sweep produced.
#[derive(Debug, Default)]
pub struct Sweep {
    pub report: Report,
    /// One outcome per repository, in list order.
    pub repos: Vec<RepoOutcome>,
}

impl Sweep {
    pub fn skipped(&self) -> usize {
        self.repos
            .iter()
            .filter(|r| r.status == Status::Skipped)
            .count()
    }
}

/// A digest of the scan settings: pipeguard's version and the resolved config (custom rules,
/// allowlists, thresholds, redaction), plus the baseline's contents. Stored with each state line
/// so that a changed config rescans every repository instead of reusing stale results.
pub fn settings_digest(scanner: &Scanner, version: &str) -> String {
    let mut config = scanner.config.clone();
    config.source = None;
    config.notes.clear();
    let mut h = Sha256::new();
    h.update(version.as_bytes());
    h.update([0]);
    h.update(format!("{config:?}").as_bytes());
    if let Some(b) = &scanner.config.baseline {
        h.update([0]);
        h.update(std::fs::read(b).unwrap_or_default());
    }
    list::hex(&h.finalize())[..32].to_string()
}

/// Sweep `repos`: each one's whole history, in parallel; one that fails is an `Error` outcome
/// and diagnostic, and the others go on. Findings name their repository by key.
pub fn sweep(
    scanner: &Scanner,
    repos: &[Repo],
    opts: &Options<'_>,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Sweep {
    let done = AtomicUsize::new(0);
    let total = repos.len();
    let parts: Vec<(RepoOutcome, Report)> = repos
        .par_iter()
        .map(|repo| {
            progress(Event::Started { key: &repo.key });
            let start = Instant::now();
            let (outcome, report) = one(scanner, repo, opts, start);
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Event::Finished {
                outcome: &outcome,
                done: d,
                total,
            });
            (outcome, report)
        })
        .collect();
    let mut out = Sweep::default();
    for (o, r) in parts {
        out.repos.push(o);
        out.report.merge(r);
    }
    out.report.finish();
    out
}

/// Sync, open, skip or scan, record: one repository.
fn one(
    scanner: &Scanner,
    repo: &Repo,
    opts: &Options<'_>,
    start: Instant,
) -> (RepoOutcome, Report) {
    let key = repo.key.as_str();
    let mut refs = Refs::new();
    let result = (|| -> Result<(Report, Status), crate::Error> {
        let path = match &repo.source {
            Source::Local(p) => p.clone(),
            Source::Remote(url) => mirror::sync(&opts.cache, url)?.0,
        };
        refs = ref_tips(&path)?;
        if let Some(st) = opts.state {
            if let Some(saved) = st.unchanged(key, &refs, opts.version, &opts.settings) {
                let r = Report {
                    findings: saved.findings,
                    diagnostics: saved.diagnostics,
                    ..Default::default()
                };
                return Ok((r, Status::Skipped));
            }
        }
        let mut r = scan_repo(scanner, &path, &Target::History { branch: None }, None)?;
        for f in &mut r.findings {
            f.repository = Some(key.to_string());
        }
        for d in &mut r.diagnostics {
            d.path = Some(match &d.path {
                Some(p) => format!("{key}: {p}"),
                None => key.to_string(),
            });
        }
        let status = if r.has_errors() {
            Status::Error
        } else {
            Status::Scanned
        };
        if status == Status::Scanned && scanner.config.redact {
            if let Some(st) = opts.state {
                st.save_results(&Results {
                    repository: key.to_string(),
                    refs: refs.clone(),
                    version: opts.version.to_string(),
                    settings: opts.settings.clone(),
                    findings: r.findings.clone(),
                    diagnostics: r.diagnostics.clone(),
                })?;
            }
        }
        Ok((r, status))
    })();
    let (mut report, status, error) = match result {
        Ok((r, s)) => {
            let err = (s == Status::Error).then(|| {
                r.diagnostics
                    .iter()
                    .filter(|d| d.level == Level::Error)
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            (r, s, err)
        }
        Err(e) => {
            let msg = list::scrub(&e.to_string());
            let mut r = Report::default();
            r.diagnostics
                .push(Diagnostic::new(Level::Error, Some(key), msg.clone()));
            (r, Status::Error, Some(msg))
        }
    };
    let duration = start.elapsed();
    let mut outcome = RepoOutcome {
        repository: key.to_string(),
        status,
        findings: report.findings.len(),
        duration_ms: millis(duration),
        error,
    };
    if let Some(st) = opts.state {
        let entry = Entry {
            repository: key.to_string(),
            status,
            refs,
            findings: outcome.findings,
            duration_ms: outcome.duration_ms,
            version: opts.version.to_string(),
            settings: opts.settings.clone(),
            time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            error: outcome.error.clone(),
        };
        if let Err(e) = st.append(&entry) {
            let msg = format!("cannot record this repository in the state file: {e}");
            report
                .diagnostics
                .push(Diagnostic::new(Level::Error, Some(key), msg.clone()));
            outcome.status = Status::Error;
            outcome.error = Some(msg);
        }
    }
    (outcome, report)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The tip of every ref and of `HEAD`: what decides whether a repository changed.
pub fn ref_tips(path: &Path) -> Result<Refs, crate::Error> {
    // No search upwards: a plain directory inside some other repository is an error, not that
    // repository.
    let repo = git2::Repository::open_ext(
        path,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    )
    .map_err(|e| {
        crate::Error::Git(format!(
            "{}: not a git repository (or it cannot be opened): {}",
            path.display(),
            e.message()
        ))
    })?;
    let mut refs = Refs::new();
    for r in repo.references()? {
        let r = r?;
        let Some(name) = r.name() else { continue };
        if let Ok(t) = r.resolve() {
            if let Some(id) = t.target() {
                refs.insert(name.to_string(), id.to_string());
            }
        }
    }
    if let Ok(h) = repo.head() {
        if let Some(id) = h.target() {
            refs.insert("HEAD".to_string(), id.to_string());
        }
    }
    Ok(refs)
}
