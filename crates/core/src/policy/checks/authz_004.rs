//! AUTHZ-004: `Resource "*"` for actions that support resource-level permissions.

use super::super::iam::table;
use super::prelude::*;

pub(crate) struct Authz004;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-004",
    title: "`Resource \"*\"` for actions that support resource-level permissions",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in identity-based policies with `Resource "*"` and no condition whose
actions (wildcards expanded against the IAM action table) include Read, Write, Tagging or
Permissions-management actions that can be scoped to resource ARNs. Bare `*` and the sensitive
service wildcards are left to AUTHZ-001..003.

## Why is this bad?
The action works on every matching resource in the account — every log group, every queue, every
table — although IAM lets you name the ones the principal needs.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Resource": "*"}
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
      "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
      "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"##,
};

const LEFT_TO_AUTHZ_003: &[&str] = &["*", "iam:*", "kms:*", "sts:*", "secretsmanager:*", "s3:*"];

impl Check for Authz004 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        let t = table();
        for (_, s) in identity_allows(doc) {
            if !s.has_resource_star() || !s.conditions.is_empty() {
                continue;
            }
            let mut scoped: Vec<String> = Vec::new();
            for a in s.actions() {
                if LEFT_TO_AUTHZ_003.contains(&a.s.trim().to_ascii_lowercase().as_str()) {
                    continue;
                }
                for x in t.expand(&a.s) {
                    if x.scoped && !scoped.contains(&x.name) {
                        scoped.push(x.name.clone());
                    }
                }
            }
            if scoped.is_empty() {
                continue;
            }
            let shown: Vec<&str> = scoped.iter().take(3).map(String::as_str).collect();
            let more = if scoped.len() > 3 {
                format!(" and {} more", scoped.len() - 3)
            } else {
                String::new()
            };
            out.hit(
                s.at(s.resource.as_ref().map(|f| f.span)),
                format!("{}.Resource", s.anchor),
                format!(
                    "`Resource \"*\"` for {}{more}, which support resource-level permissions; list the ARNs the principal needs",
                    shown.join(", ")
                ),
            );
        }
    }
}
