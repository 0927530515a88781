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
    changes, commit_info, count, dedup_diagnostics, read_blob, refuse_shallow, scan_change, Phase,
    Progress, ProgressFn,
};
use crate::error::Error;
use crate::finding::{CommitInfo, Finding};
use crate::scan::{Report, Scanner};
use git2::{DiffOptions, ObjectType, Oid, Repository, RevparseMode, Sort};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Blobs (or commits) a worker takes at a time: enough consecutive versions of a file for its
/// delta chain to be read by one worker.
const CHUNK: usize = 32;

/// Scan every blob reachable from all refs (or from `branch` only), once each.
pub fn scan_history(
    scanner: &Scanner,
    repo: &Repository,
    branch: Option<&str>,
    progress: Option<ProgressFn<'_>>,
) -> Result<Report, Error> {
    refuse_shallow(repo)?;
    // Every object is read once here, so libgit2's object cache would only hold memory, and
    // re-hashing each object on read (corruption detection: `git fsck`'s job) costs about as much
    // as inflating it. Both are process-wide libgit2 settings.
    git2::opts::enable_caching(false);
    git2::opts::strict_hash_verification(false);
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    match branch {
        Some(b) => {
            let c = repo
                .revparse_single(b)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| Error::Git(format!("cannot resolve `{b}`: {}", e.message())))?;
            walk.push(c.id())?;
        }
        None => {
            let mut any = false;
            for r in repo.references()? {
                if let Ok(c) = r?.peel_to_commit() {
                    walk.push(c.id())?;
                    any = true;
                }
            }
            if let Ok(c) = repo.head().and_then(|h| h.peel_to_commit()) {
                walk.push(c.id())?;
                any = true;
            }
            if !any {
                return Ok(Report::default());
            }
        }
    }
    let list = list_blobs(scanner, repo, walk, progress)?;
    let mut report = scan_blobs(scanner, repo, &list, progress)?;
    first_occurrences(&mut report, &list.commits);
    dedup_diagnostics(&mut report);
    report.finish();
    Ok(report)
}

/// One finding per fingerprint (rule, path, secret). A secret that stays in a file through many
/// edits is in every later version of that file's blob; it is reported once, at the commit that
/// introduced it (the earliest in parents-first order).
fn first_occurrences(report: &mut Report, commits: &[Oid]) {
    let wanted: HashSet<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.commit.as_ref().map(|c| c.id.as_str()))
        .collect();
    let mut order: HashMap<String, usize> = HashMap::new();
    for (i, c) in commits.iter().enumerate() {
        let id = c.to_string();
        if wanted.contains(id.as_str()) {
            order.insert(id, i);
        }
    }
    let rank = |f: &Finding| {
        f.commit
            .as_ref()
            .and_then(|c| order.get(&c.id).copied())
            .unwrap_or(usize::MAX)
    };
    let mut findings = std::mem::take(&mut report.findings);
    findings.sort_by_cached_key(|f| (f.fingerprint.clone(), rank(f), f.line, f.column));
    findings.dedup_by(|later, first| later.fingerprint == first.fingerprint);
    report.findings = findings;
}

/// A blob to scan and where it first appeared.
struct Item {
    id: Oid,
    commit: u32,
    path: Box<str>,
}

struct BlobList {
    commits: Vec<Oid>,
    items: Vec<Item>,
}

/// Walk commits parents-first and their trees once each, keeping every blob's first appearance.
fn list_blobs(
    scanner: &Scanner,
    repo: &Repository,
    walk: git2::Revwalk<'_>,
    progress: Option<ProgressFn<'_>>,
) -> Result<BlobList, Error> {
    let mut seen_trees: HashSet<Oid, OidHash> = HashSet::default();
    let mut seen_blobs: HashSet<Oid, OidHash> = HashSet::default();
    let mut commits = Vec::new();
    let mut items = Vec::new();
    let mut stack: Vec<(Oid, String)> = Vec::new();
    for oid in walk {
        let oid = oid.map_err(|e| missing("a commit", e))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|e| missing(&format!("commit {oid}"), e))?;
        let ci = commits.len() as u32;
        commits.push(oid);
        stack.push((commit.tree_id(), String::new()));
        while let Some((tid, prefix)) = stack.pop() {
            if !seen_trees.insert(tid) {
                continue;
            }
            let tree = repo
                .find_tree(tid)
                .map_err(|e| missing(&format!("tree {tid} (commit {oid})"), e))?;
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
                            && !seen_blobs.contains(&e.id())
                            && scanner.path_selected(&path) =>
                    {
                        seen_blobs.insert(e.id());
                        items.push(Item {
                            id: e.id(),
                            commit: ci,
                            path: path.into_boxed_str(),
                        });
                    }
                    // Submodules (commits) belong to other repositories.
                    _ => {}
                }
            }
        }
        if let Some(p) = progress {
            if commits.len() % 64 == 0 {
                p(Progress {
                    phase: Phase::Listing,
                    done: commits.len() as u64,
                    total: 0,
                    bytes: 0,
                });
            }
        }
    }
    // Read the versions of a file one after the other: they are one delta chain in the pack, so
    // its bases stay in libgit2's delta-base cache instead of being inflated again for every
    // version (in commit order, thousands of other files come between two versions of one file).
    items.sort_by(|a, b| (&a.path, a.commit).cmp(&(&b.path, b.commit)));
    Ok(BlobList { commits, items })
}

