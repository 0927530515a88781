//! Files: directory trees walked in parallel with the `ignore` crate (`.gitignore` honoured,
//! hidden files included — `.env` is where secrets live — and `.git` itself skipped), files,
//! streams (a FIFO, a character device) and standard input (`-`) named on the command line.
//!
//! Paths are relative to the enclosing repository's root, wherever the scan starts, so that
//! `scan sub/` and `scan .` give the same fingerprints; outside a repository they are relative
//! to the directory scanned. In a repository, files that git tracks are scanned even when they
//! also match `.gitignore` (a repository scan covers what git tracks). What cannot be read (a
//! directory without permission, a name too long) is an `Error` diagnostic: the binaries exit 2.

use crate::error::Error;
use crate::input::{read_capped, Blob, Content, Loaded, Origin};
use crate::scan::driver::{Driver, Source, Worker};
use crate::scan::{Diagnostic, Level, Report, Scanner};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What findings from standard input are reported at.
pub const STDIN_PATH: &str = "<stdin>";

/// One file to scan.
enum Item {
    File { abs: PathBuf, rel: String },
    Stream { abs: PathBuf, rel: String },
    Stdin(Vec<u8>),
}

/// Scan a directory (or a single file) with the default settings of [`scan_paths`].
pub fn scan_path(scanner: &Scanner, root: &Path) -> Result<Report, Error> {
    scan_paths(scanner, &[root.to_path_buf()], &mut std::io::empty())
}

/// Scan the paths named on a command line: directories (walked), regular files, streams, and
/// `-`, which reads `stdin`. Errors about one path are diagnostics; the others are still scanned.
///
/// Directories are scanned as they are walked, by the walker's threads: no list of every path
/// is kept. Named files, standard input and tracked files that `.gitignore` hides from the walk
/// are listed and scanned after.
pub fn scan_paths(
    scanner: &Scanner,
    paths: &[PathBuf],
    stdin: &mut dyn Read,
) -> Result<Report, Error> {
    let driver = Driver::new(scanner);
    let mut items = Vec::new();
    {
        let mut here = driver.worker();
        for path in paths {
            if path.as_os_str() == "-" {
                let mut bytes = Vec::new();
                let read = read_capped(&mut *stdin, scanner.config.max_file_size, &mut bytes)
                    .map(|l| matches!(l, Loaded::TooLarge(_)));
                match read {
                    Ok(true) => here.skipped(scanner.too_large(STDIN_PATH, String::new())),
                    Ok(false) => items.push(Item::Stdin(bytes)),
                    Err(e) => {
                        here.diagnostic(Diagnostic::new(Level::Error, Some(STDIN_PATH), e));
                    }
                }
                continue;
            }
            list(scanner, &driver, &mut here, path, &mut items);
        }
    }
    driver.scan_items(&Files, (), &items, None)?;
    let mut report = driver.finish().report;
    report.finish();
    Ok(report)
}

/// Where a named path sits: the prefix that makes its entries repository-relative.
struct Place {
    /// The repository root, if the path is inside one.
    repo_root: Option<PathBuf>,
    /// `/`-separated path of the named path relative to the repository root ("" for the root),
    /// or `None` outside a repository.
    prefix: Option<String>,
}

fn place(path: &Path) -> Place {
    let none = Place {
        repo_root: None,
        prefix: None,
    };
    let Ok(canon) = std::fs::canonicalize(path) else {
        return none;
    };
    let Some(root) = canon.ancestors().find(|d| d.join(".git").exists()) else {
        return none;
    };
    let rel = canon.strip_prefix(root).unwrap_or(Path::new(""));
    Place {
        prefix: Some(slashes(rel)),
        repo_root: Some(root.to_path_buf()),
    }
}

fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// The repository-relative, `/`-separated path of `path` (under `root`, which is at `prefix`),
/// built in one allocation: this runs for every file walked.
fn repo_relative(prefix: &str, root: &Path, path: &Path) -> String {
    let tail = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
    let mut out = String::with_capacity(prefix.len() + 1 + tail.len());
    out.push_str(prefix);
    if !prefix.is_empty() && !tail.is_empty() {
        out.push('/');
    }
    let start = out.len();
    out.push_str(&tail);
    if tail.contains('\\') {
        out.replace_range(start.., &tail.replace('\\', "/"));
    }
    out
}

