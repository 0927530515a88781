//! ENC-007: CodeBuild project without a customer-managed KMS key.

use super::prelude::*;

pub(crate) struct Enc007;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-007",
    title: "CodeBuild project without a customer-managed KMS key",
    severity: Severity::Medium,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags CodeBuild projects without `EncryptionKey` (CloudFormation) / `encryption_key` (Terraform), or
with the AWS-managed `alias/aws/s3` key.

## Why is this bad?
CodeBuild encrypts build artifacts and caches with this key. The AWS-managed key cannot be
restricted by a key policy, so anyone with access to the output bucket can read the artifacts.

## Example
```yaml
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: !GetAtt BuildRole.Arn
      Artifacts:
        Type: NO_ARTIFACTS
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
      Source:
        Type: CODEPIPELINE
```

## Use instead
```yaml
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: !GetAtt BuildRole.Arn
      EncryptionKey: !GetAtt BuildKey.Arn
      Artifacts:
        Type: NO_ARTIFACTS
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
      Source:
        Type: CODEPIPELINE
```

## References
- https://docs.aws.amazon.com/codebuild/latest/userguide/security-encryption.html
"##,
};

impl Check for Enc007 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let key = match r.rtype.as_str() {
                "AWS::CodeBuild::Project" => "EncryptionKey",
                "aws_codebuild_project" => "encryption_key",
                _ => continue,
            };
            if !customer_managed_key(r.props.get(key)) {
                out.hit(
                    r.key_span(key),
                    r.prop_anchor(key),
                    format!("CodeBuild project `{}` has no customer-managed KMS key; set `{key}` to your key's ARN", r.name),
                );
            }
        }
    }
}
