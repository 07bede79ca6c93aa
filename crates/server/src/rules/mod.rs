//! The rules: what each record may become and who may do it, between the HTTP edge
//! ([`crate::http`]) and the storage ([`crate::storage`]). No HTTP types and no SQL here.
//!
//! A pushed mutation is applied by [`apply`], which hands it to its record's module:
//! [`visits`] (a new report), [`decisions`] (a supervisor's decisions and comments on a report, a resubmitted revision),
//! [`cooperatives`] (registration, profile edits merged field by field), [`conflicts`]
//! (a conflict's resolution). Each returns [`Applied`]: `Ok`, a [`Refusal`] the tablet
//! shows (the mutation can never apply; the ones after it still do), or a failure of
//! the server (the whole push is retried).
//!
//! Fields only the server decides (issue 14): a stored record is built field by field
//! from what the officer may write plus what the server sets (author, names, area path,
//! status, revision, review thread, times, versions), never by copying the tablet's
//! record and patching it, so a field added later is a compile error until someone
//! decides who owns it.

pub mod accounts;
pub mod areas;
pub mod assignments;
pub mod audit;
pub mod conflicts;
pub mod cooperatives;
pub mod decisions;
pub mod duplicates;
pub mod moves;
pub mod photos;
pub mod reference;
pub mod registry;
pub mod reorg;
pub mod six_month;
pub mod users;
pub mod visits;

use crate::error::ApiError;
use crate::storage::WriteTx;
use hoptac_core::error::ErrorCode;
use hoptac_core::i18n::{Lang, Msg};
use hoptac_core::model::UserInfo;
use hoptac_core::sync::{Mutation, MutationOp};
use hoptac_core::validate::FieldError;

/// A tablet's clock may run ahead of the server's: dates up to a day later are accepted.
pub const CLOCK_SLACK_MS: i64 = 86_400_000;

/// Why a mutation can never apply, as the officer reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: Msg,
    /// The fields concerned, each with its own message (validation refusals).
    pub fields: Vec<FieldError>,
}

/// What stops a mutation: a refusal of this mutation alone, or a failure of the server.
#[derive(Debug)]
pub enum ApplyError {
    Refused(Refusal),
    Failed(ApiError),
}

/// The outcome of applying one mutation.
pub type Applied = Result<(), ApplyError>;

impl From<ApiError> for ApplyError {
    fn from(e: ApiError) -> Self {
        ApplyError::Failed(e)
    }
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        ApplyError::Failed(e.into())
    }
}

impl From<serde_json::Error> for ApplyError {
    fn from(e: serde_json::Error) -> Self {
        ApplyError::Failed(e.into())
    }
}

/// A refusal with a code and a message in both languages.
pub fn refuse(code: ErrorCode, vi: impl Into<String>, en: impl Into<String>) -> ApplyError {
    ApplyError::Refused(Refusal {
        code,
        message: Msg::new(vi, en),
        fields: Vec::new(),
    })
}

/// A refusal for a record that fails the shared validation: every message, both
/// languages, and each field's own.
pub fn invalid(errors: Vec<FieldError>) -> ApplyError {
    let join = |lang: Lang| {
        errors
            .iter()
            .map(|e| e.message.get(lang))
            .collect::<Vec<_>>()
            .join(" ")
    };
    ApplyError::Refused(Refusal {
        code: ErrorCode::Invalid,
        message: Msg::new(join(Lang::Vi), join(Lang::En)),
        fields: errors,
    })
}

/// How a user stands towards an area they write in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// They cover it now.
    Covers,
    /// They covered it until this time (Unix ms), less than a session's lifetime ago:
    /// work written then and sent now is accepted (issue 13), and marked.
    Covered { until: hoptac_core::model::Millis },
}

/// Whether `user` may write in the area at `area_path` work written at `written_at` (ms):
/// they cover it now, or the work was written before they stopped covering it, less than
/// a session's lifetime ([`accounts::SESSION_TTL_MS`]) ago (their tablet may still hold
/// it). None: never, too long ago, or written after.
pub async fn standing(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    area_path: &str,
    written_at: hoptac_core::model::Millis,
) -> Result<Option<Standing>, ApplyError> {
    if hoptac_core::model::in_scope(area_path, &user.scopes) {
        return Ok(Some(Standing::Covers));
    }
    let since = crate::storage::now_ms() - accounts::SESSION_TTL_MS;
    Ok(
        crate::storage::users::left_area_since(tx, &user.id, area_path, since)
            .await?
            // Only work written while they still covered it (the mutation's time, by the
            // tablet's clock corrected by the server's).
            .filter(|until| written_at <= *until)
            .map(|until| Standing::Covered { until }),
    )
}

/// [`standing`] for work on cooperative `cooperative_id`, now at `area_path`: where the
/// user does not stand there, judged where the cooperative was when the work was written,
/// if a reorganisation applied since moved it (a commune merged into another district's:
/// the officer of the old district wrote it offline before, issue 16): accepted only
/// within a session's lifetime of that reorganisation (a tablet's clock set back opens
/// nothing older), and marked as written before the move (`Covered`).
pub async fn standing_for(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    cooperative_id: &str,
    area_path: &str,
    written_at: hoptac_core::model::Millis,
) -> Result<Option<Standing>, ApplyError> {
    if let Some(s) = standing(tx, user, area_path, written_at).await? {
        return Ok(Some(s));
    }
    let since = crate::storage::now_ms() - accounts::SESSION_TTL_MS;
    match crate::storage::reorg::path_when_written(tx, cooperative_id, written_at).await? {
        Some((then, applied_at)) if then != area_path && applied_at >= since => {
            Ok(standing(tx, user, &then, written_at)
                .await?
                .map(|_| Standing::Covered { until: applied_at }))
        }
        _ => Ok(None),
    }
}

/// A record outside the user's areas is refused as one that does not exist there: the
/// answer does not tell other districts' records exist.
pub(crate) fn outside_scope() -> ApplyError {
    refuse(
        ErrorCode::NotFound,
        "Không tìm thấy hợp tác xã này trong địa bàn được phân công.",
        "This cooperative is not in your assigned areas.",
    )
}

/// Applies one pushed mutation from `client_id` by `user`, inside the push's transaction.
pub async fn apply(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    m: &Mutation,
) -> Applied {
    match &m.op {
        MutationOp::SubmitVisit(v) => visits::submit(tx, user, client_id, m.created_at, v).await,
        MutationOp::ResubmitVisit(v) => {
            decisions::resubmit(tx, user, client_id, m.created_at, v).await
        }
        MutationOp::RegisterCooperative(c) => {
            cooperatives::register(tx, user, client_id, m.created_at, c).await
        }
        MutationOp::UpdateCooperative { base, record } => {
            cooperatives::update(tx, user, client_id, m.id, m.created_at, base, record).await
        }
        MutationOp::ResolveConflict {
            conflict_id,
            choice,
        } => conflicts::resolve(tx, user, client_id, m.created_at, conflict_id, *choice).await,
    }
}