/// List one named path; a directory is walked and scanned as it goes.
fn list(
    scanner: &Scanner,
    driver: &Driver<'_>,
    here: &mut Worker<'_, '_>,
    path: &Path,
    items: &mut Vec<Item>,
) {
    let shown = slashes(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            here.diagnostic(Diagnostic::new(
                Level::Error,
                Some(&shown),
                format!("cannot scan: {e}"),
            ));
            return;
        }
    };
    let place = place(path);
    if !meta.is_dir() {
        // A file named on the command line is scanned whatever the include/exclude globs say.
        let rel = place.prefix.unwrap_or(shown);
        let abs = path.to_path_buf();
        items.push(if meta.is_file() {
            Item::File { abs, rel }
        } else {
            Item::Stream { abs, rel }
        });
        return;
    }
    let prefix = place.prefix.clone().unwrap_or_default();
    let in_repo = place.repo_root.is_some();
    let seen = walk_dir(scanner, driver, path, &prefix, in_repo);
    if let Some(root) = &place.repo_root {
        let seen: HashSet<u64> = seen.into_iter().collect();
        items.extend(tracked_but_ignored(scanner, root, &prefix, &seen, here));
    }
}

/// What identifies a walked path in [`walk_dir`]'s answer: a 64-bit hash (SipHash with fixed
/// keys) instead of a copy of every path.
fn path_key(rel: &str) -> u64 {
    let mut h = DefaultHasher::new();
    rel.hash(&mut h);
    h.finish()
}

/// Walk a directory in parallel and scan each selected file as the walk finds it (paths are
/// repository-relative). With `track`, returns the [`path_key`] of every file scanned.
fn walk_dir(
    scanner: &Scanner,
    driver: &Driver<'_>,
    root: &Path,
    prefix: &str,
    track: bool,
) -> Vec<u64> {
    let seen = Mutex::new(Vec::new());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .follow_links(false)
        .threads(rayon::current_num_threads())
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    walker.visit(&mut VisitorBuilder {
        scanner,
        driver,
        root,
        prefix,
        track,
        seen: &seen,
    });
    seen.into_inner().unwrap_or_else(|p| p.into_inner())
}

struct VisitorBuilder<'a, 's> {
    scanner: &'s Scanner,
    driver: &'a Driver<'s>,
    root: &'a Path,
    prefix: &'a str,
    track: bool,
    seen: &'a Mutex<Vec<u64>>,
}

impl<'a, 's> ignore::ParallelVisitorBuilder<'a> for VisitorBuilder<'a, 's> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 'a> {
        Box::new(Visitor {
            scanner: self.scanner,
            root: self.root,
            prefix: self.prefix,
            track: self.track,
            seen: self.seen,
            local: Vec::new(),
            worker: self.driver.worker(),
        })
    }
}

/// One walker thread: scans what it finds with its own worker.
struct Visitor<'a, 's> {
    scanner: &'s Scanner,
    root: &'a Path,
    prefix: &'a str,
    track: bool,
    seen: &'a Mutex<Vec<u64>>,
    local: Vec<u64>,
    worker: Worker<'a, 's>,
}

impl ignore::ParallelVisitor for Visitor<'_, '_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        match entry {
            Ok(entry) => {
                let Some(ft) = entry.file_type() else {
                    return ignore::WalkState::Continue;
                };
                let rel = repo_relative(self.prefix, self.root, entry.path());
                if ft.is_symlink() {
                    self.worker.skipped(Diagnostic::new(
                        Level::Note,
                        Some(&rel),
                        "skipped: symbolic link (not followed)",
                    ));
                } else if ft.is_file() && self.scanner.path_selected(&rel) {
                    if self.track {
                        self.local.push(path_key(&rel));
                    }
                    self.worker.scan(Blob {
                        path: rel,
                        origin: Origin::File,
                        added: None,
                        content: Content::File(entry.into_path()),
                    });
                }
            }
            Err(err) => self
                .worker
                .diagnostic(walk_error(self.root, self.prefix, &err)),
        }
        ignore::WalkState::Continue
    }
}

