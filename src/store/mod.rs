//! The tablet's local store, in IndexedDB. Pages read and write only here; the sync task
//! moves data between this store and the server.
//!
//! Object stores (schema version [`DB_VERSION`]):
//! - `areas`, `cooperatives`: reference data pulled from the server, keyed by `id`.
//! - `visits`: visit reports ([`LocalVisit`]), the officer's own and those pulled.
//! - `outbox`: [`Mutation`]s waiting to be pushed, keyed by mutation `id` (in order).
//! - `conflicts`: profile fields changed to two values ([`Conflict`]), pulled; resolved
//!   here by the officer (the choice goes out as a mutation).
//! - `meta`: `{ key, value }` rows: client id, next mutation id, pull cursor, session...
//!
//! Every write an officer makes goes with its outbox entry in ONE transaction
//! ([`Store::save_visit`]): never a record without its mutation, nor the reverse.

use hoptac_core::i18n::Msg;
use hoptac_core::merge::{resolve, Choice, Conflict, Resolution};
use hoptac_core::model::{Area, Cooperative, LoginResponse, Millis, ReportStatus, VisitReport};
use hoptac_core::sync::{ChangeRow, Mutation, MutationOp, Rejection};
use hoptac_core::validate::FieldError;
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

pub mod schema;

pub use schema::DB_VERSION;

pub const DB_NAME: &str = "hoptac";

pub const AREAS: &str = "areas";
pub const COOPS: &str = "cooperatives";
pub const VISITS: &str = "visits";
pub const OUTBOX: &str = "outbox";
pub const META: &str = "meta";
pub const CONFLICTS: &str = "conflicts";

/// Keys of the `meta` store.
pub mod keys {
    pub const CLIENT_ID: &str = "client_id";
    pub const NEXT_MUTATION_ID: &str = "next_mutation_id";
    pub const CURSOR: &str = "cursor";
    pub const SESSION: &str = "session";
    pub const LAST_SYNC_AT: &str = "last_sync_at";
    /// Changes (a new random value) with every write of the cooperatives store.
    pub const COOPS_GEN: &str = "coops_gen";
    /// The registry's list as one text record (see Store::registry_cache).
    pub const REGISTRY: &str = "registry_cache";
    /// The server's identity as last seen (see crate::clock): a new one means the server
    /// was restored from a backup.
    pub const SERVER_EPOCH: &str = "server_epoch";
    /// How far the server's clock is ahead of the tablet's, ms (crate::clock).
    pub const CLOCK_OFFSET: &str = "clock_offset";
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn e<E: std::fmt::Display>(err: E) -> StoreError {
    StoreError(err.to_string())
}

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
async fn touch_coops(tx: &indexed_db_futures::transaction::Transaction<'_>) -> Result<()> {
    COOPS_WRITES.with(|n| n.set(n.get() + 1));
    tx.object_store(META)
        .map_err(e)?
        .put(MetaRow {
            key: keys::COOPS_GEN.to_string(),
            value: crate::util::new_id(),
        })
        .serde()
        .map_err(e)?
        .await
        .map_err(e)?;
    Ok(())
}

/// The end of every pulled page, in its transaction: the new cursor, and the outbox
/// without the mutations the server has applied.
async fn finish_pull(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    cursor: i64,
    last_mutation_id: u64,
) -> Result<()> {
    tx.object_store(META)
        .map_err(e)?
        .put(MetaRow {
            key: keys::CURSOR.to_string(),
            value: cursor,
        })
        .serde()
        .map_err(e)?
        .await
        .map_err(e)?;
    if last_mutation_id >= 1 {
        tx.object_store(OUTBOX)
            .map_err(e)?
            .delete(1u32 as f64..=(last_mutation_id as f64))
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?;
    }
    Ok(())
}

pub type Result<T> = std::result::Result<T, StoreError>;

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
    enum SyncState {
        Pending = "pending",
        Synced = "synced",
        Rejected = "rejected",
    }
);

