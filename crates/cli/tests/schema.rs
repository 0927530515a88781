//! docs/report.schema.json describes what `pipeguard scan --format json` really writes: every
//! optional part of a finding (secret, commit, repository, extra) and every diagnostic level is
//! produced here and validated; a document that breaks the format is rejected (control).

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command as Std;

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/report.schema.json"
    )))
    .unwrap();
    jsonschema::validator_for(&schema).expect("the report schema compiles")
}

fn assert_valid(doc: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match docs/report.schema.json:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

fn scan_json(args: &[&str], path: &Path) -> Value {
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

fn git(dir: &Path, args: &[&str]) {
    let out = Std::new("git")
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
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
}

/// A tree with a secret, a base64-encoded secret, an insecure policy and a binary file.
fn tree(dir: &Path) {
    use base64::Engine as _;
    let token = github_token("schema");
    write(dir, "app.env", format!("GITHUB_TOKEN={token}\n"));
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("token: {}\n", github_token("schema-b64")));
    write(dir, "blob.txt", format!("data = \"{encoded}\"\n"));
    write(
        dir,
        "policy.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    write(dir, "image.bin", b"\x00\x01\x02binary\x00".as_slice());
}

#[test]
fn a_tree_scan_with_secrets_policies_and_skipped_files_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let doc = scan_json(&["--verbose"], dir.path());
    let kinds: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"secret") && kinds.contains(&"policy"),
        "{doc:#}"
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.get("extra").is_some()),
        "no finding with extra facts: {doc:#}"
    );
    assert!(
        !doc["diagnostics"].as_array().unwrap().is_empty(),
        "{doc:#}"
    );
    assert_valid(&doc);

    let unredacted = scan_json(&["--no-redact"], dir.path());
    assert!(unredacted["findings"][0].get("secret").is_some());
    assert_valid(&unredacted);
}

#[test]
fn history_and_sweep_scans_match_the_schema() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("one");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    tree(&repo);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "leak"]);

    let history = scan_json(&["--git"], &repo);
    assert!(
        history["findings"][0].get("commit").is_some(),
        "{history:#}"
    );
    assert_valid(&history);

    let sweep = scan_json(&["--repos"], root.path());
    assert!(
        sweep["findings"][0].get("repository").is_some(),
        "{sweep:#}"
    );
    assert_valid(&sweep);
}

#[test]
fn the_schema_rejects_what_breaks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let doc = scan_json(&[], dir.path());
    assert_valid(&doc);
    let v = validator();
    let mut bad_severity = doc.clone();
    bad_severity["findings"][0]["severity"] = json!("severe");
    assert!(!v.is_valid(&bad_severity));
    let mut no_fingerprint = doc.clone();
    no_fingerprint["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("fingerprint");
    assert!(!v.is_valid(&no_fingerprint));
    let mut unknown_field = doc.clone();
    unknown_field["summary"]["surprise"] = json!(1);
    assert!(!v.is_valid(&unknown_field));
    let mut wrong_version = doc;
    wrong_version["version"] = json!(2);
    assert!(!v.is_valid(&wrong_version));
}
