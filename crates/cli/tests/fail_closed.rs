//! Fail closed, end to end: what cannot be read is exit 2 with a message naming it, and the
//! findings are still printed; broken pipes, full disks, streams, standard input, git's own
//! environment, repository-relative paths and the finding caps — each on real files and real
//! repositories in temp dirs.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command as Std, Stdio};

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A repository with one commit holding `a.env` (a secret) and `b.txt` (clean).
fn repo_with_secret() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    let t = token("fail-closed");
    write(p, "a.env", format!("T={t}\n"));
    write(p, "b.txt", "hello\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "one"]);
    (dir, t)
}

fn scan_git(p: &Path) -> std::process::Output {
    pipeguard().args(["scan", "--git"]).arg(p).output().unwrap()
}

#[test]
fn git_ref_whose_tip_cannot_be_read_exits_2_and_names_it() {
    let (dir, _) = repo_with_secret();
    let p = dir.path();
    // Control: a complete repository is read fully.
    let out = scan_git(p);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    std::fs::write(
        p.join(".git/refs/heads/ghost"),
        "0123456789abcdef0123456789abcdef01234567\n",
    )
    .unwrap();
    let out = scan_git(p);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: refs/heads/ghost: cannot read"),
        "{err}"
    );
    // The readable history is still scanned and reported.
    assert!(stdout_of(&out).contains("a.env:1:3"), "{}", stdout_of(&out));
}

#[test]
fn git_missing_blob_exits_2_and_names_it() {
    let (dir, _) = repo_with_secret();
    let p = dir.path();
    let blob = git(p, &["rev-parse", "HEAD:b.txt"]);
    std::fs::remove_file(p.join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..]))).unwrap();
    let out = scan_git(p);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("error: b.txt: could not read blob {blob}")),
        "{err}"
    );
    assert!(stdout_of(&out).contains("a.env:1:3"), "{}", stdout_of(&out));
}

#[test]
fn git_truncated_pack_exits_2() {
    let (dir, _) = repo_with_secret();
    let p = dir.path();
    git(p, &["repack", "-adq"]);
    let pack = std::fs::read_dir(p.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    // Control: the packed repository is read fully.
    assert_eq!(scan_git(p).status.code(), Some(1));
    let f = std::fs::OpenOptions::new().write(true).open(&pack).unwrap();
    let len = f.metadata().unwrap().len();
    f.set_len(len / 2).unwrap();
    let out = scan_git(p);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: refs/heads/main: cannot read"), "{err}");
}

#[test]
fn tags_pointing_straight_at_a_blob_or_a_tree_are_scanned() {
    let (dir, _) = repo_with_secret();
    let p = dir.path();
    git(p, &["rm", "-q", "a.env"]);
    git(p, &["commit", "-qm", "clean"]);
    // Objects no commit reaches: one blob, one tree holding another blob.
    let loose = tempfile::tempdir().unwrap();
    write(loose.path(), "k1", format!("K={}\n", token("tagged-blob")));
    write(loose.path(), "k2", format!("K={}\n", token("tagged-tree")));
    let b1 = git(
        p,
        &[
            "hash-object",
            "-w",
            loose.path().join("k1").to_str().unwrap(),
        ],
    );
    let b2 = git(
        p,
        &[
            "hash-object",
            "-w",
            loose.path().join("k2").to_str().unwrap(),
        ],
    );
    let tree_in = loose.path().join("tree.txt");
    std::fs::write(&tree_in, format!("100644 blob {b2}\tkeys.env\n")).unwrap();
    let tree = {
        let out = Std::new("git")
            .args(["mktree"])
            .current_dir(p)
            .stdin(std::fs::File::open(&tree_in).unwrap())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    // Control: unreachable objects are not part of the history; the removed key still is.
    let (code, before) = json(&["scan", "--git", "--format", "json"], p);
    assert_eq!(code, Some(1));
    assert_eq!(paths(&before), ["a.env"]);
    git(p, &["tag", "blob-tag", &b1]);
    git(p, &["tag", "-a", "-m", "a tree", "tree-tag", &tree]);
    let (code, after) = json(&["scan", "--git", "--format", "json"], p);
    assert_eq!(code, Some(1));
    assert_eq!(paths(&after), ["a.env", "keys.env", "refs/tags/blob-tag"]);
}

fn json(args: &[&str], cwd: &Path) -> (Option<i32>, Value) {
    let out = pipeguard().args(args).current_dir(cwd).output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout_of(&out), stderr_of(&out)));
    (out.status.code(), v)
}

fn paths(v: &Value) -> Vec<String> {
    let mut p: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}

