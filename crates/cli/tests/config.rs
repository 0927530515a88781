//! Config mistakes a user makes, end to end: an unknown rule id is an error with a did-you-mean,
//! and `pipeguard init` does not silently shadow a gitleaks config.

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

const GITLEAKS: &str = "title = \"team rules\"\n\n[[rules]]\nid = \"acme-key\"\ndescription = \"Acme key\"\nregex = '''acme_[a-z0-9]{16}'''\n";

#[test]
fn init_next_to_a_gitleaks_config_explains_instead_of_shadowing_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitleaks.toml", GITLEAKS);
    let out = pipeguard()
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".gitleaks.toml is here, and pipeguard already uses it"),
        "{err}"
    );
    assert!(err.contains("its 1 rule,"), "{err}");
    assert!(err.contains("pipeguard init --force"), "{err}");
    assert!(!dir.path().join(".pipeguard.toml").exists());

    let out = pipeguard()
        .args(["init", "--force"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("will no longer apply"));
    assert!(dir.path().join(".pipeguard.toml").exists());
}

#[test]
fn init_without_a_gitleaks_config_writes_the_starter() {
    let dir = tempfile::tempdir().unwrap();
    let out = pipeguard()
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    assert!(dir.path().join(".pipeguard.toml").exists());
}