#[derive(Serialize, Deserialize)]
struct StoredSync {
    state: SyncState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<Msg>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
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
async fn put_pending_visit(
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
        .map_err(e)?
        .put(&visit)
        .serde()
        .map_err(e)?
        .await
        .map_err(e)?;
    append_mutation(&tx, op(visit.report.clone()), now, draft_key).await?;
    tx.commit().await.map_err(e)?;
    Ok(visit)
}

/// Puts `value` without waiting for its request: the page's puts run back to back and
/// the transaction's commit reports any failure (awaiting each put cost one event-loop
/// turn per record: 3 s for 10,000 cooperatives; docs/BENCHMARKS.md).
fn put_now(os: &ObjectStore<'_>, value: &JsValue) -> Result<()> {
    use indexed_db_futures::internals::SystemRepr;
    os.as_sys()
        .put(value)
        .map(|_| ())
        .map_err(|err| StoreError(crate::util::js_text(&err)))
}

/// Deletes the records of `os` whose `field` (an area path) lies under `path`, except
/// those whose id is in `keep`. Reads only the two properties, not whole records.
async fn drop_under(os: &ObjectStore<'_>, field: &str, path: &str, keep: &[String]) -> Result<()> {
    let all: Vec<JsValue> = os
        .get_all()
        .primitive()
        .map_err(e)?
        .await
        .map_err(e)?
        .collect::<std::result::Result<_, _>>()
        .map_err(e)?;
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
                .map_err(e)?
                .await
                .map_err(e)?;
        }
    }
    Ok(())
}

/// Reads a stored visit: the report from the object itself (its unknown `sync` field is
/// ignored) and `sync` from its property.
fn visit_from_js(js: JsValue) -> Result<LocalVisit> {
    let sync = js_sys::Reflect::get(&js, &JsValue::from_str("sync"))
        .map_err(|_| StoreError("visit without sync state".into()))?;
    Ok(LocalVisit {
        sync: serde_wasm_bindgen::from_value(sync).map_err(e)?,
        report: serde_wasm_bindgen::from_value(js).map_err(e)?,
    })
}

#[derive(Serialize, Deserialize)]
struct MetaRow<T> {
    key: String,
    value: T,
}

/// The draft of the visit note form of one cooperative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDraft {
    pub visit_date: String,
    pub note: String,
}

pub fn visit_draft_key(cooperative_id: &str) -> String {
    format!("draft:visit:{cooperative_id}")
}

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
const DRAFTS_FROM: &str = "draft:";
const DRAFTS_TO: &str = "draft;";

pub struct Store {
    db: Database,
}

/// Appends `op` to the outbox with the next mutation id, inside the caller's transaction
/// (which must include OUTBOX and META), and drops the form's draft if one is named.
async fn append_mutation(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    op: MutationOp,
    now: Millis,
    draft_key: Option<&str>,
) -> Result<u64> {
    let meta = tx.object_store(META).map_err(e)?;
    let next: Option<MetaRow<u64>> = meta
        .get(keys::NEXT_MUTATION_ID)
        .serde()
        .map_err(e)?
        .await
        .map_err(e)?;
    let id = next.map(|r| r.value).unwrap_or(1);
    tx.object_store(OUTBOX)
        .map_err(e)?
        .put(&Mutation {
            id,
            created_at: now,
            op,
        })
        .serde()
        .map_err(e)?
        .await
        .map_err(e)?;
    meta.put(MetaRow {
        key: keys::NEXT_MUTATION_ID.to_string(),
        value: id + 1,
    })
    .serde()
    .map_err(e)?
    .await
    .map_err(e)?;
    if let Some(k) = draft_key {
        meta.delete(k).primitive().map_err(e)?.await.map_err(e)?;
    }
    Ok(id)
}

impl Store {
    pub async fn open() -> Result<Store> {
        Self::open_named(DB_NAME).await
    }

