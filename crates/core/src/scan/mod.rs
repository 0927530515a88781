//! The one pipeline every binary calls: bytes in → both engines → suppression → findings.
//!
//! [`Scanner`] holds the compiled rules and config and turns one blob's bytes into findings;
//! [`driver`] runs it over whatever an input yields; [`Report`] is what the reporters render.

pub(crate) mod driver;

use crate::config::Config;
use crate::error::Error;
use crate::finding::{self, Confidence, Finding, Kind, Mask, Masks, Severity};
use crate::policy;
use crate::secrets::{self, decode, CompiledRule, Rule, RuleSource, SecretAllowlist, SecretEngine};
use crate::suppress::{self, Baseline};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How much of a file is looked at to decide whether it is binary.
const BINARY_SNIFF: usize = 8 << 10;

/// How serious a diagnostic is. `Error` makes the binaries exit 2 at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something was skipped by design (binary, too large, submodule).
    Note,
    /// Something was scanned partially or could not be parsed (the secret scan still ran).
    Warning,
    /// Something could not be scanned at all.
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message about the scan itself, never about a finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line in `path`, when the problem has one (a parse error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column on `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(level: Level, path: Option<&str>, message: impl Into<String>) -> Self {
        Diagnostic {
            level,
            path: path.map(str::to_string),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A diagnostic at a line (and column) of a file.
    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// The location part, `path:line:col`, or `None` for a diagnostic about the whole scan.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path.to_string(),
        })
    }
}

/// `warning: path:line:col: message`, `error: path: message` or `note: message`.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Paths and messages quote files and configs: escaped, and never a workflow command.
        use crate::report::escape::{control, defuse};
        let line = match self.location() {
            Some(loc) => format!(
                "{}: {}: {}",
                self.level,
                control(&loc),
                control(&self.message)
            ),
            None => format!("{}: {}", self.level, control(&self.message)),
        };
        f.write_str(&defuse(&line))
    }
}

/// What scanning one blob produced.
#[derive(Debug, Default)]
pub struct BlobScan {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// False when the blob was skipped (binary, too large).
    pub scanned: bool,
    /// Every secret span seen in the blob (any rule, decoded, policy), for redacting excerpts.
    masks: Vec<Mask>,
    /// Findings not kept because of the per-file cap (`scan.max_findings_per_file`).
    pub capped: u64,
}

/// Counters for a whole scan.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_skipped: u64,
    /// Findings not reported because a cap was reached (`scan.max_findings_per_file`,
    /// `scan.max_findings`); a warning diagnostic says so too.
    pub findings_capped: u64,
}

/// Everything a scan produced, ready for a reporter.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

impl Report {
    /// Sort findings and diagnostics for deterministic output.
    pub fn finish(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.diagnostics
            .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error)
    }

    /// The exit status every binary uses: 2 when anything could not be scanned (the findings are
    /// still reported), else 1 when a finding is at or above `threshold`, else 0.
    pub fn exit_code(&self, threshold: Severity) -> u8 {
        if self.has_errors() {
            2
        } else if self.failing(threshold) > 0 {
            1
        } else {
            0
        }
    }

    /// The config's own warnings (unsupported gitleaks features, …) as diagnostics, so that every
    /// output format shows them.
    pub fn add_config_notes(&mut self, config: &Config) {
        let file = config.source.as_ref().map(|p| p.display().to_string());
        for note in &config.notes {
            let note = file
                .as_deref()
                .and_then(|f| note.strip_prefix(f))
                .map_or(note.as_str(), |rest| rest.trim_start_matches([':', ' ']));
            self.diagnostics
                .push(Diagnostic::new(Level::Warning, file.as_deref(), note));
        }
    }

    /// Findings at or above the threshold.
    /// The findings at or above their kind's fail threshold (`[fail] secrets` / `policy`).
    pub fn failing_with<'a>(
        &'a self,
        config: &'a Config,
        defaults: crate::config::FailDefaults,
    ) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .iter()
            .filter(move |f| f.severity >= config.fail_threshold(f.kind, defaults))
    }

    /// 2 when anything could not be scanned, 1 for a finding at or above its kind's threshold,
    /// else 0.
    pub fn exit_code_with(&self, config: &Config, defaults: crate::config::FailDefaults) -> u8 {
        if self.has_errors() {
            2
        } else if self.failing_with(config, defaults).next().is_some() {
            1
        } else {
            0
        }
    }

    pub fn failing(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= threshold)
            .count()
    }

    pub fn merge(&mut self, other: Report) {
        self.findings.extend(other.findings);
        self.diagnostics.extend(other.diagnostics);
        self.stats.files_scanned += other.stats.files_scanned;
        self.stats.bytes_scanned += other.stats.bytes_scanned;
        self.stats.files_skipped += other.stats.files_skipped;
        self.stats.findings_capped += other.stats.findings_capped;
    }
}

/// Rules, config and suppression, ready to scan any number of blobs from any number of threads.
#[derive(Debug)]
pub struct Scanner {
    pub config: Config,
    engine: SecretEngine,
    include: Option<GlobSet>,
    exclude: GlobSet,
    allow_paths: GlobSet,
    allow_path_regexes: Vec<Regex>,
    allow_lines: Vec<Regex>,
    accepted: HashSet<String>,
    baselines: Vec<suppress::Accepted>,
    disabled: HashSet<String>,
    checks: HashMap<&'static str, policy::CheckInfo>,
}

impl Scanner {
    /// Built-in rules plus the config's custom rules, minus disabled ones; loads the baseline.
    pub fn new(config: Config) -> Result<Self, Error> {
        let mut rules = if config.builtin_rules {
            secrets::builtin_rules()?
        } else {
            Vec::new()
        };
        rules.extend(config.custom_rule_sources());
        Self::with_rules(config, rules)
    }

    /// A scanner over exactly these rules (the config's disabled list still applies).
    pub fn with_rules(config: Config, rules: Vec<(Rule, RuleSource)>) -> Result<Self, Error> {
        let disabled: HashSet<String> = config.disabled.iter().cloned().collect();
        let mut seen = HashSet::new();
        let mut compiled = Vec::new();
        for (rule, source) in rules {
            if !seen.insert(rule.id.clone()) {
                return Err(Error::Rule {
                    file: source.file,
                    line: source.line,
                    rule_id: rule.id,
                    message: "duplicate rule id (ids must be unique, built-in ones included)"
                        .to_string(),
                });
            }
            if disabled.contains(&rule.id) {
                continue;
            }
            let builtin = source.file.starts_with("crates/core/rules/");
            compiled.push(CompiledRule::new(rule, source, !builtin)?);
        }
        let shared = SecretAllowlist::new(&config.allow_stopwords, &config.allow_regexes)
            .map_err(|e| Error::Other(format!("allowlist regex: {e}")))?;
        let engine = SecretEngine::new(compiled, shared);
        let accepted: HashSet<String> = config.allow_fingerprints.iter().cloned().collect();
        let allow_lines = config
            .allow_lines
            .iter()
            .map(|r| secrets::rule::compile_pattern(r))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::Other(format!("allowlist line regex: {e}")))?;
        let baseline = config.baseline.clone();
        let mut scanner = Scanner {
            include: if config.include.is_empty() {
                None
            } else {
                Some(globs(&config.include)?)
            },
            exclude: globs(&config.exclude)?,
            allow_paths: globs(&config.allow_paths)?,
            allow_path_regexes: config
                .allow_path_regexes
                .iter()
                .map(|r| secrets::rule::compile_pattern(r))
                .collect::<Result<_, _>>()
                .map_err(|e| Error::Other(format!("allowlist path regex: {e}")))?,
            allow_lines,
            accepted,
            baselines: Vec::new(),
            disabled,
            checks: policy::checks().iter().map(|c| (c.id, *c)).collect(),
            engine,
            config,
        };
        if let Some(path) = baseline {
            scanner.accept_baseline(&path)?;
        }
        Ok(scanner)
    }

    /// Accept the findings recorded in a baseline file (keyed with `config.baseline_key`).
    pub fn accept_baseline(&mut self, path: &std::path::Path) -> Result<(), Error> {
        let baseline = Baseline::load(path)?;
        // Reported with the config's notes (`Report::add_config_notes`).
        self.config.notes.extend(baseline.deprecation(path));
        self.baselines
            .push(baseline.accepted(path, self.config.baseline_key.as_deref())?);
        Ok(())
    }

    fn is_accepted(&self, fingerprint: &str) -> bool {
        self.accepted.contains(fingerprint)
            || self.baselines.iter().any(|b| b.contains(fingerprint))
    }

    pub fn rules(&self) -> &[CompiledRule] {
        self.engine.rules()
    }

    /// For scans of a few small changes (a hook, a pull request): rules' regexes are built
    /// without the literal prefilters that only pay off on large inputs (see
    /// [`crate::secrets::SecretEngine::prefer_light_regexes`]). Findings are the same.
    pub fn tune_for_small_inputs(&mut self) {
        self.engine.prefer_light_regexes();
    }

    /// Record the time spent in each secret rule (the CLI does when `PIPEGUARD_PROFILE_RULES`
    /// is set).
    pub fn profile_rules(&mut self) {
        self.engine.profile();
    }

    /// Time spent per secret rule, slowest first (empty unless [`Scanner::profile_rules`] was
    /// called).
    pub fn rule_timings(&self) -> Vec<(String, std::time::Duration)> {
        self.engine.rule_timings()
    }

    /// Whether the secret engine recognises a secret in `value` (what the policy checks ask).
    pub fn recognises_secret(&self, value: &[u8]) -> bool {
        !self.engine.scan("", value, &mut Vec::new()).is_empty()
    }

    /// Every secret span the engine finds in `bytes`, with the prefix each may show.
    fn mask_spans(&self, path: &str, bytes: &[u8], errors: &mut Vec<String>) -> Vec<Mask> {
        self.engine
            .scan(path, bytes, errors)
            .into_iter()
            .map(|m| self.mask(&m, bytes))
            .collect()
    }

    fn mask(&self, m: &secrets::SecretMatch, bytes: &[u8]) -> Mask {
        Mask {
            start: m.start,
            end: m.end,
            keep: self.engine.rules()[m.rule].shown_prefix(&bytes[m.start..m.end]),
        }
    }

    /// A policy message may quote what the file says (a key name): the secrets of the hit's span,
    /// and whatever the engine recognises in the message itself, are redacted there too.
    fn redact_message(&self, message: &str, bytes: &[u8], masks: &[Mask]) -> String {
        /// Masks of one span looked at, at most (a statement spanning many secrets).
        const MAX_MASKS: usize = 64;
        let mut out = message.to_string();
        for m in masks.iter().take(MAX_MASKS) {
            let text = String::from_utf8_lossy(&bytes[m.start..m.end]);
            if text.len() >= 4 && out.contains(text.as_ref()) {
                let keep = String::from_utf8_lossy(&bytes[m.start..m.start + m.keep]);
                out = out.replace(text.as_ref(), &finding::redact_secret(&keep));
            }
        }
        let found = self.engine.scan("", out.as_bytes(), &mut Vec::new());
        let mut spans: Vec<Mask> = found.iter().map(|m| self.mask(m, out.as_bytes())).collect();
        spans.sort_unstable_by_key(|m| std::cmp::Reverse(m.start));
        let mut last = usize::MAX;
        for m in spans {
            if m.end > last || !out.is_char_boundary(m.start) || !out.is_char_boundary(m.end) {
                continue;
            }
            let label = finding::redact_secret(out.get(m.start..m.start + m.keep).unwrap_or(""));
            out.replace_range(m.start..m.end, &label);
            last = m.start;
        }
        out
    }

    /// Whether a path (relative, `/`-separated) is to be scanned at all.
    pub fn path_selected(&self, path: &str) -> bool {
        if self.exclude.is_match(path)
            || self.allow_paths.is_match(path)
            || self
                .allow_path_regexes
                .iter()
                .any(|r| r.is_match(path.as_bytes()))
        {
            return false;
        }
        self.include.as_ref().is_none_or(|inc| inc.is_match(path))
    }

    /// The note for a blob over `scan.max_file_size` (`size`: "123 bytes", or empty if unknown).
    pub(crate) fn too_large(&self, path: &str, size: String) -> Diagnostic {
        let size = if size.is_empty() {
            "more than that".to_string()
        } else {
            size
        };
        Diagnostic::new(
            Level::Note,
            Some(path),
            format!(
                "skipped: {size} is over the {}-byte limit (scan.max_file_size)",
                self.config.max_file_size
            ),
        )
    }

    /// Scan one blob. `path` is what findings report; `bytes` is the whole content.
    pub fn scan_bytes(&self, path: &str, bytes: &[u8]) -> BlobScan {
        self.scan_bytes_within(path, bytes, None)
    }

    /// Like [`scan_bytes`](Self::scan_bytes), but only secrets that can touch `lines` (1-based
    /// inclusive ranges, sorted: the lines a change adds) are looked for; see
    /// [`secrets::Windows`]. Findings elsewhere may still be returned: callers filter by line.
    pub fn scan_bytes_within(
        &self,
        path: &str,
        bytes: &[u8],
        added: Option<&[(usize, usize)]>,
    ) -> BlobScan {
        let mut out = BlobScan::default();
        if bytes.len() as u64 > self.config.max_file_size {
            out.diagnostics
                .push(self.too_large(path, format!("{} bytes", bytes.len())));
            return out;
        }
        if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
            out.diagnostics.push(Diagnostic::new(
                Level::Note,
                Some(path),
                "skipped: binary file (NUL byte in the first 8 KiB)",
            ));
            return out;
        }
        out.scanned = true;
        let lines = LineIndex::new(bytes);
        let cap = self.config.max_findings_per_file as usize;
        if self.config.secrets {
            let mut errors = Vec::new();
            let windows = added.map(|a| secrets::Windows::from_lines(bytes, lines.starts(), a));
            for m in self
                .engine
                .scan_windows(path, bytes, windows.as_ref(), &mut errors)
            {
                out.masks.push(self.mask(&m, bytes));
                if out.findings.len() >= cap {
                    out.capped += 1;
                    continue;
                }
                let rule = &self.engine.rules()[m.rule].rule;
                let secret = &bytes[m.start..m.end];
                let hit = SecretHit {
                    rule,
                    start: m.start,
                    end: m.end,
                    secret,
                    facts: m.facts,
                };
                if let Some(f) = self.secret_finding(path, &lines, hit) {
                    out.findings.push(f);
                }
            }
            if self.config.decode_depth > 0 && out.findings.len() < cap {
                let mut budget = decode::MAX_DECODED_PER_BLOB;
                // Encoded segments never span lines: with windows, the added lines are enough.
                let whole = [(0, bytes.len())];
                let regions = windows.as_ref().map_or(&whole[..], |w| &w.narrow[..]);
                for &(ws, we) in regions {
                    self.scan_decoded(
                        path,
                        &bytes[ws..we],
                        &lines,
                        Outer::Blob(ws),
                        1,
                        &mut budget,
                        &mut out,
                        &mut errors,
                    );
                }
            }
            for e in errors {
                out.diagnostics
                    .push(Diagnostic::new(Level::Error, Some(path), e));
            }
        }
        if self.config.policy {
            let secrets = |v: &str| self.recognises_secret(v.as_bytes());
            let outcome = policy::scan_with(path, bytes, None, &secrets);
            for hit in outcome.hits {
                if let Some(r) = hit.secret {
                    out.masks.push(lines.region_mask(r));
                }
                if out.findings.len() >= cap {
                    out.capped += 1;
                    continue;
                }
                if let Some(f) = self.policy_finding(path, &lines, hit) {
                    out.findings.push(f);
                }
            }
            for d in outcome.diagnostics {
                out.diagnostics.push(located(Level::Warning, path, &d));
            }
        }
        if !self.config.ignore_entries.is_empty() {
            let ignored: HashSet<(&str, &str, usize)> = self
                .config
                .ignore_entries
                .iter()
                .map(|e| (e.path.as_str(), e.rule_id.as_str(), e.line))
                .collect();
            out.findings
                .retain(|f| !ignored.contains(&(f.path.as_str(), f.rule_id.as_str(), f.line)));
        }
        if self.config.redact && !self.config.secrets && !out.findings.is_empty() {
            // Policy findings show lines too: what the secret rules recognise there stays hidden.
            let mut errors = Vec::new();
            let spans = self.mask_spans(path, bytes, &mut errors);
            out.masks.extend(spans);
        }
        let masks = Masks::new(std::mem::take(&mut out.masks));
        for f in &mut out.findings {
            self.fill_excerpt(&lines, f, &masks);
        }
        out
    }

    /// A finding's excerpt (its first line, cut around it, every secret on it redacted) and its
    /// UTF-16 columns; once every secret span of the blob is known.
    fn fill_excerpt(&self, lines: &LineIndex<'_>, f: &mut Finding, masks: &Masks) {
        let (ls, le) = lines.range(f.line);
        let start = (ls + f.column.saturating_sub(1)).min(le);
        let end = if f.end_line == f.line {
            (ls + f.end_column.saturating_sub(1)).clamp(start, le)
        } else {
            le
        };
        f.excerpt = finding::excerpt(
            &lines.bytes[ls..le],
            ls,
            (start, end),
            masks,
            self.config.redact,
        );
        if self.config.redact && f.kind == Kind::Policy {
            let span_end = if f.end_line == f.line {
                end
            } else {
                lines.range(f.end_line).1
            };
            f.message = self.redact_message(&f.message, lines.bytes, masks.within(start, span_end));
        }
        let col = lines.utf16_column(f.line, f.column);
        let end_col = lines.utf16_column(f.end_line, f.end_column);
        f.columns_utf16 = (col != f.column || end_col != f.end_column).then_some((col, end_col));
    }

    /// Look through encoded segments of `text` (base64, percent, escapes) for secrets, up to the
    /// configured depth. `outer` is the encoded span in the blob when `text` is itself decoded:
    /// findings always point at the outermost encoded text.
    #[allow(clippy::too_many_arguments)]
    fn scan_decoded(
        &self,
        path: &str,
        text: &[u8],
        lines: &LineIndex<'_>,
        outer: Outer<'_>,
        depth: u8,
        budget: &mut usize,
        out: &mut BlobScan,
        errors: &mut Vec<String>,
    ) {
        for seg in decode::segments(text, budget) {
            let (start, end) = match outer {
                Outer::Blob(base) => (base + seg.start, base + seg.end),
                Outer::Decoded(s, e, _) => (s, e),
            };
            let mut masked = false;
            let chain = match outer {
                Outer::Decoded(_, _, c) => format!("{c}+{}", seg.encoding.as_str()),
                Outer::Blob(_) => seg.encoding.as_str().to_string(),
            };
            for m in self.engine.scan(path, &seg.decoded, errors) {
                if !masked {
                    // The encoded text stands for the secret: it is never shown either.
                    out.masks.push(Mask {
                        start,
                        end,
                        keep: 0,
                    });
                    masked = true;
                }
                if out.findings.len() as u64 >= self.config.max_findings_per_file {
                    out.capped += 1;
                    continue;
                }
                let rule = &self.engine.rules()[m.rule].rule;
                let mut facts = m.facts;
                facts.insert("decoded".to_string(), chain.clone());
                let hit = SecretHit {
                    rule,
                    start,
                    end,
                    secret: &seg.decoded[m.start..m.end],
                    facts,
                };
                if let Some(f) = self.secret_finding(path, lines, hit) {
                    // What a rule already found in plain text on this line is not reported
                    // again from its decoded form.
                    if !lines.reported(&f.rule_id, f.line, f.end_line, &out.findings) {
                        out.findings.push(f);
                    }
                }
            }
            if depth < self.config.decode_depth {
                self.scan_decoded(
                    path,
                    &seg.decoded,
                    lines,
                    Outer::Decoded(start, end, &chain),
                    depth + 1,
                    budget,
                    out,
                    errors,
                );
            }
        }
    }

    fn secret_finding(
        &self,
        path: &str,
        lines: &LineIndex<'_>,
        hit: SecretHit<'_>,
    ) -> Option<Finding> {
        let rule = hit.rule;
        let (line, column) = lines.line_col(hit.start);
        let (end_line, end_column) = lines.line_col(hit.end);
        if rule.confidence < self.config.min_confidence {
            return None;
        }
        if self.line_suppressed(lines, line, end_line, &rule.id) {
            return None;
        }
        let secret = String::from_utf8_lossy(hit.secret).into_owned();
        let fingerprint = finding::fingerprint(&rule.id, path, secret.as_bytes());
        if self.is_accepted(&fingerprint) {
            return None;
        }
        let what = match hit.facts.get("decoded") {
            Some(enc) => format!("{} found ({enc}-encoded).", rule.name),
            None => format!("{} found.", rule.name),
        };
        Some(Finding {
            rule_id: rule.id.clone(),
            title: rule.name.clone(),
            kind: Kind::Secret,
            severity: self.severity(&rule.id, rule.severity),
            confidence: rule.confidence,
            path: path.to_string(),
            line,
            column,
            end_line,
            end_column,
            message: format!("{what} {}", first_sentence(&rule.fix)),
            // Filled in once every secret span of the blob is known.
            excerpt: String::new(),
            columns_utf16: None,
            secret: (!self.config.redact).then_some(secret),
            fingerprint,
            commit: None,
            repository: None,
            extra: hit.facts,
        })
    }

    fn policy_finding(
        &self,
        path: &str,
        lines: &LineIndex<'_>,
        hit: policy::PolicyHit,
    ) -> Option<Finding> {
        let info = self.checks.get(hit.check_id);
        let default_sev = info.map_or(Severity::Medium, |c| c.severity);
        if self.disabled.contains(hit.check_id) {
            return None;
        }
        if self.line_suppressed(lines, hit.line, hit.line, hit.check_id) {
            return None;
        }
        let fingerprint = finding::fingerprint(hit.check_id, path, hit.anchor.as_bytes());
        if self.is_accepted(&fingerprint) {
            return None;
        }
        Some(Finding {
            rule_id: hit.check_id.to_string(),
            title: info.map_or_else(|| hit.check_id.to_string(), |c| c.title.to_string()),
            kind: Kind::Policy,
            severity: self.severity(hit.check_id, default_sev),
            confidence: Confidence::High,
            path: path.to_string(),
            line: hit.line.max(1),
            column: hit.column.max(1),
            end_line: hit.end_line.max(hit.line).max(1),
            end_column: hit.end_column.max(1),
            message: hit.message,
            excerpt: String::new(),
            columns_utf16: None,
            secret: None,
            fingerprint,
            commit: None,
            repository: None,
            extra: Default::default(),
        })
    }

    fn severity(&self, id: &str, default: Severity) -> Severity {
        self.config.severity.get(id).copied().unwrap_or(default)
    }

    fn line_suppressed(&self, lines: &LineIndex<'_>, first: usize, last: usize, id: &str) -> bool {
        // A suppression comment may sit on the finding's line, its last line, or the line before.
        // What each line allows is worked out once per line, however many findings it has.
        let own = |l: usize| {
            lines.with_facts(l, &self.allow_lines, |f| {
                f.inline.allows(id) || f.allowlisted
            })
        };
        own(first)
            || (last != first && own(last))
            || (first > 1
                && lines.with_facts(first - 1, &self.allow_lines, |f| {
                    // The line before only counts when it holds nothing but a comment.
                    f.comment_only && f.inline.allows(id)
                }))
    }
}

/// Where decoded text sits: `Blob(offset)` — the text is the blob from `offset` on; `Decoded(start,
/// end, chain)` — it was decoded from the blob's `start..end`, through the encodings of `chain`.
#[derive(Clone, Copy)]
enum Outer<'a> {
    Blob(usize),
    Decoded(usize, usize, &'a str),
}

/// A secret located in a blob: `start..end` is what the finding points at (the encoded text,
/// when it was encoded), `secret` the value (decoded, when it was encoded).
struct SecretHit<'a> {
    rule: &'a Rule,
    start: usize,
    end: usize,
    secret: &'a [u8],
    facts: std::collections::BTreeMap<String, String>,
}

/// A diagnostic from a message that may start with `line:col: ` (as the policy parsers write it).
fn located(level: Level, path: &str, message: &str) -> Diagnostic {
    let mut rest = message;
    let mut nums = Vec::new();
    while nums.len() < 2 {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || rest.as_bytes().get(digits) != Some(&b':') {
            break;
        }
        nums.push(rest[..digits].parse::<usize>().unwrap_or(0));
        rest = &rest[digits + 1..];
    }
    let d = Diagnostic::new(level, Some(path), rest.trim_start());
    match nums[..] {
        [l, c] => d.at(l, Some(c)),
        [l] => d.at(l, None),
        _ => Diagnostic::new(level, Some(path), message),
    }
}

/// Whether a line holds nothing but a comment (looks at its first bytes only).
fn is_comment_only(line: &[u8]) -> bool {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let t = &line[start..];
    [
        &b"#"[..],
        b"//",
        b"--",
        b"/*",
        b"*",
        b"<!--",
        b";",
        b"%",
        b"'",
        b"rem ",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// The first sentence of a rule's fix (what messages and the text report's fix block show).
pub(crate) fn first_sentence(text: &str) -> &str {
    let t = text.trim();
    match t.find(". ") {
        Some(i) => &t[..=i],
        None => t,
    }
}

fn globs(patterns: &[String]) -> Result<GlobSet, Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| Error::Other(format!("invalid glob `{p}`: {e}")))?);
    }
    b.build().map_err(|e| Error::Other(e.to_string()))
}

