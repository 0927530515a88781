//! Every policy check tests itself: the code blocks under `## Example` in its docs must produce a
//! hit of that check, the ones under `## Use instead` must not. Every check file must be
//! registered, and every registered check must follow the docs layout.

use pipeguard_core::policy::{checks, scan_only};
use std::collections::BTreeSet;

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## References",
];

/// Code blocks of one section: (file name to scan it as, code).
fn blocks(docs: &str, heading: &str) -> Vec<(String, String)> {
    let start = docs.find(heading).expect("heading") + heading.len();
    let end = docs[start..]
        .find("\n## ")
        .map(|i| start + i)
        .unwrap_or(docs.len());
    let section = &docs[start..end];
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(i) = rest.find("```") {
        let after = &rest[i + 3..];
        let nl = after.find('\n').expect("fence line");
        let info = after[..nl].trim();
        let body_start = nl + 1;
        let close = after[body_start..].find("```").expect("closing fence");
        let code = after[body_start..body_start + close].to_string();
        let mut parts = info.split_whitespace();
        let lang = parts.next().unwrap_or("");
        let name = parts.next().map(str::to_string).unwrap_or_else(|| {
            match lang {
                "json" => "policy.json",
                "hcl" | "terraform" => "main.tf",
                _ => "template.yaml",
            }
            .to_string()
        });
        out.push((name, code));
        rest = &after[body_start + close + 3..];
    }
    out
}

#[test]
fn every_check_has_docs_with_working_examples() {
    let mut failures = Vec::new();
    for c in checks() {
        for h in HEADINGS {
            if !c.docs.contains(h) {
                failures.push(format!("{}: docs lack `{h}`", c.id));
            }
        }
        if failures.iter().any(|f| f.starts_with(c.id)) {
            continue;
        }
        let examples = blocks(c.docs, "## Example");
        let fixes = blocks(c.docs, "## Use instead");
        if examples.is_empty() || fixes.is_empty() {
            failures.push(format!(
                "{}: Example and Use instead need code blocks",
                c.id
            ));
        }
        for (name, code) in &examples {
            let out = scan_only(name, code.as_bytes(), Some(c.id));
            if !out.diagnostics.is_empty() {
                failures.push(format!(
                    "{}: Example does not parse: {:?}",
                    c.id, out.diagnostics
                ));
            }
            if !out.hits.iter().any(|h| h.check_id == c.id) {
                failures.push(format!("{}: Example ({name}) produces no hit", c.id));
            }
        }
        for (name, code) in &fixes {
            let out = scan_only(name, code.as_bytes(), Some(c.id));
            if !out.diagnostics.is_empty() {
                failures.push(format!(
                    "{}: Use instead does not parse: {:?}",
                    c.id, out.diagnostics
                ));
            }
            for h in out.hits.iter().filter(|h| h.check_id == c.id) {
                failures.push(format!(
                    "{}: Use instead ({name}) still hits at line {}: {}",
                    c.id, h.line, h.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_check_file_is_registered_and_ids_are_unique() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy/checks");
    let ids: BTreeSet<String> = checks().iter().map(|c| c.id.to_string()).collect();
    assert_eq!(ids.len(), checks().len(), "duplicate check ids");
    let mut files = BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        if stem == "mod" {
            continue;
        }
        files.insert(stem.to_ascii_uppercase().replace('_', "-"));
    }
    let unregistered: Vec<_> = files.difference(&ids).collect();
    assert!(
        unregistered.is_empty(),
        "check files not in the registry: {unregistered:?}"
    );
    let fileless: Vec<_> = ids.difference(&files).collect();
    assert!(
        fileless.is_empty(),
        "registered checks without their own file: {fileless:?}"
    );
    assert_eq!(checks().len(), 50);
    let order: Vec<&str> = checks().iter().map(|c| c.id).collect();
    for c in checks() {
        assert!(!c.title.is_empty() && !c.formats.is_empty(), "{}", c.id);
    }
    assert_eq!(order.first(), Some(&"AUTHN-001"));
}
