//! GitHub's environment and the action's inputs: all the action knows about its run comes from
//! here, read once, through a lookup function so that tests need no process environment.

use anyhow::{anyhow, bail, Result};
use pipeguard_core::Severity;
use std::path::PathBuf;

/// What to scan (input `scan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// What the push or pull request adds; the whole history for events that name no change.
    Changes,
    /// Every commit of every branch and tag.
    History,
    /// The checked-out files.
    Tree,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Changes => "changes",
            Mode::History => "history",
            Mode::Tree => "tree",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "changes" => Ok(Mode::Changes),
            "history" => Ok(Mode::History),
            "tree" => Ok(Mode::Tree),
            other => {
                bail!("input `scan`: unknown value `{other}` (expected changes, history or tree)")
            }
        }
    }
}

/// The action's inputs, from `INPUT_*` variables (`action.yml` passes them on).
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The repository (or, with `scan: tree`, the directory) to scan, relative to the workspace.
    pub path: String,
    /// A config file, relative to the workspace; else discovery from `path`.
    pub config: Option<String>,
    /// Overrides the config's `[fail] severity`.
    pub fail_on: Option<Severity>,
    /// Where the SARIF file goes, relative to the workspace.
    pub sarif_file: String,
    pub mode: Mode,
    /// The pipeguard version `action.yml` was asked to install (logged).
    pub version: Option<String>,
}

/// Everything read from the environment.
#[derive(Debug, Clone)]
pub struct GithubEnv {
    pub event_name: String,
    pub event_path: Option<PathBuf>,
    pub workspace: PathBuf,
    /// The commit the workflow runs on (`GITHUB_SHA`).
    pub sha: Option<String>,
    /// `GITHUB_REF`, e.g. `refs/heads/main` or `refs/pull/7/merge`.
    pub git_ref: Option<String>,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    /// `GITHUB_SERVER_URL` (`https://github.com`) and `GITHUB_REPOSITORY` (`owner/name`).
    pub server_url: Option<String>,
    pub repository: Option<String>,
    pub inputs: Inputs,
}

impl GithubEnv {
    /// Read the process environment.
    pub fn from_env() -> Result<Self> {
        Self::read(|k| std::env::var(k).ok())
    }

    /// Read through `get`, which returns a variable's value.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        // The runner names inputs `INPUT_<NAME>` upper-cased with hyphens kept; a composite
        // action sets them itself, where an underscore is the portable spelling. Accept both.
        let input = |name: &str| {
            let upper = name.to_ascii_uppercase();
            var(&format!("INPUT_{upper}"))
                .or_else(|| var(&format!("INPUT_{}", upper.replace('-', "_"))))
        };
        let event_name = var("GITHUB_EVENT_NAME").ok_or_else(|| {
            anyhow!(
                "GITHUB_EVENT_NAME is not set: pipeguard-action runs inside GitHub Actions \
                 (elsewhere, use `pipeguard scan`)"
            )
        })?;
        let workspace = match var("GITHUB_WORKSPACE") {
            Some(w) => PathBuf::from(w),
            None => std::env::current_dir().map_err(|e| {
                anyhow!("GITHUB_WORKSPACE is not set and the current directory is unreadable: {e}")
            })?,
        };
        let fail_on = input("fail-on")
            .map(|s| {
                s.parse::<Severity>()
                    .map_err(|e| anyhow!("input `fail-on`: {e}"))
            })
            .transpose()?;
        let inputs = Inputs {
            path: input("path").unwrap_or_else(|| ".".to_string()),
            config: input("config"),
            fail_on,
            sarif_file: input("sarif-file").unwrap_or_else(|| "pipeguard.sarif".to_string()),
            mode: input("scan").unwrap_or_default().parse()?,
            version: input("version"),
        };
        Ok(GithubEnv {
            event_name,
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            workspace,
            sha: var("GITHUB_SHA"),
            git_ref: var("GITHUB_REF"),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            server_url: var("GITHUB_SERVER_URL"),
            repository: var("GITHUB_REPOSITORY"),
            inputs,
        })
    }

    /// `https://github.com/owner/name`, when both parts are known.
    pub fn repo_url(&self) -> Option<String> {
        let server = self.server_url.as_deref()?.trim_end_matches('/');
        Some(format!("{server}/{}", self.repository.as_deref()?))
    }

    /// A path input resolved against the workspace.
    pub fn resolve(&self, p: &str) -> PathBuf {
        self.workspace.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Result<GithubEnv> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GithubEnv::read(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_and_both_input_spellings() {
        let e = env(&[("GITHUB_EVENT_NAME", "push"), ("GITHUB_WORKSPACE", "/ws")]).unwrap();
        assert_eq!(e.inputs.path, ".");
        assert_eq!(e.inputs.sarif_file, "pipeguard.sarif");
        assert_eq!(e.inputs.mode, Mode::Changes);
        assert!(e.inputs.fail_on.is_none());
        let e = env(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_WORKSPACE", "/ws"),
            ("INPUT_FAIL-ON", "High"),
            ("INPUT_SARIF_FILE", "out/p.sarif"),
            ("INPUT_SCAN", " history "),
            ("INPUT_CONFIG", ""),
            ("GITHUB_SERVER_URL", "https://github.com/"),
            ("GITHUB_REPOSITORY", "o/r"),
        ])
        .unwrap();
        assert_eq!(e.inputs.fail_on, Some(Severity::High));
        assert_eq!(e.inputs.sarif_file, "out/p.sarif");
        assert_eq!(e.inputs.mode, Mode::History);
        assert!(e.inputs.config.is_none());
        assert_eq!(e.repo_url().unwrap(), "https://github.com/o/r");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let e = env(&[("GITHUB_EVENT_NAME", "push"), ("INPUT_SCAN", "everything")]);
        assert!(e.unwrap_err().to_string().contains("input `scan`"));
        let e = env(&[("GITHUB_EVENT_NAME", "push"), ("INPUT_FAIL_ON", "urgent")]);
        assert!(e.unwrap_err().to_string().contains("input `fail-on`"));
        let e = env(&[]);
        assert!(e.unwrap_err().to_string().contains("GITHUB_EVENT_NAME"));
    }
}
