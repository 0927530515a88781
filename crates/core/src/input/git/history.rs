//! History and commit ranges.
//!
//! **History**: commits from every ref (or one branch) are walked parents-first; each commit's tree
//! is walked skipping subtrees already seen, so every tree and blob is visited once (as
//! `git rev-list --objects` does) and each blob is recorded with the first commit and path that
//! introduced it. The unique blobs are then scanned in parallel, each worker with its own
//! `git2::Repository` (a repository handle is not shareable across threads).
//!
//! **Range** `A..B`: each commit in the range is diffed against its first parent; only the lines
//! it adds are reported, attributed to it. A merge commit is only held to what no parent already
//! had (its conflict resolutions), so merged-in branches are not reported twice.

use super::{
    changes, commit_info, dedup_diagnostics, refuse_shallow, reopen, Change, Changes, Phase,
    Progress, ProgressFn, RepoRef,
};
use crate::error::Error;
use crate::finding::{CommitInfo, Finding};
use crate::input::{Blob, Content, Origin};
use crate::scan::driver::{self, Source};
use crate::scan::{Diagnostic, Level, Report, Scanner};
use git2::{DiffOptions, ObjectType, Oid, Repository, RevparseMode, Sort};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Scan every blob reachable from all refs (or from `branch` only), once each. This is the entry
/// point for "scan the whole history of this repository".
///
/// What cannot be read (a ref whose tip is missing, a truncated pack, a missing tree or blob) is
/// an `Error` diagnostic naming it, and everything else is still scanned: the binaries exit 2.
/// Tags that point straight at a blob or a tree are scanned too.
pub fn scan_history(
    scanner: &Scanner,
    repo: &Repository,
    branch: Option<&str>,
    progress: Option<ProgressFn<'_>>,
) -> Result<Report, Error> {
    refuse_shallow(repo)?;
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let mut list = BlobList::default();
    let mut extra: Vec<(Oid, ObjectType, String)> = Vec::new();
    match branch {
        Some(b) => {
            let c = repo
                .revparse_single(b)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| Error::Git(format!("cannot resolve `{b}`: {}", e.message())))?;
            walk.push(c.id())?;
        }
        None => {
            let mut tips = Vec::new();
            for r in repo.references()? {
                match r {
                    Ok(r) => {
                        let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                        tips.push((name, r.peel(ObjectType::Any)));
                    }
                    Err(e) => list.diagnostics.push(Diagnostic::new(
                        Level::Error,
                        None,
                        format!("cannot read a ref: {}", e.message()),
                    )),
                }
            }
            match repo.head() {
                Ok(h) => tips.push(("HEAD".to_string(), h.peel(ObjectType::Any))),
                Err(e)
                    if e.code() == git2::ErrorCode::UnbornBranch
                        || e.code() == git2::ErrorCode::NotFound => {}
                Err(e) => tips.push(("HEAD".to_string(), Err(e))),
            }
            for (name, tip) in tips {
                match tip {
                    Ok(obj) => match obj.kind() {
                        Some(ObjectType::Commit) => walk.push(obj.id())?,
                        Some(k @ (ObjectType::Tree | ObjectType::Blob)) => {
                            extra.push((obj.id(), k, name));
                        }
                        _ => {}
                    },
                    Err(e) => list.diagnostics.push(Diagnostic::new(
                        Level::Error,
                        Some(&name),
                        format!(
                            "cannot read the object this ref points to: {} (is the repository \
                             complete? `git fsck` tells what is missing)",
                            e.message()
                        ),
                    )),
                }
            }
        }
    }
    list.walk_commits(scanner, repo, walk, progress);
    for (id, kind, name) in extra {
        list.add_ref_object(scanner, repo, id, kind, name);
    }
    // Read the versions of a file one after the other (a stable sort keeps them in commit order):
    // they are one delta chain in the pack, so its bases stay in libgit2's delta-base cache
    // instead of being inflated again for every version (in commit order, thousands of other
    // files come between two versions of one file: zlib was 38 % of a history scan's time).
    list.items.sort_by(|a, b| a.path.cmp(&b.path));
    let source = Objects {
        git_dir: repo.path().to_path_buf(),
        lifetime: std::marker::PhantomData,
    };
    let scanned = driver::run(
        scanner,
        &source,
        RepoRef::Borrowed(repo),
        &list.items,
        progress,
    )?;
    let mut report = scanned.report;
    report.diagnostics.append(&mut list.diagnostics);
    attribute(repo, &mut report, &scanned.origins, &list);
    dedup_diagnostics(&mut report);
    report.finish();
    Ok(report)
}

