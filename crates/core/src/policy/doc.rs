//! A parsed file as the checks see it: its format, its root node, its template resources (one
//! shape for CloudFormation and Terraform) and every policy document found in it, linked to the
//! resource it governs.

use super::model::{self, Kind, Policy, Svc};
use super::node::{Key, Node, Span, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A raw policy document (identity, resource or trust).
    Json,
    /// CloudFormation, JSON or YAML.
    Cfn,
    /// Terraform HCL.
    Tf,
    /// CodeBuild buildspec.
    Buildspec,
    /// GitHub Actions workflow.
    Workflow,
}

/// A template resource. CloudFormation: `rtype` `AWS::S3::Bucket`, `props` its `Properties`.
/// Terraform: `rtype` `aws_s3_bucket` (data sources `data.aws_...`, providers `provider.aws`, the
/// `terraform` block as `terraform`), `props` its body.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub rtype: String,
    pub name: String,
    pub props: Node,
    pub span: Span,
    pub anchor: String,
}

impl Resource {
    /// Anchor of a property: `Resources.B.Properties.X` / `aws_s3_bucket.b.x`.
    pub fn prop_anchor(&self, path: &str) -> String {
        if self.anchor.starts_with("Resources.") {
            format!("{}.Properties.{path}", self.anchor)
        } else {
            format!("{}.{path}", self.anchor)
        }
    }

    /// The id other resources use to refer to this one: the logical id, or `type.name`.
    pub fn id(&self) -> String {
        if self.anchor.starts_with("Resources.") {
            self.name.clone()
        } else {
            self.anchor.clone()
        }
    }

    /// Span of a property's key, else of the resource.
    pub fn key_span(&self, key: &str) -> Span {
        self.props
            .entry(key)
            .map(|(k, _)| k.span)
            .unwrap_or(self.span)
    }
}

#[derive(Debug)]
pub(crate) struct Doc {
    pub format: Format,
    pub root: Node,
    pub resources: Vec<Resource>,
    pub policies: Vec<Policy>,
    /// CloudFormation `Parameters`.
    pub params: Vec<(Key, Node)>,
}

impl Doc {
    pub fn of_type<'a>(&'a self, t: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| r.rtype == t)
    }
}

/// A raw policy document (`{"Statement": ...}`).
pub(crate) fn raw_policy(root: Node, diags: &mut Vec<String>) -> Doc {
    let mut policies = Vec::new();
    match model::policy_from_node(&root, None, "Policy", None, None, &[]) {
        Ok(Some(p)) => policies.push(p),
        Ok(None) => {}
        Err(e) => diags.push(e),
    }
    Doc {
        format: Format::Json,
        root,
        resources: Vec::new(),
        policies,
        params: Vec::new(),
    }
}

/// Which properties of a CloudFormation resource type hold policy documents.
fn cfn_policy_props(rtype: &str) -> &'static [(&'static str, Option<Kind>)] {
    match rtype {
        "AWS::IAM::Role" => &[
            ("AssumeRolePolicyDocument", Some(Kind::Trust)),
            ("Policies", Some(Kind::Identity)),
        ],
        "AWS::IAM::User" | "AWS::IAM::Group" | "AWS::Serverless::Function" => {
            &[("Policies", Some(Kind::Identity))]
        }
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => &[("PolicyDocument", Some(Kind::Identity))],
        "AWS::S3::BucketPolicy" => &[("PolicyDocument", Some(Kind::Resource(Svc::S3)))],
        "AWS::KMS::Key" => &[("KeyPolicy", Some(Kind::Resource(Svc::Kms)))],
        "AWS::SQS::QueuePolicy" => &[("PolicyDocument", Some(Kind::Resource(Svc::Sqs)))],
        "AWS::SNS::TopicPolicy" => &[("PolicyDocument", Some(Kind::Resource(Svc::Sns)))],
        "AWS::SecretsManager::ResourcePolicy" => {
            &[("ResourcePolicy", Some(Kind::Resource(Svc::Secrets)))]
        }
        "AWS::ECR::Repository" => &[("RepositoryPolicyText", Some(Kind::Resource(Svc::Ecr)))],
        "AWS::Logs::ResourcePolicy" => &[("PolicyDocument", Some(Kind::Resource(Svc::Logs)))],
        _ => &[],
    }
}

