//! SEC-006: Credentials embedded in URLs.

use super::prelude::*;

pub(crate) struct Sec006;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-006",
    title: "Credentials embedded in URLs (https://user:token@host)",
    severity: Severity::High,
    formats: "CFN, TF, BS",
    docs: r##"## What it does
Flags URLs with a literal password or token in the user-info part (`https://user:token@host`,
`git clone https://x:ghp_...@github.com/...`) in CloudFormation templates, Terraform and buildspecs.
Placeholders (`$TOKEN`, `${var.token}`, `{{resolve:...}}`) are not flagged.

## Why is this bad?
The credential is committed with the code and printed wherever the URL is logged (build logs,
`git remote -v`, error messages).

## Example
```yaml buildspec.yml
version: 0.2
phases:
  install:
    commands:
      - git clone https://ci-bot:s3cr3tT0kenValue@git.example.com/org/tools.git
```

## Use instead
```yaml buildspec.yml
version: 0.2
env:
  secrets-manager:
    GIT_TOKEN: ci/git:token
phases:
  install:
    commands:
      - git clone https://ci-bot:${GIT_TOKEN}@git.example.com/org/tools.git
```

## References
- https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager
- https://cwe.mitre.org/data/definitions/798.html
"##,
};

fn scan(n: &Node, anchor: &str, out: &mut Out) {
    let mut path = String::new();
    n.walk_scalars(&mut path, &mut |p, leaf| {
        let Some(t) = leaf.text() else { return };
        if let Some((start, _)) = url_with_credentials(&t) {
            let a = if p.is_empty() {
                anchor.to_string()
            } else {
                format!("{anchor}.{p}")
            };
            out.hit(
                span_within(leaf, start),
                a,
                "URL carries a literal credential (`user:secret@host`); inject it at run time from Secrets Manager/Parameter Store, or use a credential helper",
            );
        }
    });
}

impl Check for Sec006 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        match doc.format {
            Format::Buildspec => scan(&doc.root, "buildspec", out),
            Format::Cfn | Format::Tf => {
                for r in &doc.resources {
                    scan(&r.props, &r.anchor, out);
                }
            }
            _ => {}
        }
    }
}
