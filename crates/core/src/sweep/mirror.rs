//! Bare mirrors of remote repositories in a cache directory, kept with the `git` command:
//! `git clone --mirror` the first time, `git fetch --prune` afterwards. Credentials come from
//! git's own mechanisms (credential helpers, `url.<base>.insteadOf`, a URL's user-info); git
//! never prompts, and its messages are scrubbed of user-info before they reach a report.

use super::list::{hex, normalize_url, scrub};
use crate::error::Error;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The default cache: `$XDG_CACHE_HOME/pipeguard`, else `~/.cache/pipeguard`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").and_then(non_empty) {
        return Some(x.join("pipeguard"));
    }
    std::env::var_os("HOME")
        .and_then(non_empty)
        .map(|h| h.join(".cache").join("pipeguard"))
}

/// Where the mirror of `url` lives under `cache`: `mirrors/<last path segment>-<hash>.git`,
/// readable by a person and unique per normalised URL.
pub fn mirror_path(cache: &Path, url: &str) -> PathBuf {
    let key = normalize_url(url);
    let name: String = key
        .rsplit('/')
        .next()
        .unwrap_or("repo")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let hash = hex(&Sha256::digest(key.as_bytes()));
    cache
        .join("mirrors")
        .join(format!("{name}-{}.git", &hash[..16]))
}

/// How a mirror was brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    Cloned,
    Fetched,
}

/// Clone `url` into the cache, or fetch it when the mirror exists. A clone goes to a temporary
/// directory first and is renamed into place, so an interrupted clone never leaves a half mirror.
pub fn sync(cache: &Path, url: &str) -> Result<(PathBuf, Sync), Error> {
    // git runs in the mirror's parent directory: a relative cache must not be resolved twice.
    let cache = &std::path::absolute(cache).map_err(|e| Error::io(cache, e))?;
    let dest = mirror_path(cache, url);
    if dest.join("HEAD").is_file() {
        git(&dest, &["fetch", "--prune", "--quiet", "origin"], url)?;
        return Ok((dest, Sync::Fetched));
    }
    let parent = dest.parent().expect("mirror path has a parent");
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let tmp = dest.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let tmp_str = tmp.to_string_lossy().to_string();
    let result = git(
        parent,
        &["clone", "--mirror", "--quiet", "--", url, &tmp_str],
        url,
    );
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dest.exists() {
        // A stale, broken mirror (no HEAD): replace it.
        std::fs::remove_dir_all(&dest).map_err(|e| Error::io(&dest, e))?;
    }
    std::fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
    Ok((dest, Sync::Cloned))
}

/// Run git without a terminal prompt; on failure, its scrubbed stderr is the error.
fn git(dir: &Path, args: &[&str], url: &str) -> Result<(), Error> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let msg = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Err(Error::Git(format!(
        "`git {}` failed for {}: {}",
        args[0],
        normalize_url(url),
        scrub(&msg)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_path_is_per_normalised_url() {
        let c = Path::new("/c");
        assert_eq!(
            mirror_path(c, "https://tok@H/org/repo.git"),
            mirror_path(c, "https://h/org/repo")
        );
        assert_ne!(
            mirror_path(c, "https://h/a/repo"),
            mirror_path(c, "https://h/b/repo")
        );
        let p = mirror_path(c, "https://h/org/repo.git");
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with("repo-") && name.ends_with(".git"),
            "{name}"
        );
    }
}
