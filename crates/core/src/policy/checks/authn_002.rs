//! AUTHN-002: Hard-coded AWS keys in a Terraform provider or backend block.

use super::prelude::*;

pub(crate) struct Authn002;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-002",
    title: "Hard-coded AWS keys in Terraform provider/backend",
    severity: Severity::Critical,
    formats: "TF",
    docs: r##"## What it does
Flags literal `access_key`, `secret_key` or `token` values in `provider "aws"` blocks and in
`backend "s3"` blocks of `terraform {}`.

## Why is this bad?
The keys are committed with the code: every clone, fork, CI log and state backup carries them, and
they cannot be rotated without a commit. Terraform reads credentials from the environment, shared
profiles, instance roles or `assume_role`/OIDC on its own.

## Example
```hcl
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}
```

## Use instead
```hcl
provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::111122223333:role/terraform"
  }
}
```

## References
- https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration
- https://developer.hashicorp.com/terraform/language/backend/s3#credentials-and-shared-configuration
"##,
};

impl Check for Authn002 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        let mut bodies: Vec<(&Node, String)> = Vec::new();
        for r in &doc.resources {
            if r.rtype == "provider.aws" {
                bodies.push((&r.props, r.anchor.clone()));
            } else if r.rtype == "terraform" {
                if let Some(b) = r.props.get("backend") {
                    for (i, be) in b.items().into_iter().enumerate() {
                        bodies.push((be, format!("terraform.backend[{i}]")));
                    }
                }
            }
        }
        for (body, anchor) in bodies {
            for key in ["access_key", "secret_key", "token"] {
                let Some((k, v)) = body.entry(key) else { continue };
                let Some(lit) = v.lit() else { continue };
                if is_reference(lit) {
                    continue;
                }
                out.hit(
                    k.span,
                    format!("{anchor}.{key}"),
                    format!(
                        "`{key}` is a literal credential in Terraform code; remove it and let the provider read credentials from the environment, a profile, or `assume_role`/OIDC"
                    ),
                );
            }
        }
    }
}
