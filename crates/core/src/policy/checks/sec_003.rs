//! SEC-003: CodePipeline action configuration with literal OAuthToken / webhook SecretToken.

use super::prelude::*;

pub(crate) struct Sec003;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-003",
    title: "CodePipeline action configuration with literal OAuthToken / webhook SecretToken",
    severity: Severity::High,
    formats: "CFN, TF",
    docs: r##"## What it does
Flags literal `OAuthToken` values in CodePipeline action configuration (GitHub v1 source actions)
and literal `SecretToken` / `secret_token` in CodePipeline webhooks. References
(`{{resolve:secretsmanager:...}}`, `!Ref` to a `NoEcho` parameter, Terraform variables) are fine.

## Why is this bad?
The token grants access to the source repository (often to every repository of the user) and the
webhook secret lets anyone trigger the pipeline; both are committed with the template.

## Example
```yaml
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt PipelineRole.Arn
      Stages:
        - Name: Source
          Actions:
            - Name: GitHub
              ActionTypeId: {Category: Source, Owner: ThirdParty, Provider: GitHub, Version: "1"}
              Configuration:
                Owner: my-org
                Repo: app
                Branch: main
                OAuthToken: ghp_0123456789abcdefghijklmnopqrstuvwxyz
```

## Use instead
```yaml
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt PipelineRole.Arn
      Stages:
        - Name: Source
          Actions:
            - Name: GitHub
              ActionTypeId: {Category: Source, Owner: ThirdParty, Provider: GitHub, Version: "1"}
              Configuration:
                Owner: my-org
                Repo: app
                Branch: main
                OAuthToken: "{{resolve:secretsmanager:ci/github:SecretString:token}}"
```

## References
- https://docs.aws.amazon.com/codepipeline/latest/userguide/appendix-github-oauth.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
"##,
};

fn literal_token(n: &Node) -> bool {
    n.lit().is_some_and(|t| !is_reference(t))
}

impl Check for Sec003 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for r in &doc.resources {
            match r.rtype.as_str() {
                "AWS::CodePipeline::Pipeline" | "aws_codepipeline" => {
                    let cfn = r.rtype.starts_with("AWS::");
                    let (stages, actions, conf) = if cfn {
                        ("Stages", "Actions", "Configuration")
                    } else {
                        ("stage", "action", "configuration")
                    };
                    for (i, st) in r.props.get(stages).map(Node::items).unwrap_or_default().into_iter().enumerate() {
                        for (j, a) in st.get(actions).map(Node::items).unwrap_or_default().into_iter().enumerate() {
                            let Some(c) = a.get(conf) else { continue };
                            if let Some((k, v)) = c.entry("OAuthToken") {
                                if literal_token(v) {
                                    out.hit(
                                        k.span,
                                        r.prop_anchor(&format!("{stages}[{i}].{actions}[{j}].{conf}.OAuthToken")),
                                        "`OAuthToken` is a literal token in the template; use a `{{resolve:secretsmanager:...}}` reference (or a CodeStar connection)",
                                    );
                                }
                            }
                        }
                    }
                }
                "AWS::CodePipeline::Webhook" | "aws_codepipeline_webhook" => {
                    let path: &[&str] = if r.rtype.starts_with("AWS::") {
                        &["AuthenticationConfiguration", "SecretToken"]
                    } else {
                        &["authentication_configuration", "secret_token"]
                    };
                    let Some(parent) = r.props.path(&path[..1]) else { continue };
                    if let Some((k, v)) = parent.first().entry(path[1]) {
                        if literal_token(v) {
                            out.hit(
                                k.span,
                                r.prop_anchor(&path.join(".")),
                                "webhook secret token is a literal in the template; reference Secrets Manager (`{{resolve:secretsmanager:...}}`) or a variable",
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
