//! Visit reports on the tablet ([`LocalVisit`]: the report and where it stands,
//! [`LocalSync`]), saving a new one or a correction with its outbox mutation in one
//! transaction, and the reports the server refused ("Cần sửa").

use super::*;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{Millis, ReportStatus, VisitReport};
use hoptac_core::sync::MutationOp;
use hoptac_core::validate::FieldError;
use indexed_db_futures::object_store::ObjectStore;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// Where a visit stands on this tablet.
///
/// Stored as `{ "state": "pending" | "synced" | "rejected", "message"?: Msg }`. The serde
/// impls go through [`StoredSync`] rather than `#[serde(tag)]`, whose buffering code was
/// large in the wasm (issue 6's size budget); the stored shape is the same.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalSync {
    /// Written here, waiting in the outbox.
    Pending,
    /// The server has it (it came back by pull).
    Synced,
    /// The server refused it ("Cần sửa"): the officer reads why, each field's reason
    /// next to it, fixes it in its form and sends it again (issue 13).
    Rejected {
        message: Msg,
        fields: Vec<FieldError>,
    },
}

hoptac_core::keyed_enum!(
    pub(super) enum SyncState {
        Pending = "pending",
        Synced = "synced",
        Rejected = "rejected",
    }
);

#[derive(Serialize, Deserialize)]
pub(super) struct StoredSync {
    pub(super) state: SyncState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) message: Option<Msg>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) fields: Vec<FieldError>,
}

impl Serialize for LocalSync {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (state, message, fields) = match self {
            LocalSync::Pending => (SyncState::Pending, None, Vec::new()),
            LocalSync::Synced => (SyncState::Synced, None, Vec::new()),
            LocalSync::Rejected { message, fields } => {
                (SyncState::Rejected, Some(message.clone()), fields.clone())
            }
        };
        StoredSync {
            state,
            message,
            fields,
        }
        .serialize(s)
    }
}

/// A visit as stored: the report's fields with `sync` beside them (one flat object, so the
/// `by_cooperative` index reads `cooperative_id`). Read back with [`visit_from_js`]: serde's
/// `flatten` on the reading side brought a second copy of every report deserializer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalVisit {
    #[serde(flatten)]
    pub report: VisitReport,
    pub sync: LocalSync,
}

/// Writes a visit waiting to be sent and its outbox mutation (`op` of the report), drops
/// the form's draft, and commits: the one path for submitting and resubmitting.
pub(super) async fn put_pending_visit(
    tx: indexed_db_futures::transaction::Transaction<'_>,
    report: VisitReport,
    op: fn(VisitReport) -> MutationOp,
    now: Millis,
    draft_key: Option<&str>,
) -> Result<LocalVisit> {
    let visit = LocalVisit {
        report,
        sync: LocalSync::Pending,
    };
    tx.object_store(VISITS)
        .map_err(db_error)?
        .put(&visit)
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    append_mutation(&tx, op(visit.report.clone()), now, draft_key).await?;
    tx.commit().await.map_err(db_error)?;
    Ok(visit)
}

/// Reads a stored visit: the report from the object itself (its unknown `sync` field is
/// ignored) and `sync` from its property.
pub(super) fn visit_from_js(js: JsValue) -> Result<LocalVisit> {
    let sync = js_sys::Reflect::get(&js, &JsValue::from_str("sync"))
        .map_err(|_| StoreError::Database("visit without sync state".into()))?;
    Ok(LocalVisit {
        sync: serde_wasm_bindgen::from_value(sync).map_err(db_error)?,
        report: serde_wasm_bindgen::from_value(js).map_err(db_error)?,
    })
}

impl<'de> Deserialize<'de> for LocalSync {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = StoredSync::deserialize(d)?;
        Ok(match (s.state, s.message) {
            (SyncState::Pending, _) => LocalSync::Pending,
            (SyncState::Synced, _) => LocalSync::Synced,
            (SyncState::Rejected, m) => LocalSync::Rejected {
                message: m.unwrap_or_else(|| Msg::new("Bị từ chối", "Rejected")),
                fields: s.fields,
            },
        })
    }
}
impl Store {
    pub async fn visits(&self) -> Result<Vec<LocalVisit>> {
        let tx = self.reading(VISITS)?;
        let os = tx.object_store(VISITS).map_err(db_error)?;
        let items = all_js(&os).await?;
        items.into_iter().map(visit_from_js).collect()
    }

    pub(super) async fn visit(&self, os: &ObjectStore<'_>, id: &str) -> Result<Option<LocalVisit>> {
        let found: Option<JsValue> = os
            .get(id)
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        found.map(visit_from_js).transpose()
    }

    /// The visits of one cooperative, through the `by_cooperative` index.
    pub async fn visits_of(&self, cooperative_id: &str) -> Result<Vec<LocalVisit>> {
        let tx = self.reading(VISITS)?;
        let os = tx.object_store(VISITS).map_err(db_error)?;
        let index = os.index(schema::VISITS_BY_COOPERATIVE).map_err(db_error)?;
        let items: Vec<JsValue> = index
            .get_all()
            .with_query(cooperative_id.to_string())
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?
            .collect::<std::result::Result<_, _>>()
            .map_err(db_error)?;
        items.into_iter().map(visit_from_js).collect()
    }

    /// Saves a submitted visit and its outbox mutation in one transaction, and removes the
    /// form's draft (`draft_key`) in the same transaction.
    pub async fn save_visit(
        &self,
        report: VisitReport,
        now: Millis,
        draft_key: Option<&str>,
    ) -> Result<LocalVisit> {
        // A draft still being written by the drafts worker must not land after its removal.
        crate::drafts::settled().await;
        let tx = self.writing([VISITS, OUTBOX, META])?;
        let report = VisitReport {
            status: ReportStatus::Submitted,
            ..report
        };
        put_pending_visit(tx, report, MutationOp::SubmitVisit, now, draft_key).await
    }

    /// Saves the corrected version of a returned report as its next revision, waiting to be
    /// sent, with its outbox mutation, in one transaction (and drops the form's draft).
    pub async fn save_resubmission(
        &self,
        report: VisitReport,
        now: Millis,
        draft_key: Option<&str>,
    ) -> Result<LocalVisit> {
        // A draft still being written by the drafts worker must not land after its removal.
        crate::drafts::settled().await;
        let tx = self.writing([VISITS, OUTBOX, META])?;
        let current = self
            .visit(&tx.object_store(VISITS).map_err(db_error)?, &report.id)
            .await?;
        // A correction the server refused is fixed again as the same revision.
        let revision = match current {
            Some(c) if matches!(c.sync, LocalSync::Rejected { .. }) => c.report.revision,
            Some(c) => c.report.revision + 1,
            None => report.revision + 1,
        };
        let report = VisitReport {
            status: ReportStatus::Resubmitted,
            revision,
            ..report
        };
        put_pending_visit(tx, report, MutationOp::ResubmitVisit, now, draft_key).await
    }

    /// One visit by id.
    pub async fn visit_by_id(&self, id: &str) -> Result<Option<LocalVisit>> {
        let tx = self.reading(VISITS)?;
        let os = tx.object_store(VISITS).map_err(db_error)?;
        self.visit(&os, id).await
    }

    /// Visits refused by the server and not yet fixed ("Cần sửa").
    pub async fn rejected_visits(&self) -> Result<Vec<LocalVisit>> {
        Ok(self
            .visits()
            .await?
            .into_iter()
            .filter(|v| matches!(v.sync, LocalSync::Rejected { .. }))
            .collect())
    }
}
