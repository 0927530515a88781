//! AUTHZ-007: `iam:PassRole` on `*` without `iam:PassedToService`.

use super::prelude::*;

pub(crate) struct Authz007;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-007",
    title: "`iam:PassRole` on `*` (or NotResource) without `iam:PassedToService`",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags identity-policy statements that allow `iam:PassRole` (explicitly or through a wildcard such
as `iam:Pass*`) on `Resource "*"` or with `NotResource`, with no `iam:PassedToService` condition.

## Why is this bad?
Passing a role to a service (EC2, Lambda, CodeBuild, CloudFormation) lets the service act with that
role's permissions. With `iam:PassRole` on `*`, the principal can hand the most privileged role in
the account to a compute service it controls — a classic privilege escalation.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
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
      "Resource": "arn:aws:iam::111122223333:role/lambda-exec",
      "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
"##,
};

impl Check for Authz007 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in identity_allows(doc) {
            if !unscoped(s) || s.cond("iam:PassedToService").next().is_some() {
                continue;
            }
            let Some(a) = s
                .actions()
                .find(|a| a.s.trim() != "*" && a.s.trim() != "iam:*" && action_matches(&a.s, "iam:PassRole"))
            else {
                continue;
            };
            out.hit(
                a.span,
                format!("{}.Action", s.anchor),
                format!(
                    "`{}` allows passing any role to any service; scope `Resource` to the role ARNs and add `StringEquals` `iam:PassedToService`",
                    a.s.trim()
                ),
            );
        }
    }
}