/// One finding per fingerprint (rule, path, secret), at the commit that introduced it: a secret
/// that stays in a file through many edits is in every later version of that file's blob; it is
/// reported once, at the earliest commit in parents-first order. Then each kept finding gets its
/// commit's author, date and summary (or the ref it was found through).
fn attribute(repo: &Repository, report: &mut Report, origins: &[Origin], list: &BlobList) {
    let rank = |o: &Origin| match o {
        Origin::Commit(i) => *i as usize,
        _ => usize::MAX,
    };
    let mut tagged: Vec<(Finding, Origin)> = std::mem::take(&mut report.findings)
        .into_iter()
        .zip(origins.iter().copied())
        .collect();
    tagged.sort_by(|(a, oa), (b, ob)| {
        (&a.fingerprint, rank(oa), a.line, a.column).cmp(&(
            &b.fingerprint,
            rank(ob),
            b.line,
            b.column,
        ))
    });
    tagged.dedup_by(|later, first| later.0.fingerprint == first.0.fingerprint);
    let mut infos: HashMap<u32, Option<CommitInfo>> = HashMap::new();
    for (f, origin) in &mut tagged {
        match *origin {
            Origin::Commit(i) => {
                f.commit = infos
                    .entry(i)
                    .or_insert_with(|| {
                        repo.find_commit(list.commits[i as usize])
                            .ok()
                            .map(|c| commit_info(&c))
                    })
                    .clone();
            }
            Origin::Ref(i) => {
                f.extra
                    .insert("ref".to_string(), list.refs[i as usize].clone());
            }
            _ => {}
        }
    }
    report.findings = tagged.into_iter().map(|(f, _)| f).collect();
}

/// A blob to scan and where it first appeared.
struct Item {
    id: Oid,
    origin: Origin,
    path: Box<str>,
}

/// Every blob to scan, each once, with where it first appeared.
#[derive(Default)]
struct BlobList {
    /// Commits in parents-first order; `Origin::Commit(i)` indexes this.
    commits: Vec<Oid>,
    /// Refs that point straight at a tree or blob; `Origin::Ref(i)` indexes this.
    refs: Vec<String>,
    items: Vec<Item>,
    seen_trees: HashSet<Oid, OidHash>,
    seen_blobs: HashSet<Oid, OidHash>,
    /// What could not be read while listing.
    diagnostics: Vec<Diagnostic>,
}

impl BlobList {
    /// Walk commits parents-first and their trees once each, keeping every blob's first
    /// appearance.
    fn walk_commits(
        &mut self,
        scanner: &Scanner,
        repo: &Repository,
        walk: git2::Revwalk<'_>,
        progress: Option<ProgressFn<'_>>,
    ) {
        for oid in walk {
            let oid = match oid {
                Ok(oid) => oid,
                Err(e) => {
                    // The walk cannot go on past a commit it cannot read.
                    self.diagnostics.push(missing("the commit graph", &e));
                    break;
                }
            };
            let commit = match repo.find_commit(oid) {
                Ok(c) => c,
                Err(e) => {
                    self.diagnostics.push(missing(&format!("commit {oid}"), &e));
                    continue;
                }
            };
            let origin = Origin::Commit(self.commits.len() as u32);
            self.commits.push(oid);
            self.walk_tree(scanner, repo, commit.tree_id(), String::new(), origin);
            if let Some(p) = progress {
                if self.commits.len() % 64 == 0 {
                    p(Progress {
                        phase: Phase::Listing,
                        done: self.commits.len() as u64,
                        total: 0,
                        bytes: 0,
                    });
                }
            }
        }
    }

