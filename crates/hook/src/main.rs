//! `pipeguard-hook`: the pre-commit hook.
//!
//! Run by git with no arguments, it scans what is staged (read from the index, never the working
//! tree) with the repository's `.pipeguard.toml`, prints the findings that touch added lines
//! (redacted), and exits 1 to block the commit, 0 to allow it, 2 on error (which blocks too).
//! `install` / `uninstall` manage the hook in the directory git really uses; file names (or
//! `--files NAMES...`) restrict the scan to those files, as the pre-commit framework passes them.
//!
//! Start-up is the whole cost for a typical commit, so arguments are parsed by hand, rules compile
//! lazily (only those whose keywords occur), and small changes are scanned on one thread.

mod install;

use pipeguard_core::input::git;
use pipeguard_core::scan::{Diagnostic, Level, Report};
use pipeguard_core::suppress::Baseline;
use pipeguard_core::{Config, Finding, Scanner};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
pipeguard-hook: block commits that add secrets

Usage:
  pipeguard-hook                    scan what is staged (run by git as the pre-commit hook)
  pipeguard-hook [--files] FILE...  scan the staged content of these files (pre-commit framework)
  pipeguard-hook install [--force]  install into the hooks directory git uses
                                    (core.hooksPath, or .git/hooks); an existing hook is kept
                                    and still runs (chained); --force replaces a stale chain
  pipeguard-hook uninstall          remove it and restore a chained hook

Options:
  --config FILE     use this config instead of the repository's .pipeguard.toml
  --baseline FILE   also accept the findings recorded in this baseline
  -h, --help        this help
  -V, --version     the version

Exit codes: 0 allowed, 1 blocked (findings), 2 error (also blocks).
Skip the check for one commit with `git commit --no-verify`.
";

enum Command {
    Scan { files: Option<Vec<PathBuf>> },
    Install { force: bool },
    Uninstall,
    Help,
    Version,
}

struct Args {
    command: Command,
    config: Option<PathBuf>,
    baseline: Option<PathBuf>,
}

