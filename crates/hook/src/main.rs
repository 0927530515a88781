//! `pipeguard-hook`: the pre-commit hook.
//!
//! Run by git with no arguments, it scans what is staged (read from the index git names —
//! `GIT_INDEX_FILE` under `git commit -a` — never the working tree) with the repository's
//! `.pipeguard.toml`, prints the findings that touch added lines (redacted) with the report the
//! CLI prints plus the hook's advice as a footer, and exits 1 to block the commit, 0 to allow it,
//! 2 on error (which blocks too). `install` / `uninstall` manage the hook in the directory git
//! really uses; `--files NAMES...` restricts the scan to those files, as the pre-commit
//! framework passes them: every argument after `--files` is a file name, even `--help`.
//!
//! Start-up is the whole cost for a typical commit: rules compile lazily (only those whose
//! keywords occur), and small changes are scanned on the calling thread.

mod install;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use pipeguard_core::config::FailDefaults;
use pipeguard_core::finding::Kind;
use pipeguard_core::input::git::{self, GitEnv};
use pipeguard_core::report::{self, text};
use pipeguard_core::scan::Report;
use pipeguard_core::{Config, Finding, Scanner};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Block commits that add secrets: scans what is staged (run by git as the pre-commit hook).
#[derive(Parser, Debug)]
#[command(
    name = "pipeguard-hook",
    version,
    about,
    after_help = "Exit status: 0 allowed, 1 blocked (findings), 2 error (also blocks).\n\
                  Skip the check for one commit with `git commit --no-verify`."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Use this config instead of the repository's .pipeguard.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Also accept the findings recorded in this baseline.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Scan the staged content of these files only (what the pre-commit framework passes).
    /// Every argument after --files is a file name, even one that looks like an option.
    #[arg(long, value_name = "FILE", num_args = 0.., last = false)]
    files: Option<Vec<PathBuf>>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Install into the hooks directory git uses (core.hooksPath, or .git/hooks). An existing
    /// hook is kept and still runs first (chained).
    Install {
        /// Replace a stale chained hook left by an earlier install.
        #[arg(long, short)]
        force: bool,
    },
    /// Remove the hook and restore a chained one.
    Uninstall,
}

/// Parse argv. Everything after the first `--files` is a file name, so it is split off before
/// clap sees it.
fn parse(argv: Vec<OsString>) -> Result<Cli, clap::Error> {
    let split = argv
        .iter()
        .skip(1)
        .position(|a| a == "--files")
        .map(|i| i + 1);
    let (opts, files) = match split {
        Some(i) => (argv[..=i].to_vec(), Some(argv[i + 1..].to_vec())),
        None => (argv, None),
    };
    let mut cli = Cli::try_parse_from(opts)?;
    if let Some(files) = files {
        if cli.command.is_some() {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::ArgumentConflict,
                "--files only applies to a scan, not to `install` or `uninstall`\n",
            ));
        }
        cli.files = Some(files.into_iter().map(PathBuf::from).collect());
    }
    Ok(cli)
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args_os().collect()) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Some(Command::Install { force }) => install::install(force),
        Some(Command::Uninstall) => install::uninstall(),
        None => scan(cli.files, cli.config, cli.baseline),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "pipeguard-hook: error: {}\n\
                 pipeguard-hook: the commit is blocked; skip the check once with `git commit --no-verify`",
                pipeguard_core::report::escape::line(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

/// Git's environment (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`) and the current directory.
pub(crate) fn git_env() -> anyhow::Result<(GitEnv, PathBuf)> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok((GitEnv::from_vars(|v| std::env::var_os(v), &cwd), cwd))
}

/// Scan the staged change and print what blocks it. Returns the exit code.
fn scan(
    files: Option<Vec<PathBuf>>,
    config: Option<PathBuf>,
    baseline: Option<PathBuf>,
) -> anyhow::Result<u8> {
    // Staged blobs are read once each: re-hashing them to detect a corrupt object store (`git
    // fsck`'s job) cost the hook as much as scanning them.
    git2::opts::strict_hash_verification(false);
    let (env, cwd) = git_env()?;
    let repo = git::open_env(&env, &cwd)?;
    let root = repo
        .workdir()
        .map(Path::to_path_buf)
        .context("a bare repository has nothing staged")?;
    let mut config = Config::resolve(config.as_deref(), &root)?;
    // The baseline's HMAC key lives outside the repository (see `pipeguard baseline`).
    config.baseline_key = std::env::var_os("PIPEGUARD_BASELINE_KEY")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned().into_bytes());
    let mut scanner = Scanner::new(config)?;
    scanner.tune_for_small_inputs();
    if let Some(b) = baseline {
        scanner.accept_baseline(&b)?;
    }
    let index = env.index_file.as_deref();
    let mut report = match &files {
        None => git::scan_staged(&scanner, &repo, index)?,
        Some(files) => git::scan_staged_files(&scanner, &repo, index, files, &cwd)?,
    };
    report.add_config_notes(&scanner.config);
    report.finish();
    let code = render(&scanner, &report, files.is_some());
    // The process ends here: freeing hundreds of rules one by one would only delay the commit.
    std::mem::forget(scanner);
    Ok(code)
}