/// Byte offsets of line starts, built on first use (only blobs with findings pay for it), and
/// what is worked out once per line for all of its findings.
pub(crate) struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: std::cell::OnceCell<Vec<usize>>,
    facts: std::cell::RefCell<HashMap<usize, LineFacts>>,
    utf16: std::cell::RefCell<HashMap<usize, finding::Utf16Columns>>,
    /// (rule id, line) of every line a finding covers, for [`LineIndex::reported`].
    reported: std::cell::RefCell<(usize, HashSet<(String, usize)>)>,
}

/// What suppression needs to know about one line.
struct LineFacts {
    inline: suppress::InlineAllow,
    comment_only: bool,
    /// An `[allowlist] lines` regex matches the line.
    allowlisted: bool,
}

/// Lines of one finding recorded for [`LineIndex::reported`] at most (a longer finding is
/// recorded by its first and last lines).
const MAX_RECORDED_LINES: usize = 64;

impl<'a> LineIndex<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineIndex {
            bytes,
            starts: std::cell::OnceCell::new(),
            facts: Default::default(),
            utf16: Default::default(),
            reported: Default::default(),
        }
    }

    /// Byte range of a 1-based line, without its line ending.
    pub(crate) fn range(&self, line: usize) -> (usize, usize) {
        let starts = self.starts();
        let Some(&start) = starts.get(line.saturating_sub(1)) else {
            return (self.bytes.len(), self.bytes.len());
        };
        (start, start + self.line(line).len())
    }

    /// The blob bytes a policy region covers, as a mask that shows nothing.
    fn region_mask(&self, r: policy::Region) -> Mask {
        let offset = |line: usize, col: usize| {
            let (s, e) = self.range(line.max(1));
            (s + col.saturating_sub(1)).min(e)
        };
        Mask {
            start: offset(r.line, r.column),
            end: offset(r.end_line.max(r.line), r.end_column),
            keep: 0,
        }
    }

    fn with_facts<T>(
        &self,
        line: usize,
        allow_lines: &[Regex],
        f: impl FnOnce(&LineFacts) -> T,
    ) -> T {
        let mut facts = self.facts.borrow_mut();
        let entry = facts.entry(line).or_insert_with(|| {
            let text = self.line(line);
            LineFacts {
                inline: suppress::InlineAllow::parse(text),
                comment_only: is_comment_only(text),
                allowlisted: allow_lines.iter().any(|r| r.is_match(text)),
            }
        });
        f(entry)
    }

    /// 1-based UTF-16 column of a 1-based byte column of a line.
    fn utf16_column(&self, line: usize, col: usize) -> usize {
        let mut cache = self.utf16.borrow_mut();
        cache
            .entry(line)
            .or_insert_with(|| finding::Utf16Columns::new(self.line(line)))
            .column(col)
    }

    /// Whether a finding of `rule_id` among `findings` (pushed in order; new ones are indexed on
    /// each call) already covers a line of `first..=last`. O(1) per line, however many findings.
    fn reported(&self, rule_id: &str, first: usize, last: usize, findings: &[Finding]) -> bool {
        let mut state = self.reported.borrow_mut();
        let (seen, set) = &mut *state;
        for f in &findings[(*seen).min(findings.len())..] {
            let end = f.end_line.max(f.line);
            if end - f.line < MAX_RECORDED_LINES {
                for l in f.line..=end {
                    set.insert((f.rule_id.clone(), l));
                }
            } else {
                set.insert((f.rule_id.clone(), f.line));
                set.insert((f.rule_id.clone(), end));
            }
        }
        *seen = findings.len();
        let probe = |l: usize| set.contains(&(rule_id.to_string(), l));
        if last - first < MAX_RECORDED_LINES {
            (first..=last).any(probe)
        } else {
            probe(first) || probe(last)
        }
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let mut v = vec![0];
            v.extend(memchr::memchr_iter(b'\n', self.bytes).map(|i| i + 1));
            v
        })
    }

    /// 1-based (line, column) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.starts();
        let line = starts.partition_point(|&s| s <= offset).max(1);
        (line, offset - starts[line - 1] + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub(crate) fn line(&self, line: usize) -> &'a [u8] {
        let starts = self.starts();
        let Some(&start) = starts.get(line.saturating_sub(1)) else {
            return &[];
        };
        let end = starts.get(line).map_or(self.bytes.len(), |&e| e);
        let l = &self.bytes[start..end];
        let l = l.strip_suffix(b"\n").unwrap_or(l);
        l.strip_suffix(b"\r").unwrap_or(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_display_in_one_style() {
        let d = located(Level::Warning, "a.json", "3:4: unexpected `}`");
        assert_eq!(d.to_string(), "warning: a.json:3:4: unexpected `}`");
        let d = located(Level::Warning, "a.yml", "12: bad indent");
        assert_eq!(d.to_string(), "warning: a.yml:12: bad indent");
        // Control: a message without a location keeps its text whole, the path once.
        let d = located(Level::Error, "b.tf", "10 resources: parse error");
        assert_eq!(d.to_string(), "error: b.tf: 10 resources: parse error");
        let d = Diagnostic::new(Level::Note, None, "whole scan");
        assert_eq!(d.to_string(), "note: whole scan");
    }

    #[test]
    fn exit_code_is_2_on_any_error_even_with_findings() {
        let mut r = Report::default();
        assert_eq!(r.exit_code(Severity::Low), 0);
        r.diagnostics
            .push(Diagnostic::new(Level::Warning, Some("a"), "partial"));
        assert_eq!(r.exit_code(Severity::Low), 0);
        r.diagnostics
            .push(Diagnostic::new(Level::Error, Some("b"), "unreadable"));
        assert_eq!(r.exit_code(Severity::Low), 2);
    }

    #[test]
    fn line_index_maps_offsets() {
        let idx = LineIndex::new(b"ab\r\ncd\n\nef");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(5), (2, 2));
        assert_eq!(idx.line(1), b"ab");
        assert_eq!(idx.line(4), b"ef");
        assert_eq!(idx.line(9), b"");
    }
}
