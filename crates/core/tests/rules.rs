//! The secret catalogue tests itself: every built-in rule's examples run through the full engine
//! with only that rule enabled, and the catalogue is linted.

use pipeguard_core::config::Config;
use pipeguard_core::secrets::{builtin_rules, check::check_catalog};

#[test]
fn every_builtin_rule_passes_its_own_examples() {
    let rules = builtin_rules().expect("built-in rule files parse");
    let problems = check_catalog(&rules, &Config::default());
    if !problems.is_empty() {
        let mut msg = format!("{} problem(s) in the secret catalogue:\n", problems.len());
        for (id, loc, p) in &problems {
            msg.push_str(&format!("  {loc}: {id}: {p}\n"));
        }
        panic!("{msg}");
    }
}

#[test]
fn catalogue_is_large_and_documented() {
    let rules = builtin_rules().unwrap();
    assert!(rules.len() >= 60, "only {} rules", rules.len());
    for (r, _) in &rules {
        assert!(
            !r.keywords.is_empty(),
            "{} has no keywords: it would run on every file",
            r.id
        );
        assert!(
            !r.references.is_empty() || r.id.starts_with("generic-"),
            "{} has no references",
            r.id
        );
    }
}

/// The hook builds rules' regexes without prefilters (`Scanner::tune_for_small_inputs`): that
/// must change the cost only, never what is found. Every rule's examples and negative examples,
/// each alone at its rule's example path and all of a file's together, and the labelled corpus.
#[test]
fn light_regexes_find_exactly_what_full_ones_find() {
    use pipeguard_core::scan::Scanner;
    use pipeguard_core::secrets::check::example_path;
    let full = Scanner::new(Config::default()).unwrap();
    let mut light = Scanner::new(Config::default()).unwrap();
    light.tune_for_small_inputs();
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let rules = builtin_rules().unwrap();
    for (rule, _) in &rules {
        let path = example_path(rule);
        for ex in rule.examples.iter().chain(&rule.negative_examples) {
            inputs.push((path.clone(), ex.clone().into_bytes()));
        }
        let all = rule.examples.join("\n") + "\n" + &rule.negative_examples.join("\n");
        inputs.push((path, all.into_bytes()));
    }
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generic");
    for e in std::fs::read_dir(&corpus).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            inputs.push((name, std::fs::read(&p).unwrap()));
        }
    }
    let found = |s: &Scanner| -> Vec<String> {
        let mut v = Vec::new();
        for (path, bytes) in &inputs {
            for f in s.scan_bytes(path, bytes).findings {
                v.push(format!(
                    "{path}:{}:{} {} {:?}",
                    f.line, f.column, f.rule_id, f.secret
                ));
            }
        }
        v
    };
    let (a, b) = (found(&full), found(&light));
    assert!(
        a.len() > rules.len(),
        "control: the inputs hold findings ({})",
        a.len()
    );
    assert_eq!(a, b);
}
