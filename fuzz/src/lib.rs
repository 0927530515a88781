//! The fuzz targets' bodies: each takes arbitrary bytes, drives one public entry point of
//! `pipeguard-core` the way the binaries do, and panics only when the library breaks a promise
//! (a panic of its own, or an invariant checked here).
//!
//! The `fuzz_targets/*.rs` files are one-line wrappers around these functions, and
//! `crates/core/tests/fuzz_seeds.rs` runs the same functions over the seed corpus on stable, so CI
//! exercises every target without a nightly toolchain.

use pipeguard_core::config::gitleaks;
use pipeguard_core::secrets::decode;
use pipeguard_core::{policy, Config, Scanner};
use std::path::Path;
use std::sync::OnceLock;

/// A small blob a fuzzed config is applied to, so that its globs, regexes, custom rules and
/// allowlists run on real text and not only compile.
const SAMPLE_PATH: &str = "deploy/app.env";
const SAMPLE: &[u8] = b"# deploy settings\n\
password = \"Tr0ub4dor&3-horse-battery\"\n\
AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\n\
auth: dXNlcjpjb3JyZWN0LWhvcnNlLWJhdHRlcnktc3RhcGxl\n\
url = https://example.com/?q=%41%42%43\n";

/// Scan the sample with a fuzzed config: built-in rules off (they are fuzzed elsewhere, and
/// loading them each run would drown the config code in start-up cost), no baseline file (a
/// fuzzed path must not make the fuzzer read the file system).
fn scan_sample_with(mut config: Config) {
    config.builtin_rules = false;
    config.baseline = None;
    if let Ok(scanner) = Scanner::new(config) {
        let _ = scanner.path_selected(SAMPLE_PATH);
        let _ = scanner.scan_bytes(SAMPLE_PATH, SAMPLE);
    }
}

/// `.pipeguard.toml` text → `Config` or an error; a config that loads builds a scanner (which
/// compiles its custom rules and allowlists) and scans the sample.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse(Path::new(".pipeguard.toml"), text) {
        scan_sample_with(config);
    }
}

/// A `.gitleaks.toml` (and the same text as a `.gitleaksignore`) → `Config` or an error; a
/// config that converts builds a scanner and scans the sample.
pub fn gitleaks(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = gitleaks::looks_like_gitleaks(Path::new(".gitleaks.toml"), text);
    let _ = gitleaks::parse_ignore(text);
    if let Ok(config) = gitleaks::convert(Path::new(".gitleaks.toml"), text, default_config()) {
        scan_sample_with(config);
    }
}

fn default_config() -> Config {
    static DEFAULT: OnceLock<Config> = OnceLock::new();
    DEFAULT.get_or_init(Config::default).clone()
}

/// The policy engine over `data` as each of `paths`; every hit must point inside the document.
fn policy_as(paths: &[&str], data: &[u8]) {
    let lines = data.split(|&b| b == b'\n').count();
    for path in paths {
        let outcome = policy::scan(path, data);
        for hit in &outcome.hits {
            assert!(
                hit.line >= 1 && hit.line <= lines && hit.end_line <= lines,
                "{path}: {} at {}..{} outside a {lines}-line document",
                hit.check_id,
                hit.line,
                hit.end_line
            );
        }
    }
}

/// JSON policies and CloudFormation JSON.
pub fn policy_json(data: &[u8]) {
    policy_as(&["x.json"], data);
    if let Ok(text) = std::str::from_utf8(data) {
        policy::check_json_outline(text);
    }
}

/// CloudFormation YAML, GitHub workflows and CodeBuild buildspecs.
pub fn policy_yaml(data: &[u8]) {
    policy_as(
        &["template.yaml", ".github/workflows/a.yml", "buildspec.yml"],
        data,
    );
}

/// Terraform.
pub fn policy_hcl(data: &[u8]) {
    policy_as(&["main.tf"], data);
}

/// The decoder, two layers deep as the scanner runs it, within its budget and on its promises:
/// segments lie inside the text and decoding never grows a segment.
pub fn decode(data: &[u8]) {
    let mut budget = decode::MAX_DECODED_PER_BLOB;
    decode_layer(data, &mut budget, 2);
}

