//! YAML → [`Node`], with marks, via yaml-rust2's event parser.
//!
//! The tree is built from events with an explicit stack (no recursion, depth-bounded), so deeply
//! nested input cannot overflow the stack. Custom tags are kept: CloudFormation's short forms
//! (`!Ref X`, `!Sub "..."`, `!GetAtt B.Arn`) become their long forms and then symbolic
//! [`Value::Expr`] strings (see [`super::node::fold_intrinsics`]). Aliases are expanded with a cap
//! on the number of copied nodes ("billion laughs").

use super::node::{fold_intrinsics, Key, Node, Span, Value, MAX_DEPTH};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Nodes aliases may copy in one stream: far more than templates reuse (a few hundred), and a
/// bound on what a hostile file can make the parser hold (each node is ~100 bytes).
const MAX_ALIAS_NODES: usize = 20_000;

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        tag: Option<Tag>,
        anchor: usize,
    },
    Map {
        items: Vec<(Key, Node)>,
        key: Option<Key>,
        span: Span,
        tag: Option<Tag>,
        anchor: usize,
    },
}

/// Parse every document of a YAML stream.
pub(crate) fn parse(src: &str) -> Result<Vec<Node>, String> {
    let mut parser = Parser::new_from_str(src);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut alias_budget = MAX_ALIAS_NODES;
    // The parser reports the end of the stream one line past a text without a final newline.
    let (eof_line, eof_col) = crate::config::line_col(src, src.len());
    let lines = LineMap::new(src);
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| {
            let (line, col) = lines.at(e.marker());
            format!("{line}:{col}: {}", e.info())
        })?;
        let mark = lines.mark(&mark);
        match ev {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
            Event::Scalar(value, style, anchor, tag) => {
                let mut span = scalar_span(&mark, &value, style);
                if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
                    // The mark is on the first content line; like a heredoc, a block node's span
                    // starts on the line before its content.
                    let blank = value.bytes().take_while(|b| *b == b'\n').count() as u32;
                    span.line = span.line.saturating_sub(blank + 1).max(1);
                    span.end_line = span.line;
                }
                let v = scalar_value(value, style, tag.is_some());
                let mut n = Node::new(v, span);
                n.block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                let n = wrap_tag(n, tag);
                if anchor > 0 {
                    anchors.insert(anchor, n.clone());
                }
                push(&mut stack, &mut docs, n);
            }
            Event::SequenceStart(anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("{}: nesting too deep", mark.line()));
                }
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    span: start_span(&mark),
                    tag,
                    anchor,
                });
            }
            Event::MappingStart(anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("{}: nesting too deep", mark.line()));
                }
                stack.push(Frame::Map {
                    items: Vec::new(),
                    key: None,
                    span: start_span(&mark),
                    tag,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    return Err("unbalanced YAML events".into());
                };
                let (v, mut span, tag, anchor) = match frame {
                    Frame::Seq {
                        items,
                        span,
                        tag,
                        anchor,
                    } => (Value::Seq(items), span, tag, anchor),
                    Frame::Map {
                        items,
                        span,
                        tag,
                        anchor,
                        ..
                    } => (Value::Map(items), span, tag, anchor),
                };
                (span.end_line, span.end_col) = if mark.line() > eof_line {
                    (eof_line as u32, eof_col as u32)
                } else {
                    (mark.line() as u32, mark.col() as u32 + 1)
                };
                let n = wrap_tag(Node::new(v, span), tag);
                if anchor > 0 {
                    anchors.insert(anchor, n.clone());
                }
                push(&mut stack, &mut docs, n);
            }
            Event::Alias(id) => {
                // Counted before copying: the copy is what the budget bounds.
                let cost = anchors.get(&id).map_or(1, |n| count(n, 0));
                if cost > alias_budget {
                    return Err(format!("{}: too many alias expansions", mark.line()));
                }
                alias_budget -= cost;
                let n = anchors
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| Node::new(Value::Null, start_span(&mark)));
                push(&mut stack, &mut docs, n);
            }
        }
    }
    for d in &mut docs {
        fold_intrinsics(d, 0);
    }
    Ok(docs)
}

fn count(n: &Node, depth: usize) -> usize {
    if depth > MAX_DEPTH {
        return 1;
    }
    match &n.v {
        Value::Seq(s) => 1 + s.iter().map(|c| count(c, depth + 1)).sum::<usize>(),
        Value::Map(m) => 1 + m.iter().map(|(_, c)| count(c, depth + 1)).sum::<usize>(),
        _ => 1,
    }
}

