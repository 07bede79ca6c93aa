//! The tablet's local store, in IndexedDB. Offline pages read and write only here; the
//! sync task moves data between this store and the server.
//!
//! Object stores (schema version [`DB_VERSION`]):
//! - `areas`, `cooperatives`: reference data pulled from the server, keyed by `id`.
//! - `visits`: visit reports ([`LocalVisit`]), the officer's own and those pulled.
//! - `outbox`: [`Mutation`]s waiting to be pushed, keyed by mutation `id` (in order).
//! - `conflicts`: profile fields changed to two values ([`Conflict`]), pulled; resolved
//!   here by the officer (the choice goes out as a mutation).
//! - `meta`: `{ key, value }` rows: client id, next mutation id, pull cursor, session...
//! - `photos`: photos taken on this tablet, keyed by `hash` (see [`photos`]).
//!
//! Every write an officer makes goes with its outbox entry in ONE transaction
//! ([`Store::save_visit`]): never a record without its mutation, nor the reverse.
//!
//! One module per concern: [`visits`] (reports and where each stands), [`cooperatives`]
//! (profiles, the registry's cached list, conflicts), [`drafts`], [`outbox`] (mutations,
//! push results, recovery after a server restore, the rescue file), [`pull`] (applying
//! pulled pages); this file opens the database and keeps `meta` and the session.

use hoptac_core::model::{Area, LoginResponse};
use indexed_db_futures::database::{Database, ObjectStoreName};
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

mod cooperatives;
mod drafts;
mod outbox;
mod photos;
mod pull;
pub mod registry;
pub mod schema;
mod visits;

use cooperatives::touch_coops;
pub use cooperatives::{coops_writes, refused_key, RefusedCoop};
use drafts::DRAFTS_FROM;
pub use drafts::{visit_draft_key, DraftRow, VisitDraft};
use outbox::append_mutation;
pub use outbox::{UnsentExport, EXPORT_FORMAT};
pub use photos::{ExportedPhoto, HeldPhoto, PHOTOS};
use pull::put_now;
use visits::{visit_from_js, StoredSync, SyncState};
pub use visits::{LocalSync, LocalVisit};

pub use schema::DB_VERSION;

pub const DB_NAME: &str = "hoptac";

pub const AREAS: &str = "areas";
pub const COOPS: &str = "cooperatives";
pub const VISITS: &str = "visits";
pub const OUTBOX: &str = "outbox";
pub const META: &str = "meta";
pub const CONFLICTS: &str = "conflicts";
pub const REFERENCE: &str = "reference";

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

/// Why the store could not do something: typed, so a page says the right thing (a failing
/// database is not "another officer's unsent work").
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    /// IndexedDB refused or failed (the tablet is full, a transaction aborted, an upgrade
    /// was blocked), or a record did not have the expected shape.
    Database(String),
    /// Signing in as another user would wipe this many pieces of the previous user's work
    /// not yet on the server (queued mutations, reports to fix, drafts).
    UnsentWorkOfAnotherUser { count: u32 },
    /// The file is not a rescue file of unsent work.
    NotAnExport,
    /// The rescue file holds another officer's work.
    OtherUsersExport,
    /// The conflict to resolve is not on this tablet.
    ConflictNotFound,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(m) => write!(f, "{m}"),
            StoreError::UnsentWorkOfAnotherUser { count } => {
                write!(
                    f,
                    "{count} piece(s) of another user's work are not yet sent"
                )
            }
            StoreError::NotAnExport => write!(f, "not an export of unsent work"),
            StoreError::OtherUsersExport => write!(f, "another user's export"),
            StoreError::ConflictNotFound => write!(f, "no such conflict on this tablet"),
        }
    }
}

/// An IndexedDB error (from indexed_db_futures), as the store reports it.
fn db_error<E: std::fmt::Display>(err: E) -> StoreError {
    StoreError::Database(err.to_string())
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Serialize, Deserialize)]
struct MetaRow<T> {
    key: String,
    value: T,
}

pub struct Store {
    db: Database,
}
/// Every record of `os`, decoded.
async fn all_of<T: DeserializeOwned>(os: &ObjectStore<'_>) -> Result<Vec<T>> {
    let items = os
        .get_all()
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    items
        .collect::<std::result::Result<Vec<T>, _>>()
        .map_err(db_error)
}

/// Writes the `meta` row `key` = `value`, inside the caller's transaction (which includes
/// META).
async fn put_meta_in<T: serde::Serialize>(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    key: &str,
    value: T,
) -> Result<()> {
    tx.object_store(META)
        .map_err(db_error)?
        .put(MetaRow {
            key: key.to_string(),
            value,
        })
        .serde()
        .map_err(db_error)?
        .await
        .map_err(db_error)
}

