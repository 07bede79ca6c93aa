//! Photos held on this tablet (issue 17), in the `photos` store keyed by `hash` (the
//! SHA-256 of the JPEG, hoptac_core::photo::PhotoRef::hash). A row holds the photo's bytes
//! as a Blob with what the upload needs:
//!
//! `{ hash, blob, bytes, width, height, added_at (ms since epoch),`
//! `  queued_at (ms, or absent), sent (bytes the server holds), done (bool) }`
//!
//! A photo is taken into a draft (row without `queued_at`); it is *queued* once a record
//! naming it is in the outbox ([`Store::queue_named_photos`], run before every push, so a
//! photo of a sent record is never forgotten whatever happened in between); only queued
//! photos are uploaded, oldest first (hoptac_core::photo::plan_uploads). A photo removed
//! from a draft and named nowhere else is deleted at once ([`Store::forget_photo`]): it
//! can never be sent. A photo named by nothing (a form left before its draft was saved)
//! is swept after a day ([`Store::sweep_photos`]).

use super::*;
use hoptac_core::model::Millis;
use hoptac_core::photo::{Held, PhotoRef};
use hoptac_core::sync::Mutation;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

pub const PHOTOS: &str = "photos";

/// A photo named by nothing is swept this long after it was taken (ms): a day.
pub const UNNAMED_GRACE_MS: Millis = 24 * 3600 * 1000;

/// A held photo without its bytes: what lists, counts and the upload plan need.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldPhoto {
    pub hash: String,
    pub bytes: u64,
    pub added_at: Millis,
    /// When a record naming it was queued to be sent (None: only in a draft).
    pub queued_at: Option<Millis>,
    /// Bytes the server holds of it, as it last said.
    pub sent: u64,
    /// The server holds all of it.
    pub done: bool,
    /// Why the server refused it (not an image it takes, damaged on the tablet): it is
    /// not sent again; the officer takes it again.
    pub refused: Option<String>,
}

impl HeldPhoto {
    pub fn as_held(&self) -> Held {
        Held {
            hash: self.hash.clone(),
            bytes: self.bytes,
            sent: self.sent,
            done: self.done,
        }
    }

    /// Waiting to be sent: queued, not yet all on the server, not refused by it.
    pub fn waiting(&self) -> bool {
        self.queued_at.is_some() && !self.done && self.refused.is_none()
    }

    /// Not on the server although a record sent names it (waiting, or refused).
    pub fn unsent(&self) -> bool {
        self.queued_at.is_some() && !self.done
    }
}

