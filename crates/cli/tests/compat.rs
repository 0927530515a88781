//! Decoding, gitleaks configs and confidence filtering, end to end.

mod common;
use base64::Engine as _;
use common::*;
use serde_json::Value;

fn json_scan(dir: &std::path::Path, extra: &[&str]) -> (i32, Value) {
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), doc)
}

#[test]
fn base64_in_a_kubernetes_secret_is_decoded_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_token("k8s");
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("token={token}"));
    write(
        dir.path(),
        "k8s/secret.yaml",
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: gh\ndata:\n  token: {b64}\n"),
    );
    let (code, doc) = json_scan(dir.path(), &[]);
    assert_eq!(code, 1, "{doc}");
    let f = &doc["findings"][0];
    assert_eq!(f["rule_id"], "github-classic-pat");
    assert_eq!(f["line"], 6);
    assert_eq!(f["column"], 10);
    assert_eq!(f["extra"]["decoded"], "base64");
    let text = doc.to_string();
    assert!(
        !text.contains(&b64) && !text.contains(&token[4..]),
        "secret or its encoding leaked"
    );
}

#[test]
fn adversarial_base64_does_not_blow_up() {
    let dir = tempfile::tempdir().unwrap();
    let blob = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3".repeat(600_000); // 24 MB, one line
    write(dir.path(), "huge.txt", &blob);
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n[scan]\nmax_file_size = 100000000\n",
    );
    let (code, doc) = json_scan(dir.path(), &[]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["files_scanned"], 2);
}

#[test]
fn gitleaks_config_is_found_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".gitleaks.toml",
        r#"title = "team rules"
[[rules]]
id = "acme-token"
description = "ACME token"
regex = '''acme_(live)_([a-z0-9]{24})'''
secretGroup = 2
keywords = ["acme_"]

[allowlist]
paths = ['''^fixtures/''']
"#,
    );
    write(
        dir.path(),
        "app.env",
        "ACME=acme_live_q8v2m4k7x1c9z3b6n5w0r2t8\n",
    );
    write(
        dir.path(),
        "fixtures/app.env",
        "ACME=acme_live_z8v2m4k7x1c9z3b6n5w0r2t9\n",
    );
    write(
        dir.path(),
        "allowed.env",
        "ACME=acme_live_y8v2m4k7x1c9z3b6n5w0r2t7 # gitleaks:allow\n",
    );
    // Without useDefault, gitleaks runs only the file's rules: a GitHub token is not reported.
    write(dir.path(), "gh.env", format!("T={}\n", github_token("gl")));
    let (code, doc) = json_scan(dir.path(), &["--no-redact"]);
    assert_eq!(code, 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["rule_id"], "acme-token");
    assert_eq!(findings[0]["path"], "app.env");
    assert_eq!(findings[0]["secret"], "q8v2m4k7x1c9z3b6n5w0r2t8");

    // .gitleaksignore drops exactly that finding.
    write(dir.path(), ".gitleaksignore", "app.env:acme-token:1\n");
    let (code, _) = json_scan(dir.path(), &[]);
    assert_eq!(code, 0);
}

#[test]
fn gitleaks_use_default_keeps_builtin_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\n",
    );
    write(dir.path(), "gh.env", format!("T={}\n", github_token("gl2")));
    let (code, doc) = json_scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["findings"][0]["rule_id"], "github-classic-pat");
}

#[test]
fn min_confidence_filters_low_confidence_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cfg.toml",
        acme_rule_config(
            "low",
            r"\b(acme_[a-z0-9]{24})\b",
            "k = acme_q8v2m4k7x1c9z3b6n5w0r2t8",
        ),
    );
    write(dir.path(), "a.env", "k = acme_q8v2m4k7x1c9z3b6n5w0r2t8\n");
    let cfg = dir.path().join("cfg.toml");
    let cfg = cfg.to_str().unwrap();
    let (code, _) = json_scan(dir.path(), &["--config", cfg]);
    assert_eq!(code, 1);
    let (code, _) = json_scan(dir.path(), &["--config", cfg, "--min-confidence", "medium"]);
    assert_eq!(code, 0);
}
