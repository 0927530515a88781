//! A small JSON parser that keeps a 1-based span on every node and bounds nesting depth.
//!
//! serde_json drops positions; policy hits must point at the offending statement, so this parser
//! records where each value and key starts and ends. It accepts strict JSON only (plus a UTF-8
//! BOM); anything else is an error with line and column.

use super::node::{Key, Node, Span, Value, MAX_DEPTH};

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
    let mut p = Parser {
        b: src.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
    };
    if p.b.starts_with(b"\xEF\xBB\xBF") {
        p.i = 3;
        p.line_start = 3;
    }
    p.ws();
    let n = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(n)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
}

impl Parser<'_> {
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

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        let start = self.pos();
        let v = match self.b.get(self.i) {
            None => return Err(self.err("unexpected end of input")),
            Some(b'{') => {
                self.i += 1;
                let mut m = Vec::new();
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
                        let v = self.value(depth + 1)?;
                        m.push((Key { name, span: kspan }, v));
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
                Value::Map(m)
            }
            Some(b'[') => {
                self.i += 1;
                let mut s = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        s.push(self.value(depth + 1)?);
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
                Value::Seq(s)
            }
            Some(b'"') => Value::Str(self.string()?),
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
                Value::Num(String::from_utf8_lossy(&self.b[s..self.i]).into_owned())
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

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
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
        Ok(String::from_utf8_lossy(&out).into_owned())
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
