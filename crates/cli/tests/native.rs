//! The CLI as a shell sees it: help with examples and possible values for every subcommand,
//! completion scripts for five shells, the manual page, `--color` and plurals. Help and
//! completions are insta snapshots (`cargo insta review`, or INSTA_UPDATE=always, after a change).

mod common;
use common::{github_token, pipeguard, write};

fn stdout(args: &[&str]) -> String {
    let out = pipeguard()
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pipeguard {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const SUBCOMMANDS: &[&str] = &[
    "scan",
    "rules",
    "baseline",
    "sweep",
    "merge",
    "init",
    "completions",
    "man",
];

#[test]
fn help_snapshots() {
    insta::assert_snapshot!("help", stdout(&["--help"]));
    for sub in SUBCOMMANDS {
        insta::assert_snapshot!(format!("help-{sub}"), stdout(&[sub, "--help"]));
    }
    insta::assert_snapshot!("help-rules-check", stdout(&["rules", "check", "--help"]));
}

#[test]
fn every_subcommand_help_has_examples() {
    for sub in SUBCOMMANDS {
        let help = stdout(&[sub, "--help"]);
        assert!(
            help.contains("Examples:\n  pipeguard "),
            "`pipeguard {sub} --help` has no examples:\n{help}"
        );
    }
}

#[test]
fn every_enum_flag_lists_its_possible_values() {
    let scan = stdout(&["scan", "--help"]);
    for (flag, values) in [
        ("--format", "text, json, sarif, github"),
        ("--fail-on", "low, medium, high, critical"),
        ("--min-confidence", "low, medium, high"),
    ] {
        let at = scan.find(&format!("{flag} <")).unwrap();
        let section = &scan[at..];
        let next = section[2..].find("\n  -").map_or(section.len(), |i| i + 2);
        assert!(
            section[..next].contains(&format!("[possible values: {values}]")),
            "{flag}: {}",
            &section[..next]
        );
    }
    let top = stdout(&["--help"]);
    assert!(
        ["- auto:", "- always:", "- never:"]
            .iter()
            .all(|v| top.contains(v)),
        "{top}"
    );
    let completions = stdout(&["completions", "--help"]);
    assert!(
        completions.contains("bash, elvish, fish, powershell, zsh"),
        "{completions}"
    );
    // A typo is refused with the values (exit 2, clap's usage error).
    let out = pipeguard()
        .args(["scan", "--fail-on", "hgh", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: low, medium"));
}

#[test]
fn baseline_offers_only_the_flags_it_honours() {
    let help = stdout(&["baseline", "--help"]);
    for honoured in [
        "--config",
        "--min-confidence",
        "--no-secrets",
        "--no-policy",
        "--git",
    ] {
        assert!(help.contains(honoured), "{honoured} missing:\n{help}");
    }
    for ignored in ["--fail-on", "--no-redact", "--baseline <", "--format"] {
        assert!(!help.contains(ignored), "{ignored} offered:\n{help}");
    }
    // ... and the scan still offers them (control).
    let scan = stdout(&["scan", "--help"]);
    assert!(scan.contains("--fail-on") && scan.contains("--baseline <"));
}

#[test]
fn completion_snapshots() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("baseline"), "{shell}: no subcommands");
        insta::assert_snapshot!(format!("completions-{shell}"), script);
    }
    let out = pipeguard().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH pipeguard 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("pipeguard\\-{sub}")) || page.contains(sub),
            "{sub}"
        );
    }
}

#[test]
fn color_always_and_never() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.env",
        format!("GITHUB_TOKEN={}\n", github_token("color")),
    );
    let run = |color: &str| {
        let out = pipeguard()
            .args(["scan", "--color", color])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(
        run("always").contains("\x1b["),
        "--color always did not colour"
    );
    assert!(!run("never").contains("\x1b["), "--color never coloured");
    // auto, not a terminal: no colour.
    assert!(!run("auto").contains("\x1b["));
}

#[test]
fn summary_counts_use_correct_plurals() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "one.env",
        format!("GITHUB_TOKEN={}\n", github_token("plural")),
    );
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pipeguard: 1 finding in 1 file\n"), "{err}");
    write(
        dir.path(),
        "two.env",
        format!("GITHUB_TOKEN={}\n", github_token("plural2")),
    );
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pipeguard: 2 findings in 2 files\n"), "{err}");
}