fn get(row: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(row, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn held_of(row: &JsValue) -> Option<HeldPhoto> {
    Some(HeldPhoto {
        hash: get(row, "hash").as_string()?,
        bytes: get(row, "bytes").as_f64().unwrap_or(0.0) as u64,
        added_at: get(row, "added_at").as_f64().unwrap_or(0.0) as Millis,
        queued_at: get(row, "queued_at").as_f64().map(|t| t as Millis),
        sent: get(row, "sent").as_f64().unwrap_or(0.0) as u64,
        done: get(row, "done").as_bool().unwrap_or(false),
        refused: get(row, "refused").as_string(),
    })
}

/// Photo `hash`'s row as stored (None: not held).
async fn row_of(
    os: &indexed_db_futures::object_store::ObjectStore<'_>,
    hash: &str,
) -> Result<Option<JsValue>> {
    os.get(hash)
        .primitive()
        .map_err(db_error)?
        .await
        .map_err(db_error)
}

fn set(row: &js_sys::Object, k: &str, v: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(row, &JsValue::from_str(k), &v.into());
}

/// The hashes a value names as photos, whatever its shape: a visit report
/// (`findings.photos[].hash`), a cooperative (`main_photo.hash`), an edit draft (`record`),
/// a mutation (`op.data`). Read with serde, unknown fields ignored.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Names {
    findings: Option<Photos>,
    main_photo: Option<Named>,
    record: Option<Box<Names>>,
    data: Option<Box<Names>>,
    op: Option<Box<Names>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Photos {
    photos: Vec<Named>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Named {
    hash: String,
}

impl Names {
    fn collect(self, out: &mut Vec<String>) {
        for p in self.findings.map(|f| f.photos).unwrap_or_default() {
            out.push(p.hash);
        }
        if let Some(m) = self.main_photo {
            out.push(m.hash);
        }
        for inner in [self.record, self.data, self.op].into_iter().flatten() {
            inner.collect(out);
        }
    }
}

/// The photo hashes `value` names (see [`Names`]), or its elements when it is an array
/// (a profile edit's draft is `[base, record]`); empty for anything else.
pub fn names_in(value: &JsValue) -> Vec<String> {
    let mut out = Vec::new();
    let items: Vec<JsValue> = if js_sys::Array::is_array(value) {
        js_sys::Array::from(value).iter().collect()
    } else {
        vec![value.clone()]
    };
    for item in items {
        if let Ok(n) = serde_wasm_bindgen::from_value::<Names>(item) {
            n.collect(&mut out);
        }
    }
    out.retain(|h| hoptac_core::photo::is_hash(h));
    out
}

/// The photo hashes a mutation names.
pub fn names_in_mutation(m: &Mutation) -> Vec<String> {
    use hoptac_core::sync::MutationOp::*;
    let refs: Vec<&PhotoRef> = match &m.op {
        SubmitVisit(v) | ResubmitVisit(v) => v.findings.photos.iter().collect(),
        RegisterCooperative(c) => c.main_photo.iter().collect(),
        UpdateCooperative { record, .. } => record.main_photo.iter().collect(),
        ResolveConflict { .. } => Vec::new(),
    };
    refs.into_iter().map(|p| p.hash.clone()).collect()
}

/// A photo in a rescue file: its row's fields and its bytes (base64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedPhoto {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    /// The JPEG's bytes, base64 (standard alphabet, padded).
    pub data: String,
}

impl Store {
    /// Whether this database has the photos store (one opened at an older schema version,
    /// as the upgrade test does, has not).
    fn has_photos(&self) -> bool {
        !self.present(&[PHOTOS]).is_empty()
    }

    /// Keeps a photo taken into a draft. The same photo again (same hash) keeps the row
    /// it has (and how far its upload came). Fails like any write when the tablet is full
    /// (the caller says so; nothing else is lost).
    pub async fn put_photo(
        &self,
        hash: &str,
        blob: &web_sys::Blob,
        width: u32,
        height: u32,
        now: Millis,
    ) -> Result<()> {
        let tx = self.writing(PHOTOS)?;
        let os = tx.object_store(PHOTOS).map_err(db_error)?;
        let found = row_of(&os, hash).await?;
        if found.is_none() {
            let row = js_sys::Object::new();
            set(&row, "hash", hash);
            set(&row, "blob", blob.clone());
            set(&row, "bytes", blob.size());
            set(&row, "width", width);
            set(&row, "height", height);
            set(&row, "added_at", now as f64);
            set(&row, "sent", 0.0);
            set(&row, "done", false);
            pull::put_now(&os, &row)?;
        }
        tx.commit().await.map_err(db_error)
    }

    /// Photo `hash`'s row, read in its own transaction (None: not held).
    async fn photo_row(&self, hash: &str) -> Result<Option<JsValue>> {
        if !self.has_photos() {
            return Ok(None);
        }
        let tx = self.reading(PHOTOS)?;
        row_of(&tx.object_store(PHOTOS).map_err(db_error)?, hash).await
    }

    /// A held photo's bytes (None: not on this tablet).
    pub async fn photo_blob(&self, hash: &str) -> Result<Option<web_sys::Blob>> {
        let found = self.photo_row(hash).await?;
        Ok(found.and_then(|row| get(&row, "blob").dyn_into::<web_sys::Blob>().ok()))
    }

    /// Every held photo, without its bytes.
    pub async fn held_photos(&self) -> Result<Vec<HeldPhoto>> {
        if !self.has_photos() {
            return Ok(Vec::new());
        }
        let tx = self.reading(PHOTOS)?;
        let rows = all_js(&tx.object_store(PHOTOS).map_err(db_error)?).await?;
        Ok(rows.iter().filter_map(held_of).collect())
    }

    /// Records how much of a photo the server holds (after an upload or a status answer).
    pub async fn set_photo_sent(&self, hash: &str, sent: u64, done: bool) -> Result<()> {
        self.update_photo(hash, |row| {
            set(row, "sent", sent as f64);
            set(row, "done", done);
        })
        .await
    }

    /// Records that the server refused photo `hash` (`why`, in the officer's language).
    pub async fn set_photo_refused(&self, hash: &str, why: &str) -> Result<()> {
        self.update_photo(hash, |row| set(row, "refused", why))
            .await
    }

    async fn update_photo(&self, hash: &str, f: impl Fn(&js_sys::Object)) -> Result<()> {
        let tx = self.writing(PHOTOS)?;
        let os = tx.object_store(PHOTOS).map_err(db_error)?;
        let found = row_of(&os, hash).await?;
        if let Some(row) = found {
            let row: js_sys::Object = row.unchecked_into();
            f(&row);
            pull::put_now(&os, &row)?;
        }
        tx.commit().await.map_err(db_error)
    }

    /// Marks every held photo an outbox mutation names as queued (to be uploaded), in the
    /// outbox's order. Run before each push: a record leaves the outbox only when the
    /// server acknowledged it, so its photos are always queued by then.
    pub async fn queue_named_photos(&self, now: Millis) -> Result<usize> {
        if !self.has_photos() {
            return Ok(0);
        }
        let outbox = self.outbox().await?;
        let mut names: Vec<String> = Vec::new();
        for m in &outbox {
            for h in names_in_mutation(m) {
                if !names.contains(&h) {
                    names.push(h);
                }
            }
        }
        if names.is_empty() {
            return Ok(0);
        }
        let tx = self.writing(PHOTOS)?;
        let os = tx.object_store(PHOTOS).map_err(db_error)?;
        let mut queued = 0;
        for (i, h) in names.iter().enumerate() {
            let found: Option<JsValue> = os
                .get(h.as_str())
                .primitive()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
            if let Some(row) = found {
                if get(&row, "queued_at").as_f64().is_none() {
                    let row: js_sys::Object = row.unchecked_into();
                    // Outbox order kept among those queued together.
                    set(&row, "queued_at", (now + i as Millis) as f64);
                    pull::put_now(&os, &row)?;
                    queued += 1;
                }
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(queued)
    }

    /// Queues photo `hash` to be uploaded (if held and not queued yet).
    pub async fn queue_photo(&self, hash: &str, now: Millis) -> Result<()> {
        self.update_photo(hash, |row| {
            if get(row, "queued_at").as_f64().is_none() {
                set(row, "queued_at", now as f64);
            }
        })
        .await
    }

    /// After the server was restored from a backup: every held photo is checked again
    /// (the server may have lost it), by asking it before sending.
    pub async fn recheck_photos(&self) -> Result<()> {
        for p in self.held_photos().await? {
            if p.done {
                self.set_photo_sent(&p.hash, 0, false).await?;
            }
        }
        Ok(())
    }

    /// Every hash a draft, a queued mutation, a report kept to fix or a refused
    /// registration names: photos that must stay on this tablet.
    pub async fn named_photos(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for d in self.drafts().await? {
            out.extend(names_in(&d.value));
        }
        for m in self.outbox().await? {
            out.extend(names_in_mutation(&m));
        }
        for v in self.rejected_visits().await? {
            out.extend(v.report.findings.photos.iter().map(|p| p.hash.clone()));
        }
        for c in self.refused_coops().await? {
            out.extend(c.record.main_photo.iter().map(|p| p.hash.clone()));
        }
        Ok(out)
    }

    /// Hashes named by the records this tablet holds as sent (its reports not refused, and
    /// cooperatives' main photos): photos that must reach the server.
    async fn named_by_sent_records(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for v in self.visits().await? {
            if !matches!(v.sync, LocalSync::Rejected { .. }) {
                out.extend(v.report.findings.photos.iter().map(|p| p.hash.clone()));
            }
        }
        for c in self.cooperatives().await? {
            out.extend(c.main_photo.iter().map(|p| p.hash.clone()));
        }
        Ok(out)
    }

    /// Photos not to upload for now: named by a report the server refused or a refused
    /// registration or edit (the officer fixes it and may drop them), and by nothing sent.
    pub async fn held_back_photos(&self) -> Result<Vec<String>> {
        let mut refused: Vec<String> = Vec::new();
        for v in self.rejected_visits().await? {
            refused.extend(v.report.findings.photos.iter().map(|p| p.hash.clone()));
        }
        for c in self.refused_coops().await? {
            refused.extend(c.record.main_photo.iter().map(|p| p.hash.clone()));
        }
        if refused.is_empty() {
            return Ok(refused);
        }
        let mut sent: Vec<String> = self
            .outbox()
            .await?
            .iter()
            .flat_map(names_in_mutation)
            .collect();
        sent.extend(self.named_by_sent_records().await?);
        refused.retain(|h| !sent.contains(h));
        Ok(refused)
    }

    /// Whether photo `p` may go: nothing waiting names it (`named`: drafts, outbox, refused
    /// records) and either it was never queued, or it is not yet on the server and no
    /// record sent names it (a photo of a refused report the officer took out of it).
    async fn deletable(&self, p: &HeldPhoto, named: &[String]) -> Result<bool> {
        if named.contains(&p.hash) {
            return Ok(false);
        }
        if p.queued_at.is_none() {
            return Ok(true);
        }
        Ok(!p.done && !self.named_by_sent_records().await?.contains(&p.hash))
    }

    async fn held_photo(&self, hash: &str) -> Result<Option<HeldPhoto>> {
        Ok(self.photo_row(hash).await?.as_ref().and_then(held_of))
    }

    async fn delete_photo(&self, hash: &str) -> Result<()> {
        let tx = self.writing(PHOTOS)?;
        tx.object_store(PHOTOS)
            .map_err(db_error)?
            .delete(hash)
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    /// Deletes a photo removed from a draft, unless something still names it or a record
    /// sent needs it: it is never uploaded. Returns whether it was deleted.
    pub async fn forget_photo(&self, hash: &str) -> Result<bool> {
        crate::drafts::settled().await;
        let Some(p) = self.held_photo(hash).await? else {
            return Ok(false);
        };
        let named = self.named_photos().await?;
        if !self.deletable(&p, &named).await? {
            return Ok(false);
        }
        self.delete_photo(hash).await?;
        Ok(true)
    }

    /// Deletes photos nothing names, never queued, taken more than [`UNNAMED_GRACE_MS`]
    /// before `now` (a form left before its draft was saved). A queued photo is never
    /// swept: only the officer's removal ([`Store::forget_photo`]) takes one. Returns how
    /// many.
    pub async fn sweep_photos(&self, now: Millis) -> Result<usize> {
        if !self.has_photos() {
            return Ok(0);
        }
        crate::drafts::settled().await;
        let named = self.named_photos().await?;
        let mut gone = 0;
        for p in self.held_photos().await? {
            let old = p.queued_at.is_none() && p.added_at + UNNAMED_GRACE_MS < now;
            if old && self.deletable(&p, &named).await? {
                self.delete_photo(&p.hash).await?;
                gone += 1;
            }
        }
        Ok(gone)
    }

    /// Deletes the photos the server holds in full that are among `confirmed` (the caller
    /// has just asked the server: a recorded "done" may be stale, after a restore of the
    /// server) and that nothing waiting names (the officer frees room; a report's photos
    /// are then shown from the server). Returns (photos, bytes) freed.
    pub async fn free_sent_photos(&self, confirmed: &[String]) -> Result<(usize, u64)> {
        let named = self.named_photos().await?;
        let done: Vec<HeldPhoto> = self
            .held_photos()
            .await?
            .into_iter()
            .filter(|p| p.done && !named.contains(&p.hash) && confirmed.contains(&p.hash))
            .collect();
        let tx = self.writing(PHOTOS)?;
        let os = tx.object_store(PHOTOS).map_err(db_error)?;
        for p in &done {
            os.delete(p.hash.as_str())
                .primitive()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok((done.len(), done.iter().map(|p| p.bytes).sum()))
    }

    /// The photos `hashes` names that this tablet holds, with their bytes, for a rescue
    /// file.
    pub async fn export_photos(&self, hashes: &[String]) -> Result<Vec<ExportedPhoto>> {
        let mut out = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for h in hashes {
            if seen.contains(&h.as_str()) {
                continue;
            }
            seen.push(h);
            let Some(blob) = self.photo_blob(h).await? else {
                continue;
            };
            let data = crate::photos::to_base64(&blob)
                .await
                .map_err(StoreError::Database)?;
            let (width, height) = self.photo_size(h).await?;
            out.push(ExportedPhoto {
                hash: h.clone(),
                width,
                height,
                data,
            });
        }
        Ok(out)
    }

    async fn photo_size(&self, hash: &str) -> Result<(u32, u32)> {
        Ok(self
            .photo_row(hash)
            .await?
            .map(|r| {
                (
                    get(&r, "width").as_f64().unwrap_or(0.0) as u32,
                    get(&r, "height").as_f64().unwrap_or(0.0) as u32,
                )
            })
            .unwrap_or((0, 0)))
    }

    /// Puts back the photos of a rescue file, each only if its bytes' SHA-256 is its name
    /// (a damaged or altered photo is left out). A photo already here is kept as it is.
    /// Returns how many were added.
    pub async fn import_photos(&self, photos: &[ExportedPhoto], now: Millis) -> Result<usize> {
        let mut added = 0;
        for p in photos {
            if !hoptac_core::photo::is_hash(&p.hash) || self.photo_blob(&p.hash).await?.is_some() {
                continue;
            }
            let Some((blob, hash)) = crate::photos::from_base64(&p.data).await else {
                continue;
            };
            if hash != p.hash {
                continue;
            }
            self.put_photo(&p.hash, &blob, p.width, p.height, now)
                .await?;
            added += 1;
        }
        Ok(added)
    }
}