/// Print the report to stderr (git shows a hook's output there) and pick the exit code.
///
/// Any secret blocks the commit, and policy findings of `high` or above; lower policy findings
/// are shown as warnings (`[fail] secrets` / `[fail] policy` / `[fail] severity` change this).
fn render(scanner: &Scanner, report: &Report, named_files: bool) -> u8 {
    let err = std::io::stderr();
    let mut ctx = report::Context::new(scanner, env!("CARGO_PKG_VERSION"));
    ctx.color = err.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let code = report.exit_code_with(&scanner.config, FailDefaults::HOOK);
    ctx.footer = Some(footer(scanner, report, code, named_files));
    let mut out = text::diagnostics(report, &ctx);
    if !report.findings.is_empty() || code != 0 {
        out.push_str(&text::render(report, &ctx));
    }
    let _ = err.lock().write_all(out.as_bytes());
    code
}

/// The hook's advice, after the report's summary: what blocks and what is only a warning, and how
/// to suppress each finding on its own line.
fn footer(scanner: &Scanner, report: &Report, code: u8, named_files: bool) -> String {
    let config = &scanner.config;
    let scope = if named_files {
        "the named files"
    } else {
        "the staged changes"
    };
    let mut out = String::new();
    let blocking: Vec<&Finding> = report.failing_with(config, FailDefaults::HOOK).collect();
    let warnings = report.findings.len() - blocking.len();
    if !report.findings.is_empty() {
        out.push_str(&format!(
            "pipeguard: {} in {scope}: {} blocking, {}.\n",
            plural(report.findings.len(), "finding"),
            blocking.len(),
            plural(warnings, "warning")
        ));
        if warnings > 0 {
            let secrets = config.fail_threshold(Kind::Secret, FailDefaults::HOOK);
            let policy = config.fail_threshold(Kind::Policy, FailDefaults::HOOK);
            out.push_str(&format!(
                "The hook blocks secrets at `{secrets}` or above and policy findings at `{policy}` or \
                 above (`[fail] secrets` / `[fail] policy` in .pipeguard.toml).\n"
            ));
        }
        if blocking.iter().any(|f| f.kind == Kind::Secret) {
            out.push_str(
                "If a finding is a real secret: take it out of the staged file (edit it, then \
                 `git add`), revoke it and load it from a secret store instead.\n",
            );
        }
        out.push_str("If a finding is a false positive, add a comment on its line:\n");
        // One line of advice per (file, line), naming every rule found there.
        let mut lines: Vec<(&str, usize, Vec<&str>)> = Vec::new();
        for f in &report.findings {
            match lines
                .iter_mut()
                .find(|(p, l, _)| *p == f.path && *l == f.line)
            {
                Some((_, _, ids)) if !ids.contains(&f.rule_id.as_str()) => ids.push(&f.rule_id),
                Some(_) => {}
                None => lines.push((&f.path, f.line, vec![&f.rule_id])),
            }
        }
        for (path, line, ids) in &lines {
            out.push_str(&format!(
                "  {path}:{line}  pipeguard:allow[{}]\n",
                ids.join(", ")
            ));
        }
        out.push_str(
            "or accept today's findings with `pipeguard baseline --output .pipeguard-baseline.json` \
             and `baseline = \".pipeguard-baseline.json\"` in .pipeguard.toml",
        );
        out.push_str(if code == 0 {
            ".\n"
        } else {
            ", or skip the check for this one commit with `git commit --no-verify`.\n"
        });
    }
    match code {
        1 => out.push_str(&format!(
            "pipeguard: commit blocked ({}).\n",
            plural(blocking.len(), "blocking finding")
        )),
        2 => out.push_str(&format!(
            "pipeguard: commit blocked: {scope} could not be fully scanned (see errors above).\n"
        )),
        _ => {}
    }
    out
}

/// "1 finding", "2 findings".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(v: &[&str]) -> Result<Cli, clap::Error> {
        let mut argv = vec![OsString::from("pipeguard-hook")];
        argv.extend(v.iter().map(OsString::from));
        parse(argv)
    }

    #[test]
    fn argument_forms() {
        let c = parse_strs(&[]).unwrap();
        assert!(c.command.is_none() && c.files.is_none());
        assert!(matches!(
            parse_strs(&["install", "--force"]).unwrap().command,
            Some(Command::Install { force: true })
        ));
        assert_eq!(
            parse_strs(&["--files", "a", "b"])
                .unwrap()
                .files
                .unwrap()
                .len(),
            2
        );
        // Everything after --files is a file name, options included.
        let f = parse_strs(&["--config", "c.toml", "--files", "--help", "-V", "install"])
            .unwrap()
            .files
            .unwrap();
        assert_eq!(f, [PathBuf::from("--help"), "-V".into(), "install".into()]);
        assert!(parse_strs(&["--files"]).unwrap().files.unwrap().is_empty());
        // An unknown word is an error, not a file to scan.
        assert!(parse_strs(&["instal"]).is_err());
        assert!(parse_strs(&["--bogus"]).is_err());
        assert!(parse_strs(&["install", "--files", "a"]).is_err());
        assert_eq!(
            parse_strs(&["--config", "c.toml"]).unwrap().config,
            Some(PathBuf::from("c.toml"))
        );
    }
}