/// A CloudFormation template. Resources' properties and the parameters move out of `root`
/// (a large template is not held twice); the checks read them from `resources` and `params`.
pub(crate) fn cfn(mut root: Node, src_lines: &[&str], diags: &mut Vec<String>) -> Doc {
    let mut resources = Vec::new();
    if let Some(Value::Map(m)) = root.get_mut("Resources").map(|r| &mut r.v) {
        for (k, v) in m {
            let Some(rtype) = v.get("Type").and_then(|t| t.text()) else {
                continue;
            };
            let rtype = rtype.into_owned();
            let props = v
                .get_mut("Properties")
                .map(|p| std::mem::replace(p, Node::null().clone()));
            resources.push(Resource {
                rtype,
                name: k.name.clone(),
                props: props.unwrap_or_else(|| Node::null().clone()),
                span: k.span,
                anchor: format!("Resources.{}", k.name),
            });
        }
    }
    let mut policies = Vec::new();
    for r in &resources {
        for (prop, kind) in cfn_policy_props(&r.rtype) {
            let Some(n) = r.props.get(prop) else { continue };
            let target = match r.rtype.as_str() {
                "AWS::S3::BucketPolicy" => r
                    .props
                    .get("Bucket")
                    .and_then(|b| b.text())
                    .and_then(|t| model::ref_target(&t).or_else(|| Some(t.into_owned()))),
                "AWS::KMS::Key" | "AWS::ECR::Repository" => Some(r.name.clone()),
                _ => None,
            };
            if *prop == "Policies" {
                for (i, p) in n.items().into_iter().enumerate() {
                    // SAM functions list policy documents directly.
                    if p.get_ci("Statement").is_some() {
                        let anchor = r.prop_anchor(&format!("Policies[{i}]"));
                        push_policy(&mut policies, diags, p, *kind, &anchor, r, None, src_lines);
                    } else if let Some(doc) = p.get("PolicyDocument") {
                        let anchor = r.prop_anchor(&format!("Policies[{i}].PolicyDocument"));
                        push_policy(
                            &mut policies,
                            diags,
                            doc,
                            *kind,
                            &anchor,
                            r,
                            target.clone(),
                            src_lines,
                        );
                    }
                }
            } else {
                let anchor = r.prop_anchor(prop);
                push_policy(
                    &mut policies,
                    diags,
                    n,
                    *kind,
                    &anchor,
                    r,
                    target,
                    src_lines,
                );
            }
        }
    }
    let params = match root.get_mut("Parameters").map(|p| &mut p.v) {
        Some(Value::Map(m)) => std::mem::take(m),
        _ => Vec::new(),
    };
    Doc {
        format: Format::Cfn,
        root,
        resources,
        policies,
        params,
    }
}

#[allow(clippy::too_many_arguments)]
fn push_policy(
    out: &mut Vec<Policy>,
    diags: &mut Vec<String>,
    n: &Node,
    kind: Option<Kind>,
    anchor: &str,
    r: &Resource,
    target: Option<String>,
    lines: &[&str],
) {
    match model::policy_from_node(n, kind, anchor, Some(r.anchor.clone()), target, lines) {
        Ok(Some(p)) => out.push(p),
        Ok(None) => {}
        Err(e) => diags.push(e),
    }
}