fn push(stack: &mut [Frame], docs: &mut Vec<Node>, n: Node) {
    match stack.last_mut() {
        None => docs.push(n),
        Some(Frame::Seq { items, .. }) => items.push(n),
        Some(Frame::Map { items, key, .. }) => match key.take() {
            None => {
                let name = n.text().map(|c| c.into_owned()).unwrap_or_default();
                *key = Some(Key { name, span: n.span });
            }
            Some(k) => {
                // YAML merge keys (`<<: *base`) splice the aliased map in.
                if k.name == "<<" {
                    if let Value::Map(m) = n.v {
                        items.extend(m);
                        return;
                    }
                }
                items.push((k, n));
            }
        },
    }
}

/// YAML breaks lines at a lone `\r` as well as at `\n`; pipeguard's lines are `\n` lines. When a
/// text holds a lone `\r`, the parser's positions are mapped back: per YAML line, the `\n` line
/// it lies on and the column it starts at there.
struct LineMap(Option<Vec<(usize, usize)>>);

impl LineMap {
    fn new(src: &str) -> LineMap {
        let b = src.as_bytes();
        let lone_cr = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
        if !memchr::memchr_iter(b'\r', b).any(lone_cr) {
            return LineMap(None);
        }
        let (mut line, mut start) = (1, 0);
        let mut map = vec![(1, 0)];
        for i in memchr::memchr2_iter(b'\n', b'\r', b) {
            if b[i] == b'\n' {
                (line, start) = (line + 1, i + 1);
                map.push((line, 0));
            } else if lone_cr(i) {
                map.push((line, i + 1 - start));
            }
        }
        LineMap(Some(map))
    }

    /// A parser position as pipeguard counts it.
    fn mark(&self, mark: &Marker) -> Pos {
        let Some(map) = &self.0 else {
            return Pos(mark.line(), mark.col());
        };
        let (line, offset) = map[mark.line().clamp(1, map.len()) - 1];
        Pos(line, offset + mark.col())
    }

    /// 1-based line and column of a parser position.
    fn at(&self, mark: &Marker) -> (usize, usize) {
        let Pos(line, col) = self.mark(mark);
        (line, col + 1)
    }
}

/// A position: 1-based `\n` line, 0-based column.
#[derive(Debug, Clone, Copy)]
struct Pos(usize, usize);

impl Pos {
    fn line(&self) -> usize {
        self.0
    }

    fn col(&self) -> usize {
        self.1
    }
}

fn start_span(mark: &Pos) -> Span {
    Span::point(mark.line() as u32, mark.col() as u32 + 1)
}

fn scalar_span(mark: &Pos, value: &str, style: TScalarStyle) -> Span {
    let mut s = start_span(mark);
    if !matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) && !value.contains('\n') {
        let quotes = u32::from(!matches!(style, TScalarStyle::Plain)) * 2;
        s.end_col = s.col + value.len() as u32 + quotes;
    }
    s
}

fn scalar_value(value: String, style: TScalarStyle, tagged: bool) -> Value {
    if !matches!(style, TScalarStyle::Plain) || tagged {
        return Value::Str(value);
    }
    match value.as_str() {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        s if looks_numeric(s) => Value::Num(value),
        _ => Value::Str(value),
    }
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    !t.is_empty()
        && t.bytes().next().is_some_and(|c| c.is_ascii_digit())
        && t.bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b'e' || c == b'E')
        && t.bytes().filter(|c| *c == b'.').count() <= 1
}

