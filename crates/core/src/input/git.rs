//! Git inputs: what is staged, what a commit range adds, and every blob in the history.
//!
//! All three read objects straight from the repository with `git2`, never from the working tree:
//! - [`staged`]: the index against `HEAD` (or against nothing before the first commit). Whole staged
//!   blobs are scanned, so a multi-line secret is still matched, and only findings that overlap the
//!   lines the change adds are kept.
//! - [`history::scan_range`]: the blobs the commits of `A..B` add, each finding attributed to the
//!   commit that added its lines.
//! - [`history::scan_history`]: every blob reachable from all refs (or one branch), deduplicated by
//!   object id and scanned in parallel, each finding attributed to the first commit and path that
//!   introduced the blob.
//! - [`sweep`]: many repositories at once, each finding naming its repository.
//!
//! Nothing here modifies the repository: the index is read, never written.

pub mod history;
pub mod staged;
pub mod sweep;

pub use history::{scan_history, scan_range};
pub use staged::{scan_staged, scan_staged_files};
pub use sweep::{find_repos, scan_repos, Target};

use super::{Added, Blob, Content, Origin};
use crate::error::Error;
use crate::finding::CommitInfo;
use crate::scan::driver::Source;
use crate::scan::{Diagnostic, Level, Report, Scanner};
use git2::{DiffOptions, Oid, Patch, Repository};
use std::path::{Path, PathBuf};

/// What a long scan reports as it goes, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    /// Units done in this phase (commits, blobs or repositories).
    pub done: u64,
    /// Units in this phase; 0 while unknown.
    pub total: u64,
    /// Bytes scanned so far (scanning phase).
    pub bytes: u64,
}

/// The phases of a long scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Walking commits and trees to list the blobs to scan (`done` counts commits).
    Listing,
    /// Scanning blobs (`done` counts blobs).
    Scanning,
    /// A sweep over several repositories (`done` counts repositories).
    Repositories,
}

/// A progress callback; called from worker threads, so it must be cheap and `Sync`.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Sync);

/// What git's environment says about the repository, as a hook or `git commit -a` sets it.
/// The binaries read the variables (resolving relative paths against their working directory)
/// and pass them in; the library never reads the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitEnv {
    /// `GIT_DIR`: the repository, instead of discovering it from a directory.
    pub git_dir: Option<PathBuf>,
    /// `GIT_WORK_TREE`: its working tree (with `GIT_DIR`).
    pub work_tree: Option<PathBuf>,
    /// `GIT_INDEX_FILE`: the index to read for staged scans (`git commit -a` and
    /// `git commit <paths>` hand the hook a temporary index).
    pub index_file: Option<PathBuf>,
}

impl GitEnv {
    /// From git's variables as `var` looks them up (a binary passes `std::env::var_os`);
    /// relative paths are relative to `cwd`, as git means them. Empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>, cwd: &Path) -> Self {
        let path = |name: &str| {
            var(name)
                .filter(|v| !v.is_empty())
                .map(|v| cwd.join(PathBuf::from(v)))
        };
        GitEnv {
            git_dir: path("GIT_DIR"),
            work_tree: path("GIT_WORK_TREE"),
            index_file: path("GIT_INDEX_FILE"),
        }
    }
}

/// Open the repository that encloses `path`.
pub fn open(path: &Path) -> Result<Repository, Error> {
    Repository::discover(path).map_err(|e| {
        Error::Git(format!(
            "{}: not a git repository (or it cannot be opened): {}",
            path.display(),
            e.message()
        ))
    })
}

/// Open the repository `env.git_dir` names, or else the one enclosing `start`.
pub fn open_env(env: &GitEnv, start: &Path) -> Result<Repository, Error> {
    let Some(dir) = &env.git_dir else {
        return open(start);
    };
    let repo = Repository::open(dir).map_err(|e| {
        Error::Git(format!(
            "{}: GIT_DIR is not a git repository (or it cannot be opened): {}",
            dir.display(),
            e.message()
        ))
    })?;
    if let Some(wt) = &env.work_tree {
        repo.set_workdir(wt, false)
            .map_err(|e| Error::Git(format!("GIT_WORK_TREE {}: {}", wt.display(), e.message())))?;
    }
    Ok(repo)
}

