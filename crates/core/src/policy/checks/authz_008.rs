//! AUTHZ-008: Privilege-escalation action combinations.

use super::prelude::*;

pub(crate) struct Authz008;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-008",
    title: "Privilege-escalation action combinations",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags identity-based policies whose unscoped Allow statements (`Resource "*"` or `NotResource`)
together grant a known privilege-escalation path: changing policy versions or attachments
(`iam:CreatePolicyVersion`, `iam:AttachRolePolicy`, `iam:PutUserPolicy`, ...), rewriting trust
(`iam:UpdateAssumeRolePolicy` + `sts:AssumeRole`), or passing a role to compute the principal
controls (`iam:PassRole` + `ec2:RunInstances`, `lambda:CreateFunction` + `lambda:InvokeFunction`,
`cloudformation:CreateStack`, `codebuild:CreateProject` + `codebuild:StartBuild`, ...).

## Why is this bad?
Each path lets the principal give itself (or a resource it controls) more permissions than the
policy grants — up to administrator.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}
  ]
}
```

## Use instead
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::111122223333:role/web-instance",
      "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    },
    {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}
  ]
}
```

## References
- https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"##,
};

/// Known escalation paths: every action of a path must be granted unscoped.
pub(crate) const PATHS: &[&[&str]] = &[
    &["iam:CreatePolicyVersion"],
    &["iam:SetDefaultPolicyVersion"],
    &["iam:AttachUserPolicy"],
    &["iam:AttachGroupPolicy"],
    &["iam:AttachRolePolicy"],
    &["iam:PutUserPolicy"],
    &["iam:PutGroupPolicy"],
    &["iam:PutRolePolicy"],
    &["iam:AddUserToGroup"],
    &["iam:UpdateLoginProfile"],
    &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    &["iam:PassRole", "ec2:RunInstances"],
    &["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
    &["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    &["lambda:UpdateFunctionCode"],
    &["iam:PassRole", "glue:CreateDevEndpoint"],
    &["glue:UpdateDevEndpoint"],
    &["iam:PassRole", "cloudformation:CreateStack"],
    &["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"],
    &["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"],
    &["iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"],
    &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
];

impl Check for Authz008 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.kind == Kind::Identity) {
            let stmts: Vec<&Statement> = p
                .statements
                .iter()
                .filter(|s| s.allow && unscoped(s) && s.conditions.is_empty())
                .collect();
            for path in PATHS {
                let grants: Vec<(&Statement, &Val)> = path
                    .iter()
                    .filter_map(|a| stmts.iter().find_map(|s| explicit_grant(s, a).map(|v| (*s, v))))
                    .collect();
                if grants.len() != path.len() {
                    continue;
                }
                let (s, v) = grants[0];
                out.hit(
                    v.span,
                    format!("{}.Action[{}]", s.anchor, path.join("+")),
                    format!(
                        "unscoped grant of {} is a privilege-escalation path; scope the resources (role ARNs, with `iam:PassedToService`) or remove the action",
                        path.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(" + ")
                    ),
                );
            }
        }
    }
}
