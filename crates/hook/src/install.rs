//! `install` / `uninstall`: the hook goes where git will run it.
//!
//! That is `core.hooksPath` when set (relative paths are relative to the working tree root, as git
//! reads them), else the `hooks` directory of the repository's common git directory (shared by all
//! worktrees, which is where git looks). An existing foreign `pre-commit` hook is kept: it is moved
//! to `pre-commit.pipeguard-chained` and our script runs it first, so nothing a team already had
//! stops running. `uninstall` puts it back.

use anyhow::{bail, Context as _, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// Marks a hook script written by us.
const MARKER: &str = "# pipeguard-hook: installed by `pipeguard-hook install`";
const HOOK: &str = "pre-commit";
const CHAINED: &str = "pre-commit.pipeguard-chained";

/// The hooks directory git uses for the repository around the current directory.
pub(crate) fn hooks_dir() -> Result<PathBuf> {
    let (env, cwd) = crate::git_env()?;
    let repo = pipeguard_core::input::git::open_env(&env, &cwd).map_err(|_| {
        anyhow::anyhow!(
            "{} is not inside a git repository: run `pipeguard-hook install` from the working \
             tree of the repository the hook is for",
            cwd.display()
        )
    })?;
    let config = repo.config().context("reading git config")?;
    if let Ok(p) = config.get_path("core.hooksPath") {
        let base = repo.workdir().unwrap_or_else(|| repo.path());
        return Ok(if p.is_absolute() { p } else { base.join(p) });
    }
    Ok(repo.commondir().join("hooks"))
}

fn script(exe: &Path) -> String {
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', r"'\''"));
    format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         # Blocks commits that add secrets. Skip it once with `git commit --no-verify`;\n\
         # remove it with `pipeguard-hook uninstall`.\n\
         chained=\"$(dirname \"$0\")/{CHAINED}\"\n\
         if [ -x \"$chained\" ]; then \"$chained\" \"$@\" || exit $?; fi\n\
         hook={quoted}\n\
         [ -x \"$hook\" ] || hook=pipeguard-hook\n\
         exec \"$hook\"\n"
    )
}

fn ours(path: &Path) -> bool {
    fs::read(path).is_ok_and(|b| String::from_utf8_lossy(&b).contains(MARKER))
}

pub(crate) fn install(force: bool) -> Result<u8> {
    let dir = hooks_dir()?;
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let hook = dir.join(HOOK);
    let chained = dir.join(CHAINED);
    let exe = std::env::current_exe()
        .and_then(fs::canonicalize)
        .context("locating the pipeguard-hook binary")?;
    let exists = fs::symlink_metadata(&hook).is_ok();
    let was_ours = exists && ours(&hook);
    if exists && !was_ours {
        if fs::symlink_metadata(&chained).is_ok() && !force {
            bail!(
                "{} exists and so does {} (left from an earlier install?); \
                 move one of them away, or run `pipeguard-hook install --force` to replace the \
                 chained one with the current hook",
                hook.display(),
                chained.display()
            );
        }
        fs::rename(&hook, &chained).with_context(|| format!("moving {} aside", hook.display()))?;
        eprintln!(
            "pipeguard-hook: kept the existing hook as {}; it still runs, before pipeguard",
            chained.display()
        );
    }
    write_executable(&hook, &script(&exe))?;
    eprintln!(
        "pipeguard-hook: {} {}",
        if was_ours { "updated" } else { "installed" },
        hook.display()
    );
    Ok(0)
}

pub(crate) fn uninstall() -> Result<u8> {
    let dir = hooks_dir()?;
    let hook = dir.join(HOOK);
    let chained = dir.join(CHAINED);
    if fs::symlink_metadata(&hook).is_err() {
        eprintln!("pipeguard-hook: no pre-commit hook in {}", dir.display());
        return Ok(0);
    }
    if !ours(&hook) {
        bail!(
            "{} was not installed by pipeguard-hook; left as it is",
            hook.display()
        );
    }
    fs::remove_file(&hook).with_context(|| format!("removing {}", hook.display()))?;
    if fs::symlink_metadata(&chained).is_ok() {
        fs::rename(&chained, &hook).with_context(|| format!("restoring {}", chained.display()))?;
        eprintln!("pipeguard-hook: removed; restored the previous hook");
    } else {
        eprintln!("pipeguard-hook: removed {}", hook.display());
    }
    Ok(0)
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))
            .with_context(|| format!("making {} executable", path.display()))?;
    }
    Ok(())
}