impl Drop for Visitor<'_, '_> {
    fn drop(&mut self) {
        if !self.local.is_empty() {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.append(&mut self.local);
        }
    }
}

/// A directory that could not be read: an error naming it (a warning for ignore files that do
/// not parse, which do not keep anything from being scanned).
fn walk_error(root: &Path, prefix: &str, err: &ignore::Error) -> Diagnostic {
    let mut path = None;
    let mut inner = err;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| repo_relative(prefix, root, p));
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            _ => break,
        }
    }
    let level = match inner {
        ignore::Error::Io(_) | ignore::Error::Loop { .. } => Level::Error,
        _ => Level::Warning,
    };
    let what = match inner {
        ignore::Error::Io(e) => format!("cannot read: {e}"),
        other => other.to_string(),
    };
    let path = path
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| slashes(root));
    Diagnostic::new(level, Some(&path), what)
}

/// Files git tracks under `prefix` that the walk left out because they match `.gitignore`.
fn tracked_but_ignored(
    scanner: &Scanner,
    root: &Path,
    prefix: &str,
    seen: &HashSet<u64>,
    here: &mut Worker<'_, '_>,
) -> Vec<Item> {
    let index = git2::Repository::open(root).and_then(|r| r.index());
    let index = match index {
        Ok(i) => i,
        Err(e) => {
            here.diagnostic(Diagnostic::new(
                Level::Error,
                Some(&slashes(root)),
                format!(
                    "cannot read the git index, so tracked files that match .gitignore cannot \
                     be found: {}",
                    e.message()
                ),
            ));
            return Vec::new();
        }
    };
    let under = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let mut out = Vec::new();
    for entry in index.iter() {
        // Regular files only (not symbolic links or submodules).
        if entry.mode & 0o170000 != 0o100000 {
            continue;
        }
        let rel = String::from_utf8_lossy(&entry.path).into_owned();
        let inside = rel.starts_with(&under) || rel == prefix;
        if !inside || seen.contains(&path_key(&rel)) || !scanner.path_selected(&rel) {
            continue;
        }
        if rel.split('/').any(|c| c == ".git") {
            continue;
        }
        let abs = root.join(&rel);
        // Deleted from the working tree: nothing on disk to scan.
        if std::fs::symlink_metadata(&abs).is_ok_and(|m| m.is_file()) {
            out.push(Item::File { abs, rel });
        }
    }
    out
}

/// Files are read by the driver; no reader state.
struct Files;

impl Source for Files {
    type Item = Item;
    type Reader = ();

    fn reader(&self) -> Result<(), Error> {
        Ok(())
    }

    fn blob<'r>(&self, _: &'r (), item: &Item) -> Result<Option<Blob<'r>>, Diagnostic> {
        Ok(Some(match item {
            Item::File { abs, rel } => Blob {
                path: rel.clone(),
                origin: Origin::File,
                added: None,
                content: Content::File(abs.clone()),
            },
            Item::Stream { abs, rel } => Blob {
                path: rel.clone(),
                origin: Origin::File,
                added: None,
                content: Content::Stream(abs.clone()),
            },
            Item::Stdin(bytes) => Blob {
                path: STDIN_PATH.to_string(),
                origin: Origin::Stdin,
                added: None,
                content: Content::Bytes(bytes.clone()),
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walked_paths_are_repository_relative() {
        let root = Path::new("/r/sub");
        assert_eq!(
            repo_relative("", root, Path::new("/r/sub/a/b.txt")),
            "a/b.txt"
        );
        assert_eq!(repo_relative("sub", root, Path::new("/r/sub/a")), "sub/a");
        assert_eq!(repo_relative("sub", root, Path::new("/r/sub")), "sub");
        assert_eq!(repo_relative("", root, Path::new("/r/sub")), "");
        // Backslashes become slashes, as in every other path the scan reports.
        assert_eq!(repo_relative("p", root, Path::new("/r/sub/a\\b")), "p/a/b");
        // Control: a path outside the root is kept whole.
        assert_eq!(repo_relative("", root, Path::new("/x/y")), "/x/y");
    }
}