/// `!Ref X` → `{Ref: X}`, `!Sub s` → `{Fn::Sub: s}`, ...; other tags (`!!str`) are dropped.
fn wrap_tag(n: Node, tag: Option<Tag>) -> Node {
    let Some(tag) = tag else { return n };
    if tag.handle != "!" || tag.suffix.is_empty() {
        return n;
    }
    let name = match tag.suffix.as_str() {
        "Ref" => "Ref".to_string(),
        "Condition" => "Condition".to_string(),
        s => format!("Fn::{s}"),
    };
    let span = n.span;
    Node::new(Value::Map(vec![(Key { name, span }, n)]), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_symbolic() {
        let src = "Resources:\n  P:\n    Properties:\n      Resource:\n        - !GetAtt B.Arn\n        - !Sub \"${B.Arn}/*\"\n        - !Join ['', ['arn:aws:s3:::', !Ref B, '/*']]\n        - plain\n";
        let d = parse(src).unwrap();
        let r = d[0]
            .path(&["Resources", "P", "Properties", "Resource"])
            .unwrap();
        let items = r.as_seq().unwrap();
        assert_eq!(items[0].text().unwrap(), "${B.Arn}");
        assert!(items[0].is_expr());
        assert_eq!(items[1].text().unwrap(), "${B.Arn}/*");
        assert_eq!(items[2].text().unwrap(), "arn:aws:s3:::${B}/*");
        assert_eq!(items[3].lit(), Some("plain"));
        assert_eq!((items[0].span.line, items[0].span.col), (5, 19));
        assert_eq!((items[3].span.line, items[3].span.col), (8, 11));
    }

    /// Fuzz find (`policy_yaml`): a block mapping that ends at the end of a text without a final
    /// newline ended one line past the document, so the ENC-001 hit on it pointed at line 16 of a
    /// 15-line file.
    #[test]
    fn spans_end_inside_a_text_without_final_newline() {
        let src = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n        - ServerSideEncryptionByDefault:\n            SSEAlgorithm: aws:kms";
        let outcome = crate::policy::scan("template.yaml", src.as_bytes());
        assert!(!outcome.hits.is_empty(), "the template hits a check");
        for hit in &outcome.hits {
            assert!(hit.end_line <= 9, "{hit:?} ends past line 9");
        }
        let d = parse(src).unwrap();
        assert_eq!((d[0].span.end_line, d[0].span.end_col), (9, 34));
        // Control: with a final newline the end is the start of the (empty) line after it.
        let d = parse(&format!("{src}\n")).unwrap();
        assert_eq!((d[0].span.end_line, d[0].span.end_col), (10, 1));
    }

    #[test]
    fn keys_have_spans_and_scalars_types() {
        let d = parse("a: true\nb: 'true'\nc: 12\non: push\n").unwrap();
        let (k, v) = d[0].entry("a").unwrap();
        assert_eq!((k.span.line, k.span.col), (1, 1));
        assert!(matches!(v.v, Value::Bool(true)));
        assert!(matches!(d[0].get("b").unwrap().v, Value::Str(_)));
        assert!(matches!(d[0].get("c").unwrap().v, Value::Num(_)));
        assert!(d[0].get("on").is_some());
    }

    /// `l0: &l0 [x, x]`, `l1: &l1 [*l0, *l0]`, ...: level `n` expands to 2^(n+2) - 1 nodes.
    fn laughs(levels: usize) -> String {
        let mut s = "l0: &l0 [x, x]\n".to_string();
        for i in 1..levels {
            s += &format!("l{i}: &l{i} [*l{}, *l{}]\n", i - 1, i - 1);
        }
        s
    }

    #[test]
    fn aliases_expand_within_a_budget() {
        // Merge keys and scalar aliases, as templates use them.
        let docs = parse("base: &b {Effect: Allow}\ns: &s x\nst:\n  <<: *b\n  Sid: *s\n").unwrap();
        let st = docs[0].get("st").unwrap();
        assert_eq!(st.get("Effect").and_then(Node::lit), Some("Allow"));
        assert_eq!(st.get("Sid").and_then(Node::lit), Some("x"));
        // Twelve levels copy about 16k nodes: allowed. Twenty would copy two million.
        assert!(parse(&laughs(12)).is_ok());
        let err = parse(&laughs(20)).unwrap_err();
        assert!(err.contains("too many alias expansions"), "{err}");
    }

    #[test]
    fn lone_carriage_returns_break_yaml_lines_but_not_ours() {
        // YAML ends a line at `\r`; reports count `\n` lines, so `b` is on line 1, column 6.
        let d = parse("a: 1\rb: 2\r\nc:\r  - x\n").unwrap();
        let (b, _) = d[0].entry("b").unwrap();
        assert_eq!((b.span.line, b.span.col), (1, 6));
        let (c, v) = d[0].entry("c").unwrap();
        assert_eq!((c.span.line, c.span.col), (2, 1));
        let x = &v.as_seq().unwrap()[0];
        assert_eq!((x.span.line, x.span.col, x.lit()), (2, 8, Some("x")));
        // Errors too: the bad line is the second `\n` line.
        let err = parse("a: 1\n\rb: [\r").unwrap_err();
        assert!(err.starts_with("2:"), "{err}");
    }

    #[test]
    fn deep_nesting_and_bad_input_are_errors() {
        let deep = "- ".repeat(50_000) + "x";
        assert!(parse(&deep).is_err());
        let flow = "[".repeat(50_000);
        assert!(parse(&flow).is_err());
        assert!(parse("a: [1, 2\nb: }").is_err());
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(parse(bomb).is_err());
    }
}
