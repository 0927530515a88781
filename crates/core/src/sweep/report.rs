//! What a sweep report says about the sweep itself, and merging shard reports.
//!
//! Every sweep report (JSON: a top-level `sweep` object; SARIF: the run's `properties.sweep`;
//! text: a closing line) names the repository list's digest, the shard(s) it covers and each
//! repository with its outcome. [`merge`] refuses reports of different lists, shards of
//! different counts and a shard given twice; missing shards are an error unless the caller
//! accepts an incomplete report, which then carries an `Error` diagnostic (exit 2) so that it
//! can never pass for a complete sweep.

use super::list::Shard;
use super::state::Status;
use crate::finding::Finding;
use crate::report::{json, sarif, text, Context};
use crate::scan::{Diagnostic, Level, Report};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One repository's outcome in a sweep report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoOutcome {
    /// The repository's key (a credential-free normalised URL, or a local path as listed).
    pub repository: String,
    pub status: Status,
    pub findings: usize,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The `sweep` section of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepInfo {
    /// sha256 of the list's sorted keys ([`super::RepoList::digest`]).
    pub list_digest: String,
    /// Repositories in the whole list (all shards).
    pub list_size: usize,
    /// The shards this report covers, as `K/N`, sorted.
    pub shards: Vec<String>,
    /// Every repository of those shards, sorted by key.
    pub repositories: Vec<RepoOutcome>,
}

impl SweepInfo {
    pub fn new(
        list_digest: String,
        list_size: usize,
        shard: Shard,
        mut repositories: Vec<RepoOutcome>,
    ) -> Self {
        repositories.sort_by(|a, b| a.repository.cmp(&b.repository));
        SweepInfo {
            list_digest,
            list_size,
            shards: vec![shard.to_string()],
            repositories,
        }
    }

    fn count(&self, s: Status) -> usize {
        self.repositories.iter().filter(|r| r.status == s).count()
    }

    /// "shard 2/4 of list 3f2a…: 50 repositories (45 scanned, 3 unchanged and skipped, 2 errors)".
    pub fn summary(&self) -> String {
        format!(
            "shard {} of list {} ({} repositories): {} repositories ({} scanned, {} unchanged and skipped, {} failed)",
            self.shards.join(","),
            &self.list_digest[..self.list_digest.len().min(12)],
            self.list_size,
            self.repositories.len(),
            self.count(Status::Scanned),
            self.count(Status::Skipped),
            self.count(Status::Error),
        )
    }
}

/// Render a sweep report: JSON with a `sweep` object, SARIF with `runs[0].properties.sweep`
/// (one run, category `pipeguard/sweep/`), text with a closing summary, GitHub annotations as is.
pub fn render(
    format: crate::report::Format,
    report: &Report,
    ctx: &Context<'_>,
    info: &SweepInfo,
) -> String {
    use crate::report::Format;
    match format {
        Format::Json => {
            let mut doc: Value =
                serde_json::from_str(&json::render(report, ctx)).expect("own JSON parses");
            doc["sweep"] = serde_json::to_value(info).expect("sweep info serialises");
            serde_json::to_string_pretty(&doc).expect("report serialises") + "\n"
        }
        Format::Sarif => {
            let opts = sarif::Options {
                category: Some("pipeguard/sweep/".into()),
                ..Default::default()
            };
            let mut doc = sarif::to_value_with(report, ctx, &opts);
            doc["runs"][0]["properties"] = json!({ "sweep": info });
            serde_json::to_string_pretty(&doc).expect("sarif serialises") + "\n"
        }
        Format::Text => {
            let mut s = text::render(report, ctx);
            s.push_str(&format!("sweep: {}\n", escape_control(&info.summary())));
            s
        }
        Format::Github => crate::report::github::annotations(report),
    }
}

