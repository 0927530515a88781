//! Output that cannot be turned against CI: file names, file content and config strings are
//! attacker-controlled in a pull request, and GitHub's runner reads workflow commands from every
//! line of stdout and stderr (`::cmd::` after leading whitespace, `##[cmd]` anywhere).

mod common;
use common::*;

/// The file name, custom rule name and content an attacker controls.
const EVIL_FILE: &str = "x\n::error file=a::pwned-by-name";
const EVIL_RULE: &str = "ACME\\n::error title=X::pwned-by-rule";

fn evil_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = acme_rule_config(
        "high",
        r"\b(acme_[a-z0-9]{16})\b",
        "k = acme_0123456789abcdef",
    )
    .replace("name = \"ACME key\"", &format!("name = \"{EVIL_RULE}\""));
    write(dir.path(), ".pipeguard.toml", config);
    // Linux allows a line break in a file name.
    write(
        dir.path(),
        EVIL_FILE,
        "k = acme_q1w2e3r4t5y6u7i8\n::error title=Y::pwned-by-content ##[error]legacy \u{1b}[2J\u{202e}\n",
    );
    dir
}

/// Every line of `text` that GitHub's runner would read as a workflow command.
fn commands(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
        .collect()
}

fn run(dir: &std::path::Path, format: &str) -> (Option<i32>, String, String) {
    let out = pipeguard()
        .env("NO_COLOR", "1")
        .args(["scan", "--format", format])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn text_output_forges_no_workflow_command() {
    let dir = evil_tree();
    let (code, stdout, stderr) = run(dir.path(), "text");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    // The finding is there, with the name and the rule escaped...
    assert!(
        stdout.contains("x\\n::error file=a::pwned-by-name:1:5"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ACME\\n::error title=X::pwned-by-rule"),
        "{stdout}"
    );
    // ...and no line of stdout or stderr is a workflow command, nor a terminal escape.
    assert_eq!(commands(&stdout), Vec::<&str>::new(), "{stdout}");
    assert_eq!(commands(&stderr), Vec::<&str>::new(), "{stderr}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout}"
    );
    // Control: the raw content does hold commands, so the check can fail.
    let content = std::fs::read_to_string(dir.path().join(EVIL_FILE)).unwrap();
    assert_eq!(commands(&content).len(), 1);
}

#[test]
fn github_output_has_only_our_annotations() {
    let dir = evil_tree();
    let (code, stdout, stderr) = run(dir.path(), "github");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let cmds = commands(&stdout);
    // One annotation per finding (the file, and the rule's own example in the config): ours,
    // on the real file, with every property escaped; nothing else on stdout.
    assert_eq!(cmds.len(), 2, "{stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let files: Vec<&str> = cmds
        .iter()
        .map(|a| {
            assert!(a.starts_with("::error file="), "{a}");
            assert!(
                a.contains(",title=ACME\\n%3A%3Aerror title=X%3A%3Apwned-by-rule (acme-key)::"),
                "{a}"
            );
            assert!(!a.contains("##["), "{a}");
            &a["::error file=".len()..a.find(",line=").unwrap()]
        })
        .collect();
    assert_eq!(
        files,
        [
            ".pipeguard.toml",
            "x%0A%3A%3Aerror file=a%3A%3Apwned-by-name"
        ],
        "{stdout}"
    );
    assert_eq!(commands(&stderr), Vec::<&str>::new(), "{stderr}");
}
