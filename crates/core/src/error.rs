//! Typed library errors. Each carries what a user needs to fix the problem: file, line, rule id.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A config or rule file that is not valid TOML, or has an unknown or mistyped key.
    #[error("{file}:{line}:{column}: {message}")]
    Config {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A rule that is invalid (bad regex, unknown validator, …).
    #[error("{file}{}: rule `{rule_id}`: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Rule {
        file: String,
        line: Option<usize>,
        rule_id: String,
        message: String,
    },
    #[error("{}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
    #[error("git: {0}")]
    Git(String),
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Build a config error from a TOML error, with line and column from its span.
    pub fn config_toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let (line, column) = e
            .span()
            .map(|s| crate::config::line_col(text, s.start))
            .unwrap_or((1, 1));
        Error::Config {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            err: source,
        }
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::Git(e.message().to_string())
    }
}
