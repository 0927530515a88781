//! ENC-005: Identity policy grants `kms:*` or `kms:Decrypt` on `*`.

use super::prelude::*;

pub(crate) struct Enc005;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-005",
    title: "Identity policy grants `kms:*` or `kms:Decrypt` on `*`",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags identity-policy Allow statements that grant `kms:Decrypt` (directly or via `kms:*`,
`kms:Decrypt*`, ...) on `Resource "*"` or with `NotResource`, without a `kms:ViaService`,
`kms:EncryptionContext*`, `kms:CallerAccount` or `aws:ResourceTag` condition.

## Why is this bad?
The principal can decrypt with every key whose key policy delegates to IAM — which is the default
key policy — so one role can read every encrypted secret, artifact and snapshot in the account.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
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
      "Action": "kms:Decrypt",
      "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html
- https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-2
"##,
};

impl Check for Enc005 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in identity_allows(doc) {
            if !unscoped(s) {
                continue;
            }
            let constrained = s.conditions.iter().any(|c| {
                let k = c.key.to_ascii_lowercase();
                k == "kms:viaservice"
                    || k.starts_with("kms:encryptioncontext")
                    || k == "kms:calleraccount"
                    || k.starts_with("aws:resourcetag")
            });
            if constrained {
                continue;
            }
            if let Some(a) = explicit_grant(s, "kms:Decrypt") {
                out.hit(
                    a.span,
                    format!("{}.Action", s.anchor),
                    format!(
                        "`{}` on every key lets the principal decrypt anything encrypted with any key in the account; list the key ARNs or add a `kms:ViaService` condition",
                        a.s.trim()
                    ),
                );
            }
        }
    }
}
