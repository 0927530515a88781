//! SEC-001: CodeBuild PLAINTEXT environment variable with a secret-like name or value.

use super::prelude::*;

pub(crate) struct Sec001;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-001",
    title: "CodeBuild PLAINTEXT environment variable with a secret-like name or value",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags CodeBuild environment variables of type `PLAINTEXT` (the default) whose name says secret
(`PASSWORD`, `TOKEN`, `API_KEY`, `SECRET`, ...) and whose value is a literal, or whose value has a
credential's shape (`AKIA...`, `ghp_...`, a private key). `SECRETS_MANAGER` and `PARAMETER_STORE`
variables, and `{{resolve:...}}` references, are not flagged.

## Why is this bad?
Plaintext variables are stored in the project definition: anyone with `codebuild:BatchGetProjects`
reads them, they appear in the console and in CloudTrail, and they are committed with the template.

## Example
```yaml
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
        EnvironmentVariables:
          - Name: NPM_TOKEN
            Value: npm-s3cr3t-t0ken-value
```

## Use instead
```yaml
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
        EnvironmentVariables:
          - Name: NPM_TOKEN
            Type: SECRETS_MANAGER
            Value: ci/npm:token
```

## References
- https://docs.aws.amazon.com/codebuild/latest/APIReference/API_EnvironmentVariable.html
- https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html#codebuild-2
"##,
};

impl Check for Sec001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let (vars, k_name, k_value, k_type): (Vec<&Node>, &str, &str, &str) = match r.rtype.as_str() {
                "AWS::CodeBuild::Project" => (
                    r.props.path(&["Environment", "EnvironmentVariables"]).map(Node::items).unwrap_or_default(),
                    "Name",
                    "Value",
                    "Type",
                ),
                "aws_codebuild_project" => (
                    r.props.path(&["environment", "environment_variable"]).map(Node::items).unwrap_or_default(),
                    "name",
                    "value",
                    "type",
                ),
                _ => continue,
            };
            for v in vars {
                let ty = v.get(k_type).and_then(|t| t.text()).unwrap_or_default();
                if !ty.is_empty() && !ty.eq_ignore_ascii_case("PLAINTEXT") {
                    continue;
                }
                let name = v.get(k_name).and_then(|n| n.text()).unwrap_or_default();
                let Some(value) = v.get(k_value) else { continue };
                if hardcoded_secret(&name, value, out) {
                    out.secret_hit(
                        value.span,
                        value.span,
                        r.prop_anchor(&format!("Environment.EnvironmentVariables.{name}")),
                        format!("CodeBuild variable `{name}` holds a secret in PLAINTEXT; store it in Secrets Manager or Parameter Store and use `Type: SECRETS_MANAGER`/`PARAMETER_STORE`"),
                    );
                }
            }
        }
    }
}
