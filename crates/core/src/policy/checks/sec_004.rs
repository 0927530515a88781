//! SEC-004: Lambda environment with hard-coded secrets.

use super::prelude::*;

pub(crate) struct Sec004;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-004",
    title: "Lambda environment with hard-coded secrets",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags Lambda function environment variables (`AWS::Lambda::Function`,
`AWS::Serverless::Function`, `aws_lambda_function`) whose name says secret and whose value is a
literal, or whose value has a credential's shape.

## Why is this bad?
Function configuration is readable by anyone with `lambda:GetFunctionConfiguration`, shown in the
console, and committed with the template; the secret cannot be rotated without a deploy.

## Example
```hcl
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "api.zip"
  environment {
    variables = {
      DB_PASSWORD = "Sup3rS3cretPassw0rd"
    }
  }
}
```

## Use instead
```hcl
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "api.zip"
  environment {
    variables = {
      DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db.arn
    }
  }
}
```

## References
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption
- https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
"##,
};

impl Check for Sec004 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            let vars = match r.rtype.as_str() {
                "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
                    r.props.path(&["Environment", "Variables"])
                }
                "aws_lambda_function" => r.props.path(&["environment", "variables"]),
                _ => continue,
            };
            for (k, v) in vars.and_then(Node::as_map).unwrap_or_default() {
                if hardcoded_secret(&k.name, v, out) {
                    out.secret_hit(
                        k.span,
                        v.span,
                        r.prop_anchor(&format!("Environment.Variables.{}", k.name)),
                        format!("Lambda `{}` has the secret `{}` in its environment; keep it in Secrets Manager/Parameter Store and pass only its ARN or name", r.name, k.name),
                    );
                }
            }
        }
    }
}
