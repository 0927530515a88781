//! ENC-009: CodeBuild artifact or log encryption explicitly disabled.

use super::prelude::*;

pub(crate) struct Enc009;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-009",
    title: "CodeBuild artifact or log encryption explicitly disabled",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags `EncryptionDisabled: true` (CloudFormation) / `encryption_disabled = true` (Terraform) on a
CodeBuild project's artifacts, secondary artifacts or S3 logs.

## Why is this bad?
Build output and logs are written to S3 in clear; anyone with bucket read access — or a bucket
made public by mistake — exposes binaries, test data and any secret a build printed.

## Example
```hcl
resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = aws_iam_role.build.arn
  artifacts {
    type                = "S3"
    location            = aws_s3_bucket.artifacts.bucket
    encryption_disabled = true
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type = "CODEPIPELINE"
  }
}
```

## Use instead
```hcl
resource "aws_codebuild_project" "build" {
  name           = "build"
  service_role   = aws_iam_role.build.arn
  encryption_key = aws_kms_key.build.arn
  artifacts {
    type     = "S3"
    location = aws_s3_bucket.artifacts.bucket
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type = "CODEPIPELINE"
  }
}
```

## References
- https://docs.aws.amazon.com/codebuild/latest/APIReference/API_ProjectArtifacts.html
- https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html#codebuild-7
"##,
};

impl Check for Enc009 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let (places, flag): (Vec<(&Node, String)>, &str) = match r.rtype.as_str() {
                "AWS::CodeBuild::Project" => {
                    let mut v: Vec<(&Node, String)> = Vec::new();
                    if let Some(a) = r.props.get("Artifacts") {
                        v.push((a, r.prop_anchor("Artifacts")));
                    }
                    for (i, a) in r.props.get("SecondaryArtifacts").map(Node::items).unwrap_or_default().into_iter().enumerate() {
                        v.push((a, r.prop_anchor(&format!("SecondaryArtifacts[{i}]"))));
                    }
                    if let Some(l) = r.props.path(&["LogsConfig", "S3Logs"]) {
                        v.push((l, r.prop_anchor("LogsConfig.S3Logs")));
                    }
                    (v, "EncryptionDisabled")
                }
                "aws_codebuild_project" => {
                    let mut v: Vec<(&Node, String)> = Vec::new();
                    for key in ["artifacts", "secondary_artifacts"] {
                        for (i, a) in r.props.get(key).map(Node::items).unwrap_or_default().into_iter().enumerate() {
                            v.push((a, r.prop_anchor(&format!("{key}[{i}]"))));
                        }
                    }
                    if let Some(l) = r.props.path(&["logs_config", "s3_logs"]) {
                        v.push((l.first(), r.prop_anchor("logs_config.s3_logs")));
                    }
                    (v, "encryption_disabled")
                }
                _ => continue,
            };
            for (n, anchor) in places {
                if let Some((k, v)) = n.entry(flag) {
                    if v.is_true() {
                        out.hit(
                            k.span,
                            format!("{anchor}.{flag}"),
                            format!("CodeBuild project `{}` turns encryption off; remove `{flag}` (or set it to `false`) and set a KMS `encryption key`", r.name),
                        );
                    }
                }
            }
        }
    }
}
