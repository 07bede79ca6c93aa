//! The outbox: mutations waiting to be pushed, numbered per client from 1; what a push
//! answered (acknowledged, refused); the outbox rebuilt after a restore of the server; and
//! the rescue file of unsent work (export, import).

use super::*;
use hoptac_core::model::{Millis, ReportStatus, VisitReport};
use hoptac_core::sync::{Mutation, MutationOp, Rejection};
use serde::{Deserialize, Serialize};

pub const EXPORT_FORMAT: &str = "hoptac-unsent-work/1";

/// A file of unsent work (see [`Store::export_unsent`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsentExport {
    pub format: String,
    pub exported_at: Millis,
    pub user_id: String,
    /// The outbox, then the reports the server refused that wait to be fixed.
    pub mutations: Vec<Mutation>,
    /// The forms' drafts (issue 13: drafts are protected like unsent work).
    #[serde(default)]
    pub drafts: Vec<DraftRow>,
    /// The photos those records and drafts name that this tablet holds, with their bytes
    /// (issue 17); each is put back only if its bytes' SHA-256 is its name.
    #[serde(default)]
    pub photos: Vec<super::ExportedPhoto>,
}

/// Appends `op` to the outbox with the next mutation id, inside the caller's transaction
/// (which must include OUTBOX and META), and drops the form's draft if one is named.
pub(super) async fn append_mutation(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    op: MutationOp,
    now: Millis,
    draft_key: Option<&str>,
) -> Result<u64> {
    let meta = tx.object_store(META).map_err(db_error)?;
    let next: Option<MetaRow<u64>> = meta
        .get(keys::NEXT_MUTATION_ID)
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    let id = next.map(|r| r.value).unwrap_or(1);
    tx.object_store(OUTBOX)
        .map_err(db_error)?
        .put(&Mutation {
            id,
            created_at: now,
            op,
        })
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    meta.put(MetaRow {
        key: keys::NEXT_MUTATION_ID.to_string(),
        value: id + 1,
    })
    .serde()
    .map_err(db_error)?
    .await
    .map_err(db_error)?;
    if let Some(k) = draft_key {
        meta.delete(k)
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
    }
    Ok(id)
}
impl Store {
    pub async fn outbox(&self) -> Result<Vec<Mutation>> {
        self.all(OUTBOX).await
    }

