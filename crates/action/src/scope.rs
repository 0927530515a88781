//! The event's target checked against the repository → the scan to run, and words for it.
//!
//! This is where a shallow checkout or a commit missing from it becomes an error that says to
//! set `fetch-depth: 0`: a change scan over incomplete history would pass silently. The scans
//! themselves are `pipeguard_core::input::git::{scan_range, scan_history}`; here we only pick the
//! range, count its commits for the log, and resolve the default branch of a new-branch push.

use crate::event::Target;
use anyhow::{bail, Result};
use git2::{Oid, Repository};
use std::path::Path;

/// How to ask for full history, in every message that needs it.
pub const FETCH_DEPTH_HINT: &str = "set `fetch-depth: 0` on actions/checkout so that every \
commit of the change is in the checkout:\n\n    - uses: actions/checkout@v4\n      with:\n        fetch-depth: 0";

/// The scan to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// `scan_range` over `base..head` (full ids).
    Range {
        range: String,
    },
    /// `scan_history` from one commit, or from every ref (`None`).
    History {
        from: Option<String>,
    },
    Tree,
    /// Nothing was added (a deleted branch, a branch created at a commit already scanned).
    Nothing,
}

/// The scan, a Markdown phrase naming what it covers ("the 2 commits pull request #7 adds"),
/// and, for the log, how the choice was made when that is not obvious.
#[derive(Debug, Clone)]
pub struct Scope {
    pub work: Work,
    pub what: String,
    pub note: Option<String>,
}

/// `text` as a Markdown code span that survives a table cell (no backticks, no pipes).
pub fn code(text: &str) -> String {
    format!(
        "`{}`",
        text.replace('`', "'")
            .replace('|', "\\|")
            .replace(['\r', '\n'], " ")
    )
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn commits(n: usize) -> String {
    format!("{n} commit{}", if n == 1 { "" } else { "s" })
}

/// Resolve a change target (range, new branch, deletion) against `repo`. `label` names the
/// trigger ("pull request #7"); `pr_target` adds the `ref:` advice for `pull_request_target`.
pub fn resolve(repo: &Repository, target: &Target, label: &str, pr_target: bool) -> Result<Scope> {
    if let Target::Deleted { branch } = target {
        return Ok(Scope {
            work: Work::Nothing,
            what: format!(
                "nothing: the push deleted {}",
                branch.as_deref().map_or("a branch".to_string(), code)
            ),
            note: None,
        });
    }
    if repo.is_shallow() {
        bail!(
            "the checkout is shallow (actions/checkout fetches a single commit by default), so the \
             commits of this {label} are not all there and a scan could miss secrets; {FETCH_DEPTH_HINT}"
        );
    }
    match target {
        Target::Range {
            base,
            head,
            forced,
            branch,
            default_branch,
        } => {
            let head_id = find(repo, head, "head", label, pr_target)?;
            let base_id = match find(repo, base, "base", label, pr_target) {
                Ok(id) => id,
                Err(_) if *forced => {
                    // The old tip of a forced push is usually unreachable and never fetched.
                    let mut scope =
                        new_branch(repo, head_id, branch.as_deref(), default_branch.as_deref())?;
                    scope.note = Some(format!(
                        "forced push: the previous tip {} is not in the repository, so the \
                         branch is scanned as if it were new{}",
                        code(short(base)),
                        scope.note.map(|n| format!("; {n}")).unwrap_or_default()
                    ));
                    return Ok(scope);
                }
                Err(e) => return Err(e),
            };
            let n = count(repo, base_id, head_id)?;
            let what = format!(
                "the {} {label} adds ({})",
                commits(n),
                code(&format!("{}..{}", short(base), short(head)))
            );
            Ok(range_or_nothing(base_id, head_id, n, what))
        }
        Target::NewBranch {
            head,
            branch,
            default_branch,
        } => {
            let head_id = find(repo, head, "after", label, pr_target)?;
            new_branch(repo, head_id, branch.as_deref(), default_branch.as_deref())
        }
        Target::Deleted { .. } | Target::History | Target::Tree => {
            unreachable!("resolve() is only called for change targets")
        }
    }
}

/// A new branch: the commits not on the default branch; every commit when the branch *is* the
/// default branch (a first push); the pushed commit alone when the default branch is unknown.
fn new_branch(
    repo: &Repository,
    head: Oid,
    branch: Option<&str>,
    default_branch: Option<&str>,
) -> Result<Scope> {
    let name = branch.map_or("a new branch".to_string(), |b| {
        format!("the new branch {}", code(b))
    });
    if let (Some(b), Some(d)) = (branch, default_branch) {
        if b == d {
            let n = count_all(repo, head)?;
            return Ok(Scope {
                work: Work::History {
                    from: Some(head.to_string()),
                },
                what: format!(
                    "all {} of the default branch's first push ({})",
                    commits(n),
                    code(b)
                ),
                note: Some(
                    "the push created the default branch itself: every commit is new".into(),
                ),
            });
        }
    }
    let found = default_branch.and_then(|d| {
        [
            format!("refs/remotes/origin/{d}"),
            format!("refs/heads/{d}"),
        ]
        .into_iter()
        .find_map(|r| {
            let id = repo.refname_to_id(&r).ok()?;
            let c = repo.find_commit(id).ok()?;
            Some((r, c.id()))
        })
    });
    if let Some((refname, base)) = found {
        let n = count(repo, base, head)?;
        let shown = refname
            .trim_start_matches("refs/remotes/")
            .trim_start_matches("refs/heads/");
        let what = format!(
            "the {} on {name} that are not on the default branch {}",
            commits(n),
            code(shown)
        );
        let mut scope = range_or_nothing(base, head, n, what);
        scope.note = Some(format!(
            "new branch: scanning the commits not on the default branch ({})",
            code(shown)
        ));
        return Ok(scope);
    }
    let why = match default_branch {
        Some(d) => format!(
            "the default branch {} is not in the checkout (neither `origin/{d}` nor `{d}`)",
            code(d)
        ),
        None => "the event does not name the default branch".to_string(),
    };
    let commit = repo.find_commit(head)?;
    let what = format!(
        "only the pushed commit {} of {name}",
        code(short(&head.to_string()))
    );
    let note = Some(format!(
        "new branch: {why}, so which commits are new cannot be known: scanning the pushed commit alone"
    ));
    let work = match commit.parent_ids().next() {
        Some(parent) => Work::Range {
            range: format!("{parent}..{head}"),
        },
        // A root commit: its history is itself.
        None => Work::History {
            from: Some(head.to_string()),
        },
    };
    Ok(Scope { work, what, note })
}

fn range_or_nothing(base: Oid, head: Oid, n: usize, what: String) -> Scope {
    if n == 0 {
        return Scope {
            work: Work::Nothing,
            what: format!("nothing: no new commit ({what})"),
            note: None,
        };
    }
    Scope {
        work: Work::Range {
            range: format!("{base}..{head}"),
        },
        what,
        note: None,
    }
}

/// A commit named by the event, or an error that says how to get it into the checkout.
fn find(repo: &Repository, sha: &str, role: &str, label: &str, pr_target: bool) -> Result<Oid> {
    let found = Oid::from_str(sha)
        .ok()
        .and_then(|id| repo.find_commit(id).ok())
        .or_else(|| repo.revparse_single(sha).ok()?.peel_to_commit().ok());
    match found {
        Some(c) => Ok(c.id()),
        None if pr_target && role == "head" => bail!(
            "the {role} commit {} of this {label} is not in the checkout: with \
             `pull_request_target`, actions/checkout checks out the base branch; add \
             `ref: ${{{{ github.event.pull_request.head.sha }}}}` and `fetch-depth: 0` to it \
             (pipeguard only reads the files, it never runs them)",
            short(sha)
        ),
        None => bail!(
            "the {role} commit {} of this {label} is not in the checkout, so what it adds cannot be \
             scanned; {FETCH_DEPTH_HINT}",
            short(sha)
        ),
    }
}

/// Commits reachable from `head` and not from `base`.
fn count(repo: &Repository, base: Oid, head: Oid) -> Result<usize> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    walk.hide(base)?;
    Ok(walk.count())
}

