//! The secret engine: rules as data, one keyword pass, then only the regexes that can match.
//!
//! One case-insensitive pass over every rule's keywords (module `keywords`) decides which rules can
//! match a blob; only those rules' `regex::bytes` patterns run (compiled on first use, so start-up
//! stays cheap for the hook). Each capture then goes through the rule's entropy floor, validator and
//! allowlist, and the shared placeholder allowlist.

pub mod check;
pub mod decode;
mod keywords;
pub mod rule;
mod shape;
pub mod validate;

use crate::error::Error;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use regex_automata::meta::Regex as RuleRegex;
pub use rule::{Rule, RuleAllowlist};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
pub use validate::Validator;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));
}

/// Where a rule came from, for error messages.
#[derive(Debug, Clone)]
pub struct RuleSource {
    /// File the rule is written in.
    pub file: String,
    /// 1-based line of the rule's table, when known.
    pub line: Option<usize>,
    /// [`shape::max_line_ends`] of the pattern, when already worked out (at build time, for the
    /// built-in rules); `None` means "not yet", `Some(None)` "unbounded".
    pub(crate) line_ends: Option<Option<u32>>,
}

/// The id of every built-in rule, without parsing the rules.
pub fn builtin_rule_ids() -> &'static [&'static str] {
    embedded::RULE_IDS
}

/// Every built-in rule, parsed from the embedded TOML files.
pub fn builtin_rules() -> Result<Vec<(Rule, RuleSource)>, Error> {
    #[derive(serde::Deserialize)]
    struct Entry {
        line: usize,
        rule: Rule,
        line_ends: Option<u32>,
    }
    let mut out = Vec::new();
    for (name, json) in embedded::RULE_FILES {
        let file = format!("crates/core/rules/secrets/{name}");
        let entries: Vec<Entry> = serde_json::from_str(json).map_err(|e| Error::Config {
            file: file.clone(),
            line: 1,
            column: 1,
            message: format!("invalid rule: {e}"),
        })?;
        out.extend(entries.into_iter().map(|e| {
            (
                e.rule,
                RuleSource {
                    file: file.clone(),
                    line: Some(e.line),
                    line_ends: Some(e.line_ends),
                },
            )
        }));
    }
    Ok(out)
}

/// Parse a file of `[[rule]]` entries.
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<(Rule, RuleSource)>, Error> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SpannedFile {
        #[serde(default)]
        rule: Vec<toml::Spanned<Rule>>,
    }
    let parsed: SpannedFile =
        toml::from_str(text).map_err(|e| Error::config_toml(file, text, &e))?;
    let mut lines = crate::config::Lines::new(text);
    Ok(parsed
        .rule
        .into_iter()
        .map(|s| {
            let line = lines.line_of(s.span().start);
            (
                s.into_inner(),
                RuleSource {
                    file: file.to_string(),
                    line: Some(line),
                    line_ends: None,
                },
            )
        })
        .collect())
}

/// A problem with a rule's definition, found by [`lint_rule`].
#[derive(Debug, Clone)]
pub struct RuleProblem {
    pub rule_id: String,
    pub message: String,
}

/// The rule's pattern parsed, or what is wrong with it (a syntax error, the wrong number of
/// capture groups for its `secret_group`).
fn parse_rule_pattern(rule: &Rule) -> Result<regex_syntax::hir::Hir, String> {
    let hir = rule::parser()
        .parse(&rule.pattern)
        .map_err(|e| format!("pattern does not compile: {e}"))?;
    let groups = hir.properties().explicit_captures_len();
    match rule.secret_group {
        None if groups != 1 => Err(format!(
            "pattern must have exactly one capture group (the secret), it has {groups}; use (?:...) for the others"
        )),
        Some(g) if g > groups => Err(format!(
            "secret_group is {g} but the pattern has only {groups} capture group(s)"
        )),
        _ => Ok(hir),
    }
}