/// Read a JSON sweep report back; `name` (the file) appears in errors.
pub fn parse(text: &str, name: &str) -> Result<(Report, SweepInfo), String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("{name}: not a JSON report: {e}"))?;
    if doc["version"] != json!(json::VERSION) {
        return Err(format!(
            "{name}: JSON report version {} is not supported (expected {})",
            doc["version"],
            json::VERSION
        ));
    }
    let info: SweepInfo = match doc.get("sweep") {
        Some(s) => serde_json::from_value(s.clone())
            .map_err(|e| format!("{name}: bad `sweep` section: {e}"))?,
        None => {
            return Err(format!(
                "{name}: not a sweep report (no `sweep` section); make shard reports with \
                 `pipeguard sweep --format json`"
            ))
        }
    };
    let findings: Vec<Finding> = serde_json::from_value(doc["findings"].clone())
        .map_err(|e| format!("{name}: bad `findings`: {e}"))?;
    let diagnostics: Vec<Diagnostic> = serde_json::from_value(doc["diagnostics"].clone())
        .map_err(|e| format!("{name}: bad `diagnostics`: {e}"))?;
    let mut report = Report {
        findings,
        diagnostics,
        ..Default::default()
    };
    let s = &doc["summary"];
    report.stats.files_scanned = s["files_scanned"].as_u64().unwrap_or(0);
    report.stats.bytes_scanned = s["bytes_scanned"].as_u64().unwrap_or(0);
    report.stats.files_skipped = s["files_skipped"].as_u64().unwrap_or(0);
    Ok((report, info))
}

/// Combine shard reports (`(file name, report, info)`) into the report a single sweep over the
/// whole list would have made: findings deduplicated by (repository, fingerprint), the union of
/// repositories and diagnostics. Errors: reports from different lists (digest) or shard counts,
/// a shard in two reports, and — unless `allow_missing` — shards that no report covers.
pub fn merge(
    parts: Vec<(String, Report, SweepInfo)>,
    allow_missing: bool,
) -> Result<(Report, SweepInfo), String> {
    let Some((first_name, _, first)) = parts.first() else {
        return Err("nothing to merge: give at least one report".into());
    };
    let (first_name, digest, size) = (
        first_name.clone(),
        first.list_digest.clone(),
        first.list_size,
    );
    let mut count = None;
    let mut seen: BTreeMap<u32, String> = BTreeMap::new();
    for (name, _, info) in &parts {
        if info.list_digest != digest {
            return Err(format!(
                "{name} covers repository list {} but {first_name} covers {}: only shards of one \
                 list (the same repos file or organisation listing) can be merged",
                short(&info.list_digest),
                short(&digest)
            ));
        }
        for s in &info.shards {
            let shard = Shard::parse(s, None).map_err(|e| format!("{name}: {e}"))?;
            match count {
                None => count = Some(shard.count),
                Some(n) if n != shard.count => {
                    return Err(format!(
                        "{name} is shard {shard} but other reports are shards of {n}: every \
                         report must come from the same --shard K/N split"
                    ))
                }
                Some(_) => {}
            }
            if let Some(other) = seen.insert(shard.index, name.clone()) {
                return Err(format!(
                    "shard {shard} is in both {other} and {name}: give each shard's report once"
                ));
            }
        }
    }
    let n = count.unwrap_or(1);
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() && !allow_missing {
        return Err(format!(
            "shard{} {} {} missing: the merged report would not cover the whole list (pass \
             --allow-missing to merge what there is; the result then reports an error)",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        ));
    }
    let mut report = Report::default();
    let mut repos: BTreeMap<String, RepoOutcome> = BTreeMap::new();
    let mut keys: HashSet<(Option<String>, String)> = HashSet::new();
    let mut diags: BTreeSet<(Level, Option<String>, String)> = BTreeSet::new();
    for (_, r, info) in parts {
        for f in r.findings {
            if keys.insert((f.repository.clone(), f.fingerprint.clone())) {
                report.findings.push(f);
            }
        }
        for d in r.diagnostics {
            if diags.insert((d.level, d.path.clone(), d.message.clone())) {
                report.diagnostics.push(d);
            }
        }
        report.stats.files_scanned += r.stats.files_scanned;
        report.stats.bytes_scanned += r.stats.bytes_scanned;
        report.stats.files_skipped += r.stats.files_skipped;
        for o in info.repositories {
            repos.entry(o.repository.clone()).or_insert(o);
        }
    }
    if !missing.is_empty() {
        report.diagnostics.push(Diagnostic::new(
            Level::Error,
            None,
            format!(
                "incomplete sweep: no report for shard{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        ));
    }
    report.finish();
    let info = SweepInfo {
        list_digest: digest,
        list_size: size,
        shards: seen.keys().map(|k| format!("{k}/{n}")).collect(),
        repositories: repos.into_values().collect(),
    };
    Ok((report, info))
}

/// Control characters (a terminal escape in a listed path, say) as visible escapes.
pub fn escape_control(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn short(d: &str) -> &str {
    &d[..d.len().min(12)]
}
