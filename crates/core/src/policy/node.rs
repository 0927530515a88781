//! The one document model: every parser (JSON, YAML, HCL) produces [`Node`]s with 1-based source
//! spans, so checks never count lines.
//!
//! Template references are kept symbolic: `!Ref B`, `{"Fn::GetAtt": ["B", "Arn"]}` and
//! `aws_s3_bucket.b.arn` all become [`Value::Expr`] strings with `${...}` placeholders
//! (`${B}`, `${B.Arn}`, `${aws_s3_bucket.b.arn}`), which is enough to tell a bucket ARN from an
//! object ARN and to link resources without evaluating anything.

use std::borrow::Cow;

/// Bound on nesting for every parser and every recursive walk over a tree.
pub(crate) const MAX_DEPTH: usize = 96;

/// 1-based line and column (bytes) of the first character, and of the last character's end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    pub fn point(line: u32, col: u32) -> Span {
        Span {
            line,
            col,
            end_line: line,
            end_col: col,
        }
    }

    /// Shift a span found in an embedded document (a policy written as a JSON string) so that it
    /// points into the outer file. `base` is the span of the outer string node; `inner_first_line`
    /// tells on which outer line the inner text starts and `indent` how many columns the inner
    /// lines after the first are indented.
    pub fn embed(self, inner_first_line: u32, first_col: u32, indent: u32) -> Span {
        let line = inner_first_line + self.line.saturating_sub(1);
        let end_line = inner_first_line + self.end_line.saturating_sub(1);
        let col = if self.line <= 1 {
            first_col + self.col.saturating_sub(1)
        } else {
            indent + self.col
        };
        let end_col = if self.end_line <= 1 {
            first_col + self.end_col.saturating_sub(1)
        } else {
            indent + self.end_col
        };
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    }
}

/// A map key with its own span (hits on a property point at its key).
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Num(String),
    /// A literal string, written as such in the source.
    Str(String),
    /// A symbolic value: a reference or function, rendered with `${...}` placeholders.
    Expr(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub v: Value,
    pub span: Span,
    /// For strings: the source used a block scalar (`|`, `>`) or heredoc, so the content starts on
    /// the next line.
    pub block: bool,
}

static EMPTY: Node = Node {
    v: Value::Null,
    span: Span {
        line: 0,
        col: 0,
        end_line: 0,
        end_col: 0,
    },
    block: false,
};

impl Node {
    pub fn new(v: Value, span: Span) -> Node {
        Node {
            v,
            span,
            block: false,
        }
    }

    /// A shared null node, for "absent".
    pub fn null() -> &'static Node {
        &EMPTY
    }

    pub fn is_null(&self) -> bool {
        matches!(self.v, Value::Null)
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.v {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.v {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Value of `key` in a map (exact match).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Key and value of `key` in a map (exact match).
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    /// Value of `key` in a map (exact match), to change or take.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.v {
            Value::Map(m) => m.iter_mut().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Value of `key`, ignoring ASCII case.
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.entry_ci(key).map(|(_, v)| v)
    }

    pub fn entry_ci(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name.eq_ignore_ascii_case(key))
            .map(|(k, v)| (k, v))
    }

    /// Follow a path of keys; for sequences on the way (Terraform blocks), take the first element.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut cur = self;
        for k in keys {
            cur = cur.first().get(k)?;
        }
        Some(cur)
    }

    /// The first element of a sequence, or the node itself.
    pub fn first(&self) -> &Node {
        match &self.v {
            Value::Seq(s) => s.first().unwrap_or(Node::null()),
            _ => self,
        }
    }

    /// Elements of a sequence, or the node itself when it is a single value (IAM's "string or
    /// list", Terraform's repeated blocks). Null yields nothing.
    pub fn items(&self) -> Vec<&Node> {
        match &self.v {
            Value::Seq(s) => s.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![self],
        }
    }

    /// Scalar text: strings, expressions, numbers and booleans.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match &self.v {
            Value::Str(s) | Value::Expr(s) | Value::Num(s) => Some(Cow::Borrowed(s)),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }

    /// A literal string (not a reference).
    pub fn lit(&self) -> Option<&str> {
        match &self.v {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_expr(&self) -> bool {
        matches!(self.v, Value::Expr(_))
    }

    /// `true`, `"true"` (any case).
    pub fn is_true(&self) -> bool {
        match &self.v {
            Value::Bool(b) => *b,
            Value::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// `false`, `"false"` (any case).
    pub fn is_false(&self) -> bool {
        match &self.v {
            Value::Bool(b) => !*b,
            Value::Str(s) => s.eq_ignore_ascii_case("false"),
            _ => false,
        }
    }

    /// Visit every scalar with its symbolic path, depth-bounded.
    pub fn walk_scalars<'a>(&'a self, path: &mut String, f: &mut dyn FnMut(&str, &'a Node)) {
        self.walk_inner(path, f, 0);
    }

    fn walk_inner<'a>(
        &'a self,
        path: &mut String,
        f: &mut dyn FnMut(&str, &'a Node),
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        match &self.v {
            Value::Map(m) => {
                for (k, v) in m {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&k.name);
                    v.walk_inner(path, f, depth + 1);
                    path.truncate(len);
                }
            }
            Value::Seq(s) => {
                for (i, v) in s.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    v.walk_inner(path, f, depth + 1);
                    path.truncate(len);
                }
            }
            _ => f(path, self),
        }
    }
}

/// Byte offset → 1-based line and column.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr_iter(src.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        ((line + 1) as u32, (offset - self.starts[line] + 1) as u32)
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let (line, col) = self.pos(range.start);
        let (end_line, end_col) = self.pos(range.end.max(range.start));
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    }
}

