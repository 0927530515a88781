//! AUTHN-005: GitHub OIDC trust without a pinned `sub` (or without `aud`).

use super::prelude::*;

pub(crate) struct Authn005;

static INFO: CheckInfo = CheckInfo {
    id: "AUTHN-005",
    title: "GitHub OIDC trust without (or with wildcard) `token.actions.githubusercontent.com:sub`",
    severity: Severity::High,
    formats: "J, CFN, TF",
    docs: r##"## What it does
Flags trust statements for the GitHub OIDC provider (`token.actions.githubusercontent.com`) that do
not pin `token.actions.githubusercontent.com:sub` to a repository (missing, `*`, `repo:*`), or that
do not require `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com`.

## Why is this bad?
Every GitHub Actions run, in every repository of every GitHub user, gets a token from the same
issuer. Without a `sub` condition naming your repository (and ideally branch or environment),
anyone's workflow can assume the role.

## Example
```yaml
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: repo:*
```

## Use instead
```yaml
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
                token.actions.githubusercontent.com:sub: repo:my-org/my-repo:ref:refs/heads/main
```

## References
- https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services#configuring-the-role-and-trust-policy
- https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
"##,
};

const ISSUER: &str = "token.actions.githubusercontent.com";

/// A `sub` value that pins at least the repository owner.
fn pinned(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() || v.starts_with('*') {
        return false;
    }
    match v.strip_prefix("repo:") {
        Some(rest) => {
            let owner = rest.split('/').next().unwrap_or("");
            !owner.is_empty() && !owner.contains('*') && !owner.contains('?') && rest.contains('/')
        }
        None => true,
    }
}

impl Check for Authn005 {
    fn info(&self) -> &'static CheckInfo {
        &INFO
    }

    fn run(&self, doc: &Doc, out: &mut Out) {
        for (_, s) in trust_allows(doc) {
            if !s
                .principals()
                .any(|p| p.ptype.eq_ignore_ascii_case("Federated") && p.v.s.contains(ISSUER))
            {
                continue;
            }
            let subs: Vec<&Cond> = s.cond(&format!("{ISSUER}:sub")).collect();
            let sub_ok = !subs.is_empty()
                && subs.iter().all(|c| {
                    c.is_positive() && !c.values.is_empty() && c.values.iter().all(|v| pinned(&v.s))
                });
            let aud_ok = s.cond(&format!("{ISSUER}:aud")).any(|c| {
                c.is_positive() && c.values.iter().all(|v| v.s.trim() == "sts.amazonaws.com")
            });
            let mut missing = Vec::new();
            if !sub_ok {
                missing.push(if subs.is_empty() {
                    "no `token.actions.githubusercontent.com:sub` condition"
                } else {
                    "`token.actions.githubusercontent.com:sub` is a wildcard"
                });
            }
            if !aud_ok {
                missing.push("no `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com`");
            }
            if missing.is_empty() {
                continue;
            }
            let span = subs
                .first()
                .map(|c| c.span)
                .or(s.condition_span)
                .or(s.principal.as_ref().map(|p| p.span))
                .unwrap_or(s.span);
            out.hit(
                span,
                format!("{}.Condition", s.anchor),
                format!(
                    "GitHub OIDC trust: {}; require `StringEquals` `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com` and pin `:sub` to `repo:<owner>/<repo>:ref:refs/heads/<branch>` (or an environment)",
                    missing.join(" and ")
                ),
            );
        }
    }
}
