//! The policy engine: insecure IAM, S3, KMS, trust and pipeline configuration.
//!
//! Documents (policy JSON, CloudFormation JSON/YAML, Terraform HCL, buildspec, GitHub workflows) are
//! found by content, parsed into one model with source spans, and run through the checks in
//! `checks/`. The engine knows no git and no config: [`scan`] takes a path and bytes, and returns
//! hits with exact lines; the scanner turns hits into findings and applies suppression.

use crate::finding::Severity;

pub(crate) mod checks;
mod doc;
mod hcl;
mod iam;
mod json;
mod model;
mod node;
mod semantics;
mod yaml;

use aho_corasick::AhoCorasick;
use doc::{Doc, Format};
use memchr::memmem::Finder;
use node::Node;
use std::sync::OnceLock;

/// Metadata and docs of one policy check.
#[derive(Debug, Clone, Copy)]
pub struct CheckInfo {
    /// Stable id, e.g. `AUTHZ-001`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    pub severity: Severity,
    /// Formats the check covers, e.g. `J, CFN, TF`.
    pub formats: &'static str,
    /// Markdown with the headings: What it does / Why is this bad? / Example / Use instead / References.
    pub docs: &'static str,
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyHit {
    pub check_id: &'static str,
    /// 1-based line and column of the offending statement or property.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// What is wrong and what to write instead.
    pub message: String,
    /// A symbolic, line-independent location (`Resources.Bucket.Properties.PolicyDocument.Statement[0]`)
    /// used in the fingerprint so that baselines survive line moves.
    pub anchor: String,
    /// Where the literal secret the hit is about is written (1-based, byte columns, end
    /// exclusive), so that every output redacts it.
    pub secret: Option<Region>,
}

/// A region of a file: 1-based lines, 1-based byte columns, the end column exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// How the checks ask the secret engine whether a literal value holds a secret it recognises
/// (so that its allowlists, stopwords and validators apply to the policy checks too).
pub type Secrets<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// What [`scan`] returns for one file.
#[derive(Debug, Default)]
pub struct PolicyOutcome {
    pub hits: Vec<PolicyHit>,
    /// Non-fatal problems, e.g. a template that does not parse.
    pub diagnostics: Vec<String>,
}

/// Every policy check, in id order.
pub fn checks() -> &'static [CheckInfo] {
    static INFOS: OnceLock<Vec<CheckInfo>> = OnceLock::new();
    INFOS.get_or_init(|| checks::CHECKS.iter().map(|c| *c.info()).collect())
}

/// Scan one file, asking the built-in secret rules (with the default allowlist) about literal
/// values. Cheap for files that are not policy documents.
pub fn scan(path: &str, bytes: &[u8]) -> PolicyOutcome {
    scan_only(path, bytes, None)
}

/// Scan with a single check (used by the check tests), with the default secret engine.
#[doc(hidden)]
pub fn scan_only(path: &str, bytes: &[u8], only: Option<&str>) -> PolicyOutcome {
    scan_with(path, bytes, only, &default_secrets)
}

/// The built-in rules and the default allowlist, for callers without a [`crate::Scanner`].
fn default_secrets(value: &str) -> bool {
    static SCANNER: OnceLock<Option<crate::scan::Scanner>> = OnceLock::new();
    SCANNER
        .get_or_init(|| crate::scan::Scanner::new(crate::Config::default()).ok())
        .as_ref()
        .is_some_and(|s| s.recognises_secret(value.as_bytes()))
}

/// Scan one file (or, with `only`, run one check), asking `secrets` about literal values.
pub fn scan_with(
    path: &str,
    bytes: &[u8],
    only: Option<&str>,
    secrets: Secrets<'_>,
) -> PolicyOutcome {
    let mut out = PolicyOutcome::default();
    let Some(sniff) = sniff(path, bytes) else {
        return out;
    };
    let Ok(src) = std::str::from_utf8(bytes) else {
        if sniff.strong {
            out.diagnostics
                .push("not valid UTF-8; policy checks skipped".to_string());
        }
        return out;
    };
    let mut diags = Vec::new();
    let docs = parse(&sniff, src, &mut diags);
    for d in &docs {
        checks::run(d, only, secrets, &mut out.hits);
    }
    if sniff.strong || !docs.is_empty() {
        out.diagnostics.extend(diags);
    }
    out.hits.sort_by(|a, b| {
        (a.line, a.column, a.check_id, &a.anchor).cmp(&(b.line, b.column, b.check_id, &b.anchor))
    });
    out.hits
        .dedup_by(|a, b| a.check_id == b.check_id && a.line == b.line && a.message == b.message);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
    Hcl,
}

struct Sniff {
    syntax: Syntax,
    /// The file is surely meant to be one of our formats: report parse errors.
    strong: bool,
}

