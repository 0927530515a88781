//! Facts about a rule's pattern read off its syntax tree. Shared with `build.rs`, which works
//! them out for the built-in rules at build time: parsing 400 patterns at start-up would cost a
//! pre-commit hook several milliseconds.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A parser with pipeguard's pattern flavour: bytes, ASCII classes, multi-line anchors.
pub fn parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .build()
}

/// The most line ends (`\n`) a match of `pattern` can hold: `Some(0)` when every match lies
/// within one line, `None` when there is no bound (`\s*`, `(?s).*`) or the pattern does not parse.
/// A rule with a bound only needs to run on the lines around its keywords.
pub fn max_line_ends(pattern: &str) -> Option<u32> {
    line_ends(&parser().parse(pattern).ok()?)
}

/// [`max_line_ends`] of a parsed pattern.
pub fn line_ends(h: &Hir) -> Option<u32> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(l) => Some(l.0.iter().filter(|&&b| b == b'\n').count() as u32),
        HirKind::Class(Class::Bytes(c)) => Some(u32::from(
            c.ranges()
                .iter()
                .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        )),
        HirKind::Class(Class::Unicode(c)) => Some(u32::from(
            c.ranges()
                .iter()
                .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        )),
        HirKind::Repetition(r) => match line_ends(&r.sub)? {
            0 => Some(0),
            n => n.checked_mul(r.max?),
        },
        HirKind::Capture(c) => line_ends(&c.sub),
        HirKind::Concat(hs) => hs
            .iter()
            .try_fold(0u32, |sum, h| sum.checked_add(line_ends(h)?)),
        HirKind::Alternation(hs) => hs.iter().try_fold(0u32, |m, h| Some(m.max(line_ends(h)?))),
    }
}
