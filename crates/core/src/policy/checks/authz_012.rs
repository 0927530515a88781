//! AUTHZ-012: AWS-managed privileged policy attached.

use super::prelude::*;

pub(crate) struct Authz012;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-012",
    title: "AWS-managed privileged policy attached (AdministratorAccess, PowerUserAccess, IAMFullAccess)",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags attachments of the AWS-managed `AdministratorAccess`, `PowerUserAccess` and `IAMFullAccess`
policies: `ManagedPolicyArns` of roles, users and groups in CloudFormation;
`aws_iam_*_policy_attachment` `policy_arn`, `aws_iam_role` `managed_policy_arns` and
`aws_iam_role_policy_attachments_exclusive` in Terraform.

## Why is this bad?
These policies grant (or let the holder grant itself) every permission in the account. A CI role or
workload with them turns any compromise of the pipeline into an account takeover.

## Example
```yaml
Resources:
  PipelineRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: codepipeline.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
```

## Use instead
```yaml
Resources:
  PipelineRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: codepipeline.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Ref PipelinePolicy
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
"##,
};

const PRIVILEGED: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

fn privileged(v: &str) -> Option<&'static str> {
    let v = v.trim();
    if !v.contains(":iam::aws:policy/") {
        return None;
    }
    PRIVILEGED
        .iter()
        .copied()
        .find(|p| v.ends_with(&format!("policy/{p}")))
}

impl Check for Authz012 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let keys: &[&str] = match r.rtype.as_str() {
                "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => &["ManagedPolicyArns"],
                "aws_iam_role_policy_attachment"
                | "aws_iam_user_policy_attachment"
                | "aws_iam_group_policy_attachment"
                | "aws_iam_policy_attachment" => &["policy_arn"],
                "aws_iam_role" => &["managed_policy_arns"],
                "aws_iam_role_policy_attachments_exclusive" => &["policy_arns"],
                _ => continue,
            };
            for key in keys {
                let Some(v) = r.props.get(key) else { continue };
                for item in v.items() {
                    let Some(t) = item.text() else { continue };
                    if let Some(p) = privileged(&t) {
                        out.hit(
                            item.span,
                            r.prop_anchor(&format!("{key}.{p}")),
                            format!(
                                "`{}` gets the AWS-managed `{p}` policy; attach a customer-managed policy with only the actions and resources it needs",
                                r.name
                            ),
                        );
                    }
                }
            }
        }
    }
}
