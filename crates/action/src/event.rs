//! The event that triggered the workflow → what to scan, before looking at the repository.
//!
//! `pull_request` / `pull_request_target`: `base.sha..head.sha`. `push`: `before..after`, or, when
//! `before` is all zeros (a new branch), the commits not on the default branch. `merge_group`:
//! `base_sha..head_sha`. `workflow_dispatch`, `schedule` and anything else: the whole history.
//! The `scan` input overrides all of this with `history` or `tree`.

use crate::env::Mode;
use anyhow::{anyhow, Result};
use serde_json::Value;

/// What to scan, as the event describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The commits reachable from `head` and not from `base`.
    Range {
        base: String,
        head: String,
        /// A forced push: `base` may be gone; if so, fall back to the new-branch rule.
        forced: bool,
        branch: Option<String>,
        default_branch: Option<String>,
    },
    /// A push that created `branch` at `head`.
    NewBranch {
        head: String,
        branch: Option<String>,
        default_branch: Option<String>,
    },
    /// A push that deleted a branch: nothing was added.
    Deleted { branch: Option<String> },
    /// Every commit of every ref.
    History,
    /// The checked-out files.
    Tree,
}

/// A target and the words for what triggered it (`pull request #7`, `push to main`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub target: Target,
    pub label: String,
    /// Why the target is not what `scan: changes` usually means (logged), if so.
    pub note: Option<String>,
}

/// Decide what to scan from the event name, the event payload (`Value::Null` when there is no
/// event file) and the `scan` input.
pub fn plan(event_name: &str, event: &Value, mode: Mode) -> Result<Plan> {
    let label = label(event_name, event);
    let plain = |target| Plan {
        target,
        label: label.clone(),
        note: None,
    };
    match mode {
        Mode::History => return Ok(plain(Target::History)),
        Mode::Tree => return Ok(plain(Target::Tree)),
        Mode::Changes => {}
    }
    let default_branch = str_at(event, "/repository/default_branch");
    let target = match event_name {
        "pull_request" | "pull_request_target" => Target::Range {
            base: sha_at(event, event_name, "/pull_request/base/sha")?,
            head: sha_at(event, event_name, "/pull_request/head/sha")?,
            forced: false,
            branch: None,
            default_branch,
        },
        "merge_group" => Target::Range {
            base: sha_at(event, event_name, "/merge_group/base_sha")?,
            head: sha_at(event, event_name, "/merge_group/head_sha")?,
            forced: false,
            branch: None,
            default_branch,
        },
        "push" => {
            let before = sha_at(event, event_name, "/before")?;
            let after = sha_at(event, event_name, "/after")?;
            let branch = branch_name(event);
            if is_zero(&after) || event.pointer("/deleted") == Some(&Value::Bool(true)) {
                Target::Deleted { branch }
            } else if is_zero(&before) || event.pointer("/created") == Some(&Value::Bool(true)) {
                Target::NewBranch {
                    head: after,
                    branch,
                    default_branch,
                }
            } else {
                Target::Range {
                    base: before,
                    head: after,
                    forced: event.pointer("/forced") == Some(&Value::Bool(true)),
                    branch,
                    default_branch,
                }
            }
        }
        "workflow_dispatch" | "schedule" => Target::History,
        other => {
            return Ok(Plan {
                target: Target::History,
                label,
                note: Some(format!(
                    "the `{other}` event names no change, so the whole history is scanned \
                     (set `scan: tree` to scan the checked-out files instead)"
                )),
            })
        }
    };
    Ok(plain(target))
}

/// `pull request #7`, `push to main`, `merge group`, `workflow_dispatch`.
fn label(event_name: &str, event: &Value) -> String {
    match event_name {
        "pull_request" | "pull_request_target" => {
            match event
                .pointer("/pull_request/number")
                .or_else(|| event.pointer("/number"))
                .and_then(Value::as_u64)
            {
                Some(n) => format!("pull request #{n}"),
                None => "the pull request".to_string(),
            }
        }
        "push" => match branch_name(event) {
            Some(b) => format!("push to {b}"),
            None => "push".to_string(),
        },
        "merge_group" => "merge group".to_string(),
        other => other.to_string(),
    }
}

/// The pushed branch or tag, without `refs/heads/`.
fn branch_name(event: &Value) -> Option<String> {
    let r = str_at(event, "/ref")?;
    Some(r.strip_prefix("refs/heads/").unwrap_or(&r).to_string())
}

fn str_at(event: &Value, pointer: &str) -> Option<String> {
    event
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

/// A commit id from the event, checked to be hex: it goes into a revision range.
fn sha_at(event: &Value, event_name: &str, pointer: &str) -> Result<String> {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    let s = str_at(event, pointer).ok_or_else(|| {
        anyhow!("the `{event_name}` event has no `{field}` (is GITHUB_EVENT_PATH the event file?)")
    })?;
    if s.len() < 7 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(anyhow!(
            "the `{event_name}` event's `{field}` is not a commit id: `{}`",
            s.escape_debug()
        ));
    }
    Ok(s)
}

/// `0000…` (40 or 64 zeros) stands for "no commit" in push events.
pub fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn pull_request_is_base_to_head() {
        let e = json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": A}, "head": {"sha": B}},
                       "repository": {"default_branch": "main"}});
        let p = plan("pull_request", &e, Mode::Changes).unwrap();
        assert_eq!(p.label, "pull request #7");
        assert_eq!(
            p.target,
            Target::Range {
                base: A.into(),
                head: B.into(),
                forced: false,
                branch: None,
                default_branch: Some("main".into())
            }
        );
        let p = plan("pull_request_target", &e, Mode::Tree).unwrap();
        assert_eq!(p.target, Target::Tree);
    }

    #[test]
    fn push_new_branch_deleted_and_forced() {
        let e = json!({"ref": "refs/heads/feat", "before": Z, "after": B, "created": true,
                       "repository": {"default_branch": "main"}});
        let p = plan("push", &e, Mode::Changes).unwrap();
        assert_eq!(p.label, "push to feat");
        assert_eq!(
            p.target,
            Target::NewBranch {
                head: B.into(),
                branch: Some("feat".into()),
                default_branch: Some("main".into())
            }
        );
        let e = json!({"ref": "refs/heads/feat", "before": A, "after": Z, "deleted": true});
        assert!(matches!(
            plan("push", &e, Mode::Changes).unwrap().target,
            Target::Deleted { .. }
        ));
        let e = json!({"ref": "refs/heads/feat", "before": A, "after": B, "forced": true});
        assert!(matches!(
            plan("push", &e, Mode::Changes).unwrap().target,
            Target::Range { forced: true, .. }
        ));
    }

    #[test]
    fn events_without_a_change_scan_history() {
        assert_eq!(
            plan("schedule", &Value::Null, Mode::Changes)
                .unwrap()
                .target,
            Target::History
        );
        let p = plan("release", &Value::Null, Mode::Changes).unwrap();
        assert_eq!(p.target, Target::History);
        assert!(p.note.unwrap().contains("`release` event names no change"));
    }

    #[test]
    fn missing_or_bad_shas_are_errors() {
        let e = plan("pull_request", &json!({"pull_request": {}}), Mode::Changes).unwrap_err();
        assert!(e.to_string().contains("no `pull_request.base.sha`"), "{e}");
        let e = json!({"before": "HEAD~3; rm -rf", "after": B});
        let e = plan("push", &e, Mode::Changes).unwrap_err();
        assert!(e.to_string().contains("is not a commit id"), "{e}");
    }
}
