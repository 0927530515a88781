//! ENC-008: Secrets Manager / SNS / SQS / CloudWatch Logs without a customer-managed key.

use super::prelude::*;

pub(crate) struct Enc008;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-008",
    title: "Secrets Manager / SNS / SQS / CloudWatch Logs without a customer-managed key",
    severity: Severity::Low,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags Secrets Manager secrets, SNS topics, SQS queues and CloudWatch Logs log groups with no
customer-managed KMS key (`KmsKeyId`/`KmsMasterKeyId`, `kms_key_id`/`kms_master_key_id`), or with an
AWS-managed alias such as `alias/aws/sns`. SQS-managed SSE does not count.

## Why is this bad?
These services carry pipeline secrets, notifications and build logs. With AWS-owned or AWS-managed
keys you cannot restrict who decrypts, audit it separately, or revoke it by disabling the key.

## Example
```yaml
Resources:
  DeployToken:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        PasswordLength: 32
```

## Use instead
```yaml
Resources:
  DeployToken:
    Type: AWS::SecretsManager::Secret
    Properties:
      KmsKeyId: !Ref SecretsKey
      GenerateSecretString:
        PasswordLength: 32
```

## References
- https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
- https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
- https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
"##,
};

impl Check for Enc008 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let (key, what) = match r.rtype.as_str() {
                "AWS::SecretsManager::Secret" => ("KmsKeyId", "secret"),
                "AWS::SNS::Topic" => ("KmsMasterKeyId", "topic"),
                "AWS::SQS::Queue" => ("KmsMasterKeyId", "queue"),
                "AWS::Logs::LogGroup" => ("KmsKeyId", "log group"),
                "aws_secretsmanager_secret" => ("kms_key_id", "secret"),
                "aws_sns_topic" => ("kms_master_key_id", "topic"),
                "aws_sqs_queue" => ("kms_master_key_id", "queue"),
                "aws_cloudwatch_log_group" => ("kms_key_id", "log group"),
                _ => continue,
            };
            if !customer_managed_key(r.props.get(key)) {
                out.hit(
                    r.key_span(key),
                    r.prop_anchor(key),
                    format!("{what} `{}` is not encrypted with a customer-managed KMS key; set `{key}` to your key", r.name),
                );
            }
        }
    }
}