/// Process-wide libgit2 settings for reading every object of a repository once: no object
/// cache (it would only hold memory) and no re-hashing of each object on read (`git fsck`'s
/// job, and it costs about as much as inflating). The library never calls this itself: a binary
/// may, before it starts any thread.
pub fn tune_for_bulk_reads() {
    git2::opts::enable_caching(false);
    git2::opts::strict_hash_verification(false);
}

/// A shallow clone has no complete history: scanning it would silently miss commits.
pub(crate) fn refuse_shallow(repo: &Repository) -> Result<(), Error> {
    if repo.is_shallow() {
        return Err(Error::Git(format!(
            "{}: this is a shallow clone, so its history is incomplete and a scan could miss \
             secrets; run `git fetch --unshallow` (in CI: `fetch-depth: 0`) and scan again",
            display_repo(repo)
        )));
    }
    Ok(())
}

/// The working directory of a repository, or its git directory when it is bare.
pub(crate) fn display_repo(repo: &Repository) -> String {
    repo.workdir()
        .unwrap_or_else(|| repo.path())
        .display()
        .to_string()
}

/// Lines of `new` that are not in `old`, from a zero-context diff of the two blobs: with no
/// context lines, the new side of each hunk is exactly the lines it adds.
pub(crate) fn added_lines(old: &git2::Blob<'_>, new: &git2::Blob<'_>) -> Result<Added, Error> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).interhunk_lines(0).force_text(true);
    let patch = Patch::from_blobs(old, None, new, None, Some(&mut opts))?;
    let mut ranges = Vec::new();
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        if hunk.new_lines() > 0 {
            let start = hunk.new_start() as usize;
            ranges.push((start, start + hunk.new_lines() as usize - 1));
        }
    }
    ranges.sort_unstable();
    Ok(Added::Lines(ranges))
}

/// One blob a change writes.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) path: String,
    pub(crate) old: Option<Oid>,
    pub(crate) new: Oid,
    /// The index (`Origin::Index`) or the commit that makes the change.
    pub(crate) origin: Origin,
}

/// What the deltas of a diff write, minus what is never scanned (deletions, submodules, symbolic
/// links, unselected paths). Skipped submodules and links get a note when `notes` is set.
pub(crate) fn changes(
    diff: &git2::Diff<'_>,
    scanner: &Scanner,
    origin: Origin,
    notes: Option<&mut Vec<Diagnostic>>,
) -> Vec<Change> {
    use git2::{Delta, FileMode};
    let mut out = Vec::new();
    let mut notes = notes;
    for delta in diff.deltas() {
        match delta.status() {
            Delta::Added
            | Delta::Modified
            | Delta::Renamed
            | Delta::Copied
            | Delta::Typechange
            | Delta::Conflicted => {}
            _ => continue,
        }
        let new = delta.new_file();
        let path = new
            .path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        let skip = match new.mode() {
            FileMode::Commit => Some("skipped: submodule (scan the submodule's own repository)"),
            FileMode::Link => Some("skipped: symbolic link (its target is scanned where it lives)"),
            FileMode::Blob | FileMode::BlobExecutable | FileMode::BlobGroupWritable => None,
            _ => Some("skipped: not a regular file"),
        };
        if let Some(why) = skip {
            if let Some(n) = notes.as_deref_mut() {
                n.push(Diagnostic::new(Level::Note, Some(&path), why));
            }
            continue;
        }
        if !scanner.path_selected(&path) {
            continue;
        }
        let old_file = delta.old_file();
        let old = (delta.status() != Delta::Added
            && !old_file.id().is_zero()
            && matches!(
                old_file.mode(),
                FileMode::Blob | FileMode::BlobExecutable | FileMode::BlobGroupWritable
            ))
        .then(|| old_file.id());
        if old == Some(new.id()) {
            // A pure rename or mode change adds no line.
            continue;
        }
        out.push(Change {
            path,
            old,
            new: new.id(),
            origin,
        });
    }
    out
}

/// A repository handle for one worker thread, opened from the same git directory (a
/// `git2::Repository` cannot be shared across threads).
pub(crate) fn reopen<'a>(git_dir: &Path) -> Result<RepoRef<'a>, Error> {
    Repository::open(git_dir)
        .map(RepoRef::Owned)
        .map_err(|e| Error::Git(format!("cannot reopen the repository: {}", e.message())))
}

