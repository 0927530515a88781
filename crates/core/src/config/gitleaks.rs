//! Reading a `.gitleaks.toml`, so that teams moving from gitleaks keep their rules and
//! suppressions. What maps, and what does not, is documented in `docs/gitleaks.md`.

use super::{Config, CustomRule};
use crate::error::Error;
use crate::finding::{Confidence, Severity};
use crate::secrets::{Rule, RuleAllowlist};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct GlConfig {
    title: Option<String>,
    extend: Option<GlExtend>,
    rules: Vec<GlRule>,
    allowlist: Option<GlAllowlist>,
    allowlists: Vec<GlAllowlist>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct GlExtend {
    use_default: bool,
    path: Option<String>,
    url: Option<String>,
    disabled_rules: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct GlRule {
    id: String,
    description: Option<String>,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    keywords: Vec<String>,
    path: Option<String>,
    tags: Vec<String>,
    allowlist: Option<GlAllowlist>,
    allowlists: Vec<GlAllowlist>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct GlAllowlist {
    description: Option<String>,
    condition: Option<String>,
    commits: Vec<String>,
    paths: Vec<String>,
    regex_target: Option<String>,
    regexes: Vec<String>,
    stopwords: Vec<String>,
    target_rules: Vec<String>,
}

/// Whether a TOML text looks like a gitleaks config rather than a pipeguard one.
pub fn looks_like_gitleaks(path: &Path, text: &str) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.contains("gitleaks")
        || (text.contains("[[rules]]") && text.contains("regex") && !text.contains("version = 1"))
}

/// Convert a gitleaks config into a pipeguard config layered over the embedded defaults.
pub fn convert(path: &Path, text: &str, mut cfg: Config) -> Result<Config, Error> {
    let file = path.display().to_string();
    let gl: GlConfig = toml::from_str(text).map_err(|e| Error::config_toml(&file, text, &e))?;
    let _ = gl.title;
    cfg.source = Some(path.to_path_buf());
    let mut notes = Vec::new();
    match &gl.extend {
        Some(ext) => {
            cfg.builtin_rules = ext.use_default;
            cfg.disabled.extend(ext.disabled_rules.iter().cloned());
            if ext.path.is_some() || ext.url.is_some() {
                notes.push(format!(
                    "{file}: [extend] path/url is not supported; only this file's rules are read"
                ));
            }
        }
        // gitleaks without [extend] uses only the file's own rules.
        None => cfg.builtin_rules = false,
    }
    for (i, r) in gl.rules.iter().enumerate() {
        let line = line_of_rule(text, &r.id);
        let Some(regex) = &r.regex else {
            notes.push(format!(
                "{file}:{line}: rule `{}` has no regex (path-only rules are not supported); skipped",
                r.id
            ));
            continue;
        };
        let id = if r.id.is_empty() {
            format!("gitleaks-rule-{}", i + 1)
        } else {
            r.id.clone()
        };
        if let Some(g) = r.secret_group {
            let groups = capture_groups(regex);
            if groups.is_some_and(|n| g > n) {
                return Err(Error::Rule {
                    file,
                    line: Some(line),
                    rule_id: id,
                    message: format!(
                        "secretGroup = {g} but the regex has only {} capture group(s), so the \
                         rule could never report anything; use a group the regex has (0 is the \
                         whole match)",
                        groups.unwrap_or(0)
                    ),
                });
            }
        }
        let mut allow = RuleAllowlist::default();
        for a in r.allowlist.iter().chain(&r.allowlists) {
            note_unsupported(&mut notes, &file, a);
            match a.regex_target.as_deref() {
                Some("line") => {
                    // Approximation: a line allowlist of one rule becomes a global line allowlist.
                    cfg.allow_lines
                        .extend(a.regexes.iter().map(|r| go_regex(r)));
                }
                _ => allow.regexes.extend(a.regexes.iter().map(|r| go_regex(r))),
            }
            allow.stopwords.extend(a.stopwords.iter().cloned());
            allow.paths.extend(a.paths.iter().map(|r| go_regex(r)));
        }
        let name = r.description.clone().unwrap_or_else(|| id.clone());
        cfg.custom_rules.push(CustomRule {
            rule: Rule {
                id: id.clone(),
                name: name.clone(),
                severity: Severity::High,
                confidence: Confidence::Medium,
                keywords: r.keywords.clone(),
                pattern: go_regex(regex),
                secret_group: Some(r.secret_group.unwrap_or_else(|| {
                    // gitleaks: the first group when there is one, else the whole match.
                    usize::from(has_capture_group(regex))
                })),
                path_pattern: r.path.as_deref().map(go_regex),
                min_entropy: r.entropy,
                validator: None,
                paths: Vec::new(),
                placeholder_filter: true,
                allowlist: allow,
                description: if r.tags.is_empty() {
                    format!("{name} (imported from {file})")
                } else {
                    format!("{name} (imported from {file}; tags: {})", r.tags.join(", "))
                },
                fix: "Rotate the credential and load it from a secret store at run time."
                    .to_string(),
                references: Vec::new(),
                examples: Vec::new(),
                negative_examples: Vec::new(),
                known_misses: Vec::new(),
            },
            file: file.clone(),
            line,
        });
    }
    for a in gl.allowlist.iter().chain(&gl.allowlists) {
        note_unsupported(&mut notes, &file, a);
        if !a.target_rules.is_empty() {
            notes.push(format!(
                "{file}: allowlist targetRules is not supported; the allowlist applies to every rule"
            ));
        }
        match a.regex_target.as_deref() {
            Some("line") => cfg
                .allow_lines
                .extend(a.regexes.iter().map(|r| go_regex(r))),
            _ => cfg
                .allow_regexes
                .extend(a.regexes.iter().map(|r| go_regex(r))),
        }
        cfg.allow_stopwords.extend(a.stopwords.iter().cloned());
        cfg.allow_path_regexes
            .extend(a.paths.iter().map(|r| go_regex(r)));
    }
    cfg.notes.extend(notes);
    Ok(cfg)
}

/// The `.pipeguard.toml` equivalent to a gitleaks config (`pipeguard init --import-gitleaks`):
/// its rules as `[[rules.custom]]`, its allowlists as `[allowlist]`, `[extend] useDefault` as
/// `[rules] builtin`, and what does not map as comments under a header naming `path`. Loading the
/// result gives the same [`Config`] as loading the gitleaks file (a `.gitleaksignore` beside it
/// still applies).
pub fn to_pipeguard_toml(path: &Path, text: &str) -> Result<Imported, Error> {
    #[derive(Serialize)]
    struct Out<'a> {
        version: i64,
        rules: OutRules<'a>,
        allowlist: OutAllowlist<'a>,
    }
    #[derive(Serialize)]
    struct OutRules<'a> {
        builtin: bool,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        disable: Vec<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        custom: Vec<&'a Rule>,
    }
    #[derive(Serialize)]
    struct OutAllowlist<'a> {
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        path_regexes: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        regexes: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        stopwords: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        lines: &'a [String],
    }
    let base = Config::default();
    let cfg = convert(path, text, Config::default())?;
    // `convert` only appends to the defaults: what it added is the tail of each list.
    fn added<'a>(all: &'a [String], before: &[String]) -> &'a [String] {
        &all[before.len().min(all.len())..]
    }
    let custom_ids: Vec<&str> = cfg
        .custom_rules
        .iter()
        .map(|c| c.rule.id.as_str())
        .collect();
    let mut notes = cfg.notes.clone();
    let mut disable = Vec::new();
    for id in added(&cfg.disabled, &base.disabled) {
        if super::ids::known(&custom_ids).any(|k| k == id) {
            disable.push(id.as_str());
        } else {
            notes.push(format!(
                "[extend] disabledRules `{id}` names no pipeguard rule; left out (pipeguard's \
                 built-in ids differ from gitleaks': `pipeguard rules` lists them)"
            ));
        }
    }
    let out = Out {
        version: 1,
        rules: OutRules {
            builtin: cfg.builtin_rules,
            disable,
            custom: cfg.custom_rules.iter().map(|c| &c.rule).collect(),
        },
        allowlist: OutAllowlist {
            path_regexes: added(&cfg.allow_path_regexes, &base.allow_path_regexes),
            regexes: added(&cfg.allow_regexes, &base.allow_regexes),
            stopwords: added(&cfg.allow_stopwords, &base.allow_stopwords),
            lines: added(&cfg.allow_lines, &base.allow_lines),
        },
    };
    let body = toml::to_string(&out).map_err(|e| Error::Config {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        message: format!("cannot write the imported config: {e}"),
    })?;
    let mut head = format!(
        "# Imported from {} by `pipeguard init --import-gitleaks`; this file now takes its place.\n\
         # `[rules] builtin = {}`: {}.\n\
         # pipeguard's default allowlist (placeholders, templates) still applies on top of the one \
         below;\n# a .gitleaksignore beside this file is still honoured.\n",
        path.display(),
        cfg.builtin_rules,
        if cfg.builtin_rules {
            "pipeguard's built-in rules run too ([extend] useDefault = true)"
        } else {
            "only the rules below run, as in gitleaks without [extend] useDefault"
        }
    );
    for n in &notes {
        head.push_str(&format!("# Not imported: {n}\n"));
    }
    Ok(Imported {
        toml: format!("{head}\n{body}"),
        notes,
    })
}

