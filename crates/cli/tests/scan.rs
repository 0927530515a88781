//! `pipeguard scan` end to end: exit codes, formats against their specs, redaction, bad input.

mod common;
use common::*;
use serde_json::Value;

fn leaky_dir() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let token = github_token("leaky");
    write(
        dir.path(),
        "app/settings.py",
        format!("DEBUG = True\nGITHUB_TOKEN = \"{token}\"\n"),
    );
    write(dir.path(), "README.md", "nothing to see\n");
    (dir, token)
}

#[test]
fn clean_tree_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/main.rs",
        "fn main() { println!(\"hi\"); }\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no findings"));
}

#[test]
fn finding_exits_1_and_text_is_redacted() {
    let (dir, token) = leaky_dir();
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("app/settings.py:2:17"), "{stdout}");
    assert!(stdout.contains("ghp_*****"), "{stdout}");
    assert!(!stdout.contains(&token[4..]), "secret leaked: {stdout}");
    assert!(!stdout.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn no_redact_prints_the_secret() {
    let (dir, token) = leaky_dir();
    let out = pipeguard()
        .args(["scan", "--no-redact", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&token));
}

#[test]
fn json_report_is_versioned_and_complete() {
    let (dir, token) = leaky_dir();
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(&token[4..]));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["summary"]["findings"], 1);
    let f = &doc["findings"][0];
    assert_eq!(f["rule_id"], "github-classic-pat");
    assert_eq!(f["path"], "app/settings.py");
    assert_eq!(f["line"], 2);
    assert_eq!(f["kind"], "secret");
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64);
    assert!(f.get("secret").is_none());
}

