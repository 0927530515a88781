//! Nothing leaks: random synthetic secrets of several kinds, planted at random places of random
//! lines of every supported file type, never show (not even a 12-character piece) in any output
//! format with redaction on. The control run with redaction off shows them, so the check can fail.
//!
//! Seeded xorshift, no extra dependency; a failure prints the seed and the file.

use pipeguard_core::report::{self, github, Format};
use pipeguard_core::secrets::validate::base62_crc32;
use pipeguard_core::{Config, Report, Scanner};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const UPPER32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOWER_DIGITS: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A planted secret: the text inserted, and the strings that must never show.
struct Planted {
    kind: &'static str,
    text: String,
    /// One-line snippet (spliced into a line) or lines of their own (a PEM block).
    own_lines: bool,
    /// What must never show.
    secrets: Vec<String>,
}

impl Planted {
    /// What a finding's `secret` holds when the engine recognised this one (redaction off).
    fn recognised_as(&self) -> &str {
        &self.secrets[0]
    }
}

fn plant(rng: &mut Rng, one_line_file: bool) -> Planted {
    let kinds = [
        "aws-id",
        "aws-secret",
        "github",
        "password",
        "base64-github",
        "pem",
    ];
    let kind = *rng.pick(&kinds);
    let github = |rng: &mut Rng| {
        let body = rng.string(ALNUM, 30);
        format!("ghp_{body}{}", base62_crc32(body.as_bytes()))
    };
    let one = |kind, text: String, secret: String| Planted {
        kind,
        text,
        own_lines: false,
        secrets: vec![secret],
    };
    match kind {
        "aws-id" => {
            let id = format!("AKIA{}", rng.string(UPPER32, 16));
            one(kind, format!("aws_access_key_id={id}"), id)
        }
        "aws-secret" => {
            let s = rng.string(B64, 40);
            one(kind, format!("aws_secret_access_key = \"{s}\""), s)
        }
        "github" => {
            let t = github(rng);
            one(kind, format!("token {t}"), t)
        }
        "password" => {
            let len = 12 + rng.below(8);
            let p = rng.string(LOWER_DIGITS, len);
            one(kind, format!("password = \"{p}\""), p)
        }
        "base64-github" => {
            use base64::Engine as _;
            let t = github(rng);
            let enc = base64::engine::general_purpose::STANDARD.encode(format!("gh_token={t}"));
            Planted {
                kind,
                text: format!("blob: {enc}"),
                own_lines: false,
                secrets: vec![t, enc],
            }
        }
        _ => {
            let body: Vec<String> = (0..4).map(|_| rng.string(B64, 64)).collect();
            let pem = format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
                body.join("\n")
            );
            if one_line_file {
                Planted {
                    kind,
                    text: format!("\"key\": \"{}\"", pem.replace('\n', "\\n")),
                    own_lines: false,
                    secrets: body,
                }
            } else {
                Planted {
                    kind,
                    text: pem,
                    own_lines: true,
                    secrets: body,
                }
            }
        }
    }
}

/// Every supported file type: a path and template lines.
fn templates() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "app/.env",
            vec![
                "APP_ENV=production",
                "PORT=8080",
                "# settings",
                "LOG_LEVEL=debug",
                "DB_HOST=db.internal",
            ],
        ),
        (
            ".github/workflows/ci.yml",
            vec![
                "on: push",
                "jobs:",
                "  build:",
                "    runs-on: ubuntu-latest",
                "    env:",
                "      REGION: eu-west-1",
                "    steps:",
                "      - uses: actions/checkout@v4",
                "      - run: make test",
            ],
        ),
        (
            "infra/template.json",
            vec![
                "{",
                "  \"AWSTemplateFormatVersion\": \"2010-09-09\",",
                "  \"Resources\": {",
                "    \"Bucket\": {",
                "      \"Type\": \"AWS::S3::Bucket\",",
                "      \"Properties\": { \"BucketName\": \"data\" }",
                "    }",
                "  }",
                "}",
            ],
        ),
        (
            "infra/template.yaml",
            vec![
                "AWSTemplateFormatVersion: '2010-09-09'",
                "Resources:",
                "  Fn:",
                "    Type: AWS::Lambda::Function",
                "    Properties:",
                "      Runtime: python3.12",
                "      Environment:",
                "        Variables:",
                "          STAGE: prod",
            ],
        ),
        (
            "infra/main.tf",
            vec![
                "provider \"aws\" {",
                "  region = \"eu-west-1\"",
                "}",
                "resource \"aws_s3_bucket\" \"b\" {",
                "  bucket = \"data\"",
                "}",
            ],
        ),
        (
            "buildspec.yml",
            vec![
                "version: 0.2",
                "env:",
                "  variables:",
                "    STAGE: prod",
                "phases:",
                "  build:",
                "    commands:",
                "      - make build",
            ],
        ),
        (
            "src/app.py",
            vec![
                "import os",
                "",
                "def main():",
                "    region = os.environ['REGION']",
                "    return region",
            ],
        ),
        (
            "policy.json",
            vec![
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}"#,
            ],
        ),
    ]
}