/// Runs the command as an unprivileged user when the tests run as root (CI does), so that a
/// directory without permissions really cannot be read.
#[cfg(unix)]
fn unprivileged(mut cmd: Std) -> Std {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        cmd.uid(65534).gid(65534);
    }
    cmd
}

#[cfg(unix)]
fn open_up(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn unreadable_directory_exits_2_and_findings_still_print() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    open_up(p);
    write(p, "ok/a.env", format!("T={}\n", token("readable")));
    write(p, "locked/b.env", "nothing\n");
    for d in ["ok", "locked"] {
        open_up(&p.join(d));
    }
    let scan = || {
        let mut c = Std::new(assert_cmd::cargo::cargo_bin("pipeguard"));
        c.arg("scan").arg(p);
        unprivileged(c).output().unwrap()
    };
    // Control: all readable.
    assert_eq!(scan().status.code(), Some(1));
    std::fs::set_permissions(p.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = scan();
    std::fs::set_permissions(p.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: locked: cannot read:"), "{err}");
    assert!(err.to_lowercase().contains("permission denied"), "{err}");
    assert!(
        stdout_of(&out).contains("ok/a.env:1:3"),
        "{}",
        stdout_of(&out)
    );
}

#[cfg(unix)]
#[test]
fn unreadable_root_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let outer = tempfile::tempdir().unwrap();
    open_up(outer.path());
    let root = outer.path().join("root");
    write(&root, "a.txt", "hello\n");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut c = Std::new(assert_cmd::cargo::cargo_bin("pipeguard"));
    c.arg("scan").arg(&root);
    let out = unprivileged(c).output().unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("root: cannot read"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_name_too_long_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "a.env", format!("T={}\n", token("short-path")));
    // Two chains of 12 directories of 200 bytes, each under PATH_MAX (4096); moving one into the
    // bottom of the other makes a path beyond it that nothing can open by name.
    let name = "d".repeat(200);
    let chain = |top: &str| {
        let mut d = p.join(top);
        for _ in 0..12 {
            d = d.join(&name);
        }
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let bottom = chain("deep");
    let other = chain("other");
    std::fs::write(other.join("f.txt"), "hello\n").unwrap();
    std::fs::rename(p.join("other"), bottom.join("other")).unwrap();
    let out = pipeguard().arg("scan").arg(p).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("File name too long"), "{err}");
    assert!(stdout_of(&out).contains("a.env:1:3"), "{}", stdout_of(&out));
}

#[test]
fn tracked_files_that_match_gitignore_are_scanned_in_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(p, ".gitignore", "*.env\n");
    write(p, "tracked.env", format!("T={}\n", token("tracked")));
    write(p, "untracked.env", format!("T={}\n", token("untracked")));
    git(p, &["add", ".gitignore"]);
    git(p, &["add", "-f", "tracked.env"]);
    let (code, v) = json(&["scan", "--format", "json", "."], p);
    assert_eq!(code, Some(1));
    // The ignored, untracked file stays out (control); the tracked one is in.
    assert_eq!(paths(&v), ["tracked.env"]);
}

#[test]
fn paths_are_relative_to_the_repository_root_wherever_the_scan_starts() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(p, "sub/a.env", format!("T={}\n", token("relative")));
    let fp = |v: &Value| {
        (
            v["findings"][0]["path"].as_str().unwrap().to_string(),
            v["findings"][0]["fingerprint"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    let (_, whole) = json(&["scan", "--format", "json", "."], p);
    let (_, sub) = json(&["scan", "--format", "json", "sub"], p);
    let (_, inside) = json(&["scan", "--format", "json", "."], &p.join("sub"));
    let (_, file) = json(&["scan", "--format", "json", "a.env"], &p.join("sub"));
    assert_eq!(fp(&whole).0, "sub/a.env");
    assert_eq!(fp(&whole), fp(&sub));
    assert_eq!(fp(&whole), fp(&inside));
    assert_eq!(fp(&whole), fp(&file));
}

#[test]
fn dash_reads_standard_input() {
    let out = pipeguard()
        .args(["scan", "-"])
        .write_stdin(format!("T={}\n", token("stdin")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("<stdin>:1:3"),
        "{}",
        stdout_of(&out)
    );
    // Control: clean input is one file scanned, exit 0.
    let out = pipeguard()
        .args(["scan", "-"])
        .write_stdin("hello\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout_of(&out).contains("in 1 file"), "{}", stdout_of(&out));
}

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Std::new("mkfifo").arg(&fifo).status().unwrap().success());
    let t = token("fifo");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, format!("T={t}\n")).unwrap())
    };
    let out = pipeguard().arg("scan").arg(&fifo).output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains(":1:3"), "{}", stdout_of(&out));
    // A character device: read as a stream too (empty), never "0 files".
    let out = pipeguard().args(["scan", "/dev/null"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout_of(&out).contains("in 1 file"), "{}", stdout_of(&out));
}

