//! ENC-006: CodePipeline artifact store without a customer-managed KMS key.

use super::prelude::*;

pub(crate) struct Enc006;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-006",
    title: "CodePipeline artifact store without a customer-managed KMS key",
    severity: Severity::Medium,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags CodePipeline artifact stores (`ArtifactStore`/`ArtifactStores` in CloudFormation,
`artifact_store` blocks in Terraform) with no `EncryptionKey`/`encryption_key`, or with an
AWS-managed key (`alias/aws/s3`).

## Why is this bad?
Pipeline artifacts carry source code, built binaries and often configuration with secrets. With
the default AWS-managed key, anyone who can read the artifact bucket can decrypt them, and
cross-account deploy stages cannot be given narrowly-scoped access.

## Example
```hcl
resource "aws_codepipeline" "app" {
  name     = "app"
  role_arn = aws_iam_role.pipeline.arn
  artifact_store {
    location = aws_s3_bucket.artifacts.bucket
    type     = "S3"
  }
}
```

## Use instead
```hcl
resource "aws_codepipeline" "app" {
  name     = "app"
  role_arn = aws_iam_role.pipeline.arn
  artifact_store {
    location = aws_s3_bucket.artifacts.bucket
    type     = "S3"
    encryption_key {
      id   = aws_kms_key.artifacts.arn
      type = "KMS"
    }
  }
}
```

## References
- https://docs.aws.amazon.com/codepipeline/latest/userguide/S3-artifact-encryption.html
"##,
};

const MSG: &str = "set the artifact store's encryption key to a customer-managed KMS key";

impl Check for Enc006 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let stores: Vec<(&Node, String, &str)> = match r.rtype.as_str() {
                "AWS::CodePipeline::Pipeline" => {
                    let mut v = Vec::new();
                    if let Some(s) = r.props.get("ArtifactStore") {
                        v.push((s, r.prop_anchor("ArtifactStore"), "EncryptionKey"));
                    }
                    for (i, s) in r.props.get("ArtifactStores").map(Node::items).unwrap_or_default().into_iter().enumerate() {
                        if let Some(st) = s.get("ArtifactStore") {
                            v.push((st, r.prop_anchor(&format!("ArtifactStores[{i}].ArtifactStore")), "EncryptionKey"));
                        }
                    }
                    v
                }
                "aws_codepipeline" => r
                    .props
                    .get("artifact_store")
                    .map(Node::items)
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| (s, r.prop_anchor(&format!("artifact_store[{i}]")), "encryption_key"))
                    .collect(),
                _ => continue,
            };
            for (store, anchor, key) in stores {
                let id_key = if key == "EncryptionKey" { "Id" } else { "id" };
                let id = store.get(key).map(Node::first).and_then(|k| k.get(id_key));
                if !customer_managed_key(id) {
                    out.hit(
                        if store.span.line > 0 { store.span } else { r.span },
                        anchor,
                        format!("pipeline `{}` artifact store uses the AWS-managed key; {MSG}", r.name),
                    );
                }
            }
        }
    }
}