const MARKERS: &[&str] = &[
    "\"Statement\"",            // 0
    "AWSTemplateFormatVersion", // 1
    "\"Resources\"",            // 2
    "Resources:",               // 3
    "resource \"aws_",          // 4
    "provider \"aws\"",         // 5
    "data \"aws_",              // 6
    "backend \"s3\"",           // 7
    "phases:",                  // 8
    "jobs:",                    // 9
    "Statement:",               // 10
];

/// Markers that make a `.json` file a policy or CloudFormation document (when it is an object).
const JSON_MARKERS: &[usize] = &[0, 1, 2];
/// Markers of Terraform.
const TF_MARKERS: &[usize] = &[4, 5, 6, 7];

/// The automaton over every marker, for files that may be any of our formats.
fn markers() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(MARKERS).expect("static patterns"))
}

/// Whether `bytes` holds one of some [`MARKERS`]: `.json` and `.tf` files only need to know
/// that, so each marker is looked for on its own with a vectorised substring search, stopping at
/// the first found. (An automaton over the small set picks a poor prefilter, `"`, and the full
/// one has false starts on every `"properties"` and `"data"` of a JSON schema.)
fn has_marker(bytes: &[u8], set: &[usize]) -> bool {
    static FINDERS: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| MARKERS.iter().map(Finder::new).collect());
    set.iter().any(|&i| finders[i].find(bytes).is_some())
}

/// Which of the [`MARKERS`] `bytes` holds, as bits.
fn found_markers(bytes: &[u8]) -> u32 {
    let mut found = 0u32;
    for m in markers().find_iter(bytes) {
        found |= 1 << m.pattern().as_usize();
    }
    found
}

/// Decide from the name and a byte scan whether a file can hold one of our documents.
fn sniff(path: &str, bytes: &[u8]) -> Option<Sniff> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = match name.rsplit_once('.') {
        Some((stem, e)) if !stem.is_empty() => e,
        _ => "",
    };
    let is = |e: &str| ext.eq_ignore_ascii_case(e);
    if ![
        "json", "yaml", "yml", "template", "tf", "hcl", "txt", "cfn", "policy", "",
    ]
    .iter()
    .any(|e| is(e))
    {
        return None;
    }
    let first = || {
        bytes
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
    };
    if is("tf") || is("hcl") {
        return has_marker(bytes, TF_MARKERS).then_some(Sniff {
            syntax: Syntax::Hcl,
            strong: is("tf"),
        });
    }
    if is("json") {
        // Nothing but an object with a JSON marker (YAML and Terraform need other extensions).
        let json = first() == Some(b'{') && has_marker(bytes, JSON_MARKERS);
        return json.then_some(Sniff {
            syntax: Syntax::Json,
            strong: true,
        });
    }
    let found = found_markers(bytes);
    if found == 0 {
        return None;
    }
    let has = |i: usize| found & (1 << i) != 0;
    let tf_markers = TF_MARKERS.iter().any(|&i| has(i));
    if first() == Some(b'{') && JSON_MARKERS.iter().any(|&i| has(i)) {
        return Some(Sniff {
            syntax: Syntax::Json,
            strong: has(1),
        });
    }
    if has(1) || has(3) || has(8) || has(9) || has(10) {
        let in_workflows = path.replace('\\', "/").contains(".github/workflows/");
        let buildspec = name
            .get(..9)
            .is_some_and(|s| s.eq_ignore_ascii_case("buildspec"));
        return Some(Sniff {
            syntax: Syntax::Yaml,
            strong: has(1) || buildspec || (in_workflows && has(9)),
        });
    }
    if tf_markers && (is("") || is("txt")) {
        return Some(Sniff {
            syntax: Syntax::Hcl,
            strong: false,
        });
    }
    None
}

fn parse(sniff: &Sniff, src: &str, diags: &mut Vec<String>) -> Vec<Doc> {
    let lines = || src.lines().collect::<Vec<&str>>();
    match sniff.syntax {
        Syntax::Hcl => match hcl::parse(src) {
            Ok(blocks) => vec![doc::tf(blocks, &lines(), diags)],
            Err(e) => {
                diags.push(format!(
                    "{e} (Terraform parse error; policy checks skipped)"
                ));
                Vec::new()
            }
        },
        // The outline first: most JSON files with a marker somewhere are no document of ours.
        Syntax::Json => match json::outline(src).and_then(|o| match kind_of(&o) {
            Some(_) => json::parse(src).map(Some),
            None => Ok(None),
        }) {
            Ok(Some(mut root)) => {
                node::fold_intrinsics(&mut root, 0);
                classify(root, &lines(), diags).into_iter().collect()
            }
            Ok(None) => Vec::new(),
            Err(e) => {
                diags.push(format!("{e} (JSON parse error; policy checks skipped)"));
                Vec::new()
            }
        },
        Syntax::Yaml => match yaml::parse(src) {
            Ok(roots) => {
                let lines = lines();
                roots
                    .into_iter()
                    .filter_map(|r| classify(r, &lines, diags))
                    .collect()
            }
            Err(e) => {
                diags.push(format!("{e} (YAML parse error; policy checks skipped)"));
                Vec::new()
            }
        },
    }
}

