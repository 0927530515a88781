//! RBP-004: Wildcard action granted in a resource policy.

use super::prelude::*;

pub(crate) struct Rbp004;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-004",
    title: "Wildcard action (`*`, `s3:*`, `sqs:*`, `sns:*`) granted in a resource policy",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in resource-based policies (not KMS key policies, where `kms:*` for the
account root is the documented default) whose `Action` is `*` or a whole-service wildcard
(`s3:*`, `sqs:*`, `sns:*`, `secretsmanager:*`, ...).

## Why is this bad?
The grantee can also change the resource's policy, delete it, or read everything in it; a
resource policy should grant the few actions the other party needs.

## Example
```hcl
resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/deployer" }
      Action    = "s3:*"
      Resource  = ["${aws_s3_bucket.artifacts.arn}/*"]
    }]
  })
}
```

## Use instead
```hcl
resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/deployer" }
      Action    = ["s3:GetObject", "s3:PutObject"]
      Resource  = ["${aws_s3_bucket.artifacts.arn}/*"]
    }]
  })
}
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
"##,
};

impl Check for Rbp004 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in resource_allows(doc, false) {
            for a in s.actions() {
                let t = a.s.trim();
                let whole = t == "*" || (t.ends_with(":*") && !t[..t.len() - 2].contains('*'));
                if whole {
                    out.hit(
                        a.span,
                        format!("{}.Action", s.anchor),
                        format!("resource policy grants `{t}`; grant only the actions the principal needs"),
                    );
                }
            }
        }
    }
}