/// Deletes the `meta` row `key`, inside the caller's transaction (which includes META).
async fn delete_meta(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    key: &str,
) -> Result<()> {
    tx.object_store(META)
        .map_err(db_error)?
        .delete(key)
        .primitive()
        .map_err(db_error)?
        .await
        .map_err(db_error)
}

/// Every record of `os` as stored (JavaScript values, not decoded).
async fn all_js(os: &ObjectStore<'_>) -> Result<Vec<JsValue>> {
    let items = os
        .get_all()
        .primitive()
        .map_err(db_error)?
        .await
        .map_err(db_error)?;
    items
        .collect::<std::result::Result<Vec<JsValue>, _>>()
        .map_err(db_error)
}

impl Store {
    /// A read-only transaction over `stores` (one name or an array of them).
    fn reading<S: ObjectStoreName>(&self, stores: S) -> Result<Transaction<'_>> {
        self.db.transaction(stores).build().map_err(db_error)
    }

    /// A read-write transaction over `stores`; nothing is written unless it is committed
    /// (`tx.commit().await`), so an error on the way leaves the store as it was.
    fn writing<S: ObjectStoreName>(&self, stores: S) -> Result<Transaction<'_>> {
        self.db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(db_error)
    }

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
        schema::migrate(name, version)
            .await
            .map_err(StoreError::Database)?;
        let db = Database::open(name)
            .with_version(version)
            .await
            .map_err(db_error)?;
        Ok(Store { db })
    }

    /// Deletes the whole database `name` (tests; never called by the app).
    pub async fn delete_named(name: &str) -> Result<()> {
        Database::delete_by_name(name)
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
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
        let tx = self.reading(META)?;
        let os = tx.object_store(META).map_err(db_error)?;
        let row: Option<MetaRow<T>> = os
            .get(key)
            .serde()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| r.value))
    }

    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let tx = self.writing(META)?;
        put_meta_in(&tx, key, value).await?;
        tx.commit().await.map_err(db_error)
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
                let count = self.unsent_count().await?;
                if count > 0 {
                    return Err(StoreError::UnsentWorkOfAnotherUser { count });
                }
                self.clear_all().await?;
            }
        }
        self.set_meta("last_user_id", &login.user.id).await?;
        self.set_meta(keys::SESSION, login).await
    }

    pub async fn end_session(&self) -> Result<()> {
        let tx = self.writing(META)?;
        let os = tx.object_store(META).map_err(db_error)?;
        os.delete(keys::SESSION)
            .primitive()
            .map_err(db_error)?
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
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
        let names = self.present(&[
            AREAS, COOPS, VISITS, OUTBOX, META, CONFLICTS, REFERENCE, PHOTOS,
        ]);
        let tx = self.writing(names.clone())?;
        for n in names {
            tx.object_store(n)
                .map_err(db_error)?
                .clear()
                .map_err(db_error)?
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    // ---- reads ------------------------------------------------------------------------

    async fn all<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>> {
        let tx = self.reading(store)?;
        all_of(&tx.object_store(store).map_err(db_error)?).await
    }

    /// The areas that exist today (a reorganisation's closed ones left out).
    pub async fn areas(&self) -> Result<Vec<Area>> {
        let all: Vec<Area> = self.all(AREAS).await?;
        Ok(all.into_iter().filter(Area::is_open).collect())
    }

    /// Every area this device received, closed ones included (history).
    pub async fn all_areas(&self) -> Result<Vec<Area>> {
        self.all(AREAS).await
    }

    /// The reference lists as pulled (hoptac_core::reference), retired items included;
    /// none on a database of an older schema.
    pub async fn reference(&self) -> Result<Vec<hoptac_core::reference::ReferenceItem>> {
        if self.present(&[REFERENCE]).is_empty() {
            return Ok(Vec::new());
        }
        self.all(REFERENCE).await
    }

    /// Writes a `meta` row made of JavaScript values as they are (no serde), in its own
    /// transaction.
    async fn put_meta_js(&self, fields: &[(&str, &JsValue)]) -> Result<()> {
        let row = js_sys::Object::new();
        for (k, v) in fields {
            let _ = js_sys::Reflect::set(&row, &(*k).into(), v);
        }
        let tx = self.writing(META)?;
        put_now(&tx.object_store(META).map_err(db_error)?, &row)?;
        tx.commit().await.map_err(db_error)
    }
}