/// Static checks on a rule: one capture group, valid regex, keywords, docs, validator name.
/// Examples are checked by running them through an engine (see [`check_examples`]).
pub fn lint_rule(rule: &Rule) -> Vec<String> {
    let mut problems = Vec::new();
    let id_ok = !rule.id.is_empty()
        && rule
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !rule.id.starts_with('-')
        && !rule.id.ends_with('-');
    if !id_ok {
        problems.push("id must be kebab-case: lowercase letters, digits and `-`".to_string());
    }
    // Parsing finds every error a user can fix in the pattern; compiling it (which the scan does
    // on first use, and the catalogue test does for every built-in rule) costs ten times more.
    if let Err(problem) = parse_rule_pattern(rule) {
        problems.push(problem);
    }
    for (what, re) in rule
        .allowlist
        .regexes
        .iter()
        .map(|r| ("allowlist regex", r))
    {
        if let Err(e) = rule::check_pattern(re) {
            problems.push(format!("{what} `{re}` does not compile: {e}"));
        }
    }
    if rule.keywords.iter().any(|k| k.trim().len() < 2) {
        problems.push("every keyword must have at least 2 characters".to_string());
    }
    if let Some(v) = &rule.validator {
        if Validator::parse(v).is_none() {
            problems.push(format!(
                "unknown validator `{v}` (known: {})",
                Validator::NAMES.join(", ")
            ));
        }
    }
    if let Some(e) = rule.min_entropy {
        if !(0.0..=8.0).contains(&e) {
            problems.push(format!("min_entropy {e} is outside 0..=8 bits per byte"));
        }
    }
    for (field, value) in [
        ("name", &rule.name),
        ("description", &rule.description),
        ("fix", &rule.fix),
    ] {
        if value.trim().is_empty() {
            problems.push(format!("{field} must not be empty"));
        }
    }
    if rule.examples.is_empty() {
        problems.push("at least one example is required".to_string());
    }
    if rule.negative_examples.is_empty() {
        problems.push("at least one negative example is required".to_string());
    }
    for ex in rule.examples.iter().filter(|_| !rule.keywords.is_empty()) {
        let lower = ex.to_ascii_lowercase();
        if !rule
            .keywords
            .iter()
            .any(|k| lower.contains(&k.to_ascii_lowercase()))
        {
            problems.push(format!("example contains none of the keywords: {ex:?}"));
        }
    }
    for p in &rule.paths {
        if let Err(e) = Glob::new(p) {
            problems.push(format!("path glob `{p}` is invalid: {e}"));
        }
    }
    for p in rule.path_pattern.iter().chain(&rule.allowlist.paths) {
        if let Err(e) = rule::check_pattern(p) {
            problems.push(format!("path regex `{p}` does not compile: {e}"));
        }
    }
    problems
}

/// The shared placeholder/stopword allowlist applied to captured secrets.
#[derive(Debug, Default)]
pub struct SecretAllowlist {
    stopwords: Option<AhoCorasick>,
    patterns: Vec<String>,
    /// `patterns`, compiled when a first capture is checked (most hook runs never get there).
    regexes: OnceLock<Vec<Regex>>,
}

impl SecretAllowlist {
    /// Fails on a regex that does not parse; compiling waits until one is needed.
    pub fn new(stopwords: &[String], regexes: &[String]) -> Result<Self, regex::Error> {
        let stopwords = if stopwords.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(stopwords)
                    .expect("stopword automaton builds from plain literals"),
            )
        };
        for r in regexes {
            rule::check_pattern(r)?;
        }
        Ok(Self {
            stopwords,
            patterns: regexes.to_vec(),
            regexes: OnceLock::new(),
        })
    }

    /// True when the secret is a placeholder or otherwise allowlisted.
    pub fn allows(&self, secret: &[u8]) -> bool {
        self.stopwords
            .as_ref()
            .is_some_and(|ac| ac.is_match(secret))
            || self
                .regexes
                .get_or_init(|| {
                    // Parsed in `new`; a pattern over the size limit allows nothing.
                    let compiled = self.patterns.iter().map(|r| rule::compile_pattern(r));
                    compiled.filter_map(Result::ok).collect()
                })
                .iter()
                .any(|r| r.is_match(secret))
    }
}

/// A rule ready to run.
#[derive(Debug)]
pub struct CompiledRule {
    pub rule: Rule,
    pub source: RuleSource,
    /// The pattern, compiled on first use (see [`rule::compile_rule_regex`]).
    regex: OnceLock<Result<RuleRegex, String>>,
    validator: Option<Validator>,
    allowlist: OnceLock<SecretAllowlist>,
    paths: Option<GlobSet>,
    path_regex: Option<Regex>,
    allow_path_regexes: Vec<Regex>,
    /// How many line ends a match can span ([`shape::max_line_ends`]; `None`: unbounded).
    /// A bounded rule runs only on the lines around its keywords' hits.
    line_ends: OnceLock<Option<u32>>,
    /// The fixed literal prefixes every secret of this rule starts with (`ghp_`, `AKIA`), which a
    /// redacted excerpt may show; worked out on first use.
    prefixes: OnceLock<Vec<Vec<u8>>>,
}

