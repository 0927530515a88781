//! Shared judgements the checks agree on: which conditions narrow *who* can call, what counts as a
//! customer-managed key, what looks like a secret and what is only a reference to one.

use super::model::{Cond, Statement};
use super::node::Node;
use regex::bytes::Regex;
use std::sync::OnceLock;

/// A condition value that is not a wildcard (`*`, `*abc`, or an account/org id with `*`).
fn specific(key: &str, v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() || v == "*" || v.starts_with('*') {
        return false;
    }
    let k = key.to_ascii_lowercase();
    match k.as_str() {
        "aws:principalorgid"
        | "aws:principalaccount"
        | "aws:sourceaccount"
        | "kms:calleraccount"
        | "aws:sourceorgid" => !v.contains('*') && !v.contains('?'),
        "aws:principalarn" | "aws:sourcearn" => {
            // The account field of the ARN must be fixed.
            let acct = v.split(':').nth(4).unwrap_or("");
            !acct.is_empty() && !acct.contains('*') && !acct.contains('?')
        }
        "aws:sourceip" => {
            let (_, len) = v.split_once('/').unwrap_or((v, "32"));
            let len: u32 = len.parse().unwrap_or(0);
            !(v.starts_with("0.0.0.0") || v.starts_with("::/")) && len >= 8
        }
        _ => true,
    }
}

/// Condition keys that, with a positive operator and specific values, narrow who the caller is.
const IDENTITY_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceip",
    "aws:userid",
];

/// A condition that really narrows the caller.
pub(crate) fn narrows_caller(c: &Cond) -> bool {
    let k = c.key.to_ascii_lowercase();
    IDENTITY_KEYS.contains(&k.as_str())
        && c.is_positive()
        && !c.op.to_ascii_lowercase().contains("ifexists")
        && !c.values.is_empty()
        && c.values.iter().all(|v| specific(&c.key, &v.s))
}

/// A `Principal "*"` statement is mitigated: some condition narrows the caller. In KMS key policies,
/// `kms:CallerAccount` together with `kms:ViaService` counts too.
pub(crate) fn caller_restricted(s: &Statement, kms: bool) -> bool {
    if s.conditions.iter().any(narrows_caller) {
        return true;
    }
    if kms {
        let ok = |key: &str| {
            s.cond(key)
                .any(|c| c.is_positive() && c.values.iter().all(|v| specific(key, &v.s)))
        };
        return ok("kms:CallerAccount") && ok("kms:ViaService");
    }
    false
}

/// A key id that is not customer-managed: empty, `alias/aws/...` (AWS managed).
pub(crate) fn customer_managed_key(n: Option<&Node>) -> bool {
    let Some(n) = n else { return false };
    let Some(t) = n.text() else { return false };
    let t = t.trim();
    !(t.is_empty() || t.contains("alias/aws/") || t == "null")
}

fn re(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pat).expect("built-in pattern"))
}

/// A variable or property name that says it holds a secret (and not where to find one:
/// `DB_PASSWORD` yes, `DbPasswordSecretArn`, `TOKEN_PARAMETER_NAME`, `PasswordLength` no).
pub(crate) fn secret_name(name: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r"(?i-u)(passw(or)?d|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key|client_?secret|credential|auth_?key|signing_?key|webhook_?url|connection_?string|dsn)",
    );
    if !r.is_match(name.as_bytes()) {
        return false;
    }
    let flat: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    const NOT_A_VALUE: &[&str] = &[
        "arn",
        "id",
        "name",
        "path",
        "ref",
        "param",
        "parameter",
        "length",
        "policy",
        "days",
        "expiry",
        "ttl",
        "enabled",
        "header",
        "type",
        "version",
        "rotation",
        "file",
        "location",
        "url",
        "uri",
        "endpoint",
        "key_id",
        "keyid",
        "prefix",
        "count",
        "duration",
    ];
    !NOT_A_VALUE.iter().any(|s| flat.ends_with(s)) || flat.ends_with("webhookurl")
}

/// A value that refers to a secret kept elsewhere, or a placeholder: not a hard-coded secret.
pub(crate) fn is_reference(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.contains("{{resolve:")
        || t.contains("${{")
        || t.starts_with('$')
        || t.starts_with("arn:aws:secretsmanager:")
        || t.starts_with("arn:aws:ssm:")
        || (t.starts_with('<') && t.ends_with('>'))
        || t.starts_with("/")
        || t.eq_ignore_ascii_case("true")
        || t.eq_ignore_ascii_case("false")
}

/// A literal that is a hard-coded secret given its name: secret-looking name with a literal value
/// that is not a reference, or any value in which the secret engine recognises a secret.
pub(crate) fn hardcoded_secret(name: &str, n: &Node, out: &super::checks::Out<'_>) -> bool {
    let Some(v) = n.lit() else { return false };
    if is_reference(v) {
        return false;
    }
    (secret_name(name) && v.trim().len() >= 4) || out.recognises(v)
}

