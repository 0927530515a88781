//! scripts/install.sh against a local `file://` release built by scripts/package.sh from the real
//! programs of this build: it installs a verified release, and refuses a tampered checksum or an
//! unknown version without installing anything.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory holding this build's programs, with all three of them built: an integration test
/// of `pipeguard` only gets `pipeguard` built for it.
fn bin_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(build_programs)
}

fn build_programs() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_pipeguard"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build.current_dir(root()).args([
        "build",
        "--quiet",
        "--bins",
        "-p",
        "pipeguard",
        "-p",
        "pipeguard-hook",
        "-p",
        "pipeguard-action",
    ]);
    if dir.ends_with("release") {
        build.arg("--release");
    }
    // Build into the directory this test's own program came from.
    build.env("CARGO_TARGET_DIR", dir.parent().unwrap());
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "cargo build of the three programs failed");
    // Stripped copies: gzip of ~350 MB of debug information dominated the test's time.
    let stripped =
        std::env::temp_dir().join(format!("pipeguard-install-test-{}", std::process::id()));
    std::fs::create_dir_all(&stripped).unwrap();
    for program in ["pipeguard", "pipeguard-hook", "pipeguard-action"] {
        let copy = stripped.join(program);
        std::fs::copy(dir.join(program), &copy).unwrap();
        // Without `strip` the copy stays whole, which is slower but the same test.
        let _ = Command::new("strip")
            .arg("--strip-debug")
            .arg(&copy)
            .status();
    }
    stripped
}

/// The target scripts/install.sh should detect on this machine (glibc >= 2.35 here: the CI and
/// developer machines are Debian 12).
fn host_target() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "linux" if cfg!(target_env = "musl") => format!("{arch}-unknown-linux-musl"),
        "linux" => format!("{arch}-unknown-linux-gnu"),
        "macos" => format!("{arch}-apple-darwin"),
        os => panic!("no installer test on {os}"),
    }
}

/// A release directory `<dir>/releases/<tag>/` holding this build packaged for the host.
struct Release {
    dir: tempfile::TempDir,
    tag: String,
    asset: String,
}

/// This build packaged once as `v0.1.0` for the host (gzip of the debug programs takes a while).
fn packaged() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        // One directory per process: nextest runs each test in a process of its own.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("install-test-dist-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new("sh")
            .arg(root().join("scripts/package.sh"))
            .arg("v0.1.0")
            .arg(host_target())
            .arg(bin_dir())
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scripts/package.sh failed: {}",
            stderr(&out)
        );
        dir
    })
}

