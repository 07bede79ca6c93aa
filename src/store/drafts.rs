//! The forms' drafts, kept in `meta` under `draft:` keys (written by the drafts worker,
//! public/draft-worker.js, through crate::drafts), protected like unsent work.

use super::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// The draft of the visit note form of one cooperative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDraft {
    pub visit_date: String,
    pub note: String,
}

pub fn visit_draft_key(cooperative_id: &str) -> String {
    format!("draft:visit:{cooperative_id}")
}

/// A form's draft as kept in `meta`: its key ("draft:visit:<cooperative id>", ...) and the
/// draft as the form wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftRow {
    pub key: String,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub value: JsValue,
}

/// Keys of drafts lie in ["draft:", "draft;"): ';' follows ':'.
pub(super) const DRAFTS_FROM: &str = "draft:";
pub(super) const DRAFTS_TO: &str = "draft;";
impl Store {
    // ---- the officer's writes -----------------------------------------------------------

    /// The unsaved draft of a form, kept on every change so a crash, a reload or an update
    /// loses nothing. `key` names the form, e.g. [`visit_draft_key`].
    pub async fn draft<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        crate::drafts::settled().await;
        self.meta(key).await
    }

    /// Drops a form's draft (the form was left with nothing to save).
    pub async fn delete_draft(&self, key: &str) -> Result<()> {
        crate::drafts::settled().await;
        let tx = self.writing(META)?;
        super::delete_meta(&tx, key).await?;
        tx.commit().await.map_err(db_error)
    }

    pub async fn save_draft<T: Serialize>(&self, key: &str, draft: &T) -> Result<()> {
        self.set_meta(key, draft).await
    }

    /// Saves a draft already turned into a JavaScript value (the form does that as the
    /// user types, so the write itself only hands the value to IndexedDB).
    pub async fn save_draft_js(&self, key: &str, draft: &JsValue) -> Result<()> {
        crate::drafts::settled().await;
        self.put_meta_js(&[("key", &key.into()), ("value", draft)])
            .await
    }

    /// Every form draft on this tablet.
    pub async fn drafts(&self) -> Result<Vec<DraftRow>> {
        crate::drafts::settled().await;
        let tx = self.reading(META)?;
        let rows = tx
            .object_store(META)
            .map_err(db_error)?
            .get_all()
            .with_query(DRAFTS_FROM.to_string()..DRAFTS_TO.to_string())
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(db_error)?;
            let get = |k: &str| {
                js_sys::Reflect::get(&row, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
            };
            if let Some(key) = get("key").as_string() {
                out.push(DraftRow {
                    key,
                    value: get("value"),
                });
            }
        }
        Ok(out)
    }
}
