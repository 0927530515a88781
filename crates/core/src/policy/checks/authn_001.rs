//! AUTHN-001: IAM user long-lived access key created in IaC.

use super::prelude::*;

pub(crate) struct Authn001;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-001",
    title: "IAM user long-lived access key created in IaC",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags `AWS::IAM::AccessKey` (CloudFormation) and `aws_iam_access_key` (Terraform) resources.

## Why is this bad?
An access key is a long-lived credential: it does not expire, it ends up in template outputs,
state files and CI variables, and whoever copies it can use it from anywhere until someone
rotates it. Pipelines and workloads should use roles with short-lived credentials instead.

## Example
```yaml
Resources:
  DeployUser:
    Type: AWS::IAM::User
  DeployKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref DeployUser
```

## Use instead
```yaml
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: codebuild.amazonaws.com
            Action: sts:AssumeRole
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
"##,
};

impl Check for Authn001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in doc
            .resources
            .iter()
            .filter(|r| r.rtype == "AWS::IAM::AccessKey" || r.rtype == "aws_iam_access_key")
        {
            out.hit(
                r.span,
                r.anchor.clone(),
                format!(
                    "`{}` creates a long-lived access key for an IAM user; use a role with short-lived credentials (instance profile, task role, OIDC federation) instead",
                    r.name
                ),
            );
        }
    }
}