    pub async fn outbox_len(&self) -> Result<u32> {
        let tx = self.reading(OUTBOX)?;
        let os = tx.object_store(OUTBOX).map_err(db_error)?;
        os.count()
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)
    }

    // ---- export and import of unsent work ------------------------------------------------

    /// Everything on this tablet not yet on the server: the outbox's mutations. Saved to a
    /// file, it can be imported on another tablet or after a wipe.
    pub async fn export_unsent(&self, user_id: &str, now: Millis) -> Result<UnsentExport> {
        let mut mutations = self.outbox().await?;
        // Reports waiting to be fixed are unsent work too; imported, they are queued.
        for v in self.rejected_visits().await? {
            let op = if v.report.status == ReportStatus::Submitted {
                MutationOp::SubmitVisit(v.report)
            } else {
                MutationOp::ResubmitVisit(v.report)
            };
            mutations.push(Mutation {
                id: 0,
                created_at: now,
                op,
            });
        }
        for r in self.refused_coops().await? {
            let op = match r.base {
                None => MutationOp::RegisterCooperative(r.record),
                Some(base) => MutationOp::UpdateCooperative {
                    base,
                    record: r.record,
                },
            };
            mutations.push(Mutation {
                id: 0,
                created_at: now,
                op,
            });
        }
        let drafts = self.drafts().await?;
        let mut named: Vec<String> = mutations
            .iter()
            .flat_map(super::photos::names_in_mutation)
            .collect();
        for d in &drafts {
            named.extend(super::photos::names_in(&d.value));
        }
        // Photos of sent records not yet uploaded travel too: their records are on the
        // server, the bytes only here.
        for p in self.held_photos().await? {
            if p.waiting() {
                named.push(p.hash);
            }
        }
        Ok(UnsentExport {
            format: EXPORT_FORMAT.to_string(),
            exported_at: now,
            user_id: user_id.to_string(),
            mutations,
            drafts,
            photos: self.export_photos(&named).await?,
        })
    }

    /// Imports an export: each record not already here is written again, with its outbox
    /// mutation under this tablet's next ids. Records keep their ids, so the server applies
    /// each once even if the first tablet also sends it. Returns (imported, already here).
    pub async fn import_unsent(
        &self,
        export: &UnsentExport,
        user_id: &str,
        now: Millis,
    ) -> Result<(usize, usize)> {
        if export.format != EXPORT_FORMAT {
            return Err(StoreError::NotAnExport);
        }
        if export.user_id != user_id {
            return Err(StoreError::OtherUsersExport);
        }
        let (mut imported, mut skipped) = (0, 0);
        // The photos first: a record put back names photos this tablet then holds. Those
        // no record or draft of the file names belong to records already sent: they are
        // queued to be uploaded from here.
        self.import_photos(&export.photos, now).await?;
        let named: Vec<String> = export
            .mutations
            .iter()
            .flat_map(super::photos::names_in_mutation)
            .collect();
        let in_drafts: Vec<String> = export
            .drafts
            .iter()
            .flat_map(|d| super::photos::names_in(&d.value))
            .collect();
        for p in &export.photos {
            // Named by a record of the file (queued now: that record may be here already,
            // pulled, and never queue it again) or by none (a sent record's): uploaded
            // from here. Named only by a draft: it waits for the draft.
            if named.contains(&p.hash) || !in_drafts.contains(&p.hash) {
                self.queue_photo(&p.hash, now).await?;
            }
        }
        for m in &export.mutations {
            match &m.op {
                MutationOp::SubmitVisit(v) => {
                    let exists = {
                        let tx = self.reading(VISITS)?;
                        let os = tx.object_store(VISITS).map_err(db_error)?;
                        self.visit(&os, &v.id).await?.is_some()
                    };
                    if exists {
                        skipped += 1;
                    } else {
                        self.save_visit(v.clone(), now, None).await?;
                        imported += 1;
                    }
                }
                MutationOp::RegisterCooperative(c) => {
                    if self.cooperative(&c.id).await?.is_some() {
                        skipped += 1;
                    } else {
                        self.save_new_cooperative(c.clone(), now, None).await?;
                        imported += 1;
                    }
                }
                // An edit or a choice carries what the server needs to apply it once
                // (the merge against its base; the first choice wins): queue it again
                // unless this outbox already holds the same change.
                op @ (MutationOp::UpdateCooperative { .. }
                | MutationOp::ResolveConflict { .. }
                | MutationOp::ResubmitVisit(_)) => {
                    if self.outbox().await?.iter().any(|q| &q.op == op) {
                        skipped += 1;
                    } else {
                        self.queue(op.clone(), now).await?;
                        imported += 1;
                    }
                }
            }
        }
        for d in &export.drafts {
            if !d.key.starts_with(DRAFTS_FROM) {
                continue;
            }
            // The tablet's own draft of the same form stays; an imported one never
            // replaces it.
            if self.meta::<serde::de::IgnoredAny>(&d.key).await?.is_some() {
                skipped += 1;
            } else {
                self.put_meta_js(&[("key", &d.key.as_str().into()), ("value", &d.value)])
                    .await?;
                imported += 1;
            }
        }
        Ok((imported, skipped))
    }

    pub(super) async fn queue(&self, op: MutationOp, now: Millis) -> Result<()> {
        let tx = self.writing([OUTBOX, META])?;
        append_mutation(&tx, op, now, None).await?;
        tx.commit().await.map_err(db_error)
    }

    // ---- what sync writes -----------------------------------------------------------------

    /// After a push: drops acknowledged mutations (`id <= last_id`) and marks refused
    /// visits "Cần sửa" with the server's reasons (they stay on the tablet until fixed and
    /// sent again).
    pub async fn acknowledge(&self, last_id: u64, rejected: &[Rejection]) -> Result<()> {
        let tx = self.writing([OUTBOX, VISITS, META])?;
        let outbox = tx.object_store(OUTBOX).map_err(db_error)?;
        // The refused registrations and edits, read before they leave the outbox: they are
        // kept to be fixed (a refused visit stays in `visits`, marked).
        let meta = tx.object_store(META).map_err(db_error)?;
        for r in rejected {
            let m: Option<Mutation> = outbox
                .get(r.mutation_id as f64)
                .serde()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
            let refused = match m.map(|m| m.op) {
                Some(MutationOp::RegisterCooperative(c)) => Some((c, None)),
                Some(MutationOp::UpdateCooperative { base, record }) => Some((record, Some(base))),
                _ => None,
            };
            if let Some((record, base)) = refused {
                meta.put(MetaRow {
                    key: super::cooperatives::refused_key(&record.id),
                    value: super::cooperatives::RefusedCoop {
                        record,
                        base,
                        message: r.message.clone(),
                        fields: r.fields.clone(),
                    },
                })
                .serde()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
            }
        }
        if last_id >= 1 {
            outbox
                .delete(1u32 as f64..=(last_id as f64))
                .primitive()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
        }
        let visits = tx.object_store(VISITS).map_err(db_error)?;
        for r in rejected {
            let v = self.visit(&visits, &r.record_id).await?;
            if let Some(mut v) = v {
                v.sync = LocalSync::Rejected {
                    message: r.message.clone(),
                    fields: r.fields.clone(),
                };
                visits
                    .put(&v)
                    .serde()
                    .map_err(db_error)?
                    .await
                    .map_err(db_error)?;
            }
        }
        tx.commit().await.map_err(db_error)
    }

    /// After the server was restored from a backup (its identity changed, it no longer
    /// knows our cursor, or our mutation ids run ahead of its): the outbox is rebuilt so
    /// that the server gets back everything of `author_id`'s it may have lost. Every report
    /// of theirs the tablet holds and has sent (pulled back or only acknowledged) is queued again (a new report, and its correction when it
    /// has one) before the mutations still waiting, all renumbered from
    /// `server_last_id + 1`; the server applies each once (reports by id). The cursor goes
    /// back to 0, so the next pull brings the server's state from the start. Returns how
    /// many mutations are queued. Profile edits already sent before the backup's time are
    /// not rebuilt (the tablet keeps no base for them).
    pub async fn recover_after_restore(
        &self,
        server_last_id: u64,
        author_id: &str,
        now: Millis,
    ) -> Result<usize> {
        let tx = self.writing([VISITS, OUTBOX, META])?;
        let outbox = tx.object_store(OUTBOX).map_err(db_error)?;
        let waiting: Vec<Mutation> = all_of(&outbox).await?;
        let queued: Vec<String> = waiting.iter().map(|m| m.record_id().to_string()).collect();
        let visits = tx.object_store(VISITS).map_err(db_error)?;
        let all = all_js(&visits).await?;
        let mut ops = Vec::new();
        for js in all {
            let v = visit_from_js(js)?;
            // Sent (acknowledged: no longer queued), whether or not it came back by pull
            // yet; a report waiting to be fixed is not sent until it is fixed.
            if v.report.author_id != author_id
                || queued.contains(&v.report.id)
                || matches!(v.sync, LocalSync::Rejected { .. })
            {
                continue;
            }
            ops.push(MutationOp::SubmitVisit(VisitReport {
                status: ReportStatus::Submitted,
                ..v.report.clone()
            }));
            if v.report.revision > 1 {
                ops.push(MutationOp::ResubmitVisit(v.report.clone()));
            }
            let pending = LocalVisit {
                sync: LocalSync::Pending,
                ..v
            };
            visits
                .put(&pending)
                .serde()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
        }
        let mut all_ops: Vec<(Millis, MutationOp)> = ops.into_iter().map(|op| (now, op)).collect();
        all_ops.extend(waiting.into_iter().map(|m| (m.created_at, m.op)));
        outbox.clear().map_err(db_error)?.await.map_err(db_error)?;
        let mut id = server_last_id + 1;
        for (created_at, op) in &all_ops {
            outbox
                .put(&Mutation {
                    id,
                    created_at: *created_at,
                    op: op.clone(),
                })
                .serde()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
            id += 1;
        }
        for (key, value) in [(keys::NEXT_MUTATION_ID, id as f64), (keys::CURSOR, 0.0)] {
            super::put_meta_in(&tx, key, value).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(all_ops.len())
    }

    /// Work of this tablet's user not yet on the server: queued mutations, reports refused
    /// and not yet fixed, the forms' drafts, and photos of sent records not yet uploaded.
    /// Another user may not sign in while there is any (signing in as someone else clears
    /// the tablet).
    pub async fn unsent_count(&self) -> Result<u32> {
        let photos = self
            .held_photos()
            .await?
            .iter()
            .filter(|p| p.unsent())
            .count() as u32;
        Ok(self.outbox_len().await?
            + self.rejected_visits().await?.len() as u32
            + self.refused_coops().await?.len() as u32
            + self.drafts().await?.len() as u32
            + photos)
    }
}