/// A `.pipeguard.toml` written from a gitleaks config, and what in it did not map (also written
/// into the file as comments).
#[derive(Debug, Clone)]
pub struct Imported {
    pub toml: String,
    pub notes: Vec<String>,
}

fn note_unsupported(notes: &mut Vec<String>, file: &str, a: &GlAllowlist) {
    let _ = &a.description;
    if !a.commits.is_empty() {
        notes.push(format!(
            "{file}: allowlist `commits` is not supported (use a baseline instead)"
        ));
    }
    if a.condition
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("and"))
    {
        notes.push(format!(
            "{file}: allowlist condition = \"AND\" is treated as OR (any entry allows)"
        ));
    }
}

/// Go's RE2 and Rust's regex agree on nearly everything gitleaks configs use; the one common
/// difference is `\z` (end of text), which Rust spells the same, and `(?i)` which both accept.
/// Go's `\Q...\E` is not supported by Rust and is rewritten as an escaped literal.
fn go_regex(re: &str) -> String {
    let mut out = String::with_capacity(re.len());
    let mut rest = re;
    while let Some(start) = rest.find("\\Q") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("\\E").unwrap_or(after.len());
        out.push_str(&regex::escape(&after[..end]));
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn has_capture_group(re: &str) -> bool {
    capture_groups(re).is_some_and(|n| n > 0)
}

/// How many capture groups a gitleaks regex has (`None` when it does not compile: that error is
/// reported with the rule when it is compiled).
fn capture_groups(re: &str) -> Option<usize> {
    crate::secrets::rule::compile_pattern(&go_regex(re))
        .map(|r| r.captures_len() - 1)
        .ok()
}

fn line_of_rule(text: &str, id: &str) -> usize {
    let needle_a = format!("id = \"{id}\"");
    let needle_b = format!("id = '{id}'");
    text.lines()
        .position(|l| {
            let l = l.trim();
            l == needle_a || l == needle_b || l.starts_with(&needle_a) || l.starts_with(&needle_b)
        })
        .map_or(1, |i| i + 1)
}

/// One line of a `.gitleaksignore`: `[commit:]file:rule-id:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub commit: Option<String>,
    pub path: String,
    pub rule_id: String,
    pub line: usize,
}

