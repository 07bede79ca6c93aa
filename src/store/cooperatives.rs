//! Cooperatives and their conflicts on the tablet: the registry's cached list (and the
//! stamp that says when it is stale: every transaction that writes `cooperatives` calls
//! [`touch_coops`]), registering a new HTX/THT, editing a profile offline, resolving a
//! conflict.

use super::*;
use hoptac_core::i18n::Msg;
use hoptac_core::merge::{resolve, Choice, Conflict, Resolution};
use hoptac_core::model::{Cooperative, Millis};
use hoptac_core::sync::MutationOp;
use hoptac_core::validate::FieldError;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

thread_local! {
    static COOPS_WRITES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many transactions of this tab have written cooperatives since it started (one that
/// aborted counts too): a list read earlier is still current if this has not moved and no
/// other tab wrote (the registry checks the stored stamp when it cannot tell).
pub fn coops_writes() -> u64 {
    COOPS_WRITES.with(|n| n.get())
}

/// Marks the cooperatives as changed (inside the transaction that changes them), so the
/// registry's cached list is rebuilt.
pub(super) async fn touch_coops(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
) -> Result<()> {
    COOPS_WRITES.with(|n| n.set(n.get() + 1));
    tx.object_store(META)
        .map_err(db_error)?
        .put(MetaRow {
            key: keys::COOPS_GEN.to_string(),
            value: crate::util::new_id(),
        })
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    Ok(())
}
impl Store {
    pub async fn cooperatives(&self) -> Result<Vec<Cooperative>> {
        self.all(COOPS).await
    }

    /// Identifies the cooperatives store's content: its write generation and its count
    /// (the count also catches records written by something other than this app).
    pub(super) async fn coops_stamp(
        &self,
        tx: &indexed_db_futures::transaction::Transaction<'_>,
    ) -> Result<String> {
        let gen: Option<MetaRow<String>> = tx
            .object_store(META)
            .map_err(db_error)?
            .get(keys::COOPS_GEN)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        let count: u32 = tx
            .object_store(COOPS)
            .map_err(db_error)?
            .count()
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        Ok(format!(
            "{}:{count}",
            gen.map(|g| g.value).unwrap_or_default()
        ))
    }

    /// The registry's cached list, when no cooperative changed since it was built: one
    /// record read instead of every cooperative (pages/home.rs builds and saves it). The
    /// text is kept as UTF-8 bytes: IndexedDB copies bytes far faster than it clones a
    /// string of the same length.
    pub async fn registry_cache(&self) -> Result<Option<String>> {
        Ok(self.registry_cache_stamped().await?.map(|(_, text)| text))
    }

    /// [`Self::registry_cache`] with the stamp it was valid for (to check it again later
    /// with [`Self::cooperatives_stamp`]).
    pub async fn registry_cache_stamped(&self) -> Result<Option<(String, String)>> {
        let tx = self.reading([META, COOPS])?;
        let stamp = self.coops_stamp(&tx).await?;
        let row: Option<JsValue> = tx
            .object_store(META)
            .map_err(db_error)?
            .get(keys::REGISTRY)
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        let field = |k: &str| js_sys::Reflect::get(&row, &k.into()).unwrap_or(JsValue::UNDEFINED);
        if field("stamp").as_string().as_deref() != Some(stamp.as_str()) {
            return Ok(None);
        }
        let bytes: js_sys::Uint8Array = match wasm_bindgen::JsCast::dyn_into(field("bytes")) {
            Ok(b) => b,
            Err(_) => return Ok(None),
        };
        Ok(String::from_utf8(bytes.to_vec()).ok().map(|t| (stamp, t)))
    }

    /// The cooperatives store's current stamp (see `coops_stamp`).
    pub async fn cooperatives_stamp(&self) -> Result<String> {
        let tx = self.reading([META, COOPS])?;
        self.coops_stamp(&tx).await
    }

    /// Every cooperative as stored (JavaScript objects, not turned into `Cooperative`:
    /// the registry reads a few fields of each), with the stamp to save the registry's list
    /// under.
    pub async fn cooperatives_js_stamped(&self) -> Result<(Vec<JsValue>, String)> {
        let tx = self.reading([META, COOPS])?;
        let stamp = self.coops_stamp(&tx).await?;
        let items = all_js(&tx.object_store(COOPS).map_err(db_error)?).await?;
        Ok((items, stamp))
    }

    /// Keeps the registry's list built from the cooperatives of `stamp`.
    pub async fn save_registry_cache(&self, stamp: String, text: String) -> Result<()> {
        let bytes = js_sys::Uint8Array::from(text.as_bytes());
        self.put_meta_js(&[
            ("key", &keys::REGISTRY.into()),
            ("stamp", &stamp.into()),
            ("bytes", &bytes),
        ])
        .await
    }

    pub async fn cooperative(&self, id: &str) -> Result<Option<Cooperative>> {
        let tx = self.reading(COOPS)?;
        let os = tx.object_store(COOPS).map_err(db_error)?;
        os.get(id)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)
    }

    /// The conflicts of one cooperative (open and resolved), oldest first.
    pub async fn conflicts_of(&self, cooperative_id: &str) -> Result<Vec<Conflict>> {
        let tx = self.reading(CONFLICTS)?;
        let os = tx.object_store(CONFLICTS).map_err(db_error)?;
        let index = os
            .index(schema::CONFLICTS_BY_COOPERATIVE)
            .map_err(db_error)?;
        let items = index
            .get_all()
            .with_query(cooperative_id.to_string())
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        let mut list = items
            .collect::<std::result::Result<Vec<Conflict>, _>>()
            .map_err(db_error)?;
        list.sort_by_key(|c| c.created_at);
        Ok(list)
    }

    /// Every conflict still waiting for a choice (for the home screen and the supervisor).
    pub async fn open_conflicts(&self) -> Result<Vec<Conflict>> {
        let mut list: Vec<Conflict> = self.all(CONFLICTS).await?;
        list.retain(Conflict::is_open);
        list.sort_by_key(|c| c.created_at);
        Ok(list)
    }

    /// Registers a cooperative found in the field: the record (version 0: not yet on the
    /// server) and its outbox mutation in one transaction.
    pub async fn save_new_cooperative(
        &self,
        coop: Cooperative,
        now: Millis,
        draft_key: Option<&str>,
    ) -> Result<()> {
        let tx = self.writing([COOPS, OUTBOX, META])?;
        let coop = Cooperative { version: 0, ..coop };
        touch_coops(&tx).await?;
        tx.object_store(COOPS)
            .map_err(db_error)?
            .put(&coop)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        let refused = refused_key(&coop.id);
        append_mutation(&tx, MutationOp::RegisterCooperative(coop), now, draft_key).await?;
        // Sent again: it is no longer waiting to be fixed.
        super::delete_meta(&tx, &refused).await?;
        tx.commit().await.map_err(db_error)
    }

    /// Saves an offline edit of a cooperative's profile and its outbox mutation in one
    /// transaction. `base` is the record as it was when the edit began: the server merges
    /// field by field against it.
    pub async fn save_cooperative_edit(
        &self,
        base: Cooperative,
        record: Cooperative,
        now: Millis,
        draft_key: Option<&str>,
    ) -> Result<()> {
        let tx = self.writing([COOPS, OUTBOX, META])?;
        let base_id = base.id.clone();
        let record = Cooperative {
            version: base.version,
            id: base.id.clone(),
            area_id: base.area_id.clone(),
            area_path: base.area_path.clone(),
            ..record
        };
        touch_coops(&tx).await?;
        tx.object_store(COOPS)
            .map_err(db_error)?
            .put(&record)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        append_mutation(
            &tx,
            MutationOp::UpdateCooperative { base, record },
            now,
            draft_key,
        )
        .await?;
        super::delete_meta(&tx, &refused_key(&base_id)).await?;
        tx.commit().await.map_err(db_error)
    }

    /// The officer chooses a conflict's value: the conflict is marked (by this user, now),
    /// the profile shows the chosen value, and the choice goes out, all in one transaction.
    pub async fn resolve_conflict(
        &self,
        conflict_id: &str,
        choice: Choice,
        by_id: &str,
        by_name: &str,
        now: Millis,
    ) -> Result<()> {
        let tx = self.writing([CONFLICTS, COOPS, OUTBOX, META])?;
        let conflicts = tx.object_store(CONFLICTS).map_err(db_error)?;
        let found: Option<Conflict> = conflicts
            .get(conflict_id)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        let Some(mut conflict) = found else {
            return Err(StoreError::ConflictNotFound);
        };
        if conflict.resolution.is_some() {
            return Ok(());
        }
        conflict.resolution = Some(Resolution {
            choice,
            by_id: by_id.to_string(),
            by_name: by_name.to_string(),
            at: now,
        });
        conflicts
            .put(&conflict)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        touch_coops(&tx).await?;
        let coops = tx.object_store(COOPS).map_err(db_error)?;
        let current: Option<Cooperative> = coops
            .get(conflict.cooperative_id.as_str())
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        if let Some(current) = current {
            coops
                .put(&resolve(&conflict, &current, choice))
                .serde()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
        }
        append_mutation(
            &tx,
            MutationOp::ResolveConflict {
                conflict_id: conflict_id.to_string(),
                choice,
            },
            now,
            None,
        )
        .await?;
        tx.commit().await.map_err(db_error)
    }
}

/// A registration or profile edit the server refused ("Cần sửa", issue 13), kept in `meta`
/// under `refused:coop:<id>` until the officer fixes and sends it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusedCoop {
    /// The profile as the officer wrote it.
    pub record: Cooperative,
    /// For a profile edit, the record it started from; None for a registration.
    pub base: Option<Cooperative>,
    pub message: Msg,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

/// The `meta` key of a refused registration or edit of cooperative `id`.
pub fn refused_key(id: &str) -> String {
    format!("{REFUSED_FROM}coop:{id}")
}

/// Keys of refused work lie in ["refused:", "refused;").
pub(super) const REFUSED_FROM: &str = "refused:";
pub(super) const REFUSED_TO: &str = "refused;";

impl Store {
    /// Registrations and profile edits the server refused, waiting to be fixed.
    pub async fn refused_coops(&self) -> Result<Vec<RefusedCoop>> {
        let tx = self.reading(META)?;
        let rows: Vec<MetaRow<RefusedCoop>> = tx
            .object_store(META)
            .map_err(db_error)?
            .get_all()
            .with_query(REFUSED_FROM.to_string()..REFUSED_TO.to_string())
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?
            .collect::<std::result::Result<_, _>>()
            .map_err(db_error)?;
        Ok(rows.into_iter().map(|r| r.value).collect())
    }

    /// The refused registration or edit of cooperative `id`, if any.
    pub async fn refused_coop(&self, id: &str) -> Result<Option<RefusedCoop>> {
        self.meta(&refused_key(id)).await
    }
}
