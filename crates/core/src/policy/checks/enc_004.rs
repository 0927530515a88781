//! ENC-004: KMS key policy grants to Principal `*` without caller conditions.

use super::prelude::*;

pub(crate) struct Enc004;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-004",
    title: "KMS key policy grants to Principal `*` without kms:CallerAccount/ViaService/org conditions",
    severity: Severity::Critical,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements with `Principal "*"` in KMS key policies unless a condition narrows the
caller: `kms:CallerAccount` together with `kms:ViaService`, or `aws:PrincipalOrgID`,
`aws:PrincipalAccount`, a specific `aws:PrincipalArn`, `aws:SourceVpce`, ... (positive operators,
non-wildcard values).

## Why is this bad?
The key policy is the only gate on a KMS key. `Principal "*"` lets principals in any account use
(or administer) the key, so everything it encrypts can be decrypted outside your account.

## Example
```yaml
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action:
              - kms:Decrypt
              - kms:GenerateDataKey
            Resource: "*"
```

## Use instead
```yaml
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action:
              - kms:Decrypt
              - kms:GenerateDataKey
            Resource: "*"
            Condition:
              StringEquals:
                kms:CallerAccount: !Ref AWS::AccountId
                kms:ViaService: !Sub s3.${AWS::Region}.amazonaws.com
```

## References
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
- https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
"##,
};

impl Check for Enc004 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.is(Svc::Kms)) {
            for s in p.statements.iter().filter(|s| s.allow) {
                if s.has_principal_any() && !caller_restricted(s, true) {
                    out.hit(
                        s.at(s.principal.as_ref().map(|f| f.span)),
                        format!("{}.Principal", s.anchor),
                        "key policy allows `Principal \"*\"` with no condition on the caller; name the principals, or add `kms:CallerAccount` with `kms:ViaService` (or `aws:PrincipalOrgID`)",
                    );
                }
            }
        }
    }
}
