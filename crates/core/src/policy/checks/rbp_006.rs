//! RBP-006: Cross-account principal in a resource policy without org/account guard.

use super::prelude::*;

pub(crate) struct Rbp006;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-006",
    title: "Cross-account principal in a resource policy without org/account guard",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in resource-based policies (not KMS key policies, whose account-root
statement is standard) whose AWS principal names an account literally
(`arn:aws:iam::111122223333:root`, `111122223333`) with no `aws:PrincipalOrgID`,
`aws:PrincipalOrgPaths` or `aws:PrincipalAccount` condition. Principals built from the template's
own account (`${AWS::AccountId}`) are not cross-account.

## Why is this bad?
A literal account id in a policy is easy to get wrong (a typo, a closed account that is reissued,
a vendor account you no longer use) and nothing ties it to your organization. An org guard makes
the grant fail safe.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:111122223333:jobs"
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
      "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:111122223333:jobs",
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
- https://aws.amazon.com/blogs/security/control-access-to-aws-resources-by-using-the-aws-organization-of-iam-principals/
"##,
};

impl Check for Rbp006 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in resource_allows(doc, false) {
            let Some((pr, acct)) = s
                .principals()
                .filter(|p| p.ptype.eq_ignore_ascii_case("AWS") && !p.v.sym)
                .find_map(|p| literal_account(&p.v.s).map(|a| (p, a)))
            else {
                continue;
            };
            let guarded = s.conditions.iter().any(|c| {
                (c.key_is("aws:PrincipalOrgID") || c.key_is("aws:PrincipalOrgPaths") || c.key_is("aws:PrincipalAccount"))
                    && narrows_caller(c)
            });
            if guarded {
                continue;
            }
            out.hit(
                pr.v.span,
                format!("{}.Principal.{acct}", s.anchor),
                format!(
                    "resource policy grants account {acct} with no organization guard; add `StringEquals` `aws:PrincipalOrgID` (or `aws:PrincipalAccount`) to the statement"
                ),
            );
        }
    }
}