fn parse_args(mut argv: impl Iterator<Item = std::ffi::OsString>) -> Result<Args, String> {
    let mut args = Args {
        command: Command::Scan { files: None },
        config: None,
        baseline: None,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut files_flag = false;
    let mut first = true;
    let mut only_files = false;
    let mut force = false;
    while let Some(a) = argv.next() {
        let s = a.to_string_lossy();
        if only_files {
            files.push(PathBuf::from(a));
            continue;
        }
        match s.as_ref() {
            "install" if first => args.command = Command::Install { force: false },
            "uninstall" if first => args.command = Command::Uninstall,
            "--force" | "-f" => force = true,
            "-h" | "--help" => args.command = Command::Help,
            "-V" | "--version" => args.command = Command::Version,
            "--files" => files_flag = true,
            "--" => only_files = true,
            "--config" | "--baseline" => {
                let v = argv
                    .next()
                    .ok_or_else(|| format!("{s} needs a file name"))?;
                if s == "--config" {
                    args.config = Some(PathBuf::from(v));
                } else {
                    args.baseline = Some(PathBuf::from(v));
                }
            }
            o if o.starts_with("--config=") => args.config = Some(PathBuf::from(&o[9..])),
            o if o.starts_with("--baseline=") => args.baseline = Some(PathBuf::from(&o[11..])),
            o if o.starts_with('-') && o.len() > 1 => {
                return Err(format!("unknown option `{o}` (see --help)"))
            }
            _ => files.push(PathBuf::from(a)),
        }
        first = false;
    }
    match &mut args.command {
        Command::Install { force: f } => *f = force,
        Command::Scan { files: slot } => {
            if files_flag || !files.is_empty() {
                *slot = Some(files);
            } else if force {
                return Err("--force only applies to `install`".to_string());
            }
        }
        Command::Uninstall if !files.is_empty() => {
            return Err("`uninstall` takes no file names".to_string())
        }
        _ => {}
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pipeguard-hook: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match args.command {
        Command::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("pipeguard-hook {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Install { force } => install::install(force),
        Command::Uninstall => install::uninstall(),
        Command::Scan { files } => scan(files, args.config, args.baseline),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("pipeguard-hook: error: {e:#}");
            eprintln!("pipeguard-hook: the commit is blocked; skip the check once with `git commit --no-verify`");
            ExitCode::from(2)
        }
    }
}

/// Scan the staged change and print what blocks it. Returns the exit code.
fn scan(
    files: Option<Vec<PathBuf>>,
    config: Option<PathBuf>,
    baseline: Option<PathBuf>,
) -> anyhow::Result<u8> {
    use anyhow::Context as _;
    // Staged blobs are read once each: re-hashing them to detect a corrupt object store (`git
    // fsck`'s job) cost the hook as much as scanning them.
    git2::opts::strict_hash_verification(false);
    let repo = git::open(None)?;
    let root = repo
        .workdir()
        .map(|p| p.to_path_buf())
        .context("a bare repository has nothing staged")?;
    let config = match config {
        Some(path) => Config::load(&path)?,
        None => Config::discover(&root)?,
    };
    for note in &config.notes {
        eprintln!("pipeguard-hook: warning: {note}");
    }
    let mut scanner = Scanner::new(config)?;
    if let Some(b) = baseline {
        scanner.accept_baseline(&Baseline::load(&b)?);
    }
    let report = match &files {
        None => git::scan_staged(&scanner, &repo)?,
        Some(files) => git::scan_staged_files(&scanner, &repo, files)?,
    };
    let code = render(&scanner, &report);
    // The process ends here: freeing hundreds of rules one by one would only delay the commit.
    std::mem::forget(scanner);
    Ok(code)
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Print findings and problems to stderr (git shows a hook's output there) and pick the code.
fn render(scanner: &Scanner, report: &Report) -> u8 {
    let err = std::io::stderr();
    let style = Style {
        on: err.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = std::io::BufWriter::new(err.lock());
    let threshold = scanner.config.fail_severity;
    let blocking = report.failing(threshold);
    let errors: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.level >= Level::Warning)
        .collect();
    for d in &errors {
        let level = match d.level {
            Level::Error => style.paint("31", "error"),
            _ => style.paint("33", "warning"),
        };
        let _ = writeln!(
            out,
            "pipeguard: {level}: {}{}",
            d.path
                .as_deref()
                .map(|p| format!("{p}: "))
                .unwrap_or_default(),
            d.message
        );
    }
    if !report.findings.is_empty() {
        let _ = writeln!(
            out,
            "\n{} in the staged changes:\n",
            style.paint(
                "1",
                &format!(
                    "pipeguard: {} finding{}",
                    report.findings.len(),
                    if report.findings.len() == 1 { "" } else { "s" }
                )
            )
        );
        for f in &report.findings {
            print_finding(&mut out, scanner, f, &style, f.severity >= threshold);
        }
        let ids: Vec<&str> = {
            let mut v: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let _ = writeln!(
            out,
            "If a finding is a real secret: take it out of the staged file (edit it, then `git add`), \
             revoke it and load it from a secret store instead.\n\
             If it is a false positive:\n  \
             - add `pipeguard:allow[{}]` in a comment on that line, or\n  \
             - accept today's findings with `pipeguard baseline --output .pipeguard-baseline.json` \
             and `baseline = \".pipeguard-baseline.json\"` in .pipeguard.toml, or\n  \
             - skip the check for this one commit with `git commit --no-verify`.",
            ids.join(", ")
        );
    }
    let code = if report.has_errors() {
        2
    } else if blocking > 0 {
        1
    } else {
        0
    };
    match code {
        1 => {
            let _ = writeln!(
                out,
                "{}",
                style.paint(
                    "31;1",
                    &format!(
                        "pipeguard: commit blocked ({blocking} finding{} at or above `{threshold}`).",
                        if blocking == 1 { "" } else { "s" }
                    )
                )
            );
        }
        2 => {
            let _ = writeln!(
                out,
                "pipeguard: commit blocked: the staged changes could not be fully scanned (see errors above)."
            );
        }
        _ => {}
    }
    let _ = out.flush();
    code
}

fn print_finding(
    out: &mut impl Write,
    scanner: &Scanner,
    f: &Finding,
    style: &Style,
    blocking: bool,
) {
    let fix = scanner
        .rules()
        .iter()
        .find(|r| r.rule.id == f.rule_id)
        .map(|r| r.rule.fix.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| f.message.clone());
    let sev = if blocking {
        style.paint("31", f.severity.as_str())
    } else {
        format!("{} (not blocking)", f.severity)
    };
    let _ = writeln!(
        out,
        "  {}:{}:{}  {}  {}  {}",
        style.paint("1", &f.path),
        f.line,
        f.column,
        style.paint("36", &f.rule_id),
        sev,
        f.title
    );
    let _ = writeln!(out, "      {}", f.excerpt);
    let _ = writeln!(out, "      fix: {fix}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Args, String> {
        parse_args(v.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn argument_forms() {
        assert!(matches!(
            parse(&[]).unwrap().command,
            Command::Scan { files: None }
        ));
        assert!(matches!(
            parse(&["install", "--force"]).unwrap().command,
            Command::Install { force: true }
        ));
        match parse(&["--files", "a", "b"]).unwrap().command {
            Command::Scan { files: Some(f) } => assert_eq!(f.len(), 2),
            _ => panic!(),
        }
        match parse(&["x/install"]).unwrap().command {
            Command::Scan { files: Some(f) } => assert_eq!(f, [PathBuf::from("x/install")]),
            _ => panic!(),
        }
        match parse(&["--files"]).unwrap().command {
            Command::Scan { files: Some(f) } => assert!(f.is_empty()),
            _ => panic!(),
        }
        assert!(parse(&["--bogus"]).is_err());
        assert_eq!(
            parse(&["--config", "c.toml"]).unwrap().config,
            Some(PathBuf::from("c.toml"))
        );
    }
}
