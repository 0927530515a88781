//! `pipeguard-action`: the GitHub Action. Reads GitHub's environment and event (never flags),
//! scans what the push or pull request adds (or the history, or the tree), and reports where
//! reviewers look: annotations in the log, a Markdown job summary, a SARIF file for code
//! scanning, and step outputs. Exit 0 clean, 1 findings at or above `fail-on`, 2 on any error —
//! a shallow checkout included, so that missing history never passes silently.

mod env;
mod event;
mod output;
mod scope;

use anyhow::{Context as _, Result};
use env::{GithubEnv, Mode};
use event::Target;
use output::log;
use pipeguard_core::input::{git as gitin, walk};
use pipeguard_core::report::{self, escape, github, sarif};
use pipeguard_core::scan::{Level, Report};
use pipeguard_core::{Config, Scanner};
use scope::{code, Scope, Work};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Annotations beyond this many are left to the summary and the SARIF file (GitHub shows only
/// the first few per step anyway).
const MAX_ANNOTATIONS: usize = 50;

/// Rows of the summary's findings table (the summary is capped at 1 MiB per step).
const MAX_SUMMARY_ROWS: usize = 100;

const HELP: &str = "\
pipeguard-action: pipeguard's GitHub Action (see action.yml).

It takes no arguments: it reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_WORKSPACE,
GITHUB_SHA, GITHUB_REF, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and the inputs INPUT_PATH,
INPUT_CONFIG, INPUT_FAIL_ON, INPUT_SARIF_FILE, INPUT_SCAN (changes | history | tree).

Exit status: 0 nothing at or above fail-on, 1 findings, 2 an error (never 0 on error).
Elsewhere, use `pipeguard scan`.
";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("--version" | "-V") => {
            println!("pipeguard-action {VERSION}");
            return ExitCode::SUCCESS;
        }
        Some("--help" | "-h") => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!(
                "pipeguard-action: unexpected argument `{other}`: the action reads GitHub's \
                 environment, not arguments (see --help)"
            );
            return ExitCode::from(2);
        }
        None => {}
    }
    let env = match GithubEnv::from_env() {
        Ok(env) => env,
        Err(e) => {
            fail(None, &e);
            return ExitCode::from(2);
        }
    };
    match run(&env) {
        Ok(outcome) => {
            let written = write_outputs(&env, outcome.findings, Some(&outcome.sarif), outcome.code);
            match written {
                Ok(()) => ExitCode::from(outcome.code),
                Err(e) => {
                    fail(Some(&env), &e);
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            fail(Some(&env), &e);
            ExitCode::from(2)
        }
    }
}

/// Report an error everywhere a reader may look: an error annotation, the job summary, the
/// outputs (`exit-code=2`). No SARIF file is written: an empty analysis would close every open
/// alert in code scanning.
fn fail(env: Option<&GithubEnv>, e: &anyhow::Error) {
    let message = format!("{e:#}");
    println!(
        "::error title=pipeguard::{}",
        github::escape_data(&escape::control(&message))
    );
    eprintln!("pipeguard-action: error: {}", escape::line(&message));
    let Some(env) = env else { return };
    if let Some(path) = &env.step_summary {
        let md = format!(
            "## pipeguard\n\n❌ **pipeguard could not scan** ({}): {}\n\n",
            github::prose(&env.event_name),
            github::prose(&message)
        );
        let _ = output::append(path, &md);
    }
    let _ = write_outputs(env, 0, None, 2);
}

fn write_outputs(env: &GithubEnv, findings: usize, sarif: Option<&Path>, code: u8) -> Result<()> {
    let Some(path) = &env.output else {
        return Ok(());
    };
    let text = output::outputs(&[
        ("findings", findings.to_string()),
        (
            "sarif-file",
            sarif.map(|p| p.display().to_string()).unwrap_or_default(),
        ),
        ("exit-code", code.to_string()),
    ]);
    output::append(path, &text)
}

struct Outcome {
    findings: usize,
    sarif: PathBuf,
    code: u8,
}

fn run(env: &GithubEnv) -> Result<Outcome> {
    let inputs = &env.inputs;
    log(&format!(
        "pipeguard-action {VERSION}: `{}` event, scan: {}",
        env.event_name,
        inputs.mode.as_str()
    ));
    if let Some(v) = inputs.version.as_deref() {
        if v.trim_start_matches('v') != VERSION {
            log(&format!(
                "input `version` is `{v}`; this binary is {VERSION}"
            ));
        }
    }
    let event = read_event(env)?;
    let plan = event::plan(&env.event_name, &event, inputs.mode)?;
    if let Some(note) = &plan.note {
        log(note);
    }

    let root = env.resolve(&inputs.path);
    let explicit = inputs.config.as_ref().map(|c| env.resolve(c));
    let mut config = Config::resolve(explicit.as_deref(), &root)?;
    // Whatever the config says, nothing this action writes may hold a secret: logs, summaries
    // and SARIF files are read by everyone with access to the repository.
    config.redact = true;
    // The baseline's HMAC key, when the workflow passes one (a secret) in the environment.
    config.baseline_key = std::env::var_os("PIPEGUARD_BASELINE_KEY")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned().into_bytes());
    if let Some(s) = inputs.fail_on {
        config.fail_severity = s;
    }
    let fail_on = config.fail_severity;
    if let Some(src) = &config.source {
        log(&format!("config: {}", display_rel(&env.workspace, src)));
    }
    let baseline = config.baseline.clone();
    let mut scanner = Scanner::new(config)?;
    if !matches!(plan.target, Target::Tree | Target::History) {
        // A push or a pull request: the lines it adds, usually a few KB.
        scanner.tune_for_small_inputs();
    }

    let mut config_notes = Vec::new();
    let (scope, mut report, category) = match &plan.target {
        Target::Tree => {
            let (what, report) = scan_tree(env, &scanner, &root)?;
            let scope = Scope {
                work: Work::Tree,
                what,
                note: None,
            };
            (scope, report, Mode::Tree)
        }
        Target::History => {
            let repo = gitin::open(&root)?;
            if repo.is_shallow() {
                anyhow::bail!(
                    "the checkout is shallow (actions/checkout fetches a single commit by default), \
                     so the history is incomplete and a scan could miss secrets; {}",
                    scope::FETCH_DEPTH_HINT
                );
            }
            let scope = Scope {
                work: Work::History { from: None },
                what: "the whole history (every commit of every branch and tag)".to_string(),
                note: None,
            };
            log(&format!("scanning {}", scope.what));
            gitin::tune_for_bulk_reads();
            let report = gitin::scan_history(&scanner, &repo, None, None)?;
            (scope, report, Mode::History)
        }
        target => {
            let repo = gitin::open(&root)?;
            let pr_target = env.event_name == "pull_request_target";
            let scope = scope::resolve(&repo, target, &plan.label, pr_target)?;
            if let Some(note) = &scope.note {
                log(note);
            }
            for name in scope::changed_configs(&repo, &scope.work, baseline.as_deref()) {
                let text = format!(
                    "this change edits {name}: its findings are judged by the edited config, \
                     ignore list and baseline, so review any new allowlist or ignore entry, \
                     accepted finding, disabled rule or severity override"
                );
                println!(
                    "::warning file={},title=pipeguard::{}",
                    github::escape_property(&name),
                    github::escape_data(&text)
                );
                config_notes.push(format!("⚠️ {}", text.replacen(&name, &code(&name), 1)));
            }
            log(&format!("scanning {}", scope.what));
            let report = match &scope.work {
                Work::Range { range } => gitin::scan_range(&scanner, &repo, range, None)?,
                Work::History { from } => {
                    gitin::scan_history(&scanner, &repo, from.as_deref(), None)?
                }
                Work::Nothing | Work::Tree => Report::default(),
            };
            (scope, report, Mode::Changes)
        }
    };
    for f in &mut report.findings {
        f.redact();
    }
    report.add_config_notes(&scanner.config);
    report.finish();

    print_diagnostics(&report);
    print_annotations(&report);

    // SARIF, for github/codeql-action/upload-sarif.
    let ctx = report::Context::new(&scanner, VERSION);
    let opts = sarif::Options {
        category: Some(format!("pipeguard/{}/", category.as_str())),
        repository_uri: env.repo_url(),
        revision_id: env.sha.clone(),
        branch: env.git_ref.clone(),
    };
    let sarif_path = env.resolve(&inputs.sarif_file);
    if let Some(dir) = sarif_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&sarif_path, sarif::render_with(&report, &ctx, &opts))
        .with_context(|| format!("cannot write {}", sarif_path.display()))?;

    // The job summary.
    let mut notes = config_notes;
    if sarif::truncated(&report) {
        notes.push(format!(
            "⚠️ {} findings: the SARIF file holds only the {} most severe (GitHub's limit per run).",
            report.findings.len(),
            sarif::MAX_RESULTS
        ));
    }
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| match &d.path {
            Some(p) => format!("- {}: {}", code(p), github::prose(&d.message)),
            None => format!("- {}", github::prose(&d.message)),
        })
        .collect();
    if !errors.is_empty() {
        notes.push(format!(
            "❌ **Not everything could be scanned** (exit code 2):\n\n{}",
            errors.join("\n")
        ));
    }
    let scope_line = format!("Scanned {}.", scope.what);
    let repo_url = env.repo_url();
    let md = github::summary_with(
        &report,
        &github::SummaryOptions {
            heading: "pipeguard",
            scope: Some(&scope_line),
            max_rows: MAX_SUMMARY_ROWS,
            repo_url: repo_url.as_deref(),
            blob_ref: env.sha.as_deref(),
            fail_on: Some(fail_on),
            notes: &notes,
        },
    );
    if let Some(path) = &env.step_summary {
        output::append(path, &format!("{md}\n"))?;
    }

    let failing = report.failing(fail_on);
    let code = report.exit_code(fail_on);
    let counts: Vec<String> = report::counts(&report)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let n = report.findings.len();
    log(&format!(
        "{n} finding{}{} in {} file{}; {failing} at or above `{fail_on}` (fail-on); SARIF: {}; exit {code}",
        if n == 1 { "" } else { "s" },
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        report.stats.files_scanned,
        if report.stats.files_scanned == 1 { "" } else { "s" },
        display_rel(&env.workspace, &sarif_path),
    ));
    Ok(Outcome {
        findings: n,
        sarif: sarif_path,
        code,
    })
}

