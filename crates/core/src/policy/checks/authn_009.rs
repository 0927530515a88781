//! AUTHN-009: Policies attached directly to IAM users.

use super::prelude::*;

pub(crate) struct Authn009;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-009",
    title: "Policies attached directly to IAM users",
    severity: Severity::Low,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags inline or managed policies attached straight to IAM users: `Policies` or
`ManagedPolicyArns` on `AWS::IAM::User`, `Users` on `AWS::IAM::Policy`/`ManagedPolicy`,
`AWS::IAM::UserPolicy`; Terraform `aws_iam_user_policy`, `aws_iam_user_policy_attachment`, and
`aws_iam_policy_attachment` with `users`.

## Why is this bad?
Per-user permissions drift apart, are hard to review and are forgotten when people leave; they
also imply long-lived user credentials doing real work. Grant permissions to groups or, better,
roles.

## Example
```hcl
resource "aws_iam_user_policy_attachment" "deployer" {
  user       = aws_iam_user.deployer.name
  policy_arn = aws_iam_policy.deploy.arn
}
```

## Use instead
```hcl
resource "aws_iam_role_policy_attachment" "deployer" {
  role       = aws_iam_role.deployer.name
  policy_arn = aws_iam_policy.deploy.arn
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#use-groups-for-permissions
- https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-2
"##,
};

const MSG: &str = "attach permissions to a group or a role, not directly to an IAM user";

impl Check for Authn009 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            match r.rtype.as_str() {
                "AWS::IAM::User" => {
                    for key in ["Policies", "ManagedPolicyArns"] {
                        if let Some((k, v)) = r.props.entry(key) {
                            if !v.items().is_empty() {
                                out.hit(
                                    k.span,
                                    r.prop_anchor(key),
                                    format!("IAM user `{}` has `{key}`; {MSG}", r.name),
                                );
                            }
                        }
                    }
                }
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                    if let Some((k, v)) = r.props.entry("Users") {
                        if !v.items().is_empty() {
                            out.hit(
                                k.span,
                                r.prop_anchor("Users"),
                                format!("policy `{}` is attached to IAM users; {MSG}", r.name),
                            );
                        }
                    }
                }
                "AWS::IAM::UserPolicy" | "aws_iam_user_policy" | "aws_iam_user_policy_attachment" => {
                    out.hit(
                        r.span,
                        r.anchor.clone(),
                        format!("`{}` attaches a policy to an IAM user; {MSG}", r.name),
                    );
                }
                "aws_iam_policy_attachment" => {
                    if let Some((k, v)) = r.props.entry("users") {
                        if !v.items().is_empty() {
                            out.hit(
                                k.span,
                                r.prop_anchor("users"),
                                format!("`{}` attaches a policy to IAM users; {MSG}", r.name),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
