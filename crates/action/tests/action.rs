//! `pipeguard-action` end to end: real repositories, realistic event files, a fake runner
//! environment; exit codes, exact annotation lines, the job summary, the outputs file, SARIF
//! against the 2.1.0 schema, no secret anywhere, and a shallow clone refused with the fix.

mod common;
use common::*;
use serde_json::json;
use std::path::Path;

fn short(id: &str) -> &str {
    &id[..12]
}

fn assert_no_leak(run: &Run, secrets: &[&str]) {
    let all = run.everything();
    for s in secrets {
        // The redacted form keeps a 4-character prefix (`ghp_`, `acme`); nothing after it.
        assert!(!all.contains(&s[4..]), "secret leaked:\n{all}");
    }
}

/// A pull request on top of `main` that adds three findings in two commits, one of them in a
/// file whose name has a comma and one in a file whose name has a newline; `main` already holds
/// a key that the pull request does not add (and touches the file, on another line).
struct PrRepo {
    dir: tempfile::TempDir,
    base: String,
    c1: String,
    c2: String,
    secrets: Vec<String>,
}

fn pr_repo() -> PrRepo {
    let dir = repo();
    let p = dir.path();
    let legacy = acme_key("legacy");
    write(p, "legacy.txt", format!("old = \"{legacy}\"\n"));
    let base = commit(p, "legacy key");
    git(p, &["checkout", "-qb", "feature"]);
    let token = github_token("pull-request");
    let key = acme_key("pr");
    write(
        p,
        "app/settings.py",
        format!("GITHUB_TOKEN = \"{token}\"\n"),
    );
    write(p, "config,prod.env", format!("DEBUG=1\nKEY = {key}\n"));
    let c1 = commit(p, "add settings");
    let odd = acme_key("odd");
    write(p, "legacy.txt", format!("old = \"{legacy}\"\nnote = 1\n"));
    write(p, "odd\nname.env", format!("K={odd}\n"));
    let c2 = commit(p, "more settings");
    PrRepo {
        dir,
        base,
        c1,
        c2,
        secrets: vec![legacy, token, key, odd],
    }
}