/// A file of `lines` with 1–4 secrets planted: on lines of their own or spliced into a random
/// line at a random place (sometimes several on one line).
fn build_file(rng: &mut Rng, lines: &[&str]) -> (String, Vec<Planted>) {
    let one_line_file = lines.len() == 1;
    // Insertions are chosen against the template (so that one snippet never splits another),
    // then applied from the end of each line.
    let mut spliced: Vec<Vec<(usize, usize)>> = vec![Vec::new(); lines.len()];
    let mut own: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    let mut planted = Vec::new();
    for i in 0..1 + rng.below(4) {
        let p = plant(rng, one_line_file);
        let at = rng.below(lines.len());
        if p.own_lines {
            own[at].push(i);
        } else {
            spliced[at].push((rng.below(lines[at].len() + 1), i));
        }
        planted.push(p);
    }
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        for &i in &own[n] {
            out.push(planted[i].text.clone());
        }
        let mut line = line.to_string();
        let mut ins = spliced[n].clone();
        ins.sort_unstable();
        for &(pos, i) in ins.iter().rev() {
            line.insert_str(pos, &format!(" {} ", planted[i].text));
        }
        out.push(line);
    }
    (out.join("\n") + "\n", planted)
}

/// Every output of a report: text, JSON, SARIF, GitHub annotations and the job summary.
fn render_all(scanner: &Scanner, report: &Report) -> String {
    let ctx = report::Context::new(scanner, "0.0.0");
    let mut all = String::new();
    for f in [Format::Text, Format::Json, Format::Sarif, Format::Github] {
        all.push_str(&report::render(f, report, &ctx));
    }
    all.push_str(&github::summary_with(
        report,
        &github::SummaryOptions::default(),
    ));
    all
}

fn pieces(s: &str) -> impl Iterator<Item = &str> {
    (0..=s.len().saturating_sub(12)).map(move |i| &s[i..(i + 12).min(s.len())])
}

fn scanners() -> (Scanner, Scanner) {
    let redacting = Scanner::new(Config::default()).unwrap();
    let raw = Config {
        redact: false,
        ..Config::default()
    };
    (redacting, Scanner::new(raw).unwrap())
}

fn scan(scanner: &Scanner, path: &str, text: &str) -> Report {
    let blob = scanner.scan_bytes(path, text.as_bytes());
    let mut report = Report {
        findings: blob.findings,
        diagnostics: blob.diagnostics,
        ..Default::default()
    };
    report.finish();
    report
}

