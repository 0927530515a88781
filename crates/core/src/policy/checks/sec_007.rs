//! SEC-007: Hard-coded AWS keys or secrets in a GitHub Actions workflow.

use super::prelude::*;

pub(crate) struct Sec007;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-007",
    title: "Hard-coded AWS keys or secrets in a GitHub Actions workflow",
    severity: Severity::Critical,
    formats: "GHA",
    docs: r##"## What it does
Flags literal secrets in GitHub Actions workflows: `env:` and `with:` entries whose name says
secret (`AWS_SECRET_ACCESS_KEY`, `aws-secret-access-key`, `*_TOKEN`, `*_PASSWORD`, ...) with a
literal value, and any value shaped like a credential (`AKIA...`, `ghp_...`, a private key) anywhere
in the workflow, including `run:` scripts. `${{ secrets.X }}` references are fine.

## Why is this bad?
The workflow file is readable by everyone who can read the repository — on public repositories,
by everyone — and stays in git history after the line is removed.

## Example
```yaml .github/workflows/deploy.yml
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
      AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    steps:
      - run: aws s3 sync dist s3://my-site
```

## Use instead
```yaml .github/workflows/deploy.yml
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/deploy
          aws-region: eu-west-1
      - run: aws s3 sync dist s3://my-site
```

## References
- https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions
"##,
};

impl Check for Sec007 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        if doc.format != Format::Workflow {
            return;
        }
        let mut seen: std::collections::HashSet<(u32, u32)> = Default::default();
        for (anchor, map) in workflow_maps(&doc.root) {
            for (k, v) in map.as_map().unwrap_or_default() {
                if hardcoded_secret(&k.name, v, out) {
                    seen.insert((v.span.line, v.span.col));
                    out.secret_hit(
                        k.span,
                        v.span,
                        format!("{anchor}.{}", k.name),
                        format!("`{}` is a literal secret in the workflow; store it as a repository/environment secret and use `${{{{ secrets.{} }}}}` (for AWS, use OIDC instead of keys)", k.name, k.name),
                    );
                }
            }
        }
        let mut path = String::new();
        doc.root.walk_scalars(&mut path, &mut |p, leaf| {
            let Some(t) = leaf.lit() else { return };
            if seen.contains(&(leaf.span.line, leaf.span.col)) || !out.recognises(t) {
                return;
            }
            out.secret_hit(
                leaf.span,
                leaf.span,
                p.to_string(),
                "a credential-shaped literal is in the workflow; revoke it, store it as a secret and reference `${{ secrets.NAME }}`",
            );
        });
    }
}
