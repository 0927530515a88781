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