    /// A ref that points straight at a tree or a blob (`git tag t <tree-or-blob>`).
    fn add_ref_object(
        &mut self,
        scanner: &Scanner,
        repo: &Repository,
        id: Oid,
        kind: ObjectType,
        name: String,
    ) {
        let origin = Origin::Ref(self.refs.len() as u32);
        self.refs.push(name.clone());
        match kind {
            ObjectType::Tree => self.walk_tree(scanner, repo, id, String::new(), origin),
            _ if self.seen_blobs.insert(id) && scanner.path_selected(&name) => {
                self.items.push(Item {
                    id,
                    origin,
                    path: name.into_boxed_str(),
                });
            }
            _ => {}
        }
    }

    /// Every blob of a tree not seen before, skipping subtrees already seen.
    fn walk_tree(
        &mut self,
        scanner: &Scanner,
        repo: &Repository,
        root: Oid,
        prefix: String,
        origin: Origin,
    ) {
        let mut stack: Vec<(Oid, String)> = vec![(root, prefix)];
        while let Some((tid, prefix)) = stack.pop() {
            if !self.seen_trees.insert(tid) {
                continue;
            }
            let tree = match repo.find_tree(tid) {
                Ok(t) => t,
                Err(e) => {
                    let at = if prefix.is_empty() {
                        None
                    } else {
                        Some(prefix.as_str())
                    };
                    let mut d = missing(&format!("tree {tid}"), &e);
                    d.path = at.map(str::to_string);
                    self.diagnostics.push(d);
                    continue;
                }
            };
            for e in tree.iter() {
                let name = String::from_utf8_lossy(e.name_bytes());
                let path = if prefix.is_empty() {
                    name.into_owned()
                } else {
                    format!("{prefix}/{name}")
                };
                match e.kind() {
                    Some(ObjectType::Tree) => stack.push((e.id(), path)),
                    // Symbolic links (0o120000) hold a path, not content.
                    Some(ObjectType::Blob)
                        if e.filemode() != 0o120000
                            && !self.seen_blobs.contains(&e.id())
                            && scanner.path_selected(&path) =>
                    {
                        self.seen_blobs.insert(e.id());
                        self.items.push(Item {
                            id: e.id(),
                            origin,
                            path: path.into_boxed_str(),
                        });
                    }
                    // Submodules (commits) belong to other repositories.
                    _ => {}
                }
            }
        }
    }
}

fn missing(what: &str, e: &git2::Error) -> Diagnostic {
    Diagnostic::new(
        Level::Error,
        None,
        format!(
            "cannot read {what}: {} (is the repository complete? a partial or shallow clone \
             lacks objects: fetch them first; `git fsck` tells what is missing)",
            e.message()
        ),
    )
}

/// The listed blobs, read from the object store.
struct Objects<'a> {
    git_dir: std::path::PathBuf,
    lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a> Source for Objects<'a> {
    type Item = Item;
    type Reader = RepoRef<'a>;

    fn reader(&self) -> Result<RepoRef<'a>, Error> {
        reopen(&self.git_dir)
    }

    fn blob<'r>(&self, repo: &'r RepoRef<'a>, item: &Item) -> Result<Option<Blob<'r>>, Diagnostic> {
        Ok(Some(Blob {
            path: item.path.to_string(),
            origin: item.origin,
            added: None,
            content: Content::Object { repo, id: item.id },
        }))
    }
}