fn missing(what: &str, e: git2::Error) -> Error {
    Error::Git(format!(
        "cannot read {what}: {} (is the repository complete? a partial or shallow clone lacks \
         objects: fetch them first)",
        e.message()
    ))
}

/// Scan the listed blobs with one worker per rayon thread, each with its own repository handle.
fn scan_blobs(
    scanner: &Scanner,
    repo: &Repository,
    list: &BlobList,
    progress: Option<ProgressFn<'_>>,
) -> Result<Report, Error> {
    let total = list.items.len();
    let next = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let git_dir = repo.path().to_path_buf();
    let workers = rayon::current_num_threads().clamp(1, total.max(1));
    let work = |worker: &Repository| {
        let mut local = Report::default();
        let mut infos: HashMap<u32, CommitInfo> = HashMap::new();
        loop {
            let start = next.fetch_add(CHUNK, Ordering::Relaxed);
            if start >= total {
                break;
            }
            let end = (start + CHUNK).min(total);
            let mut chunk_bytes = 0;
            for item in &list.items[start..end] {
                let Some(blob) = read_blob(worker, scanner, &item.path, item.id, &mut local) else {
                    continue;
                };
                let scan = scanner.scan_bytes(&item.path, blob.content());
                count(&mut local, &scan, blob.size());
                chunk_bytes += blob.size() as u64;
                local.diagnostics.extend(scan.diagnostics);
                for mut f in scan.findings {
                    f.commit = commit_of(worker, &list.commits, item.commit, &mut infos);
                    local.findings.push(f);
                }
            }
            let d = done.fetch_add((end - start) as u64, Ordering::Relaxed) + (end - start) as u64;
            let b = bytes.fetch_add(chunk_bytes, Ordering::Relaxed) + chunk_bytes;
            if let Some(p) = progress {
                p(Progress {
                    phase: Phase::Scanning,
                    done: d,
                    total: total as u64,
                    bytes: b,
                });
            }
        }
        local
    };
    let parts: Vec<Result<Report, git2::Error>> = if workers == 1 {
        vec![Ok(work(repo))]
    } else {
        (0..workers)
            .into_par_iter()
            .map(|_| Repository::open(&git_dir).map(|r| work(&r)))
            .collect()
    };
    let mut report = Report::default();
    for p in parts {
        report.merge(p.map_err(|e| Error::Git(format!("cannot reopen the repository: {e}")))?);
    }
    Ok(report)
}

fn commit_of(
    repo: &Repository,
    commits: &[Oid],
    index: u32,
    cache: &mut HashMap<u32, CommitInfo>,
) -> Option<CommitInfo> {
    if let Some(c) = cache.get(&index) {
        return Some(c.clone());
    }
    let commit = repo.find_commit(commits[index as usize]).ok()?;
    let info = commit_info(&commit);
    cache.insert(index, info.clone());
    Some(info)
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
        .map_err(|e| missing("a commit in the range", e))?;

    let total = commits.len();
    let next = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let git_dir = repo.path().to_path_buf();
    let work = |worker: &Repository| -> Result<Report, Error> {
        let mut local = Report::default();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= total {
                break;
            }
            let findings = commit_adds(scanner, worker, commits[i], &mut local)?;
            local.findings.extend(findings);
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(Progress {
                    phase: Phase::Scanning,
                    done: d,
                    total: total as u64,
                    bytes: 0,
                });
            }
        }
        Ok(local)
    };
    let workers = rayon::current_num_threads().clamp(1, total.max(1));
    let parts: Vec<Result<Report, Error>> = if workers == 1 {
        vec![work(repo)]
    } else {
        (0..workers)
            .into_par_iter()
            .map(|_| {
                let r = Repository::open(&git_dir)
                    .map_err(|e| Error::Git(format!("cannot reopen the repository: {e}")))?;
                work(&r)
            })
            .collect()
    };
    let mut report = Report::default();
    for p in parts {
        report.merge(p?);
    }
    dedup_diagnostics(&mut report);
    report.finish();
    Ok(report)
}

/// The findings on lines one commit adds, attributed to it.
fn commit_adds(
    scanner: &Scanner,
    repo: &Repository,
    id: Oid,
    report: &mut Report,
) -> Result<Vec<Finding>, Error> {
    let commit = repo
        .find_commit(id)
        .map_err(|e| missing(&format!("commit {id}"), e))?;
    let tree = commit.tree()?;
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
    let mut list = changes(&diff, scanner, None);
    if parents.len() > 1 {
        // Keep what no other parent already had at that path (conflict resolutions, evil merges).
        list.retain(|c| {
            !parents[1..].iter().any(|t| {
                t.get_path(std::path::Path::new(&c.path))
                    .is_ok_and(|e| e.id() == c.new)
            })
        });
    }
    let mut out = Vec::new();
    let mut info = None;
    for c in &list {
        for mut f in scan_change(repo, scanner, c, report) {
            f.commit = Some(info.get_or_insert_with(|| commit_info(&commit)).clone());
            out.push(f);
        }
    }
    Ok(out)
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
