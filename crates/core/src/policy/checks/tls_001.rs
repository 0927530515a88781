//! TLS-001: S3 bucket policy lacks a Deny on `aws:SecureTransport = false`.

use super::prelude::*;

pub(crate) struct Tls001;

static INFO: CheckInfo = CheckInfo {
    id: "TLS-001",
    title: "S3 bucket policy lacks a Deny on `aws:SecureTransport = false`",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags S3 bucket policies with no statement on `aws:SecureTransport`, and template buckets that no
bucket policy governs at all (the bucket is linked to its policy through `Bucket: !Ref B` /
`bucket = aws_s3_bucket.b.id`). Statements that mention `aws:SecureTransport` but do not enforce
it are TLS-002's.

## Why is this bad?
S3 accepts plain-HTTP requests unless a bucket policy refuses them; credentials are signed, but the
data travels in clear and can be read or altered on the way.

## Example
```hcl
resource "aws_s3_bucket" "artifacts" {
  bucket = "my-artifacts"
}
```

## Use instead
```hcl
resource "aws_s3_bucket" "artifacts" {
  bucket = "my-artifacts"
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
- https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
"##,
};

const FIX: &str = "add `{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [bucket ARN, bucket ARN + \"/*\"], \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}}`";

impl Check for Tls001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.is(Svc::S3)) {
            let mentions = p
                .statements
                .iter()
                .any(|s| s.cond("aws:SecureTransport").next().is_some());
            if !mentions {
                out.hit(
                    p.span,
                    format!("{}.Statement", p.anchor),
                    format!("bucket policy does not refuse plain-HTTP requests; {FIX}"),
                );
            }
        }
        for r in doc
            .resources
            .iter()
            .filter(|r| r.rtype == "AWS::S3::Bucket" || r.rtype == "aws_s3_bucket")
        {
            if policies_for_bucket(doc, r).next().is_none() {
                out.hit(
                    r.span,
                    r.anchor.clone(),
                    format!("bucket `{}` has no bucket policy refusing plain-HTTP requests; attach a bucket policy and {FIX}", r.name),
                );
            }
        }
    }
}