/// Scan what the commits of `A..B` (or `A...B`) add, each finding attributed to its commit.
pub fn scan_range(
    scanner: &Scanner,
    repo: &Repository,
    range: &str,
    progress: Option<ProgressFn<'_>>,
) -> Result<Report, Error> {
    refuse_shallow(repo)?;
    let spec = repo
        .revparse(range)
        .map_err(|e| Error::Git(format!("cannot resolve range `{range}`: {}", e.message())))?;
    let (Some(from), Some(to)) = (spec.from(), spec.to()) else {
        return Err(Error::Git(format!(
            "`{range}` is not a commit range: write it as A..B (the commits reachable from B \
             and not from A)"
        )));
    };
    let from = from
        .peel_to_commit()
        .map_err(|e| Error::Git(format!("`{range}`: {}", e.message())))?;
    let to = to
        .peel_to_commit()
        .map_err(|e| Error::Git(format!("`{range}`: {}", e.message())))?;
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(to.id())?;
    if spec.mode().contains(RevparseMode::MERGE_BASE) {
        walk.push(from.id())?;
        let base = repo
            .merge_base(from.id(), to.id())
            .map_err(|e| Error::Git(format!("`{range}`: no merge base: {}", e.message())))?;
        walk.hide(base)?;
    } else {
        walk.hide(from.id())?;
    }
    let commits = walk
        .collect::<Result<Vec<Oid>, _>>()
        .map_err(|e| Error::Git(missing("a commit in the range", &e).message))?;
    let mut list = Vec::new();
    for (i, id) in commits.iter().enumerate() {
        list.extend(commit_adds(scanner, repo, *id, i as u32)?);
    }
    let scanned = Changes::scan(scanner, repo, &list, progress)?;
    let mut report = scanned.report;
    let mut infos: HashMap<u32, CommitInfo> = HashMap::new();
    for (f, origin) in report.findings.iter_mut().zip(&scanned.origins) {
        if let Origin::Commit(i) = *origin {
            let info = match infos.get(&i) {
                Some(c) => c.clone(),
                None => {
                    let c = repo.find_commit(commits[i as usize])?;
                    let info = commit_info(&c);
                    infos.insert(i, info.clone());
                    info
                }
            };
            f.commit = Some(info);
        }
    }
    dedup_diagnostics(&mut report);
    report.finish();
    Ok(report)
}

/// The blobs one commit writes, with the lines it adds (against its first parent).
fn commit_adds(
    scanner: &Scanner,
    repo: &Repository,
    id: Oid,
    index: u32,
) -> Result<Vec<Change>, Error> {
    let missing = |what: &str, e: git2::Error| Error::Git(missing(what, &e).message);
    let commit = repo
        .find_commit(id)
        .map_err(|e| missing(&format!("commit {id}"), e))?;
    let tree = commit
        .tree()
        .map_err(|e| missing(&format!("the tree of commit {id}"), e))?;
    let parents: Vec<git2::Tree<'_>> = commit
        .parents()
        .map(|p| p.tree())
        .collect::<Result<_, _>>()
        .map_err(|e| missing(&format!("a parent of commit {id}"), e))?;
    let mut opts = DiffOptions::new();
    opts.include_typechange(true);
    let mut diff = repo.diff_tree_to_tree(parents.first(), Some(&tree), Some(&mut opts))?;
    let mut find = git2::DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    let mut list = changes(&diff, scanner, Origin::Commit(index), None);
    if parents.len() > 1 {
        // Keep what no other parent already had at that path (conflict resolutions, evil merges).
        list.retain(|c| {
            !parents[1..].iter().any(|t| {
                t.get_path(std::path::Path::new(&c.path))
                    .is_ok_and(|e| e.id() == c.new)
            })
        });
    }
    Ok(list)
}

/// Object ids are already uniformly random: hash them by their first eight bytes.
#[derive(Default)]
struct OidHasher(u64);

impl Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut buf = [0u8; 8];
        let n = bytes.len().min(8);
        buf[..n].copy_from_slice(&bytes[..n]);
        self.0 = self.0.rotate_left(17) ^ u64::from_le_bytes(buf);
    }
    fn write_usize(&mut self, _: usize) {}
}

type OidHash = BuildHasherDefault<OidHasher>;

#[cfg(test)]
mod tests {
    use super::super::testutil::{git, init, token};
    use super::*;
    use crate::config::Config;
    use std::fs;

    fn scanner() -> Scanner {
        Scanner::new(Config::default()).unwrap()
    }

