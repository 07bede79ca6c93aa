//! The sync protocol (after Replicache's push/pull):
//!
//! - Every installation has a random `client_id`. Each local write appends a [`Mutation`]
//!   with the next sequential id of that client to the outbox, in the same IndexedDB
//!   transaction as the record itself.
//! - **Push** sends the outbox in order, in batches of at most [`MAX_PUSH_BATCH`]. The server
//!   skips ids it already applied (a retried push is harmless), refuses a gap
//!   ([`plan_push`]), applies the rest and stores the client's last applied id in the same
//!   database transaction. A mutation that can never apply (invalid, out of scope) is
//!   recorded as rejected with a reason and does not block the ones after it.
//! - **Pull** sends a cursor and gets, in pages, the current state of every record in the
//!   user's scope whose sequence number is above the cursor, plus the client's last applied
//!   mutation id so the outbox can drop what the server already has. Sequence numbers are
//!   assigned in commit order (see the server's storage module), so a pull never skips a
//!   row that commits late.

use crate::error::ErrorCode;
use crate::i18n::Msg;
use crate::merge::{Choice, Conflict};
use crate::model::{Area, Cooperative, Millis, VisitReport};
use serde::{Deserialize, Serialize};

/// Largest mutation id (JavaScript numbers are exact up to 2^53 - 1).
pub const MAX_MUTATION_ID: u64 = (1 << 53) - 1;
/// Most mutations in one push request.
pub const MAX_PUSH_BATCH: usize = 100;
/// Largest request body the server accepts, in bytes (4 MiB). Every valid mutation is far
/// smaller (the text limits of [`crate::limits`]); one that is not is sent alone and
/// refused alone by validation.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The tablet fills a push up to this many bytes of mutations (1 MiB), and sends a larger
/// mutation alone: one bad mutation never makes a whole batch too large.
pub const PUSH_BATCH_BYTES: usize = 1024 * 1024;
/// Response header: the server's clock when it answered, in ms since the epoch. The app
/// corrects the dates it fills in by default, and says when the tablet's clock is off.
pub const SERVER_TIME_HEADER: &str = "x-server-time";
/// Response header: the server's identity, which changes when its database is restored
/// from a backup; a tablet that sees a new one pulls from the start and re-sends its work.
pub const SERVER_EPOCH_HEADER: &str = "x-server-epoch";
/// How far the tablet's clock may be from the server's before the app says so (5 minutes).
pub const CLOCK_SKEW_WARNING_MS: i64 = 5 * 60 * 1000;
/// Default and largest page of a pull.
pub const DEFAULT_PULL_LIMIT: u32 = 500;
pub const MAX_PULL_LIMIT: u32 = 2000;

/// Travels as `{ "type": "submit_visit", "data": … }`. The server (feature `openapi`)
/// reads it with serde's derive; the app with [`ordered`], which needs `type` before
/// `data` (as every writer here puts them) and so skips serde's buffering code, large in
/// the wasm (issue 6's size budget). A test checks both read the same.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, Deserialize))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum MutationOp {
    /// An officer submits a visit report (the first revision).
    SubmitVisit(VisitReport),
    /// An officer registers a cooperative or group found in the field (version 0 until the
    /// server has it).
    RegisterCooperative(Cooperative),
    /// An officer edits a cooperative's profile offline: the record as the tablet had it
    /// when the edit began (`base`) and as edited (`record`). The server merges field by
    /// field ([`crate::merge`]); a field changed to two values becomes a [`Conflict`].
    UpdateCooperative {
        base: Cooperative,
        record: Cooperative,
    },
    /// The officer or a supervisor chooses which value of a conflict stays.
    ResolveConflict { conflict_id: String, choice: Choice },
    /// The author sends a corrected report after a return: a new revision (the server
    /// keeps the previous one).
    ResubmitVisit(VisitReport),
}

/// Reading [`MutationOp`] without serde's content buffering: `type` first, then `data`.
#[cfg_attr(feature = "openapi", allow(dead_code))]
pub mod ordered {
    use super::*;
    use serde::de::{Error, IgnoredAny, MapAccess, Visitor};

