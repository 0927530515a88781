//! SEC-002: buildspec `env.variables` holds secrets.

use super::prelude::*;

pub(crate) struct Sec002;

static INFO: CheckInfo = CheckInfo {
    id: "SEC-002",
    title: "buildspec `env.variables` holds secrets",
    severity: Severity::High,
    formats: "BS",
    docs: r##"## What it does
Flags entries of a buildspec's `env.variables` whose name says secret and whose value is a
literal, or whose value has a credential's shape. `env.secrets-manager` and `env.parameter-store`
are the right places and are not flagged.

## Why is this bad?
`env.variables` are plain text in the repository and in the build's environment listing; anyone
who can read the source or the build metadata has the secret.

## Example
```yaml buildspec.yml
version: 0.2
env:
  variables:
    DOCKERHUB_PASSWORD: hunter2-but-longer
phases:
  build:
    commands:
      - docker login -u ci -p "$DOCKERHUB_PASSWORD"
```

## Use instead
```yaml buildspec.yml
version: 0.2
env:
  secrets-manager:
    DOCKERHUB_PASSWORD: ci/dockerhub:password
phases:
  build:
    commands:
      - echo "$DOCKERHUB_PASSWORD" | docker login -u ci --password-stdin
```

## References
- https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager
"##,
};

impl Check for Sec002 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        if doc.format != Format::Buildspec {
            return;
        }
        let Some(vars) = doc.root.path(&["env", "variables"]) else { return };
        for (k, v) in vars.as_map().unwrap_or_default() {
            if hardcoded_secret(&k.name, v, out) {
                out.secret_hit(
                    k.span,
                    v.span,
                    format!("env.variables.{}", k.name),
                    format!("buildspec variable `{}` holds a secret in plain text; move it to `env.secrets-manager` or `env.parameter-store`", k.name),
                );
            }
        }
    }
}
