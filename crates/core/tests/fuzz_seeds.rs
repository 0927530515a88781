//! The fuzz targets (`fuzz/src/lib.rs`) over their seed corpus (`fuzz/corpus/<target>/`), on
//! stable, so that CI runs every target's code without a nightly toolchain. Each test also checks
//! that its seeds reach the code they are there for (configs load, insecure policies hit, secrets
//! are found), so a seed directory that rots into noise fails here.

#[path = "../../../fuzz/src/lib.rs"]
mod targets;

use pipeguard_core::{policy, Config, Scanner};
use std::path::{Path, PathBuf};

/// The seed files of one target, sorted by name.
fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{target}: no seeds in {}", dir.display());
    out
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 seed")
}

#[test]
fn config_seeds_load_and_run() {
    for (path, bytes) in seeds("config") {
        Config::parse(Path::new(".pipeguard.toml"), text(&bytes))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        targets::config(&bytes);
    }
    // Control: a config the loader rejects goes through the target as an error, not a panic.
    assert!(Config::parse(Path::new(".pipeguard.toml"), "version = 2").is_err());
    targets::config(b"version = 2");
}

#[test]
fn gitleaks_seeds_convert_and_run() {
    let mut converted = 0;
    for (path, bytes) in seeds("gitleaks") {
        let t = text(&bytes);
        if pipeguard_core::config::gitleaks::looks_like_gitleaks(&path, t) {
            let cfg = pipeguard_core::config::gitleaks::convert(&path, t, Config::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!cfg.custom_rules.is_empty(), "{}", path.display());
            converted += 1;
        } else {
            assert!(
                !pipeguard_core::config::gitleaks::parse_ignore(t).is_empty(),
                "{}: neither a config nor an ignore file",
                path.display()
            );
        }
        targets::gitleaks(&bytes);
    }
    assert!(converted > 0, "at least one gitleaks config seed");
}

/// Runs a policy target over its seeds; at least one seed must hit a check as `as_path`.
fn policy_seeds(target: &str, as_path: &str, run: fn(&[u8])) {
    let mut hits = 0;
    for (_, bytes) in seeds(target) {
        hits += policy::scan(as_path, &bytes).hits.len();
        run(&bytes);
    }
    assert!(hits > 0, "{target}: no seed hits a policy check");
}

#[test]
fn policy_json_seeds_run() {
    policy_seeds("policy_json", "x.json", targets::policy_json);
}

#[test]
fn policy_yaml_seeds_run() {
    policy_seeds("policy_yaml", "template.yaml", targets::policy_yaml);
}

#[test]
fn policy_hcl_seeds_run() {
    policy_seeds("policy_hcl", "main.tf", targets::policy_hcl);
}

#[test]
fn decode_seeds_decode() {
    for (path, bytes) in seeds("decode") {
        let mut budget = pipeguard_core::secrets::decode::MAX_DECODED_PER_BLOB;
        let segments = pipeguard_core::secrets::decode::segments(&bytes, &mut budget);
        assert!(!segments.is_empty(), "{}: nothing decodes", path.display());
        targets::decode(&bytes);
    }
}

#[test]
fn secrets_seeds_find_secrets() {
    let scanner = Scanner::new(Config::default()).unwrap();
    let mut found = 0;
    for (path, bytes) in seeds("secrets") {
        found += scanner
            .scan_bytes(&path.display().to_string(), &bytes)
            .findings
            .len();
        targets::secrets(&bytes);
    }
    assert!(found > 0, "no seed holds a secret the defaults find");
}

#[test]
fn redaction_seeds_run() {
    for (_, bytes) in seeds("redaction") {
        targets::redaction(&bytes);
    }
}
