//! CICD-001: Workflow-wide `permissions: write-all` or `id-token: write`.

use super::prelude::*;

pub(crate) struct Cicd001;

static INFO: CheckInfo = CheckInfo {
    id: "CICD-001",
    title: "Workflow-wide `permissions: write-all` or `id-token: write`",
    severity: Severity::Low,
    formats: "GHA",
    docs: r##"## What it does
Flags a workflow's top-level `permissions:` when it is `write-all` or grants `id-token: write`.

## Why is this bad?
Top-level permissions apply to every job, including the ones that run third-party actions, tests
or pull-request code. `write-all` lets any of them push code and releases; `id-token: write` lets
any of them mint an OIDC token and assume your cloud roles. Grant these per job, to the job that
deploys.

## Example
```yaml .github/workflows/ci.yml
on: push
permissions:
  id-token: write
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
```

## Use instead
```yaml .github/workflows/ci.yml
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - run: make deploy
```

## References
- https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token
- https://docs.zizmor.sh/audits/#excessive-permissions
"##,
};

impl Check for Cicd001 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        if doc.format != Format::Workflow {
            return;
        }
        let Some((k, p)) = doc.root.entry("permissions") else { return };
        if p.lit().is_some_and(|t| t.trim() == "write-all") {
            out.hit(
                k.span,
                "permissions",
                "workflow-wide `permissions: write-all` gives every job write access; set `permissions: contents: read` at the top and grant writes per job",
            );
        }
        if let Some((ik, iv)) = p.entry("id-token") {
            if iv.lit().is_some_and(|t| t.trim() == "write") {
                out.hit(
                    ik.span,
                    "permissions.id-token",
                    "workflow-wide `id-token: write` lets every job mint OIDC tokens; grant it only in the job that needs cloud credentials",
                );
            }
        }
    }
}
