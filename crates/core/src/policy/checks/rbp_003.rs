//! RBP-003: Resource policy with Allow + `NotPrincipal`.

use super::prelude::*;

pub(crate) struct Rbp003;

static INFO: CheckInfo = CheckInfo {
    id: "RBP-003",
    title: "Resource policy with Allow+`NotPrincipal`",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags Allow statements with `NotPrincipal` in resource-based policies (including KMS key
policies).

## Why is this bad?
`Allow` + `NotPrincipal` allows every principal in every account except the listed ones,
including anonymous callers where the service supports them.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/blocked"},
      "Action": "sns:Publish",
      "Resource": "arn:aws:sns:eu-west-1:111122223333:alerts"
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
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/publisher"},
      "Action": "sns:Publish",
      "Resource": "arn:aws:sns:eu-west-1:111122223333:alerts"
    }
  ]
}
```

## References
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"##,
};

impl Check for Rbp003 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in resource_allows(doc, true) {
            if let Some(f) = &s.not_principal {
                out.hit(
                    f.span,
                    format!("{}.NotPrincipal", s.anchor),
                    "Allow with `NotPrincipal` grants every principal except the listed ones; name the allowed principals in `Principal`",
                );
            }
        }
    }
}
