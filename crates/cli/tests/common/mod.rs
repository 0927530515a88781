//! Shared helpers for the CLI's end-to-end tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

/// A GitHub classic token with a valid checksum, built at test time from a seed.
pub fn github_token(seed: &str) -> String {
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut state: u64 = 0xcbf29ce484222325;
    for b in seed.bytes() {
        state = (state ^ b as u64).wrapping_mul(0x100000001b3);
    }
    let body: String = (0..30)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[(state % 62) as usize] as char
        })
        .collect();
    let check = pipeguard_core::secrets::validate::base62_crc32(body.as_bytes());
    format!("ghp_{body}{check}")
}

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

pub fn pipeguard() -> Command {
    let mut c = Command::cargo_bin("pipeguard").unwrap();
    c.env_remove("NO_COLOR");
    c
}

pub fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/schemas/sarif-schema-2.1.0.json"
    )))
    .unwrap();
    jsonschema::validator_for(&schema).expect("SARIF schema compiles")
}

/// Panics with every schema error when `doc` is not valid SARIF 2.1.0.
pub fn assert_valid_sarif(doc: &serde_json::Value) {
    let v = sarif_validator();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

/// A config with one custom `acme-key` rule (its `[[rules.custom]]` table starts on line 2).
pub fn acme_rule_config(confidence: &str, pattern: &str, example: &str) -> String {
    format!(
        r#"version = 1
[[rules.custom]]
id = "acme-key"
name = "ACME key"
severity = "high"
confidence = "{confidence}"
keywords = ["acme_"]
pattern = '''{pattern}'''
description = "ACME keys."
fix = "Revoke it."
examples = ["{example}"]
negative_examples = ["k = acme_${{KEY}}"]
"#
    )
}

/// Run git in `dir` with a fixed identity and dates and no user or system config.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Ada",
            "-c",
            "user.email=ada@example.invalid",
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
        .env("GIT_AUTHOR_DATE", "2024-03-04T05:06:07Z")
        .env("GIT_COMMITTER_DATE", "2024-03-04T05:06:07Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A Slack bot token, generated from a seed at test time (the shape of a real one, never live).
pub fn token(seed: &str) -> String {
    let mut state: u64 = 0xcbf29ce484222325;
    for b in seed.bytes() {
        state = (state ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let team: String = (0..12).map(|_| char::from(b'0' + next(10) as u8)).collect();
    let bot: String = (0..13).map(|_| char::from(b'0' + next(10) as u8)).collect();
    let tail: String = (0..24)
        .map(|_| char::from(alnum[next(62) as usize]))
        .collect();
    format!("xoxb-{team}-{bot}-{tail}")
}
