//! `.pipeguard.toml`: schema, discovery, embedded defaults, and errors with line and column.
//!
//! Raw serde structs (`deny_unknown_fields`) are layered — embedded defaults first, then the user's
//! file — and resolved into a validated [`Config`] that the scanner uses.

use crate::error::Error;
use crate::finding::{Confidence, Severity};
use crate::secrets::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The embedded defaults, layered under every user config.
pub const DEFAULT_CONFIG: &str = include_str!("default.toml");

pub mod gitleaks;
mod ids;

/// File names looked for at the repository root, in order. A gitleaks config is used when there
/// is no pipeguard one.
pub const CONFIG_NAMES: &[&str] = &[".pipeguard.toml", "pipeguard.toml", ".gitleaks.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    version: Option<i64>,
    baseline: Option<String>,
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    allowlist: RawAllowlist,
    #[serde(default)]
    report: RawReport,
    #[serde(default)]
    fail: RawFail,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_file_size: Option<u64>,
    max_findings_per_file: Option<u64>,
    max_findings: Option<u64>,
    secrets: Option<bool>,
    policy: Option<bool>,
    decode_depth: Option<u8>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    min_confidence: Option<Confidence>,
    /// Whether the built-in secret rules run (false: only `[[rules.custom]]`, as in a gitleaks
    /// config without `useDefault`).
    builtin: Option<bool>,
    #[serde(default)]
    custom: Vec<toml::Spanned<Rule>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowlist {
    use_defaults: Option<bool>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    lines: Vec<String>,
    #[serde(default)]
    fingerprints: Vec<String>,
    /// Regexes over the path (gitleaks' allowlist `paths`); `paths` globs are preferred.
    #[serde(default)]
    path_regexes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    redact: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFail {
    severity: Option<Severity>,
    secrets: Option<Severity>,
    policy: Option<Severity>,
}

/// A program's fail thresholds per kind when the config sets none.
#[derive(Debug, Clone, Copy)]
pub struct FailDefaults {
    pub secrets: Severity,
    pub policy: Severity,
}

impl FailDefaults {
    /// One threshold for both kinds (the CLI and the action: `[fail] severity`).
    pub fn uniform(severity: Severity) -> FailDefaults {
        FailDefaults {
            secrets: severity,
            policy: severity,
        }
    }

    /// The pre-commit hook: any secret blocks; policy findings below `high` are warnings.
    pub const HOOK: FailDefaults = FailDefaults {
        secrets: Severity::Low,
        policy: Severity::High,
    };
}

/// A custom rule with where it was written.
#[derive(Debug, Clone)]
pub struct CustomRule {
    pub rule: Rule,
    pub file: String,
    pub line: usize,
}

/// The resolved configuration every binary uses.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from, if any (None: embedded defaults only).
    pub source: Option<PathBuf>,
    /// Only paths matching one of these globs are scanned (empty: everything).
    pub include: Vec<String>,
    /// Paths matching one of these globs are never scanned.
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped with a note.
    pub max_file_size: u64,
    /// Findings kept per file; more are counted and reported as capped.
    pub max_findings_per_file: u64,
    /// Findings kept per scan; more are counted and reported as capped.
    pub max_findings: u64,
    pub secrets: bool,
    pub policy: bool,
    /// How many layers of base64 / percent / escape encoding to look through.
    pub decode_depth: u8,
    /// Rule or check ids that never report.
    pub disabled: Vec<String>,
    /// Severity overrides by rule or check id.
    pub severity: BTreeMap<String, Severity>,
    pub min_confidence: Confidence,
    pub custom_rules: Vec<CustomRule>,
    /// Paths (globs) whose findings are dropped.
    pub allow_paths: Vec<String>,
    /// Regexes over a captured secret.
    pub allow_regexes: Vec<String>,
    /// Case-insensitive substrings of a captured secret.
    pub allow_stopwords: Vec<String>,
    /// Regexes over the whole line of a finding.
    pub allow_lines: Vec<String>,
    /// Finding fingerprints that are accepted.
    pub allow_fingerprints: Vec<String>,
    /// Baseline file (relative to the config file's directory).
    pub baseline: Option<PathBuf>,
    /// Key for the baseline's HMAC, kept outside the repository (the binaries read
    /// `PIPEGUARD_BASELINE_KEY`; never from the config file).
    pub baseline_key: Option<Vec<u8>>,
    pub redact: bool,
    /// Findings at or above this severity make the exit code 1.
    pub fail_severity: Severity,
    /// Whether `fail_severity` was set (`[fail] severity`, `--fail-on`) rather than defaulted.
    pub fail_severity_set: bool,
    /// `[fail] secrets`: the threshold for secret findings, over `fail_severity`.
    pub fail_secrets: Option<Severity>,
    /// `[fail] policy`: the threshold for policy findings, over `fail_severity`.
    pub fail_policy: Option<Severity>,
    /// Whether the built-in secret rules run (a gitleaks config without `useDefault` turns them off).
    pub builtin_rules: bool,
    /// Regexes over paths whose findings are dropped (from gitleaks allowlists).
    pub allow_path_regexes: Vec<String>,
    /// `.gitleaksignore` entries: findings at exactly this path, rule and line are dropped.
    pub ignore_entries: Vec<gitleaks::IgnoreEntry>,
    /// Warnings about the config itself (unsupported gitleaks features), for the binaries to print.
    pub notes: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config::from_layers(None, None).expect("embedded default config is valid")
    }
}

