//! AUTHZ-011: Permissions-management / resource-exposure actions unconstrained.

use super::super::iam::{table, Level};
use super::prelude::*;

pub(crate) struct Authz011;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-011",
    title: "Permissions-management / resource-exposure actions unconstrained",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags identity-policy Allow statements on `Resource "*"` (or `NotResource`) with no condition
whose actions (wildcards expanded against the IAM action table) include actions of the
"Permissions management" access level: `s3:PutBucketPolicy`, `kms:PutKeyPolicy`,
`kms:CreateGrant`, `sqs:AddPermission`, `lambda:AddPermission`, `iam:AttachRolePolicy`,
`ecr:SetRepositoryPolicy`, ...

## Why is this bad?
These actions change who can access a resource. On every resource they let the principal open
any bucket, key, queue or function to the internet or to another account, or grant itself more
rights.

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
            Action:
              - s3:PutBucketPolicy
              - s3:GetBucketPolicy
            Resource: "*"
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
            Action:
              - s3:PutBucketPolicy
              - s3:GetBucketPolicy
            Resource: !GetAtt Bucket.Arn
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html
- https://github.com/salesforce/cloudsplaining/blob/master/docs/glossary/resource-exposure.md
"##,
};

impl Check for Authz011 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        let t = table();
        for (_, s) in identity_allows(doc) {
            if !unscoped(s) || !s.conditions.is_empty() {
                continue;
            }
            let mut found: Vec<String> = Vec::new();
            let mut at = None;
            for a in s.actions().filter(|a| a.s.trim() != "*") {
                for x in t.expand(&a.s) {
                    if x.level == Level::Permissions && !found.contains(&x.name) {
                        found.push(x.name.clone());
                        at.get_or_insert(a.span);
                    }
                }
            }
            let Some(at) = at else { continue };
            let more = if found.len() > 3 {
                format!(" and {} more", found.len() - 3)
            } else {
                String::new()
            };
            out.hit(
                at,
                format!("{}.Action", s.anchor),
                format!(
                    "permissions-management action(s) {}{more} allowed on every resource; scope them to the resources this principal administers",
                    found.iter().take(3).map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}
