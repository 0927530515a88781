//! The checks: one file each, one line each in the registry below.
//!
//! A check reads a [`Doc`] and reports hits through [`Out`] with the span of the node it blames
//! and a symbolic anchor; it never counts lines.

use super::doc::Doc;
use super::node::Span;
use super::{CheckInfo, PolicyHit, Region};

/// Everything a check file needs.
pub(crate) mod prelude {
    pub(crate) use super::super::doc::{Doc, Format};
    pub(crate) use super::super::model::{
        action_matches, arn_scope, Cond, Kind, Statement, Svc, Val,
    };
    pub(crate) use super::super::node::{Node, Span};
    pub(crate) use super::super::semantics::*;
    pub(crate) use super::super::CheckInfo;
    pub(crate) use super::{Check, Out};
    pub(crate) use crate::finding::Severity;
}

pub(crate) trait Check: Sync {
    fn info(&self) -> &'static CheckInfo;
    fn run(&self, doc: &Doc, out: &mut Out);
}

/// Where a check reports.
pub(crate) struct Out<'a> {
    pub(crate) id: &'static str,
    pub(crate) hits: &'a mut Vec<PolicyHit>,
    /// The secret engine's judgement on a literal value (see [`super::Secrets`]).
    pub(crate) secrets: super::Secrets<'a>,
}

impl Out<'_> {
    /// Whether the secret engine recognises a secret in `value`.
    pub(crate) fn recognises(&self, value: &str) -> bool {
        (self.secrets)(value)
    }

    /// A hit whose node `value` is a literal secret: its span is redacted wherever the line is
    /// shown.
    pub(crate) fn secret_hit(
        &mut self,
        span: Span,
        value: Span,
        anchor: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.hit(span, anchor, message);
        if let Some(h) = self.hits.last_mut() {
            h.secret = Some(Region {
                line: value.line as usize,
                column: value.col as usize,
                end_line: value.end_line as usize,
                end_column: value.end_col as usize,
            });
        }
    }

    pub(crate) fn hit(
        &mut self,
        span: Span,
        anchor: impl Into<String>,
        message: impl Into<String>,
    ) {
        let line = span.line.max(1) as usize;
        let column = span.col.max(1) as usize;
        self.hits.push(PolicyHit {
            check_id: self.id,
            line,
            column,
            end_line: (span.end_line as usize).max(line),
            end_column: if span.end_line as usize > line {
                span.end_col.max(1) as usize
            } else {
                (span.end_col as usize).max(column)
            },
            message: message.into(),
            anchor: anchor.into(),
            secret: None,
        });
    }
}

macro_rules! registry {
    ($($m:ident :: $s:ident),* $(,)?) => {
        $(mod $m;)*
        /// Every check, in id order.
        pub(crate) static CHECKS: &[&dyn Check] = &[$(&$m::$s),*];
    };
}

registry! {
    authn_001::Authn001,
    authn_002::Authn002,
    authn_003::Authn003,
    authn_004::Authn004,
    authn_005::Authn005,
    authn_006::Authn006,
    authn_007::Authn007,
    authn_008::Authn008,
    authn_009::Authn009,
    authz_001::Authz001,
    authz_002::Authz002,
    authz_003::Authz003,
    authz_004::Authz004,
    authz_005::Authz005,
    authz_006::Authz006,
    authz_007::Authz007,
    authz_008::Authz008,
    authz_009::Authz009,
    authz_010::Authz010,
    authz_011::Authz011,
    authz_012::Authz012,
    authz_013::Authz013,
    rbp_001::Rbp001,
    rbp_002::Rbp002,
    rbp_003::Rbp003,
    rbp_004::Rbp004,
    rbp_005::Rbp005,
    rbp_006::Rbp006,
    rbp_007::Rbp007,
    rbp_008::Rbp008,
    enc_001::Enc001,
    enc_002::Enc002,
    enc_003::Enc003,
    enc_004::Enc004,
    enc_005::Enc005,
    enc_006::Enc006,
    enc_007::Enc007,
    enc_008::Enc008,
    enc_009::Enc009,
    tls_001::Tls001,
    tls_002::Tls002,
    tls_003::Tls003,
    sec_001::Sec001,
    sec_002::Sec002,
    sec_003::Sec003,
    sec_004::Sec004,
    sec_005::Sec005,
    sec_006::Sec006,
    sec_007::Sec007,
    cicd_001::Cicd001,
}

/// Run every check (or only `only`) over one document.
pub(crate) fn run(
    doc: &Doc,
    only: Option<&str>,
    secrets: super::Secrets<'_>,
    hits: &mut Vec<PolicyHit>,
) {
    for c in CHECKS {
        let info = c.info();
        if only.is_some_and(|o| o != info.id) {
            continue;
        }
        let mut out = Out {
            id: info.id,
            hits,
            secrets,
        };
        c.run(doc, &mut out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::iam::table;
    use super::{authz_008, authz_009, authz_010, rbp_005};

    #[test]
    fn curated_action_lists_name_real_actions() {
        let t = table();
        let lists: Vec<&str> = authz_008::PATHS
            .iter()
            .flat_map(|p| p.iter().copied())
            .chain(authz_009::ACTIONS.iter().copied())
            .chain(authz_010::ACTIONS.iter().copied())
            .chain(rbp_005::DESTRUCTIVE.iter().copied())
            .collect();
        let unknown: Vec<&&str> = lists.iter().filter(|a| t.get(a).is_none()).collect();
        assert!(unknown.is_empty(), "not in the IAM table: {unknown:?}");
    }
}
