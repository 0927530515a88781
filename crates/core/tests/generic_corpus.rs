//! Recall and precision of the whole catalogue on a labelled corpus of credential shapes.
//!
//! `tests/fixtures/generic/` holds files in the shapes real code leaks credentials in (suffixed
//! names, unquoted INI/YAML values, JSON-escaped strings, C constants, XML, ADO.NET/JDBC, compose,
//! Kubernetes `stringData`, `otpauth://`, JSON Web Keys, provider tokens) next to lines that must
//! stay silent (references, templates, ARM expressions, UI strings, hashes, UUIDs, placeholder AWS
//! key ids, token endpoints). `labels.csv` lists the lines holding a secret (leaky-repo's format,
//! so `benches/score_leaky.py --corpus … --labels …` scores a binary the same way). Every other
//! line is a negative: a finding on it is a false positive.

use pipeguard_core::config::Config;
use pipeguard_core::scan::Scanner;
use std::collections::BTreeSet;
use std::path::Path;

const RECALL_FLOOR: f64 = 0.90;
const PRECISION_FLOOR: f64 = 0.95;

fn files(dir: &Path, root: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, root, out);
        } else {
            out.push(
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

struct Score {
    risk: BTreeSet<(String, usize)>,
    found: BTreeSet<(String, usize)>,
    findings: usize,
    false_positives: Vec<String>,
}

fn score(scanner: &Scanner) -> Score {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generic");
    let labels = std::fs::read_to_string(root.join("labels.csv")).unwrap();
    let mut risk = BTreeSet::new();
    for row in labels.lines().skip(1) {
        let cols: Vec<&str> = row.split(',').collect();
        if cols.get(4) == Some(&"risk") {
            risk.insert((cols[0].to_string(), cols[1].parse::<usize>().unwrap()));
        }
    }
    let mut all = Vec::new();
    files(&root, &root, &mut all);
    all.sort();
    let (mut found, mut findings, mut false_positives) = (BTreeSet::new(), 0, Vec::new());
    for file in all.iter().filter(|f| *f != "labels.csv") {
        let bytes = std::fs::read(root.join(file)).unwrap();
        for f in scanner.scan_bytes(file, &bytes).findings {
            findings += 1;
            let hit: Vec<_> = (f.line..=f.end_line)
                .map(|l| (file.clone(), l))
                .filter(|k| risk.contains(k))
                .collect();
            if hit.is_empty() {
                false_positives.push(format!("{file}:{} {} {}", f.line, f.rule_id, f.excerpt));
            }
            found.extend(hit);
        }
    }
    Score {
        risk,
        found,
        findings,
        false_positives,
    }
}

#[test]
fn catalogue_finds_the_labelled_credentials_and_little_else() {
    let scanner = Scanner::new(Config::default()).unwrap();
    let s = score(&scanner);
    let recall = s.found.len() as f64 / s.risk.len() as f64;
    let precision = (s.findings - s.false_positives.len()) as f64 / s.findings.max(1) as f64;
    let missed: Vec<_> = s.risk.difference(&s.found).collect();
    eprintln!(
        "generic corpus: {} labelled, {} found (recall {recall:.3}); {} findings, {} false (precision {precision:.3})",
        s.risk.len(),
        s.found.len(),
        s.findings,
        s.false_positives.len()
    );
    assert!(s.risk.len() >= 60, "the corpus lost its labels");
    assert!(
        recall >= RECALL_FLOOR,
        "recall {recall:.3} < {RECALL_FLOOR}; missed: {missed:#?}"
    );
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {precision:.3} < {PRECISION_FLOOR}; false positives: {:#?}",
        s.false_positives
    );
}

#[test]
fn corpus_score_depends_on_the_rules() {
    // Control: with the generic rules off, recall on the generic shapes drops below the floor, so
    // the test above measures the rules and not the fixture layout.
    let mut config = Config::default();
    let generic: Vec<String> = pipeguard_core::secrets::builtin_rules()
        .unwrap()
        .into_iter()
        .map(|(r, _)| r.id)
        .filter(|id| id.starts_with("generic-"))
        .collect();
    config.disabled.extend(generic);
    let s = score(&Scanner::new(config).unwrap());
    assert!(
        (s.found.len() as f64) < RECALL_FLOOR * s.risk.len() as f64,
        "without generic rules {} of {} still found",
        s.found.len(),
        s.risk.len()
    );
}
