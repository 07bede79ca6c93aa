//! The IndexedDB schema and its upgrades, run with the raw browser API because an upgrade
//! needs the version-change transaction (to add indexes to stores that already hold data).
//! Each version's step runs once, in order, on the data of the version before; a step never
//! drops a store that holds user data.
//!
//! - v1: stores `areas`, `cooperatives`, `visits`, `outbox` (key `id`), `meta` (key `key`).
//! - v2: indexes `visits.by_cooperative` (cooperative_id) and `cooperatives.by_area`
//!   (area_id), so a cooperative's page and area filters do not scan every record.
//! - v3: store `conflicts` (key `id`) with index `by_cooperative` (cooperative_id).
//! - v4: store `reference` (key `id`, "{list}:{key}"): the reference lists reports
//!   choose from (hoptac_core::reference), as pulled.
//! - v5: store `photos` (key `hash`): photos taken on this tablet, as Blobs, with how far
//!   each upload came (crate::store::photos).

use super::{AREAS, CONFLICTS, COOPS, META, OUTBOX, PHOTOS, REFERENCE, VISITS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    IdbDatabase, IdbObjectStoreParameters, IdbOpenDbRequest, IdbTransaction, IdbVersionChangeEvent,
};

pub const DB_VERSION: u32 = 5;
pub const VISITS_BY_COOPERATIVE: &str = "by_cooperative";
pub const COOPS_BY_AREA: &str = "by_area";
pub const CONFLICTS_BY_COOPERATIVE: &str = "by_cooperative";

fn upgrade(old: u32, target: u32, db: &IdbDatabase, tx: &IdbTransaction) -> Result<(), JsValue> {
    if old < 1 && target >= 1 {
        for (name, key) in [
            (AREAS, "id"),
            (COOPS, "id"),
            (VISITS, "id"),
            (OUTBOX, "id"),
            (META, "key"),
        ] {
            let params = IdbObjectStoreParameters::new();
            params.set_key_path(&JsValue::from_str(key));
            db.create_object_store_with_optional_parameters(name, &params)?;
        }
    }
    if old < 2 && target >= 2 {
        tx.object_store(VISITS)?
            .create_index_with_str(VISITS_BY_COOPERATIVE, "cooperative_id")?;
        tx.object_store(COOPS)?
            .create_index_with_str(COOPS_BY_AREA, "area_id")?;
    }
    if old < 3 && target >= 3 {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str("id"));
        let store = db.create_object_store_with_optional_parameters(CONFLICTS, &params)?;
        store.create_index_with_str(CONFLICTS_BY_COOPERATIVE, "cooperative_id")?;
    }
    if old < 4 && target >= 4 {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str("id"));
        db.create_object_store_with_optional_parameters(REFERENCE, &params)?;
    }
    if old < 5 && target >= 5 {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str("hash"));
        db.create_object_store_with_optional_parameters(PHOTOS, &params)?;
    }
    Ok(())
}

/// Brings database `name` to schema version `target` (creating it if needed).
pub async fn migrate(name: &str, target: u32) -> Result<(), String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("IndexedDB is not available in this browser")?;
    let req: IdbOpenDbRequest = factory
        .open_with_u32(name, target)
        .map_err(|e| crate::util::js_text(&e))?;
    let (tx, rx) = futures::channel::oneshot::channel::<Result<(), String>>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let send = move |r: Result<(), String>| {
        if let Some(t) = tx.borrow_mut().take() {
            let _ = t.send(r);
        }
    };
    let (s1, s2) = (send.clone(), send.clone());
    let r_up = req.clone();
    let on_upgrade =
        Closure::<dyn FnMut(IdbVersionChangeEvent)>::new(move |ev: IdbVersionChangeEvent| {
            let result = (|| -> Result<(), JsValue> {
                let db: IdbDatabase = r_up.result()?.unchecked_into();
                let vtx = r_up
                    .transaction()
                    .ok_or_else(|| JsValue::from_str("no upgrade transaction"))?;
                upgrade(ev.old_version() as u32, target, &db, &vtx)
            })();
            if let Err(e) = result {
                // Abort the upgrade: the database stays at its old version, data untouched.
                if let Some(t) = r_up.transaction() {
                    let _ = t.abort();
                }
                s1(Err(format!(
                    "schema upgrade failed: {}",
                    crate::util::js_text(&e)
                )));
            }
        });
    let r_ok = req.clone();
    let on_success = Closure::<dyn FnMut()>::new(move || {
        if let Ok(db) = r_ok.result() {
            db.unchecked_into::<IdbDatabase>().close();
        }
        s2(Ok(()));
    });
    let r_err = req.clone();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        let msg = r_err
            .error()
            .ok()
            .flatten()
            .map(|e| e.message())
            .unwrap_or_else(|| "unknown error".into());
        send(Err(format!("cannot open the local database: {msg}")));
    });
    req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    req.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    req.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let result = rx
        .await
        .unwrap_or_else(|_| Err("the database open request was dropped".into()));
    req.set_onupgradeneeded(None);
    req.set_onsuccess(None);
    req.set_onerror(None);
    drop((on_upgrade, on_success, on_error));
    result
}
