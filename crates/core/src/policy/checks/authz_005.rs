//! AUTHZ-005: Allow with `NotAction`.

use super::prelude::*;

pub(crate) struct Authz005;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-005",
    title: "Allow with `NotAction`",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements with `NotAction` in identity-based and resource-based policies (trust
policies are AUTHN-008's).

## Why is this bad?
`Allow` + `NotAction` grants every action except the listed ones — in every service, including
services and actions AWS adds later. `"NotAction": "iam:*"` with `"Resource": "*"` is still
power-user access.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
  ]
}
```

## Use instead
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:StartInstances"], "Resource": "*"}
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
"##,
};

impl Check for Authz005 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.kind != Kind::Trust) {
            for s in p.statements.iter().filter(|s| s.allow) {
                if let Some(f) = &s.not_action {
                    out.hit(
                        f.span,
                        format!("{}.NotAction", s.anchor),
                        "Allow with `NotAction` grants every action except the listed ones; use `Action` with the actions needed",
                    );
                }
            }
        }
    }
}
