//! The fixture corpus: `tests/fixtures/policy/<check-id>/{insecure,secure}.<format>` for every check
//! and every format it covers. Insecure fixtures must produce a hit of their check (on a real line),
//! secure ones none; every file must parse. Written by `tests/fixtures/policy/gen.py`; also what
//! `benches/policy-vs-checkov.sh` compares against checkov.

use pipeguard_core::policy::{checks, scan, scan_only};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Format code of a fixture file, as used in the checks' `formats` field.
fn format_of(name: &str) -> Option<&'static str> {
    if name.ends_with(".cfn.yaml") || name.ends_with(".cfn.json") {
        Some("CFN")
    } else if name.ends_with(".json") {
        Some("J")
    } else if name.ends_with(".tf") {
        Some("TF")
    } else if name.ends_with(".buildspec.yml") {
        Some("BS")
    } else if name.ends_with(".workflow.yml") {
        Some("GHA")
    } else {
        None
    }
}

#[test]
fn fixtures_fire_and_stay_quiet_and_cover_every_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy");
    let ids: BTreeSet<&str> = checks().iter().map(|c| c.id).collect();
    let mut failures = Vec::new();
    // (check, format) -> kinds present
    let mut seen: BTreeMap<(String, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let id = dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_ascii_uppercase();
        if !ids.contains(id.as_str()) {
            failures.push(format!("{}: not a check id", dir.display()));
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let path = f.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let Some(fmt) = format_of(&name) else {
                continue;
            };
            let kind = if name.starts_with("insecure.") {
                "insecure"
            } else if name.starts_with("secure.") {
                "secure"
            } else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap();
            let rel = format!("{}/{name}", id.to_ascii_lowercase());
            let out = scan_only(&rel, &bytes, Some(&id));
            if !out.diagnostics.is_empty() {
                failures.push(format!("{rel}: {:?}", out.diagnostics));
            }
            let hits: Vec<_> = out.hits.iter().filter(|h| h.check_id == id).collect();
            let lines = std::str::from_utf8(&bytes).unwrap().lines().count();
            match kind {
                "insecure" if hits.is_empty() => failures.push(format!("{rel}: no {id} hit")),
                "secure" if !hits.is_empty() => failures.push(format!(
                    "{rel}: unexpected {id} hit at line {}: {}",
                    hits[0].line, hits[0].message
                )),
                _ => {}
            }
            for h in &hits {
                if h.line == 0 || h.line > lines || h.anchor.is_empty() {
                    failures.push(format!(
                        "{rel}: hit at bad line {} / anchor {:?}",
                        h.line, h.anchor
                    ));
                }
            }
            // The full scan must agree with the single-check scan.
            let all = scan(&rel, &bytes);
            if all.hits.iter().filter(|h| h.check_id == id).count() != hits.len() {
                failures.push(format!("{rel}: full scan and single-check scan disagree"));
            }
            seen.entry((id.clone(), fmt)).or_default().insert(kind);
        }
    }
    // Coverage: both kinds for every format each check declares.
    let mut per_format: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in checks() {
        for fmt in c.formats.split(',').map(str::trim) {
            let entry = per_format.entry(fmt).or_default();
            entry.1 += 1;
            let kinds = seen.get(&(c.id.to_string(), fmt));
            if kinds.is_some_and(|k| k.len() == 2) {
                entry.0 += 1;
            } else {
                failures.push(format!(
                    "{}: no insecure+secure fixture pair for {fmt}",
                    c.id
                ));
            }
        }
    }
    for (fmt, (both, total)) in &per_format {
        println!("fixture coverage {fmt}: {both}/{total} checks have insecure and secure fixtures");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn truncated_and_mangled_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy");
    let mut n = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let path = f.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let bytes = std::fs::read(&path).unwrap();
            for cut in (0..bytes.len()).step_by(11) {
                let _ = scan(&name, &bytes[..cut]);
                let mut mangled = bytes.clone();
                mangled[cut] = match mangled[cut] {
                    b'{' => b'[',
                    b'"' => b'\'',
                    b' ' => b'\t',
                    b'\n' => b':',
                    _ => b'*',
                };
                let _ = scan(&name, &mangled);
                n += 2;
            }
        }
    }
    assert!(n > 1000);
}
