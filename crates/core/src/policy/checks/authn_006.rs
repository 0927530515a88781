//! AUTHN-006: Other OIDC/SAML federated trust without audience/subject conditions.

use super::prelude::*;

pub(crate) struct Authn006;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-006",
    title: "Other OIDC/SAML federated trust without audience/subject conditions",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags trust statements for a federated principal other than GitHub (an OIDC provider such as EKS,
GitLab, Google, Cognito, or a SAML provider) with no positive, non-wildcard condition on the
provider's audience or subject (`<provider>:aud`, `<provider>:sub`, `SAML:aud`,
`cognito-identity.amazonaws.com:aud`).

## Why is this bad?
An identity provider issues tokens for many clients and many subjects. Without an `aud`/`sub`
condition, any token the provider signs — for another application, another cluster's service
account, another GitLab project — can assume the role.

## Example
```hcl
resource "aws_iam_role" "irsa" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" }
    }]
  })
}
```

## Use instead
```hcl
resource "aws_iam_role" "irsa" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" }
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub" = "system:serviceaccount:app:app"
          "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html
"##,
};

impl Check for Authn006 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in trust_allows(doc) {
            let Some(fed) = s.principals().find(|p| {
                p.ptype.eq_ignore_ascii_case("Federated")
                    && !p.v.s.contains("token.actions.githubusercontent.com")
            }) else {
                continue;
            };
            let ok = s.conditions.iter().any(|c| {
                let k = c.key.to_ascii_lowercase();
                (k.ends_with(":aud") || k.ends_with(":sub") || k.ends_with(":oaud"))
                    && c.is_positive()
                    && !c.values.is_empty()
                    && c.values.iter().all(|v| {
                        let t = v.s.trim();
                        !t.is_empty() && t != "*" && !t.starts_with('*')
                    })
            });
            if ok {
                continue;
            }
            let what = if fed.v.s.contains("saml-provider") {
                "`SAML:aud` (the sign-in URL)"
            } else {
                "`<provider>:aud` and `<provider>:sub`"
            };
            out.hit(
                s.at(s.principal.as_ref().map(|p| p.span)),
                format!("{}.Principal", s.anchor),
                format!(
                    "federated trust for `{}` has no audience/subject condition; any token the provider issues can assume the role — add `StringEquals` on {what}",
                    fed.v.s
                ),
            );
        }
    }
}
