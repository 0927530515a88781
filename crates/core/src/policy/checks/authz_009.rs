//! AUTHZ-009: Credential-exposure actions unconstrained.

use super::prelude::*;

pub(crate) struct Authz009;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-009",
    title: "Credential-exposure actions unconstrained",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags identity-policy Allow statements on `Resource "*"` (or `NotResource`) with no condition
that grant actions returning credentials: `iam:CreateAccessKey`, `iam:CreateLoginProfile`,
`iam:CreateServiceSpecificCredential`, `sts:AssumeRole`, `sts:GetFederationToken`,
`ec2:GetPasswordData`, `redshift:GetClusterCredentials`, `rds-db:connect`,
`lightsail:GetInstanceAccessDetails`, `cognito-identity:GetCredentialsForIdentity`, ... (explicitly
or through wildcards).

## Why is this bad?
These actions mint or reveal credentials for other identities; granted on every resource, they
let the principal become any user, role or database user the action can reach.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}
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
      "Action": "iam:CreateAccessKey",
      "Resource": "arn:aws:iam::111122223333:user/${aws:username}"
    }
  ]
}
```

## References
- https://github.com/salesforce/cloudsplaining/blob/master/docs/glossary/credentials-exposure.md
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html
"##,
};

pub(crate) const ACTIONS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateAccessKey",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
    "ec2:GetPasswordData",
    "redshift:GetClusterCredentials",
    "rds-db:connect",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "cognito-identity:GetCredentialsForIdentity",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "chime:CreateApiKey",
    "gamelift:RequestUploadCredentials",
    "mediapackage:RotateIngestEndpointCredentials",
];

impl Check for Authz009 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in identity_allows(doc) {
            if !unscoped(s) || !s.conditions.is_empty() {
                continue;
            }
            let hits: Vec<&str> = ACTIONS
                .iter()
                .copied()
                .filter(|a| explicit_grant(s, a).is_some())
                .collect();
            let Some(first) = hits.first() else { continue };
            let at = explicit_grant(s, first).map(|v| v.span).unwrap_or(s.span);
            out.hit(
                at,
                format!("{}.Action", s.anchor),
                format!(
                    "credential-exposure action(s) {} allowed on every resource; scope them to the users/roles/clusters needed or add conditions",
                    hits.iter().take(4).map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}