/// Parse a `.gitleaksignore` file; comments and blank lines are skipped.
pub fn parse_ignore(text: &str) -> Vec<IgnoreEntry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let parts: Vec<&str> = l.rsplitn(3, ':').collect();
            if parts.len() != 3 {
                return None;
            }
            let line = parts[0].parse().ok()?;
            let rule_id = parts[1].to_string();
            let head = parts[2];
            // A 40-hex commit prefix before the path.
            let (commit, path) = match head.split_once(':') {
                Some((c, p)) if c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    (Some(c.to_string()), p.to_string())
                }
                _ => (None, head.to_string()),
            };
            Some(IgnoreEntry {
                commit,
                path,
                rule_id,
                line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GL: &str = r#"
title = "acme"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-token"
description = "ACME token"
regex = '''acme_(?:live|test)_([a-z0-9]{24})'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]
  [[rules.allowlists]]
  stopwords = ["deadbeef"]
  paths = ['''fixtures/''']

[allowlist]
paths = ['''(^|/)vendor/''']
regexes = ['''^acme_test_''']
stopwords = ["sandbox"]
"#;

    #[test]
    fn converts_rules_and_allowlists() {
        let cfg = convert(Path::new(".gitleaks.toml"), GL, Config::default()).unwrap();
        assert!(cfg.builtin_rules);
        assert!(cfg.disabled.iter().any(|d| d == "generic-api-key"));
        let r = &cfg.custom_rules[0];
        assert_eq!(r.rule.id, "acme-token");
        assert_eq!(r.rule.secret_group, Some(1));
        assert_eq!(r.rule.min_entropy, Some(3.0));
        assert_eq!(r.line, 8);
        assert_eq!(r.rule.allowlist.stopwords, vec!["deadbeef"]);
        assert!(cfg.allow_path_regexes.iter().any(|p| p.contains("vendor")));
        assert!(cfg.allow_stopwords.iter().any(|s| s == "sandbox"));
    }

    #[test]
    fn the_pipeguard_toml_written_from_a_gitleaks_config_loads_as_the_same_config() {
        let gl_path = Path::new(".gitleaks.toml");
        let written = to_pipeguard_toml(gl_path, GL).unwrap().toml;
        assert!(
            written.starts_with(
                "# Imported from .gitleaks.toml by `pipeguard init --import-gitleaks`"
            ),
            "{written}"
        );
        let from_gl = convert(gl_path, GL, Config::default()).unwrap();
        let from_pg = Config::parse(Path::new(".pipeguard.toml"), &written).unwrap();
        assert!(
            from_pg.builtin_rules,
            "useDefault = true keeps the built-in rules"
        );
        assert_eq!(from_pg.allow_path_regexes, from_gl.allow_path_regexes);
        assert_eq!(from_pg.allow_regexes, from_gl.allow_regexes);
        assert_eq!(from_pg.allow_stopwords, from_gl.allow_stopwords);
        assert_eq!(from_pg.allow_lines, from_gl.allow_lines);
        assert_eq!(from_pg.custom_rules.len(), 1);
        let (a, b) = (&from_pg.custom_rules[0].rule, &from_gl.custom_rules[0].rule);
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::to_value(b).unwrap()
        );
        // gitleaks' `generic-api-key` names no pipeguard rule: left out with a comment, since a
        // `.pipeguard.toml` that names an unknown id does not load.
        assert!(written.contains("# Not imported: [extend] disabledRules `generic-api-key`"));
        // Control: without [extend] the built-in rules are off in the written file too.
        let written = to_pipeguard_toml(gl_path, "[[rules]]\nid = 'x'\nregex = 'x_[0-9]{8}'\n")
            .unwrap()
            .toml;
        let from_pg = Config::parse(Path::new(".pipeguard.toml"), &written).unwrap();
        assert!(!from_pg.builtin_rules, "{written}");
    }

    #[test]
    fn without_extend_only_the_files_rules_run() {
        let cfg = convert(
            Path::new(".gitleaks.toml"),
            "[[rules]]\nid = 'x'\nregex = 'x_[0-9]{8}'\n",
            Config::default(),
        )
        .unwrap();
        assert!(!cfg.builtin_rules);
        assert_eq!(cfg.custom_rules[0].rule.secret_group, Some(0));
    }

    #[test]
    fn secret_group_beyond_the_regex_groups_is_an_error() {
        let text = "[[rules]]\nid = 'one-group'\nregex = 'k_([0-9]{8})'\nsecretGroup = 2\n";
        let e = convert(Path::new("x/.gitleaks.toml"), text, Config::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("x/.gitleaks.toml:2: rule `one-group`:"),
            "{msg}"
        );
        assert!(msg.contains("secretGroup = 2"), "{msg}");
        // Control: the group the regex has is fine.
        let ok = text.replace("secretGroup = 2", "secretGroup = 1");
        let cfg = convert(Path::new("x/.gitleaks.toml"), &ok, Config::default()).unwrap();
        assert_eq!(cfg.custom_rules[0].rule.secret_group, Some(1));
    }

    #[test]
    fn gitleaksignore_lines() {
        let e = parse_ignore(
            "# comment\nsrc/a.py:generic-api-key:12\n0123456789abcdef0123456789abcdef01234567:b/c.txt:aws-access-token:3\n",
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].path, "src/a.py");
        assert_eq!(e[0].line, 12);
        assert!(e[1].commit.is_some());
        assert_eq!(e[1].rule_id, "aws-access-token");
    }

    #[test]
    fn quoted_literals_become_escaped() {
        assert_eq!(go_regex(r"\Qa.b\E+"), r"a\.b+");
    }
}
