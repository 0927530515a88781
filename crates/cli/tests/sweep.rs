//! `pipeguard sweep` and `pipeguard merge`, end to end on real repositories built in temp dirs
//! with the `git` command: shards, merge, resume, broken entries, file:// mirrors in a cache,
//! and `--github-org` against a mock GitHub API on 127.0.0.1.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A repository `name` under `root` with one commit per secret (seeded GitHub tokens) plus a clean
/// commit, so histories differ in length.
fn repo(root: &Path, name: &str, seeds: &[&str]) {
    let p = root.join(name);
    std::fs::create_dir_all(&p).unwrap();
    git(&p, &["init", "-q"]);
    write(&p, "README.md", format!("# {name}\n"));
    git(&p, &["add", "."]);
    git(&p, &["commit", "-qm", "start"]);
    for (i, seed) in seeds.iter().enumerate() {
        write(
            &p,
            &format!("conf/k{i}.env"),
            format!("GITHUB_TOKEN={}\n", github_token(seed)),
        );
        git(&p, &["add", "."]);
        git(&p, &["commit", "-qm", &format!("key {i}")]);
    }
}

fn sweep(cwd: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = pipeguard()
        .current_dir(cwd)
        .env("PIPEGUARD_NO_PROGRESS", "1")
        .arg("sweep")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), doc, stderr)
}

