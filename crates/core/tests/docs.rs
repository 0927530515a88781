//! The committed `docs/rules/` must match what the catalogue generates.
//! `UPDATE_DOCS=1 cargo test -p pipeguard-core --test docs` rewrites them.

use std::path::Path;

#[test]
fn committed_rule_docs_match_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let files = pipeguard_core::docs::rule_docs().expect("catalogue loads");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&root);
        for (rel, text) in &files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (rel, text) in &files {
        match std::fs::read_to_string(root.join(rel)) {
            Ok(on_disk) if &on_disk == text => {}
            _ => stale.push(rel.clone()),
        }
    }
    // Files that no longer correspond to a rule file.
    for entry in walk(&root) {
        let rel = entry
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !files.contains_key(&rel) {
            stale.push(format!("{rel} (no longer generated)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date: {stale:?}\nrun `UPDATE_DOCS=1 cargo test -p pipeguard-core --test docs`"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