/// Spawn with standard output closed before anything is written.
fn closed_stdout(args: &[&str], cwd: &Path) -> std::process::Output {
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("pipeguard"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_never_panics_and_the_status_still_reflects_findings() {
    let dir = tempfile::tempdir().unwrap();
    let out = closed_stdout(&["rules"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("panicked"), "{}", stderr_of(&out));
    write(dir.path(), "a.env", format!("T={}\n", token("pipe")));
    let out = closed_stdout(&["scan", "."], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("panicked"));
    // Control: a clean tree with a closed pipe is still 0.
    std::fs::remove_file(dir.path().join("a.env")).unwrap();
    assert_eq!(
        closed_stdout(&["scan", "."], dir.path()).status.code(),
        Some(0)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "hello\n");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Std::new(assert_cmd::cargo::cargo_bin("pipeguard"))
        .args(["scan", "."])
        .current_dir(dir.path())
        .stdout(full)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let out = pipeguard()
        .args(["scan", ".", "-o", "/dev/full"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("cannot write /dev/full"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn staged_honours_git_index_file_and_git_dir() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(p, "a.env", "A=1\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-qm", "one"]);
    write(p, "a.env", format!("A=1\nT={}\n", token("index-file")));
    // What `git commit -a` does: stage into a temporary index, named by GIT_INDEX_FILE.
    let idx = p.join(".git/index.pipeguard-test");
    std::fs::copy(p.join(".git/index"), &idx).unwrap();
    let st = Std::new("git")
        .args(["add", "a.env"])
        .current_dir(p)
        .env("GIT_INDEX_FILE", &idx)
        .status()
        .unwrap();
    assert!(st.success());
    // Control: the repository's own index has nothing new.
    let out = pipeguard()
        .args(["scan", "--staged"])
        .current_dir(p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let out = pipeguard()
        .args(["scan", "--staged"])
        .current_dir(p)
        .env("GIT_INDEX_FILE", ".git/index.pipeguard-test")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains("a.env:2:3"), "{}", stdout_of(&out));
    // GIT_DIR names the repository from anywhere.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = pipeguard()
        .args(["scan", "--staged"])
        .current_dir(elsewhere.path())
        .env("GIT_DIR", p.join(".git"))
        .env("GIT_WORK_TREE", p)
        .env("GIT_INDEX_FILE", &idx)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    // Control: without it, the directory is no repository.
    let out = pipeguard()
        .args(["scan", "--staged"])
        .current_dir(elsewhere.path())
        .env_remove("GIT_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn findings_are_capped_per_file_and_per_scan_with_a_notice_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        ".pipeguard.toml",
        "version = 1\n[scan]\nmax_findings_per_file = 3\nmax_findings = 5\n",
    );
    for f in ["a.env", "b.env"] {
        let body: String = (0..4)
            .map(|i| format!("T{i}={}\n", token(&format!("{f}{i}"))))
            .collect();
        write(p, f, body);
    }
    let (code, v) = json(&["scan", "--format", "json", "."], p);
    assert_eq!(code, Some(1));
    assert_eq!(v["findings"].as_array().unwrap().len(), 5);
    assert_eq!(v["summary"]["findings_capped"], 3);
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["level"] == "warning"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("3 more findings were not reported")));
    let (_, sarif) = json(&["scan", "--format", "sarif", "."], p);
    assert_eq!(sarif["runs"][0]["properties"]["findingsCapped"], 3);
    assert_valid_sarif(&sarif);
    let out = pipeguard()
        .args(["scan", "."])
        .current_dir(p)
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).contains("3 more not reported"),
        "{}",
        stdout_of(&out)
    );
    assert!(
        stderr_of(&out).contains("warning: 3 more findings"),
        "{}",
        stderr_of(&out)
    );
    // Control: under the caps nothing is said.
    std::fs::remove_file(p.join("b.env")).unwrap();
    write(
        p,
        ".pipeguard.toml",
        "version = 1\n[scan]\nmax_findings_per_file = 10\n",
    );
    let (_, v) = json(&["scan", "--format", "json", "."], p);
    assert_eq!(v["findings"].as_array().unwrap().len(), 4);
    assert_eq!(v["summary"]["findings_capped"], 0);
}
