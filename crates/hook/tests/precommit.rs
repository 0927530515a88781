//! The pre-commit framework's view of this repository (`.pre-commit-hooks.yaml`): `pre-commit
//! try-repo` builds the `pipeguard` hook itself (`language: rust`, `cargo install --path .`) on a
//! PATH without pipeguard-hook, and the hook then blocks a staged secret and passes a clean file.
//!
//! Needs the `pre-commit` program (`.ci/run` installs it); without it the test prints a notice and
//! passes. The build shares this workspace's target directory, so only the first run compiles.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A GitHub classic token with a valid checksum, built at test time.
fn github_token() -> String {
    let body = "pre9commit0try1repo2token3abc4";
    let check = pipeguard_core::secrets::validate::base62_crc32(body.as_bytes());
    format!("ghp_{body}{check}")
}

/// PATH without any directory that holds a pipeguard-hook.
fn path_without_hook() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("pipeguard-hook").exists())
        .collect();
    std::env::join_paths(dirs)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn on_path(program: &str, path: &str) -> bool {
    std::env::split_paths(path).any(|d| d.join(program).is_file())
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn pre_commit_try_repo_builds_the_hook_and_blocks_a_staged_secret() {
    let path = path_without_hook();
    if !on_path("pre-commit", &path) {
        println!("NOTICE: pre-commit is not installed (pip install pre-commit): test skipped");
        eprintln!("NOTICE: pre-commit is not installed (pip install pre-commit): test skipped");
        return;
    }
    assert!(
        !on_path("pipeguard-hook", &path),
        "pipeguard-hook must not be on PATH"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let home = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["config", "user.email", "dev@example.com"]);
    git(repo.path(), &["config", "user.name", "Dev"]);

    let try_repo = |args: &[&str]| -> Output {
        Command::new("pre-commit")
            .current_dir(repo.path())
            .arg("try-repo")
            .arg(root)
            .arg("pipeguard")
            .args(args)
            .env("PATH", &path)
            // A cold pre-commit cache: the hook environment is built from scratch ...
            .env("PRE_COMMIT_HOME", home.path())
            // ... into this workspace's target directory, so that only the first run compiles.
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
    };

    // Control: a clean staged file passes.
    std::fs::write(repo.path().join("app.py"), "print('hello')\n").unwrap();
    git(repo.path(), &["add", "app.py"]);
    let clean = try_repo(&[]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    assert!(text(&clean).contains("Passed"), "{}", text(&clean));

    // A staged secret is blocked, redacted.
    let token = github_token();
    std::fs::write(
        repo.path().join("config.py"),
        format!("GITHUB_TOKEN = \"{token}\"\n"),
    )
    .unwrap();
    git(repo.path(), &["add", "config.py"]);
    let blocked = try_repo(&[]);
    let out = text(&blocked);
    assert_eq!(blocked.status.code(), Some(1), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("config.py:1:"), "{out}");
    assert!(out.contains("github-classic-pat"), "{out}");
    assert!(
        !out.contains(&token),
        "the secret is printed in full: {out}"
    );
}
