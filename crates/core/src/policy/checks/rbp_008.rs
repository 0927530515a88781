//! RBP-008: S3 public ACL or Block Public Access disabled.

use super::prelude::*;

pub(crate) struct Rbp008;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-008",
    title: "S3 public ACL or Block Public Access disabled",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags S3 buckets with a public canned ACL (`PublicRead`, `PublicReadWrite`, `AuthenticatedRead`;
Terraform `public-read`, `public-read-write`, `authenticated-read`) and Block Public Access
settings explicitly set to `false` (`PublicAccessBlockConfiguration` in CloudFormation,
`aws_s3_bucket_public_access_block` / `aws_s3_account_public_access_block` in Terraform).

## Why is this bad?
A public ACL exposes the bucket's objects to the internet; turning Block Public Access off removes
the guard rail that stops a later policy or ACL from doing so.

## Example
```hcl
resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```

## Use instead
```hcl
resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
"##,
};

const PUBLIC_ACLS: &[&str] = &[
    "publicread",
    "publicreadwrite",
    "authenticatedread",
    "public-read",
    "public-read-write",
    "authenticated-read",
];

const BPA_CFN: &[&str] = &[
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];
const BPA_TF: &[&str] = &[
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// Block Public Access settings: the node, its keys, its anchor.
type Bpa<'a> = Option<(&'a Node, &'static [&'static str], String)>;

impl Check for Rbp008 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let (acl_key, bpa): (Option<&str>, Bpa) = match r.rtype.as_str() {
                "AWS::S3::Bucket" => (
                    Some("AccessControl"),
                    r.props
                        .get("PublicAccessBlockConfiguration")
                        .map(|n| (n, BPA_CFN, r.prop_anchor("PublicAccessBlockConfiguration"))),
                ),
                "aws_s3_bucket" | "aws_s3_bucket_acl" => (Some("acl"), None),
                "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block" => {
                    (None, Some((&r.props, BPA_TF, r.anchor.clone())))
                }
                _ => continue,
            };
            if let Some(k) = acl_key {
                if let Some(v) = r.props.get(k) {
                    if let Some(t) = v.lit().filter(|t| PUBLIC_ACLS.contains(&t.to_ascii_lowercase().as_str())) {
                        out.hit(
                            v.span,
                            r.prop_anchor(k),
                            format!("bucket `{}` has the public canned ACL `{t}`; use `private` (or no ACL, with object ownership `BucketOwnerEnforced`)", r.name),
                        );
                    }
                }
            }
            if let Some((node, keys, anchor)) = bpa {
                for key in keys {
                    if let Some((k, v)) = node.entry(key) {
                        if v.is_false() {
                            out.hit(
                                k.span,
                                format!("{anchor}.{key}"),
                                format!("Block Public Access `{key}` is disabled on `{}`; set it to `true`", r.name),
                            );
                        }
                    }
                }
            }
        }
    }
}