#[test]
fn pull_request_reports_what_it_adds_everywhere() {
    let r = pr_repo();
    let ws = r.dir.path();
    let run = Runner::new(ws).run("pull_request", &pull_request_event(7, &r.base, &r.c2));
    run.assert_code(1);

    // Annotations: exact lines, escaped (`,` `:` `%` and a newline in properties; `%` in data).
    let ann = run.annotations();
    assert_eq!(ann.len(), 3, "{}", run.stdout);
    assert!(
        ann[0].starts_with("::error file=app/settings.py,line=1,col=17,endLine=1,title="),
        "{}",
        ann[0]
    );
    assert!(
        ann[0].contains("(github-classic-pat)::[critical] "),
        "{}",
        ann[0]
    );
    assert!(
        ann[0].ends_with(&format!(" (commit {})", short(&r.c1))),
        "{}",
        ann[0]
    );
    assert_eq!(
        ann[1],
        format!(
            "::warning file=config%2Cprod.env,line=2,col=7,endLine=2,\
             title=Demo%3A token%2C 100%25 (acme-demo-key)::\
             [medium] Demo: token, 100%25 found. Rotate it. (commit {})",
            short(&r.c1)
        )
    );
    assert_eq!(
        ann[2],
        format!(
            "::warning file=odd%0Aname.env,line=1,col=3,endLine=1,\
             title=Demo%3A token%2C 100%25 (acme-demo-key)::\
             [medium] Demo: token, 100%25 found. Rotate it. (commit {})",
            short(&r.c2)
        )
    );
    assert!(
        run.stdout
            .contains("pipeguard: scanning the 2 commits pull request #7 adds"),
        "{}",
        run.stdout
    );

    // The job summary.
    let s = &run.summary;
    assert!(s.starts_with("## pipeguard\n\n"), "{s}");
    assert!(
        s.contains(&format!(
            "Scanned the 2 commits pull request #7 adds (`{}..{}`).",
            short(&r.base),
            short(&r.c2)
        )),
        "{s}"
    );
    assert!(
        s.contains(
            "**3 findings** in 4 files scanned; 3 at or above the `low` threshold (`fail-on`)."
        ),
        "{s}"
    );
    assert!(
        s.contains("| critical | 1 |\n| high | 0 |\n| medium | 2 |\n| low | 0 |"),
        "{s}"
    );
    assert!(
        s.contains("| Severity | Rule | Location | Commit | Excerpt (redacted) |"),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "| medium | `acme-demo-key` Demo: token, 100% | \
             [`config,prod.env:2`](https://github.com/octo/demo/blob/{c1}/config%2Cprod.env#L2) | \
             [`{short}`](https://github.com/octo/demo/commit/{c1}) | `KEY = acme*****` |",
            c1 = r.c1,
            short = short(&r.c1)
        )),
        "{s}"
    );
    assert!(s.contains("[`odd name.env:1`]"), "{s}");
    assert!(s.contains("`GITHUB_TOKEN = \"ghp_*****\"`"), "{s}");
    assert!(
        s.contains("**False positive?** Add `pipeguard:allow[rule-id]`"),
        "{s}"
    );
    assert!(
        !s.contains("legacy.txt"),
        "the base's key is not the PR's: {s}"
    );

    // Outputs.
    assert_eq!(
        run.outputs,
        format!(
            "findings=3\nsarif-file={}\nexit-code=1\n",
            ws.join("pipeguard.sarif").display()
        )
    );

    // SARIF: valid, one rule per id, relative URIs, fingerprints, security-severity.
    let doc = run.sarif();
    assert_valid_sarif(&doc);
    let run0 = &doc["runs"][0];
    assert_eq!(run0["automationDetails"]["id"], "pipeguard/changes/");
    assert_eq!(
        run0["versionControlProvenance"][0]["repositoryUri"],
        "https://github.com/octo/demo"
    );
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["github-classic-pat", "acme-demo-key"]);
    for rule in rules {
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["help"]["markdown"].is_string());
        assert!(rule["properties"]["security-severity"].is_string());
    }
    let results = run0["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(loc["uriBaseId"], "%SRCROOT%");
            loc["uri"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        ["app/settings.py", "config%2Cprod.env", "odd%0Aname.env"]
    );
    for r in results {
        let fp = r["partialFingerprints"]["pipeguardFingerprint/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fp.len(), 64);
        assert!(r["ruleIndex"].as_u64().unwrap() < rules.len() as u64);
    }
    assert_eq!(results[1]["properties"]["commit"], r.c1.as_str());

    let secrets: Vec<&str> = r.secrets.iter().map(String::as_str).collect();
    assert_no_leak(&run, &secrets);
}

#[test]
fn push_scans_before_to_after_and_fail_on_sets_the_threshold() {
    let dir = repo();
    let p = dir.path();
    let before = git(p, &["rev-parse", "HEAD"]);
    let key = acme_key("push");
    write(p, "deploy.env", format!("ACME={key}\n"));
    let leak = commit(p, "deploy settings");
    write(p, "deploy.env", "ACME=${ACME_KEY}\n");
    let after = commit(p, "use the environment");

    let run = Runner::new(p).run("push", &push_event("main", &before, &after));
    run.assert_code(1);
    assert_eq!(
        run.annotations(),
        [format!(
            "::warning file=deploy.env,line=1,col=6,endLine=1,\
             title=Demo%3A token%2C 100%25 (acme-demo-key)::\
             [medium] Demo: token, 100%25 found. Rotate it. (commit {})",
            short(&leak)
        )]
    );
    assert!(
        run.summary
            .contains("Scanned the 2 commits push to main adds"),
        "{}",
        run.summary
    );

    // Medium findings under a `high` threshold: reported, but the step passes.
    let run = Runner::new(p)
        .input("fail-on", "high")
        .input("sarif-file", "out/scan.sarif")
        .run("push", &push_event("main", &before, &after));
    run.assert_code(0);
    assert_eq!(run.annotations().len(), 1);
    assert!(run
        .summary
        .contains("**1 finding** in 2 files scanned; 0 at or above the `high` threshold"));
    assert_eq!(
        run.outputs,
        format!(
            "findings=1\nsarif-file={}\nexit-code=0\n",
            p.join("out/scan.sarif").display()
        )
    );
    assert_valid_sarif(&run.sarif());
    assert_no_leak(&run, &[&key]);

    // Only what the push adds: a later push that touches nothing secret is clean.
    write(p, "README.md", "# demo\n\nmore\n");
    let next = commit(p, "docs");
    let run = Runner::new(p).run("push", &push_event("main", &after, &next));
    run.assert_code(0);
    assert!(run.annotations().is_empty());
    assert!(
        run.summary.contains("✅ No findings in 1 file scanned."),
        "{}",
        run.summary
    );
    assert!(run.outputs.starts_with("findings=0\n"));
}

/// `main` (with `origin/main` as actions/checkout leaves it) holds a key; `feat` adds two.
fn branch_repo() -> (tempfile::TempDir, String, String, [String; 3]) {
    let dir = repo();
    let p = dir.path();
    let on_main = acme_key("main");
    write(p, "main.env", format!("K={on_main}\n"));
    commit(p, "main key");
    git(p, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(p, &["checkout", "-qb", "feat"]);
    let k1 = acme_key("feat-1");
    write(p, "one.env", format!("K={k1}\n"));
    let first = commit(p, "one");
    let k2 = acme_key("feat-2");
    write(p, "two.env", format!("K={k2}\n"));
    let second = commit(p, "two");
    (dir, first, second, [on_main, k1, k2])
}

#[test]
fn new_branch_push_scans_the_commits_not_on_the_default_branch() {
    let (dir, first, second, secrets) = branch_repo();
    let run = Runner::new(dir.path()).run("push", &push_event("feat", ZERO, &second));
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "pipeguard: new branch: scanning the commits not on the default branch (`origin/main`)"
        ),
        "{}",
        run.stdout
    );
    let ann = run.annotations();
    assert_eq!(ann.len(), 2, "{}", run.stdout);
    assert!(ann[0].starts_with("::warning file=one.env,line=1,col=3,"));
    assert!(ann[0].ends_with(&format!("(commit {})", short(&first))));
    assert!(ann[1].starts_with("::warning file=two.env,line=1,col=3,"));
    assert!(run.summary.contains(
        "Scanned the 2 commits on the new branch `feat` that are not on the default branch `origin/main`."
    ), "{}", run.summary);
    assert_valid_sarif(&run.sarif());
    assert_no_leak(&run, &[&secrets[0], &secrets[1], &secrets[2]]);
}

