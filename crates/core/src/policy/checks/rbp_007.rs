//! RBP-007: Service principal without aws:SourceArn / aws:SourceAccount.

use super::prelude::*;

pub(crate) struct Rbp007;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-007",
    title: "Service principal without aws:SourceArn / aws:SourceAccount (trust or resource policy)",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements that grant to an AWS service principal (`sns.amazonaws.com`,
`cloudtrail.amazonaws.com`, `codebuild.amazonaws.com`, ...) without a positive `aws:SourceArn`,
`aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition, in resource-based
policies and in trust policies. Trust policies for compute services that assume the role on the
account's own behalf (`ec2`, `lambda`, `ecs-tasks`, `edgelambda`, `eks`, `eks-fargate-pods`,
`batch`) are not flagged.

## Why is this bad?
A service principal stands for the service acting for *any* customer: without a source
condition, another account can point its own SNS topic, trail or CodeBuild project at your queue,
bucket or role (the cross-service confused deputy).

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "sns.amazonaws.com"},
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
      "Principal": {"Service": "sns.amazonaws.com"},
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:111122223333:jobs",
      "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:events"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
"##,
};

const SELF_SERVICE: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "edgelambda.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "batch.amazonaws.com",
];

impl Check for Rbp007 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        let stmts = resource_allows(doc, true).chain(trust_allows(doc));
        for (p, s) in stmts {
            let trust = p.kind == Kind::Trust;
            let Some(svc) = s.principals().find(|pr| {
                pr.ptype.eq_ignore_ascii_case("Service")
                    && !(trust && SELF_SERVICE.contains(&pr.v.s.trim().to_ascii_lowercase().as_str()))
            }) else {
                continue;
            };
            let guarded = s.conditions.iter().any(|c| {
                (c.key_is("aws:SourceArn")
                    || c.key_is("aws:SourceAccount")
                    || c.key_is("aws:SourceOrgID")
                    || c.key_is("aws:SourceOrgPaths"))
                    && c.is_positive()
                    && c.values.iter().all(|v| v.s.trim() != "*")
            });
            if guarded {
                continue;
            }
            out.hit(
                svc.v.span,
                format!("{}.Principal.Service", s.anchor),
                format!(
                    "service principal `{}` is not tied to your resources; add `ArnEquals` `aws:SourceArn` (or `StringEquals` `aws:SourceAccount`) to prevent the confused deputy",
                    svc.v.s.trim()
                ),
            );
        }
    }
}