impl CompiledRule {
    /// Prepare a rule; the regex itself compiles on first use. With `eager` (users' rules), the
    /// pattern, allowlist and validator are checked now, so that a mistake is an error naming the
    /// rule before anything is scanned.
    pub fn new(rule: Rule, source: RuleSource, eager: bool) -> Result<Self, Error> {
        let (file, line, rule_id) = (source.file.clone(), source.line, rule.id.clone());
        let fail = move |message: String| Error::Rule {
            file: file.clone(),
            line,
            rule_id: rule_id.clone(),
            message,
        };
        let validator = match &rule.validator {
            None => None,
            Some(v) => Some(Validator::parse(v).ok_or_else(|| {
                fail(format!(
                    "unknown validator `{v}` (known: {})",
                    Validator::NAMES.join(", ")
                ))
            })?),
        };
        // Allowlists compile on first use (start-up matters for the hook); users' regexes are
        // parsed now, so that a typo is an error with the rule's name.
        let allowlist = OnceLock::new();
        if eager {
            for r in &rule.allowlist.regexes {
                rule::check_pattern(r)
                    .map_err(|e| fail(format!("allowlist regex does not compile: {e}")))?;
            }
        }
        let paths = if rule.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &rule.paths {
                b.add(Glob::new(p).map_err(|e| fail(format!("path glob `{p}`: {e}")))?);
            }
            Some(b.build().map_err(|e| fail(e.to_string()))?)
        };
        let path_regex = match &rule.path_pattern {
            Some(p) => Some(
                rule::compile_pattern(p)
                    .map_err(|e| fail(format!("path_pattern does not compile: {e}")))?,
            ),
            None => None,
        };
        let allow_path_regexes = rule
            .allowlist
            .paths
            .iter()
            .map(|p| rule::compile_pattern(p))
            .collect::<Result<_, _>>()
            .map_err(|e| fail(format!("allowlist path regex does not compile: {e}")))?;
        let compiled = Self {
            regex: OnceLock::new(),
            validator,
            allowlist,
            paths,
            path_regex,
            allow_path_regexes,
            line_ends: source.line_ends.map_or_else(OnceLock::new, OnceLock::from),
            prefixes: OnceLock::new(),
            rule,
            source,
        };
        if eager {
            // One parse checks the pattern and bounds its matches' lines.
            let hir = parse_rule_pattern(&compiled.rule).map_err(fail)?;
            let _ = compiled.line_ends.set(shape::line_ends(&hir));
        }
        Ok(compiled)
    }

    /// Whether the rule runs on this path (its `paths` globs, `path_pattern`, allowlisted paths).
    pub fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|g| g.is_match(path))
            && self
                .path_regex
                .as_ref()
                .is_none_or(|r| r.is_match(path.as_bytes()))
            && !self
                .allow_path_regexes
                .iter()
                .any(|r| r.is_match(path.as_bytes()))
    }

    fn allowlist(&self) -> &SecretAllowlist {
        self.allowlist.get_or_init(|| {
            // Built-in allowlists are compiled by the catalogue test; an invalid one allows nothing.
            SecretAllowlist::new(&self.rule.allowlist.stopwords, &self.rule.allowlist.regexes)
                .unwrap_or_default()
        })
    }

    /// How many lines either side of a keyword's line a match can reach, when few enough for
    /// the rule to run on those lines alone.
    fn line_span(&self) -> Option<u32> {
        let ends = self
            .line_ends
            .get_or_init(|| shape::max_line_ends(&self.rule.pattern));
        ends.filter(|&n| n <= MAX_LINE_SPAN)
    }

    /// No match can span lines.
    fn line_local(&self) -> bool {
        self.line_span() == Some(0)
    }

    /// How many leading bytes of `secret` a redacted excerpt may show: the literal prefix the
    /// rule's pattern fixes for its secret (`ghp_`, `AKIA`, `xoxb-`), at most 11 bytes and a third
    /// of the secret. Generic rules fix nothing, so their secrets are masked entirely.
    pub fn shown_prefix(&self, secret: &[u8]) -> usize {
        let prefixes = self.prefixes.get_or_init(|| {
            literal_prefixes(&self.rule.pattern, self.rule.secret_group.unwrap_or(1))
        });
        prefixes
            .iter()
            .filter(|p| secret.starts_with(p))
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .min(11)
            .min(secret.len() / 3)
    }

    /// The compiled pattern; `lite` chooses the build on first use.
    fn regex(&self, lite: bool) -> Result<&RuleRegex, &str> {
        self.regex
            .get_or_init(|| rule::compile_rule_regex(&self.rule.pattern, lite))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// A raw match of one rule in one blob, before suppression.
#[derive(Debug, Clone)]
pub struct SecretMatch {
    pub rule: usize,
    /// Byte range of the captured secret.
    pub start: usize,
    pub end: usize,
    pub facts: BTreeMap<String, String>,
}

/// The parts of a blob worth scanning when only some of its lines matter (the lines a commit
/// adds). A match of a line-local rule lies within one line, so it can touch those lines only
/// when it lies within `narrow` (exactly those lines); a match that may span lines (a PEM block)
/// can start before or end after them, so such rules see `wide`: the same lines with
/// [`Windows::MARGIN`] bytes of context either side. Ranges are sorted, disjoint byte ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Windows {
    pub narrow: Vec<(usize, usize)>,
    pub wide: Vec<(usize, usize)>,
}

impl Windows {
    /// Context around the lines for rules whose matches can span lines: a PEM private key of
    /// 16,384-bit RSA (the largest in use) is about 12.7 KB, so a key touching one of the lines
    /// starts and ends within this distance of it.
    pub const MARGIN: usize = 16 << 10;