fn memchr_iter(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .map(|(i, _)| i)
}

/// Render a CloudFormation intrinsic function (long form `{"Fn::X": ...}` / `{"Ref": ...}`, or a
/// YAML short tag already turned into that form) as a symbolic string.
pub(crate) fn render_intrinsic(name: &str, arg: &Node, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "${...}".into();
    }
    match name {
        "Ref" => format!("${{{}}}", arg.text().unwrap_or_default()),
        "Fn::GetAtt" => match &arg.v {
            Value::Seq(s) => {
                let parts: Vec<String> = s.iter().map(|n| render(n, depth + 1)).collect();
                format!("${{{}}}", parts.join("."))
            }
            _ => format!("${{{}}}", arg.text().unwrap_or_default()),
        },
        "Fn::Sub" => match &arg.v {
            Value::Seq(s) => s.first().map(|n| render(n, depth + 1)).unwrap_or_default(),
            _ => render(arg, depth + 1),
        },
        "Fn::Join" => {
            let s = arg.as_seq().unwrap_or_default();
            let sep = s.first().and_then(|n| n.text()).unwrap_or_default();
            let parts: Vec<String> = s
                .get(1)
                .map(|l| {
                    l.items()
                        .into_iter()
                        .map(|n| render(n, depth + 1))
                        .collect()
                })
                .unwrap_or_default();
            parts.join(&sep)
        }
        "Fn::ImportValue" => format!("${{ImportValue:{}}}", render(arg, depth + 1)),
        other => format!("${{{other}}}"),
    }
}

/// A scalar's text, or the symbolic rendering of an intrinsic.
pub(crate) fn render(n: &Node, depth: usize) -> String {
    match &n.v {
        Value::Map(m) if m.len() == 1 && is_intrinsic(&m[0].0.name) => {
            render_intrinsic(&m[0].0.name, &m[0].1, depth + 1)
        }
        _ => n.text().map(|c| c.into_owned()).unwrap_or_default(),
    }
}

pub(crate) fn is_intrinsic(k: &str) -> bool {
    k == "Ref" || k.starts_with("Fn::")
}

/// Replace every long-form intrinsic (`{"Ref": X}`, `{"Fn::GetAtt": [...]}`) by a symbolic
/// [`Value::Expr`], bottom-up, depth-bounded. Functions whose result is structured (`Fn::If`)
/// are left alone except for their rendering when used as a scalar.
pub(crate) fn fold_intrinsics(n: &mut Node, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &mut n.v {
        Value::Map(m) => {
            for (_, v) in m.iter_mut() {
                fold_intrinsics(v, depth + 1);
            }
            if m.len() == 1 && is_intrinsic(&m[0].0.name) && m[0].0.name != "Fn::If" {
                let block = m[0].1.block;
                let s = render_intrinsic(&m[0].0.name, &m[0].1, depth + 1);
                // `!Sub` of a string without placeholders is a literal.
                n.v = if s.contains("${") {
                    Value::Expr(s)
                } else {
                    Value::Str(s)
                };
                n.block = block;
            }
        }
        Value::Seq(s) => {
            for v in s.iter_mut() {
                fold_intrinsics(v, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets() {
        let li = LineIndex::new("ab\ncd\n\nx");
        assert_eq!(li.pos(0), (1, 1));
        assert_eq!(li.pos(3), (2, 1));
        assert_eq!(li.pos(4), (2, 2));
        assert_eq!(li.pos(7), (4, 1));
    }

    #[test]
    fn embed_shifts_lines_and_columns() {
        let s = Span::point(1, 3).embed(10, 20, 4);
        assert_eq!((s.line, s.col), (10, 22));
        let s = Span::point(3, 5).embed(10, 20, 4);
        assert_eq!((s.line, s.col), (12, 9));
    }
}