/// The promise of [`json::outline`], checked (for fuzzing and tests): it fails exactly where the
/// full parse fails, with the same error, and when the full parse makes a document of the text,
/// the outline tells the same kind. Panics when it is broken.
#[doc(hidden)]
pub fn check_json_outline(src: &str) {
    match (json::outline(src), json::parse(src)) {
        (Ok(outline), Ok(mut full)) => {
            node::fold_intrinsics(&mut full, 0);
            let (o, f) = (kind_of(&outline), kind_of(&full));
            // The outline may err towards a full parse only (an intrinsic folded a shape away).
            assert!(
                o == f || f.is_none(),
                "outline says {o:?}, full parse {f:?}"
            );
        }
        (Err(o), Err(f)) => assert_eq!(o.to_string(), f.to_string()),
        (o, f) => panic!("outline {:?}, full parse {:?}", o.err(), f.err()),
    }
}

/// What a parsed JSON or YAML document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cfn,
    Policy,
    Buildspec,
    Workflow,
}

/// What a document is, by content: only the root's keys and each resource's `Type` count
/// (`json::outline` keeps just those).
fn kind_of(root: &Node) -> Option<Kind> {
    root.as_map()?;
    let cfn = root.get("AWSTemplateFormatVersion").is_some()
        || root
            .get("Resources")
            .and_then(Node::as_map)
            .is_some_and(|m| m.iter().any(|(_, v)| v.get("Type").is_some()));
    if cfn {
        Some(Kind::Cfn)
    } else if root.get_ci("Statement").is_some() {
        Some(Kind::Policy)
    } else if root.get("phases").is_some_and(|p| p.as_map().is_some()) {
        Some(Kind::Buildspec)
    } else if root.get("jobs").is_some_and(|p| p.as_map().is_some())
        && (root.get("on").is_some() || root.get("true").is_some())
    {
        Some(Kind::Workflow)
    } else {
        None
    }
}

