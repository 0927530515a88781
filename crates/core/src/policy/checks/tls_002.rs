//! TLS-002: SecureTransport enforcement incomplete or ineffective.

use super::prelude::*;

pub(crate) struct Tls002;

static INFO: CheckInfo = CheckInfo {
    id: "TLS-002",
    title: "SecureTransport enforcement incomplete or ineffective",
    severity: Severity::Medium,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Checks the S3 bucket-policy statements that mention `aws:SecureTransport`. Enforcement is complete
only with `Effect: Deny`, `Principal: "*"`, `Action: "s3:*"` (or `"*"`), `Bool`/`BoolIfExists`
`aws:SecureTransport` `false`, and resources that cover both the bucket ARN and `bucket/*`
(across the complete statements). The hit says what is missing.

## Why is this bad?
A deny on `bucket/*` alone leaves bucket-level calls (listing, policy and ACL changes) open over
HTTP; a deny of `s3:GetObject` only leaves uploads open; an `Allow` with `SecureTransport: true`
refuses nothing; a deny for one principal leaves everyone else unaffected.

## Example
```yaml
Resources:
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: !Sub "${Bucket.Arn}/*"
            Condition:
              Bool:
                aws:SecureTransport: false
```

## Use instead
```yaml
Resources:
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource:
              - !GetAtt Bucket.Arn
              - !Sub "${Bucket.Arn}/*"
            Condition:
              Bool:
                aws:SecureTransport: false
```

## References
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
"##,
};

fn problems(s: &Statement) -> Vec<&'static str> {
    let mut v = Vec::new();
    if s.allow {
        v.push("it is an Allow (which refuses nothing) — use `Effect: Deny`");
    }
    if !s.has_principal_any() {
        v.push("`Principal` is not `\"*\"`");
    }
    if !s.actions().any(|a| matches!(a.s.trim(), "*" | "s3:*")) {
        v.push("`Action` is not `s3:*`");
    }
    let cond_ok = s.cond("aws:SecureTransport").any(|c| {
        c.base_op() == "bool" && c.values.iter().all(|v| v.s.trim().eq_ignore_ascii_case("false"))
    });
    if !cond_ok {
        v.push("the condition is not `Bool` `aws:SecureTransport` = `false`");
    }
    if s.not_resource.is_some() {
        v.push("it uses `NotResource`");
    }
    v
}

impl Check for Tls002 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for p in doc.policies.iter().filter(|p| p.is(Svc::S3)) {
            let st: Vec<&Statement> = p
                .statements
                .iter()
                .filter(|s| s.cond("aws:SecureTransport").next().is_some())
                .collect();
            if st.is_empty() {
                continue;
            }
            let good: Vec<&&Statement> = st.iter().filter(|s| problems(s).is_empty()).collect();
            if good.is_empty() {
                let s = st[0];
                out.hit(
                    s.span,
                    s.anchor.clone(),
                    format!(
                        "SecureTransport statement does not enforce TLS: {}; write a Deny for Principal `*`, Action `s3:*`, `Bool` `aws:SecureTransport` `false` on the bucket ARN and `bucket/*`",
                        problems(s).join("; ")
                    ),
                );
                continue;
            }
            let (mut bucket, mut objects) = (false, false);
            for s in &good {
                for r in s.resources() {
                    let sc = arn_scope(&r.s);
                    bucket |= sc.bucket;
                    objects |= sc.objects;
                }
            }
            if bucket && objects {
                continue;
            }
            let s = good[0];
            let missing = if !bucket {
                "the bucket ARN (`arn:aws:s3:::<bucket>`): bucket-level calls stay allowed over HTTP"
            } else {
                "the objects (`arn:aws:s3:::<bucket>/*`): object reads and writes stay allowed over HTTP"
            };
            out.hit(
                s.at(s.resource.as_ref().map(|f| f.span)),
                format!("{}.Resource", s.anchor),
                format!("SecureTransport deny does not cover {missing}; list both the bucket ARN and `bucket/*` in `Resource`"),
            );
        }
    }
}