    /// Windows over the 1-based inclusive line ranges `lines` (sorted) of `bytes`, given the
    /// offsets where its lines start (`line_starts[0] == 0`).
    pub fn from_lines(bytes: &[u8], line_starts: &[usize], lines: &[(usize, usize)]) -> Self {
        let line_start = |l: usize| line_starts.get(l - 1).copied().unwrap_or(bytes.len());
        let mut narrow: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
        for &(first, last) in lines {
            let (s, e) = (line_start(first.max(1)), line_start(last.max(1) + 1));
            match narrow.last_mut() {
                Some(prev) if s <= prev.1 => prev.1 = prev.1.max(e),
                _ if s < e => narrow.push((s, e)),
                _ => {}
            }
        }
        let mut wide: Vec<(usize, usize)> = Vec::with_capacity(narrow.len());
        for &(s, e) in &narrow {
            // Widen to whole lines, so that a keyword or a match is never cut at the edge.
            let s = s.saturating_sub(Self::MARGIN);
            let s = memchr::memrchr(b'\n', &bytes[..s]).map_or(0, |p| p + 1);
            let e = (e + Self::MARGIN).min(bytes.len());
            let e = memchr::memchr(b'\n', &bytes[e..]).map_or(bytes.len(), |p| e + p + 1);
            match wide.last_mut() {
                Some(prev) if s <= prev.1 => prev.1 = prev.1.max(e),
                _ => wide.push((s, e)),
            }
        }
        Windows { narrow, wide }
    }

    fn narrow_contains(&self, at: usize) -> bool {
        let i = self.narrow.partition_point(|&(_, e)| e <= at);
        self.narrow.get(i).is_some_and(|&(s, _)| s <= at)
    }
}

/// All rules, the keyword set and the shared allowlist.
#[derive(Debug)]
pub struct SecretEngine {
    rules: Vec<CompiledRule>,
    /// Every distinct keyword (lowercased), searched in one pass.
    keywords: keywords::KeywordSet,
    /// keyword index → rules that list it.
    keyword_rules: Vec<Vec<u32>>,
    /// Rules without keywords (imported ones): they run on every blob.
    always: Vec<u32>,
    /// Per rule, the first rule with the same pattern and secret group (often itself).
    twin_of: Vec<u32>,
    /// Per rule, whether another rule is its twin (its regex runs are remembered per blob).
    has_twins: Vec<bool>,
    /// Nanoseconds spent in each rule's regex, when profiling (`PIPEGUARD_PROFILE_RULES=1`).
    timings: Option<Vec<AtomicU64>>,
    shared_allowlist: SecretAllowlist,
    /// Compile rules' regexes light (see [`SecretEngine::prefer_light_regexes`]).
    lite: bool,
}