#[test]
fn no_piece_of_a_planted_secret_shows_in_any_output() {
    let (redacting, raw) = scanners();
    let seed0 = std::env::var("PIPEGUARD_LEAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15_u64);
    let mut recognised = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for round in 0..25u64 {
        for (path, lines) in templates() {
            let seed = seed0 ^ (round << 8) ^ (path.len() as u64 * 0x1000_0001);
            let mut rng = Rng(seed | 1);
            let (text, planted) = build_file(&mut rng, &lines);
            let shown = render_all(&redacting, &scan(&redacting, path, &text));
            let raw_report = scan(&raw, path, &text);
            let control = render_all(&raw, &raw_report);
            for p in &planted {
                let seen = raw_report.findings.iter().any(|f| {
                    f.secret
                        .as_deref()
                        .is_some_and(|s| s.contains(p.recognised_as()))
                });
                let e = recognised.entry(p.kind).or_default();
                e.1 += 1;
                if !seen {
                    continue;
                }
                e.0 += 1;
                // Control: without redaction, the secret does show.
                assert!(
                    control.contains(p.recognised_as()),
                    "seed {seed:#x}: {} not in the unredacted output",
                    p.kind
                );
                for s in &p.secrets {
                    if let Some(piece) = pieces(s).find(|piece| shown.contains(piece)) {
                        panic!(
                            "seed {seed:#x}: `{piece}` of a planted {} secret shows in {path}:\n\
                             --- file\n{text}\n--- output\n{shown}",
                            p.kind
                        );
                    }
                }
            }
        }
    }
    // The property is not vacuous: every kind is recognised, nearly always.
    for (kind, (seen, total)) in &recognised {
        assert!(
            *seen * 10 >= *total * 8,
            "{kind}: only {seen} of {total} planted secrets were recognised"
        );
    }
    assert_eq!(recognised.len(), 6, "{recognised:?}");
}

#[test]
fn two_keys_on_one_line_are_both_redacted() {
    // The case from the issue: the finding's own key and a neighbour on the same line.
    let (redacting, raw) = scanners();
    let mut rng = Rng(7);
    let id = format!("AKIA{}", rng.string(UPPER32, 16));
    let secret = rng.string(B64, 40);
    let line = format!("{{\"id\":\"{id}\",\"secret\":\"{secret}\"}}\n");
    let shown = render_all(&redacting, &scan(&redacting, "creds.json", &line));
    assert!(shown.contains("AKIA*****"), "{shown}");
    assert!(
        !shown.contains(&secret[..12]) && !shown.contains(&id[4..16]),
        "{shown}"
    );
    let control = render_all(&raw, &scan(&raw, "creds.json", &line));
    assert!(control.contains(&secret) && control.contains(&id));
}

#[test]
fn policy_findings_redact_the_values_they_quote() {
    let (redacting, raw) = scanners();
    let mut rng = Rng(11);
    // Names say secret, values have no recognisable shape: only the policy checks know.
    let wf_value = rng.string(LOWER_DIGITS, 24);
    let cb_value = rng.string(LOWER_DIGITS, 20);
    let workflow = format!(
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      AWS_SECRET_ACCESS_KEY: {wf_value}\n    steps:\n      - run: make deploy\n"
    );
    let template = format!(
        "Resources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Environment:\n        EnvironmentVariables:\n          - Name: NPM_TOKEN\n            Value: {cb_value}\n"
    );
    for (path, text, value, check) in [
        (
            ".github/workflows/deploy.yml",
            &workflow,
            &wf_value,
            "SEC-007",
        ),
        ("template.yaml", &template, &cb_value, "SEC-001"),
    ] {
        let report = scan(&redacting, path, text);
        assert!(
            report.findings.iter().any(|f| f.rule_id == check),
            "{check}: {:?}",
            report.findings
        );
        let shown = render_all(&redacting, &report);
        assert!(
            !shown.contains(&value[..12]),
            "{check} shows the value:\n{shown}"
        );
        // Control: without redaction the value is in the excerpt.
        let control = render_all(&raw, &scan(&raw, path, text));
        assert!(control.contains(value.as_str()), "{check}");
    }
}

#[test]
fn generic_passwords_are_masked_entirely() {
    let (redacting, _) = scanners();
    let text = "db_password = \"Summer2024Autumn\"\n";
    let report = scan(&redacting, "settings.py", text);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert_eq!(report.findings[0].excerpt, "db_password = \"*****\"");
    // Control: a token whose rule fixes a prefix keeps it (and only it).
    let mut rng = Rng(3);
    let body = rng.string(ALNUM, 30);
    let t = format!("ghp_{body}{}", base62_crc32(body.as_bytes()));
    let report = scan(&redacting, "x.sh", &format!("export GH={t}\n"));
    assert_eq!(report.findings[0].excerpt, "export GH=ghp_*****");
}

/// One line of `n` bytes of `password="…"` assignments (every one a finding).
fn password_line(n: usize) -> String {
    let mut s = String::with_capacity(n + 32);
    let mut i = 0u32;
    while s.len() < n {
        s.push_str(&format!("password=\"aB3dE5gH{i:07}\" "));
        i += 1;
    }
    s.push('\n');
    s
}

/// Work per byte (excerpts, suppression comments, column maps) for one blob.
fn work_per_byte(scanner: &Scanner, path: &str, text: &str) -> (f64, usize) {
    pipeguard_core::finding::work::take();
    let findings = scanner.scan_bytes(path, text.as_bytes()).findings.len();
    let work = pipeguard_core::finding::work::take();
    (work as f64 / text.len() as f64, findings)
}

#[test]
fn per_finding_work_is_linear_on_one_long_line() {
    // Every finding of one long line used to rescan the whole line (excerpt, inline
    // suppression, line text): quadratic. Now the bytes those steps examine per input byte stay
    // flat as the line grows 4×, and small.
    // Every finding kept: the per-finding steps all run.
    let config = Config {
        max_findings_per_file: u64::MAX,
        ..Config::default()
    };
    let scanner = Scanner::new(config).unwrap();
    let (small, n_small) = work_per_byte(&scanner, "a.env", &password_line(100_000));
    let (large, n_large) = work_per_byte(&scanner, "a.env", &password_line(400_000));
    assert!(
        n_small > 3_000 && n_large > 4 * n_small - 10,
        "{n_small} {n_large}"
    );
    assert!(
        large < small * 1.25 + 0.1,
        "work per byte grew: {small:.2} → {large:.2}"
    );
    assert!(large < 16.0, "{large:.2} bytes examined per input byte");
    // The same for a one-line JSON template with thousands of policy findings.
    let cfn = |n: usize| {
        let res: Vec<String> = (0..n)
            .map(|i| format!(r#""P{i}": {{"Type": "AWS::S3::BucketPolicy", "Properties": {{"Bucket": "b{i}", "PolicyDocument": {{"Statement": [{{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b{i}/*"}}]}}}}}}"#))
            .collect();
        format!(
            r#"{{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {{{}}}}}"#,
            res.join(", ")
        )
    };
    let (small, n_small) = work_per_byte(&scanner, "t.json", &cfn(500));
    let (large, n_large) = work_per_byte(&scanner, "t.json", &cfn(2000));
    assert!(
        n_small >= 500 && n_large >= 4 * n_small - 10,
        "{n_small} {n_large}"
    );
    assert!(
        large < small * 1.25 + 0.1,
        "work per byte grew: {small:.2} → {large:.2}"
    );
}
