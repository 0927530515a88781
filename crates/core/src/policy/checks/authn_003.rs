//! AUTHN-003: GitHub Actions uses long-lived AWS keys instead of OIDC.

use super::prelude::*;

pub(crate) struct Authn003;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-003",
    title: "GitHub Actions uses long-lived AWS keys instead of OIDC",
    severity: Severity::Medium,
    formats: "GHA",
    docs: r##"## What it does
Flags workflows that hand AWS access keys to a job: `aws-access-key-id` / `aws-secret-access-key`
inputs of `aws-actions/configure-aws-credentials`, or `AWS_ACCESS_KEY_ID` /
`AWS_SECRET_ACCESS_KEY` in an `env:` map — even when the value comes from `${{ secrets.* }}`.

## Why is this bad?
Keys stored as repository secrets are long-lived: they never expire, every workflow with access
to the secret can exfiltrate them, and they must be rotated by hand. GitHub's OIDC provider gives
each run a short-lived token that AWS exchanges for role credentials scoped to the repository.

## Example
```yaml .github/workflows/deploy.yml
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1
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
```

## References
- https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
- https://github.com/aws-actions/configure-aws-credentials#oidc
"##,
};

const KEYS: &[&str] = &[
    "aws-access-key-id",
    "aws-secret-access-key",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
];

impl Check for Authn003 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        if doc.format != Format::Workflow {
            return;
        }
        for (anchor, map) in workflow_maps(&doc.root) {
            for (k, v) in map.as_map().unwrap_or_default() {
                if !KEYS.contains(&k.name.as_str()) || v.is_null() {
                    continue;
                }
                out.hit(
                    k.span,
                    format!("{anchor}.{}", k.name),
                    format!(
                        "`{}` passes a long-lived AWS access key to the job; use OIDC instead: `permissions: id-token: write` and `role-to-assume` with aws-actions/configure-aws-credentials",
                        k.name
                    ),
                );
            }
        }
    }
}