/// `scheme://user:password@host` with a literal password.
pub(crate) fn url_with_credentials(v: &str) -> Option<(usize, usize)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r"(?i-u)\b[a-z][a-z0-9+.\-]*://([^/\s:@'\x22]+):([^/\s@'\x22]+)@[a-z0-9.\-]+",
    );
    for c in r.captures_iter(v.as_bytes()) {
        let pw = c.get(2)?;
        let p = pw.as_bytes();
        if p.starts_with(b"$") || p.starts_with(b"{") || p.starts_with(b"<") || p.starts_with(b"%")
        {
            continue;
        }
        let m = c.get(0)?;
        return Some((m.start(), m.end()));
    }
    None
}

/// Plain-HTTP or `git://` URL that is not local.
pub(crate) fn insecure_url(v: &str) -> Option<String> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"(?i-u)\b(http|git|ftp)://([a-z0-9._\-]+)[^\s'\x22]*");
    for c in r.captures_iter(v.as_bytes()) {
        let host = c
            .get(2)
            .map(|h| String::from_utf8_lossy(h.as_bytes()).to_ascii_lowercase())
            .unwrap_or_default();
        if host == "localhost"
            || host.starts_with("127.")
            || host == "169.254.169.254"
            || host == "169.254.170.2"
            || host.ends_with(".local")
            || host.ends_with(".internal")
            || host == "0.0.0.0"
            || host.ends_with("w3.org")
            || host == "schemas.xmlsoap.org"
        {
            continue;
        }
        return Some(
            c.get(0)
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                .unwrap_or_default(),
        );
    }
    None
}

/// Allow statements of identity-based policies.
pub(crate) fn identity_allows(
    doc: &super::doc::Doc,
) -> impl Iterator<Item = (&super::model::Policy, &Statement)> {
    doc.policies
        .iter()
        .filter(|p| p.kind == super::model::Kind::Identity)
        .flat_map(|p| p.statements.iter().filter(|s| s.allow).map(move |s| (p, s)))
}

/// Allow statements of role trust policies.
pub(crate) fn trust_allows(
    doc: &super::doc::Doc,
) -> impl Iterator<Item = (&super::model::Policy, &Statement)> {
    doc.policies
        .iter()
        .filter(|p| p.kind == super::model::Kind::Trust)
        .flat_map(|p| p.statements.iter().filter(|s| s.allow).map(move |s| (p, s)))
}

/// Allow statements of resource-based policies (not KMS key policies unless `kms`).
pub(crate) fn resource_allows(
    doc: &super::doc::Doc,
    kms: bool,
) -> impl Iterator<Item = (&super::model::Policy, &Statement)> {
    doc.policies
        .iter()
        .filter(move |p| p.is_resource() && (kms || !p.is(super::model::Svc::Kms)))
        .flat_map(|p| p.statements.iter().filter(|s| s.allow).map(move |s| (p, s)))
}

/// The statement applies to every resource: `Resource "*"` or any `NotResource`.
pub(crate) fn unscoped(s: &Statement) -> bool {
    s.has_resource_star() || s.not_resource.is_some()
}

/// Explicit action patterns (everything but the bare `*`, which AUTHZ-001/002 report) that match
/// `action`.
pub(crate) fn explicit_grant<'a>(s: &'a Statement, action: &str) -> Option<&'a super::model::Val> {
    s.actions()
        .find(|a| a.s.trim() != "*" && super::model::action_matches(&a.s, action))
}

/// A 12-digit account id written literally in a principal (`111122223333`,
/// `arn:aws:iam::111122223333:root`); references such as `${AWS::AccountId}` are the template's own
/// account and do not count.
pub(crate) fn literal_account(v: &str) -> Option<&str> {
    let v = v.trim();
    let acct = if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        v
    } else if v.starts_with("arn:") {
        v.split(':').nth(4)?
    } else {
        return None;
    };
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

/// Environment and `with:` maps of a GitHub workflow, with their anchors.
pub(crate) fn workflow_maps(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    if let Some(e) = root.get("env") {
        out.push(("env".to_string(), e));
    }
    for (jk, job) in root.get("jobs").and_then(Node::as_map).unwrap_or_default() {
        for key in ["env", "with", "secrets"] {
            if let Some(e) = job.get(key) {
                out.push((format!("jobs.{}.{key}", jk.name), e));
            }
        }
        if let Some(steps) = job.get("steps").and_then(Node::as_seq) {
            for (i, st) in steps.iter().enumerate() {
                for key in ["env", "with"] {
                    if let Some(e) = st.get(key) {
                        out.push((format!("jobs.{}.steps[{i}].{key}", jk.name), e));
                    }
                }
            }
        }
    }
    out
}

