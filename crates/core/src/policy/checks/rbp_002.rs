//! RBP-002: Principal `*` "mitigated" only by non-identity conditions.

use super::prelude::*;

pub(crate) struct Rbp002;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-002",
    title: "Principal `*` 'mitigated' only by non-identity conditions",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements with `Principal "*"` in resource-based policies (not KMS) whose conditions
exist but none narrows the caller. Only these count, with a positive operator (no `Not`, no
`IfExists`) and non-wildcard values: `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
`aws:PrincipalAccount`, a specific `aws:PrincipalArn`, `aws:SourceVpce`, `aws:SourceVpc`,
`aws:SourceArn`/`aws:SourceAccount` (service callers), a specific `aws:SourceIp`.
`aws:SecureTransport`, `aws:SourceIp` `0.0.0.0/0`, `aws:UserAgent`, `aws:Referer` do not.

## Why is this bad?
The condition looks like a restriction but any caller can satisfy it: everyone can use TLS, set a
User-Agent or Referer header, and `0.0.0.0/0` is the internet.

## Example
```yaml
Resources:
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues:
        - !Ref Queue
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition:
              Bool:
                aws:SecureTransport: true
```

## Use instead
```yaml
Resources:
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues:
        - !Ref Queue
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: sns.amazonaws.com
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition:
              ArnEquals:
                aws:SourceArn: !Ref Topic
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"##,
};

impl Check for Rbp002 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in resource_allows(doc, false) {
            if s.has_principal_any() && !s.conditions.is_empty() && !caller_restricted(s, false) {
                let keys: Vec<String> = s.conditions.iter().map(|c| format!("`{}`", c.key)).collect();
                out.hit(
                    s.at(s.condition_span),
                    format!("{}.Condition", s.anchor),
                    format!(
                        "`Principal \"*\"` is only conditioned on {}, which any caller can satisfy; add a condition on who calls (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:SourceVpce`, `aws:SourceArn`)",
                        keys.join(", ")
                    ),
                );
            }
        }
    }
}
