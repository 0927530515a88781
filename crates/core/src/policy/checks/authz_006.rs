//! AUTHZ-006: Allow with `NotResource`.

use super::prelude::*;

pub(crate) struct Authz006;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-006",
    title: "Allow with `NotResource`",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements with `NotResource` in identity-based and resource-based policies.

## Why is this bad?
`Allow` + `NotResource` grants the actions on every resource except the listed ones, including
resources created later and resources in other accounts that trust yours.

## Example
```yaml
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            NotResource: arn:aws:s3:::secrets-bucket/*
```

## Use instead
```yaml
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::artifacts-bucket/*
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
"##,
};

impl Check for Authz006 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.kind != Kind::Trust) {
            for s in p.statements.iter().filter(|s| s.allow) {
                if let Some(f) = &s.not_resource {
                    out.hit(
                        f.span,
                        format!("{}.NotResource", s.anchor),
                        "Allow with `NotResource` grants the actions on every other resource; use `Resource` with the ARNs needed",
                    );
                }
            }
        }
    }
}
