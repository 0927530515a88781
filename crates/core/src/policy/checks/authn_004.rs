//! AUTHN-004: Trust policy lets any AWS principal assume the role.

use super::prelude::*;

pub(crate) struct Authn004;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-004",
    title: "Trust policy lets any AWS principal assume the role",
    severity: Severity::Critical,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags role trust policies with an Allow statement for `Principal "*"` (or `{"AWS": "*"}`) that no
condition narrows to known callers (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, a specific
`aws:PrincipalArn`, `aws:SourceVpce`, ...).

## Why is this bad?
Any principal in any AWS account can call `sts:AssumeRole` on the role and get its permissions.
Conditions such as `sts:ExternalId`, `aws:SecureTransport` or `aws:UserAgent` do not say who the
caller is.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "*"},
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
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci-runner"},
      "Action": "sts:AssumeRole",
      "Condition": {"StringEquals": {"sts:ExternalId": "b7d1c1c4-2c2e-4b0e-9d57-3c8f6c1f0a11"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-trust-policy
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
"##,
};

impl Check for Authn004 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in trust_allows(doc) {
            if s.has_principal_any() && !caller_restricted(s, false) {
                out.hit(
                    s.at(s.principal.as_ref().map(|p| p.span)),
                    format!("{}.Principal", s.anchor),
                    "trust policy lets any AWS principal assume the role; name the trusted account or role ARN in `Principal`, or add an `aws:PrincipalOrgID`/`aws:PrincipalArn` condition",
                );
            }
        }
    }
}
