//! Sweeps: many repositories in one scan, in parallel, each finding naming its repository.
//!
//! One repository that cannot be scanned (missing, shallow, corrupt) becomes a diagnostic of
//! level `Error` naming it, and the sweep goes on; the binaries exit 2 at the end.

use super::{open, Phase, Progress, ProgressFn};
use crate::error::Error;
use crate::scan::{Diagnostic, Level, Report, Scanner};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What to scan in each repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every blob reachable from all refs, or from one branch.
    History { branch: Option<String> },
    /// What the commits of `A..B` add.
    Range(String),
}

/// Scan one repository for `target`.
pub fn scan_repo(
    scanner: &Scanner,
    path: &Path,
    target: &Target,
    progress: Option<ProgressFn<'_>>,
) -> Result<Report, Error> {
    let repo = open(path)?;
    match target {
        Target::History { branch } => {
            super::scan_history(scanner, &repo, branch.as_deref(), progress)
        }
        Target::Range(r) => super::scan_range(scanner, &repo, r, progress),
    }
}

/// Scan several repositories in parallel. Every finding gets `repository` set to the path as
/// given; a repository that fails is an `Error` diagnostic and the others are still scanned.
pub fn scan_repos(
    scanner: &Scanner,
    repos: &[PathBuf],
    target: &Target,
    progress: Option<ProgressFn<'_>>,
) -> Report {
    let done = AtomicU64::new(0);
    let total = repos.len() as u64;
    let parts: Vec<Report> = repos
        .par_iter()
        .map(|path| {
            let name = path.display().to_string();
            let mut r = match scan_repo(scanner, path, target, None) {
                Ok(r) => r,
                Err(e) => {
                    let mut r = Report::default();
                    r.diagnostics
                        .push(Diagnostic::new(Level::Error, Some(&name), e.to_string()));
                    r
                }
            };
            for f in &mut r.findings {
                f.repository = Some(name.clone());
            }
            for d in &mut r.diagnostics {
                d.path = Some(match &d.path {
                    Some(p) if *p != name => format!("{name}: {p}"),
                    _ => name.clone(),
                });
            }
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(Progress {
                    phase: Phase::Repositories,
                    done: d,
                    total,
                    bytes: 0,
                });
            }
            r
        })
        .collect();
    let mut report = Report::default();
    for p in parts {
        report.merge(p);
    }
    report.finish();
    report
}

/// Every git repository under `dir` (itself included): working trees (a `.git` directory or file)
/// and bare repositories. Does not descend into a repository once found (submodules and nested
/// clones are their own business), nor into hidden directories, nor through symbolic links.
pub fn find_repos(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.join(".git").exists() || is_bare(&d) {
            out.push(d);
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            if !hidden && e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_bare(d: &Path) -> bool {
    d.join("HEAD").is_file() && d.join("objects").is_dir() && d.join("refs").is_dir()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{git, token};
    use super::*;
    use crate::config::Config;
    use std::fs;

    #[test]
    fn sweep_names_repositories_and_survives_a_broken_one() {
        let root = tempfile::tempdir().unwrap();
        for (name, seed) in [("one", 21), ("two", 22)] {
            let p = root.path().join(name);
            fs::create_dir(&p).unwrap();
            git(&p, &["init", "-q"]);
            fs::write(p.join("k.env"), format!("K={}\n", token(seed))).unwrap();
            git(&p, &["add", "."]);
            git(&p, &["commit", "-qm", "k"]);
        }
        // A bare clone is found too; a nested plain directory is not a repository.
        git(
            root.path(),
            &["clone", "-q", "--bare", "one", "nested/one.git"],
        );
        let repos = find_repos(root.path()).unwrap();
        assert_eq!(repos.len(), 3, "{repos:?}");
        let mut with_broken = repos.clone();
        with_broken.push(root.path().join("missing"));
        let scanner = Scanner::new(Config::default()).unwrap();
        let target = Target::History { branch: None };
        let r = scan_repos(&scanner, &with_broken, &target, None);
        assert_eq!(r.findings.len(), 3);
        assert!(r.findings.iter().all(|f| f.repository.is_some()));
        assert!(r.has_errors());
        let errors: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].path.as_deref().unwrap().ends_with("missing"));
    }
}
