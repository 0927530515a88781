//! What `git commit` would record: the index against `HEAD`.
//!
//! Content comes from the index (the staged blob), never from the working tree, so a partially
//! staged file (`git add -p`) is judged by what will be committed. Before the first commit every
//! indexed file counts as added. Small changes are scanned on the calling thread: the hook's
//! whole-process latency matters more than parallelism for a handful of files.

use super::{changes, Change, Changes};
use crate::error::Error;
use crate::input::Origin;
use crate::scan::{Report, Scanner};
use git2::{DiffOptions, ErrorCode, Index, Repository, Tree};
use std::path::{Path, PathBuf};

/// Scan what is staged in `repo`: the index (`index_file` when git names another one, as
/// `GIT_INDEX_FILE` does for `git commit -a`; else the repository's own) against `HEAD`.
/// Findings keep only what overlaps added lines; paths are relative to the repository root.
pub fn scan_staged(
    scanner: &Scanner,
    repo: &Repository,
    index_file: Option<&Path>,
) -> Result<Report, Error> {
    staged(scanner, repo, index_file, None)
}

/// Like [`scan_staged`], restricted to `files` (relative to `cwd`, or absolute, as the pre-commit
/// framework passes them). A named file that is staged unchanged (e.g.
/// `pre-commit run --all-files`) is scanned whole.
pub fn scan_staged_files(
    scanner: &Scanner,
    repo: &Repository,
    index_file: Option<&Path>,
    files: &[PathBuf],
    cwd: &Path,
) -> Result<Report, Error> {
    staged(scanner, repo, index_file, Some((files, cwd)))
}

fn staged(
    scanner: &Scanner,
    repo: &Repository,
    index_file: Option<&Path>,
    files: Option<(&[PathBuf], &Path)>,
) -> Result<Report, Error> {
    // The index is only ever read here, never written.
    let index = match index_file {
        Some(path) => Index::open(path).map_err(|e| {
            Error::Git(format!(
                "{}: cannot read the index (GIT_INDEX_FILE): {}",
                path.display(),
                e.message()
            ))
        }),
        None => repo.index().map_err(|e| {
            Error::Git(format!(
                "{}: cannot read the index: {}",
                super::display_repo(repo),
                e.message()
            ))
        }),
    }?;
    if index.has_conflicts() {
        let mut paths: Vec<String> = index
            .conflicts()?
            .filter_map(Result::ok)
            .filter_map(|c| c.our.or(c.their).or(c.ancestor))
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        paths.sort();
        paths.dedup();
        return Err(Error::Git(format!(
            "the index has unresolved merge conflicts ({}); resolve them and `git add` the \
             result before committing",
            paths.join(", ")
        )));
    }
    let head = head_tree(repo)?;
    let wanted = match files {
        Some((files, cwd)) => Some(repo_relative(repo, files, cwd)?),
        None => None,
    };
    let mut opts = DiffOptions::new();
    opts.include_typechange(true).ignore_submodules(false);
    if let Some(w) = &wanted {
        if w.is_empty() {
            return Ok(Report::default());
        }
        opts.disable_pathspec_match(true);
        for p in w {
            opts.pathspec(p.as_str());
        }
    }
    let mut diff = repo.diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut opts))?;
    let mut find = git2::DiffFindOptions::new();
    find.renames(true).copies(false);
    diff.find_similar(Some(&mut find))?;

    let mut notes = Vec::new();
    let mut list = changes(&diff, scanner, Origin::Index, Some(&mut notes));
    if let Some(w) = &wanted {
        // Named files that the diff does not mention are staged unchanged: scan them whole.
        let in_diff: std::collections::HashSet<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path_bytes().map(<[u8]>::to_vec))
            .map(|p| String::from_utf8_lossy(&p).into_owned())
            .collect();
        for p in w.iter().filter(|p| !in_diff.contains(*p)) {
            let Some(entry) = index.get_path(Path::new(p), 0) else {
                continue;
            };
            let regular = matches!(entry.mode & 0o170000, 0o100000);
            if regular && scanner.path_selected(p) {
                list.push(Change {
                    path: p.clone(),
                    old: None,
                    new: entry.id,
                    origin: Origin::Index,
                });
            }
        }
    }
    drop(diff);
    let mut report = Changes::scan(scanner, repo, &list, None)?.report;
    report.diagnostics.extend(notes);
    super::dedup_diagnostics(&mut report);
    report.finish();
    Ok(report)
}

/// The tree of `HEAD`, or `None` before the first commit.
fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>, Error> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree().map_err(|e| {
            Error::Git(format!("HEAD does not point to a commit: {}", e.message()))
        })?)),
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            Ok(None)
        }
        Err(e) => Err(Error::Git(format!("cannot resolve HEAD: {}", e.message()))),
    }
}

