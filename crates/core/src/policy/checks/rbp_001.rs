//! RBP-001: Resource policy grants to Principal `*` without a principal-restricting condition.

use super::prelude::*;

pub(crate) struct Rbp001;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-001",
    title: "Resource policy grants to Principal `*` without a principal-restricting condition",
    severity: Severity::Critical,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements with `Principal "*"` (or `{"AWS": "*"}`) and no `Condition` at all in
resource-based policies (S3 buckets, SQS queues, SNS topics, Secrets Manager, ECR, CloudWatch
Logs; KMS key policies are ENC-004's). Statements with conditions that do not restrict the caller
are RBP-002's.

## Why is this bad?
Anyone — any AWS account, and for S3 anonymous internet users — can perform the allowed actions.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::my-artifacts/*"
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
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::my-artifacts/*",
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
"##,
};

impl Check for Rbp001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in resource_allows(doc, false) {
            if s.has_principal_any() && s.conditions.is_empty() {
                out.hit(
                    s.at(s.principal.as_ref().map(|p| p.span)),
                    format!("{}.Principal", s.anchor),
                    "resource policy allows `Principal \"*\"` with no condition: anyone can call it; name the principals, or add `aws:PrincipalOrgID`/`aws:PrincipalAccount`/`aws:SourceVpce`",
                );
            }
        }
    }
}
