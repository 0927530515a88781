//! AUTHZ-002: Allow with `Action "*"` (all services).

use super::prelude::*;

pub(crate) struct Authz002;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-002",
    title: "Allow with `Action \"*\"` (all services)",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in identity-based policies with `Action "*"` that AUTHZ-001 does not
already report (the resource is not `*`, or a condition is present).

## Why is this bad?
Every action of every service — including the ones AWS adds tomorrow — is allowed on the listed
resources; on a bucket or key that includes changing its policy or deleting it.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::my-artifacts/*"}
  ]
}
```

## Use instead
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::my-artifacts/*"}
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
"##,
};

impl Check for Authz002 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in identity_allows(doc) {
            if s.has_action_star() && !(s.has_resource_star() && s.conditions.is_empty()) {
                out.hit(
                    s.at(s.action.as_ref().map(|f| f.span)),
                    format!("{}.Action", s.anchor),
                    "statement allows `Action \"*\"` (every action of every service); list the actions needed",
                );
            }
        }
    }
}
