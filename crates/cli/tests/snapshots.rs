//! Snapshots (insta) of the CLI's real text output on a small real tree: the report on stdout,
//! diagnostics on stderr in one style (`warning: path:line:col: message`, no doubled path).
//! Temp paths are scrubbed. Review changes with `cargo insta review` or `INSTA_UPDATE=always`.

mod common;
use common::*;

fn scrub(text: &str, dir: &std::path::Path) -> String {
    text.replace(&dir.display().to_string(), "[TMP]")
}

#[test]
fn text_report_and_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(
        p,
        "config/app.env",
        format!("NAME=demo\nSLACK={}\n", token("snapshot")),
    );
    // A CloudFormation template that does not parse: a warning at its line and column.
    write(
        p,
        "infra/stack.json",
        "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"B\": ,\n  }\n}\n",
    );
    write(p, "bin.dat", b"\x00\x01binary");
    let out = pipeguard()
        .args(["scan", "."])
        .current_dir(p)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(scrub(&text, p));
}

#[test]
fn errors_are_reported_once_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = pipeguard()
        .args(["scan", "missing-dir", "-"])
        .current_dir(dir.path())
        .write_stdin("hello\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(scrub(&text, dir.path()));
}
