//! `pipeguard scan --git / --staged / --range / --repos` and `pipeguard baseline`, end to end on
//! real repositories built in temp dirs with the `git` command.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn commit_all(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Commits: init (clean) → leak (secret in config.py) → fix (secret removed) → docs.
struct Leaky {
    dir: tempfile::TempDir,
    commits: Vec<String>,
    token: String,
}

fn leaky_repo() -> Leaky {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    let token = token("history-leak");
    let mut commits = Vec::new();
    write(p, "config.py", "DEBUG = False\n");
    commits.push(commit_all(p, "init"));
    write(
        p,
        "config.py",
        format!("DEBUG = False\nTOKEN = \"{token}\"\n"),
    );
    commits.push(commit_all(p, "add the deploy token"));
    write(
        p,
        "config.py",
        "DEBUG = False\nTOKEN = os.environ['TOKEN']\n",
    );
    commits.push(commit_all(p, "read the token from the environment"));
    write(p, "README.md", "# app\n");
    commits.push(commit_all(p, "docs"));
    Leaky {
        dir,
        commits,
        token,
    }
}

fn json_scan(args: &[&str], dir: &Path) -> (Option<i32>, Value, String) {
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code(), doc, stderr)
}

#[test]
fn history_finds_a_removed_secret_with_its_commit() {
    let l = leaky_repo();
    let (code, doc, stderr) = json_scan(&["--git"], l.dir.path());
    assert_eq!(code, Some(1), "{doc}\n{stderr}");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "slack-bot-token");
    assert_eq!(f["path"], "config.py");
    assert_eq!(f["line"], 2);
    assert_eq!(f["commit"]["id"], l.commits[1].as_str());
    assert_eq!(f["commit"]["author"], "Ada");
    assert_eq!(f["commit"]["email"], "ada@example.invalid");
    assert_eq!(f["commit"]["date"], "2024-03-04T05:06:07Z");
    assert_eq!(f["commit"]["summary"], "add the deploy token");
    assert!(!doc.to_string().contains(&l.token[5..]), "secret leaked");
    // The working tree alone is clean.
    let out = pipeguard().arg("scan").arg(l.dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn range_reports_only_what_its_commits_add() {
    let l = leaky_repo();
    let c = &l.commits;
    let (code, doc, _) = json_scan(&["--range", &format!("{}..{}", c[0], c[3])], l.dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(doc["findings"][0]["commit"]["id"], c[1].as_str());
    let (code, doc, _) = json_scan(
        &["--git", "--range", &format!("{}..HEAD", c[1])],
        l.dir.path(),
    );
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    // A range naming a commit that does not exist is an error, not a pass.
    let out = pipeguard()
        .args([
            "scan",
            "--range",
            "0123456789abcdef0123456789abcdef01234567..HEAD",
        ])
        .arg(l.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn branch_limits_history_to_one_branch() {
    let l = leaky_repo();
    let p = l.dir.path();
    git(p, &["checkout", "-qb", "feature"]);
    write(p, "other.env", format!("GH={}\n", token("feature-branch")));
    commit_all(p, "feature secret");
    git(p, &["checkout", "-q", "main"]);
    let (_, all, _) = json_scan(&["--git"], p);
    assert_eq!(all["findings"].as_array().unwrap().len(), 2);
    let (_, main, _) = json_scan(&["--git", "--branch", "main"], p);
    assert_eq!(main["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn baseline_suppresses_exactly_the_old_finding() {
    let l = leaky_repo();
    let p = l.dir.path();
    let base = p.join("baseline.json");
    let out = pipeguard()
        .args(["baseline", "--git", "--output"])
        .arg(&base)
        .arg(p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(
        !text.contains(&l.token[5..]),
        "a baseline never holds the secret"
    );
    let b: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), 1);

    // The old secret comes back on another line (a rebase or squash moving it): still accepted.
    write(
        p,
        "config.py",
        format!("# moved\nDEBUG = False\n\nTOKEN = \"{}\"\n", l.token),
    );
    commit_all(p, "bring it back, moved");
    let (code, doc, _) = json_scan(&["--git", "--baseline", base.to_str().unwrap()], p);
    assert_eq!(code, Some(0), "{doc}");

    // A different secret is still reported.
    let fresh = token("a-new-one");
    write(p, "deploy.sh", format!("export GH_TOKEN={fresh}\n"));
    let newest = commit_all(p, "new secret");
    let (code, doc, _) = json_scan(&["--git", "--baseline", base.to_str().unwrap()], p);
    assert_eq!(code, Some(1));
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["path"], "deploy.sh");
    assert_eq!(findings[0]["commit"]["id"], newest.as_str());

    // The same baseline works from the config file, and for a plain directory scan.
    write(
        p,
        ".pipeguard.toml",
        "version = 1\nbaseline = \"baseline.json\"\n",
    );
    let (_, doc, _) = json_scan(&["--git"], p);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc}");
}

#[test]
fn shallow_clone_is_an_error() {
    let l = leaky_repo();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", l.dir.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let out = pipeguard()
        .args(["scan", "--git"])
        .arg(clone.path().join("c"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("shallow"), "{stderr}");
}

#[test]
fn staged_scans_the_index_not_the_worktree() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(p, "a.txt", "hello\n");
    commit_all(p, "init");
    write(p, "a.txt", format!("hello\nt={}\n", token("staged")));
    let (code, _, _) = json_scan(&["--staged"], p);
    assert_eq!(code, Some(0), "only in the working tree");
    git(p, &["add", "a.txt"]);
    let (code, doc, _) = json_scan(&["--staged"], p);
    assert_eq!(code, Some(1));
    assert_eq!(doc["findings"][0]["line"], 2);
}

#[test]
fn sweep_reports_each_repository_and_survives_a_broken_one() {
    let root = tempfile::tempdir().unwrap();
    for name in ["alpha", "beta"] {
        let p = root.path().join(name);
        std::fs::create_dir(&p).unwrap();
        git(&p, &["init", "-q"]);
        write(&p, "k.env", format!("K={}\n", token(name)));
        commit_all(&p, "k");
    }
    let (code, doc, _) = json_scan(&["--repos"], root.path());
    assert_eq!(code, Some(1), "{doc}");
    let repos: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["repository"].as_str().unwrap())
        .collect();
    assert_eq!(repos.len(), 2);
    assert!(
        repos[0].ends_with("alpha") && repos[1].ends_with("beta"),
        "{repos:?}"
    );

    // Several paths, one of which is not a repository: findings still come, exit is 2.
    std::fs::create_dir(root.path().join("plain")).unwrap();
    let out = pipeguard()
        .args(["scan", "--git", "--format", "json"])
        .arg(root.path().join("alpha"))
        .arg(root.path().join("plain"))
        .arg(root.path().join("beta"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain"));
}

#[test]
fn sarif_output_names_the_commit() {
    let l = leaky_repo();
    let out = pipeguard()
        .args(["scan", "--git", "--format", "sarif"])
        .arg(l.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert!(doc.to_string().contains(&l.commits[1][..12]));
}
