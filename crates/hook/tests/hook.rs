//! `pipeguard-hook` end to end on real repositories made in temp dirs: what blocks a commit,
//! what does not, partial staging, the first commit, install / uninstall with `core.hooksPath`
//! and an existing hook, and that the hook never touches the index or the working tree.

use assert_cmd::Command;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Output, Stdio};

/// Environment for every git run: no user or system config, fixed identity and dates.
fn isolate(c: &mut Std) -> &mut Std {
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
}

fn git_out(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Std::new("git");
    isolate(&mut c)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("git runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_out(dir, args, None);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A Slack bot token generated from a seed (right shape, never a live credential).
fn token(seed: u64) -> String {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let team: String = (0..12).map(|_| char::from(b'0' + next(10) as u8)).collect();
    let bot: String = (0..13).map(|_| char::from(b'0' + next(10) as u8)).collect();
    let tail: String = (0..24)
        .map(|_| char::from(alnum[next(62) as usize]))
        .collect();
    format!("xoxb-{team}-{bot}-{tail}")
}

fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    d
}

fn hook(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("pipeguard-hook").unwrap();
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = hook(dir).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Twenty lines, so that edits at the top and the bottom are separate hunks for `git add -p`.
fn body(top: &str, bottom: &str) -> String {
    let mut s = format!("{top}\n");
    for i in 0..20 {
        s.push_str(&format!("line {i}\n"));
    }
    s.push_str(bottom);
    s.push('\n');
    s
}

/// Every file under the working tree (except .git/objects) and the index, byte for byte.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with(".git/objects") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn secret_staged_blocks_and_is_redacted() {
    let d = repo();
    let t = token(1);
    fs::write(d.path().join("settings.env"), format!("SLACK={t}\n")).unwrap();
    git(d.path(), &["add", "settings.env"]);
    let (code, out) = run(d.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("settings.env:1:7"), "{out}");
    assert!(out.contains("slack-bot-token"), "{out}");
    assert!(out.contains("pipeguard:allow[slack-bot-token]"), "{out}");
    assert!(out.contains("--no-verify"), "{out}");
    assert!(!out.contains(&t[5..]), "secret leaked: {out}");
}

#[test]
fn secret_only_in_the_worktree_passes() {
    let d = repo();
    fs::write(d.path().join("a.txt"), "hello\n").unwrap();
    git(d.path(), &["add", "a.txt"]);
    git(d.path(), &["commit", "-qm", "init"]);
    fs::write(d.path().join("a.txt"), format!("hello\nk={}\n", token(2))).unwrap();
    fs::write(d.path().join("untracked.env"), format!("k={}\n", token(3))).unwrap();
    let (code, out) = run(d.path(), &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn partial_staging_both_ways_and_nothing_is_modified() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("app.cfg"), body("top", "bottom")).unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "init"]);

    // Secret in the staged hunk, harmless change in the unstaged one: blocked.
    fs::write(
        p.join("app.cfg"),
        body(&format!("top k={}", token(4)), "bottom changed"),
    )
    .unwrap();
    let out = git_out(p, &["add", "-p", "app.cfg"], Some("y\nn\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let staged = git(p, &["diff", "--cached"]);
    assert!(
        staged.contains("k=xoxb") && !staged.contains("bottom changed"),
        "{staged}"
    );
    let before = snapshot(p);
    let (code, msg) = run(p, &[]);
    assert_eq!(code, 1, "{msg}");
    assert!(msg.contains("app.cfg:1:"), "{msg}");
    assert_eq!(
        before,
        snapshot(p),
        "the hook changed the index or the working tree"
    );

    // The other way round: harmless staged hunk, secret only in the unstaged one: allowed.
    git(p, &["reset", "-q"]);
    fs::write(
        p.join("app.cfg"),
        body("top changed", &format!("bottom k={}", token(5))),
    )
    .unwrap();
    let out = git_out(p, &["add", "-p", "app.cfg"], Some("y\nn\n"));
    assert!(out.status.success());
    let before = snapshot(p);
    let (code, msg) = run(p, &[]);
    assert_eq!(code, 0, "{msg}");
    assert_eq!(
        before,
        snapshot(p),
        "the hook changed the index or the working tree"
    );
}

#[test]
fn first_commit_has_no_head() {
    let d = repo();
    fs::write(d.path().join("README"), "hi\n").unwrap();
    git(d.path(), &["add", "."]);
    assert_eq!(run(d.path(), &[]).0, 0);
    fs::write(d.path().join("k.env"), format!("K={}\n", token(6))).unwrap();
    git(d.path(), &["add", "."]);
    let (code, out) = run(d.path(), &[]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn inline_allow_and_baseline_let_it_through() {
    let d = repo();
    let p = d.path();
    fs::write(
        p.join("a.env"),
        format!("K={} # pipeguard:allow[slack-bot-token]\n", token(7)),
    )
    .unwrap();
    git(p, &["add", "."]);
    assert_eq!(run(p, &[]).0, 0);
}

#[test]
fn files_mode_scans_the_staged_content_of_named_files() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("a.env"), format!("K={}\n", token(8))).unwrap();
    fs::write(p.join("b.txt"), "fine\n").unwrap();
    git(p, &["add", "."]);
    // The working tree copy is clean; the staged one is not.
    fs::write(p.join("a.env"), "K=\n").unwrap();
    assert_eq!(run(p, &["--files", "b.txt"]).0, 0);
    let (code, out) = run(p, &["--files", "a.env", "b.txt"]);
    assert_eq!(code, 1, "{out}");
    // A bare word is not a file name (that is what --files is for): an error, exit 2.
    let (code, out) = run(p, &["a.env"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("a.env"), "{out}");
}

#[test]
fn conflicts_and_non_repositories_are_errors() {
    let outside = tempfile::tempdir().unwrap();
    let (code, out) = run(outside.path(), &[]);
    assert_eq!(code, 2, "{out}");

    let d = repo();
    let p = d.path();
    fs::write(p.join("f"), "base\n").unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    git(p, &["checkout", "-qb", "other"]);
    fs::write(p.join("f"), "other\n").unwrap();
    git(p, &["commit", "-qam", "other"]);
    git(p, &["checkout", "-q", "main"]);
    fs::write(p.join("f"), "main\n").unwrap();
    git(p, &["commit", "-qam", "main"]);
    let _ = git_out(p, &["merge", "other"], None);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("merge conflicts"), "{out}");
}

#[test]
fn installed_hook_blocks_git_commit_including_commit_a() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("a.txt"), "hello\n").unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "init"]);
    let (code, out) = run(p, &["install"]);
    assert_eq!(code, 0, "{out}");
    assert!(p.join(".git/hooks/pre-commit").is_file());

    fs::write(p.join("a.txt"), format!("hello\nk={}\n", token(9))).unwrap();
    // `git commit -a` stages into a temporary index (GIT_INDEX_FILE) that the hook must read.
    let out = git_out(p, &["commit", "-qam", "leak"], None);
    assert!(!out.status.success(), "commit went through");
    assert!(String::from_utf8_lossy(&out.stderr).contains("slack-bot-token"));
    assert_eq!(git(p, &["rev-list", "--count", "HEAD"]), "1");
    // A clean commit goes through; --no-verify is the documented escape.
    fs::write(p.join("a.txt"), "hello\nworld\n").unwrap();
    git(p, &["commit", "-qam", "clean"]);
    fs::write(p.join("a.txt"), format!("hello\nk={}\n", token(9))).unwrap();
    git(p, &["commit", "-qam", "leak anyway", "--no-verify"]);
    assert_eq!(git(p, &["rev-list", "--count", "HEAD"]), "3");

    let (code, _) = run(p, &["uninstall"]);
    assert_eq!(code, 0);
    assert!(!p.join(".git/hooks/pre-commit").exists());
}

