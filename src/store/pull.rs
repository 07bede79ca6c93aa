//! Applying pulled pages: each page's records and its cursor in one transaction, written
//! as they came (JavaScript values, no round trip through Rust types).

use super::*;
use hoptac_core::sync::{ChangeRow, Mutation};
use indexed_db_futures::object_store::ObjectStore;
use wasm_bindgen::JsValue;

/// The end of every pulled page, in its transaction: the new cursor, and the outbox
/// without the mutations the server has applied.
pub(super) async fn finish_pull(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    cursor: i64,
    last_mutation_id: u64,
) -> Result<()> {
    tx.object_store(META)
        .map_err(db_error)?
        .put(MetaRow {
            key: keys::CURSOR.to_string(),
            value: cursor,
        })
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    if last_mutation_id >= 1 {
        tx.object_store(OUTBOX)
            .map_err(db_error)?
            .delete(1u32 as f64..=(last_mutation_id as f64))
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// Puts `value` without waiting for its request: the page's puts run back to back and
/// the transaction's commit reports any failure (awaiting each put cost one event-loop
/// turn per record: 3 s for 10,000 cooperatives; docs/BENCHMARKS.md).
pub(super) fn put_now(os: &ObjectStore<'_>, value: &JsValue) -> Result<()> {
    use indexed_db_futures::internals::SystemRepr;
    os.as_sys()
        .put(value)
        .map(|_| ())
        .map_err(|err| StoreError::Database(crate::util::js_text(&err)))
}

/// Deletes the records of `os` whose `field` (an area path) lies under `path`, except
/// those whose id is in `keep`. Reads only the two properties, not whole records.
pub(super) async fn drop_under(
    os: &ObjectStore<'_>,
    field: &str,
    path: &str,
    keep: &[String],
) -> Result<()> {
    let all = all_js(os).await?;
    let (field, id_key) = (JsValue::from_str(field), JsValue::from_str("id"));
    let (sync_key, state_key) = (JsValue::from_str("sync"), JsValue::from_str("state"));
    for v in all {
        // A record waiting to be sent or fixed ("Cần sửa") is the officer's work: it stays.
        let state = js_sys::Reflect::get(&v, &sync_key)
            .and_then(|s| js_sys::Reflect::get(&s, &state_key))
            .ok()
            .and_then(|s| s.as_string());
        if matches!(state.as_deref(), Some("pending") | Some("rejected")) {
            continue;
        }
        let p = js_sys::Reflect::get(&v, &field)
            .ok()
            .and_then(|p| p.as_string())
            .unwrap_or_default();
        let id = js_sys::Reflect::get(&v, &id_key)
            .ok()
            .and_then(|p| p.as_string())
            .unwrap_or_default();
        if !p.is_empty() && p.starts_with(path) && !keep.contains(&id) {
            os.delete(id.as_str())
                .primitive()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
        }
    }
    Ok(())
}
impl Store {
    /// Applies one pulled page (typed): the tests' entry; the app's sync uses
    /// [`Store::apply_pull_js`] on the page as it came, and this goes through it too.
    pub async fn apply_pull(
        &self,
        changes: &[ChangeRow],
        cursor: i64,
        last_mutation_id: u64,
    ) -> Result<()> {
        let js = changes
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(db_error)?;
        self.apply_pull_js(&js, cursor, last_mutation_id)
            .await
            .map(|_| ())
    }

    /// Applies one pulled page and its cursor in one transaction, so an interrupted sync
    /// resumes from the last page it stored. `changes` is the page's JSON array of
    /// `{ seq, change: { type, data } }` as parsed by the browser: records are written as
    /// they came, without a round trip through Rust types (the first pull of 10,000
    /// cooperatives spent most of its time there; docs/BENCHMARKS.md). Each record must
    /// have a string `id`; anything unexpected fails the page (nothing of it is stored).
    /// Returns the number of changes.
    pub async fn apply_pull_js(
        &self,
        changes: &JsValue,
        cursor: i64,
        last_mutation_id: u64,
    ) -> Result<usize> {
        let rows: js_sys::Array = wasm_bindgen::JsCast::dyn_into(changes.clone())
            .map_err(|_| StoreError::Database("pull: changes is not a list".into()))?;
        // An empty page (the usual answer when nothing changed) writes only the cursor and
        // the outbox: its transaction must not hold up the registry's reads of the records.
        if rows.length() == 0 {
            let tx = self.writing([OUTBOX, META])?;
            finish_pull(&tx, cursor, last_mutation_id).await?;
            tx.commit().await.map_err(db_error)?;
            return Ok(0);
        }
        let tx = self
            .writing(self.present(&[AREAS, COOPS, VISITS, CONFLICTS, REFERENCE, OUTBOX, META]))?;
        let areas = tx.object_store(AREAS).map_err(db_error)?;
        let coops = tx.object_store(COOPS).map_err(db_error)?;
        let visits = tx.object_store(VISITS).map_err(db_error)?;
        let conflicts = tx.object_store(CONFLICTS).ok();
        let reference = tx.object_store(REFERENCE).ok();
        let get = |v: &JsValue, k: &str| {
            js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        };
        let bad = |what: &str| StoreError::Database(format!("pull: {what}"));
        let synced = SyncState::Synced;
        let synced = StoredSync {
            state: synced,
            message: None,
            fields: Vec::new(),
        }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(db_error)?;
        for row in rows.iter() {
            let change = get(&row, "change");
            let kind = get(&change, "type")
                .as_string()
                .ok_or_else(|| bad("a change without a type"))?;
            let data = get(&change, "data");
            let record = |data: &JsValue| -> Result<()> {
                match get(data, "id").as_string() {
                    Some(id) if !id.is_empty() => Ok(()),
                    _ => Err(bad(&format!("a {kind} without an id"))),
                }
            };
            match kind.as_str() {
                "area" => {
                    record(&data)?;
                    put_now(&areas, &data)?;
                }
                "cooperative" => {
                    record(&data)?;
                    put_now(&coops, &data)?;
                }
                "visit" => {
                    record(&data)?;
                    js_sys::Reflect::set(&data, &JsValue::from_str("sync"), &synced)
                        .map_err(|_| bad("a visit that cannot be marked"))?;
                    put_now(&visits, &data)?;
                }
                "conflict" => {
                    record(&data)?;
                    if let Some(conflicts) = &conflicts {
                        put_now(conflicts, &data)?;
                    }
                }
                "reference" => {
                    record(&data)?;
                    if let Some(reference) = &reference {
                        put_now(reference, &data)?;
                    }
                }
                "area_unassigned" => {
                    let path = get(&data, "path")
                        .as_string()
                        .filter(|p| !p.is_empty())
                        .ok_or_else(|| bad("area_unassigned without a path"))?;
                    // The user's own work still in the outbox stays.
                    let queued: Vec<Mutation> =
                        all_of(&tx.object_store(OUTBOX).map_err(db_error)?).await?;
                    let keep: Vec<String> =
                        queued.iter().map(|m| m.record_id().to_string()).collect();
                    drop_under(&areas, "path", &path, &keep).await?;
                    drop_under(&coops, "area_path", &path, &keep).await?;
                    drop_under(&visits, "area_path", &path, &keep).await?;
                    if let Some(conflicts) = &conflicts {
                        drop_under(conflicts, "area_path", &path, &keep).await?;
                    }
                    if let Some(reference) = &reference {
                        drop_under(reference, "area_path", &path, &keep).await?;
                    }
                }
                "removed" => {
                    let id = get(&data, "id")
                        .as_string()
                        .ok_or_else(|| bad("removed without an id"))?;
                    let os = match get(&data, "entity").as_string().as_deref() {
                        Some("area") => Some(&areas),
                        Some("cooperative") => Some(&coops),
                        Some("visit") => Some(&visits),
                        Some("conflict") => conflicts.as_ref(),
                        _ => return Err(bad("removed: unknown entity")),
                    };
                    if let Some(os) = os {
                        os.delete(id.as_str())
                            .primitive()
                            .map_err(db_error)?
                            .await
                            .map_err(db_error)?;
                    }
                }
                other => {
                    return Err(bad(&format!(
                        "unknown change type '{other}' (update the app)"
                    )))
                }
            }
        }
        touch_coops(&tx).await?;
        finish_pull(&tx, cursor, last_mutation_id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(rows.length() as usize)
    }
}
