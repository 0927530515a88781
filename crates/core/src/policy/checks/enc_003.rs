//! ENC-003: KMS customer-managed key without rotation.

use super::prelude::*;

pub(crate) struct Enc003;

static INFO: CheckInfo = CheckInfo {
    id: "ENC-003",
    title: "KMS customer-managed key without rotation",
    severity: Severity::Medium,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags symmetric KMS keys (`AWS::KMS::Key`, `aws_kms_key`) without `EnableKeyRotation: true` /
`enable_key_rotation = true`. Asymmetric and HMAC keys, which KMS cannot rotate, are skipped.

## Why is this bad?
Without rotation the same key material protects data for as long as the key lives; rotation limits
how much data one key version protects and is required by most compliance baselines.

## Example
```hcl
resource "aws_kms_key" "artifacts" {
  description = "pipeline artifacts"
}
```

## Use instead
```hcl
resource "aws_kms_key" "artifacts" {
  description         = "pipeline artifacts"
  enable_key_rotation = true
}
```

## References
- https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
- https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4
"##,
};

impl Check for Enc003 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let (rot, spec_keys): (&str, &[&str]) = match r.rtype.as_str() {
                "AWS::KMS::Key" => ("EnableKeyRotation", &["KeySpec"]),
                "aws_kms_key" => ("enable_key_rotation", &["customer_master_key_spec", "key_spec"]),
                _ => continue,
            };
            let asymmetric = spec_keys.iter().any(|k| {
                r.props
                    .get(k)
                    .and_then(|n| n.text())
                    .is_some_and(|t| t != "SYMMETRIC_DEFAULT")
            });
            if asymmetric {
                continue;
            }
            match r.props.entry(rot) {
                Some((_, v)) if v.is_true() || v.is_expr() => {}
                Some((k, _)) => out.hit(
                    k.span,
                    r.prop_anchor(rot),
                    format!("key `{}` has rotation disabled; set `{rot}` to `true`", r.name),
                ),
                None => out.hit(
                    r.span,
                    r.prop_anchor(rot),
                    format!("key `{}` does not enable automatic rotation; set `{rot}` to `true`", r.name),
                ),
            }
        }
    }
}
