//! Where the action writes: the log (workflow commands on stdout), `$GITHUB_OUTPUT` and
//! `$GITHUB_STEP_SUMMARY` (both appended to, as other steps may have written there too).
//!
//! Every line of the log that is not a workflow command of ours starts with `pipeguard:` and has
//! its newlines escaped, so that a file name, branch name or commit message can never start a
//! workflow command of its own (`::add-mask::`, `::stop-commands::`, …).

use anyhow::{Context as _, Result};
use pipeguard_core::report::escape;
use pipeguard_core::report::github::escape_data;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// One plain log line, safe from workflow-command injection.
pub fn log(text: &str) {
    println!("pipeguard: {}", escape::line(text));
}

/// `::group::title` … `::endgroup::` around what `body` prints.
pub fn group(title: &str, body: impl FnOnce()) {
    println!("::group::{}", escape_data(&escape::control(title)));
    body();
    println!("::endgroup::");
}

/// Append to a file GitHub gave us (outputs, summary).
pub fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `name=value` lines for `$GITHUB_OUTPUT`; a value with a line break uses the heredoc form with
/// a delimiter that the value does not contain.
pub fn outputs(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if value.contains(['\n', '\r']) {
            let mut delim = format!("ghadelimiter_{}", std::process::id());
            while value.contains(&delim) {
                delim.push('_');
            }
            out.push_str(&format!("{name}<<{delim}\n{value}\n{delim}\n"));
        } else {
            out.push_str(&format!("{name}={value}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_use_heredocs_for_multiline_values() {
        let text = outputs(&[("findings", "2".into()), ("sarif-file", "a\nb".into())]);
        let pid = std::process::id();
        assert_eq!(
            text,
            format!("findings=2\nsarif-file<<ghadelimiter_{pid}\na\nb\nghadelimiter_{pid}\n")
        );
    }
}