    /// Opens (creating or upgrading) the database `name`; tests use their own names.
    pub async fn open_named(name: &str) -> Result<Store> {
        Self::open_at_version(name, DB_VERSION).await
    }

    /// Opens `name` at an older schema version: for the upgrade tests only.
    #[doc(hidden)]
    pub async fn open_at_version(name: &str, version: u32) -> Result<Store> {
        schema::migrate(name, version).await.map_err(StoreError)?;
        let db = Database::open(name)
            .with_version(version)
            .await
            .map_err(e)?;
        Ok(Store { db })
    }

    /// Deletes the whole database `name` (tests; never called by the app).
    pub async fn delete_named(name: &str) -> Result<()> {
        Database::delete_by_name(name)
            .map_err(e)?
            .await
            .map_err(e)?;
        Ok(())
    }

    pub fn close(self) {
        self.db.close();
    }

    /// Calls `f` once when another tab (a newer release) needs to upgrade the schema: this
    /// connection is closed first so the upgrade is not blocked; the page must reload.
    pub fn on_version_change(&self, f: impl FnOnce() + 'static) {
        let Ok(mut listener) = self.db.version_changes() else {
            return;
        };
        let db = self.db.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if listener.recv().await.is_some() {
                db.close();
                f();
            }
        });
    }

    // ---- meta -------------------------------------------------------------------------

    pub async fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let tx = self.db.transaction(META).build().map_err(e)?;
        let os = tx.object_store(META).map_err(e)?;
        let row: Option<MetaRow<T>> = os.get(key).serde().map_err(e)?.await.map_err(e)?;
        Ok(row.map(|r| r.value))
    }

    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let os = tx.object_store(META).map_err(e)?;
        os.put(MetaRow {
            key: key.to_string(),
            value,
        })
        .serde()
        .map_err(e)?
        .await
        .map_err(e)?;
        tx.commit().await.map_err(e)
    }

    pub async fn session(&self) -> Result<Option<LoginResponse>> {
        self.meta(keys::SESSION).await
    }

    /// The id of this installation, made on first use.
    pub async fn client_id(&self) -> Result<String> {
        if let Some(id) = self.meta::<String>(keys::CLIENT_ID).await? {
            return Ok(id);
        }
        let id = crate::util::new_id();
        self.set_meta(keys::CLIENT_ID, &id).await?;
        Ok(id)
    }

    /// Signs a user in on this tablet. Another user's data is cleared first, and with it
    /// the client id (a client id belongs to one user); refused while unsent work waits.
    pub async fn start_session(&self, login: &LoginResponse) -> Result<()> {
        let previous = self.session().await?;
        let same_user = previous
            .as_ref()
            .map(|p| p.user.id == login.user.id)
            .unwrap_or(false);
        if !same_user {
            let last_user: Option<String> = self.meta("last_user_id").await?;
            if last_user.as_deref() != Some(login.user.id.as_str()) {
                if self.unsent_count().await? > 0 {
                    return Err(StoreError("unsent_work_of_other_user".into()));
                }
                self.clear_all().await?;
            }
        }
        self.set_meta("last_user_id", &login.user.id).await?;
        self.set_meta(keys::SESSION, login).await
    }

    pub async fn end_session(&self) -> Result<()> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let os = tx.object_store(META).map_err(e)?;
        os.delete(keys::SESSION)
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?;
        tx.commit().await.map_err(e)
    }

    /// Those of `names` this database has (a database opened at an older schema version,
    /// as the upgrade test does, lacks the newer stores).
    fn present(&self, names: &[&'static str]) -> Vec<&'static str> {
        let have: Vec<String> = self.db.object_store_names().collect();
        names
            .iter()
            .copied()
            .filter(|n| have.iter().any(|h| h == n))
            .collect()
    }

    async fn clear_all(&self) -> Result<()> {
        let names = self.present(&[AREAS, COOPS, VISITS, OUTBOX, META, CONFLICTS]);
        let tx = self
            .db
            .transaction(names.clone())
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        for n in names {
            tx.object_store(n)
                .map_err(e)?
                .clear()
                .map_err(e)?
                .await
                .map_err(e)?;
        }
        tx.commit().await.map_err(e)
    }

    // ---- reads ------------------------------------------------------------------------

    async fn all<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>> {
        let tx = self.db.transaction(store).build().map_err(e)?;
        let os = tx.object_store(store).map_err(e)?;
        let items = os.get_all().serde().map_err(e)?.await.map_err(e)?;
        items.collect::<std::result::Result<Vec<T>, _>>().map_err(e)
    }

    pub async fn areas(&self) -> Result<Vec<Area>> {
        self.all(AREAS).await
    }

    pub async fn cooperatives(&self) -> Result<Vec<Cooperative>> {
        self.all(COOPS).await
    }

    /// Identifies the cooperatives store's content: its write generation and its count
    /// (the count also catches records written by something other than this app).
    async fn coops_stamp(
        &self,
        tx: &indexed_db_futures::transaction::Transaction<'_>,
    ) -> Result<String> {
        let gen: Option<MetaRow<String>> = tx
            .object_store(META)
            .map_err(e)?
            .get(keys::COOPS_GEN)
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        let count: u32 = tx
            .object_store(COOPS)
            .map_err(e)?
            .count()
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?;
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
        let tx = self.db.transaction([META, COOPS]).build().map_err(e)?;
        let stamp = self.coops_stamp(&tx).await?;
        let row: Option<JsValue> = tx
            .object_store(META)
            .map_err(e)?
            .get(keys::REGISTRY)
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?;
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
        let tx = self.db.transaction([META, COOPS]).build().map_err(e)?;
        self.coops_stamp(&tx).await
    }

    /// Every cooperative as stored (JavaScript objects, not turned into `Cooperative`:
    /// the registry reads a few fields of each), with the stamp to save the registry's list
    /// under.
    pub async fn cooperatives_js_stamped(&self) -> Result<(Vec<JsValue>, String)> {
        let tx = self.db.transaction([META, COOPS]).build().map_err(e)?;
        let stamp = self.coops_stamp(&tx).await?;
        let items: Vec<JsValue> = tx
            .object_store(COOPS)
            .map_err(e)?
            .get_all()
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
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

    /// Writes a `meta` row made of JavaScript values as they are (no serde), in its own
    /// transaction.
    async fn put_meta_js(&self, fields: &[(&str, &JsValue)]) -> Result<()> {
        let row = js_sys::Object::new();
        for (k, v) in fields {
            let _ = js_sys::Reflect::set(&row, &(*k).into(), v);
        }
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        put_now(&tx.object_store(META).map_err(e)?, &row)?;
        tx.commit().await.map_err(e)
    }

    pub async fn cooperative(&self, id: &str) -> Result<Option<Cooperative>> {
        let tx = self.db.transaction(COOPS).build().map_err(e)?;
        let os = tx.object_store(COOPS).map_err(e)?;
        os.get(id).serde().map_err(e)?.await.map_err(e)
    }

    pub async fn visits(&self) -> Result<Vec<LocalVisit>> {
        let tx = self.db.transaction(VISITS).build().map_err(e)?;
        let os = tx.object_store(VISITS).map_err(e)?;
        let items: Vec<JsValue> = os
            .get_all()
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
        items.into_iter().map(visit_from_js).collect()
    }

    async fn visit(&self, os: &ObjectStore<'_>, id: &str) -> Result<Option<LocalVisit>> {
        let found: Option<JsValue> = os.get(id).primitive().map_err(e)?.await.map_err(e)?;
        found.map(visit_from_js).transpose()
    }

    /// The visits of one cooperative, through the `by_cooperative` index.
    pub async fn visits_of(&self, cooperative_id: &str) -> Result<Vec<LocalVisit>> {
        let tx = self.db.transaction(VISITS).build().map_err(e)?;
        let os = tx.object_store(VISITS).map_err(e)?;
        let index = os.index(schema::VISITS_BY_COOPERATIVE).map_err(e)?;
        let items: Vec<JsValue> = index
            .get_all()
            .with_query(cooperative_id.to_string())
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
        items.into_iter().map(visit_from_js).collect()
    }

    /// The conflicts of one cooperative (open and resolved), oldest first.
    pub async fn conflicts_of(&self, cooperative_id: &str) -> Result<Vec<Conflict>> {
        let tx = self.db.transaction(CONFLICTS).build().map_err(e)?;
        let os = tx.object_store(CONFLICTS).map_err(e)?;
        let index = os.index(schema::CONFLICTS_BY_COOPERATIVE).map_err(e)?;
        let items = index
            .get_all()
            .with_query(cooperative_id.to_string())
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        let mut list = items
            .collect::<std::result::Result<Vec<Conflict>, _>>()
            .map_err(e)?;
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

    pub async fn outbox(&self) -> Result<Vec<Mutation>> {
        self.all(OUTBOX).await
    }

    pub async fn outbox_len(&self) -> Result<u32> {
        let tx = self.db.transaction(OUTBOX).build().map_err(e)?;
        let os = tx.object_store(OUTBOX).map_err(e)?;
        os.count().primitive().map_err(e)?.await.map_err(e)
    }

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
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        tx.object_store(META)
            .map_err(e)?
            .delete(key)
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?;
        tx.commit().await.map_err(e)
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
        let tx = self
            .db
            .transaction([VISITS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
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
        let tx = self
            .db
            .transaction([VISITS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let current = self
            .visit(&tx.object_store(VISITS).map_err(e)?, &report.id)
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
        let tx = self.db.transaction(VISITS).build().map_err(e)?;
        let os = tx.object_store(VISITS).map_err(e)?;
        self.visit(&os, id).await
    }

    /// Registers a cooperative found in the field: the record (version 0: not yet on the
    /// server) and its outbox mutation in one transaction.
    pub async fn save_new_cooperative(
        &self,
        coop: Cooperative,
        now: Millis,
        draft_key: Option<&str>,
    ) -> Result<()> {
        let tx = self
            .db
            .transaction([COOPS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let coop = Cooperative { version: 0, ..coop };
        touch_coops(&tx).await?;
        tx.object_store(COOPS)
            .map_err(e)?
            .put(&coop)
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        append_mutation(&tx, MutationOp::RegisterCooperative(coop), now, draft_key).await?;
        tx.commit().await.map_err(e)
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
        let tx = self
            .db
            .transaction([COOPS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let record = Cooperative {
            version: base.version,
            id: base.id.clone(),
            area_id: base.area_id.clone(),
            area_path: base.area_path.clone(),
            ..record
        };
        touch_coops(&tx).await?;
        tx.object_store(COOPS)
            .map_err(e)?
            .put(&record)
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        append_mutation(
            &tx,
            MutationOp::UpdateCooperative { base, record },
            now,
            draft_key,
        )
        .await?;
        tx.commit().await.map_err(e)
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
        let tx = self
            .db
            .transaction([CONFLICTS, COOPS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let conflicts = tx.object_store(CONFLICTS).map_err(e)?;
        let found: Option<Conflict> = conflicts
            .get(conflict_id)
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        let Some(mut conflict) = found else {
            return Err(StoreError("conflict_not_found".into()));
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
            .map_err(e)?
            .await
            .map_err(e)?;
        touch_coops(&tx).await?;
        let coops = tx.object_store(COOPS).map_err(e)?;
        let current: Option<Cooperative> = coops
            .get(conflict.cooperative_id.as_str())
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        if let Some(current) = current {
            coops
                .put(&resolve(&conflict, &current, choice))
                .serde()
                .map_err(e)?
                .await
                .map_err(e)?;
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
        tx.commit().await.map_err(e)
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
        Ok(UnsentExport {
            format: EXPORT_FORMAT.to_string(),
            exported_at: now,
            user_id: user_id.to_string(),
            mutations,
            drafts: self.drafts().await?,
        })
    }

    /// Every form draft on this tablet.
    pub async fn drafts(&self) -> Result<Vec<DraftRow>> {
        crate::drafts::settled().await;
        let tx = self.db.transaction(META).build().map_err(e)?;
        let rows = tx
            .object_store(META)
            .map_err(e)?
            .get_all()
            .with_query(DRAFTS_FROM.to_string()..DRAFTS_TO.to_string())
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?;
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(e)?;
            let get = |k: &str| js_sys::Reflect::get(&row, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
            if let Some(key) = get("key").as_string() {
                out.push(DraftRow {
                    key,
                    value: get("value"),
                });
            }
        }
        Ok(out)
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
            return Err(StoreError("not_an_export".into()));
        }
        if export.user_id != user_id {
            return Err(StoreError("other_user".into()));
        }
        let (mut imported, mut skipped) = (0, 0);
        for m in &export.mutations {
            match &m.op {
                MutationOp::SubmitVisit(v) => {
                    let exists = {
                        let tx = self.db.transaction(VISITS).build().map_err(e)?;
                        let os = tx.object_store(VISITS).map_err(e)?;
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

    async fn queue(&self, op: MutationOp, now: Millis) -> Result<()> {
        let tx = self
            .db
            .transaction([OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        append_mutation(&tx, op, now, None).await?;
        tx.commit().await.map_err(e)
    }

    // ---- what sync writes -----------------------------------------------------------------

    /// After a push: drops acknowledged mutations (`id <= last_id`) and marks refused
    /// visits "Cần sửa" with the server's reasons (they stay on the tablet until fixed and
    /// sent again).
    pub async fn acknowledge(&self, last_id: u64, rejected: &[Rejection]) -> Result<()> {
        let tx = self
            .db
            .transaction([OUTBOX, VISITS])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let outbox = tx.object_store(OUTBOX).map_err(e)?;
        if last_id >= 1 {
            outbox
                .delete(1u32 as f64..=(last_id as f64))
                .primitive()
                .map_err(e)?
                .await
                .map_err(e)?;
        }
        let visits = tx.object_store(VISITS).map_err(e)?;
        for r in rejected {
            let v = self.visit(&visits, &r.record_id).await?;
            if let Some(mut v) = v {
                v.sync = LocalSync::Rejected {
                    message: r.message.clone(),
                    fields: r.fields.clone(),
                };
                visits.put(&v).serde().map_err(e)?.await.map_err(e)?;
            }
        }
        tx.commit().await.map_err(e)
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

    /// After the server was restored from a backup (its identity changed, it no longer
    /// knows our cursor, or our mutation ids run ahead of its): the outbox is rebuilt so
    /// that the server gets back everything of `author_id`'s it may have lost. Every report
    /// of theirs the tablet holds is queued again (a new report, and its correction when it
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
        let tx = self
            .db
            .transaction([VISITS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let outbox = tx.object_store(OUTBOX).map_err(e)?;
        let waiting: Vec<Mutation> = outbox
            .get_all()
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
        let queued: Vec<String> = waiting.iter().map(|m| m.record_id().to_string()).collect();
        let visits = tx.object_store(VISITS).map_err(e)?;
        let all: Vec<JsValue> = visits
            .get_all()
            .primitive()
            .map_err(e)?
            .await
            .map_err(e)?
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
        let mut ops = Vec::new();
        for js in all {
            let v = visit_from_js(js)?;
            if v.report.author_id != author_id
                || queued.contains(&v.report.id)
                || !matches!(v.sync, LocalSync::Synced)
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
            visits.put(&pending).serde().map_err(e)?.await.map_err(e)?;
        }
        let mut all_ops: Vec<(Millis, MutationOp)> = ops.into_iter().map(|op| (now, op)).collect();
        all_ops.extend(waiting.into_iter().map(|m| (m.created_at, m.op)));
        outbox.clear().map_err(e)?.await.map_err(e)?;
        let mut id = server_last_id + 1;
        for (created_at, op) in &all_ops {
            outbox
                .put(&Mutation {
                    id,
                    created_at: *created_at,
                    op: op.clone(),
                })
                .serde()
                .map_err(e)?
                .await
                .map_err(e)?;
            id += 1;
        }
        let meta = tx.object_store(META).map_err(e)?;
        for (key, value) in [(keys::NEXT_MUTATION_ID, id as f64), (keys::CURSOR, 0.0)] {
            meta.put(MetaRow {
                key: key.to_string(),
                value,
            })
            .serde()
            .map_err(e)?
            .await
            .map_err(e)?;
        }
        tx.commit().await.map_err(e)?;
        Ok(all_ops.len())
    }

    /// Work of this tablet's user not yet on the server: queued mutations, reports refused
    /// and not yet fixed, and the forms' drafts. Another user may not sign in while there
    /// is any (signing in as someone else clears the tablet).
    pub async fn unsent_count(&self) -> Result<u32> {
        Ok(self.outbox_len().await?
            + self.rejected_visits().await?.len() as u32
            + self.drafts().await?.len() as u32)
    }

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
            .map_err(e)?;
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
            .map_err(|_| StoreError("pull: changes is not a list".into()))?;
        // An empty page (the usual answer when nothing changed) writes only the cursor and
        // the outbox: its transaction must not hold up the registry's reads of the records.
        if rows.length() == 0 {
            let tx = self
                .db
                .transaction([OUTBOX, META])
                .with_mode(TransactionMode::Readwrite)
                .build()
                .map_err(e)?;
            finish_pull(&tx, cursor, last_mutation_id).await?;
            tx.commit().await.map_err(e)?;
            return Ok(0);
        }
        let tx = self
            .db
            .transaction(self.present(&[AREAS, COOPS, VISITS, CONFLICTS, OUTBOX, META]))
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(e)?;
        let areas = tx.object_store(AREAS).map_err(e)?;
        let coops = tx.object_store(COOPS).map_err(e)?;
        let visits = tx.object_store(VISITS).map_err(e)?;
        let conflicts = tx.object_store(CONFLICTS).ok();
        let get = |v: &JsValue, k: &str| {
            js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        };
        let bad = |what: &str| StoreError(format!("pull: {what}"));
        let synced = SyncState::Synced;
        let synced = StoredSync {
            state: synced,
            message: None,
            fields: Vec::new(),
        }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(e)?;
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
                "area_unassigned" => {
                    let path = get(&data, "path")
                        .as_string()
                        .filter(|p| !p.is_empty())
                        .ok_or_else(|| bad("area_unassigned without a path"))?;
                    // The user's own work still in the outbox stays.
                    let queued: Vec<Mutation> = tx
                        .object_store(OUTBOX)
                        .map_err(e)?
                        .get_all()
                        .serde()
                        .map_err(e)?
                        .await
                        .map_err(e)?
                        .collect::<std::result::Result<_, _>>()
                        .map_err(e)?;
                    let keep: Vec<String> =
                        queued.iter().map(|m| m.record_id().to_string()).collect();
                    drop_under(&areas, "path", &path, &keep).await?;
                    drop_under(&coops, "area_path", &path, &keep).await?;
                    drop_under(&visits, "area_path", &path, &keep).await?;
                    if let Some(conflicts) = &conflicts {
                        drop_under(conflicts, "area_path", &path, &keep).await?;
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
                            .map_err(e)?
                            .await
                            .map_err(e)?;
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
        tx.commit().await.map_err(e)?;
        Ok(rows.length() as usize)
    }
}
