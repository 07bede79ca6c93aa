//! A supervisor's decision on a visit report (issue 5): who may do what to a report in
//! which state.
//! The server applies [`decide`] to every decision; the app uses it to show only the
//! actions that will be accepted.
//!
//! ```text
//!            submit                 approve
//!  Draft ─────────────▶ Submitted ─────────────▶ Approved (final)
//!                        │   │  ▲
//!              return    │   │  │ resubmit (a new revision; the old one is kept)
//!           (comment) ┌──┘   │  │
//!                     ▼      │  │
//!                  Returned ─┼──┘
//!                            │ reject (reason)
//!                            ▼
//!                         Rejected (final: it cannot be resubmitted, silently or not)
//! ```
//! `Resubmitted` behaves like `Submitted` for the supervisor (approve, return, reject).
//! Comments may be added in any state but `Draft` by the author or a reviewer, and change
//! nothing.

use crate::i18n::Msg;
use crate::primitives::{Millis, ReportStatus, Role};
use serde::{Deserialize, Serialize};

/// One step of a report's review thread: a decision, a resubmission or a comment. The
/// thread travels with the report, so a return and its comment reach the author's tablet.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewEvent {
    pub action: Action,
    pub by_id: String,
    #[serde(default)]
    pub by_name: String,
    pub at: Millis,
    /// The comment, or the reason of a rejection.
    #[serde(default)]
    pub text: String,
    /// The revision the event is about.
    pub revision: u32,
}

/// A decision or comment sent by a reviewer (or the author's comment).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRequest {
    pub action: Action,
    #[serde(default)]
    pub text: String,
}

crate::keyed_enum!(
    /// What someone does to a report.
    pub enum Action {
        Submit = "submit",
        Resubmit = "resubmit",
        Approve = "approve",
        Return = "return",
        Reject = "reject",
        Comment = "comment",
    }
);

/// Who acts: their role, and whether they wrote the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    pub is_author: bool,
}

/// Why a decision is refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionError {
    /// This role may never do this action.
    NotAllowed { action: Action, role: Role },
    /// Only the report's author submits or resubmits it.
    NotAuthor,
    /// The action does not apply to a report in this state.
    WrongState {
        action: Action,
        status: ReportStatus,
    },
    /// Returning needs a comment; rejecting needs a reason.
    TextRequired { action: Action },
}

impl DecisionError {
    pub fn message(&self) -> Msg {
        match self {
            DecisionError::NotAllowed { action, .. } => match action {
                Action::Approve | Action::Return | Action::Reject => Msg::new(
                    "Chỉ giám sát viên mới duyệt, trả lại hoặc từ chối phiếu.",
                    "Only supervisors approve, return or reject reports.",
                ),
                _ => Msg::new(
                    "Vai trò của bạn không được làm việc này.",
                    "Your role may not do this.",
                ),
            },
            DecisionError::NotAuthor => Msg::new(
                "Chỉ người viết phiếu mới gửi lại phiếu này.",
                "Only the report's author may submit it.",
            ),
            DecisionError::WrongState { action, status } => Msg::new(
                format!(
                    "Không thể {} phiếu đang ở trạng thái “{}”.",
                    action_vi(*action),
                    status_vi(*status)
                ),
                format!(
                    "A report that is {} cannot be {}.",
                    status_en(*status),
                    action_en(*action)
                ),
            ),
            DecisionError::TextRequired { action } => match action {
                Action::Reject => {
                    Msg::new("Hãy ghi lý do từ chối.", "Write the reason for rejecting.")
                }
                _ => Msg::new(
                    "Hãy ghi nhận xét: cán bộ cần biết phải sửa gì.",
                    "Write a comment: the officer needs to know what to fix.",
                ),
            },
        }
    }
}

fn action_vi(a: Action) -> &'static str {
    match a {
        Action::Submit => "gửi",
        Action::Resubmit => "gửi lại",
        Action::Approve => "duyệt",
        Action::Return => "trả lại",
        Action::Reject => "từ chối",
        Action::Comment => "bình luận",
    }
}

fn action_en(a: Action) -> &'static str {
    match a {
        Action::Submit => "submitted",
        Action::Resubmit => "resubmitted",
        Action::Approve => "approved",
        Action::Return => "returned",
        Action::Reject => "rejected",
        Action::Comment => "commented on",
    }
}

pub fn status_vi(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Draft => "Nháp",
        ReportStatus::Submitted => "Đã gửi",
        ReportStatus::Returned => "Trả lại để sửa",
        ReportStatus::Resubmitted => "Đã gửi lại",
        ReportStatus::Approved => "Đã duyệt",
        ReportStatus::Rejected => "Bị từ chối",
    }
}

pub fn status_en(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Draft => "a draft",
        ReportStatus::Submitted => "submitted",
        ReportStatus::Returned => "returned for correction",
        ReportStatus::Resubmitted => "resubmitted",
        ReportStatus::Approved => "approved",
        ReportStatus::Rejected => "rejected",
    }
}

fn is_reviewer(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Admin)
}

