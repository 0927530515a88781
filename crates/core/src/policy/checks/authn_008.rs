//! AUTHN-008: Trust policy with Allow+NotPrincipal, Allow+NotAction or Action "*".

use super::prelude::*;

pub(crate) struct Authn008;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-008",
    title: "Trust policy with Allow+NotPrincipal, Allow+NotAction or Action \"*\"",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in role trust policies that use `NotPrincipal`, `NotAction`, or
`Action "*"`.

## Why is this bad?
`Allow` + `NotPrincipal` trusts everyone except the listed principals; `Allow` + `NotAction` or
`Action "*"` allows every STS action (`sts:AssumeRole`, `sts:TagSession`,
`sts:SetSourceIdentity`, web identity and SAML variants), not only the one the role needs. Trust
policies should name the principal and the single assume action.

## Example
```yaml
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: "*"
```

## Use instead
```yaml
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
"##,
};

impl Check for Authn008 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in trust_allows(doc) {
            if let Some(f) = &s.not_principal {
                out.hit(
                    f.span,
                    format!("{}.NotPrincipal", s.anchor),
                    "trust policy uses Allow with `NotPrincipal`, which trusts every principal not listed; name the trusted principals in `Principal`",
                );
            }
            if let Some(f) = &s.not_action {
                out.hit(
                    f.span,
                    format!("{}.NotAction", s.anchor),
                    "trust policy uses Allow with `NotAction`, which allows every other STS action; list the one action needed (`sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, ...)",
                );
            }
            if s.has_action_star() {
                out.hit(
                    s.at(s.action.as_ref().map(|f| f.span)),
                    format!("{}.Action", s.anchor),
                    "trust policy allows `Action \"*\"`; allow only the assume action the caller needs (`sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`)",
                );
            }
        }
    }
}