/// The span of a match at byte `offset` inside a string node: for block scalars and heredocs the
/// line is counted inside the block.
pub(crate) fn span_within(n: &Node, offset: usize) -> super::node::Span {
    let Some(t) = n.text() else { return n.span };
    if !n.block {
        return n.span;
    }
    let before = t.get(..offset).unwrap_or("");
    let line = n.span.line + 1 + before.matches('\n').count() as u32;
    super::node::Span::point(line, 1)
}

/// Bucket policies that govern a template bucket (by logical id / address, or by literal name).
pub(crate) fn policies_for_bucket<'a>(
    doc: &'a super::doc::Doc,
    bucket: &'a super::doc::Resource,
) -> impl Iterator<Item = &'a super::model::Policy> + 'a {
    let id = bucket.id();
    let name = bucket
        .props
        .get("BucketName")
        .or_else(|| bucket.props.get("bucket"))
        .and_then(|n| n.lit())
        .map(str::to_string);
    doc.policies.iter().filter(move |p| {
        p.is(super::model::Svc::S3)
            && p.target
                .as_deref()
                .is_some_and(|t| t == id || name.as_deref() == Some(t))
    })
}

/// Resources of `rtype` whose `attr` refers to `target` (Terraform satellites such as
/// `aws_s3_bucket_server_side_encryption_configuration.bucket`).
pub(crate) fn satellites<'a>(
    doc: &'a super::doc::Doc,
    rtype: &'a str,
    attr: &'a str,
    target: &'a super::doc::Resource,
) -> impl Iterator<Item = &'a super::doc::Resource> + 'a {
    let id = target.id();
    let name = target
        .props
        .get("bucket")
        .and_then(|n| n.lit())
        .map(str::to_string);
    doc.resources.iter().filter(move |r| {
        r.rtype == rtype
            && r.props.get(attr).and_then(|n| n.text()).is_some_and(|t| {
                super::model::ref_target(&t).as_deref() == Some(id.as_str())
                    || name.as_deref() == Some(t.as_ref())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::model::Val;
    use crate::policy::node::Span;

    fn cond(op: &str, key: &str, v: &str) -> Cond {
        Cond {
            op: op.into(),
            key: key.into(),
            values: vec![Val {
                s: v.into(),
                span: Span::default(),
                sym: false,
            }],
            span: Span::default(),
        }
    }

    #[test]
    fn which_conditions_narrow_the_caller() {
        assert!(narrows_caller(&cond(
            "StringEquals",
            "aws:PrincipalOrgID",
            "o-abc123"
        )));
        assert!(!narrows_caller(&cond(
            "StringEquals",
            "aws:PrincipalOrgID",
            "*"
        )));
        assert!(!narrows_caller(&cond(
            "StringNotEquals",
            "aws:PrincipalOrgID",
            "o-abc"
        )));
        assert!(!narrows_caller(&cond(
            "Bool",
            "aws:SecureTransport",
            "true"
        )));
        assert!(!narrows_caller(&cond(
            "IpAddress",
            "aws:SourceIp",
            "0.0.0.0/0"
        )));
        assert!(narrows_caller(&cond(
            "IpAddress",
            "aws:SourceIp",
            "203.0.113.0/24"
        )));
        assert!(!narrows_caller(&cond("StringLike", "aws:UserAgent", "x")));
        assert!(!narrows_caller(&cond(
            "ArnLike",
            "aws:PrincipalArn",
            "arn:aws:iam::*:role/x"
        )));
        assert!(narrows_caller(&cond(
            "ArnLike",
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/x*"
        )));
    }

    #[test]
    fn secrets_and_references() {
        assert!(secret_name("DB_PASSWORD"));
        assert!(secret_name("githubToken"));
        assert!(!secret_name("SECRET_ARN"));
        assert!(!secret_name("GitHubTokenSecretArn"));
        assert!(!secret_name("DB_PASSWORD_PARAMETER_NAME"));
        assert!(!secret_name("PasswordLength"));
        assert!(secret_name("SLACK_WEBHOOK_URL"));
        assert!(secret_name("ApiKey"));
        assert!(!secret_name("REGION"));
        assert!(is_reference(
            "{{resolve:secretsmanager:db:SecretString:password}}"
        ));
        assert!(is_reference("${{ secrets.TOKEN }}"));
        // Built at compile time so that the repository itself holds no credential-shaped URL.
        let url = concat!(
            "git clone https://bob",
            ":",
            "hunter22",
            "@example.com/r.git"
        );
        assert!(url_with_credentials(url).is_some());
        assert!(url_with_credentials("https://bob:${TOKEN}@example.com").is_none());
        assert!(url_with_credentials("https://example.com/a@b").is_none());
        assert!(insecure_url("curl -sL http://example.com/install.sh | sh").is_some());
        assert!(insecure_url("curl http://localhost:8080/health").is_none());
        assert!(insecure_url("https://example.com").is_none());
    }
}