/// The state a report moves to when `actor` does `action` to it in state `status`, with
/// `text` (the comment or reason). `Comment` returns the same state.
pub fn decide(
    status: ReportStatus,
    action: Action,
    actor: Actor,
    text: &str,
) -> Result<ReportStatus, DecisionError> {
    use ReportStatus::*;
    let role_ok = match action {
        Action::Submit | Action::Resubmit => actor.role == Role::Officer,
        Action::Approve | Action::Return | Action::Reject => is_reviewer(actor.role),
        Action::Comment => is_reviewer(actor.role) || actor.is_author,
    };
    if !role_ok {
        return Err(
            if matches!(action, Action::Submit | Action::Resubmit | Action::Comment)
                && actor.role == Role::Officer
            {
                DecisionError::NotAuthor
            } else {
                DecisionError::NotAllowed {
                    action,
                    role: actor.role,
                }
            },
        );
    }
    if matches!(action, Action::Submit | Action::Resubmit) && !actor.is_author {
        return Err(DecisionError::NotAuthor);
    }
    let next = match (action, status) {
        (Action::Submit, Draft) => Submitted,
        (Action::Resubmit, Returned) => Resubmitted,
        (Action::Approve, Submitted | Resubmitted) => Approved,
        (Action::Return, Submitted | Resubmitted) => Returned,
        (Action::Reject, Submitted | Resubmitted) => Rejected,
        (Action::Comment, s) if s != Draft => s,
        _ => return Err(DecisionError::WrongState { action, status }),
    };
    if matches!(action, Action::Return | Action::Reject | Action::Comment) && text.trim().is_empty()
    {
        return Err(DecisionError::TextRequired { action });
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyed::Keyed;
    use ReportStatus::*;

    const OFFICER_AUTHOR: Actor = Actor {
        role: Role::Officer,
        is_author: true,
    };
    const OTHER_OFFICER: Actor = Actor {
        role: Role::Officer,
        is_author: false,
    };
    const SUPERVISOR: Actor = Actor {
        role: Role::Supervisor,
        is_author: false,
    };
    const ADMIN: Actor = Actor {
        role: Role::Admin,
        is_author: false,
    };

    /// Every allowed transition, written out by hand. Everything else is refused.
    fn allowed() -> Vec<(ReportStatus, Action, Actor, ReportStatus)> {
        let mut v = vec![
            (Draft, Action::Submit, OFFICER_AUTHOR, Submitted),
            (Returned, Action::Resubmit, OFFICER_AUTHOR, Resubmitted),
        ];
        for reviewer in [SUPERVISOR, ADMIN] {
            for from in [Submitted, Resubmitted] {
                v.push((from, Action::Approve, reviewer, Approved));
                v.push((from, Action::Return, reviewer, Returned));
                v.push((from, Action::Reject, reviewer, Rejected));
            }
        }
        for s in [Submitted, Returned, Resubmitted, Approved, Rejected] {
            for who in [OFFICER_AUTHOR, SUPERVISOR, ADMIN] {
                v.push((s, Action::Comment, who, s));
            }
        }
        v
    }

    #[test]
    fn every_allowed_and_every_refused_transition() {
        let actors = [
            OFFICER_AUTHOR,
            OTHER_OFFICER,
            SUPERVISOR,
            ADMIN,
            Actor {
                role: Role::Supervisor,
                is_author: true,
            },
        ];
        let allowed = allowed();
        let mut checked = 0;
        for &status in ReportStatus::VALUES {
            for &action in Action::VALUES {
                for actor in actors {
                    let got = decide(status, action, actor, "Thiếu số liệu doanh thu");
                    // A supervisor who is (oddly) the author is still a supervisor.
                    let as_listed = Actor {
                        is_author: actor.is_author && actor.role == Role::Officer,
                        ..actor
                    };
                    let want = allowed
                        .iter()
                        .find(|(s, a, who, _)| *s == status && *a == action && *who == as_listed)
                        .map(|t| t.3);
                    match want {
                        Some(next) => {
                            assert_eq!(got, Ok(next), "{status:?} {action:?} by {actor:?}")
                        }
                        None => assert!(
                            got.is_err(),
                            "{status:?} {action:?} by {actor:?} must be refused, got {got:?}"
                        ),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 6 * 6 * 5);
    }

    #[test]
    fn the_cases_the_issue_names() {
        // Nobody approves a draft.
        for who in [SUPERVISOR, ADMIN, OFFICER_AUTHOR] {
            assert!(decide(Draft, Action::Approve, who, "").is_err());
        }
        // An officer approves nothing.
        for s in [Submitted, Resubmitted] {
            assert_eq!(
                decide(s, Action::Approve, OFFICER_AUTHOR, ""),
                Err(DecisionError::NotAllowed {
                    action: Action::Approve,
                    role: Role::Officer
                })
            );
        }
        // A rejected report cannot be resubmitted (nor submitted again).
        assert!(matches!(
            decide(Rejected, Action::Resubmit, OFFICER_AUTHOR, ""),
            Err(DecisionError::WrongState { .. })
        ));
        assert!(matches!(
            decide(Rejected, Action::Submit, OFFICER_AUTHOR, ""),
            Err(DecisionError::WrongState { .. })
        ));
        // Returning needs a comment; rejecting a reason; both say so in Vietnamese.
        let e = decide(Submitted, Action::Return, SUPERVISOR, "  ").unwrap_err();
        assert_eq!(
            e,
            DecisionError::TextRequired {
                action: Action::Return
            }
        );
        assert!(e.message().vi.contains("nhận xét"));
        assert!(decide(Submitted, Action::Reject, SUPERVISOR, "")
            .unwrap_err()
            .message()
            .vi
            .contains("lý do"));
        // Only the author resubmits.
        assert_eq!(
            decide(Returned, Action::Resubmit, OTHER_OFFICER, ""),
            Err(DecisionError::NotAuthor)
        );
        // Messages name the state.
        let m = decide(Approved, Action::Return, SUPERVISOR, "x")
            .unwrap_err()
            .message();
        assert!(
            m.vi.contains("Đã duyệt") && m.en.contains("approved"),
            "{m:?}"
        );
    }
}