    /// a.txt gets a secret in commit 2, loses it in commit 3; commit 4 adds another file.
    fn repo_with_history() -> (tempfile::TempDir, Vec<String>, String) {
        let d = init();
        let p = d.path();
        let secret = token(11);
        fs::write(p.join("a.txt"), "hello\n").unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "one"]);
        fs::write(p.join("a.txt"), format!("hello\nkey={secret}\n")).unwrap();
        git(p, &["commit", "-qam", "add key"]);
        fs::write(p.join("a.txt"), "hello\n").unwrap();
        git(p, &["commit", "-qam", "remove key"]);
        fs::write(p.join("b.txt"), "nothing\n").unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "four"]);
        let log = git(p, &["log", "--format=%H", "--reverse"]);
        (d, log.lines().map(str::to_string).collect(), secret)
    }

    #[test]
    fn history_finds_removed_secret_with_its_commit() {
        let (d, ids, _) = repo_with_history();
        let repo = Repository::open(d.path()).unwrap();
        let r = scan_history(&scanner(), &repo, None, None).unwrap();
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        let f = &r.findings[0];
        let c = f.commit.as_ref().unwrap();
        assert_eq!(c.id, ids[1]);
        assert_eq!(c.summary, "add key");
        assert_eq!(c.date, "2024-01-02T03:04:05Z");
        assert_eq!(c.email, "test@example.invalid");
        assert_eq!(f.line, 2);
        // Three unique blobs: hello, hello+key, nothing.
        assert_eq!(r.stats.files_scanned, 3);
    }

    #[test]
    fn a_secret_kept_through_edits_is_reported_once_at_its_first_commit() {
        let d = init();
        let p = d.path();
        let secret = token(41);
        fs::write(p.join("a.txt"), format!("key={secret}\n")).unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "introduce"]);
        let first = git(p, &["rev-parse", "HEAD"]);
        for i in 0..3 {
            fs::write(p.join("a.txt"), format!("edit {i}\nkey={secret}\n")).unwrap();
            git(p, &["commit", "-qam", "edit"]);
        }
        let repo = Repository::open(p).unwrap();
        let r = scan_history(&scanner(), &repo, None, None).unwrap();
        assert_eq!(r.stats.files_scanned, 4);
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].commit.as_ref().unwrap().id, first);
        assert_eq!(r.findings[0].line, 1);
    }

    #[test]
    fn range_attributes_and_excludes() {
        let (d, ids, _) = repo_with_history();
        let repo = Repository::open(d.path()).unwrap();
        let r = scan_range(&scanner(), &repo, &format!("{}..{}", ids[0], ids[3]), None).unwrap();
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].commit.as_ref().unwrap().id, ids[1]);
        let r = scan_range(&scanner(), &repo, &format!("{}..{}", ids[1], ids[3]), None).unwrap();
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let e = scan_range(&scanner(), &repo, "nope..HEAD", None).unwrap_err();
        assert!(e.to_string().contains("cannot resolve range"), "{e}");
    }

    #[test]
    fn range_over_a_merge_reports_each_secret_once_with_its_commit() {
        let d = init();
        let p = d.path();
        fs::write(p.join("a.txt"), "base\n").unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "base"]);
        let base = git(p, &["rev-parse", "HEAD"]);
        git(p, &["checkout", "-qb", "feature"]);
        fs::write(p.join("f.txt"), format!("k={}\n", token(31))).unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "feature secret"]);
        let feature = git(p, &["rev-parse", "HEAD"]);
        git(p, &["checkout", "-q", "main"]);
        fs::write(p.join("a.txt"), "base\nmain\n").unwrap();
        git(p, &["commit", "-qam", "main work"]);
        git(p, &["merge", "-q", "--no-edit", "feature"]);
        let repo = Repository::open(p).unwrap();
        let r = scan_range(&scanner(), &repo, &format!("{base}..HEAD"), None).unwrap();
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].commit.as_ref().unwrap().id, feature);
    }

    #[test]
    fn branch_only_and_all_refs() {
        let (d, _, _) = repo_with_history();
        let p = d.path();
        git(p, &["checkout", "-qb", "side"]);
        fs::write(p.join("c.txt"), format!("k={}\n", token(12))).unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "side"]);
        git(p, &["checkout", "-q", "main"]);
        let repo = Repository::open(p).unwrap();
        let all = scan_history(&scanner(), &repo, None, None).unwrap();
        assert_eq!(all.findings.len(), 2);
        let main = scan_history(&scanner(), &repo, Some("main"), None).unwrap();
        assert_eq!(main.findings.len(), 1);
    }
}