impl SecretEngine {
    pub fn new(rules: Vec<CompiledRule>, shared_allowlist: SecretAllowlist) -> Self {
        let mut words: Vec<String> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.rule.keywords.is_empty() {
                always.push(i as u32);
            }
            for k in &r.rule.keywords {
                let k = k.to_ascii_lowercase();
                let slot = *index.entry(k.clone()).or_insert_with(|| {
                    words.push(k);
                    keyword_rules.push(Vec::new());
                    words.len() - 1
                });
                keyword_rules[slot].push(i as u32);
            }
        }
        let mut first: std::collections::HashMap<(&str, Option<usize>), u32> = Default::default();
        let twin_of: Vec<u32> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                *first
                    .entry((r.rule.pattern.as_str(), r.rule.secret_group))
                    .or_insert(i as u32)
            })
            .collect();
        let mut has_twins = vec![false; rules.len()];
        for (i, &t) in twin_of.iter().enumerate() {
            if t as usize != i {
                has_twins[t as usize] = true;
            }
        }
        drop(first);
        Self {
            twin_of,
            has_twins,
            rules,
            keywords: keywords::KeywordSet::new(&words),
            timings: None,
            keyword_rules,
            always,
            shared_allowlist,
            lite: false,
        }
    }

    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// With `PIPEGUARD_PROFILE_RULES` set: `(rule id, time in its regex)`, slowest first.
    /// Start recording the time spent in each rule (see [`SecretEngine::rule_timings`]).
    /// Build rules' regexes for short inputs (a commit's added lines): no literal prefilters,
    /// which would not repay their construction there. A one-shot hook compiles a dozen rules
    /// and searches a few KB; a sweep searches gigabytes with the same rules.
    pub fn prefer_light_regexes(&mut self) {
        self.lite = true;
    }

    pub fn profile(&mut self) {
        self.timings = Some((0..self.rules.len()).map(|_| AtomicU64::new(0)).collect());
    }

    pub fn rule_timings(&self) -> Vec<(String, std::time::Duration)> {
        let Some(t) = &self.timings else {
            return Vec::new();
        };
        let mut v: Vec<_> = self
            .rules
            .iter()
            .zip(t)
            .map(|(r, t)| {
                (
                    r.rule.id.clone(),
                    std::time::Duration::from_nanos(t.load(Ordering::Relaxed)),
                )
            })
            .filter(|(_, d)| !d.is_zero())
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        v
    }

    /// Find every secret in `bytes`. Errors (a built-in regex that fails to compile) are returned
    /// as messages so that the scan can go on and the binary can still exit 2.
    pub fn scan(&self, path: &str, bytes: &[u8], errors: &mut Vec<String>) -> Vec<SecretMatch> {
        self.scan_windows(path, bytes, None, errors)
    }

    /// Like [`scan`](Self::scan), but only matches that can touch `windows.narrow` are looked
    /// for (see [`Windows`]): what a hook needs for the lines a commit adds to a large file.
    pub fn scan_windows(
        &self,
        path: &str,
        bytes: &[u8],
        windows: Option<&Windows>,
        errors: &mut Vec<String>,
    ) -> Vec<SecretMatch> {
        // Keyword hits, per keyword and capped: one push per hit, whatever the number of rules
        // that share the keyword.
        let mut slot_of = vec![u32::MAX; self.keyword_rules.len()];
        let mut hits: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut record = |k: usize, start: usize| match slot_of[k] {
            u32::MAX => {
                slot_of[k] = hits.len() as u32;
                hits.push((k, vec![start]));
            }
            slot => {
                let h = &mut hits[slot as usize].1;
                if h.len() <= MAX_WINDOWS {
                    h.push(start);
                }
            }
        };
        match windows {
            None => self.keywords.for_each(bytes, &mut record),
            Some(w) => {
                for &(ws, we) in &w.wide {
                    self.keywords
                        .for_each(&bytes[ws..we], |k, start| record(k, ws + start));
                }
            }
        }
        // (rule, slot) picks, sparse so that a blob costs nothing for the rules it does not
        // select: the rule runs on the lines of the hits in `slot` (line-local rules, few hits),
        // or on the whole blob (`WHOLE`).
        if let Some(w) = windows {
            // Line-local rules only care about hits on the narrow windows' lines.
            for (_, positions) in &mut hits {
                if positions.len() <= MAX_WINDOWS {
                    positions.retain(|&p| w.narrow_contains(p));
                }
            }
        }
        let mut picks: Vec<Pick> = self.always.iter().map(|&r| (r, WHOLE)).collect();
        for (slot, (k, positions)) in hits.iter().enumerate() {
            let overflow = positions.len() > MAX_WINDOWS;
            for &r in &self.keyword_rules[*k] {
                // With windows, only line-local rules look at the narrow ones alone.
                let span = self.rules[r as usize].line_span();
                if overflow || span.is_none() || (windows.is_some() && span != Some(0)) {
                    picks.push((r, WHOLE));
                } else if !positions.is_empty() {
                    picks.push((r, slot as u32));
                }
                // Else windowed, and this keyword is only outside the narrow windows.
            }
        }
        let mut out = Vec::new();
        if picks.is_empty() {
            return out;
        }
        picks.sort_unstable();
        picks.dedup();
        // (twin, selection, captures) of the regex runs so far: rules with the same pattern
        // share one compiled regex and one run per selection.
        let mut ran: Vec<(usize, &[Pick], Ranges)> = Vec::new();
        for group in picks.chunk_by(|a, b| a.0 == b.0) {
            let i = group[0].0 as usize;
            let rule = &self.rules[i];
            if !rule.applies_to(path) {
                continue;
            }
            // WHOLE sorts last and covers the rule's other slots.
            let selection = match group.last() {
                Some(&(_, WHOLE)) => &group[group.len() - 1..],
                _ => group,
            };
            let twin = self.twin_of[i] as usize;
            let group_index = rule.rule.secret_group.unwrap_or(1);
            let started = self.timings.as_ref().map(|_| std::time::Instant::now());
            let re = match self.rules[twin].regex(self.lite) {
                Ok(re) => re,
                Err(e) => {
                    errors.push(format!(
                        "rule {}: pattern does not compile: {e}",
                        rule.rule.id
                    ));
                    continue;
                }
            };
            let same = |s: &[Pick]| s.iter().map(|p| p.1).eq(selection.iter().map(|p| p.1));
            let memo = self.has_twins[twin]
                .then(|| ran.iter().position(|(t, s, _)| *t == twin && same(s)))
                .flatten();
            let captured = match memo {
                Some(m) => &ran[m].2,
                None => {
                    let regions = self.regions(rule, bytes, windows, &hits, selection);
                    let mut caps = Vec::new();
                    for &(ws, we) in &regions {
                        for c in re.captures_iter(&bytes[ws..we]) {
                            if let Some(m) = c.get_group(group_index).filter(|m| !m.is_empty()) {
                                caps.push((ws + m.start, ws + m.end));
                            }
                        }
                    }
                    ran.push((twin, selection, caps));
                    &ran[ran.len() - 1].2
                }
            };
            for &(start, end) in captured {
                if let Some(facts) = self.accept(rule, &bytes[start..end]) {
                    out.push(SecretMatch {
                        rule: i,
                        start,
                        end,
                        facts,
                    });
                }
            }
            if let (Some(t), Some(started)) = (&self.timings, started) {
                t[i].fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
            }
        }
        dedup_overlaps(&mut out, &self.rules);
        out
    }

    /// Where a rule's regex runs for a selection of its keywords' hits (see `scan_windows`).
    fn regions(
        &self,
        rule: &CompiledRule,
        bytes: &[u8],
        windows: Option<&Windows>,
        hits: &[(usize, Vec<usize>)],
        selection: &[Pick],
    ) -> Ranges {
        let whole = || match windows {
            None => vec![(0, bytes.len())],
            Some(w) if rule.line_local() => w.narrow.clone(),
            Some(w) => w.wide.clone(),
        };
        if selection.iter().any(|p| p.1 == WHOLE) {
            return whole();
        }
        let positions: Vec<usize> = selection
            .iter()
            .flat_map(|p| hits[p.1 as usize].1.iter().copied())
            .collect();
        if positions.len() > MAX_WINDOWS {
            whole()
        } else {
            line_windows(bytes, &positions, rule.line_span().unwrap_or(0))
        }
    }

    fn accept(&self, rule: &CompiledRule, secret: &[u8]) -> Option<BTreeMap<String, String>> {
        if let Some(min) = rule.rule.min_entropy {
            if validate::shannon_entropy(secret) < min {
                return None;
            }
        }
        if rule.allowlist().allows(secret) {
            return None;
        }
        if rule.rule.placeholder_filter
            && (low_variety(secret) || self.shared_allowlist.allows(secret))
        {
            return None;
        }
        match rule.validator {
            Some(v) => v.check(secret),
            None => Some(BTreeMap::new()),
        }
    }
}