#[test]
fn sarif_is_valid_and_redacted() {
    let (dir, token) = leaky_dir();
    let sarif = dir.path().join("out.sarif");
    let out = pipeguard()
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&sarif)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&sarif).unwrap();
    assert!(!text.contains(&token[4..]), "secret in SARIF");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&doc);
    let run = &doc["runs"][0];
    let result = &run["results"][0];
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "app/settings.py");
    assert_eq!(loc["region"]["startLine"], 2);
    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "github-classic-pat");
    assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > 10);
    assert!(rule["help"]["markdown"].as_str().is_some());
    assert!(rule["properties"]["security-severity"].as_str().is_some());
    assert_eq!(
        result["partialFingerprints"]["pipeguardFingerprint/v1"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
}

#[test]
fn sarif_of_a_clean_scan_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "hello\n");
    let out = pipeguard()
        .args(["scan", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
}

#[test]
fn github_format_writes_workflow_commands() {
    let (dir, token) = leaky_dir();
    let out = pipeguard()
        .args(["scan", "--format", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::error file=app/settings.py,line=2,col=17,endLine=2,title="),
        "{text}"
    );
    assert!(!text.contains(&token[4..]));
}

#[test]
fn inline_suppression_and_path_allowlist() {
    let dir = tempfile::tempdir().unwrap();
    let t1 = github_token("one");
    let t2 = github_token("two");
    write(
        dir.path(),
        "a.py",
        format!("T = '{t1}'  # pipeguard:allow[github-classic-pat]\n"),
    );
    write(dir.path(), "fixtures/b.py", format!("T = '{t2}'\n"));
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n[allowlist]\npaths = ['fixtures/**']\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn gitignored_files_are_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "build/\n");
    write(
        dir.path(),
        "build/out.txt",
        format!("{}\n", github_token("ignored")),
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fail_threshold_controls_exit_code() {
    let (dir, _) = leaky_dir();
    // The classic PAT is critical: a threshold above it is impossible, so use a custom override.
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n[rules.severity]\ngithub-classic-pat = 'medium'\n[fail]\nseverity = 'high'\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = pipeguard()
        .args(["scan", "--fail-on", "low"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn malformed_config_exits_2_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n\n[scan]\nexclud = []\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".pipeguard.toml:4:1"), "{err}");
    assert!(err.contains("exclud"), "{err}");
}

/// The error of a scan with the ACME rule of this pattern, which must not start (exit 2).
fn acme_rule_error(pattern: &str, example: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cfg.toml",
        acme_rule_config("high", pattern, example),
    );
    let out = pipeguard()
        .args(["scan", "--config"])
        .arg(dir.path().join("cfg.toml"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("cfg.toml:2") && err.contains("acme-key"),
        "{err}"
    );
    err
}

#[test]
fn invalid_custom_regex_names_the_rule() {
    acme_rule_error("(acme_[a-z", "acme_abc");
}

#[test]
fn a_custom_pattern_without_its_secret_group_names_the_rule() {
    // No capture group: nothing would say which part is the secret.
    let err = acme_rule_error("acme_[a-z]{8}", "acme_abcdefgh");
    assert!(err.contains("capture group"), "{err}");
}

#[test]
fn bad_files_are_skipped_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_token("after-bad-files");
    write(dir.path(), "bin.dat", b"\x00\x01\x02ghp_binary\x00");
    write(dir.path(), "latin1.txt", b"caf\xe9 \xff\xfe\n");
    write(dir.path(), "empty.txt", b"");
    write(dir.path(), "big.txt", vec![b'a'; 2048]);
    write(dir.path(), "z.txt", format!("token={token}\n"));
    write(
        dir.path(),
        ".pipeguard.toml",
        "version = 1\n[scan]\nmax_file_size = 1024\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let out = pipeguard()
        .args(["scan", "--verbose"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("z.txt:1:7"), "{stdout}");
    // Diagnostics go to stderr, one style: `level: path: message`.
    assert!(
        stderr.contains("note: bin.dat: skipped: binary file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: big.txt: skipped: 2048 bytes is over the 1024-byte limit"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: loop: skipped: symbolic link"),
        "{stderr}"
    );
    assert!(!stdout.contains("skipped:"), "{stdout}");
}

#[test]
fn missing_path_exits_2() {
    let out = pipeguard()
        .args(["scan", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));
}

#[test]
fn rules_lists_every_rule_as_json() {
    let out = pipeguard()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = doc["secret_rules"].as_array().unwrap();
    assert!(rules.len() >= 60);
    for r in rules {
        assert!(r["id"].is_string() && r["description"].is_string() && r["fix"].is_string());
    }
}

#[test]
fn rules_check_reports_a_custom_rule_whose_example_does_not_fire() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cfg.toml",
        acme_rule_config("high", r"\b(acme_[a-z0-9]{32})\b", "k = acme_tooshort"),
    );
    let out = pipeguard()
        .args(["rules", "check", "--custom-only", "--config"])
        .arg(dir.path().join("cfg.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cfg.toml:2: rule `acme-key`: example does not fire"),
        "{err}"
    );
}

#[test]
fn init_writes_a_valid_starter_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = pipeguard()
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = pipeguard()
        .arg("scan")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn text_report_gives_each_fix_once_sorts_by_severity_and_names_the_config() {
    let dir = tempfile::tempdir().unwrap();
    // Two findings of one secret rule, in a file that sorts after a medium policy finding.
    write(
        dir.path(),
        "b.env",
        format!(
            "A={}\nB={}\n",
            github_token("first"),
            github_token("second")
        ),
    );
    write(
        dir.path(),
        "a.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
    );
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let fix = "  github-classic-pat: ";
    assert_eq!(text.matches(fix).count(), 1, "fix not given once: {text}");
    assert_eq!(text.matches("b.env:").count(), 2, "{text}");
    let first_secret = text.find("b.env:1").unwrap();
    let policy = text.find("a.tf:1").unwrap();
    assert!(first_secret < policy, "not sorted by severity: {text}");
    assert!(text.contains("config: embedded defaults"), "{text}");

    // With a config file, the report names it instead.
    write(dir.path(), ".pipeguard.toml", "version = 1\n");
    let out = pipeguard().arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("config: ") && text.contains(".pipeguard.toml"),
        "{text}"
    );
    assert!(!text.contains("embedded defaults"), "{text}");
}