fn count_all(repo: &Repository, head: Oid) -> Result<usize> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    Ok(walk.count())
}

/// The files that decide what is reported — the config (`.pipeguard.toml`, `pipeguard.toml`,
/// `.gitleaks.toml` at the root), `.gitleaksignore`, and the baseline file — that a range scan's
/// change adds or edits: the change is judged by them, so an edit deserves a reviewer's eye.
/// `baseline` is the configured baseline (absolute, or relative to the working tree).
pub fn changed_configs(repo: &Repository, work: &Work, baseline: Option<&Path>) -> Vec<String> {
    let Work::Range { range } = work else {
        return Vec::new();
    };
    let Some((a, b)) = range.split_once("..") else {
        return Vec::new();
    };
    let tree = |s: &str| {
        let id = Oid::from_str(s).ok()?;
        repo.find_commit(id).ok()?.tree().ok()
    };
    let (Some(ta), Some(tb)) = (tree(a), tree(b)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = pipeguard_core::config::CONFIG_NAMES
        .iter()
        .chain(&[".gitleaksignore"])
        .map(|s| s.to_string())
        .collect();
    if let Some(rel) = baseline.and_then(|b| repo_relative(repo, b)) {
        names.push(rel);
    }
    names.dedup();
    names
        .into_iter()
        .filter(|name| {
            let p = Path::new(name);
            ta.get_path(p).map(|e| e.id()).ok() != tb.get_path(p).map(|e| e.id()).ok()
        })
        .collect()
}

/// A path as git names it in the repository's trees (`/`-separated, from the root).
fn repo_relative(repo: &Repository, path: &Path) -> Option<String> {
    let workdir = repo.workdir()?;
    let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        workdir.join(path)
    };
    let abs = match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(abs.clone()),
        _ => abs,
    };
    let rel = abs.strip_prefix(&workdir).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}