impl Release {
    /// A fresh copy of the packaged release, which a test may tamper with.
    fn new() -> Release {
        let tag = "v0.1.0";
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("releases").join(tag);
        std::fs::create_dir_all(&out).unwrap();
        for entry in std::fs::read_dir(packaged()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), out.join(entry.file_name())).unwrap();
        }
        Release {
            dir,
            tag: tag.to_string(),
            asset: format!("pipeguard-{tag}-{}.tar.gz", host_target()),
        }
    }

    fn base(&self) -> String {
        format!("file://{}", self.dir.path().join("releases").display())
    }

    fn asset_path(&self) -> PathBuf {
        self.dir
            .path()
            .join("releases")
            .join(&self.tag)
            .join(&self.asset)
    }

    /// Run the installer into `<dir>/bin` with these extra variables.
    fn install(&self, vars: &[(&str, String)]) -> (Output, PathBuf) {
        let bin = self.dir.path().join("bin");
        let mut cmd = Command::new("sh");
        cmd.arg(root().join("scripts/install.sh"))
            .env("PIPEGUARD_DOWNLOAD_BASE", self.base())
            .env("PIPEGUARD_INSTALL_DIR", &bin)
            .env_remove("PIPEGUARD_VERSION")
            .env_remove("PIPEGUARD_TARGET");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        (cmd.output().unwrap(), bin)
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn installed(bin: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(bin)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn installs_a_verified_release_and_the_programs_run() {
    let release = Release::new();
    let (out, bin) = release.install(&[("PIPEGUARD_VERSION", "v0.1.0".into())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("verified SHA-256"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        installed(&bin),
        ["pipeguard", "pipeguard-action", "pipeguard-hook"]
    );
    for program in ["pipeguard", "pipeguard-hook"] {
        let v = Command::new(bin.join(program))
            .arg("--version")
            .output()
            .unwrap();
        assert!(v.status.success(), "{program} --version failed");
        assert!(
            String::from_utf8_lossy(&v.stdout).contains(env!("CARGO_PKG_VERSION")),
            "{program} --version: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
}

#[test]
fn without_a_version_it_installs_the_tag_the_latest_page_resolves_to() {
    let release = Release::new();
    // GitHub redirects releases/latest to releases/tag/<tag>; the installer takes the last path
    // segment of the final address, which for a file:// address is the address itself.
    let latest = format!("{}/v0.1.0", release.base());
    let (out, bin) = release.install(&[("PIPEGUARD_LATEST_URL", latest)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("v0.1.0"), "{}", stderr(&out));
    assert_eq!(installed(&bin).len(), 3);

    // Control: a "latest" address that names no tag is an error, not a guess.
    let other = Release::new();
    let (out, bin) = other.install(&[("PIPEGUARD_LATEST_URL", other.base())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot resolve the latest release"),
        "{}",
        stderr(&out)
    );
    assert!(installed(&bin).is_empty());
}

#[test]
fn a_tampered_checksum_is_refused_and_nothing_is_installed() {
    let release = Release::new();
    let sha = release.asset_path().with_extension("gz.sha256");
    let text = std::fs::read_to_string(&sha).unwrap();
    // Flip the first hex digit of the recorded digest.
    let first = if text.starts_with('0') { "1" } else { "0" };
    std::fs::write(&sha, format!("{first}{}", &text[1..])).unwrap();

    let (out, bin) = release.install(&[("PIPEGUARD_VERSION", "v0.1.0".into())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checksum mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(
        !bin.exists(),
        "the install directory was created: {:?}",
        installed(&bin)
    );
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let release = Release::new();
    let mut bytes = std::fs::read(release.asset_path()).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x01;
    std::fs::write(release.asset_path(), bytes).unwrap();

    let (out, bin) = release.install(&[("PIPEGUARD_VERSION", "v0.1.0".into())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checksum mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(!bin.exists());
}

#[test]
fn a_missing_checksum_file_is_refused() {
    let release = Release::new();
    std::fs::remove_file(release.asset_path().with_extension("gz.sha256")).unwrap();
    let (out, bin) = release.install(&[("PIPEGUARD_VERSION", "v0.1.0".into())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("unverified"), "{}", stderr(&out));
    assert!(!bin.exists());
}

#[test]
fn an_unknown_version_is_an_error_that_names_it() {
    let release = Release::new();
    let (out, bin) = release.install(&[("PIPEGUARD_VERSION", "v9.9.9".into())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is v9.9.9 a release"),
        "{}",
        stderr(&out)
    );
    assert!(!bin.exists());
}

#[test]
fn the_checksum_file_is_in_sha256sum_format() {
    let release = Release::new();
    let text = std::fs::read_to_string(release.asset_path().with_extension("gz.sha256")).unwrap();
    let (digest, name) = text.trim_end().split_once("  ").unwrap();
    assert_eq!(name, release.asset);
    assert_eq!(digest.len(), 64);
    assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
    // The archive holds one directory with the three programs.
    let list = Command::new("tar")
        .arg("-tzf")
        .arg(release.asset_path())
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    let dir = release.asset.trim_end_matches(".tar.gz");
    for program in ["pipeguard", "pipeguard-hook", "pipeguard-action"] {
        assert!(list.contains(&format!("{dir}/{program}\n")), "{list}");
    }
}
