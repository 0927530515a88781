//! Terraform HCL → top-level blocks whose bodies are [`Node`] maps, via hcl-edit (which keeps byte
//! spans and bounds its own nesting).
//!
//! Attributes become map entries; nested blocks become a sequence of maps under their identifier
//! (blocks can repeat); `jsonencode({...})` becomes the object itself; references and templates
//! become symbolic [`Value::Expr`] strings (`${aws_s3_bucket.b.arn}/*`); heredocs stay strings
//! (a JSON policy inside is parsed later, like a CloudFormation policy given as a string).

use super::node::{Key, LineIndex, Node, Span, Value, MAX_DEPTH};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span as _;

/// A top-level block: `resource "aws_s3_bucket" "b" { ... }`, `provider "aws" { ... }`, ...
pub(crate) struct TfBlock {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Node,
    pub span: Span,
}

pub(crate) fn parse(src: &str) -> Result<Vec<TfBlock>, String> {
    let body = hcl_edit::parser::parse_body(src).map_err(|e| {
        let loc = e.location();
        format!("{}:{}: {}", loc.line(), loc.column(), e.message())
    })?;
    let conv = Conv {
        src,
        li: LineIndex::new(src),
    };
    let mut out = Vec::new();
    for s in body.iter() {
        if let Structure::Block(b) = s {
            out.push(TfBlock {
                kind: b.ident.as_str().to_string(),
                labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                body: conv.body(&b.body, 0),
                span: conv.span(b.ident.span()),
            });
        }
    }
    Ok(out)
}

struct Conv<'a> {
    src: &'a str,
    li: LineIndex,
}

impl Conv<'_> {
    fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        r.map(|r| self.li.span(r)).unwrap_or_default()
    }

    fn text(&self, r: Option<std::ops::Range<usize>>) -> &str {
        r.and_then(|r| self.src.get(r)).unwrap_or("")
    }

    fn body(&self, body: &Body, depth: usize) -> Node {
        let mut items: Vec<(Key, Node)> = Vec::new();
        if depth > MAX_DEPTH {
            return Node::new(Value::Map(items), Span::default());
        }
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = Key {
                        name: a.key.as_str().to_string(),
                        span: self.span(a.key.span()),
                    };
                    let mut v = self.expr(&a.value, depth + 1);
                    // Hits on an attribute point at its line, from the key on.
                    v.span.line = v.span.line.max(1);
                    items.push((key, v));
                }
                Structure::Block(b) => {
                    let name = b.ident.as_str().to_string();
                    let span = self.span(b.ident.span());
                    let mut n = self.body(&b.body, depth + 1);
                    n.span = Span {
                        line: span.line,
                        col: span.col,
                        ..self.span(b.span())
                    };
                    if let Some((
                        _,
                        Node {
                            v: Value::Seq(s), ..
                        },
                    )) = items.iter_mut().find(|(k, _)| k.name == name)
                    {
                        s.push(n);
                    } else {
                        items.push((Key { name, span }, Node::new(Value::Seq(vec![n]), span)));
                    }
                }
            }
        }
        Node::new(Value::Map(items), Span::default())
    }

    fn expr(&self, e: &Expression, depth: usize) -> Node {
        let span = self.span(e.span());
        if depth > MAX_DEPTH {
            return Node::new(Value::Expr("${...}".into()), span);
        }
        let v = match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Num(n.value().to_string()),
            Expression::String(s) => Value::Str(s.value().to_string()),
            Expression::Array(a) => Value::Seq(a.iter().map(|x| self.expr(x, depth + 1)).collect()),
            Expression::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| {
                        let (name, kspan) = match k {
                            ObjectKey::Ident(i) => (i.as_str().to_string(), self.span(i.span())),
                            ObjectKey::Expression(x) => {
                                let n = self.expr(x, depth + 1);
                                (n.text().map(|c| c.into_owned()).unwrap_or_default(), n.span)
                            }
                        };
                        (Key { name, span: kspan }, self.expr(v.expr(), depth + 1))
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => match literal(t.iter()) {
                Some(s) => Value::Str(s),
                None => {
                    let raw = self.text(e.span());
                    let raw = raw.strip_prefix('"').unwrap_or(raw);
                    Value::Expr(raw.strip_suffix('"').unwrap_or(raw).to_string())
                }
            },
            Expression::HeredocTemplate(h) => {
                let v = match literal(h.template.iter()) {
                    Some(s) => Value::Str(s),
                    None => {
                        let raw = self.text(e.span());
                        let inner = raw.split_once('\n').map(|(_, r)| r).unwrap_or("");
                        let inner = inner.rsplit_once('\n').map(|(l, _)| l).unwrap_or(inner);
                        Value::Expr(inner.to_string())
                    }
                };
                let mut n = Node::new(v, span);
                n.block = true;
                return n;
            }
            Expression::Parenthesis(p) => return self.expr(p.inner(), depth + 1),
            Expression::Variable(v) => Value::Expr(format!("${{{}}}", v.as_str())),
            Expression::FuncCall(f)
                if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 =>
            {
                let mut n = self.expr(f.args.get(0).unwrap_or(e), depth + 1);
                n.span = span;
                return n;
            }
            _ => Value::Expr(format!("${{{}}}", self.text(e.span()).trim())),
        };
        Node::new(v, span)
    }
}

fn literal<'a>(elems: impl Iterator<Item = &'a Element>) -> Option<String> {
    let mut s = String::new();
    for el in elems {
        s.push_str(el.as_literal()?.as_str());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_attributes_and_references() {
        let src = r#"
provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAEXAMPLE"
}

resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Deny"
      Resource = ["${aws_s3_bucket.b.arn}/*", aws_s3_bucket.b.arn]
    }]
  })
}

resource "aws_codebuild_project" "c" {
  environment {
    environment_variable {
      name  = "A"
      value = "1"
    }
    environment_variable {
      name  = "B"
      value = "2"
    }
  }
}
"#;
        let blocks = parse(src).unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].kind, "provider");
        let (k, v) = blocks[0].body.entry("access_key").unwrap();
        assert_eq!((k.span.line, k.span.col), (4, 3));
        assert_eq!(v.lit(), Some("AKIAEXAMPLE"));
        let p = &blocks[1].body;
        assert_eq!(
            p.get("bucket").unwrap().text().unwrap(),
            "${aws_s3_bucket.b.id}"
        );
        let st = p.path(&["policy", "Statement"]).unwrap().first();
        assert_eq!(st.span.line, 10);
        let res = st.get("Resource").unwrap().as_seq().unwrap();
        assert_eq!(res[0].text().unwrap(), "${aws_s3_bucket.b.arn}/*");
        assert_eq!(res[1].text().unwrap(), "${aws_s3_bucket.b.arn}");
        let env = blocks[2]
            .body
            .path(&["environment", "environment_variable"])
            .unwrap();
        assert_eq!(env.items().len(), 2);
    }

    #[test]
    fn heredoc_and_errors() {
        let src =
            "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": []}\nEOF\n}\n";
        let b = parse(src).unwrap();
        let p = b[0].body.get("policy").unwrap();
        assert!(p.block);
        assert_eq!(p.lit().unwrap().trim(), "{\"Statement\": []}");
        assert!(parse("resource \"x\" {").is_err());
        let deep = format!("a = {}", "[".repeat(10_000));
        assert!(parse(&deep).is_err());
    }
}