/// (repository, fingerprint) of every finding.
fn found(doc: &Value) -> BTreeSet<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["repository"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn repos_of(doc: &Value, status: &str) -> BTreeSet<String> {
    doc["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| status == "any" || r["status"] == status)
        .map(|r| r["repository"].as_str().unwrap().to_string())
        .collect()
}

/// Ten repositories (one clean) and a repos file listing them by relative path.
fn org(root: &Path) -> BTreeSet<String> {
    let mut list = String::from("# the org\n\n");
    let mut names = BTreeSet::new();
    for i in 0..10 {
        let name = format!("repos/r{i}");
        let seeds: Vec<String> = (0..i % 3).map(|j| format!("r{i}-{j}")).collect();
        let seeds: Vec<&str> = seeds.iter().map(String::as_str).collect();
        repo(root, &name, &seeds);
        list.push_str(&format!("{name}   # repo {i}\n"));
        names.insert(name);
    }
    write(root, "repos.txt", list);
    names
}

#[test]
fn shards_partition_the_list_and_their_merge_equals_the_single_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let names = org(root);
    let (code, single, _) = sweep(root, &["repos.txt"]);
    assert_eq!(code, 1, "findings exit 1");
    assert_eq!(repos_of(&single, "scanned"), names);
    let all = found(&single);
    assert_eq!(all.len(), 9, "0+1+2 tokens per three repos, over ten repos");
    assert_eq!(single["sweep"]["shards"], serde_json::json!(["1/1"]));
    let digest = single["sweep"]["list_digest"].as_str().unwrap().to_string();

    let mut union = BTreeSet::new();
    for k in 1..=3 {
        let (code, doc, _) = sweep(root, &["repos.txt", "--shard", &format!("{k}/3")]);
        assert!(code <= 1);
        assert_eq!(
            doc["sweep"]["list_digest"],
            digest.as_str(),
            "same list, same digest"
        );
        for r in repos_of(&doc, "any") {
            assert!(union.insert(r), "a repository in two shards");
        }
        std::fs::write(root.join(format!("s{k}.json")), doc.to_string()).unwrap();
    }
    assert_eq!(union, names, "the shards cover the list");

    let merge = |args: &[&str]| {
        pipeguard()
            .current_dir(root)
            .arg("merge")
            .args(args)
            .output()
            .unwrap()
    };
    let out = merge(&["s1.json", "s2.json", "s3.json", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&merged), all, "merge = single sweep");
    assert_eq!(repos_of(&merged, "scanned"), names);
    assert_eq!(
        merged["sweep"]["shards"],
        serde_json::json!(["1/3", "2/3", "3/3"])
    );

    // SARIF: valid 2.1.0, one run, every result naming its repository.
    let out = merge(&["s3.json", "s1.json", "s2.json", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"].as_array().unwrap().len(), 1);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), all.len());
    assert!(results
        .iter()
        .all(|r| r["properties"]["repository"].is_string()));
    let out = merge(&["s1.json", "s2.json", "s3.json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("repos/r2: conf/k1.env"), "{text}");
    assert!(text.contains("10 repositories (10 scanned"), "{text}");

    // Refused: a missing shard, a shard twice, a report of another list.
    let out = merge(&["s1.json", "s2.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shard 3/3 is missing"));
    let out = merge(&["s1.json", "s2.json", "--allow-missing", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an incomplete merge is an error"
    );
    let out = merge(&["s1.json", "s1.json", "s2.json", "s3.json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("shard 1/3 is in both"));
    write(root, "other.txt", "repos/r0\n");
    let (_, other, _) = sweep(root, &["other.txt", "--shard", "1/1"]);
    std::fs::write(root.join("other.json"), other.to_string()).unwrap();
    let out = merge(&["s1.json", "s2.json", "s3.json", "other.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only shards of one list"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_state_log_skips_unchanged_repositories_keeps_their_findings_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let names = org(root);
    let args = ["repos.txt", "--state", "st/state.jsonl"];
    let (_, first, _) = sweep(root, &args);
    assert_eq!(repos_of(&first, "scanned"), names);

    let (code, second, stderr) = sweep(root, &args);
    assert_eq!(code, 1, "known findings still fail the run");
    assert_eq!(repos_of(&second, "skipped"), names, "nothing changed");
    assert!(
        stderr.contains("0 scanned, 10 unchanged since the last run and skipped"),
        "{stderr}"
    );
    assert_eq!(
        found(&second),
        found(&first),
        "skipped repositories keep their findings"
    );

    // A new commit in one repository: only that one is rescanned, and its new finding appears.
    let r4 = root.join("repos/r4");
    write(
        &r4,
        "new.env",
        format!("GITHUB_TOKEN={}\n", github_token("late")),
    );
    git(&r4, &["add", "."]);
    git(&r4, &["commit", "-qm", "late"]);
    let (_, third, _) = sweep(root, &args);
    assert_eq!(
        repos_of(&third, "scanned"),
        BTreeSet::from(["repos/r4".to_string()])
    );
    assert_eq!(found(&third).len(), found(&first).len() + 1);

    // Every run appended one line per repository, each a complete record.
    let log = std::fs::read_to_string(root.join("st/state.jsonl")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 30);
    for l in &lines {
        for k in [
            "repository",
            "status",
            "refs",
            "findings",
            "duration_ms",
            "version",
        ] {
            assert!(!l[k].is_null(), "{k} in {l}");
        }
    }

    // An interrupted run: the log of a fresh sweep loses its last four lines (those repositories
    // were in flight), and the next run scans exactly those four.
    std::fs::remove_dir_all(root.join("st")).unwrap();
    let (_, _, _) = sweep(root, &args);
    let log = std::fs::read_to_string(root.join("st/state.jsonl")).unwrap();
    let kept: Vec<&str> = log.lines().collect();
    let cut = kept[..6].join("\n") + "\n{\"repository\":\"repos/r";
    std::fs::write(root.join("st/state.jsonl"), cut).unwrap();
    let lost: BTreeSet<String> = kept[6..]
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["repository"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let (_, resumed, stderr) = sweep(root, &args);
    assert_eq!(repos_of(&resumed, "scanned"), lost, "{stderr}");
    assert_eq!(repos_of(&resumed, "skipped").len(), 6);
    assert!(stderr.contains("ignored 1 unreadable line"), "{stderr}");
    assert_eq!(found(&resumed), found(&third));
}

#[test]
fn a_broken_entry_is_reported_the_others_are_scanned_and_the_exit_is_2() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repo(root, "good", &["good-1"]);
    repo(root, "corrupt", &["bad-1"]);
    // Remove the blob of the secret: the history can no longer be read in full.
    let blob = git(&root.join("corrupt"), &["rev-parse", "HEAD:conf/k0.env"]);
    std::fs::remove_file(root.join(format!(
        "corrupt/.git/objects/{}/{}",
        &blob[..2],
        &blob[2..]
    )))
    .unwrap();
    std::fs::create_dir(root.join("plain")).unwrap();
    write(root, "repos.txt", "missing\ncorrupt\ngood\nplain\n");
    let (code, doc, stderr) = sweep(root, &["repos.txt"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        repos_of(&doc, "scanned"),
        BTreeSet::from(["good".to_string()])
    );
    assert_eq!(
        repos_of(&doc, "error"),
        BTreeSet::from(["missing".into(), "corrupt".into(), "plain".into()])
    );
    assert_eq!(
        found(&doc).len(),
        1,
        "the good repository's finding is reported"
    );
    for r in doc["sweep"]["repositories"].as_array().unwrap() {
        if r["status"] == "error" {
            assert!(r["error"].as_str().is_some_and(|e| !e.is_empty()), "{r}");
        }
    }
    assert!(stderr.contains("missing: FAILED"), "{stderr}");
    // Control: without the broken entries the same sweep exits 1 (findings only).
    write(root, "good.txt", "good\n");
    assert_eq!(sweep(root, &["good.txt"]).0, 1);
}

#[test]
fn file_urls_are_mirrored_into_the_cache_and_fetched_incrementally() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repo(root, "origin/app", &["m-1"]);
    let url = format!("file://{}", root.join("origin/app").display());
    // A remote that cannot be reached, with credentials in its URL: reported, never printed.
    let secret = "hunter2-pass-0123456789";
    write(
        root,
        "repos.txt",
        format!("{url}/\nhttps://ci:{secret}@127.0.0.1:9/org/x.git\n"),
    );
    let args = ["repos.txt", "--cache", "cache", "--state", "state.jsonl"];
    let (code, first, stderr) = sweep(root, &args);
    assert_eq!(code, 2);
    let mirrors: Vec<_> = std::fs::read_dir(root.join("cache/mirrors"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(mirrors.len(), 1, "one mirror, for the reachable repository");
    let mirror = mirrors[0].path();
    assert_eq!(git(&mirror, &["rev-parse", "--is-bare-repository"]), "true");
    assert_eq!(
        repos_of(&first, "scanned"),
        BTreeSet::from([url.clone()]),
        "keyed without the trailing slash"
    );
    assert_eq!(found(&first).len(), 1);
    assert!(repos_of(&first, "error").contains("https://127.0.0.1:9/org/x"));
    let log = std::fs::read_to_string(root.join("state.jsonl")).unwrap();
    for text in [first.to_string(), stderr, log] {
        assert!(!text.contains(secret), "credentials leaked: {text}");
    }

    // A new commit upstream is fetched into the same mirror and scanned.
    let app = root.join("origin/app");
    write(
        &app,
        "later.env",
        format!("GITHUB_TOKEN={}\n", github_token("m-2")),
    );
    git(&app, &["add", "."]);
    git(&app, &["commit", "-qm", "later"]);
    let head = git(&app, &["rev-parse", "HEAD"]);
    let (_, second, _) = sweep(root, &args);
    assert_eq!(git(&mirror, &["rev-parse", "refs/heads/main"]), head);
    assert_eq!(repos_of(&second, "scanned"), BTreeSet::from([url.clone()]));
    assert_eq!(found(&second).len(), 2);
    // Control: nothing new upstream, so the fetched mirror is unchanged and skipped.
    let (_, third, _) = sweep(root, &args);
    assert_eq!(repos_of(&third, "skipped"), BTreeSet::from([url]));
    assert_eq!(found(&third), found(&second));
}

/// A mock GitHub API on 127.0.0.1: answers every request from `route(path, nth request, base)`
/// on a thread that lives as long as the test; the returned list records each request's head.
fn mock_api(
    route: impl Fn(&str, usize, &str) -> String + Send + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let b2 = base.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    std::thread::spawn(move || {
        for (i, s) in l.incoming().enumerate() {
            let Ok(mut s) = s else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            s2.lock().unwrap().push(head);
            let _ = s.write_all(route(&path, i, &b2).as_bytes());
        }
    });
    (base, seen)
}

fn http(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
        body.len()
    )
}

#[test]
fn github_org_pages_through_the_api_waits_out_a_rate_limit_and_never_shows_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["a", "b", "fork", "old"] {
        repo(root, &format!("gh/{name}"), &[&format!("gh-{name}")]);
    }
    let clone = |n: &str| format!("file://{}", root.join("gh").join(n).display());
    let page1 = serde_json::json!([
        {"full_name": "acme/a", "clone_url": clone("a"), "fork": false, "archived": false},
        {"full_name": "acme/fork", "clone_url": clone("fork"), "fork": true, "archived": false},
    ])
    .to_string();
    let page2 = serde_json::json!([
        {"full_name": "acme/old", "clone_url": clone("old"), "fork": false, "archived": true},
        {"full_name": "acme/b", "clone_url": clone("b"), "fork": false, "archived": false},
    ])
    .to_string();
    let route = move |path: &str, i: usize, base: &str| -> String {
        if i == 0 {
            // The first answer is a rate limit with a one-second Retry-After.
            return http(
                "429 Too Many Requests",
                "Retry-After: 1\r\n",
                r#"{"message":"slow down"}"#,
            );
        }
        if path.ends_with("&page=2") {
            http("200 OK", "", &page2)
        } else if path == "/orgs/acme/repos?per_page=100&type=all" {
            let next = format!("Link: <{base}/orgs/acme/repos?per_page=100&page=2>; rel=\"next\", <{base}/orgs/acme/repos?per_page=100&page=2>; rel=\"last\"\r\n");
            http("200 OK", &next, &page1)
        } else {
            http("404 Not Found", "", r#"{"message":"Not Found"}"#)
        }
    };
    let token = github_token("api-token");
    let (base, requests) = mock_api(route.clone());
    let out = pipeguard()
        .current_dir(root)
        .env("GITHUB_API_URL", &base)
        .env("GITHUB_TOKEN", &token)
        .args(["sweep", "--github-org", "acme", "--list-repos"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let requests = requests.lock().unwrap().clone();
    assert!(out.status.success(), "{stderr} {requests:?}");
    let listed: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        listed,
        [clone("a"), clone("b")],
        "forks and archived left out"
    );
    assert!(
        stderr.contains("rate limit (HTTP 429): waiting 1 s"),
        "{stderr}"
    );
    assert_eq!(requests.len(), 3, "429, page 1, page 2");
    assert!(requests
        .iter()
        .all(|r| r.to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            token.to_ascii_lowercase()
        ))));
    assert!(requests[2].contains("page=2"));

    // The full sweep, forks and archived included, clones every file:// URL into the cache.
    let (base, _) = mock_api(route);
    let out = pipeguard()
        .current_dir(root)
        .env("GITHUB_API_URL", &base)
        .env("GITHUB_TOKEN", &token)
        .env("PIPEGUARD_NO_PROGRESS", "1")
        .args([
            "sweep",
            "--github-org",
            "acme",
            "--include-forks",
            "--include-archived",
        ])
        .args(["--cache", "cache", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(repos_of(&doc, "scanned").len(), 4);
    assert_eq!(found(&doc).len(), 4);
    for text in [
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    ] {
        assert!(!text.contains(&token), "the token leaked");
    }

    // Control: a rate limit longer than the allowed wait is an error, without sleeping.
    let (base, _) = mock_api(|_, _, _| {
        http(
            "403 Forbidden",
            "X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 99999999999\r\n",
            "{}",
        )
    });
    let out = pipeguard()
        .env("GITHUB_API_URL", &base)
        .env("GITHUB_TOKEN", &token)
        .env("PIPEGUARD_GITHUB_MAX_WAIT", "5")
        .args(["sweep", "--github-org", "acme", "--list-repos"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("more than the 5 s allowed"), "{stderr}");
    assert!(!stderr.contains(&token));
}