/// A capture made of at most three distinct bytes (`xxxxxxxx`, `000000`, `ababab`) is a
/// placeholder whatever its length.
fn low_variety(secret: &[u8]) -> bool {
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in secret {
        if !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
            if distinct > 3 {
                return false;
            }
        }
    }
    true
}

/// Byte ranges in a blob.
type Ranges = Vec<(usize, usize)>;

/// A rule picked for a blob: (rule, slot of the keyword whose hits' lines it runs on).
type Pick = (u32, u32);

/// A pick's slot meaning "the whole blob" (or all windows), not the lines of one keyword's hits.
const WHOLE: u32 = u32::MAX;

/// Rules whose matches can span more line ends than this run on whole blobs.
const MAX_LINE_SPAN: u32 = 4;

/// Past this many keyword hits, a line-local rule runs over the whole blob.
const MAX_WINDOWS: usize = 1 << 16;

/// The lines holding `hits` and `around` lines either side, merged, as byte ranges without
/// their final line end.
fn line_windows(bytes: &[u8], hits: &[usize], around: u32) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(hits.len());
    let mut sorted = hits.to_vec();
    sorted.sort_unstable();
    for h in sorted {
        if around == 0 && out.last().is_some_and(|&(_, e)| h < e) {
            continue;
        }
        let mut start = memchr::memrchr(b'\n', &bytes[..h]).map_or(0, |p| p + 1);
        let mut end = memchr::memchr(b'\n', &bytes[h..]).map_or(bytes.len(), |p| h + p);
        for _ in 0..around {
            if start > 0 {
                start = memchr::memrchr(b'\n', &bytes[..start - 1]).map_or(0, |p| p + 1);
            }
            if end < bytes.len() {
                end = memchr::memchr(b'\n', &bytes[end + 1..]).map_or(bytes.len(), |p| end + 1 + p);
            }
        }
        match out.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The literal prefixes of capture group `group` of `pattern`: only runs of literal bytes count
/// (classes are never expanded, so no byte the secret chose is ever called a prefix).
fn literal_prefixes(pattern: &str, group: usize) -> Vec<Vec<u8>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::{Hir, HirKind};
    fn find(h: &Hir, group: u32) -> Option<&Hir> {
        match h.kind() {
            HirKind::Capture(c) if c.index == group => Some(&c.sub),
            HirKind::Capture(c) => find(&c.sub, group),
            HirKind::Repetition(r) => find(&r.sub, group),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => {
                hs.iter().find_map(|h| find(h, group))
            }
            _ => None,
        }
    }
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let Some(sub) = find(&hir, group as u32) else {
        return Vec::new();
    };
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_class(1)
        .extract(sub);
    match seq.literals() {
        Some(lits) if lits.iter().all(|l| !l.as_bytes().is_empty()) => {
            lits.iter().map(|l| l.as_bytes().to_vec()).collect()
        }
        _ => Vec::new(),
    }
}

