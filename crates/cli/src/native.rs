//! What makes the CLI feel native: shell completions, the manual page, `--color`, and counts
//! with correct plurals ("1 file", "2 findings").

use anyhow::Result;
use clap::CommandFactory;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::OnceLock;

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Record the `--color` choice (once, at start-up).
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// Whether to colour what goes to `stream`.
pub fn color(stream: &impl IsTerminal) -> bool {
    match COLOR.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// "1 finding", "2 findings", "0 files".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `pipeguard completions SHELL`.
pub fn completions<C: CommandFactory>(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut cmd = C::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "pipeguard", &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `pipeguard man`.
pub fn man<C: CommandFactory>() -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(C::command()).render(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn plurals() {
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(2, "finding"), "2 findings");
    }
}
