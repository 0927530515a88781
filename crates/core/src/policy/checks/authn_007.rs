//! AUTHN-007: Cross-account trust without sts:ExternalId / aws:PrincipalOrgID.

use super::prelude::*;

pub(crate) struct Authn007;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-007",
    title: "Cross-account trust without sts:ExternalId / aws:PrincipalOrgID",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags trust statements whose AWS principal names another account literally
(`arn:aws:iam::111122223333:root`, `111122223333`) without an `sts:ExternalId` or
`aws:PrincipalOrgID` condition. Principals written with the template's own account
(`${AWS::AccountId}`, `data.aws_caller_identity`) are not cross-account.

## Why is this bad?
A third party that assumes roles in many customers' accounts can be tricked into using its access
on your role (the confused-deputy problem); an account root principal also lets every admin in
that account in. `sts:ExternalId` (for vendors) or `aws:PrincipalOrgID` (inside your organization)
closes that gap.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "sts:AssumeRole"
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
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "sts:AssumeRole",
      "Condition": {"StringEquals": {"sts:ExternalId": "5f1d2a9e-8c47-4f5b-a0e2-3b9c7d6e1f20"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"##,
};

impl Check for Authn007 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in trust_allows(doc) {
            let Some(acct) = s
                .principals()
                .filter(|p| p.ptype.eq_ignore_ascii_case("AWS") && !p.v.sym)
                .find_map(|p| literal_account(&p.v.s))
            else {
                continue;
            };
            let guarded = s.conditions.iter().any(|c| {
                (c.key_is("sts:ExternalId") || c.key_is("aws:PrincipalOrgID") || c.key_is("aws:PrincipalOrgPaths"))
                    && c.is_positive()
                    && c.values.iter().all(|v| v.s.trim() != "*" && !v.s.trim().is_empty())
            });
            if guarded {
                continue;
            }
            out.hit(
                s.at(s.principal.as_ref().map(|p| p.span)),
                format!("{}.Principal", s.anchor),
                format!(
                    "trust policy lets account {acct} assume the role with no `sts:ExternalId` or `aws:PrincipalOrgID` condition; add `StringEquals` `sts:ExternalId` (third parties) or `aws:PrincipalOrgID` (your organization)"
                ),
            );
        }
    }
}