fn decode_layer(text: &[u8], budget: &mut usize, depth: u8) {
    let before = *budget;
    let segments = decode::segments(text, budget);
    let decoded: usize = segments.iter().map(|s| s.decoded.len()).sum();
    assert_eq!(before - *budget, decoded, "budget accounts for every byte");
    for s in &segments {
        assert!(
            s.start < s.end && s.end <= text.len(),
            "segment inside the text"
        );
        assert!(
            s.end - s.start <= decode::MAX_SEGMENT,
            "segment within the size cap"
        );
        assert!(s.decoded.len() <= s.end - s.start, "decoding never grows");
        if depth > 1 {
            decode_layer(&s.decoded, budget, depth - 1);
        }
    }
}

fn default_scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(Config::default()).expect("embedded defaults load"))
}

/// File names the secret target scans under (some rules only run on some names).
const PATHS: &[&str] = &[
    "notes.txt",
    ".env",
    ".npmrc",
    ".docker/config.json",
    "config/settings.yaml",
    "src/main.py",
    "id_rsa",
    "main.tf",
];

/// The whole scan of one blob with the embedded defaults (secrets, decoding, policy checks). The
/// first byte also picks the file name; the content is all of `data`.
pub fn secrets(data: &[u8]) {
    let path = PATHS[data.first().map_or(0, |&b| b as usize) % PATHS.len()];
    let scan = default_scanner().scan_bytes(path, data);
    for f in &scan.findings {
        assert!(
            f.line >= 1 && f.column >= 1,
            "{}: 1-based location",
            f.rule_id
        );
        assert!(f.secret.is_none(), "redaction is on by default");
    }
}

/// A line from a built-in rule's examples and the secret the rule captures on it.
struct Plant {
    line: String,
    secret: String,
}

/// Shortest secret the redaction target plants: the property is about 12-byte pieces.
const PIECE: usize = 12;

/// Every single-line built-in example whose secret appears literally on the line, found by the
/// real scanner with redaction off (so the planted text is known to be recognised on its own).
fn plants() -> &'static [Plant] {
    static PLANTS: OnceLock<Vec<Plant>> = OnceLock::new();
    PLANTS.get_or_init(|| {
        let config = Config {
            redact: false,
            ..Config::default()
        };
        let scanner = Scanner::new(config).expect("embedded defaults load");
        let mut out = Vec::new();
        for rule in scanner.rules() {
            for line in &rule.rule.examples {
                if line.contains('\n') {
                    continue;
                }
                let scan = scanner.scan_bytes("planted.env", line.as_bytes());
                let secret = scan
                    .findings
                    .iter()
                    .filter(|f| f.rule_id == rule.rule.id)
                    .find_map(|f| f.secret.clone());
                if let Some(secret) = secret.filter(|s| s.len() >= PIECE && line.contains(s)) {
                    out.push(Plant {
                        line: line.clone(),
                        secret,
                    });
                }
            }
        }
        assert!(
            !out.is_empty(),
            "the built-in examples give secrets to plant"
        );
        out
    })
}

/// Plants a built-in example line (picked by the first byte) as a line of its own between fuzzed
/// text (split at the second byte) and scans with the defaults (redaction on). No finding's
/// excerpt or message may show a 12-byte piece of the planted secret that the fuzzed text does
/// not itself contain.
pub fn redaction(data: &[u8]) {
    let [pick, split, rest @ ..] = data else {
        return;
    };
    let plants = plants();
    let plant = &plants[*pick as usize % plants.len()];
    let cut = (*split as usize * rest.len()) / 255;
    let (before, after) = rest.split_at(cut.min(rest.len()));
    let mut blob = before.to_vec();
    blob.push(b'\n');
    blob.extend_from_slice(plant.line.as_bytes());
    blob.push(b'\n');
    blob.extend_from_slice(after);
    let scan = default_scanner().scan_bytes("planted.env", &blob);
    let fuzzed_has = |piece: &[u8]| {
        [before, after]
            .iter()
            .any(|t| t.windows(piece.len()).any(|w| w == piece))
    };
    let secret = plant.secret.as_bytes();
    for f in &scan.findings {
        for piece in secret.windows(PIECE) {
            let shown = [&f.excerpt, &f.message]
                .iter()
                .any(|t| t.as_bytes().windows(PIECE).any(|w| w == piece));
            assert!(
                !shown || fuzzed_has(piece),
                "{} at line {} shows `{}` of the planted secret: {:?}",
                f.rule_id,
                f.line,
                String::from_utf8_lossy(piece),
                f.excerpt
            );
        }
    }
}
