//! One statement model for every policy, whatever the format it was written in: raw JSON,
//! CloudFormation (object or JSON string), Terraform (`jsonencode`, heredoc, or
//! `data "aws_iam_policy_document"` blocks).
//!
//! Values stay symbolic (`${B.Arn}/*`); [`arn_scope`] tells a bucket ARN from an object ARN
//! and [`ref_target`] names the template resource a value refers to.

use super::json;
use super::node::{Key, Node, Span, Value};

/// What a policy document is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Identity-based: attached to a user, group or role.
    Identity,
    /// A role's trust policy.
    Trust,
    /// A resource-based policy of the given service.
    Resource(Svc),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Svc {
    S3,
    Kms,
    Sqs,
    Sns,
    Secrets,
    Ecr,
    Logs,
    Other,
}

/// A string value in a policy, with where it is and whether it is symbolic.
#[derive(Debug, Clone)]
pub(crate) struct Val {
    pub s: String,
    pub span: Span,
    pub sym: bool,
}

impl Val {
    fn from_node(n: &Node) -> Option<Val> {
        Some(Val {
            s: n.text()?.into_owned(),
            span: n.span,
            sym: n.is_expr(),
        })
    }
}

/// A field of a statement (`Action`, `Principal`, ...) with the span of its key.
#[derive(Debug, Clone)]
pub(crate) struct Field<T> {
    pub items: Vec<T>,
    pub span: Span,
}

/// One principal: `*` (written as the bare string), or a type (`AWS`, `Service`, `Federated`,
/// `CanonicalUser`) with one identifier.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub ptype: String,
    pub v: Val,
}