    crate::keyed_enum!(
        enum OpType {
            SubmitVisit = "submit_visit",
            RegisterCooperative = "register_cooperative",
            UpdateCooperative = "update_cooperative",
            ResolveConflict = "resolve_conflict",
            ResubmitVisit = "resubmit_visit",
        }
    );

    #[derive(Deserialize)]
    struct Update {
        base: Cooperative,
        record: Cooperative,
    }

    #[derive(Deserialize)]
    struct Resolve {
        conflict_id: String,
        choice: Choice,
    }

    struct OpVisitor;

    impl<'de> Visitor<'de> for OpVisitor {
        type Value = MutationOp;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a mutation {\"type\": …, \"data\": …}")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MutationOp, A::Error> {
            if map.next_key::<String>()?.as_deref() != Some("type") {
                return Err(A::Error::custom("a mutation must start with its \"type\""));
            }
            let ty: OpType = map.next_value()?;
            if map.next_key::<String>()?.as_deref() != Some("data") {
                return Err(A::Error::missing_field("data"));
            }
            let op = match ty {
                OpType::SubmitVisit => MutationOp::SubmitVisit(map.next_value()?),
                OpType::RegisterCooperative => MutationOp::RegisterCooperative(map.next_value()?),
                OpType::UpdateCooperative => {
                    let u: Update = map.next_value()?;
                    MutationOp::UpdateCooperative {
                        base: u.base,
                        record: u.record,
                    }
                }
                OpType::ResolveConflict => {
                    let r: Resolve = map.next_value()?;
                    MutationOp::ResolveConflict {
                        conflict_id: r.conflict_id,
                        choice: r.choice,
                    }
                }
                OpType::ResubmitVisit => MutationOp::ResubmitVisit(map.next_value()?),
            };
            while map.next_key::<IgnoredAny>()?.is_some() {
                map.next_value::<IgnoredAny>()?;
            }
            Ok(op)
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<MutationOp, D::Error> {
        d.deserialize_map(OpVisitor)
    }
}

#[cfg(not(feature = "openapi"))]
impl<'de> Deserialize<'de> for MutationOp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ordered::deserialize(d)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Sequential per client, starting at 1.
    pub id: u64,
    pub created_at: Millis,
    pub op: MutationOp,
}

impl Mutation {
    /// The id of the record this mutation writes, for showing a rejection next to it.
    pub fn record_id(&self) -> &str {
        match &self.op {
            MutationOp::SubmitVisit(v) => &v.id,
            MutationOp::RegisterCooperative(c) => &c.id,
            MutationOp::UpdateCooperative { record, .. } => &record.id,
            MutationOp::ResolveConflict { conflict_id, .. } => conflict_id,
            MutationOp::ResubmitVisit(v) => &v.id,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub client_id: String,
    pub mutations: Vec<Mutation>,
}

/// A mutation the server will never apply, with the reason the officer reads.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub mutation_id: u64,
    pub record_id: String,
    pub code: ErrorCode,
    pub message: Msg,
    /// The fields concerned, each with its message, when the record failed validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<crate::validate::FieldError>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Every id up to this one is applied or rejected: the outbox may drop them.
    pub last_mutation_id: u64,
    /// Rejections among the mutations of this request (not repeated on a retry).
    #[serde(default)]
    pub rejected: Vec<Rejection>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub client_id: String,
    /// The `cursor` of the previous pull's last page; 0 for a first pull.
    pub cursor: i64,
    #[serde(default)]
    pub limit: Option<u32>,
}

crate::keyed_enum!(
    pub enum Entity {
        Area = "area",
        Cooperative = "cooperative",
        Visit = "visit",
        Conflict = "conflict",
        Reference = "reference",
    }
);

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Change {
    Area(Area),
    Cooperative(Cooperative),
    Visit(VisitReport),
    /// A profile field changed to two values, or its resolution.
    Conflict(Conflict),
    /// An item of a reference list (programmes, difficulties, kinds of support), added,
    /// renamed or retired; every user of its area and beneath receives it.
    Reference(crate::reference::ReferenceItem),
    /// The record left this user's scope or was marked removed.
    Removed {
        entity: Entity,
        id: String,
    },
    /// An area (`path`, with everything under it) was taken from this user: the tablet
    /// drops its records, except the user's own work still waiting in the outbox.
    AreaUnassigned {
        path: String,
    },
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub seq: i64,
    pub change: Change,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<ChangeRow>,
    /// Send this as the next pull's cursor.
    pub cursor: i64,
    /// More pages wait: pull again at once.
    pub has_more: bool,
    /// The client's last applied mutation id on the server.
    pub last_mutation_id: u64,
    /// Rough count of rows left after this page, for a progress bar.
    #[serde(default)]
    pub remaining: u64,
}

/// What the server does with a pushed batch, given the client's last applied id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPlan {
    /// The first `skip` mutations were applied before (a retry): acknowledge, do nothing.
    pub skip: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushPlanError {
    /// The first new id is not `last_applied + 1`.
    Gap {
        expected: u64,
        got: u64,
    },
    /// Ids in the batch are not consecutive and increasing.
    OutOfOrder {
        after: u64,
        got: u64,
    },
    TooMany {
        max: usize,
    },
    /// An id of 0 or beyond what JavaScript numbers hold exactly.
    BadId {
        id: u64,
    },
}

impl PushPlanError {
    pub fn message(&self) -> Msg {
        match self {
            PushPlanError::Gap { expected, got } => Msg::new(
                format!("Thiếu thay đổi: máy chủ chờ số {expected} nhưng nhận số {got}."),
                format!("Mutation gap: the server expected id {expected} but got {got}."),
            ),
            PushPlanError::OutOfOrder { after, got } => Msg::new(
                format!("Thay đổi sai thứ tự: số {got} đứng sau số {after}."),
                format!("Mutations out of order: id {got} came after {after}."),
            ),
            PushPlanError::BadId { id } => Msg::new(
                format!("Số thứ tự thay đổi không hợp lệ: {id}."),
                format!("Invalid mutation id: {id}."),
            ),
            PushPlanError::TooMany { max } => Msg::new(
                format!("Mỗi lần gửi tối đa {max} thay đổi."),
                format!("At most {max} mutations per push."),
            ),
        }
    }
}

/// Checks a batch of mutation ids against the client's last applied id.
///
/// Ids must be consecutive and increasing. Those `<= last_applied` are a retry of work the
/// server already has and are skipped; the first new one must be `last_applied + 1`.
pub fn plan_push(last_applied: u64, ids: &[u64]) -> Result<PushPlan, PushPlanError> {
    if ids.len() > MAX_PUSH_BATCH {
        return Err(PushPlanError::TooMany {
            max: MAX_PUSH_BATCH,
        });
    }
    if let Some(&bad) = ids.iter().find(|&&id| id == 0 || id > MAX_MUTATION_ID) {
        return Err(PushPlanError::BadId { id: bad });
    }
    for w in ids.windows(2) {
        if w[0].checked_add(1) != Some(w[1]) {
            return Err(PushPlanError::OutOfOrder {
                after: w[0],
                got: w[1],
            });
        }
    }
    let skip = ids.iter().take_while(|&&id| id <= last_applied).count();
    if let Some(&first_new) = ids.get(skip) {
        if first_new != last_applied + 1 {
            return Err(PushPlanError::Gap {
                expected: last_applied + 1,
                got: first_new,
            });
        }
    }
    Ok(PushPlan { skip })
}

/// Milliseconds to wait before retry number `attempt` (0-based) after a temporary failure:
/// 2 s, 4 s, 8 s... capped at 5 minutes.
pub fn backoff_ms(attempt: u32) -> u64 {
    let base: u64 = 2_000;
    base.saturating_mul(1u64 << attempt.min(20)).min(300_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mutations_read_back_the_same_in_type_then_data_order() {
        let coop: Cooperative = serde_json::from_str(
            r#"{"id":"c1","kind":"htx","name":"HTX A","sector":"agriculture","area_id":"X","area_path":"NB/X/","status":"active"}"#,
        )
        .unwrap();
        let visit: VisitReport = serde_json::from_str(
            r#"{"id":"v1","cooperative_id":"c1","author_id":"u","visit_date":"2021-06-11","note":"n","status":"submitted","created_at":1}"#,
        )
        .unwrap();
        for op in [
            MutationOp::SubmitVisit(visit),
            MutationOp::RegisterCooperative(coop.clone()),
            MutationOp::UpdateCooperative {
                base: coop.clone(),
                record: coop,
            },
            MutationOp::ResolveConflict {
                conflict_id: "k".into(),
                choice: Choice::Mine,
            },
        ] {
            let json = serde_json::to_string(&op).unwrap();
            assert!(json.starts_with(r#"{"type":"#), "{json}");
            let back =
                ordered::deserialize(&mut serde_json::Deserializer::from_str(&json)).unwrap();
            assert_eq!(back, op);
        }
        let err = ordered::deserialize(&mut serde_json::Deserializer::from_str(
            r#"{"data":{},"type":"submit_visit"}"#,
        ))
        .unwrap_err();
        assert!(err.to_string().contains("type"), "{err}");
        assert!(
            ordered::deserialize(&mut serde_json::Deserializer::from_str(
                r#"{"type":"launch","data":{}}"#
            ))
            .is_err()
        );
    }

    #[test]
    fn fresh_client_starts_at_one() {
        assert_eq!(plan_push(0, &[1, 2, 3]), Ok(PushPlan { skip: 0 }));
        assert_eq!(plan_push(0, &[]), Ok(PushPlan { skip: 0 }));
    }

    #[test]
    fn retried_batch_is_skipped_and_overlap_applies_the_rest() {
        assert_eq!(plan_push(3, &[1, 2, 3]), Ok(PushPlan { skip: 3 }));
        assert_eq!(plan_push(2, &[1, 2, 3, 4]), Ok(PushPlan { skip: 2 }));
    }

    #[test]
    fn gaps_and_disorder_are_refused() {
        assert_eq!(
            plan_push(2, &[4, 5]),
            Err(PushPlanError::Gap {
                expected: 3,
                got: 4
            })
        );
        assert_eq!(
            plan_push(0, &[1, 3]),
            Err(PushPlanError::OutOfOrder { after: 1, got: 3 })
        );
        assert_eq!(
            plan_push(0, &[2, 1]),
            Err(PushPlanError::OutOfOrder { after: 2, got: 1 })
        );
        assert_eq!(plan_push(0, &[0]), Err(PushPlanError::BadId { id: 0 }));
        assert_eq!(
            plan_push(0, &[u64::MAX - 1, u64::MAX]),
            Err(PushPlanError::BadId { id: u64::MAX - 1 })
        );
        let many: Vec<u64> = (1..=(MAX_PUSH_BATCH as u64 + 1)).collect();
        assert!(matches!(
            plan_push(0, &many),
            Err(PushPlanError::TooMany { .. })
        ));
        assert!(PushPlanError::Gap {
            expected: 3,
            got: 4
        }
        .message()
        .vi
        .contains('3'));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_ms(0), 2_000);
        assert_eq!(backoff_ms(1), 4_000);
        assert_eq!(backoff_ms(30), 300_000);
    }

    proptest! {
        /// Sending any prefix-overlapping window of the outbox, any number of times, in any
        /// order of retries, applies every mutation exactly once and in order.
        #[test]
        fn any_sequence_of_retries_applies_each_mutation_once(
            total in 1u64..60,
            windows in proptest::collection::vec((0u64..60, 1usize..20), 1..40),
        ) {
            let mut last = 0u64;
            let mut applied = Vec::new();
            for (start, len) in windows {
                // A client resends from some point at or before its first unacknowledged id.
                let start = 1 + start.min(last);
                let ids: Vec<u64> = (start..start + len as u64).filter(|&i| i <= total).collect();
                let plan = plan_push(last, &ids).expect("windows from the outbox never gap");
                for &id in &ids[plan.skip..] {
                    applied.push(id);
                    last = id;
                }
            }
            let expected: Vec<u64> = (1..=last).collect();
            prop_assert_eq!(applied, expected);
        }

        /// A batch that starts after last+1 is always refused, whatever its length.
        #[test]
        fn a_gap_is_always_refused(last in 0u64..1000, jump in 2u64..50, len in 1usize..10) {
            let ids: Vec<u64> = (last + jump..last + jump + len as u64).collect();
            prop_assert!(matches!(plan_push(last, &ids), Err(PushPlanError::Gap { .. })), "gap accepted");
        }
    }
}