impl Config {
    /// The severity from which a finding of `kind` fails the run: `[fail] secrets` / `[fail]
    /// policy` when set, else `[fail] severity` (or `--fail-on`) when set, else the program's
    /// default for that kind (`defaults`: the pre-commit hook blocks any secret but only policy
    /// findings of `high` or above; the CLI and the action fail on everything at `low`).
    pub fn fail_threshold(&self, kind: crate::finding::Kind, defaults: FailDefaults) -> Severity {
        use crate::finding::Kind;
        let per_kind = match kind {
            Kind::Secret => self.fail_secrets,
            Kind::Policy => self.fail_policy,
        };
        match per_kind {
            Some(s) => s,
            None if self.fail_severity_set => self.fail_severity,
            None => match kind {
                Kind::Secret => defaults.secrets,
                Kind::Policy => defaults.policy,
            },
        }
    }

    /// Load a config file, layered over the embedded defaults.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut cfg = if gitleaks::looks_like_gitleaks(path, &text) {
            gitleaks::convert(path, &text, Config::default())?
        } else {
            Config::from_layers(Some((path, &text)), None)?
        };
        // A .gitleaksignore beside the config (at the repository root) is honoured too.
        if let Some(dir) = path.parent() {
            let ignore = dir.join(".gitleaksignore");
            if let Ok(text) = std::fs::read_to_string(&ignore) {
                cfg.ignore_entries.extend(gitleaks::parse_ignore(&text));
            }
        }
        cfg.validate_path_regexes()?;
        Ok(cfg)
    }

    /// Parse a config from text (the file name is for messages).
    pub fn parse(file: &Path, text: &str) -> Result<Config, Error> {
        Config::from_layers(Some((file, text)), None)
    }

    /// The custom rules with where each was written, as the rule engine and `rules check` take
    /// them.
    pub fn custom_rule_sources(&self) -> Vec<(Rule, crate::secrets::RuleSource)> {
        self.custom_rules
            .iter()
            .map(|c| {
                (
                    c.rule.clone(),
                    crate::secrets::RuleSource {
                        file: c.file.clone(),
                        line: Some(c.line),
                        line_ends: None,
                    },
                )
            })
            .collect()
    }

    /// The config every binary uses: the `explicit` file (`--config`) when given, else the one
    /// discovered from `start` (see [`Config::discover`]), else the embedded defaults. Warnings
    /// about the file itself are in [`Config::notes`]; [`crate::Report::add_config_notes`] turns
    /// them into diagnostics so that every output shows them.
    pub fn resolve(explicit: Option<&Path>, start: &Path) -> Result<Config, Error> {
        match explicit {
            Some(path) => Config::load(path),
            None => Config::discover(start),
        }
    }

    /// Find `.pipeguard.toml`, `pipeguard.toml` or `.gitleaks.toml` at `start` or a parent up to
    /// the enclosing repository root and load it; the embedded defaults alone when there is none.
    pub fn discover(start: &Path) -> Result<Config, Error> {
        match find_config(start) {
            Some(path) => Config::load(&path),
            None => {
                let mut cfg = Config::default();
                if let Some(root) = repo_root(start) {
                    if let Ok(text) = std::fs::read_to_string(root.join(".gitleaksignore")) {
                        cfg.ignore_entries.extend(gitleaks::parse_ignore(&text));
                    }
                }
                Ok(cfg)
            }
        }
    }

    fn validate_path_regexes(&self) -> Result<(), Error> {
        for r in &self.allow_path_regexes {
            crate::secrets::rule::compile_pattern(r).map_err(|e| Error::Config {
                file: self
                    .source
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                line: 1,
                column: 1,
                message: format!("invalid path regex `{r}`: {e}"),
            })?;
        }
        Ok(())
    }

    fn from_layers(user: Option<(&Path, &str)>, _reserved: Option<()>) -> Result<Config, Error> {
        let defaults: RawConfig = toml::from_str(DEFAULT_CONFIG)
            .map_err(|e| Error::config_toml("<embedded defaults>", DEFAULT_CONFIG, &e))?;
        let mut cfg = Config {
            source: None,
            include: defaults.scan.include,
            exclude: defaults.scan.exclude,
            max_file_size: defaults.scan.max_file_size.unwrap_or(10 << 20),
            max_findings_per_file: defaults.scan.max_findings_per_file.unwrap_or(1000),
            max_findings: defaults.scan.max_findings.unwrap_or(100_000),
            secrets: defaults.scan.secrets.unwrap_or(true),
            policy: defaults.scan.policy.unwrap_or(true),
            decode_depth: defaults.scan.decode_depth.unwrap_or(2),
            disabled: defaults.rules.disable,
            severity: defaults.rules.severity,
            min_confidence: defaults.rules.min_confidence.unwrap_or(Confidence::Low),
            custom_rules: Vec::new(),
            allow_paths: defaults.allowlist.paths,
            allow_regexes: defaults.allowlist.regexes,
            allow_stopwords: defaults.allowlist.stopwords,
            allow_lines: defaults.allowlist.lines,
            allow_fingerprints: defaults.allowlist.fingerprints,
            baseline: None,
            baseline_key: None,
            redact: defaults.report.redact.unwrap_or(true),
            fail_severity: defaults.fail.severity.unwrap_or(Severity::Low),
            fail_severity_set: false,
            fail_secrets: defaults.fail.secrets,
            fail_policy: defaults.fail.policy,
            builtin_rules: true,
            allow_path_regexes: Vec::new(),
            ignore_entries: Vec::new(),
            notes: Vec::new(),
        };
        let Some((path, text)) = user else {
            return Ok(cfg);
        };
        let file = path.display().to_string();
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| Error::config_toml(&file, text, &e))?;
        match raw.version {
            Some(1) => {}
            Some(v) => {
                return Err(Error::Config {
                    file,
                    line: find_key_line(text, "version"),
                    column: 1,
                    message: format!(
                        "unsupported config version {v}: this pipeguard reads `version = 1`"
                    ),
                })
            }
            None => {
                return Err(Error::Config {
                    file,
                    line: 1,
                    column: 1,
                    message: "missing `version = 1` at the top of the file".to_string(),
                })
            }
        }
        cfg.source = Some(path.to_path_buf());
        cfg.include.extend(raw.scan.include);
        cfg.exclude.extend(raw.scan.exclude);
        if let Some(v) = raw.scan.max_file_size {
            cfg.max_file_size = v;
        }
        if let Some(v) = raw.scan.max_findings_per_file {
            cfg.max_findings_per_file = v;
        }
        if let Some(v) = raw.scan.max_findings {
            cfg.max_findings = v;
        }
        if let Some(v) = raw.scan.secrets {
            cfg.secrets = v;
        }
        if let Some(v) = raw.scan.policy {
            cfg.policy = v;
        }
        if let Some(v) = raw.scan.decode_depth {
            cfg.decode_depth = v;
        }
        let custom_ids: Vec<&str> = raw
            .rules
            .custom
            .iter()
            .map(|r| r.get_ref().id.as_str())
            .collect();
        ids::check_known(
            &file,
            text,
            raw.rules
                .disable
                .iter()
                .map(|id| ("[rules] disable", id.as_str()))
                .chain(
                    raw.rules
                        .severity
                        .keys()
                        .map(|id| ("[rules.severity]", id.as_str())),
                ),
            &custom_ids,
        )?;
        cfg.disabled.extend(raw.rules.disable);
        cfg.severity.extend(raw.rules.severity);
        if let Some(v) = raw.rules.min_confidence {
            cfg.min_confidence = v;
        }
        if let Some(v) = raw.rules.builtin {
            cfg.builtin_rules = v;
        }
        let mut lines = Lines::new(text);
        for spanned in raw.rules.custom {
            let line = lines.line_of(spanned.span().start);
            cfg.custom_rules.push(CustomRule {
                rule: spanned.into_inner(),
                file: file.clone(),
                line,
            });
        }
        if raw.allowlist.use_defaults == Some(false) {
            cfg.allow_paths.clear();
            cfg.allow_regexes.clear();
            cfg.allow_stopwords.clear();
            cfg.allow_lines.clear();
            cfg.allow_fingerprints.clear();
        }
        cfg.allow_paths.extend(raw.allowlist.paths);
        cfg.allow_regexes.extend(raw.allowlist.regexes);
        cfg.allow_stopwords.extend(raw.allowlist.stopwords);
        cfg.allow_lines.extend(raw.allowlist.lines);
        cfg.allow_fingerprints.extend(raw.allowlist.fingerprints);
        cfg.allow_path_regexes.extend(raw.allowlist.path_regexes);
        if let Some(b) = raw.baseline {
            let base = path.parent().unwrap_or(Path::new("."));
            cfg.baseline = Some(base.join(b));
        }
        if let Some(v) = raw.report.redact {
            cfg.redact = v;
        }
        if let Some(v) = raw.fail.severity {
            cfg.fail_severity = v;
            cfg.fail_severity_set = true;
        }
        if let Some(v) = raw.fail.secrets {
            cfg.fail_secrets = Some(v);
        }
        if let Some(v) = raw.fail.policy {
            cfg.fail_policy = Some(v);
        }
        cfg.validate(text)?;
        Ok(cfg)
    }

    /// Check globs and regexes now, so that a typo is an error with a line, not a silent no-op.
    fn validate(&self, text: &str) -> Result<(), Error> {
        let file = self
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let err = |needle: &str, message: String| Error::Config {
            file: file.clone(),
            line: find_value_line(text, needle),
            column: 1,
            message,
        };
        for g in self
            .include
            .iter()
            .chain(&self.exclude)
            .chain(&self.allow_paths)
        {
            globset::Glob::new(g).map_err(|e| err(g, format!("invalid glob `{g}`: {e}")))?;
        }
        for r in self
            .allow_regexes
            .iter()
            .chain(&self.allow_lines)
            .chain(&self.allow_path_regexes)
        {
            crate::secrets::rule::compile_pattern(r)
                .map_err(|e| err(r, format!("invalid regex `{r}`: {e}")))?;
        }
        Ok(())
    }
}

