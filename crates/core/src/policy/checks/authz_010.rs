//! AUTHZ-010: Data-exfiltration read actions unconstrained.

use super::prelude::*;

pub(crate) struct Authz010;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHZ-010",
    title: "Data-exfiltration read actions unconstrained",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags identity-policy Allow statements on `Resource "*"` (or `NotResource`) with no condition
that grant bulk data reads: `s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter(s)`,
`ssm:GetParametersByPath`, `dynamodb:Scan`/`Query`/`GetItem`, `kinesis:GetRecords`,
`sqs:ReceiveMessage`, `rds:CreateDBSnapshot`/`CopyDBSnapshot`, ... (explicitly or through
wildcards such as `s3:Get*`).

## Why is this bad?
The principal can read every object, secret, parameter and table in the account — a single
compromised pipeline step exfiltrates all of it.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "*"}
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
      "Action": "secretsmanager:GetSecretValue",
      "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ci/deploy-*"
    }
  ]
}
```

## References
- https://github.com/salesforce/cloudsplaining/blob/master/docs/glossary/data-exfiltration.md
"##,
};

pub(crate) const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "kinesis:GetRecords",
    "sqs:ReceiveMessage",
    "rds:CreateDBSnapshot",
    "rds:CopyDBSnapshot",
    "ec2:CreateSnapshot",
    "ec2:GetConsoleOutput",
    "codecommit:GitPull",
    "ecr:BatchGetImage",
    "logs:GetLogEvents",
];

impl Check for Authz010 {
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
                    "data read action(s) {} allowed on every resource; scope them to the buckets, secrets, parameters or tables needed",
                    hits.iter().take(4).map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}
