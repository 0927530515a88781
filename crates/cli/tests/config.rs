//! Config mistakes a user makes, end to end: an unknown rule id is an error with a did-you-mean,
//! and `pipeguard init` does not silently shadow a gitleaks config (it offers to import it).

mod common;
use common::*;

#[test]
fn an_unknown_rule_id_is_an_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n[rules]\ndisable = [\"generic-password\"]\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".pipeguard.toml:3:1: unknown rule or check id `generic-password` in [rules] disable: did you mean `generic-password-"), "{err}");

    // Control: a real id is accepted.
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n[rules]\ndisable = [\"generic-password-assignment\"]\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `pipeguard init ARGS` run in `dir`.
fn init(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    pipeguard()
        .arg("init")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

const GITLEAKS: &str = "title = \"team rules\"\n\n[[rules]]\nid = \"acme-key\"\ndescription = \"Acme key\"\nregex = '''acme_[a-z0-9]{16}'''\n";

#[test]
fn init_next_to_a_gitleaks_config_explains_instead_of_shadowing_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitleaks.toml", GITLEAKS);
    let out = init(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".gitleaks.toml is here, and pipeguard already uses it"),
        "{err}"
    );
    assert!(err.contains("its 1 rule,"), "{err}");
    assert!(err.contains("pipeguard init --force"), "{err}");
    assert!(err.contains("pipeguard init --import-gitleaks"), "{err}");
    assert!(!dir.path().join(".pipeguard.toml").exists());

    let out = init(dir.path(), &["--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("will no longer apply"));
    assert!(dir.path().join(".pipeguard.toml").exists());
}

#[test]
fn init_without_a_gitleaks_config_writes_the_starter() {
    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    assert!(dir.path().join(".pipeguard.toml").exists());
}

/// (rule id, path, line, secret) of every finding of a scan of `dir`, sorted.
fn findings(dir: &std::path::Path) -> Vec<(String, String, u64, String)> {
    let out = pipeguard()
        .args(["scan", "--format", "json", "--no-redact"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn init_import_gitleaks_writes_a_config_that_finds_the_same() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".gitleaks.toml",
        r#"title = "team rules"

[[rules]]
id = "acme-token"
description = "ACME token"
regex = '''acme_(live|test)_([a-z0-9]{24})'''
secretGroup = 2
keywords = ["acme_"]
  [[rules.allowlists]]
  stopwords = ["q0q0"]

[allowlist]
description = "fixtures and the sandbox"
paths = ['''^fixtures/''']
regexes = ['''^zz''']
stopwords = ["sandbox"]
"#,
    );
    write(
        dir.path(),
        "app.env",
        "ACME=acme_live_q8v2m4k7x1c9z3b6n5w0r2t8\n",
    );
    write(
        dir.path(),
        "test.env",
        "ACME=acme_test_m4k7x1c9z3b6n5w0r2t8q8v2\n",
    );
    // Each allowlist entry excludes one file: path, regex, stopword, the rule's own stopword.
    write(
        dir.path(),
        "fixtures/app.env",
        "ACME=acme_live_z8v2m4k7x1c9z3b6n5w0r2t9\n",
    );
    write(
        dir.path(),
        "regex.env",
        "ACME=acme_live_zz8v2m4k7x1c9z3b6n5w0r2t\n",
    );
    write(
        dir.path(),
        "stop.env",
        "ACME=acme_live_sandboxk7x1c9z3b6n5w0r2t\n",
    );
    write(
        dir.path(),
        "rule.env",
        "ACME=acme_live_q0q0m4k7x1c9z3b6n5w0r2t8\n",
    );
    // No useDefault: only the file's rules run, so a GitHub token is not reported.
    write(
        dir.path(),
        "gh.env",
        format!("T={}\n", github_token("import")),
    );

    let with_gitleaks = findings(dir.path());
    let expected = vec![
        (
            "acme-token".to_string(),
            "app.env".to_string(),
            1,
            "q8v2m4k7x1c9z3b6n5w0r2t8".to_string(),
        ),
        (
            "acme-token".to_string(),
            "test.env".to_string(),
            1,
            "m4k7x1c9z3b6n5w0r2t8q8v2".to_string(),
        ),
    ];
    assert_eq!(with_gitleaks, expected);

    let out = init(dir.path(), &["--import-gitleaks"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("wrote .pipeguard.toml from .gitleaks.toml (1 rule)"),
        "{err}"
    );
    let written = std::fs::read_to_string(dir.path().join(".pipeguard.toml")).unwrap();
    assert!(
        written.starts_with("# Imported from .gitleaks.toml by `pipeguard init --import-gitleaks`"),
        "{written}"
    );
    assert!(written.contains("[[rules.custom]]"), "{written}");

    // The written file alone finds exactly what the gitleaks config found.
    std::fs::remove_file(dir.path().join(".gitleaks.toml")).unwrap();
    assert_eq!(findings(dir.path()), expected);

    // An existing .pipeguard.toml is not overwritten without --force.
    write(
        dir.path(),
        ".gitleaks.toml",
        "[[rules]]\nid = 'x'\nregex = 'x_[0-9]{8}'\n",
    );
    let out = init(dir.path(), &["--import-gitleaks"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".pipeguard.toml")).unwrap(),
        written
    );
}

#[test]
fn init_import_gitleaks_without_a_gitleaks_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path(), &["--import-gitleaks"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no .gitleaks.toml or gitleaks.toml here"),
        "{err}"
    );
    assert!(!dir.path().join(".pipeguard.toml").exists());
}