/// The config file that applies to `start`: at `start` itself, then each parent up to and
/// including the enclosing git repository root.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start.to_path_buf()
    };
    let start = std::fs::canonicalize(&start).unwrap_or(start);
    for dir in start.ancestors() {
        for name in CONFIG_NAMES {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// The enclosing git repository root of `start` (the directory holding `.git`), if any.
pub fn repo_root(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    line_col(text, offset).0
}

/// 1-based (line, column) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let col = offset - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (line, col)
}

/// 1-based lines of increasing byte offsets in one text, counted once: a file of many rules
/// would otherwise cost a count from the start for each.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of `offset`; offsets before the previous one are counted from the start.
    pub(crate) fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += memchr::memchr_iter(b'\n', &self.text[self.offset..offset]).count();
        self.offset = offset;
        self.line
    }
}

fn find_key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map_or(1, |i| i + 1)
}

fn find_value_line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_thresholds_per_kind() {
        use crate::finding::Kind;
        let hook = FailDefaults::HOOK;
        let d = Config::default();
        assert_eq!(d.fail_threshold(Kind::Secret, hook), Severity::Low);
        assert_eq!(d.fail_threshold(Kind::Policy, hook), Severity::High);
        // `[fail] severity` applies to both kinds when set ...
        let c = Config::parse(
            Path::new("p.toml"),
            "version = 1\n[fail]\nseverity = 'medium'\n",
        )
        .unwrap();
        assert_eq!(c.fail_threshold(Kind::Secret, hook), Severity::Medium);
        assert_eq!(c.fail_threshold(Kind::Policy, hook), Severity::Medium);
        // ... and a per-kind value overrides it.
        let c = Config::parse(
            Path::new("p.toml"),
            "version = 1\n[fail]\nseverity = 'medium'\npolicy = 'critical'\nsecrets = 'low'\n",
        )
        .unwrap();
        assert_eq!(c.fail_threshold(Kind::Secret, hook), Severity::Low);
        assert_eq!(c.fail_threshold(Kind::Policy, hook), Severity::Critical);
        let c =
            Config::parse(Path::new("p.toml"), "version = 1\n[fail]\npolicy = 'low'\n").unwrap();
        assert_eq!(c.fail_threshold(Kind::Policy, hook), Severity::Low);
        assert!(Config::parse(
            Path::new("p.toml"),
            "version = 1\n[fail]\npolicy = 'severe'\n"
        )
        .is_err());
    }

    #[test]
    fn embedded_defaults_parse() {
        let c = Config::default();
        assert!(c.secrets && c.policy && c.redact);
        assert!(c.allow_stopwords.iter().any(|s| s == "example"));
        assert_eq!(c.max_file_size, 10 << 20);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "version = 1\n[scan]\nexclude = []\nmax_filesize = 3\n";
        let e = Config::parse(Path::new("x/.pipeguard.toml"), text).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("x/.pipeguard.toml:4:1:"), "{msg}");
        assert!(msg.contains("max_filesize"), "{msg}");
    }

    #[test]
    fn lines_of_increasing_and_decreasing_offsets() {
        let text = "a\nbb\n\nccc\n";
        let mut lines = Lines::new(text);
        let offsets = [0, 1, 2, 5, 6, 10, 3, 0, 100];
        for o in offsets {
            assert_eq!(lines.line_of(o), line_of(text, o), "offset {o}");
        }
        assert_eq!(line_col(text, 6), (4, 1));
        assert_eq!(line_col(text, 8), (4, 3));
    }

    #[test]
    fn missing_version_is_an_error() {
        let e = Config::parse(Path::new("c.toml"), "[scan]\n").unwrap_err();
        assert!(e.to_string().contains("version = 1"), "{e}");
    }

    #[test]
    fn lists_extend_and_values_replace() {
        let text = "version = 1\n[scan]\nexclude=['vendor/**']\nmax_file_size = 5\n[allowlist]\nstopwords=['acme']\n[fail]\nseverity='high'\n";
        let c = Config::parse(Path::new("c.toml"), text).unwrap();
        assert!(c.exclude.iter().any(|e| e == "vendor/**"));
        assert!(c.exclude.iter().any(|e| e == "**/node_modules/**"));
        assert_eq!(c.max_file_size, 5);
        assert!(c.allow_stopwords.iter().any(|s| s == "acme"));
        assert!(c.allow_stopwords.iter().any(|s| s == "example"));
        assert_eq!(c.fail_severity, Severity::High);
    }

    #[test]
    fn use_defaults_false_drops_the_default_allowlist() {
        let text = "version = 1\n[allowlist]\nuse_defaults = false\n";
        let c = Config::parse(Path::new("c.toml"), text).unwrap();
        assert!(c.allow_stopwords.is_empty());
    }

    #[test]
    fn bad_regex_names_the_line() {
        let text = "version = 1\n[allowlist]\nregexes = [\n  '(unclosed',\n]\n";
        let e = Config::parse(Path::new("c.toml"), text).unwrap_err();
        assert!(e.to_string().starts_with("c.toml:4:"), "{e}");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