#[test]
fn new_branch_push_without_the_default_branch_scans_the_pushed_commit_alone() {
    let (dir, _, second, _) = branch_repo();
    let mut event = push_event("feat", ZERO, &second);
    event["repository"]["default_branch"] = json!("trunk");
    let run = Runner::new(dir.path()).run("push", &event);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "pipeguard: new branch: the default branch `trunk` is not in the checkout (neither \
             `origin/trunk` nor `trunk`), so which commits are new cannot be known: scanning the \
             pushed commit alone"
        ),
        "{}",
        run.stdout
    );
    let ann = run.annotations();
    assert_eq!(ann.len(), 1, "{}", run.stdout);
    assert!(ann[0].starts_with("::warning file=two.env,"));
    assert!(run.summary.contains(&format!(
        "Scanned only the pushed commit `{}` of the new branch `feat`.",
        short(&second)
    )));
}

#[test]
fn new_branch_at_a_commit_of_the_default_branch_adds_nothing() {
    let (dir, _, _, _) = branch_repo();
    let main = git(dir.path(), &["rev-parse", "origin/main"]);
    let run = Runner::new(dir.path()).run("push", &push_event("copy", ZERO, &main));
    run.assert_code(0);
    assert!(
        run.summary.contains("Scanned nothing: no new commit"),
        "{}",
        run.summary
    );
    assert!(run.outputs.starts_with("findings=0\n"));
    assert_valid_sarif(&run.sarif());
}