/// The calling thread's repository (borrowed) or a worker's own.
pub(crate) enum RepoRef<'a> {
    Borrowed(&'a Repository),
    Owned(Repository),
}

impl std::ops::Deref for RepoRef<'_> {
    type Target = Repository;
    fn deref(&self) -> &Repository {
        match self {
            RepoRef::Borrowed(r) => r,
            RepoRef::Owned(r) => r,
        }
    }
}

/// Changes (staged or in commits) as blobs, each with the lines it adds.
pub(crate) struct Changes<'a> {
    /// The repository's git directory, for the workers' own handles.
    pub(crate) git_dir: PathBuf,
    pub(crate) lifetime: std::marker::PhantomData<&'a ()>,
    /// `scan.max_file_size`: larger blobs are not loaded to be diffed (the driver skips them).
    pub(crate) max: u64,
}

impl<'a> Source for Changes<'a> {
    type Item = Change;
    type Reader = RepoRef<'a>;

    fn reader(&self) -> Result<RepoRef<'a>, Error> {
        reopen(&self.git_dir)
    }

    fn blob<'r>(
        &self,
        repo: &'r RepoRef<'a>,
        change: &Change,
    ) -> Result<Option<Blob<'r>>, Diagnostic> {
        let path = change.path.as_str();
        let blob = |added| Blob {
            path: change.path.clone(),
            origin: change.origin,
            added: Some(added),
            content: Content::Object {
                repo,
                id: change.new,
            },
        };
        let Some(old) = change.old else {
            return Ok(Some(blob(Added::All)));
        };
        // An oversized blob is never loaded to be diffed: the driver notes it.
        let size = repo.odb().and_then(|o| o.read_header(change.new));
        if size.is_ok_and(|(n, _)| n as u64 > self.max) {
            return Ok(Some(blob(Added::All)));
        }
        let new = repo.find_blob(change.new).map_err(|e| {
            Diagnostic::new(
                Level::Error,
                Some(path),
                format!("could not read blob {}: {}", change.new, e.message()),
            )
        })?;
        let added = match repo.find_blob(old) {
            Ok(old) => added_lines(&old, &new).map_err(|e| {
                Diagnostic::new(Level::Error, Some(path), format!("could not diff: {e}"))
            })?,
            // The old side is missing (a broken object store): treat every line as added.
            Err(_) => Added::All,
        };
        if added.is_empty() {
            return Ok(None);
        }
        Ok(Some(blob(added)))
    }
}

/// Who made a commit and when, for findings.
pub(crate) fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    let author = commit.author();
    CommitInfo {
        id: commit.id().to_string(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        date: rfc3339_utc(author.when().seconds()),
        summary: commit
            .summary_bytes()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Drop repeated diagnostics (a binary file seen in many commits is noted once).
pub(crate) fn dedup_diagnostics(report: &mut Report) {
    let mut seen = std::collections::HashSet::new();
    report
        .diagnostics
        .retain(|d| seen.insert((d.level as u8, d.path.clone(), d.message.clone())));
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Real repositories in temp dirs, driven by the `git` command.

    use std::path::Path;
    use std::process::Command;

    pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.invalid",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
            .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub(crate) fn init() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        dir
    }

    /// A Slack bot token with fresh random-looking digits and letters.
    pub(crate) fn token(seed: u64) -> String {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let digits: String = (0..12).map(|_| char::from(b'0' + next(10) as u8)).collect();
        let digits2: String = (0..13).map(|_| char::from(b'0' + next(10) as u8)).collect();
        let tail: String = (0..24)
            .map(|_| char::from(ALNUM[next(62) as usize]))
            .collect();
        format!("xoxb-{}-{digits2}-{tail}", &digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_704_164_645), "2024-01-02T03:04:05Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}

impl<'a> Changes<'a> {
    /// Scan `list` (the calling thread reads with `repo`).
    pub(crate) fn scan(
        scanner: &Scanner,
        repo: &'a Repository,
        list: &[Change],
        progress: Option<ProgressFn<'_>>,
    ) -> Result<crate::scan::driver::Scanned, Error> {
        let source = Changes {
            git_dir: repo.path().to_path_buf(),
            max: scanner.config.max_file_size,
            lifetime: std::marker::PhantomData,
        };
        crate::scan::driver::run(scanner, &source, RepoRef::Borrowed(repo), list, progress)
    }
}
