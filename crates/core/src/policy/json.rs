//! A small JSON parser that keeps a 1-based span on every node and bounds nesting depth.
//!
//! serde_json drops positions; policy hits must point at the offending statement, so this parser
//! records where each value and key starts and ends. It accepts strict JSON only (plus a UTF-8
//! BOM); anything else is an error with line and column.

use super::node::{Key, Node, Span, Value, MAX_DEPTH};
use std::borrow::Cow;

#[derive(Debug)]
pub(crate) struct JsonError {
    pub line: u32,
    pub col: u32,
    pub msg: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.msg)
    }
}

pub(crate) fn parse(src: &str) -> Result<Node, JsonError> {
    parse_keeping(src, Keep::All)
}

/// The parts of a JSON document that say what it is, read without building the rest: the
/// top-level keys `policy::kind_of` looks at (containers among them left empty) and each
/// resource's `Type`. A large JSON file that merely mentions `"Resources"` (a service catalogue,
/// a schema) is told apart in one pass that allocates next to nothing. Errors are the full
/// parser's: both walk the same grammar.
pub(crate) fn outline(src: &str) -> Result<Node, JsonError> {
    parse_keeping(src, Keep::Root)
}

fn parse_keeping(src: &str, keep: Keep) -> Result<Node, JsonError> {
    let mut p = Parser {
        b: src.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        entries: Vec::new(),
        items: Vec::new(),
    };
    if p.b.starts_with(b"\xEF\xBB\xBF") {
        p.i = 3;
        p.line_start = 3;
    }
    p.ws();
    let n = p.value(0, keep)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(n)
}

/// What of a value the parser builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Everything.
    All,
    /// Nothing: the value is checked and dropped.
    Skip,
    /// The value's kind: scalars whole, containers empty.
    Shallow,
    /// A document's root, for [`outline`].
    Root,
    /// The root's `Resources`: every resource, each with its `Type` only.
    Resources,
    Resource,
}

impl Keep {
    /// What to keep of the value under `key` in a map kept this way.
    fn child(self, key: &str) -> Keep {
        match self {
            Keep::All => Keep::All,
            Keep::Skip | Keep::Shallow => Keep::Skip,
            Keep::Root => match key {
                "Resources" => Keep::Resources,
                "AWSTemplateFormatVersion" | "phases" | "jobs" | "on" | "true" => Keep::Shallow,
                k if k.eq_ignore_ascii_case("Statement") => Keep::Shallow,
                _ => Keep::Skip,
            },
            Keep::Resources => Keep::Resource,
            Keep::Resource if key == "Type" => Keep::All,
            Keep::Resource => Keep::Skip,
        }
    }

    /// What to keep of a sequence's items.
    fn item(self) -> Keep {
        match self {
            Keep::All => Keep::All,
            _ => Keep::Skip,
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    /// Entries of the maps and items of the sequences being parsed, innermost last: each
    /// container moves its own out at its end into a vector of exactly its size.
    entries: Vec<(Key, Node)>,
    items: Vec<Node>,
}

impl<'a> Parser<'a> {
    fn err(&self, msg: &'static str) -> JsonError {
        JsonError {
            line: self.line,
            col: (self.i - self.line_start + 1) as u32,
            msg,
        }
    }

    fn pos(&self) -> (u32, u32) {
        (self.line, (self.i - self.line_start + 1) as u32)
    }

    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn span_from(&self, (line, col): (u32, u32)) -> Span {
        let (end_line, end_col) = self.pos();
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    }

    fn value(&mut self, depth: usize, keep: Keep) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        let start = self.pos();
        let v = match self.b.get(self.i) {
            None => return Err(self.err("unexpected end of input")),
            Some(b'{') => {
                self.i += 1;
                let base = self.entries.len();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let kstart = self.pos();
                        if self.b.get(self.i) != Some(&b'"') {
                            return Err(self.err("expected a string key"));
                        }
                        let name = self.string()?;
                        let kspan = self.span_from(kstart);
                        self.ws();
                        if self.b.get(self.i) != Some(&b':') {
                            return Err(self.err("expected `:`"));
                        }
                        self.i += 1;
                        self.ws();
                        let child = keep.child(&name);
                        let v = self.value(depth + 1, child)?;
                        if child != Keep::Skip {
                            let name = name.into_owned();
                            self.entries.push((Key { name, span: kspan }, v));
                        }
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `}`")),
                        }
                    }
                }
                Value::Map(self.entries.drain(base..).collect())
            }
            Some(b'[') => {
                self.i += 1;
                let base = self.items.len();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let v = self.value(depth + 1, keep.item())?;
                        if keep.item() != Keep::Skip {
                            self.items.push(v);
                        }
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected `,` or `]`")),
                        }
                    }
                }
                Value::Seq(self.items.drain(base..).collect())
            }
            Some(b'"') => {
                let s = self.string()?;
                match keep {
                    Keep::Skip => Value::Null,
                    _ => Value::Str(s.into_owned()),
                }
            }
            Some(b't') => self.word(b"true", Value::Bool(true))?,
            Some(b'f') => self.word(b"false", Value::Bool(false))?,
            Some(b'n') => self.word(b"null", Value::Null)?,
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let s = self.i;
                while let Some(c) = self.b.get(self.i) {
                    if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                match keep {
                    Keep::Skip => Value::Null,
                    _ => Value::Num(String::from_utf8_lossy(&self.b[s..self.i]).into_owned()),
                }
            }
            Some(_) => return Err(self.err("unexpected character")),
        };
        Ok(Node::new(v, self.span_from(start)))
    }

    fn word(&mut self, w: &[u8], v: Value) -> Result<Value, JsonError> {
        if self.b[self.i..].starts_with(w) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("unexpected literal"))
        }
    }

    /// A string at the opening quote: borrowed from the source unless it holds escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.i += 1; // opening quote
        let start = self.i;
        // The common case: no escape before the closing quote.
        if let Some(n) = memchr::memchr3(b'"', b'\\', b'\n', &self.b[start..]) {
            if self.b[start + n] == b'"' {
                self.i = start + n + 1;
                return Ok(String::from_utf8_lossy(&self.b[start..start + n]));
            }
        }
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.err("unterminated string"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    let Some(&e) = self.b.get(self.i + 1) else {
                        return Err(self.err("unterminated string"));
                    };
                    self.i += 2;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let hex = self
                                .b
                                .get(self.i..self.i + 4)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.err("bad \\u escape"))?;
                            self.i += 4;
                            let ch = char::from_u32(hex).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(self.err("bad escape")),
                    }
                }
                b'\n' => return Err(self.err("newline in string")),
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(Cow::Owned(String::from_utf8_lossy(&out).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values_and_keys() {
        let n = parse("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\"}\n  ]\n}").unwrap();
        let (k, st) = n.entry("Statement").unwrap();
        assert_eq!((k.span.line, k.span.col), (3, 3));
        let s0 = &st.as_seq().unwrap()[0];
        assert_eq!((s0.span.line, s0.span.col), (4, 5));
        assert_eq!(s0.get("Effect").unwrap().lit(), Some("Allow"));
    }

    #[test]
    fn errors_and_depth_limit() {
        assert!(parse("{\"a\": }").is_err());
        assert!(parse("{} x").is_err());
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        assert_eq!(parse("\"\\u0041\\n\"").unwrap().lit(), Some("A\n"));
    }
}