/// Which attributes of a Terraform resource type hold policy documents.
fn tf_policy_attrs(rtype: &str) -> &'static [(&'static str, Option<Kind>)] {
    match rtype {
        "aws_iam_policy"
        | "aws_iam_role_policy"
        | "aws_iam_user_policy"
        | "aws_iam_group_policy" => &[("policy", Some(Kind::Identity))],
        "aws_iam_role" => &[
            ("assume_role_policy", Some(Kind::Trust)),
            ("inline_policy", Some(Kind::Identity)),
        ],
        "aws_s3_bucket_policy" | "aws_s3_bucket" => &[("policy", Some(Kind::Resource(Svc::S3)))],
        "aws_kms_key" => &[("policy", Some(Kind::Resource(Svc::Kms)))],
        "aws_sqs_queue_policy" | "aws_sqs_queue" => &[("policy", Some(Kind::Resource(Svc::Sqs)))],
        "aws_sns_topic_policy" | "aws_sns_topic" => &[("policy", Some(Kind::Resource(Svc::Sns)))],
        "aws_secretsmanager_secret_policy" | "aws_secretsmanager_secret" => {
            &[("policy", Some(Kind::Resource(Svc::Secrets)))]
        }
        "aws_ecr_repository_policy" => &[("policy", Some(Kind::Resource(Svc::Ecr)))],
        "aws_cloudwatch_log_resource_policy" => {
            &[("policy_document", Some(Kind::Resource(Svc::Logs)))]
        }
        _ => &[],
    }
}

pub(crate) fn tf(
    blocks: Vec<super::hcl::TfBlock>,
    src_lines: &[&str],
    diags: &mut Vec<String>,
) -> Doc {
    let mut resources = Vec::new();
    for b in blocks {
        let (rtype, name) = match (b.kind.as_str(), b.labels.as_slice()) {
            ("resource", [t, n, ..]) => (t.clone(), n.clone()),
            ("data", [t, n, ..]) => (format!("data.{t}"), n.clone()),
            ("provider", [t, ..]) => (format!("provider.{t}"), String::new()),
            ("terraform", _) => ("terraform".to_string(), String::new()),
            _ => continue,
        };
        let anchor = match b.kind.as_str() {
            "provider" | "terraform" => rtype.clone(),
            _ => format!("{rtype}.{name}"),
        };
        resources.push(Resource {
            rtype,
            name,
            props: b.body,
            span: b.span,
            anchor,
        });
    }
    // Policy documents in attributes; references to data documents are resolved below.
    let mut policies = Vec::new();
    let mut data_uses: Vec<(String, Kind, Option<String>)> = Vec::new();
    for r in &resources {
        for (attr, kind) in tf_policy_attrs(&r.rtype) {
            let Some(n) = r.props.get(attr) else { continue };
            let target = match r.rtype.as_str() {
                "aws_s3_bucket_policy" => r
                    .props
                    .get("bucket")
                    .and_then(|b| b.text())
                    .and_then(|t| model::ref_target(&t).or_else(|| Some(t.into_owned()))),
                "aws_s3_bucket" | "aws_kms_key" => Some(r.anchor.clone()),
                _ => None,
            };
            let nodes: Vec<(&Node, String)> = if *attr == "inline_policy" {
                n.items()
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, b)| {
                        Some((b.get("policy")?, format!("inline_policy[{i}].policy")))
                    })
                    .collect()
            } else {
                vec![(n, attr.to_string())]
            };
            for (n, path) in nodes {
                if let Some(t) = n
                    .text()
                    .filter(|t| t.contains("data.aws_iam_policy_document."))
                {
                    if let (Some(d), Some(k)) = (model::ref_target(&t), kind) {
                        data_uses.push((d, *k, target.clone()));
                    }
                    continue;
                }
                push_policy(
                    &mut policies,
                    diags,
                    n,
                    *kind,
                    &r.prop_anchor(&path),
                    r,
                    target.clone(),
                    src_lines,
                );
            }
        }
    }
    for r in resources
        .iter()
        .filter(|r| r.rtype == "data.aws_iam_policy_document")
    {
        let id = format!("data.aws_iam_policy_document.{}", r.name);
        let usage = data_uses.iter().find(|(d, _, _)| *d == id);
        let p = model::policy_from_tf_data(
            &r.props,
            usage.map(|u| u.1),
            &r.anchor,
            r.span,
            usage.and_then(|u| u.2.clone()),
        );
        policies.push(p);
    }
    Doc {
        format: Format::Tf,
        root: Node::new(Value::Null, Span::default()),
        resources,
        policies,
        params: Vec::new(),
    }
}

pub(crate) fn plain(format: Format, root: Node) -> Doc {
    Doc {
        format,
        root,
        resources: Vec::new(),
        policies: Vec::new(),
        params: Vec::new(),
    }
}
