//! AUTHZ-003: Service-wide wildcard on sensitive services on `*`.

use super::prelude::*;

pub(crate) struct Authz003;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-003",
    title: "Service-wide wildcard on sensitive services (`iam:*`, `kms:*`, `sts:*`, `secretsmanager:*`, `s3:*`) on `*`",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in identity-based policies that grant `iam:*`, `kms:*`, `sts:*`,
`secretsmanager:*` or `s3:*` on `Resource "*"` (or with `NotResource`).

## Why is this bad?
`iam:*` is administrator access by another name (it can attach any policy); `kms:*` and
`secretsmanager:*` read and destroy every key and secret; `sts:*` assumes any role that trusts the
account; `s3:*` on `*` reads, deletes and re-policies every bucket.

## Example
```hcl
resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:*"
      Resource = "*"
    }]
  })
}
```

## Use instead
```hcl
resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "${aws_s3_bucket.artifacts.arn}/*"
    }]
  })
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
- https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-2
"##,
};

const SENSITIVE: &[&str] = &["iam:*", "kms:*", "sts:*", "secretsmanager:*", "s3:*"];

impl Check for Authz003 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in identity_allows(doc) {
            if !unscoped(s) {
                continue;
            }
            for a in s.actions() {
                let t = a.s.trim().to_ascii_lowercase();
                if SENSITIVE.contains(&t.as_str()) {
                    out.hit(
                        a.span,
                        format!("{}.Action", s.anchor),
                        format!(
                            "`{}` on every resource; list the {} actions needed and scope them to resource ARNs",
                            a.s.trim(),
                            t.trim_end_matches(":*")
                        ),
                    );
                }
            }
        }
    }
}
