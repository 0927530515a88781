//! SEC-005: CloudFormation plaintext secret property or parameter without NoEcho.

use super::prelude::*;

pub(crate) struct Sec005;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-005",
    title: "CloudFormation plaintext secret property or parameter without NoEcho/dynamic reference",
    severity: Severity::High,
    formats: "CFN",
    docs: r##"## What it does
Flags CloudFormation parameters whose name says secret but that lack `NoEcho: true` (SSM
parameter types excepted), and secret properties (`MasterUserPassword`, `Password`,
`SecretString`, `AuthToken`, `MasterPassword`, `AdminPassword`) given as literals instead of
`{{resolve:secretsmanager:...}}` / `{{resolve:ssm-secure:...}}` references or `!Ref` to a `NoEcho`
parameter.

## Why is this bad?
Literal secrets are committed with the template; parameters without `NoEcho` are shown in clear by
`DescribeStacks`, in the console and in change sets.

## Example
```yaml
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: Sup3rS3cretPassw0rd
```

## Use instead
```yaml
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
```

## References
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#parameters-section-structure-properties
"##,
};

const SECRET_PROPS: &[&str] = &[
    "MasterUserPassword",
    "Password",
    "SecretString",
    "AuthToken",
    "MasterPassword",
    "AdminPassword",
];

impl Check for Sec005 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        if doc.format != Format::Cfn {
            return;
        }
        for (k, p) in &doc.params {
            let ty = p.get("Type").and_then(|t| t.text()).unwrap_or_default();
            if secret_name(&k.name)
                && !p.get("NoEcho").is_some_and(Node::is_true)
                && !ty.starts_with("AWS::SSM::Parameter")
            {
                out.hit(
                    k.span,
                    format!("Parameters.{}", k.name),
                    format!("parameter `{}` looks like a secret but has no `NoEcho: true`; add it, or better resolve the value with `{{{{resolve:secretsmanager:...}}}}`", k.name),
                );
            }
        }
        for r in &doc.resources {
            let mut path = String::new();
            let mut found: Vec<(Span, String)> = Vec::new();
            // The literal itself is the secret: every output redacts its span.
            r.props.walk_scalars(&mut path, &mut |p, leaf| {
                let last = p.rsplit('.').next().unwrap_or(p);
                if SECRET_PROPS.contains(&last) && leaf.lit().is_some_and(|v| !is_reference(v)) {
                    found.push((leaf.span, p.to_string()));
                }
            });
            for (span, p) in found {
                out.secret_hit(
                    span,
                    span,
                    r.prop_anchor(&p),
                    format!("`{p}` of `{}` is a literal secret; use `{{{{resolve:secretsmanager:...}}}}` (or a `NoEcho` parameter)", r.name),
                );
            }
        }
    }
}
