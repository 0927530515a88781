//! Shared helpers for the action's end-to-end tests: real repositories made with the git CLI,
//! a fake GitHub runner (event file, summary and output files, `INPUT_*`), schema validation.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A GitHub classic token with a valid checksum, built at test time from a seed.
pub fn github_token(seed: &str) -> String {
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut state = fnv(seed);
    let body: String = (0..30)
        .map(|_| alphabet[(xorshift(&mut state) % 62) as usize] as char)
        .collect();
    let check = pipeguard_core::secrets::validate::base62_crc32(body.as_bytes());
    format!("ghp_{body}{check}")
}

/// A key for the test repositories' custom rule `acme-demo-key`: `acme_` + 32 of `[a-z0-9]`.
pub fn acme_key(seed: &str) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = fnv(seed) ^ 0x9e3779b97f4a7c15;
    let body: String = (0..32)
        .map(|_| alphabet[(xorshift(&mut state) % 36) as usize] as char)
        .collect();
    format!("acme_{body}")
}

fn fnv(seed: &str) -> u64 {
    let mut state: u64 = 0xcbf29ce484222325;
    for b in seed.bytes() {
        state = (state ^ b as u64).wrapping_mul(0x100000001b3);
    }
    state
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The repositories' config: a custom rule whose title and fix exercise the escaping of
/// workflow commands (`:`, `,`, `%`).
pub const CONFIG: &str = r#"version = 1

[[rules.custom]]
id = "acme-demo-key"
name = "Demo: token, 100%"
severity = "medium"
confidence = "high"
keywords = ["acme_"]
pattern = '''\b(acme_[a-z0-9]{32})\b'''
description = "A demo key for the action's tests."
fix = "Rotate it."
examples = ["key = acme_0123456789abcdefghijklmnopqrstuv"]  # pipeguard:allow[acme-demo-key]
negative_examples = ["key = acme_${ACME_KEY}"]
"#;

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// Run git in `dir` with a fixed identity and date, and no user or system config.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
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
        .args(["-c", "protocol.file.allow=always"])
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

/// A new repository on `main` with the test config committed.
pub fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), ".pipeguard.toml", CONFIG);
    write(dir.path(), "README.md", "# demo\n");
    write(dir.path(), ".gitignore", "*.sarif\n");
    commit(dir.path(), "initial");
    dir
}

/// Stage everything and commit; returns the new commit's id.
pub fn commit(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message]);
    git(dir, &["rev-parse", "HEAD"])
}

pub const ZERO: &str = "0000000000000000000000000000000000000000";

/// A fake runner: the workspace, and a temp dir for the event, summary and output files.
pub struct Runner {
    pub workspace: PathBuf,
    pub temp: tempfile::TempDir,
    pub inputs: Vec<(String, String)>,
}

/// What one run of the action produced.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub summary: String,
    pub outputs: String,
    pub sarif_path: PathBuf,
    pub sarif_text: Option<String>,
}

impl Run {
    pub fn sarif(&self) -> Value {
        serde_json::from_str(self.sarif_text.as_deref().expect("a SARIF file")).unwrap()
    }

    /// Every text the action wrote, for leak checks.
    pub fn everything(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n{}",
            self.stdout,
            self.stderr,
            self.summary,
            self.outputs,
            self.sarif_text.as_deref().unwrap_or("")
        )
    }

    /// The annotation lines (workflow commands for findings and diagnostics).
    pub fn annotations(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| {
                l.starts_with("::error ")
                    || l.starts_with("::warning ")
                    || l.starts_with("::notice ")
            })
            .collect()
    }

    /// Panics (with the log) unless the exit code is `code`.
    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "stdout:\n{}\nstderr:\n{}\nsummary:\n{}",
            self.stdout,
            self.stderr,
            self.summary
        );
    }
}

impl Runner {
    pub fn new(workspace: &Path) -> Self {
        Runner {
            workspace: workspace.to_path_buf(),
            temp: tempfile::tempdir().unwrap(),
            inputs: Vec::new(),
        }
    }

    pub fn input(mut self, name: &str, value: &str) -> Self {
        self.inputs.push((name.to_string(), value.to_string()));
        self
    }

    /// Run `pipeguard-action` for an event, with a clean environment (nothing from a real runner
    /// leaks in when these tests run in GitHub Actions).
    pub fn run(&self, event_name: &str, event: &Value) -> Run {
        let event_path = self.temp.path().join("event.json");
        std::fs::write(&event_path, serde_json::to_vec_pretty(event).unwrap()).unwrap();
        let summary = self.temp.path().join("step_summary.md");
        let output = self.temp.path().join("output.txt");
        let _ = std::fs::remove_file(&summary);
        let _ = std::fs::remove_file(&output);
        let sha = event
            .pointer("/after")
            .or_else(|| event.pointer("/pull_request/head/sha"))
            .and_then(Value::as_str)
            .unwrap_or(ZERO)
            .to_string();
        let mut cmd = Command::cargo_bin("pipeguard-action").unwrap();
        cmd.env_clear()
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", event_name)
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_SHA", sha)
            .env("GITHUB_REF", "refs/heads/main")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "octo/demo")
            .current_dir(&self.workspace);
        for (k, v) in &self.inputs {
            cmd.env(
                format!("INPUT_{}", k.to_ascii_uppercase().replace('-', "_")),
                v,
            );
        }
        let out = cmd.output().unwrap();
        let sarif_name = self
            .inputs
            .iter()
            .find(|(k, _)| k == "sarif-file")
            .map_or("pipeguard.sarif", |(_, v)| v.as_str());
        let sarif_path = self.workspace.join(sarif_name);
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            summary: std::fs::read_to_string(&summary).unwrap_or_default(),
            outputs: std::fs::read_to_string(&output).unwrap_or_default(),
            sarif_text: std::fs::read_to_string(&sarif_path).ok(),
            sarif_path,
        }
    }
}

/// A `pull_request` event as GitHub writes it (the fields pipeguard reads, and some around them).
pub fn pull_request_event(number: u64, base: &str, head: &str) -> Value {
    serde_json::json!({
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "title": "Add settings",
            "base": { "ref": "main", "sha": base, "repo": { "full_name": "octo/demo" } },
            "head": { "ref": "feature", "sha": head, "repo": { "full_name": "octo/demo" } },
        },
        "repository": { "full_name": "octo/demo", "default_branch": "main" },
        "sender": { "login": "octocat" },
    })
}

/// A `push` event.
pub fn push_event(branch: &str, before: &str, after: &str) -> Value {
    serde_json::json!({
        "ref": format!("refs/heads/{branch}"),
        "before": before,
        "after": after,
        "created": before == ZERO,
        "deleted": after == ZERO,
        "forced": false,
        "base_ref": null,
        "compare": format!("https://github.com/octo/demo/compare/{before}...{after}"),
        "commits": [],
        "head_commit": { "id": after },
        "repository": { "full_name": "octo/demo", "default_branch": "main" },
        "pusher": { "name": "octocat" },
    })
}

pub fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/schemas/sarif-schema-2.1.0.json"
    )))
    .unwrap();
    jsonschema::validator_for(&schema).expect("SARIF schema compiles")
}

/// Panics with every schema error when `doc` is not valid SARIF 2.1.0.
pub fn assert_valid_sarif(doc: &Value) {
    let v = sarif_validator();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}
