//! ENC-002: Bucket-policy encryption enforcement missing or ineffective.

use super::prelude::*;

pub(crate) struct Enc002;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-002",
    title: "Bucket-policy encryption enforcement missing or ineffective",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags S3 bucket policies with no statement that refuses unencrypted uploads, and encryption
statements that cannot work: an `Allow` with an `s3:x-amz-server-side-encryption` condition
(it does not refuse anything), a `Deny` on the bucket ARN only (`s3:PutObject` is authorized
against the object ARN `bucket/*`), or a `Deny` that does not cover `s3:PutObject`.

## Why is this bad?
Default encryption applies a key when the client names none, but a client can still pick another
algorithm or key. Only a Deny on `s3:PutObject` against `arn:aws:s3:::bucket/*` with a
`StringNotEquals` `s3:x-amz-server-side-encryption` `aws:kms` (or the key-id condition) guarantees
every object is encrypted the way you intend.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyUnencrypted",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::my-artifacts",
      "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    }
  ]
}
```

## Use instead
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyUnencrypted",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::my-artifacts/*",
      "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
- https://repost.aws/knowledge-center/s3-bucket-store-kms-encrypted-objects
"##,
};

fn is_enc_key(c: &Cond) -> bool {
    c.key.to_ascii_lowercase().starts_with("s3:x-amz-server-side-encryption")
}

impl Check for Enc002 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.is(Svc::S3)) {
            let enc: Vec<&Statement> = p
                .statements
                .iter()
                .filter(|s| s.conditions.iter().any(is_enc_key))
                .collect();
            if enc.is_empty() {
                out.hit(
                    p.span,
                    format!("{}.Statement", p.anchor),
                    "bucket policy does not refuse unencrypted uploads; add a Deny of `s3:PutObject` on `arn:aws:s3:::<bucket>/*` when `s3:x-amz-server-side-encryption` is not `aws:kms`",
                );
                continue;
            }
            let problems = |s: &Statement| -> Vec<&'static str> {
                let mut v = Vec::new();
                if s.allow {
                    v.push("it is an Allow, which refuses nothing — use `Effect: Deny` with `StringNotEquals`");
                }
                if !s.allows_action("s3:PutObject") {
                    v.push("it does not cover `s3:PutObject`");
                }
                if s.not_resource.is_some() || !s.resources().any(|r| arn_scope(&r.s).objects) {
                    v.push("it only names the bucket ARN, but uploads are authorized on the object ARN — use `arn:aws:s3:::<bucket>/*`");
                }
                v
            };
            if enc.iter().any(|s| problems(s).is_empty()) {
                continue;
            }
            let s = enc[0];
            let pr = problems(s);
            let at = if pr.iter().any(|x| x.contains("object ARN")) && !s.allow {
                s.at(s.resource.as_ref().map(|f| f.span))
            } else {
                s.span
            };
            out.hit(
                at,
                s.anchor.clone(),
                format!("encryption-enforcing statement is ineffective: {}", pr.join("; ")),
            );
        }
    }
}
