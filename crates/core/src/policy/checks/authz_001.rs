//! AUTHZ-001: Full administrative access (`Action "*"` on `Resource "*"`).

use super::prelude::*;

pub(crate) struct Authz001;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-001",
    title: "Full administrative access (`Action \"*\"` on `Resource \"*\"`)",
    severity: Severity::Critical,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in identity-based policies with `Action "*"` and `Resource "*"`.

## Why is this bad?
The principal can do anything in the account: create users and keys, read every secret, delete
every resource, disable logging. A pipeline or workload compromised with such a policy is an
account compromise.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}
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
      "Action": ["s3:PutObject", "s3:GetObject"],
      "Resource": "arn:aws:s3:::my-artifacts/*"
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
- https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1
"##,
};

impl Check for Authz001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in identity_allows(doc) {
            if s.has_action_star() && s.has_resource_star() && s.conditions.is_empty() {
                out.hit(
                    s.span,
                    s.anchor.clone(),
                    "statement allows `Action \"*\"` on `Resource \"*\"` (full administrator); list the actions and resource ARNs the principal needs",
                );
            }
        }
    }
}
