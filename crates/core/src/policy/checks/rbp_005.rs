//! RBP-005: Destructive or policy-changing actions granted to external or wildcard principals.

use super::prelude::*;

pub(crate) struct Rbp005;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-005",
    title: "Destructive or policy-changing actions granted to external or wildcard principals",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements in resource-based policies that grant deleting or re-policying the
resource (`s3:DeleteBucket`, `s3:DeleteObject`, `s3:PutBucketPolicy`, `s3:PutBucketAcl`,
`sqs:DeleteQueue`, `sqs:SetQueueAttributes`, `sns:SetTopicAttributes`, `kms:ScheduleKeyDeletion`,
`kms:PutKeyPolicy`, `secretsmanager:DeleteSecret`, `secretsmanager:PutResourcePolicy`,
`ecr:SetRepositoryPolicy`, ... — explicitly or through wildcards) to `Principal "*"` or to a
principal in another account named literally (KMS key policies: wildcard principals only).

## Why is this bad?
Someone outside your account can destroy the resource or rewrite its policy to lock you out or
open it further.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
      "Action": ["s3:GetObject", "s3:DeleteObject"],
      "Resource": "arn:aws:s3:::shared-artifacts/*"
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
      "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
      "Action": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::shared-artifacts/*"
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html
"##,
};

pub(crate) const DESTRUCTIVE: &[&str] = &[
    "s3:DeleteBucket",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutLifecycleConfiguration",
    "sqs:DeleteQueue",
    "sqs:SetQueueAttributes",
    "sqs:AddPermission",
    "sqs:PurgeQueue",
    "sns:DeleteTopic",
    "sns:SetTopicAttributes",
    "sns:AddPermission",
    "kms:ScheduleKeyDeletion",
    "kms:PutKeyPolicy",
    "kms:DisableKey",
    "secretsmanager:DeleteSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "ecr:DeleteRepository",
    "ecr:SetRepositoryPolicy",
    "ecr:BatchDeleteImage",
    "logs:DeleteLogGroup",
    "logs:PutResourcePolicy",
];

impl Check for Rbp005 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (p, s) in resource_allows(doc, true) {
            let kms = p.is(Svc::Kms);
            let who = s.principals().find_map(|pr| {
                if pr.is_any() {
                    Some("any principal (`*`)".to_string())
                } else if !kms && pr.ptype.eq_ignore_ascii_case("AWS") && !pr.v.sym {
                    literal_account(&pr.v.s).map(|a| format!("account {a}"))
                } else {
                    None
                }
            });
            let Some(who) = who else { continue };
            let found: Vec<&str> = DESTRUCTIVE
                .iter()
                .copied()
                .filter(|a| s.allows_action(a))
                .collect();
            let Some(first) = found.first() else { continue };
            let at = s
                .actions()
                .find(|a| action_matches(&a.s, first))
                .map(|a| a.span)
                .unwrap_or(s.span);
            out.hit(
                at,
                format!("{}.Action", s.anchor),
                format!(
                    "{who} may {}; grant external principals only read/write actions they need, never delete or policy changes",
                    found.iter().take(3).map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}
