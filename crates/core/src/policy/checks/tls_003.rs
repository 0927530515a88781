//! TLS-003: Plain HTTP / git:// sources or downloads in CodeBuild, CodePipeline or buildspec.

use super::prelude::*;

pub(crate) struct Tls003;

static INFO: CheckInfo = CheckInfo {
    id: "TLS-003",
    title: "Plain HTTP / git:// sources or downloads in CodeBuild, CodePipeline or buildspec",
    severity: Severity::Medium,
    formats: "CFN, TF, BS",
    docs: r##"## What it does
Flags `http://`, `git://` and `ftp://` URLs (other than localhost and the instance metadata
endpoints) in CodeBuild source locations and inline buildspecs, CodePipeline action
configuration, and anywhere in a `buildspec.yml` (install commands, downloads, artifacts).

## Why is this bad?
Anything fetched over an unauthenticated, unencrypted channel can be replaced on the way: a
tampered installer or dependency runs inside the build with the build role's credentials and
ends up in what you ship.

## Example
```yaml buildspec.yml
version: 0.2
phases:
  install:
    commands:
      - curl -sSL http://get.example.com/tool.sh | sh
  build:
    commands:
      - make
```

## Use instead
```yaml buildspec.yml
version: 0.2
phases:
  install:
    commands:
      - curl -sSfL https://get.example.com/tool.sh -o tool.sh
      - echo "3f2c0b4e...  tool.sh" | sha256sum -c - && sh tool.sh
  build:
    commands:
      - make
```

## References
- https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html
- https://slsa.dev/spec/v1.0/threats
"##,
};

fn scan_node(n: &Node, anchor: &str, out: &mut Out) {
    let mut path = String::new();
    n.walk_scalars(&mut path, &mut |p, leaf| {
        let Some(t) = leaf.text() else { return };
        if let Some(url) = insecure_url(&t) {
            let off = t.find(&url).unwrap_or(0);
            let a = if p.is_empty() {
                anchor.to_string()
            } else {
                format!("{anchor}.{p}")
            };
            out.hit(
                span_within(leaf, off),
                a,
                format!("`{url}` is fetched without TLS; use `https://` (and verify a checksum or signature)"),
            );
        }
    });
}

impl Check for Tls003 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        if doc.format == Format::Buildspec {
            scan_node(&doc.root, "buildspec", out);
            return;
        }
        for r in &doc.resources {
            let parts: &[&str] = match r.rtype.as_str() {
                "AWS::CodeBuild::Project" => &["Source", "SecondarySources"],
                "AWS::CodePipeline::Pipeline" => &["Stages"],
                "aws_codebuild_project" => &["source", "secondary_sources"],
                "aws_codepipeline" => &["stage"],
                _ => continue,
            };
            for part in parts {
                if let Some(n) = r.props.get(part) {
                    scan_node(n, &r.prop_anchor(part), out);
                }
            }
        }
    }
}