#[test]
fn install_with_hooks_path_chains_an_existing_hook_and_uninstall_restores_it() {
    let d = repo();
    let p = d.path();
    git(p, &["config", "core.hooksPath", ".githooks"]);
    fs::create_dir(p.join(".githooks")).unwrap();
    let original = "#!/bin/sh\necho ran >> \"$(git rev-parse --show-toplevel)/.chained-ran\"\n";
    let hook_path = p.join(".githooks/pre-commit");
    fs::write(&hook_path, original).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook_path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (code, out) = run(p, &["install"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !p.join(".git/hooks/pre-commit").exists(),
        "must go where core.hooksPath says"
    );
    let chained = p.join(".githooks/pre-commit.pipeguard-chained");
    assert_eq!(fs::read_to_string(&chained).unwrap(), original);

    // Both run: the chained hook leaves its mark, pipeguard blocks the secret.
    fs::write(p.join("k.env"), format!("K={}\n", token(10))).unwrap();
    git(p, &["add", "k.env"]);
    let out = git_out(p, &["commit", "-qm", "leak"], None);
    assert!(!out.status.success());
    assert!(
        p.join(".chained-ran").exists(),
        "the existing hook no longer runs"
    );
    fs::write(p.join("k.env"), "K=from-the-environment\n").unwrap();
    git(p, &["add", "k.env"]);
    git(p, &["commit", "-qm", "clean"]);

    // Installing again only updates; a stale chain without --force is refused.
    assert_eq!(run(p, &["install"]).0, 0);
    assert_eq!(fs::read_to_string(&chained).unwrap(), original);
    fs::write(&hook_path, original).unwrap();
    let (code, out) = run(p, &["install"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--force"), "{out}");
    assert_eq!(run(p, &["install", "--force"]).0, 0);

    let (code, out) = run(p, &["uninstall"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(fs::read_to_string(&hook_path).unwrap(), original);
    assert!(!chained.exists());
}

/// The synthetic RSA key of the `private-key-rsa` rule's first example (it passes the rule's
/// validator), so that no key is written here.
fn pem_lines() -> Vec<String> {
    let rules = pipeguard_core::secrets::builtin_rules().unwrap();
    let (rule, _) = rules
        .iter()
        .find(|(r, _)| r.id == "private-key-rsa")
        .expect("the RSA key rule exists");
    let pem: Vec<String> = rule.examples[0].lines().map(str::to_string).collect();
    assert!(pem.len() > 10 && pem[0].contains("BEGIN RSA PRIVATE KEY"));
    pem
}

/// About 250 KB of C, like the large sources the hook's windows are for.
fn large_c_file() -> Vec<String> {
    (0..6000)
        .map(|i| format!("static const int table_entry_{i} = {}; /* filler */", i * 7))
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Insert `new` at line index `at`, write the file and stage it.
fn stage_with(dir: &Path, lines: &mut Vec<String>, at: usize, new: &[String]) {
    lines.splice(at..at, new.iter().cloned());
    write_lines(&dir.join("big.c"), lines);
    git(dir, &["add", "big.c"]);
}

/// The hook blocks the staged change with the RSA key rule, reported from line 3001.
fn blocked_by_the_key(dir: &Path) {
    let (code, out) = run(dir, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("private-key-rsa"), "{out}");
    assert!(out.contains("big.c:3001:"), "{out}");
}

#[test]
fn pem_key_added_in_the_middle_of_a_large_modified_file_is_found() {
    let d = repo();
    let mut lines = large_c_file();
    stage_with(d.path(), &mut lines, 0, &[]);
    git(d.path(), &["commit", "-qm", "base"]);
    // Control: an ordinary edit of the large file passes.
    stage_with(
        d.path(),
        &mut lines,
        100,
        &["static int added_line = 1;".to_string()],
    );
    let (code, out) = run(d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    // The key, all of its lines added, 3,000 lines (~150 KB) into the file.
    stage_with(d.path(), &mut lines, 3000, &pem_lines());
    blocked_by_the_key(d.path());
}

#[test]
fn pem_key_that_starts_before_the_added_lines_is_found() {
    let d = repo();
    let pem = pem_lines();
    let half = pem.len() / 2;
    // Committed: the file with the first half of the key; staged: the rest of it, so that the
    // key starts in lines the commit does not add and ends in lines it does.
    let mut lines = large_c_file();
    stage_with(d.path(), &mut lines, 3000, &pem[..half]);
    git(d.path(), &["commit", "-qm", "half a key", "--no-verify"]);
    stage_with(d.path(), &mut lines, 3000 + half, &pem[half..]);
    blocked_by_the_key(d.path());
}

#[test]
fn pem_key_already_committed_is_not_reported_for_an_edit_far_away() {
    let d = repo();
    let mut lines = large_c_file();
    stage_with(d.path(), &mut lines, 3000, &pem_lines());
    git(d.path(), &["commit", "-qm", "old key", "--no-verify"]);
    // An edit 2,000 lines (~100 KB) before it: the old key is not this commit's doing.
    stage_with(
        d.path(),
        &mut lines,
        1000,
        &["static int added_line = 1;".to_string()],
    );
    let (code, out) = run(d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    // Control: an edit inside the key's lines does report it (now from line 3002).
    stage_with(d.path(), &mut lines, 3005, &["Zm9vYmFy".to_string()]);
    let (code, out) = run(d.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("private-key-rsa"), "{out}");
}

const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n";

#[test]
fn medium_policy_findings_are_warnings_and_secrets_still_block() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("main.tf"), BUCKET).unwrap();
    git(p, &["add", "main.tf"]);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 0, "a medium policy finding blocked the commit: {out}");
    assert!(
        out.contains("main.tf:1:"),
        "the warning is not shown: {out}"
    );
    assert!(out.contains("0 blocking"), "{out}");
    assert!(out.contains("policy findings at `high` or above"), "{out}");
    assert!(!out.contains("commit blocked"), "{out}");
    assert!(
        !out.contains("real secret"),
        "secret advice for a policy finding: {out}"
    );

    // A secret in the same commit blocks it; the bucket stays a warning.
    fs::write(p.join("a.env"), format!("K={}\n", token(21))).unwrap();
    git(p, &["add", "a.env"]);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 blocking"), "{out}");
    assert!(out.contains("commit blocked (1 blocking finding)"), "{out}");
    assert!(out.contains("real secret"), "{out}");
}

#[test]
fn fail_thresholds_per_kind_are_configurable() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("main.tf"), BUCKET).unwrap();
    fs::write(
        p.join(".pipeguard.toml"),
        "version = 1\n[fail]\npolicy = \"low\"\n",
    )
    .unwrap();
    git(p, &["add", "main.tf"]);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 1, "[fail] policy = low did not block: {out}");

    // secrets = "critical": a Slack bot token (severity high) is then only a warning.
    fs::write(
        p.join(".pipeguard.toml"),
        "version = 1\n[fail]\nsecrets = \"critical\"\npolicy = \"critical\"\n",
    )
    .unwrap();
    fs::write(p.join("a.env"), format!("K={}\n", token(22))).unwrap();
    git(p, &["add", "a.env"]);
    let (code, out) = run(p, &[]);
    assert!(out.contains("high  slack-bot-token"), "{out}");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 blocking"), "{out}");
}

#[test]
fn suppression_advice_names_each_line() {
    let d = repo();
    let p = d.path();
    fs::write(
        p.join("a.env"),
        format!("A={}\nfine\nB={}\n", token(31), token(32)),
    )
    .unwrap();
    git(p, &["add", "a.env"]);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("  a.env:1  pipeguard:allow[slack-bot-token]\n"),
        "{out}"
    );
    assert!(
        out.contains("  a.env:3  pipeguard:allow[slack-bot-token]\n"),
        "{out}"
    );
    assert!(!out.contains("a.env:2  pipeguard:allow"), "{out}");
}

#[test]
fn named_files_are_reported_as_named_files() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("a.env"), format!("K={}\n", token(41))).unwrap();
    git(p, &["add", "a.env"]);
    git(p, &["commit", "-qm", "add", "--no-verify"]);
    // Unchanged and named (pre-commit run --all-files): scanned whole, and said so.
    let (code, out) = run(p, &["--files", "a.env"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("in the named files"), "{out}");
    assert!(!out.contains("in the staged changes"), "{out}");
    // Control: without --files nothing is staged, so nothing is found.
    let (code, out) = run(p, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn hook_output_forges_no_workflow_command() {
    // File names, content and config strings are attacker-controlled; the hook's stderr (read by
    // GitHub's runner when the hook runs in CI) must not start a workflow command anywhere.
    let d = repo();
    let p = d.path();
    fs::write(
        p.join(".pipeguard.toml"),
        r#"version = 1
[[rules.custom]]
id = "acme-key"
name = "ACME\n::error title=X::pwned-by-rule"
severity = "high"
confidence = "high"
keywords = ["acme_"]
pattern = '''\b(acme_[a-z0-9]{16})\b'''
description = "ACME keys."
fix = "Revoke it.\n::warning::pwned-by-fix"
examples = ["k = acme_0123456789abcdef"]
negative_examples = ["k = acme_${KEY}"]
"#,
    )
    .unwrap();
    let name = "x\n::error file=a::pwned-by-name";
    fs::write(
        p.join(name),
        "k = acme_q1w2e3r4t5y6u7i8 ##[error]legacy\n::error::pwned-by-content\n",
    )
    .unwrap();
    git(p, &["add", "--", name]);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("x\\n::error file=a::pwned-by-name:1:5"),
        "{out}"
    );
    let forged: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
        .collect();
    assert!(forged.is_empty(), "{forged:?}\n{out}");
    // Control: the staged content itself holds a command line.
    assert!(fs::read_to_string(p.join(name))
        .unwrap()
        .lines()
        .any(|l| l.starts_with("::")));
}

#[test]
fn every_argument_after_files_is_a_file_name() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("--help"), format!("K={}\n", token(21))).unwrap();
    fs::write(p.join("-V"), format!("K={}\n", token(22))).unwrap();
    fs::write(p.join("b.txt"), "fine\n").unwrap();
    git(p, &["add", "--", "--help", "-V", "b.txt"]);
    // Control: a clean named file passes.
    assert_eq!(run(p, &["--files", "b.txt"]).0, 0);
    let (code, out) = run(p, &["--files", "--help", "-V"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--help:1:3"), "{out}");
    assert!(out.contains("-V:1:3"), "{out}");
}

#[test]
fn subcommands_have_help_and_unknown_words_are_errors() {
    let d = repo();
    let out = hook(d.path()).args(["install", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--force"), "{help}");
    assert!(!d.path().join(".git/hooks/pre-commit").exists());
    let (code, out) = run(d.path(), &["instal"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("instal"), "{out}");
    assert!(!d.path().join(".git/hooks/pre-commit").exists());
    let outside = tempfile::tempdir().unwrap();
    let (code, out) = run(outside.path(), &["install"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not inside a git repository"), "{out}");
}

#[test]
fn snapshot_of_a_blocked_commit() {
    let d = repo();
    let p = d.path();
    fs::write(p.join("a.txt"), "hello\n").unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "init"]);
    fs::write(p.join("a.txt"), format!("hello\nk={}\n", token(31))).unwrap();
    git(p, &["add", "."]);
    let (code, out) = run(p, &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out.replace(&p.display().to_string(), "[TMP]"));
}
