//! Escaping for everything pipeguard prints: file names, file content and config strings are
//! attacker-controlled in a pull request, and GitHub's runner reads workflow commands from any
//! line of a step's stdout and stderr.
//!
//! - [`control`]: control characters (C0 but tab, DEL, C1), bidirectional overrides and Unicode
//!   line separators become visible escapes (`\n`, `\x1b`, `\u{202e}`), so that a string can
//!   neither start a new line, drive the terminal nor reorder what a reader sees.
//! - [`defuse`]: a line that is not one of our workflow commands can never be parsed as one: the
//!   runner trims leading whitespace and looks for `::` (and, in its legacy syntax, for `##[`
//!   anywhere on the line).
//! - [`json`]: the raw characters JSON leaves alone (DEL, C1, bidi, U+2028/9) as `\u` escapes.

use std::borrow::Cow;

/// Whether `c` is shown as an escape in human-readable output.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Control characters, bidi controls and line separators as visible escapes; tab is kept.
pub fn control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if !is_unsafe(c) => out.push(c),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// [`control`] for text whose own line breaks are kept (a multi-line message that a workflow
/// command carries as `%0A`): everything else is escaped.
pub fn control_keep_newlines(s: &str) -> String {
    s.split('\n')
        .map(|l| control(l.strip_suffix('\r').unwrap_or(l)).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line of human output, safe to print where GitHub's runner reads: [`control`] escapes,
/// then [`defuse`].
pub fn line(s: &str) -> String {
    defuse(&control(s)).into_owned()
}

/// Make a line (without line breaks) unreadable as a workflow command: a leading `::` (after
/// whitespace and colour codes) becomes `\::`, and every `##[` becomes `##\[`.
pub fn defuse(line: &str) -> Cow<'_, str> {
    let lead = leading_inert(line);
    let starts = line[lead..].starts_with("::");
    let legacy = line.contains("##[");
    if !starts && !legacy {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 4);
    out.push_str(&line[..lead]);
    if starts {
        out.push('\\');
    }
    out.push_str(&line[lead..].replace("##[", "##\\["));
    Cow::Owned(out)
}

/// Bytes at the start of a line that the runner skips (whitespace) or that a terminal does not
/// show (SGR colour sequences).
fn leading_inert(line: &str) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        let rest = &line[i..];
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if b[i..].starts_with(b"\x1b[") {
            match b[i + 2..]
                .iter()
                .position(|&c| !(c.is_ascii_digit() || c == b';'))
            {
                Some(p) if b[i + 2 + p] == b'm' => i += 3 + p,
                _ => return i,
            }
        } else {
            return i;
        }
    }
}

/// [`defuse`] every line of a rendered text (whose fields were escaped with [`control`]).
pub fn defuse_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive('\n') {
        let (body, nl) = match piece.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (piece, ""),
        };
        out.push_str(&defuse(body));
        out.push_str(nl);
    }
    out
}

/// JSON text with the characters JSON allows raw but terminals and viewers misuse (DEL, C1, bidi
/// controls, line separators) written as `\uXXXX`. Only valid on serialised JSON: those characters
/// can only occur inside strings there, where the escape means the same character.
pub fn json(text: String) -> String {
    // C0 characters are serde's to escape; outside strings they are JSON's own whitespace.
    let raw = |c: char| is_unsafe(c) && c >= '\u{7f}';
    if !text.chars().any(raw) {
        return text;
    }
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(control("a\tb"), "a\tb");
        assert_eq!(control("plain"), Cow::Borrowed("plain"));
        assert_eq!(
            control("x\n::error::y\r\x1b[31m\x7f\u{85}\u{202e}z"),
            "x\\n::error::y\\r\\x1b[31m\\x7f\\u{85}\\u{202e}z"
        );
    }

    #[test]
    fn defuse_blocks_both_command_syntaxes() {
        assert_eq!(defuse("::error::x"), "\\::error::x");
        assert_eq!(defuse("   \u{a0}::warning::x"), "   \u{a0}\\::warning::x");
        assert_eq!(defuse("\x1b[1m::error::x"), "\x1b[1m\\::error::x");
        assert_eq!(defuse("a ##[error]x ###[y"), "a ##\\[error]x ###\\[y");
        assert_eq!(defuse("a::b"), Cow::Borrowed("a::b"));
        assert_eq!(
            defuse_lines("ok\n  ::add-mask::x\nlast"),
            "ok\n  \\::add-mask::x\nlast"
        );
        assert_eq!(line("x\n::error::y"), "x\\n::error::y");
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw() {
        let s = serde_json::to_string_pretty(&["a\u{7f}\u{202e}\n"]).unwrap();
        let e = json(s);
        assert_eq!(e, "[\n  \"a\\u007f\\u202e\\n\"\n]");
        let e: Vec<String> = serde_json::from_str(&e).unwrap();
        assert_eq!(e, ["a\u{7f}\u{202e}\n"]);
    }
}