/// The document a parsed JSON or YAML root is, if any.
fn classify(root: Node, lines: &[&str], diags: &mut Vec<String>) -> Option<Doc> {
    Some(match kind_of(&root)? {
        Kind::Cfn => doc::cfn(root, lines, diags),
        Kind::Policy => doc::raw_policy(root, diags),
        Kind::Buildspec => doc::plain(Format::Buildspec, root),
        Kind::Workflow => doc::plain(Format::Workflow, root),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(path: &str, text: &str) -> Option<(Syntax, bool)> {
        sniff(path, text.as_bytes()).map(|s| (s.syntax, s.strong))
    }

    /// The kind a JSON text's full parse tells, after checking what its outline tells.
    fn kind(text: &str) -> Option<Kind> {
        check_json_outline(text);
        let mut full = json::parse(text).unwrap();
        node::fold_intrinsics(&mut full, 0);
        kind_of(&full)
    }

    #[test]
    fn a_json_outline_tells_what_the_full_parse_tells() {
        let pad = format!(
            "\"pad\": {{\"Resources\": [\"{}\"], \"x\": {{\"Type\": 1}}}}",
            "y".repeat(5000)
        );
        let cases = [
            (
                r#"{"AWSTemplateFormatVersion": "2010-09-09"}"#.to_string(),
                Some(Kind::Cfn),
            ),
            (
                format!(
                    r#"{{{pad}, "Resources": {{"B": {{"Properties": {{}}, "Type": "AWS::S3::Bucket"}}}}}}"#
                ),
                Some(Kind::Cfn),
            ),
            (
                r#"{"Version": "2012-10-17", "statement": [{"Effect": "Allow"}]}"#.to_string(),
                Some(Kind::Policy),
            ),
            (
                r#"{"version": 0.2, "phases": {"build": {"commands": ["make"]}}}"#.to_string(),
                Some(Kind::Buildspec),
            ),
            (
                r#"{"on": "push", "jobs": {"a": {"runs-on": "x"}}}"#.to_string(),
                Some(Kind::Workflow),
            ),
            (
                r#"{"true": ["push"], "jobs": {}}"#.to_string(),
                Some(Kind::Workflow),
            ),
            // Controls: the markers below the root, resources without a type, the wrong shapes.
            (format!("{{{pad}}}"), None),
            (
                r#"{"Resources": {"B": {"Properties": {"Type": "x"}}}}"#.to_string(),
                None,
            ),
            (r#"{"Resources": ["Type"]}"#.to_string(), None),
            (r#"{"phases": ["build"], "jobs": {}}"#.to_string(), None),
            (
                r#"{"jobs": {"Fn::Sub": "x"}, "on": "push"}"#.to_string(),
                None,
            ),
            (r#"[{"Statement": []}]"#.to_string(), None),
            ("{\"s\\u0074atement\": []}".to_string(), Some(Kind::Policy)),
        ];
        for (text, want) in &cases {
            assert_eq!(kind(text), *want, "{text}");
        }
        // The outline errs towards a full parse: an intrinsic can fold a shape away.
        let folded = r#"{"jobs": {"Fn::Sub": "x"}, "on": "push"}"#;
        assert_eq!(
            kind_of(&json::outline(folded).unwrap()),
            Some(Kind::Workflow)
        );
        // Every JSON fixture of the policy checks.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy");
        let mut seen = 0;
        for check in std::fs::read_dir(dir).unwrap() {
            let check = check.unwrap().path();
            if !check.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(check).unwrap() {
                let path = f.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let outline = kind_of(&json::outline(&text).unwrap());
                    assert!(outline.is_some(), "{}", path.display());
                    assert_eq!(outline, kind(&text), "{}", path.display());
                    seen += 1;
                }
            }
        }
        assert!(seen > 20, "{seen} JSON fixtures");
    }

    #[test]
    fn a_json_outline_reports_the_errors_of_the_full_parse() {
        for bad in [
            "{\"a\": }",
            "{\"Resources\": {\"B\": [1,]}}",
            "{\"x\": \"a\nb\"}",
            "{} x",
            "{\"k\": tru}",
        ] {
            let (o, f) = (
                json::outline(bad).unwrap_err(),
                json::parse(bad).unwrap_err(),
            );
            assert_eq!(o.to_string(), f.to_string(), "{bad}");
        }
    }

    #[test]
    fn json_files_are_objects_with_a_json_marker_anywhere() {
        let late = format!(
            "{{\"pad\": \"{}\", \"Resources\": {{}}}}",
            "x".repeat(100_000)
        );
        assert_eq!(sniffed("a/t.json", &late), Some((Syntax::Json, true)));
        assert_eq!(
            sniffed("P.JSON", "\n {\"Statement\": []}"),
            Some((Syntax::Json, true))
        );
        // Controls: an array, an object without a JSON marker, YAML and Terraform markers.
        assert_eq!(sniffed("t.json", "[{\"Statement\": []}]"), None);
        assert_eq!(sniffed("t.json", "{\"properties\": {\"data\": 1}}"), None);
        assert_eq!(sniffed("t.json", "{\"k\": \"Resources: jobs:\"}"), None);
        assert_eq!(sniffed("t.json", "{\"k\": \"provider \\\"aws\\\"\"}"), None);
    }

    #[test]
    fn terraform_files_need_a_terraform_marker() {
        let tf = "variable \"x\" {}\nresource \"aws_s3_bucket\" \"b\" {}\n";
        assert_eq!(sniffed("main.tf", tf), Some((Syntax::Hcl, true)));
        assert_eq!(sniffed("main.HCL", tf), Some((Syntax::Hcl, false)));
        assert_eq!(sniffed("notes.txt", tf), Some((Syntax::Hcl, false)));
        // Controls: Terraform without AWS, and a marker in a file of another kind.
        assert_eq!(sniffed("main.tf", "resource \"google_x\" \"b\" {}\n"), None);
        assert_eq!(sniffed("main.tf", "Resources:\n  B: {}\n"), None);
        assert_eq!(sniffed("main.rs", tf), None);
    }

    #[test]
    fn other_files_are_sniffed_by_every_marker() {
        assert_eq!(
            sniffed(
                "t.template",
                "{\"AWSTemplateFormatVersion\": \"2010-09-09\"}"
            ),
            Some((Syntax::Json, true))
        );
        assert_eq!(
            sniffed("t.yaml", "{\"Resources\": {}}"),
            Some((Syntax::Json, false))
        );
        assert_eq!(
            sniffed("t.yml", "Resources:\n  B: {}\n"),
            Some((Syntax::Yaml, false))
        );
        assert_eq!(
            sniffed("BuildSpec.yml", "phases:\n  build: {}\n"),
            Some((Syntax::Yaml, true))
        );
        assert_eq!(
            sniffed(".github/workflows/ci.yml", "on: push\njobs:\n  a: {}\n"),
            Some((Syntax::Yaml, true))
        );
        assert_eq!(
            sniffed("ci.yml", "on: push\njobs:\n  a: {}\n"),
            Some((Syntax::Yaml, false))
        );
        // Controls: no marker at all; a Terraform marker in YAML.
        assert_eq!(sniffed("t.yml", "a: 1\n"), None);
        assert_eq!(sniffed("t.yml", "x: 'provider \"aws\"'\n"), None);
    }
}
