//! AUTHZ-013: Condition set-operator pitfalls.

use super::super::iam::table;
use super::prelude::*;

pub(crate) struct Authz013;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-013",
    title: "Condition set-operator pitfalls",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags condition operators that do not do what they seem to:
- `ForAllValues:*` in an Allow statement without a `Null` check on the same key: it is true when
  the key is absent from the request;
- `ForAnyValue:` with a negated operator (`StringNotEquals`, ...): true as soon as one value
  differs, so it rarely restricts anything;
- `ForAllValues:`/`ForAnyValue:` on a single-valued key (`aws:SourceIp`, `aws:PrincipalOrgID`,
  `aws:SourceVpce`, ...);
- a multi-valued key from the IAM table (`aws:TagKeys`, `aws:CalledVia`, ...) used without a set
  operator.

## Why is this bad?
Each of these conditions passes requests the author meant to refuse — typically a request that
simply omits the key.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:CreateTags",
      "Resource": "arn:aws:ec2:*:111122223333:instance/*",
      "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}
    }
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
      "Action": "ec2:CreateTags",
      "Resource": "arn:aws:ec2:*:111122223333:instance/*",
      "Condition": {
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
        "Null": {"aws:TagKeys": "false"}
      }
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
"##,
};

/// Global keys that are single-valued.
const SINGLE: &[&str] = &[
    "aws:sourceip",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:securetransport",
    "aws:username",
    "aws:userid",
    "aws:requestedregion",
    "aws:principaltype",
    "aws:currenttime",
    "aws:multifactorauthpresent",
    "aws:referer",
    "aws:useragent",
];

/// Global multi-valued keys, which the per-service table does not list.
const GLOBAL_MULTI: &[&str] = &[
    "aws:calledvia",
    "aws:principalservicenameslist",
    "aws:principalorgpaths",
    "aws:sourceorgpaths",
    "aws:tagkeys",
];

impl Check for Authz013 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        let t = table();
        for p in &doc.policies {
            for s in &p.statements {
                for c in &s.conditions {
                    let op = c.op.to_ascii_lowercase();
                    let key = c.key.to_ascii_lowercase();
                    let anchor = format!("{}.Condition.{}.{}", s.anchor, c.op, c.key);
                    let all = op.starts_with("forallvalues:");
                    let any = op.starts_with("foranyvalue:");
                    if all
                        && s.allow
                        && !s
                            .conditions
                            .iter()
                            .any(|n| n.base_op() == "null" && n.key_is(&c.key))
                    {
                        out.hit(
                            c.span,
                            anchor.clone(),
                            format!(
                                "`{}` on `{}` is true when the request has no `{}` at all; add `\"Null\": {{\"{}\": \"false\"}}`",
                                c.op, c.key, c.key, c.key
                            ),
                        );
                    } else if any && op.contains("not") {
                        out.hit(
                            c.span,
                            anchor.clone(),
                            format!(
                                "`{}` is true as soon as one value differs; use `ForAllValues:` with the negated operator, or the positive operator",
                                c.op
                            ),
                        );
                    } else if (all || any) && SINGLE.contains(&key.as_str()) {
                        out.hit(
                            c.span,
                            anchor.clone(),
                            format!(
                                "`{}` is single-valued; drop the `{}` set qualifier and use `{}`",
                                c.key,
                                c.op.split(':').next().unwrap_or(""),
                                c.op.split(':').nth(1).unwrap_or("")
                            ),
                        );
                    } else if !all
                        && !any
                        && (t.is_multi_valued(&key) || GLOBAL_MULTI.contains(&key.as_str()))
                        && op != "null"
                    {
                        out.hit(
                            c.span,
                            anchor,
                            format!(
                                "`{}` is multi-valued; `{}` without `ForAllValues:`/`ForAnyValue:` does not compare each value — use `ForAllValues:{}` (with a Null check) or `ForAnyValue:{}`",
                                c.key, c.op, c.op, c.op
                            ),
                        );
                    }
                }
            }
        }
    }
}
