//! ENC-001: S3 bucket default encryption is not SSE-KMS with a customer-managed key.

use super::prelude::*;

pub(crate) struct Enc001;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-001",
    title: "S3 bucket default encryption is not SSE-KMS with a customer-managed key",
    severity: Severity::Medium,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags S3 buckets whose default encryption is missing, `AES256` (SSE-S3), `aws:kms` without a key
id, or an AWS-managed key (`alias/aws/s3`). In Terraform the bucket is linked to its
`aws_s3_bucket_server_side_encryption_configuration` through the `bucket` reference (the inline
`server_side_encryption_configuration` block counts too).

## Why is this bad?
With SSE-S3 or the AWS-managed key, anyone with `s3:GetObject` reads the data: there is no key
policy to say who may decrypt, no separate audit trail of decryptions, and no way to revoke access
by disabling the key. A customer-managed KMS key adds that second gate.

## Example
```yaml
Resources:
  Artifacts:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
```

## Use instead
```yaml
Resources:
  Artifacts:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt ArtifactKey.Arn
            BucketKeyEnabled: true
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
- https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk
"##,
};

const FIX: &str = "use `aws:kms` with a customer-managed key (`KMSMasterKeyID`/`kms_master_key_id` = your key's ARN)";

/// Judge one `ServerSideEncryptionByDefault` node: `None` when fine, else what is wrong.
fn judge(by_default: &Node, alg_key: &str, key_key: &str) -> Option<String> {
    let alg = by_default.get(alg_key).and_then(|n| n.text()).unwrap_or_default();
    if !alg.starts_with("aws:kms") {
        return Some(format!("default encryption is `{alg}`, not SSE-KMS"));
    }
    if !customer_managed_key(by_default.get(key_key)) {
        return Some("SSE-KMS uses the AWS-managed key (no key id, or `alias/aws/s3`)".into());
    }
    None
}

impl Check for Enc001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in doc.of_type("AWS::S3::Bucket") {
            let rules = r.props.path(&["BucketEncryption", "ServerSideEncryptionConfiguration"]);
            let Some(rules) = rules else {
                out.hit(
                    r.span,
                    r.prop_anchor("BucketEncryption"),
                    format!("bucket `{}` has no default encryption with a customer-managed key; {FIX}", r.name),
                );
                continue;
            };
            for (i, rule) in rules.items().into_iter().enumerate() {
                let d = rule.get("ServerSideEncryptionByDefault").unwrap_or(Node::null());
                if let Some(why) = judge(d, "SSEAlgorithm", "KMSMasterKeyID") {
                    out.hit(
                        if d.span.line > 0 { d.span } else { rule.span },
                        r.prop_anchor(&format!("BucketEncryption.ServerSideEncryptionConfiguration[{i}]")),
                        format!("bucket `{}`: {why}; {FIX}", r.name),
                    );
                }
            }
        }
        for r in doc.of_type("aws_s3_bucket") {
            let mut configs: Vec<(&Node, String)> = Vec::new();
            if let Some(inline) = r.props.get("server_side_encryption_configuration") {
                configs.push((inline.first(), r.prop_anchor("server_side_encryption_configuration")));
            }
            for s in satellites(doc, "aws_s3_bucket_server_side_encryption_configuration", "bucket", r) {
                configs.push((&s.props, s.anchor.clone()));
            }
            if configs.is_empty() {
                out.hit(
                    r.span,
                    r.prop_anchor("server_side_encryption_configuration"),
                    format!("bucket `{}` has no `aws_s3_bucket_server_side_encryption_configuration` with a customer-managed key; {FIX}", r.name),
                );
                continue;
            }
            for (cfg, anchor) in configs {
                for rule in cfg.get("rule").map(Node::items).unwrap_or_default() {
                    let d = rule
                        .get("apply_server_side_encryption_by_default")
                        .map(Node::first)
                        .unwrap_or(Node::null());
                    if let Some(why) = judge(d, "sse_algorithm", "kms_master_key_id") {
                        out.hit(
                            if d.span.line > 0 { d.span } else { rule.span },
                            anchor.clone(),
                            format!("bucket `{}`: {why}; {FIX}", r.name),
                        );
                    }
                }
            }
        }
    }
}