/// `/`-separated paths relative to the working tree root, from paths relative to `cwd` (or
/// absolute).
fn repo_relative(repo: &Repository, files: &[PathBuf], cwd: &Path) -> Result<Vec<String>, Error> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::Git("a bare repository has no staged files".to_string()))?;
    let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let abs = if f.is_absolute() {
            f.clone()
        } else {
            cwd.join(f)
        };
        let abs = normalize(&abs);
        // Canonicalize the directory (symlinked temp dirs), keep the file name as given.
        let abs = match (abs.parent(), abs.file_name()) {
            (Some(dir), Some(name)) => std::fs::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or(abs.clone()),
            _ => abs.clone(),
        };
        let rel = abs.strip_prefix(&workdir).map_err(|_| {
            Error::Git(format!(
                "{}: outside the repository at {}",
                f.display(),
                workdir.display()
            ))
        })?;
        out.push(rel.to_string_lossy().replace('\\', "/"));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Resolve `.` and `..` components without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{git, init, token};
    use super::*;
    use crate::config::Config;
    use std::fs;

    fn scanner() -> Scanner {
        Scanner::new(Config::default()).unwrap()
    }

    fn staged_in(dir: &Path) -> Report {
        let repo = Repository::open(dir).unwrap();
        scan_staged(&scanner(), &repo, None).unwrap()
    }

    #[test]
    fn first_commit_reports_staged_secret() {
        let d = init();
        fs::write(d.path().join("a.env"), format!("T={}\n", token(1))).unwrap();
        git(d.path(), &["add", "a.env"]);
        let r = staged_in(d.path());
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].path, "a.env");
        assert_eq!(r.findings[0].rule_id, "slack-bot-token");
    }

    #[test]
    fn only_added_lines_count_and_index_content_wins() {
        let d = init();
        let old = token(2);
        fs::write(d.path().join("a.env"), format!("OLD={old}\n")).unwrap();
        git(d.path(), &["add", "."]);
        git(d.path(), &["commit", "-qm", "old"]);
        // Stage a harmless line, then put a secret in the worktree only.
        fs::write(d.path().join("a.env"), format!("OLD={old}\nNAME=x\n")).unwrap();
        git(d.path(), &["add", "a.env"]);
        fs::write(
            d.path().join("a.env"),
            format!("OLD={old}\nNAME=x\nNEW={}\n", token(3)),
        )
        .unwrap();
        let r = staged_in(d.path());
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        // Now stage it: the new line is reported, the old secret is not.
        git(d.path(), &["add", "a.env"]);
        let r = staged_in(d.path());
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].line, 3);
    }

    #[test]
    fn pure_rename_adds_nothing_and_deletion_is_fine() {
        let d = init();
        fs::write(d.path().join("a.env"), format!("T={}\n", token(4))).unwrap();
        fs::write(d.path().join("b.txt"), "bye\n").unwrap();
        git(d.path(), &["add", "."]);
        git(d.path(), &["commit", "-qm", "one"]);
        git(d.path(), &["mv", "a.env", "moved.env"]);
        git(d.path(), &["rm", "-q", "b.txt"]);
        let r = staged_in(d.path());
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert!(!r.has_errors());
    }

    #[test]
    fn conflicts_are_a_clear_error() {
        let d = init();
        fs::write(d.path().join("f"), "base\n").unwrap();
        git(d.path(), &["add", "."]);
        git(d.path(), &["commit", "-qm", "base"]);
        git(d.path(), &["checkout", "-qb", "other"]);
        fs::write(d.path().join("f"), "other\n").unwrap();
        git(d.path(), &["commit", "-qam", "other"]);
        git(d.path(), &["checkout", "-q", "main"]);
        fs::write(d.path().join("f"), "main\n").unwrap();
        git(d.path(), &["commit", "-qam", "main"]);
        let _ = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@e.invalid",
                "merge",
                "other",
            ])
            .current_dir(d.path())
            .output();
        let repo = Repository::open(d.path()).unwrap();
        let e = scan_staged(&scanner(), &repo, None).unwrap_err();
        assert!(e.to_string().contains("merge conflicts (f)"), "{e}");
    }

    #[test]
    fn many_staged_files_are_scanned_in_parallel() {
        let d = init();
        for i in 0..70 {
            fs::write(d.path().join(format!("f{i:03}.txt")), format!("line {i}\n")).unwrap();
        }
        fs::write(d.path().join("f050.txt"), format!("k={}\n", token(7))).unwrap();
        git(d.path(), &["add", "."]);
        let r = staged_in(d.path());
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].path, "f050.txt");
        assert_eq!(r.stats.files_scanned, 70);
    }

    #[test]
    fn files_mode_limits_to_named_files() {
        let d = init();
        fs::write(d.path().join("a.env"), format!("T={}\n", token(5))).unwrap();
        fs::write(d.path().join("b.env"), format!("T={}\n", token(6))).unwrap();
        git(d.path(), &["add", "."]);
        let repo = Repository::open(d.path()).unwrap();
        let r = scan_staged_files(&scanner(), &repo, None, &[PathBuf::from("b.env")], d.path())
            .unwrap();
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].path, "b.env");
    }
}