/// How strongly a rule's finding claims a span: a provider rule (runs on any path, not `generic-`)
/// beats a generic or path-limited file-format rule whatever their confidence, since it names the
/// service and how to revoke; then confidence, then severity.
fn rank(rule: &Rule) -> (bool, crate::finding::Confidence, crate::finding::Severity) {
    let specific =
        !rule.id.starts_with("generic-") && rule.paths.is_empty() && rule.path_pattern.is_none();
    (specific, rule.confidence, rule.severity)
}

/// When several rules capture overlapping text, keep the best ranked (see [`rank`]; the one listed
/// first wins ties), so that a generic rule never doubles or hides a specific one.
fn dedup_overlaps(matches: &mut Vec<SecretMatch>, rules: &[CompiledRule]) {
    if matches.len() < 2 {
        return;
    }
    matches.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut keep: Vec<SecretMatch> = Vec::with_capacity(matches.len());
    for m in matches.drain(..) {
        if let Some(prev) = keep
            .iter_mut()
            .rev()
            .take(8)
            .find(|k| k.start < m.end && m.start < k.end)
        {
            let (a, b) = (&rules[prev.rule].rule, &rules[m.rule].rule);
            let better = rank(b) > rank(a);
            if better {
                *prev = m;
            }
            continue;
        }
        keep.push(m);
    }
    *matches = keep;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_builtin_rules_are_line_local() {
        let rules = builtin_rules().unwrap();
        let local = rules
            .iter()
            .filter(|(r, _)| shape::max_line_ends(&r.pattern) == Some(0))
            .count();
        eprintln!("{local} of {} built-in rules are line-local", rules.len());
        assert!(local * 3 > rules.len());
    }

    #[test]
    fn build_time_line_ends_match_the_patterns() {
        for (rule, source) in builtin_rules().unwrap() {
            let ends = shape::max_line_ends(&rule.pattern);
            assert_eq!(source.line_ends, Some(ends), "{}", rule.id);
        }
    }

    #[test]
    fn a_rule_spanning_two_lines_runs_on_the_lines_around_its_keyword() {
        let scanner = crate::scan::Scanner::new(crate::Config::default()).unwrap();
        // Split, so that the source itself holds no seed for the self-scan to report.
        let seed = [
            "SUAQSLOJOLIENSB3IARJFQ43",
            "IQWO73X3UHWQ4I44LSMLWQX5QRZI7PPMXI",
        ]
        .concat();
        let filler = "int x = 1;\n".repeat(500);
        let found = |text: String| {
            let scan = scanner.scan_bytes("user.creds", text.as_bytes());
            let hits = scan
                .findings
                .iter()
                .filter(|f| f.rule_id == "nats-nkey-seed");
            hits.map(|f| f.line).collect::<Vec<_>>()
        };
        let header = "-----BEGIN USER NKEY SEED-----";
        assert_eq!(found(format!("{filler}{header}\n{seed}\n{filler}")), [502]);
        assert_eq!(found(format!("{header}\n{seed}\n{filler}")), [2]);
        // Control: a line further is more than the pattern allows.
        assert!(found(format!("{filler}{header}\n\n{seed}\n{filler}")).is_empty());
    }

    #[test]
    fn rules_sharing_a_pattern_each_run_on_their_own_keywords_lines() {
        // Same pattern, different keywords: one compiled regex, but each rule's run covers the
        // lines of its own keywords (a memo keyed on the pattern alone would lose `beta`'s key).
        let rule = |id: &str, keyword: &str| {
            format!(
                r#"[[rules.custom]]
id = "{id}"
name = "{id}"
severity = "high"
confidence = "high"
keywords = ["{keyword}"]
pattern = '(?:alpha|beta)_key=([a-z0-9]{{12}})'
description = "d"
fix = "f"
examples = ["{keyword}key=abcdefgh1234"]
negative_examples = ["{keyword}key=short"]
"#
            )
        };
        let text = format!(
            "version = 1\n{}{}",
            rule("alpha-key", "alpha_"),
            rule("beta-key", "beta_")
        );
        let config = crate::Config::parse(std::path::Path::new("t.toml"), &text).unwrap();
        let scanner = crate::scan::Scanner::new(config).unwrap();
        let filler = "x = 1\n".repeat(50);
        let blob = format!("{filler}alpha_key=a1b2c3d4e5f6\n{filler}beta_key=z9y8x7w6v5u4\n");
        let scan = scanner.scan_bytes("app.env", blob.as_bytes());
        let mut found: Vec<_> = scan
            .findings
            .iter()
            .filter(|f| f.rule_id == "alpha-key" || f.rule_id == "beta-key")
            .map(|f| (f.rule_id.as_str(), f.line))
            .collect();
        found.sort();
        assert_eq!(found, [("alpha-key", 51), ("beta-key", 102)]);
    }

    #[test]
    fn line_spans_follow_the_pattern() {
        let ends = shape::max_line_ends;
        assert_eq!(ends(r"(?i)token[ \t]*=[ \t]*([a-z0-9]{32})"), Some(0));
        assert_eq!(ends(r"\b(ghp_[A-Za-z0-9]{36})\b"), Some(0));
        assert_eq!(ends(r"key\s*=\s*([a-z]{8})"), None);
        assert_eq!(ends(r"(?s)BEGIN(.{64,}?)END"), None);
        assert_eq!(ends(r"a[^x]b"), Some(1));
        assert_eq!(ends(r"seed[^\n]{0,80}\n?[^\n]{0,80}?(S[A-Z]{8})"), Some(1));
        assert_eq!(ends(r"a(?:\r?\n[ \t]*b){2,3}"), Some(3));
        assert_eq!(ends(r"a\nb|c"), Some(1));
        assert_eq!(ends(r"(unclosed"), None);
    }

    #[test]
    fn literal_prefixes_are_fixed_text_only() {
        let p = |pat: &str| literal_prefixes(pat, 1);
        assert_eq!(p(r"\b(ghp_[A-Za-z0-9]{36})\b"), vec![b"ghp_".to_vec()]);
        let aws = p(r"\b((?:AKIA|ASIA)[A-Z2-7]{16})\b");
        assert!(aws.contains(&b"AKIA".to_vec()) && aws.contains(&b"ASIA".to_vec()));
        assert!(p(r#"password\s*=\s*"([^"]{6,})""#).is_empty());
        assert!(
            p(r"key=([0-9]{8})").is_empty(),
            "digits are chosen, not fixed"
        );
        assert!(
            p(r"(?i)(xoxb-[a-z]{10})").is_empty()
                || p(r"(?i)(xoxb-[a-z]{10})").iter().all(|l| l.len() <= 5)
        );
    }

    #[test]
    fn a_provider_rule_wins_over_a_path_limited_rule_on_the_same_span() {
        let text = r#"
[[rule]]
id = "file-format-password"
name = "n"
severity = "high"
confidence = "high"
keywords = ["pass"]
pattern = '"pass":"([^"]+)"'
paths = ["**/*.json"]
description = "d"
fix = "f"
examples = ['"pass":"x"']
negative_examples = ["y"]

[[rule]]
id = "acme-token"
name = "n"
severity = "critical"
confidence = "medium"
keywords = ["acme_"]
pattern = '(acme_[a-z0-9]{8})'
description = "d"
fix = "f"
examples = ["acme_k3j9x2m7"]
negative_examples = ["y"]

[[rule]]
id = "generic-thing"
name = "n"
severity = "critical"
confidence = "high"
keywords = ["acme_"]
pattern = '"(acme_[a-z0-9]{8})"'
description = "d"
fix = "f"
examples = ['"acme_k3j9x2m7"']
negative_examples = ["y"]
"#;
        let rules: Vec<CompiledRule> = parse_rule_file("t.toml", text)
            .unwrap()
            .into_iter()
            .map(|(r, s)| CompiledRule::new(r, s, true).unwrap())
            .collect();
        let engine = SecretEngine::new(rules, SecretAllowlist::default());
        let mut errors = Vec::new();
        let found = engine.scan("cfg.json", br#"{"pass":"acme_k3j9x2m7"}"#, &mut errors);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(engine.rules()[found[0].rule].rule.id, "acme-token");
        // Control: on its own, the path-limited rule reports the span.
        let only: Vec<CompiledRule> = parse_rule_file("t.toml", text)
            .unwrap()
            .into_iter()
            .take(1)
            .map(|(r, s)| CompiledRule::new(r, s, true).unwrap())
            .collect();
        let engine = SecretEngine::new(only, SecretAllowlist::default());
        let found = engine.scan("cfg.json", br#"{"pass":"acme_k3j9x2m7"}"#, &mut errors);
        assert_eq!(found.len(), 1);
        assert!(errors.is_empty());
    }

    #[test]
    fn windows_cover_the_hit_lines_and_merge_neighbours() {
        let text = b"one\ntwo key\nthree key\n\nfive key";
        let w = line_windows(text, &[8, 18, 28], 0);
        assert_eq!(w, vec![(4, 21), (23, 31)]);
        // One line either side: the blank line joins both groups, the first reaches line one.
        assert_eq!(line_windows(text, &[8, 18, 28], 1), vec![(0, 31)]);
        assert_eq!(line_windows(text, &[0], 1), vec![(0, 11)]);
        assert_eq!(line_windows(text, &[28], 2), vec![(12, 31)]);
        assert_eq!(&text[4..21], b"two key\nthree key");
        assert_eq!(&text[23..31], b"five key");
    }
}