impl Principal {
    /// `"*"` or `{"AWS": "*"}`: anyone.
    pub fn is_any(&self) -> bool {
        self.v.s.trim() == "*" && (self.ptype == "*" || self.ptype.eq_ignore_ascii_case("AWS"))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Cond {
    /// The operator as written, e.g. `StringEquals`, `ForAllValues:StringLike`, `BoolIfExists`.
    pub op: String,
    pub key: String,
    pub values: Vec<Val>,
    pub span: Span,
}

impl Cond {
    /// The operator without set qualifier and `IfExists`, lowercased.
    pub fn base_op(&self) -> String {
        let op = self.op.rsplit(':').next().unwrap_or(&self.op);
        let op = op.strip_suffix("IfExists").unwrap_or(op);
        op.to_ascii_lowercase()
    }

    /// A positive operator: equals, like, ARN equals/like, IP address, bool.
    pub fn is_positive(&self) -> bool {
        let b = self.base_op();
        !b.contains("not") && b != "null"
    }

    pub fn key_is(&self, k: &str) -> bool {
        self.key.eq_ignore_ascii_case(k)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub anchor: String,
    pub span: Span,
    /// `Allow` (the default when Terraform omits `effect`); anything but `Deny` counts as allow.
    pub allow: bool,
    pub principal: Option<Field<Principal>>,
    pub not_principal: Option<Field<Principal>>,
    pub action: Option<Field<Val>>,
    pub not_action: Option<Field<Val>>,
    pub resource: Option<Field<Val>>,
    pub not_resource: Option<Field<Val>>,
    pub conditions: Vec<Cond>,
    pub condition_span: Option<Span>,
}

impl Statement {
    pub fn actions(&self) -> impl Iterator<Item = &Val> {
        self.action.iter().flat_map(|f| f.items.iter())
    }

    pub fn resources(&self) -> impl Iterator<Item = &Val> {
        self.resource.iter().flat_map(|f| f.items.iter())
    }

    pub fn principals(&self) -> impl Iterator<Item = &Principal> {
        self.principal.iter().flat_map(|f| f.items.iter())
    }

    /// Some action pattern of the statement matches `action` (`s3:GetObject`).
    pub fn allows_action(&self, action: &str) -> bool {
        self.actions().any(|a| action_matches(&a.s, action))
    }

    pub fn has_action_star(&self) -> bool {
        self.actions().any(|a| a.s.trim() == "*")
    }

    pub fn has_resource_star(&self) -> bool {
        self.resources().any(|r| r.s.trim() == "*")
    }

    pub fn has_principal_any(&self) -> bool {
        self.principals().any(Principal::is_any)
    }

    pub fn cond(&self, key: &str) -> impl Iterator<Item = &Cond> {
        let key = key.to_string();
        self.conditions.iter().filter(move |c| c.key_is(&key))
    }

    /// Where a hit about a field should point: the field's key, else the statement.
    pub fn at(&self, f: Option<Span>) -> Span {
        f.unwrap_or(self.span)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub kind: Kind,
    pub anchor: String,
    /// The `Statement` key (or the `data` block): where policy-level hits point.
    pub span: Span,
    pub statements: Vec<Statement>,
    /// Anchor of the resource that carries the policy (`Resources.Role`, `aws_iam_role.r`); kept for
    /// reports that group by owner.
    #[allow(dead_code)]
    pub owner: Option<String>,
    /// The resource the policy governs, when known (the bucket of a bucket policy): a CloudFormation
    /// logical id or a Terraform address.
    pub target: Option<String>,
}

impl Policy {
    pub fn is_resource(&self) -> bool {
        matches!(self.kind, Kind::Resource(_))
    }

    /// A resource policy of a given service.
    pub fn is(&self, svc: Svc) -> bool {
        self.kind == Kind::Resource(svc)
    }
}

/// Case-insensitive IAM wildcard match (`*`, `?`) of `pattern` against `action`.
pub(crate) fn action_matches(pattern: &str, action: &str) -> bool {
    wild_match(
        pattern.trim().to_ascii_lowercase().as_bytes(),
        action.to_ascii_lowercase().as_bytes(),
    )
}

/// Glob with `*` and `?`, iterative (no recursion, linear-ish backtracking).
pub(crate) fn wild_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// What part of S3 a resource value covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scope {
    pub bucket: bool,
    pub objects: bool,
}

/// Classify an S3 resource value: the bucket ARN (`arn:aws:s3:::b`, `${B.Arn}`,
/// `${aws_s3_bucket.b.arn}`), object ARNs (`.../*`, `${B.Arn}/*`), or both (`*`, `arn:aws:s3:::b*`).
pub(crate) fn arn_scope(v: &str) -> Scope {
    let v = v.trim();
    if v == "*" || v == "arn:aws:s3:::*" || v.ends_with(":*") {
        return Scope {
            bucket: true,
            objects: true,
        };
    }
    // Strip the ARN prefix or the reference that stands for the bucket.
    let rest = if let Some(r) = v.split_once(":::") {
        r.1.to_string()
    } else if v.starts_with("${") {
        // `${B.Arn}/x` or `${aws_s3_bucket.b.arn}/x`: after the first placeholder.
        v.find('}')
            .map(|i| format!("b{}", &v[i + 1..]))
            .unwrap_or_default()
    } else {
        v.to_string()
    };
    match rest.find('/') {
        Some(_) => Scope {
            bucket: false,
            objects: true,
        },
        None if rest.ends_with('*') => Scope {
            bucket: true,
            objects: true,
        },
        None => Scope {
            bucket: true,
            objects: false,
        },
    }
}

/// The template resource a symbolic value points at: `${B}`, `${B.Arn}` → `B`;
/// `${aws_s3_bucket.b.id}` → `aws_s3_bucket.b`; `${data.x.y.json}` → `data.x.y`.
/// Pseudo parameters (`${AWS::AccountId}`) are skipped.
pub(crate) fn ref_target(v: &str) -> Option<String> {
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let end = after.find('}')?;
        let inner = after[..end].trim();
        rest = &after[end + 1..];
        if inner.starts_with("AWS::") || inner.starts_with("var.") || inner.starts_with("local.") {
            continue;
        }
        let parts: Vec<&str> = inner.split('.').collect();
        let t = if inner.starts_with("data.") && parts.len() >= 3 {
            parts[..3].join(".")
        } else if parts.len() >= 2
            && parts[0].contains('_')
            && parts[0].to_ascii_lowercase() == parts[0]
        {
            parts[..2].join(".")
        } else {
            parts[0].to_string()
        };
        return Some(t);
    }
    None
}

/// Build a policy from a node: an object with `Statement`, or a string holding JSON (embedded
/// spans are shifted into the outer file). `Err` carries a diagnostic for an unparsable string.
pub(crate) fn policy_from_node(
    n: &Node,
    kind: Option<Kind>,
    anchor: &str,
    owner: Option<String>,
    target: Option<String>,
    lines: &[&str],
) -> Result<Option<Policy>, String> {
    let parsed;
    let doc = match &n.v {
        Value::Map(_) => n,
        Value::Str(s) | Value::Expr(s) => {
            let t = s.trim_start();
            if !t.starts_with('{') {
                return Ok(None);
            }
            let mut inner = json::parse(s).map_err(|e| {
                format!(
                    "{}:{}: policy document is not valid JSON ({})",
                    n.span.line, n.span.col, e.msg
                )
            })?;
            let (first_line, first_col) = if n.block {
                (n.span.line + 1, 1)
            } else {
                (n.span.line, n.span.col + 1)
            };
            let indent = (first_line as usize)
                .checked_sub(1)
                .and_then(|i| lines.get(i))
                .map(|l| (l.len() - l.trim_start().len()) as u32)
                .unwrap_or(0);
            shift(
                &mut inner,
                first_line,
                first_col,
                if n.block { indent } else { 0 },
                0,
            );
            parsed = inner;
            &parsed
        }
        _ => return Ok(None),
    };
    let Some((skey, st)) = doc.entry_ci("Statement") else {
        return Ok(None);
    };
    let mut statements = Vec::new();
    let list = st.items();
    let single = !matches!(st.v, Value::Seq(_));
    for (i, s) in list.into_iter().enumerate() {
        let sid = s
            .get_ci("Sid")
            .and_then(|n| n.lit())
            .filter(|t| !t.is_empty());
        let a = match (sid, single) {
            (Some(sid), _) => format!("{anchor}.Statement[{sid}]"),
            (None, true) => format!("{anchor}.Statement"),
            (None, false) => format!("{anchor}.Statement[{i}]"),
        };
        statements.push(statement_from_node(s, a));
    }
    let kind = kind.unwrap_or_else(|| classify(&statements));
    Ok(Some(Policy {
        kind,
        anchor: anchor.to_string(),
        span: skey.span,
        statements,
        owner,
        target,
    }))
}

fn shift(n: &mut Node, first_line: u32, first_col: u32, indent: u32, depth: usize) {
    if depth > super::node::MAX_DEPTH {
        return;
    }
    n.span = n.span.embed(first_line, first_col, indent);
    match &mut n.v {
        Value::Map(m) => {
            for (k, v) in m.iter_mut() {
                k.span = k.span.embed(first_line, first_col, indent);
                shift(v, first_line, first_col, indent, depth + 1);
            }
        }
        Value::Seq(s) => {
            for v in s.iter_mut() {
                shift(v, first_line, first_col, indent, depth + 1);
            }
        }
        _ => {}
    }
}

fn vals(n: &Node) -> Vec<Val> {
    n.items().into_iter().filter_map(Val::from_node).collect()
}

fn field<T>(s: &Node, key: &str, f: impl Fn(&Node) -> Vec<T>) -> Option<Field<T>> {
    let (k, v): (&Key, &Node) = s.entry_ci(key)?;
    Some(Field {
        items: f(v),
        span: k.span,
    })
}

fn principals(n: &Node) -> Vec<Principal> {
    match &n.v {
        Value::Map(m) => m
            .iter()
            .flat_map(|(k, v)| {
                vals(v).into_iter().map(move |v| Principal {
                    ptype: k.name.clone(),
                    v,
                })
            })
            .collect(),
        _ => vals(n)
            .into_iter()
            .map(|v| Principal {
                ptype: "*".into(),
                v,
            })
            .collect(),
    }
}

/// `Effect: Deny`; a missing effect (Terraform's default) is an Allow.
fn is_deny(effect: Option<&Node>) -> bool {
    effect
        .and_then(Node::text)
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("deny"))
}

fn statement_from_node(s: &Node, anchor: String) -> Statement {
    let effect = s.entry_ci("Effect");
    let mut conditions = Vec::new();
    let cond = s.entry_ci("Condition");
    if let Some((_, c)) = cond {
        for (op, kv) in c.as_map().unwrap_or_default() {
            for (key, v) in kv.as_map().unwrap_or_default() {
                conditions.push(Cond {
                    op: op.name.clone(),
                    key: key.name.clone(),
                    values: vals(v),
                    span: key.span,
                });
            }
        }
    }
    Statement {
        anchor,
        span: s.span,
        allow: !is_deny(effect.map(|(_, v)| v)),
        principal: field(s, "Principal", principals),
        not_principal: field(s, "NotPrincipal", principals),
        action: field(s, "Action", vals),
        not_action: field(s, "NotAction", vals),
        resource: field(s, "Resource", vals),
        not_resource: field(s, "NotResource", vals),
        conditions,
        condition_span: cond.map(|(k, _)| k.span),
    }
}

/// Build a policy from a Terraform `data "aws_iam_policy_document"` body.
pub(crate) fn policy_from_tf_data(
    body: &Node,
    kind: Option<Kind>,
    anchor: &str,
    span: Span,
    target: Option<String>,
) -> Policy {
    let mut statements = Vec::new();
    if let Some(list) = body.get("statement") {
        for (i, s) in list.items().into_iter().enumerate() {
            let ef = s.entry("effect");
            let list_field = |key: &str| -> Option<Field<Val>> {
                let (k, v) = s.entry(key)?;
                Some(Field {
                    items: vals(v),
                    span: k.span,
                })
            };
            let princ = |key: &str| -> Option<Field<Principal>> {
                let (k, v) = s.entry(key)?;
                let mut items = Vec::new();
                for b in v.items() {
                    let ptype = b
                        .get("type")
                        .and_then(|t| t.text())
                        .map(|c| c.into_owned())
                        .unwrap_or_default();
                    for id in b.get("identifiers").map(vals).unwrap_or_default() {
                        items.push(Principal {
                            ptype: ptype.clone(),
                            v: id,
                        });
                    }
                }
                Some(Field {
                    items,
                    span: k.span,
                })
            };
            let mut conditions = Vec::new();
            let cond = s.entry("condition");
            if let Some((_, c)) = cond {
                for b in c.items() {
                    conditions.push(Cond {
                        op: b
                            .get("test")
                            .and_then(|t| t.text())
                            .map(|c| c.into_owned())
                            .unwrap_or_default(),
                        key: b
                            .get("variable")
                            .and_then(|t| t.text())
                            .map(|c| c.into_owned())
                            .unwrap_or_default(),
                        values: b.get("values").map(vals).unwrap_or_default(),
                        span: b.span,
                    });
                }
            }
            statements.push(Statement {
                anchor: match s.get("sid").and_then(|n| n.lit()).filter(|t| !t.is_empty()) {
                    Some(sid) => format!("{anchor}.statement[{sid}]"),
                    None => format!("{anchor}.statement[{i}]"),
                },
                span: s.span,
                allow: !is_deny(ef.map(|(_, v)| v)),
                principal: princ("principals"),
                not_principal: princ("not_principals"),
                action: list_field("actions"),
                not_action: list_field("not_actions"),
                resource: list_field("resources"),
                not_resource: list_field("not_resources"),
                conditions,
                condition_span: cond.map(|(k, _)| k.span),
            });
        }
    }
    let kind = kind.unwrap_or_else(|| classify(&statements));
    Policy {
        kind,
        anchor: anchor.to_string(),
        span,
        statements,
        owner: None,
        target,
    }
}

/// Guess what a free-standing policy is: statements with principals are trust policies (when
/// they only allow `sts:AssumeRole*`) or resource policies (service from actions and ARNs);
/// otherwise identity-based.
pub(crate) fn classify(statements: &[Statement]) -> Kind {
    let has_principal = statements
        .iter()
        .any(|s| s.principal.is_some() || s.not_principal.is_some());
    if !has_principal {
        return Kind::Identity;
    }
    let allowed: Vec<&Val> = statements
        .iter()
        .filter(|s| s.allow)
        .flat_map(|s| s.actions())
        .collect();
    // A trust policy allows only STS session actions (a stray `*` or `sts:*` among them is still
    // a trust policy, and AUTHN-008 reports it), and at least one assume action.
    let sts_only = allowed.iter().all(|a| {
        let l = a.s.trim().to_ascii_lowercase();
        l.starts_with("sts:assumerole")
            || l == "sts:tagsession"
            || l == "sts:setsourceidentity"
            || l == "sts:*"
            || l == "*"
    });
    let assumes = allowed.iter().any(|a| {
        a.s.trim()
            .to_ascii_lowercase()
            .starts_with("sts:assumerole")
    });
    if !allowed.is_empty() && sts_only && assumes {
        return Kind::Trust;
    }
    Kind::Resource(service_of(statements))
}

pub(crate) fn service_of(statements: &[Statement]) -> Svc {
    let mut counts = [0usize; 7];
    let table = [
        ("s3:", Svc::S3),
        ("kms:", Svc::Kms),
        ("sqs:", Svc::Sqs),
        ("sns:", Svc::Sns),
        ("secretsmanager:", Svc::Secrets),
        ("ecr:", Svc::Ecr),
        ("logs:", Svc::Logs),
    ];
    for s in statements {
        for a in s
            .actions()
            .chain(s.not_action.iter().flat_map(|f| f.items.iter()))
        {
            let l = a.s.to_ascii_lowercase();
            for (i, (p, _)) in table.iter().enumerate() {
                if l.starts_with(p) {
                    counts[i] += 1;
                }
            }
        }
        for r in s.resources() {
            if r.s.starts_with("arn:aws:s3:::") || r.s.contains(":s3:::") {
                counts[0] += 1;
            }
        }
    }
    let (i, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .unwrap_or((0, &0));
    if *n == 0 {
        Svc::Other
    } else {
        table[i].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_case_insensitively() {
        assert!(action_matches("s3:Get*", "s3:GetObject"));
        assert!(action_matches("*", "iam:PassRole"));
        assert!(action_matches("iam:Pass?ole", "iam:passrole"));
        assert!(!action_matches("s3:Put*", "s3:GetObject"));
        assert!(action_matches("s3:*Object", "s3:GetObject"));
    }

    #[test]
    fn scopes_tell_bucket_from_objects() {
        let b = Scope {
            bucket: true,
            objects: false,
        };
        let o = Scope {
            bucket: false,
            objects: true,
        };
        let both = Scope {
            bucket: true,
            objects: true,
        };
        assert_eq!(arn_scope("arn:aws:s3:::b"), b);
        assert_eq!(arn_scope("arn:aws:s3:::b/*"), o);
        assert_eq!(arn_scope("${B.Arn}"), b);
        assert_eq!(arn_scope("${B.Arn}/*"), o);
        assert_eq!(arn_scope("${aws_s3_bucket.b.arn}/*"), o);
        assert_eq!(arn_scope("arn:aws:s3:::${B}"), b);
        assert_eq!(arn_scope("arn:${AWS::Partition}:s3:::${B}/*"), o);
        assert_eq!(arn_scope("arn:aws:s3:::b*"), both);
        assert_eq!(arn_scope("*"), both);
    }

    #[test]
    fn ref_targets() {
        assert_eq!(ref_target("${B.Arn}/*").as_deref(), Some("B"));
        assert_eq!(
            ref_target("${aws_s3_bucket.b.id}").as_deref(),
            Some("aws_s3_bucket.b")
        );
        assert_eq!(
            ref_target("arn:${AWS::Partition}:s3:::${Bucket}").as_deref(),
            Some("Bucket")
        );
        assert_eq!(
            ref_target("${data.aws_iam_policy_document.d.json}").as_deref(),
            Some("data.aws_iam_policy_document.d")
        );
        assert_eq!(ref_target("plain"), None);
    }
}