/// The event payload, or `Null` when there is no event file (a local run).
fn read_event(env: &GithubEnv) -> Result<serde_json::Value> {
    let Some(path) = &env.event_path else {
        return Ok(serde_json::Value::Null);
    };
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the event file {} (GITHUB_EVENT_PATH)",
            path.display()
        )
    })?;
    serde_json::from_str(&text)
        .with_context(|| format!("the event file {} is not JSON", path.display()))
}

/// Scan the checked-out files under `root`; paths are relative to the repository root, so that
/// SARIF URIs resolve in code scanning.
fn scan_tree(env: &GithubEnv, scanner: &Scanner, root: &Path) -> Result<(String, Report)> {
    let what = format!(
        "the checked-out files in {}",
        code(&display_rel(&env.workspace, root))
    );
    log(&format!("scanning {what}"));
    let report = walk::scan_path(scanner, root)?;
    Ok((what, report))
}

/// `path` relative to the workspace when it is inside it.
fn display_rel(workspace: &Path, path: &Path) -> String {
    let ws = std::fs::canonicalize(workspace).unwrap_or_else(|_| workspace.to_path_buf());
    let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match p.strip_prefix(&ws) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// Errors and warnings as annotations; skipped files (notes) folded in a group.
fn print_diagnostics(report: &Report) {
    let mut notes = Vec::new();
    for d in &report.diagnostics {
        let cmd = match d.level {
            Level::Note => {
                notes.push(d);
                continue;
            }
            Level::Warning => "warning",
            Level::Error => "error",
        };
        let file = d
            .path
            .as_deref()
            .map(|p| format!("file={},", github::escape_property(p)))
            .unwrap_or_default();
        println!(
            "::{cmd} {file}title=pipeguard::{}",
            github::escape_data(&escape::control(&d.message))
        );
    }
    if !notes.is_empty() {
        output::group(&format!("pipeguard: {} skipped", notes.len()), || {
            for d in notes {
                log(&format!(
                    "{}: {}",
                    d.path.as_deref().unwrap_or("-"),
                    d.message
                ));
            }
        });
    }
}

/// One annotation per finding, up to `MAX_ANNOTATIONS`.
fn print_annotations(report: &Report) {
    for f in report.findings.iter().take(MAX_ANNOTATIONS) {
        println!("{}", github::annotation(f));
    }
    if report.findings.len() > MAX_ANNOTATIONS {
        log(&format!(
            "{} more findings are not annotated: see the job summary and the SARIF file",
            report.findings.len() - MAX_ANNOTATIONS
        ));
    }
}