#[test]
fn first_push_of_the_default_branch_scans_all_of_it() {
    let (dir, _, _, _) = branch_repo();
    let p = dir.path();
    git(p, &["checkout", "-q", "main"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    let run = Runner::new(p).run("push", &push_event("main", ZERO, &head));
    run.assert_code(1);
    assert_eq!(run.annotations().len(), 1, "{}", run.stdout);
    assert!(
        run.summary
            .contains("all 2 commits of the default branch's first push"),
        "{}",
        run.summary
    );
}

#[test]
fn deleted_branch_adds_nothing() {
    let (dir, first, _, _) = branch_repo();
    let mut event = push_event("feat", &first, ZERO);
    event["deleted"] = json!(true);
    let run = Runner::new(dir.path()).run("push", &event);
    run.assert_code(0);
    assert!(
        run.summary
            .contains("Scanned nothing: the push deleted `feat`."),
        "{}",
        run.summary
    );
}

#[test]
fn schedule_scans_history_and_dispatch_can_scan_the_tree() {
    let dir = repo();
    let p = dir.path();
    let key = acme_key("history");
    write(p, "old.env", format!("K={key}\n"));
    let added = commit(p, "add key");
    std::fs::remove_file(p.join("old.env")).unwrap();
    commit(p, "remove key");

    let run = Runner::new(p).run("schedule", &json!({ "schedule": "0 3 * * 1" }));
    run.assert_code(1);
    let ann = run.annotations();
    assert_eq!(ann.len(), 1, "{}", run.stdout);
    assert!(ann[0].starts_with("::warning file=old.env,line=1,col=3,"));
    assert!(ann[0].ends_with(&format!("(commit {})", short(&added))));
    assert!(
        run.summary.contains("Scanned the whole history"),
        "{}",
        run.summary
    );
    let doc = run.sarif();
    assert_valid_sarif(&doc);
    assert_eq!(
        doc["runs"][0]["automationDetails"]["id"],
        "pipeguard/history/"
    );
    assert_no_leak(&run, &[&key]);

    // The tree no longer holds the key.
    let run = Runner::new(p)
        .input("scan", "tree")
        .run("workflow_dispatch", &json!({ "inputs": {} }));
    run.assert_code(0);
    assert!(
        run.summary.contains("Scanned the checked-out files in `.`"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("✅ No findings"));
    assert_eq!(
        run.sarif()["runs"][0]["automationDetails"]["id"],
        "pipeguard/tree/"
    );
}

#[test]
fn tree_scan_of_a_subdirectory_reports_repository_paths() {
    let dir = repo();
    let p = dir.path();
    let key = acme_key("sub");
    write(p, "svc/api/conf.env", format!("K={key}\n"));
    commit(p, "svc");
    let run = Runner::new(p)
        .input("scan", "tree")
        .input("path", "svc")
        .run("workflow_dispatch", &json!({}));
    run.assert_code(1);
    assert!(run.annotations()[0].starts_with("::warning file=svc/api/conf.env,line=1,"));
    let doc = run.sarif();
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "svc/api/conf.env"
    );
}

fn assert_refused_with_fetch_depth_hint(run: &Run) {
    run.assert_code(2);
    let first = run
        .stdout
        .lines()
        .find(|l| l.starts_with("::error title=pipeguard::"))
        .unwrap_or_else(|| panic!("no error annotation:\n{}", run.stdout));
    assert!(first.contains("fetch-depth: 0"), "{first}");
    assert!(!first.contains('\n'));
    assert!(
        run.summary.contains("❌ **pipeguard could not scan**"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("fetch-depth: 0"), "{}", run.summary);
    assert_eq!(run.outputs, "findings=0\nsarif-file=\nexit-code=2\n");
    assert!(
        run.sarif_text.is_none(),
        "no SARIF on error: it would close every alert"
    );
}

#[test]
fn shallow_clone_is_refused_with_the_fetch_depth_hint() {
    let r = pr_repo();
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", r.dir.path().display());
    git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow",
        ],
    );
    let shallow = clones.path().join("shallow");
    let run = Runner::new(&shallow).run("pull_request", &pull_request_event(7, &r.base, &r.c2));
    assert_refused_with_fetch_depth_hint(&run);
    assert!(
        run.stdout.contains("the checkout is shallow"),
        "{}",
        run.stdout
    );
    // A push, and a scheduled history scan, are refused the same way.
    let run = Runner::new(&shallow).run("push", &push_event("feature", &r.c1, &r.c2));
    assert_refused_with_fetch_depth_hint(&run);
    let run = Runner::new(&shallow).run("schedule", &json!({}));
    assert_refused_with_fetch_depth_hint(&run);
    // The tree needs no history.
    let run = Runner::new(&shallow)
        .input("scan", "tree")
        .run("pull_request", &pull_request_event(7, &r.base, &r.c2));
    run.assert_code(1);
}

#[test]
fn a_commit_missing_from_the_checkout_is_refused_with_the_hint() {
    let r = pr_repo();
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let run = Runner::new(r.dir.path()).run("pull_request", &pull_request_event(7, missing, &r.c2));
    assert_refused_with_fetch_depth_hint(&run);
    assert!(run
        .stdout
        .contains("the base commit 0123456789ab of this pull request #7 is not in the checkout"));
}

#[test]
fn bad_config_and_bad_event_exit_2() {
    let dir = repo();
    let p = dir.path();
    write(p, ".pipeguard.toml", "version = 1\n[scan]\nnope = 1\n");
    let head = git(p, &["rev-parse", "HEAD"]);
    let run = Runner::new(p).run("push", &push_event("main", &head, &head));
    run.assert_code(2);
    assert!(
        run.stdout.contains("::error title=pipeguard::"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(".pipeguard.toml"), "{}", run.stdout);

    let dir = repo();
    let run = Runner::new(dir.path()).run("pull_request", &json!({ "pull_request": {} }));
    run.assert_code(2);
    assert!(
        run.stdout.contains("has no `pull_request.base.sha`"),
        "{}",
        run.stdout
    );

    let run = Runner::new(dir.path())
        .input("scan", "everything")
        .run("push", &json!({}));
    run.assert_code(2);
    assert!(run.stdout.contains("input `scan`"), "{}", run.stdout);
}

#[test]
fn file_names_cannot_inject_workflow_commands() {
    let dir = repo();
    let p = dir.path();
    let before = git(p, &["rev-parse", "HEAD"]);
    let key = acme_key("inject");
    // A skipped binary file named to look like a command: its note is logged, escaped.
    write(p, "x\n::add-mask::y.bin", b"\0\0binary");
    write(p, "x\n::stop-commands::z.env", format!("K={key}\n"));
    let after = commit(p, "tricky names");
    let run = Runner::new(p).run("push", &push_event("main", &before, &after));
    run.assert_code(1);
    for line in run.stdout.lines() {
        assert!(
            !line.starts_with("::add-mask::") && !line.starts_with("::stop-commands::"),
            "injected: {line}"
        );
    }
    assert!(
        run.stdout
            .contains("file=x%0A%3A%3Astop-commands%3A%3Az.env,"),
        "{}",
        run.stdout
    );
}

#[test]
fn version_and_help_need_no_environment() {
    let out = assert_cmd::Command::cargo_bin("pipeguard-action")
        .unwrap()
        .env_clear()
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("pipeguard-action "));
    let out = assert_cmd::Command::cargo_bin("pipeguard-action")
        .unwrap()
        .env_clear()
        .current_dir(Path::new("/"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "no GITHUB_EVENT_NAME: an error, never 0"
    );
}

#[test]
fn a_change_that_edits_the_config_gets_a_warning() {
    let dir = repo();
    let p = dir.path();
    let base = git(p, &["rev-parse", "HEAD"]);
    let key = acme_key("allowlisted");
    write(p, "svc.env", format!("K={key}\n"));
    write(
        p,
        ".pipeguard.toml",
        format!("{CONFIG}\n[allowlist]\npaths = [\"svc.env\"]\n"),
    );
    let head = commit(p, "allowlist my own key");
    let run = Runner::new(p).run("pull_request", &pull_request_event(9, &base, &head));
    run.assert_code(0);
    assert_eq!(
        run.annotations(),
        ["::warning file=.pipeguard.toml,title=pipeguard::this change edits .pipeguard.toml: its \
          findings are judged by the edited config, ignore list and baseline, so review any new \
          allowlist or ignore entry, accepted finding, disabled rule or severity override"]
    );
    assert!(
        run.summary
            .contains("⚠️ this change edits `.pipeguard.toml`"),
        "{}",
        run.summary
    );
}

#[test]
fn a_change_that_edits_the_ignore_file_or_the_baseline_gets_a_warning() {
    let dir = repo();
    let p = dir.path();
    write(
        p,
        ".pipeguard.toml",
        CONFIG.replacen(
            "version = 1",
            "version = 1\nbaseline = \"accepted.json\"",
            1,
        ),
    );
    let baseline = p.join("accepted.json");
    pipeguard_core::suppress::Baseline::from_findings(&[])
        .write(&baseline)
        .unwrap();
    let base = commit(p, "config with a baseline");
    // Control: a change that touches neither gets no such warning.
    write(p, "readme.txt", "hello\n");
    let plain = commit(p, "docs");
    let run = Runner::new(p).run("pull_request", &pull_request_event(10, &base, &plain));
    run.assert_code(0);
    assert!(run.annotations().is_empty(), "{}", run.stdout);

    write(p, ".gitleaksignore", "svc.env:acme-key:1\n");
    let text = std::fs::read_to_string(&baseline).unwrap();
    write(p, "accepted.json", format!("{text}\n"));
    let head = commit(p, "ignore and accept");
    let run = Runner::new(p).run("pull_request", &pull_request_event(11, &plain, &head));
    let ann = run.annotations();
    assert_eq!(ann.len(), 2, "{}", run.stdout);
    assert!(
        ann[0].starts_with(
            "::warning file=.gitleaksignore,title=pipeguard::this change edits .gitleaksignore"
        ),
        "{}",
        ann[0]
    );
    assert!(
        ann[1].starts_with(
            "::warning file=accepted.json,title=pipeguard::this change edits accepted.json"
        ),
        "{}",
        ann[1]
    );
    assert!(run.summary.contains("`.gitleaksignore`"), "{}", run.summary);
}

#[test]
fn snapshot_of_a_pull_request_run() {
    let r = pr_repo();
    let ws = r.dir.path();
    let run = Runner::new(ws).run("pull_request", &pull_request_event(7, &r.base, &r.c2));
    run.assert_code(1);
    let mut text = format!(
        "--- stdout\n{}--- stderr\n{}--- summary\n{}--- outputs\n{}",
        run.stdout, run.stderr, run.summary, run.outputs
    );
    for (id, name) in [(&r.base, "[BASE]"), (&r.c1, "[C1]"), (&r.c2, "[C2]")] {
        text = text.replace(id.as_str(), name).replace(short(id), name);
    }
    let text = text
        .replace(&ws.display().to_string(), "[WS]")
        .replace(&run.sarif_path.display().to_string(), "[SARIF]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    insta::assert_snapshot!(text);
}
